//! 腾笼换鸟 as one request reads it: the picture of a park on a day, and the available plots
//! and places a project seeking land is matched against.

use crate::domain::parcel::ParcelStatus;
use crate::ops;
use crate::ops::land_watch::{WatchMemo, WatchQuery};
use crate::store::estate::EstateQuery;
use crate::store::{self, AnyConnection, StoreResult};
use crate::views::renewal::{Offer, Picture};
use chrono::NaiveDate;

/// The picture of a park on `as_of`, with the evaluation of `year` (as computed `today`).
pub fn picture(
    c: &mut AnyConnection,
    memo: &WatchMemo,
    park_id: i64,
    as_of: NaiveDate,
    year: i32,
    today: NaiveDate,
) -> StoreResult<Picture> {
    let rated = store::performance::evaluation(c, park_id, year, today)?;
    let watch = WatchQuery {
        park_id: Some(park_id),
        ..Default::default()
    };
    let watched = ops::land_watch::watch(c, memo, &watch, as_of)?;
    let estate = EstateQuery {
        park_id: Some(park_id),
        ..Default::default()
    };
    let (buildings, _) = store::estate::load(c, &estate)?;
    let tenant_ids: Vec<i64> = buildings
        .iter()
        .flat_map(|b| {
            b.units
                .iter()
                .flat_map(|(_, l)| l.iter().map(|l| l.enterprise_id))
        })
        .collect();
    let tenants = store::enterprises::names(c, &tenant_ids)?;
    Ok(Picture {
        park_id,
        as_of,
        year,
        watched,
        buildings,
        rated,
        tenants,
    })
}

/// A park's offer, for site matching.
pub fn offer(c: &mut AnyConnection, park_id: i64) -> StoreResult<Offer> {
    let q = store::parcels::ParcelQuery {
        park_id: Some(park_id),
        statuses: Some(vec![ParcelStatus::Available]),
        ..Default::default()
    };
    let available = store::parcels::all(c, &q)?;
    let (park, zones) = store::zones::park_context(c, park_id)?;
    Ok(Offer {
        available,
        park,
        zones,
    })
}
