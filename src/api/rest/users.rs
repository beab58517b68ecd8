//! `/api/users`, `/api/tokens` and `/api/me`: accounts and their API tokens (administrators),
//! and who the caller is (anyone authenticated).

use crate::api::http::access;
use crate::api::http::extract::JsonBody;
use crate::api::http::input::{check, not_null, nullable};
use crate::api::{AppState, json_response};
use crate::domain::FieldError;
use crate::domain::access::{
    Action, Caller, Role, UserChanges, UserDraft, parse_jurisdiction, parse_user_name,
};
use crate::domain::codes::parse_text;
use crate::error::{ApiError, ReadProblems, WriteProblems};
use crate::ops;
use crate::store;
use crate::views::access::{MeView, NewTokenView, TokenView, UserView};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use utoipa::ToSchema;

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(me)
        .service(list_users)
        .service(create_user)
        .service(get_user)
        .service(update_user)
        .service(list_tokens)
        .service(create_token)
        .service(revoke_token);
}

/// Who the token belongs to, and what it may reach.
#[utoipa::path(tag = "access", operation_id = "get_me", responses((status = 200, body = MeView), ReadProblems))]
#[get("/api/me")]
pub async fn me(caller: Caller) -> Result<HttpResponse, ApiError> {
    access::require(&caller, Action::ReadSelf)?;
    let p = caller
        .principal()
        .ok_or_else(|| ApiError::internal(&"an authenticated caller without a principal"))?;
    let view = MeView {
        id: p.user_id,
        name: p.name.clone(),
        role: p.role,
        jurisdiction: p.jurisdiction.clone(),
        parks: p.parks.clone(),
    };
    json_response(StatusCode::OK, "application/json", &view)
}

/// All users. Administrators only.
#[utoipa::path(tag = "access", operation_id = "list_users", responses((status = 200, body = Vec<UserView>), ReadProblems))]
#[get("/api/users")]
pub async fn list_users(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    access::require(&caller, Action::ManageUsers)?;
    let users = state.run(store::users::list_users).await?;
    json_response(
        StatusCode::OK,
        "application/json",
        &users.iter().map(UserView::from).collect::<Vec<_>>(),
    )
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserIn {
    /// Login name: letters, digits, `.`, `_`, `-`.
    pub name: String,
    pub display_name: Option<String>,
    pub role: Role,
    /// Bureau users: the division code (prefix) of their area, e.g. `361021`.
    pub jurisdiction: Option<String>,
    /// Committee users: the ids of the parks they manage.
    pub parks: Option<Vec<i64>>,
}

/// Create a user. Administrators only.
#[utoipa::path(tag = "access", operation_id = "create_user", request_body = UserIn, responses((status = 201, body = UserView), WriteProblems))]
#[post("/api/users")]
pub async fn create_user(
    state: web::Data<AppState>,
    caller: Caller,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    access::require(&caller, Action::ManageUsers)?;
    let body: UserIn = body.parse()?;

    let mut e = Vec::new();
    let name = check(&mut e, parse_user_name("name", &body.name));
    let display_name = check(
        &mut e,
        parse_text(
            "display_name",
            body.display_name.as_deref().unwrap_or(""),
            100,
        ),
    );
    let jurisdiction = body
        .jurisdiction
        .map(|j| check(&mut e, parse_jurisdiction("jurisdiction", &j)));
    let (Some(name), Some(display_name), None | Some(Some(_))) =
        (name, display_name, &jurisdiction)
    else {
        return Err(e.into());
    };
    let draft = UserDraft {
        name,
        display_name,
        role: body.role,
        jurisdiction: jurisdiction.flatten(),
        parks: body.parks.unwrap_or_default(),
    };
    let stamp = state.stamp(&caller);
    let user = state
        .run(move |c| ops::accounts::create_user(c, draft, &stamp))
        .await?;
    json_response(
        StatusCode::CREATED,
        "application/json",
        &UserView::from(&user),
    )
}

/// One user. Administrators only.
#[utoipa::path(tag = "access", operation_id = "get_user", params(("user_id" = i64, Path, description = "User id")), responses((status = 200, body = UserView), ReadProblems))]
#[get("/api/users/{user_id}")]
pub async fn get_user(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    access::require(&caller, Action::ManageUsers)?;
    let id = path.into_inner();
    let user = state.run(move |c| store::users::get_user(c, id)).await?;
    json_response(StatusCode::OK, "application/json", &UserView::from(&user))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    #[serde(default, deserialize_with = "not_null")]
    pub display_name: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub jurisdiction: Option<Option<String>>,
    #[serde(default, deserialize_with = "not_null")]
    pub parks: Option<Vec<i64>>,
    /// A disabled user's tokens stop working at once.
    #[serde(default, deserialize_with = "not_null")]
    pub disabled: Option<bool>,
}

/// Change a user (display name, jurisdiction, parks, disabled). Administrators only.
#[utoipa::path(tag = "access", operation_id = "update_user", params(("user_id" = i64, Path, description = "User id")), request_body = UserPatch, responses((status = 200, body = UserView), WriteProblems))]
#[patch("/api/users/{user_id}")]
pub async fn update_user(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    access::require(&caller, Action::ManageUsers)?;
    let body: UserPatch = body.parse()?;
    let id = path.into_inner();
    if caller.principal().is_some_and(|p| p.user_id == id) && body.disabled == Some(true) {
        return Err(FieldError::new("disabled", "you cannot disable yourself")
            .zh("不能停用自己的账户")
            .into());
    }
    let mut e = Vec::new();
    let changes = UserChanges {
        display_name: body
            .display_name
            .and_then(|d| check(&mut e, parse_text("display_name", &d, 100))),
        jurisdiction: body.jurisdiction.and_then(|j| match j {
            Some(j) => check(&mut e, parse_jurisdiction("jurisdiction", &j)).map(Some),
            None => Some(None),
        }),
        parks: body.parks,
        disabled: body.disabled,
    };
    if !e.is_empty() {
        return Err(e.into());
    }
    let stamp = state.stamp(&caller);
    let user = state
        .run(move |c| ops::accounts::update_user(c, id, changes, &stamp))
        .await?;
    json_response(StatusCode::OK, "application/json", &UserView::from(&user))
}

/// A user's tokens (never their secrets). Administrators only.
#[utoipa::path(tag = "access", operation_id = "list_tokens", params(("user_id" = i64, Path, description = "User id")), responses((status = 200, body = Vec<TokenView>), ReadProblems))]
#[get("/api/users/{user_id}/tokens")]
pub async fn list_tokens(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    access::require(&caller, Action::ManageUsers)?;
    let id = path.into_inner();
    let tokens = state
        .run(move |c| store::users::list_tokens(c, Some(id)))
        .await?;
    json_response(
        StatusCode::OK,
        "application/json",
        &tokens.iter().map(TokenView::from).collect::<Vec<_>>(),
    )
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct TokenIn {
    /// What the token is for, e.g. `QGIS on the bureau's workstation`.
    pub name: Option<String>,
    /// When it stops working (RFC 3339); never, when absent.
    pub expires_at: Option<DateTime<Utc>>,
}

/// Create a token for a user; the response carries the secret, once. Administrators only.
#[utoipa::path(tag = "access", operation_id = "create_token", params(("user_id" = i64, Path, description = "User id")), request_body = TokenIn, responses((status = 201, body = NewTokenView), WriteProblems))]
#[post("/api/users/{user_id}/tokens")]
pub async fn create_token(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    access::require(&caller, Action::ManageUsers)?;
    let body: TokenIn = body.parse()?;
    let id = path.into_inner();
    let name = parse_text("name", body.name.as_deref().unwrap_or(""), 100)?;
    let expires = body.expires_at.map(|t| t.naive_utc());
    let stamp = state.stamp(&caller);
    let (info, secret) = state
        .run(move |c| ops::accounts::create_token(c, id, &name, expires, &stamp))
        .await?;
    json_response(
        StatusCode::CREATED,
        "application/json",
        &NewTokenView {
            token: secret,
            info: TokenView::from(&info),
        },
    )
}

/// Revoke a token: it stops working at once. Administrators only.
#[utoipa::path(tag = "access", operation_id = "revoke_token", params(("token_id" = i64, Path, description = "Token id")), responses((status = 200, body = TokenView), WriteProblems))]
#[post("/api/tokens/{token_id}/revoke")]
pub async fn revoke_token(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    access::require(&caller, Action::ManageUsers)?;
    let id = path.into_inner();
    let stamp = state.stamp(&caller);
    let info = state
        .run(move |c| store::users::revoke_token(c, id, &stamp))
        .await?;
    json_response(StatusCode::OK, "application/json", &TokenView::from(&info))
}
