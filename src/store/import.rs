//! Bulk import of parcels: every feature checked like a single create (inside the park, clear of
//! existing parcels and of each other, codes unique, zone and infrastructure known), then all
//! written in one transaction — or none, with a report naming every rejected feature and why.
//!
//! Overlaps are found with an in-memory R-tree over the batch and the park's existing parcels
//! in the batch's extent, so a 100,000-parcel import does not issue 100,000 spatial queries.

use super::parcel_rules::{outside_park_m2, park_context, resolve_zone};
use super::parcels::insert;
use super::rows::{ParcelValues, decode_geometry};
use super::schema::{parcel_versions, parcels};
use super::spatial_sql::parcel_extent_meets;
use super::{AnyConnection, StoreError, StoreResult, write_in_park};
use crate::domain::parcel::parse_infrastructure;
use crate::domain::register::{Change, ImportReport, ImportRequest, Parcel, Rejection, Stamp};
use crate::domain::units::round_to;
use crate::spatial::{Bbox, measure, wkb};
use diesel::prelude::*;
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree, RTreeObject};
use std::collections::{HashMap, HashSet};

/// Where an import is, for progress bars.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Checking,
    Writing,
}

/// Progress reports: stage, done, total.
pub type Progress<'a> = &'a (dyn Fn(Stage, usize, usize) + Sync);

/// Rows per INSERT statement on PostgreSQL (32 columns × 1000 stays under its 65,535 binds).
const BATCH: usize = 1000;

enum Source {
    Existing(usize),
    Batch(usize),
}

type Entry = GeomWithData<Rectangle<[f64; 2]>, Source>;

fn rect(b: Bbox) -> Rectangle<[f64; 2]> {
    Rectangle::from_corners([b.min_x, b.min_y], [b.max_x, b.max_y])
}

pub fn import(
    conn: &mut AnyConnection,
    request: ImportRequest,
    stamp: &Stamp,
    progress: Progress<'_>,
) -> StoreResult<ImportReport> {
    let park_id = request.park_id;
    write_in_park(conn, park_id, |conn| {
        let (park, zones) = park_context(conn, park_id)?;
        let items = request.items;
        let mut rejected = request.rejected;
        let mut warnings = Vec::new();

        let taken: HashSet<String> = parcels::table
            .filter(parcels::park_id.eq(park_id))
            .select(parcels::code)
            .load::<String>(conn)?
            .into_iter()
            .collect();
        let extent = items
            .iter()
            .map(|i| i.draft.footprint.bbox())
            .reduce(|a, b| a.union(&b));
        let existing: Vec<(i64, String, geo::MultiPolygon<f64>)> = match extent {
            None => Vec::new(),
            Some(b) => {
                let backend = conn.backend();
                parcels::table
                    .filter(parcels::park_id.eq(park_id))
                    .filter(parcels::status.ne("retired"))
                    .filter(parcel_extent_meets(backend, b))
                    .select((parcels::id, parcels::code, parcels::geom))
                    .load::<(i64, String, Vec<u8>)>(conn)?
                    .into_iter()
                    .map(|(id, code, g)| Ok((id, code, decode_geometry(&g)?)))
                    .collect::<StoreResult<_>>()?
            }
        };
        let mut entries: Vec<Entry> = existing
            .iter()
            .enumerate()
            .filter_map(|(i, (_, _, g))| {
                Bbox::of(g).map(|b| GeomWithData::new(rect(b), Source::Existing(i)))
            })
            .collect();
        entries.extend(
            items.iter().enumerate().map(|(i, it)| {
                GeomWithData::new(rect(it.draft.footprint.bbox()), Source::Batch(i))
            }),
        );
        let tree = RTree::bulk_load(entries);

        let mut first_use: HashMap<&str, usize> = HashMap::new();
        let mut accepted = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            if i % 1000 == 0 {
                progress(Stage::Checking, i, items.len());
            }
            let d = &item.draft;
            let mut reasons = Vec::new();
            let code = d.code.as_str();
            if taken.contains(code) {
                reasons.push(format!(
                    "park {} already has a parcel with code {code}",
                    park.code
                ));
            }
            match first_use.get(code) {
                Some(&other) => {
                    reasons.push(format!("code {code} is also used by feature {other}"))
                }
                None => {
                    first_use.insert(code, item.feature);
                }
            }
            let requested = match (&item.zone, d.zone_id) {
                (Some(name), _) => {
                    match zones.iter().find(|z| &z.code == name || &z.name == name) {
                        Some(z) => Some(Some(z.id)),
                        None => {
                            reasons.push(format!("park {} has no zone {name}", park.code));
                            None
                        }
                    }
                }
                (None, Some(id)) => Some(Some(id)),
                (None, None) => None,
            };
            let zone_id = match resolve_zone(&zones, requested, &d.footprint) {
                Ok(z) => z,
                Err(e) => {
                    reasons.push(e.to_string());
                    None
                }
            };
            let settings = park.settings_in(&zones, zone_id);
            let tolerance = settings.geometry_tolerance_m2;
            let infrastructure = parse_infrastructure(
                "infrastructure",
                &d.infrastructure,
                &settings.infrastructure_items,
            )
            .map_err(|e| reasons.push(e.to_string()))
            .unwrap_or_default();
            let outside = outside_park_m2(&park, &d.footprint);
            if outside > tolerance {
                reasons.push(format!(
                    "extends {outside:.2} m² outside the boundary of park {}",
                    park.code
                ));
            }
            let b = d.footprint.bbox();
            for hit in tree.locate_in_envelope_intersecting(&AABB::from_corners(
                [b.min_x, b.min_y],
                [b.max_x, b.max_y],
            )) {
                let envelope = hit.geom().envelope();
                let (lo, hi) = (envelope.lower(), envelope.upper());
                let other_box = Bbox {
                    min_x: lo[0],
                    min_y: lo[1],
                    max_x: hi[0],
                    max_y: hi[1],
                };
                if b.shared_area_upper_bound_m2(&other_box) <= tolerance {
                    continue;
                }
                let (other, label) = match hit.data {
                    Source::Existing(j) => (
                        &existing[j].2,
                        format!("parcel {} (id {})", existing[j].1, existing[j].0),
                    ),
                    Source::Batch(j) if j < i => (
                        items[j].draft.footprint.geometry(),
                        format!("feature {} ({})", items[j].feature, items[j].draft.code),
                    ),
                    Source::Batch(_) => continue,
                };
                let overlap = measure::overlap_m2(d.footprint.geometry(), other);
                if overlap > tolerance {
                    reasons.push(format!(
                        "overlaps {label} by {:.2} m²",
                        round_to(overlap, 2)
                    ));
                }
            }
            if let Some(declared) = item.declared_area_m2 {
                let computed = d.footprint.area_m2();
                if (declared - computed).abs() > computed * 0.01 {
                    warnings.push(Rejection {
                        feature: item.feature,
                        code: Some(code.to_owned()),
                        reasons: vec![format!("the file declares {declared:.2} m²; the geometry measures {computed:.2} m² (the computed area is kept)")],
                    });
                }
            }
            if reasons.is_empty() {
                accepted.push((item, zone_id, infrastructure));
            } else {
                rejected.push(Rejection {
                    feature: item.feature,
                    code: Some(code.to_owned()),
                    reasons,
                });
            }
        }
        progress(Stage::Checking, items.len(), items.len());
        rejected.sort_by_key(|r| r.feature);
        let mut report = ImportReport {
            features: request.features,
            created: 0,
            dry_run: request.dry_run,
            crs: request.crs,
            encoding: request.encoding,
            rejected,
            warnings,
        };
        if !report.rejected.is_empty() || request.dry_run {
            return Ok(report);
        }
        let new: Vec<Parcel> = accepted
            .into_iter()
            .map(|(item, zone_id, infrastructure)| {
                let d = &item.draft;
                Parcel {
                    id: 0,
                    park_id,
                    zone_id,
                    code: d.code.as_str().to_owned(),
                    name: d.name.clone(),
                    location: d.location.clone(),
                    land_use: d.land_use.code().to_owned(),
                    status: d.status,
                    planning: d.planning,
                    infrastructure,
                    site_levelled: d.site_levelled,
                    approval_no: d.approval_no.clone(),
                    approved_on: d.approved_on,
                    area_m2: d.footprint.area_m2(),
                    geometry: d.footprint.geometry().clone(),
                    version: 1,
                    created: stamp.clone(),
                    updated: stamp.clone(),
                    retired_at: None,
                    retired_reason: None,
                }
            })
            .collect();
        let first = new.first().map(|p| p.code.clone());
        let last = new.last().map(|p| p.code.clone());
        report.created = write_all(conn, park_id, new, progress)?;
        let summary = serde_json::json!({
            "created": report.created, "features": report.features, "crs": report.crs,
            "encoding": report.encoding, "first_code": first, "last_code": last,
        });
        super::audit::record(
            conn,
            stamp,
            super::audit::Entry::new("import_parcels", "park", park_id)
                .park(park_id)
                .after(summary),
        )?;

        Ok(report)
    })
}

/// Insert the parcels and their first versions: batched on PostgreSQL, row by row (prepared
/// and cheap) on SQLite.
fn write_all(
    conn: &mut AnyConnection,
    park_id: i64,
    new: Vec<Parcel>,
    progress: Progress<'_>,
) -> StoreResult<usize> {
    let total = new.len();
    match conn {
        AnyConnection::Postgresql(pg) => {
            for (n, chunk) in new.chunks(BATCH).enumerate() {
                progress(Stage::Writing, n * BATCH, total);
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
                    progress(Stage::Writing, n, total);
                }
                insert(conn, parcel, Change::Imported, None)?;
            }
        }
    }
    progress(Stage::Writing, total, total);
    Ok(total)
}
