//! Areas on the CGCS2000 ellipsoid and the overlap measures the register's rules use.
//!
//! Areas are geodesic (Karney's algorithm via geographiclib) on the CGCS2000 ellipsoid, so
//! they agree with survey software to well under a square metre for parcels, and never come
//! from squared degrees. Overlaps are computed with `geo`'s boolean operations in lon/lat
//! and then measured the same way.
//!
//! Two surveys quote two areas. The land survey (国土调查) uses the ellipsoidal area — the
//! register's `area_m2`. The cadastral survey (地籍调查) and the property certificate
//! (不动产权证书) use the plane area in the CGCS2000 3° Gauss-Krüger zone the parcel lies in
//! (EPSG:4534–4554, by central meridian) — [`plane_area_m2`]. Near a zone's central meridian
//! the two agree to a few parts in a million; at its edge the projection's scale makes the
//! plane area up to about 0.14 % larger.

use super::crs::{CGCS2000_A, CGCS2000_INV_F, Crs};
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

/// The CGCS2000 3° Gauss-Krüger zone by central meridian (EPSG:4534–4554) whose central
/// meridian is nearest the middle of `mp`'s extent; `None` outside 73.5°E–136.5°E.
pub fn plane_zone(mp: &MultiPolygon<f64>) -> Option<u16> {
    use geo::BoundingRect;
    let rect = mp.bounding_rect()?;
    let lon = (rect.min().x + rect.max().x) / 2.0;
    let meridian = (lon / 3.0).round() * 3.0;
    if !(75.0..=135.0).contains(&meridian) {
        return None;
    }
    Some(4534 + ((meridian - 75.0) / 3.0) as u16)
}

/// One projection per 3° zone, built once: (CGCS2000 geographic, the zone's Gauss-Krüger).
static ZONES: LazyLock<Vec<Option<(proj4rs::Proj, proj4rs::Proj)>>> = LazyLock::new(|| {
    (4534..=4554u16)
        .map(|code| {
            let lonlat = proj4rs::Proj::from_proj_string(&Crs::Cgcs2000.proj_string()).ok()?;
            let plane =
                proj4rs::Proj::from_proj_string(&Crs::GaussKruger(code).proj_string()).ok()?;
            Some((lonlat, plane))
        })
        .collect()
});

/// Shoelace area of a ring projected vertex by vertex, m²; `None` if a vertex cannot be.
fn plane_ring_m2(ring: &LineString<f64>, zone: &(proj4rs::Proj, proj4rs::Proj)) -> Option<f64> {
    let mut projected = Vec::with_capacity(ring.0.len());
    for c in &ring.0 {
        let mut p = (c.x.to_radians(), c.y.to_radians(), 0.0);
        proj4rs::transform::transform(&zone.0, &zone.1, &mut p).ok()?;
        projected.push((p.0, p.1));
    }
    let twice: f64 = projected
        .windows(2)
        .map(|w| w[0].0 * w[1].1 - w[1].0 * w[0].1)
        .sum();
    Some((twice / 2.0).abs())
}

/// The plane area of `mp` in its 3° Gauss-Krüger zone ([`plane_zone`]), m², with the zone's
/// EPSG code: the figure of the cadastral survey and the property certificate.
pub fn plane_area_m2(mp: &MultiPolygon<f64>) -> Option<(f64, u16)> {
    let code = plane_zone(mp)?;
    let zone = ZONES.get(usize::from(code - 4534))?.as_ref()?;
    let mut total = 0.0;
    for polygon in &mp.0 {
        total += plane_ring_m2(polygon.exterior(), zone)?;
        for hole in polygon.interiors() {
            total -= plane_ring_m2(hole, zone)?;
        }
    }
    Some((total.max(0.0), code))
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

    /// A 100 m × 200 m rectangle drawn in EPSG:4548 (3° zone, central meridian 117°E) near
    /// Nancheng: its plane area is exactly the product of its sides, its ellipsoidal area a
    /// little less (the projection's scale grows away from the central meridian).
    #[test]
    fn the_plane_area_of_a_gauss_kruger_rectangle_is_its_side_product() {
        use crate::spatial::crs::ToLonLat;
        let to = ToLonLat::new(Crs::GaussKruger(4548)).unwrap();
        let (x0, y0) = (462_000.0, 3_049_000.0);
        let corners = [
            (x0, y0),
            (x0 + 100.0, y0),
            (x0 + 100.0, y0 + 200.0),
            (x0, y0 + 200.0),
            (x0, y0),
        ];
        let ring: Vec<(f64, f64)> = corners
            .iter()
            .map(|&(x, y)| to.apply(x, y).unwrap())
            .collect();
        let mp = MultiPolygon::new(vec![geo::Polygon::new(LineString::from(ring), vec![])]);
        let (plane, code) = plane_area_m2(&mp).unwrap();
        assert_eq!(code, 4548);
        assert!((plane - 20_000.0).abs() < 1e-4, "{plane}");
        let ellipsoidal = area_m2(&mp);
        assert!(
            ellipsoidal < plane && plane - ellipsoidal < 2.0,
            "{ellipsoidal}"
        );
        // West of 115.5°E the 114°E zone (EPSG:4547) applies.
        let west = MultiPolygon::new(vec![geo::Polygon::new(
            LineString::from(vec![
                (115.4, 27.0),
                (115.41, 27.0),
                (115.41, 27.01),
                (115.4, 27.0),
            ]),
            vec![],
        )]);
        assert_eq!(plane_zone(&west), Some(4547));
        let abroad = MultiPolygon::new(vec![geo::Polygon::new(
            LineString::from(vec![(10.0, 50.0), (10.1, 50.0), (10.1, 50.1), (10.0, 50.0)]),
            vec![],
        )]);
        assert_eq!(plane_area_m2(&abroad), None);
    }
}
