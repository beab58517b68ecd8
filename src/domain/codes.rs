//! Identifiers people type: parcel, park and zone codes, and administrative division codes.

use super::FieldError;
use std::fmt;

/// A register code (宗地代码, park or zone code): what people search for and print on maps.
///
/// Real codes vary — the 19-character 宗地代码 of GB/T 37346 (`361021001002GB00015`), a
/// park's own plot numbers (`东-A-03`) — so the rule is only what keeps them usable:
/// 1–64 characters after trimming, no control characters, no inner line breaks.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Code(String);

impl Code {
    pub const MAX_CHARS: usize = 64;

    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let value = raw.trim();
        if value.is_empty() {
            return Err(FieldError::new(field, "must not be empty").zh("不能为空"));
        }
        if value.chars().count() > Self::MAX_CHARS {
            return Err(FieldError::new(
                field,
                format!("is longer than {} characters", Self::MAX_CHARS),
            )
            .zh(format!("超过 {} 个字符", Self::MAX_CHARS)));
        }
        if value.chars().any(char::is_control) {
            return Err(
                FieldError::new(field, "must not contain control characters")
                    .zh("不能包含控制字符"),
            );
        }
        Ok(Self(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A free-text name or description: trimmed, bounded, no control characters but line breaks.
pub fn parse_text(field: &str, raw: &str, max_chars: usize) -> Result<String, FieldError> {
    let value = raw.trim();
    if value.chars().count() > max_chars {
        return Err(
            FieldError::new(field, format!("is longer than {max_chars} characters"))
                .zh(format!("超过 {max_chars} 个字符")),
        );
    }
    if value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(
            FieldError::new(field, "must not contain control characters").zh("不能包含控制字符"),
        );
    }
    Ok(value.to_owned())
}

/// A 6-digit administrative division code (行政区划代码, GB/T 2260), e.g. `361021` 南城县.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminDivisionCode(String);

/// Province-level prefixes of GB/T 2260 (mainland 11–65, Taiwan 71, Hong Kong 81, Macao 82).
const PROVINCE_PREFIXES: &[u8] = &[
    11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52,
    53, 54, 61, 62, 63, 64, 65, 71, 81, 82,
];

impl AdminDivisionCode {
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let value = raw.trim();
        if value.len() != 6 || !value.bytes().all(|b| b.is_ascii_digit()) {
            return Err(FieldError::new(
                field,
                format!("`{value}` is not a 6-digit administrative division code (e.g. 361021)"),
            )
            .zh(format!("`{value}` 不是 6 位行政区划代码（例如 361021）")));
        }
        let province: u8 = value[..2].parse().unwrap_or(0);
        if !PROVINCE_PREFIXES.contains(&province) {
            return Err(FieldError::new(
                field,
                format!("`{value}` does not start with a province code of GB/T 2260"),
            )
            .zh(format!("`{value}` 的开头不是 GB/T 2260 的省级代码")));
        }
        Ok(Self(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_trimmed_and_bounded() {
        assert_eq!(
            Code::parse("code", "  361021001002GB00015 ")
                .unwrap()
                .as_str(),
            "361021001002GB00015"
        );
        assert_eq!(Code::parse("code", "东-A-03").unwrap().as_str(), "东-A-03");
        assert!(Code::parse("code", "   ").is_err());
        assert!(Code::parse("code", &"x".repeat(65)).is_err());
        assert!(Code::parse("code", "a\u{0}b").is_err());
        assert!(Code::parse("code", "a\nb").is_err());
    }

    #[test]
    fn admin_codes_follow_gb_t_2260() {
        assert!(AdminDivisionCode::parse("a", "361021").is_ok());
        assert!(AdminDivisionCode::parse("a", "36102").is_err());
        assert!(AdminDivisionCode::parse("a", "991021").is_err());
        assert!(AdminDivisionCode::parse("a", "36102x").is_err());
    }

    #[test]
    fn text_allows_line_breaks_but_not_other_controls() {
        assert_eq!(
            parse_text("d", " 第一行\n第二行 ", 100).unwrap(),
            "第一行\n第二行"
        );
        assert!(parse_text("d", "bell\u{7}", 100).is_err());
        assert!(parse_text("d", "长", 0).is_err());
    }
}
