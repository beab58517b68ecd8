//! `openapi/openapi.json` is generated from the code; this test fails when they drift apart.
//! Regenerate with `cargo run -- openapi --out openapi/openapi.json`.

#[test]
fn the_committed_openapi_document_is_current() {
    let generated = parkland::api::http::openapi::document();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json");
    let committed: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("openapi/openapi.json exists"))
            .expect("openapi/openapi.json is JSON");
    assert!(
        generated == committed,
        "openapi/openapi.json is out of date; run `cargo run -- openapi --out openapi/openapi.json` and commit it"
    );
}

/// What every operation can answer is in the document: malformed input and rate limits
/// everywhere; authentication and permission on private operations; body problems where there
/// is a body; If-Match problems exactly where If-Match is read.
#[test]
fn every_operation_documents_the_problems_it_can_answer() {
    let doc = parkland::api::http::openapi::document();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            let responses = op["responses"].as_object().expect("responses");
            let has = |s: &str| responses.contains_key(s);
            let public = op["security"] == serde_json::json!([{}]);
            let at = format!("{method} {path}");
            assert!(has("400") && has("429"), "{at}");
            if !public {
                assert!(has("401"), "{at} is private but documents no 401");
            }
            if op.get("requestBody").is_some() {
                assert!(has("413") && has("415") && has("422"), "{at}");
            }
            let if_match = op["parameters"]
                .as_array()
                .is_some_and(|ps| ps.iter().any(|p| p["name"] == "If-Match"));
            assert_eq!(has("412") && has("428"), if_match, "{at}");
            for (status, r) in responses {
                if status.starts_with('4') || status.starts_with('5') {
                    assert!(
                        r["content"]["application/problem+json"].is_object(),
                        "{at} {status} is not problem+json"
                    );
                }
            }
        }
    }
}

#[test]
fn every_operation_is_documented_for_clients() {
    let doc = parkland::api::http::openapi::document();
    assert_eq!(doc["openapi"], "3.0.3");
    let mut ids = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            let id = op["operationId"]
                .as_str()
                .unwrap_or_else(|| panic!("{method} {path} has no operationId"));
            assert!(
                id.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{id} is not snake_case"
            );
            assert!(
                op["responses"].as_object().is_some_and(|r| !r.is_empty()),
                "{id} has no responses"
            );
            assert!(
                op["tags"].as_array().is_some_and(|t| !t.is_empty()),
                "{id} has no tag"
            );
            ids.push(id.to_owned());
        }
    }
    let unique: std::collections::HashSet<_> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "operation ids are unique");
    assert!(ids.len() >= 30, "{} operations", ids.len());
    // Each resource's responses name its own schema (type aliases once collapsed them into one).
    let schema = |path: &str, method: &str, status: &str| {
        doc["paths"][path][method]["responses"][status]["content"]["application/geo+json"]["schema"]
            ["$ref"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(
        schema("/api/parks/{park_id}", "get", "200"),
        "#/components/schemas/Feature_ParkProperties"
    );
    assert_eq!(
        schema("/api/zones/{zone_id}", "get", "200"),
        "#/components/schemas/Feature_ZoneProperties"
    );
    assert_eq!(
        schema("/api/parcels/{parcel_id}", "get", "200"),
        "#/components/schemas/Feature_ParcelProperties"
    );
    // No OpenAPI 3.1-only constructs survive.

    let text = doc.to_string();
    assert!(
        !text.contains("\"type\":[") && !text.contains("\"type\":\"null\""),
        "3.1 nullable forms remain"
    );
}
