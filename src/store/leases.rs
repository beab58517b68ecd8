//! Workshop units and their leases. A unit is leased to one tenant at a time: a lease that
//! shares a day with another of the same unit is refused (409) — the check runs under the
//! park's write lock, so of two concurrent requests for the same unit exactly one wins.

use super::audit::{self, Entry};
use super::schema::{enterprises, unit_leases, workshop_units};
use super::{AnyConnection, StoreError, StoreResult, write_in_park};
use crate::domain::register::Stamp;
use crate::domain::workshop::{Lease, Unit, check_new_lease, check_new_unit};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

type UnitRow = (i64, i64, i32, String, f64, NaiveDateTime, String);

fn unit_of(r: UnitRow) -> Unit {
    Unit {
        id: r.0,
        workshop_id: r.1,
        floor: r.2,
        section: r.3,
        area_m2: r.4,
        created: Stamp::stored(r.6, r.5),
    }
}

const UNIT_COLUMNS: (
    workshop_units::id,
    workshop_units::workshop_id,
    workshop_units::floor,
    workshop_units::section,
    workshop_units::area_m2,
    workshop_units::created_at,
    workshop_units::created_by,
) = (
    workshop_units::id,
    workshop_units::workshop_id,
    workshop_units::floor,
    workshop_units::section,
    workshop_units::area_m2,
    workshop_units::created_at,
    workshop_units::created_by,
);

type LeaseRow = (
    i64,
    i64,
    i64,
    NaiveDate,
    NaiveDate,
    i64,
    NaiveDateTime,
    String,
);

fn lease_of(r: LeaseRow) -> Lease {
    Lease {
        id: r.0,
        unit_id: r.1,
        enterprise_id: r.2,
        start: r.3,
        end: r.4,
        rent_fen_per_m2_month: r.5,
        created: Stamp::stored(r.7, r.6),
    }
}

const LEASE_COLUMNS: (
    unit_leases::id,
    unit_leases::unit_id,
    unit_leases::enterprise_id,
    unit_leases::start_date,
    unit_leases::end_date,
    unit_leases::rent_fen_per_m2_month,
    unit_leases::created_at,
    unit_leases::created_by,
) = (
    unit_leases::id,
    unit_leases::unit_id,
    unit_leases::enterprise_id,
    unit_leases::start_date,
    unit_leases::end_date,
    unit_leases::rent_fen_per_m2_month,
    unit_leases::created_at,
    unit_leases::created_by,
);

pub fn get_unit(conn: &mut AnyConnection, id: i64) -> StoreResult<Unit> {
    workshop_units::table
        .find(id)
        .select(UNIT_COLUMNS)
        .first::<UnitRow>(conn)
        .optional()?
        .map(unit_of)
        .ok_or_else(|| StoreError::NotFound(format!("workshop unit {id}")))
}

/// Units of these workshops, by floor and section.
pub fn units_of(conn: &mut AnyConnection, workshop_ids: &[i64]) -> StoreResult<Vec<Unit>> {
    Ok(workshop_units::table
        .filter(workshop_units::workshop_id.eq_any(workshop_ids))
        .order((
            workshop_units::workshop_id,
            workshop_units::floor,
            workshop_units::section,
            workshop_units::id,
        ))
        .select(UNIT_COLUMNS)
        .load::<UnitRow>(conn)?
        .into_iter()
        .map(unit_of)
        .collect())
}

/// Leases of these units, by start.
pub fn leases_of(conn: &mut AnyConnection, unit_ids: &[i64]) -> StoreResult<Vec<Lease>> {
    Ok(unit_leases::table
        .filter(unit_leases::unit_id.eq_any(unit_ids))
        .order((
            unit_leases::unit_id,
            unit_leases::start_date,
            unit_leases::id,
        ))
        .select(LEASE_COLUMNS)
        .load::<LeaseRow>(conn)?
        .into_iter()
        .map(lease_of)
        .collect())
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
    let park_id = super::workshops::get(conn, workshop_id)?.park_id;
    write_in_park(conn, park_id, |conn| {
        let w = super::workshops::get(conn, workshop_id)?;
        let existing = units_of(conn, &[workshop_id])?;
        check_new_unit(&w, &existing, floor, &section, area_m2)?;
        let id: i64 = diesel::insert_into(workshop_units::table)
            .values((
                workshop_units::workshop_id.eq(workshop_id),
                workshop_units::floor.eq(floor),
                workshop_units::section.eq(&section),
                workshop_units::area_m2.eq(area_m2),
                workshop_units::created_at.eq(stamp.at),
                workshop_units::created_by.eq(&stamp.by),
            ))
            .returning(workshop_units::id)
            .get_result(conn)?;
        let unit = Unit {
            id,
            workshop_id,
            floor,
            section,
            area_m2,
            created: stamp.clone(),
        };
        let entry = Entry::new("create", "workshop_unit", id).park(park_id);
        audit::record(conn, stamp, entry.after(serde_json::json!({"workshop_id": workshop_id, "floor": floor, "section": unit.section, "area_m2": area_m2})))?;
        Ok(unit)
    })
}

fn snapshot(l: &Lease) -> serde_json::Value {
    serde_json::json!({
        "unit_id": l.unit_id, "enterprise_id": l.enterprise_id, "start": l.start, "end": l.end,
        "rent_fen_per_m2_month": l.rent_fen_per_m2_month,
    })
}

/// Lease a unit from `start` to `end` (both included).
pub fn create_lease(
    conn: &mut AnyConnection,
    unit_id: i64,
    enterprise_id: i64,
    start: NaiveDate,
    end: NaiveDate,
    rent_fen_per_m2_month: i64,
    stamp: &Stamp,
) -> StoreResult<Lease> {
    let unit = get_unit(conn, unit_id)?;
    let park_id = super::workshops::get(conn, unit.workshop_id)?.park_id;
    write_in_park(conn, park_id, |conn| {
        let known = enterprises::table
            .find(enterprise_id)
            .select(enterprises::id)
            .first::<i64>(conn)
            .optional()?
            .is_some();
        let leases = leases_of(conn, &[unit_id])?;
        check_new_lease(unit_id, enterprise_id, known, &leases, start, end)?;
        let id: i64 = diesel::insert_into(unit_leases::table)
            .values((
                unit_leases::unit_id.eq(unit_id),
                unit_leases::workshop_id.eq(unit.workshop_id),
                unit_leases::park_id.eq(park_id),
                unit_leases::enterprise_id.eq(enterprise_id),
                unit_leases::start_date.eq(start),
                unit_leases::end_date.eq(end),
                unit_leases::rent_fen_per_m2_month.eq(rent_fen_per_m2_month),
                unit_leases::created_at.eq(stamp.at),
                unit_leases::created_by.eq(&stamp.by),
            ))
            .returning(unit_leases::id)
            .get_result(conn)?;
        let lease = Lease {
            id,
            unit_id,
            enterprise_id,
            start,
            end,
            rent_fen_per_m2_month,
            created: stamp.clone(),
        };
        audit::record(
            conn,
            stamp,
            Entry::new("create", "lease", id)
                .park(park_id)
                .after(snapshot(&lease)),
        )?;
        Ok(lease)
    })
}

pub fn get_lease(conn: &mut AnyConnection, id: i64) -> StoreResult<Lease> {
    unit_leases::table
        .find(id)
        .select(LEASE_COLUMNS)
        .first::<LeaseRow>(conn)
        .optional()?
        .map(lease_of)
        .ok_or_else(|| StoreError::NotFound(format!("lease {id}")))
}

/// End a lease early: its last day becomes `last_day`.
pub fn end_lease(
    conn: &mut AnyConnection,
    id: i64,
    last_day: NaiveDate,
    stamp: &Stamp,
) -> StoreResult<Lease> {
    let park_id: i64 = unit_leases::table
        .find(id)
        .select(unit_leases::park_id)
        .first(conn)
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("lease {id}")))?;
    write_in_park(conn, park_id, |conn| {
        let before = get_lease(conn, id)?;
        before.check_early_end(last_day)?;
        diesel::update(unit_leases::table.find(id))
            .set(unit_leases::end_date.eq(last_day))
            .execute(conn)?;
        let after = Lease {
            end: last_day,
            ..before.clone()
        };
        let entry = Entry::new("end", "lease", id)
            .park(park_id)
            .before(snapshot(&before));
        audit::record(conn, stamp, entry.after(snapshot(&after)))?;
        Ok(after)
    })
}

/// The park of a unit, for the access policy.
pub fn unit_scope(
    conn: &mut AnyConnection,
    id: i64,
) -> StoreResult<crate::domain::access::ParkScope> {
    let workshop_id = get_unit(conn, id)?.workshop_id;
    super::workshops::scope(conn, workshop_id)
}

/// The park of a lease, for the access policy.
pub fn lease_scope(
    conn: &mut AnyConnection,
    id: i64,
) -> StoreResult<crate::domain::access::ParkScope> {
    let park_id: i64 = unit_leases::table
        .find(id)
        .select(unit_leases::park_id)
        .first(conn)
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("lease {id}")))?;
    super::parks::scope(conn, park_id)
}
