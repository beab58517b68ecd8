//! CQL2 on the computed layers — idle land, 五未, 达产复核, workshops, free units, 亩均 and
//! 腾笼换鸟. Their features are computed in Rust from the register on every request (the rules
//! are Rust, not SQL), so a `filter` is evaluated on each feature as it is written: the same
//! property names and values a client reads, checked against the layer's queryables first.
//!
//! The semantics are SQL's, so a filter means on these layers what it means on the parcels
//! (where the database evaluates it): a comparison with a missing value is unknown, `NOT`
//! of unknown is unknown, and a feature is kept only when the filter is true.

use super::CollectionId;
use crate::spatial::predicates::{self, Predicate};
use crate::store::cql::{Comparison, Filter, Kind, Queryable, Spatial, Value, computed};
use crate::views::Feature;
use chrono::{DateTime, NaiveDate, NaiveDateTime};
use serde::Serialize;
use serde_json::{Map, Value as Json};
use std::cmp::Ordering;
use std::sync::LazyLock;

/// Whether `filter` is true of a feature with these properties (as serialized) and footprint.
pub fn keep<T: Serialize>(
    filter: &Filter,
    properties: &T,
    footprint: &geo::MultiPolygon<f64>,
) -> bool {
    match serde_json::to_value(properties) {
        Ok(Json::Object(map)) => holds(filter, &map, footprint) == Some(true),
        _ => false,
    }
}

/// The items `filter` (if any) keeps; `footprint` finds an item's geometry.
pub fn retain<'g, T: Serialize>(
    items: Vec<T>,
    filter: Option<&Filter>,
    footprint: impl Fn(&T) -> Option<&'g geo::MultiPolygon<f64>>,
) -> Vec<T> {
    let Some(filter) = filter else {
        return items;
    };
    items
        .into_iter()
        .filter(|item| footprint(item).is_some_and(|g| keep(filter, item, g)))
        .collect()
}

/// The features `filter` (if any) keeps, judged on their properties and footprints.
pub fn retain_features<'a, T: Serialize>(
    features: Vec<Feature<'a, T>>,
    filter: Option<&Filter>,
) -> Vec<Feature<'a, T>> {
    let Some(filter) = filter else {
        return features;
    };
    features
        .into_iter()
        .filter(|f| {
            f.geometry
                .as_ref()
                .is_some_and(|g| keep(filter, &f.properties, g.0))
        })
        .collect()
}

/// Three-valued: `None` is SQL's unknown.
fn holds(
    filter: &Filter,
    p: &Map<String, Json>,
    footprint: &geo::MultiPolygon<f64>,
) -> Option<bool> {
    match filter {
        Filter::Literal(b) => Some(*b),
        Filter::And(parts) => {
            let mut unknown = false;
            for part in parts {
                match holds(part, p, footprint) {
                    Some(false) => return Some(false),
                    None => unknown = true,
                    Some(true) => {}
                }
            }
            (!unknown).then_some(true)
        }
        Filter::Or(parts) => {
            let mut unknown = false;
            for part in parts {
                match holds(part, p, footprint) {
                    Some(true) => return Some(true),
                    None => unknown = true,
                    Some(false) => {}
                }
            }
            (!unknown).then_some(false)
        }
        Filter::Not(inner) => holds(inner, p, footprint).map(|b| !b),
        Filter::Compare(q, op, v) => {
            let ordering = order(&value(q, p)?, v)?;
            Some(match op {
                Comparison::Eq => ordering == Ordering::Equal,
                Comparison::Ne => ordering != Ordering::Equal,
                Comparison::Lt => ordering == Ordering::Less,
                Comparison::Le => ordering != Ordering::Greater,
                Comparison::Gt => ordering == Ordering::Greater,
                Comparison::Ge => ordering != Ordering::Less,
            })
        }
        Filter::Like(q, pattern, casei) => match value(q, p)? {
            Value::Text(s) if *casei => Some(like(&s.to_lowercase(), &pattern.to_lowercase())),
            Value::Text(s) => Some(like(&s, pattern)),
            _ => None,
        },
        Filter::Between(q, lo, hi) => {
            let v = value(q, p)?;
            Some(order(&v, lo)? != Ordering::Less && order(&v, hi)? != Ordering::Greater)
        }
        Filter::In(q, values) => {
            let v = value(q, p)?;
            Some(values.iter().any(|x| order(&v, x) == Some(Ordering::Equal)))
        }
        Filter::IsNull(q) => Some(value(q, p).is_none()),
        Filter::Spatial(op, literal) => {
            let predicate = match op {
                Spatial::Intersects => Predicate::Intersects,
                Spatial::Disjoint => Predicate::Disjoint,
                Spatial::Within => Predicate::Within,
                Spatial::Contains => Predicate::Contains,
            };
            Some(predicates::holds(footprint, predicate, literal))
        }
        Filter::DWithin(literal, metres) => Some(predicates::holds(
            footprint,
            Predicate::DWithin(*metres),
            literal,
        )),
    }
}

/// A feature's value of a queryable, read as the queryable's kind; `None` when it is missing
/// or null.
fn value(q: &Queryable, p: &Map<String, Json>) -> Option<Value> {
    let v = p.get(q.name)?;
    match q.kind {
        Kind::Text => v.as_str().map(|s| Value::Text(s.to_owned())),
        Kind::Integer => v.as_i64().map(Value::Integer),
        Kind::Number => v.as_f64().map(Value::Number),
        Kind::Boolean => v.as_bool().map(Value::Boolean),
        Kind::Date => v
            .as_str()
            .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
            .map(Value::Date),
        Kind::Timestamp => v
            .as_str()
            .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
            .map(|t| Value::Timestamp(t.naive_utc())),
    }
}

/// How two values compare, as SQL would: numbers with numbers, a date with a timestamp at its
/// midnight; values of unlike kinds do not compare.
fn order(a: &Value, b: &Value) -> Option<Ordering> {
    let midnight = |d: &NaiveDate| -> NaiveDateTime { d.and_time(chrono::NaiveTime::MIN) };
    match (a, b) {
        (Value::Text(x), Value::Text(y)) => Some(x.cmp(y)),
        (Value::Integer(x), Value::Integer(y)) => Some(x.cmp(y)),
        (Value::Integer(x), Value::Number(y)) => (*x as f64).partial_cmp(y),
        (Value::Number(x), Value::Integer(y)) => x.partial_cmp(&(*y as f64)),
        (Value::Number(x), Value::Number(y)) => x.partial_cmp(y),
        (Value::Boolean(x), Value::Boolean(y)) => Some(x.cmp(y)),
        (Value::Date(x), Value::Date(y)) => Some(x.cmp(y)),
        (Value::Timestamp(x), Value::Timestamp(y)) => Some(x.cmp(y)),
        (Value::Date(x), Value::Timestamp(y)) => Some(midnight(x).cmp(y)),
        (Value::Timestamp(x), Value::Date(y)) => Some(x.cmp(&midnight(y))),
        _ => None,
    }
}

/// CQL2 LIKE: `%` any run of characters, `_` one character, `\` makes the next one literal.
fn like(text: &str, pattern: &str) -> bool {
    #[derive(Clone, Copy, PartialEq)]
    enum Token {
        Any,
        One,
        Char(char),
    }
    let mut tokens = Vec::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        tokens.push(match c {
            '%' => Token::Any,
            '_' => Token::One,
            '\\' => Token::Char(chars.next().unwrap_or('\\')),
            c => Token::Char(c),
        });
    }
    let text: Vec<char> = text.chars().collect();
    // matched[j]: the text's first i characters match the pattern's first j tokens.
    let mut matched = vec![false; tokens.len() + 1];
    matched[0] = true;
    for (j, t) in tokens.iter().enumerate() {
        matched[j + 1] = matched[j] && *t == Token::Any;
    }
    for c in text {
        let mut next = vec![false; tokens.len() + 1];
        for (j, t) in tokens.iter().enumerate() {
            next[j + 1] = match t {
                Token::Any => next[j] || matched[j + 1],
                Token::One => matched[j],
                Token::Char(x) => matched[j] && *x == c,
            };
        }
        matched = next;
    }
    matched[tokens.len()]
}

// ---- the computed layers' queryables ------------------------------------------------------

use Kind::{Boolean, Date, Integer, Number, Text};

/// The parcel a feature is on.
const PARCEL: &[Queryable] = &[
    computed("parcel_id", "宗地 Parcel id", Integer),
    computed("parcel_code", "宗地代码 Parcel code", Text),
    computed("parcel_name", "名称 Name", Text),
];

/// Where a feature is.
const PLACE: &[Queryable] = &[
    computed("park_id", "园区 Park id", Integer),
    computed("zone_id", "片区 Zone id", Integer),
    computed("zone_name", "片区名称 Zone", Text),
];

const ENTERPRISE: &[Queryable] = &[
    computed("enterprise_id", "企业 Enterprise id", Integer),
    computed("enterprise_name", "企业 Enterprise", Text),
];

/// What every land layer's feature says of its parcel's size and its supply.
const SUPPLY: &[Queryable] = &[
    computed("area_m2", "面积（平方米）Area, m²", Number),
    computed("area_mu", "面积（亩）Area, mu", Number),
    computed("supply_id", "供地合同 Supply id", Integer),
    computed("contract_no", "合同编号 Contract number", Text),
    computed("land_price_yuan", "出让价款（元）Land price, yuan", Integer),
    computed(
        "capacity_review_due",
        "达产复核到期日 Output review due",
        Date,
    ),
    computed(
        "capacity_review_overdue_days",
        "达产复核逾期天数 Output review overdue, days",
        Integer,
    ),
];

const IDLE_OWN: &[Queryable] = &[
    computed(
        "idle_status",
        "闲置状态 Idle status (idle, approaching)",
        Text,
    ),
    computed("rule", "认定情形 Rule (not_started, stopped)", Text),
    computed("clock_from", "起算日 Clock from", Date),
    computed("deadline", "认定期限 Deadline", Date),
    computed("days_left", "剩余天数 Days left", Integer),
    computed("idle_since", "闲置起始日 Idle since", Date),
    computed("idle_days", "闲置天数 Idle days", Integer),
    computed("excused", "政府原因 Excused", Boolean),
    computed("cause", "原因 Cause", Text),
    computed("consequence", "处置 Consequence (fee, recovery)", Text),
    computed("fee_yuan", "闲置费（元）Idle fee, yuan", Integer),
    computed("recovery_from", "可收回日 Recoverable from", Date),
];

const UNDERUSED_OWN: &[Queryable] = &[
    computed("class", "五未分类 Class", Text),
    computed("since", "起始日 Since", Date),
    computed("days_past", "逾期天数 Days past", Integer),
];

const CAPACITY_OWN: &[Queryable] = &[
    computed("review_status", "复核状态 Review status", Text),
    computed("due", "到期日 Due", Date),
    computed("overdue_days", "逾期天数 Overdue, days", Integer),
    computed("reviewed_on", "复核日 Reviewed on", Date),
    computed("figures_year", "数据年度 Figures' year", Integer),
    computed("penalty_yuan", "违约金（元）Penalty, yuan", Integer),
];

const WORKSHOP_OWN: &[Queryable] = &[
    computed("parcel_id", "宗地 Parcel id", Integer),
    computed("name", "名称 Name", Text),
    computed(
        "footprint_area_m2",
        "占地面积（平方米）Footprint, m²",
        Number,
    ),
    computed("storeys", "层数 Storeys", Integer),
    computed("floor_area_m2", "建筑面积（平方米）Floor area, m²", Number),
    computed("floor_load_kn_m2", "楼面荷载 Floor load, kN/m²", Number),
    computed("structure", "结构 Structure", Text),
    computed(
        "owner_kind",
        "产权类型 Owner kind (platform, enterprise)",
        Text,
    ),
    computed("owner_name", "产权单位 Owner", Text),
    computed("responsible_unit", "责任单位 Responsible unit", Text),
    computed("responsible_person", "责任人 Responsible person", Text),
    computed("deadline", "节点期限 Deadline", Date),
    computed("deadline_milestone", "期限节点 Deadline's milestone", Text),
    computed("start_actual", "实际开工 Started", Date),
    computed("completion_actual", "实际竣工 Completed", Date),
    computed("deadline_status", "期限状态 Deadline status", Text),
    computed("days_left", "剩余天数 Days left", Integer),
    computed("days_late", "逾期天数 Days late", Integer),
    computed("percent_complete", "形象进度（%）Percent complete", Number),
    computed("units", "单元数 Units", Integer),
    computed("occupancy_pct", "出租率（%）Occupancy", Number),
    computed(
        "idle_units",
        "长期空置单元 Units vacant past the limit",
        Integer,
    ),
    computed(
        "idle_area_m2",
        "长期空置面积 Area vacant past the limit, m²",
        Number,
    ),
];

const UNIT_OWN: &[Queryable] = &[
    computed("unit_id", "单元 Unit id", Integer),
    computed("workshop_id", "厂房 Workshop id", Integer),
    computed("workshop_name", "厂房 Workshop", Text),
    computed("floor", "楼层 Floor", Integer),
    computed("section", "分区 Section", Text),
    computed("area_m2", "面积（平方米）Area, m²", Number),
    computed("storey_height_m", "层高（米）Storey height, m", Number),
    computed("floor_load_kn_m2", "楼面荷载 Floor load, kN/m²", Number),
    computed("structure_name", "结构 Structure", Text),
    computed("available_from", "可租日 Free from", Date),
];

const PERFORMANCE_OWN: &[Queryable] = &[
    computed("area_mu", "面积（亩）Area, mu", Number),
    computed("year", "评价年度 Year", Integer),
    computed("class", "亩均分类 Class (A–D)", Text),
    computed("score", "综合得分 Score", Number),
    computed("rank", "排名 Rank", Integer),
    computed("tax_per_mu_wan", "亩均税收（万元）Tax per mu", Number),
    computed(
        "value_added_per_mu_wan",
        "亩均增加值（万元）Value added per mu",
        Number,
    ),
    computed("rd_share_pct", "研发投入占比（%）R&D share", Number),
];

const RENEWAL_OWN: &[Queryable] = &[
    computed("rank", "排名 Rank", Integer),
    computed("kind", "类型 Kind (parcel, unit)", Text),
    computed("workshop_id", "厂房 Workshop id", Integer),
    computed("area_mu", "面积（亩）Area, mu", Number),
    computed("weight", "权重 Weight", Integer),
    computed("year", "评价年度 Year", Integer),
    computed("reason_kinds", "原因 Reasons (comma-separated)", Text),
];

/// A layer's queryables, put together once from the groups above.
type Queryables = LazyLock<Vec<Queryable>>;

static IDLE_LAND: Queryables =
    LazyLock::new(|| [PARCEL, PLACE, ENTERPRISE, SUPPLY, IDLE_OWN].concat());
static UNDERUSED_LAND: Queryables =
    LazyLock::new(|| [PARCEL, PLACE, ENTERPRISE, SUPPLY, UNDERUSED_OWN].concat());
static CAPACITY_REVIEWS: Queryables =
    LazyLock::new(|| [PARCEL, PLACE, ENTERPRISE, SUPPLY, CAPACITY_OWN].concat());
static WORKSHOPS: Queryables = LazyLock::new(|| [PLACE, WORKSHOP_OWN].concat());
static AVAILABLE_UNITS: Queryables = LazyLock::new(|| [PLACE, UNIT_OWN].concat());
static MU_PERFORMANCE: Queryables =
    LazyLock::new(|| [PARCEL, PLACE, ENTERPRISE, PERFORMANCE_OWN].concat());
static RENEWAL_CANDIDATES: Queryables =
    LazyLock::new(|| [PARCEL, PLACE, ENTERPRISE, RENEWAL_OWN].concat());

/// The queryables of a computed layer.
pub fn queryables(c: CollectionId) -> Option<&'static [Queryable]> {
    Some(match c {
        CollectionId::IdleLand => IDLE_LAND.as_slice(),
        CollectionId::UnderusedLand => UNDERUSED_LAND.as_slice(),
        CollectionId::CapacityReviews => CAPACITY_REVIEWS.as_slice(),
        CollectionId::Workshops => WORKSHOPS.as_slice(),
        CollectionId::AvailableUnits => AVAILABLE_UNITS.as_slice(),
        CollectionId::MuPerformance => MU_PERFORMANCE.as_slice(),
        CollectionId::RenewalCandidates => RENEWAL_CANDIDATES.as_slice(),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;
    use serde_json::json;

    fn q(name: &'static str, kind: Kind) -> &'static Queryable {
        Box::leak(Box::new(computed(name, name, kind)))
    }

    fn square() -> geo::MultiPolygon<f64> {
        geo::MultiPolygon(vec![
            polygon![(x: 116.6, y: 27.5), (x: 116.601, y: 27.5), (x: 116.601, y: 27.501), (x: 116.6, y: 27.501)],
        ])
    }

    fn test(f: &Filter, props: Json) -> Option<bool> {
        let Json::Object(map) = props else {
            unreachable!()
        };
        holds(f, &map, &square())
    }

    #[test]
    fn comparisons_read_the_queryables_kind() {
        let days = q("idle_days", Integer);
        let since = q("idle_since", Date);
        let p = json!({"idle_days": 573, "idle_since": "2025-05-11"});
        assert_eq!(
            test(
                &Filter::Compare(days, Comparison::Gt, Value::Integer(365)),
                p.clone()
            ),
            Some(true)
        );
        assert_eq!(
            test(
                &Filter::Compare(days, Comparison::Le, Value::Number(572.5)),
                p.clone()
            ),
            Some(false)
        );
        let day = NaiveDate::from_ymd_opt(2025, 6, 1).unwrap();
        assert_eq!(
            test(
                &Filter::Compare(since, Comparison::Lt, Value::Date(day)),
                p.clone()
            ),
            Some(true)
        );
        assert_eq!(
            test(
                &Filter::Between(days, Value::Integer(500), Value::Integer(600)),
                p.clone()
            ),
            Some(true)
        );
        assert_eq!(
            test(
                &Filter::In(days, vec![Value::Integer(1), Value::Integer(573)]),
                p
            ),
            Some(true)
        );
    }

    #[test]
    fn missing_is_unknown_as_in_sql() {
        let cause = q("cause", Text);
        let p = json!({"cause": null});
        let eq = Filter::Compare(cause, Comparison::Eq, Value::Text("x".into()));
        assert_eq!(test(&eq, p.clone()), None);
        assert_eq!(
            test(&Filter::Not(Box::new(eq.clone())), p.clone()),
            None,
            "NOT unknown is unknown"
        );
        assert_eq!(test(&Filter::IsNull(cause), p.clone()), Some(true));
        assert_eq!(
            test(
                &Filter::Or(vec![eq.clone(), Filter::Literal(true)]),
                p.clone()
            ),
            Some(true)
        );
        assert_eq!(
            test(&Filter::And(vec![eq, Filter::Literal(false)]), p),
            Some(false)
        );
    }

    #[test]
    fn like_follows_cql2() {
        assert!(like("南城县华锐机械制造有限公司", "%机械%"));
        assert!(like("西片区G-01地块", "西片区_-0_地块"));
        assert!(!like("西片区G-01地块", "东片区%"));
        assert!(like("100%", "100\\%"));
        assert!(!like("1000", "100\\%"));
        assert!(like("", "%"));
        assert!(!like("ab", "a"));
        let name = q("enterprise_name", Text);
        let p = json!({"enterprise_name": "Jiangxi Gandian"});
        assert_eq!(
            test(&Filter::Like(name, "jiangxi%".into(), true), p.clone()),
            Some(true)
        );
        assert_eq!(
            test(&Filter::Like(name, "jiangxi%".into(), false), p),
            Some(false)
        );
    }

    #[test]
    fn spatial_predicates_on_the_footprint() {
        let inside = geo::Geometry::Point(geo::Point::new(116.6005, 27.5005));
        assert_eq!(
            test(
                &Filter::Spatial(Spatial::Intersects, inside.clone()),
                json!({})
            ),
            Some(true)
        );
        assert_eq!(
            test(
                &Filter::Spatial(Spatial::Disjoint, inside.clone()),
                json!({})
            ),
            Some(false)
        );
        assert_eq!(test(&Filter::DWithin(inside, 1.0), json!({})), Some(true));
    }
}
