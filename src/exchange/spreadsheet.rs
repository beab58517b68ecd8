//! Yearly performance figures (亩均论英雄 data) from the spreadsheets parks collect: CSV (UTF-8,
//! with or without a BOM, or GBK as Excel saves it in China) or .xlsx, one enterprise a row,
//! Chinese headers. Reading is all-or-nothing: a missing or misspelt column names the column;
//! each bad row is reported with its row number and the columns that are wrong.

use crate::domain::FieldError;
use crate::domain::performance::{FigureRow, YearFigures, check_figures};
use crate::domain::register::Rejection;
use crate::domain::uscc::Uscc;

/// A column of the sheet: its key and the headers it may carry.
struct Column {
    key: &'static str,
    headers: &'static [&'static str],
    required: bool,
}

const COLUMNS: &[Column] = &[
    Column {
        key: "uscc",
        headers: &["统一社会信用代码", "信用代码", "uscc"],
        required: true,
    },
    Column {
        key: "name",
        headers: &["企业名称", "name"],
        required: false,
    },
    Column {
        key: "revenue",
        headers: &["营业收入(万元)", "revenue_wan_yuan"],
        required: true,
    },
    Column {
        key: "tax",
        headers: &["实缴税金(万元)", "税收(万元)", "tax_wan_yuan"],
        required: true,
    },
    Column {
        key: "value_added",
        headers: &["工业增加值(万元)", "增加值(万元)", "value_added_wan_yuan"],
        required: true,
    },
    Column {
        key: "energy",
        headers: &["综合能耗(吨标煤)", "能耗(吨标煤)", "energy_tce"],
        required: true,
    },
    Column {
        key: "emissions",
        headers: &["排放当量(吨)", "主要污染物排放当量(吨)", "emissions_t"],
        required: true,
    },
    Column {
        key: "electricity",
        headers: &["用电量(千瓦时)", "electricity_kwh"],
        required: false,
    },
    Column {
        key: "rd",
        headers: &["研发经费(万元)", "rd_wan_yuan"],
        required: true,
    },
    Column {
        key: "staff",
        headers: &["年平均职工人数(人)", "从业人员(人)", "staff"],
        required: true,
    },
];

/// A header as people type it: full-width brackets and spaces do not matter.
fn normalise(h: &str) -> String {
    h.trim()
        .trim_start_matches('\u{feff}')
        .replace('（', "(")
        .replace('）', ")")
        .replace([' ', '\u{3000}'], "")
        .to_lowercase()
}

/// Edit distance by characters, to suggest the column a misspelt header meant.
fn distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            cur.push(
                (prev[j] + usize::from(ca != cb))
                    .min(prev[j + 1] + 1)
                    .min(cur[j] + 1),
            );
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Why a sheet cannot be read at all (its columns), or which rows are bad.
#[derive(Debug, Clone, PartialEq)]
pub enum SheetError {
    Columns(Vec<FieldError>),
    Rows(Vec<Rejection>),
}

/// Map the header row to column keys; every required column present, no unknown one.
fn columns(headers: &[String]) -> Result<Vec<Option<&'static str>>, Vec<FieldError>> {
    let mut e = Vec::new();
    let mut keys = Vec::new();
    for (i, h) in headers.iter().enumerate() {
        let n = normalise(h);
        if n.is_empty() {
            keys.push(None);
            continue;
        }
        match COLUMNS
            .iter()
            .find(|c| c.headers.iter().any(|x| normalise(x) == n))
        {
            Some(c) if keys.contains(&Some(c.key)) => {
                e.push(
                    FieldError::new(
                        format!("column {}", i + 1),
                        format!("`{}` repeats a column already given", h.trim()),
                    )
                    .zh(format!("`{}` 与前面的列重复", h.trim())),
                );
                keys.push(None);
            }
            Some(c) => keys.push(Some(c.key)),
            None => {
                let guess = COLUMNS
                    .iter()
                    .flat_map(|c| c.headers.iter())
                    .min_by_key(|x| distance(&normalise(x), &n))
                    .copied()
                    .unwrap_or("");
                e.push(
                    FieldError::new(
                        format!("column {}", i + 1),
                        format!(
                            "`{}` is not a column of the sheet — did you mean `{guess}`?",
                            h.trim()
                        ),
                    )
                    .zh(format!("`{}` 不是此表的列——是否是指 `{guess}`？", h.trim())),
                );
                keys.push(None);
            }
        }
    }
    for c in COLUMNS.iter().filter(|c| c.required) {
        if !keys.contains(&Some(c.key)) {
            e.push(
                FieldError::new(
                    c.headers[0],
                    format!("the sheet has no column `{}`", c.headers[0]),
                )
                .zh(format!("表中缺少 `{}` 列", c.headers[0])),
            );
        }
    }
    if e.is_empty() { Ok(keys) } else { Err(e) }
}

fn header_of(key: &str) -> &'static str {
    COLUMNS
        .iter()
        .find(|c| c.key == key)
        .map_or("", |c| c.headers[0])
}

/// Read the rows of a sheet (header first) into checked figures.
pub fn figures(headers: &[String], rows: &[Vec<String>]) -> Result<Vec<FigureRow>, SheetError> {
    let keys = columns(headers).map_err(SheetError::Columns)?;
    let mut out = Vec::new();
    let mut rejected = Vec::new();
    let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
    for (i, cells) in rows.iter().enumerate() {
        let row = i + 2;
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let cell = |key: &str| {
            keys.iter()
                .position(|k| *k == Some(key))
                .and_then(|p| cells.get(p))
                .map_or("", |c| c.trim())
        };
        let mut reasons = Vec::new();
        // An empty cell is a figure not reported (None), not a zero.
        let reported = |key: &str, reasons: &mut Vec<String>| -> Option<f64> {
            let raw = cell(key).replace(',', "");
            if raw.is_empty() {
                return None;
            }
            match raw.parse::<f64>() {
                Ok(v) if v.is_finite() => Some(v),
                _ => {
                    reasons.push(format!(
                        "column {}: `{raw}` is not a number",
                        header_of(key)
                    ));
                    Some(0.0)
                }
            }
        };
        let number = |key: &str, reasons: &mut Vec<String>| reported(key, reasons).unwrap_or(0.0);
        let wan =
            |key: &str, reasons: &mut Vec<String>| (number(key, reasons) * 10_000.0).round() as i64;
        let uscc = match Uscc::parse("uscc", cell("uscc")) {
            Ok(u) => u.as_str().to_owned(),
            Err(e) => {
                reasons.push(format!("column {}: {}", header_of("uscc"), e.message));
                cell("uscc").to_owned()
            }
        };
        if !seen.insert(uscc.clone()) {
            reasons.push(format!(
                "column {}: {uscc} is given on an earlier row too",
                header_of("uscc")
            ));
        }
        let figures = YearFigures {
            revenue_yuan: wan("revenue", &mut reasons),
            tax_yuan: wan("tax", &mut reasons),
            value_added_yuan: wan("value_added", &mut reasons),
            energy_tce: reported("energy", &mut reasons),
            emissions_t: reported("emissions", &mut reasons),
            electricity_kwh: reported("electricity", &mut reasons),
            rd_yuan: wan("rd", &mut reasons),
            staff: number("staff", &mut reasons).round() as i64,
        };
        let names = [
            ("revenue_wan_yuan", "revenue"),
            ("tax_wan_yuan", "tax"),
            ("value_added_wan_yuan", "value_added"),
            ("energy_tce", "energy"),
            ("emissions_t", "emissions"),
            ("electricity_kwh", "electricity"),
            ("rd_wan_yuan", "rd"),
            ("staff", "staff"),
        ];
        for e in check_figures(&figures, "") {
            let column = names
                .iter()
                .find(|(f, _)| *f == e.field)
                .map_or(e.field.as_str(), |(_, k)| header_of(k));
            reasons.push(format!("column {column}: {}", e.message));
        }
        if reasons.is_empty() {
            out.push(FigureRow {
                row,
                uscc,
                name: Some(cell("name").to_owned()).filter(|n| !n.is_empty()),
                figures,
            });
        } else {
            rejected.push(Rejection {
                feature: row,
                code: Some(uscc).filter(|u| !u.is_empty()),
                reasons: reasons
                    .into_iter()
                    .map(|r| format!("row {row}, {r}"))
                    .collect(),
            });
        }
    }
    if rejected.is_empty() {
        Ok(out)
    } else {
        Err(SheetError::Rows(rejected))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| (*x).to_owned()).collect()
    }

    const HEADERS: &[&str] = &[
        "统一社会信用代码",
        "企业名称",
        "营业收入（万元）",
        "实缴税金(万元)",
        "工业增加值(万元)",
        "综合能耗(吨标煤)",
        "排放当量(吨)",
        "研发经费(万元)",
        "年平均职工人数(人)",
    ];

    #[test]
    fn a_good_sheet() {
        let code = crate::domain::uscc::with_check("91361021MA3500001").unwrap();
        let rows = vec![
            s(&[
                &code,
                "江西赣电科技有限公司",
                "20,000",
                "1000",
                "4000",
                "2500",
                "100",
                "600",
                "250",
            ]),
            s(&["", "", "", "", "", "", "", "", ""]),
        ];
        let got = figures(&s(HEADERS), &rows).unwrap();
        assert_eq!(got.len(), 1, "blank rows are skipped");
        assert_eq!(got[0].figures.revenue_yuan, 200_000_000);
        assert_eq!(got[0].figures.staff, 250);
        assert_eq!(got[0].row, 2);
    }

    #[test]
    fn missing_and_misspelt_columns_are_named() {
        let mut h = s(HEADERS);
        h[2] = "营业收人(万元)".into();
        h.pop();
        let Err(SheetError::Columns(e)) = figures(&h, &[]) else {
            panic!("accepted")
        };
        assert_eq!(e[0].field, "column 3");
        assert!(
            e[0].message.contains("did you mean `营业收入(万元)`"),
            "{}",
            e[0].message
        );
        let missing: Vec<&str> = e.iter().skip(1).map(|x| x.field.as_str()).collect();
        assert_eq!(missing, ["营业收入(万元)", "年平均职工人数(人)"]);
    }

    #[test]
    fn bad_rows_name_their_row_and_column() {
        let code = crate::domain::uscc::with_check("91361021MA3500001").unwrap();
        let rows = vec![
            s(&[&code, "a", "100", "-5", "40", "x", "1", "0", "10"]),
            s(&[
                "91361021MA35000019",
                "b",
                "100",
                "5",
                "40",
                "1",
                "1",
                "0",
                "10",
            ]),
            s(&[&code, "c", "100", "5", "40", "1", "1", "0", "10"]),
        ];
        let Err(SheetError::Rows(r)) = figures(&s(HEADERS), &rows) else {
            panic!("accepted")
        };
        assert_eq!(r.iter().map(|x| x.feature).collect::<Vec<_>>(), [2, 3, 4]);
        assert!(
            r[0].reasons
                .iter()
                .any(|m| m.starts_with("row 2, column 综合能耗(吨标煤): `x` is not a number")),
            "{:?}",
            r[0].reasons
        );
        assert!(
            r[0].reasons
                .iter()
                .any(|m| m.starts_with("row 2, column 实缴税金(万元): must be 0 or more")),
            "{:?}",
            r[0].reasons
        );
        assert!(
            r[1].reasons[0].contains("fails its check"),
            "{:?}",
            r[1].reasons
        );
        assert!(
            r[2].reasons[0].contains("earlier row"),
            "{:?}",
            r[2].reasons
        );
    }
}
