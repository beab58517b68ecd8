//! The files bureaus exchange: GeoJSON FeatureCollections and zipped ESRI shapefiles in, GeoJSON
//! and CSV out.
//!
//! Reading turns a file into features with lon/lat geometry and an attribute map, naming the
//! CRS and encoding it used; checking them against the register is the store's job.

pub mod export;
pub mod fields;
pub mod formula;
pub mod geojson_in;
pub mod limits;
pub mod prj;
pub mod shapefile_zip;
pub mod sheets;
mod shp;
pub mod spreadsheet;
pub mod tables;

use crate::domain::register::ImportRequest;
use crate::spatial::crs::Crs;
use geo::MultiPolygon;
use limits::{LimitExceeded, UploadLimits};
use serde_json::{Map, Value};
use std::fmt;

/// A feature read from a file: its attributes and its geometry in CGCS2000 lon/lat (or why
/// the geometry could not be read).
#[derive(Debug, Clone)]
pub struct SourceFeature {
    pub properties: Map<String, Value>,
    pub geometry: Result<MultiPolygon<f64>, String>,
}

/// A whole file, read.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub features: Vec<SourceFeature>,
    pub crs: Crs,
    /// The attribute encoding (shapefiles).
    pub encoding: Option<String>,
}

/// What kind of file an upload is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    GeoJson,
    ShapefileZip,
}

impl FileKind {
    /// From the upload's media type, else from its first bytes (a zip starts with `PK`).
    pub fn detect(media_type: Option<&str>, bytes: &[u8]) -> FileKind {
        match media_type {
            Some(
                "application/zip" | "application/x-zip-compressed" | "application/x-shapefile",
            ) => FileKind::ShapefileZip,
            Some(m) if m.ends_with("json") => FileKind::GeoJson,
            _ if bytes.starts_with(b"PK\x03\x04") => FileKind::ShapefileZip,
            _ => FileKind::GeoJson,
        }
    }
}

/// Choices a user can make about an import.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// The CRS of the coordinates, overriding what the file says.
    pub crs: Option<Crs>,
    /// The attribute encoding of a shapefile, overriding what it says.
    pub encoding: Option<&'static encoding_rs::Encoding>,
    /// Which shapefile of a zip holding several (its name without `.shp`).
    pub layer: Option<String>,
}

impl ReadOptions {
    /// The options as a user names them (a CRS like `EPSG:4549`, an encoding label like
    /// `GBK`); the message says which name is not known.
    pub fn named(
        crs: Option<&str>,
        encoding: Option<&str>,
        layer: Option<String>,
    ) -> Result<Self, String> {
        let crs = crs
            .map(|c| Crs::parse(c).map_err(|e| format!("crs: {e}")))
            .transpose()?;
        let encoding = encoding
            .map(|e| {
                encoding_rs::Encoding::for_label(e.as_bytes())
                    .ok_or_else(|| format!("encoding `{e}` is not known; use GBK or UTF-8"))
            })
            .transpose()?;
        Ok(Self {
            crs,
            encoding,
            layer,
        })
    }
}

/// A file that cannot be read at all, or not within its bounds.
#[derive(Debug, Clone, PartialEq)]
pub struct ExchangeError {
    pub message: String,
    /// The bound the file went beyond, when that is why.
    pub limit: Option<LimitExceeded>,
}

impl ExchangeError {
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            limit: None,
        }
    }
}

impl From<LimitExceeded> for ExchangeError {
    fn from(limit: LimitExceeded) -> Self {
        Self {
            message: limit.to_string(),
            limit: Some(limit),
        }
    }
}

impl fmt::Display for ExchangeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ExchangeError {}

/// Read an upload of either kind within its bounds.
pub fn read(
    bytes: &[u8],
    kind: FileKind,
    options: &ReadOptions,
    limits: &UploadLimits,
) -> Result<SourceFile, ExchangeError> {
    match kind {
        FileKind::GeoJson => geojson_in::read(bytes, options, limits),
        FileKind::ShapefileZip => shapefile_zip::read(bytes, options, limits),
    }
}

/// Turn a read file into an import for a park: each feature's attributes and geometry checked
/// into a parcel draft, or a rejection naming the feature and every reason.
pub fn import_request(file: SourceFile, park_id: i64, dry_run: bool) -> ImportRequest {
    use crate::domain::register::{ImportItem, ParcelDraft, Rejection};
    use crate::spatial::{AreaLimits, Footprint};
    let features = file.features.len();
    let mut items = Vec::with_capacity(features);
    let mut rejected = Vec::new();
    for (i, feature) in file.features.into_iter().enumerate() {
        let number = i + 1;
        let attributes = fields::parcel_from(&feature.properties);
        let code = attributes.as_ref().ok().map(|a| a.raw.code.clone());
        let footprint = feature.geometry.and_then(|g| {
            Footprint::new("geometry", g, AreaLimits::PARCEL).map_err(|e| e.to_string())
        });
        let result = match (attributes, footprint) {
            (Ok(a), Ok(fp)) => ParcelDraft::from_raw(a.raw, fp, "")
                .map(|draft| (draft, a.zone, a.declared_area_m2))
                .map_err(|errors| errors.iter().map(ToString::to_string).collect()),
            (Err(mut reasons), Err(g)) => {
                reasons.push(g);
                Err(reasons)
            }
            (Err(reasons), Ok(_)) => Err(reasons),
            (Ok(_), Err(g)) => Err(vec![g]),
        };
        match result {
            Ok((draft, zone, declared_area_m2)) => items.push(ImportItem {
                feature: number,
                draft,
                zone,
                declared_area_m2,
            }),
            Err(reasons) => rejected.push(Rejection {
                feature: number,
                code,
                reasons,
            }),
        }
    }
    ImportRequest {
        park_id,
        items,
        rejected,
        features,
        crs: file.crs.name(),
        encoding: file.encoding,
        dry_run,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_the_kind() {
        assert_eq!(
            FileKind::detect(Some("application/zip"), b"x"),
            FileKind::ShapefileZip
        );
        assert_eq!(
            FileKind::detect(None, b"PK\x03\x04rest"),
            FileKind::ShapefileZip
        );
        assert_eq!(
            FileKind::detect(Some("application/geo+json"), b"{}"),
            FileKind::GeoJson
        );
    }
}
