//! Workshop units and their leases as stored: load, insert, and move a lease's last day.
//! Which unit and lease may be made is `domain::workshop`'s; `ops::estate` checks it under the
//! park's write lock, so of two concurrent leases of the same unit exactly one wins.

use super::schema::{unit_leases, workshop_units};
use super::{AnyConnection, StoreError, StoreResult};
use crate::domain::register::Stamp;
use crate::domain::workshop::{Lease, Unit};
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

/// Insert a unit of a workshop.
pub fn insert_unit(
    conn: &mut AnyConnection,
    workshop_id: i64,
    floor: i32,
    section: String,
    area_m2: f64,
    stamp: &Stamp,
) -> StoreResult<Unit> {
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
    Ok(Unit {
        id,
        workshop_id,
        floor,
        section,
        area_m2,
        created: stamp.clone(),
    })
}

/// A lease as the audit log records it.
pub fn snapshot(l: &Lease) -> serde_json::Value {
    serde_json::json!({
        "unit_id": l.unit_id, "enterprise_id": l.enterprise_id, "start": l.start, "end": l.end,
        "rent_fen_per_m2_month": l.rent_fen_per_m2_month,
    })
}

/// Insert a lease of a unit of a workshop in `park_id` (id 0 in `lease` is replaced).
pub fn insert_lease(
    conn: &mut AnyConnection,
    park_id: i64,
    workshop_id: i64,
    lease: Lease,
) -> StoreResult<Lease> {
    let id: i64 = diesel::insert_into(unit_leases::table)
        .values((
            unit_leases::unit_id.eq(lease.unit_id),
            unit_leases::workshop_id.eq(workshop_id),
            unit_leases::park_id.eq(park_id),
            unit_leases::enterprise_id.eq(lease.enterprise_id),
            unit_leases::start_date.eq(lease.start),
            unit_leases::end_date.eq(lease.end),
            unit_leases::rent_fen_per_m2_month.eq(lease.rent_fen_per_m2_month),
            unit_leases::created_at.eq(lease.created.at),
            unit_leases::created_by.eq(&lease.created.by),
        ))
        .returning(unit_leases::id)
        .get_result(conn)?;
    Ok(Lease { id, ..lease })
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

/// The park a lease is in.
pub fn park_of_lease(conn: &mut AnyConnection, id: i64) -> StoreResult<i64> {
    unit_leases::table
        .find(id)
        .select(unit_leases::park_id)
        .first(conn)
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("lease {id}")))
}

/// Move a lease's last day.
pub fn save_lease_end(conn: &mut AnyConnection, id: i64, last_day: NaiveDate) -> StoreResult<()> {
    diesel::update(unit_leases::table.find(id))
        .set(unit_leases::end_date.eq(last_day))
        .execute(conn)?;
    Ok(())
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
    let park_id = park_of_lease(conn, id)?;
    super::parks::scope(conn, park_id)
}
