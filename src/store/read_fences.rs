//! Read fences for a streaming replica (issue 18): how far the write-ahead log must have been
//! replayed before a replica may answer a user, so that nobody reads an older register than
//! the one they last wrote.
//!
//! After each write transaction commits on PostgreSQL, the WAL position past its commit is
//! kept for each user whose change it was (`read_fences`, one row a user). Reads routed to a
//! replica go there only if the replica has replayed that far; otherwise they are read from
//! the primary. Callers who never wrote (anonymous, most map viewers) have no fence: the
//! replica answers them, a replication delay (usually milliseconds) behind.
//!
//! On SQLite there is neither a replica nor a fence.

use super::{AnyConnection, StoreResult};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Nullable};

/// The position just past a committed transaction: the WAL insert position read after its
/// commit, as a byte offset.
const HERE: &str = "(pg_current_wal_insert_lsn() - '0/0'::pg_lsn)::bigint";

/// Raise the fences of `users` to the position past the transaction that just committed.
/// Best effort: the write has committed and stays committed; if the fence cannot be kept the
/// failure is logged (that user's next reads may come from a replica that is behind).
pub fn raise(conn: &mut AnyConnection, users: &[i64]) {
    let AnyConnection::Postgresql(pg) = conn else {
        return;
    };
    for user in users {
        let raised = diesel::sql_query(format!(
            "INSERT INTO read_fences AS f (user_id, lsn) VALUES ($1, {HERE}) \
             ON CONFLICT (user_id) DO UPDATE SET lsn = GREATEST(f.lsn, EXCLUDED.lsn)"
        ))
        .bind::<BigInt, _>(user)
        .execute(pg);
        if let Err(e) = raised {
            tracing::warn!(user, error = %e, "could not keep the user's read fence");
        }
    }
}

#[derive(QueryableByName)]
struct Fence {
    #[diesel(sql_type = BigInt)]
    lsn: i64,
}

/// The user's fence, if they have written (read on the primary).
pub fn of_user(conn: &mut AnyConnection, user: i64) -> StoreResult<Option<i64>> {
    let AnyConnection::Postgresql(pg) = conn else {
        return Ok(None);
    };
    Ok(
        diesel::sql_query("SELECT lsn FROM read_fences WHERE user_id = $1")
            .bind::<BigInt, _>(user)
            .get_result::<Fence>(pg)
            .optional()?
            .map(|f| f.lsn),
    )
}

#[derive(QueryableByName)]
struct Replayed {
    #[diesel(sql_type = Nullable<Bool>)]
    replayed: Option<bool>,
}

/// Whether the database this connection reads has replayed the WAL up to `lsn` (a primary,
/// which replays nothing, has everything).
pub fn replayed(conn: &mut AnyConnection, lsn: i64) -> StoreResult<bool> {
    let AnyConnection::Postgresql(pg) = conn else {
        return Ok(true);
    };
    let r: Replayed =
        diesel::sql_query("SELECT (pg_last_wal_replay_lsn() - '0/0'::pg_lsn) >= $1 AS replayed")
            .bind::<BigInt, _>(lsn)
            .get_result(pg)?;
    Ok(r.replayed.unwrap_or(true))
}
