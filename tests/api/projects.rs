//! Investment projects, the entry check and the pipeline report through the HTTP API — on
//! SQLite and PostGIS.

use crate::common;
use crate::common::fixtures::{create_parcel, create_park, east_zone, parcel, project_body};
use crate::common::{Client, get, patch, post};
use serde_json::{Value, json};

use crate::common::problem_fields as fields;

async fn unit(svc: &Client, name: &str, kind: &str) -> i64 {
    post(
        svc,
        "/api/investment-units",
        &json!({"name": name, "kind": kind}),
    )
    .await
    .expect(201)
    .json()["id"]
        .as_i64()
        .unwrap()
}

on_both_backends!(stages_move_by_the_rules, |app: common::TestDb| async move {
    let svc = app.service().await;
    let park = create_park(&svc, "NCGY").await;
    let u = unit(&svc, "县招商局", "department").await;
    let mut body = project_body(u);
    body["stage"] = json!("negotiating");
    body["stage_date"] = json!("2026-01-05");
    let p = post(&svc, &format!("/api/parks/{park}/projects"), &body)
        .await
        .expect(201)
        .json();
    let id = p["id"].as_i64().unwrap();
    assert_eq!(
        (p["stage_name"].as_str(), p["size_band_name"].as_str()),
        (Some("在谈"), Some("1亿元以上"))
    );
    assert_eq!(
        p["intensity_wan_per_mu"], 166.67,
        "1 亿 fixed assets on 60 亩"
    );
    let stages = format!("/api/projects/{id}/stages");

    let e = post(
        &svc,
        &stages,
        &json!({"stage": "started", "date": "2026-05-01"}),
    )
    .await
    .problem(422);
    assert_eq!(
        fields(&e),
        ["earlier.signed", "earlier.landed"],
        "a jump without dates"
    );
    let p = post(&svc, &stages, &json!({"stage": "started", "date": "2026-05-01", "earlier": {"signed": "2026-02-01", "landed": "2026-03-15"}}))
            .await
            .expect(200)
            .json();
    let names: Vec<&str> = p["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["stage_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["在谈", "签约", "供地/入驻", "开工"]);
    let e = post(
        &svc,
        &stages,
        &json!({"stage": "landed", "date": "2026-06-01"}),
    )
    .await
    .problem(422);
    assert!(
        e["detail"].as_str().unwrap().contains("needs a reason"),
        "{e}"
    );
    let p = post(
        &svc,
        &stages,
        &json!({"stage": "landed", "date": "2026-06-01", "reason": "施工许可被撤回"}),
    )
    .await
    .expect(200)
    .json();
    assert_eq!(
        (p["stage"].as_str(), p["stages"][4]["backwards"].as_bool()),
        (Some("landed"), Some(true))
    );
    post(
        &svc,
        &stages,
        &json!({"stage": "terminated", "date": "2026-07-01"}),
    )
    .await
    .problem(422);
    post(
        &svc,
        &stages,
        &json!({"stage": "completed", "date": "2026-12-24", "earlier": {"started": "2026-07-01"}}),
    )
    .await
    .problem(422);
    post(
        &svc,
        &stages,
        &json!({"stage": "done", "date": "2026-07-01"}),
    )
    .await
    .problem(400);
    let p = post(
        &svc,
        &stages,
        &json!({"stage": "terminated", "date": "2026-07-01", "reason": "企业资金链断裂"}),
    )
    .await
    .expect(200)
    .json();
    assert_eq!(p["stage_name"], "终止");
    let audit = get(&svc, &format!("/api/audit?entity=project&entity_id={id}"))
        .await
        .expect(200)
        .json();
    assert_eq!(
        audit["numberMatched"], 4,
        "created, and three stage changes"
    );
});

on_both_backends!(
    bad_projects_write_nothing,
    |app: common::TestDb| async move {
        let svc = app.service().await;
        let park = create_park(&svc, "NCGY").await;
        let u = unit(&svc, "株良镇", "township").await;
        let url = format!("/api/parks/{park}/projects");
        let mut bad = project_body(u);
        bad["signed_investment_wan_yuan"] = json!(-5.0);
        bad["land_demand_mu"] = json!(1e9);
        bad["industry"] = json!("C99");
        let e = post(&svc, &url, &bad).await.problem(422);
        assert_eq!(
            fields(&e),
            ["industry", "signed_investment_wan_yuan", "land_demand_mu"]
        );
        let mut more = project_body(u);
        more["fixed_asset_investment_wan_yuan"] = json!(20_000.0);
        let e = post(&svc, &url, &more).await.problem(422);
        assert_eq!(
            fields(&e),
            ["fixed_asset_investment_wan_yuan"],
            "fixed assets above the signed amount"
        );
        let mut unknown_unit = project_body(9999);
        unknown_unit["parcel_ids"] = json!([9999]);
        let e = post(&svc, &url, &unknown_unit).await.problem(422);
        assert_eq!(fields(&e), ["responsible_unit_id", "parcel_ids[0]"]);
        let mut future = project_body(u);
        future["stage_date"] = json!("2027-01-01");
        post(&svc, &url, &future).await.problem(422);
        post(
            &svc,
            "/api/investment-units",
            &json!({"name": "株良镇", "kind": "township"}),
        )
        .await
        .problem(409);
        post(
            &svc,
            "/api/investment-units",
            &json!({"name": "x", "kind": "village"}),
        )
        .await
        .problem(422);
        assert_eq!(get(&svc, &url).await.expect(200).json(), json!([]));
        let id = post(&svc, &url, &project_body(u)).await.expect(201).json()["id"]
            .as_i64()
            .unwrap();
        let p = patch(
            &svc,
            &format!("/api/projects/{id}"),
            "\"1\"",
            &json!({"land_demand_mu": 45.5, "enclave": true}),
        )
        .await
        .expect(200)
        .json();
        assert_eq!(
            (p["land_demand_mu"].as_f64(), p["enclave"].as_bool()),
            (Some(45.5), Some(true))
        );
        patch(
            &svc,
            &format!("/api/projects/{id}"),
            "\"1\"",
            &json!({"name": "x"}),
        )
        .await
        .problem(412);
    }
);

on_both_backends!(
    the_entry_check_for_anyone,
    |app: common::TestDb| async move {
        let svc = app.service().await;
        let park = create_park(&svc, "NCGY").await;
        let etag = get(&svc, &format!("/api/parks/{park}")).await.etag();
        patch(
            &svc,
            &format!("/api/parks/{park}"),
            &etag,
            &json!({"properties": {"settings": {"min_investment_intensity_wan_per_mu": 150.0}}}),
        )
        .await
        .expect(200);
        post(&svc, &format!("/api/parks/{park}/zones"), &east_zone())
            .await
            .expect(201);
        let west = create_parcel(&svc, park, &parcel("W-1", 116.63, 27.56, 0.002)).await;
        let east = create_parcel(&svc, park, &parcel("E-1", 116.65, 27.56, 0.002)).await;
        let mut reserve = parcel("W-2", 116.625, 27.56, 0.002);
        reserve["properties"]["status"] = json!("reserve");
        let reserved = create_parcel(&svc, park, &reserve).await["id"]
            .as_i64()
            .unwrap();
        let anon = app.anonymous().await;
        let check = |parcel: &Value, wan: f64| json!({"parcel_id": parcel["id"], "industry": "C3976", "fixed_asset_investment_wan_yuan": wan});

        // West: the park's 150 万元/亩. A 0.002° plot at 27.56° N is 43,774.27 m² = 65.66 亩.
        let mu = west["properties"]["area_mu"].as_f64().unwrap();
        let exactly = (150.0 * mu * 10_000.0).round() / 10_000.0;
        let v = post(&anon, "/api/entry-check", &check(&west, exactly + 0.01))
            .await
            .expect(200)
            .json();
        let intensity = &v["criteria"][0];
        assert_eq!(
            (intensity["name"].as_str(), intensity["pass"].as_bool()),
            (Some("投资强度"), Some(true)),
            "{v}"
        );
        assert_eq!(intensity["required_value"], 150.0);
        let v = post(&anon, "/api/entry-check", &check(&west, exactly - 1.0))
            .await
            .expect(200)
            .json();
        assert_eq!(v["criteria"][0]["pass"], false);
        assert_eq!(v["qualifies"], false);
        // East lies in the zone of 250 万元/亩 and C39 only.
        let v = post(&anon, "/api/entry-check", &check(&east, exactly + 0.01))
            .await
            .expect(200)
            .json();
        assert_eq!(
            (
                v["criteria"][0]["required_value"].as_f64(),
                v["criteria"][0]["pass"].as_bool()
            ),
            (Some(250.0), Some(false))
        );
        assert_eq!(v["criteria"][1]["pass"], true, "3976 is under C39");
        let mut food = check(&east, 50_000.0);
        food["industry"] = json!("C1491");
        let v = post(&anon, "/api/entry-check", &food)
            .await
            .expect(200)
            .json();
        assert_eq!(
            (
                v["criteria"][1]["name"].as_str(),
                v["criteria"][1]["pass"].as_bool()
            ),
            (Some("产业定位"), Some(false))
        );
        // A building plan at its bounds qualifies on every control indicator — but the plot
        // sets its own conditions (建筑密度 ≥ 40 %, 绿地率 ≤ 15 %) and the plan misses them.
        let site = west["properties"]["area_m2"].as_f64().unwrap();
        let mut planned = check(&west, 20_000.0);
        // Bounds are compared exactly and the register shows the area to the hundredth of a
        // m², so the plan is drawn a hundredth on the safe side of each bound.
        let (over, under) = (site + 0.01, site - 0.01);
        planned["plan"] = json!({"floor_area_m2": over, "building_footprint_m2": over * 0.3, "admin_living_land_m2": under * 0.07, "green_area_m2": under * 0.2, "height_m": 18.0});
        let v = post(&anon, "/api/entry-check", &planned)
            .await
            .expect(200)
            .json();
        let passes: Vec<(String, bool)> = v["criteria"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["key"].as_str().unwrap().to_owned(),
                    c["pass"].as_bool().unwrap(),
                )
            })
            .collect();
        assert!(passes[..6].iter().all(|(_, p)| *p), "{passes:?}");
        let failed: Vec<&str> = passes
            .iter()
            .filter(|(_, p)| !p)
            .map(|(k, _)| k.as_str())
            .collect();
        assert_eq!(failed, ["plot_building_density", "plot_green_ratio"]);
        assert_eq!(v["qualifies"], false, "{v}");
        // Without a plot: a park and an area; a zone of another park is refused.
        let v = post(&anon, "/api/entry-check", &json!({"park_id": park, "land_area_mu": 50.0, "industry": "C3976", "fixed_asset_investment_wan_yuan": 5_000.0})).await.expect(200).json();
        assert_eq!(
            (
                v["criteria"][0]["actual_value"].as_f64(),
                v["criteria"][0]["pass"].as_bool()
            ),
            (Some(100.0), Some(false)),
            "100 < 150"
        );
        post(&anon, "/api/entry-check", &json!({"park_id": park, "zone_id": 999, "land_area_mu": 50.0, "industry": "C3976", "fixed_asset_investment_wan_yuan": 5_000.0}))
            .await
            .problem(422);
        // The register is private: a plot that is not offered is not found for the public.
        post(&anon, "/api/entry-check", &json!({"parcel_id": reserved, "industry": "C3976", "fixed_asset_investment_wan_yuan": 1.0})).await.problem(404);
        post(&svc, "/api/entry-check", &json!({"parcel_id": reserved, "industry": "C3976", "fixed_asset_investment_wan_yuan": 1.0})).await.expect(200);
        let e = post(
            &anon,
            "/api/entry-check",
            &json!({"industry": "C3976", "fixed_asset_investment_wan_yuan": -1.0}),
        )
        .await
        .problem(422);
        assert_eq!(fields(&e), ["fixed_asset_investment_wan_yuan", "parcel_id"]);
        post(&anon, "/api/entry-check", &json!({"parcel_id": 1, "industry": "C3976", "fixed_asset_investment_wan_yuan": 1.0, "extra": 1})).await.problem(400);
    }
);

on_both_backends!(
    the_pipeline_report_adds_up,
    |app: common::TestDb| async move {
        let svc = app.service().await;
        let park = create_park(&svc, "NCGY").await;
        let bureau = unit(&svc, "县招商局", "department").await;
        let town = unit(&svc, "株良镇", "township").await;
        let idle = unit(&svc, "县工信局", "department").await;
        post(
            &svc,
            &format!("/api/investment-units/{bureau}/plans"),
            &json!({"year": 2026, "fixed_asset_plan_wan_yuan": 10_000.0}),
        )
        .await
        .expect(200);
        post(
            &svc,
            &format!("/api/investment-units/{town}/plans"),
            &json!({"year": 2026, "fixed_asset_plan_wan_yuan": 6_000.0}),
        )
        .await
        .expect(200);
        let url = format!("/api/parks/{park}/projects");
        let new = |u: i64, signed: f64, fixed: f64, stage: &str, date: &str| {
            let mut b = project_body(u);
            b["signed_investment_wan_yuan"] = json!(signed);
            b["fixed_asset_investment_wan_yuan"] = json!(fixed);
            b["stage"] = json!(stage);
            b["stage_date"] = json!(date);
            b
        };
        // A: the bureau's, signed in 2026 and started in June, 1.2 亿; 4500 万 invested by September.
        let a = post(
            &svc,
            &url,
            &new(bureau, 12_000.0, 10_000.0, "signed", "2026-02-10"),
        )
        .await
        .expect(201)
        .json()["id"]
            .as_i64()
            .unwrap();
        post(
            &svc,
            &format!("/api/projects/{a}/stages"),
            &json!({"stage": "started", "date": "2026-06-18", "earlier": {"landed": "2026-04-01"}}),
        )
        .await
        .expect(200);
        post(
            &svc,
            &format!("/api/projects/{a}/investment"),
            &json!({"date": "2026-06-30", "completed_wan_yuan": 2_000.0}),
        )
        .await
        .expect(200);
        post(
            &svc,
            &format!("/api/projects/{a}/investment"),
            &json!({"date": "2026-09-30", "completed_wan_yuan": 4_500.0}),
        )
        .await
        .expect(200);
        // B: the township's, signed in 2025, started in March 2026: 5000 万; 3000 万 by 2025, 8000 万 by October.
        let b = post(
            &svc,
            &url,
            &new(town, 5_000.0, 4_000.0, "landed", "2025-11-01"),
        )
        .await
        .expect(201)
        .json()["id"]
            .as_i64()
            .unwrap();
        post(
            &svc,
            &format!("/api/projects/{b}/investment"),
            &json!({"date": "2025-12-31", "completed_wan_yuan": 3_000.0}),
        )
        .await
        .expect(200);
        post(
            &svc,
            &format!("/api/projects/{b}/stages"),
            &json!({"stage": "started", "date": "2026-03-01"}),
        )
        .await
        .expect(200);
        post(
            &svc,
            &format!("/api/projects/{b}/investment"),
            &json!({"date": "2026-10-31", "completed_wan_yuan": 8_000.0}),
        )
        .await
        .expect(200);
        post(
            &svc,
            &format!("/api/projects/{b}/investment"),
            &json!({"date": "2026-10-01", "completed_wan_yuan": 9_000.0}),
        )
        .await
        .problem(422);
        post(
            &svc,
            &format!("/api/projects/{b}/investment"),
            &json!({"date": "2026-11-01", "completed_wan_yuan": 7_000.0}),
        )
        .await
        .problem(422);
        // C: the township's, in negotiation: 800 万, a 飞地 project (built outside the park).
        let mut c = new(town, 800.0, 600.0, "negotiating", "2026-09-01");
        c["enclave"] = json!(true);
        post(&svc, &url, &c).await.expect(201);

        let r = get(
            &svc,
            &format!("/api/parks/{park}/reports/pipeline?from=2026-01-01&to=2026-10-31"),
        )
        .await
        .expect(200)
        .json();
        assert_eq!(
            r["total"],
            json!({"count": 3, "signed_investment_wan_yuan": 17_800.0, "fixed_asset_investment_wan_yuan": 14_600.0})
        );
        let unit_line = |name: &str| {
            r["by_unit"]
                .as_array()
                .unwrap()
                .iter()
                .find(|u| u["unit_name"] == name)
                .unwrap()
                .clone()
        };
        let b_line = unit_line("县招商局");
        assert_eq!(
            (
                b_line["signed"]["count"].as_i64(),
                b_line["started"]["count"].as_i64()
            ),
            (Some(1), Some(1))
        );
        assert_eq!(
            (
                b_line["completed_wan_yuan"].as_f64(),
                b_line["completion_pct"].as_f64()
            ),
            (Some(4_500.0), Some(45.0))
        );
        let t_line = unit_line("株良镇");
        assert_eq!(
            (
                t_line["signed"]["count"].as_i64(),
                t_line["started"]["count"].as_i64()
            ),
            (Some(0), Some(1))
        );
        assert_eq!(
            (
                t_line["completed_wan_yuan"].as_f64(),
                t_line["completion_pct"].as_f64()
            ),
            (Some(5_000.0), Some(83.33))
        );
        assert_eq!(r["units_without_signed"], json!(["株良镇", "县工信局"]));
        assert_eq!(r["units_without_started"], json!(["县工信局"]));
        // The dispatch meeting's lists: 白卷 of every stage, ranks, and the 飞地 section.
        assert_eq!(
            r["units_without_negotiating"],
            json!(["县招商局", "县工信局"])
        );
        assert_eq!(
            r["units_without_producing"],
            json!(["县招商局", "株良镇", "县工信局"])
        );
        let ranks: Vec<(&str, i64, i64)> = r["by_unit"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| {
                (
                    u["unit_name"].as_str().unwrap(),
                    u["ranks"]["started"].as_i64().unwrap(),
                    u["ranks"]["investment"].as_i64().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            ranks,
            [("县招商局", 1, 2), ("株良镇", 1, 1), ("县工信局", 3, 3)],
            "one start each shares the first rank; 5000 万 invested beats 4500 万"
        );
        assert_eq!(r["enclaves"].as_array().unwrap().len(), 1);
        assert_eq!(r["enclaves"][0]["unit_name"], "株良镇");
        assert_eq!(r["enclaves"][0]["standing"]["count"], 1);
        let _ = idle;
        let bands: Vec<(&str, &str, i64)> = r["cells"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["stage"].as_str().unwrap(),
                    c["size_band"].as_str().unwrap(),
                    c["count"].as_i64().unwrap(),
                )
            })
            .collect();
        // Bands are by fixed-asset investment (1亿, 4000 万, 600 万), cut at the default
        // thresholds 500 / 3000 / 5000 / 10000 万元.
        assert_eq!(
            bands,
            [
                ("negotiating", "500-3000", 1),
                ("started", "10000+", 1),
                ("started", "3000-5000", 1)
            ]
        );
        let at_or_above = |r: &Value| -> Vec<(i64, i64)> {
            r["thresholds"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| {
                    (
                        t["from_wan_yuan"].as_i64().unwrap(),
                        t["standing"]["count"].as_i64().unwrap(),
                    )
                })
                .collect()
        };
        assert_eq!(
            at_or_above(&r),
            [(500, 3), (3_000, 2), (5_000, 1), (10_000, 1)]
        );
        assert_eq!(r["thresholds"][3]["name"], "固定资产投资1亿元以上");
        // A park that counts from 4000 万: B's 4000 万 is on the boundary, so in the band.
        let etag = get(&svc, &format!("/api/parks/{park}"))
            .await
            .expect(200)
            .etag();
        common::patch(
            &svc,
            &format!("/api/parks/{park}"),
            &etag,
            &json!({"properties": {"settings": {"size_bands_wan_yuan": [500, 4000, 30000]}}}),
        )
        .await
        .expect(200);
        let banded = get(
            &svc,
            &format!("/api/parks/{park}/reports/pipeline?from=2026-01-01&to=2026-10-31"),
        )
        .await
        .expect(200)
        .json();
        assert_eq!(at_or_above(&banded), [(500, 3), (4_000, 2), (30_000, 0)]);
        let names: Vec<&str> = banded["cells"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["size_band_name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["500万-4000万元", "4000万-3亿元", "4000万-3亿元"]);
        let list = get(&svc, &format!("/api/parks/{park}/projects"))
            .await
            .expect(200)
            .json();
        assert!(
            list.to_string().contains("\"size_band\":\"4000-30000\""),
            "the project list follows the park's bands: {list}"
        );
        common::patch(
            &svc,
            &format!("/api/parks/{park}"),
            &get(&svc, &format!("/api/parks/{park}"))
                .await
                .expect(200)
                .etag(),
            &json!({"properties": {"settings": {"size_bands_wan_yuan": [3000, 500]}}}),
        )
        .await
        .problem(422);

        let csv = get(
            &svc,
            &format!("/api/parks/{park}/reports/pipeline?from=2026-01-01&to=2026-10-31&format=csv"),
        )
        .await
        .expect(200);
        assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
        let disposition = csv.header("content-disposition").unwrap();
        assert!(disposition.contains("filename*=UTF-8''"), "{disposition}");
        // `curl -OJ` reads only `filename`: an English name, not underscores for the Chinese.
        assert!(
            disposition.contains("filename=\"pipeline_2026-01-01_2026-10-31_units.csv\""),
            "{disposition}"
        );
        let text = csv.text();
        assert!(text.starts_with('\u{feff}'), "a BOM for Excel");
        assert!(text.contains("招商单位,类型,签约项目数"), "{text}");
        assert!(
            text.contains("株良镇,乡镇,0,0,1,4000,5000,6000,83.33"),
            "{text}"
        );
        let xlsx = get(
            &svc,
            &format!("/api/parks/{park}/reports/pipeline?format=xlsx"),
        )
        .await
        .expect(200);
        assert_eq!(
            xlsx.header("content-type").as_deref(),
            Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        );
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(xlsx.body.to_vec()))
            .expect("an xlsx is a zip");
        let mut workbook = String::new();
        std::io::Read::read_to_string(&mut zip.by_name("xl/workbook.xml").unwrap(), &mut workbook)
            .unwrap();
        for sheet in ["调度汇总", "项目分布", "投资规模", "白卷单位"] {
            assert!(workbook.contains(sheet), "{workbook}");
        }
        get(
            &svc,
            &format!("/api/parks/{park}/reports/pipeline?format=pdf"),
        )
        .await
        .problem(400);
        get(
            &svc,
            &format!("/api/parks/{park}/reports/pipeline?from=2026-12-01&to=2026-01-01"),
        )
        .await
        .problem(400);
    }
);
