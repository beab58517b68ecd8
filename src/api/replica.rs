//! Heavy reads from a streaming replica (issue 18, docs/scaling.md).
//!
//! With `DATABASE_READ_URL` set, the requests that cost the database most and change nothing —
//! OGC items, tiles, exports and reports — are read from the replica; everything else, writes
//! and who the caller is included, stays on the primary. The guard middleware decides per
//! request ([`route`]) and runs the request within [`ROUTE`]; [`crate::api::AppState::run`]
//! then takes its connection from the replica.
//!
//! Nobody reads an older register than the one they wrote: a caller who has written carries
//! a fence (`store::read_fences`), and the replica answers them only once it has replayed past
//! it — otherwise the primary does. A replica that cannot be reached is stepped around too.

use crate::store::{self, Conn, Db, StoreResult};

tokio::task_local! {
    /// Set while a request routed to the replica runs: the caller's fence (none for a caller
    /// who never wrote).
    pub static ROUTE: Option<i64>;
}

/// Whether a request is a heavy read the replica may answer: a GET (or HEAD) of a
/// collection's items or tiles, a park's export or a report.
pub fn route(method: &actix_web::http::Method, path: &str) -> bool {
    let read = method == actix_web::http::Method::GET || method == actix_web::http::Method::HEAD;
    read && ((path.starts_with("/collections/")
        && (path.contains("/items") || path.contains("/tiles/")))
        || (path.starts_with("/api/parks/")
            && (path.ends_with("/parcels/export") || path.contains("/reports/"))))
}

/// A connection for a routed read: the replica's if it has replayed past `fence`, else the
/// primary's.
pub fn conn(primary: &Db, replica: &Db, fence: Option<i64>) -> StoreResult<Conn> {
    let mut conn = match replica.conn() {
        Ok(conn) => conn,
        Err(e) => {
            tracing::warn!(error = %e, "the read replica is not reachable; reading from the primary");
            return primary.conn();
        }
    };
    match fence {
        None => Ok(conn),
        Some(lsn) => match store::read_fences::replayed(&mut conn, lsn) {
            Ok(true) => Ok(conn),
            Ok(false) => primary.conn(),
            Err(e) => {
                tracing::warn!(error = %e, "the read replica did not answer; reading from the primary");
                primary.conn()
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::Method;

    #[test]
    fn only_heavy_reads_are_routed() {
        for path in [
            "/collections/parcels/items",
            "/collections/idle-land/items/12",
            "/collections/parcels/tiles/WebMercatorQuad/14/13500/6900",
            "/api/parks/3/parcels/export",
            "/api/parks/3/reports/dispatch",
        ] {
            assert!(route(&Method::GET, path), "{path}");
            assert!(!route(&Method::POST, path), "{path}");
        }
        for path in [
            "/collections",
            "/collections/parcels",
            "/api/parks/3",
            "/api/parcels/12",
            "/api/me",
            "/conformance",
        ] {
            assert!(!route(&Method::GET, path), "{path}");
        }
    }
}
