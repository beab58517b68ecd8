//! `/api/workshop-deadlines`, `/api/occupancy` and `/api/idle-units`: the committee's picture
//! of its workshops for the monthly dispatch meeting — what is overdue or due soon, how full the
//! buildings are, and which completed units stand empty ("不能让建成的厂房闲置").

use crate::api::http::access::require_register;
use crate::api::http::params::{DayScope, Params, de};
use crate::api::http::scope::estate;
use crate::api::{AppState, report_response};
use crate::domain::access::Caller;
use crate::error::{ApiError, ReadProblems};
use crate::views::estate::{
    DeadlineList, IdleUnitReport, OccupancyReport, deadline_list, idle_unit_report,
    occupancy_report,
};
use actix_web::{HttpResponse, get, web};
use serde::Deserialize;
use utoipa::IntoParams;

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(workshop_deadlines)
        .service(occupancy)
        .service(idle_units);
}

/// How far ahead the deadline list looks.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct Within {
    /// Also list open deadlines this many days ahead (default 30).
    #[serde(default, deserialize_with = "de::id")]
    #[param(minimum = 0, maximum = 3650)]
    pub within_days: Option<i64>,
}

/// Every workshop overdue or due within N days (default: each park's at-risk period), across
/// the parks the caller may read — the list a dispatch meeting walks through.
#[utoipa::path(
    tag = "workshops",
    operation_id = "list_workshop_deadlines",
    params(DayScope, Within),
    responses((status = 200, body = DeadlineList), ReadProblems)
)]
#[get("/api/workshop-deadlines")]
pub async fn workshop_deadlines(
    state: web::Data<AppState>,
    caller: Caller,
    params: Params<DayScope, Within>,
) -> Result<HttpResponse, ApiError> {
    require_register(&caller)?;
    let (scope, within) = params.read_both()?;
    let within = within.within_days.unwrap_or(30);
    if !(0..=3650).contains(&within) {
        return Err(ApiError::invalid_parameter(format!(
            "within_days must be 0 to 3650, got {within}"
        ))
        .zh(format!("within_days 须为 0 至 3650，收到 {within}")));
    }
    let (buildings, as_of) = estate(&state, &caller, &scope).await?;
    report_response(&state, move || Ok(deadline_list(&buildings, as_of, within))).await
}

/// Occupancy (leased area ÷ unit area) of the workshops on a day, per building, zone and park.
#[utoipa::path(
    tag = "workshops",
    operation_id = "get_occupancy",
    params(DayScope),
    responses((status = 200, body = OccupancyReport), ReadProblems)
)]
#[get("/api/occupancy")]
pub async fn occupancy(
    state: web::Data<AppState>,
    caller: Caller,
    params: Params<DayScope>,
) -> Result<HttpResponse, ApiError> {
    require_register(&caller)?;
    let scope = params.read()?;
    let (buildings, as_of) = estate(&state, &caller, &scope).await?;
    report_response(&state, move || Ok(occupancy_report(&buildings, as_of))).await
}

/// Completed units unleased longer than each park's `idle_unit_days` (default 180), longest
/// empty first, with the vacant area totalled.
#[utoipa::path(
    tag = "workshops",
    operation_id = "list_idle_units",
    params(DayScope),
    responses((status = 200, body = IdleUnitReport), ReadProblems)
)]
#[get("/api/idle-units")]
pub async fn idle_units(
    state: web::Data<AppState>,
    caller: Caller,
    params: Params<DayScope>,
) -> Result<HttpResponse, ApiError> {
    require_register(&caller)?;
    let scope = params.read()?;
    let (buildings, as_of) = estate(&state, &caller, &scope).await?;
    report_response(&state, move || Ok(idle_unit_report(&buildings, as_of))).await
}
