//! Enterprises (企业) as stored: load, search, insert and save. The credit code's uniqueness
//! is `domain::enterprise`'s; `ops::directory` checks it and audits each change.

use super::audit::{self, Entry};
use super::schema::enterprises;
use super::{AnyConnection, StoreError, StoreResult};
use crate::domain::enterprise::{Enterprise, EnterpriseDraft};
use crate::domain::register::Stamp;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

#[derive(Queryable, Selectable)]
#[diesel(table_name = enterprises)]
struct EnterpriseRow {
    id: i64,
    name: String,
    uscc: String,
    industry: Option<String>,
    above_scale: bool,
    version: i64,
    created_at: NaiveDateTime,
    created_by: String,
    updated_at: NaiveDateTime,
    updated_by: String,
}

impl From<EnterpriseRow> for Enterprise {
    fn from(r: EnterpriseRow) -> Self {
        Enterprise {
            id: r.id,
            name: r.name,
            uscc: r.uscc,
            industry: r.industry,
            above_scale: r.above_scale,
            version: r.version,
            created: Stamp::stored(r.created_by, r.created_at),
            updated: Stamp::stored(r.updated_by, r.updated_at),
        }
    }
}

pub fn get(conn: &mut AnyConnection, id: i64) -> StoreResult<Enterprise> {
    enterprises::table
        .find(id)
        .select(EnterpriseRow::as_select())
        .first(conn)
        .optional()?
        .map(Enterprise::from)
        .ok_or_else(|| StoreError::NotFound(format!("enterprise {id}")))
}

/// Filters of the enterprise directory.
#[derive(Debug, Clone, Default)]
pub struct EnterpriseQuery {
    /// Part of the name.
    pub name: Option<String>,
    pub uscc: Option<String>,
}

/// Enterprises by name, at most `limit`, and how many match.
/// Whether the directory holds enterprise `id`.
pub fn exists(conn: &mut AnyConnection, id: i64) -> StoreResult<bool> {
    Ok(enterprises::table
        .find(id)
        .select(enterprises::id)
        .first::<i64>(conn)
        .optional()?
        .is_some())
}

pub fn list(
    conn: &mut AnyConnection,
    q: &EnterpriseQuery,
    limit: i64,
    offset: i64,
) -> StoreResult<(Vec<Enterprise>, i64)> {
    let filtered = || {
        let mut query = enterprises::table.into_boxed();
        if let Some(name) = &q.name {
            // `%` and `_` in a search are literal characters, not wildcards.
            let escaped = name
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            query = query.filter(enterprises::name.like(format!("%{escaped}%")).escape('\\'));
        }
        if let Some(uscc) = &q.uscc {
            query = query.filter(enterprises::uscc.eq(uscc.clone()));
        }
        query
    };
    let matched = filtered().count().get_result(conn)?;
    let rows = filtered()
        .order((enterprises::name, enterprises::id))
        .limit(limit)
        .offset(offset)
        .select(EnterpriseRow::as_select())
        .load(conn)?;
    Ok((rows.into_iter().map(Enterprise::from).collect(), matched))
}

/// Names of the given enterprises, for views that show who holds the land.
pub fn names(
    conn: &mut AnyConnection,
    ids: &[i64],
) -> StoreResult<std::collections::HashMap<i64, String>> {
    Ok(enterprises::table
        .filter(enterprises::id.eq_any(ids))
        .select((enterprises::id, enterprises::name))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect())
}

/// The enterprise other than `except` that holds a credit code: id and name.
pub fn uscc_holder(
    conn: &mut AnyConnection,
    uscc: &str,
    except: Option<i64>,
) -> StoreResult<Option<(i64, String)>> {
    let mut q = enterprises::table
        .filter(enterprises::uscc.eq(uscc))
        .select((enterprises::id, enterprises::name))
        .into_boxed();
    if let Some(id) = except {
        q = q.filter(enterprises::id.ne(id));
    }
    Ok(q.first(conn).optional()?)
}

pub fn snapshot(e: &Enterprise) -> serde_json::Value {
    serde_json::json!({
        "name": e.name, "uscc": e.uscc, "industry": e.industry,
        "above_scale": e.above_scale, "version": e.version,
    })
}

/// The parks an enterprise touches: where it has held land, leased units, owns projects or
/// reported figures. Its changes are audited under each of them.
pub fn parks_touched(conn: &mut AnyConnection, id: i64) -> StoreResult<Vec<i64>> {
    use super::schema::{land_supplies, performance_figures, projects, unit_leases};
    let mut parks: Vec<i64> = land_supplies::table
        .filter(land_supplies::enterprise_id.eq(id))
        .select(land_supplies::park_id)
        .load(conn)?;
    parks.extend(
        unit_leases::table
            .filter(unit_leases::enterprise_id.eq(id))
            .select(unit_leases::park_id)
            .load::<i64>(conn)?,
    );
    parks.extend(
        projects::table
            .filter(projects::enterprise_id.eq(id))
            .select(projects::park_id)
            .load::<i64>(conn)?,
    );
    parks.extend(
        performance_figures::table
            .filter(performance_figures::enterprise_id.eq(id))
            .select(performance_figures::park_id)
            .load::<i64>(conn)?,
    );
    parks.sort_unstable();
    parks.dedup();
    Ok(parks)
}

/// The parks where an enterprise holds land (a supply not ended) or a lease (not over) today.
pub fn parks_held(conn: &mut AnyConnection, id: i64, today: NaiveDate) -> StoreResult<Vec<i64>> {
    use super::schema::{land_supplies, unit_leases};
    let mut parks: Vec<i64> = land_supplies::table
        .filter(land_supplies::enterprise_id.eq(id))
        .filter(land_supplies::ended_on.is_null())
        .select(land_supplies::park_id)
        .load(conn)?;
    parks.extend(
        unit_leases::table
            .filter(unit_leases::enterprise_id.eq(id))
            .filter(unit_leases::end_date.ge(today))
            .select(unit_leases::park_id)
            .load::<i64>(conn)?,
    );
    parks.sort_unstable();
    parks.dedup();
    Ok(parks)
}

/// Audit an enterprise change under every park it touches (or none, when it touches none), so
/// each park's bureau sees its land users change.
pub fn record_per_park(
    conn: &mut AnyConnection,
    stamp: &Stamp,
    entry: Entry,
    id: i64,
) -> StoreResult<()> {
    let parks = parks_touched(conn, id)?;
    if parks.is_empty() {
        return audit::record(conn, stamp, entry);
    }
    for park in parks {
        audit::record(conn, stamp, entry.clone().park(park))?;
    }
    Ok(())
}

/// Insert an enterprise; returns its id.
pub fn insert(
    conn: &mut AnyConnection,
    draft: &EnterpriseDraft,
    stamp: &Stamp,
) -> StoreResult<i64> {
    Ok(diesel::insert_into(enterprises::table)
        .values((
            enterprises::name.eq(&draft.name),
            enterprises::uscc.eq(draft.uscc.as_str()),
            enterprises::industry.eq(draft.industry.as_ref().map(|c| c.as_str())),
            enterprises::above_scale.eq(draft.above_scale),
            enterprises::version.eq(1i64),
            enterprises::created_at.eq(stamp.at),
            enterprises::created_by.eq(&stamp.by),
            enterprises::updated_at.eq(stamp.at),
            enterprises::updated_by.eq(&stamp.by),
        ))
        .returning(enterprises::id)
        .get_result(conn)?)
}

/// Write `next` over the stored version `before_version`; `false` when that version is no
/// longer stored (a concurrent edit of the same version loses cleanly).
pub fn save(conn: &mut AnyConnection, before_version: i64, next: &Enterprise) -> StoreResult<bool> {
    let n = diesel::update(
        enterprises::table
            .filter(enterprises::id.eq(next.id))
            .filter(enterprises::version.eq(before_version)),
    )
    .set((
        enterprises::name.eq(&next.name),
        enterprises::uscc.eq(&next.uscc),
        enterprises::industry.eq(&next.industry),
        enterprises::above_scale.eq(next.above_scale),
        enterprises::version.eq(next.version),
        enterprises::updated_at.eq(next.updated.at),
        enterprises::updated_by.eq(&next.updated.by),
    ))
    .execute(conn)?;
    Ok(n == 1)
}
