//! Standard workshops (标准化厂房): buildings on a parcel built against a committed deadline
//! ("确保10月份完工"), then divided into units and leased. The construction plan is six
//! milestones in a fixed order, each with a planned and an actual date; the deadline status is
//! a pure function of them and a day.

use super::codes::parse_text;
use super::register::{Parcel, Stamp};
use super::{FieldError, Refusal};
use crate::spatial::{Footprint, measure};
use chrono::NaiveDate;
use geo::MultiPolygon;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The milestones of a workshop's construction, in the order they happen.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Milestone {
    /// 立项审批 / 施工许可.
    Approval,
    /// 开工.
    Start,
    /// 主体封顶.
    ToppingOut,
    /// 竣工.
    Completion,
    /// 竣工验收.
    Acceptance,
    /// 交付使用.
    Handover,
}

impl Milestone {
    pub const ALL: [Milestone; 6] = [
        Self::Approval,
        Self::Start,
        Self::ToppingOut,
        Self::Completion,
        Self::Acceptance,
        Self::Handover,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Approval => "approval",
            Self::Start => "start",
            Self::ToppingOut => "topping_out",
            Self::Completion => "completion",
            Self::Acceptance => "acceptance",
            Self::Handover => "handover",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Approval => "立项审批",
            Self::Start => "开工",
            Self::ToppingOut => "主体封顶",
            Self::Completion => "竣工",
            Self::Acceptance => "竣工验收",
            Self::Handover => "交付使用",
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == raw.trim())
    }
}

/// A milestone's planned and actual dates.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MilestoneDates {
    pub planned: Option<NaiveDate>,
    pub actual: Option<NaiveDate>,
}

/// The six milestones' dates, by [`Milestone::index`].
pub type Plan = [MilestoneDates; 6];

/// A change to one milestone's dates: `None` keeps a date, `Some(None)` clears it.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct MilestoneChange {
    pub planned: Option<Option<NaiveDate>>,
    pub actual: Option<Option<NaiveDate>>,
}

impl MilestoneChange {
    pub fn apply(self, dates: &mut MilestoneDates) {
        if let Some(v) = self.planned {
            dates.planned = v;
        }
        if let Some(v) = self.actual {
            dates.actual = v;
        }
    }
}

/// Check a plan: planned dates in order; actual dates in order, none missing before a later
/// one, none in the future.
pub fn check_plan(plan: &Plan, today: NaiveDate, parent: &str) -> Result<(), Vec<FieldError>> {
    let mut errors = Vec::new();
    let at = |m: Milestone, what: &str| format!("{parent}.{}.{what}", m.as_str());
    let mut last_planned: Option<(Milestone, NaiveDate)> = None;
    let mut last_actual: Option<(Milestone, NaiveDate)> = None;
    let mut first_missing: Option<Milestone> = None;
    for m in Milestone::ALL {
        let d = plan[m.index()];
        if let Some(p) = d.planned {
            if let Some((prev, pd)) = last_planned
                && p < pd
            {
                errors.push(
                    FieldError::new(
                        at(m, "planned"),
                        format!(
                            "{} is planned for {p}, before {} ({pd})",
                            m.label_zh(),
                            prev.label_zh()
                        ),
                    )
                    .zh(format!(
                        "{}计划于 {p}，早于{}（{pd}）",
                        m.label_zh(),
                        prev.label_zh()
                    )),
                );
            }
            last_planned = Some((m, p));
        }
        match d.actual {
            Some(a) => {
                if a > today {
                    errors.push(FieldError::new(
                        at(m, "actual"),
                        format!("{a} is in the future (today is {today}): an actual date is a day that has passed"),
                    ).zh(format!("{a} 尚未到来（今天是 {today}）：实际日期须是已经过去的日子")));
                }
                if let Some(missing) = first_missing {
                    errors.push(
                        FieldError::new(
                            at(m, "actual"),
                            format!(
                                "{} cannot have happened before {} (no actual date)",
                                m.label_zh(),
                                missing.label_zh()
                            ),
                        )
                        .zh(format!(
                            "{}不能早于{}发生（后者尚无实际日期）",
                            m.label_zh(),
                            missing.label_zh()
                        )),
                    );
                }
                if let Some((prev, pd)) = last_actual
                    && a < pd
                {
                    errors.push(
                        FieldError::new(
                            at(m, "actual"),
                            format!(
                                "{} on {a} is before {} on {pd}: milestones happen in order",
                                m.label_zh(),
                                prev.label_zh()
                            ),
                        )
                        .zh(format!(
                            "{}（{a}）早于{}（{pd}）：节点须依次发生",
                            m.label_zh(),
                            prev.label_zh()
                        )),
                    );
                }
                last_actual = Some((m, a));
            }
            None => {
                first_missing.get_or_insert(m);
            }
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// A workshop's structure (结构形式).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Structure {
    /// 钢结构.
    Steel,
    /// 钢筋混凝土框架.
    ConcreteFrame,
    /// 钢-混凝土组合结构.
    SteelConcrete,
    /// 砖混 and others.
    Other,
}

impl Structure {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Steel => "steel",
            Self::ConcreteFrame => "concrete_frame",
            Self::SteelConcrete => "steel_concrete",
            Self::Other => "other",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Steel => "钢结构",
            Self::ConcreteFrame => "钢筋混凝土框架结构",
            Self::SteelConcrete => "钢-混凝土组合结构",
            Self::Other => "其他",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [
            Self::Steel,
            Self::ConcreteFrame,
            Self::SteelConcrete,
            Self::Other,
        ]
        .into_iter()
        .find(|s| s.as_str() == raw)
    }
}

/// Who owns the building: the park's platform company (its name) or an enterprise.
#[derive(Debug, Clone, PartialEq)]
pub enum Owner {
    Platform(String),
    Enterprise(i64),
}

/// A workshop building.
#[derive(Debug, Clone, PartialEq)]
pub struct Workshop {
    pub id: i64,
    pub park_id: i64,
    pub parcel_id: i64,
    pub zone_id: Option<i64>,
    pub name: String,
    pub footprint: MultiPolygon<f64>,
    /// Geodesic area of the footprint, m².
    pub footprint_area_m2: f64,
    pub storeys: i32,
    /// Height of each storey from the ground floor up, m.
    pub storey_heights_m: Vec<f64>,
    /// Gross floor area (建筑面积), m².
    pub floor_area_m2: f64,
    /// Design floor load (楼面荷载), kN/m² (the ground floor's when storeys differ).
    pub floor_load_kn_m2: f64,
    pub structure: Structure,
    pub owner: Owner,
    /// 责任单位 and 责任人 of the construction.
    pub responsible_unit: String,
    pub responsible_person: String,
    /// The committed deadline and the milestone it is for (竣工 by default).
    pub deadline: NaiveDate,
    pub deadline_milestone: Milestone,
    pub plan: Plan,
    pub version: i64,
    pub created: Stamp,
    pub updated: Stamp,
}

/// A workshop as submitted, before the store checks it against its parcel.
#[derive(Debug, Clone)]
pub struct WorkshopDraft {
    pub name: String,
    pub footprint: Footprint,
    pub storeys: i32,
    pub storey_heights_m: Vec<f64>,
    pub floor_area_m2: f64,
    pub floor_load_kn_m2: f64,
    pub structure: Structure,
    pub owner: Owner,
    pub responsible_unit: String,
    pub responsible_person: String,
    pub deadline: NaiveDate,
    pub deadline_milestone: Milestone,
    pub plan: Plan,
}

/// Checked changes to a workshop; `None` leaves a value as it is. Milestone dates are
/// `Some(None)` to clear one.
#[derive(Debug, Clone, Default)]
pub struct WorkshopChanges {
    pub name: Option<String>,
    pub footprint: Option<Footprint>,
    pub storeys: Option<i32>,
    pub storey_heights_m: Option<Vec<f64>>,
    pub floor_area_m2: Option<f64>,
    pub floor_load_kn_m2: Option<f64>,
    pub structure: Option<Structure>,
    pub owner: Option<Owner>,
    pub responsible_unit: Option<String>,
    pub responsible_person: Option<String>,
    pub deadline: Option<NaiveDate>,
    pub deadline_milestone: Option<Milestone>,
    /// Per milestone: (planned, actual).
    pub plan: [MilestoneChange; 6],
}

impl Workshop {
    /// A new building on `parcel` (checked for being buildable before), version 1.
    pub fn new(draft: WorkshopDraft, parcel: &Parcel, stamp: &Stamp) -> Self {
        Workshop {
            id: 0,
            park_id: parcel.park_id,
            parcel_id: parcel.id,
            zone_id: parcel.zone_id,
            name: draft.name,
            footprint_area_m2: draft.footprint.area_m2(),
            footprint: draft.footprint.into_geometry(),
            storeys: draft.storeys,
            storey_heights_m: draft.storey_heights_m,
            floor_area_m2: draft.floor_area_m2,
            floor_load_kn_m2: draft.floor_load_kn_m2,
            structure: draft.structure,
            owner: draft.owner,
            responsible_unit: draft.responsible_unit,
            responsible_person: draft.responsible_person,
            deadline: draft.deadline,
            deadline_milestone: draft.deadline_milestone,
            plan: draft.plan,
            version: 1,
            created: stamp.clone(),
            updated: stamp.clone(),
        }
    }

    /// The building after `changes`, not yet checked (the caller checks the result: figures,
    /// plan, and the footprint and owner when they changed). Version and stamp are unchanged.
    pub fn apply(&self, changes: WorkshopChanges) -> Workshop {
        let mut w = self.clone();
        if let Some(footprint) = changes.footprint {
            w.footprint_area_m2 = footprint.area_m2();
            w.footprint = footprint.into_geometry();
        }
        macro_rules! set {
            ($($field:ident),*) => { $(if let Some(v) = changes.$field { w.$field = v; })* };
        }
        set!(
            name,
            owner,
            storeys,
            storey_heights_m,
            floor_area_m2,
            floor_load_kn_m2,
            structure,
            responsible_unit,
            responsible_person,
            deadline,
            deadline_milestone
        );
        for (m, change) in Milestone::ALL.iter().zip(changes.plan) {
            change.apply(&mut w.plan[m.index()]);
        }
        w
    }

    /// The building's figures taken together (a new building's plan is checked as it is
    /// read from the request, before its footprint is measured).
    pub fn check_figures(&self) -> Result<(), Refusal> {
        check_figures(
            self.storeys,
            &self.storey_heights_m,
            self.floor_area_m2,
            self.floor_load_kn_m2,
            self.footprint_area_m2,
        )?;
        Ok(())
    }

    /// The building as a whole after an edit: its figures and its plan.
    pub fn check(&self, today: NaiveDate) -> Result<(), Refusal> {
        self.check_figures()?;
        check_plan(&self.plan, today, "properties.milestones")?;
        Ok(())
    }
}

/// Buildings go up on active parcels only.
pub fn check_buildable(parcel: &Parcel) -> Result<(), Refusal> {
    if !parcel.status.is_active() {
        return Err(Refusal::conflict_in(
            format!(
                "parcel {} is retired; build on an active parcel",
                parcel.code
            ),
            format!("宗地 {} 已注销，请在现状宗地上建设", parcel.code),
        ));
    }
    Ok(())
}

/// A footprint lies inside its parcel and clear of the parcel's other buildings (`others`,
/// the workshop being edited, `except`, left out), each within the park's tolerance.
pub fn check_footprint(
    footprint: &MultiPolygon<f64>,
    parcel: &Parcel,
    others: &[Workshop],
    tolerance_m2: f64,
    except: Option<i64>,
) -> Result<(), Refusal> {
    let outside = measure::outside_m2(footprint, &parcel.geometry);
    if outside > tolerance_m2 {
        return Err(FieldError::new(
            "geometry",
            format!("the footprint extends {outside:.2} m² outside parcel {} (tolerance {tolerance_m2} m²)", parcel.code),
        ).zh(format!("建筑基底超出宗地 {} 范围 {outside:.2} m²（容差 {tolerance_m2} m²）", parcel.code))
        .into());
    }
    for other in others
        .iter()
        .filter(|w| w.parcel_id == parcel.id && Some(w.id) != except)
    {
        let shared = measure::overlap_m2(footprint, &other.footprint);
        if shared > tolerance_m2 {
            return Err(Refusal::conflict_in(
                format!(
                    "the footprint overlaps workshop {} (id {}) by {shared:.2} m²",
                    other.name, other.id
                ),
                format!(
                    "基底与厂房{}（id {}）重叠 {shared:.2} m²",
                    other.name, other.id
                ),
            ));
        }
    }
    Ok(())
}

/// An enterprise that owns a building is in the directory (`enterprise_known`).
pub fn check_owner(owner: &Owner, enterprise_known: bool) -> Result<(), Refusal> {
    match owner {
        Owner::Enterprise(id) if !enterprise_known => Err(FieldError::new(
            "properties.owner_enterprise_id",
            format!("enterprise {id} does not exist"),
        )
        .zh(format!("企业 {id} 不存在"))
        .into()),
        _ => Ok(()),
    }
}

/// A progress report comes in date order after the `last` one, not before construction
/// started (`started`), and percent complete only grows.
pub fn check_progress(
    last: Option<&ProgressReport>,
    started: Option<NaiveDate>,
    date: NaiveDate,
    percent: f64,
) -> Result<(), Refusal> {
    if let Some(last) = last {
        if date < last.date {
            return Err(FieldError::new(
                "date",
                format!(
                    "the last report is of {}; reports come in date order",
                    last.date
                ),
            )
            .zh(format!(
                "上次填报日期为 {}；填报须按日期先后进行",
                last.date
            ))
            .into());
        }
        if percent < last.percent {
            return Err(FieldError::new(
                "percent",
                format!(
                    "the last report said {}%; percent complete can only grow",
                    last.percent
                ),
            )
            .zh(format!("上次填报完成 {}%；完成比例只能增加", last.percent))
            .into());
        }
    }
    if let Some(start) = started
        && date < start
    {
        return Err(
            FieldError::new("date", format!("construction started on {start}"))
                .zh(format!("该厂房于 {start} 开工，填报日期不能早于开工"))
                .into(),
        );
    }
    Ok(())
}

/// The figures of a building, checked together (an edit checks the result of the edit).
pub fn check_figures(
    storeys: i32,
    heights: &[f64],
    floor_area_m2: f64,
    floor_load: f64,
    footprint_area_m2: f64,
) -> Result<(), Vec<FieldError>> {
    let mut e = Vec::new();
    if !(1..=30).contains(&storeys) {
        e.push(
            FieldError::new(
                "properties.storeys",
                format!("must be 1 to 30 storeys, got {storeys}"),
            )
            .zh(format!("层数须为 1 至 30 层，收到 {storeys}")),
        );
    }
    if heights.len() != usize::try_from(storeys).unwrap_or(0) {
        e.push(
            FieldError::new(
                "properties.storey_heights_m",
                format!(
                    "give one height per storey: {storeys} storeys, {} heights",
                    heights.len()
                ),
            )
            .zh(format!(
                "每层一个层高：{storeys} 层，却有 {} 个层高",
                heights.len()
            )),
        );
    }
    for (i, h) in heights.iter().enumerate() {
        if !(h.is_finite() && (2.5..=30.0).contains(h)) {
            e.push(
                FieldError::new(
                    format!("properties.storey_heights_m[{i}]"),
                    format!("a storey is 2.5 to 30 m high, got {h}"),
                )
                .zh(format!("层高须为 2.5 至 30 米，收到 {h}")),
            );
        }
    }
    if !(floor_area_m2.is_finite() && floor_area_m2 > 0.0) {
        e.push(
            FieldError::new(
                "properties.floor_area_m2",
                format!("must be above 0 m², got {floor_area_m2}"),
            )
            .zh(format!("须大于 0 m²，收到 {floor_area_m2}")),
        );
    } else if storeys > 0 && floor_area_m2 > footprint_area_m2 * f64::from(storeys) * 1.05 {
        e.push(FieldError::new(
            "properties.floor_area_m2",
            format!(
                "{floor_area_m2:.0} m² cannot fit in {storeys} storeys of a {footprint_area_m2:.0} m² footprint (at most {:.0} m²)",
                footprint_area_m2 * f64::from(storeys) * 1.05
            ),
        ).zh(format!("{floor_area_m2:.0} m² 无法容纳于 {storeys} 层、基底 {footprint_area_m2:.0} m² 的建筑（至多 {:.0} m²）", footprint_area_m2 * f64::from(storeys) * 1.05)));
    }
    if !(floor_load.is_finite() && (2.0..=100.0).contains(&floor_load)) {
        e.push(
            FieldError::new(
                "properties.floor_load_kn_m2",
                format!("a floor load is 2 to 100 kN/m², got {floor_load}"),
            )
            .zh(format!("楼面荷载须为 2 至 100 kN/m²，收到 {floor_load}")),
        );
    }
    if e.is_empty() { Ok(()) } else { Err(e) }
}

/// A name or a responsible unit: required text of at most `max` characters.
pub fn required_text(field: &str, raw: &str, max: usize) -> Result<String, FieldError> {
    let v = parse_text(field, raw, max)?;
    if v.is_empty() {
        return Err(FieldError::new(field, "is required").zh("必须填写"));
    }
    Ok(v)
}

/// Where a workshop stands against its deadline on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineStatus {
    /// The deadline has passed without the milestone.
    Overdue,
    /// The deadline is near and an earlier milestone is still missing.
    AtRisk,
    /// Construction has not started, the deadline not near.
    NotStarted,
    OnTrack,
    CompletedLate,
    CompletedOnTime,
}

impl DeadlineStatus {
    pub const ALL: [DeadlineStatus; 6] = [
        Self::Overdue,
        Self::AtRisk,
        Self::NotStarted,
        Self::OnTrack,
        Self::CompletedLate,
        Self::CompletedOnTime,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Overdue => "overdue",
            Self::AtRisk => "at_risk",
            Self::NotStarted => "not_started",
            Self::OnTrack => "on_track",
            Self::CompletedLate => "completed_late",
            Self::CompletedOnTime => "completed_on_time",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Overdue => "已逾期",
            Self::AtRisk => "有逾期风险",
            Self::NotStarted => "未开工",
            Self::OnTrack => "按计划推进",
            Self::CompletedLate => "逾期完成",
            Self::CompletedOnTime => "按期完成",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw.trim())
    }
}

/// The deadline status with its figures.
#[derive(Debug, Clone, PartialEq)]
pub struct DeadlineVerdict {
    pub status: DeadlineStatus,
    /// Days to the deadline (0 on it) while it is ahead.
    pub days_left: Option<i64>,
    /// Days past the deadline: still open (overdue) or when the milestone came (completed late).
    pub days_late: Option<i64>,
    /// Milestones before the deadline's that had not happened by the day.
    pub missing: Vec<Milestone>,
    /// The last milestone that had happened.
    pub reached: Option<Milestone>,
}

/// The deadline status on `as_of` with the park's warning period. Actual dates after `as_of`
/// do not count, so last month's meeting sees last month's state.
pub fn deadline_status(
    plan: &Plan,
    deadline: NaiveDate,
    target: Milestone,
    at_risk_days: u32,
    as_of: NaiveDate,
) -> DeadlineVerdict {
    let done = |m: Milestone| plan[m.index()].actual.filter(|d| *d <= as_of);
    let reached = Milestone::ALL
        .into_iter()
        .rev()
        .find(|m| done(*m).is_some());
    let mut v = DeadlineVerdict {
        status: DeadlineStatus::OnTrack,
        days_left: None,
        days_late: None,
        missing: Vec::new(),
        reached,
    };
    if let Some(at) = done(target) {
        let late = (at - deadline).num_days();
        v.status = if late > 0 {
            DeadlineStatus::CompletedLate
        } else {
            DeadlineStatus::CompletedOnTime
        };
        v.days_late = (late > 0).then_some(late);
        return v;
    }
    v.missing = Milestone::ALL
        .into_iter()
        .filter(|m| *m < target && done(*m).is_none())
        .collect();
    let left = (deadline - as_of).num_days();
    if left < 0 {
        v.status = DeadlineStatus::Overdue;
        v.days_late = Some(-left);
        return v;
    }
    v.days_left = Some(left);
    v.status = if left <= i64::from(at_risk_days) && !v.missing.is_empty() {
        DeadlineStatus::AtRisk
    } else if done(Milestone::Start).is_none() {
        DeadlineStatus::NotStarted
    } else {
        DeadlineStatus::OnTrack
    };
    v
}

/// A dated progress report (形象进度).
#[derive(Debug, Clone, PartialEq)]
pub struct ProgressReport {
    pub id: i64,
    pub workshop_id: i64,
    pub date: NaiveDate,
    /// Percent complete, 0–100.
    pub percent: f64,
    pub note: String,
    pub recorded: Stamp,
}

/// Percent complete on a day: 100 once the building is complete, else the latest report up to
/// that day (0 without one).
pub fn percent_complete(plan: &Plan, reports: &[ProgressReport], as_of: NaiveDate) -> f64 {
    if plan[Milestone::Completion.index()]
        .actual
        .is_some_and(|d| d <= as_of)
    {
        return 100.0;
    }
    reports
        .iter()
        .filter(|r| r.date <= as_of)
        .map(|r| r.percent)
        .fold(0.0, f64::max)
}

/// Leased and total unit area on a day.
pub fn occupancy(units: &[(Unit, Vec<Lease>)], as_of: NaiveDate) -> (f64, f64) {
    units
        .iter()
        .fold((0.0, 0.0), |(leased, total), (u, leases)| {
            let on = leases.iter().any(|l| l.covers(as_of));
            (leased + if on { u.area_m2 } else { 0.0 }, total + u.area_m2)
        })
}

/// A unit of a workshop (a floor or part of one) that is leased on its own.
#[derive(Debug, Clone, PartialEq)]
pub struct Unit {
    pub id: i64,
    pub workshop_id: i64,
    /// 1 is the ground floor.
    pub floor: i32,
    /// e.g. A区, 东跨.
    pub section: String,
    pub area_m2: f64,
    pub created: Stamp,
}

/// Rent in fen (分) per m² per month: exact, from 元 with at most two decimals.
pub fn rent_fen(field: &str, yuan_per_m2_month: f64) -> Result<i64, FieldError> {
    let fen = yuan_per_m2_month * 100.0;
    if !(fen.is_finite() && fen > 0.0 && fen <= 50_000.0) {
        return Err(FieldError::new(
            field,
            format!(
                "a rent is above 0 and at most 500 元 per m² per month, got {yuan_per_m2_month}"
            ),
        )
        .zh(format!(
            "租金须大于 0 且不超过 500 元/m²·月，收到 {yuan_per_m2_month}"
        )));
    }
    if (fen - fen.round()).abs() > 1e-6 {
        return Err(FieldError::new(
            field,
            format!("{yuan_per_m2_month} has more than two decimals: rents are in 元 and 分"),
        )
        .zh(format!("{yuan_per_m2_month} 超过两位小数：租金以元、分计")));
    }
    Ok(fen.round() as i64)
}

/// A lease of a unit.
#[derive(Debug, Clone, PartialEq)]
pub struct Lease {
    pub id: i64,
    pub unit_id: i64,
    pub enterprise_id: i64,
    pub start: NaiveDate,
    /// The last day of the lease (inclusive).
    pub end: NaiveDate,
    pub rent_fen_per_m2_month: i64,
    pub created: Stamp,
}

impl Lease {
    pub fn covers(&self, day: NaiveDate) -> bool {
        self.start <= day && day <= self.end
    }

    /// Two leases of one unit clash when they share a day.
    pub fn overlaps(&self, start: NaiveDate, end: NaiveDate) -> bool {
        self.start <= end && start <= self.end
    }
}

/// How long a unit has been empty on a day, for the idle-unit list.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Vacancy {
    /// The first day the unit stood empty: the building's handover (or completion) or the day
    /// after its last lease ended.
    pub since: NaiveDate,
    pub days: i64,
}

/// The vacancy of a unit on `as_of`: `None` when leased that day or the building is not yet
/// complete (a unit of a building under construction is not idle).
pub fn vacancy(plan: &Plan, leases: &[Lease], as_of: NaiveDate) -> Option<Vacancy> {
    if leases.iter().any(|l| l.covers(as_of)) {
        return None;
    }
    let ready = [Milestone::Handover, Milestone::Completion]
        .into_iter()
        .find_map(|m| plan[m.index()].actual.filter(|d| *d <= as_of))?;
    let last_end = leases
        .iter()
        .filter(|l| l.end < as_of)
        .map(|l| l.end.succ_opt().unwrap_or(l.end))
        .max();
    let since = last_end.map_or(ready, |e| e.max(ready));
    Some(Vacancy {
        since,
        days: (as_of - since).num_days(),
    })
}

/// A new unit lies on one of the building's floors, is not a section already divided, and
/// the units together cover no more than the building (1 % allowed for measuring).
pub fn check_new_unit(
    w: &Workshop,
    existing: &[Unit],
    floor: i32,
    section: &str,
    area_m2: f64,
) -> Result<(), Refusal> {
    if !(1..=w.storeys).contains(&floor) {
        return Err(FieldError::new(
            "floor",
            format!(
                "workshop {} has floors 1 to {}, not {floor}",
                w.name, w.storeys
            ),
        )
        .zh(format!(
            "厂房 {} 只有 1 至 {} 层，没有第 {floor} 层",
            w.name, w.storeys
        ))
        .into());
    }
    if let Some(same) = existing
        .iter()
        .find(|u| u.floor == floor && u.section == section)
    {
        return Err(Refusal::conflict_in(
            format!(
                "floor {floor} section {section:?} is already unit {}",
                same.id
            ),
            format!("{floor} 层 {section:?} 区已是厂房单元 {}", same.id),
        ));
    }
    let used: f64 = existing.iter().map(|u| u.area_m2).sum();
    if used + area_m2 > w.floor_area_m2 * 1.01 {
        return Err(FieldError::new(
            "area_m2",
            format!(
                "the units would cover {:.0} m² of a {:.0} m² building ({used:.0} m² already divided)",
                used + area_m2,
                w.floor_area_m2
            ),
        ).zh(format!("各单元合计将达 {:.0} m²，超过厂房建筑面积 {:.0} m²（已分割 {used:.0} m²）", used + area_m2, w.floor_area_m2))
        .into());
    }
    Ok(())
}

/// A new lease of a unit from `start` to `end` (both included) goes to an enterprise of the
/// directory (`enterprise_known`) and shares no day with the unit's other leases.
pub fn check_new_lease(
    unit_id: i64,
    enterprise_id: i64,
    enterprise_known: bool,
    leases: &[Lease],
    start: NaiveDate,
    end: NaiveDate,
) -> Result<(), Refusal> {
    if !enterprise_known {
        return Err(FieldError::new(
            "enterprise_id",
            format!("enterprise {enterprise_id} does not exist"),
        )
        .zh(format!("企业 {enterprise_id} 不存在"))
        .into());
    }
    if let Some(clash) = leases.iter().find(|l| l.overlaps(start, end)) {
        return Err(Refusal::conflict_in(
            format!(
                "unit {unit_id} is already leased from {} to {} (lease {}); the new lease {start} – {end} shares days with it",
                clash.start, clash.end, clash.id
            ),
            format!(
                "厂房单元 {unit_id} 在 {} 至 {} 已出租（租约 {}），新租约 {start} 至 {end} 与其日期重叠",
                clash.start, clash.end, clash.id
            ),
        ));
    }
    Ok(())
}

impl Lease {
    /// A lease ends early on a day within it.
    pub fn check_early_end(&self, last_day: NaiveDate) -> Result<(), Refusal> {
        if last_day < self.start || last_day > self.end {
            return Err(FieldError::new(
                "last_day",
                format!(
                    "the lease runs {} – {}; it can end early on a day within it",
                    self.start, self.end
                ),
            )
            .zh(format!(
                "租约期限为 {} 至 {}；提前终止日须在此期间内",
                self.start, self.end
            ))
            .into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn plan(actuals: &[(Milestone, &str)]) -> Plan {
        let mut p = Plan::default();
        for (m, date) in actuals {
            p[m.index()].actual = Some(d(date));
        }
        p
    }

    /// The deadline 2026-10-31 for completion, warning 30 days.
    #[test]
    fn deadline_status_at_its_boundaries() {
        let deadline = d("2026-10-31");
        let started = plan(&[
            (Milestone::Approval, "2026-01-10"),
            (Milestone::Start, "2026-03-01"),
        ]);
        let topped = plan(&[
            (Milestone::Approval, "2026-01-10"),
            (Milestone::Start, "2026-03-01"),
            (Milestone::ToppingOut, "2026-08-15"),
        ]);
        let done_on = |day: &str| {
            let mut p = topped;
            p[Milestone::Completion.index()].actual = Some(d(day));
            p
        };
        type Case<'a> = (&'a Plan, &'a str, DeadlineStatus, Option<i64>, Option<i64>);
        let cases: &[Case<'_>] = &[
            (
                &Plan::default(),
                "2026-06-01",
                DeadlineStatus::NotStarted,
                Some(152),
                None,
            ),
            (
                &started,
                "2026-09-30",
                DeadlineStatus::OnTrack,
                Some(31),
                None,
            ),
            (
                &started,
                "2026-10-01",
                DeadlineStatus::AtRisk,
                Some(30),
                None,
            ),
            (
                &topped,
                "2026-10-01",
                DeadlineStatus::OnTrack,
                Some(30),
                None,
            ),
            (
                &topped,
                "2026-10-31",
                DeadlineStatus::OnTrack,
                Some(0),
                None,
            ),
            (
                &topped,
                "2026-11-01",
                DeadlineStatus::Overdue,
                None,
                Some(1),
            ),
            (
                &Plan::default(),
                "2026-10-15",
                DeadlineStatus::AtRisk,
                Some(16),
                None,
            ),
            (
                &done_on("2026-10-31"),
                "2026-12-01",
                DeadlineStatus::CompletedOnTime,
                None,
                None,
            ),
            (
                &done_on("2026-11-03"),
                "2026-12-01",
                DeadlineStatus::CompletedLate,
                None,
                Some(3),
            ),
            // Last month's view: the completion of 11-03 had not happened on 11-02.
            (
                &done_on("2026-11-03"),
                "2026-11-02",
                DeadlineStatus::Overdue,
                None,
                Some(2),
            ),
        ];
        for (p, as_of, status, left, late) in cases {
            let v = deadline_status(p, deadline, Milestone::Completion, 30, d(as_of));
            assert_eq!(
                (v.status, v.days_left, v.days_late),
                (*status, *left, *late),
                "{as_of}: {v:?}"
            );
        }
        let v = deadline_status(
            &started,
            deadline,
            Milestone::Completion,
            30,
            d("2026-10-01"),
        );
        assert_eq!(v.missing, [Milestone::ToppingOut]);
        assert_eq!(v.reached, Some(Milestone::Start));
    }

    #[test]
    fn milestones_happen_in_order_and_not_in_the_future() {
        let today = d("2026-11-22");
        assert!(
            check_plan(
                &plan(&[
                    (Milestone::Approval, "2026-01-10"),
                    (Milestone::Start, "2026-03-01")
                ]),
                today,
                "m"
            )
            .is_ok()
        );
        let skipped = plan(&[
            (Milestone::Approval, "2026-01-10"),
            (Milestone::ToppingOut, "2026-03-01"),
        ]);
        let e = check_plan(&skipped, today, "milestones").unwrap_err();
        assert_eq!(e[0].field, "milestones.topping_out.actual");
        assert!(e[0].message.contains("开工"), "{}", e[0].message);
        let backwards = plan(&[
            (Milestone::Approval, "2026-03-10"),
            (Milestone::Start, "2026-03-01"),
        ]);
        assert!(
            check_plan(&backwards, today, "m").unwrap_err()[0]
                .message
                .contains("in order")
        );
        let future = plan(&[(Milestone::Approval, "2026-11-23")]);
        assert!(
            check_plan(&future, today, "m").unwrap_err()[0]
                .message
                .contains("future")
        );
        let mut planned = Plan::default();
        planned[Milestone::Start.index()].planned = Some(d("2026-05-01"));
        planned[Milestone::Completion.index()].planned = Some(d("2026-04-01"));
        assert_eq!(
            check_plan(&planned, today, "m").unwrap_err()[0].field,
            "m.completion.planned"
        );
    }

    #[test]
    fn figures_must_be_physical() {
        assert!(check_figures(4, &[6.0, 4.5, 4.5, 4.5], 12_000.0, 8.0, 3_000.0).is_ok());
        let e = check_figures(4, &[6.0, 4.5], 20_000.0, 0.5, 3_000.0).unwrap_err();
        let fields: Vec<&str> = e.iter().map(|x| x.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "properties.storey_heights_m",
                "properties.floor_area_m2",
                "properties.floor_load_kn_m2"
            ]
        );
        assert!(check_figures(0, &[], 1.0, 8.0, 3_000.0).is_err());
        assert!(
            check_figures(1, &[1.0], 1.0, 8.0, 3_000.0).is_err(),
            "a storey of 1 m"
        );
    }

    #[test]
    fn occupancy_and_progress_on_a_day() {
        let unit = |id, area| Unit {
            id,
            workshop_id: 1,
            floor: 1,
            section: String::new(),
            area_m2: area,
            created: Stamp::stored("c".into(), d("2025-01-01").and_hms_opt(0, 0, 0).unwrap()),
        };
        let units = vec![
            (unit(1, 1_200.0), vec![lease("2026-01-01", "2026-12-31")]),
            (unit(2, 800.0), vec![lease("2026-07-01", "2027-06-30")]),
            (unit(3, 2_000.0), vec![]),
        ];
        assert_eq!(occupancy(&units, d("2026-03-01")), (1_200.0, 4_000.0));
        assert_eq!(
            occupancy(&units, d("2026-12-31")),
            (2_000.0, 4_000.0),
            "the last day is leased"
        );
        assert_eq!(occupancy(&units, d("2027-01-01")), (800.0, 4_000.0));
        let report = |date: &str, percent| ProgressReport {
            id: 0,
            workshop_id: 1,
            date: d(date),
            percent,
            note: String::new(),
            recorded: Stamp::stored("c".into(), d(date).and_hms_opt(0, 0, 0).unwrap()),
        };
        let reports = [report("2026-04-01", 35.0), report("2026-07-01", 70.0)];
        assert_eq!(
            percent_complete(&Plan::default(), &reports, d("2026-05-01")),
            35.0
        );
        assert_eq!(
            percent_complete(&Plan::default(), &reports, d("2026-03-01")),
            0.0
        );
        let done = plan(&[
            (Milestone::Approval, "2026-01-01"),
            (Milestone::Start, "2026-02-01"),
            (Milestone::ToppingOut, "2026-06-01"),
            (Milestone::Completion, "2026-09-30"),
        ]);
        assert_eq!(percent_complete(&done, &reports, d("2026-10-01")), 100.0);
    }

    #[test]
    fn rents_are_exact() {
        assert_eq!(rent_fen("r", 12.5), Ok(1250));
        assert_eq!(rent_fen("r", 0.01), Ok(1));
        assert!(rent_fen("r", 12.345).is_err());
        assert!(rent_fen("r", -3.0).is_err());
        assert!(rent_fen("r", 900.0).is_err());
    }

    fn lease(start: &str, end: &str) -> Lease {
        Lease {
            id: 1,
            unit_id: 1,
            enterprise_id: 1,
            start: d(start),
            end: d(end),
            rent_fen_per_m2_month: 1200,
            created: Stamp::stored("c".into(), d(start).and_hms_opt(0, 0, 0).unwrap()),
        }
    }

    #[test]
    fn leases_share_a_day_or_not() {
        let l = lease("2026-01-01", "2026-12-31");
        assert!(
            l.overlaps(d("2026-12-31"), d("2027-12-31")),
            "the last day is shared"
        );
        assert!(!l.overlaps(d("2027-01-01"), d("2027-12-31")));
        assert!(l.overlaps(d("2025-01-01"), d("2026-01-01")));
        assert!(l.overlaps(d("2026-03-01"), d("2026-04-01")), "inside");
    }

    #[test]
    fn a_unit_is_vacant_from_handover_or_its_last_lease() {
        let built = plan(&[
            (Milestone::Approval, "2025-01-01"),
            (Milestone::Start, "2025-02-01"),
            (Milestone::ToppingOut, "2025-06-01"),
            (Milestone::Completion, "2025-09-30"),
        ]);
        assert_eq!(
            vacancy(&Plan::default(), &[], d("2026-01-01")),
            None,
            "not built: not idle"
        );
        assert_eq!(
            vacancy(&built, &[], d("2026-01-01")),
            Some(Vacancy {
                since: d("2025-09-30"),
                days: 93
            })
        );
        let leased = [lease("2025-10-01", "2026-03-31")];
        assert_eq!(vacancy(&built, &leased, d("2026-01-01")), None);
        assert_eq!(
            vacancy(&built, &leased, d("2026-06-01")),
            Some(Vacancy {
                since: d("2026-04-01"),
                days: 61
            })
        );
        let mut handed = built;
        handed[Milestone::Handover.index()].actual = Some(d("2025-10-20"));
        assert_eq!(
            vacancy(&handed, &[], d("2025-11-01")).unwrap().since,
            d("2025-10-20")
        );
    }

    /// A two-storey building of 2,000 m² on parcel 1, footprint `footprint`.
    fn building(id: i64, footprint: MultiPolygon<f64>) -> Workshop {
        let stamp = Stamp::stored("c".into(), d("2025-01-01").and_hms_opt(0, 0, 0).unwrap());
        Workshop {
            id,
            park_id: 1,
            parcel_id: 1,
            zone_id: None,
            name: format!("W{id}"),
            footprint_area_m2: measure::area_m2(&footprint),
            footprint,
            storeys: 2,
            storey_heights_m: vec![6.0, 4.5],
            floor_area_m2: 2_000.0,
            floor_load_kn_m2: 10.0,
            structure: Structure::Steel,
            owner: Owner::Platform("平台公司".into()),
            responsible_unit: "管委会".into(),
            responsible_person: "张三".into(),
            deadline: d("2026-10-31"),
            deadline_milestone: Milestone::Completion,
            plan: Plan::default(),
            version: 1,
            created: stamp.clone(),
            updated: stamp,
        }
    }

    fn is_conflict(r: Result<(), Refusal>) -> bool {
        matches!(r, Err(Refusal::Conflict(_)))
    }

    fn field_of(r: Result<(), Refusal>) -> Option<String> {
        match r {
            Err(Refusal::Invalid(errors)) => errors.first().map(|e| e.field.clone()),
            _ => None,
        }
    }

    #[test]
    fn buildings_go_up_on_active_parcels_only() {
        use crate::domain::parcel::ParcelStatus;
        use crate::domain::register::tests::{parcel, rect};
        for status in ParcelStatus::ALL {
            let p = parcel(1, "A-01", status, rect(0.0, 0.0, 100.0, 100.0));
            assert_eq!(
                is_conflict(check_buildable(&p)),
                status == ParcelStatus::Retired,
                "{status:?}"
            );
        }
    }

    /// A footprint inside the parcel and clear of the others passes; outside beyond the
    /// tolerance is a field error, on another building a conflict; the edited building
    /// does not clash with itself, nor with buildings of other parcels.
    #[test]
    fn a_footprint_stays_inside_its_parcel_and_clear_of_the_others() {
        use crate::domain::parcel::ParcelStatus;
        use crate::domain::register::tests::{parcel, rect};
        let p = parcel(
            1,
            "A-01",
            ParcelStatus::Supplied,
            rect(0.0, 0.0, 100.0, 100.0),
        );
        let existing = building(7, rect(10.0, 10.0, 30.0, 30.0));
        let mut elsewhere = building(8, rect(50.0, 50.0, 30.0, 30.0));
        elsewhere.parcel_id = 2;
        let others = [existing.clone(), elsewhere];
        let clear = rect(50.0, 50.0, 30.0, 30.0);
        assert_eq!(check_footprint(&clear, &p, &others, 1.0, None), Ok(()));
        let outside = rect(90.0, 10.0, 30.0, 30.0);
        assert_eq!(
            field_of(check_footprint(&outside, &p, &others, 1.0, None)).as_deref(),
            Some("geometry")
        );
        let on_top = rect(20.0, 20.0, 30.0, 30.0);
        assert!(is_conflict(check_footprint(
            &on_top, &p, &others, 1.0, None
        )));
        assert_eq!(
            check_footprint(&on_top, &p, &others, 1.0, Some(7)),
            Ok(()),
            "a building moved over its own old footprint"
        );
        let touching = rect(40.0, 10.0, 30.0, 30.0);
        assert_eq!(check_footprint(&touching, &p, &others, 1.0, None), Ok(()));
        let sliver = rect(39.99, 10.0, 30.0, 30.0);
        let shared = measure::overlap_m2(&sliver, &existing.footprint);
        // rect's unit is a thousandth of a degree: the sliver is ~1 m by ~3.3 km.
        assert!(shared > 3_000.0 && shared < 4_000.0, "{shared}");
        assert_eq!(
            check_footprint(&sliver, &p, &others, 4_000.0, None),
            Ok(()),
            "within the tolerance"
        );
        assert!(is_conflict(check_footprint(
            &sliver, &p, &others, 3_000.0, None
        )));
    }

    #[test]
    fn an_owner_enterprise_is_in_the_directory() {
        assert_eq!(check_owner(&Owner::Platform("平台".into()), false), Ok(()));
        assert_eq!(check_owner(&Owner::Enterprise(3), true), Ok(()));
        assert_eq!(
            field_of(check_owner(&Owner::Enterprise(3), false)).as_deref(),
            Some("properties.owner_enterprise_id")
        );
    }

    #[test]
    fn progress_reports_come_in_order_and_only_grow() {
        let last = ProgressReport {
            id: 1,
            workshop_id: 1,
            date: d("2026-05-01"),
            percent: 40.0,
            note: String::new(),
            recorded: Stamp::stored("c".into(), d("2026-05-01").and_hms_opt(0, 0, 0).unwrap()),
        };
        let start = Some(d("2026-03-01"));
        let check = |date: &str, percent| check_progress(Some(&last), start, d(date), percent);
        assert_eq!(check("2026-06-01", 55.0), Ok(()));
        assert_eq!(check("2026-05-01", 40.0), Ok(()), "same day, same figure");
        assert_eq!(field_of(check("2026-04-30", 50.0)).as_deref(), Some("date"));
        assert_eq!(
            field_of(check("2026-06-01", 39.9)).as_deref(),
            Some("percent")
        );
        assert_eq!(check_progress(None, start, d("2026-03-01"), 0.0), Ok(()));
        assert_eq!(
            field_of(check_progress(None, start, d("2026-02-28"), 5.0)).as_deref(),
            Some("date"),
            "before construction started"
        );
        assert_eq!(check_progress(None, None, d("2026-02-28"), 5.0), Ok(()));
    }

    #[test]
    fn units_lie_on_a_floor_and_fit_the_building() {
        use crate::domain::register::tests::rect;
        let w = building(1, rect(0.0, 0.0, 30.0, 30.0));
        let unit = |id, floor, section: &str, area| Unit {
            id,
            workshop_id: 1,
            floor,
            section: section.into(),
            area_m2: area,
            created: Stamp::stored("c".into(), d("2025-01-01").and_hms_opt(0, 0, 0).unwrap()),
        };
        let existing = [unit(1, 1, "A", 1_000.0), unit(2, 2, "A", 900.0)];
        assert_eq!(check_new_unit(&w, &existing, 2, "B", 100.0), Ok(()));
        assert_eq!(
            check_new_unit(&w, &existing, 2, "B", 120.0),
            Ok(()),
            "1 % allowed for measuring"
        );
        assert_eq!(
            field_of(check_new_unit(&w, &existing, 2, "B", 121.0)).as_deref(),
            Some("area_m2")
        );
        assert_eq!(
            field_of(check_new_unit(&w, &existing, 0, "B", 10.0)).as_deref(),
            Some("floor")
        );
        assert_eq!(
            field_of(check_new_unit(&w, &existing, 3, "B", 10.0)).as_deref(),
            Some("floor")
        );
        assert!(matches!(
            check_new_unit(&w, &existing, 1, "A", 10.0),
            Err(Refusal::Conflict(_))
        ));
    }

    #[test]
    fn a_lease_goes_to_a_known_enterprise_on_free_days() {
        let taken = [lease("2026-01-01", "2026-12-31")];
        let check =
            |known, start: &str, end: &str| check_new_lease(1, 5, known, &taken, d(start), d(end));
        assert_eq!(check(true, "2027-01-01", "2027-12-31"), Ok(()));
        assert_eq!(check(true, "2025-01-01", "2025-12-31"), Ok(()));
        assert!(
            is_conflict(check(true, "2026-12-31", "2027-12-31")),
            "one shared day"
        );
        assert!(is_conflict(check(true, "2025-06-01", "2026-01-01")));
        assert_eq!(
            field_of(check(false, "2027-01-01", "2027-12-31")).as_deref(),
            Some("enterprise_id")
        );
    }

    #[test]
    fn a_lease_ends_early_on_a_day_within_it() {
        let l = lease("2026-01-01", "2026-12-31");
        assert_eq!(l.check_early_end(d("2026-01-01")), Ok(()));
        assert_eq!(l.check_early_end(d("2026-06-30")), Ok(()));
        assert_eq!(l.check_early_end(d("2026-12-31")), Ok(()));
        for day in ["2025-12-31", "2027-01-01"] {
            assert_eq!(
                field_of(l.check_early_end(d(day))).as_deref(),
                Some("last_day")
            );
        }
    }

    #[test]
    fn an_edit_changes_what_it_names_and_nothing_else() {
        use crate::domain::register::tests::rect;
        let w = building(1, rect(0.0, 0.0, 30.0, 30.0));
        assert_eq!(w.apply(WorkshopChanges::default()), w);
        let mut changes = WorkshopChanges {
            storeys: Some(3),
            owner: Some(Owner::Enterprise(4)),
            ..Default::default()
        };
        changes.plan[Milestone::Start.index()] = MilestoneChange {
            planned: None,
            actual: Some(Some(d("2026-03-01"))),
        };
        let after = w.apply(changes);
        assert_eq!(after.storeys, 3);
        assert_eq!(after.owner, Owner::Enterprise(4));
        assert_eq!(
            after.plan[Milestone::Start.index()].actual,
            Some(d("2026-03-01"))
        );
        assert_eq!((after.name.as_str(), after.version), (w.name.as_str(), 1));
        assert!(
            matches!(after.check(d("2026-06-01")), Err(Refusal::Invalid(_))),
            "three storeys, two heights"
        );
    }
}
