//! Split (分宗) and merge (合宗) as use cases: one transaction each that lets
//! `domain::register` check the footprints add up and the codes are new, then saves the new
//! parcels, records lineage and retires the originals.

use crate::domain::register::{
    self, Change, MergeRequest, Parcel, SplitPiece, Stamp, check_new_codes,
};
use crate::domain::supply::check_not_supplied;
use crate::spatial::{AreaLimits, Footprint};
use crate::store::parcel_history::record_lineage;
use crate::store::parcel_rules::{park_context, resolve_zone};
use crate::store::parcels::{codes_taken, insert, load_for_change, mark_retired, park_of, save};
use crate::store::{self, AnyConnection, StoreResult, write_in_park};

/// Split a parcel into pieces that together cover exactly its footprint (within the park's
/// tolerance) without overlapping. Returns the retired original and the new parcels.
pub fn split(
    conn: &mut AnyConnection,
    id: i64,
    expected_version: Option<i64>,
    pieces: Vec<SplitPiece>,
    stamp: &Stamp,
) -> StoreResult<(Parcel, Vec<Parcel>)> {
    register::check_split_pieces(&pieces)?;
    let park_id = park_of(conn, id)?;
    write_in_park(conn, park_id, |conn| {
        let mut original = load_for_change(conn, id, expected_version)?;
        let in_force = store::supplies::in_force(conn, id)?;
        check_not_supplied(&original.code, in_force.as_ref())?;
        let (park, zones) = park_context(conn, park_id)?;
        let tolerance = park
            .settings_in(&zones, original.zone_id)
            .geometry_tolerance_m2;
        register::check_split(&original, &pieces, tolerance)?;
        let codes: Vec<&str> = pieces.iter().map(|p| p.code.as_str()).collect();
        let taken = codes_taken(conn, park_id, &codes)?;
        check_new_codes(park_id, &codes, &taken, "pieces")?;

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

/// Merge adjoining parcels of one park into a new parcel covering their union. Returns the
/// retired originals and the new parcel.
pub fn merge(
    conn: &mut AnyConnection,
    park_id: i64,
    request: MergeRequest,
    stamp: &Stamp,
) -> StoreResult<(Vec<Parcel>, Parcel)> {
    let ids = request.parcel_ids.clone();
    let distinct = register::check_merge_ids(&ids)?;
    write_in_park(conn, park_id, |conn| {
        // Membership first: a parcel of another park is answered as one that does not exist.
        let members = store::parcels::members(conn, park_id, &distinct)?;
        register::check_members(&ids, &members)?;
        let (_, zones) = park_context(conn, park_id)?;
        let mut originals = Vec::with_capacity(ids.len());
        for &id in &ids {
            let parcel = load_for_change(conn, id, None)?;
            let in_force = store::supplies::in_force(conn, id)?;
            check_not_supplied(&parcel.code, in_force.as_ref())?;
            originals.push(parcel);
        }
        let union = register::merged_footprint(&originals)?;
        let first = originals[0].clone();
        let footprint = Footprint::new("geometry", union, AreaLimits::PARCEL)?;
        let taken = codes_taken(conn, park_id, &[request.code.as_str()])?;
        check_new_codes(park_id, &[request.code.as_str()], &taken, "code")?;
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
