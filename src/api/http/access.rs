//! Applying the access policy in handlers: anonymous callers are told to authenticate before
//! anything is looked up (so the existence of private records does not leak), then the record's
//! park is loaded (404 if it does not exist) and the policy decides (403 if not allowed).

use crate::api::AppState;
use crate::domain::access::{Action, Caller, Denied, ParkScope, Visibility};
use crate::error::ApiError;
use crate::store;

/// What a request needs to do to a park's data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    ReadRegister,
    WriteParcels,
    WritePark,
    WriteOperations,
}

impl Need {
    fn action(self, scope: &ParkScope) -> Action<'_> {
        match self {
            Need::ReadRegister => Action::ReadRegister(scope),
            Need::WriteParcels => Action::WriteParcels(scope),
            Need::WritePark => Action::WritePark(scope),
            Need::WriteOperations => Action::WriteOperations(scope),
        }
    }
}

/// The record a request is about.
#[derive(Debug, Clone, Copy)]
pub enum Of {
    Park(i64),
    Zone(i64),
    Parcel(i64),
    Supply(i64),
    IdleCase(i64),
    Workshop(i64),
    Unit(i64),
    Lease(i64),
    Project(i64),
}

/// Check the caller may do `need` to the park of `of`.
pub async fn authorize(
    state: &AppState,
    caller: &Caller,
    of: Of,
    need: Need,
) -> Result<ParkScope, ApiError> {
    if caller.principal().is_none() {
        return Err(Denied::Unauthenticated.into());
    }
    let scope = state
        .run(move |c| match of {
            Of::Park(id) => store::parks::scope(c, id),
            Of::Zone(id) => store::zones::scope(c, id),
            Of::Parcel(id) => store::parcels::scope(c, id),
            Of::Supply(id) => store::supplies::scope(c, id),
            Of::IdleCase(id) => store::idle_cases::scope(c, id),
            Of::Workshop(id) => store::workshops::scope(c, id),
            Of::Unit(id) => store::leases::unit_scope(c, id),
            Of::Lease(id) => store::leases::lease_scope(c, id),
            Of::Project(id) => store::projects::scope(c, id),
        })
        .await?;
    caller.may(&need.action(&scope))?;
    Ok(scope)
}

/// Check a park-independent permission.
pub fn require(caller: &Caller, action: Action<'_>) -> Result<(), ApiError> {
    Ok(caller.may(&action)?)
}

/// The parks whose register the caller may list.
pub async fn visibility(state: &AppState, caller: &Caller) -> Result<Visibility, ApiError> {
    // Only a bureau's parks depend on the parks' division codes; the rest needs no lookup.
    let scopes = match caller.principal().map(|p| p.role) {
        Some(crate::domain::access::Role::Bureau) => state.run(store::parks::scopes).await?,
        _ => Vec::new(),
    };
    Ok(Visibility::of(caller, &scopes)?)
}

/// The registers the caller may read, for public work that shows more to those who may read
/// more (the entry check of a plot that is no longer available): nothing for anonymous callers
/// and applicants.
pub async fn readable(state: &AppState, caller: &Caller) -> Visibility {
    match caller.principal() {
        None => Visibility::none(),
        Some(_) => visibility(state, caller)
            .await
            .unwrap_or_else(|_| Visibility::none()),
    }
}

/// The parks a listing may show: `None` for all, else the caller's. Naming a park the caller
/// may not read is a 403, not an empty list.
pub async fn listed_parks(
    state: &AppState,
    caller: &Caller,
    park_id: Option<i64>,
) -> Result<Option<Vec<i64>>, ApiError> {
    match (visibility(state, caller).await?, park_id) {
        (Visibility::All, _) => Ok(None),
        (Visibility::Parks(ids), Some(id)) if !ids.contains(&id) => {
            authorize(state, caller, Of::Park(id), Need::ReadRegister).await?;
            Ok(Some(ids))
        }
        (Visibility::Parks(ids), _) => Ok(Some(ids)),
    }
}

/// Callers who may read some park's register — not anonymous callers (401), not applicants
/// (403) — checked before a private endpoint parses its request, so it never judges a query
/// string for a caller who may not ask at all.
pub fn require_register(caller: &Caller) -> Result<(), ApiError> {
    match caller.principal() {
        None => Err(Denied::Unauthenticated.into()),
        Some(p) if p.role == crate::domain::access::Role::Applicant => {
            Err(Denied::applicant_reads_register(p).into())
        }
        Some(_) => Ok(()),
    }
}

/// Anonymous callers must authenticate first (before their body is even looked at).
pub fn require_user(caller: &Caller) -> Result<(), ApiError> {
    match caller {
        Caller::Anonymous => Err(Denied::Unauthenticated.into()),
        Caller::User(_) => Ok(()),
    }
}
