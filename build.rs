//! Builds the map dashboard (`dashboard/`, MapLibre GL JS with esbuild) with Node.js and embeds
//! it in the binary, as maplibre/martin does with its web UI. The npm work happens in a copy of
//! the sources under `OUT_DIR`, so the source tree stays clean and no built bundle is ever
//! committed. Without Node.js (or with `--no-default-features`) the binary serves a page that
//! says how to get the dashboard, and the build prints a warning — the API is unaffected.

#![expect(
    clippy::expect_used,
    reason = "a build script that cannot write its output stops the build, saying why"
)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

const SOURCES: [&str; 4] = ["package.json", "package-lock.json", "build.mjs", "src"];

fn main() {
    // The migrations are embedded in the binary too.
    println!("cargo:rerun-if-changed=migrations");
    for s in SOURCES {
        println!("cargo:rerun-if-changed=dashboard/{s}");
    }
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").expect("OUT_DIR"));
    let dist = out_dir.join("dashboard-dist");
    let built = if std::env::var_os("CARGO_FEATURE_DASHBOARD").is_some() {
        match build(&out_dir.join("dashboard-build"), &dist) {
            Ok(()) => true,
            Err(e) => {
                println!(
                    "cargo:warning=the map dashboard was not built ({e}); /dashboard/ will say so. Install Node.js 20+ and npm, then build again."
                );
                // A path that never exists: cargo then runs this script on every build until
                // it succeeds, so installing Node.js is enough.
                println!("cargo:rerun-if-changed=dashboard/.not-built-yet");
                false
            }
        }
    } else {
        false
    };
    if !built {
        let _ = fs::remove_dir_all(&dist);
        fs::create_dir_all(&dist).expect("create the dashboard folder");
        fs::write(dist.join("index.html"), PLACEHOLDER).expect("write the placeholder page");
    }
    embed(&dist, &out_dir.join("dashboard_assets.rs"));
}

/// Copy the sources to `work`, install the locked packages when the lock changed, and build.
fn build(work: &Path, dist: &Path) -> Result<(), String> {
    let source = Path::new("dashboard");
    fs::create_dir_all(work).map_err(|e| e.to_string())?;
    let _ = fs::remove_dir_all(work.join("src"));
    for s in SOURCES {
        copy(&source.join(s), &work.join(s)).map_err(|e| format!("copying dashboard/{s}: {e}"))?;
    }
    let lock = fs::read(source.join("package-lock.json")).map_err(|e| e.to_string())?;
    let stamp = work.join("node_modules").join(".parkland-lock");
    if fs::read(&stamp).ok().as_deref() != Some(&lock[..]) {
        run(
            Command::new(npm())
                .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
                .current_dir(work),
            "npm ci",
        )?;
        fs::write(&stamp, &lock).map_err(|e| e.to_string())?;
    }
    run(
        Command::new("node")
            .arg("build.mjs")
            .arg(dist)
            .current_dir(work),
        "node build.mjs",
    )
}

fn npm() -> &'static str {
    if cfg!(windows) { "npm.cmd" } else { "npm" }
}

fn run(cmd: &mut Command, what: &str) -> Result<(), String> {
    let out = cmd
        .output()
        .map_err(|e| format!("`{what}` could not start: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "`{what}` failed: {}{}",
            String::from_utf8_lossy(&out.stderr).trim(),
            String::from_utf8_lossy(&out.stdout).trim()
        ))
    }
}

fn copy(from: &Path, to: &Path) -> std::io::Result<()> {
    if from.is_dir() {
        fs::create_dir_all(to)?;
        for entry in fs::read_dir(from)? {
            let entry = entry?;
            copy(&entry.path(), &to.join(entry.file_name()))?;
        }
        Ok(())
    } else {
        fs::copy(from, to).map(|_| ())
    }
}

/// Write `ASSETS: &[(name, bytes)]` for every file the build produced.
fn embed(dist: &Path, target: &Path) {
    let mut names: Vec<String> = fs::read_dir(dist)
        .expect("read the dashboard folder")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut code = String::from("pub static ASSETS: &[(&str, &[u8])] = &[\n");
    for name in names {
        let path = dist.join(&name);
        code.push_str(&format!(
            "    ({name:?}, include_bytes!({:?})),\n",
            path.display().to_string()
        ));
    }
    code.push_str("];\n");
    fs::write(target, code).expect("write the asset list");
}

const PLACEHOLDER: &str = r#"<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>parkland</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40em; margin: 3em auto">
<h1>地图看板未构建 · The map dashboard was not built</h1>
<p>This parkland binary was built without Node.js (or without the <code>dashboard</code> feature),
so it carries no dashboard. Install Node.js 20 or later with npm and run <code>cargo build</code>
again. The API and the OGC API – Features collections at <a href="../collections">/collections</a>
work all the same.</p>
</body></html>
"#;
