//! The idle-land procedure as use cases: open a case on a supply, record its next step. Each
//! runs in the park's write transaction: load the case and its supply, let
//! `domain::idle_case` decide (on a decision, against the idle-land clock of its date), save,
//! and audit. Handing the land back ends the supply in the same transaction.

use crate::domain::idle_case::{self, Case, Step, StepKind};
use crate::domain::register::Stamp;
use crate::ops::{self, land_watch};
use crate::store::audit::{self, Entry};
use crate::store::{self, AnyConnection, StoreResult, write_in_park};
use chrono::NaiveDate;

/// Open a case: the land of `supply_id` is suspected idle on `opened_on`.
pub fn open(
    conn: &mut AnyConnection,
    supply_id: i64,
    opened_on: NaiveDate,
    note: String,
    stamp: &Stamp,
) -> StoreResult<Case> {
    let park_id = store::supplies::get(conn, supply_id)?.park_id;
    write_in_park(conn, park_id, |conn| {
        let supply = store::supplies::get(conn, supply_id)?;
        let open_case = store::idle_cases::open_case_of(conn, supply_id)?;
        idle_case::check_opening(&supply, open_case, opened_on)?;
        let id = store::idle_cases::insert(conn, &supply, opened_on, &note, stamp)?;
        let entry = Entry::new("create", "idle_case", id).park(park_id);
        let after =
            serde_json::json!({"supply_id": supply_id, "opened_on": opened_on, "note": note});
        audit::record(conn, stamp, entry.after(after))?;
        store::idle_cases::get(conn, id)
    })
}

/// Record the next step of a case.
pub fn add_step(
    conn: &mut AnyConnection,
    case_id: i64,
    mut step: Step,
    stamp: &Stamp,
) -> StoreResult<Case> {
    let park_id = store::idle_cases::get(conn, case_id)?.park_id;
    write_in_park(conn, park_id, |conn| {
        let case = store::idle_cases::get(conn, case_id)?;
        idle_case::check_next(&case, &step)?;
        let supply = store::supplies::get(conn, case.supply_id)?;
        match step.kind {
            StepKind::Decision => {
                let (verdict, _) = land_watch::verdict_of(conn, &supply, step.date)?;
                idle_case::decide(case.id, &mut step, &verdict)?;
            }
            StepKind::Payment => idle_case::settle_payment(&case, &mut step)?,
            StepKind::HandBack => {
                let reason = format!("无偿收回（闲置土地案件 {case_id}）");
                let last_fact = store::supplies::last_fact(conn, supply.id)?;
                let ended = supply.end(step.date, &reason, last_fact, stamp)?;
                ops::supplies::save_end(conn, &supply, &ended, stamp)?;
            }
            _ => {}
        }
        store::idle_cases::insert_step(conn, case_id, &step, stamp)?;
        let entry = Entry::new("add_step", "idle_case", case_id).park(park_id);
        audit::record(
            conn,
            stamp,
            entry.after(store::idle_cases::step_record(&step)),
        )?;
        store::idle_cases::get(conn, case_id)
    })
}
