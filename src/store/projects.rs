//! Investment projects: the investment units responsible for them and their yearly plans, the
//! projects with their stage history, the parcels and units they use, and the fixed-asset
//! investment they report as completed — loaded and saved. Their rules are
//! `domain::project`'s; `ops::projects` applies them under the park's write lock.

use super::audit::{self, Entry};
use super::schema::{
    enterprises, investment_plans, investment_units, parcels, project_investment, project_links,
    project_stages, projects, workshop_units,
};
use super::{AnyConnection, StoreError, StoreResult};
use crate::domain::project::{
    InvestmentUnit, Project, ProjectDraft, References, Stage, StageRecord,
};
use crate::domain::register::Stamp;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use std::collections::HashMap;

pub fn units(conn: &mut AnyConnection) -> StoreResult<Vec<InvestmentUnit>> {
    let rows: Vec<(i64, String, String)> = investment_units::table
        .order(investment_units::id)
        .select((
            investment_units::id,
            investment_units::name,
            investment_units::kind,
        ))
        .load(conn)?;
    let plans: Vec<(i64, i32, i64)> = investment_plans::table
        .order((investment_plans::unit_id, investment_plans::year))
        .select((
            investment_plans::unit_id,
            investment_plans::year,
            investment_plans::fixed_asset_plan_yuan,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, name, kind)| InvestmentUnit {
            plans: plans
                .iter()
                .filter(|p| p.0 == id)
                .map(|p| (p.1, p.2))
                .collect(),
            id,
            name,
            kind,
        })
        .collect())
}

/// The id of the investment unit of this name, if any.
pub fn unit_named(conn: &mut AnyConnection, name: &str) -> StoreResult<Option<i64>> {
    Ok(investment_units::table
        .filter(investment_units::name.eq(name))
        .select(investment_units::id)
        .first(conn)
        .optional()?)
}

/// Save a new investment unit; its id.
pub fn insert_unit(
    conn: &mut AnyConnection,
    name: &str,
    kind: &str,
    stamp: &Stamp,
) -> StoreResult<i64> {
    Ok(diesel::insert_into(investment_units::table)
        .values((
            investment_units::name.eq(name),
            investment_units::kind.eq(kind),
            investment_units::created_at.eq(stamp.at),
            investment_units::created_by.eq(&stamp.by),
        ))
        .returning(investment_units::id)
        .get_result(conn)?)
}

/// Set a unit's plan for a year (replacing any earlier figure).
pub fn set_plan(
    conn: &mut AnyConnection,
    unit_id: i64,
    year: i32,
    yuan: i64,
    stamp: &Stamp,
) -> StoreResult<InvestmentUnit> {
    super::write_tx(conn, |conn| {
        let exists: Option<i64> = investment_units::table
            .find(unit_id)
            .select(investment_units::id)
            .first(conn)
            .optional()?;
        if exists.is_none() {
            return Err(StoreError::NotFound(format!("investment unit {unit_id}")));
        }
        let before: Option<i64> = investment_plans::table
            .filter(investment_plans::unit_id.eq(unit_id))
            .filter(investment_plans::year.eq(year))
            .select(investment_plans::fixed_asset_plan_yuan)
            .first(conn)
            .optional()?;
        diesel::delete(
            investment_plans::table
                .filter(investment_plans::unit_id.eq(unit_id))
                .filter(investment_plans::year.eq(year)),
        )
        .execute(conn)?;
        diesel::insert_into(investment_plans::table)
            .values((
                investment_plans::unit_id.eq(unit_id),
                investment_plans::year.eq(year),
                investment_plans::fixed_asset_plan_yuan.eq(yuan),
            ))
            .execute(conn)?;
        let entry = Entry::new("set_plan", "investment_unit", unit_id)
            .before(serde_json::json!({"year": year, "fixed_asset_plan_yuan": before}));
        audit::record(
            conn,
            stamp,
            entry.after(serde_json::json!({"year": year, "fixed_asset_plan_yuan": yuan})),
        )?;
        units(conn)?
            .into_iter()
            .find(|u| u.id == unit_id)
            .ok_or_else(|| StoreError::NotFound(format!("investment unit {unit_id}")))
    })
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = projects)]
struct ProjectRow {
    id: i64,
    park_id: i64,
    name: String,
    enterprise_id: Option<i64>,
    enterprise_name: String,
    industry: String,
    signed_investment_yuan: i64,
    fixed_asset_investment_yuan: i64,
    land_demand_mu: f64,
    responsible_unit_id: i64,
    enclave: bool,
    version: i64,
    created_at: NaiveDateTime,
    created_by: String,
    updated_at: NaiveDateTime,
    updated_by: String,
}

/// Projects of these parks (all when `None`), or one project, with histories and links.
pub fn list(
    conn: &mut AnyConnection,
    parks: Option<&[i64]>,
    id: Option<i64>,
) -> StoreResult<Vec<Project>> {
    let mut q = projects::table.into_boxed();
    if let Some(ids) = parks {
        q = q.filter(projects::park_id.eq_any(ids.to_vec()));
    }
    if let Some(id) = id {
        q = q.filter(projects::id.eq(id));
    }
    let rows: Vec<ProjectRow> = q
        .order(projects::id)
        .select(ProjectRow::as_select())
        .load(conn)?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut stages: HashMap<i64, Vec<StageRecord>> = HashMap::new();
    let stage_rows: Vec<(i64, String, NaiveDate, String, bool, NaiveDateTime, String)> =
        project_stages::table
            .filter(project_stages::project_id.eq_any(&ids))
            .order((
                project_stages::project_id,
                project_stages::stage_date,
                project_stages::id,
            ))
            .select((
                project_stages::project_id,
                project_stages::stage,
                project_stages::stage_date,
                project_stages::reason,
                project_stages::backwards,
                project_stages::recorded_at,
                project_stages::recorded_by,
            ))
            .load(conn)?;
    for (pid, stage, date, reason, backwards, at, by) in stage_rows {
        let stage = Stage::parse(&stage).ok_or_else(|| {
            StoreError::Corrupt(format!("project {pid} has an unknown stage {stage}"))
        })?;
        stages.entry(pid).or_default().push(StageRecord {
            stage,
            date,
            reason,
            backwards,
            recorded: Stamp::stored(by, at),
        });
    }
    let links: Vec<(i64, Option<i64>, Option<i64>)> = project_links::table
        .filter(project_links::project_id.eq_any(&ids))
        .order(project_links::id)
        .select((
            project_links::project_id,
            project_links::parcel_id,
            project_links::unit_id,
        ))
        .load(conn)?;
    let mut investment: HashMap<i64, Vec<(NaiveDate, i64)>> = HashMap::new();
    let reports: Vec<(i64, NaiveDate, i64)> = project_investment::table
        .filter(project_investment::project_id.eq_any(&ids))
        .order((
            project_investment::project_id,
            project_investment::report_date,
            project_investment::id,
        ))
        .select((
            project_investment::project_id,
            project_investment::report_date,
            project_investment::completed_yuan,
        ))
        .load(conn)?;
    for (pid, date, yuan) in reports {
        investment.entry(pid).or_default().push((date, yuan));
    }
    Ok(rows
        .into_iter()
        .map(|r| Project {
            parcel_ids: links
                .iter()
                .filter(|l| l.0 == r.id)
                .filter_map(|l| l.1)
                .collect(),
            unit_ids: links
                .iter()
                .filter(|l| l.0 == r.id)
                .filter_map(|l| l.2)
                .collect(),
            stages: stages.remove(&r.id).unwrap_or_default(),
            investment: investment.remove(&r.id).unwrap_or_default(),
            id: r.id,
            park_id: r.park_id,
            name: r.name,
            enterprise_id: r.enterprise_id,
            enterprise_name: r.enterprise_name,
            industry: r.industry,
            signed_investment_yuan: r.signed_investment_yuan,
            fixed_asset_investment_yuan: r.fixed_asset_investment_yuan,
            land_demand_mu: r.land_demand_mu,
            responsible_unit_id: r.responsible_unit_id,
            enclave: r.enclave,
            version: r.version,
            created: Stamp::stored(r.created_by, r.created_at),
            updated: Stamp::stored(r.updated_by, r.updated_at),
        })
        .collect())
}

pub fn get(conn: &mut AnyConnection, id: i64) -> StoreResult<Project> {
    list(conn, None, Some(id))?
        .pop()
        .ok_or_else(|| StoreError::NotFound(format!("project {id}")))
}

/// A project as the audit trail records it.
pub fn snapshot(p: &Project) -> serde_json::Value {
    serde_json::json!({
        "name": p.name, "enterprise_id": p.enterprise_id, "enterprise_name": p.enterprise_name,
        "industry": p.industry, "signed_investment_yuan": p.signed_investment_yuan,
        "fixed_asset_investment_yuan": p.fixed_asset_investment_yuan, "land_demand_mu": p.land_demand_mu,
        "responsible_unit_id": p.responsible_unit_id, "enclave": p.enclave, "parcel_ids": p.parcel_ids,
        "unit_ids": p.unit_ids, "stage": p.stages.last().map(|s| s.stage.as_str()), "version": p.version,
    })
}

fn insert_stage(conn: &mut AnyConnection, project_id: i64, r: &StageRecord) -> StoreResult<()> {
    diesel::insert_into(project_stages::table)
        .values((
            project_stages::project_id.eq(project_id),
            project_stages::stage.eq(r.stage.as_str()),
            project_stages::stage_date.eq(r.date),
            project_stages::reason.eq(&r.reason),
            project_stages::backwards.eq(r.backwards),
            project_stages::recorded_at.eq(r.recorded.at),
            project_stages::recorded_by.eq(&r.recorded.by),
        ))
        .execute(conn)?;
    Ok(())
}

/// What the register says of the records a project names: whether its enterprise and
/// investment unit exist, and the park of each parcel and workshop unit (`None`: no such).
pub fn references(conn: &mut AnyConnection, d: &ProjectDraft) -> StoreResult<References> {
    let enterprise_known = match d.enterprise_id {
        Some(id) => enterprises::table
            .find(id)
            .select(enterprises::id)
            .first::<i64>(conn)
            .optional()?
            .is_some(),
        None => true,
    };
    let unit_known = investment_units::table
        .find(d.responsible_unit_id)
        .select(investment_units::id)
        .first::<i64>(conn)
        .optional()?
        .is_some();
    let mut parcel_parks = Vec::with_capacity(d.parcel_ids.len());
    for id in &d.parcel_ids {
        parcel_parks.push(
            parcels::table
                .find(*id)
                .select(parcels::park_id)
                .first(conn)
                .optional()?,
        );
    }
    let mut unit_parks = Vec::with_capacity(d.unit_ids.len());
    for id in &d.unit_ids {
        let found: Option<i64> = workshop_units::table
            .find(*id)
            .select(workshop_units::workshop_id)
            .first(conn)
            .optional()?;
        unit_parks.push(match found {
            Some(w) => Some(super::workshops::get(conn, w)?.park_id),
            None => None,
        });
    }
    Ok(References {
        enterprise_known,
        unit_known,
        parcel_parks,
        unit_parks,
    })
}

/// Save a project's parcels and units, replacing the earlier links.
pub fn save_links(
    conn: &mut AnyConnection,
    id: i64,
    parcel_ids: &[i64],
    unit_ids: &[i64],
) -> StoreResult<()> {
    diesel::delete(project_links::table.filter(project_links::project_id.eq(id))).execute(conn)?;
    for p in parcel_ids {
        diesel::insert_into(project_links::table)
            .values((
                project_links::project_id.eq(id),
                project_links::parcel_id.eq(Some(*p)),
            ))
            .execute(conn)?;
    }
    for u in unit_ids {
        diesel::insert_into(project_links::table)
            .values((
                project_links::project_id.eq(id),
                project_links::unit_id.eq(Some(*u)),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Save a new project with its first stage and links; its id.
pub fn insert(
    conn: &mut AnyConnection,
    park_id: i64,
    d: &ProjectDraft,
    stamp: &Stamp,
) -> StoreResult<i64> {
    let id: i64 = diesel::insert_into(projects::table)
        .values((
            projects::park_id.eq(park_id),
            projects::name.eq(&d.name),
            projects::enterprise_id.eq(d.enterprise_id),
            projects::enterprise_name.eq(&d.enterprise_name),
            projects::industry.eq(&d.industry),
            projects::signed_investment_yuan.eq(d.signed_investment_yuan),
            projects::fixed_asset_investment_yuan.eq(d.fixed_asset_investment_yuan),
            projects::land_demand_mu.eq(d.land_demand_mu),
            projects::responsible_unit_id.eq(d.responsible_unit_id),
            projects::enclave.eq(d.enclave),
            projects::stage.eq(d.stage.as_str()),
            projects::stage_date.eq(d.stage_date),
            projects::version.eq(1i64),
            projects::created_at.eq(stamp.at),
            projects::created_by.eq(&stamp.by),
            projects::updated_at.eq(stamp.at),
            projects::updated_by.eq(&stamp.by),
        ))
        .returning(projects::id)
        .get_result(conn)?;
    let first = StageRecord {
        stage: d.stage,
        date: d.stage_date,
        reason: String::new(),
        backwards: false,
        recorded: stamp.clone(),
    };
    insert_stage(conn, id, &first)?;
    save_links(conn, id, &d.parcel_ids, &d.unit_ids)?;
    Ok(id)
}

/// Save a project's changed figures and links (`before`: as it was loaded).
pub fn save(conn: &mut AnyConnection, before: &Project, p: &Project) -> StoreResult<()> {
    diesel::update(projects::table.find(p.id))
        .set((
            projects::name.eq(&p.name),
            projects::enterprise_id.eq(p.enterprise_id),
            projects::enterprise_name.eq(&p.enterprise_name),
            projects::industry.eq(&p.industry),
            projects::signed_investment_yuan.eq(p.signed_investment_yuan),
            projects::fixed_asset_investment_yuan.eq(p.fixed_asset_investment_yuan),
            projects::land_demand_mu.eq(p.land_demand_mu),
            projects::responsible_unit_id.eq(p.responsible_unit_id),
            projects::enclave.eq(p.enclave),
            projects::version.eq(p.version),
            projects::updated_at.eq(p.updated.at),
            projects::updated_by.eq(&p.updated.by),
        ))
        .execute(conn)?;
    if p.parcel_ids != before.parcel_ids || p.unit_ids != before.unit_ids {
        save_links(conn, p.id, &p.parcel_ids, &p.unit_ids)?;
    }
    Ok(())
}

/// Save checked stage records: appended to the history, the last one the project's stage.
pub fn save_stages(
    conn: &mut AnyConnection,
    before: &Project,
    records: &[StageRecord],
    stamp: &Stamp,
) -> StoreResult<()> {
    for r in records {
        insert_stage(conn, before.id, r)?;
    }
    let last = records
        .last()
        .ok_or_else(|| StoreError::Corrupt("a stage change without records".into()))?;
    diesel::update(projects::table.find(before.id))
        .set((
            projects::stage.eq(last.stage.as_str()),
            projects::stage_date.eq(last.date),
            projects::version.eq(before.version + 1),
            projects::updated_at.eq(stamp.at),
            projects::updated_by.eq(&stamp.by),
        ))
        .execute(conn)?;
    Ok(())
}

/// Save a report of investment completed to date.
pub fn insert_investment(
    conn: &mut AnyConnection,
    id: i64,
    date: NaiveDate,
    completed_yuan: i64,
    stamp: &Stamp,
) -> StoreResult<()> {
    diesel::insert_into(project_investment::table)
        .values((
            project_investment::project_id.eq(id),
            project_investment::report_date.eq(date),
            project_investment::completed_yuan.eq(completed_yuan),
            project_investment::recorded_at.eq(stamp.at),
            project_investment::recorded_by.eq(&stamp.by),
        ))
        .execute(conn)?;
    Ok(())
}

/// The park of a project, for the access policy.
pub fn scope(conn: &mut AnyConnection, id: i64) -> StoreResult<crate::domain::access::ParkScope> {
    let park_id: i64 = projects::table
        .find(id)
        .select(projects::park_id)
        .first(conn)
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("project {id}")))?;
    super::parks::scope(conn, park_id)
}
