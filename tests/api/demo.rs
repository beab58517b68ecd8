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

/// The features of an items request, and the ids of those `keep` accepts.
fn ids(page: &serde_json::Value, keep: impl Fn(&serde_json::Value) -> bool) -> Vec<String> {
    let mut out: Vec<String> = page["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| keep(&f["properties"]))
        .map(|f| f["id"].to_string())
        .collect();
    out.sort();
    out
}

// CQL2 on the computed layers (idle land, 五未, 达产复核, workshops, free units, 亩均, 腾笼换鸟):
// each filter keeps exactly the features the test picks from the unfiltered layer by the same
// rule, every queryable is a property the features have, and the refusals are 400s.
on_both_backends!(
    cql2_filters_the_computed_layers,
    |app: common::TestDb| async move {
        let stamp = parkland::domain::register::Stamp::stored(
            "test".into(),
            common::test_now().naive_utc(),
        );
        {
            let mut conn = app.conn();
            parkland::demo::load(&mut conn, parkland::demo::Size::DEMO, &stamp, &|_, _, _| {})
                .expect("demo loads");
        }
        let svc = app.service().await;
        let public = app.anonymous().await;
        let enc = |f: &str| {
            url::form_urlencoded::Serializer::new(String::new())
                .append_pair("filter", f)
                .finish()
        };
        type Rule = fn(&serde_json::Value) -> bool;
        let cases: [(&str, &str, Rule); 12] = [
            (
                "idle-land",
                "idle_status = 'idle' AND idle_days > 365",
                |p| p["idle_status"] == "idle" && p["idle_days"].as_i64().unwrap_or(0) > 365,
            ),
            ("idle-land", "enterprise_name LIKE '%机械%'", |p| {
                p["enterprise_name"]
                    .as_str()
                    .is_some_and(|n| n.contains("机械"))
            }),
            (
                "idle-land",
                "NOT (idle_since IS NULL) AND T_BEFORE(idle_since, DATE('2026-01-01'))",
                |p| p["idle_since"].as_str().is_some_and(|d| d < "2026-01-01"),
            ),
            // Unknown (a null `days_left`) is neither kept nor, under NOT, let through.
            ("idle-land", "NOT (days_left < 60)", |p| {
                p["days_left"].as_i64().is_some_and(|d| d >= 60)
            }),
            (
                "underused-land",
                "class IN ('supplied_not_used', 'used_not_finished') AND days_past > 100",
                |p| {
                    ["supplied_not_used", "used_not_finished"]
                        .contains(&p["class"].as_str().unwrap())
                        && p["days_past"].as_i64().unwrap() > 100
                },
            ),
            (
                "capacity-reviews",
                "review_status = 'overdue' OR penalty_yuan > 0",
                |p| p["review_status"] == "overdue" || p["penalty_yuan"].as_i64().unwrap_or(0) > 0,
            ),
            (
                "workshops",
                "percent_complete >= 50 AND deadline_status <> 'completed_on_time'",
                |p| {
                    p["percent_complete"].as_f64().unwrap() >= 50.0
                        && p["deadline_status"] != "completed_on_time"
                },
            ),
            (
                "workshops",
                "T_AFTER(completion_actual, DATE('2025-01-01'))",
                |p| {
                    p["completion_actual"]
                        .as_str()
                        .is_some_and(|d| d > "2025-01-01")
                },
            ),
            ("available-units", "area_m2 BETWEEN 1000 AND 5000", |p| {
                (1000.0..=5000.0).contains(&p["area_m2"].as_f64().unwrap())
            }),
            ("mu-performance", "class = 'A' OR score >= 80", |p| {
                p["class"] == "A" || p["score"].as_f64().is_some_and(|s| s >= 80.0)
            }),
            (
                "mu-performance",
                "CASEI(enterprise_name) LIKE CASEI('江西%')",
                |p| {
                    p["enterprise_name"]
                        .as_str()
                        .is_some_and(|n| n.starts_with("江西"))
                },
            ),
            (
                "renewal-candidates",
                "weight >= 5 AND kind = 'parcel'",
                |p| p["weight"].as_i64().unwrap() >= 5 && p["kind"] == "parcel",
            ),
        ];
        for (collection, filter, rule) in cases {
            let client = if collection == "available-units" {
                &public
            } else {
                &svc
            };
            let all = get(
                client,
                &format!("/collections/{collection}/items?limit=10000"),
            )
            .await
            .expect(200)
            .json();
            let want = ids(&all, rule);
            let got = get(
                client,
                &format!(
                    "/collections/{collection}/items?limit=10000&{}",
                    enc(filter)
                ),
            )
            .await
            .expect(200)
            .json();
            assert_eq!(ids(&got, |_| true), want, "{collection}: {filter}");
            assert_eq!(got["numberMatched"].as_u64(), Some(want.len() as u64));
            assert!(
                !want.is_empty() && want.len() < all["features"].as_array().unwrap().len()
                    || collection == "renewal-candidates",
                "{collection}: `{filter}` should select some, not all ({} of {})",
                want.len(),
                all["features"].as_array().unwrap().len()
            );
        }

        // A spatial filter answers as the layer's own `bbox` does.
        let bbox = "116.6175,27.5475,116.6345,27.5725";
        let by_box = get(&svc, &format!("/collections/idle-land/items?bbox={bbox}"))
            .await
            .expect(200)
            .json();
        let by_filter = get(
            &svc,
            &format!(
                "/collections/idle-land/items?{}",
                enc(&format!("S_INTERSECTS(geometry, BBOX({bbox}))"))
            ),
        )
        .await
        .expect(200)
        .json();
        assert_eq!(ids(&by_filter, |_| true), ids(&by_box, |_| true));
        assert!(by_box["numberMatched"].as_u64().unwrap() > 0);

        // Every queryable of every computed layer is a property its features have.
        for (collection, client) in [
            ("idle-land", &svc),
            ("underused-land", &svc),
            ("capacity-reviews", &svc),
            ("workshops", &svc),
            ("available-units", &public),
            ("mu-performance", &svc),
            ("renewal-candidates", &svc),
        ] {
            let qs = get(client, &format!("/collections/{collection}/queryables"))
                .await
                .expect(200)
                .json();
            let items = get(
                client,
                &format!("/collections/{collection}/items?limit=10000"),
            )
            .await
            .expect(200)
            .json();
            for (name, schema) in qs["properties"].as_object().unwrap() {
                if name == "geometry" {
                    continue;
                }
                assert!(
                    items["features"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|f| f["properties"].get(name).is_some()),
                    "{collection}: queryable `{name}` ({schema}) is no feature's property"
                );
            }
        }

        // A property that is not queryable, and a filter on a layer that takes none: 400s.
        let p = get(
            &svc,
            &format!("/collections/workshops/items?{}", enc("colour = 'red'")),
        )
        .await
        .problem(400);
        assert!(p["detail"].as_str().unwrap().contains("colour"), "{p}");
        let p = get(
            &svc,
            &format!("/collections/parks/items?{}", enc("code = 'NCGY'")),
        )
        .await
        .problem(400);
        assert!(p["detail"].as_str().unwrap().contains("filter"), "{p}");
        get(&svc, "/collections/parks/queryables")
            .await
            .problem(404);
        // The tiles of a computed layer take the filter too.
        let (z, y, x) = (12, 1721, 3375);
        let all = get(
            &svc,
            &format!("/collections/idle-land/tiles/WebMercatorQuad/{z}/{y}/{x}"),
        )
        .await
        .expect(200);
        let idle = get(
            &svc,
            &format!(
                "/collections/idle-land/tiles/WebMercatorQuad/{z}/{y}/{x}?{}",
                enc("idle_status = 'idle'")
            ),
        )
        .await
        .expect(200);
        let count = |body: &[u8]| {
            parkland::spatial::mvt::decode(body).unwrap()[0]
                .features
                .len()
        };
        assert!(
            count(&idle.body) < count(&all.body),
            "the tile holds the filtered features only"
        );
    }
);
