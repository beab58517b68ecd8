//! The OpenAPI document, generated from the registered handlers (utoipa-actix-web collects
//! every `#[utoipa::path]` that is actually served, so the spec cannot miss a route).
//!
//! utoipa writes OpenAPI 3.1; OGC API – Features Part 1 defines its API-definition conformance
//! class for OpenAPI 3.0, and desktop GIS and validators expect that. The few 3.1 constructs
//! utoipa emits are rewritten to their 3.0 equivalents: `type: [T, "null"]` and
//! `oneOf: [{type: null}, X]` become `nullable: true`, schema `examples` becomes `example`.

use actix_web::App;
use serde_json::{Map, Value, json};
use utoipa::openapi::OpenApi;
use utoipa_actix_web::AppExt;

/// The document as served at `/openapi.json` and committed as `openapi/openapi.json`.
pub fn document() -> Value {
    let (_, api) = App::new()
        .into_utoipa_app()
        .configure(super::configure)
        .split_for_parts();
    finalize(api)
}

/// Add the document's information and convert it to OpenAPI 3.0.3.
pub fn finalize(api: OpenApi) -> Value {
    let mut value = serde_json::to_value(&api).unwrap_or(Value::Null);
    value["openapi"] = json!("3.0.3");
    value["info"] = json!({
        "title": "parkland",
        "version": env!("CARGO_PKG_VERSION"),
        "description": "The register of an industrial park's land (宗地), zones and parks, its land supply and the \
                        idle-land clock, with an OGC API – Features map interface. Geometry is CGCS2000 (EPSG:4490) longitude/latitude; areas are geodesic, in m² \
                        and 亩. Errors are RFC 9457 problem details (application/problem+json). Edits need If-Match \
                        with the ETag of the version read.",
        "license": {"name": "MIT OR Apache-2.0"}
    });
    value["tags"] = json!([
        {"name": "ogc-api", "description": "OGC API – Features: landing page, conformance, collections and items"},
        {"name": "parks", "description": "Parks (园区)"},
        {"name": "zones", "description": "Zones (片区) of a park"},
        {"name": "parcels", "description": "Land parcels (宗地): create, change, retire, split, merge, history"},
        {"name": "enterprises", "description": "The enterprise directory: land users, tenants, project owners (统一社会信用代码 checked)"},
        {"name": "land-supply", "description": "Land supply records (供地) and the dated facts of development"},
        {"name": "idle-land", "description": "Idle land (闲置土地) by 《闲置土地处置办法》, its procedure as cases, and the five kinds of under-used land (五未土地)"},
        {"name": "workshops", "description": "Standard workshops (标准化厂房): construction against deadlines, units, leases, occupancy and idle units"},
        {"name": "projects", "description": "Investment projects (招商项目) and their stages, investment units (招商单位), and the entry check (入园审查)"},
        {"name": "applications", "description": "Applicants' applications for plots and workshop units, and the committee's decisions"},
        {"name": "performance", "description": "亩均论英雄: enterprises' yearly figures, the evaluation scheme, scores and classes A–D; cage-for-bird (腾笼换鸟) candidates and site matching"},
        {"name": "reports", "description": "Reports for the monthly dispatch meeting: JSON, CSV and .xlsx"},
        {"name": "access", "description": "Users, API tokens, the caller, and the audit trail"},
        {"name": "service", "description": "Health and readiness"}
    ]);
    value["components"]["securitySchemes"] = json!({
        "bearer": {
            "type": "http",
            "scheme": "bearer",
            "description": "An API token (`pkl_…`), created by an administrator with `parkland token create` or POST /api/users/{id}/tokens"
        }
    });
    // Every feature the map interface writes can be written in the offset systems of Chinese
    // web maps: one parameter shared by every items endpoint, declared once here.
    if let Some(paths) = value["paths"].as_object_mut() {
        for (path, item) in paths.iter_mut() {
            if path.starts_with("/collections/") && path.contains("/items") {
                if let Some(params) = item["get"]["parameters"].as_array_mut() {
                    params.push(coordinates_parameter());
                }
            }
        }
    }
    // Private unless declared public: operations without their own `security` need a token.
    if let Some(paths) = value["paths"].as_object_mut() {
        for item in paths.values_mut() {
            for op in item
                .as_object_mut()
                .into_iter()
                .flat_map(|m| m.values_mut())
            {
                if let Some(op) = op.as_object_mut() {
                    op.entry("security")
                        .or_insert_with(|| json!([{"bearer": []}]));
                }
            }
        }
    }
    downgrade(&mut value);
    value
}

/// `coordinates=`: see `spatial::offset`.
fn coordinates_parameter() -> Value {
    json!({
        "name": "coordinates",
        "in": "query",
        "required": false,
        "description": "Write coordinates in `cgcs2000` (default: CGCS2000 lon/lat as stored, CRS84 to within centimetres), \
                        `gcj02` (GCJ-02, for AMap/高德 and Tencent base maps) or `bd09` (BD-09, for Baidu). A `bbox` is then \
                        read in the same system. Output only: nothing stored is converted.",
        "schema": {"type": "string", "enum": ["cgcs2000", "gcj02", "bd09"]}
    })
}

/// Rewrite OpenAPI 3.1 schema constructs as 3.0 ones, recursively.
fn downgrade(value: &mut Value) {
    match value {
        Value::Object(map) => {
            nullable_type(map);
            nullable_one_of(map);
            if let Some(Value::Array(examples)) = map.get("examples")
                && map.contains_key("type")
            {
                let first = examples.first().cloned();
                map.remove("examples");
                if let Some(first) = first {
                    map.insert("example".into(), first);
                }
            }
            for v in map.values_mut() {
                downgrade(v);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(downgrade),
        _ => {}
    }
}

/// `"type": ["string", "null"]` → `"type": "string", "nullable": true`.
fn nullable_type(map: &mut Map<String, Value>) {
    let Some(Value::Array(types)) = map.get("type") else {
        return;
    };
    let non_null: Vec<Value> = types.iter().filter(|t| *t != "null").cloned().collect();
    let had_null = non_null.len() != types.len();
    if let [only] = non_null.as_slice() {
        map.insert("type".into(), only.clone());
    }
    if had_null {
        map.insert("nullable".into(), Value::Bool(true));
    }
}

/// `"oneOf": [{"type": "null"}, X]` → X (a `$ref` wrapped in `allOf`) with `"nullable": true`.
fn nullable_one_of(map: &mut Map<String, Value>) {
    let Some(Value::Array(options)) = map.get("oneOf") else {
        return;
    };
    let is_null = |v: &Value| v.get("type") == Some(&json!("null"));
    if options.len() != 2 || !options.iter().any(is_null) {
        return;
    }
    let Some(other) = options.iter().find(|v| !is_null(v)).cloned() else {
        return;
    };
    map.remove("oneOf");
    match other {
        Value::Object(o) if o.contains_key("$ref") => {
            map.insert("allOf".into(), Value::Array(vec![Value::Object(o)]));
        }
        Value::Object(o) => {
            for (k, v) in o {
                map.entry(k).or_insert(v);
            }
        }
        _ => {}
    }
    map.insert("nullable".into(), Value::Bool(true));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nullable_forms_become_openapi_30() {
        let mut v = json!({
            "a": {"type": ["number", "null"], "format": "double"},
            "b": {"oneOf": [{"type": "null"}, {"$ref": "#/components/schemas/X"}]},
            "c": {"type": "string", "examples": ["x", "y"]},
            "properties": {"type": {"type": "string"}}
        });
        downgrade(&mut v);
        assert_eq!(
            v["a"],
            json!({"type": "number", "format": "double", "nullable": true})
        );
        assert_eq!(
            v["b"],
            json!({"allOf": [{"$ref": "#/components/schemas/X"}], "nullable": true})
        );
        assert_eq!(v["c"], json!({"type": "string", "example": "x"}));
        assert_eq!(
            v["properties"]["type"],
            json!({"type": "string"}),
            "a property named type is untouched"
        );
    }
}
