//! The items of each collection, one handler per collection so the OpenAPI document lists each
//! collection's own filters (as OGC API – Features recommends).

use super::page::{Page, feature_id, keep, page_of};
use super::{CollectionId, Written};
use crate::api::http::access::{Need, Of, authorize, listed_parks, require_register};
use crate::api::http::extract::base_url;
use crate::api::http::params::cql::CqlQuery;
use crate::api::http::params::items::{ItemQuery, ItemsParams, ItemsQuery};
use crate::api::http::params::{NoParams, de};
use crate::api::{AppState, GEOJSON};
use crate::domain::access::Caller;
use crate::domain::parcel::ParcelStatus;
use crate::error::{ApiError, ReadProblems};
use crate::store;
use crate::store::parcels::{ParcelQuery, Start};
use crate::views::{
    Feature, FeatureCollection, Link, ParcelProperties, ParkProperties, ZoneProperties,
};
use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::Deserialize;
use std::collections::HashMap;
use utoipa::IntoParams;

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(parcel_items)
        .service(parcel_item)
        .service(park_items)
        .service(park_item)
        .service(zone_items)
        .service(zone_item);
}

/// The parcels' own filters.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ParcelFilters {
    /// Only this park's parcels.
    #[serde(default, deserialize_with = "de::id")]
    pub park_id: Option<i64>,
    /// Only this zone's parcels.
    #[serde(default, deserialize_with = "de::id")]
    pub zone_id: Option<i64>,
    /// Comma-separated statuses: reserve, available, reserved, supplied, retired (default: all
    /// but retired).
    #[serde(default, deserialize_with = "de::list")]
    #[param(value_type = Option<String>)]
    pub status: Option<Vec<ParcelStatus>>,
    /// Land-use class; matches its subclasses (1001 finds 100101).
    #[serde(default, deserialize_with = "de::land_use_class")]
    pub land_use: Option<String>,
    /// Exact parcel code.
    pub code: Option<String>,
    /// Order by these queryables, comma-separated, each `+` (ascending, the default) or `-`
    /// (descending), e.g. `-area_mu,code`; then by id. Empty values sort last.
    pub sortby: Option<String>,
    /// Start after the parcel with this id (ids ascending). The `next` link sets it, so a deep
    /// page costs what the first one does; not together with `offset`.
    #[serde(default, deserialize_with = "de::id")]
    pub after: Option<i64>,
}

/// The parks' own filter.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ParkFilters {
    /// Exact park code.
    pub code: Option<String>,
}

/// The zones' own filters.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ZoneFilters {
    /// Only this park's zones.
    #[serde(default, deserialize_with = "de::id")]
    pub park_id: Option<i64>,
    /// Exact zone code.
    pub code: Option<String>,
}

/// The parcels (宗地) of the register, filtered and paged.
#[utoipa::path(
    tag = "ogc-api",
    operation_id = "get_parcel_items",
    params(ItemsQuery, ParcelFilters, CqlQuery),
    responses((status = 200, body = FeatureCollection<ParcelProperties>, content_type = "application/geo+json", headers(("ETag" = String))), (status = 304, description = "Not modified since the ETag in If-None-Match"), ReadProblems)
)]
#[get("/collections/parcels/items")]
pub async fn parcel_items(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    require_register(&caller)?;
    let params = ItemsParams::<ParcelFilters>::of_filtered(&req, &state.config)?;
    let (updated_from, updated_to) = params.datetime.unwrap_or((None, None));
    let f = params.filters.clone();
    let filter = params.cql.read(store::cql::PARCEL_QUERYABLES)?;
    let sort = sort_keys(f.sortby.as_deref(), store::cql::PARCEL_QUERYABLES)?;
    let visible_parks = listed_parks(&state, &caller, f.park_id).await?;
    let query = ParcelQuery {
        park_id: f.park_id,
        visible_parks,
        filter,
        sort,
        zone_id: f.zone_id,
        statuses: f.status,
        land_use: f.land_use,
        code: f.code,
        bbox: params.bbox,
        updated_from,
        updated_to,
        ..Default::default()
    };
    let sorted = f.sortby.is_some();
    let start = match (f.after, params.offset) {
        (Some(_), _) if sorted => {
            return Err(ApiError::invalid_parameter(
                "`after` continues in id order; with `sortby`, follow the `next` link (it uses `offset`)",
            ));
        }
        (Some(id), 0) => Start::After(id),
        (None, n) => Start::Offset(n),
        (Some(_), _) => {
            return Err(ApiError::invalid_parameter(
                "give `offset` or `after`, not both: `after` continues from a parcel id, `offset` counts from the start",
            ));
        }
    };
    // A tile: PostGIS writes it, SQLite's is written here from the same parcels; either is
    // kept until the register changes.
    if let Some(tile) = params.tile.filter(|_| params.properties.is_none()) {
        let q = query.clone();
        let layer = CollectionId::Parcels.id();
        let full = tile.z >= super::tile_layers::FULL_FROM_ZOOM;
        let memo = state.tile_memo.clone();
        let limit = params.limit;
        let bytes = state
            .run(move |c| {
                store::parcels::tile_kept(c, &memo, &q, tile, layer, full, |c| {
                    let parcels = store::parcels::query(c, &q, limit, start)?;
                    let features: Vec<_> = parcels
                        .iter()
                        .map(|p| Feature::new(p.id, &p.geometry, ParcelProperties::of(p)))
                        .collect();
                    Ok(super::page::write_tile(tile, CollectionId::Parcels, None, &features).bytes)
                })
            })
            .await?;
        return Written::tile(bytes.to_vec(), false).respond(&req, GEOJSON);
    }
    let doc = Page::new(&req, &state, CollectionId::Parcels, &params, 0);
    let limit = params.limit;
    // A tile with `properties=` (not in the tile memo): the parcels with the members named.
    if params.tile.is_some() {
        let written = state
            .run(move |c| {
                let parcels = store::parcels::query(c, &query, limit, start)?;
                Ok(doc.write(
                    parcels
                        .iter()
                        .map(|p| Feature::new(p.id, &p.geometry, ParcelProperties::of(p)))
                        .collect(),
                ))
            })
            .await??;
        return written.respond(&req, GEOJSON);
    }
    // Each parcel's feature is written as its row is read, on the connection's thread.
    let written = state
        .run_pooled(move |pooled| {
            let (c, wire) = pooled.with_wire();
            let mut body = doc.body(usize::try_from(limit).unwrap_or(0));
            let page = store::parcels::query_each(c, Some(wire), &query, limit, start, |p| {
                body.parcel(&p)
            })?;
            let body = if sorted {
                body.sorted(&page)
            } else {
                body.keyed(&page)
            };
            Ok(body.finish())
        })
        .await??;
    written.respond(&req, GEOJSON)
}

/// One parcel (retired ones included: they are history).
#[utoipa::path(
    tag = "ogc-api",
    operation_id = "get_parcel_item",
    params(("feature_id" = i64, Path, description = "Parcel id"), ItemQuery),
    responses((status = 200, body = Feature<ParcelProperties>, content_type = "application/geo+json", headers(("ETag" = String))), (status = 304, description = "Not modified"), ReadProblems)
)]
#[get("/collections/parcels/items/{feature_id}")]
pub async fn parcel_item(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    require_register(&caller)?;
    let p = super::item_params::<NoParams>(&req)?;
    let id = feature_id(&path, CollectionId::Parcels)?;
    authorize(&state, &caller, Of::Parcel(id), Need::ReadRegister).await?;
    let parcel = state.run(move |c| store::parcels::get(c, id)).await?;
    let feature = Feature::new(parcel.id, &parcel.geometry, ParcelProperties::of(&parcel))
        .with_links(item_links(&req, &state, CollectionId::Parcels, id));
    super::feature_json(&req, feature, p.coordinates)
}

/// The most keys a `sortby` may name: each is an ORDER BY term the database sorts on, and no
/// map or table sorts on more than a few.
pub const MAX_SORT_KEYS: usize = 8;

/// `sortby`: `+name` / `-name` / `name`, comma-separated, each a queryable.
fn sort_keys(
    raw: Option<&str>,
    queryables: &'static [store::cql::Queryable],
) -> Result<Vec<(&'static store::cql::Queryable, bool)>, ApiError> {
    let Some(raw) = raw else {
        return Ok(Vec::new());
    };
    let count = raw.split(',').count();
    if count > MAX_SORT_KEYS {
        return Err(ApiError::invalid_parameter(format!(
            "sortby names {count} keys; at most {MAX_SORT_KEYS} are allowed"
        )));
    }
    raw.split(',')
        .map(|key| {
            let key = key.trim();
            let (name, descending) = match key.as_bytes().first() {
                Some(b'-') => (&key[1..], true),
                Some(b'+') => (&key[1..], false),
                _ => (key, false),
            };
            queryables
                .iter()
                .find(|q| q.name == name)
                .map(|q| (q, descending))
                .ok_or_else(|| {
                    ApiError::invalid_parameter(format!(
                        "sortby: `{name}` is not a queryable property (see the collection's queryables)"
                    ))
                })
        })
        .collect()
}

fn item_links(req: &HttpRequest, state: &AppState, c: CollectionId, id: i64) -> Vec<Link> {
    let base = base_url(req, state);
    vec![
        Link::new(
            format!("{base}/collections/{}/items/{id}", c.id()),
            "self",
            GEOJSON,
            "This feature",
        ),
        Link::new(
            format!("{base}/collections/{}", c.id()),
            "collection",
            "application/json",
            "The collection",
        ),
    ]
}

/// The parks.
#[utoipa::path(
    tag = "ogc-api",
    operation_id = "get_park_items", security(()),
    params(ItemsQuery, ParkFilters),
    responses((status = 200, body = FeatureCollection<ParkProperties>, content_type = "application/geo+json", headers(("ETag" = String))), (status = 304, description = "Not modified"), ReadProblems)
)]
#[get("/collections/parks/items")]
pub async fn park_items(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let params = ItemsParams::<ParkFilters>::of(&req, &state.config)?;
    let parks = state.run(store::parks::list).await?;
    let doc = Page::new(&req, &state, CollectionId::Parks, &params, 0);
    let written = state
        .compute(move || {
            let code = params.filters.code.as_ref();
            let kept: Vec<_> = parks
                .into_iter()
                .filter(|p| {
                    code.is_none_or(|c| &p.code == c) && keep(&p.boundary, p.updated.at, &params)
                })
                .collect();
            let (page, matched) = page_of(kept, &params);
            doc.matched(matched).write(
                page.iter()
                    .map(|p| Feature::new(p.id, &p.boundary, ParkProperties::of(p)))
                    .collect(),
            )
        })
        .await?;
    written.respond(&req, GEOJSON)
}

/// One park.
#[utoipa::path(
    tag = "ogc-api",
    operation_id = "get_park_item", security(()),
    params(("feature_id" = i64, Path, description = "Park id"), ItemQuery),
    responses((status = 200, body = Feature<ParkProperties>, content_type = "application/geo+json", headers(("ETag" = String))), (status = 304, description = "Not modified"), ReadProblems)
)]
#[get("/collections/parks/items/{feature_id}")]
pub async fn park_item(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let p = super::item_params::<NoParams>(&req)?;
    let id = feature_id(&path, CollectionId::Parks)?;
    let park = state.run(move |c| store::parks::get(c, id)).await?;
    let feature = Feature::new(park.id, &park.boundary, ParkProperties::of(&park))
        .with_links(item_links(&req, &state, CollectionId::Parks, id));
    super::feature_json(&req, feature, p.coordinates)
}

/// The zones of all parks.
#[utoipa::path(
    tag = "ogc-api",
    operation_id = "get_zone_items", security(()),
    params(ItemsQuery, ZoneFilters),
    responses((status = 200, body = FeatureCollection<ZoneProperties>, content_type = "application/geo+json", headers(("ETag" = String))), (status = 304, description = "Not modified"), ReadProblems)
)]
#[get("/collections/zones/items")]
pub async fn zone_items(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let params = ItemsParams::<ZoneFilters>::of(&req, &state.config)?;
    let park_id = params.filters.park_id;
    let (parks, zones) = state
        .run(|c| Ok((store::parks::list(c)?, store::zones::list(c)?)))
        .await?;
    let doc = Page::new(&req, &state, CollectionId::Zones, &params, 0);
    let written = state
        .compute(move || {
            let parks: HashMap<i64, _> = parks.into_iter().map(|p| (p.id, p)).collect();
            let code = params.filters.code.as_ref();
            let kept: Vec<_> = zones
                .into_iter()
                .filter(|z| {
                    park_id.is_none_or(|id| z.park_id == id)
                        && code.is_none_or(|c| &z.code == c)
                        && keep(&z.boundary, z.updated.at, &params)
                })
                .collect();
            let (page, matched) = page_of(kept, &params);
            doc.matched(matched).write(
                page.iter()
                    .filter_map(|z| {
                        parks
                            .get(&z.park_id)
                            .map(|p| Feature::new(z.id, &z.boundary, ZoneProperties::of(z, p)))
                    })
                    .collect(),
            )
        })
        .await?;
    written.respond(&req, GEOJSON)
}

/// One zone.
#[utoipa::path(
    tag = "ogc-api",
    operation_id = "get_zone_item", security(()),
    params(("feature_id" = i64, Path, description = "Zone id"), ItemQuery),
    responses((status = 200, body = Feature<ZoneProperties>, content_type = "application/geo+json", headers(("ETag" = String))), (status = 304, description = "Not modified"), ReadProblems)
)]
#[get("/collections/zones/items/{feature_id}")]
pub async fn zone_item(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let p = super::item_params::<NoParams>(&req)?;
    let id = feature_id(&path, CollectionId::Zones)?;
    let (zone, park) = state
        .run(move |c| store::zones::get_with_park(c, id))
        .await?;
    let feature = Feature::new(zone.id, &zone.boundary, ZoneProperties::of(&zone, &park))
        .with_links(item_links(&req, &state, CollectionId::Zones, id));
    super::feature_json(&req, feature, p.coordinates)
}
