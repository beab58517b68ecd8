//! Writing geometry as RFC 7946 GeoJSON, straight from `geo` types.
//!
//! Exterior rings counter-clockwise, holes clockwise, at most 7 decimals (≈ 1 cm), no `crs`
//! member. Serialised directly from the stored polygons, without building an intermediate
//! JSON tree, because the map endpoints write thousands of them per request.

use super::output::Output;
use geo::{LineString, MultiPolygon, Polygon};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

/// Decimal places kept on output: 1e-7° is about 1 cm on the ground.
pub const DECIMALS: i32 = 7;

/// Round a coordinate for output.
pub fn round_coord(v: f64) -> f64 {
    (v * 1e7).round() / 1e7
}

/// A MultiPolygon serialised as a GeoJSON geometry object, in the stored system or, for a web
/// map on offset tiles, in GCJ-02 / BD-09.
pub struct GeoJsonMultiPolygon<'a>(pub &'a MultiPolygon<f64>, pub Output);

impl Serialize for GeoJsonMultiPolygon<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(2))?;
        map.serialize_entry("type", "MultiPolygon")?;
        map.serialize_entry("coordinates", &Polygons(&self.0.0, self.1))?;
        map.end()
    }
}

struct Polygons<'a>(&'a [Polygon<f64>], Output);

impl Serialize for Polygons<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for p in self.0 {
            seq.serialize_element(&Rings(p, self.1))?;
        }
        seq.end()
    }
}

struct Rings<'a>(&'a Polygon<f64>, Output);

impl Serialize for Rings<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(1 + self.0.interiors().len()))?;
        seq.serialize_element(&Ring {
            ring: self.0.exterior(),
            ccw: true,
            offset: self.1,
        })?;
        for hole in self.0.interiors() {
            seq.serialize_element(&Ring {
                ring: hole,
                ccw: false,
                offset: self.1,
            })?;
        }
        seq.end()
    }
}

struct Ring<'a> {
    ring: &'a LineString<f64>,
    ccw: bool,
    offset: Output,
}

/// Twice the signed planar area: positive for counter-clockwise rings.
fn signed_area2(ring: &LineString<f64>) -> f64 {
    ring.0
        .windows(2)
        .map(|w| w[0].x * w[1].y - w[1].x * w[0].y)
        .sum()
}

impl Serialize for Ring<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.ring.0.len()))?;
        each_point(self.ring, self.ccw, self.offset, |p| {
            seq.serialize_element(&p)
        })?;
        seq.end()
    }
}

/// The ring's points as GeoJSON gives them — turned counter-clockwise (`ccw`, an exterior)
/// or clockwise (a hole), in `output`'s system and axis order, rounded — handed to `emit`.
fn each_point<E>(
    ring: &LineString<f64>,
    ccw: bool,
    output: Output,
    mut emit: impl FnMut([f64; 2]) -> Result<(), E>,
) -> Result<(), E> {
    let reverse = (signed_area2(ring) > 0.0) != ccw;
    let mut one = |c: &geo::Coord<f64>| {
        let (x, y) = output.apply(c.x, c.y);
        emit([output.round(x), output.round(y)])
    };
    if reverse {
        ring.0.iter().rev().try_for_each(&mut one)
    } else {
        ring.0.iter().try_for_each(&mut one)
    }
}

/// A float as serde_json writes it (with its own `zmij`; non-finite as `null`).
pub fn write_number(out: &mut Vec<u8>, v: f64) {
    if v.is_finite() {
        out.extend_from_slice(zmij::Buffer::new().format_finite(v).as_bytes());
    } else {
        out.extend_from_slice(b"null");
    }
}

/// The geometry written straight into `out`: the same bytes serde_json writes for
/// [`GeoJsonMultiPolygon`] (tested), for the map page's hand-written features
/// (`views::json`).
pub fn write_multipolygon(out: &mut Vec<u8>, mp: &MultiPolygon<f64>, output: Output) {
    out.extend_from_slice(br#"{"type":"MultiPolygon","coordinates":["#);
    for (i, polygon) in mp.0.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.push(b'[');
        let rings = std::iter::once((polygon.exterior(), true))
            .chain(polygon.interiors().iter().map(|hole| (hole, false)));
        for (j, (ring, ccw)) in rings.enumerate() {
            if j > 0 {
                out.push(b',');
            }
            out.push(b'[');
            let mut first = true;
            let _ = each_point(ring, ccw, output, |[x, y]| {
                out.extend_from_slice(if first { b"[" } else { b",[" });
                first = false;
                write_number(out, x);
                out.push(b',');
                write_number(out, y);
                out.push(b']');
                Ok::<(), std::convert::Infallible>(())
            });
            out.push(b']');
        }
        out.push(b']');
    }
    out.extend_from_slice(b"]}");
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;

    #[test]
    fn exteriors_turn_counter_clockwise_and_holes_clockwise() {
        // Exterior given clockwise, hole given counter-clockwise: both must flip.
        let p = polygon!(
            exterior: [(x: 0., y: 0.), (x: 0., y: 10.), (x: 10., y: 10.), (x: 10., y: 0.), (x: 0., y: 0.)],
            interiors: [[(x: 2., y: 2.), (x: 4., y: 2.), (x: 4., y: 4.), (x: 2., y: 2.)]],
        );
        let json = serde_json::to_value(GeoJsonMultiPolygon(&MultiPolygon(vec![p]), Output::Crs84))
            .unwrap();
        let ext = &json["coordinates"][0][0];
        assert_eq!(ext[1], serde_json::json!([10.0, 0.0]), "{json}");
        let hole = &json["coordinates"][0][1];
        assert_eq!(hole[1], serde_json::json!([4.0, 4.0]), "{json}");
        assert_eq!(json["type"], "MultiPolygon");
        assert!(json.get("crs").is_none());
    }

    #[test]
    fn written_by_hand_as_serde_writes_it() {
        let p = polygon!(
            exterior: [(x: 116.0, y: 27.0), (x: 116.0, y: 27.1), (x: 116.123456789, y: 27.1), (x: 116.0, y: 27.0)],
            interiors: [[(x: 116.01, y: 27.01), (x: 116.02, y: 27.02), (x: 116.01, y: 27.02), (x: 116.01, y: 27.01)]],
        );
        let q = polygon![(x: 117.5, y: 30.0), (x: 117.6, y: 30.0), (x: 117.6, y: 30.1), (x: 117.5, y: 30.0)];
        for mp in [
            MultiPolygon(vec![p.clone()]),
            MultiPolygon(vec![p, q]),
            MultiPolygon(vec![]),
        ] {
            for output in [
                Output::Crs84,
                Output::LatLon(4490),
                Output::WebMercator,
                Output::parse("EPSG:4539").unwrap(),
            ] {
                let mut out = Vec::new();
                write_multipolygon(&mut out, &mp, output);
                let serde = serde_json::to_vec(&GeoJsonMultiPolygon(&mp, output)).unwrap();
                assert_eq!(
                    String::from_utf8(out).unwrap(),
                    String::from_utf8(serde).unwrap()
                );
            }
        }
    }

    #[test]
    fn seven_decimals_at_most() {
        let p = polygon![(x: 116.123456789, y: 27.1), (x: 116.2, y: 27.1), (x: 116.2, y: 27.2), (x: 116.123456789, y: 27.1)];
        let text =
            serde_json::to_string(&GeoJsonMultiPolygon(&MultiPolygon(vec![p]), Output::Crs84))
                .unwrap();
        assert!(text.contains("116.1234568"), "{text}");
        assert!(!text.contains("116.12345678"), "{text}");
    }
}
