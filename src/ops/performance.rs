//! 亩均 figures as use cases: record a year's figures for a park (from the API or a sheet),
//! all or nothing, in one transaction under the park's write lock and one audit entry (an
//! import is one act).

use crate::domain::performance::{self, FigureRow, YearFigures};
use crate::domain::register::{Rejection, Stamp};
use crate::store::audit::{self, Entry};
use crate::store::{self, AnyConnection, StoreResult, write_in_park};

/// Record figures for a park and year, replacing earlier ones of the same enterprises; every
/// enterprise must be in the directory. The number of enterprises recorded.
pub fn record_figures(
    conn: &mut AnyConnection,
    park_id: i64,
    year: i32,
    rows: &[(i64, YearFigures)],
    stamp: &Stamp,
) -> StoreResult<usize> {
    write_in_park(conn, park_id, |conn| {
        let ids: Vec<i64> = rows.iter().map(|(id, _)| *id).collect();
        let known = store::performance::known_enterprises(conn, &ids)?;
        performance::check_known_enterprises(&ids, &known)?;
        store::performance::replace_figures(conn, park_id, year, rows, stamp)?;
        let entry = Entry {
            action: "record_figures",
            entity: "performance",
            park_id: Some(park_id),
            ..Default::default()
        };
        let after = serde_json::json!({"year": year, "enterprises": ids});
        audit::record(conn, stamp, entry.after(after))?;
        Ok(rows.len())
    })
}

/// Record a sheet's rows (checked by `exchange::spreadsheet`) for a park and year, all or
/// nothing: a row naming an enterprise that is not registered is refused with its row number.
/// With `dry_run`, check and write nothing. The number of enterprises recorded, or the refusals.
pub fn import_rows(
    conn: &mut AnyConnection,
    park_id: i64,
    year: i32,
    rows: &[FigureRow],
    dry_run: bool,
    stamp: &Stamp,
) -> StoreResult<Result<usize, Vec<Rejection>>> {
    let codes: Vec<String> = rows.iter().map(|r| r.uscc.clone()).collect();
    let ids = store::performance::ids_by_uscc(conn, &codes)?;
    let unknown = performance::unknown_rows(rows, &ids);
    if !unknown.is_empty() {
        return Ok(Err(unknown));
    }
    if dry_run {
        store::parks::get(conn, park_id)?;
        return Ok(Ok(0));
    }
    let figures: Vec<(i64, YearFigures)> = rows.iter().map(|r| (ids[&r.uscc], r.figures)).collect();
    record_figures(conn, park_id, year, &figures, stamp).map(Ok)
}
