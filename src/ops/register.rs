//! The register's parcels as use cases: create, change and retire one parcel, split (分宗)
//! and merge (合宗). Each is one transaction under the park's write lock that loads what
//! `domain::register` needs (the park and zones, codes used, the placement measured against
//! the neighbours, a supply in force), lets it decide, then saves the versions, lineage and
//! audit entries.

use crate::domain::net_land::parse_clearances;
use crate::domain::parcel::{check_transition, parse_infrastructure};
use crate::domain::register::{
    self, Change, MergeRequest, Parcel, ParcelChanges, ParcelDraft, SplitPiece, Stamp,
    check_new_codes, resolve_zone,
};
use crate::domain::supply::check_not_supplied;
use crate::spatial::{AreaLimits, Footprint};
use crate::store::parcel_history::record_lineage;
use crate::store::parcels::{codes_taken, insert, park_of, save};
use crate::store::placement::{placement, placement_ahead};
use crate::store::zones::park_context;
use crate::store::{self, AnyConnection, StoreResult, write_in_park};

/// Load a parcel for a change: it must exist, be at the version the client saw, and be active.
fn load_for_change(
    conn: &mut AnyConnection,
    id: i64,
    expected_version: Option<i64>,
) -> StoreResult<Parcel> {
    let current = store::parcels::get(conn, id)?;
    store::expect_version(expected_version, current.version)?;
    current.check_changeable()?;
    Ok(current)
}

/// A footprint inside the park and clear of its other active parcels (but `exclude`), within
/// the tolerance of `settings`: measured by the store (or ahead), judged by the domain.
fn check_placed(
    conn: &mut AnyConnection,
    park: &register::Park,
    footprint: &Footprint,
    exclude: &[i64],
    settings: &crate::domain::settings::Settings,
    ahead: Option<crate::store::placement::Placement>,
) -> StoreResult<()> {
    let measured = placement(conn, park, footprint, exclude, ahead)?;
    register::check_placement(
        park,
        measured.outside_m2,
        measured.overlaps,
        settings.geometry_tolerance_m2,
    )?;
    Ok(())
}

/// Register a parcel: an active status, a code the park never used, the zone it lies in,
/// known infrastructure items, inside the park and clear of the other active parcels.
pub fn create(
    conn: &mut AnyConnection,
    park_id: i64,
    draft: ParcelDraft,
    stamp: &Stamp,
) -> StoreResult<Parcel> {
    // The geometry work before the lock; under it, a lookup confirms nothing moved meanwhile.
    let ahead = placement_ahead(conn, park_id, &draft.footprint, &[]).ok();
    write_in_park(conn, park_id, |conn| {
        let (park, zones) = park_context(conn, park_id)?;
        register::check_new_status(draft.status)?;
        let taken = store::parcels::code_taken(conn, park_id, draft.code.as_str())?;
        register::check_code_free(park_id, draft.code.as_str(), taken)?;
        let zone_id = resolve_zone(&zones, draft.zone_id.map(Some), &draft.footprint)?;
        let settings = park.settings_in(&zones, zone_id);
        let infrastructure = parse_infrastructure(
            "properties.infrastructure",
            &draft.infrastructure,
            &settings.infrastructure_items,
        )?;
        let clearances = parse_clearances("properties.clearances", &draft.clearances)?;
        check_placed(conn, &park, &draft.footprint, &[], &settings, ahead)?;
        let draft = ParcelDraft {
            clearances,
            ..draft
        };
        let parcel = Parcel::new(park_id, zone_id, draft, infrastructure, stamp);
        insert(conn, parcel, Change::Created, None)
    })
}

/// Change a parcel (If-Match `expected_version`); a change that changes nothing is no new
/// version.
pub fn update(
    conn: &mut AnyConnection,
    id: i64,
    expected_version: Option<i64>,
    changes: ParcelChanges,
    stamp: &Stamp,
) -> StoreResult<Parcel> {
    let park_id = park_of(conn, id)?;
    let ahead = match &changes.footprint {
        Some(f) => placement_ahead(conn, park_id, f, &[id]).ok(),
        None => None,
    };
    write_in_park(conn, park_id, |conn| {
        let current = load_for_change(conn, id, expected_version)?;
        let (park, zones) = park_context(conn, park_id)?;
        let mut next = current.clone();
        if let Some(code) = &changes.code
            && code.as_str() != current.code
        {
            let taken = store::parcels::code_taken(conn, park_id, code.as_str())?;
            register::check_code_free(park_id, code.as_str(), taken)?;
            next.code = code.as_str().to_owned();
        }
        if let Some(status) = changes.status {
            check_transition(current.status, status)?;
            if status != current.status {
                let in_force = store::supplies::in_force(conn, id)?;
                check_not_supplied(&current.code, in_force.as_ref())?;
            }
            next.status = status;
        }
        next.apply_attributes(&changes)?;
        if let Some(footprint) = &changes.footprint {
            let settings = park.settings_in(&zones, current.zone_id);
            check_placed(conn, &park, footprint, &[id], &settings, ahead)?;
            next.area_m2 = footprint.area_m2();
            next.plane_area = footprint.plane_area();
            next.geometry = footprint.geometry().clone();
        }
        if changes.zone_id.is_some() || changes.footprint.is_some() {
            let footprint = Footprint::from_stored(next.geometry.clone());
            next.zone_id = resolve_zone(&zones, changes.zone_id, &footprint)?;
        }
        if let Some(items) = &changes.infrastructure {
            let settings = park.settings_in(&zones, next.zone_id);
            next.infrastructure = parse_infrastructure(
                "properties.infrastructure",
                items,
                &settings.infrastructure_items,
            )?;
        }
        if let Some(clearances) = &changes.clearances {
            next.clearances = parse_clearances("properties.clearances", clearances)?;
        }
        if next == current {
            return Ok(current);
        }
        next.version += 1;
        next.updated = stamp.clone();
        save(conn, &current, &next, Change::Updated, None)?;
        Ok(next)
    })
}

/// Retire a parcel that no supply holds; it stays in the register as history.
pub fn retire(
    conn: &mut AnyConnection,
    id: i64,
    expected_version: Option<i64>,
    reason: String,
    stamp: &Stamp,
) -> StoreResult<Parcel> {
    let park_id = park_of(conn, id)?;
    write_in_park(conn, park_id, |conn| {
        let before = load_for_change(conn, id, expected_version)?;
        let in_force = store::supplies::in_force(conn, id)?;
        check_not_supplied(&before.code, in_force.as_ref())?;
        let mut parcel = before.clone();
        parcel.retire(reason, stamp);
        let note = parcel.retired_reason.clone();
        save(conn, &before, &parcel, Change::Retired, note.as_deref())?;
        Ok(parcel)
    })
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
                plane_area: piece.footprint.plane_area(),
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
        original.retire(reason.clone(), stamp);
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
            // A 净地 condition holds for the whole only where it held for every part.
            clearances: first
                .clearances
                .iter()
                .filter(|c| originals.iter().all(|p| p.clearances.contains(c)))
                .cloned()
                .collect(),
            area_m2: footprint.area_m2(),
            plane_area: footprint.plane_area(),
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
            original.retire(reason.clone(), stamp);
            save(conn, &before, original, Change::Superseded, Some(&reason))?;
        }
        Ok((originals, merged))
    })
}
