//! Import and export of a park's parcels: GeoJSON or zipped shapefiles in, GeoJSON or CSV out.

use crate::api::AppState;
use crate::api::http::access::{Need, Of, authorize};
use crate::api::http::extract::{content_length, media_type, read_body};
use crate::api::http::params::{Params, de};
use crate::domain::access::Caller;
use crate::domain::register::ImportReport;
use crate::error::{ApiError, ReadProblems, WriteProblems};
use crate::exchange::{self, FileKind, ReadOptions};
use crate::ops;
use crate::store;
use crate::store::parcels::ParcelQuery;
use actix_web::http::header::{self, ContentDisposition, DispositionParam, DispositionType};
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde::Deserialize;
use utoipa::IntoParams;

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(import_parcels).service(export_parcels);
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// CRS of the coordinates, overriding the file's own (e.g. `EPSG:4527`).
    pub crs: Option<String>,
    /// Attribute encoding of a shapefile (`GBK`, `UTF-8`), overriding detection.
    pub encoding: Option<String>,
    /// Which shapefile of a zip holding several.
    pub layer: Option<String>,
    /// Check everything and report, but write nothing.
    #[serde(default, deserialize_with = "de::yes_no")]
    pub dry_run: Option<bool>,
}

/// Import parcels into a park from a GeoJSON FeatureCollection (`application/geo+json`) or a
/// zipped shapefile (`application/zip`). All or nothing: if any feature is refused, nothing is
/// written and the problem lists every refused feature with its reasons.
#[utoipa::path(
    tag = "parcels",
    operation_id = "import_parcels",
    params(("park_id" = i64, Path, description = "Park id"), ImportParams),
    request_body(description = "A zipped shapefile (.shp, .shx, .dbf, and .prj, .cpg) or a GeoJSON FeatureCollection", content(
        (Vec<u8> = "application/zip"),
        (serde_json::Value = "application/geo+json")
    )),
    responses((status = 201, body = ImportReport, description = "All features were imported"), (status = 200, body = ImportReport, description = "Dry run: what would be imported"), WriteProblems)
)]
#[post("/api/parks/{park_id}/parcels/import")]
pub async fn import_parcels(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    caller: Caller,
    params: Params<ImportParams>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let park_id = path.into_inner();
    authorize(&state, &caller, Of::Park(park_id), Need::WriteParcels).await?;
    let params = params.read()?;
    let options = ReadOptions::named(
        params.crs.as_deref(),
        params.encoding.as_deref(),
        params.layer,
    )
    .map_err(ApiError::invalid_parameter)?;
    let dry_run = params.dry_run.unwrap_or(false);
    let media = media_type(req.headers());
    let _turn = state.import_turn().await?;
    let bytes = read_body(
        payload.into_inner(),
        content_length(req.headers()),
        state.config.max_upload_bytes,
    )
    .await?;
    let kind = FileKind::detect(media.as_deref(), &bytes);
    let limits = state.limits;
    let request = state
        .compute_heavy(move || {
            let file = exchange::read(&bytes, kind, &options, &limits)?;
            Ok(exchange::import_request(file, park_id, dry_run))
        })
        .await?;
    let stamp = state.stamp(&caller);
    let report = state
        .run(move |conn| ops::import::import(conn, request, &stamp, &|_, _, _| {}))
        .await?;
    if !report.rejected.is_empty() {
        return Err(ApiError::import_rejected(report));
    }
    let status = if dry_run {
        actix_web::http::StatusCode::OK
    } else {
        actix_web::http::StatusCode::CREATED
    };
    crate::api::json_response(status, "application/json", &report)
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ExportParams {
    /// `geojson` (default) or `csv`.
    pub format: Option<String>,
}

/// Download a park's active parcels as GeoJSON or CSV (UTF-8 with BOM, area in m² and 亩,
/// geometry as WKT).
#[utoipa::path(
    tag = "parcels",
    operation_id = "export_parcels",
    params(("park_id" = i64, Path, description = "Park id"), ExportParams),
    responses(
        (status = 200, description = "The parcels", content(("application/geo+json"), ("text/csv"))),
        ReadProblems
    )
)]
#[get("/api/parks/{park_id}/parcels/export")]
pub async fn export_parcels(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i64>,
    params: Params<ExportParams>,
) -> Result<HttpResponse, ApiError> {
    let park_id = path.into_inner();
    authorize(&state, &caller, Of::Park(park_id), Need::ReadRegister).await?;
    let query = params.read()?;
    let csv = match query.format.as_deref() {
        None | Some("geojson") => false,
        Some("csv") => true,
        Some(other) => {
            return Err(ApiError::invalid_parameter(format!(
                "format `{other}` is not offered; use geojson or csv"
            )));
        }
    };
    let (park, parcels) = state
        .run(move |c| {
            let park = store::parks::get(c, park_id)?;
            let q = ParcelQuery {
                park_id: Some(park_id),
                ..Default::default()
            };
            Ok((park, store::parcels::all(c, &q)?))
        })
        .await?;
    let body = state
        .compute(move || {
            if csv {
                exchange::export::csv(&parcels).map_err(|e| ApiError::internal(&e))
            } else {
                exchange::export::geojson(&parcels).map_err(|e| ApiError::internal(&e))
            }
        })
        .await?;
    let (media, ext) = if csv {
        ("text/csv; charset=utf-8", "csv")
    } else {
        (crate::api::GEOJSON, "geojson")
    };
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, media))
        .insert_header(ContentDisposition {
            disposition: DispositionType::Attachment,
            parameters: vec![DispositionParam::Filename(format!(
                "{}-parcels.{ext}",
                park.code
            ))],
        })
        .body(body))
}
