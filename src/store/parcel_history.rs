//! A parcel's past: every version with who and when, and its split/merge lineage (read here,
//! and the lineage saved here).

use super::rows::decode_geometry;
use super::schema::{parcel_lineage, parcel_versions, parcels};
use super::{AnyConnection, StoreError, StoreResult, parcels::park_of};
use crate::domain::register::{LineageLink, ParcelVersion, Stamp};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use std::collections::HashMap;

type VersionRow = (
    i64,
    i64,
    String,
    String,
    Vec<u8>,
    NaiveDateTime,
    String,
    Option<String>,
);

/// All versions of a parcel, oldest first.
pub fn versions(conn: &mut AnyConnection, parcel_id: i64) -> StoreResult<Vec<ParcelVersion>> {
    park_of(conn, parcel_id)?;
    let rows: Vec<VersionRow> = parcel_versions::table
        .filter(parcel_versions::parcel_id.eq(parcel_id))
        .order(parcel_versions::version)
        .select((
            parcel_versions::parcel_id,
            parcel_versions::version,
            parcel_versions::change,
            parcel_versions::properties,
            parcel_versions::geom,
            parcel_versions::changed_at,
            parcel_versions::changed_by,
            parcel_versions::note,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(
            |(parcel_id, version, change, properties, geom, at, by, note)| {
                Ok(ParcelVersion {
                    parcel_id,
                    version,
                    change,
                    properties: serde_json::from_str(&properties).map_err(|e| {
                        StoreError::Corrupt(format!("stored version is unreadable: {e}"))
                    })?,
                    geometry: decode_geometry(&geom)?,
                    changed: Stamp::stored(by, at),
                    note,
                })
            },
        )
        .collect()
}

/// The lineage links in which the parcel is parent or child.
pub fn lineage(conn: &mut AnyConnection, parcel_id: i64) -> StoreResult<Vec<LineageLink>> {
    park_of(conn, parcel_id)?;
    let rows: Vec<(String, i64, i64, NaiveDateTime, String)> = parcel_lineage::table
        .filter(
            parcel_lineage::parent_id
                .eq(parcel_id)
                .or(parcel_lineage::child_id.eq(parcel_id)),
        )
        .order(parcel_lineage::id)
        .select((
            parcel_lineage::operation,
            parcel_lineage::parent_id,
            parcel_lineage::child_id,
            parcel_lineage::recorded_at,
            parcel_lineage::recorded_by,
        ))
        .load(conn)?;
    let ids: Vec<i64> = rows.iter().flat_map(|r| [r.1, r.2]).collect();
    let codes: HashMap<i64, String> = parcels::table
        .filter(parcels::id.eq_any(&ids))
        .select((parcels::id, parcels::code))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect();
    Ok(rows
        .into_iter()
        .map(|(operation, parent_id, child_id, at, by)| LineageLink {
            operation,
            parent_code: codes.get(&parent_id).cloned().unwrap_or_default(),
            parent_id,
            child_code: codes.get(&child_id).cloned().unwrap_or_default(),
            child_id,
            recorded: Stamp::stored(by, at),
        })
        .collect())
}

/// Save one link of lineage: `parent` was split or merged (`operation`) into `child`.
pub fn record_lineage(
    conn: &mut AnyConnection,
    operation: &str,
    parent: i64,
    child: i64,
    stamp: &Stamp,
) -> StoreResult<()> {
    diesel::insert_into(parcel_lineage::table)
        .values((
            parcel_lineage::operation.eq(operation),
            parcel_lineage::parent_id.eq(parent),
            parcel_lineage::child_id.eq(child),
            parcel_lineage::recorded_at.eq(stamp.at),
            parcel_lineage::recorded_by.eq(&stamp.by),
        ))
        .execute(conn)?;
    Ok(())
}
