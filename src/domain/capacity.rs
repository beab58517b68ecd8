//! 标准地 达产复核: after production starts, the bureau checks the holder against the
//! indicators its contract agreed (投资强度, 容积率, 亩均税收, 亩均产值, 单位能耗/排放增加值,
//! R&D share) and applies the contract's consequence for a shortfall.
//!
//! - The review falls due `capacity_review_years` full years after production began (the
//!   anniversary rule of the idle clock); from the next day a review not recorded is overdue.
//! - What the register already holds is not typed again: the per-亩 and per-unit figures are
//!   the enterprise's yearly 亩均 figures of the last full year before the review, 容积率 the
//!   completion's floor area over the supplied land, 投资强度 the investment reported to date.
//!   A review fact records only what the register lacks.
//! - An indicator is met when the measured value reaches the agreed one less the park's
//!   `capacity_tolerance_pct`, compared exactly (display rounds; the verdict does not).
//! - The consequence: `shortfall_penalty_pct` of the land price for a 100 % shortfall,
//!   proportionally less — the largest relative gap of the indicators missed decides.

use super::performance::YearFigures;
use super::supply::{Indicators, Supply, Timeline, anniversary};
use super::units::m2_to_mu;
use super::words::{Words, words};
use chrono::{Datelike, Days, NaiveDate};
use serde::Serialize;
use utoipa::ToSchema;

/// One agreed indicator, judged.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Verdict {
    /// The indicator's key in `indicators`, e.g. `tax_per_mu_wan`.
    #[serde(rename = "indicator")]
    pub key: &'static str,
    pub name: &'static str,
    pub unit: &'static str,
    pub agreed: f64,
    /// `None`: the register holds no figure for it (no figures reported for the year, no
    /// energy reported …) — the indicator is not verified.
    pub measured: Option<f64>,
    /// `None` when not measured.
    pub met: Option<bool>,
    /// (measured − agreed) ÷ agreed, percent.
    pub gap_pct: Option<f64>,
}

/// Where a supply's 达产复核 stands on a day.
#[derive(Debug, Clone, PartialEq)]
pub enum Review {
    /// In production, the review not yet due.
    NotDue { due: NaiveDate },
    /// Due since `due` and not recorded: flagged on the list and the map.
    Overdue { due: NaiveDate, days: i64 },
    /// Recorded on `date`, read against the figures of `year`.
    Done {
        due: NaiveDate,
        date: NaiveDate,
        year: i32,
        verdicts: Vec<Verdict>,
        /// 达产违约金, whole 元, when the contract agrees one and an indicator is missed.
        penalty_yuan: Option<i64>,
    },
}

/// A review's standing in one word, as the map colours it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReviewStatus {
    /// 未到期
    NotDue,
    /// 到期未复核
    Overdue,
    /// 复核达标: every measured indicator met
    Met,
    /// 复核未达标: an agreed indicator missed
    Short,
}

impl ReviewStatus {
    pub const ALL: [ReviewStatus; 4] = [Self::NotDue, Self::Overdue, Self::Met, Self::Short];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotDue => "not_due",
            Self::Overdue => "overdue",
            Self::Met => "met",
            Self::Short => "short",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::NotDue => "未到期",
            Self::Overdue => "到期未复核",
            Self::Met => "复核达标",
            Self::Short => "复核未达标",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        let raw = raw.trim();
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == raw || s.label_zh() == raw)
    }
}

impl Review {
    pub fn status(&self) -> ReviewStatus {
        match self {
            Self::NotDue { .. } => ReviewStatus::NotDue,
            Self::Overdue { .. } => ReviewStatus::Overdue,
            Self::Done { verdicts, .. } if verdicts.iter().any(|v| v.met == Some(false)) => {
                ReviewStatus::Short
            }
            Self::Done { .. } => ReviewStatus::Met,
        }
    }

    pub fn due(&self) -> NaiveDate {
        match self {
            Self::NotDue { due } | Self::Overdue { due, .. } | Self::Done { due, .. } => *due,
        }
    }

    /// The indicators missed, as the 投而未达 finding states them.
    pub fn shortfalls(&self) -> Vec<Words> {
        let Self::Done { verdicts, .. } = self else {
            return Vec::new();
        };
        verdicts
            .iter()
            .filter(|v| v.met == Some(false))
            .map(|v| {
                let unit = if v.unit.is_empty() {
                    String::new()
                } else {
                    format!(" {}", v.unit)
                };
                let (name, agreed) = (v.name, v.agreed);
                let measured = round4(v.measured.unwrap_or_default());
                let gap = v.gap_pct.unwrap_or_default();
                words!(
                    "{name} {measured}{unit} 低于约定的 {agreed}（{gap:.1}%）",
                    "{name} {measured}{unit} below the agreed {agreed} ({gap:.1}%)"
                )
            })
            .collect()
    }
}

/// The day the review falls due: the day after `years` full years of production.
pub fn due_on(producing: NaiveDate, years: u32) -> NaiveDate {
    let last = anniversary(producing, i32::try_from(years).unwrap_or(i32::MAX));
    last.checked_add_days(Days::new(1)).unwrap_or(last)
}

/// The measured indicators from the register: `figures` of the review's year, the timeline's
/// completion and investment; what the review fact typed (`typed`) stands where given.
pub fn measured(
    s: &Supply,
    t: &Timeline,
    figures: Option<&YearFigures>,
    typed: &Indicators,
) -> Indicators {
    let mu = m2_to_mu(s.land_area_m2);
    let wan = |y: i64| y as f64 / 10_000.0;
    let per = |num: f64, den: Option<f64>| den.filter(|d| *d > 0.0).map(|d| num / d);
    let land = (mu > 0.0).then_some(mu);
    let investment = (t.investment_yuan > 0)
        .then(|| per(wan(t.investment_yuan), land))
        .flatten();
    let far = t
        .built_floor_area_m2
        .and_then(|f| per(f, Some(s.land_area_m2)));
    let from = |f: &dyn Fn(&YearFigures) -> Option<f64>| figures.and_then(f);
    Indicators {
        investment_intensity_wan_per_mu: typed.investment_intensity_wan_per_mu.or(investment),
        far: typed.far.or(far),
        tax_per_mu_wan: typed
            .tax_per_mu_wan
            .or_else(|| from(&|f| per(wan(f.tax_yuan), land))),
        value_added_per_energy_wan_per_tce: typed
            .value_added_per_energy_wan_per_tce
            .or_else(|| from(&|f| per(wan(f.value_added_yuan), f.energy_tce))),
        output_per_mu_wan: from(&|f| per(wan(f.revenue_yuan), land)),
        value_added_per_emission_wan_per_t: from(&|f| per(wan(f.value_added_yuan), f.emissions_t)),
        rd_share_pct: from(&|f| per(f.rd_yuan as f64 * 100.0, Some(f.revenue_yuan as f64))),
    }
}

/// Each agreed indicator against the measured one, allowing `tolerance_pct` short.
pub fn verdicts(agreed: &Indicators, measured: &Indicators, tolerance_pct: f64) -> Vec<Verdict> {
    let rows = [
        (
            "investment_intensity_wan_per_mu",
            "投资强度",
            "万元/亩",
            agreed.investment_intensity_wan_per_mu,
            measured.investment_intensity_wan_per_mu,
        ),
        ("far", "容积率", "", agreed.far, measured.far),
        (
            "tax_per_mu_wan",
            "亩均税收",
            "万元/亩",
            agreed.tax_per_mu_wan,
            measured.tax_per_mu_wan,
        ),
        (
            "output_per_mu_wan",
            "亩均产值",
            "万元/亩",
            agreed.output_per_mu_wan,
            measured.output_per_mu_wan,
        ),
        (
            "value_added_per_energy_wan_per_tce",
            "单位能耗增加值",
            "万元/吨标煤",
            agreed.value_added_per_energy_wan_per_tce,
            measured.value_added_per_energy_wan_per_tce,
        ),
        (
            "value_added_per_emission_wan_per_t",
            "单位排放增加值",
            "万元/吨",
            agreed.value_added_per_emission_wan_per_t,
            measured.value_added_per_emission_wan_per_t,
        ),
        (
            "rd_share_pct",
            "研发经费投入强度",
            "%",
            agreed.rd_share_pct,
            measured.rd_share_pct,
        ),
    ];
    rows.into_iter()
        .filter_map(|(key, name, unit, agreed, measured)| {
            let agreed = agreed?;
            let floor = agreed * (1.0 - tolerance_pct / 100.0);
            Some(Verdict {
                key,
                name,
                unit,
                agreed,
                measured: measured.map(round4),
                // Exact: relative noise of 1e-9 only, as every threshold of parkland.
                met: measured.map(|m| m >= floor * (1.0 - 1e-9)),
                gap_pct: measured.map(|m| round2((m - agreed) / agreed * 100.0)),
            })
        })
        .collect()
}

/// 达产违约金: `pct` of the land price for a 100 % shortfall, times the largest relative gap of
/// the indicators missed; `None` when the contract agrees none or nothing is missed.
pub fn shortfall_penalty(
    land_price_yuan: i64,
    pct: Option<f64>,
    verdicts: &[Verdict],
) -> Option<i64> {
    let pct = pct?;
    let gap = verdicts
        .iter()
        .filter(|v| v.met == Some(false))
        .filter_map(|v| {
            v.measured
                .map(|m| ((v.agreed - m) / v.agreed).clamp(0.0, 1.0))
        })
        .fold(None, |acc: Option<f64>, g| {
            Some(acc.map_or(g, |a| a.max(g)))
        })?;
    Some((land_price_yuan as f64 * pct / 100.0 * gap).round() as i64)
}

/// The review of `s` on `as_of`; `None` before production. `figures_of(year)` are the
/// holder's yearly figures in the park.
pub fn review(
    s: &Supply,
    t: &Timeline,
    years: u32,
    tolerance_pct: f64,
    as_of: NaiveDate,
    figures_of: &dyn Fn(i32) -> Option<YearFigures>,
) -> Option<Review> {
    let producing = t.producing?;
    let due = due_on(producing, years);
    if let Some((date, typed)) = t.review {
        let year = date.year() - 1;
        let figures = figures_of(year);
        let m = measured(s, t, figures.as_ref(), &typed);
        let verdicts = verdicts(&s.indicators, &m, tolerance_pct);
        let penalty_yuan = shortfall_penalty(s.land_price_yuan, s.shortfall_penalty_pct, &verdicts);
        return Some(Review::Done {
            due,
            date,
            year,
            verdicts,
            penalty_yuan,
        });
    }
    if as_of < due {
        Some(Review::NotDue { due })
    } else {
        Some(Review::Overdue {
            due,
            days: (as_of - due).num_days() + 1,
        })
    }
}

fn round4(v: f64) -> f64 {
    (v * 10_000.0).round() / 10_000.0
}

fn round2(v: f64) -> f64 {
    // `+ 0.0` turns a rounded −0.0 into 0.0.
    (v * 100.0).round() / 100.0 + 0.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_review_falls_due_the_day_after_the_full_years() {
        // 民法典 Art. 201: the day production began is not counted; three years end on
        // 2025-06-01 and the review is due from the next day.
        assert_eq!(due_on(d("2022-06-01"), 3), d("2025-06-02"));
        assert_eq!(due_on(d("2020-02-29"), 1), d("2021-03-01"));
    }

    #[test]
    fn a_review_short_on_one_indicator_owes_its_proportion() {
        let agreed = Indicators {
            tax_per_mu_wan: Some(15.0),
            output_per_mu_wan: Some(300.0),
            far: Some(1.2),
            ..Indicators::default()
        };
        let measured = Indicators {
            tax_per_mu_wan: Some(12.0),
            output_per_mu_wan: Some(300.0),
            far: None,
            ..Indicators::default()
        };
        let v = verdicts(&agreed, &measured, 0.0);
        let met: Vec<(&str, Option<bool>)> = v.iter().map(|v| (v.key, v.met)).collect();
        assert_eq!(
            met,
            [
                ("far", None),
                ("tax_per_mu_wan", Some(false)),
                ("output_per_mu_wan", Some(true))
            ],
            "300 against 300 is met; 容积率 without a completion is not verified"
        );
        assert_eq!(v[1].gap_pct, Some(-20.0));
        // 20 % of a 1,837.5 万 land price for a full shortfall; 20 % short owes a fifth of it.
        assert_eq!(shortfall_penalty(18_375_000, Some(20.0), &v), Some(735_000));
        assert_eq!(shortfall_penalty(18_375_000, None, &v), None);
        // Within a 20 % tolerance nothing is missed.
        let lenient = verdicts(&agreed, &measured, 20.0);
        assert_eq!(shortfall_penalty(18_375_000, Some(20.0), &lenient), None);
        // Exactly: 14.99996 is below 15.
        let close = Indicators {
            tax_per_mu_wan: Some(14.99996),
            ..measured
        };
        assert_eq!(verdicts(&agreed, &close, 0.0)[1].met, Some(false));
    }
}
