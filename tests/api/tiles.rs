//! OGC API – Tiles: every collection as MVT in WebMercatorQuad, decoded and counted; the same
//! access rules, filters and ETags as the items; properties per zoom; bad tiles refused.

use crate::common;
use crate::common::fixtures::{application_for, create_parcel, create_park_in, parcel};
use crate::common::{get, send};
use crate::ogc_api::{grid, local};
use parkland::domain::access::Role;
use parkland::spatial::mvt::{DecodedFeature, DecodedLayer, decode};
use std::f64::consts::PI;

/// The WebMercatorQuad tile (z, row, column) holding a point.
fn tile_at(lon: f64, lat: f64, z: u8) -> (u8, u32, u32) {
    let n = f64::from(1u32 << z);
    let x = ((lon + 180.0) / 360.0 * n) as u32;
    let lat = lat.to_radians();
    let y = ((1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / PI) / 2.0 * n) as u32;
    (z, y, x)
}

fn tile_url(collection: &str, (z, y, x): (u8, u32, u32), query: &str) -> String {
    format!("/collections/{collection}/tiles/WebMercatorQuad/{z}/{y}/{x}{query}")
}

async fn layer(svc: &common::Client, url: &str) -> DecodedLayer {
    let r = get(svc, url).await.expect(200);
    assert_eq!(
        r.header("content-type").as_deref(),
        Some("application/vnd.mapbox-vector-tile")
    );
    let mut layers = decode(&r.body).expect("a valid MVT");
    assert_eq!(layers.len(), 1, "one layer per collection");
    layers.remove(0)
}

/// The parcel item a tile's feature stands for.
async fn item_of(svc: &common::Client, f: &DecodedFeature) -> serde_json::Value {
    get(
        svc,
        &format!("/collections/parcels/items/{}", f.id.unwrap()),
    )
    .await
    .expect(200)
    .json()
}

async fn matched(svc: &common::Client, query: &str) -> usize {
    get(svc, &format!("/collections/parcels/items?{query}"))
        .await
        .expect(200)
        .json()["numberMatched"]
        .as_u64()
        .unwrap() as usize
}

on_both_backends!(
    a_tile_holds_the_items_of_its_box_with_the_properties_of_its_zoom,
    |app: common::TestDb| async move {
        let svc = app.service().await;
        grid(&svc).await;
        // The grid lies in one z12 tile: every active parcel, once, with its id.
        let z12 = tile_at(116.635, 27.564, 12);
        let all = layer(&svc, &tile_url("parcels", z12, "")).await;
        assert_eq!(all.name, "parcels");
        assert_eq!(all.extent, 4096);
        assert_eq!(all.features.len(), matched(&svc, "").await);
        let mut ids: Vec<u64> = all.features.iter().map(|f| f.id.unwrap()).collect();
        ids.dedup();
        assert_eq!(ids.len(), 20);
        // Low zoom: the codes and status only (on PostGIS written by ST_AsMVT, on SQLite in
        // Rust: the same keys).
        let mut keys: Vec<&str> = all.features[0]
            .properties
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(keys, ["code", "land_use", "status"]);
        assert!(all.features.iter().all(|f| f.rings == 1));
        // With the item's values (on SQLite written from three columns, not from the item).
        for f in all.features.iter().step_by(7) {
            let item = item_of(&svc, f).await;
            for key in ["code", "land_use", "status"] {
                assert_eq!(f.properties[key], item["properties"][key], "{key}");
            }
        }

        // The collection's filters apply to tiles as to items.
        let reserve = layer(&svc, &tile_url("parcels", z12, "?status=reserve")).await;
        assert_eq!(
            reserve.features.len(),
            matched(&svc, "status=reserve").await
        );
        assert!(
            reserve
                .features
                .iter()
                .all(|f| f.properties["status"] == "reserve")
        );

        // High zoom: every property, and only the parcels near the tile.
        let z17 = tile_at(116.6311, 27.5611, 17);
        let near = layer(&svc, &tile_url("parcels", z17, "")).await;
        assert!(!near.features.is_empty() && near.features.len() < 20);
        let f = &near.features[0];
        assert_eq!(f.properties["code"], "G-0-0");
        // The same values as the item (on PostGIS written by SQL, on SQLite from the item).
        let item = item_of(&svc, f).await;
        for key in [
            "name",
            "area_m2",
            "area_mu",
            "far_max",
            "site_levelled",
            "park_id",
            "version",
        ] {
            assert_eq!(
                f.properties[key]
                    .as_f64()
                    .or_else(|| f.properties[key].as_bool().map(f64::from)),
                item["properties"][key]
                    .as_f64()
                    .or_else(|| item["properties"][key].as_bool().map(f64::from)),
                "{key}"
            );
        }
        assert_eq!(f.properties["name"], item["properties"]["name"]);
        assert!(!f.properties.contains_key("far_min") || f.properties["far_min"] == 1.0);

        // `properties=` picks a tile's members as it picks an item's, and it is still a tile.
        let picked = layer(&svc, &tile_url("parcels", z17, "?properties=name,status")).await;
        assert_eq!(picked.features.len(), near.features.len());
        let f = picked
            .features
            .iter()
            .find(|f| f.id == near.features[0].id)
            .unwrap();
        let mut keys: Vec<&str> = f.properties.keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(keys, ["name", "status"]);
        assert_eq!(f.properties["name"], item["properties"]["name"]);

        // A tile with nothing in it is 204; tiles revalidate with their ETag.
        let empty = get(&svc, &tile_url("parcels", tile_at(100.0, 30.0, 12), "")).await;
        assert_eq!(empty.status.as_u16(), 204);
        let first = get(&svc, &tile_url("parcels", z12, "")).await.expect(200);
        let etag = first.etag();
        assert_eq!(
            first.header("cache-control").as_deref(),
            Some("private, no-cache")
        );
        let again = send(
            &svc,
            actix_web::test::TestRequest::get()
                .uri(&tile_url("parcels", z12, ""))
                .insert_header(("if-none-match", etag.as_str())),
        )
        .await;
        assert_eq!(again.status.as_u16(), 304);
    }
);

on_both_backends!(
    a_tile_changes_with_the_next_write,
    |app: common::TestDb| async move {
        // On PostGIS parcel tiles are kept until the register changes: a write must show in
        // the next tile, and the old ETag must no longer revalidate it.
        let svc = app.service().await;
        let park = grid(&svc).await;
        let z12 = tile_at(116.635, 27.564, 12);
        let url = tile_url("parcels", z12, "");
        let before = get(&svc, &url).await.expect(200);
        let etag = before.etag();
        assert_eq!(decode(&before.body).unwrap()[0].features.len(), 20);
        assert_eq!(get(&svc, &url).await.expect(200).etag(), etag);

        let plot = create_parcel(&svc, park, &parcel("G-9-9", 116.645, 27.57, 0.001)).await["id"]
            .as_i64()
            .unwrap();
        let after = get(&svc, &url).await.expect(200);
        assert_eq!(decode(&after.body).unwrap()[0].features.len(), 21);
        let again = send(
            &svc,
            actix_web::test::TestRequest::get()
                .uri(&url)
                .insert_header(("if-none-match", etag.as_str())),
        )
        .await;
        assert_eq!(again.status.as_u16(), 200, "the old ETag is stale");

        // An application changes no land: kept tiles and watched parks stay as they are. Its
        // acceptance reserves the plot — a land change the next tile shows.
        let head = || parkland::store::audit::register_head(&mut app.conn()).unwrap();
        let before_application = head();
        let alice = app
            .service_as(app.token_for("alice", Role::Applicant, None, &[]))
            .await;
        let a = common::post(&alice, "/api/applications", &application_for(plot))
            .await
            .expect(201)
            .json();
        assert_eq!(
            head(),
            before_application,
            "an application is not a land change"
        );
        let status = |body: &[u8]| {
            let layers = decode(body).unwrap();
            let f = layers[0]
                .features
                .iter()
                .find(|f| f.properties["code"] == "G-9-9")
                .cloned()
                .unwrap();
            f.properties["status"].as_str().unwrap().to_owned()
        };
        assert_eq!(status(&get(&svc, &url).await.expect(200).body), "available");
        common::post(
            &svc,
            &format!("/api/applications/{}/decision", a["id"]),
            &serde_json::json!({"accept": true}),
        )
        .await
        .expect(200);
        assert!(
            head() > before_application,
            "a reserved plot is a land change"
        );
        assert_eq!(status(&get(&svc, &url).await.expect(200).body), "reserved");
    }
);

on_both_backends!(
    tiles_obey_the_access_rules_of_their_collection,
    |app: common::TestDb| async move {
        let admin = app.service().await;
        let ours = create_park_in(&admin, "NCGY", "361021").await;
        let theirs = create_park_in(&admin, "LCGY", "361002").await;
        create_parcel(&admin, ours, &parcel("A-1", 116.63, 27.56, 0.002)).await;
        create_parcel(&admin, theirs, &parcel("B-1", 116.635, 27.565, 0.002)).await;
        let z12 = tile_at(116.635, 27.564, 12);

        let anonymous = app.anonymous().await;
        get(&anonymous, &tile_url("parcels", z12, ""))
            .await
            .problem(401);
        get(&anonymous, &tile_url("idle-land", z12, ""))
            .await
            .problem(401);
        let applicant = app
            .service_as(app.token_for("alice", Role::Applicant, None, &[]))
            .await;
        get(&applicant, &tile_url("parcels", z12, ""))
            .await
            .problem(403);
        // The public parks layer: anyone, and a shared cache may keep it.
        let parks = get(&anonymous, &tile_url("parks", z12, ""))
            .await
            .expect(200);
        assert_eq!(
            parks.header("cache-control").as_deref(),
            Some("public, no-cache")
        );
        assert_eq!(decode(&parks.body).unwrap()[0].features.len(), 2);

        // A committee's tile shows its own park's parcels only.
        let committee = app
            .service_as(app.token_for("nc.committee", Role::Committee, None, &[ours]))
            .await;
        let codes: Vec<String> = layer(&committee, &tile_url("parcels", z12, ""))
            .await
            .features
            .iter()
            .map(|f| f.properties["code"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(codes, ["A-1"]);
        assert_eq!(
            layer(&admin, &tile_url("parcels", z12, ""))
                .await
                .features
                .len(),
            2
        );
    }
);

on_both_backends!(
    every_collection_has_tiles_and_bad_tiles_are_refused,
    |app: common::TestDb| async move {
        let svc = app.service().await;
        grid(&svc).await;
        let z12 = tile_at(116.635, 27.564, 12);
        let collections = get(&svc, "/collections").await.expect(200).json();
        for c in collections["collections"].as_array().unwrap() {
            let id = c["id"].as_str().unwrap();
            let tilesets = c["links"]
                .as_array()
                .unwrap()
                .iter()
                .find(|l| l["rel"] == "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector")
                .unwrap_or_else(|| panic!("{id} links its tilesets"));
            get(&svc, &local(tilesets["href"].as_str().unwrap()))
                .await
                .expect(200);
            let tilejson = get(
                &svc,
                &format!("/collections/{id}/tiles/WebMercatorQuad/tilejson?park_id=1"),
            )
            .await
            .expect(200)
            .json();
            let template = tilejson["tiles"][0].as_str().unwrap();
            assert!(template.ends_with("/{z}/{y}/{x}?park_id=1"), "{template}");
            let r = get(&svc, &tile_url(id, z12, "")).await;
            assert!(
                matches!(r.status.as_u16(), 200 | 204),
                "{id}: {} {}",
                r.status,
                r.text()
            );
            if r.status.as_u16() == 200 {
                decode(&r.body).unwrap_or_else(|e| panic!("{id}: {e}"));
            }
        }
        let tms = get(&svc, "/tileMatrixSets/WebMercatorQuad")
            .await
            .expect(200)
            .json();
        assert_eq!(tms["tileMatrices"].as_array().unwrap().len(), 25);
        assert_eq!(tms["crs"], "http://www.opengis.net/def/crs/EPSG/0/3857");
        let conformance = get(&svc, "/conformance").await.expect(200).json();
        assert!(
            conformance["conformsTo"]
                .as_array()
                .unwrap()
                .contains(&serde_json::json!(
                    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt"
                ))
        );

        // Out of the matrix, an unknown matrix set, a parameter that is the tile's own.
        get(&svc, "/collections/parcels/tiles/WebMercatorQuad/3/0/8")
            .await
            .problem(404);
        get(&svc, "/collections/parcels/tiles/WebMercatorQuad/25/0/0")
            .await
            .problem(404);
        get(&svc, "/collections/parcels/tiles/WorldCRS84Quad/3/0/0")
            .await
            .problem(404);
        get(&svc, "/collections/roads/tiles/WebMercatorQuad/3/0/0")
            .await
            .problem(404);
        let p = get(&svc, &tile_url("parcels", z12, "?bbox=1,2,3,4"))
            .await
            .problem(400);
        assert!(p["detail"].as_str().unwrap().contains("`bbox`"), "{p}");
        get(&svc, &tile_url("parcels", z12, "?status=sold"))
            .await
            .problem(400);
    }
);

/// PostgreSQL would JIT-compile every tile query (PostGIS's functions are declared expensive,
/// so the plan's cost passes `jit_above_cost`) and start parallel workers for a map page: both
/// cost milliseconds a request for nothing. A connection made by the service's pool has both
/// off.
#[actix_web::test]
async fn the_service_s_postgres_connections_neither_compile_nor_fork() {
    use diesel::prelude::*;
    #[derive(QueryableByName)]
    struct Setting {
        #[diesel(sql_type = diesel::sql_types::Text)]
        setting: String,
    }
    let Some(app) = common::TestDb::postgres() else {
        return;
    };
    let setting = |name: &str| -> String {
        diesel::sql_query(format!("SELECT current_setting('{name}') AS setting"))
            .get_result::<Setting>(&mut **app.conn())
            .unwrap()
            .setting
    };
    assert_eq!(setting("jit"), "off");
    assert_eq!(setting("max_parallel_workers_per_gather"), "0");
}
