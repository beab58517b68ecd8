//! The entry check of a project on a site, as one request reads it.

use crate::domain::FieldError;
use crate::domain::access::Visibility;
use crate::domain::entry_check::{Figures, Plot, Site, check_at, check_plan};
use crate::domain::parcel::ParcelStatus;
use crate::store::{self, AnyConnection, StoreError, StoreResult};
use crate::views::entry::EntryCheckView;

/// The check for a site. A plot must be available unless its park's register is `readable`
/// (the register is private; the available plots are public): a plot the caller may not see
/// is "not found", never "not available", so its existence does not leak.
pub fn check(
    conn: &mut AnyConnection,
    readable: &Visibility,
    site: Site,
    f: &Figures,
) -> StoreResult<EntryCheckView> {
    let (park_id, zone_id, parcel_id, area, plot) = match site {
        Site::Plot(id) => {
            let hidden = || StoreError::NotFound(format!("available plot {id}"));
            let p = store::parcels::get(conn, id).map_err(|_| hidden())?;
            if p.status != ParcelStatus::Available && !readable.includes(p.park_id) {
                return Err(hidden());
            }
            let plot = Plot {
                land_use: p.land_use.clone(),
                planning: p.planning,
            };
            (p.park_id, p.zone_id, Some(id), p.area_m2, Some(plot))
        }
        Site::Place {
            park_id,
            zone_id,
            area_m2,
        } => (park_id, zone_id, None, area_m2, None),
    };
    let (park, zones) = store::zones::park_context(conn, park_id)?;
    if let Some(z) = zone_id
        && !zones.iter().any(|x| x.id == z)
    {
        return Err(FieldError::new(
            "zone_id",
            format!("zone {z} is not a zone of park {park_id}"),
        )
        .zh(format!("片区 {z} 不是园区 {park_id} 的片区"))
        .into());
    }
    if let Some(plan) = &f.plan {
        check_plan(plan, area)?;
    }
    Ok(EntryCheckView {
        park_id,
        zone_id,
        parcel_id,
        verdict: check_at(&park, &zones, zone_id, area, plot, f),
    })
}
