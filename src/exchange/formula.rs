//! Text cells that a spreadsheet will not run: CSV and formula injection (OWASP).
//!
//! A cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return is read by Excel,
//! WPS and LibreOffice as a formula — `=cmd|' /C calc'!A0` starts a program on the reader's
//! machine. Every text cell the service writes to CSV goes through [`csv_text`], which puts an
//! apostrophe in front of such text, as OWASP recommends (the spreadsheet then shows the text
//! as it is, with the apostrophe). In .xlsx text is stored as text and never evaluated; cells
//! that would be dangerous once copied or re-saved as CSV are written with Excel's "quote
//! prefix" style ([`looks_like_formula`]), which keeps them text when edited and shows no
//! apostrophe. Numbers are written as numbers and are not touched.

use std::borrow::Cow;

/// Whether a spreadsheet would take this text for a formula.
pub fn looks_like_formula(text: &str) -> bool {
    text.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// The text as a CSV cell that opens as text.
pub fn csv_text(text: &str) -> Cow<'_, str> {
    if looks_like_formula(text) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_and_plain_text_is_left_alone() {
        assert_eq!(csv_text("=cmd|' /C calc'!A0"), "'=cmd|' /C calc'!A0");
        for risky in ["+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"] {
            assert!(csv_text(risky).starts_with('\''), "{risky:?}");
        }
        for plain in ["江西赣电科技有限公司", "361021001001GB00001", "A-1", ""] {
            assert_eq!(csv_text(plain), plain);
        }
    }
}
