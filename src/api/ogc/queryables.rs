//! `/collections/{id}/queryables` (OGC API – Features Part 3): the properties a `filter` may
//! name, as JSON Schema with Chinese titles: the parcels and the public plots (filtered in the
//! database), and the computed layers (filtered on the features as written, see
//! `computed_filter`). GDAL and QGIS read it to build their server-side filters.

use super::{AppState, CollectionId, FormatParam, cached_json, readable_collection};
use crate::api::http::extract::base_url;
use crate::api::http::params;
use crate::domain::access::Caller;
use crate::error::{ApiError, ReadProblems};
use crate::store::cql::{PARCEL_QUERYABLES, PLOT_QUERYABLES, Queryable};
use actix_web::{HttpRequest, HttpResponse, get, web};
use serde_json::{Map, Value, json};

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(queryables);
}

/// The queryables of a collection that takes `filter`.
pub fn of(c: CollectionId) -> Option<&'static [Queryable]> {
    match c {
        CollectionId::Parcels => Some(PARCEL_QUERYABLES),
        CollectionId::Plots => Some(PLOT_QUERYABLES),
        other => super::computed_filter::queryables(other),
    }
}

/// The properties a CQL2 `filter` on the collection may name (JSON Schema, Chinese titles).
#[utoipa::path(
    tag = "ogc-api",
    operation_id = "get_queryables", security(()),
    params(("collection_id" = String, Path, description = "A collection id but `parks` and `zones`"), FormatParam),
    responses((status = 200, body = Object, content_type = "application/schema+json"), ReadProblems)
)]
#[get("/collections/{collection_id}/queryables")]
pub async fn queryables(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let (c, _) = readable_collection(&state, &caller, &path).await?;
    params::read::<FormatParam>(req.query_string())?;
    let list = of(c).ok_or_else(|| {
        ApiError::not_found(format!(
            "the collection `{}` is not filtered with CQL2 (its own query parameters filter it); every layer of parcels, plots, land, workshops and units is",
            c.id()
        ))
    })?;
    let mut properties = Map::new();
    properties.insert(
        "geometry".into(),
        json!({"title": "几何 Geometry", "format": "geometry-multipolygon", "x-ogc-role": "primary-geometry"}),
    );
    for q in list {
        let (kind, format) = q.kind.json_schema();
        let mut p = json!({"title": q.title, "type": kind});
        if let Some(f) = format {
            p["format"] = Value::String(f.into());
        }
        properties.insert(q.name.into(), p);
    }
    let id = format!(
        "{}/collections/{}/queryables",
        base_url(&req, &state),
        c.id()
    );
    let doc = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": id,
        "type": "object",
        "title": c.title(),
        "properties": properties,
        "additionalProperties": false,
    });
    cached_json(&req, "application/schema+json", &doc)
}
