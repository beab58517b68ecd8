//! Applications (入园申请): loaded and saved. Their life cycle is `domain::application`'s;
//! `ops::applications` runs it under the park's write lock (a partial unique index backs the
//! one accepted application per plot).

use super::schema::applications;
use super::{AnyConnection, StoreError, StoreResult};
use crate::domain::application::{Application, ApplicationProject, ApplicationStatus, Target};
use crate::domain::entry_check::{BuildingPlan, EntryVerdict};
use crate::domain::register::Stamp;
use chrono::NaiveDateTime;
use diesel::prelude::*;

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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    building_base_m2: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    height_m: Option<f64>,
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
                    building_base_m2: p.building_base_m2,
                    height_m: p.height_m,
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

/// The accepted application holding a unit, other than `except`, if any.
pub fn reserving_unit(
    conn: &mut AnyConnection,
    unit_id: i64,
    except: Option<i64>,
) -> StoreResult<Option<i64>> {
    Ok(applications::table
        .filter(applications::unit_id.eq(unit_id))
        .filter(applications::status.eq("accepted"))
        .filter(applications::id.ne(except.unwrap_or(0)))
        .select(applications::id)
        .first::<i64>(conn)
        .optional()?)
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

/// An application as the audit trail records it.
pub fn snapshot(a: &Application) -> serde_json::Value {
    serde_json::json!({
        "target": match a.target { Target::Plot(p) => serde_json::json!({"parcel_id": p}), Target::Unit(u) => serde_json::json!({"unit_id": u}) },
        "project_name": a.project.project_name, "enterprise_name": a.project.enterprise_name,
        "status": a.status.as_str(), "decision_reason": a.decision_reason, "version": a.version,
    })
}

/// Save a new, submitted application; its id.
pub fn insert(
    conn: &mut AnyConnection,
    applicant_id: i64,
    park_id: i64,
    target: Target,
    project: &ApplicationProject,
    check: &EntryVerdict,
    stamp: &Stamp,
) -> StoreResult<i64> {
    let plan = project.plan.map(|p| {
        serde_json::to_string(&StoredPlan {
            floor_area_m2: p.floor_area_m2,
            tall_storey_floor_area_m2: p.tall_storey_floor_area_m2,
            building_footprint_m2: p.building_footprint_m2,
            admin_living_land_m2: p.admin_living_land_m2,
            green_area_m2: p.green_area_m2,
            building_base_m2: p.building_base_m2,
            height_m: p.height_m,
        })
        .unwrap_or_default()
    });
    let (parcel_id, unit_id) = match target {
        Target::Plot(p) => (Some(p), None),
        Target::Unit(u) => (None, Some(u)),
    };
    Ok(diesel::insert_into(applications::table)
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
            applications::status.eq(ApplicationStatus::Submitted.as_str()),
            applications::submitted_at.eq(stamp.at),
            applications::decision_reason.eq(""),
            applications::version.eq(1i64),
        ))
        .returning(applications::id)
        .get_result(conn)?)
}

/// Save an application's new status, with the stamp of the decision (none for a withdrawal)
/// and its reason; the version moves on by one.
pub fn save_status(
    conn: &mut AnyConnection,
    before: &Application,
    status: ApplicationStatus,
    decided: Option<&Stamp>,
    reason: &str,
) -> StoreResult<()> {
    let target = applications::table.find(before.id);
    let changes = (
        applications::status.eq(status.as_str()),
        applications::decision_reason.eq(reason),
        applications::version.eq(before.version + 1),
    );
    match decided {
        Some(stamp) => diesel::update(target)
            .set((
                changes,
                applications::decided_at.eq(Some(stamp.at)),
                applications::decided_by.eq(Some(&stamp.by)),
            ))
            .execute(conn)?,
        None => diesel::update(target).set(changes).execute(conn)?,
    };
    Ok(())
}
