//! Per-park and per-zone settings: the investment-intensity threshold, the national control
//! indicators of 《工业项目建设用地控制指标》, geometry tolerance and the infrastructure list.
//!
//! A park stores only the values it overrides, a zone only what it overrides of its park;
//! [`Settings::resolve`] layers zone → park → the defaults of `shared/domain.md`. Later rules
//! (idle-land clock, workshop deadlines, 亩均 weights) add their limits here the same way.

use super::FieldError;
use super::industry::IndustryCode;
use super::parcel::{InfrastructureItem, default_infrastructure_items};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// The fixed-asset investment thresholds (万元) a park reports by when none are set: the
/// seeds' "固定资产投资500万元以上 …, 其中亿元以上 …, 5000万元 …, 3000万元 …".
pub const DEFAULT_SIZE_BANDS_WAN: [u32; 4] = [500, 3_000, 5_000, 10_000];

/// What a park or zone overrides; every absent field is inherited.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingsOverrides {
    /// Minimum investment intensity (投资强度) a project needs, 万元 per 亩. Default 100.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_investment_intensity_wan_per_mu: Option<f64>,
    /// Minimum building coefficient (建筑系数), percent. Default 30.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_building_coefficient_pct: Option<f64>,
    /// Maximum share of the site for offices and living facilities, percent. Default 7.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_admin_living_share_pct: Option<f64>,
    /// Maximum green-space ratio inside an industrial site, percent. Default 20.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_green_ratio_pct: Option<f64>,
    /// Minimum floor-area ratio (容积率) by GB/T 4754 division (大类), e.g. `{"39": 1.0}`.
    /// Entries are merged key by key over the inherited table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_far_by_industry: Option<BTreeMap<String, f64>>,
    /// The land uses (用地用海分类 codes; a code covers its subclasses) a project of the park
    /// may be placed on. Default `["1001", "1101"]`: 工业用地 and 物流仓储用地. A plot of
    /// another use (公园绿地, 商业用地, 供电用地 …) fails the entry check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_land_uses: Option<Vec<String>>,
    /// The infrastructure items (keys of `infrastructure_items`) a parcel must have in place,
    /// with its site levelled, before it is supplied (净地, 《闲置土地处置办法》 Art. 21(5)).
    /// Default `["water_supply", "drainage", "power", "road"]` (四通一平).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_infrastructure: Option<Vec<String>>,
    /// The fixed-asset investment thresholds (万元) 调度 reports count projects by, e.g.
    /// `[500, 3000, 5000, 10000, 30000, 50000]` for a 高新区 that also counts 3亿 and 5亿
    /// projects. Default `[500, 3000, 5000, 10000]`. Ascending, 1 to 10 of them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size_bands_wan_yuan: Option<Vec<u32>>,
    /// Overlap and boundary tolerance for surveying noise, m². Default 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub geometry_tolerance_m2: Option<f64>,
    /// The infrastructure items (七通一平 by default) parcels record readiness for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub infrastructure_items: Option<Vec<InfrastructureItem>>,
    /// Land is "approaching" idle this many days before its year runs out. Default 90.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idle_warning_days: Option<u32>,
    /// The idle-land fee (土地闲置费) as a percentage of the land price. Default 20
    /// (《闲置土地处置办法》 Art. 14; 《城市房地产管理法》 Art. 26 allows at most 20).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idle_fee_pct: Option<f64>,
    /// A holder's request to defer the start (延建) must come this many days before the agreed
    /// start. Default 30 (the model land transfer contract).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extension_notice_days: Option<u32>,
    /// Days allowed for the idle-land procedure's steps whose deadline the regulation leaves
    /// to the bureau (认定书, publication, decision). Default 30.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idle_case_step_days: Option<u32>,
    /// 批而未供: approved land not supplied after this many full calendar years (满两年,
    /// counted to the anniversary as the idle-land clock counts). Default 2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unsupplied_limit_years: Option<u32>,
    /// 供而未用: days of grace after the agreed start before supplied land counts. Default 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unstarted_grace_days: Option<u32>,
    /// 用而未尽: days of grace after the agreed completion. Default 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unfinished_grace_days: Option<u32>,
    /// 建而未投: when the contract sets no production date, production is due this many days
    /// after completion. Default 180.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub production_due_days: Option<u32>,
    /// 建而未投: days of grace after production was due. Default 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unproduced_grace_days: Option<u32>,
    /// 投而未达: a measured indicator may fall this many percent short of the agreed one
    /// before the parcel counts. Default 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity_tolerance_pct: Option<f64>,
    /// 标准地 达产复核 falls due this many full years after production began. Default 3.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity_review_years: Option<u32>,
    /// A workshop is "at risk" when its deadline is this many days away and an earlier
    /// milestone is still missing. Default 30.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workshop_at_risk_days: Option<u32>,
    /// A completed workshop unit left unleased longer than this is idle (不能让建成的厂房闲置).
    /// Default 180.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idle_unit_days: Option<u32>,
}

/// Settings in force for a park or zone, every value decided.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Settings {
    pub min_investment_intensity_wan_per_mu: f64,
    pub min_building_coefficient_pct: f64,
    pub max_admin_living_share_pct: f64,
    pub max_green_ratio_pct: f64,
    pub min_far_by_industry: BTreeMap<String, f64>,
    pub project_land_uses: Vec<String>,
    pub start_infrastructure: Vec<String>,
    pub size_bands_wan_yuan: Vec<u32>,
    pub geometry_tolerance_m2: f64,
    pub infrastructure_items: Vec<InfrastructureItem>,
    pub idle_warning_days: u32,
    pub idle_fee_pct: f64,
    pub extension_notice_days: u32,
    pub idle_case_step_days: u32,
    pub unsupplied_limit_years: u32,
    pub unstarted_grace_days: u32,
    pub unfinished_grace_days: u32,
    pub production_due_days: u32,
    pub unproduced_grace_days: u32,
    pub capacity_tolerance_pct: f64,
    pub capacity_review_years: u32,
    pub workshop_at_risk_days: u32,
    pub idle_unit_days: u32,
}

/// Minimum 容积率 by division, from the national table of the 2008 control indicators
/// (国土资发〔2008〕24号), mapped from GB/T 4754-2002 to the 2017 divisions; where two old
/// divisions merged (橡胶 0.8 + 塑料 1.0 → 29) the lower bar is kept.
const DEFAULT_MIN_FAR: &[(&str, f64)] = &[
    ("13", 1.0),
    ("14", 1.0),
    ("15", 1.0),
    ("16", 1.0),
    ("17", 0.8),
    ("18", 1.0),
    ("19", 1.0),
    ("20", 0.8),
    ("21", 0.8),
    ("22", 0.8),
    ("23", 0.8),
    ("24", 1.0),
    ("25", 0.5),
    ("26", 0.6),
    ("27", 0.7),
    ("28", 0.8),
    ("29", 0.8),
    ("30", 0.7),
    ("31", 0.6),
    ("32", 0.6),
    ("33", 0.7),
    ("34", 0.7),
    ("35", 0.7),
    ("36", 0.7),
    ("37", 0.7),
    ("38", 0.7),
    ("39", 1.0),
    ("40", 1.0),
    ("41", 1.0),
    ("42", 0.7),
    ("43", 0.7),
];

impl Settings {
    /// The defaults of `shared/domain.md`.
    pub fn defaults() -> Self {
        Self {
            min_investment_intensity_wan_per_mu: 100.0,
            min_building_coefficient_pct: 30.0,
            max_admin_living_share_pct: 7.0,
            max_green_ratio_pct: 20.0,
            min_far_by_industry: DEFAULT_MIN_FAR
                .iter()
                .map(|&(k, v)| (k.to_owned(), v))
                .collect(),
            project_land_uses: vec!["1001".into(), "1101".into()],
            start_infrastructure: ["water_supply", "drainage", "power", "road"]
                .map(String::from)
                .to_vec(),
            size_bands_wan_yuan: DEFAULT_SIZE_BANDS_WAN.to_vec(),
            geometry_tolerance_m2: 1.0,
            infrastructure_items: default_infrastructure_items(),
            idle_warning_days: 90,
            idle_fee_pct: 20.0,
            extension_notice_days: 30,
            idle_case_step_days: 30,
            unsupplied_limit_years: 2,
            unstarted_grace_days: 0,
            unfinished_grace_days: 0,
            production_due_days: 180,
            unproduced_grace_days: 0,
            capacity_tolerance_pct: 0.0,
            capacity_review_years: 3,
            workshop_at_risk_days: 30,
            idle_unit_days: 180,
        }
    }

    /// Layer overrides over the defaults, most general first (park, then zone).
    pub fn resolve<'a>(layers: impl IntoIterator<Item = &'a SettingsOverrides>) -> Self {
        let mut s = Self::defaults();
        for o in layers {
            if let Some(v) = o.min_investment_intensity_wan_per_mu {
                s.min_investment_intensity_wan_per_mu = v;
            }
            if let Some(v) = o.min_building_coefficient_pct {
                s.min_building_coefficient_pct = v;
            }
            if let Some(v) = o.max_admin_living_share_pct {
                s.max_admin_living_share_pct = v;
            }
            if let Some(v) = o.max_green_ratio_pct {
                s.max_green_ratio_pct = v;
            }
            if let Some(map) = &o.min_far_by_industry {
                s.min_far_by_industry
                    .extend(map.iter().map(|(k, v)| (k.clone(), *v)));
            }
            if let Some(v) = &o.project_land_uses {
                s.project_land_uses = v.clone();
            }
            if let Some(v) = &o.start_infrastructure {
                s.start_infrastructure = v.clone();
            }
            if let Some(v) = &o.size_bands_wan_yuan {
                s.size_bands_wan_yuan = v.clone();
            }
            if let Some(v) = o.geometry_tolerance_m2 {
                s.geometry_tolerance_m2 = v;
            }
            if let Some(v) = &o.infrastructure_items {
                s.infrastructure_items = v.clone();
            }
            let days = [
                (o.idle_warning_days, &mut s.idle_warning_days),
                (o.extension_notice_days, &mut s.extension_notice_days),
                (o.idle_case_step_days, &mut s.idle_case_step_days),
                (o.unstarted_grace_days, &mut s.unstarted_grace_days),
                (o.unfinished_grace_days, &mut s.unfinished_grace_days),
                (o.production_due_days, &mut s.production_due_days),
                (o.unproduced_grace_days, &mut s.unproduced_grace_days),
                (o.workshop_at_risk_days, &mut s.workshop_at_risk_days),
                (o.idle_unit_days, &mut s.idle_unit_days),
            ];
            for (value, slot) in days {
                if let Some(v) = value {
                    *slot = v;
                }
            }
            if let Some(v) = o.unsupplied_limit_years {
                s.unsupplied_limit_years = v;
            }
            if let Some(v) = o.idle_fee_pct {
                s.idle_fee_pct = v;
            }
            if let Some(v) = o.capacity_review_years {
                s.capacity_review_years = v;
            }
            if let Some(v) = o.capacity_tolerance_pct {
                s.capacity_tolerance_pct = v;
            }
        }
        s
    }

    /// Whether a plot of land use `code` may take a project here.
    pub fn fits_projects(&self, code: &str) -> bool {
        self.project_land_uses
            .iter()
            .any(|u| code.starts_with(u.as_str()))
    }

    /// Minimum 容积率 for an industry: its division's entry, if the table has one.
    pub fn min_far_for(&self, industry: &IndustryCode) -> Option<f64> {
        self.min_far_by_industry.get(industry.division()).copied()
    }
}

impl SettingsOverrides {
    /// Range checks; each problem is reported under `parent.<field>`.
    pub fn validate(&self, parent: &str) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut check = |name: &str, value: Option<f64>, lo: f64, hi: f64, lo_open: bool| {
            if let Some(v) = value {
                let above_lo = if lo_open { v > lo } else { v >= lo };
                if !(v.is_finite() && above_lo && v <= hi) {
                    let bracket = if lo_open { "(" } else { "[" };
                    errors.push(
                        FieldError::new(name, format!("must be in {bracket}{lo}, {hi}], got {v}"))
                            .zh(format!("须在 {bracket}{lo}, {hi}] 范围内，收到 {v}"))
                            .under(parent),
                    );
                }
            }
        };
        check(
            "min_investment_intensity_wan_per_mu",
            self.min_investment_intensity_wan_per_mu,
            0.0,
            100_000.0,
            true,
        );
        check(
            "min_building_coefficient_pct",
            self.min_building_coefficient_pct,
            0.0,
            100.0,
            false,
        );
        check(
            "max_admin_living_share_pct",
            self.max_admin_living_share_pct,
            0.0,
            100.0,
            false,
        );
        check(
            "max_green_ratio_pct",
            self.max_green_ratio_pct,
            0.0,
            100.0,
            false,
        );
        check(
            "geometry_tolerance_m2",
            self.geometry_tolerance_m2,
            0.0,
            10_000.0,
            false,
        );
        check("idle_fee_pct", self.idle_fee_pct, 0.0, 20.0, false);
        check(
            "capacity_tolerance_pct",
            self.capacity_tolerance_pct,
            0.0,
            100.0,
            false,
        );
        let days = [
            ("idle_warning_days", self.idle_warning_days, 1),
            ("extension_notice_days", self.extension_notice_days, 0),
            ("idle_case_step_days", self.idle_case_step_days, 1),
            ("unstarted_grace_days", self.unstarted_grace_days, 0),
            ("unfinished_grace_days", self.unfinished_grace_days, 0),
            ("production_due_days", self.production_due_days, 1),
            ("unproduced_grace_days", self.unproduced_grace_days, 0),
            ("workshop_at_risk_days", self.workshop_at_risk_days, 1),
            ("idle_unit_days", self.idle_unit_days, 1),
        ];
        for (name, value, lo) in days {
            if let Some(v) = value
                && !(lo..=3650).contains(&v)
            {
                errors.push(
                    FieldError::new(name, format!("must be {lo} to 3650 days, got {v}"))
                        .zh(format!("须为 {lo} 至 3650 天，收到 {v}"))
                        .under(parent),
                );
            }
        }
        if let Some(bands) = &self.size_bands_wan_yuan {
            let ascending = bands.windows(2).all(|w| w[0] < w[1]);
            if bands.is_empty()
                || bands.len() > 10
                || !ascending
                || bands.iter().any(|b| !(1..=100_000_000).contains(b))
            {
                errors.push(
                    FieldError::new(
                        "size_bands_wan_yuan",
                        format!("1 to 10 thresholds in 万元, ascending, each 1 to 100,000,000; got {bands:?}"),
                    ).zh(format!("须为 1 至 10 个递增的万元阈值，每个 1 至 100,000,000；收到 {bands:?}"))
                    .under(parent),
                );
            }
        }
        for (i, key) in self.start_infrastructure.iter().flatten().enumerate() {
            if !super::parcel::is_item_key(key) {
                errors.push(
                    FieldError::new(
                        format!("start_infrastructure[{i}]"),
                        "keys are 1–32 characters of a–z, 0–9 and _",
                    )
                    .zh("键为 1–32 个字符，只能用 a–z、0–9 和 _")
                    .under(parent),
                );
            }
        }
        for (i, code) in self.project_land_uses.iter().flatten().enumerate() {
            if let Err(e) =
                super::land_use::LandUse::parse(&format!("project_land_uses[{i}]"), code)
            {
                errors.push(e.under(parent));
            }
        }
        for (name, value) in [
            ("unsupplied_limit_years", self.unsupplied_limit_years),
            ("capacity_review_years", self.capacity_review_years),
        ] {
            if let Some(v) = value
                && !(1..=10).contains(&v)
            {
                errors.push(
                    FieldError::new(name, format!("must be 1 to 10 years, got {v}"))
                        .zh(format!("须为 1 至 10 年，收到 {v}"))
                        .under(parent),
                );
            }
        }
        if let Some(map) = &self.min_far_by_industry {
            for (key, far) in map {
                let field = format!("min_far_by_industry.{key}");
                match IndustryCode::parse(&field, key) {
                    Ok(code) if code.as_str().len() == 2 => {}
                    Ok(_) => errors.push(
                        FieldError::new(&field, "keys are 2-digit divisions (大类), e.g. 39")
                            .zh("键须为两位数的行业大类代码，例如 39")
                            .under(parent),
                    ),
                    Err(e) => errors.push(e.under(parent)),
                }
                if !(far.is_finite() && *far > 0.0 && *far <= 20.0) {
                    errors.push(
                        FieldError::new(&field, format!("容积率 must be in (0, 20], got {far}"))
                            .zh(format!("容积率须在 (0, 20] 范围内，收到 {far}"))
                            .under(parent),
                    );
                }
            }
        }
        if let Some(items) = &self.infrastructure_items {
            let mut keys = std::collections::HashSet::new();
            for (i, item) in items.iter().enumerate() {
                let field = format!("infrastructure_items[{i}]");
                if !super::parcel::is_item_key(&item.key) {
                    errors.push(
                        FieldError::new(
                            format!("{field}.key"),
                            "keys are 1–32 characters of a–z, 0–9 and _",
                        )
                        .zh("键为 1–32 个字符，只能用 a–z、0–9 和 _")
                        .under(parent),
                    );
                }
                if !keys.insert(item.key.as_str()) {
                    errors.push(
                        FieldError::new(
                            format!("{field}.key"),
                            format!("duplicate key {}", item.key),
                        )
                        .zh(format!("键 {} 重复", item.key))
                        .under(parent),
                    );
                }
                if item.name.trim().is_empty() || item.name.chars().count() > 32 {
                    errors.push(
                        FieldError::new(format!("{field}.name"), "names are 1–32 characters")
                            .zh("名称为 1–32 个字符")
                            .under(parent),
                    );
                }
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn overrides(intensity: Option<f64>, far39: Option<f64>) -> SettingsOverrides {
        SettingsOverrides {
            min_investment_intensity_wan_per_mu: intensity,
            min_far_by_industry: far39.map(|f| BTreeMap::from([("39".to_owned(), f)])),
            ..Default::default()
        }
    }

    #[test]
    fn defaults_follow_the_national_indicators() {
        let d = Settings::defaults();
        assert_eq!(d.min_investment_intensity_wan_per_mu, 100.0);
        assert_eq!(d.min_building_coefficient_pct, 30.0);
        assert_eq!(d.max_admin_living_share_pct, 7.0);
        assert_eq!(d.max_green_ratio_pct, 20.0);
        let far = |c: &str| d.min_far_for(&IndustryCode::parse("i", c).unwrap());
        assert_eq!(far("3911"), Some(1.0), "electronics");
        assert_eq!(far("26"), Some(0.6), "chemicals");
        assert_eq!(far("17"), Some(0.8), "textiles");
        assert_eq!(far("34"), Some(0.7), "machinery");
        assert_eq!(far("65"), None, "no industrial bar for software");
        assert_eq!(d.infrastructure_items.len(), 7, "七通");
    }

    #[test]
    fn zone_overrides_park_overrides_default() {
        let park = overrides(Some(250.0), Some(1.2));
        let zone = overrides(Some(300.0), None);
        let empty = SettingsOverrides::default();

        assert_eq!(
            Settings::resolve([&empty]).min_investment_intensity_wan_per_mu,
            100.0
        );
        let p = Settings::resolve([&park]);
        assert_eq!(p.min_investment_intensity_wan_per_mu, 250.0);
        let z = Settings::resolve([&park, &zone]);
        assert_eq!(z.min_investment_intensity_wan_per_mu, 300.0);
        assert_eq!(z.min_far_by_industry["39"], 1.2, "inherited from the park");
        assert_eq!(
            z.min_far_by_industry["26"], 0.6,
            "inherited from the defaults"
        );
        let zone_only = Settings::resolve([&empty, &zone]);
        assert_eq!(zone_only.min_investment_intensity_wan_per_mu, 300.0);
    }

    #[test]
    fn validation_names_each_bad_value() {
        let bad = SettingsOverrides {
            min_investment_intensity_wan_per_mu: Some(0.0),
            max_green_ratio_pct: Some(101.0),
            min_far_by_industry: Some(BTreeMap::from([("391".into(), 1.0), ("99".into(), 0.0)])),
            infrastructure_items: Some(vec![
                InfrastructureItem {
                    key: "Steam".into(),
                    name: "通蒸汽".into(),
                },
                InfrastructureItem {
                    key: "gas".into(),
                    name: "".into(),
                },
            ]),
            ..Default::default()
        };
        let fields: Vec<String> = bad
            .validate("settings")
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                "settings.min_investment_intensity_wan_per_mu",
                "settings.max_green_ratio_pct",
                "settings.min_far_by_industry.391",
                "settings.min_far_by_industry.99",
                "settings.min_far_by_industry.99",
                "settings.infrastructure_items[0].key",
                "settings.infrastructure_items[1].name",
            ]
        );
        assert!(SettingsOverrides::default().validate("settings").is_ok());
    }
}
