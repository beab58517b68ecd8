//! The land watch as map layers: `idle-land` (闲置土地) and `underused-land` (五未土地), each
//! parcel with its verdict and reason as properties, for any day (`as_of=`) — so QGIS and the
//! dashboard colour them by `idle_status` or `class`. Private: the bureau's and committees'.

use super::CollectionId;
use super::items::{Page, keep, page_of};
use crate::api::AppState;
use crate::api::GEOJSON;
use crate::api::http::access::{Need, Of, authorize, require_register};
use crate::api::http::params::{ItemsParams, check_format};
use crate::api::http::query::Query;
use crate::api::http::scope::{classes, statuses, watch_query};
use crate::domain::access::Caller;
use crate::error::{ApiError, ReadProblems};
use crate::store;
use crate::store::land_watch::{WatchQuery, Watched};
use crate::views::land_watch::{IdleLandItem, UnderusedItem, idle_items, underused_items};
use crate::views::{Feature, FeatureCollection};
use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::NaiveDate;
use std::collections::HashMap;

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(idle_land_items)
        .service(idle_land_item)
        .service(underused_land_items)
        .service(underused_land_item);
}

const IDLE_FILTERS: &[&str] = &["as_of", "park_id", "zone_id", "idle_status"];
const UNDERUSED_FILTERS: &[&str] = &["as_of", "park_id", "zone_id", "class"];

/// Watch the parcels an items request asks for, with the request's bbox and datetime applied.
async fn watched(
    state: &AppState,
    caller: &Caller,
    params: &ItemsParams,
) -> Result<(Vec<Watched>, NaiveDate, Query), ApiError> {
    let q = Query::from_map(params.filters.clone().into_iter().collect());
    let (query, as_of) = watch_query(state, caller, &q).await?;
    let all = state
        .run(move |c| store::land_watch::watch(c, &query, as_of))
        .await?;
    let kept = all
        .into_iter()
        .filter(|w| keep(&w.parcel.geometry, w.parcel.updated.at, params))
        .collect();
    Ok((kept, as_of, q))
}

/// A page of items as features, each on its parcel's geometry.
fn features<T>(
    watched: &[Watched],
    page: Vec<T>,
    parcel_id: impl Fn(&T) -> i64,
) -> Vec<Feature<'_, T>> {
    let geometry: HashMap<i64, &geo::MultiPolygon<f64>> = watched
        .iter()
        .map(|w| (w.parcel.id, &w.parcel.geometry))
        .collect();
    page.into_iter()
        .filter_map(|item| {
            let id = parcel_id(&item);
            geometry.get(&id).map(|g| Feature::new(id, g, item))
        })
        .collect()
}

/// One parcel of a layer, with `as_of` (and `f`) as its only parameters.
async fn watched_one(
    req: &HttpRequest,
    state: &AppState,
    caller: &Caller,
    raw_id: &str,
    collection: CollectionId,
) -> Result<(Watched, NaiveDate), ApiError> {
    let q = Query::parse(req.query_string(), &["as_of", "f", "coordinates"])?;
    if let Some(f) = q.text("f") {
        check_format(f)?;
    }
    let not_found = || {
        ApiError::not_found(format!(
            "there is no feature `{raw_id}` in {}",
            collection.id()
        ))
    };
    let id: i64 = raw_id.parse().map_err(|_| not_found())?;
    let scope = authorize(state, caller, Of::Parcel(id), Need::ReadRegister).await?;
    let as_of = q.date("as_of")?.unwrap_or_else(|| state.today());
    let query = WatchQuery {
        park_id: Some(scope.id),
        ..Default::default()
    };
    let found = state
        .run(move |c| {
            Ok(store::land_watch::watch(c, &query, as_of)?
                .into_iter()
                .find(|w| w.parcel.id == id))
        })
        .await?;
    found.map(|w| (w, as_of)).ok_or_else(not_found)
}

/// Idle land and land approaching it, on a day.
#[utoipa::path(
    tag = "ogc-api",
    operation_id = "get_idle_land_items",
    params(
        ("bbox" = Option<String>, Query, description = "minLon,minLat,maxLon,maxLat (CRS84)"),
        ("limit" = Option<i64>, Query, minimum = 1, description = "Items per page (default 100); larger values are clamped to 10000 (OGC API – Features: not an error)"),
        ("offset" = Option<i64>, Query, minimum = 0, description = "Items to skip"),
        ("datetime" = Option<String>, Query, description = "Last change of the parcel in this instant or interval"),
        ("as_of" = Option<String>, Query, description = "The day to assess, YYYY-MM-DD (default today)"),
        ("park_id" = Option<i64>, Query, description = "Only this park"),
        ("zone_id" = Option<i64>, Query, description = "Only this zone"),
        ("idle_status" = Option<String>, Query, description = "Comma-separated: idle, approaching, not_due, not_applicable (default idle,approaching)"),
        ("f" = Option<String>, Query, description = "`json` or `geojson`"),
    ),
    responses((status = 200, body = FeatureCollection<IdleLandItem>, content_type = "application/geo+json", headers(("ETag" = String))), (status = 304, description = "Not modified"), ReadProblems)
)]
#[get("/collections/idle-land/items")]
pub async fn idle_land_items(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    require_register(&caller)?;
    let params = ItemsParams::parse(req.query_string(), IDLE_FILTERS, &state.config)?;
    let (watched, as_of, q) = watched(&state, &caller, &params).await?;
    let statuses = statuses(&q)?;
    let doc = Page::new(&req, &state, CollectionId::IdleLand, &params, 0);
    let written = state
        .compute(move || {
            let (page, matched) = page_of(idle_items(&watched, &statuses, as_of), &params);
            doc.matched(matched)
                .write(features(&watched, page, |i| i.parcel.parcel_id))
        })
        .await?;
    written.respond(&req, GEOJSON)
}

/// One parcel on the idle-land clock, whatever its status.
#[utoipa::path(
    tag = "ogc-api",
    operation_id = "get_idle_land_item",
    params(("feature_id" = i64, Path, description = "Parcel id"), ("as_of" = Option<String>, Query, description = "The day, YYYY-MM-DD (default today)"), ("f" = Option<String>, Query, description = "`json` or `geojson`")),
    responses((status = 200, body = Feature<IdleLandItem>, content_type = "application/geo+json", headers(("ETag" = String))), (status = 304, description = "Not modified"), ReadProblems)
)]
#[get("/collections/idle-land/items/{feature_id}")]
pub async fn idle_land_item(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    require_register(&caller)?;
    let (w, as_of) = watched_one(&req, &state, &caller, &path, CollectionId::IdleLand).await?;
    let item = IdleLandItem::of(&w, as_of).ok_or_else(|| {
        ApiError::not_found(format!(
            "parcel {} is not on the idle-land clock: it has no supply",
            w.parcel.id
        ))
    })?;
    super::feature_json(&req, Feature::new(w.parcel.id, &w.parcel.geometry, item))
}

/// The five kinds of under-used land (五未土地), on a day.
#[utoipa::path(
    tag = "ogc-api",
    operation_id = "get_underused_land_items",
    params(
        ("bbox" = Option<String>, Query, description = "minLon,minLat,maxLon,maxLat (CRS84)"),
        ("limit" = Option<i64>, Query, minimum = 1, description = "Items per page (default 100); larger values are clamped to 10000 (OGC API – Features: not an error)"),
        ("offset" = Option<i64>, Query, minimum = 0, description = "Items to skip"),
        ("datetime" = Option<String>, Query, description = "Last change of the parcel in this instant or interval"),
        ("as_of" = Option<String>, Query, description = "The day to assess, YYYY-MM-DD (default today)"),
        ("park_id" = Option<i64>, Query, description = "Only this park"),
        ("zone_id" = Option<i64>, Query, description = "Only this zone"),
        ("class" = Option<String>, Query, description = "Comma-separated classes (approved_not_supplied, supplied_not_used, used_not_finished, built_not_producing, producing_below_target)"),
        ("f" = Option<String>, Query, description = "`json` or `geojson`"),
    ),
    responses((status = 200, body = FeatureCollection<UnderusedItem>, content_type = "application/geo+json", headers(("ETag" = String))), (status = 304, description = "Not modified"), ReadProblems)
)]
#[get("/collections/underused-land/items")]
pub async fn underused_land_items(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    require_register(&caller)?;
    let params = ItemsParams::parse(req.query_string(), UNDERUSED_FILTERS, &state.config)?;
    let (watched, as_of, q) = watched(&state, &caller, &params).await?;
    let classes = classes(&q)?;
    let doc = Page::new(&req, &state, CollectionId::UnderusedLand, &params, 0);
    let written = state
        .compute(move || {
            let (page, matched) = page_of(
                underused_items(&watched, classes.as_deref(), as_of),
                &params,
            );
            doc.matched(matched)
                .write(features(&watched, page, |i| i.parcel.parcel_id))
        })
        .await?;
    written.respond(&req, GEOJSON)
}

/// One parcel of the 五未 layer.
#[utoipa::path(
    tag = "ogc-api",
    operation_id = "get_underused_land_item",
    params(("feature_id" = i64, Path, description = "Parcel id"), ("as_of" = Option<String>, Query, description = "The day, YYYY-MM-DD (default today)"), ("f" = Option<String>, Query, description = "`json` or `geojson`")),
    responses((status = 200, body = Feature<UnderusedItem>, content_type = "application/geo+json", headers(("ETag" = String))), (status = 304, description = "Not modified"), ReadProblems)
)]
#[get("/collections/underused-land/items/{feature_id}")]
pub async fn underused_land_item(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    require_register(&caller)?;
    let (w, as_of) = watched_one(&req, &state, &caller, &path, CollectionId::UnderusedLand).await?;
    let item = UnderusedItem::of(&w, as_of).ok_or_else(|| {
        ApiError::not_found(format!(
            "parcel {} is in none of the five classes on {as_of}",
            w.parcel.id
        ))
    })?;
    super::feature_json(&req, Feature::new(w.parcel.id, &w.parcel.geometry, item))
}
