//! The applicant's path through the HTTP API: searching the available plots anonymously,
//! applying with an applicant account, the committee's decision reserving the plot — and two
//! acceptances of one plot at the same moment, of which exactly one wins. SQLite and PostGIS.

use crate::common;
use crate::common::fixtures::{application_for, create_parcel, create_park, parcel};
use crate::common::{get, post};
use parkland::domain::access::Role;
use serde_json::json;

on_both_backends!(
    applicants_search_the_available_plots,
    |app: common::TestDb| async move {
        let svc = app.service().await;
        let park = create_park(&svc, "NCGY").await;
        post(
            &svc,
            &format!("/api/parks/{park}/zones"),
            &common::fixtures::east_zone(),
        )
        .await
        .expect(201);
        // 0.002° ≈ 65.7 亩, 0.003° ≈ 147.7 亩; the east plot lies in the C39-only zone.
        create_parcel(&svc, park, &parcel("W-1", 116.63, 27.56, 0.002)).await;
        create_parcel(&svc, park, &parcel("W-2", 116.625, 27.565, 0.003)).await;
        let mut bare = parcel("E-1", 116.65, 27.56, 0.002);
        bare["properties"]["infrastructure"] = json!(["road"]);
        bare["properties"]["site_levelled"] = json!(false);
        create_parcel(&svc, park, &bare).await;
        let anon = app.anonymous().await;
        let codes = |r: serde_json::Value| -> Vec<String> {
            r["features"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["properties"]["code"].as_str().unwrap().to_owned())
                .collect()
        };
        let all = get(&anon, "/collections/available-plots/items")
            .await
            .expect(200)
            .json();
        assert_eq!(all["numberMatched"], 3);
        let big = get(&anon, "/collections/available-plots/items?min_area_mu=100")
            .await
            .expect(200)
            .json();
        assert_eq!(codes(big), ["W-2"]);
        let mid = get(
            &anon,
            "/collections/available-plots/items?min_area_mu=60&max_area_mu=70",
        )
        .await
        .expect(200)
        .json();
        assert_eq!(mid["numberMatched"], 2);
        let food = get(&anon, "/collections/available-plots/items?industry=C1491")
            .await
            .expect(200)
            .json();
        assert_eq!(
            codes(food),
            Vec::<String>::new(),
            "the park positions C39, 38, 27; the east zone C39"
        );
        let pharma = get(&anon, "/collections/available-plots/items?industry=2720")
            .await
            .expect(200)
            .json();
        assert_eq!(
            codes(pharma),
            ["W-1", "W-2"],
            "27 is the park's, not the east zone's"
        );
        let ready = get(&anon, "/collections/available-plots/items?infrastructure=power,water_supply&site_levelled=true").await.expect(200).json();
        assert_eq!(codes(ready), ["W-1", "W-2"]);
        let page = get(&anon, "/collections/available-plots/items?limit=1&offset=1")
            .await
            .expect(200)
            .json();
        assert_eq!(
            (
                page["numberMatched"].as_i64(),
                page["numberReturned"].as_i64()
            ),
            (Some(3), Some(1))
        );
        get(&anon, "/collections/available-plots/items?min_area_mu=lots")
            .await
            .problem(400);
        get(&anon, "/collections/available-plots/items?industry=Z99")
            .await
            .problem(400);
    }
);

on_both_backends!(
    applications_and_decisions,
    |app: common::TestDb| async move {
        let admin = app.service().await;
        let park = create_park(&admin, "NCGY").await;
        let plot = create_parcel(&admin, park, &parcel("A-1", 116.63, 27.56, 0.002)).await["id"]
            .as_i64()
            .unwrap();
        let mut reserve = parcel("A-2", 116.635, 27.56, 0.002);
        reserve["properties"]["status"] = json!("reserve");
        let not_offered = create_parcel(&admin, park, &reserve).await["id"]
            .as_i64()
            .unwrap();
        let alice = app
            .service_as(app.token_for("alice", Role::Applicant, None, &[]))
            .await;
        let bob = app
            .service_as(app.token_for("bob", Role::Applicant, None, &[]))
            .await;
        let committee = app
            .service_as(app.token_for("nc.committee", Role::Committee, None, &[park]))
            .await;

        let a = post(&alice, "/api/applications", &application_for(plot))
            .await
            .expect(201)
            .json();
        assert_eq!(a["status"], "submitted");
        assert_eq!(a["entry_check"]["qualifies"], true, "{}", a["entry_check"]);
        let e = post(&alice, "/api/applications", &application_for(not_offered))
            .await
            .problem(409);
        assert!(
            e["detail"].as_str().unwrap().contains("not available"),
            "{e}"
        );
        let mut bad = application_for(plot);
        bad["fixed_asset_investment_wan_yuan"] = json!(-1.0);
        bad["uscc"] = json!("91361021MA35000011");
        let e = post(&alice, "/api/applications", &bad).await.problem(422);
        let f: Vec<&str> = e["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["field"].as_str().unwrap())
            .collect();
        assert_eq!(f, ["uscc", "fixed_asset_investment_wan_yuan"]);
        post(&committee, "/api/applications", &application_for(plot))
            .await
            .problem(403);
        let b = post(&bob, "/api/applications", &application_for(plot))
            .await
            .expect(201)
            .json();

        // Each applicant sees only its own; the committee sees both.
        let mine = get(&alice, "/api/applications").await.expect(200).json();
        assert_eq!(mine.as_array().unwrap().len(), 1);
        get(&alice, &format!("/api/applications/{}", b["id"]))
            .await
            .problem(404);
        assert_eq!(
            get(&committee, "/api/applications")
                .await
                .expect(200)
                .json()
                .as_array()
                .unwrap()
                .len(),
            2
        );

        let decide = |id: &serde_json::Value| format!("/api/applications/{id}/decision");
        post(&alice, &decide(&a["id"]), &json!({"accept": true}))
            .await
            .problem(403);
        post(&committee, &decide(&b["id"]), &json!({"accept": false}))
            .await
            .problem(422);
        let accepted = post(
            &committee,
            &decide(&a["id"]),
            &json!({"accept": true, "reason": "符合产业定位"}),
        )
        .await
        .expect(200)
        .json();
        assert_eq!(
            (accepted["status"].as_str(), accepted["decided_by"].as_str()),
            (Some("accepted"), Some("nc.committee"))
        );
        let parcel = get(&admin, &format!("/api/parcels/{plot}"))
            .await
            .expect(200)
            .json();
        assert_eq!(
            parcel["properties"]["status"], "reserved",
            "acceptance reserves the plot"
        );
        let e = post(&committee, &decide(&b["id"]), &json!({"accept": true}))
            .await
            .problem(409);
        assert!(
            e["detail"].as_str().unwrap().contains("not available"),
            "{e}"
        );
        post(
            &committee,
            &decide(&b["id"]),
            &json!({"accept": false, "reason": "地块已预留"}),
        )
        .await
        .expect(200);
        let anon = app.anonymous().await;
        assert_eq!(
            get(&anon, "/collections/available-plots/items")
                .await
                .expect(200)
                .json()["numberMatched"],
            0
        );
        let mine = get(&alice, &format!("/api/applications/{}", a["id"]))
            .await
            .expect(200)
            .json();
        assert_eq!(mine["decision_reason"], "符合产业定位");
        post(
            &alice,
            &format!("/api/applications/{}/withdraw", a["id"]),
            &json!({"reason": "x"}),
        )
        .await
        .problem(409);
    }
);

on_both_backends!(
    two_acceptances_at_once_exactly_one_wins,
    |app: common::TestDb| async move {
        let admin = app.service().await;
        let park = create_park(&admin, "NCGY").await;
        let committee = app
            .service_as(app.token_for("nc.committee", Role::Committee, None, &[park]))
            .await;
        for round in 0..3 {
            let plot = create_parcel(
                &admin,
                park,
                &parcel(
                    &format!("P-{round}"),
                    116.63 + 0.003 * round as f64,
                    27.56,
                    0.002,
                ),
            )
            .await["id"]
                .as_i64()
                .unwrap();
            let alice = app
                .service_as(app.token_for(&format!("alice{round}"), Role::Applicant, None, &[]))
                .await;
            let bob = app
                .service_as(app.token_for(&format!("bob{round}"), Role::Applicant, None, &[]))
                .await;
            let a = post(&alice, "/api/applications", &application_for(plot))
                .await
                .expect(201)
                .json()["id"]
                .clone();
            let b = post(&bob, "/api/applications", &application_for(plot))
                .await
                .expect(201)
                .json()["id"]
                .clone();
            let (x, y) = futures_util::future::join(
                post(
                    &committee,
                    &format!("/api/applications/{a}/decision"),
                    &json!({"accept": true}),
                ),
                post(
                    &committee,
                    &format!("/api/applications/{b}/decision"),
                    &json!({"accept": true}),
                ),
            )
            .await;
            let mut statuses = [x.status.as_u16(), y.status.as_u16()];
            statuses.sort();
            assert_eq!(
                statuses,
                [200, 409],
                "round {round}: {} / {}",
                x.text(),
                y.text()
            );
        }
    }
);
