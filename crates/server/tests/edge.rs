//! The HTTP edge over real sockets, with the real server in process: slow clients cut off
//! while others are served, the connection limit, body limits on every route, the Host
//! check, deep webhook bodies, graceful shutdown, and a private data directory. Timeouts
//! are configured short, so nothing waits long.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use baton_server::{Server, ServerConfig};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

const ROLE: &str = "arn:aws:iam::123456789012:role/any";

/// A server in this process, stopped (gracefully) when dropped.
struct Running {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl Running {
    async fn start(config: ServerConfig) -> Running {
        let server = Server::open(config).await.expect("the server opens");
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
        let addr = listener.local_addr().expect("an address");
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(server.serve(listener, async move {
            let _ = stopped.await;
        }));
        Running {
            addr,
            stop: Some(stop),
            task: Some(task),
        }
    }

    /// Stops accepting, waits for the requests in flight, and returns how long that took.
    async fn shutdown(mut self) -> Duration {
        let started = Instant::now();
        let _ = self.stop.take().expect("running").send(());
        let task = self.task.take().expect("running");
        tokio::time::timeout(Duration::from_secs(20), task)
            .await
            .expect("the server stops")
            .expect("the server task")
            .expect("the server serves");
        started.elapsed()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// In memory, with short timeouts.
fn config() -> ServerConfig {
    ServerConfig {
        data_dir: None,
        header_read_timeout: Duration::from_millis(500),
        body_read_timeout: Duration::from_millis(500),
        ..ServerConfig::default()
    }
}

/// An HTTP answer.
#[derive(Debug)]
struct Answer {
    status: u16,
    head: String,
    body: Vec<u8>,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    fn header(&self, name: &str) -> Option<String> {
        self.head.lines().skip(1).find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_owned())
        })
    }
}

/// Reads one answer (`Content-Length` bodies only) from `s`; `None` when the connection
/// closes first or nothing comes within `within`.
async fn read_answer(s: &mut TcpStream, within: Duration) -> Option<Answer> {
    let deadline = tokio::time::Instant::now() + within;
    let mut raw = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        if let Some(end) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&raw[..end]).into_owned();
            let status = head.split(' ').nth(1)?.parse().ok()?;
            let length: usize = head
                .lines()
                .find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    k.trim()
                        .eq_ignore_ascii_case("content-length")
                        .then(|| v.trim().parse().ok())?
                })
                .unwrap_or(0);
            if raw.len() >= end + 4 + length {
                let body = raw[end + 4..end + 4 + length].to_vec();
                return Some(Answer { status, head, body });
            }
        }
        match tokio::time::timeout_at(deadline, s.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) | Err(_) => return None,
            Ok(Ok(n)) => raw.extend_from_slice(&buf[..n]),
        }
    }
}

/// Whether the server closed `s` (end of stream or reset) within `within`.
async fn closed_within(s: &mut TcpStream, within: Duration) -> bool {
    let mut buf = [0u8; 1024];
    let deadline = tokio::time::Instant::now() + within;
    loop {
        match tokio::time::timeout_at(deadline, s.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            Ok(Ok(_)) => continue,
            Err(_) => return false,
        }
    }
}

/// `POST` of `body` to `path` with `headers`, on a new connection.
async fn post(addr: SocketAddr, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Answer {
    let mut s = TcpStream::connect(addr).await.expect("connects");
    let mut head = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    // One write: a server that answers before reading the body finds it all there.
    let mut request = head.into_bytes();
    request.extend_from_slice(body);
    s.write_all(&request).await.expect("writes");
    read_answer(&mut s, Duration::from_secs(10))
        .await
        .unwrap_or_else(|| panic!("no answer to POST {path}"))
}

/// A JSON action at `POST /` (`AWSStepFunctions.ListStateMachines`, `AWSEvents.PutEvents`).
async fn action(addr: SocketAddr, target: &str, body: &Value) -> Answer {
    post(
        addr,
        "/",
        &[
            ("X-Amz-Target", target),
            ("Content-Type", "application/x-amz-json-1.0"),
        ],
        body.to_string().as_bytes(),
    )
    .await
}

/// `GET path` with `Host: host` (none when `None`), on a new connection.
async fn get_with_host(addr: SocketAddr, path: &str, host: Option<&str>) -> Answer {
    let mut s = TcpStream::connect(addr).await.expect("connects");
    let request = match host {
        Some(h) => format!("GET {path} HTTP/1.1\r\nHost: {h}\r\nConnection: close\r\n\r\n"),
        None => format!("GET {path} HTTP/1.0\r\n\r\n"),
    };
    s.write_all(request.as_bytes()).await.expect("writes");
    read_answer(&mut s, Duration::from_secs(10))
        .await
        .expect("an answer")
}

async fn healthy(addr: SocketAddr) -> bool {
    get_with_host(addr, "/healthz", Some(&addr.to_string()))
        .await
        .status
        == 200
}

/// Writes `bytes` one at a time, `every` apart, until the server closes the connection;
/// returns how long after the start it did (`None`: it never did).
async fn trickle(mut s: TcpStream, bytes: &[u8], every: Duration) -> (Option<Duration>, Vec<u8>) {
    let started = Instant::now();
    let (mut read, mut write) = s.split();
    let mut answer = Vec::new();
    let reading = async {
        let mut buf = [0u8; 4096];
        loop {
            match read.read(&mut buf).await {
                Ok(0) | Err(_) => return started.elapsed(),
                Ok(n) => answer.extend_from_slice(&buf[..n]),
            }
        }
    };
    let writing = async {
        for b in bytes {
            if write.write_all(&[*b]).await.is_err() {
                break;
            }
            tokio::time::sleep(every).await;
        }
        std::future::pending::<()>().await;
    };
    let closed = tokio::select! {
        at = reading => Some(at),
        () = writing => None,
        () = tokio::time::sleep(Duration::from_secs(20)) => None,
    };
    (closed, answer)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_trickling_its_headers_is_cut_off_while_others_are_served() {
    let server = Running::start(config()).await;
    let addr = server.addr;
    let slow = TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "GET /healthz HTTP/1.1\r\nHost: {addr}\r\nX-Padding: {}\r\n\r\n",
        "a".repeat(40)
    );
    let slow =
        tokio::spawn(
            async move { trickle(slow, head.as_bytes(), Duration::from_millis(50)).await },
        );
    // Meanwhile another client is served at once, on another connection.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = Instant::now();
    assert!(healthy(addr).await);
    assert!(started.elapsed() < Duration::from_millis(400));
    let (closed, answer) = slow.await.unwrap();
    let closed = closed.expect("the slow client is disconnected");
    // 500 ms of headers allowed, out of the 4 s the whole head would take.
    assert!(
        closed >= Duration::from_millis(450) && closed < Duration::from_secs(3),
        "closed after {closed:?}"
    );
    assert!(
        answer.is_empty(),
        "no answer: {}",
        String::from_utf8_lossy(&answer)
    );
    assert!(healthy(addr).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_keep_alive_connection_is_closed_after_the_header_timeout() {
    let server = Running::start(config()).await;
    let mut s = TcpStream::connect(server.addr).await.unwrap();
    let request = format!("GET /healthz HTTP/1.1\r\nHost: {}\r\n\r\n", server.addr);
    // Two requests on one connection: it is kept alive...
    for _ in 0..2 {
        s.write_all(request.as_bytes()).await.unwrap();
        let answer = read_answer(&mut s, Duration::from_secs(5)).await.unwrap();
        assert_eq!(answer.status, 200);
    }
    // ...and closed once idle for the header timeout.
    let idle = Instant::now();
    assert!(closed_within(&mut s, Duration::from_secs(5)).await);
    let after = idle.elapsed();
    assert!(
        after >= Duration::from_millis(400) && after < Duration::from_secs(3),
        "closed after {after:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_trickling_its_body_gets_408_and_is_cut_off() {
    let server = Running::start(ServerConfig {
        header_read_timeout: Duration::from_secs(10),
        ..config()
    })
    .await;
    let addr = server.addr;
    let created = action(
        addr,
        "Baton.CreateWebhook",
        &json!({"Name": "slow", "Target": "arn:aws:states:us-east-1:123456789012:stateMachine:m"}),
    )
    .await;
    assert_eq!(created.status, 200, "{:?}", created.json());
    let body = json!({"k": "v".repeat(60)}).to_string();
    let routes = [
        ("/", "X-Amz-Target: AWSStepFunctions.ListStateMachines\r\n"),
        ("/", "X-Amz-Target: AWSEvents.PutEvents\r\n"),
        ("/hooks/slow", ""),
        ("/schedules/slow", ""),
    ];
    for (path, extra) in routes {
        let mut s = TcpStream::connect(addr).await.unwrap();
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: {addr}\r\n{extra}Content-Length: {}\r\n\r\n",
            body.len()
        );
        s.write_all(head.as_bytes()).await.unwrap();
        let (closed, answer) = trickle(s, body.as_bytes(), Duration::from_millis(50)).await;
        let closed = closed.expect("the slow client is disconnected");
        assert!(
            closed >= Duration::from_millis(450) && closed < Duration::from_secs(3),
            "{path}: closed after {closed:?}"
        );
        let answer = String::from_utf8_lossy(&answer);
        assert!(answer.starts_with("HTTP/1.1 408 "), "{path}: {answer}");
        assert!(
            answer.contains("did not arrive within 500 ms"),
            "{path}: {answer}"
        );
        if path == "/" {
            assert!(answer.contains(r#""__type":"RequestTimeout""#), "{answer}");
        }
    }
    assert!(healthy(addr).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn beyond_the_connection_limit_connections_wait_to_be_accepted() {
    let server = Running::start(ServerConfig {
        max_connections: 2,
        header_read_timeout: Duration::from_secs(10),
        ..config()
    })
    .await;
    let addr = server.addr;
    let request = format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\n\r\n");
    let mut open = Vec::new();
    for _ in 0..2 {
        let mut s = TcpStream::connect(addr).await.unwrap();
        s.write_all(request.as_bytes()).await.unwrap();
        assert_eq!(
            read_answer(&mut s, Duration::from_secs(5))
                .await
                .unwrap()
                .status,
            200
        );
        open.push(s);
    }
    // The third connection is made (the kernel's backlog) but not served...
    let mut third = TcpStream::connect(addr).await.unwrap();
    third.write_all(request.as_bytes()).await.unwrap();
    assert!(
        read_answer(&mut third, Duration::from_millis(500))
            .await
            .is_none()
    );
    // ...until one of the others closes.
    drop(open.remove(0));
    let answer = read_answer(&mut third, Duration::from_secs(5))
        .await
        .expect("served once a connection closed");
    assert_eq!(answer.status, 200);
}

/// A chunked `POST` of `body` (no `Content-Length`): the limit is found while reading.
async fn post_chunked(addr: SocketAddr, path: &str, extra: &str, body: &[u8]) -> Answer {
    let mut s = TcpStream::connect(addr).await.unwrap();
    let mut request = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\n{extra}Transfer-Encoding: chunked\r\n\r\n"
    )
    .into_bytes();
    for chunk in body.chunks(512) {
        request.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        request.extend_from_slice(chunk);
        request.extend_from_slice(b"\r\n");
    }
    request.extend_from_slice(b"0\r\n\r\n");
    s.write_all(&request).await.unwrap();
    read_answer(&mut s, Duration::from_secs(10))
        .await
        .unwrap_or_else(|| panic!("no answer to POST {path}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_over_limit_body_gets_413_on_every_route() {
    let server = Running::start(ServerConfig {
        max_request_bytes: Some(1024),
        header_read_timeout: Duration::from_secs(10),
        body_read_timeout: Duration::from_secs(10),
        virtual_clock: true,
        ..config()
    })
    .await;
    let addr = server.addr;
    let created = action(
        addr,
        "Baton.CreateWebhook",
        &json!({"Name": "big", "Target": "arn:aws:states:us-east-1:123456789012:stateMachine:m"}),
    )
    .await;
    assert_eq!(created.status, 200);
    let big = json!({"Padding": "x".repeat(2000)}).to_string();
    // JSON 1.0 and 1.1 actions at POST /: AWS's error shape.
    for target in [
        "AWSStepFunctions.StartExecution",
        "AWSEvents.PutEvents",
        "Baton.CreateWebhook",
        "Baton.AdvanceClock",
    ] {
        let header = format!("X-Amz-Target: {target}\r\n");
        for answer in [
            post(addr, "/", &[("X-Amz-Target", target)], big.as_bytes()).await,
            post_chunked(addr, "/", &header, big.as_bytes()).await,
        ] {
            assert_eq!(answer.status, 413, "{target}: {:?}", answer.json());
            assert_eq!(
                answer.json(),
                json!({"__type": "RequestEntityTooLarge", "message": "The request body is larger than 1024 bytes"}),
                "{target}"
            );
            assert_eq!(
                answer.header("x-amzn-errortype").as_deref(),
                Some("RequestEntityTooLarge")
            );
        }
    }
    // Scheduler's REST-JSON routes: the code in a header, the message in `Message`.
    for answer in [
        post(addr, "/schedules/s", &[], big.as_bytes()).await,
        post_chunked(addr, "/schedules/s", "", big.as_bytes()).await,
    ] {
        assert_eq!(answer.status, 413);
        assert_eq!(
            answer.json(),
            json!({"Message": "The request body is larger than 1024 bytes"})
        );
        assert_eq!(
            answer.header("x-amzn-errortype").as_deref(),
            Some("RequestEntityTooLarge")
        );
    }
    let mut s = TcpStream::connect(addr).await.unwrap();
    let put = format!(
        "PUT /schedules/s HTTP/1.1\r\nHost: {addr}\r\nContent-Length: {}\r\n\r\n{big}",
        big.len()
    );
    s.write_all(put.as_bytes()).await.unwrap();
    let answer = read_answer(&mut s, Duration::from_secs(5)).await.unwrap();
    assert_eq!(answer.status, 413);
    // Webhooks: their own shape.
    for answer in [
        post(addr, "/hooks/big", &[], big.as_bytes()).await,
        post_chunked(addr, "/hooks/big/a/path", "", big.as_bytes()).await,
    ] {
        assert_eq!(answer.status, 413);
        assert_eq!(
            answer.json(),
            json!({"message": "The request body is larger than 1024 bytes"})
        );
    }
    // Within the limit, the same routes answer as usual.
    let answer = action(addr, "Baton.GetClock", &json!({})).await;
    assert_eq!(answer.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_loopback_only_loopback_names_and_ip_addresses_are_accepted_as_host() {
    let server = Running::start(config()).await;
    let addr = server.addr;
    let port = addr.port();
    for host in [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        format!("sync-localhost:{port}"),
        format!("app.localhost:{port}"),
        format!("sync-127.0.0.1:{port}"),
        format!("[::1]:{port}"),
        "10.1.2.3".to_owned(),
    ] {
        let answer = get_with_host(addr, "/healthz", Some(&host)).await;
        assert_eq!(answer.status, 200, "{host}");
    }
    // HTTP/1.0 without Host.
    assert_eq!(get_with_host(addr, "/healthz", None).await.status, 200);
    // A name that may point anywhere: refused, whatever the route.
    for path in ["/healthz", "/console/", "/schedules"] {
        let answer = get_with_host(addr, path, Some(&format!("evil.example:{port}"))).await;
        assert_eq!(answer.status, 403, "{path}");
        let body = answer.json();
        assert_eq!(body["__type"], "AccessDeniedException");
        let message = body["message"].as_str().unwrap();
        assert!(
            message.contains(&format!("'evil.example:{port}'")),
            "{message}"
        );
        assert!(
            message.contains("--allowed-hosts evil.example"),
            "{message}"
        );
    }
    // The API through the sync- host, as the AWS clients send StartSyncExecution.
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(
        format!(
            "POST / HTTP/1.1\r\nHost: sync-localhost:{port}\r\nX-Amz-Target: AWSStepFunctions.ListStateMachines\r\n\
             Content-Length: 2\r\n\r\n{{}}"
        )
        .as_bytes(),
    )
    .await
    .unwrap();
    let answer = read_answer(&mut s, Duration::from_secs(5)).await.unwrap();
    assert_eq!(answer.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn allowed_hosts_add_names() {
    let server = Running::start(ServerConfig {
        allowed_hosts: vec!["baton.test".into(), "*.corp.test".into()],
        ..config()
    })
    .await;
    let addr = server.addr;
    for (host, status) in [
        ("baton.test:8083", 200),
        ("sync-baton.test:8083", 200),
        ("a.corp.test", 200),
        ("localhost", 200),
        ("evil.example", 403),
        ("corp.test", 403),
    ] {
        assert_eq!(
            get_with_host(addr, "/healthz", Some(host)).await.status,
            status,
            "{host}"
        );
    }
    drop(server);
    let any = Running::start(ServerConfig {
        allowed_hosts: vec!["*".into()],
        ..config()
    })
    .await;
    assert_eq!(
        get_with_host(any.addr, "/healthz", Some("evil.example"))
            .await
            .status,
        200
    );
}

/// `[[[...]]]`, `depth` levels.
fn nested(depth: usize) -> String {
    format!("{}{}", "[".repeat(depth), "]".repeat(depth))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deeply_nested_webhook_bodies_are_answered_not_panicked_on() {
    let server = Running::start(config()).await;
    let addr = server.addr;
    let definition = json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}});
    let created = action(
        addr,
        "AWSStepFunctions.CreateStateMachine",
        &json!({"name": "m", "definition": definition.to_string(), "roleArn": ROLE}),
    )
    .await;
    assert_eq!(created.status, 200, "{:?}", created.json());
    let machine = created.json()["stateMachineArn"]
        .as_str()
        .unwrap()
        .to_owned();
    for (name, template) in [
        ("plain", None),
        ("paths", Some(json!({"b.$": "$.body"}))),
        ("jsonata", Some(json!({"b": "{% $states.input.body %}"}))),
    ] {
        let mut def = json!({"Name": name, "Target": machine});
        if let Some(t) = template {
            def["InputTemplate"] = t;
        }
        let created = action(addr, "Baton.CreateWebhook", &def).await;
        assert_eq!(created.status, 200, "{:?}", created.json());
        let body127 = nested(127);
        assert_eq!(body127.len(), 254);
        for body in [body127, nested(5000)] {
            let answer = post(addr, &format!("/hooks/{name}"), &[], body.as_bytes()).await;
            assert!(
                answer.status == 200 || answer.status == 400,
                "{name}, depth {}: {} {:?}",
                body.len() / 2,
                answer.status,
                answer.json()
            );
            if answer.status == 400 {
                assert!(
                    answer.json()["message"]
                        .as_str()
                        .is_some_and(|m| !m.is_empty()),
                    "{:?}",
                    answer.json()
                );
            }
        }
    }
    // The worker that answered is still there.
    assert!(healthy(addr).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_lets_a_request_in_flight_finish() {
    let server = Running::start(ServerConfig {
        header_read_timeout: Duration::from_secs(10),
        body_read_timeout: Duration::from_secs(10),
        ..config()
    })
    .await;
    let addr = server.addr;
    // An idle keep-alive connection does not hold the shutdown up.
    let mut idle = TcpStream::connect(addr).await.unwrap();
    idle.write_all(format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\n\r\n").as_bytes())
        .await
        .unwrap();
    assert_eq!(
        read_answer(&mut idle, Duration::from_secs(5))
            .await
            .unwrap()
            .status,
        200
    );
    // A request in flight: its headers are in, its body is still coming.
    let mut in_flight = TcpStream::connect(addr).await.unwrap();
    in_flight
        .write_all(
            format!(
                "POST / HTTP/1.1\r\nHost: {addr}\r\nX-Amz-Target: AWSStepFunctions.ListStateMachines\r\n\
                 Content-Length: 2\r\n\r\n"
            )
            .as_bytes(),
        )
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let stopping = tokio::spawn(server.shutdown());
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!stopping.is_finished());
    in_flight.write_all(b"{}").await.unwrap();
    let answer = read_answer(&mut in_flight, Duration::from_secs(5))
        .await
        .expect("the request in flight is answered");
    assert_eq!(answer.status, 200, "{:?}", answer.json());
    let took = stopping.await.unwrap();
    assert!(took < Duration::from_secs(5), "{took:?}");
    assert!(closed_within(&mut idle, Duration::from_secs(1)).await);
    assert!(closed_within(&mut in_flight, Duration::from_secs(1)).await);
    assert!(TcpStream::connect(addr).await.is_err());
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_data_directory_and_its_files_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("nested/data");
    let server = Running::start(ServerConfig {
        data_dir: Some(dir.clone()),
        durability: baton_server::Durability::Process,
        ..config()
    })
    .await;
    let created = action(
        server.addr,
        "AWSStepFunctions.CreateActivity",
        &json!({"name": "a"}),
    )
    .await;
    assert_eq!(created.status, 200);
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&dir), 0o700);
    let mut files = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        assert_eq!(mode(&path) & 0o077, 0, "{}", path.display());
        files.push(path.file_name().unwrap().to_string_lossy().into_owned());
    }
    files.sort();
    assert!(files.contains(&"baton.db".to_owned()), "{files:?}");
    assert!(files.contains(&"baton.db-wal".to_owned()), "{files:?}");
    server.shutdown().await;
}
