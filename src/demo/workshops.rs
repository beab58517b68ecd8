//! The demo park's standard workshops: six buildings of the park's platform company in every
//! state of the deadline list (completed on time and late, on track, at risk, overdue, not
//! started), the finished ones divided into units and partly leased — one unit long empty.
//! Dates count back from the load date, like the land supply's.

use crate::domain::register::Stamp;
use crate::domain::workshop::{Milestone, MilestoneDates, Owner, Plan, Structure, WorkshopDraft};
use crate::ops;
use crate::spatial::{AreaLimits, Footprint};
use crate::store::{self, AnyConnection, StoreError, StoreResult};
use chrono::{Days, NaiveDate};
use geo::{BoundingRect, Contains, Coord, LineString, MultiPolygon, Polygon, Rect};

const PLATFORM: &str = "南城县工业园区投资发展有限公司";

/// (name, days from today to the deadline, milestones reached with days ago, units leased)
type Plan6 = (&'static str, i64, &'static [(Milestone, u64)], usize);

const BUILDINGS: &[Plan6] = &[
    (
        "标准厂房1号楼",
        -400,
        &[
            (Milestone::Approval, 900),
            (Milestone::Start, 820),
            (Milestone::ToppingOut, 620),
            (Milestone::Completion, 430),
            (Milestone::Acceptance, 410),
            (Milestone::Handover, 400),
        ],
        3,
    ),
    (
        "标准厂房2号楼",
        -200,
        &[
            (Milestone::Approval, 700),
            (Milestone::Start, 640),
            (Milestone::ToppingOut, 400),
            (Milestone::Completion, 180),
            (Milestone::Acceptance, 170),
        ],
        2,
    ),
    (
        "标准厂房3号楼",
        20,
        &[
            (Milestone::Approval, 400),
            (Milestone::Start, 330),
            (Milestone::ToppingOut, 90),
        ],
        0,
    ),
    (
        "标准厂房4号楼",
        25,
        &[(Milestone::Approval, 300), (Milestone::Start, 250)],
        0,
    ),
    (
        "标准厂房5号楼",
        -35,
        &[
            (Milestone::Approval, 420),
            (Milestone::Start, 380),
            (Milestone::ToppingOut, 150),
        ],
        0,
    ),
    ("标准厂房6号楼", 300, &[(Milestone::Approval, 30)], 0),
];

fn back(today: NaiveDate, days: u64) -> NaiveDate {
    today - Days::new(days)
}

/// A rectangle around the parcel's middle that lies inside it.
fn footprint_in(parcel: &MultiPolygon<f64>) -> Option<MultiPolygon<f64>> {
    let b: Rect<f64> = parcel.bounding_rect()?;
    let (cx, cy) = ((b.min().x + b.max().x) / 2.0, (b.min().y + b.max().y) / 2.0);
    let (mut hw, mut hh) = (b.width() * 0.16, b.height() * 0.16);
    for _ in 0..10 {
        let ring = LineString(vec![
            Coord {
                x: cx - hw,
                y: cy - hh,
            },
            Coord {
                x: cx + hw,
                y: cy - hh,
            },
            Coord {
                x: cx + hw,
                y: cy + hh,
            },
            Coord {
                x: cx - hw,
                y: cy + hh,
            },
            Coord {
                x: cx - hw,
                y: cy - hh,
            },
        ]);
        let rect = MultiPolygon(vec![Polygon::new(ring, vec![])]);
        if parcel.contains(&rect) {
            return Some(rect);
        }
        hw *= 0.8;
        hh *= 0.8;
    }
    None
}

/// Build the demo workshops on the first industrial parcels of the west zone; returns how many.
pub fn load(conn: &mut AnyConnection, park_id: i64, stamp: &Stamp) -> StoreResult<usize> {
    let today = stamp.at.date();
    let zones = store::zones::zones_of(conn, park_id)?;
    let west = zones.iter().find(|z| z.code == "WEST").map(|z| z.id);
    let query = store::parcels::ParcelQuery {
        park_id: Some(park_id),
        zone_id: west,
        land_use: Some("1001".into()),
        ..Default::default()
    };
    let parcels = store::parcels::all(conn, &query)?;
    let tenants: Vec<i64> = store::enterprises::list(conn, &Default::default(), 6, 0)?
        .0
        .iter()
        .map(|e| e.id)
        .collect();
    let mut built = 0;
    for ((name, deadline_in, reached, leased), parcel) in BUILDINGS.iter().zip(parcels.iter().rev())
    {
        let Some(shape) = footprint_in(&parcel.geometry) else {
            continue;
        };
        let footprint = Footprint::new("geometry", shape, AreaLimits::PARCEL)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let mut plan = Plan::default();
        for (m, ago) in *reached {
            plan[m.index()] = MilestoneDates {
                planned: Some(back(today, ago + 10)),
                actual: Some(back(today, *ago)),
            };
        }
        let deadline = if *deadline_in < 0 {
            back(today, deadline_in.unsigned_abs())
        } else {
            today + Days::new(*deadline_in as u64)
        };
        plan[Milestone::Completion.index()]
            .planned
            .get_or_insert(deadline - Days::new(15));
        let storeys = 4;
        let area = (footprint.area_m2() * f64::from(storeys) * 0.95 / 100.0).round() * 100.0;
        let draft = WorkshopDraft {
            name: (*name).into(),
            footprint,
            storeys,
            storey_heights_m: vec![7.5, 5.4, 5.4, 5.4],
            floor_area_m2: area,
            floor_load_kn_m2: 8.0,
            structure: Structure::ConcreteFrame,
            owner: Owner::Platform(PLATFORM.into()),
            responsible_unit: "园区建设发展局".into(),
            responsible_person: "刘建华".into(),
            deadline,
            deadline_milestone: Milestone::Completion,
            plan,
        };
        let w = ops::estate::create(conn, parcel.id, draft, stamp)?;
        if let Some((_, ago)) = reached.iter().find(|(m, _)| *m == Milestone::Start) {
            for (k, percent) in [25.0, 55.0, 80.0].iter().enumerate() {
                let day = back(today, ago.saturating_sub(60 * (k as u64 + 1)).max(1));
                if plan[Milestone::Completion.index()]
                    .actual
                    .is_none_or(|c| day < c)
                {
                    ops::estate::add_progress(conn, w.id, day, *percent, String::new(), stamp)?;
                }
            }
        }
        if plan[Milestone::Completion.index()].actual.is_some() {
            let floor_area = area / f64::from(storeys);
            for floor in 1..=storeys {
                let unit = ops::estate::create_unit(
                    conn,
                    w.id,
                    floor,
                    String::new(),
                    (floor_area / 10.0).floor() * 10.0,
                    stamp,
                )?;
                if (floor as usize) <= *leased {
                    let tenant = tenants[(w.id as usize + floor as usize) % tenants.len().max(1)];
                    let start = back(today, 300 - 20 * floor as u64);
                    ops::estate::create_lease(
                        conn,
                        unit.id,
                        tenant,
                        start,
                        start + Days::new(3 * 365),
                        1200 + 50 * i64::from(floor),
                        stamp,
                    )?;
                }
            }
        }
        built += 1;
    }
    Ok(built)
}
