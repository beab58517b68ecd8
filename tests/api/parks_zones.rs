//! Parks and zones: create, read, update, list; boundaries; industry positioning; settings
//! inherited zone → park → default.

use crate::common;
use crate::common::fixtures::{
    create_parcel, create_park, east_zone, parcel, park_feature, polygon,
};
use crate::common::{get, patch, post};
use serde_json::json;

on_both_backends!(
    parks_are_created_listed_and_read,
    |app: common::TestDb| async move {
        let svc = app.service().await;
        let id = create_park(&svc, "NCGY").await;
        let p = get(&svc, &format!("/api/parks/{id}")).await.expect(200);
        assert_eq!(p.etag(), "\"1\"");
        let p = p.json();
        assert_eq!(p["properties"]["name"], "南城县工业园区");
        assert_eq!(p["properties"]["admin_code"], "361021");
        assert_eq!(
            p["properties"]["industries"][0],
            json!({"code": "39", "section": "C", "name": "计算机、通信和其他电子设备制造业"})
        );
        let area = p["properties"]["area_m2"].as_f64().unwrap();
        assert!(
            area > 12.9e6 && area < 13.2e6,
            "≈ 3.95 km × 3.33 km: {area}"
        );
        let eff = &p["properties"]["effective_settings"];
        assert_eq!(
            eff["min_investment_intensity_wan_per_mu"], 100.0,
            "the default threshold"
        );
        assert_eq!(eff["min_building_coefficient_pct"], 30.0);
        assert_eq!(eff["max_admin_living_share_pct"], 7.0);
        assert_eq!(eff["max_green_ratio_pct"], 20.0);
        assert_eq!(eff["min_far_by_industry"]["39"], 1.0);
        assert_eq!(eff["infrastructure_items"].as_array().unwrap().len(), 7);

        create_park(&svc, "JXGY").await;
        let list = get(&svc, "/api/parks").await.expect(200).json();
        assert_eq!(list["type"], "FeatureCollection");
        assert_eq!(list["features"].as_array().unwrap().len(), 2);
        post(&svc, "/api/parks", &park_feature("NCGY"))
            .await
            .problem(409);
        get(&svc, "/api/parks/999").await.problem(404);
    }
);

on_both_backends!(
    bad_park_values_are_all_reported,
    |app: common::TestDb| async move {
        let svc = app.service().await;
        let mut f = park_feature("  ");
        f["properties"]["admin_code"] = json!("99102");
        f["properties"]["industries"] = json!(["C39", "98", "A13"]);
        f["properties"]["settings"] =
            json!({"min_investment_intensity_wan_per_mu": -5.0, "max_green_ratio_pct": 120.0});
        let p = post(&svc, "/api/parks", &f).await.problem(422);
        let fields: Vec<&str> = p["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        assert_eq!(
            fields,
            [
                "properties.code",
                "properties.admin_code",
                "properties.industries[1]",
                "properties.industries[2]",
                "properties.settings.min_investment_intensity_wan_per_mu",
                "properties.settings.max_green_ratio_pct"
            ],
            "{p}"
        );
        let mut f = park_feature("NCGY");
        f["properties"]["settings"] = json!({"min_investment_intensity": 200});
        let p = post(&svc, "/api/parks", &f).await.problem(400);
        assert!(
            p["detail"]
                .as_str()
                .unwrap()
                .contains("unknown field `min_investment_intensity`"),
            "{p}"
        );
        assert_eq!(
            get(&svc, "/api/parks").await.json()["features"]
                .as_array()
                .unwrap()
                .len(),
            0
        );
    }
);

on_both_backends!(
    zone_settings_override_park_settings,
    |app: common::TestDb| async move {
        let svc = app.service().await;
        let park = create_park(&svc, "NCGY").await;
        patch(&svc, &format!("/api/parks/{park}"), "\"1\"", &json!({"properties": {"settings": {"min_investment_intensity_wan_per_mu": 150.0, "min_far_by_industry": {"39": 1.2}}}}))
        .await
        .expect(200);
        let zone = post(&svc, &format!("/api/parks/{park}/zones"), &east_zone())
            .await
            .expect(201)
            .json();
        let eff = &zone["properties"]["effective_settings"];
        assert_eq!(
            eff["min_investment_intensity_wan_per_mu"], 250.0,
            "the zone's own"
        );
        assert_eq!(eff["min_far_by_industry"]["39"], 1.2, "the park's");
        assert_eq!(eff["min_far_by_industry"]["26"], 0.6, "the default");
        assert_eq!(zone["properties"]["effective_industries"][0]["code"], "39");

        let west = json!({"type": "Feature", "geometry": polygon(116.62, 27.55, 116.64, 27.58), "properties": {"code": "WEST", "name": "西片区"}});
        let west = post(&svc, &format!("/api/parks/{park}/zones"), &west)
            .await
            .expect(201)
            .json();
        assert_eq!(
            west["properties"]["effective_settings"]["min_investment_intensity_wan_per_mu"], 150.0,
            "inherits the park's"
        );
        assert!(west["properties"]["industries"].is_null());
        assert_eq!(
            west["properties"]["effective_industries"]
                .as_array()
                .unwrap()
                .len(),
            3,
            "the park's positioning"
        );

        let zones = get(&svc, &format!("/api/parks/{park}/zones"))
            .await
            .expect(200)
            .json();
        assert_eq!(zones["features"].as_array().unwrap().len(), 2);

        // A zone's change: its own positioning removed again with null.
        let url = format!("/api/zones/{}", zone["id"]);
        let z = patch(
            &svc,
            &url,
            "\"1\"",
            &json!({"properties": {"industries": null, "name": "东片区（电子信息）"}}),
        )
        .await
        .expect(200)
        .json();
        assert!(z["properties"]["industries"].is_null());
        assert_eq!(
            z["properties"]["effective_industries"]
                .as_array()
                .unwrap()
                .len(),
            3
        );
        assert_eq!(get(&svc, &url).await.etag(), "\"2\"");
    }
);

on_both_backends!(
    zones_stay_inside_their_park_and_apart,
    |app: common::TestDb| async move {
        let svc = app.service().await;
        let park = create_park(&svc, "NCGY").await;
        let url = format!("/api/parks/{park}/zones");
        post(&svc, &url, &east_zone()).await.expect(201);
        let overlapping = json!({"type": "Feature", "geometry": polygon(116.63, 27.55, 116.65, 27.58), "properties": {"code": "MID", "name": "中片区"}});
        let p = post(&svc, &url, &overlapping).await.problem(422);
        assert!(
            p["detail"].as_str().unwrap().contains("overlaps zone EAST"),
            "{p}"
        );
        let outside = json!({"type": "Feature", "geometry": polygon(116.60, 27.55, 116.63, 27.58), "properties": {"code": "OUT", "name": "外"}});
        let p = post(&svc, &url, &outside).await.problem(422);
        assert!(
            p["detail"]
                .as_str()
                .unwrap()
                .contains("outside the boundary of park NCGY"),
            "{p}"
        );
        post(&svc, &url, &east_zone()).await.problem(409);
        post(&svc, "/api/parks/999/zones", &east_zone())
            .await
            .problem(404);
    }
);

on_both_backends!(
    a_park_boundary_cannot_shrink_past_its_parcels,
    |app: common::TestDb| async move {
        let svc = app.service().await;
        let park = create_park(&svc, "NCGY").await;
        create_parcel(&svc, park, &parcel("E-1", 116.655, 27.56, 0.002)).await;
        let url = format!("/api/parks/{park}");
        let p = patch(
            &svc,
            &url,
            "\"1\"",
            &json!({"geometry": polygon(116.62, 27.55, 116.65, 27.58)}),
        )
        .await
        .problem(422);
        assert!(p["detail"].as_str().unwrap().contains("parcel E-1"), "{p}");
        let ok = patch(
            &svc,
            &url,
            "\"1\"",
            &json!({"geometry": polygon(116.61, 27.55, 116.66, 27.58)}),
        )
        .await
        .expect(200)
        .json();
        assert!(
            ok["properties"]["area_m2"].as_f64().unwrap() > 16e6,
            "area follows the new boundary"
        );
        assert_eq!(ok["properties"]["version"], 2);
    }
);
