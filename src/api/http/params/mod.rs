//! Query parameters, typed. Each endpoint reads its query string into one struct that derives
//! `Deserialize` (how it is parsed) and `IntoParams` (how it is documented), so the OpenAPI
//! document, the parser and the handler read the same type:
//!
//! ```ignore
//! #[derive(Deserialize, IntoParams)]
//! #[into_params(parameter_in = Query)]
//! pub struct DayScope { #[serde(default, deserialize_with = "de::day")] as_of: Option<NaiveDate>, … }
//! #[utoipa::path(params(DayScope), …)]
//! async fn handler(…, params: Params<DayScope>) { authorize(…)?; let p = params.read()?; … }
//! ```
//!
//! Parsing is strict, like the OGC items requests: a name the type does not declare, a name
//! given twice, a control character or a malformed value is a 400 that says what is accepted.
//! A blank value (`as_of=`) is as if not given; `_` (jQuery's cache buster) is ignored.
//!
//! [`Params`] holds the raw query until [`Params::read`]: a handler authorizes first, so a
//! caller who may not ask learns nothing from a 400 about what the endpoint accepts.

pub mod cql;
pub mod de;
pub mod items;
pub mod named;

use crate::domain::capacity::ReviewStatus;
use crate::domain::idle_land::IdleStatus;
use crate::domain::underused::UnderusedClass;
use crate::error::ApiError;
use actix_web::{FromRequest, HttpRequest, dev::Payload};
use chrono::NaiveDate;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use std::collections::BTreeSet;
use std::future::{Ready, ready};
use std::marker::PhantomData;
use utoipa::IntoParams;
use utoipa::openapi::Required;
use utoipa::openapi::path::{Parameter, ParameterIn};

/// Cache-busting parameters browsers' HTTP libraries add (jQuery's `_`): accepted and ignored.
pub const IGNORED: &[&str] = &["_"];

/// A request's query string, read into `A` (and `B`, for an endpoint that adds its own to
/// shared ones) when the handler asks.
pub struct Params<A, B = ()> {
    raw: String,
    into: PhantomData<fn() -> (A, B)>,
}

impl<A, B> FromRequest for Params<A, B> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(Self {
            raw: req.query_string().to_owned(),
            into: PhantomData,
        }))
    }
}

impl<A: DeserializeOwned + IntoParams + 'static> Params<A> {
    /// The parameters, checked: see the module's rules.
    pub fn read(&self) -> Result<A, ApiError> {
        read(&self.raw)
    }
}

impl<A, B> Params<A, B>
where
    A: DeserializeOwned + IntoParams + 'static,
    B: DeserializeOwned + IntoParams + 'static,
{
    /// Both sets of parameters, each checked by its own rules, names from either accepted.
    pub fn read_both(&self) -> Result<(A, B), ApiError> {
        let (a, b) = (declared::<A>(), declared::<B>());
        let [mine, theirs] = split(&self.raw, [a, b])?;
        Ok((from_pairs(a, &mine)?, from_pairs(b, &theirs)?))
    }
}

/// A query string's pairs, checked against the names of all `groups` together, and split by
/// the group that declares each.
pub fn split<const N: usize>(
    query: &str,
    groups: [&[Parameter]; N],
) -> Result<[Vec<(String, String)>; N], ApiError> {
    let names: Vec<&str> = groups
        .iter()
        .flat_map(|g| g.iter().map(|p| p.name.as_str()))
        .collect();
    let mut out: [Vec<(String, String)>; N] = std::array::from_fn(|_| Vec::new());
    for (k, v) in pairs(query, &names)? {
        if let Some(i) = groups.iter().position(|g| g.iter().any(|p| p.name == k)) {
            out[i].push((k, v));
        }
    }
    Ok(out)
}

/// The query parameters `T` declares, as documented. Built once per type and kept: utoipa
/// writes each parameter's whole description and schema, which cost a tenth of the server's
/// own work on a vector tile when it was built on every request (callgrind,
/// docs/performance.md). One entry per parameter type, so the kept set is bounded.
pub fn declared<T: IntoParams + 'static>() -> &'static [Parameter] {
    use std::any::TypeId;
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock, PoisonError};
    static KEPT: OnceLock<Mutex<HashMap<TypeId, &'static [Parameter]>>> = OnceLock::new();
    let mut kept = KEPT
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    kept.entry(TypeId::of::<T>()).or_insert_with(|| {
        Box::leak(T::into_params(|| Some(ParameterIn::Query)).into_boxed_slice())
    })
}

/// The name/value pairs of a query string, checked against the `accepted` names: no control
/// characters, no unknown or repeated name; blank values and ignored names dropped.
pub fn pairs(query: &str, accepted: &[&str]) -> Result<Vec<(String, String)>, ApiError> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for (k, v) in url::form_urlencoded::parse(query.as_bytes()).into_owned() {
        de::check_value(&k, &v)?;
        if IGNORED.contains(&k.as_str()) {
            continue;
        }
        if !accepted.contains(&k.as_str()) {
            let accepted = if accepted.is_empty() {
                "none".to_owned()
            } else {
                accepted.join(", ")
            };
            return Err(ApiError::invalid_parameter(format!(
                "unknown query parameter `{k}`; this endpoint accepts {accepted}"
            ))
            .zh(if accepted == "none" {
                format!("未知的查询参数 `{k}`；此接口不接受查询参数")
            } else {
                format!("未知的查询参数 `{k}`；此接口接受 {accepted}")
            }));
        }
        if !seen.insert(k.clone()) {
            return Err(ApiError::invalid_parameter(format!(
                "query parameter `{k}` is given twice"
            ))
            .zh(format!("查询参数 `{k}` 出现了两次")));
        }
        if !v.trim().is_empty() {
            out.push((k, v));
        }
    }
    Ok(out)
}

/// Read a query string into `T`.
pub fn read<T: DeserializeOwned + IntoParams + 'static>(query: &str) -> Result<T, ApiError> {
    let declared = declared::<T>();
    let names: Vec<&str> = declared.iter().map(|p| p.name.as_str()).collect();
    let pairs = pairs(query, &names)?;
    from_pairs(declared, &pairs)
}

/// `T` from pairs already checked against its names: a required parameter missing is named
/// with what it is for; a malformed value by the parameter's own rule.
pub fn from_pairs<T: DeserializeOwned>(
    declared: &[Parameter],
    pairs: &[(String, String)],
) -> Result<T, ApiError> {
    for p in declared {
        if p.required == Required::True && !pairs.iter().any(|(k, _)| *k == p.name) {
            let what = p
                .description
                .as_deref()
                .map(|d| format!(": {d}"))
                .unwrap_or_default();
            return Err(ApiError::invalid_parameter(format!(
                "query parameter `{}` is required{what}",
                p.name
            ))
            .zh(format!("须提供查询参数 `{}`{what}", p.name)));
        }
    }
    let encoded = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    let de = serde_urlencoded::Deserializer::new(url::form_urlencoded::parse(encoded.as_bytes()));
    serde_path_to_error::deserialize(de).map_err(|e| {
        let name = e.path().to_string();
        ApiError::invalid_parameter(de::name_in(&e.inner().to_string(), &name))
    })
}

/// No parameters: an endpoint that takes none still refuses what it is sent.
#[derive(Debug, Clone, Copy, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct NoParams {}

/// `as_of`: the day a report or a list is of.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AsOf {
    /// The day, YYYY-MM-DD (default today).
    #[serde(default, deserialize_with = "de::day")]
    #[param(value_type = Option<String>, format = Date)]
    pub as_of: Option<NaiveDate>,
}

/// A day and the parks of a list or report: one park, one zone, or all the caller may read.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DayScope {
    /// The day, YYYY-MM-DD (default today); a past month's state is `as_of=` its last day.
    #[serde(default, deserialize_with = "de::day")]
    #[param(value_type = Option<String>, format = Date)]
    pub as_of: Option<NaiveDate>,
    /// Only this park.
    #[serde(default, deserialize_with = "de::id")]
    pub park_id: Option<i64>,
    /// Only this zone.
    #[serde(default, deserialize_with = "de::id")]
    pub zone_id: Option<i64>,
}

/// Idle statuses to list (default idle and approaching).
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct IdleStatusFilter {
    /// Comma-separated: idle, approaching, not_due, not_applicable (default idle,approaching).
    #[serde(default, deserialize_with = "de::list")]
    #[param(value_type = Option<String>)]
    pub idle_status: Option<Vec<IdleStatus>>,
}

/// Standings of the 达产复核 to list (default all).
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReviewStatusFilter {
    /// Comma-separated: not_due (未到期), overdue (到期未复核), met (复核达标), short (复核未达标).
    #[serde(default, deserialize_with = "de::list")]
    #[param(value_type = Option<String>)]
    pub review_status: Option<Vec<ReviewStatus>>,
}

/// Classes of under-used land to list (default all five).
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct UnderusedClassFilter {
    /// Comma-separated classes: approved_not_supplied (批而未供), supplied_not_used (供而未用),
    /// used_not_finished (用而未尽), built_not_producing (建而未投), producing_below_target
    /// (投而未达).
    #[serde(default, deserialize_with = "de::list")]
    #[param(value_type = Option<String>)]
    pub class: Option<Vec<UnderusedClass>>,
}

/// `year`: the year of an evaluation or of figures.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct YearParam {
    /// The year (default last year).
    #[serde(default, deserialize_with = "de::year")]
    pub year: Option<i32>,
}

/// A day, and the year of the evaluation read on it.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DayAndYear {
    /// The day, YYYY-MM-DD (default today).
    #[serde(default, deserialize_with = "de::day")]
    #[param(value_type = Option<String>, format = Date)]
    pub as_of: Option<NaiveDate>,
    /// The evaluation year for the D class (default the year before `as_of`).
    #[serde(default, deserialize_with = "de::year")]
    pub year: Option<i32>,
}

/// A list's page.
#[derive(Debug, Clone, Copy, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct Paging {
    /// Items per page (default 100); larger values are clamped to the list's maximum (1000
    /// enterprises, 10000 audit entries).
    #[serde(default, deserialize_with = "de::id")]
    #[param(minimum = 1)]
    pub limit: Option<i64>,
    /// Items to skip.
    #[serde(default, deserialize_with = "de::id")]
    #[param(minimum = 0)]
    pub offset: Option<i64>,
}

impl Paging {
    /// `limit` and `offset` by the one rule of every list: a limit of 1 or more, clamped to
    /// `max`; an offset of 0 or more.
    pub fn resolve(self, default: i64, max: i64) -> Result<(i64, i64), ApiError> {
        let limit = match self.limit {
            None => default,
            Some(n) if n >= 1 => n.min(max),
            Some(n) => {
                return Err(ApiError::invalid_parameter(format!(
                    "limit must be a whole number ≥ 1, got `{n}`"
                ))
                .zh(format!("limit 须为不小于 1 的整数，收到 `{n}`")));
            }
        };
        let offset = match self.offset {
            None => 0,
            Some(n) if n >= 0 => n,
            Some(n) => {
                return Err(ApiError::invalid_parameter(format!(
                    "offset must be a whole number ≥ 0, got `{n}`"
                ))
                .zh(format!("offset 须为不小于 0 的整数，收到 `{n}`")));
            }
        };
        Ok((limit, offset))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_parameters() {
        let q: DayScope = read("as_of=2026-10-31&park_id=3&_=17").unwrap();
        assert_eq!(q.as_of, NaiveDate::from_ymd_opt(2026, 10, 31));
        assert_eq!(q.park_id, Some(3));
        let unknown = read::<AsOf>("asof=2026-10-31").unwrap_err();
        assert_eq!(
            unknown.problem().detail,
            "unknown query parameter `asof`; this endpoint accepts as_of"
        );
        assert!(read::<AsOf>("as_of=1&as_of=2").is_err());
        let bad = read::<AsOf>("as_of=2026-02-30").unwrap_err();
        assert_eq!(
            bad.problem().detail,
            "as_of must be a date YYYY-MM-DD between 1980 and 2100, got `2026-02-30`",
            "no 30 February, and the message names the parameter"
        );
        assert!(read::<AsOf>("as_of=0226-10-31").is_err());
        assert_eq!(
            read::<AsOf>("as_of=").unwrap().as_of,
            None,
            "blank is absent"
        );
        let id = read::<DayScope>("park_id=three").unwrap_err();
        assert_eq!(
            id.problem().detail,
            "park_id must be a whole number, got `three`"
        );
        assert!(
            read::<AsOf>("as_of=2026-01-01%00").is_err(),
            "control character"
        );
    }

    #[test]
    fn required_parameters_say_what_they_are_for() {
        #[derive(Debug, Deserialize, IntoParams)]
        #[into_params(parameter_in = Query)]
        struct Needs {
            /// The year of the figures.
            #[serde(deserialize_with = "de::required_year")]
            year: i32,
        }
        let e = read::<Needs>("").unwrap_err();
        assert_eq!(
            e.problem().detail,
            "query parameter `year` is required: The year of the figures."
        );
        assert_eq!(read::<Needs>("year=2025").unwrap().year, 2025);
    }

    #[test]
    fn paging_by_one_rule() {
        let p: Paging = read("limit=50000").unwrap();
        assert_eq!(p.resolve(100, 10_000).unwrap(), (10_000, 0), "clamped");
        let p: Paging = read("limit=0").unwrap();
        assert!(p.resolve(100, 10_000).is_err());
        let p: Paging = read("offset=-1").unwrap();
        assert!(p.resolve(100, 10_000).is_err());
        assert!(read::<Paging>("limit=ten").is_err());
    }
}
