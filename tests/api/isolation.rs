//! Nothing about another park leaks through an error or a listing: a merge across parks names
//! nothing foreign, anonymous clients see only the public collections, private endpoints refuse
//! before they judge a query, an applicant learns only that a unit is not available, and an
//! enterprise's change reaches the audit trail of every park it touches.

use crate::common;
use crate::common::fixtures::{
    PARK, create_enterprise, create_leased_workshop, create_parcel, create_park_in, create_supply,
    parcel, park_feature, polygon,
};
use crate::common::{get, patch, post};
use parkland::domain::access::Role;
use serde_json::json;

on_both_backends!(
    a_merge_with_another_countys_parcel_names_nothing_of_it,
    |app: common::TestDb| async move {
        let admin = app.service().await;
        let ours = create_park_in(&admin, "NCGY", "361021").await;
        let theirs = create_park_in(&admin, "LCGY", "361002").await;
        let mine = create_parcel(
            &admin,
            ours,
            &parcel("361021001001GB00001", 116.63, 27.56, 0.002),
        )
        .await;
        let next = create_parcel(
            &admin,
            ours,
            &parcel("361021001001GB00002", 116.632, 27.56, 0.002),
        )
        .await;
        let foreign = create_parcel(
            &admin,
            theirs,
            &parcel("361002009001GB00077", 116.634, 27.56, 0.002),
        )
        .await;
        let enterprise = create_enterprise(&admin).await;
        create_supply(&admin, foreign["id"].as_i64().unwrap(), enterprise).await;
        let bureau = app
            .service_as(app.token_for("nc.bureau", Role::Bureau, Some("361021"), &[]))
            .await;

        let merge = |ids: serde_json::Value| {
            let bureau = &bureau;
            async move {
                post(
                    bureau,
                    &format!("/api/parks/{ours}/parcels/merge"),
                    &json!({"parcel_ids": ids, "code": "361021001001GB00009"}),
                )
                .await
                .problem(409)
            }
        };
        let p = merge(json!([mine["id"], foreign["id"]])).await;
        let detail = p["detail"].as_str().unwrap();
        assert!(detail.contains("not a parcel of this park"), "{p}");
        for secret in [
            "361002009001GB00077",
            "南城出让",
            "supplied",
            "LCGY",
            &format!("park {theirs}"),
        ] {
            assert!(!p.to_string().contains(secret), "`{secret}` leaked: {p}");
        }
        // A parcel that does not exist gets the same answer as one of another park.
        let none = merge(json!([mine["id"], 999_999])).await;
        assert_eq!(
            none["detail"].as_str().unwrap().replace("999999", "ID"),
            detail.replace(&foreign["id"].to_string(), "ID")
        );
        // Its own parcels still merge.
        post(
            &bureau,
            &format!("/api/parks/{ours}/parcels/merge"),
            &json!({"parcel_ids": [mine["id"], next["id"]], "code": "361021001001GB00009"}),
        )
        .await
        .expect(200);
    }
);

on_both_backends!(
    anonymous_clients_see_only_the_public_collections,
    |app: common::TestDb| async move {
        let admin = app.service().await;
        let ours = create_park_in(&admin, "NCGY", "361021").await;
        // The other park lies further east: it widens the all-parks extent.
        let mut east = park_feature("LCGY");
        east["properties"]["admin_code"] = json!("361002");
        east["geometry"] = polygon(116.70, 27.55, 116.72, 27.58);
        let theirs = post(&admin, "/api/parks", &east).await.expect(201).json()["id"]
            .as_i64()
            .unwrap();
        create_parcel(&admin, ours, &parcel("A-1", 116.63, 27.56, 0.002)).await;
        create_parcel(&admin, theirs, &parcel("B-1", 116.71, 27.57, 0.002)).await;

        let anonymous = app.anonymous().await;
        let listed = get(&anonymous, "/collections").await.expect(200).json();
        let ids: Vec<&str> = listed["collections"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap())
            .collect();
        assert_eq!(
            ids,
            ["parks", "zones", "available-plots", "available-units"]
        );
        get(&anonymous, "/collections/idle-land").await.problem(401);
        let applicant = app
            .service_as(app.token_for("alice", Role::Applicant, None, &[]))
            .await;
        get(&applicant, "/collections/parcels").await.problem(403);

        // A committee sees the private layers over its own park only.
        let committee = app
            .service_as(app.token_for("nc.committee", Role::Committee, None, &[ours]))
            .await;
        let parcels = get(&committee, "/collections/parcels")
            .await
            .expect(200)
            .json();
        let bbox = &parcels["extent"]["spatial"]["bbox"][0];
        assert_eq!(
            bbox[2].as_f64().unwrap(),
            PARK.2,
            "the extent covers only park A: {bbox}"
        );
        let all = get(&admin, "/collections/parcels").await.expect(200).json();
        assert_eq!(all["extent"]["spatial"]["bbox"][0][2], json!(116.72));
    }
);

on_both_backends!(
    private_endpoints_refuse_before_they_judge_a_query,
    |app: common::TestDb| async move {
        let admin = app.service().await;
        let park = create_park_in(&admin, "NCGY", "361021").await;
        let anonymous = app.anonymous().await;
        for uri in [
            "/api/idle-land?bogus=1".to_owned(),
            "/api/underused-land?as_of=yesterday".to_owned(),
            "/api/idle-cases?park_id=x".to_owned(),
            "/api/workshop-deadlines?within_days=-5".to_owned(),
            "/api/occupancy?nonsense".to_owned(),
            "/api/idle-units?as_of=2026-02-30".to_owned(),
            "/collections/parcels/items?limit=abc".to_owned(),
            "/collections/idle-land/items?bbox=1".to_owned(),
            "/collections/workshops/items?deadline_status=late".to_owned(),
            "/collections/mu-performance/items?year=0".to_owned(),
            "/collections/renewal-candidates/items/parcel-1?f=xml".to_owned(),
            format!("/api/parks/{park}/parcels/export?format=shp"),
        ] {
            get(&anonymous, &uri).await.problem(401);
        }
        let applicant = app
            .service_as(app.token_for("alice", Role::Applicant, None, &[]))
            .await;
        get(&applicant, "/api/idle-land?bogus=1").await.problem(403);
    }
);

on_both_backends!(
    an_applicant_learns_only_that_a_unit_is_not_available,
    |app: common::TestDb| async move {
        let admin = app.service().await;
        let park = create_park_in(&admin, "NCGY", "361021").await;
        let plot = create_parcel(&admin, park, &parcel("A-1", 116.63, 27.56, 0.002)).await;
        let tenant = create_enterprise(&admin).await;
        let (_, unit, _) =
            create_leased_workshop(&admin, plot["id"].as_i64().unwrap(), tenant).await;
        let alice = app
            .service_as(app.token_for("alice", Role::Applicant, None, &[]))
            .await;
        let apply = |unit: i64| {
            let mut body = common::fixtures::application_for(0);
            body.as_object_mut().unwrap().remove("parcel_id");
            body["unit_id"] = json!(unit);
            body
        };
        let leased = post(&alice, "/api/applications", &apply(unit))
            .await
            .problem(409);
        let missing = post(&alice, "/api/applications", &apply(987_654))
            .await
            .problem(409);
        assert_eq!(
            leased["detail"].as_str().unwrap(),
            format!("unit {unit} is not available")
        );
        assert_eq!(
            missing["detail"].as_str().unwrap(),
            "unit 987654 is not available"
        );
    }
);

on_both_backends!(
    an_enterprise_is_corrected_by_those_whose_land_it_holds_and_audited_there,
    |app: common::TestDb| async move {
        let admin = app.service().await;
        let ours = create_park_in(&admin, "NCGY", "361021").await;
        let theirs = create_park_in(&admin, "LCGY", "361002").await;
        let plot = create_parcel(&admin, ours, &parcel("A-1", 116.63, 27.56, 0.002)).await;
        let enterprise = create_enterprise(&admin).await;
        create_supply(&admin, plot["id"].as_i64().unwrap(), enterprise).await;
        let uri = format!("/api/enterprises/{enterprise}");

        let elsewhere = app
            .service_as(app.token_for("lc.committee", Role::Committee, None, &[theirs]))
            .await;
        let p = patch(&elsewhere, &uri, "*", &json!({"above_scale": false}))
            .await
            .problem(403);
        assert!(
            p["detail"].as_str().unwrap().contains("holds no land"),
            "{p}"
        );

        let committee = app
            .service_as(app.token_for("nc.committee", Role::Committee, None, &[ours]))
            .await;
        patch(
            &committee,
            &uri,
            "*",
            &json!({"name": "江西赣电科技股份有限公司"}),
        )
        .await
        .expect(200);
        let bureau = app
            .service_as(app.token_for("nc.bureau", Role::Bureau, Some("361021"), &[]))
            .await;
        let trail = get(
            &bureau,
            &format!("/api/audit?entity=enterprise&entity_id={enterprise}"),
        )
        .await
        .expect(200)
        .json();
        let entries = trail["entries"].as_array().unwrap();
        assert!(
            entries.iter().any(|e| e["action"] == "update"
                && e["actor"] == "nc.committee"
                && e["park_id"] == json!(ours)),
            "the park's bureau sees its land user corrected: {trail}"
        );
    }
);
