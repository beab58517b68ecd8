//! What a list or report request covers — parks, zone, day, period — from its typed query
//! parameters, checked against what the caller may read, before anything is loaded.

use crate::api::AppState;
use crate::api::http::access::listed_parks;
use crate::api::http::params::DayScope;
use crate::domain::access::Caller;
use crate::domain::idle_land::IdleStatus;
use crate::domain::performance::check_year;
use crate::error::ApiError;
use crate::ops::land_watch::WatchQuery;
use crate::store;
use crate::store::estate::{Building, EstateQuery};
use chrono::{Datelike, Months, NaiveDate};

/// The estate of the parks a request names, checked against what the caller may read.
pub async fn estate(
    state: &AppState,
    caller: &Caller,
    scope: &DayScope,
) -> Result<(Vec<Building>, NaiveDate), ApiError> {
    let park_id = scope.park_id;
    let query = EstateQuery {
        visible_parks: listed_parks(state, caller, park_id).await?,
        park_id,
        zone_id: scope.zone_id,
        workshop_id: None,
    };
    let as_of = scope.as_of.unwrap_or_else(|| state.today());
    let (buildings, _) = state.run(move |c| store::estate::load(c, &query)).await?;
    Ok((buildings, as_of))
}

/// The parks, zone and day a watch request names, checked against what the caller may read.
pub async fn watch_query(
    state: &AppState,
    caller: &Caller,
    scope: &DayScope,
) -> Result<(WatchQuery, NaiveDate), ApiError> {
    let park_id = scope.park_id;
    let query = WatchQuery {
        visible_parks: listed_parks(state, caller, park_id).await?,
        park_id,
        zone_id: scope.zone_id,
    };
    Ok((query, scope.as_of.unwrap_or_else(|| state.today())))
}

/// Idle statuses to list: those named or, by default, idle and approaching. (The parameter
/// is named after the property, so GDAL passes `-where "idle_status = 'idle'"` to the server.)
pub fn statuses(named: Option<Vec<IdleStatus>>) -> Vec<IdleStatus> {
    named.unwrap_or_else(|| vec![IdleStatus::Idle, IdleStatus::Approaching])
}

/// `from`/`to` of a report: in order; by default this year to date.
pub fn period(
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<(NaiveDate, NaiveDate), ApiError> {
    let to = to.unwrap_or(today);
    let from = from.unwrap_or_else(|| NaiveDate::from_ymd_opt(to.year(), 1, 1).unwrap_or(to));
    if from > to {
        return Err(ApiError::invalid_parameter(format!(
            "the period ends ({to}) before it starts ({from})"
        ))
        .zh(format!("时段的结束（{to}）早于开始（{from}）")));
    }
    Ok((from, to))
}

/// The month a report is for (its first day), not after this month; by default the month just
/// ended (the dispatch meeting at the start of a month reviews the last one). Its name, first
/// day, and last day or today for the current month.
pub fn month(
    first: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<(String, NaiveDate, NaiveDate), ApiError> {
    let this_month = NaiveDate::from_ymd_opt(today.year(), today.month(), 1).unwrap_or(today);
    let first = first.unwrap_or_else(|| {
        this_month
            .checked_sub_months(Months::new(1))
            .unwrap_or(this_month)
    });
    if first > this_month {
        return Err(ApiError::invalid_parameter(format!(
            "{} has not begun: the report covers a month up to this one ({})",
            first.format("%Y-%m"),
            this_month.format("%Y-%m")
        ))
        .zh(format!(
            "{} 尚未开始：报表只能针对本月（{}）及以前的月份",
            first.format("%Y-%m"),
            this_month.format("%Y-%m")
        )));
    }
    let last = first
        .checked_add_months(Months::new(1))
        .and_then(|d| d.pred_opt())
        .unwrap_or(first);
    Ok((first.format("%Y-%m").to_string(), first, last.min(today)))
}

/// A year as asked (default the year before `as_of`'s), checked against today.
pub fn year(year: Option<i32>, as_of: NaiveDate, today: NaiveDate) -> Result<i32, ApiError> {
    check_year(year.unwrap_or(as_of.year() - 1), today)
        .map_err(|e| ApiError::invalid_parameter(e.message))
}

/// `as_of` (default today) and `year` (default the year before `as_of`'s) of a request.
pub fn day_and_year(
    as_of: Option<NaiveDate>,
    y: Option<i32>,
    today: NaiveDate,
) -> Result<(NaiveDate, i32), ApiError> {
    let as_of = as_of.unwrap_or(today);
    Ok((as_of, year(y, as_of, today)?))
}
