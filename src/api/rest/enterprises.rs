//! `/api/enterprises`: the enterprise directory — land users, tenants and project owners,
//! each with its checked 统一社会信用代码.

use crate::api::http::access::require;
use crate::api::http::extract::{IfMatch, JsonBody};
use crate::api::http::input::{check, not_null, nullable};
use crate::api::http::params::{Paging, Params};
use crate::api::{AppState, created_as, json_response, versioned};
use crate::domain::access::{Action, Caller};
use crate::domain::enterprise::{Enterprise, EnterpriseChanges, EnterpriseDraft, parse_name};
use crate::domain::industry::IndustryCode;
use crate::domain::uscc::Uscc;
use crate::error::{ApiError, ReadProblems, WriteProblems};
use crate::ops;
use crate::store;
use crate::store::enterprises::EnterpriseQuery;
use crate::views::utc;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_enterprises)
        .service(create_enterprise)
        .service(get_enterprise)
        .service(update_enterprise);
}

#[derive(Serialize, ToSchema)]
pub struct EnterpriseView {
    pub id: i64,
    pub name: String,
    /// 统一社会信用代码.
    pub uscc: String,
    /// Main industry (GB/T 4754-2017), e.g. `3911`.
    pub industry: Option<String>,
    /// Its division's name, e.g. 计算机、通信和其他电子设备制造业.
    pub industry_name: Option<String>,
    /// 规模以上工业企业.
    pub above_scale: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
    pub updated_at: DateTime<Utc>,
    pub updated_by: String,
}

impl From<&Enterprise> for EnterpriseView {
    fn from(e: &Enterprise) -> Self {
        let industry_name = e
            .industry
            .as_deref()
            .and_then(|c| IndustryCode::parse("", c).ok())
            .map(|c| c.division_name().to_owned());
        Self {
            id: e.id,
            name: e.name.clone(),
            uscc: e.uscc.clone(),
            industry: e.industry.clone(),
            industry_name,
            above_scale: e.above_scale,
            version: e.version,
            created_at: utc(e.created.at),
            created_by: e.created.by.clone(),
            updated_at: utc(e.updated.at),
            updated_by: e.updated.by.clone(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct EnterpriseList {
    pub items: Vec<EnterpriseView>,
    /// How many match in all.
    pub matched: i64,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnterpriseIn {
    /// The registered name, e.g. 江西赣电科技有限公司.
    pub name: String,
    /// 统一社会信用代码: 18 characters, the last a check character (GB 32100-2015).
    pub uscc: String,
    /// Main industry, GB/T 4754-2017 (e.g. `C3911` or `3911`).
    pub industry: Option<String>,
    /// 规模以上工业企业; `false` when omitted.
    pub above_scale: Option<bool>,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct EnterprisePatch {
    #[serde(default, deserialize_with = "not_null")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "not_null")]
    pub uscc: Option<String>,
    /// `null` clears it.
    #[serde(default, deserialize_with = "nullable")]
    pub industry: Option<Option<String>>,
    #[serde(default, deserialize_with = "not_null")]
    pub above_scale: Option<bool>,
}

fn enterprise_response(status: StatusCode, e: &Enterprise) -> Result<HttpResponse, ApiError> {
    versioned(
        status,
        "application/json",
        e.version,
        &EnterpriseView::from(e),
    )
}

/// What to look up in the directory.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DirectoryParams {
    /// Part of the name.
    pub name: Option<String>,
    /// Exact credit code.
    pub uscc: Option<String>,
}

/// The enterprise directory, by name. Bureau, committee and administrators.
#[utoipa::path(
    tag = "enterprises",
    operation_id = "list_enterprises",
    params(DirectoryParams, Paging),
    responses((status = 200, body = EnterpriseList), ReadProblems)
)]
#[get("/api/enterprises")]
pub async fn list_enterprises(
    state: web::Data<AppState>,
    caller: Caller,
    params: Params<DirectoryParams, Paging>,
) -> Result<HttpResponse, ApiError> {
    require(&caller, Action::ReadDirectory)?;
    let (q, paging) = params.read_both()?;
    let (limit, offset) = paging.resolve(100, 1000)?;
    let query = EnterpriseQuery {
        name: q.name,
        uscc: q.uscc.map(|u| u.trim().to_ascii_uppercase()),
    };
    let (items, matched) = state
        .run(move |c| store::enterprises::list(c, &query, limit, offset))
        .await?;
    let body = EnterpriseList {
        items: items.iter().map(EnterpriseView::from).collect(),
        matched,
    };
    json_response(StatusCode::OK, "application/json", &body)
}

/// Register an enterprise; its credit code is checked (including the check character).
#[utoipa::path(
    tag = "enterprises",
    operation_id = "create_enterprise",
    request_body = EnterpriseIn,
    responses((status = 201, body = EnterpriseView, headers(("ETag" = String), ("Location" = String))), WriteProblems)
)]
#[post("/api/enterprises")]
pub async fn create_enterprise(
    req: actix_web::HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    require(&caller, Action::WriteDirectory)?;
    let body: EnterpriseIn = body.parse()?;
    let draft = EnterpriseDraft::parse(
        &body.name,
        &body.uscc,
        body.industry.as_deref(),
        body.above_scale,
    )?;
    let stamp = state.stamp(&caller);
    let e = state
        .run(move |c| ops::directory::create(c, draft, &stamp))
        .await?;
    let path = format!("/api/enterprises/{}", e.id);
    created_as(
        &req,
        &state,
        "application/json",
        &path,
        e.version,
        &EnterpriseView::from(&e),
    )
}

/// One enterprise.
#[utoipa::path(
    tag = "enterprises",
    operation_id = "get_enterprise",
    params(("enterprise_id" = i64, Path, description = "Enterprise id")),
    responses((status = 200, body = EnterpriseView, headers(("ETag" = String))), ReadProblems)
)]
#[get("/api/enterprises/{enterprise_id}")]
pub async fn get_enterprise(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    require(&caller, Action::ReadDirectory)?;
    let id = path.into_inner();
    let e = state.run(move |c| store::enterprises::get(c, id)).await?;
    enterprise_response(StatusCode::OK, &e)
}

/// Correct an enterprise (merge patch); needs `If-Match`.
#[utoipa::path(
    tag = "enterprises",
    operation_id = "update_enterprise",
    params(("enterprise_id" = i64, Path, description = "Enterprise id"), ("If-Match" = String, Header, description = "ETag of the version being changed, or `*`")),
    request_body(content = EnterprisePatch, content_type = "application/merge-patch+json"),
    responses((status = 200, body = EnterpriseView, headers(("ETag" = String))), WriteProblems)
)]
#[patch("/api/enterprises/{enterprise_id}")]
pub async fn update_enterprise(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
    if_match: IfMatch,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    require(&caller, Action::WriteDirectory)?;
    let id = path.into_inner();
    let today = state.today();
    let holds_in = state
        .run(move |c| {
            store::enterprises::get(c, id)?;
            store::enterprises::parks_held(c, id, today)
        })
        .await?;
    require(
        &caller,
        Action::EditEnterprise {
            holds_in: &holds_in,
        },
    )?;
    let expected = if_match.expected()?;
    let body: EnterprisePatch = body.parse()?;
    let mut e = Vec::new();
    let changes = EnterpriseChanges {
        name: body
            .name
            .and_then(|n| check(&mut e, parse_name("name", &n))),
        uscc: body
            .uscc
            .and_then(|u| check(&mut e, Uscc::parse("uscc", &u))),
        industry: body
            .industry
            .map(|i| i.and_then(|c| check(&mut e, IndustryCode::parse("industry", &c)))),
        above_scale: body.above_scale,
    };
    if !e.is_empty() {
        return Err(e.into());
    }
    let stamp = state.stamp(&caller);
    let updated = state
        .run(move |c| ops::directory::update(c, id, expected, changes, &stamp))
        .await?;
    enterprise_response(StatusCode::OK, &updated)
}
