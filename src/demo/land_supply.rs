//! The demo park's land supply: enterprises, a supply contract for every supplied parcel and
//! the facts of its development, land approvals for the rest, and two idle-land cases — so the
//! idle-land and 五未 layers show every state on the day the demo is loaded.
//!
//! Dates are counted back from the load date (not fixed), so a demo loaded any year shows the
//! same mix: land under way, in production, approaching idle, idle for a year, two years …

use super::Rng;
use crate::domain::idle_case::{DecisionKind, Step, StepKind};
use crate::domain::parcel::ParcelStatus;
use crate::domain::register::{Parcel, Stamp};
use crate::domain::supply::{
    DelayCause, FactDetail, Indicators, StartEvidence, SupplyDraft, SupplyMethod,
};
use crate::domain::units::m2_to_mu;
use crate::ops;
use crate::store::{self, AnyConnection, StoreResult};
use chrono::{Days, NaiveDate};

/// Land users of the demo park (by the zone's industries).
const ENTERPRISES: &[(&str, &str)] = &[
    ("江西赣电科技有限公司", "3911"),
    ("南城县光联电子有限公司", "3976"),
    ("江西盱江光电科技有限公司", "3974"),
    ("抚州恒信电气有限公司", "3824"),
    ("南城县华锐机械制造有限公司", "3421"),
    ("江西金泰装备科技有限公司", "3511"),
    ("南城县鑫达电机有限公司", "3811"),
    ("江西麻姑山食品有限公司", "1491"),
    ("南城县仁和药业有限公司", "2720"),
    ("江西赣南生物医药有限公司", "2761"),
    ("南城县宏远精密机械有限公司", "3484"),
    ("江西博创智能装备有限公司", "3490"),
    ("南城县绿源农产品加工有限公司", "1371"),
    ("江西华泰线缆有限公司", "3831"),
    ("南城县永盛五金制品有限公司", "3389"),
    ("江西晶盛半导体材料有限公司", "3985"),
];

/// The industry a demo enterprise registered.
pub fn industry_of(name: &str) -> Option<&'static str> {
    ENTERPRISES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, i)| *i)
}

/// Where a supplied demo parcel stands, and the dates that put it there.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Stage {
    /// Completed and producing; some below their 达产 indicators.
    Producing { below_target: bool },
    /// Completed, not yet producing (some past the due date: 建而未投).
    Built,
    /// Under way (some past the agreed completion: 用而未尽).
    UnderWay,
    /// Not started, the agreed start some months ago.
    NotStarted { months_ago: u64 },
    /// Started, a little built, stopped for over a year (rule 2).
    Stopped,
    /// Not started for government reasons (excused).
    Excused,
}

fn stage(rng: &mut Rng) -> Stage {
    match rng.unit() {
        r if r < 0.40 => Stage::Producing {
            below_target: rng.unit() < 0.3,
        },
        r if r < 0.48 => Stage::Built,
        r if r < 0.64 => Stage::UnderWay,
        r if r < 0.72 => Stage::NotStarted {
            months_ago: 8 + (rng.unit() * 3.5) as u64,
        },
        r if r < 0.86 => Stage::NotStarted {
            months_ago: 13 + (rng.unit() * 20.0) as u64,
        },
        r if r < 0.93 => Stage::Stopped,
        _ => Stage::Excused,
    }
}

fn back(today: NaiveDate, days: u64) -> NaiveDate {
    today - Days::new(days)
}

/// Give reserve and available land an approval (批准文号, date): some long enough ago to be
/// 批而未供.
pub fn approvals(
    parcels: &mut [(
        String,
        crate::domain::register::RawParcel,
        geo::MultiPolygon<f64>,
    )],
    today: NaiveDate,
) {
    let mut rng = Rng(20_261_201);
    for (i, (_, raw, _)) in parcels.iter_mut().enumerate() {
        let roll = rng.unit();
        if raw.status == Some(ParcelStatus::Supplied) || roll < 0.25 {
            continue;
        }
        let approved = back(today, 200 + (rng.unit() * 1100.0) as u64);
        raw.approval_no = Some(format!(
            "赣府土字〔{}〕{}号",
            chrono::Datelike::year(&approved),
            10 + i % 90
        ));
        raw.approved_on = Some(approved);
    }
}

/// Supplies, facts and cases for the demo park's supplied parcels.
pub fn load(conn: &mut AnyConnection, park_id: i64, stamp: &Stamp) -> StoreResult<usize> {
    let today = stamp.at.date();
    let mut enterprises = Vec::new();
    for (n, (name, industry)) in ENTERPRISES.iter().enumerate() {
        let stem = format!("91361021MA3{:06}", 35_000 + n);
        let uscc = crate::domain::uscc::with_check(&stem).unwrap_or_default();
        let draft = crate::domain::enterprise::EnterpriseDraft::parse(
            name,
            &uscc,
            Some(industry),
            Some(n % 3 != 2),
        )
        .map_err(|e| store::StoreError::Corrupt(format!("demo enterprise {name}: {e:?}")))?;
        enterprises.push(ops::directory::create(conn, draft, stamp)?.id);
    }
    let query = store::parcels::ParcelQuery {
        park_id: Some(park_id),
        statuses: Some(vec![ParcelStatus::Supplied]),
        ..Default::default()
    };
    let parcels = store::parcels::all(conn, &query)?;
    let mut rng = Rng(20_261_202);
    let mut idle_supplies = Vec::new();
    for (i, parcel) in parcels.iter().enumerate() {
        let stage = stage(&mut rng);
        let enterprise = enterprises[i % enterprises.len()];
        let supply_id = supply(conn, parcel, enterprise, stage, today, &mut rng, stamp)?;
        if matches!(stage, Stage::NotStarted { months_ago } if months_ago > 12) {
            idle_supplies.push((supply_id, stage));
        }
    }
    cases(conn, &idle_supplies, today, stamp)?;
    Ok(parcels.len())
}

fn supply(
    conn: &mut AnyConnection,
    parcel: &Parcel,
    enterprise: i64,
    stage: Stage,
    today: NaiveDate,
    rng: &mut Rng,
    stamp: &Stamp,
) -> StoreResult<i64> {
    let mu = m2_to_mu(parcel.area_m2);
    // Agreed start: for land not started, the months given; else 1–5 years ago.
    let start_days = match stage {
        Stage::NotStarted { months_ago } => months_ago * 30 + (rng.unit() * 20.0) as u64,
        Stage::Stopped | Stage::Excused => 600 + (rng.unit() * 300.0) as u64,
        Stage::UnderWay => 400 + (rng.unit() * 500.0) as u64,
        Stage::Built | Stage::Producing { .. } => 900 + (rng.unit() * 900.0) as u64,
    };
    let agreed_start = back(today, start_days);
    let contract_date = back(agreed_start, 90 + (rng.unit() * 90.0) as u64);
    let price_per_mu = 18.0 + rng.unit() * 20.0;
    let land_price_yuan = (mu * price_per_mu * 10_000.0).round() as i64;
    let intensity = [150.0, 200.0, 250.0, 300.0][(rng.unit() * 4.0) as usize % 4];
    let total_investment_yuan = (mu * intensity * 10_000.0 * 1.1).round() as i64;
    let draft = SupplyDraft {
        enterprise_id: enterprise,
        method: if rng.unit() < 0.85 {
            SupplyMethod::TransferListing
        } else {
            SupplyMethod::LeaseThenTransfer
        },
        contract_no: format!(
            "南城出让〔{}〕{}号",
            chrono::Datelike::year(&contract_date),
            parcel.id
        ),
        contract_date,
        land_price_yuan,
        term_years: Some(50),
        agreed_start,
        agreed_completion: agreed_start + Days::new(540),
        agreed_production: Some(agreed_start + Days::new(720)),
        total_investment_yuan: Some(total_investment_yuan),
        indicators: Indicators {
            investment_intensity_wan_per_mu: Some(intensity),
            far: Some(1.2),
            tax_per_mu_wan: Some(15.0),
            output_per_mu_wan: Some(200.0),
            ..Indicators::default()
        },
        penalty_per_mille: crate::domain::supply::MODEL_PENALTY_PER_MILLE,
        shortfall_penalty_pct: Some(20.0),
    };
    let s = ops::supplies::create(conn, parcel.id, draft, stamp)?;
    let area = parcel.area_m2;
    let mut facts: Vec<(NaiveDate, FactDetail)> = Vec::new();
    let permit = |d| {
        (
            d,
            FactDetail::ConstructionPermit {
                permit_no: format!("3610212{:05}", parcel.id),
            },
        )
    };
    let started = agreed_start - Days::new(20) + Days::new((rng.unit() * 60.0) as u64);
    match stage {
        Stage::NotStarted { .. } => {}
        Stage::Excused => {
            let found = agreed_start + Days::new(200);
            if found <= today {
                facts.push((
                    found,
                    FactDetail::Attribution {
                        cause: DelayCause::LandNotDelivered,
                    },
                ));
            }
        }
        Stage::Stopped => {
            facts.push(permit(started - Days::new(30)));
            facts.push((
                started,
                FactDetail::Start {
                    evidence: StartEvidence::FoundationThird,
                },
            ));
            facts.push((
                started + Days::new(60),
                FactDetail::Progress {
                    developed_area_m2: area * 0.2,
                    investment_yuan: total_investment_yuan / 10,
                },
            ));
            facts.push((started + Days::new(90), FactDetail::Stoppage));
        }
        Stage::UnderWay => {
            // Every third such parcel started late: idle for 40 days first, an episode whose
            // Art. 14 fee stays due after the start (docs/idle-land.md).
            let late = agreed_start + Days::new(406);
            let started = if parcel.id % 3 == 0 && late + Days::new(74) <= today {
                late
            } else {
                started
            };
            facts.push(permit(started - Days::new(30)));
            facts.push((
                started,
                FactDetail::Start {
                    evidence: StartEvidence::PilesDriven,
                },
            ));
            let share = 0.3 + rng.unit() * 0.5;
            let when = (started + Days::new(120)).min(today);
            facts.push((
                when,
                FactDetail::Progress {
                    developed_area_m2: area * share,
                    investment_yuan: (total_investment_yuan as f64 * share) as i64,
                },
            ));
        }
        Stage::Built | Stage::Producing { .. } => {
            facts.push(permit(started - Days::new(30)));
            facts.push((
                started,
                FactDetail::Start {
                    evidence: StartEvidence::PitDug,
                },
            ));
            facts.push((
                started + Days::new(200),
                FactDetail::Progress {
                    developed_area_m2: area,
                    // The whole agreed investment (10 % above the intensity it promises).
                    investment_yuan: total_investment_yuan,
                },
            ));
            let done = started + Days::new(480 + (rng.unit() * 60.0) as u64);
            facts.push((
                done,
                FactDetail::Completion {
                    built_floor_area_m2: Some(area * (1.1 + rng.unit() * 0.6)),
                    building_coefficient_pct: Some(35.0 + rng.unit() * 20.0),
                },
            ));
            if let Stage::Producing { below_target } = stage {
                let producing = done + Days::new(60 + (rng.unit() * 90.0) as u64);
                facts.push((producing, FactDetail::Production));
                // A quarter of the producing land has not had its 达产复核 yet: overdue where
                // production began more than `capacity_review_years` ago.
                let review = producing + Days::new(365);
                let reviewed = parcel.id % 4 != 0;
                let tax = if below_target {
                    6.0 + rng.unit() * 6.0
                } else {
                    15.0 + rng.unit() * 10.0
                };
                facts.extend(reviewed.then_some((
                    review,
                    FactDetail::CapacityReview {
                        measured: Indicators {
                            tax_per_mu_wan: Some((tax * 10.0).round() / 10.0),
                            far: Some(1.3),
                            ..Indicators::default()
                        },
                    },
                )));
            }
        }
    }
    for (date, detail) in facts.into_iter().filter(|(d, _)| *d <= today) {
        ops::supplies::add_fact(conn, s.id, date, detail, String::new(), stamp)?;
    }
    Ok(s.id)
}

/// Two cases on idle land: one with the holder's answer overdue, one at the fee decision.
fn cases(
    conn: &mut AnyConnection,
    idle: &[(i64, Stage)],
    today: NaiveDate,
    stamp: &Stamp,
) -> StoreResult<()> {
    let step = |kind, date, decision| Step {
        id: 0,
        kind,
        date,
        document_no: String::new(),
        note: String::new(),
        decision,
        amount_yuan: None,
        recorded: stamp.clone(),
    };
    if let Some((supply, _)) = idle.first() {
        let case = ops::idle_cases::open(
            conn,
            *supply,
            back(today, 75),
            "园区巡查发现长期未动工".into(),
            stamp,
        )?;
        ops::idle_cases::add_step(
            conn,
            case.id,
            step(StepKind::InvestigationNotice, back(today, 60), None),
            stamp,
        )?;
    }
    if let Some((supply, _)) = idle.get(1) {
        let case = ops::idle_cases::open(
            conn,
            *supply,
            back(today, 150),
            "年度闲置土地清查".into(),
            stamp,
        )?;
        for (kind, ago) in [
            (StepKind::InvestigationNotice, 140),
            (StepKind::HolderResponse, 115),
            (StepKind::Finding, 95),
            (StepKind::Publication, 85),
        ] {
            ops::idle_cases::add_step(conn, case.id, step(kind, back(today, ago), None), stamp)?;
        }
        // A fee decision only where the clock allows one that day.
        let decided = ops::idle_cases::add_step(
            conn,
            case.id,
            step(StepKind::Decision, back(today, 60), Some(DecisionKind::Fee)),
            stamp,
        );
        if let Err(store::StoreError::Conflict(_)) = decided {
            return Ok(());
        }
        decided?;
    }
    Ok(())
}
