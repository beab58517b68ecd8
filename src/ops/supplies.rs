//! Land supply as use cases: supply a parcel, end a supply, record a fact. Each runs in the
//! park's write transaction: load, let `domain::supply` decide, save, audit. Supplying moves the
//! parcel to `supplied`; ending returns it to the land bank.

use crate::domain::net_land;
use crate::domain::parcel::ParcelStatus;
use crate::domain::register::Stamp;
use crate::domain::supply::{self, Fact, FactDetail, Supply, SupplyDraft};
use crate::ops;
use crate::store::audit::{self, Entry};
use crate::store::supplies::snapshot;
use crate::store::{self, AnyConnection, StoreError, StoreResult, write_in_park};
use chrono::NaiveDate;

/// Supply a parcel: it must be active, not in the land bank, not supplied to anyone now, and
/// 净地 under the settings of its place (Art. 21).
pub fn create(
    conn: &mut AnyConnection,
    parcel_id: i64,
    draft: SupplyDraft,
    stamp: &Stamp,
) -> StoreResult<Supply> {
    let park_id = store::parcels::park_of(conn, parcel_id)?;
    write_in_park(conn, park_id, |conn| {
        let parcel = store::parcels::get(conn, parcel_id)?;
        let in_force = store::supplies::in_force(conn, parcel_id)?;
        let last_end = store::supplies::last_end(conn, parcel_id)?;
        let known = match store::enterprises::get(conn, draft.enterprise_id) {
            Ok(_) => true,
            Err(StoreError::NotFound(_)) => false,
            Err(other) => return Err(other),
        };
        let (park, zones) = store::zones::park_context(conn, park_id)?;
        let settings = park.settings_in(&zones, parcel.zone_id);
        let unmet = net_land::unmet(
            &parcel,
            &settings.start_infrastructure,
            &settings.infrastructure_items,
        );
        supply::check_supplying(&parcel, in_force.as_ref(), known, last_end, &draft, &unmet)?;
        let supply = Supply {
            id: 0,
            parcel_id,
            park_id,
            enterprise_id: draft.enterprise_id,
            method: draft.method,
            contract_no: draft.contract_no,
            contract_date: draft.contract_date,
            land_price_yuan: draft.land_price_yuan,
            term_years: draft.term_years,
            land_area_m2: parcel.area_m2,
            agreed_start: draft.agreed_start,
            agreed_completion: draft.agreed_completion,
            agreed_production: draft.agreed_production,
            total_investment_yuan: draft.total_investment_yuan,
            indicators: draft.indicators,
            penalty_per_mille: draft.penalty_per_mille,
            shortfall_penalty_pct: draft.shortfall_penalty_pct,
            ended_on: None,
            ended_reason: None,
            version: 1,
            created: stamp.clone(),
            updated: stamp.clone(),
        };
        let id = store::supplies::insert(conn, &supply, stamp)?;
        let supply = Supply { id, ..supply };
        let entry = Entry::new("create", "land_supply", id).park(park_id);
        audit::record(conn, stamp, entry.after(snapshot(&supply)))?;
        if parcel.status != ParcelStatus::Supplied {
            let note = format!(
                "供地: {} ({})",
                supply.contract_no,
                supply.method.label_zh()
            );
            store::parcels::set_status(conn, &parcel, ParcelStatus::Supplied, &note, stamp)?;
        }
        Ok(supply)
    })
}

/// Save a supply's end (decided by the domain), audit it, and return the parcel to the land
/// bank; inside the caller's transaction.
pub fn save_end(
    conn: &mut AnyConnection,
    before: &Supply,
    ended: &Supply,
    stamp: &Stamp,
) -> StoreResult<()> {
    store::supplies::save_end(conn, ended, stamp)?;
    let entry = Entry::new("end", "land_supply", before.id)
        .park(before.park_id)
        .before(snapshot(before));
    audit::record(conn, stamp, entry.after(snapshot(ended)))?;
    let parcel = store::parcels::get(conn, before.parcel_id)?;
    if parcel.status == ParcelStatus::Supplied {
        let reason = ended.ended_reason.as_deref().unwrap_or_default();
        let note = format!("收回储备: {reason}");
        store::parcels::set_status(conn, &parcel, ParcelStatus::Reserve, &note, stamp)?;
    }
    Ok(())
}

/// End a supply outside an idle-land case (a lease that ran out, a negotiated buy-back).
pub fn end(
    conn: &mut AnyConnection,
    id: i64,
    expected_version: Option<i64>,
    date: NaiveDate,
    reason: String,
    stamp: &Stamp,
) -> StoreResult<Supply> {
    let park_id = store::supplies::get(conn, id)?.park_id;
    write_in_park(conn, park_id, |conn| {
        let supply = store::supplies::get(conn, id)?;
        store::expect_version(expected_version, supply.version)?;
        let open_case = store::idle_cases::open_case_of(conn, id)?;
        let last_fact = store::supplies::last_fact(conn, id)?;
        let ended = supply.end_outside_case(open_case, date, &reason, last_fact, stamp)?;
        save_end(conn, &supply, &ended, stamp)?;
        Ok(ended)
    })
}

/// Record a fact after checking it in date order against every other fact of the supply.
pub fn add_fact(
    conn: &mut AnyConnection,
    supply_id: i64,
    date: NaiveDate,
    detail: FactDetail,
    note: String,
    stamp: &Stamp,
) -> StoreResult<Fact> {
    let park_id = store::supplies::get(conn, supply_id)?.park_id;
    write_in_park(conn, park_id, |conn| {
        let supply = store::supplies::get(conn, supply_id)?;
        let mut all = store::supplies::facts(conn, supply_id)?;
        let notice = ops::land_watch::settings_of(conn, supply.parcel_id)?.extension_notice_days;
        supply.check_extension_notice(&all, date, &detail, notice)?;
        let fact = Fact {
            id: i64::MAX,
            supply_id,
            date,
            detail,
            note,
            recorded: stamp.clone(),
        };
        all.push(fact.clone());
        supply.check_facts(&all)?;
        let id = store::supplies::insert_fact(conn, &fact)?;
        let fact = Fact { id, ..fact };
        let entry = Entry::new("create", "supply_fact", id).park(park_id);
        let after = serde_json::json!({"supply_id": supply_id, "kind": fact.detail.kind().as_str(), "date": fact.date, "note": fact.note});
        audit::record(conn, stamp, entry.after(after))?;
        Ok(fact)
    })
}
