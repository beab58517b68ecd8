//! `/api/parks/{park_id}/reports/pipeline`: the investment pipeline for a period (招商项目调度)
//! as JSON, CSV or an .xlsx workbook with Chinese headers. The figures come from
//! `domain::pipeline`; each format shows the same numbers.

use crate::api::http::access::{Need, Of, authorize};
use crate::api::http::download::{CSV, XLSX, download};
use crate::api::http::query::Query;
use crate::api::http::scope::period;
use crate::api::{AppState, report_response};
use crate::error::{ApiError, ReadProblems};
use crate::exchange::tables::{csv_of, xlsx_of};
use crate::views::pipeline::{PipelineReport, pipeline_tables};
use actix_web::{HttpRequest, HttpResponse, get, web};

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(pipeline_report);
}

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
    let r = state
        .run(move |c| crate::ops::reports::pipeline(c, park_id, from, to))
        .await?;
    let file = format!("招商项目调度_{from}_{to}");
    match q.text("format").unwrap_or("json") {
        "json" => report_response(&state, move || Ok(r)).await,
        "xlsx" => Ok(download(
            state
                .compute(move || xlsx_of(&pipeline_tables(&r)).map_err(|e| ApiError::internal(&e)))
                .await?,
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
                    Ok((
                        csv_of(&tables[index]).map_err(|e| ApiError::internal(&e))?,
                        tables[index].sheet,
                    ))
                })
                .await?;
            Ok(download(bytes, CSV, &format!("{file}_{sheet}.csv")))
        }
        other => Err(ApiError::invalid_parameter(format!(
            "format must be json, csv or xlsx, got `{other}`"
        ))),
    }
}
