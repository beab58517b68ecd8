//! The demo park: 南城县工业园区 near 116.64°E 27.56°N (Nancheng County, Jiangxi), with three
//! zones and about 150 parcels of varied land use and status, laid out as blocks between roads.
//!
//! Everything is generated from a fixed seed, so every install shows the same park. Parcels of
//! a block share their cut lines (some slanted), so they tile without overlaps or gaps. The
//! supplied parcels get contracts and development facts ([`land_supply`]).

mod land_supply;
mod performance;
mod projects;
mod workshops;

use crate::domain::codes::{AdminDivisionCode, Code};
use crate::domain::industry::IndustryCode;
use crate::domain::parcel::{ParcelStatus, PlanningConditions};
use crate::domain::register::{ImportItem, ImportRequest};
use crate::domain::register::{ParcelDraft, ParkDraft, RawParcel, Stamp, ZoneDraft};
use crate::domain::settings::SettingsOverrides;
use crate::ops;
use crate::ops::import::Progress;
use crate::spatial::{AreaLimits, Footprint};
use crate::store::{self, AnyConnection, StoreError, StoreResult};
use geo::{Coord, LineString, MultiPolygon, Polygon};

pub const PARK_CODE: &str = "NCGY";

/// A small deterministic generator (SplitMix64), so the demo never changes between installs.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }
}

fn ring(points: &[(f64, f64)]) -> LineString<f64> {
    let mut coords: Vec<Coord<f64>> = points.iter().map(|&(x, y)| Coord { x, y }).collect();
    coords.push(coords[0]);
    LineString(coords)
}

fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> MultiPolygon<f64> {
    MultiPolygon(vec![Polygon::new(
        ring(&[(x0, y0), (x1, y0), (x1, y1), (x0, y1)]),
        vec![],
    )])
}

/// A zone of the demo park and how its parcels are laid out.
struct ZonePlan {
    code: &'static str,
    name: &'static str,
    /// 地籍子区 number used in the parcel codes.
    subdistrict: u32,
    industries: &'static [&'static str],
    intensity: Option<f64>,
    description: &'static str,
    bounds: (f64, f64, f64, f64),
    roads: [&'static str; 2],
}

const ZONES: [ZonePlan; 3] = [
    ZonePlan {
        code: "WEST",
        name: "西片区",
        subdistrict: 1,
        industries: &["C39", "C38"],
        intensity: Some(250.0),
        description: "电子信息与光电产业集聚区",
        bounds: (116.6175, 27.5475, 116.6345, 27.5725),
        roads: ["光电路", "科技大道"],
    },
    ZonePlan {
        code: "EAST",
        name: "东片区",
        subdistrict: 2,
        industries: &["C34", "C35", "C38"],
        intensity: None,
        description: "机械装备与电气制造区",
        bounds: (116.6385, 27.5585, 116.6575, 27.5725),
        roads: ["工业大道", "迎宾大道"],
    },
    ZonePlan {
        code: "JINSHAN",
        name: "金山片区",
        subdistrict: 3,
        industries: &["C27", "C14"],
        intensity: Some(200.0),
        description: "生物医药与食品加工区（飞地园区）",
        bounds: (116.6385, 27.5475, 116.6575, 27.5555),
        roads: ["金山路", "盱江路"],
    },
];

/// Road width between blocks and parcel sizes, in degrees (≈ 30 m; 160–270 m wide, 190–240 m deep).
const ROAD: f64 = 0.0003;
const ROW_HEIGHT: (f64, f64) = (0.0019, 0.0024);
const PARCEL_WIDTH: (f64, f64) = (0.0016, 0.0027);

/// The whole demo: the park, its zones, and each parcel with its zone's code.
pub struct Demo {
    pub park: ParkDraft,
    pub zones: Vec<ZoneDraft>,
    pub parcels: Vec<(String, RawParcel, MultiPolygon<f64>)>,
}

/// How large a demo to build: the demo park as it is, or a generated large park for measuring
/// the map and the reports at scale (`parkland demo --parcels 50000`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Size {
    /// The zones and the park spread out from the park's south-west corner by this factor.
    spread: f64,
    /// Parcels, their rows and the roads between them shrink by this factor.
    shrink: f64,
}

impl Size {
    pub const DEMO: Size = Size {
        spread: 1.0,
        shrink: 1.0,
    };
    /// The parcels of the demo at its own size.
    const DEMO_PARCELS: f64 = 143.0;
    /// A large park's plots are a third of the demo's across (about 0.5 ha, 7 亩: small plots
    /// for 标准地 and 小微企业园), so 50,000 of them fit a park of ~550 km² (within a park's
    /// 5,000 km² limit).
    const LARGE_SHRINK: f64 = 3.0;

    /// A park of about `parcels` parcels (at least 2,000).
    pub fn about(parcels: usize) -> Result<Size, String> {
        if !(2_000..=500_000).contains(&parcels) {
            return Err(format!(
                "a generated park has 2,000 to 500,000 parcels, not {parcels}"
            ));
        }
        let per_demo = Self::DEMO_PARCELS * Self::LARGE_SHRINK * Self::LARGE_SHRINK;
        Ok(Size {
            spread: (parcels as f64 / per_demo).sqrt(),
            shrink: Self::LARGE_SHRINK,
        })
    }

    /// A point of the demo's layout moved out from the park's corner.
    fn at(&self, (x, y): (f64, f64)) -> (f64, f64) {
        let (x0, y0) = ORIGIN;
        (x0 + (x - x0) * self.spread, y0 + (y - y0) * self.spread)
    }
}

/// The demo park's south-west corner, from which a larger park spreads.
const ORIGIN: (f64, f64) = (116.6147, 27.5445);

fn park_boundary(size: Size) -> MultiPolygon<f64> {
    // A little irregular, as real park boundaries are: it follows roads and the river.
    let points: Vec<(f64, f64)> = [
        (116.6150, 27.5450),
        (116.6380, 27.5445),
        (116.6600, 27.5452),
        (116.6605, 27.5600),
        (116.6598, 27.5750),
        (116.6380, 27.5756),
        (116.6152, 27.5748),
        (116.6147, 27.5600),
    ]
    .into_iter()
    .map(|p| size.at(p))
    .collect();
    MultiPolygon(vec![Polygon::new(ring(&points), vec![])])
}

pub fn build(size: Size) -> Result<Demo, String> {
    let footprint = |mp: MultiPolygon<f64>, limits| {
        Footprint::new("geometry", mp, limits).map_err(|e| e.to_string())
    };
    let codes = |list: &[&str]| {
        list.iter()
            .map(|c| IndustryCode::parse("industries", c).map_err(|e| e.to_string()))
            .collect::<Result<Vec<_>, _>>()
    };
    let park = ParkDraft {
        code: Code::parse("code", PARK_CODE).map_err(|e| e.to_string())?,
        name: "南城县工业园区".into(),
        admin_code: Some(
            AdminDivisionCode::parse("admin_code", "361021").map_err(|e| e.to_string())?,
        ),
        description: "省级工业园区。主导产业：电子信息、机械装备、生物医药与食品加工。".into(),
        industries: codes(&["C39", "C38", "C34", "C35", "C27", "C14"])?,
        settings: SettingsOverrides {
            min_investment_intensity_wan_per_mu: Some(150.0),
            // The county reviews 标准地 two years after production (达产复核).
            capacity_review_years: Some(2),
            ..Default::default()
        },
        boundary: footprint(park_boundary(size), AreaLimits::PARK)?,
    };
    let mut rng = Rng(20_261_122);
    let mut zones = Vec::new();
    let mut parcels = Vec::new();
    let (road, row_height, parcel_width) = (
        ROAD / size.shrink,
        (ROW_HEIGHT.0 / size.shrink, ROW_HEIGHT.1 / size.shrink),
        (PARCEL_WIDTH.0 / size.shrink, PARCEL_WIDTH.1 / size.shrink),
    );
    for plan in &ZONES {
        let (b0, b1) = (
            size.at((plan.bounds.0, plan.bounds.1)),
            size.at((plan.bounds.2, plan.bounds.3)),
        );
        let (x0, y0, x1, y1) = (b0.0, b0.1, b1.0, b1.1);
        zones.push(ZoneDraft {
            code: Code::parse("code", plan.code).map_err(|e| e.to_string())?,
            name: plan.name.into(),
            description: plan.description.into(),
            industries: Some(codes(plan.industries)?),
            settings: SettingsOverrides {
                min_investment_intensity_wan_per_mu: plan.intensity,
                ..Default::default()
            },
            boundary: footprint(rect(x0, y0, x1, y1), AreaLimits::PARK)?,
        });
        let mut seq = 0;
        let mut y = y0 + road;
        let mut row = 0u32;
        while y + row_height.0 <= y1 - road {
            let top = (y + rng.range(row_height.0, row_height.1)).min(y1 - road);
            // Cut lines across the row: (x at the bottom, x at the top); some are slanted.
            let mut cuts = vec![(x0 + road, x0 + road)];
            loop {
                let (last_bottom, last_top) = *cuts.last().unwrap_or(&(x0, x0));
                let width = rng.range(parcel_width.0, parcel_width.1);
                let slant = if rng.unit() < 0.35 {
                    rng.range(-0.0004, 0.0004) / size.shrink
                } else {
                    0.0
                };
                let (b, t) = (last_bottom + width + slant, last_top + width - slant);
                if b.max(t) > x1 - road - parcel_width.0 * 0.6 {
                    cuts.push((x1 - road, x1 - road));
                    break;
                }
                cuts.push((b, t));
            }
            for (col, pair) in cuts.windows(2).enumerate() {
                let ((lb, lt), (rb, rt)) = (pair[0], pair[1]);
                let geometry = MultiPolygon(vec![Polygon::new(
                    ring(&[(lb, y), (rb, y), (rt, top), (lt, top)]),
                    vec![],
                )]);
                seq += 1;
                let raw = attributes(plan, row, col, seq, &mut rng);
                parcels.push((plan.code.to_owned(), raw, geometry));
            }
            y = top + road;
            row += 1;
        }
    }
    Ok(Demo {
        park,
        zones,
        parcels,
    })
}

/// A row's letters as on a park's plan: A … Z, then AA, AB … (a large park has hundreds).
fn row_label(row: u32) -> String {
    let mut n = row;
    let mut label = Vec::new();
    loop {
        label.push(char::from(b'A' + (n % 26) as u8));
        if n < 26 {
            break;
        }
        n = n / 26 - 1;
    }
    label.iter().rev().collect()
}

/// Land use, status, planning conditions and infrastructure of one demo parcel.
fn attributes(plan: &ZonePlan, row: u32, col: usize, seq: u32, rng: &mut Rng) -> RawParcel {
    let roll = rng.unit();
    let (land_use, far, density, green, height) = match roll {
        r if r < 0.62 => ("100101", (1.0, 2.5), (40.0, 60.0), (None, Some(15.0)), 24.0),
        r if r < 0.80 => ("100102", (1.0, 2.0), (35.0, 55.0), (None, Some(15.0)), 30.0),
        r if r < 0.90 => ("110101", (0.8, 2.0), (35.0, 60.0), (None, Some(15.0)), 24.0),
        r if r < 0.95 => ("0901", (1.2, 3.5), (25.0, 40.0), (Some(25.0), None), 60.0),
        r if r < 0.98 => ("1303", (0.3, 1.0), (20.0, 40.0), (Some(20.0), None), 15.0),
        _ => ("1401", (0.0, 0.1), (0.0, 5.0), (Some(70.0), None), 8.0),
    };
    let s = rng.unit();
    let status = match s {
        s if s < 0.45 => ParcelStatus::Supplied,
        s if s < 0.70 => ParcelStatus::Available,
        s if s < 0.90 => ParcelStatus::Reserve,
        _ => ParcelStatus::Reserved,
    };
    let all = [
        "water_supply",
        "drainage",
        "power",
        "telecom",
        "road",
        "gas",
        "heat",
    ];
    let ready = match status {
        ParcelStatus::Reserve => 2 + (rng.unit() * 3.0) as usize,
        _ => 5 + (rng.unit() * 3.0) as usize,
    };
    let row_letter = row_label(row);
    let road = plan.roads[col % 2];
    RawParcel {
        code: format!("361021001{:03}GB{:05}", plan.subdistrict, seq),
        zone_id: None,
        name: Some(format!("{}{row_letter}-{:02}地块", plan.name, col + 1)),
        location: Some(format!(
            "南城县工业园区{}，{road}{}侧",
            plan.name,
            if row % 2 == 0 { "北" } else { "南" }
        )),
        land_use: land_use.into(),
        status: Some(status),
        planning: PlanningConditions {
            far_min: (far.0 > 0.0).then_some(far.0),
            far_max: Some(far.1),
            building_density_min_pct: (density.0 > 0.0).then_some(density.0),
            building_density_max_pct: Some(density.1),
            green_ratio_min_pct: green.0,
            green_ratio_max_pct: green.1,
            height_max_m: Some(height),
        },
        infrastructure: all[..ready.min(all.len())]
            .iter()
            .map(|s| (*s).to_owned())
            .collect(),
        site_levelled: Some(status != ParcelStatus::Reserve),
        // Land the bank has made available has been cleared (净地); reserve land not yet.
        clearances: if status == ParcelStatus::Reserve {
            Vec::new()
        } else {
            ["rights_clear", "resettled", "undisputed"]
                .map(String::from)
                .to_vec()
        },
        approval_no: None,
        approved_on: None,
    }
}

/// What loading the demo created.
#[derive(Debug)]
pub struct Loaded {
    pub park_id: i64,
    pub zones: usize,
    pub parcels: usize,
    /// Supply contracts recorded for the supplied parcels.
    pub supplies: usize,
    /// Standard workshops built.
    pub workshops: usize,
    /// Investment projects in the pipeline.
    pub projects: usize,
    /// Enterprises with last year's 亩均 figures.
    pub rated: usize,
}

/// Load the demo park; refuses if a park with its code already exists.
pub fn load(
    conn: &mut AnyConnection,
    size: Size,
    stamp: &Stamp,
    progress: Progress<'_>,
) -> StoreResult<Loaded> {
    let mut demo = build(size).map_err(StoreError::Corrupt)?;
    land_supply::approvals(&mut demo.parcels, stamp.at.date());
    if store::parks::list(conn)?
        .iter()
        .any(|p| p.code == PARK_CODE)
    {
        return Err(StoreError::Conflict(
            format!("the demo park {PARK_CODE} is already loaded").into(),
        ));
    }
    let park = ops::places::create_park(conn, demo.park, stamp)?;
    let zone_count = demo.zones.len();
    for zone in demo.zones {
        ops::places::create_zone(conn, park.id, zone, stamp)?;
    }
    let features = demo.parcels.len();
    let items = demo
        .parcels
        .into_iter()
        .enumerate()
        .map(|(i, (zone, raw, geometry))| {
            let footprint = Footprint::new("geometry", geometry, AreaLimits::PARCEL)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?;
            let draft = ParcelDraft::from_raw(raw, footprint, "")
                .map_err(|e| StoreError::Corrupt(format!("{e:?}")))?;
            Ok(ImportItem {
                feature: i + 1,
                draft,
                zone: Some(zone),
                declared_area_m2: None,
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;
    let request = ImportRequest {
        park_id: park.id,
        items,
        rejected: Vec::new(),
        features,
        crs: "EPSG:4490".into(),
        encoding: None,
        dry_run: false,
    };
    let report = crate::ops::import::import(conn, request, stamp, progress)?;
    if !report.rejected.is_empty() {
        return Err(StoreError::Corrupt(format!(
            "the demo parcels were refused: {:?}",
            report.rejected
        )));
    }
    let supplies = land_supply::load(conn, park.id, stamp)?;
    let workshops = workshops::load(conn, park.id, stamp)?;
    let projects = projects::load(conn, park.id, stamp)?;
    let rated = performance::load(conn, park.id, stamp)?;
    Ok(Loaded {
        park_id: park.id,
        zones: zone_count,
        parcels: report.created,
        supplies,
        workshops,
        projects,
        rated,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spatial::measure;

    #[test]
    fn about_150_parcels_that_tile_without_overlaps() {
        let demo = build(Size::DEMO).unwrap();
        let n = demo.parcels.len();
        assert!((130..=180).contains(&n), "{n} parcels");
        let geoms: Vec<_> = demo.parcels.iter().map(|p| &p.2).collect();
        for i in 0..n {
            Footprint::new("g", geoms[i].clone(), AreaLimits::PARCEL).unwrap();
            for j in i + 1..n {
                assert!(
                    measure::overlap_m2(geoms[i], geoms[j]) < 0.01,
                    "parcels {i} and {j} overlap"
                );
            }
        }
        let mut codes: Vec<_> = demo.parcels.iter().map(|p| p.1.code.clone()).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), n, "codes are unique");
        assert!(codes[0].starts_with("361021001001GB"), "{}", codes[0]);
        let supplied = demo
            .parcels
            .iter()
            .filter(|p| p.1.status == Some(ParcelStatus::Supplied))
            .count();
        let available = demo
            .parcels
            .iter()
            .filter(|p| p.1.status == Some(ParcelStatus::Available))
            .count();
        assert!(
            supplied > n / 4 && available > n / 8,
            "varied statuses: {supplied} supplied, {available} available"
        );
    }

    #[test]
    fn rows_are_lettered_as_on_a_plan() {
        let labels: Vec<String> = [0, 1, 25, 26, 27, 51, 52, 701, 702].map(row_label).into();
        assert_eq!(labels, ["A", "B", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA"]);
    }

    #[test]
    fn a_large_park_has_about_the_parcels_asked_for() {
        let demo = build(Size::about(20_000).unwrap()).unwrap();
        let n = demo.parcels.len();
        assert!((17_000..=23_000).contains(&n), "{n} parcels");
        let mut codes: Vec<_> = demo.parcels.iter().map(|p| p.1.code.clone()).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), n, "codes are unique");
        // Every parcel lies inside its zone, and every zone inside the park.
        let park = &demo.park.boundary;
        for z in &demo.zones {
            assert!(
                measure::overlap_m2(park.geometry(), z.boundary.geometry())
                    > 0.99 * z.boundary.area_m2()
            );
        }
        assert!(Size::about(100).is_err() && Size::about(10_000_000).is_err());
    }

    #[test]
    fn the_same_park_every_time() {
        let a = build(Size::DEMO).unwrap();
        let b = build(Size::DEMO).unwrap();
        assert_eq!(a.parcels.len(), b.parcels.len());
        assert_eq!(a.parcels[17].2, b.parcels[17].2);
    }
}
