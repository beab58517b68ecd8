//! `/api/parks/{park_id}/reports/dispatch`: the monthly dispatch report (月调度) in one place —
//! the investment pipeline from 1 January to the month's end (年初至本月累计), construction
//! deadlines, idle land and 五未 totals, workshop occupancy and idle units, and the 亩均 classes
//! of the latest evaluation year — as JSON, CSV or an .xlsx workbook, one sheet per section.
//!
//! Each section is computed by the same function as its own endpoint, from the same loads, so
//! the report and the endpoints cannot disagree: the pipeline is
//! `/reports/pipeline?from={year}-01-01&to={end}`, the deadlines `/api/workshop-deadlines`, the
//! land totals `/api/idle-land` and `/api/underused-land`, the estate `/api/occupancy` and
//! `/api/idle-units`, all with `park_id` and `as_of={end}`; the classes are
//! `/api/parks/{id}/evaluation?year={year − 1}` (last year's figures are the latest complete).

use crate::api::http::access::{Need, Of, authorize};
use crate::api::http::download::{CSV, ReportFormat, XLSX, download, keyed_csv};
use crate::api::http::params::{Params, de};
use crate::api::http::scope::month;
use crate::api::{AppState, report_response};
use crate::domain::access::Caller;
use crate::error::{ApiError, ReadProblems};
use crate::exchange::tables::xlsx_of;
use crate::views::dispatch::{DispatchReport, dispatch_tables};
use crate::views::tables::Table;
use actix_web::{HttpResponse, get, web};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::IntoParams;

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(dispatch_report);
}

/// A dispatch report's month and format.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DispatchParams {
    /// YYYY-MM (default the month just ended).
    #[serde(default, deserialize_with = "de::first_of_month")]
    #[param(value_type = Option<String>)]
    pub month: Option<NaiveDate>,
    /// `json` (default), `csv` (the table named by `table`) or `xlsx` (every table, one sheet
    /// each).
    #[serde(default, deserialize_with = "de::one")]
    #[param(value_type = Option<String>)]
    pub format: Option<ReportFormat>,
    /// For CSV: summary (default), units, cells, thresholds, blank, enclaves, deadlines, land,
    /// occupancy, idle_units or classes.
    pub table: Option<String>,
}

/// The monthly dispatch report (月调度) of a park: the pipeline (year to the month's end) by
/// stage and responsible unit, construction deadlines overdue and due within 30 days, idle land
/// and 五未 totals, workshop occupancy and idle units, and the 亩均 classes of last year — each
/// the same figures as its own endpoint on the month's last day.
#[utoipa::path(
    tag = "reports",
    operation_id = "get_dispatch_report",
    params(
        ("park_id" = i64, Path, description = "Park id"),
        DispatchParams,
    ),
    responses(
        (status = 200, body = DispatchReport, description = "JSON; CSV (text/csv) and .xlsx are the same figures"),
        ReadProblems
    )
)]
#[get("/api/parks/{park_id}/reports/dispatch")]
pub async fn dispatch_report(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    caller: Caller,
    params: Params<DispatchParams>,
) -> Result<HttpResponse, ApiError> {
    let park_id = path.into_inner();
    authorize(&state, &caller, Of::Park(park_id), Need::ReadRegister).await?;
    let q = params.read()?;
    let (name, from, as_of) = month(q.month, state.today())?;
    let today = state.today();
    let r = state
        .run_watching(move |c, m| {
            crate::ops::reports::dispatch(c, m, park_id, name, from, as_of, today)
        })
        .await?;
    let file = format!("月调度_{}_{}", r.park_name, r.month);
    let english = format!("dispatch_park-{park_id}_{}", r.month);
    match q.format.unwrap_or_default() {
        ReportFormat::Xlsx => {
            let bytes = state
                .compute(move || {
                    let tables: Vec<Table> =
                        dispatch_tables(&r).into_iter().map(|(_, t)| t).collect();
                    xlsx_of(&tables).map_err(|e| ApiError::internal(&e))
                })
                .await?;
            Ok(download(
                bytes,
                XLSX,
                &format!("{file}.xlsx"),
                &format!("{english}.xlsx"),
            ))
        }
        ReportFormat::Csv => {
            let wanted = q.table.unwrap_or_else(|| "summary".to_owned());
            let (bytes, sheet) = state
                .compute({
                    let wanted = wanted.clone();
                    move || keyed_csv(&dispatch_tables(&r), &wanted)
                })
                .await?;
            Ok(download(
                bytes,
                CSV,
                &format!("{file}_{sheet}.csv"),
                &format!("{english}_{wanted}.csv"),
            ))
        }
        ReportFormat::Json => report_response(&state, move || Ok(r)).await,
    }
}
