//! Realistic test data: a park near 南城县 (116.64°E, 27.56°N) in CGCS2000 lon/lat, its zones,
//! and parcels laid on a grid inside it.

use super::{Client, Resp, post};
use serde_json::{Value, json};

/// The park: 0.04° × 0.03° (≈ 3.95 km × 3.33 km) south-west corner at 116.62°E 27.55°N.
pub const PARK: (f64, f64, f64, f64) = (116.62, 27.55, 116.66, 27.58);

/// A closed lon/lat rectangle ring.
pub fn ring(x0: f64, y0: f64, x1: f64, y1: f64) -> Value {
    json!([[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]])
}

pub fn polygon(x0: f64, y0: f64, x1: f64, y1: f64) -> Value {
    json!({"type": "Polygon", "coordinates": [ring(x0, y0, x1, y1)]})
}

pub fn park_feature(code: &str) -> Value {
    let (x0, y0, x1, y1) = PARK;
    json!({
        "type": "Feature",
        "geometry": polygon(x0, y0, x1, y1),
        "properties": {
            "code": code,
            "name": "南城县工业园区",
            "admin_code": "361021",
            "industries": ["C39", "38", "27"],
            "description": "以电子信息、机电制造、生物医药为主导产业"
        }
    })
}

/// East zone: the eastern half of the park.
pub fn east_zone() -> Value {
    json!({
        "type": "Feature",
        "geometry": polygon(116.64, 27.55, 116.66, 27.58),
        "properties": {"code": "EAST", "name": "东片区", "industries": ["C39"], "settings": {"min_investment_intensity_wan_per_mu": 250.0}}
    })
}

/// A parcel feature: a `d`° square at (x, y).
pub fn parcel(code: &str, x: f64, y: f64, d: f64) -> Value {
    json!({
        "type": "Feature",
        "geometry": polygon(x, y, x + d, y + d),
        "properties": {
            "code": code,
            "name": format!("{code}号地块"),
            "land_use": "100101",
            "status": "available",
            "far_min": 1.0,
            "far_max": 2.5,
            "building_density_min_pct": 40.0,
            "green_ratio_max_pct": 15.0,
            "height_max_m": 24.0,
            "infrastructure": ["water_supply", "drainage", "power", "road"],
            "site_levelled": true,
            "clearances": ["rights_clear", "resettled", "undisputed"]
        }
    })
}

pub async fn create_park(svc: &Client, code: &str) -> i64 {
    let r: Resp = post(svc, "/api/parks", &park_feature(code))
        .await
        .expect(201);
    r.json()["id"].as_i64().expect("park id")
}

pub async fn create_parcel(svc: &Client, park: i64, feature: &Value) -> Value {
    post(svc, &format!("/api/parks/{park}/parcels"), feature)
        .await
        .expect(201)
        .json()
}

/// A park like [`park_feature`] in another administrative division (e.g. `361002`, 临川区).
pub async fn create_park_in(svc: &Client, code: &str, admin_code: &str) -> i64 {
    let mut f = park_feature(code);
    f["properties"]["admin_code"] = json!(admin_code);
    post(svc, "/api/parks", &f).await.expect(201).json()["id"]
        .as_i64()
        .expect("park id")
}

/// A checked 统一社会信用代码 for test enterprise `n` (a Nancheng registration).
pub fn uscc(n: u32) -> String {
    parkland::domain::uscc::with_check(&format!("91361021MA35{n:05}")).expect("17-character stem")
}

/// 江西赣电科技有限公司, an above-scale electronics maker; returns its id.
pub async fn create_enterprise(svc: &Client) -> i64 {
    create_enterprise_named(svc, "江西赣电科技有限公司", 1).await
}

pub async fn create_enterprise_named(svc: &Client, name: &str, n: u32) -> i64 {
    let body = json!({"name": name, "uscc": uscc(n), "industry": "C3911", "above_scale": true});
    post(svc, "/api/enterprises", &body)
        .await
        .expect(201)
        .json()["id"]
        .as_i64()
        .expect("enterprise id")
}

/// The terms of a listed transfer (挂牌出让) signed 2022-01-10 for 1837.5 万元: start agreed
/// for 2023-03-01, completion 2024-12-31, production 2025-06-30, 1.2 亿元 in all.
pub fn supply_terms(enterprise: i64) -> Value {
    json!({
        "enterprise_id": enterprise,
        "method": "transfer_listing",
        "contract_no": "南城出让〔2022〕15号",
        "contract_date": "2022-01-10",
        "land_price_yuan": 18_375_000,
        "term_years": 50,
        "agreed_start": "2023-03-01",
        "agreed_completion": "2024-12-31",
        "agreed_production": "2025-06-30",
        "total_investment_yuan": 120_000_000,
        "indicators": {"investment_intensity_wan_per_mu": 200.0, "far": 1.2, "tax_per_mu_wan": 15.0}
    })
}

/// Supply a parcel with [`supply_terms`]; returns the supply's id.
pub async fn create_supply(svc: &Client, parcel: i64, enterprise: i64) -> i64 {
    post(
        svc,
        &format!("/api/parcels/{parcel}/supplies"),
        &supply_terms(enterprise),
    )
    .await
    .expect(201)
    .json()["id"]
        .as_i64()
        .expect("supply id")
}

/// A completed four-storey workshop on the parcel at (x, y) (the south-west corner of
/// [`parcel`]'s square), with one unit leased to `enterprise`; returns the workshop, unit and
/// lease ids. The parcel must be the 0.002° square of the access fixtures at 116.63, 27.56.
pub async fn create_leased_workshop(svc: &Client, parcel: i64, enterprise: i64) -> (i64, i64, i64) {
    let feature = json!({
        "type": "Feature",
        "geometry": polygon(116.6301, 27.5601, 116.6309, 27.5606),
        "properties": {
            "name": "1号标准厂房", "storeys": 3, "storey_heights_m": [7.5, 5.4, 5.4],
            "floor_area_m2": 12_000.0, "floor_load_kn_m2": 8.0, "structure": "concrete_frame",
            "owner_name": "南城县工业园区投资发展有限公司", "responsible_unit": "园区建设局",
            "deadline": "2025-10-31",
            "milestones": {"approval": {"actual": "2025-01-10"}, "start": {"actual": "2025-02-01"},
                           "topping_out": {"actual": "2025-06-01"}, "completion": {"actual": "2025-09-30"}}
        }
    });
    let workshop = post(svc, &format!("/api/parcels/{parcel}/workshops"), &feature)
        .await
        .expect(201)
        .json()["id"]
        .as_i64()
        .expect("workshop id");
    let unit = post(
        svc,
        &format!("/api/workshops/{workshop}/units"),
        &json!({"floor": 1, "section": "A区", "area_m2": 2000.0}),
    )
    .await
    .expect(201)
    .json()["id"]
        .as_i64()
        .expect("unit id");
    let lease = post(
        svc,
        &format!("/api/units/{unit}/leases"),
        &json!({"enterprise_id": enterprise, "start_date": "2026-01-01", "end_date": "2026-12-31", "rent_yuan_per_m2_month": 12.5}),
    )
    .await
    .expect(201)
    .json()["id"]
        .as_i64()
        .expect("lease id");
    (workshop, unit, lease)
}

/// 招商局 (with a 2026 plan of 5 亿元) and its project 年产500万套光电显示模组项目 in the park,
/// signed for 1.2 亿元; returns (investment unit id, project id).
pub async fn create_project(svc: &Client, park: i64) -> (i64, i64) {
    let unit = post(
        svc,
        "/api/investment-units",
        &json!({"name": "县招商局", "kind": "department"}),
    )
    .await
    .expect(201)
    .json()["id"]
        .as_i64()
        .expect("unit id");
    post(
        svc,
        &format!("/api/investment-units/{unit}/plans"),
        &json!({"year": 2026, "fixed_asset_plan_wan_yuan": 50_000.0}),
    )
    .await
    .expect(200);
    let project = post(
        svc,
        &format!("/api/parks/{park}/projects"),
        &project_body(unit),
    )
    .await
    .expect(201)
    .json()["id"]
        .as_i64()
        .expect("project id");
    (unit, project)
}

/// A signed electronics project of 1.2 亿元 (1 亿 fixed assets) needing 60 亩.
pub fn project_body(unit: i64) -> Value {
    json!({
        "name": "年产500万套光电显示模组项目",
        "enterprise_name": "深圳某光电科技有限公司",
        "industry": "C3976",
        "signed_investment_wan_yuan": 12_000.0,
        "fixed_asset_investment_wan_yuan": 10_000.0,
        "land_demand_mu": 60.0,
        "responsible_unit_id": unit,
        "stage": "signed",
        "stage_date": "2026-03-10"
    })
}

/// An applicant's application for a plot: 1.5 亿元 of fixed assets, an electronics maker.
pub fn application_for(parcel: i64) -> Value {
    json!({
        "parcel_id": parcel,
        "project_name": "智能终端模组生产基地",
        "enterprise_name": "东莞某智能科技有限公司",
        "industry": "C3919",
        "fixed_asset_investment_wan_yuan": 15_000.0
    })
}
