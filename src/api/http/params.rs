//! Query parameters of OGC API – Features items requests, parsed strictly: an unknown,
//! repeated or malformed parameter is a 400 that says what is allowed.

use crate::config::HttpConfig;
use crate::error::ApiError;
use crate::spatial::Bbox;
use crate::spatial::offset::Offset;
use chrono::{NaiveDate, NaiveDateTime};
use std::collections::BTreeMap;

/// The parameters every items request understands.
pub const COMMON: &[&str] = &["bbox", "limit", "offset", "datetime", "f", "coordinates"];

/// Cache-busting parameters browsers' HTTP libraries add (jQuery's `_`): accepted and ignored.
const IGNORED: &[&str] = &["_"];

/// A parsed items request.
#[derive(Debug, Clone, Default)]
pub struct ItemsParams {
    pub bbox: Option<Bbox>,
    pub limit: i64,
    pub offset: i64,
    /// Start and end of the `datetime` interval (either may be open), UTC.
    pub datetime: Option<(Option<NaiveDateTime>, Option<NaiveDateTime>)>,
    /// The system to write coordinates in (`coordinates=gcj02|bd09`); a `bbox` is read in it.
    pub coordinates: Offset,
    /// Collection-specific property filters, by name.
    pub filters: BTreeMap<String, String>,
    /// The raw pairs, to rebuild paging links.
    pub raw: Vec<(String, String)>,
}

impl ItemsParams {
    pub fn parse(query: &str, filters: &[&str], config: &HttpConfig) -> Result<Self, ApiError> {
        let raw: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect();
        let mut seen = BTreeMap::new();
        for (k, v) in &raw {
            check_value(k, v)?;
            if IGNORED.contains(&k.as_str()) {
                continue;
            }
            if !COMMON.contains(&k.as_str()) && !filters.contains(&k.as_str()) {
                let mut allowed: Vec<&str> = COMMON.to_vec();
                allowed.extend_from_slice(filters);
                return Err(ApiError::invalid_parameter(format!(
                    "unknown query parameter `{k}`; this collection accepts {}",
                    allowed.join(", ")
                )));
            }
            if seen.insert(k.clone(), v.clone()).is_some() {
                return Err(ApiError::invalid_parameter(format!(
                    "query parameter `{k}` is given twice"
                )));
            }
        }
        let mut p = ItemsParams {
            limit: config.items_default_limit,
            raw,
            ..Default::default()
        };
        for (k, v) in seen
            .into_iter()
            .filter(|(k, _)| !IGNORED.contains(&k.as_str()))
        {
            match k.as_str() {
                "bbox" => p.bbox = Some(parse_bbox(&v)?),
                "limit" => {
                    p.limit = crate::api::http::query::parse_limit(&v, config.items_max_limit)?
                }
                "offset" => p.offset = crate::api::http::query::parse_offset(&v)?,
                "datetime" => p.datetime = Some(parse_datetime(&v)?),
                "f" => check_format(&v)?,
                "coordinates" => p.coordinates = parse_coordinates(&v)?,
                _ => {
                    p.filters.insert(k, v);
                }
            }
        }
        if let Some(b) = p.bbox
            && p.coordinates != Offset::None
        {
            // A web map on offset tiles sends its view in their system: read it back.
            let (x0, y0) = p.coordinates.invert(b.min_x, b.min_y);
            let (x1, y1) = p.coordinates.invert(b.max_x, b.max_y);
            p.bbox = Some(Bbox {
                min_x: x0.min(x1),
                min_y: y0.min(y1),
                max_x: x0.max(x1),
                max_y: y0.max(y1),
            });
        }
        Ok(p)
    }

    /// The filter's value as a whole number, if given.
    pub fn id_filter(&self, name: &str) -> Result<Option<i64>, ApiError> {
        self.filters
            .get(name)
            .map(|v| {
                v.parse::<i64>().map_err(|_| {
                    ApiError::invalid_parameter(format!("{name} must be a whole number, got `{v}`"))
                })
            })
            .transpose()
    }

    /// The query string for another page.
    pub fn query_with_offset(&self, offset: i64) -> String {
        let mut out = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in &self.raw {
            if k != "offset" && k != "limit" && !IGNORED.contains(&k.as_str()) {
                out.append_pair(k, v);
            }
        }
        out.append_pair("limit", &self.limit.to_string());
        if offset > 0 {
            out.append_pair("offset", &offset.to_string());
        }
        out.finish()
    }
}

/// Query values are text a person typed: control characters (a NUL byte, which PostgreSQL
/// refuses in text) mean a broken or hostile client.
pub fn check_value(key: &str, value: &str) -> Result<(), ApiError> {
    if value.chars().any(char::is_control) {
        return Err(ApiError::invalid_parameter(format!(
            "query parameter `{key}` contains control characters"
        )));
    }
    Ok(())
}

/// `f=json` (or `geojson`) is the only output format.
pub fn check_format(v: &str) -> Result<(), ApiError> {
    match v {
        "json" | "geojson" | "application/json" | "application/geo+json" => Ok(()),
        other => Err(ApiError::invalid_parameter(format!(
            "f={other} is not offered; use f=json"
        ))),
    }
}

/// `limit`: 1 or more; above the maximum it is clamped, as OGC API – Features requires.
/// `bbox=minLon,minLat,maxLon,maxLat` (CRS84/CGCS2000 degrees); 6 values (with heights) are
/// accepted and the heights ignored.
pub fn parse_bbox(v: &str) -> Result<Bbox, ApiError> {
    let nums: Result<Vec<f64>, _> = v.split(',').map(|s| s.trim().parse::<f64>()).collect();
    let nums = nums
        .ok()
        .filter(|n| n.iter().all(|x| x.is_finite()))
        .ok_or_else(|| {
            ApiError::invalid_parameter(format!(
                "bbox must be 4 numbers minLon,minLat,maxLon,maxLat, got `{v}`"
            ))
        })?;
    let (min_x, min_y, max_x, max_y) = match nums.as_slice() {
        [a, b, c, d] => (*a, *b, *c, *d),
        [a, b, _, d, e, _] => (*a, *b, *d, *e),
        _ => {
            return Err(ApiError::invalid_parameter(format!(
                "bbox must have 4 (or 6) numbers, got {}",
                nums.len()
            )));
        }
    };
    if !(-90.0..=90.0).contains(&min_y) || !(-90.0..=90.0).contains(&max_y) {
        return Err(ApiError::invalid_parameter(
            "bbox latitudes must be within ±90 (order: minLon,minLat,maxLon,maxLat — are longitude and latitude swapped?)",
        ));
    }
    // Web maps zoomed out send longitudes beyond ±180 (the world repeated); clamp them.
    let (min_x, max_x) = (min_x.clamp(-180.0, 180.0), max_x.clamp(-180.0, 180.0));

    if min_y > max_y {
        return Err(ApiError::invalid_parameter(
            "bbox minimum latitude is above its maximum",
        ));
    }
    if min_x > max_x {
        return Err(ApiError::invalid_parameter(
            "bbox minimum longitude is above its maximum (boxes across the antimeridian are not supported)",
        ));
    }
    Ok(Bbox {
        min_x,
        min_y,
        max_x,
        max_y,
    })
}

/// `datetime`: an RFC 3339 instant or date, or an interval `start/end` with `..` (or empty)
/// for an open end.
pub fn parse_datetime(v: &str) -> Result<(Option<NaiveDateTime>, Option<NaiveDateTime>), ApiError> {
    let one = |s: &str, end: bool| -> Result<Option<NaiveDateTime>, ApiError> {
        let s = s.trim();
        if s.is_empty() || s == ".." {
            return Ok(None);
        }
        if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
            return Ok(Some(t.naive_utc()));
        }
        if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            let t = if end {
                d.and_hms_milli_opt(23, 59, 59, 999)
            } else {
                d.and_hms_opt(0, 0, 0)
            };
            return Ok(t);
        }
        Err(ApiError::invalid_parameter(format!(
            "datetime `{s}` is not an RFC 3339 date-time (2026-11-22T08:00:00Z) or date (2026-11-22)"
        )))
    };
    match v.split_once('/') {
        Some((a, b)) => {
            let (start, end) = (one(a, false)?, one(b, true)?);
            if let (Some(s), Some(e)) = (start, end)
                && s > e
            {
                return Err(ApiError::invalid_parameter(
                    "datetime interval ends before it starts",
                ));
            }
            Ok((start, end))
        }
        None => {
            if v.trim() == ".." || v.trim().is_empty() {
                return Err(ApiError::invalid_parameter(
                    "datetime needs an instant or an interval",
                ));
            }
            let date_only = NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d").is_ok();
            // A date means the whole day; an instant means exactly that instant.
            Ok((
                one(v, false)?,
                if date_only {
                    one(v, true)?
                } else {
                    one(v, false)?
                },
            ))
        }
    }
}

/// `coordinates=`: the system features are written in — `cgcs2000` (default, as stored),
/// `gcj02` (AMap, Tencent tiles) or `bd09` (Baidu). Output only; nothing stored changes.
pub fn parse_coordinates(raw: &str) -> Result<Offset, ApiError> {
    Offset::parse(raw).ok_or_else(|| {
        ApiError::invalid_parameter(format!(
            "coordinates must be cgcs2000, gcj02 or bd09, got `{raw}`"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(q: &str) -> Result<ItemsParams, ApiError> {
        ItemsParams::parse(q, &["park_id", "status"], &HttpConfig::default())
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
            p.query_with_offset(20),
            "status=available&limit=10&offset=20"
        );
        assert_eq!(p.query_with_offset(0), "status=available&limit=10");
    }
}
