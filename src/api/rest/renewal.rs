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
use crate::api::http::bodies::{EntryCheckIn, parse};
use crate::api::http::extract::JsonBody;
use crate::api::http::params::{DayAndYear, Params};
use crate::api::http::scope::day_and_year;
use crate::api::{AppState, report_response};
use crate::domain::access::Caller;
use crate::domain::entry_check::{BuildingPlan, check_plan};
use crate::error::{ApiError, ReadProblems};
use crate::ops;
use crate::views::renewal::{CandidateReport, MatchingReport, candidate_report, matching};
use actix_web::{HttpResponse, get, post, web};
use serde::Deserialize;
use utoipa::ToSchema;

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_candidates).service(match_sites);
}

/// 腾笼换鸟 candidates of a park on a day: parcels and workshop units that could be freed —
/// idle land, 五未 land, land below the investment-intensity threshold in force, D-class
/// enterprises (the evaluation of `year`), idle units — ranked by the weight of their reasons
/// (recoverable idle land 5, idle-land fee 4, D class 3, excused idle land, 五未 and low intensity
/// 2, idle unit 1), then by area; with the area that would be freed.
#[utoipa::path(
    tag = "performance",
    operation_id = "list_renewal_candidates",
    params(("park_id" = i64, Path, description = "Park id"), DayAndYear),
    responses((status = 200, body = CandidateReport), ReadProblems)
)]
#[get("/api/parks/{park_id}/renewal-candidates")]
pub async fn list_candidates(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    caller: Caller,
    params: Params<DayAndYear>,
) -> Result<HttpResponse, ApiError> {
    let park_id = path.into_inner();
    authorize(&state, &caller, Of::Park(park_id), Need::ReadRegister).await?;
    let q = params.read()?;
    let (as_of, year) = day_and_year(q.as_of, q.year, state.today())?;
    let today = state.today();
    let p = state
        .run_watching(move |c, m| ops::renewal::picture(c, m, park_id, as_of, year, today))
        .await?;
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

/// Where could this project go? The park's available plots and 腾笼换鸟 candidate parcels whose
/// area is 80 % to 150 % of the land it needs, best first — qualifying before not, available
/// before to-be-freed, closest in area — each with the entry-check verdict by the settings and
/// positioning in force where it lies. Nothing is written.
#[utoipa::path(
    tag = "performance",
    operation_id = "match_sites",
    params(("park_id" = i64, Path, description = "Park id"), DayAndYear),
    request_body = MatchingIn,
    responses((status = 200, body = MatchingReport), ReadProblems)
)]
#[post("/api/parks/{park_id}/site-matching")]
pub async fn match_sites(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    caller: Caller,
    params: Params<DayAndYear>,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let park_id = path.into_inner();
    authorize(&state, &caller, Of::Park(park_id), Need::ReadRegister).await?;
    let q = params.read()?;
    let (as_of, year) = day_and_year(q.as_of, q.year, state.today())?;
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
    let today = state.today();
    let (p, offer) = state
        .run_watching(move |c, m| {
            Ok((
                ops::renewal::picture(c, m, park_id, as_of, year, today)?,
                ops::renewal::offer(c, park_id)?,
            ))
        })
        .await?;
    report_response(&state, move || {
        let sites = matching(&p, &offer, b.land_area_mu, &figures);
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
