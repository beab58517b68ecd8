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
//! libpq would have kept:
//! - **never over TLS**: rust-postgres is built here without TLS, so the client is opened only
//!   when diesel's connection to the same URL is not encrypted (`pg_stat_ssl`: `sslmode=disable`,
//!   a Unix socket, a server without TLS). An encrypted connection's pages are read through
//!   libpq as before;
//! - **no libpq environment**: a password from `~/.pgpass` or `PGPASSWORD` is libpq's alone; a
//!   client that cannot connect is logged and tried again a minute later, and meanwhile the
//!   pages are read through libpq.
//!
//! A failure before the first row has been handed over (the client's connection gone, say) is
//! not the request's: the client is closed and the page read through libpq.

use std::time::{Duration, Instant};

use diesel::pg::Pg;
use diesel::query_builder::bind_collector::RawBytesBindCollector;
use diesel::query_builder::{QueryBuilder, QueryFragment};
use postgres::types::{IsNull, ToSql, Type};

use super::{StoreError, StoreResult};

/// How long after a failed connection the next page tries again.
const RETRY_AFTER: Duration = Duration::from_secs(60);

/// The wire client of one pooled connection: not yet needed, open, or not to be used.
pub struct Slot {
    config: Option<postgres::Config>,
    state: State,
}

enum State {
    /// Not opened yet, or closed after a failure: opened at the next page.
    Untried,
    Open(Box<postgres::Client>),
    /// diesel's connection is encrypted: this connection's pages stay with libpq.
    Encrypted,
    /// Connecting failed at this moment (logged); tried again after [`RETRY_AFTER`].
    Failed(Instant),
}

impl Slot {
    /// The slot of a connection to `url`: usable if rust-postgres reads the URL (a SQLite URL,
    /// or a setting it does not know, leaves every page with libpq).
    pub fn for_url(url: &str) -> Self {
        Slot {
            config: config(url),
            state: State::Untried,
        }
    }

    /// Whether this slot's client is open (tests: which reader a page went through).
    pub fn is_open(&self) -> bool {
        matches!(self.state, State::Open(_))
    }

    /// The open client, opening it first if this is its first page: `None` where pages are
    /// read through libpq (see the module's notes).
    pub fn client(&mut self, pg: &mut diesel::PgConnection) -> Option<&mut postgres::Client> {
        let retry = match self.state {
            State::Open(ref c) if c.is_closed() => true,
            State::Open(_) => false,
            State::Encrypted => return None,
            State::Failed(at) => at.elapsed() >= RETRY_AFTER,
            State::Untried => true,
        };
        if retry {
            self.close();
            self.state = self.open(pg);
        }
        match &mut self.state {
            State::Open(client) => Some(client),
            _ => None,
        }
    }

    fn open(&self, pg: &mut diesel::PgConnection) -> State {
        let Some(config) = &self.config else {
            return State::Encrypted;
        };
        match encrypted(pg) {
            Ok(false) => {}
            Ok(true) => return State::Encrypted,
            Err(e) => {
                tracing::debug!(error = %e, "could not tell whether the connection is encrypted");
                return State::Failed(Instant::now());
            }
        }
        // rust-postgres looks up a result column's type it does not know with a query of its
        // own, and in the middle of `query_typed_raw`'s result that query waits behind the
        // result for ever: the page's one type that is not PostgreSQL's own, PostGIS's
        // geometry, is looked up here, before any page (a statement prepared once, kept in the
        // client's cache of types).
        let opened = config
            .connect(postgres::NoTls)
            .and_then(|mut client| client.prepare(KNOWN_TYPES).map(|_| client));
        match opened {
            Ok(client) => State::Open(Box::new(client)),
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
        let State::Open(client) = std::mem::replace(&mut self.state, State::Untried) else {
            return;
        };
        // Closing sends PostgreSQL a `Terminate` through the client's own runtime, which
        // cannot run inside another's: a connection dropped on an HTTP worker (the pool, at
        // shutdown) closes its client on a thread of its own.
        if tokio::runtime::Handle::try_current().is_err() {
            drop(client);
        } else if let Err(e) = std::thread::Builder::new()
            .name("wire-close".into())
            .spawn(move || drop(client))
        {
            tracing::warn!(error = %e, "could not close a map page client");
        }
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.close();
    }
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

/// A statement whose preparation makes the client know the types of a page's columns that
/// are not PostgreSQL's own.
const KNOWN_TYPES: &str = "SELECT NULL::geometry";

/// `store::prepare_postgres`'s settings as connection options.
const SETTINGS: &str = "-c jit=off -c max_parallel_workers_per_gather=0";

/// Whether diesel's connection is encrypted.
fn encrypted(pg: &mut diesel::PgConnection) -> diesel::QueryResult<bool> {
    use diesel::RunQueryDsl;
    diesel::select(diesel::dsl::sql::<diesel::sql_types::Bool>(
        "coalesce((SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()), false)",
    ))
    .get_result(pg)
}

/// A query's SQL and its parameters as diesel would send them: binary values with their types.
pub struct Statement {
    pub sql: String,
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
pub fn lost(e: &postgres::Error) -> bool {
    // A connection the server ended (terminated, shut down: SQLSTATE class 57P, or 08) says
    // so in an error message before it closes.
    e.is_closed()
        || e.as_db_error().is_none_or(|db| {
            let code = db.code().code();
            code.starts_with("57P") || code.starts_with("08")
        })
}

/// A wire failure as the store's: the connection lost is [`StoreError::Unavailable`] (the
/// pooled connection is dropped); the database's refusal is the error diesel would have given.
pub fn error(e: postgres::Error) -> StoreError {
    if lost(&e) {
        return StoreError::Unavailable(format!("the database connection failed: {e}"));
    }
    let message = e
        .as_db_error()
        .map_or_else(|| e.to_string(), |db| db.message().to_owned());
    StoreError::Database(diesel::result::Error::DatabaseError(
        diesel::result::DatabaseErrorKind::Unknown,
        Box::new(message),
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
    fn sqlite_and_unreadable_urls_stay_with_diesel() {
        assert!(config("sqlite://parkland.db").is_none());
        assert!(config("parkland.db").is_none());
        assert!(config("postgres://u@h/db?no_such_setting=1").is_none());
    }
}
