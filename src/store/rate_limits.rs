//! Rate-limit buckets every instance on one PostgreSQL shares (issue 18): a token bucket per
//! limit (`scope`) and client address in the unlogged `rate_buckets` table, refilled and taken
//! in one `INSERT … ON CONFLICT DO UPDATE`. The row lock of the upsert orders two instances'
//! takes of one bucket, and the database's clock (`now()`) is the one clock they share.
//!
//! The arithmetic is the one of `api::http::ratelimit::Bucket`, written in SQL; SQLite has no
//! shared buckets (one process owns the file and keeps them in memory).

use super::{AnyConnection, StoreResult};
use diesel::prelude::*;
use diesel::sql_types::{Bool, Double, Text};

/// What a take left in the bucket.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Taken {
    /// Whether a request was taken (the caller may go on).
    pub granted: bool,
    /// Tokens left after the take (refilled, less the one taken if granted).
    pub tokens: f64,
}

#[derive(QueryableByName)]
struct TakenRow {
    #[diesel(sql_type = Bool)]
    granted: bool,
    #[diesel(sql_type = Double)]
    tokens: f64,
}

/// The refill of the row being updated: what it held plus what the time since refilled, at most
/// a burst. A take ordered after another may have started earlier (`now()` is its
/// transaction's start), so elapsed time is never negative.
const REFILLED: &str =
    "LEAST($4, b.tokens + GREATEST(0, EXTRACT(EPOCH FROM now() - b.at)::float8) * $3)";

/// Take one request from `client`'s bucket of `scope`, refilled at `per_second` up to `burst`.
/// `None` on SQLite, which keeps its buckets in the process.
pub fn take(
    conn: &mut AnyConnection,
    scope: &str,
    client: &str,
    per_second: f64,
    burst: f64,
) -> StoreResult<Option<Taken>> {
    let AnyConnection::Postgresql(pg) = conn else {
        return Ok(None);
    };
    let sql = format!(
        "INSERT INTO rate_buckets AS b (scope, client, tokens, at, granted) \
         VALUES ($1, $2, $4 - 1, now(), true) \
         ON CONFLICT (scope, client) DO UPDATE SET \
           tokens = {REFILLED} - CASE WHEN {REFILLED} >= 1 THEN 1 ELSE 0 END, \
           granted = {REFILLED} >= 1, \
           at = now() \
         RETURNING granted, tokens"
    );
    let row: TakenRow = diesel::sql_query(sql)
        .bind::<Text, _>(scope)
        .bind::<Text, _>(client)
        .bind::<Double, _>(per_second)
        .bind::<Double, _>(burst)
        .get_result(pg)?;
    Ok(Some(Taken {
        granted: row.granted,
        tokens: row.tokens,
    }))
}

/// Forget the buckets untouched for `full_after_secs` — refilled, they are the same as none.
pub fn prune(conn: &mut AnyConnection, full_after_secs: f64) -> StoreResult<usize> {
    let AnyConnection::Postgresql(pg) = conn else {
        return Ok(0);
    };
    Ok(
        diesel::sql_query("DELETE FROM rate_buckets WHERE at < now() - make_interval(secs => $1)")
            .bind::<Double, _>(full_after_secs)
            .execute(pg)?,
    )
}
