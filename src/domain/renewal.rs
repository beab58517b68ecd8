//! 腾笼换鸟: the parcels and workshop units that could be freed for better projects, ranked,
//! and the sites a project seeking land would fit, best first.
//!
//! A site is a candidate for each reason it gives, weighted by how firmly the rules back
//! freeing it: land recoverable without compensation (5), idle land with the fee due (4), a
//! D-class enterprise (3), idle land excused by government (2), 五未 land (2), investment
//! intensity below the threshold in force (2), a workshop unit idle past the limit (1).
//! Candidates rank by the sum, then by the area that would be freed, larger first.

use super::idle_land::{Consequence, IdleStatus, IdleVerdict};
use super::performance::{Class, Rating};
use super::supply::{Supply, Timeline};
use super::underused::{Finding, UnderusedClass};
use super::units::{m2_to_mu, round_to};
use super::words::{Words, words};
use super::workshop::Vacancy;
use serde::Serialize;
use std::collections::HashMap;
use utoipa::ToSchema;

/// Where an investment intensity comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// The contract's 投资强度, else its total investment ÷ the supplied area.
    Agreed,
    /// The investment reported to date ÷ the supplied area, once the project is complete.
    Measured,
}

/// The investment intensity of supplied land, 万元/亩 to two decimals: measured once the
/// project is complete (what was built is what counts), as agreed before; `None` when neither
/// the contract nor the facts say.
pub fn land_intensity(supply: &Supply, t: &Timeline) -> Option<(f64, Basis)> {
    let mu = m2_to_mu(supply.land_area_m2);
    if mu <= 0.0 {
        return None;
    }
    let per_mu = |yuan: i64| round_to(yuan as f64 / 10_000.0 / mu, 2);
    if t.completed.is_some() && t.investment_yuan > 0 {
        return Some((per_mu(t.investment_yuan), Basis::Measured));
    }
    supply
        .indicators
        .investment_intensity_wan_per_mu
        .map(|v| round_to(v, 2))
        .or_else(|| supply.total_investment_yuan.map(per_mu))
        .map(|v| (v, Basis::Agreed))
}

/// Why a site could be freed.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Reason {
    /// Idle land (闲置土地) with what follows from it.
    IdleLand {
        idle_days: i64,
        consequence: Consequence,
    },
    /// One of the five classes of 五未 land.
    Underused {
        class: UnderusedClass,
        days_past: i64,
    },
    /// Its enterprise is rated D (倒逼整治).
    DClass { enterprise_id: i64, score: f64 },
    /// The agreed or measured investment intensity is below the threshold in force.
    LowIntensity {
        intensity_wan_per_mu: f64,
        threshold_wan_per_mu: f64,
        basis: Basis,
    },
    /// A completed workshop unit unleased past the park's limit.
    IdleUnit { vacant_days: i64 },
}

impl Reason {
    pub fn weight(&self) -> u32 {
        match self {
            Self::IdleLand {
                consequence: Consequence::Recovery,
                ..
            } => 5,
            Self::IdleLand {
                consequence: Consequence::Fee,
                ..
            } => 4,
            Self::DClass { .. } => 3,
            Self::IdleLand { .. } | Self::Underused { .. } | Self::LowIntensity { .. } => 2,
            Self::IdleUnit { .. } => 1,
        }
    }

    /// The reason in words.
    pub fn describe(&self) -> Words {
        match self {
            Self::IdleLand {
                idle_days,
                consequence,
            } => {
                let (then_zh, then) = match consequence {
                    Consequence::Recovery => ("，可无偿收回", ", recoverable without compensation"),
                    Consequence::Fee => ("，应征收土地闲置费", ", idle-land fee due"),
                    Consequence::Disposal => (
                        "，非企业原因：按第十二条处置",
                        ", excused: a disposal under Art. 12",
                    ),
                    Consequence::None => ("", ""),
                };
                words!(
                    "闲置土地：已闲置 {idle_days} 天{then_zh}",
                    "闲置土地: idle {idle_days} days{then}"
                )
            }
            Self::Underused { class, days_past } => {
                let class = class.label_zh();
                words!(
                    "{class}：已逾期 {days_past} 天",
                    "{class}: {days_past} days past"
                )
            }
            Self::DClass { score, .. } => {
                words!("亩均评价 D类：得分 {score}", "亩均评价 D类: score {score}")
            }
            Self::LowIntensity {
                intensity_wan_per_mu,
                threshold_wan_per_mu,
                basis,
            } => {
                let (how_zh, how) = match basis {
                    Basis::Agreed => ("约定", "agreed"),
                    Basis::Measured => ("实际", "measured"),
                };
                words!(
                    "投资强度 {intensity_wan_per_mu} 万元/亩（{how_zh}）低于现行标准 {threshold_wan_per_mu}",
                    "投资强度 {intensity_wan_per_mu} 万元/亩 ({how}) below the {threshold_wan_per_mu} in force"
                )
            }
            Self::IdleUnit { vacant_days } => words!(
                "厂房闲置：已空置 {vacant_days} 天",
                "厂房闲置: empty {vacant_days} days"
            ),
        }
    }
}

/// The D-class enterprises of an evaluation (倒逼整治), with their scores.
#[derive(Debug, Clone, Default)]
pub struct DClass(HashMap<i64, f64>);

impl DClass {
    /// The D class of the ratings of one evaluation.
    pub fn of<'a>(ratings: impl IntoIterator<Item = &'a Rating>) -> Self {
        Self(
            ratings
                .into_iter()
                .filter(|r| r.class == Class::D)
                .map(|r| (r.enterprise_id, r.score))
                .collect(),
        )
    }

    /// The reason an enterprise's site could be freed, if it is rated D.
    pub fn reason(&self, enterprise_id: i64) -> Option<Reason> {
        self.0.get(&enterprise_id).map(|score| Reason::DClass {
            enterprise_id,
            score: *score,
        })
    }
}

/// What the land watch found on a parcel on a day, as the reasons to free it are read from it.
#[derive(Debug, Clone, Copy)]
pub struct LandFindings<'a> {
    pub idle: Option<&'a IdleVerdict>,
    pub underused: Option<&'a Finding>,
    /// The supply in force and its facts: who holds the land, and what was agreed and built.
    pub held: Option<(&'a Supply, &'a Timeline)>,
    /// The investment intensity threshold in force where the parcel lies, 万元/亩.
    pub threshold_wan_per_mu: f64,
}

/// Why a parcel could be freed: idle land (idle now, not merely on the clock, nor liable for
/// an episode a late start has ended — that land is being developed), 五未 land other
/// than 批而未供 (no one holds that land, so there is nothing to free: it is offered as an
/// available plot instead), its holder rated D, and an agreed or measured investment intensity
/// below the threshold in force.
pub fn parcel_reasons(f: &LandFindings<'_>, d: &DClass) -> Vec<Reason> {
    let mut reasons = Vec::new();
    if let Some(v) = f
        .idle
        .filter(|v| v.status == IdleStatus::Idle && v.idle_until.is_none())
    {
        reasons.push(Reason::IdleLand {
            idle_days: v.idle_days,
            consequence: v.consequence,
        });
    }
    if let Some(u) = f
        .underused
        .filter(|u| u.class != UnderusedClass::ApprovedNotSupplied)
    {
        reasons.push(Reason::Underused {
            class: u.class,
            days_past: u.days_past,
        });
    }
    if let Some((s, t)) = f.held {
        reasons.extend(d.reason(s.enterprise_id));
        if let Some((intensity, basis)) = land_intensity(s, t)
            && intensity < f.threshold_wan_per_mu
        {
            reasons.push(Reason::LowIntensity {
                intensity_wan_per_mu: intensity,
                threshold_wan_per_mu: f.threshold_wan_per_mu,
                basis,
            });
        }
    }
    reasons
}

/// Why a workshop unit could be freed: empty longer than the park's limit (`idle_unit_days`),
/// its tenant on the day rated D.
pub fn unit_reasons(
    vacancy: Option<Vacancy>,
    idle_unit_days: u32,
    tenant: Option<i64>,
    d: &DClass,
) -> Vec<Reason> {
    let mut reasons = Vec::new();
    if let Some(v) = vacancy.filter(|v| v.days > i64::from(idle_unit_days)) {
        reasons.push(Reason::IdleUnit {
            vacant_days: v.days,
        });
    }
    reasons.extend(tenant.and_then(|t| d.reason(t)));
    reasons
}

/// A site and what it would free.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate<S> {
    pub site: S,
    pub area_m2: f64,
    pub reasons: Vec<Reason>,
}

impl<S> Candidate<S> {
    pub fn weight(&self) -> u32 {
        self.reasons.iter().map(Reason::weight).sum()
    }
}

/// Rank candidates: heaviest reasons first, then the larger area; sites without a reason go.
pub fn rank<S>(mut candidates: Vec<Candidate<S>>) -> Vec<Candidate<S>> {
    candidates.retain(|c| !c.reasons.is_empty());
    candidates.sort_by(|a, b| {
        b.weight()
            .cmp(&a.weight())
            .then(b.area_m2.total_cmp(&a.area_m2))
    });
    candidates
}

/// How well a site fits a project seeking land.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fit {
    /// The entry check passes there.
    pub qualifies: bool,
    /// The site is available now (a candidate must be freed first).
    pub available: bool,
    /// |site area − land demand| ÷ land demand.
    pub area_gap: f64,
}

/// A site fits a project's land demand when its area is 80 % to 150 % of it (a plot is rarely
/// cut to measure; much larger would waste land the intensity rules protect).
pub fn fits_area(site_mu: f64, demand_mu: f64) -> bool {
    site_mu >= demand_mu * 0.8 && site_mu <= demand_mu * 1.5
}

/// The best sites first: qualifying before not, available before to-be-freed, then the
/// closest in area.
pub fn best_first<T>(mut sites: Vec<(T, Fit)>) -> Vec<(T, Fit)> {
    sites.sort_by(|(_, a), (_, b)| {
        b.qualifies
            .cmp(&a.qualifies)
            .then(b.available.cmp(&a.available))
            .then(a.area_gap.total_cmp(&b.area_gap))
    });
    sites
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(site: &str, area: f64, reasons: Vec<Reason>) -> Candidate<String> {
        Candidate {
            site: site.into(),
            area_m2: area,
            reasons,
        }
    }

    #[test]
    fn candidates_rank_by_reasons_then_area() {
        let recoverable = Reason::IdleLand {
            idle_days: 500,
            consequence: Consequence::Recovery,
        };
        let d = Reason::DClass {
            enterprise_id: 1,
            score: 31.5,
        };
        let underused = Reason::Underused {
            class: UnderusedClass::SuppliedNotUsed,
            days_past: 400,
        };
        let low = Reason::LowIntensity {
            intensity_wan_per_mu: 80.0,
            threshold_wan_per_mu: 150.0,
            basis: Basis::Agreed,
        };
        let unit = Reason::IdleUnit { vacant_days: 300 };
        let ranked = rank(vec![
            c("small unit", 1_200.0, vec![unit.clone()]),
            c("D and low", 30_000.0, vec![d.clone(), low.clone()]),
            c(
                "recoverable",
                20_000.0,
                vec![recoverable.clone(), underused.clone()],
            ),
            c("nothing", 90_000.0, vec![]),
            c("D big", 60_000.0, vec![d.clone(), underused.clone()]),
        ]);
        let order: Vec<&str> = ranked.iter().map(|c| c.site.as_str()).collect();
        // 7 (5+2), then two of 5 (3+2) by area, then 1.
        assert_eq!(order, ["recoverable", "D big", "D and low", "small unit"]);
        assert_eq!(ranked[0].weight(), 7);
        assert_eq!(
            low.describe(),
            Words::new(
                "投资强度 80 万元/亩（约定）低于现行标准 150",
                "投资强度 80 万元/亩 (agreed) below the 150 in force"
            )
        );
        assert_eq!(
            underused.describe(),
            Words::new("供而未用：已逾期 400 天", "供而未用: 400 days past")
        );
    }

    #[test]
    fn intensity_as_agreed_until_built() {
        use crate::domain::supply::tests::{d, supply};
        let mut s = supply("2023-01-10");
        let mut t = Timeline::default();
        // The contract's 200 万元/亩 stands until the project is built.
        assert_eq!(land_intensity(&s, &t), Some((200.0, Basis::Agreed)));
        s.indicators.investment_intensity_wan_per_mu = None;
        // 12,000 万元 over 30,000 m² = 45 亩: 266.67.
        assert_eq!(land_intensity(&s, &t), Some((266.67, Basis::Agreed)));
        t.investment_yuan = 36_000_000;
        assert_eq!(land_intensity(&s, &t).map(|x| x.1), Some(Basis::Agreed));
        t.completed = Some(d("2025-03-01"));
        // Built for 3,600 万元: 80 万元/亩.
        assert_eq!(land_intensity(&s, &t), Some((80.0, Basis::Measured)));
        s.total_investment_yuan = None;
        t.completed = None;
        assert_eq!(land_intensity(&s, &t), None);
    }

    #[test]
    fn matching_sites() {
        assert!(fits_area(48.0, 60.0) && fits_area(90.0, 60.0));
        assert!(!fits_area(47.9, 60.0) && !fits_area(90.1, 60.0));
        let fit = |q, a, gap| Fit {
            qualifies: q,
            available: a,
            area_gap: gap,
        };
        let sites = best_first(vec![
            ("freed, close", fit(true, false, 0.01)),
            ("no", fit(false, true, 0.0)),
            ("free, far", fit(true, true, 0.3)),
            ("free, close", fit(true, true, 0.05)),
        ]);
        let order: Vec<&str> = sites.iter().map(|s| s.0).collect();
        assert_eq!(order, ["free, close", "free, far", "freed, close", "no"]);
    }

    fn rating(enterprise_id: i64, class: Class, score: f64) -> Rating {
        Rating {
            enterprise_id,
            full_scheme: true,
            score,
            terms: Vec::new(),
            class,
            rank: 1,
        }
    }

    #[test]
    fn only_d_class_is_a_reason() {
        let d = DClass::of(&[rating(7, Class::D, 31.5), rating(8, Class::C, 55.0)]);
        assert_eq!(
            d.reason(7),
            Some(Reason::DClass {
                enterprise_id: 7,
                score: 31.5
            })
        );
        assert_eq!(d.reason(8), None);
        assert_eq!(d.reason(9), None);
    }

    #[test]
    fn parcel_reasons_from_the_land_watch() {
        use crate::domain::supply::tests::{d, supply};
        let s = supply("2023-01-10");
        let t = Timeline::default();
        let mut idle = IdleVerdict::not_applicable_because(Default::default());
        let five = |class| Finding {
            class,
            since: d("2024-01-01"),
            days_past: 400,
            reason: Words::default(),
        };
        let none = DClass::default();
        fn findings<'a>(
            idle: Option<&'a IdleVerdict>,
            underused: Option<&'a Finding>,
            held: Option<(&'a Supply, &'a Timeline)>,
            threshold_wan_per_mu: f64,
        ) -> LandFindings<'a> {
            LandFindings {
                idle,
                underused,
                held,
                threshold_wan_per_mu,
            }
        }
        // Nothing found, the contract's 200 万元/亩 above the threshold: no reason.
        assert!(
            parcel_reasons(&findings(Some(&idle), None, Some((&s, &t)), 150.0), &none).is_empty()
        );
        // On the clock but not yet idle: no reason.
        idle.status = IdleStatus::Approaching;
        idle.idle_days = 0;
        assert!(parcel_reasons(&findings(Some(&idle), None, None, 150.0), &none).is_empty());
        idle.status = IdleStatus::Idle;
        idle.idle_days = 420;
        idle.consequence = Consequence::Fee;
        let supplied_not_used = five(UnderusedClass::SuppliedNotUsed);
        let approved = five(UnderusedClass::ApprovedNotSupplied);
        let d_class = DClass::of(&[rating(s.enterprise_id, Class::D, 20.0)]);
        let all = parcel_reasons(
            &findings(Some(&idle), Some(&supplied_not_used), Some((&s, &t)), 250.0),
            &d_class,
        );
        assert_eq!(
            all,
            [
                Reason::IdleLand {
                    idle_days: 420,
                    consequence: Consequence::Fee
                },
                Reason::Underused {
                    class: UnderusedClass::SuppliedNotUsed,
                    days_past: 400
                },
                Reason::DClass {
                    enterprise_id: s.enterprise_id,
                    score: 20.0
                },
                Reason::LowIntensity {
                    intensity_wan_per_mu: 200.0,
                    threshold_wan_per_mu: 250.0,
                    basis: Basis::Agreed
                },
            ]
        );
        // 批而未供: no one holds the land, nothing to free.
        assert!(parcel_reasons(&findings(None, Some(&approved), None, 150.0), &d_class).is_empty());
    }

    #[test]
    fn unit_reasons_past_the_limit_or_a_d_tenant() {
        use crate::domain::supply::tests::d;
        let empty = |days| {
            Some(Vacancy {
                since: d("2025-01-01"),
                days,
            })
        };
        let none = DClass::default();
        assert!(unit_reasons(empty(180), 180, None, &none).is_empty());
        assert_eq!(
            unit_reasons(empty(181), 180, None, &none),
            [Reason::IdleUnit { vacant_days: 181 }]
        );
        let d_class = DClass::of(&[rating(3, Class::D, 12.0)]);
        assert_eq!(
            unit_reasons(None, 180, Some(3), &d_class),
            [Reason::DClass {
                enterprise_id: 3,
                score: 12.0
            }]
        );
        assert!(unit_reasons(None, 180, Some(4), &d_class).is_empty());
    }
}
