//! Liveness and readiness.

use crate::api::AppState;
use crate::error::{ApiError, Problem};
use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct HealthView {
    /// `ok`.
    pub status: &'static str,
    /// `sqlite` or `postgresql` (readiness only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database: Option<&'static str>,
    pub version: &'static str,
}

/// Liveness: the process answers. Never touches the database.
#[utoipa::path(tag = "service", operation_id = "health", security(()), responses((status = 200, body = HealthView)))]
#[get("/health")]
pub async fn health() -> HttpResponse {
    HttpResponse::Ok().json(HealthView {
        status: "ok",
        database: None,
        version: env!("CARGO_PKG_VERSION"),
    })
}

/// Readiness: the database is reachable. 503 otherwise, so a load balancer stops sending traffic.
#[utoipa::path(
    tag = "service",
    operation_id = "ready", security(()),
    responses(
        (status = 200, body = HealthView),
        (status = 503, description = "The database is unreachable", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/ready")]
pub async fn ready(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let backend = state.db.backend().as_str();
    state.run(crate::store::ping).await?;
    Ok(HttpResponse::Ok().json(HealthView {
        status: "ok",
        database: Some(backend),
        version: env!("CARGO_PKG_VERSION"),
    }))
}
