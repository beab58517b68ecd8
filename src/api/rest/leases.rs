//! `/api/workshops/{workshop_id}/units`, `/api/units/{unit_id}/leases` and `/api/leases`:
//! dividing a workshop into units and leasing them. Overlapping leases of a unit are refused
//! (409), also when two requests race.

use crate::api::http::access::{Need, Of, authorize};
use crate::api::http::extract::JsonBody;
use crate::api::http::input::check;
use crate::api::http::params::{AsOf, Params};
use crate::api::{AppState, json_response};
use crate::domain::FieldError;
use crate::domain::access::Caller;
use crate::domain::codes::parse_text;
use crate::domain::workshop::{Lease, rent_fen, vacancy};
use crate::error::{ApiError, ReadProblems, WriteProblems};
use crate::ops;
use crate::store;
use crate::views::utc;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa::ToSchema;

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(create_unit)
        .service(list_units)
        .service(create_lease)
        .service(list_leases)
        .service(end_lease);
}

const JSON: &str = "application/json";

#[derive(Serialize, ToSchema)]
pub struct LeaseView {
    pub id: i64,
    pub unit_id: i64,
    pub enterprise_id: i64,
    pub enterprise_name: String,
    pub start_date: NaiveDate,
    /// The last day (included).
    pub end_date: NaiveDate,
    /// 元 per m² per month (exact to the 分).
    pub rent_yuan_per_m2_month: f64,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
}

impl LeaseView {
    fn of(l: &Lease, names: &HashMap<i64, String>) -> Self {
        Self {
            id: l.id,
            unit_id: l.unit_id,
            enterprise_id: l.enterprise_id,
            enterprise_name: names.get(&l.enterprise_id).cloned().unwrap_or_default(),
            start_date: l.start,
            end_date: l.end,
            rent_yuan_per_m2_month: l.rent_fen_per_m2_month as f64 / 100.0,
            created_at: utc(l.created.at),
            created_by: l.created.by.clone(),
        }
    }
}

/// A unit with its lease on the day asked (the committee's view: tenants and rents).
#[derive(Serialize, ToSchema)]
pub struct UnitView {
    pub id: i64,
    pub workshop_id: i64,
    pub floor: i32,
    pub section: String,
    pub area_m2: f64,
    /// The height of its storey, m.
    pub storey_height_m: Option<f64>,
    pub floor_load_kn_m2: f64,
    pub as_of: NaiveDate,
    /// The lease in force on `as_of`.
    pub lease: Option<LeaseView>,
    /// Empty on `as_of` in a completed building: since when, and for how many days.
    pub vacant_since: Option<NaiveDate>,
    pub vacant_days: Option<i64>,
    /// Vacant longer than the park's limit (不能让建成的厂房闲置).
    pub idle: bool,
    /// Every lease of the unit, by start.
    pub leases: Vec<LeaseView>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnitIn {
    /// 1 is the ground floor.
    pub floor: i32,
    /// e.g. A区; "" for the whole floor.
    pub section: Option<String>,
    pub area_m2: f64,
}

/// Divide a workshop into a unit (a floor, or a section of one).
#[utoipa::path(
    tag = "workshops",
    operation_id = "create_workshop_unit",
    params(("workshop_id" = i64, Path, description = "Workshop id")),
    request_body = UnitIn,
    responses((status = 201, body = UnitView), WriteProblems)
)]
#[post("/api/workshops/{workshop_id}/units")]
pub async fn create_unit(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    caller: Caller,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    authorize(&state, &caller, Of::Workshop(id), Need::WriteOperations).await?;
    let body: UnitIn = body.parse()?;
    let mut e = Vec::new();
    let section = check(
        &mut e,
        parse_text("section", body.section.as_deref().unwrap_or(""), 50),
    );
    if !(body.area_m2.is_finite() && body.area_m2 > 0.0 && body.area_m2 <= 1_000_000.0) {
        e.push(
            FieldError::new(
                "area_m2",
                format!(
                    "a unit is above 0 and at most 1,000,000 m², got {}",
                    body.area_m2
                ),
            )
            .zh(format!(
                "单元面积须大于 0 且不超过 1,000,000 m²，收到 {}",
                body.area_m2
            )),
        );
    }
    let Some(section) = section.filter(|_| e.is_empty()) else {
        return Err(e.into());
    };
    let stamp = state.stamp(&caller);
    let unit = state
        .run(move |c| ops::estate::create_unit(c, id, body.floor, section, body.area_m2, &stamp))
        .await?;
    let mut views = unit_views(&state, id, state.today()).await?;
    let view = views
        .remove(&unit.id)
        .ok_or_else(|| ApiError::internal(&"the new unit vanished"))?;
    json_response(StatusCode::CREATED, JSON, &view)
}

/// The units of a workshop with their leases on a day, by id.
async fn unit_views(
    state: &AppState,
    workshop_id: i64,
    as_of: NaiveDate,
) -> Result<HashMap<i64, UnitView>, ApiError> {
    let b = state
        .run(move |c| ops::estate::building(c, workshop_id))
        .await?;
    let ids: Vec<i64> = b
        .units
        .iter()
        .flat_map(|(_, ls)| ls.iter().map(|l| l.enterprise_id))
        .collect();
    let names = state
        .run(move |c| store::enterprises::names(c, &ids))
        .await?;
    let limit = i64::from(b.settings.idle_unit_days);
    Ok(b.units
        .iter()
        .map(|(u, leases)| {
            let v = vacancy(&b.workshop.plan, leases, as_of);
            let view = UnitView {
                id: u.id,
                workshop_id: u.workshop_id,
                floor: u.floor,
                section: u.section.clone(),
                area_m2: u.area_m2,
                storey_height_m: usize::try_from(u.floor - 1)
                    .ok()
                    .and_then(|i| b.workshop.storey_heights_m.get(i))
                    .copied(),
                floor_load_kn_m2: b.workshop.floor_load_kn_m2,
                as_of,
                lease: leases
                    .iter()
                    .find(|l| l.covers(as_of))
                    .map(|l| LeaseView::of(l, &names)),
                vacant_since: v.map(|v| v.since),
                vacant_days: v.map(|v| v.days),
                idle: v.is_some_and(|v| v.days > limit),
                leases: leases.iter().map(|l| LeaseView::of(l, &names)).collect(),
            };
            (u.id, view)
        })
        .collect())
}

/// A workshop's units with tenants, rents and vacancy on `as_of` (default today).
#[utoipa::path(
    tag = "workshops",
    operation_id = "list_workshop_units",
    params(("workshop_id" = i64, Path, description = "Workshop id"), AsOf),
    responses((status = 200, body = Vec<UnitView>), ReadProblems)
)]
#[get("/api/workshops/{workshop_id}/units")]
pub async fn list_units(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    caller: Caller,
    params: Params<AsOf>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    authorize(&state, &caller, Of::Workshop(id), Need::ReadRegister).await?;
    let as_of = params.read()?.as_of.unwrap_or_else(|| state.today());
    let mut views: Vec<UnitView> = unit_views(&state, id, as_of).await?.into_values().collect();
    views.sort_by(|a, b| (a.floor, &a.section, a.id).cmp(&(b.floor, &b.section, b.id)));
    json_response(StatusCode::OK, JSON, &views)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LeaseIn {
    /// The tenant.
    pub enterprise_id: i64,
    pub start_date: NaiveDate,
    /// The last day of the lease (included).
    pub end_date: NaiveDate,
    /// 元 per m² per month, at most two decimals (e.g. 12.5).
    pub rent_yuan_per_m2_month: f64,
}

/// Lease a unit. A lease sharing a day with another lease of the unit is refused (409).
#[utoipa::path(
    tag = "workshops",
    operation_id = "create_lease",
    params(("unit_id" = i64, Path, description = "Unit id")),
    request_body = LeaseIn,
    responses((status = 201, body = LeaseView), WriteProblems)
)]
#[post("/api/units/{unit_id}/leases")]
pub async fn create_lease(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    caller: Caller,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let unit_id = path.into_inner();
    authorize(&state, &caller, Of::Unit(unit_id), Need::WriteOperations).await?;
    let b: LeaseIn = body.parse()?;
    let mut e = Vec::new();
    let rent = check(
        &mut e,
        rent_fen("rent_yuan_per_m2_month", b.rent_yuan_per_m2_month),
    );
    if b.end_date < b.start_date {
        e.push(
            FieldError::new(
                "end_date",
                format!(
                    "the lease ends on {} before it starts on {}",
                    b.end_date, b.start_date
                ),
            )
            .zh(format!(
                "租约结束日 {} 早于起租日 {}",
                b.end_date, b.start_date
            )),
        );
    } else if b.end_date > crate::domain::supply::anniversary(b.start_date, 30) {
        e.push(
            FieldError::new(
                "end_date",
                "a lease of a workshop unit runs at most 30 years",
            )
            .zh("厂房单元的租期最长 30 年"),
        );
    }
    let Some(rent) = rent.filter(|_| e.is_empty()) else {
        return Err(e.into());
    };
    let stamp = state.stamp(&caller);
    let (lease, names) = state
        .run(move |c| {
            let lease = ops::estate::create_lease(
                c,
                unit_id,
                b.enterprise_id,
                b.start_date,
                b.end_date,
                rent,
                &stamp,
            )?;
            Ok((lease, store::enterprises::names(c, &[b.enterprise_id])?))
        })
        .await?;
    json_response(StatusCode::CREATED, JSON, &LeaseView::of(&lease, &names))
}

/// The leases of a unit, by start.
#[utoipa::path(
    tag = "workshops",
    operation_id = "list_leases",
    params(("unit_id" = i64, Path, description = "Unit id")),
    responses((status = 200, body = Vec<LeaseView>), ReadProblems)
)]
#[get("/api/units/{unit_id}/leases")]
pub async fn list_leases(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let unit_id = path.into_inner();
    authorize(&state, &caller, Of::Unit(unit_id), Need::ReadRegister).await?;
    let (leases, names) = state
        .run(move |c| {
            let leases = store::leases::leases_of(c, &[unit_id])?;
            let ids: Vec<i64> = leases.iter().map(|l| l.enterprise_id).collect();
            Ok((leases, store::enterprises::names(c, &ids)?))
        })
        .await?;
    json_response(
        StatusCode::OK,
        JSON,
        &leases
            .iter()
            .map(|l| LeaseView::of(l, &names))
            .collect::<Vec<_>>(),
    )
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndLeaseIn {
    /// The new last day of the lease (a day within it).
    pub last_day: NaiveDate,
}

/// End a lease early (退租): its last day becomes `last_day`.
#[utoipa::path(
    tag = "workshops",
    operation_id = "end_lease",
    params(("lease_id" = i64, Path, description = "Lease id")),
    request_body = EndLeaseIn,
    responses((status = 200, body = LeaseView), WriteProblems)
)]
#[post("/api/leases/{lease_id}/end")]
pub async fn end_lease(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    caller: Caller,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    authorize(&state, &caller, Of::Lease(id), Need::WriteOperations).await?;
    let b: EndLeaseIn = body.parse()?;
    let stamp = state.stamp(&caller);
    let (lease, names) = state
        .run(move |c| {
            let lease = ops::estate::end_lease(c, id, b.last_day, &stamp)?;
            Ok((
                lease.clone(),
                store::enterprises::names(c, &[lease.enterprise_id])?,
            ))
        })
        .await?;
    json_response(StatusCode::OK, JSON, &LeaseView::of(&lease, &names))
}
