//! The reports of a park: the investment pipeline for a period, the 亩均 evaluation of a year,
//! and the month's dispatch report that gathers every section — each loaded and built in one go.

use crate::ops;
use crate::ops::land_watch::{WatchMemo, WatchQuery};
use crate::store::estate::EstateQuery;
use crate::store::{self, AnyConnection, StoreResult};
use crate::views::dispatch::{DispatchReport, dispatch_view};
use crate::views::performance::{EvaluationView, evaluation_view};
use crate::views::pipeline::{PipelineReport, pipeline_view};
use chrono::{Datelike, NaiveDate};

/// The pipeline of a park's projects for a period.
pub fn pipeline(
    conn: &mut AnyConnection,
    park_id: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> StoreResult<PipelineReport> {
    let projects = store::projects::list(conn, Some(&[park_id]), None)?;
    let units = store::projects::units(conn)?;
    let bands = store::parks::get(conn, park_id)?
        .settings_in(&[], None)
        .size_bands_wan_yuan;
    Ok(pipeline_view(park_id, from, to, &projects, &units, &bands))
}

/// The evaluation of a park's enterprises for a year, best first.
pub fn evaluation(
    conn: &mut AnyConnection,
    park_id: i64,
    year: i32,
    today: NaiveDate,
) -> StoreResult<EvaluationView> {
    let rated = store::performance::evaluation(conn, park_id, year, today)?;
    let set = store::performance::scheme(conn, park_id, year)?.is_some();
    Ok(evaluation_view(park_id, year, &rated, set))
}

/// The month's dispatch report of a park: its sections loaded once, each built by its own
/// endpoint's function.
pub fn dispatch(
    conn: &mut AnyConnection,
    memo: &WatchMemo,
    park_id: i64,
    month: String,
    from: NaiveDate,
    as_of: NaiveDate,
    today: NaiveDate,
) -> StoreResult<DispatchReport> {
    let year_start = NaiveDate::from_ymd_opt(as_of.year(), 1, 1).unwrap_or(from);
    let pipeline = pipeline(conn, park_id, year_start, as_of)?;
    let park = store::parks::get(conn, park_id)?;
    let watch = WatchQuery {
        park_id: Some(park_id),
        ..Default::default()
    };
    let watched = ops::land_watch::watch(conn, memo, &watch, as_of)?;
    let estate = EstateQuery {
        park_id: Some(park_id),
        ..Default::default()
    };
    let (buildings, _) = store::estate::load(conn, &estate)?;
    let evaluation = evaluation(conn, park_id, as_of.year() - 1, today)?;
    Ok(dispatch_view(
        park_id, park.name, month, from, as_of, pipeline, &watched, &buildings, evaluation,
    ))
}
