//! `/api/workshop-deadlines`, `/api/occupancy` and `/api/idle-units`: the committee's picture
//! of its workshops for the monthly dispatch meeting — what is overdue or due soon, how full the
//! buildings are, and which completed units stand empty ("不能让建成的厂房闲置").

use crate::api::http::access::require_register;
use crate::api::http::query::Query;
use crate::api::http::scope::estate;
use crate::api::{AppState, report_response};
use crate::domain::access::Caller;
use crate::error::{ApiError, ReadProblems};
use crate::views::estate::{
    DeadlineList, IdleUnitReport, OccupancyReport, deadline_list, idle_unit_report,
    occupancy_report,
};
use actix_web::{HttpRequest, HttpResponse, get, web};

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(workshop_deadlines)
        .service(occupancy)
        .service(idle_units);
}

/// Every workshop overdue or due within N days (default: each park's at-risk period), across
/// the parks the caller may read — the list a dispatch meeting walks through.
#[utoipa::path(
    tag = "workshops",
    operation_id = "list_workshop_deadlines",
    params(
        ("as_of" = Option<String>, Query, description = "The day, YYYY-MM-DD (default today)"),
        ("park_id" = Option<i64>, Query, description = "Only this park"),
        ("zone_id" = Option<i64>, Query, description = "Only this zone"),
        ("within_days" = Option<i64>, Query, description = "Also list open deadlines this many days ahead (default 30)"),
    ),
    responses((status = 200, body = DeadlineList), ReadProblems)
)]
#[get("/api/workshop-deadlines")]
pub async fn workshop_deadlines(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    require_register(&caller)?;
    let q = Query::parse(
        req.query_string(),
        &["as_of", "park_id", "zone_id", "within_days"],
    )?;
    let within = q.id("within_days")?.unwrap_or(30);
    if !(0..=3650).contains(&within) {
        return Err(ApiError::invalid_parameter(format!(
            "within_days must be 0 to 3650, got {within}"
        )));
    }
    let (buildings, as_of) = estate(&state, &caller, &q).await?;
    report_response(&state, move || Ok(deadline_list(&buildings, as_of, within))).await
}

/// Occupancy (leased area ÷ unit area) of the workshops on a day, per building, zone and park.
#[utoipa::path(
    tag = "workshops",
    operation_id = "get_occupancy",
    params(
        ("as_of" = Option<String>, Query, description = "The day, YYYY-MM-DD (default today)"),
        ("park_id" = Option<i64>, Query, description = "Only this park"),
        ("zone_id" = Option<i64>, Query, description = "Only this zone"),
    ),
    responses((status = 200, body = OccupancyReport), ReadProblems)
)]
#[get("/api/occupancy")]
pub async fn occupancy(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    require_register(&caller)?;
    let q = Query::parse(req.query_string(), &["as_of", "park_id", "zone_id"])?;
    let (buildings, as_of) = estate(&state, &caller, &q).await?;
    report_response(&state, move || Ok(occupancy_report(&buildings, as_of))).await
}

/// Completed units unleased longer than each park's `idle_unit_days` (default 180), longest
/// empty first, with the vacant area totalled.
#[utoipa::path(
    tag = "workshops",
    operation_id = "list_idle_units",
    params(
        ("as_of" = Option<String>, Query, description = "The day, YYYY-MM-DD (default today)"),
        ("park_id" = Option<i64>, Query, description = "Only this park"),
        ("zone_id" = Option<i64>, Query, description = "Only this zone"),
    ),
    responses((status = 200, body = IdleUnitReport), ReadProblems)
)]
#[get("/api/idle-units")]
pub async fn idle_units(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    require_register(&caller)?;
    let q = Query::parse(req.query_string(), &["as_of", "park_id", "zone_id"])?;
    let (buildings, as_of) = estate(&state, &caller, &q).await?;
    report_response(&state, move || Ok(idle_unit_report(&buildings, as_of))).await
}
