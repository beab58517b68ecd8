//! What a rule refuses, in words a person understands: the vocabulary every layer below HTTP
//! uses to say no — geometry checks in `spatial`, rules in `domain`, use cases in `ops` — and
//! `error.rs` turns into one problem response. A leaf: it depends on nothing in the crate.

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

/// A rule's "no": either the request itself is wrong (422, field by field) or it clashes with
/// the state of the records (409). Domain rules return it; `ops` and `store` only pass it on.
#[derive(Debug, Clone, PartialEq)]
pub enum Refusal {
    Invalid(Vec<FieldError>),
    Conflict(String),
}

impl Refusal {
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::Conflict(message.into())
    }
}

impl From<FieldError> for Refusal {
    fn from(e: FieldError) -> Self {
        Self::Invalid(vec![e])
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Invalid(errors) => {
                let parts: Vec<String> = errors.iter().map(ToString::to_string).collect();
                f.write_str(&parts.join("; "))
            }
            Self::Conflict(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for Refusal {}
