//! 亩均论英雄 and 腾笼换鸟, on both backends: yearly figures (one by one and from CSV/.xlsx),
//! the evaluation against a hand-worked example with a tie at a class boundary, the scope rules,
//! candidates and their ranking, site matching, the map layers, and bad input refused with
//! nothing written.

use crate::common;
use crate::common::fixtures::{create_enterprise_named, create_park, parcel, supply_terms, uscc};
use crate::common::{Client, get, post, problem_fields, send};
use serde_json::{Value, json};

/// A contract long fulfilled, so the land is out of the idle-land and 五未 rules and its holder
/// produced all of 2025: signed 2019-06-01, started 2020-03-01, completed 2021-12-01, in
/// production since 2022-06-01.
fn fulfilled_terms(enterprise: i64, n: u32) -> Value {
    let mut t = supply_terms(enterprise);
    t["contract_no"] = json!(format!("南城出让〔2019〕{n}号"));
    t["contract_date"] = json!("2019-06-01");
    t["agreed_start"] = json!("2020-03-01");
    t["agreed_completion"] = json!("2021-12-31");
    t["agreed_production"] = json!("2022-06-30");
    t
}

/// A parcel supplied to `enterprise` on [`fulfilled_terms`], with the facts that fulfilled it;
/// its id and 亩.
async fn producing(
    svc: &Client,
    park: i64,
    code: &str,
    xy: (f64, f64, f64),
    enterprise: i64,
    n: u32,
) -> (i64, f64) {
    let (parcel, mu) = supplied(svc, park, code, xy, &fulfilled_terms(enterprise, n)).await;
    let supplies = get(svc, &format!("/api/parcels/{parcel}/supplies"))
        .await
        .expect(200)
        .json();
    let supply = supplies[0]["id"].as_i64().unwrap();
    for fact in [
        json!({"kind": "construction_permit", "date": "2020-02-01", "permit_no": format!("3610212020020101{n:02}")}),
        json!({"kind": "start", "date": "2020-03-01", "evidence": "piles_driven"}),
        json!({"kind": "completion", "date": "2021-12-01"}),
        json!({"kind": "production", "date": "2022-06-01"}),
    ] {
        post(svc, &format!("/api/supplies/{supply}/facts"), &fact)
            .await
            .expect(201);
    }
    (parcel, mu)
}

/// A parcel (a `d`° square at x, y) supplied to `enterprise` on `terms`; its id and 亩.
async fn supplied(
    svc: &Client,
    park: i64,
    code: &str,
    xy: (f64, f64, f64),
    terms: &Value,
) -> (i64, f64) {
    let p = common::fixtures::create_parcel(svc, park, &parcel(code, xy.0, xy.1, xy.2)).await;
    let id = p["id"].as_i64().unwrap();
    let s = post(svc, &format!("/api/parcels/{id}/supplies"), terms)
        .await
        .expect(201)
        .json();
    (id, s["land_area_m2"].as_f64().unwrap() * 0.0015)
}

async fn enterprise(svc: &Client, name: &str, n: u32, above_scale: bool) -> i64 {
    if above_scale {
        return create_enterprise_named(svc, name, n).await;
    }
    let body = json!({"name": name, "uscc": uscc(n), "industry": "C3911", "above_scale": false});
    post(svc, "/api/enterprises", &body)
        .await
        .expect(201)
        .json()["id"]
        .as_i64()
        .unwrap()
}

/// Figures with 亩均税收 `kt` and 亩均增加值 `kv` (万元/亩) on `mu` 亩: tax and value added are
/// those multiples of the land, to the 元.
fn figures(enterprise: i64, mu: f64, kt: f64, kv: f64) -> Value {
    let r4 = |v: f64| (v * 10_000.0).round() / 10_000.0;
    json!({
        "enterprise_id": enterprise, "year": 2025,
        "revenue_wan_yuan": r4((kv * 5.0 + kt * 10.0) * mu), "tax_wan_yuan": r4(kt * mu), "value_added_wan_yuan": r4(kv * mu),
        "energy_tce": 1_000.0, "emissions_t": 20.0, "electricity_kwh": 5_000_000.0, "rd_wan_yuan": 100.0, "staff": 120
    })
}

/// The hand-worked scheme: full 亩均税收 60 + 亩均增加值 40 against 20 and 100 万元/亩; small
/// 亩均税收 100; A ≥ 100, B ≥ 80, C ≥ 60.
fn scheme(classes: Value, min_land_mu: f64, include_above_scale: bool) -> Value {
    json!({"year": 2025, "scheme": {
        "weights": {"tax_per_mu": 60.0, "value_added_per_mu": 40.0},
        "small_weights": {"tax_per_mu": 100.0},
        "benchmarks": {"tax_per_mu": 20.0, "value_added_per_mu": 100.0},
        "classes": classes, "min_land_mu": min_land_mu, "include_above_scale": include_above_scale
    }})
}

fn thresholds() -> Value {
    json!({"by": "thresholds", "a": 100.0, "b": 80.0, "c": 60.0})
}

/// Five rated enterprises, one out of scope, one without figures; returns their ids, E1..E7.
async fn rated_park(svc: &Client, park: i64) -> Vec<i64> {
    // (name, above scale, 亩均税收, 亩均增加值, parcel size °)
    let table = [
        ("一号优质电子有限公司", true, Some((20.0, 100.0)), 0.002),
        ("二号精密机械有限公司", true, Some((16.0, 80.0)), 0.002),
        ("三号光电科技有限公司", true, Some((16.0, 80.0)), 0.002),
        ("四号铸造有限公司", true, Some((10.0, 50.0)), 0.002),
        ("五号小微包装厂", false, Some((14.0, 0.0)), 0.002),
        ("六号小作坊", false, Some((30.0, 150.0)), 0.0004),
        ("七号未报企业有限公司", true, None, 0.002),
    ];
    let mut ids = Vec::new();
    for (i, (name, above, k, d)) in table.into_iter().enumerate() {
        let n = 101 + i as u32;
        let e = enterprise(svc, name, n, above).await;
        let xy = (116.621 + 0.0025 * i as f64, 27.551, d);
        let (_, mu) = producing(svc, park, &format!("E-{}", i + 1), xy, e, n).await;
        if let Some((kt, kv)) = k {
            post(
                svc,
                &format!("/api/parks/{park}/performance"),
                &figures(e, mu, kt, kv),
            )
            .await
            .expect(200);
        }
        ids.push(e);
    }
    ids
}

/// Set the park's 2025 scheme and read its 2025 evaluation.
async fn rate(svc: &Client, park: i64, scheme: &Value) -> Value {
    post(svc, &format!("/api/parks/{park}/evaluation-scheme"), scheme)
        .await
        .expect(200);
    get(svc, &format!("/api/parks/{park}/evaluation?year=2025"))
        .await
        .expect(200)
        .json()
}

fn rating(ev: &Value, id: i64) -> &Value {
    ev["rated"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["enterprise_id"] == id)
        .unwrap_or_else(|| panic!("{id} is not rated: {ev}"))
}

on_both_backends!(
    scores_and_classes_as_worked_by_hand,
    |app: common::TestDb| async move {
        let svc = app.service().await;
        let park = create_park(&svc, "NCGY").await;
        let e = rated_park(&svc, park).await;
        let ev = rate(&svc, park, &scheme(thresholds(), 3.0, true)).await;
        assert_eq!(ev["scheme_set_by_park"], true);
        // E1 60 + 40 = 100 (A, at the bound); E2 and E3 48 + 32 = 80 (B, at the bound, tied);
        // E5 small: 14 ÷ 20 × 100 = 70 (C); E4 30 + 20 = 50 (D).
        let want = [
            (e[0], 100.0, "A", 1),
            (e[1], 80.0, "B", 2),
            (e[2], 80.0, "B", 2),
            (e[4], 70.0, "C", 4),
            (e[3], 50.0, "D", 5),
        ];
        let got: Vec<(i64, f64, String, i64)> = ev["rated"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["enterprise_id"].as_i64().unwrap(),
                    r["score"].as_f64().unwrap(),
                    r["class"].as_str().unwrap().to_owned(),
                    r["rank"].as_i64().unwrap(),
                )
            })
            .collect();
        let want: Vec<(i64, f64, String, i64)> = want
            .iter()
            .map(|(id, s, c, r)| (*id, *s, (*c).to_owned(), *r))
            .collect();
        assert_eq!(got, want, "{ev}");
        assert_eq!(ev["classes"], json!({"A": 1, "B": 2, "C": 1, "D": 1}));
        // Each score explains itself.
        let e2 = rating(&ev, e[1]);
        assert_eq!(e2["scheme"], "full");
        let tax = e2["terms"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["indicator"] == "tax_per_mu")
            .unwrap();
        assert_eq!(
            (tax["value"].as_f64().unwrap() * 100.0).round() / 100.0,
            16.0,
            "{tax}"
        );
        assert_eq!(tax["benchmark"], 20.0);
        assert_eq!(tax["weight"], 60.0);
        assert_eq!(tax["points"], 48.0);
        assert_eq!(tax["name"], "亩均税收");
        assert_eq!(rating(&ev, e[4])["scheme"], "small");
        assert_eq!(rating(&ev, e[0])["class_name"], "A类（优先发展）");
        // Not rated, and why.
        let not: Vec<(i64, String)> = ev["not_rated"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| {
                (
                    n["enterprise_id"].as_i64().unwrap(),
                    n["reason_en"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        assert_eq!(not.len(), 2, "{not:?}");
        assert!(
            not.iter()
                .any(|(id, why)| *id == e[5] && why.contains("out of scope")),
            "{not:?}"
        );
        assert!(
            not.iter()
                .any(|(id, why)| *id == e[6] && why.contains("no figures")),
            "{not:?}"
        );

        // Rank shares A 40 %, B 20 %, C 20 % of five: cuts after ranks 2, 3 and 4. E3 stands third
        // but ties E2 at the second place, so it shares E2's class: A.
        let ev = rate(
            &svc,
            park,
            &scheme(
                json!({"by": "rank_shares", "a_pct": 40.0, "b_pct": 20.0, "c_pct": 20.0}),
                3.0,
                true,
            ),
        )
        .await;
        assert_eq!(
            ev["classes"],
            json!({"A": 3, "B": 0, "C": 1, "D": 1}),
            "{ev}"
        );
        assert_eq!(rating(&ev, e[2])["class"], "A");
        assert_eq!(rating(&ev, e[4])["class"], "C");

        // The default scheme applies to a year the park set none for.
        let s = get(
            &svc,
            &format!("/api/parks/{park}/evaluation-scheme?year=2024"),
        )
        .await
        .expect(200)
        .json();
        assert_eq!(s["set_by_park"], false);
        assert_eq!(s["weights"]["tax_per_mu"], 30.0);
    }
);

on_both_backends!(who_is_in_scope, |app: common::TestDb| async move {
    let svc = app.service().await;
    let park = create_park(&svc, "NCGY").await;
    let e = rated_park(&svc, park).await;
    let ids = |ev: &Value, key: &str| -> Vec<i64> {
        let mut v: Vec<i64> = ev[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["enterprise_id"].as_i64().unwrap())
            .collect();
        v.sort_unstable();
        v
    };
    // At least 70 亩 and no exception for above-scale enterprises: the 65 亩 parcels are all out.
    let ev = rate(&svc, park, &scheme(thresholds(), 70.0, false)).await;
    assert_eq!(ids(&ev, "rated"), Vec::<i64>::new(), "{ev}");
    assert!(
        ev["not_rated"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("至少 70 亩")
            && ev["not_rated"][0]["reason_en"]
                .as_str()
                .unwrap()
                .contains("at least 70 亩"),
        "{ev}"
    );
    // Above-scale enterprises are rated whatever their land; the small ones are not.
    let ev = rate(&svc, park, &scheme(thresholds(), 70.0, true)).await;
    assert_eq!(ids(&ev, "rated"), vec![e[0], e[1], e[2], e[3]]);
    // With the 3 亩 floor, the small 2.6 亩 workshop stays out and the 65 亩 small one is in.
    let ev = rate(&svc, park, &scheme(thresholds(), 3.0, false)).await;
    assert_eq!(ids(&ev, "rated"), vec![e[0], e[1], e[2], e[3], e[4]]);
    assert!(!ids(&ev, "rated").contains(&e[5]));
});

const HEADER: &str = "统一社会信用代码,企业名称,营业收入(万元),实缴税金(万元),工业增加值(万元),综合能耗(吨标煤),排放当量(吨),研发经费(万元),年平均职工人数(人)";

async fn import(
    svc: &Client,
    park: i64,
    query: &str,
    content_type: &str,
    body: Vec<u8>,
) -> common::Resp {
    let req = actix_web::test::TestRequest::post()
        .uri(&format!("/api/parks/{park}/performance/import?{query}"))
        .insert_header(("content-type", content_type))
        .set_payload(body);
    send(svc, req).await
}

async fn figures_count(svc: &Client, park: i64) -> usize {
    get(svc, &format!("/api/parks/{park}/performance?year=2025"))
        .await
        .expect(200)
        .json()
        .as_array()
        .unwrap()
        .len()
}

on_both_backends!(
    figures_from_a_spreadsheet_all_or_nothing,
    |app: common::TestDb| async move {
        let svc = app.service().await;
        let park = create_park(&svc, "NCGY").await;
        let a = enterprise(&svc, "甲电子有限公司", 201, true).await;
        let b = enterprise(&svc, "乙机械有限公司", 202, true).await;
        let (ua, ub) = (uscc(201), uscc(202));
        let good = format!(
            "{HEADER}\n{ua},甲电子有限公司,\"12,000\",650.5,3000,1500,30,420,260\n{ub},乙机械有限公司,8000,320,2100,900,12,150,180\n"
        );

        // A dry run checks and writes nothing.
        let r = import(
            &svc,
            park,
            "year=2025&dry_run=true",
            "text/csv",
            good.clone().into_bytes(),
        )
        .await
        .expect(200)
        .json();
        assert_eq!(r["rows"], 2);
        assert_eq!(r["recorded"], 0);
        assert_eq!(figures_count(&svc, park).await, 0);

        // A misspelt header: the column is named, with a suggestion; nothing written.
        let misspelt = good.replace("营业收入(万元)", "营业收人(万元)");
        let p = import(&svc, park, "year=2025", "text/csv", misspelt.into_bytes())
            .await
            .problem(422);
        let fields = problem_fields(&p);
        assert!(fields.contains(&"column 3".to_owned()), "{p}");
        assert!(
            p.to_string().contains("did you mean `营业收入(万元)`"),
            "{p}"
        );
        // A missing column.
        let missing = good
            .replace(",排放当量(吨)", "")
            .replace(",30,420", ",420")
            .replace(",12,150", ",150");
        let p = import(&svc, park, "year=2025", "text/csv", missing.into_bytes())
            .await
            .problem(422);
        assert!(
            p.to_string()
                .contains("the sheet has no column `排放当量(吨)`"),
            "{p}"
        );
        // A bad row: negative energy on row 3, named with its column.
        let bad = good.replace(",900,12,", ",-900,12,");
        let p = import(&svc, park, "year=2025", "text/csv", bad.into_bytes())
            .await
            .problem(422);
        assert_eq!(p["rejected"].as_array().unwrap().len(), 1, "{p}");
        assert_eq!(p["rejected"][0]["feature"], 3);
        let reason = p["rejected"][0]["reasons"][0].as_str().unwrap();
        assert!(
            reason.starts_with("row 3, column 综合能耗(吨标煤)"),
            "{reason}"
        );
        // An unregistered credit code.
        let stranger = good.replace(&ub, &uscc(299));
        let p = import(&svc, park, "year=2025", "text/csv", stranger.into_bytes())
            .await
            .problem(422);
        assert!(
            p["rejected"][0]["reasons"][0]
                .as_str()
                .unwrap()
                .contains("no enterprise with the credit code"),
            "{p}"
        );
        // A year to come, and no year at all.
        import(
            &svc,
            park,
            "year=2027",
            "text/csv",
            good.clone().into_bytes(),
        )
        .await
        .problem(400);
        import(&svc, park, "", "text/csv", good.clone().into_bytes())
            .await
            .problem(400);
        assert_eq!(figures_count(&svc, park).await, 0, "nothing was written");

        // GBK, as Excel saves a CSV in China.
        let (gbk, _, _) = encoding_rs::GBK.encode(&good);
        let r = import(&svc, park, "year=2025", "text/csv", gbk.into_owned())
            .await
            .expect(200)
            .json();
        assert_eq!(r["recorded"], 2);
        let list = get(&svc, &format!("/api/parks/{park}/performance?year=2025"))
            .await
            .expect(200)
            .json();
        let fa = list
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["enterprise_id"] == a)
            .unwrap();
        assert_eq!(fa["revenue_wan_yuan"], 12_000.0);
        assert_eq!(fa["tax_wan_yuan"], 650.5);
        assert_eq!(fa["staff"], 260);
        assert_eq!(fa["enterprise_name"], "甲电子有限公司");

        // The same sheet as .xlsx replaces the figures (b's tax changes).
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (c, h) in HEADER.split(',').enumerate() {
            sheet.write_string(0, c as u16, h).unwrap();
        }
        let rows: [(&str, [f64; 7]); 2] = [
            (&ua, [12_000.0, 650.5, 3000.0, 1500.0, 30.0, 420.0, 260.0]),
            (&ub, [8000.0, 333.0, 2100.0, 900.0, 12.0, 150.0, 180.0]),
        ];
        for (r, (code, values)) in rows.iter().enumerate() {
            let r = r as u32 + 1;
            sheet.write_string(r, 0, *code).unwrap();
            sheet.write_string(r, 1, "企业").unwrap();
            for (c, v) in values.iter().enumerate() {
                sheet.write_number(r, c as u16 + 2, *v).unwrap();
            }
        }
        let bytes = book.save_to_buffer().unwrap();
        import(
            &svc,
            park,
            "year=2025",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            bytes,
        )
        .await
        .expect(200);
        let list = get(&svc, &format!("/api/parks/{park}/performance?year=2025"))
            .await
            .expect(200)
            .json();
        assert_eq!(list.as_array().unwrap().len(), 2);
        let fb = list
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["enterprise_id"] == b)
            .unwrap();
        assert_eq!(fb["tax_wan_yuan"], 333.0);
    }
);

on_both_backends!(
    bad_figures_and_schemes_write_nothing,
    |app: common::TestDb| async move {
        let svc = app.service().await;
        let park = create_park(&svc, "NCGY").await;
        let e = enterprise(&svc, "甲电子有限公司", 201, true).await;
        let mut f = figures(e, 60.0, 20.0, 100.0);
        f["tax_wan_yuan"] = json!(-5.0);
        f["energy_tce"] = json!(-1.0);
        let p = post(&svc, &format!("/api/parks/{park}/performance"), &f)
            .await
            .problem(422);
        let fields = problem_fields(&p);
        assert!(
            fields.contains(&"tax_wan_yuan".to_owned())
                && fields.contains(&"energy_tce".to_owned()),
            "{p}"
        );
        let mut f = figures(e, 60.0, 20.0, 100.0);
        f["year"] = json!(2027);
        let p = post(&svc, &format!("/api/parks/{park}/performance"), &f)
            .await
            .problem(422);
        assert_eq!(problem_fields(&p), ["year"], "{p}");
        let mut f = figures(e, 60.0, 20.0, 100.0);
        f["profit"] = json!(1.0);
        post(&svc, &format!("/api/parks/{park}/performance"), &f)
            .await
            .problem(400);
        let mut f = figures(e, 60.0, 20.0, 100.0);
        f["enterprise_id"] = json!(9_999);
        post(&svc, &format!("/api/parks/{park}/performance"), &f)
            .await
            .problem(422);
        assert_eq!(
            get(&svc, &format!("/api/parks/{park}/performance?year=2025"))
                .await
                .expect(200)
                .json(),
            json!([])
        );

        // Weights that do not sum to 100.
        let mut s = scheme(thresholds(), 3.0, true);
        s["scheme"]["weights"]["tax_per_mu"] = json!(50.0);
        let p = post(&svc, &format!("/api/parks/{park}/evaluation-scheme"), &s)
            .await
            .problem(422);
        assert!(
            problem_fields(&p).contains(&"scheme.weights".to_owned()),
            "{p}"
        );
        assert!(p.to_string().contains("sum to 90"), "{p}");
        // A weighted indicator without a benchmark, thresholds that do not fall, a future year.
        let mut s = scheme(
            json!({"by": "thresholds", "a": 60.0, "b": 80.0, "c": 50.0}),
            3.0,
            true,
        );
        s["scheme"]["benchmarks"] = json!({"tax_per_mu": 20.0});
        s["year"] = json!(2027);
        let p = post(&svc, &format!("/api/parks/{park}/evaluation-scheme"), &s)
            .await
            .problem(422);
        let fields = problem_fields(&p);
        for f in ["scheme.benchmarks", "scheme.classes", "year"] {
            assert!(fields.contains(&f.to_owned()), "{f}: {p}");
        }
        let s = get(
            &svc,
            &format!("/api/parks/{park}/evaluation-scheme?year=2025"),
        )
        .await
        .expect(200)
        .json();
        assert_eq!(s["set_by_park"], false, "nothing was written");
        get(&svc, &format!("/api/parks/{park}/evaluation?year=2027"))
            .await
            .problem(400);
    }
);

/// A park with one candidate of each kind (see the test below); returns
/// (park, [idle parcel, D-class parcel, east-zone parcel, available close plot, workshop parcel], idle unit, D-tenant unit).
async fn renewal_park(svc: &Client) -> (i64, Vec<i64>, i64, i64) {
    let park = create_park(svc, "NCGY").await;
    post(
        svc,
        &format!("/api/parks/{park}/zones"),
        &common::fixtures::east_zone(),
    )
    .await
    .expect(201);
    let idle_holder = enterprise(svc, "闲置地块有限公司", 301, true).await;
    let d_holder = enterprise(svc, "低效铸造有限公司", 302, true).await;
    let east_holder = enterprise(svc, "东区电子有限公司", 303, true).await;
    let tenant = enterprise(svc, "低效租户有限公司", 304, true).await;
    // Idle since 2024-03-02 and recoverable: the fixture's contract, never started.
    let mut idle_terms = supply_terms(idle_holder);
    idle_terms["contract_no"] = json!("南城出让〔2022〕1号");
    let (idle, _) = supplied(svc, park, "R-1", (116.625, 27.56, 0.002), &idle_terms).await;
    let (d_parcel, d_mu) = producing(svc, park, "R-2", (116.635, 27.56, 0.002), d_holder, 2).await;
    // 200 万元/亩 agreed, below the east zone's 250.
    let (east, _) = producing(svc, park, "R-3", (116.645, 27.56, 0.002), east_holder, 3).await;
    let close = common::fixtures::create_parcel(svc, park, &parcel("A-1", 116.625, 27.57, 0.0019))
        .await["id"]
        .as_i64()
        .unwrap();
    common::fixtures::create_parcel(svc, park, &parcel("A-2", 116.63, 27.57, 0.001)).await;
    let w_parcel = common::fixtures::create_parcel(svc, park, &parcel("W-1", 116.63, 27.56, 0.002))
        .await["id"]
        .as_i64()
        .unwrap();
    let (workshop, _leased, _) =
        common::fixtures::create_leased_workshop(svc, w_parcel, idle_holder).await;
    let unit = |floor: i64| json!({"floor": floor, "section": "A区", "area_m2": 2000.0});
    let idle_unit = post(svc, &format!("/api/workshops/{workshop}/units"), &unit(2))
        .await
        .expect(201)
        .json()["id"]
        .as_i64()
        .unwrap();
    let d_unit = post(svc, &format!("/api/workshops/{workshop}/units"), &unit(3))
        .await
        .expect(201)
        .json()["id"]
        .as_i64()
        .unwrap();
    post(svc, &format!("/api/units/{d_unit}/leases"), &json!({"enterprise_id": tenant, "start_date": "2025-10-01", "end_date": "2027-09-30", "rent_yuan_per_m2_month": 12.0})).await.expect(201);
    // 2025: the D-class holder and the tenant score far below the others.
    post(
        svc,
        &format!("/api/parks/{park}/evaluation-scheme"),
        &scheme(thresholds(), 3.0, true),
    )
    .await
    .expect(200);
    post(
        svc,
        &format!("/api/parks/{park}/performance"),
        &figures(d_holder, d_mu, 4.0, 20.0),
    )
    .await
    .expect(200);
    post(
        svc,
        &format!("/api/parks/{park}/performance"),
        &figures(tenant, 11.0, 2.0, 10.0),
    )
    .await
    .expect(200);
    post(
        svc,
        &format!("/api/parks/{park}/performance"),
        &figures(east_holder, 65.0, 20.0, 100.0),
    )
    .await
    .expect(200);
    (
        park,
        vec![idle, d_parcel, east, close, w_parcel],
        idle_unit,
        d_unit,
    )
}

on_both_backends!(
    candidates_ranked_and_sites_matched,
    |app: common::TestDb| async move {
        let svc = app.service().await;
        let (park, p, idle_unit, d_unit) = renewal_park(&svc).await;
        let ev = get(&svc, &format!("/api/parks/{park}/evaluation?year=2025"))
            .await
            .expect(200)
            .json();
        assert_eq!(ev["classes"]["D"], 2, "the holder and the tenant: {ev}");

        let r = get(&svc, &format!("/api/parks/{park}/renewal-candidates"))
            .await
            .expect(200)
            .json();
        assert_eq!(r["year"], 2025, "the year before as_of by default");
        let order: Vec<(String, i64)> = r["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["id"].as_str().unwrap().to_owned(),
                    c["weight"].as_i64().unwrap(),
                )
            })
            .collect();
        // Idle and recoverable (5) + 供而未用 (2) = 7; then D class (3), the parcel before the
        // smaller unit; then low intensity (2); then the idle unit (1).
        let want = vec![
            (format!("parcel-{}", p[0]), 7),
            (format!("parcel-{}", p[1]), 3),
            (format!("unit-{d_unit}"), 3),
            (format!("parcel-{}", p[2]), 2),
            (format!("unit-{idle_unit}"), 1),
        ];
        assert_eq!(order, want, "{r}");
        let kinds = |i: usize| -> Vec<String> {
            r["items"][i]["reasons"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x["kind"].as_str().unwrap().to_owned())
                .collect()
        };
        assert_eq!(kinds(0), ["idle_land", "underused"]);
        assert_eq!(r["items"][0]["reasons"][0]["consequence"], "recovery");
        assert_eq!(kinds(3), ["low_intensity"]);
        assert_eq!(r["items"][3]["reasons"][0]["threshold_wan_per_mu"], 250.0);
        assert_eq!(r["items"][3]["reasons"][0]["basis"], "agreed");
        assert_eq!(r["items"][2]["enterprise_name"], "低效租户有限公司");
        assert!(
            r["items"][4]["reasons"][0]["description"]
                .as_str()
                .unwrap()
                .starts_with("厂房闲置")
        );
        // Totals are the sums of the items.
        let sum = |kind: &str| -> f64 {
            r["items"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|c| c["kind"] == kind)
                .map(|c| c["area_m2"].as_f64().unwrap())
                .sum()
        };
        assert_eq!(r["land"]["count"], 3);
        assert!(
            (r["land"]["area_m2"].as_f64().unwrap() - sum("parcel")).abs() < 0.02,
            "{r}"
        );
        assert_eq!(r["units"]["count"], 2);
        assert_eq!(r["units"]["area_m2"], 4000.0);
        // Without the 2025 evaluation (2024 has no figures), the D-class reasons go.
        let r24 = get(
            &svc,
            &format!("/api/parks/{park}/renewal-candidates?year=2024"),
        )
        .await
        .expect(200)
        .json();
        assert_eq!(r24["items"].as_array().unwrap().len(), 3, "{r24}");

        // A 60 亩 electronics project with 1 亿元 of fixed assets (≈ 152 万元/亩 on 65.7 亩).
        let project = json!({"industry": "C3976", "land_area_mu": 60.0, "fixed_asset_investment_wan_yuan": 10_000.0});
        let m = post(&svc, &format!("/api/parks/{park}/site-matching"), &project)
            .await
            .expect(200)
            .json();
        let sites: Vec<(i64, bool, bool)> = m["sites"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                (
                    s["parcel_id"].as_i64().unwrap(),
                    s["available"].as_bool().unwrap(),
                    s["entry_check"]["qualifies"].as_bool().unwrap(),
                )
            })
            .collect();
        // Available first, closest in area first (59.3 亩, then 65.7); then the to-be-freed sites by
        // their rank; the east-zone site fails its 250 万元/亩 threshold and comes last. The 16 亩
        // plot does not fit.
        assert_eq!(
            sites,
            vec![
                (p[3], true, true),
                (p[4], true, true),
                (p[0], false, true),
                (p[1], false, true),
                (p[2], false, false)
            ],
            "{m}"
        );
        assert_eq!(m["sites"][0]["rank"], 1);
        assert!(m["sites"][2]["reasons"].as_array().unwrap().len() == 2);
        let bad = json!({"industry": "X99", "land_area_mu": -1.0, "fixed_asset_investment_wan_yuan": 10_000.0});
        let p422 = post(&svc, &format!("/api/parks/{park}/site-matching"), &bad)
            .await
            .problem(422);
        let fields = problem_fields(&p422);
        assert!(
            fields.contains(&"industry".to_owned()) && fields.contains(&"land_area_mu".to_owned()),
            "{p422}"
        );

        // The map layers.
        let fc = get(
            &svc,
            &format!("/collections/renewal-candidates/items?park_id={park}&kind=unit"),
        )
        .await
        .expect(200)
        .json();
        assert_eq!(fc["numberMatched"], 2);
        assert_eq!(fc["features"][0]["id"], format!("unit-{d_unit}"));
        assert_eq!(fc["features"][0]["properties"]["reason_kinds"], "d_class");
        let one = get(
            &svc,
            &format!("/collections/renewal-candidates/items/parcel-{}", p[0]),
        )
        .await
        .expect(200)
        .json();
        assert_eq!(one["properties"]["reason_kinds"], "idle_land,underused");
        get(
            &svc,
            &format!("/collections/renewal-candidates/items/parcel-{}", p[3]),
        )
        .await
        .problem(404);
        get(&svc, "/collections/renewal-candidates/items/nonsense")
            .await
            .problem(404);
        let mp = get(
            &svc,
            &format!("/collections/mu-performance/items?park_id={park}&year=2025"),
        )
        .await
        .expect(200)
        .json();
        assert_eq!(mp["numberMatched"], 3, "the three supplied parcels: {mp}");
        let d = get(&svc, "/collections/mu-performance/items?year=2025&class=D")
            .await
            .expect(200)
            .json();
        assert_eq!(d["numberMatched"], 1);
        assert_eq!(d["features"][0]["id"], p[1]);
        assert_eq!(d["features"][0]["properties"]["class"], "D");
        assert_eq!(d["features"][0]["properties"]["tax_per_mu_wan"], 4.0);
        let idle = get(
            &svc,
            &format!("/collections/mu-performance/items/{}?year=2025", p[0]),
        )
        .await
        .expect(200)
        .json();
        assert_eq!(idle["properties"]["class"], Value::Null);
        // The idle holder never built: not yet producing, so 未参评 with the reason.
        assert!(
            idle["properties"]["not_rated_reason"]
                .as_str()
                .unwrap()
                .contains("未参评：尚未投产")
                && idle["properties"]["not_rated_reason_en"]
                    .as_str()
                    .unwrap()
                    .contains("未参评: not yet producing"),
            "{idle}"
        );
        get(&svc, "/collections/mu-performance/items?class=E")
            .await
            .problem(400);
    }
);

on_both_backends!(
    the_dispatch_report_agrees_with_its_parts,
    |app: common::TestDb| async move {
        let svc = app.service().await;
        let (park, _, _, _) = renewal_park(&svc).await;
        common::fixtures::create_project(&svc, park).await;
        // The default month is the one just ended: October 2026.
        let r = get(&svc, &format!("/api/parks/{park}/reports/dispatch"))
            .await
            .expect(200)
            .json();
        assert_eq!(r["month"], "2026-10");
        assert_eq!(r["as_of"], "2026-10-31");
        let r = get(
            &svc,
            &format!("/api/parks/{park}/reports/dispatch?month=2026-11"),
        )
        .await
        .expect(200)
        .json();
        assert_eq!(r["as_of"], "2026-11-22", "the current month runs to today");
        let day = "2026-11-22";
        let part = |path: String| {
            let svc = &svc;
            async move { get(svc, &path).await.expect(200).json() }
        };
        assert_eq!(
            r["pipeline"],
            part(format!(
                "/api/parks/{park}/reports/pipeline?from=2026-01-01&to={day}"
            ))
            .await
        );
        assert_eq!(
            r["deadlines"],
            part(format!(
                "/api/workshop-deadlines?park_id={park}&as_of={day}"
            ))
            .await
        );
        assert_eq!(
            r["land"]["idle_land"],
            part(format!("/api/idle-land?park_id={park}&as_of={day}")).await["totals"]
        );
        assert_eq!(
            r["land"]["underused"],
            part(format!("/api/underused-land?park_id={park}&as_of={day}")).await["totals"]
        );
        let occupancy = part(format!("/api/occupancy?park_id={park}&as_of={day}")).await;
        assert_eq!(r["estate"]["occupancy"], occupancy["all"]);
        assert_eq!(r["estate"]["by_building"], occupancy["by_building"]);
        let idle_units = part(format!("/api/idle-units?park_id={park}&as_of={day}")).await;
        assert_eq!(r["estate"]["idle_units"], idle_units["all"]);
        assert_eq!(r["estate"]["idle_unit_items"], idle_units["items"]);
        let ev = part(format!("/api/parks/{park}/evaluation?year=2025")).await;
        assert_eq!(r["performance"]["classes"], ev["classes"]);
        assert_eq!(
            r["performance"]["rated"].as_array().unwrap().len(),
            ev["rated"].as_array().unwrap().len()
        );
        // Totals are the sums of their parts.
        let count = |groups: &Value| -> i64 {
            groups
                .as_array()
                .unwrap()
                .iter()
                .map(|g| g["count"].as_i64().unwrap())
                .sum()
        };
        let idle = &r["land"]["idle_land"];
        assert_eq!(
            idle["all"]["count"].as_i64().unwrap(),
            count(&idle["by_status"])
        );
        assert_eq!(idle["all"]["count"], 1, "{idle}");
        let underused = &r["land"]["underused"];
        assert_eq!(
            underused["all"]["count"].as_i64().unwrap(),
            count(&underused["by_class"])
        );
        let unit_area: f64 = r["estate"]["by_building"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["unit_area_m2"].as_f64().unwrap())
            .sum();
        assert_eq!(
            r["estate"]["occupancy"]["unit_area_m2"].as_f64().unwrap(),
            unit_area
        );
        assert_eq!(r["estate"]["occupancy"]["unit_area_m2"], 6000.0);
        assert_eq!(r["estate"]["occupancy"]["leased_area_m2"], 4000.0);
        let classes: i64 = r["performance"]["classes"]
            .as_object()
            .unwrap()
            .values()
            .map(|v| v.as_i64().unwrap())
            .sum();
        assert_eq!(
            classes as usize,
            r["performance"]["rated"].as_array().unwrap().len()
        );

        // CSV: the summary by default, UTF-8 with a BOM, the same figures.
        let csv = get(
            &svc,
            &format!("/api/parks/{park}/reports/dispatch?month=2026-11&format=csv"),
        )
        .await
        .expect(200);
        assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
        let text = csv.text();
        assert!(text.starts_with('\u{feff}'));
        assert!(text.contains("标准厂房,出租率,66.67,%"), "{text}");
        assert!(text.contains("厂房建设,逾期,"), "{text}");
        let csv = get(
            &svc,
            &format!(
                "/api/parks/{park}/reports/dispatch?month=2026-11&format=csv&table=idle_units"
            ),
        )
        .await
        .expect(200)
        .text();
        assert_eq!(
            csv.lines().count(),
            2,
            "a header and the one idle unit: {csv}"
        );
        // .xlsx: one sheet per section, read back.
        let x = get(
            &svc,
            &format!("/api/parks/{park}/reports/dispatch?month=2026-11&format=xlsx"),
        )
        .await
        .expect(200);
        use calamine::Reader;
        let mut book: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(x.body.to_vec())).unwrap();
        assert_eq!(
            book.sheet_names(),
            [
                "月调度汇总",
                "调度汇总",
                "项目分布",
                "投资规模",
                "白卷单位",
                "飞地项目",
                "厂房建设节点",
                "闲置及五未土地",
                "厂房出租",
                "闲置厂房",
                "亩均评价"
            ]
        );
        let classes = book.worksheet_range("亩均评价").unwrap();
        assert_eq!(
            classes.height(),
            1 + r["performance"]["rated"].as_array().unwrap().len()
        );

        // Bad months.
        get(
            &svc,
            &format!("/api/parks/{park}/reports/dispatch?month=2026-12"),
        )
        .await
        .problem(400);
        get(
            &svc,
            &format!("/api/parks/{park}/reports/dispatch?month=2026-13"),
        )
        .await
        .problem(400);
        get(
            &svc,
            &format!("/api/parks/{park}/reports/dispatch?format=pdf"),
        )
        .await
        .problem(400);
        get(
            &svc,
            &format!("/api/parks/{park}/reports/dispatch?format=csv&table=nope"),
        )
        .await
        .problem(400);
    }
);

on_both_backends!(
    fair_scores_a_missing_and_a_zero_emission_figure_the_cap_and_the_firm_not_yet_producing_a_year,
    |app: common::TestDb| async move {
        let svc = app.service().await;
        let park = create_park(&svc, "NCGY").await;
        // The default scheme: 单位排放增加值 weighs 10 against a benchmark of 50 万元/吨; every
        // term is capped at its weight.
        let names = ["甲排放企业", "乙未报排放企业", "丙零排放企业"];
        let mut ids = Vec::new();
        for (i, name) in names.iter().enumerate() {
            let n = 401 + i as u32;
            let e = enterprise(&svc, name, n, true).await;
            let xy = (116.621 + 0.0025 * i as f64, 27.551, 0.002);
            let (_, mu) = producing(&svc, park, &format!("F-{}", i + 1), xy, e, n).await;
            // 亩均税收 100 万元/亩 against a benchmark of 26.01: far above, capped at 30.
            let mut f = figures(e, mu, 100.0, 80.0);
            match i {
                1 => {
                    f.as_object_mut().unwrap().remove("emissions_t");
                }
                2 => f["emissions_t"] = json!(0.0),
                _ => {}
            }
            post(&svc, &format!("/api/parks/{park}/performance"), &f)
                .await
                .expect(200);
            ids.push(e);
        }
        // 丁 started producing only in March 2025: its figures do not cover the year.
        let ding = enterprise(&svc, "丁新投产企业", 404, true).await;
        let mut terms = supply_terms(ding);
        terms["contract_no"] = json!("南城出让〔2023〕4号");
        terms["contract_date"] = json!("2023-01-10");
        terms["agreed_start"] = json!("2023-06-01");
        terms["agreed_completion"] = json!("2024-12-31");
        terms["agreed_production"] = json!("2025-03-31");
        let (parcel, mu) = supplied(&svc, park, "F-4", (116.631, 27.551, 0.002), &terms).await;
        let supply = get(&svc, &format!("/api/parcels/{parcel}/supplies"))
            .await
            .expect(200)
            .json()[0]["id"]
            .as_i64()
            .unwrap();
        for fact in [
            json!({"kind": "construction_permit", "date": "2023-05-01", "permit_no": "361021202305010104"}),
            json!({"kind": "start", "date": "2023-06-01", "evidence": "piles_driven"}),
            json!({"kind": "completion", "date": "2024-12-01"}),
            json!({"kind": "production", "date": "2025-03-01"}),
        ] {
            post(&svc, &format!("/api/supplies/{supply}/facts"), &fact)
                .await
                .expect(201);
        }
        post(
            &svc,
            &format!("/api/parks/{park}/performance"),
            &figures(ding, mu, 100.0, 80.0),
        )
        .await
        .expect(200);
        let e = get(&svc, &format!("/api/parks/{park}/evaluation?year=2025"))
            .await
            .expect(200)
            .json();
        let term = |id: i64, indicator: &str| -> Value {
            let rated = e["rated"].as_array().unwrap();
            let r = rated
                .iter()
                .find(|r| r["enterprise_id"] == id)
                .unwrap_or_else(|| panic!("{id} is rated: {e}"));
            r["terms"]
                .as_array()
                .unwrap()
                .iter()
                .find(|t| t["indicator"] == indicator)
                .unwrap()
                .clone()
        };
        let reported = term(ids[0], "value_added_per_emission");
        let missing = term(ids[1], "value_added_per_emission");
        let zero = term(ids[2], "value_added_per_emission");
        assert!(reported["points"].as_f64().unwrap() > 0.0, "{reported}");
        assert_eq!(
            missing["imputed"], reported["value"],
            "the average of those rated who reported it (甲 alone; 丙's zero is no figure to average): {missing}"
        );
        assert_eq!(missing["value"], Value::Null);
        assert_eq!(missing["points"], reported["points"]);
        assert_eq!(
            zero["points"], 10.0,
            "zero emissions: the full weight, {zero}"
        );
        assert_eq!(
            term(ids[0], "tax_per_mu")["points"],
            30.0,
            "capped at the weight"
        );
        let not_rated = e["not_rated"].as_array().unwrap();
        assert_eq!(not_rated.len(), 1, "{e}");
        assert_eq!(not_rated[0]["enterprise_id"], ding);
        assert_eq!(
            not_rated[0]["reason_en"],
            "未参评: in production only since 2025-03-01, less than the full year 2025"
        );
        assert_eq!(
            not_rated[0]["reason"],
            "未参评：2025-03-01 才投产，2025 年不满一整年"
        );
    }
);
