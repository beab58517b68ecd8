//! `/api/parks/{park_id}/zones` and `/api/zones/{zone_id}`: zones (片区) of a park.

use crate::api::http::access::{Need, Of, authorize};
use crate::api::http::extract::{IfMatch, JsonBody, input_crs};
use crate::api::http::input::{FeatureIn, FeaturePatchIn, check, not_null, nullable};
use crate::api::{
    AppState, GEOJSON, checked_footprint, checked_patch_footprint, created_response,
    record_response,
};
use crate::domain::FieldError;
use crate::domain::access::Caller;
use crate::domain::codes::{Code, parse_text};
use crate::domain::industry;
use crate::domain::register::{Park, Zone, ZoneChanges, ZoneDraft};
use crate::domain::settings::SettingsOverrides;
use crate::error::{ApiError, ReadProblems, WriteProblems};
use crate::ops;
use crate::spatial::{AreaLimits, Footprint};
use crate::store;
use crate::views::{Feature, FeatureCollection, ZoneFeature, ZoneProperties};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use serde::Deserialize;
use utoipa::ToSchema;

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_zones)
        .service(create_zone)
        .service(get_zone)
        .service(update_zone);
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ZonePropertiesIn {
    /// Code unique within the park, e.g. `EAST`.
    pub code: String,
    /// e.g. 东片区.
    pub name: String,
    pub description: Option<String>,
    /// The zone's own industry positioning; omit to inherit the park's.
    pub industries: Option<Vec<String>>,
    /// Overrides of the park's settings.
    pub settings: Option<SettingsOverrides>,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct ZonePropertiesPatch {
    #[serde(default, deserialize_with = "not_null")]
    pub code: Option<String>,
    #[serde(default, deserialize_with = "not_null")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "not_null")]
    pub description: Option<String>,
    /// `null` makes the zone inherit the park's positioning again.
    #[serde(default, deserialize_with = "nullable")]
    pub industries: Option<Option<Vec<String>>>,
    #[serde(default, deserialize_with = "not_null")]
    pub settings: Option<SettingsOverrides>,
}

fn industries(e: &mut Vec<FieldError>, list: Vec<String>) -> Option<Vec<industry::IndustryCode>> {
    industry::parse_list("properties.industries", &list)
        .map_err(|x| e.extend(x))
        .ok()
}

fn settings(e: &mut Vec<FieldError>, s: SettingsOverrides) -> Option<SettingsOverrides> {
    s.validate("properties.settings")
        .map_err(|x| e.extend(x))
        .ok()
        .map(|()| s)
}

fn name(e: &mut Vec<FieldError>, raw: &str) -> Option<String> {
    let n = check(e, parse_text("properties.name", raw, 200))?;
    if n.is_empty() {
        e.push(FieldError::new("properties.name", "must not be empty").zh("不能为空"));
        return None;
    }
    Some(n)
}

impl ZonePropertiesIn {
    fn into_draft(self, boundary: Footprint) -> Result<ZoneDraft, Vec<FieldError>> {
        let mut e = Vec::new();
        let code = check(&mut e, Code::parse("properties.code", &self.code));
        let name = name(&mut e, &self.name);
        let description = check(
            &mut e,
            parse_text(
                "properties.description",
                self.description.as_deref().unwrap_or(""),
                4000,
            ),
        );
        let industries = match self.industries {
            Some(list) => industries(&mut e, list).map(Some),
            None => Some(None),
        };
        let settings = settings(&mut e, self.settings.unwrap_or_default());
        match (code, name, description, industries, settings) {
            (Some(code), Some(name), Some(description), Some(industries), Some(settings))
                if e.is_empty() =>
            {
                Ok(ZoneDraft {
                    code,
                    name,
                    description,
                    industries,
                    settings,
                    boundary,
                })
            }
            _ => Err(e),
        }
    }
}

impl ZonePropertiesPatch {
    fn into_changes(self, boundary: Option<Footprint>) -> Result<ZoneChanges, Vec<FieldError>> {
        let mut e = Vec::new();
        let changes = ZoneChanges {
            code: self
                .code
                .and_then(|c| check(&mut e, Code::parse("properties.code", &c))),
            name: self.name.and_then(|n| name(&mut e, &n)),
            description: self
                .description
                .and_then(|d| check(&mut e, parse_text("properties.description", &d, 4000))),
            industries: self.industries.and_then(|l| match l {
                Some(list) => industries(&mut e, list).map(Some),
                None => Some(None),
            }),
            settings: self.settings.and_then(|s| settings(&mut e, s)),
            boundary,
        };
        if e.is_empty() { Ok(changes) } else { Err(e) }
    }
}

pub fn zone_feature<'a>(z: &'a Zone, park: &Park) -> ZoneFeature<'a> {
    Feature::new(z.id, &z.boundary, ZoneProperties::of(z, park))
}

/// List the zones of a park.
#[utoipa::path(
    tag = "zones",
    operation_id = "list_zones", security(()),
    params(("park_id" = i64, Path, description = "Park id")),
    responses((status = 200, body = FeatureCollection<ZoneProperties>, content_type = "application/geo+json"), ReadProblems)
)]
#[get("/api/parks/{park_id}/zones")]
pub async fn list_zones(
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let park_id = path.into_inner();
    let (park, zones) = state
        .run(move |c| store::zones::park_with_zones(c, park_id))
        .await?;
    crate::api::json_off_worker(&state, GEOJSON, move || {
        let body = FeatureCollection::new(zones.iter().map(|z| zone_feature(z, &park)).collect());
        crate::api::to_json(&body)
    })
    .await
}

/// Create a zone in a park.
#[utoipa::path(
    tag = "zones",
    operation_id = "create_zone",
    params(("park_id" = i64, Path, description = "Park id")),
    request_body(content = FeatureIn<ZonePropertiesIn>, content_type = "application/geo+json"),
    responses((status = 201, body = Feature<ZoneProperties>, content_type = "application/geo+json", headers(("ETag" = String), ("Location" = String))), WriteProblems)
)]
#[post("/api/parks/{park_id}/zones")]
pub async fn create_zone(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    caller: Caller,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let park_id = path.into_inner();
    authorize(&state, &caller, Of::Park(park_id), Need::WritePark).await?;
    let large = body.is_large();
    let body: FeatureIn<ZonePropertiesIn> =
        state.compute_weighed(large, move || body.parse()).await?;
    let input = input_crs(&req, body.crs.as_ref())?;
    let boundary = checked_footprint(&state, large, body.geometry, input, AreaLimits::PARK).await?;
    let draft = body.properties.into_draft(boundary)?;
    let stamp = state.stamp(&caller);
    let (zone, park) = state
        .run(move |c| {
            let zone = ops::places::create_zone(c, park_id, draft, &stamp)?;
            Ok((zone, store::parks::get(c, park_id)?))
        })
        .await?;
    created_response(
        &req,
        &state,
        &format!("/api/zones/{}", zone.id),
        zone.version,
        &zone_feature(&zone, &park),
    )
}

/// Read a zone.
#[utoipa::path(
    tag = "zones",
    operation_id = "get_zone", security(()),
    params(("zone_id" = i64, Path, description = "Zone id")),
    responses((status = 200, body = Feature<ZoneProperties>, content_type = "application/geo+json", headers(("ETag" = String))), ReadProblems)
)]
#[get("/api/zones/{zone_id}")]
pub async fn get_zone(
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let (zone, park) = state
        .run(move |c| store::zones::get_with_park(c, id))
        .await?;
    record_response(StatusCode::OK, zone.version, &zone_feature(&zone, &park))
}

/// Change a zone (JSON merge patch); needs `If-Match`.
#[utoipa::path(
    tag = "zones",
    operation_id = "update_zone",
    params(("zone_id" = i64, Path, description = "Zone id"), ("If-Match" = String, Header, description = "ETag of the version being changed, or `*`")),
    request_body(content = FeaturePatchIn<ZonePropertiesPatch>, content_type = "application/merge-patch+json"),
    responses((status = 200, body = Feature<ZoneProperties>, content_type = "application/geo+json", headers(("ETag" = String))), WriteProblems)
)]
#[patch("/api/zones/{zone_id}")]
pub async fn update_zone(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    caller: Caller,
    if_match: IfMatch,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    authorize(&state, &caller, Of::Zone(id), Need::WritePark).await?;
    let expected = if_match.expected()?;
    let large = body.is_large();
    let body: FeaturePatchIn<ZonePropertiesPatch> =
        state.compute_weighed(large, move || body.parse()).await?;
    let input = input_crs(&req, body.crs.as_ref())?;
    let boundary =
        checked_patch_footprint(&state, large, body.geometry, input, AreaLimits::PARK).await?;
    let changes = body.properties.unwrap_or_default().into_changes(boundary)?;
    let stamp = state.stamp(&caller);
    let (zone, park) = state
        .run(move |c| {
            let zone = ops::places::update_zone(c, id, expected, changes, &stamp)?;
            let park = store::parks::get(c, zone.park_id)?;
            Ok((zone, park))
        })
        .await?;
    record_response(StatusCode::OK, zone.version, &zone_feature(&zone, &park))
}
