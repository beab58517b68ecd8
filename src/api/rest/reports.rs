//! `/api/parks/{park_id}/reports/pipeline`: the investment pipeline for a period (招商项目调度)
//! as JSON, CSV or an .xlsx workbook with Chinese headers. The figures come from
//! `domain::pipeline`; each format shows the same numbers.

use crate::api::http::access::{Need, Of, authorize};
use crate::api::http::query::Query;
use crate::api::{AppState, report_response};
use crate::domain::pipeline::{Amounts, PipelineProject, report};
use crate::domain::project::{SizeBand, Stage, yuan_to_wan};
use crate::error::{ApiError, ReadProblems};
use crate::exchange::formula::{csv_text, looks_like_formula};
use crate::store;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(pipeline_report);
}

#[derive(Serialize, ToSchema, Clone, Copy)]
pub struct AmountsView {
    pub count: i64,
    /// 签约投资, 万元.
    pub signed_investment_wan_yuan: f64,
    /// 固定资产投资, 万元.
    pub fixed_asset_investment_wan_yuan: f64,
}

impl From<Amounts> for AmountsView {
    fn from(a: Amounts) -> Self {
        Self {
            count: a.count,
            signed_investment_wan_yuan: yuan_to_wan(a.signed_investment_yuan),
            fixed_asset_investment_wan_yuan: yuan_to_wan(a.fixed_asset_investment_yuan),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CellView {
    pub stage: Stage,
    pub stage_name: &'static str,
    pub unit_id: i64,
    pub unit_name: String,
    pub size_band: SizeBand,
    pub size_band_name: &'static str,
    #[serde(flatten)]
    pub amounts: AmountsView,
}

#[derive(Serialize, ToSchema)]
pub struct UnitLineView {
    pub unit_id: i64,
    pub unit_name: String,
    pub kind: String,
    /// Projects first signed (签约) in the period.
    pub signed: AmountsView,
    /// Projects first started (开工) in the period.
    pub started: AmountsView,
    /// Fixed-asset investment completed in the period, 万元.
    pub completed_wan_yuan: f64,
    /// The unit's plan for the year, 万元.
    pub plan_wan_yuan: Option<f64>,
    /// Completed ÷ plan, percent.
    pub completion_pct: Option<f64>,
}

#[derive(Serialize, ToSchema)]
pub struct StageTotal {
    pub stage: Stage,
    pub stage_name: &'static str,
    #[serde(flatten)]
    pub amounts: AmountsView,
}

#[derive(Serialize, ToSchema)]
pub struct PipelineReport {
    pub park_id: i64,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Projects by the stage they stood at on `to`, responsible unit and size band.
    pub cells: Vec<CellView>,
    pub by_stage: Vec<StageTotal>,
    pub total: AmountsView,
    pub by_unit: Vec<UnitLineView>,
    /// 白卷: units that signed nothing, and that started nothing, in the period.
    pub units_without_signed: Vec<String>,
    pub units_without_started: Vec<String>,
}

/// The report for a park and period.
pub async fn pipeline(
    state: &AppState,
    park_id: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<PipelineReport, ApiError> {
    let (projects, units) = state
        .run(move |c| {
            Ok((
                store::projects::list(c, Some(&[park_id]), None)?,
                store::projects::units(c)?,
            ))
        })
        .await?;
    state
        .compute(move || Ok(pipeline_view(park_id, from, to, &projects, &units)))
        .await
}

/// The pipeline report of a park's projects and the investment units.
fn pipeline_view(
    park_id: i64,
    from: NaiveDate,
    to: NaiveDate,
    projects: &[crate::store::projects::Project],
    units: &[crate::store::projects::InvestmentUnit],
) -> PipelineReport {
    let plans: BTreeMap<i64, Vec<(i32, i64)>> =
        units.iter().map(|u| (u.id, u.plans.clone())).collect();
    let names: BTreeMap<i64, (String, String)> = units
        .iter()
        .map(|u| (u.id, (u.name.clone(), u.kind.clone())))
        .collect();
    let inputs: Vec<PipelineProject<'_>> = projects
        .iter()
        .map(|p| PipelineProject {
            unit_id: p.responsible_unit_id,
            signed_investment_yuan: p.signed_investment_yuan,
            fixed_asset_investment_yuan: p.fixed_asset_investment_yuan,
            stages: &p.stages,
            investment: &p.investment,
        })
        .collect();
    let r = report(&inputs, &plans, from, to);
    let name = |id: i64| names.get(&id).map_or_else(String::new, |n| n.0.clone());
    PipelineReport {
        park_id,
        from,
        to,
        cells: r
            .cells
            .iter()
            .map(|((stage, unit, band), a)| CellView {
                stage: *stage,
                stage_name: stage.label_zh(),
                unit_id: *unit,
                unit_name: name(*unit),
                size_band: *band,
                size_band_name: band.label_zh(),
                amounts: (*a).into(),
            })
            .collect(),
        by_stage: r
            .by_stage
            .iter()
            .map(|(s, a)| StageTotal {
                stage: *s,
                stage_name: s.label_zh(),
                amounts: (*a).into(),
            })
            .collect(),
        total: r.total.into(),
        by_unit: r
            .by_unit
            .iter()
            .map(|(id, l)| UnitLineView {
                unit_id: *id,
                unit_name: name(*id),
                kind: names.get(id).map_or_else(String::new, |n| n.1.clone()),
                signed: l.signed.into(),
                started: l.started.into(),
                completed_wan_yuan: yuan_to_wan(l.completed_yuan),
                plan_wan_yuan: l.plan_yuan.map(yuan_to_wan),
                completion_pct: l.completion_pct,
            })
            .collect(),
        units_without_signed: r.no_signed.iter().map(|id| name(*id)).collect(),
        units_without_started: r.no_started.iter().map(|id| name(*id)).collect(),
    }
}

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
    fn text(&self) -> String {
        match self {
            Cell::Text(t) => t.clone(),
            Cell::Number(n) => n.to_string(),
            Cell::Empty => String::new(),
        }
    }
}

fn opt(v: Option<f64>) -> Cell {
    v.map_or(Cell::Empty, Cell::Number)
}

/// The report's tables, in the order of the workbook's sheets.
pub fn pipeline_tables(r: &PipelineReport) -> Vec<Table> {
    let units = Table {
        sheet: "调度汇总",
        headers: vec![
            "招商单位",
            "类型",
            "签约项目数",
            "签约金额(万元)",
            "开工项目数",
            "开工项目固定资产投资(万元)",
            "固定资产投资完成额(万元)",
            "年度计划(万元)",
            "计划完成率(%)",
        ],
        rows: r
            .by_unit
            .iter()
            .map(|u| {
                vec![
                    Cell::Text(u.unit_name.clone()),
                    Cell::Text(if u.kind == "township" {
                        "乡镇".into()
                    } else {
                        "部门".into()
                    }),
                    Cell::Number(u.signed.count as f64),
                    Cell::Number(u.signed.signed_investment_wan_yuan),
                    Cell::Number(u.started.count as f64),
                    Cell::Number(u.started.fixed_asset_investment_wan_yuan),
                    Cell::Number(u.completed_wan_yuan),
                    opt(u.plan_wan_yuan),
                    opt(u.completion_pct),
                ]
            })
            .collect(),
    };
    let cells = Table {
        sheet: "项目分布",
        headers: vec![
            "项目阶段",
            "招商单位",
            "投资规模",
            "项目数",
            "签约投资(万元)",
            "固定资产投资(万元)",
        ],
        rows: r
            .cells
            .iter()
            .map(|c| {
                vec![
                    Cell::Text(c.stage_name.into()),
                    Cell::Text(c.unit_name.clone()),
                    Cell::Text(c.size_band_name.into()),
                    Cell::Number(c.amounts.count as f64),
                    Cell::Number(c.amounts.signed_investment_wan_yuan),
                    Cell::Number(c.amounts.fixed_asset_investment_wan_yuan),
                ]
            })
            .chain(std::iter::once(vec![
                Cell::Text("合计".into()),
                Cell::Empty,
                Cell::Empty,
                Cell::Number(r.total.count as f64),
                Cell::Number(r.total.signed_investment_wan_yuan),
                Cell::Number(r.total.fixed_asset_investment_wan_yuan),
            ]))
            .collect(),
    };
    let blank = Table {
        sheet: "白卷单位",
        headers: vec!["类别", "招商单位"],
        rows: r
            .units_without_signed
            .iter()
            .map(|u| vec![Cell::Text("本期无签约项目".into()), Cell::Text(u.clone())])
            .chain(
                r.units_without_started
                    .iter()
                    .map(|u| vec![Cell::Text("本期无开工项目".into()), Cell::Text(u.clone())]),
            )
            .collect(),
    };
    vec![units, cells, blank]
}

/// CSV of one table, UTF-8 with a BOM so Excel reads the Chinese headers.
pub fn csv_of(t: &Table) -> Result<Vec<u8>, ApiError> {
    let mut w = csv::Writer::from_writer(vec![0xEF, 0xBB, 0xBF]);
    w.write_record(&t.headers)
        .map_err(|e| ApiError::internal(&e))?;
    for row in &t.rows {
        w.write_record(row.iter().map(|c| match c {
            Cell::Text(s) => csv_text(s).into_owned(),
            other => other.text(),
        }))
        .map_err(|e| ApiError::internal(&e))?;
    }
    w.into_inner().map_err(|e| ApiError::internal(&e))
}

/// An .xlsx workbook, one sheet per table, bold headers, numbers as numbers.
pub fn xlsx_of(tables: &[Table]) -> Result<Vec<u8>, ApiError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let as_text = Format::new().set_quote_prefix();
    for t in tables {
        let sheet = book.add_worksheet();
        sheet
            .set_name(t.sheet)
            .map_err(|e| ApiError::internal(&e))?;
        for (c, h) in t.headers.iter().enumerate() {
            sheet
                .write_string_with_format(0, c as u16, *h, &bold)
                .map_err(|e| ApiError::internal(&e))?;
            sheet
                .set_column_width(c as u16, 16)
                .map_err(|e| ApiError::internal(&e))?;
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
                .map_err(|e| ApiError::internal(&e))?;
            }
        }
    }
    book.save_to_buffer().map_err(|e| ApiError::internal(&e))
}

/// A download with its file name (RFC 6266, UTF-8 name for the Chinese title).
pub fn download(bytes: Vec<u8>, media: &'static str, file: &str) -> HttpResponse {
    let ascii: String = file
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = url::form_urlencoded::byte_serialize(file.as_bytes()).collect();
    let disposition = format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        encoded.replace('+', "%20")
    );
    let mut r = HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, HeaderValue::from_static(media)))
        .body(bytes);
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        r.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    r
}

/// `from`/`to` of a report: both given, in order; by default this year to date.
pub fn period(q: &Query, today: NaiveDate) -> Result<(NaiveDate, NaiveDate), ApiError> {
    let to = q.date("to")?.unwrap_or(today);
    let from = q
        .date("from")?
        .unwrap_or_else(|| NaiveDate::from_ymd_opt(to.year(), 1, 1).unwrap_or(to));
    if from > to {
        return Err(ApiError::invalid_parameter(format!(
            "the period ends ({to}) before it starts ({from})"
        )));
    }
    Ok((from, to))
}

pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
pub const CSV: &str = "text/csv; charset=utf-8";

/// The investment pipeline for a period: by stage × responsible unit × size band (≥1亿, 5000万,
/// 3000万, 1000万, 500万 元), signed and started per unit, fixed-asset investment completed against
/// the yearly plan, and the units with no signed or no started project (白卷).
#[utoipa::path(
    tag = "reports",
    operation_id = "get_pipeline_report",
    params(
        ("park_id" = i64, Path, description = "Park id"),
        ("from" = Option<String>, Query, description = "First day, YYYY-MM-DD (default 1 January of `to`'s year)"),
        ("to" = Option<String>, Query, description = "Last day, YYYY-MM-DD (default today)"),
        ("format" = Option<String>, Query, description = "`json` (default), `csv` (the table named by `table`) or `xlsx` (every table, one sheet each)"),
        ("table" = Option<String>, Query, description = "For CSV: `units` (default), `cells` or `blank`"),
    ),
    responses(
        (status = 200, body = PipelineReport, description = "JSON; CSV (text/csv) and .xlsx are the same figures"),
        ReadProblems
    )
)]
#[get("/api/parks/{park_id}/reports/pipeline")]
pub async fn pipeline_report(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    caller: crate::domain::access::Caller,
) -> Result<HttpResponse, ApiError> {
    let park_id = path.into_inner();
    authorize(&state, &caller, Of::Park(park_id), Need::ReadRegister).await?;
    let q = Query::parse(req.query_string(), &["from", "to", "format", "table"])?;
    let (from, to) = period(&q, state.today())?;
    let r = pipeline(&state, park_id, from, to).await?;
    let file = format!("招商项目调度_{from}_{to}");
    match q.text("format").unwrap_or("json") {
        "json" => report_response(&state, move || Ok(r)).await,
        "xlsx" => Ok(download(
            state.compute(move || xlsx_of(&pipeline_tables(&r))).await?,
            XLSX,
            &format!("{file}.xlsx"),
        )),
        "csv" => {
            let index = match q.text("table").unwrap_or("units") {
                "units" => 0,
                "cells" => 1,
                "blank" => 2,
                other => {
                    return Err(ApiError::invalid_parameter(format!(
                        "table must be units, cells or blank, got `{other}`"
                    )));
                }
            };
            let (bytes, sheet) = state
                .compute(move || {
                    let tables = pipeline_tables(&r);
                    Ok((csv_of(&tables[index])?, tables[index].sheet))
                })
                .await?;
            Ok(download(bytes, CSV, &format!("{file}_{sheet}.csv")))
        }
        other => Err(ApiError::invalid_parameter(format!(
            "format must be json, csv or xlsx, got `{other}`"
        ))),
    }
}
