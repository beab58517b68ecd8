//! The idle-land procedure as cases through the HTTP API: steps in order, 30-day deadlines,
//! overdue steps flagged, decisions checked against the clock, and land handed back — on
//! SQLite and PostGIS.

use crate::common;
use crate::common::fixtures::{
    create_enterprise, create_parcel, create_park, create_supply, parcel,
};
use crate::common::{Client, get, post};
use serde_json::{Value, json};

async fn step(svc: &Client, case: i64, body: Value) -> common::Resp {
    post(svc, &format!("/api/idle-cases/{case}/steps"), &body).await
}

async fn open_case(svc: &Client, supply: i64, opened_on: &str) -> i64 {
    post(
        svc,
        &format!("/api/supplies/{supply}/idle-cases"),
        &json!({"opened_on": opened_on, "note": "巡查发现未动工"}),
    )
    .await
    .expect(201)
    .json()["id"]
        .as_i64()
        .unwrap()
}

fn s(kind: &str, date: &str) -> Value {
    json!({"kind": kind, "date": date})
}

on_both_backends!(
    a_fee_case_from_notice_to_payment,
    |app: common::TestDb| async move {
        let svc = app.service().await;
        let park = create_park(&svc, "NCGY").await;
        let p = create_parcel(&svc, park, &parcel("A-1", 116.63, 27.56, 0.002)).await["id"]
            .as_i64()
            .unwrap();
        let supply = create_supply(&svc, p, create_enterprise(&svc).await).await;
        let case = open_case(&svc, supply, "2024-03-05").await;
        post(
            &svc,
            &format!("/api/supplies/{supply}/idle-cases"),
            &json!({"opened_on": "2024-03-06"}),
        )
        .await
        .problem(409);

        let c = get(&svc, &format!("/api/idle-cases/{case}?as_of=2024-04-04"))
            .await
            .expect(200)
            .json();
        assert_eq!(c["next_step"]["kind"], "investigation_notice");
        assert_eq!(
            c["next_step"]["due"], "2024-04-04",
            "30 days after the suspicion"
        );
        assert_eq!(c["overdue"], false);
        let c = get(&svc, &format!("/api/idle-cases/{case}?as_of=2024-04-05"))
            .await
            .expect(200)
            .json();
        assert_eq!(
            (
                c["overdue"].as_bool(),
                c["next_step"]["overdue_days"].as_i64()
            ),
            (Some(true), Some(1))
        );

        step(&svc, case, json!({"kind": "investigation_notice", "date": "2024-03-20", "document_no": "南自然资闲调〔2024〕3号"}))
            .await
            .expect(201);
        let p = step(&svc, case, s("finding", "2024-04-10"))
            .await
            .problem(422);
        assert!(
            p["detail"].as_str().unwrap().contains("holder_response"),
            "{p}"
        );
        step(&svc, case, s("holder_response", "2024-03-19"))
            .await
            .problem(422);
        step(&svc, case, s("holder_response", "2026-12-01"))
            .await
            .problem(422);

        // The holder answers late; the overdue list shows the case until then.
        let overdue = get(&svc, "/api/idle-cases?as_of=2024-04-25&overdue=true")
            .await
            .expect(200)
            .json();
        assert_eq!(overdue["overdue"], 1);
        assert_eq!(
            overdue["items"][0]["next_step"]["overdue_days"], 6,
            "due 2024-04-19"
        );
        let c = step(&svc, case, s("holder_response", "2024-04-30"))
            .await
            .expect(201)
            .json();
        assert_eq!(c["steps"][1]["late_days"], 11);
        step(&svc, case, json!({"kind": "finding", "date": "2024-05-15", "document_no": "南自然资闲认〔2024〕3号"})).await.expect(201);
        step(&svc, case, s("publication", "2024-05-20"))
            .await
            .expect(201);

        // Decisions must agree with the clock on their date.
        let p = step(
            &svc,
            case,
            json!({"kind": "decision", "date": "2024-06-10", "decision": "disposal"}),
        )
        .await
        .problem(409);
        assert!(
            p["detail"]
                .as_str()
                .unwrap()
                .contains("government action or force majeure"),
            "{p}"
        );
        let p = step(
            &svc,
            case,
            json!({"kind": "decision", "date": "2024-06-10", "decision": "recovery"}),
        )
        .await
        .problem(409);
        assert!(
            p["detail"].as_str().unwrap().contains("from 2025-03-02"),
            "{p}"
        );
        step(
            &svc,
            case,
            json!({"kind": "decision", "date": "2024-06-10", "decision": "fee", "amount_yuan": 1}),
        )
        .await
        .problem(422);
        step(&svc, case, s("decision", "2024-06-10"))
            .await
            .problem(422);
        let c = step(&svc, case, json!({"kind": "decision", "date": "2024-06-10", "decision": "fee", "document_no": "南自然资闲征〔2024〕1号"}))
            .await
            .expect(201)
            .json();
        assert_eq!(
            c["steps"][4]["amount_yuan"], 3_675_000,
            "20% of the land price, computed"
        );
        assert_eq!(c["steps"][4]["decision_name"], "征缴土地闲置费");
        assert_eq!(c["next_step"]["kind"], "payment");
        assert_eq!(c["next_step"]["due"], "2024-07-10");

        let p = step(
            &svc,
            case,
            json!({"kind": "payment", "date": "2024-07-01", "amount_yuan": 3_000_000}),
        )
        .await
        .problem(422);
        assert!(p["detail"].as_str().unwrap().contains("3675000"), "{p}");
        let c = step(
            &svc,
            case,
            json!({"kind": "payment", "date": "2024-07-01", "amount_yuan": 3_675_000}),
        )
        .await
        .expect(201)
        .json();
        assert_eq!(
            (
                c["closed"].as_bool(),
                c["outcome"].as_str(),
                c["closed_on"].as_str()
            ),
            (Some(true), Some("fee_paid"), Some("2024-07-01"))
        );
        assert_eq!(c["next_step"], Value::Null);
        step(&svc, case, s("hand_back", "2024-07-02"))
            .await
            .problem(422);
        let all = get(&svc, "/api/idle-cases?status=closed")
            .await
            .expect(200)
            .json();
        assert_eq!(
            (all["closed"].as_i64(), all["open"].as_i64()),
            (Some(1), Some(0))
        );
        // Closed, a new case can be opened on the same supply.
        open_case(&svc, supply, "2025-03-05").await;
    }
);

on_both_backends!(recovery_ends_the_supply, |app: common::TestDb| async move {
    let svc = app.service().await;
    let park = create_park(&svc, "NCGY").await;
    let p = create_parcel(&svc, park, &parcel("A-1", 116.63, 27.56, 0.002)).await["id"]
        .as_i64()
        .unwrap();
    let supply = create_supply(&svc, p, create_enterprise(&svc).await).await;
    let case = open_case(&svc, supply, "2025-03-10").await;
    for (kind, date) in [
        ("investigation_notice", "2025-03-20"),
        ("holder_response", "2025-04-10"),
        ("finding", "2025-04-20"),
        ("publication", "2025-04-25"),
    ] {
        step(&svc, case, s(kind, date)).await.expect(201);
    }
    let c = step(
        &svc,
        case,
        json!({"kind": "decision", "date": "2025-05-10", "decision": "recovery"}),
    )
    .await
    .expect(201)
    .json();
    assert_eq!(c["next_step"]["kind"], "hand_back");
    let c = step(&svc, case, s("hand_back", "2025-06-01"))
        .await
        .expect(201)
        .json();
    assert_eq!(c["outcome"], "land_recovered");
    let detail = get(&svc, &format!("/api/supplies/{supply}"))
        .await
        .expect(200)
        .json();
    assert_eq!(
        (detail["in_force"].as_bool(), detail["ended_on"].as_str()),
        (Some(false), Some("2025-06-01"))
    );
    assert!(
        detail["ended_reason"]
            .as_str()
            .unwrap()
            .contains("无偿收回")
    );
    let parcel = get(&svc, &format!("/api/parcels/{p}"))
        .await
        .expect(200)
        .json();
    assert_eq!(
        parcel["properties"]["status"], "reserve",
        "back in the land bank"
    );
    // Last year the land was still idle and supplied.
    let then = get(&svc, "/api/idle-land?as_of=2025-05-31")
        .await
        .expect(200)
        .json();
    assert_eq!(then["items"][0]["idle_status"], "idle");
    let now = get(&svc, "/api/idle-land").await.expect(200).json();
    assert_eq!(now["totals"]["all"]["count"], 0);
    post(
        &svc,
        &format!("/api/supplies/{supply}/facts"),
        &s("stoppage", "2025-07-01"),
    )
    .await
    .problem(409);
});

on_both_backends!(
    excused_land_is_disposed_of_not_fined,
    |app: common::TestDb| async move {
        let svc = app.service().await;
        let park = create_park(&svc, "NCGY").await;
        let p = create_parcel(&svc, park, &parcel("A-1", 116.63, 27.56, 0.002)).await["id"]
            .as_i64()
            .unwrap();
        let supply = create_supply(&svc, p, create_enterprise(&svc).await).await;
        post(
            &svc,
            &format!("/api/supplies/{supply}/facts"),
            &json!({"kind": "attribution", "date": "2024-04-01", "cause": "land_not_delivered"}),
        )
        .await
        .expect(201);
        let case = open_case(&svc, supply, "2024-04-05").await;
        // Dismissal is possible before a decision; here the procedure runs to a disposal.
        for (kind, date) in [
            ("investigation_notice", "2024-04-10"),
            ("holder_response", "2024-05-01"),
            ("finding", "2024-05-10"),
            ("publication", "2024-05-12"),
        ] {
            step(&svc, case, s(kind, date)).await.expect(201);
        }
        let p = step(
            &svc,
            case,
            json!({"kind": "decision", "date": "2024-06-01", "decision": "fee"}),
        )
        .await
        .problem(409);
        assert!(
            p["detail"]
                .as_str()
                .unwrap()
                .contains("no fee may be charged"),
            "{p}"
        );
        let c = step(&svc, case, json!({"kind": "decision", "date": "2024-06-01", "decision": "disposal", "note": "签订补充协议，延长动工期限"}))
            .await
            .expect(201)
            .json();
        assert_eq!(
            (c["closed"].as_bool(), c["outcome"].as_str()),
            (Some(true), Some("disposal_agreed"))
        );

        let other = create_parcel(&svc, park, &parcel("A-2", 116.635, 27.56, 0.002)).await["id"]
            .as_i64()
            .unwrap();
        let supply = create_supply(&svc, other, 1).await;
        let case = open_case(&svc, supply, "2023-06-01").await;
        step(&svc, case, s("investigation_notice", "2023-06-10"))
            .await
            .expect(201);
        let c = step(
            &svc,
            case,
            json!({"kind": "dismissal", "date": "2023-06-20", "note": "约定动工日期未满一年"}),
        )
        .await
        .expect(201)
        .json();
        assert_eq!(c["outcome"], "dismissed");
    }
);
