//! `filter`, `filter-lang` and `filter-crs` (OGC API – Features Part 3): a CQL2 filter in text
//! or JSON, parsed by the `cql2` crate and checked against a collection's queryables into a
//! [`Filter`] the store turns into SQL. A filter that does not parse, names a property that is
//! not queryable, or compares one with the wrong kind of value is a 400 that says where.

use crate::error::ApiError;
use crate::spatial::output::Output;
use crate::store::cql::{Comparison, Filter, Kind, Queryable, Spatial, Value};
use chrono::{DateTime, NaiveDate, NaiveDateTime};
use cql2::Expr;
use geo::MapCoords;

/// The filter languages `filter-lang` names, for the API document (GDAL's OAPIF driver reads
/// this list to decide whether it may send a `-where` to the server).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub enum FilterLang {
    #[schema(rename = "cql2-text")]
    Cql2Text,
    #[schema(rename = "cql2-json")]
    Cql2Json,
    #[schema(rename = "cql-text")]
    CqlText,
}

/// `filter`, `filter-lang` and `filter-crs` of a collection that takes a CQL2 filter.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CqlQuery {
    /// A CQL2 filter (OGC API – Features Part 3) on the properties listed at the collection's
    /// `/queryables`: comparisons, AND/OR/NOT, LIKE, BETWEEN, IN, IS NULL,
    /// S_INTERSECTS/S_DISJOINT/S_WITHIN/S_CONTAINS/S_DWITHIN with WKT, GeoJSON or BBOX
    /// literals, and T_AFTER/T_BEFORE/T_EQUALS/T_DURING/T_INTERSECTS/T_DISJOINT on dates.
    pub filter: Option<String>,
    /// `cql2-text` (default) or `cql2-json`; `cql-text`, the draft's name that GDAL up to 3.7
    /// sends, is read as `cql2-text`.
    #[serde(rename = "filter-lang")]
    #[param(value_type = Option<FilterLang>, inline)]
    pub filter_lang: Option<String>,
    /// The CRS of the filter's geometry literals (default CRS84), as for `crs`.
    #[serde(rename = "filter-crs")]
    pub filter_crs: Option<String>,
}

impl CqlQuery {
    /// The filter checked against the collection's queryables, if one was given.
    pub fn read(&self, queryables: &'static [Queryable]) -> Result<Option<Filter>, ApiError> {
        read(
            self.filter.as_deref(),
            self.filter_lang.as_deref(),
            self.filter_crs.as_deref(),
            queryables,
        )
    }
}

/// The parsed filter of a request, if it has one.
pub fn read(
    filter: Option<&str>,
    lang: Option<&str>,
    crs: Option<&str>,
    queryables: &'static [Queryable],
) -> Result<Option<Filter>, ApiError> {
    let Some(text) = filter else {
        if lang.is_some() || crs.is_some() {
            return Err(ApiError::invalid_parameter(
                "`filter-lang` and `filter-crs` describe a `filter`, and none was given",
            ));
        }
        return Ok(None);
    };
    let lang = lang.unwrap_or("cql2-text");
    within_bounds(text, lang == "cql2-json").map_err(ApiError::invalid_parameter)?;
    let expr = match lang {
        "cql2-text" | "cql-text" => {
            cql2::parse_text(text).map_err(|e| text_error(text, &e.to_string()))?
        }
        "cql2-json" => cql2::parse_json(text).map_err(|e| {
            ApiError::invalid_parameter(format!("the filter is not valid CQL2 JSON: {e}"))
        })?,
        other => {
            return Err(ApiError::invalid_parameter(format!(
                "`filter-lang` must be cql2-text or cql2-json, got `{other}`"
            )));
        }
    };
    let crs = match crs {
        Some(raw) => Output::parse(raw)
            .map_err(|e| ApiError::invalid_parameter(format!("filter-crs: {e}")))?,
        None => Output::Crs84,
    };
    let reader = Reader { queryables, crs };
    reader
        .condition(&expr)
        .map(Some)
        .map_err(|e| ApiError::invalid_parameter(format!("filter: {e}")))
}

/// The most a filter may hold: its length, the nesting of parentheses (text) or of arrays and
/// objects (JSON), and its logical operators. The parser and every step after it recurse once
/// per level, so an unbounded filter — `NOT (NOT (NOT (…` a few hundred deep, or a few
/// thousand `OR`s — would overflow a worker's stack and take the process down; real filters
/// stay far inside these bounds.
pub const MAX_FILTER_CHARS: usize = 8192;
pub const MAX_FILTER_DEPTH: usize = 12;
pub const MAX_FILTER_OPERATORS: usize = 64;

/// Check the bounds in one pass over the text, before anything recurses on it. Quoted text
/// (`'…'` in CQL2 text, `"…"` in JSON) is skipped.
fn within_bounds(text: &str, json: bool) -> Result<(), String> {
    if text.len() > MAX_FILTER_CHARS {
        return Err(format!(
            "the filter is {} characters long; at most {MAX_FILTER_CHARS} are read",
            text.len()
        ));
    }
    let (open, close, quote): (&[char], &[char], char) = if json {
        (&['[', '{'], &[']', '}'], '"')
    } else {
        (&['('], &[')'], '\'')
    };
    // JSON spends two levels per operation (`{"op": …, "args": [`).
    let max_depth = if json {
        3 * MAX_FILTER_DEPTH
    } else {
        MAX_FILTER_DEPTH
    };
    let (mut depth, mut deepest, mut operators, mut quoted) = (0usize, 0usize, 0usize, false);
    let mut word = String::new();
    let mut count_word = |word: &mut String| {
        let w = word.to_ascii_lowercase();
        if matches!(w.as_str(), "and" | "or" | "not") {
            operators += 1;
        }
        word.clear();
    };
    let mut previous = '\0';
    for c in text.chars() {
        if quoted {
            if c == quote && !(json && previous == '\\') {
                quoted = false;
            }
            previous = c;
            continue;
        }
        if c == quote {
            quoted = true;
        } else if open.contains(&c) {
            depth += 1;
            deepest = deepest.max(depth);
        } else if close.contains(&c) {
            depth = depth.saturating_sub(1);
        }
        if c.is_ascii_alphabetic() {
            word.push(c);
        } else {
            count_word(&mut word);
        }
        previous = c;
    }
    count_word(&mut word);
    if json {
        // In JSON the operators are values: count the operations instead.
        operators = text.matches("\"op\"").count();
    }
    if deepest > max_depth {
        return Err(format!(
            "the filter nests {deepest} levels deep; at most {max_depth} are read"
        ));
    }
    if operators > MAX_FILTER_OPERATORS {
        return Err(format!(
            "the filter has {operators} logical operators; at most {MAX_FILTER_OPERATORS} are read"
        ));
    }
    Ok(())
}

/// A parse error as a person reads it: the position, the text from there, what was expected.
fn text_error(text: &str, message: &str) -> ApiError {
    // pest writes ` --> line:column` and, last, `= expected …`.
    let column = message
        .split("-->")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .and_then(|lc| lc.split(':').nth(1))
        .and_then(|c| c.parse::<usize>().ok());
    let expected = message
        .lines()
        .rev()
        .find_map(|l| l.trim().strip_prefix("= "))
        .unwrap_or("a valid expression");
    let at = column
        .map(|c| {
            let rest: String = text.chars().skip(c.saturating_sub(1)).take(24).collect();
            if rest.is_empty() {
                format!(" at column {c}, the end of the filter")
            } else {
                format!(" at column {c}, `{rest}`")
            }
        })
        .unwrap_or_default();
    ApiError::invalid_parameter(format!("the filter is not valid CQL2 text{at}: {expected}"))
}

struct Reader {
    queryables: &'static [Queryable],
    crs: Output,
}

impl Reader {
    fn condition(&self, e: &Expr) -> Result<Filter, String> {
        let Expr::Operation { op, args } = e else {
            return match e {
                Expr::Bool(b) => Ok(Filter::Literal(*b)),
                other => Err(format!("`{}` is not a condition", show(other))),
            };
        };
        let op = op.to_ascii_lowercase();
        let arg = |i: usize| -> Result<&Expr, String> {
            args.get(i)
                .map(|b| b.as_ref())
                .ok_or_else(|| format!("`{op}` needs more arguments"))
        };
        Ok(match op.as_str() {
            "and" | "or" => {
                let parts = args
                    .iter()
                    .map(|a| self.condition(a))
                    .collect::<Result<_, _>>()?;
                if op == "and" {
                    Filter::And(parts)
                } else {
                    Filter::Or(parts)
                }
            }
            "not" => Filter::Not(Box::new(self.condition(arg(0)?)?)),
            "=" | "<>" | "<" | "<=" | ">" | ">=" => {
                let cmp = match op.as_str() {
                    "=" => Comparison::Eq,
                    "<>" => Comparison::Ne,
                    "<" => Comparison::Lt,
                    "<=" => Comparison::Le,
                    ">" => Comparison::Gt,
                    _ => Comparison::Ge,
                };
                // `5 < far_max` reads as `far_max > 5`.
                let (q, value, cmp) = match (self.property(arg(0)?), self.property(arg(1)?)) {
                    (Ok(q), _) => (q, arg(1)?, cmp),
                    (Err(_), Ok(q)) => (q, arg(0)?, flip(cmp)),
                    (Err(e), Err(_)) => return Err(e),
                };
                Filter::Compare(q, cmp, value_of(q, value)?)
            }
            "like" => {
                let (target, casei) = match arg(0)? {
                    Expr::Operation { op, args } if op.eq_ignore_ascii_case("casei") => (
                        args.first()
                            .map(|b| b.as_ref())
                            .ok_or("CASEI needs a property")?,
                        true,
                    ),
                    other => (other, false),
                };
                let q = self.property(target)?;
                if q.kind != Kind::Text {
                    return Err(format!("LIKE applies to text; `{}` is not text", q.name));
                }
                let pattern = match arg(1)? {
                    Expr::Literal(s) => s.clone(),
                    Expr::Operation { op, args } if op.eq_ignore_ascii_case("casei") => {
                        match args.first().map(|b| b.as_ref()) {
                            Some(Expr::Literal(s)) => s.clone(),
                            _ => return Err("LIKE needs a text pattern".into()),
                        }
                    }
                    other => {
                        return Err(format!("LIKE needs a text pattern, not `{}`", show(other)));
                    }
                };
                Filter::Like(q, pattern, casei)
            }
            "between" => {
                let q = self.property(arg(0)?)?;
                Filter::Between(q, value_of(q, arg(1)?)?, value_of(q, arg(2)?)?)
            }
            "in" => {
                let q = self.property(arg(0)?)?;
                let Expr::Array(items) = arg(1)? else {
                    return Err("IN needs a list in parentheses".into());
                };
                Filter::In(
                    q,
                    items
                        .iter()
                        .map(|v| value_of(q, v))
                        .collect::<Result<_, _>>()?,
                )
            }
            "isnull" => Filter::IsNull(self.property(arg(0)?)?),
            "s_intersects" | "s_disjoint" | "s_within" | "s_contains" => {
                self.geometry_property(arg(0)?)?;
                let g = self.geometry(arg(1)?)?;
                let op = match op.as_str() {
                    "s_intersects" => Spatial::Intersects,
                    "s_disjoint" => Spatial::Disjoint,
                    "s_within" => Spatial::Within,
                    _ => Spatial::Contains,
                };
                Filter::Spatial(op, g)
            }
            "s_dwithin" | "dwithin" => {
                self.geometry_property(arg(0)?)?;
                let g = self.geometry(arg(1)?)?;
                let Expr::Float(d) = arg(2)? else {
                    return Err("S_DWITHIN needs a distance".into());
                };
                let unit = match args.get(3).map(|b| b.as_ref()) {
                    None => "meters".to_owned(),
                    Some(Expr::Property { property }) => property.to_ascii_lowercase(),
                    Some(Expr::Literal(s)) => s.to_ascii_lowercase(),
                    Some(other) => return Err(format!("`{}` is not a unit", show(other))),
                };
                let metres = match unit.as_str() {
                    "meters" | "metres" | "m" => *d,
                    "kilometers" | "kilometres" | "km" => d * 1000.0,
                    other => {
                        return Err(format!(
                            "the distance unit `{other}` is not known; use meters or kilometers"
                        ));
                    }
                };
                if !(metres.is_finite() && metres >= 0.0) {
                    return Err("the distance must be a number of metres ≥ 0".into());
                }
                Filter::DWithin(g, metres)
            }
            "t_after" | "t_before" | "t_equals" | "t_during" | "t_intersects" | "t_disjoint" => {
                let q = self.property(arg(0)?)?;
                if !matches!(q.kind, Kind::Date | Kind::Timestamp) {
                    return Err(format!("`{}` is not a date or time", q.name));
                }
                self.temporal(&op, q, arg(1)?)?
            }
            other => {
                return Err(format!(
                    "the operator `{other}` is not supported; use comparisons, AND, OR, NOT, LIKE, \
                     BETWEEN, IN, IS NULL, S_INTERSECTS, S_DISJOINT, S_WITHIN, S_CONTAINS, \
                     S_DWITHIN and T_AFTER, T_BEFORE, T_EQUALS, T_DURING, T_INTERSECTS, T_DISJOINT"
                ));
            }
        })
    }

    fn property(&self, e: &Expr) -> Result<&'static Queryable, String> {
        match e {
            Expr::Property { property } => self
                .queryables
                .iter()
                .find(|q| q.name == property)
                .ok_or_else(|| {
                    let names: Vec<&str> = self.queryables.iter().map(|q| q.name).collect();
                    format!(
                        "`{property}` is not a queryable property; the queryables are geometry, {}",
                        names.join(", ")
                    )
                }),
            other => Err(format!("`{}` is not a property", show(other))),
        }
    }

    fn geometry_property(&self, e: &Expr) -> Result<(), String> {
        match e {
            Expr::Property { property } if property == "geometry" => Ok(()),
            other => Err(format!(
                "spatial operators compare `geometry` with a geometry, not `{}`",
                show(other)
            )),
        }
    }

    /// A geometry literal (WKT, GeoJSON or BBOX) in `filter-crs`, as stored lon/lat.
    fn geometry(&self, e: &Expr) -> Result<geo::Geometry<f64>, String> {
        use wkt::TryFromWkt;
        let g = match e {
            Expr::Geometry(g) => {
                let text = g.to_wkt().map_err(|e| format!("a geometry literal: {e}"))?;
                geo::Geometry::<f64>::try_from_wkt_str(&text)
                    .map_err(|e| format!("a geometry literal: {e}"))?
            }
            Expr::BBox { bbox } => {
                let n: Vec<f64> = bbox
                    .iter()
                    .map(|b| match b.as_ref() {
                        Expr::Float(f) => Ok(*f),
                        _ => Err("BBOX needs four numbers".to_owned()),
                    })
                    .collect::<Result<_, _>>()?;
                let [a0, b0, a1, b1] = match n.as_slice() {
                    [a, b, c, d] => [*a, *b, *c, *d],
                    [a, b, _, d, e, _] => [*a, *b, *d, *e],
                    _ => return Err("BBOX needs four numbers".into()),
                };
                geo::Geometry::Polygon(
                    geo::Rect::new(geo::Coord { x: a0, y: b0 }, geo::Coord { x: a1, y: b1 })
                        .to_polygon(),
                )
            }
            other => return Err(format!("`{}` is not a geometry", show(other))),
        };
        if self.crs == Output::Crs84 {
            return Ok(g);
        }
        let inverse = self.crs.inverse()?;
        let inverse = &inverse;
        g.try_map_coords(|c| inverse(c.x, c.y).map(|(x, y)| geo::Coord { x, y }))
            .map_err(|e| format!("a geometry literal in filter-crs: {e}"))
    }

    fn temporal(&self, op: &str, q: &'static Queryable, e: &Expr) -> Result<Filter, String> {
        if let Expr::Interval { interval } = e {
            let end = |i: usize| -> Result<Option<Value>, String> {
                match interval.get(i).map(|b| b.as_ref()) {
                    Some(Expr::Literal(s)) if s == ".." => Ok(None),
                    Some(v) => value_of(q, v).map(Some),
                    None => Err("an INTERVAL needs a start and an end".into()),
                }
            };
            let (start, stop) = (end(0)?, end(1)?);
            let after = |v: Option<Value>, cmp| v.map(|v| Filter::Compare(q, cmp, v));
            let within = |lo, hi| {
                Filter::And(
                    [after(start.clone(), lo), after(stop.clone(), hi)]
                        .into_iter()
                        .flatten()
                        .collect(),
                )
            };
            return Ok(match op {
                // An instant strictly inside the interval.
                "t_during" => within(Comparison::Gt, Comparison::Lt),
                "t_intersects" | "t_equals" => within(Comparison::Ge, Comparison::Le),
                "t_disjoint" => Filter::Not(Box::new(within(Comparison::Ge, Comparison::Le))),
                "t_after" => after(stop, Comparison::Gt).unwrap_or(Filter::Literal(false)),
                _ => after(start, Comparison::Lt).unwrap_or(Filter::Literal(false)),
            });
        }
        let v = value_of(q, e)?;
        Ok(match op {
            "t_after" => Filter::Compare(q, Comparison::Gt, v),
            "t_before" => Filter::Compare(q, Comparison::Lt, v),
            "t_equals" | "t_intersects" => Filter::Compare(q, Comparison::Eq, v),
            "t_disjoint" => Filter::Compare(q, Comparison::Ne, v),
            _ => return Err("T_DURING needs an INTERVAL".into()),
        })
    }
}

fn flip(c: Comparison) -> Comparison {
    match c {
        Comparison::Lt => Comparison::Gt,
        Comparison::Le => Comparison::Ge,
        Comparison::Gt => Comparison::Lt,
        Comparison::Ge => Comparison::Le,
        other => other,
    }
}

/// A literal as the kind of value `q` holds.
fn value_of(q: &Queryable, e: &Expr) -> Result<Value, String> {
    let wrong = || {
        format!(
            "`{}` holds {}, not `{}`",
            q.name,
            kind_name(q.kind),
            show(e)
        )
    };
    Ok(match (q.kind, e) {
        (Kind::Text, Expr::Literal(s)) => Value::Text(s.clone()),
        (Kind::Integer, Expr::Float(f)) if f.fract() == 0.0 && f.abs() < 9e15 => {
            Value::Integer(*f as i64)
        }
        (Kind::Number, Expr::Float(f)) => Value::Number(*f),
        (Kind::Boolean, Expr::Bool(b)) => Value::Boolean(*b),
        (Kind::Date, Expr::Date { date }) | (Kind::Timestamp, Expr::Date { date }) => {
            let d = date_of(date).ok_or_else(wrong)?;
            match q.kind {
                Kind::Date => Value::Date(d),
                _ => Value::Timestamp(d.and_time(chrono::NaiveTime::MIN)),
            }
        }
        (Kind::Date, Expr::Literal(s)) => {
            Value::Date(NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| wrong())?)
        }
        (Kind::Timestamp, Expr::Timestamp { timestamp }) => {
            Value::Timestamp(timestamp_of(timestamp).ok_or_else(wrong)?)
        }
        (Kind::Timestamp, Expr::Literal(s)) => {
            Value::Timestamp(timestamp_of(&Expr::Literal(s.clone())).ok_or_else(wrong)?)
        }
        (Kind::Date, Expr::Timestamp { timestamp }) => {
            Value::Date(timestamp_of(timestamp).ok_or_else(wrong)?.date())
        }
        _ => return Err(wrong()),
    })
}

fn date_of(e: &Expr) -> Option<NaiveDate> {
    match e {
        Expr::Literal(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d").ok(),
        _ => None,
    }
}

/// An RFC 3339 instant as the stored UTC time.
fn timestamp_of(e: &Expr) -> Option<NaiveDateTime> {
    match e {
        Expr::Literal(s) => DateTime::parse_from_rfc3339(s).ok().map(|t| t.naive_utc()),
        _ => None,
    }
}

fn kind_name(k: Kind) -> &'static str {
    match k {
        Kind::Text => "text",
        Kind::Integer => "whole numbers",
        Kind::Number => "numbers",
        Kind::Boolean => "true or false",
        Kind::Date => "dates, e.g. DATE('2026-01-01')",
        Kind::Timestamp => "instants, e.g. TIMESTAMP('2026-01-01T00:00:00Z')",
    }
}

/// An expression as CQL2 JSON, for messages.
fn show(e: &Expr) -> String {
    serde_json::to_string(e).unwrap_or_else(|_| "?".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::cql::PARCEL_QUERYABLES;

    fn parse(s: &str) -> Result<Option<Filter>, String> {
        read(Some(s), None, None, PARCEL_QUERYABLES).map_err(|e| e.problem().detail.clone())
    }

    #[test]
    fn every_operator_reads() {
        for s in [
            "code = 'A' AND far_max >= 2.5",
            "2.5 < far_max OR NOT (site_levelled = true)",
            "status IN ('available','reserve')",
            "name LIKE 'G-%' AND CASEI(code) LIKE 'g%'",
            "area_mu BETWEEN 10 AND 50",
            "zone_id IS NULL",
            "S_INTERSECTS(geometry, POLYGON((116 27, 117 27, 117 28, 116 27)))",
            "S_WITHIN(geometry, BBOX(116,27,117,28))",
            "S_DWITHIN(geometry, POINT(116.6 27.5), 100, meters)",
            "approved_on > DATE('2026-01-01')",
            "T_AFTER(updated_at, TIMESTAMP('2026-01-01T00:00:00Z'))",
            "T_DURING(approved_on, INTERVAL('2026-01-01','2026-06-30'))",
        ] {
            assert!(parse(s).is_ok(), "{s}: {:?}", parse(s));
        }
    }

    #[test]
    fn errors_say_where_and_what() {
        let e = parse("code = 'A' AND (").unwrap_err();
        assert!(e.contains("column 17"), "{e}");
        let e = parse("colour = 'red'").unwrap_err();
        assert!(e.contains("`colour` is not a queryable"), "{e}");
        let e = parse("far_max = 'high'").unwrap_err();
        assert!(e.contains("`far_max` holds numbers"), "{e}");
        let e = parse("far_max LIKE '1%'").unwrap_err();
        assert!(e.contains("LIKE applies to text"), "{e}");
        assert!(read(Some("x"), Some("ecql"), None, PARCEL_QUERYABLES).is_err());
        assert!(read(None, Some("cql2-text"), None, PARCEL_QUERYABLES).is_err());
    }

    #[test]
    fn filters_built_to_hurt_are_refused_before_parsing() {
        let deep = format!("{}code = 'x'{}", "NOT (".repeat(100), ")".repeat(100));
        assert!(parse(&deep).unwrap_err().contains("levels deep"));
        let nots = format!("{}code = 'x'", "NOT ".repeat(100));
        assert!(parse(&nots).unwrap_err().contains("logical operators"));
        let ors = vec!["code = 'x'"; 200].join(" OR ");
        assert!(parse(&ors).unwrap_err().contains("logical operators"));
        assert!(
            parse(&"x".repeat(10_000))
                .unwrap_err()
                .contains("characters")
        );
        // Parentheses and operator words inside quotes do not count.
        assert!(parse(&format!("name = '{}'", "((((NOT AND OR".repeat(20))).is_ok());
        // At the bounds, parsing is fine.
        let at = format!(
            "{}code = 'x'{}",
            "NOT (".repeat(MAX_FILTER_DEPTH),
            ")".repeat(MAX_FILTER_DEPTH)
        );
        assert!(parse(&at).is_ok(), "{:?}", parse(&at));
        let json = format!(
            "{}true{}",
            "{\"op\":\"not\",\"args\":[".repeat(40),
            "]}".repeat(40)
        );
        assert!(read(Some(&json), Some("cql2-json"), None, PARCEL_QUERYABLES).is_err());
    }

    #[test]
    fn a_literal_in_filter_crs_is_read_back_to_lon_lat() {
        let f = read(
            Some("S_INTERSECTS(geometry, POINT(27.5 116.6))"),
            None,
            Some("http://www.opengis.net/def/crs/EPSG/0/4490"),
            PARCEL_QUERYABLES,
        )
        .unwrap()
        .unwrap();
        let Filter::Spatial(_, geo::Geometry::Point(p)) = f else {
            panic!("{f:?}")
        };
        assert_eq!((p.x(), p.y()), (116.6, 27.5));
    }
}
