//! The demo park loads on both backends and every parcel is valid, inside its park and clear of
//! the others (the register's own checks ran on the way in).

use crate::common;
use crate::common::get;

on_both_backends!(
    the_demo_park_loads_and_serves,
    |app: common::TestDb| async move {
        let stamp = parkland::domain::register::Stamp::stored(
            "test".into(),
            common::test_now().naive_utc(),
        );

        let loaded = {
            let mut conn = app.conn();
            parkland::demo::load(&mut conn, parkland::demo::Size::DEMO, &stamp, &|_, _, _| {})
                .expect("demo loads")
        };
        assert_eq!(loaded.zones, 3);
        assert!((130..=180).contains(&loaded.parcels), "{}", loaded.parcels);
        {
            let mut conn = app.conn();
            let again =
                parkland::demo::load(&mut conn, parkland::demo::Size::DEMO, &stamp, &|_, _, _| {});
            assert!(again.is_err(), "loading twice is refused");
        }
        let svc = app.service().await;
        let items = get(&svc, "/collections/parcels/items?limit=1000")
            .await
            .expect(200)
            .json();
        assert_eq!(items["numberMatched"].as_u64(), Some(loaded.parcels as u64));
        let zones = get(&svc, "/collections/zones/items").await.json();
        let names: Vec<&str> = zones["features"]
            .as_array()
            .unwrap()
            .iter()
            .map(|z| z["properties"]["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["西片区", "东片区", "金山片区"]);
        let in_zones = items["features"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| !f["properties"]["zone_id"].is_null())
            .count();
        assert_eq!(in_zones, loaded.parcels, "every demo parcel lies in a zone");
        // Every supplied parcel has its contract, and the land watch shows every state.
        let supplied = items["features"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["properties"]["status"] == "supplied")
            .count();
        assert_eq!(loaded.supplies, supplied);
        let idle = get(
            &svc,
            "/api/idle-land?idle_status=idle,approaching,not_due,not_applicable",
        )
        .await
        .expect(200)
        .json();
        let statuses: std::collections::BTreeSet<&str> = idle["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["idle_status"].as_str().unwrap())
            .collect();
        assert!(
            statuses.contains("idle") && statuses.contains("not_applicable"),
            "{statuses:?}"
        );
        let unexplained = idle["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| {
                i["explanation_en"]
                    .as_str()
                    .unwrap()
                    .contains("no supply contract")
                    && i["explanation"]
                        .as_str()
                        .unwrap()
                        .contains("未登记土地供应合同")
            })
            .count();
        assert_eq!(unexplained, 0, "no supplied parcel lacks its contract");
        // An idle episode ended by a late start: still idle-listed, its fee still due.
        let ended = idle["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["idle_status"] == "idle" && i["idle_until"].is_string())
            .count();
        assert!(ended >= 1, "an idle episode ended by a late start");
        let underused = get(&svc, "/api/underused-land").await.expect(200).json();
        let classes = underused["totals"]["by_class"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["count"].as_i64().unwrap() > 0)
            .count();
        assert!(
            classes >= 4,
            "most of the five classes appear: {}",
            underused["totals"]
        );
        assert_eq!(loaded.workshops, 6);
        let deadlines = get(&svc, "/api/workshop-deadlines")
            .await
            .expect(200)
            .json();
        assert_eq!(
            (
                deadlines["overdue"].as_i64(),
                deadlines["due_soon"].as_i64()
            ),
            (Some(1), Some(2))
        );
        let layer = get(&svc, "/collections/workshops/items")
            .await
            .expect(200)
            .json();
        let statuses: std::collections::BTreeSet<&str> = layer["features"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["properties"]["deadline_status"].as_str().unwrap())
            .collect();
        assert_eq!(statuses.len(), 6, "every deadline status: {statuses:?}");
        let idle_units = get(&svc, "/api/idle-units").await.expect(200).json();
        assert!(idle_units["all"]["count"].as_i64().unwrap() >= 1);
        let public = app.anonymous().await;
        let free = get(&public, "/collections/available-units/items")
            .await
            .expect(200)
            .json();
        assert!(free["numberMatched"].as_i64().unwrap() >= 1);
        assert!(loaded.projects >= 20, "{} projects", loaded.projects);
        let report = get(
            &svc,
            &format!("/api/parks/{}/reports/pipeline", loaded.park_id),
        )
        .await
        .expect(200)
        .json();
        assert_eq!(
            report["total"]["count"].as_i64(),
            Some(loaded.projects as i64)
        );
        let blank: Vec<&str> = report["units_without_signed"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u.as_str().unwrap())
            .collect();
        assert!(blank.contains(&"沙洲镇"), "the demo's 白卷: {blank:?}");
        let cases = get(&svc, "/api/idle-cases").await.expect(200).json();
        assert_eq!(cases["open"], 2, "two cases in progress");
        let park = get(&svc, &format!("/api/parks/{}", loaded.park_id))
            .await
            .json();
        assert_eq!(park["properties"]["name"], "南城县工业园区");
        let west = &zones["features"][0]["properties"]["effective_settings"];
        assert_eq!(west["min_investment_intensity_wan_per_mu"], 250.0);
        let east = &zones["features"][1]["properties"]["effective_settings"];
        assert_eq!(
            east["min_investment_intensity_wan_per_mu"], 150.0,
            "the park's own threshold"
        );

        // Every layer has low-zoom tiles over the park, carrying the properties a map colours
        // by (each key named in `tile_properties` is one the items really have).
        let (z, y, x) = (12, 1721, 3375);
        for c in parkland::api::ogc::CollectionId::ALL {
            let url = format!("/collections/{}/tiles/WebMercatorQuad/{z}/{y}/{x}", c.id());
            let r = get(&svc, &url).await.expect(200);
            let layer = &parkland::spatial::mvt::decode(&r.body).unwrap()[0];
            assert!(!layer.features.is_empty(), "{url}");
            for key in c.tile_properties(z).unwrap() {
                assert!(
                    layer
                        .features
                        .iter()
                        .any(|f| f.properties.contains_key(*key)),
                    "{}: no feature has `{key}`",
                    c.id()
                );
            }
        }
    }
);
