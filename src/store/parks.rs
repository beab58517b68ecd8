//! Parks: create, read, list, update. A park's boundary may only change in ways that keep
//! its zones and active parcels inside it.

use super::audit::{self, Entry};
use super::rows::{ParkRow, ParkValues};
use super::schema::{parcels, parks, zones};
use super::{AnyConnection, StoreError, StoreResult, lock_park, zones::zones_of};
use crate::domain::FieldError;
use crate::domain::access::ParkScope;
use crate::domain::register::{Park, ParkChanges, ParkDraft, Stamp};
use crate::domain::settings::Settings;
use crate::spatial::measure;
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

fn code_taken(conn: &mut AnyConnection, code: &str, except: Option<i64>) -> StoreResult<bool> {
    let mut q = parks::table
        .filter(parks::code.eq(code))
        .select(parks::id)
        .into_boxed();
    if let Some(id) = except {
        q = q.filter(parks::id.ne(id));
    }
    Ok(q.first::<i64>(conn).optional()?.is_some())
}

pub fn create(conn: &mut AnyConnection, draft: ParkDraft, stamp: &Stamp) -> StoreResult<Park> {
    super::write_tx(conn, |conn| {
        if code_taken(conn, draft.code.as_str(), None)? {
            return Err(StoreError::Conflict(format!(
                "a park with code {} already exists",
                draft.code
            )));
        }
        let park = Park {
            id: 0,
            code: draft.code.into_string(),
            name: draft.name,
            admin_code: draft.admin_code.map(|c| c.as_str().to_owned()),
            description: draft.description,
            industries: draft
                .industries
                .iter()
                .map(|c| c.as_str().to_owned())
                .collect(),
            settings: draft.settings,
            area_m2: draft.boundary.area_m2(),
            boundary: draft.boundary.into_geometry(),
            version: 1,
            created: stamp.clone(),
            updated: stamp.clone(),
        };
        let id: i64 = diesel::insert_into(parks::table)
            .values(ParkValues::of(&park))
            .returning(parks::id)
            .get_result(conn)?;
        let park = Park { id, ..park };
        audit::record(
            conn,
            stamp,
            Entry::new("create", "park", id)
                .park(id)
                .after(snapshot(&park)),
        )?;
        Ok(park)
    })
}

pub fn update(
    conn: &mut AnyConnection,
    id: i64,
    expected_version: Option<i64>,
    changes: ParkChanges,
    stamp: &Stamp,
) -> StoreResult<Park> {
    super::write_tx(conn, |conn| {
        lock_park(conn, id)?;
        let mut park = get(conn, id)?;
        let before = snapshot(&park);
        if expected_version.is_some_and(|v| v != park.version) {
            return Err(StoreError::VersionMismatch {
                current: park.version,
            });
        }
        if let Some(code) = changes.code {
            if code_taken(conn, code.as_str(), Some(id))? {
                return Err(StoreError::Conflict(format!(
                    "a park with code {code} already exists"
                )));
            }
            park.code = code.into_string();
        }
        if let Some(v) = changes.name {
            park.name = v;
        }
        if let Some(v) = changes.admin_code {
            park.admin_code = v.map(|c| c.as_str().to_owned());
        }
        if let Some(v) = changes.description {
            park.description = v;
        }
        if let Some(v) = changes.industries {
            park.industries = v.iter().map(|c| c.as_str().to_owned()).collect();
        }
        if let Some(v) = changes.settings {
            park.settings = v;
        }
        if let Some(boundary) = changes.boundary {
            let tolerance = Settings::resolve([&park.settings]).geometry_tolerance_m2;
            check_still_contains(conn, id, boundary.geometry(), tolerance)?;
            park.area_m2 = boundary.area_m2();
            park.boundary = boundary.into_geometry();
        }
        park.version += 1;
        park.updated = stamp.clone();
        diesel::update(parks::table.find(id))
            .set(ParkValues::of(&park))
            .execute(conn)?;
        let entry = Entry::new("update", "park", id).park(id).before(before);
        audit::record(conn, stamp, entry.after(snapshot(&park)))?;
        Ok(park)
    })
}

/// The attributes an audit record keeps of a park (its boundary is summarised by its area).
pub fn snapshot(p: &Park) -> serde_json::Value {
    serde_json::json!({
        "code": p.code, "name": p.name, "admin_code": p.admin_code, "description": p.description,
        "industries": p.industries, "settings": p.settings, "area_m2": p.area_m2, "version": p.version,
    })
}

/// A new boundary must still hold every zone and active parcel of the park.
fn check_still_contains(
    conn: &mut AnyConnection,
    park_id: i64,
    boundary: &geo::MultiPolygon<f64>,
    tolerance_m2: f64,
) -> StoreResult<()> {
    let mut errors = Vec::new();
    for zone in zones_of(conn, park_id)? {
        let outside = measure::outside_m2(&zone.boundary, boundary);
        if outside > tolerance_m2 {
            errors.push(FieldError::new(
                "geometry",
                format!(
                    "zone {} would extend {outside:.2} m² outside the new boundary",
                    zone.code
                ),
            ));
        }
    }
    let rows: Vec<(String, Vec<u8>)> = parcels::table
        .filter(parcels::park_id.eq(park_id))
        .filter(parcels::status.ne("retired"))
        .select((parcels::code, parcels::geom))
        .load(conn)?;
    for (code, geom) in rows {
        let geometry = super::rows::decode_geometry(&geom)?;
        let outside = measure::outside_m2(&geometry, boundary);
        if outside > tolerance_m2 {
            errors.push(FieldError::new(
                "geometry",
                format!("parcel {code} would extend {outside:.2} m² outside the new boundary"),
            ));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(StoreError::Invalid(errors))
    }
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
