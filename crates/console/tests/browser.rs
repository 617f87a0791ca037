//! The console in a real browser: starts the `baton` binary (`serve --in-memory`) and runs
//! `console/e2e/console.e2e.mjs` (playwright-core driving Chromium) against it.
//!
//! Needs Node.js, `console/node_modules` (the build installs it) and Chromium
//! (`/usr/bin/chromium`, or `CHROMIUM`), and the `baton` binary next to this test's
//! (`cargo test --workspace` builds it; `BATON_BIN` names another). Without them the test
//! says so and passes, unless `BATON_E2E_REQUIRED=1` (as CI sets it), when it fails.
//! `BATON_CONSOLE_SCREENSHOTS=docs/img` saves the screenshots of the main screens there.
#![allow(missing_docs)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// `true` when the test can run; otherwise says why not, or fails when required.
fn have(what: &str, found: bool) -> bool {
    if found {
        return true;
    }
    let required = std::env::var("BATON_E2E_REQUIRED").is_ok_and(|v| !v.is_empty() && v != "0");
    assert!(!required, "BATON_E2E_REQUIRED is set but {what}");
    let test = std::thread::current().name().unwrap_or("?").to_owned();
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED {test}: {what} (set BATON_E2E_REQUIRED=1 to fail instead)"
    );
    false
}

fn runs(program: &str, arg: &str) -> bool {
    Command::new(program)
        .arg(arg)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The `baton` binary of this build: target/<profile>/baton, beside deps/.
fn baton_binary() -> PathBuf {
    if let Some(bin) = std::env::var_os("BATON_BIN") {
        return PathBuf::from(bin);
    }
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().and_then(Path::parent).unwrap();
    profile_dir.join(format!("baton{}", std::env::consts::EXE_SUFFIX))
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A GET's status line and body.
fn get(port: u16, path: &str) -> std::io::Result<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )?;
    let mut out = String::new();
    stream.read_to_string(&mut out)?;
    Ok(out)
}

#[test]
fn console_in_a_browser() {
    let root = repo_root();
    let app = root.join("console");
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let baton = baton_binary();
    if !have("Node.js is not installed", runs("node", "--version"))
        || !have(
            "console/node_modules has no playwright-core (npm ci in console/)",
            app.join("node_modules/playwright-core").exists(),
        )
        || !have(
            &format!("Chromium is not at {chromium} (apt-get install chromium)"),
            Path::new(&chromium).exists(),
        )
        || !have(
            &format!(
                "the baton binary is not at {} (cargo build -p baton-cli)",
                baton.display()
            ),
            baton.exists(),
        )
    {
        return;
    }

    let port = free_port();
    let log = std::env::temp_dir().join(format!("baton-console-e2e-{port}.log"));
    let server = Server(
        Command::new(&baton)
            .args(["serve", "--in-memory", "--bind"])
            .arg(format!("127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("start baton serve"),
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if get(port, "/healthz").is_ok_and(|r| r.starts_with("HTTP/1.1 200")) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "baton serve did not answer: {}",
            std::fs::read_to_string(&log).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let index = get(port, "/console/").unwrap();
    if !have(
        "this baton was built without the console (npm was missing at build time)",
        index.contains("id=\"root\""),
    ) {
        return;
    }

    let started = Instant::now();
    let mut node = Command::new("node");
    node.arg("e2e/console.e2e.mjs")
        .current_dir(&app)
        .env("BATON_URL", format!("http://127.0.0.1:{port}"))
        .env("CHROMIUM", &chromium);
    if let Some(dir) = std::env::var_os("BATON_CONSOLE_SCREENSHOTS") {
        node.env("SCREENSHOTS", root.join(dir));
    }
    let output = node.output().expect("run node");
    drop(server);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    // Straight to stderr so that the timings show in cargo test's output.
    let _ = writeln!(
        std::io::stderr(),
        "console e2e ({:.1} s):\n{text}",
        started.elapsed().as_secs_f64()
    );
    assert!(
        output.status.success(),
        "the browser tests failed:\n{text}\nserver log: {}",
        log.display()
    );
    let _ = std::fs::remove_file(&log);
}
