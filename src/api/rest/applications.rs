//! `/api/applications`: an applicant applies for an available plot or a free workshop unit with
//! its project's figures (the entry check runs on submission and is kept with it); the park's
//! committee accepts — reserving the plot — or rejects with a reason. Applicants see only their
//! own applications.

use crate::api::http::access::{Need, Of, authorize, require};
use crate::api::http::extract::JsonBody;
use crate::api::http::input::check;
use crate::api::{AppState, created_as, json_response};
use crate::domain::FieldError;
use crate::domain::access::Visibility;
use crate::domain::access::{Action, Caller, Role};
use crate::domain::application::{Application, ApplicationProject, ApplicationStatus, Target};
use crate::domain::codes::parse_text;
use crate::domain::enterprise::parse_name;
use crate::domain::entry_check::BuildingPlan;
use crate::domain::entry_check::{Figures, Site};
use crate::domain::industry::IndustryCode;
use crate::domain::project::{wan_to_yuan, yuan_to_wan};
use crate::domain::uscc::Uscc;
use crate::domain::workshop::required_text;
use crate::error::{ApiError, ReadProblems, WriteProblems};
use crate::ops;
use crate::store;
use crate::views::entry::EntryCheckView;
use crate::views::utc;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(submit)
        .service(list)
        .service(get_one)
        .service(decide)
        .service(withdraw);
}

const JSON: &str = "application/json";

#[derive(Serialize, ToSchema)]
pub struct ApplicationView {
    pub id: i64,
    pub applicant_id: i64,
    pub park_id: i64,
    /// The plot applied for …
    pub parcel_id: Option<i64>,
    /// … or the workshop unit.
    pub unit_id: Option<i64>,
    pub project_name: String,
    pub enterprise_name: String,
    pub uscc: Option<String>,
    pub industry: String,
    pub fixed_asset_investment_wan_yuan: f64,
    pub land_demand_mu: Option<f64>,
    /// The entry check as it stood when the application was submitted.
    #[schema(value_type = Object)]
    pub entry_check: serde_json::Value,
    pub status: ApplicationStatus,
    pub submitted_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decided_by: Option<String>,
    pub decision_reason: String,
}

impl From<&Application> for ApplicationView {
    fn from(a: &Application) -> Self {
        let (parcel_id, unit_id) = match a.target {
            Target::Plot(p) => (Some(p), None),
            Target::Unit(u) => (None, Some(u)),
        };
        Self {
            id: a.id,
            applicant_id: a.applicant_id,
            park_id: a.park_id,
            parcel_id,
            unit_id,
            project_name: a.project.project_name.clone(),
            enterprise_name: a.project.enterprise_name.clone(),
            uscc: a.project.uscc.clone(),
            industry: a.project.industry.clone(),
            fixed_asset_investment_wan_yuan: yuan_to_wan(a.project.fixed_asset_investment_yuan),
            land_demand_mu: a.project.land_demand_mu,
            entry_check: a.entry_check.clone(),
            status: a.status,
            submitted_at: utc(a.submitted_at),
            decided_at: a.decided.as_ref().map(|s| utc(s.at)),
            decided_by: a.decided.as_ref().map(|s| s.by.clone()),
            decision_reason: a.decision_reason.clone(),
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplicationIn {
    /// An available plot …
    pub parcel_id: Option<i64>,
    /// … or a free workshop unit.
    pub unit_id: Option<i64>,
    pub project_name: String,
    pub enterprise_name: String,
    /// 统一社会信用代码, if the enterprise is registered.
    pub uscc: Option<String>,
    /// GB/T 4754-2017.
    pub industry: String,
    /// 固定资产投资, 万元.
    pub fixed_asset_investment_wan_yuan: f64,
    /// Land needed, 亩 (for a unit, the land the check should assume, if any).
    pub land_demand_mu: Option<f64>,
    pub plan: Option<BuildingPlan>,
}

/// Apply for an available plot or a free workshop unit (applicants). The entry check runs on
/// the plot's place and is kept with the application; a plot that is not available is a 409.
#[utoipa::path(tag = "applications", operation_id = "submit_application", request_body = ApplicationIn, responses((status = 201, body = ApplicationView, headers(("Location" = String))), WriteProblems))]
#[post("/api/applications")]
pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    require(&caller, Action::Apply)?;
    let b: ApplicationIn = body.parse()?;
    let mut e = Vec::new();
    let name = check(&mut e, required_text("project_name", &b.project_name, 200));
    let enterprise = check(&mut e, parse_name("enterprise_name", &b.enterprise_name));
    let uscc = b
        .uscc
        .as_deref()
        .map(|u| check(&mut e, Uscc::parse("uscc", u)).map(|u| u.as_str().to_owned()));
    let industry = check(&mut e, IndustryCode::parse("industry", &b.industry));
    let yuan = check(
        &mut e,
        wan_to_yuan(
            "fixed_asset_investment_wan_yuan",
            b.fixed_asset_investment_wan_yuan,
        ),
    );
    if let Some(mu) = b.land_demand_mu
        && !(mu.is_finite() && mu > 0.0 && mu <= 100_000.0)
    {
        e.push(
            FieldError::new(
                "land_demand_mu",
                format!("land demand is above 0 and at most 100,000 亩, got {mu}"),
            )
            .zh(format!("用地需求须大于 0 且不超过 100,000 亩，收到 {mu}")),
        );
    }
    let target = match (b.parcel_id, b.unit_id) {
        (Some(p), None) => Some(Target::Plot(p)),
        (None, Some(u)) => Some(Target::Unit(u)),
        _ => {
            e.push(
                FieldError::new(
                    "parcel_id",
                    "apply for one plot (parcel_id) or one workshop unit (unit_id)",
                )
                .zh("申请须针对一个地块（parcel_id）或一个厂房单元（unit_id），且只能选其一"),
            );
            None
        }
    };
    let (Some(name), Some(enterprise), Some(industry), Some(yuan), Some(target)) =
        (name, enterprise, industry, yuan, target)
    else {
        return Err(e.into());
    };
    if !e.is_empty() || uscc.as_ref().is_some_and(Option::is_none) {
        return Err(e.into());
    }
    let figures = Figures {
        industry: industry.clone(),
        fixed_asset_investment_yuan: yuan,
        plan: b.plan,
    };
    let check_view: EntryCheckView = match target {
        Target::Plot(id) => state
            .run(move |c| ops::entry::check(c, &Visibility::none(), Site::Plot(id), &figures))
            .await
            .map_err(|err| {
                if err.status() == StatusCode::NOT_FOUND {
                    ApiError::new(
                        StatusCode::CONFLICT,
                        "conflict",
                        "The change conflicts with the register",
                        format!("plot {id} is not available"),
                    )
                    .zh(format!("地块 {id} 目前不可供应"))
                } else {
                    err
                }
            })?,
        Target::Unit(id) => {
            // A unit that does not exist is as unavailable as one that is leased: an applicant
            // learns nothing more about the park's units than the public layer shows.
            let unavailable = |e: ApiError| {
                if e.status() == StatusCode::NOT_FOUND {
                    ApiError::new(
                        StatusCode::CONFLICT,
                        "conflict",
                        "The change conflicts with the register",
                        format!("unit {id} is not available"),
                    )
                    .zh(format!("厂房单元 {id} 目前不可租用"))
                } else {
                    e
                }
            };
            let (park_id, zone_id) = state
                .run(move |c| {
                    let park_id = store::applications::park_of_target(c, Target::Unit(id))?;
                    let workshop = store::leases::get_unit(c, id)?.workshop_id;
                    Ok((park_id, store::workshops::get(c, workshop)?.zone_id))
                })
                .await
                .map_err(unavailable)?;
            let area_m2 = b.land_demand_mu.map_or(0.0, crate::domain::units::mu_to_m2);
            let site = Site::Place {
                park_id,
                zone_id,
                area_m2,
            };
            state
                .run(move |c| ops::entry::check(c, &Visibility::none(), site, &figures))
                .await?
        }
    };
    let project = ApplicationProject {
        project_name: name,
        enterprise_name: enterprise,
        uscc: uscc.flatten(),
        industry: industry.as_str().to_owned(),
        fixed_asset_investment_yuan: yuan,
        land_demand_mu: b.land_demand_mu,
        plan: b.plan,
    };
    let applicant = caller.principal().map_or(0, |p| p.user_id);
    let (stamp, today) = (state.stamp(&caller), state.today());
    let a = state
        .run(move |c| {
            ops::applications::submit(
                c,
                applicant,
                target,
                project,
                &check_view.verdict,
                today,
                &stamp,
            )
        })
        .await?;
    created_as(
        &req,
        &state,
        JSON,
        &format!("/api/applications/{}", a.id),
        a.version,
        &ApplicationView::from(&a),
    )
}

/// Applications: an applicant's own; a committee's or bureau's parks'; all for administrators.
#[utoipa::path(tag = "applications", operation_id = "list_applications", responses((status = 200, body = Vec<ApplicationView>), ReadProblems))]
#[get("/api/applications")]
pub async fn list(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    require(&caller, Action::ReadSelf)?;
    let principal = caller.principal().cloned();
    let list = match principal {
        Some(p) if p.role == Role::Applicant => {
            state
                .run(move |c| store::applications::list(c, Some(p.user_id), None))
                .await?
        }
        _ => {
            let parks = crate::api::http::access::listed_parks(&state, &caller, None).await?;
            state
                .run(move |c| store::applications::list(c, None, parks.as_deref()))
                .await?
        }
    };
    json_response(
        StatusCode::OK,
        JSON,
        &list.iter().map(ApplicationView::from).collect::<Vec<_>>(),
    )
}

/// Load an application the caller may see: an applicant only its own (others are not found).
async fn visible(state: &AppState, caller: &Caller, id: i64) -> Result<Application, ApiError> {
    require(caller, Action::ReadSelf)?;
    let a = state.run(move |c| store::applications::get(c, id)).await?;
    match caller.principal() {
        Some(p) if p.role == Role::Applicant => {
            if a.applicant_id != p.user_id {
                return Err(ApiError::not_found(format!("you have no application {id}")));
            }
        }
        _ => {
            authorize(state, caller, Of::Park(a.park_id), Need::ReadRegister).await?;
        }
    }
    Ok(a)
}

/// One application.
#[utoipa::path(tag = "applications", operation_id = "get_application", params(("application_id" = i64, Path, description = "Application id")), responses((status = 200, body = ApplicationView), ReadProblems))]
#[get("/api/applications/{application_id}")]
pub async fn get_one(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let a = visible(&state, &caller, path.into_inner()).await?;
    json_response(StatusCode::OK, JSON, &ApplicationView::from(&a))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionIn {
    /// `true` accepts (reserving the plot or unit), `false` rejects.
    pub accept: bool,
    /// Why (required to reject).
    pub reason: Option<String>,
}

/// The committee's decision. Accepting reserves the plot (the parcel becomes `reserved`) or
/// the unit; of two applications for one plot, only one can be accepted (409 for the other).
#[utoipa::path(tag = "applications", operation_id = "decide_application", params(("application_id" = i64, Path, description = "Application id")), request_body = DecisionIn, responses((status = 200, body = ApplicationView), WriteProblems))]
#[post("/api/applications/{application_id}/decision")]
pub async fn decide(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    caller: Caller,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    if caller.principal().is_none() {
        return Err(crate::domain::access::Denied::Unauthenticated.into());
    }
    let park_id = state
        .run(move |c| Ok(store::applications::get(c, id)?.park_id))
        .await?;
    authorize(&state, &caller, Of::Park(park_id), Need::WriteOperations).await?;
    let b: DecisionIn = body.parse()?;
    let reason = parse_text("reason", b.reason.as_deref().unwrap_or(""), 500)?;
    let (stamp, today) = (state.stamp(&caller), state.today());
    let a = state
        .run(move |c| ops::applications::decide(c, id, b.accept, reason, today, &stamp))
        .await?;
    json_response(StatusCode::OK, JSON, &ApplicationView::from(&a))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WithdrawIn {
    /// Why the applicant withdraws (kept with the application).
    pub reason: String,
}

/// An applicant withdraws its application while it is still undecided.
#[utoipa::path(tag = "applications", operation_id = "withdraw_application", params(("application_id" = i64, Path, description = "Application id")), request_body = WithdrawIn, responses((status = 200, body = ApplicationView), WriteProblems))]
#[post("/api/applications/{application_id}/withdraw")]
pub async fn withdraw(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    caller: Caller,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    require(&caller, Action::Apply)?;
    let a = visible(&state, &caller, id).await?;
    let b: WithdrawIn = body.parse()?;
    let reason = required_text("reason", &b.reason, 500)?;
    let stamp = state.stamp(&caller);
    let a = state
        .run(move |c| ops::applications::withdraw(c, a.id, reason, &stamp))
        .await?;
    json_response(StatusCode::OK, JSON, &ApplicationView::from(&a))
}
