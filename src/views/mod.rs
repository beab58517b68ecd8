//! What the API returns: GeoJSON features whose properties are flat and typed, so QGIS and
//! web maps show them as attribute columns. Entities are mapped here; nothing else is exposed.

pub mod access;
pub mod dispatch;
pub mod entry;
pub mod estate;
pub mod json;
use json::key;
pub mod land_watch;
pub mod performance;
pub mod pipeline;
pub mod renewal;
pub mod supply;
pub mod tables;
pub mod timestamp;
pub mod workshop;

use crate::domain::industry::IndustryCode;
use crate::domain::land_use;
use crate::domain::parcel::{ParcelStatus, PlanningConditions};
use crate::domain::register::{Parcel, Park, Zone};
use crate::domain::settings::{Settings, SettingsOverrides};
use crate::domain::units::AreaM2;
use crate::spatial::geojson_out::GeoJsonMultiPolygon;
use crate::spatial::output::Output;
use crate::store::ParcelCells;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use geo::MultiPolygon;
use serde::Serialize;
use utoipa::ToSchema;

/// A GeoJSON MultiPolygon in CGCS2000 lon/lat (RFC 7946 ring order, ≤ 7 decimals).
#[derive(ToSchema)]
#[schema(as = MultiPolygon)]
#[expect(dead_code, reason = "a schema-only type for the OpenAPI document")]
pub struct MultiPolygonSchema {
    /// Always `MultiPolygon`.
    #[schema(rename = "type", example = "MultiPolygon")]
    kind: String,
    /// Polygons → rings → [longitude, latitude] positions.
    coordinates: Vec<Vec<Vec<[f64; 2]>>>,
}

/// A GeoJSON Polygon or MultiPolygon as a client sends it.
#[derive(ToSchema)]
#[schema(as = PolygonalGeometry)]
#[expect(dead_code, reason = "a schema-only type for the OpenAPI document")]
pub struct PolygonalGeometrySchema {
    /// `Polygon` or `MultiPolygon`.
    #[schema(rename = "type", example = "Polygon")]
    kind: String,
    /// Rings of [longitude, latitude] positions (closed: the last equals the first).
    #[schema(value_type = Vec<Object>)]
    coordinates: Vec<serde_json::Value>,
}

/// GeoJSON's media type (RFC 7946).
pub const GEOJSON: &str = "application/geo+json";

/// A hypermedia link (OGC API – Common).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Link {
    pub href: String,
    pub rel: String,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

impl Link {
    pub fn new(href: impl Into<String>, rel: &str, media_type: &str, title: &str) -> Self {
        Self {
            href: href.into(),
            rel: rel.to_owned(),
            media_type: (!media_type.is_empty()).then(|| media_type.to_owned()),
            title: (!title.is_empty()).then(|| title.to_owned()),
        }
    }
}

/// A GeoJSON Feature.
#[derive(Serialize, ToSchema)]
pub struct Feature<'a, P> {
    /// Always `Feature`.
    #[serde(rename = "type")]
    #[schema(example = "Feature")]
    pub kind: &'static str,
    pub id: FeatureId,
    /// Null when the request asked `skipGeometry=true`.
    #[schema(value_type = Option<MultiPolygonSchema>)]
    pub geometry: Option<GeoJsonMultiPolygon<'a>>,
    pub properties: P,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<Link>,
}

/// A feature's id: the record's number, or a name where one layer holds records of more
/// than one kind (`parcel-144`, `unit-9`).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(untagged)]
pub enum FeatureId {
    Number(i64),
    Name(String),
}

impl<'a, P> Feature<'a, P> {
    pub fn new(id: i64, geometry: &'a MultiPolygon<f64>, properties: P) -> Self {
        Self::named(FeatureId::Number(id), geometry, properties)
    }

    pub fn named(id: FeatureId, geometry: &'a MultiPolygon<f64>, properties: P) -> Self {
        Self {
            kind: "Feature",
            id,
            geometry: Some(GeoJsonMultiPolygon(geometry, Output::Crs84)),
            properties,
            links: Vec::new(),
        }
    }

    pub fn with_links(mut self, links: Vec<Link>) -> Self {
        self.links = links;
        self
    }

    /// Write the geometry in another system: a CRS of OGC API – Features Part 2, or GCJ-02 /
    /// BD-09 for a web map on offset tiles.
    pub fn written_in(mut self, output: Output) -> Self {
        if let Some(g) = &mut self.geometry {
            g.1 = output;
        }
        self
    }

    /// The feature without its geometry (`skipGeometry=true`): `geometry` is null.
    pub fn without_geometry(mut self) -> Self {
        self.geometry = None;
        self
    }
}

/// A GeoJSON FeatureCollection, with the OGC API paging members when it is a page.
#[derive(Serialize, ToSchema)]
pub struct FeatureCollection<'a, P> {
    /// Always `FeatureCollection`.
    #[serde(rename = "type")]
    #[schema(example = "FeatureCollection")]
    pub kind: &'static str,
    pub features: Vec<Feature<'a, P>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<Link>,
    #[serde(rename = "numberMatched", skip_serializing_if = "Option::is_none")]
    pub number_matched: Option<i64>,
    #[serde(rename = "numberReturned", skip_serializing_if = "Option::is_none")]
    pub number_returned: Option<usize>,
    #[serde(rename = "timeStamp", skip_serializing_if = "Option::is_none")]
    pub time_stamp: Option<String>,
}

impl<'a, P> FeatureCollection<'a, P> {
    pub fn new(features: Vec<Feature<'a, P>>) -> Self {
        Self {
            kind: "FeatureCollection",
            features,
            links: Vec::new(),
            number_matched: None,
            number_returned: None,
            time_stamp: None,
        }
    }
}

/// UTC timestamp as RFC 3339.
pub fn utc(t: NaiveDateTime) -> DateTime<Utc> {
    t.and_utc()
}

/// An industry code with its division's name.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IndustryView {
    /// GB/T 4754-2017 code (大类/中类/小类), e.g. `39` or `3911`.
    pub code: String,
    /// Section (门类) letter, e.g. `C`.
    pub section: String,
    /// Name of its division (大类).
    pub name: String,
}

pub fn industries(codes: &[String]) -> Vec<IndustryView> {
    codes
        .iter()
        .filter_map(|c| IndustryCode::parse("", c).ok())
        .map(|c| IndustryView {
            code: c.as_str().to_owned(),
            section: c.section().to_string(),
            name: c.division_name().to_owned(),
        })
        .collect()
}

/// A park's properties.
#[derive(Serialize, ToSchema)]
pub struct ParkProperties {
    pub code: String,
    pub name: String,
    /// 6-digit administrative division code (GB/T 2260) of the county the park is in.
    pub admin_code: Option<String>,
    pub description: String,
    /// Industry positioning (主导产业).
    pub industries: Vec<IndustryView>,
    /// Computed from the boundary, geodesic on CGCS2000.
    pub area_m2: f64,
    /// `area_m2` in 亩 (1 亩 = 10000/15 m²).
    pub area_mu: f64,
    /// What this park overrides.
    pub settings: SettingsOverrides,
    /// The settings in force: the park's over the defaults.
    pub effective_settings: Settings,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl ParkProperties {
    pub fn of(p: &Park) -> Self {
        let area = AreaM2(p.area_m2);
        Self {
            code: p.code.clone(),
            name: p.name.clone(),
            admin_code: p.admin_code.clone(),
            description: p.description.clone(),
            industries: industries(&p.industries),
            area_m2: area.m2_display(),
            area_mu: area.mu_display(),
            settings: p.settings.clone(),
            effective_settings: Settings::resolve([&p.settings]),
            version: p.version,
            created_at: utc(p.created.at),
            updated_at: utc(p.updated.at),
        }
    }
}

/// A zone's properties.
#[derive(Serialize, ToSchema)]
pub struct ZoneProperties {
    pub park_id: i64,
    pub code: String,
    pub name: String,
    pub description: String,
    /// The zone's own industry positioning; `null` inherits the park's.
    pub industries: Option<Vec<IndustryView>>,
    /// The positioning in force (the zone's, else the park's).
    pub effective_industries: Vec<IndustryView>,
    pub area_m2: f64,
    pub area_mu: f64,
    pub settings: SettingsOverrides,
    /// The settings in force: zone over park over defaults.
    pub effective_settings: Settings,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl ZoneProperties {
    pub fn of(z: &Zone, park: &Park) -> Self {
        let area = AreaM2(z.area_m2);
        let own = z.industries.as_deref().map(industries);
        Self {
            park_id: z.park_id,
            code: z.code.clone(),
            name: z.name.clone(),
            description: z.description.clone(),
            effective_industries: own.clone().unwrap_or_else(|| industries(&park.industries)),
            industries: own,
            area_m2: area.m2_display(),
            area_mu: area.mu_display(),
            settings: z.settings.clone(),
            effective_settings: Settings::resolve([&park.settings, &z.settings]),
            version: z.version,
            created_at: utc(z.created.at),
            updated_at: utc(z.updated.at),
        }
    }
}

/// A parcel's properties (宗地属性).
#[derive(Serialize, ToSchema)]
pub struct ParcelProperties<'a> {
    pub park_id: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zone_id: Option<i64>,
    /// The parcel code (宗地代码), unique within the park.
    pub code: &'a str,
    pub name: &'a str,
    /// Location description (坐落).
    pub location: &'a str,
    /// Land-use class of the 用地用海分类, e.g. `100101`.
    pub land_use: &'a str,
    /// Its name, e.g. 一类工业用地.
    pub land_use_name: &'static str,
    pub status: ParcelStatus,
    /// The status in Chinese, e.g. 可供应.
    pub status_name: &'static str,
    /// Geodesic area on CGCS2000, m² (computed, never taken from a client): the land
    /// survey's (国土调查) figure.
    pub area_m2: f64,
    /// `area_m2` in 亩.
    pub area_mu: f64,
    /// Plane area in the parcel's CGCS2000 3° Gauss-Krüger zone, m²: the figure of the
    /// cadastral survey (地籍调查) and the property certificate (不动产权证书).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plane_area_m2: Option<f64>,
    /// The zone `plane_area_m2` is measured in, e.g. 4548 (EPSG:4548, central meridian 117°E).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plane_area_epsg: Option<u16>,
    /// Planning conditions (规划条件): 容积率, 建筑密度 and 绿地率 ranges, 建筑限高.
    #[serde(flatten)]
    pub planning: PlanningConditions,
    /// Infrastructure in place (keys of the park's list, 七通 by default).
    #[schema(value_type = Vec<String>)]
    pub infrastructure: Codes<'a>,
    /// Site levelled (场地平整, the 平 of 七通一平).
    pub site_levelled: bool,
    /// The 净地 conditions the bureau has attested (Art. 21): `rights_clear`, `resettled`,
    /// `undisputed`.
    #[schema(value_type = Vec<String>)]
    pub clearances: Codes<'a>,
    /// 建设用地批准文号 ("" when not recorded).
    pub approval_no: &'a str,
    /// 建设用地批准日期.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approved_on: Option<NaiveDate>,
    pub version: i64,
    #[serde(serialize_with = "timestamp::utc")]
    pub created_at: DateTime<Utc>,
    pub created_by: &'a str,
    #[serde(serialize_with = "timestamp::utc")]
    pub updated_at: DateTime<Utc>,
    pub updated_by: &'a str,
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "timestamp::utc_opt"
    )]
    pub retired_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retired_reason: Option<&'a str>,
}

impl<'a> ParcelProperties<'a> {
    /// Borrows from the parcel: map pages build a thousand of these per request.
    pub fn of(p: &'a Parcel) -> Self {
        let area = AreaM2(p.area_m2);
        let plane = p.plane_area;
        Self {
            park_id: p.park_id,
            zone_id: p.zone_id,
            code: &p.code,
            name: &p.name,
            location: &p.location,
            land_use: &p.land_use,
            land_use_name: land_use::name_of(&p.land_use),
            status: p.status,
            status_name: p.status.label_zh(),
            area_m2: area.m2_display(),
            area_mu: area.mu_display(),
            plane_area_m2: plane.map(|(m2, _)| AreaM2(m2).m2_display()),
            plane_area_epsg: plane.map(|(_, code)| code),
            planning: p.planning,
            infrastructure: Codes::Items(&p.infrastructure),
            site_levelled: p.site_levelled,
            clearances: Codes::Items(&p.clearances),
            approval_no: &p.approval_no,
            approved_on: p.approved_on,
            version: p.version,
            created_at: utc(p.created.at),
            created_by: &p.created.by,
            updated_at: utc(p.updated.at),
            updated_by: &p.updated.by,
            retired_at: p.retired_at.map(utc),
            retired_reason: p.retired_reason.as_deref(),
        }
    }

    /// The properties of a parcels row read as cells (the map page on PostgreSQL): the same
    /// as [`ParcelProperties::of`] gives for the parcel the row makes (tested on PostgreSQL,
    /// `ogc_api::a_map_page_writes_each_parcel_as_its_item`).
    pub fn of_cells(c: &'a ParcelCells) -> Self {
        let area = AreaM2(c.area_m2);
        let plane = c.plane_area();
        Self {
            park_id: c.park_id,
            zone_id: c.zone_id,
            code: &c.code,
            name: &c.name,
            location: &c.location,
            land_use: &c.land_use,
            land_use_name: land_use::name_of(&c.land_use),
            status: c.status,
            status_name: c.status.label_zh(),
            area_m2: area.m2_display(),
            area_mu: area.mu_display(),
            plane_area_m2: plane.map(|(m2, _)| AreaM2(m2).m2_display()),
            plane_area_epsg: plane.map(|(_, code)| code),
            planning: c.planning,
            infrastructure: Codes::Stored(&c.infrastructure),
            site_levelled: c.site_levelled,
            clearances: Codes::Stored(&c.clearances),
            approval_no: &c.approval_no,
            approved_on: c.approved_on,
            version: c.version,
            created_at: utc(c.created_at),
            created_by: &c.created_by,
            updated_at: utc(c.updated_at),
            updated_by: &c.updated_by,
            retired_at: c.retired_at.map(utc),
            retired_reason: c.retired_reason.as_deref(),
        }
    }
}

/// A list of codes (a parcel's infrastructure, its clearances): as the parcel holds them, or
/// as they are stored — comma-separated, read as `store::rows::split_list` reads them.
#[derive(Clone, Copy)]
pub enum Codes<'a> {
    Items(&'a [String]),
    Stored(&'a str),
}

impl<'a> Codes<'a> {
    pub fn iter(self) -> impl Iterator<Item = &'a str> {
        let (items, stored) = match self {
            Codes::Items(items) => (Some(items.iter().map(String::as_str)), None),
            Codes::Stored(text) => (
                None,
                Some(text.split(',').map(str::trim).filter(|s| !s.is_empty())),
            ),
        };
        items
            .into_iter()
            .flatten()
            .chain(stored.into_iter().flatten())
    }

    /// The codes comma-separated (CSV, spreadsheets).
    pub fn joined(self) -> String {
        self.iter().collect::<Vec<_>>().join(",")
    }
}

impl Serialize for Codes<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

impl ParcelProperties<'_> {
    /// The properties written by hand, member for member as serde writes this struct (tested:
    /// `parcel_properties_written_by_hand_are_serde_s`); the map page's hot path
    /// (docs/performance.md). A member added to the struct must be added here: the test
    /// compares every field, present and absent.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        self.write_json_keeping(out, None);
    }

    /// [`ParcelProperties::write_json`] with only the members `keep` names (`properties=`), in
    /// this struct's order.
    pub fn write_json_keeping(&self, out: &mut Vec<u8>, keep: Option<&[String]>) {
        let mut o = json::Object::keeping(out, keep);
        o.int(key!("park_id"), self.park_id);
        o.some(key!("zone_id"), self.zone_id, json::Object::int);
        o.str(key!("code"), self.code);
        o.str(key!("name"), self.name);
        o.str(key!("location"), self.location);
        o.str(key!("land_use"), self.land_use);
        o.str(key!("land_use_name"), self.land_use_name);
        o.str(key!("status"), self.status.as_str());
        o.str(key!("status_name"), self.status_name);
        o.f64(key!("area_m2"), self.area_m2);
        o.f64(key!("area_mu"), self.area_mu);
        o.some_f64(key!("plane_area_m2"), self.plane_area_m2);
        o.some(
            key!("plane_area_epsg"),
            self.plane_area_epsg,
            json::Object::int,
        );
        let p = &self.planning;
        o.some_f64(key!("far_min"), p.far_min);
        o.some_f64(key!("far_max"), p.far_max);
        o.some_f64(key!("building_density_min_pct"), p.building_density_min_pct);
        o.some_f64(key!("building_density_max_pct"), p.building_density_max_pct);
        o.some_f64(key!("green_ratio_min_pct"), p.green_ratio_min_pct);
        o.some_f64(key!("green_ratio_max_pct"), p.green_ratio_max_pct);
        o.some_f64(key!("height_max_m"), p.height_max_m);
        o.strs(key!("infrastructure"), self.infrastructure.iter());
        o.bool(key!("site_levelled"), self.site_levelled);
        o.strs(key!("clearances"), self.clearances.iter());
        o.str(key!("approval_no"), self.approval_no);
        o.some(key!("approved_on"), self.approved_on, |o, k, d| {
            o.with(k, |out| json::serialized(out, &d))
        });
        o.int(key!("version"), self.version);
        o.with(key!("created_at"), |out| {
            timestamp::write_json(out, &self.created_at)
        });
        o.str(key!("created_by"), self.created_by);
        o.with(key!("updated_at"), |out| {
            timestamp::write_json(out, &self.updated_at)
        });
        o.str(key!("updated_by"), self.updated_by);
        o.some(key!("retired_at"), self.retired_at, |o, k, t| {
            o.with(k, |out| timestamp::write_json(out, &t))
        });
        o.some(
            key!("retired_reason"),
            self.retired_reason,
            json::Object::str,
        );
        o.end();
    }
}

impl<P> Feature<'_, P> {
    /// The feature written by hand around properties written by `properties` (the map page,
    /// [`ParcelProperties::write_json`]); the same bytes as serde's (tested).
    pub fn write_json(&self, out: &mut Vec<u8>, properties: impl FnOnce(&P, &mut Vec<u8>)) {
        let mut o = json::Object::new(out);
        o.str(key!("type"), self.kind);
        o.with(key!("id"), |out| match &self.id {
            FeatureId::Number(n) => json::integer(out, *n),
            FeatureId::Name(name) => json::string(out, name),
        });
        o.with(key!("geometry"), |out| match &self.geometry {
            Some(GeoJsonMultiPolygon(g, output)) => {
                crate::spatial::geojson_out::write_multipolygon(out, g, *output)
            }
            None => out.extend_from_slice(b"null"),
        });
        o.with(key!("properties"), |out| properties(&self.properties, out));
        if !self.links.is_empty() {
            o.with(key!("links"), |out| json::serialized(out, &self.links));
        }
        o.end();
    }
}

pub type ParkFeature<'a> = Feature<'a, ParkProperties>;
pub type ZoneFeature<'a> = Feature<'a, ZoneProperties>;
pub type ParcelFeature<'a> = Feature<'a, ParcelProperties<'a>>;

/// A parcel as a Feature with links to its history, lineage and park.
pub fn parcel_feature<'a>(p: &'a Parcel, base: &str) -> ParcelFeature<'a> {
    Feature::new(p.id, &p.geometry, ParcelProperties::of(p)).with_links(vec![
        Link::new(
            format!("{base}/api/parcels/{}", p.id),
            "self",
            GEOJSON,
            "This parcel",
        ),
        Link::new(
            format!("{base}/api/parcels/{}/history", p.id),
            "version-history",
            GEOJSON,
            "Every version",
        ),
        Link::new(
            format!("{base}/api/parcels/{}/lineage", p.id),
            "related",
            "application/json",
            "Split and merge lineage",
        ),
        Link::new(
            format!("{base}/api/parks/{}", p.park_id),
            "collection",
            GEOJSON,
            "The park",
        ),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::register::Stamp;
    use chrono::NaiveDate;
    use geo::polygon;

    fn parcel(full: bool) -> Parcel {
        let at = NaiveDate::from_ymd_opt(2026, 12, 6)
            .unwrap()
            .and_hms_nano_opt(6, 15, 34, 123_000_000)
            .unwrap();
        let geometry = MultiPolygon(vec![polygon![
            (x: 116.6, y: 27.5), (x: 116.601, y: 27.5), (x: 116.601, y: 27.5012345678), (x: 116.6, y: 27.5)
        ]]);
        let some = |v: f64| full.then_some(v);
        Parcel {
            id: 144,
            park_id: 3,
            zone_id: full.then_some(7),
            code: "360123-A \"东\"\\1".into(),
            name: "一号地块\t".into(),
            location: "园区大道以东".into(),
            land_use: "100101".into(),
            status: if full {
                ParcelStatus::Retired
            } else {
                ParcelStatus::Available
            },
            planning: PlanningConditions {
                far_min: some(1.2),
                far_max: some(3.0),
                building_density_min_pct: some(40.0),
                building_density_max_pct: some(60.5),
                green_ratio_min_pct: some(0.0),
                green_ratio_max_pct: some(15.0),
                height_max_m: some(24.0),
            },
            infrastructure: if full {
                vec!["road".into(), "water".into()]
            } else {
                vec![]
            },
            site_levelled: full,
            clearances: if full {
                vec!["rights_clear".into()]
            } else {
                vec![]
            },
            approval_no: if full {
                "赣府土字〔2022〕12号".into()
            } else {
                String::new()
            },
            approved_on: full.then(|| NaiveDate::from_ymd_opt(2022, 3, 1).unwrap()),
            geometry,
            area_m2: 12345.678901,
            plane_area: full.then_some((12346.0049, 4539)),
            version: 9,
            created: Stamp::stored("张三".into(), at),
            updated: Stamp::stored("cli:root".into(), at + chrono::Duration::seconds(5)),
            retired_at: full.then_some(at + chrono::Duration::days(1)),
            retired_reason: full.then(|| "合宗".to_owned()),
        }
    }

    #[test]
    fn parcel_properties_written_by_hand_are_serde_s() {
        for full in [true, false] {
            let p = parcel(full);
            for output in [Some(Output::Crs84), Some(Output::WebMercator), None] {
                let mut feature = Feature::new(p.id, &p.geometry, ParcelProperties::of(&p));
                match output {
                    Some(o) => feature = feature.written_in(o),
                    None => feature = feature.without_geometry(),
                }
                let mut by_hand = Vec::new();
                feature.write_json(&mut by_hand, ParcelProperties::write_json);
                let serde = serde_json::to_string(&feature).unwrap();
                assert_eq!(String::from_utf8(by_hand).unwrap(), serde, "full: {full}");
            }
            // Every member is written: the full parcel's properties have none missing.
            if full {
                let value = serde_json::to_value(ParcelProperties::of(&p)).unwrap();
                assert_eq!(value.as_object().unwrap().len(), 32, "{value}");
            }
        }
        // `properties=`: the members named, whatever order they were named in (JSON objects
        // have none); names of no member are ignored, as serde's selection ignores them.
        let p = parcel(true);
        let keep: Vec<String> = ["status", "code", "no_such", "far_min", "retired_at"]
            .map(String::from)
            .into();
        let mut by_hand = Vec::new();
        ParcelProperties::of(&p).write_json_keeping(&mut by_hand, Some(&keep));
        let serde_json::Value::Object(all) =
            serde_json::to_value(ParcelProperties::of(&p)).unwrap()
        else {
            panic!("properties are an object")
        };
        let selected: serde_json::Map<_, _> =
            all.into_iter().filter(|(k, _)| keep.contains(k)).collect();
        let written: serde_json::Value = serde_json::from_slice(&by_hand).unwrap();
        assert_eq!(written, serde_json::Value::Object(selected));
        assert_eq!(written.as_object().unwrap().len(), 4);
        // Links, when a feature has them, follow the properties.
        let p = parcel(false);
        let feature =
            Feature::new(p.id, &p.geometry, ParcelProperties::of(&p)).with_links(vec![Link::new(
                "http://x/1",
                "self",
                "application/geo+json",
                "这个",
            )]);
        let mut by_hand = Vec::new();
        feature.write_json(&mut by_hand, ParcelProperties::write_json);
        assert_eq!(by_hand, serde_json::to_vec(&feature).unwrap());
    }
}
