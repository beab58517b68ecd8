//! `/api/audit`: the audit trail, for administrators (everything) and bureaus (their parks).

use crate::api::http::access;
use crate::api::{AppState, json_response};
use crate::domain::access::{Action, Caller, Visibility};
use crate::error::{ApiError, ReadProblems};
use crate::store;
use crate::store::audit::AuditQuery;
use crate::views::utc;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(read_audit).service(verify_audit);
}

#[derive(Serialize, ToSchema)]
pub struct AuditEntryView {
    pub id: i64,
    pub at: DateTime<Utc>,
    /// The user (or `cli:<os user>`) who made the change.
    pub actor: String,
    pub actor_id: Option<i64>,
    /// create, update, retire, supersede, create_by_split, create_by_merge, import_parcels, revoke …
    pub action: String,
    /// park, zone, parcel, user or token.
    pub entity: String,
    pub entity_id: Option<i64>,
    pub park_id: Option<i64>,
    /// The record as it was (an object, or for a list of dated steps an array).
    #[schema(value_type = Option<serde_json::Value>)]
    pub before: Option<serde_json::Value>,
    /// The record as it became.
    #[schema(value_type = Option<serde_json::Value>)]
    pub after: Option<serde_json::Value>,
}

/// What a walk along the audit chain found.
#[derive(Serialize, ToSchema)]
pub struct ChainView {
    /// Entries read (to the first broken link, if there is one).
    pub entries: i64,
    /// Entries recorded before the chain began; the first chained entry's link covers them.
    pub before_chain: i64,
    /// Every link holds (and every keyed link was checked).
    pub intact: bool,
    pub first_broken: Option<BrokenLinkView>,
    /// Why some links could not be checked (keyed links, no key configured).
    pub unchecked: Option<String>,
    /// The last link: kept elsewhere with `entries`, it shows later that nothing was cut from
    /// the end of the trail.
    pub head: String,
}

/// Where the chain does not hold.
#[derive(Serialize, ToSchema)]
pub struct BrokenLinkView {
    /// The entry whose link fails.
    pub id: i64,
    pub at: DateTime<Utc>,
    pub reason: String,
}

impl From<store::audit::ChainReport> for ChainView {
    fn from(r: store::audit::ChainReport) -> Self {
        ChainView {
            entries: r.entries,
            before_chain: r.before_chain,
            intact: r.first_broken.is_none() && r.unchecked.is_none(),
            unchecked: r.unchecked,
            head: r.head,
            first_broken: r.first_broken.map(|b| BrokenLinkView {
                id: b.id,
                at: utc(b.at),
                reason: b.reason,
            }),
        }
    }
}

/// Recompute every link of the audit chain and report the first that does not hold: an entry
/// changed after it was recorded, removed, or written around the application. Administrators.
#[utoipa::path(
    tag = "access",
    operation_id = "verify_audit",
    responses((status = 200, body = ChainView), ReadProblems)
)]
#[get("/api/audit/verify")]
pub async fn verify_audit(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    access::require(&caller, Action::VerifyAudit)?;
    crate::api::http::query::Query::parse(req.query_string(), &[])?;
    let report = state.run(store::audit::verify).await?;
    json_response(StatusCode::OK, "application/json", &ChainView::from(report))
}

#[derive(Serialize, ToSchema)]
pub struct AuditPage {
    pub entries: Vec<AuditEntryView>,
    #[serde(rename = "numberMatched")]
    pub number_matched: i64,
}

const FILTERS: &[&str] = &[
    "entity",
    "entity_id",
    "actor",
    "park_id",
    "datetime",
    "limit",
    "offset",
];

/// The audit trail, newest first. Administrators see everything, bureaus what concerns the
/// parks of their jurisdiction.
#[utoipa::path(
    tag = "access",
    operation_id = "read_audit",
    params(
        ("entity" = Option<String>, Query, description = "park, zone, parcel, user or token"),
        ("entity_id" = Option<i64>, Query, description = "The record's id"),
        ("actor" = Option<String>, Query, description = "Who made the change"),
        ("park_id" = Option<i64>, Query, description = "Changes concerning this park"),
        ("datetime" = Option<String>, Query, description = "When: an RFC 3339 instant, date or interval (`..` for an open end)"),
        ("limit" = Option<i64>, Query, minimum = 1, description = "Entries per page (default 100); larger values are clamped to 10000"),
        ("offset" = Option<i64>, Query, minimum = 0, description = "Entries to skip"),
    ),
    responses((status = 200, body = AuditPage), ReadProblems)
)]
#[get("/api/audit")]
pub async fn read_audit(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    access::require(&caller, Action::ReadAudit)?;
    let mut query = AuditQuery::default();
    let (mut limit, mut offset) = (state.config.items_default_limit, 0i64);
    let mut seen = std::collections::HashSet::new();
    for (k, v) in url::form_urlencoded::parse(req.query_string().as_bytes()) {
        if !FILTERS.contains(&k.as_ref()) {
            return Err(ApiError::invalid_parameter(format!(
                "unknown query parameter `{k}`; accepted: {}",
                FILTERS.join(", ")
            )));
        }
        crate::api::http::params::check_value(&k, &v)?;
        if !seen.insert(k.to_string()) {
            return Err(ApiError::invalid_parameter(format!(
                "query parameter `{k}` is given twice"
            )));
        }
        let number = |name: &str| {
            v.parse::<i64>().ok().filter(|n| *n >= 0).ok_or_else(|| {
                ApiError::invalid_parameter(format!("{name} must be a whole number, got `{v}`"))
            })
        };
        match k.as_ref() {
            "entity" => query.entity = Some(v.to_string()),
            "entity_id" => query.entity_id = Some(number("entity_id")?),
            "actor" => query.actor = Some(v.to_string()),
            "park_id" => query.park_id = Some(number("park_id")?),
            "datetime" => (query.from, query.to) = crate::api::http::params::parse_datetime(&v)?,
            "limit" => {
                limit = crate::api::http::query::parse_limit(&v, state.config.items_max_limit)?
            }
            _ => offset = crate::api::http::query::parse_offset(&v)?,
        }
    }
    query.visible_parks = match access::visibility(&state, &caller).await? {
        Visibility::All => None,
        Visibility::Parks(ids) => Some(ids),
    };
    let (records, matched) = state
        .run(move |c| store::audit::query(c, &query, limit, offset))
        .await?;
    let json = |t: Option<String>| t.and_then(|t| serde_json::from_str(&t).ok());
    let entries = records
        .into_iter()
        .map(|r| AuditEntryView {
            id: r.id,
            at: utc(r.content.at),
            actor: r.content.actor,
            actor_id: r.content.actor_id,
            action: r.content.action,
            entity: r.content.entity,
            entity_id: r.content.entity_id,
            park_id: r.content.park_id,
            before: json(r.content.before),
            after: json(r.content.after),
        })
        .collect();
    json_response(
        StatusCode::OK,
        "application/json",
        &AuditPage {
            entries,
            number_matched: matched,
        },
    )
}
