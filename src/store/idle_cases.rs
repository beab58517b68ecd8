//! Idle-land cases (闲置土地处置案件) and their steps: loaded and saved. The procedure's rules
//! are `domain::idle_case`'s; `ops::idle_cases` applies them.

use super::schema::{idle_case_steps, idle_cases};
use super::{AnyConnection, StoreError, StoreResult};
use crate::domain::idle_case::{Case, DecisionKind, Step, StepKind, closes};
use crate::domain::register::Stamp;
use crate::domain::supply::Supply;
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

/// For each supply of these parks (all when `None`) with a case closed by `as_of`: the day
/// its last case closed.
pub fn last_closed(
    conn: &mut AnyConnection,
    parks: Option<&[i64]>,
    supply_id: Option<i64>,
    as_of: NaiveDate,
) -> StoreResult<HashMap<i64, NaiveDate>> {
    let mut q = idle_cases::table
        .filter(idle_cases::closed_on.le(as_of))
        .into_boxed();
    if let Some(ids) = parks {
        q = q.filter(idle_cases::park_id.eq_any(ids.to_vec()));
    }
    if let Some(id) = supply_id {
        q = q.filter(idle_cases::supply_id.eq(id));
    }
    let rows: Vec<(i64, Option<NaiveDate>)> = q
        .select((idle_cases::supply_id, idle_cases::closed_on))
        .load(conn)?;
    let mut last: HashMap<i64, NaiveDate> = HashMap::new();
    for (supply, closed) in rows {
        if let Some(day) = closed {
            let slot = last.entry(supply).or_insert(day);
            *slot = (*slot).max(day);
        }
    }
    Ok(last)
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

/// Save a new case on a supply; its id.
pub fn insert(
    conn: &mut AnyConnection,
    supply: &Supply,
    opened_on: NaiveDate,
    note: &str,
    stamp: &Stamp,
) -> StoreResult<i64> {
    Ok(diesel::insert_into(idle_cases::table)
        .values((
            idle_cases::supply_id.eq(supply.id),
            idle_cases::parcel_id.eq(supply.parcel_id),
            idle_cases::park_id.eq(supply.park_id),
            idle_cases::opened_on.eq(opened_on),
            idle_cases::note.eq(note),
            idle_cases::created_at.eq(stamp.at),
            idle_cases::created_by.eq(&stamp.by),
        ))
        .returning(idle_cases::id)
        .get_result(conn)?)
}

/// Save a case's next step, and close the case on its date when the step closes it.
pub fn insert_step(
    conn: &mut AnyConnection,
    case_id: i64,
    step: &Step,
    stamp: &Stamp,
) -> StoreResult<()> {
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
    if closes(step) {
        diesel::update(idle_cases::table.find(case_id))
            .set(idle_cases::closed_on.eq(step.date))
            .execute(conn)?;
    }
    Ok(())
}

/// A step as the audit trail records it.
pub fn step_record(step: &Step) -> serde_json::Value {
    serde_json::json!({
        "kind": step.kind.as_str(), "date": step.date, "document_no": step.document_no,
        "decision": step.decision.map(decision_str), "amount_yuan": step.amount_yuan, "note": step.note,
    })
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
