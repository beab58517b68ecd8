//! A second PostgreSQL client beside diesel's, for the one query whose rows cost the server more
//! than the database: a map page (docs/performance.md, "A map page read on the wire").
//!
//! diesel reads through libpq, and libpq hands a result over row by row only by copying the
//! whole result's 32 column descriptions into a new result for every row (`PQcopyResult`), then
//! answers three calls a column: for a 1,000-parcel page, a quarter of the server's work, more
//! than it spends writing the features. rust-postgres (`postgres`, pure Rust) parses the
//! protocol itself and hands over each row as the bytes it arrived in, with one shared copy of
//! the descriptions. The statement is still diesel's — the same query object, its SQL and its
//! binary parameters collected from it ([`statement`]) — so the filters are written once.
//!
//! Each pooled PostgreSQL connection opens its own wire client lazily, the first time it reads
//! a map page ([`Slot`]), to the same URL, with the same settings (`store::prepare_postgres`),
//! so a replica's connection reads the replica. It is used only where it gives away nothing
//! libpq would have kept, and reads only what diesel's session would:
//! - **never where libpq might encrypt**: rust-postgres is built here without TLS, so the URL
//!   itself must rule encryption out — `sslmode=disable`, or Unix sockets only — and diesel's
//!   session must be neither TLS (`pg_stat_ssl`) nor GSSAPI-encrypted (`pg_stat_gssapi`).
//!   Otherwise the pages are read through libpq as before;
//! - **the same session**: libpq also reads `PG*` environment variables, service files and
//!   `~/.pgpass`, and a URL may list several hosts. The client is kept only if its session is
//!   diesel's — database, user, search path, server address and port, the server's start time
//!   and whether it is a replica ([`SESSION`]); otherwise it is closed, logged once, and the
//!   connection's pages stay with libpq. A client that cannot connect is logged and tried
//!   again a minute later.
//!
//! A failure before the first row has been handed over (the client's connection gone, say) is
//! not the request's: the client is closed and the page read through libpq. After it, the page
//! fails as busy (503, to be sent again) and diesel's connection stays in the pool.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use diesel::pg::Pg;
use diesel::query_builder::bind_collector::RawBytesBindCollector;
use diesel::query_builder::{QueryBuilder, QueryFragment};
use postgres::fallible_iterator::FallibleIterator;
use postgres::types::{IsNull, ToSql, Type};

use super::{StoreError, StoreResult};

/// How long after a failed connection the next page tries again.
const RETRY_AFTER: Duration = Duration::from_secs(60);

/// How many statements a client remembers having described (the map page has a few dozen
/// shapes; past this the memory starts again).
const DESCRIBED: usize = 256;

/// The wire client of one pooled connection: not yet needed, open, or not to be used.
pub struct Slot {
    config: Option<postgres::Config>,
    state: State,
    /// Pages read on the wire by this slot's clients (tests: which reader a page went through).
    pages: u64,
}

enum State {
    /// Not opened yet, or closed after a failure: opened at the next page.
    Untried,
    Open(Box<Open>),
    /// Not for this connection: its URL may be encrypted, or diesel's session is, or the
    /// client reached another session than diesel's (logged once).
    Refused,
    /// Connecting failed at this moment (logged); tried again after [`RETRY_AFTER`].
    Failed(Instant),
}

/// An open client and the statements it has described.
struct Open {
    client: postgres::Client,
    described: HashSet<String>,
}

impl Slot {
    /// The slot of a connection to `url`: usable only if the URL itself keeps the connection
    /// unencrypted — `sslmode=disable`, or Unix sockets only — and rust-postgres reads it (a
    /// SQLite URL, or a setting it does not know, leaves every page with libpq).
    pub fn for_url(url: &str) -> Self {
        Slot {
            config: config(url).filter(unencrypted),
            state: State::Untried,
            pages: 0,
        }
    }

    /// Whether this slot's client is open.
    pub fn is_open(&self) -> bool {
        matches!(self.state, State::Open(_))
    }

    /// How many pages were read on the wire through this slot.
    pub fn pages(&self) -> u64 {
        self.pages
    }

    /// The open client, opening it first if this is its first page: `None` where pages are
    /// read through libpq (see the module's notes).
    pub fn client(&mut self, pg: &mut diesel::PgConnection) -> Option<&mut postgres::Client> {
        self.open_client(pg).map(|open| &mut open.client)
    }

    fn open_client(&mut self, pg: &mut diesel::PgConnection) -> Option<&mut Open> {
        let retry = match self.state {
            State::Open(ref open) if open.client.is_closed() => true,
            State::Open(_) => false,
            State::Refused => return None,
            State::Failed(at) => at.elapsed() >= RETRY_AFTER,
            State::Untried => true,
        };
        if retry {
            self.close();
            self.state = self.open(pg);
        }
        match &mut self.state {
            State::Open(open) => Some(open),
            _ => None,
        }
    }

    /// Read `statement`'s rows on the wire, each handed to `row` (which may stop the page with
    /// an error). `Ok(None)`: not read — no client for this connection, or it failed before
    /// the first row (it is closed, logged; the caller reads the page through libpq).
    pub fn read(
        &mut self,
        pg: &mut diesel::PgConnection,
        statement: &Statement,
        mut row: impl FnMut(&postgres::Row) -> StoreResult<()>,
    ) -> StoreResult<Option<()>> {
        let Some(open) = self.open_client(pg) else {
            return Ok(None);
        };
        let mut handed = false;
        let failed = match open.read(statement, &mut row, &mut handed) {
            Ok(()) => {
                self.pages += 1;
                return Ok(Some(()));
            }
            Err(Read::Refused(e)) => return Err(e),
            Err(Read::Lost(e)) => e,
        };
        self.close();
        if handed {
            // Rows already written cannot be taken back: the page fails, the pooled
            // connection (diesel's session, which did not fail) stays.
            return Err(StoreError::Busy(format!(
                "the map page's database connection was lost: {failed}"
            )));
        }
        tracing::warn!(error = %failed, "the map page's second PostgreSQL client failed; reading the page through libpq");
        Ok(None)
    }

    fn open(&self, pg: &mut diesel::PgConnection) -> State {
        let Some(config) = &self.config else {
            return State::Refused;
        };
        let mine = match session(pg) {
            Ok(mine) if !mine.encrypted => mine,
            Ok(_) => return State::Refused,
            Err(e) => {
                tracing::debug!(error = %e, "could not read the connection's session");
                return State::Failed(Instant::now());
            }
        };
        let opened = config.connect(postgres::NoTls).and_then(|mut client| {
            let theirs = client.query_one(SESSION, &[])?;
            Ok((client, Session::of_wire(&theirs)?))
        });
        match opened {
            Ok((client, theirs)) if theirs == mine => State::Open(Box::new(Open {
                client,
                described: HashSet::new(),
            })),
            Ok((client, theirs)) => {
                tracing::warn!(
                    diesel = ?mine,
                    wire = ?theirs,
                    "map pages are read through libpq: the second PostgreSQL client reached another session than the connection's (PG* environment variables, a list of hosts?)"
                );
                Slot::close_client(client);
                State::Refused
            }
            Err(e) => {
                tracing::warn!(
                    error = %e,
                    "map pages are read through libpq: the second PostgreSQL client did not connect (tried again in a minute)"
                );
                State::Failed(Instant::now())
            }
        }
    }

    /// Close the client after a failure: the next page opens a new one.
    pub fn close(&mut self) {
        if let State::Open(open) = std::mem::replace(&mut self.state, State::Untried) {
            Slot::close_client(open.client);
        }
    }

    /// Closing sends PostgreSQL a `Terminate` through the client's own runtime, which cannot
    /// run inside another's: a client dropped on an HTTP worker (the pool, at shutdown) is
    /// closed on a thread of its own — or, if no thread can be started, left to the process's
    /// end rather than panic there.
    fn close_client(client: postgres::Client) {
        if tokio::runtime::Handle::try_current().is_err() {
            drop(client);
            return;
        }
        let kept = std::sync::Arc::new(std::sync::Mutex::new(Some(client)));
        let theirs = std::sync::Arc::clone(&kept);
        let spawned = std::thread::Builder::new()
            .name("wire-close".into())
            .spawn(move || drop(theirs.lock().ok().and_then(|mut c| c.take())));
        if let Err(e) = spawned {
            tracing::warn!(error = %e, "could not close a map page client");
            if let Some(client) = kept.lock().ok().and_then(|mut c| c.take()) {
                std::mem::forget(client);
            }
        }
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.close();
    }
}

/// How a read on the wire failed: the database refused the query (the page's error), or the
/// client's connection was lost.
enum Read {
    Refused(StoreError),
    Lost(postgres::Error),
}

impl Open {
    fn read(
        &mut self,
        statement: &Statement,
        row: &mut dyn FnMut(&postgres::Row) -> StoreResult<()>,
        handed: &mut bool,
    ) -> Result<(), Read> {
        let sort = |e: postgres::Error| {
            if lost(&e) {
                Read::Lost(e)
            } else {
                Read::Refused(error(e))
            }
        };
        // rust-postgres looks up a result column's type it does not know (PostGIS's geometry)
        // with a query of its own, and in the middle of `query_typed_raw`'s result that query
        // would wait behind the result for ever. A statement is described (prepared, its types
        // looked up, closed) the first time this client sends it; afterwards its types are in
        // the client's cache.
        if !self.described.contains(&statement.sql) {
            let types: Vec<Type> = statement.params.iter().map(|(_, t)| t.clone()).collect();
            self.client
                .prepare_typed(&statement.sql, &types)
                .map_err(sort)?;
            if self.described.len() >= DESCRIBED {
                self.described.clear();
            }
            self.described.insert(statement.sql.clone());
        }
        let mut rows = self
            .client
            .query_typed_raw(&statement.sql, statement.params())
            .map_err(sort)?;
        while let Some(next) = rows.next().map_err(sort)? {
            *handed = true;
            row(&next).map_err(Read::Refused)?;
        }
        Ok(())
    }
}

/// Who a session is: diesel's connection and the wire client must be the same database, user,
/// search path and server (the same postmaster, primary or replica), and neither encrypted.
const SESSION: &str = "SELECT current_database()::text, current_user::text, \
    current_setting('search_path'), pg_postmaster_start_time()::text, pg_is_in_recovery(), \
    coalesce(inet_server_addr()::text, ''), coalesce(inet_server_port(), 0), \
    coalesce((SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()), false) \
    OR coalesce((SELECT encrypted FROM pg_stat_gssapi WHERE pid = pg_backend_pid()), false)";

#[derive(Debug, PartialEq, diesel::QueryableByName)]
struct Session {
    #[diesel(sql_type = diesel::sql_types::Text)]
    database: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    user: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    search_path: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    started: String,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    replica: bool,
    #[diesel(sql_type = diesel::sql_types::Text)]
    address: String,
    #[diesel(sql_type = diesel::sql_types::Integer)]
    port: i32,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    encrypted: bool,
}

impl Session {
    fn of_wire(row: &postgres::Row) -> Result<Self, postgres::Error> {
        Ok(Session {
            database: row.try_get(0)?,
            user: row.try_get(1)?,
            search_path: row.try_get(2)?,
            started: row.try_get(3)?,
            replica: row.try_get(4)?,
            address: row.try_get(5)?,
            port: row.try_get(6)?,
            encrypted: row.try_get(7)?,
        })
    }
}

/// diesel's session.
fn session(pg: &mut diesel::PgConnection) -> diesel::QueryResult<Session> {
    use diesel::RunQueryDsl;
    diesel::sql_query(format!(
        "SELECT * FROM ({SESSION}) AS s (database, \"user\", search_path, started, replica, address, port, encrypted)"
    ))
    .get_result(pg)
}

/// Whether a URL keeps its connections unencrypted whatever the server offers: `sslmode=disable`
/// or Unix sockets only. (GSSAPI encryption, which libpq may still choose, is checked on the
/// session: [`SESSION`].)
fn unencrypted(config: &postgres::Config) -> bool {
    config.get_ssl_mode() == postgres::config::SslMode::Disable
        || (!config.get_hosts().is_empty()
            && config
                .get_hosts()
                .iter()
                .all(|h| matches!(h, postgres::config::Host::Unix(_))))
}

/// rust-postgres's reading of a PostgreSQL URL, with the settings diesel's connections get
/// (`store::prepare_postgres`) added to the URL's own `options`.
fn config(url: &str) -> Option<postgres::Config> {
    if super::Backend::of_url(url) != super::Backend::Postgres {
        return None;
    }
    let mut config: postgres::Config = url.parse().ok()?;
    let options = match config.get_options() {
        Some(own) => format!("{own} {SETTINGS}"),
        None => SETTINGS.to_owned(),
    };
    config
        .options(&options)
        .application_name("parkland-map")
        .connect_timeout(Duration::from_secs(10));
    Some(config)
}

/// `store::prepare_postgres`'s settings as connection options.
const SETTINGS: &str = "-c jit=off -c max_parallel_workers_per_gather=0";

/// A query's SQL and its parameters as diesel would send them: binary values with their types.
pub struct Statement {
    sql: String,
    params: Vec<(Option<Vec<u8>>, Type)>,
}

impl Statement {
    /// The parameters, for `query_typed_raw`.
    pub fn params(&self) -> impl Iterator<Item = (Bound<'_>, Type)> {
        self.params
            .iter()
            .map(|(value, ty)| (Bound(value.as_deref()), ty.clone()))
    }
}

/// diesel's statement for `query`: its SQL as diesel writes it and its parameters as diesel
/// binds them. `None` if a parameter's type is not one of PostgreSQL's own (rust-postgres
/// would have to look it up: the page is read through libpq).
pub fn statement(
    query: &impl QueryFragment<Pg>,
    pg: &mut diesel::PgConnection,
) -> StoreResult<Option<Statement>> {
    let mut builder = diesel::pg::PgQueryBuilder::default();
    query.to_sql(&mut builder, &Pg)?;
    let mut binds = RawBytesBindCollector::<Pg>::new();
    query.collect_binds(&mut binds, pg, &Pg)?;
    let mut params = Vec::with_capacity(binds.binds.len());
    for (value, meta) in binds.binds.into_iter().zip(binds.metadata) {
        let Some(ty) = meta.oid().ok().and_then(Type::from_oid) else {
            return Ok(None);
        };
        params.push((value, ty));
    }
    Ok(Some(Statement {
        sql: builder.finish(),
        params,
    }))
}

/// A parameter's bytes as diesel encoded them.
#[derive(Debug)]
pub struct Bound<'a>(Option<&'a [u8]>);

impl ToSql for Bound<'_> {
    fn to_sql(
        &self,
        _: &Type,
        out: &mut bytes::BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self.0 {
            Some(bytes) => {
                out.extend_from_slice(bytes);
                Ok(IsNull::No)
            }
            None => Ok(IsNull::Yes),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    postgres::types::to_sql_checked!();
}

/// Whether a failure was the client's connection rather than the database refusing the query.
fn lost(e: &postgres::Error) -> bool {
    // A connection the server ended (terminated, shut down: SQLSTATE class 57P, or 08) says
    // so in an error message before it closes.
    e.is_closed()
        || e.as_db_error().is_none_or(|db| {
            let code = db.code().code();
            code.starts_with("57P") || code.starts_with("08")
        })
}

/// A wire failure as the store's: the connection lost is [`StoreError::Unavailable`]; the
/// database's refusal is the error diesel would have given for the same SQLSTATE.
fn error(e: postgres::Error) -> StoreError {
    use diesel::result::DatabaseErrorKind as Kind;
    if lost(&e) {
        return StoreError::Unavailable(format!("the database connection failed: {e}"));
    }
    let Some(db) = e.as_db_error() else {
        return StoreError::Unavailable(format!("the database connection failed: {e}"));
    };
    // diesel's classification (its `pg::connection::result`).
    let kind = match db.code().code() {
        "23505" => Kind::UniqueViolation,
        "23503" => Kind::ForeignKeyViolation,
        "40001" => Kind::SerializationFailure,
        "25006" => Kind::ReadOnlyTransaction,
        "23502" => Kind::NotNullViolation,
        "23514" => Kind::CheckViolation,
        "23001" => Kind::RestrictViolation,
        "23P01" => Kind::ExclusionViolation,
        _ => Kind::Unknown,
    };
    StoreError::Database(diesel::result::Error::DatabaseError(
        kind,
        Box::new(db.message().to_owned()),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_postgres_url_keeps_its_options_and_gains_the_connections_settings() {
        let read = config(
            "postgres://u:p@db.example:6543/parkland?sslmode=disable&options=-csearch_path%3Dt1",
        )
        .expect("a PostgreSQL URL");
        assert_eq!(
            read.get_options(),
            Some("-csearch_path=t1 -c jit=off -c max_parallel_workers_per_gather=0")
        );
        assert_eq!(read.get_dbname(), Some("parkland"));
        assert_eq!(read.get_ports(), &[6543]);
        assert_eq!(read.get_application_name(), Some("parkland-map"));
        let plain = config("postgresql://postgres@127.0.0.1/x").expect("a PostgreSQL URL");
        assert_eq!(
            plain.get_options(),
            Some("-c jit=off -c max_parallel_workers_per_gather=0")
        );
    }

    #[test]
    fn only_a_url_that_rules_encryption_out_gets_a_client() {
        let rules_out = |url: &str| config(url).is_some_and(|c| unencrypted(&c));
        assert!(rules_out("postgres://u@db.example/p?sslmode=disable"));
        assert!(rules_out("postgres://u@%2Fvar%2Frun%2Fpostgresql/p"));
        assert!(rules_out("postgres:///p?host=/var/run/postgresql"));
        // libpq's default (`prefer`) encrypts whenever the server offers TLS.
        assert!(!rules_out("postgres://u@db.example/p"));
        assert!(!rules_out("postgres://u@127.0.0.1/p?sslmode=prefer"));
        assert!(!rules_out("postgres://u@db.example/p?sslmode=require"));
        assert!(!rules_out(
            "postgres://u@%2Fvar%2Frun%2Fpostgresql,db.example/p"
        ));
        assert!(Slot::for_url("postgres://u@db.example/p").config.is_none());
    }

    #[test]
    fn sqlite_and_unreadable_urls_stay_with_diesel() {
        assert!(config("sqlite://parkland.db").is_none());
        assert!(config("parkland.db").is_none());
        assert!(config("postgres://u@h/db?no_such_setting=1").is_none());
    }
}
