//! The values a query parameter may name, for each type a parameter names: parsed by the
//! type's own rule, with what is accepted for the message.

use super::de::Named;
use crate::domain::capacity::ReviewStatus;
use crate::domain::idle_land::IdleStatus;
use crate::domain::parcel::ParcelStatus;
use crate::domain::performance::Class;
use crate::domain::project::Stage;
use crate::domain::underused::UnderusedClass;
use crate::domain::workshop::DeadlineStatus;
use crate::views::renewal::SiteKind;

impl Named for IdleStatus {
    const ACCEPTED: &'static str = "idle, approaching, not_due, not_applicable";
    fn parse_name(raw: &str) -> Option<Self> {
        IdleStatus::parse(raw)
    }
}

impl Named for ReviewStatus {
    const ACCEPTED: &'static str = "not_due, overdue, met, short (or 未到期, 到期未复核 …)";
    fn parse_name(raw: &str) -> Option<Self> {
        ReviewStatus::parse(raw)
    }
}

impl Named for UnderusedClass {
    const ACCEPTED: &'static str = "approved_not_supplied, supplied_not_used, used_not_finished, built_not_producing, producing_below_target (or 批而未供, 供而未用 …)";
    fn parse_name(raw: &str) -> Option<Self> {
        UnderusedClass::parse(raw)
    }
}

impl Named for ParcelStatus {
    const ACCEPTED: &'static str = "reserve, available, reserved, supplied, retired";
    fn parse_name(raw: &str) -> Option<Self> {
        ParcelStatus::parse("status", raw).ok()
    }
}

impl Named for DeadlineStatus {
    const ACCEPTED: &'static str =
        "overdue, at_risk, not_started, on_track, completed_late, completed_on_time";
    fn parse_name(raw: &str) -> Option<Self> {
        DeadlineStatus::parse(raw)
    }
}

impl Named for Class {
    const ACCEPTED: &'static str = "A, B, C, D";
    fn parse_name(raw: &str) -> Option<Self> {
        match raw.trim() {
            "A" | "a" => Some(Class::A),
            "B" | "b" => Some(Class::B),
            "C" | "c" => Some(Class::C),
            "D" | "d" => Some(Class::D),
            _ => None,
        }
    }
}

impl Named for SiteKind {
    const ACCEPTED: &'static str = "parcel, unit";
    fn parse_name(raw: &str) -> Option<Self> {
        match raw.trim() {
            "parcel" => Some(SiteKind::Parcel),
            "unit" => Some(SiteKind::Unit),
            _ => None,
        }
    }
}

impl Named for Stage {
    const ACCEPTED: &'static str =
        "negotiating, signed, landed, started, completed, producing, at_capacity, terminated";
    fn parse_name(raw: &str) -> Option<Self> {
        Stage::parse(raw)
    }
}
