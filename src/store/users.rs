//! Users, their parks, and API tokens. Token secrets are 256 random bits from the operating
//! system, shown once; only their SHA-256 hash is stored (a fast hash is right for random
//! secrets — there is nothing to guess — and keeps every request's lookup cheap).

use super::audit::Entry;
use super::schema::{api_tokens, parks, user_parks, users};
use super::{AnyConnection, StoreError, StoreResult};
use crate::domain::access::{Principal, Role, TokenInfo, User, UserDraft};
use crate::domain::register::Stamp;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use sha2::{Digest, Sha256};

/// Every token starts with this, so a leaked one is easy to recognise in logs and scanners.
pub const TOKEN_PREFIX: &str = "pkl_";

/// A new secret: `pkl_` and 64 hex digits.
pub fn new_secret() -> StoreResult<String> {
    Ok(format!("{TOKEN_PREFIX}{}", hex(&random::<32>()?)))
}

/// `N` random bytes from the operating system (token secrets, password salts).
pub(super) fn random<const N: usize>() -> StoreResult<[u8; N]> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|e| {
        StoreError::Corrupt(format!("no randomness from the operating system: {e}"))
    })?;
    Ok(bytes)
}

pub(super) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn hash_secret(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

/// The key a token is known by in memory (its SHA-256): the secret itself is never kept.
pub fn token_key(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

/// Counts the changes to accounts made by this process — a token revoked, a user changed or
/// disabled, a committee's parks, a password set — each counted once its transaction has
/// committed. What was read about a token before a change is not used after it
/// (`api::http::token_memo`).
static ACCOUNTS_CHANGED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// How many account changes this process has committed so far.
pub fn accounts_changes() -> u64 {
    ACCOUNTS_CHANGED.load(std::sync::atomic::Ordering::SeqCst)
}

/// An account change in a transaction of its own (not nested in another), counted once it
/// has committed: a token read between the write and the commit would still be the old one.
pub(crate) fn account_tx<T>(
    conn: &mut AnyConnection,
    f: impl FnOnce(&mut AnyConnection) -> StoreResult<T>,
) -> StoreResult<T> {
    let out = super::write_tx(conn, f);
    ACCOUNTS_CHANGED.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    out
}

/// Whether a string has the form of a token (checked before any database lookup).
pub fn looks_like_token(s: &str) -> bool {
    s.strip_prefix(TOKEN_PREFIX).is_some_and(|h| {
        h.len() == 64
            && h.bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    })
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = users)]
struct UserRow {
    id: i64,
    name: String,
    display_name: String,
    role: String,
    jurisdiction: Option<String>,
    created_at: NaiveDateTime,
    created_by: String,
    disabled_at: Option<NaiveDateTime>,
}

fn user_from(conn: &mut AnyConnection, row: UserRow) -> StoreResult<User> {
    let role = Role::parse("role", &row.role).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let parks = user_parks::table
        .filter(user_parks::user_id.eq(row.id))
        .order(user_parks::park_id)
        .select(user_parks::park_id)
        .load(conn)?;
    Ok(User {
        id: row.id,
        name: row.name,
        display_name: row.display_name,
        role,
        jurisdiction: row.jurisdiction,
        parks,
        created: Stamp::stored(row.created_by, row.created_at),
        disabled_at: row.disabled_at,
    })
}

pub fn get_user(conn: &mut AnyConnection, id: i64) -> StoreResult<User> {
    let row: UserRow = users::table
        .find(id)
        .select(UserRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("user {id}")))?;
    user_from(conn, row)
}

/// A user by name, or by id when the argument is a number.
pub fn find_user(conn: &mut AnyConnection, name_or_id: &str) -> StoreResult<User> {
    let row: Option<UserRow> = users::table
        .filter(users::name.eq(name_or_id))
        .select(UserRow::as_select())
        .first(conn)
        .optional()?;
    match (row, name_or_id.parse::<i64>()) {
        (Some(row), _) => user_from(conn, row),
        (None, Ok(id)) => get_user(conn, id),
        (None, Err(_)) => Err(StoreError::NotFound(format!("user {name_or_id}"))),
    }
}

pub fn list_users(conn: &mut AnyConnection) -> StoreResult<Vec<User>> {
    let rows: Vec<UserRow> = users::table
        .order(users::id)
        .select(UserRow::as_select())
        .load(conn)?;
    rows.into_iter().map(|r| user_from(conn, r)).collect()
}

/// Which of `ids` are parks of the register.
pub fn parks_found(conn: &mut AnyConnection, ids: &[i64]) -> StoreResult<Vec<i64>> {
    Ok(parks::table
        .filter(parks::id.eq_any(ids))
        .select(parks::id)
        .load(conn)?)
}

/// Set the parks a user manages.
pub fn set_parks(conn: &mut AnyConnection, user_id: i64, ids: &[i64]) -> StoreResult<()> {
    diesel::delete(user_parks::table.filter(user_parks::user_id.eq(user_id))).execute(conn)?;
    for &park_id in ids {
        diesel::insert_into(user_parks::table)
            .values((
                user_parks::user_id.eq(user_id),
                user_parks::park_id.eq(park_id),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// The attributes an audit record keeps of a user.
pub fn snapshot(u: &User) -> serde_json::Value {
    serde_json::json!({
        "name": u.name, "display_name": u.display_name, "role": u.role.as_str(),
        "jurisdiction": u.jurisdiction, "parks": u.parks, "disabled": u.disabled_at.is_some(),
    })
}

/// Whether an account has this name.
pub fn name_taken(conn: &mut AnyConnection, name: &str) -> StoreResult<bool> {
    Ok(users::table
        .filter(users::name.eq(name))
        .select(users::id)
        .first::<i64>(conn)
        .optional()?
        .is_some())
}

/// Insert an account and its parks; returns its id.
pub fn insert_user(conn: &mut AnyConnection, draft: &UserDraft, stamp: &Stamp) -> StoreResult<i64> {
    let id: i64 = diesel::insert_into(users::table)
        .values((
            users::name.eq(&draft.name),
            users::display_name.eq(&draft.display_name),
            users::role.eq(draft.role.as_str()),
            users::jurisdiction.eq(&draft.jurisdiction),
            users::created_at.eq(stamp.at),
            users::created_by.eq(&stamp.by),
        ))
        .returning(users::id)
        .get_result(conn)?;
    set_parks(conn, id, &draft.parks)?;
    Ok(id)
}

/// Write an account's changeable attributes (display name, jurisdiction, disabled); its parks
/// are [`set_parks`]'s.
pub fn save_user(conn: &mut AnyConnection, u: &User) -> StoreResult<()> {
    diesel::update(users::table.find(u.id))
        .set((
            users::display_name.eq(&u.display_name),
            users::jurisdiction.eq(&u.jurisdiction),
            users::disabled_at.eq(u.disabled_at),
        ))
        .execute(conn)?;
    Ok(())
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = api_tokens)]
struct TokenRow {
    id: i64,
    user_id: i64,
    name: String,
    prefix: String,
    created_at: NaiveDateTime,
    created_by: String,
    expires_at: Option<NaiveDateTime>,
    revoked_at: Option<NaiveDateTime>,
    last_used_at: Option<NaiveDateTime>,
}

fn token_from(r: TokenRow) -> TokenInfo {
    TokenInfo {
        id: r.id,
        user_id: r.user_id,
        name: r.name,
        prefix: r.prefix,
        created: Stamp::stored(r.created_by, r.created_at),
        expires_at: r.expires_at,
        revoked_at: r.revoked_at,
        last_used_at: r.last_used_at,
    }
}

/// The attributes an audit record keeps of a token (never its secret).
pub fn token_snapshot(t: &TokenInfo) -> serde_json::Value {
    serde_json::json!({"user_id": t.user_id, "name": t.name, "prefix": t.prefix, "expires_at": t.expires_at, "revoked": t.revoked_at.is_some()})
}

/// Insert a token for an existing user; the secret is returned here and never again.
pub fn insert_token(
    conn: &mut AnyConnection,
    user_id: i64,
    name: &str,
    expires_at: Option<NaiveDateTime>,
    stamp: &Stamp,
) -> StoreResult<(TokenInfo, String)> {
    let secret = new_secret()?;
    let id: i64 = diesel::insert_into(api_tokens::table)
        .values((
            api_tokens::user_id.eq(user_id),
            api_tokens::name.eq(name),
            api_tokens::token_hash.eq(hash_secret(&secret)),
            api_tokens::prefix.eq(&secret[..TOKEN_PREFIX.len() + 8]),
            api_tokens::created_at.eq(stamp.at),
            api_tokens::created_by.eq(&stamp.by),
            api_tokens::expires_at.eq(expires_at),
        ))
        .returning(api_tokens::id)
        .get_result(conn)?;
    Ok((get_token(conn, id)?, secret))
}

pub fn get_token(conn: &mut AnyConnection, id: i64) -> StoreResult<TokenInfo> {
    let row: TokenRow = api_tokens::table
        .find(id)
        .select(TokenRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("token {id}")))?;
    Ok(token_from(row))
}

/// A user's tokens (or everyone's), newest first.
pub fn list_tokens(conn: &mut AnyConnection, user_id: Option<i64>) -> StoreResult<Vec<TokenInfo>> {
    let mut q = api_tokens::table
        .select(TokenRow::as_select())
        .order(api_tokens::id.desc())
        .into_boxed();
    if let Some(id) = user_id {
        get_user(conn, id)?;
        q = q.filter(api_tokens::user_id.eq(id));
    }
    Ok(q.load::<TokenRow>(conn)?
        .into_iter()
        .map(token_from)
        .collect())
}

pub fn revoke_token(conn: &mut AnyConnection, id: i64, stamp: &Stamp) -> StoreResult<TokenInfo> {
    account_tx(conn, |conn| {
        let before = get_token(conn, id)?;
        if before.revoked_at.is_none() {
            diesel::update(api_tokens::table.find(id))
                .set(api_tokens::revoked_at.eq(Some(stamp.at)))
                .execute(conn)?;
        }
        let after = get_token(conn, id)?;
        super::audit::record(
            conn,
            stamp,
            Entry::new("revoke", "token", id)
                .before(token_snapshot(&before))
                .after(token_snapshot(&after)),
        )?;
        Ok(after)
    })
}

/// What a presented token turned out to be.
#[derive(Debug, Clone, PartialEq)]
pub enum Authenticated {
    /// A token that lets its user in: who they are, and when the token expires (if it does).
    Ok(Principal, Option<NaiveDateTime>),
    Unknown,
    Revoked,
    Expired,
    Disabled,
}

/// A token with its user, as one lookup returns them.
#[derive(Queryable)]
struct TokenAndUser {
    token_id: i64,
    expires_at: Option<NaiveDateTime>,
    revoked_at: Option<NaiveDateTime>,
    last_used_at: Option<NaiveDateTime>,
    user_id: i64,
    name: String,
    role: String,
    jurisdiction: Option<String>,
    disabled_at: Option<NaiveDateTime>,
}

/// Look a secret up: one query for the token and its user (and, for committee users, their
/// parks). `last_used_at` is refreshed at most hourly, so reads stay reads.
pub fn authenticate(
    conn: &mut AnyConnection,
    secret: &str,
    now: NaiveDateTime,
) -> StoreResult<Authenticated> {
    let found: Option<TokenAndUser> = api_tokens::table
        .inner_join(users::table)
        .filter(api_tokens::token_hash.eq(hash_secret(secret)))
        .select((
            api_tokens::id,
            api_tokens::expires_at,
            api_tokens::revoked_at,
            api_tokens::last_used_at,
            users::id,
            users::name,
            users::role,
            users::jurisdiction,
            users::disabled_at,
        ))
        .first(conn)
        .optional()?;
    let Some(t) = found else {
        return Ok(Authenticated::Unknown);
    };
    if t.revoked_at.is_some() {
        return Ok(Authenticated::Revoked);
    }
    if t.expires_at.is_some_and(|e| e <= now) {
        return Ok(Authenticated::Expired);
    }
    if t.disabled_at.is_some() {
        return Ok(Authenticated::Disabled);
    }
    let role = Role::parse("role", &t.role).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let parks = if role == Role::Committee {
        user_parks::table
            .filter(user_parks::user_id.eq(t.user_id))
            .order(user_parks::park_id)
            .select(user_parks::park_id)
            .load(conn)?
    } else {
        Vec::new()
    };
    if t.last_used_at
        .is_none_or(|at| now - at > chrono::TimeDelta::hours(1))
    {
        // Best effort: a busy database must not turn a read into a 503 for a timestamp.
        if let Err(e) = diesel::update(api_tokens::table.find(t.token_id))
            .set(api_tokens::last_used_at.eq(Some(now)))
            .execute(conn)
        {
            tracing::debug!("token {} last use not recorded: {e}", t.token_id);
        }
    }
    Ok(Authenticated::Ok(
        Principal {
            user_id: t.user_id,
            name: t.name,
            role,
            jurisdiction: t.jurisdiction,
            parks,
        },
        t.expires_at,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_random_and_recognisable() {
        let a = new_secret().unwrap();
        let b = new_secret().unwrap();
        assert_ne!(a, b);
        assert!(looks_like_token(&a), "{a}");
        assert!(
            !looks_like_token("pkl_123")
                && !looks_like_token(&a.to_uppercase())
                && !looks_like_token(&a.replace("pkl_", "ghp_"))
        );
        assert_eq!(hash_secret("pkl_x").len(), 64);
        assert_ne!(hash_secret(&a), hash_secret(&b));
    }
}
