//! The audit trail: every write records who, when, what and which record with the values
//! before and after; it is append-only, filterable, scoped, and written in the same
//! transaction as the change.

use crate::common;
use crate::common::fixtures::{create_parcel, create_park, east_zone, parcel, polygon};
use crate::common::{get, patch, post, post_if, send};
use diesel::connection::SimpleConnection;
use parkland::domain::access::Role;
use serde_json::{Value, json};

fn entries(page: &Value) -> Vec<Value> {
    page["entries"].as_array().cloned().unwrap_or_default()
}

on_both_backends!(
    every_write_is_recorded_with_before_and_after,
    |app: common::TestDb| async move {
        let admin = app.service().await;
        let park = create_park(&admin, "NCGY").await;
        let bureau = app
            .service_as(app.token_for("nc.bureau", Role::Bureau, Some("361021"), &[]))
            .await;
        post(&admin, &format!("/api/parks/{park}/zones"), &east_zone())
            .await
            .expect(201);
        let a = create_parcel(&bureau, park, &parcel("A-1", 116.63, 27.56, 0.002)).await["id"]
            .as_i64()
            .unwrap();
        patch(
            &bureau,
            &format!("/api/parcels/{a}"),
            "\"1\"",
            &json!({"properties": {"far_max": 3.0}}),
        )
        .await
        .expect(200);
        let pieces = json!({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": "A-1-1"}, "geometry": polygon(116.63, 27.56, 116.631, 27.562)},
        {"type": "Feature", "properties": {"code": "A-1-2"}, "geometry": polygon(116.631, 27.56, 116.632, 27.562)}]});
        post_if(
            &bureau,
            &format!("/api/parcels/{a}/split"),
            "\"2\"",
            &pieces,
        )
        .await
        .expect(200);

        let trail = get(&admin, &format!("/api/audit?entity=parcel&entity_id={a}"))
            .await
            .expect(200)
            .json();
        let list = entries(&trail);
        let actions: Vec<&str> = list.iter().map(|e| e["action"].as_str().unwrap()).collect();
        assert_eq!(
            actions,
            ["supersede", "update", "create"],
            "newest first: {trail}"
        );
        let update = &list[1];
        assert_eq!(update["actor"], "nc.bureau");
        assert!(update["actor_id"].is_i64());
        assert_eq!(update["at"], "2026-11-22T08:00:00Z");
        assert_eq!(update["park_id"], park);
        assert_eq!(update["before"]["far_max"], 2.5);
        assert_eq!(update["after"]["far_max"], 3.0);
        assert_eq!(update["after"]["version"], 2);
        assert!(list[2]["before"].is_null() && list[2]["after"]["code"] == "A-1");

        get(&admin, "/api/audit?action=x").await.problem(400);
        let created = entries(
            &get(&admin, "/api/audit?entity=parcel&actor=nc.bureau")
                .await
                .json(),
        );
        assert_eq!(
            created
                .iter()
                .filter(|e| e["action"] == "create_by_split")
                .count(),
            2
        );
        let parks = entries(&get(&admin, "/api/audit?entity=park").await.json());
        assert_eq!(parks.len(), 1);
        assert_eq!(parks[0]["actor"], "admin");
        let zones = entries(&get(&admin, "/api/audit?entity=zone").await.json());
        assert_eq!(zones[0]["after"]["name"], "东片区");
        // Users and tokens are recorded too (the test's own accounts were made through the store).
        let users = entries(&get(&admin, "/api/audit?entity=user").await.json());
        assert!(users.iter().any(|e| e["after"]["name"] == "nc.bureau"));
        let tokens = entries(&get(&admin, "/api/audit?entity=token").await.json());
        assert!(tokens.iter().all(|e| !e.to_string().contains("pkl_") || e["after"]["prefix"].as_str().is_some()));

        // Paging, time windows.
        let page = get(&admin, "/api/audit?limit=2&offset=1")
            .await
            .expect(200)
            .json();
        assert_eq!(entries(&page).len(), 2);
        assert!(page["numberMatched"].as_i64().unwrap() >= 8);
        assert_eq!(
            get(&admin, "/api/audit?datetime=2026-11-23T00:00:00Z/..")
                .await
                .json()["numberMatched"],
            0
        );
        assert!(
            get(&admin, "/api/audit?datetime=2026-11-22").await.json()["numberMatched"]
                .as_i64()
                .unwrap()
                >= 8
        );
    }
);

on_both_backends!(
    refused_writes_leave_no_trace_and_imports_are_one_entry,
    |app: common::TestDb| async move {
        let admin = app.service().await;
        let park = create_park(&admin, "NCGY").await;
        create_parcel(&admin, park, &parcel("A-1", 116.63, 27.56, 0.002)).await;
        let before = get(&admin, "/api/audit").await.json()["numberMatched"]
            .as_i64()
            .unwrap();
        post(
            &admin,
            &format!("/api/parks/{park}/parcels"),
            &parcel("A-2", 116.631, 27.561, 0.002),
        )
        .await
        .problem(409);
        post(
            &admin,
            &format!("/api/parks/{park}/parcels"),
            &parcel("A-1", 116.64, 27.56, 0.002),
        )
        .await
        .problem(409);
        patch(
            &admin,
            "/api/parcels/1",
            "\"9\"",
            &json!({"properties": {"name": "x"}}),
        )
        .await
        .problem(412);
        assert_eq!(
            get(&admin, "/api/audit").await.json()["numberMatched"]
                .as_i64()
                .unwrap(),
            before
        );

        let file = json!({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": "I-1", "land_use": "100101"}, "geometry": polygon(116.64, 27.56, 116.641, 27.561)},
        {"type": "Feature", "properties": {"code": "I-2", "land_use": "100101"}, "geometry": polygon(116.641, 27.56, 116.642, 27.561)}]});
        let upload = actix_web::test::TestRequest::post()
            .uri(&format!("/api/parks/{park}/parcels/import"))
            .insert_header(("content-type", "application/geo+json"))
            .set_payload(file.to_string());
        send(&admin, upload).await.expect(201);
        get(&admin, "/api/audit?entity=park&action_is_not_a_filter=1")
            .await
            .problem(400);
        let park_entries = entries(
            &get(&admin, &format!("/api/audit?entity=park&entity_id={park}"))
                .await
                .json(),
        );
        let import = park_entries
            .iter()
            .find(|e| e["action"] == "import_parcels")
            .expect("one import entry");
        assert_eq!(import["after"]["created"], 2);
        assert_eq!(import["after"]["first_code"], "I-1");
    }
);

on_both_backends!(the_trail_is_append_only, |app: common::TestDb| async move {
    let admin = app.service().await;
    create_park(&admin, "NCGY").await;
    // No endpoint changes it…
    for method in [
        actix_web::http::Method::DELETE,
        actix_web::http::Method::PATCH,
        actix_web::http::Method::PUT,
        actix_web::http::Method::POST,
    ] {
        let r = send(
            &admin,
            actix_web::test::TestRequest::default()
                .method(method.clone())
                .uri("/api/audit"),
        )
        .await;
        assert_eq!(r.status.as_u16(), 405, "{method}");
    }
    // …and the database refuses, whoever connects.
    let mut conn = app.conn();
    for sql in [
        "UPDATE audit_log SET actor = 'someone else'",
        "DELETE FROM audit_log",
    ] {
        let err = conn.batch_execute(sql).expect_err(sql);
        assert!(err.to_string().contains("append-only"), "{sql}: {err}");
    }
    drop(conn);
    assert_eq!(
        get(&admin, "/api/audit").await.json()["entries"][0]["actor"],
        "admin"
    );
});

on_both_backends!(
    a_change_without_its_record_cannot_exist,
    |app: common::TestDb| async move {
        let admin = app.service().await;
        let park = create_park(&admin, "NCGY").await;
        // Take the audit table away: every write must now fail as a whole.
        app.conn()
            .batch_execute("DROP TABLE audit_log")
            .expect("drop");
        let r = post(
            &admin,
            &format!("/api/parks/{park}/parcels"),
            &parcel("A-1", 116.63, 27.56, 0.002),
        )
        .await;
        let p = r.problem(500);
        assert!(p["reference"].is_string(), "{p}");
        let text = p.to_string();
        assert!(
            !text.contains("audit_log")
                && !text.to_lowercase().contains("sql")
                && !text.contains("table"),
            "no internal detail: {text}"
        );
        assert_eq!(
            common::matched(&admin, &format!("park_id={park}")).await,
            0,
            "the parcel was not written either"
        );
    }
);

on_both_backends!(
    bureaus_see_their_jurisdiction_only,
    |app: common::TestDb| async move {
        let admin = app.service().await;
        let nancheng = create_park(&admin, "NCGY").await;
        let linchuan = common::fixtures::create_park_in(&admin, "LCGY", "361002").await;
        create_parcel(&admin, nancheng, &parcel("A-1", 116.63, 27.56, 0.002)).await;
        create_parcel(&admin, linchuan, &parcel("B-1", 116.63, 27.56, 0.002)).await;
        let county = app
            .service_as(app.token_for("nc.bureau", Role::Bureau, Some("361021"), &[]))
            .await;
        let seen = entries(&get(&county, "/api/audit").await.expect(200).json());
        assert!(!seen.is_empty());
        assert!(
            seen.iter().all(|e| e["park_id"] == nancheng),
            "only Nancheng's: {seen:?}"
        );
        assert!(
            seen.iter()
                .all(|e| e["entity"] != "user" && e["entity"] != "token"),
            "accounts are the administrator's business"
        );
        let committee = app
            .service_as(app.token_for("nc.committee", Role::Committee, None, &[nancheng]))
            .await;
        get(&committee, "/api/audit").await.problem(403);
    }
);
