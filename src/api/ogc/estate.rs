//! Workshops as map layers: `workshops` (private: deadline status, percent complete and
//! occupancy on a day) and `available-units` (public: units of completed buildings that are free
//! to lease — floor, area, height and load, never tenants or rents).

use super::CollectionId;
use super::computed_filter::{queryables, retain_features};
use super::page::{Page, feature_id, keep, page_of};
use crate::api::AppState;
use crate::api::GEOJSON;
use crate::api::http::access::{Need, Of, authorize, require_register};
use crate::api::http::params::cql::CqlQuery;
use crate::api::http::params::items::{ItemQuery, ItemsParams, ItemsQuery};
use crate::api::http::params::{AsOf, DayScope, NoParams, de};
use crate::api::http::scope::estate;
use crate::domain::access::Caller;
use crate::domain::workshop::{DeadlineStatus, Milestone};
use crate::error::{ApiError, ReadProblems};
use crate::store;
use crate::store::estate::{Building, EstateQuery};
use crate::views::workshop::WorkshopProperties;
use crate::views::{Feature, FeatureCollection};
use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(workshop_items)
        .service(workshop_item)
        .service(unit_items)
        .service(unit_item);
}

/// The workshops' own filter (with a day and parks, [`DayScope`]).
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DeadlineFilter {
    /// Comma-separated: overdue, at_risk, not_started, on_track, completed_late,
    /// completed_on_time.
    #[serde(default, deserialize_with = "de::list")]
    #[param(value_type = Option<String>)]
    pub deadline_status: Option<Vec<DeadlineStatus>>,
}

/// Where to look for units free to lease.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct UnitFilters {
    /// Only this park.
    #[serde(default, deserialize_with = "de::id")]
    pub park_id: Option<i64>,
    /// Only this zone.
    #[serde(default, deserialize_with = "de::id")]
    pub zone_id: Option<i64>,
}

/// Standard workshops on a day.
#[utoipa::path(
    tag = "ogc-api",
    operation_id = "get_workshop_items",
    params(ItemsQuery, DayScope, DeadlineFilter, CqlQuery),
    responses((status = 200, body = FeatureCollection<WorkshopProperties>, content_type = "application/geo+json", headers(("ETag" = String))), (status = 304, description = "Not modified"), ReadProblems)
)]
#[get("/collections/workshops/items")]
pub async fn workshop_items(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    require_register(&caller)?;
    let params = ItemsParams::<DayScope, DeadlineFilter>::of_filtered(&req, &state.config)?;
    let filter = params
        .cql
        .read(queryables(CollectionId::Workshops).unwrap_or_default())?;
    let statuses = params.more.deadline_status.clone();
    let (buildings, as_of) = estate(&state, &caller, &params.filters).await?;
    let doc = Page::new(&req, &state, CollectionId::Workshops, &params, 0);
    let written = state
        .compute(move || {
            let features: Vec<_> = buildings
                .iter()
                .filter(|b| keep(&b.workshop.footprint, b.workshop.updated.at, &params))
                .map(|b| {
                    Feature::new(
                        b.workshop.id,
                        &b.workshop.footprint,
                        WorkshopProperties::of(b, as_of),
                    )
                })
                .filter(|f| {
                    statuses
                        .as_ref()
                        .is_none_or(|s| s.contains(&f.properties.deadline_status))
                })
                .collect();
            let (page, matched) = page_of(retain_features(features, filter.as_ref()), &params);
            doc.matched(matched).write(page)
        })
        .await?;
    written.respond(&req, GEOJSON)
}

/// One workshop on a day.
#[utoipa::path(
    tag = "ogc-api",
    operation_id = "get_workshop_item",
    params(("feature_id" = i64, Path, description = "Workshop id"), ItemQuery, AsOf),
    responses((status = 200, body = Feature<WorkshopProperties>, content_type = "application/geo+json", headers(("ETag" = String))), (status = 304, description = "Not modified"), ReadProblems)
)]
#[get("/collections/workshops/items/{feature_id}")]
pub async fn workshop_item(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    require_register(&caller)?;
    let p = super::item_params::<AsOf>(&req)?;
    let id = feature_id(&path, CollectionId::Workshops)?;
    authorize(&state, &caller, Of::Workshop(id), Need::ReadRegister).await?;
    let as_of = p.filters.as_of.unwrap_or_else(|| state.today());
    let b = state
        .run(move |c| crate::ops::estate::building(c, id))
        .await?;
    super::feature_json(
        &req,
        Feature::new(id, &b.workshop.footprint, WorkshopProperties::of(&b, as_of)),
        p.coordinates,
    )
}

/// A unit free to lease, as the public sees it.
#[derive(Serialize, ToSchema)]
pub struct AvailableUnitProperties {
    pub unit_id: i64,
    pub workshop_id: i64,
    pub workshop_name: String,
    pub park_id: i64,
    pub park_name: String,
    pub zone_id: Option<i64>,
    pub zone_name: Option<String>,
    /// 1 is the ground floor.
    pub floor: i32,
    pub section: String,
    pub area_m2: f64,
    /// The height of its storey, m.
    pub storey_height_m: Option<f64>,
    /// 楼面荷载, kN/m².
    pub floor_load_kn_m2: f64,
    pub structure_name: &'static str,
    /// Free since (the building's handover or completion, or the end of its last lease).
    pub available_from: NaiveDate,
}

/// The units of completed buildings with no lease today or later.
pub(super) fn available(
    buildings: &[Building],
    today: NaiveDate,
) -> Vec<Feature<'_, AvailableUnitProperties>> {
    let mut out = Vec::new();
    for b in buildings {
        let w = &b.workshop;
        let ready = [Milestone::Handover, Milestone::Completion]
            .into_iter()
            .find_map(|m| w.plan[m.index()].actual.filter(|d| *d <= today));
        let Some(ready) = ready else { continue };
        for (u, leases) in &b.units {
            if leases.iter().any(|l| l.end >= today) {
                continue;
            }
            let from = leases
                .iter()
                .filter_map(|l| l.end.succ_opt())
                .max()
                .map_or(ready, |d| d.max(ready));
            out.push(Feature::new(
                u.id,
                &w.footprint,
                AvailableUnitProperties {
                    unit_id: u.id,
                    workshop_id: w.id,
                    workshop_name: w.name.clone(),
                    park_id: w.park_id,
                    park_name: b.park_name.clone(),
                    zone_id: w.zone_id,
                    zone_name: b.zone_name.clone(),
                    floor: u.floor,
                    section: u.section.clone(),
                    area_m2: u.area_m2,
                    storey_height_m: usize::try_from(u.floor - 1)
                        .ok()
                        .and_then(|i| w.storey_heights_m.get(i))
                        .copied(),
                    floor_load_kn_m2: w.floor_load_kn_m2,
                    structure_name: w.structure.label_zh(),
                    available_from: from,
                },
            ));
        }
    }
    out
}

async fn public_estate(
    state: &AppState,
    park_id: Option<i64>,
    zone_id: Option<i64>,
) -> Result<Vec<Building>, ApiError> {
    let query = EstateQuery {
        park_id,
        zone_id,
        ..Default::default()
    };
    Ok(state.run(move |c| store::estate::load(c, &query)).await?.0)
}

/// Workshop units free to lease today. Public.
#[utoipa::path(
    tag = "ogc-api",
    operation_id = "get_available_unit_items",
    security(()),
    params(ItemsQuery, UnitFilters, CqlQuery),
    responses((status = 200, body = FeatureCollection<AvailableUnitProperties>, content_type = "application/geo+json", headers(("ETag" = String))), (status = 304, description = "Not modified"), ReadProblems)
)]
#[get("/collections/available-units/items")]
pub async fn unit_items(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let params = ItemsParams::<UnitFilters>::of_filtered(&req, &state.config)?;
    let filter = params
        .cql
        .read(queryables(CollectionId::AvailableUnits).unwrap_or_default())?;
    let buildings = public_estate(&state, params.filters.park_id, params.filters.zone_id).await?;
    let doc = Page::new(&req, &state, CollectionId::AvailableUnits, &params, 0);
    let today = state.today();
    let written = state
        .compute(move || {
            let kept: Vec<Building> = buildings
                .into_iter()
                .filter(|b| keep(&b.workshop.footprint, b.workshop.updated.at, &params))
                .collect();
            let (page, matched) = page_of(
                retain_features(available(&kept, today), filter.as_ref()),
                &params,
            );
            doc.matched(matched).write(page)
        })
        .await?;
    written.respond(&req, GEOJSON)
}

/// One unit free to lease. Public; a unit that is leased is not found here.
#[utoipa::path(
    tag = "ogc-api",
    operation_id = "get_available_unit_item",
    security(()),
    params(("feature_id" = i64, Path, description = "Unit id"), ItemQuery),
    responses((status = 200, body = Feature<AvailableUnitProperties>, content_type = "application/geo+json", headers(("ETag" = String))), (status = 304, description = "Not modified"), ReadProblems)
)]
#[get("/collections/available-units/items/{feature_id}")]
pub async fn unit_item(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let p = super::item_params::<NoParams>(&req)?;
    let raw = path.into_inner();
    let not_found = || ApiError::not_found(format!("there is no available unit `{raw}`"));
    let id: i64 = raw.parse().map_err(|_| not_found())?;
    let workshop = state
        .run(move |c| match store::leases::get_unit(c, id) {
            Ok(u) => Ok(Some(u.workshop_id)),
            Err(store::StoreError::NotFound(_)) => Ok(None),
            Err(e) => Err(e),
        })
        .await?
        .ok_or_else(not_found)?;
    let query = EstateQuery {
        workshop_id: Some(workshop),
        ..Default::default()
    };
    let (buildings, _) = state.run(move |c| store::estate::load(c, &query)).await?;
    let feature = available(&buildings, state.today())
        .into_iter()
        .find(|f| f.id == crate::views::FeatureId::Number(id))
        .ok_or_else(not_found)?;
    super::feature_json(&req, feature, p.coordinates)
}
