//! What a parcel's footprint is measured against: the park's boundary and its active
//! parcels nearby. The store measures (the geometry work is Rust on `geo`); whether the
//! measure is acceptable is `domain::register::check_placement`'s.

use super::rows::decode_geometry;
use super::schema::parcels;
use super::spatial_sql::parcel_extent_meets;
use super::{AnyConnection, Overlap, StoreResult};
use crate::domain::register::Park;
use crate::spatial::{Bbox, Footprint, measure};
use diesel::prelude::*;
use geo::MultiPolygon;

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

/// What a placement check measured, and the register it measured against: the park's
/// version and each neighbour's. Measured ahead of the write lock (the geometry work of a
/// large footprint takes a while), it is used under the lock if the register there is the
/// same — one cheap query — so other writers wait for a lookup, not for the geometry.
#[derive(Debug, Clone)]
pub struct Placement {
    seen: Seen,
    pub outside_m2: f64,
    /// Every neighbour the footprint overlaps, with the exact area (rounded only for display).
    pub overlaps: Vec<Overlap>,
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
        outside_m2: park.outside_m2(footprint),
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

/// The footprint measured against the park boundary and its other active parcels: what was
/// measured ahead if the register is as it was then, measured again otherwise.
pub fn placement(
    conn: &mut AnyConnection,
    park: &Park,
    footprint: &Footprint,
    exclude: &[i64],
    ahead: Option<Placement>,
) -> StoreResult<Placement> {
    match ahead {
        Some(p) if p.seen == seen(conn, park, footprint, exclude)? => Ok(p),
        _ => measure_placement(conn, park, footprint, exclude),
    }
}
