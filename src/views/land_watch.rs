//! The land watch as it is read: idle land (闲置土地) and the five kinds of under-used land
//! (五未土地) on a day, item by item with their parcel, and their totals by status or class,
//! park and zone. Built from the store's watched parcels by pure functions; the REST lists, the
//! map layers and the dispatch report all use them, so their figures agree.

use crate::domain::capacity::{Review, ReviewStatus};
use crate::domain::idle_land::IdleStatus;
use crate::domain::penalty;
use crate::domain::underused::UnderusedClass;
use crate::domain::units::AreaM2;
use crate::domain::watch::Watched;
use crate::views::supply::IdleView;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;
use utoipa::ToSchema;

/// Where a flagged parcel is, and how big.
#[derive(Serialize, ToSchema)]
pub struct ParcelRef {
    pub parcel_id: i64,
    pub parcel_code: String,
    pub parcel_name: String,
    pub park_id: i64,
    pub park_name: String,
    pub zone_id: Option<i64>,
    pub zone_name: Option<String>,
    pub area_m2: f64,
    pub area_mu: f64,
    /// The supply in force on the day, and its holder.
    pub supply_id: Option<i64>,
    pub enterprise_id: Option<i64>,
    pub enterprise_name: Option<String>,
    pub contract_no: Option<String>,
    /// 出让或划拨价款, whole 元.
    pub land_price_yuan: Option<i64>,
    /// 标准地 达产复核: the day it falls (or fell) due, once the land produces.
    pub capacity_review_due: Option<NaiveDate>,
    /// Days the review has been due without being recorded (flagged on lists and layers).
    pub capacity_review_overdue_days: Option<i64>,
}

impl ParcelRef {
    fn of(w: &Watched) -> Self {
        let area = AreaM2(w.parcel.area_m2);
        let supply = w.supply.as_ref();
        Self {
            parcel_id: w.parcel.id,
            parcel_code: w.parcel.code.clone(),
            parcel_name: w.parcel.name.clone(),
            park_id: w.parcel.park_id,
            park_name: w.park_name.clone(),
            zone_id: w.parcel.zone_id,
            zone_name: w.zone_name.clone(),
            area_m2: area.m2_display(),
            area_mu: area.mu_display(),
            supply_id: supply.map(|(s, _, _)| s.id),
            enterprise_id: supply.map(|(s, _, _)| s.enterprise_id),
            enterprise_name: supply.map(|(_, _, n)| n.clone()),
            contract_no: supply.map(|(s, _, _)| s.contract_no.clone()),
            land_price_yuan: supply.map(|(s, _, _)| s.land_price_yuan),
            capacity_review_due: w.capacity.as_ref().map(Review::due),
            capacity_review_overdue_days: match &w.capacity {
                Some(Review::Overdue { days, .. }) => Some(*days),
                _ => None,
            },
        }
    }
}

/// A parcel on the idle-land clock.
#[derive(Serialize, ToSchema)]
pub struct IdleLandItem {
    #[serde(flatten)]
    pub parcel: ParcelRef,
    #[serde(flatten)]
    pub idle: IdleView,
    /// Contract penalties (违约金) for late start and completion owed on `as_of`, whole 元.
    pub penalty_yuan: Option<i64>,
    pub as_of: NaiveDate,
}

/// A parcel in one of the five classes of under-used land.
#[derive(Serialize, ToSchema)]
pub struct UnderusedItem {
    #[serde(flatten)]
    pub parcel: ParcelRef,
    pub class: UnderusedClass,
    /// e.g. 供而未用.
    pub class_name: &'static str,
    /// The day the parcel fell behind.
    pub since: NaiveDate,
    /// Days since the date the rule counts from.
    pub days_past: i64,
    /// The reason in words, e.g. "供而未用：约定动工开发日期 2023-03-01，未动工，已逾期 631 天".
    pub reason: String,
    /// The same in English, e.g. "供而未用: agreed start 2023-03-01, not started, 631 days past".
    pub reason_en: String,
    pub as_of: NaiveDate,
}

impl IdleLandItem {
    pub fn of(w: &Watched, as_of: NaiveDate) -> Option<Self> {
        let v = w.idle.as_ref()?;
        Some(Self {
            parcel: ParcelRef::of(w),
            idle: IdleView::from(v),
            penalty_yuan: w
                .supply
                .as_ref()
                .map(|(s, t, _)| penalty::assess(s, t, as_of).total_yuan),
            as_of,
        })
    }
}

impl UnderusedItem {
    pub fn of(w: &Watched, as_of: NaiveDate) -> Option<Self> {
        let f = w.underused.as_ref()?;
        Some(Self {
            parcel: ParcelRef::of(w),
            class: f.class,
            class_name: f.class.label_zh(),
            since: f.since,
            days_past: f.days_past,
            reason: f.reason.zh.clone(),
            reason_en: f.reason.en.clone(),
            as_of,
        })
    }
}

/// A parcel in production under a 标准地 contract, with its 达产复核.
#[derive(Serialize, ToSchema)]
pub struct CapacityReviewItem {
    #[serde(flatten)]
    pub parcel: ParcelRef,
    /// not_due, overdue, met or short: what the map colours.
    pub review_status: ReviewStatus,
    /// 未到期, 到期未复核, 复核达标, 复核未达标.
    pub review_status_name: &'static str,
    /// The day the review falls (or fell) due.
    pub due: NaiveDate,
    pub overdue_days: Option<i64>,
    pub reviewed_on: Option<NaiveDate>,
    /// The year of the 亩均 figures the review read.
    pub figures_year: Option<i32>,
    /// The indicators missed, e.g. "亩均税收 12 万元/亩 低于约定的 15（-20.0%）".
    pub missed: Vec<String>,
    /// The same in English, e.g. "亩均税收 12 万元/亩 below the agreed 15 (-20.0%)".
    pub missed_en: Vec<String>,
    /// 达产违约金 owed, whole 元.
    pub penalty_yuan: Option<i64>,
    pub as_of: NaiveDate,
}

impl CapacityReviewItem {
    pub fn of(w: &Watched, as_of: NaiveDate) -> Option<Self> {
        let r = w.capacity.as_ref()?;
        let status = r.status();
        let (reviewed_on, figures_year, penalty_yuan) = match r {
            Review::Done {
                date,
                year,
                penalty_yuan,
                ..
            } => (Some(*date), Some(*year), *penalty_yuan),
            _ => (None, None, None),
        };
        Some(Self {
            parcel: ParcelRef::of(w),
            review_status: status,
            review_status_name: status.label_zh(),
            due: r.due(),
            overdue_days: match r {
                Review::Overdue { days, .. } => Some(*days),
                _ => None,
            },
            reviewed_on,
            figures_year,
            missed: r.shortfalls().into_iter().map(|w| w.zh).collect(),
            missed_en: r.shortfalls().into_iter().map(|w| w.en).collect(),
            penalty_yuan,
            as_of,
        })
    }
}

/// The 达产复核 items of `watched` with one of `statuses` (all when `None`): overdue first,
/// longest overdue first, then short, not due and met.
pub fn capacity_items(
    watched: &[Arc<Watched>],
    statuses: Option<&[ReviewStatus]>,
    as_of: NaiveDate,
) -> Vec<CapacityReviewItem> {
    let mut items: Vec<CapacityReviewItem> = watched
        .iter()
        .filter_map(|w| CapacityReviewItem::of(w, as_of))
        .filter(|i| statuses.is_none_or(|s| s.contains(&i.review_status)))
        .collect();
    let rank = |s: ReviewStatus| match s {
        ReviewStatus::Overdue => 0,
        ReviewStatus::Short => 1,
        ReviewStatus::NotDue => 2,
        ReviewStatus::Met => 3,
    };
    items.sort_by_key(|i| {
        (
            rank(i.review_status),
            -i.overdue_days.unwrap_or(0),
            i.parcel.parcel_id,
        )
    });
    items
}

/// A count and an area.
#[derive(Serialize, ToSchema, Default, Clone)]
pub struct Tally {
    pub count: i64,
    pub area_m2: f64,
    pub area_mu: f64,
}

/// A count and an area for one class, park or zone.
#[derive(Serialize, ToSchema)]
pub struct GroupTally {
    /// The status or class key, or the park or zone id.
    pub key: String,
    pub name: String,
    pub count: i64,
    pub area_m2: f64,
    pub area_mu: f64,
}

/// Sums of m² kept exact until shown.
#[derive(Default)]
struct Sum {
    count: i64,
    m2: f64,
}

impl Sum {
    fn tally(&self) -> Tally {
        let a = AreaM2(self.m2);
        Tally {
            count: self.count,
            area_m2: a.m2_display(),
            area_mu: a.mu_display(),
        }
    }

    fn group(&self, key: String, name: String) -> GroupTally {
        let t = self.tally();
        GroupTally {
            key,
            name,
            count: t.count,
            area_m2: t.area_m2,
            area_mu: t.area_mu,
        }
    }
}

/// Totals of the flagged parcels: all, by park and by zone (parcels outside any zone under
/// key `none`), plus one group per `class` in the order given (zeros included).
fn totals<'a>(
    items: impl Iterator<Item = (&'a ParcelRef, &'a str)> + Clone,
    classes: &[(&str, &str)],
) -> (Tally, Vec<GroupTally>, Vec<GroupTally>, Vec<GroupTally>) {
    let mut all = Sum::default();
    let mut by_class: BTreeMap<&str, Sum> = BTreeMap::new();
    let mut by_park: BTreeMap<i64, (String, Sum)> = BTreeMap::new();
    let mut by_zone: BTreeMap<Option<i64>, (String, Sum)> = BTreeMap::new();
    for (p, class) in items {
        let m2 = p.area_m2;
        for s in [
            &mut all,
            by_class.entry(class).or_default(),
            &mut by_park
                .entry(p.park_id)
                .or_insert_with(|| (p.park_name.clone(), Sum::default()))
                .1,
            &mut by_zone
                .entry(p.zone_id)
                .or_insert_with(|| {
                    (
                        p.zone_name.clone().unwrap_or_else(|| "（片区外）".into()),
                        Sum::default(),
                    )
                })
                .1,
        ] {
            s.count += 1;
            s.m2 += m2;
        }
    }
    let classes = classes
        .iter()
        .map(|(key, name)| {
            by_class.get(key).map_or_else(
                || Sum::default().group((*key).into(), (*name).into()),
                |s| s.group((*key).into(), (*name).into()),
            )
        })
        .collect();
    let parks = by_park
        .into_iter()
        .map(|(id, (name, s))| s.group(id.to_string(), name))
        .collect();
    let zones = by_zone
        .into_iter()
        .map(|(id, (name, s))| s.group(id.map_or_else(|| "none".into(), |i| i.to_string()), name))
        .collect();
    (all.tally(), classes, parks, zones)
}

#[derive(Serialize, ToSchema)]
pub struct IdleTotals {
    pub all: Tally,
    /// Fees due on land idle by the holder's fault, whole 元.
    pub fees_yuan: i64,
    pub by_status: Vec<GroupTally>,
    pub by_park: Vec<GroupTally>,
    pub by_zone: Vec<GroupTally>,
}

#[derive(Serialize, ToSchema)]
pub struct IdleLandReport {
    pub as_of: NaiveDate,
    pub items: Vec<IdleLandItem>,
    pub totals: IdleTotals,
}

#[derive(Serialize, ToSchema)]
pub struct UnderusedTotals {
    pub all: Tally,
    /// All five classes, in life-cycle order, zeros included.
    pub by_class: Vec<GroupTally>,
    pub by_park: Vec<GroupTally>,
    pub by_zone: Vec<GroupTally>,
}

#[derive(Serialize, ToSchema)]
pub struct UnderusedReport {
    pub as_of: NaiveDate,
    pub items: Vec<UnderusedItem>,
    pub totals: UnderusedTotals,
    /// Land in production whose 达产复核 is due and not recorded, longest overdue first.
    pub capacity_reviews_overdue: Vec<ParcelRef>,
}

/// Idle items of `watched` with one of `statuses`: idle land longest idle first, then land
/// closest to becoming idle.
pub fn idle_items(
    watched: &[Arc<Watched>],
    statuses: &[IdleStatus],
    as_of: NaiveDate,
) -> Vec<IdleLandItem> {
    let mut items: Vec<IdleLandItem> = watched
        .iter()
        .filter_map(|w| IdleLandItem::of(w, as_of))
        .filter(|i| statuses.contains(&i.idle.idle_status))
        .collect();
    let rank = |s: IdleStatus| IdleStatus::ALL.iter().rev().position(|x| *x == s);
    items.sort_by_key(|i| {
        (
            rank(i.idle.idle_status),
            -i.idle.idle_days,
            i.idle.days_left,
            i.parcel.parcel_id,
        )
    });
    items
}

/// Under-used items of `watched` in `classes` (all when `None`), by class, longest behind first.
pub fn underused_items(
    watched: &[Arc<Watched>],
    classes: Option<&[UnderusedClass]>,
    as_of: NaiveDate,
) -> Vec<UnderusedItem> {
    let mut items: Vec<UnderusedItem> = watched
        .iter()
        .filter_map(|w| UnderusedItem::of(w, as_of))
        .filter(|i| classes.is_none_or(|c| c.contains(&i.class)))
        .collect();
    items.sort_by_key(|i| (i.class, -i.days_past, i.parcel.parcel_id));
    items
}

/// The idle-land report of watched parcels: the items with one of `statuses`, and their totals.
pub fn idle_land_report(
    watched: &[Arc<Watched>],
    statuses: &[IdleStatus],
    as_of: NaiveDate,
) -> IdleLandReport {
    let items = idle_items(watched, statuses, as_of);
    let status_keys: Vec<(&str, &str)> = statuses
        .iter()
        .map(|s| (s.as_str(), s.label_zh()))
        .collect();
    let (all, by_status, by_park, by_zone) = totals(
        items
            .iter()
            .map(|i| (&i.parcel, i.idle.idle_status.as_str())),
        &status_keys,
    );
    let fees_yuan = items
        .iter()
        .filter(|i| i.idle.idle_status == IdleStatus::Idle)
        .filter_map(|i| i.idle.fee_yuan)
        .sum();
    IdleLandReport {
        as_of,
        totals: IdleTotals {
            all,
            fees_yuan,
            by_status,
            by_park,
            by_zone,
        },
        items,
    }
}

/// The 五未 report of watched parcels: the items in `classes` (all when `None`), and totals.
pub fn underused_report(
    watched: &[Arc<Watched>],
    classes: Option<&[UnderusedClass]>,
    as_of: NaiveDate,
) -> UnderusedReport {
    let items = underused_items(watched, classes, as_of);
    let keys: Vec<(&str, &str)> = UnderusedClass::ALL
        .iter()
        .map(|c| (c.as_str(), c.label_zh()))
        .collect();
    let (all, by_class, by_park, by_zone) =
        totals(items.iter().map(|i| (&i.parcel, i.class.as_str())), &keys);
    let mut capacity_reviews_overdue: Vec<ParcelRef> = watched
        .iter()
        .filter(|w| matches!(w.capacity, Some(Review::Overdue { .. })))
        .map(|w| ParcelRef::of(w))
        .collect();
    capacity_reviews_overdue
        .sort_by_key(|p| (-p.capacity_review_overdue_days.unwrap_or(0), p.parcel_id));
    UnderusedReport {
        as_of,
        capacity_reviews_overdue,
        totals: UnderusedTotals {
            all,
            by_class,
            by_park,
            by_zone,
        },
        items,
    }
}
