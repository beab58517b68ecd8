//! Split (分宗) and merge (合宗): single operations with footprint checks, lineage and history.

use crate::common;
use crate::common::fixtures::{create_parcel, create_park, parcel, polygon};
use crate::common::{get, post, post_if};
use serde_json::{Value, json};

fn piece(code: &str, x0: f64, y0: f64, x1: f64, y1: f64) -> Value {
    json!({"type": "Feature", "geometry": polygon(x0, y0, x1, y1), "properties": {"code": code}})
}

fn pieces(features: Vec<Value>) -> Value {
    json!({"type": "FeatureCollection", "features": features})
}

on_both_backends!(
    a_split_covers_the_original_exactly,
    |app: common::TestDb| async move {
        let svc = app.service().await;
        let park = create_park(&svc, "NCGY").await;
        let a = create_parcel(&svc, park, &parcel("A-1", 116.63, 27.56, 0.002)).await;
        let id = a["id"].as_i64().unwrap();
        let url = format!("/api/parcels/{id}/split");

        // A gap: the pieces miss a strip of the original.
        let gap = pieces(vec![
            piece("A-1-1", 116.63, 27.56, 116.631, 27.562),
            piece("A-1-2", 116.6311, 27.56, 116.632, 27.562),
        ]);
        let p = post_if(&svc, &url, "\"1\"", &gap).await.problem(422);
        assert!(p["detail"].as_str().unwrap().contains("not covered"), "{p}");
        // Pieces overlapping each other.
        let overlap = pieces(vec![
            piece("A-1-1", 116.63, 27.56, 116.6311, 27.562),
            piece("A-1-2", 116.631, 27.56, 116.632, 27.562),
        ]);
        let p = post_if(&svc, &url, "\"1\"", &overlap).await.problem(422);
        assert!(p["detail"].as_str().unwrap().contains("overlap"), "{p}");
        // A piece reusing the original's code.
        let reuse = pieces(vec![
            piece("A-1", 116.63, 27.56, 116.631, 27.562),
            piece("A-1-2", 116.631, 27.56, 116.632, 27.562),
        ]);
        post_if(&svc, &url, "\"1\"", &reuse).await.problem(409);
        // One piece is not a split.
        post_if(
            &svc,
            &url,
            "\"1\"",
            &pieces(vec![piece("A-1-1", 116.63, 27.56, 116.632, 27.562)]),
        )
        .await
        .problem(422);
        assert_eq!(
            get(&svc, &format!("/api/parcels/{id}")).await.json()["properties"]["status"],
            "available",
            "nothing changed"
        );

        let ok = pieces(vec![
            piece("A-1-1", 116.63, 27.56, 116.631, 27.562),
            piece("A-1-2", 116.631, 27.56, 116.632, 27.562),
        ]);
        let r = post_if(&svc, &url, "\"1\"", &ok).await.expect(200).json();
        assert_eq!(r["retired"][0]["properties"]["status"], "retired");
        assert_eq!(
            r["retired"][0]["properties"]["retired_reason"],
            "split into A-1-1, A-1-2"
        );
        let created = r["created"].as_array().unwrap();
        assert_eq!(created.len(), 2);
        let total: f64 = created
            .iter()
            .map(|f| f["properties"]["area_m2"].as_f64().unwrap())
            .sum();
        let original = a["properties"]["area_m2"].as_f64().unwrap();
        assert!((total - original).abs() < 0.05, "{total} vs {original}");
        assert_eq!(
            created[0]["properties"]["land_use"], "100101",
            "attributes are inherited"
        );
        assert_eq!(created[0]["properties"]["far_max"], 2.5);

        let lineage = get(&svc, &format!("/api/parcels/{id}/lineage"))
            .await
            .expect(200)
            .json();
        assert_eq!(lineage["children"].as_array().unwrap().len(), 2);
        assert_eq!(lineage["children"][0]["operation"], "split");
        let child = created[0]["id"].as_i64().unwrap();
        let back = get(&svc, &format!("/api/parcels/{child}/lineage"))
            .await
            .json();
        assert_eq!(back["parents"][0]["code"], "A-1");
        let h = get(&svc, &format!("/api/parcels/{id}/history"))
            .await
            .json();
        assert_eq!(h["features"][1]["properties"]["change"], "superseded");
        let ch = get(&svc, &format!("/api/parcels/{child}/history"))
            .await
            .json();
        assert_eq!(ch["features"][0]["properties"]["change"], "split_from");
        assert_eq!(ch["features"][0]["properties"]["note"], "split from A-1");

        // A stale ETag cannot split the (now retired) original again.
        post_if(&svc, &url, "\"1\"", &ok).await.problem(412);
    }
);

on_both_backends!(
    merging_adjoining_parcels,
    |app: common::TestDb| async move {
        let svc = app.service().await;
        let park = create_park(&svc, "NCGY").await;
        let a = create_parcel(&svc, park, &parcel("A-1", 116.63, 27.56, 0.001)).await;
        let b = create_parcel(&svc, park, &parcel("A-2", 116.631, 27.56, 0.001)).await;
        let far = create_parcel(&svc, park, &parcel("F-1", 116.64, 27.57, 0.001)).await;
        let url = format!("/api/parks/{park}/parcels/merge");

        let p = post(
            &svc,
            &url,
            &json!({"parcel_ids": [a["id"], far["id"]], "code": "M-1"}),
        )
        .await
        .problem(422);
        assert!(
            p["detail"].as_str().unwrap().contains("do not adjoin"),
            "{p}"
        );
        post(&svc, &url, &json!({"parcel_ids": [a["id"]], "code": "M-1"}))
            .await
            .problem(422);
        post(
            &svc,
            &url,
            &json!({"parcel_ids": [a["id"], b["id"]], "code": "F-1"}),
        )
        .await
        .problem(409);

        let r = post(
            &svc,
            &url,
            &json!({"parcel_ids": [a["id"], b["id"]], "code": "M-1", "name": "合宗地块"}),
        )
        .await
        .expect(200)
        .json();
        let merged = &r["created"][0];
        assert_eq!(merged["properties"]["code"], "M-1");
        assert_eq!(merged["properties"]["name"], "合宗地块");
        let area = merged["properties"]["area_m2"].as_f64().unwrap();
        let sum = a["properties"]["area_m2"].as_f64().unwrap()
            + b["properties"]["area_m2"].as_f64().unwrap();
        assert!((area - sum).abs() < 0.05, "{area} vs {sum}");
        assert_eq!(
            merged["geometry"]["coordinates"].as_array().unwrap().len(),
            1,
            "one piece of land"
        );
        assert_eq!(r["retired"].as_array().unwrap().len(), 2);
        assert!(
            r["retired"]
                .as_array()
                .unwrap()
                .iter()
                .all(|f| f["properties"]["retired_reason"] == "merged into M-1")
        );
        let lineage = get(&svc, &format!("/api/parcels/{}/lineage", merged["id"]))
            .await
            .json();
        assert_eq!(lineage["parents"].as_array().unwrap().len(), 2);

        // Retired parcels cannot be merged again.
        post(
            &svc,
            &url,
            &json!({"parcel_ids": [a["id"], far["id"]], "code": "M-2"}),
        )
        .await
        .problem(409);
        let items = get(&svc, &format!("/collections/parcels/items?park_id={park}"))
            .await
            .json();
        assert_eq!(items["numberMatched"], 2, "M-1 and F-1");
    }
);

on_both_backends!(
    merging_needs_one_status_and_one_park,
    |app: common::TestDb| async move {
        let svc = app.service().await;
        let park = create_park(&svc, "NCGY").await;
        let other = create_park(&svc, "JXGY").await;
        let a = create_parcel(&svc, park, &parcel("A-1", 116.63, 27.56, 0.001)).await;
        let mut reserve = parcel("A-2", 116.631, 27.56, 0.001);
        reserve["properties"]["status"] = json!("reserve");
        let b = create_parcel(&svc, park, &reserve).await;
        let p = post(
            &svc,
            &format!("/api/parks/{park}/parcels/merge"),
            &json!({"parcel_ids": [a["id"], b["id"]], "code": "M"}),
        )
        .await
        .problem(409);
        assert!(
            p["detail"].as_str().unwrap().contains("different statuses"),
            "{p}"
        );
        let p = post(
            &svc,
            &format!("/api/parks/{other}/parcels/merge"),
            &json!({"parcel_ids": [a["id"], b["id"]], "code": "M"}),
        )
        .await
        .problem(409);
        assert!(
            p["detail"]
                .as_str()
                .unwrap()
                .contains("not a parcel of this park"),
            "{p}"
        );
    }
);
