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

/// The key of a keyed chain (HMAC-SHA-256), from `PARKLAND_AUDIT_KEY`: kept outside the
/// database, so that someone who can write to the database cannot forge a link. Without it the
/// links are plain SHA-256, which shows changes made by hand but not a forger who recomputes
/// them.
static KEY: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();

/// Set the chain's key for this process (once, at start).
pub fn use_key(key: &[u8]) {
    let _ = KEY.set(key.to_vec());
}

fn key() -> Option<&'static [u8]> {
    KEY.get().map(Vec::as_slice)
}

const PLAIN: &str = "sha256:";
const KEYED: &str = "hmac-sha256:";

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

    /// The link of this entry following `prev`: keyed when a key is given.
    pub fn link(&self, prev: &str, key: Option<&[u8]>) -> String {
        let message = format!("{prev}\n{}", self.canonical());
        match key {
            Some(k) => format!("{KEYED}{}", hex(&hmac_sha256(k, message.as_bytes()))),
            None => format!("{PLAIN}{}", hex(&sha256(message.as_bytes()))),
        }
    }
}

fn sha256(data: &[u8]) -> Vec<u8> {
    use sha2::{Digest, Sha256};
    Sha256::digest(data).to_vec()
}

/// HMAC (RFC 2104) over SHA-256.
fn hmac_sha256(key: &[u8], message: &[u8]) -> Vec<u8> {
    const BLOCK: usize = 64;
    let mut k = if key.len() > BLOCK {
        sha256(key)
    } else {
        key.to_vec()
    };
    k.resize(BLOCK, 0);
    let pad = |byte: u8| k.iter().map(|b| b ^ byte).collect::<Vec<u8>>();
    let mut inner = pad(0x36);
    inner.extend_from_slice(message);
    let mut outer = pad(0x5c);
    outer.extend_from_slice(&sha256(&inner));
    sha256(&outer)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A stamp's time as the stores keep it: to the microsecond.
fn to_micros(at: NaiveDateTime) -> NaiveDateTime {
    use chrono::Timelike;
    at.with_nanosecond(at.nanosecond() / 1_000 * 1_000)
        .unwrap_or(at)
}

thread_local! {
    /// The entries the write transaction running on this thread has recorded, appended to the
    /// chain when it ends (store work runs on one thread from start to commit).
    static PENDING: std::cell::RefCell<Option<Vec<Content>>> = const { std::cell::RefCell::new(None) };
}

/// The buffer of an outermost write transaction; cleared when it ends, however it ends.
pub(super) struct Pending;

impl Pending {
    pub(super) fn begin() -> Pending {
        PENDING.with(|p| *p.borrow_mut() = Some(Vec::new()));
        Pending
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        PENDING.with(|p| *p.borrow_mut() = None);
    }
}

pub(super) fn pending_len() -> usize {
    PENDING.with(|p| p.borrow().as_ref().map_or(0, Vec::len))
}

pub(super) fn discard_after(mark: usize) {
    PENDING.with(|p| {
        if let Some(v) = p.borrow_mut().as_mut() {
            v.truncate(mark);
        }
    });
}

/// Record a change; call inside the transaction that makes it (it is its own otherwise). The
/// entry joins the chain when the transaction ends.
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
    let push = |content: Content| {
        PENDING.with(|p| match p.borrow_mut().as_mut() {
            Some(v) => {
                v.push(content);
                None
            }
            None => Some(content),
        })
    };
    match push(content) {
        None => Ok(()),
        // Not in a write transaction: one of its own.
        Some(content) => super::write_tx(conn, |_| {
            push(content);
            Ok(())
        }),
    }
}

/// Append the transaction's entries to the chain, under the chain's lock (SQLite: the
/// transaction already holds the write lock; PostgreSQL: a lock on the table, the last lock
/// the transaction takes, held only until it commits). Each entry's time is at least its
/// predecessor's, so the chain's times never go backwards. Returns the users whose changes
/// they are.
pub(super) fn flush(conn: &mut AnyConnection) -> StoreResult<Vec<i64>> {
    let entries = PENDING.with(|p| {
        p.borrow_mut()
            .as_mut()
            .map(std::mem::take)
            .unwrap_or_default()
    });
    if entries.is_empty() {
        return Ok(Vec::new());
    }
    let mut writers: Vec<i64> = entries.iter().filter_map(|e| e.actor_id).collect();
    writers.sort_unstable();
    writers.dedup();
    if conn.backend() == super::Backend::Postgres {
        use diesel::connection::SimpleConnection;
        conn.batch_execute("LOCK TABLE audit_log IN EXCLUSIVE MODE")?;
    }
    let (mut prev, mut prev_at) = head(conn)?;
    for mut content in entries {
        if let Some(last) = prev_at {
            content.at = content.at.max(last);
        }
        let hash = content.link(&prev, key());
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
        prev = hash;
        prev_at = Some(content.at);
    }
    Ok(writers)
}

/// The hash the next entry links to and the last entry's time: the last entry's; for a trail
/// recorded before the chain began (no hashes yet), the running hash over all of it.
fn head(conn: &mut AnyConnection) -> StoreResult<(String, Option<NaiveDateTime>)> {
    let last: Option<(Option<String>, NaiveDateTime)> = audit_log::table
        .order(audit_log::id.desc())
        .select((audit_log::hash, audit_log::at))
        .first(conn)
        .optional()?;
    match last {
        None => Ok((GENESIS.to_owned(), None)),
        Some((Some(hash), at)) => Ok((hash, Some(at))),
        Some((None, at)) => Ok((verify(conn)?.head, Some(at))),
    }
}

/// Entities whose changes leave the land register as it was — what the memos stamped with
/// [`register_head`] (a park's watched land, parcel tiles) are computed from: accounts (a
/// sign-in records a token, and must not make every computed view stale), applications,
/// projects, workshops, their units and leases. None of them is read by those memos; a
/// decision that changes land (an accepted application reserving its plot) writes the
/// parcel's own entry in the same transaction.
pub const NOT_LAND: [&str; 7] = [
    "user",
    "token",
    "application",
    "project",
    "workshop",
    "workshop_unit",
    "lease",
];

/// The id of the chain's last entry that changed the land register (0 before the first):
/// every write records its entries in its own transaction and entries join the chain in
/// commit order, so two reads of the same id saw the same register — what memos of computed
/// views are stamped with. Walks the primary key backwards past the [`NOT_LAND`] entries since
/// (an aggregate with a filter would scan the whole chain on SQLite).
pub fn register_head(conn: &mut AnyConnection) -> StoreResult<i64> {
    let last: Option<i64> = audit_log::table
        .filter(audit_log::entity.ne_all(NOT_LAND))
        .order(audit_log::id.desc())
        .select(audit_log::id)
        .first(conn)
        .optional()?;
    Ok(last.unwrap_or(0))
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
    /// Keyed links were found but no key is configured here, so they were not checked.
    pub unchecked: Option<String>,
    /// The last link: record it elsewhere (with `entries`) to tell later that nothing was cut
    /// from the end.
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
/// inserted around the application carries no hash, a wrong one, an unkeyed one in a keyed
/// chain, or a time earlier than the entry before it.
pub fn verify(conn: &mut AnyConnection) -> StoreResult<ChainReport> {
    const BATCH: i64 = 1_000;
    let mut report = ChainReport {
        entries: 0,
        before_chain: 0,
        first_broken: None,
        unchecked: None,
        head: GENESIS.to_owned(),
    };
    let (mut chained, mut keyed) = (false, false);
    let mut prev_at: Option<NaiveDateTime> = None;
    let mut after_id = i64::MIN;
    'walk: loop {
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
            let broken = |reason: &str| BrokenLink {
                id,
                at,
                reason: reason.to_owned(),
            };
            let mut problem = None;
            if prev_at.is_some_and(|p| at < p) {
                problem = Some(broken(
                    "the entry is dated before the one ahead of it: it was back-dated or slipped in later",
                ));
            }
            let next = match (prev, hash) {
                (None, None) if !chained => {
                    report.before_chain += 1;
                    content.link(&report.head, None)
                }
                (Some(prev), Some(hash)) => {
                    chained = true;
                    if prev != report.head {
                        problem = problem.or(Some(broken(
                            "the entry links to a hash no entry before it has: an entry before it was removed or changed",
                        )));
                    } else if let Some(mac) = hash.strip_prefix(KEYED) {
                        keyed = true;
                        match key() {
                            Some(k)
                                if content.link(&prev, Some(k)).strip_prefix(KEYED)
                                    != Some(mac) =>
                            {
                                problem = problem.or(Some(broken(
                                    "the entry's content does not match its keyed hash: it was changed after it was recorded, or forged",
                                )));
                            }
                            Some(_) => {}
                            None => {
                                report.unchecked.get_or_insert_with(|| format!(
                                    "entries from {id} on are linked with the chain's key; set PARKLAND_AUDIT_KEY to check them"
                                ));
                            }
                        }
                    } else if keyed {
                        problem = problem.or(Some(broken(
                            "the entry's link is not keyed although the chain was: it was written around the application",
                        )));
                    } else if content.link(&prev, None) != hash {
                        problem = problem.or(Some(broken(
                            "the entry's content does not match its hash: it was changed after it was recorded",
                        )));
                    }
                    hash
                }
                _ => {
                    problem = problem.or(Some(broken(
                        "the entry carries no link to the one before it: it was written around the application",
                    )));
                    String::new()
                }
            };
            report.head = next;
            prev_at = Some(at);
            if problem.is_some() {
                // Counting on is not worth it: the first break is what a person must look at.
                report.first_broken = problem;
                break 'walk;
            }
        }
    }
    Ok(report)
}

/// A recorded change: its id and what it records (`before` and `after` as the JSON text
/// stored).
#[derive(Debug, Clone)]
pub struct AuditRecord {
    pub id: i64,
    pub content: Content,
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
    let records = rows
        .into_iter()
        .map(|row| {
            let (id, content) = row.content();
            AuditRecord { id, content }
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
        let h = a.link(GENESIS, None);
        assert_eq!(h.len(), "sha256:".len() + 64);
        assert_eq!(h, a.link(GENESIS, None), "deterministic");
        assert_ne!(h, content(r#"{"status":"supplied"}"#).link(GENESIS, None));
        assert_ne!(h, a.link(&h, None), "the previous link counts");
        // Text that looks like a separator cannot make two contents hash alike.
        let mut b = a.clone();
        b.actor = "nc.bureau\",\"3".into();
        assert_ne!(b.link(GENESIS, None), h);
        let keyed = a.link(GENESIS, Some(b"a key kept outside the database"));
        assert!(keyed.starts_with("hmac-sha256:"));
        assert_ne!(keyed, a.link(GENESIS, Some(b"another key")));
    }

    #[test]
    fn hmac_sha256_as_rfc_4231_gives_it() {
        assert_eq!(
            hex(&hmac_sha256(b"Jefe", b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        let long_key = [0xaa_u8; 131];
        assert_eq!(
            hex(&hmac_sha256(
                &long_key,
                b"Test Using Larger Than Block-Size Key - Hash Key First"
            )),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }
}
