//! The investment pipeline for a period (招商项目调度): projects by stage, investment unit and
//! size band, the units' plans and completion, and the units that signed or started nothing —
//! the arithmetic is `domain::pipeline`; this is its view and its tables.

use crate::domain::pipeline::{Amounts, Measure, PipelineProject, UnitLine, ranks, report};
use crate::domain::project::{Stage, threshold_zh, yuan_to_wan};
use crate::views::tables::{Cell, Table};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema, Clone, Copy)]
pub struct AmountsView {
    pub count: i64,
    /// 签约投资, 万元.
    pub signed_investment_wan_yuan: f64,
    /// 固定资产投资, 万元.
    pub fixed_asset_investment_wan_yuan: f64,
}

impl From<Amounts> for AmountsView {
    fn from(a: Amounts) -> Self {
        Self {
            count: a.count,
            signed_investment_wan_yuan: yuan_to_wan(a.signed_investment_yuan),
            fixed_asset_investment_wan_yuan: yuan_to_wan(a.fixed_asset_investment_yuan),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CellView {
    pub stage: Stage,
    pub stage_name: &'static str,
    pub unit_id: i64,
    pub unit_name: String,
    /// The band's key, 万元 of fixed-asset investment: `5000-10000`, `10000+`.
    pub size_band: String,
    /// e.g. 5000万-1亿元.
    pub size_band_name: String,
    #[serde(flatten)]
    pub amounts: AmountsView,
}

/// The projects whose fixed-asset investment reaches a threshold (the seeds' "其中" lines).
#[derive(Serialize, ToSchema)]
pub struct ThresholdView {
    /// The threshold, 万元 of fixed-asset investment.
    pub from_wan_yuan: u32,
    /// e.g. 固定资产投资1亿元以上.
    pub name: String,
    /// Standing on the last day (any stage but 终止).
    pub standing: AmountsView,
    /// First signed, started and put into production in the period.
    pub signed: AmountsView,
    pub started: AmountsView,
    pub producing: AmountsView,
}

#[derive(Serialize, ToSchema)]
pub struct UnitLineView {
    pub unit_id: i64,
    pub unit_name: String,
    pub kind: String,
    /// Projects standing on the last day (any stage but 终止).
    pub standing: AmountsView,
    /// Projects in negotiation (在谈) on the last day.
    pub negotiating: AmountsView,
    /// Projects first signed (签约) in the period.
    pub signed: AmountsView,
    /// Projects first landed (供地/入驻) in the period.
    pub landed: AmountsView,
    /// Projects first started (开工) in the period.
    pub started: AmountsView,
    /// Projects first put into production (投产) in the period.
    pub producing: AmountsView,
    /// Fixed-asset investment completed in the period, 万元.
    pub completed_wan_yuan: f64,
    /// The unit's plan for the year, 万元.
    pub plan_wan_yuan: Option<f64>,
    /// Completed ÷ plan, percent.
    pub completion_pct: Option<f64>,
    /// The unit's rank among the units on each figure (1 the best; equal figures share).
    pub ranks: UnitRanks,
}

/// A unit's ranks for the dispatch meeting.
#[derive(Serialize, ToSchema, Default, Clone, Copy)]
pub struct UnitRanks {
    pub signed: usize,
    pub landed: usize,
    pub started: usize,
    pub producing: usize,
    pub investment: usize,
}

#[derive(Serialize, ToSchema)]
pub struct StageTotal {
    pub stage: Stage,
    pub stage_name: &'static str,
    #[serde(flatten)]
    pub amounts: AmountsView,
}

#[derive(Serialize, ToSchema)]
pub struct PipelineReport {
    pub park_id: i64,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Projects by the stage they stood at on `to`, responsible unit and size band (fixed-asset
    /// investment, cut at the park's `size_bands_wan_yuan`).
    pub cells: Vec<CellView>,
    /// For each of the park's thresholds, the projects at or above it.
    pub thresholds: Vec<ThresholdView>,
    pub by_stage: Vec<StageTotal>,
    pub total: AmountsView,
    pub by_unit: Vec<UnitLineView>,
    /// 白卷: units that signed nothing, and that started nothing, in the period.
    pub units_without_signed: Vec<String>,
    pub units_without_started: Vec<String>,
    /// 白卷: units with nothing in negotiation on the last day, and units that put nothing
    /// into production in the period.
    pub units_without_negotiating: Vec<String>,
    pub units_without_producing: Vec<String>,
    /// 飞地 projects, in a section of their own, credited to the township that brought them.
    pub enclaves: Vec<UnitLineView>,
}

/// The pipeline report of a park's projects and the investment units.
pub fn pipeline_view(
    park_id: i64,
    from: NaiveDate,
    to: NaiveDate,
    projects: &[crate::domain::project::Project],
    units: &[crate::domain::project::InvestmentUnit],
    thresholds_wan: &[u32],
) -> PipelineReport {
    let plans: BTreeMap<i64, Vec<(i32, i64)>> =
        units.iter().map(|u| (u.id, u.plans.clone())).collect();
    let names: BTreeMap<i64, (String, String)> = units
        .iter()
        .map(|u| (u.id, (u.name.clone(), u.kind.clone())))
        .collect();
    let inputs: Vec<PipelineProject<'_>> = projects
        .iter()
        .map(|p| PipelineProject {
            unit_id: p.responsible_unit_id,
            signed_investment_yuan: p.signed_investment_yuan,
            fixed_asset_investment_yuan: p.fixed_asset_investment_yuan,
            stages: &p.stages,
            investment: &p.investment,
            enclave: p.enclave,
        })
        .collect();
    let r = report(&inputs, &plans, from, to, thresholds_wan);
    let name = |id: i64| names.get(&id).map_or_else(String::new, |n| n.0.clone());
    let ranked: BTreeMap<Measure, BTreeMap<i64, usize>> = Measure::ALL
        .iter()
        .map(|m| (*m, ranks(&r.by_unit, *m)))
        .collect();
    let rank_of = |id: i64| {
        let on = |m: Measure| {
            ranked
                .get(&m)
                .and_then(|r| r.get(&id))
                .copied()
                .unwrap_or(0)
        };
        UnitRanks {
            signed: on(Measure::Signed),
            landed: on(Measure::Landed),
            started: on(Measure::Started),
            producing: on(Measure::Producing),
            investment: on(Measure::Investment),
        }
    };
    let line_view = |id: i64, l: &UnitLine, ranks: UnitRanks| UnitLineView {
        unit_id: id,
        unit_name: name(id),
        kind: names.get(&id).map_or_else(String::new, |n| n.1.clone()),
        standing: l.standing.into(),
        negotiating: l.negotiating.into(),
        signed: l.signed.into(),
        landed: l.landed.into(),
        started: l.started.into(),
        producing: l.producing.into(),
        completed_wan_yuan: yuan_to_wan(l.completed_yuan),
        plan_wan_yuan: l.plan_yuan.map(yuan_to_wan),
        completion_pct: l.completion_pct,
        ranks,
    };
    PipelineReport {
        park_id,
        from,
        to,
        cells: r
            .cells
            .iter()
            .map(|((stage, unit, band), a)| CellView {
                stage: *stage,
                stage_name: stage.label_zh(),
                unit_id: *unit,
                unit_name: name(*unit),
                size_band: band.key(),
                size_band_name: band.label_zh(),
                amounts: (*a).into(),
            })
            .collect(),
        thresholds: r
            .thresholds
            .iter()
            .map(|(wan, t)| ThresholdView {
                from_wan_yuan: *wan,
                name: threshold_zh(*wan),
                standing: t.standing.into(),
                signed: t.signed.into(),
                started: t.started.into(),
                producing: t.producing.into(),
            })
            .collect(),
        by_stage: r
            .by_stage
            .iter()
            .map(|(s, a)| StageTotal {
                stage: *s,
                stage_name: s.label_zh(),
                amounts: (*a).into(),
            })
            .collect(),
        total: r.total.into(),
        by_unit: r
            .by_unit
            .iter()
            .map(|(id, l)| line_view(*id, l, rank_of(*id)))
            .collect(),
        enclaves: r
            .enclaves
            .iter()
            .map(|(id, l)| line_view(*id, l, UnitRanks::default()))
            .collect(),
        units_without_signed: r.no_signed.iter().map(|id| name(*id)).collect(),
        units_without_negotiating: r.no_negotiating.iter().map(|id| name(*id)).collect(),
        units_without_producing: r.no_producing.iter().map(|id| name(*id)).collect(),
        units_without_started: r.no_started.iter().map(|id| name(*id)).collect(),
    }
}

fn opt(v: Option<f64>) -> Cell {
    v.map_or(Cell::Empty, Cell::Number)
}

/// The report's tables, in the order of the workbook's sheets, with their CSV keys.
pub fn pipeline_tables(r: &PipelineReport) -> Vec<(&'static str, Table)> {
    let units = Table {
        sheet: "调度汇总",
        headers: vec![
            "招商单位",
            "类型",
            "签约项目数",
            "签约金额(万元)",
            "开工项目数",
            "开工项目固定资产投资(万元)",
            "固定资产投资完成额(万元)",
            "年度计划(万元)",
            "计划完成率(%)",
            "落地项目数",
            "投产项目数",
            "签约排名",
            "落地排名",
            "开工排名",
            "投产排名",
            "投资排名",
        ],
        rows: r
            .by_unit
            .iter()
            .map(|u| {
                vec![
                    Cell::Text(u.unit_name.clone()),
                    Cell::Text(if u.kind == "township" {
                        "乡镇".into()
                    } else {
                        "部门".into()
                    }),
                    Cell::Number(u.signed.count as f64),
                    Cell::Number(u.signed.signed_investment_wan_yuan),
                    Cell::Number(u.started.count as f64),
                    Cell::Number(u.started.fixed_asset_investment_wan_yuan),
                    Cell::Number(u.completed_wan_yuan),
                    opt(u.plan_wan_yuan),
                    opt(u.completion_pct),
                    Cell::Number(u.landed.count as f64),
                    Cell::Number(u.producing.count as f64),
                    Cell::Number(u.ranks.signed as f64),
                    Cell::Number(u.ranks.landed as f64),
                    Cell::Number(u.ranks.started as f64),
                    Cell::Number(u.ranks.producing as f64),
                    Cell::Number(u.ranks.investment as f64),
                ]
            })
            .collect(),
    };
    let cells = Table {
        sheet: "项目分布",
        headers: vec![
            "项目阶段",
            "招商单位",
            "投资规模",
            "项目数",
            "签约投资(万元)",
            "固定资产投资(万元)",
        ],
        rows: r
            .cells
            .iter()
            .map(|c| {
                vec![
                    Cell::Text(c.stage_name.into()),
                    Cell::Text(c.unit_name.clone()),
                    Cell::Text(c.size_band_name.clone()),
                    Cell::Number(c.amounts.count as f64),
                    Cell::Number(c.amounts.signed_investment_wan_yuan),
                    Cell::Number(c.amounts.fixed_asset_investment_wan_yuan),
                ]
            })
            .chain(std::iter::once(vec![
                Cell::Text("合计".into()),
                Cell::Empty,
                Cell::Empty,
                Cell::Number(r.total.count as f64),
                Cell::Number(r.total.signed_investment_wan_yuan),
                Cell::Number(r.total.fixed_asset_investment_wan_yuan),
            ]))
            .collect(),
    };
    let blank_rows = [
        ("本期无在谈项目", &r.units_without_negotiating),
        ("本期无签约项目", &r.units_without_signed),
        ("本期无开工项目", &r.units_without_started),
        ("本期无投产项目", &r.units_without_producing),
    ];
    let blank = Table {
        sheet: "白卷单位",
        headers: vec!["类别", "招商单位"],
        rows: blank_rows
            .iter()
            .flat_map(|(what, units)| {
                units
                    .iter()
                    .map(|u| vec![Cell::Text((*what).into()), Cell::Text(u.clone())])
            })
            .collect(),
    };
    let enclaves = Table {
        sheet: "飞地项目",
        headers: vec![
            "引进乡镇",
            "在库项目数",
            "签约项目数",
            "开工项目数",
            "投产项目数",
            "固定资产投资完成额(万元)",
        ],
        rows: r
            .enclaves
            .iter()
            .map(|u| {
                vec![
                    Cell::Text(u.unit_name.clone()),
                    Cell::Number(u.standing.count as f64),
                    Cell::Number(u.signed.count as f64),
                    Cell::Number(u.started.count as f64),
                    Cell::Number(u.producing.count as f64),
                    Cell::Number(u.completed_wan_yuan),
                ]
            })
            .collect(),
    };
    let thresholds = Table {
        sheet: "投资规模",
        headers: vec![
            "规模",
            "在库项目数",
            "在库固定资产投资(万元)",
            "签约项目数",
            "开工项目数",
            "投产项目数",
        ],
        rows: r
            .thresholds
            .iter()
            .map(|t| {
                vec![
                    Cell::Text(t.name.clone()),
                    Cell::Number(t.standing.count as f64),
                    Cell::Number(t.standing.fixed_asset_investment_wan_yuan),
                    Cell::Number(t.signed.count as f64),
                    Cell::Number(t.started.count as f64),
                    Cell::Number(t.producing.count as f64),
                ]
            })
            .collect(),
    };
    vec![
        ("units", units),
        ("cells", cells),
        ("thresholds", thresholds),
        ("blank", blank),
        ("enclaves", enclaves),
    ]
}
