//! Heavy reads from a streaming replica (issue 18): with a read replica configured, OGC items
//! are read from it (seen in the replica's `pg_stat_activity`), and a caller who just wrote
//! never reads an older register, even while the replica stands still. PostgreSQL with a
//! replica only: `PARKLAND_TEST_REPLICA_URL` names a hot standby of
//! `PARKLAND_TEST_DATABASE_URL` (`.ci/run` makes one with `pg_basebackup`).

use crate::common::fixtures::{create_parcel, create_park, parcel};
use crate::common::{self, get};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use parkland::store::Db;
use std::time::{Duration, Instant};

/// The replica's replay paused until dropped (so a failing test never leaves it paused).
struct Paused(diesel::PgConnection);

impl Paused {
    fn replay(url: &str) -> Paused {
        let mut conn = diesel::PgConnection::establish(url).expect("connect to the replica");
        conn.batch_execute("SELECT pg_wal_replay_pause()")
            .expect("pause the replica's replay");
        Paused(conn)
    }
}

impl Drop for Paused {
    fn drop(&mut self) {
        let _ = self.0.batch_execute("SELECT pg_wal_replay_resume()");
    }
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Wait until the public sees `n` available plots (the replica has replayed them).
async fn public_plots_become(anonymous: &common::Client, n: i64) {
    let started = Instant::now();
    while get(anonymous, "/collections/available-plots/items")
        .await
        .expect(200)
        .json()["numberMatched"]
        != n
    {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the replica never replayed the {n} plots"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn codes(page: &serde_json::Value) -> Vec<String> {
    page["features"]
        .as_array()
        .expect("features")
        .iter()
        .map(|f| f["properties"]["code"].as_str().expect("code").to_owned())
        .collect()
}

#[actix_web::test]
async fn heavy_reads_come_from_the_replica_and_never_a_stale_one() {
    let Ok(replica_base) = std::env::var("PARKLAND_TEST_REPLICA_URL") else {
        if std::env::var_os("CI").is_some() {
            panic!("CI must set PARKLAND_TEST_REPLICA_URL (a streaming replica) for this test");
        }
        eprintln!("skipped: PARKLAND_TEST_REPLICA_URL is not set");
        return;
    };
    let Some(app) = common::TestDb::postgres() else {
        return;
    };
    // The same schema on the replica, its connections named so they can be found there.
    let schema_options = app.url.split_once('?').map_or("", |(_, q)| q);
    let name = format!("parkland-read-{}", std::process::id());
    let sep = if replica_base.contains('?') { '&' } else { '?' };
    let read_url = format!("{replica_base}{sep}{schema_options}&application_name={name}");
    let mut watcher = diesel::PgConnection::establish(&replica_base).expect("the replica");
    let started = Instant::now();
    let schema = schema_options
        .split("search_path%3D")
        .nth(1)
        .and_then(|s| s.split("%2C").next())
        .expect("the test's schema")
        .to_owned();
    // The replica has the schema once it has replayed its creation.
    loop {
        let n: Count = diesel::sql_query(
            "SELECT count(*) AS n FROM pg_tables WHERE schemaname = $1 AND tablename = 'parcels'",
        )
        .bind::<Text, _>(&schema)
        .get_result(&mut watcher)
        .expect("ask the replica");
        if n.n == 1 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the replica never replayed the test's schema"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    // No anonymous limit: the test polls the replica until it catches up.
    let config = parkland::config::HttpConfig {
        anon_rate_per_minute: 0,
        ..Default::default()
    };
    let state = app
        .state_with(config)
        .with_read_db(Db::open_read(&read_url, 2).expect("the replica's pool"));
    let admin = common::Client::of(state.clone(), Some(app.admin_token())).await;
    let anonymous = common::Client::of(state, None).await;
    let park = create_park(&admin, "NCGY").await;
    create_parcel(&admin, park, &parcel("A-1", 116.63, 27.56, 0.002)).await;

    // The read pool opens its sessions on the replica lazily, for the first read routed to it,
    // under the pool's name: the writes above and their checks never went there.
    let replica_reads = || -> i64 {
        let mut conn = diesel::PgConnection::establish(&replica_base).expect("the replica");
        diesel::sql_query("SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = $1")
            .bind::<Text, _>(&name)
            .get_result::<Count>(&mut conn)
            .expect("the replica's sessions")
            .n
    };
    assert_eq!(replica_reads(), 0);

    // The writer reads what they wrote at once.
    let page = get(&admin, "/collections/parcels/items")
        .await
        .expect(200)
        .json();
    assert_eq!(codes(&page), ["A-1"]);
    // Public items, once the replica has replayed the parcel, come from the replica.
    public_plots_become(&anonymous, 1).await;
    assert!(replica_reads() > 0, "no read reached the replica");

    // The replica stands still: a new parcel is on the primary only.
    let paused = Paused::replay(&replica_base);
    create_parcel(&admin, park, &parcel("A-2", 116.635, 27.56, 0.002)).await;
    let page = get(&admin, "/collections/parcels/items")
        .await
        .expect(200)
        .json();
    assert_eq!(
        codes(&page),
        ["A-1", "A-2"],
        "the writer reads past the replica's delay"
    );
    let public = get(&anonymous, "/collections/available-plots/items")
        .await
        .expect(200)
        .json();
    assert_eq!(
        codes(&public),
        ["A-1"],
        "a caller who never wrote is answered by the replica, a delay behind"
    );
    drop(paused);
    public_plots_become(&anonymous, 2).await;
}
