//! Storage on diesel: one schema, two backends — an embedded SQLite file (the zero-setup
//! default) and PostgreSQL + PostGIS (production).
//!
//! Queries are written once against [`AnyConnection`]; the few places where the backends
//! differ (spatial filters, bulk insert) match on the connection. Geometry is stored as EWKB in
//! both (a PostGIS `geometry` column, a SQLite BLOB) and all geometry rules run in Rust.

pub mod applications;
pub mod audit;
pub mod cql;
pub mod enterprises;
pub mod estate;
pub mod idle_cases;
pub mod import;
pub mod leases;
pub mod memo;
pub mod parcel_history;
pub mod parcels;
pub mod parks;
pub mod passwords;
pub mod performance;
pub mod placement;
pub mod projects;
pub mod rate_limits;
pub mod read_fences;
mod rows;
pub mod wire;
pub use rows::{Cell, ParcelCells};
pub mod schema;
pub mod spatial_sql;
pub mod supplies;
pub mod users;
pub mod workshops;
pub mod zones;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2::{self, CustomizeConnection, ManageConnection, Pool, PooledConnection};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use std::fmt;
use std::time::Duration;

use crate::domain::{FieldError, Refusal};
pub use crate::refusal::Overlap;

const PG_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");
const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");

/// A connection to either backend.
#[derive(diesel::MultiConnection)]
pub enum AnyConnection {
    Postgresql(diesel::PgConnection),
    Sqlite(diesel::SqliteConnection),
}

/// Which database a URL points to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of_url(url: &str) -> Backend {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgresql",
        }
    }
}

impl AnyConnection {
    pub fn backend(&self) -> Backend {
        match self {
            AnyConnection::Postgresql(_) => Backend::Postgres,
            AnyConnection::Sqlite(_) => Backend::Sqlite,
        }
    }
}

/// Everything that can go wrong in a store call, in terms the HTTP layer can map.
#[derive(Debug)]
pub enum StoreError {
    NotFound(String),
    /// A rule that needs the register to check (outside the park, unknown zone …).
    Invalid(Vec<FieldError>),
    /// Clashes with another record (duplicate code, a retired parcel, a merge of strangers).
    Conflict(crate::refusal::Words),
    /// The geometry overlaps active parcels beyond the park's tolerance.
    Overlap(Vec<Overlap>),
    /// The client edited an older version than the one stored.
    VersionMismatch {
        current: i64,
    },
    /// The database cannot be reached.
    Unavailable(String),
    /// Other writers held the database for longer than a request waits (SQLite's write lock,
    /// a PostgreSQL serialization failure): nothing was written; the request can be sent again.
    Busy(String),
    /// Stored data that cannot be read back (a bug or manual tampering; never the client's fault).
    Corrupt(String),
    Database(DieselError),
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::NotFound(what) => write!(f, "{what} not found"),
            StoreError::Invalid(errors) => {
                let list: Vec<String> = errors.iter().map(ToString::to_string).collect();
                write!(f, "{}", list.join("; "))
            }
            StoreError::Conflict(words) => words.fmt(f),
            StoreError::Unavailable(msg) | StoreError::Busy(msg) | StoreError::Corrupt(msg) => {
                f.write_str(msg)
            }
            StoreError::Overlap(list) => Refusal::Overlap(list.clone()).fmt(f),
            StoreError::VersionMismatch { current } => {
                write!(
                    f,
                    "the record has changed; the current version is {current}"
                )
            }
            StoreError::Database(e) => write!(f, "database error: {e}"),
        }
    }
}

impl std::error::Error for StoreError {}

impl StoreError {
    /// The connection itself failed (closed by the server, the server gone): it must not go
    /// back into the pool's rotation ([`Pooled::mark_broken`]).
    pub fn lost_connection(&self) -> bool {
        matches!(self, StoreError::Unavailable(_))
    }
}

impl From<DieselError> for StoreError {
    fn from(e: DieselError) -> Self {
        match e {
            DieselError::NotFound => StoreError::NotFound("record".into()),
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, ref info) => {
                StoreError::Conflict(crate::refusal::Words::both(
                    format!(
                        "a record with the same code already exists ({})",
                        info.message()
                    ),
                    format!("已有编号相同的记录（{}）", info.message()),
                ))
            }
            DieselError::DatabaseError(DatabaseErrorKind::SerializationFailure, ref info) => {
                StoreError::Busy(info.message().to_owned())
            }
            DieselError::DatabaseError(_, ref info) if is_sqlite_busy(info.message()) => {
                StoreError::Busy(info.message().to_owned())
            }
            DieselError::DatabaseError(
                DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
                ref info,
            ) => StoreError::Unavailable(format!(
                "the database connection closed: {}",
                info.message()
            )),
            other => StoreError::Database(other),
        }
    }
}

/// SQLite's answers when another connection holds the lock past the busy timeout.
fn is_sqlite_busy(message: &str) -> bool {
    message.contains("database is locked")
        || message.contains("database table is locked")
        || message.contains("database is busy")
}

impl From<FieldError> for StoreError {
    fn from(e: FieldError) -> Self {
        StoreError::Invalid(vec![e])
    }
}

impl From<Refusal> for StoreError {
    fn from(r: Refusal) -> Self {
        match r {
            Refusal::Invalid(errors) => StoreError::Invalid(errors),
            Refusal::Conflict(message) => StoreError::Conflict(message),
            Refusal::Overlap(list) => StoreError::Overlap(list),
        }
    }
}

impl From<Vec<FieldError>> for StoreError {
    fn from(e: Vec<FieldError>) -> Self {
        StoreError::Invalid(e)
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// An edit based on the version the client read (`If-Match`; `None` for `*`) goes ahead only
/// if that version is still the stored one (`current`).
pub fn expect_version(expected: Option<i64>, current: i64) -> StoreResult<()> {
    match expected {
        Some(v) if v != current => Err(StoreError::VersionMismatch { current }),
        _ => Ok(()),
    }
}

/// Why the service could not open its database: one line for a person.
#[derive(Debug)]
pub struct OpenError(pub String);

impl fmt::Display for OpenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for OpenError {}

/// The URL with any password replaced, for messages and logs.
pub fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_owned(),
    }
}

/// The file path of a SQLite URL (`sqlite://data/x.db`, `sqlite:x.db` or a plain path).
pub fn sqlite_path(url: &str) -> &str {
    url.strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url)
}

/// Open one connection, choosing the backend from the URL so errors say what failed.
fn establish(url: &str) -> Result<AnyConnection, OpenError> {
    match Backend::of_url(url) {
        Backend::Postgres => diesel::PgConnection::establish(url)
            .and_then(|mut pg| {
                prepare_postgres(&mut pg)?;
                Ok(AnyConnection::Postgresql(pg))
            })
            .map_err(|e| {
                OpenError(format!(
                    "cannot connect to PostgreSQL at {}: {}",
                    redact(url),
                    e.to_string().trim().replace('\n', " ")
                ))
            }),
        Backend::Sqlite => {
            let path = sqlite_path(url);
            if path != ":memory:"
                && let Some(dir) = std::path::Path::new(path).parent()
                && !dir.as_os_str().is_empty()
            {
                std::fs::create_dir_all(dir).map_err(|e| {
                    OpenError(format!(
                        "cannot create the directory {} for the SQLite database: {e}",
                        dir.display()
                    ))
                })?;
            }
            let mut conn = diesel::SqliteConnection::establish(path)
                .map_err(|e| OpenError(format!("cannot open the SQLite database {path}: {e}")))?;
            prepare_sqlite(&mut conn).map_err(|e| {
                OpenError(format!("cannot prepare the SQLite database {path}: {e}"))
            })?;
            Ok(AnyConnection::Sqlite(conn))
        }
    }
}

/// Per-connection PostgreSQL set-up: no JIT compilation and no parallel workers, both measured
/// to cost more than they give on parkland's queries (docs/performance.md, pgbench at one
/// client on 200,000 parcels):
/// - PostGIS declares its functions expensive, so a tile's `ST_AsMVT` query is planned far
///   above `jit_above_cost` and PostgreSQL compiled it on every execution: 6–9 ms of a 26 ms
///   z14 tile. No query parkland sends runs long enough to earn a compilation back; the tile
///   servers of OpenStreetMap turn JIT off for the same reason.
/// - A map page planned with a parallel worker waited for the worker to start: 16.4 ms
///   against 6.1 ms without. Parallel plans buy one request more cores at the expense of the
///   others; a service answering many requests at once has none to spare.
fn prepare_postgres(conn: &mut diesel::PgConnection) -> diesel::ConnectionResult<()> {
    conn.batch_execute("SET jit = off; SET max_parallel_workers_per_gather = 0")
        .map_err(|e| diesel::ConnectionError::BadConnection(e.to_string()))
}

/// Per-connection SQLite set-up: WAL so readers never block the writer, a busy timeout so
/// writers queue instead of failing, foreign keys, and the Rust geometry functions.
fn prepare_sqlite(conn: &mut diesel::SqliteConnection) -> QueryResult<()> {
    conn.batch_execute(
        "PRAGMA busy_timeout = 15000; PRAGMA journal_mode = WAL; \
         PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;",
    )?;
    spatial_sql::register_sqlite_functions(conn)
}

/// r2d2 manager that builds connections with [`establish`].
#[derive(Debug)]
pub struct Manager {
    url: String,
    /// How long after its last use a connection is handed out again without a `SELECT 1`.
    trusted_for: Duration,
}

/// A pooled connection, with what the pool knows of its health: when it last came back from
/// a request without a connection failure, and whether a request saw it fail.
pub struct Pooled {
    conn: AnyConnection,
    /// The second PostgreSQL client that map pages are read through ([`wire`]), opened with
    /// the connection's first map page.
    wire: wire::Slot,
    returned: std::time::Instant,
    broken: bool,
}

impl Pooled {
    /// The connection and its wire client's slot, for a map page.
    pub fn with_wire(&mut self) -> (&mut AnyConnection, &mut wire::Slot) {
        (&mut self.conn, &mut self.wire)
    }

    /// A request saw the connection fail (closed, unreachable): the pool drops it when it
    /// comes back instead of handing it to the next request.
    pub fn mark_broken(&mut self) {
        self.broken = true;
    }
}

impl std::ops::Deref for Pooled {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        &self.conn
    }
}

impl std::ops::DerefMut for Pooled {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        &mut self.conn
    }
}

impl ManageConnection for Manager {
    type Connection = Pooled;
    type Error = OpenError;

    fn connect(&self) -> Result<Pooled, OpenError> {
        Ok(Pooled {
            conn: establish(&self.url)?,
            wire: wire::Slot::for_url(&self.url),
            returned: std::time::Instant::now(),
            broken: false,
        })
    }

    /// Checked on every checkout, but a `SELECT 1` only for a connection that has rested:
    /// one that came back from a request moments ago without failing is known to work, and
    /// under load every connection is such a one — the ping was a round trip and a statement
    /// of the database's CPU on every request (two for a request that authenticates first).
    /// A connection a request saw fail never gets here ([`Manager::has_broken`]).
    fn is_valid(&self, conn: &mut Pooled) -> Result<(), OpenError> {
        if conn.returned.elapsed() < self.trusted_for {
            return Ok(());
        }
        conn.conn
            .batch_execute("SELECT 1")
            .map_err(|e| OpenError(format!("connection check failed: {e}")))?;
        conn.returned = std::time::Instant::now();
        Ok(())
    }

    fn has_broken(&self, conn: &mut Pooled) -> bool {
        conn.returned = std::time::Instant::now();
        conn.broken
    }
}

#[derive(Debug)]
struct NoCustomizer;

impl CustomizeConnection<Pooled, OpenError> for NoCustomizer {}

/// The connection pool and which backend it serves.
#[derive(Clone)]
pub struct Db {
    pool: Pool<Manager>,
    backend: Backend,
}

pub type Conn = PooledConnection<Manager>;

impl Db {
    /// Connect, check PostGIS, run pending migrations and build the pool.
    pub fn open(url: &str, pool_size: u32) -> Result<Db, OpenError> {
        let backend = Backend::of_url(url);
        let mut conn = establish(url)?;
        migrate(&mut conn)?;
        drop(conn);
        Ok(Db {
            pool: pool(url, pool_size, 1, TRUSTED_FOR),
            backend,
        })
    }

    /// The pool of a streaming replica: connected lazily, never migrated (it replays the
    /// primary's schema). PostgreSQL only.
    pub fn open_read(url: &str, pool_size: u32) -> Result<Db, OpenError> {
        if Backend::of_url(url) != Backend::Postgres {
            return Err(OpenError(
                "DATABASE_READ_URL must be a PostgreSQL URL (a streaming replica of DATABASE_URL)"
                    .into(),
            ));
        }
        Ok(Db {
            // Pinged on every checkout: a replica that went away is stepped around at
            // checkout (the primary answers) rather than failing the read that found out.
            pool: pool(url, pool_size, 0, Duration::ZERO),
            backend: Backend::Postgres,
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// A pooled connection, or [`StoreError::Unavailable`].
    pub fn conn(&self) -> StoreResult<Conn> {
        self.pool
            .get()
            .map_err(|e| StoreError::Unavailable(format!("no database connection available: {e}")))
    }
}

/// A pool of up to `size` connections to `url`, keeping `idle` open; connections are opened
/// when first needed, and handed out without a ping within `trusted_for` of their last use.
fn pool(url: &str, size: u32, idle: u32, trusted_for: Duration) -> Pool<Manager> {
    Pool::builder()
        .max_size(size.max(1))
        .min_idle(Some(idle))
        .connection_timeout(Duration::from_secs(10))
        .connection_customizer(Box::new(NoCustomizer))
        .build_unchecked(Manager {
            url: url.to_owned(),
            trusted_for,
        })
}

/// How long a primary connection is trusted after a request used it without failing.
const TRUSTED_FOR: Duration = Duration::from_secs(1);

/// The database answers.
pub fn ping(conn: &mut AnyConnection) -> StoreResult<()> {
    conn.batch_execute("SELECT 1").map_err(StoreError::from)
}

/// Bring the schema up to date. On PostgreSQL, PostGIS must be available (a clear error
/// otherwise) and an advisory lock keeps two instances from migrating at once.
pub fn migrate(conn: &mut AnyConnection) -> Result<(), OpenError> {
    let fail = |e: Box<dyn std::error::Error + Send + Sync>| {
        OpenError(format!("database migration failed: {e}"))
    };
    match conn {
        AnyConnection::Postgresql(pg) => {
            require_postgis(pg)?;
            pg.batch_execute("SELECT pg_advisory_lock(7240501)")
                .map_err(|e| OpenError(format!("cannot take the migration lock: {e}")))?;
            let result = pg
                .run_pending_migrations(PG_MIGRATIONS)
                .map(|_| ())
                .map_err(fail);
            let _ = pg.batch_execute("SELECT pg_advisory_unlock(7240501)");
            result
        }
        AnyConnection::Sqlite(lite) => lite
            .run_pending_migrations(SQLITE_MIGRATIONS)
            .map(|_| ())
            .map_err(fail),
    }
}

fn require_postgis(pg: &mut diesel::PgConnection) -> Result<(), OpenError> {
    #[derive(QueryableByName)]
    struct Found {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let found: Found = diesel::sql_query(
        "SELECT count(*) AS n FROM pg_available_extensions WHERE name = 'postgis'",
    )
    .get_result(pg)
    .map_err(|e| OpenError(format!("cannot query the PostgreSQL server: {e}")))?;
    if found.n == 0 {
        return Err(OpenError(
            "the PostgreSQL server has no PostGIS extension available; install it \
             (Debian: apt-get install postgresql-15-postgis-3) or use the postgis/postgis image"
                .into(),
        ));
    }
    Ok(())
}

/// Run `f` in a write transaction.
///
/// On SQLite the transaction takes the database's write lock at its first statement
/// (`BEGIN IMMEDIATE`), so a writer waits its turn (the busy timeout) instead of failing with
/// "database is locked" when another writer committed after it began reading; if the lock
/// stays taken past the timeout the answer is [`StoreError::Busy`] (503, Retry-After). On
/// PostgreSQL it is a plain transaction. Inside another transaction it is a savepoint.
///
/// The audit entries the transaction records are appended to the chain at its end, just
/// before it commits ([`audit::flush`]): the chain's lock is then the last one taken and held
/// only for the append, so writers of different parks never wait for each other's work.
pub fn write_tx<T>(
    conn: &mut AnyConnection,
    f: impl FnOnce(&mut AnyConnection) -> StoreResult<T>,
) -> StoreResult<T> {
    // A thin shell: the transaction plumbing below is compiled once, not once per caller.
    // `write_tx_once` calls its work exactly once, so both `Option`s are always filled.
    let ran_twice = || StoreError::Corrupt("a transaction's work ran twice or not at all".into());
    let mut work = Some(f);
    let mut out = None;
    write_tx_once(conn, &mut |conn| {
        let f = work.take().ok_or_else(ran_twice)?;
        out = Some(f(conn)?);
        Ok(())
    })?;
    out.ok_or_else(ran_twice)
}

fn write_tx_once(
    conn: &mut AnyConnection,
    f: &mut dyn FnMut(&mut AnyConnection) -> StoreResult<()>,
) -> StoreResult<()> {
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    let outermost = match conn {
        AnyConnection::Sqlite(lite) => {
            AnsiTransactionManager::transaction_manager_status_mut(lite).transaction_depth()?
        }
        AnyConnection::Postgresql(pg) => {
            AnsiTransactionManager::transaction_manager_status_mut(pg).transaction_depth()?
        }
    }
    .is_none();
    if !outermost {
        // A savepoint: what it recorded goes if it is rolled back.
        let mark = audit::pending_len();
        let result = conn.transaction(|conn| f(conn));
        if result.is_err() {
            audit::discard_after(mark);
        }
        return result;
    }
    let _pending = audit::Pending::begin();
    match conn {
        AnyConnection::Sqlite(lite) => {
            AnsiTransactionManager::begin_transaction_sql(lite, "BEGIN IMMEDIATE")?;
        }
        AnyConnection::Postgresql(_) => AnyConnection::begin_transaction(conn)?,
    }
    match f(conn).and_then(|()| audit::flush(conn)) {
        Ok(writers) => match AnyConnection::commit_transaction(conn) {
            Ok(()) => {
                read_fences::raise(conn, &writers);
                Ok(())
            }
            Err(e) => {
                let _ = AnyConnection::rollback_transaction(conn);
                Err(e.into())
            }
        },
        Err(e) => {
            AnyConnection::rollback_transaction(conn)?;
            Err(e)
        }
    }
}

/// Run `f` in a write transaction that first takes the park's write lock.
///
/// Locking the park row serialises every geometry write within one park, so two concurrent
/// requests cannot both pass the overlap check; on SQLite the same statement makes the
/// transaction a writer from its first statement, so it can never fail half-way with
/// SQLITE_BUSY after reading a stale snapshot.
pub fn write_in_park<T>(
    conn: &mut AnyConnection,
    park_id: i64,
    f: impl FnOnce(&mut AnyConnection) -> StoreResult<T>,
) -> StoreResult<T> {
    write_tx(conn, |conn| {
        lock_park(conn, park_id)?;
        f(conn)
    })
}

/// Take the park's row lock (a no-op update); `NotFound` if the park does not exist.
pub fn lock_park(conn: &mut AnyConnection, park_id: i64) -> StoreResult<()> {
    use schema::parks::dsl::*;
    let n = diesel::update(parks.filter(id.eq(park_id)))
        .set(version.eq(version))
        .execute(conn)?;
    if n == 0 {
        return Err(StoreError::NotFound(format!("park {park_id}")));
    }
    Ok(())
}

/// The pooled connection type's r2d2 crate, for callers that name it.
pub use r2d2::Error as PoolError;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backends_and_redaction() {
        assert_eq!(Backend::of_url("postgres://u:p@h/db"), Backend::Postgres);
        assert_eq!(
            Backend::of_url("sqlite://data/parkland.db"),
            Backend::Sqlite
        );
        assert_eq!(sqlite_path("sqlite://data/parkland.db"), "data/parkland.db");
        assert_eq!(sqlite_path("data/parkland.db"), "data/parkland.db");
        assert!(!redact("postgres://u:secret@h/db").contains("secret"));
    }

    #[test]
    fn an_unreachable_postgres_is_one_clear_line() {
        let Err(e) = Db::open("postgres://nobody@127.0.0.1:1/none?connect_timeout=2", 1) else {
            panic!("connected to port 1?");
        };
        assert!(
            e.0.starts_with("cannot connect to PostgreSQL at postgres://nobody@127.0.0.1:1/none"),
            "{e}"
        );
        assert!(!e.0.contains('\n'));
    }
}
