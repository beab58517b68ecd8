//! The idle-land procedure (闲置土地处置程序) as a case: its steps, their order and deadlines.
//!
//! | step | deadline | source |
//! |---|---|---|
//! | investigation notice (调查通知书) | 30 days after the land is suspected idle | Art. 6 |
//! | holder's response (答复) | 30 days after the notice | Art. 6 |
//! | finding (闲置土地认定书) | park setting (30 days) after the response | practice |
//! | publication (公开闲置信息) | park setting (30 days) after the finding | Art. 10 |
//! | decision (征缴土地闲置费 / 收回 / 处置) | park setting (30 days) after publication | Art. 12–14 |
//! | payment (缴纳闲置费) or hand-back (交回土地) | 30 days after the decision | Art. 14 |
//!
//! A case may also be dismissed (撤销) before a decision, when the investigation shows the
//! land is not idle. A disposal decision (land idle through no fault of the holder) closes the
//! case: what follows is a supplementary agreement, not a penalty.

use super::idle_land::{Consequence, IdleStatus, IdleVerdict};
use super::supply::Supply;
use super::{FieldError, Refusal};
use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The deadlines fixed by the regulation itself.
pub const LEGAL_STEP_DAYS: u32 = 30;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    /// 《闲置土地调查通知书》 sent to the holder.
    InvestigationNotice,
    /// The holder's account of the land's use and the cause of delay.
    HolderResponse,
    /// 《闲置土地认定书》 issued.
    Finding,
    /// Location, holder and idle period published (门户网站等).
    Publication,
    /// 《征缴土地闲置费决定书》, 《收回国有建设用地使用权决定书》 or a disposal under Art. 12.
    Decision,
    /// The idle-land fee paid.
    Payment,
    /// The land handed back: the supply ends and the parcel returns to the land bank.
    HandBack,
    /// The case closed without a decision (the land is not idle).
    Dismissal,
}

impl StepKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvestigationNotice => "investigation_notice",
            Self::HolderResponse => "holder_response",
            Self::Finding => "finding",
            Self::Publication => "publication",
            Self::Decision => "decision",
            Self::Payment => "payment",
            Self::HandBack => "hand_back",
            Self::Dismissal => "dismissal",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::InvestigationNotice => "下达闲置土地调查通知书",
            Self::HolderResponse => "使用权人答复",
            Self::Finding => "下达闲置土地认定书",
            Self::Publication => "公开闲置土地信息",
            Self::Decision => "作出处置决定",
            Self::Payment => "缴纳土地闲置费",
            Self::HandBack => "交回土地",
            Self::Dismissal => "撤销案件",
        }
    }
}

/// What the decision decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DecisionKind {
    /// 征缴土地闲置费 (Art. 14(1)).
    Fee,
    /// 无偿收回 (Art. 14(2)).
    Recovery,
    /// A disposal under Art. 12 (government or force majeure).
    Disposal,
}

impl DecisionKind {
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Fee => "征缴土地闲置费",
            Self::Recovery => "无偿收回",
            Self::Disposal => "协议处置",
        }
    }
}

/// One recorded step of a case.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub id: i64,
    pub kind: StepKind,
    pub date: NaiveDate,
    /// 文书编号 of the notice, finding or decision.
    pub document_no: String,
    pub note: String,
    pub decision: Option<DecisionKind>,
    /// The fee decided, or paid, whole 元.
    pub amount_yuan: Option<i64>,
    pub recorded: super::register::Stamp,
}

/// A step as submitted, before checking.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StepTerms {
    pub kind: StepKind,
    /// When it happened (not in the future).
    pub date: NaiveDate,
    /// 文书编号, e.g. 南自然资闲认〔2024〕3号.
    pub document_no: Option<String>,
    pub note: Option<String>,
    /// decision: fee, recovery or disposal.
    pub decision: Option<DecisionKind>,
    /// payment: the amount paid, whole 元 (it must be the fee decided). The fee of a decision
    /// is computed from the land price, never entered.
    pub amount_yuan: Option<i64>,
}

impl StepTerms {
    /// Check the step on its own; its place in the case is [`check_next`]'s job.
    pub fn check(
        self,
        today: NaiveDate,
        recorded: super::register::Stamp,
    ) -> Result<Step, Vec<FieldError>> {
        let mut e = Vec::new();
        if let Err(x) = super::supply::check_past_date("date", self.date, today) {
            e.push(x);
        }
        let document_no = super::codes::parse_text(
            "document_no",
            self.document_no.as_deref().unwrap_or(""),
            100,
        )
        .map_err(|x| e.push(x))
        .unwrap_or_default();
        let note = super::codes::parse_text("note", self.note.as_deref().unwrap_or(""), 1000)
            .map_err(|x| e.push(x))
            .unwrap_or_default();
        if self.amount_yuan.is_some() && self.kind != StepKind::Payment {
            e.push(
                FieldError::new(
                    "amount_yuan",
                    "only a payment has an amount (a decision's fee is computed)",
                )
                .zh("只有缴款步骤才填写金额（决定的土地闲置费由系统计算）"),
            );
        }
        if let Some(v) = self.amount_yuan
            && let Err(x) = super::supply::check_yuan("amount_yuan", v, 1)
        {
            e.push(x);
        }
        if !e.is_empty() {
            return Err(e);
        }
        Ok(Step {
            id: 0,
            kind: self.kind,
            date: self.date,
            document_no,
            note,
            decision: self.decision,
            amount_yuan: self.amount_yuan,
            recorded,
        })
    }
}

/// Whether a step closes its case.
pub fn closes(step: &Step) -> bool {
    matches!(
        step.kind,
        StepKind::Payment | StepKind::HandBack | StepKind::Dismissal
    ) || step.decision == Some(DecisionKind::Disposal)
}

/// An idle-land case of one supply.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    pub id: i64,
    pub supply_id: i64,
    pub parcel_id: i64,
    pub park_id: i64,
    /// The day the bureau suspected idle land (发现涉嫌闲置).
    pub opened_on: NaiveDate,
    pub note: String,
    pub steps: Vec<Step>,
    pub created: super::register::Stamp,
}

/// How a case ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    FeePaid,
    LandRecovered,
    DisposalAgreed,
    Dismissed,
}

/// A step with its deadline, as a case's progress shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct StepProgress {
    pub kind: StepKind,
    /// When it had to be done by.
    pub due: NaiveDate,
    /// When it was done; `None` for the step still to come.
    pub done: Option<NaiveDate>,
    /// Days late (done after `due`, or still pending after it as of the day asked).
    pub late_days: i64,
}

/// The state of a case on a day.
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    pub steps: Vec<StepProgress>,
    /// The step to come, with its deadline; `None` when the case is closed.
    pub next: Option<StepProgress>,
    pub overdue: bool,
    pub outcome: Option<Outcome>,
    pub closed_on: Option<NaiveDate>,
}

/// The step that follows `last` (with the decision of the case), if the case is still open.
fn follows(last: Option<&Step>, decision: Option<DecisionKind>) -> Option<StepKind> {
    use StepKind::*;
    match last.map(|s| s.kind) {
        None => Some(InvestigationNotice),
        Some(InvestigationNotice) => Some(HolderResponse),
        Some(HolderResponse) => Some(Finding),
        Some(Finding) => Some(Publication),
        Some(Publication) => Some(Decision),
        Some(Decision) => match decision {
            Some(DecisionKind::Fee) => Some(Payment),
            Some(DecisionKind::Recovery) => Some(HandBack),
            _ => None,
        },
        Some(Payment | HandBack | Dismissal) => None,
    }
}

fn days_allowed(kind: StepKind, practice_days: u32) -> u32 {
    match kind {
        StepKind::Finding | StepKind::Publication | StepKind::Decision => practice_days,
        _ => LEGAL_STEP_DAYS,
    }
}

fn decision_of(steps: &[Step]) -> Option<DecisionKind> {
    steps
        .iter()
        .find(|s| s.kind == StepKind::Decision)
        .and_then(|s| s.decision)
}

/// Check that `next` may follow the case's recorded steps, explaining a refusal.
pub fn check_next(case: &Case, next: &Step) -> Result<(), FieldError> {
    let last = case.steps.last();
    let expected = follows(last, decision_of(&case.steps));
    let Some(expected) = expected else {
        return Err(FieldError::new(
            "kind",
            format!("case {} is closed; no step can follow", case.id),
        )
        .zh(format!("案件 {} 已办结，不能再有后续步骤", case.id)));
    };
    let dismissable = !case.steps.iter().any(|s| s.kind == StepKind::Decision);
    if next.kind != expected && !(next.kind == StepKind::Dismissal && dismissable) {
        return Err(FieldError::new(
            "kind",
            format!(
                "the next step of case {} is {} ({}), not {}",
                case.id,
                expected.as_str(),
                expected.label_zh(),
                next.kind.as_str()
            ),
        )
        .zh(format!(
            "案件 {} 的下一步是“{}”（{}），不是 {}",
            case.id,
            expected.label_zh(),
            expected.as_str(),
            next.kind.as_str()
        )));
    }
    let after = last.map_or(case.opened_on, |s| s.date);
    if next.date < after {
        return Err(FieldError::new(
            "date",
            format!("{} is before the previous step of {after}", next.date),
        )
        .zh(format!("{} 早于上一步骤的日期 {after}", next.date)));
    }
    match (next.kind, next.decision) {
        (StepKind::Decision, None) => Err(FieldError::new(
            "decision",
            "say what is decided: fee, recovery or disposal",
        )
        .zh("请写明决定内容：fee（征缴土地闲置费）、recovery（无偿收回）或 disposal（协议处置）")),
        (StepKind::Decision, Some(_)) => Ok(()),
        (_, Some(_)) => Err(FieldError::new("decision", "only a decision step decides")
            .zh("只有决定步骤才有决定内容")),
        _ => Ok(()),
    }
}

/// Where the case stands on `as_of`: each step's deadline and lateness, and what is next.
pub fn progress(case: &Case, practice_days: u32, as_of: NaiveDate) -> Progress {
    let mut steps = Vec::new();
    let mut previous = case.opened_on;
    let mut last: Option<&Step> = None;
    for s in case.steps.iter().filter(|s| s.date <= as_of) {
        let due = previous + Days::new(u64::from(days_allowed(s.kind, practice_days)));
        steps.push(StepProgress {
            kind: s.kind,
            due,
            done: Some(s.date),
            late_days: (s.date - due).num_days().max(0),
        });
        previous = s.date;
        last = Some(s);
    }
    let done: Vec<Step> = case
        .steps
        .iter()
        .filter(|s| s.date <= as_of)
        .cloned()
        .collect();
    let next = follows(last, decision_of(&done)).map(|kind| {
        let due = previous + Days::new(u64::from(days_allowed(kind, practice_days)));
        StepProgress {
            kind,
            due,
            done: None,
            late_days: (as_of - due).num_days().max(0),
        }
    });
    let outcome = last.and_then(|s| match (s.kind, s.decision) {
        (StepKind::Payment, _) => Some(Outcome::FeePaid),
        (StepKind::HandBack, _) => Some(Outcome::LandRecovered),
        (StepKind::Dismissal, _) => Some(Outcome::Dismissed),
        (StepKind::Decision, Some(DecisionKind::Disposal)) => Some(Outcome::DisposalAgreed),
        _ => None,
    });
    Progress {
        overdue: next.as_ref().is_some_and(|n| n.late_days > 0),
        closed_on: outcome.and(last.map(|s| s.date)),
        steps,
        next,
        outcome,
    }
}

/// Whether a case may be opened on a supply on `opened_on`: the land must still be held, no
/// other case be open on it, and the suspicion not come before the contract.
pub fn check_opening(
    supply: &Supply,
    open_case: Option<i64>,
    opened_on: NaiveDate,
) -> Result<(), Refusal> {
    if let Some(end) = supply.ended_on {
        return Err(Refusal::conflict_in(
            format!(
                "land supply {} ended on {end}; there is no land to investigate",
                supply.id
            ),
            format!("供地 {} 已于 {end} 终止，没有可调查的土地", supply.id),
        ));
    }
    if let Some(id) = open_case {
        return Err(Refusal::conflict_in(
            format!(
                "land supply {} already has an open idle-land case ({id})",
                supply.id
            ),
            format!("供地 {} 已有尚未办结的闲置土地案件（{id}）", supply.id),
        ));
    }
    if opened_on < supply.contract_date {
        return Err(FieldError::new(
            "opened_on",
            format!(
                "{opened_on} is before the contract of {}",
                supply.contract_date
            ),
        )
        .zh(format!(
            "{opened_on} 早于合同签订日 {}",
            supply.contract_date
        ))
        .into());
    }
    Ok(())
}

/// A decision must agree with the idle-land clock on its date (`verdict`): a fee or recovery
/// needs land idle by the holder's fault (recovery two full years undeveloped), a disposal
/// land idle through no fault of the holder. The fee is the clock's, never typed in: it is
/// written into the step.
pub fn decide(case_id: i64, step: &mut Step, verdict: &IdleVerdict) -> Result<(), Refusal> {
    let v = verdict;
    let refuse = |why: String, why_zh: String| -> Result<(), Refusal> {
        Err(Refusal::conflict_in(
            format!(
                "case {case_id}: {why} (on {}: {})",
                step.date, v.explanation.en
            ),
            format!(
                "案件 {case_id}：{why_zh}（{}：{}）",
                step.date, v.explanation.zh
            ),
        ))
    };
    if v.status != IdleStatus::Idle {
        return refuse("the land is not idle by the records, so no decision can be made; dismiss the case or record the facts".into(), "按记录该地并未闲置，不能作出处置决定；请撤销案件或补录事实".into());
    }
    match step.decision {
        Some(DecisionKind::Fee) if v.excused => {
            refuse("the delay is excused (government or force majeure): no fee may be charged".into(), "属政府原因或不可抗力造成的动工开发迟延：不得征缴土地闲置费".into())
        }
        Some(DecisionKind::Fee) => {
            step.amount_yuan = v.fee_yuan;
            Ok(())
        }
        Some(DecisionKind::Recovery) if v.excused => refuse(
            "the delay is excused (government or force majeure): the land may not be recovered without compensation".into(),
            "属政府原因或不可抗力造成的动工开发迟延：不得无偿收回土地".into(),
        ),
        Some(DecisionKind::Recovery) if v.consequence != Consequence::Recovery => {
            let from = v.recovery_from.map_or_else(String::new, |d| d.to_string());
            refuse(
                format!(
                    "recovery without compensation needs two full years undeveloped, from {from}"
                ),
                format!("无偿收回须自 {from} 起满两年未动工开发"),
            )
        }
        Some(DecisionKind::Disposal) if !v.excused => refuse(
            "a disposal under Art. 12 is for land idle through government action or force majeure; record that finding first".into(),
            "第十二条的处置适用于因政府原因或不可抗力造成的闲置；请先记录这一认定".into(),
        ),
        _ => Ok(()),
    }
}

/// A payment is of the fee the decision set: a different amount is refused, a missing one is
/// the decided fee.
pub fn settle_payment(case: &Case, step: &mut Step) -> Result<(), Refusal> {
    let decided = case
        .steps
        .iter()
        .find_map(|s| (s.kind == StepKind::Decision).then_some(s.amount_yuan))
        .flatten();
    match (step.amount_yuan, decided) {
        (Some(paid), Some(fee)) if paid != fee => Err(FieldError::new(
            "amount_yuan",
            format!("the decision set the fee at {fee} 元, not {paid}"),
        )
        .zh(format!("决定的土地闲置费为 {fee} 元，而不是 {paid} 元"))
        .into()),
        (_, fee) => {
            step.amount_yuan = fee;
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::register::Stamp;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn step(kind: StepKind, date: &str) -> Step {
        Step {
            id: 0,
            kind,
            date: d(date),
            document_no: String::new(),
            note: String::new(),
            decision: None,
            amount_yuan: None,
            recorded: Stamp::stored("bureau".into(), d(date).and_hms_opt(0, 0, 0).unwrap()),
        }
    }

    fn case(steps: Vec<Step>) -> Case {
        Case {
            id: 7,
            supply_id: 1,
            parcel_id: 1,
            park_id: 1,
            opened_on: d("2024-03-05"),
            note: String::new(),
            steps,
            created: Stamp::stored(
                "bureau".into(),
                d("2024-03-05").and_hms_opt(0, 0, 0).unwrap(),
            ),
        }
    }

    #[test]
    fn the_investigation_notice_is_due_thirty_days_after_suspicion() {
        let c = case(vec![]);
        let p = progress(&c, 30, d("2024-04-04"));
        let next = p.next.unwrap();
        assert_eq!(
            (next.kind, next.due, next.late_days),
            (StepKind::InvestigationNotice, d("2024-04-04"), 0)
        );
        assert!(!p.overdue, "the thirtieth day is in time");
        let p = progress(&c, 30, d("2024-04-05"));
        assert!(p.overdue);
        assert_eq!(p.next.unwrap().late_days, 1);
    }

    #[test]
    fn each_deadline_counts_from_the_step_before() {
        let mut decision = step(StepKind::Decision, "2024-08-01");
        decision.decision = Some(DecisionKind::Fee);
        let steps = vec![
            step(StepKind::InvestigationNotice, "2024-03-20"),
            step(StepKind::HolderResponse, "2024-04-30"),
            step(StepKind::Finding, "2024-05-15"),
            step(StepKind::Publication, "2024-05-20"),
            decision,
        ];
        let p = progress(&case(steps), 30, d("2024-09-10"));
        let late: Vec<(StepKind, i64)> = p.steps.iter().map(|s| (s.kind, s.late_days)).collect();
        assert_eq!(
            late[1],
            (StepKind::HolderResponse, 11),
            "due 2024-04-19, answered 2024-04-30"
        );
        assert_eq!(late[4], (StepKind::Decision, 43), "due 2024-06-19");
        let next = p.next.unwrap();
        assert_eq!(
            (next.kind, next.due, next.late_days),
            (StepKind::Payment, d("2024-08-31"), 10)
        );
        assert_eq!(p.outcome, None);
        // With a park's 15 days for the bureau's own steps.
        let p = progress(
            &case(vec![
                step(StepKind::InvestigationNotice, "2024-03-20"),
                step(StepKind::HolderResponse, "2024-04-10"),
            ]),
            15,
            d("2024-04-30"),
        );
        assert_eq!(p.next.unwrap().due, d("2024-04-25"));
    }

    #[test]
    fn steps_come_in_order_and_close_the_case() {
        let c = case(vec![step(StepKind::InvestigationNotice, "2024-03-20")]);
        assert!(check_next(&c, &step(StepKind::HolderResponse, "2024-04-01")).is_ok());
        let e = check_next(&c, &step(StepKind::Finding, "2024-04-01")).unwrap_err();
        assert!(e.message.contains("holder_response"), "{}", e.message);
        assert!(
            check_next(&c, &step(StepKind::HolderResponse, "2024-03-19")).is_err(),
            "before the notice"
        );
        assert!(
            check_next(&c, &step(StepKind::Dismissal, "2024-04-01")).is_ok(),
            "not idle after all"
        );
        let mut no_kind = step(StepKind::Decision, "2024-04-01");
        let mut ready = c.clone();
        for k in [
            StepKind::HolderResponse,
            StepKind::Finding,
            StepKind::Publication,
        ] {
            ready.steps.push(step(k, "2024-04-01"));
        }
        assert!(check_next(&ready, &no_kind).unwrap_err().field == "decision");
        no_kind.decision = Some(DecisionKind::Disposal);
        assert!(check_next(&ready, &no_kind).is_ok());
        ready.steps.push(no_kind);
        let p = progress(&ready, 30, d("2024-05-01"));
        assert_eq!(
            (p.outcome, p.closed_on, p.next),
            (Some(Outcome::DisposalAgreed), Some(d("2024-04-01")), None)
        );
        assert!(
            check_next(&ready, &step(StepKind::Payment, "2024-05-01"))
                .unwrap_err()
                .message
                .contains("closed")
        );
        assert!(
            check_next(&ready, &step(StepKind::Dismissal, "2024-05-01")).is_err(),
            "no dismissal after a decision"
        );
    }

    #[test]
    fn last_months_view_ignores_later_steps() {
        let c = case(vec![
            step(StepKind::InvestigationNotice, "2024-03-20"),
            step(StepKind::Dismissal, "2024-04-10"),
        ]);
        let then = progress(&c, 30, d("2024-04-01"));
        assert_eq!(
            (then.outcome, then.next.map(|n| n.kind)),
            (None, Some(StepKind::HolderResponse))
        );
        assert_eq!(
            progress(&c, 30, d("2024-05-01")).outcome,
            Some(Outcome::Dismissed)
        );
    }
    fn verdict(status: IdleStatus, excused: bool, consequence: Consequence) -> IdleVerdict {
        let mut v = IdleVerdict::not_applicable_because(crate::domain::words::Words::new(
            "时钟的说明",
            "the clock's words",
        ));
        v.status = status;
        v.excused = excused;
        v.consequence = consequence;
        v.fee_yuan = Some(3_675_000);
        v.recovery_from = Some(d("2025-03-16"));
        v
    }

    fn decision(kind: DecisionKind) -> Step {
        let mut s = step(StepKind::Decision, "2024-06-01");
        s.decision = Some(kind);
        s
    }

    fn refused(r: Result<(), Refusal>) -> String {
        match r {
            Err(Refusal::Conflict(m)) => m.en,
            other => panic!("expected a conflict, got {other:?}"),
        }
    }

    #[test]
    fn a_case_opens_on_land_still_held_once_and_after_its_contract() {
        let s = crate::domain::supply::tests::supply("2022-03-01");
        assert_eq!(check_opening(&s, None, d("2024-03-05")), Ok(()));
        assert!(
            refused(check_opening(&s, Some(4), d("2024-03-05")))
                .contains("already has an open idle-land case (4)")
        );
        let Err(Refusal::Invalid(e)) = check_opening(&s, None, d("2021-12-31")) else {
            panic!("a suspicion before the contract is invalid")
        };
        assert_eq!(e[0].field, "opened_on");
        let mut ended = s.clone();
        ended.ended_on = Some(d("2023-01-01"));
        assert!(
            refused(check_opening(&ended, None, d("2024-03-05"))).contains("ended on 2023-01-01")
        );
    }

    #[test]
    fn a_fee_decision_takes_the_clocks_fee_and_needs_the_holders_fault() {
        let mut s = decision(DecisionKind::Fee);
        s.amount_yuan = Some(1);
        decide(
            7,
            &mut s,
            &verdict(IdleStatus::Idle, false, Consequence::Fee),
        )
        .unwrap();
        assert_eq!(
            s.amount_yuan,
            Some(3_675_000),
            "the fee is the clock's, never typed in"
        );

        let m = refused(decide(
            7,
            &mut decision(DecisionKind::Fee),
            &verdict(IdleStatus::Idle, true, Consequence::None),
        ));
        assert!(m.starts_with("case 7: the delay is excused"), "{m}");
        assert!(m.ends_with("(on 2024-06-01: the clock's words)"), "{m}");
    }

    #[test]
    fn no_decision_on_land_that_is_not_idle() {
        for status in [
            IdleStatus::Approaching,
            IdleStatus::NotDue,
            IdleStatus::NotApplicable,
        ] {
            for kind in [
                DecisionKind::Fee,
                DecisionKind::Recovery,
                DecisionKind::Disposal,
            ] {
                let m = refused(decide(
                    7,
                    &mut decision(kind),
                    &verdict(status, false, Consequence::Fee),
                ));
                assert!(m.contains("the land is not idle by the records"), "{m}");
            }
        }
    }

    #[test]
    fn recovery_needs_two_years_by_the_holders_fault() {
        let idle_two_years = verdict(IdleStatus::Idle, false, Consequence::Recovery);
        assert_eq!(
            decide(7, &mut decision(DecisionKind::Recovery), &idle_two_years),
            Ok(())
        );
        let m = refused(decide(
            7,
            &mut decision(DecisionKind::Recovery),
            &verdict(IdleStatus::Idle, false, Consequence::Fee),
        ));
        assert!(
            m.contains("two full years undeveloped, from 2025-03-16"),
            "{m}"
        );
        let m = refused(decide(
            7,
            &mut decision(DecisionKind::Recovery),
            &verdict(IdleStatus::Idle, true, Consequence::Recovery),
        ));
        assert!(
            m.contains("may not be recovered without compensation"),
            "{m}"
        );
    }

    #[test]
    fn a_disposal_is_for_excused_delay_only() {
        assert_eq!(
            decide(
                7,
                &mut decision(DecisionKind::Disposal),
                &verdict(IdleStatus::Idle, true, Consequence::None)
            ),
            Ok(())
        );
        let m = refused(decide(
            7,
            &mut decision(DecisionKind::Disposal),
            &verdict(IdleStatus::Idle, false, Consequence::Fee),
        ));
        assert!(m.contains("a disposal under Art. 12"), "{m}");
    }

    #[test]
    fn a_payment_is_of_the_decided_fee() {
        let mut decided = decision(DecisionKind::Fee);
        decided.amount_yuan = Some(500);
        let c = case(vec![decided]);
        let mut pay = step(StepKind::Payment, "2024-07-01");
        settle_payment(&c, &mut pay).unwrap();
        assert_eq!(
            pay.amount_yuan,
            Some(500),
            "a missing amount is the decided fee"
        );
        pay.amount_yuan = Some(499);
        let Err(Refusal::Invalid(e)) = settle_payment(&c, &mut pay) else {
            panic!("another amount is refused")
        };
        assert_eq!(e[0].field, "amount_yuan");
        assert!(e[0].message.contains("500 元, not 499"));
    }
}
