//! Standard workshops as stored: load, list, insert and save a building with its construction
//! plan (one row per milestone), and its dated progress reports. The rules are
//! `domain::workshop`'s; `ops::estate` runs them under the park's write lock.

use super::rows::{decode_geometry, extent, join_list};
use super::schema::{workshop_milestones, workshop_progress, workshops};
use super::{AnyConnection, StoreError, StoreResult};
use crate::domain::register::Stamp;
use crate::domain::workshop::{
    Milestone, MilestoneDates, Owner, Plan, ProgressReport, Structure, Workshop,
};
use crate::spatial::wkb;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use std::collections::HashMap;

#[derive(Queryable, Selectable)]
#[diesel(table_name = workshops)]
struct WorkshopRow {
    id: i64,
    park_id: i64,
    parcel_id: i64,
    zone_id: Option<i64>,
    name: String,
    footprint: Vec<u8>,
    footprint_area_m2: f64,
    storeys: i32,
    storey_heights_m: String,
    floor_area_m2: f64,
    floor_load_kn_m2: f64,
    structure: String,
    owner_name: Option<String>,
    owner_enterprise_id: Option<i64>,
    responsible_unit: String,
    responsible_person: String,
    deadline: NaiveDate,
    deadline_milestone: String,
    version: i64,
    created_at: NaiveDateTime,
    created_by: String,
    updated_at: NaiveDateTime,
    updated_by: String,
}

impl WorkshopRow {
    fn into_workshop(self, plan: Plan) -> StoreResult<Workshop> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("workshop {} has {what}", self.id));
        let heights = self
            .storey_heights_m
            .split(',')
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.parse::<f64>()
                    .map_err(|_| corrupt("unreadable storey heights"))
            })
            .collect::<StoreResult<Vec<_>>>()?;
        let owner = match (self.owner_name.clone(), self.owner_enterprise_id) {
            (_, Some(id)) => Owner::Enterprise(id),
            (Some(name), None) => Owner::Platform(name),
            (None, None) => return Err(corrupt("no owner")),
        };
        Ok(Workshop {
            id: self.id,
            park_id: self.park_id,
            parcel_id: self.parcel_id,
            zone_id: self.zone_id,
            name: self.name.clone(),
            footprint: decode_geometry(&self.footprint)?,
            footprint_area_m2: self.footprint_area_m2,
            storeys: self.storeys,
            storey_heights_m: heights,
            floor_area_m2: self.floor_area_m2,
            floor_load_kn_m2: self.floor_load_kn_m2,
            structure: Structure::parse(&self.structure)
                .ok_or_else(|| corrupt("an unknown structure"))?,
            owner,
            responsible_unit: self.responsible_unit.clone(),
            responsible_person: self.responsible_person.clone(),
            deadline: self.deadline,
            deadline_milestone: Milestone::parse(&self.deadline_milestone)
                .ok_or_else(|| corrupt("an unknown deadline milestone"))?,
            plan,
            version: self.version,
            created: Stamp::stored(self.created_by, self.created_at),
            updated: Stamp::stored(self.updated_by, self.updated_at),
        })
    }
}

/// The columns a workshop write sets.
#[derive(Insertable, AsChangeset)]
#[diesel(table_name = workshops, treat_none_as_null = true)]
struct WorkshopValues {
    park_id: i64,
    parcel_id: i64,
    zone_id: Option<i64>,
    name: String,
    footprint: Vec<u8>,
    footprint_area_m2: f64,
    min_x: f64,
    min_y: f64,
    max_x: f64,
    max_y: f64,
    storeys: i32,
    storey_heights_m: String,
    floor_area_m2: f64,
    floor_load_kn_m2: f64,
    structure: String,
    owner_name: Option<String>,
    owner_enterprise_id: Option<i64>,
    responsible_unit: String,
    responsible_person: String,
    deadline: NaiveDate,
    deadline_milestone: String,
    version: i64,
    created_at: NaiveDateTime,
    created_by: String,
    updated_at: NaiveDateTime,
    updated_by: String,
}

impl WorkshopValues {
    fn of(w: &Workshop) -> Self {
        let b = extent(&w.footprint);
        let (owner_name, owner_enterprise_id) = match &w.owner {
            Owner::Platform(name) => (Some(name.clone()), None),
            Owner::Enterprise(id) => (None, Some(*id)),
        };
        let heights: Vec<String> = w.storey_heights_m.iter().map(|h| h.to_string()).collect();
        Self {
            park_id: w.park_id,
            parcel_id: w.parcel_id,
            zone_id: w.zone_id,
            name: w.name.clone(),
            footprint: wkb::encode(&w.footprint),
            footprint_area_m2: w.footprint_area_m2,
            min_x: b.min_x,
            min_y: b.min_y,
            max_x: b.max_x,
            max_y: b.max_y,
            storeys: w.storeys,
            storey_heights_m: join_list(&heights),
            floor_area_m2: w.floor_area_m2,
            floor_load_kn_m2: w.floor_load_kn_m2,
            structure: w.structure.as_str().to_owned(),
            owner_name,
            owner_enterprise_id,
            responsible_unit: w.responsible_unit.clone(),
            responsible_person: w.responsible_person.clone(),
            deadline: w.deadline,
            deadline_milestone: w.deadline_milestone.as_str().to_owned(),
            version: w.version,
            created_at: w.created.at,
            created_by: w.created.by.clone(),
            updated_at: w.updated.at,
            updated_by: w.updated.by.clone(),
        }
    }
}

/// The plans of these workshops, by workshop id.
fn plans(conn: &mut AnyConnection, ids: &[i64]) -> StoreResult<HashMap<i64, Plan>> {
    let rows: Vec<(i64, String, Option<NaiveDate>, Option<NaiveDate>)> = workshop_milestones::table
        .filter(workshop_milestones::workshop_id.eq_any(ids))
        .select((
            workshop_milestones::workshop_id,
            workshop_milestones::milestone,
            workshop_milestones::planned,
            workshop_milestones::actual,
        ))
        .load(conn)?;
    let mut out: HashMap<i64, Plan> = HashMap::new();
    for (id, milestone, planned, actual) in rows {
        let m = Milestone::parse(&milestone).ok_or_else(|| {
            StoreError::Corrupt(format!(
                "workshop {id} has an unknown milestone {milestone}"
            ))
        })?;
        out.entry(id).or_default()[m.index()] = MilestoneDates { planned, actual };
    }
    Ok(out)
}

/// Write a workshop's plan: one row per milestone.
fn save_plan(conn: &mut AnyConnection, id: i64, plan: &Plan) -> StoreResult<()> {
    diesel::delete(workshop_milestones::table.filter(workshop_milestones::workshop_id.eq(id)))
        .execute(conn)?;
    for m in Milestone::ALL {
        let d = plan[m.index()];
        diesel::insert_into(workshop_milestones::table)
            .values((
                workshop_milestones::workshop_id.eq(id),
                workshop_milestones::milestone.eq(m.as_str()),
                workshop_milestones::planned.eq(d.planned),
                workshop_milestones::actual.eq(d.actual),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub fn get(conn: &mut AnyConnection, id: i64) -> StoreResult<Workshop> {
    let row = workshops::table
        .find(id)
        .select(WorkshopRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("workshop {id}")))?;
    let plan = plans(conn, &[id])?.remove(&id).unwrap_or_default();
    row.into_workshop(plan)
}

/// Workshops of these parks (all when `None`), optionally of one park, by id.
pub fn list(
    conn: &mut AnyConnection,
    parks: Option<&[i64]>,
    park_id: Option<i64>,
) -> StoreResult<Vec<Workshop>> {
    let mut q = workshops::table.into_boxed();
    if let Some(ids) = parks {
        q = q.filter(workshops::park_id.eq_any(ids.to_vec()));
    }
    if let Some(id) = park_id {
        q = q.filter(workshops::park_id.eq(id));
    }
    let rows: Vec<WorkshopRow> = q
        .order(workshops::id)
        .select(WorkshopRow::as_select())
        .load(conn)?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut plans = plans(conn, &ids)?;
    rows.into_iter()
        .map(|r| {
            let plan = plans.remove(&r.id).unwrap_or_default();
            r.into_workshop(plan)
        })
        .collect()
}

pub fn snapshot(w: &Workshop) -> serde_json::Value {
    let owner = match &w.owner {
        Owner::Platform(name) => serde_json::json!({"platform": name}),
        Owner::Enterprise(id) => serde_json::json!({"enterprise_id": id}),
    };
    let plan: serde_json::Map<String, serde_json::Value> = Milestone::ALL
        .iter()
        .map(|m| (m.as_str().to_owned(), serde_json::json!(w.plan[m.index()])))
        .collect();
    serde_json::json!({
        "parcel_id": w.parcel_id, "name": w.name, "footprint_area_m2": w.footprint_area_m2,
        "storeys": w.storeys, "storey_heights_m": w.storey_heights_m, "floor_area_m2": w.floor_area_m2,
        "floor_load_kn_m2": w.floor_load_kn_m2, "structure": w.structure.as_str(), "owner": owner,
        "responsible_unit": w.responsible_unit, "responsible_person": w.responsible_person,
        "deadline": w.deadline, "deadline_milestone": w.deadline_milestone.as_str(), "milestones": plan,
        "version": w.version,
    })
}

/// Insert a new workshop and its plan; returns its id.
pub fn insert(conn: &mut AnyConnection, w: &Workshop) -> StoreResult<i64> {
    let id: i64 = diesel::insert_into(workshops::table)
        .values(WorkshopValues::of(w))
        .returning(workshops::id)
        .get_result(conn)?;
    save_plan(conn, id, &w.plan)?;
    Ok(id)
}

/// Write an edited workshop over `before` (its plan only when the plan changed).
pub fn save(conn: &mut AnyConnection, before: &Workshop, w: &Workshop) -> StoreResult<()> {
    diesel::update(workshops::table.find(w.id))
        .set(WorkshopValues::of(w))
        .execute(conn)?;
    if w.plan != before.plan {
        save_plan(conn, w.id, &w.plan)?;
    }
    Ok(())
}

type ProgressRow = (i64, i64, NaiveDate, f64, String, NaiveDateTime, String);

fn progress_of(r: ProgressRow) -> ProgressReport {
    ProgressReport {
        id: r.0,
        workshop_id: r.1,
        date: r.2,
        percent: r.3,
        note: r.4,
        recorded: Stamp::stored(r.6, r.5),
    }
}

const PROGRESS_COLUMNS: (
    workshop_progress::id,
    workshop_progress::workshop_id,
    workshop_progress::report_date,
    workshop_progress::percent,
    workshop_progress::note,
    workshop_progress::recorded_at,
    workshop_progress::recorded_by,
) = (
    workshop_progress::id,
    workshop_progress::workshop_id,
    workshop_progress::report_date,
    workshop_progress::percent,
    workshop_progress::note,
    workshop_progress::recorded_at,
    workshop_progress::recorded_by,
);

/// Progress reports of these workshops, oldest first.
pub fn progress(
    conn: &mut AnyConnection,
    workshop_ids: &[i64],
) -> StoreResult<Vec<ProgressReport>> {
    Ok(workshop_progress::table
        .filter(workshop_progress::workshop_id.eq_any(workshop_ids))
        .order((workshop_progress::report_date, workshop_progress::id))
        .select(PROGRESS_COLUMNS)
        .load::<ProgressRow>(conn)?
        .into_iter()
        .map(progress_of)
        .collect())
}

/// Insert a progress report.
pub fn insert_progress(
    conn: &mut AnyConnection,
    workshop_id: i64,
    date: NaiveDate,
    percent: f64,
    note: String,
    stamp: &Stamp,
) -> StoreResult<ProgressReport> {
    let id: i64 = diesel::insert_into(workshop_progress::table)
        .values((
            workshop_progress::workshop_id.eq(workshop_id),
            workshop_progress::report_date.eq(date),
            workshop_progress::percent.eq(percent),
            workshop_progress::note.eq(&note),
            workshop_progress::recorded_at.eq(stamp.at),
            workshop_progress::recorded_by.eq(&stamp.by),
        ))
        .returning(workshop_progress::id)
        .get_result(conn)?;
    Ok(ProgressReport {
        id,
        workshop_id,
        date,
        percent,
        note,
        recorded: stamp.clone(),
    })
}

/// The park of a workshop, for the access policy.
pub fn scope(conn: &mut AnyConnection, id: i64) -> StoreResult<crate::domain::access::ParkScope> {
    let park_id: i64 = workshops::table
        .find(id)
        .select(workshops::park_id)
        .first(conn)
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("workshop {id}")))?;
    super::parks::scope(conn, park_id)
}
