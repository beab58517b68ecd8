//! 亩均论英雄 as it is read: each enterprise's rating for a year (score, class, rank, the terms of
//! its score) and who is not rated and why, with the count per class.

use crate::domain::performance::{Class, Term};
use crate::domain::units::{m2_to_mu, round_to};
use crate::store::performance::Rated;
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct RatingView {
    pub enterprise_id: i64,
    pub enterprise_name: String,
    pub land_m2: f64,
    pub land_mu: f64,
    /// `full` (above scale) or `small`.
    pub scheme: &'static str,
    pub score: f64,
    pub class: Class,
    /// e.g. A类（优先发展）.
    pub class_name: &'static str,
    pub rank: usize,
    /// Indicator by indicator: value, benchmark, weight, points.
    pub terms: Vec<Term>,
}

#[derive(Serialize, ToSchema)]
pub struct NotRatedView {
    pub enterprise_id: i64,
    pub enterprise_name: String,
    /// Why it is not rated, in Chinese.
    pub reason: String,
    /// The same in English.
    pub reason_en: String,
}

#[derive(Serialize, ToSchema)]
pub struct EvaluationView {
    pub park_id: i64,
    pub year: i32,
    pub scheme_set_by_park: bool,
    pub rated: Vec<RatingView>,
    pub not_rated: Vec<NotRatedView>,
    /// Enterprises per class.
    pub classes: BTreeMap<Class, usize>,
}

/// The evaluation's view: ratings best first with land in m² and 亩, classes counted.
pub fn evaluation_view(park_id: i64, year: i32, r: &Rated, set: bool) -> EvaluationView {
    let name = |id: i64| r.names.get(&id).cloned().unwrap_or_default();
    let rated: Vec<RatingView> = r
        .evaluation
        .rated
        .iter()
        .map(|x| {
            let m2 = r.land_m2.get(&x.enterprise_id).copied().unwrap_or(0.0);
            RatingView {
                enterprise_id: x.enterprise_id,
                enterprise_name: name(x.enterprise_id),
                land_m2: round_to(m2, 2),
                land_mu: round_to(m2_to_mu(m2), 4),
                scheme: if x.full_scheme { "full" } else { "small" },
                score: x.score,
                class: x.class,
                class_name: x.class.label_zh(),
                rank: x.rank,
                terms: x.terms.clone(),
            }
        })
        .collect();
    let mut classes: BTreeMap<Class, usize> = [Class::A, Class::B, Class::C, Class::D]
        .into_iter()
        .map(|c| (c, 0))
        .collect();
    for x in &rated {
        *classes.entry(x.class).or_default() += 1;
    }
    EvaluationView {
        park_id,
        year,
        scheme_set_by_park: set,
        not_rated: r
            .evaluation
            .not_rated
            .iter()
            .map(|(id, why)| NotRatedView {
                enterprise_id: *id,
                enterprise_name: name(*id),
                reason: why.zh.clone(),
                reason_en: why.en.clone(),
            })
            .collect(),
        rated,
        classes,
    }
}
