//! The embedded map dashboard as the server delivers it: browsers opening `/` are sent to it,
//! API clients are not; its files come with content types, ETags and a policy that lets its
//! script, worker and configured base map run and nothing else. (What the page does is tested
//! in a real browser: tests/browser/.)

use crate::common;
use crate::common::send;
use actix_web::test::TestRequest;
use parkland::config::{BasemapConfig, HttpConfig};

on_both_backends!(
    browsers_get_the_dashboard_and_gis_clients_the_landing_page,
    |app: common::TestDb| async move {
        let anonymous = app.anonymous().await;
        let browser = TestRequest::get()
            .uri("/")
            .insert_header(("accept", "text/html,application/xhtml+xml,*/*;q=0.8"));
        let r = send(&anonymous, browser).await;
        assert_eq!(r.status, 303);
        assert_eq!(
            r.header("location").as_deref(),
            Some("dashboard/"),
            "relative: right behind a proxy too"
        );
        // QGIS and GDAL ask for JSON (or anything) and get the OGC landing page, linking the map.
        for accept in ["application/json", "*/*"] {
            let r = send(
                &anonymous,
                TestRequest::get()
                    .uri("/")
                    .insert_header(("accept", accept)),
            )
            .await
            .expect(200);
            assert!(r.text().contains("/dashboard/"), "{}", r.text());
        }
        let r = send(&anonymous, TestRequest::get().uri("/dashboard")).await;
        assert_eq!(r.status, 303);
        assert_eq!(r.header("location").as_deref(), Some("dashboard/"));

        let page = send(&anonymous, TestRequest::get().uri("/dashboard/"))
            .await
            .expect(200);
        assert_eq!(
            page.header("content-type").as_deref(),
            Some("text/html; charset=utf-8")
        );
        assert!(
            page.text().contains(r#"src="app.js""#),
            "the built dashboard, not the placeholder (is Node.js installed?): {}",
            page.text()
        );
        let csp = page.header("content-security-policy").unwrap();
        assert!(
            csp.contains("script-src 'self';") && csp.contains("worker-src 'self' blob:"),
            "{csp}"
        );

        let script = send(&anonymous, TestRequest::get().uri("/dashboard/app.js"))
            .await
            .expect(200);
        assert!(
            script
                .header("content-type")
                .unwrap()
                .starts_with("text/javascript")
        );
        // The entry is small; MapLibre (and the charts) are chunks it loads, served beside it.
        let entry = String::from_utf8_lossy(&script.body).into_owned();
        let chunks: std::collections::BTreeSet<&str> = entry
            .match_indices("chunk-")
            .filter_map(|(i, _)| {
                let name = &entry[i..];
                let end = name.find(".js")?;
                name[6..end]
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric())
                    .then(|| &name[..end + 3])
            })
            .collect();
        let mut largest = 0;
        for chunk in &chunks {
            let r = send(
                &anonymous,
                TestRequest::get().uri(&format!("/dashboard/{chunk}")),
            )
            .await
            .expect(200);
            largest = largest.max(r.body.len());
        }
        assert!(
            largest > 500_000,
            "MapLibre is bundled, in a chunk of its own: {chunks:?}"
        );
        let etag = script.header("etag").unwrap();
        let again = send(
            &anonymous,
            TestRequest::get()
                .uri("/dashboard/app.js")
                .insert_header(("if-none-match", etag.as_str())),
        )
        .await;
        assert_eq!(again.status, 304);
        send(
            &anonymous,
            TestRequest::get().uri("/dashboard/maplibre-gl-worker.mjs"),
        )
        .await
        .expect(200);
        send(&anonymous, TestRequest::get().uri("/dashboard/app.css"))
            .await
            .expect(200);
        let missing = send(&anonymous, TestRequest::get().uri("/dashboard/secrets.txt"))
            .await
            .problem(404);
        assert!(missing["detail"].as_str().unwrap().contains("secrets.txt"));

        // No base map by default: the page draws on a plain background, offline too.
        let config = send(&anonymous, TestRequest::get().uri("/dashboard/config.json"))
            .await
            .expect(200)
            .json();
        assert_eq!(config, serde_json::json!({"basemap": null}));
    }
);

on_both_backends!(
    a_configured_base_map_reaches_the_page_and_its_policy,
    |app: common::TestDb| async move {
        let config = HttpConfig {
            basemap: BasemapConfig {
                url: Some(
                    "https://webrd0{s}.is.autonavi.com/appmaptile?style=8&x={x}&y={y}&z={z}".into(),
                ),
                coordinates: "gcj02".into(),
                subdomains: "1234".into(),
                attribution: "© 高德地图".into(),
                max_zoom: 18,
            },
            ..HttpConfig::default()
        };
        let svc = app.service_with(config).await;
        let r = send(&svc, TestRequest::get().uri("/dashboard/config.json"))
            .await
            .expect(200);
        let c = r.json();
        assert_eq!(c["basemap"]["coordinates"], "gcj02");
        assert_eq!(c["basemap"]["subdomains"], "1234");
        let csp = send(&svc, TestRequest::get().uri("/dashboard/"))
            .await
            .expect(200)
            .header("content-security-policy")
            .unwrap();
        assert!(
            csp.contains("img-src 'self' data: blob: https://*.is.autonavi.com;")
                && csp.contains("connect-src 'self' https://*.is.autonavi.com;"),
            "{csp}"
        );
        // Everything else keeps the API's closed policy.
        let api = send(&svc, TestRequest::get().uri("/collections"))
            .await
            .expect(200)
            .header("content-security-policy")
            .unwrap();
        assert_eq!(api, "default-src 'none'; frame-ancestors 'none'");
    }
);
