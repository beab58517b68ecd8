//! The register's entities as the rest of the program sees them (parks, zones, parcels and
//! their history), and the validated inputs that create or change them.
//!
//! These are plain data: the store maps its rows to and from them, the API maps them to views.

use super::codes::{AdminDivisionCode, Code};
use super::industry::IndustryCode;
use super::land_use::LandUse;
use super::parcel::{ParcelStatus, PlanningConditions};
use super::settings::{Settings, SettingsOverrides};
use super::{FieldError, Refusal};
use crate::refusal::Overlap;
use crate::spatial::{Footprint, measure};
use chrono::{NaiveDate, NaiveDateTime};
use geo::algorithm::bool_ops::unary_union;
use geo::{Contains, MultiPolygon};

/// Who made a change and when (UTC), recorded on every write.
#[derive(Debug, Clone, PartialEq)]
pub struct Stamp {
    /// A user's name, or `cli:<os user>` for the command line.
    pub by: String,
    /// The user's id when the change came through the API.
    pub user_id: Option<i64>,
    pub at: NaiveDateTime,
}

impl Stamp {
    /// A stamp for stored records, which keep only the name.
    pub fn stored(by: String, at: NaiveDateTime) -> Self {
        Self {
            by,
            user_id: None,
            at,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Park {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub admin_code: Option<String>,
    pub description: String,
    pub industries: Vec<String>,
    pub settings: SettingsOverrides,
    pub boundary: MultiPolygon<f64>,
    pub area_m2: f64,
    pub version: i64,
    pub created: Stamp,
    pub updated: Stamp,
}

#[derive(Debug, Clone)]
pub struct Zone {
    pub id: i64,
    pub park_id: i64,
    pub code: String,
    pub name: String,
    pub description: String,
    /// `None` inherits the park's industry positioning.
    pub industries: Option<Vec<String>>,
    pub settings: SettingsOverrides,
    pub boundary: MultiPolygon<f64>,
    pub area_m2: f64,
    pub version: i64,
    pub created: Stamp,
    pub updated: Stamp,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Parcel {
    pub id: i64,
    pub park_id: i64,
    pub zone_id: Option<i64>,
    pub code: String,
    pub name: String,
    pub location: String,
    pub land_use: String,
    pub status: ParcelStatus,
    pub planning: PlanningConditions,
    pub infrastructure: Vec<String>,
    pub site_levelled: bool,
    /// The 净地 conditions the bureau has attested (`rights_clear`, `resettled`,
    /// `undisputed`; see `domain::net_land`).
    pub clearances: Vec<String>,
    /// 建设用地批准文号 (e.g. 赣府土字〔2022〕12号) and date: when the land was approved for
    /// construction (农用地转用/征收). 批而未供 counts from the date.
    pub approval_no: String,
    pub approved_on: Option<NaiveDate>,
    pub geometry: MultiPolygon<f64>,
    pub area_m2: f64,
    /// The plane area in the parcel's CGCS2000 3° Gauss-Krüger zone, m², and the zone's EPSG
    /// code (`spatial::measure::plane_area_m2`): measured whenever the geometry is set, like
    /// `area_m2`, and stored with it.
    pub plane_area: Option<(f64, u16)>,
    pub version: i64,
    pub created: Stamp,
    pub updated: Stamp,
    pub retired_at: Option<NaiveDateTime>,
    pub retired_reason: Option<String>,
}

/// What happened to make a parcel version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Created,
    Updated,
    Retired,
    /// Created as a piece of a split (分宗).
    SplitFrom,
    /// Created by merging parcels (合宗).
    MergedFrom,
    /// Retired because it was split or merged.
    Superseded,
    Imported,
}

impl Change {
    /// The action the audit trail records for it.
    pub fn audit_action(self) -> &'static str {
        match self {
            Change::Created => "create",
            Change::Updated => "update",
            Change::Retired => "retire",
            Change::SplitFrom => "create_by_split",
            Change::MergedFrom => "create_by_merge",
            Change::Superseded => "supersede",
            Change::Imported => "import",
        }
    }

    /// What a history line calls the change, in Chinese (the register's own words).
    pub fn name_zh(self) -> &'static str {
        match self {
            Change::Created => "新建",
            Change::Updated => "修改",
            Change::Retired => "注销",
            Change::SplitFrom => "分割新设",
            Change::MergedFrom => "合并新设",
            Change::Superseded => "分割或合并后注销",
            Change::Imported => "批量导入",
        }
    }

    /// The change a stored code names.
    pub fn parse(code: &str) -> Option<Change> {
        [
            Change::Created,
            Change::Updated,
            Change::Retired,
            Change::SplitFrom,
            Change::MergedFrom,
            Change::Superseded,
            Change::Imported,
        ]
        .into_iter()
        .find(|c| c.as_str() == code)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Change::Created => "created",
            Change::Updated => "updated",
            Change::Retired => "retired",
            Change::SplitFrom => "split_from",
            Change::MergedFrom => "merged_from",
            Change::Superseded => "superseded",
            Change::Imported => "imported",
        }
    }
}

/// One stored version of a parcel: its attributes as they were, as a view's JSON.
#[derive(Debug, Clone)]
pub struct ParcelVersion {
    pub parcel_id: i64,
    pub version: i64,
    pub change: String,
    pub properties: serde_json::Value,
    pub geometry: MultiPolygon<f64>,
    pub changed: Stamp,
    pub note: Option<String>,
}

/// A split or merge link between parcels.
#[derive(Debug, Clone)]
pub struct LineageLink {
    pub operation: String,
    pub parent_id: i64,
    pub parent_code: String,
    pub child_id: i64,
    pub child_code: String,
    pub recorded: Stamp,
}

/// A checked new park.
#[derive(Debug, Clone)]
pub struct ParkDraft {
    pub code: Code,
    pub name: String,
    pub admin_code: Option<AdminDivisionCode>,
    pub description: String,
    pub industries: Vec<IndustryCode>,
    pub settings: SettingsOverrides,
    pub boundary: Footprint,
}

/// Checked changes to a park; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct ParkChanges {
    pub code: Option<Code>,
    pub name: Option<String>,
    pub admin_code: Option<Option<AdminDivisionCode>>,
    pub description: Option<String>,
    pub industries: Option<Vec<IndustryCode>>,
    pub settings: Option<SettingsOverrides>,
    pub boundary: Option<Footprint>,
}

/// A checked new zone.
#[derive(Debug, Clone)]
pub struct ZoneDraft {
    pub code: Code,
    pub name: String,
    pub description: String,
    pub industries: Option<Vec<IndustryCode>>,
    pub settings: SettingsOverrides,
    pub boundary: Footprint,
}

/// Checked changes to a zone.
#[derive(Debug, Clone, Default)]
pub struct ZoneChanges {
    pub code: Option<Code>,
    pub name: Option<String>,
    pub description: Option<String>,
    pub industries: Option<Option<Vec<IndustryCode>>>,
    pub settings: Option<SettingsOverrides>,
    pub boundary: Option<Footprint>,
}

/// A checked new parcel. Infrastructure keys are checked against the park's list by the
/// store, which knows the park.
#[derive(Debug, Clone)]
pub struct ParcelDraft {
    pub code: Code,
    /// `None`: placed in the zone that contains it, if any.
    pub zone_id: Option<i64>,
    pub name: String,
    pub location: String,
    pub land_use: LandUse,
    pub status: ParcelStatus,
    pub planning: PlanningConditions,
    pub infrastructure: Vec<String>,
    pub site_levelled: bool,
    pub clearances: Vec<String>,
    pub approval_no: String,
    pub approved_on: Option<NaiveDate>,
    pub footprint: Footprint,
}

/// Changes to planning conditions: `Some(None)` clears a figure.
#[derive(Debug, Clone, Copy, Default)]
pub struct PlanningChanges {
    pub far_min: Option<Option<f64>>,
    pub far_max: Option<Option<f64>>,
    pub building_density_min_pct: Option<Option<f64>>,
    pub building_density_max_pct: Option<Option<f64>>,
    pub green_ratio_min_pct: Option<Option<f64>>,
    pub green_ratio_max_pct: Option<Option<f64>>,
    pub height_max_m: Option<Option<f64>>,
}

impl PlanningChanges {
    /// The conditions after the changes; the caller validates the result as a whole, so a
    /// new minimum is checked against the stored maximum.
    pub fn apply(&self, current: &PlanningConditions) -> PlanningConditions {
        let pick = |change: Option<Option<f64>>, old: Option<f64>| change.unwrap_or(old);
        PlanningConditions {
            far_min: pick(self.far_min, current.far_min),
            far_max: pick(self.far_max, current.far_max),
            building_density_min_pct: pick(
                self.building_density_min_pct,
                current.building_density_min_pct,
            ),
            building_density_max_pct: pick(
                self.building_density_max_pct,
                current.building_density_max_pct,
            ),
            green_ratio_min_pct: pick(self.green_ratio_min_pct, current.green_ratio_min_pct),
            green_ratio_max_pct: pick(self.green_ratio_max_pct, current.green_ratio_max_pct),
            height_max_m: pick(self.height_max_m, current.height_max_m),
        }
    }
}

/// Checked changes to a parcel.
#[derive(Debug, Clone, Default)]
pub struct ParcelChanges {
    pub code: Option<Code>,
    pub zone_id: Option<Option<i64>>,
    pub name: Option<String>,
    pub location: Option<String>,
    pub land_use: Option<LandUse>,
    pub status: Option<ParcelStatus>,
    pub planning: PlanningChanges,
    pub infrastructure: Option<Vec<String>>,
    pub site_levelled: Option<bool>,
    pub clearances: Option<Vec<String>>,
    pub approval_no: Option<String>,
    pub approved_on: Option<Option<NaiveDate>>,
    pub footprint: Option<Footprint>,
}

/// One piece of a split: its own code and footprint, other attributes inherited unless given.
#[derive(Debug, Clone)]
pub struct SplitPiece {
    pub code: Code,
    pub footprint: Footprint,
    pub name: Option<String>,
    pub land_use: Option<LandUse>,
}

/// A merge: the parcels to join and the new parcel's code (the footprint is their union).
#[derive(Debug, Clone)]
pub struct MergeRequest {
    pub parcel_ids: Vec<i64>,
    pub code: Code,
    pub name: Option<String>,
    pub land_use: Option<LandUse>,
}

/// A parcel's attributes as received (API body or file record), before checking.
#[derive(Debug, Clone, Default)]
pub struct RawParcel {
    pub code: String,
    pub zone_id: Option<i64>,
    pub name: Option<String>,
    pub location: Option<String>,
    pub land_use: String,
    pub status: Option<ParcelStatus>,
    pub planning: PlanningConditions,
    pub infrastructure: Vec<String>,
    pub site_levelled: Option<bool>,
    pub clearances: Vec<String>,
    pub approval_no: Option<String>,
    pub approved_on: Option<NaiveDate>,
}

impl ParcelDraft {
    /// Check every attribute, reporting all problems under `prefix` (e.g. `properties`).
    /// New parcels start as `reserve` (储备) unless a status is given.
    pub fn from_raw(
        raw: RawParcel,
        footprint: Footprint,
        prefix: &str,
    ) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let at = |f: &str| {
            if prefix.is_empty() {
                f.to_owned()
            } else {
                format!("{prefix}.{f}")
            }
        };
        let code = Code::parse(&at("code"), &raw.code)
            .map_err(|e| errors.push(e))
            .ok();
        let land_use = LandUse::parse(&at("land_use"), &raw.land_use)
            .map_err(|e| errors.push(e))
            .ok();
        let name = super::codes::parse_text(&at("name"), raw.name.as_deref().unwrap_or(""), 200)
            .map_err(|e| errors.push(e))
            .ok();
        let location =
            super::codes::parse_text(&at("location"), raw.location.as_deref().unwrap_or(""), 500)
                .map_err(|e| errors.push(e))
                .ok();
        let approval_no = super::codes::parse_text(
            &at("approval_no"),
            raw.approval_no.as_deref().unwrap_or(""),
            100,
        )
        .map_err(|e| errors.push(e))
        .ok();
        if let Err(e) = raw.planning.validate(prefix) {
            errors.extend(e);
        }
        let status = raw.status.unwrap_or(ParcelStatus::Reserve);
        if !status.is_active() {
            errors.push(
                FieldError::new(at("status"), "a new parcel cannot be retired")
                    .zh("新宗地不能是已注销状态"),
            );
        }
        match (code, land_use, name, location, approval_no) {
            (Some(code), Some(land_use), Some(name), Some(location), Some(approval_no))
                if errors.is_empty() =>
            {
                Ok(Self {
                    code,
                    zone_id: raw.zone_id,
                    name,
                    location,
                    land_use,
                    status,
                    planning: raw.planning,
                    infrastructure: raw.infrastructure,
                    site_levelled: raw.site_levelled.unwrap_or(false),
                    clearances: raw.clearances,
                    approval_no,
                    approved_on: raw.approved_on,
                    footprint,
                })
            }
            _ => Err(errors),
        }
    }
}

/// A feature of an import that was refused, and every reason.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct Rejection {
    /// Position of the feature in the file, from 1; for a spreadsheet, its row (the header is
    /// row 1).
    pub feature: usize,
    /// Its parcel code, when it has a readable one.
    pub code: Option<String>,
    pub reasons: Vec<String>,
}

/// What an import did (or, with `dry_run`, would do). Imports are all-or-nothing: with any
/// rejection nothing is written.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ImportReport {
    /// Features read from the file.
    pub features: usize,
    /// Parcels written (0 on a dry run or when anything was rejected).
    pub created: usize,
    pub dry_run: bool,
    /// The CRS the coordinates were read in, e.g. `EPSG:4527`.
    pub crs: String,
    /// The attribute encoding of a shapefile, e.g. `GBK`.
    pub encoding: Option<String>,
    pub rejected: Vec<Rejection>,
    /// Accepted features with something worth a look (e.g. a declared area far from the computed one).
    pub warnings: Vec<Rejection>,
}

impl Park {
    /// Settings in force in one of its zones (or outside any): the zone's over the park's over
    /// the defaults.
    pub fn settings_in(&self, zones: &[Zone], zone_id: Option<i64>) -> super::settings::Settings {
        let zone = zone_id.and_then(|id| zones.iter().find(|z| z.id == id));
        super::settings::Settings::resolve(
            std::iter::once(&self.settings).chain(zone.map(|z| &z.settings)),
        )
    }
}

/// One feature ready for the register.
#[derive(Debug, Clone)]
pub struct ImportItem {
    /// Position in the file, from 1.
    pub feature: usize,
    pub draft: ParcelDraft,
    /// A zone named by code or name in the file.
    pub zone: Option<String>,
    pub declared_area_m2: Option<f64>,
}

/// An import as read from a file.
#[derive(Debug, Clone)]
pub struct ImportRequest {
    pub park_id: i64,
    pub items: Vec<ImportItem>,
    /// Features already refused while reading the file.
    pub rejected: Vec<Rejection>,
    pub features: usize,
    pub crs: String,
    pub encoding: Option<String>,
    pub dry_run: bool,
}

/// A park's code is its own across the register (`taken`: another park has it).
pub fn check_park_code(code: &str, taken: bool) -> Result<(), Refusal> {
    if taken {
        return Err(Refusal::conflict_in(
            format!("a park with code {code} already exists"),
            format!("代码为 {code} 的园区已存在"),
        ));
    }
    Ok(())
}

/// A zone's code is its own within its park (`taken`: another zone of the park has it).
pub fn check_zone_code(park_id: i64, code: &str, taken: bool) -> Result<(), Refusal> {
    if taken {
        return Err(Refusal::conflict_in(
            format!("park {park_id} already has a zone with code {code}"),
            format!("园区 {park_id} 已有代码为 {code} 的片区"),
        ));
    }
    Ok(())
}

/// A park's new boundary must still hold its zones and active parcels (`parcels`: code and
/// footprint), within the park's tolerance. Every one left outside is named.
pub fn check_park_holds(
    park: &Park,
    boundary: &MultiPolygon<f64>,
    zones: &[Zone],
    parcels: &[(String, MultiPolygon<f64>)],
) -> Result<(), Refusal> {
    let tolerance = Settings::resolve([&park.settings]).geometry_tolerance_m2;
    let mut errors = Vec::new();
    for zone in zones {
        let outside = measure::outside_m2(&zone.boundary, boundary);
        if outside > tolerance {
            errors.push(
                FieldError::new(
                    "geometry",
                    format!(
                        "zone {} would extend {outside:.2} m² outside the new boundary",
                        zone.code
                    ),
                )
                .zh(format!("片区 {} 将超出新边界 {outside:.2} m²", zone.code)),
            );
        }
    }
    for (code, geometry) in parcels {
        let outside = measure::outside_m2(geometry, boundary);
        if outside > tolerance {
            errors.push(
                FieldError::new(
                    "geometry",
                    format!("parcel {code} would extend {outside:.2} m² outside the new boundary"),
                )
                .zh(format!("宗地 {code} 将超出新边界 {outside:.2} m²")),
            );
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Refusal::Invalid(errors))
    }
}

/// A zone lies inside its park and clear of the park's other zones (`zones`, without the
/// zone `except` being changed), within the park's tolerance.
pub fn check_zone_boundary(
    park: &Park,
    zones: &[Zone],
    except: Option<i64>,
    boundary: &Footprint,
) -> Result<(), Refusal> {
    let tolerance = Settings::resolve([&park.settings]).geometry_tolerance_m2;
    let mut errors = Vec::new();
    let outside = measure::outside_m2(boundary.geometry(), &park.boundary);
    if outside > tolerance {
        errors.push(
            FieldError::new(
                "geometry",
                format!(
                    "the zone extends {outside:.2} m² outside the boundary of park {}",
                    park.code
                ),
            )
            .zh(format!("片区超出园区 {} 边界 {outside:.2} m²", park.code)),
        );
    }
    for other in zones.iter().filter(|z| Some(z.id) != except) {
        let overlap = measure::overlap_m2(boundary.geometry(), &other.boundary);
        if overlap > tolerance {
            errors.push(
                FieldError::new(
                    "geometry",
                    format!(
                        "the zone overlaps zone {} (id {}) by {overlap:.2} m²",
                        other.code, other.id
                    ),
                )
                .zh(format!(
                    "片区与片区 {}（编号 {}）重叠 {overlap:.2} m²",
                    other.code, other.id
                )),
            );
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Refusal::Invalid(errors))
    }
}

impl Park {
    /// A new park from its checked draft, stamped.
    pub fn new(draft: ParkDraft, stamp: &Stamp) -> Park {
        Park {
            id: 0,
            code: draft.code.into_string(),
            name: draft.name,
            admin_code: draft.admin_code.map(|c| c.as_str().to_owned()),
            description: draft.description,
            industries: draft
                .industries
                .iter()
                .map(|c| c.as_str().to_owned())
                .collect(),
            settings: draft.settings,
            area_m2: draft.boundary.area_m2(),
            boundary: draft.boundary.into_geometry(),
            version: 1,
            created: stamp.clone(),
            updated: stamp.clone(),
        }
    }

    /// The park with `changes` made (checked beforehand), one version on.
    pub fn apply(&mut self, changes: ParkChanges, stamp: &Stamp) {
        if let Some(code) = changes.code {
            self.code = code.into_string();
        }
        if let Some(v) = changes.name {
            self.name = v;
        }
        if let Some(v) = changes.admin_code {
            self.admin_code = v.map(|c| c.as_str().to_owned());
        }
        if let Some(v) = changes.description {
            self.description = v;
        }
        if let Some(v) = changes.industries {
            self.industries = v.iter().map(|c| c.as_str().to_owned()).collect();
        }
        if let Some(v) = changes.settings {
            self.settings = v;
        }
        if let Some(boundary) = changes.boundary {
            self.area_m2 = boundary.area_m2();
            self.boundary = boundary.into_geometry();
        }
        self.version += 1;
        self.updated = stamp.clone();
    }
}

impl Zone {
    /// A new zone of `park_id` from its checked draft, stamped.
    pub fn new(park_id: i64, draft: ZoneDraft, stamp: &Stamp) -> Zone {
        Zone {
            id: 0,
            park_id,
            code: draft.code.into_string(),
            name: draft.name,
            description: draft.description,
            industries: draft
                .industries
                .map(|l| l.iter().map(|c| c.as_str().to_owned()).collect()),
            settings: draft.settings,
            area_m2: draft.boundary.area_m2(),
            boundary: draft.boundary.into_geometry(),
            version: 1,
            created: stamp.clone(),
            updated: stamp.clone(),
        }
    }

    /// The zone with `changes` made (checked beforehand), one version on.
    pub fn apply(&mut self, changes: ZoneChanges, stamp: &Stamp) {
        if let Some(code) = changes.code {
            self.code = code.into_string();
        }
        if let Some(v) = changes.name {
            self.name = v;
        }
        if let Some(v) = changes.description {
            self.description = v;
        }
        if let Some(v) = changes.industries {
            self.industries = v.map(|l| l.iter().map(|c| c.as_str().to_owned()).collect());
        }
        if let Some(v) = changes.settings {
            self.settings = v;
        }
        if let Some(boundary) = changes.boundary {
            self.area_m2 = boundary.area_m2();
            self.boundary = boundary.into_geometry();
        }
        self.version += 1;
        self.updated = stamp.clone();
    }
}

/// Split (分宗): at least two pieces.
pub fn check_split_pieces(pieces: &[SplitPiece]) -> Result<(), Refusal> {
    if pieces.len() < 2 {
        return Err(
            FieldError::new("pieces", "a split needs at least two pieces")
                .zh("分宗至少要分成两块")
                .into(),
        );
    }
    Ok(())
}

/// Split (分宗): the pieces together cover exactly the original's footprint and do not overlap
/// each other, both within the park's tolerance (m²). Every disagreement is named.
pub fn check_split(
    original: &Parcel,
    pieces: &[SplitPiece],
    tolerance_m2: f64,
) -> Result<(), Refusal> {
    let mut errors = Vec::new();
    for i in 0..pieces.len() {
        for j in i + 1..pieces.len() {
            let overlap = measure::overlap_m2(
                pieces[i].footprint.geometry(),
                pieces[j].footprint.geometry(),
            );
            if overlap > tolerance_m2 {
                errors.push(
                    FieldError::new(
                        "pieces",
                        format!("pieces {i} and {j} overlap by {overlap:.2} m²"),
                    )
                    .zh(format!(
                        "第 {} 块与第 {} 块（pieces[{i}]、pieces[{j}]）重叠 {overlap:.2} m²",
                        i + 1,
                        j + 1
                    )),
                );
            }
        }
    }
    let union = unary_union(pieces.iter().map(|p| p.footprint.geometry()));
    let missing = measure::outside_m2(&original.geometry, &union);
    let extra = measure::outside_m2(&union, &original.geometry);
    if missing > tolerance_m2 || extra > tolerance_m2 {
        errors.push(FieldError::new(
            "pieces",
            format!(
                "the pieces must cover exactly the footprint of parcel {}: {missing:.2} m² of it is not covered \
                 and {extra:.2} m² lies outside it (tolerance {tolerance_m2} m²)",
                original.code
            ),
        ).zh(format!("各块须恰好覆盖宗地 {} 的范围：有 {missing:.2} m² 未被覆盖，{extra:.2} m² 超出其外（容差 {tolerance_m2} m²）", original.code)));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Refusal::Invalid(errors))
    }
}

/// The most parcels one merge takes (far more than any real 合宗; it bounds the query).
pub const MAX_MERGED: usize = 100;

/// Merge (合宗): between two and [`MAX_MERGED`] different parcels. Their ids, sorted.
pub fn check_merge_ids(ids: &[i64]) -> Result<Vec<i64>, Refusal> {
    if ids.len() > MAX_MERGED {
        return Err(FieldError::new(
            "parcel_ids",
            format!(
                "a merge takes at most {MAX_MERGED} parcels, got {}",
                ids.len()
            ),
        )
        .zh(format!("一次合宗至多 {MAX_MERGED} 宗，收到 {}", ids.len()))
        .into());
    }
    let mut distinct = ids.to_vec();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() < 2 || distinct.len() != ids.len() {
        return Err(
            FieldError::new("parcel_ids", "a merge needs at least two different parcels")
                .zh("合宗至少需要两宗不同的宗地")
                .into(),
        );
    }
    Ok(distinct)
}

/// Merge (合宗): only parcels of one park (`members`: those of `ids` that are the park's). A
/// parcel of another park gets the same answer as one that does not exist: nothing about
/// another park's parcels may come back.
pub fn check_members(ids: &[i64], members: &[i64]) -> Result<(), Refusal> {
    let strangers: Vec<String> = ids
        .iter()
        .filter(|id| !members.contains(id))
        .map(ToString::to_string)
        .collect();
    if strangers.is_empty() {
        return Ok(());
    }
    let (noun, verb) = if strangers.len() == 1 {
        ("parcel", "is")
    } else {
        ("parcels", "are")
    };
    Err(Refusal::conflict_in(
        format!(
            "{noun} {} {verb} not a parcel of this park; only parcels of one park can be merged",
            strangers.join(", ")
        ),
        format!(
            "宗地 {} 不属于本园区；只能合并同一园区的宗地",
            strangers.join("、")
        ),
    ))
}

/// Merge (合宗): parcels in one status whose footprints adjoin into one piece of land. Their
/// union.
pub fn merged_footprint(originals: &[Parcel]) -> Result<MultiPolygon<f64>, Refusal> {
    if let Some(first) = originals.first()
        && let Some(other) = originals.iter().find(|p| p.status != first.status)
    {
        return Err(Refusal::conflict_in(
            format!(
                "parcels {} ({}) and {} ({}) have different statuses; only parcels in the same status can be merged",
                first.code, first.status, other.code, other.status
            ),
            format!(
                "宗地 {}（{}）与 {}（{}）状态不同；只能合并状态相同的宗地",
                first.code,
                first.status.label_zh(),
                other.code,
                other.status.label_zh()
            ),
        ));
    }
    let union: MultiPolygon<f64> = unary_union(originals.iter().map(|p| &p.geometry));
    if union.0.len() != 1 {
        return Err(FieldError::new(
            "parcel_ids",
            format!(
                "the parcels do not adjoin: their union has {} separate parts, and a merged parcel must be one piece of land",
                union.0.len()
            ),
        ).zh(format!("这些宗地并不相连：合并后分为 {} 块，而合宗后的宗地须是一整块土地", union.0.len()))
        .into());
    }
    Ok(union)
}

/// New parcel codes (`field` names them in the request) are distinct from each other and
/// from every code the park has used (`taken`): codes are never reused.
pub fn check_new_codes(
    park_id: i64,
    codes: &[&str],
    taken: &[String],
    field: &str,
) -> Result<(), Refusal> {
    for (i, code) in codes.iter().enumerate() {
        if codes[..i].contains(code) {
            return Err(
                FieldError::new(field, format!("code {code} is given twice"))
                    .zh(format!("代码 {code} 重复出现"))
                    .into(),
            );
        }
        if taken.iter().any(|t| t == code) {
            return Err(Refusal::conflict_in(
                format!(
                    "park {park_id} already has a parcel with code {code} (codes are never reused)"
                ),
                format!("园区 {park_id} 已有代码为 {code} 的宗地（代码永不重复使用）"),
            ));
        }
    }
    Ok(())
}

/// A parcel's code is free in its park (`taken`: the park has used it, retired parcels
/// included): codes are never reused.
pub fn check_code_free(park_id: i64, code: &str, taken: bool) -> Result<(), Refusal> {
    if taken {
        return Err(Refusal::conflict_in(
            format!(
                "park {park_id} already has a parcel with code {code} (codes are never reused, retired parcels included)"
            ),
            format!(
                "园区 {park_id} 已有代码为 {code} 的宗地（代码永不重复使用，已注销的宗地也算）"
            ),
        ));
    }
    Ok(())
}

/// A new parcel is active: retiring is a change of an existing one.
pub fn check_new_status(status: ParcelStatus) -> Result<(), Refusal> {
    if !status.is_active() {
        return Err(
            FieldError::new("properties.status", "a new parcel cannot be retired")
                .zh("新宗地不能是已注销状态")
                .into(),
        );
    }
    Ok(())
}

/// The zone a parcel belongs to: the one asked for (which must be of this park and contain
/// the parcel's interior point), none when `Some(None)`, or the containing zone when the
/// request says nothing.
pub fn resolve_zone(
    zones: &[Zone],
    requested: Option<Option<i64>>,
    footprint: &Footprint,
) -> Result<Option<i64>, Refusal> {
    let point = footprint.interior_point();
    let holds = |z: &Zone| point.is_some_and(|p| z.boundary.contains(&p));
    match requested {
        Some(None) => Ok(None),
        Some(Some(id)) => {
            let zone = zones.iter().find(|z| z.id == id).ok_or_else(|| {
                FieldError::new(
                    "properties.zone_id",
                    format!("zone {id} is not a zone of this park"),
                )
                .zh(format!("片区 {id} 不是本园区的片区"))
            })?;
            if holds(zone) {
                Ok(Some(id))
            } else {
                Err(FieldError::new(
                    "properties.zone_id",
                    format!("the parcel does not lie in zone {} (id {id})", zone.code),
                )
                .zh(format!("宗地不在片区 {}（编号 {id}）内", zone.code))
                .into())
            }
        }
        None => Ok(zones.iter().find(|z| holds(z)).map(|z| z.id)),
    }
}

impl Park {
    /// How much of `footprint` lies outside the park, m² (0 when the boundary contains it).
    pub fn outside_m2(&self, footprint: &Footprint) -> f64 {
        if self.boundary.contains(footprint.geometry()) {
            0.0
        } else {
            measure::outside_m2(footprint.geometry(), &self.boundary)
        }
    }
}

/// A footprint's placement as measured (`outside_m2` of the park, and every active parcel it
/// overlaps with the exact area): inside the park and clear of the others, each within the
/// tolerance. Overlaps are compared exactly and rounded only for the message.
pub fn check_placement(
    park: &Park,
    outside_m2: f64,
    overlaps: Vec<Overlap>,
    tolerance_m2: f64,
) -> Result<(), Refusal> {
    if outside_m2 > tolerance_m2 {
        return Err(FieldError::new(
            "geometry",
            format!(
                "the parcel extends {outside_m2:.2} m² outside the boundary of park {} (tolerance {tolerance_m2} m²)",
                park.code
            ),
        ).zh(format!("宗地超出园区 {} 边界 {outside_m2:.2} m²（容差 {tolerance_m2} m²）", park.code))
        .into());
    }
    let beyond: Vec<Overlap> = overlaps
        .into_iter()
        .filter(|o| o.overlap_m2 > tolerance_m2)
        .map(|o| Overlap {
            overlap_m2: super::units::round_to(o.overlap_m2, 2),
            ..o
        })
        .collect();
    if beyond.is_empty() {
        Ok(())
    } else {
        Err(Refusal::Overlap(beyond))
    }
}

impl Parcel {
    /// A new parcel from a checked draft, placed in `zone_id`, version 1.
    pub fn new(
        park_id: i64,
        zone_id: Option<i64>,
        draft: ParcelDraft,
        infrastructure: Vec<String>,
        stamp: &Stamp,
    ) -> Parcel {
        Parcel {
            id: 0,
            park_id,
            zone_id,
            code: draft.code.into_string(),
            name: draft.name,
            location: draft.location,
            land_use: draft.land_use.code().to_owned(),
            status: draft.status,
            planning: draft.planning,
            infrastructure,
            site_levelled: draft.site_levelled,
            clearances: draft.clearances,
            approval_no: draft.approval_no,
            approved_on: draft.approved_on,
            area_m2: draft.footprint.area_m2(),
            plane_area: draft.footprint.plane_area(),
            geometry: draft.footprint.into_geometry(),
            version: 1,
            created: stamp.clone(),
            updated: stamp.clone(),
            retired_at: None,
            retired_reason: None,
        }
    }

    /// Retired parcels are kept as history and cannot change.
    pub fn check_changeable(&self) -> Result<(), Refusal> {
        if !self.status.is_active() {
            return Err(Refusal::conflict_in(
                format!(
                    "parcel {} is retired ({}); retired parcels are kept as history and cannot change",
                    self.code,
                    self.retired_reason
                        .as_deref()
                        .unwrap_or("no reason recorded")
                ),
                format!(
                    "宗地 {} 已注销（{}）；已注销的宗地作为历史保留，不能再变更",
                    self.code,
                    self.retired_reason.as_deref().unwrap_or("未记录原因")
                ),
            ));
        }
        Ok(())
    }

    /// The parcel's descriptive attributes after `changes` (name, location, land use, levelled
    /// site, approval, planning conditions — checked). Code, status, zone, infrastructure and
    /// footprint need the register and are the caller's.
    pub fn apply_attributes(&mut self, changes: &ParcelChanges) -> Result<(), Refusal> {
        self.planning = changes.planning.apply(&self.planning);
        self.planning.validate("properties")?;
        if let Some(v) = &changes.name {
            self.name.clone_from(v);
        }
        if let Some(v) = &changes.location {
            self.location.clone_from(v);
        }
        if let Some(v) = changes.land_use {
            self.land_use = v.code().to_owned();
        }
        if let Some(v) = changes.site_levelled {
            self.site_levelled = v;
        }
        if let Some(v) = &changes.approval_no {
            self.approval_no.clone_from(v);
        }
        if let Some(v) = changes.approved_on {
            self.approved_on = v;
        }
        Ok(())
    }

    /// Retire the parcel (a new version): it stays in the register as history.
    pub fn retire(&mut self, reason: String, stamp: &Stamp) {
        self.status = ParcelStatus::Retired;
        self.retired_at = Some(stamp.at);
        self.retired_reason = Some(reason);
        self.version += 1;
        self.updated = stamp.clone();
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn stamp() -> Stamp {
        let at = NaiveDate::from_ymd_opt(2026, 1, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .unwrap();
        Stamp::stored("committee".into(), at)
    }

    pub(crate) fn footprint(geometry: MultiPolygon<f64>) -> Footprint {
        Footprint::new("geometry", geometry, crate::spatial::AreaLimits::PARCEL).unwrap()
    }

    pub(crate) fn park(boundary: MultiPolygon<f64>) -> Park {
        Park::new(
            ParkDraft {
                code: Code::parse("code", "NC").unwrap(),
                name: "南城工业园".into(),
                admin_code: None,
                description: String::new(),
                industries: Vec::new(),
                settings: SettingsOverrides::default(),
                boundary: footprint(boundary),
            },
            &stamp(),
        )
    }

    pub(crate) fn zone(id: i64, code: &str, boundary: MultiPolygon<f64>) -> Zone {
        let draft = ZoneDraft {
            code: Code::parse("code", code).unwrap(),
            name: code.into(),
            description: String::new(),
            industries: None,
            settings: SettingsOverrides::default(),
            boundary: footprint(boundary),
        };
        Zone {
            id,
            ..Zone::new(1, draft, &stamp())
        }
    }

    #[test]
    fn park_and_zone_codes_are_their_own() {
        assert_eq!(check_park_code("NC", false), Ok(()));
        assert_eq!(
            conflict(check_park_code("NC", true)),
            "a park with code NC already exists"
        );
        assert_eq!(check_zone_code(1, "A", false), Ok(()));
        assert_eq!(
            conflict(check_zone_code(1, "A", true)),
            "park 1 already has a zone with code A"
        );
    }

    #[test]
    fn a_zone_lies_inside_its_park_clear_of_the_others() {
        let p = park(rect(0.0, 0.0, 4.0, 2.0));
        let a = zone(7, "A", rect(0.0, 0.0, 2.0, 2.0));
        let inside = footprint(rect(2.0, 0.0, 2.0, 2.0));
        assert_eq!(
            check_zone_boundary(&p, std::slice::from_ref(&a), None, &inside),
            Ok(())
        );
        let across = footprint(rect(1.0, 0.0, 4.0, 2.0));
        let e = invalid(check_zone_boundary(
            &p,
            std::slice::from_ref(&a),
            None,
            &across,
        ));
        assert_eq!(e.len(), 2, "outside the park and over zone A: {e:?}");
        assert!(e[0].message.contains("outside the boundary of park NC"));
        assert!(
            e[1].message
                .starts_with("the zone overlaps zone A (id 7) by")
        );
        let moved = footprint(rect(0.0, 0.0, 3.0, 2.0));
        assert_eq!(
            check_zone_boundary(&p, &[a], Some(7), &moved),
            Ok(()),
            "a zone being changed does not overlap itself"
        );
    }

    #[test]
    fn a_new_park_boundary_still_holds_its_zones_and_parcels() {
        let p = park(rect(0.0, 0.0, 4.0, 2.0));
        let zones = [zone(7, "A", rect(0.0, 0.0, 2.0, 2.0))];
        let parcels = [("A-01".to_owned(), rect(3.0, 0.0, 1.0, 1.0))];
        assert_eq!(
            check_park_holds(&p, &rect(0.0, 0.0, 4.0, 2.0), &zones, &parcels),
            Ok(())
        );
        let e = invalid(check_park_holds(
            &p,
            &rect(0.0, 0.0, 1.5, 2.0),
            &zones,
            &parcels,
        ));
        assert!(e[0].message.starts_with("zone A would extend"));
        assert!(e[1].message.starts_with("parcel A-01 would extend"));
    }

    #[test]
    fn changes_keep_what_they_do_not_name_and_move_the_version() {
        let mut p = park(rect(0.0, 0.0, 4.0, 2.0));
        let area = p.area_m2;
        p.apply(
            ParkChanges {
                name: Some("南城园".into()),
                ..Default::default()
            },
            &stamp(),
        );
        assert_eq!(
            (p.name.as_str(), p.code.as_str(), p.area_m2, p.version),
            ("南城园", "NC", area, 2)
        );
        let mut z = zone(7, "A", rect(0.0, 0.0, 2.0, 2.0));
        z.apply(
            ZoneChanges {
                boundary: Some(footprint(rect(0.0, 0.0, 1.0, 2.0))),
                ..Default::default()
            },
            &stamp(),
        );
        assert!(
            (z.area_m2 * 2.0 - area / 2.0).abs() < 1.0,
            "half the zone's area"
        );
        assert_eq!((z.code.as_str(), z.version), ("A", 2));
    }

    /// A rectangle of `w` × `h` thousandths of a degree at (116.6 + x, 27.5 + y) thousandths.
    pub(crate) fn rect(x: f64, y: f64, w: f64, h: f64) -> MultiPolygon<f64> {
        let (x0, y0) = (116.6 + x / 1000.0, 27.5 + y / 1000.0);
        let (x1, y1) = (x0 + w / 1000.0, y0 + h / 1000.0);
        MultiPolygon::new(vec![geo::Polygon::new(
            geo::LineString::from(vec![(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]),
            vec![],
        )])
    }

    /// A parcel of the register, as the store would load it.
    pub(crate) fn parcel(
        id: i64,
        code: &str,
        status: ParcelStatus,
        geometry: MultiPolygon<f64>,
    ) -> Parcel {
        let at = NaiveDate::from_ymd_opt(2021, 1, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .unwrap();
        let stamp = Stamp::stored("bureau".into(), at);
        Parcel {
            id,
            park_id: 1,
            zone_id: None,
            code: code.into(),
            name: String::new(),
            location: String::new(),
            land_use: "1001".into(),
            status,
            planning: PlanningConditions::default(),
            infrastructure: Vec::new(),
            site_levelled: false,
            clearances: Vec::new(),
            approval_no: String::new(),
            approved_on: None,
            area_m2: measure::area_m2(&geometry),
            plane_area: measure::plane_area_m2(&geometry),
            geometry,
            version: 1,
            created: stamp.clone(),
            updated: stamp,
            retired_at: None,
            retired_reason: None,
        }
    }

    fn piece(code: &str, geometry: MultiPolygon<f64>) -> SplitPiece {
        SplitPiece {
            code: Code::parse("code", code).unwrap(),
            footprint: Footprint::new("geometry", geometry, crate::spatial::AreaLimits::PARCEL)
                .unwrap(),
            name: None,
            land_use: None,
        }
    }

    fn invalid(r: Result<impl std::fmt::Debug, Refusal>) -> Vec<FieldError> {
        match r {
            Err(Refusal::Invalid(e)) => e,
            other => panic!("expected invalid fields, got {other:?}"),
        }
    }

    fn conflict(r: Result<impl std::fmt::Debug, Refusal>) -> String {
        match r {
            Err(Refusal::Conflict(m)) => m.en,
            other => panic!("expected a conflict, got {other:?}"),
        }
    }

    #[test]
    fn split_pieces_cover_the_parcel_exactly_without_overlap() {
        let original = parcel(1, "A-01", ParcelStatus::Available, rect(0.0, 0.0, 2.0, 1.0));
        let halves = [
            piece("A-01-1", rect(0.0, 0.0, 1.0, 1.0)),
            piece("A-01-2", rect(1.0, 0.0, 1.0, 1.0)),
        ];
        assert_eq!(check_split_pieces(&halves), Ok(()));
        assert_eq!(check_split(&original, &halves, 1.0), Ok(()));
        assert_eq!(
            invalid(check_split_pieces(&halves[..1]))[0].message,
            "a split needs at least two pieces"
        );

        let overlapping = [
            piece("A-01-1", rect(0.0, 0.0, 1.2, 1.0)),
            piece("A-01-2", rect(1.0, 0.0, 1.0, 1.0)),
        ];
        let e = invalid(check_split(&original, &overlapping, 1.0));
        assert!(
            e[0].message.starts_with("pieces 0 and 1 overlap by"),
            "{:?}",
            e
        );
        assert_eq!(
            e.len(),
            1,
            "the overlap lies inside the parcel: the cover is exact"
        );

        let short = [
            piece("A-01-1", rect(0.0, 0.0, 1.0, 1.0)),
            piece("A-01-2", rect(1.0, 0.0, 0.9, 1.0)),
        ];
        let e = invalid(check_split(&original, &short, 1.0));
        assert!(
            e[0].message
                .contains("must cover exactly the footprint of parcel A-01"),
            "{:?}",
            e
        );
        assert!(
            check_split(&original, &short, 2_000.0).is_ok(),
            "a gap within the park's tolerance passes"
        );
    }

    #[test]
    fn a_merge_joins_two_to_a_hundred_different_parcels_of_one_park() {
        assert_eq!(check_merge_ids(&[5, 3]), Ok(vec![3, 5]));
        for ids in [vec![3], vec![3, 3], vec![]] {
            assert_eq!(invalid(check_merge_ids(&ids))[0].field, "parcel_ids");
        }
        let many: Vec<i64> = (1..=101).collect();
        assert!(
            invalid(check_merge_ids(&many))[0]
                .message
                .contains("at most 100")
        );
        assert_eq!(check_members(&[3, 5], &[5, 3]), Ok(()));
        assert_eq!(
            conflict(check_members(&[3, 5, 8], &[3])),
            "parcels 5, 8 are not a parcel of this park; only parcels of one park can be merged"
        );
    }

    #[test]
    fn merged_parcels_share_a_status_and_adjoin() {
        let a = parcel(1, "A", ParcelStatus::Available, rect(0.0, 0.0, 1.0, 1.0));
        let b = parcel(2, "B", ParcelStatus::Available, rect(1.0, 0.0, 1.0, 1.0));
        let union = merged_footprint(&[a.clone(), b.clone()]).unwrap();
        assert_eq!(union.0.len(), 1);
        let far = parcel(3, "C", ParcelStatus::Available, rect(5.0, 0.0, 1.0, 1.0));
        let e = invalid(merged_footprint(&[a.clone(), far]));
        assert!(
            e[0].message
                .contains("do not adjoin: their union has 2 separate parts")
        );
        let reserved = parcel(4, "D", ParcelStatus::Reserve, rect(1.0, 0.0, 1.0, 1.0));
        assert!(conflict(merged_footprint(&[a, reserved])).contains("have different statuses"));
    }

    #[test]
    fn new_codes_are_distinct_and_never_reused() {
        assert_eq!(check_new_codes(1, &["X", "Y"], &[], "pieces"), Ok(()));
        let e = invalid(check_new_codes(1, &["X", "X"], &[], "pieces"));
        assert_eq!(
            (e[0].field.as_str(), e[0].message.as_str()),
            ("pieces", "code X is given twice")
        );
        assert_eq!(
            conflict(check_new_codes(1, &["X", "Y"], &["Y".into()], "code")),
            "park 1 already has a parcel with code Y (codes are never reused)"
        );
    }

    #[test]
    fn planning_changes_keep_clear_or_replace() {
        let current = PlanningConditions {
            far_min: Some(1.0),
            far_max: Some(2.0),
            ..Default::default()
        };
        let changes = PlanningChanges {
            far_min: Some(None),
            far_max: Some(Some(3.0)),
            ..Default::default()
        };
        let after = changes.apply(&current);
        assert_eq!(after.far_min, None);
        assert_eq!(after.far_max, Some(3.0));
        assert_eq!(after.height_max_m, None);
        let min_above_stored_max = PlanningChanges {
            far_min: Some(Some(2.5)),
            ..Default::default()
        };
        assert!(
            min_above_stored_max
                .apply(&current)
                .validate("properties")
                .is_err()
        );
    }

    #[test]
    fn a_parcel_lies_in_the_zone_asked_for_or_the_one_that_holds_it() {
        let zones = [
            zone(1, "A", rect(0.0, 0.0, 5.0, 10.0)),
            zone(2, "B", rect(5.0, 0.0, 5.0, 10.0)),
        ];
        let in_b = footprint(rect(6.0, 1.0, 1.0, 1.0));
        assert_eq!(resolve_zone(&zones, None, &in_b), Ok(Some(2)));
        assert_eq!(resolve_zone(&zones, Some(Some(2)), &in_b), Ok(Some(2)));
        assert_eq!(resolve_zone(&zones, Some(None), &in_b), Ok(None));
        let outside_zones = footprint(rect(20.0, 1.0, 1.0, 1.0));
        assert_eq!(resolve_zone(&zones, None, &outside_zones), Ok(None));
        for asked in [1, 9] {
            let Err(Refusal::Invalid(e)) = resolve_zone(&zones, Some(Some(asked)), &in_b) else {
                panic!("zone {asked} accepted");
            };
            assert_eq!(e[0].field, "properties.zone_id");
        }
    }

    /// Inside the park and clear of the others, each within the tolerance; the overlap is
    /// compared exactly and rounded only for the message.
    #[test]
    fn a_placement_stays_inside_the_park_and_clear_of_the_others() {
        let p = park(rect(0.0, 0.0, 10.0, 10.0));
        let overlap = |m2: f64| Overlap {
            parcel_id: 7,
            code: "A-07".into(),
            overlap_m2: m2,
        };
        assert_eq!(check_placement(&p, 0.0, vec![], 1.0), Ok(()));
        assert_eq!(check_placement(&p, 1.0, vec![overlap(1.0)], 1.0), Ok(()));
        let Err(Refusal::Invalid(e)) = check_placement(&p, 1.004, vec![], 1.0) else {
            panic!("outside accepted");
        };
        assert_eq!(e[0].field, "geometry");
        assert_eq!(
            check_placement(&p, 0.0, vec![overlap(0.5), overlap(1.004)], 1.0),
            Err(Refusal::Overlap(vec![overlap(1.0)])),
            "beyond the tolerance by 0.004 m², shown rounded; the one within is not listed"
        );
        let outside = footprint(rect(9.0, 1.0, 2.0, 1.0));
        let half = p.outside_m2(&outside);
        assert!((half / measure::area_m2(outside.geometry()) - 0.5).abs() < 0.01);
        assert_eq!(p.outside_m2(&footprint(rect(1.0, 1.0, 1.0, 1.0))), 0.0);
    }

    #[test]
    fn a_new_parcel_has_a_fresh_code_and_an_active_status() {
        assert_eq!(check_code_free(1, "A-01", false), Ok(()));
        assert!(matches!(
            check_code_free(1, "A-01", true),
            Err(Refusal::Conflict(_))
        ));
        for status in ParcelStatus::ALL {
            assert_eq!(
                check_new_status(status).is_err(),
                status == ParcelStatus::Retired,
                "{status:?}"
            );
        }
    }

    #[test]
    fn retired_parcels_are_history_and_do_not_change() {
        let mut p = parcel(1, "A-01", ParcelStatus::Available, rect(1.0, 1.0, 1.0, 1.0));
        assert_eq!(p.check_changeable(), Ok(()));
        p.retire("并入 A-09".into(), &stamp());
        assert_eq!(p.status, ParcelStatus::Retired);
        assert_eq!(p.version, 2);
        assert_eq!(p.retired_reason.as_deref(), Some("并入 A-09"));
        assert_eq!(p.retired_at, Some(stamp().at));
        let Err(Refusal::Conflict(why)) = p.check_changeable() else {
            panic!("a retired parcel may change");
        };
        assert!(why.en.contains("并入 A-09"), "{why}");
    }

    #[test]
    fn attributes_change_as_asked_and_planning_is_checked() {
        let before = parcel(1, "A-01", ParcelStatus::Available, rect(1.0, 1.0, 1.0, 1.0));
        let mut p = before.clone();
        p.apply_attributes(&ParcelChanges::default()).unwrap();
        assert_eq!(p, before);
        let changes = ParcelChanges {
            name: Some("东区一号地".into()),
            site_levelled: Some(true),
            approved_on: Some(Some(NaiveDate::from_ymd_opt(2025, 3, 1).unwrap())),
            planning: PlanningChanges {
                far_min: Some(Some(1.2)),
                far_max: Some(Some(2.5)),
                ..Default::default()
            },
            ..Default::default()
        };
        p.apply_attributes(&changes).unwrap();
        assert_eq!(p.name, "东区一号地");
        assert!(p.site_levelled);
        assert_eq!(p.planning.far_min, Some(1.2));
        assert_eq!((p.code.as_str(), p.version), ("A-01", 1));
        let inverted = ParcelChanges {
            planning: PlanningChanges {
                far_min: Some(Some(3.0)),
                ..Default::default()
            },
            ..Default::default()
        };
        assert!(matches!(
            p.clone().apply_attributes(&inverted),
            Err(Refusal::Invalid(_))
        ));
    }
}
