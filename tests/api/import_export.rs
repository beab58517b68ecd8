//! Import (GeoJSON, zipped shapefiles in GBK and Gauss-Krüger) and export (GeoJSON, CSV):
//! all-or-nothing, with a report naming every refused feature.

use crate::common;
use crate::common::fixtures::{create_parcel, create_park, parcel, polygon};
use crate::common::{get, send};
use actix_web::test::TestRequest;
use serde_json::{Value, json};

const SHAPEFILE: &[u8] = include_bytes!("../data/nancheng_4527_gbk.zip");

const XIAN80: &str = r#"PROJCS["Xian_1980_3_Degree_GK_Zone_39",GEOGCS["GCS_Xian_1980",DATUM["D_Xian_1980",SPHEROID["Xian_1980",6378140.0,298.257]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Gauss_Kruger"],PARAMETER["False_Easting",39500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",117.0],PARAMETER["Scale_Factor",1.0],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]"#;

/// The fixture shapefile with another .prj.
fn with_prj(prj: &str) -> Vec<u8> {
    let mut source = zip::ZipArchive::new(std::io::Cursor::new(SHAPEFILE)).unwrap();
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut out);
        for i in 0..source.len() {
            let mut entry = source.by_index(i).unwrap();
            let name = entry.name().unwrap().into_owned();
            zip.start_file(name.as_str(), zip::write::SimpleFileOptions::default())
                .unwrap();
            if name.ends_with(".prj") {
                std::io::Write::write_all(&mut zip, prj.as_bytes()).unwrap();
            } else {
                std::io::copy(&mut entry, &mut zip).unwrap();
            }
        }
        zip.finish().unwrap();
    }
    out.into_inner()
}

fn upload(uri: &str, content_type: &str, body: Vec<u8>) -> TestRequest {
    TestRequest::post()
        .uri(uri)
        .insert_header(("content-type", content_type))
        .set_payload(body)
}

on_both_backends!(
    a_gbk_shapefile_in_gauss_kruger_is_imported,
    |app: common::TestDb| async move {
        let svc = app.service().await;
        let park = create_park(&svc, "NCGY").await;
        let uri = format!("/api/parks/{park}/parcels/import");
        let dry = send(
            &svc,
            upload(
                &format!("{uri}?dry_run=true"),
                "application/zip",
                SHAPEFILE.to_vec(),
            ),
        )
        .await
        .expect(200)
        .json();
        assert_eq!(
            (
                dry["features"].as_i64(),
                dry["created"].as_i64(),
                dry["dry_run"].as_bool()
            ),
            (Some(6), Some(0), Some(true))
        );
        assert_eq!(
            common::matched(&svc, &format!("park_id={park}")).await,
            0,
            "a dry run writes nothing"
        );

        let report = send(&svc, upload(&uri, "application/zip", SHAPEFILE.to_vec()))
            .await
            .expect(201)
            .json();
        assert_eq!(report["created"], 6);
        assert_eq!(report["crs"], "EPSG:4527", "read from the .prj");
        assert_eq!(report["encoding"], "GBK", "read from the .cpg");
        assert_eq!(report["warnings"][0]["feature"], 6, "{report}");
        assert!(
            report["warnings"][0]["reasons"][0]
                .as_str()
                .unwrap()
                .contains("99999.00 m²"),
            "{report}"
        );

        let items = get(
            &svc,
            &format!("/collections/parcels/items?park_id={park}&code=361021001001GB00102"),
        )
        .await
        .json();
        let p = &items["features"][0]["properties"];
        assert_eq!(p["name"], "光电产业园2号地", "GBK attributes decoded");
        assert_eq!(p["land_use"], "100102", "二类工业用地 mapped to its code");
        assert_eq!(p["status"], "reserve", "储备");
        assert_eq!(p["far_max"], 2.0);
        let area = p["area_m2"].as_f64().unwrap();
        // A 0.0015° square at 27.565°N drawn in lon/lat, projected to zone 39 and back.
        assert!((area - 24_622.0).abs() < 5.0, "{area}");
        let history = get(
            &svc,
            &format!("/api/parcels/{}/history", items["features"][0]["id"]),
        )
        .await
        .json();
        assert_eq!(history["features"][0]["properties"]["change"], "imported");

        // The same file again: every feature is refused, by name, and nothing is written.
        let p = send(&svc, upload(&uri, "application/zip", SHAPEFILE.to_vec()))
            .await
            .problem(422);
        assert_eq!(p["type"], "tag:parkland,2026:problem:import-rejected");
        let rejected = p["rejected"].as_array().unwrap();
        assert_eq!(rejected.len(), 6);
        assert_eq!(rejected[0]["code"], "361021001001GB00101");
        assert!(
            rejected[0]["reasons"].as_array().unwrap().iter().any(|r| r
                .as_str()
                .unwrap()
                .contains("overlaps parcel 361021001001GB00101")),
            "{p}"
        );
        assert_eq!(common::matched(&svc, &format!("park_id={park}")).await, 6);
    }
);

on_both_backends!(
    one_bad_feature_stops_the_whole_import,
    |app: common::TestDb| async move {
        let svc = app.service().await;
        let park = create_park(&svc, "NCGY").await;
        create_parcel(&svc, park, &parcel("EXISTING", 116.65, 27.57, 0.002)).await;
        let feature = |props: Value, geometry: Value| json!({"type": "Feature", "properties": props, "geometry": geometry});
        let file = json!({"type": "FeatureCollection", "features": [
            feature(json!({"code": "OK-1", "land_use": "100101"}), polygon(116.63, 27.56, 116.632, 27.562)),
            feature(json!({"land_use": "100101"}), polygon(116.633, 27.56, 116.634, 27.561)),
            feature(json!({"code": "BOW", "land_use": "100101"}), json!({"type": "Polygon", "coordinates": [[[116.635, 27.56], [116.636, 27.561], [116.636, 27.56], [116.635, 27.561], [116.635, 27.56]]]})),
            feature(json!({"code": "OVER", "land_use": "100101"}), polygon(116.631, 27.561, 116.633, 27.563)),
            feature(json!({"code": "OUT", "land_use": "100101"}), polygon(116.659, 27.57, 116.662, 27.572)),
            feature(json!({"code": "LINE", "land_use": "100101"}), json!({"type": "LineString", "coordinates": [[116.64, 27.56], [116.641, 27.56]]})),
            feature(json!({"code": "OK-1", "land_use": "100101"}), polygon(116.64, 27.56, 116.641, 27.561)),
            feature(json!({"code": "HIT", "land_use": "100101"}), polygon(116.6505, 27.5705, 116.6515, 27.5715)),
            feature(json!({"code": "ZONE", "land_use": "100101", "zone": "NOWHERE"}), polygon(116.642, 27.56, 116.643, 27.561)),
            feature(json!({"code": "USE", "land_use": "9999"}), polygon(116.644, 27.56, 116.645, 27.561)),
        ]});
        let p = send(
            &svc,
            upload(
                &format!("/api/parks/{park}/parcels/import"),
                "application/geo+json",
                file.to_string().into_bytes(),
            ),
        )
        .await
        .problem(422);
        let rejected = p["rejected"].as_array().unwrap();
        let by_feature: Vec<(i64, String)> = rejected
            .iter()
            .map(|r| {
                (
                    r["feature"].as_i64().unwrap(),
                    r["reasons"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|x| x.as_str().unwrap())
                        .collect::<Vec<_>>()
                        .join(" | "),
                )
            })
            .collect();
        let expect = [
            (2, "no parcel code"),
            (3, "self-intersection"),
            (4, "overlaps feature 1 (OK-1)"),
            (5, "outside the boundary"),
            (6, "got LineString"),
            (7, "also used by feature 1"),
            (8, "overlaps parcel EXISTING"),
            (9, "no zone NOWHERE"),
            (10, "land-use class"),
        ];
        assert_eq!(by_feature.len(), expect.len(), "{by_feature:#?}");
        for ((n, reasons), (en, text)) in by_feature.iter().zip(expect) {
            assert_eq!(*n, en);
            assert!(
                reasons.contains(text),
                "feature {n}: expected `{text}` in `{reasons}`"
            );
        }
        assert_eq!(
            common::matched(&svc, &format!("park_id={park}")).await,
            1,
            "nothing of the file was written"
        );
    }
);

on_both_backends!(
    unreadable_uploads_are_refused_cleanly,
    |app: common::TestDb| async move {
        let svc = app.service().await;
        let park = create_park(&svc, "NCGY").await;
        let uri = format!("/api/parks/{park}/parcels/import");
        let p = send(
            &svc,
            upload(
                &uri,
                "application/zip",
                b"PK\x03\x04 definitely not a zip".to_vec(),
            ),
        )
        .await
        .problem(422);
        assert!(p["detail"].as_str().unwrap().contains("zip"), "{p}");
        let p = send(
            &svc,
            upload(
                &uri,
                "application/geo+json",
                b"{\"type\": \"Feature\"}".to_vec(),
            ),
        )
        .await
        .problem(422);
        assert!(
            p["detail"].as_str().unwrap().contains("FeatureCollection"),
            "{p}"
        );

        // An archive with a path that would escape its folder.
        let mut buf = std::io::Cursor::new(Vec::new());
        {
            let mut zip = zip::ZipWriter::new(&mut buf);
            zip.start_file(
                "../../etc/parcels.shp",
                zip::write::SimpleFileOptions::default(),
            )
            .unwrap();
            std::io::Write::write_all(&mut zip, b"x").unwrap();
            zip.finish().unwrap();
        }
        let p = send(&svc, upload(&uri, "application/zip", buf.into_inner()))
            .await
            .problem(422);
        assert!(p["detail"].as_str().unwrap().contains("unsafe path"), "{p}");

        send(
            &svc,
            upload(
                &format!("{uri}?crs=EPSG:3857"),
                "application/zip",
                SHAPEFILE.to_vec(),
            ),
        )
        .await
        .problem(400);
        send(
            &svc,
            upload(
                &format!("{uri}?encoding=klingon"),
                "application/zip",
                SHAPEFILE.to_vec(),
            ),
        )
        .await
        .problem(400);
        send(
            &svc,
            upload(
                &format!("{uri}?colour=red"),
                "application/zip",
                SHAPEFILE.to_vec(),
            ),
        )
        .await
        .problem(400);
        send(
            &svc,
            upload(
                "/api/parks/999/parcels/import",
                "application/zip",
                SHAPEFILE.to_vec(),
            ),
        )
        .await
        .problem(404);
        // The same shapefile with a .prj saying Xi'an 1980 is refused with the reason.
        let p = send(&svc, upload(&uri, "application/zip", with_prj(XIAN80)))
            .await
            .problem(422);
        assert!(p["detail"].as_str().unwrap().contains("Xi'an 1980"), "{p}");
        assert_eq!(common::matched(&svc, &format!("park_id={park}")).await, 0);

        let small = parkland::config::HttpConfig {
            max_upload_bytes: 1000,
            ..Default::default()
        };
        let svc = app.service_with(small).await;
        send(&svc, upload(&uri, "application/zip", SHAPEFILE.to_vec()))
            .await
            .problem(413);
    }
);

on_both_backends!(
    exports_carry_area_in_square_metres_and_mu,
    |app: common::TestDb| async move {
        let svc = app.service().await;
        let park = create_park(&svc, "NCGY").await;
        create_parcel(&svc, park, &parcel("A-1", 116.63, 27.56, 0.002)).await;
        create_parcel(&svc, park, &parcel("A-2", 116.632, 27.56, 0.002)).await;
        let csv = get(
            &svc,
            &format!("/api/parks/{park}/parcels/export?format=csv"),
        )
        .await
        .expect(200);
        assert_eq!(
            csv.header("content-type").as_deref(),
            Some("text/csv; charset=utf-8")
        );
        assert!(
            csv.header("content-disposition")
                .unwrap()
                .contains("NCGY-parcels.csv")
        );
        let text = csv.text();
        assert!(text.starts_with('\u{feff}'), "a BOM for Excel");
        let mut rows = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
        let headers = rows.headers().unwrap().clone();
        assert!(
            headers.iter().any(|h| h == "area_m2")
                && headers.iter().any(|h| h == "area_mu")
                && headers.iter().any(|h| h == "wkt")
        );
        let records: Vec<_> = rows.records().map(Result::unwrap).collect();
        assert_eq!(records.len(), 2);
        let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
        let m2: f64 = records[0][col("area_m2")].parse().unwrap();
        let mu: f64 = records[0][col("area_mu")].parse().unwrap();
        assert!((mu - m2 * 15.0 / 10_000.0).abs() < 1e-3);
        assert!(records[0][col("wkt")].starts_with("MULTIPOLYGON ((("));

        let geojson = get(&svc, &format!("/api/parks/{park}/parcels/export"))
            .await
            .expect(200)
            .json();
        assert_eq!(geojson["features"].as_array().unwrap().len(), 2);
        get(
            &svc,
            &format!("/api/parks/{park}/parcels/export?format=kml"),
        )
        .await
        .problem(400);

        // What was exported imports again into another park (round trip).
        let other = common::fixtures::create_park(&svc, "COPY").await;
        let mut body = geojson.clone();
        for f in body["features"].as_array_mut().unwrap() {
            let props = f["properties"].as_object_mut().unwrap();
            props.retain(|k, _| {
                [
                    "code",
                    "name",
                    "land_use",
                    "status",
                    "far_min",
                    "far_max",
                    "infrastructure",
                    "site_levelled",
                ]
                .contains(&k.as_str())
            });
        }
        let r = send(
            &svc,
            upload(
                &format!("/api/parks/{other}/parcels/import"),
                "application/geo+json",
                body.to_string().into_bytes(),
            ),
        )
        .await
        .expect(201)
        .json();
        assert_eq!(r["created"], 2);
    }
);
