//! The spatial predicates of CQL2 (`S_INTERSECTS`, `S_DISJOINT`, `S_WITHIN`, `S_CONTAINS`,
//! `S_DWITHIN`) of a feature's footprint against a literal geometry, on `geo`. SQLite's SQL
//! function and the computed layers' in-memory filter both answer with these; PostGIS answers
//! with its own.

use geo::{BoundingRect, Distance, Euclidean, Intersects, MapCoords, Relate};

/// A spatial predicate; the literal in CGCS2000 lon/lat.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Predicate {
    Intersects,
    Disjoint,
    /// The feature lies within the literal.
    Within,
    /// The feature contains the literal.
    Contains,
    /// Within this many metres of the literal.
    DWithin(f64),
}

/// Whether the predicate holds of `feature` against `literal`.
pub fn holds(
    feature: &geo::MultiPolygon<f64>,
    predicate: Predicate,
    literal: &geo::Geometry<f64>,
) -> bool {
    match predicate {
        Predicate::Intersects => feature.intersects(literal),
        Predicate::Disjoint => !feature.intersects(literal),
        Predicate::Within => feature.relate(literal).is_within(),
        Predicate::Contains => feature.relate(literal).is_contains(),
        Predicate::DWithin(metres) => {
            // Metres on a local plane at the literal's latitude: within 0.5 % over the few
            // kilometres a park spans (PostGIS measures on the spheroid).
            let lat0 = literal
                .bounding_rect()
                .map_or(0.0, |r| (r.min().y + r.max().y) / 2.0);
            let kx = 111_320.0 * lat0.to_radians().cos();
            let plane = |c: geo::Coord<f64>| geo::Coord {
                x: c.x * kx,
                y: c.y * 110_574.0,
            };
            let a = geo::Geometry::MultiPolygon(feature.map_coords(plane));
            let b = literal.map_coords(plane);
            Euclidean.distance(&a, &b) <= metres
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{MultiPolygon, Point, polygon};

    fn square(x: f64, y: f64, d: f64) -> MultiPolygon<f64> {
        MultiPolygon(vec![
            polygon![(x: x, y: y), (x: x + d, y: y), (x: x + d, y: y + d), (x: x, y: y + d)],
        ])
    }

    #[test]
    fn each_predicate() {
        let parcel = square(116.60, 27.50, 0.001);
        let around = geo::Geometry::MultiPolygon(square(116.59, 27.49, 0.1));
        let inside = geo::Geometry::Point(Point::new(116.6005, 27.5005));
        let away = geo::Geometry::Point(Point::new(116.61, 27.50));
        assert!(holds(&parcel, Predicate::Intersects, &inside));
        assert!(holds(&parcel, Predicate::Disjoint, &away));
        assert!(holds(&parcel, Predicate::Within, &around));
        assert!(!holds(&parcel, Predicate::Within, &inside));
        assert!(holds(&parcel, Predicate::Contains, &inside));
        // `away` is ~890 m east of the parcel's east edge (0.009° at 27.5°N).
        assert!(!holds(&parcel, Predicate::DWithin(850.0), &away));
        assert!(holds(&parcel, Predicate::DWithin(900.0), &away));
    }
}
