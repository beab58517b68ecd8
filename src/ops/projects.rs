//! Investment projects as use cases: add an investment unit, create and change a project,
//! move it along its stages, record the investment it reports. Each runs in one transaction
//! (a project's under its park's write lock): load, let `domain::project` decide, save, audit.

use crate::domain::project::{
    self, InvestmentUnit, Project, ProjectChanges, ProjectDraft, StageChange,
};
use crate::domain::register::Stamp;
use crate::store::audit::{self, Entry};
use crate::store::projects::snapshot;
use crate::store::{self, AnyConnection, StoreError, StoreResult, write_in_park, write_tx};
use chrono::NaiveDate;

pub fn create_unit(
    conn: &mut AnyConnection,
    name: String,
    kind: &str,
    stamp: &Stamp,
) -> StoreResult<InvestmentUnit> {
    write_tx(conn, |conn| {
        let taken = store::projects::unit_named(conn, &name)?;
        project::check_unit_name(&name, taken)?;
        let id = store::projects::insert_unit(conn, &name, kind, stamp)?;
        let entry = Entry::new("create", "investment_unit", id);
        let after = serde_json::json!({"name": name, "kind": kind});
        audit::record(conn, stamp, entry.after(after))?;
        Ok(InvestmentUnit {
            id,
            name,
            kind: kind.to_owned(),
            plans: Vec::new(),
        })
    })
}

pub fn create(
    conn: &mut AnyConnection,
    park_id: i64,
    d: ProjectDraft,
    stamp: &Stamp,
) -> StoreResult<Project> {
    write_in_park(conn, park_id, |conn| {
        let refs = store::projects::references(conn, &d)?;
        project::check_references(park_id, &d, &refs)?;
        let id = store::projects::insert(conn, park_id, &d, stamp)?;
        let p = store::projects::get(conn, id)?;
        let entry = Entry::new("create", "project", id).park(park_id);
        audit::record(conn, stamp, entry.after(snapshot(&p)))?;
        Ok(p)
    })
}

pub fn update(
    conn: &mut AnyConnection,
    id: i64,
    expected_version: Option<i64>,
    changes: ProjectChanges,
    stamp: &Stamp,
) -> StoreResult<Project> {
    let park_id = store::projects::get(conn, id)?.park_id;
    write_in_park(conn, park_id, |conn| {
        let before = store::projects::get(conn, id)?;
        store::expect_version(expected_version, before.version)?;
        let mut p = before.apply(changes);
        if p == before {
            return Ok(before);
        }
        let as_draft = p.references_as_draft();
        let refs = store::projects::references(conn, &as_draft)?;
        project::check_references(park_id, &as_draft, &refs)?;
        p.version += 1;
        p.updated = stamp.clone();
        store::projects::save(conn, &before, &p)?;
        let entry = Entry::new("update", "project", id)
            .park(park_id)
            .before(snapshot(&before));
        audit::record(conn, stamp, entry.after(snapshot(&p)))?;
        Ok(p)
    })
}

/// Append stage records checked by `domain::project::check_change` against the stored
/// history, under the lock.
pub fn change_stage(
    conn: &mut AnyConnection,
    id: i64,
    change: StageChange,
    today: NaiveDate,
    stamp: &Stamp,
) -> StoreResult<Project> {
    let park_id = store::projects::get(conn, id)?.park_id;
    write_in_park(conn, park_id, |conn| {
        let before = store::projects::get(conn, id)?;
        let records = project::check_change(&before.stages, change, today, stamp)
            .map_err(StoreError::Invalid)?;
        store::projects::save_stages(conn, &before, &records, stamp)?;
        let entry = Entry::new("change_stage", "project", id).park(park_id);
        let after: Vec<serde_json::Value> = records
            .iter()
            .map(|r| serde_json::json!({"stage": r.stage.as_str(), "date": r.date, "reason": r.reason, "backwards": r.backwards}))
            .collect();
        let stage_before = before.stages.last().map(|s| s.stage.as_str());
        let entry = entry
            .before(serde_json::json!({"stage": stage_before}))
            .after(serde_json::json!(after));
        audit::record(conn, stamp, entry)?;
        store::projects::get(conn, id)
    })
}

/// Record fixed-asset investment completed to date.
pub fn report_investment(
    conn: &mut AnyConnection,
    id: i64,
    date: NaiveDate,
    completed_yuan: i64,
    stamp: &Stamp,
) -> StoreResult<Project> {
    let park_id = store::projects::get(conn, id)?.park_id;
    write_in_park(conn, park_id, |conn| {
        let p = store::projects::get(conn, id)?;
        p.check_report(date, completed_yuan)?;
        store::projects::insert_investment(conn, id, date, completed_yuan, stamp)?;
        let entry = Entry::new("report_investment", "project", id).park(park_id);
        let after = serde_json::json!({"date": date, "completed_yuan": completed_yuan});
        audit::record(conn, stamp, entry.after(after))?;
        store::projects::get(conn, id)
    })
}
