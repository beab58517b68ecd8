//! The register's REST resources under `/api`, one module per resource. Handlers are thin:
//! extract, check into domain types, one store call or use case, respond with a view.

pub mod applications;
pub mod audit;
pub mod dispatch;
pub mod enterprises;
pub mod entry;
pub mod estate;
pub mod exchange;
pub mod health;
pub mod idle_cases;
pub mod land_watch;
pub mod leases;
pub mod parcel_ops;
pub mod parcels;
pub mod parks;
pub mod performance;
pub mod projects;
pub mod renewal;
pub mod reports;
pub mod sessions;
pub mod supplies;
pub mod users;
pub mod workshops;
pub mod zones;
