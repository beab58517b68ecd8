//! The people and tokens the API shows: users, their tokens, and who a caller is.

use crate::domain::access::{Role, TokenInfo, User};
use crate::views::utc;
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct UserView {
    pub id: i64,
    pub name: String,
    pub display_name: String,
    pub role: Role,
    /// A bureau's jurisdiction (division code prefix).
    pub jurisdiction: Option<String>,
    /// The parks a committee user manages.
    pub parks: Vec<i64>,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
}

#[derive(Serialize, ToSchema)]
pub struct TokenView {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    /// The first characters of the secret, to recognise it.
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
}

/// A new token: the secret is shown here once and never again.
#[derive(Serialize, ToSchema)]
pub struct NewTokenView {
    /// Send it as `Authorization: Bearer <token>`. It cannot be shown again.
    pub token: String,
    #[serde(flatten)]
    pub info: TokenView,
}

#[derive(Serialize, ToSchema)]
pub struct MeView {
    pub id: i64,
    pub name: String,
    pub role: Role,
    pub jurisdiction: Option<String>,
    pub parks: Vec<i64>,
}

impl From<&User> for UserView {
    fn from(u: &User) -> Self {
        Self {
            id: u.id,
            name: u.name.clone(),
            display_name: u.display_name.clone(),
            role: u.role,
            jurisdiction: u.jurisdiction.clone(),
            parks: u.parks.clone(),
            disabled: u.disabled_at.is_some(),
            created_at: utc(u.created.at),
            created_by: u.created.by.clone(),
        }
    }
}

impl From<&TokenInfo> for TokenView {
    fn from(t: &TokenInfo) -> Self {
        Self {
            id: t.id,
            user_id: t.user_id,
            name: t.name.clone(),
            prefix: t.prefix.clone(),
            created_at: utc(t.created.at),
            created_by: t.created.by.clone(),
            expires_at: t.expires_at.map(utc),
            revoked_at: t.revoked_at.map(utc),
            last_used_at: t.last_used_at.map(utc),
        }
    }
}
