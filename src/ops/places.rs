//! Parks and zones as use cases: create and change them. A park's code is unique, its new
//! boundary must still hold its zones and active parcels; a zone lies inside its park, clear
//! of the others, with a code of its own — `domain::register` decides, this saves and audits.

use crate::domain::register::{
    self, Park, ParkChanges, ParkDraft, Stamp, Zone, ZoneChanges, ZoneDraft,
};
use crate::store::audit::{self, Entry};
use crate::store::parks::snapshot as park_snapshot;
use crate::store::zones::snapshot as zone_snapshot;
use crate::store::{self, AnyConnection, StoreResult, lock_park, write_in_park, write_tx};

pub fn create_park(conn: &mut AnyConnection, draft: ParkDraft, stamp: &Stamp) -> StoreResult<Park> {
    write_tx(conn, |conn| {
        let taken = store::parks::code_taken(conn, draft.code.as_str(), None)?;
        register::check_park_code(draft.code.as_str(), taken)?;
        let park = Park::new(draft, stamp);
        let id = store::parks::insert(conn, &park)?;
        let park = Park { id, ..park };
        let entry = Entry::new("create", "park", id).park(id);
        audit::record(conn, stamp, entry.after(park_snapshot(&park)))?;
        Ok(park)
    })
}

pub fn update_park(
    conn: &mut AnyConnection,
    id: i64,
    expected_version: Option<i64>,
    changes: ParkChanges,
    stamp: &Stamp,
) -> StoreResult<Park> {
    write_tx(conn, |conn| {
        lock_park(conn, id)?;
        let mut park = store::parks::get(conn, id)?;
        store::expect_version(expected_version, park.version)?;
        if let Some(code) = &changes.code {
            let taken = store::parks::code_taken(conn, code.as_str(), Some(id))?;
            register::check_park_code(code.as_str(), taken)?;
        }
        if let Some(boundary) = &changes.boundary {
            let zones = store::zones::zones_of(conn, id)?;
            let parcels = store::parks::active_parcel_shapes(conn, id)?;
            register::check_park_holds(&park, boundary.geometry(), &zones, &parcels)?;
        }
        let before = park_snapshot(&park);
        park.apply(changes, stamp);
        store::parks::save(conn, &park)?;
        let entry = Entry::new("update", "park", id).park(id).before(before);
        audit::record(conn, stamp, entry.after(park_snapshot(&park)))?;
        Ok(park)
    })
}

pub fn create_zone(
    conn: &mut AnyConnection,
    park_id: i64,
    draft: ZoneDraft,
    stamp: &Stamp,
) -> StoreResult<Zone> {
    write_in_park(conn, park_id, |conn| {
        let taken = store::zones::code_taken(conn, park_id, draft.code.as_str(), None)?;
        register::check_zone_code(park_id, draft.code.as_str(), taken)?;
        let park = store::parks::get(conn, park_id)?;
        let zones = store::zones::zones_of(conn, park_id)?;
        register::check_zone_boundary(&park, &zones, None, &draft.boundary)?;
        let zone = Zone::new(park_id, draft, stamp);
        let id = store::zones::insert(conn, &zone)?;
        let zone = Zone { id, ..zone };
        let entry = Entry::new("create", "zone", id).park(park_id);
        audit::record(conn, stamp, entry.after(zone_snapshot(&zone)))?;
        Ok(zone)
    })
}

pub fn update_zone(
    conn: &mut AnyConnection,
    id: i64,
    expected_version: Option<i64>,
    changes: ZoneChanges,
    stamp: &Stamp,
) -> StoreResult<Zone> {
    let park_id = store::zones::get(conn, id)?.park_id;
    write_in_park(conn, park_id, |conn| {
        let mut zone = store::zones::get(conn, id)?;
        store::expect_version(expected_version, zone.version)?;
        if let Some(code) = &changes.code {
            let taken = store::zones::code_taken(conn, park_id, code.as_str(), Some(id))?;
            register::check_zone_code(park_id, code.as_str(), taken)?;
        }
        if let Some(boundary) = &changes.boundary {
            let park = store::parks::get(conn, park_id)?;
            let zones = store::zones::zones_of(conn, park_id)?;
            register::check_zone_boundary(&park, &zones, Some(id), boundary)?;
        }
        let before = zone_snapshot(&zone);
        zone.apply(changes, stamp);
        store::zones::save(conn, &zone)?;
        let entry = Entry::new("update", "zone", id)
            .park(park_id)
            .before(before);
        audit::record(conn, stamp, entry.after(zone_snapshot(&zone)))?;
        Ok(zone)
    })
}
