//! Request extractors: strict JSON bodies, If-Match, the declared input CRS, the acting user
//! and the base URL for links.

use crate::api::AppState;
use crate::api::http::input::{NOT_NULL, NOT_NULL_ZH, NamedCrs};
use crate::api::http::strict_json::Strict;
use crate::domain::access::Caller;
use crate::error::ApiError;
use crate::spatial::crs::Crs;
use crate::spatial::input::InputCrs;
use crate::store;
use crate::store::users::Authenticated;
use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderMap};
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::StreamExt;
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;

/// Read a request body up to `limit` bytes (413 beyond it).
pub async fn read_body(
    mut payload: Payload,
    declared: Option<usize>,
    limit: usize,
) -> Result<web::Bytes, ApiError> {
    if declared.is_some_and(|n| n > limit) {
        return Err(ApiError::payload_too_large(limit));
    }
    let mut body = web::BytesMut::with_capacity(declared.unwrap_or(0).min(limit));
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| {
            ApiError::bad_request(format!("the request body could not be read: {e}"))
        })?;
        if body.len() + chunk.len() > limit {
            return Err(ApiError::payload_too_large(limit));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

pub fn content_length(headers: &HeaderMap) -> Option<usize> {
    headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
}

/// The media type of the body, lower-cased, without parameters.
pub fn media_type(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
}

/// A JSON body (`application/json`, `application/geo+json`, `application/merge-patch+json` or
/// any `+json`), read up to the size limit but parsed only when the handler asks — after it has
/// checked who is calling, so a caller without the right gets 401/403, not a verdict on its body.
/// Parsing is strict: unknown fields and wrong types are refused with the path of the field.
pub struct JsonBody(Result<web::Bytes, ApiError>);

impl JsonBody {
    pub fn parse<T: DeserializeOwned>(self) -> Result<T, ApiError> {
        parse_json(&self.0?)
    }

    /// A body large enough that reading and checking it is work to take turns for (a geometry
    /// of ten thousand vertices or more).
    pub fn is_large(&self) -> bool {
        self.0.as_ref().is_ok_and(|b| b.len() > 512 * 1024)
    }
}

impl FromRequest for JsonBody {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let limit = req
            .app_data::<web::Data<AppState>>()
            .map_or(crate::config::HttpConfig::DEFAULT_MAX_BODY, |s| {
                s.config.max_body_bytes
            });
        let media = media_type(req.headers());
        let declared = content_length(req.headers());
        let payload = payload.take();
        Box::pin(async move {
            let media_ok = match media.as_deref() {
                Some("application/json") => Ok(()),
                Some(m) if m.starts_with("application/") && m.ends_with("+json") => Ok(()),
                Some(other) => Err(ApiError::unsupported_media_type(format!(
                    "the body must be JSON (application/json or application/geo+json), not {other}"
                ))),
                None => Err(ApiError::unsupported_media_type(
                    "send the body with Content-Type: application/json (or application/geo+json)",
                )),
            };
            let bytes = match media_ok {
                Ok(()) => read_body(payload, declared, limit).await,
                Err(e) => Err(e),
            };
            Ok(JsonBody(bytes))
        })
    }
}

/// Parse JSON, explaining syntax errors and naming the field of data errors.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::bad_request(
            "the request body is empty; expected a JSON document",
        ));
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value: T = serde_path_to_error::deserialize(Strict(&mut de))
        .map_err(|e| explain_json_error(bytes, e))?;
    de.end().map_err(|e| syntax_error(bytes, e))?;
    Ok(value)
}

/// The problem for a body serde could not read: kept out of the generic [`parse_json`] so it
/// is compiled once, not once per body type.
fn explain_json_error(bytes: &[u8], e: serde_path_to_error::Error<serde_json::Error>) -> ApiError {
    let path = e.path().to_string();
    let inner = e.into_inner();
    if inner.is_syntax() || inner.is_eof() {
        return syntax_error(bytes, inner);
    }
    let mut message = inner.to_string();
    if message.starts_with(NOT_NULL) {
        return ApiError::invalid(vec![crate::domain::FieldError::both(
            path,
            NOT_NULL,
            NOT_NULL_ZH,
        )]);
    }
    let mut message_zh = serde_in_chinese(&message);
    if message.contains("`area_m2`") || message.contains("`area_mu`") {
        message.push_str(" (area_m2 and area_mu are computed from the geometry and cannot be set)");
        message_zh.push_str("（area_m2 和 area_mu 由几何图形计算得出，不能填写）");
    }
    let field = match (path.as_str(), unknown_field(&message)) {
        // A tagged body (a supply fact) is read whole before its fields: serde knows the
        // unknown field's name but not its path, which for these bodies is the name.
        (".", Some(name)) => name.to_owned(),
        (".", None) => String::new(),
        _ => path,
    };
    ApiError::malformed(field, message, message_zh)
}

/// serde's account of a body it could not read, in Chinese: its few kinds of message
/// (unknown or missing field, wrong type or value, unknown variant) said in Chinese with the
/// names and expectations it quotes kept as they are; anything else is quoted whole.
pub fn serde_in_chinese(message: &str) -> String {
    let (body, place) = match message.rfind(" at line ") {
        Some(i) => (&message[..i], &message[i + 1..]),
        None => (message, ""),
    };
    let place = place
        .strip_prefix("at line ")
        .and_then(|rest| rest.split_once(" column "))
        .map(|(line, column)| format!("（第 {line} 行第 {column} 列）"))
        .unwrap_or_default();
    let split = |rest: &str| -> (String, String) {
        match rest.split_once(", expected ") {
            Some((got, want)) => (got.to_owned(), want.to_owned()),
            None => (rest.to_owned(), String::new()),
        }
    };
    let said = if let Some(rest) = body.strip_prefix("unknown field ") {
        let (name, want) = split(rest);
        match want.strip_prefix("one of ") {
            Some(list) => format!("未知字段 {name}；可用的字段为 {list}"),
            None if want.is_empty() || want == "there are no fields" => format!("未知字段 {name}"),
            None => format!("未知字段 {name}；可用的字段为 {want}"),
        }
    } else if let Some(rest) = body.strip_prefix("unknown variant ") {
        let (name, want) = split(rest);
        let want = want.strip_prefix("one of ").unwrap_or(&want).to_owned();
        format!("{name} 不是可选的取值；可选值为 {want}")
    } else if let Some(name) = body.strip_prefix("missing field ") {
        format!("缺少必填字段 {name}")
    } else if let Some(name) = body.strip_prefix("duplicate field ") {
        format!("字段 {name} 重复出现")
    } else if let Some(rest) = body.strip_prefix("invalid type: ") {
        let (got, want) = split(rest);
        format!("类型不符：收到 {got}，应为 {want}")
    } else if let Some(rest) = body.strip_prefix("invalid value: ") {
        let (got, want) = split(rest);
        format!("取值无效：收到 {got}，应为 {want}")
    } else if let Some(rest) = body.strip_prefix("invalid length ") {
        let (got, want) = split(rest);
        format!("长度不符：收到 {got}，应为 {want}")
    } else {
        format!("无法读取：{body}")
    };
    format!("{said}{place}")
}

fn syntax_error(bytes: &[u8], inner: serde_json::Error) -> ApiError {
    let text = String::from_utf8_lossy(bytes);
    let hint = if text.contains("NaN") || text.contains("Infinity") {
        " (JSON has no NaN or Infinity: every number must be finite)"
    } else {
        ""
    };
    ApiError::bad_request(format!("the body is not valid JSON: {inner}{hint}"))
}

/// The field serde names in an "unknown field `x`, expected …" message.
fn unknown_field(message: &str) -> Option<&str> {
    message.strip_prefix("unknown field `")?.split('`').next()
}

/// The `If-Match` header of a write: read by the extractor, judged by the handler after it
/// has checked who is calling (428 without it, 412 when it names an older version).
#[derive(Debug, Clone)]
pub struct IfMatch(Option<String>);

impl IfMatch {
    /// The version the client read: `None` for `If-Match: *` (overwrite whatever is stored);
    /// anything unparsable can match no version.
    pub fn expected(&self) -> Result<Option<i64>, ApiError> {
        match self.0.as_deref().map(str::trim) {
            None => Err(ApiError::precondition_required()),
            Some("*") => Ok(None),
            Some(v) => {
                let tag = v.split(',').next().unwrap_or("").trim();
                let tag = tag.strip_prefix("W/").unwrap_or(tag);
                Ok(Some(tag.trim_matches('"').parse().unwrap_or(-1)))
            }
        }
    }
}

impl FromRequest for IfMatch {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let value = req
            .headers()
            .get(header::IF_MATCH)
            .map(|v| v.to_str().unwrap_or("").to_owned());
        std::future::ready(Ok(IfMatch(value)))
    }
}

/// The strong ETag of a record version.
pub fn version_etag(version: i64) -> String {
    format!("\"{version}\"")
}

/// The secret of an `Authorization: Bearer <token>` header, if there is one.
pub fn bearer_secret(req: &HttpRequest) -> Option<&str> {
    bearer_token(req.headers().get(header::AUTHORIZATION)?.to_str().ok()?)
}

/// The token of a `Bearer` credential (possibly empty: that is a malformed token, not another
/// scheme). The scheme is matched without regard to case (RFC 7235 §2.1: `bearer`, `BEARER`
/// and `Bearer` are the same scheme).
pub fn bearer_token(value: &str) -> Option<&str> {
    let value = value.trim();
    let (scheme, token) = value.split_once([' ', '\t']).unwrap_or((value, ""));
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// Who is calling: the user of the `Authorization: Bearer <token>` header, or anonymous.
///
/// A header that is present but wrong (malformed, unknown, revoked, expired, or a disabled
/// user's) is a 401 — never silently treated as anonymous. Browser sessions can later resolve
/// to the same `Caller`.
impl FromRequest for Caller {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        // Identified once already (see `guard` in lib.rs)?
        if let Some(caller) = actix_web::HttpMessage::extensions(req)
            .get::<Caller>()
            .cloned()
        {
            // Kept from a moment ago: now that the request depends on it, it is confirmed
            // before the request's store work or answer (`token_memo`).
            super::token_memo::used();
            return Box::pin(async move { Ok(caller) });
        }
        let header = req
            .headers()
            .get(header::AUTHORIZATION)
            .map(|v| v.to_str().unwrap_or("").to_owned());
        let state = req.app_data::<web::Data<AppState>>().cloned();
        Box::pin(async move {
            let Some(header) = header else {
                return Ok(Caller::Anonymous);
            };
            let Some(secret) = bearer_token(&header) else {
                return Err(ApiError::invalid_token(
                    "use `Authorization: Bearer <token>`",
                ));
            };
            if !store::users::looks_like_token(secret) {
                return Err(ApiError::invalid_token("the token is malformed"));
            }
            let state = state.ok_or_else(|| ApiError::internal(&"no application state"))?;
            let now = state.clock.now().naive_utc();
            let secret = secret.to_owned();
            match state
                .run_primary(move |c| store::users::authenticate(c, &secret, now))
                .await?
            {
                Authenticated::Ok(p, _) => Ok(Caller::User(p)),
                refused => Err(super::token_memo::refusal(&refused)),
            }
        })
    }
}

/// The CRS of input coordinates: the `Content-Crs` header (OGC API – Features Part 4; the
/// authority's axis order applies) or the body's `crs` member (easting first, as GeoJSON
/// writers do); CGCS2000 lon/lat when neither is given.
pub fn input_crs(req: &HttpRequest, member: Option<&NamedCrs>) -> Result<InputCrs, ApiError> {
    combine_crs(header_crs(req)?, member)
}

fn unsupported_crs(e: crate::spatial::crs::CrsError) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "unsupported-crs",
        "Unsupported coordinate reference system",
        e.0,
    )
}

/// The `Content-Crs` header's CRS, if the request has one.
pub fn header_crs(req: &HttpRequest) -> Result<Option<InputCrs>, ApiError> {
    match req.headers().get("Content-Crs") {
        Some(v) => {
            let crs = Crs::parse(v.to_str().unwrap_or("")).map_err(unsupported_crs)?;
            Ok(Some(InputCrs {
                crs,
                north_first: crs.authority_order_is_north_first(),
            }))
        }
        None => Ok(None),
    }
}

/// The header's CRS and the body's `crs` member, which must agree when both are given.
pub fn combine_crs(
    header: Option<InputCrs>,
    member: Option<&NamedCrs>,
) -> Result<InputCrs, ApiError> {
    let body = match member {
        Some(m) => {
            if m.kind != "name" {
                return Err(ApiError::bad_request(
                    "the crs member must be of type \"name\"",
                ));
            }
            Some(InputCrs {
                crs: Crs::parse(&m.properties.name).map_err(unsupported_crs)?,
                north_first: false,
            })
        }
        None => None,
    };
    match (header, body) {
        (Some(h), Some(b)) if h.crs != b.crs => Err(ApiError::bad_request(format!(
            "the Content-Crs header ({}) and the body's crs member ({}) disagree",
            h.crs.name(),
            b.crs.name()
        ))),
        (Some(h), _) => Ok(h),
        (None, Some(b)) => Ok(b),
        (None, None) => Ok(InputCrs::default()),
    }
}

/// The URL prefix links are built on, without a trailing slash.
pub fn base_url(req: &HttpRequest, state: &AppState) -> String {
    if let Some(url) = &state.config.public_url {
        return url.trim_end_matches('/').to_owned();
    }
    if state.config.trust_forwarded {
        let info = req.connection_info();
        return format!("{}://{}", info.scheme(), info.host());
    }
    // Without a trusted proxy, X-Forwarded-* and Forwarded come from whoever sent the request;
    // only Host (which routed the request here) is used.
    let host = req
        .headers()
        .get(actix_web::http::header::HOST)
        .and_then(|h| h.to_str().ok());
    let host = host.map_or_else(|| req.app_config().host().to_owned(), str::to_owned);
    format!(
        "{}://{host}",
        if req.app_config().secure() {
            "https"
        } else {
            "http"
        }
    )
}

#[cfg(test)]
mod tests {
    use super::serde_in_chinese;

    #[test]
    fn serde_messages_are_said_in_chinese() {
        assert_eq!(
            serde_in_chinese(
                "unknown field `colour`, expected one of `name`, `far_max` at line 1 column 25"
            ),
            "未知字段 `colour`；可用的字段为 `name`, `far_max`（第 1 行第 25 列）"
        );
        assert_eq!(
            serde_in_chinese("missing field `date`"),
            "缺少必填字段 `date`"
        );
        assert_eq!(
            serde_in_chinese("invalid type: string \"十\", expected f64 at line 1 column 15"),
            "类型不符：收到 string \"十\"，应为 f64（第 1 行第 15 列）"
        );
        assert_eq!(
            serde_in_chinese("unknown variant `gold`, expected one of `fee`, `recovery`"),
            "`gold` 不是可选的取值；可选值为 `fee`, `recovery`"
        );
        assert_eq!(
            serde_in_chinese("premature end of input"),
            "无法读取：premature end of input"
        );
    }
}
