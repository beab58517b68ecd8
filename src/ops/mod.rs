//! Use cases: the work one request asks for, over a connection — load what it needs from the
//! store, let the domain decide or the views build, and (for writes) save and audit in one
//! transaction. Handlers call one of these on the blocking pool; they hold no HTTP.

pub mod accounts;
pub mod applications;
pub mod directory;
pub mod entry;
pub mod estate;
pub mod idle_cases;
pub mod import;
pub mod land_watch;
pub mod performance;
pub mod places;
pub mod projects;
pub mod register;
pub mod renewal;
pub mod reports;
pub mod supplies;
