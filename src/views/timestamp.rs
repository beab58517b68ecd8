//! Timestamps written as chrono writes them (RFC 3339, `Z`, as many fractional digits as the
//! value needs: none, 3, 6 or 9), without chrono's formatter.
//!
//! A map page carries two timestamps a parcel; chrono's `Serialize` goes through `fmt::Display`
//! and hands serde_json one character at a time: over a quarter of writing a 1,000-parcel
//! page's JSON (callgrind, docs/performance.md). Here the text is put together in a 30-byte buffer and
//! given to the serializer as one string. Years outside 0–9999 (never stored) fall back to
//! chrono, so the output is chrono's for every value (unit-tested against it).

use chrono::{DateTime, Datelike, Timelike, Utc};
use serde::Serializer;

/// `#[serde(serialize_with = "timestamp::utc")]`
pub fn utc<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    let mut buf = [0u8; 30];
    match write(t, &mut buf) {
        Some(text) => s.serialize_str(text),
        None => serde::Serialize::serialize(t, s),
    }
}

/// `#[serde(serialize_with = "timestamp::utc_opt")]`, for a field skipped when `None`.
pub fn utc_opt<S: Serializer>(t: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => utc(t, s),
        None => s.serialize_none(),
    }
}

/// `t` as a JSON string straight into `out` (the hand-written map page, `views::json`).
pub fn write_json(out: &mut Vec<u8>, t: &DateTime<Utc>) {
    let mut buf = [0u8; 30];
    match write(t, &mut buf) {
        Some(text) => {
            out.push(b'"');
            out.extend_from_slice(text.as_bytes());
            out.push(b'"');
        }
        None => super::json::serialized(out, t),
    }
}

/// The text of `t`, or `None` for a year outside 0–9999.
fn write<'b>(t: &DateTime<Utc>, buf: &'b mut [u8; 30]) -> Option<&'b str> {
    // The fields read from the UTC time itself: `DateTime`'s accessors each apply the
    // offset (zero) to the whole date and time again, six times a timestamp.
    let t = t.naive_utc();
    let year = u32::try_from(t.year()).ok().filter(|y| *y <= 9999)?;
    let nanos = t.nanosecond();
    // A leap second is written by chrono as second 60; keep to its own formatter for it.
    if nanos >= 1_000_000_000 {
        return None;
    }
    put(buf, 0, year, 4);
    buf[4] = b'-';
    put(buf, 5, t.month(), 2);
    buf[7] = b'-';
    put(buf, 8, t.day(), 2);
    buf[10] = b'T';
    put(buf, 11, t.hour(), 2);
    buf[13] = b':';
    put(buf, 14, t.minute(), 2);
    buf[16] = b':';
    put(buf, 17, t.second(), 2);
    let (fraction, digits) = if nanos == 0 {
        (0, 0)
    } else if nanos % 1_000_000 == 0 {
        (nanos / 1_000_000, 3)
    } else if nanos % 1_000 == 0 {
        (nanos / 1_000, 6)
    } else {
        (nanos, 9)
    };
    if digits > 0 {
        buf[19] = b'.';
        put(buf, 20, fraction, digits);
    }
    let end = 19 + if digits > 0 { 1 + digits } else { 0 };
    buf[end] = b'Z';
    std::str::from_utf8(&buf[..=end]).ok()
}

/// `value` as `digits` decimal digits at `at`, zero-padded.
fn put(buf: &mut [u8; 30], at: usize, mut value: u32, digits: usize) {
    for i in (at..at + digits).rev() {
        buf[i] = b'0' + (value % 10) as u8;
        value /= 10;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn ours(t: DateTime<Utc>) -> String {
        let mut json = Vec::new();
        utc(&t, &mut serde_json::Serializer::new(&mut json)).unwrap();
        String::from_utf8(json).unwrap()
    }

    #[test]
    fn every_precision_is_written_as_chrono_writes_it() {
        let base = Utc.with_ymd_and_hms(2026, 12, 6, 3, 49, 42).unwrap();
        for nanos in [
            0,
            666_000_000,
            1_000_000,
            666_123_000,
            1_000,
            666_123_456,
            1,
            999_999_999,
        ] {
            let t = base + chrono::Duration::nanoseconds(nanos);
            assert_eq!(ours(t), serde_json::to_string(&t).unwrap(), "{nanos} ns");
            let mut by_hand = Vec::new();
            write_json(&mut by_hand, &t);
            assert_eq!(String::from_utf8(by_hand).unwrap(), ours(t));
        }
        for t in [
            Utc.with_ymd_and_hms(1, 1, 1, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(9999, 12, 31, 23, 59, 59).unwrap(),
            Utc.with_ymd_and_hms(2000, 2, 29, 12, 5, 9).unwrap(),
        ] {
            assert_eq!(ours(t), serde_json::to_string(&t).unwrap());
        }
    }

    #[test]
    fn none_is_null() {
        let mut json = Vec::new();
        utc_opt(&None, &mut serde_json::Serializer::new(&mut json)).unwrap();
        assert_eq!(json, b"null");
    }
}
