//! `/api/idle-cases`: the idle-land procedure (闲置土地处置) as cases — opened on a supply,
//! advanced step by step, each step with its 30-day deadline and overdue steps flagged.

use crate::api::http::access::{Need, Of, authorize, listed_parks, require_register};
use crate::api::http::extract::JsonBody;
use crate::api::http::params::de::Named;
use crate::api::http::params::{AsOf, Params, de};
use crate::api::{AppState, created_as, json_response};
use crate::domain::access::Caller;
use crate::domain::codes::parse_text;
use crate::domain::idle_case::{Case, DecisionKind, Outcome, StepKind, StepTerms, progress};
use crate::domain::supply::check_past_date;
use crate::error::{ApiError, ReadProblems, WriteProblems};
use crate::ops;
use crate::store;
use crate::views::supply::IdleEpisodeView;
use crate::views::utc;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa::{IntoParams, ToSchema};

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(open_idle_case)
        .service(list_idle_cases)
        .service(get_idle_case)
        .service(add_case_step);
}

const JSON: &str = "application/json";

/// A recorded step with its deadline.
#[derive(Serialize, ToSchema)]
pub struct StepView {
    pub kind: StepKind,
    /// e.g. 下达闲置土地认定书.
    pub kind_name: &'static str,
    pub date: NaiveDate,
    /// The deadline it had.
    pub due: NaiveDate,
    /// Days after the deadline it was done (0: in time).
    pub late_days: i64,
    pub document_no: String,
    pub note: String,
    pub decision: Option<DecisionKind>,
    pub decision_name: Option<&'static str>,
    /// The fee decided or paid, whole 元.
    pub amount_yuan: Option<i64>,
    pub recorded_at: DateTime<Utc>,
    pub recorded_by: String,
}

/// The step to come.
#[derive(Serialize, ToSchema)]
pub struct NextStep {
    pub kind: StepKind,
    pub kind_name: &'static str,
    pub due: NaiveDate,
    /// Days past the deadline on `as_of` (0: not overdue).
    pub overdue_days: i64,
}

#[derive(Serialize, ToSchema)]
pub struct CaseView {
    pub id: i64,
    pub supply_id: i64,
    pub parcel_id: i64,
    pub parcel_code: String,
    pub park_id: i64,
    pub enterprise_name: String,
    /// The day the land was suspected idle.
    pub opened_on: NaiveDate,
    pub note: String,
    /// The day the progress is for.
    pub as_of: NaiveDate,
    /// Closed (on `as_of`) with an outcome.
    pub closed: bool,
    pub outcome: Option<Outcome>,
    pub closed_on: Option<NaiveDate>,
    /// The next step is past its deadline.
    pub overdue: bool,
    pub next_step: Option<NextStep>,
    pub steps: Vec<StepView>,
    /// The supply's idle episodes up to the case's close (or `as_of`): what the case is about,
    /// including one a late start has ended.
    pub episodes: Vec<IdleEpisodeView>,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
}

impl CaseView {
    fn of(
        c: &Case,
        step_days: u32,
        as_of: NaiveDate,
        parcel_code: String,
        enterprise_name: String,
        episodes: Vec<IdleEpisodeView>,
    ) -> Self {
        let p = progress(c, step_days, as_of);
        let steps = c
            .steps
            .iter()
            .zip(p.steps.iter())
            .map(|(s, sp)| StepView {
                kind: s.kind,
                kind_name: s.kind.label_zh(),
                date: s.date,
                due: sp.due,
                late_days: sp.late_days,
                document_no: s.document_no.clone(),
                note: s.note.clone(),
                decision: s.decision,
                decision_name: s.decision.map(DecisionKind::label_zh),
                amount_yuan: s.amount_yuan,
                recorded_at: utc(s.recorded.at),
                recorded_by: s.recorded.by.clone(),
            })
            .collect();
        Self {
            id: c.id,
            supply_id: c.supply_id,
            parcel_id: c.parcel_id,
            parcel_code,
            park_id: c.park_id,
            enterprise_name,
            opened_on: c.opened_on,
            note: c.note.clone(),
            as_of,
            closed: p.outcome.is_some(),
            outcome: p.outcome,
            closed_on: p.closed_on,
            overdue: p.overdue,
            next_step: p.next.map(|n| NextStep {
                kind: n.kind,
                kind_name: n.kind.label_zh(),
                due: n.due,
                overdue_days: n.late_days,
            }),
            steps,
            episodes,
            created_at: utc(c.created.at),
            created_by: c.created.by.clone(),
        }
    }
}

/// Cases with what their views need: the park's step days, parcel codes, holders' names.
fn views(
    c: &mut store::AnyConnection,
    cases: &[Case],
    as_of: NaiveDate,
) -> store::StoreResult<Vec<CaseView>> {
    let parcel_ids: Vec<i64> = cases.iter().map(|c| c.parcel_id).collect();
    let codes = store::parcels::codes(c, &parcel_ids)?;
    let mut holders = HashMap::new();
    let mut step_days = HashMap::new();
    let mut episodes = HashMap::new();
    for case in cases {
        let supply = store::supplies::get(c, case.supply_id)?;
        let closed = progress(case, 30, as_of).closed_on;
        let (verdict, _) = ops::land_watch::verdict_of(c, &supply, closed.unwrap_or(as_of))?;
        let list: Vec<IdleEpisodeView> =
            verdict.episodes.iter().map(IdleEpisodeView::from).collect();
        episodes.insert(case.id, list);
        holders.insert(case.id, supply.enterprise_id);
        if let std::collections::hash_map::Entry::Vacant(e) = step_days.entry(case.parcel_id) {
            e.insert(ops::land_watch::settings_of(c, case.parcel_id)?.idle_case_step_days);
        }
    }
    let ids: Vec<i64> = holders.values().copied().collect();
    let names = store::enterprises::names(c, &ids)?;
    Ok(cases
        .iter()
        .map(|case| {
            let name = holders
                .get(&case.id)
                .and_then(|e| names.get(e))
                .cloned()
                .unwrap_or_default();
            let days = step_days.get(&case.parcel_id).copied().unwrap_or(30);
            CaseView::of(
                case,
                days,
                as_of,
                codes.get(&case.parcel_id).cloned().unwrap_or_default(),
                name,
                episodes.remove(&case.id).unwrap_or_default(),
            )
        })
        .collect())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpenCaseIn {
    /// The day the land was suspected idle (the 30 days for the investigation notice run from it).
    pub opened_on: NaiveDate,
    pub note: Option<String>,
}

/// Open an idle-land case on a supply (one open case per supply).
#[utoipa::path(
    tag = "idle-land",
    operation_id = "open_idle_case",
    params(("supply_id" = i64, Path, description = "Supply id")),
    request_body = OpenCaseIn,
    responses((status = 201, body = CaseView, headers(("Location" = String))), WriteProblems)
)]
#[post("/api/supplies/{supply_id}/idle-cases")]
pub async fn open_idle_case(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    caller: Caller,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let supply_id = path.into_inner();
    authorize(&state, &caller, Of::Supply(supply_id), Need::WriteParcels).await?;
    let body: OpenCaseIn = body.parse()?;
    let today = state.today();
    let mut errors = Vec::new();
    if let Err(e) = check_past_date("opened_on", body.opened_on, today) {
        errors.push(e);
    }
    let note = parse_text("note", body.note.as_deref().unwrap_or(""), 1000)
        .map_err(|e| errors.push(e))
        .unwrap_or_default();
    if !errors.is_empty() {
        return Err(errors.into());
    }
    let stamp = state.stamp(&caller);
    let view = state
        .run(move |c| {
            let case = ops::idle_cases::open(c, supply_id, body.opened_on, note, &stamp)?;
            Ok(views(c, &[case], today)?.remove(0))
        })
        .await?;
    created_as(
        &req,
        &state,
        JSON,
        &format!("/api/idle-cases/{}", view.id),
        1,
        &view,
    )
}

#[derive(Serialize, ToSchema)]
pub struct CaseList {
    pub as_of: NaiveDate,
    pub items: Vec<CaseView>,
    pub open: usize,
    pub overdue: usize,
    pub closed: usize,
}

/// Open or closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseStatus {
    Open,
    Closed,
}

impl Named for CaseStatus {
    const ACCEPTED: &'static str = "open, closed";
    fn parse_name(raw: &str) -> Option<Self> {
        match raw {
            "open" => Some(Self::Open),
            "closed" => Some(Self::Closed),
            _ => None,
        }
    }
}

/// Which cases to list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CaseParams {
    /// The day, YYYY-MM-DD (default today).
    #[serde(default, deserialize_with = "de::day")]
    #[param(value_type = Option<String>, format = Date)]
    pub as_of: Option<NaiveDate>,
    /// Only this park.
    #[serde(default, deserialize_with = "de::id")]
    pub park_id: Option<i64>,
    /// `open` or `closed` (default both).
    #[serde(default, deserialize_with = "de::one")]
    #[param(value_type = Option<String>)]
    pub status: Option<CaseStatus>,
    /// Only cases whose next step is overdue.
    #[serde(default, deserialize_with = "de::yes_no")]
    pub overdue: Option<bool>,
}

/// Idle-land cases, oldest first, with each one's next step and whether it is overdue.
#[utoipa::path(
    tag = "idle-land",
    operation_id = "list_idle_cases",
    params(CaseParams),
    responses((status = 200, body = CaseList), ReadProblems)
)]
#[get("/api/idle-cases")]
pub async fn list_idle_cases(
    state: web::Data<AppState>,
    caller: Caller,
    params: Params<CaseParams>,
) -> Result<HttpResponse, ApiError> {
    require_register(&caller)?;
    let q = params.read()?;
    let park_id = q.park_id;
    let parks = listed_parks(&state, &caller, park_id).await?;
    let as_of = q.as_of.unwrap_or_else(|| state.today());
    let closed = q.status.map(|s| s == CaseStatus::Closed);
    let overdue = q.overdue;
    let all = state
        .run(move |c| {
            let parks = park_id.map(|id| vec![id]).or(parks);
            let cases = store::idle_cases::list(c, parks.as_deref(), None)?;
            let cases: Vec<Case> = cases.into_iter().filter(|k| k.opened_on <= as_of).collect();
            views(c, &cases, as_of)
        })
        .await?;
    let items: Vec<CaseView> = all
        .into_iter()
        .filter(|v| closed.is_none_or(|c| v.closed == c) && overdue.is_none_or(|o| v.overdue == o))
        .collect();
    let body = CaseList {
        as_of,
        open: items.iter().filter(|v| !v.closed).count(),
        overdue: items.iter().filter(|v| v.overdue).count(),
        closed: items.iter().filter(|v| v.closed).count(),
        items,
    };
    json_response(StatusCode::OK, JSON, &body)
}

/// One case and its progress on `as_of` (default today).
#[utoipa::path(
    tag = "idle-land",
    operation_id = "get_idle_case",
    params(("case_id" = i64, Path, description = "Case id"), AsOf),
    responses((status = 200, body = CaseView), ReadProblems)
)]
#[get("/api/idle-cases/{case_id}")]
pub async fn get_idle_case(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    caller: Caller,
    params: Params<AsOf>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    authorize(&state, &caller, Of::IdleCase(id), Need::ReadRegister).await?;
    let as_of = params.read()?.as_of.unwrap_or_else(|| state.today());
    let view = state
        .run(move |c| {
            let case = store::idle_cases::get(c, id)?;
            Ok(views(c, &[case], as_of)?.remove(0))
        })
        .await?;
    json_response(StatusCode::OK, JSON, &view)
}

/// Record the next step of a case. Steps follow the procedure's order; a fee or recovery
/// decision needs land idle by the holder's fault on its date (the fee is computed, 20 % of
/// the land price by default), a disposal land idle through no fault of the holder; handing
/// the land back ends the supply and returns the parcel to the land bank.
#[utoipa::path(
    tag = "idle-land",
    operation_id = "add_idle_case_step",
    params(("case_id" = i64, Path, description = "Case id")),
    request_body = StepTerms,
    responses((status = 201, body = CaseView), WriteProblems)
)]
#[post("/api/idle-cases/{case_id}/steps")]
pub async fn add_case_step(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    caller: Caller,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    authorize(&state, &caller, Of::IdleCase(id), Need::WriteParcels).await?;
    let terms: StepTerms = body.parse()?;
    let today = state.today();
    let stamp = state.stamp(&caller);
    let step = terms.check(today, stamp.clone())?;
    let view = state
        .run(move |c| {
            let case = ops::idle_cases::add_step(c, id, step, &stamp)?;
            Ok(views(c, &[case], today)?.remove(0))
        })
        .await?;
    json_response(StatusCode::CREATED, JSON, &view)
}
