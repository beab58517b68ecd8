//! Accounts as use cases: create and change a user (the role's scope, a free name, known
//! parks), make an API token, set a password. Each is one audited transaction.

use crate::domain::access::{self, TokenInfo, User, UserChanges, UserDraft, check_role_scope};
use crate::domain::register::Stamp;
use crate::store::audit::{self, Entry};
use crate::store::users::{self as stored, snapshot, token_snapshot};
use crate::store::{self, AnyConnection, StoreResult, write_tx};
use chrono::NaiveDateTime;

pub fn create_user(conn: &mut AnyConnection, draft: UserDraft, stamp: &Stamp) -> StoreResult<User> {
    check_role_scope(draft.role, draft.jurisdiction.as_deref(), &draft.parks)?;
    write_tx(conn, |conn| {
        let taken = stored::name_taken(conn, &draft.name)?;
        access::check_user_name_free(&draft.name, taken)?;
        let found = stored::parks_found(conn, &draft.parks)?;
        access::check_parks_known(&draft.parks, &found)?;
        let id = stored::insert_user(conn, &draft, stamp)?;
        let user = stored::get_user(conn, id)?;
        let entry = Entry::new("create", "user", id);
        audit::record(conn, stamp, entry.after(snapshot(&user)))?;
        Ok(user)
    })
}

pub fn update_user(
    conn: &mut AnyConnection,
    id: i64,
    changes: UserChanges,
    stamp: &Stamp,
) -> StoreResult<User> {
    // Its role, area, parks or being disabled: what its tokens let in.
    stored::account_tx(conn, |conn| {
        let before = stored::get_user(conn, id)?;
        let parks_changed = changes.parks.is_some();
        let next = before.apply(changes, stamp.at)?;
        stored::save_user(conn, &next)?;
        if parks_changed {
            let found = stored::parks_found(conn, &next.parks)?;
            access::check_parks_known(&next.parks, &found)?;
            stored::set_parks(conn, id, &next.parks)?;
        }
        let after = stored::get_user(conn, id)?;
        let entry = Entry::new("update", "user", id).before(snapshot(&before));
        audit::record(conn, stamp, entry.after(snapshot(&after)))?;
        Ok(after)
    })
}

/// Make a token for a user; the secret is returned here and never again.
pub fn create_token(
    conn: &mut AnyConnection,
    user_id: i64,
    name: &str,
    expires_at: Option<NaiveDateTime>,
    stamp: &Stamp,
) -> StoreResult<(TokenInfo, String)> {
    access::check_token_expiry(expires_at, stamp.at)?;
    write_tx(conn, |conn| {
        stored::get_user(conn, user_id)?;
        let (info, secret) = stored::insert_token(conn, user_id, name, expires_at, stamp)?;
        let entry = Entry::new("create", "token", info.id);
        audit::record(conn, stamp, entry.after(token_snapshot(&info)))?;
        Ok((info, secret))
    })
}

/// Check, hash and set a password in one go (the command line; the API hashes off the
/// database connection and calls `store::passwords::set_hash`).
pub fn set_password(
    conn: &mut AnyConnection,
    user_id: i64,
    password: &str,
    stamp: &Stamp,
) -> StoreResult<()> {
    access::check_password(password)?;
    let hashed = store::passwords::hash(password)?;
    store::passwords::set_hash(conn, user_id, hashed, stamp)
}

/// A fresh sign-in token, lasting a working day, for a user whose password was checked.
pub fn sign_in(
    conn: &mut AnyConnection,
    user_id: i64,
    name: &str,
    now: NaiveDateTime,
) -> StoreResult<(TokenInfo, String)> {
    let expires = now + chrono::TimeDelta::hours(store::passwords::SESSION_HOURS);
    let stamp = Stamp {
        by: name.to_owned(),
        user_id: Some(user_id),
        at: now,
    };
    create_token(
        conn,
        user_id,
        store::passwords::SIGN_IN,
        Some(expires),
        &stamp,
    )
}
