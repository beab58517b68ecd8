//! `/api/entry-check`: the entry check (入园审查) for anyone — an applicant checking whether a
//! project would qualify before travelling needs no account. Criteria and defaults are in
//! `domain::entry_check`; the settings and industry positioning in force come from the plot's
//! (or the named zone's) place: zone → park → default.

use crate::api::AppState;
use crate::api::http::access::visibility;
use crate::api::http::input::check;
use crate::domain::FieldError;
use crate::domain::access::{Caller, Visibility};
use crate::domain::entry_check::{BuildingPlan, EntryInput, EntryVerdict, check_plan, entry_check};
use crate::domain::industry::IndustryCode;
use crate::domain::parcel::ParcelStatus;
use crate::domain::project::wan_to_yuan;
use crate::domain::register::{Park, Zone};
use crate::domain::units::mu_to_m2;
use crate::error::{ApiError, ReadProblems};
use crate::store;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The smallest and largest site an entry check considers, in 亩: a hundredth of a 亩 is the
/// precision areas are given to; 100,000 亩 is beyond any single project.
pub const MIN_SITE_MU: f64 = 0.01;
pub const MAX_SITE_MU: f64 = 100_000.0;

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(entry_check_endpoint);
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EntryCheckIn {
    /// An available plot: its area and its place's thresholds are used …
    pub parcel_id: Option<i64>,
    /// … or a park (and optionally one of its zones) with `land_area_mu`.
    pub park_id: Option<i64>,
    pub zone_id: Option<i64>,
    /// The project's industry, GB/T 4754-2017 (e.g. C3976).
    pub industry: String,
    /// 固定资产投资, 万元.
    pub fixed_asset_investment_wan_yuan: f64,
    /// The site area, 亩 (required without a plot).
    pub land_area_mu: Option<f64>,
    /// Building plan figures, to check 容积率, 建筑系数, offices and green space.
    pub plan: Option<BuildingPlan>,
}

#[derive(Serialize, ToSchema)]
pub struct EntryCheckView {
    pub park_id: i64,
    pub zone_id: Option<i64>,
    pub parcel_id: Option<i64>,
    #[serde(flatten)]
    pub verdict: EntryVerdict,
}

/// Where the project would go: a plot, or a park and zone with an area.
#[derive(Debug, Clone, Copy)]
pub enum Site {
    Plot(i64),
    Place {
        park_id: i64,
        zone_id: Option<i64>,
        area_m2: f64,
    },
}

/// The checked figures of a project, without its site.
#[derive(Debug, Clone)]
pub struct Figures {
    pub industry: IndustryCode,
    pub fixed_asset_investment_yuan: i64,
    pub plan: Option<BuildingPlan>,
}

/// Run the check for a site. A plot must be available unless the caller may read its park's
/// register (the register is private; the available plots are public).
pub async fn run(
    state: &AppState,
    caller: &Caller,
    site: Site,
    f: Figures,
) -> Result<EntryCheckView, ApiError> {
    let readable = match caller.principal() {
        None => Vec::new(),
        Some(_) => match visibility(state, caller).await {
            Ok(Visibility::All) => vec![-1],
            Ok(Visibility::Parks(ids)) => ids,
            Err(_) => Vec::new(),
        },
    };
    state
        .run(move |c| {
            let (park_id, zone_id, parcel_id, area) = match site {
                Site::Plot(id) => {
                    let hidden = || store::StoreError::NotFound(format!("available plot {id}"));
                    let p = store::parcels::get(c, id).map_err(|_| hidden())?;
                    let may_read = readable.contains(&-1) || readable.contains(&p.park_id);
                    if p.status != ParcelStatus::Available && !may_read {
                        return Err(hidden());
                    }
                    (p.park_id, p.zone_id, Some(id), p.area_m2)
                }
                Site::Place {
                    park_id,
                    zone_id,
                    area_m2,
                } => (park_id, zone_id, None, area_m2),
            };
            let (park, zones) = store::parcel_rules::park_context(c, park_id)?;
            if let Some(z) = zone_id
                && !zones.iter().any(|x| x.id == z)
            {
                return Err(FieldError::new(
                    "zone_id",
                    format!("zone {z} is not a zone of park {park_id}"),
                )
                .into());
            }
            if let Some(plan) = &f.plan {
                check_plan(plan, area)?;
            }
            Ok(EntryCheckView {
                park_id,
                zone_id,
                parcel_id,
                verdict: check_at(&park, &zones, zone_id, area, &f),
            })
        })
        .await
}

/// The check of a project on a site of `area_m2` in a park's zone (or outside any zone), by the
/// settings and industry positioning in force there (zone → park → default).
pub fn check_at(
    park: &Park,
    zones: &[Zone],
    zone_id: Option<i64>,
    area_m2: f64,
    f: &Figures,
) -> EntryVerdict {
    let settings = park.settings_in(zones, zone_id);
    let zone = zone_id.and_then(|z| zones.iter().find(|x| x.id == z));
    let positioning: Vec<IndustryCode> = zone
        .and_then(|z| z.industries.clone())
        .unwrap_or_else(|| park.industries.clone())
        .iter()
        .filter_map(|c| IndustryCode::parse("", c).ok())
        .collect();
    let input = EntryInput {
        industry: f.industry.clone(),
        fixed_asset_investment_yuan: f.fixed_asset_investment_yuan,
        site_area_m2: area_m2,
        plan: f.plan,
    };
    entry_check(&input, &settings, &positioning)
}

/// Parse the site and figures of an entry-check request.
pub fn parse(b: &EntryCheckIn) -> Result<(Site, Figures), ApiError> {
    let mut e = Vec::new();
    let industry = check(&mut e, IndustryCode::parse("industry", &b.industry));
    let yuan = check(
        &mut e,
        wan_to_yuan(
            "fixed_asset_investment_wan_yuan",
            b.fixed_asset_investment_wan_yuan,
        ),
    );
    let site = match (b.parcel_id, b.park_id, b.land_area_mu) {
        (Some(id), None, None) => Some(Site::Plot(id)),
        (Some(_), _, _) => {
            e.push(FieldError::new(
                "parcel_id",
                "with a plot, its park and area are the plot's: leave out park_id and land_area_mu",
            ));
            None
        }
        (None, Some(park_id), Some(mu))
            if mu.is_finite() && (MIN_SITE_MU..=MAX_SITE_MU).contains(&mu) =>
        {
            Some(Site::Place {
                park_id,
                zone_id: b.zone_id,
                area_m2: mu_to_m2(mu),
            })
        }
        (None, Some(_), Some(mu)) => {
            e.push(FieldError::new(
                "land_area_mu",
                format!(
                    "a site is {MIN_SITE_MU} to {MAX_SITE_MU} 亩 (6.67 m² to 66.7 km²), got {mu}"
                ),
            ));
            None
        }
        (None, Some(_), None) => {
            e.push(FieldError::new(
                "land_area_mu",
                "give the site area in 亩 (or a plot's parcel_id)",
            ));
            None
        }
        (None, None, _) => {
            e.push(FieldError::new(
                "parcel_id",
                "name an available plot (parcel_id) or a park (park_id with land_area_mu)",
            ));
            None
        }
    };
    match (site, industry, yuan) {
        (Some(site), Some(industry), Some(yuan)) if e.is_empty() => Ok((
            site,
            Figures {
                industry,
                fixed_asset_investment_yuan: yuan,
                plan: b.plan,
            },
        )),
        _ => Err(e.into()),
    }
}

/// Would this project qualify? A verdict per criterion — investment intensity against the
/// threshold in force (zone → park → default), industry positioning, and with a building plan
/// 容积率, 建筑系数, offices and living, green space — each with the required and the actual
/// figure. Public: no account needed.
#[utoipa::path(
    tag = "projects",
    operation_id = "run_entry_check",
    security(()),
    request_body = EntryCheckIn,
    responses((status = 200, body = EntryCheckView), ReadProblems)
)]
#[post("/api/entry-check")]
pub async fn entry_check_endpoint(
    state: web::Data<AppState>,
    caller: Caller,
    body: crate::api::http::extract::JsonBody,
) -> Result<HttpResponse, ApiError> {
    let b: EntryCheckIn = body.parse()?;
    let (site, figures) = parse(&b)?;
    let view = run(&state, &caller, site, figures).await?;
    crate::api::json_response(StatusCode::OK, "application/json", &view)
}
