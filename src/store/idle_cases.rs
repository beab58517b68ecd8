//! Idle-land cases (闲置土地处置案件): opened on a supply, advanced step by step in the order of
//! the procedure. Decisions are checked against the idle-land clock on their date, the fee is
//! computed from the land price, and handing the land back ends the supply in the same
//! transaction.

use super::audit::{self, Entry};
use super::schema::{idle_case_steps, idle_cases};
use super::{AnyConnection, StoreError, StoreResult, write_in_park};
use crate::domain::FieldError;
use crate::domain::idle_case::{Case, DecisionKind, Step, StepKind, check_next, closes};
use crate::domain::idle_land::{Consequence, IdleStatus};
use crate::domain::register::Stamp;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use std::collections::HashMap;

#[derive(Queryable, Selectable)]
#[diesel(table_name = idle_cases)]
struct CaseRow {
    id: i64,
    supply_id: i64,
    parcel_id: i64,
    park_id: i64,
    opened_on: NaiveDate,
    note: String,
    created_at: NaiveDateTime,
    created_by: String,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = idle_case_steps)]
struct StepRow {
    id: i64,
    case_id: i64,
    kind: String,
    step_date: NaiveDate,
    document_no: String,
    note: String,
    decision: Option<String>,
    amount_yuan: Option<i64>,
    recorded_at: NaiveDateTime,
    recorded_by: String,
}

fn parse_kind(raw: &str) -> Option<StepKind> {
    serde_json::from_value(serde_json::Value::String(raw.to_owned())).ok()
}

fn parse_decision(raw: &str) -> Option<DecisionKind> {
    serde_json::from_value(serde_json::Value::String(raw.to_owned())).ok()
}

fn decision_str(d: DecisionKind) -> &'static str {
    match d {
        DecisionKind::Fee => "fee",
        DecisionKind::Recovery => "recovery",
        DecisionKind::Disposal => "disposal",
    }
}

impl StepRow {
    fn into_step(self) -> StoreResult<(i64, Step)> {
        let kind = parse_kind(&self.kind).ok_or_else(|| {
            StoreError::Corrupt(format!(
                "case step {} has an unknown kind {}",
                self.id, self.kind
            ))
        })?;
        Ok((
            self.case_id,
            Step {
                id: self.id,
                kind,
                date: self.step_date,
                document_no: self.document_no,
                note: self.note,
                decision: self.decision.as_deref().and_then(parse_decision),
                amount_yuan: self.amount_yuan,
                recorded: Stamp::stored(self.recorded_by, self.recorded_at),
            },
        ))
    }
}

fn assemble(rows: Vec<CaseRow>, steps: Vec<StepRow>) -> StoreResult<Vec<Case>> {
    let mut by_case: HashMap<i64, Vec<Step>> = HashMap::new();
    for row in steps {
        let (case_id, step) = row.into_step()?;
        by_case.entry(case_id).or_default().push(step);
    }
    Ok(rows
        .into_iter()
        .map(|r| Case {
            steps: by_case.remove(&r.id).unwrap_or_default(),
            id: r.id,
            supply_id: r.supply_id,
            parcel_id: r.parcel_id,
            park_id: r.park_id,
            opened_on: r.opened_on,
            note: r.note,
            created: Stamp::stored(r.created_by, r.created_at),
        })
        .collect())
}

pub fn get(conn: &mut AnyConnection, id: i64) -> StoreResult<Case> {
    let row = idle_cases::table
        .find(id)
        .select(CaseRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("idle-land case {id}")))?;
    let steps = idle_case_steps::table
        .filter(idle_case_steps::case_id.eq(id))
        .order((idle_case_steps::step_date, idle_case_steps::id))
        .select(StepRow::as_select())
        .load(conn)?;
    assemble(vec![row], steps)?
        .pop()
        .ok_or_else(|| StoreError::NotFound(format!("idle-land case {id}")))
}

/// Cases of these parks (all when `None`), optionally of one supply, oldest first.
pub fn list(
    conn: &mut AnyConnection,
    parks: Option<&[i64]>,
    supply_id: Option<i64>,
) -> StoreResult<Vec<Case>> {
    let mut q = idle_cases::table.into_boxed();
    if let Some(ids) = parks {
        q = q.filter(idle_cases::park_id.eq_any(ids.to_vec()));
    }
    if let Some(id) = supply_id {
        q = q.filter(idle_cases::supply_id.eq(id));
    }
    let rows: Vec<CaseRow> = q
        .order(idle_cases::id)
        .select(CaseRow::as_select())
        .load(conn)?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let steps = idle_case_steps::table
        .filter(idle_case_steps::case_id.eq_any(&ids))
        .order((idle_case_steps::step_date, idle_case_steps::id))
        .select(StepRow::as_select())
        .load(conn)?;
    assemble(rows, steps)
}

/// The open case of a supply, if any.
pub fn open_case_of(conn: &mut AnyConnection, supply_id: i64) -> StoreResult<Option<i64>> {
    Ok(idle_cases::table
        .filter(idle_cases::supply_id.eq(supply_id))
        .filter(idle_cases::closed_on.is_null())
        .select(idle_cases::id)
        .first(conn)
        .optional()?)
}

/// Open a case: the land is suspected idle on `opened_on`.
pub fn open(
    conn: &mut AnyConnection,
    supply_id: i64,
    opened_on: NaiveDate,
    note: String,
    stamp: &Stamp,
) -> StoreResult<Case> {
    let park_id = super::supplies::get(conn, supply_id)?.park_id;
    write_in_park(conn, park_id, |conn| {
        let supply = super::supplies::get(conn, supply_id)?;
        if let Some(end) = supply.ended_on {
            return Err(StoreError::Conflict(format!(
                "land supply {supply_id} ended on {end}; there is no land to investigate"
            )));
        }
        if let Some(id) = open_case_of(conn, supply_id)? {
            return Err(StoreError::Conflict(format!(
                "land supply {supply_id} already has an open idle-land case ({id})"
            )));
        }
        if opened_on < supply.contract_date {
            return Err(FieldError::new(
                "opened_on",
                format!(
                    "{opened_on} is before the contract of {}",
                    supply.contract_date
                ),
            )
            .into());
        }
        let id: i64 = diesel::insert_into(idle_cases::table)
            .values((
                idle_cases::supply_id.eq(supply_id),
                idle_cases::parcel_id.eq(supply.parcel_id),
                idle_cases::park_id.eq(park_id),
                idle_cases::opened_on.eq(opened_on),
                idle_cases::note.eq(&note),
                idle_cases::created_at.eq(stamp.at),
                idle_cases::created_by.eq(&stamp.by),
            ))
            .returning(idle_cases::id)
            .get_result(conn)?;
        let entry = Entry::new("create", "idle_case", id).park(park_id);
        audit::record(
            conn,
            stamp,
            entry.after(
                serde_json::json!({"supply_id": supply_id, "opened_on": opened_on, "note": note}),
            ),
        )?;
        get(conn, id)
    })
}

/// Record the next step of a case.
pub fn add_step(
    conn: &mut AnyConnection,
    case_id: i64,
    mut step: Step,
    stamp: &Stamp,
) -> StoreResult<Case> {
    let park_id = get(conn, case_id)?.park_id;
    write_in_park(conn, park_id, |conn| {
        let case = get(conn, case_id)?;
        check_next(&case, &step)?;
        let supply = super::supplies::get(conn, case.supply_id)?;
        match step.kind {
            StepKind::Decision => decide(conn, &case, &supply, &mut step)?,
            StepKind::Payment => {
                let decided = case
                    .steps
                    .iter()
                    .find_map(|s| (s.kind == StepKind::Decision).then_some(s.amount_yuan))
                    .flatten();
                match (step.amount_yuan, decided) {
                    (Some(paid), Some(fee)) if paid != fee => {
                        return Err(FieldError::new(
                            "amount_yuan",
                            format!("the decision set the fee at {fee} 元, not {paid}"),
                        )
                        .into());
                    }
                    (_, fee) => step.amount_yuan = fee,
                }
            }
            StepKind::HandBack => {
                super::supplies::end_in_tx(
                    conn,
                    &supply,
                    step.date,
                    &format!("无偿收回（闲置土地案件 {case_id}）"),
                    stamp,
                )?;
            }
            _ => {}
        }
        diesel::insert_into(idle_case_steps::table)
            .values((
                idle_case_steps::case_id.eq(case_id),
                idle_case_steps::kind.eq(step.kind.as_str()),
                idle_case_steps::step_date.eq(step.date),
                idle_case_steps::document_no.eq(&step.document_no),
                idle_case_steps::note.eq(&step.note),
                idle_case_steps::decision.eq(step.decision.map(decision_str)),
                idle_case_steps::amount_yuan.eq(step.amount_yuan),
                idle_case_steps::recorded_at.eq(stamp.at),
                idle_case_steps::recorded_by.eq(&stamp.by),
            ))
            .execute(conn)?;
        if closes(&step) {
            diesel::update(idle_cases::table.find(case_id))
                .set(idle_cases::closed_on.eq(step.date))
                .execute(conn)?;
        }
        let entry = Entry::new("add_step", "idle_case", case_id).park(park_id);
        let after = serde_json::json!({
            "kind": step.kind.as_str(), "date": step.date, "document_no": step.document_no,
            "decision": step.decision.map(decision_str), "amount_yuan": step.amount_yuan, "note": step.note,
        });
        audit::record(conn, stamp, entry.after(after))?;
        get(conn, case_id)
    })
}

/// A decision must agree with the clock on its date: a fee or recovery needs land idle by the
/// holder's fault (recovery two full years undeveloped), a disposal land idle through no fault
/// of the holder. The fee is the clock's, never typed in.
fn decide(
    conn: &mut AnyConnection,
    case: &Case,
    supply: &crate::domain::supply::Supply,
    step: &mut Step,
) -> StoreResult<()> {
    let (v, _) = super::land_watch::verdict_of(conn, supply, step.date)?;
    let on = step.date;
    let refuse = |why: String| -> StoreResult<()> {
        Err(StoreError::Conflict(format!(
            "case {}: {why} (on {on}: {})",
            case.id, v.explanation
        )))
    };
    if v.status != IdleStatus::Idle {
        return refuse("the land is not idle by the records, so no decision can be made; dismiss the case or record the facts".into());
    }
    match step.decision {
        Some(DecisionKind::Fee) if v.excused => refuse("the delay is excused (government or force majeure): no fee may be charged".into()),
        Some(DecisionKind::Fee) => {
            step.amount_yuan = v.fee_yuan;
            Ok(())
        }
        Some(DecisionKind::Recovery) if v.excused => {
            refuse("the delay is excused (government or force majeure): the land may not be recovered without compensation".into())
        }
        Some(DecisionKind::Recovery) if v.consequence != Consequence::Recovery => {
            let from = v.recovery_from.map_or_else(String::new, |d| d.to_string());
            refuse(format!("recovery without compensation needs two full years undeveloped, from {from}"))
        }
        Some(DecisionKind::Disposal) if !v.excused => {
            refuse("a disposal under Art. 12 is for land idle through government action or force majeure; record that finding first".into())
        }
        _ => Ok(()),
    }
}

/// The park of a case, for the access policy.
pub fn scope(conn: &mut AnyConnection, id: i64) -> StoreResult<crate::domain::access::ParkScope> {
    let park_id: i64 = idle_cases::table
        .find(id)
        .select(idle_cases::park_id)
        .first(conn)
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("idle-land case {id}")))?;
    super::parks::scope(conn, park_id)
}
