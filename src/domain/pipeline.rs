//! The investment pipeline report (招商项目调度) for a period: projects by stage × responsible
//! unit × size band, what each unit signed and started in the period, its fixed-asset investment
//! completed against its yearly plan, and the units with nothing to show (白卷).
//!
//! - A project's stage is the one it stood at on the period's last day; projects entered later
//!   are not counted.
//! - "Signed" / "started" in the period: the project first reached 签约 / 开工 within it.
//! - Investment completed in the period: a project's reported investment to date on the last
//!   day, minus what it had reported by the day before the period. The plan is the unit's plan
//!   for the year of the period's last day, so a year-to-date period gives the familiar "完成
//!   年度计划 x%".
//! - Amounts are whole 元; 万元 appear only in views.

use super::project::{SizeBand, Stage, StageRecord, reached_on, stage_on};
use chrono::{Datelike, Days, NaiveDate};
use std::collections::BTreeMap;

/// What the report reads of a project.
#[derive(Debug, Clone)]
pub struct PipelineProject<'a> {
    pub unit_id: i64,
    pub signed_investment_yuan: i64,
    pub fixed_asset_investment_yuan: i64,
    pub stages: &'a [StageRecord],
    /// Investment completed to date, as reported: (date, 元), oldest first.
    pub investment: &'a [(NaiveDate, i64)],
}

/// A count and its amounts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Amounts {
    pub count: i64,
    pub signed_investment_yuan: i64,
    pub fixed_asset_investment_yuan: i64,
}

impl Amounts {
    fn add(&mut self, p: &PipelineProject<'_>) {
        self.count += 1;
        self.signed_investment_yuan += p.signed_investment_yuan;
        self.fixed_asset_investment_yuan += p.fixed_asset_investment_yuan;
    }
}

/// One unit's line of the report.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UnitLine {
    pub signed: Amounts,
    pub started: Amounts,
    /// Fixed-asset investment completed in the period, 元.
    pub completed_yuan: i64,
    /// The plan for the year, 元, if one is set.
    pub plan_yuan: Option<i64>,
    /// Completed ÷ plan, percent (2 decimals).
    pub completion_pct: Option<f64>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Pipeline {
    /// (stage, unit, band) → projects standing there on the last day.
    pub cells: BTreeMap<(Stage, i64, SizeBand), Amounts>,
    pub by_stage: BTreeMap<Stage, Amounts>,
    pub by_unit: BTreeMap<i64, UnitLine>,
    pub total: Amounts,
    /// Units that signed nothing, and units that started nothing, in the period (白卷).
    pub no_signed: Vec<i64>,
    pub no_started: Vec<i64>,
}

/// Investment to date on a day: the latest report on or before it (0 without one).
fn to_date(reports: &[(NaiveDate, i64)], day: NaiveDate) -> i64 {
    reports
        .iter()
        .filter(|(d, _)| *d <= day)
        .map(|(_, y)| *y)
        .next_back()
        .unwrap_or(0)
}

fn pct(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| (part as f64 / whole as f64 * 10_000.0).round() / 100.0)
}

/// The report for `[from, to]` over `units` (id → yearly plans as (year, 元)).
pub fn report(
    projects: &[PipelineProject<'_>],
    units: &BTreeMap<i64, Vec<(i32, i64)>>,
    from: NaiveDate,
    to: NaiveDate,
) -> Pipeline {
    let mut r = Pipeline::default();
    for id in units.keys() {
        let plan = units[id]
            .iter()
            .find(|(y, _)| *y == to.year())
            .map(|(_, p)| *p);
        r.by_unit.insert(
            *id,
            UnitLine {
                plan_yuan: plan,
                ..UnitLine::default()
            },
        );
    }
    let before = from.checked_sub_days(Days::new(1)).unwrap_or(from);
    for p in projects {
        let Some(now) = stage_on(p.stages, to) else {
            continue;
        };
        let band = SizeBand::of(p.signed_investment_yuan);
        r.cells
            .entry((now.stage, p.unit_id, band))
            .or_default()
            .add(p);
        r.by_stage.entry(now.stage).or_default().add(p);
        r.total.add(p);
        let line = r.by_unit.entry(p.unit_id).or_default();
        let within = |stage| reached_on(p.stages, stage, to).is_some_and(|d| d >= from);
        if within(Stage::Signed) {
            line.signed.add(p);
        }
        if within(Stage::Started) {
            line.started.add(p);
        }
        line.completed_yuan += to_date(p.investment, to) - to_date(p.investment, before);
    }
    for (id, line) in &mut r.by_unit {
        line.completion_pct = line
            .plan_yuan
            .and_then(|plan| pct(line.completed_yuan, plan));
        if line.signed.count == 0 {
            r.no_signed.push(*id);
        }
        if line.started.count == 0 {
            r.no_started.push(*id);
        }
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::register::Stamp;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn at(stage: Stage, date: &str) -> StageRecord {
        StageRecord {
            stage,
            date: d(date),
            reason: String::new(),
            backwards: false,
            recorded: Stamp::stored("c".into(), d(date).and_hms_opt(0, 0, 0).unwrap()),
        }
    }

    /// Three units; four projects; the period is 2026-01-01 to 2026-10-31.
    #[test]
    fn a_hand_worked_report() {
        let a = [
            at(Stage::Negotiating, "2025-10-01"),
            at(Stage::Signed, "2026-02-10"),
            at(Stage::Landed, "2026-04-01"),
            at(Stage::Started, "2026-06-18"),
        ];
        let b = [
            at(Stage::Negotiating, "2025-05-01"),
            at(Stage::Signed, "2025-08-01"),
            at(Stage::Landed, "2025-11-01"),
            at(Stage::Started, "2026-03-01"),
        ];
        let c = [at(Stage::Negotiating, "2026-09-01")];
        let late = [at(Stage::Negotiating, "2026-11-05")];
        let inv_a = [(d("2026-06-30"), 20_000_000), (d("2026-09-30"), 45_000_000)];
        let inv_b = [(d("2025-12-31"), 30_000_000), (d("2026-10-31"), 80_000_000)];
        let projects = [
            PipelineProject {
                unit_id: 1,
                signed_investment_yuan: 120_000_000,
                fixed_asset_investment_yuan: 100_000_000,
                stages: &a,
                investment: &inv_a,
            },
            PipelineProject {
                unit_id: 2,
                signed_investment_yuan: 50_000_000,
                fixed_asset_investment_yuan: 40_000_000,
                stages: &b,
                investment: &inv_b,
            },
            PipelineProject {
                unit_id: 2,
                signed_investment_yuan: 8_000_000,
                fixed_asset_investment_yuan: 6_000_000,
                stages: &c,
                investment: &[],
            },
            PipelineProject {
                unit_id: 3,
                signed_investment_yuan: 9_000_000,
                fixed_asset_investment_yuan: 9_000_000,
                stages: &late,
                investment: &[],
            },
        ];
        let units = BTreeMap::from([
            (1, vec![(2026, 100_000_000)]),
            (2, vec![(2026, 60_000_000), (2025, 1)]),
            (3, vec![]),
        ]);
        let r = report(&projects, &units, d("2026-01-01"), d("2026-10-31"));
        assert_eq!(
            r.total,
            Amounts {
                count: 3,
                signed_investment_yuan: 178_000_000,
                fixed_asset_investment_yuan: 146_000_000
            },
            "the late project is not counted"
        );
        assert_eq!(r.by_stage[&Stage::Started].count, 2);
        assert_eq!(r.cells[&(Stage::Started, 1, SizeBand::Over100m)].count, 1);
        assert_eq!(
            r.cells[&(Stage::Started, 2, SizeBand::Over50m)].signed_investment_yuan,
            50_000_000,
            "5000 万 is in 5000万-1亿"
        );
        assert_eq!(r.cells[&(Stage::Negotiating, 2, SizeBand::Over5m)].count, 1);
        let one = &r.by_unit[&1];
        assert_eq!((one.signed.count, one.started.count), (1, 1));
        assert_eq!(one.completed_yuan, 45_000_000);
        assert_eq!(one.completion_pct, Some(45.0));
        let two = &r.by_unit[&2];
        assert_eq!(
            (two.signed.count, two.started.count),
            (0, 1),
            "signed in 2025, started in 2026"
        );
        assert_eq!(
            two.completed_yuan, 50_000_000,
            "80 million to date less the 30 million of 2025"
        );
        assert_eq!(two.completion_pct, Some(83.33));
        assert_eq!(r.by_unit[&3].plan_yuan, None);
        assert_eq!(r.no_signed, [2, 3]);
        assert_eq!(r.no_started, [3]);
    }

    #[test]
    fn a_past_period_reads_the_stage_then() {
        let a = [
            at(Stage::Negotiating, "2025-10-01"),
            at(Stage::Signed, "2026-02-10"),
        ];
        let projects = [PipelineProject {
            unit_id: 1,
            signed_investment_yuan: 1,
            fixed_asset_investment_yuan: 1,
            stages: &a,
            investment: &[],
        }];
        let units = BTreeMap::from([(1, vec![])]);
        let r = report(&projects, &units, d("2026-01-01"), d("2026-01-31"));
        assert_eq!(
            r.by_stage.keys().copied().collect::<Vec<_>>(),
            [Stage::Negotiating]
        );
        assert_eq!(r.no_signed, [1]);
    }
}
