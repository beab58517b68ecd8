//! `/api/parcels/{parcel_id}/supplies` and `/api/supplies/{supply_id}`: land supply records
//! (供地), the dated facts of development, and each supply's idle-land verdict for any day.

use crate::api::http::access::{Need, Of, authorize};
use crate::api::http::extract::{IfMatch, JsonBody};
use crate::api::http::params::{AsOf, Params};
use crate::api::{AppState, created_as, json_response, versioned};
use crate::domain::FieldError;
use crate::domain::access::Caller;
use crate::domain::codes::parse_text;
use crate::domain::penalty;
use crate::domain::supply::{FactTerms, SupplyTerms, check_past_date};
use crate::error::{ApiError, ReadProblems, WriteProblems};
use crate::ops;
use crate::store;
use crate::views::supply::{
    CapacityReviewView, FactView, IdleView, PenaltyView, SupplyView, TimelineView,
};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(create_supply)
        .service(list_parcel_supplies)
        .service(get_supply)
        .service(end_supply)
        .service(add_fact)
        .service(list_facts);
}

const JSON: &str = "application/json";

/// Supply a parcel (供地): record the contract or allocation decision. The parcel becomes
/// `supplied`; a parcel already supplied, retired or in the land bank is refused (409).
#[utoipa::path(
    tag = "land-supply",
    operation_id = "create_supply",
    params(("parcel_id" = i64, Path, description = "Parcel id")),
    request_body = SupplyTerms,
    responses((status = 201, body = SupplyView, headers(("ETag" = String), ("Location" = String))), WriteProblems)
)]
#[post("/api/parcels/{parcel_id}/supplies")]
pub async fn create_supply(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    caller: Caller,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let parcel_id = path.into_inner();
    authorize(&state, &caller, Of::Parcel(parcel_id), Need::WriteParcels).await?;
    let terms: SupplyTerms = body.parse()?;
    let stamp = state.stamp(&caller);
    let draft = terms.check(state.today())?;
    let (supply, holder) = state
        .run(move |c| {
            let s = ops::supplies::create(c, parcel_id, draft, &stamp)?;
            let holder = store::enterprises::get(c, s.enterprise_id)?.name;
            Ok((s, holder))
        })
        .await?;
    let path = format!("/api/supplies/{}", supply.id);
    created_as(
        &req,
        &state,
        JSON,
        &path,
        supply.version,
        &SupplyView::of(&supply, holder),
    )
}

/// Every supply of a parcel, oldest first; ended ones are its history.
#[utoipa::path(
    tag = "land-supply",
    operation_id = "list_parcel_supplies",
    params(("parcel_id" = i64, Path, description = "Parcel id")),
    responses((status = 200, body = Vec<SupplyView>), ReadProblems)
)]
#[get("/api/parcels/{parcel_id}/supplies")]
pub async fn list_parcel_supplies(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let parcel_id = path.into_inner();
    authorize(&state, &caller, Of::Parcel(parcel_id), Need::ReadRegister).await?;
    let (supplies, names) = state
        .run(move |c| {
            let supplies = store::supplies::of_parcel(c, parcel_id)?;
            let ids: Vec<i64> = supplies.iter().map(|s| s.enterprise_id).collect();
            Ok((supplies, store::enterprises::names(c, &ids)?))
        })
        .await?;
    let views: Vec<SupplyView> = supplies
        .iter()
        .map(|s| SupplyView::of(s, names.get(&s.enterprise_id).cloned().unwrap_or_default()))
        .collect();
    json_response(StatusCode::OK, JSON, &views)
}

/// A supply with its facts and what they add up to on a day.
#[derive(Serialize, ToSchema)]
pub struct SupplyDetail {
    #[serde(flatten)]
    pub supply: SupplyView,
    /// The day the timeline and verdict are for.
    pub as_of: NaiveDate,
    pub timeline: TimelineView,
    /// The idle-land clock on `as_of`.
    pub idle: IdleView,
    /// The contract penalties (违约金) owed on `as_of`.
    pub penalty: PenaltyView,
    /// The 标准地 达产复核, once the land produces.
    pub capacity_review: Option<CapacityReviewView>,
    /// Every fact, in date order (later ones than `as_of` included).
    pub facts: Vec<FactView>,
    /// The idle-land cases of this supply.
    pub idle_case_ids: Vec<i64>,
}

/// A supply, its facts, its timeline and its idle-land verdict on `as_of` (default today).
#[utoipa::path(
    tag = "land-supply",
    operation_id = "get_supply",
    params(
        ("supply_id" = i64, Path, description = "Supply id"),
        AsOf,
    ),
    responses((status = 200, body = SupplyDetail, headers(("ETag" = String))), ReadProblems)
)]
#[get("/api/supplies/{supply_id}")]
pub async fn get_supply(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    caller: Caller,
    params: Params<AsOf>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    authorize(&state, &caller, Of::Supply(id), Need::ReadRegister).await?;
    let as_of = params.read()?.as_of.unwrap_or_else(|| state.today());
    let detail = state
        .run(move |c| {
            let supply = store::supplies::get(c, id)?;
            let facts = store::supplies::facts(c, id)?;
            let timeline = ops::land_watch::timeline(&supply, &facts, as_of)?;
            let (verdict, _) = ops::land_watch::verdict_of(c, &supply, as_of)?;
            let holder = store::enterprises::get(c, supply.enterprise_id)?.name;
            let capacity = ops::land_watch::capacity_of(c, &supply, &timeline, as_of)?;
            let cases = store::idle_cases::list(c, None, Some(id))?;
            Ok(SupplyDetail {
                timeline: TimelineView::of(&supply, &timeline),
                idle: IdleView::from(&verdict),
                penalty: PenaltyView::from(&penalty::assess(&supply, &timeline, as_of)),
                capacity_review: capacity.as_ref().map(CapacityReviewView::from),
                facts: facts.iter().map(FactView::from).collect(),
                idle_case_ids: cases.iter().map(|c| c.id).collect(),
                supply: SupplyView::of(&supply, holder),
                as_of,
            })
        })
        .await?;
    versioned(StatusCode::OK, JSON, detail.supply.version, &detail)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndSupplyIn {
    /// The day the supply ended.
    pub date: NaiveDate,
    /// Why, e.g. 租赁期满 or 协议有偿收回.
    pub reason: String,
}

/// End a supply (a lease that ran out, a negotiated buy-back); the parcel returns to the land
/// bank (`reserve`). Land recovered for being idle is handed back through its idle-land case.
#[utoipa::path(
    tag = "land-supply",
    operation_id = "end_supply",
    params(("supply_id" = i64, Path, description = "Supply id"), ("If-Match" = String, Header, description = "ETag of the supply, or `*`")),
    request_body = EndSupplyIn,
    responses((status = 200, body = SupplyView, headers(("ETag" = String))), WriteProblems)
)]
#[post("/api/supplies/{supply_id}/end")]
pub async fn end_supply(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    caller: Caller,
    if_match: IfMatch,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    authorize(&state, &caller, Of::Supply(id), Need::WriteParcels).await?;
    let expected = if_match.expected()?;
    let body: EndSupplyIn = body.parse()?;
    let stamp = state.stamp(&caller);
    let mut errors = Vec::new();
    if let Err(e) = check_past_date("date", body.date, state.today()) {
        errors.push(e);
    }
    let reason = parse_text("reason", &body.reason, 500)
        .map_err(|e| errors.push(e))
        .unwrap_or_default();
    if reason.is_empty() && errors.is_empty() {
        errors
            .push(FieldError::new("reason", "say why the supply ends").zh("请说明供地终止的原因"));
    }
    if !errors.is_empty() {
        return Err(errors.into());
    }
    let (supply, holder) = state
        .run(move |c| {
            let s = ops::supplies::end(c, id, expected, body.date, reason, &stamp)?;
            let holder = store::enterprises::get(c, s.enterprise_id)?.name;
            Ok((s, holder))
        })
        .await?;
    versioned(
        StatusCode::OK,
        JSON,
        supply.version,
        &SupplyView::of(&supply, holder),
    )
}

/// Record a dated fact of development: construction permit, start (with its Art. 30
/// evidence), progress, stoppage, resumption, extension (with its cause), the bureau's finding
/// of the cause, completion, production, capacity review. Facts out of order are refused (422).
#[utoipa::path(
    tag = "land-supply",
    operation_id = "add_supply_fact",
    params(("supply_id" = i64, Path, description = "Supply id")),
    request_body = FactTerms,
    responses((status = 201, body = FactView), WriteProblems)
)]
#[post("/api/supplies/{supply_id}/facts")]
pub async fn add_fact(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    caller: Caller,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    authorize(&state, &caller, Of::Supply(id), Need::WriteParcels).await?;
    let terms: FactTerms = body.parse()?;
    let stamp = state.stamp(&caller);
    let (date, detail, note) = terms.check(state.today())?;
    let fact = state
        .run(move |c| ops::supplies::add_fact(c, id, date, detail, note, &stamp))
        .await?;
    json_response(StatusCode::CREATED, JSON, &FactView::from(&fact))
}

/// The facts of a supply, in date order.
#[utoipa::path(
    tag = "land-supply",
    operation_id = "list_supply_facts",
    params(("supply_id" = i64, Path, description = "Supply id")),
    responses((status = 200, body = Vec<FactView>), ReadProblems)
)]
#[get("/api/supplies/{supply_id}/facts")]
pub async fn list_facts(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    authorize(&state, &caller, Of::Supply(id), Need::ReadRegister).await?;
    let facts = state.run(move |c| store::supplies::facts(c, id)).await?;
    json_response(
        StatusCode::OK,
        JSON,
        &facts.iter().map(FactView::from).collect::<Vec<_>>(),
    )
}
