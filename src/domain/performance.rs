//! 亩均论英雄: an enterprise's yearly figures per 亩 of land, its score by a park's weights and
//! benchmarks, and its class (A 优先发展, B 提升发展, C 调控帮扶, D 倒逼整治).
//!
//! - Score = Σ (value ÷ benchmark × weight) over the scheme's indicators (`shared/domain.md`),
//!   each term capped at `cap_ratio` × its weight (default 1: a term never gives more than its
//!   weight, so one indicator cannot carry the score).
//! - A figure not reported is not a zero: under the scheme's `missing` rule (default
//!   `average`) the term scores the average value of the enterprises that reported it, and says
//!   so; `zero` scores nothing. A divisor truly reported as zero (no emissions, no energy)
//!   is the best possible and scores the capped maximum — never 0.
//! - Enterprises not yet producing a full year are 未参评 with the reason: production recorded
//!   after the year began, or none recorded while the contract's production date is after it.
//! - Above-scale enterprises (规上) use the full scheme; the others in scope use the small
//!   scheme (default 亩均税收 50 + tax per kWh 50).
//! - In scope: at least `min_land_mu` 亩 of land in the park, or above scale.
//! - Classes by score thresholds, or by rank shares (A top 20 %, B next 40 % …). Equal scores
//!   always get the same class: at a boundary the tie goes to the better class.

use super::FieldError;
use super::words::{Words, words};
use chrono::Datelike;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// An enterprise's figures for a year (whole 元, 吨标煤, 吨, kWh, people).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct YearFigures {
    pub revenue_yuan: i64,
    pub tax_yuan: i64,
    pub value_added_yuan: i64,
    /// Energy use, 吨标准煤; `None`: not reported (not the same as 0).
    pub energy_tce: Option<f64>,
    /// Emissions (主要污染物排放当量), 吨; `None`: not reported.
    pub emissions_t: Option<f64>,
    /// Electricity, kWh; `None`: not reported.
    pub electricity_kwh: Option<f64>,
    pub rd_yuan: i64,
    /// Average staff (年平均职工人数).
    pub staff: i64,
}

/// The figures checked on the way in; `field` prefixes the names (a spreadsheet row).
pub fn check_figures(f: &YearFigures, prefix: &str) -> Vec<FieldError> {
    let mut e = Vec::new();
    let at = |name: &str| {
        if prefix.is_empty() {
            name.to_owned()
        } else {
            format!("{prefix}.{name}")
        }
    };
    for (name, v) in [
        ("revenue_wan_yuan", f.revenue_yuan),
        ("tax_wan_yuan", f.tax_yuan),
        ("value_added_wan_yuan", f.value_added_yuan),
        ("rd_wan_yuan", f.rd_yuan),
    ] {
        if !(0..=super::supply::MAX_YUAN).contains(&v) {
            e.push(
                FieldError::new(
                    at(name),
                    format!(
                        "must be 0 or more (and at most 10 万亿元), got {} 万元",
                        v as f64 / 10_000.0
                    ),
                )
                .zh(format!(
                    "须为 0 或以上（至多 10 万亿元），收到 {} 万元",
                    v as f64 / 10_000.0
                )),
            );
        }
    }
    for (name, v, max) in [
        ("energy_tce", f.energy_tce, 1e8),
        ("emissions_t", f.emissions_t, 1e8),
        ("electricity_kwh", f.electricity_kwh, 1e12),
    ] {
        if let Some(v) = v
            && !(v.is_finite() && (0.0..=max).contains(&v))
        {
            e.push(
                FieldError::new(at(name), format!("must be 0 to {max:e}, got {v}"))
                    .zh(format!("须为 0 至 {max:e}，收到 {v}")),
            );
        }
    }
    if !(0..=1_000_000).contains(&f.staff) {
        e.push(
            FieldError::new(
                at("staff"),
                format!("must be 0 to 1,000,000 people, got {}", f.staff),
            )
            .zh(format!("须为 0 至 1,000,000 人，收到 {}", f.staff)),
        );
    }
    if f.rd_yuan > f.revenue_yuan {
        e.push(
            FieldError::new(at("rd_wan_yuan"), "R&D spending cannot exceed revenue")
                .zh("研发经费不能超过营业收入"),
        );
    }
    if f.tax_yuan > f.revenue_yuan.max(f.value_added_yuan) {
        e.push(
            FieldError::new(
                at("tax_wan_yuan"),
                "tax paid cannot exceed both revenue and value added",
            )
            .zh("实缴税金不能同时超过营业收入和增加值"),
        );
    }
    e
}

/// The indicators of 亩均效益 evaluation.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Indicator {
    /// 亩均税收, 万元/亩.
    TaxPerMu,
    /// 亩均增加值, 万元/亩.
    ValueAddedPerMu,
    /// 单位能耗增加值, 万元/吨标煤.
    ValueAddedPerEnergy,
    /// 单位排放增加值, 万元/吨.
    ValueAddedPerEmission,
    /// 全员劳动生产率, 万元/人.
    LabourProductivity,
    /// 研发经费占营业收入比重, %.
    RdShare,
    /// 单位电耗税收, 元/kWh (the small-enterprise scheme).
    TaxPerKwh,
}

impl Indicator {
    pub const ALL: [Indicator; 7] = [
        Self::TaxPerMu,
        Self::ValueAddedPerMu,
        Self::ValueAddedPerEnergy,
        Self::ValueAddedPerEmission,
        Self::LabourProductivity,
        Self::RdShare,
        Self::TaxPerKwh,
    ];

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::TaxPerMu => "亩均税收",
            Self::ValueAddedPerMu => "亩均增加值",
            Self::ValueAddedPerEnergy => "单位能耗增加值",
            Self::ValueAddedPerEmission => "单位排放增加值",
            Self::LabourProductivity => "全员劳动生产率",
            Self::RdShare => "研发经费投入强度",
            Self::TaxPerKwh => "单位电耗税收",
        }
    }

    pub fn unit(self) -> &'static str {
        match self {
            Self::TaxPerMu | Self::ValueAddedPerMu => "万元/亩",
            Self::ValueAddedPerEnergy => "万元/吨标煤",
            Self::ValueAddedPerEmission => "万元/吨",
            Self::LabourProductivity => "万元/人",
            Self::RdShare => "%",
            Self::TaxPerKwh => "元/kWh",
        }
    }

    /// The indicator's reading of the figures.
    pub fn value(self, f: &YearFigures, land_mu: f64) -> Reading {
        let wan = |y: i64| y as f64 / 10_000.0;
        let per = |num: f64, den: Option<f64>, missing: &'static str| match den {
            None => Reading::Missing(missing),
            Some(d) if d > 0.0 => Reading::Value(num / d),
            // Nothing to divide by, but something reported: the best possible.
            Some(_) if num > 0.0 => Reading::Unbounded,
            Some(_) => Reading::Value(0.0),
        };
        // Land, staff and revenue of 0 mean there is nothing to rate on, not the best.
        let some = |v: f64| (v > 0.0).then_some(v);
        match self {
            Self::TaxPerMu => per(wan(f.tax_yuan), some(land_mu), "no land"),
            Self::ValueAddedPerMu => per(wan(f.value_added_yuan), some(land_mu), "no land"),
            Self::ValueAddedPerEnergy => per(
                wan(f.value_added_yuan),
                f.energy_tce,
                "no energy use reported",
            ),
            Self::ValueAddedPerEmission => per(
                wan(f.value_added_yuan),
                f.emissions_t,
                "no emissions reported",
            ),
            Self::LabourProductivity => per(
                wan(f.value_added_yuan),
                some(f.staff as f64),
                "no staff reported",
            ),
            Self::RdShare => per(
                f.rd_yuan as f64 * 100.0,
                some(f.revenue_yuan as f64),
                "no revenue reported",
            ),
            Self::TaxPerKwh => per(
                f.tax_yuan as f64,
                f.electricity_kwh,
                "no electricity use reported",
            ),
        }
    }
}

/// What an indicator comes to for one enterprise.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Reading {
    Value(f64),
    /// Its divisor was reported as zero (no emissions, no energy) with something to show: the
    /// best possible, so the capped maximum.
    Unbounded,
    /// A figure was not reported (or there is no land, staff or revenue to rate on).
    Missing(&'static str),
}

/// How a term whose figure was not reported scores.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MissingRule {
    /// The average value of the enterprises that reported it (the usual rule of the 亩均
    /// schemes: a missing figure neither rewards nor punishes).
    #[default]
    Average,
    /// Nothing: a scheme that wants reporting enforced.
    Zero,
}

/// How classes are drawn.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case", tag = "by")]
pub enum ClassRule {
    /// A at or above `a`, B at or above `b`, C at or above `c`, D below.
    Thresholds { a: f64, b: f64, c: f64 },
    /// Shares of the rated enterprises, best first, percent: A, B, C (D the rest).
    RankShares { a_pct: f64, b_pct: f64, c_pct: f64 },
}

/// A park's evaluation scheme for a year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Scheme {
    /// Weights of the full scheme (above-scale enterprises), summing to 100.
    pub weights: BTreeMap<Indicator, f64>,
    /// Weights of the small-enterprise scheme, summing to 100.
    pub small_weights: BTreeMap<Indicator, f64>,
    /// The benchmark value (基准值) of each indicator used.
    pub benchmarks: BTreeMap<Indicator, f64>,
    /// Each term is capped at this multiple of its weight; absent: 1, the weight itself.
    #[serde(default)]
    pub cap_ratio: Option<f64>,
    /// How a figure not reported scores: `average` (default) or `zero`.
    #[serde(default)]
    pub missing: MissingRule,
    pub classes: ClassRule,
    /// In scope: at least this much land in the park, 亩 …
    pub min_land_mu: f64,
    /// … or above scale (规上), whatever its land.
    pub include_above_scale: bool,
}

impl Scheme {
    /// The cap of every term, as a multiple of its weight.
    pub fn cap(&self) -> f64 {
        self.cap_ratio.unwrap_or(1.0)
    }

    /// The weighting of `shared/domain.md` (Zhejiang, 台州黄岩) with the 2021 benchmarks it
    /// quotes where it quotes them; a park sets its own each year.
    pub fn default_for() -> Self {
        use Indicator::*;
        Scheme {
            weights: BTreeMap::from([
                (TaxPerMu, 30.0),
                (ValueAddedPerMu, 20.0),
                (ValueAddedPerEnergy, 20.0),
                (ValueAddedPerEmission, 10.0),
                (LabourProductivity, 10.0),
                (RdShare, 10.0),
            ]),
            small_weights: BTreeMap::from([(TaxPerMu, 50.0), (TaxPerKwh, 50.0)]),
            benchmarks: BTreeMap::from([
                (TaxPerMu, 26.01),
                (ValueAddedPerMu, 100.0),
                (ValueAddedPerEnergy, 2.0),
                (ValueAddedPerEmission, 50.0),
                (LabourProductivity, 20.0),
                (RdShare, 3.0),
                (TaxPerKwh, 0.5),
            ]),
            cap_ratio: None,
            missing: MissingRule::Average,
            classes: ClassRule::RankShares {
                a_pct: 20.0,
                b_pct: 40.0,
                c_pct: 35.0,
            },
            min_land_mu: 3.0,
            include_above_scale: true,
        }
    }

    /// Weights that sum to 100, a benchmark above 0 for each indicator weighted, ordered
    /// thresholds or shares within 100 %.
    pub fn check(&self) -> Vec<FieldError> {
        let mut e = Vec::new();
        for (name, w) in [
            ("weights", &self.weights),
            ("small_weights", &self.small_weights),
        ] {
            let sum: f64 = w.values().sum();
            if (sum - 100.0).abs() > 1e-6 {
                e.push(
                    FieldError::new(name, format!("weights must sum to 100, these sum to {sum}"))
                        .zh(format!("权重之和须为 100，现为 {sum}")),
                );
            }
            for (i, v) in w {
                if !(v.is_finite() && *v > 0.0) {
                    e.push(
                        FieldError::new(
                            format!(
                                "{name}.{}",
                                serde_json::to_value(i)
                                    .ok()
                                    .and_then(|v| v.as_str().map(str::to_owned))
                                    .unwrap_or_default()
                            ),
                            format!("a weight is above 0, got {v}"),
                        )
                        .zh(format!("权重须大于 0，收到 {v}")),
                    );
                }
                match self.benchmarks.get(i) {
                    Some(b) if b.is_finite() && *b > 0.0 => {}
                    _ => e.push(
                        FieldError::new(
                            "benchmarks",
                            format!("{} is weighted but has no benchmark above 0", i.label_zh()),
                        )
                        .zh(format!("{} 设有权重，但没有大于 0 的基准值", i.label_zh())),
                    ),
                }
            }
        }
        if let Some(c) = self.cap_ratio
            && !(c.is_finite() && c >= 1.0)
        {
            e.push(
                FieldError::new(
                    "cap_ratio",
                    format!("a cap is at least 1 × the weight, got {c}"),
                )
                .zh(format!("封顶倍数至少为权重的 1 倍，收到 {c}")),
            );
        }
        match self.classes {
            ClassRule::Thresholds { a, b, c } if !(a > b && b > c && c >= 0.0) => {
                e.push(
                    FieldError::new(
                        "classes",
                        format!("thresholds must fall: A {a} > B {b} > C {c} ≥ 0"),
                    )
                    .zh(format!("分类阈值须依次下降：A {a} > B {b} > C {c} ≥ 0")),
                );
            }
            ClassRule::RankShares {
                a_pct,
                b_pct,
                c_pct,
            } if !([a_pct, b_pct, c_pct].iter().all(|p| *p >= 0.0)
                && a_pct + b_pct + c_pct <= 100.0) =>
            {
                e.push(FieldError::new("classes", format!("shares are 0 or more and together at most 100 %: {a_pct} + {b_pct} + {c_pct}")).zh(format!("各类占比须为 0 或以上，合计至多 100 %：{a_pct} + {b_pct} + {c_pct}")));
            }
            _ => {}
        }
        if !(self.min_land_mu.is_finite() && self.min_land_mu >= 0.0) {
            e.push(
                FieldError::new(
                    "min_land_mu",
                    format!("must be 0 or more, got {}", self.min_land_mu),
                )
                .zh(format!("须为 0 或以上，收到 {}", self.min_land_mu)),
            );
        }
        e
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, ToSchema)]
pub enum Class {
    A,
    B,
    C,
    D,
}

impl Class {
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::A => "A类（优先发展）",
            Self::B => "B类（提升发展）",
            Self::C => "C类（调控帮扶）",
            Self::D => "D类（倒逼整治）",
        }
    }
}

/// One term of a score, explaining itself.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Term {
    pub indicator: Indicator,
    pub name: &'static str,
    pub unit: &'static str,
    /// `null` when the figure cannot be computed or is unbounded (see `note`).
    pub value: Option<f64>,
    /// For a figure not reported: the value scored instead (the average of those who
    /// reported it, under the scheme's `missing` rule).
    pub imputed: Option<f64>,
    pub benchmark: f64,
    pub weight: f64,
    /// value ÷ benchmark × weight (capped), to two decimals.
    pub points: f64,
    pub note: Option<String>,
}

/// An enterprise to rate in a park for a year.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub enterprise_id: i64,
    pub above_scale: bool,
    /// Land it uses in the park, 亩 (supplied parcels, plus its share of leased workshops).
    pub land_mu: f64,
    pub figures: Option<YearFigures>,
    pub production: Production,
}

/// Whether an enterprise produced through the year, as its land contracts say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Production {
    /// No land contract says otherwise (a tenant of a workshop, or a contract with no
    /// production date): rated on its figures.
    Unknown,
    /// Production recorded from this day (the earliest of its contracts).
    Since(chrono::NaiveDate),
    /// No production recorded; the contract's production date is this day.
    Due(chrono::NaiveDate),
}

impl Production {
    /// Why an enterprise is 未参评 for `year` because it was not producing all of it.
    pub fn not_a_full_year(self, year: i32) -> Option<Words> {
        let first = chrono::NaiveDate::from_ymd_opt(year, 1, 1)?;
        match self {
            Self::Since(d) if d > first => Some(words!(
                "未参评：{d} 才投产，{year} 年不满一整年",
                "未参评: in production only since {d}, less than the full year {year}"
            )),
            Self::Due(d) if d > first => Some(words!(
                "未参评：尚未投产（在建，约定 {d} 投产）",
                "未参评: not yet producing (under construction; production agreed for {d})"
            )),
            _ => None,
        }
    }
}

/// A rated enterprise.
#[derive(Debug, Clone, PartialEq)]
pub struct Rating {
    pub enterprise_id: i64,
    /// `false`: the small-enterprise scheme.
    pub full_scheme: bool,
    pub score: f64,
    pub terms: Vec<Term>,
    pub class: Class,
    /// 1 is the best.
    pub rank: usize,
}

/// The outcome for a park and year: who is rated, who is not and why.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Evaluation {
    pub rated: Vec<Rating>,
    pub not_rated: Vec<(i64, Words)>,
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// The terms and score of one enterprise under `weights`; `averages` are the values of the
/// enterprises that reported each indicator, for the scheme's `missing` rule.
pub fn score(
    scheme: &Scheme,
    weights: &BTreeMap<Indicator, f64>,
    f: &YearFigures,
    land_mu: f64,
    averages: &BTreeMap<Indicator, f64>,
) -> (f64, Vec<Term>) {
    let terms: Vec<Term> = weights
        .iter()
        .map(|(ind, weight)| {
            let benchmark = scheme.benchmarks.get(ind).copied().unwrap_or(0.0);
            let cap = scheme.cap() * weight;
            let points = |v: f64| {
                if benchmark > 0.0 {
                    (v / benchmark * weight).min(cap)
                } else {
                    0.0
                }
            };
            let (value, imputed, raw, note) = match ind.value(f, land_mu) {
                Reading::Value(v) => (Some(v), None, points(v), None),
                Reading::Unbounded => (
                    None,
                    None,
                    cap,
                    Some("reported as zero: the best possible, full points".to_owned()),
                ),
                Reading::Missing(why) => match (scheme.missing, averages.get(ind)) {
                    (MissingRule::Average, Some(avg)) => (
                        None,
                        Some(round4(*avg)),
                        points(*avg),
                        Some(format!(
                            "{why}: scored at the average of those who reported it"
                        )),
                    ),
                    _ => (None, None, 0.0, Some(why.to_owned())),
                },
            };
            Term {
                indicator: *ind,
                name: ind.label_zh(),
                unit: ind.unit(),
                value: value.map(round4),
                imputed,
                benchmark,
                weight: *weight,
                points: round2(raw),
                note,
            }
        })
        .collect();
    (round2(terms.iter().map(|t| t.points).sum()), terms)
}

fn round4(v: f64) -> f64 {
    (v * 10_000.0).round() / 10_000.0
}

/// The average value of each indicator over the enterprises with a value for it.
fn averages(rated: &[(&Candidate, &YearFigures)]) -> BTreeMap<Indicator, f64> {
    Indicator::ALL
        .into_iter()
        .filter_map(|ind| {
            let values: Vec<f64> = rated
                .iter()
                .filter_map(|(c, f)| match ind.value(f, c.land_mu) {
                    Reading::Value(v) => Some(v),
                    _ => None,
                })
                .collect();
            (!values.is_empty()).then(|| (ind, values.iter().sum::<f64>() / values.len() as f64))
        })
        .collect()
}

/// Rate a park's enterprises for `year`.
pub fn evaluate(scheme: &Scheme, candidates: &[Candidate], year: i32) -> Evaluation {
    let mut out = Evaluation::default();
    let mut to_score: Vec<(&Candidate, &YearFigures)> = Vec::new();
    for c in candidates {
        let in_scope =
            c.land_mu >= scheme.min_land_mu || (scheme.include_above_scale && c.above_scale);
        if !in_scope {
            let (mu, min) = (c.land_mu, scheme.min_land_mu);
            out.not_rated.push((
                c.enterprise_id,
                words!(
                    "不在评价范围：用地 {mu:.2} 亩（至少 {min} 亩），且非规上企业",
                    "out of scope: {mu:.2} 亩 of land (at least {min} 亩), not above scale"
                ),
            ));
            continue;
        }
        if let Some(why) = c.production.not_a_full_year(year) {
            out.not_rated.push((c.enterprise_id, why));
            continue;
        }
        let Some(f) = &c.figures else {
            out.not_rated.push((
                c.enterprise_id,
                Words::new("该年度未报送数据", "no figures reported for the year"),
            ));
            continue;
        };
        if c.land_mu <= 0.0 {
            out.not_rated.push((
                c.enterprise_id,
                Words::new(
                    "规上企业，但在园区内无用地",
                    "above scale but uses no land in the park",
                ),
            ));
            continue;
        }
        to_score.push((c, f));
    }
    let averages = averages(&to_score);
    let mut scored: Vec<(i64, bool, f64, Vec<Term>)> = Vec::new();
    for (c, f) in to_score {
        let weights = if c.above_scale {
            &scheme.weights
        } else {
            &scheme.small_weights
        };
        let (s, terms) = score(scheme, weights, f, c.land_mu, &averages);
        scored.push((c.enterprise_id, c.above_scale, s, terms));
    }
    scored.sort_by(|a, b| b.2.total_cmp(&a.2).then(a.0.cmp(&b.0)));
    let n = scored.len();
    let class_at = |i: usize, s: f64, scores: &[f64]| -> Class {
        match scheme.classes {
            ClassRule::Thresholds { a, b, c } => match s {
                s if s >= a => Class::A,
                s if s >= b => Class::B,
                s if s >= c => Class::C,
                _ => Class::D,
            },
            ClassRule::RankShares {
                a_pct,
                b_pct,
                c_pct,
            } => {
                // The rank that decides is the best rank among equal scores.
                let first = scores.iter().position(|x| *x == s).unwrap_or(i);
                let cut = |pct: f64| (n as f64 * pct / 100.0).round() as usize;
                let (ca, cb, cc) = (cut(a_pct), cut(a_pct + b_pct), cut(a_pct + b_pct + c_pct));
                match first {
                    r if r < ca => Class::A,
                    r if r < cb => Class::B,
                    r if r < cc => Class::C,
                    _ => Class::D,
                }
            }
        }
    };
    let scores: Vec<f64> = scored.iter().map(|s| s.2).collect();
    for (i, (id, full, s, terms)) in scored.into_iter().enumerate() {
        let rank = scores.iter().position(|x| *x == s).unwrap_or(i) + 1;
        out.rated.push(Rating {
            enterprise_id: id,
            full_scheme: full,
            score: s,
            class: class_at(i, s, &scores),
            rank,
            terms,
        });
    }
    out
}

/// A year for 亩均 data: 2000 to this year (figures of a year to come do not exist yet).
pub fn check_year(year: i32, today: chrono::NaiveDate) -> Result<i32, FieldError> {
    if (2000..=today.year()).contains(&year) {
        Ok(year)
    } else {
        Err(FieldError::new(
            "year",
            format!(
                "{year} is not a year with figures: 2000 to {}",
                today.year()
            ),
        )
        .zh(format!(
            "{year} 不是有数据的年份：应为 2000 至 {}",
            today.year()
        )))
    }
}

/// One row of a figures sheet, checked, with the credit code that names its enterprise.
#[derive(Debug, Clone, PartialEq)]
pub struct FigureRow {
    /// The row in the sheet (the header is row 1).
    pub row: usize,
    pub uscc: String,
    pub name: Option<String>,
    pub figures: YearFigures,
}

/// Figures are recorded for enterprises of the directory (`known`: those of `ids` it has).
pub fn check_known_enterprises(ids: &[i64], known: &[i64]) -> Result<(), FieldError> {
    match ids.iter().find(|id| !known.contains(id)) {
        Some(missing) => Err(FieldError::new(
            "enterprise_id",
            format!("enterprise {missing} does not exist"),
        )
        .zh(format!("企业 {missing} 不存在"))),
        None => Ok(()),
    }
}

/// The rows of a sheet whose credit code names no enterprise of the directory (`ids`: the
/// registered ones, by code), each with its row number.
pub fn unknown_rows(
    rows: &[FigureRow],
    ids: &std::collections::HashMap<String, i64>,
) -> Vec<super::register::Rejection> {
    rows.iter()
        .filter(|r| !ids.contains_key(&r.uscc))
        .map(|r| super::register::Rejection {
            feature: r.row,
            code: Some(r.uscc.clone()),
            reasons: vec![format!(
                "row {}, column 统一社会信用代码: no enterprise with the credit code {} is registered",
                r.row, r.uscc
            )],
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figures(
        tax_wan: i64,
        va_wan: i64,
        energy: f64,
        emissions: f64,
        staff: i64,
        rd_wan: i64,
        revenue_wan: i64,
    ) -> YearFigures {
        YearFigures {
            revenue_yuan: revenue_wan * 10_000,
            tax_yuan: tax_wan * 10_000,
            value_added_yuan: va_wan * 10_000,
            energy_tce: Some(energy),
            emissions_t: Some(emissions),
            electricity_kwh: None,
            rd_yuan: rd_wan * 10_000,
            staff,
        }
    }

    /// Benchmarks chosen round so the example can be worked by hand.
    fn scheme(classes: ClassRule) -> Scheme {
        use Indicator::*;
        Scheme {
            benchmarks: BTreeMap::from([
                (TaxPerMu, 20.0),
                (ValueAddedPerMu, 100.0),
                (ValueAddedPerEnergy, 2.0),
                (ValueAddedPerEmission, 50.0),
                (LabourProductivity, 20.0),
                (RdShare, 3.0),
                (TaxPerKwh, 0.5),
            ]),
            classes,
            ..Scheme::default_for()
        }
    }

    #[test]
    fn a_hand_worked_score() {
        // 50 亩; tax 1000 万 (20/亩: 1 × 30 = 30); VA 4000 万 (80/亩: 0.8 × 20 = 16);
        // energy 2500 tce (1.6: 0.8 × 20 = 16); emissions 100 t (40: 0.8 × 10 = 8);
        // 250 staff (16: 0.8 × 10 = 8); R&D 600 of 20000 万 (3 %: 1 × 10 = 10). Total 88.
        let f = figures(1_000, 4_000, 2_500.0, 100.0, 250, 600, 20_000);
        let s = scheme(ClassRule::Thresholds {
            a: 100.0,
            b: 80.0,
            c: 60.0,
        });
        let (total, terms) = score(&s, &s.weights, &f, 50.0, &none());
        assert_eq!(total, 88.0);
        let points: Vec<f64> = terms.iter().map(|t| t.points).collect();
        assert_eq!(
            points,
            [30.0, 16.0, 16.0, 8.0, 8.0, 10.0],
            "in the order of the Indicator enum"
        );
        assert_eq!(terms[0].value, Some(20.0));
        assert_eq!(
            (
                terms[0].name,
                terms[0].unit,
                terms[0].benchmark,
                terms[0].weight
            ),
            ("亩均税收", "万元/亩", 20.0, 30.0)
        );
        // A term never gives more than its weight unless the scheme declares a higher cap:
        // ten times the benchmark tax is 30 points of a 30-point weight, not 300.
        let rich = figures(10_000, 4_000, 2_500.0, 100.0, 250, 600, 20_000);
        assert_eq!(
            score(&s, &s.weights, &rich, 50.0, &none()).1[0].points,
            30.0
        );
        let capped = Scheme {
            cap_ratio: Some(1.5),
            ..s.clone()
        };
        assert_eq!(
            score(&capped, &capped.weights, &rich, 50.0, &none()).1[0].points,
            45.0
        );
    }

    fn none() -> BTreeMap<Indicator, f64> {
        BTreeMap::new()
    }

    /// A missing emission figure scores the average of those who reported it; a true zero
    /// scores the capped maximum; the scheme may declare that missing scores nothing.
    #[test]
    fn a_missing_and_a_zero_emission_figure_are_not_the_same() {
        let s = scheme(ClassRule::Thresholds {
            a: 100.0,
            b: 80.0,
            c: 60.0,
        });
        let averages = BTreeMap::from([(Indicator::ValueAddedPerEmission, 25.0)]);
        let missing = YearFigures {
            emissions_t: None,
            ..figures(1_000, 4_000, 2_500.0, 0.0, 250, 600, 20_000)
        };
        let (total, terms) = score(&s, &s.weights, &missing, 50.0, &averages);
        // 25 万元/吨 against a benchmark of 50 × weight 10 = 5 points.
        assert_eq!(
            (terms[3].points, terms[3].imputed, terms[3].value),
            (5.0, Some(25.0), None)
        );
        assert!(
            terms[3]
                .note
                .as_deref()
                .unwrap()
                .contains("no emissions reported")
        );
        assert_eq!(total, 85.0);
        let zero = figures(1_000, 4_000, 2_500.0, 0.0, 250, 600, 20_000);
        let (total, terms) = score(&s, &s.weights, &zero, 50.0, &averages);
        assert_eq!(
            terms[3].points, 10.0,
            "zero emissions: the full capped weight"
        );
        assert_eq!(total, 90.0);
        let strict = Scheme {
            missing: MissingRule::Zero,
            ..s.clone()
        };
        let (total, terms) = score(&strict, &strict.weights, &missing, 50.0, &averages);
        assert_eq!((terms[3].points, total), (0.0, 80.0));
        // Nothing produced and nothing emitted is no value, not the best.
        let idle = figures(0, 0, 0.0, 0.0, 250, 0, 1);
        assert_eq!(
            Indicator::ValueAddedPerEmission.value(&idle, 50.0),
            Reading::Value(0.0)
        );
    }

    fn candidate(id: i64, above: bool, land: f64, f: Option<YearFigures>) -> Candidate {
        Candidate {
            enterprise_id: id,
            above_scale: above,
            land_mu: land,
            figures: f,
            production: Production::Unknown,
        }
    }

    #[test]
    fn scope_and_classes_by_threshold() {
        let s = scheme(ClassRule::Thresholds {
            a: 100.0,
            b: 80.0,
            c: 60.0,
        });
        let good = figures(1_000, 4_000, 2_500.0, 100.0, 250, 600, 20_000);
        let small = YearFigures {
            electricity_kwh: Some(1_000_000.0),
            ..figures(30, 100, 50.0, 1.0, 20, 0, 800)
        };
        let e = evaluate(
            &s,
            &[
                candidate(1, true, 50.0, Some(good)),
                candidate(2, false, 2.5, Some(small)),
                candidate(3, true, 1.0, Some(good)),
                candidate(4, false, 12.0, Some(small)),
                candidate(5, false, 12.0, None),
            ],
            2025,
        );
        let rated: Vec<(i64, Class, bool)> = e
            .rated
            .iter()
            .map(|r| (r.enterprise_id, r.class, r.full_scheme))
            .collect();
        // 3: 1 亩 but above scale, so in scope: 4000 万 VA on 1 亩 tops everything — but each
        // term is capped at its weight, so 92, not an A on two runaway terms.
        assert_eq!(
            rated,
            [
                (3, Class::B, true),
                (1, Class::B, true),
                (4, Class::D, false)
            ]
        );
        assert_eq!(e.rated[0].score, 92.0);
        // 4 (small): tax 30 万 on 12 亩 = 2.5/亩 → 2.5/20 × 50 = 6.25; 300,000 元 / 1,000,000 kWh
        // = 0.3 元/kWh → 0.3/0.5 × 50 = 30. Total 36.25.
        assert_eq!(e.rated[2].score, 36.25);
        assert_eq!(e.not_rated.len(), 2);
        assert!(e.not_rated[0].1.zh.contains("2.50 亩"), "{:?}", e.not_rated);
        assert!(e.not_rated[0].1.en.contains("2.50 亩"), "{:?}", e.not_rated);
        assert_eq!(e.not_rated[1].1.en, "no figures reported for the year");
        assert_eq!(e.not_rated[1].1.zh, "该年度未报送数据");
    }

    #[test]
    fn rank_shares_with_a_tie_at_a_boundary() {
        let s = scheme(ClassRule::RankShares {
            a_pct: 20.0,
            b_pct: 40.0,
            c_pct: 35.0,
        });
        // Ten enterprises scoring 30, 27, 27, 24, 21, 18, 15, 12, 9, 6 (by tax per 亩 alone, up
        // to the benchmark so no term is capped; the rest equal). 20 % of 10 = 2 → A ranks
        // 1–2: the two at 27 tie on ranks 2 and 3, both A.
        let make = |id: i64, tax_per_mu: i64| {
            let f = YearFigures {
                tax_yuan: tax_per_mu * 10 * 10_000,
                revenue_yuan: 1_000_000_000,
                ..figures(0, 0, 0.0, 0.0, 0, 0, 100_000)
            };
            candidate(id, true, 10.0, Some(f))
        };
        let taxes = [20, 18, 18, 16, 14, 12, 10, 8, 6, 4];
        let list: Vec<Candidate> = taxes
            .iter()
            .enumerate()
            .map(|(i, t)| make(i as i64 + 1, *t))
            .collect();
        let e = evaluate(&s, &list, 2025);
        let classes: Vec<Class> = e.rated.iter().map(|r| r.class).collect();
        use Class::*;
        // A: ranks 1–2 (+ the tie), B: ranks 3–6, C: ranks 7–10 (60 + 35 = 95 % → 9.5 → 10), D: none left.
        assert_eq!(classes, [A, A, A, B, B, B, C, C, C, C]);
        let ranks: Vec<usize> = e.rated.iter().map(|r| r.rank).collect();
        assert_eq!(
            ranks,
            [1, 2, 2, 4, 5, 6, 7, 8, 9, 10],
            "equal scores share a rank"
        );
    }

    #[test]
    fn schemes_and_figures_are_checked() {
        let mut bad = Scheme::default_for();
        bad.weights.insert(Indicator::TaxPerMu, 35.0);
        bad.classes = ClassRule::Thresholds {
            a: 60.0,
            b: 80.0,
            c: 40.0,
        };
        let fields: Vec<String> = bad.check().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["weights", "classes"]);
        assert!(Scheme::default_for().check().is_empty());
        let neg = YearFigures {
            tax_yuan: -1,
            energy_tce: Some(-2.0),
            ..YearFigures::default()
        };
        let fields: Vec<String> = check_figures(&neg, "row 3")
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["row 3.tax_wan_yuan", "row 3.energy_tce"]);
    }

    #[test]
    fn figures_are_for_enterprises_of_the_directory() {
        assert_eq!(check_known_enterprises(&[1, 2], &[1, 2]), Ok(()));
        let e = check_known_enterprises(&[1, 5, 6], &[1]).unwrap_err();
        assert_eq!(e.message, "enterprise 5 does not exist");
        let row = |row, uscc: &str| FigureRow {
            row,
            uscc: uscc.into(),
            name: None,
            figures: YearFigures::default(),
        };
        let ids = std::collections::HashMap::from([("A".to_owned(), 1)]);
        let unknown = unknown_rows(&[row(2, "A"), row(3, "B"), row(4, "C")], &ids);
        let named: Vec<(usize, Option<&str>)> = unknown
            .iter()
            .map(|r| (r.feature, r.code.as_deref()))
            .collect();
        assert_eq!(named, [(3, Some("B")), (4, Some("C"))]);
        assert!(unknown[0].reasons[0].starts_with("row 3, column 统一社会信用代码"));
    }
}
