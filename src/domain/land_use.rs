//! Land-use classes of 《国土空间调查、规划、用途管制用地用海分类指南》 (自然资源部, 2023).
//!
//! Since the 2020 trial edition this classification replaced GB/T 21010 and the urban
//! GB 50137 classes in spatial planning, so new planning conditions cite it. The table holds
//! the first-level classes and the second and third levels that occur in industrial parks;
//! a code matches its own subclasses when filtering (`1001` finds `100101`).
//!
//! The farm-facility class 06 is left out on purpose: in the older GB/T 21010 `0601` meant
//! 工业用地, and legacy files still carry it. Such codes are rejected with a pointer to the
//! current code rather than silently read as a farm road.

use super::FieldError;

/// (code, name) pairs of the classification, parents before children.
pub const CLASSES: &[(&str, &str)] = &[
    ("01", "耕地"),
    ("02", "园地"),
    ("03", "林地"),
    ("04", "草地"),
    ("05", "湿地"),
    ("07", "居住用地"),
    ("0701", "城镇住宅用地"),
    ("0702", "城镇社区服务设施用地"),
    ("0703", "农村宅基地"),
    ("0704", "农村社区服务设施用地"),
    ("08", "公共管理与公共服务用地"),
    ("0801", "机关团体用地"),
    ("0802", "科研用地"),
    ("0803", "文化用地"),
    ("0804", "教育用地"),
    ("0805", "体育用地"),
    ("0806", "医疗卫生用地"),
    ("0807", "社会福利用地"),
    ("09", "商业服务业用地"),
    ("0901", "商业用地"),
    ("0902", "商务金融用地"),
    ("0903", "娱乐康体用地"),
    ("0904", "其他商业服务业用地"),
    ("10", "工矿用地"),
    ("1001", "工业用地"),
    ("100101", "一类工业用地"),
    ("100102", "二类工业用地"),
    ("100103", "三类工业用地"),
    ("1002", "采矿用地"),
    ("1003", "盐田"),
    ("11", "仓储用地"),
    ("1101", "物流仓储用地"),
    ("110101", "一类物流仓储用地"),
    ("110102", "二类物流仓储用地"),
    ("110103", "三类物流仓储用地"),
    ("1102", "储备库用地"),
    ("12", "交通运输用地"),
    ("1201", "铁路用地"),
    ("1202", "公路用地"),
    ("1203", "机场用地"),
    ("1204", "港口码头用地"),
    ("1205", "管道运输用地"),
    ("1206", "城市轨道交通用地"),
    ("1207", "城镇村道路用地"),
    ("1208", "交通场站用地"),
    ("1209", "其他交通设施用地"),
    ("13", "公用设施用地"),
    ("1301", "供水用地"),
    ("1302", "排水用地"),
    ("1303", "供电用地"),
    ("1304", "供燃气用地"),
    ("1305", "供热用地"),
    ("1306", "通信用地"),
    ("1307", "邮政用地"),
    ("1308", "广播电视设施用地"),
    ("1309", "环卫用地"),
    ("1310", "消防用地"),
    ("1311", "水工设施用地"),
    ("1312", "其他公用设施用地"),
    ("14", "绿地与开敞空间用地"),
    ("1401", "公园绿地"),
    ("1402", "防护绿地"),
    ("1403", "广场用地"),
    ("15", "特殊用地"),
    ("16", "留白用地"),
    ("17", "陆地水域"),
    ("23", "其他土地"),
    ("2301", "空闲地"),
];

/// A land-use class code from [`CLASSES`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LandUse(&'static str, &'static str);

impl LandUse {
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let value = raw.trim();
        CLASSES
            .iter()
            .find(|(code, _)| *code == value)
            .map(|&(code, name)| Self(code, name))
            .ok_or_else(|| {
                let hint = match value {
                    "0601" => {
                        " (0601 is 工业用地 in the old GB/T 21010; use 1001 or 100101–100103)"
                    }
                    "0602" => " (0602 is 采矿用地 in the old GB/T 21010; use 1002)",
                    "0604" => {
                        " (0604 is 仓储用地 in the old GB/T 21010; use 1101 or 110101–110103)"
                    }
                    _ => " (e.g. 100101 一类工业用地, 1101 物流仓储用地, 0901 商业用地)",
                };
                let hint_zh = match value {
                    "0601" => "（0601 是旧标准 GB/T 21010 的工业用地；请用 1001 或 100101–100103）",
                    "0602" => "（0602 是旧标准 GB/T 21010 的采矿用地；请用 1002）",
                    "0604" => "（0604 是旧标准 GB/T 21010 的仓储用地；请用 1101 或 110101–110103）",
                    _ => "（例如 100101 一类工业用地、1101 物流仓储用地、0901 商业用地）",
                };
                FieldError::new(
                    field,
                    format!("`{value}` is not a land-use class of the 用地用海分类{hint}"),
                ).zh(format!("`{value}` 不是《国土空间调查、规划、用途管制用地用海分类指南》中的用地类别{hint_zh}"))
            })
    }

    pub fn code(self) -> &'static str {
        self.0
    }

    pub fn name(self) -> &'static str {
        self.1
    }

    /// Industrial or storage land (工矿用地 10, 仓储用地 11): the land the park's projects use.
    pub fn is_industrial(self) -> bool {
        self.0.starts_with("10") || self.0.starts_with("11")
    }
}

/// The name of a stored code, for views; unknown codes (from an older table) show empty.
///
/// A binary search: [`CLASSES`] is in code order (tested), and every map feature asks.
pub fn name_of(code: &str) -> &'static str {
    CLASSES
        .binary_search_by(|(c, _)| (*c).cmp(code))
        .map_or("", |i| CLASSES[i].1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_in_order_and_children_follow_their_parent() {
        assert!(
            CLASSES.windows(2).all(|w| w[0].0 < w[1].0),
            "name_of searches CLASSES by code: keep it in code order"
        );
        assert_eq!(name_of("100101"), "一类工业用地");
        assert_eq!(name_of("01"), CLASSES[0].1);
        assert_eq!(name_of("0601"), "");
        let mut seen = std::collections::HashSet::new();
        for (code, _) in CLASSES {
            assert!(seen.insert(code), "duplicate {code}");
            if code.len() > 2 {
                let parent = &code[..code.len() - 2];
                assert!(
                    seen.contains(&parent),
                    "{code} listed before its parent {parent}"
                );
            }
        }
    }

    #[test]
    fn parses_known_classes_only() {
        let l = LandUse::parse("land_use", " 100101 ").unwrap();
        assert_eq!(l.name(), "一类工业用地");
        assert!(l.is_industrial());
        assert!(!LandUse::parse("land_use", "0901").unwrap().is_industrial());
        let e = LandUse::parse("land_use", "0601x").unwrap_err();
        assert!(e.message.contains("用地用海分类"));
        let legacy = LandUse::parse("land_use", "0601").unwrap_err();
        assert!(legacy.message.contains("use 1001"), "{}", legacy.message);
    }
}
