//! The demo park's investment pipeline: six investment units (招商单位) with this year's plans,
//! a project for each of the first supplied parcels at the stage its land is at, and a handful
//! in negotiation or just signed — so the pipeline report and the dispatch meeting have figures.
//! One unit brings nothing this year (a 白卷), as happens.

use super::Rng;
use crate::domain::project::ProjectDraft;
use crate::domain::project::{Stage, StageChange};
use crate::domain::register::Stamp;
use crate::ops;
use crate::store::{self, AnyConnection, StoreResult};
use chrono::{Datelike, Days, NaiveDate};
use std::collections::BTreeMap;

const UNITS: &[(&str, &str, i64)] = &[
    ("县招商局", "department", 120_000),
    ("县工业和信息化局", "department", 80_000),
    ("园区管委会招商部", "department", 100_000),
    ("株良镇", "township", 30_000),
    ("天井源乡", "township", 20_000),
    ("沙洲镇", "township", 25_000),
];

const PROSPECTS: &[(&str, &str, &str, f64, f64)] = &[
    (
        "年产300万套新能源汽车线束项目",
        "浙江某汽车电子有限公司",
        "C3670",
        35_000.0,
        60.0,
    ),
    (
        "高端医用敷料生产基地",
        "广东某医疗器械有限公司",
        "C2770",
        18_000.0,
        40.0,
    ),
    (
        "智能配电设备制造项目",
        "江苏某电气科技有限公司",
        "C3823",
        12_000.0,
        30.0,
    ),
    (
        "光学镜头模组项目",
        "福建某光学有限公司",
        "C3976",
        26_000.0,
        0.0,
    ),
    (
        "绿色食品精深加工项目",
        "南城县某农业开发有限公司",
        "C1371",
        6_500.0,
        25.0,
    ),
];

fn back(today: NaiveDate, days: u64) -> NaiveDate {
    today - Days::new(days)
}

/// Load the demo pipeline; returns the number of projects.
pub fn load(conn: &mut AnyConnection, park_id: i64, stamp: &Stamp) -> StoreResult<usize> {
    let today = stamp.at.date();
    let mut units = Vec::new();
    for (name, kind, plan_wan) in UNITS {
        let u = ops::projects::create_unit(conn, (*name).into(), kind, stamp)?;
        store::projects::set_plan(conn, u.id, today.year(), plan_wan * 10_000, stamp)?;
        units.push(u.id);
    }
    // The land supplied, with its holders and what its facts say of it.
    let watched = ops::land_watch::watch(
        conn,
        &ops::land_watch::watch_memo(),
        &ops::land_watch::WatchQuery {
            park_id: Some(park_id),
            ..Default::default()
        },
        today,
    )?;
    let mut rng = Rng(20_261_203);
    let mut count = 0;
    for w in watched.iter().filter(|w| w.supply.is_some()).take(18) {
        let Some((supply, timeline, holder)) = &w.supply else {
            continue;
        };
        // The last unit brings nothing in the demo: a 白卷.
        let unit = units[count % (units.len() - 1)];
        let mut history: BTreeMap<Stage, NaiveDate> = BTreeMap::new();
        history.insert(Stage::Negotiating, back(supply.contract_date, 200));
        history.insert(Stage::Signed, back(supply.contract_date, 60));
        history.insert(Stage::Landed, supply.contract_date);
        for (stage, date) in [
            (Stage::Started, timeline.started),
            (Stage::Completed, timeline.completed),
            (Stage::Producing, timeline.producing),
            (Stage::AtCapacity, timeline.review.map(|(d, _)| d)),
        ] {
            if let Some(d) = date {
                history.insert(stage, d);
            }
        }
        let fixed = supply.total_investment_yuan.unwrap_or(100_000_000);
        let signed = fixed + fixed / 5;
        let draft = ProjectDraft {
            name: format!("{}建设项目", holder.trim_end_matches("有限公司")),
            enterprise_id: Some(supply.enterprise_id),
            enterprise_name: holder.clone(),
            industry: industry_of(holder),
            signed_investment_yuan: signed,
            fixed_asset_investment_yuan: fixed,
            land_demand_mu: crate::domain::units::round_to(
                crate::domain::units::m2_to_mu(w.parcel.area_m2),
                2,
            ),
            responsible_unit_id: unit,
            enclave: unit == units[3],
            parcel_ids: vec![w.parcel.id],
            unit_ids: Vec::new(),
            stage: Stage::Negotiating,
            stage_date: history[&Stage::Negotiating],
        };
        let p = ops::projects::create(conn, park_id, draft, stamp)?;
        let mut previous = Stage::Negotiating;
        for (stage, date) in history.iter().skip(1) {
            let change = StageChange {
                stage: *stage,
                date: (*date).max(history[&previous]),
                reason: None,
                earlier: BTreeMap::new(),
            };
            ops::projects::change_stage(conn, p.id, change, today, stamp)?;
            previous = *stage;
        }
        if let Some(started) = timeline.started {
            let done = if timeline.completed.is_some() {
                fixed
            } else {
                (fixed as f64 * (0.3 + rng.unit() * 0.5)) as i64
            };
            let reported = [back(today, 200).max(started), back(today, 30).max(started)];
            ops::projects::report_investment(conn, p.id, reported[0], done / 2, stamp)?;
            ops::projects::report_investment(conn, p.id, reported[1], done, stamp)?;
        }
        count += 1;
    }
    for (i, (name, investor, industry, signed_wan, land)) in PROSPECTS.iter().enumerate() {
        let signed = (signed_wan * 10_000.0) as i64;
        let draft = ProjectDraft {
            name: (*name).into(),
            enterprise_id: None,
            enterprise_name: (*investor).into(),
            industry: industry.trim_start_matches('C').into(),
            signed_investment_yuan: signed,
            fixed_asset_investment_yuan: signed * 4 / 5,
            land_demand_mu: *land,
            responsible_unit_id: units[i % (units.len() - 1)],
            enclave: false,
            parcel_ids: Vec::new(),
            unit_ids: Vec::new(),
            stage: Stage::Negotiating,
            stage_date: back(today, 120 - 15 * i as u64),
        };
        let p = ops::projects::create(conn, park_id, draft, stamp)?;
        if i % 2 == 0 {
            let change = StageChange {
                stage: Stage::Signed,
                date: back(today, 40 - 5 * i as u64),
                reason: None,
                earlier: BTreeMap::new(),
            };
            ops::projects::change_stage(conn, p.id, change, today, stamp)?;
        }
        count += 1;
    }
    Ok(count)
}

/// The industry the demo enterprises registered (see `land_supply::ENTERPRISES`).
fn industry_of(holder: &str) -> String {
    super::land_supply::industry_of(holder)
        .unwrap_or("3911")
        .to_owned()
}
