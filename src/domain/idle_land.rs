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

use super::supply::{ClockState, DelayCause, Supply, Timeline, anniversary};
use super::words::{Words, words};
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
    pub explanation: Words,
    /// For land still liable for an episode that has ended (a late start, say): the first
    /// day it was no longer idle.
    pub idle_until: Option<NaiveDate>,
    /// Every idle episode of the supply up to the day asked, oldest first.
    pub episodes: Vec<IdleEpisode>,
}

/// One stretch of idleness (闲置) of a supply: from the day after its full year ran out to the
/// day a fact ended it (or still running). A late start ends the idleness, not the liability
/// for it: the Art. 14 fee for the episode stays due until its case closes.
#[derive(Debug, Clone, PartialEq)]
pub struct IdleEpisode {
    pub rule: IdleRule,
    /// The day its clock counted from.
    pub clock_from: NaiveDate,
    /// The first idle day.
    pub since: NaiveDate,
    /// The first day no longer idle; `None` while it lasts.
    pub until: Option<NaiveDate>,
    pub ended_by: Option<EpisodeEnd>,
    /// The finding on its cause (or an Art. 12 extension's cause); `None`: the holder's own.
    pub cause: Option<DelayCause>,
    pub excused: bool,
    /// What it entails, judged on its last idle day.
    pub consequence: Consequence,
    pub fee_yuan: Option<i64>,
    pub recovery_from: Option<NaiveDate>,
}

impl IdleEpisode {
    /// Days idle, both ends included (to `as_of` while it lasts).
    pub fn days(&self, as_of: NaiveDate) -> i64 {
        let last = self.until.map_or(as_of, |u| u - Days::new(1));
        days_between(self.since, last) + 1
    }
}

/// What ended an idle episode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EpisodeEnd {
    /// Development started (late).
    Started,
    /// Stopped work resumed.
    Resumed,
    /// The developed area or investment rose past rule 2's thresholds.
    Developed,
    Completed,
    /// The start was extended under Art. 12(1) (government or force majeure).
    Extended,
}

impl EpisodeEnd {
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Started => "动工开发",
            Self::Resumed => "恢复开发建设",
            Self::Developed => "开发面积或投资额达到标准",
            Self::Completed => "竣工",
            Self::Extended => "延长动工开发期限（第十二条）",
        }
    }

    fn between(before: &ClockState, after: &ClockState) -> Self {
        if after.completed.is_some() && before.completed.is_none() {
            Self::Completed
        } else if after.started.is_some() && before.started.is_none() {
            Self::Started
        } else if after.agreed_start != before.agreed_start {
            Self::Extended
        } else if after.stopped_since.is_none() && before.stopped_since.is_some() {
            Self::Resumed
        } else {
            Self::Developed
        }
    }
}

impl IdleVerdict {
    /// Land supplied by its status, but without a supply contract in the register: no clock
    /// can run until the contract is recorded.
    pub fn unrecorded() -> Self {
        Self::not_applicable_because(Words::new(
            "已供应，但未登记土地供应合同：登记该宗地的供地合同后才能判定是否闲置",
            "supplied, but no supply contract is recorded: record it (a land supply of the parcel) so the land can be assessed",
        ))
    }

    /// A verdict that no clock runs, and why.
    pub fn not_applicable_because(explanation: Words) -> Self {
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
            idle_until: None,
            episodes: Vec::new(),
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
///
/// `case_closed` is the day the supply's last idle-land case closed (by `as_of`), if one
/// did: an idle episode that has ended keeps the land on the idle list, liable for its fee,
/// until a case closed after it began.
pub fn assess(
    supply: &Supply,
    t: &Timeline,
    rules: &IdleRules,
    as_of: NaiveDate,
    case_closed: Option<NaiveDate>,
) -> IdleVerdict {
    if !supply.in_force_on(as_of) {
        return IdleVerdict::not_applicable_because(words!(
            "{as_of} 无有效的土地供应",
            "no land supply was in force on {as_of}"
        ));
    }
    let mut v = clock_now(supply, t, rules, as_of);
    let episodes = episodes(supply, t, rules, as_of);
    if v.status != IdleStatus::Idle {
        let liable = episodes.iter().rev().find(|e| {
            e.until.is_some() && !e.excused && case_closed.is_none_or(|closed| closed < e.since)
        });
        if let Some(e) = liable {
            v = still_liable(e, as_of);
        }
    }
    v.episodes = episodes;
    v
}

/// The verdict for land whose idleness ended but whose episode's case has not closed.
fn still_liable(e: &IdleEpisode, as_of: NaiveDate) -> IdleVerdict {
    let mut v = IdleVerdict::not_applicable_because(Words::default());
    let until = e.until.unwrap_or(as_of);
    let ended = e.ended_by.map_or("", EpisodeEnd::label_zh);
    v.status = IdleStatus::Idle;
    v.rule = Some(e.rule);
    v.clock_from = Some(e.clock_from);
    v.deadline = Some(anniversary(e.clock_from, 1));
    v.idle_since = Some(e.since);
    v.idle_until = e.until;
    v.idle_days = e.days(as_of);
    v.cause = e.cause;
    v.consequence = e.consequence;
    v.fee_yuan = e.fee_yuan;
    v.recovery_from = e.recovery_from;
    let due = match (e.consequence, e.fee_yuan) {
        (Consequence::Recovery, _) => Words::new(
            "已满两年未动工开发：仍可决定无偿收回",
            "idle two full years: recovery without compensation may still be decided",
        ),
        (_, Some(fee)) => words!(
            "该闲置期的土地闲置费 {fee} 元仍应缴纳（第十四条）",
            "the idle-land fee of {fee} 元 for it is still due (Art. 14)"
        ),
        _ => Words::default(),
    };
    let (since, days) = (e.since, v.idle_days);
    v.explanation = Words::clauses([
        &words!(
            "{since} 起闲置，{until} {ended}（闲置 {days} 天）",
            "idle from {since} until {ended} on {until} ({days} days)"
        ),
        &due,
        &Words::new(
            "处置结案前仍列入闲置土地",
            "the land stays on the list of idle land until its case closes",
        ),
    ]);
    v
}

/// Which clock runs on `s`, from which day, in words — or why none runs.
fn basis(supply: &Supply, s: &ClockState) -> Result<(IdleRule, NaiveDate, Words), Words> {
    if let Some(done) = s.completed {
        return Err(words!(
            "已于 {done} 竣工：闲置土地的规定不再适用",
            "completed (竣工) on {done}: the idle-land rules no longer apply"
        ));
    }
    let agreed_start = s.agreed_start.unwrap_or(supply.agreed_start);
    match (s.started, s.stopped_since) {
        (None, _) => Ok((
            IdleRule::NotStarted,
            agreed_start,
            words!(
                "约定动工开发日期 {agreed_start}，未动工",
                "agreed start {agreed_start}, not started"
            ),
        )),
        (Some(_), Some(stop)) => {
            let low_area = under_a_third(s.developed_area_m2, supply.land_area_m2);
            let low_investment = supply
                .total_investment_yuan
                .is_some_and(|total| under_a_quarter(s.investment_yuan, total));
            let Words { zh, en } = shares(supply, s);
            if !(low_area || low_investment) {
                return Err(words!(
                    "{stop} 起中止开发建设，但{zh}，不适用第二项（需开发面积不足三分之一或投资额不足百分之二十五）",
                    "stopped since {stop}, but with {en} rule 2 does not apply (it needs under 1/3 of the area or under 25 % of the investment)"
                ));
            }
            Ok((
                IdleRule::Stopped,
                stop,
                words!(
                    "{stop} 起中止开发建设，{zh}",
                    "stopped since {stop} with {en}"
                ),
            ))
        }
        (Some(started), None) => Err(words!(
            "{started} 起开发建设中",
            "development under way since {started}"
        )),
    }
}

/// Every idle episode of the timeline up to `as_of`, each judged on its last idle day.
pub fn episodes(
    supply: &Supply,
    t: &Timeline,
    rules: &IdleRules,
    as_of: NaiveDate,
) -> Vec<IdleEpisode> {
    let mut out = Vec::new();
    let mut open: Option<IdleEpisode> = None;
    let mut before: Option<&ClockState> = None;
    for (i, (day, state)) in t.history.iter().enumerate() {
        // This state holds until the next one's day (or through `as_of`).
        let end = t
            .history
            .get(i + 1)
            .map_or(as_of + Days::new(1), |(next, _)| *next);
        let runs = basis(supply, state)
            .ok()
            .map(|(rule, from, _)| (rule, from));
        if let Some(mut e) = open.take() {
            if runs == Some((e.rule, e.clock_from)) {
                // The same clock goes on; a finding on the cause may have come.
                if let Some((_, cause)) = state.attribution {
                    e.cause = Some(cause);
                }
                open = Some(e);
            } else {
                e.until = Some(*day);
                e.ended_by = before.map(|b| EpisodeEnd::between(b, state));
                if e.cause.is_none() && e.ended_by == Some(EpisodeEnd::Extended) {
                    e.cause = state.extended_for.filter(|c| c.excuses_holder());
                }
                out.push(e);
            }
        }
        if open.is_none()
            && let Some((rule, from)) = runs
        {
            let since = anniversary(from, 1) + Days::new(1);
            if since < end && since <= as_of {
                open = Some(IdleEpisode {
                    rule,
                    clock_from: from,
                    since,
                    until: None,
                    ended_by: None,
                    cause: state.attribution.map(|(_, c)| c),
                    excused: false,
                    consequence: Consequence::None,
                    fee_yuan: None,
                    recovery_from: None,
                });
            }
        }
        before = Some(state);
    }
    out.extend(open);
    for e in &mut out {
        judge(e, supply, rules, as_of);
    }
    out
}

/// An episode's consequence, on its last idle day: excused (Art. 8) → an Art. 12 disposal;
/// else the fee, or recovery once two full years have passed.
fn judge(e: &mut IdleEpisode, supply: &Supply, rules: &IdleRules, as_of: NaiveDate) {
    e.excused = e.cause.is_some_and(DelayCause::excuses_holder);
    if e.excused {
        e.consequence = Consequence::Disposal;
        return;
    }
    let last = e.until.map_or(as_of, |u| u - Days::new(1));
    let second = anniversary(e.clock_from, 2);
    e.fee_yuan = Some(idle_fee_yuan(supply.land_price_yuan, rules.fee_pct));
    e.recovery_from = Some(second + Days::new(1));
    e.consequence = if last > second {
        Consequence::Recovery
    } else {
        Consequence::Fee
    };
}

/// The clock as it stands on `as_of`.
fn clock_now(supply: &Supply, t: &Timeline, rules: &IdleRules, as_of: NaiveDate) -> IdleVerdict {
    let (rule, clock_from, what) = match basis(supply, &t.clock_state()) {
        Ok(runs) => runs,
        Err(why) => return IdleVerdict::not_applicable_because(why),
    };
    let deadline = anniversary(clock_from, 1);
    let mut v = IdleVerdict::not_applicable_because(Words::default());
    let Words {
        zh: what_zh,
        en: what,
    } = what;
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
            0 => words!(
                "{what_zh}：今天是满一年的最后一天，明天起闲置",
                "{what}: today is the last day of the full year; idle from tomorrow"
            ),
            1 => words!(
                "{what_zh}：满一年于 {deadline} 届满，还剩 1 天",
                "{what}: the full year ends on {deadline}, 1 day left"
            ),
            n => words!(
                "{what_zh}：满一年于 {deadline} 届满，还剩 {n} 天",
                "{what}: the full year ends on {deadline}, {n} days left"
            ),
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
    let days = v.idle_days;
    let head = words!(
        "{idle_since} 起闲置（{days} 天）——{what_zh}",
        "idle since {idle_since} ({days} days) — {what}"
    );
    let Words {
        zh: head_zh,
        en: head,
    } = head;
    if v.excused {
        let cause = v.cause.map_or("", DelayCause::label_zh);
        v.consequence = Consequence::Disposal;
        v.disposal_options = DISPOSALS.to_vec();
        v.explanation = words!(
            "{head_zh}；系{cause}造成：不征收土地闲置费，按第十二条协商处置",
            "{head}; caused by {cause}: no idle-land fee, agree a disposal under Art. 12"
        );
        return v;
    }
    let fee = idle_fee_yuan(supply.land_price_yuan, rules.fee_pct);
    v.fee_yuan = Some(fee);
    v.recovery_from = Some(second + Days::new(1));
    if as_of > second {
        v.consequence = Consequence::Recovery;
        v.explanation = words!(
            "{head_zh}；至 {second} 已满两年未动工开发：可无偿收回土地使用权",
            "{head}; undeveloped two full years on {second}: the land may be recovered without compensation"
        );
    } else {
        v.consequence = Consequence::Fee;
        let (pct, from) = (rules.fee_pct, second + Days::new(1));
        v.explanation = words!(
            "{head_zh}；土地闲置费 {fee} 元（土地出让价款的 {pct}%）；{from} 起可无偿收回",
            "{head}; idle-land fee {fee} 元 ({pct}% of the land price); recovery without compensation from {from}"
        );
    }
    v
}

/// "26.7% of the area and 16.7% of the investment" — the shares rule 2 looks at.
fn shares(supply: &Supply, t: &ClockState) -> Words {
    let area = if supply.land_area_m2 > 0.0 {
        t.developed_area_m2 / supply.land_area_m2 * 100.0
    } else {
        0.0
    };
    match supply.total_investment_yuan {
        Some(total) if total > 0 => {
            let invested = t.investment_yuan as f64 / total as f64 * 100.0;
            words!(
                "已开发面积占 {area:.1}%、投资额占 {invested:.1}%",
                "{area:.1}% of the area and {invested:.1}% of the investment developed"
            )
        }
        _ => words!(
            "已开发面积占 {area:.1}%（未约定总投资）",
            "{area:.1}% of the area developed (no agreed total investment)"
        ),
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
        assess(s, &t, &RULES, as_of, None)
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
                .en
                .starts_with("idle since 2024-03-02 (1 days)")
                && idle.explanation.zh.starts_with("2024-03-02 起闲置（1 天）"),
            "{}",
            idle.explanation
        );
        let last_day = verdict(&s, &[], "2024-03-01");
        assert!(
            last_day.explanation.en.contains("today is the last day")
                && last_day.explanation.zh.contains("今天是满一年的最后一天"),
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
        assert!(v.episodes.is_empty(), "never idle");
    }

    /// Art. 2 and Art. 14: land idle from 2024-03-02 that starts on 2024-05-01 was idle for
    /// 60 days. The start ends the idleness, not the liability for it: the episode keeps its
    /// fee, and the land stays on the list of idle land until a case closes after it began.
    #[test]
    fn art_14_a_late_start_ends_the_idleness_not_the_fee() {
        let s = supply("2023-03-01");
        let late = [permit(1, "2024-02-01"), start(2, "2024-05-01")];
        let before = verdict(&s, &late, "2024-04-30");
        assert_eq!(before.status, IdleStatus::Idle);
        assert_eq!(before.idle_until, None);
        let after = verdict(&s, &late, "2024-06-01");
        assert_eq!(after.status, IdleStatus::Idle, "{}", after.explanation);
        assert_eq!(after.idle_since, Some(d("2024-03-02")));
        assert_eq!(after.idle_until, Some(d("2024-05-01")));
        assert_eq!(after.idle_days, 60, "2 March to 30 April 2024");
        assert_eq!(after.consequence, Consequence::Fee);
        assert_eq!(after.fee_yuan, Some(3_675_000));
        assert!(
            after
                .explanation
                .en
                .contains("until 动工开发 on 2024-05-01")
                && after
                    .explanation
                    .zh
                    .contains("2024-05-01 动工开发（闲置 60 天）"),
            "{}",
            after.explanation
        );
        assert_eq!(after.episodes.len(), 1);
        let e = &after.episodes[0];
        assert_eq!(
            (e.since, e.until, e.ended_by),
            (
                d("2024-03-02"),
                Some(d("2024-05-01")),
                Some(EpisodeEnd::Started)
            )
        );
        // A case closed after the episode began settles it; one closed before does not.
        let t = replay(&s, &late, d("2024-09-01")).unwrap();
        let settled = assess(&s, &t, &RULES, d("2024-09-01"), Some(d("2024-08-20")));
        assert_eq!(settled.status, IdleStatus::NotApplicable);
        assert_eq!(settled.episodes.len(), 1, "the episode stays on record");
        let older = assess(&s, &t, &RULES, d("2024-09-01"), Some(d("2024-03-01")));
        assert_eq!(older.status, IdleStatus::Idle);
        // Judged on its last idle day, as the clock judged that day: idle past the second
        // anniversary (2025-03-01) before starting, recovery stays open.
        let very_late = [permit(1, "2024-02-01"), start(2, "2025-03-03")];
        let v = verdict(&s, &very_late, "2025-06-01");
        assert_eq!(
            (v.status, v.consequence),
            (IdleStatus::Idle, Consequence::Recovery)
        );
        let just_in = [permit(1, "2024-02-01"), start(2, "2025-03-02")];
        assert_eq!(
            verdict(&s, &just_in, "2025-06-01").consequence,
            Consequence::Fee,
            "last idle day 2025-03-01, the last day of the second year"
        );
    }

    /// Rule 2: a stoppage idle for a year ends with the resumption; a later stoppage that
    /// runs its own year is a second episode.
    #[test]
    fn rule_2_episodes_end_with_the_resumption() {
        let s = supply("2023-03-01");
        let facts = [
            permit(1, "2023-02-01"),
            start(2, "2023-03-01"),
            fact(
                3,
                "2023-04-01",
                FactDetail::Progress {
                    developed_area_m2: 3_000.0,
                    investment_yuan: 1_000_000,
                },
            ),
            fact(4, "2023-05-01", FactDetail::Stoppage),
            fact(5, "2024-07-01", FactDetail::Resumption),
            fact(6, "2024-08-01", FactDetail::Stoppage),
        ];
        let v = verdict(&s, &facts, "2025-09-01");
        assert_eq!(v.status, IdleStatus::Idle, "the second stoppage's own year");
        assert_eq!(v.idle_since, Some(d("2025-08-02")));
        let ends: Vec<_> = v.episodes.iter().map(|e| (e.since, e.until)).collect();
        assert_eq!(
            ends,
            [
                (d("2024-05-02"), Some(d("2024-07-01"))),
                (d("2025-08-02"), None)
            ]
        );
        assert_eq!(v.episodes[0].ended_by, Some(EpisodeEnd::Resumed));
    }

    /// Art. 12(1): an extension for a government cause agreed after the land fell idle is the
    /// disposal of that episode — recorded, excused, no fee — and the new start runs a new
    /// clock.
    #[test]
    fn art_12_an_extension_after_idleness_is_the_disposal_of_the_episode() {
        let s = supply("2023-03-01");
        let ext = [fact(
            1,
            "2024-06-01",
            FactDetail::Extension {
                cause: DelayCause::LandNotDelivered,
                new_start: d("2025-06-01"),
            },
        )];
        let v = verdict(&s, &ext, "2024-07-01");
        assert_eq!(v.status, IdleStatus::NotDue, "{}", v.explanation);
        let e = &v.episodes[0];
        assert_eq!(
            (
                e.since,
                e.until,
                e.ended_by,
                e.excused,
                e.consequence,
                e.fee_yuan
            ),
            (
                d("2024-03-02"),
                Some(d("2024-06-01")),
                Some(EpisodeEnd::Extended),
                true,
                Consequence::Disposal,
                None
            )
        );
        // The bureau found the holder at fault first: the extension does not erase the fee.
        let found_first = [
            fact(
                1,
                "2024-04-01",
                FactDetail::Attribution {
                    cause: DelayCause::Holder,
                },
            ),
            ext[0].clone(),
        ];
        let v = verdict(&s, &found_first, "2024-07-01");
        assert_eq!(
            (v.status, v.consequence, v.fee_yuan),
            (IdleStatus::Idle, Consequence::Fee, Some(3_675_000)),
            "{}",
            v.explanation
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
                .en
                .contains("30.0% of the area and 8.3% of the investment")
                && v.explanation
                    .zh
                    .contains("已开发面积占 30.0%、投资额占 8.3%"),
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
