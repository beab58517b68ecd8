//! Workshops, their units and leases as use cases: build, change, report progress, divide
//! into units, lease and end a lease. Each runs under the park's write lock: load, let
//! `domain::workshop` decide, save, audit. Also the building as loaded for one request.

use crate::domain::register::Stamp;
use crate::domain::workshop::{
    self, Lease, Milestone, ProgressReport, Unit, Workshop, WorkshopChanges, WorkshopDraft,
};
use crate::store::audit::{self, Entry};
use crate::store::estate::{Building, EstateQuery};
use crate::store::zones::park_context;
use crate::store::{self, AnyConnection, StoreError, StoreResult, write_in_park};
use chrono::NaiveDate;

/// One workshop's building with its units and leases.
pub fn building(conn: &mut AnyConnection, id: i64) -> StoreResult<Building> {
    let query = EstateQuery {
        workshop_id: Some(id),
        ..Default::default()
    };
    let (mut found, _) = store::estate::load(conn, &query)?;
    found
        .pop()
        .ok_or_else(|| StoreError::NotFound(format!("workshop {id}")))
}

/// The footprint of `w` against its parcel and the parcel's other buildings, with the
/// tolerance of the parcel's zone.
fn check_footprint(conn: &mut AnyConnection, w: &Workshop, except: Option<i64>) -> StoreResult<()> {
    let parcel = store::parcels::get(conn, w.parcel_id)?;
    let (park, zones) = park_context(conn, parcel.park_id)?;
    let tolerance = park
        .settings_in(&zones, parcel.zone_id)
        .geometry_tolerance_m2;
    let others = store::workshops::list(conn, None, Some(parcel.park_id))?;
    workshop::check_footprint(&w.footprint, &parcel, &others, tolerance, except)?;
    Ok(())
}

fn check_owner(conn: &mut AnyConnection, owner: &workshop::Owner) -> StoreResult<()> {
    let known = match owner {
        workshop::Owner::Enterprise(id) => store::enterprises::exists(conn, *id)?,
        workshop::Owner::Platform(_) => true,
    };
    workshop::check_owner(owner, known)?;
    Ok(())
}

/// Build a workshop on an active parcel: footprint inside and clear, owner known, figures and
/// figures consistent.
pub fn create(
    conn: &mut AnyConnection,
    parcel_id: i64,
    draft: WorkshopDraft,
    stamp: &Stamp,
) -> StoreResult<Workshop> {
    let park_id = store::parcels::park_of(conn, parcel_id)?;
    write_in_park(conn, park_id, |conn| {
        let parcel = store::parcels::get(conn, parcel_id)?;
        workshop::check_buildable(&parcel)?;
        let w = Workshop::new(draft, &parcel, stamp);
        check_footprint(conn, &w, None)?;
        check_owner(conn, &w.owner)?;
        w.check_figures()?;
        let id = store::workshops::insert(conn, &w)?;
        let w = Workshop { id, ..w };
        let entry = Entry::new("create", "workshop", id).park(park_id);
        audit::record(conn, stamp, entry.after(store::workshops::snapshot(&w)))?;
        Ok(w)
    })
}

/// Change a workshop (If-Match `expected_version`); an edit that changes nothing is no new
/// version.
pub fn update(
    conn: &mut AnyConnection,
    id: i64,
    expected_version: Option<i64>,
    changes: WorkshopChanges,
    today: NaiveDate,
    stamp: &Stamp,
) -> StoreResult<Workshop> {
    let park_id = store::workshops::get(conn, id)?.park_id;
    write_in_park(conn, park_id, |conn| {
        let before = store::workshops::get(conn, id)?;
        store::expect_version(expected_version, before.version)?;
        let footprint_changed = changes.footprint.is_some();
        let owner_changed = changes.owner.is_some();
        let mut w = before.apply(changes);
        if footprint_changed {
            check_footprint(conn, &w, Some(id))?;
        }
        if owner_changed {
            check_owner(conn, &w.owner)?;
        }
        w.check(today)?;
        if w == before {
            return Ok(before);
        }
        w.version += 1;
        w.updated = stamp.clone();
        store::workshops::save(conn, &before, &w)?;
        let entry = Entry::new("update", "workshop", id)
            .park(park_id)
            .before(store::workshops::snapshot(&before));
        audit::record(conn, stamp, entry.after(store::workshops::snapshot(&w)))?;
        Ok(w)
    })
}

/// Record a progress report: in date order, not before the start, percent only growing.
pub fn add_progress(
    conn: &mut AnyConnection,
    workshop_id: i64,
    date: NaiveDate,
    percent: f64,
    note: String,
    stamp: &Stamp,
) -> StoreResult<ProgressReport> {
    let park_id = store::workshops::get(conn, workshop_id)?.park_id;
    write_in_park(conn, park_id, |conn| {
        let w = store::workshops::get(conn, workshop_id)?;
        let last = store::workshops::progress(conn, &[workshop_id])?.pop();
        let started = w.plan[Milestone::Start.index()].actual;
        workshop::check_progress(last.as_ref(), started, date, percent)?;
        let report =
            store::workshops::insert_progress(conn, workshop_id, date, percent, note, stamp)?;
        let entry = Entry::new("add_progress", "workshop", workshop_id).park(park_id);
        let after = serde_json::json!({"date": date, "percent": percent, "note": report.note});
        audit::record(conn, stamp, entry.after(after))?;
        Ok(report)
    })
}

/// Divide a workshop into a unit: on one of its floors, and the units together no larger
/// than the building.
pub fn create_unit(
    conn: &mut AnyConnection,
    workshop_id: i64,
    floor: i32,
    section: String,
    area_m2: f64,
    stamp: &Stamp,
) -> StoreResult<Unit> {
    let park_id = store::workshops::get(conn, workshop_id)?.park_id;
    write_in_park(conn, park_id, |conn| {
        let w = store::workshops::get(conn, workshop_id)?;
        let existing = store::leases::units_of(conn, &[workshop_id])?;
        workshop::check_new_unit(&w, &existing, floor, &section, area_m2)?;
        let unit = store::leases::insert_unit(conn, workshop_id, floor, section, area_m2, stamp)?;
        let entry = Entry::new("create", "workshop_unit", unit.id).park(park_id);
        let after = serde_json::json!({"workshop_id": workshop_id, "floor": floor, "section": unit.section, "area_m2": area_m2});
        audit::record(conn, stamp, entry.after(after))?;
        Ok(unit)
    })
}

/// Lease a unit from `start` to `end` (both included) to an enterprise of the directory.
pub fn create_lease(
    conn: &mut AnyConnection,
    unit_id: i64,
    enterprise_id: i64,
    start: NaiveDate,
    end: NaiveDate,
    rent_fen_per_m2_month: i64,
    stamp: &Stamp,
) -> StoreResult<Lease> {
    let unit = store::leases::get_unit(conn, unit_id)?;
    let park_id = store::workshops::get(conn, unit.workshop_id)?.park_id;
    write_in_park(conn, park_id, |conn| {
        let known = store::enterprises::exists(conn, enterprise_id)?;
        let leases = store::leases::leases_of(conn, &[unit_id])?;
        workshop::check_new_lease(unit_id, enterprise_id, known, &leases, start, end)?;
        let lease = Lease {
            id: 0,
            unit_id,
            enterprise_id,
            start,
            end,
            rent_fen_per_m2_month,
            created: stamp.clone(),
        };
        let lease = store::leases::insert_lease(conn, park_id, unit.workshop_id, lease)?;
        let entry = Entry::new("create", "lease", lease.id).park(park_id);
        audit::record(conn, stamp, entry.after(store::leases::snapshot(&lease)))?;
        Ok(lease)
    })
}

/// End a lease early: its last day becomes `last_day`.
pub fn end_lease(
    conn: &mut AnyConnection,
    id: i64,
    last_day: NaiveDate,
    stamp: &Stamp,
) -> StoreResult<Lease> {
    let park_id = store::leases::park_of_lease(conn, id)?;
    write_in_park(conn, park_id, |conn| {
        let before = store::leases::get_lease(conn, id)?;
        before.check_early_end(last_day)?;
        store::leases::save_lease_end(conn, id, last_day)?;
        let after = Lease {
            end: last_day,
            ..before.clone()
        };
        let entry = Entry::new("end", "lease", id)
            .park(park_id)
            .before(store::leases::snapshot(&before));
        audit::record(conn, stamp, entry.after(store::leases::snapshot(&after)))?;
        Ok(after)
    })
}
