//! `/api/investment-units` (招商单位 and their yearly plans) and `/api/parks/{park_id}/projects`,
//! `/api/projects/{project_id}`: investment projects from negotiation to capacity, with their
//! stage history and the investment they report as completed.

use crate::api::http::access::{Need, Of, authorize, require};
use crate::api::http::extract::{IfMatch, JsonBody};
use crate::api::http::input::{check, not_null};
use crate::api::http::params::{Params, de};
use crate::api::{AppState, created_as, json_response, versioned};
use crate::domain::FieldError;
use crate::domain::access::{Action, Caller};
use crate::domain::enterprise::parse_name;
use crate::domain::industry::IndustryCode;
use crate::domain::project::{InvestmentUnit, Project, ProjectChanges, ProjectDraft};
use crate::domain::project::{SizeBand, Stage, StageChange, wan_to_yuan, yuan_to_wan};
use crate::domain::workshop::required_text;
use crate::error::{ApiError, ReadProblems, WriteProblems};
use crate::ops;
use crate::store;
use crate::views::utc;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa::{IntoParams, ToSchema};

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_units)
        .service(create_unit)
        .service(set_plan)
        .service(create_project)
        .service(list_projects)
        .service(get_project)
        .service(update_project)
        .service(change_stage)
        .service(report_investment);
}

const JSON: &str = "application/json";

#[derive(Serialize, ToSchema)]
pub struct PlanView {
    pub year: i32,
    /// Fixed-asset investment to complete that year, 万元.
    pub fixed_asset_plan_wan_yuan: f64,
}

#[derive(Serialize, ToSchema)]
pub struct InvestmentUnitView {
    pub id: i64,
    pub name: String,
    /// `department` (部门) or `township` (乡镇).
    pub kind: String,
    pub plans: Vec<PlanView>,
}

impl From<&InvestmentUnit> for InvestmentUnitView {
    fn from(u: &InvestmentUnit) -> Self {
        Self {
            id: u.id,
            name: u.name.clone(),
            kind: u.kind.clone(),
            plans: u
                .plans
                .iter()
                .map(|(year, y)| PlanView {
                    year: *year,
                    fixed_asset_plan_wan_yuan: yuan_to_wan(*y),
                })
                .collect(),
        }
    }
}

/// The investment units (招商单位): departments and townships that bring projects.
#[utoipa::path(tag = "projects", operation_id = "list_investment_units", responses((status = 200, body = Vec<InvestmentUnitView>), ReadProblems))]
#[get("/api/investment-units")]
pub async fn list_units(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    require(&caller, Action::ReadDirectory)?;
    let units = state.run(store::projects::units).await?;
    json_response(
        StatusCode::OK,
        JSON,
        &units
            .iter()
            .map(InvestmentUnitView::from)
            .collect::<Vec<_>>(),
    )
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvestmentUnitIn {
    /// e.g. 招商局, 株良镇.
    pub name: String,
    /// `department` or `township`.
    pub kind: String,
}

/// Add an investment unit.
#[utoipa::path(tag = "projects", operation_id = "create_investment_unit", request_body = InvestmentUnitIn, responses((status = 201, body = InvestmentUnitView), WriteProblems))]
#[post("/api/investment-units")]
pub async fn create_unit(
    state: web::Data<AppState>,
    caller: Caller,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    require(&caller, Action::WriteDirectory)?;
    let b: InvestmentUnitIn = body.parse()?;
    let mut e = Vec::new();
    let name = check(&mut e, required_text("name", &b.name, 100));
    if !matches!(b.kind.as_str(), "department" | "township") {
        e.push(
            FieldError::new(
                "kind",
                format!("`{}` is not a kind of unit: department or township", b.kind),
            )
            .zh(format!(
                "`{}` 不是责任单位类型：应为 department（部门）或 township（乡镇）",
                b.kind
            )),
        );
    }
    let Some(name) = name.filter(|_| e.is_empty()) else {
        return Err(e.into());
    };
    let stamp = state.stamp(&caller);
    let unit = state
        .run(move |c| ops::projects::create_unit(c, name, &b.kind, &stamp))
        .await?;
    json_response(StatusCode::CREATED, JSON, &InvestmentUnitView::from(&unit))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanIn {
    pub year: i32,
    /// 万元 of fixed-asset investment to complete in the year.
    pub fixed_asset_plan_wan_yuan: f64,
}

/// Set a unit's plan for a year (replacing an earlier figure).
#[utoipa::path(tag = "projects", operation_id = "set_investment_plan", params(("investment_unit_id" = i64, Path, description = "Investment unit id")), request_body = PlanIn, responses((status = 200, body = InvestmentUnitView), WriteProblems))]
#[post("/api/investment-units/{investment_unit_id}/plans")]
pub async fn set_plan(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    caller: Caller,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    require(&caller, Action::WriteDirectory)?;
    let id = path.into_inner();
    let b: PlanIn = body.parse()?;
    let mut e = Vec::new();
    if !(2000..=2100).contains(&b.year) {
        e.push(
            FieldError::new(
                "year",
                format!("a plan year is 2000 to 2100, got {}", b.year),
            )
            .zh(format!("计划年度须为 2000 至 2100，收到 {}", b.year)),
        );
    }
    let yuan = check(
        &mut e,
        wan_to_yuan("fixed_asset_plan_wan_yuan", b.fixed_asset_plan_wan_yuan),
    );
    let Some(yuan) = yuan.filter(|_| e.is_empty()) else {
        return Err(e.into());
    };
    let stamp = state.stamp(&caller);
    let unit = state
        .run(move |c| store::projects::set_plan(c, id, b.year, yuan, &stamp))
        .await?;
    json_response(StatusCode::OK, JSON, &InvestmentUnitView::from(&unit))
}

#[derive(Serialize, ToSchema)]
pub struct StageView {
    pub stage: Stage,
    /// e.g. 签约.
    pub stage_name: &'static str,
    pub date: NaiveDate,
    pub reason: String,
    /// A move back along the path (or reviving a terminated project).
    pub backwards: bool,
    pub recorded_at: DateTime<Utc>,
    pub recorded_by: String,
}

#[derive(Serialize, ToSchema)]
pub struct ProjectView {
    pub id: i64,
    pub park_id: i64,
    pub name: String,
    pub enterprise_id: Option<i64>,
    pub enterprise_name: String,
    /// GB/T 4754-2017.
    pub industry: String,
    pub industry_name: String,
    /// 签约投资, 万元.
    pub signed_investment_wan_yuan: f64,
    /// 固定资产投资, 万元.
    pub fixed_asset_investment_wan_yuan: f64,
    /// 用地需求, 亩.
    pub land_demand_mu: f64,
    /// Fixed-asset investment ÷ land demand, 万元/亩 (`null` without land).
    pub intensity_wan_per_mu: Option<f64>,
    /// The band of its fixed-asset investment among its park's `size_bands_wan_yuan`, 万元:
    /// `5000-10000`, `10000+`.
    pub size_band: String,
    /// e.g. 5000万-1亿元.
    pub size_band_name: String,
    pub responsible_unit_id: i64,
    pub responsible_unit_name: String,
    /// 飞地: brought by a township that keeps the credit.
    pub enclave: bool,
    pub stage: Stage,
    pub stage_name: &'static str,
    pub stage_date: NaiveDate,
    /// Every stage change, oldest first.
    pub stages: Vec<StageView>,
    pub parcel_ids: Vec<i64>,
    pub unit_ids: Vec<i64>,
    /// The latest reported investment completed to date, 万元.
    pub investment_completed_wan_yuan: f64,
    pub investment_reported_on: Option<NaiveDate>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
    pub updated_at: DateTime<Utc>,
    pub updated_by: String,
}

impl ProjectView {
    /// `bands`: the thresholds of the project's park (万元).
    pub fn of(p: &Project, unit_names: &HashMap<i64, String>, bands: &[u32]) -> Self {
        let current = p.stages.last();
        let industry_name = IndustryCode::parse("", &p.industry)
            .map(|c| c.division_name().to_owned())
            .unwrap_or_default();
        let band = SizeBand::of(p.fixed_asset_investment_yuan, bands);
        let last_report = p.investment.last();
        Self {
            id: p.id,
            park_id: p.park_id,
            name: p.name.clone(),
            enterprise_id: p.enterprise_id,
            enterprise_name: p.enterprise_name.clone(),
            industry: p.industry.clone(),
            industry_name,
            signed_investment_wan_yuan: yuan_to_wan(p.signed_investment_yuan),
            fixed_asset_investment_wan_yuan: yuan_to_wan(p.fixed_asset_investment_yuan),
            land_demand_mu: p.land_demand_mu,
            intensity_wan_per_mu: (p.land_demand_mu > 0.0).then(|| {
                crate::domain::units::round_to(
                    yuan_to_wan(p.fixed_asset_investment_yuan) / p.land_demand_mu,
                    2,
                )
            }),
            size_band: band.key(),
            size_band_name: band.label_zh(),
            responsible_unit_id: p.responsible_unit_id,
            responsible_unit_name: unit_names
                .get(&p.responsible_unit_id)
                .cloned()
                .unwrap_or_default(),
            enclave: p.enclave,
            stage: current.map_or(Stage::Negotiating, |s| s.stage),
            stage_name: current.map_or("", |s| s.stage.label_zh()),
            stage_date: current.map_or(NaiveDate::MIN, |s| s.date),
            stages: p
                .stages
                .iter()
                .map(|s| StageView {
                    stage: s.stage,
                    stage_name: s.stage.label_zh(),
                    date: s.date,
                    reason: s.reason.clone(),
                    backwards: s.backwards,
                    recorded_at: utc(s.recorded.at),
                    recorded_by: s.recorded.by.clone(),
                })
                .collect(),
            parcel_ids: p.parcel_ids.clone(),
            unit_ids: p.unit_ids.clone(),
            investment_completed_wan_yuan: last_report.map_or(0.0, |(_, y)| yuan_to_wan(*y)),
            investment_reported_on: last_report.map(|(d, _)| *d),
            version: p.version,
            created_at: utc(p.created.at),
            created_by: p.created.by.clone(),
            updated_at: utc(p.updated.at),
            updated_by: p.updated.by.clone(),
        }
    }
}

/// Projects with the names their views need.
async fn views(
    state: &AppState,
    parks: Option<Vec<i64>>,
    id: Option<i64>,
) -> Result<Vec<ProjectView>, ApiError> {
    let (projects, units, bands) = state
        .run(move |c| {
            let projects = store::projects::list(c, parks.as_deref(), id)?;
            let mut bands: HashMap<i64, Vec<u32>> = HashMap::new();
            for p in &projects {
                if let std::collections::hash_map::Entry::Vacant(e) = bands.entry(p.park_id) {
                    let park = store::parks::get(c, p.park_id)?;
                    e.insert(park.settings_in(&[], None).size_bands_wan_yuan);
                }
            }
            Ok((projects, store::projects::units(c)?, bands))
        })
        .await?;
    let names: HashMap<i64, String> = units.into_iter().map(|u| (u.id, u.name)).collect();
    Ok(projects
        .iter()
        .map(|p| {
            ProjectView::of(
                p,
                &names,
                bands.get(&p.park_id).map_or(&[][..], Vec::as_slice),
            )
        })
        .collect())
}

async fn one(state: &AppState, id: i64) -> Result<ProjectView, ApiError> {
    views(state, None, Some(id))
        .await?
        .pop()
        .ok_or_else(|| ApiError::not_found(format!("project {id} does not exist")))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProjectIn {
    /// e.g. 年产500万套光电显示模组项目.
    pub name: String,
    /// A registered enterprise, or …
    pub enterprise_id: Option<i64>,
    /// … the investor's name while it has none (项目在谈 often precedes registration).
    pub enterprise_name: Option<String>,
    /// GB/T 4754-2017, e.g. C3976.
    pub industry: String,
    /// 签约投资, 万元.
    pub signed_investment_wan_yuan: f64,
    /// 固定资产投资, 万元.
    pub fixed_asset_investment_wan_yuan: f64,
    /// 用地需求, 亩 (0 for a project in a workshop).
    pub land_demand_mu: f64,
    pub responsible_unit_id: i64,
    #[serde(default)]
    pub enclave: bool,
    #[serde(default)]
    pub parcel_ids: Vec<i64>,
    #[serde(default)]
    pub unit_ids: Vec<i64>,
    /// The stage it is at (default 在谈) and since when.
    pub stage: Option<Stage>,
    pub stage_date: NaiveDate,
}

/// The money and land figures of a project, checked.
fn figures(
    e: &mut Vec<FieldError>,
    signed_wan: Option<f64>,
    fixed_wan: Option<f64>,
    land_mu: Option<f64>,
) -> (Option<i64>, Option<i64>, Option<f64>) {
    let signed = signed_wan.and_then(|v| check(e, wan_to_yuan("signed_investment_wan_yuan", v)));
    let fixed = fixed_wan.and_then(|v| check(e, wan_to_yuan("fixed_asset_investment_wan_yuan", v)));
    let land = land_mu.and_then(|v| {
        if v.is_finite() && (0.0..=100_000.0).contains(&v) {
            Some(v)
        } else {
            e.push(
                FieldError::new(
                    "land_demand_mu",
                    format!("land demand is 0 to 100,000 亩, got {v}"),
                )
                .zh(format!("用地需求须为 0 至 100,000 亩，收到 {v}")),
            );
            None
        }
    });
    if let (Some(s), Some(f)) = (signed, fixed)
        && f > s
    {
        e.push(
            FieldError::new(
                "fixed_asset_investment_wan_yuan",
                "fixed-asset investment cannot exceed the signed investment it is part of",
            )
            .zh("固定资产投资不能超过其所属的签约投资额"),
        );
    }
    (signed, fixed, land)
}

/// Record a project of a park, at its current stage.
#[utoipa::path(tag = "projects", operation_id = "create_project", params(("park_id" = i64, Path, description = "Park id")), request_body = ProjectIn, responses((status = 201, body = ProjectView, headers(("ETag" = String), ("Location" = String))), WriteProblems))]
#[post("/api/parks/{park_id}/projects")]
pub async fn create_project(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    caller: Caller,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let park_id = path.into_inner();
    authorize(&state, &caller, Of::Park(park_id), Need::WriteOperations).await?;
    let b: ProjectIn = body.parse()?;
    let mut e = Vec::new();
    let name = check(&mut e, required_text("name", &b.name, 200));
    let industry = check(&mut e, IndustryCode::parse("industry", &b.industry));
    let enterprise_name = match (&b.enterprise_name, b.enterprise_id) {
        (Some(n), _) => check(&mut e, parse_name("enterprise_name", n)),
        (None, Some(_)) => Some(String::new()),
        (None, None) => {
            e.push(
                FieldError::new(
                    "enterprise_name",
                    "name the investor: enterprise_id or enterprise_name",
                )
                .zh("请写明投资方：enterprise_id 或 enterprise_name"),
            );
            None
        }
    };
    let (signed, fixed, land) = figures(
        &mut e,
        Some(b.signed_investment_wan_yuan),
        Some(b.fixed_asset_investment_wan_yuan),
        Some(b.land_demand_mu),
    );
    if let Err(x) =
        crate::domain::supply::check_past_date("stage_date", b.stage_date, state.today())
    {
        e.push(x);
    }
    let stage = b.stage.unwrap_or(Stage::Negotiating);
    if stage == Stage::Terminated {
        e.push(
            FieldError::new("stage", "a new project cannot start terminated")
                .zh("新项目不能以“终止”阶段开始"),
        );
    }
    let (Some(name), Some(industry), Some(enterprise_name), Some(signed), Some(fixed), Some(land)) =
        (name, industry, enterprise_name, signed, fixed, land)
    else {
        return Err(e.into());
    };
    if !e.is_empty() {
        return Err(e.into());
    }
    let stamp = state.stamp(&caller);
    let draft = ProjectDraft {
        name,
        enterprise_id: b.enterprise_id,
        enterprise_name,
        industry: industry.as_str().to_owned(),
        signed_investment_yuan: signed,
        fixed_asset_investment_yuan: fixed,
        land_demand_mu: land,
        responsible_unit_id: b.responsible_unit_id,
        enclave: b.enclave,
        parcel_ids: b.parcel_ids,
        unit_ids: b.unit_ids,
        stage,
        stage_date: b.stage_date,
    };
    let id = state
        .run(move |c| {
            let mut draft = draft;
            if let (Some(eid), true) = (draft.enterprise_id, draft.enterprise_name.is_empty()) {
                draft.enterprise_name = store::enterprises::get(c, eid)
                    .map(|x| x.name)
                    .map_err(|_| missing_enterprise(eid))?;
            }
            Ok(ops::projects::create(c, park_id, draft, &stamp)?.id)
        })
        .await?;
    let view = one(&state, id).await?;
    created_as(
        &req,
        &state,
        JSON,
        &format!("/api/projects/{id}"),
        view.version,
        &view,
    )
}

/// A missing enterprise named by id, as a field error.
fn missing_enterprise(id: i64) -> store::StoreError {
    FieldError::new("enterprise_id", format!("enterprise {id} does not exist"))
        .zh(format!("企业 {id} 不存在"))
        .into()
}

/// Which of a park's projects to list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ProjectFilter {
    /// Only projects at this stage (negotiating, signed, landed, started, completed, producing,
    /// at_capacity, terminated).
    #[serde(default, deserialize_with = "de::one")]
    #[param(value_type = Option<String>)]
    pub stage: Option<Stage>,
    /// Only this investment unit's projects.
    #[serde(default, deserialize_with = "de::id")]
    pub unit_id: Option<i64>,
}

/// The projects of a park, optionally at one stage or of one unit.
#[utoipa::path(
    tag = "projects",
    operation_id = "list_projects",
    params(
        ("park_id" = i64, Path, description = "Park id"),
        ProjectFilter,
    ),
    responses((status = 200, body = Vec<ProjectView>), ReadProblems)
)]
#[get("/api/parks/{park_id}/projects")]
pub async fn list_projects(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    caller: Caller,
    params: Params<ProjectFilter>,
) -> Result<HttpResponse, ApiError> {
    let park_id = path.into_inner();
    authorize(&state, &caller, Of::Park(park_id), Need::ReadRegister).await?;
    let q = params.read()?;
    let (stage, unit) = (q.stage, q.unit_id);
    let list: Vec<ProjectView> = views(&state, Some(vec![park_id]), None)
        .await?
        .into_iter()
        .filter(|p| {
            stage.is_none_or(|s| p.stage == s) && unit.is_none_or(|u| p.responsible_unit_id == u)
        })
        .collect();
    json_response(StatusCode::OK, JSON, &list)
}

/// One project with its stage history.
#[utoipa::path(tag = "projects", operation_id = "get_project", params(("project_id" = i64, Path, description = "Project id")), responses((status = 200, body = ProjectView, headers(("ETag" = String))), ReadProblems))]
#[get("/api/projects/{project_id}")]
pub async fn get_project(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    authorize(&state, &caller, Of::Project(id), Need::ReadRegister).await?;
    let view = one(&state, id).await?;
    versioned(StatusCode::OK, JSON, view.version, &view)
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct ProjectPatch {
    #[serde(default, deserialize_with = "not_null")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "not_null")]
    pub enterprise_id: Option<i64>,
    #[serde(default, deserialize_with = "not_null")]
    pub enterprise_name: Option<String>,
    #[serde(default, deserialize_with = "not_null")]
    pub industry: Option<String>,
    #[serde(default, deserialize_with = "not_null")]
    pub signed_investment_wan_yuan: Option<f64>,
    #[serde(default, deserialize_with = "not_null")]
    pub fixed_asset_investment_wan_yuan: Option<f64>,
    #[serde(default, deserialize_with = "not_null")]
    pub land_demand_mu: Option<f64>,
    #[serde(default, deserialize_with = "not_null")]
    pub responsible_unit_id: Option<i64>,
    #[serde(default, deserialize_with = "not_null")]
    pub enclave: Option<bool>,
    #[serde(default, deserialize_with = "not_null")]
    pub parcel_ids: Option<Vec<i64>>,
    #[serde(default, deserialize_with = "not_null")]
    pub unit_ids: Option<Vec<i64>>,
}

/// Correct a project's figures or links (merge patch); stages change with POST …/stages.
#[utoipa::path(tag = "projects", operation_id = "update_project", params(("project_id" = i64, Path, description = "Project id"), ("If-Match" = String, Header, description = "ETag of the version being changed, or `*`")), request_body(content = ProjectPatch, content_type = "application/merge-patch+json"), responses((status = 200, body = ProjectView, headers(("ETag" = String))), WriteProblems))]
#[patch("/api/projects/{project_id}")]
pub async fn update_project(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    caller: Caller,
    if_match: IfMatch,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    authorize(&state, &caller, Of::Project(id), Need::WriteOperations).await?;
    let expected = if_match.expected()?;
    let b: ProjectPatch = body.parse()?;
    let mut e = Vec::new();
    let (signed, fixed, land) = figures(
        &mut e,
        b.signed_investment_wan_yuan,
        b.fixed_asset_investment_wan_yuan,
        b.land_demand_mu,
    );
    let changes = ProjectChanges {
        name: b
            .name
            .and_then(|n| check(&mut e, required_text("name", &n, 200))),
        enterprise: match (b.enterprise_id, b.enterprise_name) {
            (id, Some(n)) => check(&mut e, parse_name("enterprise_name", &n)).map(|n| (id, n)),
            (Some(id), None) => Some((Some(id), String::new())),
            (None, None) => None,
        },
        industry: b
            .industry
            .and_then(|i| check(&mut e, IndustryCode::parse("industry", &i)))
            .map(|c| c.as_str().to_owned()),
        signed_investment_yuan: signed,
        fixed_asset_investment_yuan: fixed,
        land_demand_mu: land,
        responsible_unit_id: b.responsible_unit_id,
        enclave: b.enclave,
        parcel_ids: b.parcel_ids,
        unit_ids: b.unit_ids,
    };
    if !e.is_empty() {
        return Err(e.into());
    }
    let stamp = state.stamp(&caller);
    state
        .run(move |c| {
            let mut changes = changes;
            if let Some((Some(eid), name)) = &mut changes.enterprise
                && name.is_empty()
            {
                *name = store::enterprises::get(c, *eid)
                    .map(|x| x.name)
                    .map_err(|_| missing_enterprise(*eid))?;
            }
            ops::projects::update(c, id, expected, changes, &stamp)
        })
        .await?;
    let view = one(&state, id).await?;
    versioned(StatusCode::OK, JSON, view.version, &view)
}

/// Move a project to another stage. Forward moves that skip stages give each skipped stage's
/// date in `earlier`; going back and terminating need a reason.
#[utoipa::path(tag = "projects", operation_id = "change_project_stage", params(("project_id" = i64, Path, description = "Project id")), request_body = StageChange, responses((status = 200, body = ProjectView), WriteProblems))]
#[post("/api/projects/{project_id}/stages")]
pub async fn change_stage(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    caller: Caller,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    authorize(&state, &caller, Of::Project(id), Need::WriteOperations).await?;
    let change: StageChange = body.parse()?;
    let (stamp, today) = (state.stamp(&caller), state.today());
    state
        .run(move |c| ops::projects::change_stage(c, id, change, today, &stamp))
        .await?;
    json_response(StatusCode::OK, JSON, &one(&state, id).await?)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvestmentIn {
    /// The day of the report.
    pub date: NaiveDate,
    /// Fixed-asset investment completed to that day, 万元 (cumulative; it can only grow).
    pub completed_wan_yuan: f64,
}

/// Report the fixed-asset investment a project has completed to date (月报).
#[utoipa::path(tag = "projects", operation_id = "report_project_investment", params(("project_id" = i64, Path, description = "Project id")), request_body = InvestmentIn, responses((status = 200, body = ProjectView), WriteProblems))]
#[post("/api/projects/{project_id}/investment")]
pub async fn report_investment(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    caller: Caller,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    authorize(&state, &caller, Of::Project(id), Need::WriteOperations).await?;
    let b: InvestmentIn = body.parse()?;
    let mut e = Vec::new();
    if let Err(x) = crate::domain::supply::check_past_date("date", b.date, state.today()) {
        e.push(x);
    }
    let yuan = check(
        &mut e,
        wan_to_yuan("completed_wan_yuan", b.completed_wan_yuan),
    );
    let Some(yuan) = yuan.filter(|_| e.is_empty()) else {
        return Err(e.into());
    };
    let stamp = state.stamp(&caller);
    state
        .run(move |c| ops::projects::report_investment(c, id, b.date, yuan, &stamp))
        .await?;
    json_response(StatusCode::OK, JSON, &one(&state, id).await?)
}
