//! `/api/audit`: the audit trail, for administrators (everything) and bureaus (their parks).

use crate::api::http::access;
use crate::api::http::params::{NoParams, Paging, Params, de};
use crate::api::{AppState, json_response};
use crate::domain::access::{Action, Caller, Visibility};
use crate::error::{ApiError, ReadProblems};
use crate::store;
use crate::store::audit::AuditQuery;
use crate::views::utc;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

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
    state: web::Data<AppState>,
    caller: Caller,
    params: Params<NoParams>,
) -> Result<HttpResponse, ApiError> {
    access::require(&caller, Action::VerifyAudit)?;
    params.read()?;
    let report = state.run(store::audit::verify).await?;
    json_response(StatusCode::OK, "application/json", &ChainView::from(report))
}

#[derive(Serialize, ToSchema)]
pub struct AuditPage {
    pub entries: Vec<AuditEntryView>,
    #[serde(rename = "numberMatched")]
    pub number_matched: i64,
}

/// Which entries of the trail to read.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditFilter {
    /// park, zone, parcel, user or token.
    pub entity: Option<String>,
    /// The record's id.
    #[serde(default, deserialize_with = "de::id")]
    pub entity_id: Option<i64>,
    /// Who made the change.
    pub actor: Option<String>,
    /// Changes concerning this park.
    #[serde(default, deserialize_with = "de::id")]
    pub park_id: Option<i64>,
    /// When: an RFC 3339 instant, date or interval (`..` for an open end).
    #[serde(default, deserialize_with = "de::datetime")]
    #[param(value_type = Option<String>)]
    pub datetime: Option<de::Interval>,
}

/// The audit trail, newest first. Administrators see everything, bureaus what concerns the
/// parks of their jurisdiction.
#[utoipa::path(
    tag = "access",
    operation_id = "read_audit",
    params(AuditFilter, Paging),
    responses((status = 200, body = AuditPage), ReadProblems)
)]
#[get("/api/audit")]
pub async fn read_audit(
    state: web::Data<AppState>,
    caller: Caller,
    params: Params<AuditFilter, Paging>,
) -> Result<HttpResponse, ApiError> {
    access::require(&caller, Action::ReadAudit)?;
    let (filter, paging) = params.read_both()?;
    let (limit, offset) = paging.resolve(
        state.config.items_default_limit,
        state.config.items_max_limit,
    )?;
    let (from, to) = filter.datetime.unwrap_or_default();
    let mut query = AuditQuery {
        entity: filter.entity,
        entity_id: filter.entity_id,
        actor: filter.actor,
        park_id: filter.park_id,
        from,
        to,
        ..Default::default()
    };
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
