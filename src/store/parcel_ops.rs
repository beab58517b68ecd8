//! Split (分宗) and merge (合宗): single operations that check the footprints add up,
//! record lineage and retire the originals — all in one transaction.

use super::parcel_rules::{park_context, resolve_zone};
use super::parcels::{code_taken, insert, load_for_change, mark_retired, park_of, save};
use super::schema::parcel_lineage;
use super::{AnyConnection, StoreError, StoreResult, write_in_park};
use crate::domain::FieldError;
use crate::domain::register::{Change, MergeRequest, Parcel, SplitPiece, Stamp};
use crate::domain::supply::check_not_supplied;
use crate::spatial::{AreaLimits, Footprint, measure};
use diesel::prelude::*;
use geo::MultiPolygon;
use geo::algorithm::bool_ops::unary_union;

fn record_lineage(
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

/// New codes must be distinct from each other and from every code in the park.
fn check_new_codes(
    conn: &mut AnyConnection,
    park_id: i64,
    codes: &[&str],
    field: &str,
) -> StoreResult<()> {
    for (i, code) in codes.iter().enumerate() {
        if codes[..i].contains(code) {
            return Err(FieldError::new(field, format!("code {code} is given twice")).into());
        }
        if code_taken(conn, park_id, code)? {
            return Err(StoreError::Conflict(format!(
                "park {park_id} already has a parcel with code {code} (codes are never reused)"
            )));
        }
    }
    Ok(())
}

/// Split a parcel into pieces that together cover exactly its footprint (within the park's
/// tolerance) without overlapping. Returns the retired original and the new parcels.
pub fn split(
    conn: &mut AnyConnection,
    id: i64,
    expected_version: Option<i64>,
    pieces: Vec<SplitPiece>,
    stamp: &Stamp,
) -> StoreResult<(Parcel, Vec<Parcel>)> {
    if pieces.len() < 2 {
        return Err(FieldError::new("pieces", "a split needs at least two pieces").into());
    }
    let park_id = park_of(conn, id)?;
    write_in_park(conn, park_id, |conn| {
        let mut original = load_for_change(conn, id, expected_version)?;
        check_not_supplied(
            &original.code,
            super::supplies::in_force(conn, id)?.as_ref(),
        )?;
        let (park, zones) = park_context(conn, park_id)?;
        let tolerance = park
            .settings_in(&zones, original.zone_id)
            .geometry_tolerance_m2;

        let mut errors = Vec::new();
        for i in 0..pieces.len() {
            for j in i + 1..pieces.len() {
                let overlap = measure::overlap_m2(
                    pieces[i].footprint.geometry(),
                    pieces[j].footprint.geometry(),
                );
                if overlap > tolerance {
                    errors.push(FieldError::new(
                        "pieces",
                        format!("pieces {i} and {j} overlap by {overlap:.2} m²"),
                    ));
                }
            }
        }
        let union = unary_union(pieces.iter().map(|p| p.footprint.geometry()));
        let missing = measure::outside_m2(&original.geometry, &union);
        let extra = measure::outside_m2(&union, &original.geometry);
        if missing > tolerance || extra > tolerance {
            errors.push(FieldError::new(
                "pieces",
                format!(
                    "the pieces must cover exactly the footprint of parcel {}: {missing:.2} m² of it is not covered \
                     and {extra:.2} m² lies outside it (tolerance {tolerance} m²)",
                    original.code
                ),
            ));
        }
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors));
        }
        let codes: Vec<&str> = pieces.iter().map(|p| p.code.as_str()).collect();
        check_new_codes(conn, park_id, &codes, "pieces")?;

        let mut children = Vec::with_capacity(pieces.len());
        for piece in pieces {
            let zone_id = resolve_zone(&zones, None, &piece.footprint)?;
            let child = Parcel {
                id: 0,
                zone_id,
                code: piece.code.into_string(),
                name: piece.name.unwrap_or_else(|| original.name.clone()),
                land_use: piece
                    .land_use
                    .map_or_else(|| original.land_use.clone(), |l| l.code().to_owned()),
                area_m2: piece.footprint.area_m2(),
                geometry: piece.footprint.into_geometry(),
                version: 1,
                created: stamp.clone(),
                updated: stamp.clone(),
                ..original.clone()
            };
            let note = format!("split from {}", original.code);
            let child = insert(conn, child, Change::SplitFrom, Some(&note))?;
            record_lineage(conn, "split", original.id, child.id, stamp)?;
            children.push(child);
        }
        let names: Vec<&str> = children.iter().map(|c| c.code.as_str()).collect();
        let reason = format!("split into {}", names.join(", "));
        let before = original.clone();
        mark_retired(&mut original, reason.clone(), stamp);
        save(conn, &before, &original, Change::Superseded, Some(&reason))?;
        Ok((original, children))
    })
}

/// The most parcels one merge takes (far more than any real 合宗; it bounds the query).
pub const MAX_MERGED: usize = 100;

/// Merge adjoining parcels of one park into a new parcel covering their union. Returns the
/// retired originals and the new parcel.
pub fn merge(
    conn: &mut AnyConnection,
    park_id: i64,
    request: MergeRequest,
    stamp: &Stamp,
) -> StoreResult<(Vec<Parcel>, Parcel)> {
    let ids = request.parcel_ids.clone();
    if ids.len() > MAX_MERGED {
        return Err(FieldError::new(
            "parcel_ids",
            format!(
                "a merge takes at most {MAX_MERGED} parcels, got {}",
                ids.len()
            ),
        )
        .into());
    }
    let mut distinct = ids.clone();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() < 2 || distinct.len() != ids.len() {
        return Err(
            FieldError::new("parcel_ids", "a merge needs at least two different parcels").into(),
        );
    }
    write_in_park(conn, park_id, |conn| {
        // Membership first, and the same answer for a parcel of another park as for none at
        // all: nothing about another park's parcels (code, status, contract) may come back.
        let members: Vec<i64> = {
            use super::schema::parcels::dsl as p;
            p::parcels
                .filter(p::id.eq_any(&distinct))
                .filter(p::park_id.eq(park_id))
                .select(p::id)
                .load(conn)?
        };
        let strangers: Vec<String> = ids
            .iter()
            .filter(|id| !members.contains(id))
            .map(ToString::to_string)
            .collect();
        if !strangers.is_empty() {
            let (noun, verb) = if strangers.len() == 1 {
                ("parcel", "is")
            } else {
                ("parcels", "are")
            };
            return Err(StoreError::Conflict(format!(
                "{noun} {} {verb} not a parcel of this park; only parcels of one park can be merged",
                strangers.join(", ")
            )));
        }
        let (_, zones) = park_context(conn, park_id)?;
        let mut originals = Vec::with_capacity(ids.len());
        for &id in &ids {
            let parcel = load_for_change(conn, id, None)?;
            check_not_supplied(&parcel.code, super::supplies::in_force(conn, id)?.as_ref())?;
            originals.push(parcel);
        }
        let first = originals[0].clone();
        if let Some(other) = originals.iter().find(|p| p.status != first.status) {
            return Err(StoreError::Conflict(format!(
                "parcels {} ({}) and {} ({}) have different statuses; only parcels in the same status can be merged",
                first.code, first.status, other.code, other.status
            )));
        }
        let union: MultiPolygon<f64> = unary_union(originals.iter().map(|p| &p.geometry));
        if union.0.len() != 1 {
            return Err(FieldError::new(
                "parcel_ids",
                format!(
                    "the parcels do not adjoin: their union has {} separate parts, and a merged parcel must be one piece of land",
                    union.0.len()
                ),
            )
            .into());
        }
        let footprint = Footprint::new("geometry", union, AreaLimits::PARCEL)?;
        check_new_codes(conn, park_id, &[request.code.as_str()], "code")?;
        let zone_id = resolve_zone(&zones, None, &footprint)?;
        let codes: Vec<&str> = originals.iter().map(|p| p.code.as_str()).collect();
        let note = format!("merged from {}", codes.join(", "));
        let merged = Parcel {
            id: 0,
            zone_id,
            code: request.code.into_string(),
            name: request.name.unwrap_or_else(|| first.name.clone()),
            land_use: request
                .land_use
                .map_or_else(|| first.land_use.clone(), |l| l.code().to_owned()),
            area_m2: footprint.area_m2(),
            geometry: footprint.into_geometry(),
            version: 1,
            created: stamp.clone(),
            updated: stamp.clone(),
            ..first
        };
        let merged = insert(conn, merged, Change::MergedFrom, Some(&note))?;
        let reason = format!("merged into {}", merged.code);
        for original in &mut originals {
            record_lineage(conn, "merge", original.id, merged.id, stamp)?;
            let before = original.clone();
            mark_retired(original, reason.clone(), stamp);
            save(conn, &before, original, Change::Superseded, Some(&reason))?;
        }
        Ok((originals, merged))
    })
}
