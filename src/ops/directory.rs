//! The enterprise directory as use cases: register an enterprise and change one, its credit
//! code held by one enterprise only; each change audited (in every park it touches).

use crate::domain::enterprise::{self, Enterprise, EnterpriseChanges, EnterpriseDraft};
use crate::domain::register::Stamp;
use crate::store::audit::{self, Entry};
use crate::store::enterprises::{self as stored, snapshot};
use crate::store::{self, AnyConnection, StoreError, StoreResult, write_tx};

pub fn create(
    conn: &mut AnyConnection,
    draft: EnterpriseDraft,
    stamp: &Stamp,
) -> StoreResult<Enterprise> {
    write_tx(conn, |conn| {
        let holder = stored::uscc_holder(conn, draft.uscc.as_str(), None)?;
        enterprise::check_uscc_free(draft.uscc.as_str(), holder)?;
        let id = stored::insert(conn, &draft, stamp)?;
        let e = stored::get(conn, id)?;
        let entry = Entry::new("create", "enterprise", id);
        audit::record(conn, stamp, entry.after(snapshot(&e)))?;
        Ok(e)
    })
}

/// Change an enterprise (If-Match `expected_version`); a change that changes nothing is no
/// new version.
pub fn update(
    conn: &mut AnyConnection,
    id: i64,
    expected_version: Option<i64>,
    changes: EnterpriseChanges,
    stamp: &Stamp,
) -> StoreResult<Enterprise> {
    write_tx(conn, |conn| {
        let before = stored::get(conn, id)?;
        store::expect_version(expected_version, before.version)?;
        if let Some(uscc) = &changes.uscc {
            let holder = stored::uscc_holder(conn, uscc.as_str(), Some(id))?;
            enterprise::check_uscc_free(uscc.as_str(), holder)?;
        }
        let mut next = before.apply(changes);
        if next == before {
            return Ok(before);
        }
        next.version += 1;
        next.updated = stamp.clone();
        if !stored::save(conn, before.version, &next)? {
            return Err(StoreError::VersionMismatch {
                current: stored::get(conn, id)?.version,
            });
        }
        let entry = Entry::new("update", "enterprise", id).before(snapshot(&before));
        stored::record_per_park(conn, stamp, entry.after(snapshot(&next)), id)?;
        Ok(next)
    })
}
