//! Applications (入园申请) of applicants for an available plot or a free workshop unit, and the
//! committee's decisions: the life cycle `submitted → accepted | rejected | withdrawn`, and
//! when a plot or unit can be had. Pure: `ops::applications` loads, lets these decide, saves.

use super::entry_check::BuildingPlan;
use super::parcel::ParcelStatus;
use super::register::{Parcel, Stamp};
use super::workshop::{Lease, Milestone, Plan, Workshop};
use super::{FieldError, Refusal};
use chrono::{NaiveDate, NaiveDateTime};

/// What is applied for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Plot(i64),
    Unit(i64),
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Target::Plot(id) => write!(f, "plot {id}"),
            Target::Unit(id) => write!(f, "unit {id}"),
        }
    }
}

impl Target {
    /// The target named in Chinese.
    pub fn name_zh(&self) -> String {
        match self {
            Target::Plot(id) => format!("地块 {id}"),
            Target::Unit(id) => format!("厂房单元 {id}"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ApplicationStatus {
    Submitted,
    Accepted,
    Rejected,
    Withdrawn,
}

impl ApplicationStatus {
    /// The status as the dashboard names it.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Submitted => "待审",
            Self::Accepted => "已同意",
            Self::Rejected => "未通过",
            Self::Withdrawn => "已撤回",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Submitted => "submitted",
            Self::Accepted => "accepted",
            Self::Rejected => "rejected",
            Self::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [
            Self::Submitted,
            Self::Accepted,
            Self::Rejected,
            Self::Withdrawn,
        ]
        .into_iter()
        .find(|s| s.as_str() == raw)
    }
}

/// The project an applicant brings.
#[derive(Debug, Clone, PartialEq)]
pub struct ApplicationProject {
    pub project_name: String,
    pub enterprise_name: String,
    pub uscc: Option<String>,
    pub industry: String,
    pub fixed_asset_investment_yuan: i64,
    pub land_demand_mu: Option<f64>,
    pub plan: Option<BuildingPlan>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Application {
    pub id: i64,
    pub applicant_id: i64,
    pub park_id: i64,
    pub target: Target,
    pub project: ApplicationProject,
    /// The entry check as it stood when submitted.
    pub entry_check: serde_json::Value,
    pub status: ApplicationStatus,
    pub submitted_at: NaiveDateTime,
    pub decided: Option<Stamp>,
    pub decision_reason: String,
    pub version: i64,
}

impl Application {
    /// The committee's decision: only a submitted application is decided, and a rejection
    /// says why. The status it moves to.
    pub fn decide(&self, accept: bool, reason: &str) -> Result<ApplicationStatus, Refusal> {
        self.still_submitted()?;
        if !accept && reason.is_empty() {
            return Err(
                FieldError::new("reason", "say why the application is rejected")
                    .zh("请说明申请未通过的理由")
                    .into(),
            );
        }
        Ok(if accept {
            ApplicationStatus::Accepted
        } else {
            ApplicationStatus::Rejected
        })
    }

    /// The applicant withdraws: only a submitted application.
    pub fn withdraw(&self) -> Result<ApplicationStatus, Refusal> {
        self.still_submitted()?;
        Ok(ApplicationStatus::Withdrawn)
    }

    fn still_submitted(&self) -> Result<(), Refusal> {
        if self.status == ApplicationStatus::Submitted {
            Ok(())
        } else {
            Err(Refusal::conflict_in(
                format!(
                    "application {} is already {}",
                    self.id,
                    self.status.as_str()
                ),
                format!("申请 {} 已是“{}”状态", self.id, self.status.label_zh()),
            ))
        }
    }
}

/// A plot can be had while it is available.
pub fn plot_available(parcel: &Parcel) -> Result<(), Refusal> {
    plot_status_allows(&parcel.code, parcel.status)
}

fn plot_status_allows(code: &str, status: ParcelStatus) -> Result<(), Refusal> {
    if status == ParcelStatus::Available {
        Ok(())
    } else {
        Err(Refusal::conflict_in(
            format!("plot {code} is not available ({})", status.label_zh()),
            format!("地块 {code} 目前不可供应（{}）", status.label_zh()),
        ))
    }
}

/// A unit can be had once its building is handed over or completed, while no lease runs on
/// it today and no other application has it reserved.
pub fn unit_available(
    unit_id: i64,
    workshop: &Workshop,
    leases: &[Lease],
    reserved_for: Option<i64>,
    today: NaiveDate,
) -> Result<(), Refusal> {
    let building = (workshop.name.as_str(), &workshop.plan);
    unit_free(unit_id, building, leases, reserved_for, today)
}

fn unit_free(
    unit_id: i64,
    (building, plan): (&str, &Plan),
    leases: &[Lease],
    reserved_for: Option<i64>,
    today: NaiveDate,
) -> Result<(), Refusal> {
    let ready = [Milestone::Handover, Milestone::Completion]
        .iter()
        .any(|m| plan[m.index()].actual.is_some_and(|d| d <= today));
    if !ready {
        return Err(Refusal::conflict_in(
            format!("unit {unit_id} is in {building}, which is not completed yet"),
            format!("厂房单元 {unit_id} 所在的{building}尚未竣工"),
        ));
    }
    if leases.iter().any(|l| l.end >= today) {
        return Err(Refusal::conflict_in(
            format!("unit {unit_id} is leased"),
            format!("厂房单元 {unit_id} 已出租"),
        ));
    }
    if let Some(other) = reserved_for {
        return Err(Refusal::conflict_in(
            format!("unit {unit_id} is reserved for application {other}"),
            format!("厂房单元 {unit_id} 已为申请 {other} 预留"),
        ));
    }
    Ok(())
}

/// What an applicant is told when a target cannot be had: only that it is not available —
/// why (a lease, another applicant's reservation, an unfinished building) is the park's own
/// business. The committee deciding is told why.
pub fn not_available(target: Target) -> Refusal {
    Refusal::conflict_in(
        format!("{target} is not available"),
        format!("{}目前不可申请", target.name_zh()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn application(status: ApplicationStatus) -> Application {
        Application {
            id: 9,
            applicant_id: 1,
            park_id: 1,
            target: Target::Plot(3),
            project: ApplicationProject {
                project_name: "新材料".into(),
                enterprise_name: "某公司".into(),
                uscc: None,
                industry: "C2929".into(),
                fixed_asset_investment_yuan: 100_000_000,
                land_demand_mu: Some(30.0),
                plan: None,
            },
            entry_check: serde_json::Value::Null,
            status,
            submitted_at: d("2026-01-05").and_hms_opt(8, 0, 0).unwrap(),
            decided: None,
            decision_reason: String::new(),
            version: 1,
        }
    }

    fn conflict(r: Result<impl std::fmt::Debug, Refusal>) -> String {
        match r {
            Err(Refusal::Conflict(m)) => m.en,
            other => panic!("expected a conflict, got {other:?}"),
        }
    }

    #[test]
    fn a_submitted_application_is_accepted_rejected_with_a_reason_or_withdrawn() {
        let a = application(ApplicationStatus::Submitted);
        assert_eq!(a.decide(true, ""), Ok(ApplicationStatus::Accepted));
        assert_eq!(a.decide(false, "产业不符"), Ok(ApplicationStatus::Rejected));
        assert_eq!(a.withdraw(), Ok(ApplicationStatus::Withdrawn));
        let Err(Refusal::Invalid(e)) = a.decide(false, "") else {
            panic!("a rejection without a reason is refused")
        };
        assert_eq!(e[0].field, "reason");
    }

    #[test]
    fn a_decided_or_withdrawn_application_is_final() {
        for status in [
            ApplicationStatus::Accepted,
            ApplicationStatus::Rejected,
            ApplicationStatus::Withdrawn,
        ] {
            let a = application(status);
            let expected = format!("application 9 is already {}", status.as_str());
            assert_eq!(conflict(a.decide(true, "")), expected);
            assert_eq!(conflict(a.decide(false, "why")), expected);
            assert_eq!(conflict(a.withdraw()), expected);
        }
    }

    #[test]
    fn only_an_available_plot_can_be_had() {
        assert_eq!(plot_status_allows("A-01", ParcelStatus::Available), Ok(()));
        for status in [ParcelStatus::Reserved, ParcelStatus::Supplied] {
            let m = conflict(plot_status_allows("A-01", status));
            assert!(m.starts_with("plot A-01 is not available ("), "{m}");
        }
    }

    fn lease(end: &str) -> Lease {
        Lease {
            id: 1,
            unit_id: 5,
            enterprise_id: 2,
            start: d("2025-01-01"),
            end: d(end),
            rent_fen_per_m2_month: 1_200,
            created: Stamp::stored(
                "committee".into(),
                d("2025-01-01").and_hms_opt(0, 0, 0).unwrap(),
            ),
        }
    }

    #[test]
    fn a_unit_is_free_once_built_when_no_lease_runs_and_nobody_holds_it() {
        let today = d("2026-06-01");
        let mut plan: Plan = Default::default();
        let building = ("1号厂房", &plan);
        let m = conflict(unit_free(5, building, &[], None, today));
        assert_eq!(m, "unit 5 is in 1号厂房, which is not completed yet");

        plan[Milestone::Completion.index()].actual = Some(d("2026-06-02"));
        let m = conflict(unit_free(5, ("1号厂房", &plan), &[], None, today));
        assert!(
            m.contains("not completed yet"),
            "completed tomorrow is not completed"
        );

        plan[Milestone::Handover.index()].actual = Some(today);
        let built = ("1号厂房", &plan);
        assert_eq!(unit_free(5, built, &[], None, today), Ok(()));
        assert_eq!(
            unit_free(5, built, &[lease("2026-05-31")], None, today),
            Ok(()),
            "a lease that ended"
        );
        assert_eq!(
            conflict(unit_free(5, built, &[lease("2026-06-01")], None, today)),
            "unit 5 is leased"
        );
        assert_eq!(
            conflict(unit_free(5, built, &[], Some(12), today)),
            "unit 5 is reserved for application 12"
        );
    }

    #[test]
    fn an_applicant_learns_only_that_a_target_is_not_available() {
        assert_eq!(
            not_available(Target::Unit(5)),
            Refusal::conflict_in("unit 5 is not available", "厂房单元 5目前不可申请")
        );
        assert_eq!(
            not_available(Target::Plot(3)),
            Refusal::conflict_in("plot 3 is not available", "地块 3目前不可申请")
        );
    }
}
