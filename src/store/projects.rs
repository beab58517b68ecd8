//! Investment projects: the investment units responsible for them and their yearly plans, the
//! projects with their stage history, the parcels and units they use, and the fixed-asset
//! investment they report as completed. Writes take the park's write lock and are audited.

use super::audit::{self, Entry};
use super::schema::{
    enterprises, investment_plans, investment_units, parcels, project_investment, project_links,
    project_stages, projects, workshop_units,
};
use super::{AnyConnection, StoreError, StoreResult, write_in_park};
use crate::domain::FieldError;
use crate::domain::project::{Stage, StageRecord};
use crate::domain::register::Stamp;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use std::collections::HashMap;

/// A 招商单位: a department or a township.
#[derive(Debug, Clone, PartialEq)]
pub struct InvestmentUnit {
    pub id: i64,
    pub name: String,
    /// `department` or `township`.
    pub kind: String,
    /// Yearly plans of fixed-asset investment, 元.
    pub plans: Vec<(i32, i64)>,
}

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

pub fn create_unit(
    conn: &mut AnyConnection,
    name: String,
    kind: &str,
    stamp: &Stamp,
) -> StoreResult<InvestmentUnit> {
    super::write_tx(conn, |conn| {
        let taken: Option<i64> = investment_units::table
            .filter(investment_units::name.eq(&name))
            .select(investment_units::id)
            .first(conn)
            .optional()?;
        if let Some(id) = taken {
            return Err(StoreError::Conflict(format!(
                "the investment unit {name} already exists (id {id})"
            )));
        }
        let id: i64 = diesel::insert_into(investment_units::table)
            .values((
                investment_units::name.eq(&name),
                investment_units::kind.eq(kind),
                investment_units::created_at.eq(stamp.at),
                investment_units::created_by.eq(&stamp.by),
            ))
            .returning(investment_units::id)
            .get_result(conn)?;
        audit::record(
            conn,
            stamp,
            Entry::new("create", "investment_unit", id)
                .after(serde_json::json!({"name": name, "kind": kind})),
        )?;
        Ok(InvestmentUnit {
            id,
            name,
            kind: kind.to_owned(),
            plans: Vec::new(),
        })
    })
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

/// An investment project with its history.
#[derive(Debug, Clone, PartialEq)]
pub struct Project {
    pub id: i64,
    pub park_id: i64,
    pub name: String,
    pub enterprise_id: Option<i64>,
    pub enterprise_name: String,
    pub industry: String,
    pub signed_investment_yuan: i64,
    pub fixed_asset_investment_yuan: i64,
    pub land_demand_mu: f64,
    pub responsible_unit_id: i64,
    pub enclave: bool,
    pub parcel_ids: Vec<i64>,
    pub unit_ids: Vec<i64>,
    /// Stage changes, oldest first; the last is the current stage.
    pub stages: Vec<StageRecord>,
    /// Investment completed to date, as reported: (date, 元), oldest first.
    pub investment: Vec<(NaiveDate, i64)>,
    pub version: i64,
    pub created: Stamp,
    pub updated: Stamp,
}

/// A checked new project (its first stage included).
#[derive(Debug, Clone)]
pub struct ProjectDraft {
    pub name: String,
    pub enterprise_id: Option<i64>,
    pub enterprise_name: String,
    pub industry: String,
    pub signed_investment_yuan: i64,
    pub fixed_asset_investment_yuan: i64,
    pub land_demand_mu: f64,
    pub responsible_unit_id: i64,
    pub enclave: bool,
    pub parcel_ids: Vec<i64>,
    pub unit_ids: Vec<i64>,
    pub stage: Stage,
    pub stage_date: NaiveDate,
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

fn snapshot(p: &Project) -> serde_json::Value {
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

/// The parcels and units must be this park's, the enterprise and unit must exist.
fn check_refs(conn: &mut AnyConnection, park_id: i64, d: &ProjectDraft) -> StoreResult<()> {
    let mut e = Vec::new();
    if let Some(id) = d.enterprise_id
        && enterprises::table
            .find(id)
            .select(enterprises::id)
            .first::<i64>(conn)
            .optional()?
            .is_none()
    {
        e.push(FieldError::new(
            "enterprise_id",
            format!("enterprise {id} does not exist"),
        ));
    }
    if investment_units::table
        .find(d.responsible_unit_id)
        .select(investment_units::id)
        .first::<i64>(conn)
        .optional()?
        .is_none()
    {
        e.push(FieldError::new(
            "responsible_unit_id",
            format!("investment unit {} does not exist", d.responsible_unit_id),
        ));
    }
    for (i, id) in d.parcel_ids.iter().enumerate() {
        let park: Option<i64> = parcels::table
            .find(*id)
            .select(parcels::park_id)
            .first(conn)
            .optional()?;
        if park != Some(park_id) {
            e.push(FieldError::new(
                format!("parcel_ids[{i}]"),
                format!("parcel {id} is not a parcel of park {park_id}"),
            ));
        }
    }
    for (i, id) in d.unit_ids.iter().enumerate() {
        let found: Option<i64> = workshop_units::table
            .find(*id)
            .select(workshop_units::workshop_id)
            .first(conn)
            .optional()?;
        let park = match found {
            Some(w) => Some(super::workshops::get(conn, w)?.park_id),
            None => None,
        };
        if park != Some(park_id) {
            e.push(FieldError::new(
                format!("unit_ids[{i}]"),
                format!("workshop unit {id} is not in park {park_id}"),
            ));
        }
    }
    if e.is_empty() {
        Ok(())
    } else {
        Err(StoreError::Invalid(e))
    }
}

fn save_links(
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

pub fn create(
    conn: &mut AnyConnection,
    park_id: i64,
    d: ProjectDraft,
    stamp: &Stamp,
) -> StoreResult<Project> {
    write_in_park(conn, park_id, |conn| {
        check_refs(conn, park_id, &d)?;
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
        let p = get(conn, id)?;
        audit::record(
            conn,
            stamp,
            Entry::new("create", "project", id)
                .park(park_id)
                .after(snapshot(&p)),
        )?;
        Ok(p)
    })
}

/// Checked changes to a project's figures and links (stages change through [`change_stage`]).
#[derive(Debug, Clone, Default)]
pub struct ProjectChanges {
    pub name: Option<String>,
    pub enterprise: Option<(Option<i64>, String)>,
    pub industry: Option<String>,
    pub signed_investment_yuan: Option<i64>,
    pub fixed_asset_investment_yuan: Option<i64>,
    pub land_demand_mu: Option<f64>,
    pub responsible_unit_id: Option<i64>,
    pub enclave: Option<bool>,
    pub parcel_ids: Option<Vec<i64>>,
    pub unit_ids: Option<Vec<i64>>,
}

pub fn update(
    conn: &mut AnyConnection,
    id: i64,
    expected_version: Option<i64>,
    c: ProjectChanges,
    stamp: &Stamp,
) -> StoreResult<Project> {
    let park_id = get(conn, id)?.park_id;
    write_in_park(conn, park_id, |conn| {
        let before = get(conn, id)?;
        if expected_version.is_some_and(|v| v != before.version) {
            return Err(StoreError::VersionMismatch {
                current: before.version,
            });
        }
        let mut p = before.clone();
        if let Some(v) = c.name {
            p.name = v;
        }
        if let Some((eid, name)) = c.enterprise {
            p.enterprise_id = eid;
            p.enterprise_name = name;
        }
        if let Some(v) = c.industry {
            p.industry = v;
        }
        if let Some(v) = c.signed_investment_yuan {
            p.signed_investment_yuan = v;
        }
        if let Some(v) = c.fixed_asset_investment_yuan {
            p.fixed_asset_investment_yuan = v;
        }
        if let Some(v) = c.land_demand_mu {
            p.land_demand_mu = v;
        }
        if let Some(v) = c.responsible_unit_id {
            p.responsible_unit_id = v;
        }
        if let Some(v) = c.enclave {
            p.enclave = v;
        }
        if let Some(v) = c.parcel_ids {
            p.parcel_ids = v;
        }
        if let Some(v) = c.unit_ids {
            p.unit_ids = v;
        }
        if p == before {
            return Ok(before);
        }
        let as_draft = ProjectDraft {
            name: p.name.clone(),
            enterprise_id: p.enterprise_id,
            enterprise_name: p.enterprise_name.clone(),
            industry: p.industry.clone(),
            signed_investment_yuan: p.signed_investment_yuan,
            fixed_asset_investment_yuan: p.fixed_asset_investment_yuan,
            land_demand_mu: p.land_demand_mu,
            responsible_unit_id: p.responsible_unit_id,
            enclave: p.enclave,
            parcel_ids: p.parcel_ids.clone(),
            unit_ids: p.unit_ids.clone(),
            stage: Stage::Negotiating,
            stage_date: NaiveDate::MIN,
        };
        check_refs(conn, park_id, &as_draft)?;
        p.version += 1;
        p.updated = stamp.clone();
        diesel::update(projects::table.find(id))
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
                projects::updated_at.eq(stamp.at),
                projects::updated_by.eq(&stamp.by),
            ))
            .execute(conn)?;
        if p.parcel_ids != before.parcel_ids || p.unit_ids != before.unit_ids {
            save_links(conn, id, &p.parcel_ids, &p.unit_ids)?;
        }
        let entry = Entry::new("update", "project", id)
            .park(park_id)
            .before(snapshot(&before));
        audit::record(conn, stamp, entry.after(snapshot(&p)))?;
        Ok(p)
    })
}

/// Append checked stage records (see `domain::project::check_change`, which this calls with
/// the stored history under the lock).
pub fn change_stage(
    conn: &mut AnyConnection,
    id: i64,
    change: crate::domain::project::StageChange,
    today: NaiveDate,
    stamp: &Stamp,
) -> StoreResult<Project> {
    let park_id = get(conn, id)?.park_id;
    write_in_park(conn, park_id, |conn| {
        let before = get(conn, id)?;
        let records = crate::domain::project::check_change(&before.stages, change, today, stamp)
            .map_err(StoreError::Invalid)?;
        for r in &records {
            insert_stage(conn, id, r)?;
        }
        let last = records
            .last()
            .ok_or_else(|| StoreError::Corrupt("a stage change without records".into()))?;
        diesel::update(projects::table.find(id))
            .set((
                projects::stage.eq(last.stage.as_str()),
                projects::stage_date.eq(last.date),
                projects::version.eq(before.version + 1),
                projects::updated_at.eq(stamp.at),
                projects::updated_by.eq(&stamp.by),
            ))
            .execute(conn)?;
        let entry = Entry::new("change_stage", "project", id).park(park_id);
        let after: Vec<serde_json::Value> = records
            .iter()
            .map(|r| serde_json::json!({"stage": r.stage.as_str(), "date": r.date, "reason": r.reason, "backwards": r.backwards}))
            .collect();
        audit::record(
            conn,
            stamp,
            entry
                .before(
                    serde_json::json!({"stage": before.stages.last().map(|s| s.stage.as_str())}),
                )
                .after(serde_json::json!(after)),
        )?;
        get(conn, id)
    })
}

/// Record fixed-asset investment completed to date: reports come in date order and only grow.
pub fn report_investment(
    conn: &mut AnyConnection,
    id: i64,
    date: NaiveDate,
    completed_yuan: i64,
    stamp: &Stamp,
) -> StoreResult<Project> {
    let park_id = get(conn, id)?.park_id;
    write_in_park(conn, park_id, |conn| {
        let p = get(conn, id)?;
        if let Some((last_date, last)) = p.investment.last() {
            if date < *last_date {
                return Err(FieldError::new(
                    "date",
                    format!("the last report is of {last_date}; reports come in date order"),
                )
                .into());
            }
            if completed_yuan < *last {
                return Err(FieldError::new(
                    "completed_wan_yuan",
                    format!(
                        "the last report said {} 万元 to date; it can only grow",
                        *last as f64 / 10_000.0
                    ),
                )
                .into());
            }
        }
        diesel::insert_into(project_investment::table)
            .values((
                project_investment::project_id.eq(id),
                project_investment::report_date.eq(date),
                project_investment::completed_yuan.eq(completed_yuan),
                project_investment::recorded_at.eq(stamp.at),
                project_investment::recorded_by.eq(&stamp.by),
            ))
            .execute(conn)?;
        let entry = Entry::new("report_investment", "project", id).park(park_id);
        audit::record(
            conn,
            stamp,
            entry.after(serde_json::json!({"date": date, "completed_yuan": completed_yuan})),
        )?;
        get(conn, id)
    })
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
