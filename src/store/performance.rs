//! 亩均 data: enterprises' yearly figures in a park, the park's evaluation scheme for a year,
//! the land each enterprise uses there, and the evaluation computed from them by
//! `domain::performance`.
//!
//! Land used on a day: the supplied area of its supplies in force in the park, plus its share
//! of the land under the workshops it leases — leased area × the parcel's area ÷ the floor area
//! of all workshops on that parcel (a tenant of a quarter of the floors uses a quarter of the
//! land).

use super::audit::{self, Entry};
use super::schema::{
    enterprises, evaluation_schemes, land_supplies, performance_figures, supply_facts,
};
use super::{AnyConnection, StoreError, StoreResult, write_in_park};
use crate::domain::performance::{
    Candidate, Evaluation, Production, Scheme, YearFigures, evaluate,
};
use crate::domain::register::Stamp;
use crate::domain::units::m2_to_mu;
use chrono::NaiveDate;
use diesel::prelude::*;
use std::collections::HashMap;

type FiguresColumns = (
    i64,
    i64,
    i64,
    i64,
    Option<f64>,
    Option<f64>,
    Option<f64>,
    i64,
    i64,
);

/// Every enterprise's figures for a park and year.
pub fn figures_of(
    conn: &mut AnyConnection,
    park_id: i64,
    year: i32,
) -> StoreResult<HashMap<i64, YearFigures>> {
    Ok(figures_in(conn, &[park_id])?
        .into_iter()
        .filter(|((_, _, y), _)| *y == year)
        .map(|((enterprise, _, _), f)| (enterprise, f))
        .collect())
}

/// Every yearly figure recorded in `parks`, by (enterprise, park, year): what the 达产复核 of
/// each supply reads.
pub fn figures_in(
    conn: &mut AnyConnection,
    parks: &[i64],
) -> StoreResult<HashMap<(i64, i64, i32), YearFigures>> {
    let rows: Vec<(i64, i32, FiguresColumns)> = performance_figures::table
        .filter(performance_figures::park_id.eq_any(parks))
        .select((
            performance_figures::park_id,
            performance_figures::year,
            (
                performance_figures::enterprise_id,
                performance_figures::revenue_yuan,
                performance_figures::tax_yuan,
                performance_figures::value_added_yuan,
                performance_figures::energy_tce,
                performance_figures::emissions_t,
                performance_figures::electricity_kwh,
                performance_figures::rd_yuan,
                performance_figures::staff,
            ),
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(park, year, r)| ((r.0, park, year), year_figures(r)))
        .collect())
}

fn year_figures(r: FiguresColumns) -> YearFigures {
    YearFigures {
        revenue_yuan: r.1,
        tax_yuan: r.2,
        value_added_yuan: r.3,
        energy_tce: r.4,
        emissions_t: r.5,
        electricity_kwh: r.6,
        rd_yuan: r.7,
        staff: r.8,
    }
}

/// Enterprise ids by credit code (for a sheet's rows).
pub fn ids_by_uscc(
    conn: &mut AnyConnection,
    codes: &[String],
) -> StoreResult<HashMap<String, i64>> {
    Ok(enterprises::table
        .filter(enterprises::uscc.eq_any(codes))
        .select((enterprises::uscc, enterprises::id))
        .load::<(String, i64)>(conn)?
        .into_iter()
        .collect())
}

/// Which of `ids` are enterprises of the directory.
pub fn known_enterprises(conn: &mut AnyConnection, ids: &[i64]) -> StoreResult<Vec<i64>> {
    Ok(enterprises::table
        .filter(enterprises::id.eq_any(ids))
        .select(enterprises::id)
        .load(conn)?)
}

/// Write figures for a park and year, replacing earlier ones of the same enterprises.
pub fn replace_figures(
    conn: &mut AnyConnection,
    park_id: i64,
    year: i32,
    rows: &[(i64, YearFigures)],
    stamp: &Stamp,
) -> StoreResult<()> {
    let ids: Vec<i64> = rows.iter().map(|(id, _)| *id).collect();
    diesel::delete(
        performance_figures::table
            .filter(performance_figures::park_id.eq(park_id))
            .filter(performance_figures::year.eq(year))
            .filter(performance_figures::enterprise_id.eq_any(&ids)),
    )
    .execute(conn)?;
    for (id, f) in rows {
        diesel::insert_into(performance_figures::table)
            .values((
                performance_figures::enterprise_id.eq(id),
                performance_figures::park_id.eq(park_id),
                performance_figures::year.eq(year),
                performance_figures::revenue_yuan.eq(f.revenue_yuan),
                performance_figures::tax_yuan.eq(f.tax_yuan),
                performance_figures::value_added_yuan.eq(f.value_added_yuan),
                performance_figures::energy_tce.eq(f.energy_tce),
                performance_figures::emissions_t.eq(f.emissions_t),
                performance_figures::electricity_kwh.eq(f.electricity_kwh),
                performance_figures::rd_yuan.eq(f.rd_yuan),
                performance_figures::staff.eq(f.staff),
                performance_figures::recorded_at.eq(stamp.at),
                performance_figures::recorded_by.eq(&stamp.by),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// The park's scheme for a year, if it set one.
pub fn scheme(conn: &mut AnyConnection, park_id: i64, year: i32) -> StoreResult<Option<Scheme>> {
    let text: Option<String> = evaluation_schemes::table
        .filter(evaluation_schemes::park_id.eq(park_id))
        .filter(evaluation_schemes::year.eq(year))
        .select(evaluation_schemes::scheme)
        .first(conn)
        .optional()?;
    text.map(|t| {
        serde_json::from_str(&t).map_err(|e| {
            StoreError::Corrupt(format!(
                "the scheme of park {park_id} for {year} is unreadable: {e}"
            ))
        })
    })
    .transpose()
}

pub fn set_scheme(
    conn: &mut AnyConnection,
    park_id: i64,
    year: i32,
    scheme: &Scheme,
    stamp: &Stamp,
) -> StoreResult<()> {
    write_in_park(conn, park_id, |conn| {
        let before = self::scheme(conn, park_id, year)?;
        diesel::delete(
            evaluation_schemes::table
                .filter(evaluation_schemes::park_id.eq(park_id))
                .filter(evaluation_schemes::year.eq(year)),
        )
        .execute(conn)?;
        diesel::insert_into(evaluation_schemes::table)
            .values((
                evaluation_schemes::park_id.eq(park_id),
                evaluation_schemes::year.eq(year),
                evaluation_schemes::scheme.eq(serde_json::to_string(scheme).unwrap_or_default()),
                evaluation_schemes::recorded_at.eq(stamp.at),
                evaluation_schemes::recorded_by.eq(&stamp.by),
            ))
            .execute(conn)?;
        let entry = Entry {
            action: "set_scheme",
            entity: "evaluation_scheme",
            park_id: Some(park_id),
            ..Default::default()
        };
        audit::record(
            conn,
            stamp,
            entry
                .before(serde_json::json!({"year": year, "scheme": before}))
                .after(serde_json::json!({"year": year, "scheme": scheme})),
        )
    })
}

/// The land each enterprise uses in the park on `day`, m²: its supplies in force, and its
/// share of the parcels under the workshops it leases.
pub fn land_in_use(
    conn: &mut AnyConnection,
    park_id: i64,
    day: NaiveDate,
) -> StoreResult<HashMap<i64, f64>> {
    let mut land: HashMap<i64, f64> = HashMap::new();
    let supplies: Vec<(i64, f64, NaiveDate, Option<NaiveDate>)> = land_supplies::table
        .filter(land_supplies::park_id.eq(park_id))
        .select((
            land_supplies::enterprise_id,
            land_supplies::land_area_m2,
            land_supplies::contract_date,
            land_supplies::ended_on,
        ))
        .load(conn)?;
    for (e, area, from, ended) in supplies {
        if from <= day && ended.is_none_or(|end| end > day) {
            *land.entry(e).or_default() += area;
        }
    }
    let (buildings, _) = super::estate::load(
        conn,
        &super::estate::EstateQuery {
            park_id: Some(park_id),
            ..Default::default()
        },
    )?;
    let mut floor_on_parcel: HashMap<i64, f64> = HashMap::new();
    for b in &buildings {
        *floor_on_parcel.entry(b.workshop.parcel_id).or_default() += b.workshop.floor_area_m2;
    }
    let parcel_ids: Vec<i64> = floor_on_parcel.keys().copied().collect();
    let parcel_area: HashMap<i64, f64> = super::schema::parcels::table
        .filter(super::schema::parcels::id.eq_any(&parcel_ids))
        .select((super::schema::parcels::id, super::schema::parcels::area_m2))
        .load::<(i64, f64)>(conn)?
        .into_iter()
        .collect();
    for b in &buildings {
        let share = parcel_area
            .get(&b.workshop.parcel_id)
            .copied()
            .unwrap_or(0.0)
            / floor_on_parcel[&b.workshop.parcel_id].max(1.0);
        for (unit, leases) in &b.units {
            for l in leases.iter().filter(|l| l.covers(day)) {
                *land.entry(l.enterprise_id).or_default() += unit.area_m2 * share;
            }
        }
    }
    Ok(land)
}

/// The day a year's evaluation reads land on: its last day, or today for the current year.
pub fn land_day(year: i32, today: NaiveDate) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, 12, 31).map_or(today, |d| d.min(today))
}

/// Whether each enterprise holding land in the park was producing, from its supplies: the
/// earliest production fact of any of them, else the earliest agreed production date. Ended
/// supplies count too: production that began under a supply since ended was production.
fn production_of(
    conn: &mut AnyConnection,
    park_id: i64,
    ids: &[i64],
) -> StoreResult<HashMap<i64, Production>> {
    let supplies: Vec<(i64, i64, Option<NaiveDate>)> = land_supplies::table
        .filter(land_supplies::park_id.eq(park_id))
        .filter(land_supplies::enterprise_id.eq_any(ids))
        .select((
            land_supplies::id,
            land_supplies::enterprise_id,
            land_supplies::agreed_production,
        ))
        .load(conn)?;
    // The park's supplies as a subquery, not a list of ids: a large park's would pass the
    // databases' limits on bound parameters (SQLite 32,766).
    let of_park = land_supplies::table
        .filter(land_supplies::park_id.eq(park_id))
        .select(land_supplies::id);
    let mut produced: HashMap<i64, NaiveDate> = HashMap::new();
    for (supply, d) in supply_facts::table
        .filter(supply_facts::supply_id.eq_any(of_park))
        .filter(supply_facts::kind.eq("production"))
        .select((supply_facts::supply_id, supply_facts::fact_date))
        .load::<(i64, NaiveDate)>(conn)?
    {
        let first = produced.entry(supply).or_insert(d);
        *first = (*first).min(d);
    }
    let mut since: HashMap<i64, NaiveDate> = HashMap::new();
    let mut due: HashMap<i64, NaiveDate> = HashMap::new();
    for (supply, enterprise, agreed) in &supplies {
        if let Some(d) = produced.get(supply) {
            let e = since.entry(*enterprise).or_insert(*d);
            *e = (*e).min(*d);
        }
        if let Some(d) = agreed {
            let e = due.entry(*enterprise).or_insert(*d);
            *e = (*e).min(*d);
        }
    }
    Ok(ids
        .iter()
        .filter_map(|id| match (since.get(id), due.get(id)) {
            (Some(d), _) => Some((*id, Production::Since(*d))),
            (None, Some(d)) => Some((*id, Production::Due(*d))),
            (None, None) => None,
        })
        .collect())
}

/// A park's evaluation for a year, with the scheme used (the park's, else the default), the
/// land and figures it read, and every enterprise's name.
pub struct Rated {
    pub scheme: Scheme,
    pub evaluation: Evaluation,
    pub land_m2: HashMap<i64, f64>,
    pub figures: HashMap<i64, YearFigures>,
    pub names: HashMap<i64, String>,
}

pub fn evaluation(
    conn: &mut AnyConnection,
    park_id: i64,
    year: i32,
    today: NaiveDate,
) -> StoreResult<Rated> {
    super::parks::get(conn, park_id)?;
    let scheme = scheme(conn, park_id, year)?.unwrap_or_else(Scheme::default_for);
    let land_m2 = land_in_use(conn, park_id, land_day(year, today))?;
    let figures = figures_of(conn, park_id, year)?;
    let mut ids: Vec<i64> = land_m2.keys().chain(figures.keys()).copied().collect();
    ids.sort_unstable();
    ids.dedup();
    let rows: Vec<(i64, String, bool)> = enterprises::table
        .filter(enterprises::id.eq_any(&ids))
        .select((enterprises::id, enterprises::name, enterprises::above_scale))
        .load(conn)?;
    let production = production_of(conn, park_id, &ids)?;
    let candidates: Vec<Candidate> = rows
        .iter()
        .map(|(id, _, above)| Candidate {
            enterprise_id: *id,
            above_scale: *above,
            land_mu: m2_to_mu(land_m2.get(id).copied().unwrap_or(0.0)),
            figures: figures.get(id).copied(),
            production: production.get(id).copied().unwrap_or(Production::Unknown),
        })
        .collect();
    Ok(Rated {
        evaluation: evaluate(&scheme, &candidates, year),
        names: rows.into_iter().map(|(id, name, _)| (id, name)).collect(),
        scheme,
        land_m2,
        figures,
    })
}
