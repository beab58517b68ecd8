//! The shapes of write bodies shared by every resource: a GeoJSON Feature whose properties
//! are the resource's own, the same as a JSON merge patch, and small helpers that collect field
//! problems so one response can name all of them.

use crate::domain::FieldError;
use crate::views::PolygonalGeometrySchema;
use serde::Deserialize;
use utoipa::ToSchema;

/// The only GeoJSON object type a write body may be.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
pub enum FeatureTag {
    Feature,
}

/// A new record as a GeoJSON Feature: its geometry (a boundary or a parcel's footprint) and
/// its properties. Areas are computed from the geometry.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FeatureIn<P> {
    #[serde(rename = "type")]
    pub kind: FeatureTag,
    #[schema(value_type = PolygonalGeometrySchema)]
    pub geometry: serde_json::Value,
    pub properties: P,
    /// Legacy GeoJSON CRS member, e.g. `{"type": "name", "properties": {"name": "EPSG:4527"}}`;
    /// CGCS2000 lon/lat when absent.
    pub crs: Option<NamedCrs>,
    pub bbox: Option<Vec<f64>>,
}

/// Changes to a record: a JSON merge patch of its Feature. Only what is sent changes.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields, bound(deserialize = "P: Deserialize<'de>"))]
pub struct FeaturePatchIn<P> {
    #[serde(rename = "type", default, deserialize_with = "not_null")]
    pub kind: Option<FeatureTag>,
    #[serde(default, deserialize_with = "not_null")]
    #[schema(value_type = Option<PolygonalGeometrySchema>)]
    pub geometry: Option<serde_json::Value>,
    #[serde(default, deserialize_with = "not_null")]
    pub properties: Option<P>,
    pub crs: Option<NamedCrs>,
}

/// The legacy GeoJSON `crs` member (`{"type": "name", "properties": {"name": "EPSG:4527"}}`).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NamedCrs {
    #[serde(rename = "type")]
    pub kind: String,
    pub properties: NamedCrsProperties,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NamedCrsProperties {
    /// e.g. `urn:ogc:def:crs:EPSG::4490` or `EPSG:4527`.
    pub name: String,
}

/// What a merge patch is told when it sets a field that cannot be removed to `null`.
pub const NOT_NULL: &str =
    "cannot be removed (null): leave it out to keep its value, or give a new one";
/// [`NOT_NULL`] in Chinese.
pub const NOT_NULL_ZH: &str = "不能删除（null）：不填则保留原值，或填写新值";

/// A merge-patch field that may change but not be removed: in a JSON merge patch (RFC 7396)
/// `null` removes a field, which for this one is refused with a 422 naming it — never read as
/// "no change".
pub fn not_null<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    match Option::<T>::deserialize(d)? {
        Some(v) => Ok(Some(v)),
        None => Err(serde::de::Error::custom(NOT_NULL)),
    }
}

/// Distinguish an absent field (`None`) from an explicit `null` (`Some(None)`).
pub fn nullable<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// Collect the outcome of one field check into `errors`.
pub fn check<T>(errors: &mut Vec<FieldError>, r: Result<T, FieldError>) -> Option<T> {
    r.map_err(|e| errors.push(e)).ok()
}

/// Collect the outcome of a check that reports several fields.
pub fn check_many<T>(errors: &mut Vec<FieldError>, r: Result<T, Vec<FieldError>>) -> Option<T> {
    r.map_err(|e| errors.extend(e)).ok()
}
