//! Tokens found good a moment ago, so a request need not look its token up before it starts.
//!
//! Every request with a token was looked up in the database before its handler ran — a
//! pooled connection, a blocking-pool turn and a query: 0.2–0.3 ms of a small request, and of
//! a map page's 7–9 ms at one client (docs/performance.md, "A token read in the request's own
//! turn"). A map or a GIS client sends its requests in bursts with one token, so the user
//! a token let in is kept for a minute, and a request whose token is kept starts at once.
//!
//! Kept is not trusted: once a request reads its caller (the `Caller` extractor), the token
//! is read from the database again — in the same blocking turn and on the same connection as
//! the request's next store work, before that work: one query, no turn of its own
//! (`AppState::run_on` runs [`Check::run`]). Only reads (GET, HEAD) take a token from the
//! memo: a write looks it up before it starts, as before. A request that reads its caller but does no store
//! work has its token read once its handler is done, before its answer leaves
//! ([`checked_after`]). So a token revoked, expired or whose user was disabled — here, on
//! another instance or from the command line — is refused from the next request on, as
//! before, and nothing is read or written for a token the database no longer lets in. A
//! request that never reads its caller (a public document) is answered as it is for anyone.
//! A user changed elsewhere (role, area, parks) meanwhile: the request is refused as busy
//! (503, to be sent again) and the token forgotten. Changes made through this process forget
//! what was kept before them ([`users::accounts_changes`]).
//!
//! Only tokens that let their user in are kept, by their SHA-256 (never the secret), at most
//! [`TokenMemo::MOST`]; a request a replica may answer always looks its token up (it needs the
//! user's read fence from the primary in the same turn).

use crate::api::AppState;
use crate::domain::access::Principal;
use crate::error::ApiError;
use crate::store::users::{self, Authenticated};
use crate::store::{AnyConnection, StoreResult};
use chrono::NaiveDateTime;
use std::cell::Cell;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Tokens recently found good, by key ([`users::token_key`]).
pub struct TokenMemo {
    keep_for: Duration,
    kept: Mutex<HashMap<[u8; 32], Kept>>,
}

struct Kept {
    principal: Principal,
    expires_at: Option<NaiveDateTime>,
    /// The account changes counted before it was read.
    changes: u64,
    found: Instant,
}

impl TokenMemo {
    /// Most tokens kept at once; when full, those kept too long go, then all.
    pub const MOST: usize = 10_000;
    /// How long a token found good is kept: each request still reads it, so this only bounds
    /// how long a user changed elsewhere may cost one request sent again.
    pub const KEEP_FOR: Duration = Duration::from_secs(60);

    pub fn new(keep_for: Duration) -> Self {
        Self {
            keep_for,
            kept: Mutex::new(HashMap::new()),
        }
    }

    /// The user a token let in, if it was found good less than the setting ago, no account
    /// changed since (`changes`, the count now) and it has not expired by `now`.
    fn get(
        &self,
        key: &[u8; 32],
        now: NaiveDateTime,
        changes: u64,
    ) -> Option<(Principal, Option<NaiveDateTime>)> {
        if self.keep_for.is_zero() {
            return None;
        }
        let kept = self.kept.lock().ok()?;
        let k = kept.get(key)?;
        let fresh = k.found.elapsed() < self.keep_for
            && k.changes == changes
            && k.expires_at.is_none_or(|e| e > now);
        fresh.then(|| (k.principal.clone(), k.expires_at))
    }

    /// Keep what a lookup found, read after `changes` account changes had been counted.
    fn keep(
        &self,
        key: [u8; 32],
        principal: &Principal,
        expires_at: Option<NaiveDateTime>,
        changes: u64,
    ) {
        if self.keep_for.is_zero() {
            return;
        }
        let Ok(mut kept) = self.kept.lock() else {
            return;
        };
        if kept.len() >= Self::MOST && !kept.contains_key(&key) {
            kept.retain(|_, k| k.found.elapsed() < self.keep_for);
            if kept.len() >= Self::MOST {
                kept.clear();
            }
        }
        kept.insert(
            key,
            Kept {
                principal: principal.clone(),
                expires_at,
                changes,
                found: Instant::now(),
            },
        );
    }

    fn forget(&self, key: &[u8; 32]) {
        if let Ok(mut kept) = self.kept.lock() {
            kept.remove(key);
        }
    }

    /// How many tokens are kept.
    pub fn len(&self) -> usize {
        self.kept.lock().map_or(0, |k| k.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A request's token taken from the memo: whether the request has read its caller, and
/// whether the database has confirmed the token since.
pub struct Held {
    secret: String,
    principal: Principal,
    used: Cell<bool>,
    checked: Cell<bool>,
}

tokio::task_local! {
    /// The token of the request being served, when it was taken from the memo.
    static HELD: Held;
}

/// Who a token identifies.
pub enum Identified {
    /// Kept from a moment ago: the request runs within [`Held::scope`].
    Kept(Held),
    /// Looked up now, with the user's read fence when one was asked for.
    Looked(Authenticated, Option<i64>),
}

/// How a request may take its token from the memo.
#[derive(Clone, Copy, PartialEq)]
pub enum Lookup {
    /// A read (GET, HEAD): from the memo if it is kept.
    Read,
    /// A write: always from the database before it starts, so no write's work — a body
    /// parsed, geometry checked — is done for a token the database no longer lets in.
    Write,
    /// A read a replica may answer: from the database, with the user's read fence (from the
    /// primary, in the same turn).
    Fenced,
}

/// Who a token identifies, from the memo (a read, [`Lookup::Read`]) or the database.
pub async fn identify(
    state: &AppState,
    secret: String,
    lookup: Lookup,
) -> Result<Identified, ApiError> {
    let now = state.clock.now().naive_utc();
    let key = users::token_key(&secret);
    let fence = lookup == Lookup::Fenced;
    if lookup == Lookup::Read
        && let Some((principal, _)) = state.tokens.get(&key, now, users::accounts_changes())
    {
        return Ok(Identified::Kept(Held {
            secret,
            principal,
            used: Cell::new(false),
            checked: Cell::new(false),
        }));
    }
    // Counted before the read: a change committed while it runs makes it old at once.
    let changes = users::accounts_changes();
    let (found, fenced) = state
        .run_primary(move |c| {
            let found = users::authenticate(c, &secret, now)?;
            let fenced = match &found {
                Authenticated::Ok(p, _) if fence => {
                    crate::store::read_fences::of_user(c, p.user_id)?
                }
                _ => None,
            };
            Ok((found, fenced))
        })
        .await?;
    match &found {
        Authenticated::Ok(principal, expires_at) => {
            state.tokens.keep(key, principal, *expires_at, changes)
        }
        // Kept before and refused now (revoked, expired, disabled elsewhere): forgotten.
        _ => state.tokens.forget(&key),
    }
    Ok(Identified::Looked(found, fenced))
}

impl Held {
    /// The user the memo had for the token.
    pub fn principal(&self) -> &Principal {
        &self.principal
    }

    /// Serve `request` with this token held: once it reads its caller, its store work reads
    /// the token first ([`Check::run`]), or its answer waits for it ([`checked_after`]).
    pub async fn scope<F: std::future::Future>(self, request: F) -> F::Output {
        HELD.scope(self, request).await
    }
}

/// The request being served reads its caller (the `Caller` extractor): from now on, what
/// it does depends on its token, which must be confirmed first.
pub fn used() {
    let _ = HELD.try_with(|h| h.used.set(true));
}

/// Whether the request being served read a caller taken from the memo that the database has
/// not confirmed yet.
fn unconfirmed() -> bool {
    HELD.try_with(|h| h.used.get() && !h.checked.get())
        .unwrap_or(false)
}

/// The check the request being served still needs, when it read a caller taken from the
/// memo and no store turn has confirmed it yet: run by the next turn before its work
/// ([`Check::run`]).
pub fn pending(state: &AppState) -> Option<Check> {
    if !unconfirmed() {
        return None;
    }
    let (secret, principal) = HELD
        .try_with(|h| (h.secret.clone(), h.principal.clone()))
        .ok()?;
    Some(Check {
        secret,
        principal,
        memo: state.tokens.clone(),
        now: state.clock.now().naive_utc(),
    })
}

/// The request's token was read by a store turn that went through: its check let the same
/// user in. (A turn that failed leaves it unconfirmed, to be read again: an error's cost.)
pub fn confirmed() {
    let _ = HELD.try_with(|h| h.checked.set(true));
}

/// A kept token to read in a store turn, before its work.
pub struct Check {
    secret: String,
    principal: Principal,
    memo: Arc<TokenMemo>,
    now: NaiveDateTime,
}

impl Check {
    /// Read the token on `conn`: `Ok(Err)` with the refusal unless the database still lets
    /// the same user in; `Err` when it could not be read.
    pub fn run(self, conn: &mut AnyConnection) -> StoreResult<Result<(), ApiError>> {
        let refused = match users::authenticate(conn, &self.secret, self.now)? {
            Authenticated::Ok(p, _) if p == self.principal => return Ok(Ok(())),
            Authenticated::Ok(..) => ApiError::busy(
                "the account this token belongs to changed while the request was read; send it again",
                0,
            )
            .zh("令牌所属账户刚有变动，请重新发送请求"),
            refused => refusal(&refused),
        };
        self.memo.forget(&users::token_key(&self.secret));
        Ok(Err(refused))
    }
}

/// The request's kept token, read after a handler that did no store work, before its answer
/// leaves: `Err` with the refusal that replaces the answer.
pub async fn checked_after(state: &AppState) -> Result<(), ApiError> {
    if !unconfirmed() {
        return Ok(());
    }
    // A turn with no work of its own: the check comes first in every turn.
    state.run_primary(|_| Ok(())).await
}

/// The answer to a token that does not let its user in.
pub fn refusal(found: &Authenticated) -> ApiError {
    let (en, zh) = match found {
        Authenticated::Ok(..) | Authenticated::Unknown => ("the token is not known", "令牌未知"),
        Authenticated::Revoked => ("the token has been revoked", "令牌已被撤销"),
        Authenticated::Expired => ("the token has expired", "令牌已过期"),
        Authenticated::Disabled => ("the token's user is disabled", "令牌所属用户已停用"),
    };
    ApiError::invalid_token(en).zh(zh)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::access::Role;

    fn principal() -> Principal {
        Principal {
            user_id: 7,
            name: "规划科".into(),
            role: Role::Bureau,
            jurisdiction: Some("3307".into()),
            parks: vec![],
        }
    }

    fn at(h: u32) -> NaiveDateTime {
        chrono::NaiveDate::from_ymd_opt(2026, 12, 7)
            .and_then(|d| d.and_hms_opt(h, 0, 0))
            .unwrap_or_default()
    }

    #[test]
    fn a_kept_token_is_used_until_it_expires_or_an_account_changes() {
        let memo = TokenMemo::new(Duration::from_secs(60));
        let key = users::token_key("pkl_a");
        assert!(memo.get(&key, at(9), 3).is_none());
        memo.keep(key, &principal(), Some(at(10)), 3);
        assert_eq!(memo.get(&key, at(9), 3).map(|(p, _)| p), Some(principal()));
        assert!(memo.get(&key, at(10), 3).is_none(), "expired at 10:00");
        assert!(memo.get(&users::token_key("pkl_b"), at(9), 3).is_none());
        // Read before a change was counted: not used after it.
        assert!(memo.get(&key, at(9), 4).is_none());
    }

    #[test]
    fn nothing_is_kept_for_no_time_too_long_or_beyond_the_most() {
        let key = users::token_key("pkl_d");
        let memo = TokenMemo::new(Duration::ZERO);
        memo.keep(key, &principal(), None, 0);
        assert!(memo.is_empty());
        assert!(memo.get(&key, at(9), 0).is_none());
        let memo = TokenMemo::new(Duration::from_millis(1));
        memo.keep(key, &principal(), None, 0);
        std::thread::sleep(Duration::from_millis(5));
        assert!(memo.get(&key, at(9), 0).is_none(), "kept too long");
        let memo = TokenMemo::new(Duration::from_secs(60));
        for i in 0..=TokenMemo::MOST {
            memo.keep(users::token_key(&format!("pkl_{i}")), &principal(), None, 0);
        }
        assert!(memo.len() <= TokenMemo::MOST, "{}", memo.len());
        let last = users::token_key(&format!("pkl_{}", TokenMemo::MOST));
        assert!(memo.get(&last, at(9), 0).is_some(), "the newest is kept");
    }
}
