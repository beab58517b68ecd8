//! Bulk import of parcels as stored: the codes a park has used, its active parcels in a
//! batch's extent, and the batch written in one go (multi-row INSERTs on PostgreSQL, prepared
//! row inserts on SQLite). What may be written is `domain::import`'s; `ops::import` runs it.

use super::parcels::insert;
use super::rows::{ParcelValues, decode_geometry};
use super::schema::{parcel_versions, parcels};
use super::spatial_sql::parcel_extent_meets;
use super::{AnyConnection, StoreError, StoreResult};
use crate::domain::register::{Change, Parcel};
use crate::spatial::{Bbox, wkb};
use diesel::prelude::*;
use geo::MultiPolygon;
use std::collections::{HashMap, HashSet};

/// Rows per INSERT statement on PostgreSQL (32 columns × 1000 stays under its 65,535 binds).
const BATCH: usize = 1000;

/// Every code the park has used, retired parcels included.
pub fn codes_used(conn: &mut AnyConnection, park_id: i64) -> StoreResult<HashSet<String>> {
    Ok(parcels::table
        .filter(parcels::park_id.eq(park_id))
        .select(parcels::code)
        .load::<String>(conn)?
        .into_iter()
        .collect())
}

/// The park's active parcels whose extent meets `extent`: id, code, geometry.
pub fn active_in(
    conn: &mut AnyConnection,
    park_id: i64,
    extent: Bbox,
) -> StoreResult<Vec<(i64, String, MultiPolygon<f64>)>> {
    let backend = conn.backend();
    parcels::table
        .filter(parcels::park_id.eq(park_id))
        .filter(parcels::status.ne("retired"))
        .filter(parcel_extent_meets(backend, extent))
        .select((parcels::id, parcels::code, parcels::geom))
        .load::<(i64, String, Vec<u8>)>(conn)?
        .into_iter()
        .map(|(id, code, g)| Ok((id, code, decode_geometry(&g)?)))
        .collect()
}

/// Insert the parcels and their first versions: batched on PostgreSQL, row by row (prepared
/// and cheap) on SQLite.
pub fn insert_all(
    conn: &mut AnyConnection,
    park_id: i64,
    new: Vec<Parcel>,
    progress: &dyn Fn(usize, usize),
) -> StoreResult<usize> {
    let total = new.len();
    match conn {
        AnyConnection::Postgresql(pg) => {
            for (n, chunk) in new.chunks(BATCH).enumerate() {
                progress(n * BATCH, total);
                let values: Vec<ParcelValues> = chunk.iter().map(ParcelValues::of).collect();
                diesel::insert_into(parcels::table)
                    .values(&values)
                    .execute(pg)?;
                let codes: Vec<&str> = chunk.iter().map(|p| p.code.as_str()).collect();
                let ids: HashMap<String, i64> = parcels::table
                    .filter(parcels::park_id.eq(park_id))
                    .filter(parcels::code.eq_any(&codes))
                    .select((parcels::code, parcels::id))
                    .load::<(String, i64)>(pg)?
                    .into_iter()
                    .collect();
                let versions: Vec<_> = chunk
                    .iter()
                    .map(|p| {
                        let id = ids.get(&p.code).copied().ok_or_else(|| {
                            StoreError::Corrupt(format!("parcel {} vanished during import", p.code))
                        })?;
                        let with_id = Parcel { id, ..p.clone() };
                        Ok((
                            parcel_versions::parcel_id.eq(id),
                            parcel_versions::version.eq(1i64),
                            parcel_versions::change.eq(Change::Imported.as_str()),
                            parcel_versions::properties
                                .eq(super::parcels::snapshot(&with_id).to_string()),
                            parcel_versions::geom.eq(wkb::encode(&p.geometry)),
                            parcel_versions::changed_at.eq(p.updated.at),
                            parcel_versions::changed_by.eq(p.updated.by.clone()),
                        ))
                    })
                    .collect::<StoreResult<_>>()?;
                diesel::insert_into(parcel_versions::table)
                    .values(&versions)
                    .execute(pg)?;
            }
        }
        AnyConnection::Sqlite(_) => {
            for (n, parcel) in new.into_iter().enumerate() {
                if n % BATCH == 0 {
                    progress(n, total);
                }
                insert(conn, parcel, Change::Imported, None)?;
            }
        }
    }
    progress(total, total);
    Ok(total)
}
