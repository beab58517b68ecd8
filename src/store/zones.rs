//! Zones (片区) of a park: inside the park's boundary, not overlapping each other.

use super::audit::{self, Entry};
use super::rows::{ZoneRow, ZoneValues};
use super::schema::zones;
use super::{AnyConnection, StoreError, StoreResult, parks, write_in_park};
use crate::domain::FieldError;
use crate::domain::register::{Stamp, Zone, ZoneChanges, ZoneDraft};
use crate::domain::settings::Settings;
use crate::spatial::{Footprint, measure};
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

/// The boundary rules: inside the park and clear of the park's other zones.
fn check_boundary(
    conn: &mut AnyConnection,
    park_id: i64,
    except_zone: Option<i64>,
    boundary: &Footprint,
) -> StoreResult<()> {
    let park = parks::get(conn, park_id)?;
    let tolerance = Settings::resolve([&park.settings]).geometry_tolerance_m2;
    let mut errors = Vec::new();
    let outside = measure::outside_m2(boundary.geometry(), &park.boundary);
    if outside > tolerance {
        errors.push(FieldError::new(
            "geometry",
            format!(
                "the zone extends {outside:.2} m² outside the boundary of park {}",
                park.code
            ),
        ));
    }
    for other in zones_of(conn, park_id)? {
        if Some(other.id) == except_zone {
            continue;
        }
        let overlap = measure::overlap_m2(boundary.geometry(), &other.boundary);
        if overlap > tolerance {
            errors.push(FieldError::new(
                "geometry",
                format!(
                    "the zone overlaps zone {} (id {}) by {overlap:.2} m²",
                    other.code, other.id
                ),
            ));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(StoreError::Invalid(errors))
    }
}

fn code_taken(
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

pub fn create(
    conn: &mut AnyConnection,
    park_id: i64,
    draft: ZoneDraft,
    stamp: &Stamp,
) -> StoreResult<Zone> {
    write_in_park(conn, park_id, |conn| {
        if code_taken(conn, park_id, draft.code.as_str(), None)? {
            return Err(StoreError::Conflict(format!(
                "park {park_id} already has a zone with code {}",
                draft.code
            )));
        }
        check_boundary(conn, park_id, None, &draft.boundary)?;
        let zone = Zone {
            id: 0,
            park_id,
            code: draft.code.into_string(),
            name: draft.name,
            description: draft.description,
            industries: draft
                .industries
                .map(|l| l.iter().map(|c| c.as_str().to_owned()).collect()),
            settings: draft.settings,
            area_m2: draft.boundary.area_m2(),
            boundary: draft.boundary.into_geometry(),
            version: 1,
            created: stamp.clone(),
            updated: stamp.clone(),
        };
        let id: i64 = diesel::insert_into(zones::table)
            .values(ZoneValues::of(&zone))
            .returning(zones::id)
            .get_result(conn)?;
        let zone = Zone { id, ..zone };
        let entry = Entry::new("create", "zone", id).park(park_id);
        audit::record(conn, stamp, entry.after(snapshot(&zone)))?;
        Ok(zone)
    })
}

pub fn update(
    conn: &mut AnyConnection,
    id: i64,
    expected_version: Option<i64>,
    changes: ZoneChanges,
    stamp: &Stamp,
) -> StoreResult<Zone> {
    let park_id = get(conn, id)?.park_id;
    write_in_park(conn, park_id, |conn| {
        let mut zone = get(conn, id)?;
        let before = snapshot(&zone);
        if expected_version.is_some_and(|v| v != zone.version) {
            return Err(StoreError::VersionMismatch {
                current: zone.version,
            });
        }
        if let Some(code) = changes.code {
            if code_taken(conn, park_id, code.as_str(), Some(id))? {
                return Err(StoreError::Conflict(format!(
                    "park {park_id} already has a zone with code {code}"
                )));
            }
            zone.code = code.into_string();
        }
        if let Some(v) = changes.name {
            zone.name = v;
        }
        if let Some(v) = changes.description {
            zone.description = v;
        }
        if let Some(v) = changes.industries {
            zone.industries = v.map(|l| l.iter().map(|c| c.as_str().to_owned()).collect());
        }
        if let Some(v) = changes.settings {
            zone.settings = v;
        }
        if let Some(boundary) = changes.boundary {
            check_boundary(conn, park_id, Some(id), &boundary)?;
            zone.area_m2 = boundary.area_m2();
            zone.boundary = boundary.into_geometry();
        }
        zone.version += 1;
        zone.updated = stamp.clone();
        diesel::update(zones::table.find(id))
            .set(ZoneValues::of(&zone))
            .execute(conn)?;
        let entry = Entry::new("update", "zone", id)
            .park(park_id)
            .before(before);
        audit::record(conn, stamp, entry.after(snapshot(&zone)))?;
        Ok(zone)
    })
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
