//! HTTP plumbing shared by every handler: request extractors and strict bodies, query
//! parameters, the access policy applied to requests, the rate limiter, the dashboard's
//! static files and the OpenAPI document.

pub mod access;
pub mod bodies;
pub mod dashboard;
pub mod download;
pub mod extract;
pub mod input;
pub mod language;
pub mod openapi;
pub mod params;
pub mod ratelimit;
pub mod scope;
pub mod strict_json;
pub mod token_memo;
