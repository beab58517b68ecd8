//! The idle-land clock of 《闲置土地处置办法》 (国土资源部令第53号, 2012): a pure function of a
//! supply, the timeline its facts add up to, the park's settings and a date.
//!
//! - **Rule 1** (Art. 2): not started one full year after the agreed start (约定动工开发日期).
//! - **Rule 2** (Art. 2): started, but the developed area is under 1/3 of the supplied area or
//!   the investment under 25 % of the agreed total, and work stopped for a full year.
//! - A full year is counted as the Civil Code counts periods (民法典 Art. 201–203): the day the
//!   clock starts is not counted and the year ends at the end of its anniversary (see
//!   [`anniversary`]). Land therefore becomes idle on the day *after* the anniversary; on the
//!   anniversary itself the holder still has the whole day.
//! - **Consequences** (Art. 14, 《城市房地产管理法》 Art. 26): both thresholds are counted from
//!   the same start as the idle-land test — undeveloped a full year (the moment land becomes
//!   idle): an idle-land fee of 20 % of the land price; undeveloped two full years: recovery
//!   without compensation. When the delay was caused by government (Art. 8) or force majeure,
//!   neither applies and the Art. 12 disposal options are listed instead.
//!
//! Money is whole 元: the fee is the land price × the fee percentage, rounded to the nearest
//! 元 with halves rounded up (ROUND_HALF_UP, as 财政 non-tax revenue is collected).

use super::supply::{DelayCause, Supply, Timeline, anniversary};
use chrono::{Days, NaiveDate};
use serde::Serialize;
use utoipa::ToSchema;

/// Where a supplied parcel stands on the clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum IdleStatus {
    /// No clock runs: nothing supplied, development under way or completed.
    NotApplicable,
    /// The clock runs but its year is not nearly over.
    NotDue,
    /// The year runs out within the park's warning period.
    Approaching,
    /// Idle land (闲置土地) under Art. 2.
    Idle,
}

impl IdleStatus {
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::NotApplicable => "不适用",
            Self::NotDue => "未到期",
            Self::Approaching => "临近闲置",
            Self::Idle => "闲置",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotApplicable => "not_applicable",
            Self::NotDue => "not_due",
            Self::Approaching => "approaching",
            Self::Idle => "idle",
        }
    }

    pub const ALL: [IdleStatus; 4] = [
        Self::NotApplicable,
        Self::NotDue,
        Self::Approaching,
        Self::Idle,
    ];

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw.trim())
    }
}

/// Which test of Art. 2 the clock runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum IdleRule {
    /// Rule 1: 超过约定动工开发日期满一年未动工开发.
    NotStarted,
    /// Rule 2: 已动工开发但开发面积不足三分之一或投资额不足百分之二十五，中止开发建设满一年.
    Stopped,
}

impl IdleRule {
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::NotStarted => "满一年未动工开发",
            Self::Stopped => "中止开发建设满一年",
        }
    }
}

/// What follows from the verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Consequence {
    None,
    /// Government or force majeure: no fee; agree one of the Art. 12 options.
    Disposal,
    /// 征缴土地闲置费 (Art. 14(1)).
    Fee,
    /// 无偿收回 (Art. 14(2)).
    Recovery,
}

/// The disposal options of Art. 12 for land idle through no fault of the holder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Disposal {
    /// 延长动工开发期限 (at most one year, by supplementary agreement).
    ExtendStart,
    /// 调整土地用途、规划条件.
    ChangeUseOrConditions,
    /// 由政府安排临时使用 (at most two years).
    TemporaryUse,
    /// 协议有偿收回.
    BuyBack,
    /// 置换土地.
    Swap,
    /// 市、县国土资源主管部门提出的其他处置方式.
    Other,
}

pub const DISPOSALS: [Disposal; 6] = [
    Disposal::ExtendStart,
    Disposal::ChangeUseOrConditions,
    Disposal::TemporaryUse,
    Disposal::BuyBack,
    Disposal::Swap,
    Disposal::Other,
];

/// The limits the clock reads from the park's settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IdleRules {
    pub warning_days: u32,
    pub fee_pct: f64,
}

impl IdleRules {
    pub fn of(s: &super::settings::Settings) -> Self {
        Self {
            warning_days: s.idle_warning_days,
            fee_pct: s.idle_fee_pct,
        }
    }
}

/// The clock's verdict for one supply on one day.
#[derive(Debug, Clone, PartialEq)]
pub struct IdleVerdict {
    pub status: IdleStatus,
    pub rule: Option<IdleRule>,
    /// The day the clock counts from: the agreed start (after extensions) or the stoppage.
    pub clock_from: Option<NaiveDate>,
    /// The last day of the first full year; idle from the next day.
    pub deadline: Option<NaiveDate>,
    /// Days from `as_of` to the deadline (0 on the deadline itself).
    pub days_left: Option<i64>,
    pub idle_since: Option<NaiveDate>,
    /// Days idle, `idle_since` included.
    pub idle_days: i64,
    /// The finding on the cause of the current delay; `None` is the holder's own.
    pub cause: Option<DelayCause>,
    /// Government or force majeure: no fee, no recovery without compensation.
    pub excused: bool,
    pub consequence: Consequence,
    /// The fee due (holder's fault only), whole 元.
    pub fee_yuan: Option<i64>,
    /// From this day the land may be recovered without compensation (holder's fault only).
    pub recovery_from: Option<NaiveDate>,
    pub disposal_options: Vec<Disposal>,
    /// The verdict in words, with its dates.
    pub explanation: String,
}

impl IdleVerdict {
    /// Land supplied by its status, but without a supply contract in the register: no clock
    /// can run until the contract is recorded.
    pub fn unrecorded() -> Self {
        Self::not_applicable_because(
            "supplied, but no supply contract is recorded: record it (a land supply of the parcel) so the land can be assessed".into(),
        )
    }

    /// A verdict that no clock runs, and why.
    pub fn not_applicable_because(explanation: String) -> Self {
        Self {
            status: IdleStatus::NotApplicable,
            rule: None,
            clock_from: None,
            deadline: None,
            days_left: None,
            idle_since: None,
            idle_days: 0,
            cause: None,
            excused: false,
            consequence: Consequence::None,
            fee_yuan: None,
            recovery_from: None,
            disposal_options: Vec::new(),
            explanation,
        }
    }
}

/// The idle-land fee: `price × pct / 100`, to the nearest 元, halves up.
pub fn idle_fee_yuan(land_price_yuan: i64, fee_pct: f64) -> i64 {
    // The percentage in hundredths (20 % → 2000) keeps the arithmetic in integers.
    let basis = (fee_pct * 100.0).round() as i128;
    let fee = (i128::from(land_price_yuan) * basis + 5_000) / 10_000;
    i64::try_from(fee).unwrap_or(i64::MAX)
}

/// Under 1/3 of the supplied area. Areas are known to the hundredth of a m² (what every view
/// shows), so a developed area within half of that of exactly a third — `area_m2 / 3` typed
/// from the displayed area — is a third, not under it.
pub fn under_a_third(developed_m2: f64, supplied_m2: f64) -> bool {
    developed_m2 < supplied_m2 / 3.0 - 0.005
}

/// Under 25 % of the agreed total investment (exact, in 元).
pub fn under_a_quarter(investment_yuan: i64, total_yuan: i64) -> bool {
    i128::from(investment_yuan) * 4 < i128::from(total_yuan)
}

fn days_between(from: NaiveDate, to: NaiveDate) -> i64 {
    (to - from).num_days()
}

/// The clock for `supply` as of `as_of`, from the timeline of its facts up to that day.
pub fn assess(supply: &Supply, t: &Timeline, rules: &IdleRules, as_of: NaiveDate) -> IdleVerdict {
    if !supply.in_force_on(as_of) {
        return IdleVerdict::not_applicable_because(format!(
            "no land supply was in force on {as_of}"
        ));
    }
    if let Some(done) = t.completed {
        return IdleVerdict::not_applicable_because(format!(
            "completed (竣工) on {done}: the idle-land rules no longer apply"
        ));
    }
    let agreed_start = t.agreed_start.unwrap_or(supply.agreed_start);
    let (rule, clock_from, what) = match (t.started, t.stopped_since) {
        (None, _) => (
            IdleRule::NotStarted,
            agreed_start,
            format!("agreed start {agreed_start}, not started"),
        ),
        (Some(_), Some(stop)) => {
            let low_area = under_a_third(t.developed_area_m2, supply.land_area_m2);
            let low_investment = supply
                .total_investment_yuan
                .is_some_and(|total| under_a_quarter(t.investment_yuan, total));
            let shares = shares(supply, t);
            if !(low_area || low_investment) {
                return IdleVerdict::not_applicable_because(format!(
                    "stopped since {stop}, but with {shares} rule 2 does not apply (it needs under 1/3 of the area or under 25 % of the investment)"
                ));
            }
            (
                IdleRule::Stopped,
                stop,
                format!("stopped since {stop} with {shares}"),
            )
        }
        (Some(started), None) => {
            return IdleVerdict::not_applicable_because(format!(
                "development under way since {started}"
            ));
        }
    };
    let deadline = anniversary(clock_from, 1);
    let mut v = IdleVerdict::not_applicable_because(String::new());
    v.rule = Some(rule);
    v.clock_from = Some(clock_from);
    v.deadline = Some(deadline);
    if as_of <= deadline {
        let left = days_between(as_of, deadline);
        v.days_left = Some(left);
        v.status = if left <= i64::from(rules.warning_days) {
            IdleStatus::Approaching
        } else {
            IdleStatus::NotDue
        };
        v.explanation = match left {
            0 => format!("{what}: today is the last day of the full year; idle from tomorrow"),
            1 => format!("{what}: the full year ends on {deadline}, 1 day left"),
            n => format!("{what}: the full year ends on {deadline}, {n} days left"),
        };
        return v;
    }
    let idle_since = deadline + Days::new(1);
    v.status = IdleStatus::Idle;
    v.idle_since = Some(idle_since);
    v.idle_days = days_between(idle_since, as_of) + 1;
    v.cause = t.attribution.map(|(_, c)| c);
    v.excused = v.cause.is_some_and(DelayCause::excuses_holder);
    let second = anniversary(clock_from, 2);
    let head = format!("idle since {idle_since} ({} days) — {what}", v.idle_days);
    if v.excused {
        let cause = v.cause.map_or("", DelayCause::label_zh);
        v.consequence = Consequence::Disposal;
        v.disposal_options = DISPOSALS.to_vec();
        v.explanation =
            format!("{head}; caused by {cause}: no idle-land fee, agree a disposal under Art. 12");
        return v;
    }
    let fee = idle_fee_yuan(supply.land_price_yuan, rules.fee_pct);
    v.fee_yuan = Some(fee);
    v.recovery_from = Some(second + Days::new(1));
    if as_of > second {
        v.consequence = Consequence::Recovery;
        v.explanation = format!(
            "{head}; undeveloped two full years on {second}: the land may be recovered without compensation"
        );
    } else {
        v.consequence = Consequence::Fee;
        v.explanation = format!(
            "{head}; idle-land fee {fee} 元 ({}% of the land price); recovery without compensation from {}",
            rules.fee_pct,
            second + Days::new(1)
        );
    }
    v
}

/// "26.7% of the area and 16.7% of the investment" — the shares rule 2 looks at.
fn shares(supply: &Supply, t: &Timeline) -> String {
    let area = if supply.land_area_m2 > 0.0 {
        t.developed_area_m2 / supply.land_area_m2 * 100.0
    } else {
        0.0
    };
    match supply.total_investment_yuan {
        Some(total) if total > 0 => {
            format!(
                "{area:.1}% of the area and {:.1}% of the investment developed",
                t.investment_yuan as f64 / total as f64 * 100.0
            )
        }
        _ => format!("{area:.1}% of the area developed (no agreed total investment)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::supply::tests::{d, fact, permit, start, supply};
    use crate::domain::supply::{FactDetail, replay};

    const RULES: IdleRules = IdleRules {
        warning_days: 90,
        fee_pct: 20.0,
    };

    fn verdict(s: &Supply, facts: &[crate::domain::supply::Fact], as_of: &str) -> IdleVerdict {
        let as_of = d(as_of);
        let t = replay(s, facts, as_of).unwrap();
        assess(s, &t, &RULES, as_of)
    }

    /// Rule 1 around the first anniversary of the agreed start (2023-03-01).
    #[test]
    fn rule_1_counts_a_full_year_from_the_agreed_start() {
        let s = supply("2023-03-01");
        let cases: &[(&str, IdleStatus, Option<i64>, Option<&str>)] = &[
            ("2022-06-01", IdleStatus::NotDue, Some(639), None),
            ("2023-12-01", IdleStatus::NotDue, Some(91), None),
            ("2023-12-02", IdleStatus::Approaching, Some(90), None),
            ("2024-02-29", IdleStatus::Approaching, Some(1), None),
            // The anniversary: the holder has the whole day.
            ("2024-03-01", IdleStatus::Approaching, Some(0), None),
            ("2024-03-02", IdleStatus::Idle, None, Some("2024-03-02")),
        ];
        for (as_of, status, left, since) in cases {
            let v = verdict(&s, &[], as_of);
            assert_eq!(v.status, *status, "{as_of}: {}", v.explanation);
            assert_eq!(v.days_left, *left, "{as_of}");
            assert_eq!(v.idle_since, since.map(d), "{as_of}");
            assert_eq!(v.rule, Some(IdleRule::NotStarted));
        }
        let idle = verdict(&s, &[], "2024-03-02");
        assert_eq!(idle.idle_days, 1);
        assert_eq!(
            idle.consequence,
            Consequence::Fee,
            "undeveloped a full year: the fee is due"
        );
        assert_eq!(idle.fee_yuan, Some(3_675_000), "20% of 18,375,000 元");
        assert_eq!(idle.recovery_from, Some(d("2025-03-02")));
        assert!(
            idle.explanation
                .starts_with("idle since 2024-03-02 (1 days)"),
            "{}",
            idle.explanation
        );
        let last_day = verdict(&s, &[], "2024-03-01");
        assert!(
            last_day.explanation.contains("today is the last day"),
            "{}",
            last_day.explanation
        );
    }

    #[test]
    fn a_start_on_the_last_day_is_in_time() {
        let s = supply("2023-03-01");
        let facts = [permit(1, "2024-02-01"), start(2, "2024-03-01")];
        let v = verdict(&s, &facts, "2024-06-01");
        assert_eq!(v.status, IdleStatus::NotApplicable, "{}", v.explanation);
        // A late start ends idleness from that day, but last month's view still shows it idle.
        let late = [permit(1, "2024-02-01"), start(2, "2024-05-01")];
        assert_eq!(verdict(&s, &late, "2024-04-30").status, IdleStatus::Idle);
        assert_eq!(
            verdict(&s, &late, "2024-05-01").status,
            IdleStatus::NotApplicable
        );
    }

    /// An agreed start of 29 February: its anniversary is 28 February of the next year.
    #[test]
    fn an_agreed_start_of_29_february() {
        let s = supply("2024-02-29");
        let v = verdict(&s, &[], "2025-02-28");
        assert_eq!((v.status, v.days_left), (IdleStatus::Approaching, Some(0)));
        let v = verdict(&s, &[], "2025-03-01");
        assert_eq!(
            (v.status, v.idle_since),
            (IdleStatus::Idle, Some(d("2025-03-01")))
        );
        // Two full years: 28 February 2026, recovery from 1 March 2026.
        assert_eq!(v.recovery_from, Some(d("2026-03-01")));
        assert_eq!(verdict(&s, &[], "2026-02-28").consequence, Consequence::Fee);
        assert_eq!(
            verdict(&s, &[], "2026-03-01").consequence,
            Consequence::Recovery
        );
    }

    #[test]
    fn an_extension_moves_the_clock() {
        let s = supply("2023-03-01");
        let ext = [fact(
            1,
            "2023-10-15",
            FactDetail::Extension {
                cause: DelayCause::LandNotDelivered,
                new_start: d("2024-03-01"),
            },
        )];
        let v = verdict(&s, &ext, "2024-03-02");
        assert_eq!(
            v.status,
            IdleStatus::NotDue,
            "the year now runs to 2025-03-01: {}",
            v.explanation
        );
        assert_eq!(v.deadline, Some(d("2025-03-01")));
        let v = verdict(&s, &ext, "2025-03-02");
        assert_eq!(v.status, IdleStatus::Idle);
        assert!(
            !v.excused,
            "the extension's cause excused the old delay, not this one"
        );
        assert_eq!(v.consequence, Consequence::Fee);
        // Before the extension was agreed, the old clock applied.
        assert_eq!(
            verdict(&s, &ext, "2023-10-14").deadline,
            Some(d("2024-03-01"))
        );
    }

    #[test]
    fn government_caused_delay_has_no_fee() {
        let s = supply("2023-03-01");
        let finding = [fact(
            1,
            "2024-04-10",
            FactDetail::Attribution {
                cause: DelayCause::PlanChanged,
            },
        )];
        let v = verdict(&s, &finding, "2025-06-01");
        assert_eq!(v.status, IdleStatus::Idle);
        assert!(v.excused);
        assert_eq!(v.cause, Some(DelayCause::PlanChanged));
        assert_eq!(
            (v.consequence, v.fee_yuan, v.recovery_from),
            (Consequence::Disposal, None, None)
        );
        assert_eq!(v.disposal_options.len(), 6);
        let force = [fact(
            1,
            "2024-04-10",
            FactDetail::Attribution {
                cause: DelayCause::ForceMajeure,
            },
        )];
        assert!(verdict(&s, &force, "2025-06-01").excused);
        let own = [fact(
            1,
            "2024-04-10",
            FactDetail::Attribution {
                cause: DelayCause::Holder,
            },
        )];
        assert_eq!(
            verdict(&s, &own, "2025-06-01").consequence,
            Consequence::Recovery
        );
    }

    fn stopped(area: f64, investment: i64, stop: &str) -> Vec<crate::domain::supply::Fact> {
        vec![
            permit(1, "2022-12-01"),
            start(2, "2023-01-10"),
            fact(
                3,
                "2023-05-01",
                FactDetail::Progress {
                    developed_area_m2: area,
                    investment_yuan: investment,
                },
            ),
            fact(4, stop, FactDetail::Stoppage),
        ]
    }

    /// Rule 2 at exactly one third of the area (30,000 m²) and a quarter of the investment
    /// (120,000,000 元): "不足" means strictly under.
    #[test]
    fn rule_2_thresholds_are_strict() {
        let s = supply("2023-03-01");
        let cases: &[(f64, i64, IdleStatus)] = &[
            (10_000.0, 30_000_000, IdleStatus::NotApplicable),
            (30_000.0 / 3.0, 30_000_000, IdleStatus::NotApplicable),
            (9_999.996, 30_000_000, IdleStatus::NotApplicable),
            (9_999.99, 30_000_000, IdleStatus::Idle),
            (9_999.0, 30_000_000, IdleStatus::Idle),
            (10_000.0, 29_999_999, IdleStatus::Idle),
            (20_000.0, 90_000_000, IdleStatus::NotApplicable),
        ];
        for (area, inv, want) in cases {
            let v = verdict(&s, &stopped(*area, *inv, "2023-06-01"), "2024-06-02");
            assert_eq!(v.status, *want, "{area} m², {inv} 元: {}", v.explanation);
        }
        let v = verdict(
            &s,
            &stopped(9_000.0, 10_000_000, "2023-06-01"),
            "2024-06-02",
        );
        assert_eq!(
            (v.rule, v.idle_since),
            (Some(IdleRule::Stopped), Some(d("2024-06-02")))
        );
        assert!(
            v.explanation
                .contains("30.0% of the area and 8.3% of the investment"),
            "{}",
            v.explanation
        );
    }

    #[test]
    fn a_stoppage_of_one_year_less_a_day_is_not_idle() {
        let s = supply("2023-03-01");
        let facts = stopped(5_000.0, 5_000_000, "2023-06-01");
        assert_eq!(
            verdict(&s, &facts, "2024-05-31").status,
            IdleStatus::Approaching
        );
        assert_eq!(verdict(&s, &facts, "2024-06-01").days_left, Some(0));
        assert_eq!(verdict(&s, &facts, "2024-06-02").status, IdleStatus::Idle);
        // Resumed in time: the clock stops.
        let mut resumed = facts.clone();
        resumed.push(fact(5, "2024-05-31", FactDetail::Resumption));
        assert_eq!(
            verdict(&s, &resumed, "2024-08-01").status,
            IdleStatus::NotApplicable
        );
    }

    #[test]
    fn fee_arithmetic_on_real_land_prices() {
        // 52.8 亩 at 35 万元/亩 = 1848 万元.
        assert_eq!(idle_fee_yuan(18_480_000, 20.0), 3_696_000);
        // Halves round up: 20% of 18,376,543 元 is 3,675,308.6.
        assert_eq!(idle_fee_yuan(18_376_543, 20.0), 3_675_309);
        assert_eq!(
            idle_fee_yuan(18_376_542, 20.0),
            3_675_308,
            "3,675,308.4 rounds down"
        );
        assert_eq!(idle_fee_yuan(7, 20.0), 1, "1.4 元");
        assert_eq!(idle_fee_yuan(5, 10.0), 1, "0.5 元 rounds up");
        // A park charging 15 %.
        assert_eq!(idle_fee_yuan(100_000_001, 15.0), 15_000_000);
        assert_eq!(idle_fee_yuan(9_999_999_999_999, 20.0), 2_000_000_000_000);
    }

    #[test]
    fn completed_or_ended_supplies_have_no_clock() {
        let mut s = supply("2023-03-01");
        s.ended_on = Some(d("2024-01-01"));
        assert_eq!(
            verdict(&s, &[], "2024-06-01").status,
            IdleStatus::NotApplicable
        );
        assert_eq!(
            verdict(&s, &[], "2023-11-01").status,
            IdleStatus::NotDue,
            "still in force then"
        );
        let s = supply("2023-03-01");
        let done = [
            permit(1, "2023-01-01"),
            start(2, "2023-02-01"),
            fact(3, "2023-04-01", FactDetail::Stoppage),
            fact(
                4,
                "2023-05-01",
                FactDetail::Completion {
                    built_floor_area_m2: None,
                    building_coefficient_pct: None,
                },
            ),
        ];
        assert_eq!(
            verdict(&s, &done, "2025-01-01").status,
            IdleStatus::NotApplicable
        );
    }
}
