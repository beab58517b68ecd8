//! `/api/parks/{park_id}/parcels` and `/api/parcels/{parcel_id}`: parcels (宗地).
//! Listing and map queries are the OGC API collection `parcels`.

use crate::api::http::access::{Need, Of, authorize};
use crate::api::http::extract::{IfMatch, JsonBody, base_url, input_crs};
use crate::api::http::input::{FeatureIn, FeaturePatchIn, check, not_null, nullable};
use crate::api::{
    AppState, checked_footprint, checked_patch_footprint, created_response, record_response,
};
use crate::domain::FieldError;
use crate::domain::access::Caller;
use crate::domain::codes::{Code, parse_text};
use crate::domain::land_use::LandUse;
use crate::domain::parcel::{ParcelStatus, PlanningConditions};
use crate::domain::register::{ParcelChanges, ParcelDraft, PlanningChanges, RawParcel};
use crate::error::{ApiError, ReadProblems, WriteProblems};
use crate::ops;
use crate::spatial::{AreaLimits, Footprint};
use crate::store;
use crate::views::{Feature, ParcelProperties, parcel_feature};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::ToSchema;

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(create_parcel)
        .service(get_parcel)
        .service(update_parcel);
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ParcelPropertiesIn {
    /// Parcel code (宗地代码), unique within the park.
    pub code: String,
    /// The zone; omitted: the zone containing the parcel, if any.
    pub zone_id: Option<i64>,
    pub name: Option<String>,
    /// Location description (坐落).
    pub location: Option<String>,
    /// Land-use class of the 用地用海分类, e.g. `100101`.
    pub land_use: String,
    /// Initial status; `reserve` when omitted.
    pub status: Option<ParcelStatus>,
    pub far_min: Option<f64>,
    pub far_max: Option<f64>,
    pub building_density_min_pct: Option<f64>,
    pub building_density_max_pct: Option<f64>,
    pub green_ratio_min_pct: Option<f64>,
    pub green_ratio_max_pct: Option<f64>,
    pub height_max_m: Option<f64>,
    /// Infrastructure in place, keys of the park's list (e.g. `water_supply`, `power`).
    pub infrastructure: Option<Vec<String>>,
    pub site_levelled: Option<bool>,
    /// The 净地 conditions the bureau attests (《闲置土地处置办法》 Art. 21): `rights_clear`
    /// (土地权利清晰), `resettled` (安置补偿落实到位), `undisputed` (没有法律经济纠纷). A parcel
    /// is supplied only with all three, its 容积率 set, site levelled and the park's
    /// `start_infrastructure` in place.
    pub clearances: Option<Vec<String>>,
    /// 建设用地批准文号, e.g. 赣府土字〔2022〕12号.
    pub approval_no: Option<String>,
    /// 建设用地批准日期 (批而未供 counts from it).
    pub approved_on: Option<NaiveDate>,
}

impl ParcelPropertiesIn {
    pub fn into_raw(self) -> RawParcel {
        RawParcel {
            code: self.code,
            zone_id: self.zone_id,
            name: self.name,
            location: self.location,
            land_use: self.land_use,
            status: self.status,
            planning: PlanningConditions {
                far_min: self.far_min,
                far_max: self.far_max,
                building_density_min_pct: self.building_density_min_pct,
                building_density_max_pct: self.building_density_max_pct,
                green_ratio_min_pct: self.green_ratio_min_pct,
                green_ratio_max_pct: self.green_ratio_max_pct,
                height_max_m: self.height_max_m,
            },
            infrastructure: self.infrastructure.unwrap_or_default(),
            site_levelled: self.site_levelled,
            clearances: self.clearances.unwrap_or_default(),
            approval_no: self.approval_no,
            approved_on: self.approved_on,
        }
    }
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct ParcelPropertiesPatch {
    #[serde(default, deserialize_with = "not_null")]
    pub code: Option<String>,
    /// `null` takes the parcel out of any zone.
    #[serde(default, deserialize_with = "nullable")]
    pub zone_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "nullable")]
    pub name: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub location: Option<Option<String>>,
    #[serde(default, deserialize_with = "not_null")]
    pub land_use: Option<String>,
    /// A life-cycle step (retiring has its own operation).
    #[serde(default, deserialize_with = "not_null")]
    pub status: Option<ParcelStatus>,
    #[serde(default, deserialize_with = "nullable")]
    pub far_min: Option<Option<f64>>,
    #[serde(default, deserialize_with = "nullable")]
    pub far_max: Option<Option<f64>>,
    #[serde(default, deserialize_with = "nullable")]
    pub building_density_min_pct: Option<Option<f64>>,
    #[serde(default, deserialize_with = "nullable")]
    pub building_density_max_pct: Option<Option<f64>>,
    #[serde(default, deserialize_with = "nullable")]
    pub green_ratio_min_pct: Option<Option<f64>>,
    #[serde(default, deserialize_with = "nullable")]
    pub green_ratio_max_pct: Option<Option<f64>>,
    #[serde(default, deserialize_with = "nullable")]
    pub height_max_m: Option<Option<f64>>,
    #[serde(default, deserialize_with = "not_null")]
    pub infrastructure: Option<Vec<String>>,
    #[serde(default, deserialize_with = "not_null")]
    pub site_levelled: Option<bool>,
    /// The 净地 conditions on record; the list replaces the stored one.
    #[serde(default, deserialize_with = "not_null")]
    pub clearances: Option<Vec<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub approval_no: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub approved_on: Option<Option<NaiveDate>>,
}

impl ParcelPropertiesPatch {
    fn into_changes(self, footprint: Option<Footprint>) -> Result<ParcelChanges, Vec<FieldError>> {
        let mut e = Vec::new();
        let text = |e: &mut Vec<FieldError>, field: &str, v: Option<Option<String>>, max: usize| {
            v.and_then(|v| check(e, parse_text(field, v.as_deref().unwrap_or(""), max)))
        };
        let changes = ParcelChanges {
            code: self
                .code
                .and_then(|c| check(&mut e, Code::parse("properties.code", &c))),
            zone_id: self.zone_id,
            name: text(&mut e, "properties.name", self.name, 200),
            location: text(&mut e, "properties.location", self.location, 500),
            land_use: self
                .land_use
                .and_then(|l| check(&mut e, LandUse::parse("properties.land_use", &l))),
            status: self.status,
            planning: PlanningChanges {
                far_min: self.far_min,
                far_max: self.far_max,
                building_density_min_pct: self.building_density_min_pct,
                building_density_max_pct: self.building_density_max_pct,
                green_ratio_min_pct: self.green_ratio_min_pct,
                green_ratio_max_pct: self.green_ratio_max_pct,
                height_max_m: self.height_max_m,
            },
            infrastructure: self.infrastructure,
            site_levelled: self.site_levelled,
            clearances: self.clearances,
            approval_no: text(&mut e, "properties.approval_no", self.approval_no, 100),
            approved_on: self.approved_on,
            footprint,
        };
        if e.is_empty() { Ok(changes) } else { Err(e) }
    }
}

/// Create a parcel in a park: checked for validity, inside the park, and clear of other parcels.
#[utoipa::path(
    tag = "parcels",
    operation_id = "create_parcel",
    params(("park_id" = i64, Path, description = "Park id")),
    request_body(content = FeatureIn<ParcelPropertiesIn>, content_type = "application/geo+json"),
    responses((status = 201, body = Feature<ParcelProperties>, content_type = "application/geo+json", headers(("ETag" = String), ("Location" = String))), WriteProblems)
)]
#[post("/api/parks/{park_id}/parcels")]
pub async fn create_parcel(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    caller: Caller,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let park_id = path.into_inner();
    authorize(&state, &caller, Of::Park(park_id), Need::WriteParcels).await?;
    let large = body.is_large();
    let body: FeatureIn<ParcelPropertiesIn> =
        state.compute_weighed(large, move || body.parse()).await?;
    let input = input_crs(&req, body.crs.as_ref())?;
    let footprint =
        checked_footprint(&state, large, body.geometry, input, AreaLimits::PARCEL).await?;
    let draft = ParcelDraft::from_raw(body.properties.into_raw(), footprint, "properties")?;
    let stamp = state.stamp(&caller);
    let parcel = state
        .run(move |c| ops::register::create(c, park_id, draft, &stamp))
        .await?;
    let base = base_url(&req, &state);
    created_response(
        &req,
        &state,
        &format!("/api/parcels/{}", parcel.id),
        parcel.version,
        &parcel_feature(&parcel, &base),
    )
}

/// Read a parcel (retired ones too: they are history).
#[utoipa::path(
    tag = "parcels",
    operation_id = "get_parcel",
    params(("parcel_id" = i64, Path, description = "Parcel id")),
    responses((status = 200, body = Feature<ParcelProperties>, content_type = "application/geo+json", headers(("ETag" = String))), ReadProblems)
)]
#[get("/api/parcels/{parcel_id}")]
pub async fn get_parcel(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    authorize(&state, &caller, Of::Parcel(id), Need::ReadRegister).await?;
    let parcel = state.run(move |c| store::parcels::get(c, id)).await?;
    record_response(
        StatusCode::OK,
        parcel.version,
        &parcel_feature(&parcel, &base_url(&req, &state)),
    )
}

/// Change a parcel (JSON merge patch); needs `If-Match`. A new geometry is checked like a new
/// parcel's; the previous version is kept in the history.
#[utoipa::path(
    tag = "parcels",
    operation_id = "update_parcel",
    params(("parcel_id" = i64, Path, description = "Parcel id"), ("If-Match" = String, Header, description = "ETag of the version being changed, or `*`")),
    request_body(content = FeaturePatchIn<ParcelPropertiesPatch>, content_type = "application/merge-patch+json"),
    responses((status = 200, body = Feature<ParcelProperties>, content_type = "application/geo+json", headers(("ETag" = String))), WriteProblems)
)]
#[patch("/api/parcels/{parcel_id}")]
pub async fn update_parcel(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    caller: Caller,
    if_match: IfMatch,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    authorize(&state, &caller, Of::Parcel(id), Need::WriteParcels).await?;
    let expected = if_match.expected()?;
    let large = body.is_large();
    let body: FeaturePatchIn<ParcelPropertiesPatch> =
        state.compute_weighed(large, move || body.parse()).await?;
    let input = input_crs(&req, body.crs.as_ref())?;
    let footprint =
        checked_patch_footprint(&state, large, body.geometry, input, AreaLimits::PARCEL).await?;
    let changes = body
        .properties
        .unwrap_or_default()
        .into_changes(footprint)?;
    let stamp = state.stamp(&caller);
    let parcel = state
        .run(move |c| ops::register::update(c, id, expected, changes, &stamp))
        .await?;
    record_response(
        StatusCode::OK,
        parcel.version,
        &parcel_feature(&parcel, &base_url(&req, &state)),
    )
}
