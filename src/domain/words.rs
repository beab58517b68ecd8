//! Sentences a person reads — a verdict's explanation, a finding's reason — in both languages
//! of the service. Chinese is what every view shows first (the bureau's and the committee's
//! working language); English sits beside it (`*_en`) for the dashboard's English view and
//! investors from abroad. Both are built in one place from the same facts, so the two can
//! never say different things, and a client never has to rebuild a sentence from fields.

use std::fmt;

/// One sentence in Chinese and in English.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Words {
    pub zh: String,
    pub en: String,
}

impl Words {
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Self {
        Self {
            zh: zh.into(),
            en: en.into(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.zh.is_empty() && self.en.is_empty()
    }

    /// The non-empty parts in order, joined as each language joins clauses.
    pub fn join<'a>(
        parts: impl IntoIterator<Item = &'a Words>,
        zh_sep: &str,
        en_sep: &str,
    ) -> Self {
        let parts: Vec<&Words> = parts.into_iter().filter(|w| !w.is_empty()).collect();
        Self {
            zh: parts
                .iter()
                .map(|w| w.zh.as_str())
                .collect::<Vec<_>>()
                .join(zh_sep),
            en: parts
                .iter()
                .map(|w| w.en.as_str())
                .collect::<Vec<_>>()
                .join(en_sep),
        }
    }

    /// Clauses of one sentence: `；` and `; `.
    pub fn clauses<'a>(parts: impl IntoIterator<Item = &'a Words>) -> Self {
        Self::join(parts, "；", "; ")
    }
}

/// The Chinese, as every view shows it first.
impl fmt::Display for Words {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.zh)
    }
}

/// `words!("剩 {n} 天", "{n} days left")`: both sentences formatted from the same variables
/// in scope (inline captures only, so neither can use a value the other does not see).
macro_rules! words {
    ($zh:literal, $en:literal $(,)?) => {
        $crate::domain::words::Words {
            zh: format!($zh),
            en: format!($en),
        }
    };
}
pub(crate) use words;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clauses_skip_empty_parts_in_both_languages() {
        let n = 3;
        let a = words!("剩 {n} 天", "{n} days left");
        let joined = Words::clauses([&a, &Words::default(), &Words::new("闲置", "idle")]);
        assert_eq!(joined.zh, "剩 3 天；闲置");
        assert_eq!(joined.en, "3 days left; idle");
        assert_eq!(joined.to_string(), joined.zh);
    }
}
