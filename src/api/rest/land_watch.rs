//! `/api/idle-land` and `/api/underused-land`: the parcels the rules flag on a day — idle land
//! (闲置土地) and the five kinds of under-used land (五未土地) — with totals by class, park and
//! zone. The same items are the properties of the OGC collections `idle-land` and
//! `underused-land`, so the dashboard's numbers and the map agree.

use crate::api::http::access::{listed_parks, require_register};
use crate::api::http::query::Query;
use crate::api::{AppState, report_response};
use crate::domain::access::Caller;
use crate::domain::idle_land::IdleStatus;
use crate::domain::underused::UnderusedClass;
use crate::domain::units::AreaM2;
use crate::error::{ApiError, ReadProblems};
use crate::store;
use crate::store::land_watch::{WatchQuery, Watched};
use crate::views::supply::IdleView;
use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_idle_land).service(list_underused_land);
}

/// Where a flagged parcel is, and how big.
#[derive(Serialize, ToSchema)]
pub struct ParcelRef {
    pub parcel_id: i64,
    pub parcel_code: String,
    pub parcel_name: String,
    pub park_id: i64,
    pub park_name: String,
    pub zone_id: Option<i64>,
    pub zone_name: Option<String>,
    pub area_m2: f64,
    pub area_mu: f64,
    /// The supply in force on the day, and its holder.
    pub supply_id: Option<i64>,
    pub enterprise_id: Option<i64>,
    pub enterprise_name: Option<String>,
    pub contract_no: Option<String>,
    /// 出让或划拨价款, whole 元.
    pub land_price_yuan: Option<i64>,
}

impl ParcelRef {
    fn of(w: &Watched) -> Self {
        let area = AreaM2(w.parcel.area_m2);
        let supply = w.supply.as_ref();
        Self {
            parcel_id: w.parcel.id,
            parcel_code: w.parcel.code.clone(),
            parcel_name: w.parcel.name.clone(),
            park_id: w.parcel.park_id,
            park_name: w.park_name.clone(),
            zone_id: w.parcel.zone_id,
            zone_name: w.zone_name.clone(),
            area_m2: area.m2_display(),
            area_mu: area.mu_display(),
            supply_id: supply.map(|(s, _, _)| s.id),
            enterprise_id: supply.map(|(s, _, _)| s.enterprise_id),
            enterprise_name: supply.map(|(_, _, n)| n.clone()),
            contract_no: supply.map(|(s, _, _)| s.contract_no.clone()),
            land_price_yuan: supply.map(|(s, _, _)| s.land_price_yuan),
        }
    }
}

/// A parcel on the idle-land clock.
#[derive(Serialize, ToSchema)]
pub struct IdleLandItem {
    #[serde(flatten)]
    pub parcel: ParcelRef,
    #[serde(flatten)]
    pub idle: IdleView,
    pub as_of: NaiveDate,
}

/// A parcel in one of the five classes of under-used land.
#[derive(Serialize, ToSchema)]
pub struct UnderusedItem {
    #[serde(flatten)]
    pub parcel: ParcelRef,
    pub class: UnderusedClass,
    /// e.g. 供而未用.
    pub class_name: &'static str,
    /// The day the parcel fell behind.
    pub since: NaiveDate,
    /// Days since the date the rule counts from.
    pub days_past: i64,
    /// The reason in words, e.g. "供而未用: agreed start 2023-03-01, not started, 631 days past".
    pub reason: String,
    pub as_of: NaiveDate,
}

impl IdleLandItem {
    pub fn of(w: &Watched, as_of: NaiveDate) -> Option<Self> {
        let v = w.idle.as_ref()?;
        Some(Self {
            parcel: ParcelRef::of(w),
            idle: IdleView::from(v),
            as_of,
        })
    }
}

impl UnderusedItem {
    pub fn of(w: &Watched, as_of: NaiveDate) -> Option<Self> {
        let f = w.underused.as_ref()?;
        Some(Self {
            parcel: ParcelRef::of(w),
            class: f.class,
            class_name: f.class.label_zh(),
            since: f.since,
            days_past: f.days_past,
            reason: f.reason.clone(),
            as_of,
        })
    }
}

/// A count and an area.
#[derive(Serialize, ToSchema, Default, Clone)]
pub struct Tally {
    pub count: i64,
    pub area_m2: f64,
    pub area_mu: f64,
}

/// A count and an area for one class, park or zone.
#[derive(Serialize, ToSchema)]
pub struct GroupTally {
    /// The status or class key, or the park or zone id.
    pub key: String,
    pub name: String,
    pub count: i64,
    pub area_m2: f64,
    pub area_mu: f64,
}

/// Sums of m² kept exact until shown.
#[derive(Default)]
struct Sum {
    count: i64,
    m2: f64,
}

impl Sum {
    fn tally(&self) -> Tally {
        let a = AreaM2(self.m2);
        Tally {
            count: self.count,
            area_m2: a.m2_display(),
            area_mu: a.mu_display(),
        }
    }

    fn group(&self, key: String, name: String) -> GroupTally {
        let t = self.tally();
        GroupTally {
            key,
            name,
            count: t.count,
            area_m2: t.area_m2,
            area_mu: t.area_mu,
        }
    }
}

/// Totals of the flagged parcels: all, by park and by zone (parcels outside any zone under
/// key `none`), plus one group per `class` in the order given (zeros included).
fn totals<'a>(
    items: impl Iterator<Item = (&'a ParcelRef, &'a str)> + Clone,
    classes: &[(&str, &str)],
) -> (Tally, Vec<GroupTally>, Vec<GroupTally>, Vec<GroupTally>) {
    let mut all = Sum::default();
    let mut by_class: BTreeMap<&str, Sum> = BTreeMap::new();
    let mut by_park: BTreeMap<i64, (String, Sum)> = BTreeMap::new();
    let mut by_zone: BTreeMap<Option<i64>, (String, Sum)> = BTreeMap::new();
    for (p, class) in items {
        let m2 = p.area_m2;
        for s in [
            &mut all,
            by_class.entry(class).or_default(),
            &mut by_park
                .entry(p.park_id)
                .or_insert_with(|| (p.park_name.clone(), Sum::default()))
                .1,
            &mut by_zone
                .entry(p.zone_id)
                .or_insert_with(|| {
                    (
                        p.zone_name.clone().unwrap_or_else(|| "（片区外）".into()),
                        Sum::default(),
                    )
                })
                .1,
        ] {
            s.count += 1;
            s.m2 += m2;
        }
    }
    let classes = classes
        .iter()
        .map(|(key, name)| {
            by_class.get(key).map_or_else(
                || Sum::default().group((*key).into(), (*name).into()),
                |s| s.group((*key).into(), (*name).into()),
            )
        })
        .collect();
    let parks = by_park
        .into_iter()
        .map(|(id, (name, s))| s.group(id.to_string(), name))
        .collect();
    let zones = by_zone
        .into_iter()
        .map(|(id, (name, s))| s.group(id.map_or_else(|| "none".into(), |i| i.to_string()), name))
        .collect();
    (all.tally(), classes, parks, zones)
}

#[derive(Serialize, ToSchema)]
pub struct IdleTotals {
    pub all: Tally,
    /// Fees due on land idle by the holder's fault, whole 元.
    pub fees_yuan: i64,
    pub by_status: Vec<GroupTally>,
    pub by_park: Vec<GroupTally>,
    pub by_zone: Vec<GroupTally>,
}

#[derive(Serialize, ToSchema)]
pub struct IdleLandReport {
    pub as_of: NaiveDate,
    pub items: Vec<IdleLandItem>,
    pub totals: IdleTotals,
}

#[derive(Serialize, ToSchema)]
pub struct UnderusedTotals {
    pub all: Tally,
    /// All five classes, in life-cycle order, zeros included.
    pub by_class: Vec<GroupTally>,
    pub by_park: Vec<GroupTally>,
    pub by_zone: Vec<GroupTally>,
}

#[derive(Serialize, ToSchema)]
pub struct UnderusedReport {
    pub as_of: NaiveDate,
    pub items: Vec<UnderusedItem>,
    pub totals: UnderusedTotals,
}

/// The parks, zone and day a watch request names, checked against what the caller may read.
pub async fn watch_query(
    state: &AppState,
    caller: &Caller,
    q: &Query,
) -> Result<(WatchQuery, NaiveDate), ApiError> {
    let park_id = q.id("park_id")?;
    let query = WatchQuery {
        visible_parks: listed_parks(state, caller, park_id).await?,
        park_id,
        zone_id: q.id("zone_id")?,
    };
    Ok((query, q.date("as_of")?.unwrap_or_else(|| state.today())))
}

/// Idle statuses to list: `idle_status=` or, by default, idle and approaching. (The parameter
/// is named after the property, so GDAL passes `-where "idle_status = 'idle'"` to the server.)
pub fn statuses(q: &Query) -> Result<Vec<IdleStatus>, ApiError> {
    Ok(q.list(
        "idle_status",
        IdleStatus::parse,
        "idle, approaching, not_due, not_applicable",
    )?
    .unwrap_or_else(|| vec![IdleStatus::Idle, IdleStatus::Approaching]))
}

pub fn classes(q: &Query) -> Result<Option<Vec<UnderusedClass>>, ApiError> {
    q.list(
        "class",
        UnderusedClass::parse,
        "approved_not_supplied, supplied_not_used, used_not_finished, built_not_producing, producing_below_target (or 批而未供, 供而未用 …)",
    )
}

/// Idle items of `watched` with one of `statuses`: idle land longest idle first, then land
/// closest to becoming idle.
pub fn idle_items(
    watched: &[Watched],
    statuses: &[IdleStatus],
    as_of: NaiveDate,
) -> Vec<IdleLandItem> {
    let mut items: Vec<IdleLandItem> = watched
        .iter()
        .filter_map(|w| IdleLandItem::of(w, as_of))
        .filter(|i| statuses.contains(&i.idle.idle_status))
        .collect();
    let rank = |s: IdleStatus| IdleStatus::ALL.iter().rev().position(|x| *x == s);
    items.sort_by_key(|i| {
        (
            rank(i.idle.idle_status),
            -i.idle.idle_days,
            i.idle.days_left,
            i.parcel.parcel_id,
        )
    });
    items
}

/// Under-used items of `watched` in `classes` (all when `None`), by class, longest behind first.
pub fn underused_items(
    watched: &[Watched],
    classes: Option<&[UnderusedClass]>,
    as_of: NaiveDate,
) -> Vec<UnderusedItem> {
    let mut items: Vec<UnderusedItem> = watched
        .iter()
        .filter_map(|w| UnderusedItem::of(w, as_of))
        .filter(|i| classes.is_none_or(|c| c.contains(&i.class)))
        .collect();
    items.sort_by_key(|i| (i.class, -i.days_past, i.parcel.parcel_id));
    items
}

/// Idle land (闲置土地) and land approaching it, on a day, with totals.
#[utoipa::path(
    tag = "idle-land",
    operation_id = "list_idle_land",
    params(
        ("as_of" = Option<String>, Query, description = "The day, YYYY-MM-DD (default today): last month's state is `as_of=` its last day"),
        ("park_id" = Option<i64>, Query, description = "Only this park"),
        ("zone_id" = Option<i64>, Query, description = "Only this zone"),
        ("idle_status" = Option<String>, Query, description = "Comma-separated: idle, approaching, not_due, not_applicable (default idle,approaching)"),
    ),
    responses((status = 200, body = IdleLandReport), ReadProblems)
)]
#[get("/api/idle-land")]
pub async fn list_idle_land(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    require_register(&caller)?;
    let q = Query::parse(
        req.query_string(),
        &["as_of", "park_id", "zone_id", "idle_status"],
    )?;
    let (query, as_of) = watch_query(&state, &caller, &q).await?;
    let statuses = statuses(&q)?;
    let watched = state
        .run(move |c| store::land_watch::watch(c, &query, as_of))
        .await?;
    report_response(&state, move || {
        Ok(idle_land_report(&watched, &statuses, as_of))
    })
    .await
}

/// The idle-land report of watched parcels: the items with one of `statuses`, and their totals.
pub fn idle_land_report(
    watched: &[Watched],
    statuses: &[IdleStatus],
    as_of: NaiveDate,
) -> IdleLandReport {
    let items = idle_items(watched, statuses, as_of);
    let status_keys: Vec<(&str, &str)> = statuses
        .iter()
        .map(|s| (s.as_str(), s.label_zh()))
        .collect();
    let (all, by_status, by_park, by_zone) = totals(
        items
            .iter()
            .map(|i| (&i.parcel, i.idle.idle_status.as_str())),
        &status_keys,
    );
    let fees_yuan = items
        .iter()
        .filter(|i| i.idle.idle_status == IdleStatus::Idle)
        .filter_map(|i| i.idle.fee_yuan)
        .sum();
    IdleLandReport {
        as_of,
        totals: IdleTotals {
            all,
            fees_yuan,
            by_status,
            by_park,
            by_zone,
        },
        items,
    }
}

/// The five kinds of under-used land (五未土地) on a day, each with its reason, with totals.
#[utoipa::path(
    tag = "idle-land",
    operation_id = "list_underused_land",
    params(
        ("as_of" = Option<String>, Query, description = "The day, YYYY-MM-DD (default today)"),
        ("park_id" = Option<i64>, Query, description = "Only this park"),
        ("zone_id" = Option<i64>, Query, description = "Only this zone"),
        ("class" = Option<String>, Query, description = "Comma-separated classes: approved_not_supplied (批而未供), supplied_not_used (供而未用), used_not_finished (用而未尽), built_not_producing (建而未投), producing_below_target (投而未达)"),
    ),
    responses((status = 200, body = UnderusedReport), ReadProblems)
)]
#[get("/api/underused-land")]
pub async fn list_underused_land(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    require_register(&caller)?;
    let q = Query::parse(
        req.query_string(),
        &["as_of", "park_id", "zone_id", "class"],
    )?;
    let (query, as_of) = watch_query(&state, &caller, &q).await?;
    let classes = classes(&q)?;
    let watched = state
        .run(move |c| store::land_watch::watch(c, &query, as_of))
        .await?;
    report_response(&state, move || {
        Ok(underused_report(&watched, classes.as_deref(), as_of))
    })
    .await
}

/// The 五未 report of watched parcels: the items in `classes` (all when `None`), and totals.
pub fn underused_report(
    watched: &[Watched],
    classes: Option<&[UnderusedClass]>,
    as_of: NaiveDate,
) -> UnderusedReport {
    let items = underused_items(watched, classes, as_of);
    let keys: Vec<(&str, &str)> = UnderusedClass::ALL
        .iter()
        .map(|c| (c.as_str(), c.label_zh()))
        .collect();
    let (all, by_class, by_park, by_zone) =
        totals(items.iter().map(|i| (&i.parcel, i.class.as_str())), &keys);
    UnderusedReport {
        as_of,
        totals: UnderusedTotals {
            all,
            by_class,
            by_park,
            by_zone,
        },
        items,
    }
}
