//! `/api/idle-land` and `/api/underused-land`: the parcels the rules flag on a day — idle land
//! (闲置土地) and the five kinds of under-used land (五未土地) — with totals by class, park and
//! zone. The same items are the properties of the OGC collections `idle-land` and
//! `underused-land`, so the dashboard's numbers and the map agree.

use crate::api::http::access::require_register;
use crate::api::http::params::{DayScope, IdleStatusFilter, Params, UnderusedClassFilter};
use crate::api::http::scope::{statuses, watch_query};
use crate::api::{AppState, report_response};
use crate::domain::access::Caller;
use crate::error::{ApiError, ReadProblems};
use crate::ops;
use crate::views::land_watch::{
    IdleLandReport, UnderusedReport, idle_land_report, underused_report,
};
use actix_web::{HttpResponse, get, web};

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_idle_land).service(list_underused_land);
}

/// Idle land (闲置土地) and land approaching it, on a day, with totals.
#[utoipa::path(
    tag = "idle-land",
    operation_id = "list_idle_land",
    params(DayScope, IdleStatusFilter),
    responses((status = 200, body = IdleLandReport), ReadProblems)
)]
#[get("/api/idle-land")]
pub async fn list_idle_land(
    state: web::Data<AppState>,
    caller: Caller,
    params: Params<DayScope, IdleStatusFilter>,
) -> Result<HttpResponse, ApiError> {
    require_register(&caller)?;
    let (scope, filter) = params.read_both()?;
    let (query, as_of) = watch_query(&state, &caller, &scope).await?;
    let statuses = statuses(filter.idle_status);
    let watched = state
        .run_watching(move |c, m| ops::land_watch::watch(c, m, &query, as_of))
        .await?;
    report_response(&state, move || {
        Ok(idle_land_report(&watched, &statuses, as_of))
    })
    .await
}

/// The five kinds of under-used land (五未土地) on a day, each with its reason, with totals.
#[utoipa::path(
    tag = "idle-land",
    operation_id = "list_underused_land",
    params(DayScope, UnderusedClassFilter),
    responses((status = 200, body = UnderusedReport), ReadProblems)
)]
#[get("/api/underused-land")]
pub async fn list_underused_land(
    state: web::Data<AppState>,
    caller: Caller,
    params: Params<DayScope, UnderusedClassFilter>,
) -> Result<HttpResponse, ApiError> {
    require_register(&caller)?;
    let (scope, filter) = params.read_both()?;
    let (query, as_of) = watch_query(&state, &caller, &scope).await?;
    let classes = filter.class;
    let watched = state
        .run_watching(move |c, m| ops::land_watch::watch(c, m, &query, as_of))
        .await?;
    report_response(&state, move || {
        Ok(underused_report(&watched, classes.as_deref(), as_of))
    })
    .await
}
