//! The demo park's 亩均 data for last year: figures for every enterprise that used land there —
//! most around the benchmarks, a few well above, a few far below — and the park's scheme, so the
//! evaluation, the D-class candidates and the `mu-performance` layer have something to show.

use super::Rng;
use crate::domain::performance::{ClassRule, Scheme, YearFigures};
use crate::domain::register::Stamp;
use crate::domain::units::m2_to_mu;
use crate::ops;
use crate::store::{self, AnyConnection, StoreResult};
use chrono::Datelike;

/// Record last year's figures and scheme; returns how many enterprises reported.
pub fn load(conn: &mut AnyConnection, park_id: i64, stamp: &Stamp) -> StoreResult<usize> {
    let today = stamp.at.date();
    let year = today.year() - 1;
    let land =
        store::performance::land_in_use(conn, park_id, store::performance::land_day(year, today))?;
    let mut users: Vec<(i64, f64)> = land.into_iter().collect();
    users.sort_by_key(|(id, _)| *id);
    let mut rng = Rng(20_261_204);
    let mut rows = Vec::new();
    for (i, (enterprise, m2)) in users.iter().enumerate() {
        let mu = m2_to_mu(*m2);
        // Every seventh enterprise is a laggard, every fifth a leader; the rest near the
        // benchmarks (亩均税收 26 万元, 亩均增加值 100 万元).
        let level = match i {
            i if i % 7 == 3 => rng.range(0.1, 0.35),
            i if i % 5 == 0 => rng.range(1.4, 2.2),
            _ => rng.range(0.6, 1.2),
        };
        let wan = |v: f64| (v * 10_000.0).round() as i64;
        let value_added = 100.0 * level * mu * rng.range(0.8, 1.2);
        let tax = 26.0 * level * mu * rng.range(0.8, 1.2);
        let revenue = value_added * rng.range(3.0, 4.5);
        rows.push((
            *enterprise,
            YearFigures {
                revenue_yuan: wan(revenue),
                tax_yuan: wan(tax),
                value_added_yuan: wan(value_added),
                energy_tce: Some(
                    (value_added / (2.0 * level.max(0.2)) * rng.range(0.8, 1.2)).round(),
                ),
                emissions_t: Some((value_added / 50.0 * rng.range(0.8, 1.5) * 10.0).round() / 10.0),
                electricity_kwh: Some((tax * 10_000.0 / 0.5 * rng.range(0.8, 1.3)).round()),
                rd_yuan: wan(revenue * rng.range(0.005, 0.045)),
                staff: (mu * rng.range(1.5, 4.0)).round().max(5.0) as i64,
            },
        ));
    }
    // The county draws D from the last tenth (A 20 %, B 40 %, C 30 %, as several 江西 counties
    // publish it), so a park of a dozen rated firms still names its laggard.
    let scheme = Scheme {
        classes: ClassRule::RankShares {
            a_pct: 20.0,
            b_pct: 40.0,
            c_pct: 30.0,
        },
        ..Scheme::default_for()
    };
    store::performance::set_scheme(conn, park_id, year, &scheme, stamp)?;
    ops::performance::record_figures(conn, park_id, year, &rows, stamp)
}
