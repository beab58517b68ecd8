//! What the API returns about workshops: the building, its construction plan with the deadline
//! status on a day, percent complete and occupancy — flat properties, so QGIS and the
//! dashboard colour buildings by `deadline_status` or `occupancy_pct`.

use crate::domain::units::round_to;
use crate::domain::workshop::{
    DeadlineStatus, Milestone, Owner, Structure, deadline_status, occupancy, percent_complete,
    vacancy,
};
use crate::store::estate::Building;
use crate::views::utc;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

/// A workshop's properties on a day.
#[derive(Serialize, ToSchema)]
pub struct WorkshopProperties {
    pub park_id: i64,
    pub park_name: String,
    pub zone_id: Option<i64>,
    pub zone_name: Option<String>,
    pub parcel_id: i64,
    pub name: String,
    /// Geodesic area of the footprint, m².
    pub footprint_area_m2: f64,
    pub storeys: i32,
    pub storey_heights_m: Vec<f64>,
    /// Gross floor area (建筑面积), m².
    pub floor_area_m2: f64,
    /// 楼面荷载, kN/m².
    pub floor_load_kn_m2: f64,
    pub structure: Structure,
    pub structure_name: &'static str,
    /// `platform` (the park's platform company) or `enterprise`.
    pub owner_kind: &'static str,
    pub owner_enterprise_id: Option<i64>,
    pub owner_name: String,
    pub responsible_unit: String,
    pub responsible_person: String,
    /// The committed deadline, and the milestone it is for.
    pub deadline: NaiveDate,
    pub deadline_milestone: Milestone,
    pub approval_planned: Option<NaiveDate>,
    pub approval_actual: Option<NaiveDate>,
    pub start_planned: Option<NaiveDate>,
    pub start_actual: Option<NaiveDate>,
    pub topping_out_planned: Option<NaiveDate>,
    pub topping_out_actual: Option<NaiveDate>,
    pub completion_planned: Option<NaiveDate>,
    pub completion_actual: Option<NaiveDate>,
    pub acceptance_planned: Option<NaiveDate>,
    pub acceptance_actual: Option<NaiveDate>,
    pub handover_planned: Option<NaiveDate>,
    pub handover_actual: Option<NaiveDate>,
    /// The day the status, progress and occupancy are for.
    pub as_of: NaiveDate,
    pub deadline_status: DeadlineStatus,
    /// e.g. 有逾期风险.
    pub deadline_status_name: &'static str,
    pub days_left: Option<i64>,
    pub days_late: Option<i64>,
    /// Milestones before the deadline's still missing on `as_of`.
    pub missing_milestones: Vec<Milestone>,
    /// The last milestone reached, e.g. `topping_out`.
    pub reached_milestone: Option<Milestone>,
    pub percent_complete: f64,
    pub units: usize,
    /// Area divided into units, and of it leased on `as_of`, m².
    pub unit_area_m2: f64,
    pub leased_area_m2: f64,
    /// Leased ÷ unit area, percent (`null` before the building is divided).
    pub occupancy_pct: Option<f64>,
    /// Completed units unleased longer than the park's limit, and their area.
    pub idle_units: usize,
    pub idle_area_m2: f64,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
    pub updated_at: DateTime<Utc>,
    pub updated_by: String,
}

impl WorkshopProperties {
    pub fn of(b: &Building, as_of: NaiveDate) -> Self {
        let w = &b.workshop;
        let v = deadline_status(
            &w.plan,
            w.deadline,
            w.deadline_milestone,
            b.settings.workshop_at_risk_days,
            as_of,
        );
        let (leased, total) = occupancy(&b.units, as_of);
        let limit = i64::from(b.settings.idle_unit_days);
        let idle: Vec<f64> = b
            .units
            .iter()
            .filter(|(_, leases)| vacancy(&w.plan, leases, as_of).is_some_and(|v| v.days > limit))
            .map(|(u, _)| u.area_m2)
            .collect();
        let p = |m: Milestone| w.plan[m.index()];
        let (owner_kind, owner_enterprise_id) = match &w.owner {
            Owner::Platform(_) => ("platform", None),
            Owner::Enterprise(id) => ("enterprise", Some(*id)),
        };
        Self {
            park_id: w.park_id,
            park_name: b.park_name.clone(),
            zone_id: w.zone_id,
            zone_name: b.zone_name.clone(),
            parcel_id: w.parcel_id,
            name: w.name.clone(),
            footprint_area_m2: round_to(w.footprint_area_m2, 2),
            storeys: w.storeys,
            storey_heights_m: w.storey_heights_m.clone(),
            floor_area_m2: w.floor_area_m2,
            floor_load_kn_m2: w.floor_load_kn_m2,
            structure: w.structure,
            structure_name: w.structure.label_zh(),
            owner_kind,
            owner_enterprise_id,
            owner_name: b.owner_name.clone(),
            responsible_unit: w.responsible_unit.clone(),
            responsible_person: w.responsible_person.clone(),
            deadline: w.deadline,
            deadline_milestone: w.deadline_milestone,
            approval_planned: p(Milestone::Approval).planned,
            approval_actual: p(Milestone::Approval).actual,
            start_planned: p(Milestone::Start).planned,
            start_actual: p(Milestone::Start).actual,
            topping_out_planned: p(Milestone::ToppingOut).planned,
            topping_out_actual: p(Milestone::ToppingOut).actual,
            completion_planned: p(Milestone::Completion).planned,
            completion_actual: p(Milestone::Completion).actual,
            acceptance_planned: p(Milestone::Acceptance).planned,
            acceptance_actual: p(Milestone::Acceptance).actual,
            handover_planned: p(Milestone::Handover).planned,
            handover_actual: p(Milestone::Handover).actual,
            as_of,
            deadline_status: v.status,
            deadline_status_name: v.status.label_zh(),
            days_left: v.days_left,
            days_late: v.days_late,
            missing_milestones: v.missing,
            reached_milestone: v.reached,
            percent_complete: percent_complete(&w.plan, &b.progress, as_of),
            units: b.units.len(),
            unit_area_m2: round_to(total, 2),
            leased_area_m2: round_to(leased, 2),
            occupancy_pct: (total > 0.0).then(|| round_to(leased / total * 100.0, 2)),
            idle_units: idle.len(),
            idle_area_m2: round_to(idle.iter().sum(), 2),
            version: w.version,
            created_at: utc(w.created.at),
            created_by: w.created.by.clone(),
            updated_at: utc(w.updated.at),
            updated_by: w.updated.by.clone(),
        }
    }
}
