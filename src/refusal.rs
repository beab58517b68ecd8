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
    /// The message in Chinese, where it has been written: what a request preferring Chinese
    /// reads (the English one where it has not).
    pub message_zh: Option<String>,
}

impl FieldError {
    /// An error said in English only (not yet written in Chinese).
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
            message_zh: None,
        }
    }

    /// An error said in both languages.
    pub fn both(field: impl Into<String>, en: impl Into<String>, zh: impl Into<String>) -> Self {
        Self::new(field, en).zh(zh)
    }

    /// The same error with its Chinese message.
    pub fn zh(mut self, message: impl Into<String>) -> Self {
        self.message_zh = Some(message.into());
        self
    }

    /// The message in Chinese where written, else in English.
    pub fn message_zh(&self) -> &str {
        self.message_zh.as_deref().unwrap_or(&self.message)
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

/// One active parcel a geometry overlaps, with the shared area in m² (exact; a message rounds
/// it).
#[derive(Debug, Clone, PartialEq)]
pub struct Overlap {
    pub parcel_id: i64,
    pub code: String,
    pub overlap_m2: f64,
}

/// A rule's "no": either the request itself is wrong (422, field by field) or it clashes with
/// the state of the records (409) — in general, or by overlapping parcels (409 with the list).
/// Domain rules return it; `ops` and `store` only pass it on.
#[derive(Debug, Clone, PartialEq)]
pub enum Refusal {
    Invalid(Vec<FieldError>),
    Conflict(Words),
    Overlap(Vec<Overlap>),
}

/// A sentence for a person, in English and — where it has been written — in Chinese, the
/// language of the people who use parkland (a request preferring it reads this one).
#[derive(Debug, Clone, PartialEq)]
pub struct Words {
    pub en: String,
    pub zh: Option<String>,
}

impl Words {
    pub fn both(en: impl Into<String>, zh: impl Into<String>) -> Self {
        Words {
            en: en.into(),
            zh: Some(zh.into()),
        }
    }
}

impl From<String> for Words {
    fn from(en: String) -> Self {
        Words { en, zh: None }
    }
}

impl From<&str> for Words {
    fn from(en: &str) -> Self {
        en.to_owned().into()
    }
}

impl fmt::Display for Words {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.en)
    }
}

impl Refusal {
    /// A clash with the records, said in English only (not yet written in Chinese).
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::Conflict(Words::from(message.into()))
    }

    /// A clash with the records, said in both languages.
    pub fn conflict_in(en: impl Into<String>, zh: impl Into<String>) -> Self {
        Self::Conflict(Words::both(en, zh))
    }
}

impl From<FieldError> for Refusal {
    fn from(e: FieldError) -> Self {
        Self::Invalid(vec![e])
    }
}

impl From<Vec<FieldError>> for Refusal {
    fn from(errors: Vec<FieldError>) -> Self {
        Self::Invalid(errors)
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Invalid(errors) => {
                let parts: Vec<String> = errors.iter().map(ToString::to_string).collect();
                f.write_str(&parts.join("; "))
            }
            Self::Conflict(message) => message.fmt(f),
            Self::Overlap(list) => {
                let parts: Vec<String> = list
                    .iter()
                    .map(|o| {
                        format!(
                            "parcel {} (id {}) by {:.2} m²",
                            o.code, o.parcel_id, o.overlap_m2
                        )
                    })
                    .collect();
                write!(f, "overlaps {}", parts.join(", "))
            }
        }
    }
}

impl std::error::Error for Refusal {}
