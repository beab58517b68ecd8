//! `/api/parks/{park_id}/renewal-candidates` and `/api/parks/{park_id}/site-matching`:
//! 腾笼换鸟 — the parcels and workshop units a park could free, ranked by the rules of
//! `domain::renewal`, and for a project seeking land, the plots and to-be-freed sites it would
//! fit, best first, each with its entry-check verdict.
//!
//! The candidates are read from one picture of the park on a day: the land watch (idle land,
//! 五未), the workshop estate (idle units, tenants), and the 亩均 evaluation of a year (D class).
//! 批而未供 land is not a candidate: no one holds it, so there is nothing to free — it is offered
//! as an available plot instead, and matching lists it as one.

use crate::api::http::access::{Need, Of, authorize};
use crate::api::http::extract::JsonBody;
use crate::api::http::query::Query;
use crate::api::rest::entry::{EntryCheckIn, Figures, check_at, parse};
use crate::api::{AppState, report_response};
use crate::domain::access::Caller;
use crate::domain::entry_check::{BuildingPlan, EntryVerdict, check_plan};
use crate::domain::idle_land::IdleStatus;
use crate::domain::parcel::ParcelStatus;
use crate::domain::performance::Class;
use crate::domain::performance::check_year;
use crate::domain::register::Parcel;
use crate::domain::renewal::{Candidate, Fit, Reason, best_first, fits_area, land_intensity, rank};
use crate::domain::underused::UnderusedClass;
use crate::domain::units::{AreaM2, m2_to_mu, round_to};
use crate::domain::workshop::vacancy;
use crate::error::{ApiError, ReadProblems};
use crate::store;
use crate::store::estate::{Building, EstateQuery};
use crate::store::land_watch::{WatchQuery, Watched};
use crate::store::performance::Rated;
use crate::views::land_watch::Tally;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{Datelike, NaiveDate, NaiveDateTime};
use geo::MultiPolygon;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa::ToSchema;

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_candidates).service(match_sites);
}

/// A park on a day, as the candidates are found in it.
pub struct Picture {
    pub park_id: i64,
    pub as_of: NaiveDate,
    /// The year of the evaluation read for D-class enterprises.
    pub year: i32,
    pub watched: Vec<Watched>,
    pub buildings: Vec<Building>,
    pub rated: Rated,
    /// Tenants' names.
    pub tenants: HashMap<i64, String>,
}

/// `as_of` (default today) and `year` (default the year before `as_of`'s) of a request.
pub fn day_and_year(q: &Query, today: NaiveDate) -> Result<(NaiveDate, i32), ApiError> {
    let as_of = q.date("as_of")?.unwrap_or(today);
    let year = match q.id("year")? {
        Some(y) => i32::try_from(y).unwrap_or(i32::MAX),
        None => as_of.year() - 1,
    };
    let year = check_year(year, today).map_err(|e| ApiError::invalid_parameter(e.message))?;
    Ok((as_of, year))
}

/// Load the picture of a park.
pub async fn picture(
    state: &AppState,
    park_id: i64,
    as_of: NaiveDate,
    year: i32,
) -> Result<Picture, ApiError> {
    let today = state.today();
    state
        .run(move |c| {
            let rated = store::performance::evaluation(c, park_id, year, today)?;
            let watch = WatchQuery {
                park_id: Some(park_id),
                ..Default::default()
            };
            let watched = store::land_watch::watch(c, &watch, as_of)?;
            let estate = EstateQuery {
                park_id: Some(park_id),
                ..Default::default()
            };
            let (buildings, _) = store::estate::load(c, &estate)?;
            let tenant_ids: Vec<i64> = buildings
                .iter()
                .flat_map(|b| {
                    b.units
                        .iter()
                        .flat_map(|(_, l)| l.iter().map(|l| l.enterprise_id))
                })
                .collect();
            let tenants = store::enterprises::names(c, &tenant_ids)?;
            Ok(Picture {
                park_id,
                as_of,
                year,
                watched,
                buildings,
                rated,
                tenants,
            })
        })
        .await
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
    pub description: String,
}

impl From<&Reason> for ReasonView {
    fn from(r: &Reason) -> Self {
        Self {
            reason: r.clone(),
            weight: r.weight(),
            description: r.describe(),
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
    let d_class: HashMap<i64, f64> = p
        .rated
        .evaluation
        .rated
        .iter()
        .filter(|r| r.class == Class::D)
        .map(|r| (r.enterprise_id, r.score))
        .collect();
    let d = |enterprise_id: i64| {
        d_class.get(&enterprise_id).map(|score| Reason::DClass {
            enterprise_id,
            score: *score,
        })
    };
    let mut all: Vec<Candidate<Site<'_>>> = Vec::new();
    for w in &p.watched {
        let mut reasons = Vec::new();
        if let Some(v) = w.idle.as_ref().filter(|v| v.status == IdleStatus::Idle) {
            reasons.push(Reason::IdleLand {
                idle_days: v.idle_days,
                consequence: v.consequence,
            });
        }
        if let Some(f) = w
            .underused
            .as_ref()
            .filter(|f| f.class != UnderusedClass::ApprovedNotSupplied)
        {
            reasons.push(Reason::Underused {
                class: f.class,
                days_past: f.days_past,
            });
        }
        if let Some((s, t, _)) = &w.supply {
            reasons.extend(d(s.enterprise_id));
            let threshold = w.settings.min_investment_intensity_wan_per_mu;
            if let Some((intensity, basis)) = land_intensity(s, t)
                && intensity < threshold
            {
                reasons.push(Reason::LowIntensity {
                    intensity_wan_per_mu: intensity,
                    threshold_wan_per_mu: threshold,
                    basis,
                });
            }
        }
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
        let limit = i64::from(b.settings.idle_unit_days);
        for (u, leases) in &b.units {
            let mut reasons = Vec::new();
            if let Some(v) = vacancy(&b.workshop.plan, leases, p.as_of).filter(|v| v.days > limit) {
                reasons.push(Reason::IdleUnit {
                    vacant_days: v.days,
                });
            }
            let tenant = leases
                .iter()
                .find(|l| l.covers(p.as_of))
                .map(|l| l.enterprise_id);
            reasons.extend(tenant.and_then(d));
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

/// 腾笼换鸟 candidates of a park on a day: parcels and workshop units that could be freed —
/// idle land, 五未 land, land below the investment-intensity threshold in force, D-class
/// enterprises (the evaluation of `year`), idle units — ranked by the weight of their reasons
/// (recoverable idle land 5, idle-land fee 4, D class 3, excused idle land, 五未 and low intensity
/// 2, idle unit 1), then by area; with the area that would be freed.
#[utoipa::path(
    tag = "performance",
    operation_id = "list_renewal_candidates",
    params(
        ("park_id" = i64, Path, description = "Park id"),
        ("as_of" = Option<String>, Query, description = "The day, YYYY-MM-DD (default today)"),
        ("year" = Option<i32>, Query, description = "The evaluation year for the D class (default the year before `as_of`)"),
    ),
    responses((status = 200, body = CandidateReport), ReadProblems)
)]
#[get("/api/parks/{park_id}/renewal-candidates")]
pub async fn list_candidates(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let park_id = path.into_inner();
    authorize(&state, &caller, Of::Park(park_id), Need::ReadRegister).await?;
    let q = Query::parse(req.query_string(), &["as_of", "year"])?;
    let (as_of, year) = day_and_year(&q, state.today())?;
    let p = picture(&state, park_id, as_of, year).await?;
    report_response(&state, move || Ok(candidate_report(&p))).await
}

/// A project seeking land.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MatchingIn {
    /// GB/T 4754-2017 code, e.g. C3976.
    pub industry: String,
    /// The land it needs, 亩.
    pub land_area_mu: f64,
    /// 固定资产投资, 万元.
    pub fixed_asset_investment_wan_yuan: f64,
    /// Its building plan, to judge 容积率, 建筑系数, offices and green space on each site.
    pub plan: Option<BuildingPlan>,
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
pub fn matching(
    p: &Picture,
    available: &[Parcel],
    park: &crate::domain::register::Park,
    zones: &[crate::domain::register::Zone],
    demand_mu: f64,
    f: &Figures,
) -> Vec<SiteMatch> {
    let zone_name = |id: Option<i64>| {
        id.and_then(|z| zones.iter().find(|x| x.id == z))
            .map(|z| z.name.clone())
    };
    let site = |parcel: &Parcel, found: Option<&CandidateView>| {
        let mu = m2_to_mu(parcel.area_m2);
        if !fits_area(mu, demand_mu) {
            return None;
        }
        let verdict = check_at(park, zones, parcel.zone_id, parcel.area_m2, f);
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
    let mut sites: Vec<(SiteMatch, Fit)> = available
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

/// Where could this project go? The park's available plots and 腾笼换鸟 candidate parcels whose
/// area is 80 % to 150 % of the land it needs, best first — qualifying before not, available
/// before to-be-freed, closest in area — each with the entry-check verdict by the settings and
/// positioning in force where it lies. Nothing is written.
#[utoipa::path(
    tag = "performance",
    operation_id = "match_sites",
    params(
        ("park_id" = i64, Path, description = "Park id"),
        ("as_of" = Option<String>, Query, description = "The day, YYYY-MM-DD (default today)"),
        ("year" = Option<i32>, Query, description = "The evaluation year for the D class (default the year before `as_of`)"),
    ),
    request_body = MatchingIn,
    responses((status = 200, body = MatchingReport), ReadProblems)
)]
#[post("/api/parks/{park_id}/site-matching")]
pub async fn match_sites(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    caller: Caller,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let park_id = path.into_inner();
    authorize(&state, &caller, Of::Park(park_id), Need::ReadRegister).await?;
    let q = Query::parse(req.query_string(), &["as_of", "year"])?;
    let (as_of, year) = day_and_year(&q, state.today())?;
    let b: MatchingIn = body.parse()?;
    let (_, figures) = parse(&EntryCheckIn {
        parcel_id: None,
        park_id: Some(park_id),
        zone_id: None,
        industry: b.industry,
        fixed_asset_investment_wan_yuan: b.fixed_asset_investment_wan_yuan,
        land_area_mu: Some(b.land_area_mu),
        plan: b.plan,
    })?;
    if let Some(plan) = &figures.plan {
        check_plan(plan, crate::domain::units::mu_to_m2(b.land_area_mu))?;
    }
    let p = picture(&state, park_id, as_of, year).await?;
    let (available, (park, zones)) = state
        .run(move |c| {
            let q = store::parcels::ParcelQuery {
                park_id: Some(park_id),
                statuses: Some(vec![ParcelStatus::Available]),
                ..Default::default()
            };
            Ok((
                store::parcels::query(c, &q, i64::MAX, 0)?.items,
                store::parcel_rules::park_context(c, park_id)?,
            ))
        })
        .await?;
    report_response(&state, move || {
        let sites = matching(&p, &available, &park, &zones, b.land_area_mu, &figures);
        Ok(MatchingReport {
            park_id,
            as_of,
            year,
            land_area_mu: b.land_area_mu,
            sites,
        })
    })
    .await
}
