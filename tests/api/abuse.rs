//! Hostile input: SQL metacharacters in every path parameter and filter, floods of anonymous
//! requests, and the headers every response carries. Everything is refused cleanly and nothing
//! is written.

use crate::common;
use crate::common::fixtures::{create_parcel, create_park, parcel};
use crate::common::{get, send};
use actix_web::test::TestRequest;

const NASTY: &[&str] = &[
    "1' OR '1'='1",
    "1; DROP TABLE parcels; --",
    "1) UNION SELECT token_hash FROM api_tokens --",
    "%27%20OR%201%3D1",
    "../../etc/passwd",
    "1e999",
    "-1",
    "\u{0}",
    "名称' OR 1=1 --",
];

fn encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

on_both_backends!(
    sql_metacharacters_are_refused_or_harmless,
    |app: common::TestDb| async move {
        let admin = app.service().await;
        let park = create_park(&admin, "NCGY").await;
        create_parcel(&admin, park, &parcel("A-1", 116.63, 27.56, 0.002)).await;
        let audit_before = get(&admin, "/api/audit").await.json()["numberMatched"]
            .as_i64()
            .unwrap();

        // Every path parameter of every documented GET.
        let doc = parkland::api::http::openapi::document();
        let templates: Vec<String> = doc["paths"]
            .as_object()
            .unwrap()
            .iter()
            .filter(|(p, item)| p.contains('{') && item.get("get").is_some())
            .map(|(p, _)| p.clone())
            .collect();
        assert!(templates.len() >= 10);
        for template in &templates {
            for nasty in NASTY {
                let path = regex_replace_params(template, &encode(nasty));
                let r = get(&admin, &path).await;
                assert!(
                    matches!(r.status.as_u16(), 400 | 404),
                    "{path}: {} {}",
                    r.status,
                    r.text()
                );
                let status = r.status.as_u16();
                r.problem(status);
            }
        }
        // Every filter of the collections and the audit trail.
        for (base, filters) in [
            (
                "/collections/parcels/items",
                &[
                    "park_id", "zone_id", "status", "land_use", "code", "bbox", "datetime",
                    "limit", "offset",
                ][..],
            ),
            (
                "/collections/available-plots/items",
                &["park_id", "zone_id", "land_use", "code", "bbox"][..],
            ),
            ("/collections/zones/items", &["park_id", "code"][..]),
            ("/collections/parks/items", &["code"][..]),
            (
                "/api/audit",
                &[
                    "entity",
                    "entity_id",
                    "actor",
                    "park_id",
                    "datetime",
                    "limit",
                    "offset",
                ][..],
            ),
            ("/api/parks/1/parcels/export", &["format"][..]),
        ] {
            for filter in filters {
                for nasty in NASTY {
                    let r = get(&admin, &format!("{base}?{filter}={}", encode(nasty))).await;
                    let status = r.status.as_u16();
                    // Free-text filters (codes, actors) are bound parameters: they simply match nothing.
                    let ok = match status {
                        400 => true,
                        200 => {
                            let body = r.json();
                            body["numberMatched"] == 0
                                || body["features"].as_array().is_some_and(Vec::is_empty)
                        }
                        _ => false,
                    };
                    assert!(ok, "{base}?{filter}={nasty}: {status}");
                }
            }
        }
        // Nothing was written, nothing was dropped.
        assert_eq!(common::matched(&admin, "").await, 1);
        assert_eq!(
            get(&admin, "/api/audit").await.json()["numberMatched"]
                .as_i64()
                .unwrap(),
            audit_before
        );
    }
);

/// Replace every `{param}` of a path template.
fn regex_replace_params(template: &str, value: &str) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let end = rest[start..]
            .find('}')
            .map_or(rest.len(), |e| start + e + 1);
        out.push_str(value);
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

on_both_backends!(
    anonymous_floods_are_slowed_down,
    |app: common::TestDb| async move {
        let config = parkland::config::HttpConfig {
            anon_rate_per_minute: 60,
            anon_burst: 3,
            ..Default::default()
        };
        let state = app.state_with(config);
        let svc = common::Client::of(state, None).await;
        let from = |ip: &str| {
            TestRequest::get()
                .uri("/collections")
                .peer_addr(format!("{ip}:40000").parse().unwrap())
        };
        for _ in 0..3 {
            send(&svc, from("203.0.113.7")).await.expect(200);
        }
        let r = send(&svc, from("203.0.113.7")).await;
        assert_eq!(r.header("retry-after").as_deref(), Some("1"));
        let p = r.problem(429);
        assert!(p["detail"].as_str().unwrap().contains("API token"), "{p}");
        send(&svc, from("198.51.100.9")).await.expect(200);
        // A token that cannot be used does not escape the limit, even where tokens are not read.
        let garbage = format!("Bearer pkl_{}", "0".repeat(64));
        let r = send(
            &svc,
            from("203.0.113.7").insert_header(("authorization", garbage.clone())),
        )
        .await;
        assert_eq!(
            r.status.as_u16(),
            429,
            "an unknown token counts as anonymous"
        );
        let r = send(
            &svc,
            TestRequest::get()
                .uri("/api/parks")
                .peer_addr("203.0.113.7:40000".parse().unwrap())
                .insert_header(("authorization", "Bearer nonsense")),
        )
        .await;
        assert_eq!(r.status.as_u16(), 429, "so does a malformed one");
        // Authenticated callers are not limited.
        let token = app.admin_token();
        for _ in 0..5 {
            send(
                &svc,
                from("203.0.113.7").insert_header(("authorization", format!("Bearer {token}"))),
            )
            .await
            .expect(200);
        }
    }
);

on_both_backends!(
    every_response_carries_the_security_headers,
    |app: common::TestDb| async move {
        let anonymous = app.anonymous().await;
        for path in ["/", "/collections/parks/items", "/nowhere", "/api/me"] {
            let r = get(&anonymous, path).await;
            assert_eq!(
                r.header("x-content-type-options").as_deref(),
                Some("nosniff"),
                "{path}"
            );
            assert_eq!(
                r.header("x-frame-options").as_deref(),
                Some("DENY"),
                "{path}"
            );
            assert_eq!(
                r.header("referrer-policy").as_deref(),
                Some("no-referrer"),
                "{path}"
            );
            assert_eq!(
                r.header("content-security-policy").as_deref(),
                Some("default-src 'none'; frame-ancestors 'none'"),
                "{path}"
            );
        }
        let docs = get(&anonymous, "/docs/").await.expect(200);
        assert!(
            docs.header("content-security-policy")
                .unwrap()
                .starts_with("default-src 'self'")
        );
    }
);
