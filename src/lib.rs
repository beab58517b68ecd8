//! parkland: the register of an industrial park's land and buildings, with an
//! OGC API – Features interface for map clients.

pub mod api;
pub mod config;
pub mod demo;
pub mod domain;
pub mod error;
pub mod exchange;
pub mod ops;
pub mod refusal;
pub mod spatial;
pub mod store;
pub mod views;

use actix_cors::Cors;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::{Compress, ErrorHandlerResponse, ErrorHandlers};
use actix_web::{App, HttpMessage, HttpRequest, HttpResponse, web};
use api::AppState;
use error::{ApiError, PROBLEM_JSON, Problem, problem_response};
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

/// The actix application, for `serve` and for the in-process tests.
pub fn app(
    state: AppState,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let cors = cors(&state.config.cors_origins);
    let (app, api) = App::new()
        .app_data(web::Data::new(state))
        .app_data(web::PathConfig::default().error_handler(|e, req| {
            ApiError::not_found(format!("no resource at {}: {e}", req.path())).into()
        }))
        .app_data(
            web::QueryConfig::default()
                .error_handler(|e, _| ApiError::invalid_parameter(e.to_string()).into()),
        )
        .into_utoipa_app()
        .configure(api::configure)
        .split_for_parts();
    let document = api::http::openapi::finalize(api);
    let fallbacks = method_fallbacks(&document);
    app.service(SwaggerUi::new("/docs/{_:.*}").external_url_unchecked("/openapi.json", document))
        .configure(fallbacks)
        .configure(api::http::dashboard::configure)
        .default_service(web::to(not_found))
        .wrap(actix_web::middleware::from_fn(api::ogc::tiles::route_tiles))
        .wrap(ErrorHandlers::new().default_handler(as_problem))
        .wrap(Compress::default())
        .wrap(actix_web::middleware::from_fn(guard))
        .wrap(actix_web::middleware::from_fn(api::http::language::speak))
        .wrap(cors)
        .wrap(actix_web::middleware::from_fn(head_as_get))
        .wrap(actix_web::middleware::from_fn(log_request))
}

/// For every documented path, answer the methods it does not have with 405 and an `Allow`
/// header (actix would otherwise fall through to 404, each route macro being its own resource).
fn method_fallbacks(document: &serde_json::Value) -> impl FnOnce(&mut web::ServiceConfig) + use<> {
    let mut routes: Vec<(String, String)> = Vec::new();
    if let Some(paths) = document["paths"].as_object() {
        for (path, item) in paths {
            let methods: Vec<String> = item
                .as_object()
                .map(|m| {
                    m.keys()
                        .filter(|k| k.as_str() != "parameters")
                        .map(|k| k.to_ascii_uppercase())
                        .collect()
                })
                .unwrap_or_default();
            routes.push((path.clone(), methods.join(", ")));
        }
    }
    move |cfg: &mut web::ServiceConfig| {
        for (path, allow) in routes {
            cfg.service(web::resource(path).to(move |req: HttpRequest| {
                let allow = allow.clone();
                async move {
                    let mut response = problem_response(
                        actix_web::http::StatusCode::METHOD_NOT_ALLOWED,
                        ApiError::new(
                            actix_web::http::StatusCode::METHOD_NOT_ALLOWED,
                            "method-not-allowed",
                            "Method not allowed",
                            format!(
                                "{} is not allowed on {}; allowed: {allow}",
                                req.method(),
                                req.path()
                            ),
                        )
                        .problem(),
                    );
                    if let Ok(v) = header::HeaderValue::from_str(&allow) {
                        response.headers_mut().insert(header::ALLOW, v);
                    }
                    response
                }
            }));
        }
    }
}

/// How a request's caller was identified.
enum Identity {
    /// No usable token: rate-limited as anonymous.
    None,
    /// Looked up now, with the user's read fence when one was asked for.
    Looked(Option<i64>),
    /// Kept from a moment ago (`api::http::token_memo`): read again in the request.
    Kept(api::http::token_memo::Held),
}

/// Who is calling, once per request: a valid token's user is kept in the request for the
/// `Caller` extractor; a request without one — no token, or one that cannot be used, even where
/// the endpoint never reads it — is rate-limited as anonymous.
async fn identify(req: &ServiceRequest, state: &AppState, fence: bool) -> Identity {
    use api::http::token_memo::{Identified, Lookup};
    let lookup = if fence {
        Lookup::Fenced
    } else if matches!(
        *req.method(),
        actix_web::http::Method::GET | actix_web::http::Method::HEAD
    ) {
        Lookup::Read
    } else {
        Lookup::Write
    };
    let secret = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(api::http::extract::bearer_token)
        .filter(|s| store::users::looks_like_token(s))
        .map(str::to_owned);
    let Some(secret) = secret else {
        return Identity::None;
    };
    // The caller's read fence, for a read a replica may answer, in the same turn.
    match api::http::token_memo::identify(state, secret, lookup).await {
        Ok(Identified::Looked(store::users::Authenticated::Ok(p, _), fenced)) => {
            req.extensions_mut().insert(domain::access::Caller::User(p));
            Identity::Looked(fenced)
        }
        Ok(Identified::Kept(held)) => {
            let p = held.principal().clone();
            req.extensions_mut().insert(domain::access::Caller::User(p));
            Identity::Kept(held)
        }
        _ => Identity::None,
    }
}

/// The rate limit for anonymous callers, and the security headers of every response.
async fn guard(
    req: ServiceRequest,
    next: actix_web::middleware::Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<actix_web::body::BoxBody>, actix_web::Error> {
    // Two credentials are one too many: which one wins would be the server's guess (actix
    // reads the first, a proxy may keep the last), so the request is refused, not guessed at.
    if req
        .headers()
        .get_all(header::AUTHORIZATION)
        .nth(1)
        .is_some()
    {
        let refused =
            ApiError::bad_request("the request carries two Authorization headers; send one")
                .zh("请求带有两个 Authorization 头，只能带一个");
        let response = actix_web::ResponseError::error_response(&refused);
        return Ok(req.into_response(response));
    }
    let authenticated = req.headers().contains_key(header::AUTHORIZATION);
    let docs = req.path().starts_with("/docs");
    let dashboard = req.path().starts_with("/dashboard");
    let state = req.app_data::<web::Data<AppState>>().cloned();
    // A heavy read may be answered by the read replica (api::replica), if there is one.
    let replica = state.as_ref().is_some_and(|s| s.read_db.is_some())
        && api::replica::route(req.method(), req.path());
    let identified = match &state {
        Some(s) if authenticated => identify(&req, s, replica).await,
        _ => Identity::None,
    };
    if matches!(identified, Identity::None)
        && let Some(state) = &state
    {
        let ip = api::http::ratelimit::client_ip(req.request(), &state.config);
        if let Err(wait) = state.limiter.take(state, ip).await {
            let response = api::http::ratelimit::too_many(
                wait,
                "此地址的匿名请求过多",
                "或使用 API 令牌",
                "this address has made too many anonymous requests",
                "or use an API token",
            );
            return Ok(req.into_response(response));
        }
    }
    // A caller who sent a token that did not identify them is read from the primary: their
    // answer is a refusal, which must not depend on a replica's delay.
    let fence = match &identified {
        Identity::Looked(fence) => Some(*fence),
        Identity::None if !authenticated => Some(None),
        Identity::None | Identity::Kept(_) => None,
    };
    let mut res = match (fence, identified) {
        (Some(fence), _) if replica => api::replica::ROUTE
            .scope(fence, next.call(req))
            .await?
            .map_into_boxed_body(),
        (_, Identity::Kept(held)) => {
            // A kept token not read by any store work of the handler is read now, and its
            // refusal replaces the answer.
            let state = state.clone();
            held.scope(async move {
                let res = next.call(req).await?.map_into_boxed_body();
                let checked = match &state {
                    Some(s) => api::http::token_memo::checked_after(s).await,
                    None => Ok(()),
                };
                Ok::<_, actix_web::Error>(match checked {
                    Ok(()) => res,
                    Err(refused) => {
                        let response = actix_web::ResponseError::error_response(&refused);
                        res.into_response(response)
                    }
                })
            })
            .await?
        }
        _ => next.call(req).await?.map_into_boxed_body(),
    };
    let headers = res.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        header::HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        header::HeaderValue::from_static("no-referrer"),
    );
    headers.insert(
        header::X_FRAME_OPTIONS,
        header::HeaderValue::from_static("DENY"),
    );
    // The API serves data, never pages — except the documentation, which needs its own assets.
    let csp = if docs {
        header::HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
        )
    } else if let Some(policy) = dashboard
        .then(|| res.request().app_data::<web::Data<AppState>>())
        .flatten()
        .and_then(|s| {
            header::HeaderValue::from_str(&api::http::dashboard::csp(&s.config.basemap)).ok()
        })
    {
        policy
    } else {
        header::HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'")
    };
    let headers = res.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, csp);
    if authenticated {
        // What a token may see must never be served from a shared cache to someone else.
        headers.insert(
            header::CACHE_CONTROL,
            header::HeaderValue::from_static("private, no-cache"),
        );
        headers.append(
            header::VARY,
            header::HeaderValue::from_static("Authorization"),
        );
    }
    Ok(res)
}

/// Answer HEAD like GET, without the body (route macros only match GET).
async fn head_as_get(
    mut req: ServiceRequest,
    next: actix_web::middleware::Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<actix_web::body::BoxBody>, actix_web::Error> {
    let head = req.method() == actix_web::http::Method::HEAD;
    if head {
        req.head_mut().method = actix_web::http::Method::GET;
    }
    let res = next.call(req).await?;
    if head {
        return Ok(res.map_body(|_, _| actix_web::body::BoxBody::new(())));
    }
    Ok(res.map_into_boxed_body())
}

/// Unknown paths: a trailing slash is redirected to the path without it (and `/docs` to
/// `/docs/`, where the documentation lives); anything else is a 404 problem.
async fn not_found(req: HttpRequest) -> HttpResponse {
    let path = req.path();
    let query = if req.query_string().is_empty() {
        String::new()
    } else {
        format!("?{}", req.query_string())
    };
    let target = if path == "/docs" {
        Some("/docs/".to_owned())
    } else if path.len() > 1 && path.ends_with('/') {
        Some(path.trim_end_matches('/').to_owned())
    } else {
        None
    };
    if let Some(target) = target.filter(|t| !t.is_empty()) {
        return HttpResponse::PermanentRedirect()
            .insert_header((header::LOCATION, format!("{target}{query}")))
            .finish();
    }
    problem_response(
        actix_web::http::StatusCode::NOT_FOUND,
        ApiError::not_found(format!("there is no resource at {}", req.path()))
            .zh(format!("此地址没有资源：{}", req.path()))
            .problem(),
    )
}

/// Turn any error response that is not already problem+json (actix's own 405, payload and
/// routing errors) into one, so every error a client sees has the same form.
fn as_problem<B>(res: ServiceResponse<B>) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let is_problem = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(PROBLEM_JSON.as_bytes()));
    if is_problem {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    let detail = if status == actix_web::http::StatusCode::METHOD_NOT_ALLOWED {
        format!(
            "{} is not allowed on {}",
            res.request().method(),
            res.request().path()
        )
    } else if status.is_server_error() {
        "the server could not complete the request".to_owned()
    } else {
        res.response()
            .error()
            .map(ToString::to_string)
            .unwrap_or_else(|| status.canonical_reason().unwrap_or("error").to_owned())
    };
    let problem = Problem {
        problem_type: "about:blank".into(),
        title: status.canonical_reason().unwrap_or("Error").into(),
        status: status.as_u16(),
        detail,
        errors: Vec::new(),
        overlaps: Vec::new(),
        current_version: None,
        rejected: Vec::new(),
        reference: None,
        bound: None,
        limit: None,
        detail_zh: None,
    };
    let (req, original) = res.into_parts();
    let mut response = problem_response(status, &problem);
    for (name, value) in original.headers() {
        if name == header::ALLOW || name == header::RETRY_AFTER {
            response.headers_mut().insert(name.clone(), value.clone());
        }
    }
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(req, response).map_into_right_body(),
    ))
}

fn cors(origins: &str) -> Cors {
    let base = Cors::default()
        .allowed_methods(["GET", "HEAD", "POST", "PATCH", "OPTIONS"])
        // Any request header: browsers' libraries add their own (Accept, X-Requested-With …)
        // and no cookies are involved, so there is nothing to protect by listing them.
        .allow_any_header()
        .expose_headers([header::ETAG, header::LOCATION])
        .max_age(3600);
    if origins.trim() == "*" {
        base.allow_any_origin()
    } else {
        origins
            .split(',')
            .map(str::trim)
            .filter(|o| !o.is_empty())
            .fold(base, |c, o| c.allowed_origin(o))
    }
}

async fn log_request(
    req: ServiceRequest,
    next: actix_web::middleware::Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = std::time::Instant::now();
    let (method, path) = (req.method().clone(), req.path().to_owned());
    let res = next.call(req).await?;
    tracing::info!(%method, %path, status = res.status().as_u16(), ms = started.elapsed().as_millis() as u64, "request");
    Ok(res)
}
