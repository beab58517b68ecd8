//! Passwords, for people signing in to the dashboard: argon2id with a random salt, stored as
//! `argon2id$v=19$m=…,t=…,p=…$<salt hex>$<hash hex>`. Signing in exchanges a name and password
//! for an API token that expires after a working day; signing out revokes it. Scripts and desktop
//! GIS keep using tokens made for them.

use super::schema::{api_tokens, users};
use super::users::{hex, random};
use super::{AnyConnection, StoreError, StoreResult};
use crate::domain::register::Stamp;
use argon2::{Algorithm, Argon2, Params, Version};
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// A sign-in lasts this long.
pub const SESSION_HOURS: i64 = 12;

fn unhex(s: &str) -> Option<Vec<u8>> {
    (s.len() % 2 == 0)
        .then(|| {
            (0..s.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok())
                .collect()
        })
        .flatten()
}

fn derive(password: &str, salt: &[u8], m: u32, t: u32, p: u32) -> Option<[u8; 32]> {
    let params = Params::new(m, t, p, Some(32)).ok()?;
    let mut out = [0u8; 32];
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(password.as_bytes(), salt, &mut out)
        .ok()?;
    Some(out)
}

/// Hash a password with the default argon2id parameters (19 MiB, 2 passes).
pub fn hash(password: &str) -> StoreResult<String> {
    let salt = random::<16>()?;
    let (m, t, p) = (
        Params::DEFAULT_M_COST,
        Params::DEFAULT_T_COST,
        Params::DEFAULT_P_COST,
    );
    let out = derive(password, &salt, m, t, p)
        .ok_or_else(|| StoreError::Corrupt("argon2 refused its default parameters".into()))?;
    Ok(format!(
        "argon2id$v=19$m={m},t={t},p={p}${}${}",
        hex(&salt),
        hex(&out)
    ))
}

/// Whether `password` matches a stored hash (in constant time over the hash).
pub fn verify(password: &str, stored: &str) -> bool {
    let parts: Vec<&str> = stored.split('$').collect();
    let [algorithm, "v=19", params, salt, want] = parts[..] else {
        return false;
    };
    if algorithm != "argon2id" {
        return false;
    }
    let mut mtp = [0u32; 3];
    for (slot, (key, kv)) in mtp
        .iter_mut()
        .zip(["m", "t", "p"].iter().zip(params.split(',')))
    {
        match kv.split_once('=') {
            Some((k, v)) if k == *key => match v.parse() {
                Ok(n) => *slot = n,
                Err(_) => return false,
            },
            _ => return false,
        }
    }
    let (Some(salt), Some(want)) = (unhex(salt), unhex(want)) else {
        return false;
    };
    let Some(got) = derive(password, &salt, mtp[0], mtp[1], mtp[2]) else {
        return false;
    };
    want.len() == got.len()
        && want
            .iter()
            .zip(got.iter())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

/// Store a new password hash and end the user's sign-ins: a password is reset when it may be
/// known to someone else, and their sessions must not outlive it. API tokens made for scripts
/// and GIS stay.
pub fn set_hash(
    conn: &mut AnyConnection,
    user_id: i64,
    hashed: String,
    stamp: &Stamp,
) -> StoreResult<()> {
    super::users::account_tx(conn, |conn| {
        super::users::get_user(conn, user_id)?;
        diesel::update(users::table.find(user_id))
            .set(users::password_hash.eq(Some(hashed)))
            .execute(conn)?;
        let ended = diesel::update(
            api_tokens::table
                .filter(api_tokens::user_id.eq(user_id))
                .filter(api_tokens::name.eq(SIGN_IN))
                .filter(api_tokens::revoked_at.is_null()),
        )
        .set(api_tokens::revoked_at.eq(Some(stamp.at)))
        .execute(conn)?;
        // The audit says that it changed, never what to.
        super::audit::record(
            conn,
            stamp,
            super::audit::Entry::new("set_password", "user", user_id)
                .after(serde_json::json!({ "sign_ins_ended": ended })),
        )
    })
}

/// What sign-in tokens are called.
pub const SIGN_IN: &str = "sign-in";

/// The id and password hash of the enabled user of this name, if it has a password.
pub fn credentials(conn: &mut AnyConnection, name: &str) -> StoreResult<Option<(i64, String)>> {
    let found: Option<(i64, Option<String>, Option<NaiveDateTime>)> = users::table
        .filter(users::name.eq(name))
        .select((users::id, users::password_hash, users::disabled_at))
        .first(conn)
        .optional()?;
    Ok(match found {
        Some((id, Some(hash), None)) => Some((id, hash)),
        _ => None,
    })
}

/// Whether a password opens these credentials. Without any, the same work is spent on a
/// dummy hash, so a wrong name answers no faster than a wrong password.
pub fn opens(password: &str, credentials: Option<&(i64, String)>) -> bool {
    match credentials {
        Some((_, stored)) => verify(password, stored),
        None => {
            verify(password, DUMMY);
            false
        }
    }
}

/// A stored hash of nothing anyone knows, for timing.
const DUMMY: &str = "argon2id$v=19$m=19456,t=2,p=1$00000000000000000000000000000000$0000000000000000000000000000000000000000000000000000000000000000";

/// Sign out: revoke the token the caller signed in with.
pub fn sign_out(conn: &mut AnyConnection, secret: &str, stamp: &Stamp) -> StoreResult<()> {
    let id: Option<i64> = api_tokens::table
        .filter(api_tokens::token_hash.eq(super::users::hash_secret(secret)))
        .select(api_tokens::id)
        .first(conn)
        .optional()?;
    match id {
        Some(id) => super::users::revoke_token(conn, id, stamp).map(|_| ()),
        None => Err(StoreError::NotFound("the token signed in with".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_differ() {
        let a = hash("园区管委会2026!").unwrap();
        let b = hash("园区管委会2026!").unwrap();
        assert_ne!(a, b, "a fresh salt each time");
        assert!(a.starts_with("argon2id$v=19$m=19456,t=2,p=1$"), "{a}");
        assert!(verify("园区管委会2026!", &a) && verify("园区管委会2026!", &b));
        assert!(!verify("园区管委会2026?", &a));
        assert!(!verify("x", "garbage") && !verify("x", DUMMY));
    }
}
