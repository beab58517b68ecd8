//! `/api/sessions`: signing in with a name and password (the dashboard's way in), signing out,
//! and administrators setting passwords. A sign-in is an ordinary API token that expires after
//! a working day, so every endpoint treats a browser exactly like a script; nothing is kept in
//! cookies, so there is no cross-site request forgery to defend against.

use crate::api::http::access;
use crate::api::http::extract::{JsonBody, bearer_secret};
use crate::api::http::ratelimit;
use crate::api::{AppState, json_response};
use crate::domain::access::{Action, Caller};
use crate::error::{ApiError, ReadProblems, WriteProblems};
use crate::ops;
use crate::store;
use crate::views::access::NewTokenView;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, post, put, web};
use serde::Deserialize;
use utoipa::ToSchema;

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(sign_in).service(sign_out).service(set_password);
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignIn {
    pub name: String,
    pub password: String,
}

/// Sign in: a name and password for a token that works for 12 hours. A wrong name, a wrong
/// password, a disabled user and a user without a password all get the same 401. Attempts are
/// limited per address (10 a minute), whatever else the request carries; the password is
/// checked off the database connection, so a flood of attempts cannot starve the pool.
#[utoipa::path(tag = "access", operation_id = "sign_in", security(()), request_body = SignIn, responses((status = 201, body = NewTokenView), (status = 401, description = "The name or password is wrong, or the user is disabled", body = crate::error::Problem, content_type = "application/problem+json"), WriteProblems))]
#[post("/api/sessions")]
pub async fn sign_in(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let ip = ratelimit::client_ip(&req, &state.config);
    if let Err(wait) = state.sign_in_limiter.take(&state, ip).await {
        return Ok(ratelimit::too_many(
            wait,
            "此地址登录尝试过多",
            "或请管理员重置密码",
            "too many sign-in attempts from this address",
            "or ask an administrator to reset the password",
        ));
    }
    let body: SignIn = body.parse()?;
    let name = body.name.trim().to_owned();
    let credentials = state
        .run({
            let name = name.clone();
            move |c| store::passwords::credentials(c, &name)
        })
        .await?;
    let Some((user_id, _)) = web::block(move || {
        store::passwords::opens(&body.password, credentials.as_ref())
            .then_some(credentials)
            .flatten()
    })
    .await?
    else {
        return Err(ApiError::unauthenticated(
            "the name and password do not match an account",
        ));
    };
    let now = state.clock.now().naive_utc();
    let (info, secret) = state
        .run(move |c| ops::accounts::sign_in(c, user_id, &name, now))
        .await?;
    json_response(
        StatusCode::CREATED,
        "application/json",
        &NewTokenView {
            token: secret,
            info: (&info).into(),
        },
    )
}

/// Sign out: the token this request carries stops working at once.
#[utoipa::path(tag = "access", operation_id = "sign_out", responses((status = 204, description = "The token is revoked"), ReadProblems))]
#[post("/api/sessions/end")]
pub async fn sign_out(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    access::require(&caller, Action::ReadSelf)?;
    let secret = bearer_secret(&req)
        .ok_or_else(|| ApiError::internal(&"an authenticated caller without a bearer token"))?
        .to_owned();
    let stamp = state.stamp(&caller);
    state
        .run(move |c| store::passwords::sign_out(c, &secret, &stamp))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordIn {
    /// At least 10 characters.
    pub password: String,
}

/// Set a user's password (replacing any other) and end that user's sign-ins. Administrators
/// only; the audit trail records that it changed, never what to.
#[utoipa::path(tag = "access", operation_id = "set_password", params(("user_id" = i64, Path, description = "User id")), request_body = PasswordIn, responses((status = 204, description = "The password is set"), WriteProblems))]
#[put("/api/users/{user_id}/password")]
pub async fn set_password(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    access::require(&caller, Action::ManageUsers)?;
    let body: PasswordIn = body.parse()?;
    crate::domain::access::check_password(&body.password)?;
    let hashed = web::block(move || store::passwords::hash(&body.password)).await??;
    let id = path.into_inner();
    let stamp = state.stamp(&caller);
    state
        .run(move |c| store::passwords::set_hash(c, id, hashed, &stamp))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
