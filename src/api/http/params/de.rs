//! Query values, parsed by their rule. Each rule is a plain function from the text to the value
//! or a message; the `deserialize_with` functions put them behind serde for the typed
//! parameter structs. serde's errors know no parameter name, so messages write `{name}` where
//! it goes and [`name_in`] fills it in.

use crate::error::ApiError;
use crate::spatial::Bbox;
use crate::spatial::offset::Offset;
use chrono::{Datelike, NaiveDate, NaiveDateTime};
use serde::de::Error as _;
use serde::{Deserialize, Deserializer};

/// Where the parameter's name goes in a message.
const NAME: &str = "{name}";

/// A message with the parameter's name put in.
pub fn name_in(message: &str, name: &str) -> String {
    message.replace(NAME, name)
}

fn invalid(message: String, name: &str) -> ApiError {
    ApiError::invalid_parameter(name_in(&message, name))
}

/// Query values are text a person typed: control characters (a NUL byte, which PostgreSQL
/// refuses in text) mean a broken or hostile client.
pub fn check_value(key: &str, value: &str) -> Result<(), ApiError> {
    if value.chars().any(char::is_control) {
        return Err(ApiError::invalid_parameter(format!(
            "query parameter `{key}` contains control characters"
        ))
        .zh(format!("查询参数 `{key}` 含有控制字符")));
    }
    Ok(())
}

/// A whole number.
pub fn whole(v: &str) -> Result<i64, String> {
    v.trim()
        .parse::<i64>()
        .map_err(|_| format!("{NAME} must be a whole number, got `{v}`"))
}

/// A calendar date `YYYY-MM-DD`, between 1980 and 2100 (a wider range is a typo).
pub fn date(v: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d")
        .ok()
        .filter(|d| (1980..=2100).contains(&d.year()))
        .ok_or_else(|| format!("{NAME} must be a date YYYY-MM-DD between 1980 and 2100, got `{v}`"))
}

/// A date parameter read outside a typed struct (a filter of an OGC collection).
pub fn parse_date(name: &str, v: &str) -> Result<NaiveDate, ApiError> {
    date(v).map_err(|m| invalid(m, name))
}

/// `true` or `false` (or 1, 0).
pub fn flag(v: &str) -> Result<bool, String> {
    match v.trim() {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        other => Err(format!("{NAME} must be true or false, got `{other}`")),
    }
}

/// A month `YYYY-MM`, from 2000: its first day.
pub fn month(v: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(&format!("{}-01", v.trim()), "%Y-%m-%d")
        .ok()
        .filter(|d| d.year() >= 2000)
        .ok_or_else(|| format!("{NAME} must be YYYY-MM (e.g. 2026-11), got `{v}`"))
}

/// A value that names one of a fixed set: parsed by `parse`, which knows the names it accepts.
pub trait Named: Sized {
    /// What is accepted, for the message.
    const ACCEPTED: &'static str;
    fn parse_name(raw: &str) -> Option<Self>;
}

/// A comma-separated list of names.
pub fn names<T: Named>(v: &str) -> Result<Vec<T>, String> {
    v.split(',')
        .map(|item| {
            T::parse_name(item.trim())
                .ok_or_else(|| format!("{NAME}: `{}` is not one of {}", item.trim(), T::ACCEPTED))
        })
        .collect()
}

/// One name.
pub fn name<T: Named>(v: &str) -> Result<T, String> {
    T::parse_name(v.trim())
        .ok_or_else(|| format!("{NAME}: `{}` is not one of {}", v.trim(), T::ACCEPTED))
}

/// `f=json` (or `geojson`) is the only output format.
pub fn check_format(v: &str) -> Result<(), ApiError> {
    match v {
        "json" | "geojson" | "application/json" | "application/geo+json" => Ok(()),
        other => Err(
            ApiError::invalid_parameter(format!("f={other} is not offered; use f=json"))
                .zh(format!("不支持 f={other}；请使用 f=json")),
        ),
    }
}

/// `bbox=minLon,minLat,maxLon,maxLat` (CRS84/CGCS2000 degrees); 6 values (with heights) are
/// accepted and the heights ignored.
/// The four numbers of a `bbox` (of six, the heights dropped), in the order given.
pub fn bbox_numbers(v: &str) -> Result<[f64; 4], ApiError> {
    let nums: Result<Vec<f64>, _> = v.split(',').map(|s| s.trim().parse::<f64>()).collect();
    let nums = nums
        .ok()
        .filter(|n| n.iter().all(|x| x.is_finite()))
        .ok_or_else(|| {
            ApiError::invalid_parameter(format!(
                "bbox must be 4 numbers minLon,minLat,maxLon,maxLat, got `{v}`"
            ))
            .zh(format!(
                "bbox 须为 4 个数：最小经度,最小纬度,最大经度,最大纬度，收到 `{v}`"
            ))
        })?;
    match nums.as_slice() {
        [a, b, c, d] => Ok([*a, *b, *c, *d]),
        [a, b, _, d, e, _] => Ok([*a, *b, *d, *e]),
        _ => Err(ApiError::invalid_parameter(format!(
            "bbox must have 4 (or 6) numbers, got {}",
            nums.len()
        ))
        .zh(format!(
            "bbox 须有 4 个（或 6 个）数，收到 {} 个",
            nums.len()
        ))),
    }
}

pub fn parse_bbox(v: &str) -> Result<Bbox, ApiError> {
    let [min_x, min_y, max_x, max_y] = bbox_numbers(v)?;
    if !(-90.0..=90.0).contains(&min_y) || !(-90.0..=90.0).contains(&max_y) {
        return Err(ApiError::invalid_parameter(
            "bbox latitudes must be within ±90 (order: minLon,minLat,maxLon,maxLat — are longitude and latitude swapped?)",
        ).zh("bbox 的纬度须在 ±90 以内（顺序：最小经度,最小纬度,最大经度,最大纬度——经纬度是否颠倒？）"));
    }
    // Web maps zoomed out send longitudes beyond ±180 (the world repeated); clamp them.
    let (min_x, max_x) = (min_x.clamp(-180.0, 180.0), max_x.clamp(-180.0, 180.0));

    if min_y > max_y {
        return Err(
            ApiError::invalid_parameter("bbox minimum latitude is above its maximum")
                .zh("bbox 的最小纬度大于最大纬度"),
        );
    }
    if min_x > max_x {
        return Err(ApiError::invalid_parameter(
            "bbox minimum longitude is above its maximum (boxes across the antimeridian are not supported)",
        ).zh("bbox 的最小经度大于最大经度（不支持跨越 180° 经线的范围）"));
    }
    Ok(Bbox {
        min_x,
        min_y,
        max_x,
        max_y,
    })
}

/// A `datetime` interval: its start and end, either open, UTC.
pub type Interval = (Option<NaiveDateTime>, Option<NaiveDateTime>);

/// `datetime`: an RFC 3339 instant or date, or an interval `start/end` with `..` (or empty)
/// for an open end.
pub fn parse_datetime(v: &str) -> Result<Interval, ApiError> {
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
        )).zh(format!("datetime `{s}` 不是 RFC 3339 日期时间（2026-11-22T08:00:00Z）或日期（2026-11-22）")))
    };
    match v.split_once('/') {
        Some((a, b)) => {
            let (start, end) = (one(a, false)?, one(b, true)?);
            if let (Some(s), Some(e)) = (start, end)
                && s > e
            {
                return Err(
                    ApiError::invalid_parameter("datetime interval ends before it starts")
                        .zh("datetime 区间的结束早于开始"),
                );
            }
            Ok((start, end))
        }
        None => {
            if v.trim() == ".." || v.trim().is_empty() {
                return Err(ApiError::invalid_parameter(
                    "datetime needs an instant or an interval",
                )
                .zh("datetime 须为一个时刻或一个区间"));
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
        .zh(format!(
            "coordinates 须为 cgcs2000、gcj02 或 bd09，收到 `{raw}`"
        ))
    })
}

fn with<'de, D, T>(d: D, rule: impl FnOnce(&str) -> Result<T, String>) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
{
    let text = String::deserialize(d)?;
    rule(&text).map_err(D::Error::custom)
}

pub fn id<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    with(d, whole).map(Some)
}

pub fn day<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
    with(d, date).map(Some)
}

pub fn yes_no<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    with(d, flag).map(Some)
}

/// A year: a whole number; beyond i32 it is as wrong as any year the rules refuse, which the
/// handler checks against today.
pub fn year<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i32>, D::Error> {
    required_year(d).map(Some)
}

pub fn required_year<'de, D: Deserializer<'de>>(d: D) -> Result<i32, D::Error> {
    with(d, |v| {
        whole(v).map(|y| i32::try_from(y).unwrap_or(i32::MAX))
    })
}

pub fn first_of_month<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
    with(d, month).map(Some)
}

pub fn list<'de, D: Deserializer<'de>, T: Named>(d: D) -> Result<Option<Vec<T>>, D::Error> {
    with(d, names).map(Some)
}

pub fn one<'de, D: Deserializer<'de>, T: Named>(d: D) -> Result<Option<T>, D::Error> {
    with(d, name).map(Some)
}

pub fn bbox<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Bbox>, D::Error> {
    with(d, |v| parse_bbox(v).map_err(|e| e.problem().detail.clone())).map(Some)
}

pub fn datetime<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Interval>, D::Error> {
    with(d, |v| {
        parse_datetime(v).map_err(|e| e.problem().detail.clone())
    })
    .map(Some)
}

pub fn coordinates<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Offset>, D::Error> {
    with(d, |v| {
        parse_coordinates(v).map_err(|e| e.problem().detail.clone())
    })
    .map(Some)
}

/// `f`: only JSON is offered.
pub fn format<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    with(d, |v| {
        check_format(v)
            .map(|()| v.to_owned())
            .map_err(|e| e.problem().detail.clone())
    })
    .map(Some)
}

/// A land-use class filter: 2–6 digits (so it can never carry SQL wildcards).
pub fn land_use_class<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let v = String::deserialize(d)?;
    if (2..=6).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_digit()) {
        Ok(Some(v))
    } else {
        Err(serde::de::Error::custom(format!(
            "{{name}} must be a class code of 2–6 digits, got `{v}`"
        )))
    }
}
