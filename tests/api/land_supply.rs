//! Enterprises, land supply records and the dated facts of development, through the HTTP API:
//! what is accepted, what is refused and that refusals write nothing — on SQLite and PostGIS.

use crate::common;
use crate::common::fixtures::{
    create_enterprise, create_parcel, create_park, create_supply, parcel, supply_terms, uscc,
};
use crate::common::{get, patch, post, post_if};
use serde_json::{Value, json};

/// The audit entries recorded so far (to prove a refusal wrote nothing).
async fn audit_count(svc: &common::Client) -> i64 {
    get(svc, "/api/audit?limit=1").await.expect(200).json()["numberMatched"]
        .as_i64()
        .expect("numberMatched")
}

use crate::common::problem_fields as fields;

on_both_backends!(
    enterprises_have_checked_credit_codes,
    |app: common::TestDb| async move {
        let svc = app.service().await;
        let r = post(
            &svc,
            "/api/enterprises",
            &json!({"name": "江西赣电科技有限公司", "uscc": uscc(1).to_lowercase(), "industry": "C3911", "above_scale": true}),
        )
        .await
        .expect(201);
        assert!(
            r.header("location")
                .unwrap()
                .ends_with("/api/enterprises/1")
        );
        assert_eq!(r.etag(), "\"1\"");
        let e = r.json();
        assert_eq!(e["uscc"], uscc(1), "stored upper-case");
        assert_eq!(e["industry"], "3911");
        assert_eq!(e["industry_name"], "计算机、通信和其他电子设备制造业");

        let before = audit_count(&svc).await;
        // The last character is the check character: one typo is caught.
        let mut typo = uscc(2);
        let last = typo.pop().unwrap();
        typo.push(if last == '0' { '1' } else { '0' });
        let p = post(
            &svc,
            "/api/enterprises",
            &json!({"name": "抚州某某实业有限公司", "uscc": typo}),
        )
        .await
        .problem(422);
        assert_eq!(fields(&p), ["uscc"]);
        assert!(
            p["detail"].as_str().unwrap().contains("fails its check"),
            "{p}"
        );
        let p = post(
            &svc,
            "/api/enterprises",
            &json!({"name": "", "uscc": "91361021MA35O0001X", "industry": "C99"}),
        )
        .await
        .problem(422);
        assert_eq!(fields(&p), ["name", "uscc", "industry"]);
        let p = post(
            &svc,
            "/api/enterprises",
            &json!({"name": "重复", "uscc": uscc(1)}),
        )
        .await
        .problem(409);
        assert!(
            p["detail"]
                .as_str()
                .unwrap()
                .contains("江西赣电科技有限公司"),
            "{p}"
        );
        post(
            &svc,
            "/api/enterprises",
            &json!({"name": "x", "uscc": uscc(3), "revenue": 1}),
        )
        .await
        .problem(400);
        assert_eq!(audit_count(&svc).await, before, "nothing was written");

        let list = get(&svc, "/api/enterprises?name=%E8%B5%A3%E7%94%B5")
            .await
            .expect(200)
            .json();
        assert_eq!(list["matched"], 1);
        let none = get(&svc, "/api/enterprises?name=%25")
            .await
            .expect(200)
            .json();
        assert_eq!(none["matched"], 0, "% is a character, not a wildcard");

        patch(
            &svc,
            "/api/enterprises/1",
            "\"1\"",
            &json!({"above_scale": false}),
        )
        .await
        .expect(200);
        let p = patch(
            &svc,
            "/api/enterprises/1",
            "\"1\"",
            &json!({"name": "改名"}),
        )
        .await
        .problem(412);
        assert_eq!(p["current_version"], 2);
    }
);

on_both_backends!(
    supplying_a_parcel_moves_it_to_supplied,
    |app: common::TestDb| async move {
        let svc = app.service().await;
        let park = create_park(&svc, "NCGY").await;
        let plot = create_parcel(&svc, park, &parcel("A-1", 116.63, 27.56, 0.002)).await;
        let id = plot["id"].as_i64().unwrap();
        let area = plot["properties"]["area_m2"].as_f64().unwrap();
        let enterprise = create_enterprise(&svc).await;

        let r = post(
            &svc,
            &format!("/api/parcels/{id}/supplies"),
            &supply_terms(enterprise),
        )
        .await
        .expect(201);
        let s = r.json();
        assert!(
            r.header("location")
                .unwrap()
                .ends_with(&format!("/api/supplies/{}", s["id"]))
        );
        assert_eq!(s["method_name"], "挂牌出让");
        assert_eq!(s["enterprise_name"], "江西赣电科技有限公司");
        assert_eq!(s["land_price_yuan"], 18_375_000);
        assert_eq!(
            s["land_area_m2"].as_f64().unwrap(),
            area,
            "the parcel's area when supplied"
        );
        assert_eq!(s["in_force"], true);

        let p = get(&svc, &format!("/api/parcels/{id}")).await.expect(200);
        assert_eq!(p.etag(), "\"2\"");
        assert_eq!(p.json()["properties"]["status"], "supplied");
        let history = get(&svc, &format!("/api/parcels/{id}/history"))
            .await
            .expect(200)
            .json();
        let notes: Vec<&str> = history["features"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|f| f["properties"]["note"].as_str())
            .collect();
        assert!(
            notes.iter().any(|n| n.contains("南城出让〔2022〕15号")),
            "{notes:?}"
        );

        // Not twice; and while supplied the parcel cannot be retired, split or put back.
        let p = post(
            &svc,
            &format!("/api/parcels/{id}/supplies"),
            &supply_terms(enterprise),
        )
        .await
        .problem(409);
        assert!(
            p["detail"]
                .as_str()
                .unwrap()
                .contains("cannot be supplied twice"),
            "{p}"
        );
        post_if(
            &svc,
            &format!("/api/parcels/{id}/retire"),
            "*",
            &json!({"reason": "x"}),
        )
        .await
        .problem(409);
        let p = patch(
            &svc,
            &format!("/api/parcels/{id}"),
            "*",
            &json!({"properties": {"status": "reserve"}}),
        )
        .await
        .problem(409);
        assert!(
            p["detail"].as_str().unwrap().contains("end the supply"),
            "{p}"
        );
        let listed = get(&svc, &format!("/api/parcels/{id}/supplies"))
            .await
            .expect(200)
            .json();
        assert_eq!(listed.as_array().unwrap().len(), 1);

        // Ending it returns the land to the land bank; then it can be supplied again.
        let supply = s["id"].as_i64().unwrap();
        post_if(
            &svc,
            &format!("/api/supplies/{supply}/end"),
            "\"1\"",
            &json!({"date": "2026-10-31", "reason": "协议有偿收回"}),
        )
        .await
        .expect(200);
        let p = get(&svc, &format!("/api/parcels/{id}"))
            .await
            .expect(200)
            .json();
        assert_eq!(p["properties"]["status"], "reserve");
        patch(
            &svc,
            &format!("/api/parcels/{id}"),
            "*",
            &json!({"properties": {"status": "available"}}),
        )
        .await
        .expect(200);
        let early = post(
            &svc,
            &format!("/api/parcels/{id}/supplies"),
            &supply_terms(enterprise),
        )
        .await
        .problem(422);
        assert_eq!(
            fields(&early),
            ["contract_date"],
            "dated before the last supply ended"
        );
        let mut again = supply_terms(enterprise);
        again["contract_date"] = json!("2026-11-01");
        again["agreed_start"] = json!("2027-03-01");
        again["agreed_completion"] = json!("2028-12-31");
        again["agreed_production"] = json!("2029-06-30");
        post(&svc, &format!("/api/parcels/{id}/supplies"), &again)
            .await
            .expect(201);
        let listed = get(&svc, &format!("/api/parcels/{id}/supplies"))
            .await
            .expect(200)
            .json();
        assert_eq!(listed[0]["in_force"], false);
        assert_eq!(listed[0]["ended_reason"], "协议有偿收回");
        assert_eq!(listed[1]["in_force"], true);
    }
);

on_both_backends!(
    supplies_that_break_the_rules_write_nothing,
    |app: common::TestDb| async move {
        let svc = app.service().await;
        let park = create_park(&svc, "NCGY").await;
        let a = create_parcel(&svc, park, &parcel("A-1", 116.63, 27.56, 0.002)).await["id"]
            .as_i64()
            .unwrap();
        let mut reserve = parcel("A-2", 116.635, 27.56, 0.002);
        reserve["properties"]["status"] = json!("reserve");
        let b = create_parcel(&svc, park, &reserve).await["id"]
            .as_i64()
            .unwrap();
        let retired = create_parcel(&svc, park, &parcel("A-3", 116.64, 27.56, 0.002)).await["id"]
            .as_i64()
            .unwrap();
        post_if(
            &svc,
            &format!("/api/parcels/{retired}/retire"),
            "*",
            &json!({"reason": "规划调整"}),
        )
        .await
        .expect(200);
        let enterprise = create_enterprise(&svc).await;
        let before = audit_count(&svc).await;

        let mut backwards = supply_terms(enterprise);
        backwards["agreed_completion"] = json!("2022-12-31");
        let p = post(&svc, &format!("/api/parcels/{a}/supplies"), &backwards)
            .await
            .problem(422);
        assert_eq!(
            fields(&p),
            ["agreed_completion"],
            "completion before start: {p}"
        );
        let mut future = supply_terms(enterprise);
        future["contract_date"] = json!("2026-12-25");
        future["agreed_start"] = json!("2027-03-01");
        let p = post(&svc, &format!("/api/parcels/{a}/supplies"), &future)
            .await
            .problem(422);
        assert!(
            p["detail"].as_str().unwrap().contains("in the future"),
            "{p}"
        );
        let mut money = supply_terms(enterprise);
        money["land_price_yuan"] = json!(-5);
        money["term_years"] = json!(500);
        let p = post(&svc, &format!("/api/parcels/{a}/supplies"), &money)
            .await
            .problem(422);
        assert_eq!(fields(&p), ["land_price_yuan", "term_years"]);
        let mut fractional = supply_terms(enterprise);
        fractional["land_price_yuan"] = json!(18_375_000.5);
        post(&svc, &format!("/api/parcels/{a}/supplies"), &fractional)
            .await
            .problem(400);
        let mut bad_date = supply_terms(enterprise);
        bad_date["agreed_start"] = json!("2023-02-30");
        let p = post(&svc, &format!("/api/parcels/{a}/supplies"), &bad_date)
            .await
            .problem(400);
        assert_eq!(fields(&p), ["agreed_start"]);
        let p = post(
            &svc,
            &format!("/api/parcels/{a}/supplies"),
            &supply_terms(9999),
        )
        .await
        .problem(422);
        assert_eq!(fields(&p), ["enterprise_id"]);
        let p = post(
            &svc,
            &format!("/api/parcels/{b}/supplies"),
            &supply_terms(enterprise),
        )
        .await
        .problem(409);
        assert!(p["detail"].as_str().unwrap().contains("储备"), "{p}");
        let p = post(
            &svc,
            &format!("/api/parcels/{retired}/supplies"),
            &supply_terms(enterprise),
        )
        .await
        .problem(409);
        assert!(p["detail"].as_str().unwrap().contains("retired"), "{p}");
        post(
            &svc,
            "/api/parcels/9999/supplies",
            &supply_terms(enterprise),
        )
        .await
        .problem(404);

        assert_eq!(audit_count(&svc).await, before, "nothing was written");
        let p = get(&svc, &format!("/api/parcels/{a}")).await.expect(200);
        assert_eq!(
            (p.etag().as_str(), p.json()["properties"]["status"].as_str()),
            ("\"1\"", Some("available"))
        );
        assert_eq!(
            get(&svc, &format!("/api/parcels/{a}/supplies"))
                .await
                .expect(200)
                .json(),
            json!([])
        );
    }
);

on_both_backends!(facts_come_in_order, |app: common::TestDb| async move {
    let svc = app.service().await;
    let park = create_park(&svc, "NCGY").await;
    let a = create_parcel(&svc, park, &parcel("A-1", 116.63, 27.56, 0.002)).await["id"]
        .as_i64()
        .unwrap();
    let supply = create_supply(&svc, a, create_enterprise(&svc).await).await;
    let facts = format!("/api/supplies/{supply}/facts");
    let add = |body: Value| {
        let (svc, facts) = (&svc, facts.clone());
        async move { post(svc, &facts, &body).await }
    };

    let p = add(json!({"kind": "start", "date": "2023-02-20", "evidence": "piles_driven"}))
        .await
        .problem(422);
    assert!(
        p["detail"].as_str().unwrap().contains("Art. 30"),
        "a start needs the permit first: {p}"
    );
    let f = add(json!({"kind": "construction_permit", "date": "2023-02-01", "permit_no": "361021202302010101"}))
            .await
            .expect(201)
            .json();
    assert_eq!(f["kind_name"], "取得施工许可");
    add(json!({"kind": "start", "date": "2023-02-20", "evidence": "piles_driven"}))
        .await
        .expect(201);
    let p = add(json!({"kind": "completion", "date": "2023-01-15"}))
        .await
        .problem(422);
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .contains("no start of development before it"),
        "completion before start: {p}"
    );
    add(json!({"kind": "progress", "date": "2023-06-30", "developed_area_m2": 8000.0, "investment_yuan": 20_000_000}))
            .await
            .expect(201);
    let p = add(json!({"kind": "progress", "date": "2023-07-30", "developed_area_m2": 7000.0, "investment_yuan": 20_000_000}))
            .await
            .problem(422);
    assert!(p["detail"].as_str().unwrap().contains("only grow"), "{p}");
    let p = add(json!({"kind": "extension", "date": "2023-07-30", "cause": "petitions", "new_start": "2024-01-01"}))
            .await
            .problem(422);
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .contains("once development has started"),
        "{p}"
    );
    let p = add(json!({"kind": "resumption", "date": "2023-08-01"}))
        .await
        .problem(422);
    assert!(p["detail"].as_str().unwrap().contains("not stopped"), "{p}");
    let p = add(json!({"kind": "stoppage", "date": "2026-12-01"}))
        .await
        .problem(422);
    assert!(
        p["detail"].as_str().unwrap().contains("in the future"),
        "{p}"
    );
    // A figure of another kind is unknown to this one: a malformed body (400) naming it, as
    // docs/errors.md says of every unknown field (it was 422 before facts were typed by kind).
    let p = add(json!({"kind": "stoppage", "date": "2023-08-01", "permit_no": "x"}))
        .await
        .problem(400);
    assert_eq!(
        fields(&p),
        ["permit_no"],
        "a figure that does not belong to the kind"
    );
    add(json!({"kind": "progress", "date": "2023-08-01"}))
        .await
        .problem(422);
    add(json!({"kind": "sale", "date": "2023-08-01"}))
        .await
        .problem(400);

    let listed = get(&svc, &facts).await.expect(200).json();
    let kinds: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["construction_permit", "start", "progress"],
        "only the accepted facts"
    );
});

on_both_backends!(
    extensions_need_a_cause_and_at_most_a_year,
    |app: common::TestDb| async move {
        let svc = app.service().await;
        let park = create_park(&svc, "NCGY").await;
        let a = create_parcel(&svc, park, &parcel("A-1", 116.63, 27.56, 0.002)).await["id"]
            .as_i64()
            .unwrap();
        let supply = create_supply(&svc, a, create_enterprise(&svc).await).await;
        let facts = format!("/api/supplies/{supply}/facts");

        let p = post(
            &svc,
            &facts,
            &json!({"kind": "extension", "date": "2023-02-01", "new_start": "2024-01-01"}),
        )
        .await
        .problem(422);
        assert_eq!(fields(&p), ["cause"]);
        assert!(p["detail"].as_str().unwrap().contains("its cause"), "{p}");
        let p = post(&svc, &facts, &json!({"kind": "extension", "date": "2023-02-01", "cause": "plan_changed", "new_start": "2024-03-02"}))
            .await
            .problem(422);
        assert!(
            p["detail"]
                .as_str()
                .unwrap()
                .contains("to 2024-03-01 at the latest"),
            "{p}"
        );
        post(&svc, &facts, &json!({"kind": "extension", "date": "2023-02-01", "cause": "unknown", "new_start": "2024-03-01"}))
            .await
            .problem(400);
        let f = post(&svc, &facts, &json!({"kind": "extension", "date": "2023-02-01", "cause": "land_not_delivered", "new_start": "2024-03-01"}))
            .await
            .expect(201)
            .json();
        assert_eq!(f["cause_name"], "政府未按约定交付土地");
        let detail = get(&svc, &format!("/api/supplies/{supply}?as_of=2024-03-02"))
            .await
            .expect(200)
            .json();
        assert_eq!(detail["timeline"]["agreed_start"], "2024-03-01");
        assert_eq!(detail["timeline"]["extensions"], 1);
        assert_eq!(
            detail["idle"]["idle_status"], "not_due",
            "the clock moved: {}",
            detail["idle"]
        );
    }
);
