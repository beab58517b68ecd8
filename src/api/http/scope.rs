//! What a list or report request covers — parks, zone, day — read from its query string and
//! checked against what the caller may read, before anything is loaded.

use crate::api::AppState;
use crate::api::http::access::listed_parks;
use crate::api::http::query::Query;
use crate::domain::access::Caller;
use crate::domain::idle_land::IdleStatus;
use crate::domain::performance::check_year;
use crate::domain::underused::UnderusedClass;
use crate::error::ApiError;
use crate::store;
use crate::store::estate::{Building, EstateQuery};
use crate::store::land_watch::WatchQuery;
use chrono::{Datelike, Months, NaiveDate};

/// The estate of the parks a request names, checked against what the caller may read.
pub async fn estate(
    state: &AppState,
    caller: &Caller,
    q: &Query,
) -> Result<(Vec<Building>, NaiveDate), ApiError> {
    let park_id = q.id("park_id")?;
    let query = EstateQuery {
        visible_parks: listed_parks(state, caller, park_id).await?,
        park_id,
        zone_id: q.id("zone_id")?,
        workshop_id: None,
    };
    let as_of = q.date("as_of")?.unwrap_or_else(|| state.today());
    let (buildings, _) = state.run(move |c| store::estate::load(c, &query)).await?;
    Ok((buildings, as_of))
}

/// The parks, zone and day a watch request names, checked against what the caller may read.
pub async fn watch_query(
    state: &AppState,
    caller: &Caller,
    q: &Query,
) -> Result<(WatchQuery, NaiveDate), ApiError> {
    let park_id = q.id("park_id")?;
    let query = WatchQuery {
        visible_parks: listed_parks(state, caller, park_id).await?,
        park_id,
        zone_id: q.id("zone_id")?,
    };
    Ok((query, q.date("as_of")?.unwrap_or_else(|| state.today())))
}

/// Idle statuses to list: `idle_status=` or, by default, idle and approaching. (The parameter
/// is named after the property, so GDAL passes `-where "idle_status = 'idle'"` to the server.)
pub fn statuses(q: &Query) -> Result<Vec<IdleStatus>, ApiError> {
    Ok(q.list(
        "idle_status",
        IdleStatus::parse,
        "idle, approaching, not_due, not_applicable",
    )?
    .unwrap_or_else(|| vec![IdleStatus::Idle, IdleStatus::Approaching]))
}

pub fn classes(q: &Query) -> Result<Option<Vec<UnderusedClass>>, ApiError> {
    q.list(
        "class",
        UnderusedClass::parse,
        "approved_not_supplied, supplied_not_used, used_not_finished, built_not_producing, producing_below_target (or 批而未供, 供而未用 …)",
    )
}

/// `from`/`to` of a report: both given, in order; by default this year to date.
pub fn period(q: &Query, today: NaiveDate) -> Result<(NaiveDate, NaiveDate), ApiError> {
    let to = q.date("to")?.unwrap_or(today);
    let from = q
        .date("from")?
        .unwrap_or_else(|| NaiveDate::from_ymd_opt(to.year(), 1, 1).unwrap_or(to));
    if from > to {
        return Err(ApiError::invalid_parameter(format!(
            "the period ends ({to}) before it starts ({from})"
        )));
    }
    Ok((from, to))
}

/// The month a report is for: `YYYY-MM`, not after this month; by default the month just ended
/// (the dispatch meeting at the start of a month reviews the last one). Its first day, and its
/// last day or today for the current month.
pub fn month(q: &Query, today: NaiveDate) -> Result<(String, NaiveDate, NaiveDate), ApiError> {
    let this_month = NaiveDate::from_ymd_opt(today.year(), today.month(), 1).unwrap_or(today);
    let first = match q.text("month") {
        None => this_month
            .checked_sub_months(Months::new(1))
            .unwrap_or(this_month),
        Some(raw) => NaiveDate::parse_from_str(&format!("{}-01", raw.trim()), "%Y-%m-%d")
            .ok()
            .filter(|d| d.year() >= 2000)
            .ok_or_else(|| {
                ApiError::invalid_parameter(format!(
                    "month must be YYYY-MM (e.g. 2026-11), got `{raw}`"
                ))
            })?,
    };
    if first > this_month {
        return Err(ApiError::invalid_parameter(format!(
            "{} has not begun: the report covers a month up to this one ({})",
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

/// `as_of` (default today) and `year` (default the year before `as_of`'s) of a request.
pub fn day_and_year(q: &Query, today: NaiveDate) -> Result<(NaiveDate, i32), ApiError> {
    let as_of = q.date("as_of")?.unwrap_or(today);
    let year = match q.id("year")? {
        Some(y) => i32::try_from(y).unwrap_or(i32::MAX),
        None => as_of.year() - 1,
    };
    let year = check_year(year, today).map_err(|e| ApiError::invalid_parameter(e.message))?;
    Ok((as_of, year))
}
