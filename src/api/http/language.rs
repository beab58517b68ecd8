//! The language refusals are written in (issue 17): Chinese — the language of the people who
//! use parkland — when the request's `Accept-Language` prefers it to English, English
//! otherwise (scripts, GIS clients and anything that says nothing keep the answers they were
//! written against). RFC 9457 leaves a problem's `title` and `detail` to content negotiation;
//! the response says which it chose in `Content-Language`.
//!
//! The choice is made once per request by [`speak`] and kept in a task-local (the language
//! itself, [`Language`], lives with the error type that writes in it), so that
//! `error::problem_response` — reached from handlers, extractors' error handlers and
//! middleware alike, none of which pass the request down — writes in it.

use crate::error::Language;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header;

/// Middleware: the rest of the request runs in the language its `Accept-Language` prefers.
pub async fn speak(
    req: ServiceRequest,
    next: actix_web::middleware::Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let language = Language::negotiate(
        req.headers()
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    );
    language.scope(next.call(req)).await
}
