//! The audit trail is tamper-evident: entries are chained by hashes, and `audit verify` (the
//! command and the administrators' endpoint) names the first entry where an alteration, a
//! removal or an entry written around the application breaks the chain. History tables are
//! append-only like the trail itself.

use crate::common;
use crate::common::fixtures::{create_parcel, create_park, parcel};
use crate::common::{get, patch};
use diesel::connection::SimpleConnection;
use parkland::store::{AnyConnection, Backend};
use serde_json::{Value, json};
use std::process::Command;

/// Take away the trail's protection, as someone with the database's password could.
fn drop_guards(conn: &mut AnyConnection) {
    let sql = match conn.backend() {
        Backend::Sqlite => "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;",
        Backend::Postgres => "DROP TRIGGER audit_log_no_change ON audit_log;",
    };
    conn.batch_execute(sql).expect("drop the triggers");
}

async fn some_history(app: &common::TestDb) -> Vec<i64> {
    let admin = app.service().await;
    let park = create_park(&admin, "NCGY").await;
    let p = create_parcel(&admin, park, &parcel("A-1", 116.63, 27.56, 0.002)).await;
    let uri = format!("/api/parcels/{}", p["id"]);
    for name in ["一号地", "二号地", "三号地"] {
        patch(&admin, &uri, "*", &json!({"properties": {"name": name}}))
            .await
            .expect(200);
    }
    let trail = get(&admin, "/api/audit?limit=100").await.expect(200).json();
    let mut ids: Vec<i64> = trail["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_i64().unwrap())
        .collect();
    ids.sort_unstable();
    ids
}

async fn verify(app: &common::TestDb) -> Value {
    get(&app.service().await, "/api/audit/verify")
        .await
        .expect(200)
        .json()
}

fn verify_command(app: &common::TestDb) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_parkland"))
        .args(["audit", "verify"])
        .env("DATABASE_URL", &app.url)
        .output()
        .expect("run parkland")
}

on_both_backends!(an_untouched_chain_holds, |app: common::TestDb| async move {
    let ids = some_history(&app).await;
    let v = verify(&app).await;
    assert_eq!(v["intact"], true, "{v}");
    assert_eq!(v["entries"], ids.len() as i64);
    let out = verify_command(&app);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("the audit chain holds"));
    // Only administrators walk the chain.
    let bureau = app
        .service_as(app.token_for(
            "nc.bureau",
            parkland::domain::access::Role::Bureau,
            Some("361021"),
            &[],
        ))
        .await;
    get(&bureau, "/api/audit/verify").await.problem(403);
});

on_both_backends!(
    an_altered_entry_is_found,
    |app: common::TestDb| async move {
        let ids = some_history(&app).await;
        let victim = ids[2];
        let mut conn = app.conn();
        drop_guards(&mut conn);
        conn.batch_execute(&format!(
            "UPDATE audit_log SET after = '{{\"name\":\"篡改\"}}' WHERE id = {victim}"
        ))
        .unwrap();
        let v = verify(&app).await;
        assert_eq!(v["intact"], false);
        assert_eq!(v["first_broken"]["id"], victim, "{v}");
        assert!(
            v["first_broken"]["reason"]
                .as_str()
                .unwrap()
                .contains("changed after it was recorded"),
            "{v}"
        );
        let out = verify_command(&app);
        assert!(!out.status.success(), "the command fails on a broken chain");
        assert!(
            String::from_utf8_lossy(&out.stdout).contains(&format!("broken at entry {victim}")),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
);

on_both_backends!(
    a_removed_entry_is_found_at_the_next,
    |app: common::TestDb| async move {
        let ids = some_history(&app).await;
        let mut conn = app.conn();
        drop_guards(&mut conn);
        conn.batch_execute(&format!("DELETE FROM audit_log WHERE id = {}", ids[1]))
            .unwrap();
        let v = verify(&app).await;
        assert_eq!(v["first_broken"]["id"], ids[2], "{v}");
        assert!(
            v["first_broken"]["reason"]
                .as_str()
                .unwrap()
                .contains("removed or changed"),
            "{v}"
        );
    }
);

/// The last entry's link, as a forger reading the database would.
fn head(conn: &mut AnyConnection) -> String {
    #[derive(diesel::QueryableByName)]
    struct Head {
        #[diesel(sql_type = diesel::sql_types::Text)]
        hash: String,
    }
    let h: Head = diesel::RunQueryDsl::get_result(
        diesel::sql_query("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1"),
        conn,
    )
    .expect("the head");
    h.hash
}

/// Append an entry by hand, linked correctly with plain SHA-256, dated `at`.
fn forge(conn: &mut AnyConnection, at: chrono::NaiveDateTime) {
    let prev = head(conn);
    let content = parkland::store::audit::Content {
        at,
        actor: "nc.bureau".into(),
        actor_id: None,
        action: "update".into(),
        entity: "parcel".into(),
        entity_id: Some(1),
        park_id: None,
        before: None,
        after: None,
    };
    let hash = content.link(&prev, None);
    conn.batch_execute(&format!(
        "INSERT INTO audit_log (at, actor, action, entity, entity_id, prev_hash, hash) \
         VALUES ('{}', 'nc.bureau', 'update', 'parcel', 1, '{prev}', '{hash}')",
        at.format("%Y-%m-%d %H:%M:%S%.6f")
    ))
    .expect("a forged entry");
}

on_both_backends!(
    an_entry_written_around_the_application_is_found,
    |app: common::TestDb| async move {
        let ids = some_history(&app).await;
        let mut conn = app.conn();
        // No link at all, dated after the last entry.
        conn.batch_execute(
            "INSERT INTO audit_log (at, actor, action, entity, entity_id) \
             VALUES ('2030-01-01 09:00:00', 'nc.bureau', 'update', 'parcel', 1)",
        )
        .unwrap();
        let v = verify(&app).await;
        assert!(
            v["first_broken"]["id"].as_i64().unwrap() > *ids.last().unwrap(),
            "{v}"
        );
        assert!(
            v["first_broken"]["reason"]
                .as_str()
                .unwrap()
                .contains("written around the application"),
            "{v}"
        );
    }
);

on_both_backends!(
    a_back_dated_entry_is_found_even_with_a_correct_link,
    |app: common::TestDb| async move {
        some_history(&app).await;
        let mut conn = app.conn();
        let back = chrono::NaiveDate::from_ymd_opt(2025, 1, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .unwrap();
        forge(&mut conn, back);
        let v = verify(&app).await;
        assert!(
            v["first_broken"]["reason"]
                .as_str()
                .unwrap()
                .contains("dated before the one ahead of it"),
            "{v}"
        );
    }
);

on_both_backends!(
    a_keyed_chain_cannot_be_extended_by_hand,
    |app: common::TestDb| async move {
        let key = "县自然资源局审计链密钥-2026";
        let run = |args: &[&str], with_key: bool| {
            let mut c = Command::new(env!("CARGO_BIN_EXE_parkland"));
            c.args(args).env("DATABASE_URL", &app.url);
            if with_key {
                c.env("PARKLAND_AUDIT_KEY", key);
            }
            c.output().expect("run parkland")
        };
        let out = run(&["user", "add", "nc.desk", "--role", "admin"], true);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let out = run(&["audit", "verify"], true);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
        let out = run(&["audit", "verify"], false);
        assert!(
            !out.status.success(),
            "keyed links unchecked without the key"
        );
        assert!(String::from_utf8_lossy(&out.stdout).contains("PARKLAND_AUDIT_KEY"));

        // A forger with the database's password, but not the key, appends a well-formed entry.
        let mut conn = app.conn();
        let later = chrono::NaiveDate::from_ymd_opt(2030, 1, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .unwrap();
        forge(&mut conn, later);
        let out = run(&["audit", "verify"], true);
        assert!(!out.status.success());
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("not keyed although the chain was"),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
);

on_both_backends!(history_is_append_only, |app: common::TestDb| async move {
    some_history(&app).await;
    let admin = app.service().await;
    let enterprise = common::fixtures::create_enterprise(&admin).await;
    let supply = common::fixtures::create_supply(&admin, 1, enterprise).await;
    common::post(
            &admin,
            &format!("/api/supplies/{supply}/facts"),
            &json!({"kind": "construction_permit", "date": "2023-02-01", "permit_no": "361021202302010101"}),
        )
        .await
        .expect(201);
    let mut conn = app.conn();
    for sql in [
        "DELETE FROM parcel_versions",
        "UPDATE parcel_versions SET note = 'rewritten'",
        "DELETE FROM supply_facts",
        "UPDATE supply_facts SET note = 'rewritten'",
        "DELETE FROM audit_log",
        "UPDATE audit_log SET actor = 'someone else'",
    ] {
        let e = conn
            .batch_execute(sql)
            .expect_err(&format!("{sql} was allowed"));
        assert!(e.to_string().contains("append-only"), "{sql}: {e}");
    }
    assert_eq!(verify(&app).await["intact"], true);
});

on_both_backends!(
    a_trail_from_before_the_chain_is_covered_by_its_first_link,
    |app: common::TestDb| async move {
        // Entries as an earlier version wrote them: no hashes.
        let mut conn = app.conn();
        conn.batch_execute(
            "INSERT INTO audit_log (at, actor, action, entity, entity_id, after) VALUES \
             ('2026-11-01 09:00:00', 'cli:root', 'create', 'user', 1, '{\"name\":\"admin\"}'); \
             INSERT INTO audit_log (at, actor, action, entity, entity_id) VALUES \
             ('2026-11-02 09:00:00', 'admin', 'create', 'park', 1);",
        )
        .unwrap();
        let ids = some_history(&app).await;
        let v = verify(&app).await;
        assert_eq!(
            (v["intact"].as_bool(), v["before_chain"].as_i64()),
            (Some(true), Some(2)),
            "{v}"
        );
        drop_guards(&mut conn);
        conn.batch_execute(&format!("DELETE FROM audit_log WHERE id = {}", ids[0]))
            .unwrap();
        let v = verify(&app).await;
        assert_eq!(
            v["intact"], false,
            "removing an entry from before the chain is seen: {v}"
        );
    }
);
