//! The clock, injected so every rule and every timestamp can be tested for any "now".

use chrono::{DateTime, DurationRound, NaiveDate, TimeDelta, Utc};

pub trait Clock: Send + Sync {
    /// Now, in UTC, truncated to milliseconds (what both backends store exactly).
    fn now(&self) -> DateTime<Utc>;

    /// Today where the land is (see [`day_in_china`]).
    fn today(&self) -> NaiveDate {
        day_in_china(self.now())
    }
}

/// The day in China Standard Time (UTC+8, no daylight saving) at an instant: legal dates
/// (contracts, deadlines, the idle clock) turn at midnight in Beijing, not at midnight UTC.
pub fn day_in_china(at: DateTime<Utc>) -> NaiveDate {
    (at + TimeDelta::hours(8)).date_naive()
}

/// The system clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        let now = Utc::now();
        now.duration_trunc(TimeDelta::milliseconds(1))
            .unwrap_or(now)
    }
}

/// A clock that always says the same time (tests, replays).
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub DateTime<Utc>);

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_day_turns_at_midnight_in_beijing() {
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(
            day_in_china(at("2026-12-02T15:59:59.999Z")),
            day("2026-12-02")
        );
        assert_eq!(day_in_china(at("2026-12-02T16:00:00Z")), day("2026-12-03"));
        assert_eq!(
            FixedClock(at("2024-02-28T16:00:00Z")).today(),
            day("2024-02-29")
        );
    }
}
