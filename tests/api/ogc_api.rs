//! OGC API – Features Part 1: landing page, conformance, collections, items with bbox, paging,
//! filters and ETags, as GDAL, QGIS and web maps use them.

use crate::common;
use crate::common::fixtures::{create_parcel, create_park, east_zone, parcel};
use crate::common::{get, post, send};
use serde_json::{Value, json};

/// A park with a 5 × 4 grid of 0.002° parcels from 116.63°E 27.56°N; returns the park id.
pub(crate) async fn grid(svc: &common::Client) -> i64 {
    let park = create_park(svc, "NCGY").await;
    post(svc, &format!("/api/parks/{park}/zones"), &east_zone())
        .await
        .expect(201);
    for i in 0..5 {
        for j in 0..4 {
            let mut f = parcel(
                &format!("G-{i}-{j}"),
                116.63 + 0.002 * f64::from(i),
                27.56 + 0.002 * f64::from(j),
                0.002,
            );
            if (i + j) % 3 == 0 {
                f["properties"]["status"] = json!("reserve");
                f["properties"]["land_use"] = json!("110101");
            }
            create_parcel(svc, park, &f).await;
        }
    }
    park
}

fn link<'a>(doc: &'a Value, rel: &str) -> Option<&'a str> {
    doc["links"].as_array()?.iter().find(|l| l["rel"] == rel)?["href"].as_str()
}

/// The path and query of an absolute link, to request it in process.
pub(crate) fn local(href: &str) -> String {
    let without_scheme = href.split_once("://").map_or(href, |(_, rest)| rest);
    without_scheme
        .find('/')
        .map_or("/".to_owned(), |i| without_scheme[i..].to_owned())
}

on_both_backends!(
    landing_conformance_and_collections,
    |app: common::TestDb| async move {
        let svc = app.service().await;
        grid(&svc).await;
        let landing = get(&svc, "/").await.expect(200).json();
        for rel in ["self", "service-desc", "service-doc", "conformance", "data"] {
            assert!(
                link(&landing, rel).is_some(),
                "landing page lacks {rel}: {landing}"
            );
        }
        let desc = landing["links"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["rel"] == "service-desc")
            .unwrap();
        assert_eq!(desc["type"], "application/vnd.oai.openapi+json;version=3.0");
        let api = get(&svc, &local(desc["href"].as_str().unwrap()))
            .await
            .expect(200)
            .json();
        assert_eq!(api["openapi"], "3.0.3");

        let conf = get(&svc, "/conformance").await.expect(200).json();
        let classes: Vec<&str> = conf["conformsTo"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap())
            .collect();
        assert!(classes.contains(&"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"));
        assert!(
            classes.contains(&"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson")
        );
        assert!(classes.contains(&"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30"));

        let cols = get(&svc, "/collections").await.expect(200).json();
        let ids: Vec<&str> = cols["collections"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap())
            .collect();
        assert_eq!(
            ids,
            [
                "parks",
                "zones",
                "parcels",
                "available-plots",
                "idle-land",
                "underused-land",
                "capacity-reviews",
                "workshops",
                "available-units",
                "mu-performance",
                "renewal-candidates"
            ]
        );
        let parcels = get(&svc, "/collections/parcels").await.expect(200).json();
        assert_eq!(parcels["itemType"], "feature");
        assert_eq!(
            parcels["extent"]["spatial"]["bbox"][0],
            json!([116.62, 27.55, 116.66, 27.58]),
            "the extent of the parks the parcels lie in"
        );
        assert!(
            link(&parcels, "items")
                .unwrap()
                .ends_with("/collections/parcels/items")
        );
        get(&svc, "/collections/roads").await.problem(404);
        get(&svc, "/collections/roads/items").await.problem(404);
    }
);

on_both_backends!(
    items_page_with_links_and_counts,
    |app: common::TestDb| async move {
        let svc = app.service().await;
        grid(&svc).await;
        let r = get(&svc, "/collections/parcels/items?limit=7")
            .await
            .expect(200);
        assert_eq!(
            r.header("content-type").as_deref(),
            Some("application/geo+json")
        );
        let page = r.json();
        assert_eq!(page["type"], "FeatureCollection");
        assert_eq!(page["numberMatched"], 20);
        assert_eq!(page["numberReturned"], 7);
        assert_eq!(page["timeStamp"], "2026-11-22T08:00:00Z");
        assert!(link(&page, "prev").is_none());
        // Follow next links to the end, collecting every id once.
        let mut seen = Vec::new();
        let mut doc = page;
        loop {
            seen.extend(
                doc["features"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|f| f["id"].as_i64().unwrap()),
            );
            match link(&doc, "next") {
                Some(next) => {
                    // Keyset paging: the next page starts after the last id, not at an offset.
                    let last = seen.last().unwrap();
                    assert!(next.ends_with(&format!("limit=7&after={last}")), "{next}");
                    doc = get(&svc, &local(next)).await.expect(200).json();
                    assert!(doc["numberMatched"].is_null(), "counted on page one only");
                }
                None => break,
            }
        }
        let mut unique = seen.clone();
        unique.dedup();
        assert_eq!((seen.len(), unique.len()), (20, 20), "{seen:?}");
        // An offset is still understood, and lands where the keys do.
        let last = get(&svc, "/collections/parcels/items?limit=7&offset=14")
            .await
            .json();
        assert_eq!(last["numberReturned"], 6);
        let ids = |doc: &serde_json::Value| -> Vec<i64> {
            doc["features"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["id"].as_i64().unwrap())
                .collect()
        };
        assert_eq!(ids(&last), seen[14..]);
        assert!(link(&last, "prev").unwrap().contains("offset=7"));
        assert!(link(&last, "next").is_none(), "the last page");
        let past = get(&svc, "/collections/parcels/items?offset=100")
            .await
            .json();
        assert_eq!(past["numberReturned"], 0);
        get(
            &svc,
            &format!("/collections/parcels/items?offset=7&after={}", seen[6]),
        )
        .await
        .problem(400);
        // A limit above the maximum is clamped, not refused.
        assert_eq!(
            get(&svc, "/collections/parcels/items?limit=1000000")
                .await
                .expect(200)
                .json()["numberReturned"],
            20
        );
    }
);

/// A page at an offset keeps the partial index of the active parcels' ids (`parcels_active_id`)
/// in a generic plan, which PostgreSQL settles on for a prepared statement after five
/// executions on a connection: the listing's status test is written with constants. With the
/// status bound as a parameter, the generic plan could not use the index and read every row it
/// skipped (offset 150,000 of 200,000 parcels: 11 → 25 ms). The page's SQL, as the store sends
/// it, is prepared here and planned generically, with the default status test and with a
/// status asked for (which reads the index of one status's ids, `parcels_status_id`).
#[actix_web::test]
async fn a_page_at_an_offset_keeps_its_index_in_a_generic_plan() {
    use diesel::connection::{Connection, InstrumentationEvent};
    use diesel::prelude::*;
    use diesel::sql_types::Text;
    use parkland::domain::parcel::ParcelStatus;
    use parkland::store::parcels::{ParcelQuery, Start, query_each};
    use std::sync::{Arc, Mutex};
    #[derive(QueryableByName)]
    struct Types {
        #[diesel(sql_type = Text)]
        types: String,
    }
    #[derive(QueryableByName)]
    struct Line {
        #[diesel(sql_type = Text, column_name = "QUERY PLAN")]
        line: String,
    }
    let Some(app) = common::TestDb::postgres() else {
        return;
    };
    let mut pooled = app.conn();
    let conn = &mut **pooled;
    let sent = Arc::new(Mutex::new(Vec::<String>::new()));
    let log = Arc::clone(&sent);
    conn.set_instrumentation(move |event: InstrumentationEvent<'_>| {
        if let InstrumentationEvent::StartQuery { query, .. } = event {
            log.lock().unwrap().push(query.to_string());
        }
    });
    for statuses in [None, Some(vec![ParcelStatus::Available])] {
        let q = ParcelQuery {
            statuses,
            ..ParcelQuery::default()
        };
        query_each(conn, None, &q, 10, Start::Offset(5), |_| ()).unwrap();
    }
    let pages: Vec<String> = sent
        .lock()
        .unwrap()
        .iter()
        .filter(|sql| sql.contains("OFFSET"))
        .map(|sql| sql.split(" -- binds:").next().unwrap().to_owned())
        .collect();
    assert_eq!(pages.len(), 2, "{pages:#?}");
    // Generic plans; an index wherever one can serve (the table is empty, so the planner would
    // rather scan it).
    for setting in [
        "plan_cache_mode = force_generic_plan",
        "enable_seqscan = off",
    ] {
        diesel::sql_query(format!("SET {setting}"))
            .execute(conn)
            .unwrap();
    }
    for (i, sql) in pages.iter().enumerate() {
        diesel::sql_query(format!("PREPARE page_{i} AS {sql}"))
            .execute(conn)
            .unwrap();
        let types: Types = diesel::sql_query(format!(
            "SELECT parameter_types::text AS types FROM pg_prepared_statements \
             WHERE name = 'page_{i}'"
        ))
        .get_result(conn)
        .unwrap();
        // The limits and offset are the only values bound: the statuses are in the text.
        assert_eq!(types.types, "{bigint,bigint,bigint}", "{sql}");
        let plan: Vec<Line> = diesel::sql_query(format!("EXPLAIN EXECUTE page_{i}(1, 1, 1)"))
            .load(conn)
            .unwrap();
        let plan: Vec<String> = plan.into_iter().map(|l| l.line).collect();
        // Every active parcel's id; one status's ids in order (`parcels_status_id`).
        let index = ["parcels_active_id", "parcels_status_id"][i];
        assert!(plan.iter().any(|l| l.contains(index)), "{sql}\n{plan:#?}");
    }
}

// A map page's features are the parcels' own: on PostgreSQL the page reads its rows as cells
// (`store::rows::ParcelCells`), everywhere else as the register's rows; either way each
// feature's geometry and properties are what the parcel's item says — for a parcel with every
// member, one with none of the optional ones, text longer than a cell holds in place, and a
// retired one — and on PostgreSQL the cells make the parcels the register's rows make.
on_both_backends!(
    a_map_page_writes_each_parcel_as_its_item,
    |app: common::TestDb| async move {
        use diesel::RunQueryDsl;
        use parkland::domain::parcel::ParcelStatus;
        use parkland::store::parcels::{ParcelQuery, Start, all, query, query_each};
        let svc = app.service().await;
        let park = create_park(&svc, "NCGY").await;
        let zone = post(&svc, &format!("/api/parks/{park}/zones"), &east_zone())
            .await
            .expect(201)
            .json()["id"]
            .as_i64()
            .unwrap();
        let mut full = parcel("A-1", 116.645, 27.56, 0.002);
        let p = &mut full["properties"];
        p["zone_id"] = json!(zone);
        p["location"] = json!("南城县工业园区东片区纬三路以南、经二路以东（原赣东机械厂旧址）");
        p["name"] = json!("南城县工业园区东片区精密机电产业园一期项目用地");
        p["approval_no"] = json!("赣府土字〔2022〕12号");
        p["approved_on"] = json!("2022-05-10");
        p["far_max"] = json!(3.0);
        p["building_density_max_pct"] = json!(60.0);
        p["green_ratio_min_pct"] = json!(10.0);
        create_parcel(&svc, park, &full).await;
        let bare = json!({
            "type": "Feature",
            "geometry": common::fixtures::polygon(116.63, 27.56, 116.632, 27.562),
            "properties": {"code": "B-1", "land_use": "0901", "status": "reserve"}
        });
        create_parcel(&svc, park, &bare).await;
        let gone = create_parcel(&svc, park, &parcel("C-1", 116.635, 27.56, 0.002)).await;
        common::post_if(
            &svc,
            &format!("/api/parcels/{}/retire", gone["id"]),
            "\"1\"",
            &json!({"reason": "规划调整，注销宗地"}),
        )
        .await
        .expect(200);
        // One parcel written again by someone else, later: the audit members differ (a cell
        // taken for its neighbour shows).
        diesel::sql_query(
            "UPDATE parcels SET updated_by = 'bureau:li', updated_at = '2030-01-02 03:04:05.678' \
             WHERE code = 'B-1'",
        )
        .execute(&mut **app.conn())
        .unwrap();
        let every = "status=reserve,available,reserved,supplied,retired";
        for query_string in [
            format!("park_id={park}&{every}"),
            format!("park_id={park}&{every}&bbox=116.62,27.55,116.66,27.58"),
            format!(
                "park_id={park}&{every}&properties=code,infrastructure,clearances,retired_reason"
            ),
        ] {
            let page = get(&svc, &format!("/collections/parcels/items?{query_string}"))
                .await
                .expect(200)
                .json();
            let features = page["features"].as_array().unwrap();
            assert_eq!(features.len(), 3, "{query_string}");
            let keep = query_string.split("properties=").nth(1);
            for f in features {
                let mut item = get(&svc, &format!("/collections/parcels/items/{}", f["id"]))
                    .await
                    .expect(200)
                    .json();
                if let Some(keep) = keep {
                    let kept: Vec<&str> = keep.split(',').collect();
                    let all = item["properties"].as_object_mut().unwrap();
                    all.retain(|k, _| kept.contains(&k.as_str()));
                    assert!(all.len() >= 3, "{all:?}");
                }
                assert_eq!(f["geometry"], item["geometry"], "{query_string}");
                assert_eq!(f["properties"], item["properties"], "{query_string}");
            }
        }
        let retired = get(
            &svc,
            &format!("/collections/parcels/items?park_id={park}&status=retired"),
        )
        .await
        .json();
        assert_eq!(
            retired["features"][0]["properties"]["retired_reason"],
            "规划调整，注销宗地"
        );
        // The cells make the register's parcels (PostgreSQL: `query` reads cells, `all` rows).
        let mut conn = app.conn();
        let b = get(
            &svc,
            &format!("/collections/parcels/items?park_id={park}&code=B-1"),
        )
        .await
        .json();
        let b = &b["features"][0]["properties"];
        assert_eq!(b["updated_by"], "bureau:li");
        assert_eq!(b["updated_at"], "2030-01-02T03:04:05.678Z");
        assert_ne!(b["created_at"], b["updated_at"]);
        let area = parkland::spatial::Bbox {
            min_x: 116.62,
            min_y: 27.55,
            max_x: 116.66,
            max_y: 27.58,
        };
        for bbox in [None, Some(area)] {
            let q = ParcelQuery {
                park_id: Some(park),
                statuses: Some(ParcelStatus::ALL.to_vec()),
                bbox,
                ..ParcelQuery::default()
            };
            let read = query(&mut conn, &q, 100, Start::Offset(0)).unwrap();
            assert_eq!(read.len(), 3);
            assert_eq!(read, all(&mut conn, &q).unwrap());
            // PostgreSQL's map page is read on the wire (`store::wire`): the same parcels.
            let (c, wire) = conn.with_wire();
            let (wired, paged) = common::off_runtime(|| {
                let mut wired = Vec::new();
                let paged = query_each(c, Some(&mut *wire), &q, 100, Start::Offset(0), |p| {
                    wired.push(p.into_parcel())
                })
                .unwrap();
                (wired, paged)
            });
            assert_eq!(wired, read);
            assert_eq!(paged.matched, Some(3));
            let postgres = c.backend() == parkland::store::Backend::Postgres;
            assert_eq!(wire.is_open(), postgres, "read on the wire");
        }
    }
);

/// Every shape of a map page — a box's first page (counted by the window) and the pages after
/// it, at an offset or after a key, with and without a box, one status or several, the other
/// filters, `sortby`, an empty page, and a page of 400 rows — reads the same parcels and the
/// same counts on the wire (`store::wire`) as through libpq, and each was read on the wire.
/// The client's first page is the largest: one that meets PostGIS's geometry type for the first
/// time in the middle of a long result is the one that would wait for ever had the statement
/// not been described first (it did, when that was taken out).
#[actix_web::test]
async fn every_map_page_reads_the_same_on_the_wire_as_through_libpq() {
    use diesel::RunQueryDsl;
    use parkland::domain::parcel::ParcelStatus;
    use parkland::store::parcels::{ParcelQuery, Start, query_each};
    let Some(app) = common::TestDb::postgres() else {
        return;
    };
    let svc = app.service().await;
    let park = create_park(&svc, "NCGY").await;
    let other = create_park(&svc, "NCHX").await;
    for i in 0..12 {
        let x = 116.62 + f64::from(i % 4) * 0.003;
        let y = 27.55 + f64::from(i / 4) * 0.003;
        let mut p = parcel(&format!("W-{i}"), x, y, 0.002);
        if i % 3 == 0 {
            p["properties"]["status"] = json!("reserve");
            p["properties"]["land_use"] = json!("0901");
        }
        create_parcel(&svc, park, &p).await;
    }
    // 400 more rows like W-1, written directly: a page larger than the client reads ahead.
    diesel::sql_query(
        "DO $$ DECLARE cols text; BEGIN \
         SELECT string_agg(quote_ident(column_name), ',') INTO cols FROM information_schema.columns \
         WHERE table_name = 'parcels' AND table_schema = current_schema() \
         AND column_name NOT IN ('id', 'code'); \
         EXECUTE format('INSERT INTO parcels (code, %s) SELECT ''BULK-'' || g, %s FROM parcels, \
         generate_series(1, 400) g WHERE code = ''W-1''', cols, cols); END $$",
    )
    .execute(&mut **app.conn())
    .unwrap();
    let area = parkland::spatial::Bbox {
        min_x: 116.619,
        min_y: 27.549,
        max_x: 116.6275,
        max_y: 27.5575,
    };
    let base = ParcelQuery {
        park_id: Some(park),
        ..ParcelQuery::default()
    };
    let code = parkland::store::cql::PARCEL_QUERYABLES
        .iter()
        .find(|q| q.name == "code")
        .unwrap();
    let mut queries = Vec::new();
    for bbox in [None, Some(area)] {
        for statuses in [None, Some(vec![ParcelStatus::Reserve])] {
            queries.push(ParcelQuery {
                statuses,
                bbox,
                ..base.clone()
            });
        }
    }
    let day = |y| chrono::NaiveDate::from_ymd_opt(y, 1, 1).unwrap().into();
    queries.extend([
        ParcelQuery {
            land_use: Some("09".into()),
            ..base.clone()
        },
        ParcelQuery {
            code: Some("W-5".into()),
            ..base.clone()
        },
        ParcelQuery {
            visible_parks: Some(vec![other]),
            ..base.clone()
        },
        ParcelQuery {
            updated_from: Some(day(2000)),
            updated_to: Some(day(2100)),
            bbox: Some(area),
            ..base.clone()
        },
        ParcelQuery {
            sort: vec![(code, true)],
            ..base.clone()
        },
    ]);
    let mut pooled = app.conn();
    let (conn, wire) = pooled.with_wire();
    let (shapes, largest) = common::off_runtime(|| {
        let (mut shapes, mut largest) = (0, 0);
        for q in &queries {
            for start in [
                Start::Offset(0),
                Start::Offset(2),
                Start::Offset(40),
                Start::After(0),
            ] {
                if !q.sort.is_empty() && matches!(start, Start::After(_)) {
                    continue;
                }
                for limit in [1000, 3, 1] {
                    let mut through = [Vec::new(), Vec::new()];
                    let mut paged = Vec::new();
                    for (i, on_wire) in [false, true].into_iter().enumerate() {
                        let read = &mut through[i];
                        let before = wire.pages();
                        let page =
                            query_each(conn, on_wire.then_some(&mut *wire), q, limit, start, |p| {
                                read.push(p.into_parcel())
                            })
                            .unwrap();
                        assert_eq!(wire.pages() - before, u64::from(on_wire), "{q:?}");
                        paged.push((page.more, page.matched, page.last_id));
                    }
                    let shape = format!("{q:?} {start:?} limit {limit}");
                    assert_eq!(through[0], through[1], "{shape}");
                    assert_eq!(paged[0], paged[1], "{shape}");
                    shapes += usize::from(!through[0].is_empty());
                    largest = largest.max(through[0].len());
                }
            }
        }
        (shapes, largest)
    });
    assert!(shapes > 50, "{shapes} shapes with parcels");
    assert!(largest > 400, "a page of {largest} parcels");
}

/// A client whose session is not diesel's connection's — here another search path, as `PG*`
/// variables or a list of hosts could make it — is closed, and the pages stay with libpq.
#[actix_web::test]
async fn a_wire_client_on_another_session_is_refused() {
    let Some(app) = common::TestDb::postgres() else {
        return;
    };
    let url = app.url.replace(
        "options=-csearch_path%3D",
        "options=-csearch_path%3Dpublic%2C",
    );
    assert_ne!(url, app.url);
    let mut pooled = app.conn();
    let (conn, _) = pooled.with_wire();
    let parkland::store::AnyConnection::Postgresql(pg) = conn else {
        unreachable!("a PostgreSQL test")
    };
    common::off_runtime(|| {
        let mut mine = parkland::store::wire::Slot::for_url(&app.url);
        assert!(mine.client(pg).is_some(), "the connection's own URL");
        let mut elsewhere = parkland::store::wire::Slot::for_url(&url);
        assert!(elsewhere.client(pg).is_none(), "another search path");
        assert!(!elsewhere.is_open());
    });
}

/// libpq's TLS is not given away: where diesel's connection is encrypted, the page is read
/// through libpq and no unencrypted second connection is opened (`store::wire`).
#[actix_web::test]
async fn a_map_page_over_tls_is_read_through_libpq() {
    use diesel::RunQueryDsl;
    use parkland::store::parcels::{ParcelQuery, Start, query_each};
    #[derive(diesel::QueryableByName)]
    struct Setting {
        #[diesel(sql_type = diesel::sql_types::Text)]
        ssl: String,
    }
    let Some(app) = common::TestDb::postgres() else {
        return;
    };
    let ssl: Setting = diesel::sql_query("SHOW ssl")
        .get_result(&mut **app.conn())
        .unwrap();
    if ssl.ssl != "on" {
        eprintln!("skipped: this PostgreSQL server does not offer TLS");
        return;
    }
    let svc = app.service().await;
    let park = create_park(&svc, "NCGY").await;
    create_parcel(&svc, park, &parcel("T-1", 116.63, 27.56, 0.002)).await;
    let url = app.url.replace("sslmode=disable", "sslmode=require");
    assert_ne!(url, app.url);
    let db = parkland::store::Db::open(&url, 1).unwrap();
    let mut pooled = db.conn().unwrap();
    let (conn, wire) = pooled.with_wire();
    let q = ParcelQuery {
        park_id: Some(park),
        ..ParcelQuery::default()
    };
    let codes = common::off_runtime(|| {
        let mut codes = Vec::new();
        query_each(conn, Some(&mut *wire), &q, 10, Start::Offset(0), |p| {
            codes.push(p.into_parcel().code)
        })
        .unwrap();
        codes
    });
    assert_eq!(codes, ["T-1"]);
    assert!(
        !wire.is_open(),
        "no unencrypted client beside an encrypted connection"
    );
}

/// A wire client whose connection the server ended is noticed at the next page, which is read
/// through libpq; the page after opens a new client (`store::wire`).
#[actix_web::test]
async fn a_lost_wire_connection_is_replaced() {
    use diesel::RunQueryDsl;
    use parkland::store::parcels::{ParcelQuery, Start, query_each};
    let Some(app) = common::TestDb::postgres() else {
        return;
    };
    let svc = app.service().await;
    let park = create_park(&svc, "NCGY").await;
    create_parcel(&svc, park, &parcel("L-1", 116.63, 27.56, 0.002)).await;
    let q = ParcelQuery {
        park_id: Some(park),
        ..ParcelQuery::default()
    };
    let mut pooled = app.conn();
    let (conn, wire) = pooled.with_wire();
    common::off_runtime(|| {
        let page = |conn: &mut parkland::store::AnyConnection,
                    wire: &mut parkland::store::wire::Slot| {
            let mut n = 0;
            query_each(conn, Some(wire), &q, 10, Start::Offset(0), |_| n += 1).unwrap();
            n
        };
        let backend_pid = |conn: &mut parkland::store::AnyConnection,
                           wire: &mut parkland::store::wire::Slot| {
            let parkland::store::AnyConnection::Postgresql(pg) = conn else {
                unreachable!("a PostgreSQL test")
            };
            let client = wire.client(pg).expect("an open client");
            client
                .query_one("SELECT pg_backend_pid()", &[])
                .unwrap()
                .get::<_, i32>(0)
        };
        assert_eq!(page(conn, wire), 1);
        assert!(wire.is_open());
        let lost = backend_pid(conn, wire);
        diesel::sql_query(format!("SELECT pg_terminate_backend({lost}, 5000)"))
            .execute(conn)
            .unwrap();
        assert_eq!(page(conn, wire), 1, "the page after the loss");
        assert_eq!(page(conn, wire), 1);
        assert!(wire.is_open());
        assert_ne!(backend_pid(conn, wire), lost, "a new client");
    });
}

/// A row no parcel can hold (here a status outside the register's, its check dropped) fails
/// its page as unreadable, saying where it stood, and the connection that read it half-way
/// answers the next query: PostgreSQL's page is read row by row, and a result left early is
/// drained (`store::parcels::query_each`). Over HTTP the page is a 500 problem.
#[actix_web::test]
async fn an_unreadable_row_fails_its_page_and_leaves_the_connection_usable() {
    use diesel::prelude::*;
    use parkland::store::StoreError;
    use parkland::store::parcels::{ParcelQuery, Start, count, query_each};
    let Some(app) = common::TestDb::postgres() else {
        return;
    };
    let svc = app.service().await;
    let park = create_park(&svc, "NCGY").await;
    let mut ids = Vec::new();
    for (i, code) in ["A-1", "A-2", "A-3"].into_iter().enumerate() {
        let x = 116.63 + i as f64 * 0.003;
        ids.push(create_parcel(&svc, park, &parcel(code, x, 27.56, 0.002)).await["id"].clone());
    }
    let mut pooled = app.conn();
    let conn = &mut **pooled;
    diesel::sql_query(
        "DO $$ DECLARE c text; BEGIN \
         SELECT conname INTO c FROM pg_constraint WHERE conrelid = 'parcels'::regclass \
         AND contype = 'c' AND pg_get_constraintdef(oid) LIKE '%status%'; \
         EXECUTE format('ALTER TABLE parcels DROP CONSTRAINT %I', c); END $$",
    )
    .execute(conn)
    .unwrap();
    diesel::sql_query("UPDATE parcels SET status = 'lost' WHERE code = 'A-2'")
        .execute(conn)
        .unwrap();
    let q = ParcelQuery {
        park_id: Some(park),
        ..ParcelQuery::default()
    };
    // Through libpq, then on the wire (`store::wire`).
    common::off_runtime(|| {
        for on_wire in [false, true] {
            let (conn, wire) = pooled.with_wire();
            let mut written = 0;
            let err = query_each(
                conn,
                on_wire.then_some(&mut *wire),
                &q,
                10,
                Start::Offset(0),
                |_| written += 1,
            )
            .unwrap_err();
            match &err {
                StoreError::Corrupt(m) => {
                    assert!(m.contains(&format!("after parcel {}", ids[0])), "{m}")
                }
                other => panic!("{other:?}"),
            }
            assert_eq!(written, 1);
            assert_eq!(wire.is_open(), on_wire, "the client stays open");
            let pages = wire.pages();
            assert_eq!(count(conn, &q).unwrap(), 3, "the connection answers again");
            let sound = ParcelQuery {
                code: Some("A-3".into()),
                ..q.clone()
            };
            let mut read = 0;
            query_each(
                conn,
                on_wire.then_some(&mut *wire),
                &sound,
                10,
                Start::Offset(0),
                |_| read += 1,
            )
            .unwrap();
            assert_eq!(read, 1, "and reads the next page");
            assert_eq!(
                wire.pages() - pages,
                u64::from(on_wire),
                "on the same client"
            );
        }
    });
    let page = get(&svc, &format!("/collections/parcels/items?park_id={park}")).await;
    page.problem(500);
}

on_both_backends!(
    items_filter_by_bbox_and_properties,
    |app: common::TestDb| async move {
        let svc = app.service().await;
        let park = grid(&svc).await;
        let count = |q: String| {
            let svc = &svc;
            async move {
                get(svc, &format!("/collections/parcels/items?{q}"))
                    .await
                    .expect(200)
                    .json()["numberMatched"]
                    .as_i64()
                    .unwrap()
            }
        };
        // The box covers the interior of columns 0–1 and rows 0–1 only (it touches none of the others).
        assert_eq!(
            count("bbox=116.6305,27.5605,116.6335,27.5635".into()).await,
            4
        );
        // A box that only touches the grid's corner point intersects one parcel.
        assert_eq!(count("bbox=116.60,27.50,116.63,27.56".into()).await, 1);
        assert_eq!(count("bbox=116.0,27.0,116.1,27.1".into()).await, 0);
        assert_eq!(count(format!("park_id={park}")).await, 20);
        assert_eq!(count("status=supplied".into()).await, 0);
        assert_eq!(count("park_id=999".into()).await, 0);
        assert_eq!(count("status=reserve".into()).await, 7);
        assert_eq!(count("status=reserve,available".into()).await, 20);
        assert_eq!(
            count("land_use=11".into()).await,
            7,
            "a class matches its subclasses"
        );
        assert_eq!(count("land_use=100101".into()).await, 13);
        assert_eq!(count("code=G-2-3".into()).await, 1);
        assert_eq!(
            count("zone_id=1".into()).await,
            0,
            "the grid lies west of the east zone (116.64–116.66)"
        );
        create_parcel(&svc, park, &parcel("E-1", 116.65, 27.56, 0.002)).await;
        assert_eq!(count("zone_id=1".into()).await, 1);
        assert_eq!(count("datetime=2026-11-22".into()).await, 21);
        assert_eq!(count("datetime=2026-11-23T00:00:00Z/..".into()).await, 0);

        for bad in [
            "colour=red",
            "limit=0",
            "limit=abc",
            "offset=-3",
            "bbox=1,2,3",
            "bbox=27.5,116.6,27.6,116.7",
            "status=sold",
            "land_use=10%25",
            "park_id=1%20OR%201=1",
            "code=a&code=b",
            "datetime=yesterday",
            "f=html",
        ] {
            get(&svc, &format!("/collections/parcels/items?{bad}"))
                .await
                .problem(400);
        }
    }
);

on_both_backends!(single_items_and_etags, |app: common::TestDb| async move {
    let svc = app.service().await;
    let park = grid(&svc).await;
    let r = get(&svc, "/collections/parcels/items/1").await.expect(200);
    let etag = r.etag();
    let f = r.json();
    assert_eq!(f["type"], "Feature");
    assert_eq!(f["id"], 1);
    assert!(link(&f, "collection").is_some());
    let ring = f["geometry"]["coordinates"][0][0].as_array().unwrap();
    let signed: f64 = ring
        .windows(2)
        .map(|w| {
            w[0][0].as_f64().unwrap() * w[1][1].as_f64().unwrap()
                - w[1][0].as_f64().unwrap() * w[0][1].as_f64().unwrap()
        })
        .sum();
    assert!(signed > 0.0, "RFC 7946: exterior rings counter-clockwise");
    assert!(f.get("crs").is_none());

    let not_modified = send(
        &svc,
        actix_web::test::TestRequest::get()
            .uri("/collections/parcels/items/1")
            .insert_header(("if-none-match", etag.as_str())),
    )
    .await;
    assert_eq!(not_modified.status.as_u16(), 304);
    assert!(not_modified.body.is_empty());
    let list = get(&svc, "/collections/parcels/items").await.etag();
    let again = send(
        &svc,
        actix_web::test::TestRequest::get()
            .uri("/collections/parcels/items")
            .insert_header(("if-none-match", list.as_str())),
    )
    .await;
    assert_eq!(again.status.as_u16(), 304);
    // A change makes the old ETag stale.
    common::patch(
        &svc,
        "/api/parcels/1",
        "\"1\"",
        &json!({"properties": {"name": "改"}}),
    )
    .await
    .expect(200);
    let after = send(
        &svc,
        actix_web::test::TestRequest::get()
            .uri("/collections/parcels/items")
            .insert_header(("if-none-match", list.as_str())),
    )
    .await;
    assert_eq!(after.status.as_u16(), 200);

    get(&svc, "/collections/parcels/items/99999")
        .await
        .problem(404);
    get(&svc, "/collections/parcels/items/abc")
        .await
        .problem(404);
    get(&svc, "/collections/parcels/items/1?foo=bar")
        .await
        .problem(400);
    let parks = get(&svc, "/collections/parks/items")
        .await
        .expect(200)
        .json();
    assert_eq!(parks["numberMatched"], 1);
    assert_eq!(parks["features"][0]["id"], park);
    let zones = get(
        &svc,
        &format!("/collections/zones/items?park_id={park}&bbox=116.645,27.56,116.646,27.57"),
    )
    .await
    .expect(200)
    .json();
    assert_eq!(zones["numberMatched"], 1);
    get(
        &svc,
        &format!("/collections/zones/items/{}", zones["features"][0]["id"]),
    )
    .await
    .expect(200);
    get(&svc, "/collections/zones/items?status=x")
        .await
        .problem(400);
});

on_both_backends!(
    cors_lets_map_frontends_read,
    |app: common::TestDb| async move {
        let svc = app.service().await;
        let r = send(
            &svc,
            actix_web::test::TestRequest::get()
                .uri("/collections")
                .insert_header(("origin", "https://map.example.cn")),
        )
        .await
        .expect(200);
        assert_eq!(
            r.header("access-control-allow-origin").as_deref(),
            Some("https://map.example.cn")
        );
        let only = parkland::config::HttpConfig {
            cors_origins: "https://gis.nancheng.gov.cn".into(),
            ..Default::default()
        };
        let svc = app.service_with(only).await;
        let r = send(
            &svc,
            actix_web::test::TestRequest::get()
                .uri("/collections")
                .insert_header(("origin", "https://evil.example")),
        )
        .await;
        assert!(r.header("access-control-allow-origin").is_none());
    }
);

on_both_backends!(
    what_web_maps_and_browsers_send,
    |app: common::TestDb| async move {
        let svc = app.service().await;
        grid(&svc).await;
        // A zoomed-out Leaflet map sends the world repeated: longitudes are clamped.
        let all = get(
            &svc,
            "/collections/parcels/items?bbox=-270.0,-88.1,503.4,89.3&limit=1000&_=1700000000000",
        )
        .await
        .expect(200)
        .json();
        assert_eq!(all["numberMatched"], 20);
        assert!(
            !link(&all, "self").unwrap().contains("_="),
            "cache-busters are not echoed in links"
        );
        // A browser's preflight with the headers its libraries add.
        let pre = send(
            &svc,
            actix_web::test::TestRequest::default()
                .method(actix_web::http::Method::OPTIONS)
                .uri("/collections/parcels/items")
                .insert_header(("origin", "https://map.example.cn"))
                .insert_header(("access-control-request-method", "GET"))
                .insert_header((
                    "access-control-request-headers",
                    "accept, x-requested-with, if-none-match",
                )),
        )
        .await;
        assert_eq!(pre.status.as_u16(), 200, "{}", pre.text());
        assert!(pre.header("access-control-allow-headers").is_some());
        // HEAD answers like GET without a body.
        let head = send(
            &svc,
            actix_web::test::TestRequest::default()
                .method(actix_web::http::Method::HEAD)
                .uri("/collections/parcels/items/1"),
        )
        .await;
        assert_eq!(head.status.as_u16(), 200);
        assert!(head.body.is_empty() && head.header("etag").is_some());
        // Trailing slashes lead to the resource.
        let r = get(&svc, "/collections/?f=json").await;
        assert_eq!(r.status.as_u16(), 308);
        assert_eq!(r.header("location").as_deref(), Some("/collections?f=json"));
        assert_eq!(
            get(&svc, "/docs").await.header("location").as_deref(),
            Some("/docs/")
        );
        assert_eq!(
            get(&svc, "/docs/").await.status.as_u16(),
            200,
            "Swagger UI, served offline"
        );
    }
);

on_both_backends!(
    etags_stay_stable_while_the_data_does,
    |app: common::TestDb| async move {
        let svc = app.service().await;
        grid(&svc).await;
        let first = get(&svc, "/collections/parcels/items?limit=5")
            .await
            .expect(200);
        assert_eq!(
            first.header("cache-control").as_deref(),
            Some("private, no-cache"),
            "what a token sees is never for shared caches"
        );
        let public = get(&app.anonymous().await, "/collections/parks/items")
            .await
            .expect(200);
        assert_eq!(public.header("cache-control").as_deref(), Some("no-cache"));
        // An hour later, with nothing changed, the same ETag still validates.
        let later = app
            .service_at(common::test_now() + chrono::Duration::hours(1))
            .await;
        let page = get(&later, "/collections/parcels/items?limit=5")
            .await
            .expect(200);
        assert_eq!(page.etag(), first.etag());
        assert_eq!(page.json()["timeStamp"], "2026-11-22T09:00:00Z");
        let r = send(
            &later,
            actix_web::test::TestRequest::get()
                .uri("/collections/parcels/items?limit=5")
                .insert_header(("if-none-match", first.etag().as_str())),
        )
        .await;
        assert_eq!(r.status.as_u16(), 304);
    }
);

on_both_backends!(
    links_trust_forwarded_headers_only_when_told,
    |app: common::TestDb| async move {
        let forged = || {
            actix_web::test::TestRequest::get()
                .uri("/")
                .insert_header(("host", "gis.nancheng.gov.cn"))
                .insert_header(("x-forwarded-host", "evil.example"))
        };
        let svc = app.service().await;
        let landing = send(&svc, forged()).await.expect(200).json();
        assert_eq!(link(&landing, "self"), Some("http://gis.nancheng.gov.cn/"));
        let trusting = parkland::config::HttpConfig {
            trust_forwarded: true,
            ..Default::default()
        };
        let svc = app.service_with(trusting).await;
        let landing = send(&svc, forged()).await.expect(200).json();
        assert_eq!(
            link(&landing, "self"),
            Some("http://evil.example/"),
            "behind a proxy that sets it"
        );
        let fixed = parkland::config::HttpConfig {
            public_url: Some("https://gis.example.gov.cn/parkland/".into()),
            ..Default::default()
        };
        let svc = app.service_with(fixed).await;
        let landing = send(&svc, forged()).await.expect(200).json();
        assert_eq!(
            link(&landing, "data"),
            Some("https://gis.example.gov.cn/parkland/collections")
        );
    }
);

on_both_backends!(
    coordinates_for_offset_base_maps,
    |app: common::TestDb| async move {
        use parkland::spatial::offset::Offset;
        let svc = app.service().await;
        grid(&svc).await;
        let first = |fc: &Value| fc["features"][0]["geometry"]["coordinates"][0][0][0].clone();
        let plain = get(&svc, "/collections/parcels/items?limit=1")
            .await
            .expect(200)
            .json();
        let (x, y) = (
            first(&plain)[0].as_f64().unwrap(),
            first(&plain)[1].as_f64().unwrap(),
        );
        for (name, offset) in [("gcj02", Offset::Gcj02), ("bd09", Offset::Bd09)] {
            let fc = get(
                &svc,
                &format!("/collections/parcels/items?limit=1&coordinates={name}"),
            )
            .await
            .expect(200)
            .json();
            assert_eq!(fc["features"][0]["id"], plain["features"][0]["id"]);
            let (ox, oy) = offset.apply(x, y);
            let got = first(&fc);
            assert!(
                (got[0].as_f64().unwrap() - ox).abs() < 2e-7
                    && (got[1].as_f64().unwrap() - oy).abs() < 2e-7,
                "{name}: {got}"
            );
            // Hundreds of metres off: what lines the layer up with AMap or Baidu tiles.
            assert!((ox - x).abs() > 0.004, "{name}");
        }
        // A bbox is read in the system asked for: the same parcels either way.
        let (x0, y0) = Offset::Gcj02.apply(116.6299, 27.5599);
        let (x1, y1) = Offset::Gcj02.apply(116.6341, 27.5641);
        let plain = get(
            &svc,
            "/collections/parcels/items?bbox=116.6299,27.5599,116.6341,27.5641",
        )
        .await
        .expect(200)
        .json();
        let offset = get(
            &svc,
            &format!("/collections/parcels/items?coordinates=gcj02&bbox={x0},{y0},{x1},{y1}"),
        )
        .await
        .expect(200)
        .json();
        assert_eq!(plain["numberMatched"], offset["numberMatched"]);
        assert!(
            offset["links"][0]["href"]
                .as_str()
                .unwrap()
                .contains("coordinates=gcj02"),
            "paging keeps the system"
        );
        // Single features, public and private layers alike; nothing stored moves.
        let id = plain["features"][0]["id"].as_i64().unwrap();
        let one = get(
            &svc,
            &format!("/collections/parcels/items/{id}?coordinates=bd09"),
        )
        .await
        .expect(200)
        .json();
        assert_ne!(
            one["geometry"],
            get(&svc, &format!("/collections/parcels/items/{id}"))
                .await
                .expect(200)
                .json()["geometry"]
        );
        get(&svc, "/collections/available-plots/items?coordinates=gcj02")
            .await
            .expect(200);
        get(
            &svc,
            &format!("/collections/underused-land/items/{id}?coordinates=gcj02"),
        )
        .await
        .problem(404);
        let p = get(&svc, "/collections/parcels/items?coordinates=mars")
            .await
            .problem(400);
        assert!(
            p["detail"]
                .as_str()
                .unwrap()
                .contains("cgcs2000, gcj02 or bd09"),
            "{p}"
        );
        get(
            &svc,
            &format!("/collections/parcels/items/{id}?coordinates=mars"),
        )
        .await
        .problem(400);
        get(&svc, "/collections?coordinates=gcj02")
            .await
            .problem(400);
        let stored = get(&svc, &format!("/api/parcels/{id}"))
            .await
            .expect(200)
            .json();
        assert_eq!(stored["geometry"]["coordinates"][0][0][0][0], x);
        // Documented on every items endpoint.
        let doc = parkland::api::http::openapi::document();
        let params = doc["paths"]["/collections/idle-land/items"]["get"]["parameters"]
            .as_array()
            .unwrap()
            .clone();
        assert!(params.iter().any(|p| p["name"] == "coordinates"));
    }
);

/// `filter=` and the text, URL-encoded.
fn filter_param(filter: &str) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .append_pair("filter", filter)
        .finish()
}

/// (lon, lat) in a CGCS2000 Gauss-Krüger zone by proj4rs, as (easting, northing): the
/// reference the server's own series is checked against.
fn proj_gauss_kruger(lon: f64, lat: f64, lon0: f64, false_easting: f64) -> (f64, f64) {
    let from = proj4rs::Proj::from_proj_string("+proj=longlat +ellps=GRS80 +no_defs").unwrap();
    let to = proj4rs::Proj::from_proj_string(&format!(
        "+proj=tmerc +lat_0=0 +lon_0={lon0} +k=1 +x_0={false_easting} +y_0=0 +ellps=GRS80 +units=m +no_defs"
    ))
    .unwrap();
    let mut p = (lon.to_radians(), lat.to_radians(), 0.0);
    proj4rs::transform::transform(&from, &to, &mut p).unwrap();
    (p.0, p.1)
}

on_both_backends!(
    features_are_written_in_the_crs_asked_for_and_a_bbox_read_in_its_own,
    |app: common::TestDb| async move {
        let svc = app.service().await;
        grid(&svc).await;
        let first = |doc: &Value| doc["features"][0]["geometry"]["coordinates"][0][0][0].clone();
        let page = |q: &str| {
            let svc = &svc;
            let q = q.to_owned();
            async move {
                get(svc, &format!("/collections/parcels/items?code=G-0-0&{q}"))
                    .await
                    .expect(200)
            }
        };
        let plain = page("").await;
        assert_eq!(
            plain.header("content-crs").as_deref(),
            Some("<http://www.opengis.net/def/crs/OGC/1.3/CRS84>")
        );
        assert_eq!(first(&plain.json()), json!([116.63, 27.56]));

        // CGCS2000 3° zone 39 (EPSG:4527): northing first, to the millimetre of proj's answer.
        let gk = page("crs=http://www.opengis.net/def/crs/EPSG/0/4527").await;
        assert_eq!(
            gk.header("content-crs").as_deref(),
            Some("<http://www.opengis.net/def/crs/EPSG/0/4527>")
        );
        let (east, north) = proj_gauss_kruger(116.63, 27.56, 117.0, 39_500_000.0);
        let got = first(&gk.json());
        assert!(
            (got[0].as_f64().unwrap() - north).abs() < 0.002,
            "{got} vs N {north}"
        );
        assert!(
            (got[1].as_f64().unwrap() - east).abs() < 0.002,
            "{got} vs E {east}"
        );
        // EPSG:4490 is latitude first; EPSG:3857 is metres, easting first.
        assert_eq!(
            first(&page("crs=EPSG:4490").await.json()),
            json!([27.56, 116.63])
        );
        let merc = first(&page("crs=EPSG:3857").await.json());
        let x = 6_378_137.0 * 116.63f64.to_radians();
        assert!((merc[0].as_f64().unwrap() - x).abs() < 0.002, "{merc}");
        // A single feature too.
        let id = plain.json()["features"][0]["id"].as_i64().unwrap();
        let one = get(
            &svc,
            &format!("/collections/parcels/items/{id}?crs=EPSG:4490"),
        )
        .await
        .expect(200);
        assert_eq!(
            one.header("content-crs").as_deref(),
            Some("<http://www.opengis.net/def/crs/EPSG/0/4490>")
        );

        // The same box in three systems finds the same parcels.
        let count = |q: String| {
            let svc = &svc;
            async move {
                get(svc, &format!("/collections/parcels/items?{q}"))
                    .await
                    .expect(200)
                    .json()["numberMatched"]
                    .as_i64()
                    .unwrap()
            }
        };
        let crs84 = count("bbox=116.6305,27.5605,116.6335,27.5635".into()).await;
        assert_eq!(crs84, 4);
        assert_eq!(
            count("bbox=27.5605,116.6305,27.5635,116.6335&bbox-crs=EPSG:4490".into()).await,
            crs84
        );
        let (e0, n0) = proj_gauss_kruger(116.6305, 27.5605, 117.0, 39_500_000.0);
        let (e1, n1) = proj_gauss_kruger(116.6335, 27.5635, 117.0, 39_500_000.0);
        assert_eq!(
            count(format!(
                "bbox={n0},{e0},{n1},{e1}&bbox-crs=http://www.opengis.net/def/crs/EPSG/0/4527"
            ))
            .await,
            crs84
        );

        // What parkland does not write, and two systems at once, are refused.
        get(&svc, "/collections/parcels/items?crs=EPSG:2435")
            .await
            .problem(400);
        get(
            &svc,
            "/collections/parcels/items?crs=EPSG:4490&coordinates=gcj02",
        )
        .await
        .problem(400);
        get(
            &svc,
            "/collections/parcels/items?bbox=116.6,27.5,116.7,27.6&bbox-crs=EPSG:4490",
        )
        .await
        .problem(400);
        let info = get(&svc, "/collections/parcels").await.expect(200).json();
        assert!(
            info["crs"]
                .as_array()
                .unwrap()
                .contains(&json!("http://www.opengis.net/def/crs/EPSG/0/4554"))
        );
        assert_eq!(
            info["storageCrs"],
            "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
        );
    }
);

on_both_backends!(
    cql2_filters_with_every_operator_select_the_same_parcels_on_both_stores,
    |app: common::TestDb| async move {
        let svc = app.service().await;
        grid(&svc).await;
        let count = |collection: &'static str, filter: &'static str, extra: &'static str| {
            let svc = &svc;
            async move {
                let q = filter_param(filter);
                let r = get(svc, &format!("/collections/{collection}/items?{q}{extra}")).await;
                assert_eq!(r.status.as_u16(), 200, "{filter}: {}", r.text());
                r.json()["numberMatched"].as_i64().unwrap()
            }
        };
        let parcels = |f: &'static str| count("parcels", f, "");
        // Seven of the twenty are reserve land (i + j divisible by 3).
        assert_eq!(parcels("status = 'reserve'").await, 7);
        assert_eq!(parcels("status <> 'reserve' AND far_max >= 2.5").await, 13);
        assert_eq!(parcels("2.5 <= far_max").await, 20, "a literal on the left");
        assert_eq!(
            parcels("land_use = '110101' OR site_levelled = false").await,
            7
        );
        assert_eq!(parcels("NOT (status = 'reserve')").await, 13);
        assert_eq!(parcels("code IN ('G-0-0', 'G-1-1', 'nope')").await, 2);
        assert_eq!(parcels("code LIKE 'G-1-%'").await, 4);
        assert_eq!(
            parcels("code LIKE 'g-1-%'").await,
            0,
            "LIKE is case-sensitive"
        );
        assert_eq!(parcels("CASEI(code) LIKE 'g-1-%'").await, 4);
        assert_eq!(parcels("code LIKE 'G-_-0'").await, 5);
        assert_eq!(parcels("area_mu BETWEEN 60 AND 70").await, 20);
        assert_eq!(parcels("area_m2 > 100000").await, 0);
        assert_eq!(parcels("zone_id IS NULL AND approved_on IS NULL").await, 20);
        // Spatial: the same box as the bbox test, as WKT; parcels within a box; near a point.
        assert_eq!(
            parcels("S_INTERSECTS(geometry, POLYGON((116.6305 27.5605, 116.6335 27.5605, 116.6335 27.5635, 116.6305 27.5635, 116.6305 27.5605)))").await,
            4
        );
        assert_eq!(
            parcels("S_WITHIN(geometry, BBOX(116.6295, 27.5595, 116.6345, 27.5645))").await,
            4
        );
        assert_eq!(
            parcels("S_DISJOINT(geometry, BBOX(116.6295, 27.5595, 116.6345, 27.5645))").await,
            20 - 9,
            "the box touches a 3 × 3 block"
        );
        // 116.629°E lies about 99 m west of the grid's western edge.
        assert_eq!(
            parcels("S_DWITHIN(geometry, POINT(116.629 27.561), 120, meters)").await,
            1
        );
        assert_eq!(
            parcels("S_DWITHIN(geometry, POINT(116.629 27.561), 50, meters)").await,
            0
        );
        // Temporal on the change times (the test clock is 2026-11-22T08:00Z).
        assert_eq!(
            parcels("T_AFTER(updated_at, TIMESTAMP('2026-01-01T00:00:00Z'))").await,
            20
        );
        assert_eq!(
            parcels("T_BEFORE(updated_at, TIMESTAMP('2026-01-01T00:00:00Z'))").await,
            0
        );
        assert_eq!(
            parcels(
                "T_DURING(updated_at, INTERVAL('2026-11-01T00:00:00Z', '2026-12-01T00:00:00Z'))"
            )
            .await,
            20
        );
        assert_eq!(parcels("created_at > DATE('2026-12-01')").await, 0);

        // CQL2 JSON, and a geometry literal in another CRS (EPSG:4490: latitude first).
        let json = url::form_urlencoded::Serializer::new(String::new())
            .append_pair(
                "filter",
                r#"{"op":"=","args":[{"property":"status"},"reserve"]}"#,
            )
            .append_pair("filter-lang", "cql2-json")
            .finish();
        let r = get(&svc, &format!("/collections/parcels/items?{json}"))
            .await
            .expect(200);
        assert_eq!(r.json()["numberMatched"], 7);
        assert_eq!(
            count(
                "parcels",
                "S_WITHIN(geometry, BBOX(27.5595, 116.6295, 27.5645, 116.6345))",
                "&filter-crs=http%3A%2F%2Fwww.opengis.net%2Fdef%2Fcrs%2FEPSG%2F0%2F4490"
            )
            .await,
            4
        );
        // Paging keeps the filter.
        let q = filter_param("status <> 'reserve'");
        let page = get(&svc, &format!("/collections/parcels/items?limit=10&{q}"))
            .await
            .json();
        let next = link(&page, "next").unwrap();
        let rest = get(&svc, &local(next)).await.expect(200).json();
        assert_eq!(rest["numberReturned"], 3, "{next}");

        // The public plots take the public queryables only.
        assert_eq!(count("available-plots", "code LIKE 'G-1-%'", "").await, 3);
        let q = filter_param("approval_no = 'x'");
        get(&svc, &format!("/collections/available-plots/items?{q}"))
            .await
            .problem(400);

        // A malformed filter is a 400 naming where it breaks.
        let bad = |f: &'static str| {
            let svc = &svc;
            async move {
                let q = filter_param(f);
                get(svc, &format!("/collections/parcels/items?{q}"))
                    .await
                    .problem(400)["detail"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            }
        };
        let d = bad("status = 'reserve' AND (far_max >").await;
        assert!(d.contains("column") && d.contains("CQL2"), "{d}");
        assert!(
            bad("colour = 'red'")
                .await
                .contains("`colour` is not a queryable")
        );
        assert!(bad("far_max = 'tall'").await.contains("holds numbers"));
        // A filter built to exhaust the stack is refused before it is parsed, anonymously on
        // the public plots too, and the service goes on.
        let deep = format!("{}code = 'x'{}", "NOT (".repeat(500), ")".repeat(500));
        let anonymous = app.anonymous().await;
        let p = get(
            &anonymous,
            &format!("/collections/available-plots/items?{}", filter_param(&deep)),
        )
        .await
        .problem(400);
        assert!(p["detail"].as_str().unwrap().contains("levels deep"), "{p}");
        get(&anonymous, "/collections/available-plots/items")
            .await
            .expect(200);
        assert!(
            bad("S_INTERSECTS(geometry, POINT(1))")
                .await
                .contains("filter")
        );

        // The queryables, with Chinese titles.
        let qs = get(&svc, "/collections/parcels/queryables")
            .await
            .expect(200);
        assert_eq!(
            qs.header("content-type").as_deref(),
            Some("application/schema+json")
        );
        let qs = qs.json();
        assert_eq!(qs["properties"]["code"]["title"], "宗地代码 Parcel code");
        assert_eq!(qs["properties"]["approved_on"]["format"], "date");
        let plots = get(&svc, "/collections/available-plots/queryables")
            .await
            .expect(200)
            .json();
        assert!(plots["properties"].get("status").is_none());
        get(&svc, "/collections/zones/queryables")
            .await
            .problem(404);
    }
);

on_both_backends!(
    sortby_properties_and_skip_geometry,
    |app: common::TestDb| async move {
        let svc = app.service().await;
        grid(&svc).await;
        let codes = |doc: &Value| -> Vec<String> {
            doc["features"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["properties"]["code"].as_str().unwrap().to_owned())
                .collect()
        };
        // Descending code, seven a page, following next links by offset.
        let first = get(&svc, "/collections/parcels/items?sortby=-code&limit=7")
            .await
            .expect(200)
            .json();
        assert_eq!(first["numberMatched"], 20);
        let mut all = codes(&first);
        let mut doc = first;
        while let Some(next) = link(&doc, "next") {
            assert!(next.contains("offset="), "{next}");
            doc = get(&svc, &local(next)).await.expect(200).json();
            all.extend(codes(&doc));
        }
        let mut expected = all.clone();
        expected.sort_unstable_by(|a, b| b.cmp(a));
        assert_eq!(all, expected);
        assert_eq!(all.len(), 20);
        // Two keys: reserve land first (status ascending: available < reserve, so descending),
        // then code ascending.
        let two = get(
            &svc,
            "/collections/parcels/items?sortby=-status,%2Bcode&limit=3",
        )
        .await
        .expect(200)
        .json();
        assert_eq!(codes(&two), ["G-0-0", "G-0-3", "G-1-2"]);
        get(&svc, "/collections/parcels/items?sortby=colour")
            .await
            .problem(400);
        // Eight keys at most: each is a term the database sorts on.
        let many = ["code"; 9].join(",");
        let refused = get(&svc, &format!("/collections/parcels/items?sortby={many}"))
            .await
            .problem(400);
        assert!(
            refused["detail"].as_str().unwrap().contains("at most 8"),
            "{refused}"
        );
        let eight = ["code"; 8].join(",");
        get(&svc, &format!("/collections/parcels/items?sortby={eight}"))
            .await
            .expect(200);
        get(&svc, "/collections/parcels/items?sortby=code&after=3")
            .await
            .problem(400);

        // Only the properties asked for, and no geometry.
        let slim = get(
            &svc,
            "/collections/parcels/items?properties=code,status,nope&skipGeometry=true&limit=2",
        )
        .await
        .expect(200)
        .json();
        let f = &slim["features"][0];
        assert!(f["geometry"].is_null(), "{f}");
        let keys: Vec<&String> = f["properties"].as_object().unwrap().keys().collect();
        assert_eq!(keys, ["code", "status"]);
        let next = link(&slim, "next").unwrap();
        assert!(
            next.contains("properties=code") && next.contains("skipGeometry=true"),
            "{next}"
        );
        // A workshop-free layer too: the common parameters apply to every collection.
        let parks = get(
            &svc,
            "/collections/parks/items?properties=code&skipGeometry=true",
        )
        .await
        .expect(200)
        .json();
        assert_eq!(parks["features"][0]["properties"], json!({"code": "NCGY"}));
    }
);
