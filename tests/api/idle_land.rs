//! The idle-land clock of 《闲置土地处置办法》 and the 五未 classification through the HTTP API,
//! at the boundaries the regulation draws — on SQLite and PostGIS. Each scenario is a parcel of
//! its own in one park, supplied on the terms of `fixtures::supply_terms` (agreed start
//! 2023-03-01, land price 18,375,000 元) unless it says otherwise.

use crate::common;
use crate::common::fixtures::{
    create_enterprise, create_parcel, create_park, parcel, supply_terms,
};
use crate::common::{Client, get, post};
use serde_json::{Value, json};

/// A supplied parcel at grid position `n`, with `terms` changed by `edit` and these facts.
async fn scenario(
    svc: &Client,
    park: i64,
    enterprise: i64,
    n: usize,
    edit: impl Fn(&mut Value),
    facts: &[Value],
) -> (i64, i64, f64) {
    let x = 116.621 + 0.0025 * (n % 14) as f64;
    let y = 27.551 + 0.0025 * (n / 14) as f64;
    let p = create_parcel(svc, park, &parcel(&format!("S-{n}"), x, y, 0.002)).await;
    let parcel_id = p["id"].as_i64().unwrap();
    let mut terms = supply_terms(enterprise);
    edit(&mut terms);
    let s = post(svc, &format!("/api/parcels/{parcel_id}/supplies"), &terms)
        .await
        .expect(201)
        .json();
    let supply = s["id"].as_i64().unwrap();
    for f in facts {
        post(svc, &format!("/api/supplies/{supply}/facts"), f)
            .await
            .expect(201);
    }
    (parcel_id, supply, s["land_area_m2"].as_f64().unwrap())
}

async fn idle_on(svc: &Client, supply: i64, as_of: &str) -> Value {
    get(svc, &format!("/api/supplies/{supply}?as_of={as_of}"))
        .await
        .expect(200)
        .json()["idle"]
        .clone()
}

fn permit(date: &str) -> Value {
    json!({"kind": "construction_permit", "date": date, "permit_no": "361021202301010101"})
}

fn start(date: &str) -> Value {
    json!({"kind": "start", "date": date, "evidence": "foundation_third"})
}

on_both_backends!(
    rule_1_around_the_first_anniversary,
    |app: common::TestDb| async move {
        let svc = app.service().await;
        let park = create_park(&svc, "NCGY").await;
        let e = create_enterprise(&svc).await;
        let (_, supply, _) = scenario(&svc, park, e, 0, |_| {}, &[]).await;
        // (as_of, status, days_left, idle_since, consequence)
        let table = [
            ("2023-12-01", "not_due", json!(91), json!(null), "none"),
            ("2023-12-02", "approaching", json!(90), json!(null), "none"),
            ("2024-02-29", "approaching", json!(1), json!(null), "none"),
            ("2024-03-01", "approaching", json!(0), json!(null), "none"),
            (
                "2024-03-02",
                "idle",
                json!(null),
                json!("2024-03-02"),
                "fee",
            ),
            (
                "2025-03-01",
                "idle",
                json!(null),
                json!("2024-03-02"),
                "fee",
            ),
            (
                "2025-03-02",
                "idle",
                json!(null),
                json!("2024-03-02"),
                "recovery",
            ),
        ];
        for (as_of, status, left, since, consequence) in table {
            let v = idle_on(&svc, supply, as_of).await;
            assert_eq!(v["idle_status"], status, "{as_of}: {v}");
            assert_eq!(v["days_left"], left, "{as_of}");
            assert_eq!(v["idle_since"], since, "{as_of}");
            assert_eq!(v["consequence"], consequence, "{as_of}");
            assert_eq!(v["rule"], "not_started");
        }
        let v = idle_on(&svc, supply, "2024-03-02").await;
        assert_eq!(v["idle_days"], 1);
        assert_eq!(v["fee_yuan"], 3_675_000, "20% of 18,375,000 元");
        assert_eq!(v["recovery_from"], "2025-03-02");
        assert_eq!(v["idle_status_name"], "闲置");
        assert_eq!(v["rule_name"], "满一年未动工开发");
        get(&svc, &format!("/api/supplies/{supply}?as_of=2024-02-30"))
            .await
            .problem(400);
    }
);

on_both_backends!(
    the_clock_under_the_other_rules,
    |app: common::TestDb| async move {
        let svc = app.service().await;
        let park = create_park(&svc, "NCGY").await;
        let e = create_enterprise(&svc).await;

        // An agreed start of 29 February: the year ends on 28 February.
        let leap = |t: &mut Value| t["agreed_start"] = json!("2024-02-29");
        let (_, s, _) = scenario(&svc, park, e, 1, leap, &[]).await;
        assert_eq!(idle_on(&svc, s, "2025-02-28").await["days_left"], 0);
        assert_eq!(
            idle_on(&svc, s, "2025-03-01").await["idle_since"],
            "2025-03-01"
        );

        // An extension moves the clock a year on.
        let ext = json!({"kind": "extension", "date": "2023-02-15", "cause": "land_not_delivered", "new_start": "2024-03-01"});
        let (_, s, _) = scenario(&svc, park, e, 2, |_| {}, &[ext]).await;
        assert_eq!(
            idle_on(&svc, s, "2024-03-02").await["idle_status"],
            "not_due"
        );
        let v = idle_on(&svc, s, "2025-03-02").await;
        assert_eq!(
            (v["idle_status"].as_str(), v["excused"].as_bool()),
            (Some("idle"), Some(false)),
            "{v}"
        );

        // Government-caused delay: idle, but no fee and no recovery; the Art. 12 options.
        let finding = json!({"kind": "attribution", "date": "2024-04-10", "cause": "plan_changed"});
        let (_, s, _) = scenario(&svc, park, e, 3, |_| {}, &[finding]).await;
        let v = idle_on(&svc, s, "2025-06-01").await;
        assert_eq!(v["idle_status"], "idle");
        assert_eq!(v["excused"], true);
        assert_eq!(v["cause_name"], "规划依法修改");
        assert_eq!(v["consequence"], "disposal");
        assert_eq!(
            (v["fee_yuan"].clone(), v["recovery_from"].clone()),
            (json!(null), json!(null))
        );
        assert_eq!(v["disposal_options"].as_array().unwrap().len(), 6);

        // Rule 2 at exactly one third of the area and a quarter of the investment.
        let stopped = |area: f64, investment: i64| {
            vec![
                permit("2023-01-05"),
                start("2023-02-01"),
                json!({"kind": "progress", "date": "2023-05-01", "developed_area_m2": area, "investment_yuan": investment}),
                json!({"kind": "stoppage", "date": "2023-06-01"}),
            ]
        };
        // The area is known once supplied: a probe parcel of the same size tells it.
        let (_, _, area) = scenario(&svc, park, e, 4, |_| {}, &[]).await;
        let third = area / 3.0;
        let cases = [
            (5, third, 30_000_000, "not_applicable"),
            (6, third - 0.01, 30_000_000, "idle"),
            (7, area / 2.0, 29_999_999, "idle"),
            (8, area / 2.0, 30_000_000, "not_applicable"),
        ];
        for (n, dev, inv, want) in cases {
            let (_, s, _) = scenario(&svc, park, e, n, |_| {}, &stopped(dev, inv)).await;
            let v = idle_on(&svc, s, "2024-06-02").await;
            assert_eq!(v["idle_status"], want, "{dev} m² of {area}, {inv} 元: {v}");
        }

        // A stoppage of one year less a day is not idle; a full year is.
        let (_, s, _) = scenario(&svc, park, e, 9, |_| {}, &stopped(100.0, 1_000_000)).await;
        let v = idle_on(&svc, s, "2024-05-31").await;
        assert_eq!(
            (v["idle_status"].as_str(), v["days_left"].as_i64()),
            (Some("approaching"), Some(1))
        );
        assert_eq!(
            idle_on(&svc, s, "2024-06-01").await["idle_status"],
            "approaching"
        );
        let v = idle_on(&svc, s, "2024-06-02").await;
        assert_eq!(
            (v["idle_status"].as_str(), v["rule"].as_str()),
            (Some("idle"), Some("stopped"))
        );

        // Fee arithmetic on a real-sized land price, rounded half up.
        let price = |t: &mut Value| t["land_price_yuan"] = json!(18_376_543);
        let (_, s, _) = scenario(&svc, park, e, 10, price, &[]).await;
        assert_eq!(
            idle_on(&svc, s, "2024-06-01").await["fee_yuan"],
            3_675_309,
            "3,675,308.6 元"
        );
    }
);

on_both_backends!(
    lists_layers_and_totals_for_any_day,
    |app: common::TestDb| async move {
        let svc = app.service().await;
        let park = create_park(&svc, "NCGY").await;
        let zone = post(
            &svc,
            &format!("/api/parks/{park}/zones"),
            &common::fixtures::east_zone(),
        )
        .await
        .expect(201)
        .json()["id"]
            .as_i64()
            .unwrap();
        let e = create_enterprise(&svc).await;
        // Two idle (west, east), one approaching on 2024-01-01, one under way.
        let (west, _, west_m2) = scenario(&svc, park, e, 0, |_| {}, &[]).await;
        let late = |t: &mut Value| {
            t["agreed_start"] = json!("2023-01-01");
        };
        let (east, _, east_m2) = scenario(&svc, park, e, 9, late, &[]).await;
        let soon = |t: &mut Value| t["agreed_start"] = json!("2023-05-01");
        scenario(&svc, park, e, 1, soon, &[]).await;
        scenario(
            &svc,
            park,
            e,
            2,
            |_| {},
            &[permit("2023-01-05"), start("2023-02-01")],
        )
        .await;

        let r = get(&svc, "/api/idle-land?as_of=2024-03-02")
            .await
            .expect(200)
            .json();
        assert_eq!(r["as_of"], "2024-03-02");
        let codes: Vec<&str> = r["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["parcel_code"].as_str().unwrap())
            .collect();
        assert_eq!(
            codes,
            ["S-9", "S-0", "S-1"],
            "idle longest first, then idle, then approaching"
        );
        let totals = &r["totals"];
        assert_eq!(totals["all"]["count"], 3);
        assert_eq!(totals["by_status"][0]["key"], "idle");
        assert_eq!(totals["by_status"][0]["count"], 2);
        assert_eq!(totals["by_status"][1]["key"], "approaching");
        assert_eq!(totals["by_status"][1]["count"], 1);
        assert_eq!(totals["fees_yuan"], 2 * 3_675_000, "fees of idle land only");
        let zone_keys: Vec<&str> = totals["by_zone"]
            .as_array()
            .unwrap()
            .iter()
            .map(|z| z["key"].as_str().unwrap())
            .collect();
        assert!(
            zone_keys.contains(&zone.to_string().as_str()),
            "{zone_keys:?}"
        );
        let sum: f64 = r["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["area_m2"].as_f64().unwrap())
            .sum();
        assert!(
            (totals["all"]["area_m2"].as_f64().unwrap() - sum).abs() < 0.01,
            "totals are the sum of the items"
        );

        // Last year's state: nothing idle yet on 2023-12-31, S-9 approaching.
        let then = get(&svc, "/api/idle-land?as_of=2023-12-31")
            .await
            .expect(200)
            .json();
        let first = &then["items"][0];
        assert_eq!(
            (first["parcel_code"].as_str(), first["idle_status"].as_str()),
            (Some("S-9"), Some("approaching"))
        );
        let only_idle = get(&svc, "/api/idle-land?as_of=2023-12-31&idle_status=idle")
            .await
            .expect(200)
            .json();
        assert_eq!(only_idle["totals"]["all"]["count"], 0);
        get(&svc, "/api/idle-land?idle_status=lazy")
            .await
            .problem(400);
        get(&svc, "/api/idle-land?asof=2024-01-01")
            .await
            .problem(400);

        // The map layer: the same parcels with the same verdicts, filterable by zone.
        let layer = get(
            &svc,
            &format!("/collections/idle-land/items?as_of=2024-03-02&zone_id={zone}"),
        )
        .await
        .expect(200)
        .json();
        assert_eq!(layer["numberMatched"], 1);
        let f = &layer["features"][0];
        assert_eq!(f["id"], east);
        assert_eq!(f["geometry"]["type"], "MultiPolygon");
        assert_eq!(f["properties"]["idle_status"], "idle");
        assert_eq!(f["properties"]["enterprise_name"], "江西赣电科技有限公司");
        assert!((f["properties"]["area_m2"].as_f64().unwrap() - east_m2).abs() < 0.01);
        let one = get(
            &svc,
            &format!("/collections/idle-land/items/{west}?as_of=2023-06-01"),
        )
        .await
        .expect(200)
        .json();
        assert_eq!(one["properties"]["idle_status"], "not_due");
        assert!((one["properties"]["area_m2"].as_f64().unwrap() - west_m2).abs() < 0.01);

        // 五未: the three unstarted parcels are 供而未用 with their reasons.
        let u = get(&svc, "/api/underused-land?as_of=2024-11-22")
            .await
            .expect(200)
            .json();
        let by_class = &u["totals"]["by_class"];
        assert_eq!(
            by_class.as_array().unwrap().len(),
            5,
            "all five classes, zeros included"
        );
        assert_eq!(by_class[1]["key"], "supplied_not_used");
        assert_eq!(by_class[1]["name"], "供而未用");
        assert_eq!(by_class[1]["count"], 3);
        let reasons: Vec<&str> = u["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["reason"].as_str().unwrap())
            .collect();
        assert!(
            reasons.contains(&"供而未用：约定动工开发日期 2023-03-01，未动工，已逾期 632 天"),
            "{reasons:?}"
        );
        let layer = get(&svc, "/collections/underused-land/items?as_of=2024-11-22&class=%E4%BE%9B%E8%80%8C%E6%9C%AA%E7%94%A8").await.expect(200).json();
        assert_eq!(layer["numberMatched"], 3);
        assert_eq!(layer["features"][0]["properties"]["class_name"], "供而未用");
        get(&svc, "/collections/underused-land/items?class=lazy")
            .await
            .problem(400);
    }
);

on_both_backends!(
    approved_land_not_supplied,
    |app: common::TestDb| async move {
        let svc = app.service().await;
        let park = create_park(&svc, "NCGY").await;
        let mut f = parcel("R-1", 116.63, 27.56, 0.002);
        f["properties"]["approval_no"] = json!("赣府土字〔2022〕12号");
        f["properties"]["approved_on"] = json!("2022-05-10");
        let p = create_parcel(&svc, park, &f).await;
        assert_eq!(p["properties"]["approved_on"], "2022-05-10");
        // 满两年 are two calendar years: across 29 February 2024 they end on 2024-05-10.
        let u = get(&svc, "/api/underused-land?as_of=2024-05-11")
            .await
            .expect(200)
            .json();
        assert_eq!(u["items"][0]["class"], "approved_not_supplied");
        assert_eq!(
            u["items"][0]["reason_en"],
            "批而未供: approved 2022-05-10 (赣府土字〔2022〕12号), not supplied, 732 days since approval (limit 2 years, to 2024-05-10)"
        );
        assert_eq!(
            u["items"][0]["reason"],
            "批而未供：2022-05-10 批准（赣府土字〔2022〕12号），未供应，批准后已 732 天（期限 2 年，至 2024-05-10）"
        );
        let u = get(&svc, "/api/underused-land?as_of=2024-05-10")
            .await
            .expect(200)
            .json();
        assert_eq!(
            u["totals"]["all"]["count"], 0,
            "731 days, the second anniversary: at the limit"
        );
        // A park that allows three years.
        let park_etag = get(&svc, &format!("/api/parks/{park}"))
            .await
            .expect(200)
            .etag();
        common::patch(
            &svc,
            &format!("/api/parks/{park}"),
            &park_etag,
            &json!({"properties": {"settings": {"unsupplied_limit_years": 3}}}),
        )
        .await
        .expect(200);
        let u = get(&svc, "/api/underused-land?as_of=2024-05-11")
            .await
            .expect(200)
            .json();
        assert_eq!(u["totals"]["all"]["count"], 0);
    }
);

on_both_backends!(the_layers_are_private, |app: common::TestDb| async move {
    let anon = app.anonymous().await;
    get(&anon, "/collections/idle-land/items")
        .await
        .problem(401);
    get(&anon, "/api/underused-land").await.problem(401);
    let admin = app.service().await;
    let park_b = common::fixtures::create_park_in(&admin, "LCGY", "361002").await;
    let bureau = app
        .service_as(app.token_for(
            "bureau",
            parkland::domain::access::Role::Bureau,
            Some("361021"),
            &[],
        ))
        .await;
    get(&bureau, &format!("/api/idle-land?park_id={park_b}"))
        .await
        .problem(403);
    let own = get(&bureau, "/api/idle-land").await.expect(200).json();
    assert_eq!(own["totals"]["all"]["count"], 0);
});

on_both_backends!(
    every_write_is_seen_by_the_next_read,
    |app: common::TestDb| async move {
        // The lists, layers and reports of a park and day share one watch until the next
        // write: each write must show in the next read, through every one of them.
        let svc = app.service().await;
        let park = create_park(&svc, "NCGY").await;
        let e = create_enterprise(&svc).await;
        let (parcel_id, supply, _) = scenario(&svc, park, e, 0, |_| {}, &[]).await;
        let idle_count = |r: Value| r["totals"]["all"]["count"].as_i64().unwrap();
        let list = "/api/idle-land?as_of=2024-03-02";
        let layer = format!("/collections/idle-land/items/{parcel_id}?as_of=2024-03-02");
        assert_eq!(idle_count(get(&svc, list).await.expect(200).json()), 1);
        let feature = get(&svc, &layer).await.expect(200).json();
        assert_eq!(feature["properties"]["idle_status"], "idle");

        // Construction started on the last day of its first year: not idle after all.
        for fact in [permit("2024-02-01"), start("2024-03-01")] {
            post(&svc, &format!("/api/supplies/{supply}/facts"), &fact)
                .await
                .expect(201);
        }
        assert_eq!(idle_count(get(&svc, list).await.expect(200).json()), 0);
        let feature = get(&svc, &layer).await.expect(200).json();
        assert_eq!(feature["properties"]["idle_status"], "not_applicable");
        assert_eq!(
            feature["properties"]["explanation"],
            "2024-03-01 起开发建设中"
        );

        // A second parcel idle on the same day appears in the list at once.
        scenario(&svc, park, e, 1, |_| {}, &[]).await;
        assert_eq!(idle_count(get(&svc, list).await.expect(200).json()), 1);
    }
);
