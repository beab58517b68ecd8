//! `/api/parks/{park_id}/reports/pipeline`: the investment pipeline for a period (招商项目调度)
//! as JSON, CSV or an .xlsx workbook with Chinese headers. The figures come from
//! `domain::pipeline`; each format shows the same numbers.

use crate::api::http::access::{Need, Of, authorize};
use crate::api::http::download::{CSV, ReportFormat, XLSX, download, keyed_csv};
use crate::api::http::params::{Params, de};
use crate::api::http::scope::period;
use crate::api::{AppState, report_response};
use crate::error::{ApiError, ReadProblems};
use crate::exchange::tables::xlsx_of;
use crate::views::pipeline::{PipelineReport, pipeline_tables};
use crate::views::tables::Table;
use actix_web::{HttpResponse, get, web};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::IntoParams;

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(pipeline_report);
}

/// A pipeline report's period and format.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PipelineParams {
    /// First day, YYYY-MM-DD (default 1 January of `to`'s year).
    #[serde(default, deserialize_with = "de::day")]
    #[param(value_type = Option<String>, format = Date)]
    pub from: Option<NaiveDate>,
    /// Last day, YYYY-MM-DD (default today).
    #[serde(default, deserialize_with = "de::day")]
    #[param(value_type = Option<String>, format = Date)]
    pub to: Option<NaiveDate>,
    /// `json` (default), `csv` (the table named by `table`) or `xlsx` (every table, one sheet
    /// each).
    #[serde(default, deserialize_with = "de::one")]
    #[param(value_type = Option<String>)]
    pub format: Option<ReportFormat>,
    /// For CSV: `units` (default), `cells`, `thresholds`, `blank` or `enclaves`.
    pub table: Option<String>,
}

/// The investment pipeline for a period: by stage × responsible unit × size band (fixed-asset
/// investment cut at the park's `size_bands_wan_yuan`), the projects at or above each
/// threshold, signed and started per unit, fixed-asset investment completed against
/// the yearly plan, and the units with no signed or no started project (白卷).
#[utoipa::path(
    tag = "reports",
    operation_id = "get_pipeline_report",
    params(
        ("park_id" = i64, Path, description = "Park id"),
        PipelineParams,
    ),
    responses(
        (status = 200, body = PipelineReport, description = "JSON; CSV (text/csv) and .xlsx are the same figures"),
        ReadProblems
    )
)]
#[get("/api/parks/{park_id}/reports/pipeline")]
pub async fn pipeline_report(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    caller: crate::domain::access::Caller,
    params: Params<PipelineParams>,
) -> Result<HttpResponse, ApiError> {
    let park_id = path.into_inner();
    authorize(&state, &caller, Of::Park(park_id), Need::ReadRegister).await?;
    let q = params.read()?;
    let (from, to) = period(q.from, q.to, state.today())?;
    let r = state
        .run(move |c| crate::ops::reports::pipeline(c, park_id, from, to))
        .await?;
    let file = format!("招商项目调度_{from}_{to}");
    let english = format!("pipeline_{from}_{to}");
    match q.format.unwrap_or_default() {
        ReportFormat::Json => report_response(&state, move || Ok(r)).await,
        ReportFormat::Xlsx => Ok(download(
            state
                .compute(move || {
                    let tables: Vec<Table> =
                        pipeline_tables(&r).into_iter().map(|(_, t)| t).collect();
                    xlsx_of(&tables).map_err(|e| ApiError::internal(&e))
                })
                .await?,
            XLSX,
            &format!("{file}.xlsx"),
            &format!("{english}.xlsx"),
        )),
        ReportFormat::Csv => {
            let wanted = q.table.unwrap_or_else(|| "units".to_owned());
            let (bytes, sheet) = state
                .compute({
                    let wanted = wanted.clone();
                    move || keyed_csv(&pipeline_tables(&r), &wanted)
                })
                .await?;
            Ok(download(
                bytes,
                CSV,
                &format!("{file}_{sheet}.csv"),
                &format!("{english}_{wanted}.csv"),
            ))
        }
    }
}
