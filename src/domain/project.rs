//! Investment projects (招商项目): their stages from negotiation to capacity, each with its date,
//! the rules for moving between them, and the size bands meetings count them by.
//!
//! 在谈 → 签约 → 供地/入驻 → 开工 → 竣工 → 投产 → 达产, or 终止 with a reason. A move forward
//! that skips stages must give each skipped stage's date (a project is not "started" without
//! having been signed); a move backwards needs a reason and is recorded as such.

use super::register::Stamp;
use super::{FieldError, Refusal};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// 在谈.
    Negotiating,
    /// 签约.
    Signed,
    /// 供地/入驻: land supplied or a workshop unit taken.
    Landed,
    /// 开工.
    Started,
    /// 竣工.
    Completed,
    /// 投产.
    Producing,
    /// 达产.
    AtCapacity,
    /// 终止.
    Terminated,
}

impl Stage {
    /// The stages of a project's life, in order (终止 is outside it).
    pub const PATH: [Stage; 7] = [
        Self::Negotiating,
        Self::Signed,
        Self::Landed,
        Self::Started,
        Self::Completed,
        Self::Producing,
        Self::AtCapacity,
    ];

    pub const ALL: [Stage; 8] = [
        Self::Negotiating,
        Self::Signed,
        Self::Landed,
        Self::Started,
        Self::Completed,
        Self::Producing,
        Self::AtCapacity,
        Self::Terminated,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Negotiating => "negotiating",
            Self::Signed => "signed",
            Self::Landed => "landed",
            Self::Started => "started",
            Self::Completed => "completed",
            Self::Producing => "producing",
            Self::AtCapacity => "at_capacity",
            Self::Terminated => "terminated",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Negotiating => "在谈",
            Self::Signed => "签约",
            Self::Landed => "供地/入驻",
            Self::Started => "开工",
            Self::Completed => "竣工",
            Self::Producing => "投产",
            Self::AtCapacity => "达产",
            Self::Terminated => "终止",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        let raw = raw.trim();
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == raw || s.label_zh() == raw)
    }

    /// Position on the path; `None` for 终止.
    pub fn rank(self) -> Option<usize> {
        Self::PATH.iter().position(|s| *s == self)
    }
}

/// One recorded stage change.
#[derive(Debug, Clone, PartialEq)]
pub struct StageRecord {
    pub stage: Stage,
    pub date: NaiveDate,
    /// Why (required going backwards and for 终止).
    pub reason: String,
    /// The change went back along the path (or revived a terminated project).
    pub backwards: bool,
    pub recorded: Stamp,
}

/// Where a project stood on a day: the last stage recorded on or before it.
pub fn stage_on(history: &[StageRecord], day: NaiveDate) -> Option<&StageRecord> {
    history.iter().rfind(|r| r.date <= day)
}

/// The date a project first reached `stage` on or before `day` (for counts "signed in the
/// period"), if it did.
pub fn reached_on(history: &[StageRecord], stage: Stage, day: NaiveDate) -> Option<NaiveDate> {
    history
        .iter()
        .filter(|r| r.date <= day && r.stage == stage && !r.backwards)
        .map(|r| r.date)
        .min()
}

/// A requested stage change, before checking.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StageChange {
    pub stage: Stage,
    /// When it happened (not in the future).
    pub date: NaiveDate,
    /// Why: required going backwards and to 终止.
    pub reason: Option<String>,
    /// The dates of the stages a forward move skips, e.g. `{"signed": "2026-03-10"}` when a
    /// project in 在谈 is recorded as 供地/入驻.
    #[serde(default)]
    pub earlier: BTreeMap<Stage, NaiveDate>,
}

/// Check a change against the history and turn it into the records to append (skipped
/// stages first, in order).
pub fn check_change(
    history: &[StageRecord],
    change: StageChange,
    today: NaiveDate,
    recorded: &Stamp,
) -> Result<Vec<StageRecord>, Vec<FieldError>> {
    let mut e = Vec::new();
    let reason = super::codes::parse_text("reason", change.reason.as_deref().unwrap_or(""), 500)
        .map_err(|x| e.push(x))
        .unwrap_or_default();
    let Some(current) = history.last() else {
        return Err(vec![
            FieldError::new("stage", "a project starts with a stage; create it with one")
                .zh("项目须有起始阶段；创建时请写明"),
        ]);
    };
    let record = |stage, date, backwards| StageRecord {
        stage,
        date,
        reason: reason.clone(),
        backwards,
        recorded: recorded.clone(),
    };
    if let Err(x) = super::supply::check_past_date("date", change.date, today) {
        e.push(x);
    }
    if change.date < current.date {
        e.push(
            FieldError::new(
                "date",
                format!(
                    "{} is before the current stage {} of {}",
                    change.date,
                    current.stage.label_zh(),
                    current.date
                ),
            )
            .zh(format!(
                "{} 早于当前阶段“{}”的日期 {}",
                change.date,
                current.stage.label_zh(),
                current.date
            )),
        );
    }
    if change.stage == current.stage {
        e.push(
            FieldError::new(
                "stage",
                format!("the project is already {}", current.stage.label_zh()),
            )
            .zh(format!("项目已处于“{}”阶段", current.stage.label_zh())),
        );
    }
    let mut out = Vec::new();
    match (current.stage.rank(), change.stage.rank()) {
        // To 终止 from anywhere, with a reason.
        (_, None) => {
            if reason.is_empty() {
                e.push(
                    FieldError::new("reason", "say why the project is terminated (终止)")
                        .zh("请说明项目终止的原因"),
                );
            }
            out.push(record(change.stage, change.date, false));
        }
        // Reviving a terminated project, or going back: a reason is needed and recorded.
        (None, Some(_)) => {
            if reason.is_empty() {
                e.push(
                    FieldError::new("reason", "say why a terminated project is resumed")
                        .zh("请说明已终止项目恢复推进的原因"),
                );
            }
            out.push(record(change.stage, change.date, true));
        }
        (Some(from), Some(to)) if to < from => {
            if reason.is_empty() {
                e.push(
                    FieldError::new(
                        "reason",
                        format!(
                            "going back from {} to {} needs a reason",
                            current.stage.label_zh(),
                            change.stage.label_zh()
                        ),
                    )
                    .zh(format!(
                        "从“{}”退回“{}”须说明原因",
                        current.stage.label_zh(),
                        change.stage.label_zh()
                    )),
                );
            }
            out.push(record(change.stage, change.date, true));
        }
        // The same stage again: refused above.
        (Some(from), Some(to)) if to == from => {}
        (Some(from), Some(to)) => {
            let mut previous = current.date;
            for skipped in &Stage::PATH[from + 1..to] {
                match change.earlier.get(skipped) {
                    Some(d) if *d < previous => {
                        e.push(
                            FieldError::new(
                                format!("earlier.{}", skipped.as_str()),
                                format!("{d} is before the stage before it ({previous})"),
                            )
                            .zh(format!("{d} 早于前一阶段的日期（{previous}）")),
                        );
                    }
                    Some(d) if *d > change.date => {
                        e.push(
                            FieldError::new(
                                format!("earlier.{}", skipped.as_str()),
                                format!(
                                    "{d} is after {} ({})",
                                    change.stage.label_zh(),
                                    change.date
                                ),
                            )
                            .zh(format!(
                                "{d} 晚于“{}”（{}）",
                                change.stage.label_zh(),
                                change.date
                            )),
                        );
                    }
                    Some(d) => {
                        out.push(record(*skipped, *d, false));
                        previous = *d;
                    }
                    None => e.push(
                        FieldError::new(
                            format!("earlier.{}", skipped.as_str()),
                            format!(
                                "moving from {} to {} skips {}: give its date",
                                current.stage.label_zh(),
                                change.stage.label_zh(),
                                skipped.label_zh()
                            ),
                        )
                        .zh(format!(
                            "从“{}”到“{}”跳过了“{}”：请填写其日期",
                            current.stage.label_zh(),
                            change.stage.label_zh(),
                            skipped.label_zh()
                        )),
                    ),
                }
            }
            out.push(record(change.stage, change.date, false));
        }
    }
    for stage in change.earlier.keys() {
        if !out.iter().any(|r| r.stage == *stage) {
            e.push(
                FieldError::new(
                    format!("earlier.{}", stage.as_str()),
                    "this stage is not skipped by the move",
                )
                .zh("这次变更并未跳过此阶段"),
            );
        }
    }
    if e.is_empty() { Ok(out) } else { Err(e) }
}

/// A band of 调度 reports by fixed-asset investment (固定资产投资): from `from_wan` 万元
/// (included) up to `to_wan` (excluded; none for the top band). The bands are cut at a park's
/// thresholds (`size_bands_wan_yuan`), so a 高新区 that also counts 3亿 and 5亿 projects gets
/// those bands. Larger bands sort first, as reports list them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SizeBand {
    pub from_wan: u32,
    pub to_wan: Option<u32>,
}

impl Ord for SizeBand {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        other.from_wan.cmp(&self.from_wan)
    }
}

impl PartialOrd for SizeBand {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl SizeBand {
    /// The band of a fixed-asset investment (元) among ascending thresholds (万元): its
    /// lower bound is included (5000 万 is in 5000万-1亿).
    pub fn of(fixed_asset_yuan: i64, thresholds_wan: &[u32]) -> Self {
        let from = thresholds_wan
            .iter()
            .rev()
            .find(|t| fixed_asset_yuan >= i64::from(**t) * 10_000)
            .copied()
            .unwrap_or(0);
        let to = thresholds_wan.iter().find(|t| **t > from).copied();
        Self {
            from_wan: from,
            to_wan: to,
        }
    }

    /// Every band the thresholds cut, largest first.
    pub fn all(thresholds_wan: &[u32]) -> Vec<Self> {
        let mut bands: Vec<Self> = std::iter::once(0)
            .chain(thresholds_wan.iter().copied())
            .map(|t| Self::of(i64::from(t) * 10_000, thresholds_wan))
            .collect();
        bands.sort();
        bands.dedup();
        bands
    }

    /// A stable key: `5000-10000`, `10000+` (万元).
    pub fn key(self) -> String {
        match self.to_wan {
            Some(to) => format!("{}-{to}", self.from_wan),
            None => format!("{}+", self.from_wan),
        }
    }

    /// e.g. 1亿元以上, 5000万-1亿元, 500万元以下.
    pub fn label_zh(self) -> String {
        match (self.from_wan, self.to_wan) {
            (0, Some(to)) => format!("{}元以下", wan_zh(to)),
            (from, Some(to)) => format!("{}-{}元", wan_zh(from), wan_zh(to)),
            (from, None) => format!("{}元以上", wan_zh(from)),
        }
    }
}

/// 万元 as a report writes them: 500万, 1亿, 3亿, 1.5亿.
pub fn wan_zh(wan: u32) -> String {
    if wan >= 10_000 {
        let yi = f64::from(wan) / 10_000.0;
        format!("{}亿", super::units::round_to(yi, 4))
    } else {
        format!("{wan}万")
    }
}

/// The label of a threshold line: 固定资产投资500万元以上.
pub fn threshold_zh(wan: u32) -> String {
    format!("固定资产投资{}元以上", wan_zh(wan))
}

/// 万元 as clients send them, to whole 元: at most four decimals (the 元), 0 to 10 万亿.
pub fn wan_to_yuan(field: &str, wan: f64) -> Result<i64, FieldError> {
    let yuan = wan * 10_000.0;
    if !(yuan.is_finite() && (0.0..=super::supply::MAX_YUAN as f64).contains(&yuan)) {
        return Err(
            FieldError::new(field, format!("must be 0 to 1,000,000,000 万元, got {wan}"))
                .zh(format!("须为 0 至 1,000,000,000 万元，收到 {wan}")),
        );
    }
    if (yuan - yuan.round()).abs() > 1e-3 {
        return Err(FieldError::new(
            field,
            format!("{wan} 万元 is not a whole number of 元 (at most four decimals)"),
        )
        .zh(format!("{wan} 万元不是整数元（至多四位小数）")));
    }
    Ok(yuan.round() as i64)
}

/// Whole 元 as 万元 for display.
pub fn yuan_to_wan(yuan: i64) -> f64 {
    yuan as f64 / 10_000.0
}

/// A 招商单位: a department or a township.
#[derive(Debug, Clone, PartialEq)]
pub struct InvestmentUnit {
    pub id: i64,
    pub name: String,
    /// `department` or `township`.
    pub kind: String,
    /// Yearly plans of fixed-asset investment, 元.
    pub plans: Vec<(i32, i64)>,
}

/// An investment project with its history.
#[derive(Debug, Clone, PartialEq)]
pub struct Project {
    pub id: i64,
    pub park_id: i64,
    pub name: String,
    pub enterprise_id: Option<i64>,
    pub enterprise_name: String,
    pub industry: String,
    pub signed_investment_yuan: i64,
    pub fixed_asset_investment_yuan: i64,
    pub land_demand_mu: f64,
    pub responsible_unit_id: i64,
    pub enclave: bool,
    pub parcel_ids: Vec<i64>,
    pub unit_ids: Vec<i64>,
    /// Stage changes, oldest first; the last is the current stage.
    pub stages: Vec<StageRecord>,
    /// Investment completed to date, as reported: (date, 元), oldest first.
    pub investment: Vec<(NaiveDate, i64)>,
    pub version: i64,
    pub created: Stamp,
    pub updated: Stamp,
}

/// A checked new project (its first stage included).
#[derive(Debug, Clone)]
pub struct ProjectDraft {
    pub name: String,
    pub enterprise_id: Option<i64>,
    pub enterprise_name: String,
    pub industry: String,
    pub signed_investment_yuan: i64,
    pub fixed_asset_investment_yuan: i64,
    pub land_demand_mu: f64,
    pub responsible_unit_id: i64,
    pub enclave: bool,
    pub parcel_ids: Vec<i64>,
    pub unit_ids: Vec<i64>,
    pub stage: Stage,
    pub stage_date: NaiveDate,
}

/// Checked changes to a project's figures and links (stages change through `ops::projects::change_stage`).
#[derive(Debug, Clone, Default)]
pub struct ProjectChanges {
    pub name: Option<String>,
    pub enterprise: Option<(Option<i64>, String)>,
    pub industry: Option<String>,
    pub signed_investment_yuan: Option<i64>,
    pub fixed_asset_investment_yuan: Option<i64>,
    pub land_demand_mu: Option<f64>,
    pub responsible_unit_id: Option<i64>,
    pub enclave: Option<bool>,
    pub parcel_ids: Option<Vec<i64>>,
    pub unit_ids: Option<Vec<i64>>,
}

/// What the register says of the records a project names (see `store::projects::references`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct References {
    pub enterprise_known: bool,
    pub unit_known: bool,
    /// The park of each named parcel, in order; `None`: no such parcel.
    pub parcel_parks: Vec<Option<i64>>,
    /// The park of each named workshop unit, in order; `None`: no such unit.
    pub unit_parks: Vec<Option<i64>>,
}

/// A project names an existing enterprise and investment unit, and parcels and workshop units
/// of its own park. Every wrong reference is named.
pub fn check_references(park_id: i64, d: &ProjectDraft, refs: &References) -> Result<(), Refusal> {
    let mut e = Vec::new();
    if let (Some(id), false) = (d.enterprise_id, refs.enterprise_known) {
        e.push(
            FieldError::new("enterprise_id", format!("enterprise {id} does not exist"))
                .zh(format!("企业 {id} 不存在")),
        );
    }
    if !refs.unit_known {
        e.push(
            FieldError::new(
                "responsible_unit_id",
                format!("investment unit {} does not exist", d.responsible_unit_id),
            )
            .zh(format!("招商单位 {} 不存在", d.responsible_unit_id)),
        );
    }
    for (i, (id, park)) in d.parcel_ids.iter().zip(&refs.parcel_parks).enumerate() {
        if *park != Some(park_id) {
            e.push(
                FieldError::new(
                    format!("parcel_ids[{i}]"),
                    format!("parcel {id} is not a parcel of park {park_id}"),
                )
                .zh(format!("宗地 {id} 不属于园区 {park_id}")),
            );
        }
    }
    for (i, (id, park)) in d.unit_ids.iter().zip(&refs.unit_parks).enumerate() {
        if *park != Some(park_id) {
            e.push(
                FieldError::new(
                    format!("unit_ids[{i}]"),
                    format!("workshop unit {id} is not in park {park_id}"),
                )
                .zh(format!("厂房单元 {id} 不在园区 {park_id}")),
            );
        }
    }
    if e.is_empty() {
        Ok(())
    } else {
        Err(Refusal::Invalid(e))
    }
}

/// An investment unit's name is its own (`taken`: the unit that has it).
pub fn check_unit_name(name: &str, taken: Option<i64>) -> Result<(), Refusal> {
    match taken {
        Some(id) => Err(Refusal::conflict_in(
            format!("the investment unit {name} already exists (id {id})"),
            format!("招商单位“{name}”已存在（编号 {id}）"),
        )),
        None => Ok(()),
    }
}

impl Project {
    /// The project with `changes` made; the same project when they change nothing.
    pub fn apply(&self, c: ProjectChanges) -> Project {
        let mut p = self.clone();
        if let Some(v) = c.name {
            p.name = v;
        }
        if let Some((eid, name)) = c.enterprise {
            p.enterprise_id = eid;
            p.enterprise_name = name;
        }
        if let Some(v) = c.industry {
            p.industry = v;
        }
        if let Some(v) = c.signed_investment_yuan {
            p.signed_investment_yuan = v;
        }
        if let Some(v) = c.fixed_asset_investment_yuan {
            p.fixed_asset_investment_yuan = v;
        }
        if let Some(v) = c.land_demand_mu {
            p.land_demand_mu = v;
        }
        if let Some(v) = c.responsible_unit_id {
            p.responsible_unit_id = v;
        }
        if let Some(v) = c.enclave {
            p.enclave = v;
        }
        if let Some(v) = c.parcel_ids {
            p.parcel_ids = v;
        }
        if let Some(v) = c.unit_ids {
            p.unit_ids = v;
        }
        p
    }

    /// The references a changed project makes, in the shape of a draft (for
    /// [`check_references`]).
    pub fn references_as_draft(&self) -> ProjectDraft {
        ProjectDraft {
            name: self.name.clone(),
            enterprise_id: self.enterprise_id,
            enterprise_name: self.enterprise_name.clone(),
            industry: self.industry.clone(),
            signed_investment_yuan: self.signed_investment_yuan,
            fixed_asset_investment_yuan: self.fixed_asset_investment_yuan,
            land_demand_mu: self.land_demand_mu,
            responsible_unit_id: self.responsible_unit_id,
            enclave: self.enclave,
            parcel_ids: self.parcel_ids.clone(),
            unit_ids: self.unit_ids.clone(),
            stage: Stage::Negotiating,
            stage_date: NaiveDate::MIN,
        }
    }

    /// A report of investment completed to date: reports come in date order and only grow.
    pub fn check_report(&self, date: NaiveDate, completed_yuan: i64) -> Result<(), Refusal> {
        if let Some((last_date, last)) = self.investment.last() {
            if date < *last_date {
                return Err(FieldError::new(
                    "date",
                    format!("the last report is of {last_date}; reports come in date order"),
                )
                .zh(format!("上次填报日期为 {last_date}；填报须按日期先后进行"))
                .into());
            }
            if completed_yuan < *last {
                return Err(FieldError::new(
                    "completed_wan_yuan",
                    format!(
                        "the last report said {} 万元 to date; it can only grow",
                        *last as f64 / 10_000.0
                    ),
                )
                .zh(format!(
                    "上次填报累计完成 {} 万元；只能增加",
                    *last as f64 / 10_000.0
                ))
                .into());
            }
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

    fn stamp() -> Stamp {
        Stamp::stored("c".into(), d("2026-01-01").and_hms_opt(0, 0, 0).unwrap())
    }

    fn at(stage: Stage, date: &str) -> StageRecord {
        StageRecord {
            stage,
            date: d(date),
            reason: String::new(),
            backwards: false,
            recorded: stamp(),
        }
    }

    fn change(
        stage: Stage,
        date: &str,
        reason: Option<&str>,
        earlier: &[(Stage, &str)],
    ) -> StageChange {
        StageChange {
            stage,
            date: d(date),
            reason: reason.map(str::to_owned),
            earlier: earlier.iter().map(|(s, x)| (*s, d(x))).collect(),
        }
    }

    fn project() -> Project {
        Project {
            id: 4,
            park_id: 1,
            name: "锂电池隔膜".into(),
            enterprise_id: Some(2),
            enterprise_name: "某新材料公司".into(),
            industry: "C3841".into(),
            signed_investment_yuan: 500_000_000,
            fixed_asset_investment_yuan: 300_000_000,
            land_demand_mu: 80.0,
            responsible_unit_id: 1,
            enclave: false,
            parcel_ids: vec![10],
            unit_ids: Vec::new(),
            stages: vec![at(Stage::Signed, "2026-03-01")],
            investment: vec![(d("2026-06-30"), 50_000_000)],
            version: 3,
            created: stamp(),
            updated: stamp(),
        }
    }

    fn invalid(r: Result<(), Refusal>) -> Vec<FieldError> {
        match r {
            Err(Refusal::Invalid(e)) => e,
            other => panic!("expected invalid fields, got {other:?}"),
        }
    }

    #[test]
    fn a_project_names_records_that_exist_in_its_own_park() {
        let draft = project().references_as_draft();
        let good = References {
            enterprise_known: true,
            unit_known: true,
            parcel_parks: vec![Some(1)],
            unit_parks: Vec::new(),
        };
        assert_eq!(check_references(1, &draft, &good), Ok(()));
        let mut draft = draft;
        draft.unit_ids = vec![30, 31];
        let bad = References {
            enterprise_known: false,
            unit_known: false,
            parcel_parks: vec![Some(2)],
            unit_parks: vec![None, Some(1)],
        };
        let e = invalid(check_references(1, &draft, &bad));
        let fields: Vec<&str> = e.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "enterprise_id",
                "responsible_unit_id",
                "parcel_ids[0]",
                "unit_ids[0]"
            ]
        );
        assert_eq!(e[2].message, "parcel 10 is not a parcel of park 1");
        let mut anonymous = project().references_as_draft();
        anonymous.enterprise_id = None;
        let refs = References {
            enterprise_known: false,
            unit_known: true,
            parcel_parks: vec![Some(1)],
            unit_parks: Vec::new(),
        };
        assert_eq!(
            check_references(1, &anonymous, &refs),
            Ok(()),
            "a project may name no enterprise"
        );
    }

    #[test]
    fn an_investment_unit_name_is_its_own() {
        assert_eq!(check_unit_name("招商局", None), Ok(()));
        assert_eq!(
            check_unit_name("招商局", Some(3)),
            Err(Refusal::conflict_in(
                "the investment unit 招商局 already exists (id 3)",
                "招商单位“招商局”已存在（编号 3）"
            ))
        );
    }

    #[test]
    fn changes_touch_only_what_they_name() {
        let p = project();
        assert_eq!(
            p.apply(ProjectChanges::default()),
            p,
            "no change is the same project"
        );
        let changed = p.apply(ProjectChanges {
            land_demand_mu: Some(60.0),
            enterprise: Some((None, "待定".into())),
            ..Default::default()
        });
        assert_eq!(
            (
                changed.land_demand_mu,
                changed.enterprise_id,
                changed.enterprise_name.as_str()
            ),
            (60.0, None, "待定")
        );
        assert_eq!(
            (
                changed.name.as_str(),
                changed.parcel_ids.as_slice(),
                changed.version
            ),
            ("锂电池隔膜", &[10][..], 3)
        );
    }

    #[test]
    fn investment_reports_come_in_date_order_and_only_grow() {
        let p = project();
        assert_eq!(
            p.check_report(d("2026-06-30"), 50_000_000),
            Ok(()),
            "the same day, the same figure"
        );
        assert_eq!(p.check_report(d("2026-09-30"), 80_000_000), Ok(()));
        assert_eq!(
            invalid(p.check_report(d("2026-06-29"), 80_000_000))[0].field,
            "date"
        );
        let e = invalid(p.check_report(d("2026-09-30"), 40_000_000));
        assert_eq!(
            e[0].message,
            "the last report said 5000 万元 to date; it can only grow"
        );
    }

    const TODAY: &str = "2026-11-22";

    #[test]
    fn forward_one_step_and_with_the_skipped_dates() {
        let h = vec![at(Stage::Negotiating, "2026-01-05")];
        let out = check_change(
            &h,
            change(Stage::Signed, "2026-02-01", None, &[]),
            d(TODAY),
            &stamp(),
        )
        .unwrap();
        assert_eq!(out.len(), 1);
        let e = check_change(
            &h,
            change(Stage::Started, "2026-05-01", None, &[]),
            d(TODAY),
            &stamp(),
        )
        .unwrap_err();
        let fields: Vec<&str> = e.iter().map(|x| x.field.as_str()).collect();
        assert_eq!(
            fields,
            ["earlier.signed", "earlier.landed"],
            "a jump without dates"
        );
        assert!(e[0].message.contains("skips 签约"), "{}", e[0].message);
        let ok = check_change(
            &h,
            change(
                Stage::Started,
                "2026-05-01",
                None,
                &[(Stage::Signed, "2026-02-01"), (Stage::Landed, "2026-03-15")],
            ),
            d(TODAY),
            &stamp(),
        )
        .unwrap();
        let stages: Vec<Stage> = ok.iter().map(|r| r.stage).collect();
        assert_eq!(stages, [Stage::Signed, Stage::Landed, Stage::Started]);
        let disordered = change(
            Stage::Started,
            "2026-05-01",
            None,
            &[(Stage::Signed, "2026-04-01"), (Stage::Landed, "2026-03-15")],
        );
        assert!(check_change(&h, disordered, d(TODAY), &stamp()).is_err());
        let stray = change(
            Stage::Signed,
            "2026-02-01",
            None,
            &[(Stage::Started, "2026-01-10")],
        );
        assert!(
            check_change(&h, stray, d(TODAY), &stamp()).is_err(),
            "an earlier date for a stage not skipped"
        );
    }

    #[test]
    fn backwards_and_termination_need_reasons() {
        let h = vec![
            at(Stage::Negotiating, "2026-01-05"),
            at(Stage::Signed, "2026-02-01"),
            at(Stage::Landed, "2026-03-01"),
        ];
        let e = check_change(
            &h,
            change(Stage::Signed, "2026-04-01", None, &[]),
            d(TODAY),
            &stamp(),
        )
        .unwrap_err();
        assert!(e[0].message.contains("needs a reason"), "{}", e[0].message);
        let back = check_change(
            &h,
            change(Stage::Signed, "2026-04-01", Some("供地方案调整"), &[]),
            d(TODAY),
            &stamp(),
        )
        .unwrap();
        assert!(back[0].backwards);
        assert!(
            check_change(
                &h,
                change(Stage::Terminated, "2026-04-01", None, &[]),
                d(TODAY),
                &stamp()
            )
            .is_err()
        );
        let ended = check_change(
            &h,
            change(Stage::Terminated, "2026-04-01", Some("企业资金链断裂"), &[]),
            d(TODAY),
            &stamp(),
        )
        .unwrap();
        let mut h2 = h.clone();
        h2.extend(ended);
        assert!(
            check_change(
                &h2,
                change(Stage::Landed, "2026-05-01", None, &[]),
                d(TODAY),
                &stamp()
            )
            .is_err(),
            "reviving needs a reason"
        );
        assert!(
            check_change(
                &h,
                change(Stage::Started, "2026-02-15", None, &[]),
                d(TODAY),
                &stamp()
            )
            .is_err(),
            "before the current stage"
        );
        assert!(
            check_change(
                &h,
                change(Stage::Started, "2026-12-01", None, &[]),
                d(TODAY),
                &stamp()
            )
            .is_err(),
            "in the future"
        );
        assert!(
            check_change(
                &h,
                change(Stage::Landed, "2026-04-01", None, &[]),
                d(TODAY),
                &stamp()
            )
            .is_err(),
            "the same stage"
        );
    }

    #[test]
    fn a_past_days_stage() {
        let h = vec![
            at(Stage::Negotiating, "2026-01-05"),
            at(Stage::Signed, "2026-02-01"),
            at(Stage::Landed, "2026-03-01"),
        ];
        assert_eq!(
            stage_on(&h, d("2026-02-15")).map(|r| r.stage),
            Some(Stage::Signed)
        );
        assert_eq!(stage_on(&h, d("2025-12-31")), None);
        assert_eq!(
            reached_on(&h, Stage::Signed, d("2026-12-31")),
            Some(d("2026-02-01"))
        );
        assert_eq!(reached_on(&h, Stage::Started, d("2026-12-31")), None);
    }

    #[test]
    fn size_bands_are_by_fixed_asset_investment_and_include_their_lower_bound() {
        let t = [500, 3_000, 5_000, 10_000];
        let band = |yuan| SizeBand::of(yuan, &t).label_zh();
        assert_eq!(band(100_000_000), "1亿元以上");
        assert_eq!(band(99_999_999), "5000万-1亿元");
        assert_eq!(band(50_000_000), "5000万-1亿元");
        assert_eq!(band(30_000_000), "3000万-5000万元");
        assert_eq!(band(29_999_999), "500万-3000万元");
        assert_eq!(band(5_000_000), "500万-3000万元");
        assert_eq!(band(4_999_999), "500万元以下");
        assert_eq!(SizeBand::of(4_999_999, &t).key(), "0-500");
        assert_eq!(SizeBand::of(100_000_000, &t).key(), "10000+");
        // A 高新区 that counts 3亿 and 5亿 projects.
        let hi = [500, 10_000, 30_000, 50_000];
        assert_eq!(SizeBand::of(299_999_999, &hi).label_zh(), "1亿-3亿元");
        assert_eq!(SizeBand::of(300_000_000, &hi).label_zh(), "3亿-5亿元");
        assert_eq!(SizeBand::of(500_000_000, &hi).label_zh(), "5亿元以上");
        let all: Vec<String> = SizeBand::all(&hi).into_iter().map(SizeBand::key).collect();
        assert_eq!(
            all,
            ["50000+", "30000-50000", "10000-30000", "500-10000", "0-500"]
        );
        assert_eq!(threshold_zh(15_000), "固定资产投资1.5亿元以上");
    }

    #[test]
    fn wan_yuan_are_exact() {
        assert_eq!(wan_to_yuan("x", 3500.5), Ok(35_005_000));
        assert_eq!(wan_to_yuan("x", 0.0001), Ok(1));
        assert!(wan_to_yuan("x", 0.00001).is_err());
        assert!(wan_to_yuan("x", -1.0).is_err());
        assert!(wan_to_yuan("x", 1e12).is_err());
    }
}
