//! Applications as use cases: submit, decide, withdraw. Each runs under the park's write lock,
//! so of two applications accepted at the same moment for the same plot exactly one wins:
//! load, let `domain::application` decide, save (accepting reserves the plot — the parcel
//! becomes `reserved` — or the unit), audit.

use crate::domain::application::{
    self, Application, ApplicationProject, ApplicationStatus, Target,
};
use crate::domain::entry_check::EntryVerdict;
use crate::domain::parcel::ParcelStatus;
use crate::domain::register::Stamp;
use crate::store::applications::snapshot;
use crate::store::audit::{self, Entry};
use crate::store::{self, AnyConnection, StoreError, StoreResult, write_in_park};
use chrono::NaiveDate;

/// Whether a target can be had now (`except`: the application being decided). The committee
/// is told why not; an applicant only that it is not available.
fn check_available(
    conn: &mut AnyConnection,
    target: Target,
    today: NaiveDate,
    except: Option<i64>,
    for_applicant: bool,
) -> StoreResult<()> {
    match (why_not(conn, target, today, except), for_applicant) {
        (Err(StoreError::Conflict(_) | StoreError::NotFound(_)), true) => {
            Err(application::not_available(target).into())
        }
        (other, _) => other,
    }
}

fn why_not(
    conn: &mut AnyConnection,
    target: Target,
    today: NaiveDate,
    except: Option<i64>,
) -> StoreResult<()> {
    match target {
        Target::Plot(id) => {
            let parcel = store::parcels::get(conn, id)
                .map_err(|_| StoreError::NotFound(format!("available plot {id}")))?;
            Ok(application::plot_available(&parcel)?)
        }
        Target::Unit(id) => {
            let unit = store::leases::get_unit(conn, id)?;
            let workshop = store::workshops::get(conn, unit.workshop_id)?;
            let leases = store::leases::leases_of(conn, &[id])?;
            let reserved = store::applications::reserving_unit(conn, id, except)?;
            Ok(application::unit_available(
                id, &workshop, &leases, reserved, today,
            )?)
        }
    }
}

/// An applicant applies for a plot or a unit, with the entry check as it stands.
pub fn submit(
    conn: &mut AnyConnection,
    applicant_id: i64,
    target: Target,
    project: ApplicationProject,
    check: &EntryVerdict,
    today: NaiveDate,
    stamp: &Stamp,
) -> StoreResult<Application> {
    let park_id = store::applications::park_of_target(conn, target).map_err(|e| match e {
        StoreError::NotFound(_) => application::not_available(target).into(),
        other => other,
    })?;
    write_in_park(conn, park_id, |conn| {
        check_available(conn, target, today, None, true)?;
        let id = store::applications::insert(
            conn,
            applicant_id,
            park_id,
            target,
            &project,
            check,
            stamp,
        )?;
        let a = store::applications::get(conn, id)?;
        let entry = Entry::new("submit", "application", id).park(park_id);
        audit::record(conn, stamp, entry.after(snapshot(&a)))?;
        Ok(a)
    })
}

/// Accept (reserving the plot or unit) or reject an application.
pub fn decide(
    conn: &mut AnyConnection,
    id: i64,
    accept: bool,
    reason: String,
    today: NaiveDate,
    stamp: &Stamp,
) -> StoreResult<Application> {
    let park_id = store::applications::get(conn, id)?.park_id;
    write_in_park(conn, park_id, |conn| {
        let before = store::applications::get(conn, id)?;
        let status = before.decide(accept, &reason)?;
        if status == ApplicationStatus::Accepted {
            check_available(conn, before.target, today, Some(id), false)?;
            if let Target::Plot(parcel_id) = before.target {
                let parcel = store::parcels::get(conn, parcel_id)?;
                let note = format!("预留: 入园申请 {id}（{}）", before.project.project_name);
                store::parcels::set_status(conn, &parcel, ParcelStatus::Reserved, &note, stamp)?;
            }
        }
        store::applications::save_status(conn, &before, status, Some(stamp), &reason)?;
        let after = store::applications::get(conn, id)?;
        let action = if accept { "accept" } else { "reject" };
        let entry = Entry::new(action, "application", id).park(park_id);
        audit::record(
            conn,
            stamp,
            entry.before(snapshot(&before)).after(snapshot(&after)),
        )?;
        Ok(after)
    })
}

/// An applicant withdraws a submitted application.
pub fn withdraw(
    conn: &mut AnyConnection,
    id: i64,
    reason: String,
    stamp: &Stamp,
) -> StoreResult<Application> {
    let park_id = store::applications::get(conn, id)?.park_id;
    write_in_park(conn, park_id, |conn| {
        let before = store::applications::get(conn, id)?;
        let status = before.withdraw()?;
        store::applications::save_status(conn, &before, status, None, &reason)?;
        let after = store::applications::get(conn, id)?;
        let entry = Entry::new("withdraw", "application", id).park(park_id);
        audit::record(
            conn,
            stamp,
            entry.before(snapshot(&before)).after(snapshot(&after)),
        )?;
        Ok(after)
    })
}
