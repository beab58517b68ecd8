//! `/api/parks`: parks (园区) with their boundary, industry positioning and settings.

use crate::api::http::access::{self, Need, Of, authorize};
use crate::api::http::extract::{IfMatch, JsonBody, input_crs};
use crate::api::http::input::{FeatureIn, FeaturePatchIn, check, check_many, not_null, nullable};
use crate::api::{
    AppState, GEOJSON, checked_footprint, checked_patch_footprint, created_response,
    record_response,
};
use crate::domain::FieldError;
use crate::domain::access::Action;
use crate::domain::access::Caller;
use crate::domain::codes::{AdminDivisionCode, Code, parse_text};
use crate::domain::industry;
use crate::domain::register::{Park, ParkChanges, ParkDraft};
use crate::domain::settings::SettingsOverrides;
use crate::error::{ApiError, ReadProblems, WriteProblems};
use crate::ops;
use crate::spatial::AreaLimits;
use crate::store;
use crate::views::{Feature, FeatureCollection, ParkFeature, ParkProperties};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use serde::Deserialize;
use utoipa::ToSchema;

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_parks)
        .service(create_park)
        .service(get_park)
        .service(update_park);
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ParkPropertiesIn {
    /// Short unique code, e.g. `NCGY`.
    pub code: String,
    /// e.g. 南城县工业园区.
    pub name: String,
    /// County administrative division code (GB/T 2260), e.g. `361021`.
    pub admin_code: Option<String>,
    pub description: Option<String>,
    /// Industry positioning: GB/T 4754-2017 codes, e.g. `["C39", "38"]`.
    pub industries: Option<Vec<String>>,
    /// Overrides of the default thresholds.
    pub settings: Option<SettingsOverrides>,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct ParkPropertiesPatch {
    #[serde(default, deserialize_with = "not_null")]
    pub code: Option<String>,
    #[serde(default, deserialize_with = "not_null")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub admin_code: Option<Option<String>>,
    #[serde(default, deserialize_with = "not_null")]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "not_null")]
    pub industries: Option<Vec<String>>,
    /// Replaces the park's overrides as a whole.
    #[serde(default, deserialize_with = "not_null")]
    pub settings: Option<SettingsOverrides>,
}

fn settings(
    errors: &mut Vec<FieldError>,
    s: Option<SettingsOverrides>,
) -> Option<SettingsOverrides> {
    let s = s.unwrap_or_default();
    check_many(errors, s.validate("properties.settings")).map(|()| s)
}

impl ParkPropertiesIn {
    fn into_draft(self, boundary: crate::spatial::Footprint) -> Result<ParkDraft, Vec<FieldError>> {
        let mut e = Vec::new();
        let code = check(&mut e, Code::parse("properties.code", &self.code));
        let name = check(&mut e, parse_text("properties.name", &self.name, 200));
        if name.as_deref() == Some("") {
            e.push(FieldError::new("properties.name", "must not be empty").zh("不能为空"));
        }
        let admin_code = match self.admin_code {
            Some(c) => check(
                &mut e,
                AdminDivisionCode::parse("properties.admin_code", &c).map(Some),
            ),
            None => Some(None),
        };
        let description = check(
            &mut e,
            parse_text(
                "properties.description",
                self.description.as_deref().unwrap_or(""),
                4000,
            ),
        );
        let industries = check_many(
            &mut e,
            industry::parse_list(
                "properties.industries",
                &self.industries.unwrap_or_default(),
            ),
        );
        let settings = settings(&mut e, self.settings);
        match (code, name, admin_code, description, industries, settings) {
            (
                Some(code),
                Some(name),
                Some(admin_code),
                Some(description),
                Some(industries),
                Some(settings),
            ) if e.is_empty() => Ok(ParkDraft {
                code,
                name,
                admin_code,
                description,
                industries,
                settings,
                boundary,
            }),
            _ => Err(e),
        }
    }
}

impl ParkPropertiesPatch {
    fn into_changes(
        self,
        boundary: Option<crate::spatial::Footprint>,
    ) -> Result<ParkChanges, Vec<FieldError>> {
        let mut e = Vec::new();
        let changes = ParkChanges {
            code: self
                .code
                .and_then(|c| check(&mut e, Code::parse("properties.code", &c))),
            name: self.name.and_then(|n| {
                check(
                    &mut e,
                    parse_text("properties.name", &n, 200).and_then(|n| {
                        if n.is_empty() {
                            Err(FieldError::new("properties.name", "must not be empty")
                                .zh("不能为空"))
                        } else {
                            Ok(n)
                        }
                    }),
                )
            }),
            admin_code: self.admin_code.and_then(|c| match c {
                Some(c) => check(
                    &mut e,
                    AdminDivisionCode::parse("properties.admin_code", &c),
                )
                .map(Some),
                None => Some(None),
            }),
            description: self
                .description
                .and_then(|d| check(&mut e, parse_text("properties.description", &d, 4000))),
            industries: self.industries.and_then(|l| {
                check_many(&mut e, industry::parse_list("properties.industries", &l))
            }),
            settings: self.settings.and_then(|s| settings(&mut e, Some(s))),
            boundary,
        };
        if e.is_empty() { Ok(changes) } else { Err(e) }
    }
}

pub fn park_feature(p: &Park) -> ParkFeature<'_> {
    Feature::new(p.id, &p.boundary, ParkProperties::of(p))
}

/// List all parks.
#[utoipa::path(tag = "parks", operation_id = "list_parks", security(()), responses((status = 200, body = FeatureCollection<ParkProperties>, content_type = "application/geo+json")))]
#[get("/api/parks")]
pub async fn list_parks(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let parks = state.run(store::parks::list).await?;
    crate::api::json_off_worker(&state, GEOJSON, move || {
        let body = FeatureCollection::new(parks.iter().map(park_feature).collect());
        crate::api::to_json(&body)
    })
    .await
}

/// Create a park from a GeoJSON Feature whose geometry is the park boundary.
#[utoipa::path(
    tag = "parks",
    operation_id = "create_park",
    request_body(content = FeatureIn<ParkPropertiesIn>, content_type = "application/geo+json"),
    responses((status = 201, body = Feature<ParkProperties>, content_type = "application/geo+json", headers(("ETag" = String), ("Location" = String))), WriteProblems)
)]
#[post("/api/parks")]
pub async fn create_park(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    access::require(&caller, Action::CreateParks)?;
    let large = body.is_large();
    let body: FeatureIn<ParkPropertiesIn> =
        state.compute_weighed(large, move || body.parse()).await?;
    let input = input_crs(&req, body.crs.as_ref())?;
    let boundary = checked_footprint(&state, large, body.geometry, input, AreaLimits::PARK).await?;
    let draft = body.properties.into_draft(boundary)?;
    access::require(
        &caller,
        Action::CreatePark(draft.admin_code.as_ref().map(|c| c.as_str())),
    )?;
    let stamp = state.stamp(&caller);

    let park = state
        .run(move |c| ops::places::create_park(c, draft, &stamp))
        .await?;
    created_response(
        &req,
        &state,
        &format!("/api/parks/{}", park.id),
        park.version,
        &park_feature(&park),
    )
}

/// Read a park.
#[utoipa::path(
    tag = "parks",
    operation_id = "get_park", security(()),
    params(("park_id" = i64, Path, description = "Park id")),
    responses((status = 200, body = Feature<ParkProperties>, content_type = "application/geo+json", headers(("ETag" = String))), ReadProblems)
)]
#[get("/api/parks/{park_id}")]
pub async fn get_park(
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let park = state.run(move |c| store::parks::get(c, id)).await?;
    record_response(StatusCode::OK, park.version, &park_feature(&park))
}

/// Change a park (JSON merge patch); needs `If-Match` with the ETag you read.
#[utoipa::path(
    tag = "parks",
    operation_id = "update_park",
    params(("park_id" = i64, Path, description = "Park id"), ("If-Match" = String, Header, description = "ETag of the version being changed, or `*`")),
    request_body(content = FeaturePatchIn<ParkPropertiesPatch>, content_type = "application/merge-patch+json"),
    responses((status = 200, body = Feature<ParkProperties>, content_type = "application/geo+json", headers(("ETag" = String))), WriteProblems)
)]
#[patch("/api/parks/{park_id}")]
pub async fn update_park(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    caller: Caller,
    if_match: IfMatch,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    authorize(&state, &caller, Of::Park(id), Need::WritePark).await?;
    let expected = if_match.expected()?;
    let large = body.is_large();
    let body: FeaturePatchIn<ParkPropertiesPatch> =
        state.compute_weighed(large, move || body.parse()).await?;
    let input = input_crs(&req, body.crs.as_ref())?;
    let boundary =
        checked_patch_footprint(&state, large, body.geometry, input, AreaLimits::PARK).await?;
    let changes = body.properties.unwrap_or_default().into_changes(boundary)?;
    if let Some(code) = &changes.admin_code {
        // Moving a park to another division needs the right to create parks there.
        access::require(
            &caller,
            Action::CreatePark(code.as_ref().map(|c| c.as_str())),
        )?;
    }
    let stamp = state.stamp(&caller);
    let park = state
        .run(move |c| ops::places::update_park(c, id, expected, changes, &stamp))
        .await?;
    record_response(StatusCode::OK, park.version, &park_feature(&park))
}
