//! 腾笼换鸟 as the API, the map and the reports show it: the candidates of a park on a day,
//! ranked by the reasons of `domain::renewal`, and the sites a project seeking land would fit.
//!
//! The candidates are read from one picture of the park on a day: the land watch (idle land,
//! 五未), the workshop estate (idle units, tenants), and the 亩均 evaluation of a year (D class).

use crate::domain::entry_check::{EntryVerdict, Figures, Plot, check_at};
use crate::domain::parcel::ParcelStatus;
use crate::domain::register::{Parcel, Park, Zone};
use crate::domain::renewal::{
    Candidate, DClass, Fit, LandFindings, Reason, best_first, fits_area, parcel_reasons, rank,
    unit_reasons,
};
use crate::domain::units::{AreaM2, m2_to_mu, round_to};
use crate::domain::watch::Watched;
use crate::domain::workshop::vacancy;
use crate::store::estate::Building;
use crate::store::performance::Rated;
use crate::views::land_watch::Tally;
use chrono::{NaiveDate, NaiveDateTime};
use geo::MultiPolygon;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Arc;
use utoipa::ToSchema;

/// A park on a day, as the candidates are found in it.
pub struct Picture {
    pub park_id: i64,
    pub as_of: NaiveDate,
    /// The year of the evaluation read for D-class enterprises.
    pub year: i32,
    pub watched: Vec<Arc<Watched>>,
    pub buildings: Vec<Building>,
    pub rated: Rated,
    /// Tenants' names.
    pub tenants: HashMap<i64, String>,
}

#[derive(Serialize, ToSchema, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "snake_case")]
pub enum SiteKind {
    Parcel,
    Unit,
}

/// Where a candidate is and who uses it.
#[derive(Serialize, ToSchema, Clone)]
pub struct SiteView {
    /// `parcel-144` or `unit-9`: the candidate's feature id in the `renewal-candidates` layer.
    pub id: String,
    pub kind: SiteKind,
    /// The parcel itself, or the parcel the unit's workshop stands on.
    pub parcel_id: i64,
    pub parcel_code: Option<String>,
    pub parcel_name: Option<String>,
    pub zone_id: Option<i64>,
    pub zone_name: Option<String>,
    pub workshop_id: Option<i64>,
    pub workshop_name: Option<String>,
    pub unit_id: Option<i64>,
    /// e.g. `2层 A区`.
    pub unit_name: Option<String>,
    /// The land user (the supply in force) or the tenant on the day.
    pub enterprise_id: Option<i64>,
    pub enterprise_name: Option<String>,
}

/// One reason, its weight and its words.
#[derive(Serialize, ToSchema, Clone)]
pub struct ReasonView {
    #[serde(flatten)]
    pub reason: Reason,
    pub weight: u32,
    /// The reason in words, in Chinese.
    pub description: String,
    /// The same in English.
    pub description_en: String,
}

impl From<&Reason> for ReasonView {
    fn from(r: &Reason) -> Self {
        Self {
            reason: r.clone(),
            weight: r.weight(),
            description: r.describe().zh,
            description_en: r.describe().en,
        }
    }
}

/// A site that could be freed.
#[derive(Serialize, ToSchema, Clone)]
pub struct CandidateView {
    /// 1 is the strongest case.
    pub rank: usize,
    #[serde(flatten)]
    pub site: SiteView,
    /// What would be freed: the parcel's land, or the unit's floor area; m² and 亩.
    pub area_m2: f64,
    pub area_mu: f64,
    /// The sum of the reasons' weights.
    pub weight: u32,
    pub reasons: Vec<ReasonView>,
    pub as_of: NaiveDate,
}

/// A candidate with what matching and the map need besides its view.
pub struct Found<'a> {
    pub view: CandidateView,
    pub geometry: &'a MultiPolygon<f64>,
    /// A parcel candidate's parcel, for matching.
    pub parcel: Option<&'a Parcel>,
    /// The last change of the parcel or workshop (the map's `datetime` filter).
    pub updated: NaiveDateTime,
}

struct Site<'a> {
    view: SiteView,
    geometry: &'a MultiPolygon<f64>,
    parcel: Option<&'a Parcel>,
    updated: NaiveDateTime,
}

/// The park's candidates, ranked.
pub fn candidates(p: &Picture) -> Vec<Found<'_>> {
    let d = DClass::of(&p.rated.evaluation.rated);
    let mut all: Vec<Candidate<Site<'_>>> = Vec::new();
    for w in &p.watched {
        let findings = LandFindings {
            idle: w.idle.as_ref(),
            underused: w.underused.as_ref(),
            held: w.supply.as_ref().map(|(s, t, _)| (s, t)),
            threshold_wan_per_mu: w.settings.min_investment_intensity_wan_per_mu,
        };
        let reasons = parcel_reasons(&findings, &d);
        let view = SiteView {
            id: format!("parcel-{}", w.parcel.id),
            kind: SiteKind::Parcel,
            parcel_id: w.parcel.id,
            parcel_code: Some(w.parcel.code.clone()),
            parcel_name: Some(w.parcel.name.clone()),
            zone_id: w.parcel.zone_id,
            zone_name: w.zone_name.clone(),
            workshop_id: None,
            workshop_name: None,
            unit_id: None,
            unit_name: None,
            enterprise_id: w.supply.as_ref().map(|(s, _, _)| s.enterprise_id),
            enterprise_name: w.supply.as_ref().map(|(_, _, n)| n.clone()),
        };
        all.push(Candidate {
            site: Site {
                view,
                geometry: &w.parcel.geometry,
                parcel: Some(&w.parcel),
                updated: w.parcel.updated.at,
            },
            area_m2: w.parcel.area_m2,
            reasons,
        });
    }
    for b in &p.buildings {
        for (u, leases) in &b.units {
            let tenant = leases
                .iter()
                .find(|l| l.covers(p.as_of))
                .map(|l| l.enterprise_id);
            let reasons = unit_reasons(
                vacancy(&b.workshop.plan, leases, p.as_of),
                b.settings.idle_unit_days,
                tenant,
                &d,
            );
            let view = SiteView {
                id: format!("unit-{}", u.id),
                kind: SiteKind::Unit,
                parcel_id: b.workshop.parcel_id,
                parcel_code: None,
                parcel_name: None,
                zone_id: b.workshop.zone_id,
                zone_name: b.zone_name.clone(),
                workshop_id: Some(b.workshop.id),
                workshop_name: Some(b.workshop.name.clone()),
                unit_id: Some(u.id),
                unit_name: Some(format!("{}层 {}", u.floor, u.section).trim().to_owned()),
                enterprise_id: tenant,
                enterprise_name: tenant.and_then(|t| p.tenants.get(&t).cloned()),
            };
            all.push(Candidate {
                site: Site {
                    view,
                    geometry: &b.workshop.footprint,
                    parcel: None,
                    updated: b.workshop.updated.at,
                },
                area_m2: u.area_m2,
                reasons,
            });
        }
    }
    rank(all)
        .into_iter()
        .enumerate()
        .map(|(i, c)| {
            let area = AreaM2(c.area_m2);
            Found {
                view: CandidateView {
                    rank: i + 1,
                    weight: c.weight(),
                    site: c.site.view,
                    area_m2: area.m2_display(),
                    area_mu: area.mu_display(),
                    reasons: c.reasons.iter().map(ReasonView::from).collect(),
                    as_of: p.as_of,
                },
                geometry: c.site.geometry,
                parcel: c.site.parcel,
                updated: c.site.updated,
            }
        })
        .collect()
}

#[derive(Serialize, ToSchema)]
pub struct CandidateReport {
    pub park_id: i64,
    pub as_of: NaiveDate,
    /// The evaluation year whose D class was read.
    pub year: i32,
    pub items: Vec<CandidateView>,
    /// Parcel candidates and the land they would free.
    pub land: Tally,
    /// Unit candidates and their floor area.
    pub units: Tally,
}

fn tally<'a>(items: impl Iterator<Item = &'a CandidateView>) -> Tally {
    let (count, m2) = items.fold((0, 0.0), |(n, a), c| (n + 1, a + c.area_m2));
    let a = AreaM2(m2);
    Tally {
        count,
        area_m2: a.m2_display(),
        area_mu: a.mu_display(),
    }
}

/// The candidates of a picture, with their totals.
pub fn candidate_report(p: &Picture) -> CandidateReport {
    let items: Vec<CandidateView> = candidates(p).into_iter().map(|f| f.view).collect();
    CandidateReport {
        park_id: p.park_id,
        as_of: p.as_of,
        year: p.year,
        land: tally(items.iter().filter(|c| c.site.kind == SiteKind::Parcel)),
        units: tally(items.iter().filter(|c| c.site.kind == SiteKind::Unit)),
        items,
    }
}

/// What a park offers a project seeking land: its available plots, and the park and zones
/// whose settings judge them.
pub struct Offer {
    pub available: Vec<Parcel>,
    pub park: Park,
    pub zones: Vec<Zone>,
}

/// A site the project would fit.
#[derive(Serialize, ToSchema)]
pub struct SiteMatch {
    /// 1 is the best.
    pub rank: usize,
    pub parcel_id: i64,
    pub parcel_code: String,
    pub parcel_name: String,
    pub zone_id: Option<i64>,
    pub zone_name: Option<String>,
    pub area_m2: f64,
    pub area_mu: f64,
    /// `true`: offered now; `false`: a candidate, to be freed first (see `reasons`).
    pub available: bool,
    /// |site − demand| ÷ demand, percent.
    pub area_gap_pct: f64,
    /// Why a to-be-freed site could be freed, and its holder.
    pub reasons: Vec<ReasonView>,
    pub enterprise_id: Option<i64>,
    pub enterprise_name: Option<String>,
    pub entry_check: EntryVerdict,
}

#[derive(Serialize, ToSchema)]
pub struct MatchingReport {
    pub park_id: i64,
    pub as_of: NaiveDate,
    pub year: i32,
    pub land_area_mu: f64,
    /// Sites whose area is 80 % to 150 % of the demand, best first: qualifying before not,
    /// available before to-be-freed, then the closest in area.
    pub sites: Vec<SiteMatch>,
}

/// The sites of a picture a project would fit, best first.
pub fn matching(p: &Picture, offer: &Offer, demand_mu: f64, f: &Figures) -> Vec<SiteMatch> {
    let (park, zones) = (&offer.park, &offer.zones[..]);
    let zone_name = |id: Option<i64>| {
        id.and_then(|z| zones.iter().find(|x| x.id == z))
            .map(|z| z.name.clone())
    };
    let site = |parcel: &Parcel, found: Option<&CandidateView>| {
        let mu = m2_to_mu(parcel.area_m2);
        if !fits_area(mu, demand_mu) {
            return None;
        }
        // The same check an applicant's plot gets: the plot's use and planning conditions too.
        let plot = Plot {
            land_use: parcel.land_use.clone(),
            planning: parcel.planning,
        };
        let verdict = check_at(park, zones, parcel.zone_id, parcel.area_m2, Some(plot), f);
        let area = AreaM2(parcel.area_m2);
        let fit = Fit {
            qualifies: verdict.qualifies,
            available: found.is_none(),
            area_gap: (mu - demand_mu).abs() / demand_mu,
        };
        let view = SiteMatch {
            rank: 0,
            parcel_id: parcel.id,
            parcel_code: parcel.code.clone(),
            parcel_name: parcel.name.clone(),
            zone_id: parcel.zone_id,
            zone_name: zone_name(parcel.zone_id),
            area_m2: area.m2_display(),
            area_mu: area.mu_display(),
            available: fit.available,
            area_gap_pct: round_to(fit.area_gap * 100.0, 2),
            reasons: found.map(|c| c.reasons.clone()).unwrap_or_default(),
            enterprise_id: found.and_then(|c| c.site.enterprise_id),
            enterprise_name: found.and_then(|c| c.site.enterprise_name.clone()),
            entry_check: verdict,
        };
        Some((view, fit))
    };
    let found = candidates(p);
    let mut sites: Vec<(SiteMatch, Fit)> = offer
        .available
        .iter()
        .filter(|x| x.status == ParcelStatus::Available)
        .filter_map(|x| site(x, None))
        .collect();
    sites.extend(
        found
            .iter()
            .filter_map(|c| c.parcel.map(|x| (x, &c.view)))
            .filter_map(|(x, v)| site(x, Some(v))),
    );
    best_first(sites)
        .into_iter()
        .enumerate()
        .map(|(i, (mut s, _))| {
            s.rank = i + 1;
            s
        })
        .collect()
}
