//! Mapbox Vector Tiles (MVT 2.1) in the WebMercatorQuad tile matrix set: the tile math, an
//! encoder for polygon layers and a decoder (for tests and tools).
//!
//! PostGIS writes its own tiles with `ST_AsMVT` where a layer is a plain query of the parcels
//! (see `store::tiles`); every other layer, and every layer on SQLite, is written here from
//! the same features the items pages serve. The format is a few protobuf messages, so it is
//! written directly rather than through a protobuf code generator: one pass over the
//! features, integers only, no intermediate objects.
//!
//! What this encoder does to each polygon, as `ST_AsMVTGeom` does: project to the tile's
//! integer grid (4096 by default), clip to the tile and its buffer (only polygons that reach
//! beyond it are clipped), drop repeated points and rings that collapse at this zoom, and
//! orient rings as the specification wants (exterior positive area in tile coordinates).

use geo::{BooleanOps, BoundingRect, Coord, LineString, MultiPolygon, Polygon, Rect};
use serde_json::Value;
use std::collections::HashMap;
use std::f64::consts::PI;

/// The tile grid's resolution (MVT's default).
pub const EXTENT: u32 = 4096;
/// Pixels of the grid drawn beyond each edge, so strokes join across tiles.
pub const BUFFER: u32 = 64;
/// How far beyond each edge a feature is still read for the tile, in grid units: 8 of 4,096
/// is one pixel of a 512-pixel tile, enough for an outline up to two pixels wide to join the
/// next tile's. A feature wholly beyond that draws nothing a map clipped to the tile shows
/// (MapLibre clips each tile's fills and lines to it and drops labels anchored outside), yet
/// reading the whole 64-unit buffer added 5 % more features to every tile (300 of 5,776 in a
/// z14 tile of the benchmark). Martin reads none for tables not in 3857 or 4326; the PostGIS
/// manual's example reads the whole buffer. Features read are still clipped at [`BUFFER`].
pub const READ_MARGIN: u32 = 8;
/// The deepest zoom level served (WebMercatorQuad defines 0–24; parcels need no more).
pub const MAX_ZOOM: u8 = 24;
/// The media type of a vector tile.
pub const MEDIA_TYPE: &str = "application/vnd.mapbox-vector-tile";

/// A tile of WebMercatorQuad: zoom (tile matrix), column and row (from the top).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tile {
    pub z: u8,
    pub x: u32,
    pub y: u32,
}

impl Tile {
    /// The tile, if the zoom is served and the column and row lie in its matrix.
    pub fn new(z: u8, x: u32, y: u32) -> Option<Self> {
        let n = 1u64 << z.min(MAX_ZOOM);
        (z <= MAX_ZOOM && u64::from(x) < n && u64::from(y) < n).then_some(Self { z, x, y })
    }

    fn n(self) -> f64 {
        f64::from(1u32 << self.z)
    }

    /// Longitude/latitude of a point of the tile grid (pixels from the tile's top left).
    fn lon_lat(self, px: f64, py: f64) -> (f64, f64) {
        let e = f64::from(EXTENT);
        let (fx, fy) = (
            (f64::from(self.x) + px / e) / self.n(),
            (f64::from(self.y) + py / e) / self.n(),
        );
        let lat = (PI * (1.0 - 2.0 * fy)).sinh().atan().to_degrees();
        (fx * 360.0 - 180.0, lat)
    }

    /// The tile's box in longitude/latitude, widened by [`READ_MARGIN`] (what to read for it).
    pub fn bounds_lon_lat(self) -> crate::spatial::Bbox {
        let b = f64::from(READ_MARGIN);
        let e = f64::from(EXTENT);
        let (min_x, max_y) = self.lon_lat(-b, -b);
        let (max_x, min_y) = self.lon_lat(e + b, e + b);
        crate::spatial::Bbox {
            min_x: min_x.max(-180.0),
            min_y: min_y.max(-85.06),
            max_x: max_x.min(180.0),
            max_y: max_y.min(85.06),
        }
    }

    /// A longitude/latitude on the tile's grid (fractional pixels).
    pub fn project(self, lon: f64, lat: f64) -> (f64, f64) {
        let e = f64::from(EXTENT);
        let lat = lat.clamp(-85.051_128_78, 85.051_128_78).to_radians();
        let fx = (lon + 180.0) / 360.0;
        let fy = (1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / PI) / 2.0;
        (
            (fx * self.n() - f64::from(self.x)) * e,
            (fy * self.n() - f64::from(self.y)) * e,
        )
    }
}

/// A property value in a tile. Strings, numbers and booleans go as they are; lists and objects
/// as their JSON text (MVT values are scalars).
#[derive(Debug, Clone, PartialEq)]
enum TileValue {
    Text(String),
    Double(f64),
    Unsigned(u64),
    Signed(i64),
    Bool(bool),
}

impl TileValue {
    fn of(v: &Value) -> Option<Self> {
        Some(match v {
            Value::Null => return None,
            Value::Bool(b) => Self::Bool(*b),
            Value::String(s) => Self::Text(s.clone()),
            Value::Number(n) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
                (Some(u), _, _) => Self::Unsigned(u),
                (None, Some(i), _) => Self::Signed(i),
                (_, _, Some(f)) => Self::Double(f),
                _ => return None,
            },
            other => Self::Text(other.to_string()),
        })
    }

    /// A key for deduplication (doubles by their bits).
    fn key(&self) -> (u8, u64, &str) {
        match self {
            Self::Text(s) => (0, 0, s),
            Self::Double(f) => (1, f.to_bits(), ""),
            Self::Unsigned(u) => (2, *u, ""),
            Self::Signed(i) => (3, *i as u64, ""),
            Self::Bool(b) => (4, u64::from(*b), ""),
        }
    }
}

/// One layer of a tile being written.
pub struct LayerWriter {
    tile: Tile,
    name: String,
    features: Vec<u8>,
    count: usize,
    keys: Vec<String>,
    key_index: HashMap<String, u32>,
    values: Vec<TileValue>,
    value_index: HashMap<(u8, u64, String), u32>,
    /// Reused buffers: one feature's geometry commands and tags.
    geometry: Vec<u32>,
    tags: Vec<u32>,
}

impl LayerWriter {
    pub fn new(tile: Tile, name: &str) -> Self {
        Self {
            tile,
            name: name.to_owned(),
            features: Vec::new(),
            count: 0,
            keys: Vec::new(),
            key_index: HashMap::new(),
            values: Vec::new(),
            value_index: HashMap::new(),
            geometry: Vec::new(),
            tags: Vec::new(),
        }
    }

    /// The number of features written so far (those with nothing left in the tile are not).
    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Add a polygon feature in longitude/latitude with its properties; `id` is written as the
    /// feature id. A feature that leaves nothing in the tile (outside it, or too small to draw
    /// at this zoom) is skipped.
    pub fn add<'a>(
        &mut self,
        id: Option<u64>,
        geometry: &MultiPolygon<f64>,
        properties: impl IntoIterator<Item = (&'a str, &'a Value)>,
    ) {
        self.geometry.clear();
        encode_polygons(self.tile, geometry, &mut self.geometry);
        if self.geometry.is_empty() {
            return;
        }
        self.tags.clear();
        for (k, v) in properties {
            let Some(value) = TileValue::of(v) else {
                continue;
            };
            let ki = self.key(k);
            let vi = self.value(value);
            self.tags.extend([ki, vi]);
        }
        let mut f = Vec::with_capacity(16 + 5 * self.geometry.len());
        if let Some(id) = id {
            field_varint(&mut f, 1, id);
        }
        packed(&mut f, 2, &self.tags);
        field_varint(&mut f, 3, 3); // POLYGON
        packed(&mut f, 4, &self.geometry);
        field_bytes(&mut self.features, 2, &f);
        self.count += 1;
    }

    fn key(&mut self, k: &str) -> u32 {
        if let Some(i) = self.key_index.get(k) {
            return *i;
        }
        let i = self.keys.len() as u32;
        self.keys.push(k.to_owned());
        self.key_index.insert(k.to_owned(), i);
        i
    }

    fn value(&mut self, v: TileValue) -> u32 {
        let (kind, bits, text) = v.key();
        let key = (kind, bits, text.to_owned());
        if let Some(i) = self.value_index.get(&key) {
            return *i;
        }
        let i = self.values.len() as u32;
        self.value_index.insert(key, i);
        self.values.push(v);
        i
    }

    /// The layer's bytes inside a tile (field 3 of `Tile`); empty when it has no features,
    /// as an empty layer may be left out.
    pub fn finish(self, out: &mut Vec<u8>) {
        if self.count == 0 {
            return;
        }
        let mut layer = Vec::with_capacity(self.features.len() + 64 * self.keys.len());
        field_varint(&mut layer, 15, 2);
        field_bytes(&mut layer, 1, self.name.as_bytes());
        layer.extend_from_slice(&self.features);
        for k in &self.keys {
            field_bytes(&mut layer, 3, k.as_bytes());
        }
        for v in &self.values {
            let mut m = Vec::with_capacity(16);
            match v {
                TileValue::Text(s) => field_bytes(&mut m, 1, s.as_bytes()),
                TileValue::Double(d) => {
                    tag(&mut m, 3, 1);
                    m.extend_from_slice(&d.to_le_bytes());
                }
                TileValue::Unsigned(u) => field_varint(&mut m, 5, *u),
                TileValue::Signed(i) => field_varint(&mut m, 6, zigzag64(*i)),
                TileValue::Bool(b) => field_varint(&mut m, 7, u64::from(*b)),
            }
            field_bytes(&mut layer, 4, &m);
        }
        field_varint(&mut layer, 5, u64::from(EXTENT));
        field_bytes(out, 3, &layer);
    }
}

/// Encode a multipolygon's rings as MVT geometry commands on the tile's grid.
fn encode_polygons(tile: Tile, mp: &MultiPolygon<f64>, out: &mut Vec<u32>) {
    let projected = MultiPolygon(
        mp.0.iter()
            .map(|p| {
                let ring = |ls: &LineString<f64>| {
                    LineString(
                        ls.0.iter()
                            .map(|c| {
                                let (x, y) = tile.project(c.x, c.y);
                                Coord { x, y }
                            })
                            .collect(),
                    )
                };
                Polygon::new(ring(p.exterior()), p.interiors().iter().map(ring).collect())
            })
            .collect(),
    );
    let (lo, hi) = (-f64::from(BUFFER), f64::from(EXTENT + BUFFER));
    let Some(bounds) = projected.bounding_rect() else {
        return;
    };
    if bounds.max().x < lo || bounds.min().x > hi || bounds.max().y < lo || bounds.min().y > hi {
        return;
    }
    let inside = bounds.min().x >= lo && bounds.min().y >= lo && bounds.max().x <= hi;
    let clipped = if inside && bounds.max().y <= hi {
        projected
    } else {
        let window = Rect::new(Coord { x: lo, y: lo }, Coord { x: hi, y: hi }).to_polygon();
        projected.intersection(&MultiPolygon(vec![window]))
    };
    let mut cursor = (0i64, 0i64);
    for polygon in &clipped.0 {
        let start = out.len();
        if !ring(polygon.exterior(), true, &mut cursor, out) {
            out.truncate(start);
            continue;
        }
        for hole in polygon.interiors() {
            let before = (out.len(), cursor);
            if !ring(hole, false, &mut cursor, out) {
                out.truncate(before.0);
                cursor = before.1;
            }
        }
    }
}

/// One ring: snapped to the grid, repeated points dropped, oriented (exterior: positive area
/// in tile coordinates, y down), written as MoveTo, LineTo and ClosePath. False (and nothing
/// kept) when it collapses to less than a triangle.
fn ring(ls: &LineString<f64>, exterior: bool, cursor: &mut (i64, i64), out: &mut Vec<u32>) -> bool {
    let mut pts: Vec<(i64, i64)> = Vec::with_capacity(ls.0.len());
    for c in &ls.0 {
        let p = (c.x.round() as i64, c.y.round() as i64);
        if pts.last() != Some(&p) {
            pts.push(p);
        }
    }
    while pts.len() > 1 && pts.first() == pts.last() {
        pts.pop();
    }
    if pts.len() < 3 {
        return false;
    }
    let area2: i64 = (0..pts.len())
        .map(|i| {
            let (a, b) = (pts[i], pts[(i + 1) % pts.len()]);
            a.0 * b.1 - b.0 * a.1
        })
        .sum();
    if area2 == 0 {
        return false;
    }
    if (area2 > 0) != exterior {
        pts.reverse();
    }
    let start = out.len();
    let mut at = *cursor;
    let mut delta = |p: (i64, i64), out: &mut Vec<u32>| {
        out.push(zigzag32(p.0 - at.0));
        out.push(zigzag32(p.1 - at.1));
        at = p;
    };
    out.push(command(1, 1));
    delta(pts[0], out);
    out.push(command(2, (pts.len() - 1) as u32));
    for p in &pts[1..] {
        delta(*p, out);
    }
    out.push(command(7, 1));
    debug_assert!(out.len() > start);
    *cursor = at;
    true
}

fn command(id: u32, count: u32) -> u32 {
    (id & 0x7) | (count << 3)
}

fn zigzag32(v: i64) -> u32 {
    let v = v as i32;
    ((v << 1) ^ (v >> 31)) as u32
}

fn zigzag64(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

fn varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn tag(out: &mut Vec<u8>, field: u32, wire: u8) {
    varint(out, (u64::from(field) << 3) | u64::from(wire));
}

fn field_varint(out: &mut Vec<u8>, field: u32, v: u64) {
    tag(out, field, 0);
    varint(out, v);
}

fn field_bytes(out: &mut Vec<u8>, field: u32, bytes: &[u8]) {
    tag(out, field, 2);
    varint(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

fn packed(out: &mut Vec<u8>, field: u32, values: &[u32]) {
    if values.is_empty() {
        return;
    }
    let mut body = Vec::with_capacity(values.len() * 2);
    for v in values {
        varint(&mut body, u64::from(*v));
    }
    field_bytes(out, field, &body);
}

/// A decoded layer: its name, extent and features (for tests and tools).
#[derive(Debug, Clone, PartialEq)]
pub struct DecodedLayer {
    pub name: String,
    pub extent: u32,
    pub features: Vec<DecodedFeature>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DecodedFeature {
    pub id: Option<u64>,
    pub properties: serde_json::Map<String, Value>,
    /// The rings drawn (one ClosePath each).
    pub rings: usize,
    /// The first point, in tile coordinates.
    pub first_point: Option<(i64, i64)>,
}

/// Read a tile's layers; an error names what is malformed.
pub fn decode(bytes: &[u8]) -> Result<Vec<DecodedLayer>, String> {
    let mut layers = Vec::new();
    for (field, v) in Fields::new(bytes) {
        if let (3, Raw::Bytes(b)) = (field?, v) {
            layers.push(decode_layer(b)?);
        }
    }
    Ok(layers)
}

fn decode_layer(bytes: &[u8]) -> Result<DecodedLayer, String> {
    let (mut name, mut extent) = (String::new(), EXTENT);
    let (mut keys, mut values, mut raw_features) = (Vec::new(), Vec::new(), Vec::new());
    for (field, v) in Fields::new(bytes) {
        match (field?, v) {
            (1, Raw::Bytes(b)) => name = String::from_utf8_lossy(b).into_owned(),
            (2, Raw::Bytes(b)) => raw_features.push(b),
            (3, Raw::Bytes(b)) => keys.push(String::from_utf8_lossy(b).into_owned()),
            (4, Raw::Bytes(b)) => values.push(decode_value(b)?),
            (5, Raw::Varint(v)) => extent = v as u32,
            _ => {}
        }
    }
    let features = raw_features
        .into_iter()
        .map(|b| decode_feature(b, &keys, &values))
        .collect::<Result<_, _>>()?;
    Ok(DecodedLayer {
        name,
        extent,
        features,
    })
}

fn decode_value(bytes: &[u8]) -> Result<Value, String> {
    let mut out = Value::Null;
    for (field, v) in Fields::new(bytes) {
        out = match (field?, v) {
            (1, Raw::Bytes(b)) => Value::String(String::from_utf8_lossy(b).into_owned()),
            (2, Raw::Fixed32(b)) => serde_json::json!(f32::from_bits(b)),
            (3, Raw::Fixed64(b)) => serde_json::json!(f64::from_bits(b)),
            (4 | 5, Raw::Varint(v)) => serde_json::json!(v),
            (6, Raw::Varint(v)) => serde_json::json!(((v >> 1) as i64) ^ -((v & 1) as i64)),
            (7, Raw::Varint(v)) => Value::Bool(v != 0),
            _ => out,
        };
    }
    Ok(out)
}

fn decode_feature(
    bytes: &[u8],
    keys: &[String],
    values: &[Value],
) -> Result<DecodedFeature, String> {
    let mut f = DecodedFeature {
        id: None,
        properties: serde_json::Map::new(),
        rings: 0,
        first_point: None,
    };
    for (field, v) in Fields::new(bytes) {
        match (field?, v) {
            (1, Raw::Varint(id)) => f.id = Some(id),
            (2, Raw::Bytes(b)) => {
                let tags = unpack(b)?;
                for pair in tags.chunks(2) {
                    let (Some(k), Some(v)) = (
                        pair.first().and_then(|i| keys.get(*i as usize)),
                        pair.get(1).and_then(|i| values.get(*i as usize)),
                    ) else {
                        return Err("a tag refers to no key or value".into());
                    };
                    f.properties.insert(k.clone(), v.clone());
                }
            }
            (4, Raw::Bytes(b)) => {
                let cmds = unpack(b)?;
                let mut i = 0;
                let zz = |v: u64| ((v >> 1) as i64) ^ -((v & 1) as i64);
                while i < cmds.len() {
                    let (id, count) = (cmds[i] & 7, (cmds[i] >> 3) as usize);
                    i += 1;
                    match id {
                        1 | 2 => {
                            if f.first_point.is_none() && i + 1 < cmds.len() {
                                f.first_point = Some((zz(cmds[i]), zz(cmds[i + 1])));
                            }
                            i += 2 * count;
                        }
                        7 => f.rings += 1,
                        _ => return Err(format!("unknown geometry command {id}")),
                    }
                }
            }
            _ => {}
        }
    }
    Ok(f)
}

fn unpack(bytes: &[u8]) -> Result<Vec<u64>, String> {
    let mut out = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        out.push(read_varint(bytes, &mut at)?);
    }
    Ok(out)
}

fn read_varint(bytes: &[u8], at: &mut usize) -> Result<u64, String> {
    let mut v = 0u64;
    for shift in (0..64).step_by(7) {
        let b = *bytes.get(*at).ok_or("a varint runs past the end")?;
        *at += 1;
        v |= u64::from(b & 0x7f) << shift;
        if b < 0x80 {
            return Ok(v);
        }
    }
    Err("a varint is too long".into())
}

enum Raw<'a> {
    Varint(u64),
    Fixed64(u64),
    Fixed32(u32),
    Bytes(&'a [u8]),
}

/// The fields of one protobuf message.
struct Fields<'a> {
    bytes: &'a [u8],
    at: usize,
    failed: bool,
}

impl<'a> Fields<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Self {
            bytes,
            at: 0,
            failed: false,
        }
    }

    fn next_field(&mut self) -> Result<(u32, Raw<'a>), String> {
        let key = read_varint(self.bytes, &mut self.at)?;
        let field = (key >> 3) as u32;
        let take = |n: usize, at: &mut usize| -> Result<&'a [u8], String> {
            let end = at.checked_add(n).filter(|e| *e <= self.bytes.len());
            let end = end.ok_or("a field runs past the end")?;
            let b = &self.bytes[*at..end];
            *at = end;
            Ok(b)
        };
        let raw = match key & 7 {
            0 => Raw::Varint(read_varint(self.bytes, &mut self.at)?),
            1 => {
                let b = take(8, &mut self.at)?;
                Raw::Fixed64(u64::from_le_bytes(b.try_into().map_err(|_| "fixed64")?))
            }
            2 => {
                let n = read_varint(self.bytes, &mut self.at)? as usize;
                Raw::Bytes(take(n, &mut self.at)?)
            }
            5 => {
                let b = take(4, &mut self.at)?;
                Raw::Fixed32(u32::from_le_bytes(b.try_into().map_err(|_| "fixed32")?))
            }
            w => return Err(format!("unknown wire type {w}")),
        };
        Ok((field, raw))
    }
}

impl<'a> Iterator for Fields<'a> {
    type Item = (Result<u32, String>, Raw<'a>);

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.at >= self.bytes.len() {
            return None;
        }
        match self.next_field() {
            Ok((f, raw)) => Some((Ok(f), raw)),
            Err(e) => {
                self.failed = true;
                Some((Err(e), Raw::Varint(0)))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;

    fn square(x: f64, y: f64, d: f64) -> MultiPolygon<f64> {
        MultiPolygon(vec![polygon![
            (x: x, y: y), (x: x + d, y: y), (x: x + d, y: y + d), (x: x, y: y + d), (x: x, y: y)
        ]])
    }

    #[test]
    fn tile_math_round_trips() {
        let t = Tile::new(14, 13500, 6886).unwrap();
        let b = t.bounds_lon_lat();
        assert!(b.min_x < 116.64 && b.max_x > 116.64 && b.min_y < 27.565 && b.max_y > 27.565);
        let (px, py) = t.project(116.64, 27.565);
        assert!(
            (0.0..4096.0).contains(&px) && (0.0..4096.0).contains(&py),
            "{px},{py}"
        );
        let (lon, lat) = t.lon_lat(px, py);
        assert!((lon - 116.64).abs() < 1e-9 && (lat - 27.565).abs() < 1e-9);
        // What is read reaches READ_MARGIN units beyond each edge, not the whole buffer.
        let (left, top) = t.project(b.min_x, b.max_y);
        let (right, bottom) = t.project(b.max_x, b.min_y);
        let m = f64::from(READ_MARGIN);
        for (got, want) in [
            (left, -m),
            (top, -m),
            (right, 4096.0 + m),
            (bottom, 4096.0 + m),
        ] {
            assert!((got - want).abs() < 1e-6, "{got} against {want}");
        }
        assert!(Tile::new(2, 4, 0).is_none(), "column outside the matrix");
        assert!(Tile::new(25, 0, 0).is_none());
    }

    #[test]
    fn a_layer_round_trips_through_the_decoder() {
        let t = Tile::new(14, 13500, 6886).unwrap();
        let mut layer = LayerWriter::new(t, "parcels");
        let code = Value::String("A-1".into());
        let area = serde_json::json!(1234.5);
        let status = Value::String("available".into());
        let none = Value::Null;
        layer.add(
            Some(7),
            &square(116.640, 27.562, 0.002),
            [
                ("code", &code),
                ("area_m2", &area),
                ("status", &status),
                ("far_max", &none),
            ],
        );
        layer.add(Some(8), &square(100.0, 10.0, 0.001), [("code", &code)]);
        layer.add(
            Some(9),
            &square(116.641, 27.563, 0.000_000_1),
            [("code", &code)],
        );
        assert_eq!(
            layer.len(),
            1,
            "outside the tile and too small to draw are left out"
        );
        let mut bytes = Vec::new();
        layer.finish(&mut bytes);
        let layers = decode(&bytes).unwrap();
        assert_eq!(layers.len(), 1);
        assert_eq!(
            (layers[0].name.as_str(), layers[0].extent),
            ("parcels", 4096)
        );
        let f = &layers[0].features[0];
        assert_eq!(f.id, Some(7));
        assert_eq!(f.rings, 1);
        assert_eq!(f.properties["code"], "A-1");
        assert_eq!(f.properties["area_m2"], 1234.5);
        assert!(!f.properties.contains_key("far_max"), "nulls are left out");
    }

    #[test]
    fn a_polygon_larger_than_the_tile_is_clipped_to_its_buffer() {
        let t = Tile::new(16, 54000, 27545).unwrap();
        let mut layer = LayerWriter::new(t, "parks");
        layer.add(Some(1), &square(116.0, 27.0, 2.0), []);
        let mut bytes = Vec::new();
        layer.finish(&mut bytes);
        let f = &decode(&bytes).unwrap()[0].features[0];
        let (x, y) = f.first_point.unwrap();
        let (lo, hi) = (-i64::from(BUFFER), i64::from(EXTENT + BUFFER));
        assert!((lo..=hi).contains(&x) && (lo..=hi).contains(&y), "{x},{y}");
    }

    #[test]
    fn exterior_rings_have_positive_area_in_tile_coordinates() {
        let mut out = Vec::new();
        let mut cursor = (0, 0);
        // Counter-clockwise with y down (negative area): must be reversed.
        let ls = LineString::from(vec![
            (0.0, 0.0),
            (0.0, 10.0),
            (10.0, 10.0),
            (10.0, 0.0),
            (0.0, 0.0),
        ]);
        assert!(ring(&ls, true, &mut cursor, &mut out));
        // Reversed: MoveTo (10,0), then LineTo ×3 starting down to (10,10).
        assert_eq!(out[0], command(1, 1));
        assert_eq!((out[1], out[2]), (zigzag32(10), zigzag32(0)));
        assert_eq!(out[3], command(2, 3));
        assert_eq!((out[4], out[5]), (zigzag32(0), zigzag32(10)));
    }
}
