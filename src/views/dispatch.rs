//! The monthly dispatch report (月调度) in one place — the investment pipeline from 1 January
//! to the month's end (年初至本月累计), construction deadlines, idle land and 五未 totals,
//! workshop occupancy and idle units, and the 亩均 classes of the latest evaluation year — and
//! its tables, one per section. Each section is built by the same function as its own
//! endpoint, from the same loads, so the report and the endpoints cannot disagree.

use crate::domain::idle_land::IdleStatus;
use crate::domain::penalty;
use crate::domain::performance::Class;
use crate::domain::units::round_to;
use crate::views::estate::{
    DeadlineList, FloorTally, IdleUnit, Occupancy, deadline_list, idle_unit_report,
    occupancy_report,
};
use crate::views::land_watch::{IdleTotals, UnderusedTotals, idle_land_report, underused_report};
use crate::views::pipeline::{PipelineReport, pipeline_tables};
use crate::views::tables::{Cell, Table};
use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// Deadlines due within this many days are "due soon" (the deadline list's default).
pub const DUE_SOON_DAYS: i64 = 30;

/// The land section: idle land (idle and approaching) and 五未 totals.
#[derive(Serialize, ToSchema)]
pub struct LandSection {
    pub idle_land: IdleTotals,
    pub underused: UnderusedTotals,
    /// Contract penalties (违约金) for late start or completion owed on the day: how many
    /// supplies in force owe one, and the total, whole 元.
    pub penalty_supplies: i64,
    pub penalties_yuan: i64,
}

/// The estate section: occupancy and idle units.
#[derive(Serialize, ToSchema)]
pub struct EstateSection {
    pub occupancy: Occupancy,
    pub by_building: Vec<Occupancy>,
    pub idle_units: FloorTally,
    pub idle_unit_items: Vec<IdleUnit>,
}

/// One rated enterprise, without its terms (they are in the evaluation).
#[derive(Serialize, ToSchema)]
pub struct RatedLine {
    pub rank: usize,
    pub enterprise_id: i64,
    pub enterprise_name: String,
    pub score: f64,
    pub class: Class,
    pub land_mu: f64,
}

/// The 亩均 section: enterprises per class, the ranking, and how many are not rated.
#[derive(Serialize, ToSchema)]
pub struct PerformanceSection {
    pub year: i32,
    pub classes: BTreeMap<Class, usize>,
    pub rated: Vec<RatedLine>,
    pub not_rated: usize,
}

#[derive(Serialize, ToSchema)]
pub struct DispatchReport {
    pub park_id: i64,
    pub park_name: String,
    /// `YYYY-MM`.
    pub month: String,
    /// The month's first day, and its last (or today, for the current month): the day every
    /// section is as of.
    pub from: NaiveDate,
    pub as_of: NaiveDate,
    pub pipeline: PipelineReport,
    pub deadlines: DeadlineList,
    pub land: LandSection,
    pub estate: EstateSection,
    pub performance: PerformanceSection,
}

#[expect(
    clippy::too_many_arguments,
    reason = "the report's parts, each loaded separately"
)]
pub fn dispatch_view(
    park_id: i64,
    park_name: String,
    month: String,
    from: NaiveDate,
    as_of: NaiveDate,
    pipeline: PipelineReport,
    watched: &[std::sync::Arc<crate::domain::watch::Watched>],
    buildings: &[crate::store::estate::Building],
    e: crate::views::performance::EvaluationView,
) -> DispatchReport {
    let year = as_of.year() - 1;
    let occupancy = occupancy_report(buildings, as_of);
    let idle_units = idle_unit_report(buildings, as_of);
    let penalties: Vec<i64> = watched
        .iter()
        .filter_map(|w| w.supply.as_ref())
        .map(|(s, t, _)| penalty::assess(s, t, as_of).total_yuan)
        .collect();
    DispatchReport {
        park_id,
        park_name,
        month,
        from,
        as_of,
        pipeline,
        deadlines: deadline_list(buildings, as_of, DUE_SOON_DAYS),
        land: LandSection {
            idle_land: idle_land_report(
                watched,
                &[IdleStatus::Idle, IdleStatus::Approaching],
                as_of,
            )
            .totals,
            underused: underused_report(watched, None, as_of).totals,
            penalty_supplies: penalties.iter().filter(|&&p| p > 0).count() as i64,
            penalties_yuan: penalties.iter().sum(),
        },
        estate: EstateSection {
            occupancy: occupancy.all,
            by_building: occupancy.by_building,
            idle_units: idle_units.all,
            idle_unit_items: idle_units.items,
        },
        performance: PerformanceSection {
            year,
            classes: e.classes,
            not_rated: e.not_rated.len(),
            rated: e
                .rated
                .into_iter()
                .map(|r| RatedLine {
                    rank: r.rank,
                    enterprise_id: r.enterprise_id,
                    enterprise_name: r.enterprise_name,
                    score: r.score,
                    class: r.class,
                    land_mu: r.land_mu,
                })
                .collect(),
        },
    }
}

fn num(v: f64) -> Cell {
    Cell::Number(v)
}

fn text(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

fn opt_num(v: Option<f64>) -> Cell {
    v.map_or(Cell::Empty, Cell::Number)
}

/// The summary sheet: the month's key figures, one per row.
fn summary(r: &DispatchReport) -> Table {
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    let mut line = |section: &str, item: &str, value: Cell, unit: &str| {
        rows.push(vec![text(section), text(item), value, text(unit)])
    };
    let p = &r.pipeline;
    let signed: (i64, f64) = p.by_unit.iter().fold((0, 0.0), |(n, a), u| {
        (n + u.signed.count, a + u.signed.signed_investment_wan_yuan)
    });
    let started: i64 = p.by_unit.iter().map(|u| u.started.count).sum();
    let completed: f64 = p.by_unit.iter().map(|u| u.completed_wan_yuan).sum();
    line("招商项目", "在库项目", num(p.total.count as f64), "个");
    line("招商项目", "年初至今签约项目", num(signed.0 as f64), "个");
    line(
        "招商项目",
        "年初至今签约金额",
        num(round_to(signed.1, 2)),
        "万元",
    );
    line("招商项目", "年初至今开工项目", num(started as f64), "个");
    line(
        "招商项目",
        "年初至今固定资产投资完成额",
        num(round_to(completed, 2)),
        "万元",
    );
    line(
        "招商项目",
        "白卷单位（无签约）",
        num(p.units_without_signed.len() as f64),
        "个",
    );
    line("厂房建设", "逾期", num(r.deadlines.overdue as f64), "栋");
    line(
        "厂房建设",
        &format!("{DUE_SOON_DAYS}日内到期"),
        num(r.deadlines.due_soon as f64),
        "栋",
    );
    let idle = &r.land.idle_land;
    for g in &idle.by_status {
        line(
            "闲置土地",
            &format!("{}（宗）", g.name),
            num(g.count as f64),
            "宗",
        );
        line(
            "闲置土地",
            &format!("{}（面积）", g.name),
            num(g.area_mu),
            "亩",
        );
    }
    line("闲置土地", "应缴闲置费", num(idle.fees_yuan as f64), "元");
    line(
        "合同违约金",
        "逾期动工、竣工（宗）",
        num(r.land.penalty_supplies as f64),
        "宗",
    );
    line(
        "合同违约金",
        "应收违约金",
        num(r.land.penalties_yuan as f64),
        "元",
    );
    for g in &r.land.underused.by_class {
        line(
            "五未土地",
            &format!("{}（宗）", g.name),
            num(g.count as f64),
            "宗",
        );
        line(
            "五未土地",
            &format!("{}（面积）", g.name),
            num(g.area_mu),
            "亩",
        );
    }
    line(
        "五未土地",
        "合计（宗）",
        num(r.land.underused.all.count as f64),
        "宗",
    );
    line(
        "五未土地",
        "合计（面积）",
        num(r.land.underused.all.area_mu),
        "亩",
    );
    let o = &r.estate.occupancy;
    line("标准厂房", "单元面积", num(o.unit_area_m2), "平方米");
    line("标准厂房", "已出租面积", num(o.leased_area_m2), "平方米");
    line("标准厂房", "出租率", opt_num(o.occupancy_pct), "%");
    line(
        "标准厂房",
        "闲置单元",
        num(r.estate.idle_units.count as f64),
        "个",
    );
    line(
        "标准厂房",
        "闲置面积",
        num(r.estate.idle_units.area_m2),
        "平方米",
    );
    for (c, n) in &r.performance.classes {
        line(
            "亩均评价",
            &format!("{}（{}年度）", c.label_zh(), r.performance.year),
            num(*n as f64),
            "家",
        );
    }
    line(
        "亩均评价",
        "未参评",
        num(r.performance.not_rated as f64),
        "家",
    );
    Table {
        sheet: "月调度汇总",
        headers: vec!["板块", "指标", "数值", "单位"],
        rows,
    }
}

/// The report's tables, in the order of the workbook's sheets, with their CSV keys.
pub fn dispatch_tables(r: &DispatchReport) -> Vec<(&'static str, Table)> {
    let deadlines = Table {
        sheet: "厂房建设节点",
        headers: vec![
            "厂房",
            "片区",
            "责任单位",
            "节点",
            "期限",
            "状态",
            "逾期天数",
            "剩余天数",
            "形象进度(%)",
        ],
        rows: r
            .deadlines
            .items
            .iter()
            .map(|i| {
                let w = &i.workshop;
                vec![
                    text(w.name.clone()),
                    text(w.zone_name.clone().unwrap_or_default()),
                    text(w.responsible_unit.clone()),
                    text(w.deadline_milestone.label_zh()),
                    text(w.deadline.to_string()),
                    text(w.deadline_status_name),
                    opt_num(w.days_late.map(|d| d as f64)),
                    opt_num(w.days_left.map(|d| d as f64)),
                    num(w.percent_complete),
                ]
            })
            .collect(),
    };
    let group = |kind: &str, g: &crate::views::land_watch::GroupTally| {
        vec![
            text(kind),
            text(g.name.clone()),
            num(g.count as f64),
            num(g.area_m2),
            num(g.area_mu),
        ]
    };
    let land = Table {
        sheet: "闲置及五未土地",
        headers: vec!["类别", "项", "宗数", "面积(平方米)", "面积(亩)"],
        rows: r
            .land
            .idle_land
            .by_status
            .iter()
            .map(|g| group("闲置土地", g))
            .chain(
                r.land
                    .underused
                    .by_class
                    .iter()
                    .map(|g| group("五未土地", g)),
            )
            .collect(),
    };
    let occupancy = Table {
        sheet: "厂房出租",
        headers: vec![
            "厂房",
            "单元数",
            "单元面积(平方米)",
            "已租面积(平方米)",
            "出租率(%)",
        ],
        rows: r
            .estate
            .by_building
            .iter()
            .chain(std::iter::once(&r.estate.occupancy))
            .map(|o| {
                vec![
                    text(if o.key == "all" {
                        "合计".into()
                    } else {
                        o.name.clone()
                    }),
                    num(o.units as f64),
                    num(o.unit_area_m2),
                    num(o.leased_area_m2),
                    opt_num(o.occupancy_pct),
                ]
            })
            .collect(),
    };
    let idle_units = Table {
        sheet: "闲置厂房",
        headers: vec![
            "厂房",
            "楼层",
            "分区",
            "面积(平方米)",
            "空置起始日",
            "空置天数",
        ],
        rows: r
            .estate
            .idle_unit_items
            .iter()
            .map(|u| {
                vec![
                    text(u.workshop_name.clone()),
                    num(f64::from(u.floor)),
                    text(u.section.clone()),
                    num(u.area_m2),
                    text(u.vacant_since.to_string()),
                    num(u.vacant_days as f64),
                ]
            })
            .collect(),
    };
    let classes = Table {
        sheet: "亩均评价",
        headers: vec!["排名", "企业名称", "得分", "类别", "用地(亩)"],
        rows: r
            .performance
            .rated
            .iter()
            .map(|x| {
                vec![
                    num(x.rank as f64),
                    text(x.enterprise_name.clone()),
                    num(x.score),
                    text(x.class.label_zh()),
                    num(x.land_mu),
                ]
            })
            .collect(),
    };
    let mut tables = vec![("summary", summary(r))];
    tables.extend(pipeline_tables(&r.pipeline));
    tables.extend([
        ("deadlines", deadlines),
        ("land", land),
        ("occupancy", occupancy),
        ("idle_units", idle_units),
        ("classes", classes),
    ]);
    tables
}
