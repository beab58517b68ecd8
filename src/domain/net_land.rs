//! 净地: the conditions land must meet before it is supplied (《闲置土地处置办法》 Art. 21,
//! 国土资发〔2010〕34号 净地出让).
//!
//! Art. 21 asks the bureau to supply only land whose (1) rights are clear (土地权利清晰),
//! (2) resettlement and compensation are done (安置补偿落实到位), (3) which carries no legal or
//! economic dispute (没有法律经济纠纷), (4) whose planning conditions — position, use, 容积率 —
//! are set (规划条件明确), and (5) which has the other basic conditions needed to start
//! (具备动工开发所必需的其他基本条件). The article exists so that the government does not cause
//! the idleness it later has to excuse: a government-caused idle episode points back to the
//! condition that failed (`DelayCause::net_land_condition`).
//!
//! The first three are facts only the bureau can attest, recorded on the parcel as
//! `clearances`. The fourth is read from the parcel's land use and 容积率 bounds; the fifth
//! from site levelling (场地平整) and the infrastructure the park requires before supply
//! (`start_infrastructure`, by default 通给水、通排水、通电、通路 — the 四通一平 most provincial
//! 净地 rules ask as the minimum).

use super::FieldError;
use super::parcel::InfrastructureItem;
use super::register::Parcel;
use serde::Serialize;
use utoipa::ToSchema;

/// One of Art. 21's five conditions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Condition {
    /// 土地权利清晰 (Art. 21(1)); recorded as the clearance `rights_clear`.
    RightsClear,
    /// 安置补偿落实到位 (Art. 21(2)); recorded as `resettled`.
    Resettled,
    /// 没有法律经济纠纷 (Art. 21(3)); recorded as `undisputed`.
    Undisputed,
    /// 规划条件明确 (Art. 21(4)): land use and a 容积率 bound on the parcel.
    PlanningSet,
    /// 具备动工开发所必需的其他基本条件 (Art. 21(5)): site levelled and the required
    /// infrastructure in place.
    ReadyToStart,
}

impl Condition {
    /// The conditions the bureau attests by recording them on the parcel.
    pub const RECORDED: [Condition; 3] = [Self::RightsClear, Self::Resettled, Self::Undisputed];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::RightsClear => "rights_clear",
            Self::Resettled => "resettled",
            Self::Undisputed => "undisputed",
            Self::PlanningSet => "planning_set",
            Self::ReadyToStart => "ready_to_start",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::RightsClear => "土地权利清晰",
            Self::Resettled => "安置补偿落实到位",
            Self::Undisputed => "没有法律经济纠纷",
            Self::PlanningSet => "规划条件明确",
            Self::ReadyToStart => "具备动工开发所必需的基本条件",
        }
    }
}

/// Check a parcel's recorded clearances; duplicates collapse and the result keeps the order of
/// [`Condition::RECORDED`] so records compare equal.
pub fn parse_clearances(field: &str, raw: &[String]) -> Result<Vec<String>, FieldError> {
    let known = Condition::RECORDED.map(Condition::as_str);
    let unknown: Vec<&str> = raw
        .iter()
        .map(|k| k.trim())
        .filter(|k| !known.contains(k))
        .collect();
    if !unknown.is_empty() {
        return Err(FieldError::new(
            field,
            format!(
                "unknown clearance(s) {}; the 净地 clearances are rights_clear (土地权利清晰), resettled (安置补偿落实到位) and undisputed (没有法律经济纠纷)",
                unknown.join(", ")
            ),
        ).zh(format!("未知的净地条件 {}；净地条件为 rights_clear（土地权利清晰）、resettled（安置补偿落实到位）和 undisputed（没有法律经济纠纷）", unknown.join("、"))));
    }
    Ok(known
        .iter()
        .filter(|k| raw.iter().any(|r| r.trim() == **k))
        .map(|k| (*k).to_owned())
        .collect())
}

/// One unmet condition, with what is missing for it.
#[derive(Debug, Clone, PartialEq)]
pub struct Unmet {
    pub condition: Condition,
    pub missing: String,
    /// The same, in Chinese.
    pub missing_zh: String,
}

impl Unmet {
    /// `安置补偿落实到位 (resettled): not on record`.
    pub fn sentence(&self) -> String {
        format!(
            "{} ({}): {}",
            self.condition.label_zh(),
            self.condition.as_str(),
            self.missing
        )
    }

    /// `安置补偿落实到位：未见记录`.
    pub fn sentence_zh(&self) -> String {
        format!("{}：{}", self.condition.label_zh(), self.missing_zh)
    }
}

/// The Art. 21 conditions `parcel` does not meet. `required` are the infrastructure keys the
/// park asks before supply (`start_infrastructure`); one the park does not track can never
/// be recorded, so it is reported as missing with the setting to correct rather than
/// silently dropped.
pub fn unmet(parcel: &Parcel, required: &[String], tracked: &[InfrastructureItem]) -> Vec<Unmet> {
    let mut out: Vec<Unmet> = Condition::RECORDED
        .into_iter()
        .filter(|c| !parcel.clearances.iter().any(|k| k == c.as_str()))
        .map(|condition| Unmet {
            condition,
            missing: "not on record (记录于 clearances)".into(),
            missing_zh: "未见记录（请在 clearances 中登记）".into(),
        })
        .collect();
    if parcel.planning.far_min.is_none() && parcel.planning.far_max.is_none() {
        out.push(Unmet {
            condition: Condition::PlanningSet,
            missing: "no 容积率 bound (far_min or far_max) is set".into(),
            missing_zh: "未设定容积率上下限（far_min 或 far_max）".into(),
        });
    }
    let mut missing: Vec<&str> = Vec::new();
    if !parcel.site_levelled {
        missing.push("场地平整 (site_levelled)");
    }
    let mut missing_zh = missing.clone();
    let untracked = |key: &str, zh: bool| {
        if zh {
            format!("{key}（本园区未登记此项：请更正 start_infrastructure）")
        } else {
            format!("{key} (not an item this park tracks: correct start_infrastructure)")
        }
    };
    let named: Vec<(String, String)> = required
        .iter()
        .filter(|key| !parcel.infrastructure.contains(key))
        .map(|key| match tracked.iter().find(|i| &i.key == key) {
            Some(item) => (item.name.clone(), item.name.clone()),
            None => (untracked(key, false), untracked(key, true)),
        })
        .collect();
    missing.extend(named.iter().map(|(en, _)| en.as_str()));
    missing_zh.extend(named.iter().map(|(_, zh)| zh.as_str()));
    if !missing.is_empty() {
        out.push(Unmet {
            condition: Condition::ReadyToStart,
            missing: format!("missing {}", missing.join("、")),
            missing_zh: format!("缺少{}", missing_zh.join("、")),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::parcel::{ParcelStatus, default_infrastructure_items};
    use crate::domain::register::Parcel;
    use crate::domain::register::tests::{parcel, rect};

    fn sample() -> Parcel {
        parcel(1, "A-1", ParcelStatus::Available, rect(0.0, 0.0, 1.0, 1.0))
    }

    fn required() -> Vec<String> {
        ["water_supply", "drainage", "power", "road"]
            .map(String::from)
            .to_vec()
    }

    fn net(p: &mut Parcel) {
        p.clearances = Condition::RECORDED.map(|c| c.as_str().to_owned()).to_vec();
        p.planning.far_max = Some(2.5);
        p.site_levelled = true;
        p.infrastructure = required();
    }

    #[test]
    fn art_21_net_land_meets_all_five_conditions() {
        let mut p = sample();
        net(&mut p);
        assert_eq!(unmet(&p, &required(), &default_infrastructure_items()), []);
    }

    #[test]
    fn art_21_each_missing_condition_is_named() {
        let items = default_infrastructure_items();
        let mut p = sample();
        net(&mut p);
        p.clearances.retain(|k| k != "resettled");
        p.planning.far_max = None;
        p.infrastructure.retain(|k| k != "power");
        let got = unmet(&p, &required(), &items);
        let conditions: Vec<Condition> = got.iter().map(|u| u.condition).collect();
        assert_eq!(
            conditions,
            [
                Condition::Resettled,
                Condition::PlanningSet,
                Condition::ReadyToStart
            ]
        );
        assert_eq!(
            got[2].sentence(),
            "具备动工开发所必需的基本条件 (ready_to_start): missing 通电"
        );
        // Gas is tracked but not required before supply.
        net(&mut p);
        p.infrastructure.retain(|k| k != "gas");
        assert_eq!(unmet(&p, &required(), &items), []);
        // A required key the park does not track names the setting to correct.
        let typo = vec!["powr".to_owned()];
        assert!(
            unmet(&p, &typo, &items)[0]
                .missing
                .contains("correct start_infrastructure")
        );
    }

    #[test]
    fn clearances_are_checked_and_kept_in_order() {
        let got = parse_clearances(
            "c",
            &[
                "undisputed".into(),
                " rights_clear".into(),
                "undisputed".into(),
            ],
        )
        .unwrap();
        assert_eq!(got, ["rights_clear", "undisputed"]);
        let e = parse_clearances("c", &["paid".into()]).unwrap_err();
        assert!(e.message.contains("unknown clearance(s) paid"), "{e:?}");
    }
}
