//! The investment pipeline report (招商项目调度) for a period: projects by stage × responsible
//! unit × size band (by fixed-asset investment, cut at the park's thresholds), the counts at
//! or above each threshold (固定资产投资500万元以上 …, 其中亿元以上 …), what each unit signed and started in the period, its fixed-asset investment
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
//! - The dispatch meeting's lists: units ranked on each of the period's figures (signed,
//!   landed, started, put into production, investment completed; equal figures share a rank),
//!   the 白卷 units of each stage (nothing in negotiation on the last day; nothing signed,
//!   started or put into production in the period), and 飞地 projects — built outside the park
//!   for a township that brought them — in a section of their own, credited to that township
//!   (their responsible unit).

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
    /// 飞地: brought by the responsible unit (a township) and built elsewhere.
    pub enclave: bool,
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
    /// Projects first landed (供地/入驻) in the period.
    pub landed: Amounts,
    pub started: Amounts,
    /// Projects first put into production (投产) in the period.
    pub producing: Amounts,
    /// Projects standing in negotiation (在谈) on the last day.
    pub negotiating: Amounts,
    /// Projects standing on the last day, at any stage but 终止.
    pub standing: Amounts,
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
    /// Units with nothing in negotiation on the last day, and units that put nothing into
    /// production in the period (白卷).
    pub no_negotiating: Vec<i64>,
    pub no_producing: Vec<i64>,
    /// 飞地 projects by the unit credited with them: those standing on the last day (not
    /// terminated), and those signed and started in the period.
    pub enclaves: BTreeMap<i64, UnitLine>,
    /// For each threshold (万元, ascending), the projects whose fixed-asset investment reaches
    /// it: the "其中" lines of the seeds' counts.
    pub thresholds: Vec<(u32, Tally)>,
}

/// Projects standing on the last day, and those signed, started and put into production in
/// the period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub standing: Amounts,
    pub signed: Amounts,
    pub started: Amounts,
    pub producing: Amounts,
}

/// What a unit is ranked on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Measure {
    Signed,
    Landed,
    Started,
    Producing,
    Investment,
}

impl Measure {
    pub const ALL: [Measure; 5] = [
        Self::Signed,
        Self::Landed,
        Self::Started,
        Self::Producing,
        Self::Investment,
    ];

    fn of(self, line: &UnitLine) -> i64 {
        match self {
            Self::Signed => line.signed.count,
            Self::Landed => line.landed.count,
            Self::Started => line.started.count,
            Self::Producing => line.producing.count,
            Self::Investment => line.completed_yuan,
        }
    }
}

/// Each unit's rank on `measure`, 1 the best; units with equal figures share the better rank
/// (1, 2, 2, 4).
pub fn ranks(lines: &BTreeMap<i64, UnitLine>, measure: Measure) -> BTreeMap<i64, usize> {
    let figures: Vec<i64> = lines.values().map(|l| measure.of(l)).collect();
    lines
        .iter()
        .map(|(id, l)| {
            let mine = measure.of(l);
            (*id, 1 + figures.iter().filter(|f| **f > mine).count())
        })
        .collect()
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

/// The report for `[from, to]` over `units` (id → yearly plans as (year, 元)), banded at the
/// park's ascending `thresholds_wan` (万元 of fixed-asset investment).
pub fn report(
    projects: &[PipelineProject<'_>],
    units: &BTreeMap<i64, Vec<(i32, i64)>>,
    from: NaiveDate,
    to: NaiveDate,
    thresholds_wan: &[u32],
) -> Pipeline {
    let mut r = Pipeline {
        thresholds: thresholds_wan
            .iter()
            .map(|t| (*t, Tally::default()))
            .collect(),
        ..Pipeline::default()
    };
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
        let band = SizeBand::of(p.fixed_asset_investment_yuan, thresholds_wan);
        r.cells
            .entry((now.stage, p.unit_id, band))
            .or_default()
            .add(p);
        r.by_stage.entry(now.stage).or_default().add(p);
        r.total.add(p);
        let within = |stage| reached_on(p.stages, stage, to).is_some_and(|d| d >= from);
        let completed = to_date(p.investment, to) - to_date(p.investment, before);
        for (threshold, tally) in &mut r.thresholds {
            if p.fixed_asset_investment_yuan < i64::from(*threshold) * 10_000 {
                continue;
            }
            if now.stage != Stage::Terminated {
                tally.standing.add(p);
            }
            for (stage, amounts) in [
                (Stage::Signed, &mut tally.signed),
                (Stage::Started, &mut tally.started),
                (Stage::Producing, &mut tally.producing),
            ] {
                if within(stage) {
                    amounts.add(p);
                }
            }
        }
        let mut lines = vec![r.by_unit.entry(p.unit_id).or_default()];
        if p.enclave {
            lines.push(r.enclaves.entry(p.unit_id).or_default());
        }
        // The by-unit line and, for a 飞地 project, its section's line.
        for line in lines {
            if now.stage != Stage::Terminated {
                line.standing.add(p);
            }
            if now.stage == Stage::Negotiating {
                line.negotiating.add(p);
            }
            if within(Stage::Signed) {
                line.signed.add(p);
            }
            if within(Stage::Landed) {
                line.landed.add(p);
            }
            if within(Stage::Started) {
                line.started.add(p);
            }
            if within(Stage::Producing) {
                line.producing.add(p);
            }
            line.completed_yuan += completed;
        }
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
        if line.negotiating.count == 0 {
            r.no_negotiating.push(*id);
        }
        if line.producing.count == 0 {
            r.no_producing.push(*id);
        }
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::register::Stamp;
    use crate::domain::settings::DEFAULT_SIZE_BANDS_WAN;

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
                enclave: false,
            },
            PipelineProject {
                unit_id: 2,
                signed_investment_yuan: 50_000_000,
                fixed_asset_investment_yuan: 40_000_000,
                stages: &b,
                investment: &inv_b,
                enclave: false,
            },
            PipelineProject {
                unit_id: 2,
                signed_investment_yuan: 8_000_000,
                fixed_asset_investment_yuan: 6_000_000,
                stages: &c,
                investment: &[],
                enclave: false,
            },
            PipelineProject {
                unit_id: 3,
                signed_investment_yuan: 9_000_000,
                fixed_asset_investment_yuan: 9_000_000,
                stages: &late,
                investment: &[],
                enclave: false,
            },
        ];
        let units = BTreeMap::from([
            (1, vec![(2026, 100_000_000)]),
            (2, vec![(2026, 60_000_000), (2025, 1)]),
            (3, vec![]),
        ]);
        let r = report(
            &projects,
            &units,
            d("2026-01-01"),
            d("2026-10-31"),
            &DEFAULT_SIZE_BANDS_WAN,
        );
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
        let band = |from_wan, to_wan| SizeBand { from_wan, to_wan };
        assert_eq!(r.cells[&(Stage::Started, 1, band(10_000, None))].count, 1);
        assert_eq!(
            r.cells[&(Stage::Started, 2, band(3_000, Some(5_000)))].fixed_asset_investment_yuan,
            40_000_000,
            "bands are by fixed-asset investment: 4000 万 is in 3000万-5000万"
        );
        assert_eq!(
            r.cells[&(Stage::Negotiating, 2, band(500, Some(3_000)))].count,
            1
        );
        // 其中: at or above each threshold.
        let at = |t: u32| r.thresholds.iter().find(|(x, _)| *x == t).unwrap().1;
        assert_eq!(at(500).standing.count, 3);
        assert_eq!(at(3_000).standing.count, 2);
        assert_eq!(at(5_000).standing.count, 1);
        assert_eq!(at(10_000).standing.count, 1, "1 亿 is 亿元以上");
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
        assert_eq!(
            r.no_negotiating,
            [1, 3],
            "unit 2 has project c in negotiation"
        );
        assert_eq!(r.no_producing, [1, 2, 3]);
        assert_eq!(r.by_unit[&1].landed.count, 1, "a landed on 2026-04-01");
        assert_eq!(r.by_unit[&2].landed.count, 0, "b landed in 2025");
        // Ranked on each figure; equal figures share the better rank.
        let started = ranks(&r.by_unit, Measure::Started);
        assert_eq!(started, BTreeMap::from([(1, 1), (2, 1), (3, 3)]));
        let invested = ranks(&r.by_unit, Measure::Investment);
        assert_eq!(invested, BTreeMap::from([(1, 2), (2, 1), (3, 3)]));
        assert!(r.enclaves.is_empty());
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
            enclave: false,
        }];
        let units = BTreeMap::from([(1, vec![])]);
        let r = report(&projects, &units, d("2026-01-01"), d("2026-01-31"), &[]);
        assert_eq!(
            r.by_stage.keys().copied().collect::<Vec<_>>(),
            [Stage::Negotiating]
        );
        assert_eq!(r.no_signed, [1]);
    }

    /// 飞地: a township's project built outside the park has a section of its own, credited
    /// to the township; it also counts in the township's own line.
    #[test]
    fn enclave_projects_are_credited_to_their_township() {
        let signed = [
            at(Stage::Negotiating, "2026-01-05"),
            at(Stage::Signed, "2026-03-01"),
            at(Stage::Landed, "2026-05-01"),
            at(Stage::Started, "2026-07-01"),
            at(Stage::Completed, "2026-09-01"),
            at(Stage::Producing, "2026-10-15"),
        ];
        let ended = [
            at(Stage::Negotiating, "2026-01-05"),
            at(Stage::Terminated, "2026-02-01"),
        ];
        let project = |stages, enclave| PipelineProject {
            unit_id: 7,
            signed_investment_yuan: 30_000_000,
            fixed_asset_investment_yuan: 25_000_000,
            stages,
            investment: &[],
            enclave,
        };
        let projects = [project(&signed[..], true), project(&ended[..], true)];
        let units = BTreeMap::from([(7, vec![]), (8, vec![])]);
        let r = report(&projects, &units, d("2026-01-01"), d("2026-10-31"), &[]);
        let enclave = &r.enclaves[&7];
        assert_eq!(
            (
                enclave.standing.count,
                enclave.signed.count,
                enclave.producing.count
            ),
            (1, 1, 1),
            "the terminated one is not standing"
        );
        assert_eq!(r.by_unit[&7].producing.count, 1);
        assert!(!r.enclaves.contains_key(&8));
        assert_eq!(r.no_producing, [8]);
    }
}
