//! Hostile input and heavy work: files built to hurt are refused within their bounds and the
//! service lives on; heavy requests never keep `/health` or other parks waiting; a storm of
//! writes on the embedded store answers no 5xx. Files are made here, never committed.

use crate::common;
use crate::common::files::{self, Member};
use crate::common::fixtures::{PARK, create_park};
use crate::common::process::Server;
use crate::common::{Client, get, post, send};
use actix_web::test::TestRequest;
use parkland::config::HttpConfig;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// The tests that load the machine on purpose take turns: each measures latency or memory,
/// which another one running at the same moment would blur.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn my_turn() -> std::sync::MutexGuard<'static, ()> {
    ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const GIB: u64 = 1 << 30;

fn upload(uri: &str, content_type: &str, bytes: Vec<u8>) -> TestRequest {
    TestRequest::post()
        .uri(uri)
        .insert_header(("content-type", content_type))
        .set_payload(bytes)
}

/// A shapefile archive whose `.dbf` is `dbf`.
fn shapefile_with_dbf(dbf: Member) -> Vec<u8> {
    files::zip(&[
        ("parcels.shp", Member::Stored(files::shp_of_nulls(1))),
        ("parcels.shx", Member::Stored(vec![0; 108])),
        ("parcels.dbf", dbf),
    ])
}

/// A circle of `n` vertices (the closing one included) around a point, `r` degrees wide.
fn circle(cx: f64, cy: f64, r: f64, n: usize) -> Value {
    let n = n - 1;
    let mut ring: Vec<[f64; 2]> = (0..n)
        .map(|k| {
            let t = k as f64 / n as f64 * std::f64::consts::TAU;
            [cx + r * t.cos(), cy + r * t.sin()]
        })
        .collect();
    ring.push(ring[0]);
    json!({"type": "Polygon", "coordinates": [ring]})
}

fn round_parcel(code: &str, geometry: Value) -> Value {
    json!({"type": "Feature", "geometry": geometry,
           "properties": {"code": code, "land_use": "100101"}})
}

fn assert_limit(p: &Value, bound: &str, limit: u64) {
    assert_eq!(p["type"], "tag:parkland,2026:problem:limit-exceeded", "{p}");
    assert_eq!(
        (p["bound"].as_str(), p["limit"].as_u64()),
        (Some(bound), Some(limit)),
        "{p}"
    );
}

#[test]
fn the_zeros_of_a_bomb_are_zeros() {
    use std::io::Read;
    let archive = files::zip(&[(
        "z.bin",
        Member::Zeros {
            actual: 100_000,
            declared: 100_000,
        },
    )]);
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(archive)).expect("archive");
    let mut out = Vec::new();
    // No CRC is written for zeros members: read what comes out, not whether it checks.
    let _ = z.by_index(0).expect("member").read_to_end(&mut out);
    assert_eq!(out.len(), 100_000);
    assert!(out.iter().all(|&b| b == 0));
}

on_both_backends!(
    a_workbook_with_a_value_in_its_far_corner_is_refused_by_its_extent,
    |app: common::TestDb| async move {
        let svc = app.service().await;
        let park = create_park(&svc, "NCGY").await;
        let book = files::far_corner_xlsx();
        assert!(book.len() < 10_000, "a small file: {} bytes", book.len());
        let uri = format!("/api/parks/{park}/performance/import?year=2025");
        let p = send(&svc, upload(&uri, XLSX, book)).await.problem(422);
        assert_limit(&p, "rows", 100_000);
        assert!(
            p["detail"].as_str().unwrap().contains("XFD1048576"),
            "the cell is named: {p}"
        );
        get(&svc, "/health").await.expect(200);
        // The same import with a sound sheet still works.
        let csv = "统一社会信用代码,营业收入(万元)\n".as_bytes().to_vec();
        let p = send(&svc, upload(&uri, "text/csv", csv)).await.problem(422);
        assert_eq!(p["type"], "tag:parkland,2026:problem:validation-failed");
    }
);

on_both_backends!(
    zip_bombs_are_refused_by_what_they_declare_or_where_they_lie,
    |app: common::TestDb| async move {
        let svc = app.service().await;
        let park = create_park(&svc, "NCGY").await;
        let uri = format!("/api/parks/{park}/parcels/import");

        // Two gigabytes of zeros, declared honestly: refused before a byte is unpacked.
        let honest = shapefile_with_dbf(Member::Zeros {
            actual: 2 * GIB,
            declared: 2 * GIB,
        });
        let size = honest.len() as u64;
        let p = send(&svc, upload(&uri, "application/zip", honest))
            .await
            .problem(413);
        assert_limit(&p, "unpacked_bytes", (size * 100).min(512 << 20));

        // The same zeros declared as a kilobyte: the table's header (zeros) says what to read,
        // and it is no table.
        let lying = shapefile_with_dbf(Member::Zeros {
            actual: 2 * GIB,
            declared: 1_000,
        });
        let p = send(&svc, upload(&uri, "application/zip", lying))
            .await
            .problem(422);
        assert!(p["detail"].as_str().unwrap().contains(".dbf"), "{p}");

        // A workbook part that unpacks to more than declared is caught where the lie begins.
        let lying_book = files::zip(&[(
            "xl/worksheets/sheet1.xml",
            Member::Zeros {
                actual: 2 * GIB,
                declared: 1_000,
            },
        )]);
        let sheet = format!("/api/parks/{park}/performance/import?year=2025");
        let p = send(&svc, upload(&sheet, XLSX, lying_book))
            .await
            .problem(422);
        assert!(
            p["detail"]
                .as_str()
                .unwrap()
                .contains("unpacks to more than the archive declares"),
            "{p}"
        );

        // A .shp of zeros is no shapefile, whatever its size.
        let zeros_shp = files::zip(&[
            (
                "parcels.shp",
                Member::Zeros {
                    actual: 2 * GIB,
                    declared: 10_000,
                },
            ),
            ("parcels.shx", Member::Stored(vec![0; 108])),
            ("parcels.dbf", Member::Stored(files::dbf(&["A"]))),
        ]);
        let p = send(&svc, upload(&uri, "application/zip", zeros_shp))
            .await
            .problem(422);
        assert!(
            p["detail"].as_str().unwrap().contains("not a shapefile"),
            "{p}"
        );

        // Null records past the feature bound end the read at the bound.
        let many = files::zip(&[
            ("parcels.shp", Member::Stored(files::shp_of_nulls(5))),
            ("parcels.shx", Member::Stored(vec![0; 108])),
            (
                "parcels.dbf",
                Member::Stored(files::dbf(&["A", "B", "C", "D", "E"])),
            ),
        ]);
        let config = HttpConfig {
            max_import_features: 3,
            ..HttpConfig::default()
        };
        let limited = app.service_with(config).await;
        let p = send(&limited, upload(&uri, "application/zip", many))
            .await
            .problem(422);
        assert_limit(&p, "features", 3);

        get(&svc, "/health").await.expect(200);
        assert_eq!(common::matched(&svc, &format!("park_id={park}")).await, 0);
    }
);

on_both_backends!(
    geojson_is_counted_before_it_is_built,
    |app: common::TestDb| async move {
        let config = HttpConfig {
            max_import_features: 2,
            ..HttpConfig::default()
        };
        let svc = app.service_with(config).await;
        let park = create_park(&svc, "NCGY").await;
        let uri = format!("/api/parks/{park}/parcels/import");
        let feature = |code: &str, x: f64| common::fixtures::parcel(code, x, 27.56, 0.001);
        let three = json!({"type": "FeatureCollection", "features": [
            feature("A", 116.63), feature("B", 116.635), feature("C", 116.64)]});
        let p = send(
            &svc,
            upload(&uri, "application/geo+json", three.to_string().into_bytes()),
        )
        .await
        .problem(422);
        assert_limit(&p, "features", 2);

        let n = parkland::spatial::input::MAX_VERTICES + 1;
        let huge = json!({"type": "FeatureCollection", "features": [
            round_parcel("R", circle(116.64, 27.565, 0.004, n))]});
        let p = send(
            &svc,
            upload(&uri, "application/geo+json", huge.to_string().into_bytes()),
        )
        .await
        .problem(422);
        assert_limit(&p, "vertices_per_feature", (n - 1) as u64);
        assert!(
            p["detail"].as_str().unwrap().contains("feature 1 has"),
            "{p}"
        );

        let p = send(
            &svc,
            upload(&uri, "application/geo+json", b"[1, 2]".to_vec()),
        )
        .await
        .problem(422);
        assert!(
            p["detail"].as_str().unwrap().contains("FeatureCollection"),
            "{p}"
        );
    }
);

on_both_backends!(
    an_upload_beyond_the_byte_limit_says_which_limit,
    |app: common::TestDb| async move {
        let config = HttpConfig {
            max_upload_bytes: 1_000,
            ..HttpConfig::default()
        };
        let svc = app.service_with(config).await;
        let park = create_park(&svc, "NCGY").await;
        let p = send(
            &svc,
            upload(
                &format!("/api/parks/{park}/parcels/import"),
                "application/zip",
                vec![b'P'; 5_000],
            ),
        )
        .await
        .problem(413);
        assert_eq!(
            (p["bound"].as_str(), p["limit"].as_u64()),
            (Some("upload_bytes"), Some(1_000))
        );
    }
);

on_both_backends!(
    imports_take_turns_and_a_late_one_is_told_when_to_come_back,
    |app: common::TestDb| async move {
        let config = HttpConfig {
            imports_at_once: 1,
            import_wait_secs: 0,
            ..HttpConfig::default()
        };
        let state = app.state_with(config);
        let svc = Client::of(state.clone(), Some(app.admin_token())).await;
        let park = create_park(&svc, "NCGY").await;
        let uri = format!("/api/parks/{park}/parcels/import?dry_run=true");
        let collection = json!({"type": "FeatureCollection", "features": [
            common::fixtures::parcel("A", 116.63, 27.56, 0.001)]})
        .to_string()
        .into_bytes();
        let turn = state.imports.clone().acquire_owned().await.expect("a turn");
        let r = send(
            &svc,
            upload(&uri, "application/geo+json", collection.clone()),
        )
        .await;
        assert_eq!(r.header("retry-after").as_deref(), Some("5"));
        assert_eq!(r.problem(503)["type"], "tag:parkland,2026:problem:busy");
        drop(turn);
        send(&svc, upload(&uri, "application/geo+json", collection))
            .await
            .expect(200);
    }
);

on_both_backends!(
    a_storm_of_writes_gets_no_server_errors,
    |app: common::TestDb| async move {
        let svc = app.service().await;
        let park = create_park(&svc, "NCGY").await;
        let (unit, _) = common::fixtures::create_project(&svc, park).await;
        let project = common::fixtures::project_body(unit);
        let user = post(
            &svc,
            "/api/users",
            &json!({"name": "storm.desk", "role": "bureau", "jurisdiction": "361021"}),
        )
        .await
        .expect(201)
        .json()["id"]
            .as_i64()
            .unwrap();
        let clients = 40;
        let writes = 25;
        let started = Instant::now();
        let storm = (0..clients).map(|c| {
            let (svc, project) = (&svc, project.clone());
            async move {
                let mut statuses = Vec::new();
                for w in 0..writes {
                    let n = c * writes + w;
                    let r = match n % 5 {
                        0 => {
                            let body = json!({"name": format!("风暴测试企业{n}"),
                                "uscc": common::fixtures::uscc(10_000 + n as u32)});
                            post(svc, "/api/enterprises", &body).await
                        }
                        1 => {
                            let body = json!({"name": format!("storm.{n}"), "role": "applicant"});
                            post(svc, "/api/users", &body).await
                        }
                        2 => {
                            let body = json!({"name": format!("desk {n}")});
                            post(svc, &format!("/api/users/{user}/tokens"), &body).await
                        }
                        3 if (n / 5) % 2 == 1 => {
                            // A sign-in: a password check and a token (or 401/429).
                            let body =
                                json!({"name": "storm.desk", "password": "风暴口令-0-abcdef"});
                            post(svc, "/api/sessions", &body).await
                        }
                        3 => {
                            let req = TestRequest::put()
                                .uri(&format!("/api/users/{user}/password"))
                                .insert_header(("content-type", "application/json"))
                                .set_payload(
                                    json!({"password": format!("风暴口令-{n}-abcdef")}).to_string(),
                                );
                            send(svc, req).await
                        }
                        _ => post(svc, &format!("/api/parks/{park}/projects"), &project).await,
                    };
                    statuses.push(r.status.as_u16());
                }
                statuses
            }
        });
        let statuses: Vec<u16> = futures_util::future::join_all(storm)
            .await
            .into_iter()
            .flatten()
            .collect();
        let errors: Vec<&u16> = statuses.iter().filter(|s| **s >= 500).collect();
        assert!(
            errors.is_empty(),
            "{} of {} writes failed with 5xx: {errors:?}",
            errors.len(),
            statuses.len()
        );
        let created = statuses.iter().filter(|s| **s == 201).count();
        eprintln!(
            "{} writes by {clients} clients in {:.1?}: {created} created, none failed",
            statuses.len(),
            started.elapsed()
        );
        // Nothing lost: every enterprise answered 201 is in the directory.
        let enterprises = statuses
            .iter()
            .enumerate()
            .filter(|(n, s)| n % 5 == 0 && **s == 201)
            .count();
        let listed = get(&svc, "/api/enterprises?limit=1000")
            .await
            .expect(200)
            .json();
        let listed = listed["items"].as_array().map_or(0, |a| {
            a.iter()
                .filter(|e| {
                    e["name"]
                        .as_str()
                        .is_some_and(|n| n.starts_with("风暴测试企业"))
                })
                .count()
        });
        assert_eq!(listed, enterprises);
        // Concurrent writers took the audit chain in turn: every link holds.
        let chain = get(&svc, "/api/audit/verify").await.expect(200).json();
        assert_eq!(chain["intact"], true, "{chain}");
        assert!(chain["entries"].as_i64().unwrap() >= created as i64);
    }
);

/// The service as a process: bombs and a far-corner workbook, three at once, leave it alive
/// with its peak memory far below what they describe.
fn hostile_uploads_leave_the_process_alive_and_small(app: common::TestDb) {
    let _turn = my_turn();
    let token = app.admin_token();
    let mut server = Server::start(&app.url, &[]);
    let auth = format!("Bearer {token}");
    let headers = |ct: &'static str| {
        vec![
            ("Authorization", auth.clone()),
            ("Content-Type", ct.to_owned()),
        ]
    };
    let created = server
        .request(
            "POST",
            "/api/parks",
            &headers("application/geo+json")
                .iter()
                .map(|(k, v)| (*k, v.as_str()))
                .collect::<Vec<_>>(),
            common::fixtures::park_feature("NCGY")
                .to_string()
                .as_bytes(),
        )
        .expect("create park");
    assert_eq!(
        created.status,
        201,
        "{}",
        String::from_utf8_lossy(&created.body)
    );
    let park = created.json()["id"].as_i64().expect("park id");
    let before = server.peak_memory();
    let bomb = shapefile_with_dbf(Member::Zeros {
        actual: 2 * GIB,
        declared: 2 * GIB,
    });
    let liar = shapefile_with_dbf(Member::Zeros {
        actual: 2 * GIB,
        declared: 1_000,
    });
    let book = files::far_corner_xlsx();
    // Values a scan must count although they hold no coordinates: 6 million attribute numbers.
    let fat = format!(
        r#"{{"type": "FeatureCollection", "features": [{{"type": "Feature", "geometry": null, "properties": {{"x": [{}]}}}}]}}"#,
        vec!["0"; 6_000_000].join(",")
    )
    .into_bytes();
    // A sheet whose two values span 100,000 rows × 100 columns once dense.
    let spread = {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(0, 0, "统一社会信用代码").expect("A1");
        sheet.write_string(99_999, 99, "x").expect("CV100000");
        book.save_to_buffer().expect("workbook")
    };
    let sends: Vec<(String, &str, Vec<u8>, u16)> = vec![
        (
            format!("/api/parks/{park}/parcels/import"),
            "application/geo+json",
            fat,
            422,
        ),
        (
            format!("/api/parks/{park}/performance/import?year=2025"),
            XLSX,
            spread,
            422,
        ),
        (
            format!("/api/parks/{park}/parcels/import"),
            "application/zip",
            bomb,
            413,
        ),
        (
            format!("/api/parks/{park}/parcels/import"),
            "application/zip",
            liar,
            422,
        ),
        (
            format!("/api/parks/{park}/performance/import?year=2025"),
            XLSX,
            book,
            422,
        ),
    ];
    std::thread::scope(|s| {
        let handles: Vec<_> = sends
            .iter()
            .map(|(uri, ct, body, want)| {
                let server = &server;
                let h = headers(ct);
                s.spawn(move || {
                    let h: Vec<(&str, &str)> = h.iter().map(|(k, v)| (*k, v.as_str())).collect();
                    let a = server.request("POST", uri, &h, body).expect("an answer");
                    assert_eq!(
                        a.status,
                        *want,
                        "{uri}: {}",
                        String::from_utf8_lossy(&a.body)
                    );
                    assert!(
                        a.head
                            .to_ascii_lowercase()
                            .contains("application/problem+json")
                    );
                })
            })
            .collect();
        for h in handles {
            h.join().expect("request thread");
        }
    });
    assert!(server.alive(), "the process lives on");
    assert_eq!(
        server
            .request("GET", "/health", &[], b"")
            .expect("health")
            .status,
        200
    );
    let peak = server.peak_memory();
    eprintln!(
        "peak memory {} MiB before, {} MiB after five hostile uploads at once (2 GiB bombs, 17 billion cells, 6 million attribute values)",
        before >> 20,
        peak >> 20
    );
    assert!(
        peak < before + (256 << 20),
        "peak memory grew from {} MiB to {} MiB",
        before >> 20,
        peak >> 20
    );
}

on_both_backends!(
    hostile_uploads_leave_the_service_alive_and_its_memory_bounded,
    |app: common::TestDb| async move {
        actix_web::rt::task::spawn_blocking(move || {
            hostile_uploads_leave_the_process_alive_and_small(app)
        })
        .await
        .expect("the check");
    }
);

/// While a single-worker service checks huge polygons, `/health` on a new connection and a read
/// answer within a second.
fn health_answers_while_huge_polygons_are_checked(app: common::TestDb) {
    let _turn = my_turn();
    let token = app.admin_token();
    let server = Server::start(
        &app.url,
        &[
            ("PARKLAND_WORKERS", "1"),
            ("PARKLAND_ANON_RATE_PER_MINUTE", "0"),
        ],
    );
    let auth = format!("Bearer {token}");
    let json_headers = [
        ("Authorization", auth.as_str()),
        ("Content-Type", "application/geo+json"),
    ];
    let park = server
        .request(
            "POST",
            "/api/parks",
            &json_headers,
            common::fixtures::park_feature("NCGY")
                .to_string()
                .as_bytes(),
        )
        .expect("park");
    assert_eq!(park.status, 201);
    let park = park.json()["id"].as_i64().expect("park id");
    let other = server
        .request(
            "POST",
            "/api/parks",
            &json_headers,
            common::fixtures::park_feature("JXGY")
                .to_string()
                .as_bytes(),
        )
        .expect("another park");
    assert_eq!(other.status, 201);
    let other = other.json()["id"].as_i64().expect("park id");
    let n = parkland::spatial::input::MAX_VERTICES;
    let (x0, y0, x1, y1) = PARK;
    let centres = [
        (x0 + 0.25 * (x1 - x0), y0 + 0.3 * (y1 - y0)),
        (x0 + 0.75 * (x1 - x0), y0 + 0.3 * (y1 - y0)),
        (x0 + 0.25 * (x1 - x0), y0 + 0.7 * (y1 - y0)),
        (x0 + 0.75 * (x1 - x0), y0 + 0.7 * (y1 - y0)),
    ];
    let bodies: Vec<Vec<u8>> = centres
        .iter()
        .enumerate()
        .map(|(i, (x, y))| {
            round_parcel(&format!("ROUND{i}"), circle(*x, *y, 0.004, n))
                .to_string()
                .into_bytes()
        })
        .collect();
    let uri = format!("/api/parks/{park}/parcels");
    let started = Instant::now();
    let mut slowest_health = Duration::ZERO;
    let mut slowest_write = Duration::ZERO;
    let mut slowest_read = Duration::ZERO;
    let mut writes = 0;
    let mut heavy_took = Duration::ZERO;
    std::thread::scope(|s| {
        let heavy: Vec<_> = bodies
            .iter()
            .map(|b| {
                let (server, uri) = (&server, &uri);
                s.spawn(move || {
                    let a = server
                        .request("POST", uri, &json_headers, b)
                        .expect("answer");
                    assert_eq!(a.status, 201, "{}", String::from_utf8_lossy(&a.body));
                })
            })
            .collect();
        std::thread::sleep(Duration::from_millis(200));
        while heavy.iter().any(|h| !h.is_finished()) {
            let t = Instant::now();
            let a = server.request("GET", "/health", &[], b"").expect("health");
            assert_eq!(a.status, 200);
            slowest_health = slowest_health.max(t.elapsed());
            let t = Instant::now();
            let read = server
                .request("GET", "/collections", &[], b"")
                .expect("a read");
            assert_eq!(read.status, 200);
            slowest_read = slowest_read.max(t.elapsed());
            // Another park's write, a small parcel, goes on as usual.
            let t = Instant::now();
            writes += 1;
            let small = common::fixtures::parcel(
                &format!("JX-{writes}"),
                x0 + 0.0006 * (writes % 60) as f64,
                y0 + 0.0006 * (writes / 60) as f64,
                0.0005,
            );
            let w = server
                .request(
                    "POST",
                    &format!("/api/parks/{other}/parcels"),
                    &json_headers,
                    small.to_string().as_bytes(),
                )
                .expect("a write");
            assert_eq!(w.status, 201, "{}", String::from_utf8_lossy(&w.body));
            slowest_write = slowest_write.max(t.elapsed());
            std::thread::sleep(Duration::from_millis(50));
        }
        heavy_took = started.elapsed();
        for h in heavy {
            h.join().expect("heavy request");
        }
    });
    eprintln!(
        "four {n}-vertex parcels checked in {heavy_took:.1?} on one worker; /health answered within {slowest_health:.0?}, a read within {slowest_read:.0?}, {writes} writes in another park within {slowest_write:.0?}"
    );
    assert!(
        slowest_health < Duration::from_secs(1),
        "/health took {slowest_health:?} while polygons were checked"
    );
    // Reads and other parks' writes share the machine's two cores with the checks (and, in
    // CI, with other tests): they must not wait for the checks to end — seconds, not tens.
    assert!(
        slowest_read < Duration::from_secs(3) && slowest_write < Duration::from_secs(3),
        "a read took {slowest_read:?}, a write in another park {slowest_write:?}"
    );
}

on_both_backends!(
    health_answers_on_a_new_connection_while_huge_polygons_are_checked,
    |app: common::TestDb| async move {
        actix_web::rt::task::spawn_blocking(move || {
            health_answers_while_huge_polygons_are_checked(app)
        })
        .await
        .expect("the check");
    }
);
