//! What the API returns about land supply: the contract, the dated facts, the timeline they add
//! up to, and the idle-land verdict — typed and flat, amounts in whole 元 and areas in m² and 亩.

use crate::domain::capacity::{Review, Verdict};
use crate::domain::idle_land::{
    Consequence, Disposal, EpisodeEnd, IdleEpisode, IdleRule, IdleStatus, IdleVerdict,
};
use crate::domain::net_land::Condition;
use crate::domain::penalty::Penalty;
use crate::domain::supply::{
    DelayCause, Fact, FactDetail, FactKind, Indicators, StartEvidence, Supply, SupplyMethod,
    Timeline,
};
use crate::domain::units::{AreaM2, round_to};
use crate::views::utc;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

/// A land supply record (供地).
#[derive(Serialize, ToSchema)]
pub struct SupplyView {
    pub id: i64,
    pub parcel_id: i64,
    pub park_id: i64,
    pub enterprise_id: i64,
    /// The land user's name.
    pub enterprise_name: String,
    pub method: SupplyMethod,
    /// e.g. 挂牌出让.
    pub method_name: &'static str,
    pub contract_no: String,
    pub contract_date: NaiveDate,
    /// 出让或划拨价款, whole 元.
    pub land_price_yuan: i64,
    pub term_years: Option<i32>,
    /// The supplied area (the parcel's when it was supplied), m² and 亩.
    pub land_area_m2: f64,
    pub land_area_mu: f64,
    pub agreed_start: NaiveDate,
    pub agreed_completion: NaiveDate,
    pub agreed_production: Option<NaiveDate>,
    /// 总投资额, whole 元.
    pub total_investment_yuan: Option<i64>,
    /// Agreed 标准地 indicators.
    pub indicators: Indicators,
    /// 违约金 per day of late start or completion, ‰ of the land price.
    pub penalty_per_mille: f64,
    /// 达产违约金: percent of the land price for a 100 % shortfall at the 达产复核.
    pub shortfall_penalty_pct: Option<f64>,
    /// Not ended.
    pub in_force: bool,
    pub ended_on: Option<NaiveDate>,
    pub ended_reason: Option<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
    pub updated_at: DateTime<Utc>,
    pub updated_by: String,
}

impl SupplyView {
    pub fn of(s: &Supply, enterprise_name: String) -> Self {
        let area = AreaM2(s.land_area_m2);
        Self {
            id: s.id,
            parcel_id: s.parcel_id,
            park_id: s.park_id,
            enterprise_id: s.enterprise_id,
            enterprise_name,
            method: s.method,
            method_name: s.method.label_zh(),
            contract_no: s.contract_no.clone(),
            contract_date: s.contract_date,
            land_price_yuan: s.land_price_yuan,
            term_years: s.term_years,
            land_area_m2: area.m2_display(),
            land_area_mu: area.mu_display(),
            agreed_start: s.agreed_start,
            agreed_completion: s.agreed_completion,
            agreed_production: s.agreed_production,
            total_investment_yuan: s.total_investment_yuan,
            indicators: s.indicators,
            penalty_per_mille: s.penalty_per_mille,
            shortfall_penalty_pct: s.shortfall_penalty_pct,
            in_force: s.ended_on.is_none(),
            ended_on: s.ended_on,
            ended_reason: s.ended_reason.clone(),
            version: s.version,
            created_at: utc(s.created.at),
            created_by: s.created.by.clone(),
            updated_at: utc(s.updated.at),
            updated_by: s.updated.by.clone(),
        }
    }
}

/// One dated fact; the figures present are those its kind carries.
#[derive(Serialize, ToSchema)]
pub struct FactView {
    pub id: i64,
    pub supply_id: i64,
    pub kind: FactKind,
    /// e.g. 动工开发.
    pub kind_name: &'static str,
    pub date: NaiveDate,
    pub note: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permit_no: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<StartEvidence>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub developed_area_m2: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub investment_yuan: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cause: Option<DelayCause>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cause_name: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_start: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub built_floor_area_m2: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub building_coefficient_pct: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub measured: Option<Indicators>,
    pub recorded_at: DateTime<Utc>,
    pub recorded_by: String,
}

impl From<&Fact> for FactView {
    fn from(f: &Fact) -> Self {
        let mut v = FactView {
            id: f.id,
            supply_id: f.supply_id,
            kind: f.detail.kind(),
            kind_name: f.detail.kind().label_zh(),
            date: f.date,
            note: f.note.clone(),
            permit_no: None,
            evidence: None,
            developed_area_m2: None,
            investment_yuan: None,
            cause: None,
            cause_name: None,
            new_start: None,
            built_floor_area_m2: None,
            building_coefficient_pct: None,
            measured: None,
            recorded_at: utc(f.recorded.at),
            recorded_by: f.recorded.by.clone(),
        };
        match &f.detail {
            FactDetail::ConstructionPermit { permit_no } => v.permit_no = Some(permit_no.clone()),
            FactDetail::Start { evidence } => v.evidence = Some(*evidence),
            FactDetail::Progress {
                developed_area_m2,
                investment_yuan,
            } => {
                v.developed_area_m2 = Some(*developed_area_m2);
                v.investment_yuan = Some(*investment_yuan);
            }
            FactDetail::Extension { cause, new_start } => {
                v.cause = Some(*cause);
                v.cause_name = Some(cause.label_zh());
                v.new_start = Some(*new_start);
            }
            FactDetail::Attribution { cause } => {
                v.cause = Some(*cause);
                v.cause_name = Some(cause.label_zh());
            }
            FactDetail::Completion {
                built_floor_area_m2,
                building_coefficient_pct,
            } => {
                v.built_floor_area_m2 = *built_floor_area_m2;
                v.building_coefficient_pct = *building_coefficient_pct;
            }
            FactDetail::CapacityReview { measured } => v.measured = Some(*measured),
            FactDetail::Stoppage | FactDetail::Resumption | FactDetail::Production => {}
        }
        v
    }
}

/// What the facts up to a day add up to.
#[derive(Serialize, ToSchema)]
pub struct TimelineView {
    /// The agreed start after extensions.
    pub agreed_start: NaiveDate,
    pub extensions: usize,
    pub construction_permit: Option<NaiveDate>,
    pub started: Option<NaiveDate>,
    pub start_evidence: Option<StartEvidence>,
    pub developed_area_m2: f64,
    /// Of the supplied area, percent.
    pub developed_pct: f64,
    pub investment_yuan: i64,
    /// Of the agreed total investment, percent.
    pub investment_pct: Option<f64>,
    pub stopped_since: Option<NaiveDate>,
    pub completed: Option<NaiveDate>,
    /// Built floor area ÷ supplied area.
    pub built_far: Option<f64>,
    pub building_coefficient_pct: Option<f64>,
    pub producing: Option<NaiveDate>,
    pub capacity_reviewed: Option<NaiveDate>,
}

impl TimelineView {
    pub fn of(s: &Supply, t: &Timeline) -> Self {
        let share = |part: f64, whole: f64| {
            if whole > 0.0 {
                round_to(part / whole * 100.0, 2)
            } else {
                0.0
            }
        };
        Self {
            agreed_start: t.agreed_start.unwrap_or(s.agreed_start),
            extensions: t.extensions.len(),
            construction_permit: t.permit,
            started: t.started,
            start_evidence: t.start_evidence,
            developed_area_m2: round_to(t.developed_area_m2, 2),
            developed_pct: share(t.developed_area_m2, s.land_area_m2),
            investment_yuan: t.investment_yuan,
            investment_pct: s
                .total_investment_yuan
                .map(|total| share(t.investment_yuan as f64, total as f64)),
            stopped_since: t.stopped_since,
            completed: t.completed,
            built_far: t
                .built_floor_area_m2
                .filter(|_| s.land_area_m2 > 0.0)
                .map(|f| round_to(f / s.land_area_m2, 2)),
            building_coefficient_pct: t.building_coefficient_pct,
            producing: t.producing,
            capacity_reviewed: t.review.map(|(d, _)| d),
        }
    }
}

/// The idle-land clock's verdict (《闲置土地处置办法》).
#[derive(Serialize, ToSchema)]
pub struct IdleView {
    /// not_applicable, not_due, approaching or idle.
    pub idle_status: IdleStatus,
    /// e.g. 闲置.
    pub idle_status_name: &'static str,
    /// Which test of Art. 2: not_started (rule 1) or stopped (rule 2).
    pub rule: Option<IdleRule>,
    pub rule_name: Option<&'static str>,
    /// The day the clock counts from.
    pub clock_from: Option<NaiveDate>,
    /// The last day of the first full year; idle from the next day.
    pub deadline: Option<NaiveDate>,
    /// Days left to the deadline (0 on the deadline).
    pub days_left: Option<i64>,
    pub idle_since: Option<NaiveDate>,
    /// Days idle, the first included.
    pub idle_days: i64,
    /// The finding on the cause of the current delay (none: the holder's own).
    pub cause: Option<DelayCause>,
    pub cause_name: Option<&'static str>,
    /// For a government cause: the 净地 condition of Art. 21 it shows was not met at supply
    /// (e.g. `resettled` for petitions), with its name.
    pub net_land_condition: Option<Condition>,
    pub net_land_condition_name: Option<&'static str>,
    /// Government action or force majeure: no fee, no recovery without compensation.
    pub excused: bool,
    /// none, disposal, fee or recovery.
    pub consequence: Consequence,
    /// The idle-land fee, whole 元 (the park's percentage of the land price, rounded half up).
    pub fee_yuan: Option<i64>,
    /// From this day the land may be recovered without compensation.
    pub recovery_from: Option<NaiveDate>,
    /// For excused land: the disposal options of Art. 12.
    pub disposal_options: Vec<Disposal>,
    /// The verdict in words, in Chinese.
    pub explanation: String,
    /// The same in English.
    pub explanation_en: String,
    /// When the idleness the verdict is about has ended (a late start, say) but its case has
    /// not closed: the first day the land was no longer idle. The land stays idle-listed.
    pub idle_until: Option<NaiveDate>,
    /// Every idle episode of the supply up to the day asked, oldest first.
    pub episodes: Vec<IdleEpisodeView>,
}

/// One idle episode (闲置期): from the day after a full year ran out to the fact that ended it.
#[derive(Serialize, ToSchema)]
pub struct IdleEpisodeView {
    pub rule: IdleRule,
    pub rule_name: &'static str,
    pub clock_from: NaiveDate,
    /// The first idle day.
    pub since: NaiveDate,
    /// The first day no longer idle; null while the episode lasts.
    pub until: Option<NaiveDate>,
    /// started, resumed, developed, completed or extended (Art. 12).
    pub ended_by: Option<EpisodeEnd>,
    pub ended_by_name: Option<&'static str>,
    pub cause: Option<DelayCause>,
    pub cause_name: Option<&'static str>,
    /// For a government cause: the 净地 condition of Art. 21 it shows was not met at supply
    /// (e.g. `resettled` for petitions), with its name.
    pub net_land_condition: Option<Condition>,
    pub net_land_condition_name: Option<&'static str>,
    pub excused: bool,
    /// disposal, fee or recovery, judged on the episode's last idle day.
    pub consequence: Consequence,
    pub fee_yuan: Option<i64>,
    pub recovery_from: Option<NaiveDate>,
}

/// The Art. 21 condition a cause points back to.
fn behind(cause: Option<DelayCause>) -> Option<Condition> {
    cause.and_then(DelayCause::net_land_condition)
}

impl From<&IdleEpisode> for IdleEpisodeView {
    fn from(e: &IdleEpisode) -> Self {
        Self {
            rule: e.rule,
            rule_name: e.rule.label_zh(),
            clock_from: e.clock_from,
            since: e.since,
            until: e.until,
            ended_by: e.ended_by,
            ended_by_name: e.ended_by.map(EpisodeEnd::label_zh),
            cause: e.cause,
            cause_name: e.cause.map(DelayCause::label_zh),
            net_land_condition: behind(e.cause),
            net_land_condition_name: behind(e.cause).map(Condition::label_zh),
            excused: e.excused,
            consequence: e.consequence,
            fee_yuan: e.fee_yuan,
            recovery_from: e.recovery_from,
        }
    }
}

impl From<&IdleVerdict> for IdleView {
    fn from(v: &IdleVerdict) -> Self {
        Self {
            idle_status: v.status,
            idle_status_name: v.status.label_zh(),
            rule: v.rule,
            rule_name: v.rule.map(IdleRule::label_zh),
            clock_from: v.clock_from,
            deadline: v.deadline,
            days_left: v.days_left,
            idle_since: v.idle_since,
            idle_days: v.idle_days,
            cause: v.cause,
            cause_name: v.cause.map(DelayCause::label_zh),
            net_land_condition: behind(v.cause),
            net_land_condition_name: behind(v.cause).map(Condition::label_zh),
            excused: v.excused,
            consequence: v.consequence,
            fee_yuan: v.fee_yuan,
            recovery_from: v.recovery_from,
            disposal_options: v.disposal_options.clone(),
            explanation: v.explanation.zh.clone(),
            explanation_en: v.explanation.en.clone(),
            idle_until: v.idle_until,
            episodes: v.episodes.iter().map(IdleEpisodeView::from).collect(),
        }
    }
}

/// The contract penalties (违约金) owed on a day: late start and late completion.
#[derive(Serialize, ToSchema)]
pub struct PenaltyView {
    /// The daily share of the land price, ‰.
    pub per_mille: f64,
    /// The start due (after extensions) and days late.
    pub start_due: NaiveDate,
    pub start_late_days: i64,
    pub start_yuan: i64,
    /// The completion due (moved with the start) and days late.
    pub completion_due: NaiveDate,
    pub completion_late_days: i64,
    pub completion_yuan: i64,
    /// Both, whole 元.
    pub total_yuan: i64,
    /// A cause found to excuse the late start (no start penalty).
    pub excused_by: Option<DelayCause>,
    /// The penalty in words, in Chinese.
    pub explanation: String,
    /// The same in English.
    pub explanation_en: String,
}

impl From<&Penalty> for PenaltyView {
    fn from(p: &Penalty) -> Self {
        Self {
            per_mille: p.per_mille,
            start_due: p.start_due,
            start_late_days: p.start_late_days,
            start_yuan: p.start_yuan,
            completion_due: p.completion_due,
            completion_late_days: p.completion_late_days,
            completion_yuan: p.completion_yuan,
            total_yuan: p.total_yuan,
            excused_by: p.excused_by,
            explanation: p.explanation.zh.clone(),
            explanation_en: p.explanation.en.clone(),
        }
    }
}

/// The 标准地 达产复核 of a supply on a day.
#[derive(Serialize, ToSchema)]
pub struct CapacityReviewView {
    /// `not_due`, `overdue` or `done`.
    pub state: &'static str,
    /// 未到期, 到期未复核, 已复核.
    pub state_name: &'static str,
    /// The day it falls due: the day after `capacity_review_years` full years of production.
    pub due: NaiveDate,
    pub overdue_days: Option<i64>,
    pub reviewed_on: Option<NaiveDate>,
    /// The year of the yearly 亩均 figures the review read (the last full year before it).
    pub figures_year: Option<i32>,
    /// Each agreed indicator, agreed against measured.
    pub indicators: Vec<Verdict>,
    /// Every measured indicator met (`null` before the review, or when none was measured).
    pub met: Option<bool>,
    /// 达产违约金 owed, whole 元, under the contract's `shortfall_penalty_pct`.
    pub penalty_yuan: Option<i64>,
}

impl From<&Review> for CapacityReviewView {
    fn from(r: &Review) -> Self {
        let (state, state_name) = match r {
            Review::NotDue { .. } => ("not_due", "未到期"),
            Review::Overdue { .. } => ("overdue", "到期未复核"),
            Review::Done { .. } => ("done", "已复核"),
        };
        let mut v = Self {
            state,
            state_name,
            due: r.due(),
            overdue_days: None,
            reviewed_on: None,
            figures_year: None,
            indicators: Vec::new(),
            met: None,
            penalty_yuan: None,
        };
        match r {
            Review::NotDue { .. } => {}
            Review::Overdue { days, .. } => v.overdue_days = Some(*days),
            Review::Done {
                date,
                year,
                verdicts,
                penalty_yuan,
                ..
            } => {
                v.reviewed_on = Some(*date);
                v.figures_year = Some(*year);
                v.penalty_yuan = *penalty_yuan;
                let measured: Vec<bool> = verdicts.iter().filter_map(|x| x.met).collect();
                v.met = (!measured.is_empty()).then(|| measured.iter().all(|m| *m));
                v.indicators.clone_from(verdicts);
            }
        }
        v
    }
}
