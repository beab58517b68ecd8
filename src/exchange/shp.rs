//! Polygon records of an ESRI `.shp` file, read one at a time from a stream.
//!
//! Each record says how long it is and how many parts and points it holds; a hostile file says
//! anything. Here every count is checked against the bounds before a byte is allocated for it,
//! and records are read straight out of the zip member, so the `.shp` is never unpacked whole.
//! Rings follow the format's rule (outer rings clockwise, holes counter-clockwise, each hole
//! after its outer ring), as the `shapefile` crate reads them.

use super::ExchangeError;
use super::limits::{Bound, LimitExceeded, UploadLimits, limit_of};
use geo::{Coord, LineString, MultiPolygon, Polygon};
use std::io::Read;

const FILE_CODE: i32 = 9994;
const HEADER_BYTES: usize = 100;
/// Shape type, bounding box, part and point counts.
const POLYGON_HEAD: usize = 44;

/// The shapes a parcel may be: null and the three polygon types.
fn polygonal(shape_type: i32) -> bool {
    matches!(shape_type, 0 | 5 | 15 | 25)
}

fn type_name(shape_type: i32) -> String {
    match shape_type {
        1 | 11 | 21 => "point".into(),
        3 | 13 | 23 => "polyline".into(),
        8 | 18 | 28 => "multipoint".into(),
        31 => "multipatch".into(),
        other => format!("shape of type {other}"),
    }
}

/// One feature's geometry, or why it cannot be one (the file itself is fine).
pub type Shape = Result<MultiPolygon<f64>, String>;

pub struct Records<R> {
    src: R,
    buf: Vec<u8>,
    read: usize,
    limits: UploadLimits,
}

fn io_error(e: std::io::Error, what: &str) -> ExchangeError {
    match limit_of(&e) {
        Some(limit) => limit.into(),
        None if e.kind() == std::io::ErrorKind::UnexpectedEof => {
            ExchangeError::new(format!("the .shp file ends in the middle of {what}"))
        }
        None => ExchangeError::new(format!("the .shp file cannot be read: {e}")),
    }
}

fn be_i32(b: &[u8]) -> i32 {
    i32::from_be_bytes([b[0], b[1], b[2], b[3]])
}

fn le_i32(b: &[u8]) -> i32 {
    i32::from_le_bytes([b[0], b[1], b[2], b[3]])
}

fn le_f64(b: &[u8]) -> f64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[..8]);
    f64::from_le_bytes(a)
}

impl<R: Read> Records<R> {
    /// Read and check the file header.
    pub fn new(mut src: R, limits: UploadLimits) -> Result<Self, ExchangeError> {
        let mut header = [0u8; HEADER_BYTES];
        src.read_exact(&mut header)
            .map_err(|e| io_error(e, "its header"))?;
        let code = be_i32(&header[0..4]);
        if code != FILE_CODE {
            return Err(ExchangeError::new(format!(
                "the .shp file is not a shapefile (its file code is {code}, not {FILE_CODE})"
            )));
        }
        let shape_type = le_i32(&header[32..36]);
        if !polygonal(shape_type) {
            return Err(ExchangeError::new(format!(
                "the shapefile holds {}s; land is an area, so export the parcels as polygons",
                type_name(shape_type)
            )));
        }
        Ok(Self {
            src,
            buf: Vec::new(),
            read: 0,
            limits,
        })
    }

    /// The largest record a polygon within the vertex bound can need: head, one part index
    /// per point at most, and X, Y, Z and M with their ranges.
    fn max_record_bytes(&self) -> usize {
        POLYGON_HEAD + 32 + self.limits.max_vertices.saturating_mul(4 + 32)
    }

    /// The next feature's geometry; `None` at the end of the file.
    pub fn next_shape(&mut self) -> Option<Result<Shape, ExchangeError>> {
        let mut head = [0u8; 8];
        match read_or_end(&mut self.src, &mut head) {
            Ok(false) => return None,
            Ok(true) => {}
            Err(e) => return Some(Err(io_error(e, "a record header"))),
        }
        self.read += 1;
        let feature = self.read;
        if let Err(limit) = self.limits.features(feature) {
            return Some(Err(limit.into()));
        }
        let words = be_i32(&head[4..8]);
        let bytes = usize::try_from(words).unwrap_or(0).saturating_mul(2);
        if bytes < 4 {
            return Some(Err(ExchangeError::new(format!(
                "record {feature} of the .shp file has an impossible length ({words} words)"
            ))));
        }
        if bytes > self.max_record_bytes() {
            return Some(Err(LimitExceeded::new(
                Bound::Vertices,
                self.limits.max_vertices as u64,
                format!(
                    "feature {feature} takes {bytes} bytes, more than a polygon of {} vertices needs; simplify it",
                    self.limits.max_vertices
                ),
            )
            .into()));
        }
        self.buf.clear();
        self.buf.resize(bytes, 0);
        if let Err(e) = self.src.read_exact(&mut self.buf) {
            return Some(Err(io_error(e, &format!("record {feature}"))));
        }
        Some(self.shape(feature))
    }

    fn shape(&self, feature: usize) -> Result<Shape, ExchangeError> {
        let b = &self.buf;
        let shape_type = le_i32(&b[0..4]);
        if shape_type == 0 {
            return Ok(Err("the feature has no geometry".into()));
        }
        if !polygonal(shape_type) {
            return Ok(Err(format!(
                "must be a polygon (land is an area), got a {}",
                type_name(shape_type)
            )));
        }
        if b.len() < POLYGON_HEAD {
            return Ok(Err(
                "the polygon record is too short to hold its counts".into()
            ));
        }
        let (parts, points) = (le_i32(&b[36..40]), le_i32(&b[40..44]));
        let (Ok(parts), Ok(points)) = (usize::try_from(parts), usize::try_from(points)) else {
            return Ok(Err(format!(
                "the polygon record has {parts} parts and {points} points"
            )));
        };
        self.limits.vertices(feature, points)?;
        let needed = POLYGON_HEAD + 4 * parts + 16 * points;
        if parts == 0 || needed > b.len() {
            return Ok(Err(format!(
                "the polygon record has {parts} parts and {points} points but only {} bytes",
                b.len()
            )));
        }
        let starts: Vec<usize> = (0..parts)
            .map(|k| le_i32(&b[POLYGON_HEAD + 4 * k..]) as usize)
            .collect();
        if starts[0] != 0 || starts.windows(2).any(|w| w[1] <= w[0]) || starts[parts - 1] >= points
        {
            return Ok(Err(
                "the polygon record's part indexes are out of order or out of range".into(),
            ));
        }
        let at = POLYGON_HEAD + 4 * parts;
        let coord = |k: usize| Coord {
            x: le_f64(&b[at + 16 * k..]),
            y: le_f64(&b[at + 16 * k + 8..]),
        };
        let mut polygons: Vec<Polygon<f64>> = Vec::new();
        for (k, &start) in starts.iter().enumerate() {
            let end = starts.get(k + 1).copied().unwrap_or(points);
            let ring = LineString((start..end).map(coord).collect());
            if signed_area(&ring) > 0.0 {
                // counter-clockwise: a hole of the outer ring before it
                match polygons.last_mut() {
                    Some(p) => p.interiors_push(ring),
                    None => {
                        return Ok(Err(
                            "the polygon starts with a hole (a counter-clockwise ring) before any outer ring"
                                .into(),
                        ));
                    }
                }
            } else {
                polygons.push(Polygon::new(ring, vec![]));
            }
        }
        Ok(Ok(MultiPolygon(polygons)))
    }
}

/// Twice the signed area: positive counter-clockwise.
fn signed_area(ring: &LineString<f64>) -> f64 {
    ring.0
        .windows(2)
        .map(|w| w[0].x * w[1].y - w[1].x * w[0].y)
        .sum()
}

/// Fill `buf`, or say the stream ended cleanly before its first byte.
fn read_or_end(src: &mut impl Read, buf: &mut [u8]) -> std::io::Result<bool> {
    let mut filled = 0;
    while filled < buf.len() {
        match src.read(&mut buf[filled..]) {
            Ok(0) if filled == 0 => return Ok(false),
            Ok(0) => return Err(std::io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(true)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A record: its shape type, part starts and points.
    type Record = (i32, Vec<i32>, Vec<(f64, f64)>);

    /// A .shp file of the given records.
    pub fn shp(shape_type: i32, records: &[Record]) -> Vec<u8> {
        let mut body = Vec::new();
        for (n, (kind, parts, points)) in records.iter().enumerate() {
            let mut content = Vec::new();
            content.extend_from_slice(&kind.to_le_bytes());
            if *kind != 0 {
                content.extend_from_slice(&[0u8; 32]);
                content.extend_from_slice(&(parts.len() as i32).to_le_bytes());
                content.extend_from_slice(&(points.len() as i32).to_le_bytes());
                for p in parts {
                    content.extend_from_slice(&p.to_le_bytes());
                }
                for (x, y) in points {
                    content.extend_from_slice(&x.to_le_bytes());
                    content.extend_from_slice(&y.to_le_bytes());
                }
            }
            body.extend_from_slice(&(n as i32 + 1).to_be_bytes());
            body.extend_from_slice(&((content.len() / 2) as i32).to_be_bytes());
            body.extend_from_slice(&content);
        }
        let mut out = vec![0u8; HEADER_BYTES];
        out[0..4].copy_from_slice(&FILE_CODE.to_be_bytes());
        out[24..28].copy_from_slice(&(((HEADER_BYTES + body.len()) / 2) as i32).to_be_bytes());
        out[28..32].copy_from_slice(&1000i32.to_le_bytes());
        out[32..36].copy_from_slice(&shape_type.to_le_bytes());
        out.extend_from_slice(&body);
        out
    }

    fn all(bytes: &[u8], limits: UploadLimits) -> Result<Vec<Shape>, ExchangeError> {
        let mut r = Records::new(bytes, limits)?;
        let mut out = Vec::new();
        while let Some(s) = r.next_shape() {
            out.push(s?);
        }
        Ok(out)
    }

    fn square(x: f64, y: f64, d: f64, clockwise: bool) -> Vec<(f64, f64)> {
        let mut r = vec![(x, y), (x, y + d), (x + d, y + d), (x + d, y), (x, y)];
        if !clockwise {
            r.reverse();
        }
        r
    }

    #[test]
    fn polygons_with_holes_and_null_shapes() {
        let mut ring = square(0.0, 0.0, 10.0, true);
        ring.extend(square(2.0, 2.0, 2.0, false));
        let file = shp(5, &[(5, vec![0, 5], ring), (0, vec![], vec![])]);
        let shapes = all(&file, UploadLimits::default()).unwrap();
        let first = shapes[0].as_ref().unwrap();
        assert_eq!((first.0.len(), first.0[0].interiors().len()), (1, 1));
        assert!(shapes[1].is_err());
    }

    #[test]
    fn lines_and_points_are_not_land() {
        let e = all(&shp(3, &[]), UploadLimits::default()).unwrap_err();
        assert!(e.message.contains("polylines"), "{}", e.message);
        let mixed = shp(5, &[(3, vec![0], square(0.0, 0.0, 1.0, true))]);
        assert!(all(&mixed, UploadLimits::default()).unwrap()[0].is_err());
    }

    #[test]
    fn counts_beyond_the_bounds_are_refused_before_reading() {
        let limits = UploadLimits {
            max_vertices: 4,
            max_features: 1,
            ..UploadLimits::default()
        };
        let big = shp(5, &[(5, vec![0], square(0.0, 0.0, 1.0, true))]);
        let e = all(&big, limits).unwrap_err();
        assert_eq!(e.limit.map(|l| l.bound), Some(Bound::Vertices));
        // A record header claiming 1 GB is refused from its header alone.
        let mut lying = shp(5, &[]);
        lying.extend_from_slice(&1i32.to_be_bytes());
        lying.extend_from_slice(&(500_000_000i32).to_be_bytes());
        let e = all(&lying, UploadLimits::default()).unwrap_err();
        assert_eq!(e.limit.map(|l| l.bound), Some(Bound::Vertices));
        let two = shp(5, &[(0, vec![], vec![]), (0, vec![], vec![])]);
        let e = all(&two, limits).unwrap_err();
        assert_eq!(e.limit.map(|l| l.bound), Some(Bound::Features));
        assert!(
            all(&vec![0u8; 4096], UploadLimits::default()).is_err(),
            "zeros are no shapefile"
        );
    }
}
