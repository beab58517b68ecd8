//! The spatial filters, in each backend's own terms.
//!
//! PostGIS answers with its GiST index (`&&`, `ST_Intersects`). SQLite prefilters with the
//! R*Tree of parcel extents and, for exact answers inside SQL (so counts and paging stay
//! right), calls `parkland_intersects_box`, a Rust function on `geo` registered on every
//! SQLite connection.

use super::schema::parcels;
use super::{Backend, MultiBackend};
use crate::spatial::{Bbox, wkb};
use diesel::dsl::sql;
use diesel::expression::BoxableExpression;
use diesel::prelude::*;
use diesel::sql_types::{Binary, Bool, Double, Text};
use geo::{Intersects, Rect};

/// A boxed filter on the parcels table that works on either backend.
pub type ParcelFilter = Box<dyn BoxableExpression<parcels::table, MultiBackend, SqlType = Bool>>;

#[diesel::declare_sql_function]
extern "SQL" {
    /// Whether an EWKB geometry intersects the box (SQLite only; PostGIS has its own).
    fn parkland_intersects_box(
        geom: Binary,
        min_x: Double,
        min_y: Double,
        max_x: Double,
        max_y: Double,
    ) -> Bool;
}

#[diesel::declare_sql_function]
extern "SQL" {
    /// A CQL2 spatial predicate of an EWKB geometry against a WKT literal in lon/lat
    /// (`intersects`, `disjoint`, `within`, `contains`, or `dwithin` the distance in metres):
    /// SQLite only, PostGIS has its own.
    fn parkland_cql_spatial(geom: Binary, op: Text, wkt: Text, metres: Double) -> Bool;
}

/// Register the Rust geometry functions on a SQLite connection.
pub fn register_sqlite_functions(conn: &mut diesel::SqliteConnection) -> diesel::QueryResult<()> {
    parkland_cql_spatial_utils::register_impl(
        conn,
        |geom: Vec<u8>, op: String, wkt: String, metres: f64| cql_spatial(&geom, &op, &wkt, metres),
    )?;
    parkland_intersects_box_utils::register_impl(
        conn,
        |geom: Vec<u8>, min_x: f64, min_y: f64, max_x: f64, max_y: f64| {
            let rect = Rect::new((min_x, min_y), (max_x, max_y));
            wkb::decode(&geom).is_ok_and(|mp| mp.intersects(&rect))
        },
    )
}

/// The predicate `parkland_cql_spatial` answers: false for anything it cannot read.
fn cql_spatial(geom: &[u8], op: &str, wkt: &str, metres: f64) -> bool {
    use crate::spatial::predicates::{Predicate, holds};
    use wkt::TryFromWkt;
    let predicate = match op {
        "intersects" => Predicate::Intersects,
        "disjoint" => Predicate::Disjoint,
        "within" => Predicate::Within,
        "contains" => Predicate::Contains,
        "dwithin" => Predicate::DWithin(metres),
        _ => return false,
    };
    match (
        wkb::decode(geom),
        geo::Geometry::<f64>::try_from_wkt_str(wkt),
    ) {
        (Ok(parcel), Ok(literal)) => holds(&parcel, predicate, &literal),
        _ => false,
    }
}

/// `prefix` min_x, min_y, max_x, max_y `suffix`, the four numbers bound as parameters; boxed
/// as the filter type the caller names (either store's, or PostgreSQL's own).
macro_rules! with_box {
    ($prefix:expr, $b:expr, $suffix:expr $(,)?) => {{
        let b: Bbox = $b;
        Box::new(
            sql::<Bool>($prefix)
                .bind::<Double, _>(b.min_x)
                .sql(", ")
                .bind::<Double, _>(b.min_y)
                .sql(", ")
                .bind::<Double, _>(b.max_x)
                .sql(", ")
                .bind::<Double, _>(b.max_y)
                .sql($suffix),
        )
    }};
}

/// [`parcel_intersects`] on PostgreSQL, typed for a `PgConnection` of its own: the query a
/// map page reads row by row (`store::parcels::query_each`).
pub fn pg_parcel_intersects(
    b: Bbox,
) -> Box<dyn BoxableExpression<parcels::table, diesel::pg::Pg, SqlType = Bool>> {
    with_box!(PG_INTERSECTS[0], b, PG_INTERSECTS[1])
}

/// PostGIS's exact `bbox` test, the box bound between the two parts: the GiST index selects
/// by `&&` inside `ST_Intersects`, which then decides.
const PG_INTERSECTS: [&str; 2] = ["ST_Intersects(parcels.geom, ST_MakeEnvelope(", ", 4490))"];

/// SQLite: the parcels whose extent, in the R*Tree, meets the box.
fn rtree_candidates(b: Bbox) -> ParcelFilter {
    Box::new(
        sql::<Bool>("parcels.id IN (SELECT id FROM parcels_rtree WHERE min_x <= ")
            .bind::<Double, _>(b.max_x)
            .sql(" AND max_x >= ")
            .bind::<Double, _>(b.min_x)
            .sql(" AND min_y <= ")
            .bind::<Double, _>(b.max_y)
            .sql(" AND max_y >= ")
            .bind::<Double, _>(b.min_y)
            .sql(")"),
    )
}

/// Parcels whose extent meets the box: an index lookup, giving candidates for exact checks.
pub fn parcel_extent_meets(backend: Backend, b: Bbox) -> ParcelFilter {
    match backend {
        Backend::Postgres => with_box!("parcels.geom && ST_MakeEnvelope(", b, ", 4490)"),
        Backend::Sqlite => rtree_candidates(b),
    }
}

/// Parcels whose geometry intersects the box (the OGC API `bbox` rule), exactly.
pub fn parcel_intersects(backend: Backend, b: Bbox) -> ParcelFilter {
    match backend {
        Backend::Postgres => with_box!(PG_INTERSECTS[0], b, PG_INTERSECTS[1]),
        Backend::Sqlite => Box::new(rtree_candidates(b).and(with_box!(
            "parkland_intersects_box(parcels.geom, ",
            b,
            ")",
        ))),
    }
}
