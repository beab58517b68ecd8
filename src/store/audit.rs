//! The audit trail: every write records who, when, what, on which record, and the values
//! before and after — inside the writing transaction, so a change without its record cannot
//! exist. The table is append-only (database triggers refuse UPDATE and DELETE).
//!
//! Parcel geometry is not repeated here: each entry names the record's version, and
//! `parcel_versions` keeps every version's footprint. A bulk import is one entry (counts and
//! id range); each imported parcel's first version is in `parcel_versions`.

use super::schema::audit_log;
use super::{AnyConnection, MultiBackend, StoreResult};
use crate::domain::register::Stamp;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde_json::Value;

/// One change to record.
#[derive(Debug, Clone, Default)]
pub struct Entry {
    pub action: &'static str,
    pub entity: &'static str,
    pub entity_id: Option<i64>,
    pub park_id: Option<i64>,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

impl Entry {
    pub fn new(action: &'static str, entity: &'static str, entity_id: i64) -> Self {
        Self {
            action,
            entity,
            entity_id: Some(entity_id),
            ..Default::default()
        }
    }

    pub fn park(mut self, park_id: i64) -> Self {
        self.park_id = Some(park_id);
        self
    }

    pub fn before(mut self, v: Value) -> Self {
        self.before = Some(v);
        self
    }

    pub fn after(mut self, v: Value) -> Self {
        self.after = Some(v);
        self
    }
}

/// Record a change; call inside the transaction that makes it.
pub fn record(conn: &mut AnyConnection, stamp: &Stamp, entry: Entry) -> StoreResult<()> {
    diesel::insert_into(audit_log::table)
        .values((
            audit_log::at.eq(stamp.at),
            audit_log::actor.eq(&stamp.by),
            audit_log::actor_id.eq(stamp.user_id),
            audit_log::action.eq(entry.action),
            audit_log::entity.eq(entry.entity),
            audit_log::entity_id.eq(entry.entity_id),
            audit_log::park_id.eq(entry.park_id),
            audit_log::before.eq(entry.before.map(|v| v.to_string())),
            audit_log::after.eq(entry.after.map(|v| v.to_string())),
        ))
        .execute(conn)?;
    Ok(())
}

/// A recorded change.
#[derive(Debug, Clone)]
pub struct AuditRecord {
    pub id: i64,
    pub at: NaiveDateTime,
    pub actor: String,
    pub actor_id: Option<i64>,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<i64>,
    pub park_id: Option<i64>,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

/// Filters of the audit trail.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    pub entity: Option<String>,
    pub entity_id: Option<i64>,
    pub actor: Option<String>,
    pub park_id: Option<i64>,
    pub from: Option<NaiveDateTime>,
    pub to: Option<NaiveDateTime>,
    /// Only entries about these parks (a bureau's jurisdiction); `None`: everything.
    pub visible_parks: Option<Vec<i64>>,
}

fn filtered(q: &AuditQuery) -> audit_log::BoxedQuery<'static, MultiBackend> {
    let mut query = audit_log::table.into_boxed();
    if let Some(v) = &q.entity {
        query = query.filter(audit_log::entity.eq(v.clone()));
    }
    if let Some(v) = q.entity_id {
        query = query.filter(audit_log::entity_id.eq(v));
    }
    if let Some(v) = &q.actor {
        query = query.filter(audit_log::actor.eq(v.clone()));
    }
    if let Some(v) = q.park_id {
        query = query.filter(audit_log::park_id.eq(v));
    }
    if let Some(v) = q.from {
        query = query.filter(audit_log::at.ge(v));
    }
    if let Some(v) = q.to {
        query = query.filter(audit_log::at.le(v));
    }
    if let Some(parks) = &q.visible_parks {
        query = query.filter(audit_log::park_id.eq_any(parks.clone()));
    }
    query
}

type Row = (
    i64,
    NaiveDateTime,
    String,
    Option<i64>,
    String,
    String,
    Option<i64>,
    Option<i64>,
    Option<String>,
    Option<String>,
);

/// A page of the trail, newest first, and how many entries match.
pub fn query(
    conn: &mut AnyConnection,
    q: &AuditQuery,
    limit: i64,
    offset: i64,
) -> StoreResult<(Vec<AuditRecord>, i64)> {
    let matched: i64 = filtered(q).count().get_result(conn)?;
    let rows: Vec<Row> = filtered(q)
        .order(audit_log::id.desc())
        .limit(limit)
        .offset(offset)
        .select((
            audit_log::id,
            audit_log::at,
            audit_log::actor,
            audit_log::actor_id,
            audit_log::action,
            audit_log::entity,
            audit_log::entity_id,
            audit_log::park_id,
            audit_log::before,
            audit_log::after,
        ))
        .load(conn)?;
    let json = |t: Option<String>| t.and_then(|t| serde_json::from_str(&t).ok());
    let records = rows
        .into_iter()
        .map(
            |(id, at, actor, actor_id, action, entity, entity_id, park_id, before, after)| {
                AuditRecord {
                    id,
                    at,
                    actor,
                    actor_id,
                    action,
                    entity,
                    entity_id,
                    park_id,
                    before: json(before),
                    after: json(after),
                }
            },
        )
        .collect();
    Ok((records, matched))
}
