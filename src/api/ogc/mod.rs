//! OGC API – Features, Part 1 (Core, GeoJSON, OpenAPI 3.0): the map interface GDAL, QGIS,
//! owslib and web maps read directly.
//!
//! Output coordinates are CGCS2000 longitude/latitude; they are published as CRS84, which
//! they match to within centimetres (CGCS2000 and WGS 84 differ by less than survey noise).

pub mod computed_filter;
pub mod estate;
pub mod items;
pub mod land;
mod page;
mod stream;
pub mod performance;
pub mod plots;
pub mod queryables;
pub mod tile_layers;
pub mod tiles;

use super::http::params;
use super::{AppState, GEOJSON};
use crate::api::http::access::visibility;
use crate::api::http::extract::base_url;
use crate::api::http::params::items::ItemParams;
use crate::domain::access::{Caller, Denied, Visibility};
use crate::error::{ApiError, ReadProblems};
use crate::spatial::Bbox;
use crate::spatial::crs::CRS84_URI;
use crate::spatial::output::Output;
use crate::store;
use crate::views::Link;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(landing_page)
        .service(conformance)
        .service(list_collections)
        .configure(items::configure)
        .configure(plots::configure)
        .configure(land::configure)
        .configure(estate::configure)
        .configure(performance::configure)
        .configure(tiles::configure)
        .configure(queryables::configure)
        .service(describe_collection);
}

/// The conformance classes implemented.
pub const CONFORMANCE: &[&str] = &[
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-json",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
    "http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions-plus",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tileset",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tilesets-list",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/geodata-tilesets",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/tms/2.0/conf/tilematrixset",
    "http://www.opengis.net/spec/tms/2.0/conf/json-tilematrixset",
];

/// The media type of the OpenAPI document.
pub const OPENAPI_MEDIA: &str = "application/vnd.oai.openapi+json;version=3.0";

/// A JSON response with a content-hash ETag; answers `If-None-Match` with 304.
pub fn cached_json(
    req: &HttpRequest,
    media_type: &'static str,
    body: &impl Serialize,
) -> Result<HttpResponse, ApiError> {
    let bytes = serde_json::to_vec(body).map_err(|e| ApiError::internal(&e))?;
    cached_bytes(req, media_type, bytes, None)
}

/// A strong ETag from the bytes a response carries.
fn content_etag(bytes: &[u8]) -> String {
    format!("\"{:016x}\"", xxhash_rust::xxh3::xxh3_64(bytes))
}

/// A document written off the HTTP workers, with its content-hash ETag: the bytes are hashed
/// without the trailing `timeStamp` (so the ETag stays stable while nothing changes), which is
/// appended when the response is built.
pub struct Written {
    bytes: Vec<u8>,
    etag: String,
    time_stamp: Option<String>,
    /// A vector tile (MVT), and whether anyone may read it (so a shared cache may keep it).
    tile: Option<bool>,
    /// The CRS the features are written in, for `Content-Crs` (OGC API – Features Part 2).
    content_crs: Option<String>,
}

impl Written {
    /// A document written as bytes, to which the time stamp is added when it is sent.
    pub fn stamped_bytes(bytes: Vec<u8>, time_stamp: String) -> Self {
        let etag = content_etag(&bytes);
        Self {
            bytes,
            etag,
            time_stamp: Some(time_stamp),
            tile: None,
            content_crs: None,
        }
    }

    /// Serialise `body` as it is (no time stamp).
    pub fn plain(body: &impl Serialize) -> Result<Self, ApiError> {
        let bytes = serde_json::to_vec(body).map_err(|e| ApiError::internal(&e))?;
        let etag = content_etag(&bytes);
        Ok(Self {
            bytes,
            etag,
            time_stamp: None,
            tile: None,
            content_crs: None,
        })
    }

    /// Name the CRS the features are written in (`Content-Crs`).
    pub fn in_crs(mut self, output: Output) -> Self {
        self.content_crs = Some(output.uri());
        self
    }

    /// A vector tile's bytes; `public` when anyone may read its collection.
    pub fn tile(bytes: Vec<u8>, public: bool) -> Self {
        let etag = content_etag(&bytes);
        Self {
            bytes,
            etag,
            time_stamp: None,
            tile: Some(public),
            content_crs: None,
        }
    }

    /// The response, or 304 when the client holds this version.
    pub fn respond(
        self,
        req: &HttpRequest,
        media_type: &'static str,
    ) -> Result<HttpResponse, ApiError> {
        let content_crs = self.content_crs.clone();
        let mut response = self.respond_plain(req, media_type)?;
        if let Some(uri) = content_crs
            && let Ok(v) = HeaderValue::from_str(&format!("<{uri}>"))
        {
            response
                .headers_mut()
                .insert(header::HeaderName::from_static("content-crs"), v);
        }
        Ok(response)
    }

    fn respond_plain(
        self,
        req: &HttpRequest,
        media_type: &'static str,
    ) -> Result<HttpResponse, ApiError> {
        match self.tile {
            // An empty tile is 204 No Content, as OGC API – Tiles recommends.
            Some(_) if self.bytes.is_empty() => Ok(HttpResponse::NoContent()
                .insert_header((header::CACHE_CONTROL, tile_layers::cache_control(self.tile)))
                .finish()),
            Some(_) => respond_with(
                req,
                crate::spatial::mvt::MEDIA_TYPE,
                self.bytes,
                self.etag,
                None,
                self.tile,
            ),
            None => respond_with(
                req,
                media_type,
                self.bytes,
                self.etag,
                self.time_stamp.as_deref(),
                None,
            ),
        }
    }
}

fn cached_bytes(
    req: &HttpRequest,
    media_type: &'static str,
    bytes: Vec<u8>,
    time_stamp: Option<&str>,
) -> Result<HttpResponse, ApiError> {
    let etag = content_etag(&bytes);
    respond_cached(req, media_type, bytes, etag, time_stamp)
}

fn respond_cached(
    req: &HttpRequest,
    media_type: &'static str,
    bytes: Vec<u8>,
    etag: String,
    time_stamp: Option<&str>,
) -> Result<HttpResponse, ApiError> {
    respond_with(req, media_type, bytes, etag, time_stamp, None)
}

fn respond_with(
    req: &HttpRequest,
    media_type: &'static str,
    mut bytes: Vec<u8>,
    etag: String,
    time_stamp: Option<&str>,
    tile: Option<bool>,
) -> Result<HttpResponse, ApiError> {
    if held(if_none_match(req), &etag) {
        return Ok(not_modified(etag, tile));
    }
    let etag_value = HeaderValue::from_str(&etag).map_err(|e| ApiError::internal(&e))?;
    // Clients may keep responses but must revalidate: the register changes at any time.
    let no_cache = (header::CACHE_CONTROL, tile_layers::cache_control(tile));
    if let (Some(ts), Some(b'}')) = (time_stamp, bytes.last()) {
        bytes.pop();
        bytes.extend_from_slice(format!(",\"timeStamp\":\"{ts}\"}}").as_bytes());
    }
    Ok(HttpResponse::build(StatusCode::OK)
        .insert_header((header::CONTENT_TYPE, HeaderValue::from_static(media_type)))
        .insert_header((header::ETAG, etag_value))
        .insert_header(no_cache)
        .body(Pieces::of(bytes)))
}

/// The request's `If-None-Match`.
fn if_none_match(req: &HttpRequest) -> Option<&str> {
    req.headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
}

/// Whether an `If-None-Match` names `etag` (weakly compared, as RFC 9110 says for it).
fn held(if_none_match: Option<&str>, etag: &str) -> bool {
    if_none_match.is_some_and(|v| {
        v.split(',').any(|t| {
            let t = t.trim();
            t == etag || t == "*" || t.strip_prefix("W/") == Some(etag)
        })
    })
}

/// 304: the client holds the version `etag` names. Clients may keep responses but must
/// revalidate: the register changes at any time.
fn not_modified(etag: String, tile: Option<bool>) -> HttpResponse {
    let mut r = HttpResponse::NotModified();
    if let Ok(v) = HeaderValue::from_str(&etag) {
        r.insert_header((header::ETAG, v));
    }
    r.insert_header((header::CACHE_CONTROL, tile_layers::cache_control(tile)))
        .finish()
}

/// A body handed to actix a piece at a time. actix copies what a body yields into its write
/// buffer and takes the next piece only when the buffer has drained below its limit (32 KiB):
/// a 1 MB page given whole would be copied whole, so every page in flight was held twice
/// (docs/performance.md, "A map page written as it is read"). The length is still sent
/// (`Content-Length`), not chunked.
struct Pieces {
    rest: actix_web::web::Bytes,
    total: u64,
}

impl Pieces {
    /// actix's own write-buffer limit: a piece fits in it.
    const SIZE: usize = 32 * 1024;

    fn of(bytes: Vec<u8>) -> Self {
        Self {
            total: bytes.len() as u64,
            rest: bytes.into(),
        }
    }
}

impl actix_web::body::MessageBody for Pieces {
    type Error = std::convert::Infallible;

    fn size(&self) -> actix_web::body::BodySize {
        actix_web::body::BodySize::Sized(self.total)
    }

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<actix_web::web::Bytes, Self::Error>>> {
        let n = self.rest.len().min(Self::SIZE);
        std::task::Poll::Ready((n > 0).then(|| Ok(self.rest.split_to(n))))
    }
}

/// The parameters of a single feature: `f`, `coordinates` and the collection's own (`F`).
fn item_params<F: DeserializeOwned + IntoParams + 'static>(
    req: &HttpRequest,
) -> Result<ItemParams<F>, ApiError> {
    ItemParams::parse(req.query_string())
}

/// A single feature, in the system its request's `coordinates=` asks for, with a
/// content-hash ETag.
pub fn feature_json<P: Serialize>(
    req: &HttpRequest,
    feature: crate::views::Feature<'_, P>,
    output: Output,
) -> Result<HttpResponse, ApiError> {
    Written::plain(&feature.written_in(output))?
        .in_crs(output)
        .respond(req, GEOJSON)
}

/// `f`: the only parameter of the landing page, conformance and collections.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FormatParam {
    /// `json` (the only format offered).
    #[serde(default, deserialize_with = "params::de::format")]
    pub f: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct LandingPage {
    pub title: String,
    pub description: String,
    pub links: Vec<Link>,
}

/// The landing page of the OGC API: links to the API definition, conformance and collections.
#[utoipa::path(tag = "ogc-api", operation_id = "get_landing_page", security(()), params(FormatParam), responses((status = 200, body = LandingPage), ReadProblems))]
#[get("/")]
pub async fn landing_page(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    if crate::api::http::dashboard::wants_page(&req) {
        return Ok(crate::api::http::dashboard::redirect());
    }
    params::read::<FormatParam>(req.query_string())?;
    let base = base_url(&req, &state);
    let body = LandingPage {
        title: "parkland".into(),
        description: "The register of an industrial park's land parcels (宗地), zones and parks, \
                      as OGC API – Features collections in CGCS2000 longitude/latitude."
            .into(),
        links: vec![
            Link::new(
                format!("{base}/"),
                "self",
                "application/json",
                "This document",
            ),
            Link::new(
                format!("{base}/dashboard/"),
                "alternate",
                "text/html",
                "The map dashboard",
            ),
            Link::new(
                format!("{base}/openapi.json"),
                "service-desc",
                OPENAPI_MEDIA,
                "The API definition",
            ),
            Link::new(
                format!("{base}/docs/"),
                "service-doc",
                "text/html",
                "The API documentation",
            ),
            Link::new(
                format!("{base}/conformance"),
                "conformance",
                "application/json",
                "Conformance classes",
            ),
            Link::new(
                format!("{base}/collections"),
                "data",
                "application/json",
                "The collections",
            ),
            Link::new(
                format!("{base}/tileMatrixSets"),
                tiles::REL_TILING_SCHEMES,
                "application/json",
                "The tile matrix sets",
            ),
        ],
    };
    cached_json(&req, "application/json", &body)
}

#[derive(Serialize, ToSchema)]
pub struct Conformance {
    #[serde(rename = "conformsTo")]
    pub conforms_to: Vec<String>,
}

/// The conformance classes this server implements.
#[utoipa::path(tag = "ogc-api", operation_id = "get_conformance", security(()), params(FormatParam), responses((status = 200, body = Conformance), ReadProblems))]
#[get("/conformance")]
pub async fn conformance(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    params::read::<FormatParam>(req.query_string())?;
    cached_json(
        &req,
        "application/json",
        &Conformance {
            conforms_to: CONFORMANCE.iter().map(|s| (*s).to_owned()).collect(),
        },
    )
}

#[derive(Serialize, ToSchema)]
pub struct Collections {
    pub links: Vec<Link>,
    /// The CRSs every collection offers (each collection's `crs` refers here with `#/crs`,
    /// as OGC API – Features Part 2 allows, instead of repeating 68 URIs eleven times).
    pub crs: Vec<String>,
    pub collections: Vec<CollectionInfo>,
}

#[derive(Serialize, ToSchema)]
pub struct CollectionInfo {
    pub id: String,
    pub title: String,
    pub description: String,
    pub links: Vec<Link>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extent: Option<Extent>,
    #[serde(rename = "itemType")]
    pub item_type: String,
    /// The CRSs features may be written in (`crs=`) and a bbox given in (`bbox-crs=`).
    pub crs: Vec<String>,
    /// The CRS coordinates are stored in: CGCS2000 longitude/latitude, published as CRS84.
    #[serde(rename = "storageCrs")]
    pub storage_crs: String,
}

#[derive(Serialize, ToSchema)]
pub struct Extent {
    pub spatial: SpatialExtent,
}

#[derive(Serialize, ToSchema)]
pub struct SpatialExtent {
    pub bbox: Vec<[f64; 4]>,
    pub crs: String,
}

/// The collections this server offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CollectionId {
    Parks,
    Zones,
    Parcels,
    /// The public view: available plots, public fields only.
    Plots,
    /// Idle land and land approaching it (闲置土地), on a day.
    IdleLand,
    /// The five kinds of under-used land (五未土地), on a day.
    UnderusedLand,
    /// Land in production with its 标准地 达产复核, on a day.
    CapacityReviews,
    /// Standard workshops with deadline status, progress and occupancy.
    Workshops,
    /// The public view: workshop units ready and free to lease.
    AvailableUnits,
    /// Parcels in use with their land user's 亩均 class for a year.
    MuPerformance,
    /// 腾笼换鸟 candidates: parcels and units that could be freed, ranked.
    RenewalCandidates,
}

impl CollectionId {
    pub const ALL: [CollectionId; 11] = [
        Self::Parks,
        Self::Zones,
        Self::Parcels,
        Self::Plots,
        Self::IdleLand,
        Self::UnderusedLand,
        Self::CapacityReviews,
        Self::Workshops,
        Self::AvailableUnits,
        Self::MuPerformance,
        Self::RenewalCandidates,
    ];

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.id() == s)
    }

    pub fn id(self) -> &'static str {
        match self {
            Self::Parks => "parks",
            Self::Zones => "zones",
            Self::Parcels => "parcels",
            Self::Plots => "available-plots",
            Self::IdleLand => "idle-land",
            Self::UnderusedLand => "underused-land",
            Self::CapacityReviews => "capacity-reviews",
            Self::Workshops => "workshops",
            Self::AvailableUnits => "available-units",
            Self::MuPerformance => "mu-performance",
            Self::RenewalCandidates => "renewal-candidates",
        }
    }

    fn title(self) -> &'static str {
        match self {
            Self::Parks => "Parks (园区)",
            Self::Zones => "Zones (片区)",
            Self::Parcels => "Land parcels (宗地)",
            Self::Plots => "Available plots (可供应地块)",
            Self::IdleLand => "Idle land (闲置土地)",
            Self::UnderusedLand => "Under-used land (五未土地)",
            Self::CapacityReviews => "Output reviews of standard land (标准地达产复核)",
            Self::Workshops => "Standard workshops (标准化厂房)",
            Self::AvailableUnits => "Available workshop units (可租厂房)",
            Self::MuPerformance => "Per-mu performance (亩均效益评价)",
            Self::RenewalCandidates => "Cage-for-bird candidates (腾笼换鸟)",
        }
    }

    fn description(self) -> &'static str {
        match self {
            Self::Parks => {
                "Industrial parks: boundary, industry positioning and thresholds. Filter: code."
            }
            Self::Zones => "Zones of the parks. Filters: park_id, code.",
            Self::Parcels => {
                "Active land parcels with area in m² and 亩, land use, planning conditions and status. \
                 Filters: park_id, zone_id, status (comma-separated; `retired` lists history), land_use \
                 (a class matches its subclasses), code; datetime applies to the last change."
            }
            Self::Plots => {
                "Public: the plots offered for projects, with area in m² and 亩, land use, planning \
                 conditions, infrastructure, and the investment-intensity threshold and industry \
                 positioning in force where they lie. Filters: park_id, zone_id, land_use, code, \
                 min_area_mu, max_area_mu, industry (a project's code: plots it fits), \
                 infrastructure (keys all in place), site_levelled."
            }
            Self::IdleLand => {
                "Private: supplied parcels on the idle-land clock of 《闲置土地处置办法》 — idle_status \
                 (idle, approaching, not_due, not_applicable), rule, idle_since, idle_days, deadline, \
                 cause, excused, consequence, fee_yuan, recovery_from and the explanation; \
                 idle_until when a late start ended the idleness but its case has not closed (the \
                 land stays idle-listed), every idle episode, and penalty_yuan (contract 违约金). \
                 Filters: as_of (a day, default today), park_id, zone_id, idle_status (default \
                 idle,approaching)."
            }
            Self::UnderusedLand => {
                "Private: parcels in one of the five classes of under-used land (五未土地: 批而未供, \
                 供而未用, 用而未尽, 建而未投, 投而未达) with class, class_name and a reason in words. \
                 Filters: as_of (a day, default today), park_id, zone_id, class."
            }
            Self::CapacityReviews => {
                "Private: parcels in production under a supply, with the 标准地 达产复核 — \
                 review_status (not_due, overdue, met, short), due, overdue_days, reviewed_on, \
                 figures_year, the indicators missed and penalty_yuan (达产违约金). Filters: as_of \
                 (a day, default today), park_id, zone_id, review_status."
            }
            Self::Workshops => {
                "Private: standard workshops with their construction plan, deadline_status \
                 (overdue, at_risk, not_started, on_track, completed_late, completed_on_time), \
                 percent_complete and occupancy_pct on a day. Filters: as_of, park_id, zone_id, \
                 deadline_status."
            }
            Self::AvailableUnits => {
                "Public: units of completed workshops free to lease, with floor, area, storey \
                 height and floor load, on the building's footprint. Filters: park_id, zone_id."
            }
            Self::MuPerformance => {
                "Private: each parcel in use with its land user's 亩均 evaluation for a year — class \
                 (A–D, null when not rated, with not_rated_reason), score, rank, and tax_per_mu_wan, \
                 value_added_per_mu_wan, value_added_per_tce_wan, value_added_per_t_emission_wan, \
                 labour_productivity_wan, rd_share_pct. Filters: year (default last year), park_id, \
                 class (comma-separated)."
            }
            Self::RenewalCandidates => {
                "Private: parcels and workshop units that could be freed (腾笼换鸟), ranked — rank, \
                 weight, kind (parcel or unit), the area that would be freed, reason_kinds \
                 (idle_land, underused, d_class, low_intensity, idle_unit) and reasons_text. Ids are \
                 parcel-{id} and unit-{id}; units are drawn on their building's footprint. Filters: \
                 as_of, year (the evaluation's), park_id, kind."
            }
        }
    }
}

fn collection_info(c: CollectionId, base: &str, extent: Option<Bbox>) -> CollectionInfo {
    let url = format!("{base}/collections/{}", c.id());
    CollectionInfo {
        id: c.id().into(),
        title: c.title().into(),
        description: c.description().into(),
        links: vec![
            Link::new(url.clone(), "self", "application/json", "This collection"),
            Link::new(format!("{url}/items"), "items", GEOJSON, "The features"),
            Link::new(
                format!("{url}/tiles"),
                tiles::REL_VECTOR_TILESETS,
                "application/json",
                "The vector tilesets (MVT)",
            ),
        ]
        .into_iter()
        .chain(queryables::of(c).map(|_| {
            Link::new(
                format!("{url}/queryables"),
                "http://www.opengis.net/def/rel/ogc/1.0/queryables",
                "application/schema+json",
                "The properties a filter may name",
            )
        }))
        .collect(),
        extent: extent.map(|b| Extent {
            // Rounded outwards to 7 decimals (≈ 1 cm), like the coordinates themselves.
            spatial: SpatialExtent {
                bbox: vec![[
                    (b.min_x * 1e7).floor() / 1e7,
                    (b.min_y * 1e7).floor() / 1e7,
                    (b.max_x * 1e7).ceil() / 1e7,
                    (b.max_y * 1e7).ceil() / 1e7,
                ]],

                crs: CRS84_URI.into(),
            },
        }),
        item_type: "feature".into(),
        crs: crate::spatial::output::supported_uris(),
        storage_crs: CRS84_URI.into(),
    }
}

impl CollectionId {
    /// Whether anyone may read the collection, without a token.
    pub fn is_public(self) -> bool {
        matches!(
            self,
            Self::Parks | Self::Zones | Self::Plots | Self::AvailableUnits
        )
    }
}

/// Which collections a caller may read, and over which parks.
#[derive(Debug, Clone)]
enum Readable {
    /// Anonymous callers and applicants: the public collections only.
    Public,
    /// Everything, over these parks (`None`: all).
    Register(Option<Vec<i64>>),
}

impl Readable {
    async fn of(state: &AppState, caller: &Caller) -> Result<Self, ApiError> {
        let reads_register = caller
            .principal()
            .is_some_and(|p| p.role != crate::domain::access::Role::Applicant);
        if !reads_register {
            return Ok(Readable::Public);
        }
        Ok(match visibility(state, caller).await? {
            Visibility::All => Readable::Register(None),
            Visibility::Parks(ids) => Readable::Register(Some(ids)),
        })
    }

    fn may_read(&self, c: CollectionId) -> bool {
        c.is_public() || matches!(self, Readable::Register(_))
    }

    fn parks(&self) -> Option<&[i64]> {
        match self {
            Readable::Register(Some(ids)) => Some(ids),
            _ => None,
        }
    }
}

/// A collection's extent as the caller may see it: the union of the boundaries of the parks
/// whose features it may show — every park for the public collections, the caller's parks for
/// the private ones.
///
/// Every parcel, zone, workshop and unit lies inside its park (the register refuses anything
/// that extends outside the park's boundary), so the parks' boxes enclose every collection, and
/// reading them is one small query however large the register is: `/collections` costs what
/// `/conformance` costs instead of scanning the parcels once per collection (issue 16). The box
/// may be larger than the features (a park without available plots still counts), which OGC API
/// – Features allows: the extent encloses, it need not be tight.
fn extent(park_boxes: &[(i64, Bbox)], c: CollectionId, readable: &Readable) -> Option<Bbox> {
    let parks = if c.is_public() {
        None
    } else {
        readable.parks()
    };
    park_boxes
        .iter()
        .filter(|(id, _)| parks.is_none_or(|ids| ids.contains(id)))
        .map(|(_, b)| *b)
        .reduce(|a, b| a.union(&b))
}

/// The collections the caller may read: everyone the public ones (parks, zones, available
/// plots and units); accounts that read the register also parcels, idle land, under-used land,
/// workshops, 亩均 performance and 腾笼换鸟 candidates, with extents over their own parks.
#[utoipa::path(tag = "ogc-api", operation_id = "list_collections", security(()), params(FormatParam), responses((status = 200, body = Collections), ReadProblems))]
#[get("/collections")]
pub async fn list_collections(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    params::read::<FormatParam>(req.query_string())?;
    let readable = Readable::of(&state, &caller).await?;
    let shown: Vec<CollectionId> = CollectionId::ALL
        .into_iter()
        .filter(|c| readable.may_read(*c))
        .collect();
    let park_boxes = state.run(store::parks::extents).await?;
    let base = base_url(&req, &state);
    let extents: Vec<(CollectionId, Option<Bbox>)> = shown
        .into_iter()
        .map(|c| (c, extent(&park_boxes, c, &readable)))
        .collect();
    let key = format!("{base}|{extents:?}");
    if let Some((bytes, etag)) = written_collections().get(&key) {
        return respond_cached(&req, "application/json", bytes, etag, None);
    }
    let body = Collections {
        links: vec![Link::new(
            format!("{base}/collections"),
            "self",
            "application/json",
            "This document",
        )],
        collections: extents
            .into_iter()
            .map(|(c, e)| {
                let mut info = collection_info(c, &base, e);
                info.crs = vec!["#/crs".into()];
                info
            })
            .collect(),
        crs: crate::spatial::output::supported_uris(),
    };
    let bytes = serde_json::to_vec(&body).map_err(|e| ApiError::internal(&e))?;
    let etag = content_etag(&bytes);
    written_collections().put(key, bytes.clone(), etag.clone());
    respond_cached(&req, "application/json", bytes, etag, None)
}

/// `/collections` as last written for each base URL and set of collections with their
/// extents — everything the document depends on, so an entry is never stale: a changed park
/// boundary is a new key. Every caller who sees the same collections reads the same bytes;
/// writing them (eleven collections, 68 CRS URIs) was most of the request's CPU. A few
/// hundred keys at most in practice (one per combination of visible parks); cleared when full.
struct WrittenCollections(std::sync::Mutex<std::collections::HashMap<String, (Vec<u8>, String)>>);

impl WrittenCollections {
    const MAX_KEYS: usize = 256;

    fn get(&self, key: &str) -> Option<(Vec<u8>, String)> {
        self.0.lock().ok()?.get(key).cloned()
    }

    fn put(&self, key: String, bytes: Vec<u8>, etag: String) {
        if let Ok(mut map) = self.0.lock() {
            if map.len() >= Self::MAX_KEYS {
                map.clear();
            }
            map.insert(key, (bytes, etag));
        }
    }
}

fn written_collections() -> &'static WrittenCollections {
    static WRITTEN: std::sync::OnceLock<WrittenCollections> = std::sync::OnceLock::new();
    WRITTEN.get_or_init(|| WrittenCollections(Default::default()))
}

/// One collection's description (a private one needs an account that reads the register).
#[utoipa::path(
    tag = "ogc-api",
    operation_id = "describe_collection", security(()),
    params(("collection_id" = String, Path, description = "`parks`, `zones`, `parcels`, `available-plots`, `idle-land`, `underused-land`, `capacity-reviews`, `workshops`, `available-units`, `mu-performance` or `renewal-candidates`"), FormatParam),
    responses((status = 200, body = CollectionInfo), ReadProblems)
)]
#[get("/collections/{collection_id}")]
pub async fn describe_collection(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let (c, readable) = readable_collection(&state, &caller, &path).await?;
    params::read::<FormatParam>(req.query_string())?;
    let park_boxes = state.run(store::parks::extents).await?;
    let e = extent(&park_boxes, c, &readable);
    cached_json(
        &req,
        "application/json",
        &collection_info(c, &base_url(&req, &state), e),
    )
}

/// The collection `id` names, if the caller may read it, and what the caller may read.
async fn readable_collection(
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> Result<(CollectionId, Readable), ApiError> {
    let c = CollectionId::parse(id).ok_or_else(|| unknown_collection(id))?;
    let readable = Readable::of(state, caller).await?;
    if !readable.may_read(c) {
        return Err(match caller {
            Caller::Anonymous => Denied::Unauthenticated.into(),
            Caller::User(_) => ApiError::forbidden(format!(
                "the collection `{id}` is part of the register, which this account may not read; the public collections are parks, zones, available-plots and available-units"
            )),
        });
    }
    Ok((c, readable))
}

pub fn unknown_collection(id: &str) -> ApiError {
    ApiError::not_found(format!(
        "there is no collection `{id}`; the collections are parks, zones, parcels, available-plots, idle-land, underused-land, capacity-reviews, workshops, available-units, mu-performance and renewal-candidates"
    ))
}
