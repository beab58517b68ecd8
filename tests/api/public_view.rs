//! The public view: anonymous visitors read park profiles, zones and the available plots —
//! and never an enterprise's name, money, tax, energy, a contract, an account name, or any
//! parcel that is not available. Every public response is checked, key by key.

use crate::common;
use crate::common::fixtures::{create_parcel, create_park, east_zone, parcel};
use crate::common::{get, patch, post};
use serde_json::{Value, json};

/// Keys that must never appear in a public response, at any depth.
const PRIVATE_KEYS: &[&str] = &[
    "created_by",
    "updated_by",
    "changed_by",
    "actor",
    "actor_id",
    "retired_reason",
    "retired_at",
    "enterprise",
    "enterprise_name",
    "holder",
    "tenant",
    "price",
    "land_price",
    "land_price_yuan",
    "tax",
    "tax_paid",
    "revenue",
    "energy",
    "energy_tce",
    "emissions",
    "contract",
    "contract_no",
    "status",
    "status_name",
    "token",
    "jurisdiction",
];

fn private_keys(v: &Value, path: &str, found: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                // `type` and GeoJSON structure are fine; look at names.
                if PRIVATE_KEYS.contains(&k.as_str()) {
                    found.push(format!("{path}.{k}"));
                }
                private_keys(child, &format!("{path}.{k}"), found);
            }
        }
        Value::Array(items) => items
            .iter()
            .enumerate()
            .for_each(|(i, c)| private_keys(c, &format!("{path}[{i}]"), found)),
        _ => {}
    }
}

on_both_backends!(
    public_responses_carry_public_facts_only,
    |app: common::TestDb| async move {
        let admin = app.service().await;
        let park = create_park(&admin, "NCGY").await;
        let zone = post(&admin, &format!("/api/parks/{park}/zones"), &east_zone())
            .await
            .expect(201)
            .json()["id"]
            .as_i64()
            .unwrap();
        let mut ids = std::collections::BTreeMap::new();
        for (i, status) in ["available", "reserve", "reserved", "supplied", "available"]
            .iter()
            .enumerate()
        {
            let mut f = parcel(&format!("P-{i}"), 116.641 + 0.003 * i as f64, 27.56, 0.002);
            f["properties"]["status"] = json!(status);
            ids.insert(
                i,
                (
                    status.to_string(),
                    create_parcel(&admin, park, &f).await["id"]
                        .as_i64()
                        .unwrap(),
                ),
            );
        }
        let retired = ids[&4].1;
        common::post_if(
            &admin,
            &format!("/api/parcels/{retired}/retire"),
            "*",
            &json!({"reason": "规划调整"}),
        )
        .await
        .expect(200);

        let anonymous = app.anonymous().await;
        let public = [
            "/".to_owned(),
            "/conformance".to_owned(),
            "/collections".to_owned(),
            "/collections/parks".to_owned(),
            "/collections/available-plots".to_owned(),
            "/collections/parks/items".to_owned(),
            format!("/collections/parks/items/{park}"),
            "/collections/zones/items".to_owned(),
            format!("/collections/zones/items/{zone}"),
            "/collections/available-plots/items".to_owned(),
            "/api/parks".to_owned(),
            format!("/api/parks/{park}"),
            format!("/api/parks/{park}/zones"),
            format!("/api/zones/{zone}"),
            format!("/api/parks/{park}/available-plots"),
        ];
        for path in &public {
            let body = get(&anonymous, path).await.expect(200).json();
            let mut found = Vec::new();
            private_keys(&body, "", &mut found);
            assert!(found.is_empty(), "{path} shows {found:?}");
        }

        // Only the available parcel, by list and by id; the others are not found.
        let plots = get(&anonymous, "/collections/available-plots/items")
            .await
            .json();
        let listed: Vec<i64> = plots["features"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["id"].as_i64().unwrap())
            .collect();
        assert_eq!(
            listed,
            [ids[&0].1],
            "only P-0 is available (P-4 was retired)"
        );
        for (status, id) in ids.values() {
            let r = get(
                &anonymous,
                &format!("/collections/available-plots/items/{id}"),
            )
            .await;
            assert_eq!(
                r.status.as_u16(),
                if status == "available" && *id != retired {
                    200
                } else {
                    404
                },
                "{status} {id}"
            );
        }
        let park_plots = get(&anonymous, &format!("/api/parks/{park}/available-plots"))
            .await
            .json();
        assert_eq!(park_plots["features"].as_array().unwrap().len(), 1);

        // What an applicant needs: size in m² and 亩, planning conditions, and the thresholds there.
        let p = &plots["features"][0]["properties"];
        assert_eq!(p["zone_name"], "东片区");
        assert_eq!(
            p["min_investment_intensity_wan_per_mu"], 250.0,
            "the east zone's own threshold"
        );
        assert_eq!(p["industries"][0]["code"], "39");
        assert!(p["area_mu"].as_f64().unwrap() > 60.0 && p["far_max"] == 2.5);
        assert_eq!(p["park_name"], "南城县工业园区");

        // The private register stays private.
        get(&anonymous, "/collections/parcels/items")
            .await
            .problem(401);
        get(
            &anonymous,
            &format!("/collections/parcels/items/{}", ids[&3].1),
        )
        .await
        .problem(401);
        get(&anonymous, &format!("/api/parcels/{}/history", ids[&0].1))
            .await
            .problem(401);
    }
);

on_both_backends!(
    only_land_a_project_may_use_is_offered_to_investors,
    |app: common::TestDb| async move {
        let admin = app.service().await;
        let park = create_park(&admin, "NCGY").await;
        // Available in the register, all four; industrial land only is a plot for a project.
        let mut ids = std::collections::BTreeMap::new();
        for (i, land_use) in ["100101", "1401", "0901", "1303"].iter().enumerate() {
            let mut f = parcel(&format!("U-{i}"), 116.641 + 0.003 * i as f64, 27.56, 0.002);
            f["properties"]["land_use"] = json!(land_use);
            if *land_use == "1401" {
                // 公园绿地: built on at most a tenth of its area.
                f["properties"]["far_min"] = json!(0.0);
                f["properties"]["far_max"] = json!(0.1);
            }
            let id = create_parcel(&admin, park, &f).await["id"]
                .as_i64()
                .unwrap();
            ids.insert(*land_use, id);
        }
        let anonymous = app.anonymous().await;
        let offered = |body: Value| -> Vec<i64> {
            body["features"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["id"].as_i64().unwrap())
                .collect()
        };
        let listed = offered(
            get(&anonymous, "/collections/available-plots/items")
                .await
                .json(),
        );
        assert_eq!(
            listed,
            [ids["100101"]],
            "green space, commercial and power land are not offered"
        );
        for (land_use, id) in &ids {
            let r = get(
                &anonymous,
                &format!("/collections/available-plots/items/{id}"),
            )
            .await;
            let want = if *land_use == "100101" { 200 } else { 404 };
            assert_eq!(r.status.as_u16(), want, "{land_use}");
        }
        let by_park = offered(
            get(&anonymous, &format!("/api/parks/{park}/available-plots"))
                .await
                .json(),
        );
        assert_eq!(by_park, [ids["100101"]]);

        // The entry check refuses the green space for a factory, naming the land use.
        let v = post(
            &anonymous,
            "/api/entry-check",
            &json!({"parcel_id": ids["1401"], "industry": "C3976", "fixed_asset_investment_wan_yuan": 100_000.0}),
        )
        .await
        .expect(200)
        .json();
        assert_eq!(v["qualifies"], false, "{v}");
        let land_use = v["criteria"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == "用地性质")
            .unwrap_or_else(|| panic!("a land-use criterion: {v}"));
        assert_eq!(land_use["pass"], false, "{v}");

        // A park that lets projects build on commercial land (a service park) offers it.
        let url = format!("/api/parks/{park}");
        let etag = get(&admin, &url).await.expect(200).etag();
        patch(
            &admin,
            &url,
            &etag,
            &json!({"properties": {"settings": {"project_land_uses": ["1001", "1101", "0901"]}}}),
        )
        .await
        .expect(200);
        let mut listed = offered(
            get(&anonymous, "/collections/available-plots/items")
                .await
                .json(),
        );
        listed.sort();
        let mut want = vec![ids["100101"], ids["0901"]];
        want.sort();
        assert_eq!(listed, want, "the park's own list decides");
    }
);
