//! `/api/idle-land` and `/api/underused-land`: the parcels the rules flag on a day — idle land
//! (闲置土地) and the five kinds of under-used land (五未土地) — with totals by class, park and
//! zone. The same items are the properties of the OGC collections `idle-land` and
//! `underused-land`, so the dashboard's numbers and the map agree.

use crate::api::http::access::require_register;
use crate::api::http::query::Query;
use crate::api::http::scope::{classes, statuses, watch_query};
use crate::api::{AppState, report_response};
use crate::domain::access::Caller;
use crate::error::{ApiError, ReadProblems};
use crate::store;
use crate::views::land_watch::{
    IdleLandReport, UnderusedReport, idle_land_report, underused_report,
};
use actix_web::{HttpRequest, HttpResponse, get, web};

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_idle_land).service(list_underused_land);
}

/// Idle land (闲置土地) and land approaching it, on a day, with totals.
#[utoipa::path(
    tag = "idle-land",
    operation_id = "list_idle_land",
    params(
        ("as_of" = Option<String>, Query, description = "The day, YYYY-MM-DD (default today): last month's state is `as_of=` its last day"),
        ("park_id" = Option<i64>, Query, description = "Only this park"),
        ("zone_id" = Option<i64>, Query, description = "Only this zone"),
        ("idle_status" = Option<String>, Query, description = "Comma-separated: idle, approaching, not_due, not_applicable (default idle,approaching)"),
    ),
    responses((status = 200, body = IdleLandReport), ReadProblems)
)]
#[get("/api/idle-land")]
pub async fn list_idle_land(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    require_register(&caller)?;
    let q = Query::parse(
        req.query_string(),
        &["as_of", "park_id", "zone_id", "idle_status"],
    )?;
    let (query, as_of) = watch_query(&state, &caller, &q).await?;
    let statuses = statuses(&q)?;
    let watched = state
        .run(move |c| store::land_watch::watch(c, &query, as_of))
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
    params(
        ("as_of" = Option<String>, Query, description = "The day, YYYY-MM-DD (default today)"),
        ("park_id" = Option<i64>, Query, description = "Only this park"),
        ("zone_id" = Option<i64>, Query, description = "Only this zone"),
        ("class" = Option<String>, Query, description = "Comma-separated classes: approved_not_supplied (批而未供), supplied_not_used (供而未用), used_not_finished (用而未尽), built_not_producing (建而未投), producing_below_target (投而未达)"),
    ),
    responses((status = 200, body = UnderusedReport), ReadProblems)
)]
#[get("/api/underused-land")]
pub async fn list_underused_land(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    require_register(&caller)?;
    let q = Query::parse(
        req.query_string(),
        &["as_of", "park_id", "zone_id", "class"],
    )?;
    let (query, as_of) = watch_query(&state, &caller, &q).await?;
    let classes = classes(&q)?;
    let watched = state
        .run(move |c| store::land_watch::watch(c, &query, as_of))
        .await?;
    report_response(&state, move || {
        Ok(underused_report(&watched, classes.as_deref(), as_of))
    })
    .await
}
