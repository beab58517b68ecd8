//! Report tables as files: CSV (UTF-8 with a BOM, so Excel reads the Chinese headers) and
//! .xlsx (one sheet per table, bold headers, numbers as numbers). Text that a spreadsheet would
//! run as a formula is neutralised (`formula`).

use super::formula::{csv_text, looks_like_formula};
use crate::views::tables::{Cell, Table};

/// CSV of one table, UTF-8 with a BOM so Excel reads the Chinese headers.
pub fn csv_of(t: &Table) -> Result<Vec<u8>, super::ExchangeError> {
    let mut w = csv::Writer::from_writer(vec![0xEF, 0xBB, 0xBF]);
    w.write_record(&t.headers)
        .map_err(|e| super::ExchangeError::new(e.to_string()))?;
    for row in &t.rows {
        w.write_record(row.iter().map(|c| match c {
            Cell::Text(s) => csv_text(s).into_owned(),
            other => other.text(),
        }))
        .map_err(|e| super::ExchangeError::new(e.to_string()))?;
    }
    w.into_inner()
        .map_err(|e| super::ExchangeError::new(e.to_string()))
}

/// An .xlsx workbook, one sheet per table, bold headers, numbers as numbers.
pub fn xlsx_of(tables: &[Table]) -> Result<Vec<u8>, super::ExchangeError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let as_text = Format::new().set_quote_prefix();
    for t in tables {
        let sheet = book.add_worksheet();
        sheet
            .set_name(t.sheet)
            .map_err(|e| super::ExchangeError::new(e.to_string()))?;
        for (c, h) in t.headers.iter().enumerate() {
            sheet
                .write_string_with_format(0, c as u16, *h, &bold)
                .map_err(|e| super::ExchangeError::new(e.to_string()))?;
            sheet
                .set_column_width(c as u16, 16)
                .map_err(|e| super::ExchangeError::new(e.to_string()))?;
        }
        for (r, row) in t.rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let (r, c) = (r as u32 + 1, c as u16);
                match cell {
                    Cell::Text(s) if looks_like_formula(s) => sheet
                        .write_string_with_format(r, c, s, &as_text)
                        .map(|_| ()),
                    Cell::Text(s) => sheet.write_string(r, c, s).map(|_| ()),
                    Cell::Number(n) => sheet.write_number(r, c, *n).map(|_| ()),
                    Cell::Empty => Ok(()),
                }
                .map_err(|e| super::ExchangeError::new(e.to_string()))?;
            }
        }
    }
    book.save_to_buffer()
        .map_err(|e| super::ExchangeError::new(e.to_string()))
}
