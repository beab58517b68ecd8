//! The one error type at the HTTP boundary, rendered as RFC 9457 `application/problem+json`.
//!
//! Mapping: malformed requests → 400, well-formed but invalid values → 422, missing → 404,
//! clashes with other records → 409, stale `If-Match` → 412, missing `If-Match` → 428,
//! oversize → 413, wrong media type → 415, database down → 503. Internal causes are logged
//! with a reference the response repeats, never shown.

use crate::domain::FieldError;
use crate::store::StoreError;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use std::fmt;
use utoipa::ToSchema;

/// Problem types are `tag:` URIs (RFC 4151), as RFC 9457 suggests for types that are not meant
/// to be dereferenced; `docs/errors.md` lists them.
pub const PROBLEM_TYPE_PREFIX: &str = "tag:parkland,2026:problem:";

pub const PROBLEM_JSON: &str = "application/problem+json";

/// A problem details document.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// `tag:parkland,2026:problem:<slug>`, or `about:blank` for plain HTTP errors.
    #[serde(rename = "type")]
    pub problem_type: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Each invalid field and why, when the request had several problems.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemField>,
    /// Parcels a geometry overlaps, with the shared area.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub overlaps: Vec<Overlap>,
    /// The version stored now, when an edit was based on an older one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_version: Option<i64>,
    /// Features of an import that were refused, with every reason (nothing was written).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rejected: Vec<crate::domain::register::Rejection>,
    /// Reference to the server log entry of an internal error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// The bound an upload or body went beyond (`upload_bytes`, `unpacked_bytes`,
    /// `archive_entries`, `features`, `vertices_per_feature`, `vertices`, `values`, `rows`,
    /// `columns`, `cells`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bound: Option<String>,
    /// That bound's value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u64>,
    /// The detail in Chinese, where the refusal was written in both languages: served as
    /// `detail` to a request that prefers Chinese (`api::http::language`).
    #[serde(skip)]
    pub detail_zh: Option<String>,
}

impl Problem {
    /// The problem as a request preferring Chinese reads it: the type's Chinese title, and the
    /// Chinese detail where there is one (the English one where there is not yet).
    fn in_chinese(&self) -> Problem {
        let slug = self
            .problem_type
            .strip_prefix(PROBLEM_TYPE_PREFIX)
            .unwrap_or_default();
        let title = title_zh(slug)
            .or_else(|| status_zh(self.status))
            .unwrap_or(&self.title);
        Problem {
            title: title.to_owned(),
            detail: self
                .detail_zh
                .clone()
                .unwrap_or_else(|| self.detail.clone()),
            errors: self
                .errors
                .iter()
                .map(|f| ProblemField {
                    message: f.message_zh.clone().unwrap_or_else(|| f.message.clone()),
                    ..f.clone()
                })
                .collect(),
            ..self.clone()
        }
    }
}

/// Each problem type's title in Chinese (`docs/errors.md` lists both).
pub fn title_zh(slug: &str) -> Option<&'static str> {
    Some(match slug {
        "bad-request" => "请求格式有误",
        "malformed-body" => "请求内容的结构不符合要求",
        "invalid-parameter" => "查询参数有误",
        "unsupported-crs" => "不支持该坐标参考系",
        "unauthenticated" => "需要登录",
        "invalid-token" => "令牌无法使用",
        "forbidden" => "无权进行此操作",
        "not-found" => "未找到",
        "method-not-allowed" => "不支持该请求方法",
        "conflict" => "与登记簿中的记录冲突",
        "parcel-overlap" => "宗地范围与其他宗地重叠",
        "version-mismatch" => "记录已被他人修改",
        "payload-too-large" => "请求内容过大",
        "limit-exceeded" => "上传超出限制",
        "unsupported-media-type" => "不支持该媒体类型",
        "validation-failed" => "提交的数据有误",
        "import-rejected" => "导入被拒绝",
        "if-match-required" => "缺少 If-Match 版本标识",
        "rate-limited" => "请求过于频繁",
        "busy" => "服务繁忙",
        "unavailable" => "数据库暂时无法连接",
        "internal" => "服务器内部错误",
        _ => return None,
    })
}

/// Plain HTTP errors (`about:blank`) by status, in Chinese.
fn status_zh(status: u16) -> Option<&'static str> {
    Some(match status {
        400 => "请求有误",
        404 => "未找到",
        405 => "不支持该请求方法",
        413 => "请求内容过大",
        415 => "不支持该媒体类型",
        500 => "服务器内部错误",
        503 => "服务暂时不可用",
        _ => return None,
    })
}

/// One overlapping parcel, named for the error message.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Overlap {
    pub parcel_id: i64,
    pub code: String,
    pub overlap_m2: f64,
}

impl From<crate::refusal::Overlap> for Overlap {
    fn from(o: crate::refusal::Overlap) -> Self {
        Overlap {
            parcel_id: o.parcel_id,
            code: o.code,
            overlap_m2: o.overlap_m2,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProblemField {
    /// Path of the field, e.g. `properties.far_max` or `geometry.coordinates[0][3]`.
    pub field: String,
    pub message: String,
    /// The message in Chinese where written: served as `message` to a request preferring it.
    #[serde(skip)]
    pub message_zh: Option<String>,
}

/// An error on its way to becoming a problem response.
#[derive(Debug, Clone)]
pub struct ApiError {
    status: StatusCode,
    /// Boxed: errors travel through every `Result` of a handler, so they should be small.
    problem: Box<Problem>,
    /// Seconds after which a retry may succeed (`Retry-After`), for 429 and 503.
    retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, slug: &str, title: &str, detail: impl Into<String>) -> Self {
        let problem_type = if slug.is_empty() {
            "about:blank".to_owned()
        } else {
            format!("{PROBLEM_TYPE_PREFIX}{slug}")
        };
        Self {
            status,
            problem: Box::new(Problem {
                problem_type,
                title: title.to_owned(),
                status: status.as_u16(),
                detail: detail.into(),
                errors: Vec::new(),
                overlaps: Vec::new(),
                current_version: None,
                rejected: Vec::new(),
                reference: None,
                bound: None,
                limit: None,
                detail_zh: None,
            }),
            retry_after: None,
        }
    }

    /// The detail in Chinese, for requests that prefer it (the English one stays for others).
    pub fn zh(mut self, detail: impl Into<String>) -> Self {
        self.problem.detail_zh = Some(detail.into());
        self
    }

    /// Ask the client to retry after `seconds` (sent as `Retry-After`).
    pub fn retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds);
        self
    }

    /// The store is busy with other writers or out of connections: retry shortly.
    pub fn busy(detail: impl Into<String>, seconds: u64) -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "busy",
            "The service is busy",
            detail,
        )
        .retry_after(seconds)
    }

    /// An upload beyond one of its bounds: 413 for sizes, 422 for counts.
    pub fn limit_exceeded(limit: &crate::exchange::limits::LimitExceeded) -> Self {
        let status = if limit.bound.is_size() {
            StatusCode::PAYLOAD_TOO_LARGE
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        let mut e = Self::new(
            status,
            "limit-exceeded",
            "The upload is beyond a limit",
            limit.detail.clone(),
        );
        e.problem.bound = Some(limit.bound.name().to_owned());
        e.problem.limit = Some(limit.limit);
        e
    }

    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "bad-request",
            "The request is malformed",
            detail,
        )
    }

    pub fn invalid_parameter(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "invalid-parameter",
            "A query parameter is invalid",
            detail,
        )
    }

    /// A body that parsed as JSON but not as the expected document (unknown field, wrong type).
    pub fn malformed(field: String, message: String, message_zh: String) -> Self {
        let (detail, detail_zh) = if field.is_empty() {
            (message.clone(), message_zh.clone())
        } else {
            (
                format!("{field}: {message}"),
                format!("{field}：{message_zh}"),
            )
        };
        let mut e = Self::new(
            StatusCode::BAD_REQUEST,
            "malformed-body",
            "The request body does not have the expected form",
            detail,
        )
        .zh(detail_zh);
        e.problem.errors = vec![ProblemField {
            field,
            message,
            message_zh: Some(message_zh),
        }];
        e
    }

    /// No or bad credentials (401, with `WWW-Authenticate`).
    pub fn unauthenticated(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "Authentication is required",
            detail,
        )
    }

    /// A token was presented but cannot be used.
    pub fn invalid_token(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "invalid-token",
            "The token cannot be used",
            detail,
        )
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", "Not allowed", detail)
    }

    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not-found", "Not found", detail)
    }

    pub fn invalid(errors: Vec<FieldError>) -> Self {
        let (detail, detail_zh) = match errors.as_slice() {
            [one] => (
                one.to_string(),
                format!("{}：{}", one.field, one.message_zh()),
            ),
            many => (
                format!("{} fields are invalid: {}", many.len(), join(many)),
                format!("{} 处有误：{}", many.len(), join_zh(many)),
            ),
        };
        let mut e = Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation-failed",
            "The request contains invalid values",
            detail,
        )
        .zh(detail_zh);
        e.problem.errors = errors
            .into_iter()
            .map(|f| ProblemField {
                field: f.field,
                message: f.message,
                message_zh: f.message_zh,
            })
            .collect();
        e
    }

    /// An import with refused features: nothing was written. The first
    /// [`MAX_REJECTIONS_LISTED`] are listed — enough to fix a file by; a list of every feature
    /// of a huge file would be a second upload's worth of answer.
    pub fn import_rejected(report: crate::domain::register::ImportReport) -> Self {
        let refused = report.rejected.len();
        let mut e = Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "import-rejected",
            "The import was refused",
            format!(
                "{refused} of {} features cannot be imported, so nothing was written; {} listed in `rejected` with its reasons",
                report.features,
                listed(refused)
            ),
        )
        .zh(format!(
            "{} 个要素中有 {refused} 个无法导入，未写入任何内容；原因见 rejected",
            report.features
        ));
        e.problem.rejected = report.rejected;
        e.problem.rejected.truncate(MAX_REJECTIONS_LISTED);
        e
    }

    /// A spreadsheet with refused rows: nothing was written (the first
    /// [`MAX_REJECTIONS_LISTED`] are listed).
    pub fn rows_rejected(rows: usize, rejected: Vec<crate::domain::register::Rejection>) -> Self {
        let refused = rejected.len();
        let mut e = Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "import-rejected",
            "The import was refused",
            format!(
                "{refused} of {rows} rows cannot be imported, so nothing was written; {} listed in `rejected` with its row number and the columns that are wrong",
                listed(refused)
            ),
        )
        .zh(format!(
            "{rows} 行中有 {refused} 行无法导入，未写入任何内容；行号和有误的列见 rejected"
        ));
        e.problem.rejected = rejected;
        e.problem.rejected.truncate(MAX_REJECTIONS_LISTED);
        e
    }

    pub fn payload_too_large(limit: usize) -> Self {
        let mut e = Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload-too-large",
            "The request body is too large",
            format!("the body exceeds the limit of {limit} bytes"),
        )
        .zh(format!("请求内容超过了 {limit} 字节的上限"));
        e.problem.bound = Some("upload_bytes".to_owned());
        e.problem.limit = Some(limit as u64);
        e
    }

    pub fn unsupported_media_type(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "Unsupported media type",
            detail,
        )
    }

    pub fn precondition_required() -> Self {
        Self::new(
            StatusCode::PRECONDITION_REQUIRED,
            "if-match-required",
            "If-Match is required",
            "send the ETag of the version you edited in an If-Match header (or `If-Match: *` to overwrite \
             whatever is stored), so that concurrent edits cannot silently overwrite each other",
        )
        .zh(
            "请在 If-Match 请求头中带上所编辑版本的 ETag（或以 `If-Match: *` 覆盖现有内容），\
             以免同时进行的修改相互覆盖",
        )
    }

    /// An internal failure: logged in full with a reference, shown only as the reference.
    pub fn internal(cause: &dyn fmt::Display) -> Self {
        let reference = format!(
            "{:016x}",
            xxhash_rust::xxh3::xxh3_64(
                format!("{cause}{:?}", std::time::SystemTime::now()).as_bytes()
            )
        );
        tracing::error!(reference = %reference, "internal error: {cause}");
        let mut e = Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Internal server error",
            "the server could not complete the request; the error has been logged",
        )
        .zh("服务器未能完成此请求，错误已记入日志（编号见 reference）");
        e.problem.reference = Some(reference);
        e
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }

    pub fn problem(&self) -> &Problem {
        &self.problem
    }
}

/// Refused features or rows listed in one problem at the most.
pub const MAX_REJECTIONS_LISTED: usize = 1_000;

fn listed(refused: usize) -> String {
    if refused > MAX_REJECTIONS_LISTED {
        format!("the first {MAX_REJECTIONS_LISTED} are")
    } else {
        "each is".to_owned()
    }
}

fn join(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

fn join_zh(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| format!("{}：{}", e.field, e.message_zh()))
        .collect::<Vec<_>>()
        .join("；")
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.status.as_u16(),
            self.problem.title,
            self.problem.detail
        )
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = problem_response(self.status, &self.problem);
        if self.status == StatusCode::UNAUTHORIZED {
            let challenge = if self.problem.problem_type.ends_with("invalid-token") {
                "Bearer realm=\"parkland\", error=\"invalid_token\""
            } else {
                "Bearer realm=\"parkland\""
            };
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(challenge),
            );
        }
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

/// Render a problem document with the right media type, in the language the request prefers
/// (`Content-Language` says which).
pub fn problem_response(status: StatusCode, problem: &Problem) -> HttpResponse {
    let language = Language::current();
    let body = match language {
        Language::Chinese => serde_json::to_vec(&problem.in_chinese()),
        Language::English => serde_json::to_vec(problem),
    }
    .unwrap_or_default();
    HttpResponse::build(status)
        .insert_header((header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON)))
        .insert_header((
            header::CONTENT_LANGUAGE,
            HeaderValue::from_static(language.tag()),
        ))
        .append_header((header::VARY, HeaderValue::from_static("Accept-Language")))
        .body(body)
}

impl From<crate::domain::access::Denied> for ApiError {
    fn from(d: crate::domain::access::Denied) -> Self {
        match d {
            crate::domain::access::Denied::Unauthenticated => ApiError::unauthenticated(
                "this needs an account: send `Authorization: Bearer <token>` (the available plots and park profiles are public)",
            )
            .zh("此操作需要登录：请发送 `Authorization: Bearer <令牌>`（可供应地块和园区概况无需登录）"),
            crate::domain::access::Denied::Forbidden { en, zh } => {
                ApiError::forbidden(en).zh(zh)
            }
        }
    }
}

impl From<FieldError> for ApiError {
    fn from(e: FieldError) -> Self {
        ApiError::invalid(vec![e])
    }
}

impl From<Vec<FieldError>> for ApiError {
    fn from(e: Vec<FieldError>) -> Self {
        ApiError::invalid(e)
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(what) => ApiError::not_found(format!("{what} does not exist"))
                .zh(format!("所请求的记录不存在（{what}）")),
            StoreError::Invalid(errors) => ApiError::invalid(errors),
            StoreError::Conflict(words) => {
                let e = ApiError::new(
                    StatusCode::CONFLICT,
                    "conflict",
                    "The change conflicts with the register",
                    words.en,
                );
                match words.zh {
                    Some(zh) => e.zh(zh),
                    None => e,
                }
            }
            StoreError::Overlap(overlaps) => {
                let detail = StoreError::Overlap(overlaps.clone()).to_string();
                let mut e = ApiError::new(
                    StatusCode::CONFLICT,
                    "parcel-overlap",
                    "The geometry overlaps other parcels",
                    format!("the parcel {detail}, beyond the park's tolerance"),
                )
                .zh(format!(
                    "宗地范围与{}重叠，超出园区的容差",
                    overlaps
                        .iter()
                        .map(|o| format!("宗地 {}（{:.1} m²）", o.code, o.overlap_m2))
                        .collect::<Vec<_>>()
                        .join("、")
                ));
                e.problem.overlaps = overlaps.into_iter().map(Overlap::from).collect();
                e
            }
            StoreError::VersionMismatch { current } => {
                let mut e = ApiError::new(
                    StatusCode::PRECONDITION_FAILED,
                    "version-mismatch",
                    "The record has changed since you read it",
                    format!(
                        "someone else changed this record: it is now at version {current}. \
                         Read it again (GET), reapply your change and send the new ETag"
                    ),
                )
                .zh(format!(
                    "此记录已被他人修改，现为第 {current} 版。请重新读取（GET），\
                     重新修改后带新的 ETag 提交"
                ));
                e.problem.current_version = Some(current);
                e
            }
            StoreError::Unavailable(msg) => {
                tracing::warn!("database unavailable: {msg}");
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "The database is unavailable",
                    "the register's database cannot be reached right now; try again shortly",
                )
                .zh("暂时无法连接登记簿数据库，请稍后再试")
                .retry_after(5)
            }
            StoreError::Busy(msg) => {
                tracing::warn!("database busy: {msg}");
                ApiError::busy(
                    "the register is busy with other changes; nothing was written — send the request again",
                    1,
                )
                .zh("登记簿正忙于处理其他修改，本次未写入任何内容，请重新提交")
            }
            other @ (StoreError::Corrupt(_) | StoreError::Database(_)) => {
                ApiError::internal(&other)
            }
        }
    }
}

impl From<crate::exchange::ExchangeError> for ApiError {
    fn from(e: crate::exchange::ExchangeError) -> Self {
        match &e.limit {
            Some(limit) => ApiError::limit_exceeded(limit),
            None => ApiError::invalid(vec![FieldError::new("file", e.message)]),
        }
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        ApiError::internal(&e)
    }
}

/// Problems any read of one record may answer (for the OpenAPI document).
#[derive(utoipa::IntoResponses)]
pub enum ReadProblems {
    /// A path or query parameter is malformed.
    #[response(status = 400, content_type = "application/problem+json")]
    BadRequest(Problem),
    /// No such record.
    #[response(status = 404, content_type = "application/problem+json")]
    NotFound(Problem),
}

/// Problems any write may answer (for the OpenAPI document).
#[derive(utoipa::IntoResponses)]
pub enum WriteProblems {
    /// The body is not JSON of the expected form (unknown field, wrong type), or the CRS is unsupported.
    #[response(status = 400, content_type = "application/problem+json")]
    BadRequest(Problem),
    /// The record (or its park) does not exist.
    #[response(status = 404, content_type = "application/problem+json")]
    NotFound(Problem),
    /// Duplicate code, overlapping parcels (named, with the overlap in m²) or a retired record.
    #[response(status = 409, content_type = "application/problem+json")]
    Conflict(Problem),
    /// The If-Match ETag is not the stored version: someone else changed the record.
    #[response(status = 412, content_type = "application/problem+json")]
    PreconditionFailed(Problem),
    /// The body is larger than the configured limit.
    #[response(status = 413, content_type = "application/problem+json")]
    PayloadTooLarge(Problem),
    /// The body is not JSON.
    #[response(status = 415, content_type = "application/problem+json")]
    UnsupportedMediaType(Problem),
    /// Values break a rule: invalid geometry, outside the park, bad codes or figures.
    #[response(status = 422, content_type = "application/problem+json")]
    Unprocessable(Problem),
    /// An edit without If-Match.
    #[response(status = 428, content_type = "application/problem+json")]
    PreconditionRequired(Problem),
}

/// The language a problem's `title` and `detail` are written in, negotiated per request from
/// `Accept-Language` (`api::http::language`): Chinese, the users' language, or English.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    Chinese,
    English,
}

tokio::task_local! {
    static LANGUAGE: Language;
}

impl Language {
    /// The language of the request being answered (English outside one).
    pub fn current() -> Language {
        LANGUAGE.try_with(|l| *l).unwrap_or(Language::English)
    }

    /// The language an `Accept-Language` value prefers among Chinese and English: the one with
    /// the higher weight, the first named on a tie; English when it names neither.
    pub fn negotiate(accept: Option<&str>) -> Language {
        let mut best: Option<(f32, Language)> = None;
        for item in accept.unwrap_or_default().split(',') {
            let mut parts = item.split(';');
            let tag = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
            let language = match tag.split('-').next() {
                Some("zh") => Language::Chinese,
                Some("en") => Language::English,
                _ => continue,
            };
            let q = parts
                .find_map(|p| p.trim().strip_prefix("q=").map(str::parse::<f32>))
                .unwrap_or(Ok(1.0))
                .unwrap_or(0.0);
            if q > 0.0 && best.is_none_or(|(b, _)| q > b) {
                best = Some((q, language));
            }
        }
        best.map_or(Language::English, |(_, l)| l)
    }

    /// Run `f` in this language: the problems it writes are in it.
    pub async fn scope<F: std::future::Future>(self, f: F) -> F::Output {
        LANGUAGE.scope(self, f).await
    }

    /// `Content-Language` of an answer in this language.
    pub fn tag(self) -> &'static str {
        match self {
            Language::Chinese => "zh-CN",
            Language::English => "en",
        }
    }
}

#[cfg(test)]
mod language_tests {
    use super::Language::{self, Chinese, English};

    #[test]
    fn the_preferred_of_chinese_and_english_wins() {
        let cases = [
            (None, English),
            (Some(""), English),
            (Some("zh-CN"), Chinese),
            (Some("zh-CN,zh;q=0.9,en;q=0.8"), Chinese),
            (Some("en-US,en;q=0.9,zh-CN;q=0.8"), English),
            (Some("en;q=0.5, zh-Hans;q=0.7"), Chinese),
            (Some("fr, de;q=0.9"), English),
            (Some("fr, zh-TW;q=0.3"), Chinese),
            (Some("zh;q=0, en;q=0.1"), English),
            (Some("en, zh"), English),
            (Some("ZH-cn"), Chinese),
            (Some("zh;q=bad"), English),
        ];
        for (header, want) in cases {
            assert_eq!(Language::negotiate(header), want, "{header:?}");
        }
    }
}
