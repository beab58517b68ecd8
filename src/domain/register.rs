//! The register's entities as the rest of the program sees them (parks, zones, parcels and
//! their history), and the validated inputs that create or change them.
//!
//! These are plain data: the store maps its rows to and from them, the API maps them to views.

use super::FieldError;
use super::codes::{AdminDivisionCode, Code};
use super::industry::IndustryCode;
use super::land_use::LandUse;
use super::parcel::{ParcelStatus, PlanningConditions};
use super::settings::SettingsOverrides;
use crate::spatial::Footprint;
use chrono::{NaiveDate, NaiveDateTime};
use geo::MultiPolygon;

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
    /// 建设用地批准文号 (e.g. 赣府土字〔2022〕12号) and date: when the land was approved for
    /// construction (农用地转用/征收). 批而未供 counts from the date.
    pub approval_no: String,
    pub approved_on: Option<NaiveDate>,
    pub geometry: MultiPolygon<f64>,
    pub area_m2: f64,
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
            errors.push(FieldError::new(
                at("status"),
                "a new parcel cannot be retired",
            ));
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
