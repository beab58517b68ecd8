//! GeoJSON FeatureCollections, read within bounds.
//!
//! Two passes over the bytes. The first walks the document with a visitor that allocates
//! nothing and counts features and the positions of each, so a file beyond its bounds is
//! refused before anything is built from it. The second reads the features one at a time
//! (a serde visitor over the `features` array), so memory holds the features and one feature's
//! intermediate form, never the whole collection twice over.

use super::limits::{LimitExceeded, UploadLimits};
use super::{ExchangeError, ReadOptions, SourceFeature, SourceFile};
use crate::spatial::crs::{Crs, ToLonLat};
use crate::spatial::input::{self, InputCrs};
use serde::Deserialize;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use std::cell::RefCell;
use std::fmt;

/// Read a GeoJSON FeatureCollection. A legacy `crs` member names the CRS (easting first).
pub fn read(
    bytes: &[u8],
    options: &ReadOptions,
    limits: &UploadLimits,
) -> Result<SourceFile, ExchangeError> {
    scan(bytes, limits)?;
    let mut features = Vec::new();
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let declared = CollectionSeed {
        features: &mut features,
    }
    .deserialize(&mut de)
    .and_then(|crs| de.end().map(|()| crs))
    .map_err(|e| ExchangeError::new(format!("the file is not a GeoJSON FeatureCollection: {e}")))?;
    let declared = declared
        .as_ref()
        .and_then(|c| c.pointer("/properties/name"))
        .and_then(Value::as_str)
        .map(|name| {
            Crs::parse(name).map_err(|e| ExchangeError::new(format!("the file's crs member: {e}")))
        })
        .transpose()?;
    let crs = options.crs.or(declared).unwrap_or(Crs::Cgcs2000);
    let input = InputCrs {
        crs,
        north_first: false,
    };
    let to_lonlat = ToLonLat::new(crs).map_err(|e| ExchangeError::new(e.0))?;
    let features = features
        .into_iter()
        .map(|f| SourceFeature {
            properties: f.properties.unwrap_or_default(),
            geometry: match f.geometry {
                None => Err("the feature has no geometry".to_owned()),
                Some(g) => input::polygonal("geometry", &g.value, input, &to_lonlat)
                    .map_err(|e| e.to_string()),
            },
        })
        .collect();
    Ok(SourceFile {
        features,
        crs,
        encoding: None,
    })
}

/// Count features, each feature's positions and every other value without building
/// anything; the first bound passed ends the scan.
fn scan(bytes: &[u8], limits: &UploadLimits) -> Result<(), ExchangeError> {
    let exceeded = RefCell::new(None);
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let result = Top {
        limits,
        exceeded: &exceeded,
    }
    .deserialize(&mut de);
    if let Some(limit) = exceeded.into_inner() {
        return Err(limit.into());
    }
    result.map_err(|e| {
        ExchangeError::new(format!("the file is not a GeoJSON FeatureCollection: {e}"))
    })
}

/// The top-level object: its `features` counted one by one, its `crs` (the only other member
/// that is built) counted whole; a second `features` is refused, as the reading would add it.
struct Top<'a> {
    limits: &'a UploadLimits,
    exceeded: &'a RefCell<Option<LimitExceeded>>,
}

impl<'de> DeserializeSeed<'de> for Top<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Top<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a FeatureCollection object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut totals = Tally::default();
        let mut seen_features = false;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "features" if seen_features => {
                    return Err(de::Error::custom("`features` is given twice"));
                }
                "features" => {
                    seen_features = true;
                    map.next_value_seed(Features {
                        limits: self.limits,
                        exceeded: self.exceeded,
                        totals: &mut totals,
                    })?;
                }
                "crs" => {
                    let crs = map.next_value_seed(Count)?;
                    totals.values = totals.values.saturating_add(crs.values);
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if let Err(limit) = self.limits.values(totals.values) {
            *self.exceeded.borrow_mut() = Some(limit);
            return Err(de::Error::custom("a bound was exceeded"));
        }
        Ok(())
    }
}

/// The `features` array: each element counted and checked as it ends.
struct Features<'a, 'b> {
    limits: &'a UploadLimits,
    exceeded: &'a RefCell<Option<LimitExceeded>>,
    totals: &'b mut Tally,
}

impl<'de> DeserializeSeed<'de> for Features<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Features<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of features")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut n = 0;
        while let Some(feature) = seq.next_element_seed(Count)? {
            n += 1;
            self.totals.positions = self.totals.positions.saturating_add(feature.positions);
            self.totals.values = self.totals.values.saturating_add(feature.values);
            let checked = self
                .limits
                .features(n)
                .and_then(|()| self.limits.vertices(n, feature.positions))
                .and_then(|()| self.limits.total_vertices(self.totals.positions))
                .and_then(|()| self.limits.values(self.totals.values));
            if let Err(limit) = checked {
                *self.exceeded.borrow_mut() = Some(limit);
                return Err(de::Error::custom("a bound was exceeded"));
            }
        }
        Ok(())
    }
}

/// What a JSON value holds, for the bounds: positions (an array of numbers, or an empty array
/// — each is built as one position), and every other value (numbers in positions apart).
#[derive(Clone, Copy, Default)]
struct Tally {
    number: bool,
    positions: usize,
    values: usize,
}

impl Tally {
    fn one(number: bool) -> Tally {
        Tally {
            number,
            positions: 0,
            values: 1,
        }
    }
}

struct Count;

impl<'de> DeserializeSeed<'de> for Count {
    type Value = Tally;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Tally, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Count {
    type Value = Tally;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<Tally, E> {
        Ok(Tally::one(false))
    }
    fn visit_i64<E>(self, _: i64) -> Result<Tally, E> {
        Ok(Tally::one(true))
    }
    fn visit_u64<E>(self, _: u64) -> Result<Tally, E> {
        Ok(Tally::one(true))
    }
    fn visit_f64<E>(self, _: f64) -> Result<Tally, E> {
        Ok(Tally::one(true))
    }
    fn visit_str<E>(self, _: &str) -> Result<Tally, E> {
        Ok(Tally::one(false))
    }
    fn visit_unit<E>(self) -> Result<Tally, E> {
        Ok(Tally::one(false))
    }
    fn visit_none<E>(self) -> Result<Tally, E> {
        Ok(Tally::one(false))
    }
    fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<Tally, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Tally, A::Error> {
        let (mut inner, mut numbers, mut others) = (Tally::default(), 0usize, 0usize);
        while let Some(t) = seq.next_element_seed(Count)? {
            if t.number {
                numbers += 1;
            } else {
                others += 1;
                inner.positions = inner.positions.saturating_add(t.positions);
            }
            inner.values = inner.values.saturating_add(t.values);
        }
        Ok(if others == 0 && numbers <= 4 {
            // `[x, y]` (with height and measure at most) or `[]`: one position, its numbers
            // part of it. A longer list of numbers is values like any other.
            Tally {
                number: false,
                positions: 1,
                values: 0,
            }
        } else {
            Tally {
                number: false,
                positions: inner.positions,
                values: inner.values.saturating_add(1),
            }
        })
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Tally, A::Error> {
        let mut t = Tally::one(false);
        while map.next_key::<IgnoredAny>()?.is_some() {
            let v = map.next_value_seed(Count)?;
            t.positions = t.positions.saturating_add(v.positions);
            t.values = t.values.saturating_add(v.values).saturating_add(1);
        }
        Ok(t)
    }
}

/// One feature as the file has it; other members (`id`, `bbox` …) are skipped.
#[derive(Deserialize)]
struct FeatureIn {
    #[serde(rename = "type")]
    kind: String,
    geometry: Option<geojson::Geometry>,
    properties: Option<Map<String, Value>>,
}

/// The collection, read feature by feature; yields the legacy `crs` member if there is one.
struct CollectionSeed<'a> {
    features: &'a mut Vec<FeatureIn>,
}

impl<'de> DeserializeSeed<'de> for CollectionSeed<'_> {
    type Value = Option<Value>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Option<Value>, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for CollectionSeed<'_> {
    type Value = Option<Value>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a FeatureCollection object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Option<Value>, A::Error> {
        let (mut kind, mut crs, mut seen_features) = (None, None, false);
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "type" => kind = Some(map.next_value::<String>()?),
                "crs" => crs = Some(map.next_value::<Value>()?),
                "features" if seen_features => {
                    return Err(de::Error::custom("`features` is given twice"));
                }
                "features" => {
                    map.next_value_seed(FeatureList {
                        out: &mut *self.features,
                    })?;
                    seen_features = true;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        match kind.as_deref() {
            Some("FeatureCollection") => {}
            Some(other) => {
                return Err(de::Error::custom(format!(
                    "its type is {other}, not FeatureCollection"
                )));
            }
            None => return Err(de::Error::missing_field("type")),
        }
        if !seen_features {
            return Err(de::Error::missing_field("features"));
        }
        Ok(crs)
    }
}

struct FeatureList<'a> {
    out: &'a mut Vec<FeatureIn>,
}

impl<'de> DeserializeSeed<'de> for FeatureList<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for FeatureList<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of features")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(feature) = seq.next_element::<FeatureIn>()? {
            if feature.kind != "Feature" {
                return Err(de::Error::custom(format!(
                    "feature {} has type {}, not Feature",
                    self.out.len() + 1,
                    feature.kind
                )));
            }
            self.out.push(feature);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exchange::limits::Bound;

    #[test]
    fn reads_features_with_their_crs() {
        let text = br#"{"type": "FeatureCollection",
            "features": [
              {"type": "Feature", "properties": {"code": "A"}, "geometry": {"type": "Polygon", "coordinates": [[[39463456, 3049876], [39463556, 3049876], [39463556, 3049976], [39463456, 3049876]]]}},
              {"type": "Feature", "properties": {"code": "B"}, "geometry": {"type": "LineString", "coordinates": [[39463456, 3049876], [39463556, 3049876]]}},
              {"type": "Feature", "id": 3, "properties": {"code": "C"}, "geometry": null}
            ],
            "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4527"}}}"#;
        let file = read(text, &ReadOptions::default(), &UploadLimits::default()).unwrap();
        assert_eq!(
            file.crs,
            Crs::GaussKruger(4527),
            "a crs member after the features counts"
        );
        assert_eq!(file.features.len(), 3);
        let lon = file.features[0].geometry.as_ref().unwrap().0[0]
            .exterior()
            .0[0]
            .x;
        assert!((lon - 116.6299).abs() < 1e-3, "{lon}");
        assert!(
            file.features[1]
                .geometry
                .as_ref()
                .unwrap_err()
                .contains("LineString")
        );
        assert!(file.features[2].geometry.is_err());
        for bad in [
            &b"[1, 2]"[..],
            b"{\"type\": \"Feature\", \"features\": []}",
            b"{}",
        ] {
            assert!(
                read(bad, &ReadOptions::default(), &UploadLimits::default()).is_err(),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    fn collection(features: usize, vertices: usize) -> Vec<u8> {
        let ring: Vec<String> = (0..vertices)
            .map(|k| format!("[{}, 27.5]", 116.0 + k as f64 * 1e-6))
            .collect();
        let feature = format!(
            r#"{{"type": "Feature", "properties": {{}}, "geometry": {{"type": "Polygon", "coordinates": [[{}]]}}}}"#,
            ring.join(",")
        );
        format!(
            r#"{{"type": "FeatureCollection", "bbox": [1, 2, 3, 4], "features": [{}]}}"#,
            vec![feature; features].join(",")
        )
        .into_bytes()
    }

    #[test]
    fn features_and_vertices_are_counted_before_anything_is_built() {
        let limits = UploadLimits {
            max_features: 3,
            max_vertices: 10,
            ..UploadLimits::default()
        };
        assert!(scan(&collection(3, 10), &limits).is_ok());
        let e = scan(&collection(4, 5), &limits).unwrap_err();
        assert_eq!(
            e.limit.map(|l| (l.bound, l.limit)),
            Some((Bound::Features, 3))
        );
        let e = scan(&collection(1, 11), &limits).unwrap_err();
        let limit = e.limit.unwrap();
        assert_eq!((limit.bound, limit.limit), (Bound::Vertices, 10));
        assert!(
            limit.detail.contains("feature 1 has 11 vertices"),
            "{}",
            limit.detail
        );
    }

    #[test]
    fn what_the_count_could_miss_is_counted_too() {
        let limits = UploadLimits {
            max_features: 3,
            max_vertices: 10,
            max_total_vertices: 15,
            max_values: 50,
            ..UploadLimits::default()
        };
        // A second `features` would be read as more features.
        let twice = br#"{"type": "FeatureCollection", "features": [], "features": []}"#;
        assert!(scan(twice, &limits).unwrap_err().message.contains("twice"));
        // Empty arrays are built as positions.
        let empties = format!(
            r#"{{"type": "FeatureCollection", "features": [{{"type": "Feature", "properties": {{}}, "geometry": {{"type": "Polygon", "coordinates": [[{}]]}}}}]}}"#,
            ["[]"; 11].join(",")
        );
        let e = scan(empties.as_bytes(), &limits).unwrap_err();
        assert_eq!(e.limit.map(|l| l.bound), Some(Bound::Vertices));
        // Vertices add up over features.
        let e = scan(&collection(2, 8), &limits).unwrap_err();
        assert_eq!(e.limit.map(|l| l.bound), Some(Bound::TotalVertices));
        // Attributes count.
        let fat = format!(
            r#"{{"type": "FeatureCollection", "features": [{{"type": "Feature", "properties": {{"a": [{}]}}, "geometry": null}}]}}"#,
            ["\"x\""; 60].join(",")
        );
        let e = scan(fat.as_bytes(), &limits).unwrap_err();
        assert_eq!(e.limit.map(|l| l.bound), Some(Bound::Values));
        let numbers = format!(
            r#"{{"type": "FeatureCollection", "features": [{{"type": "Feature", "properties": {{"a": [{}]}}, "geometry": null}}]}}"#,
            ["0"; 60].join(",")
        );
        let e = scan(numbers.as_bytes(), &limits).unwrap_err();
        assert_eq!(e.limit.map(|l| l.bound), Some(Bound::Values));
    }
}
