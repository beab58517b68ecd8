//! `/api/parcels/{parcel_id}/workshops` and `/api/workshops/{workshop_id}`: standard workshops
//! (标准化厂房) — the building, its construction plan against the committed deadline, and dated
//! progress reports. Listing and the map are the OGC API collection `workshops`.

use crate::api::http::access::{Need, Of, authorize};
use crate::api::http::extract::{IfMatch, JsonBody, base_url, input_crs};
use crate::api::http::input::{FeatureIn, FeaturePatchIn, check, not_null, nullable};
use crate::api::http::params::{AsOf, Params};
use crate::api::{
    AppState, checked_footprint, checked_patch_footprint, created_response, json_response,
    record_response,
};
use crate::domain::FieldError;
use crate::domain::access::Caller;
use crate::domain::codes::parse_text;
use crate::domain::workshop::WorkshopChanges;
use crate::domain::workshop::{
    Milestone, MilestoneChange, MilestoneDates, Owner, Plan, ProgressReport, Structure,
    WorkshopDraft, check_figures, check_plan, required_text,
};
use crate::error::{ApiError, ReadProblems, WriteProblems};
use crate::ops;
use crate::spatial::AreaLimits;
use crate::store;
use crate::store::estate::Building;
use crate::views::workshop::WorkshopProperties;
use crate::views::{Feature, Link, utc};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(create_workshop)
        .service(get_workshop)
        .service(update_workshop)
        .service(add_progress)
        .service(list_progress);
}

/// Planned and actual dates of each milestone; omitted milestones have none yet.
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct MilestonesIn {
    pub approval: Option<MilestoneDates>,
    pub start: Option<MilestoneDates>,
    pub topping_out: Option<MilestoneDates>,
    pub completion: Option<MilestoneDates>,
    pub acceptance: Option<MilestoneDates>,
    pub handover: Option<MilestoneDates>,
}

impl MilestonesIn {
    fn into_plan(self) -> Plan {
        [
            self.approval,
            self.start,
            self.topping_out,
            self.completion,
            self.acceptance,
            self.handover,
        ]
        .map(Option::unwrap_or_default)
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkshopPropertiesIn {
    /// e.g. 标准厂房3号楼.
    pub name: String,
    pub storeys: i32,
    /// One height per storey, ground floor first, m.
    pub storey_heights_m: Vec<f64>,
    /// Gross floor area (建筑面积), m².
    pub floor_area_m2: f64,
    /// Design floor load (楼面荷载), kN/m².
    pub floor_load_kn_m2: f64,
    pub structure: Structure,
    /// The park's platform company that owns it (e.g. 南城县工业园区投资发展有限公司) …
    pub owner_name: Option<String>,
    /// … or the enterprise that does.
    pub owner_enterprise_id: Option<i64>,
    /// 责任单位 and 责任人.
    pub responsible_unit: String,
    pub responsible_person: Option<String>,
    /// The committed deadline ("确保10月份完工": 2026-10-31).
    pub deadline: NaiveDate,
    /// The milestone the deadline is for (default `completion`).
    pub deadline_milestone: Option<Milestone>,
    #[serde(default)]
    pub milestones: MilestonesIn,
}

/// A change to one milestone: `null` clears a date.
#[derive(Deserialize, ToSchema, Default, Clone, Copy)]
#[serde(deny_unknown_fields)]
pub struct MilestonePatch {
    #[serde(default, deserialize_with = "nullable")]
    pub planned: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "nullable")]
    pub actual: Option<Option<NaiveDate>>,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct MilestonesPatch {
    #[serde(default, deserialize_with = "not_null")]
    pub approval: Option<MilestonePatch>,
    #[serde(default, deserialize_with = "not_null")]
    pub start: Option<MilestonePatch>,
    #[serde(default, deserialize_with = "not_null")]
    pub topping_out: Option<MilestonePatch>,
    #[serde(default, deserialize_with = "not_null")]
    pub completion: Option<MilestonePatch>,
    #[serde(default, deserialize_with = "not_null")]
    pub acceptance: Option<MilestonePatch>,
    #[serde(default, deserialize_with = "not_null")]
    pub handover: Option<MilestonePatch>,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct WorkshopPropertiesPatch {
    #[serde(default, deserialize_with = "not_null")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "not_null")]
    pub storeys: Option<i32>,
    #[serde(default, deserialize_with = "not_null")]
    pub storey_heights_m: Option<Vec<f64>>,
    #[serde(default, deserialize_with = "not_null")]
    pub floor_area_m2: Option<f64>,
    #[serde(default, deserialize_with = "not_null")]
    pub floor_load_kn_m2: Option<f64>,
    #[serde(default, deserialize_with = "not_null")]
    pub structure: Option<Structure>,
    /// Setting one owner replaces the other.
    #[serde(default, deserialize_with = "not_null")]
    pub owner_name: Option<String>,
    #[serde(default, deserialize_with = "not_null")]
    pub owner_enterprise_id: Option<i64>,
    #[serde(default, deserialize_with = "not_null")]
    pub responsible_unit: Option<String>,
    /// `null` clears it (it is optional).
    #[serde(default, deserialize_with = "nullable")]
    pub responsible_person: Option<Option<String>>,
    #[serde(default, deserialize_with = "not_null")]
    pub deadline: Option<NaiveDate>,
    /// `null` puts the deadline back on completion, the default.
    #[serde(default, deserialize_with = "nullable")]
    pub deadline_milestone: Option<Option<Milestone>>,
    #[serde(default, deserialize_with = "not_null")]
    pub milestones: Option<MilestonesPatch>,
}

fn owner_of(name: Option<String>, enterprise: Option<i64>) -> Result<Option<Owner>, FieldError> {
    match (name, enterprise) {
        (Some(_), Some(_)) => Err(FieldError::new(
            "properties.owner_name",
            "give the owner either as owner_name (the platform company) or as owner_enterprise_id, not both",
        ).zh("产权人填写 owner_name（平台公司）或 owner_enterprise_id 之一，不能同时填写")),
        (Some(n), None) => Ok(Some(Owner::Platform(required_text(
            "properties.owner_name",
            &n,
            200,
        )?))),
        (None, Some(id)) => Ok(Some(Owner::Enterprise(id))),
        (None, None) => Ok(None),
    }
}

fn workshop_feature<'a>(
    b: &'a Building,
    as_of: NaiveDate,
    base: &str,
) -> Feature<'a, WorkshopProperties> {
    let w = &b.workshop;
    Feature::new(w.id, &w.footprint, WorkshopProperties::of(b, as_of)).with_links(vec![
        Link::new(
            format!("{base}/api/workshops/{}", w.id),
            "self",
            crate::api::GEOJSON,
            "This workshop",
        ),
        Link::new(
            format!("{base}/api/workshops/{}/units", w.id),
            "related",
            "application/json",
            "Its units and leases",
        ),
        Link::new(
            format!("{base}/api/parcels/{}", w.parcel_id),
            "up",
            crate::api::GEOJSON,
            "The parcel it stands on",
        ),
    ])
}

/// Build a workshop on a parcel: its footprint must lie inside the parcel and clear of the
/// parcel's other buildings; figures must be physical; milestones in order, none in the future.
#[utoipa::path(
    tag = "workshops",
    operation_id = "create_workshop",
    params(("parcel_id" = i64, Path, description = "Parcel id")),
    request_body(content = FeatureIn<WorkshopPropertiesIn>, content_type = "application/geo+json"),
    responses((status = 201, body = Feature<WorkshopProperties>, content_type = "application/geo+json", headers(("ETag" = String), ("Location" = String))), WriteProblems)
)]
#[post("/api/parcels/{parcel_id}/workshops")]
pub async fn create_workshop(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    caller: Caller,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let parcel_id = path.into_inner();
    authorize(
        &state,
        &caller,
        Of::Parcel(parcel_id),
        Need::WriteOperations,
    )
    .await?;
    let large = body.is_large();
    let body: FeatureIn<WorkshopPropertiesIn> =
        state.compute_weighed(large, move || body.parse()).await?;
    let input = input_crs(&req, body.crs.as_ref())?;
    let footprint =
        checked_footprint(&state, large, body.geometry, input, AreaLimits::PARCEL).await?;
    let p = body.properties;
    let mut e = Vec::new();
    let name = check(&mut e, required_text("properties.name", &p.name, 200));
    let unit = check(
        &mut e,
        required_text("properties.responsible_unit", &p.responsible_unit, 200),
    );
    let person = check(
        &mut e,
        parse_text(
            "properties.responsible_person",
            p.responsible_person.as_deref().unwrap_or(""),
            100,
        ),
    );
    let owner = match owner_of(p.owner_name, p.owner_enterprise_id) {
        Ok(Some(o)) => Some(o),
        Ok(None) => {
            e.push(FieldError::new("properties.owner_name", "say who owns the building: owner_name (the platform company) or owner_enterprise_id").zh("请说明厂房产权人：owner_name（平台公司）或 owner_enterprise_id"));
            None
        }
        Err(x) => {
            e.push(x);
            None
        }
    };
    if let Err(x) = check_figures(
        p.storeys,
        &p.storey_heights_m,
        p.floor_area_m2,
        p.floor_load_kn_m2,
        footprint.area_m2(),
    ) {
        e.extend(x);
    }
    let plan = p.milestones.into_plan();
    if let Err(x) = check_plan(&plan, state.today(), "properties.milestones") {
        e.extend(x);
    }
    let (Some(name), Some(responsible_unit), Some(responsible_person), Some(owner)) =
        (name, unit, person, owner)
    else {
        return Err(e.into());
    };
    if !e.is_empty() {
        return Err(e.into());
    }
    let draft = WorkshopDraft {
        name,
        footprint,
        storeys: p.storeys,
        storey_heights_m: p.storey_heights_m,
        floor_area_m2: p.floor_area_m2,
        floor_load_kn_m2: p.floor_load_kn_m2,
        structure: p.structure,
        owner,
        responsible_unit,
        responsible_person,
        deadline: p.deadline,
        deadline_milestone: p.deadline_milestone.unwrap_or(Milestone::Completion),
        plan,
    };
    let stamp = state.stamp(&caller);
    let id = state
        .run(move |c| ops::estate::create(c, parcel_id, draft, &stamp))
        .await?
        .id;
    let b = state.run(move |c| ops::estate::building(c, id)).await?;
    let base = base_url(&req, &state);
    created_response(
        &req,
        &state,
        &format!("/api/workshops/{id}"),
        b.workshop.version,
        &workshop_feature(&b, state.today(), &base),
    )
}

/// A workshop with its deadline status, percent complete and occupancy on `as_of` (default today).
#[utoipa::path(
    tag = "workshops",
    operation_id = "get_workshop",
    params(("workshop_id" = i64, Path, description = "Workshop id"), AsOf),
    responses((status = 200, body = Feature<WorkshopProperties>, content_type = "application/geo+json", headers(("ETag" = String))), ReadProblems)
)]
#[get("/api/workshops/{workshop_id}")]
pub async fn get_workshop(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    caller: Caller,
    params: Params<AsOf>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    authorize(&state, &caller, Of::Workshop(id), Need::ReadRegister).await?;
    let as_of = params.read()?.as_of.unwrap_or_else(|| state.today());
    let b = state.run(move |c| ops::estate::building(c, id)).await?;
    record_response(
        StatusCode::OK,
        b.workshop.version,
        &workshop_feature(&b, as_of, &base_url(&req, &state)),
    )
}

/// Change a workshop (merge patch), its construction plan included: e.g.
/// `{"properties": {"milestones": {"topping_out": {"actual": "2026-08-15"}}}}`. Needs `If-Match`.
#[utoipa::path(
    tag = "workshops",
    operation_id = "update_workshop",
    params(("workshop_id" = i64, Path, description = "Workshop id"), ("If-Match" = String, Header, description = "ETag of the version being changed, or `*`")),
    request_body(content = FeaturePatchIn<WorkshopPropertiesPatch>, content_type = "application/merge-patch+json"),
    responses((status = 200, body = Feature<WorkshopProperties>, content_type = "application/geo+json", headers(("ETag" = String))), WriteProblems)
)]
#[patch("/api/workshops/{workshop_id}")]
pub async fn update_workshop(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    caller: Caller,
    if_match: IfMatch,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    authorize(&state, &caller, Of::Workshop(id), Need::WriteOperations).await?;
    let expected = if_match.expected()?;
    let large = body.is_large();
    let body: FeaturePatchIn<WorkshopPropertiesPatch> =
        state.compute_weighed(large, move || body.parse()).await?;
    let input = input_crs(&req, body.crs.as_ref())?;
    let footprint =
        checked_patch_footprint(&state, large, body.geometry, input, AreaLimits::PARCEL).await?;
    let p = body.properties.unwrap_or_default();
    let mut e = Vec::new();
    let milestones = p.milestones.unwrap_or_default();
    let patches = [
        milestones.approval,
        milestones.start,
        milestones.topping_out,
        milestones.completion,
        milestones.acceptance,
        milestones.handover,
    ];
    let changes = WorkshopChanges {
        name: p
            .name
            .and_then(|n| check(&mut e, required_text("properties.name", &n, 200))),
        footprint,
        storeys: p.storeys,
        storey_heights_m: p.storey_heights_m,
        floor_area_m2: p.floor_area_m2,
        floor_load_kn_m2: p.floor_load_kn_m2,
        structure: p.structure,
        owner: check(&mut e, owner_of(p.owner_name, p.owner_enterprise_id)).flatten(),
        responsible_unit: p.responsible_unit.and_then(|u| {
            check(
                &mut e,
                required_text("properties.responsible_unit", &u, 200),
            )
        }),
        responsible_person: p.responsible_person.and_then(|u| {
            check(
                &mut e,
                parse_text(
                    "properties.responsible_person",
                    u.as_deref().unwrap_or(""),
                    100,
                ),
            )
        }),
        deadline: p.deadline,
        deadline_milestone: p
            .deadline_milestone
            .map(|m| m.unwrap_or(Milestone::Completion)),
        plan: patches.map(|m| {
            m.map_or_else(MilestoneChange::default, |m| MilestoneChange {
                planned: m.planned,
                actual: m.actual,
            })
        }),
    };
    if !e.is_empty() {
        return Err(e.into());
    }
    let (stamp, today) = (state.stamp(&caller), state.today());
    state
        .run(move |c| ops::estate::update(c, id, expected, changes, today, &stamp))
        .await?;
    let b = state.run(move |c| ops::estate::building(c, id)).await?;
    record_response(
        StatusCode::OK,
        b.workshop.version,
        &workshop_feature(&b, today, &base_url(&req, &state)),
    )
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgressIn {
    /// The day of the report (not in the future).
    pub date: NaiveDate,
    /// Percent complete, 0–100; it can only grow.
    pub percent: f64,
    pub note: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ProgressView {
    pub id: i64,
    pub workshop_id: i64,
    pub date: NaiveDate,
    pub percent: f64,
    pub note: String,
    pub recorded_at: DateTime<Utc>,
    pub recorded_by: String,
}

impl From<&ProgressReport> for ProgressView {
    fn from(p: &ProgressReport) -> Self {
        Self {
            id: p.id,
            workshop_id: p.workshop_id,
            date: p.date,
            percent: p.percent,
            note: p.note.clone(),
            recorded_at: utc(p.recorded.at),
            recorded_by: p.recorded.by.clone(),
        }
    }
}

/// Report progress (形象进度): percent complete on a day, with a note.
#[utoipa::path(
    tag = "workshops",
    operation_id = "add_workshop_progress",
    params(("workshop_id" = i64, Path, description = "Workshop id")),
    request_body = ProgressIn,
    responses((status = 201, body = ProgressView), WriteProblems)
)]
#[post("/api/workshops/{workshop_id}/progress")]
pub async fn add_progress(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    caller: Caller,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    authorize(&state, &caller, Of::Workshop(id), Need::WriteOperations).await?;
    let body: ProgressIn = body.parse()?;
    let mut e = Vec::new();
    if let Err(x) = crate::domain::supply::check_past_date("date", body.date, state.today()) {
        e.push(x);
    }
    if !(body.percent.is_finite() && (0.0..=100.0).contains(&body.percent)) {
        e.push(
            FieldError::new(
                "percent",
                format!("percent complete is 0 to 100, got {}", body.percent),
            )
            .zh(format!("完成比例须为 0 至 100，收到 {}", body.percent)),
        );
    }
    let note = check(
        &mut e,
        parse_text("note", body.note.as_deref().unwrap_or(""), 1000),
    );
    let Some(note) = note.filter(|_| e.is_empty()) else {
        return Err(e.into());
    };
    let stamp = state.stamp(&caller);
    let report = state
        .run(move |c| ops::estate::add_progress(c, id, body.date, body.percent, note, &stamp))
        .await?;
    json_response(
        StatusCode::CREATED,
        "application/json",
        &ProgressView::from(&report),
    )
}

/// The progress reports of a workshop, oldest first.
#[utoipa::path(
    tag = "workshops",
    operation_id = "list_workshop_progress",
    params(("workshop_id" = i64, Path, description = "Workshop id")),
    responses((status = 200, body = Vec<ProgressView>), ReadProblems)
)]
#[get("/api/workshops/{workshop_id}/progress")]
pub async fn list_progress(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    authorize(&state, &caller, Of::Workshop(id), Need::ReadRegister).await?;
    let reports = state
        .run(move |c| store::workshops::progress(c, &[id]))
        .await?;
    json_response(
        StatusCode::OK,
        "application/json",
        &reports.iter().map(ProgressView::from).collect::<Vec<_>>(),
    )
}
