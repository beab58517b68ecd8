//! Enterprises (企业): create, read, search, update — each change audited.

use super::audit::{self, Entry};
use super::schema::enterprises;
use super::{AnyConnection, StoreError, StoreResult};
use crate::domain::enterprise::{Enterprise, EnterpriseChanges, EnterpriseDraft};
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

fn uscc_taken(
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

fn duplicate(uscc: &str, (id, name): (i64, String)) -> StoreError {
    StoreError::Conflict(format!(
        "the credit code {uscc} is already registered to {name} (enterprise {id})"
    ))
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
fn record_per_park(
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

pub fn create(
    conn: &mut AnyConnection,
    draft: EnterpriseDraft,
    stamp: &Stamp,
) -> StoreResult<Enterprise> {
    super::write_tx(conn, |conn| {
        if let Some(other) = uscc_taken(conn, draft.uscc.as_str(), None)? {
            return Err(duplicate(draft.uscc.as_str(), other));
        }
        let id: i64 = diesel::insert_into(enterprises::table)
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
            .get_result(conn)?;
        let e = get(conn, id)?;
        audit::record(
            conn,
            stamp,
            Entry::new("create", "enterprise", id).after(snapshot(&e)),
        )?;
        Ok(e)
    })
}

pub fn update(
    conn: &mut AnyConnection,
    id: i64,
    expected_version: Option<i64>,
    changes: EnterpriseChanges,
    stamp: &Stamp,
) -> StoreResult<Enterprise> {
    super::write_tx(conn, |conn| {
        let before = get(conn, id)?;
        if expected_version.is_some_and(|v| v != before.version) {
            return Err(StoreError::VersionMismatch {
                current: before.version,
            });
        }
        let mut next = before.clone();
        if let Some(v) = changes.name {
            next.name = v;
        }
        if let Some(v) = changes.uscc {
            if let Some(other) = uscc_taken(conn, v.as_str(), Some(id))? {
                return Err(duplicate(v.as_str(), other));
            }
            next.uscc = v.as_str().to_owned();
        }
        if let Some(v) = changes.industry {
            next.industry = v.map(|c| c.as_str().to_owned());
        }
        if let Some(v) = changes.above_scale {
            next.above_scale = v;
        }
        if next == before {
            return Ok(before);
        }
        next.version += 1;
        next.updated = stamp.clone();
        // The version in the filter makes a concurrent edit of the same version lose cleanly.
        let n = diesel::update(
            enterprises::table
                .filter(enterprises::id.eq(id))
                .filter(enterprises::version.eq(before.version)),
        )
        .set((
            enterprises::name.eq(&next.name),
            enterprises::uscc.eq(&next.uscc),
            enterprises::industry.eq(&next.industry),
            enterprises::above_scale.eq(next.above_scale),
            enterprises::version.eq(next.version),
            enterprises::updated_at.eq(stamp.at),
            enterprises::updated_by.eq(&stamp.by),
        ))
        .execute(conn)?;
        if n == 0 {
            return Err(StoreError::VersionMismatch {
                current: get(conn, id)?.version,
            });
        }
        let entry = Entry::new("update", "enterprise", id).before(snapshot(&before));
        record_per_park(conn, stamp, entry.after(snapshot(&next)), id)?;
        Ok(next)
    })
}
