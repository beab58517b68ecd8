//! A parcel import as one use case: under the park's write lock, load the codes it has used
//! and its parcels in the batch's extent, let `domain::import` check every feature, then write
//! all of them — or none, with a report naming every rejected feature and why.

use crate::domain::import::check_import;
use crate::domain::register::{ImportReport, ImportRequest, Parcel, ParcelDraft, Stamp};
use crate::store::audit::{self, Entry};
use crate::store::zones::park_context;
use crate::store::{self, AnyConnection, StoreResult, write_in_park};

/// Where an import is, for progress bars.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Checking,
    Writing,
}

/// Progress reports: stage, done, total.
pub type Progress<'a> = &'a (dyn Fn(Stage, usize, usize) + Sync);

pub fn import(
    conn: &mut AnyConnection,
    request: ImportRequest,
    stamp: &Stamp,
    progress: Progress<'_>,
) -> StoreResult<ImportReport> {
    let park_id = request.park_id;
    write_in_park(conn, park_id, |conn| {
        let (park, zones) = park_context(conn, park_id)?;
        let taken = store::import::codes_used(conn, park_id)?;
        let extent = request
            .items
            .iter()
            .map(|i| i.draft.footprint.bbox())
            .reduce(|a, b| a.union(&b));
        let existing = match extent {
            None => Vec::new(),
            Some(b) => store::import::active_in(conn, park_id, b)?,
        };
        let checked = check_import(
            &park,
            &zones,
            &taken,
            &existing,
            &request.items,
            &|done, total| progress(Stage::Checking, done, total),
        );
        let mut rejected = request.rejected;
        rejected.extend(checked.rejected);
        rejected.sort_by_key(|r| r.feature);
        let mut report = ImportReport {
            features: request.features,
            created: 0,
            dry_run: request.dry_run,
            crs: request.crs,
            encoding: request.encoding,
            rejected,
            warnings: checked.warnings,
        };
        if !report.rejected.is_empty() || request.dry_run {
            return Ok(report);
        }
        let mut items: Vec<Option<_>> = request.items.into_iter().map(Some).collect();
        let new: Vec<Parcel> = checked
            .accepted
            .into_iter()
            .filter_map(|a| {
                let item = items.get_mut(a.index)?.take()?;
                let draft = ParcelDraft {
                    clearances: a.clearances,
                    ..item.draft
                };
                Some(Parcel::new(
                    park_id,
                    a.zone_id,
                    draft,
                    a.infrastructure,
                    stamp,
                ))
            })
            .collect();
        let first = new.first().map(|p| p.code.clone());
        let last = new.last().map(|p| p.code.clone());
        report.created = store::import::insert_all(conn, park_id, new, &|done, total| {
            progress(Stage::Writing, done, total)
        })?;
        let summary = serde_json::json!({
            "created": report.created, "features": report.features, "crs": report.crs,
            "encoding": report.encoding, "first_code": first, "last_code": last,
        });
        let entry = Entry::new("import_parcels", "park", park_id).park(park_id);
        audit::record(conn, stamp, entry.after(summary))?;
        Ok(report)
    })
}
