//! The workshops as the dispatch meeting reads them: deadlines overdue or due soon, occupancy
//! by building, zone and park, and completed units standing empty — pure builders over the
//! loaded buildings, used by the REST lists, the map layers and the dispatch report alike.

use crate::domain::units::{AreaM2, round_to};
use crate::domain::workshop::{DeadlineStatus, vacancy};
use crate::store::estate::Building;
use crate::views::workshop::WorkshopProperties;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct DeadlineItem {
    pub workshop_id: i64,
    #[serde(flatten)]
    pub workshop: WorkshopProperties,
}

#[derive(Serialize, ToSchema)]
pub struct DeadlineList {
    pub as_of: NaiveDate,
    /// Open deadlines within this many days are listed with the overdue ones.
    pub within_days: i64,
    pub overdue: usize,
    pub due_soon: usize,
    /// Overdue first, most days late first; then due soon, nearest first.
    pub items: Vec<DeadlineItem>,
}

/// The workshops of `buildings` overdue or due within `within` days on `as_of`.
pub fn deadline_list(buildings: &[Building], as_of: NaiveDate, within: i64) -> DeadlineList {
    let mut items: Vec<DeadlineItem> = buildings
        .iter()
        .map(|b| DeadlineItem {
            workshop_id: b.workshop.id,
            workshop: WorkshopProperties::of(b, as_of),
        })
        .filter(|i| {
            let w = &i.workshop;
            w.deadline_status == DeadlineStatus::Overdue || w.days_left.is_some_and(|d| d <= within)
        })
        .collect();
    items.sort_by_key(|i| {
        let w = &i.workshop;
        (
            w.days_late.is_none(),
            -w.days_late.unwrap_or(0),
            w.days_left,
            i.workshop_id,
        )
    });
    let overdue = items
        .iter()
        .filter(|i| i.workshop.deadline_status == DeadlineStatus::Overdue)
        .count();
    DeadlineList {
        as_of,
        within_days: within,
        due_soon: items.len() - overdue,
        overdue,
        items,
    }
}

/// Leased and total unit area, and their ratio.
#[derive(Serialize, ToSchema)]
pub struct Occupancy {
    pub key: String,
    pub name: String,
    pub units: usize,
    pub unit_area_m2: f64,
    pub leased_area_m2: f64,
    /// Leased ÷ unit area, percent (`null` without units).
    pub occupancy_pct: Option<f64>,
}

#[derive(Default)]
struct Acc {
    units: usize,
    total: f64,
    leased: f64,
}

impl Acc {
    fn view(&self, key: String, name: String) -> Occupancy {
        Occupancy {
            key,
            name,
            units: self.units,
            unit_area_m2: round_to(self.total, 2),
            leased_area_m2: round_to(self.leased, 2),
            occupancy_pct: (self.total > 0.0)
                .then(|| round_to(self.leased / self.total * 100.0, 2)),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct OccupancyReport {
    pub as_of: NaiveDate,
    pub all: Occupancy,
    pub by_park: Vec<Occupancy>,
    pub by_zone: Vec<Occupancy>,
    pub by_building: Vec<Occupancy>,
}

/// Occupancy of `buildings` on `as_of`: all, per park, zone and building.
pub fn occupancy_report(buildings: &[Building], as_of: NaiveDate) -> OccupancyReport {
    let mut all = Acc::default();
    let mut parks: BTreeMap<i64, (String, Acc)> = BTreeMap::new();
    let mut zones: BTreeMap<Option<i64>, (String, Acc)> = BTreeMap::new();
    let mut by_building = Vec::new();
    for b in buildings {
        let (leased, total) = crate::domain::workshop::occupancy(&b.units, as_of);
        let mut own = Acc::default();
        for acc in [
            &mut all,
            &mut own,
            &mut parks
                .entry(b.workshop.park_id)
                .or_insert_with(|| (b.park_name.clone(), Acc::default()))
                .1,
            &mut zones
                .entry(b.workshop.zone_id)
                .or_insert_with(|| {
                    (
                        b.zone_name.clone().unwrap_or_else(|| "（片区外）".into()),
                        Acc::default(),
                    )
                })
                .1,
        ] {
            acc.units += b.units.len();
            acc.total += total;
            acc.leased += leased;
        }
        by_building.push(own.view(b.workshop.id.to_string(), b.workshop.name.clone()));
    }
    OccupancyReport {
        as_of,
        all: all.view("all".into(), "全部".into()),
        by_park: parks
            .into_iter()
            .map(|(id, (n, a))| a.view(id.to_string(), n))
            .collect(),
        by_zone: zones
            .into_iter()
            .map(|(id, (n, a))| a.view(id.map_or_else(|| "none".into(), |i| i.to_string()), n))
            .collect(),
        by_building,
    }
}

#[derive(Serialize, ToSchema)]
pub struct IdleUnit {
    pub unit_id: i64,
    pub workshop_id: i64,
    pub workshop_name: String,
    pub park_id: i64,
    pub park_name: String,
    pub zone_id: Option<i64>,
    pub zone_name: Option<String>,
    pub floor: i32,
    pub section: String,
    /// The vacant floor area, m². A unit is floor space, not land: it has no 亩.
    pub area_m2: f64,
    pub vacant_since: NaiveDate,
    pub vacant_days: i64,
}

/// A count of units and their floor area (m² only: floor space is not land).
#[derive(Serialize, ToSchema, Default, Clone)]
pub struct FloorTally {
    pub count: i64,
    pub area_m2: f64,
}

/// A [`FloorTally`] for one park or zone.
#[derive(Serialize, ToSchema)]
pub struct FloorGroupTally {
    /// The park or zone id (`none`: outside any zone).
    pub key: String,
    pub name: String,
    pub count: i64,
    pub area_m2: f64,
}

#[derive(Serialize, ToSchema)]
pub struct IdleUnitReport {
    pub as_of: NaiveDate,
    pub items: Vec<IdleUnit>,
    pub all: FloorTally,
    pub by_park: Vec<FloorGroupTally>,
    pub by_zone: Vec<FloorGroupTally>,
}

/// The completed units of `buildings` empty longer than their park's limit on `as_of`.
pub fn idle_unit_list(buildings: &[Building], as_of: NaiveDate) -> Vec<IdleUnit> {
    let mut items = Vec::new();
    for b in buildings {
        let limit = i64::from(b.settings.idle_unit_days);
        for (u, leases) in &b.units {
            let Some(v) = vacancy(&b.workshop.plan, leases, as_of).filter(|v| v.days > limit)
            else {
                continue;
            };
            let area = AreaM2(u.area_m2);
            items.push(IdleUnit {
                unit_id: u.id,
                workshop_id: b.workshop.id,
                workshop_name: b.workshop.name.clone(),
                park_id: b.workshop.park_id,
                park_name: b.park_name.clone(),
                zone_id: b.workshop.zone_id,
                zone_name: b.zone_name.clone(),
                floor: u.floor,
                section: u.section.clone(),
                area_m2: area.m2_display(),
                vacant_since: v.since,
                vacant_days: v.days,
            });
        }
    }
    items.sort_by_key(|i| (-i.vacant_days, i.unit_id));
    items
}

/// The idle units of `buildings` on `as_of`, with the vacant area totalled.
pub fn idle_unit_report(buildings: &[Building], as_of: NaiveDate) -> IdleUnitReport {
    let items = idle_unit_list(buildings, as_of);
    let sum = |list: &mut dyn Iterator<Item = &IdleUnit>| {
        let (count, m2) = list.fold((0i64, 0.0), |(c, a), i| (c + 1, a + i.area_m2));
        (count, AreaM2(m2).m2_display())
    };
    let (count, area_m2) = sum(&mut items.iter());
    let mut parks: BTreeMap<i64, String> = BTreeMap::new();
    let mut zones: BTreeMap<Option<i64>, String> = BTreeMap::new();
    for i in &items {
        parks.insert(i.park_id, i.park_name.clone());
        zones.insert(
            i.zone_id,
            i.zone_name.clone().unwrap_or_else(|| "（片区外）".into()),
        );
    }
    let group = |key: String, name: String, (count, area_m2): (i64, f64)| FloorGroupTally {
        key,
        name,
        count,
        area_m2,
    };
    let by_park = parks
        .into_iter()
        .map(|(id, n)| {
            group(
                id.to_string(),
                n,
                sum(&mut items.iter().filter(|i| i.park_id == id)),
            )
        })
        .collect();
    let by_zone = zones
        .into_iter()
        .map(|(id, n)| {
            group(
                id.map_or_else(|| "none".into(), |i| i.to_string()),
                n,
                sum(&mut items.iter().filter(|i| i.zone_id == id)),
            )
        })
        .collect();
    IdleUnitReport {
        as_of,
        all: FloorTally { count, area_m2 },
        by_park,
        by_zone,
        items,
    }
}
