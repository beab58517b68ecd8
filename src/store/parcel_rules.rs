//! The rules a parcel's footprint must meet against the rest of the register: inside its
//! park, clear of the park's other active parcels, and placed in the right zone.

use super::rows::decode_geometry;
use super::schema::parcels;
use super::spatial_sql::parcel_extent_meets;
use super::zones::zones_of;
use super::{AnyConnection, Overlap, StoreError, StoreResult};
use crate::domain::FieldError;
use crate::domain::register::{Park, Zone};
use crate::spatial::{Bbox, Footprint, measure};
use diesel::prelude::*;
use geo::{Contains, MultiPolygon};

/// The park's active parcels whose extent meets `footprint`'s, except `exclude`.
pub fn neighbours(
    conn: &mut AnyConnection,
    park_id: i64,
    footprint: &Footprint,
    exclude: &[i64],
) -> StoreResult<Vec<(i64, String, MultiPolygon<f64>)>> {
    let backend = conn.backend();
    let rows: Vec<(i64, String, Vec<u8>)> = parcels::table
        .filter(parcels::park_id.eq(park_id))
        .filter(parcels::status.ne("retired"))
        .filter(parcel_extent_meets(backend, footprint.bbox()))
        .select((parcels::id, parcels::code, parcels::geom))
        .load(conn)?;
    rows.into_iter()
        .filter(|(id, _, _)| !exclude.contains(id))
        .map(|(id, code, geom)| Ok((id, code, decode_geometry(&geom)?)))
        .collect()
}

/// How much of `footprint` lies outside the park (0 when the boundary contains it).
pub fn outside_park_m2(park: &Park, footprint: &Footprint) -> f64 {
    if park.boundary.contains(footprint.geometry()) {
        0.0
    } else {
        measure::outside_m2(footprint.geometry(), &park.boundary)
    }
}

/// What a placement check measured, and the register it measured against: the park's
/// version and each neighbour's. Measured ahead of the write lock (the geometry work of a
/// large footprint takes a while), it is used under the lock if the register there is the
/// same — one cheap query — so other writers wait for a lookup, not for the geometry.
#[derive(Debug, Clone)]
pub struct Placement {
    seen: Seen,
    outside_m2: f64,
    /// Every neighbour the footprint overlaps, with the exact area (rounded only for display).
    overlaps: Vec<Overlap>,
}

#[derive(Debug, Clone, PartialEq)]
struct Seen {
    park_version: i64,
    neighbours: Vec<(i64, i64)>,
}

/// The versions of the park's active parcels whose extent meets the footprint's.
fn seen(
    conn: &mut AnyConnection,
    park: &Park,
    footprint: &Footprint,
    exclude: &[i64],
) -> StoreResult<Seen> {
    let backend = conn.backend();
    let mut neighbours: Vec<(i64, i64)> = parcels::table
        .filter(parcels::park_id.eq(park.id))
        .filter(parcels::status.ne("retired"))
        .filter(parcel_extent_meets(backend, footprint.bbox()))
        .select((parcels::id, parcels::version))
        .load(conn)?;
    neighbours.retain(|(id, _)| !exclude.contains(id));
    neighbours.sort_unstable();
    Ok(Seen {
        park_version: park.version,
        neighbours,
    })
}

/// Measure the footprint against the park and its neighbours (no tolerance applied).
fn measure_placement(
    conn: &mut AnyConnection,
    park: &Park,
    footprint: &Footprint,
    exclude: &[i64],
) -> StoreResult<Placement> {
    let seen = seen(conn, park, footprint, exclude)?;
    let others = neighbours(conn, park.id, footprint, exclude)?;
    let bbox = footprint.bbox();
    let overlaps = others
        .iter()
        .filter(|(_, _, g)| Bbox::of(g).is_some_and(|b| bbox.shared_area_upper_bound_m2(&b) > 0.0))
        .map(|(id, code, g)| Overlap {
            parcel_id: *id,
            code: code.clone(),
            overlap_m2: measure::overlap_m2(footprint.geometry(), g),
        })
        .filter(|o| o.overlap_m2 > 0.0)
        .collect();
    Ok(Placement {
        seen,
        outside_m2: outside_park_m2(park, footprint),
        overlaps,
    })
}

/// Measure a placement before the write transaction, on a plain read.
pub fn placement_ahead(
    conn: &mut AnyConnection,
    park_id: i64,
    footprint: &Footprint,
    exclude: &[i64],
) -> StoreResult<Placement> {
    let park = super::parks::get(conn, park_id)?;
    measure_placement(conn, &park, footprint, exclude)
}

/// Check the footprint against the park boundary and the other active parcels — with what
/// was measured ahead if the register is as it was then, measuring again otherwise.
pub fn check_placement(
    conn: &mut AnyConnection,
    park: &Park,
    footprint: &Footprint,
    exclude: &[i64],
    tolerance_m2: f64,
    ahead: Option<Placement>,
) -> StoreResult<()> {
    let placement = match ahead {
        Some(p) if p.seen == seen(conn, park, footprint, exclude)? => p,
        _ => measure_placement(conn, park, footprint, exclude)?,
    };
    let outside = placement.outside_m2;
    if outside > tolerance_m2 {
        return Err(StoreError::Invalid(vec![FieldError::new(
            "geometry",
            format!(
                "the parcel extends {outside:.2} m² outside the boundary of park {} (tolerance {tolerance_m2} m²)",
                park.code
            ),
        )]));
    }
    let overlaps: Vec<Overlap> = placement
        .overlaps
        .into_iter()
        .filter(|o| o.overlap_m2 > tolerance_m2)
        .map(|o| Overlap {
            overlap_m2: crate::domain::units::round_to(o.overlap_m2, 2),
            ..o
        })
        .collect();
    if overlaps.is_empty() {
        Ok(())
    } else {
        Err(StoreError::Overlap(overlaps))
    }
}

/// The zone a parcel belongs to: the one asked for (which must be of this park and contain
/// the parcel's interior point), none when `Some(None)`, or the containing zone when the
/// request says nothing.
pub fn resolve_zone(
    zones: &[Zone],
    requested: Option<Option<i64>>,
    footprint: &Footprint,
) -> StoreResult<Option<i64>> {
    let point = footprint.interior_point();
    let holds = |z: &Zone| point.is_some_and(|p| z.boundary.contains(&p));
    match requested {
        Some(None) => Ok(None),
        Some(Some(id)) => {
            let zone = zones.iter().find(|z| z.id == id).ok_or_else(|| {
                StoreError::Invalid(vec![FieldError::new(
                    "properties.zone_id",
                    format!("zone {id} is not a zone of this park"),
                )])
            })?;
            if holds(zone) {
                Ok(Some(id))
            } else {
                Err(StoreError::Invalid(vec![FieldError::new(
                    "properties.zone_id",
                    format!("the parcel does not lie in zone {} (id {id})", zone.code),
                )]))
            }
        }
        None => Ok(zones.iter().find(|z| holds(z)).map(|z| z.id)),
    }
}

/// The park and its zones, loaded once per write.
pub fn park_context(conn: &mut AnyConnection, park_id: i64) -> StoreResult<(Park, Vec<Zone>)> {
    let park = super::parks::get(conn, park_id)?;
    let zones = zones_of(conn, park_id)?;
    Ok((park, zones))
}
