//! Query parameters of OGC API – Features requests: those every items request understands
//! (`bbox`, `limit`, `offset`, `datetime`, `f`, `coordinates`), and each collection's own
//! filters as a typed struct `F` — named after the properties they filter, as OGC API –
//! Features recommends, so GDAL can pass `-where "status = 'available'"` to the server.

use super::{NoParams, Paging, de, declared, from_pairs, split};
use crate::config::HttpConfig;
use crate::error::ApiError;
use crate::spatial::Bbox;
use crate::spatial::mvt::Tile;
use crate::spatial::offset::Offset;
use crate::spatial::output::Output;
use actix_web::{HttpMessage, HttpRequest};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use utoipa::IntoParams;

/// The parameters every items request understands.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ItemsQuery {
    /// minLon,minLat,maxLon,maxLat (CRS84, or in `bbox-crs`); features whose geometry
    /// intersects it.
    #[param(value_type = Option<String>)]
    pub bbox: Option<String>,
    /// The CRS of `bbox` (OGC API – Features Part 2), in its axis order: e.g.
    /// `http://www.opengis.net/def/crs/EPSG/0/4490` (latitude first) or a Gauss-Krüger zone
    /// (northing first). Default CRS84.
    #[serde(default, rename = "bbox-crs")]
    pub bbox_crs: Option<String>,
    /// Write coordinates in this CRS (OGC API – Features Part 2): CRS84 (default), EPSG:4490,
    /// EPSG:4326, EPSG:3857 or a CGCS2000 Gauss-Krüger zone EPSG:4491–4554, as
    /// `http://www.opengis.net/def/crs/EPSG/0/<code>`; axis order as the EPSG definition
    /// says. `Content-Crs` names it.
    #[serde(default)]
    pub crs: Option<String>,
    /// Items per page: default 100; larger values are clamped to 10000 (both configurable;
    /// OGC API – Features: not an error).
    #[serde(default, deserialize_with = "de::id")]
    #[param(minimum = 1)]
    pub limit: Option<i64>,
    /// Items to skip (follow the `next` link).
    #[serde(default, deserialize_with = "de::id")]
    #[param(minimum = 0)]
    pub offset: Option<i64>,
    /// Last change in this instant or interval (RFC 3339; `..` for an open end).
    #[serde(default, deserialize_with = "de::datetime")]
    #[param(value_type = Option<String>)]
    pub datetime: Option<de::Interval>,
    /// `json` or `geojson` (the same GeoJSON).
    #[serde(default, deserialize_with = "de::format")]
    pub f: Option<String>,
    /// Only these properties, comma-separated (names a feature does not have are left out);
    /// on a tile, the properties it carries at every zoom. The queryables and the collection's
    /// description name them.
    pub properties: Option<String>,
    /// `true`: features with a null geometry (for tables and counts).
    #[serde(default, rename = "skipGeometry", deserialize_with = "de::yes_no")]
    pub skip_geometry: Option<bool>,
    /// Write coordinates in `cgcs2000` (default: CGCS2000 lon/lat as stored, CRS84 to within
    /// centimetres), `gcj02` (AMap, Tencent) or `bd09` (Baidu), for web maps on those tiles;
    /// a `bbox` is then read in the same system. Nothing stored changes.
    #[serde(default, deserialize_with = "de::coordinates")]
    #[param(value_type = Option<CoordinateSystem>, inline)]
    pub coordinates: Option<Offset>,
}

// The systems `coordinates=` names, for the document (the parser reads `Offset`).
#[derive(utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
#[allow(dead_code)]
enum CoordinateSystem {
    Cgcs2000,
    Gcj02,
    Bd09,
}

/// The parameters of a single feature: its format and the coordinates to write it in.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ItemQuery {
    /// `json` or `geojson`.
    #[serde(default, deserialize_with = "de::format")]
    pub f: Option<String>,
    /// Write coordinates in this CRS (OGC API – Features Part 2), as for items.
    #[serde(default)]
    pub crs: Option<String>,
    /// Write coordinates in `cgcs2000` (default), `gcj02` (AMap, Tencent) or `bd09` (Baidu).
    #[serde(default, deserialize_with = "de::coordinates")]
    #[param(value_type = Option<CoordinateSystem>, inline)]
    pub coordinates: Option<Offset>,
}

/// A parsed items request: the common parameters, the collection's filters `F` and, for a
/// collection that adds its own to shared ones (a day and parks, and a status), `G`.
#[derive(Debug, Clone, Default)]
pub struct ItemsParams<F, G = NoParams> {
    pub bbox: Option<Bbox>,
    pub limit: i64,
    pub offset: i64,
    /// Start and end of the `datetime` interval (either may be open), UTC.
    pub datetime: Option<de::Interval>,
    /// The system to write coordinates in (`crs=`, or `coordinates=gcj02|bd09`).
    pub coordinates: Output,
    /// Only these properties (`properties=`).
    pub properties: Option<Vec<String>>,
    /// Null geometries (`skipGeometry=true`).
    pub skip_geometry: bool,
    /// The collection's filters.
    pub filters: F,
    pub more: G,
    /// The CQL2 filter's parameters, for a collection read with [`ItemsParams::of_filtered`]
    /// (elsewhere they are unknown parameters, refused).
    pub cql: super::cql::CqlQuery,
    /// The pairs as given, to rebuild paging links.
    pub raw: Vec<(String, String)>,
    /// The vector tile asked for, when the request came as one (see `api::ogc::tiles`): the
    /// items are then the tile's, written as MVT.
    pub tile: Option<Tile>,
}

/// The most features one tile carries (a z14 tile over a dense park holds a few thousand).
pub const TILE_MAX_FEATURES: i64 = 100_000;

/// The common parameters that do not apply to a tile: its box, size and system are its own.
const NOT_FOR_TILES: [&str; 7] = [
    "bbox",
    "bbox-crs",
    "crs",
    "limit",
    "offset",
    "coordinates",
    "f",
];

impl<F, G> ItemsParams<F, G>
where
    F: DeserializeOwned + IntoParams + 'static,
    G: DeserializeOwned + IntoParams + 'static,
{
    pub fn parse(query: &str, config: &HttpConfig) -> Result<Self, ApiError> {
        Self::parse_with(query, config, false)
    }

    /// As [`ItemsParams::parse`], `filtered` saying whether the collection takes a CQL2
    /// `filter` (`filter`, `filter-lang`, `filter-crs`).
    fn parse_with(query: &str, config: &HttpConfig, filtered: bool) -> Result<Self, ApiError> {
        let (common, own, more) = (declared::<ItemsQuery>(), declared::<F>(), declared::<G>());
        let cql = if filtered {
            declared::<super::cql::CqlQuery>()
        } else {
            &[]
        };
        let [mine, theirs, extra, filter] = split(query, [common, own, more, cql])?;
        let raw = mine
            .iter()
            .chain(&theirs)
            .chain(&extra)
            .chain(&filter)
            .cloned()
            .collect();
        let q: ItemsQuery = from_pairs(common, &mine)?;
        let filters: F = from_pairs(own, &theirs)?;
        let more: G = from_pairs(more, &extra)?;
        let cql = if filtered {
            from_pairs(cql, &filter)?
        } else {
            super::cql::CqlQuery::default()
        };
        let (limit, offset) = Paging {
            limit: q.limit,
            offset: q.offset,
        }
        .resolve(config.items_default_limit, config.items_max_limit)?;
        let coordinates = output(q.crs.as_deref(), q.coordinates)?;
        // A bbox is read in `bbox-crs`, or in the offset system a web map on offset tiles
        // writes in (`coordinates=`), or as CRS84.
        let bbox_in = match q.bbox_crs.as_deref() {
            Some(raw) => Output::parse(raw).map_err(ApiError::invalid_parameter)?,
            None => Output::from(q.coordinates.unwrap_or_default()),
        };
        let bbox = match (q.bbox, bbox_in) {
            (None, _) => None,
            (Some(raw), Output::Crs84) => Some(de::parse_bbox(&raw)?),
            (Some(raw), crs) => Some(
                crs.box_to_lon_lat(de::bbox_numbers(&raw)?)
                    .map_err(|e| ApiError::invalid_parameter(format!("bbox: {e}")))?,
            ),
        };
        let properties = q.properties.map(|list| {
            list.split(',')
                .map(|p| p.trim().to_owned())
                .filter(|p| !p.is_empty())
                .collect()
        });
        Ok(ItemsParams {
            bbox,
            limit,
            offset,
            datetime: q.datetime,
            coordinates,
            properties,
            skip_geometry: q.skip_geometry.unwrap_or(false),
            filters,
            more,
            cql,
            raw,
            tile: None,
        })
    }

    /// The parameters of an items request, or of a tile routed to the items (its box and
    /// feature limit are the tile's).
    pub fn of(req: &HttpRequest, config: &HttpConfig) -> Result<Self, ApiError> {
        Self::of_request(req, config, false)
    }

    /// As [`ItemsParams::of`], for a collection that takes a CQL2 `filter` (its tiles too).
    pub fn of_filtered(req: &HttpRequest, config: &HttpConfig) -> Result<Self, ApiError> {
        Self::of_request(req, config, true)
    }

    fn of_request(
        req: &HttpRequest,
        config: &HttpConfig,
        filtered: bool,
    ) -> Result<Self, ApiError> {
        let mut params = Self::parse_with(req.query_string(), config, filtered)?;
        if let Some(tile) = req.extensions().get::<Tile>().copied() {
            if let Some((k, _)) = params
                .raw
                .iter()
                .find(|(k, _)| NOT_FOR_TILES.contains(&k.as_str()))
            {
                return Err(ApiError::invalid_parameter(format!(
                    "`{k}` is not a parameter of a tile: a tile's box, size and coordinates are its own; \
                     the collection's filters (and `datetime`) apply"
                )));
            }
            params.bbox = Some(tile.bounds_lon_lat());
            params.limit = TILE_MAX_FEATURES;
            params.offset = 0;
            params.tile = Some(tile);
        }
        Ok(params)
    }
}

impl<F, G> ItemsParams<F, G> {
    /// What a page's links and features need of the request.
    pub fn links(&self) -> PageLinks {
        PageLinks {
            limit: self.limit,
            offset: self.offset,
            coordinates: self.coordinates,
            properties: self.properties.clone(),
            skip_geometry: self.skip_geometry,
            raw: self.raw.clone(),
        }
    }
}

/// A page's place and the request's other parameters, to write the links to other pages, and
/// the coordinates its features are written in.
#[derive(Debug, Clone)]
pub struct PageLinks {
    pub limit: i64,
    pub offset: i64,
    pub coordinates: Output,
    pub properties: Option<Vec<String>>,
    pub skip_geometry: bool,
    raw: Vec<(String, String)>,
}

impl PageLinks {
    /// The query string for another page.
    pub fn query_with_offset(&self, offset: i64) -> String {
        let mut out = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in &self.raw {
            if !matches!(k.as_str(), "offset" | "limit" | "after") {
                out.append_pair(k, v);
            }
        }
        out.append_pair("limit", &self.limit.to_string());
        if offset > 0 {
            out.append_pair("offset", &offset.to_string());
        }
        out.finish()
    }

    /// The query string for the page after the feature with id `last` (keyset paging).
    pub fn query_after(&self, last: i64) -> String {
        let mut out = url::form_urlencoded::Serializer::new(self.query_with_offset(0));
        out.append_pair("after", &last.to_string());
        out.finish()
    }
}

/// The system features are written in: `crs=` (Part 2) or `coordinates=` (an offset web-map
/// system), not both.
fn output(crs: Option<&str>, coordinates: Option<Offset>) -> Result<Output, ApiError> {
    match (crs, coordinates.unwrap_or_default()) {
        (None, offset) => Ok(Output::from(offset)),
        (Some(raw), Offset::None) => Output::parse(raw).map_err(ApiError::invalid_parameter),
        (Some(_), _) => Err(ApiError::invalid_parameter(
            "give `crs` (a CRS) or `coordinates` (an offset web-map system), not both",
        )),
    }
}

/// A single feature's parameters: the common two and `F`'s (a day, a year).
pub struct ItemParams<F> {
    pub coordinates: Output,
    pub filters: F,
}

impl<F: DeserializeOwned + IntoParams + 'static> ItemParams<F> {
    pub fn parse(query: &str) -> Result<Self, ApiError> {
        let (common, own) = (declared::<ItemQuery>(), declared::<F>());
        let [mine, theirs] = split(query, [common, own])?;
        let q: ItemQuery = from_pairs(common, &mine)?;
        Ok(ItemParams {
            coordinates: output(q.crs.as_deref(), q.coordinates)?,
            filters: from_pairs(own, &theirs)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::http::params::de::{parse_bbox, parse_datetime};

    #[derive(Debug, Deserialize, IntoParams)]
    #[into_params(parameter_in = Query)]
    struct Filters {
        /// Only this park.
        #[serde(default, deserialize_with = "de::id")]
        park_id: Option<i64>,
        /// Statuses.
        status: Option<String>,
    }

    fn parse(q: &str) -> Result<ItemsParams<Filters>, ApiError> {
        ItemsParams::parse(q, &HttpConfig::default())
    }

    #[test]
    fn defaults_and_clamping() {
        let p = parse("").unwrap();
        assert_eq!((p.limit, p.offset), (100, 0));
        assert_eq!(
            parse("limit=50000").unwrap().limit,
            10_000,
            "clamped, not refused"
        );
        assert!(parse("limit=0").is_err());
        assert!(parse("limit=ten").is_err());
        assert!(parse("offset=-1").is_err());
    }

    #[test]
    fn unknown_and_repeated_parameters_are_refused() {
        let e = parse("colour=red").unwrap_err();
        assert!(
            e.problem()
                .detail
                .contains("unknown query parameter `colour`")
        );
        assert!(parse("status=a&status=b").is_err());
        let p = parse("park_id=3&status=idle").unwrap();
        assert_eq!(
            (p.filters.park_id, p.filters.status.as_deref()),
            (Some(3), Some("idle")),
            "the collection's own filters are read with the common ones"
        );
        assert!(parse("f=html").is_err());
        assert!(parse("f=json").is_ok());
    }

    #[test]
    fn bbox_forms() {
        let b = parse("bbox=116.6,27.5,116.7,27.6").unwrap().bbox.unwrap();
        assert_eq!((b.min_x, b.max_y), (116.6, 27.6));
        let b6 = parse_bbox("116.6,27.5,0,116.7,27.6,100").unwrap();
        assert_eq!((b6.max_x, b6.max_y), (116.7, 27.6));
        assert!(
            parse_bbox("27.5,116.6,27.6,116.7").is_err(),
            "lat 116 is out of range"
        );
        let world = parse_bbox("-270,-88.1,503.4,89.3").unwrap();
        assert_eq!(
            (world.min_x, world.max_x),
            (-180.0, 180.0),
            "a zoomed-out web map's wrapped longitudes are clamped"
        );

        assert!(parse_bbox("116.7,27.5,116.6,27.6").is_err());
        assert!(parse_bbox("1,2,3").is_err());
        assert!(parse_bbox("1,2,3,NaN").is_err());
        assert!(parse_bbox("1;DROP TABLE parcels,2,3,4").is_err());
    }

    #[test]
    fn datetime_forms() {
        let (s, e) = parse_datetime("2026-01-01T00:00:00Z/..").unwrap();
        assert!(s.is_some() && e.is_none());
        let (s, e) = parse_datetime("2026-11-22").unwrap();
        assert_eq!(s.unwrap().to_string(), "2026-11-22 00:00:00");
        assert_eq!(e.unwrap().to_string(), "2026-11-22 23:59:59.999");
        assert!(parse_datetime("2026-12-01/2026-11-01").is_err());
        assert!(parse_datetime("yesterday").is_err());
    }

    #[test]
    fn paging_links_keep_filters() {
        let p = parse("status=available&limit=10&offset=10").unwrap();
        assert_eq!(
            p.links().query_with_offset(20),
            "status=available&limit=10&offset=20"
        );
        assert_eq!(p.links().query_with_offset(0), "status=available&limit=10");
    }
}
