//! (E)WKB encoding of polygonal geometry, the one storage format of both backends.
//!
//! PostGIS takes EWKB straight into a `geometry(MultiPolygon, 4490)` column (bytea → geometry
//! is an implicit cast) and sends EWKB back; SQLite keeps the same bytes in a BLOB. Writing
//! always produces little-endian EWKB MultiPolygon with SRID 4490; reading accepts WKB or
//! EWKB, either byte order, Polygon or MultiPolygon, and drops Z/M values.

use geo::{Coord, LineString, MultiPolygon, Polygon};
use std::fmt;

/// The SRID every stored geometry carries: CGCS2000 geographic.
pub const SRID: u32 = 4490;

const EWKB_SRID_FLAG: u32 = 0x2000_0000;
const EWKB_Z_FLAG: u32 = 0x8000_0000;
const EWKB_M_FLAG: u32 = 0x4000_0000;

#[derive(Debug, Clone, PartialEq)]
pub struct WkbError(pub String);

impl fmt::Display for WkbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "malformed WKB: {}", self.0)
    }
}

impl std::error::Error for WkbError {}

/// Encode as little-endian EWKB MultiPolygon with SRID 4490.
pub fn encode(mp: &MultiPolygon<f64>) -> Vec<u8> {
    let points: usize =
        mp.0.iter()
            .map(|p| p.exterior().0.len() + p.interiors().iter().map(|r| r.0.len()).sum::<usize>())
            .sum();
    let mut out = Vec::with_capacity(13 + mp.0.len() * 9 + points * 16);
    out.push(1);
    out.extend_from_slice(&(6 | EWKB_SRID_FLAG).to_le_bytes());
    out.extend_from_slice(&SRID.to_le_bytes());
    out.extend_from_slice(&(mp.0.len() as u32).to_le_bytes());
    for polygon in &mp.0 {
        out.push(1);
        out.extend_from_slice(&3u32.to_le_bytes());
        out.extend_from_slice(&(1 + polygon.interiors().len() as u32).to_le_bytes());
        for ring in std::iter::once(polygon.exterior()).chain(polygon.interiors()) {
            out.extend_from_slice(&(ring.0.len() as u32).to_le_bytes());
            for c in &ring.0 {
                out.extend_from_slice(&c.x.to_le_bytes());
                out.extend_from_slice(&c.y.to_le_bytes());
            }
        }
    }
    out
}

/// Decode WKB or EWKB Polygon/MultiPolygon into a MultiPolygon.
pub fn decode(bytes: &[u8]) -> Result<MultiPolygon<f64>, WkbError> {
    let mut r = Reader {
        bytes,
        pos: 0,
        little: true,
    };
    let (kind, dims) = r.header()?;
    let mp = match kind {
        3 => MultiPolygon(vec![r.polygon(dims)?]),
        6 => {
            let n = r.count()?;
            let mut polygons = Vec::with_capacity(n);
            for _ in 0..n {
                let (kind, dims) = r.header()?;
                if kind != 3 {
                    return Err(WkbError(format!("MultiPolygon member of type {kind}")));
                }
                polygons.push(r.polygon(dims)?);
            }
            MultiPolygon(polygons)
        }
        other => return Err(WkbError(format!("geometry type {other} is not polygonal"))),
    };
    if r.pos != bytes.len() {
        return Err(WkbError(format!("{} trailing bytes", bytes.len() - r.pos)));
    }
    Ok(mp)
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
    little: bool,
}

impl Reader<'_> {
    fn take<const N: usize>(&mut self) -> Result<[u8; N], WkbError> {
        let slice = self
            .bytes
            .get(self.pos..self.pos + N)
            .ok_or_else(|| WkbError("unexpected end".into()))?;
        self.pos += N;
        let mut buf = [0u8; N];
        buf.copy_from_slice(slice);
        Ok(buf)
    }

    fn u32(&mut self) -> Result<u32, WkbError> {
        let b = self.take::<4>()?;
        Ok(if self.little {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        })
    }

    fn f64(&mut self) -> Result<f64, WkbError> {
        let b = self.take::<8>()?;
        Ok(if self.little {
            f64::from_le_bytes(b)
        } else {
            f64::from_be_bytes(b)
        })
    }

    /// A count, bounded by the bytes left so a corrupt value cannot ask for gigabytes.
    fn count(&mut self) -> Result<usize, WkbError> {
        let n = self.u32()? as usize;
        if n > self.bytes.len() - self.pos {
            return Err(WkbError(format!("count {n} exceeds the data")));
        }
        Ok(n)
    }

    /// Byte order and type; returns the base type and the number of ordinates per point.
    fn header(&mut self) -> Result<(u32, usize), WkbError> {
        self.little = match self.take::<1>()?[0] {
            0 => false,
            1 => true,
            b => return Err(WkbError(format!("byte-order mark {b}"))),
        };
        let raw = self.u32()?;
        if raw & EWKB_SRID_FLAG != 0 {
            self.u32()?; // the SRID; parkland only stores 4490
        }
        let mut dims = 2;
        if raw & EWKB_Z_FLAG != 0 {
            dims += 1;
        }
        if raw & EWKB_M_FLAG != 0 {
            dims += 1;
        }
        let iso = raw & 0x0FFF_FFFF;
        let (base, iso_dims) = (iso % 1000, iso / 1000);
        dims += match iso_dims {
            0 => 0,
            1 | 2 => 1,
            3 => 2,
            _ => return Err(WkbError(format!("geometry type {iso}"))),
        };
        Ok((base, dims))
    }

    fn polygon(&mut self, dims: usize) -> Result<Polygon<f64>, WkbError> {
        let rings = self.count()?;
        if rings == 0 {
            return Err(WkbError("polygon without rings".into()));
        }
        let mut all = Vec::with_capacity(rings);
        for _ in 0..rings {
            let n = self.count()?;
            let mut coords = Vec::with_capacity(n);
            for _ in 0..n {
                let x = self.f64()?;
                let y = self.f64()?;
                for _ in 2..dims {
                    self.f64()?;
                }
                coords.push(Coord { x, y });
            }
            all.push(LineString(coords));
        }
        let exterior = all.remove(0);
        Ok(Polygon::new(exterior, all))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;

    fn sample() -> MultiPolygon<f64> {
        MultiPolygon(vec![
            polygon!(
                exterior: [(x: 116.60, y: 27.55), (x: 116.61, y: 27.55), (x: 116.61, y: 27.56), (x: 116.60, y: 27.56), (x: 116.60, y: 27.55)],
                interiors: [[(x: 116.602, y: 27.552), (x: 116.602, y: 27.554), (x: 116.604, y: 27.554), (x: 116.602, y: 27.552)]],
            ),
            polygon![(x: 116.62, y: 27.55), (x: 116.63, y: 27.55), (x: 116.63, y: 27.56), (x: 116.62, y: 27.55)],
        ])
    }

    #[test]
    fn round_trips() {
        let mp = sample();
        let bytes = encode(&mp);
        assert_eq!(
            &bytes[..9],
            &[1, 6, 0, 0, 0x20, 0x8A, 0x11, 0, 0],
            "EWKB header with SRID 4490"
        );
        assert_eq!(decode(&bytes).unwrap(), mp);
    }

    /// `SELECT ST_AsEWKB('SRID=4490;POLYGON((0 0,1 0,1 1,0 0))'::geometry, 'XDR')` from PostGIS.
    #[test]
    fn reads_big_endian_ewkb_polygons() {
        let hex = "00200000030000118a00000001000000040000000000000000000000000000000\
                   03ff000000000000000000000000000003ff00000000000003ff000000000000\
                   000000000000000000000000000000000";
        let bytes: Vec<u8> = (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
            .collect();
        let mp = decode(&bytes).unwrap();
        assert_eq!(mp.0.len(), 1);
        assert_eq!(mp.0[0].exterior().0.len(), 4);
        assert_eq!(mp.0[0].exterior().0[2], Coord { x: 1.0, y: 1.0 });
    }

    #[test]
    fn rejects_garbage_without_panicking() {
        assert!(decode(&[]).is_err());
        assert!(decode(&[1, 1, 0, 0, 0, 0, 0, 0, 0]).is_err(), "a point");
        let mut bytes = encode(&sample());
        bytes.truncate(bytes.len() - 3);
        assert!(decode(&bytes).is_err());
        let mut huge = vec![1u8, 3, 0, 0, 0];
        huge.extend_from_slice(&u32::MAX.to_le_bytes());
        assert!(decode(&huge).is_err());
    }
}
