//! The public view: plots available for projects (可供应地块), for anyone — applicants checking
//! which plots exist before they travel, and public web maps.
//!
//! Only public facts are shown: where a plot is, its size, land use, planning conditions and
//! infrastructure, and the thresholds and industry positioning in force there. Nothing about
//! who holds land, money, or parcels in any other status.

use super::CollectionId;
use crate::api::http::params::items::{ItemQuery, ItemsParams, ItemsQuery};
use crate::api::http::params::{NoParams, de};
use crate::api::{AppState, GEOJSON};
use crate::domain::industry::IndustryCode;
use crate::domain::land_use;
use crate::domain::parcel::{ParcelStatus, PlanningConditions};
use crate::domain::register::{Parcel, Park, Zone};
use crate::domain::settings::Settings;
use crate::domain::units::AreaM2;
use crate::error::{ApiError, ReadProblems};
use crate::store;
use crate::store::parcels::ParcelQuery;
use crate::views::{Feature, FeatureCollection, IndustryView, industries};
use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa::{IntoParams, ToSchema};

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(plot_items)
        .service(plot_item)
        .service(park_plots);
}

/// What an applicant searches the available plots by.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PlotFilters {
    /// Only this park's plots.
    #[serde(default, deserialize_with = "de::id")]
    pub park_id: Option<i64>,
    /// Only this zone's plots.
    #[serde(default, deserialize_with = "de::id")]
    pub zone_id: Option<i64>,
    /// Land-use class; matches its subclasses.
    #[serde(default, deserialize_with = "de::land_use_class")]
    pub land_use: Option<String>,
    /// Exact plot code.
    pub code: Option<String>,
    /// At least this many 亩.
    #[serde(default, deserialize_with = "area_mu")]
    pub min_area_mu: Option<f64>,
    /// At most this many 亩.
    #[serde(default, deserialize_with = "area_mu")]
    pub max_area_mu: Option<f64>,
    /// A project's GB/T 4754 industry: plots whose positioning covers it.
    #[serde(default, deserialize_with = "industry")]
    #[param(value_type = Option<String>)]
    pub industry: Option<IndustryCode>,
    /// Comma-separated infrastructure keys that must all be in place (e.g. power,water_supply).
    #[serde(default, deserialize_with = "keys")]
    #[param(value_type = Option<String>)]
    pub infrastructure: Option<Vec<String>>,
    /// Only levelled (true) or unlevelled (false) sites.
    #[serde(default, deserialize_with = "de::yes_no")]
    pub site_levelled: Option<bool>,
}

fn area_mu<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    let v = String::deserialize(d)?;
    v.trim()
        .parse::<f64>()
        .ok()
        .filter(|x| x.is_finite() && *x >= 0.0)
        .map(Some)
        .ok_or_else(|| {
            serde::de::Error::custom(format!("{{name}} must be a number of 亩 ≥ 0, got `{v}`"))
        })
}

fn industry<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<IndustryCode>, D::Error> {
    let v = String::deserialize(d)?;
    IndustryCode::parse("industry", &v)
        .map(Some)
        .map_err(|e| serde::de::Error::custom(e.message))
}

fn keys<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
    let v = String::deserialize(d)?;
    Ok(Some(
        v.split(',')
            .map(|k| k.trim().to_owned())
            .filter(|k| !k.is_empty())
            .collect(),
    ))
}

/// What an applicant searches by, besides place and land use.
#[derive(Debug, Clone, Default)]
struct Search {
    min_mu: Option<f64>,
    max_mu: Option<f64>,
    /// The project's industry: plots whose positioning covers it (or that set none).
    industry: Option<IndustryCode>,
    /// Infrastructure keys that must all be in place.
    infrastructure: Vec<String>,
    site_levelled: Option<bool>,
}

impl Search {
    fn of(f: &PlotFilters) -> Self {
        Search {
            min_mu: f.min_area_mu,
            max_mu: f.max_area_mu,
            industry: f.industry.clone(),
            infrastructure: f.infrastructure.clone().unwrap_or_default(),
            site_levelled: f.site_levelled,
        }
    }

    /// A key no park tracks would silently match nothing: say which keys there are.
    fn check_infrastructure(
        &self,
        known: &std::collections::BTreeSet<String>,
    ) -> Result<(), ApiError> {
        match self.infrastructure.iter().find(|k| !known.contains(*k)) {
            Some(unknown) => Err(ApiError::invalid_parameter(format!(
                "infrastructure: `{unknown}` is not an item any park tracks; the items are {}",
                known.iter().cloned().collect::<Vec<_>>().join(", ")
            ))
            .zh(format!(
                "infrastructure：`{unknown}` 不是任何园区登记的基础设施项；可选项为 {}",
                known.iter().cloned().collect::<Vec<_>>().join("、")
            ))),
            None => Ok(()),
        }
    }

    fn keeps(&self, p: &PlotProperties<'_>) -> bool {
        let fits = self.industry.as_ref().is_none_or(|code| {
            p.industries.is_empty()
                || p.industries
                    .iter()
                    .any(|i| IndustryCode::parse("", &i.code).is_ok_and(|c| c.covers(code)))
        });
        self.min_mu.is_none_or(|m| p.area_mu >= m)
            && self.max_mu.is_none_or(|m| p.area_mu <= m)
            && fits
            && self
                .infrastructure
                .iter()
                .all(|k| p.infrastructure.contains(k))
            && self.site_levelled.is_none_or(|l| p.site_levelled == l)
    }
}

/// A plot as the public sees it.
#[derive(Serialize, ToSchema)]
pub struct PlotProperties<'a> {
    pub park_id: i64,
    pub park_name: &'a str,
    pub zone_id: Option<i64>,
    pub zone_name: Option<&'a str>,
    /// The plot's code (宗地代码).
    pub code: &'a str,
    pub name: &'a str,
    /// Location description (坐落).
    pub location: &'a str,
    pub land_use: &'a str,
    pub land_use_name: &'static str,
    pub area_m2: f64,
    pub area_mu: f64,
    /// Planning conditions (规划条件): 容积率, 建筑密度 and 绿地率 ranges, 建筑限高.
    #[serde(flatten)]
    pub planning: PlanningConditions,
    /// Infrastructure in place (the park's keys, 七通 by default).
    pub infrastructure: &'a [String],
    pub site_levelled: bool,
    /// The minimum investment intensity a project needs here, 万元/亩 (zone → park → default).
    pub min_investment_intensity_wan_per_mu: f64,
    /// The industry positioning in force here (the zone's, else the park's).
    pub industries: Vec<IndustryView>,
}

/// The parks and zones a plot's view draws on.
pub struct Places {
    parks: HashMap<i64, Park>,
    zones: HashMap<i64, Zone>,
}

impl Places {
    /// Every infrastructure key some park or zone tracks (七通 by default).
    pub fn infrastructure_keys(&self) -> std::collections::BTreeSet<String> {
        let mut keys: std::collections::BTreeSet<String> =
            crate::domain::parcel::default_infrastructure_items()
                .into_iter()
                .map(|i| i.key)
                .collect();
        let configured = self
            .parks
            .values()
            .map(|p| &p.settings)
            .chain(self.zones.values().map(|z| &z.settings));
        for settings in configured {
            if let Some(items) = &settings.infrastructure_items {
                keys.extend(items.iter().map(|i| i.key.clone()));
            }
        }
        keys
    }

    pub fn load(conn: &mut store::AnyConnection) -> store::StoreResult<Places> {
        Ok(Places {
            parks: store::parks::list(conn)?
                .into_iter()
                .map(|p| (p.id, p))
                .collect(),
            zones: store::zones::list(conn)?
                .into_iter()
                .map(|z| (z.id, z))
                .collect(),
        })
    }

    /// The plot an investor is offered on an available parcel: `None` for a parcel whose land
    /// use no project may use there (park green space, commercial land, a substation's plot
    /// are available in the register but are not industrial land; `project_land_uses`, per
    /// park or zone, says which uses are — 工业 and 物流仓储 by default).
    pub fn plot<'a>(&'a self, p: &'a Parcel) -> Option<Feature<'a, PlotProperties<'a>>> {
        let park = self.parks.get(&p.park_id)?;
        let zone = p.zone_id.and_then(|id| self.zones.get(&id));
        let settings =
            Settings::resolve(std::iter::once(&park.settings).chain(zone.map(|z| &z.settings)));
        if !settings.fits_projects(&p.land_use) {
            return None;
        }
        let positioning = zone
            .and_then(|z| z.industries.as_deref())
            .unwrap_or(&park.industries);
        let area = AreaM2(p.area_m2);
        Some(Feature::new(
            p.id,
            &p.geometry,
            PlotProperties {
                park_id: park.id,
                park_name: &park.name,
                zone_id: zone.map(|z| z.id),
                zone_name: zone.map(|z| z.name.as_str()),
                code: &p.code,
                name: &p.name,
                location: &p.location,
                land_use: &p.land_use,
                land_use_name: land_use::name_of(&p.land_use),
                area_m2: area.m2_display(),
                area_mu: area.mu_display(),
                planning: p.planning,
                infrastructure: &p.infrastructure,
                site_levelled: p.site_levelled,
                min_investment_intensity_wan_per_mu: settings.min_investment_intensity_wan_per_mu,
                industries: industries(positioning),
            },
        ))
    }
}

fn available(mut q: ParcelQuery) -> ParcelQuery {
    q.statuses = Some(vec![ParcelStatus::Available]);
    q
}

/// The plots available for projects. Public.
#[utoipa::path(
    tag = "ogc-api",
    operation_id = "get_plot_items",
    security(()),
    params(ItemsQuery, PlotFilters, crate::api::http::params::cql::CqlQuery),
    responses((status = 200, body = FeatureCollection<PlotProperties>, content_type = "application/geo+json", headers(("ETag" = String))), (status = 304, description = "Not modified"), ReadProblems)
)]
#[get("/collections/available-plots/items")]
pub async fn plot_items(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let params = ItemsParams::<PlotFilters>::of_filtered(&req, &state.config)?;
    let (updated_from, updated_to) = params.datetime.unwrap_or((None, None));
    let f = &params.filters;
    let filter = params.cql.read(crate::store::cql::PLOT_QUERYABLES)?;
    let query = available(ParcelQuery {
        filter,
        park_id: f.park_id,
        zone_id: f.zone_id,
        land_use: f.land_use.clone(),
        code: f.code.clone(),
        bbox: params.bbox,
        updated_from,
        updated_to,
        ..Default::default()
    });
    let search = Search::of(&params.filters);
    // The offered plots are few (a park's hundreds at most): the search filters run in memory
    // on the public view, then the page is cut.
    let (all, places) = state
        .run(move |c| Ok((store::parcels::all(c, &query)?, Places::load(c)?)))
        .await?;
    search.check_infrastructure(&places.infrastructure_keys())?;
    let doc = super::page::Page::new(&req, &state, CollectionId::Plots, &params, 0);
    let written = state
        .compute(move || {
            let found: Vec<_> = all
                .iter()
                .filter_map(|p| places.plot(p))
                .filter(|f| search.keeps(&f.properties))
                .collect();
            let (page, matched) = super::page::page_of(found, &params);
            doc.matched(matched).write(page)
        })
        .await?;
    written.respond(&req, GEOJSON)
}

/// One available plot. Public; a parcel that is not available is not found here.
#[utoipa::path(
    tag = "ogc-api",
    operation_id = "get_plot_item",
    security(()),
    params(("feature_id" = i64, Path, description = "Plot (parcel) id"), ItemQuery),
    responses((status = 200, body = Feature<PlotProperties>, content_type = "application/geo+json", headers(("ETag" = String))), (status = 304, description = "Not modified"), ReadProblems)
)]
#[get("/collections/available-plots/items/{feature_id}")]
pub async fn plot_item(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let p = super::item_params::<NoParams>(&req)?;
    let raw = path.into_inner();
    let not_found = || ApiError::not_found(format!("there is no available plot `{raw}`"));
    let id: i64 = raw.parse().map_err(|_| not_found())?;
    let found = state
        .run(move |c| match store::parcels::get(c, id) {
            Ok(p) if p.status == ParcelStatus::Available => Ok(Some((p, Places::load(c)?))),
            Ok(_) | Err(store::StoreError::NotFound(_)) => Ok(None),
            Err(e) => Err(e),
        })
        .await?;
    let Some((parcel, places)) = found else {
        return Err(not_found());
    };
    let feature = places.plot(&parcel).ok_or_else(not_found)?;
    super::feature_json(&req, feature, p.coordinates)
}

/// The available plots of one park (the public view, without paging).
#[utoipa::path(
    tag = "parks",
    operation_id = "list_available_plots",
    security(()),
    params(("park_id" = i64, Path, description = "Park id"), NoParams),
    responses((status = 200, body = FeatureCollection<PlotProperties>, content_type = "application/geo+json"), ReadProblems)
)]
#[get("/api/parks/{park_id}/available-plots")]
pub async fn park_plots(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    crate::api::http::params::read::<NoParams>(req.query_string())?;
    let park_id = path.into_inner();
    let query = available(ParcelQuery {
        park_id: Some(park_id),
        ..Default::default()
    });
    let (parcels, places) = state
        .run(move |c| {
            store::parks::get(c, park_id)?;
            Ok((store::parcels::all(c, &query)?, Places::load(c)?))
        })
        .await?;
    let written = state
        .compute(move || {
            let body =
                FeatureCollection::new(parcels.iter().filter_map(|p| places.plot(p)).collect());
            super::Written::plain(&body)
        })
        .await?;
    written.respond(&req, GEOJSON)
}
