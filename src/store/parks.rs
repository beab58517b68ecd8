//! Parks: loaded and saved. What a park's boundary must hold is `domain::register`'s rule;
//! `ops::places` applies it.

use super::rows::{ParkRow, ParkValues};
use super::schema::{parcels, parks, zones};
use super::{AnyConnection, StoreError, StoreResult};
use crate::domain::access::ParkScope;
use crate::domain::register::Park;
use diesel::prelude::*;

pub fn get(conn: &mut AnyConnection, id: i64) -> StoreResult<Park> {
    parks::table
        .find(id)
        .select(ParkRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("park {id}")))?
        .into_park()
}

/// All parks, by id.
pub fn list(conn: &mut AnyConnection) -> StoreResult<Vec<Park>> {
    parks::table
        .order(parks::id)
        .select(ParkRow::as_select())
        .load(conn)?
        .into_iter()
        .map(ParkRow::into_park)
        .collect()
}

/// Each park's id and bounding box (the collections' extents, see `api::ogc`).
pub fn extents(conn: &mut AnyConnection) -> StoreResult<Vec<(i64, crate::spatial::Bbox)>> {
    Ok(parks::table
        .order(parks::id)
        .select((
            parks::id,
            parks::min_x,
            parks::min_y,
            parks::max_x,
            parks::max_y,
        ))
        .load::<(i64, f64, f64, f64, f64)>(conn)?
        .into_iter()
        .map(|(id, min_x, min_y, max_x, max_y)| {
            (
                id,
                crate::spatial::Bbox {
                    min_x,
                    min_y,
                    max_x,
                    max_y,
                },
            )
        })
        .collect())
}

/// Whether another park than `except` has this code.
pub fn code_taken(conn: &mut AnyConnection, code: &str, except: Option<i64>) -> StoreResult<bool> {
    let mut q = parks::table
        .filter(parks::code.eq(code))
        .select(parks::id)
        .into_boxed();
    if let Some(id) = except {
        q = q.filter(parks::id.ne(id));
    }
    Ok(q.first::<i64>(conn).optional()?.is_some())
}

/// Save a new park; its id.
pub fn insert(conn: &mut AnyConnection, park: &Park) -> StoreResult<i64> {
    Ok(diesel::insert_into(parks::table)
        .values(ParkValues::of(park))
        .returning(parks::id)
        .get_result(conn)?)
}

/// Save a changed park.
pub fn save(conn: &mut AnyConnection, park: &Park) -> StoreResult<()> {
    diesel::update(parks::table.find(park.id))
        .set(ParkValues::of(park))
        .execute(conn)?;
    Ok(())
}

/// The attributes an audit record keeps of a park (its boundary is summarised by its area).
pub fn snapshot(p: &Park) -> serde_json::Value {
    serde_json::json!({
        "code": p.code, "name": p.name, "admin_code": p.admin_code, "description": p.description,
        "industries": p.industries, "settings": p.settings, "area_m2": p.area_m2, "version": p.version,
    })
}

/// The code and footprint of every active parcel of a park.
pub fn active_parcel_shapes(
    conn: &mut AnyConnection,
    park_id: i64,
) -> StoreResult<Vec<(String, geo::MultiPolygon<f64>)>> {
    let rows: Vec<(String, Vec<u8>)> = parcels::table
        .filter(parcels::park_id.eq(park_id))
        .filter(parcels::status.ne("retired"))
        .select((parcels::code, parcels::geom))
        .load(conn)?;
    rows.into_iter()
        .map(|(code, geom)| Ok((code, super::rows::decode_geometry(&geom)?)))
        .collect()
}

/// Number of zones and active parcels, for the park's summary.
pub fn counts(conn: &mut AnyConnection, park_id: i64) -> StoreResult<(i64, i64)> {
    let z = zones::table
        .filter(zones::park_id.eq(park_id))
        .count()
        .get_result(conn)?;
    let p = parcels::table
        .filter(parcels::park_id.eq(park_id))
        .filter(parcels::status.ne("retired"))
        .count()
        .get_result(conn)?;
    Ok((z, p))
}

/// A park by its code, or by its id when the argument is a number.
pub fn find(conn: &mut AnyConnection, code_or_id: &str) -> StoreResult<Park> {
    let by_code = parks::table
        .filter(parks::code.eq(code_or_id))
        .select(ParkRow::as_select())
        .first(conn)
        .optional()?;
    match (by_code, code_or_id.parse::<i64>()) {
        (Some(row), _) => row.into_park(),
        (None, Ok(id)) => get(conn, id),
        (None, Err(_)) => Err(StoreError::NotFound(format!("park {code_or_id}"))),
    }
}

/// What the access policy needs of a park.
pub fn scope(conn: &mut AnyConnection, id: i64) -> StoreResult<ParkScope> {
    let admin_code: Option<String> = parks::table
        .find(id)
        .select(parks::admin_code)
        .first(conn)
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("park {id}")))?;
    Ok(ParkScope { id, admin_code })
}

/// Every park's id and division code (to work out what a caller may list).
pub fn scopes(conn: &mut AnyConnection) -> StoreResult<Vec<(i64, Option<String>)>> {
    Ok(parks::table
        .order(parks::id)
        .select((parks::id, parks::admin_code))
        .load(conn)?)
}
