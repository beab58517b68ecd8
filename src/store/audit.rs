//! The audit trail: every write records who, when, what, on which record, and the values
//! before and after — inside the writing transaction, so a change without its record cannot
//! exist. The table is append-only (database triggers refuse UPDATE and DELETE), and it is a
//! hash chain: each entry stores the previous entry's hash and a SHA-256 over that link and its
//! own content, so an entry altered, removed or slipped in around the application breaks the
//! chain where it happened, and [`verify`] names the first broken link. Writers take the chain
//! in turn (SQLite: the write lock of `BEGIN IMMEDIATE`; PostgreSQL: a lock on the table taken
//! when a write transaction begins, see [`super::write_tx`]).
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

/// The link before the first entry of a chain.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// An entry's content as it is hashed: every stored field but the id, in a fixed order, as a
/// JSON array (unambiguous whatever the text holds); the time to the microsecond, as both
/// stores keep it.
#[derive(Debug, Clone, PartialEq)]
pub struct Content {
    pub at: NaiveDateTime,
    pub actor: String,
    pub actor_id: Option<i64>,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<i64>,
    pub park_id: Option<i64>,
    pub before: Option<String>,
    pub after: Option<String>,
}

impl Content {
    fn canonical(&self) -> String {
        serde_json::json!([
            self.at.format("%Y-%m-%dT%H:%M:%S%.6f").to_string(),
            self.actor,
            self.actor_id,
            self.action,
            self.entity,
            self.entity_id,
            self.park_id,
            self.before,
            self.after,
        ])
        .to_string()
    }

    /// The hash of this entry following `prev`.
    pub fn link(&self, prev: &str) -> String {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        h.update(prev.as_bytes());
        h.update(b"\n");
        h.update(self.canonical().as_bytes());
        h.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// A stamp's time as the stores keep it: to the microsecond.
fn to_micros(at: NaiveDateTime) -> NaiveDateTime {
    use chrono::Timelike;
    at.with_nanosecond(at.nanosecond() / 1_000 * 1_000)
        .unwrap_or(at)
}

/// Record a change; call inside the transaction that makes it (it is its own otherwise).
pub fn record(conn: &mut AnyConnection, stamp: &Stamp, entry: Entry) -> StoreResult<()> {
    let content = Content {
        at: to_micros(stamp.at),
        actor: stamp.by.clone(),
        actor_id: stamp.user_id,
        action: entry.action.to_owned(),
        entity: entry.entity.to_owned(),
        entity_id: entry.entity_id,
        park_id: entry.park_id,
        before: entry.before.map(|v| v.to_string()),
        after: entry.after.map(|v| v.to_string()),
    };
    super::write_tx(conn, |conn| {
        let prev = head(conn)?;
        let hash = content.link(&prev);
        diesel::insert_into(audit_log::table)
            .values((
                audit_log::at.eq(content.at),
                audit_log::actor.eq(&content.actor),
                audit_log::actor_id.eq(content.actor_id),
                audit_log::action.eq(&content.action),
                audit_log::entity.eq(&content.entity),
                audit_log::entity_id.eq(content.entity_id),
                audit_log::park_id.eq(content.park_id),
                audit_log::before.eq(&content.before),
                audit_log::after.eq(&content.after),
                audit_log::prev_hash.eq(&prev),
                audit_log::hash.eq(&hash),
            ))
            .execute(conn)?;
        Ok(())
    })
}

/// The hash the next entry links to: the last entry's; for a trail recorded before the chain
/// began (no hashes yet), the running hash over all of it, computed once.
fn head(conn: &mut AnyConnection) -> StoreResult<String> {
    let last: Option<Option<String>> = audit_log::table
        .order(audit_log::id.desc())
        .select(audit_log::hash)
        .first(conn)
        .optional()?;
    match last {
        None => Ok(GENESIS.to_owned()),
        Some(Some(hash)) => Ok(hash),
        Some(None) => {
            let report = verify(conn)?;
            Ok(report.head)
        }
    }
}

/// What a walk along the chain found.
#[derive(Debug, Clone, PartialEq)]
pub struct ChainReport {
    /// Entries read.
    pub entries: i64,
    /// Entries recorded before the chain began (no hashes of their own; the first chained
    /// entry's link covers them).
    pub before_chain: i64,
    /// The first entry where the chain does not hold, and why.
    pub first_broken: Option<BrokenLink>,
    /// The running hash after the last entry.
    pub head: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BrokenLink {
    pub id: i64,
    pub at: NaiveDateTime,
    pub reason: String,
}

type ChainRow = (Row, Option<String>, Option<String>);

/// Walk the whole trail in order, recomputing every link: an altered entry no longer matches
/// its hash; a removed one leaves the next entry linking to a hash that is not there; one
/// inserted around the application carries no hash or a wrong one.
pub fn verify(conn: &mut AnyConnection) -> StoreResult<ChainReport> {
    const BATCH: i64 = 1_000;
    let mut report = ChainReport {
        entries: 0,
        before_chain: 0,
        first_broken: None,
        head: GENESIS.to_owned(),
    };
    let mut chained = false;
    let mut after_id = i64::MIN;
    loop {
        let rows: Vec<ChainRow> = audit_log::table
            .filter(audit_log::id.gt(after_id))
            .order(audit_log::id.asc())
            .limit(BATCH)
            .select((Row::as_select(), audit_log::prev_hash, audit_log::hash))
            .load(conn)?;
        let Some(last) = rows.last() else { break };
        after_id = last.0.id;
        for (row, prev, hash) in rows {
            report.entries += 1;
            let (id, content) = row.content();
            let at = content.at;
            let expected = content.link(&report.head);
            let broken = |reason: String| BrokenLink { id, at, reason };
            let problem = match (prev, hash) {
                (None, None) if !chained => {
                    report.before_chain += 1;
                    None
                }
                (None, None) | (None, Some(_)) | (Some(_), None) => Some(broken(
                    "the entry carries no link to the one before it: it was written around the application".into(),
                )),
                (Some(prev), Some(hash)) => {
                    chained = true;
                    if prev != report.head {
                        Some(broken(
                            "the entry links to a hash no entry before it has: an entry before it was removed or changed"
                                .into(),
                        ))
                    } else if hash != expected {
                        Some(broken(
                            "the entry's content does not match its hash: it was changed after it was recorded"
                                .into(),
                        ))
                    } else {
                        None
                    }
                }
            };
            if let Some(p) = problem {
                report.first_broken.get_or_insert(p);
            }
            report.head = expected;
        }
        if report.first_broken.is_some() {
            // Counting on is not worth it: the first break is what a person must look at.
            break;
        }
    }
    Ok(report)
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

/// An entry as stored (the hashes apart).
#[derive(Queryable, Selectable)]
#[diesel(table_name = audit_log)]
struct Row {
    id: i64,
    at: NaiveDateTime,
    actor: String,
    actor_id: Option<i64>,
    action: String,
    entity: String,
    entity_id: Option<i64>,
    park_id: Option<i64>,
    before: Option<String>,
    after: Option<String>,
}

impl Row {
    fn content(self) -> (i64, Content) {
        (
            self.id,
            Content {
                at: self.at,
                actor: self.actor,
                actor_id: self.actor_id,
                action: self.action,
                entity: self.entity,
                entity_id: self.entity_id,
                park_id: self.park_id,
                before: self.before,
                after: self.after,
            },
        )
    }
}

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
        .select(Row::as_select())
        .load(conn)?;
    let json = |t: Option<String>| t.and_then(|t| serde_json::from_str(&t).ok());
    let records = rows
        .into_iter()
        .map(|row| {
            let (id, c) = row.content();
            AuditRecord {
                id,
                at: c.at,
                actor: c.actor,
                actor_id: c.actor_id,
                action: c.action,
                entity: c.entity,
                entity_id: c.entity_id,
                park_id: c.park_id,
                before: json(c.before),
                after: json(c.after),
            }
        })
        .collect();
    Ok((records, matched))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content(after: &str) -> Content {
        Content {
            at: chrono::NaiveDate::from_ymd_opt(2026, 11, 22)
                .and_then(|d| d.and_hms_micro_opt(8, 0, 0, 123_456))
                .unwrap(),
            actor: "nc.bureau".into(),
            actor_id: Some(3),
            action: "update".into(),
            entity: "parcel".into(),
            entity_id: Some(12),
            park_id: Some(1),
            before: None,
            after: Some(after.into()),
        }
    }

    #[test]
    fn a_link_covers_the_content_and_the_link_before_it() {
        let a = content(r#"{"status":"available"}"#);
        let h = a.link(GENESIS);
        assert_eq!(h.len(), 64);
        assert_eq!(h, a.link(GENESIS), "deterministic");
        assert_ne!(h, content(r#"{"status":"supplied"}"#).link(GENESIS));
        assert_ne!(h, a.link(&h), "the previous link counts");
        // Text that looks like a separator cannot make two contents hash alike.
        let mut b = a.clone();
        b.actor = "nc.bureau\",\"3".into();
        assert_ne!(b.link(GENESIS), h);
    }
}
