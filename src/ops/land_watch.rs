//! Watching the land against its rules: every parcel of the parks asked for, with the supply in
//! force on the day asked, the timeline of its facts, the idle-land verdict and the 五未 class —
//! loaded in a few queries and computed in Rust by the pure rules of `domain`.
//!
//! `as_of` replays the dated records (supplies, facts, approvals); the parcels are today's
//! active parcels in their present footprint. Their creation in parkland is not a date of the
//! land's life — a park entering its register today brings years of contracts with it — so it
//! does not filter a past day's view.

use crate::domain::capacity::{Review, review};
use crate::domain::idle_land::{IdleRules, IdleStatus, IdleVerdict, assess};
use crate::domain::parcel::ParcelStatus;
use crate::domain::performance::YearFigures;
use crate::domain::register::{Park, Zone};
use crate::domain::settings::Settings;
use crate::domain::supply::{Fact, Supply, Timeline, replay};
use crate::domain::underused::{ParcelFacts, UnderusedRules, classify};
pub use crate::domain::watch::Watched;
use crate::store::memo::StampedMemo;
use crate::store::parcels::{ParcelQuery, all};
use crate::store::{self, AnyConnection, StoreError, StoreResult};
use chrono::{Datelike, NaiveDate};
use std::collections::HashMap;
use std::sync::Arc;

/// Parks watched on a day, by (park, day).
pub type WatchMemo = StampedMemo<(i64, NaiveDate), Arc<Watched>>;

/// Parcels kept across all memoised parks and days. A watched parcel holds its footprint,
/// supply, timeline and verdicts, about 2 KB (a 200,000-parcel park's day held the service at
/// ~430 MB in the tile benchmark), so this is ~240 MB at most: the current day and last
/// month's end of a 50,000-parcel park, or of a county's parks, fit; a year of month-ends
/// does not.
pub const WATCH_BUDGET_PARCELS: usize = 120_000;

/// An empty memo of watched parks within [`WATCH_BUDGET_PARCELS`].
pub fn watch_memo() -> WatchMemo {
    StampedMemo::new(WATCH_BUDGET_PARCELS)
}

/// Which parcels to watch.
#[derive(Debug, Clone, Default)]
pub struct WatchQuery {
    /// Only these parks (what the caller may read); `None`: every park.
    pub visible_parks: Option<Vec<i64>>,
    pub park_id: Option<i64>,
    pub zone_id: Option<i64>,
}

/// The settings in force for each parcel's place, computed once per zone (resolving them per
/// parcel cost a third of a whole-park request).
struct Places {
    parks: HashMap<i64, Park>,
    zones: HashMap<i64, Vec<Zone>>,
    settings: HashMap<(i64, Option<i64>), Arc<Settings>>,
}

impl Places {
    fn load(conn: &mut AnyConnection) -> StoreResult<Places> {
        let mut zones: HashMap<i64, Vec<Zone>> = HashMap::new();
        for z in store::zones::list(conn)? {
            zones.entry(z.park_id).or_default().push(z);
        }
        let parks: HashMap<i64, Park> = store::parks::list(conn)?
            .into_iter()
            .map(|p| (p.id, p))
            .collect();
        let mut settings = HashMap::new();
        for park in parks.values() {
            let of_park = zones.get(&park.id).map_or(&[][..], Vec::as_slice);
            let places = std::iter::once(None).chain(of_park.iter().map(|z| Some(z.id)));
            for zone_id in places {
                let s = Arc::new(park.settings_in(of_park, zone_id));
                settings.insert((park.id, zone_id), s);
            }
        }
        Ok(Places {
            parks,
            zones,
            settings,
        })
    }

    fn settings(
        &self,
        park_id: i64,
        zone_id: Option<i64>,
    ) -> Option<(Arc<Settings>, &Park, Option<&Zone>)> {
        let park = self.parks.get(&park_id)?;
        let zones = self.zones.get(&park_id).map_or(&[][..], Vec::as_slice);
        let zone = zone_id.and_then(|id| zones.iter().find(|z| z.id == id));
        // A zone id that is not one of the park's resolves as the park's own settings.
        let settings = self.settings.get(&(park_id, zone.map(|z| z.id))).cloned()?;
        Some((settings, park, zone))
    }
}

/// Replay a stored supply's facts; stored facts were checked on the way in, so a failure here
/// is damage to the data, not the client's fault.
pub fn timeline(supply: &Supply, facts: &[Fact], as_of: NaiveDate) -> StoreResult<Timeline> {
    replay(supply, facts, as_of).map_err(|e| {
        StoreError::Corrupt(format!(
            "the facts of land supply {} do not replay: {e}",
            supply.id
        ))
    })
}

/// The 达产复核 of a supply on `as_of`, reading its holder's yearly figures in the park.
pub fn capacity_review(
    s: &Supply,
    t: &Timeline,
    settings: &Settings,
    as_of: NaiveDate,
    figures: &HashMap<(i64, i64, i32), YearFigures>,
) -> Option<Review> {
    review(
        s,
        t,
        settings.capacity_review_years,
        settings.capacity_tolerance_pct,
        as_of,
        &|year| figures.get(&(s.enterprise_id, s.park_id, year)).copied(),
    )
}

/// The 达产复核 of one supply on `as_of`, with the settings of its parcel's place.
pub fn capacity_of(
    conn: &mut AnyConnection,
    supply: &Supply,
    t: &Timeline,
    as_of: NaiveDate,
) -> StoreResult<Option<Review>> {
    let settings = settings_of(conn, supply.parcel_id)?;
    let figures = store::performance::figures_in(conn, &[supply.park_id])?;
    Ok(capacity_review(supply, t, &settings, as_of, &figures))
}

/// Watch every active parcel matching `q` as of `as_of`, in id order.
///
/// Each park is watched whole and kept in `memo` under the audit chain's head: a land layer,
/// the idle-land list, the dispatch report and a single parcel's sheet of the same park and day
/// then share one computation until the next write (at 50,000 parcels it takes about a second;
/// the dashboard asks for four of them at once when someone signs in).
pub fn watch(
    conn: &mut AnyConnection,
    memo: &WatchMemo,
    q: &WatchQuery,
    as_of: NaiveDate,
) -> StoreResult<Vec<Arc<Watched>>> {
    let parks: Vec<i64> = match (&q.park_id, &q.visible_parks) {
        (Some(id), Some(visible)) if !visible.contains(id) => Vec::new(),
        (Some(id), _) => vec![*id],
        (None, Some(ids)) => ids.clone(),
        (None, None) => store::parks::scopes(conn)?
            .into_iter()
            .map(|(id, _)| id)
            .collect(),
    };
    let stamp = store::audit::register_head(conn)?;
    let mut out = Vec::new();
    for park_id in parks {
        let watched = memo.get((park_id, as_of), stamp, || watch_park(conn, park_id, as_of))?;
        out.extend(
            watched
                .iter()
                .filter(|w| q.zone_id.is_none() || w.parcel.zone_id == q.zone_id)
                .cloned(),
        );
    }
    out.sort_unstable_by_key(|w| w.parcel.id);
    Ok(out)
}

/// Watch the parks on the days a dashboard opens on — last month's end (the dispatch report's
/// default month) and `today` — so the first people to sign in after a start find them in the
/// memo; parks in id order while they fit its budget, a park too large for what is left
/// skipped (it would only push out the others). Returns the parcels watched.
pub fn warm(conn: &mut AnyConnection, memo: &WatchMemo, today: NaiveDate) -> StoreResult<usize> {
    let last_month_end = today
        .with_day(1)
        .and_then(|first| first.pred_opt())
        .unwrap_or(today);
    let mut room = memo.budget();
    let mut n = 0;
    for (park_id, _) in store::parks::scopes(conn)? {
        let q = ParcelQuery {
            park_id: Some(park_id),
            watchable: true,
            ..Default::default()
        };
        let size = usize::try_from(store::parcels::count(conn, &q)?).unwrap_or(usize::MAX);
        if size.saturating_mul(2) > room {
            continue;
        }
        room -= 2 * size;
        let one = WatchQuery {
            park_id: Some(park_id),
            ..Default::default()
        };
        for day in [last_month_end, today] {
            n += watch(conn, memo, &one, day)?.len();
        }
    }
    Ok(n)
}

/// Watch every active parcel of one park as of `as_of`.
fn watch_park(
    conn: &mut AnyConnection,
    park_id: i64,
    as_of: NaiveDate,
) -> StoreResult<Vec<Arc<Watched>>> {
    let parcel_query = ParcelQuery {
        park_id: Some(park_id),
        watchable: true,
        ..Default::default()
    };
    let parcels = all(conn, &parcel_query)?;
    let parks = [park_id];
    let mut supplies: HashMap<i64, Vec<(Supply, Vec<Fact>)>> = HashMap::new();
    for (s, f) in store::supplies::with_facts(conn, Some(&parks[..]))? {
        supplies.entry(s.parcel_id).or_default().push((s, f));
    }
    let holders: Vec<i64> = supplies
        .values()
        .flatten()
        .map(|(s, _)| s.enterprise_id)
        .collect();
    let names = store::enterprises::names(conn, &holders)?;
    let closed = store::idle_cases::last_closed(conn, Some(&parks[..]), None, as_of)?;
    let figures = store::performance::figures_in(conn, &parks)?;
    let places = Places::load(conn)?;
    let mut out = Vec::with_capacity(parcels.len());
    for parcel in parcels {
        let Some((settings, park, zone)) = places.settings(parcel.park_id, parcel.zone_id) else {
            continue;
        };
        let in_force = supplies
            .get(&parcel.id)
            .and_then(|list| list.iter().find(|(s, _)| s.in_force_on(as_of)));
        let supply = match in_force {
            Some((s, facts)) => {
                let t = timeline(s, facts, as_of)?;
                let holder = names.get(&s.enterprise_id).cloned().unwrap_or_default();
                Some((s.clone(), t, holder))
            }
            None => None,
        };
        let idle = match &supply {
            Some((s, t, _)) => Some(assess(
                s,
                t,
                &IdleRules::of(&settings),
                as_of,
                closed.get(&s.id).copied(),
            )),
            // Supplied before parkland kept supply records: say what is missing.
            None if parcel.status == ParcelStatus::Supplied
                && !supplies.contains_key(&parcel.id) =>
            {
                Some(IdleVerdict::unrecorded())
            }
            None => None,
        };
        let facts = ParcelFacts {
            approved_on: parcel.approved_on,
            approval_no: &parcel.approval_no,
            far_min: parcel.planning.far_min,
            area_m2: parcel.area_m2,
        };
        let capacity = supply
            .as_ref()
            .and_then(|(s, t, _)| capacity_review(s, t, &settings, as_of, &figures));
        // A supplied parcel without its contract cannot be classified: its dates are unknown.
        let underused = if idle
            .as_ref()
            .is_some_and(|v| v.status == IdleStatus::NotApplicable)
            && supply.is_none()
        {
            None
        } else {
            classify(
                &facts,
                supply.as_ref().map(|(s, t, _)| (s, t)),
                capacity.as_ref(),
                &UnderusedRules::of(&settings),
                as_of,
            )
        };
        out.push(Arc::new(Watched {
            park_name: park.name.clone(),
            zone_name: zone.map(|z| z.name.clone()),
            parcel,
            supply,
            idle,
            underused,
            capacity,
            settings,
        }));
    }
    Ok(out)
}

/// The settings in force where a parcel lies (its zone's over its park's over the defaults).
pub fn settings_of(conn: &mut AnyConnection, parcel_id: i64) -> StoreResult<Settings> {
    let parcel = store::parcels::get(conn, parcel_id)?;
    let (park, zones) = store::zones::park_context(conn, parcel.park_id)?;
    Ok(park.settings_in(&zones, parcel.zone_id))
}

/// The verdict of one supply on `as_of`, with the settings of its parcel's place.
pub fn verdict_of(
    conn: &mut AnyConnection,
    supply: &Supply,
    as_of: NaiveDate,
) -> StoreResult<(IdleVerdict, Settings)> {
    let settings = settings_of(conn, supply.parcel_id)?;
    let facts = store::supplies::facts(conn, supply.id)?;
    let t = timeline(supply, &facts, as_of)?;
    let closed = store::idle_cases::last_closed(conn, None, Some(supply.id), as_of)?;
    Ok((
        assess(
            supply,
            &t,
            &IdleRules::of(&settings),
            as_of,
            closed.get(&supply.id).copied(),
        ),
        settings,
    ))
}
