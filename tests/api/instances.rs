//! Two `parkland serve` processes on one PostgreSQL behave as one service (issue 18): they
//! migrate the same empty database at the same moment; every race that has one winner in one
//! process — two acceptances of one plot, two leases of one unit, two edits with one `If-Match`,
//! two overlapping parcels — has exactly one across the two, with no 5xx; a token revoked or a
//! password changed on one is refused by the other at once; the anonymous rate limit counts
//! across both; the audit chain holds. PostgreSQL only: SQLite is one process's file.

use crate::common::fixtures::{
    application_for, create_enterprise, create_enterprise_named, create_leased_workshop,
    create_parcel, create_park, parcel,
};
use crate::common::process::Server;
use crate::common::{self, get, post};
use parkland::domain::access::Role;
use serde_json::{Value, json};
use std::sync::Barrier;

/// One request as a test sends it to a process.
struct Req {
    method: &'static str,
    path: String,
    token: String,
    if_match: Option<String>,
    body: Value,
}

impl Req {
    fn post(path: String, token: &str, body: Value) -> Req {
        Req {
            method: "POST",
            path,
            token: token.to_owned(),
            if_match: None,
            body,
        }
    }

    fn send(&self, to: &Server) -> u16 {
        let auth = format!("Bearer {}", self.token);
        let mut headers = vec![
            ("Authorization", auth.as_str()),
            ("Content-Type", "application/json"),
        ];
        if let Some(etag) = &self.if_match {
            headers.push(("If-Match", etag.as_str()));
        }
        let body = self.body.to_string();
        let answer = to
            .request(self.method, &self.path, &headers, body.as_bytes())
            .expect("an answer");
        assert!(
            answer.status < 500,
            "{} {}: {} {}",
            self.method,
            self.path,
            answer.status,
            String::from_utf8_lossy(&answer.body)
        );
        answer.status
    }
}

/// `a` to one instance and `b` to the other at the same moment: their statuses, sorted.
fn race(one: &Server, two: &Server, a: &Req, b: &Req) -> [u16; 2] {
    let start = Barrier::new(2);
    let mut statuses = std::thread::scope(|s| {
        let x = s.spawn(|| {
            start.wait();
            a.send(one)
        });
        let y = s.spawn(|| {
            start.wait();
            b.send(two)
        });
        [x.join().expect("a"), y.join().expect("b")]
    });
    statuses.sort_unstable();
    statuses
}

fn id(v: &Value) -> i64 {
    v["id"].as_i64().expect("an id")
}

#[actix_web::test]
async fn two_instances_on_one_postgres_are_one_service() {
    // The anonymous limit: a burst of 200, then one a minute — so what both instances let
    // through in this test is the burst, less what waiting for them to be ready took.
    let env = [
        ("PARKLAND_ANON_RATE_PER_MINUTE", "1"),
        ("PARKLAND_ANON_BURST", "200"),
    ];
    // Both start on the same empty schema at once: they migrate it together (one waits for
    // the other's advisory lock) and both come up.
    let Some((app, (one, two))) = common::TestDb::postgres_after(|url| {
        let (one, two) = (Server::spawn(url, &env), Server::spawn(url, &env));
        one.wait_ready();
        two.wait_ready();
        (one, two)
    }) else {
        return;
    };
    let admin_token = app.admin_token();
    let admin = app.service().await;
    let park = create_park(&admin, "NCGY").await;
    let committee_token = app.token_for("nc.committee", Role::Committee, None, &[park]);

    // Two acceptances of one plot, one on each instance.
    for round in 0..3 {
        let x = 116.633 + 0.003 * f64::from(round);
        let plot = id(&create_parcel(
            &admin,
            park,
            &parcel(&format!("P-{round}"), x, 27.57, 0.002),
        )
        .await);
        let mut applications = Vec::new();
        for who in ["alice", "bob"] {
            let applicant = app
                .service_as(app.token_for(&format!("{who}{round}"), Role::Applicant, None, &[]))
                .await;
            let a = post(&applicant, "/api/applications", &application_for(plot))
                .await
                .expect(201)
                .json();
            applications.push(id(&a));
        }
        let accept = |a: i64| {
            Req::post(
                format!("/api/applications/{a}/decision"),
                &committee_token,
                json!({"accept": true}),
            )
        };
        assert_eq!(
            race(
                &one,
                &two,
                &accept(applications[0]),
                &accept(applications[1])
            ),
            [200, 409],
            "round {round}: one plot, one award"
        );
    }

    // Two leases of one unit for overlapping terms.
    let site = id(&create_parcel(&admin, park, &parcel("W-1", 116.63, 27.56, 0.002)).await);
    let e1 = create_enterprise(&admin).await;
    let e2 = create_enterprise_named(&admin, "南城县鑫达电机有限公司", 2).await;
    let (_, unit, _) = create_leased_workshop(&admin, site, e1).await;
    for round in 0..3 {
        let year = 2028 + round * 2;
        let lease = |e: i64, start: String, end: String| {
            Req::post(
                format!("/api/units/{unit}/leases"),
                &admin_token,
                json!({"enterprise_id": e, "start_date": start, "end_date": end, "rent_yuan_per_m2_month": 12.0}),
            )
        };
        assert_eq!(
            race(
                &one,
                &two,
                &lease(e1, format!("{year}-01-01"), format!("{year}-12-31")),
                &lease(e2, format!("{year}-06-01"), format!("{}-05-31", year + 1)),
            ),
            [201, 409],
            "round {round}: one unit, one tenant at a time"
        );
    }

    // Two edits of one parcel read at the same version (each a change: an edit that changes
    // nothing is answered 200 whatever the version).
    let edited = format!("/api/parcels/{site}");
    for round in 0..3 {
        let etag = get(&admin, &edited).await.expect(200).etag();
        let edit = |name: &str| Req {
            method: "PATCH",
            path: edited.clone(),
            token: admin_token.clone(),
            if_match: Some(etag.clone()),
            body: json!({"properties": {"name": name}}),
        };
        assert_eq!(
            race(
                &one,
                &two,
                &edit(&format!("甲公司意向地块{round}")),
                &edit(&format!("乙公司意向地块{round}"))
            ),
            [200, 412],
            "round {round}: one version, one edit"
        );
    }

    // Two overlapping parcels drawn on the two instances at once.
    for round in 0..3 {
        let x = 116.621 + 0.004 * f64::from(round);
        let draw = |code: &str, dx: f64| {
            Req::post(
                format!("/api/parks/{park}/parcels"),
                &admin_token,
                parcel(code, x + dx, 27.551, 0.002),
            )
        };
        assert_eq!(
            race(
                &one,
                &two,
                &draw(&format!("O-{round}a"), 0.0),
                &draw(&format!("O-{round}b"), 0.001)
            ),
            [201, 409],
            "round {round}: one piece of land, one parcel"
        );
    }

    // A token revoked on one instance is refused by the other at once.
    let user = post(
        &admin,
        "/api/users",
        &json!({"name": "gis.desk", "role": "bureau", "jurisdiction": "361021"}),
    )
    .await
    .expect(201)
    .json();
    let token = post(
        &admin,
        &format!("/api/users/{}/tokens", id(&user)),
        &json!({"name": "QGIS"}),
    )
    .await
    .expect(201)
    .json();
    let secret = token["token"].as_str().expect("a token").to_owned();
    let bearer = format!("Bearer {secret}");
    let me = |on: &Server| {
        on.request("GET", "/api/me", &[("Authorization", bearer.as_str())], b"")
            .expect("an answer")
            .status
    };
    assert_eq!((me(&one), me(&two)), (200, 200));
    let revoke = Req::post(
        format!("/api/tokens/{}/revoke", id(&token)),
        &admin_token,
        json!({}),
    );
    assert_eq!(revoke.send(&one), 200);
    assert_eq!(
        me(&two),
        401,
        "revoked on one instance, refused by the other"
    );

    // A password changed on one instance: the other signs in with the new one only.
    let sign_in = |on: &Server, password: &str| {
        let body = json!({"name": "gis.desk", "password": password}).to_string();
        on.request(
            "POST",
            "/api/sessions",
            &[("Content-Type", "application/json")],
            body.as_bytes(),
        )
        .expect("an answer")
        .status
    };
    for (password, on) in [("旧密码-2026-十二月", &one), ("新密码-2026-十二月", &two)] {
        let set = Req {
            method: "PUT",
            path: format!("/api/users/{}/password", id(&user)),
            token: admin_token.clone(),
            if_match: None,
            body: json!({ "password": password }),
        };
        assert_eq!(set.send(on), 204, "the password is set on one instance");
    }
    assert_eq!(sign_in(&one, "旧密码-2026-十二月"), 401);
    assert_eq!(sign_in(&one, "新密码-2026-十二月"), 201);

    // The anonymous limit is the service's: alternating between the two, the address gets
    // one burst in all, not one per instance.
    let mut let_through = 0;
    let mut refused_in_a_row = 0;
    for i in 0..500 {
        let on = if i % 2 == 0 { &one } else { &two };
        let a = on
            .request("GET", "/conformance", &[], b"")
            .expect("an answer");
        match a.status {
            200 => {
                assert_eq!(
                    refused_in_a_row, 0,
                    "once the bucket is empty it stays empty"
                );
                let_through += 1;
            }
            429 => refused_in_a_row += 1,
            other => panic!("anonymous request {i}: {other}"),
        }
        if refused_in_a_row == 10 {
            break;
        }
    }
    assert_eq!(refused_in_a_row, 10, "the limit was met");
    assert!(
        (100..=200).contains(&let_through),
        "one burst of 200 for both instances (less the readiness checks), not two: {let_through}"
    );

    // Every write went into one unbroken chain.
    let v = get(&admin, "/api/audit/verify").await.expect(200).json();
    assert_eq!(v["intact"], true, "{v}");
}

on_both_backends!(
    a_stopping_instance_finishes_what_it_began,
    |app: common::TestDb| async move {
        use std::io::{Read, Write};
        let admin = app.service().await;
        let park = create_park(&admin, "NCGY").await;
        let token = app.admin_token();
        let server = Server::start(&app.url, &[]);
        // A request in flight: its head and half its body sent when the instance is told to
        // stop (SIGTERM, what docker and systemd send).
        let body = parcel("S-1", 116.63, 27.56, 0.002).to_string();
        let (first, rest) = body.as_bytes().split_at(body.len() / 2);
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", server.port)).unwrap();
        write!(
            stream,
            "POST /api/parks/{park}/parcels HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\
             Authorization: Bearer {token}\r\nContent-Type: application/geo+json\r\n\
             Content-Length: {}\r\n\r\n",
            body.len()
        )
        .unwrap();
        stream.write_all(first).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(300));
        let stopped = std::process::Command::new("kill")
            .args(["-TERM", &server.child.id().to_string()])
            .status()
            .unwrap();
        assert!(stopped.success());
        std::thread::sleep(std::time::Duration::from_millis(500));
        // The instance no longer takes new connections (a proxy sends them to another one)…
        assert!(
            server.request("GET", "/health", &[], b"").is_err(),
            "a stopping instance refuses new connections"
        );
        // …but the request it began is finished and answered.
        stream.write_all(rest).unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");
        let page = get(&admin, &format!("/api/parks/{park}/available-plots"))
            .await
            .expect(200)
            .json();
        assert!(page.to_string().contains("S-1"), "the parcel was written");
    }
);
