//! Test harness: every test gets its own database — a temporary SQLite file, or a fresh
//! PostgreSQL schema (dropped afterwards) when `PARKLAND_TEST_DATABASE_URL` is set — and talks
//! to the real application over HTTP in process.

#![allow(
    dead_code,
    reason = "each test binary uses a different part of the harness"
)]

pub mod files;
pub mod fixtures;
pub mod process;

use actix_http::Request;
use actix_web::HttpMessage;
use actix_web::dev::ServiceResponse;
use actix_web::http::StatusCode;
use actix_web::http::header::HeaderMap;
use actix_web::test::{self, TestRequest};
use chrono::{TimeZone, Utc};
use diesel::Connection;
use diesel::connection::SimpleConnection;
use parkland::api::AppState;
use parkland::config::HttpConfig;
use parkland::domain::access::{Role, UserDraft};
use parkland::domain::clock::FixedClock;
use parkland::domain::register::Stamp;
use parkland::store::Db;
use serde_json::Value;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Run a test body on SQLite and on PostgreSQL + PostGIS.
#[macro_export]
macro_rules! on_both_backends {
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[actix_web::test]
            async fn sqlite() {
                let app = $crate::common::TestDb::sqlite();
                ($body)(app).await;
            }

            #[actix_web::test]
            async fn postgres() {
                let Some(app) = $crate::common::TestDb::postgres() else {
                    return;
                };
                ($body)(app).await;
            }
        }
    };
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

fn unique_name() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "t{}_{}_{}",
        std::process::id(),
        nanos,
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// A database of its own for one test.
pub struct TestDb {
    pub db: Db,
    pub url: String,
    cleanup: Cleanup,
    admin_token: std::sync::OnceLock<String>,
}

/// The application in process, calling as one user (or anonymously).
pub struct Client {
    pub svc: TestService,
    pub token: Option<String>,
}

/// The application as the tests call it: one concrete type, so helpers need no generics.
pub type TestService = actix_service::boxed::BoxService<Request, ServiceResponse, actix_web::Error>;

impl Client {
    /// The application of `state`, in process, calling with this token (or anonymously).
    pub async fn of(state: AppState, token: Option<String>) -> Client {
        let svc = test::init_service(parkland::app(state)).await;
        let svc = actix_service::ServiceExt::map(svc, ServiceResponse::map_into_boxed_body);
        Client {
            svc: actix_service::boxed::service(svc),
            token,
        }
    }
}

enum Cleanup {
    Dir(#[allow(dead_code)] tempfile::TempDir),
    Schema { base_url: String, schema: String },
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Cleanup::Schema { base_url, schema } = &self.cleanup
            && let Ok(mut conn) = diesel::PgConnection::establish(base_url)
        {
            let _ = conn.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
        }
    }
}

/// The fixed "now" of every test: 2026-11-22 08:00 UTC.
pub fn test_now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 8, 0, 0)
        .single()
        .expect("valid date")
}

impl TestDb {
    pub fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("test.db").display());
        let db = Db::open(&url, 4).expect("open sqlite");
        TestDb {
            db,
            url,
            cleanup: Cleanup::Dir(dir),
            admin_token: std::sync::OnceLock::new(),
        }
    }

    /// `None` (and a note) when no PostgreSQL test database is configured; CI always sets one.
    pub fn postgres() -> Option<TestDb> {
        Self::postgres_after(|_| ()).map(|(db, ())| db)
    }

    /// A fresh PostgreSQL schema handed to `before` unmigrated (its URL), then opened: for
    /// tests that start the service on it themselves.
    pub fn postgres_after<T>(before: impl FnOnce(&str) -> T) -> Option<(TestDb, T)> {
        let Ok(base_url) = std::env::var("PARKLAND_TEST_DATABASE_URL") else {
            if std::env::var_os("CI").is_some() {
                panic!("CI must set PARKLAND_TEST_DATABASE_URL so every test runs on PostGIS too");
            }
            eprintln!("skipped on PostgreSQL: PARKLAND_TEST_DATABASE_URL is not set");
            return None;
        };
        let schema = unique_name();
        let mut conn = diesel::PgConnection::establish(&base_url)
            .expect("connect to the PostgreSQL test database");
        conn.batch_execute(&format!(
            "CREATE EXTENSION IF NOT EXISTS postgis; CREATE SCHEMA {schema}"
        ))
        .expect("create the test schema");
        let sep = if base_url.contains('?') { '&' } else { '?' };
        let mut url = format!("{base_url}{sep}options=-csearch_path%3D{schema}%2Cpublic");
        // Unencrypted unless the URL asks otherwise, as on a database's own host or network:
        // map pages are then read through the second client (`store::wire`), which libpq's
        // TLS would keep out (`ogc_api::a_map_page_over_tls_is_read_through_libpq`).
        if !base_url.contains("sslmode=") {
            url.push_str("&sslmode=disable");
        }
        let cleanup = Cleanup::Schema { base_url, schema };
        let before = before(&url);
        let db = Db::open(&url, 4).expect("open postgres");
        Some((
            TestDb {
                db,
                url,
                cleanup,
                admin_token: std::sync::OnceLock::new(),
            },
            before,
        ))
    }

    pub fn state(&self) -> AppState {
        self.state_with(HttpConfig::default())
    }

    pub fn state_with(&self, config: HttpConfig) -> AppState {
        AppState::new(self.db.clone(), config, Arc::new(FixedClock(test_now())))
    }

    /// A user of this role (bureau: jurisdiction; committee: parks) and a token for it.
    pub fn token_for(
        &self,
        name: &str,
        role: Role,
        jurisdiction: Option<&str>,
        parks: &[i64],
    ) -> String {
        let stamp = Stamp {
            by: "test".into(),
            user_id: None,
            at: test_now().naive_utc(),
        };
        let mut conn = self.conn();
        let draft = UserDraft {
            name: name.into(),
            display_name: String::new(),
            role,
            jurisdiction: jurisdiction.map(str::to_owned),
            parks: parks.to_vec(),
        };
        let user =
            parkland::ops::accounts::create_user(&mut conn, draft, &stamp).expect("create user");
        parkland::ops::accounts::create_token(&mut conn, user.id, "test", None, &stamp)
            .expect("create token")
            .1
    }

    /// The administrator's token (made once per test database).
    pub fn admin_token(&self) -> String {
        self.admin_token
            .get_or_init(|| self.token_for("admin", Role::Admin, None, &[]))
            .clone()
    }

    /// The application, in process, calling with this token (or anonymously).
    pub async fn client(&self, token: Option<String>) -> Client {
        Client::of(self.state(), token).await
    }

    /// The application calling as the administrator.
    pub async fn service(&self) -> Client {
        self.client(Some(self.admin_token())).await
    }

    /// The application calling anonymously.
    pub async fn anonymous(&self) -> Client {
        self.client(None).await
    }

    /// The application calling with this token.
    pub async fn service_as(&self, token: String) -> Client {
        self.client(Some(token)).await
    }

    /// The administrator's application with another configuration.
    pub async fn service_with(&self, config: HttpConfig) -> Client {
        Client::of(self.state_with(config), Some(self.admin_token())).await
    }

    /// The administrator's application with its clock at another time.
    pub async fn service_at(&self, now: chrono::DateTime<Utc>) -> Client {
        let state = AppState::new(
            self.db.clone(),
            HttpConfig::default(),
            Arc::new(FixedClock(now)),
        );
        Client::of(state, Some(self.admin_token())).await
    }

    /// A direct store connection, for checking what was (not) written.
    pub fn conn(&self) -> parkland::store::Conn {
        self.db.conn().expect("connection")
    }
}

/// The fields a problem names in `errors`, in order.
/// Store work that may go through a map page's wire client (`store::wire`), run as the service
/// runs it — off the async runtime, which that client's own would refuse to run inside.
pub fn off_runtime<T: Send>(work: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|s| s.spawn(work).join().expect("the store work panicked"))
}

pub fn problem_fields(p: &Value) -> Vec<String> {
    p["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| e["field"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// A response, read whole.
pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: actix_web::web::Bytes,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }

    pub fn etag(&self) -> String {
        self.header("etag").expect("an ETag header")
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// Assert the status, showing the body when it differs.
    pub fn expect(self, status: u16) -> Self {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected status; body: {}",
            self.text()
        );
        self
    }

    /// Assert an RFC 9457 problem with this status, and return its JSON.
    pub fn problem(self, status: u16) -> Value {
        let r = self.expect(status);
        assert_eq!(
            r.header("content-type").as_deref(),
            Some("application/problem+json"),
            "{}",
            r.text()
        );
        let p = r.json();
        assert_eq!(p["status"], status, "{p}");
        assert!(
            p["title"].is_string() && p["detail"].is_string() && p["type"].is_string(),
            "{p}"
        );
        p
    }
}

pub async fn send(client: &Client, req: TestRequest) -> Resp {
    let mut req = req.to_request();
    if let Some(token) = &client.token
        && !req.headers().contains_key("authorization")
    {
        let value = actix_web::http::header::HeaderValue::from_str(&format!("Bearer {token}"))
            .expect("header");
        req.headers_mut()
            .insert(actix_web::http::header::AUTHORIZATION, value);
    }
    let res = test::call_service(&client.svc, req).await;
    let status = res.status();
    let headers = res.headers().clone();
    let body = test::read_body(res).await;
    Resp {
        status,
        headers,
        body,
    }
}

pub async fn get(svc: &Client, uri: &str) -> Resp {
    send(svc, TestRequest::get().uri(uri)).await
}

/// A JSON request with an optional If-Match.
pub async fn json_request(
    svc: &Client,
    req: TestRequest,
    content_type: &str,
    if_match: Option<&str>,
    body: &Value,
) -> Resp {
    let mut req = req
        .insert_header(("content-type", content_type))
        .set_payload(body.to_string());
    if let Some(etag) = if_match {
        req = req.insert_header(("if-match", etag));
    }
    send(svc, req).await
}

pub async fn post(svc: &Client, uri: &str, body: &Value) -> Resp {
    json_request(
        svc,
        TestRequest::post().uri(uri),
        "application/geo+json",
        None,
        body,
    )
    .await
}

/// POST with an If-Match header.
pub async fn post_if(svc: &Client, uri: &str, etag: &str, body: &Value) -> Resp {
    json_request(
        svc,
        TestRequest::post().uri(uri),
        "application/json",
        Some(etag),
        body,
    )
    .await
}

pub async fn patch(svc: &Client, uri: &str, etag: &str, body: &Value) -> Resp {
    json_request(
        svc,
        TestRequest::patch().uri(uri),
        "application/merge-patch+json",
        Some(etag),
        body,
    )
    .await
}

/// `numberMatched` of a parcels query (`park_id=1&status=…`), to prove what was (not) written.
pub async fn matched(svc: &Client, query: &str) -> i64 {
    get(svc, &format!("/collections/parcels/items?{query}"))
        .await
        .expect(200)
        .json()["numberMatched"]
        .as_i64()
        .expect("numberMatched")
}
