//! The park's workshop estate in one load: every workshop of the parks asked for with its
//! place, owner, settings, progress reports, units and their leases — for the deadline list,
//! occupancy, idle units and the map layers, which the API computes from it with the pure rules
//! of `domain::workshop`.

use super::{AnyConnection, StoreResult};
use crate::domain::register::{Park, Zone};
use crate::domain::settings::Settings;
use crate::domain::workshop::{Lease, Owner, ProgressReport, Unit, Workshop};
use std::collections::HashMap;

/// One workshop with everything its views need.
#[derive(Debug, Clone)]
pub struct Building {
    pub workshop: Workshop,
    pub park_name: String,
    pub zone_name: Option<String>,
    pub owner_name: String,
    pub settings: Settings,
    pub progress: Vec<ProgressReport>,
    /// Each unit with its leases (by start).
    pub units: Vec<(Unit, Vec<Lease>)>,
}

/// Which workshops to load.
#[derive(Debug, Clone, Default)]
pub struct EstateQuery {
    /// Only these parks (what the caller may read); `None`: every park.
    pub visible_parks: Option<Vec<i64>>,
    pub park_id: Option<i64>,
    pub zone_id: Option<i64>,
    pub workshop_id: Option<i64>,
}

pub fn load(
    conn: &mut AnyConnection,
    q: &EstateQuery,
) -> StoreResult<(Vec<Building>, HashMap<i64, String>)> {
    let mut workshops = super::workshops::list(conn, q.visible_parks.as_deref(), q.park_id)?;
    workshops.retain(|w| {
        q.zone_id.is_none_or(|z| w.zone_id == Some(z)) && q.workshop_id.is_none_or(|id| w.id == id)
    });
    let ids: Vec<i64> = workshops.iter().map(|w| w.id).collect();
    let mut progress: HashMap<i64, Vec<ProgressReport>> = HashMap::new();
    for p in super::workshops::progress(conn, &ids)? {
        progress.entry(p.workshop_id).or_default().push(p);
    }
    let units = super::leases::units_of(conn, &ids)?;
    let unit_ids: Vec<i64> = units.iter().map(|u| u.id).collect();
    let mut leases: HashMap<i64, Vec<Lease>> = HashMap::new();
    for l in super::leases::leases_of(conn, &unit_ids)? {
        leases.entry(l.unit_id).or_default().push(l);
    }
    let mut by_workshop: HashMap<i64, Vec<(Unit, Vec<Lease>)>> = HashMap::new();
    for u in units {
        let l = leases.remove(&u.id).unwrap_or_default();
        by_workshop.entry(u.workshop_id).or_default().push((u, l));
    }
    let mut people: Vec<i64> = workshops
        .iter()
        .filter_map(|w| match w.owner {
            Owner::Enterprise(id) => Some(id),
            Owner::Platform(_) => None,
        })
        .collect();
    people.extend(
        by_workshop
            .values()
            .flatten()
            .flat_map(|(_, ls)| ls.iter().map(|l| l.enterprise_id)),
    );
    let names = super::enterprises::names(conn, &people)?;
    let parks: HashMap<i64, Park> = super::parks::list(conn)?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let mut zones: HashMap<i64, Vec<Zone>> = HashMap::new();
    for z in super::zones::list(conn)? {
        zones.entry(z.park_id).or_default().push(z);
    }
    let mut out = Vec::with_capacity(workshops.len());
    for w in workshops {
        let Some(park) = parks.get(&w.park_id) else {
            continue;
        };
        let park_zones = zones.get(&w.park_id).map_or(&[][..], Vec::as_slice);
        let zone_name = w
            .zone_id
            .and_then(|id| park_zones.iter().find(|z| z.id == id))
            .map(|z| z.name.clone());
        let owner_name = match &w.owner {
            Owner::Platform(name) => name.clone(),
            Owner::Enterprise(id) => names.get(id).cloned().unwrap_or_default(),
        };
        out.push(Building {
            settings: park.settings_in(park_zones, w.zone_id),
            park_name: park.name.clone(),
            zone_name,
            owner_name,
            progress: progress.remove(&w.id).unwrap_or_default(),
            units: by_workshop.remove(&w.id).unwrap_or_default(),
            workshop: w,
        });
    }
    Ok((out, names))
}
