//! Every error is RFC 9457 problem+json with a message a person understands.

use crate::common;
use crate::common::{get, send};
use actix_web::test::TestRequest;
use serde_json::json;

on_both_backends!(
    oversize_bodies_are_refused_before_reading_them,
    |app: common::TestDb| async move {
        let config = parkland::config::HttpConfig {
            max_body_bytes: 1024,
            ..Default::default()
        };
        let svc = app.service_with(config).await;
        let big =
            json!({"type": "Feature", "geometry": null, "properties": {"code": "x".repeat(2000)}});
        let p = send(
            &svc,
            TestRequest::post()
                .uri("/api/parks")
                .insert_header(("content-type", "application/json"))
                .set_payload(big.to_string()),
        )
        .await
        .problem(413);
        assert!(p["detail"].as_str().unwrap().contains("1024 bytes"), "{p}");
    }
);

on_both_backends!(bodies_must_be_json, |app: common::TestDb| async move {
    let svc = app.service().await;
    send(
        &svc,
        TestRequest::post()
            .uri("/api/parks")
            .insert_header(("content-type", "text/plain"))
            .set_payload("hello"),
    )
    .await
    .problem(415);
    send(
        &svc,
        TestRequest::post().uri("/api/parks").set_payload("{}"),
    )
    .await
    .problem(415);
    let p = send(
        &svc,
        TestRequest::post()
            .uri("/api/parks")
            .insert_header(("content-type", "application/json"))
            .set_payload("{\"type\": "),
    )
    .await
    .problem(400);
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .starts_with("the body is not valid JSON"),
        "{p}"
    );
    let p = send(
        &svc,
        TestRequest::post()
            .uri("/api/parks")
            .insert_header(("content-type", "application/json"))
            .set_payload(""),
    )
    .await
    .problem(400);
    assert!(p["detail"].as_str().unwrap().contains("empty"), "{p}");
    let trailing = format!("{} {{}}", common::fixtures::park_feature("NCGY"));
    let p = send(
        &svc,
        TestRequest::post()
            .uri("/api/parks")
            .insert_header(("content-type", "application/json"))
            .set_payload(trailing),
    )
    .await
    .problem(400);
    assert!(p["detail"].as_str().unwrap().contains("trailing"), "{p}");
    assert_eq!(
        get(&svc, "/api/parks").await.json()["features"]
            .as_array()
            .unwrap()
            .len(),
        0,
        "nothing written"
    );
});

on_both_backends!(
    unknown_paths_and_methods,
    |app: common::TestDb| async move {
        let svc = app.service().await;
        let p = get(&svc, "/nowhere").await.problem(404);
        assert!(p["detail"].as_str().unwrap().contains("/nowhere"));
        let r = send(&svc, TestRequest::delete().uri("/api/parcels/1")).await;
        assert_eq!(r.header("allow").as_deref(), Some("GET, PATCH"));
        r.problem(405);
        send(&svc, TestRequest::put().uri("/collections"))
            .await
            .problem(405);
        get(&svc, "/api/parcels/abc").await.problem(404);
        get(&svc, "/api/parcels/1%27%20OR%201=1").await.problem(404);
    }
);

on_both_backends!(health_and_readiness, |app: common::TestDb| async move {
    let svc = app.service().await;
    assert_eq!(
        get(&svc, "/health").await.expect(200).json()["status"],
        "ok"
    );
    let ready = get(&svc, "/ready").await.expect(200).json();
    assert!(ready["database"] == "sqlite" || ready["database"] == "postgresql");
});
