//! Areas on the CGCS2000 ellipsoid and the overlap measures the register's rules use.
//!
//! Areas are geodesic (Karney's algorithm via geographiclib) on the CGCS2000 ellipsoid, so
//! they agree with survey software to well under a square metre for parcels, and never come
//! from squared degrees. Overlaps are computed with `geo`'s boolean operations in lon/lat
//! and then measured the same way.

use super::crs::{CGCS2000_A, CGCS2000_INV_F};
use geo::{BooleanOps, LineString, MultiPolygon};
use geographiclib_rs::{Geodesic, PolygonArea, Winding};
use std::sync::LazyLock;

static CGCS2000: LazyLock<Geodesic> =
    LazyLock::new(|| Geodesic::new(CGCS2000_A, 1.0 / CGCS2000_INV_F));

/// Unsigned geodesic area of a closed ring of lon/lat degrees, m².
fn ring_area_m2(ring: &LineString<f64>) -> f64 {
    let coords = &ring.0;
    let n = if coords.len() > 1 && coords.first() == coords.last() {
        coords.len() - 1
    } else {
        coords.len()
    };
    if n < 3 {
        return 0.0;
    }
    let mut pa = PolygonArea::new(&CGCS2000, Winding::CounterClockwise);
    for c in &coords[..n] {
        pa.add_point(c.y, c.x);
    }
    pa.compute(true).1.abs()
}

/// Geodesic area of a (multi)polygon in lon/lat degrees: exteriors minus holes, m².
pub fn area_m2(mp: &MultiPolygon<f64>) -> f64 {
    mp.0.iter()
        .map(|p| ring_area_m2(p.exterior()) - p.interiors().iter().map(ring_area_m2).sum::<f64>())
        .sum::<f64>()
        .max(0.0)
}

/// Area shared by `a` and `b`, m².
pub fn overlap_m2(a: &MultiPolygon<f64>, b: &MultiPolygon<f64>) -> f64 {
    area_m2(&a.intersection(b))
}

/// Area of `a` lying outside `container`, m².
pub fn outside_m2(a: &MultiPolygon<f64>, container: &MultiPolygon<f64>) -> f64 {
    area_m2(&a.difference(container))
}

/// Area where `a` and `b` differ (symmetric difference), m²: zero when they cover the same
/// ground, whatever their vertices.
pub fn difference_m2(a: &MultiPolygon<f64>, b: &MultiPolygon<f64>) -> f64 {
    area_m2(&a.xor(b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Coord, Polygon};

    /// A lon/lat rectangle.
    fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> MultiPolygon<f64> {
        MultiPolygon(vec![Polygon::new(
            LineString(vec![
                Coord { x: x0, y: y0 },
                Coord { x: x1, y: y0 },
                Coord { x: x1, y: y1 },
                Coord { x: x0, y: y1 },
                Coord { x: x0, y: y0 },
            ]),
            vec![],
        )])
    }

    /// A 0.01° × 0.01° cell at 27.56°N: the ellipsoidal answer, checked against PostGIS
    /// `ST_Area(geography)` (same algorithm, WGS84 ellipsoid): 1,094,317.79 m².
    #[test]
    fn geodesic_area_of_a_cell_near_nancheng() {
        let a = area_m2(&rect(116.63, 27.56, 116.64, 27.57));
        assert!((a - 1_094_317.79).abs() < 0.05, "{a}");
    }

    #[test]
    fn winding_and_closure_do_not_matter_and_holes_subtract() {
        let ccw = rect(116.63, 27.56, 116.64, 27.57);
        let mut cw = ccw.clone();
        cw.0[0].exterior_mut(|r| r.0.reverse());
        assert!((area_m2(&ccw) - area_m2(&cw)).abs() < 1e-6);

        let outer = rect(116.63, 27.56, 116.64, 27.57).0.remove(0);
        let hole = rect(116.632, 27.562, 116.634, 27.564).0.remove(0);
        let with_hole = MultiPolygon(vec![Polygon::new(
            outer.exterior().clone(),
            vec![hole.exterior().clone()],
        )]);
        let expected = area_m2(&ccw) - area_m2(&MultiPolygon(vec![hole]));
        assert!((area_m2(&with_hole) - expected).abs() < 1e-6);
    }

    #[test]
    fn overlap_and_differences() {
        let a = rect(116.630, 27.560, 116.632, 27.562);
        let b = rect(116.631, 27.560, 116.633, 27.562); // half of a
        let half = area_m2(&a) / 2.0;
        assert!((overlap_m2(&a, &b) - half).abs() < 0.5);
        assert!((outside_m2(&a, &b) - half).abs() < 0.5);
        let c = rect(116.632, 27.560, 116.634, 27.562); // touches a on an edge
        assert!(overlap_m2(&a, &c) < 1e-6);
        assert!(difference_m2(&a, &a.clone()) < 1e-6);
    }
}
