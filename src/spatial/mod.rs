//! Geometry on `geo`: validation, geodesic area, overlap, CRS conversion, GeoJSON and WKB.
//!
//! The database stores and indexes geometry; every rule about it (validity, area, overlap,
//! containment) is computed here, identically for SQLite and PostGIS.

pub mod crs;
pub mod geojson_out;
pub mod input;
pub mod measure;
pub mod mvt;
pub mod offset;
pub mod output;
pub mod predicates;
pub mod validity;
pub mod wkb;

use crate::refusal::FieldError;
use geo::{BoundingRect, InteriorPoint, MultiPolygon, Point};

/// An axis-aligned box in lon/lat degrees.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bbox {
    pub min_x: f64,
    pub min_y: f64,
    pub max_x: f64,
    pub max_y: f64,
}

impl Bbox {
    pub fn of(mp: &MultiPolygon<f64>) -> Option<Self> {
        mp.bounding_rect().map(|r| Self {
            min_x: r.min().x,
            min_y: r.min().y,
            max_x: r.max().x,
            max_y: r.max().y,
        })
    }

    pub fn intersects(&self, other: &Bbox) -> bool {
        self.min_x <= other.max_x
            && other.min_x <= self.max_x
            && self.min_y <= other.max_y
            && other.min_y <= self.max_y
    }

    /// An upper bound, in m², of the area two boxes share — hence of the overlap of anything
    /// inside them. Neighbouring parcels that only touch give 0 here, which lets overlap checks
    /// skip the exact (costlier) computation. The bound uses the largest length of a degree on
    /// the ellipsoid (≤ 111,700 m) and the cosine of the box's latitude nearest the equator.
    pub fn shared_area_upper_bound_m2(&self, other: &Bbox) -> f64 {
        let dx = self.max_x.min(other.max_x) - self.min_x.max(other.min_x);
        let dy = self.max_y.min(other.max_y) - self.min_y.max(other.min_y);
        if dx <= 0.0 || dy <= 0.0 {
            return 0.0;
        }
        let (lo, hi) = (self.min_y.max(other.min_y), self.max_y.min(other.max_y));
        let nearest_equator = if lo <= 0.0 && hi >= 0.0 {
            0.0
        } else {
            lo.abs().min(hi.abs())
        };
        const M_PER_DEGREE_MAX: f64 = 111_700.0;
        dx * M_PER_DEGREE_MAX * nearest_equator.to_radians().cos() * dy * M_PER_DEGREE_MAX
    }

    /// The smallest box covering both.
    pub fn union(&self, other: &Bbox) -> Bbox {
        Bbox {
            min_x: self.min_x.min(other.min_x),
            min_y: self.min_y.min(other.min_y),
            max_x: self.max_x.max(other.max_x),
            max_y: self.max_y.max(other.max_y),
        }
    }
}

/// Bounds on a plausible area for a kind of footprint.
#[derive(Debug, Clone, Copy)]
pub struct AreaLimits {
    pub what: &'static str,
    pub what_zh: &'static str,
    pub min_m2: f64,
    pub max_m2: f64,
}

impl AreaLimits {
    /// A parcel: from 1 m² to 50 km² (75,000 亩 — far beyond any single grant).
    pub const PARCEL: AreaLimits = AreaLimits {
        what: "a parcel",
        what_zh: "宗地",
        min_m2: 1.0,
        max_m2: 50e6,
    };
    /// A park or zone boundary: up to 5,000 km².
    pub const PARK: AreaLimits = AreaLimits {
        what: "a park or zone",
        what_zh: "园区或片区",
        min_m2: 100.0,
        max_m2: 5e9,
    };
}

/// A checked polygonal footprint in CGCS2000 lon/lat, with its geodesic area and extent.
///
/// Only [`Footprint::new`] makes one from outside input, so holding one means the geometry is
/// valid (OGC simple-features rules), non-empty and of plausible size.
#[derive(Debug, Clone)]
pub struct Footprint {
    geometry: MultiPolygon<f64>,
    area_m2: f64,
    bbox: Bbox,
    /// Found when the footprint is checked (off the HTTP workers and before any write lock),
    /// or when first asked for a stored one: for a large boundary it is real work.
    interior: std::sync::OnceLock<Option<Point<f64>>>,
}

impl Footprint {
    pub fn new(
        field: &str,
        geometry: MultiPolygon<f64>,
        limits: AreaLimits,
    ) -> Result<Self, FieldError> {
        if let Err(e) = validity::check(&geometry) {
            return Err(FieldError::both(field, e.to_string(), e.zh()));
        }
        let bbox =
            Bbox::of(&geometry).ok_or_else(|| FieldError::new(field, "is empty").zh("为空"))?;
        let area_m2 = measure::area_m2(&geometry);
        if area_m2 < limits.min_m2 || area_m2 > limits.max_m2 {
            return Err(FieldError::new(
                field,
                format!(
                    "encloses {area_m2:.2} m², not a plausible area for {} ({} m² to {} km²)",
                    limits.what,
                    limits.min_m2,
                    limits.max_m2 / 1e6
                ),
            )
            .zh(format!(
                "面积 {area_m2:.2} m²，不像是{}的面积（{} m² 至 {} km²）",
                limits.what_zh,
                limits.min_m2,
                limits.max_m2 / 1e6
            )));
        }
        let interior = std::sync::OnceLock::new();
        let _ = interior.set(geometry.interior_point());
        Ok(Self {
            geometry,
            area_m2,
            bbox,
            interior,
        })
    }

    /// Wrap geometry read back from the register (already checked when it was written).
    pub fn from_stored(geometry: MultiPolygon<f64>) -> Self {
        let bbox = Bbox::of(&geometry).unwrap_or(Bbox {
            min_x: 0.0,
            min_y: 0.0,
            max_x: 0.0,
            max_y: 0.0,
        });
        let area_m2 = measure::area_m2(&geometry);
        Self {
            geometry,
            area_m2,
            bbox,
            interior: std::sync::OnceLock::new(),
        }
    }

    pub fn geometry(&self) -> &MultiPolygon<f64> {
        &self.geometry
    }

    pub fn into_geometry(self) -> MultiPolygon<f64> {
        self.geometry
    }

    pub fn area_m2(&self) -> f64 {
        self.area_m2
    }

    /// The plane area in its Gauss-Krüger zone, m², and the zone ([`measure::plane_area_m2`]).
    pub fn plane_area(&self) -> Option<(f64, u16)> {
        measure::plane_area_m2(&self.geometry)
    }

    pub fn bbox(&self) -> Bbox {
        self.bbox
    }

    /// A point guaranteed to lie inside the footprint (used to place a parcel in its zone).
    pub fn interior_point(&self) -> Option<Point<f64>> {
        *self.interior.get_or_init(|| self.geometry.interior_point())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;

    #[test]
    fn the_shared_box_area_bounds_any_overlap() {
        let a = Bbox {
            min_x: 116.63,
            min_y: 27.56,
            max_x: 116.632,
            max_y: 27.562,
        };
        let touching = Bbox {
            min_x: 116.632,
            min_y: 27.56,
            max_x: 116.634,
            max_y: 27.562,
        };
        assert_eq!(a.shared_area_upper_bound_m2(&touching), 0.0);
        let half = Bbox {
            min_x: 116.631,
            ..a
        };
        let bound = a.shared_area_upper_bound_m2(&half);
        let sq = |b: Bbox| {
            MultiPolygon(vec![
                geo::Rect::new((b.min_x, b.min_y), (b.max_x, b.max_y)).to_polygon(),
            ])
        };
        let exact = measure::overlap_m2(&sq(a), &sq(half));
        assert!(bound >= exact && bound < exact * 1.02, "{bound} vs {exact}");
    }

    #[test]
    fn self_intersections_are_refused() {
        let bowtie = polygon![(x: 116.64, y: 27.56), (x: 116.65, y: 27.57), (x: 116.65, y: 27.56), (x: 116.64, y: 27.57), (x: 116.64, y: 27.56)];
        let e =
            Footprint::new("geometry", MultiPolygon(vec![bowtie]), AreaLimits::PARCEL).unwrap_err();
        assert!(e.message.contains("self-intersection"), "{}", e.message);
    }

    #[test]
    fn implausible_areas_are_refused() {
        let tiny = polygon![(x: 116.64, y: 27.56), (x: 116.640001, y: 27.56), (x: 116.640001, y: 27.560001), (x: 116.64, y: 27.56)];
        let e =
            Footprint::new("geometry", MultiPolygon(vec![tiny]), AreaLimits::PARCEL).unwrap_err();
        assert!(e.message.contains("not a plausible area"), "{}", e.message);
    }

    #[test]
    fn a_valid_footprint_knows_its_area_and_extent() {
        let sq = polygon![(x: 116.64, y: 27.56), (x: 116.641, y: 27.56), (x: 116.641, y: 27.561), (x: 116.64, y: 27.561), (x: 116.64, y: 27.56)];
        let f = Footprint::new("geometry", MultiPolygon(vec![sq]), AreaLimits::PARCEL).unwrap();
        assert!((f.area_m2() - 10_943.617).abs() < 0.01, "{}", f.area_m2()); // PostGIS ST_Area(geography)
        assert_eq!(f.bbox().max_x, 116.641);
        assert!(f.interior_point().is_some());
    }
}
