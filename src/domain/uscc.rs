//! 统一社会信用代码, the unified social credit code of GB 32100-2015: 18 characters from a
//! 31-character alphabet (no I, O, Z, S, V), the last a check character over the first 17 with
//! weights 3^(i-1) mod 31.

use super::FieldError;
use std::fmt;

const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// A checked unified social credit code.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Uscc(String);

fn value(c: u8) -> Option<u32> {
    ALPHABET.iter().position(|&a| a == c).map(|p| p as u32)
}

/// The check character for the first 17 characters.
fn check_char(first17: &[u8]) -> Option<u8> {
    let mut weight = 1u32;
    let mut sum = 0u32;
    for &c in first17 {
        sum += value(c)? * weight;
        weight = weight * 3 % 31;
    }
    let v = (31 - sum % 31) % 31;
    Some(ALPHABET[v as usize])
}

impl Uscc {
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let code = raw.trim().to_ascii_uppercase();
        let bytes = code.as_bytes();
        if bytes.len() != 18 {
            return Err(FieldError::new(
                field,
                format!(
                    "`{}` is not a unified social credit code: it has 18 characters, not {}",
                    raw.trim(),
                    code.chars().count()
                ),
            )
            .zh(format!(
                "`{}` 不是统一社会信用代码：应为 18 位，而不是 {} 位",
                raw.trim(),
                code.chars().count()
            )));
        }
        if let Some(bad) = code
            .chars()
            .find(|c| !c.is_ascii() || value(*c as u8).is_none())
        {
            return Err(FieldError::new(
                field,
                format!(
                    "`{code}` contains `{bad}`, which credit codes never use (they have no I, O, Z, S or V)"
                ),
            ).zh(format!("`{code}` 含有 `{bad}`，信用代码不使用此字符（不含 I、O、Z、S、V）")));
        }
        if !bytes[2..8].iter().all(u8::is_ascii_digit) {
            return Err(FieldError::new(
                field,
                format!(
                    "`{code}`: characters 3–8 are the registering authority's division code, 6 digits"
                ),
            ).zh(format!("`{code}`：第 3–8 位是登记管理机关的行政区划代码，须为 6 位数字")));
        }
        let expected = check_char(&bytes[..17]).unwrap_or(b'?');
        if bytes[17] != expected {
            return Err(FieldError::new(
                field,
                format!(
                    "`{code}` fails its check: the last character should be {} — is a character mistyped?",
                    expected as char
                ),
            ).zh(format!("`{code}` 校验不通过：最后一位应为 {}——是否有字符输错？", expected as char)));
        }
        Ok(Self(code))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Uscc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Complete a 17-character stem with its check character (fixtures, demo data).
pub fn with_check(stem17: &str) -> Option<String> {
    let c = check_char(stem17.as_bytes())?;
    (stem17.len() == 17).then(|| format!("{stem17}{}", c as char))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_codes_pass() {
        for code in [
            "91350100M000100Y43",
            "91110000600037341L",
            "91110000600037341l",
        ] {
            assert!(Uscc::parse("uscc", code).is_ok(), "{code}");
        }
        assert_eq!(
            Uscc::parse("uscc", " 91110000600037341l ")
                .unwrap()
                .as_str(),
            "91110000600037341L"
        );
    }

    #[test]
    fn a_mistyped_character_fails_the_check() {
        let e = Uscc::parse("uscc", "91350100M000100Y44").unwrap_err();
        assert!(e.message.contains("should be 3"), "{}", e.message);
        let e = Uscc::parse("uscc", "91350100M000I00Y43").unwrap_err();
        assert!(e.message.contains("`I`"), "{}", e.message);
        assert!(Uscc::parse("uscc", "9135010").is_err());
        assert!(
            Uscc::parse("uscc", "91AB0100M000100Y43").is_err(),
            "the division code is digits"
        );
        assert!(Uscc::parse("uscc", "91350100M000100Y4'").is_err());
    }

    #[test]
    fn stems_can_be_completed() {
        assert_eq!(
            with_check("91350100M000100Y4").as_deref(),
            Some("91350100M000100Y43")
        );
        let made = with_check("91361021MA35XXXX0").unwrap();
        assert!(Uscc::parse("uscc", &made).is_ok(), "{made}");
    }
}
