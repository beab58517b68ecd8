//! Which features of a parcel import may join the register: each checked like a single create
//! (code never used and not repeated in the file, zone known and containing it,
//! infrastructure items known, inside the park, clear of the park's active parcels and of the
//! file's earlier features), every reason collected so one report names them all.
//!
//! Overlaps are found with an in-memory R-tree over the batch and the existing parcels in the
//! batch's extent, so a 100,000-parcel import does not issue 100,000 spatial queries.

use super::net_land::parse_clearances;
use super::parcel::parse_infrastructure;
use super::register::{ImportItem, Park, Rejection, Zone, resolve_zone};
use super::units::round_to;
use crate::spatial::{Bbox, measure};
use geo::MultiPolygon;
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree, RTreeObject};
use std::collections::{HashMap, HashSet};

/// An accepted feature: its index among the items, its zone, its infrastructure items and its
/// 净地 clearances, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Accepted {
    pub index: usize,
    pub zone_id: Option<i64>,
    pub infrastructure: Vec<String>,
    pub clearances: Vec<String>,
}

/// The verdict on a batch: what may be written, what is refused and why, and what is worth a
/// look although accepted.
#[derive(Debug, Clone, Default)]
pub struct Checked {
    pub accepted: Vec<Accepted>,
    pub rejected: Vec<Rejection>,
    pub warnings: Vec<Rejection>,
}

/// A declared area further than this share from the measured one is worth a warning.
const DECLARED_AREA_SLACK: f64 = 0.01;

enum Source {
    Existing(usize),
    Batch(usize),
}

fn rect(b: Bbox) -> Rectangle<[f64; 2]> {
    Rectangle::from_corners([b.min_x, b.min_y], [b.max_x, b.max_y])
}

/// Check every item of an import against the park (`taken`: every code it has used;
/// `existing`: its active parcels in the batch's extent as id, code, geometry). `progress`
/// hears (done, total) every 1,000 features.
pub fn check_import(
    park: &Park,
    zones: &[Zone],
    taken: &HashSet<String>,
    existing: &[(i64, String, MultiPolygon<f64>)],
    items: &[ImportItem],
    progress: &dyn Fn(usize, usize),
) -> Checked {
    let mut entries: Vec<GeomWithData<Rectangle<[f64; 2]>, Source>> = existing
        .iter()
        .enumerate()
        .filter_map(|(i, (_, _, g))| {
            Bbox::of(g).map(|b| GeomWithData::new(rect(b), Source::Existing(i)))
        })
        .collect();
    entries.extend(
        items
            .iter()
            .enumerate()
            .map(|(i, it)| GeomWithData::new(rect(it.draft.footprint.bbox()), Source::Batch(i))),
    );
    let tree = RTree::bulk_load(entries);

    let mut first_use: HashMap<&str, usize> = HashMap::new();
    let mut checked = Checked::default();
    for (i, item) in items.iter().enumerate() {
        if i % 1000 == 0 {
            progress(i, items.len());
        }
        let d = &item.draft;
        let mut reasons = Vec::new();
        let code = d.code.as_str();
        if taken.contains(code) {
            reasons.push(format!(
                "park {} already has a parcel with code {code}",
                park.code
            ));
        }
        match first_use.get(code) {
            Some(&other) => reasons.push(format!("code {code} is also used by feature {other}")),
            None => {
                first_use.insert(code, item.feature);
            }
        }
        let requested = match (&item.zone, d.zone_id) {
            (Some(name), _) => match zones.iter().find(|z| &z.code == name || &z.name == name) {
                Some(z) => Some(Some(z.id)),
                None => {
                    reasons.push(format!("park {} has no zone {name}", park.code));
                    None
                }
            },
            (None, Some(id)) => Some(Some(id)),
            (None, None) => None,
        };
        let zone_id = match resolve_zone(zones, requested, &d.footprint) {
            Ok(z) => z,
            Err(e) => {
                reasons.push(e.to_string());
                None
            }
        };
        let settings = park.settings_in(zones, zone_id);
        let tolerance = settings.geometry_tolerance_m2;
        let infrastructure = parse_infrastructure(
            "infrastructure",
            &d.infrastructure,
            &settings.infrastructure_items,
        )
        .map_err(|e| reasons.push(e.to_string()))
        .unwrap_or_default();
        let clearances = parse_clearances("clearances", &d.clearances)
            .map_err(|e| reasons.push(e.to_string()))
            .unwrap_or_default();
        let outside = park.outside_m2(&d.footprint);
        if outside > tolerance {
            reasons.push(format!(
                "extends {outside:.2} m² outside the boundary of park {}",
                park.code
            ));
        }
        let b = d.footprint.bbox();
        for hit in tree.locate_in_envelope_intersecting(&AABB::from_corners(
            [b.min_x, b.min_y],
            [b.max_x, b.max_y],
        )) {
            let envelope = hit.geom().envelope();
            let (lo, hi) = (envelope.lower(), envelope.upper());
            let other_box = Bbox {
                min_x: lo[0],
                min_y: lo[1],
                max_x: hi[0],
                max_y: hi[1],
            };
            if b.shared_area_upper_bound_m2(&other_box) <= tolerance {
                continue;
            }
            let (other, label) = match hit.data {
                Source::Existing(j) => (
                    &existing[j].2,
                    format!("parcel {} (id {})", existing[j].1, existing[j].0),
                ),
                Source::Batch(j) if j < i => (
                    items[j].draft.footprint.geometry(),
                    format!("feature {} ({})", items[j].feature, items[j].draft.code),
                ),
                Source::Batch(_) => continue,
            };
            let overlap = measure::overlap_m2(d.footprint.geometry(), other);
            if overlap > tolerance {
                reasons.push(format!(
                    "overlaps {label} by {:.2} m²",
                    round_to(overlap, 2)
                ));
            }
        }
        if let Some(declared) = item.declared_area_m2 {
            let computed = d.footprint.area_m2();
            if (declared - computed).abs() > computed * DECLARED_AREA_SLACK {
                checked.warnings.push(Rejection {
                    feature: item.feature,
                    code: Some(code.to_owned()),
                    reasons: vec![format!("the file declares {declared:.2} m²; the geometry measures {computed:.2} m² (the computed area is kept)")],
                });
            }
        }
        if reasons.is_empty() {
            checked.accepted.push(Accepted {
                index: i,
                zone_id,
                infrastructure,
                clearances,
            });
        } else {
            checked.rejected.push(Rejection {
                feature: item.feature,
                code: Some(code.to_owned()),
                reasons,
            });
        }
    }
    progress(items.len(), items.len());
    checked
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::codes::Code;
    use crate::domain::land_use::LandUse;
    use crate::domain::parcel::{ParcelStatus, PlanningConditions};
    use crate::domain::register::ParcelDraft;
    use crate::domain::register::tests::{footprint, park, rect, zone};

    fn item(feature: usize, code: &str, geometry: MultiPolygon<f64>) -> ImportItem {
        ImportItem {
            feature,
            draft: ParcelDraft {
                code: Code::parse("code", code).unwrap(),
                zone_id: None,
                name: String::new(),
                location: String::new(),
                land_use: LandUse::parse("land_use", "1001").unwrap(),
                status: ParcelStatus::Available,
                planning: PlanningConditions::default(),
                infrastructure: Vec::new(),
                site_levelled: false,
                clearances: Vec::new(),
                approval_no: String::new(),
                approved_on: None,
                footprint: footprint(geometry),
            },
            zone: None,
            declared_area_m2: None,
        }
    }

    fn reasons(c: &Checked, feature: usize) -> Vec<String> {
        c.rejected
            .iter()
            .find(|r| r.feature == feature)
            .map(|r| r.reasons.clone())
            .unwrap_or_default()
    }

    /// Every reason of every feature: a used code, a code repeated in the file, an unknown
    /// zone, outside the park, on an existing parcel, on an earlier feature of the file.
    #[test]
    fn every_feature_is_checked_like_a_single_create() {
        let p = park(rect(0.0, 0.0, 10.0, 10.0));
        let zones = [zone(1, "A", rect(0.0, 0.0, 5.0, 10.0))];
        let taken: HashSet<String> = ["OLD-1".to_owned()].into();
        let existing = [(7, "E-07".to_owned(), rect(8.0, 8.0, 1.0, 1.0))];
        let mut named_zone = item(4, "N-4", rect(3.0, 3.0, 1.0, 1.0));
        named_zone.zone = Some("Z".into());
        let mut declared = item(8, "N-8", rect(1.0, 5.0, 1.0, 1.0));
        declared.declared_area_m2 = Some(20_000.0);
        let items = [
            item(1, "N-1", rect(1.0, 1.0, 1.0, 1.0)),
            item(2, "OLD-1", rect(6.0, 1.0, 1.0, 1.0)),
            item(3, "N-1", rect(1.0, 3.0, 1.0, 1.0)),
            named_zone,
            item(5, "N-5", rect(9.5, 1.0, 1.0, 1.0)),
            item(6, "N-6", rect(8.5, 8.5, 1.0, 1.0)),
            item(7, "N-7", rect(1.5, 1.0, 1.0, 1.0)),
            declared,
        ];
        let seen = std::cell::Cell::new(0);
        let c = check_import(&p, &zones, &taken, &existing, &items, &|done, _| {
            seen.set(done)
        });
        assert_eq!(seen.get(), items.len(), "progress ends at the total");
        let accepted: Vec<usize> = c.accepted.iter().map(|a| items[a.index].feature).collect();
        assert_eq!(accepted, [1, 8]);
        assert_eq!(
            c.accepted[0].zone_id,
            Some(1),
            "placed in the zone that holds it"
        );
        let one = |f| {
            let r = reasons(&c, f);
            assert_eq!(r.len(), 1, "feature {f}: {r:?}");
            r[0].clone()
        };
        assert!(one(2).contains("already has a parcel with code OLD-1"));
        assert!(one(3).contains("also used by feature 1"));
        assert!(one(4).contains("has no zone Z"));
        assert!(one(5).contains("outside the boundary"));
        assert!(one(6).contains("parcel E-07 (id 7)"));
        assert!(
            one(7).contains("feature 1 (N-1)"),
            "the later of two features is refused"
        );
        assert_eq!(c.warnings.len(), 1);
        assert_eq!(c.warnings[0].feature, 8);
    }

    #[test]
    fn an_empty_batch_accepts_nothing() {
        let p = park(rect(0.0, 0.0, 10.0, 10.0));
        let c = check_import(&p, &[], &HashSet::new(), &[], &[], &|_, _| {});
        assert!(c.accepted.is_empty() && c.rejected.is_empty() && c.warnings.is_empty());
    }
}
