//! Builds the console (`console/`, a vite app) with npm and embeds its files.
//!
//! - `BATON_CONSOLE_DIST=DIR`: embed an already built `DIR` instead of building.
//! - Without npm, or when the build fails, nothing is embedded and the server shows a
//!   page that says how to get the console; `BATON_CONSOLE_REQUIRED=1` makes that an error.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let app = manifest.join("../../console");
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    for var in ["BATON_CONSOLE_DIST", "BATON_CONSOLE_REQUIRED", "PATH"] {
        println!("cargo:rerun-if-env-changed={var}");
    }
    // (A path that does not exist would make cargo run this every time.)
    for file in [
        "src",
        "public",
        "index.html",
        "package.json",
        "package-lock.json",
        "vite.config.ts",
        "tsconfig.json",
    ] {
        let path = app.join(file);
        if path.exists() {
            println!("cargo:rerun-if-changed={}", path.display());
        }
    }
    let required = std::env::var_os("BATON_CONSOLE_REQUIRED").is_some_and(|v| v != "0");

    let dist = match std::env::var_os("BATON_CONSOLE_DIST") {
        Some(dir) => Ok(PathBuf::from(dir)),
        None => build(&app, &out.join("dist")),
    };
    let files = match dist {
        Ok(dist) => {
            let mut files = Vec::new();
            collect(&dist, &dist, &mut files);
            files.sort();
            files
        }
        Err(why) => {
            if required {
                panic!("the console could not be built: {why}");
            }
            println!("cargo:warning=baton-console: the console is not embedded: {why}");
            Vec::new()
        }
    };
    let mut code = String::from("/// The console's files: path under /console/, contents.\n");
    code.push_str("pub static FILES: &[(&str, &[u8])] = &[\n");
    for (rel, abs) in &files {
        writeln!(
            code,
            "    ({rel:?}, include_bytes!({:?})),",
            abs.display().to_string()
        )
        .unwrap();
    }
    code.push_str("];\n");
    std::fs::write(out.join("files.rs"), code).unwrap();
}

/// `npm ci` (when the lock file is newer than `node_modules`), then `vite build` into `dist`.
fn build(app: &Path, dist: &Path) -> Result<PathBuf, String> {
    if !app.join("package.json").exists() {
        return Err(format!("{} has no package.json", app.display()));
    }
    let npm = if cfg!(windows) { "npm.cmd" } else { "npm" };
    match Command::new(npm).arg("--version").output() {
        Ok(o) if o.status.success() => {}
        _ => return Err("npm is not installed (Node.js 20 or later builds it)".into()),
    }
    let stamp = app.join("node_modules/.package-lock.json");
    let stale = match (modified(&app.join("package-lock.json")), modified(&stamp)) {
        (Some(lock), Some(installed)) => lock > installed,
        _ => true,
    };
    if stale {
        run(Command::new(npm)
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(app))?;
    }
    run(Command::new(npm)
        .args(["run", "build", "--", "--emptyOutDir", "--outDir"])
        .arg(dist)
        .current_dir(app))?;
    Ok(dist.to_path_buf())
}

fn run(command: &mut Command) -> Result<(), String> {
    let output = command
        .output()
        .map_err(|e| format!("cannot run {command:?}: {e}"))?;
    if output.status.success() {
        return Ok(());
    }
    Err(format!(
        "{command:?} failed:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    ))
}

fn modified(path: &Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

fn collect(root: &Path, dir: &Path, files: &mut Vec<(String, PathBuf)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(root, &path, files);
        } else if let Ok(rel) = path.strip_prefix(root) {
            let rel = rel.to_string_lossy().replace('\\', "/");
            files.push((rel, path.canonicalize().unwrap_or(path)));
        }
    }
}
