//! The OpenAPI document, generated from the registered handlers (utoipa-actix-web collects
//! every `#[utoipa::path]` that is actually served, so the spec cannot miss a route).
//!
//! utoipa writes OpenAPI 3.1; OGC API – Features Part 1 defines its API-definition conformance
//! class for OpenAPI 3.0, and desktop GIS and validators expect that. The few 3.1 constructs
//! utoipa emits are rewritten to their 3.0 equivalents: `type: [T, "null"]` and
//! `oneOf: [{type: null}, X]` become `nullable: true`, schema `examples` becomes `example`, and
//! a map's `propertyNames` is dropped.

use actix_web::App;
use serde_json::{Map, Value, json};
use utoipa::openapi::OpenApi;
use utoipa_actix_web::AppExt;

/// The document as served at `/openapi.json` and committed as `openapi/openapi.json`.
pub fn document() -> Value {
    let (_, api) = App::new()
        .into_utoipa_app()
        .configure(crate::api::configure)
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
    binary_bodies(&mut value);
    document_problems(&mut value);
    open_flattened_schemas(&mut value);
    downgrade(&mut value);
    selectable_properties(&mut value);
    value
}

/// Public operations that still read a token when one is sent (what it may see depends on
/// who asks), so a bad token is a 401 there too.
const PUBLIC_READING_TOKENS: &[&str] =
    &["list_collections", "describe_collection", "run_entry_check"];

/// Operations any signed-in caller may use, whatever the role.
const ANY_ACCOUNT: &[&str] = &["get_me", "sign_out"];

/// Operations that never touch the database.
const WITHOUT_DATABASE: &[&str] = &["health", "landing_page", "conformance"];

/// Every status an operation can answer, each with the problem+json schema, from what the
/// operation is: every request can be malformed (400) and, without a token, rate-limited (429);
/// everything that reads the database can find it busy or gone (503, Retry-After); private
/// operations answer 401 and 403; bodies can be too large (413), of another type (415) or break
/// a rule (422); If-Match edits answer 412 and 428, and nothing else does. The schemathesis run
/// in CI checks that nothing else is answered.
fn document_problems(value: &mut Value) {
    let Some(paths) = value["paths"].as_object_mut() else {
        return;
    };
    for item in paths.values_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for op in item.values_mut() {
            let Some(op) = op.as_object_mut() else {
                continue;
            };
            let id = op
                .get("operationId")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned();
            let public = op.get("security") == Some(&json!([{}]));
            let has_body = op.contains_key("requestBody");
            let if_match = op
                .get("parameters")
                .and_then(Value::as_array)
                .is_some_and(|ps| ps.iter().any(|p| p["name"] == "If-Match"));
            let responses = op
                .entry("responses")
                .or_insert_with(|| json!({}))
                .as_object_mut();
            let Some(responses) = responses else {
                continue;
            };
            let add = |responses: &mut Map<String, Value>,
                       status: &str,
                       description: &str,
                       headers: Option<Value>| {
                let entry = responses
                    .entry(status.to_owned())
                    .or_insert_with(|| problem_response(description));
                if let (Some(h), Some(entry)) = (headers, entry.as_object_mut()) {
                    entry.insert("headers".into(), h);
                }
            };
            add(
                responses,
                "400",
                "A path or query parameter, or the body, is malformed (unknown, repeated or of the wrong form).",
                None,
            );
            if !public || PUBLIC_READING_TOKENS.contains(&id.as_str()) {
                add(
                    responses,
                    "401",
                    "No token, or one that cannot be used (malformed, unknown, revoked, expired, or a disabled user's).",
                    Some(
                        json!({"WWW-Authenticate": {"schema": {"type": "string"}, "description": "`Bearer realm=\"parkland\"`"}}),
                    ),
                );
            }
            if !public && !ANY_ACCOUNT.contains(&id.as_str()) {
                add(
                    responses,
                    "403",
                    "The token's user may not do this (another park, another jurisdiction, another role).",
                    None,
                );
            }
            if has_body {
                add(
                    responses,
                    "413",
                    "The body is larger than its limit (`bound` and `limit` say which).",
                    None,
                );
                add(
                    responses,
                    "415",
                    "The body is not of a media type the operation reads.",
                    None,
                );
                add(
                    responses,
                    "422",
                    "Values break a rule; `errors` names each field.",
                    None,
                );
            }
            if if_match {
                add(
                    responses,
                    "412",
                    "The If-Match ETag is not the stored version: someone else changed the record.",
                    None,
                );
                add(responses, "428", "An edit without If-Match.", None);
            } else {
                responses.remove("412");
                responses.remove("428");
            }
            let retry = || {
                Some(
                    json!({"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait before trying again"}}),
                )
            };
            add(
                responses,
                "429",
                "Too many requests from this address without a token (or sign-in attempts).",
                retry(),
            );
            if !WITHOUT_DATABASE.contains(&id.as_str()) {
                add(
                    responses,
                    "503",
                    "The database is busy with other writers or cannot be reached; nothing was written — try again.",
                    retry(),
                );
            }
        }
    }
}

/// Uploads that are files (zips, workbooks, CSV) are bytes, not JSON arrays of numbers.
fn binary_bodies(value: &mut Value) {
    let Some(paths) = value["paths"].as_object_mut() else {
        return;
    };
    for item in paths.values_mut() {
        for op in item
            .as_object_mut()
            .into_iter()
            .flat_map(|m| m.values_mut())
        {
            let Some(content) = op
                .get_mut("requestBody")
                .and_then(|b| b.get_mut("content"))
                .and_then(Value::as_object_mut)
            else {
                continue;
            };
            for (media, body) in content.iter_mut() {
                if !media.ends_with("json") {
                    body["schema"] = json!({"type": "string", "format": "binary"});
                    if let Some(b) = body.as_object_mut() {
                        b.remove("example");
                    }
                }
            }
        }
    }
}

fn problem_response(description: &str) -> Value {
    json!({
        "description": description,
        "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    })
}

/// A response that flattens an input type into itself (`allOf` of a closed schema and the
/// response's own members) could never be valid if the closed schema forbade other members:
/// such a composition is merged into one object schema with the members of both. Request
/// bodies keep their closed schemas.
fn open_flattened_schemas(value: &mut Value) {
    let Some(originals) = value["components"]["schemas"].as_object().cloned() else {
        return;
    };
    let Some(schemas) = value["components"]["schemas"].as_object_mut() else {
        return;
    };
    for schema in schemas.values_mut() {
        let Some(parts) = schema["allOf"].as_array() else {
            continue;
        };
        if parts.len() < 2 {
            continue;
        }
        let resolved: Vec<Value> = parts
            .iter()
            .map(|part| {
                part["$ref"]
                    .as_str()
                    .and_then(|r| r.strip_prefix("#/components/schemas/"))
                    .and_then(|name| originals.get(name).cloned())
                    .unwrap_or_else(|| part.clone())
            })
            .collect();
        if !resolved.iter().all(|p| p["properties"].is_object()) {
            continue;
        }
        let mut properties = Map::new();
        let mut required: Vec<Value> = Vec::new();
        let mut description = None;
        for part in resolved {
            if let Some(props) = part["properties"].as_object() {
                properties.extend(props.clone());
            }
            if let Some(req) = part["required"].as_array() {
                required.extend(req.iter().cloned());
            }
            description = description.or_else(|| part.get("description").cloned());
        }
        let mut merged = json!({"type": "object", "properties": properties, "required": required});
        if let Some(d) = description {
            merged["description"] = d;
        }
        *schema = merged;
    }
}

/// A feature's `properties` hold only the members `properties=` asked for, so in a feature
/// (`Feature_…`) none of them is required: each feature's properties schema becomes one object
/// with the members of its parts (resolving `$ref` and `allOf`) and no `required` list. The
/// shared schemas (the same properties in the JSON API's reports) keep theirs.
fn selectable_properties(value: &mut Value) {
    let Some(originals) = value["components"]["schemas"].as_object().cloned() else {
        return;
    };
    let resolve = |part: &Value| -> Value {
        part["$ref"]
            .as_str()
            .and_then(|r| r.strip_prefix("#/components/schemas/"))
            .and_then(|name| originals.get(name).cloned())
            .unwrap_or_else(|| part.clone())
    };
    let Some(schemas) = value["components"]["schemas"].as_object_mut() else {
        return;
    };
    for (name, schema) in schemas.iter_mut() {
        if !name.starts_with("Feature_") {
            continue;
        }
        let inner = resolve(&schema["properties"]["properties"]);
        let parts: Vec<Value> = match inner["allOf"].as_array() {
            Some(parts) => parts.iter().map(&resolve).collect(),
            None => vec![inner.clone()],
        };
        let mut members = Map::new();
        for part in &parts {
            if let Some(m) = part["properties"].as_object() {
                members.extend(m.clone());
            }
        }
        if members.is_empty() {
            continue;
        }
        let mut relaxed = json!({"type": "object", "properties": members});
        let description = inner
            .get("description")
            .or_else(|| parts.iter().find_map(|p| p.get("description")))
            .and_then(Value::as_str)
            .unwrap_or("The feature's properties.");
        relaxed["description"] = Value::String(format!(
            "{description} With `properties=`, only the members asked for."
        ));
        schema["properties"]["properties"] = relaxed;
    }
}

/// Rewrite OpenAPI 3.1 schema constructs as 3.0 ones, recursively.
fn downgrade(value: &mut Value) {
    match value {
        Value::Object(map) => {
            nullable_type(map);
            nullable_one_of(map);
            // 3.0 has no `propertyNames`: a map's keys are described in words instead.
            if map.contains_key("additionalProperties") {
                map.remove("propertyNames");
            }
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
