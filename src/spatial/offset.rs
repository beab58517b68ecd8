//! The offset coordinate systems of Chinese web maps, for output only: GCJ-02 (国测局坐标, used
//! by AMap/高德 and Tencent tiles) and BD-09 (Baidu). Their tiles are drawn in these systems, so a
//! layer in CGCS2000/WGS 84 lies a few hundred metres off on them; a map client asks for the
//! system of its base map (`coordinates=gcj02`) and the layers line up. Stored geometry is never
//! converted: the register stays in CGCS2000, and the published conversion (the algorithm every
//! open implementation uses, on the Krasovsky ellipsoid) is applied as features are written.
//!
//! CGCS2000 and WGS 84 agree to centimetres, so the WGS 84 → GCJ-02 formula applies as is.
//! Outside China (the published bounding box) GCJ-02 equals WGS 84.

use std::f64::consts::PI;

/// A coordinate system features may be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Offset {
    /// CGCS2000 longitude/latitude, as stored (CRS84 to within centimetres).
    #[default]
    None,
    /// GCJ-02 (AMap, Tencent).
    Gcj02,
    /// BD-09 (Baidu).
    Bd09,
}

impl Offset {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "cgcs2000" | "wgs84" | "crs84" => Some(Self::None),
            "gcj02" | "gcj-02" => Some(Self::Gcj02),
            "bd09" | "bd-09" => Some(Self::Bd09),
            _ => None,
        }
    }

    /// A stored (lon, lat) in this system.
    pub fn apply(self, lon: f64, lat: f64) -> (f64, f64) {
        match self {
            Self::None => (lon, lat),
            Self::Gcj02 => wgs_to_gcj(lon, lat),
            Self::Bd09 => {
                let (x, y) = wgs_to_gcj(lon, lat);
                gcj_to_bd(x, y)
            }
        }
    }

    /// A (lon, lat) given in this system, back in the stored one (for a client's bbox). The
    /// forward conversion is smooth and shifts by well under a kilometre, so a few fixed-point
    /// steps converge to far below a millimetre.
    pub fn invert(self, lon: f64, lat: f64) -> (f64, f64) {
        if self == Self::None {
            return (lon, lat);
        }
        let (mut x, mut y) = (lon, lat);
        for _ in 0..6 {
            let (fx, fy) = self.apply(x, y);
            x -= fx - lon;
            y -= fy - lat;
        }
        (x, y)
    }
}

const A: f64 = 6_378_245.0;
const EE: f64 = 0.006_693_421_622_965_943;

fn out_of_china(lon: f64, lat: f64) -> bool {
    !(72.004..=137.8347).contains(&lon) || !(0.8293..=55.8271).contains(&lat)
}

fn transform_lat(x: f64, y: f64) -> f64 {
    let mut r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * x.abs().sqrt();
    r += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    r += (20.0 * (y * PI).sin() + 40.0 * (y / 3.0 * PI).sin()) * 2.0 / 3.0;
    r += (160.0 * (y / 12.0 * PI).sin() + 320.0 * (y * PI / 30.0).sin()) * 2.0 / 3.0;
    r
}

fn transform_lon(x: f64, y: f64) -> f64 {
    let mut r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * x.abs().sqrt();
    r += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    r += (20.0 * (x * PI).sin() + 40.0 * (x / 3.0 * PI).sin()) * 2.0 / 3.0;
    r += (150.0 * (x / 12.0 * PI).sin() + 300.0 * (x / 30.0 * PI).sin()) * 2.0 / 3.0;
    r
}

fn wgs_to_gcj(lon: f64, lat: f64) -> (f64, f64) {
    if out_of_china(lon, lat) {
        return (lon, lat);
    }
    let d_lat = transform_lat(lon - 105.0, lat - 35.0);
    let d_lon = transform_lon(lon - 105.0, lat - 35.0);
    let rad = lat / 180.0 * PI;
    let magic = 1.0 - EE * rad.sin() * rad.sin();
    let sqrt_magic = magic.sqrt();
    let d_lat = (d_lat * 180.0) / ((A * (1.0 - EE)) / (magic * sqrt_magic) * PI);
    let d_lon = (d_lon * 180.0) / (A / sqrt_magic * rad.cos() * PI);
    (lon + d_lon, lat + d_lat)
}

fn gcj_to_bd(lon: f64, lat: f64) -> (f64, f64) {
    let x_pi = PI * 3000.0 / 180.0;
    let z = (lon * lon + lat * lat).sqrt() + 0.000_02 * (lat * x_pi).sin();
    let theta = lat.atan2(lon) + 0.000_003 * (lon * x_pi).cos();
    (z * theta.cos() + 0.0065, z * theta.sin() + 0.006)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: (f64, f64), b: (f64, f64)) {
        assert!(
            (a.0 - b.0).abs() < 1e-6 && (a.1 - b.1).abs() < 1e-6,
            "{a:?} ≠ {b:?}"
        );
    }

    /// The reference values of the widely used open implementations (gcoord's test suite).
    #[test]
    fn published_reference_points() {
        close(
            Offset::Gcj02.apply(123.0, 45.0),
            (123.006_075_41, 45.001_978_15),
        );
        close(
            Offset::Bd09.apply(123.0, 45.0),
            (123.012_449_1, 45.008_329_3),
        );
        close(gcj_to_bd(123.0, 45.0), (123.006_364_99, 45.006_368_99));
        close(
            Offset::Gcj02.invert(123.0, 45.0),
            (122.993_955_97, 44.998_040_71),
        );
    }

    #[test]
    fn outside_china_nothing_moves_and_the_inverse_returns() {
        assert_eq!(Offset::Gcj02.apply(183.0, 45.0), (183.0, 45.0));
        assert_eq!(Offset::None.apply(116.6, 27.5), (116.6, 27.5));
        // 南城: GCJ-02 lies a few hundred metres off, and the inverse brings it back.
        let (x, y) = Offset::Bd09.apply(116.64, 27.56);
        assert!((x - 116.64).abs() > 0.005 && (y - 27.56).abs() > 0.002);
        close(Offset::Bd09.invert(x, y), (116.64, 27.56));
        assert_eq!(Offset::parse("GCJ-02"), Some(Offset::Gcj02));
        assert_eq!(Offset::parse("mars"), None);
    }
}
