//! 亩均 and 腾笼换鸟 as map layers, private to the bureau and committees:
//!
//! - `mu-performance`: each parcel in use for a year, with its land user's class, score and the
//!   key per-亩 indicators, so QGIS and the dashboard colour the park by class. The parcel is
//!   drawn for the enterprise that holds its supply on the day the evaluation reads land (the
//!   year's last day); tenants of workshops are rated in the evaluation but have no parcel of
//!   their own to draw.
//! - `renewal-candidates`: the ranked candidates of `/api/parks/{id}/renewal-candidates` —
//!   parcels on their geometry, workshop units on their building's footprint — with ids
//!   `parcel-…` and `unit-…`, since one layer holds both.

use super::CollectionId;
use super::computed_filter::{keep as keep_filtered, queryables};
use super::page::{Page, keep, page_of};
use crate::api::AppState;
use crate::api::GEOJSON;
use crate::api::http::access::{listed_parks, require_register};
use crate::api::http::params::cql::CqlQuery;
use crate::api::http::params::items::{ItemQuery, ItemsParams, ItemsQuery};
use crate::api::http::params::{DayAndYear, YearParam, de};
use crate::api::http::scope::{self, day_and_year};
use crate::domain::access::Caller;
use crate::domain::performance::{Class, Indicator, Reading};
use crate::domain::units::{AreaM2, m2_to_mu, round_to};
use crate::error::{ApiError, ReadProblems};
use crate::ops;
use crate::ops::land_watch::WatchQuery;
use crate::store;
use crate::store::performance::land_day;
use crate::views::renewal::{CandidateView, SiteKind, candidates};
use crate::views::{Feature, FeatureCollection, FeatureId};
use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::NaiveDate;
use geo::MultiPolygon;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(performance_items)
        .service(performance_item)
        .service(candidate_items)
        .service(candidate_item);
}

/// The 亩均 layer's own filters (with the evaluation year, [`YearParam`]).
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ClassFilters {
    /// Only this park.
    #[serde(default, deserialize_with = "de::id")]
    pub park_id: Option<i64>,
    /// Comma-separated classes: A, B, C, D.
    #[serde(default, deserialize_with = "de::list")]
    #[param(value_type = Option<String>)]
    pub class: Option<Vec<Class>>,
}

/// The candidates layer's own filters (with a day and year, [`DayAndYear`]).
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct KindFilters {
    /// Only this park.
    #[serde(default, deserialize_with = "de::id")]
    pub park_id: Option<i64>,
    /// `parcel` or `unit` (comma-separated for both).
    #[serde(default, deserialize_with = "de::list")]
    #[param(value_type = Option<String>)]
    pub kind: Option<Vec<SiteKind>>,
}

/// The parks a request covers: the one named, else every park the caller may read.
async fn parks_of(
    state: &AppState,
    caller: &Caller,
    park_id: Option<i64>,
) -> Result<Vec<i64>, ApiError> {
    match (park_id, listed_parks(state, caller, park_id).await?) {
        (Some(id), _) => Ok(vec![id]),
        (None, Some(ids)) => Ok(ids),
        (None, None) => {
            state
                .run(|c| {
                    Ok(store::parks::scopes(c)?
                        .into_iter()
                        .map(|(id, _)| id)
                        .collect())
                })
                .await
        }
    }
}

/// A parcel in use, with its land user's 亩均 evaluation.
#[derive(Serialize, ToSchema)]
pub struct MuPerformance {
    pub parcel_id: i64,
    pub parcel_code: String,
    pub parcel_name: String,
    pub park_id: i64,
    pub park_name: String,
    pub zone_id: Option<i64>,
    pub zone_name: Option<String>,
    pub area_m2: f64,
    pub area_mu: f64,
    pub enterprise_id: i64,
    pub enterprise_name: String,
    pub year: i32,
    /// A–D; `null` when the enterprise is not rated (see `not_rated_reason`).
    pub class: Option<Class>,
    pub class_name: Option<&'static str>,
    pub score: Option<f64>,
    pub rank: Option<usize>,
    /// Why not rated, in Chinese.
    pub not_rated_reason: Option<String>,
    /// The same in English.
    pub not_rated_reason_en: Option<String>,
    /// All the land the enterprise uses in the park, 亩 — the base of its per-亩 figures.
    pub enterprise_land_mu: f64,
    /// 亩均税收, 万元/亩.
    pub tax_per_mu_wan: Option<f64>,
    /// 亩均增加值, 万元/亩.
    pub value_added_per_mu_wan: Option<f64>,
    /// 单位能耗增加值, 万元/吨标煤.
    pub value_added_per_tce_wan: Option<f64>,
    /// 单位排放增加值, 万元/吨.
    pub value_added_per_t_emission_wan: Option<f64>,
    /// 全员劳动生产率, 万元/人.
    pub labour_productivity_wan: Option<f64>,
    /// 研发经费投入强度, %.
    pub rd_share_pct: Option<f64>,
}

/// Every parcel in use in the parks, for a year, with its geometry.
async fn performance_of(
    state: &AppState,
    parks: Vec<i64>,
    year: i32,
) -> Result<Vec<(MultiPolygon<f64>, chrono::NaiveDateTime, MuPerformance)>, ApiError> {
    let today = state.today();
    state
        .run_watching(move |c, m| {
            let mut out = Vec::new();
            for park_id in parks {
                let r = store::performance::evaluation(c, park_id, year, today)?;
                let query = WatchQuery {
                    park_id: Some(park_id),
                    ..Default::default()
                };
                for w in ops::land_watch::watch(c, m, &query, land_day(year, today))? {
                    let Some((s, _, holder)) = &w.supply else {
                        continue;
                    };
                    let e = s.enterprise_id;
                    let rating = r.evaluation.rated.iter().find(|x| x.enterprise_id == e);
                    let not_rated = r
                        .evaluation
                        .not_rated
                        .iter()
                        .find(|(id, _)| *id == e)
                        .map(|(_, why)| why);
                    let land_mu = m2_to_mu(r.land_m2.get(&e).copied().unwrap_or(0.0));
                    let figures = r.figures.get(&e);
                    let value = |i: Indicator| {
                        figures.and_then(|f| match i.value(f, land_mu) {
                            Reading::Value(v) => Some(round_to(v, 2)),
                            _ => None,
                        })
                    };
                    let area = AreaM2(w.parcel.area_m2);
                    let props = MuPerformance {
                        parcel_id: w.parcel.id,
                        parcel_code: w.parcel.code.clone(),
                        parcel_name: w.parcel.name.clone(),
                        park_id,
                        park_name: w.park_name.clone(),
                        zone_id: w.parcel.zone_id,
                        zone_name: w.zone_name.clone(),
                        area_m2: area.m2_display(),
                        area_mu: area.mu_display(),
                        enterprise_id: e,
                        enterprise_name: holder.clone(),
                        year,
                        class: rating.map(|x| x.class),
                        class_name: rating.map(|x| x.class.label_zh()),
                        score: rating.map(|x| x.score),
                        rank: rating.map(|x| x.rank),
                        not_rated_reason: not_rated.map(|why| why.zh.clone()),
                        not_rated_reason_en: not_rated.map(|why| why.en.clone()),
                        enterprise_land_mu: round_to(land_mu, 4),
                        tax_per_mu_wan: value(Indicator::TaxPerMu),
                        value_added_per_mu_wan: value(Indicator::ValueAddedPerMu),
                        value_added_per_tce_wan: value(Indicator::ValueAddedPerEnergy),
                        value_added_per_t_emission_wan: value(Indicator::ValueAddedPerEmission),
                        labour_productivity_wan: value(Indicator::LabourProductivity),
                        rd_share_pct: value(Indicator::RdShare),
                    };
                    out.push((w.parcel.geometry.clone(), w.parcel.updated.at, props));
                }
            }
            Ok(out)
        })
        .await
}

/// Parcels in use with their land user's 亩均 class for a year.
#[utoipa::path(
    tag = "ogc-api",
    operation_id = "get_mu_performance_items",
    params(ItemsQuery, YearParam, ClassFilters, CqlQuery),
    responses((status = 200, body = FeatureCollection<MuPerformance>, content_type = "application/geo+json", headers(("ETag" = String))), (status = 304, description = "Not modified"), ReadProblems)
)]
#[get("/collections/mu-performance/items")]
pub async fn performance_items(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    require_register(&caller)?;
    let params = ItemsParams::<YearParam, ClassFilters>::of_filtered(&req, &state.config)?;
    let filter = params
        .cql
        .read(queryables(CollectionId::MuPerformance).unwrap_or_default())?;
    let today = state.today();
    let year = scope::year(params.filters.year, today, today)?;
    let classes = params.more.class.clone();
    let parks = parks_of(&state, &caller, params.more.park_id).await?;
    let all = performance_of(&state, parks, year).await?;
    let doc = Page::new(&req, &state, CollectionId::MuPerformance, &params, 0);
    let written = state
        .compute(move || {
            let kept: Vec<_> = all
                .iter()
                .filter(|(g, at, p)| {
                    keep(g, *at, &params)
                        && classes
                            .as_ref()
                            .is_none_or(|c| p.class.is_some_and(|x| c.contains(&x)))
                        && filter.as_ref().is_none_or(|f| keep_filtered(f, p, g))
                })
                .collect();
            let (page, matched) = page_of(kept, &params);
            doc.matched(matched).write(
                page.into_iter()
                    .map(|(g, _, p)| Feature::new(p.parcel_id, g, p))
                    .collect(),
            )
        })
        .await?;
    written.respond(&req, GEOJSON)
}

/// One parcel of the 亩均 layer.
#[utoipa::path(
    tag = "ogc-api",
    operation_id = "get_mu_performance_item",
    params(("feature_id" = i64, Path, description = "Parcel id"), ItemQuery, YearParam),
    responses((status = 200, body = Feature<MuPerformance>, content_type = "application/geo+json", headers(("ETag" = String))), (status = 304, description = "Not modified"), ReadProblems)
)]
#[get("/collections/mu-performance/items/{feature_id}")]
pub async fn performance_item(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    require_register(&caller)?;
    let q = super::item_params::<YearParam>(&req)?;
    let raw = path.into_inner();
    let not_found = || {
        ApiError::not_found(format!(
            "there is no feature `{raw}` in mu-performance: no parcel of that id is in use in the year"
        ))
    };
    let id: i64 = raw.parse().map_err(|_| not_found())?;
    let scope = crate::api::http::access::authorize(
        &state,
        &caller,
        crate::api::http::access::Of::Parcel(id),
        crate::api::http::access::Need::ReadRegister,
    )
    .await?;
    let today = state.today();
    let year = scope::year(q.filters.year, today, today)?;
    let all = performance_of(&state, vec![scope.id], year).await?;
    let (g, _, p) = all
        .into_iter()
        .find(|(_, _, p)| p.parcel_id == id)
        .ok_or_else(not_found)?;
    super::feature_json(&req, Feature::new(id, &g, p), q.coordinates)
}

/// A candidate as map properties: flat, for desktop GIS (reasons as one text and a list of kinds).
#[derive(Serialize, ToSchema)]
pub struct CandidateProperties {
    #[serde(flatten)]
    pub candidate: CandidateView,
    pub park_id: i64,
    pub year: i32,
    /// The reasons' kinds, comma-separated (`idle_land,d_class`).
    pub reason_kinds: String,
    /// The reasons in words, `；`-separated.
    pub reasons_text: String,
}

async fn candidates_of(
    state: &AppState,
    parks: Vec<i64>,
    as_of: NaiveDate,
    year: i32,
) -> Result<
    Vec<(
        MultiPolygon<f64>,
        chrono::NaiveDateTime,
        CandidateProperties,
    )>,
    ApiError,
> {
    let mut out = Vec::new();
    for park_id in parks {
        let today = state.today();
        let p = state
            .run_watching(move |c, m| {
                crate::ops::renewal::picture(c, m, park_id, as_of, year, today)
            })
            .await?;
        for f in candidates(&p) {
            let kinds: Vec<String> = f
                .view
                .reasons
                .iter()
                .map(|r| {
                    serde_json::to_value(&r.reason)
                        .ok()
                        .and_then(|v| v["kind"].as_str().map(str::to_owned))
                        .unwrap_or_default()
                })
                .collect();
            let text: Vec<&str> = f
                .view
                .reasons
                .iter()
                .map(|r| r.description.as_str())
                .collect();
            out.push((
                f.geometry.clone(),
                f.updated,
                CandidateProperties {
                    reason_kinds: kinds.join(","),
                    reasons_text: text.join("；"),
                    park_id,
                    year,
                    candidate: f.view,
                },
            ));
        }
    }
    Ok(out)
}

/// 腾笼换鸟 candidates, ranked, on a day.
#[utoipa::path(
    tag = "ogc-api",
    operation_id = "get_renewal_candidate_items",
    params(ItemsQuery, DayAndYear, KindFilters, CqlQuery),
    responses((status = 200, body = FeatureCollection<CandidateProperties>, content_type = "application/geo+json", headers(("ETag" = String))), (status = 304, description = "Not modified"), ReadProblems)
)]
#[get("/collections/renewal-candidates/items")]
pub async fn candidate_items(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    require_register(&caller)?;
    let params = ItemsParams::<DayAndYear, KindFilters>::of_filtered(&req, &state.config)?;
    let filter = params
        .cql
        .read(queryables(CollectionId::RenewalCandidates).unwrap_or_default())?;
    let (as_of, year) = day_and_year(params.filters.as_of, params.filters.year, state.today())?;
    let kinds = params.more.kind.clone();
    let parks = parks_of(&state, &caller, params.more.park_id).await?;
    let all = candidates_of(&state, parks, as_of, year).await?;
    let doc = Page::new(&req, &state, CollectionId::RenewalCandidates, &params, 0);
    let written = state
        .compute(move || {
            let kept: Vec<_> = all
                .iter()
                .filter(|(g, at, p)| {
                    keep(g, *at, &params)
                        && kinds
                            .as_ref()
                            .is_none_or(|k| k.contains(&p.candidate.site.kind))
                        && filter.as_ref().is_none_or(|f| keep_filtered(f, p, g))
                })
                .collect();
            let (page, matched) = page_of(kept, &params);
            doc.matched(matched).write(
                page.into_iter()
                    .map(|(g, _, p)| {
                        Feature::named(FeatureId::Name(p.candidate.site.id.clone()), g, p)
                    })
                    .collect(),
            )
        })
        .await?;
    written.respond(&req, GEOJSON)
}

/// One candidate: `parcel-{id}` or `unit-{id}`.
#[utoipa::path(
    tag = "ogc-api",
    operation_id = "get_renewal_candidate_item",
    params(("feature_id" = String, Path, description = "`parcel-{id}` or `unit-{id}`"), ItemQuery, DayAndYear),
    responses((status = 200, body = Feature<CandidateProperties>, content_type = "application/geo+json", headers(("ETag" = String))), (status = 304, description = "Not modified"), ReadProblems)
)]
#[get("/collections/renewal-candidates/items/{feature_id}")]
pub async fn candidate_item(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    require_register(&caller)?;
    use crate::api::http::access::{Need, Of, authorize};
    let q = super::item_params::<DayAndYear>(&req)?;
    let raw = path.into_inner();
    let not_found = || {
        ApiError::not_found(format!(
            "there is no feature `{raw}` in renewal-candidates (ids are parcel-{{id}} and unit-{{id}} of current candidates)"
        ))
    };
    let of = match raw.split_once('-') {
        Some(("parcel", n)) => n.parse().map(Of::Parcel).map_err(|_| not_found())?,
        Some(("unit", n)) => n.parse().map(Of::Unit).map_err(|_| not_found())?,
        _ => return Err(not_found()),
    };
    let scope = authorize(&state, &caller, of, Need::ReadRegister).await?;
    let (as_of, year) = day_and_year(q.filters.as_of, q.filters.year, state.today())?;
    let all = candidates_of(&state, vec![scope.id], as_of, year).await?;
    let (g, _, p) = all
        .into_iter()
        .find(|(_, _, p)| p.candidate.site.id == raw)
        .ok_or_else(not_found)?;
    super::feature_json(
        &req,
        Feature::named(FeatureId::Name(raw.clone()), &g, p),
        q.coordinates,
    )
}
