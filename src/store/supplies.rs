//! Land supply records (供地) and the dated facts of development: loaded and saved. When a
//! parcel can be supplied, when a supply ends and which facts may follow which are
//! `domain::supply`'s rules; `ops::supplies` applies them.

use super::schema::{land_supplies, supply_facts};
use super::{AnyConnection, StoreError, StoreResult};
use crate::domain::register::Stamp;
use crate::domain::supply::{
    DelayCause, Fact, FactDetail, FactKind, Indicators, StartEvidence, Supply, SupplyMethod,
};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

#[derive(Queryable, Selectable)]
#[diesel(table_name = land_supplies)]
struct SupplyRow {
    id: i64,
    parcel_id: i64,
    park_id: i64,
    enterprise_id: i64,
    method: String,
    contract_no: String,
    contract_date: NaiveDate,
    land_price_yuan: i64,
    term_years: Option<i32>,
    land_area_m2: f64,
    agreed_start: NaiveDate,
    agreed_completion: NaiveDate,
    agreed_production: Option<NaiveDate>,
    total_investment_yuan: Option<i64>,
    intensity_wan_per_mu: Option<f64>,
    far: Option<f64>,
    tax_per_mu_wan: Option<f64>,
    value_added_per_energy_wan_per_tce: Option<f64>,
    ended_on: Option<NaiveDate>,
    ended_reason: Option<String>,
    version: i64,
    created_at: NaiveDateTime,
    created_by: String,
    updated_at: NaiveDateTime,
    updated_by: String,
    penalty_per_mille: f64,
    output_per_mu_wan: Option<f64>,
    value_added_per_emission_wan_per_t: Option<f64>,
    rd_share_pct: Option<f64>,
    shortfall_penalty_pct: Option<f64>,
}

impl SupplyRow {
    fn into_supply(self) -> StoreResult<Supply> {
        let method = SupplyMethod::parse(&self.method).ok_or_else(|| {
            StoreError::Corrupt(format!(
                "supply {} has an unknown method {}",
                self.id, self.method
            ))
        })?;
        Ok(Supply {
            id: self.id,
            parcel_id: self.parcel_id,
            park_id: self.park_id,
            enterprise_id: self.enterprise_id,
            method,
            contract_no: self.contract_no,
            contract_date: self.contract_date,
            land_price_yuan: self.land_price_yuan,
            term_years: self.term_years,
            land_area_m2: self.land_area_m2,
            agreed_start: self.agreed_start,
            agreed_completion: self.agreed_completion,
            agreed_production: self.agreed_production,
            total_investment_yuan: self.total_investment_yuan,
            indicators: Indicators {
                investment_intensity_wan_per_mu: self.intensity_wan_per_mu,
                far: self.far,
                tax_per_mu_wan: self.tax_per_mu_wan,
                value_added_per_energy_wan_per_tce: self.value_added_per_energy_wan_per_tce,
                output_per_mu_wan: self.output_per_mu_wan,
                value_added_per_emission_wan_per_t: self.value_added_per_emission_wan_per_t,
                rd_share_pct: self.rd_share_pct,
            },
            penalty_per_mille: self.penalty_per_mille,
            shortfall_penalty_pct: self.shortfall_penalty_pct,
            ended_on: self.ended_on,
            ended_reason: self.ended_reason,
            version: self.version,
            created: Stamp::stored(self.created_by, self.created_at),
            updated: Stamp::stored(self.updated_by, self.updated_at),
        })
    }
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = supply_facts)]
struct FactRow {
    #[diesel(skip_insertion)]
    id: i64,
    supply_id: i64,
    kind: String,
    fact_date: NaiveDate,
    note: String,
    permit_no: Option<String>,
    evidence: Option<String>,
    developed_area_m2: Option<f64>,
    investment_yuan: Option<i64>,
    cause: Option<String>,
    new_start: Option<NaiveDate>,
    built_floor_area_m2: Option<f64>,
    building_coefficient_pct: Option<f64>,
    measured_intensity_wan_per_mu: Option<f64>,
    measured_far: Option<f64>,
    measured_tax_per_mu_wan: Option<f64>,
    measured_value_added_per_energy_wan_per_tce: Option<f64>,
    recorded_at: NaiveDateTime,
    recorded_by: String,
}

impl FactRow {
    fn of(f: &Fact) -> Self {
        let mut row = FactRow {
            id: f.id,
            supply_id: f.supply_id,
            kind: f.detail.kind().as_str().to_owned(),
            fact_date: f.date,
            note: f.note.clone(),
            permit_no: None,
            evidence: None,
            developed_area_m2: None,
            investment_yuan: None,
            cause: None,
            new_start: None,
            built_floor_area_m2: None,
            building_coefficient_pct: None,
            measured_intensity_wan_per_mu: None,
            measured_far: None,
            measured_tax_per_mu_wan: None,
            measured_value_added_per_energy_wan_per_tce: None,
            recorded_at: f.recorded.at,
            recorded_by: f.recorded.by.clone(),
        };
        match &f.detail {
            FactDetail::ConstructionPermit { permit_no } => row.permit_no = Some(permit_no.clone()),
            FactDetail::Start { evidence } => row.evidence = Some(evidence.as_str().to_owned()),
            FactDetail::Progress {
                developed_area_m2,
                investment_yuan,
            } => {
                row.developed_area_m2 = Some(*developed_area_m2);
                row.investment_yuan = Some(*investment_yuan);
            }
            FactDetail::Extension { cause, new_start } => {
                row.cause = Some(cause.as_str().to_owned());
                row.new_start = Some(*new_start);
            }
            FactDetail::Attribution { cause } => row.cause = Some(cause.as_str().to_owned()),
            FactDetail::Completion {
                built_floor_area_m2,
                building_coefficient_pct,
            } => {
                row.built_floor_area_m2 = *built_floor_area_m2;
                row.building_coefficient_pct = *building_coefficient_pct;
            }
            FactDetail::CapacityReview { measured } => {
                row.measured_intensity_wan_per_mu = measured.investment_intensity_wan_per_mu;
                row.measured_far = measured.far;
                row.measured_tax_per_mu_wan = measured.tax_per_mu_wan;
                row.measured_value_added_per_energy_wan_per_tce =
                    measured.value_added_per_energy_wan_per_tce;
            }
            FactDetail::Stoppage | FactDetail::Resumption | FactDetail::Production => {}
        }
        row
    }

    fn into_fact(self) -> StoreResult<Fact> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("fact {} has {what}", self.id));
        let cause = |c: &Option<String>| {
            c.as_deref()
                .and_then(DelayCause::parse)
                .ok_or_else(|| corrupt("no readable cause"))
        };
        let kind = FactKind::parse(&self.kind).ok_or_else(|| corrupt("an unknown kind"))?;
        let detail = match kind {
            FactKind::ConstructionPermit => FactDetail::ConstructionPermit {
                permit_no: self.permit_no.clone().unwrap_or_default(),
            },
            FactKind::Start => FactDetail::Start {
                evidence: self
                    .evidence
                    .as_deref()
                    .and_then(StartEvidence::parse)
                    .ok_or_else(|| corrupt("no readable evidence"))?,
            },
            FactKind::Progress => FactDetail::Progress {
                developed_area_m2: self.developed_area_m2.unwrap_or_default(),
                investment_yuan: self.investment_yuan.unwrap_or_default(),
            },
            FactKind::Stoppage => FactDetail::Stoppage,
            FactKind::Resumption => FactDetail::Resumption,
            FactKind::Extension => FactDetail::Extension {
                cause: cause(&self.cause)?,
                new_start: self.new_start.ok_or_else(|| corrupt("no new start"))?,
            },
            FactKind::Attribution => FactDetail::Attribution {
                cause: cause(&self.cause)?,
            },
            FactKind::Completion => FactDetail::Completion {
                built_floor_area_m2: self.built_floor_area_m2,
                building_coefficient_pct: self.building_coefficient_pct,
            },
            FactKind::Production => FactDetail::Production,
            FactKind::CapacityReview => FactDetail::CapacityReview {
                measured: Indicators {
                    investment_intensity_wan_per_mu: self.measured_intensity_wan_per_mu,
                    far: self.measured_far,
                    tax_per_mu_wan: self.measured_tax_per_mu_wan,
                    value_added_per_energy_wan_per_tce: self
                        .measured_value_added_per_energy_wan_per_tce,
                    ..Indicators::default()
                },
            },
        };
        Ok(Fact {
            id: self.id,
            supply_id: self.supply_id,
            date: self.fact_date,
            detail,
            note: self.note,
            recorded: Stamp::stored(self.recorded_by, self.recorded_at),
        })
    }
}

pub fn get(conn: &mut AnyConnection, id: i64) -> StoreResult<Supply> {
    land_supplies::table
        .find(id)
        .select(SupplyRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("land supply {id}")))?
        .into_supply()
}

/// Every supply of a parcel, oldest first (ended ones are its history).
pub fn of_parcel(conn: &mut AnyConnection, parcel_id: i64) -> StoreResult<Vec<Supply>> {
    land_supplies::table
        .filter(land_supplies::parcel_id.eq(parcel_id))
        .order(land_supplies::id)
        .select(SupplyRow::as_select())
        .load(conn)?
        .into_iter()
        .map(SupplyRow::into_supply)
        .collect()
}

/// The supply of a parcel that has not ended, if any.
pub fn in_force(conn: &mut AnyConnection, parcel_id: i64) -> StoreResult<Option<Supply>> {
    land_supplies::table
        .filter(land_supplies::parcel_id.eq(parcel_id))
        .filter(land_supplies::ended_on.is_null())
        .select(SupplyRow::as_select())
        .first(conn)
        .optional()?
        .map(SupplyRow::into_supply)
        .transpose()
}

/// Every supply of these parks (all parks when `None`), with their facts in date order.
pub fn with_facts(
    conn: &mut AnyConnection,
    parks: Option<&[i64]>,
) -> StoreResult<Vec<(Supply, Vec<Fact>)>> {
    let mut q = land_supplies::table.into_boxed();
    if let Some(ids) = parks {
        q = q.filter(land_supplies::park_id.eq_any(ids.to_vec()));
    }
    let supplies: Vec<Supply> = q
        .order(land_supplies::id)
        .select(SupplyRow::as_select())
        .load(conn)?
        .into_iter()
        .map(SupplyRow::into_supply)
        .collect::<StoreResult<_>>()?;
    let mut facts: std::collections::HashMap<i64, Vec<Fact>> = std::collections::HashMap::new();
    let mut fq = supply_facts::table.into_boxed();
    if let Some(ids) = parks {
        let of_parks = land_supplies::table
            .filter(land_supplies::park_id.eq_any(ids.to_vec()))
            .select(land_supplies::id);
        fq = fq.filter(supply_facts::supply_id.eq_any(of_parks));
    }
    for row in fq
        .order((supply_facts::fact_date, supply_facts::id))
        .select(FactRow::as_select())
        .load(conn)?
    {
        let fact = row.into_fact()?;
        facts.entry(fact.supply_id).or_default().push(fact);
    }
    Ok(supplies
        .into_iter()
        .map(|s| {
            let f = facts.remove(&s.id).unwrap_or_default();
            (s, f)
        })
        .collect())
}

pub fn facts(conn: &mut AnyConnection, supply_id: i64) -> StoreResult<Vec<Fact>> {
    supply_facts::table
        .filter(supply_facts::supply_id.eq(supply_id))
        .order((supply_facts::fact_date, supply_facts::id))
        .select(FactRow::as_select())
        .load(conn)?
        .into_iter()
        .map(FactRow::into_fact)
        .collect()
}

pub fn snapshot(s: &Supply) -> serde_json::Value {
    serde_json::json!({
        "parcel_id": s.parcel_id, "enterprise_id": s.enterprise_id, "method": s.method.as_str(),
        "contract_no": s.contract_no, "contract_date": s.contract_date, "land_price_yuan": s.land_price_yuan,
        "term_years": s.term_years, "land_area_m2": s.land_area_m2, "agreed_start": s.agreed_start,
        "agreed_completion": s.agreed_completion, "agreed_production": s.agreed_production,
        "total_investment_yuan": s.total_investment_yuan, "indicators": s.indicators,
        "penalty_per_mille": s.penalty_per_mille, "shortfall_penalty_pct": s.shortfall_penalty_pct,
        "ended_on": s.ended_on, "ended_reason": s.ended_reason, "version": s.version,
    })
}

/// Save a new supply; its id.
pub fn insert(conn: &mut AnyConnection, supply: &Supply, stamp: &Stamp) -> StoreResult<i64> {
    Ok(diesel::insert_into(land_supplies::table)
        .values((
            land_supplies::parcel_id.eq(supply.parcel_id),
            land_supplies::park_id.eq(supply.park_id),
            land_supplies::enterprise_id.eq(supply.enterprise_id),
            land_supplies::method.eq(supply.method.as_str()),
            land_supplies::contract_no.eq(&supply.contract_no),
            land_supplies::contract_date.eq(supply.contract_date),
            land_supplies::land_price_yuan.eq(supply.land_price_yuan),
            land_supplies::term_years.eq(supply.term_years),
            land_supplies::land_area_m2.eq(supply.land_area_m2),
            land_supplies::agreed_start.eq(supply.agreed_start),
            land_supplies::agreed_completion.eq(supply.agreed_completion),
            land_supplies::agreed_production.eq(supply.agreed_production),
            land_supplies::total_investment_yuan.eq(supply.total_investment_yuan),
            land_supplies::intensity_wan_per_mu
                .eq(supply.indicators.investment_intensity_wan_per_mu),
            land_supplies::far.eq(supply.indicators.far),
            land_supplies::tax_per_mu_wan.eq(supply.indicators.tax_per_mu_wan),
            land_supplies::value_added_per_energy_wan_per_tce
                .eq(supply.indicators.value_added_per_energy_wan_per_tce),
            land_supplies::penalty_per_mille.eq(supply.penalty_per_mille),
            land_supplies::output_per_mu_wan.eq(supply.indicators.output_per_mu_wan),
            land_supplies::value_added_per_emission_wan_per_t
                .eq(supply.indicators.value_added_per_emission_wan_per_t),
            land_supplies::rd_share_pct.eq(supply.indicators.rd_share_pct),
            land_supplies::shortfall_penalty_pct.eq(supply.shortfall_penalty_pct),
            land_supplies::version.eq(1i64),
            land_supplies::created_at.eq(stamp.at),
            land_supplies::created_by.eq(&stamp.by),
            land_supplies::updated_at.eq(stamp.at),
            land_supplies::updated_by.eq(&stamp.by),
        ))
        .returning(land_supplies::id)
        .get_result(conn)?)
}

/// Save a supply's end.
pub fn save_end(conn: &mut AnyConnection, ended: &Supply, stamp: &Stamp) -> StoreResult<()> {
    diesel::update(land_supplies::table.find(ended.id))
        .set((
            land_supplies::ended_on.eq(ended.ended_on),
            land_supplies::ended_reason.eq(&ended.ended_reason),
            land_supplies::version.eq(ended.version),
            land_supplies::updated_at.eq(stamp.at),
            land_supplies::updated_by.eq(&stamp.by),
        ))
        .execute(conn)?;
    Ok(())
}

/// Save a fact of a supply; its id.
pub fn insert_fact(conn: &mut AnyConnection, fact: &Fact) -> StoreResult<i64> {
    Ok(diesel::insert_into(supply_facts::table)
        .values(FactRow::of(fact))
        .returning(supply_facts::id)
        .get_result(conn)?)
}

/// The end of a parcel's last ended supply, if any.
pub fn last_end(conn: &mut AnyConnection, parcel_id: i64) -> StoreResult<Option<NaiveDate>> {
    Ok(of_parcel(conn, parcel_id)?
        .iter()
        .filter_map(|s| s.ended_on)
        .max())
}

/// The date of a supply's last recorded fact, if any.
pub fn last_fact(conn: &mut AnyConnection, supply_id: i64) -> StoreResult<Option<NaiveDate>> {
    Ok(facts(conn, supply_id)?.iter().map(|f| f.date).max())
}

/// The park of a supply, for the access policy.
pub fn scope(conn: &mut AnyConnection, id: i64) -> StoreResult<crate::domain::access::ParkScope> {
    let park_id: i64 = land_supplies::table
        .find(id)
        .select(land_supplies::park_id)
        .first(conn)
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("land supply {id}")))?;
    super::parks::scope(conn, park_id)
}
