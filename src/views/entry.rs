//! The entry check's answer: where it was checked and the verdict.

use crate::domain::entry_check::EntryVerdict;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct EntryCheckView {
    pub park_id: i64,
    pub zone_id: Option<i64>,
    pub parcel_id: Option<i64>,
    #[serde(flatten)]
    pub verdict: EntryVerdict,
}
