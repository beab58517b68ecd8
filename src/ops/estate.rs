//! The workshops' buildings as loaded for one request.

use crate::store::estate::{Building, EstateQuery};
use crate::store::{self, AnyConnection, StoreError, StoreResult};

/// One workshop's building with its units and leases.
pub fn building(conn: &mut AnyConnection, id: i64) -> StoreResult<Building> {
    let query = EstateQuery {
        workshop_id: Some(id),
        ..Default::default()
    };
    let (mut found, _) = store::estate::load(conn, &query)?;
    found
        .pop()
        .ok_or_else(|| StoreError::NotFound(format!("workshop {id}")))
}
