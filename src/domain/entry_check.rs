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
//! On a named plot the plot's own planning conditions (规划条件) are criteria too — its land
//! use must be one the park's projects may use (`project_land_uses`: 工业用地 and 物流仓储用地
//! by default, so a 公园绿地 plot with a 容积率 cap of 0.1 takes no factory), and the plan must
//! keep within its 容积率 range, 建筑密度, 绿地率 and height limit. Each criterion names its
//! source: the plot, the zone, the park or the national control indicators.
//!
//! The last four need a building plan; without one they are not judged. A figure exactly at
//! its bound passes (≥, ≤). Figures are compared exactly, rounded for display only: 99.996
//! 万元/亩 is below a floor of 100 even though two decimals would show 100.00, and the verdict
//! then shows as many decimals as it takes to see why (99.996). Only floating-point noise
//! (a billionth of the bound) is forgiven, so a figure that is the bound is the bound.

use super::industry::IndustryCode;
use super::land_use;
use super::parcel::PlanningConditions;
use super::register::{Park, Zone};
use super::settings::{Settings, SettingsOverrides};
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
    /// Footprint of the buildings alone (建筑基底面积), for a plot's 建筑密度; without it the
    /// footprint of buildings, structures and yards stands in.
    #[serde(default)]
    pub building_base_m2: Option<f64>,
    /// The tallest building's height (建筑高度), m, for a plot's height limit.
    #[serde(default)]
    pub height_m: Option<f64>,
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
    /// The plot's land use fits a project (用地性质).
    PlotLandUse,
    /// The plot's 容积率 range.
    PlotFloorAreaRatio,
    /// The plot's 建筑密度 range.
    PlotBuildingDensity,
    /// The plot's 绿地率 range.
    PlotGreenRatio,
    /// The plot's height limit (建筑限高).
    PlotHeight,
}

/// Where a criterion's bound comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// The plot's planning conditions (规划条件).
    Plot,
    /// The zone's settings or industry positioning.
    Zone,
    /// The park's settings or industry positioning.
    Park,
    /// The national control indicators (《工业项目建设用地控制指标》) and parkland's defaults.
    National,
}

impl Source {
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Plot => "宗地规划条件",
            Self::Zone => "片区设置",
            Self::Park => "园区设置",
            Self::National => "国家控制指标",
        }
    }
}

/// Where each park-level bound of a check comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sources {
    pub intensity: Source,
    pub positioning: Source,
    pub far: Source,
    pub building_coefficient: Source,
    pub admin_living: Source,
    pub green: Source,
    pub land_uses: Source,
}

impl Default for Sources {
    fn default() -> Self {
        Self {
            intensity: Source::National,
            positioning: Source::Park,
            far: Source::National,
            building_coefficient: Source::National,
            admin_living: Source::National,
            green: Source::National,
            land_uses: Source::Park,
        }
    }
}

/// A plot's land use and planning conditions, as the check reads them.
#[derive(Debug, Clone, PartialEq)]
pub struct Plot {
    /// 用地用海分类 code.
    pub land_use: String,
    pub planning: PlanningConditions,
}

/// One criterion's verdict.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Criterion {
    pub key: CriterionKey,
    /// e.g. 投资强度.
    pub name: &'static str,
    /// Where the bound comes from: plot, zone, park or national.
    pub source: Source,
    /// e.g. 宗地规划条件.
    pub source_name: &'static str,
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
    /// The named plot, when the project is checked on one.
    pub plot: Option<Plot>,
    pub sources: Sources,
}

/// Floating-point noise around a bound: a billionth of it (at least 1e-12).
fn noise(bound: f64) -> f64 {
    (bound.abs() * 1e-9).max(1e-12)
}

fn at_least(actual: f64, required: f64) -> bool {
    actual >= required - noise(required)
}

fn at_most(actual: f64, limit: f64) -> bool {
    actual <= limit + noise(limit)
}

/// `actual` to two decimals, or to as many more (up to six) as it takes for the shown figure
/// to fall on the same side of `bound` as the exact one: a failing 99.996 is not shown as 100.
fn shown(actual: f64, bound: f64, minimum: bool) -> String {
    let passes = |v: f64| {
        if minimum {
            at_least(v, bound)
        } else {
            at_most(v, bound)
        }
    };
    let exact = passes(actual);
    let decimals = (2..=6)
        .find(|&d| passes(round_to(actual, d)) == exact)
        .unwrap_or(6);
    num(actual, decimals)
}

fn num(v: f64, decimals: i32) -> String {
    let r = round_to(v, decimals);
    if r.fract() == 0.0 {
        format!("{r:.0}")
    } else {
        format!("{r}")
    }
}

/// A criterion with its source.
fn criterion(key: CriterionKey, name: &'static str, source: Source) -> Criterion {
    Criterion {
        key,
        name,
        source,
        source_name: source.label_zh(),
        pass: None,
        required: String::new(),
        actual: "未提供建设方案".into(),
        required_value: None,
        actual_value: None,
    }
}

/// "≥ 1.2", "≤ 2.5", "1.2–2.5": a range of which either end may be open.
fn range_text(min: Option<f64>, max: Option<f64>, unit: &str) -> String {
    match (min, max) {
        (Some(lo), Some(hi)) => format!("{}{unit}–{}{unit}", num(lo, 2), num(hi, 2)),
        (Some(lo), None) => format!("≥ {}{unit}", num(lo, 2)),
        (None, Some(hi)) => format!("≤ {}{unit}", num(hi, 2)),
        (None, None) => String::new(),
    }
}

/// A figure against a range: inside it passes; the figure is shown with the decimals that
/// tell which side of the bound it failed.
fn in_range(
    mut c: Criterion,
    value: Option<f64>,
    min: Option<f64>,
    max: Option<f64>,
    unit: &str,
) -> Criterion {
    c.required = range_text(min, max, unit);
    c.required_value = min.or(max);
    let Some(v) = value else {
        return c;
    };
    let low = min.is_some_and(|m| !at_least(v, m));
    let high = max.is_some_and(|m| !at_most(v, m));
    let shown_v = match (low, high, min, max) {
        (true, _, Some(m), _) => shown(v, m, true),
        (_, true, _, Some(m)) => shown(v, m, false),
        _ => num(v, 2),
    };
    c.pass = Some(!(low || high));
    c.actual = format!("{shown_v}{unit}");
    c.actual_value = Some(v);
    c
}

/// Check a project against the settings and positioning in force where its land is, and on
/// a named plot against the plot's land use and planning conditions.
pub fn entry_check(
    input: &EntryInput,
    settings: &Settings,
    positioning: &[IndustryCode],
) -> EntryVerdict {
    let src = input.sources;
    let mu = m2_to_mu(input.site_area_m2);
    let mut criteria = Vec::new();
    let threshold = settings.min_investment_intensity_wan_per_mu;
    let intensity = (mu > 0.0).then(|| input.fixed_asset_investment_yuan as f64 / 10_000.0 / mu);
    criteria.push(Criterion {
        // A project in a leased workshop has no site of its own: not judged.
        pass: intensity.map(|i| at_least(i, threshold)),
        required: format!("≥ {} 万元/亩", num(threshold, 2)),
        actual: intensity.map_or_else(
            || "无用地面积".into(),
            |i| format!("{} 万元/亩", shown(i, threshold, true)),
        ),
        required_value: Some(threshold),
        actual_value: intensity,
        ..criterion(CriterionKey::InvestmentIntensity, "投资强度", src.intensity)
    });
    let fits = positioning.is_empty() || positioning.iter().any(|p| p.covers(&input.industry));
    let listed: Vec<String> = positioning
        .iter()
        .map(|p| format!("{} {}", p.as_str(), p.division_name()))
        .collect();
    criteria.push(Criterion {
        pass: Some(fits),
        required: if listed.is_empty() {
            "园区未设产业定位".into()
        } else {
            listed.join("、")
        },
        actual: format!(
            "{} {}",
            input.industry.as_str(),
            input.industry.division_name()
        ),
        ..criterion(
            CriterionKey::IndustryPositioning,
            "产业定位",
            src.positioning,
        )
    });
    let share = |part: f64| {
        if input.site_area_m2 > 0.0 {
            part / input.site_area_m2 * 100.0
        } else {
            0.0
        }
    };
    let plan = input.plan;
    let far = plan.map(|p| {
        if input.site_area_m2 > 0.0 {
            (p.floor_area_m2 + p.tall_storey_floor_area_m2) / input.site_area_m2
        } else {
            0.0
        }
    });
    let min_far = settings.min_far_for(&input.industry);
    let mut far_c = in_range(
        criterion(CriterionKey::FloorAreaRatio, "容积率", src.far),
        far.filter(|_| min_far.is_some()),
        min_far,
        None,
        "",
    );
    if min_far.is_none() {
        far_c.required = "该行业无下限要求".into();
        if let Some(f) = far {
            far_c.actual = num(f, 2);
            far_c.actual_value = Some(f);
        }
    }
    criteria.push(far_c);
    criteria.push(in_range(
        criterion(
            CriterionKey::BuildingCoefficient,
            "建筑系数",
            src.building_coefficient,
        ),
        plan.map(|p| share(p.building_footprint_m2)),
        Some(settings.min_building_coefficient_pct),
        None,
        "%",
    ));
    criteria.push(in_range(
        criterion(
            CriterionKey::AdminLivingShare,
            "行政办公及生活服务设施用地比例",
            src.admin_living,
        ),
        plan.map(|p| share(p.admin_living_land_m2)),
        None,
        Some(settings.max_admin_living_share_pct),
        "%",
    ));
    criteria.push(in_range(
        criterion(CriterionKey::GreenRatio, "绿地率", src.green),
        plan.map(|p| share(p.green_area_m2)),
        None,
        Some(settings.max_green_ratio_pct),
        "%",
    ));
    if let Some(plot) = &input.plot {
        criteria.extend(plot_criteria(plot, settings, src, plan, far, &share));
    }
    EntryVerdict {
        qualifies: criteria.iter().all(|c| c.pass != Some(false)),
        site_area_m2: round_to(input.site_area_m2, 2),
        site_area_mu: round_to(mu, 4),
        criteria,
    }
}

/// The criteria a named plot adds: its land use, and each planning condition it sets.
fn plot_criteria(
    plot: &Plot,
    settings: &Settings,
    src: Sources,
    plan: Option<BuildingPlan>,
    far: Option<f64>,
    share: &dyn Fn(f64) -> f64,
) -> Vec<Criterion> {
    let mut out = Vec::new();
    let fits = settings.fits_projects(&plot.land_use);
    let uses: Vec<String> = settings
        .project_land_uses
        .iter()
        .map(|c| format!("{c} {}", land_use::name_of(c)))
        .collect();
    out.push(Criterion {
        pass: Some(fits),
        required: uses.join("、"),
        actual: format!("{} {}", plot.land_use, land_use::name_of(&plot.land_use)),
        ..criterion(CriterionKey::PlotLandUse, "用地性质", src.land_uses)
    });
    let c = &plot.planning;
    let plot_c = |key, name| criterion(key, name, Source::Plot);
    let ranges = [
        (
            CriterionKey::PlotFloorAreaRatio,
            "容积率（规划条件）",
            far,
            (c.far_min, c.far_max),
            "",
        ),
        (
            CriterionKey::PlotBuildingDensity,
            "建筑密度（规划条件）",
            plan.map(|p| share(p.building_base_m2.unwrap_or(p.building_footprint_m2))),
            (c.building_density_min_pct, c.building_density_max_pct),
            "%",
        ),
        (
            CriterionKey::PlotGreenRatio,
            "绿地率（规划条件）",
            plan.map(|p| share(p.green_area_m2)),
            (c.green_ratio_min_pct, c.green_ratio_max_pct),
            "%",
        ),
    ];
    // A condition the plot does not set is no criterion.
    for (key, name, value, (min, max), unit) in ranges {
        if min.is_some() || max.is_some() {
            out.push(in_range(plot_c(key, name), value, min, max, unit));
        }
    }
    if let Some(max) = c.height_max_m {
        let mut h = in_range(
            plot_c(CriterionKey::PlotHeight, "建筑限高（规划条件）"),
            plan.and_then(|p| p.height_m),
            None,
            Some(max),
            " m",
        );
        if plan.is_some() && h.pass.is_none() {
            h.actual = "未提供建筑高度".into();
        }
        out.push(h);
    }
    out
}

/// Check a building plan's own figures: non-negative, within the site, consistent.
pub fn check_plan(p: &BuildingPlan, site_area_m2: f64) -> Result<(), Vec<super::FieldError>> {
    let mut e = Vec::new();
    let mut non_negative = |name: &str, v: f64, max: f64| {
        if !(v.is_finite() && v >= 0.0 && v <= max) {
            e.push(
                super::FieldError::new(
                    format!("plan.{name}"),
                    format!("must be 0 to {max:.0} m², got {v}"),
                )
                .zh(format!("须为 0 至 {max:.0} m²，收到 {v}")),
            );
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
    if let Some(base) = p.building_base_m2 {
        non_negative("building_base_m2", base, site_area_m2);
    }
    if let Some(h) = p.height_m
        && !(h.is_finite() && h > 0.0 && h <= 1_000.0)
    {
        e.push(
            super::FieldError::new(
                "plan.height_m",
                format!("must be more than 0 and at most 1000 m, got {h}"),
            )
            .zh(format!("须大于 0 且不超过 1000 米，收到 {h}")),
        );
    }
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
/// settings and industry positioning in force there (zone → park → default), and on a named
/// `plot` by its land use and planning conditions too.
pub fn check_at(
    park: &Park,
    zones: &[Zone],
    zone_id: Option<i64>,
    area_m2: f64,
    plot: Option<Plot>,
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
    // The layer a bound comes from: the zone's override, the park's, or the default.
    let from = |set: &dyn Fn(&SettingsOverrides) -> bool, default: Source| {
        if zone.is_some_and(|z| set(&z.settings)) {
            Source::Zone
        } else if set(&park.settings) {
            Source::Park
        } else {
            default
        }
    };
    let far_division = f.industry.division().to_owned();
    let sources = Sources {
        intensity: from(
            &|o| o.min_investment_intensity_wan_per_mu.is_some(),
            Source::National,
        ),
        positioning: if zone.is_some_and(|z| z.industries.is_some()) {
            Source::Zone
        } else {
            Source::Park
        },
        far: from(
            &|o| {
                o.min_far_by_industry
                    .as_ref()
                    .is_some_and(|m| m.contains_key(&far_division))
            },
            Source::National,
        ),
        building_coefficient: from(
            &|o| o.min_building_coefficient_pct.is_some(),
            Source::National,
        ),
        admin_living: from(
            &|o| o.max_admin_living_share_pct.is_some(),
            Source::National,
        ),
        green: from(&|o| o.max_green_ratio_pct.is_some(), Source::National),
        land_uses: from(&|o| o.project_land_uses.is_some(), Source::Park),
    };
    let input = EntryInput {
        industry: f.industry.clone(),
        fixed_asset_investment_yuan: f.fixed_asset_investment_yuan,
        site_area_m2: area_m2,
        plan: f.plan,
        plot,
        sources,
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
            plot: None,
            sources: Sources::default(),
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
            plot: None,
            sources: Sources::default(),
        };
        let v = entry_check(&i, &Settings::defaults(), &[]);
        assert_eq!(v.site_area_mu, 65.6614);
        let exact = v.criteria[0].actual_value.unwrap();
        assert!((exact - 182.7558).abs() < 5e-5, "{exact}");
        assert_eq!(v.criteria[0].actual, "182.76 万元/亩");
    }

    fn on_plot(land_use: &str, planning: PlanningConditions, plan: BuildingPlan) -> EntryVerdict {
        let i = EntryInput {
            plot: Some(Plot {
                land_use: land_use.into(),
                planning,
            }),
            ..input(9_000, 50.0, Some(plan))
        };
        entry_check(&i, &Settings::defaults(), &[])
    }

    fn criterion_of(v: &EntryVerdict, key: CriterionKey) -> &Criterion {
        v.criteria.iter().find(|c| c.key == key).unwrap()
    }

    /// A plan at 容积率 1.5, 建筑密度 40 %, 绿地率 15 %, 24 m high on 50 亩.
    fn plan_of(far: f64, density: f64, green: f64, height: f64) -> BuildingPlan {
        let site = mu_to_m2(50.0);
        BuildingPlan {
            floor_area_m2: site * far,
            tall_storey_floor_area_m2: 0.0,
            building_footprint_m2: site * 0.45,
            admin_living_land_m2: 0.0,
            green_area_m2: site * green / 100.0,
            building_base_m2: Some(site * density / 100.0),
            height_m: Some(height),
        }
    }

    /// 规划条件: a plan just outside each of the plot's conditions fails it, naming the plot as
    /// the source; just inside passes.
    #[test]
    fn the_plot_conditions_bind_the_plan() {
        let conditions = PlanningConditions {
            far_min: Some(1.2),
            far_max: Some(2.5),
            building_density_min_pct: Some(35.0),
            building_density_max_pct: Some(55.0),
            green_ratio_min_pct: Some(10.0),
            green_ratio_max_pct: Some(20.0),
            height_max_m: Some(30.0),
        };
        let ok = on_plot("100101", conditions, plan_of(1.5, 40.0, 15.0, 24.0));
        assert!(ok.qualifies, "{:?}", ok.criteria);
        let c = criterion_of(&ok, CriterionKey::PlotFloorAreaRatio);
        assert_eq!((c.source, c.required.as_str()), (Source::Plot, "1.2–2.5"));
        let cases = [
            (
                plan_of(1.19, 40.0, 15.0, 24.0),
                CriterionKey::PlotFloorAreaRatio,
            ),
            (
                plan_of(2.51, 40.0, 15.0, 24.0),
                CriterionKey::PlotFloorAreaRatio,
            ),
            (
                plan_of(1.5, 34.9, 15.0, 24.0),
                CriterionKey::PlotBuildingDensity,
            ),
            (
                plan_of(1.5, 55.1, 15.0, 24.0),
                CriterionKey::PlotBuildingDensity,
            ),
            (plan_of(1.5, 40.0, 9.9, 24.0), CriterionKey::PlotGreenRatio),
            (plan_of(1.5, 40.0, 20.1, 24.0), CriterionKey::PlotGreenRatio),
            (plan_of(1.5, 40.0, 15.0, 30.1), CriterionKey::PlotHeight),
        ];
        for (plan, key) in cases {
            let v = on_plot("100101", conditions, plan);
            assert_eq!(criterion_of(&v, key).pass, Some(false), "{key:?}");
            assert!(!v.qualifies, "{key:?}");
        }
        // At the bounds exactly: inside.
        let edge = on_plot("100101", conditions, plan_of(2.5, 55.0, 10.0, 30.0));
        assert!(edge.qualifies, "{:?}", edge.criteria);
        // No height in the plan: the height limit is not judged, and says why.
        let mut no_height = plan_of(1.5, 40.0, 15.0, 24.0);
        no_height.height_m = None;
        let v = on_plot("100101", conditions, no_height);
        let h = criterion_of(&v, CriterionKey::PlotHeight);
        assert_eq!((h.pass, h.actual.as_str()), (None, "未提供建筑高度"));
    }

    /// A factory on a park plot of 公园绿地 (容积率 cap 0.1) or on commercial land fails the
    /// land-use criterion whatever its figures; industrial and logistics land fit.
    #[test]
    fn the_plot_land_use_must_fit_the_project() {
        let plan = plan_of(1.5, 40.0, 15.0, 24.0);
        for (code, fits) in [
            ("1401", false),
            ("0901", false),
            ("1303", false),
            ("100102", true),
            ("1001", true),
            ("110101", true),
            ("1102", false),
        ] {
            let v = on_plot(code, PlanningConditions::default(), plan);
            let c = criterion_of(&v, CriterionKey::PlotLandUse);
            assert_eq!(c.pass, Some(fits), "{code}");
            assert_eq!(v.qualifies, fits, "{code}");
        }
        let park_green = PlanningConditions {
            far_max: Some(0.1),
            ..Default::default()
        };
        let v = on_plot("1401", park_green, plan);
        assert_eq!(
            criterion_of(&v, CriterionKey::PlotLandUse).source,
            Source::Park
        );
        assert_eq!(
            criterion_of(&v, CriterionKey::PlotFloorAreaRatio).pass,
            Some(false)
        );
        // Which uses fit is a park setting: a park that also takes 科研用地.
        let mut s = Settings::defaults();
        s.project_land_uses.push("0802".into());
        let i = EntryInput {
            plot: Some(Plot {
                land_use: "0802".into(),
                planning: PlanningConditions::default(),
            }),
            ..input(9_000, 50.0, Some(plan))
        };
        assert!(entry_check(&i, &s, &[]).qualifies);
    }

    /// Round for display only: 99.996 万元/亩 is under a floor of 100, although two decimals
    /// would show 100.00; the verdict shows the decimals that tell.
    #[test]
    fn thresholds_are_compared_exactly() {
        let s = Settings::defaults();
        // 4,999.8 万元 on 50 亩 is 99.996 万元/亩.
        let i = EntryInput {
            fixed_asset_investment_yuan: 49_998_000,
            ..input(0, 50.0, None)
        };
        let v = entry_check(&i, &s, &[]);
        let c = &v.criteria[0];
        assert_eq!(c.pass, Some(false), "99.996 < 100");
        assert_eq!(c.actual, "99.996 万元/亩");
        assert!((c.actual_value.unwrap() - 99.996).abs() < 1e-9);
        assert!(!v.qualifies);
        // A green ratio of 20.004 % is over a 20 % cap.
        let site = mu_to_m2(50.0);
        let plan = BuildingPlan {
            floor_area_m2: site,
            tall_storey_floor_area_m2: 0.0,
            building_footprint_m2: site * 0.3,
            admin_living_land_m2: 0.0,
            green_area_m2: site * 0.200_04,
            building_base_m2: None,
            height_m: None,
        };
        let v = entry_check(&input(9_000, 50.0, Some(plan)), &s, &[]);
        let green = v
            .criteria
            .iter()
            .find(|c| c.key == CriterionKey::GreenRatio)
            .unwrap();
        assert_eq!(
            (green.pass, green.actual.as_str()),
            (Some(false), "20.004%")
        );
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
            "园区未设产业定位"
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
            building_base_m2: None,
            height_m: None,
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
            building_base_m2: Some(40_000.0),
            height_m: Some(-3.0),
        };
        let fields: Vec<String> = check_plan(&p, 30_000.0)
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                "plan.floor_area_m2",
                "plan.building_footprint_m2",
                "plan.building_base_m2",
                "plan.height_m"
            ]
        );
    }
}
