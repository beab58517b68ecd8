//! Reading polygonal geometry from clients and files (GeoJSON, shapefiles), strictly.
//!
//! GeoJSON structure is parsed by the `geojson` crate; this module then checks what makes a
//! register geometry: Polygon or MultiPolygon only, closed rings of at least four positions,
//! finite numbers, coordinates in range and in China — with a hint when the numbers look like
//! swapped latitude/longitude or projected metres — converting Gauss-Krüger input to lon/lat.

use super::crs::{Crs, ToLonLat};
use crate::refusal::FieldError;
use geo::{Coord, LineString, MultiPolygon, Polygon};
use geojson::{GeometryValue, Position};

/// How the coordinates of an input are to be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InputCrs {
    pub crs: Crs,
    /// Northing/latitude first (a CRS named the OGC way with an authority axis order).
    pub north_first: bool,
}

impl Default for InputCrs {
    /// Plain GeoJSON: CGCS2000 longitude, latitude.
    fn default() -> Self {
        Self {
            crs: Crs::Cgcs2000,
            north_first: false,
        }
    }
}

/// The largest number of vertices one geometry may have (a park boundary traced in detail
/// has a few thousand; this guards memory and CPU, not realism).
pub const MAX_VERTICES: usize = 100_000;

/// CGCS2000's area of use (China, onshore and offshore), with a small margin.
const CHINA_LON: (f64, f64) = (73.0, 136.0);
const CHINA_LAT: (f64, f64) = (3.0, 54.0);

/// Parse a JSON value as a polygonal geometry in lon/lat.
pub fn parse_value(
    field: &str,
    value: serde_json::Value,
    input: InputCrs,
) -> Result<MultiPolygon<f64>, FieldError> {
    if value.is_null() {
        return Err(
            FieldError::new(field, "is required: a Polygon or MultiPolygon")
                .zh("必须提供：Polygon 或 MultiPolygon"),
        );
    }
    let geometry: geojson::Geometry = serde_json::from_value(value).map_err(|e| {
        FieldError::new(field, format!("is not a GeoJSON geometry: {e}"))
            .zh(format!("不是 GeoJSON 几何：{e}"))
    })?;
    let to_lonlat = ToLonLat::new(input.crs).map_err(|e| FieldError::new(field, e.0))?;
    polygonal(field, &geometry.value, input, &to_lonlat)
}

/// Check and convert an already parsed GeoJSON geometry.
pub fn polygonal(
    field: &str,
    value: &GeometryValue,
    input: InputCrs,
    to_lonlat: &ToLonLat,
) -> Result<MultiPolygon<f64>, FieldError> {
    let (polygons, multi): (Vec<&Vec<Vec<Position>>>, bool) = match value {
        GeometryValue::Polygon { coordinates } => (vec![coordinates], false),
        GeometryValue::MultiPolygon { coordinates } => (coordinates.iter().collect(), true),
        other => {
            return Err(FieldError::new(
                field,
                format!(
                    "must be a Polygon or MultiPolygon (land is an area), got {}",
                    other.type_name()
                ),
            )
            .zh(format!(
                "须为 Polygon 或 MultiPolygon（土地是面），收到 {}",
                other.type_name()
            )));
        }
    };
    if polygons.is_empty() {
        return Err(FieldError::new(field, "is an empty MultiPolygon").zh("是空的 MultiPolygon"));
    }
    let vertices: usize = polygons.iter().flat_map(|p| p.iter()).map(Vec::len).sum();
    if vertices > MAX_VERTICES {
        return Err(FieldError::new(
            field,
            format!("has {vertices} vertices; at most {MAX_VERTICES} are accepted"),
        )
        .zh(format!("有 {vertices} 个顶点；至多接受 {MAX_VERTICES} 个")));
    }
    let mut out = Vec::with_capacity(polygons.len());
    for (pi, rings) in polygons.iter().enumerate() {
        let at = |ri: usize| {
            if multi {
                format!("{field}.coordinates[{pi}][{ri}]")
            } else {
                format!("{field}.coordinates[{ri}]")
            }
        };
        if rings.is_empty() {
            return Err(
                FieldError::new(at(0), "a polygon needs an exterior ring").zh("多边形须有外环")
            );
        }
        let mut converted = Vec::with_capacity(rings.len());
        for (ri, ring) in rings.iter().enumerate() {
            converted.push(ring_to_lonlat(&at(ri), ring, input, to_lonlat)?);
        }
        let exterior = converted.remove(0);
        out.push(Polygon::new(exterior, converted));
    }
    Ok(MultiPolygon(out))
}

fn ring_to_lonlat(
    field: &str,
    ring: &[Position],
    input: InputCrs,
    to_lonlat: &ToLonLat,
) -> Result<LineString<f64>, FieldError> {
    let (what, what_zh) = if field.ends_with("[0]") {
        ("exterior ring", "外环")
    } else {
        ("ring", "环")
    };
    if ring.len() < 4 {
        return Err(FieldError::new(
            field,
            format!(
                "the {what} has {} positions; a closed ring needs at least 4 (the last repeating the first)",
                ring.len()
            ),
        ).zh(format!("该{}只有 {} 个坐标点；闭合环至少需要 4 个（最后一个与第一个相同）", what_zh, ring.len())));
    }
    let mut coords = Vec::with_capacity(ring.len());
    for (i, p) in ring.iter().enumerate() {
        let p = p.as_slice();
        if !(2..=3).contains(&p.len()) {
            return Err(FieldError::new(
                format!("{field}[{i}]"),
                format!(
                    "a position has 2 numbers (or 3 with height), got {}",
                    p.len()
                ),
            )
            .zh(format!(
                "坐标点由 2 个数（带高程则 3 个）组成，收到 {} 个",
                p.len()
            )));
        }
        if p.iter().any(|v| !v.is_finite()) {
            return Err(FieldError::new(
                format!("{field}[{i}]"),
                "coordinates must be finite numbers",
            )
            .zh("坐标须为有限数值"));
        }
        let (x, y) = if input.north_first {
            (p[1], p[0])
        } else {
            (p[0], p[1])
        };
        let (lon, lat) = to_lonlat
            .apply(x, y)
            .map_err(|e| FieldError::new(format!("{field}[{i}]"), e))?;
        check_lonlat(lon, lat, (x, y), input.crs)
            .map_err(|(en, zh)| FieldError::both(format!("{field}[{i}]"), en, zh))?;
        coords.push(Coord { x: lon, y: lat });
    }
    let (first, last) = (ring[0].as_slice(), ring[ring.len() - 1].as_slice());
    if first[..2] != last[..2] {
        return Err(FieldError::new(
            field,
            format!(
                "the {what} is not closed: it starts at [{}, {}] but ends at [{}, {}]",
                first[0], first[1], last[0], last[1]
            ),
        )
        .zh(format!(
            "该{}未闭合：起点 [{}, {}]，终点却是 [{}, {}]",
            what_zh, first[0], first[1], last[0], last[1]
        )));
    }
    Ok(LineString(coords))
}

/// Convert polygons read from a file in `input`'s CRS (easting first) to checked lon/lat.
/// Rings come closed from the format; coordinates get the same range checks and hints.
pub fn convert(
    field: &str,
    mp: MultiPolygon<f64>,
    input: InputCrs,
    to_lonlat: &ToLonLat,
) -> Result<MultiPolygon<f64>, FieldError> {
    if mp.0.is_empty() {
        return Err(FieldError::new(field, "is empty").zh("为空"));
    }
    let vertices: usize =
        mp.0.iter()
            .map(|p| p.exterior().0.len() + p.interiors().iter().map(|r| r.0.len()).sum::<usize>())
            .sum();
    if vertices > MAX_VERTICES {
        return Err(FieldError::new(
            field,
            format!("has {vertices} vertices; at most {MAX_VERTICES} are accepted"),
        )
        .zh(format!("有 {vertices} 个顶点；至多接受 {MAX_VERTICES} 个")));
    }
    let ring = |r: &LineString<f64>| -> Result<LineString<f64>, FieldError> {
        r.0.iter()
            .map(|c| {
                if !(c.x.is_finite() && c.y.is_finite()) {
                    return Err(FieldError::new(field, "coordinates must be finite numbers")
                        .zh("坐标须为有限数值"));
                }
                let (x, y) = if input.north_first {
                    (c.y, c.x)
                } else {
                    (c.x, c.y)
                };
                let (lon, lat) = to_lonlat
                    .apply(x, y)
                    .map_err(|e| FieldError::new(field, e))?;
                check_lonlat(lon, lat, (x, y), input.crs)
                    .map_err(|(en, zh)| FieldError::both(field, en, zh))?;
                Ok(Coord { x: lon, y: lat })
            })
            .collect::<Result<Vec<_>, _>>()
            .map(LineString)
    };
    mp.0.iter()
        .map(|p| {
            Ok(Polygon::new(
                ring(p.exterior())?,
                p.interiors().iter().map(ring).collect::<Result<_, _>>()?,
            ))
        })
        .collect::<Result<Vec<_>, _>>()
        .map(MultiPolygon)
}

fn in_china(lon: f64, lat: f64) -> bool {
    (CHINA_LON.0..=CHINA_LON.1).contains(&lon) && (CHINA_LAT.0..=CHINA_LAT.1).contains(&lat)
}

/// Range and area-of-use check on the converted point, explaining the likely mistake.
fn check_lonlat(lon: f64, lat: f64, raw: (f64, f64), crs: Crs) -> Result<(), (String, String)> {
    let (x, y) = raw;
    if crs.is_projected() {
        return if in_china(lon, lat) {
            Ok(())
        } else {
            Err((
                format!(
                    "[{x}, {y}] in {} falls at lon {lon:.5}, lat {lat:.5}, outside China; \
                     check the declared CRS (GeoJSON puts the easting first)",
                    crs.name()
                ),
                format!(
                    "{} 中的 [{x}, {y}] 落在经度 {lon:.5}、纬度 {lat:.5}，位于中国境外；\
                     请检查声明的坐标参考系（GeoJSON 坐标顺序为东坐标（X）在前）",
                    crs.name()
                ),
            ))
        };
    }
    let valid = (-180.0..=180.0).contains(&lon) && (-90.0..=90.0).contains(&lat);
    if valid && in_china(lon, lat) {
        return Ok(());
    }
    if x.abs() > 1_000.0 || y.abs() > 1_000.0 {
        let (guess, guess_zh) = gauss_kruger_guess(x);
        return Err((
            format!(
                "[{x}, {y}] are not degrees; they look like projected metres{guess}. Declare the CRS \
                 (a `crs` member or the Content-Crs header) or convert to EPSG:4490 longitude/latitude"
            ),
            format!(
                "[{x}, {y}] 不是经纬度，看起来是投影坐标（米）{guess_zh}。请声明坐标参考系\
                 （`crs` 成员或 Content-Crs 请求头），或转换为 EPSG:4490 经纬度"
            ),
        ));
    }
    if in_china(lat, lon) {
        return Err((
            format!(
                "[{x}, {y}] looks like [latitude, longitude]; GeoJSON positions are [longitude, latitude], \
                 so this point would be [{y}, {x}]"
            ),
            format!(
                "[{x}, {y}] 像是 [纬度, 经度]；GeoJSON 的坐标是 [经度, 纬度]，此点应为 [{y}, {x}]"
            ),
        ));
    }
    if !valid {
        return Err((
            format!(
                "[{x}, {y}] is out of range: longitude must be within ±180 and latitude within ±90"
            ),
            format!("[{x}, {y}] 超出范围：经度须在 ±180 以内，纬度须在 ±90 以内"),
        ));
    }
    Err((
        format!("[{x}, {y}] lies outside China, the area of use of CGCS2000 (EPSG:4490)"),
        format!("[{x}, {y}] 位于中国境外，不在 CGCS2000（EPSG:4490）的适用范围内"),
    ))
}

/// Name the Gauss-Krüger system an easting with a zone prefix points to (English, Chinese).
fn gauss_kruger_guess(easting: f64) -> (String, String) {
    let zone = (easting / 1_000_000.0).floor() as i64;
    match zone {
        13..=23 => (
            format!(" (6° zone {zone}: EPSG:{})", 4491 + zone - 13),
            format!("（6°分带第 {zone} 带：EPSG:{}）", 4491 + zone - 13),
        ),
        25..=45 => (
            format!(" (3° zone {zone}: EPSG:{})", 4488 + zone),
            format!("（3°分带第 {zone} 带：EPSG:{}）", 4488 + zone),
        ),
        0 => (
            " (a Gauss-Krüger easting without zone prefix: EPSG:4502–4512 or 4534–4554)".into(),
            "（不带带号的高斯-克吕格东坐标：EPSG:4502–4512 或 4534–4554）".into(),
        ),
        _ => (String::new(), String::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(v: serde_json::Value) -> Result<MultiPolygon<f64>, FieldError> {
        parse_value("geometry", v, InputCrs::default())
    }

    fn square(x: f64, y: f64, d: f64) -> serde_json::Value {
        json!([[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]])
    }

    #[test]
    fn accepts_polygons_and_multipolygons() {
        let p = parse(json!({"type": "Polygon", "coordinates": [square(116.64, 27.56, 0.001)]}))
            .unwrap();
        assert_eq!(p.0.len(), 1);
        let m = parse(json!({"type": "MultiPolygon", "coordinates": [[square(116.64, 27.56, 0.001)], [square(116.65, 27.56, 0.001)]]})).unwrap();
        assert_eq!(m.0.len(), 2);
        let with_z = json!({"type": "Polygon", "coordinates": [[[116.64, 27.56, 50.0], [116.641, 27.56, 50.0], [116.641, 27.561, 50.0], [116.64, 27.56, 50.0]]]});
        assert!(parse(with_z).is_ok(), "heights are accepted and dropped");
    }

    #[test]
    fn rejects_non_areas_and_malformed_json() {
        let e =
            parse(json!({"type": "LineString", "coordinates": [[116.64, 27.56], [116.65, 27.56]]}))
                .unwrap_err();
        assert!(e.message.contains("got LineString"), "{}", e.message);
        let e = parse(json!({"type": "Polygn", "coordinates": []})).unwrap_err();
        assert!(
            e.message.contains("not a GeoJSON geometry"),
            "{}",
            e.message
        );
        let e = parse(json!({"type": "Polygon", "coordinates": [[["a", 1]]]})).unwrap_err();
        assert!(e.message.contains("not a GeoJSON geometry"));
        assert!(
            parse(serde_json::Value::Null)
                .unwrap_err()
                .message
                .contains("required")
        );
    }

    #[test]
    fn rings_must_be_closed_and_long_enough() {
        let open = json!({"type": "Polygon", "coordinates": [[[116.64, 27.56], [116.65, 27.56], [116.65, 27.57], [116.64, 27.57]]]});
        let e = parse(open).unwrap_err();
        assert_eq!(e.field, "geometry.coordinates[0]");
        assert!(e.message.contains("not closed"), "{}", e.message);
        let short = json!({"type": "Polygon", "coordinates": [[[116.64, 27.56], [116.65, 27.56], [116.64, 27.56]]]});
        assert!(parse(short).unwrap_err().message.contains("at least 4"));
        let bad_pos = json!({"type": "Polygon", "coordinates": [[[116.64], [116.65, 27.56], [116.65, 27.57], [116.64]]]});
        assert_eq!(
            parse(bad_pos).unwrap_err().field,
            "geometry.coordinates[0][0]"
        );
    }

    #[test]
    fn swapped_latitude_and_longitude_get_a_hint() {
        let swapped = json!({"type": "Polygon", "coordinates": [[[27.56, 116.64], [27.56, 116.65], [27.57, 116.65], [27.56, 116.64]]]});
        let e = parse(swapped).unwrap_err();
        assert!(e.message.contains("[latitude, longitude]"), "{}", e.message);
    }

    #[test]
    fn projected_metres_get_a_hint_naming_the_zone() {
        let metres =
            json!({"type": "Polygon", "coordinates": [square(39_463_456.0, 3_049_876.0, 100.0)]});
        let e = parse(metres).unwrap_err();
        assert!(e.message.contains("EPSG:4527"), "{}", e.message);
    }

    #[test]
    fn out_of_range_and_outside_china() {
        let e = parse(json!({"type": "Polygon", "coordinates": [square(200.0, 27.0, 1.0)]}))
            .unwrap_err();
        assert!(e.message.contains("out of range"), "{}", e.message);
        let e = parse(json!({"type": "Polygon", "coordinates": [square(2.35, 48.85, 0.01)]}))
            .unwrap_err();
        assert!(e.message.contains("outside China"), "{}", e.message);
    }

    #[test]
    fn gauss_kruger_input_is_converted() {
        let input = InputCrs {
            crs: Crs::GaussKruger(4527),
            north_first: false,
        };
        let mp = parse_value(
            "geometry",
            json!({"type": "Polygon", "coordinates": [square(39_463_456.789, 3_049_876.543, 100.0)]}),
            input,
        )
        .unwrap();
        let c = mp.0[0].exterior().0[0];
        assert!((c.x - 116.629_971_293).abs() < 1e-8 && (c.y - 27.561_256_167).abs() < 1e-8);
        // The same with the authority axis order (northing first).
        let ne = InputCrs {
            crs: Crs::GaussKruger(4527),
            north_first: true,
        };
        let mp2 = parse_value(
            "geometry",
            json!({"type": "Polygon", "coordinates": [[[3_049_876.543, 39_463_456.789], [3_049_876.543, 39_463_556.789], [3_049_976.543, 39_463_556.789], [3_049_876.543, 39_463_456.789]]]}),
            ne,
        )
        .unwrap();
        assert_eq!(mp2.0[0].exterior().0[0], c);
    }

    #[test]
    fn epsg_4490_authority_order_is_latitude_first() {
        let input = InputCrs {
            crs: Crs::Cgcs2000,
            north_first: true,
        };
        let mp = parse_value(
            "geometry",
            json!({"type": "Polygon", "coordinates": [[[27.56, 116.64], [27.56, 116.65], [27.57, 116.65], [27.56, 116.64]]]}),
            input,
        )
        .unwrap();
        assert_eq!(
            mp.0[0].exterior().0[0],
            Coord {
                x: 116.64,
                y: 27.56
            }
        );
    }
}
