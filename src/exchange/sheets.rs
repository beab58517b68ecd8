//! Spreadsheet uploads (CSV and .xlsx) as a header and rows of text, read within bounds.
//!
//! A sheet is held as a dense table of rows × columns, so its extent is bounded, not only its
//! bytes: a 1.5 KB workbook with one value in A1 and one in XFD1048576 describes 17 billion
//! cells. Cells stream by one at a time; the first value beyond the row, column or cell bound
//! ends the read with a problem naming the bound and the cell. A workbook is a zip: its declared
//! sizes must fit the unpacked budget and every member is checked to unpack to no more than it
//! declares, before the workbook reader opens it.

use super::ExchangeError;
use super::limits::{Bound, LimitExceeded, UploadLimits};
use std::io::Cursor;

/// A sheet as text: the header row and the rows under it.
pub type Table = (Vec<String>, Vec<Vec<String>>);

/// The column letters of a 0-based column index (0 → A, 16383 → XFD).
fn column_name(mut col: u32) -> String {
    let mut name = Vec::new();
    loop {
        name.push(b'A' + (col % 26) as u8);
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    name.reverse();
    String::from_utf8_lossy(&name).into_owned()
}

/// Grows a table cell by cell, refusing the first cell beyond the bounds.
struct Extent<'a> {
    limits: &'a UploadLimits,
    cells: usize,
}

impl Extent<'_> {
    /// `row` and `col` 0-based.
    fn admit(&mut self, row: usize, col: usize) -> Result<(), LimitExceeded> {
        let cell = || format!("{}{}", column_name(col as u32), row + 1);
        if row >= self.limits.max_rows {
            return Err(LimitExceeded::new(
                Bound::Rows,
                self.limits.max_rows as u64,
                format!(
                    "the sheet has a value in cell {}, beyond the {} rows a sheet may have",
                    cell(),
                    self.limits.max_rows
                ),
            ));
        }
        if col >= self.limits.max_columns {
            return Err(LimitExceeded::new(
                Bound::Columns,
                self.limits.max_columns as u64,
                format!(
                    "the sheet has a value in cell {}, beyond the {} columns a sheet may have",
                    cell(),
                    self.limits.max_columns
                ),
            ));
        }
        self.cells += 1;
        if self.cells > self.limits.max_cells {
            return Err(LimitExceeded::new(
                Bound::Cells,
                self.limits.max_cells as u64,
                format!(
                    "the sheet has more than {} cells with values",
                    self.limits.max_cells
                ),
            ));
        }
        Ok(())
    }
}

/// The table is dense: its span, empty cells included, is bounded like its values.
fn spans_within(height: usize, width: usize, limits: &UploadLimits) -> Result<(), LimitExceeded> {
    if height.saturating_mul(width) > limits.max_cells {
        return Err(LimitExceeded::new(
            Bound::Cells,
            limits.max_cells as u64,
            format!(
                "the sheet's values span {height} rows × {width} columns, more than the {} cells a sheet may have",
                limits.max_cells
            ),
        ));
    }
    Ok(())
}

fn split_header(mut rows: Vec<Vec<String>>) -> Result<Table, ExchangeError> {
    if rows.is_empty() {
        return Err(ExchangeError::new("the sheet is empty"));
    }
    let headers = rows.remove(0);
    Ok((headers, rows))
}

/// A CSV upload: UTF-8 (a BOM allowed), else GBK as Excel saves it in China.
pub fn read_csv(bytes: &[u8], limits: &UploadLimits) -> Result<Table, ExchangeError> {
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => std::borrow::Cow::Borrowed(t),
        Err(_) => encoding_rs::GBK.decode(bytes).0,
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut extent = Extent { limits, cells: 0 };
    let mut rows = Vec::new();
    let mut stored = 0usize;
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => return Err(ExchangeError::new(format!("the CSV cannot be read: {e}"))),
        }
        let row = rows.len();
        let mut cells = Vec::with_capacity(record.len().min(limits.max_columns));
        for (col, value) in record.iter().enumerate() {
            if !value.trim().is_empty() {
                extent.admit(row, col)?;
            }
            if col < limits.max_columns {
                cells.push(value.to_owned());
            }
        }
        if row >= limits.max_rows {
            // blank rows past the end count too: they are rows of the upload
            extent.admit(row, 0)?;
        }
        stored = stored.saturating_add(cells.len().max(1));
        spans_within(1, stored, limits)?;
        rows.push(cells);
    }
    split_header(rows)
}

/// The first sheet of an .xlsx workbook.
pub fn read_xlsx(bytes: &[u8], limits: &UploadLimits) -> Result<Table, ExchangeError> {
    use calamine::{Data, DataRef, Reader, Xlsx};
    check_workbook_archive(bytes, limits)?;
    let unreadable =
        |e: calamine::XlsxError| ExchangeError::new(format!("the workbook cannot be read: {e}"));
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(unreadable)?;
    let first = book
        .sheet_names()
        .into_iter()
        .next()
        .ok_or_else(|| ExchangeError::new("the workbook has no sheet"))?;
    let mut cells = book
        .worksheet_cells_reader(&first)
        .map_err(|e| ExchangeError::new(format!("the first sheet cannot be read: {e}")))?;
    let mut extent = Extent { limits, cells: 0 };
    let mut sparse: Vec<(usize, usize, String)> = Vec::new();
    while let Some(cell) = cells
        .next_cell()
        .map_err(|e| ExchangeError::new(format!("the first sheet cannot be read: {e}")))?
    {
        let (row, col) = cell.get_position();
        let text = match cell.get_value() {
            DataRef::Empty => continue,
            DataRef::Float(f) => f.to_string(),
            DataRef::Int(i) => i.to_string(),
            other => Data::from(other.clone()).to_string(),
        };
        if text.trim().is_empty() {
            continue;
        }
        extent.admit(row as usize, col as usize)?;
        sparse.push((row as usize, col as usize, text));
    }
    // Dense only now, from the first value to the last (as a sheet's used range is read):
    // bounded by the checks above.
    let top = sparse.iter().map(|c| c.0).min().unwrap_or(0);
    let left = sparse.iter().map(|c| c.1).min().unwrap_or(0);
    let height = sparse.iter().map(|c| c.0 + 1 - top).max().unwrap_or(0);
    let width = sparse.iter().map(|c| c.1 + 1 - left).max().unwrap_or(0);
    spans_within(height, width, limits)?;
    let mut rows = vec![vec![String::new(); width]; height];
    for (row, col, text) in sparse {
        rows[row - top][col - left] = text;
    }
    split_header(rows)
}

/// A workbook's archive: declared sizes within the budget, and no member unpacking to more
/// than it declares (the zip reader stops it there), checked by streaming each member through.
fn check_workbook_archive(bytes: &[u8], limits: &UploadLimits) -> Result<(), ExchangeError> {
    let mut archive = super::shapefile_zip::open(bytes)?;
    let budget = limits.unpacked_budget(bytes.len());
    super::shapefile_zip::check_declared_sizes(&mut archive, budget)?;
    for i in 0..archive.len() {
        let mut member = archive.by_index(i).map_err(|e| {
            ExchangeError::new(format!("the workbook's part {i} cannot be read: {e}"))
        })?;
        let name = member.name().map(|n| n.into_owned()).unwrap_or_default();
        std::io::copy(&mut member, &mut std::io::sink())
            .map_err(|e| super::shapefile_zip::unpack_failure(&name, &e))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_names() {
        assert_eq!(column_name(0), "A");
        assert_eq!(column_name(25), "Z");
        assert_eq!(column_name(26), "AA");
        assert_eq!(column_name(16_383), "XFD");
    }

    #[test]
    fn csv_in_gbk_as_excel_saves_it() {
        let text = "统一社会信用代码,营业收入(万元)\n1,2\n";
        let (gbk, _, _) = encoding_rs::GBK.encode(text);
        let (h, rows) = read_csv(&gbk, &UploadLimits::default()).unwrap();
        assert_eq!(h[0], "统一社会信用代码");
        assert_eq!(rows.len(), 1);
    }

    #[test]
    fn csv_rows_and_columns_are_bounded() {
        let limits = UploadLimits {
            max_rows: 3,
            max_columns: 2,
            max_cells: 5,
            ..UploadLimits::default()
        };
        assert!(read_csv(b"a,b\n1,2\n3\n", &limits).is_ok());
        let e = read_csv(b"a,b\n1,2\n3,4\n", &limits).unwrap_err();
        assert_eq!(e.limit.map(|l| l.bound), Some(Bound::Cells));
        let e = read_csv(b"a\n1\n3\n5\n", &limits).unwrap_err();
        assert_eq!(e.limit.map(|l| l.bound), Some(Bound::Rows));
        let e = read_csv(b"a,b,c\n", &limits).unwrap_err();
        let limit = e.limit.unwrap();
        assert_eq!(limit.bound, Bound::Columns);
        assert!(limit.detail.contains("cell C1"), "{}", limit.detail);
    }

    fn workbook(cells: &[(u32, u16, &str)]) -> Vec<u8> {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (r, c, v) in cells {
            sheet.write_string(*r, *c, *v).unwrap();
        }
        book.save_to_buffer().unwrap()
    }

    #[test]
    fn a_sheet_is_bounded_by_its_span_not_only_its_values() {
        let limits = UploadLimits {
            max_cells: 1_000,
            ..UploadLimits::default()
        };
        let spread = workbook(&[(0, 0, "a"), (99, 99, "b")]);
        let e = read_xlsx(&spread, &limits).unwrap_err();
        assert_eq!(e.limit.map(|l| l.bound), Some(Bound::Cells));
        let commas = ",".repeat(99) + "\n";
        let e = read_csv(commas.repeat(20).as_bytes(), &limits).unwrap_err();
        assert_eq!(e.limit.map(|l| l.bound), Some(Bound::Cells));
    }

    #[test]
    fn a_workbook_with_a_value_in_its_far_corner_is_refused_by_its_extent() {
        let far = workbook(&[(0, 0, "统一社会信用代码"), (1_048_575, 16_383, "x")]);
        assert!(far.len() < 10_000, "{} bytes", far.len());
        let e = read_xlsx(&far, &UploadLimits::default()).unwrap_err();
        let limit = e.limit.unwrap();
        assert_eq!(limit.bound, Bound::Rows);
        assert!(limit.detail.contains("XFD1048576"), "{}", limit.detail);
        let (h, rows) = read_xlsx(
            &workbook(&[(1, 1, "代码"), (1, 2, "名称"), (3, 2, "x")]),
            &UploadLimits::default(),
        )
        .unwrap();
        assert_eq!(h, ["代码", "名称"]);
        assert_eq!(rows, [vec!["", ""], vec!["", "x"]]);
    }
}
