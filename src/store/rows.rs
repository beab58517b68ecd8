//! Diesel row types and their mapping to the register's entities. Rows never leave the store.

use super::schema::{parcels, parks, zones};
use super::{StoreError, StoreResult};
use crate::domain::parcel::{ParcelStatus, PlanningConditions};
use crate::domain::register::{Parcel, Park, Stamp, Zone};
use crate::domain::settings::SettingsOverrides;
use crate::spatial::{Bbox, wkb};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use geo::MultiPolygon;

/// Lists are stored as comma-separated text (industry codes and infrastructure keys never
/// contain commas), which both backends handle without JSON or array types.
pub fn join_list<S: AsRef<str>>(items: &[S]) -> String {
    items
        .iter()
        .map(AsRef::as_ref)
        .collect::<Vec<_>>()
        .join(",")
}

pub fn split_list(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

pub fn decode_geometry(bytes: &[u8]) -> StoreResult<MultiPolygon<f64>> {
    wkb::decode(bytes)
        .map_err(|e| StoreError::Corrupt(format!("stored geometry is unreadable: {e}")))
}

fn decode_settings(text: &str) -> StoreResult<SettingsOverrides> {
    serde_json::from_str(text)
        .map_err(|e| StoreError::Corrupt(format!("stored settings are unreadable: {e}")))
}

pub fn encode_settings(s: &SettingsOverrides) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "{}".into())
}

/// The extent columns every geometry row carries.
pub fn extent(mp: &MultiPolygon<f64>) -> Bbox {
    Bbox::of(mp).unwrap_or(Bbox {
        min_x: 0.0,
        min_y: 0.0,
        max_x: 0.0,
        max_y: 0.0,
    })
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = parks)]
pub struct ParkRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub admin_code: Option<String>,
    pub description: String,
    pub industries: String,
    pub settings: String,
    pub boundary: Vec<u8>,
    pub area_m2: f64,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub created_by: String,
    pub updated_at: NaiveDateTime,
    pub updated_by: String,
}

impl ParkRow {
    pub fn into_park(self) -> StoreResult<Park> {
        Ok(Park {
            id: self.id,
            code: self.code,
            name: self.name,
            admin_code: self.admin_code,
            description: self.description,
            industries: split_list(&self.industries),
            settings: decode_settings(&self.settings)?,
            boundary: decode_geometry(&self.boundary)?,
            area_m2: self.area_m2,
            version: self.version,
            created: Stamp::stored(self.created_by, self.created_at),
            updated: Stamp::stored(self.updated_by, self.updated_at),
        })
    }
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = zones)]
pub struct ZoneRow {
    pub id: i64,
    pub park_id: i64,
    pub code: String,
    pub name: String,
    pub description: String,
    pub industries: Option<String>,
    pub settings: String,
    pub boundary: Vec<u8>,
    pub area_m2: f64,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub created_by: String,
    pub updated_at: NaiveDateTime,
    pub updated_by: String,
}

impl ZoneRow {
    pub fn into_zone(self) -> StoreResult<Zone> {
        Ok(Zone {
            id: self.id,
            park_id: self.park_id,
            code: self.code,
            name: self.name,
            description: self.description,
            industries: self.industries.as_deref().map(split_list),
            settings: decode_settings(&self.settings)?,
            boundary: decode_geometry(&self.boundary)?,
            area_m2: self.area_m2,
            version: self.version,
            created: Stamp::stored(self.created_by, self.created_at),
            updated: Stamp::stored(self.updated_by, self.updated_at),
        })
    }
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = parcels)]
pub struct ParcelRow {
    pub id: i64,
    pub park_id: i64,
    pub zone_id: Option<i64>,
    pub code: String,
    pub name: String,
    pub location: String,
    pub land_use: String,
    pub status: String,
    pub far_min: Option<f64>,
    pub far_max: Option<f64>,
    pub building_density_min_pct: Option<f64>,
    pub building_density_max_pct: Option<f64>,
    pub green_ratio_min_pct: Option<f64>,
    pub green_ratio_max_pct: Option<f64>,
    pub height_max_m: Option<f64>,
    pub infrastructure: String,
    pub site_levelled: bool,
    pub approval_no: String,
    pub approved_on: Option<NaiveDate>,
    pub geom: Vec<u8>,
    pub area_m2: f64,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub created_by: String,
    pub updated_at: NaiveDateTime,
    pub updated_by: String,
    pub retired_at: Option<NaiveDateTime>,
    pub retired_reason: Option<String>,
    pub clearances: String,
    pub plane_area_m2: Option<f64>,
    pub plane_area_epsg: Option<i32>,
}

impl ParcelRow {
    pub fn into_parcel(self) -> StoreResult<Parcel> {
        let status = ParcelStatus::parse("status", &self.status).map_err(|e| {
            StoreError::Corrupt(format!("stored parcel {} is unreadable: {e}", self.id))
        })?;
        let geometry = decode_geometry(&self.geom)?;
        Ok(Parcel {
            id: self.id,
            park_id: self.park_id,
            zone_id: self.zone_id,
            code: self.code,
            name: self.name,
            location: self.location,
            land_use: self.land_use,
            status,
            planning: PlanningConditions {
                far_min: self.far_min,
                far_max: self.far_max,
                building_density_min_pct: self.building_density_min_pct,
                building_density_max_pct: self.building_density_max_pct,
                green_ratio_min_pct: self.green_ratio_min_pct,
                green_ratio_max_pct: self.green_ratio_max_pct,
                height_max_m: self.height_max_m,
            },
            infrastructure: split_list(&self.infrastructure),
            site_levelled: self.site_levelled,
            clearances: split_list(&self.clearances),
            approval_no: self.approval_no,
            approved_on: self.approved_on,
            plane_area: stored_plane_area(self.plane_area_m2, self.plane_area_epsg)
                .unwrap_or_else(|| crate::spatial::measure::plane_area_m2(&geometry)),
            geometry,
            area_m2: self.area_m2,
            version: self.version,
            created: Stamp::stored(self.created_by, self.created_at),
            updated: Stamp::stored(self.updated_by, self.updated_at),
            retired_at: self.retired_at,
            retired_reason: self.retired_reason,
        })
    }
}

/// The stored plane area: `None` when the row has none yet (written before the columns
/// existed; measured on read until `store::parcels::store_plane_areas` fills it), `Some(None)`
/// for a parcel in no Gauss-Krüger zone (EPSG 0).
pub fn stored_plane_area(m2: Option<f64>, epsg: Option<i32>) -> Option<Option<(f64, u16)>> {
    match (m2, epsg.map(u16::try_from)) {
        (_, Some(Ok(0))) => Some(None),
        (Some(m2), Some(Ok(code))) => Some(Some((m2, code))),
        _ => None,
    }
}

/// The plane area columns for a measured parcel (EPSG 0: in no zone).
pub fn plane_area_columns(plane: Option<(f64, u16)>) -> (Option<f64>, Option<i32>) {
    match plane {
        Some((m2, code)) => (Some(m2), Some(i32::from(code))),
        None => (None, Some(0)),
    }
}

/// The columns a parcel write sets; built from an entity so inserts and updates agree.
#[derive(Insertable, AsChangeset)]
#[diesel(table_name = parcels, treat_none_as_null = true)]
pub struct ParcelValues {
    pub park_id: i64,
    pub zone_id: Option<i64>,
    pub code: String,
    pub name: String,
    pub location: String,
    pub land_use: String,
    pub status: String,
    pub far_min: Option<f64>,
    pub far_max: Option<f64>,
    pub building_density_min_pct: Option<f64>,
    pub building_density_max_pct: Option<f64>,
    pub green_ratio_min_pct: Option<f64>,
    pub green_ratio_max_pct: Option<f64>,
    pub height_max_m: Option<f64>,
    pub infrastructure: String,
    pub site_levelled: bool,
    pub approval_no: String,
    pub approved_on: Option<NaiveDate>,
    pub geom: Vec<u8>,
    pub area_m2: f64,
    pub min_x: f64,
    pub min_y: f64,
    pub max_x: f64,
    pub max_y: f64,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub created_by: String,
    pub updated_at: NaiveDateTime,
    pub updated_by: String,
    pub retired_at: Option<NaiveDateTime>,
    pub retired_reason: Option<String>,
    pub clearances: String,
    pub plane_area_m2: Option<f64>,
    pub plane_area_epsg: Option<i32>,
}

impl ParcelValues {
    pub fn of(p: &Parcel) -> Self {
        let b = extent(&p.geometry);
        // Every path that sets a geometry measures it again (tests run with this on).
        debug_assert_eq!(
            p.plane_area,
            crate::spatial::measure::plane_area_m2(&p.geometry),
            "parcel {}'s plane area was not measured on its geometry",
            p.code
        );
        let (plane_area_m2, plane_area_epsg) = plane_area_columns(p.plane_area);
        Self {
            park_id: p.park_id,
            zone_id: p.zone_id,
            code: p.code.clone(),
            name: p.name.clone(),
            location: p.location.clone(),
            land_use: p.land_use.clone(),
            status: p.status.as_str().to_owned(),
            far_min: p.planning.far_min,
            far_max: p.planning.far_max,
            building_density_min_pct: p.planning.building_density_min_pct,
            building_density_max_pct: p.planning.building_density_max_pct,
            green_ratio_min_pct: p.planning.green_ratio_min_pct,
            green_ratio_max_pct: p.planning.green_ratio_max_pct,
            height_max_m: p.planning.height_max_m,
            infrastructure: join_list(&p.infrastructure),
            site_levelled: p.site_levelled,
            approval_no: p.approval_no.clone(),
            clearances: join_list(&p.clearances),
            approved_on: p.approved_on,
            geom: wkb::encode(&p.geometry),
            area_m2: p.area_m2,
            min_x: b.min_x,
            min_y: b.min_y,
            max_x: b.max_x,
            max_y: b.max_y,
            version: p.version,
            created_at: p.created.at,
            created_by: p.created.by.clone(),
            updated_at: p.updated.at,
            updated_by: p.updated.by.clone(),
            retired_at: p.retired_at,
            retired_reason: p.retired_reason.clone(),
            plane_area_m2,
            plane_area_epsg,
        }
    }
}

/// The columns a park or zone write sets (zones add `park_id`).
#[derive(Insertable, AsChangeset)]
#[diesel(table_name = parks, treat_none_as_null = true)]
pub struct ParkValues {
    pub code: String,
    pub name: String,
    pub admin_code: Option<String>,
    pub description: String,
    pub industries: String,
    pub settings: String,
    pub boundary: Vec<u8>,
    pub area_m2: f64,
    pub min_x: f64,
    pub min_y: f64,
    pub max_x: f64,
    pub max_y: f64,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub created_by: String,
    pub updated_at: NaiveDateTime,
    pub updated_by: String,
}

impl ParkValues {
    pub fn of(p: &Park) -> Self {
        let b = extent(&p.boundary);
        Self {
            code: p.code.clone(),
            name: p.name.clone(),
            admin_code: p.admin_code.clone(),
            description: p.description.clone(),
            industries: join_list(&p.industries),
            settings: encode_settings(&p.settings),
            boundary: wkb::encode(&p.boundary),
            area_m2: p.area_m2,
            min_x: b.min_x,
            min_y: b.min_y,
            max_x: b.max_x,
            max_y: b.max_y,
            version: p.version,
            created_at: p.created.at,
            created_by: p.created.by.clone(),
            updated_at: p.updated.at,
            updated_by: p.updated.by.clone(),
        }
    }
}

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = zones, treat_none_as_null = true)]
pub struct ZoneValues {
    pub park_id: i64,
    pub code: String,
    pub name: String,
    pub description: String,
    pub industries: Option<String>,
    pub settings: String,
    pub boundary: Vec<u8>,
    pub area_m2: f64,
    pub min_x: f64,
    pub min_y: f64,
    pub max_x: f64,
    pub max_y: f64,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub created_by: String,
    pub updated_at: NaiveDateTime,
    pub updated_by: String,
}

impl ZoneValues {
    pub fn of(z: &Zone) -> Self {
        let b = extent(&z.boundary);
        Self {
            park_id: z.park_id,
            code: z.code.clone(),
            name: z.name.clone(),
            description: z.description.clone(),
            industries: z.industries.as_ref().map(|l| join_list(l)),
            settings: encode_settings(&z.settings),
            boundary: wkb::encode(&z.boundary),
            area_m2: z.area_m2,
            min_x: b.min_x,
            min_y: b.min_y,
            max_x: b.max_x,
            max_y: b.max_y,
            version: z.version,
            created_at: z.created.at,
            created_by: z.created.by.clone(),
            updated_at: z.updated.at,
            updated_by: z.updated.by.clone(),
        }
    }
}

/// The SQL types of a parcels row as [`ParcelRow`] selects it.
type ParcelRowSql =
    <<ParcelRow as Selectable<diesel::pg::Pg>>::SelectExpression as Expression>::SqlType;

/// A parcels row as PostgreSQL sent it, for the map page: its short text held in place, its
/// geometry decoded straight from the row's bytes, its lists kept as stored. A page decodes
/// a thousand of these; a [`ParcelRow`] would take ten `String`s, a copy of the WKB and two
/// lists of `String`s for each, all freed once its feature is written (docs/performance.md,
/// "A map row in one piece"). [`ParcelCells::into_parcel`] gives the [`Parcel`] a
/// [`ParcelRow`] of the same row gives (tested).
pub struct ParcelCells {
    pub id: i64,
    pub park_id: i64,
    pub zone_id: Option<i64>,
    pub code: Cell,
    pub name: Cell,
    pub location: Cell,
    pub land_use: Cell,
    pub status: ParcelStatus,
    pub planning: PlanningConditions,
    /// Comma-separated, as stored ([`split_list`] reads it).
    pub infrastructure: Cell,
    pub site_levelled: bool,
    pub approval_no: Cell,
    pub approved_on: Option<NaiveDate>,
    pub geometry: MultiPolygon<f64>,
    pub area_m2: f64,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub created_by: Cell,
    pub updated_at: NaiveDateTime,
    pub updated_by: Cell,
    pub retired_at: Option<NaiveDateTime>,
    pub retired_reason: Option<Cell>,
    /// Comma-separated, as stored.
    pub clearances: Cell,
    plane_area_m2: Option<f64>,
    plane_area_epsg: Option<i32>,
}

impl ParcelCells {
    /// The plane area as [`Parcel::plane_area`] holds it: stored, or measured when the row
    /// has none yet.
    pub fn plane_area(&self) -> Option<(f64, u16)> {
        stored_plane_area(self.plane_area_m2, self.plane_area_epsg)
            .unwrap_or_else(|| crate::spatial::measure::plane_area_m2(&self.geometry))
    }

    /// The parcel, as [`ParcelRow::into_parcel`] builds it from the same row.
    pub fn into_parcel(self) -> Parcel {
        Parcel {
            plane_area: self.plane_area(),
            id: self.id,
            park_id: self.park_id,
            zone_id: self.zone_id,
            code: self.code.to_string(),
            name: self.name.to_string(),
            location: self.location.to_string(),
            land_use: self.land_use.to_string(),
            status: self.status,
            planning: self.planning,
            infrastructure: split_list(&self.infrastructure),
            site_levelled: self.site_levelled,
            clearances: split_list(&self.clearances),
            approval_no: self.approval_no.to_string(),
            approved_on: self.approved_on,
            area_m2: self.area_m2,
            version: self.version,
            created: Stamp::stored(self.created_by.to_string(), self.created_at),
            updated: Stamp::stored(self.updated_by.to_string(), self.updated_at),
            retired_at: self.retired_at,
            retired_reason: self.retired_reason.map(|r| r.to_string()),
            geometry: self.geometry,
        }
    }
}

/// The row as diesel decodes it for [`ParcelCells`]: [`ParcelRow`]'s columns in its order.
#[rustfmt::skip]
type CellsRow = (
    i64, i64, Option<i64>, Cell, Cell, Cell, Cell, StoredStatus,
    Option<f64>, Option<f64>, Option<f64>, Option<f64>, Option<f64>, Option<f64>, Option<f64>,
    Cell, bool, Cell, Option<NaiveDate>, StoredGeometry, f64, i64,
    NaiveDateTime, Cell, NaiveDateTime, Cell, Option<NaiveDateTime>, Option<Cell>, Cell,
    Option<f64>, Option<i32>,
);

impl Queryable<ParcelRowSql, diesel::pg::Pg> for ParcelCells {
    type Row = CellsRow;

    fn build(row: CellsRow) -> diesel::deserialize::Result<Self> {
        // The tuple's positions are `ParcelRow`'s fields in order (see `CellsRow`).
        Ok(Self {
            id: row.0,
            park_id: row.1,
            zone_id: row.2,
            code: row.3,
            name: row.4,
            location: row.5,
            land_use: row.6,
            status: row.7.0,
            planning: PlanningConditions {
                far_min: row.8,
                far_max: row.9,
                building_density_min_pct: row.10,
                building_density_max_pct: row.11,
                green_ratio_min_pct: row.12,
                green_ratio_max_pct: row.13,
                height_max_m: row.14,
            },
            infrastructure: row.15,
            site_levelled: row.16,
            approval_no: row.17,
            approved_on: row.18,
            geometry: row.19.0,
            area_m2: row.20,
            version: row.21,
            created_at: row.22,
            created_by: row.23,
            updated_at: row.24,
            updated_by: row.25,
            retired_at: row.26,
            retired_reason: row.27,
            clearances: row.28,
            plane_area_m2: row.29,
            plane_area_epsg: row.30,
        })
    }
}

impl ParcelCells {
    /// The columns of [`ParcelRow`]'s selection, in its order ([`CellsRow`]'s positions): what
    /// [`ParcelCells::from_wire`] reads at each position.
    pub const COLUMNS: [&str; 31] = [
        "id",
        "park_id",
        "zone_id",
        "code",
        "name",
        "location",
        "land_use",
        "status",
        "far_min",
        "far_max",
        "building_density_min_pct",
        "building_density_max_pct",
        "green_ratio_min_pct",
        "green_ratio_max_pct",
        "height_max_m",
        "infrastructure",
        "site_levelled",
        "approval_no",
        "approved_on",
        "geom",
        "area_m2",
        "version",
        "created_at",
        "created_by",
        "updated_at",
        "updated_by",
        "retired_at",
        "retired_reason",
        "clearances",
        "plane_area_m2",
        "plane_area_epsg",
    ];

    /// A page's columns are [`ParcelCells::COLUMNS`], in order (checked on its first row:
    /// a selection reordered in `ParcelRow` must not shift every member into its neighbour's).
    pub fn check_columns(columns: &[postgres::Column]) -> StoreResult<()> {
        let names = columns.iter().map(postgres::Column::name);
        if names.take(Self::COLUMNS.len()).ne(Self::COLUMNS) {
            return Err(StoreError::Corrupt(format!(
                "the map page's columns are not the parcel's: {:?}",
                columns
                    .iter()
                    .map(postgres::Column::name)
                    .collect::<Vec<_>>()
            )));
        }
        Ok(())
    }

    /// The cells of a row read on the wire (`store::wire`): the values [`Queryable::build`]
    /// takes from diesel's row, decoded by rust-postgres from the same binary format.
    pub fn from_wire(row: &postgres::Row) -> Result<Self, postgres::Error> {
        Ok(Self {
            id: row.try_get(0)?,
            park_id: row.try_get(1)?,
            zone_id: row.try_get(2)?,
            code: row.try_get(3)?,
            name: row.try_get(4)?,
            location: row.try_get(5)?,
            land_use: row.try_get(6)?,
            status: row.try_get::<_, StoredStatus>(7)?.0,
            planning: PlanningConditions {
                far_min: row.try_get(8)?,
                far_max: row.try_get(9)?,
                building_density_min_pct: row.try_get(10)?,
                building_density_max_pct: row.try_get(11)?,
                green_ratio_min_pct: row.try_get(12)?,
                green_ratio_max_pct: row.try_get(13)?,
                height_max_m: row.try_get(14)?,
            },
            infrastructure: row.try_get(15)?,
            site_levelled: row.try_get(16)?,
            approval_no: row.try_get(17)?,
            approved_on: row.try_get(18)?,
            geometry: row.try_get::<_, StoredGeometry>(19)?.0,
            area_m2: row.try_get(20)?,
            version: row.try_get(21)?,
            created_at: row.try_get(22)?,
            created_by: row.try_get(23)?,
            updated_at: row.try_get(24)?,
            updated_by: row.try_get(25)?,
            retired_at: row.try_get(26)?,
            retired_reason: row.try_get(27)?,
            clearances: row.try_get(28)?,
            plane_area_m2: row.try_get(29)?,
            plane_area_epsg: row.try_get(30)?,
        })
    }
}

/// A text column's value: up to [`Cell::INLINE`] bytes held in place — a parcel's codes,
/// users and empty fields, nearly all of a row's text — a longer one on the heap.
#[derive(diesel::deserialize::FromSqlRow)]
pub enum Cell {
    Inline(heapless::String<{ Cell::INLINE }>),
    Heap(Box<str>),
}

impl Cell {
    const INLINE: usize = 30;

    fn new(s: &str) -> Self {
        let mut inline = heapless::String::new();
        match inline.push_str(s) {
            Ok(()) => Cell::Inline(inline),
            Err(()) => Cell::Heap(s.into()),
        }
    }
}

impl std::ops::Deref for Cell {
    type Target = str;

    fn deref(&self) -> &str {
        match self {
            Cell::Inline(s) => s,
            Cell::Heap(s) => s,
        }
    }
}

impl diesel::deserialize::FromSql<diesel::sql_types::Text, diesel::pg::Pg> for Cell {
    fn from_sql(value: diesel::pg::PgValue<'_>) -> diesel::deserialize::Result<Self> {
        Ok(Cell::new(std::str::from_utf8(value.as_bytes())?))
    }
}

/// A parcel's status read from its column.
#[derive(diesel::deserialize::FromSqlRow)]
pub struct StoredStatus(ParcelStatus);

impl diesel::deserialize::FromSql<diesel::sql_types::Text, diesel::pg::Pg> for StoredStatus {
    fn from_sql(value: diesel::pg::PgValue<'_>) -> diesel::deserialize::Result<Self> {
        let text = std::str::from_utf8(value.as_bytes())?;
        ParcelStatus::parse("status", text)
            .map(StoredStatus)
            .map_err(|e| format!("a stored parcel is unreadable: {e}").into())
    }
}

/// A parcel's geometry decoded from its column's WKB where libpq holds it.
#[derive(diesel::deserialize::FromSqlRow)]
pub struct StoredGeometry(MultiPolygon<f64>);

impl diesel::deserialize::FromSql<diesel::sql_types::Binary, diesel::pg::Pg> for StoredGeometry {
    fn from_sql(value: diesel::pg::PgValue<'_>) -> diesel::deserialize::Result<Self> {
        wkb::decode(value.as_bytes())
            .map(StoredGeometry)
            .map_err(|e| format!("stored geometry is unreadable: {e}").into())
    }
}

/// The wire client's errors: what a [`FromSql`](postgres::types::FromSql) may fail with.
type WireResult<T> = Result<T, Box<dyn std::error::Error + Sync + Send>>;

impl<'a> postgres::types::FromSql<'a> for Cell {
    fn from_sql(_: &postgres::types::Type, raw: &'a [u8]) -> WireResult<Self> {
        Ok(Cell::new(std::str::from_utf8(raw)?))
    }

    fn accepts(ty: &postgres::types::Type) -> bool {
        <&str as postgres::types::FromSql>::accepts(ty)
    }
}

impl<'a> postgres::types::FromSql<'a> for StoredStatus {
    fn from_sql(_: &postgres::types::Type, raw: &'a [u8]) -> WireResult<Self> {
        let text = std::str::from_utf8(raw)?;
        ParcelStatus::parse("status", text)
            .map(StoredStatus)
            .map_err(|e| format!("a stored parcel is unreadable: {e}").into())
    }

    fn accepts(ty: &postgres::types::Type) -> bool {
        <&str as postgres::types::FromSql>::accepts(ty)
    }
}

impl<'a> postgres::types::FromSql<'a> for StoredGeometry {
    /// PostGIS sends a geometry as EWKB, the bytes diesel reads as `Binary`.
    fn from_sql(_: &postgres::types::Type, raw: &'a [u8]) -> WireResult<Self> {
        wkb::decode(raw)
            .map(StoredGeometry)
            .map_err(|e| format!("stored geometry is unreadable: {e}").into())
    }

    fn accepts(ty: &postgres::types::Type) -> bool {
        ty.name() == "geometry" || *ty == postgres::types::Type::BYTEA
    }
}
