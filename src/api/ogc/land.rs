//! The land watch as map layers: `idle-land` (闲置土地), `underused-land` (五未土地) and
//! `capacity-reviews` (标准地达产复核), each parcel with its verdict and reason as properties, for any day (`as_of=`) — so QGIS and the
//! dashboard colour them by `idle_status` or `class`. Private: the bureau's and committees'.

use super::CollectionId;
use super::computed_filter::{queryables, retain};
use super::page::{Page, keep, page_of};
use crate::api::AppState;
use crate::api::GEOJSON;
use crate::api::http::access::{Need, Of, authorize, require_register};
use crate::api::http::params::cql::CqlQuery;
use crate::api::http::params::items::{ItemQuery, ItemsParams, ItemsQuery};
use crate::api::http::params::{
    AsOf, DayScope, IdleStatusFilter, ReviewStatusFilter, UnderusedClassFilter,
};
use crate::api::http::scope::{statuses, watch_query};
use crate::domain::access::Caller;
use crate::error::{ApiError, ReadProblems};
use crate::ops;
use crate::ops::land_watch::{WatchQuery, Watched};
use crate::spatial::output::Output;
use crate::views::land_watch::{
    CapacityReviewItem, IdleLandItem, UnderusedItem, capacity_items, idle_items, underused_items,
};
use crate::views::{Feature, FeatureCollection};
use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::NaiveDate;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::collections::HashMap;
use std::sync::Arc;
use utoipa::IntoParams;

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(idle_land_items)
        .service(idle_land_item)
        .service(underused_land_items)
        .service(underused_land_item)
        .service(capacity_review_items)
        .service(capacity_review_item);
}

/// Watch the parcels an items request asks for, with the request's bbox and datetime applied.
async fn watched<G>(
    state: &AppState,
    caller: &Caller,
    params: &ItemsParams<DayScope, G>,
) -> Result<(Vec<Arc<Watched>>, NaiveDate), ApiError> {
    let (query, as_of) = watch_query(state, caller, &params.filters).await?;
    let all = state
        .run_watching(move |c, m| ops::land_watch::watch(c, m, &query, as_of))
        .await?;
    let kept = all
        .into_iter()
        .filter(|w| keep(&w.parcel.geometry, w.parcel.updated.at, params))
        .collect();
    Ok((kept, as_of))
}

/// A page of items as features, each on its parcel's geometry.
fn features<T>(
    watched: &[Arc<Watched>],
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

/// One parcel of a layer, with `as_of` (and `f`, `coordinates`) as its only parameters; and
/// the coordinates to write it in.
async fn watched_one(
    req: &HttpRequest,
    state: &AppState,
    caller: &Caller,
    raw_id: &str,
    collection: CollectionId,
) -> Result<(Arc<Watched>, NaiveDate, Output), ApiError> {
    let p = super::item_params::<AsOf>(req)?;
    let not_found = || {
        ApiError::not_found(format!(
            "there is no feature `{raw_id}` in {}",
            collection.id()
        ))
    };
    let id: i64 = raw_id.parse().map_err(|_| not_found())?;
    let scope = authorize(state, caller, Of::Parcel(id), Need::ReadRegister).await?;
    let as_of = p.filters.as_of.unwrap_or_else(|| state.today());
    let query = WatchQuery {
        park_id: Some(scope.id),
        ..Default::default()
    };
    let found = state
        .run_watching(move |c, m| {
            Ok(ops::land_watch::watch(c, m, &query, as_of)?
                .into_iter()
                .find(|w| w.parcel.id == id))
        })
        .await?;
    found
        .map(|w| (w, as_of, p.coordinates))
        .ok_or_else(not_found)
}

/// A land layer's page of items: the request read with the layer's own filter `G`, the
/// parcels it asks for watched, the layer's items picked from them, one page written.
async fn layer_page<G, T>(
    req: &HttpRequest,
    state: &AppState,
    caller: &Caller,
    collection: CollectionId,
    items: impl FnOnce(&[Arc<Watched>], &G, NaiveDate) -> Vec<T> + Send + 'static,
    parcel_id: fn(&T) -> i64,
) -> Result<HttpResponse, ApiError>
where
    G: DeserializeOwned + IntoParams + Send + 'static,
    T: Serialize + Send + 'static,
{
    require_register(caller)?;
    let params = ItemsParams::<DayScope, G>::of_filtered(req, &state.config)?;
    let filter = params
        .cql
        .read(queryables(collection).unwrap_or_default())?;
    let (watched, as_of) = watched(state, caller, &params).await?;
    let doc = Page::new(req, state, collection, &params, 0);
    let written = state
        .compute(move || {
            let footprints: HashMap<i64, &geo::MultiPolygon<f64>> = watched
                .iter()
                .map(|w| (w.parcel.id, &w.parcel.geometry))
                .collect();
            let all = retain(items(&watched, &params.more, as_of), filter.as_ref(), |i| {
                footprints.get(&parcel_id(i)).copied()
            });
            let (page, matched) = page_of(all, &params);
            doc.matched(matched)
                .write(features(&watched, page, parcel_id))
        })
        .await?;
    written.respond(req, GEOJSON)
}

/// One parcel of a land layer; `missing` says why a parcel is not in it.
async fn layer_item<T: Serialize>(
    req: &HttpRequest,
    state: &AppState,
    caller: &Caller,
    raw_id: &str,
    collection: CollectionId,
    item: fn(&Watched, NaiveDate) -> Option<T>,
    missing: &str,
) -> Result<HttpResponse, ApiError> {
    require_register(caller)?;
    let (w, as_of, offset) = watched_one(req, state, caller, raw_id, collection).await?;
    let found = item(&w, as_of).ok_or_else(|| {
        ApiError::not_found(format!("parcel {} {missing} on {as_of}", w.parcel.id))
    })?;
    super::feature_json(
        req,
        Feature::new(w.parcel.id, &w.parcel.geometry, found),
        offset,
    )
}

/// Idle land and land approaching it, on a day.
#[utoipa::path(
    tag = "ogc-api",
    operation_id = "get_idle_land_items",
    params(ItemsQuery, DayScope, IdleStatusFilter, CqlQuery),
    responses((status = 200, body = FeatureCollection<IdleLandItem>, content_type = "application/geo+json", headers(("ETag" = String))), (status = 304, description = "Not modified"), ReadProblems)
)]
#[get("/collections/idle-land/items")]
pub async fn idle_land_items(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let pick = |w: &[Arc<Watched>], f: &IdleStatusFilter, as_of| {
        idle_items(w, &statuses(f.idle_status.clone()), as_of)
    };
    layer_page(&req, &state, &caller, CollectionId::IdleLand, pick, |i| {
        i.parcel.parcel_id
    })
    .await
}

/// One parcel on the idle-land clock, whatever its status.
#[utoipa::path(
    tag = "ogc-api",
    operation_id = "get_idle_land_item",
    params(("feature_id" = i64, Path, description = "Parcel id"), ItemQuery, AsOf),
    responses((status = 200, body = Feature<IdleLandItem>, content_type = "application/geo+json", headers(("ETag" = String))), (status = 304, description = "Not modified"), ReadProblems)
)]
#[get("/collections/idle-land/items/{feature_id}")]
pub async fn idle_land_item(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let missing = "is not on the idle-land clock: it has no supply";
    layer_item(
        &req,
        &state,
        &caller,
        &path,
        CollectionId::IdleLand,
        IdleLandItem::of,
        missing,
    )
    .await
}

/// The five kinds of under-used land (五未土地), on a day.
#[utoipa::path(
    tag = "ogc-api",
    operation_id = "get_underused_land_items",
    params(ItemsQuery, DayScope, UnderusedClassFilter, CqlQuery),
    responses((status = 200, body = FeatureCollection<UnderusedItem>, content_type = "application/geo+json", headers(("ETag" = String))), (status = 304, description = "Not modified"), ReadProblems)
)]
#[get("/collections/underused-land/items")]
pub async fn underused_land_items(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let pick = |w: &[Arc<Watched>], f: &UnderusedClassFilter, as_of| {
        underused_items(w, f.class.as_deref(), as_of)
    };
    layer_page(
        &req,
        &state,
        &caller,
        CollectionId::UnderusedLand,
        pick,
        |i| i.parcel.parcel_id,
    )
    .await
}

/// One parcel of the 五未 layer.
#[utoipa::path(
    tag = "ogc-api",
    operation_id = "get_underused_land_item",
    params(("feature_id" = i64, Path, description = "Parcel id"), ItemQuery, AsOf),
    responses((status = 200, body = Feature<UnderusedItem>, content_type = "application/geo+json", headers(("ETag" = String))), (status = 304, description = "Not modified"), ReadProblems)
)]
#[get("/collections/underused-land/items/{feature_id}")]
pub async fn underused_land_item(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let missing = "is in none of the five classes";
    let id = CollectionId::UnderusedLand;
    layer_item(&req, &state, &caller, &path, id, UnderusedItem::of, missing).await
}

/// Land in production under a 标准地 contract, with its 达产复核 on a day: due, overdue, met or
/// short — what the map flags.
#[utoipa::path(
    tag = "ogc-api",
    operation_id = "get_capacity_review_items",
    params(ItemsQuery, DayScope, ReviewStatusFilter, CqlQuery),
    responses((status = 200, body = FeatureCollection<CapacityReviewItem>, content_type = "application/geo+json", headers(("ETag" = String))), (status = 304, description = "Not modified"), ReadProblems)
)]
#[get("/collections/capacity-reviews/items")]
pub async fn capacity_review_items(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let pick = |w: &[Arc<Watched>], f: &ReviewStatusFilter, as_of| {
        capacity_items(w, f.review_status.as_deref(), as_of)
    };
    layer_page(
        &req,
        &state,
        &caller,
        CollectionId::CapacityReviews,
        pick,
        |i| i.parcel.parcel_id,
    )
    .await
}

/// One parcel's 达产复核.
#[utoipa::path(
    tag = "ogc-api",
    operation_id = "get_capacity_review_item",
    params(("feature_id" = i64, Path, description = "Parcel id"), ItemQuery, AsOf),
    responses((status = 200, body = Feature<CapacityReviewItem>, content_type = "application/geo+json", headers(("ETag" = String))), (status = 304, description = "Not modified"), ReadProblems)
)]
#[get("/collections/capacity-reviews/items/{feature_id}")]
pub async fn capacity_review_item(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let missing = "is not in production under a supply: it has no 达产复核";
    let id = CollectionId::CapacityReviews;
    layer_item(
        &req,
        &state,
        &caller,
        &path,
        id,
        CapacityReviewItem::of,
        missing,
    )
    .await
}
