//! Land supply (供地) and the dated facts of a supplied parcel's development, with the order
//! they must come in. The idle-land clock and the 五未 classification read the timeline that
//! [`replay`] builds from these facts.

use super::net_land::{Condition, Unmet};
use super::parcel::ParcelStatus;
use super::register::{Parcel, Stamp};
use super::{FieldError, Refusal};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// How the land was supplied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SupplyMethod {
    /// 招标出让
    TransferTender,
    /// 拍卖出让
    TransferAuction,
    /// 挂牌出让
    TransferListing,
    /// 协议出让
    TransferAgreement,
    /// 划拨
    Allocation,
    /// 租赁
    Lease,
    /// 先租后让
    LeaseThenTransfer,
    /// 弹性年期出让
    FlexibleTerm,
}

impl SupplyMethod {
    pub const ALL: [SupplyMethod; 8] = [
        Self::TransferTender,
        Self::TransferAuction,
        Self::TransferListing,
        Self::TransferAgreement,
        Self::Allocation,
        Self::Lease,
        Self::LeaseThenTransfer,
        Self::FlexibleTerm,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::TransferTender => "transfer_tender",
            Self::TransferAuction => "transfer_auction",
            Self::TransferListing => "transfer_listing",
            Self::TransferAgreement => "transfer_agreement",
            Self::Allocation => "allocation",
            Self::Lease => "lease",
            Self::LeaseThenTransfer => "lease_then_transfer",
            Self::FlexibleTerm => "flexible_term",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::TransferTender => "招标出让",
            Self::TransferAuction => "拍卖出让",
            Self::TransferListing => "挂牌出让",
            Self::TransferAgreement => "协议出让",
            Self::Allocation => "划拨",
            Self::Lease => "租赁",
            Self::LeaseThenTransfer => "先租后让",
            Self::FlexibleTerm => "弹性年期出让",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == raw)
    }
}

/// Why development was delayed. The government causes are the list of Article 8 of
/// 《闲置土地处置办法》 (国土资源部令第53号); with them or force majeure no idle-land fee is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DelayCause {
    /// 未按约定的期限、条件交付土地 (Art. 8(1))
    LandNotDelivered,
    /// 土地利用总体规划、城乡规划依法修改 (Art. 8(2))
    PlanChanged,
    /// 国家出台相关政策，需修改规划和建设条件 (Art. 8(3))
    PolicyChanged,
    /// 处置土地上相关群众信访事项 (Art. 8(4))
    Petitions,
    /// 军事管制、文物保护 (Art. 8(5))
    MilitaryOrHeritage,
    /// 政府、政府有关部门的其他行为 (Art. 8(6))
    OtherGovernmentAction,
    /// 自然灾害等不可抗力 (Art. 8, last paragraph)
    ForceMajeure,
    /// 国有建设用地使用权人自身原因
    Holder,
}

impl DelayCause {
    pub const ALL: [DelayCause; 8] = [
        Self::LandNotDelivered,
        Self::PlanChanged,
        Self::PolicyChanged,
        Self::Petitions,
        Self::MilitaryOrHeritage,
        Self::OtherGovernmentAction,
        Self::ForceMajeure,
        Self::Holder,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::LandNotDelivered => "land_not_delivered",
            Self::PlanChanged => "plan_changed",
            Self::PolicyChanged => "policy_changed",
            Self::Petitions => "petitions",
            Self::MilitaryOrHeritage => "military_or_heritage",
            Self::OtherGovernmentAction => "other_government_action",
            Self::ForceMajeure => "force_majeure",
            Self::Holder => "holder",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == raw)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::LandNotDelivered => "政府未按约定交付土地",
            Self::PlanChanged => "规划依法修改",
            Self::PolicyChanged => "国家政策调整",
            Self::Petitions => "群众信访事项",
            Self::MilitaryOrHeritage => "军事管制、文物保护",
            Self::OtherGovernmentAction => "政府及有关部门的其他行为",
            Self::ForceMajeure => "不可抗力",
            Self::Holder => "土地使用权人自身原因",
        }
    }

    /// A cause that excuses the holder: no fee, no recovery without compensation.
    pub fn excuses_holder(self) -> bool {
        self != Self::Holder
    }

    /// The 净地 condition (Art. 21) this government cause (Art. 8) shows was not in fact met
    /// at supply: land not delivered on the agreed terms was not ready to start, a plan or
    /// policy change means the planning conditions were not settled, petitions mean
    /// resettlement was not done. Military control, heritage protection, other government
    /// acts and force majeure point to no condition of the land itself.
    pub fn net_land_condition(self) -> Option<Condition> {
        match self {
            Self::LandNotDelivered => Some(Condition::ReadyToStart),
            Self::PlanChanged | Self::PolicyChanged => Some(Condition::PlanningSet),
            Self::Petitions => Some(Condition::Resettled),
            Self::MilitaryOrHeritage
            | Self::OtherGovernmentAction
            | Self::ForceMajeure
            | Self::Holder => None,
        }
    }
}

/// What counts as the start of development (动工开发) under Article 30.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StartEvidence {
    /// 需挖深基坑的项目，基坑开挖完毕
    PitDug,
    /// 使用桩基的项目，打入所有基础桩
    PilesDriven,
    /// 其他项目，地基施工完成三分之一
    FoundationThird,
}

impl StartEvidence {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PitDug => "pit_dug",
            Self::PilesDriven => "piles_driven",
            Self::FoundationThird => "foundation_third",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Self::PitDug, Self::PilesDriven, Self::FoundationThird]
            .into_iter()
            .find(|e| e.as_str() == raw)
    }
}

/// A land supply record (供地记录): who got the land, how, and what they agreed to.
#[derive(Debug, Clone, PartialEq)]
pub struct Supply {
    pub id: i64,
    pub parcel_id: i64,
    pub park_id: i64,
    pub enterprise_id: i64,
    pub method: SupplyMethod,
    pub contract_no: String,
    pub contract_date: NaiveDate,
    /// Land price (出让或划拨价款), whole 元.
    pub land_price_yuan: i64,
    pub term_years: Option<i32>,
    /// The supplied land area, m²: the parcel's computed area when it was supplied — the
    /// base of the one-third test of rule 2.
    pub land_area_m2: f64,
    /// 约定动工开发日期 as signed (extensions are facts).
    pub agreed_start: NaiveDate,
    /// 约定竣工日期.
    pub agreed_completion: NaiveDate,
    /// 约定投产日期, if the contract sets one.
    pub agreed_production: Option<NaiveDate>,
    /// Total investment agreed (总投资额), whole 元 — the base of the 25 % test.
    pub total_investment_yuan: Option<i64>,
    /// Agreed 标准地 indicators.
    pub indicators: Indicators,
    /// 违约金: the share of the land price owed per day of late start or completion, ‰.
    pub penalty_per_mille: f64,
    /// 达产违约金: the share of the land price owed for a 100 % shortfall at the 达产复核,
    /// percent; a smaller shortfall owes its proportion (`domain::capacity`). None: the
    /// contract agrees none.
    pub shortfall_penalty_pct: Option<f64>,
    /// When the supply ended (land recovered, lease ended), and why; `None` while in force.
    pub ended_on: Option<NaiveDate>,
    pub ended_reason: Option<String>,
    pub version: i64,
    pub created: super::register::Stamp,
    pub updated: super::register::Stamp,
}

impl Supply {
    /// Whether the supply was in force on `day`: signed by then and not yet ended.
    pub fn in_force_on(&self, day: NaiveDate) -> bool {
        self.contract_date <= day && self.ended_on.is_none_or(|end| end > day)
    }

    /// The supply ended on `date` (land recovered, a term run out): not twice, not before its
    /// contract nor before its last recorded fact (`last_fact`). The ended supply, one version on.
    pub fn end(
        &self,
        date: NaiveDate,
        reason: &str,
        last_fact: Option<NaiveDate>,
        stamp: &Stamp,
    ) -> Result<Supply, Refusal> {
        if self.ended_on.is_some() {
            return Err(Refusal::conflict_in(
                format!("land supply {} has already ended", self.id),
                format!("供地 {} 已经终止", self.id),
            ));
        }
        if date < self.contract_date {
            return Err(FieldError::new(
                "date",
                format!("{date} is before the contract of {}", self.contract_date),
            )
            .zh(format!("{date} 早于合同签订日 {}", self.contract_date))
            .into());
        }
        if let Some(last) = last_fact
            && date < last
        {
            return Err(FieldError::new(
                "date",
                format!("{date} is before the last recorded fact of {last}"),
            )
            .zh(format!("{date} 早于最近一条已记录事实的日期 {last}"))
            .into());
        }
        let mut ended = self.clone();
        ended.ended_on = Some(date);
        ended.ended_reason = Some(reason.to_owned());
        ended.version += 1;
        ended.updated = stamp.clone();
        Ok(ended)
    }

    /// Ended outside an idle-land case: not while a case is open (`open_case`), since the land
    /// is then handed back through the case.
    pub fn end_outside_case(
        &self,
        open_case: Option<i64>,
        date: NaiveDate,
        reason: &str,
        last_fact: Option<NaiveDate>,
        stamp: &Stamp,
    ) -> Result<Supply, Refusal> {
        if open_case.is_some() {
            return Err(Refusal::conflict_in(
                format!(
                    "land supply {} has an open idle-land case; the land is handed back through that case",
                    self.id
                ),
                format!(
                    "供地 {} 有尚未办结的闲置土地案件；土地须通过该案件收回",
                    self.id
                ),
            ));
        }
        self.end(date, reason, last_fact, stamp)
    }

    /// A fact joins the record of a supply in force, in date order with every other fact
    /// (`facts`, the new one among them).
    pub fn check_facts(&self, facts: &[Fact]) -> Result<(), Refusal> {
        if let Some(end) = self.ended_on {
            return Err(Refusal::conflict_in(
                format!(
                    "land supply {} ended on {end}; its record is closed",
                    self.id
                ),
                format!("供地 {} 已于 {end} 终止，记录已关闭", self.id),
            ));
        }
        replay(self, facts, NaiveDate::MAX)?;
        Ok(())
    }

    /// A holder's request to defer the start (延建) comes at least `notice_days` before the
    /// start agreed on its date (国有建设用地使用权出让合同示范文本: 30 days; the park setting
    /// `extension_notice_days`). `earlier`
    /// are the facts already recorded. Checked when the request is recorded, under the
    /// notice in force then; a later change of the setting does not unmake a record.
    pub fn check_extension_notice(
        &self,
        earlier: &[Fact],
        date: NaiveDate,
        detail: &FactDetail,
        notice_days: u32,
    ) -> Result<(), Refusal> {
        let FactDetail::Extension {
            cause: DelayCause::Holder,
            ..
        } = detail
        else {
            return Ok(());
        };
        let current = replay(self, earlier, date)?
            .agreed_start
            .unwrap_or(self.agreed_start);
        let due = current - chrono::Days::new(u64::from(notice_days));
        if date > due {
            return Err(FieldError::new(
                "date",
                format!(
                    "a holder's request to defer the start (延建) must be made at least {notice_days} days before the agreed start {current}, by {due}; this one is dated {date}"
                ),
            ).zh(format!("土地使用权人申请延期开工（延建）须在约定开工日 {current} 前至少 {notice_days} 日提出，即不晚于 {due}；本申请日期为 {date}"))
            .into());
        }
        Ok(())
    }
}

/// Whether a parcel can be supplied under `draft`: it must be active, not in the land bank,
/// not supplied to anyone now (`in_force`), to an enterprise of the directory
/// (`enterprise_known`), the contract not dated before the end of its previous supply
/// (`last_end`), and the land 净地: `unmet` are the Art. 21 conditions it does not meet
/// (`net_land::unmet`), each named in the refusal.
pub fn check_supplying(
    parcel: &Parcel,
    in_force: Option<&Supply>,
    enterprise_known: bool,
    last_end: Option<NaiveDate>,
    draft: &SupplyDraft,
    unmet: &[Unmet],
) -> Result<(), Refusal> {
    match parcel.status {
        ParcelStatus::Retired => {
            return Err(Refusal::conflict_in(
                format!(
                    "parcel {} is retired; retired parcels cannot be supplied",
                    parcel.code
                ),
                format!("宗地 {} 已注销，注销的宗地不能供应", parcel.code),
            ));
        }
        ParcelStatus::Reserve => {
            return Err(Refusal::conflict_in(
                format!(
                    "parcel {} is reserve land (储备); make it available (可供应) before supplying it",
                    parcel.code
                ),
                format!(
                    "宗地 {} 为储备土地；请先将其转为可供应，再行供应",
                    parcel.code
                ),
            ));
        }
        _ => {}
    }
    if let Some(current) = in_force {
        return Err(Refusal::conflict_in(
            format!(
                "parcel {} is already supplied under contract {} of {} (supply {}); a parcel cannot be supplied twice — end that supply first",
                parcel.code, current.contract_no, current.contract_date, current.id
            ),
            format!(
                "宗地 {} 已按合同 {}（{}，供地 {}）供应；同一宗地不能重复供应，请先终止该次供应",
                parcel.code, current.contract_no, current.contract_date, current.id
            ),
        ));
    }
    if !enterprise_known {
        let message = format!("enterprise {} does not exist", draft.enterprise_id);
        let zh = format!("企业 {} 不存在", draft.enterprise_id);
        return Err(FieldError::both("enterprise_id", message, zh).into());
    }
    if let Some(last_end) = last_end
        && draft.contract_date < last_end
    {
        return Err(FieldError::new(
            "contract_date",
            format!("the parcel's previous supply ended on {last_end}; a new contract cannot be dated before that"),
        ).zh(format!("该宗地上一次供应于 {last_end} 终止；新合同日期不能早于此日"))
        .into());
    }
    if !unmet.is_empty() {
        let each: Vec<String> = unmet.iter().map(Unmet::sentence).collect();
        return Err(Refusal::conflict_in(
            format!(
                "parcel {} is not 净地 and cannot be supplied (《闲置土地处置办法》 Art. 21): {}",
                parcel.code,
                each.join("; ")
            ),
            format!(
                "宗地 {} 不是净地，不能供应（《闲置土地处置办法》第二十一条）：{}",
                parcel.code,
                unmet
                    .iter()
                    .map(Unmet::sentence_zh)
                    .collect::<Vec<_>>()
                    .join("；")
            ),
        ));
    }
    Ok(())
}

/// A parcel with a supply in force (`in_force`) cannot be split, merged or retired: the
/// contract is on it.
pub fn check_not_supplied(code: &str, in_force: Option<&Supply>) -> Result<(), Refusal> {
    match in_force {
        Some(s) => Err(Refusal::conflict_in(
            format!(
                "parcel {code} is supplied under contract {} (supply {}); end the supply before the parcel can be split, merged, retired or taken out of `supplied`",
                s.contract_no, s.id
            ),
            format!(
                "宗地 {code} 正按合同 {}（供地 {}）供应；须先终止供应，才能分宗、合宗、注销或改变其“已供应”状态",
                s.contract_no, s.id
            ),
        )),
        None => Ok(()),
    }
}

/// The terms of a supply contract as submitted (出让合同 or 划拨决定书), before checking.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SupplyTerms {
    /// The land user.
    pub enterprise_id: i64,
    pub method: SupplyMethod,
    /// 合同编号 / 决定书编号, e.g. 南城出让〔2022〕15号.
    pub contract_no: String,
    /// 签订日期 (not in the future).
    pub contract_date: NaiveDate,
    /// 出让或划拨价款, whole 元.
    pub land_price_yuan: i64,
    /// 出让年限 in years; 划拨 has none.
    pub term_years: Option<i32>,
    /// 约定动工开发日期.
    pub agreed_start: NaiveDate,
    /// 约定竣工日期.
    pub agreed_completion: NaiveDate,
    /// 约定投产日期.
    pub agreed_production: Option<NaiveDate>,
    /// 总投资额, whole 元 (the base of the 25 % test of idle land).
    pub total_investment_yuan: Option<i64>,
    /// Agreed 标准地 indicators.
    #[serde(default)]
    pub indicators: Indicators,
    /// 违约金 per day of late start or completion, ‰ of the land price (0 to 10). Default 1,
    /// the model contract's (第三十六条).
    #[serde(default)]
    pub penalty_per_mille: Option<f64>,
    /// 达产违约金 (标准地 contracts): percent of the land price owed for a 100 % shortfall of
    /// an agreed indicator at the 达产复核, proportionally less for a smaller one (0 to 100).
    #[serde(default)]
    pub shortfall_penalty_pct: Option<f64>,
}

/// Checked contract terms; the store adds the parcel and its area.
#[derive(Debug, Clone, PartialEq)]
pub struct SupplyDraft {
    pub enterprise_id: i64,
    pub method: SupplyMethod,
    pub contract_no: String,
    pub contract_date: NaiveDate,
    pub land_price_yuan: i64,
    pub term_years: Option<i32>,
    pub agreed_start: NaiveDate,
    pub agreed_completion: NaiveDate,
    pub agreed_production: Option<NaiveDate>,
    pub total_investment_yuan: Option<i64>,
    pub indicators: Indicators,
    pub penalty_per_mille: f64,
    pub shortfall_penalty_pct: Option<f64>,
}

/// 违约金 per day late, ‰ of the land price, as the model contract (GF-2008-2601 第三十六条)
/// sets it; each supply may agree its own (`domain::penalty`).
pub const MODEL_PENALTY_PER_MILLE: f64 = 1.0;

/// The largest amount of money parkland accepts, 元 (10 万亿): anything above is a typo.
pub const MAX_YUAN: i64 = 10_000_000_000_000;

/// A recorded date: not before 1980 (no land was supplied for payment before) and, for
/// things that happened, not after today.
pub fn check_past_date(field: &str, d: NaiveDate, today: NaiveDate) -> Result<(), FieldError> {
    let earliest = NaiveDate::from_ymd_opt(1980, 1, 1).unwrap_or(NaiveDate::MIN);
    if d < earliest {
        return Err(
            FieldError::new(field, format!("{d} is before 1980 — is the year mistyped?"))
                .zh(format!("{d} 早于 1980 年——年份是否写错？")),
        );
    }
    if d > today {
        return Err(FieldError::new(
            field,
            format!("{d} is in the future (today is {today}): record what has happened"),
        )
        .zh(format!(
            "{d} 尚未到来（今天是 {today}）：只能记录已经发生的事"
        )));
    }
    Ok(())
}

/// Money in whole 元: `min` to [`MAX_YUAN`].
pub fn check_yuan(field: &str, v: i64, min: i64) -> Result<(), FieldError> {
    if v < min || v > MAX_YUAN {
        return Err(
            FieldError::new(field, format!("must be {min} to {MAX_YUAN} 元, got {v}"))
                .zh(format!("须为 {min} 至 {MAX_YUAN} 元，收到 {v}")),
        );
    }
    Ok(())
}

impl SupplyTerms {
    /// Check every term against the others and `today`, naming each problem.
    pub fn check(self, today: NaiveDate) -> Result<SupplyDraft, Vec<FieldError>> {
        let mut e = Vec::new();
        let contract_no = super::codes::parse_text("contract_no", &self.contract_no, 100)
            .map_err(|x| e.push(x))
            .unwrap_or_default();
        if contract_no.is_empty() && !e.iter().any(|x| x.field == "contract_no") {
            e.push(
                FieldError::new(
                    "contract_no",
                    "the contract (or allocation decision) number is required",
                )
                .zh("须填写出让合同（或划拨决定书）编号"),
            );
        }
        if let Err(x) = check_past_date("contract_date", self.contract_date, today) {
            e.push(x);
        }
        let paid = self.method != SupplyMethod::Allocation;
        if let Err(x) = check_yuan("land_price_yuan", self.land_price_yuan, i64::from(paid)) {
            e.push(x);
        }
        match (self.method, self.term_years) {
            (SupplyMethod::Allocation, Some(_)) => {
                e.push(
                    FieldError::new("term_years", "划拨 (allocation) land has no term")
                        .zh("划拨土地没有使用年限"),
                );
            }
            (_, Some(t)) if !(1..=70).contains(&t) => {
                e.push(
                    FieldError::new(
                        "term_years",
                        format!("must be 1 to 70 years (industrial land: at most 50), got {t}"),
                    )
                    .zh(format!("须为 1 至 70 年（工业用地至多 50 年），收到 {t}")),
                );
            }
            _ => {}
        }
        if self.agreed_start < self.contract_date {
            e.push(
                FieldError::new(
                    "agreed_start",
                    format!(
                        "the agreed start {} is before the contract date {}",
                        self.agreed_start, self.contract_date
                    ),
                )
                .zh(format!(
                    "约定开工日 {} 早于合同签订日 {}",
                    self.agreed_start, self.contract_date
                )),
            );
        }
        if self.agreed_completion <= self.agreed_start {
            e.push(
                FieldError::new(
                    "agreed_completion",
                    format!(
                        "the agreed completion {} is not after the agreed start {}",
                        self.agreed_completion, self.agreed_start
                    ),
                )
                .zh(format!(
                    "约定竣工日 {} 不晚于约定开工日 {}",
                    self.agreed_completion, self.agreed_start
                )),
            );
        }
        if let Some(p) = self.agreed_production
            && p < self.agreed_completion
        {
            e.push(
                FieldError::new(
                    "agreed_production",
                    format!(
                        "the agreed production start {p} is before the agreed completion {}",
                        self.agreed_completion
                    ),
                )
                .zh(format!(
                    "约定投产日 {p} 早于约定竣工日 {}",
                    self.agreed_completion
                )),
            );
        }
        let latest = anniversary(self.contract_date, 30);
        for (field, d) in [
            ("agreed_start", Some(self.agreed_start)),
            ("agreed_completion", Some(self.agreed_completion)),
            ("agreed_production", self.agreed_production),
        ] {
            if let Some(d) = d
                && d > latest
            {
                e.push(
                    FieldError::new(
                        field,
                        format!(
                            "{d} is more than 30 years after the contract — is the year mistyped?"
                        ),
                    )
                    .zh(format!("{d} 比合同签订日晚 30 年以上——年份是否写错？")),
                );
            }
        }
        if let Some(v) = self.total_investment_yuan
            && let Err(x) = check_yuan("total_investment_yuan", v, 1)
        {
            e.push(x);
        }
        if let Err(x) = self.indicators.validate("indicators") {
            e.extend(x);
        }
        let penalty_per_mille = self.penalty_per_mille.unwrap_or(MODEL_PENALTY_PER_MILLE);
        if !(penalty_per_mille.is_finite() && (0.0..=10.0).contains(&penalty_per_mille)) {
            e.push(
                FieldError::new(
                    "penalty_per_mille",
                    format!("must be 0 to 10 ‰ of the land price per day, got {penalty_per_mille}"),
                )
                .zh(format!(
                    "每日违约金须为土地出让价款的 0‰ 至 10‰，收到 {penalty_per_mille}"
                )),
            );
        }
        if let Some(p) = self.shortfall_penalty_pct
            && !(p.is_finite() && (0.0..=100.0).contains(&p))
        {
            e.push(
                FieldError::new(
                    "shortfall_penalty_pct",
                    format!("must be 0 to 100 % of the land price, got {p}"),
                )
                .zh(format!("须为土地出让价款的 0 至 100 %，收到 {p}")),
            );
        }
        if !e.is_empty() {
            return Err(e);
        }
        Ok(SupplyDraft {
            enterprise_id: self.enterprise_id,
            method: self.method,
            contract_no,
            contract_date: self.contract_date,
            land_price_yuan: self.land_price_yuan,
            term_years: self.term_years,
            agreed_start: self.agreed_start,
            agreed_completion: self.agreed_completion,
            agreed_production: self.agreed_production,
            total_investment_yuan: self.total_investment_yuan,
            indicators: self.indicators,
            penalty_per_mille,
            shortfall_penalty_pct: self.shortfall_penalty_pct,
        })
    }
}

/// The 标准地 indicators a holder commits to (and what a review measures).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Indicators {
    /// 投资强度, 万元/亩.
    pub investment_intensity_wan_per_mu: Option<f64>,
    /// 容积率.
    pub far: Option<f64>,
    /// 亩均税收, 万元/亩 per year.
    pub tax_per_mu_wan: Option<f64>,
    /// 单位能耗增加值, 万元 of value added per 吨标煤.
    pub value_added_per_energy_wan_per_tce: Option<f64>,
    /// 亩均产值 (revenue per 亩), 万元/亩 per year. A review reads it from the yearly figures.
    #[serde(default)]
    pub output_per_mu_wan: Option<f64>,
    /// 单位排放增加值, 万元 of value added per 吨 of emissions. Read from the yearly figures.
    #[serde(default)]
    pub value_added_per_emission_wan_per_t: Option<f64>,
    /// 研发经费投入强度, R&D as a percentage of revenue. Read from the yearly figures.
    #[serde(default)]
    pub rd_share_pct: Option<f64>,
}

impl Indicators {
    pub fn validate(&self, parent: &str) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut check = |name: &str, v: Option<f64>, max: f64| {
            if let Some(v) = v
                && !(v.is_finite() && v > 0.0 && v <= max)
            {
                errors.push(
                    FieldError::new(
                        format!("{parent}.{name}"),
                        format!("must be above 0 and at most {max}, got {v}"),
                    )
                    .zh(format!("须大于 0 且不超过 {max}，收到 {v}")),
                );
            }
        };
        check(
            "investment_intensity_wan_per_mu",
            self.investment_intensity_wan_per_mu,
            100_000.0,
        );
        check("far", self.far, 20.0);
        check("tax_per_mu_wan", self.tax_per_mu_wan, 100_000.0);
        check(
            "value_added_per_energy_wan_per_tce",
            self.value_added_per_energy_wan_per_tce,
            1_000_000.0,
        );
        check("output_per_mu_wan", self.output_per_mu_wan, 1_000_000.0);
        check(
            "value_added_per_emission_wan_per_t",
            self.value_added_per_emission_wan_per_t,
            1_000_000.0,
        );
        check("rd_share_pct", self.rd_share_pct, 100.0);
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// One dated fact about a supplied parcel's development.
#[derive(Debug, Clone, PartialEq)]
pub struct Fact {
    pub id: i64,
    pub supply_id: i64,
    pub date: NaiveDate,
    pub detail: FactDetail,
    pub note: String,
    pub recorded: super::register::Stamp,
}

#[derive(Debug, Clone, PartialEq)]
pub enum FactDetail {
    /// 施工许可.
    ConstructionPermit { permit_no: String },
    /// 动工开发, with what proves it.
    Start { evidence: StartEvidence },
    /// Developed land area and investment to date (excluding the land price).
    Progress {
        developed_area_m2: f64,
        investment_yuan: i64,
    },
    /// 中止开发建设.
    Stoppage,
    /// 恢复开发建设.
    Resumption,
    /// 延长动工开发期限: a new agreed start date, at most one year later.
    Extension {
        cause: DelayCause,
        new_start: NaiveDate,
    },
    /// The bureau's finding of why development is delayed.
    Attribution { cause: DelayCause },
    /// 竣工, with what was built.
    Completion {
        built_floor_area_m2: Option<f64>,
        building_coefficient_pct: Option<f64>,
    },
    /// 投产.
    Production,
    /// 达产复核: the indicators measured against the agreed ones.
    CapacityReview { measured: Indicators },
}

/// The kinds of fact, as clients name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FactKind {
    ConstructionPermit,
    Start,
    Progress,
    Stoppage,
    Resumption,
    Extension,
    Attribution,
    Completion,
    Production,
    CapacityReview,
}

impl FactKind {
    pub const ALL: [FactKind; 10] = [
        Self::ConstructionPermit,
        Self::Start,
        Self::Progress,
        Self::Stoppage,
        Self::Resumption,
        Self::Extension,
        Self::Attribution,
        Self::Completion,
        Self::Production,
        Self::CapacityReview,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ConstructionPermit => "construction_permit",
            Self::Start => "start",
            Self::Progress => "progress",
            Self::Stoppage => "stoppage",
            Self::Resumption => "resumption",
            Self::Extension => "extension",
            Self::Attribution => "attribution",
            Self::Completion => "completion",
            Self::Production => "production",
            Self::CapacityReview => "capacity_review",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::ConstructionPermit => "取得施工许可",
            Self::Start => "动工开发",
            Self::Progress => "开发进度",
            Self::Stoppage => "中止开发建设",
            Self::Resumption => "恢复开发建设",
            Self::Extension => "延长动工开发期限",
            Self::Attribution => "闲置原因认定",
            Self::Completion => "竣工",
            Self::Production => "投产",
            Self::CapacityReview => "达产复核",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == raw)
    }
}

/// A fact as submitted: its `kind` names the figures it carries, and a fact carries only
/// those (any other field is refused as unknown). Fields marked required may still be left
/// out on the wire; the check then names each one missing (422) rather than failing the read.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum FactTerms {
    /// 施工许可.
    ConstructionPermit {
        /// When it happened (not in the future).
        date: NaiveDate,
        note: Option<String>,
        /// 施工许可证编号.
        #[schema(required = true, nullable = false)]
        permit_no: Option<String>,
    },
    /// 动工开发.
    Start {
        date: NaiveDate,
        note: Option<String>,
        /// What proves the start under Art. 30.
        #[schema(required = true, nullable = false)]
        evidence: Option<StartEvidence>,
    },
    /// Development to date.
    Progress {
        date: NaiveDate,
        note: Option<String>,
        /// Land developed to date, m².
        #[schema(required = true, nullable = false)]
        developed_area_m2: Option<f64>,
        /// Investment to date, whole 元, excluding the land price.
        #[schema(required = true, nullable = false)]
        investment_yuan: Option<i64>,
    },
    /// 中止开发建设.
    Stoppage {
        date: NaiveDate,
        note: Option<String>,
    },
    /// 恢复开发建设.
    Resumption {
        date: NaiveDate,
        note: Option<String>,
    },
    /// 延长动工开发期限.
    Extension {
        date: NaiveDate,
        note: Option<String>,
        /// Why development is delayed.
        #[schema(required = true, nullable = false)]
        cause: Option<DelayCause>,
        /// The new agreed start (at most one year later).
        #[schema(required = true, nullable = false)]
        new_start: Option<NaiveDate>,
    },
    /// The bureau's finding of why development is delayed.
    Attribution {
        date: NaiveDate,
        note: Option<String>,
        /// The cause found.
        #[schema(required = true, nullable = false)]
        cause: Option<DelayCause>,
    },
    /// 竣工.
    Completion {
        date: NaiveDate,
        note: Option<String>,
        /// The floor area built, m² (容积率 = floor area ÷ land area).
        built_floor_area_m2: Option<f64>,
        /// 建筑系数, percent.
        building_coefficient_pct: Option<f64>,
    },
    /// 投产.
    Production {
        date: NaiveDate,
        note: Option<String>,
    },
    /// 达产复核.
    CapacityReview {
        date: NaiveDate,
        note: Option<String>,
        /// The indicators measured.
        #[schema(required = true, nullable = false)]
        measured: Option<Indicators>,
    },
}

impl FactTerms {
    /// The day and note every kind carries.
    fn day_and_note(&self) -> (NaiveDate, Option<&str>) {
        match self {
            Self::ConstructionPermit { date, note, .. }
            | Self::Start { date, note, .. }
            | Self::Progress { date, note, .. }
            | Self::Stoppage { date, note }
            | Self::Resumption { date, note }
            | Self::Extension { date, note, .. }
            | Self::Attribution { date, note, .. }
            | Self::Completion { date, note, .. }
            | Self::Production { date, note }
            | Self::CapacityReview { date, note, .. } => (*date, note.as_deref()),
        }
    }

    /// Check the fact on its own (its order among the others is [`replay`]'s job).
    pub fn check(
        self,
        today: NaiveDate,
    ) -> Result<(NaiveDate, FactDetail, String), Vec<FieldError>> {
        let mut e = Vec::new();
        let (date, note) = self.day_and_note();
        if let Err(x) = check_past_date("date", date, today) {
            e.push(x);
        }
        let note = super::codes::parse_text("note", note.unwrap_or(""), 1000)
            .map_err(|x| e.push(x))
            .unwrap_or_default();
        let needs = |kind: &'static str, field: &str, what: &str, what_zh: &str| {
            FieldError::both(
                field,
                format!("a {kind} fact needs {what}"),
                format!(
                    "“{}”事实须写明{what_zh}",
                    FactKind::parse(kind).map_or(kind, FactKind::label_zh)
                ),
            )
        };
        let detail = match self {
            Self::ConstructionPermit { permit_no, .. } => {
                let raw = permit_no.unwrap_or_default();
                if raw.trim().is_empty() {
                    e.push(needs(
                        "construction_permit",
                        "permit_no",
                        "the permit number",
                        "施工许可证编号",
                    ));
                }
                let permit_no = super::codes::parse_text("permit_no", &raw, 100)
                    .map_err(|x| e.push(x))
                    .unwrap_or_default();
                FactDetail::ConstructionPermit { permit_no }
            }
            Self::Start { evidence, .. } => {
                if evidence.is_none() {
                    e.push(needs(
                        "start",
                        "evidence",
                        "its evidence: pit_dug, piles_driven or foundation_third (Art. 30)",
"开工依据：pit_dug（深基坑开挖完毕）、piles_driven（所有基础桩打入完毕）或 foundation_third（地基施工完成三分之一），见《闲置土地处置办法》第三十条",
                    ));
                }
                FactDetail::Start {
                    evidence: evidence.unwrap_or(StartEvidence::FoundationThird),
                }
            }
            Self::Progress {
                developed_area_m2,
                investment_yuan,
                ..
            } => {
                match developed_area_m2 {
                    None => e.push(needs(
                        "progress",
                        "developed_area_m2",
                        "the developed area to date",
                        "截至当日的已开发面积",
                    )),
                    Some(a) if !(a.is_finite() && (0.0..=10_000_000.0).contains(&a)) => {
                        e.push(
                            FieldError::new(
                                "developed_area_m2",
                                format!("must be 0 to 10,000,000 m², got {a}"),
                            )
                            .zh(format!("须为 0 至 10,000,000 m²，收到 {a}")),
                        );
                    }
                    Some(_) => {}
                }
                match investment_yuan {
                    None => e.push(needs(
                        "progress",
                        "investment_yuan",
                        "the investment to date",
                        "截至当日的已完成投资",
                    )),
                    Some(v) => {
                        if let Err(x) = check_yuan("investment_yuan", v, 0) {
                            e.push(x);
                        }
                    }
                }
                FactDetail::Progress {
                    developed_area_m2: developed_area_m2.unwrap_or_default(),
                    investment_yuan: investment_yuan.unwrap_or_default(),
                }
            }
            Self::Stoppage { .. } => FactDetail::Stoppage,
            Self::Resumption { .. } => FactDetail::Resumption,
            Self::Extension {
                cause, new_start, ..
            } => {
                if cause.is_none() {
                    e.push(needs(
                        "extension",
                        "cause",
                        "its cause (a government cause of Art. 8, force_majeure or holder)",
"原因：第八条所列政府原因、force_majeure（不可抗力）或 holder（土地使用权人自身原因）",
                    ));
                }
                if new_start.is_none() {
                    e.push(needs(
                        "extension",
                        "new_start",
                        "the new agreed start",
                        "新的约定开工日",
                    ));
                }
                FactDetail::Extension {
                    cause: cause.unwrap_or(DelayCause::Holder),
                    new_start: new_start.unwrap_or(date),
                }
            }
            Self::Attribution { cause, .. } => {
                if cause.is_none() {
                    e.push(needs(
                        "attribution",
                        "cause",
                        "the cause found",
                        "认定的原因",
                    ));
                }
                FactDetail::Attribution {
                    cause: cause.unwrap_or(DelayCause::Holder),
                }
            }
            Self::Completion {
                built_floor_area_m2,
                building_coefficient_pct,
                ..
            } => {
                if let Some(a) = built_floor_area_m2
                    && !(a.is_finite() && a > 0.0 && a <= 50_000_000.0)
                {
                    e.push(
                        FieldError::new(
                            "built_floor_area_m2",
                            format!("must be above 0 and at most 50,000,000 m², got {a}"),
                        )
                        .zh(format!("须大于 0 且不超过 50,000,000 m²，收到 {a}")),
                    );
                }
                if let Some(c) = building_coefficient_pct
                    && !(c.is_finite() && (0.0..=100.0).contains(&c))
                {
                    e.push(
                        FieldError::new(
                            "building_coefficient_pct",
                            format!("must be 0 to 100 %, got {c}"),
                        )
                        .zh(format!("须为 0 至 100 %，收到 {c}")),
                    );
                }
                FactDetail::Completion {
                    built_floor_area_m2,
                    building_coefficient_pct,
                }
            }
            Self::Production { .. } => FactDetail::Production,
            Self::CapacityReview { measured, .. } => {
                // What the register holds is not typed again: the yearly figures give the
                // per-亩 indicators, the completion the 容积率, the progress reports the
                // investment. `measured` records only what the register lacks.
                let m = measured.unwrap_or_default();
                if let Err(x) = m.validate("measured") {
                    e.extend(x);
                }
                for (name, v) in [
                    ("output_per_mu_wan", m.output_per_mu_wan),
                    (
                        "value_added_per_emission_wan_per_t",
                        m.value_added_per_emission_wan_per_t,
                    ),
                    ("rd_share_pct", m.rd_share_pct),
                ] {
                    if v.is_some() {
                        e.push(FieldError::new(
                            format!("measured.{name}"),
                            "is read from the enterprise's yearly 亩均 figures, not typed in a review",
                        ).zh("取自企业年度亩均数据，达产复核时不得手工填写"));
                    }
                }
                FactDetail::CapacityReview { measured: m }
            }
        };
        if !e.is_empty() {
            return Err(e);
        }
        Ok((date, detail, note))
    }
}

impl FactDetail {
    pub fn kind(&self) -> FactKind {
        match self {
            Self::ConstructionPermit { .. } => FactKind::ConstructionPermit,
            Self::Start { .. } => FactKind::Start,
            Self::Progress { .. } => FactKind::Progress,
            Self::Stoppage => FactKind::Stoppage,
            Self::Resumption => FactKind::Resumption,
            Self::Extension { .. } => FactKind::Extension,
            Self::Attribution { .. } => FactKind::Attribution,
            Self::Completion { .. } => FactKind::Completion,
            Self::Production => FactKind::Production,
            Self::CapacityReview { .. } => FactKind::CapacityReview,
        }
    }

    /// Order of facts on the same day (a start before progress on that day, and so on).
    fn rank(&self) -> u8 {
        match self {
            Self::Extension { .. } | Self::Attribution { .. } => 0,
            Self::ConstructionPermit { .. } => 1,
            Self::Start { .. } => 2,
            Self::Progress { .. } => 3,
            Self::Stoppage => 4,
            Self::Resumption => 5,
            Self::Completion { .. } => 6,
            Self::Production => 7,
            Self::CapacityReview { .. } => 8,
        }
    }
}

/// The development timeline as of a date: what the facts up to then add up to.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Timeline {
    /// The agreed start after extensions.
    pub agreed_start: Option<NaiveDate>,
    /// Each extension: when it was agreed, why, and the new start.
    pub extensions: Vec<(NaiveDate, DelayCause, NaiveDate)>,
    pub permit: Option<NaiveDate>,
    pub started: Option<NaiveDate>,
    pub start_evidence: Option<StartEvidence>,
    /// Latest developed area and investment to date.
    pub developed_area_m2: f64,
    pub investment_yuan: i64,
    /// When the current stoppage began, if development is stopped.
    pub stopped_since: Option<NaiveDate>,
    pub completed: Option<NaiveDate>,
    pub built_floor_area_m2: Option<f64>,
    pub building_coefficient_pct: Option<f64>,
    pub producing: Option<NaiveDate>,
    pub review: Option<(NaiveDate, Indicators)>,
    /// The bureau's finding of why the *current* delay happened. An extension or a stoppage
    /// opens a new period, so it clears the finding: a cause that excused the old delay does
    /// not excuse the new one.
    pub attribution: Option<(NaiveDate, DelayCause)>,
    /// What the idle-land clock reads, day by day: each entry holds from its date until the
    /// next one's (the state after every fact of that date). The clock's past — an idle
    /// episode that a late start ended — is read from here (`idle_land::episodes`).
    pub history: Vec<(NaiveDate, ClockState)>,
}

/// The part of a timeline the idle-land clock reads.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ClockState {
    pub agreed_start: Option<NaiveDate>,
    pub started: Option<NaiveDate>,
    pub stopped_since: Option<NaiveDate>,
    pub completed: Option<NaiveDate>,
    pub developed_area_m2: f64,
    pub investment_yuan: i64,
    pub attribution: Option<(NaiveDate, DelayCause)>,
    /// The cause of the last extension, if the last change was one.
    pub extended_for: Option<DelayCause>,
}

impl Timeline {
    /// What the clock reads now.
    pub fn clock_state(&self) -> ClockState {
        ClockState {
            agreed_start: self.agreed_start,
            started: self.started,
            stopped_since: self.stopped_since,
            completed: self.completed,
            developed_area_m2: self.developed_area_m2,
            investment_yuan: self.investment_yuan,
            attribution: self.attribution,
            extended_for: self.extensions.last().map(|&(_, cause, _)| cause),
        }
    }

    /// Note the state after the facts of `date`.
    fn mark(&mut self, date: NaiveDate) {
        let state = self.clock_state();
        match self.history.last_mut() {
            Some((last, slot)) if *last == date => *slot = state,
            _ => self.history.push((date, state)),
        }
    }
}

/// The last day of a period of `years` years counted from `d` (民法典 Art. 201–203: the day
/// itself is not counted, the period runs from the next day and ends at the end of the
/// corresponding day — the month's last day when there is none, so 29 February → 28 February).
pub fn anniversary(d: NaiveDate, years: i32) -> NaiveDate {
    let year = d.year() + years;
    d.with_year(year)
        .or_else(|| NaiveDate::from_ymd_opt(year, d.month(), 28))
        .unwrap_or(d)
}

/// Check every fact in date order against the supply and each other, and build the timeline
/// as of `as_of` (facts after it are ignored). A fact that breaks the order is named.
pub fn replay(supply: &Supply, facts: &[Fact], as_of: NaiveDate) -> Result<Timeline, FieldError> {
    let mut ordered: Vec<&Fact> = facts.iter().collect();
    ordered.sort_by_key(|f| (f.date, f.detail.rank(), f.id));
    let mut t = Timeline {
        agreed_start: Some(supply.agreed_start),
        ..Timeline::default()
    };
    t.mark(supply.contract_date);
    // All extensions of a supply together move the start by at most a year, counted from the
    // agreed start or, when the first was agreed after that date had passed, from then.
    let mut extension_base: Option<NaiveDate> = None;
    let err = |f: &Fact, msg: String, zh: String| {
        FieldError::both(
            "date",
            format!("the {} of {}: {msg}", f.detail.kind().as_str(), f.date),
            format!("{} 的“{}”记录：{zh}", f.date, f.detail.kind().label_zh()),
        )
    };
    for f in ordered {
        if f.date < supply.contract_date {
            return Err(err(
                f,
                format!("it is before the contract of {}", supply.contract_date),
                format!("早于合同签订日 {}", supply.contract_date),
            ));
        }
        if let Some(end) = supply.ended_on
            && f.date > end
        {
            return Err(err(
                f,
                format!("the supply ended on {end}"),
                format!("供地已于 {end} 终止"),
            ));
        }
        if f.date > as_of {
            continue;
        }
        match &f.detail {
            FactDetail::ConstructionPermit { .. } => {
                t.permit.get_or_insert(f.date);
            }
            FactDetail::Start { evidence } => {
                if t.started.is_some() {
                    return Err(err(
                        f,
                        "development had already started".into(),
                        "此前已经开工".into(),
                    ));
                }
                if t.permit.is_none() {
                    return Err(err(
                        f,
                        "development counts as started only after the construction permit (《闲置土地处置办法》 Art. 30): record the permit first".into(), "取得施工许可证后才算开工（《闲置土地处置办法》第三十条）：请先记录施工许可".into()));
                }
                t.started = Some(f.date);
                t.start_evidence = Some(*evidence);
            }
            FactDetail::Progress {
                developed_area_m2,
                investment_yuan,
            } => {
                if t.started.is_none() {
                    return Err(err(
                        f,
                        "there is no start of development before it".into(),
                        "此前没有开工记录".into(),
                    ));
                }
                if *developed_area_m2 < t.developed_area_m2 || *investment_yuan < t.investment_yuan
                {
                    return Err(err(
                        f,
                        "developed area and investment to date can only grow".into(),
                        "已开发面积和已完成投资只能增加".into(),
                    ));
                }
                if *developed_area_m2 > supply.land_area_m2 * 1.001 {
                    return Err(err(
                        f,
                        format!(
                            "{developed_area_m2:.0} m² developed exceeds the {:.0} m² supplied",
                            supply.land_area_m2
                        ),
                        format!(
                            "已开发 {developed_area_m2:.0} m²，超过供地面积 {:.0} m²",
                            supply.land_area_m2
                        ),
                    ));
                }
                t.developed_area_m2 = *developed_area_m2;
                t.investment_yuan = *investment_yuan;
            }
            FactDetail::Stoppage => {
                if t.started.is_none() || t.completed.is_some() {
                    return Err(err(
                        f,
                        "only development under way can stop".into(),
                        "只有正在开发的项目才能停工".into(),
                    ));
                }
                if t.stopped_since.is_some() {
                    return Err(err(
                        f,
                        "development was already stopped".into(),
                        "此前已经停工".into(),
                    ));
                }
                t.stopped_since = Some(f.date);
                t.attribution = None;
            }
            FactDetail::Resumption => {
                if t.stopped_since.is_none() {
                    return Err(err(
                        f,
                        "development was not stopped".into(),
                        "此前并未停工".into(),
                    ));
                }
                t.stopped_since = None;
            }
            FactDetail::Extension { cause, new_start } => {
                if t.started.is_some() {
                    return Err(err(
                        f,
                        "the start date cannot be extended once development has started".into(),
                        "已经开工，不能再延期开工".into(),
                    ));
                }
                let current = t.agreed_start.unwrap_or(supply.agreed_start);
                if *new_start <= current {
                    return Err(err(
                        f,
                        format!(
                            "the new start {new_start} is not after the agreed start {current}"
                        ),
                        format!("新的开工日 {new_start} 不晚于约定开工日 {current}"),
                    ));
                }
                // The contract's 延建: the holder asks before the start is due; after it the
                // land is simply late (and, a year on, idle), which no request of the
                // holder's undoes.
                if *cause == DelayCause::Holder && f.date > current {
                    return Err(err(
                        f,
                        format!(
                            "a holder's request to defer the start (延建) must come before the agreed start {current}; after it the delay is the holder's and the idle-land clock keeps running"
                        ),
                        format!(
                            "土地使用权人申请延期开工（延建）须在约定开工日 {current} 之前提出；此后的延误属土地使用权人自身原因，闲置期间照常计算"
                        ),
                    ));
                }
                let base = *extension_base.get_or_insert(supply.agreed_start.max(f.date));
                let latest = anniversary(base, 1);
                if *new_start > latest {
                    let earlier = if t.extensions.is_empty() {
                        String::new()
                    } else {
                        format!(
                            " (with the {} earlier extension(s) of this supply)",
                            t.extensions.len()
                        )
                    };
                    let earlier_zh = if t.extensions.is_empty() {
                        String::new()
                    } else {
                        format!("（含此前的 {} 次延期）", t.extensions.len())
                    };
                    return Err(err(
                        f,
                        format!(
                            "all extensions of a supply together may move the start by at most one year{earlier}: to {latest} at the latest, not {new_start}"
                        ),
                        format!(
                            "同一次供应的各次延期合计至多将开工日推迟一年{earlier_zh}：最晚至 {latest}，而不是 {new_start}"
                        ),
                    ));
                }
                t.agreed_start = Some(*new_start);
                t.extensions.push((f.date, *cause, *new_start));
                t.attribution = None;
            }
            FactDetail::Attribution { cause } => t.attribution = Some((f.date, *cause)),
            FactDetail::Completion {
                built_floor_area_m2,
                building_coefficient_pct,
            } => {
                if t.started.is_none() {
                    return Err(err(
                        f,
                        "there is no start of development before it".into(),
                        "此前没有开工记录".into(),
                    ));
                }
                if t.completed.is_some() {
                    return Err(err(
                        f,
                        "the project was already completed".into(),
                        "项目此前已经竣工".into(),
                    ));
                }
                t.completed = Some(f.date);
                t.stopped_since = None;
                t.built_floor_area_m2 = *built_floor_area_m2;
                t.building_coefficient_pct = *building_coefficient_pct;
            }
            FactDetail::Production => {
                if t.completed.is_none() {
                    return Err(err(
                        f,
                        "production needs a completion before it".into(),
                        "投产前须先竣工".into(),
                    ));
                }
                if t.producing.is_some() {
                    return Err(err(
                        f,
                        "production had already started".into(),
                        "此前已经投产".into(),
                    ));
                }
                t.producing = Some(f.date);
            }
            FactDetail::CapacityReview { measured } => {
                if t.producing.is_none() {
                    return Err(err(
                        f,
                        "a capacity review needs production before it".into(),
                        "达产复核前须先投产".into(),
                    ));
                }
                t.review = Some((f.date, *measured));
            }
        }
        t.mark(f.date);
    }
    Ok(t)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::domain::register::Stamp;

    pub fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// A listed transfer of 30,000 m² (45 亩) for 1837.5 万元, contract of 2022-01-10.
    pub fn supply(agreed_start: &str) -> Supply {
        let stamp = Stamp::stored(
            "bureau".into(),
            d("2022-01-10").and_hms_opt(0, 0, 0).unwrap(),
        );
        Supply {
            id: 1,
            parcel_id: 1,
            park_id: 1,
            enterprise_id: 1,
            method: SupplyMethod::TransferListing,
            contract_no: "南城出让〔2022〕15号".into(),
            contract_date: d("2022-01-10"),
            land_price_yuan: 18_375_000,
            term_years: Some(50),
            land_area_m2: 30_000.0,
            agreed_start: d(agreed_start),
            agreed_completion: d("2024-12-31"),
            agreed_production: Some(d("2025-06-30")),
            total_investment_yuan: Some(120_000_000),
            indicators: Indicators {
                investment_intensity_wan_per_mu: Some(200.0),
                far: Some(1.2),
                tax_per_mu_wan: Some(15.0),
                ..Indicators::default()
            },
            penalty_per_mille: 1.0,
            shortfall_penalty_pct: None,
            ended_on: None,
            ended_reason: None,
            version: 1,
            created: stamp.clone(),
            updated: stamp,
        }
    }

    pub fn fact(id: i64, date: &str, detail: FactDetail) -> Fact {
        Fact {
            id,
            supply_id: 1,
            date: d(date),
            detail,
            note: String::new(),
            recorded: Stamp::stored("bureau".into(), d(date).and_hms_opt(0, 0, 0).unwrap()),
        }
    }

    pub fn permit(id: i64, date: &str) -> Fact {
        fact(
            id,
            date,
            FactDetail::ConstructionPermit {
                permit_no: "361021202303010101".into(),
            },
        )
    }

    pub fn start(id: i64, date: &str) -> Fact {
        fact(
            id,
            date,
            FactDetail::Start {
                evidence: StartEvidence::PilesDriven,
            },
        )
    }

    fn terms() -> SupplyTerms {
        SupplyTerms {
            enterprise_id: 1,
            method: SupplyMethod::TransferListing,
            contract_no: "南城出让〔2022〕15号".into(),
            contract_date: d("2022-01-10"),
            land_price_yuan: 18_375_000,
            term_years: Some(50),
            agreed_start: d("2022-07-01"),
            agreed_completion: d("2024-06-30"),
            agreed_production: Some(d("2024-12-31")),
            total_investment_yuan: Some(120_000_000),
            indicators: Indicators::default(),
            penalty_per_mille: None,
            shortfall_penalty_pct: None,
        }
    }

    fn draft(contract_date: &str) -> SupplyDraft {
        let t = terms();
        SupplyDraft {
            enterprise_id: t.enterprise_id,
            method: t.method,
            contract_no: t.contract_no,
            contract_date: d(contract_date),
            land_price_yuan: t.land_price_yuan,
            term_years: t.term_years,
            agreed_start: t.agreed_start,
            agreed_completion: t.agreed_completion,
            agreed_production: t.agreed_production,
            total_investment_yuan: t.total_investment_yuan,
            indicators: t.indicators,
            penalty_per_mille: 1.0,
            shortfall_penalty_pct: None,
        }
    }

    fn parcel(status: ParcelStatus) -> Parcel {
        let square = crate::domain::register::tests::rect(0.0, 0.0, 1.0, 1.0);
        crate::domain::register::tests::parcel(1, "NC-07", status, square)
    }

    fn conflict<T: std::fmt::Debug>(r: Result<T, Refusal>) -> String {
        match r {
            Err(Refusal::Conflict(m)) => m.en,
            other => panic!("expected a conflict, got {other:?}"),
        }
    }

    fn invalid<T: std::fmt::Debug>(r: Result<T, Refusal>) -> FieldError {
        match r {
            Err(Refusal::Invalid(mut e)) => e.remove(0),
            other => panic!("expected an invalid field, got {other:?}"),
        }
    }

    #[test]
    fn a_parcel_is_supplied_once_from_the_market_and_after_its_last_supply() {
        let ok = draft("2022-01-10");
        assert_eq!(
            check_supplying(&parcel(ParcelStatus::Available), None, true, None, &ok, &[]),
            Ok(())
        );
        let m = conflict(check_supplying(
            &parcel(ParcelStatus::Retired),
            None,
            true,
            None,
            &ok,
            &[],
        ));
        assert!(m.contains("NC-07 is retired"), "{m}");
        let m = conflict(check_supplying(
            &parcel(ParcelStatus::Reserve),
            None,
            true,
            None,
            &ok,
            &[],
        ));
        assert!(m.contains("reserve land (储备)"), "{m}");
        let current = supply("2022-07-01");
        let m = conflict(check_supplying(
            &parcel(ParcelStatus::Supplied),
            Some(&current),
            true,
            None,
            &ok,
            &[],
        ));
        assert!(m.contains("already supplied under contract"), "{m}");
        let e = invalid(check_supplying(
            &parcel(ParcelStatus::Available),
            None,
            true,
            Some(d("2022-01-11")),
            &ok,
            &[],
        ));
        assert_eq!(e.field, "contract_date");
        let e = invalid(check_supplying(
            &parcel(ParcelStatus::Available),
            None,
            false,
            None,
            &ok,
            &[],
        ));
        assert_eq!(
            (e.field.as_str(), e.message.as_str()),
            ("enterprise_id", "enterprise 1 does not exist")
        );
        assert_eq!(
            check_supplying(
                &parcel(ParcelStatus::Available),
                None,
                true,
                Some(d("2022-01-10")),
                &ok,
                &[]
            ),
            Ok(()),
            "a contract on the day the last supply ended"
        );
        // Art. 21: land that is not 净地 is refused, naming each condition it misses.
        let unmet = [
            Unmet {
                condition: Condition::Resettled,
                missing: "not on record".into(),
                missing_zh: "未见记录".into(),
            },
            Unmet {
                condition: Condition::ReadyToStart,
                missing: "missing 通电".into(),
                missing_zh: "缺少通电".into(),
            },
        ];
        let m = conflict(check_supplying(
            &parcel(ParcelStatus::Available),
            None,
            true,
            None,
            &ok,
            &unmet,
        ));
        assert!(
            m.contains("not 净地")
                && m.contains("安置补偿落实到位 (resettled): not on record; 具备动工开发所必需的基本条件 (ready_to_start): missing 通电"),
            "{m}"
        );
    }

    #[test]
    fn art_8_government_causes_point_back_to_the_art_21_condition() {
        assert_eq!(
            DelayCause::LandNotDelivered.net_land_condition(),
            Some(Condition::ReadyToStart)
        );
        assert_eq!(
            DelayCause::Petitions.net_land_condition(),
            Some(Condition::Resettled)
        );
        assert_eq!(
            DelayCause::PolicyChanged.net_land_condition(),
            Some(Condition::PlanningSet)
        );
        assert_eq!(DelayCause::ForceMajeure.net_land_condition(), None);
        assert_eq!(DelayCause::Holder.net_land_condition(), None);
    }

    #[test]
    fn a_supply_ends_once_not_before_its_contract_nor_its_last_fact() {
        let s = supply("2022-07-01");
        let stamp = Stamp::stored(
            "bureau".into(),
            d("2025-01-01").and_hms_opt(0, 0, 0).unwrap(),
        );
        let ended = s
            .end(d("2024-12-31"), "到期", Some(d("2024-06-01")), &stamp)
            .unwrap();
        assert_eq!(
            (ended.ended_on, ended.ended_reason.as_deref(), ended.version),
            (Some(d("2024-12-31")), Some("到期"), s.version + 1)
        );
        assert_eq!(
            conflict(ended.end(d("2025-01-01"), "again", None, &stamp)),
            "land supply 1 has already ended"
        );
        assert_eq!(
            invalid(s.end(d("2022-01-09"), "x", None, &stamp)).field,
            "date"
        );
        let e = invalid(s.end(d("2024-05-31"), "x", Some(d("2024-06-01")), &stamp));
        assert!(
            e.message
                .contains("before the last recorded fact of 2024-06-01")
        );
        let m = conflict(s.end_outside_case(Some(3), d("2024-12-31"), "x", None, &stamp));
        assert!(m.contains("handed back through that case"), "{m}");
    }

    #[test]
    fn facts_join_only_a_supply_in_force() {
        let s = supply("2022-07-01");
        assert_eq!(s.check_facts(&[permit(1, "2022-05-01")]), Ok(()));
        let mut ended = s.clone();
        ended.ended_on = Some(d("2023-01-01"));
        assert!(
            conflict(ended.check_facts(&[permit(1, "2022-05-01")]))
                .contains("its record is closed")
        );
    }

    #[test]
    fn a_supplied_parcel_keeps_its_shape() {
        assert_eq!(check_not_supplied("NC-07", None), Ok(()));
        let m = conflict(check_not_supplied("NC-07", Some(&supply("2022-07-01"))));
        assert!(
            m.starts_with("parcel NC-07 is supplied under contract"),
            "{m}"
        );
    }

    #[test]
    fn anniversaries_follow_the_civil_code() {
        assert_eq!(anniversary(d("2023-03-01"), 1), d("2024-03-01"));
        assert_eq!(
            anniversary(d("2024-02-29"), 1),
            d("2025-02-28"),
            "no 29 February: the month's last day"
        );
        assert_eq!(anniversary(d("2024-02-29"), 4), d("2028-02-29"));
    }

    #[test]
    fn contract_terms_are_checked_against_each_other() {
        let today = d("2026-11-22");
        assert!(terms().check(today).is_ok());
        let fields = |t: SupplyTerms| -> Vec<String> {
            t.check(today)
                .unwrap_err()
                .into_iter()
                .map(|e| e.field)
                .collect()
        };
        let backwards = SupplyTerms {
            agreed_completion: d("2022-06-30"),
            ..terms()
        };
        assert_eq!(
            fields(backwards),
            ["agreed_completion"],
            "completion before start"
        );
        let early = SupplyTerms {
            agreed_start: d("2021-12-31"),
            ..terms()
        };
        assert_eq!(fields(early), ["agreed_start"]);
        let future = SupplyTerms {
            contract_date: d("2026-11-23"),
            agreed_start: d("2027-01-01"),
            agreed_completion: d("2028-01-01"),
            agreed_production: None,
            ..terms()
        };
        assert_eq!(fields(future), ["contract_date"]);
        let money = SupplyTerms {
            land_price_yuan: -1,
            total_investment_yuan: Some(0),
            contract_no: " ".into(),
            ..terms()
        };
        assert_eq!(
            fields(money),
            ["contract_no", "land_price_yuan", "total_investment_yuan"]
        );
        let allocation = SupplyTerms {
            method: SupplyMethod::Allocation,
            land_price_yuan: 0,
            ..terms()
        };
        assert_eq!(
            fields(allocation),
            ["term_years"],
            "划拨 has no term but may be free"
        );
        let typo = SupplyTerms {
            agreed_completion: d("2224-06-30"),
            agreed_production: None,
            ..terms()
        };
        assert_eq!(fields(typo), ["agreed_completion"]);
    }

    #[test]
    fn facts_must_come_in_order() {
        let s = supply("2023-03-01");
        let today = d("2026-11-22");
        let ok = vec![
            permit(1, "2023-02-01"),
            fact(
                2,
                "2023-02-20",
                FactDetail::Start {
                    evidence: StartEvidence::PilesDriven,
                },
            ),
            fact(
                3,
                "2023-06-30",
                FactDetail::Progress {
                    developed_area_m2: 8000.0,
                    investment_yuan: 20_000_000,
                },
            ),
            fact(4, "2023-07-01", FactDetail::Stoppage),
            fact(5, "2023-09-01", FactDetail::Resumption),
            fact(
                6,
                "2024-10-01",
                FactDetail::Completion {
                    built_floor_area_m2: Some(40_000.0),
                    building_coefficient_pct: Some(45.0),
                },
            ),
            fact(7, "2025-03-01", FactDetail::Production),
        ];
        let t = replay(&s, &ok, today).unwrap();
        assert_eq!(
            (t.started, t.completed, t.producing),
            (
                Some(d("2023-02-20")),
                Some(d("2024-10-01")),
                Some(d("2025-03-01"))
            )
        );
        assert_eq!(t.stopped_since, None);

        let mut backwards = ok.clone();
        backwards[5] = fact(
            6,
            "2023-01-15",
            FactDetail::Completion {
                built_floor_area_m2: None,
                building_coefficient_pct: None,
            },
        );
        let e = replay(&s, &backwards, today).unwrap_err();
        assert!(
            e.message.contains("no start of development before it"),
            "completion before start: {}",
            e.message
        );

        let no_permit = vec![start(1, "2023-02-20")];
        assert!(
            replay(&s, &no_permit, today)
                .unwrap_err()
                .message
                .contains("Art. 30")
        );
        let resumed_first = vec![
            permit(1, "2023-02-01"),
            start(2, "2023-02-20"),
            fact(3, "2023-05-01", FactDetail::Resumption),
        ];
        assert!(replay(&s, &resumed_first, today).is_err());
        let shrinking = vec![
            permit(1, "2023-02-01"),
            start(2, "2023-02-20"),
            fact(
                3,
                "2023-05-01",
                FactDetail::Progress {
                    developed_area_m2: 9000.0,
                    investment_yuan: 1,
                },
            ),
            fact(
                4,
                "2023-06-01",
                FactDetail::Progress {
                    developed_area_m2: 8000.0,
                    investment_yuan: 2,
                },
            ),
        ];
        assert!(
            replay(&s, &shrinking, today)
                .unwrap_err()
                .message
                .contains("only grow")
        );
        let too_big = vec![
            permit(1, "2023-02-01"),
            start(2, "2023-02-20"),
            fact(
                3,
                "2023-05-01",
                FactDetail::Progress {
                    developed_area_m2: 31_000.0,
                    investment_yuan: 1,
                },
            ),
        ];
        assert!(
            replay(&s, &too_big, today)
                .unwrap_err()
                .message
                .contains("30000 m² supplied")
        );
        let before_contract = vec![permit(1, "2021-12-31")];
        assert!(
            replay(&s, &before_contract, today)
                .unwrap_err()
                .message
                .contains("before the contract")
        );
    }

    #[test]
    fn extensions_move_the_start_by_at_most_a_year() {
        let s = supply("2023-03-01");
        let today = d("2026-11-22");
        let ok = vec![fact(
            1,
            "2023-02-01",
            FactDetail::Extension {
                cause: DelayCause::LandNotDelivered,
                new_start: d("2024-03-01"),
            },
        )];
        let t = replay(&s, &ok, today).unwrap();
        assert_eq!(t.agreed_start, Some(d("2024-03-01")));
        assert_eq!(
            t.extensions,
            [(
                d("2023-02-01"),
                DelayCause::LandNotDelivered,
                d("2024-03-01")
            )]
        );
        assert_eq!(
            t.attribution, None,
            "the new period's delay has no finding yet"
        );
        let too_far = vec![fact(
            1,
            "2023-02-01",
            FactDetail::Extension {
                cause: DelayCause::Petitions,
                new_start: d("2024-03-02"),
            },
        )];
        assert!(
            replay(&s, &too_far, today)
                .unwrap_err()
                .message
                .contains("to 2024-03-01 at the latest")
        );
        // Agreed after the start had passed: a year from the agreement.
        let late = vec![fact(
            1,
            "2023-09-01",
            FactDetail::Extension {
                cause: DelayCause::PlanChanged,
                new_start: d("2024-09-01"),
            },
        )];
        assert_eq!(
            replay(&s, &late, today).unwrap().agreed_start,
            Some(d("2024-09-01"))
        );
        let too_late = vec![fact(
            1,
            "2023-09-01",
            FactDetail::Extension {
                cause: DelayCause::PlanChanged,
                new_start: d("2024-09-02"),
            },
        )];
        assert!(
            replay(&s, &too_late, today)
                .unwrap_err()
                .message
                .contains("to 2024-09-01 at the latest")
        );
        let backwards = vec![fact(
            1,
            "2023-12-01",
            FactDetail::Extension {
                cause: DelayCause::Petitions,
                new_start: d("2023-02-01"),
            },
        )];
        assert!(replay(&s, &backwards, today).is_err());
        // Facts after `as_of` do not count (last month's view).
        let t = replay(&s, &ok, d("2023-01-31")).unwrap();
        assert_eq!(t.agreed_start, Some(d("2023-03-01")));
    }

    fn extension(id: i64, date: &str, cause: DelayCause, new_start: &str) -> Fact {
        fact(
            id,
            date,
            FactDetail::Extension {
                cause,
                new_start: d(new_start),
            },
        )
    }

    /// Model contract (延建) and Art. 12(1): all extensions of one supply together move the
    /// start by at most one year — two chained holder requests cannot make two years.
    #[test]
    fn chained_extensions_share_one_year() {
        let s = supply("2023-03-01");
        let today = d("2026-11-22");
        let first = extension(1, "2023-01-15", DelayCause::Holder, "2023-09-01");
        let to_the_cap = extension(2, "2023-07-15", DelayCause::Holder, "2024-03-01");
        let t = replay(&s, &[first.clone(), to_the_cap], today).unwrap();
        assert_eq!(t.agreed_start, Some(d("2024-03-01")));
        let past_the_cap = extension(2, "2023-07-15", DelayCause::Holder, "2024-03-02");
        let err = replay(&s, &[first.clone(), past_the_cap], today).unwrap_err();
        assert!(
            err.message
                .contains("together may move the start by at most one year")
                && err.message.contains("to 2024-03-01 at the latest"),
            "{}",
            err.message
        );
        // A government cause later does not open a second year either.
        let government = extension(2, "2023-07-15", DelayCause::PlanChanged, "2024-08-01");
        assert!(replay(&s, &[first, government], today).is_err());
    }

    /// 延建 is asked for before the start is due; a holder's request after it is refused —
    /// the land is late, and a year on idle, whatever the holder asks.
    #[test]
    fn a_holders_extension_after_the_start_date_is_refused() {
        let s = supply("2023-03-01");
        let late = extension(1, "2023-03-02", DelayCause::Holder, "2023-12-01");
        let err = replay(&s, &[late], d("2026-11-22")).unwrap_err();
        assert!(
            err.message
                .contains("must come before the agreed start 2023-03-01"),
            "{}",
            err.message
        );
        let on_the_day = extension(1, "2023-03-01", DelayCause::Holder, "2023-12-01");
        assert!(replay(&s, &[on_the_day], d("2026-11-22")).is_ok());
    }

    /// The model contract's notice: at least 30 days before the agreed start (a setting).
    #[test]
    fn a_holders_request_needs_30_days_notice() {
        let s = supply("2023-03-01");
        let ask = |date: &str, days: u32| {
            let e = extension(9, date, DelayCause::Holder, "2023-09-01");
            s.check_extension_notice(&[], e.date, &e.detail, days)
        };
        assert_eq!(ask("2023-01-30", 30), Ok(()), "30 days before 1 March");
        let refused = ask("2023-01-31", 30).unwrap_err();
        assert!(
            format!("{refused:?}")
                .contains("at least 30 days before the agreed start 2023-03-01, by 2023-01-30"),
            "{refused:?}"
        );
        assert_eq!(ask("2023-02-20", 7), Ok(()), "a park that asks for a week");
        // Counted from the start agreed on the request's day, after earlier extensions.
        let earlier = [extension(1, "2023-01-10", DelayCause::Holder, "2023-06-01")];
        let e = extension(9, "2023-04-15", DelayCause::Holder, "2023-12-01");
        assert_eq!(
            s.check_extension_notice(&earlier, e.date, &e.detail, 30),
            Ok(())
        );
        // The government's own extensions need no notice from the holder.
        let gov = extension(9, "2023-02-28", DelayCause::LandNotDelivered, "2023-09-01");
        assert_eq!(
            s.check_extension_notice(&[], gov.date, &gov.detail, 30),
            Ok(())
        );
    }

    fn fact_terms(body: serde_json::Value) -> Result<FactTerms, String> {
        serde_json::from_value(body).map_err(|e| e.to_string())
    }

    /// Each kind carries its own figures: a figure of another kind is unknown to it, a
    /// missing required one is named by the check, and a complete fact reads as its detail.
    #[test]
    fn a_fact_carries_the_figures_of_its_kind() {
        use serde_json::json;
        let today = d("2026-12-03");
        let err = fact_terms(
            json!({"kind": "start", "date": "2023-03-01", "evidence": "pit_dug", "permit_no": "x"}),
        )
        .unwrap_err();
        assert!(err.contains("unknown field `permit_no`"), "{err}");
        assert!(fact_terms(json!({"kind": "groundbreaking", "date": "2023-03-01"})).is_err());
        assert!(
            fact_terms(json!({"date": "2023-03-01"})).is_err(),
            "no kind"
        );

        let fields = |body| -> Vec<String> {
            match fact_terms(body).unwrap().check(today) {
                Err(e) => e.into_iter().map(|x| x.field).collect(),
                Ok(_) => Vec::new(),
            }
        };
        assert_eq!(
            fields(json!({"kind": "extension", "date": "2023-02-01"})),
            ["cause", "new_start"]
        );
        assert_eq!(
            fields(json!({"kind": "progress", "date": "2023-02-01", "investment_yuan": -1})),
            ["developed_area_m2", "investment_yuan"]
        );
        assert_eq!(
            fields(json!({"kind": "construction_permit", "date": "2023-02-01", "permit_no": "  "})),
            ["permit_no"]
        );
        assert_eq!(
            fields(
                json!({"kind": "capacity_review", "date": "2023-02-01", "measured": {"output_per_mu_wan": 300.0}})
            ),
            ["measured.output_per_mu_wan"],
            "what the yearly figures hold is not typed in a review"
        );
        assert_eq!(
            fields(
                json!({"kind": "capacity_review", "date": "2023-02-01", "measured": {"far": -1.0}})
            ),
            ["measured.far"]
        );
        assert_eq!(
            fields(
                json!({"kind": "completion", "date": "2023-02-01", "building_coefficient_pct": 101.0})
            ),
            ["building_coefficient_pct"]
        );
        assert_eq!(
            fields(json!({"kind": "stoppage", "date": "2026-12-04"})),
            ["date"],
            "not in the future"
        );

        let (date, detail, note) = fact_terms(json!({"kind": "extension", "date": "2023-02-01", "cause": "land_not_delivered", "new_start": "2024-03-01", "note": "补充协议"}))
            .unwrap()
            .check(today)
            .unwrap();
        assert_eq!((date, note.as_str()), (d("2023-02-01"), "补充协议"));
        assert_eq!(
            detail,
            FactDetail::Extension {
                cause: DelayCause::LandNotDelivered,
                new_start: d("2024-03-01")
            }
        );
        let (_, detail, _) = fact_terms(json!({"kind": "production", "date": "2024-05-01"}))
            .unwrap()
            .check(today)
            .unwrap();
        assert_eq!(detail.kind(), FactKind::Production);
    }
}
