//! `/api/parks/{park_id}/performance`, `…/evaluation-schemes` and `…/evaluation`: 亩均论英雄 —
//! enterprises' yearly figures (one by one or from a spreadsheet, all or nothing), the park's
//! scheme for a year, and the evaluation: per-亩 indicators, scores that explain themselves,
//! classes A–D, and who is not rated and why.

use crate::api::http::access::{Need, Of, authorize};
use crate::api::http::extract::{JsonBody, content_length, media_type, read_body};
use crate::api::http::params::{Params, YearParam, de};
use crate::api::http::scope;
use crate::api::{AppState, json_response};
use crate::domain::FieldError;
use crate::domain::access::Caller;
use crate::domain::performance::check_year;
use crate::domain::performance::{Scheme, YearFigures, check_figures};
use crate::domain::project::{wan_to_yuan, yuan_to_wan};
use crate::error::{ApiError, ReadProblems, WriteProblems};
use crate::exchange::sheets;
use crate::exchange::spreadsheet::{self, SheetError};
use crate::ops;
use crate::store;
use crate::views::performance::EvaluationView;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(record_figures)
        .service(list_figures)
        .service(import_figures)
        .service(get_scheme)
        .service(set_scheme)
        .service(get_evaluation);
}

const JSON: &str = "application/json";

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FiguresIn {
    pub enterprise_id: i64,
    pub year: i32,
    /// 营业收入, 万元.
    pub revenue_wan_yuan: f64,
    /// 实缴税金, 万元.
    pub tax_wan_yuan: f64,
    /// 工业增加值, 万元.
    pub value_added_wan_yuan: f64,
    /// 综合能耗, 吨标准煤. Absent or null: not reported (scored by the scheme's `missing`
    /// rule); 0 is a reported zero.
    #[serde(default)]
    pub energy_tce: Option<f64>,
    /// 主要污染物排放当量, 吨. Absent or null: not reported; 0: none emitted.
    #[serde(default)]
    pub emissions_t: Option<f64>,
    /// 用电量, kWh (the small-enterprise scheme's tax per kWh). Absent or null: not reported.
    #[serde(default)]
    pub electricity_kwh: Option<f64>,
    /// 研发经费, 万元.
    pub rd_wan_yuan: f64,
    /// 年平均职工人数.
    pub staff: i64,
}

#[derive(Serialize, ToSchema)]
pub struct FiguresView {
    pub enterprise_id: i64,
    pub enterprise_name: String,
    pub year: i32,
    pub revenue_wan_yuan: f64,
    pub tax_wan_yuan: f64,
    pub value_added_wan_yuan: f64,
    /// `null`: not reported.
    pub energy_tce: Option<f64>,
    pub emissions_t: Option<f64>,
    pub electricity_kwh: Option<f64>,
    pub rd_wan_yuan: f64,
    pub staff: i64,
}

impl FiguresView {
    fn of(id: i64, name: String, year: i32, f: &YearFigures) -> Self {
        Self {
            enterprise_id: id,
            enterprise_name: name,
            year,
            revenue_wan_yuan: yuan_to_wan(f.revenue_yuan),
            tax_wan_yuan: yuan_to_wan(f.tax_yuan),
            value_added_wan_yuan: yuan_to_wan(f.value_added_yuan),
            energy_tce: f.energy_tce,
            emissions_t: f.emissions_t,
            electricity_kwh: f.electricity_kwh,
            rd_wan_yuan: yuan_to_wan(f.rd_yuan),
            staff: f.staff,
        }
    }
}

/// Record (or replace) one enterprise's figures for a year.
#[utoipa::path(tag = "performance", operation_id = "record_performance_figures", params(("park_id" = i64, Path, description = "Park id")), request_body = FiguresIn, responses((status = 200, body = FiguresView), WriteProblems))]
#[post("/api/parks/{park_id}/performance")]
pub async fn record_figures(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    caller: Caller,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let park_id = path.into_inner();
    authorize(&state, &caller, Of::Park(park_id), Need::WriteOperations).await?;
    let b: FiguresIn = body.parse()?;
    let mut e = Vec::new();
    if let Err(x) = check_year(b.year, state.today()) {
        e.push(x);
    }
    let mut money = |field: &str, v: f64| -> i64 {
        // Negative amounts are reported by the figures' own check, with their field.
        let sign = if v < 0.0 { -1 } else { 1 };
        wan_to_yuan(field, v.abs())
            .map_err(|x| e.push(x))
            .unwrap_or(0)
            * sign
    };
    let f = YearFigures {
        revenue_yuan: money("revenue_wan_yuan", b.revenue_wan_yuan),
        tax_yuan: money("tax_wan_yuan", b.tax_wan_yuan),
        value_added_yuan: money("value_added_wan_yuan", b.value_added_wan_yuan),
        energy_tce: b.energy_tce,
        emissions_t: b.emissions_t,
        electricity_kwh: b.electricity_kwh,
        rd_yuan: money("rd_wan_yuan", b.rd_wan_yuan),
        staff: b.staff,
    };
    e.extend(check_figures(&f, ""));
    if !e.is_empty() {
        return Err(e.into());
    }
    let stamp = state.stamp(&caller);
    let name = state
        .run(move |c| {
            ops::performance::record_figures(c, park_id, b.year, &[(b.enterprise_id, f)], &stamp)?;
            Ok(store::enterprises::get(c, b.enterprise_id)?.name)
        })
        .await?;
    json_response(
        StatusCode::OK,
        JSON,
        &FiguresView::of(b.enterprise_id, name, b.year, &f),
    )
}

/// Every enterprise's figures for a park and year (default last year).
#[utoipa::path(tag = "performance", operation_id = "list_performance_figures", params(("park_id" = i64, Path, description = "Park id"), YearParam), responses((status = 200, body = Vec<FiguresView>), ReadProblems))]
#[get("/api/parks/{park_id}/performance")]
pub async fn list_figures(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    caller: Caller,
    params: Params<YearParam>,
) -> Result<HttpResponse, ApiError> {
    let park_id = path.into_inner();
    authorize(&state, &caller, Of::Park(park_id), Need::ReadRegister).await?;
    let year = scope::year(params.read()?.year, state.today(), state.today())?;
    let (figures, names) = state
        .run(move |c| {
            let f = store::performance::figures_of(c, park_id, year)?;
            let ids: Vec<i64> = f.keys().copied().collect();
            Ok((f, store::enterprises::names(c, &ids)?))
        })
        .await?;
    let mut views: Vec<FiguresView> = figures
        .iter()
        .map(|(id, f)| FiguresView::of(*id, names.get(id).cloned().unwrap_or_default(), year, f))
        .collect();
    views.sort_by_key(|v| v.enterprise_id);
    json_response(StatusCode::OK, JSON, &views)
}

#[derive(Serialize, ToSchema)]
pub struct ImportView {
    pub year: i32,
    /// Rows read (blank rows skipped).
    pub rows: usize,
    /// Enterprises whose figures were recorded (0 on a dry run).
    pub recorded: usize,
    pub dry_run: bool,
}

/// Which year a figures import is of, and whether to write it.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FiguresImportParams {
    /// The year of the figures, e.g. `?year=2025`.
    #[serde(deserialize_with = "de::required_year")]
    pub year: i32,
    /// Check and report, write nothing.
    #[serde(default, deserialize_with = "de::yes_no")]
    pub dry_run: Option<bool>,
}

/// Import a year's figures from a spreadsheet — CSV (UTF-8 or GBK) or .xlsx, Chinese headers
/// (统一社会信用代码, 营业收入(万元), 实缴税金(万元), 工业增加值(万元), 综合能耗(吨标煤), 排放当量(吨),
/// 研发经费(万元), 年平均职工人数(人); optional 企业名称, 用电量(千瓦时)). All or nothing: a missing or
/// misspelt column, or any bad row, is a 422 naming the row and column, and nothing is written.
#[utoipa::path(
    tag = "performance",
    operation_id = "import_performance_figures",
    params(("park_id" = i64, Path, description = "Park id"), FiguresImportParams),
    request_body(description = "CSV (UTF-8 or GBK) or an .xlsx workbook (its first sheet)", content(
        (Vec<u8> = "text/csv"),
        (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    )),
    responses((status = 200, body = ImportView), WriteProblems)
)]
#[post("/api/parks/{park_id}/performance/import")]
pub async fn import_figures(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    caller: Caller,
    params: Params<FiguresImportParams>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let park_id = path.into_inner();
    authorize(&state, &caller, Of::Park(park_id), Need::WriteOperations).await?;
    let q = params.read()?;
    let year = scope::year(Some(q.year), state.today(), state.today())?;
    let dry_run = q.dry_run.unwrap_or(false);
    let media = media_type(req.headers());
    let _turn = state.import_turn().await?;
    let bytes = read_body(
        payload.into_inner(),
        content_length(req.headers()),
        state.config.max_upload_bytes,
    )
    .await?;
    let is_xlsx = bytes.starts_with(b"PK")
        || media
            .as_deref()
            .is_some_and(|m| m.contains("spreadsheetml"));
    let limits = state.limits;
    let read = state
        .compute_heavy(move || {
            let (headers, rows) = if is_xlsx {
                sheets::read_xlsx(&bytes, &limits)
            } else {
                sheets::read_csv(&bytes, &limits)
            }?;
            match spreadsheet::figures(&headers, &rows) {
                Ok(r) => Ok(r),
                Err(SheetError::Columns(e)) => Err(ApiError::invalid(e)),
                Err(SheetError::Rows(rejected)) => {
                    Err(ApiError::rows_rejected(rows.len(), rejected))
                }
            }
        })
        .await?;
    let total = read.len();
    let stamp = state.stamp(&caller);
    let recorded = state
        .run(move |c| ops::performance::import_rows(c, park_id, year, &read, dry_run, &stamp))
        .await?
        .map_err(|unknown| ApiError::rows_rejected(total, unknown))?;
    json_response(
        StatusCode::OK,
        JSON,
        &ImportView {
            year,
            rows: total,
            recorded,
            dry_run,
        },
    )
}

#[derive(Serialize, ToSchema)]
pub struct SchemeView {
    pub park_id: i64,
    pub year: i32,
    /// `false`: no scheme was set for the year and the default applies.
    pub set_by_park: bool,
    #[serde(flatten)]
    pub scheme: Scheme,
}

/// The evaluation scheme in force for a park and year: the park's, or the default (the
/// weighting of `shared/domain.md`, A 20 % / B 40 % / C 35 % / D the rest).
#[utoipa::path(tag = "performance", operation_id = "get_evaluation_scheme", params(("park_id" = i64, Path, description = "Park id"), YearParam), responses((status = 200, body = SchemeView), ReadProblems))]
#[get("/api/parks/{park_id}/evaluation-scheme")]
pub async fn get_scheme(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    caller: Caller,
    params: Params<YearParam>,
) -> Result<HttpResponse, ApiError> {
    let park_id = path.into_inner();
    authorize(&state, &caller, Of::Park(park_id), Need::ReadRegister).await?;
    let year = scope::year(params.read()?.year, state.today(), state.today())?;
    let set = state
        .run(move |c| store::performance::scheme(c, park_id, year))
        .await?;
    let view = SchemeView {
        park_id,
        year,
        set_by_park: set.is_some(),
        scheme: set.unwrap_or_else(Scheme::default_for),
    };
    json_response(StatusCode::OK, JSON, &view)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SchemeIn {
    pub year: i32,
    pub scheme: Scheme,
}

/// Set a park's scheme for a year: weights summing to 100 (full and small schemes), a benchmark
/// for every weighted indicator, the class rule and the scope.
#[utoipa::path(tag = "performance", operation_id = "set_evaluation_scheme", params(("park_id" = i64, Path, description = "Park id")), request_body = SchemeIn, responses((status = 200, body = SchemeView), WriteProblems))]
#[post("/api/parks/{park_id}/evaluation-scheme")]
pub async fn set_scheme(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    caller: Caller,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let park_id = path.into_inner();
    authorize(&state, &caller, Of::Park(park_id), Need::WriteOperations).await?;
    let b: SchemeIn = body.parse()?;
    let mut e: Vec<FieldError> = b
        .scheme
        .check()
        .into_iter()
        .map(|x| x.under("scheme"))
        .collect();
    if let Err(x) = check_year(b.year, state.today()) {
        e.push(x);
    }
    if !e.is_empty() {
        return Err(e.into());
    }
    let stamp = state.stamp(&caller);
    let scheme = b.scheme.clone();
    state
        .run(move |c| store::performance::set_scheme(c, park_id, b.year, &scheme, &stamp))
        .await?;
    json_response(
        StatusCode::OK,
        JSON,
        &SchemeView {
            park_id,
            year: b.year,
            set_by_park: true,
            scheme: b.scheme,
        },
    )
}

/// 亩均论英雄 for a park and year: every enterprise in scope scored by the scheme, with its
/// class and each indicator's value, benchmark, weight and points; and who is not rated, why.
#[utoipa::path(tag = "performance", operation_id = "get_evaluation", params(("park_id" = i64, Path, description = "Park id"), YearParam), responses((status = 200, body = EvaluationView), ReadProblems))]
#[get("/api/parks/{park_id}/evaluation")]
pub async fn get_evaluation(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    caller: Caller,
    params: Params<YearParam>,
) -> Result<HttpResponse, ApiError> {
    let park_id = path.into_inner();
    authorize(&state, &caller, Of::Park(park_id), Need::ReadRegister).await?;
    let year = scope::year(params.read()?.year, state.today(), state.today())?;
    json_response(StatusCode::OK, JSON, &{
        let today = state.today();
        state
            .run(move |c| crate::ops::reports::evaluation(c, park_id, year, today))
            .await?
    })
}
