//! The entry check (入园审查): does a project qualify for land in a park? One pure function over
//! the project's figures, the settings in force where the land is (zone → park → default) and
//! the industry positioning there; a verdict per criterion with what is required and what the
//! project has.
//!
//! | criterion | rule (defaults of `shared/domain.md`) |
//! |---|---|
//! | investment intensity | fixed-asset investment ÷ site area ≥ the threshold (100 万元/亩) |
//! | industry positioning | the project's GB/T 4754 code falls under the positioning in force |
//! | 容积率 | (floor area, storeys over 8 m counted twice) ÷ site area ≥ the industry minimum |
//! | 建筑系数 | building and structure footprint ÷ site area ≥ 30 % |
//! | offices and living | their land ÷ site area ≤ 7 % |
//! | green space | green area ÷ site area ≤ 20 % |
//!
//! The last four need a building plan; without one they are not judged. A figure exactly at
//! its bound passes (≥, ≤). Figures are judged as they are reported — to two decimals (容积率
//! 1.00, 建筑系数 30.00 %, 万元/亩 to the 0.01) — so a plan drawn from the displayed site area
//! is not failed by the site's thousandths of a m².

use super::industry::IndustryCode;
use super::register::{Park, Zone};
use super::settings::Settings;
use super::units::{m2_to_mu, round_to};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A building plan's figures (总平面图指标), m².
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BuildingPlan {
    /// Total floor area (总建筑面积).
    pub floor_area_m2: f64,
    /// Floor area of storeys higher than 8 m, counted twice in 容积率.
    #[serde(default)]
    pub tall_storey_floor_area_m2: f64,
    /// Footprint of buildings and structures, plus storage yards (建筑物、构筑物及堆场占地).
    pub building_footprint_m2: f64,
    /// Land for offices and living facilities (行政办公及生活服务设施用地).
    #[serde(default)]
    pub admin_living_land_m2: f64,
    /// Green space (绿地面积).
    #[serde(default)]
    pub green_area_m2: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CriterionKey {
    InvestmentIntensity,
    IndustryPositioning,
    FloorAreaRatio,
    BuildingCoefficient,
    AdminLivingShare,
    GreenRatio,
}

/// One criterion's verdict.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Criterion {
    pub key: CriterionKey,
    /// e.g. 投资强度.
    pub name: &'static str,
    /// `true` passes, `false` fails; `null` not judged (no building plan, no minimum).
    pub pass: Option<bool>,
    /// The bound, e.g. `≥ 150 万元/亩`.
    pub required: String,
    /// The project's figure, e.g. `183.2 万元/亩`.
    pub actual: String,
    /// The numbers behind them, when numeric.
    pub required_value: Option<f64>,
    pub actual_value: Option<f64>,
}

/// The verdict of the whole check.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct EntryVerdict {
    /// Every judged criterion passes.
    pub qualifies: bool,
    pub site_area_m2: f64,
    pub site_area_mu: f64,
    pub criteria: Vec<Criterion>,
}

/// What the check reads about the project.
#[derive(Debug, Clone)]
pub struct EntryInput {
    pub industry: IndustryCode,
    /// 固定资产投资, whole 元.
    pub fixed_asset_investment_yuan: i64,
    pub site_area_m2: f64,
    pub plan: Option<BuildingPlan>,
}

/// A figure as reported, to two decimals.
fn reported(v: f64) -> f64 {
    round_to(v, 2)
}

fn at_least(actual: f64, required: f64) -> bool {
    reported(actual) >= required
}

fn at_most(actual: f64, limit: f64) -> bool {
    reported(actual) <= limit
}

fn num(v: f64, decimals: i32) -> String {
    let r = round_to(v, decimals);
    if r.fract() == 0.0 {
        format!("{r:.0}")
    } else {
        format!("{r}")
    }
}

/// Check a project against the settings and positioning in force where its land is.
pub fn entry_check(
    input: &EntryInput,
    settings: &Settings,
    positioning: &[IndustryCode],
) -> EntryVerdict {
    let mu = m2_to_mu(input.site_area_m2);
    let mut criteria = Vec::new();
    let threshold = settings.min_investment_intensity_wan_per_mu;
    let intensity = (mu > 0.0).then(|| input.fixed_asset_investment_yuan as f64 / 10_000.0 / mu);
    criteria.push(Criterion {
        key: CriterionKey::InvestmentIntensity,
        name: "投资强度",
        // A project in a leased workshop has no site of its own: not judged.
        pass: intensity.map(|i| at_least(i, threshold)),
        required: format!("≥ {} 万元/亩", num(threshold, 2)),
        actual: intensity.map_or_else(
            || "no land area".into(),
            |i| format!("{} 万元/亩", num(i, 2)),
        ),
        required_value: Some(threshold),
        actual_value: intensity.map(|i| round_to(i, 4)),
    });
    let fits = positioning.is_empty() || positioning.iter().any(|p| p.covers(&input.industry));
    let listed: Vec<String> = positioning
        .iter()
        .map(|p| format!("{} {}", p.as_str(), p.division_name()))
        .collect();
    criteria.push(Criterion {
        key: CriterionKey::IndustryPositioning,
        name: "产业定位",
        pass: Some(fits),
        required: if listed.is_empty() {
            "no positioning set".into()
        } else {
            listed.join("、")
        },
        actual: format!(
            "{} {}",
            input.industry.as_str(),
            input.industry.division_name()
        ),
        required_value: None,
        actual_value: None,
    });
    let share = |part: f64| {
        if input.site_area_m2 > 0.0 {
            part / input.site_area_m2 * 100.0
        } else {
            0.0
        }
    };
    let not_judged = |key, name, required: String| Criterion {
        key,
        name,
        pass: None,
        required,
        actual: "no building plan given".into(),
        required_value: None,
        actual_value: None,
    };
    let min_far = settings.min_far_for(&input.industry);
    match input.plan {
        None => {
            let far_required = min_far.map_or_else(
                || "no minimum for this industry".into(),
                |f| format!("≥ {}", num(f, 2)),
            );
            criteria.push(not_judged(
                CriterionKey::FloorAreaRatio,
                "容积率",
                far_required,
            ));
            criteria.push(not_judged(
                CriterionKey::BuildingCoefficient,
                "建筑系数",
                format!("≥ {}%", num(settings.min_building_coefficient_pct, 2)),
            ));
            criteria.push(not_judged(
                CriterionKey::AdminLivingShare,
                "行政办公及生活服务设施用地比例",
                format!("≤ {}%", num(settings.max_admin_living_share_pct, 2)),
            ));
            criteria.push(not_judged(
                CriterionKey::GreenRatio,
                "绿地率",
                format!("≤ {}%", num(settings.max_green_ratio_pct, 2)),
            ));
        }
        Some(p) => {
            let far = if input.site_area_m2 > 0.0 {
                (p.floor_area_m2 + p.tall_storey_floor_area_m2) / input.site_area_m2
            } else {
                0.0
            };
            criteria.push(Criterion {
                key: CriterionKey::FloorAreaRatio,
                name: "容积率",
                pass: min_far.map(|m| at_least(far, m)),
                required: min_far.map_or_else(
                    || "no minimum for this industry".into(),
                    |m| format!("≥ {}", num(m, 2)),
                ),
                actual: num(far, 2),
                required_value: min_far,
                actual_value: Some(round_to(far, 4)),
            });
            let ratio = |key, name, value: f64, bound: f64, minimum: bool| Criterion {
                key,
                name,
                pass: Some(if minimum {
                    at_least(value, bound)
                } else {
                    at_most(value, bound)
                }),
                required: format!("{} {}%", if minimum { "≥" } else { "≤" }, num(bound, 2)),
                actual: format!("{}%", num(value, 2)),
                required_value: Some(bound),
                actual_value: Some(round_to(value, 4)),
            };
            criteria.push(ratio(
                CriterionKey::BuildingCoefficient,
                "建筑系数",
                share(p.building_footprint_m2),
                settings.min_building_coefficient_pct,
                true,
            ));
            criteria.push(ratio(
                CriterionKey::AdminLivingShare,
                "行政办公及生活服务设施用地比例",
                share(p.admin_living_land_m2),
                settings.max_admin_living_share_pct,
                false,
            ));
            criteria.push(ratio(
                CriterionKey::GreenRatio,
                "绿地率",
                share(p.green_area_m2),
                settings.max_green_ratio_pct,
                false,
            ));
        }
    }
    EntryVerdict {
        qualifies: criteria.iter().all(|c| c.pass != Some(false)),
        site_area_m2: round_to(input.site_area_m2, 2),
        site_area_mu: round_to(mu, 4),
        criteria,
    }
}

/// Check a building plan's own figures: non-negative, within the site, consistent.
pub fn check_plan(p: &BuildingPlan, site_area_m2: f64) -> Result<(), Vec<super::FieldError>> {
    let mut e = Vec::new();
    let mut non_negative = |name: &str, v: f64, max: f64| {
        if !(v.is_finite() && v >= 0.0 && v <= max) {
            e.push(super::FieldError::new(
                format!("plan.{name}"),
                format!("must be 0 to {max:.0} m², got {v}"),
            ));
        }
    };
    non_negative("floor_area_m2", p.floor_area_m2, site_area_m2 * 20.0);
    non_negative(
        "tall_storey_floor_area_m2",
        p.tall_storey_floor_area_m2,
        p.floor_area_m2.max(0.0),
    );
    non_negative(
        "building_footprint_m2",
        p.building_footprint_m2,
        site_area_m2,
    );
    non_negative("admin_living_land_m2", p.admin_living_land_m2, site_area_m2);
    non_negative("green_area_m2", p.green_area_m2, site_area_m2);
    if e.is_empty() { Ok(()) } else { Err(e) }
}

/// The smallest and largest site an entry check considers, in 亩: a hundredth of a 亩 is the
/// precision areas are given to; 100,000 亩 is beyond any single project.
pub const MIN_SITE_MU: f64 = 0.01;
pub const MAX_SITE_MU: f64 = 100_000.0;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::settings::SettingsOverrides;
    use crate::domain::units::mu_to_m2;

    fn code(c: &str) -> IndustryCode {
        IndustryCode::parse("i", c).unwrap()
    }

    fn input(fai_wan: i64, mu: f64, plan: Option<BuildingPlan>) -> EntryInput {
        EntryInput {
            industry: code("3911"),
            fixed_asset_investment_yuan: fai_wan * 10_000,
            site_area_m2: mu_to_m2(mu),
            plan,
        }
    }

    fn verdict_of(v: &EntryVerdict, key: CriterionKey) -> Option<bool> {
        v.criteria
            .iter()
            .find(|c| c.key == key)
            .and_then(|c| c.pass)
    }

    #[test]
    fn intensity_at_the_threshold_and_its_precedence() {
        let defaults = Settings::defaults();
        // 50 亩: 5000 万元 is exactly 100 万元/亩.
        let v = entry_check(&input(5_000, 50.0, None), &defaults, &[]);
        assert_eq!(
            verdict_of(&v, CriterionKey::InvestmentIntensity),
            Some(true)
        );
        assert_eq!(v.criteria[0].actual, "100 万元/亩");
        let v = entry_check(&input(4_999, 50.0, None), &defaults, &[]);
        assert_eq!(
            verdict_of(&v, CriterionKey::InvestmentIntensity),
            Some(false)
        );
        assert!(!v.qualifies);
        // A park at 150, a zone at 250: the zone's bar applies.
        let park = SettingsOverrides {
            min_investment_intensity_wan_per_mu: Some(150.0),
            ..Default::default()
        };
        let zone = SettingsOverrides {
            min_investment_intensity_wan_per_mu: Some(250.0),
            ..Default::default()
        };
        let in_zone = Settings::resolve([&park, &zone]);
        assert_eq!(
            verdict_of(
                &entry_check(&input(12_000, 50.0, None), &in_zone, &[]),
                CriterionKey::InvestmentIntensity
            ),
            Some(false),
            "240 < 250"
        );
        let in_park = Settings::resolve([&park]);
        assert_eq!(
            verdict_of(
                &entry_check(&input(12_000, 50.0, None), &in_park, &[]),
                CriterionKey::InvestmentIntensity
            ),
            Some(true),
            "240 ≥ 150"
        );
    }

    #[test]
    fn real_areas_from_square_metres() {
        // 43,774.27 m² is 65.6614 亩; 1.2 亿元 there is 182.76 万元/亩.
        let i = EntryInput {
            industry: code("3911"),
            fixed_asset_investment_yuan: 120_000_000,
            site_area_m2: 43_774.27,
            plan: None,
        };
        let v = entry_check(&i, &Settings::defaults(), &[]);
        assert_eq!(v.site_area_mu, 65.6614);
        assert_eq!(v.criteria[0].actual_value, Some(182.7558));
    }

    #[test]
    fn positioning_covers_finer_codes() {
        let s = Settings::defaults();
        assert_eq!(
            verdict_of(
                &entry_check(&input(9_000, 50.0, None), &s, &[code("C39"), code("38")]),
                CriterionKey::IndustryPositioning
            ),
            Some(true)
        );
        assert_eq!(
            verdict_of(
                &entry_check(&input(9_000, 50.0, None), &s, &[code("27")]),
                CriterionKey::IndustryPositioning
            ),
            Some(false)
        );
        assert_eq!(
            verdict_of(
                &entry_check(&input(9_000, 50.0, None), &s, &[]),
                CriterionKey::IndustryPositioning
            ),
            Some(true),
            "no positioning set"
        );
    }

    #[test]
    fn the_control_indicators_at_their_bounds() {
        let s = Settings::defaults();
        let site = mu_to_m2(50.0);
        let plan = |floor: f64, tall: f64, footprint: f64, admin: f64, green: f64| BuildingPlan {
            floor_area_m2: floor,
            tall_storey_floor_area_m2: tall,
            building_footprint_m2: footprint,
            admin_living_land_m2: admin,
            green_area_m2: green,
        };
        // Exactly at every bound: 容积率 1.0 (electronics), 30 %, 7 %, 20 %.
        let exact = plan(site, 0.0, site * 0.30, site * 0.07, site * 0.20);
        let v = entry_check(&input(9_000, 50.0, Some(exact)), &s, &[]);
        for key in [
            CriterionKey::FloorAreaRatio,
            CriterionKey::BuildingCoefficient,
            CriterionKey::AdminLivingShare,
            CriterionKey::GreenRatio,
        ] {
            assert_eq!(verdict_of(&v, key), Some(true), "{key:?} at its bound");
        }
        assert!(v.qualifies);
        // Just beyond each bound.
        let beyond = plan(site * 0.99, 0.0, site * 0.299, site * 0.0701, site * 0.2001);
        let v = entry_check(&input(9_000, 50.0, Some(beyond)), &s, &[]);
        for key in [
            CriterionKey::FloorAreaRatio,
            CriterionKey::BuildingCoefficient,
            CriterionKey::AdminLivingShare,
            CriterionKey::GreenRatio,
        ] {
            assert_eq!(verdict_of(&v, key), Some(false), "{key:?} beyond its bound");
        }
        // Storeys over 8 m count twice: 0.6 + 0.4 tall = 1.0.
        let tall = plan(site * 0.6, site * 0.4, site * 0.4, 0.0, 0.0);
        assert_eq!(
            verdict_of(
                &entry_check(&input(9_000, 50.0, Some(tall)), &s, &[]),
                CriterionKey::FloorAreaRatio
            ),
            Some(true)
        );
        // Software has no industrial minimum.
        let soft = EntryInput {
            industry: code("6510"),
            ..input(9_000, 50.0, Some(exact))
        };
        assert_eq!(
            verdict_of(&entry_check(&soft, &s, &[]), CriterionKey::FloorAreaRatio),
            None
        );
        assert_eq!(
            verdict_of(
                &entry_check(&input(9_000, 50.0, None), &s, &[]),
                CriterionKey::GreenRatio
            ),
            None,
            "no plan"
        );
    }

    #[test]
    fn plans_must_fit_their_site() {
        let p = BuildingPlan {
            floor_area_m2: -1.0,
            tall_storey_floor_area_m2: 0.0,
            building_footprint_m2: 50_000.0,
            admin_living_land_m2: 0.0,
            green_area_m2: 0.0,
        };
        let fields: Vec<String> = check_plan(&p, 30_000.0)
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["plan.floor_area_m2", "plan.building_footprint_m2"]);
    }
}
