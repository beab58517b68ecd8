//! Applications (入园申请) of applicants for an available plot or a free workshop unit, and the
//! committee's decisions. Accepting reserves the plot (the parcel becomes `reserved`) or the
//! unit; the decision runs under the park's write lock, so of two applications accepted at the
//! same moment for the same plot exactly one wins (a partial unique index backs it).

use super::audit::{self, Entry};
use super::parcels::set_status;
use super::schema::applications;
use super::{AnyConnection, StoreError, StoreResult, write_in_park};
use crate::domain::FieldError;
use crate::domain::entry_check::{BuildingPlan, EntryVerdict};
use crate::domain::parcel::ParcelStatus;
use crate::domain::register::Stamp;
use crate::domain::workshop::Milestone;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

/// What is applied for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Plot(i64),
    Unit(i64),
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Target::Plot(id) => write!(f, "plot {id}"),
            Target::Unit(id) => write!(f, "unit {id}"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ApplicationStatus {
    Submitted,
    Accepted,
    Rejected,
    Withdrawn,
}

impl ApplicationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Submitted => "submitted",
            Self::Accepted => "accepted",
            Self::Rejected => "rejected",
            Self::Withdrawn => "withdrawn",
        }
    }

    fn parse(raw: &str) -> Option<Self> {
        [
            Self::Submitted,
            Self::Accepted,
            Self::Rejected,
            Self::Withdrawn,
        ]
        .into_iter()
        .find(|s| s.as_str() == raw)
    }
}

/// The project an applicant brings.
#[derive(Debug, Clone, PartialEq)]
pub struct ApplicationProject {
    pub project_name: String,
    pub enterprise_name: String,
    pub uscc: Option<String>,
    pub industry: String,
    pub fixed_asset_investment_yuan: i64,
    pub land_demand_mu: Option<f64>,
    pub plan: Option<BuildingPlan>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Application {
    pub id: i64,
    pub applicant_id: i64,
    pub park_id: i64,
    pub target: Target,
    pub project: ApplicationProject,
    /// The entry check as it stood when submitted.
    pub entry_check: serde_json::Value,
    pub status: ApplicationStatus,
    pub submitted_at: NaiveDateTime,
    pub decided: Option<Stamp>,
    pub decision_reason: String,
    pub version: i64,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = applications)]
struct Row {
    id: i64,
    applicant_id: i64,
    park_id: i64,
    parcel_id: Option<i64>,
    unit_id: Option<i64>,
    project_name: String,
    enterprise_name: String,
    uscc: Option<String>,
    industry: String,
    fixed_asset_investment_yuan: i64,
    land_demand_mu: Option<f64>,
    plan: Option<String>,
    entry_check: String,
    status: String,
    submitted_at: NaiveDateTime,
    decided_at: Option<NaiveDateTime>,
    decided_by: Option<String>,
    decision_reason: String,
    version: i64,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct StoredPlan {
    floor_area_m2: f64,
    tall_storey_floor_area_m2: f64,
    building_footprint_m2: f64,
    admin_living_land_m2: f64,
    green_area_m2: f64,
}

impl Row {
    fn into_application(self) -> StoreResult<Application> {
        let corrupt =
            |what: &str| StoreError::Corrupt(format!("application {} has {what}", self.id));
        let target = match (self.parcel_id, self.unit_id) {
            (Some(p), None) => Target::Plot(p),
            (None, Some(u)) => Target::Unit(u),
            _ => return Err(corrupt("no single target")),
        };
        let plan = match &self.plan {
            Some(text) => {
                let p: StoredPlan =
                    serde_json::from_str(text).map_err(|_| corrupt("an unreadable plan"))?;
                Some(BuildingPlan {
                    floor_area_m2: p.floor_area_m2,
                    tall_storey_floor_area_m2: p.tall_storey_floor_area_m2,
                    building_footprint_m2: p.building_footprint_m2,
                    admin_living_land_m2: p.admin_living_land_m2,
                    green_area_m2: p.green_area_m2,
                })
            }
            None => None,
        };
        Ok(Application {
            id: self.id,
            applicant_id: self.applicant_id,
            park_id: self.park_id,
            target,
            project: ApplicationProject {
                project_name: self.project_name.clone(),
                enterprise_name: self.enterprise_name.clone(),
                uscc: self.uscc.clone(),
                industry: self.industry.clone(),
                fixed_asset_investment_yuan: self.fixed_asset_investment_yuan,
                land_demand_mu: self.land_demand_mu,
                plan,
            },
            entry_check: serde_json::from_str(&self.entry_check)
                .map_err(|_| corrupt("an unreadable entry check"))?,
            status: ApplicationStatus::parse(&self.status)
                .ok_or_else(|| corrupt("an unknown status"))?,
            submitted_at: self.submitted_at,
            decided: match (self.decided_by.clone(), self.decided_at) {
                (Some(by), Some(at)) => Some(Stamp::stored(by, at)),
                _ => None,
            },
            decision_reason: self.decision_reason,
            version: self.version,
        })
    }
}

pub fn get(conn: &mut AnyConnection, id: i64) -> StoreResult<Application> {
    applications::table
        .find(id)
        .select(Row::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("application {id}")))?
        .into_application()
}

/// Applications of one applicant, or of these parks (all when both `None`), newest first.
pub fn list(
    conn: &mut AnyConnection,
    applicant: Option<i64>,
    parks: Option<&[i64]>,
) -> StoreResult<Vec<Application>> {
    let mut q = applications::table.into_boxed();
    if let Some(id) = applicant {
        q = q.filter(applications::applicant_id.eq(id));
    }
    if let Some(ids) = parks {
        q = q.filter(applications::park_id.eq_any(ids.to_vec()));
    }
    q.order(applications::id.desc())
        .select(Row::as_select())
        .load(conn)?
        .into_iter()
        .map(Row::into_application)
        .collect()
}

/// The park of a target and whether it can be had now; `Err` says why not (409) — to the
/// committee deciding; an applicant learns only that it is not available, since why (a lease,
/// another applicant's reservation, an unfinished building) is the park's own business.
fn availability(
    conn: &mut AnyConnection,
    target: Target,
    today: NaiveDate,
    except: Option<i64>,
    for_applicant: bool,
) -> StoreResult<i64> {
    let detailed = available(conn, target, today, except);
    match detailed {
        Err(StoreError::Conflict(_) | StoreError::NotFound(_)) if for_applicant => {
            Err(StoreError::Conflict(format!("{target} is not available")))
        }
        other => other,
    }
}

fn available(
    conn: &mut AnyConnection,
    target: Target,
    today: NaiveDate,
    except: Option<i64>,
) -> StoreResult<i64> {
    match target {
        Target::Plot(id) => {
            let parcel = super::parcels::get(conn, id)
                .map_err(|_| StoreError::NotFound(format!("available plot {id}")))?;
            if parcel.status != ParcelStatus::Available {
                return Err(StoreError::Conflict(format!(
                    "plot {} is not available ({})",
                    parcel.code,
                    parcel.status.label_zh()
                )));
            }
            Ok(parcel.park_id)
        }
        Target::Unit(id) => {
            let unit = super::leases::get_unit(conn, id)?;
            let w = super::workshops::get(conn, unit.workshop_id)?;
            let ready = [Milestone::Handover, Milestone::Completion]
                .iter()
                .any(|m| w.plan[m.index()].actual.is_some_and(|d| d <= today));
            if !ready {
                return Err(StoreError::Conflict(format!(
                    "unit {id} is in {}, which is not completed yet",
                    w.name
                )));
            }
            if super::leases::leases_of(conn, &[id])?
                .iter()
                .any(|l| l.end >= today)
            {
                return Err(StoreError::Conflict(format!("unit {id} is leased")));
            }
            let taken = applications::table
                .filter(applications::unit_id.eq(id))
                .filter(applications::status.eq("accepted"))
                .filter(applications::id.ne(except.unwrap_or(0)))
                .select(applications::id)
                .first::<i64>(conn)
                .optional()?;
            if let Some(other) = taken {
                return Err(StoreError::Conflict(format!(
                    "unit {id} is reserved for application {other}"
                )));
            }
            Ok(w.park_id)
        }
    }
}

/// The park a target lies in (for the access policy), without judging availability.
pub fn park_of_target(conn: &mut AnyConnection, target: Target) -> StoreResult<i64> {
    match target {
        Target::Plot(id) => super::parcels::park_of(conn, id),
        Target::Unit(id) => {
            let unit = super::leases::get_unit(conn, id)?;
            Ok(super::workshops::get(conn, unit.workshop_id)?.park_id)
        }
    }
}

fn snapshot(a: &Application) -> serde_json::Value {
    serde_json::json!({
        "target": match a.target { Target::Plot(p) => serde_json::json!({"parcel_id": p}), Target::Unit(u) => serde_json::json!({"unit_id": u}) },
        "project_name": a.project.project_name, "enterprise_name": a.project.enterprise_name,
        "status": a.status.as_str(), "decision_reason": a.decision_reason, "version": a.version,
    })
}

pub fn submit(
    conn: &mut AnyConnection,
    applicant_id: i64,
    target: Target,
    project: ApplicationProject,
    check: &EntryVerdict,
    today: NaiveDate,
    stamp: &Stamp,
) -> StoreResult<Application> {
    let park_id = park_of_target(conn, target).map_err(|e| match e {
        StoreError::NotFound(_) => StoreError::Conflict(format!("{target} is not available")),
        other => other,
    })?;
    write_in_park(conn, park_id, |conn| {
        availability(conn, target, today, None, true)?;
        let plan = project.plan.map(|p| {
            serde_json::to_string(&StoredPlan {
                floor_area_m2: p.floor_area_m2,
                tall_storey_floor_area_m2: p.tall_storey_floor_area_m2,
                building_footprint_m2: p.building_footprint_m2,
                admin_living_land_m2: p.admin_living_land_m2,
                green_area_m2: p.green_area_m2,
            })
            .unwrap_or_default()
        });
        let (parcel_id, unit_id) = match target {
            Target::Plot(p) => (Some(p), None),
            Target::Unit(u) => (None, Some(u)),
        };
        let id: i64 = diesel::insert_into(applications::table)
            .values((
                applications::applicant_id.eq(applicant_id),
                applications::park_id.eq(park_id),
                applications::parcel_id.eq(parcel_id),
                applications::unit_id.eq(unit_id),
                applications::project_name.eq(&project.project_name),
                applications::enterprise_name.eq(&project.enterprise_name),
                applications::uscc.eq(&project.uscc),
                applications::industry.eq(&project.industry),
                applications::fixed_asset_investment_yuan.eq(project.fixed_asset_investment_yuan),
                applications::land_demand_mu.eq(project.land_demand_mu),
                applications::plan.eq(plan),
                applications::entry_check.eq(serde_json::to_string(check).unwrap_or_default()),
                applications::status.eq("submitted"),
                applications::submitted_at.eq(stamp.at),
                applications::decision_reason.eq(""),
                applications::version.eq(1i64),
            ))
            .returning(applications::id)
            .get_result(conn)?;
        let a = get(conn, id)?;
        audit::record(
            conn,
            stamp,
            Entry::new("submit", "application", id)
                .park(park_id)
                .after(snapshot(&a)),
        )?;
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
    let park_id = get(conn, id)?.park_id;
    write_in_park(conn, park_id, |conn| {
        let before = get(conn, id)?;
        if before.status != ApplicationStatus::Submitted {
            return Err(StoreError::Conflict(format!(
                "application {id} is already {}",
                before.status.as_str()
            )));
        }
        if !accept && reason.is_empty() {
            return Err(FieldError::new("reason", "say why the application is rejected").into());
        }
        if accept {
            availability(conn, before.target, today, Some(id), false)?;
            if let Target::Plot(parcel_id) = before.target {
                let parcel = super::parcels::get(conn, parcel_id)?;
                let note = format!("预留: 入园申请 {id}（{}）", before.project.project_name);
                set_status(conn, &parcel, ParcelStatus::Reserved, &note, stamp)?;
            }
        }
        let status = if accept { "accepted" } else { "rejected" };
        diesel::update(applications::table.find(id))
            .set((
                applications::status.eq(status),
                applications::decided_at.eq(Some(stamp.at)),
                applications::decided_by.eq(Some(&stamp.by)),
                applications::decision_reason.eq(&reason),
                applications::version.eq(before.version + 1),
            ))
            .execute(conn)?;
        let after = get(conn, id)?;
        let entry =
            Entry::new(if accept { "accept" } else { "reject" }, "application", id).park(park_id);
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
    let park_id = get(conn, id)?.park_id;
    write_in_park(conn, park_id, |conn| {
        let before = get(conn, id)?;
        if before.status != ApplicationStatus::Submitted {
            return Err(StoreError::Conflict(format!(
                "application {id} is already {}",
                before.status.as_str()
            )));
        }
        diesel::update(applications::table.find(id))
            .set((
                applications::status.eq("withdrawn"),
                applications::decision_reason.eq(&reason),
                applications::version.eq(before.version + 1),
            ))
            .execute(conn)?;
        let after = get(conn, id)?;
        audit::record(
            conn,
            stamp,
            Entry::new("withdraw", "application", id)
                .park(park_id)
                .before(snapshot(&before))
                .after(snapshot(&after)),
        )?;
        Ok(after)
    })
}
