//! A parcel's life cycle, planning conditions (规划条件) and infrastructure readiness (七通一平).

use super::FieldError;
use std::fmt;

/// Where a parcel stands in the land-supply life cycle.
///
/// `reserve` (储备) land is held by the land bank; `available` (可供应) land is ready and
/// offered; `reserved` (已预留) is held for a project under negotiation or an accepted
/// application; `supplied` (已供应) has been granted, allocated or leased to a user;
/// `retired` (已注销) no longer exists in the register (split, merged or cancelled) and is
/// kept only for history — parcels are never deleted.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum ParcelStatus {
    Reserve,
    Available,
    Reserved,
    Supplied,
    Retired,
}

impl ParcelStatus {
    pub const ALL: [ParcelStatus; 5] = [
        Self::Reserve,
        Self::Available,
        Self::Reserved,
        Self::Supplied,
        Self::Retired,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Reserve => "reserve",
            Self::Available => "available",
            Self::Reserved => "reserved",
            Self::Supplied => "supplied",
            Self::Retired => "retired",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Reserve => "储备",
            Self::Available => "可供应",
            Self::Reserved => "已预留",
            Self::Supplied => "已供应",
            Self::Retired => "已注销",
        }
    }

    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == raw.trim())
            .ok_or_else(|| {
                FieldError::new(
                    field,
                    format!(
                        "`{raw}` is not a parcel status; expected one of reserve, available, \
                         reserved, supplied, retired"
                    ),
                ).zh(format!("`{raw}` 不是宗地状态；应为 reserve（储备）、available（可供应）、reserved（已预留）、supplied（已供应）或 retired（已注销）之一"))
            })
    }

    /// Active parcels take part in overlap checks and maps; retired ones are history.
    pub fn is_active(self) -> bool {
        self != Self::Retired
    }

    /// The status changes an edit may make. Retiring goes through its own operation (with a
    /// reason), and land that has been supplied only returns to the land bank (收回储备).
    pub fn can_change_to(self, to: ParcelStatus) -> bool {
        use ParcelStatus::*;
        matches!(
            (self, to),
            (Reserve, Available)
                | (Available, Reserve)
                | (Available, Reserved)
                | (Available, Supplied)
                | (Reserved, Available)
                | (Reserved, Supplied)
                | (Supplied, Reserve)
        ) || self == to
    }
}

impl fmt::Display for ParcelStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Check a status change and explain a refusal.
pub fn check_transition(from: ParcelStatus, to: ParcelStatus) -> Result<(), FieldError> {
    if to == ParcelStatus::Retired && from != ParcelStatus::Retired {
        return Err(FieldError::new(
            "properties.status",
            "parcels are retired with POST /api/parcels/{id}/retire, which records the reason",
        )
        .zh("宗地须通过 POST /api/parcels/{id}/retire 注销，以记录注销原因"));
    }
    if from.can_change_to(to) {
        Ok(())
    } else {
        Err(FieldError::new(
            "properties.status",
            format!(
                "a {from} ({}) parcel cannot become {to} ({})",
                from.label_zh(),
                to.label_zh()
            ),
        )
        .zh(format!(
            "宗地不能从“{}”变为“{}”",
            from.label_zh(),
            to.label_zh()
        )))
    }
}

/// Planning conditions (规划条件) issued for a parcel; every figure is optional because
/// reserve land often has none yet. Views flatten these into a feature's properties.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct PlanningConditions {
    /// 容积率 floor-area ratio, lower and upper bound.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub far_min: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub far_max: Option<f64>,
    /// 建筑密度 building density, percent of the site.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub building_density_min_pct: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub building_density_max_pct: Option<f64>,
    /// 绿地率 green-space ratio, percent (industrial land has a ceiling, other uses a floor).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub green_ratio_min_pct: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub green_ratio_max_pct: Option<f64>,
    /// 建筑限高 height limit in metres.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub height_max_m: Option<f64>,
}

impl PlanningConditions {
    /// Check ranges and that each lower bound does not exceed its upper bound.
    pub fn validate(&self, parent: &str) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut range = |name: &str, value: Option<f64>, lo: f64, hi: f64, what: &str| {
            if let Some(v) = value
                && !(v.is_finite() && v >= lo && v <= hi)
            {
                errors.push(
                    FieldError::new(
                        name,
                        format!("{what} must be between {lo} and {hi}, got {v}"),
                    )
                    .zh(format!("{what}须在 {lo} 至 {hi} 之间，收到 {v}"))
                    .under(parent),
                );
            }
        };
        range("far_min", self.far_min, 0.0, 20.0, "容积率");
        range("far_max", self.far_max, 0.0, 20.0, "容积率");
        range(
            "building_density_min_pct",
            self.building_density_min_pct,
            0.0,
            100.0,
            "建筑密度 (%)",
        );
        range(
            "building_density_max_pct",
            self.building_density_max_pct,
            0.0,
            100.0,
            "建筑密度 (%)",
        );
        range(
            "green_ratio_min_pct",
            self.green_ratio_min_pct,
            0.0,
            100.0,
            "绿地率 (%)",
        );
        range(
            "green_ratio_max_pct",
            self.green_ratio_max_pct,
            0.0,
            100.0,
            "绿地率 (%)",
        );
        range(
            "height_max_m",
            self.height_max_m,
            0.0,
            1000.0,
            "建筑限高 (m)",
        );
        let mut ordered = |lo_name: &str, lo: Option<f64>, hi: Option<f64>| {
            if let (Some(lo), Some(hi)) = (lo, hi)
                && lo > hi
            {
                errors.push(
                    FieldError::new(lo_name, format!("minimum {lo} is above maximum {hi}"))
                        .zh(format!("下限 {lo} 高于上限 {hi}"))
                        .under(parent),
                );
            }
        };
        ordered("far_min", self.far_min, self.far_max);
        ordered(
            "building_density_min_pct",
            self.building_density_min_pct,
            self.building_density_max_pct,
        );
        ordered(
            "green_ratio_min_pct",
            self.green_ratio_min_pct,
            self.green_ratio_max_pct,
        );
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// One item of infrastructure readiness (the "通" of 七通一平) a park tracks.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InfrastructureItem {
    /// Stable key used in parcel records, e.g. `water_supply`.
    pub key: String,
    /// Label shown to people, e.g. 通给水.
    pub name: String,
}

/// An infrastructure key: 1–32 characters of a–z, 0–9 and `_`.
pub fn is_item_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 32
        && key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// The seven "通" of 七通一平; site levelling (平) is the separate `site_levelled` flag.
pub fn default_infrastructure_items() -> Vec<InfrastructureItem> {
    [
        ("water_supply", "通给水"),
        ("drainage", "通排水"),
        ("power", "通电"),
        ("telecom", "通信"),
        ("road", "通路"),
        ("gas", "通燃气"),
        ("heat", "通热力"),
    ]
    .into_iter()
    .map(|(key, name)| InfrastructureItem {
        key: key.into(),
        name: name.into(),
    })
    .collect()
}

/// Check a parcel's infrastructure list against the keys its park tracks; duplicates collapse
/// and the result keeps the park's order so records compare equal.
pub fn parse_infrastructure(
    field: &str,
    raw: &[String],
    known: &[InfrastructureItem],
) -> Result<Vec<String>, FieldError> {
    let unknown: Vec<&str> = raw
        .iter()
        .map(|k| k.trim())
        .filter(|k| !known.iter().any(|i| i.key == *k))
        .collect();
    if !unknown.is_empty() {
        let keys: Vec<&str> = known.iter().map(|i| i.key.as_str()).collect();
        return Err(FieldError::new(
            field,
            format!(
                "unknown infrastructure item(s) {}; this park tracks {}",
                unknown.join(", "),
                keys.join(", ")
            ),
        )
        .zh(format!(
            "未知的基础设施项 {}；本园区登记的基础设施项为 {}",
            unknown.join("、"),
            keys.join("、")
        )));
    }
    Ok(known
        .iter()
        .filter(|i| raw.iter().any(|k| k.trim() == i.key))
        .map(|i| i.key.clone())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ParcelStatus::*;

    #[test]
    fn life_cycle_transitions() {
        let allowed = [
            (Reserve, Available),
            (Available, Reserve),
            (Available, Reserved),
            (Available, Supplied),
            (Reserved, Available),
            (Reserved, Supplied),
            (Supplied, Reserve),
        ];
        for from in ParcelStatus::ALL {
            for to in ParcelStatus::ALL {
                let expected = from == to || allowed.contains(&(from, to));
                assert_eq!(from.can_change_to(to), expected, "{from} -> {to}");
            }
        }
    }

    #[test]
    fn retiring_by_edit_is_refused_with_the_way_to_do_it() {
        let e = check_transition(Available, Retired).unwrap_err();
        assert!(e.message.contains("/retire"));
        let e = check_transition(Reserve, Supplied).unwrap_err();
        assert!(e.message.contains("储备"), "{}", e.message);
        assert!(check_transition(Available, Supplied).is_ok());
    }

    #[test]
    fn status_parsing() {
        assert_eq!(ParcelStatus::parse("s", "supplied").unwrap(), Supplied);
        assert!(ParcelStatus::parse("s", "sold").is_err());
    }

    #[test]
    fn planning_conditions_ranges_and_order() {
        let ok = PlanningConditions {
            far_min: Some(1.0),
            far_max: Some(2.5),
            building_density_min_pct: Some(40.0),
            green_ratio_max_pct: Some(15.0),
            height_max_m: Some(24.0),
            ..Default::default()
        };
        assert!(ok.validate("properties").is_ok());
        let bad = PlanningConditions {
            far_min: Some(3.0),
            far_max: Some(2.0),
            green_ratio_max_pct: Some(120.0),
            height_max_m: Some(-1.0),
            ..Default::default()
        };
        let errors = bad.validate("properties").unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "properties.green_ratio_max_pct",
                "properties.height_max_m",
                "properties.far_min"
            ]
        );
    }

    #[test]
    fn infrastructure_is_checked_against_the_park_list() {
        let items = default_infrastructure_items();
        let got = parse_infrastructure(
            "i",
            &["power".into(), "water_supply".into(), "power".into()],
            &items,
        )
        .unwrap();
        assert_eq!(got, ["water_supply", "power"], "park order, no duplicates");
        let e = parse_infrastructure("i", &["steam".into()], &items).unwrap_err();
        assert!(e.message.contains("steam"));
    }
}
