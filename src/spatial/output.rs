//! The coordinates features are written in (OGC API – Features Part 2, `crs=`), and the
//! systems a `bbox` may be given in (`bbox-crs=`): CRS84 as stored, CGCS2000 (EPSG:4490) and
//! WGS 84 (EPSG:4326) in their authority order — latitude first —, Web Mercator (EPSG:3857),
//! every CGCS2000 Gauss-Krüger zone (EPSG:4491–4554, northing first as their EPSG coordinate
//! systems say), and the offset systems of Chinese web maps (`coordinates=gcj02|bd09`).
//!
//! CGCS2000 and WGS 84 agree to centimetres, so EPSG:4326 is EPSG:4490's numbers. The
//! Gauss-Krüger projection forward is Krüger's series to the sixth order in n (Karney 2011,
//! the method of PROJ's `etmerc`): well under a millimetre within a zone and cheap enough to
//! run per vertex while a page is written; its inverse (for a `bbox`) goes through proj4rs.

use super::Bbox;
use super::crs::{CGCS2000_A, CGCS2000_INV_F, CRS84_URI, Crs, ToLonLat};
use super::offset::Offset;

/// A coordinate system features are written in. Copy, so every feature of a page carries it.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Output {
    /// CGCS2000 longitude/latitude as stored, published as CRS84.
    #[default]
    Crs84,
    /// GCJ-02 or BD-09 longitude/latitude, for web maps on those tiles.
    Offset(Offset),
    /// EPSG:4490 or EPSG:4326: latitude, longitude.
    LatLon(u16),
    /// EPSG:3857 Web Mercator: easting, northing in metres.
    WebMercator,
    /// A CGCS2000 Gauss-Krüger zone (EPSG:4491–4554): northing, easting in metres.
    GaussKruger(GaussKruger),
}

/// Every CRS `crs=` and `bbox-crs=` accept, as the URIs collections list.
pub fn supported_uris() -> Vec<String> {
    let mut out = vec![CRS84_URI.to_owned()];
    for code in [4490u16, 4326, 3857].into_iter().chain(4491..=4554) {
        out.push(epsg_uri(code));
    }
    out
}

fn epsg_uri(code: u16) -> String {
    format!("http://www.opengis.net/def/crs/EPSG/0/{code}")
}

impl Output {
    /// A CRS named by URI (`http://www.opengis.net/def/crs/EPSG/0/4527`), URN, `EPSG:4527` or
    /// CRS84, if it is one parkland writes.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let unsupported = || {
            format!(
                "`{raw}` is not a CRS parkland writes; use CRS84, EPSG:4490, EPSG:4326, EPSG:3857 \
                 or a CGCS2000 Gauss-Krüger zone EPSG:4491–4554 (as http://www.opengis.net/def/crs/EPSG/0/<code>)"
            )
        };
        let trimmed = raw.trim().trim_start_matches('<').trim_end_matches('>');
        if Crs::parse(trimmed) == Ok(Crs::Crs84) {
            return Ok(Self::Crs84);
        }
        let lower = trimmed.to_ascii_lowercase();
        let code = super::crs::epsg_code_of(&lower).ok_or_else(unsupported)?;
        match code {
            4490 | 4326 => Ok(Self::LatLon(code as u16)),
            3857 => Ok(Self::WebMercator),
            4491..=4554 => Crs::gauss_kruger_parameters(code as u16)
                .map(|(lon0, false_easting)| {
                    Self::GaussKruger(GaussKruger {
                        code: code as u16,
                        lon0,
                        false_easting,
                    })
                })
                .ok_or_else(unsupported),
            _ => Err(unsupported()),
        }
    }

    /// The URI `Content-Crs` names.
    pub fn uri(self) -> String {
        match self {
            Self::Crs84 | Self::Offset(_) => CRS84_URI.to_owned(),
            Self::LatLon(code) => epsg_uri(code),
            Self::WebMercator => epsg_uri(3857),
            Self::GaussKruger(g) => epsg_uri(g.code),
        }
    }

    /// A stored (lon, lat) in this system, in its axis order.
    pub fn apply(self, lon: f64, lat: f64) -> (f64, f64) {
        match self {
            Self::Crs84 => (lon, lat),
            Self::Offset(o) => o.apply(lon, lat),
            Self::LatLon(_) => (lat, lon),
            Self::WebMercator => web_mercator(lon, lat),
            Self::GaussKruger(g) => {
                let (e, n) = g.forward(lon, lat);
                (n, e)
            }
        }
    }

    /// Whether coordinates are metres (written to the millimetre) rather than degrees.
    pub fn is_projected(self) -> bool {
        matches!(self, Self::WebMercator | Self::GaussKruger(_))
    }

    /// Round a written coordinate: 7 decimals of a degree (≈ 1 cm), or millimetres.
    pub fn round(self, v: f64) -> f64 {
        if self.is_projected() {
            (v * 1e3).round() / 1e3
        } else {
            (v * 1e7).round() / 1e7
        }
    }

    /// The conversion of a point in this system (its axis order) back to stored lon/lat.
    pub fn inverse(self) -> Result<Box<Inverse>, String> {
        Ok(match self {
            Self::Crs84 => Box::new(|x, y| Ok((x, y))),
            Self::Offset(o) => Box::new(move |x, y| Ok(o.invert(x, y))),
            Self::LatLon(_) => Box::new(|a, b| Ok((b, a))),
            Self::WebMercator => Box::new(|x, y| Ok(inverse_web_mercator(x, y))),
            Self::GaussKruger(g) => {
                let to = ToLonLat::new(Crs::GaussKruger(g.code)).map_err(|e| e.0)?;
                Box::new(move |n, e| to.apply(e, n))
            }
        })
    }

    /// A box given in this system (four numbers in its axis order), as lon/lat: the envelope
    /// of its corners and edge midpoints (a projected box's edges curve a little in lon/lat).
    pub fn box_to_lon_lat(self, n: [f64; 4]) -> Result<Bbox, String> {
        let [a0, b0, a1, b1] = n;
        if a0 > a1 || b0 > b1 {
            return Err("the bbox's lower corner is above or right of its upper corner".into());
        }
        let points = [
            (a0, b0),
            (a1, b0),
            (a0, b1),
            (a1, b1),
            ((a0 + a1) / 2.0, b0),
            ((a0 + a1) / 2.0, b1),
            (a0, (b0 + b1) / 2.0),
            (a1, (b0 + b1) / 2.0),
        ];
        let inverse = self.inverse()?;
        let mut out: Option<Bbox> = None;
        for (a, b) in points {
            let (lon, lat) = inverse(a, b)?;
            if !(lon.is_finite() && lat.is_finite()) {
                return Err(format!(
                    "the bbox corner ({a}, {b}) does not convert to lon/lat"
                ));
            }
            let p = Bbox {
                min_x: lon,
                min_y: lat,
                max_x: lon,
                max_y: lat,
            };
            out = Some(out.map_or(p, |b| b.union(&p)));
        }
        let b = out.ok_or("an empty bbox")?;
        if b.min_y < -90.0 || b.max_y > 90.0 || b.min_x < -180.0 || b.max_x > 180.0 {
            return Err(
                "the bbox lies outside the world in that CRS (are the axes in its order? EPSG:4490 and 4326 are latitude first, the Gauss-Krüger zones northing first)"
                    .into(),
            );
        }
        Ok(b)
    }
}

impl From<Offset> for Output {
    fn from(o: Offset) -> Self {
        match o {
            Offset::None => Self::Crs84,
            other => Self::Offset(other),
        }
    }
}

/// A conversion of one point back to lon/lat.
pub type Inverse = dyn Fn(f64, f64) -> Result<(f64, f64), String>;

const R: f64 = 6_378_137.0;

fn web_mercator(lon: f64, lat: f64) -> (f64, f64) {
    let lat = lat.clamp(-85.051_128_78, 85.051_128_78).to_radians();
    (
        R * lon.to_radians(),
        R * (std::f64::consts::FRAC_PI_4 + lat / 2.0).tan().ln(),
    )
}

fn inverse_web_mercator(x: f64, y: f64) -> (f64, f64) {
    (
        (x / R).to_degrees(),
        (2.0 * (y / R).exp().atan() - std::f64::consts::FRAC_PI_2).to_degrees(),
    )
}

/// A CGCS2000 Gauss-Krüger zone: central meridian and false easting (scale 1, no false
/// northing), with its EPSG code.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GaussKruger {
    pub code: u16,
    pub lon0: f64,
    pub false_easting: f64,
}

impl GaussKruger {
    /// (lon, lat) in degrees → (easting, northing) in metres, by Krüger's series.
    pub fn forward(self, lon: f64, lat: f64) -> (f64, f64) {
        let f = 1.0 / CGCS2000_INV_F;
        let n = f / (2.0 - f);
        let (n2, n3) = (n * n, n * n * n);
        let (n4, n5, n6) = (n2 * n2, n2 * n3, n3 * n3);
        let a_rect = CGCS2000_A / (1.0 + n) * (1.0 + n2 / 4.0 + n4 / 64.0 + n6 / 256.0);
        let alpha = [
            n / 2.0 - 2.0 * n2 / 3.0 + 5.0 * n3 / 16.0 + 41.0 * n4 / 180.0 - 127.0 * n5 / 288.0
                + 7891.0 * n6 / 37800.0,
            13.0 * n2 / 48.0 - 3.0 * n3 / 5.0 + 557.0 * n4 / 1440.0 + 281.0 * n5 / 630.0
                - 1_983_433.0 * n6 / 1_935_360.0,
            61.0 * n3 / 240.0 - 103.0 * n4 / 140.0
                + 15061.0 * n5 / 26880.0
                + 167_603.0 * n6 / 181_440.0,
            49561.0 * n4 / 161_280.0 - 179.0 * n5 / 168.0 + 6_601_661.0 * n6 / 7_257_600.0,
            34729.0 * n5 / 80640.0 - 3_418_889.0 * n6 / 1_995_840.0,
            212_378_941.0 * n6 / 319_334_400.0,
        ];
        let phi = lat.to_radians();
        let lambda = (lon - self.lon0).to_radians();
        let e = (f * (2.0 - f)).sqrt();
        let t = ((phi.sin()).atanh() - e * (e * phi.sin()).atanh()).sinh();
        let xi_p = t.atan2(lambda.cos());
        let eta_p = (lambda.sin() / (1.0 + t * t).sqrt()).atanh();
        let (mut xi, mut eta) = (xi_p, eta_p);
        for (j, a) in alpha.iter().enumerate() {
            let k = 2.0 * (j as f64 + 1.0);
            xi += a * (k * xi_p).sin() * (k * eta_p).cosh();
            eta += a * (k * xi_p).cos() * (k * eta_p).sinh();
        }
        (self.false_easting + a_rect * eta, a_rect * xi)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_part_2_names() {
        assert_eq!(Output::parse(CRS84_URI).unwrap(), Output::Crs84);
        assert_eq!(
            Output::parse("http://www.opengis.net/def/crs/EPSG/0/4490").unwrap(),
            Output::LatLon(4490)
        );
        assert_eq!(Output::parse("EPSG:3857").unwrap(), Output::WebMercator);
        assert!(matches!(
            Output::parse("http://www.opengis.net/def/crs/EPSG/0/4527").unwrap(),
            Output::GaussKruger(GaussKruger { code: 4527, .. })
        ));
        assert!(Output::parse("EPSG:2435").is_err());
        assert!(Output::parse("EPSG:4555").is_err());
        assert_eq!(supported_uris().len(), 1 + 3 + 64);
    }

    #[test]
    fn gauss_kruger_forward_agrees_with_proj_to_the_millimetre() {
        // Nancheng, Jiangxi, in the 3° zone 39 (EPSG:4527, 117°E, false easting 39,500 km)
        // and 1.4° off the central meridian of the 6° zone 20 (EPSG:4498, 117°E).
        for code in [4527u16, 4498, 4548] {
            let Output::GaussKruger(g) = Output::parse(&format!("EPSG:{code}")).unwrap() else {
                panic!("{code}");
            };
            let (lon, lat) = (116.64, 27.565);
            let (e, n) = g.forward(lon, lat);
            let back = ToLonLat::new(Crs::GaussKruger(code))
                .unwrap()
                .apply(e, n)
                .unwrap();
            let metres = ((back.0 - lon).powi(2) + (back.1 - lat).powi(2)).sqrt() * 111_000.0;
            assert!(metres < 0.001, "EPSG:{code}: {metres} m off");
        }
        // A known point: the central meridian at latitude 0 is (false easting, 0).
        let g = GaussKruger {
            code: 4527,
            lon0: 117.0,
            false_easting: 39_500_000.0,
        };
        let (e, n) = g.forward(117.0, 0.0);
        assert!((e - 39_500_000.0).abs() < 1e-6 && n.abs() < 1e-6);
        // One degree of latitude along the meridian: 110,574.4 m on GRS80 at the equator.
        let (_, n1) = g.forward(117.0, 1.0);
        assert!((n1 - 110_574.389).abs() < 0.01, "{n1}");
    }

    #[test]
    fn axis_order_follows_the_epsg_definitions() {
        let (a, b) = Output::LatLon(4490).apply(116.64, 27.565);
        assert_eq!((a, b), (27.565, 116.64));
        let gk = Output::parse("EPSG:4527").unwrap();
        let (north, east) = gk.apply(116.64, 27.565);
        assert!(north > 3_000_000.0 && (39_400_000.0..39_500_000.0).contains(&east));
        let (x, y) = Output::WebMercator.apply(116.64, 27.565);
        let back = inverse_web_mercator(x, y);
        assert!((back.0 - 116.64).abs() < 1e-9 && (back.1 - 27.565).abs() < 1e-9);
    }

    #[test]
    fn a_box_in_another_crs_becomes_lon_lat() {
        let b = Output::LatLon(4326)
            .box_to_lon_lat([27.5, 116.6, 27.6, 116.7])
            .unwrap();
        assert_eq!(
            (b.min_x, b.min_y, b.max_x, b.max_y),
            (116.6, 27.5, 116.7, 27.6)
        );
        let gk = Output::parse("EPSG:4527").unwrap();
        let (n0, e0) = gk.apply(116.6, 27.5);
        let (n1, e1) = gk.apply(116.7, 27.6);
        let b = gk.box_to_lon_lat([n0, e0, n1, e1]).unwrap();
        assert!(
            (b.min_x - 116.6).abs() < 1e-3 && (b.max_y - 27.6).abs() < 1e-3,
            "{b:?}"
        );
        assert!(
            Output::LatLon(4490)
                .box_to_lon_lat([116.6, 27.5, 116.7, 27.6])
                .is_err(),
            "longitude first in a latitude-first CRS is out of the world"
        );
    }
}
