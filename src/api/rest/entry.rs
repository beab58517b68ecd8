//! `/api/entry-check`: the entry check (入园审查) for anyone — an applicant checking whether a
//! project would qualify before travelling needs no account. Criteria and defaults are in
//! `domain::entry_check`; the settings and industry positioning in force come from the plot's
//! (or the named zone's) place: zone → park → default.

use crate::api::AppState;
use crate::api::http::access::readable;
use crate::api::http::bodies::{EntryCheckIn, parse};
use crate::domain::access::Caller;
use crate::error::{ApiError, ReadProblems};
use crate::ops;
use crate::views::entry::EntryCheckView;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, post, web};

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(entry_check_endpoint);
}

/// Would this project qualify? A verdict per criterion — investment intensity against the
/// threshold in force (zone → park → default), industry positioning, and with a building plan
/// 容积率, 建筑系数, offices and living, green space — each with the required and the actual
/// figure. Public: no account needed.
#[utoipa::path(
    tag = "projects",
    operation_id = "run_entry_check",
    security(()),
    request_body = EntryCheckIn,
    responses((status = 200, body = EntryCheckView), ReadProblems)
)]
#[post("/api/entry-check")]
pub async fn entry_check_endpoint(
    state: web::Data<AppState>,
    caller: Caller,
    body: crate::api::http::extract::JsonBody,
) -> Result<HttpResponse, ApiError> {
    let b: EntryCheckIn = body.parse()?;
    let (site, figures) = parse(&b)?;
    let readable = readable(&state, &caller).await;
    let view = state
        .run(move |c| ops::entry::check(c, &readable, site, &figures))
        .await?;
    crate::api::json_response(StatusCode::OK, "application/json", &view)
}
