//! One parcel watched on a day: the parcel, the supply in force with its timeline, the
//! idle-land verdict and the 五未 class, and the settings of its place — what every land list,
//! layer and report reads.

use super::capacity::Review;
use super::idle_land::IdleVerdict;
use super::register::Parcel;
use super::settings::Settings;
use super::supply::{Supply, Timeline};
use super::underused::Finding;
use std::sync::Arc;

/// One parcel, watched.
#[derive(Debug, Clone)]
pub struct Watched {
    pub parcel: Parcel,
    pub park_name: String,
    pub zone_name: Option<String>,
    /// The supply in force on the day, the timeline of its facts, and its holder's name.
    pub supply: Option<(Supply, Timeline, String)>,
    /// `None` for parcels without a supply in force (and without the `supplied` status).
    pub idle: Option<IdleVerdict>,
    pub underused: Option<Finding>,
    /// The 标准地 达产复核 of the supply in force, once it produces.
    pub capacity: Option<Review>,
    /// The settings in force where the parcel lies (shared by the parcels of a zone).
    pub settings: Arc<Settings>,
}
