//! Strict input everywhere: bodies are objects with known fields; a merge patch cannot remove
//! a required field by sending null; one rule for every `limit` and `offset`; an unknown
//! infrastructure key or an implausible site area is named; `bearer` is the same scheme as
//! `Bearer`; and no CSV or workbook the service writes can run a formula.

use crate::common;
use crate::common::fixtures::{create_parcel, create_park, parcel};
use crate::common::{get, patch, post, problem_fields, send};
use actix_web::test::TestRequest;
use serde_json::json;

on_both_backends!(
    bodies_are_objects_with_known_fields,
    |app: common::TestDb| async move {
        let admin = app.service().await;
        let user = post(
            &admin,
            "/api/users",
            &json!({"name": "gis.desk", "role": "bureau", "jurisdiction": "361021"}),
        )
        .await
        .expect(201)
        .json();
        let tokens = format!("/api/users/{}/tokens", user["id"]);
        let p = post(&admin, &tokens, &json!(["x", null]))
            .await
            .problem(400);
        assert!(p["detail"].as_str().unwrap().contains("sequence"), "{p}");
        let listed = get(&admin, &tokens).await.expect(200).json();
        assert_eq!(
            listed.as_array().map_or(0, Vec::len),
            0,
            "no token was made"
        );
        // Nested objects too: settings given as an array is refused.
        let park = create_park(&admin, "NCGY").await;
        let p = patch(
            &admin,
            &format!("/api/parks/{park}"),
            "*",
            &json!({"properties": {"settings": [100]}}),
        )
        .await
        .problem(400);
        assert_eq!(problem_fields(&p), ["properties.settings"]);
    }
);

on_both_backends!(
    a_merge_patch_cannot_remove_a_required_field,
    |app: common::TestDb| async move {
        let admin = app.service().await;
        let park = create_park(&admin, "NCGY").await;
        let created = create_parcel(
            &admin,
            park,
            &parcel("361021001001GB00001", 116.63, 27.56, 0.002),
        )
        .await;
        let uri = format!("/api/parcels/{}", created["id"]);
        for (body, field) in [
            (json!({"properties": {"code": null}}), "properties.code"),
            (
                json!({"properties": {"land_use": null}}),
                "properties.land_use",
            ),
            (json!({"geometry": null}), "geometry"),
            (json!({"properties": null}), "properties"),
        ] {
            let p = patch(&admin, &uri, "*", &body).await.problem(422);
            assert_eq!(problem_fields(&p), [field], "{p}");
            assert!(
                p["detail"].as_str().unwrap().contains("cannot be removed"),
                "{p}"
            );
        }
        let p = patch(
            &admin,
            &format!("/api/parks/{park}"),
            "*",
            &json!({"properties": {"name": null}}),
        )
        .await
        .problem(422);
        assert_eq!(problem_fields(&p), ["properties.name"]);
        let after = get(&admin, &uri).await.expect(200).json();
        assert_eq!(
            after["properties"]["version"],
            created["properties"]["version"]
        );
        // A nullable field is still cleared by null.
        patch(&admin, &uri, "*", &json!({"properties": {"name": null}}))
            .await
            .expect(200);
    }
);

on_both_backends!(
    every_list_reads_limit_and_offset_by_one_rule,
    |app: common::TestDb| async move {
        let admin = app.service().await;
        create_park(&admin, "NCGY").await;
        for list in [
            "/api/enterprises",
            "/api/audit",
            "/collections/parcels/items",
            "/collections/available-plots/items",
        ] {
            for bad in ["limit=-1", "limit=0", "limit=x", "offset=-1", "offset=1.5"] {
                let p = get(&admin, &format!("{list}?{bad}")).await.problem(400);
                assert_eq!(
                    p["type"], "tag:parkland,2026:problem:invalid-parameter",
                    "{list}?{bad}"
                );
            }
            get(&admin, &format!("{list}?limit=1000000"))
                .await
                .expect(200);
        }
    }
);

on_both_backends!(
    unknown_infrastructure_and_implausible_sites_are_named,
    |app: common::TestDb| async move {
        let admin = app.service().await;
        let park = create_park(&admin, "NCGY").await;
        let anonymous = app.anonymous().await;
        let p = get(
            &anonymous,
            "/collections/available-plots/items?infrastructure=power,teleport",
        )
        .await
        .problem(400);
        let detail = p["detail"].as_str().unwrap();
        assert!(
            detail.contains("`teleport`") && detail.contains("water_supply"),
            "{p}"
        );
        get(
            &anonymous,
            "/collections/available-plots/items?infrastructure=power",
        )
        .await
        .expect(200);
        let check = |mu: f64| {
            json!({"park_id": park, "land_area_mu": mu, "industry": "C3976",
                   "fixed_asset_investment_wan_yuan": 1000.0})
        };
        for mu in [5e-324, 0.0, 0.001, 200_000.0] {
            let p = post(&anonymous, "/api/entry-check", &check(mu))
                .await
                .problem(422);
            assert_eq!(problem_fields(&p), ["land_area_mu"], "{mu}: {p}");
        }
        post(&anonymous, "/api/entry-check", &check(0.01))
            .await
            .expect(200);
    }
);

on_both_backends!(
    the_bearer_scheme_is_read_in_any_case,
    |app: common::TestDb| async move {
        let anonymous = app.anonymous().await;
        let token = app.admin_token();
        for scheme in ["Bearer", "bearer", "BEARER", "bEaReR"] {
            let req = TestRequest::get()
                .uri("/api/me")
                .insert_header(("authorization", format!("{scheme} {token}")));
            let me = send(&anonymous, req).await.expect(200).json();
            assert_eq!(me["role"], "admin", "{scheme}");
        }
        let req = TestRequest::get()
            .uri("/api/me")
            .insert_header(("authorization", format!("Basic {token}")));
        send(&anonymous, req).await.problem(401);
    }
);

on_both_backends!(
    no_csv_or_workbook_the_service_writes_runs_a_formula,
    |app: common::TestDb| async move {
        let admin = app.service().await;
        let park = create_park(&admin, "NCGY").await;
        let mut hostile = parcel("361021001001GB00001", 116.63, 27.56, 0.002);
        hostile["properties"]["name"] = json!("=cmd|' /C calc'!A0");
        hostile["properties"]["location"] = json!("@SUM(1+1)*cmd|' /C calc'!A0");
        create_parcel(&admin, park, &hostile).await;
        let csv = get(
            &admin,
            &format!("/api/parks/{park}/parcels/export?format=csv"),
        )
        .await
        .expect(200)
        .text();
        assert!(csv.contains("'=cmd|' /C calc'!A0"), "{csv}");
        assert!(csv.contains("'@SUM(1+1)"), "{csv}");
        assert!(!csv.contains(",=cmd"), "{csv}");

        // A report's text cells: an investment unit named like a formula.
        let unit = post(
            &admin,
            "/api/investment-units",
            &json!({"name": "=HYPERLINK(\"http://evil.example\",\"点我\")", "kind": "department"}),
        )
        .await
        .expect(201)
        .json()["id"]
            .as_i64()
            .unwrap();
        post(
            &admin,
            &format!("/api/parks/{park}/projects"),
            &common::fixtures::project_body(unit),
        )
        .await
        .expect(201);
        let uri = format!("/api/parks/{park}/reports/pipeline?from=2026-01-01&to=2026-11-22");
        let units_csv = get(&admin, &format!("{uri}&format=csv&table=units"))
            .await
            .expect(200)
            .text();
        assert!(units_csv.contains("'=HYPERLINK"), "{units_csv}");
        let book = get(&admin, &format!("{uri}&format=xlsx"))
            .await
            .expect(200)
            .body;
        // The cell holding the name carries a style with Excel's quote prefix.
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(book.to_vec())).unwrap();
        let mut part = |name: &str| {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut archive.by_name(name).unwrap(), &mut text).unwrap();
            text
        };
        let (strings, styles) = (part("xl/sharedStrings.xml"), part("xl/styles.xml"));
        let sheets: Vec<String> = (1..=3)
            .map(|i| part(&format!("xl/worksheets/sheet{i}.xml")))
            .collect();
        let index = strings
            .split("<si>")
            .skip(1)
            .position(|si| si.contains("=HYPERLINK"))
            .expect("the name is a shared string");
        let style: usize = sheets
            .iter()
            .flat_map(|s| s.split("<c ").skip(1))
            .find(|c| c.contains(&format!("<v>{index}</v>")) && c.contains("t=\"s\""))
            .and_then(|c| c.split("s=\"").nth(1))
            .and_then(|s| s.split('"').next())
            .and_then(|s| s.parse().ok())
            .expect("the cell has a style");
        let xfs = styles.split("<cellXfs").nth(1).expect("cell styles");
        let xf = xfs.split("<xf ").nth(style + 1).expect("the cell's style");
        assert!(xf.contains("quotePrefix=\"1\""), "style {style}: {xf}");
    }
);

on_both_backends!(
    a_merge_takes_a_bounded_number_of_parcels,
    |app: common::TestDb| async move {
        let admin = app.service().await;
        let park = create_park(&admin, "NCGY").await;
        let ids: Vec<i64> = (1..=101).collect();
        let p = post(
            &admin,
            &format!("/api/parks/{park}/parcels/merge"),
            &json!({"parcel_ids": ids, "code": "M"}),
        )
        .await
        .problem(422);
        assert!(p["detail"].as_str().unwrap().contains("at most 100"), "{p}");
    }
);

on_both_backends!(
    optional_fields_are_cleared_with_null,
    |app: common::TestDb| async move {
        let admin = app.service().await;
        let park = create_park(&admin, "NCGY").await;
        let plot = create_parcel(&admin, park, &parcel("A-1", 116.63, 27.56, 0.002)).await;
        let tenant = common::fixtures::create_enterprise(&admin).await;
        let (workshop, _, _) =
            common::fixtures::create_leased_workshop(&admin, plot["id"].as_i64().unwrap(), tenant)
                .await;
        let uri = format!("/api/workshops/{workshop}");
        patch(
            &admin,
            &uri,
            "*",
            &json!({"properties": {"responsible_person": "刘建华", "deadline_milestone": "handover"}}),
        )
        .await
        .expect(200);
        let w = patch(
            &admin,
            &uri,
            "*",
            &json!({"properties": {"responsible_person": null, "deadline_milestone": null}}),
        )
        .await
        .expect(200)
        .json();
        assert_eq!(w["properties"]["responsible_person"], "");
        assert_eq!(w["properties"]["deadline_milestone"], "completion");
        let p = patch(&admin, &uri, "*", &json!({"properties": {"name": null}}))
            .await
            .problem(422);
        assert_eq!(problem_fields(&p), ["properties.name"]);
    }
);
