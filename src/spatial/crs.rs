//! Coordinate reference systems parkland accepts: CGCS2000 only, as the natural-resources
//! system has required since 2018.
//!
//! * CGCS2000 geographic (EPSG:4490) and OGC CRS84 — stored as they come (lon/lat);
//! * CGCS2000 Gauss-Krüger projections, converted to lon/lat on input:
//!   6° zones 13–23 with zone prefix (EPSG:4491–4501), 6° by central meridian 75°E–135°E
//!   (EPSG:4502–4512), 3° zones 25–45 with prefix (EPSG:4513–4533, code = 4488 + zone) and
//!   3° by central meridian 75°E–135°E (EPSG:4534–4554).
//!
//! The projections are built from their defining parameters (transverse Mercator on GRS80,
//! scale 1, false easting 500 km plus the zone number × 1000 km where the zone is prefixed),
//! which is exactly what the EPSG definitions say; a unit test checks them against the
//! EPSG database bundled with proj4rs.
//!
//! Axis order: GeoJSON and shapefiles are always easting/longitude first. Only where a client
//! names a CRS the OGC way (`Content-Crs`) does the authority order apply — latitude first for
//! EPSG:4490, northing first for the Gauss-Krüger systems.

use proj4rs::Proj;
use std::fmt;

/// CGCS2000 ellipsoid (practically GRS80): semi-major axis and inverse flattening.
pub const CGCS2000_A: f64 = 6_378_137.0;
pub const CGCS2000_INV_F: f64 = 298.257_222_101;

/// A supported CRS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Crs {
    /// OGC CRS84: longitude, latitude (the GeoJSON default).
    Crs84,
    /// EPSG:4490 CGCS2000 geographic; authority order latitude, longitude.
    Cgcs2000,
    /// A CGCS2000 Gauss-Krüger projection by its EPSG code (4491–4554).
    GaussKruger(u16),
}

/// Why a CRS name was refused.
#[derive(Debug, Clone, PartialEq)]
pub struct CrsError(pub String);

impl fmt::Display for CrsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CrsError {}

/// The URI of CRS84 as OGC API – Features publishes it.
pub const CRS84_URI: &str = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";

impl Crs {
    /// Accepts `EPSG:4527`, `urn:ogc:def:crs:EPSG::4527`, `http://www.opengis.net/def/crs/EPSG/0/4527`,
    /// the same forms of CRS84, and the URI in angle brackets (as `Content-Crs` sends it).
    pub fn parse(raw: &str) -> Result<Self, CrsError> {
        let s = raw
            .trim()
            .trim_start_matches('<')
            .trim_end_matches('>')
            .trim();
        let lower = s.to_ascii_lowercase();
        if matches!(
            lower.as_str(),
            "crs84"
                | "ogc:crs84"
                | "urn:ogc:def:crs:ogc:1.3:crs84"
                | "urn:ogc:def:crs:ogc::crs84"
                | "http://www.opengis.net/def/crs/ogc/1.3/crs84"
                | "https://www.opengis.net/def/crs/ogc/1.3/crs84"
        ) {
            return Ok(Crs::Crs84);
        }
        let code = epsg_code_of(&lower).ok_or_else(|| {
            CrsError(format!(
                "`{s}` is not a CRS name parkland understands; use e.g. EPSG:4490"
            ))
        })?;
        Self::from_epsg(code)
    }

    /// The CRS for an EPSG code, or why it is not accepted.
    pub fn from_epsg(code: u32) -> Result<Self, CrsError> {
        match code {
            4490 => Ok(Crs::Cgcs2000),
            4491..=4554 => Ok(Crs::GaussKruger(code as u16)),
            4326 => Err(CrsError(
                "EPSG:4326 (WGS 84) is not accepted: the land register uses CGCS2000 only. \
                 Declare EPSG:4490 if the coordinates are CGCS2000 longitude/latitude"
                    .into(),
            )),
            4214 | 4610 | 2431..=2442 | 2327..=2390 => Err(CrsError(format!(
                "EPSG:{code} is a Beijing 1954 or Xi'an 1980 system; convert the data to CGCS2000 \
                 (EPSG:4490 or its Gauss-Krüger zones 4491–4554) before importing"
            ))),
            _ => Err(CrsError(format!(
                "EPSG:{code} is not supported; parkland accepts CGCS2000: EPSG:4490 or its \
                 Gauss-Krüger projections EPSG:4491–4554"
            ))),
        }
    }

    pub fn epsg(self) -> Option<u16> {
        match self {
            Crs::Crs84 => None,
            Crs::Cgcs2000 => Some(4490),
            Crs::GaussKruger(c) => Some(c),
        }
    }

    /// True when the CRS's authority axis order puts northing/latitude first.
    pub fn authority_order_is_north_first(self) -> bool {
        !matches!(self, Crs::Crs84)
    }

    pub fn is_projected(self) -> bool {
        matches!(self, Crs::GaussKruger(_))
    }

    /// Central meridian (degrees) and false easting (m) of a Gauss-Krüger code.
    pub fn gauss_kruger_parameters(code: u16) -> Option<(f64, f64)> {
        let code = f64::from(code);
        match code as u16 {
            4491..=4501 => {
                let zone = code - 4491.0 + 13.0;
                Some((zone * 6.0 - 3.0, zone * 1_000_000.0 + 500_000.0))
            }
            4502..=4512 => Some((75.0 + (code - 4502.0) * 6.0, 500_000.0)),
            4513..=4533 => {
                let zone = code - 4488.0;
                Some((zone * 3.0, zone * 1_000_000.0 + 500_000.0))
            }
            4534..=4554 => Some((75.0 + (code - 4534.0) * 3.0, 500_000.0)),
            _ => None,
        }
    }

    /// A PROJ definition string for this CRS.
    pub fn proj_string(self) -> String {
        match self {
            Crs::Crs84 | Crs::Cgcs2000 => "+proj=longlat +ellps=GRS80 +no_defs".into(),
            Crs::GaussKruger(code) => {
                let (lon0, x0) = Self::gauss_kruger_parameters(code).unwrap_or((117.0, 500_000.0));
                format!(
                    "+proj=tmerc +lat_0=0 +lon_0={lon0} +k=1 +x_0={x0} +y_0=0 +ellps=GRS80 +units=m +no_defs"
                )
            }
        }
    }

    /// The canonical name parkland reports, e.g. `EPSG:4527`.
    pub fn name(self) -> String {
        match self.epsg() {
            Some(c) => format!("EPSG:{c}"),
            None => "OGC:CRS84".into(),
        }
    }
}

pub(crate) fn epsg_code_of(lower: &str) -> Option<u32> {
    let rest = lower
        .strip_prefix("epsg:")
        .or_else(|| lower.strip_prefix("urn:ogc:def:crs:epsg::"))
        .or_else(|| lower.strip_prefix("urn:ogc:def:crs:epsg:"))
        .or_else(|| lower.strip_prefix("http://www.opengis.net/def/crs/epsg/0/"))
        .or_else(|| lower.strip_prefix("https://www.opengis.net/def/crs/epsg/0/"))?;
    // `urn:ogc:def:crs:EPSG:6.6:4490` carries a version before the code.
    let code = rest.rsplit(':').next()?;
    code.parse().ok()
}

/// Converts projected coordinates to CGCS2000 lon/lat (degrees). Built once per request or
/// import, then applied to every vertex.
pub struct ToLonLat {
    source: Option<(Proj, Proj)>,
}

impl ToLonLat {
    pub fn new(crs: Crs) -> Result<Self, CrsError> {
        if !crs.is_projected() {
            return Ok(Self { source: None });
        }
        let src = Proj::from_proj_string(&crs.proj_string())
            .map_err(|e| CrsError(format!("cannot set up {}: {e}", crs.name())))?;
        let dst = Proj::from_proj_string(&Crs::Cgcs2000.proj_string())
            .map_err(|e| CrsError(format!("cannot set up EPSG:4490: {e}")))?;
        Ok(Self {
            source: Some((src, dst)),
        })
    }

    /// (easting, northing) or (lon, lat) → (lon, lat) in degrees.
    pub fn apply(&self, x: f64, y: f64) -> Result<(f64, f64), String> {
        match &self.source {
            None => Ok((x, y)),
            Some((src, dst)) => {
                let mut p = (x, y, 0.0);
                proj4rs::transform::transform(src, dst, &mut p)
                    .map_err(|e| format!("cannot convert ({x}, {y}): {e}"))?;
                Ok((p.0.to_degrees(), p.1.to_degrees()))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_usual_spellings() {
        for s in [
            "EPSG:4490",
            "urn:ogc:def:crs:EPSG::4490",
            "http://www.opengis.net/def/crs/EPSG/0/4490",
            "<http://www.opengis.net/def/crs/EPSG/0/4490>",
        ] {
            assert_eq!(Crs::parse(s).unwrap(), Crs::Cgcs2000, "{s}");
        }
        assert_eq!(
            Crs::parse("urn:ogc:def:crs:OGC:1.3:CRS84").unwrap(),
            Crs::Crs84
        );
        assert_eq!(Crs::parse(CRS84_URI).unwrap(), Crs::Crs84);
        assert_eq!(Crs::parse("epsg:4527").unwrap(), Crs::GaussKruger(4527));
    }

    #[test]
    fn refuses_other_datums_with_a_reason() {
        assert!(Crs::parse("EPSG:4326").unwrap_err().0.contains("CGCS2000"));
        assert!(
            Crs::parse("EPSG:2435")
                .unwrap_err()
                .0
                .contains("Xi'an 1980")
        );
        assert!(Crs::parse("EPSG:3857").is_err());
        assert!(Crs::parse("mercator").is_err());
    }

    #[test]
    fn gauss_kruger_parameters_follow_the_epsg_numbering() {
        assert_eq!(
            Crs::gauss_kruger_parameters(4491),
            Some((75.0, 13_500_000.0))
        );
        assert_eq!(
            Crs::gauss_kruger_parameters(4501),
            Some((135.0, 23_500_000.0))
        );
        assert_eq!(Crs::gauss_kruger_parameters(4502), Some((75.0, 500_000.0)));
        assert_eq!(Crs::gauss_kruger_parameters(4512), Some((135.0, 500_000.0)));
        assert_eq!(
            Crs::gauss_kruger_parameters(4513),
            Some((75.0, 25_500_000.0))
        );
        assert_eq!(
            Crs::gauss_kruger_parameters(4527),
            Some((117.0, 39_500_000.0))
        );
        assert_eq!(Crs::gauss_kruger_parameters(4548), Some((117.0, 500_000.0)));
        assert_eq!(Crs::gauss_kruger_parameters(4554), Some((135.0, 500_000.0)));
    }

    /// Our generated definitions must agree with the EPSG database for all 64 codes.
    #[test]
    fn generated_projections_match_the_epsg_database() {
        let lonlat = Proj::from_proj_string(&Crs::Cgcs2000.proj_string()).unwrap();
        for code in 4491u16..=4554 {
            let ours = ToLonLat::new(Crs::GaussKruger(code)).unwrap();
            let theirs = Proj::from_epsg_code(code).unwrap();
            let (cm, x0) = Crs::gauss_kruger_parameters(code).unwrap();
            // A point 10 km east of the central meridian at 30°N.
            let (e, n) = (x0 + 10_000.0, 3_320_000.0);
            let (lon, lat) = ours.apply(e, n).unwrap();
            let mut p = (e, n, 0.0);
            proj4rs::transform::transform(&theirs, &lonlat, &mut p).unwrap();
            assert!(
                (lon - p.0.to_degrees()).abs() < 1e-9,
                "{code}: lon {lon} vs {}",
                p.0.to_degrees()
            );
            assert!((lat - p.1.to_degrees()).abs() < 1e-9, "{code}");
            assert!((lon - cm).abs() < 0.2, "{code}: near its central meridian");
        }
    }

    /// Reference point computed with PROJ 9 (`cs2cs EPSG:4527 EPSG:4490`, northing first).
    #[test]
    fn converts_a_nancheng_point_like_proj() {
        let t = ToLonLat::new(Crs::GaussKruger(4527)).unwrap();
        let (lon, lat) = t.apply(39_463_456.789, 3_049_876.543).unwrap();
        assert!((lon - 116.629_971_293).abs() < 1e-8, "{lon}");
        assert!((lat - 27.561_256_167).abs() < 1e-8, "{lat}");
    }
}
