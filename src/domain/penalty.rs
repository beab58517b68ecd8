//! Contract penalties (违约金) of the land transfer contract: late start and late completion
//! each cost the holder a daily share of the land price.
//!
//! The model contract (国有建设用地使用权出让合同示范文本 GF-2008-2601, 第三十六条) asks, for
//! every day the start (开工) or the completion (竣工) is late, 1‰ of the land price
//! (出让价款总额); the share is a term of each contract (`penalty_per_mille` of the supply).
//!
//! - The start is due on the agreed start after extensions; the completion on the agreed
//!   completion moved by as much as the start was (经同意延建的，竣工时间相应顺延).
//! - Days late are counted to the start or completion, or to the day asked while it has not
//!   come: started the day after the due date is one day late.
//! - A delay the bureau found caused by government or force majeure (Art. 8 of 令第53号)
//!   costs no start penalty: the holder is not in breach.
//! - Money is whole 元, rounded half up, as the idle-land fee is.

use super::supply::{DelayCause, Supply, Timeline};
use super::words::{Words, words};
use chrono::NaiveDate;

/// What a supply's holder owes for lateness on a day.
#[derive(Debug, Clone, PartialEq)]
pub struct Penalty {
    /// The daily share of the land price, ‰.
    pub per_mille: f64,
    /// The start due (after extensions), and days it is late.
    pub start_due: NaiveDate,
    pub start_late_days: i64,
    pub start_yuan: i64,
    /// The completion due (moved with the start), and days it is late.
    pub completion_due: NaiveDate,
    pub completion_late_days: i64,
    pub completion_yuan: i64,
    pub total_yuan: i64,
    /// The cause that excuses a late start, if the bureau found one.
    pub excused_by: Option<DelayCause>,
    /// The amount in words, with its dates.
    pub explanation: Words,
}

/// `price × per_mille ‰ × days`, whole 元, halves up.
pub fn penalty_yuan(land_price_yuan: i64, per_mille: f64, days: i64) -> i64 {
    // The share in millionths of the price (1‰ → 1000) keeps the arithmetic in integers.
    let basis = (per_mille * 1000.0).round() as i128;
    let owed =
        (i128::from(land_price_yuan) * basis * i128::from(days.max(0)) + 500_000) / 1_000_000;
    i64::try_from(owed).unwrap_or(i64::MAX)
}

/// Days from `due` to `done` (or to `as_of` while not done), none when not late.
fn late_days(due: NaiveDate, done: Option<NaiveDate>, as_of: NaiveDate) -> i64 {
    let until = done.map_or(as_of, |d| d.min(as_of));
    (until - due).num_days().max(0)
}

/// The penalties of `supply` as of `as_of`, from the timeline of its facts up to that day.
pub fn assess(supply: &Supply, t: &Timeline, as_of: NaiveDate) -> Penalty {
    let start_due = t.agreed_start.unwrap_or(supply.agreed_start);
    let moved = start_due - supply.agreed_start;
    let completion_due = supply.agreed_completion + moved;
    let excused_by = t
        .attribution
        .map(|(_, cause)| cause)
        .filter(|c| c.excuses_holder());
    let start_late_days = if excused_by.is_some() {
        0
    } else {
        late_days(start_due, t.started, as_of)
    };
    let completion_late_days = late_days(completion_due, t.completed, as_of);
    let price = supply.land_price_yuan;
    let per_mille = supply.penalty_per_mille;
    let start_yuan = penalty_yuan(price, per_mille, start_late_days);
    let completion_yuan = penalty_yuan(price, per_mille, completion_late_days);
    let total_yuan = start_yuan + completion_yuan;
    let mut parts = Vec::new();
    if let Some(cause) = excused_by
        && late_days(start_due, t.started, as_of) > 0
    {
        let cause = cause.label_zh();
        parts.push(words!(
            "约定动工日期 {start_due} 已逾期，但经认定系{cause}造成：不计违约金",
            "start due {start_due} is late, but the delay was found caused by {cause}: no penalty"
        ));
    }
    if start_late_days > 0 {
        parts.push(words!(
            "约定动工日期 {start_due}，逾期 {start_late_days} 天：{start_yuan} 元",
            "start due {start_due}, {start_late_days} days late: {start_yuan} 元"
        ));
    }
    if completion_late_days > 0 {
        parts.push(words!(
            "约定竣工日期 {completion_due}，逾期 {completion_late_days} 天：{completion_yuan} 元",
            "completion due {completion_due}, {completion_late_days} days late: {completion_yuan} 元"
        ));
    }
    let explanation = if parts.is_empty() {
        Words::new(
            "未逾期动工或竣工：不计违约金",
            "no late start or completion: no penalty",
        )
    } else {
        let Words { zh, en } = Words::clauses(&parts);
        words!(
            "{zh}（每逾期一日按土地出让价款 {price} 元的 {per_mille}‰ 计；合计 {total_yuan} 元）",
            "{en} ({per_mille}‰ of the land price {price} 元 per day late; total {total_yuan} 元)"
        )
    };
    Penalty {
        per_mille,
        start_due,
        start_late_days,
        start_yuan,
        completion_due,
        completion_late_days,
        completion_yuan,
        total_yuan,
        excused_by,
        explanation,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::supply::tests::{d, fact, permit, start, supply};
    use crate::domain::supply::{FactDetail, replay};

    fn at(s: &Supply, facts: &[crate::domain::supply::Fact], as_of: &str) -> Penalty {
        let t = replay(s, facts, d(as_of)).unwrap();
        assess(s, &t, d(as_of))
    }

    /// 第三十六条: 1‰ of 18,375,000 元 is 18,375 元 a day; 45 days late is 826,875 元.
    #[test]
    fn a_late_start_costs_a_share_of_the_price_per_day() {
        let s = supply("2023-03-01");
        assert_eq!(at(&s, &[], "2023-03-01").total_yuan, 0, "due today");
        let p = at(&s, &[], "2023-03-02");
        assert_eq!((p.start_late_days, p.start_yuan), (1, 18_375));
        let started = [permit(1, "2023-03-10"), start(2, "2023-04-15")];
        let p = at(&s, &started, "2023-12-31");
        assert_eq!((p.start_late_days, p.start_yuan), (45, 826_875));
        assert!(
            p.explanation.en.contains("45 days late: 826875 元")
                && p.explanation.zh.contains("逾期 45 天：826875 元"),
            "{}",
            p.explanation
        );
        // Before the start, the amount as it stood that day.
        assert_eq!(at(&s, &started, "2023-03-11").start_late_days, 10);
    }

    /// 延建: an extension moves the start and the completion with it.
    #[test]
    fn an_extension_moves_both_due_dates() {
        let s = supply("2023-03-01");
        let ext = [fact(
            1,
            "2023-01-15",
            FactDetail::Extension {
                cause: DelayCause::Holder,
                new_start: d("2023-06-01"),
            },
        )];
        let p = at(&s, &ext, "2023-06-01");
        assert_eq!((p.start_due, p.total_yuan), (d("2023-06-01"), 0));
        let moved = s.agreed_completion + (d("2023-06-01") - d("2023-03-01"));
        assert_eq!(p.completion_due, moved);
    }

    #[test]
    fn late_completion_is_counted_to_the_completion() {
        let s = supply("2022-07-01");
        let done = s.agreed_completion + chrono::Days::new(30);
        let facts = [
            permit(1, "2022-06-01"),
            start(2, "2022-07-01"),
            fact(
                3,
                &done.to_string(),
                FactDetail::Completion {
                    built_floor_area_m2: None,
                    building_coefficient_pct: None,
                },
            ),
        ];
        let p = at(&s, &facts, "2026-01-01");
        assert_eq!((p.start_late_days, p.completion_late_days), (0, 30));
        assert_eq!(p.completion_yuan, 30 * 18_375);
    }

    /// A delay found caused by government (Art. 8) is no breach of the holder's.
    #[test]
    fn an_excused_delay_costs_no_start_penalty() {
        let s = supply("2023-03-01");
        let finding = [fact(
            1,
            "2023-05-01",
            FactDetail::Attribution {
                cause: DelayCause::LandNotDelivered,
            },
        )];
        let p = at(&s, &finding, "2023-06-01");
        assert_eq!((p.start_late_days, p.total_yuan), (0, 0));
        assert_eq!(p.excused_by, Some(DelayCause::LandNotDelivered));
        assert!(
            p.explanation.en.contains("no penalty"),
            "{}",
            p.explanation.en
        );
        assert!(p.explanation.zh.contains("不计违约金"), "{}", p.explanation);
    }

    #[test]
    fn the_share_is_a_contract_term() {
        assert_eq!(penalty_yuan(18_375_000, 0.5, 10), 91_875);
        assert_eq!(penalty_yuan(1_001, 1.0, 1), 1, "1.001 元 rounds to 1");
        assert_eq!(penalty_yuan(1_500, 1.0, 1), 2, "1.5 元 rounds half up");
        assert_eq!(penalty_yuan(18_375_000, 1.0, -3), 0);
    }
}
