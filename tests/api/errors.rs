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
        TestRequest::post()
            .uri("/api/parks")
            .set_payload(r#"{"reason": "另选地块"}"#),
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

on_both_backends!(
    refusals_are_written_in_the_language_asked_for,
    |app: common::TestDb| async move {
        use crate::common::fixtures::{create_parcel, create_park, parcel};
        let admin = app.service().await;
        let park = create_park(&admin, "NCGY").await;
        let id = create_parcel(&admin, park, &parcel("A-1", 116.63, 27.56, 0.002)).await["id"]
            .as_i64()
            .unwrap();
        let chinese = "zh-CN,zh;q=0.9,en;q=0.8";
        let in_chinese = |uri: &str| {
            TestRequest::get()
                .uri(uri)
                .insert_header(("accept-language", chinese))
        };
        let applicant = app
            .service_as(app.token_for(
                "alice",
                parkland::domain::access::Role::Applicant,
                None,
                &[],
            ))
            .await;

        // A refusal written in both languages: the Chinese title and detail, said so.
        let r = send(&applicant, in_chinese("/collections/parcels/items")).await;
        assert_eq!(r.header("content-language").as_deref(), Some("zh-CN"));
        assert!(r.header("vary").unwrap().contains("Accept-Language"));
        let p = r.problem(403);
        assert_eq!(p["title"], "无权进行此操作");
        assert_eq!(
            p["detail"],
            "项目单位 alice 无权查看登记簿；可供应地块公开可查，无需登录"
        );
        // Without Accept-Language (a script, a GIS client): English, as before.
        let r = get(&applicant, "/collections/parcels/items").await;
        assert_eq!(r.header("content-language").as_deref(), Some("en"));
        let p = r.problem(403);
        assert_eq!(p["title"], "Not allowed");
        assert!(
            p["detail"]
                .as_str()
                .unwrap()
                .contains("may not read the register")
        );
        // English preferred over Chinese: English.
        let r = send(
            &applicant,
            TestRequest::get()
                .uri("/collections/parcels/items")
                .insert_header(("accept-language", "en-GB,zh-CN;q=0.5")),
        )
        .await;
        assert_eq!(r.problem(403)["title"], "Not allowed");

        // A stale edit, in Chinese, with the version now stored.
        let url = format!("/api/parcels/{id}");
        let etag = get(&admin, &url).await.expect(200).etag();
        common::patch(
            &admin,
            &url,
            &etag,
            &json!({"properties": {"name": "甲公司意向地块"}}),
        )
        .await
        .expect(200);
        let p = send(
            &admin,
            TestRequest::patch()
                .uri(&url)
                .insert_header(("content-type", "application/merge-patch+json"))
                .insert_header(("if-match", etag.as_str()))
                .insert_header(("accept-language", chinese))
                .set_payload(json!({"properties": {"far_max": 3.0}}).to_string()),
        )
        .await
        .problem(412);
        assert_eq!(p["title"], "记录已被他人修改");
        assert!(p["detail"].as_str().unwrap().contains("现为第 2 版"), "{p}");
        assert_eq!(p["current_version"], 2, "the members a client acts on stay");

        // A rule's refusal written in both languages: an application withdrawn twice.
        let a = common::post(
            &applicant,
            "/api/applications",
            &crate::common::fixtures::application_for(id),
        )
        .await
        .expect(201)
        .json();
        let withdraw = format!("/api/applications/{}/withdraw", a["id"]);
        common::post(&applicant, &withdraw, &json!({"reason": "另选地块"}))
            .await
            .expect(200);
        let p = send(
            &applicant,
            TestRequest::post()
                .uri(&withdraw)
                .insert_header(("content-type", "application/json"))
                .insert_header(("accept-language", chinese))
                .set_payload(r#"{"reason": "另选地块"}"#),
        )
        .await
        .problem(409);
        assert_eq!(p["title"], "与登记簿中的记录冲突");
        assert_eq!(p["detail"], format!("申请 {} 已是“已撤回”状态", a["id"]));
        let p = common::post(&applicant, &withdraw, &json!({"reason": "另选地块"}))
            .await
            .problem(409);
        assert_eq!(
            p["detail"],
            format!("application {} is already withdrawn", a["id"])
        );

        // Field by field (422), in Chinese: each field's message and the detail joining them.
        let edit_in = |language: &'static str, etag: &str, body: serde_json::Value| {
            TestRequest::patch()
                .uri(&url)
                .insert_header(("content-type", "application/merge-patch+json"))
                .insert_header(("if-match", etag.to_owned()))
                .insert_header(("accept-language", language))
                .set_payload(body.to_string())
        };
        let etag = get(&admin, &url).await.expect(200).etag();
        let too_dense = json!({"properties": {"far_max": 50.0, "height_max_m": -1.0}});
        let p = send(&admin, edit_in(chinese, &etag, too_dense.clone()))
            .await
            .problem(422);
        assert_eq!(p["title"], "提交的数据有误");
        let messages: Vec<&str> = p["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["message"].as_str().unwrap())
            .collect();
        assert!(
            messages.contains(&"容积率须在 0 至 20 之间，收到 50"),
            "{p}"
        );
        assert!(
            messages.contains(&"建筑限高 (m)须在 0 至 1000 之间，收到 -1"),
            "{p}"
        );
        assert!(
            p["detail"].as_str().unwrap().starts_with("2 处有误："),
            "{p}"
        );
        let p = send(&admin, edit_in("en", &etag, too_dense))
            .await
            .problem(422);
        assert!(
            p["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("must be between 0 and"),
            "{p}"
        );
        // A body serde cannot read (400), in Chinese, naming the field as serde did.
        let p = send(
            &admin,
            edit_in(chinese, &etag, json!({"properties": {"colour": "red"}})),
        )
        .await
        .problem(400);
        assert_eq!(p["title"], "请求内容的结构不符合要求");
        assert!(
            p["detail"].as_str().unwrap().contains("未知字段 `colour`"),
            "{p}"
        );

        // Plain HTTP errors and unknown paths too.
        let p = send(&admin, in_chinese("/no/such/thing"))
            .await
            .problem(404);
        assert_eq!(p["title"], "未找到");
        assert_eq!(p["detail"], "此地址没有资源：/no/such/thing");
        // A refusal not yet written in Chinese keeps its English detail under a Chinese title.
        let p = send(&admin, in_chinese("/collections/parcels/items?limit=lots"))
            .await
            .problem(400);
        assert_eq!(p["title"], "查询参数有误");
        assert!(p["detail"].as_str().unwrap().contains("limit"), "{p}");
    }
);

/// The connections this test's pool holds open now: its backends' process ids, read on every
/// connection at once (the pool has four).
fn pool_backends(app: &common::TestDb) -> Vec<i32> {
    use diesel::prelude::*;
    #[derive(QueryableByName)]
    struct Pid {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        pid: i32,
    }
    let mut held: Vec<_> = (0..4).map(|_| app.conn()).collect();
    held.iter_mut()
        .map(|c| {
            diesel::sql_query("SELECT pg_backend_pid() AS pid")
                .get_result::<Pid>(&mut ***c)
                .unwrap()
                .pid
        })
        .collect()
}

/// The server closes every connection of the service (as a restart or an administrator's
/// `pg_terminate_backend` does).
fn close_from_the_server(app: &common::TestDb, pids: &[i32]) {
    use diesel::prelude::*;
    let mut admin = diesel::PgConnection::establish(&app.url).unwrap();
    for pid in pids {
        diesel::sql_query(format!("SELECT pg_terminate_backend({pid})"))
            .execute(&mut admin)
            .unwrap();
    }
}

/// A connection is handed out without a ping within a second of a request that used it
/// without failing (`store::Manager::is_valid`). When the server closes the pool's
/// connections, a request that meets a dead one is answered 503 and the connection dropped —
/// none is handed out dead twice — and one that rested is pinged and replaced before use.
#[actix_web::test]
async fn connections_the_server_closed_are_replaced() {
    let Some(app) = common::TestDb::postgres() else {
        return;
    };
    let admin = app.service().await;
    get(&admin, "/api/parks").await.expect(200);

    close_from_the_server(&app, &pool_backends(&app));
    let mut refused = 0;
    for _ in 0..10 {
        let r = get(&admin, "/api/parks").await;
        match r.status.as_u16() {
            200 => {}
            503 => refused += 1,
            other => panic!("a dead connection answered {other}"),
        }
    }
    assert!(
        refused <= 4,
        "{refused} refusals: a dead connection was handed out twice"
    );
    get(&admin, "/api/parks").await.expect(200);

    close_from_the_server(&app, &pool_backends(&app));
    std::thread::sleep(std::time::Duration::from_millis(1100));
    for _ in 0..5 {
        get(&admin, "/api/parks").await.expect(200);
    }
}
