//! The rules as a bureau applies them, through the HTTP API on SQLite and PostGIS: an idle
//! episode outlives a late start (《闲置土地处置办法》 Art. 14), extensions follow the model
//! contract's 延建 clause and Art. 12, the entry check reads the plot's land use and planning
//! conditions, and the contract's penalties (违约金) are counted per day late.

use crate::common;
use crate::common::fixtures::{
    create_enterprise, create_parcel, create_park, create_supply, parcel,
};
use crate::common::{Client, get, patch, post};
use serde_json::{Value, json};

async fn fact(svc: &Client, supply: i64, body: Value) -> common::Resp {
    post(svc, &format!("/api/supplies/{supply}/facts"), &body).await
}

/// The problem's detail says `text`.
fn says(p: &Value, text: &str) {
    let detail = p["detail"].as_str().unwrap_or_default();
    assert!(detail.contains(text), "{p}");
}

async fn step(svc: &Client, case: i64, body: Value) -> common::Resp {
    post(svc, &format!("/api/idle-cases/{case}/steps"), &body).await
}

/// A park, a plot and a supply whose start was agreed for 2023-03-01 (18,375,000 元).
async fn supplied(svc: &Client) -> i64 {
    let park = create_park(svc, "NCGY").await;
    let p = create_parcel(svc, park, &parcel("A-1", 116.63, 27.56, 0.002)).await["id"]
        .as_i64()
        .unwrap();
    create_supply(svc, p, create_enterprise(svc).await).await
}

async fn detail(svc: &Client, supply: i64, as_of: &str) -> Value {
    get(svc, &format!("/api/supplies/{supply}?as_of={as_of}"))
        .await
        .expect(200)
        .json()
}

on_both_backends!(
    art_14_the_fee_for_an_idle_episode_survives_a_late_start,
    |app: common::TestDb| async move {
        let svc = app.service().await;
        let supply = supplied(&svc).await;
        // Idle from 2024-03-02 (a full year after the agreed start); started 2024-05-01.
        fact(&svc, supply, json!({"kind": "construction_permit", "date": "2024-04-01", "permit_no": "361021202404010101"}))
            .await
            .expect(201);
        fact(
            &svc,
            supply,
            json!({"kind": "start", "date": "2024-05-01", "evidence": "piles_driven"}),
        )
        .await
        .expect(201);
        let d = detail(&svc, supply, "2024-06-01").await;
        let idle = &d["idle"];
        assert_eq!(idle["idle_status"], "idle", "{idle}");
        assert_eq!(
            (
                idle["idle_since"].as_str(),
                idle["idle_until"].as_str(),
                idle["idle_days"].as_i64(),
                idle["fee_yuan"].as_i64()
            ),
            (
                Some("2024-03-02"),
                Some("2024-05-01"),
                Some(60),
                Some(3_675_000)
            )
        );
        assert_eq!(idle["episodes"][0]["ended_by"], "started");
        assert_eq!(idle["episodes"][0]["ended_by_name"], "动工开发");
        // On the list of idle land found, and on the map layer.
        let list = get(&svc, "/api/idle-land?as_of=2024-06-01")
            .await
            .expect(200)
            .json();
        assert_eq!(list["totals"]["all"]["count"], 1);
        let layer = get(&svc, "/collections/idle-land/items?as_of=2024-06-01")
            .await
            .expect(200)
            .json();
        assert_eq!(
            layer["features"][0]["properties"]["idle_until"],
            "2024-05-01"
        );

        // The case goes on and the fee can be decided after the start.
        let case = post(
            &svc,
            &format!("/api/supplies/{supply}/idle-cases"),
            &json!({"opened_on": "2024-04-20"}),
        )
        .await
        .expect(201)
        .json()["id"]
            .as_i64()
            .unwrap();
        for (kind, date) in [
            ("investigation_notice", "2024-04-25"),
            ("holder_response", "2024-05-10"),
            ("finding", "2024-05-20"),
            ("publication", "2024-05-25"),
        ] {
            step(&svc, case, json!({"kind": kind, "date": date}))
                .await
                .expect(201);
        }
        let c = step(
            &svc,
            case,
            json!({"kind": "decision", "date": "2024-06-10", "decision": "fee"}),
        )
        .await
        .expect(201)
        .json();
        assert_eq!(c["steps"][4]["amount_yuan"], 3_675_000);
        assert_eq!(
            (
                c["episodes"][0]["since"].as_str(),
                c["episodes"][0]["until"].as_str()
            ),
            (Some("2024-03-02"), Some("2024-05-01")),
            "the case shows the episode it is about"
        );
        step(
            &svc,
            case,
            json!({"kind": "payment", "date": "2024-07-01", "amount_yuan": 3_675_000}),
        )
        .await
        .expect(201);
        // The case closed: off the list, the episode kept on record.
        let list = get(&svc, "/api/idle-land?as_of=2024-07-02")
            .await
            .expect(200)
            .json();
        assert_eq!(list["totals"]["all"]["count"], 0);
        let d = detail(&svc, supply, "2024-07-02").await;
        assert_eq!(d["idle"]["idle_status"], "not_applicable");
        assert_eq!(d["idle"]["episodes"].as_array().unwrap().len(), 1);
    }
);

on_both_backends!(
    extensions_follow_the_contract_and_art_12,
    |app: common::TestDb| async move {
        let svc = app.service().await;
        let supply = supplied(&svc).await;
        let ext = |date: &str, cause: &str, new_start: &str| json!({"kind": "extension", "date": date, "cause": cause, "new_start": new_start});
        // 延建 needs 30 days' notice before the agreed start of 2023-03-01.
        let p = fact(&svc, supply, ext("2023-02-01", "holder", "2023-09-01"))
            .await
            .problem(422);
        says(
            &p,
            "at least 30 days before the agreed start 2023-03-01, by 2023-01-30",
        );
        fact(&svc, supply, ext("2023-01-30", "holder", "2023-09-01"))
            .await
            .expect(201);
        // Chained: together at most a year from the first agreed start.
        let p = fact(&svc, supply, ext("2023-07-01", "holder", "2024-03-02"))
            .await
            .problem(422);
        says(&p, "at most one year");
        fact(&svc, supply, ext("2023-07-01", "holder", "2024-03-01"))
            .await
            .expect(201);
        // Idle from 2025-03-02; a holder's request after the start date is refused outright.
        let p = fact(&svc, supply, ext("2025-04-01", "holder", "2025-10-01"))
            .await
            .problem(422);
        says(&p, "(延建)");
        let d = detail(&svc, supply, "2025-05-01").await;
        assert_eq!(
            (
                d["idle"]["idle_status"].as_str(),
                d["idle"]["fee_yuan"].as_i64()
            ),
            (Some("idle"), Some(3_675_000)),
            "the fee stands"
        );
        // The notice is a park setting.
        let park = get(&svc, "/api/parks/1").await;
        let etag = park.etag();
        patch(
            &svc,
            "/api/parks/1",
            &etag,
            &json!({"properties": {"settings": {"extension_notice_days": -1}}}),
        )
        .await
        .problem(400);
    }
);

on_both_backends!(
    the_entry_check_reads_the_plot,
    |app: common::TestDb| async move {
        let svc = app.service().await;
        let park = create_park(&svc, "NCGY").await;
        // The fixture plot: 100101, 容积率 1.0–2.5, 建筑密度 ≥ 40 %, 绿地率 ≤ 15 %, ≤ 24 m.
        let plot = create_parcel(&svc, park, &parcel("A-1", 116.63, 27.56, 0.002)).await;
        let site = plot["properties"]["area_m2"].as_f64().unwrap();
        let check = |plot: &Value, far: f64, height: f64| {
            json!({
                "parcel_id": plot["id"], "industry": "C3976", "fixed_asset_investment_wan_yuan": 20_000.0,
                "plan": {
                    "floor_area_m2": site * far, "building_footprint_m2": site * 0.45,
                    "green_area_m2": site * 0.10, "height_m": height
                }
            })
        };
        let anon = app.anonymous().await;
        let v = post(&anon, "/api/entry-check", &check(&plot, 1.5, 20.0))
            .await
            .expect(200)
            .json();
        assert_eq!(v["qualifies"], true, "{v}");
        let by_key = |v: &Value, key: &str| -> Value {
            v["criteria"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["key"] == key)
                .cloned()
                .unwrap_or(Value::Null)
        };
        assert_eq!(by_key(&v, "plot_land_use")["pass"], true);
        assert_eq!(by_key(&v, "plot_floor_area_ratio")["source"], "plot");
        assert_eq!(by_key(&v, "investment_intensity")["source"], "national");
        for (far, height, key) in [
            (0.99, 20.0, "plot_floor_area_ratio"),
            (2.51, 20.0, "plot_floor_area_ratio"),
            (1.5, 24.5, "plot_height"),
        ] {
            let v = post(&anon, "/api/entry-check", &check(&plot, far, height))
                .await
                .expect(200)
                .json();
            assert_eq!(by_key(&v, key)["pass"], false, "{key} {far} {height}");
            assert_eq!(v["qualifies"], false);
        }
        // A park plot of 公园绿地 takes no factory, whatever the figures.
        let mut green = parcel("G-1", 116.635, 27.56, 0.002);
        green["properties"]["land_use"] = json!("1401");
        green["properties"]["far_max"] = json!(0.1);
        green["properties"]["far_min"] = Value::Null;
        let green = create_parcel(&svc, park, &green).await;
        let v = post(&anon, "/api/entry-check", &check(&green, 0.05, 5.0))
            .await
            .expect(200)
            .json();
        let land_use = by_key(&v, "plot_land_use");
        assert_eq!(
            (land_use["pass"].as_bool(), land_use["source"].as_str()),
            (Some(false), Some("park"))
        );
        assert_eq!(v["qualifies"], false);
    }
);

on_both_backends!(
    a_late_start_costs_the_contract_penalty,
    |app: common::TestDb| async move {
        let svc = app.service().await;
        let supply = supplied(&svc).await;
        fact(&svc, supply, json!({"kind": "construction_permit", "date": "2023-03-10", "permit_no": "361021202303100101"}))
            .await
            .expect(201);
        fact(
            &svc,
            supply,
            json!({"kind": "start", "date": "2023-04-15", "evidence": "piles_driven"}),
        )
        .await
        .expect(201);
        // 第三十六条: 1‰ of 18,375,000 元 a day, 45 days late.
        let d = detail(&svc, supply, "2023-12-31").await;
        let p = &d["penalty"];
        assert_eq!(
            (
                p["start_late_days"].as_i64(),
                p["start_yuan"].as_i64(),
                p["total_yuan"].as_i64()
            ),
            (Some(45), Some(826_875), Some(826_875)),
            "{p}"
        );
        assert_eq!(d["penalty_per_mille"], 1.0);
        let list = get(&svc, "/api/parks/1/reports/dispatch?month=2023-12")
            .await
            .expect(200)
            .json();
        assert_eq!(list["land"]["penalties_yuan"], 826_875, "{}", list["land"]);
        // A supply may agree its own share; out of range is refused.
        let park = 1;
        let other = create_parcel(&svc, park, &parcel("A-2", 116.635, 27.56, 0.002)).await["id"]
            .as_i64()
            .unwrap();
        let mut terms = common::fixtures::supply_terms(1);
        terms["penalty_per_mille"] = json!(12.0);
        post(&svc, &format!("/api/parcels/{other}/supplies"), &terms)
            .await
            .problem(422);
        terms["penalty_per_mille"] = json!(0.5);
        let s = post(&svc, &format!("/api/parcels/{other}/supplies"), &terms)
            .await
            .expect(201)
            .json();
        assert_eq!(s["penalty_per_mille"], 0.5);
    }
);

on_both_backends!(
    settings_in_years_and_land_use_codes_are_checked_before_anything_is_written,
    |app: common::TestDb| async move {
        let svc = app.service().await;
        let park = create_park(&svc, "NCGY").await;
        let url = format!("/api/parks/{park}");
        let before = get(&svc, &url).await.expect(200);
        let etag = before.etag();
        let before = before.json();
        // 批而未供 counts 1 to 10 full calendar years.
        for years in [0, 11] {
            let p = patch(
                &svc,
                &url,
                &etag,
                &json!({"properties": {"settings": {"unsupplied_limit_years": years}}}),
            )
            .await
            .problem(422);
            says(&p, "1 to 10 years");
        }
        // A land-use code that 用地用海分类 does not have names its place in the list.
        let p = patch(
            &svc,
            &url,
            &etag,
            &json!({"properties": {"settings": {"project_land_uses": ["1001", "9999"]}}}),
        )
        .await
        .problem(422);
        assert!(p.to_string().contains("project_land_uses[1]"), "{p}");
        let after = get(&svc, &url).await.expect(200);
        assert_eq!(after.etag(), etag, "nothing was written");
        assert_eq!(after.json(), before);
    }
);

on_both_backends!(
    art_21_only_net_land_is_supplied_and_each_missing_condition_is_named,
    |app: common::TestDb| async move {
        let svc = app.service().await;
        let park = create_park(&svc, "NCGY").await;
        let mut feature = parcel("A-1", 116.63, 27.56, 0.002);
        feature["properties"]["clearances"] = json!(["rights_clear", "undisputed"]);
        feature["properties"]["infrastructure"] = json!(["water_supply", "drainage", "road"]);
        feature["properties"]["far_min"] = Value::Null;
        feature["properties"]["far_max"] = Value::Null;
        let plot = create_parcel(&svc, park, &feature).await;
        let id = plot["id"].as_i64().unwrap();
        let enterprise = create_enterprise(&svc).await;
        let terms = common::fixtures::supply_terms(enterprise);
        let url = format!("/api/parcels/{id}/supplies");
        let p = post(&svc, &url, &terms).await.problem(409);
        says(&p, "not 净地");
        says(&p, "安置补偿落实到位 (resettled): not on record");
        says(&p, "规划条件明确 (planning_set)");
        says(
            &p,
            "具备动工开发所必需的基本条件 (ready_to_start): missing 通电",
        );
        assert!(!p.to_string().contains("rights_clear)"), "{p}");
        // Nothing was written: the parcel is still available, with no supply.
        let after = get(&svc, &format!("/api/parcels/{id}")).await.expect(200);
        assert_eq!(after.json()["properties"]["status"], "available");
        let list = get(&svc, &format!("/api/parcels/{id}/supplies"))
            .await
            .expect(200)
            .json();
        assert_eq!(list.as_array().map(Vec::len), Some(0), "{list}");
        // An unknown clearance is a 422 naming the three.
        let etag = after.etag();
        let p = patch(
            &svc,
            &format!("/api/parcels/{id}"),
            &etag,
            &json!({"properties": {"clearances": ["paid"]}}),
        )
        .await
        .problem(422);
        says(&p, "unknown clearance(s) paid");
        // The bureau records what was missing; then the land is supplied.
        patch(
            &svc,
            &format!("/api/parcels/{id}"),
            &etag,
            &json!({"properties": {
                "clearances": ["rights_clear", "resettled", "undisputed"],
                "infrastructure": ["water_supply", "drainage", "power", "road"],
                "far_max": 2.0
            }}),
        )
        .await
        .expect(200);
        let supply = post(&svc, &url, &terms).await.expect(201).json()["id"]
            .as_i64()
            .unwrap();
        // Petitions later (Art. 8(4)) point back to the resettlement that was not in fact done.
        fact(
            &svc,
            supply,
            json!({"kind": "extension", "date": "2023-02-01", "cause": "petitions", "new_start": "2023-10-01"}),
        )
        .await
        .expect(201);
        fact(
            &svc,
            supply,
            json!({"kind": "attribution", "date": "2024-10-10", "cause": "petitions"}),
        )
        .await
        .expect(201);
        let d = detail(&svc, supply, "2024-11-01").await;
        assert_eq!(
            (
                d["idle"]["net_land_condition"].as_str(),
                d["idle"]["net_land_condition_name"].as_str()
            ),
            (Some("resettled"), Some("安置补偿落实到位")),
            "{}",
            d["idle"]
        );
    }
);

on_both_backends!(
    standard_land_capacity_review_short_on_one_indicator_owes_its_share_of_the_penalty,
    |app: common::TestDb| async move {
        let svc = app.service().await;
        let park = create_park(&svc, "NCGY").await;
        let plot = create_parcel(&svc, park, &parcel("A-1", 116.63, 27.56, 0.002)).await;
        let area = plot["properties"]["area_m2"].as_f64().unwrap();
        let enterprise = create_enterprise(&svc).await;
        // The fixture's 标准地 contract (亩均税收 15, 容积率 1.2, 投资强度 200), plus 亩均产值 300
        // and the contract's 达产违约金: 20 % of the land price for a full shortfall.
        let mut terms = common::fixtures::supply_terms(enterprise);
        terms["indicators"]["output_per_mu_wan"] = json!(300.0);
        terms["shortfall_penalty_pct"] = json!(20.0);
        let supply = post(
            &svc,
            &format!("/api/parcels/{}/supplies", plot["id"]),
            &terms,
        )
        .await
        .expect(201)
        .json()["id"]
            .as_i64()
            .unwrap();
        for f in [
            json!({"kind": "construction_permit", "date": "2023-02-01", "permit_no": "361021202302010101"}),
            json!({"kind": "start", "date": "2023-03-01", "evidence": "piles_driven"}),
            json!({"kind": "completion", "date": "2024-06-01", "built_floor_area_m2": area * 1.5}),
            json!({"kind": "production", "date": "2024-07-01"}),
        ] {
            fact(&svc, supply, f).await.expect(201);
        }
        // The park reviews a year after production: due from 2025-07-02.
        let etag = get(&svc, &format!("/api/parks/{park}"))
            .await
            .expect(200)
            .etag();
        patch(
            &svc,
            &format!("/api/parks/{park}"),
            &etag,
            &json!({"properties": {"settings": {"capacity_review_years": 1}}}),
        )
        .await
        .expect(200);
        let review = |d: &Value| d["capacity_review"].clone();
        let r = review(&detail(&svc, supply, "2025-07-01").await);
        assert_eq!(
            (r["state"].as_str(), r["due"].as_str()),
            (Some("not_due"), Some("2025-07-02"))
        );
        // Due and not done: flagged on the supply and on the 五未 list.
        let r = review(&detail(&svc, supply, "2025-08-01").await);
        assert_eq!(
            (r["state"].as_str(), r["overdue_days"].as_i64()),
            (Some("overdue"), Some(31))
        );
        let u = get(&svc, "/api/underused-land?as_of=2025-08-01")
            .await
            .expect(200)
            .json();
        let overdue = u["capacity_reviews_overdue"].as_array().unwrap();
        assert_eq!(overdue.len(), 1, "{u}");
        assert_eq!(overdue[0]["parcel_id"], plot["id"]);
        assert_eq!(overdue[0]["capacity_review_overdue_days"], 31);
        // … and on the map: the capacity-reviews layer colours it overdue.
        let layer = get(
            &svc,
            "/collections/capacity-reviews/items?as_of=2025-08-01&review_status=overdue",
        )
        .await
        .expect(200)
        .json();
        assert_eq!(layer["numberMatched"], 1, "{layer}");
        assert_eq!(layer["features"][0]["id"], plot["id"]);
        assert_eq!(
            layer["features"][0]["properties"]["review_status_name"],
            "到期未复核"
        );
        // The year's figures are in the register: 亩均税收 12 (short), 亩均产值 300 (met).
        // The view's area is rounded to two decimals; a hundredth of a m² more keeps the figure at or
        // above 300 per 亩 of the exact area.
        let mu = (area + 0.01) * 0.0015;
        // To the 元, rounded up so 300 per 亩 is reached, not missed by half a 元.
        let r4 = |v: f64| (v * 10_000.0).ceil() / 10_000.0;
        post(
            &svc,
            &format!("/api/parks/{park}/performance"),
            &json!({
                "enterprise_id": enterprise, "year": 2025,
                "revenue_wan_yuan": r4(300.0 * mu), "tax_wan_yuan": r4(12.0 * mu),
                "value_added_wan_yuan": r4(80.0 * mu), "energy_tce": 1_000.0, "emissions_t": 20.0,
                "rd_wan_yuan": 100.0, "staff": 120
            }),
        )
        .await
        .expect(200);
        // The review is recorded; nothing is typed again.
        fact(
            &svc,
            supply,
            json!({"kind": "capacity_review", "date": "2026-03-01"}),
        )
        .await
        .expect(201);
        let d = detail(&svc, supply, "2026-04-01").await;
        let r = review(&d);
        assert_eq!(
            (r["state"].as_str(), r["figures_year"].as_i64()),
            (Some("done"), Some(2025))
        );
        let verdict = |key: &str| -> Value {
            r["indicators"]
                .as_array()
                .unwrap()
                .iter()
                .find(|i| i["indicator"] == key)
                .unwrap_or_else(|| panic!("{key} in {r}"))
                .clone()
        };
        assert_eq!(verdict("tax_per_mu_wan")["met"], false);
        assert_eq!(verdict("tax_per_mu_wan")["gap_pct"], -20.0);
        assert_eq!(verdict("output_per_mu_wan")["met"], true, "{r}");
        assert_eq!(verdict("far")["met"], true, "1.5 built against 1.2 agreed");
        assert_eq!(
            verdict("investment_intensity_wan_per_mu")["met"],
            Value::Null,
            "no investment reported: not verified"
        );
        assert_eq!(r["met"], false);
        // 20 % of 18,375,000 元 × a 20 % gap = 735,000 元.
        let owed = r["penalty_yuan"].as_i64().unwrap();
        assert!((owed - 735_000).abs() <= 2, "{owed}");
        let feature = get(
            &svc,
            &format!(
                "/collections/capacity-reviews/items/{}?as_of=2026-04-01",
                plot["id"]
            ),
        )
        .await
        .expect(200)
        .json();
        assert_eq!(feature["properties"]["review_status"], "short");
        assert_eq!(feature["properties"]["penalty_yuan"], r["penalty_yuan"]);
        // 投而未达 in 五未, with the indicator missed.
        let u = get(&svc, "/api/underused-land?as_of=2026-04-01")
            .await
            .expect(200)
            .json();
        let item = &u["items"][0];
        assert_eq!(item["class"], "producing_below_target", "{u}");
        says(
            &json!({"detail": item["reason_en"]}),
            "达产复核 2026-03-01: 亩均税收 12 万元/亩 below the agreed 15 (-20.0%)",
        );
        says(
            &json!({"detail": item["reason"]}),
            "2026-03-01 达产复核：亩均税收 12 万元/亩 低于约定的 15（-20.0%）",
        );
        // A figure the yearly report holds is not typed in a review.
        let p = fact(
            &svc,
            supply,
            json!({"kind": "capacity_review", "date": "2026-05-01", "measured": {"tax_per_mu_wan": 16.0, "output_per_mu_wan": 320.0}}),
        )
        .await
        .problem(422);
        assert!(p.to_string().contains("measured.output_per_mu_wan"), "{p}");
    }
);
