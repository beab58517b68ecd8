//! The HTTP interface: the register's REST resources under `/api`, the OGC API – Features
//! map interface at the root, health checks and the OpenAPI document.
//!
//! Handlers are thin: extract → check into domain types → one store call → map to a view.

pub mod http;
pub mod ogc;
pub mod replica;
pub mod rest;

use crate::config::HttpConfig;
use crate::domain::access::Caller;
use crate::domain::clock::Clock;
use crate::domain::register::Stamp;
use crate::error::ApiError;
use crate::exchange::limits::UploadLimits;
use crate::ops::land_watch::WatchMemo;
use crate::spatial::input::{InputCrs, parse_value};
use crate::spatial::{AreaLimits, Footprint};
use crate::store::{AnyConnection, Db, Pooled, StoreError, StoreResult};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use http::extract::{base_url, version_etag};
use serde::Serialize;
use std::sync::Arc;

pub use crate::views::GEOJSON;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    /// A streaming replica for the heavy reads (`DATABASE_READ_URL`), if there is one.
    pub read_db: Option<Db>,
    pub config: Arc<HttpConfig>,
    pub clock: Arc<dyn Clock>,
    pub limiter: Arc<http::ratelimit::RateLimiter>,
    /// Sign-in attempts per address, whatever else the request carries: each costs an argon2
    /// hash, and guessing must stay slow.
    pub sign_in_limiter: Arc<http::ratelimit::RateLimiter>,
    /// The bounds uploads are read within.
    pub limits: UploadLimits,
    /// Turns for imports: each holds its upload and what it unpacks to in memory, so only a
    /// few run at once, whoever sends them.
    pub imports: Arc<tokio::sync::Semaphore>,
    /// Turns for work whose cost the client chooses (see [`AppState::compute_heavy`]).
    pub heavy: Arc<tokio::sync::Semaphore>,
    /// Parks watched on a day, kept until the next write (see [`AppState::run_watching`]).
    pub watch_memo: Arc<WatchMemo>,
    /// Parcel tiles written by PostGIS, kept until the next write.
    pub tile_memo: Arc<crate::store::parcels::TileMemo>,
    /// Tokens found good a moment ago (see [`http::token_memo`]).
    pub tokens: Arc<http::token_memo::TokenMemo>,
}

impl AppState {
    pub fn new(db: Db, config: HttpConfig, clock: Arc<dyn Clock>) -> Self {
        // On PostgreSQL every instance shares the buckets (issue 18, docs/scaling.md).
        let shared = db.backend() == crate::store::Backend::Postgres;
        let limiter = Arc::new(http::ratelimit::RateLimiter::new(
            "anonymous",
            config.anon_rate_per_minute,
            config.anon_burst,
            shared,
        ));
        Self {
            db,
            read_db: None,
            limits: config.upload_limits(),
            imports: Arc::new(tokio::sync::Semaphore::new(config.imports_at_once.max(1))),
            heavy: Arc::new(tokio::sync::Semaphore::new(
                std::thread::available_parallelism()
                    .map_or(1, |n| n.get().saturating_sub(1))
                    .max(1),
            )),
            watch_memo: Arc::new(crate::ops::land_watch::watch_memo()),
            tile_memo: Arc::new(crate::store::memo::StampedMemo::new(
                config.tile_cache_mb << 20,
            )),
            tokens: Arc::new(http::token_memo::TokenMemo::new(
                http::token_memo::TokenMemo::KEEP_FOR,
            )),
            config: Arc::new(config),
            clock,
            limiter,
            sign_in_limiter: Arc::new(http::ratelimit::RateLimiter::new(
                "sign-in",
                http::ratelimit::SIGN_INS_PER_MINUTE,
                http::ratelimit::SIGN_IN_BURST,
                shared,
            )),
        }
    }

    /// Read the heavy reads from this streaming replica (see [`replica`]).
    pub fn with_read_db(mut self, read_db: Db) -> Self {
        self.read_db = Some(read_db);
        self
    }

    /// Run store work on the blocking pool with a pooled connection.
    pub async fn run<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut AnyConnection) -> StoreResult<T> + Send + 'static,
    {
        let out = self
            .run_erased(Box::new(move |conn: &mut Pooled| f(conn).map(erase)))
            .await?;
        unerase(out)
    }

    /// [`AppState::run`] with the pooled connection itself, for a map page read through the
    /// connection's second client ([`crate::store::wire`]).
    pub async fn run_pooled<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Pooled) -> StoreResult<T> + Send + 'static,
    {
        unerase(
            self.run_erased(Box::new(move |conn| f(conn).map(erase)))
                .await?,
        )
    }

    /// [`AppState::run`] for work that watches land: it is handed the service's memo of
    /// watched parks, so requests for the same park and day share one computation.
    pub async fn run_watching<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut AnyConnection, &WatchMemo) -> StoreResult<T> + Send + 'static,
    {
        let memo = self.watch_memo.clone();
        self.run(move |c| f(c, &memo)).await
    }

    /// The service's start-up work, on a thread of its own (a failure is logged, the service
    /// runs on): store the plane areas of parcels written before they were kept, then fill the
    /// memo of watched parks for the days dashboards open on (the watch reads those parcels).
    pub fn warm_up(&self) {
        let (db, memo, today) = (self.db.clone(), self.watch_memo.clone(), self.today());
        let spawned = std::thread::Builder::new()
            .name("warm-watches".into())
            .spawn(move || {
                let started = std::time::Instant::now();
                match db
                    .conn()
                    .and_then(|mut c| crate::store::parcels::store_plane_areas(&mut c))
                {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(
                        parcels = n,
                        ms = started.elapsed().as_millis() as u64,
                        "the plane areas of parcels written before they were kept are stored"
                    ),
                    Err(e) => {
                        tracing::warn!(error = %e, "could not store the parcels' plane areas")
                    }
                }
                let started = std::time::Instant::now();
                let warmed = db
                    .conn()
                    .and_then(|mut c| crate::ops::land_watch::warm(&mut c, &memo, today));
                match warmed {
                    Ok(n) => tracing::info!(
                        parcels = n,
                        ms = started.elapsed().as_millis() as u64,
                        "the parks are watched for today and last month's end"
                    ),
                    Err(e) => tracing::warn!(error = %e, "could not watch the parks ahead"),
                }
            });
        if let Err(e) = spawned {
            tracing::warn!(error = %e, "could not start watching the parks ahead");
        }
    }

    /// Run CPU-heavy work — geometry checks, reading uploads, building reports and exports —
    /// on the blocking pool, never on an HTTP worker, so `/health`, reads and other writes
    /// answer while it runs.
    pub async fn compute<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce() -> Result<T, ApiError> + Send + 'static,
    {
        unerase(blocking_erased(Box::new(move || f().map(erase))).await?)
    }

    /// Run work whose cost grows with what a client sent — a geometry of up to 100,000 vertices,
    /// an upload — on the blocking pool, a bounded number at a time (one fewer than the cores,
    /// at least one), so that however many such requests arrive, a core stays free for the
    /// HTTP workers and the database.
    pub async fn compute_heavy<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce() -> Result<T, ApiError> + Send + 'static,
    {
        self.compute_weighed(true, f).await
    }

    /// [`AppState::compute_heavy`] for a large request, [`AppState::compute`] for an ordinary
    /// one: a small parcel's check does not queue behind a 100,000-vertex boundary's.
    pub async fn compute_weighed<T, F>(&self, large: bool, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce() -> Result<T, ApiError> + Send + 'static,
    {
        let out = self
            .compute_weighed_erased(large, Box::new(move || f().map(erase)))
            .await?;
        unerase(out)
    }

    // The generic methods above are thin shells around these: the blocking-pool plumbing is
    // compiled once, not once per closure (it was ~150 copies and a tenth of the release
    // build's time before).

    async fn run_erased(&self, f: Box<StoreWork>) -> Result<Erased, ApiError> {
        // A heavy read (see `replica::route`) goes to the replica if there is one.
        let replica = replica::ROUTE
            .try_with(|r| *r)
            .ok()
            .and_then(|fence| Some((self.read_db.clone()?, fence)));
        self.run_on(replica, f).await
    }

    /// Store work on the replica (with the caller's read fence) or the primary. The request's
    /// kept token, if it still needs reading, is read first on the same connection
    /// (`http::token_memo`); a replica's turn never holds one (its request looked its token
    /// up on the primary).
    async fn run_on(
        &self,
        replica: Option<(Db, Option<i64>)>,
        f: Box<StoreWork>,
    ) -> Result<Erased, ApiError> {
        let db = self.db.clone();
        let token = replica
            .is_none()
            .then(|| http::token_memo::pending(self))
            .flatten();
        let checking = token.is_some();
        let out = blocking_erased(Box::new(move || {
            let mut conn = match replica {
                Some((read_db, fence)) => replica::conn(&db, &read_db, fence)?,
                None => db.conn()?,
            };
            let out = match token.map(|t| t.run(&mut conn)) {
                Some(Ok(Err(refused))) => return Err(refused),
                Some(Err(unread)) => Err(unread),
                Some(Ok(Ok(()))) | None => f(&mut conn),
            };
            if out.as_ref().is_err_and(StoreError::lost_connection) {
                conn.mark_broken();
            }
            out.map_err(ApiError::from)
        }))
        .await;
        if checking && out.is_ok() {
            http::token_memo::confirmed();
        }
        out
    }

    /// [`AppState::run`] on the primary whatever the request: who the caller is, and whether
    /// their token still holds, is never read from a replica that may be behind.
    pub async fn run_primary<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut AnyConnection) -> StoreResult<T> + Send + 'static,
    {
        let work = move |conn: &mut Pooled| f(conn).map(erase);
        unerase(self.run_on(None, Box::new(work)).await?)
    }

    async fn compute_weighed_erased(&self, large: bool, f: Box<Work>) -> Result<Erased, ApiError> {
        let _turn = if large {
            Some(
                self.heavy
                    .acquire()
                    .await
                    .map_err(|e| ApiError::internal(&e))?,
            )
        } else {
            None
        };
        blocking_erased(f).await
    }

    /// Wait for an import's turn (up to `import_wait_secs`); 503 with Retry-After when none
    /// comes. Taken before the upload is read, so waiting imports hold no memory.
    pub async fn import_turn(&self) -> Result<tokio::sync::OwnedSemaphorePermit, ApiError> {
        let wait = std::time::Duration::from_secs(self.config.import_wait_secs);
        match actix_web::rt::time::timeout(wait, self.imports.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Ok(permit),
            _ => Err(ApiError::busy(
                "other imports are being read; send this one again in a moment",
                5,
            )),
        }
    }

    /// Today's date where the land is (`domain::clock::day_in_china`).
    pub fn today(&self) -> chrono::NaiveDate {
        self.clock.today()
    }

    /// Who and when, for a write.
    pub fn stamp(&self, caller: &Caller) -> Stamp {
        Stamp {
            by: caller.name().to_owned(),
            user_id: caller.principal().map(|p| p.user_id),
            at: self.clock.now().naive_utc(),
        }
    }
}

/// A value of some type, boxed so the blocking-pool plumbing is compiled once.
type Erased = Box<dyn std::any::Any + Send>;
type StoreWork = dyn FnOnce(&mut Pooled) -> StoreResult<Erased> + Send;
type Work = dyn FnOnce() -> Result<Erased, ApiError> + Send;

fn erase<T: Send + 'static>(value: T) -> Erased {
    Box::new(value)
}

/// The value [`erase`] boxed: the shells box and unbox the same `T`, so the cast holds.
fn unerase<T: 'static>(value: Erased) -> Result<T, ApiError> {
    match value.downcast::<T>() {
        Ok(value) => Ok(*value),
        Err(_) => Err(ApiError::internal(&"a blocking call returned another type")),
    }
}

async fn blocking_erased(f: Box<Work>) -> Result<Erased, ApiError> {
    web::block(f).await?
}

/// Parse a polygonal geometry from a request body into a checked footprint (CPU-heavy for
/// large geometries: call it through [`AppState::compute`]).
pub fn footprint(
    field: &str,
    value: serde_json::Value,
    input: InputCrs,
    limits: AreaLimits,
) -> Result<Footprint, ApiError> {
    let geometry = parse_value(field, value, input)?;
    Ok(Footprint::new(field, geometry, limits)?)
}

/// A geometry from a request body, checked on the blocking pool (a large one takes a while).
pub async fn checked_footprint(
    state: &AppState,
    large: bool,
    value: serde_json::Value,
    input: InputCrs,
    limits: AreaLimits,
) -> Result<Footprint, ApiError> {
    state
        .compute_weighed(large, move || footprint("geometry", value, input, limits))
        .await
}

/// The new geometry of a merge patch, if it has one, checked on the blocking pool.
pub async fn checked_patch_footprint(
    state: &AppState,
    large: bool,
    value: Option<serde_json::Value>,
    input: InputCrs,
    limits: AreaLimits,
) -> Result<Option<Footprint>, ApiError> {
    match value {
        Some(v) => checked_footprint(state, large, v, input, limits)
            .await
            .map(Some),
        None => Ok(None),
    }
}

/// A JSON report built and written on the blocking pool: reports grow with the parks they
/// cover (a bureau's whole jurisdiction), so neither step may hold an HTTP worker.
pub async fn report_response<T, F>(state: &AppState, build: F) -> Result<HttpResponse, ApiError>
where
    T: Serialize,
    F: FnOnce() -> Result<T, ApiError> + Send + 'static,
{
    json_off_worker(state, "application/json", move || to_json(&build()?)).await
}

/// A body as JSON bytes.
pub fn to_json(body: &impl Serialize) -> Result<Vec<u8>, ApiError> {
    serde_json::to_vec(body).map_err(|e| ApiError::internal(&e))
}

/// A 200 whose body is built and written on the blocking pool: anything that grows with the
/// register (lists of boundaries, histories of geometry) rather than with the request.
pub async fn json_off_worker<F>(
    state: &AppState,
    media_type: &'static str,
    write: F,
) -> Result<HttpResponse, ApiError>
where
    F: FnOnce() -> Result<Vec<u8>, ApiError> + Send + 'static,
{
    let bytes = state.compute(write).await?;
    Ok(HttpResponse::build(StatusCode::OK)
        .insert_header((header::CONTENT_TYPE, HeaderValue::from_static(media_type)))
        .body(bytes))
}

/// A JSON response with the given media type.
pub fn json_response(
    status: StatusCode,
    media_type: &'static str,
    body: &impl Serialize,
) -> Result<HttpResponse, ApiError> {
    let bytes = serde_json::to_vec(body).map_err(|e| ApiError::internal(&e))?;
    Ok(HttpResponse::build(status)
        .insert_header((header::CONTENT_TYPE, HeaderValue::from_static(media_type)))
        .body(bytes))
}

/// A single record: GeoJSON with its version as ETag.
pub fn record_response(
    status: StatusCode,
    version: i64,
    body: &impl Serialize,
) -> Result<HttpResponse, ApiError> {
    versioned(status, GEOJSON, version, body)
}

/// A single record of the given media type with its version as ETag.
pub fn versioned(
    status: StatusCode,
    media_type: &'static str,
    version: i64,
    body: &impl Serialize,
) -> Result<HttpResponse, ApiError> {
    let mut response = json_response(status, media_type, body)?;
    if let Ok(v) = HeaderValue::from_str(&version_etag(version)) {
        response.headers_mut().insert(header::ETAG, v);
    }
    Ok(response)
}

/// 201 Created for a new record, with Location and ETag.
pub fn created_response(
    req: &HttpRequest,
    state: &AppState,
    path: &str,
    version: i64,
    body: &impl Serialize,
) -> Result<HttpResponse, ApiError> {
    created_as(req, state, GEOJSON, path, version, body)
}

/// 201 Created for a new record of the given media type, with Location and ETag.
pub fn created_as(
    req: &HttpRequest,
    state: &AppState,
    media_type: &'static str,
    path: &str,
    version: i64,
    body: &impl Serialize,
) -> Result<HttpResponse, ApiError> {
    let mut response = versioned(StatusCode::CREATED, media_type, version, body)?;
    if let Ok(v) = HeaderValue::from_str(&format!("{}{path}", base_url(req, state))) {
        response.headers_mut().insert(header::LOCATION, v);
    }
    Ok(response)
}

/// Register every documented endpoint. The OGC API lives at the root, the register's
/// resources under `/api`.
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(rest::health::health)
        .service(rest::health::ready)
        .configure(ogc::configure)
        .configure(rest::parks::configure)
        .configure(rest::zones::configure)
        .configure(rest::parcels::configure)
        .configure(rest::parcel_ops::configure)
        .configure(rest::exchange::configure)
        .configure(rest::enterprises::configure)
        .configure(rest::supplies::configure)
        .configure(rest::land_watch::configure)
        .configure(rest::idle_cases::configure)
        .configure(rest::workshops::configure)
        .configure(rest::leases::configure)
        .configure(rest::estate::configure)
        .configure(rest::projects::configure)
        .configure(rest::entry::configure)
        .configure(rest::applications::configure)
        .configure(rest::performance::configure)
        .configure(rest::renewal::configure)
        .configure(rest::reports::configure)
        .configure(rest::dispatch::configure)
        .configure(rest::users::configure)
        .configure(rest::sessions::configure)
        .configure(rest::audit::configure);
}
