//! Zones (片区) of a park: loaded and saved. That a zone lies inside its park, clear of the
//! others, is `domain::register`'s rule; `ops::places` applies it.

use super::rows::{ZoneRow, ZoneValues};
use super::schema::zones;
use super::{AnyConnection, StoreError, StoreResult, parks};
use crate::domain::register::{Park, Zone};
use diesel::prelude::*;

pub fn get(conn: &mut AnyConnection, id: i64) -> StoreResult<Zone> {
    zones::table
        .find(id)
        .select(ZoneRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("zone {id}")))?
        .into_zone()
}

/// The zones of one park, by id.
pub fn zones_of(conn: &mut AnyConnection, park_id: i64) -> StoreResult<Vec<Zone>> {
    zones::table
        .filter(zones::park_id.eq(park_id))
        .order(zones::id)
        .select(ZoneRow::as_select())
        .load(conn)?
        .into_iter()
        .map(ZoneRow::into_zone)
        .collect()
}

/// Every zone of every park, by id.
pub fn list(conn: &mut AnyConnection) -> StoreResult<Vec<Zone>> {
    zones::table
        .order(zones::id)
        .select(ZoneRow::as_select())
        .load(conn)?
        .into_iter()
        .map(ZoneRow::into_zone)
        .collect()
}

/// The attributes an audit record keeps of a zone.
pub fn snapshot(z: &Zone) -> serde_json::Value {
    serde_json::json!({
        "park_id": z.park_id, "code": z.code, "name": z.name, "description": z.description,
        "industries": z.industries, "settings": z.settings, "area_m2": z.area_m2, "version": z.version,
    })
}

/// Whether another zone of the park than `except` has this code.
pub fn code_taken(
    conn: &mut AnyConnection,
    park_id: i64,
    code: &str,
    except: Option<i64>,
) -> StoreResult<bool> {
    let mut q = zones::table
        .filter(zones::park_id.eq(park_id))
        .filter(zones::code.eq(code))
        .select(zones::id)
        .into_boxed();
    if let Some(id) = except {
        q = q.filter(zones::id.ne(id));
    }
    Ok(q.first::<i64>(conn).optional()?.is_some())
}

/// Save a new zone; its id.
pub fn insert(conn: &mut AnyConnection, zone: &Zone) -> StoreResult<i64> {
    Ok(diesel::insert_into(zones::table)
        .values(ZoneValues::of(zone))
        .returning(zones::id)
        .get_result(conn)?)
}

/// Save a changed zone.
pub fn save(conn: &mut AnyConnection, zone: &Zone) -> StoreResult<()> {
    diesel::update(zones::table.find(zone.id))
        .set(ZoneValues::of(zone))
        .execute(conn)?;
    Ok(())
}

/// A zone with its park (views show settings in force, which need both).
pub fn get_with_park(
    conn: &mut AnyConnection,
    id: i64,
) -> StoreResult<(Zone, crate::domain::register::Park)> {
    let zone = get(conn, id)?;
    let park = parks::get(conn, zone.park_id)?;
    Ok((zone, park))
}

/// A park with its zones.
pub fn park_with_zones(
    conn: &mut AnyConnection,
    park_id: i64,
) -> StoreResult<(crate::domain::register::Park, Vec<Zone>)> {
    let park = parks::get(conn, park_id)?;
    let zones = zones_of(conn, park_id)?;
    Ok((park, zones))
}

/// The park a zone belongs to, for the access policy.
pub fn scope(
    conn: &mut AnyConnection,
    zone_id: i64,
) -> StoreResult<crate::domain::access::ParkScope> {
    let park_id: i64 = zones::table
        .find(zone_id)
        .select(zones::park_id)
        .first(conn)
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("zone {zone_id}")))?;
    parks::scope(conn, park_id)
}

/// The park and its zones, loaded once per write.
pub fn park_context(conn: &mut AnyConnection, park_id: i64) -> StoreResult<(Park, Vec<Zone>)> {
    let park = parks::get(conn, park_id)?;
    let zones = zones_of(conn, park_id)?;
    Ok((park, zones))
}
