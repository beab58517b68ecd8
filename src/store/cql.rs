//! CQL2 filters on the parcels (OGC API – Features Part 3), as SQL on either backend.
//!
//! The HTTP edge parses `filter=` with the `cql2` crate and checks it against
//! [`PARCEL_QUERYABLES`] into a [`Filter`]; here it becomes one boxed WHERE clause. Column names
//! come only from the queryables table, every value is a bound parameter, so no part of a
//! client's filter reaches the SQL text. PostGIS evaluates the spatial predicates with its
//! index; SQLite prefilters with the R*Tree and calls `parkland_cql_spatial`, a Rust function
//! on `geo` (see `spatial_sql`).

use super::Backend;
use super::spatial_sql::{ParcelFilter, parcel_extent_meets};
use crate::spatial::Bbox;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Date, Double, Text, Timestamp};
use geo::BoundingRect;

/// What kind of value a queryable holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Integer,
    Number,
    Boolean,
    Date,
    Timestamp,
}

impl Kind {
    /// The JSON Schema `type` (and `format`) of the queryables document.
    pub fn json_schema(self) -> (&'static str, Option<&'static str>) {
        match self {
            Self::Text => ("string", None),
            Self::Integer => ("integer", None),
            Self::Number => ("number", None),
            Self::Boolean => ("boolean", None),
            Self::Date => ("string", Some("date")),
            Self::Timestamp => ("string", Some("date-time")),
        }
    }
}

/// A property a filter may name: its name in the features, title, kind and SQL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Queryable {
    pub name: &'static str,
    pub title: &'static str,
    pub kind: Kind,
    column: &'static str,
}

impl Queryable {
    /// The SQL of the property (a column, or an expression of one), for ordering.
    pub fn column(&self) -> &'static str {
        self.column
    }
}

/// A property of a computed layer (idle land, workshops …): filtered in memory on the
/// features as written (see `api::ogc::computed_filter`), never in SQL, so it has no column.
pub const fn computed(name: &'static str, title: &'static str, kind: Kind) -> Queryable {
    q(name, title, kind, "")
}

const fn q(name: &'static str, title: &'static str, kind: Kind, column: &'static str) -> Queryable {
    Queryable {
        name,
        title,
        kind,
        column,
    }
}

/// The queryables of the public plots: the first sixteen of the parcels', what an applicant
/// sees of a plot.
pub const PLOT_QUERYABLES: &[Queryable] = PARCEL_QUERYABLES.split_at(16).0;

/// The parcels' queryables (besides `geometry`), in the order the document lists them: the
/// public ones first (see [`PLOT_QUERYABLES`]).
pub const PARCEL_QUERYABLES: &[Queryable] = &[
    q("code", "宗地代码 Parcel code", Kind::Text, "parcels.code"),
    q("name", "名称 Name", Kind::Text, "parcels.name"),
    q("location", "坐落 Location", Kind::Text, "parcels.location"),
    q(
        "land_use",
        "用地用海分类 Land use",
        Kind::Text,
        "parcels.land_use",
    ),
    q("park_id", "园区 Park id", Kind::Integer, "parcels.park_id"),
    q("zone_id", "片区 Zone id", Kind::Integer, "parcels.zone_id"),
    q(
        "area_m2",
        "面积（平方米）Area, m²",
        Kind::Number,
        "parcels.area_m2",
    ),
    // 1 亩 = 10,000/15 m².
    q(
        "area_mu",
        "面积（亩）Area, mu",
        Kind::Number,
        "(parcels.area_m2 * 0.0015)",
    ),
    q(
        "far_min",
        "容积率下限 Floor-area ratio, min",
        Kind::Number,
        "parcels.far_min",
    ),
    q(
        "far_max",
        "容积率上限 Floor-area ratio, max",
        Kind::Number,
        "parcels.far_max",
    ),
    q(
        "building_density_min_pct",
        "建筑密度下限（%）Building density, min",
        Kind::Number,
        "parcels.building_density_min_pct",
    ),
    q(
        "building_density_max_pct",
        "建筑密度上限（%）Building density, max",
        Kind::Number,
        "parcels.building_density_max_pct",
    ),
    q(
        "green_ratio_min_pct",
        "绿地率下限（%）Green ratio, min",
        Kind::Number,
        "parcels.green_ratio_min_pct",
    ),
    q(
        "green_ratio_max_pct",
        "绿地率上限（%）Green ratio, max",
        Kind::Number,
        "parcels.green_ratio_max_pct",
    ),
    q(
        "height_max_m",
        "建筑限高（米）Height limit, m",
        Kind::Number,
        "parcels.height_max_m",
    ),
    q(
        "site_levelled",
        "场地平整 Site levelled",
        Kind::Boolean,
        "parcels.site_levelled",
    ),
    // The register's own, beyond what the public plots show:
    q("status", "状态 Status", Kind::Text, "parcels.status"),
    q(
        "approval_no",
        "建设用地批准文号 Approval number",
        Kind::Text,
        "parcels.approval_no",
    ),
    q(
        "approved_on",
        "建设用地批准日期 Approved on",
        Kind::Date,
        "parcels.approved_on",
    ),
    q("version", "版本 Version", Kind::Integer, "parcels.version"),
    q(
        "created_at",
        "登记时间 Created at",
        Kind::Timestamp,
        "parcels.created_at",
    ),
    q(
        "updated_at",
        "最后变更时间 Updated at",
        Kind::Timestamp,
        "parcels.updated_at",
    ),
];

/// A literal, typed by the queryable it is compared with.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(String),
    Integer(i64),
    Number(f64),
    Boolean(bool),
    Date(NaiveDate),
    Timestamp(NaiveDateTime),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Comparison {
    fn sql(self) -> &'static str {
        match self {
            Self::Eq => "=",
            Self::Ne => "<>",
            Self::Lt => "<",
            Self::Le => "<=",
            Self::Gt => ">",
            Self::Ge => ">=",
        }
    }
}

/// A spatial predicate of the parcel's geometry against a literal geometry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spatial {
    Intersects,
    Disjoint,
    /// The parcel lies within the literal.
    Within,
    /// The parcel contains the literal.
    Contains,
}

/// A checked filter: every property a queryable, every literal of its kind.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    Literal(bool),
    And(Vec<Filter>),
    Or(Vec<Filter>),
    Not(Box<Filter>),
    Compare(&'static Queryable, Comparison, Value),
    /// A LIKE pattern (`%`, `_`, `\` escapes), optionally case-insensitive.
    Like(&'static Queryable, String, bool),
    Between(&'static Queryable, Value, Value),
    In(&'static Queryable, Vec<Value>),
    IsNull(&'static Queryable),
    /// A spatial predicate; the literal in CGCS2000 lon/lat.
    Spatial(Spatial, geo::Geometry<f64>),
    /// Within this many metres of the literal.
    DWithin(geo::Geometry<f64>, f64),
}

/// The filter as a WHERE clause on the parcels.
pub fn to_sql(filter: &Filter, backend: Backend) -> ParcelFilter {
    match filter {
        Filter::Literal(b) => Box::new(sql::<Bool>(if *b { "1 = 1" } else { "1 = 0" })),
        Filter::And(parts) => fold(parts, backend, true),
        Filter::Or(parts) => fold(parts, backend, false),
        Filter::Not(inner) => Box::new(diesel::dsl::not(to_sql(inner, backend))),
        Filter::Compare(q, op, v) => bound(&format!("{} {} ", q.column, op.sql()), v.clone(), ""),
        Filter::Like(q, pattern, casei) => like(q, pattern, *casei, backend),
        Filter::Between(q, lo, hi) => Box::new(
            bound(&format!("{} >= ", q.column), lo.clone(), "").and(bound(
                &format!("{} <= ", q.column),
                hi.clone(),
                "",
            )),
        ),
        Filter::In(q, values) => {
            let eqs: Vec<Filter> = values
                .iter()
                .map(|v| Filter::Compare(q, Comparison::Eq, v.clone()))
                .collect();
            fold(&eqs, backend, false)
        }
        Filter::IsNull(q) => Box::new(sql::<Bool>(&format!("{} IS NULL", q.column))),
        Filter::Spatial(op, g) => spatial(*op, g, backend),
        Filter::DWithin(g, metres) => dwithin(g, *metres, backend),
    }
}

fn fold(parts: &[Filter], backend: Backend, and: bool) -> ParcelFilter {
    let mut it = parts.iter().map(|p| to_sql(p, backend));
    let Some(first) = it.next() else {
        return to_sql(&Filter::Literal(and), backend);
    };
    it.fold(first, |acc, next| {
        if and {
            Box::new(acc.and(next))
        } else {
            Box::new(acc.or(next))
        }
    })
}

/// `prefix` + the value as a bound parameter + `suffix`.
fn bound(prefix: &str, v: Value, suffix: &str) -> ParcelFilter {
    let head = sql::<Bool>(prefix);
    match v {
        Value::Text(s) => Box::new(head.bind::<Text, _>(s).sql(suffix)),
        Value::Integer(i) => Box::new(head.bind::<BigInt, _>(i).sql(suffix)),
        Value::Number(f) => Box::new(head.bind::<Double, _>(f).sql(suffix)),
        Value::Boolean(b) => Box::new(head.bind::<Bool, _>(b).sql(suffix)),
        Value::Date(d) => Box::new(head.bind::<Date, _>(d).sql(suffix)),
        Value::Timestamp(t) => Box::new(head.bind::<Timestamp, _>(t).sql(suffix)),
    }
}

/// CQL2 LIKE is case-sensitive with `\` as escape: PostgreSQL's LIKE; on SQLite (whose LIKE
/// ignores ASCII case) the pattern is rewritten for GLOB. CASEI compares lower-cased.
fn like(q: &Queryable, pattern: &str, casei: bool, backend: Backend) -> ParcelFilter {
    match (backend, casei) {
        (Backend::Postgres, false) => bound(
            &format!("{} LIKE ", q.column),
            Value::Text(pattern.to_owned()),
            " ESCAPE '\\'",
        ),
        (Backend::Postgres, true) => bound(
            &format!("lower({}) LIKE lower(", q.column),
            Value::Text(pattern.to_owned()),
            ") ESCAPE '\\'",
        ),
        (Backend::Sqlite, false) => bound(
            &format!("{} GLOB ", q.column),
            Value::Text(glob_of(pattern)),
            "",
        ),
        (Backend::Sqlite, true) => bound(
            &format!("lower({}) GLOB lower(", q.column),
            Value::Text(glob_of(pattern)),
            ")",
        ),
    }
}

/// A LIKE pattern as a GLOB pattern: `%` → `*`, `_` → `?`, GLOB's own specials (and escaped
/// characters) bracketed as literals.
pub fn glob_of(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + 4);
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(e @ ('*' | '?' | '[')) => out.push_str(&format!("[{e}]")),
                Some(e) => out.push(e),
                None => out.push('\\'),
            },
            '%' => out.push('*'),
            '_' => out.push('?'),
            '*' | '?' | '[' => out.push_str(&format!("[{c}]")),
            other => out.push(other),
        }
    }
    out
}

fn wkt_of(g: &geo::Geometry<f64>) -> String {
    use wkt::ToWkt;
    g.wkt_string()
}

fn spatial(op: Spatial, g: &geo::Geometry<f64>, backend: Backend) -> ParcelFilter {
    let wkt = wkt_of(g);
    match backend {
        Backend::Postgres => {
            let f = match op {
                Spatial::Intersects | Spatial::Disjoint => "ST_Intersects",
                Spatial::Within => "ST_Within",
                Spatial::Contains => "ST_Contains",
            };
            let test = bound(
                &format!("{f}(parcels.geom, ST_GeomFromText("),
                Value::Text(wkt),
                ", 4490))",
            );
            if op == Spatial::Disjoint {
                Box::new(diesel::dsl::not(test))
            } else {
                test
            }
        }
        Backend::Sqlite => {
            let name = match op {
                Spatial::Intersects => "intersects",
                Spatial::Disjoint => "disjoint",
                Spatial::Within => "within",
                Spatial::Contains => "contains",
            };
            let test = Box::new(
                sql::<Bool>("parkland_cql_spatial(parcels.geom, ")
                    .bind::<Text, _>(name)
                    .sql(", ")
                    .bind::<Text, _>(wkt)
                    .sql(", 0.0)"),
            );
            // The R*Tree narrows every predicate but disjointness to the literal's box.
            match (op, g.bounding_rect()) {
                (Spatial::Disjoint, _) | (_, None) => test,
                (_, Some(r)) => Box::new(parcel_extent_meets(backend, box_of(r, 0.0)).and(test)),
            }
        }
    }
}

fn dwithin(g: &geo::Geometry<f64>, metres: f64, backend: Backend) -> ParcelFilter {
    let wkt = wkt_of(g);
    match backend {
        Backend::Postgres => Box::new(
            sql::<Bool>("ST_DWithin(parcels.geom::geography, ST_GeomFromText(")
                .bind::<Text, _>(wkt)
                .sql(", 4490)::geography, ")
                .bind::<Double, _>(metres)
                .sql(")"),
        ),
        Backend::Sqlite => {
            let test = sql::<Bool>("parkland_cql_spatial(parcels.geom, 'dwithin', ")
                .bind::<Text, _>(wkt)
                .sql(", ")
                .bind::<Double, _>(metres)
                .sql(")");
            match g.bounding_rect() {
                // One degree of latitude is at least 110 km; of longitude at 60°N, 55 km.
                Some(r) => {
                    Box::new(parcel_extent_meets(backend, box_of(r, metres / 55_000.0)).and(test))
                }
                None => Box::new(test),
            }
        }
    }
}

fn box_of(r: geo::Rect<f64>, pad: f64) -> Bbox {
    Bbox {
        min_x: r.min().x - pad,
        min_y: r.min().y - pad,
        max_x: r.max().x + pad,
        max_y: r.max().y + pad,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_become_globs() {
        assert_eq!(glob_of("G-%"), "G-*");
        assert_eq!(glob_of("A_1"), "A?1");
        assert_eq!(glob_of("100\\%"), "100%");
        assert_eq!(glob_of("a*b"), "a[*]b");
        assert_eq!(glob_of("\\_x"), "_x");
    }
}
