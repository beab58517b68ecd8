//! The five kinds of under-used land (五未土地), decided from a parcel's dates and figures.
//!
//! No national thresholds exist, so every limit is a park setting. A parcel passes through the
//! classes in the order of its life — approved, supplied, started, completed, producing — and
//! falls in at most one: the first stage at which it is behind. Each verdict carries a
//! sentence a committee member can read aloud ("供而未用: agreed start 2023-03-01, not started,
//! 631 days past").

use super::capacity::Review;
use super::idle_land::under_a_third;
use super::settings::Settings;
use super::supply::{Supply, Timeline, anniversary};
use super::words::{Words, words};
use chrono::{Days, NaiveDate};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UnderusedClass {
    /// 批而未供: approved for construction, not supplied.
    ApprovedNotSupplied,
    /// 供而未用: supplied, not started by the agreed date.
    SuppliedNotUsed,
    /// 用而未尽: started, but not completed by the agreed date, or built below the agreed
    /// 容积率 or the minimum 建筑系数.
    UsedNotFinished,
    /// 建而未投: completed, not in production when due.
    BuiltNotProducing,
    /// 投而未达: in production, below the agreed 达产 indicators.
    ProducingBelowTarget,
}

impl UnderusedClass {
    pub const ALL: [UnderusedClass; 5] = [
        Self::ApprovedNotSupplied,
        Self::SuppliedNotUsed,
        Self::UsedNotFinished,
        Self::BuiltNotProducing,
        Self::ProducingBelowTarget,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ApprovedNotSupplied => "approved_not_supplied",
            Self::SuppliedNotUsed => "supplied_not_used",
            Self::UsedNotFinished => "used_not_finished",
            Self::BuiltNotProducing => "built_not_producing",
            Self::ProducingBelowTarget => "producing_below_target",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::ApprovedNotSupplied => "批而未供",
            Self::SuppliedNotUsed => "供而未用",
            Self::UsedNotFinished => "用而未尽",
            Self::BuiltNotProducing => "建而未投",
            Self::ProducingBelowTarget => "投而未达",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        let raw = raw.trim();
        Self::ALL
            .into_iter()
            .find(|c| c.as_str() == raw || c.label_zh() == raw)
    }
}

/// What the classification needs to know about a parcel besides its supply.
#[derive(Debug, Clone, Copy)]
pub struct ParcelFacts<'a> {
    /// 建设用地批准日期 and 批准文号, when recorded.
    pub approved_on: Option<NaiveDate>,
    pub approval_no: &'a str,
    /// The planning minimum 容积率 (规划条件).
    pub far_min: Option<f64>,
    pub area_m2: f64,
}

/// A parcel's class and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub class: UnderusedClass,
    /// The date the parcel fell behind (approval + limit, the agreed date + grace …).
    pub since: NaiveDate,
    /// Days since the date the rule counts from, as the reason states.
    pub days_past: i64,
    pub reason: Words,
}

/// The limits of each class, from the park's settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UnderusedRules {
    pub unsupplied_limit_years: u32,
    pub unstarted_grace_days: u32,
    pub unfinished_grace_days: u32,
    pub production_due_days: u32,
    pub unproduced_grace_days: u32,
    pub capacity_tolerance_pct: f64,
    pub min_building_coefficient_pct: f64,
}

impl UnderusedRules {
    pub fn of(s: &Settings) -> Self {
        Self {
            unsupplied_limit_years: s.unsupplied_limit_years,
            unstarted_grace_days: s.unstarted_grace_days,
            unfinished_grace_days: s.unfinished_grace_days,
            production_due_days: s.production_due_days,
            unproduced_grace_days: s.unproduced_grace_days,
            capacity_tolerance_pct: s.capacity_tolerance_pct,
            min_building_coefficient_pct: s.min_building_coefficient_pct,
        }
    }
}

fn plus(d: NaiveDate, days: u32) -> NaiveDate {
    d + Days::new(u64::from(days))
}

fn days(from: NaiveDate, to: NaiveDate) -> i64 {
    (to - from).num_days()
}

fn thousands(v: f64) -> String {
    let whole = v.round() as i64;
    let digits = whole.abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if whole < 0 { format!("-{out}") } else { out }
}

/// Classify a parcel as of `as_of`. `supply` is the supply in force that day with the
/// timeline of its facts up to then; `None` when the parcel was not supplied.
pub fn classify(
    parcel: &ParcelFacts<'_>,
    supply: Option<(&Supply, &Timeline)>,
    capacity: Option<&Review>,
    rules: &UnderusedRules,
    as_of: NaiveDate,
) -> Option<Finding> {
    let Some((s, t)) = supply else {
        let approved = parcel.approved_on.filter(|a| *a <= as_of)?;
        // 满两年: calendar years, counted as the idle clock counts them (民法典 Art. 201–203).
        let years = i32::try_from(rules.unsupplied_limit_years).unwrap_or(i32::MAX);
        let since = anniversary(approved, years);
        if as_of <= since {
            return None;
        }
        let (number_zh, number) = if parcel.approval_no.is_empty() {
            (String::new(), String::new())
        } else {
            let no = parcel.approval_no;
            (format!("（{no}）"), format!(" ({no})"))
        };
        let n = days(approved, as_of);
        let limit = rules.unsupplied_limit_years;
        return Some(Finding {
            class: UnderusedClass::ApprovedNotSupplied,
            since,
            days_past: n,
            reason: words!(
                "批而未供：{approved} 批准{number_zh}，未供应，批准后已 {n} 天（期限 {limit} 年，至 {since}）",
                "批而未供: approved {approved}{number}, not supplied, {n} days since approval (limit {limit} years, to {since})"
            ),
        });
    };
    let agreed_start = t.agreed_start.unwrap_or(s.agreed_start);
    let Some(started) = t.started else {
        let since = plus(agreed_start, rules.unstarted_grace_days);
        if as_of <= since {
            return None;
        }
        let n = days(agreed_start, as_of);
        return Some(Finding {
            class: UnderusedClass::SuppliedNotUsed,
            since,
            days_past: n,
            reason: words!(
                "供而未用：约定动工开发日期 {agreed_start}，未动工，已逾期 {n} 天",
                "供而未用: agreed start {agreed_start}, not started, {n} days past"
            ),
        });
    };
    let Some(completed) = t.completed else {
        let since = plus(s.agreed_completion, rules.unfinished_grace_days);
        if as_of <= since {
            return None;
        }
        let n = days(s.agreed_completion, as_of);
        let share = if s.land_area_m2 > 0.0 {
            t.developed_area_m2 / s.land_area_m2 * 100.0
        } else {
            0.0
        };
        return Some(Finding {
            class: UnderusedClass::UsedNotFinished,
            since,
            days_past: n,
            reason: {
                let due = s.agreed_completion;
                let (done, of) = (thousands(t.developed_area_m2), thousands(s.land_area_m2));
                words!(
                    "用而未尽：{started} 动工，约定竣工日期 {due}，未竣工，已逾期 {n} 天；已开发 {done} / {of} m²（{share:.1}%）",
                    "用而未尽: started {started}, agreed completion {due}, not completed, {n} days past; developed {done} of {of} m² ({share:.1}%)"
                )
            },
        });
    };
    if let Some(f) = built_below(parcel, s, t, rules, completed, as_of) {
        return Some(f);
    }
    let Some(producing) = t.producing else {
        let due = s
            .agreed_production
            .unwrap_or_else(|| plus(completed, rules.production_due_days));
        let since = plus(due, rules.unproduced_grace_days);
        if as_of <= since {
            return None;
        }
        let n = days(due, as_of);
        let (basis_zh, basis) = if s.agreed_production.is_some() {
            ("约定投产日期", "agreed production")
        } else {
            ("应投产日期", "production due")
        };
        return Some(Finding {
            class: UnderusedClass::BuiltNotProducing,
            since,
            days_past: n,
            reason: words!(
                "建而未投：{completed} 竣工，{basis_zh} {due}，未投产，已逾期 {n} 天",
                "建而未投: completed {completed}, {basis} {due}, not producing, {n} days past"
            ),
        });
    };
    // 投而未达: the 达产复核 recorded, read against the register (`domain::capacity`).
    let review = capacity?;
    let Review::Done { date: reviewed, .. } = review else {
        return None;
    };
    let shortfalls = review.shortfalls();
    if shortfalls.is_empty() {
        return None;
    }
    Some(Finding {
        class: UnderusedClass::ProducingBelowTarget,
        since: *reviewed,
        days_past: days(producing, as_of),
        reason: {
            let Words { zh, en } = Words::clauses(&shortfalls);
            words!(
                "投而未达：{producing} 投产；{reviewed} 达产复核：{zh}",
                "投而未达: in production since {producing}; 达产复核 {reviewed}: {en}"
            )
        },
    })
}

/// 用而未尽 after completion: a built 容积率 below the agreed (or planning) minimum, or a
/// building coefficient below the park's minimum.
fn built_below(
    parcel: &ParcelFacts<'_>,
    s: &Supply,
    t: &Timeline,
    rules: &UnderusedRules,
    completed: NaiveDate,
    as_of: NaiveDate,
) -> Option<Finding> {
    let mut short = Vec::new();
    let required_far = match (s.indicators.far, parcel.far_min) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    };
    if let (Some(required), Some(floor)) = (required_far, t.built_floor_area_m2)
        && s.land_area_m2 > 0.0
    {
        let far = floor / s.land_area_m2;
        if far + 1e-9 < required {
            short.push(words!(
                "容积率 {far:.2} 低于要求的 {required}",
                "容积率 {far:.2} below the required {required}"
            ));
        }
    }
    if let Some(c) = t.building_coefficient_pct
        && c + 1e-9 < rules.min_building_coefficient_pct
    {
        let min = rules.min_building_coefficient_pct;
        short.push(words!(
            "建筑系数 {c}% 低于 {min}%",
            "建筑系数 {c}% below {min}%"
        ));
    }
    if short.is_empty()
        && t.developed_area_m2 > 0.0
        && under_a_third(t.developed_area_m2, s.land_area_m2)
    {
        let (done, of) = (thousands(t.developed_area_m2), thousands(s.land_area_m2));
        short.push(words!(
            "仅开发 {done} / {of} m²",
            "only {done} of {of} m² developed"
        ));
    }
    if short.is_empty() {
        return None;
    }
    Some(Finding {
        class: UnderusedClass::UsedNotFinished,
        since: completed,
        days_past: days(completed, as_of),
        reason: {
            let Words { zh, en } = Words::join(&short, "、", ", ");
            words!(
                "用而未尽：{completed} 竣工，{zh}",
                "用而未尽: completed {completed} with {en}"
            )
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::capacity;
    use crate::domain::supply::Indicators;
    use crate::domain::supply::tests::{d, fact, permit, start, supply};
    use crate::domain::supply::{Fact, FactDetail, replay};

    fn rules() -> UnderusedRules {
        UnderusedRules::of(&Settings::defaults())
    }

    const PARCEL: ParcelFacts<'static> = ParcelFacts {
        approved_on: None,
        approval_no: "",
        far_min: Some(1.0),
        area_m2: 30_000.0,
    };

    fn class_of(facts: &[Fact], as_of: &str) -> Option<Finding> {
        let s = supply("2023-03-01");
        let t = replay(&s, facts, d(as_of)).unwrap();
        let r = rules();
        let review = capacity::review(&s, &t, 3, r.capacity_tolerance_pct, d(as_of), &|_| None);
        classify(&PARCEL, Some((&s, &t)), review.as_ref(), &r, d(as_of))
    }

    #[test]
    fn approved_land_not_supplied_after_the_limit() {
        let p = ParcelFacts {
            approved_on: Some(d("2022-05-10")),
            approval_no: "赣府土字〔2022〕12号",
            ..PARCEL
        };
        // 满两年 across 29 February 2024: the two years are 731 days, and end on 2024-05-10.
        assert_eq!(
            classify(&p, None, None, &rules(), d("2024-05-10")),
            None,
            "the second anniversary: still within the two years"
        );
        let f = classify(&p, None, None, &rules(), d("2024-05-11")).unwrap();
        assert_eq!(f.class, UnderusedClass::ApprovedNotSupplied);
        assert_eq!(
            (f.reason.zh.as_str(), f.reason.en.as_str()),
            (
                "批而未供：2022-05-10 批准（赣府土字〔2022〕12号），未供应，批准后已 732 天（期限 2 年，至 2024-05-10）",
                "批而未供: approved 2022-05-10 (赣府土字〔2022〕12号), not supplied, 732 days since approval (limit 2 years, to 2024-05-10)"
            )
        );
        assert_eq!(
            classify(&PARCEL, None, None, &rules(), d("2030-01-01")),
            None,
            "no approval recorded"
        );
        let later = ParcelFacts {
            approved_on: Some(d("2025-01-01")),
            ..p
        };
        assert_eq!(
            classify(&later, None, None, &rules(), d("2024-12-31")),
            None,
            "not yet approved that day"
        );
    }

    #[test]
    fn supplied_land_not_started() {
        assert_eq!(class_of(&[], "2023-03-01"), None, "the agreed day itself");
        let f = class_of(&[], "2024-11-22").unwrap();
        assert_eq!(f.class, UnderusedClass::SuppliedNotUsed);
        assert_eq!(
            (f.reason.zh.as_str(), f.reason.en.as_str()),
            (
                "供而未用：约定动工开发日期 2023-03-01，未动工，已逾期 632 天",
                "供而未用: agreed start 2023-03-01, not started, 632 days past"
            )
        );
        assert_eq!(f.since, d("2023-03-01"));
        let mut lenient = rules();
        lenient.unstarted_grace_days = 700;
        let s = supply("2023-03-01");
        let t = replay(&s, &[], d("2024-11-22")).unwrap();
        assert_eq!(
            classify(&PARCEL, Some((&s, &t)), None, &lenient, d("2024-11-22")),
            None
        );
    }

    fn built(floor: f64, coefficient: f64) -> Vec<Fact> {
        vec![
            permit(1, "2023-01-01"),
            start(2, "2023-02-01"),
            fact(
                3,
                "2023-08-01",
                FactDetail::Progress {
                    developed_area_m2: 30_000.0,
                    investment_yuan: 100_000_000,
                },
            ),
            fact(
                4,
                "2024-10-01",
                FactDetail::Completion {
                    built_floor_area_m2: Some(floor),
                    building_coefficient_pct: Some(coefficient),
                },
            ),
        ]
    }

    #[test]
    fn used_but_not_finished() {
        let under_way = vec![
            permit(1, "2023-01-01"),
            start(2, "2023-02-01"),
            fact(
                3,
                "2023-08-01",
                FactDetail::Progress {
                    developed_area_m2: 8_000.0,
                    investment_yuan: 1,
                },
            ),
        ];
        assert_eq!(
            class_of(&under_way, "2024-12-31"),
            None,
            "the agreed completion day"
        );
        let f = class_of(&under_way, "2025-11-22").unwrap();
        assert_eq!(f.class, UnderusedClass::UsedNotFinished);
        assert_eq!(
            (f.reason.zh.as_str(), f.reason.en.as_str()),
            (
                "用而未尽：2023-02-01 动工，约定竣工日期 2024-12-31，未竣工，已逾期 326 天；已开发 8,000 / 30,000 m²（26.7%）",
                "用而未尽: started 2023-02-01, agreed completion 2024-12-31, not completed, 326 days past; developed 8,000 of 30,000 m² (26.7%)"
            )
        );
        // Completed at the agreed 容积率 1.2 (36,000 m² on 30,000 m²) and 30 %: nothing.
        assert_eq!(class_of(&built(36_000.0, 30.0), "2025-01-01"), None);
        let f = class_of(&built(30_000.0, 28.0), "2025-01-01").unwrap();
        assert_eq!(f.class, UnderusedClass::UsedNotFinished);
        assert_eq!(
            (f.reason.zh.as_str(), f.reason.en.as_str()),
            (
                "用而未尽：2024-10-01 竣工，容积率 1.00 低于要求的 1.2、建筑系数 28% 低于 30%",
                "用而未尽: completed 2024-10-01 with 容积率 1.00 below the required 1.2, 建筑系数 28% below 30%"
            )
        );
    }

    #[test]
    fn built_but_not_producing() {
        assert_eq!(
            class_of(&built(36_000.0, 35.0), "2025-06-30"),
            None,
            "the agreed production day"
        );
        let f = class_of(&built(36_000.0, 35.0), "2025-11-22").unwrap();
        assert_eq!(f.class, UnderusedClass::BuiltNotProducing);
        assert_eq!(
            (f.reason.zh.as_str(), f.reason.en.as_str()),
            (
                "建而未投：2024-10-01 竣工，约定投产日期 2025-06-30，未投产，已逾期 145 天",
                "建而未投: completed 2024-10-01, agreed production 2025-06-30, not producing, 145 days past"
            )
        );
        let mut s = supply("2023-03-01");
        s.agreed_production = None;
        let facts = built(36_000.0, 35.0);
        let t = replay(&s, &facts, d("2025-11-22")).unwrap();
        let f = classify(&PARCEL, Some((&s, &t)), None, &rules(), d("2025-11-22")).unwrap();
        assert!(
            f.reason.en.contains("production due 2025-03-30")
                && f.reason.zh.contains("应投产日期 2025-03-30"),
            "180 days after completion: {:?}",
            f.reason
        );
    }

    #[test]
    fn producing_below_the_agreed_indicators() {
        let mut facts = built(36_000.0, 35.0);
        facts.push(fact(5, "2025-03-01", FactDetail::Production));
        assert_eq!(class_of(&facts, "2026-11-22"), None, "no review yet");
        let measured = Indicators {
            tax_per_mu_wan: Some(9.5),
            far: Some(1.2),
            ..Indicators::default()
        };
        facts.push(fact(
            6,
            "2026-03-01",
            FactDetail::CapacityReview { measured },
        ));
        let f = class_of(&facts, "2026-11-22").unwrap();
        assert_eq!(f.class, UnderusedClass::ProducingBelowTarget);
        assert_eq!(
            (f.reason.zh.as_str(), f.reason.en.as_str()),
            (
                "投而未达：2025-03-01 投产；2026-03-01 达产复核：亩均税收 9.5 万元/亩 低于约定的 15（-36.7%）",
                "投而未达: in production since 2025-03-01; 达产复核 2026-03-01: 亩均税收 9.5 万元/亩 below the agreed 15 (-36.7%)"
            )
        );
        let mut lenient = rules();
        lenient.capacity_tolerance_pct = 40.0;
        let s = supply("2023-03-01");
        let t = replay(&s, &facts, d("2026-11-22")).unwrap();
        let review = capacity::review(&s, &t, 3, 40.0, d("2026-11-22"), &|_| None);
        assert_eq!(
            classify(
                &PARCEL,
                Some((&s, &t)),
                review.as_ref(),
                &lenient,
                d("2026-11-22")
            ),
            None
        );
    }

    #[test]
    fn classes_parse_by_key_or_name() {
        assert_eq!(
            UnderusedClass::parse("供而未用"),
            Some(UnderusedClass::SuppliedNotUsed)
        );
        assert_eq!(
            UnderusedClass::parse("built_not_producing"),
            Some(UnderusedClass::BuiltNotProducing)
        );
        assert_eq!(UnderusedClass::parse("idle"), None);
    }
}
