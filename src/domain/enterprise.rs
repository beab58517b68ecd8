//! Enterprises (企业): the land users, tenants and project owners the register names, each
//! identified by its 统一社会信用代码.

use super::codes::parse_text;
use super::industry::IndustryCode;
use super::register::Stamp;
use super::uscc::Uscc;
use super::{FieldError, Refusal};

/// An enterprise as the register keeps it.
#[derive(Debug, Clone, PartialEq)]
pub struct Enterprise {
    pub id: i64,
    pub name: String,
    /// 统一社会信用代码, checked (GB 32100-2015).
    pub uscc: String,
    /// Main industry (GB/T 4754-2017), when known.
    pub industry: Option<String>,
    /// 规模以上工业企业 (annual revenue ≥ 2000 万元): always in scope of 亩均 evaluation.
    pub above_scale: bool,
    pub version: i64,
    pub created: Stamp,
    pub updated: Stamp,
}

/// A checked new enterprise.
#[derive(Debug, Clone)]
pub struct EnterpriseDraft {
    pub name: String,
    pub uscc: Uscc,
    pub industry: Option<IndustryCode>,
    pub above_scale: bool,
}

/// Checked changes; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct EnterpriseChanges {
    pub name: Option<String>,
    pub uscc: Option<Uscc>,
    pub industry: Option<Option<IndustryCode>>,
    pub above_scale: Option<bool>,
}

/// An enterprise name: 1–200 characters (the registered name, e.g. 江西某某电子科技有限公司).
pub fn parse_name(field: &str, raw: &str) -> Result<String, FieldError> {
    let name = parse_text(field, raw, 200)?;
    if name.is_empty() {
        return Err(
            FieldError::new(field, "the enterprise's registered name is required")
                .zh("须填写企业的登记名称"),
        );
    }
    if name.contains('\n') {
        return Err(FieldError::new(field, "a name is one line").zh("名称只能有一行"));
    }
    Ok(name)
}

impl EnterpriseDraft {
    pub fn parse(
        name: &str,
        uscc: &str,
        industry: Option<&str>,
        above_scale: Option<bool>,
    ) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let name = parse_name("name", name).map_err(|e| errors.push(e)).ok();
        let uscc = Uscc::parse("uscc", uscc).map_err(|e| errors.push(e)).ok();
        let industry = match industry {
            Some(c) => IndustryCode::parse("industry", c)
                .map_err(|e| errors.push(e))
                .ok(),
            None => None,
        };
        match (name, uscc) {
            (Some(name), Some(uscc)) if errors.is_empty() => Ok(Self {
                name,
                uscc,
                industry,
                above_scale: above_scale.unwrap_or(false),
            }),
            _ => Err(errors),
        }
    }
}

/// A credit code belongs to one enterprise (`holder`: another that has it already).
pub fn check_uscc_free(uscc: &str, holder: Option<(i64, String)>) -> Result<(), Refusal> {
    match holder {
        Some((id, name)) => Err(Refusal::conflict_in(
            format!("the credit code {uscc} is already registered to {name} (enterprise {id})"),
            format!("统一社会信用代码 {uscc} 已由 {name}（企业 {id}）登记使用"),
        )),
        None => Ok(()),
    }
}

impl Enterprise {
    /// The enterprise after `changes` (the credit code checked by the caller against the
    /// directory); version and stamp unchanged.
    pub fn apply(&self, changes: EnterpriseChanges) -> Enterprise {
        let mut next = self.clone();
        if let Some(v) = changes.name {
            next.name = v;
        }
        if let Some(v) = changes.uscc {
            next.uscc = v.as_str().to_owned();
        }
        if let Some(v) = changes.industry {
            next.industry = v.map(|c| c.as_str().to_owned());
        }
        if let Some(v) = changes.above_scale {
            next.above_scale = v;
        }
        next
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_draft_names_every_bad_field() {
        let ok = EnterpriseDraft::parse(
            "江西赣电科技有限公司",
            "91350100M000100Y43",
            Some("C3911"),
            Some(true),
        )
        .unwrap();
        assert_eq!(ok.industry.unwrap().as_str(), "3911");
        let fields: Vec<String> =
            EnterpriseDraft::parse(" ", "91350100M000100Y44", Some("C99"), None)
                .unwrap_err()
                .into_iter()
                .map(|e| e.field)
                .collect();
        assert_eq!(fields, ["name", "uscc", "industry"]);
    }

    #[test]
    fn a_credit_code_belongs_to_one_enterprise() {
        assert_eq!(check_uscc_free("91360000MA35XXXX0X", None), Ok(()));
        let Err(Refusal::Conflict(why)) =
            check_uscc_free("91360000MA35XXXX0X", Some((4, "江西某某电子".into())))
        else {
            panic!("a taken code accepted");
        };
        assert!(why.en.contains("江西某某电子 (enterprise 4)"), "{why}");
    }

    #[test]
    fn an_enterprise_changes_what_is_asked() {
        let at = chrono::NaiveDate::from_ymd_opt(2026, 1, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .unwrap();
        let e = Enterprise {
            id: 4,
            name: "江西某某电子".into(),
            uscc: "91360000MA35XXXX0X".into(),
            industry: Some("3982".into()),
            above_scale: false,
            version: 1,
            created: Stamp::stored("a".into(), at),
            updated: Stamp::stored("a".into(), at),
        };
        assert_eq!(e.apply(EnterpriseChanges::default()), e);
        let changed = e.apply(EnterpriseChanges {
            industry: Some(None),
            above_scale: Some(true),
            ..Default::default()
        });
        assert_eq!((changed.industry, changed.above_scale), (None, true));
        assert_eq!((changed.name, changed.version), (e.name, 1));
    }
}
