//! Parcel operations: retire, split (分宗), merge (合宗), and the parcel's history and lineage.

use crate::api::http::access::{Need, Of, authorize};
use crate::api::http::extract::{IfMatch, JsonBody, base_url, combine_crs, header_crs};
use crate::api::http::input::NamedCrs;
use crate::api::http::input::{FeatureTag, check};
use crate::api::{AppState, GEOJSON, footprint, json_response, record_response};
use crate::domain::FieldError;
use crate::domain::access::Caller;
use crate::domain::codes::{Code, parse_text};
use crate::domain::land_use::LandUse;
use crate::domain::register::{MergeRequest, SplitPiece};
use crate::error::{ApiError, ReadProblems, WriteProblems};
use crate::ops;
use crate::spatial::AreaLimits;
use crate::spatial::input::InputCrs;
use crate::store;
use crate::views::parcel_feature;
use crate::views::{
    Feature, FeatureCollection, Link, ParcelFeature, ParcelProperties, PolygonalGeometrySchema, utc,
};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(retire_parcel)
        .service(split_parcel)
        .service(merge_parcels)
        .service(parcel_history)
        .service(parcel_lineage);
}

/// The pieces of a split, each checked (geometry first: the CPU-heavy part).
fn split_pieces(body: SplitIn, input: InputCrs) -> Result<Vec<SplitPiece>, ApiError> {
    let mut e = Vec::new();
    let mut pieces = Vec::new();
    for (i, f) in body.features.into_iter().enumerate() {
        let at = format!("features[{i}]");
        let fp = footprint(
            &format!("{at}.geometry"),
            f.geometry,
            input,
            AreaLimits::PARCEL,
        )?;
        let code = check(
            &mut e,
            Code::parse(&format!("{at}.properties.code"), &f.properties.code),
        );
        let (name, land_use) = piece_attributes(
            &mut e,
            &format!("{at}.properties"),
            f.properties.name,
            f.properties.land_use,
        );
        if let Some(code) = code {
            pieces.push(SplitPiece {
                code,
                footprint: fp,
                name,
                land_use,
            });
        }
    }
    if !e.is_empty() {
        return Err(e.into());
    }
    Ok(pieces)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RetireIn {
    /// Why the parcel leaves the register (e.g. 规划调整注销).
    pub reason: String,
}

/// Retire a parcel: it leaves the map and the overlap checks but stays readable as history.
#[utoipa::path(
    tag = "parcels",
    operation_id = "retire_parcel",
    params(("parcel_id" = i64, Path, description = "Parcel id"), ("If-Match" = String, Header, description = "ETag of the version being retired, or `*`")),
    request_body = RetireIn,
    responses((status = 200, body = Feature<ParcelProperties>, content_type = "application/geo+json", headers(("ETag" = String))), WriteProblems)
)]
#[post("/api/parcels/{parcel_id}/retire")]
pub async fn retire_parcel(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    caller: Caller,
    if_match: IfMatch,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    authorize(&state, &caller, Of::Parcel(id), Need::WriteParcels).await?;
    let expected = if_match.expected()?;
    let body: RetireIn = body.parse()?;
    let reason = parse_text("reason", &body.reason, 500)?;
    if reason.is_empty() {
        return Err(FieldError::new("reason", "say why the parcel is retired")
            .zh("请说明宗地注销的原因")
            .into());
    }
    let stamp = state.stamp(&caller);
    let parcel = state
        .run(move |c| ops::register::retire(c, id, expected, reason, &stamp))
        .await?;
    record_response(
        StatusCode::OK,
        parcel.version,
        &parcel_feature(&parcel, &base_url(&req, &state)),
    )
}

/// The pieces of a split, as a FeatureCollection (draw them in a GIS, export, send).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SplitIn {
    /// Always `FeatureCollection`.
    #[serde(rename = "type")]
    pub kind: CollectionTag,
    pub features: Vec<SplitPieceIn>,
    pub crs: Option<NamedCrs>,
}

#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
pub enum CollectionTag {
    FeatureCollection,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SplitPieceIn {
    #[serde(rename = "type")]
    pub kind: FeatureTag,
    #[schema(value_type = PolygonalGeometrySchema)]
    pub geometry: serde_json::Value,
    pub properties: SplitPieceProperties,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SplitPieceProperties {
    /// The new parcel's code (never an existing one).
    pub code: String,
    /// Defaults to the original's name.
    pub name: Option<String>,
    /// Defaults to the original's land use.
    pub land_use: Option<String>,
}

/// The outcome of a split or merge: the parcels retired and the parcels created.
#[derive(Serialize, ToSchema)]
pub struct ReshapeView<'a> {
    #[schema(value_type = Vec<Feature<ParcelProperties>>)]
    pub retired: Vec<ParcelFeature<'a>>,
    #[schema(value_type = Vec<Feature<ParcelProperties>>)]
    pub created: Vec<ParcelFeature<'a>>,
}

fn piece_attributes(
    e: &mut Vec<FieldError>,
    at: &str,
    name: Option<String>,
    land_use: Option<String>,
) -> (Option<String>, Option<LandUse>) {
    let name = name.and_then(|n| check(e, parse_text(&format!("{at}.name"), &n, 200)));
    let land_use = land_use.and_then(|l| check(e, LandUse::parse(&format!("{at}.land_use"), &l)));
    (name, land_use)
}

/// Split a parcel (分宗). The pieces must cover its footprint exactly (within the park's
/// tolerance) without overlapping; they become new parcels and the original is retired.
#[utoipa::path(
    tag = "parcels",
    operation_id = "split_parcel",
    params(("parcel_id" = i64, Path, description = "Parcel id"), ("If-Match" = String, Header, description = "ETag of the version being split, or `*`")),
    request_body(content = SplitIn, content_type = "application/geo+json"),
    responses((status = 200, body = ReshapeView, content_type = "application/geo+json"), WriteProblems)
)]
#[post("/api/parcels/{parcel_id}/split")]
pub async fn split_parcel(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    caller: Caller,
    if_match: IfMatch,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    authorize(&state, &caller, Of::Parcel(id), Need::WriteParcels).await?;
    let expected = if_match.expected()?;
    let header = header_crs(&req)?;
    let large = body.is_large();
    let pieces = state
        .compute_weighed(large, move || {
            let body: SplitIn = body.parse()?;
            let input = combine_crs(header, body.crs.as_ref())?;
            split_pieces(body, input)
        })
        .await?;
    let stamp = state.stamp(&caller);
    let (original, children) = state
        .run(move |c| ops::register::split(c, id, expected, pieces, &stamp))
        .await?;
    let base = base_url(&req, &state);
    let view = ReshapeView {
        retired: vec![parcel_feature(&original, &base)],
        created: children.iter().map(|p| parcel_feature(p, &base)).collect(),
    };
    json_response(StatusCode::OK, GEOJSON, &view)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeIn {
    /// The adjoining parcels to merge (at least two, all of this park, same status).
    pub parcel_ids: Vec<i64>,
    /// The merged parcel's code.
    pub code: String,
    /// Defaults to the first parcel's name.
    pub name: Option<String>,
    /// Defaults to the first parcel's land use.
    pub land_use: Option<String>,
}

/// Merge adjoining parcels (合宗) into one covering their union; the originals are retired.
#[utoipa::path(
    tag = "parcels",
    operation_id = "merge_parcels",
    params(("park_id" = i64, Path, description = "Park id")),
    request_body = MergeIn,
    responses((status = 200, body = ReshapeView, content_type = "application/geo+json"), WriteProblems)
)]
#[post("/api/parks/{park_id}/parcels/merge")]
pub async fn merge_parcels(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    caller: Caller,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let park_id = path.into_inner();
    authorize(&state, &caller, Of::Park(park_id), Need::WriteParcels).await?;
    let body: MergeIn = body.parse()?;
    let mut e = Vec::new();
    let code = check(&mut e, Code::parse("code", &body.code));
    let (name, land_use) = piece_attributes(&mut e, "", body.name, body.land_use);
    let Some(code) = code.filter(|_| e.is_empty()) else {
        return Err(e.into());
    };
    let request = MergeRequest {
        parcel_ids: body.parcel_ids,
        code,
        name,
        land_use,
    };
    let stamp = state.stamp(&caller);
    let (originals, merged) = state
        .run(move |c| ops::register::merge(c, park_id, request, &stamp))
        .await?;
    let base = base_url(&req, &state);
    let view = ReshapeView {
        retired: originals.iter().map(|p| parcel_feature(p, &base)).collect(),
        created: vec![parcel_feature(&merged, &base)],
    };
    json_response(StatusCode::OK, GEOJSON, &view)
}

/// One version of a parcel: its attributes then, and who changed it when.
#[derive(Serialize, ToSchema)]
pub struct VersionProperties {
    pub parcel_id: i64,
    pub version: i64,
    /// created, updated, retired, split_from, merged_from, superseded or imported.
    pub change: String,
    /// The change in Chinese (新建, 修改, 注销, 分割新设, 合并新设, 分割或合并后注销, 批量导入).
    pub change_name: &'static str,
    pub changed_at: DateTime<Utc>,
    pub changed_by: String,
    pub note: Option<String>,
    /// The parcel's attributes in this version (the names of [`ParcelProperties`]).
    #[schema(value_type = Object)]
    pub attributes: serde_json::Value,
}

/// Every version of a parcel, oldest first, as a FeatureCollection (each with its geometry
/// then), so the history can be opened in a GIS.
#[utoipa::path(
    tag = "parcels",
    operation_id = "get_parcel_history",
    params(("parcel_id" = i64, Path, description = "Parcel id")),
    responses((status = 200, body = FeatureCollection<VersionProperties>, content_type = "application/geo+json"), ReadProblems)
)]
#[get("/api/parcels/{parcel_id}/history")]
pub async fn parcel_history(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    authorize(&state, &caller, Of::Parcel(id), Need::ReadRegister).await?;
    let versions = state
        .run(move |c| store::parcel_history::versions(c, id))
        .await?;
    let now = format!("{}/api/parcels/{id}", base_url(&req, &state));
    crate::api::json_off_worker(&state, GEOJSON, move || {
        let features = versions
            .iter()
            .map(|v| {
                Feature::new(
                    v.version,
                    &v.geometry,
                    VersionProperties {
                        parcel_id: v.parcel_id,
                        version: v.version,
                        change: v.change.clone(),
                        change_name: crate::domain::register::Change::parse(&v.change)
                            .map_or("", |c| c.name_zh()),
                        changed_at: utc(v.changed.at),
                        changed_by: v.changed.by.clone(),
                        note: v.note.clone(),
                        attributes: v.properties.clone(),
                    },
                )
            })
            .collect();
        let mut body = FeatureCollection::new(features);
        body.links = vec![Link::new(now, "describes", GEOJSON, "The parcel now")];
        crate::api::to_json(&body)
    })
    .await
}

#[derive(Serialize, ToSchema)]
pub struct LineageView {
    pub parcel_id: i64,
    /// Parcels this one was split or merged from.
    pub parents: Vec<LineageEntry>,
    /// Parcels split or merged from this one.
    pub children: Vec<LineageEntry>,
}

#[derive(Serialize, ToSchema)]
pub struct LineageEntry {
    pub parcel_id: i64,
    pub code: String,
    /// `split` or `merge`.
    pub operation: String,
    pub recorded_at: DateTime<Utc>,
    pub recorded_by: String,
}

/// Where a parcel came from and what it became (分宗/合宗 lineage).
#[utoipa::path(
    tag = "parcels",
    operation_id = "get_parcel_lineage",
    params(("parcel_id" = i64, Path, description = "Parcel id")),
    responses((status = 200, body = LineageView), ReadProblems)
)]
#[get("/api/parcels/{parcel_id}/lineage")]
pub async fn parcel_lineage(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    authorize(&state, &caller, Of::Parcel(id), Need::ReadRegister).await?;
    let links = state
        .run(move |c| store::parcel_history::lineage(c, id))
        .await?;
    let entry = |pid: i64, code: &str, l: &crate::domain::register::LineageLink| LineageEntry {
        parcel_id: pid,
        code: code.to_owned(),
        operation: l.operation.clone(),
        recorded_at: utc(l.recorded.at),
        recorded_by: l.recorded.by.clone(),
    };
    let view = LineageView {
        parcel_id: id,
        parents: links
            .iter()
            .filter(|l| l.child_id == id)
            .map(|l| entry(l.parent_id, &l.parent_code, l))
            .collect(),
        children: links
            .iter()
            .filter(|l| l.parent_id == id)
            .map(|l| entry(l.child_id, &l.child_code, l))
            .collect(),
    };
    json_response(StatusCode::OK, "application/json", &view)
}
