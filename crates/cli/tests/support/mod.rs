//! What the end-to-end and crash tests share: a `baton serve` process on a free port with
//! its own data directory, scratch directories, and a minimal client of the JSON 1.0 API
//! over a plain TCP connection (so that a test can tell a refused or cut connection from an
//! answer, as it must while the server is being killed).

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// The repository's root directory.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("the repository root")
}

/// A directory for one test, removed when dropped unless the test panicked (then kept, and
/// its path printed, for a look at the server's log).
pub struct Scratch(pub PathBuf);

impl Scratch {
    /// A new, empty directory named after `name` and this process.
    pub fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("baton-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("scratch directory");
        Scratch(dir)
    }

    /// A path inside the directory.
    pub fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("kept for inspection: {}", self.0.display());
        } else {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

/// A port nobody listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// A running `baton serve`. Dropping it kills the process.
pub struct Baton {
    child: Option<Child>,
    /// The port it listens on (127.0.0.1).
    pub port: u16,
    data_dir: PathBuf,
    log: PathBuf,
    extra: Vec<String>,
    /// How many times it was started.
    pub starts: u32,
}

impl Baton {
    /// Starts `baton serve` on a free port, keeping its data in `data_dir` and appending its
    /// log to `log`; `extra` are more options (`--functions FILE`, ...). Waits for
    /// `/healthz`.
    pub fn start(data_dir: &Path, log: &Path, extra: &[&str]) -> Baton {
        let mut last = String::new();
        // Another process may take the port between our look and baton's bind: try again.
        for _ in 0..3 {
            let mut baton = Baton {
                child: None,
                port: free_port(),
                data_dir: data_dir.to_owned(),
                log: log.to_owned(),
                extra: extra.iter().map(|s| s.to_string()).collect(),
                starts: 0,
            };
            match baton.launch() {
                Ok(()) => return baton,
                Err(e) => last = e,
            }
        }
        panic!("baton serve did not start: {last}");
    }

    /// The process id, while it runs.
    #[allow(dead_code)]
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Starts the process again and kills it with SIGKILL after `after`, whether or not it
    /// is serving yet: a crash during recovery. [`Baton::restart`] follows.
    pub fn crash_while_starting(&mut self, after: Duration) {
        self.kill();
        if let Ok(mut child) = self.command().spawn() {
            self.starts += 1;
            std::thread::sleep(after);
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    fn command(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_baton"));
        cmd.arg("serve")
            .arg("--bind")
            .arg(format!("127.0.0.1:{}", self.port))
            .arg("--data-dir")
            .arg(&self.data_dir)
            .args(&self.extra)
            .env_remove("BATON_CONFIG")
            .env("BATON_LOG", "warn")
            .stdin(Stdio::null());
        if let Ok(log) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
        {
            if let Ok(copy) = log.try_clone() {
                cmd.stdout(copy);
            }
            cmd.stderr(log);
        }
        cmd
    }

    fn launch(&mut self) -> Result<(), String> {
        let mut child = self
            .command()
            .spawn()
            .map_err(|e| format!("cannot run baton: {e}"))?;
        self.starts += 1;
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
                return Err(format!("baton exited with {status}:\n{}", self.log_tail()));
            }
            if healthy(self.port) {
                self.child = Some(child);
                return Ok(());
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "no answer on /healthz after 60 s:\n{}",
                    self.log_tail()
                ));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Kills the process with SIGKILL and waits for it: a crash, nothing flushed.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again on the same port and data directory (after [`Baton::kill`]).
    pub fn restart(&mut self) {
        self.kill();
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match self.launch() {
                Ok(()) => return,
                // The port may linger for a moment after the kill.
                Err(e) if Instant::now() < deadline && e.contains("cannot listen") => {
                    std::thread::sleep(Duration::from_millis(100));
                }
                Err(e) => panic!("baton did not restart: {e}"),
            }
        }
    }

    /// The last lines of the server's log.
    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(60)..].join("\n")
    }
}

impl Drop for Baton {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Whether `GET /healthz` answers 200.
pub fn healthy(port: u16) -> bool {
    let attempt = || -> std::io::Result<bool> {
        let mut s = TcpStream::connect(("127.0.0.1", port))?;
        s.set_read_timeout(Some(Duration::from_secs(2)))?;
        s.write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")?;
        let mut reply = String::new();
        s.read_to_string(&mut reply)?;
        Ok(reply.starts_with("HTTP/1.1 200"))
    };
    attempt().unwrap_or(false)
}

/// An answer of the API: the HTTP status and the JSON body.
#[derive(Debug, Clone)]
pub struct Reply {
    /// The HTTP status.
    pub status: u16,
    /// The body (`null` when empty).
    pub body: Value,
}

impl Reply {
    /// The error's name (`__type`), if this is an error.
    pub fn error(&self) -> Option<&str> {
        if self.status == 200 {
            return None;
        }
        self.body["__type"]
            .as_str()
            .map(|t| t.rsplit('#').next().unwrap_or(t))
    }
}

/// Calls `action` (`StartExecution`, ...) with `request` on the server at `port`. An
/// `Err` means no answer came: refused, cut, or timed out after `timeout`.
pub fn call(port: u16, action: &str, request: &Value, timeout: Duration) -> std::io::Result<Reply> {
    let body = request.to_string();
    let mut s = TcpStream::connect(("127.0.0.1", port))?;
    s.set_read_timeout(Some(timeout))?;
    s.set_write_timeout(Some(Duration::from_secs(10)))?;
    let head = format!(
        "POST / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/x-amz-json-1.0\r\n\
         X-Amz-Target: AWSStepFunctions.{action}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes())?;
    s.write_all(body.as_bytes())?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw)?;
    let cut = || std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "a cut answer");
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(cut)?;
    let head = String::from_utf8_lossy(&raw[..split]);
    let status: u16 = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(cut)?;
    let length = head.lines().find_map(|l| {
        let (name, value) = l.split_once(':')?;
        name.eq_ignore_ascii_case("content-length")
            .then(|| value.trim().parse::<usize>().ok())?
    });
    let body = &raw[split + 4..];
    if length.is_some_and(|n| n != body.len()) {
        return Err(cut());
    }
    let body = if body.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(body).map_err(|_| cut())?
    };
    Ok(Reply { status, body })
}

/// A small seeded generator (xorshift64*), so that a run can be repeated.
pub struct Rng(u64);

impl Rng {
    /// A generator from `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    /// The next number.
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }
}

/// An environment variable as a number, or `default`.
pub fn env_number(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(v) => v
            .parse()
            .unwrap_or_else(|_| panic!("{name} must be a number, not {v:?}")),
        Err(_) => default,
    }
}
