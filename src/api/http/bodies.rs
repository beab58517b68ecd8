//! Request bodies read by more than one resource: the entry check's figures are what an
//! application, a site-matching request and the entry check itself all give.

use crate::api::http::input::check;
use crate::domain::FieldError;
use crate::domain::entry_check::{BuildingPlan, Figures, MAX_SITE_MU, MIN_SITE_MU, Site};
use crate::domain::industry::IndustryCode;
use crate::domain::project::wan_to_yuan;
use crate::domain::units::mu_to_m2;
use crate::error::ApiError;
use serde::Deserialize;
use utoipa::ToSchema;

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
            ).zh("选定地块时，园区和面积以地块为准：请不要再填写 park_id 和 land_area_mu"));
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
            ).zh(format!("用地面积须为 {MIN_SITE_MU} 至 {MAX_SITE_MU} 亩（6.67 m² 至 66.7 km²），收到 {mu}")));
            None
        }
        (None, Some(_), None) => {
            e.push(
                FieldError::new(
                    "land_area_mu",
                    "give the site area in 亩 (or a plot's parcel_id)",
                )
                .zh("请填写用地面积（亩），或选定一个地块（parcel_id）"),
            );
            None
        }
        (None, None, _) => {
            e.push(
                FieldError::new(
                    "parcel_id",
                    "name an available plot (parcel_id) or a park (park_id with land_area_mu)",
                )
                .zh("请选定一个可供地块（parcel_id），或一个园区（park_id 加 land_area_mu）"),
            );
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
