//! Files sent as downloads: their media types and the `Content-Disposition` with a Chinese name.

use crate::api::http::params::de::Named;
use crate::error::ApiError;
use crate::exchange::tables::csv_of;
use crate::views::tables::Table;
use actix_web::HttpResponse;
use actix_web::http::header::{self, HeaderValue};

/// The formats a report is offered in: the same figures each time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ReportFormat {
    #[default]
    Json,
    /// One table, named by the request's `table`.
    Csv,
    /// Every table, one sheet each.
    Xlsx,
}

impl Named for ReportFormat {
    const ACCEPTED: &'static str = "json, csv, xlsx";
    fn parse_name(raw: &str) -> Option<Self> {
        match raw {
            "json" => Some(Self::Json),
            "csv" => Some(Self::Csv),
            "xlsx" => Some(Self::Xlsx),
            _ => None,
        }
    }
}

/// A download with its file name (RFC 6266): the Chinese title as `filename*` (UTF-8), and
/// an English one as `filename` for clients that read only that (`curl -OJ`, old browsers) —
/// a Chinese name with its characters replaced would read `____________2026-11.xlsx`.
pub fn download(bytes: Vec<u8>, media: &'static str, file: &str, english: &str) -> HttpResponse {
    let ascii: String = english
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = url::form_urlencoded::byte_serialize(file.as_bytes()).collect();
    let disposition = format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        encoded.replace('+', "%20")
    );
    let mut r = HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, HeaderValue::from_static(media)))
        .body(bytes);
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        r.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    r
}

pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

pub const CSV: &str = "text/csv; charset=utf-8";

/// The CSV of the table keyed `wanted`, and its sheet name; an unknown key names the known.
pub(crate) fn keyed_csv(
    tables: &[(&'static str, Table)],
    wanted: &str,
) -> Result<(Vec<u8>, &'static str), ApiError> {
    let keys: Vec<&str> = tables.iter().map(|(k, _)| *k).collect();
    let (_, t) = tables.iter().find(|(k, _)| *k == wanted).ok_or_else(|| {
        ApiError::invalid_parameter(format!(
            "table must be one of {}, got `{wanted}`",
            keys.join(", ")
        ))
    })?;
    Ok((csv_of(t).map_err(|e| ApiError::internal(&e))?, t.sheet))
}
