//! Industry codes of GB/T 4754-2017 《国民经济行业分类》.
//!
//! A code is the 2-digit 大类 (division), optionally refined to the 3-digit 中类 or 4-digit
//! 小类; the section letter (门类, e.g. `C` for manufacturing) may be written in front and is
//! checked against the division. Codes are stored as digits only (`39`, `391`, `3911`).

use super::FieldError;
use std::fmt;

/// (大类 code, 门类 letter, 大类 name) for all 97 divisions of GB/T 4754-2017.
pub const DIVISIONS: &[(&str, char, &str)] = &[
    ("01", 'A', "农业"),
    ("02", 'A', "林业"),
    ("03", 'A', "畜牧业"),
    ("04", 'A', "渔业"),
    ("05", 'A', "农、林、牧、渔专业及辅助性活动"),
    ("06", 'B', "煤炭开采和洗选业"),
    ("07", 'B', "石油和天然气开采业"),
    ("08", 'B', "黑色金属矿采选业"),
    ("09", 'B', "有色金属矿采选业"),
    ("10", 'B', "非金属矿采选业"),
    ("11", 'B', "开采专业及辅助性活动"),
    ("12", 'B', "其他采矿业"),
    ("13", 'C', "农副食品加工业"),
    ("14", 'C', "食品制造业"),
    ("15", 'C', "酒、饮料和精制茶制造业"),
    ("16", 'C', "烟草制品业"),
    ("17", 'C', "纺织业"),
    ("18", 'C', "纺织服装、服饰业"),
    ("19", 'C', "皮革、毛皮、羽毛及其制品和制鞋业"),
    ("20", 'C', "木材加工和木、竹、藤、棕、草制品业"),
    ("21", 'C', "家具制造业"),
    ("22", 'C', "造纸和纸制品业"),
    ("23", 'C', "印刷和记录媒介复制业"),
    ("24", 'C', "文教、工美、体育和娱乐用品制造业"),
    ("25", 'C', "石油、煤炭及其他燃料加工业"),
    ("26", 'C', "化学原料和化学制品制造业"),
    ("27", 'C', "医药制造业"),
    ("28", 'C', "化学纤维制造业"),
    ("29", 'C', "橡胶和塑料制品业"),
    ("30", 'C', "非金属矿物制品业"),
    ("31", 'C', "黑色金属冶炼和压延加工业"),
    ("32", 'C', "有色金属冶炼和压延加工业"),
    ("33", 'C', "金属制品业"),
    ("34", 'C', "通用设备制造业"),
    ("35", 'C', "专用设备制造业"),
    ("36", 'C', "汽车制造业"),
    ("37", 'C', "铁路、船舶、航空航天和其他运输设备制造业"),
    ("38", 'C', "电气机械和器材制造业"),
    ("39", 'C', "计算机、通信和其他电子设备制造业"),
    ("40", 'C', "仪器仪表制造业"),
    ("41", 'C', "其他制造业"),
    ("42", 'C', "废弃资源综合利用业"),
    ("43", 'C', "金属制品、机械和设备修理业"),
    ("44", 'D', "电力、热力生产和供应业"),
    ("45", 'D', "燃气生产和供应业"),
    ("46", 'D', "水的生产和供应业"),
    ("47", 'E', "房屋建筑业"),
    ("48", 'E', "土木工程建筑业"),
    ("49", 'E', "建筑安装业"),
    ("50", 'E', "建筑装饰、装修和其他建筑业"),
    ("51", 'F', "批发业"),
    ("52", 'F', "零售业"),
    ("53", 'G', "铁路运输业"),
    ("54", 'G', "道路运输业"),
    ("55", 'G', "水上运输业"),
    ("56", 'G', "航空运输业"),
    ("57", 'G', "管道运输业"),
    ("58", 'G', "多式联运和运输代理业"),
    ("59", 'G', "装卸搬运和仓储业"),
    ("60", 'G', "邮政业"),
    ("61", 'H', "住宿业"),
    ("62", 'H', "餐饮业"),
    ("63", 'I', "电信、广播电视和卫星传输服务"),
    ("64", 'I', "互联网和相关服务"),
    ("65", 'I', "软件和信息技术服务业"),
    ("66", 'J', "货币金融服务"),
    ("67", 'J', "资本市场服务"),
    ("68", 'J', "保险业"),
    ("69", 'J', "其他金融业"),
    ("70", 'K', "房地产业"),
    ("71", 'L', "租赁业"),
    ("72", 'L', "商务服务业"),
    ("73", 'M', "研究和试验发展"),
    ("74", 'M', "专业技术服务业"),
    ("75", 'M', "科技推广和应用服务业"),
    ("76", 'N', "水利管理业"),
    ("77", 'N', "生态保护和环境治理业"),
    ("78", 'N', "公共设施管理业"),
    ("79", 'N', "土地管理业"),
    ("80", 'O', "居民服务业"),
    ("81", 'O', "机动车、电子产品和日用产品修理业"),
    ("82", 'O', "其他服务业"),
    ("83", 'P', "教育"),
    ("84", 'Q', "卫生"),
    ("85", 'Q', "社会工作"),
    ("86", 'R', "新闻和出版业"),
    ("87", 'R', "广播、电视、电影和录音制作业"),
    ("88", 'R', "文化艺术业"),
    ("89", 'R', "体育"),
    ("90", 'R', "娱乐业"),
    ("91", 'S', "中国共产党机关"),
    ("92", 'S', "国家机构"),
    ("93", 'S', "人民政协、民主党派"),
    ("94", 'S', "社会保障"),
    ("95", 'S', "群众团体、社会团体和其他成员组织"),
    ("96", 'S', "基层群众自治组织及其他组织"),
    ("97", 'T', "国际组织"),
];

/// A GB/T 4754-2017 industry code at 大类, 中类 or 小类 level.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IndustryCode(String);

impl IndustryCode {
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let value = raw.trim().to_ascii_uppercase();
        let (letter, digits) = match value.chars().next() {
            Some(c) if c.is_ascii_alphabetic() => (Some(c), &value[1..]),
            _ => (None, value.as_str()),
        };
        if !(2..=4).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(FieldError::new(
                field,
                format!(
                    "`{}` is not a GB/T 4754-2017 industry code: expected 2–4 digits, optionally \
                     after the section letter (e.g. C39, 391, 3911)",
                    raw.trim()
                ),
            ).zh(format!("`{}` 不是 GB/T 4754-2017 行业代码：应为 2–4 位数字，可在门类字母之后（例如 C39、391、3911）", raw.trim())));
        }
        let Some(&(_, section, _)) = DIVISIONS.iter().find(|(d, _, _)| *d == &digits[..2]) else {
            return Err(FieldError::new(
                field,
                format!(
                    "`{}` is not a division (大类) of GB/T 4754-2017",
                    &digits[..2]
                ),
            )
            .zh(format!("`{}` 不是 GB/T 4754-2017 的大类", &digits[..2])));
        };
        if let Some(letter) = letter
            && letter != section
        {
            return Err(FieldError::new(
                field,
                format!(
                    "division {} belongs to section {section}, not {letter}",
                    &digits[..2]
                ),
            )
            .zh(format!(
                "大类 {} 属于门类 {section}，不属于 {letter}",
                &digits[..2]
            )));
        }
        Ok(Self(digits.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The 2-digit division (大类) this code belongs to.
    pub fn division(&self) -> &str {
        &self.0[..2]
    }

    /// The section letter (门类).
    pub fn section(&self) -> char {
        division_entry(self.division()).map_or('?', |e| e.1)
    }

    /// The division's name; finer levels are named by their division.
    pub fn division_name(&self) -> &'static str {
        division_entry(self.division()).map_or("", |e| e.2)
    }

    /// Whether `self` covers `other`: `39` covers `391` and `3911`.
    pub fn covers(&self, other: &IndustryCode) -> bool {
        other.0.starts_with(&self.0)
    }
}

fn division_entry(code: &str) -> Option<&'static (&'static str, char, &'static str)> {
    DIVISIONS.iter().find(|(d, _, _)| *d == code)
}

impl fmt::Display for IndustryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Parse a list of codes, reporting each bad one under `field[i]`; duplicates are removed.
pub fn parse_list(field: &str, raw: &[String]) -> Result<Vec<IndustryCode>, Vec<FieldError>> {
    let mut codes = Vec::new();
    let mut errors = Vec::new();
    for (i, item) in raw.iter().enumerate() {
        match IndustryCode::parse(&format!("{field}[{i}]"), item) {
            Ok(code) if !codes.contains(&code) => codes.push(code),
            Ok(_) => {}
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(codes)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_has_all_97_divisions_in_order() {
        assert_eq!(DIVISIONS.len(), 97);
        for (i, (code, _, _)) in DIVISIONS.iter().enumerate() {
            assert_eq!(code.parse::<usize>().unwrap(), i + 1);
        }
    }

    #[test]
    fn accepts_all_levels_with_or_without_section() {
        for (raw, canon) in [
            ("C39", "39"),
            ("39", "39"),
            ("391", "391"),
            ("c3911", "3911"),
        ] {
            assert_eq!(IndustryCode::parse("i", raw).unwrap().as_str(), canon);
        }
        let code = IndustryCode::parse("i", "3911").unwrap();
        assert_eq!(code.section(), 'C');
        assert_eq!(code.division_name(), "计算机、通信和其他电子设备制造业");
    }

    #[test]
    fn rejects_unknown_or_inconsistent_codes() {
        assert!(IndustryCode::parse("i", "98").is_err(), "no division 98");
        assert!(IndustryCode::parse("i", "00").is_err());
        assert!(
            IndustryCode::parse("i", "A39").is_err(),
            "39 is in section C"
        );
        assert!(IndustryCode::parse("i", "39111").is_err());
        assert!(IndustryCode::parse("i", "3").is_err());
        assert!(IndustryCode::parse("i", "3 9").is_err());
    }

    #[test]
    fn coverage_follows_the_hierarchy() {
        let c39 = IndustryCode::parse("i", "39").unwrap();
        let c3911 = IndustryCode::parse("i", "3911").unwrap();
        assert!(c39.covers(&c3911));
        assert!(!c3911.covers(&c39));
    }

    #[test]
    fn list_parsing_names_each_bad_entry() {
        let errors =
            parse_list("industries", &["C39".into(), "98".into(), "x".into()]).unwrap_err();
        assert_eq!(errors.len(), 2);
        assert_eq!(errors[0].field, "industries[1]");
        let ok = parse_list("industries", &["39".into(), "C39".into()]).unwrap();
        assert_eq!(ok.len(), 1, "duplicates collapse");
    }
}
