//! `/dashboard/`: the committee's map dashboard, a MapLibre GL JS page built from `dashboard/`
//! by build.rs and embedded in the binary (no CDN, nothing fetched at run time). It is an
//! ordinary client of the API, so it is not part of the OpenAPI document. Browsers opening `/`
//! are sent here; GIS clients asking `/` for JSON get the OGC landing page as before.

use crate::api::AppState;
use crate::config::BasemapConfig;
use crate::error::ApiError;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use std::sync::OnceLock;

mod assets {
    include!(concat!(env!("OUT_DIR"), "/dashboard_assets.rs"));
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/dashboard", web::get().to(to_slash))
        .route("/dashboard/", web::get().to(index))
        .route("/dashboard/config.json", web::get().to(config))
        .route("/dashboard/{file}", web::get().to(asset));
}

/// Whether a request to `/` comes from a browser (HTML first in `Accept`) rather than a client
/// of the API.
pub fn wants_page(req: &HttpRequest) -> bool {
    req.query_string().is_empty()
        && req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|a| a.trim_start().starts_with("text/html"))
}

/// A 303 to the dashboard. The location is relative (`/` and `/dashboard` both resolve
/// `dashboard/` to `/dashboard/`), so it stays right behind a proxy that serves parkland under
/// a path prefix or over TLS, whatever the links are configured to say.
pub fn redirect() -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, "dashboard/"))
        .finish()
}

async fn to_slash() -> HttpResponse {
    redirect()
}

async fn index(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    serve(&req, "index.html")
}

async fn asset(req: HttpRequest, file: web::Path<String>) -> Result<HttpResponse, ApiError> {
    serve(&req, &file)
}

/// The base map the page should draw (from the server's configuration).
async fn config(state: web::Data<AppState>) -> HttpResponse {
    let b = &state.config.basemap;
    let basemap = b.url.as_ref().map(|url| {
        serde_json::json!({
            "url": url,
            "coordinates": b.coordinates,
            "subdomains": b.subdomains,
            "attribution": b.attribution,
            "max_zoom": b.max_zoom,
        })
    });
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .json(serde_json::json!({ "basemap": basemap }))
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next() {
        Some("html") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("json") => "application/json",
        Some("png") => "image/png",
        Some("svg") => "image/svg+xml",
        _ => "application/octet-stream",
    }
}

/// Strong ETags from the content, computed once.
fn etags() -> &'static [String] {
    static TAGS: OnceLock<Vec<String>> = OnceLock::new();
    TAGS.get_or_init(|| {
        assets::ASSETS
            .iter()
            .map(|(_, bytes)| format!("\"{:016x}\"", xxhash_rust::xxh3::xxh3_64(bytes)))
            .collect()
    })
}

/// An embedded file. `no-cache` means "revalidate": the file names carry no hash, and a new
/// binary must never leave a browser on yesterday's script; the ETag makes that a cheap 304.
fn serve(req: &HttpRequest, name: &str) -> Result<HttpResponse, ApiError> {
    let Some(i) = assets::ASSETS.iter().position(|(n, _)| *n == name) else {
        return Err(ApiError::not_found(format!(
            "the dashboard has no file {name}"
        )));
    };
    let etag = &etags()[i];
    let fresh = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
    let mut res = if fresh {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    res.insert_header((header::ETAG, etag.as_str()))
        .insert_header((header::CACHE_CONTROL, "no-cache"));
    if fresh {
        return Ok(res.finish());
    }
    Ok(res
        .insert_header((header::CONTENT_TYPE, content_type(name)))
        .body(assets::ASSETS[i].1))
}

/// The dashboard's Content-Security-Policy: its own scripts, styles and worker, the API, and
/// the base map's tile host when one is configured (tiles are fetched, so `connect-src` too).
pub fn csp(basemap: &BasemapConfig) -> String {
    let tiles = basemap
        .url
        .as_deref()
        .and_then(tile_origin)
        .map(|o| format!(" {o}"))
        .unwrap_or_default();
    format!(
        "default-src 'self'; script-src 'self'; worker-src 'self' blob:; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data: blob:{tiles}; connect-src 'self'{tiles}; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// What is wrong with a configured base map URL, if anything (checked when the service starts,
/// so a typo is a clear error rather than a blank map).
pub fn basemap_problem(basemap: &BasemapConfig) -> Option<String> {
    let url = basemap.url.as_deref()?;
    if tile_origin(url).is_none() {
        return Some(format!(
            "`{url}` is not an http(s) URL with a plain host name (write international names in punycode)"
        ));
    }
    if !["{z}", "{x}", "{y}"].iter().all(|p| url.contains(p)) {
        return Some(format!(
            "`{url}` needs the placeholders {{z}}, {{x}} and {{y}}"
        ));
    }
    if url.contains("{s}") && basemap.subdomains.is_empty() {
        return Some("`{s}` needs PARKLAND_BASEMAP_SUBDOMAINS".into());
    }
    None
}

/// `https://t{s}.tianditu.gov.cn/…` → `https://*.tianditu.gov.cn` (CSP allows a wildcard only
/// as the leftmost label).
fn tile_origin(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let host = rest.split(['/', '?']).next()?;
    // Only what a host can be: a comma would split the header into two policies, a quote or
    // semicolon would add directives.
    if host.is_empty()
        || !host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-.:[]{}".contains(&b))
        || !matches!(scheme, "http" | "https")
    {
        return None;
    }
    let host = match host.split_once('.') {
        Some((first, rest)) if first.contains('{') => format!("*.{rest}"),
        _ => host.to_owned(),
    };
    Some(format!("{scheme}://{host}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tile_hosts_become_csp_sources() {
        assert_eq!(
            tile_origin("https://t{s}.tianditu.gov.cn/vec_w/wmts?tk=KEY").as_deref(),
            Some("https://*.tianditu.gov.cn")
        );
        assert_eq!(
            tile_origin("https://tile.openstreetmap.org/{z}/{x}/{y}.png").as_deref(),
            Some("https://tile.openstreetmap.org")
        );
        assert_eq!(tile_origin("no scheme"), None);
        assert_eq!(tile_origin("https://evil.example'; script-src *"), None);
        assert_eq!(tile_origin("https://a.example,b.example/{z}"), None);
        assert_eq!(tile_origin("https://瓦片.example/{z}"), None);
        let mut config = BasemapConfig {
            url: Some("https://t{s}.tianditu.gov.cn/DataServer?T=vec_w&x={x}&y={y}&l={z}".into()),
            subdomains: "01234567".into(),
            ..Default::default()
        };
        assert_eq!(basemap_problem(&config), None);
        config.url = Some("https://t{s}.tianditu.gov.cn/DataServer?T=vec_w&x={x}&y={y}".into());
        assert!(basemap_problem(&config).unwrap().contains("{z}"));
        config.url = Some("tianditu.gov.cn/{z}/{x}/{y}".into());
        assert!(basemap_problem(&config).unwrap().contains("http(s)"));
        let none = csp(&BasemapConfig::default());
        assert!(none.contains("connect-src 'self';"), "{none}");
    }
}
