//! Query strings of the `/api` lists and reports, parsed strictly like the OGC items requests:
//! an unknown, repeated or malformed parameter is a 400 that says what is accepted.

use crate::api::http::params::check_value;
use crate::error::ApiError;
use chrono::NaiveDate;
use std::collections::BTreeMap;

/// The parameters of one request, checked against the names its endpoint accepts.
#[derive(Debug, Clone, Default)]
pub struct Query(BTreeMap<String, String>);

impl Query {
    pub fn parse(query: &str, allowed: &[&str]) -> Result<Self, ApiError> {
        let mut seen = BTreeMap::new();
        for (k, v) in url::form_urlencoded::parse(query.as_bytes()).into_owned() {
            check_value(&k, &v)?;
            if k == "_" {
                continue;
            }
            if !allowed.contains(&k.as_str()) {
                let accepted = if allowed.is_empty() {
                    "none".to_owned()
                } else {
                    allowed.join(", ")
                };
                return Err(ApiError::invalid_parameter(format!(
                    "unknown query parameter `{k}`; this endpoint accepts {accepted}"
                )));
            }
            if seen.insert(k.clone(), v).is_some() {
                return Err(ApiError::invalid_parameter(format!(
                    "query parameter `{k}` is given twice"
                )));
            }
        }
        Ok(Query(seen))
    }

    /// Parameters already checked elsewhere (an OGC items request's filters).
    pub fn from_map(map: BTreeMap<String, String>) -> Self {
        Query(map)
    }

    pub fn text(&self, name: &str) -> Option<&str> {
        self.0
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.trim().is_empty())
    }

    /// A whole-number parameter (an id).
    pub fn id(&self, name: &str) -> Result<Option<i64>, ApiError> {
        self.text(name)
            .map(|v| {
                v.trim().parse::<i64>().map_err(|_| {
                    ApiError::invalid_parameter(format!("{name} must be a whole number, got `{v}`"))
                })
            })
            .transpose()
    }

    /// A calendar date `YYYY-MM-DD`.
    pub fn date(&self, name: &str) -> Result<Option<NaiveDate>, ApiError> {
        self.text(name).map(|v| parse_date(name, v)).transpose()
    }

    /// `true` or `false`.
    pub fn flag(&self, name: &str) -> Result<Option<bool>, ApiError> {
        self.text(name)
            .map(|v| match v.trim() {
                "true" | "1" => Ok(true),
                "false" | "0" => Ok(false),
                other => Err(ApiError::invalid_parameter(format!(
                    "{name} must be true or false, got `{other}`"
                ))),
            })
            .transpose()
    }

    /// A comma-separated list, each item parsed by `parse` (which names what is accepted).
    pub fn list<T>(
        &self,
        name: &str,
        parse: impl Fn(&str) -> Option<T>,
        accepted: &str,
    ) -> Result<Option<Vec<T>>, ApiError> {
        self.text(name)
            .map(|v| {
                v.split(',')
                    .map(|item| {
                        parse(item.trim()).ok_or_else(|| {
                            ApiError::invalid_parameter(format!(
                                "{name}: `{}` is not one of {accepted}",
                                item.trim()
                            ))
                        })
                    })
                    .collect()
            })
            .transpose()
    }
}

/// `limit`: a whole number ≥ 1; larger than `max` is clamped to it (OGC API – Features: a
/// limit above the server's maximum is not an error). Every list and page reads it here.
pub fn parse_limit(v: &str, max: i64) -> Result<i64, ApiError> {
    match v.trim().parse::<i64>() {
        Ok(n) if n >= 1 => Ok(n.min(max)),
        _ => Err(ApiError::invalid_parameter(format!(
            "limit must be a whole number ≥ 1, got `{v}`"
        ))),
    }
}

/// `offset`: a whole number ≥ 0.
pub fn parse_offset(v: &str) -> Result<i64, ApiError> {
    v.trim()
        .parse::<i64>()
        .ok()
        .filter(|n| *n >= 0)
        .ok_or_else(|| {
            ApiError::invalid_parameter(format!("offset must be a whole number ≥ 0, got `{v}`"))
        })
}

impl Query {
    /// `limit` and `offset` by the one rule of every list.
    pub fn paging(&self, default: i64, max: i64) -> Result<(i64, i64), ApiError> {
        let limit = self
            .text("limit")
            .map(|v| parse_limit(v, max))
            .transpose()?
            .unwrap_or(default);
        let offset = self
            .text("offset")
            .map(parse_offset)
            .transpose()?
            .unwrap_or(0);
        Ok((limit, offset))
    }
}

/// A date parameter: `YYYY-MM-DD`, between 1980 and 2100 (a wider range is a typo).
pub fn parse_date(name: &str, v: &str) -> Result<NaiveDate, ApiError> {
    NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d")
        .ok()
        .filter(|d| (1980..=2100).contains(&chrono::Datelike::year(d)))
        .ok_or_else(|| {
            ApiError::invalid_parameter(format!(
                "{name} must be a date YYYY-MM-DD between 1980 and 2100, got `{v}`"
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_parameters() {
        let q = Query::parse("as_of=2026-10-31&park_id=3&_=17", &["as_of", "park_id"]).unwrap();
        assert_eq!(
            q.date("as_of").unwrap(),
            NaiveDate::from_ymd_opt(2026, 10, 31)
        );
        assert_eq!(q.id("park_id").unwrap(), Some(3));
        assert!(Query::parse("asof=2026-10-31", &["as_of"]).is_err());
        assert!(Query::parse("as_of=1&as_of=2", &["as_of"]).is_err());
        let bad = Query::parse("as_of=2026-02-30", &["as_of"]).unwrap();
        assert!(bad.date("as_of").is_err(), "no 30 February");
        let typo = Query::parse("as_of=0226-10-31", &["as_of"]).unwrap();
        assert!(typo.date("as_of").is_err());
        let l = Query::parse("status=idle,approaching", &["status"]).unwrap();
        let parsed = l
            .list(
                "status",
                |s| (s.len() > 3).then(|| s.to_owned()),
                "idle, approaching",
            )
            .unwrap();
        assert_eq!(parsed.unwrap(), ["idle", "approaching"]);
    }
}
