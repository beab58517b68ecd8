//! Pure rules and value types of the land register: no IO, no HTTP, no diesel.
//!
//! Everything that crosses the HTTP or file boundary is parsed into these types first
//! ("parse, don't validate"), so code past the edge can rely on them being well formed.

pub mod access;
pub mod application;
pub mod capacity;
pub mod clock;
pub mod codes;
pub mod enterprise;
pub mod entry_check;
pub mod idle_case;
pub mod idle_land;
pub mod import;
pub mod industry;
pub mod land_use;
pub mod net_land;
pub mod parcel;
pub mod penalty;
pub mod performance;
pub mod pipeline;
pub mod project;
pub mod register;
pub mod renewal;
pub mod settings;
pub mod supply;
pub mod underused;
pub mod units;
pub mod uscc;
pub mod watch;
pub mod words;
pub mod workshop;

pub use crate::refusal::{FieldError, Refusal};
