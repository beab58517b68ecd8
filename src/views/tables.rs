//! Reports as tables — Chinese headers and rows of text and number cells — the form their CSV
//! and .xlsx downloads take (`exchange::tables` writes them).

/// A table of a report: Chinese headers and rows of cells.
pub struct Table {
    pub sheet: &'static str,
    pub headers: Vec<&'static str>,
    pub rows: Vec<Vec<Cell>>,
}

/// A cell: text or a number (numbers stay numbers in the workbook).
#[derive(Clone)]
pub enum Cell {
    Text(String),
    Number(f64),
    Empty,
}

impl Cell {
    pub fn text(&self) -> String {
        match self {
            Cell::Text(t) => t.clone(),
            Cell::Number(n) => n.to_string(),
            Cell::Empty => String::new(),
        }
    }
}
