//! Standard workshops through the HTTP API: construction against the deadline, units and
//! leases, occupancy and idle units, the map layers — on SQLite and PostGIS. The tests' "today"
//! is 2026-11-22; the deadline of the fixtures is 2026-10-31 ("确保10月份完工").

use crate::common;
use crate::common::fixtures::{
    create_enterprise, create_enterprise_named, create_parcel, create_park, parcel, polygon,
};
use crate::common::{Client, get, patch, post};
use serde_json::{Value, json};

/// A four-storey workshop (≈ 79 m × 55 m) at the south-west corner of the parcel at (x, y).
fn workshop(name: &str, x: f64, y: f64, milestones: Value) -> Value {
    json!({
        "type": "Feature",
        "geometry": polygon(x + 0.0001, y + 0.0001, x + 0.0009, y + 0.0006),
        "properties": {
            "name": name,
            "storeys": 4,
            "storey_heights_m": [7.5, 5.4, 5.4, 5.4],
            "floor_area_m2": 16_000.0,
            "floor_load_kn_m2": 8.0,
            "structure": "concrete_frame",
            "owner_name": "南城县工业园区投资发展有限公司",
            "responsible_unit": "园区建设局",
            "responsible_person": "李明",
            "deadline": "2026-10-31",
            "milestones": milestones
        }
    })
}

async fn build(svc: &Client, park: i64, code: &str, x: f64, milestones: Value) -> (i64, i64) {
    let p = create_parcel(svc, park, &parcel(code, x, 27.56, 0.002)).await["id"]
        .as_i64()
        .unwrap();
    let w = post(
        svc,
        &format!("/api/parcels/{p}/workshops"),
        &workshop(&format!("{code}号标准厂房"), x, 27.56, milestones),
    )
    .await
    .expect(201)
    .json();
    (p, w["id"].as_i64().unwrap())
}

fn started() -> Value {
    json!({"approval": {"actual": "2026-01-10"}, "start": {"planned": "2026-03-01", "actual": "2026-03-01"}, "completion": {"planned": "2026-10-20"}})
}

use crate::common::problem_fields as fields;

on_both_backends!(
    a_workshop_is_checked_against_its_parcel,
    |app: common::TestDb| async move {
        let svc = app.service().await;
        let park = create_park(&svc, "NCGY").await;
        let (p, w) = build(&svc, park, "A-1", 116.63, started()).await;
        let f = get(&svc, &format!("/api/workshops/{w}")).await.expect(200);
        assert_eq!(f.etag(), "\"1\"");
        let props = &f.json()["properties"];
        assert_eq!(props["structure_name"], "钢筋混凝土框架结构");
        assert_eq!(props["owner_kind"], "platform");
        assert_eq!(props["start_actual"], "2026-03-01");
        assert!(props["footprint_area_m2"].as_f64().unwrap() > 4_000.0);

        let url = format!("/api/parcels/{p}/workshops");
        let outside = json!({"type": "Feature", "geometry": polygon(116.6315, 27.5615, 116.6325, 27.5625), "properties": workshop("x", 0.0, 0.0, json!({}))["properties"]});
        let e = post(&svc, &url, &outside).await.problem(422);
        assert!(
            e["detail"].as_str().unwrap().contains("outside parcel A-1"),
            "{e}"
        );
        let e = post(&svc, &url, &workshop("重叠", 116.63, 27.56, json!({})))
            .await
            .problem(409);
        assert!(
            e["detail"].as_str().unwrap().contains("overlaps workshop"),
            "{e}"
        );
        let mut absurd = workshop("x", 116.6305, 27.5605, json!({}));
        absurd["properties"]["floor_area_m2"] = json!(900_000.0);
        absurd["properties"]["floor_load_kn_m2"] = json!(-5.0);
        absurd["properties"]["storey_heights_m"] = json!([7.5]);
        let e = post(&svc, &url, &absurd).await.problem(422);
        assert_eq!(
            fields(&e),
            [
                "properties.storey_heights_m",
                "properties.floor_area_m2",
                "properties.floor_load_kn_m2"
            ]
        );
        let order =
            json!({"start": {"actual": "2026-03-01"}, "topping_out": {"actual": "2026-02-01"}});
        let e = post(&svc, &url, &workshop("x", 116.6305, 27.5605, order))
            .await
            .problem(422);
        assert!(
            fields(&e).contains(&"properties.milestones.topping_out.actual".to_owned()),
            "{e}"
        );
        let future = json!({"approval": {"actual": "2026-11-23"}});
        let e = post(&svc, &url, &workshop("x", 116.6305, 27.5605, future))
            .await
            .problem(422);
        assert!(
            e["detail"].as_str().unwrap().contains("in the future"),
            "{e}"
        );
        let items = get(&svc, "/collections/workshops/items")
            .await
            .expect(200)
            .json();
        assert_eq!(items["numberMatched"], 1, "nothing was written");
    }
);

on_both_backends!(
    deadline_status_at_its_boundaries,
    |app: common::TestDb| async move {
        let svc = app.service().await;
        let park = create_park(&svc, "NCGY").await;
        let (_, w) = build(&svc, park, "A-1", 116.63, started()).await;
        let at = |day: &str| {
            let (svc, day) = (&svc, day.to_owned());
            async move {
                get(svc, &format!("/api/workshops/{w}?as_of={day}"))
                    .await
                    .expect(200)
                    .json()["properties"]
                    .clone()
            }
        };
        let table = [
            ("2026-02-01", "not_started", json!(272), json!(null)),
            ("2026-09-30", "on_track", json!(31), json!(null)),
            ("2026-10-01", "at_risk", json!(30), json!(null)),
            ("2026-10-31", "at_risk", json!(0), json!(null)),
            ("2026-11-01", "overdue", json!(null), json!(1)),
        ];
        for (day, status, left, late) in table {
            let p = at(day).await;
            assert_eq!(p["deadline_status"], status, "{day}: {p}");
            assert_eq!(
                (p["days_left"].clone(), p["days_late"].clone()),
                (left, late),
                "{day}"
            );
        }
        assert_eq!(
            at("2026-10-01").await["missing_milestones"],
            json!(["topping_out"])
        );
        assert_eq!(at("2026-10-01").await["deadline_status_name"], "有逾期风险");

        // Topped out: no longer at risk; completed three days late.
        let etag = get(&svc, &format!("/api/workshops/{w}")).await.etag();
        let r = patch(
            &svc,
            &format!("/api/workshops/{w}"),
            &etag,
            &json!({"properties": {"milestones": {"topping_out": {"actual": "2026-08-15"}}}}),
        )
        .await
        .expect(200);
        assert_eq!(at("2026-10-01").await["deadline_status"], "on_track");
        let e = patch(
            &svc,
            &format!("/api/workshops/{w}"),
            &r.etag(),
            &json!({"properties": {"milestones": {"handover": {"actual": "2026-11-10"}}}}),
        )
        .await
        .problem(422);
        assert!(
            e["detail"].as_str().unwrap().contains("竣工"),
            "handover before completion: {e}"
        );
        patch(
            &svc,
            &format!("/api/workshops/{w}"),
            &r.etag(),
            &json!({"properties": {"milestones": {"completion": {"actual": "2026-11-03"}}}}),
        )
        .await
        .expect(200);
        let p = at("2026-11-22").await;
        assert_eq!(
            (p["deadline_status"].as_str(), p["days_late"].as_i64()),
            (Some("completed_late"), Some(3))
        );
        assert_eq!(p["percent_complete"], 100.0);
        assert_eq!(
            at("2026-11-02").await["deadline_status"],
            "overdue",
            "last month's view"
        );
        patch(
            &svc,
            &format!("/api/workshops/{w}"),
            "\"1\"",
            &json!({"properties": {"name": "x"}}),
        )
        .await
        .problem(412);
    }
);

on_both_backends!(
    the_deadline_list_across_parks,
    |app: common::TestDb| async move {
        let svc = app.service().await;
        let a = create_park(&svc, "NCGY").await;
        let b = common::fixtures::create_park_in(&svc, "LCGY", "361002").await;
        build(&svc, a, "A-1", 116.63, started()).await;
        let (_, done) = build(&svc, a, "A-2", 116.635, json!({"approval": {"actual": "2026-01-10"}, "start": {"actual": "2026-02-01"}, "topping_out": {"actual": "2026-06-01"}, "completion": {"actual": "2026-10-30"}})).await;
        let (_, later) = build(&svc, b, "B-1", 116.64, json!({})).await;
        let etag = get(&svc, &format!("/api/workshops/{later}")).await.etag();
        patch(
            &svc,
            &format!("/api/workshops/{later}"),
            &etag,
            &json!({"properties": {"deadline": "2026-12-10"}}),
        )
        .await
        .expect(200);

        let list = get(&svc, "/api/workshop-deadlines?as_of=2026-11-22")
            .await
            .expect(200)
            .json();
        let names: Vec<&str> = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["name"].as_str().unwrap())
            .collect();
        assert_eq!(
            names,
            ["A-1号标准厂房", "B-1号标准厂房"],
            "overdue first, then due within 30 days; the completed one is not listed"
        );
        assert_eq!(
            (list["overdue"].as_i64(), list["due_soon"].as_i64()),
            (Some(1), Some(1))
        );
        assert_eq!(list["items"][0]["days_late"], 22);
        let _ = done;
        let narrow = get(
            &svc,
            "/api/workshop-deadlines?as_of=2026-11-22&within_days=7",
        )
        .await
        .expect(200)
        .json();
        assert_eq!(narrow["items"].as_array().unwrap().len(), 1);
        let own = app
            .service_as(app.token_for(
                "committee",
                parkland::domain::access::Role::Committee,
                None,
                &[a],
            ))
            .await;
        let mine = get(&own, "/api/workshop-deadlines?as_of=2026-11-22")
            .await
            .expect(200)
            .json();
        assert_eq!(
            mine["items"].as_array().unwrap().len(),
            1,
            "a committee sees its own park"
        );
        get(&own, &format!("/api/workshop-deadlines?park_id={b}"))
            .await
            .problem(403);
        get(&svc, "/api/workshop-deadlines?within_days=-1")
            .await
            .problem(400);
    }
);

async fn unit(svc: &Client, w: i64, floor: i32, section: &str, area: f64) -> i64 {
    post(
        svc,
        &format!("/api/workshops/{w}/units"),
        &json!({"floor": floor, "section": section, "area_m2": area}),
    )
    .await
    .expect(201)
    .json()["id"]
        .as_i64()
        .unwrap()
}

fn lease(enterprise: i64, start: &str, end: &str, rent: f64) -> Value {
    json!({"enterprise_id": enterprise, "start_date": start, "end_date": end, "rent_yuan_per_m2_month": rent})
}

on_both_backends!(
    units_leases_and_occupancy,
    |app: common::TestDb| async move {
        let svc = app.service().await;
        let park = create_park(&svc, "NCGY").await;
        let built = json!({"approval": {"actual": "2025-01-10"}, "start": {"actual": "2025-02-01"}, "topping_out": {"actual": "2025-06-01"}, "completion": {"actual": "2025-09-30"}});
        let (_, w) = build(&svc, park, "A-1", 116.63, built).await;
        let e = create_enterprise(&svc).await;
        let u1 = unit(&svc, w, 1, "A区", 1_200.0).await;
        let u2 = unit(&svc, w, 1, "B区", 800.0).await;
        let u3 = unit(&svc, w, 2, "", 2_000.0).await;
        let bad = post(
            &svc,
            &format!("/api/workshops/{w}/units"),
            &json!({"floor": 5, "area_m2": 100.0}),
        )
        .await
        .problem(422);
        assert!(
            bad["detail"].as_str().unwrap().contains("floors 1 to 4"),
            "{bad}"
        );
        let bad = post(
            &svc,
            &format!("/api/workshops/{w}/units"),
            &json!({"floor": 3, "area_m2": 15_000.0}),
        )
        .await
        .problem(422);
        assert!(
            bad["detail"]
                .as_str()
                .unwrap()
                .contains("16000 m² building"),
            "{bad}"
        );
        post(
            &svc,
            &format!("/api/workshops/{w}/units"),
            &json!({"floor": 1, "section": "A区", "area_m2": 10.0}),
        )
        .await
        .problem(409);
        post(
            &svc,
            &format!("/api/workshops/{w}/units"),
            &json!({"floor": 3, "area_m2": -1.0}),
        )
        .await
        .problem(422);

        let l1 = post(
            &svc,
            &format!("/api/units/{u1}/leases"),
            &lease(e, "2026-01-01", "2026-12-31", 12.5),
        )
        .await
        .expect(201)
        .json();
        assert_eq!(l1["rent_yuan_per_m2_month"], 12.5);
        assert_eq!(l1["enterprise_name"], "江西赣电科技有限公司");
        let clash = post(
            &svc,
            &format!("/api/units/{u1}/leases"),
            &lease(e, "2026-12-31", "2027-12-31", 12.5),
        )
        .await
        .problem(409);
        assert!(
            clash["detail"].as_str().unwrap().contains("shares days"),
            "{clash}"
        );
        let p = post(
            &svc,
            &format!("/api/units/{u2}/leases"),
            &lease(e, "2026-07-01", "2026-06-30", 10.0),
        )
        .await
        .problem(422);
        assert_eq!(fields(&p), ["end_date"], "a lease ending before it starts");
        let p = post(
            &svc,
            &format!("/api/units/{u2}/leases"),
            &lease(e, "2026-07-01", "2027-06-30", 10.123),
        )
        .await
        .problem(422);
        assert_eq!(fields(&p), ["rent_yuan_per_m2_month"]);
        post(
            &svc,
            &format!("/api/units/{u2}/leases"),
            &lease(e, "2026-07-01", "2027-06-30", 9999.0),
        )
        .await
        .problem(422);
        post(
            &svc,
            &format!("/api/units/{u2}/leases"),
            &lease(9999, "2026-07-01", "2027-06-30", 10.0),
        )
        .await
        .problem(422);
        post(
            &svc,
            &format!("/api/units/{u2}/leases"),
            &lease(e, "2026-07-01", "2027-06-30", 10.0),
        )
        .await
        .expect(201);

        // Occupancy: 1,200 + 800 of 4,000 m² on 2026-08-01; 1,200 on 2026-03-01.
        let o = get(&svc, "/api/occupancy?as_of=2026-08-01")
            .await
            .expect(200)
            .json();
        assert_eq!(
            (
                o["all"]["leased_area_m2"].as_f64(),
                o["all"]["unit_area_m2"].as_f64()
            ),
            (Some(2_000.0), Some(4_000.0))
        );
        assert_eq!(o["all"]["occupancy_pct"], 50.0);
        assert_eq!(o["by_building"][0]["occupancy_pct"], 50.0);
        assert_eq!(o["by_park"][0]["occupancy_pct"], 50.0);
        let o = get(&svc, "/api/occupancy?as_of=2026-03-01")
            .await
            .expect(200)
            .json();
        assert_eq!(o["all"]["occupancy_pct"], 30.0);
        let units = get(&svc, &format!("/api/workshops/{w}/units?as_of=2026-03-01"))
            .await
            .expect(200)
            .json();
        assert_eq!(units[0]["lease"]["enterprise_name"], "江西赣电科技有限公司");
        assert_eq!(units[0]["storey_height_m"], 7.5);

        // Idle units: completed 2025-09-30; u3 never leased, u2 empty until 2026-07-01.
        let idle = get(&svc, "/api/idle-units?as_of=2026-05-01")
            .await
            .expect(200)
            .json();
        let ids: Vec<i64> = idle["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["unit_id"].as_i64().unwrap())
            .collect();
        assert_eq!(ids, [u2, u3], "both empty 213 days");
        assert_eq!(idle["items"][0]["vacant_days"], 213);
        assert_eq!(idle["all"]["area_m2"], 2_800.0);
        // Floor space is not land: no 亩 on units or their totals.
        assert!(idle["all"].get("area_mu").is_none());
        assert!(idle["items"][0].get("area_mu").is_none());
        let idle = get(&svc, "/api/idle-units?as_of=2026-03-29")
            .await
            .expect(200)
            .json();
        assert_eq!(
            idle["all"]["count"], 0,
            "180 days exactly is not over the limit"
        );
        let w_props = get(&svc, &format!("/api/workshops/{w}?as_of=2026-05-01"))
            .await
            .expect(200)
            .json()["properties"]
            .clone();
        assert_eq!(
            (
                w_props["idle_units"].as_i64(),
                w_props["idle_area_m2"].as_f64()
            ),
            (Some(2), Some(2_800.0))
        );

        // Ending a lease early frees the unit from the next day.
        let l1 = l1["id"].as_i64().unwrap();
        post(
            &svc,
            &format!("/api/leases/{l1}/end"),
            &json!({"last_day": "2027-01-05"}),
        )
        .await
        .problem(422);
        post(
            &svc,
            &format!("/api/leases/{l1}/end"),
            &json!({"last_day": "2026-09-30"}),
        )
        .await
        .expect(200);
        post(
            &svc,
            &format!("/api/units/{u1}/leases"),
            &lease(e, "2026-10-01", "2027-09-30", 13.0),
        )
        .await
        .expect(201);
    }
);

on_both_backends!(
    two_requests_for_one_unit_exactly_one_wins,
    |app: common::TestDb| async move {
        let svc = app.service().await;
        let park = create_park(&svc, "NCGY").await;
        let (_, w) = build(&svc, park, "A-1", 116.63, started()).await;
        let e1 = create_enterprise(&svc).await;
        let e2 = create_enterprise_named(&svc, "南城县鑫达电机有限公司", 2).await;
        let u = unit(&svc, w, 1, "", 1_000.0).await;
        for round in 0..3 {
            let year = 2027 + round * 2;
            let (a, b) = futures_util::future::join(
                post(
                    &svc,
                    &format!("/api/units/{u}/leases"),
                    &lease(e1, &format!("{year}-01-01"), &format!("{year}-12-31"), 12.0),
                ),
                post(
                    &svc,
                    &format!("/api/units/{u}/leases"),
                    &lease(
                        e2,
                        &format!("{year}-06-01"),
                        &format!("{}-05-31", year + 1),
                        12.0,
                    ),
                ),
            )
            .await;
            let mut statuses = [a.status.as_u16(), b.status.as_u16()];
            statuses.sort();
            assert_eq!(
                statuses,
                [201, 409],
                "round {round}: {} / {}",
                a.text(),
                b.text()
            );
        }
        let leases = get(&svc, &format!("/api/units/{u}/leases"))
            .await
            .expect(200)
            .json();
        assert_eq!(leases.as_array().unwrap().len(), 3);
    }
);

on_both_backends!(
    the_public_sees_free_units_never_tenants_or_rents,
    |app: common::TestDb| async move {
        let svc = app.service().await;
        let park = create_park(&svc, "NCGY").await;
        let built = json!({"approval": {"actual": "2025-01-10"}, "start": {"actual": "2025-02-01"}, "topping_out": {"actual": "2025-06-01"}, "completion": {"actual": "2025-09-30"}, "acceptance": {"actual": "2025-10-10"}, "handover": {"actual": "2025-10-15"}});
        let (_, w) = build(&svc, park, "A-1", 116.63, built).await;
        let (_, not_built) = build(&svc, park, "A-2", 116.635, started()).await;
        unit(&svc, not_built, 1, "", 500.0).await;
        let e = create_enterprise(&svc).await;
        let leased = unit(&svc, w, 1, "A区", 1_200.0).await;
        let free = unit(&svc, w, 2, "", 2_000.0).await;
        post(
            &svc,
            &format!("/api/units/{leased}/leases"),
            &lease(e, "2026-01-01", "2027-12-31", 12.5),
        )
        .await
        .expect(201);

        let anon = app.anonymous().await;
        let items = get(&anon, "/collections/available-units/items")
            .await
            .expect(200);
        let text = items.text();
        for private in ["enterprise", "rent", "江西赣电", "tenant", "lease"] {
            assert!(
                !text.contains(private),
                "the public view shows {private}: {text}"
            );
        }
        let items = items.json();
        assert_eq!(
            items["numberMatched"], 1,
            "the leased unit and the unfinished building are not offered"
        );
        let p = &items["features"][0]["properties"];
        assert_eq!(
            (
                p["unit_id"].as_i64(),
                p["floor"].as_i64(),
                p["area_m2"].as_f64()
            ),
            (Some(free), Some(2), Some(2_000.0))
        );
        assert_eq!(
            (
                p["storey_height_m"].as_f64(),
                p["floor_load_kn_m2"].as_f64()
            ),
            (Some(5.4), Some(8.0))
        );
        assert_eq!(p["available_from"], "2025-10-15");
        get(&anon, &format!("/collections/available-units/items/{free}"))
            .await
            .expect(200);
        get(
            &anon,
            &format!("/collections/available-units/items/{leased}"),
        )
        .await
        .problem(404);
        get(&anon, "/collections/workshops/items")
            .await
            .problem(401);
        get(&anon, "/api/occupancy").await.problem(401);

        let layer = get(
            &svc,
            "/collections/workshops/items?deadline_status=completed_on_time",
        )
        .await
        .expect(200)
        .json();
        assert_eq!(layer["numberMatched"], 1);
        let props = &layer["features"][0]["properties"];
        assert_eq!(
            (
                props["occupancy_pct"].as_f64(),
                props["percent_complete"].as_f64()
            ),
            (Some(37.5), Some(100.0))
        );
        get(&svc, "/collections/workshops/items?deadline_status=late")
            .await
            .problem(400);
    }
);
