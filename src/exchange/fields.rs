//! Mapping the attributes of exchanged files to a parcel.
//!
//! Bureau files name their fields three ways: parkland's own names (`code`, `land_use` …), the
//! pinyin abbreviations of the cadastral and planning databases (`ZDDM` 宗地代码, `DLBM` 地类编码,
//! `RJLSX` 容积率上限 …) and plain Chinese headers. All are accepted, case-insensitively; other
//! attributes are ignored, and a declared area is only compared with the computed one.

use crate::domain::land_use;
use crate::domain::parcel::{ParcelStatus, PlanningConditions};
use crate::domain::register::RawParcel;
use chrono::NaiveDate;
use serde_json::{Map, Value};

/// The names each parcel attribute may go by in a file.
const CODE: &[&str] = &[
    "code",
    "zddm",
    "宗地代码",
    "dkbh",
    "地块编号",
    "zdbh",
    "宗地编号",
    "地块代码",
];
const NAME: &[&str] = &["name", "zdmc", "宗地名称", "dkmc", "地块名称", "名称"];
const LOCATION: &[&str] = &["location", "zl", "坐落", "位置", "地块位置"];
const LAND_USE: &[&str] = &[
    "land_use",
    "dlbm",
    "地类编码",
    "ydyhfl",
    "用地用海分类",
    "ydxz",
    "用地性质",
    "tdyt",
    "土地用途",
    "用途",
];
const STATUS: &[&str] = &["status", "zt", "状态", "供应状态"];
const ZONE: &[&str] = &["zone", "zone_code", "片区", "pq"];
const ZONE_ID: &[&str] = &["zone_id"];
const FAR_MIN: &[&str] = &["far_min", "rjlxx", "容积率下限"];
const FAR_MAX: &[&str] = &["far_max", "rjlsx", "容积率上限"];
const DENSITY_MIN: &[&str] = &["building_density_min_pct", "jzmdxx", "建筑密度下限"];
const DENSITY_MAX: &[&str] = &["building_density_max_pct", "jzmdsx", "建筑密度上限"];
const GREEN_MIN: &[&str] = &["green_ratio_min_pct", "ldlxx", "绿地率下限"];
const GREEN_MAX: &[&str] = &["green_ratio_max_pct", "ldlsx", "绿地率上限"];
const HEIGHT_MAX: &[&str] = &["height_max_m", "jzxg", "建筑限高"];
const INFRASTRUCTURE: &[&str] = &["infrastructure", "基础设施", "配套"];
const LEVELLED: &[&str] = &["site_levelled", "场地平整", "cdpz"];
const CLEARANCES: &[&str] = &["clearances", "净地条件", "jdtj"];
const APPROVAL_NO: &[&str] = &["approval_no", "pzwh", "批准文号", "批复文号"];
const APPROVED_ON: &[&str] = &["approved_on", "pzrq", "批准日期", "批复日期"];
/// Declared areas: never used, only compared with the computed area.
const AREA_M2: &[&str] = &[
    "area_m2",
    "zdmj",
    "宗地面积",
    "dkmj",
    "地块面积",
    "mj",
    "面积",
];

/// A parcel read from a file, with what only the register can resolve.
#[derive(Debug, Clone, Default)]
pub struct FileParcel {
    pub raw: RawParcel,
    /// A zone given by code or name.
    pub zone: Option<String>,
    pub declared_area_m2: Option<f64>,
}

fn find<'a>(props: &'a Map<String, Value>, names: &[&str]) -> Option<&'a Value> {
    props
        .iter()
        .find(|(k, v)| !v.is_null() && names.iter().any(|n| k.trim().eq_ignore_ascii_case(n)))
        .map(|(_, v)| v)
}

fn text(props: &Map<String, Value>, names: &[&str]) -> Option<String> {
    match find(props, names)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn number(
    props: &Map<String, Value>,
    names: &[&str],
    field: &str,
    errors: &mut Vec<String>,
) -> Option<f64> {
    match find(props, names)? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) if s.trim().is_empty() => None,
        Value::String(s) => match s.trim().parse::<f64>() {
            Ok(v) => Some(v),
            Err(_) => {
                errors.push(format!("{field}: `{s}` is not a number"));
                None
            }
        },
        other => {
            errors.push(format!("{field}: {other} is not a number"));
            None
        }
    }
}

/// A land-use class by code, or by its exact Chinese name (files often carry 工业用地).
fn land_use_code(raw: &str) -> String {
    land_use::CLASSES
        .iter()
        .find(|(_, name)| *name == raw)
        .map_or_else(|| raw.to_owned(), |(code, _)| (*code).to_owned())
}

fn status(raw: &str, errors: &mut Vec<String>) -> Option<ParcelStatus> {
    let by_label = ParcelStatus::ALL.into_iter().find(|s| s.label_zh() == raw);
    match by_label
        .map(Ok)
        .unwrap_or_else(|| ParcelStatus::parse("status", raw))
    {
        Ok(s) => Some(s),
        Err(e) => {
            errors.push(format!("status: {}", e.message));
            None
        }
    }
}

/// A date as files write it: `2022-05-10`, `2022/05/10` or `20220510` (DBF dates).
fn date(
    props: &Map<String, Value>,
    names: &[&str],
    field: &str,
    errors: &mut Vec<String>,
) -> Option<NaiveDate> {
    let raw = text(props, names)?;
    let parsed = ["%Y-%m-%d", "%Y/%m/%d", "%Y%m%d"]
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(&raw, f).ok());
    if parsed.is_none() {
        errors.push(format!("{field}: `{raw}` is not a date (2022-05-10)"));
    }
    parsed
}

fn flag(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => n.as_i64().map(|n| n != 0),
        Value::String(s) => match s.trim().to_lowercase().as_str() {
            "true" | "yes" | "y" | "1" | "是" | "已平整" => Some(true),
            "false" | "no" | "n" | "0" | "否" | "未平整" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// Infrastructure as a JSON list or a text list separated by commas, 、 or ；.
fn list(v: &Value) -> Vec<String> {
    match v {
        Value::Array(items) => items
            .iter()
            .filter_map(|i| i.as_str().map(str::to_owned))
            .collect(),
        Value::String(s) => s
            .split([',', '，', '、', ';', '；'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    }
}

/// Read a parcel's attributes; what cannot be read is reported, one line each.
pub fn parcel_from(props: &Map<String, Value>) -> Result<FileParcel, Vec<String>> {
    let mut errors = Vec::new();
    let code = text(props, CODE);
    if code.is_none() {
        errors.push("no parcel code (a `code`, `ZDDM` or `宗地代码` attribute)".to_owned());
    }
    let land_use = text(props, LAND_USE).map(|l| land_use_code(&l));
    if land_use.is_none() {
        errors.push("no land-use class (a `land_use`, `DLBM` or `用地性质` attribute)".to_owned());
    }
    let status = text(props, STATUS).and_then(|s| status(&s, &mut errors));
    let zone_id = match find(props, ZONE_ID) {
        Some(Value::Number(n)) => n.as_i64(),
        Some(other) => {
            errors.push(format!("zone_id: {other} is not a whole number"));
            None
        }
        None => None,
    };
    let planning = PlanningConditions {
        far_min: number(props, FAR_MIN, "far_min", &mut errors),
        far_max: number(props, FAR_MAX, "far_max", &mut errors),
        building_density_min_pct: number(
            props,
            DENSITY_MIN,
            "building_density_min_pct",
            &mut errors,
        ),
        building_density_max_pct: number(
            props,
            DENSITY_MAX,
            "building_density_max_pct",
            &mut errors,
        ),
        green_ratio_min_pct: number(props, GREEN_MIN, "green_ratio_min_pct", &mut errors),
        green_ratio_max_pct: number(props, GREEN_MAX, "green_ratio_max_pct", &mut errors),
        height_max_m: number(props, HEIGHT_MAX, "height_max_m", &mut errors),
    };
    let approved_on = date(props, APPROVED_ON, "approved_on", &mut errors);
    let declared_area_m2 = number(props, AREA_M2, "area", &mut Vec::new());
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(FileParcel {
        raw: RawParcel {
            code: code.unwrap_or_default(),
            zone_id,
            name: text(props, NAME),
            location: text(props, LOCATION),
            land_use: land_use.unwrap_or_default(),
            status,
            planning,
            infrastructure: find(props, INFRASTRUCTURE).map(list).unwrap_or_default(),
            site_levelled: find(props, LEVELLED).and_then(flag),
            clearances: find(props, CLEARANCES).map(list).unwrap_or_default(),
            approval_no: text(props, APPROVAL_NO),
            approved_on,
        },
        zone: text(props, ZONE),
        declared_area_m2,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn props(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn reads_parkland_names() {
        let p = parcel_from(&props(json!({"code": "A-1", "land_use": "100101", "status": "available", "far_max": 2.5, "infrastructure": ["power"], "site_levelled": true}))).unwrap();
        assert_eq!(p.raw.code, "A-1");
        assert_eq!(p.raw.status, Some(ParcelStatus::Available));
        assert_eq!(p.raw.planning.far_max, Some(2.5));
        assert_eq!(p.raw.infrastructure, ["power"]);
        assert_eq!(p.raw.site_levelled, Some(true));
    }

    #[test]
    fn reads_cadastral_abbreviations_and_chinese_headers() {
        let p = parcel_from(&props(json!({
            "ZDDM": "361021001002GB00015", "ZDMC": "光电产业园3号地", "ZL": "南城县工业园区东区",
            "用地性质": "二类工业用地", "状态": "可供应", "RJLXX": "1.2", "容积率上限": 3.0,
            "基础设施": "water_supply、power，road", "场地平整": "是", "ZDMJ": 20000.5, "BZ": "备注"
        })))
        .unwrap();
        assert_eq!(p.raw.code, "361021001002GB00015");
        assert_eq!(
            p.raw.land_use, "100102",
            "a class name is mapped to its code"
        );
        assert_eq!(p.raw.status, Some(ParcelStatus::Available));
        assert_eq!(p.raw.planning.far_min, Some(1.2));
        assert_eq!(p.raw.planning.far_max, Some(3.0));
        assert_eq!(p.raw.infrastructure, ["water_supply", "power", "road"]);
        assert_eq!(p.raw.site_levelled, Some(true));
        assert_eq!(p.declared_area_m2, Some(20000.5));
    }

    #[test]
    fn reports_what_it_cannot_read() {
        let errors = parcel_from(&props(
            json!({"name": "x", "far_max": "high", "status": "sold"}),
        ))
        .unwrap_err();
        assert_eq!(errors.len(), 4, "{errors:?}");
        assert!(errors[0].contains("no parcel code"));
        assert!(errors.iter().any(|e| e.contains("far_max")));
    }
}
