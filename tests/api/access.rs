//! Who may see and change what: every endpoint × every role, on both backends.
//!
//! The endpoint list comes from the OpenAPI document, so an endpoint added without a line in
//! the matrix below fails this test. Each cell says what the role must get: allowed (anything
//! but 401/403 — the request bodies here are deliberately incomplete, so allowed writes answer
//! 4xx validation errors and change nothing), 401 or 403.

use crate::common;
use crate::common::fixtures::{create_parcel, create_park, east_zone, parcel, park_feature};
use crate::common::{get, post, send};
use parkland::domain::access::Role;
use serde_json::json;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Want {
    Ok,
    Unauthorized,
    Forbidden,
}
use Want::{Forbidden as F, Ok as A, Unauthorized as U};

/// The callers, in the order of the matrix columns.
const ROLES: [&str; 7] = [
    "anonymous",
    "admin",
    "bureau",
    "bureau_elsewhere",
    "committee",
    "committee_elsewhere",
    "applicant",
];

/// (method, path) → what each role of ROLES gets. Paths refer to park A (361021, 南城), where
/// `bureau` (jurisdiction 361021) and `committee` (park A) work; the `_elsewhere` users belong
/// to park B (361002, 临川).
fn matrix() -> Vec<(&'static str, &'static str, [Want; 7])> {
    let public = [A, A, A, A, A, A, A];
    let register_read = [U, A, A, F, A, F, F];
    let parcel_write = [U, A, A, F, F, F, F];
    let park_write = [U, A, A, F, A, F, F];
    let admin_only = [U, A, F, F, F, F, F];
    let audit = [U, A, A, A, F, F, F];
    let any_user = [U, A, A, A, A, A, A];
    // Lists filtered to what the caller may read: every bureau and committee gets its own.
    let listed = [U, A, A, A, A, A, F];
    let directory = [U, A, A, A, A, A, F];
    // Enterprise 1 holds land in park A: its committee may correct it, park B's may not.
    let enterprise_edit = [U, A, A, A, A, F, F];
    // Workshops and leases are the committee's estate; the bureau reads them.
    let facilities_write = [U, A, F, F, A, F, F];
    let applicant_only = [U, A, F, F, F, F, A];
    vec![
        ("GET", "/", public),
        ("GET", "/conformance", public),
        ("GET", "/collections", public),
        // `parcels` stands for the private collections: described only to register readers.
        ("GET", "/collections/{collection_id}", listed),
        ("GET", "/collections/{collection_id}/queryables", listed),
        ("GET", "/tileMatrixSets", public),
        ("GET", "/tileMatrixSets/WebMercatorQuad", public),
        ("GET", "/collections/{collection_id}/tiles", listed),
        (
            "GET",
            "/collections/{collection_id}/tiles/WebMercatorQuad",
            listed,
        ),
        (
            "GET",
            "/collections/{collection_id}/tiles/WebMercatorQuad/tilejson",
            listed,
        ),
        // A real tile over park A: the parcels' items, as a tile.
        (
            "GET",
            "/collections/{collection_id}/tiles/{tile_matrix_set_id}/{tile_matrix}/{tile_row}/{tile_col}",
            listed,
        ),
        ("GET", "/collections/parks/items", public),
        ("GET", "/collections/parks/items/{feature_id}", public),
        ("GET", "/collections/zones/items", public),
        ("GET", "/collections/zones/items/{feature_id}", public),
        ("GET", "/collections/available-plots/items", public),
        (
            "GET",
            "/collections/available-plots/items/{feature_id}",
            public,
        ),
        ("GET", "/collections/parcels/items", [U, A, A, A, A, A, F]),
        (
            "GET",
            "/collections/parcels/items/{feature_id}",
            register_read,
        ),
        ("GET", "/health", public),
        ("GET", "/ready", public),
        ("GET", "/api/parks", public),
        // Any bureau may create parks in its own jurisdiction (the body decides; see below).
        ("POST", "/api/parks", [U, A, A, A, F, F, F]),
        ("GET", "/api/parks/{park_id}", public),
        ("PATCH", "/api/parks/{park_id}", park_write),
        ("GET", "/api/parks/{park_id}/zones", public),
        ("POST", "/api/parks/{park_id}/zones", park_write),
        ("GET", "/api/parks/{park_id}/available-plots", public),
        ("GET", "/api/zones/{zone_id}", public),
        ("PATCH", "/api/zones/{zone_id}", park_write),
        ("POST", "/api/parks/{park_id}/parcels", parcel_write),
        ("POST", "/api/parks/{park_id}/parcels/merge", parcel_write),
        ("POST", "/api/parks/{park_id}/parcels/import", parcel_write),
        ("GET", "/api/parks/{park_id}/parcels/export", register_read),
        ("GET", "/api/parcels/{parcel_id}", register_read),
        ("PATCH", "/api/parcels/{parcel_id}", parcel_write),
        ("POST", "/api/parcels/{parcel_id}/retire", parcel_write),
        ("POST", "/api/parcels/{parcel_id}/split", parcel_write),
        ("GET", "/api/parcels/{parcel_id}/history", register_read),
        ("GET", "/api/parcels/{parcel_id}/lineage", register_read),
        ("GET", "/api/me", any_user),
        ("GET", "/api/audit/verify", admin_only),
        ("GET", "/api/users", admin_only),
        ("POST", "/api/users", admin_only),
        ("GET", "/api/users/{user_id}", admin_only),
        ("PATCH", "/api/users/{user_id}", admin_only),
        ("GET", "/api/users/{user_id}/tokens", admin_only),
        ("POST", "/api/users/{user_id}/tokens", admin_only),
        ("POST", "/api/tokens/{token_id}/revoke", admin_only),
        ("GET", "/api/audit", audit),
        ("GET", "/api/enterprises", directory),
        ("POST", "/api/enterprises", directory),
        ("GET", "/api/enterprises/{enterprise_id}", directory),
        ("PATCH", "/api/enterprises/{enterprise_id}", enterprise_edit),
        ("POST", "/api/parcels/{parcel_id}/supplies", parcel_write),
        ("GET", "/api/parcels/{parcel_id}/supplies", register_read),
        ("GET", "/api/supplies/{supply_id}", register_read),
        ("POST", "/api/supplies/{supply_id}/end", parcel_write),
        ("POST", "/api/supplies/{supply_id}/facts", parcel_write),
        ("GET", "/api/supplies/{supply_id}/facts", register_read),
        ("POST", "/api/supplies/{supply_id}/idle-cases", parcel_write),
        ("GET", "/api/idle-cases", listed),
        ("GET", "/api/idle-cases/{case_id}", register_read),
        ("POST", "/api/idle-cases/{case_id}/steps", parcel_write),
        ("GET", "/api/idle-land", listed),
        ("GET", "/api/underused-land", listed),
        ("GET", "/collections/idle-land/items", listed),
        (
            "GET",
            "/collections/idle-land/items/{feature_id}",
            register_read,
        ),
        ("GET", "/collections/underused-land/items", listed),
        (
            "GET",
            "/collections/underused-land/items/{feature_id}",
            register_read,
        ),
        ("GET", "/collections/capacity-reviews/items", listed),
        (
            "GET",
            "/collections/capacity-reviews/items/{feature_id}",
            register_read,
        ),
        (
            "POST",
            "/api/parcels/{parcel_id}/workshops",
            facilities_write,
        ),
        ("GET", "/api/workshops/{workshop_id}", register_read),
        ("PATCH", "/api/workshops/{workshop_id}", facilities_write),
        (
            "POST",
            "/api/workshops/{workshop_id}/progress",
            facilities_write,
        ),
        (
            "GET",
            "/api/workshops/{workshop_id}/progress",
            register_read,
        ),
        (
            "POST",
            "/api/workshops/{workshop_id}/units",
            facilities_write,
        ),
        ("GET", "/api/workshops/{workshop_id}/units", register_read),
        ("POST", "/api/units/{unit_id}/leases", facilities_write),
        ("GET", "/api/units/{unit_id}/leases", register_read),
        ("POST", "/api/leases/{lease_id}/end", facilities_write),
        ("GET", "/api/workshop-deadlines", listed),
        ("GET", "/api/occupancy", listed),
        ("GET", "/api/idle-units", listed),
        ("GET", "/collections/workshops/items", listed),
        (
            "GET",
            "/collections/workshops/items/{feature_id}",
            register_read,
        ),
        ("GET", "/collections/available-units/items", public),
        (
            "GET",
            "/collections/available-units/items/{feature_id}",
            public,
        ),
        ("GET", "/api/investment-units", directory),
        ("POST", "/api/investment-units", directory),
        (
            "POST",
            "/api/investment-units/{investment_unit_id}/plans",
            directory,
        ),
        ("POST", "/api/parks/{park_id}/projects", facilities_write),
        ("GET", "/api/parks/{park_id}/projects", register_read),
        ("GET", "/api/projects/{project_id}", register_read),
        ("PATCH", "/api/projects/{project_id}", facilities_write),
        (
            "POST",
            "/api/projects/{project_id}/stages",
            facilities_write,
        ),
        (
            "POST",
            "/api/projects/{project_id}/investment",
            facilities_write,
        ),
        (
            "GET",
            "/api/parks/{park_id}/reports/pipeline",
            register_read,
        ),
        ("POST", "/api/entry-check", public),
        // 亩均 figures and schemes are the committee's to enter; the bureau reads them.
        ("POST", "/api/parks/{park_id}/performance", facilities_write),
        ("GET", "/api/parks/{park_id}/performance", register_read),
        (
            "POST",
            "/api/parks/{park_id}/performance/import",
            facilities_write,
        ),
        (
            "GET",
            "/api/parks/{park_id}/evaluation-scheme",
            register_read,
        ),
        (
            "POST",
            "/api/parks/{park_id}/evaluation-scheme",
            facilities_write,
        ),
        ("GET", "/api/parks/{park_id}/evaluation", register_read),
        (
            "GET",
            "/api/parks/{park_id}/renewal-candidates",
            register_read,
        ),
        // Matching writes nothing: whoever reads the register may ask.
        ("POST", "/api/parks/{park_id}/site-matching", register_read),
        (
            "GET",
            "/api/parks/{park_id}/reports/dispatch",
            register_read,
        ),
        ("GET", "/collections/mu-performance/items", listed),
        (
            "GET",
            "/collections/mu-performance/items/{feature_id}",
            register_read,
        ),
        ("GET", "/collections/renewal-candidates/items", listed),
        (
            "GET",
            "/collections/renewal-candidates/items/{feature_id}",
            register_read,
        ),
        ("POST", "/api/applications", applicant_only),
        ("GET", "/api/applications", any_user),
        (
            "GET",
            "/api/applications/{application_id}",
            [U, A, A, F, A, F, A],
        ),
        (
            "POST",
            "/api/applications/{application_id}/decision",
            facilities_write,
        ),
        (
            "POST",
            "/api/applications/{application_id}/withdraw",
            applicant_only,
        ),
        // Anyone may try to sign in (the empty body is refused before any lookup).
        ("POST", "/api/sessions", public),
        ("PUT", "/api/users/{user_id}/password", admin_only),
        // Last: signing out revokes each caller's token.
        ("POST", "/api/sessions/end", any_user),
    ]
}

on_both_backends!(
    every_endpoint_for_every_role,
    |app: common::TestDb| async move {
        let admin = app.service().await;
        let park_a = create_park(&admin, "NCGY").await;
        let park_b = common::fixtures::create_park_in(&admin, "LCGY", "361002").await;
        let zone = post(&admin, &format!("/api/parks/{park_a}/zones"), &east_zone())
            .await
            .expect(201)
            .json()["id"]
            .as_i64()
            .unwrap();
        let parcel_a =
            create_parcel(&admin, park_a, &parcel("A-1", 116.63, 27.56, 0.002)).await["id"]
                .as_i64()
                .unwrap();
        create_parcel(&admin, park_b, &parcel("B-1", 116.63, 27.56, 0.002)).await;
        // A supplied parcel with an idle-land case, beside the untouched parcel A-1.
        let parcel_a2 =
            create_parcel(&admin, park_a, &parcel("A-2", 116.64, 27.56, 0.002)).await["id"]
                .as_i64()
                .unwrap();
        let enterprise = common::fixtures::create_enterprise(&admin).await;
        let supply = common::fixtures::create_supply(&admin, parcel_a2, enterprise).await;
        let case = post(
            &admin,
            &format!("/api/supplies/{supply}/idle-cases"),
            &json!({"opened_on": "2024-03-05"}),
        )
        .await
        .expect(201)
        .json()["id"]
            .as_i64()
            .unwrap();
        let (workshop, unit, lease) =
            common::fixtures::create_leased_workshop(&admin, parcel_a, enterprise).await;

        let tokens = [
            None,
            Some(app.admin_token()),
            Some(app.token_for("bureau", Role::Bureau, Some("361021"), &[])),
            Some(app.token_for("bureau_elsewhere", Role::Bureau, Some("361002"), &[])),
            Some(app.token_for("committee", Role::Committee, None, &[park_a])),
            Some(app.token_for("committee_elsewhere", Role::Committee, None, &[park_b])),
            Some(app.token_for("applicant", Role::Applicant, None, &[])),
        ];
        let (investment_unit, project) = common::fixtures::create_project(&admin, park_a).await;
        let applicant = app.client(tokens[6].clone()).await;
        let application = post(
            &applicant,
            "/api/applications",
            &common::fixtures::application_for(parcel_a),
        )
        .await
        .expect(201)
        .json()["id"]
            .as_i64()
            .unwrap();
        // The admin's own user id, and a throwaway token to revoke (not one of the callers').
        let user_id = get(&admin, "/api/me").await.expect(200).json()["id"]
            .as_i64()
            .unwrap();
        let throwaway = post(
            &admin,
            &format!("/api/users/{user_id}/tokens"),
            &json!({"name": "to revoke"}),
        )
        .await
        .expect(201)
        .json()["id"]
            .as_i64()
            .unwrap();

        // Every documented operation has a line here, and every line is a documented operation.
        let doc = parkland::api::http::openapi::document();
        let mut documented: Vec<(String, String)> = Vec::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for method in item.as_object().unwrap().keys() {
                documented.push((method.to_uppercase(), path.clone()));
            }
        }
        let table = matrix();
        let mut listed: Vec<(String, String)> = table
            .iter()
            .map(|(m, p, _)| ((*m).to_owned(), (*p).to_owned()))
            .collect();
        documented.sort();
        listed.sort();
        assert_eq!(
            listed, documented,
            "the matrix and the OpenAPI document list different endpoints"
        );

        let mut clients = Vec::new();
        for token in &tokens {
            clients.push(app.client(token.clone()).await);
        }
        let mut failures = Vec::new();
        for (method, template, wants) in &table {
            let path = template
                .replace("{park_id}", &park_a.to_string())
                .replace("{zone_id}", &zone.to_string())
                .replace("{parcel_id}", &parcel_a.to_string())
                .replace("{collection_id}", "parcels")
                .replace("{tile_matrix_set_id}", "WebMercatorQuad")
                .replace("{tile_matrix}", "12")
                .replace("{tile_row}", "1721")
                .replace("{tile_col}", "3375")
                .replace("{feature_id}", &parcel_a.to_string())
                .replace("{user_id}", &user_id.to_string())
                .replace("{token_id}", &throwaway.to_string())
                .replace("{enterprise_id}", &enterprise.to_string())
                .replace("{supply_id}", &supply.to_string())
                .replace("{case_id}", &case.to_string())
                .replace("{workshop_id}", &workshop.to_string())
                .replace("{unit_id}", &unit.to_string())
                .replace("{lease_id}", &lease.to_string())
                .replace("{investment_unit_id}", &investment_unit.to_string())
                .replace("{project_id}", &project.to_string())
                .replace("{application_id}", &application.to_string());
            let path = if template.starts_with("/collections/parks/items/") {
                template.replace("{feature_id}", &park_a.to_string())
            } else if template.starts_with("/collections/zones/items/") {
                template.replace("{feature_id}", &zone.to_string())
            } else if template.starts_with("/collections/workshops/items/") {
                template.replace("{feature_id}", &workshop.to_string())
            } else if template.starts_with("/collections/available-units/items/") {
                template.replace("{feature_id}", &unit.to_string())
            } else if template.starts_with("/collections/renewal-candidates/items/") {
                template.replace("{feature_id}", &format!("parcel-{parcel_a}"))
            } else {
                path
            };
            for (role, (client, want)) in ROLES.iter().zip(clients.iter().zip(wants)) {
                let req = match *method {
                    "GET" => actix_web::test::TestRequest::get(),
                    "POST" => actix_web::test::TestRequest::post(),
                    "PATCH" => actix_web::test::TestRequest::patch(),
                    "PUT" => actix_web::test::TestRequest::put(),
                    other => panic!("{other}"),
                }
                .uri(&path);
                // An empty JSON object: never a complete request, so allowed writes change nothing.
                let req = if *method == "GET" {
                    req
                } else {
                    req.insert_header(("content-type", "application/json"))
                        .set_payload("{}")
                };
                let status = send(client, req).await.status.as_u16();
                let got = match status {
                    401 => Want::Unauthorized,
                    403 => Want::Forbidden,
                    _ => Want::Ok,
                };
                if got != *want {
                    failures.push(format!(
                        "{method} {path} as {role}: expected {want:?}, got {status}"
                    ));
                }
            }
        }
        assert!(
            failures.is_empty(),
            "{} cells differ:\n{}",
            failures.len(),
            failures.join("\n")
        );
        // The requests above changed nothing: park A still has its one parcel, untouched. (A
        // fresh token: the callers' own have been signed out.)
        let admin = app
            .client(Some(app.token_for("auditor", Role::Admin, None, &[])))
            .await;
        let a = get(&admin, &format!("/api/parcels/{parcel_a}"))
            .await
            .expect(200);
        assert_eq!(a.etag(), "\"1\"");
    }
);

on_both_backends!(
    the_register_lists_only_what_the_caller_may_read,
    |app: common::TestDb| async move {
        let admin = app.service().await;
        let park_a = create_park(&admin, "NCGY").await;
        let park_b = common::fixtures::create_park_in(&admin, "LCGY", "361002").await;
        create_parcel(&admin, park_a, &parcel("A-1", 116.63, 27.56, 0.002)).await;
        create_parcel(&admin, park_a, &parcel("A-2", 116.64, 27.56, 0.002)).await;
        let b1 = create_parcel(&admin, park_b, &parcel("B-1", 116.63, 27.56, 0.002)).await["id"]
            .as_i64()
            .unwrap();

        let committee = app
            .service_as(app.token_for("committee", Role::Committee, None, &[park_a]))
            .await;
        assert_eq!(
            common::matched(&committee, "").await,
            2,
            "only park A's parcels"
        );
        let p = get(
            &committee,
            &format!("/collections/parcels/items?park_id={park_b}"),
        )
        .await
        .problem(403);
        assert!(p["detail"].as_str().unwrap().contains("committee"), "{p}");
        get(&committee, &format!("/api/parcels/{b1}"))
            .await
            .problem(403);
        get(&committee, &format!("/api/parks/{park_b}/parcels/export"))
            .await
            .problem(403);

        let city = app
            .service_as(app.token_for("city", Role::Bureau, Some("3610"), &[]))
            .await;
        assert_eq!(
            common::matched(&city, "").await,
            3,
            "the city bureau governs both counties"
        );
        let county = app
            .service_as(app.token_for("county", Role::Bureau, Some("361021"), &[]))
            .await;
        assert_eq!(common::matched(&county, "").await, 2);
        assert_eq!(common::matched(&admin, "").await, 3);

        // A bureau may not move a park out of its jurisdiction, nor create one outside it.
        let p = common::patch(
            &county,
            &format!("/api/parks/{park_a}"),
            "*",
            &json!({"properties": {"admin_code": "361002"}}),
        )
        .await
        .problem(403);
        assert!(p["detail"].as_str().unwrap().contains("361002"), "{p}");
        let mut c = park_feature("OTHER");
        c["properties"]["admin_code"] = json!("361002");
        post(&county, "/api/parks", &c).await.problem(403);
        let mut own = park_feature("NEW");
        own["properties"]["admin_code"] = json!("361021");
        post(&county, "/api/parks", &own).await.expect(201);
    }
);

on_both_backends!(
    tokens_that_cannot_be_used_are_refused,
    |app: common::TestDb| async move {
        let admin = app.service().await;
        let anonymous = app.anonymous().await;
        let r = get(&anonymous, "/api/me").await;
        assert_eq!(
            r.header("www-authenticate").as_deref(),
            Some("Bearer realm=\"parkland\"")
        );
        let p = r.problem(401);
        assert!(
            p["detail"]
                .as_str()
                .unwrap()
                .contains("Authorization: Bearer"),
            "{p}"
        );

        let with = |value: &str| {
            actix_web::test::TestRequest::get()
                .uri("/api/me")
                .insert_header(("authorization", value.to_owned()))
        };
        for (value, why) in [
            ("Basic YWRtaW46YWRtaW4=", "Bearer"),
            ("Bearer ", "malformed"),
            ("Bearer pkl_0000", "malformed"),
            ("Bearer ' OR 1=1 --", "malformed"),
            (
                "Bearer pkl_0000000000000000000000000000000000000000000000000000000000000000",
                "not known",
            ),
        ] {
            let r = send(&anonymous, with(value)).await;
            assert!(
                r.header("www-authenticate")
                    .unwrap()
                    .contains("invalid_token")
            );
            let p = r.problem(401);
            assert!(p["detail"].as_str().unwrap().contains(why), "{value}: {p}");
        }

        // Issue a token through the API, use it, revoke it.
        let user = post(
            &admin,
            "/api/users",
            &json!({"name": "gis.desk", "role": "bureau", "jurisdiction": "361021"}),
        )
        .await
        .expect(201)
        .json();
        let created = post(
            &admin,
            &format!("/api/users/{}/tokens", user["id"]),
            &json!({"name": "QGIS", "expires_at": "2026-11-22T10:00:00Z"}),
        )
        .await
        .expect(201)
        .json();
        let secret = created["token"].as_str().unwrap().to_owned();
        assert!(
            secret.starts_with("pkl_")
                && created["prefix"]
                    .as_str()
                    .is_some_and(|p| secret.starts_with(p))
        );
        let desk = app.service_as(secret.clone()).await;
        let me = get(&desk, "/api/me").await.expect(200).json();
        assert_eq!(
            (
                me["name"].as_str(),
                me["role"].as_str(),
                me["jurisdiction"].as_str()
            ),
            (Some("gis.desk"), Some("bureau"), Some("361021"))
        );
        // Two credentials in one request (an alias adding its own header to a copied command):
        // refused, never answered as whichever the server happens to read first.
        let admin_secret = app.admin_token();
        for first in [&secret, &admin_secret] {
            let second = if first == &secret {
                &admin_secret
            } else {
                &secret
            };
            let both = actix_web::test::TestRequest::post()
                .uri("/api/entry-check")
                .append_header(("authorization", format!("Bearer {first}")))
                .append_header(("authorization", format!("Bearer {second}")))
                .insert_header(("content-type", "application/json"))
                .set_payload("{}");
            let p = send(&anonymous, both).await.problem(400);
            assert!(
                p["detail"].as_str().unwrap().contains("Authorization"),
                "{p}"
            );
        }
        let listed = get(&admin, &format!("/api/users/{}/tokens", user["id"]))
            .await
            .expect(200)
            .text();
        assert!(!listed.contains(&secret[4..]), "the secret is never listed");

        // Only a hash is stored.
        {
            use diesel::prelude::*;
            let mut conn = app.conn();
            let stored: Vec<(String, String)> = parkland::store::schema::api_tokens::table
                .select((
                    parkland::store::schema::api_tokens::token_hash,
                    parkland::store::schema::api_tokens::prefix,
                ))
                .load(&mut **conn)
                .unwrap();
            assert!(stored.iter().all(|(hash, prefix)| hash.len() == 64
                && !hash.contains(&secret[4..])
                && prefix.len() == 12));
        }

        // Expired two hours later.
        let later = app
            .service_at(common::test_now() + chrono::Duration::hours(3))
            .await;
        let r = send(&later, with(&format!("Bearer {secret}"))).await;
        assert!(
            r.problem(401)["detail"]
                .as_str()
                .unwrap()
                .contains("expired")
        );

        // Revoked at once.
        post(
            &admin,
            &format!("/api/tokens/{}/revoke", created["id"]),
            &json!({}),
        )
        .await
        .expect(200);
        let p = get(&desk, "/api/me").await.problem(401);
        assert!(p["detail"].as_str().unwrap().contains("revoked"), "{p}");

        // A disabled user's other tokens stop working too.
        let other = post(
            &admin,
            &format!("/api/users/{}/tokens", user["id"]),
            &json!({}),
        )
        .await
        .expect(201)
        .json();
        let other = app
            .service_as(other["token"].as_str().unwrap().to_owned())
            .await;
        get(&other, "/api/me").await.expect(200);
        common::patch(
            &admin,
            &format!("/api/users/{}", user["id"]),
            "*",
            &json!({"disabled": true}),
        )
        .await
        .expect(200);
        assert!(
            get(&other, "/api/me").await.problem(401)["detail"]
                .as_str()
                .unwrap()
                .contains("disabled")
        );
        let p = common::patch(&admin, "/api/users/1", "*", &json!({"disabled": true}))
            .await
            .problem(422);
        assert!(p["detail"].as_str().unwrap().contains("yourself"), "{p}");
    }
);

on_both_backends!(
    user_accounts_are_checked,
    |app: common::TestDb| async move {
        let admin = app.service().await;
        let park = create_park(&admin, "NCGY").await;
        for (body, field) in [
            (
                json!({"name": "x", "role": "bureau", "jurisdiction": "361021"}),
                "name",
            ),
            (json!({"name": "ok.name", "role": "bureau"}), "jurisdiction"),
            (
                json!({"name": "ok.name", "role": "bureau", "jurisdiction": "36102"}),
                "jurisdiction",
            ),
            (json!({"name": "ok.name", "role": "committee"}), "parks"),
            (
                json!({"name": "ok.name", "role": "committee", "parks": [999]}),
                "parks",
            ),
            (json!({"name": "cli:root", "role": "admin"}), "name"),
        ] {
            let p = post(&admin, "/api/users", &body).await.problem(422);
            assert_eq!(p["errors"][0]["field"], field, "{body}: {p}");
        }
        post(
            &admin,
            "/api/users",
            &json!({"name": "ok", "role": "superuser"}),
        )
        .await
        .problem(400);
        post(
            &admin,
            "/api/users",
            &json!({"name": "committee.a", "role": "committee", "parks": [park]}),
        )
        .await
        .expect(201);
        post(
            &admin,
            "/api/users",
            &json!({"name": "committee.a", "role": "applicant"}),
        )
        .await
        .problem(409);
        let users = get(&admin, "/api/users").await.expect(200).json();
        assert_eq!(users.as_array().unwrap().len(), 2, "admin and committee.a");
    }
);

on_both_backends!(
    people_sign_in_with_a_password_and_out_again,
    |app: common::TestDb| async move {
        let admin = app.service().await;
        let anonymous = app.anonymous().await;
        let park = create_park(&admin, "NCGY").await;
        let user = post(
            &admin,
            "/api/users",
            &json!({"name": "wang.li", "role": "committee", "parks": [park]}),
        )
        .await
        .expect(201)
        .json();
        let set = |password: &str| {
            actix_web::test::TestRequest::put()
                .uri(&format!("/api/users/{}/password", user["id"]))
                .insert_header(("content-type", "application/json"))
                .set_payload(json!({ "password": password }).to_string())
        };
        let anon = &anonymous;
        let sign_in = |name: &str, password: &str| {
            let body = json!({"name": name, "password": password});
            async move { post(anon, "/api/sessions", &body).await }
        };

        // No password yet: no way in, and the answer says no more than a wrong password would.
        let none = sign_in("wang.li", "管委会-2026-dashboard")
            .await
            .problem(401);
        let p = send(&admin, set("short")).await.problem(422);
        assert_eq!(common::problem_fields(&p), ["password"], "{p}");
        assert_eq!(send(&admin, set("管委会-2026-dashboard")).await.status, 204);
        let committee = app
            .client(Some(app.token_for(
                "other.committee",
                Role::Committee,
                None,
                &[park],
            )))
            .await;
        send(&committee, set("someone else's")).await.problem(403);

        let wrong = sign_in("wang.li", "管委会-2026-dashboarD")
            .await
            .problem(401);
        let unknown = sign_in("nobody", "管委会-2026-dashboard")
            .await
            .problem(401);
        assert_eq!(wrong["detail"], unknown["detail"]);
        assert_eq!(wrong["detail"], none["detail"]);
        post(&anonymous, "/api/sessions", &json!({"name": "wang.li"}))
            .await
            .problem(400);

        let session = sign_in("wang.li", "管委会-2026-dashboard")
            .await
            .expect(201)
            .json();
        assert_eq!(session["name"], "sign-in");
        assert_eq!(session["expires_at"], "2026-11-22T20:00:00Z", "12 hours");
        let token = session["token"].as_str().unwrap().to_owned();
        let signed_in = app.service_as(token.clone()).await;
        let me = get(&signed_in, "/api/me").await.expect(200).json();
        assert_eq!(
            (me["name"].as_str(), me["parks"].clone()),
            (Some("wang.li"), json!([park]))
        );
        get(&signed_in, &format!("/api/parks/{park}/zones"))
            .await
            .expect(200);

        // The audit records that the password changed, and never the password or its hash.
        let audit = get(&admin, "/api/audit?entity=user")
            .await
            .expect(200)
            .text();
        assert!(
            audit.contains("set_password")
                && !audit.contains("dashboard")
                && !audit.contains("argon2"),
            "{audit}"
        );

        // Signing out ends this sign-in only.
        let again = sign_in("wang.li", "管委会-2026-dashboard")
            .await
            .expect(201)
            .json();
        let p = post(&signed_in, "/api/sessions/end", &json!({})).await;
        assert_eq!(p.status, 204);
        assert!(
            get(&signed_in, "/api/me").await.problem(401)["detail"]
                .as_str()
                .unwrap()
                .contains("revoked")
        );
        let other = app
            .service_as(again["token"].as_str().unwrap().to_owned())
            .await;
        get(&other, "/api/me").await.expect(200);
        post(&anonymous, "/api/sessions/end", &json!({}))
            .await
            .problem(401);

        // A reset password ends every sign-in of the user, and the old password stops working.
        assert_eq!(send(&admin, set("新密码-2026-十二月")).await.status, 204);
        assert!(
            get(&other, "/api/me").await.problem(401)["detail"]
                .as_str()
                .unwrap()
                .contains("revoked")
        );
        sign_in("wang.li", "管委会-2026-dashboard")
            .await
            .problem(401);
        sign_in("wang.li", "新密码-2026-十二月").await.expect(201);

        // Guessing is slowed per address, and a bearer header does not get around it. The
        // address's sign-ins above count too where the limit is the service's (PostgreSQL), so
        // the guesser meets it within its ten tries.
        let guesser = app.anonymous().await;
        for _ in 0..10 {
            let r = post(
                &guesser,
                "/api/sessions",
                &json!({"name": "wang.li", "password": "guess-guess"}),
            )
            .await;
            if r.status.as_u16() == 429 {
                break;
            }
            r.problem(401);
        }
        let r = send(
            &guesser,
            actix_web::test::TestRequest::post()
                .uri("/api/sessions")
                .insert_header(("authorization", "Bearer pkl_not_a_real_token"))
                .insert_header(("content-type", "application/json"))
                .set_payload(r#"{"name": "wang.li", "password": "新密码-2026-十二月"}"#),
        )
        .await;
        assert!(r.header("retry-after").is_some());
        assert!(
            r.problem(429)["detail"]
                .as_str()
                .unwrap()
                .contains("sign-in attempts")
        );

        // A disabled user cannot sign in.
        common::patch(
            &admin,
            &format!("/api/users/{}", user["id"]),
            "*",
            &json!({"disabled": true}),
        )
        .await
        .expect(200);
        // (From another address: this one has used up its sign-ins above.)
        send(
            &anonymous,
            actix_web::test::TestRequest::post()
                .uri("/api/sessions")
                .peer_addr("198.51.100.23:40000".parse().unwrap())
                .insert_header(("content-type", "application/json"))
                .set_payload(r#"{"name": "wang.li", "password": "新密码-2026-十二月"}"#),
        )
        .await
        .problem(401);
    }
);

on_both_backends!(
    a_token_kept_from_a_moment_ago_is_read_again_in_every_request,
    |app: common::TestDb| async move {
        use diesel::prelude::*;
        use parkland::store::schema::{api_tokens, parks, users};
        let admin = app.service().await;
        let park = create_park(&admin, "NCGY").await;
        create_parcel(&admin, park, &parcel("A-1", 116.63, 27.56, 0.002)).await;
        // Changed in the database directly, as another instance or the command line would:
        // nothing in this process hears of it.
        let elsewhere = |change: &dyn Fn(&mut parkland::store::AnyConnection) -> usize| {
            let mut conn = app.conn();
            assert_eq!(change(&mut conn), 1);
        };
        let now = common::test_now().naive_utc();

        // A token used once is kept: the next requests do not look it up before they start.
        let state = app.state();
        let secret = app.token_for("gis.desk", Role::Bureau, Some("361021"), &[]);
        let desk = common::Client::of(state.clone(), Some(secret.clone())).await;
        get(&desk, "/api/me").await.expect(200);
        assert_eq!(state.tokens.len(), 1, "the token is kept");
        let page = get(&desk, "/collections/parcels/items?limit=10").await;
        assert_eq!(page.expect(200).json()["numberReturned"], 1);

        // Revoked elsewhere: refused at once — by a request with store work, before it reads
        // (the token read in the same turn)...
        let revoke = |secret: &str| {
            let hash = parkland::store::users::hash_secret(secret);
            elsewhere(&|c| {
                diesel::update(api_tokens::table.filter(api_tokens::token_hash.eq(&hash)))
                    .set(api_tokens::revoked_at.eq(Some(now)))
                    .execute(c)
                    .unwrap()
            });
        };
        revoke(&secret);
        let p = get(&desk, "/collections/parcels/items?limit=10")
            .await
            .problem(401);
        assert!(p["detail"].as_str().unwrap().contains("revoked"), "{p}");
        assert!(state.tokens.is_empty(), "a refused token is forgotten");
        get(&desk, "/api/me").await.problem(401);
        // ... and by one that reads its caller without store work, before its answer leaves.
        // A request that never reads its caller (a public document) is answered as for anyone.
        let secret = app.token_for("gis.viewer", Role::Bureau, Some("361021"), &[]);
        let viewer = common::Client::of(state.clone(), Some(secret.clone())).await;
        get(&viewer, "/api/me").await.expect(200);
        assert_eq!(state.tokens.len(), 1);
        revoke(&secret);
        get(&viewer, "/conformance").await.expect(200);
        let p = get(&viewer, "/api/me").await.problem(401);
        assert!(p["detail"].as_str().unwrap().contains("revoked"), "{p}");
        assert!(state.tokens.is_empty());

        // Kept, then its user disabled elsewhere: a write (which looks its token up before it
        // starts) is refused and writes nothing.
        let writer = app.token_for("park.admin", Role::Admin, None, &[]);
        let writer = common::Client::of(state.clone(), Some(writer)).await;
        get(&writer, "/api/me").await.expect(200);
        let parks_before: i64 = parks::table.count().get_result(&mut **app.conn()).unwrap();
        elsewhere(&|c| {
            diesel::update(users::table.filter(users::name.eq("park.admin")))
                .set(users::disabled_at.eq(Some(now)))
                .execute(c)
                .unwrap()
        });
        let p = post(&writer, "/api/parks", &park_feature("LCGY"))
            .await
            .problem(401);
        assert!(p["detail"].as_str().unwrap().contains("disabled"), "{p}");
        let parks_after: i64 = parks::table.count().get_result(&mut **app.conn()).unwrap();
        assert_eq!(parks_after, parks_before, "nothing written");

        // A user changed elsewhere while kept (another area): the request is sent again, and
        // then answered for the user as they are now.
        let secret = app.token_for("gis.desk2", Role::Bureau, Some("361021"), &[]);
        let desk = common::Client::of(state.clone(), Some(secret)).await;
        get(&desk, "/collections/parcels/items?limit=10")
            .await
            .expect(200);
        elsewhere(&|c| {
            diesel::update(users::table.filter(users::name.eq("gis.desk2")))
                .set(users::jurisdiction.eq(Some("361002")))
                .execute(c)
                .unwrap()
        });
        // (Tests running beside this one change accounts in this process too, which makes the
        // token looked up again: then the first answer is already the new user's. Never the
        // old user's.)
        let r = get(&desk, "/collections/parcels/items?limit=10").await;
        if r.status == 503 {
            assert_eq!(r.header("retry-after").as_deref(), Some("0"));
            r.problem(503);
        } else {
            assert_eq!(
                r.expect(200).json()["numberReturned"],
                0,
                "the old user's answer"
            );
        }
        let page = get(&desk, "/collections/parcels/items?limit=10").await;
        assert_eq!(
            page.expect(200).json()["numberReturned"],
            0,
            "park A is outside 361002"
        );
        let me = get(&desk, "/api/me").await.expect(200).json();
        assert_eq!(me["jurisdiction"], "361002");

        // Changed through this process: what was kept is not used again, so no request is
        // refused for it.
        let listed = get(&admin, "/api/users").await.expect(200).json();
        let id = listed
            .as_array()
            .and_then(|l| l.iter().find(|u| u["name"] == "gis.desk2"))
            .map(|u| u["id"].clone())
            .unwrap();
        let changed = common::Client::of(state.clone(), app.admin_token().into()).await;
        common::patch(
            &changed,
            &format!("/api/users/{id}"),
            "*",
            &json!({"jurisdiction": "361021"}),
        )
        .await
        .expect(200);
        let page = get(&desk, "/collections/parcels/items?limit=10").await;
        assert_eq!(page.expect(200).json()["numberReturned"], 1);
    }
);
