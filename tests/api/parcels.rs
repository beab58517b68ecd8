//! Parcels through the HTTP API: creation with computed area, the geometry rules, codes,
//! optimistic concurrency, history — on SQLite and PostGIS.

use crate::common;
use crate::common::fixtures::{create_parcel, create_park, parcel, polygon};
use crate::common::{get, patch, post, post_if};
use serde_json::json;

/// Every parcel of the park, retired ones too.
fn all_of(park: i64) -> String {
    format!("park_id={park}&status=reserve,available,reserved,supplied,retired")
}

on_both_backends!(
    creating_a_parcel_computes_its_area,
    |app: common::TestDb| async move {
        let svc = app.service().await;
        let park = create_park(&svc, "NCGY").await;
        let r = post(
            &svc,
            &format!("/api/parks/{park}/parcels"),
            &parcel("361021001002GB00001", 116.63, 27.56, 0.001),
        )
        .await
        .expect(201);
        assert_eq!(r.etag(), "\"1\"");
        let location = r.header("location").expect("Location");
        let f = r.json();
        let id = f["id"].as_i64().unwrap();
        assert!(
            location.ends_with(&format!("/api/parcels/{id}")),
            "{location}"
        );
        let p = &f["properties"];
        // 0.001° square at 27.56°N: 10,943.62 m² on the ellipsoid (PostGIS ST_Area(geography) agrees).
        let m2 = p["area_m2"].as_f64().unwrap();
        assert!((m2 - 10_943.62).abs() < 0.02, "{m2}");
        let mu = p["area_mu"].as_f64().unwrap();
        assert!(
            (mu - m2 / (10_000.0 / 15.0)).abs() < 1e-3,
            "亩 = m² × 15 / 10000: {mu}"
        );
        assert_eq!(p["land_use_name"], "一类工业用地");
        assert_eq!(p["status"], "available");
        assert_eq!(p["status_name"], "可供应");
        assert_eq!(p["created_by"], "admin", "the token's user");
        assert_eq!(p["created_at"], "2026-11-22T08:00:00Z");
        assert_eq!(f["geometry"]["type"], "MultiPolygon");

        let again = get(&svc, &format!("/api/parcels/{id}")).await.expect(200);
        assert_eq!(again.json()["properties"]["area_m2"], p["area_m2"]);
    }
);

on_both_backends!(
    area_is_never_taken_from_the_client,
    |app: common::TestDb| async move {
        let svc = app.service().await;
        let park = create_park(&svc, "NCGY").await;
        let mut f = parcel("A-1", 116.63, 27.56, 0.001);
        f["properties"]["area_m2"] = json!(99999.0);
        let p = post(&svc, &format!("/api/parks/{park}/parcels"), &f)
            .await
            .problem(400);
        assert!(
            p["detail"]
                .as_str()
                .unwrap()
                .contains("computed from the geometry"),
            "{p}"
        );
        assert_eq!(p["errors"][0]["field"], "properties.area_m2");
        assert_eq!(common::matched(&svc, &all_of(park)).await, 0);
    }
);

on_both_backends!(
    invalid_geometry_is_refused_with_a_reason_and_nothing_is_written,
    |app: common::TestDb| async move {
        let svc = app.service().await;
        let park = create_park(&svc, "NCGY").await;
        let url = format!("/api/parks/{park}/parcels");
        let with_geometry = |g: serde_json::Value| {
            let mut f = parcel("BAD-1", 116.63, 27.56, 0.001);
            f["geometry"] = g;
            f
        };
        let cases = [
            (
                json!({"type": "Polygon", "coordinates": [[[116.63, 27.56], [116.64, 27.57], [116.64, 27.56], [116.63, 27.57], [116.63, 27.56]]]}),
                "self-intersection",
            ),
            (
                json!({"type": "Polygon", "coordinates": [[[116.63, 27.56], [116.64, 27.56], [116.64, 27.57], [116.63, 27.57]]]}),
                "not closed",
            ),
            (
                json!({"type": "Polygon", "coordinates": [[[27.56, 116.63], [27.56, 116.64], [27.57, 116.64], [27.56, 116.63]]]}),
                "[latitude, longitude]",
            ),
            (
                json!({"type": "Polygon", "coordinates": [[[190.0, 27.56], [190.1, 27.56], [190.1, 27.57], [190.0, 27.56]]]}),
                "out of range",
            ),
            (
                json!({"type": "LineString", "coordinates": [[116.63, 27.56], [116.64, 27.56]]}),
                "got LineString",
            ),
            (
                json!({"type": "Point", "coordinates": [116.63, 27.56]}),
                "got Point",
            ),
            (
                json!({"type": "Polygon", "coordinates": [[[39_463_456.0, 3_049_876.0], [39_463_556.0, 3_049_876.0], [39_463_556.0, 3_049_976.0], [39_463_456.0, 3_049_876.0]]]}),
                "EPSG:4527",
            ),
            (
                json!({"type": "Polygon", "coordinates": [[[2.35, 48.85], [2.36, 48.85], [2.36, 48.86], [2.35, 48.85]]]}),
                "outside China",
            ),
            (json!(null), "required"),
        ];
        for (geometry, expected) in cases {
            let p = post(&svc, &url, &with_geometry(geometry.clone()))
                .await
                .problem(422);
            let detail = p["detail"].as_str().unwrap();
            assert!(
                detail.contains(expected),
                "{geometry}: expected `{expected}` in {detail}"
            );
            assert!(
                p["errors"][0]["field"]
                    .as_str()
                    .unwrap()
                    .starts_with("geometry"),
                "{p}"
            );
        }
        assert_eq!(
            common::matched(&svc, &all_of(park)).await,
            0,
            "nothing was written"
        );
    }
);

on_both_backends!(
    nan_and_infinity_are_not_json,
    |app: common::TestDb| async move {
        let svc = app.service().await;
        let park = create_park(&svc, "NCGY").await;
        let body = r#"{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[116.63,27.56],[NaN,27.56],[116.64,27.57],[116.63,27.56]]]},"properties":{"code":"X","land_use":"100101"}}"#;
        let r = common::send(
            &svc,
            actix_web::test::TestRequest::post()
                .uri(&format!("/api/parks/{park}/parcels"))
                .insert_header(("content-type", "application/json"))
                .set_payload(body),
        )
        .await;
        let p = r.problem(400);
        assert!(
            p["detail"].as_str().unwrap().contains("NaN or Infinity"),
            "{p}"
        );
        let huge = body.replace("NaN", "1e999");
        let r = common::send(
            &svc,
            actix_web::test::TestRequest::post()
                .uri(&format!("/api/parks/{park}/parcels"))
                .insert_header(("content-type", "application/json"))
                .set_payload(huge),
        )
        .await;
        r.problem(400);
        assert_eq!(common::matched(&svc, &all_of(park)).await, 0);
    }
);

on_both_backends!(
    unknown_fields_and_bad_values_are_named,
    |app: common::TestDb| async move {
        let svc = app.service().await;
        let park = create_park(&svc, "NCGY").await;
        let url = format!("/api/parks/{park}/parcels");
        let mut f = parcel("A-1", 116.63, 27.56, 0.001);
        f["properties"]["colour"] = json!("red");
        let p = post(&svc, &url, &f).await.problem(400);
        assert!(
            p["detail"]
                .as_str()
                .unwrap()
                .contains("unknown field `colour`"),
            "{p}"
        );

        let mut f = parcel("A-1", 116.63, 27.56, 0.001);
        f["properties"]["far_max"] = json!("high");
        let p = post(&svc, &url, &f).await.problem(400);
        assert_eq!(p["errors"][0]["field"], "properties.far_max", "{p}");

        let mut f = parcel("A-1", 116.63, 27.56, 0.001);
        f["properties"]["land_use"] = json!("0601");
        f["properties"]["far_min"] = json!(3.0);
        f["properties"]["infrastructure"] = json!(["water_supply"]);
        let p = post(&svc, &url, &f).await.problem(422);
        let fields: Vec<&str> = p["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        assert_eq!(fields, ["properties.land_use", "properties.far_min"], "{p}");
        assert!(
            p["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("use 1001"),
            "old GB/T 21010 code gets a hint"
        );

        let mut f = parcel("A-1", 116.63, 27.56, 0.001);
        f["properties"]["infrastructure"] = json!(["steam"]);
        let p = post(&svc, &url, &f).await.problem(422);
        assert!(p["detail"].as_str().unwrap().contains("steam"), "{p}");

        let mut f = parcel("A-1", 116.63, 27.56, 0.001);
        f["properties"]["status"] = json!("sold");
        post(&svc, &url, &f).await.problem(400);
        assert_eq!(common::matched(&svc, &all_of(park)).await, 0);
    }
);

on_both_backends!(
    parcels_stay_inside_the_park_and_clear_of_each_other,
    |app: common::TestDb| async move {
        let svc = app.service().await;
        let park = create_park(&svc, "NCGY").await;
        let url = format!("/api/parks/{park}/parcels");
        let first = create_parcel(&svc, park, &parcel("A-1", 116.63, 27.56, 0.002)).await;

        // Half outside the park's eastern edge (116.66).
        let p = post(&svc, &url, &parcel("OUT-1", 116.659, 27.56, 0.002))
            .await
            .problem(422);
        assert!(
            p["detail"]
                .as_str()
                .unwrap()
                .contains("outside the boundary of park NCGY"),
            "{p}"
        );

        // Overlapping the first parcel by a quarter.
        let p = post(&svc, &url, &parcel("A-2", 116.631, 27.561, 0.002))
            .await
            .problem(409);
        assert_eq!(p["type"], "tag:parkland,2026:problem:parcel-overlap");
        assert_eq!(p["overlaps"][0]["parcel_id"], first["id"]);
        assert_eq!(p["overlaps"][0]["code"], "A-1");
        let overlap = p["overlaps"][0]["overlap_m2"].as_f64().unwrap();
        assert!(
            (overlap - 10_943.6).abs() < 1.0,
            "a 0.001° square: {overlap}"
        );
        assert!(p["detail"].as_str().unwrap().contains("A-1"), "{p}");

        // Sharing an edge is fine.
        create_parcel(&svc, park, &parcel("A-3", 116.632, 27.56, 0.002)).await;
        // Duplicate code.
        let p = post(&svc, &url, &parcel("A-1", 116.64, 27.57, 0.001))
            .await
            .problem(409);
        assert!(p["detail"].as_str().unwrap().contains("A-1"), "{p}");
        assert_eq!(common::matched(&svc, &all_of(park)).await, 2);
    }
);

on_both_backends!(
    a_tiny_overlap_within_tolerance_is_accepted,
    |app: common::TestDb| async move {
        let svc = app.service().await;
        let park = create_park(&svc, "NCGY").await;
        create_parcel(&svc, park, &parcel("A-1", 116.63, 27.56, 0.002)).await;
        // Overlaps by 2e-8° (≈ 2 mm) along a 222 m edge: ≈ 0.44 m² of surveying noise, under the
        // default 1 m² tolerance; 2e-7° (≈ 2 cm, ≈ 4.4 m²) is over it.
        let mut over = parcel("A-2", 116.632, 27.56, 0.002);
        over["geometry"] = polygon(116.632 - 2e-7, 27.56, 116.634, 27.562);
        let p = post(&svc, &format!("/api/parks/{park}/parcels"), &over)
            .await
            .problem(409);
        let m2 = p["overlaps"][0]["overlap_m2"].as_f64().unwrap();
        assert!((m2 - 4.38).abs() < 0.05, "{m2}");
        let mut noise = parcel("A-2", 116.632, 27.56, 0.002);
        noise["geometry"] = polygon(116.632 - 2e-8, 27.56, 116.634, 27.562);
        create_parcel(&svc, park, &noise).await;
    }
);

on_both_backends!(
    edits_need_the_current_etag,
    |app: common::TestDb| async move {
        let svc = app.service().await;
        let park = create_park(&svc, "NCGY").await;
        let f = create_parcel(&svc, park, &parcel("A-1", 116.63, 27.56, 0.002)).await;
        let url = format!("/api/parcels/{}", f["id"]);

        // No If-Match: 428, nothing changed.
        let r = common::send(
            &svc,
            actix_web::test::TestRequest::patch()
                .uri(&url)
                .insert_header(("content-type", "application/json"))
                .set_payload(json!({"properties": {"name": "x"}}).to_string()),
        )
        .await;
        r.problem(428);

        // Two clients read version 1; the first edit wins, the second gets 412.
        let etag = get(&svc, &url).await.expect(200).etag();
        let a = patch(
            &svc,
            &url,
            &etag,
            &json!({"properties": {"name": "甲公司意向地块"}}),
        )
        .await
        .expect(200);
        assert_eq!(a.etag(), "\"2\"");
        let p = patch(&svc, &url, &etag, &json!({"properties": {"far_max": 3.0}}))
            .await
            .problem(412);
        assert_eq!(p["current_version"], 2);
        let now = get(&svc, &url).await.expect(200).json();
        assert_eq!(
            now["properties"]["name"], "甲公司意向地块",
            "the first edit is kept"
        );
        assert_eq!(
            now["properties"]["far_max"], 2.5,
            "the stale edit changed nothing"
        );

        // A no-op edit keeps the version.
        let same = patch(
            &svc,
            &url,
            "\"2\"",
            &json!({"properties": {"name": "甲公司意向地块"}}),
        )
        .await
        .expect(200);
        assert_eq!(same.etag(), "\"2\"");
        // `*` overwrites whatever is stored.
        patch(&svc, &url, "*", &json!({"properties": {"far_max": null}}))
            .await
            .expect(200);
        assert!(get(&svc, &url).await.json()["properties"]["far_max"].is_null());
    }
);

on_both_backends!(
    updates_are_checked_and_kept_in_history,
    |app: common::TestDb| async move {
        let svc = app.service().await;
        let park = create_park(&svc, "NCGY").await;
        let a = create_parcel(&svc, park, &parcel("A-1", 116.63, 27.56, 0.002)).await;
        create_parcel(&svc, park, &parcel("B-1", 116.64, 27.56, 0.002)).await;
        let url = format!("/api/parcels/{}", a["id"]);

        // Moving A onto B is refused.
        let p = patch(
            &svc,
            &url,
            "\"1\"",
            &json!({"geometry": polygon(116.6405, 27.5605, 116.6415, 27.5615)}),
        )
        .await
        .problem(409);
        assert_eq!(p["overlaps"][0]["code"], "B-1");
        // A minimum above the stored maximum is refused.
        let p = patch(
            &svc,
            &url,
            "\"1\"",
            &json!({"properties": {"far_min": 3.0}}),
        )
        .await
        .problem(422);
        assert_eq!(p["errors"][0]["field"], "properties.far_min");
        // A status jump the life cycle does not allow.
        let p = patch(
            &svc,
            &url,
            "\"1\"",
            &json!({"properties": {"status": "retired"}}),
        )
        .await
        .problem(422);
        assert!(p["detail"].as_str().unwrap().contains("/retire"), "{p}");

        // A good change of shape: area follows the geometry.
        let r = patch(&svc, &url, "\"1\"", &json!({"geometry": polygon(116.63, 27.56, 116.631, 27.561), "properties": {"status": "reserved"}})).await.expect(200);
        let area = r.json()["properties"]["area_m2"].as_f64().unwrap();
        assert!((area - 10_943.62).abs() < 0.02, "{area}");

        let h = get(&svc, &format!("{url}/history"))
            .await
            .expect(200)
            .json();
        let versions = h["features"].as_array().unwrap();
        assert_eq!(versions.len(), 2);
        assert_eq!(versions[0]["properties"]["change"], "created");
        assert_eq!(
            versions[0]["properties"]["attributes"]["status"],
            "available"
        );
        assert!(
            (versions[0]["properties"]["attributes"]["area_m2"]
                .as_f64()
                .unwrap()
                - 43_774.0)
                .abs()
                < 5.0,
            "the old area is kept"
        );
        assert_eq!(versions[1]["properties"]["change"], "updated");
        assert_eq!(versions[1]["properties"]["changed_by"], "admin");
        assert_eq!(
            versions[1]["properties"]["attributes"]["status"],
            "reserved"
        );
    }
);

on_both_backends!(
    retired_parcels_leave_the_map_but_stay_readable,
    |app: common::TestDb| async move {
        let svc = app.service().await;
        let park = create_park(&svc, "NCGY").await;
        let a = create_parcel(&svc, park, &parcel("A-1", 116.63, 27.56, 0.002)).await;
        let url = format!("/api/parcels/{}", a["id"]);
        post_if(
            &svc,
            &format!("{url}/retire"),
            "\"1\"",
            &json!({"reason": ""}),
        )
        .await
        .problem(422);
        let r = post_if(
            &svc,
            &format!("{url}/retire"),
            "\"1\"",
            &json!({"reason": "规划调整，注销宗地"}),
        )
        .await
        .expect(200)
        .json();
        assert_eq!(r["properties"]["status"], "retired");
        assert_eq!(r["properties"]["retired_reason"], "规划调整，注销宗地");
        let items = get(&svc, &format!("/collections/parcels/items?park_id={park}"))
            .await
            .json();
        assert_eq!(
            items["numberMatched"], 0,
            "retired parcels are not on the map"
        );
        let history = get(
            &svc,
            &format!("/collections/parcels/items?park_id={park}&status=retired"),
        )
        .await
        .json();
        assert_eq!(history["numberMatched"], 1);
        let p = patch(&svc, &url, "*", &json!({"properties": {"name": "x"}}))
            .await
            .problem(409);
        assert!(p["detail"].as_str().unwrap().contains("retired"), "{p}");
        // Its ground is free again, and its code is never reused.
        create_parcel(&svc, park, &parcel("A-2", 116.63, 27.56, 0.002)).await;
        post(
            &svc,
            &format!("/api/parks/{park}/parcels"),
            &parcel("A-1", 116.64, 27.56, 0.002),
        )
        .await
        .problem(409);
    }
);

on_both_backends!(
    parcels_fall_into_the_zone_that_contains_them,
    |app: common::TestDb| async move {
        let svc = app.service().await;
        let park = create_park(&svc, "NCGY").await;
        let zone = post(
            &svc,
            &format!("/api/parks/{park}/zones"),
            &common::fixtures::east_zone(),
        )
        .await
        .expect(201)
        .json();
        let east = create_parcel(&svc, park, &parcel("E-1", 116.65, 27.56, 0.002)).await;
        assert_eq!(east["properties"]["zone_id"], zone["id"]);
        let west = create_parcel(&svc, park, &parcel("W-1", 116.63, 27.56, 0.002)).await;
        assert!(west["properties"]["zone_id"].is_null());
        // Naming a zone that does not contain the parcel is refused.
        let mut f = parcel("W-2", 116.625, 27.56, 0.002);
        f["properties"]["zone_id"] = zone["id"].clone();
        let p = post(&svc, &format!("/api/parks/{park}/parcels"), &f)
            .await
            .problem(422);
        assert_eq!(p["errors"][0]["field"], "properties.zone_id");
    }
);

on_both_backends!(
    plane_areas_are_stored_and_older_rows_measured_until_they_are,
    |app: common::TestDb| async move {
        use diesel::prelude::*;
        use parkland::store::schema::parcels::dsl as p;
        let svc = app.service().await;
        let park = create_park(&svc, "PLANE").await;
        // A 100 m square in the 3° Gauss-Krüger zone of 117°E (EPSG:4548).
        let (e, n) = (463_456.789, 3_049_876.543);
        let f = json!({
            "type": "Feature",
            "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4548"}},
            "geometry": {"type": "Polygon", "coordinates": [[[e, n], [e + 100.0, n], [e + 100.0, n + 100.0], [e, n + 100.0], [e, n]]]},
            "properties": {"code": "PLANE-1", "land_use": "100102"}
        });
        let id = create_parcel(&svc, park, &f).await["id"].as_i64().unwrap();
        let stored = || {
            let mut conn = app.conn();
            p::parcels
                .find(id)
                .select((p::plane_area_m2, p::plane_area_epsg))
                .first::<(Option<f64>, Option<i32>)>(&mut **conn)
                .unwrap()
        };
        // Measured when the geometry was written, and stored with it.
        let (m2, epsg) = stored();
        assert!((m2.unwrap() - 10_000.0).abs() <= 0.01, "{m2:?}");
        assert_eq!(epsg, Some(4548));

        // A row written before the figure was kept is measured on read, the same figure.
        diesel::update(p::parcels.find(id))
            .set((
                p::plane_area_m2.eq(None::<f64>),
                p::plane_area_epsg.eq(None::<i32>),
            ))
            .execute(&mut **app.conn())
            .unwrap();
        let item = get(&svc, &format!("/collections/parcels/items/{id}"))
            .await
            .expect(200)
            .json();
        assert_eq!(item["properties"]["plane_area_m2"], json!(10_000.0));
        assert_eq!(item["properties"]["plane_area_epsg"], 4548);
        // The start-up pass stores it, once.
        let measured = parkland::store::parcels::store_plane_areas(&mut app.conn()).unwrap();
        assert_eq!(measured, 1);
        assert_eq!(stored(), (m2, epsg));
        assert_eq!(
            parkland::store::parcels::store_plane_areas(&mut app.conn()).unwrap(),
            0
        );
    }
);

on_both_backends!(
    projected_input_is_converted_to_cgcs2000,
    |app: common::TestDb| async move {
        let svc = app.service().await;
        let park = create_park(&svc, "NCGY").await;
        // A 100 m square in CGCS2000 / 3-degree Gauss-Kruger zone 39 (EPSG:4527), easting first.
        let (e, n) = (39_463_456.789, 3_049_876.543);
        let f = json!({
            "type": "Feature",
            "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4527"}},
            "geometry": {"type": "Polygon", "coordinates": [[[e, n], [e + 100.0, n], [e + 100.0, n + 100.0], [e, n + 100.0], [e, n]]]},
            "properties": {"code": "GK-1", "land_use": "100102"}
        });
        let r = create_parcel(&svc, park, &f).await;
        let area = r["properties"]["area_m2"].as_f64().unwrap();
        // Gauss-Krüger is conformal, not equal-area: 100 m × 100 m at 3.3 km from the central
        // meridian is 10,000 m² to within scale distortion (k ≈ 1 + 1.4e-7).
        assert!((area - 10_000.0).abs() < 0.5, "{area}");
        // The cadastral survey's plane area in the 3° zone of 117°E (EPSG:4548, the same
        // projection as 4527 without the zone prefix) is the square's side product.
        let plane = r["properties"]["plane_area_m2"].as_f64().unwrap();
        assert!((plane - 10_000.0).abs() <= 0.01, "{plane}");
        assert_eq!(r["properties"]["plane_area_epsg"], 4548);
        let first = &r["geometry"]["coordinates"][0][0][0];
        assert!(
            (first[0].as_f64().unwrap() - 116.629_971_3).abs() < 2e-7,
            "{first}"
        );
        assert!(
            (first[1].as_f64().unwrap() - 27.561_256_2).abs() < 2e-7,
            "{first}"
        );

        // Content-Crs names the CRS the OGC way: EPSG:4490 then means latitude first.
        let r = common::send(
        &svc,
        actix_web::test::TestRequest::post()
            .uri(&format!("/api/parks/{park}/parcels"))
            .insert_header(("content-type", "application/geo+json"))
            .insert_header(("content-crs", "<http://www.opengis.net/def/crs/EPSG/0/4490>"))
            .set_payload(json!({
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": [[[27.57, 116.64], [27.57, 116.641], [27.571, 116.641], [27.571, 116.64], [27.57, 116.64]]]},
                "properties": {"code": "LATLON-1", "land_use": "100101"}
            }).to_string()),
    )
    .await
    .expect(201)
    .json();
        assert_eq!(
            r["geometry"]["coordinates"][0][0][0],
            json!([116.64, 27.57])
        );

        let mut bad = f.clone();
        bad["crs"]["properties"]["name"] = json!("EPSG:4326");
        bad["properties"]["code"] = json!("WGS-1");
        let p = post(&svc, &format!("/api/parks/{park}/parcels"), &bad)
            .await
            .problem(400);
        assert_eq!(p["type"], "tag:parkland,2026:problem:unsupported-crs");
        assert!(p["detail"].as_str().unwrap().contains("CGCS2000"), "{p}");
    }
);
