//! The command line on a fresh install: make the first administrator and a token, then use it
//! against the service. Runs the real binary against the test's own database.

use crate::common;
use crate::common::get;
use std::process::Command;

fn parkland(url: &str, args: &[&str]) -> std::process::Output {
    parkland_with(url, args, &[])
}

fn parkland_with(url: &str, args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_parkland"))
        .args(args)
        .env("DATABASE_URL", url)
        .env("USER", "operator")
        .envs(env.iter().copied())
        .output()
        .expect("run parkland")
}

on_both_backends!(
    the_first_administrator_from_the_command_line,
    |app: common::TestDb| async move {
        let out = parkland(
            &app.url,
            &[
                "user",
                "add",
                "root.admin",
                "--role",
                "admin",
                "--display-name",
                "系统管理员",
            ],
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let out = parkland(
            &app.url,
            &[
                "token",
                "create",
                "--user",
                "root.admin",
                "--name",
                "first login",
                "--expires",
                "2027-12-31",
            ],
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let secret = String::from_utf8(out.stdout).unwrap().trim().to_owned();
        assert!(
            secret.starts_with("pkl_") && secret.len() == 68,
            "only the secret on stdout: {secret}"
        );
        assert!(String::from_utf8_lossy(&out.stderr).contains("shown only now"));

        let admin = app.service_as(secret.clone()).await;
        let me = get(&admin, "/api/me").await.expect(200).json();
        assert_eq!(
            (me["name"].as_str(), me["role"].as_str()),
            (Some("root.admin"), Some("admin"))
        );
        let audit = get(&admin, "/api/audit?entity=user").await.json();
        assert_eq!(
            audit["entries"][0]["actor"], "cli:operator",
            "the command line is recorded as the OS user"
        );

        // Listing never shows the secret; revoking from the command line takes effect at once.
        let list = parkland(&app.url, &["token", "list", "--user", "root.admin"]);
        let listing = String::from_utf8_lossy(&list.stdout);
        assert!(
            listing.contains(&secret[..12]) && !listing.contains(&secret[12..]),
            "{listing}"
        );
        let id = get(&admin, "/api/me").await.json()["id"].as_i64().unwrap();
        let tokens = get(&admin, &format!("/api/users/{id}/tokens")).await.json();
        let token_id = tokens[0]["id"].as_i64().unwrap().to_string();
        assert!(
            parkland(&app.url, &["token", "revoke", &token_id])
                .status
                .success()
        );
        get(&admin, "/api/me").await.problem(401);

        // Mistakes are one clear line and a failure status.
        let bad = parkland(&app.url, &["user", "add", "x", "--role", "king"]);
        assert!(!bad.status.success());
        let err = String::from_utf8_lossy(&bad.stderr);
        assert!(
            err.starts_with("error: ") && err.trim().lines().count() == 1,
            "{err}"
        );
        let bad = parkland(&app.url, &["user", "add", "bureau.x", "--role", "bureau"]);
        assert!(String::from_utf8_lossy(&bad.stderr).contains("jurisdiction"));
    }
);

on_both_backends!(
    a_password_from_the_command_line_signs_in,
    |app: common::TestDb| async move {
        let out = parkland(
            &app.url,
            &[
                "user",
                "add",
                "nc.desk",
                "--role",
                "bureau",
                "--jurisdiction",
                "361021",
            ],
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let set = |password: &str| {
            parkland_with(
                &app.url,
                &["user", "password", "nc.desk"],
                &[("PARKLAND_PASSWORD", password)],
            )
        };
        let short = set("short");
        assert!(!short.status.success());
        assert!(
            String::from_utf8_lossy(&short.stderr).contains("at least 10 characters"),
            "{}",
            String::from_utf8_lossy(&short.stderr)
        );
        assert!(set("县自然资源局-用地科").status.success());
        let anonymous = app.anonymous().await;
        let session = common::post(
            &anonymous,
            "/api/sessions",
            &serde_json::json!({"name": "nc.desk", "password": "县自然资源局-用地科"}),
        )
        .await
        .expect(201)
        .json();
        assert!(session["token"].as_str().unwrap().starts_with("pkl_"));
    }
);
