//! What a vector tile of each collection carries: the properties per zoom, and how long a
//! cache may keep it. Shared by the items pages (which write tiles) and the tile endpoints.

use super::CollectionId;
use actix_web::http::header::HeaderValue;

/// From this zoom on, tiles carry every property; below it, the codes and status.
pub const FULL_FROM_ZOOM: u8 = 15;

impl CollectionId {
    /// The properties a tile at zoom `z` carries: `None` for all of them.
    pub fn tile_properties(self, z: u8) -> Option<&'static [&'static str]> {
        if self == Self::Parcels {
            // The parcels' are the store's, which PostGIS writes itself.
            return Some(crate::store::parcels::tile_properties(z >= FULL_FROM_ZOOM));
        }
        if z >= FULL_FROM_ZOOM {
            return None;
        }
        Some(match self {
            Self::Parks | Self::Zones => &["code", "name"],
            Self::Parcels => &[],
            Self::Plots => &["code", "land_use", "area_mu"],
            Self::IdleLand => &["parcel_code", "idle_status"],
            Self::UnderusedLand => &["parcel_code", "class"],
            Self::CapacityReviews => &["parcel_code", "review_status"],
            Self::Workshops => &["name", "deadline_status"],
            Self::AvailableUnits => &["unit_id", "workshop_name"],
            Self::MuPerformance => &["parcel_code", "class"],
            Self::RenewalCandidates => &["id", "rank", "kind"],
        })
    }
}

/// `Cache-Control` of a response: a public tile may be kept by a shared cache (a proxy in
/// front of parkland), anything else by the client only; every one is revalidated with its
/// ETag, since the register may change at any time.
pub fn cache_control(tile: Option<bool>) -> HeaderValue {
    HeaderValue::from_static(match tile {
        Some(true) => "public, no-cache",
        Some(false) => "private, no-cache",
        None => "no-cache",
    })
}
