//! OGC API – Tiles: every collection as Mapbox Vector Tiles in WebMercatorQuad, with the tile
//! matrix set, tileset metadata and TileJSON that map clients (MapLibre, QGIS, GDAL) read.
//!
//! A tile is the collection's items in the tile's box, so it obeys everything the items do —
//! the same access rules (public layers anonymous, private ones by token and over the caller's
//! parks), the same filters (`status=`, `as_of=`, `class=` …: a tile URL may carry them) and
//! the same computed verdicts. [`route_tiles`] turns a tile path into the collection's items
//! request with the tile attached; the items handler then writes MVT instead of GeoJSON
//! (`page::write_tile`), or, for the parcels on PostGIS, lets `ST_AsMVT` write it
//! (`store::tiles`). One code path per collection, not two that could disagree.
//!
//! Properties per zoom: below [`FULL_FROM_ZOOM`] a tile carries the codes and the status a
//! map colours by (small tiles at city scale); from it on, every property.

use super::tile_layers::FULL_FROM_ZOOM;
use super::{AppState, CollectionId, cached_json, readable_collection};
use crate::api::http::extract::base_url;
use crate::api::http::params;
use crate::domain::access::Caller;
use crate::error::{ApiError, ReadProblems};
use crate::spatial::mvt::{MAX_ZOOM, Tile};
use crate::views::Link;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::{HttpMessage, HttpRequest, HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;

pub use crate::spatial::mvt::MEDIA_TYPE as MVT;

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(tile_matrix_sets)
        .service(web_mercator_quad)
        .service(collection_tilesets)
        .service(collection_tileset)
        .service(collection_tilejson)
        .service(collection_tile);
}

/// The only tile matrix set served.
pub const WEB_MERCATOR_QUAD: &str = "WebMercatorQuad";
const TMS_URI: &str = "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad";
const EPSG_3857: &str = "http://www.opengis.net/def/crs/EPSG/0/3857";
pub const REL_VECTOR_TILESETS: &str = "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector";
pub const REL_TILING_SCHEMES: &str = "http://www.opengis.net/def/rel/ogc/1.0/tiling-schemes";
const REL_TILING_SCHEME: &str = "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme";

/// Middleware: a tile path (`/collections/{id}/tiles/WebMercatorQuad/{z}/{y}/{x}`) becomes
/// the collection's items request, with the tile in the request's extensions. Anything that
/// is not a tile of the matrix (unknown collection or matrix set, a row out of range) passes
/// on unchanged and is answered by [`collection_tile`] with a problem.
pub async fn route_tiles(
    mut req: ServiceRequest,
    next: actix_web::middleware::Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if let Some((collection, tile)) = tile_path(req.path()) {
        let query = req.query_string();
        let target = if query.is_empty() {
            format!("/collections/{}/items", collection.id())
        } else {
            format!("/collections/{}/items?{query}", collection.id())
        };
        if let Ok(uri) = target.parse::<actix_web::http::Uri>() {
            req.match_info_mut().get_mut().update(&uri);
            req.head_mut().uri = uri;
            req.extensions_mut().insert(tile);
        }
    }
    next.call(req).await
}

/// The collection and tile a path names, if it is a tile of WebMercatorQuad.
fn tile_path(path: &str) -> Option<(CollectionId, Tile)> {
    let mut parts = path.strip_prefix("/collections/")?.split('/');
    let collection = CollectionId::parse(parts.next()?)?;
    if parts.next()? != "tiles" || parts.next()? != WEB_MERCATOR_QUAD {
        return None;
    }
    let z: u8 = parts.next()?.parse().ok()?;
    let y: u32 = parts.next()?.parse().ok()?;
    let last = parts.next()?;
    let x: u32 = last
        .strip_suffix(".mvt")
        .or_else(|| last.strip_suffix(".pbf"))
        .unwrap_or(last)
        .parse()
        .ok()?;
    if parts.next().is_some() {
        return None;
    }
    Some((collection, Tile::new(z, x, y)?))
}

#[derive(Serialize, ToSchema)]
pub struct TileMatrixSets {
    #[serde(rename = "tileMatrixSets")]
    pub tile_matrix_sets: Vec<TileMatrixSetRef>,
}

#[derive(Serialize, ToSchema)]
pub struct TileMatrixSetRef {
    pub id: String,
    pub title: String,
    pub uri: String,
    pub links: Vec<Link>,
}

/// The tile matrix sets tiles are offered in: WebMercatorQuad.
#[utoipa::path(tag = "ogc-api", operation_id = "get_tile_matrix_sets", security(()), params(super::FormatParam), responses((status = 200, body = TileMatrixSets), ReadProblems))]
#[get("/tileMatrixSets")]
pub async fn tile_matrix_sets(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    params::read::<super::FormatParam>(req.query_string())?;
    let base = base_url(&req, &state);
    cached_json(
        &req,
        "application/json",
        &TileMatrixSets {
            tile_matrix_sets: vec![TileMatrixSetRef {
                id: WEB_MERCATOR_QUAD.into(),
                title: "Google Maps Compatible for the World".into(),
                uri: TMS_URI.into(),
                links: vec![Link::new(
                    format!("{base}/tileMatrixSets/{WEB_MERCATOR_QUAD}"),
                    "self",
                    "application/json",
                    "The tile matrix set",
                )],
            }],
        },
    )
}

#[derive(Serialize, ToSchema)]
pub struct TileMatrixSet {
    pub id: String,
    pub title: String,
    pub uri: String,
    pub crs: String,
    #[serde(rename = "orderedAxes")]
    pub ordered_axes: [String; 2],
    #[serde(rename = "wellKnownScaleSet")]
    pub well_known_scale_set: String,
    #[serde(rename = "tileMatrices")]
    pub tile_matrices: Vec<TileMatrix>,
}

#[derive(Serialize, ToSchema)]
pub struct TileMatrix {
    pub id: String,
    #[serde(rename = "scaleDenominator")]
    pub scale_denominator: f64,
    #[serde(rename = "cellSize")]
    pub cell_size: f64,
    #[serde(rename = "cornerOfOrigin")]
    pub corner_of_origin: String,
    #[serde(rename = "pointOfOrigin")]
    pub point_of_origin: [f64; 2],
    #[serde(rename = "tileWidth")]
    pub tile_width: u32,
    #[serde(rename = "tileHeight")]
    pub tile_height: u32,
    #[serde(rename = "matrixWidth")]
    pub matrix_width: u64,
    #[serde(rename = "matrixHeight")]
    pub matrix_height: u64,
}

/// WebMercatorQuad as OGC 2D Tile Matrix Set 2.0 defines it (zoom 0–24).
#[utoipa::path(tag = "ogc-api", operation_id = "get_tile_matrix_set", security(()), params(super::FormatParam), responses((status = 200, body = TileMatrixSet), ReadProblems))]
#[get("/tileMatrixSets/WebMercatorQuad")]
pub async fn web_mercator_quad(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    params::read::<super::FormatParam>(req.query_string())?;
    // Half the equator in metres, and the cell size of zoom 0 (256-pixel tiles).
    const HALF: f64 = 20_037_508.342_789_244;
    const CELL0: f64 = 156_543.033_928_041;
    cached_json(
        &req,
        "application/json",
        &TileMatrixSet {
            id: WEB_MERCATOR_QUAD.into(),
            title: "Google Maps Compatible for the World".into(),
            uri: TMS_URI.into(),
            crs: EPSG_3857.into(),
            ordered_axes: ["X".into(), "Y".into()],
            well_known_scale_set: "http://www.opengis.net/def/wkss/OGC/1.0/GoogleMapsCompatible"
                .into(),
            tile_matrices: (0..=MAX_ZOOM)
                .map(|z| {
                    let cell = CELL0 / f64::from(1u32 << z);
                    TileMatrix {
                        id: z.to_string(),
                        scale_denominator: cell / 0.000_28,
                        cell_size: cell,
                        corner_of_origin: "topLeft".into(),
                        point_of_origin: [-HALF, HALF],
                        tile_width: 256,
                        tile_height: 256,
                        matrix_width: 1 << z,
                        matrix_height: 1 << z,
                    }
                })
                .collect(),
        },
    )
}

#[derive(Serialize, ToSchema)]
pub struct TileSets {
    pub tilesets: Vec<TileSet>,
    pub links: Vec<Link>,
}

/// A tileset's description (OGC API – Tiles `tileSet`).
#[derive(Serialize, ToSchema)]
pub struct TileSet {
    pub title: String,
    #[serde(rename = "dataType")]
    pub data_type: String,
    pub crs: String,
    #[serde(rename = "tileMatrixSetURI")]
    pub tile_matrix_set_uri: String,
    pub links: Vec<Link>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub layers: Vec<TileLayer>,
}

#[derive(Serialize, ToSchema)]
pub struct TileLayer {
    pub id: String,
    #[serde(rename = "dataType")]
    pub data_type: String,
    #[serde(rename = "geometryDimension")]
    pub geometry_dimension: u8,
    #[serde(rename = "minTileMatrix")]
    pub min_tile_matrix: String,
    #[serde(rename = "maxTileMatrix")]
    pub max_tile_matrix: String,
}

/// A request's query string, to carry into the links it gives (`?…`, or nothing).
fn carried(query: &str) -> String {
    if query.is_empty() {
        String::new()
    } else {
        format!("?{query}")
    }
}

fn tileset(c: CollectionId, base: &str, query: &str, full: bool) -> TileSet {
    let url = format!("{base}/collections/{}/tiles/{WEB_MERCATOR_QUAD}", c.id());
    let q = carried(query);
    let mut links = vec![
        Link::new(
            format!("{url}{q}"),
            "self",
            "application/json",
            "This tileset",
        ),
        Link::new(
            format!("{base}/tileMatrixSets/{WEB_MERCATOR_QUAD}"),
            REL_TILING_SCHEME,
            "application/json",
            "WebMercatorQuad",
        ),
    ];
    if full {
        links.push(Link::new(
            format!("{url}/{{tileMatrix}}/{{tileRow}}/{{tileCol}}{q}"),
            "item",
            MVT,
            "A tile (templated)",
        ));
        links.push(Link::new(
            format!("{url}/tilejson{q}"),
            "describedby",
            "application/json",
            "TileJSON",
        ));
    }
    TileSet {
        title: format!("{} — vector tiles", c.title()),
        data_type: "vector".into(),
        crs: EPSG_3857.into(),
        tile_matrix_set_uri: TMS_URI.into(),
        links,
        layers: if full {
            vec![TileLayer {
                id: c.id().into(),
                data_type: "vector".into(),
                geometry_dimension: 2,
                min_tile_matrix: "0".into(),
                max_tile_matrix: MAX_ZOOM.to_string(),
            }]
        } else {
            Vec::new()
        },
    }
}

/// A collection's vector tilesets (one, in WebMercatorQuad).
#[utoipa::path(
    tag = "ogc-api",
    operation_id = "get_collection_tilesets", security(()),
    params(("collection_id" = String, Path, description = "A collection id (see /collections)"), super::FormatParam),
    responses((status = 200, body = TileSets), ReadProblems)
)]
#[get("/collections/{collection_id}/tiles")]
pub async fn collection_tilesets(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let (c, _) = readable_collection(&state, &caller, &path).await?;
    params::read::<super::FormatParam>(req.query_string())?;
    let base = base_url(&req, &state);
    cached_json(
        &req,
        "application/json",
        &TileSets {
            tilesets: vec![tileset(c, &base, "", false)],
            links: vec![Link::new(
                format!("{base}/collections/{}/tiles", c.id()),
                "self",
                "application/json",
                "This document",
            )],
        },
    )
}

/// A collection's tileset in WebMercatorQuad: its tile URL template and TileJSON. Query
/// parameters (the collection's filters, e.g. `as_of=`) are carried into the links.
#[utoipa::path(
    tag = "ogc-api",
    operation_id = "get_collection_tileset", security(()),
    params(("collection_id" = String, Path, description = "A collection id (see /collections)")),
    responses((status = 200, body = TileSet), ReadProblems)
)]
#[get("/collections/{collection_id}/tiles/WebMercatorQuad")]
pub async fn collection_tileset(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let (c, _) = readable_collection(&state, &caller, &path).await?;
    let base = base_url(&req, &state);
    cached_json(
        &req,
        "application/json",
        &tileset(c, &base, req.query_string(), true),
    )
}

/// TileJSON 3.0 for a collection's tiles: what MapLibre, Mapbox GL and QGIS read to add the
/// layer. Query parameters (the collection's filters) are carried into the tile URL.
#[utoipa::path(
    tag = "ogc-api",
    operation_id = "get_collection_tilejson", security(()),
    params(("collection_id" = String, Path, description = "A collection id (see /collections)")),
    responses((status = 200, body = Object, description = "TileJSON 3.0.0"), ReadProblems)
)]
#[get("/collections/{collection_id}/tiles/WebMercatorQuad/tilejson")]
pub async fn collection_tilejson(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let (c, readable) = readable_collection(&state, &caller, &path).await?;
    let base = base_url(&req, &state);
    let q = carried(req.query_string());
    let park_boxes = state.run(crate::store::parks::extents).await?;
    let bounds = super::extent(&park_boxes, c, &readable)
        .map(|b| vec![b.min_x, b.min_y, b.max_x, b.max_y])
        .unwrap_or_else(|| vec![-180.0, -85.051_128_78, 180.0, 85.051_128_78]);
    let fields: serde_json::Map<String, serde_json::Value> = c
        .tile_properties(0)
        .unwrap_or(&[])
        .iter()
        .map(|k| {
            (
                (*k).to_owned(),
                serde_json::Value::String(format!(
                    "at every zoom; from zoom {FULL_FROM_ZOOM} every property of the items"
                )),
            )
        })
        .collect();
    let doc = serde_json::json!({
        "tilejson": "3.0.0",
        "name": c.id(),
        "description": c.title(),
        "scheme": "xyz",
        "tiles": [format!("{base}/collections/{}/tiles/{WEB_MERCATOR_QUAD}/{{z}}/{{y}}/{{x}}{q}", c.id())],
        "minzoom": 0,
        "maxzoom": MAX_ZOOM,
        "bounds": bounds,
        "vector_layers": [{
            "id": c.id(),
            "description": c.description(),
            "minzoom": 0,
            "maxzoom": MAX_ZOOM,
            "fields": fields,
        }],
    });
    cached_json(&req, "application/json", &doc)
}

/// One vector tile (MVT) of a collection: its items in the tile's box, with the collection's
/// filters as query parameters. 204 when the tile is empty; ETag and 304 as for items;
/// `Cache-Control: public` for the public collections so a proxy may keep them.
#[utoipa::path(
    tag = "ogc-api",
    operation_id = "get_collection_tile", security(()),
    params(
        ("collection_id" = String, Path, description = "A collection id (see /collections)"),
        ("tile_matrix_set_id" = String, Path, description = "`WebMercatorQuad`"),
        ("tile_matrix" = u8, Path, description = "Zoom level, 0–24"),
        ("tile_row" = u32, Path, description = "Row, from the top"),
        ("tile_col" = u32, Path, description = "Column, from the left"),
    ),
    responses(
        (status = 200, description = "The tile", content_type = "application/vnd.mapbox-vector-tile", body = Vec<u8>, headers(("ETag" = String))),
        (status = 204, description = "An empty tile"),
        (status = 304, description = "Not modified"),
        ReadProblems
    )
)]
#[get(
    "/collections/{collection_id}/tiles/{tile_matrix_set_id}/{tile_matrix}/{tile_row}/{tile_col}"
)]
pub async fn collection_tile(
    state: web::Data<AppState>,
    path: web::Path<(String, String, String, String, String)>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    // Valid tiles never reach this handler (see `route_tiles`): say what is wrong.
    let (id, tms, z, y, x) = path.into_inner();
    readable_collection(&state, &caller, &id).await?;
    if tms != WEB_MERCATOR_QUAD {
        return Err(ApiError::not_found(format!(
            "there is no tile matrix set `{tms}`; tiles are offered in WebMercatorQuad"
        )));
    }
    Err(ApiError::not_found(format!(
        "there is no tile {z}/{y}/{x} in WebMercatorQuad: the zoom is 0–{MAX_ZOOM} and row and column lie within 0 … 2^zoom − 1"
    )))
}
