//! Pure rules and value types of the land register: no IO, no HTTP, no diesel.
//!
//! Everything that crosses the HTTP or file boundary is parsed into these types first
//! ("parse, don't validate"), so code past the edge can rely on them being well formed.

pub mod access;
pub mod clock;
pub mod codes;
pub mod enterprise;
pub mod entry_check;
pub mod idle_case;
pub mod idle_land;
pub mod industry;
pub mod land_use;
pub mod parcel;
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
pub mod workshop;

use std::fmt;

/// A value that failed a domain rule, with the field it came from and a message a person
/// understands. Collected into lists so one response can name every problem at once.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldError {
    /// Dotted path of the offending field, e.g. `properties.far_max`.
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }

    /// The same error, reported under a parent path (`properties` + `far_max`).
    pub fn under(mut self, parent: &str) -> Self {
        if !parent.is_empty() {
            self.field = format!("{parent}.{}", self.field);
        }
        self
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for FieldError {}
