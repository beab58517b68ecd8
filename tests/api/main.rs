//! The integration tests, one binary: every test builds the application in process (or runs
//! the binary) against a database of its own, on SQLite and — when
//! `PARKLAND_TEST_DATABASE_URL` is set — on PostgreSQL + PostGIS. One binary links the crate
//! once instead of once per file. Each module is one capability.

#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly where an assumption does not hold"
)]

#[macro_use]
mod common;

mod abuse;
mod access;
mod applications;
mod architecture;
mod audit;
mod audit_chain;
mod cli;
mod dashboard;
mod demo;
mod errors;
mod hostile;
mod idle_cases;
mod idle_land;
mod import_export;
mod instances;
mod isolation;
mod land_supply;
mod ogc_api;
mod openapi;
mod parcels;
mod parks_zones;
mod performance;
mod projects;
mod public_view;
mod replica;
mod rules_as_applied;
mod split_merge;
mod strict_input;
mod tiles;
mod workshops;
