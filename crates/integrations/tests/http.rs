//! The HTTP Task against a real HTTP server started here (a plain TCP listener, so that a
//! test can also answer garbage, answer slowly, or not answer at all).

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use baton_asl::definition::Resource;
use baton_integrations::{ConnectionSpec, Connections, Http, Integration, TaskCall, TaskFailure};
use baton_json::{Value, json};

/// A request as the server saw it.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: String,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

type Handler = dyn Fn(&Seen) -> Vec<u8> + Send + Sync;

/// A server answering each request with what `handler` returns (raw bytes), on a thread
/// per connection.
struct Server {
    port: u16,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Server {
    fn start(handler: impl Fn(&Seen) -> Vec<u8> + Send + Sync + 'static) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let handler: Arc<Handler> = Arc::new(handler);
        let seen2 = Arc::clone(&seen);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { return };
                let handler = Arc::clone(&handler);
                let seen = Arc::clone(&seen2);
                std::thread::spawn(move || serve(stream, &*handler, &seen));
            }
        });
        Server { port, seen }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn requests(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

fn serve(stream: TcpStream, handler: &Handler, seen: &Mutex<Vec<Seen>>) {
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    let mut out = stream;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let mut parts = line.split_whitespace();
        let method = parts.next().unwrap_or_default().to_owned();
        let target = parts.next().unwrap_or_default().to_owned();
        let mut headers = Vec::new();
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).unwrap_or(0) == 0 {
                return;
            }
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                headers.push((k.trim().to_owned(), v.trim().to_owned()));
            }
        }
        let len = headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(0);
        let mut body = vec![0; len];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let req = Seen {
            method,
            target,
            headers,
            body: String::from_utf8_lossy(&body).into_owned(),
        };
        seen.lock().unwrap().push(req.clone());
        let answer = handler(&req);
        if answer.is_empty() || out.write_all(&answer).is_err() {
            return;
        }
    }
}

/// An HTTP response with a body and extra headers.
fn answer(status: &str, content_type: &str, body: &str, extra: &[(&str, &str)]) -> Vec<u8> {
    let mut r = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in extra {
        r.push_str(&format!("{k}: {v}\r\n"));
    }
    r.push_str("\r\n");
    r.push_str(body);
    r.into_bytes()
}

fn call(input: Value) -> TaskCall {
    TaskCall {
        resource: Resource::parse("arn:aws:states:::http:invoke").expect("a resource"),
        purpose: Default::default(),
        input,
        token: None,
        state_name: "Call".into(),
        region: "us-east-1".into(),
        account: "123456789012".into(),
        execution_arn: "arn:aws:states:us-east-1:123456789012:execution:m:e".into(),
        work: 1,
        resumed: false,
        submission: None,
        credentials: None,
        submitted: None,
    }
}

fn run(http: &Http, input: Value) -> Result<Value, TaskFailure> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(http.run(call(input)))
}

fn connections(specs: Value) -> Connections {
    let specs: BTreeMap<String, ConnectionSpec> =
        serde_json::from_value(specs.to_serde()).expect("connection specs");
    Connections::new(&specs).expect("valid connections")
}

#[test]
fn a_get_returns_the_aws_result_shape() {
    let server = Server::start(|_| {
        answer(
            "200 OK",
            "application/json; charset=utf-8",
            r#"{"items": [1, 2]}"#,
            &[("X-Reply", "a"), ("X-Reply", "b")],
        )
    });
    let out = run(
        &Http::default(),
        json!({
            "ApiEndpoint": server.url("/v1/customers?limit=2"),
            "Method": "GET",
            "Headers": {"X-Trace": "t1", "X-Count": 3},
            "QueryParameters": {"q": "a b&c", "tag": ["x", "y"]},
        }),
    )
    .expect("success");
    assert_eq!(out.get("ResponseBody"), Some(&json!({"items": [1, 2]})));
    assert_eq!(out.get("StatusCode"), Some(&json!(200)));
    assert_eq!(out.get("StatusText"), Some(&json!("OK")));
    let headers = out.get("Headers").expect("headers");
    assert_eq!(headers.get("x-reply"), Some(&json!(["a", "b"])));
    assert_eq!(
        headers.get("content-type"),
        Some(&json!(["application/json; charset=utf-8"]))
    );
    let seen = &server.requests()[0];
    assert_eq!(seen.method, "GET");
    assert_eq!(seen.target, "/v1/customers?limit=2&q=a+b%26c&tag=x&tag=y");
    assert_eq!(seen.header("x-trace"), Some("t1"));
    assert_eq!(seen.header("x-count"), Some("3"));
    assert_eq!(seen.body, "");
}

#[test]
fn a_body_that_is_not_json_stays_text() {
    let server = Server::start(|req| match req.target.as_str() {
        "/text" => answer("200 OK", "text/plain", "hello", &[]),
        _ => answer("200 OK", "application/json", "{not json", &[]),
    });
    let http = Http::default();
    let text = run(
        &http,
        json!({"ApiEndpoint": server.url("/text"), "Method": "GET"}),
    )
    .expect("success");
    assert_eq!(text.get("ResponseBody"), Some(&json!("hello")));
    let garbled = run(
        &http,
        json!({"ApiEndpoint": server.url("/json"), "Method": "GET"}),
    )
    .expect("success");
    assert_eq!(garbled.get("ResponseBody"), Some(&json!("{not json")));
}

#[test]
fn bodies_go_as_json_text_or_url_encoded() {
    let server = Server::start(|_| answer("201 Created", "application/json", "{}", &[]));
    let http = Http::default();
    run(
        &http,
        json!({"ApiEndpoint": server.url("/a"), "Method": "POST", "RequestBody": {"n": 1, "s": "x"}}),
    )
    .expect("success");
    run(
        &http,
        json!({
            "ApiEndpoint": server.url("/b"),
            "Method": "put",
            "RequestBody": {"array": ["a", "b"], "o": {"k": "v w"}},
            "Transform": {"RequestBodyEncoding": "URL_ENCODED", "RequestEncodingOptions": {"ArrayFormat": "BRACKETS"}},
        }),
    )
    .expect("success");
    run(
        &http,
        json!({
            "ApiEndpoint": server.url("/c"),
            "Method": "PATCH",
            "Headers": {"Content-Type": "text/csv"},
            "RequestBody": "a,b\n1,2",
        }),
    )
    .expect("success");
    let seen = server.requests();
    assert_eq!(seen[0].body, r#"{"n":1,"s":"x"}"#);
    assert_eq!(
        seen[0].header("content-type"),
        Some("application/json; charset=UTF-8")
    );
    assert_eq!(seen[1].method, "PUT");
    assert_eq!(seen[1].body, "array[]=a&array[]=b&o[k]=v+w");
    assert_eq!(
        seen[1].header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(seen[2].body, "a,b\n1,2");
    assert_eq!(seen[2].header("content-type"), Some("text/csv"));
}

#[test]
fn a_status_other_than_2xx_fails_with_its_code() {
    let server = Server::start(|req| match req.target.as_str() {
        "/missing" => answer(
            "404 Not Found",
            "application/json",
            r#"{"message": "no such thing"}"#,
            &[],
        ),
        _ => answer(
            "302 Found",
            "text/plain",
            "",
            &[("Location", "http://127.0.0.1:1/elsewhere")],
        ),
    });
    let http = Http::default();
    let f = run(
        &http,
        json!({"ApiEndpoint": server.url("/missing"), "Method": "DELETE"}),
    )
    .expect_err("a failure");
    assert_eq!(f.error.as_deref(), Some("States.Http.StatusCode.404"));
    let cause = Value::from_json_str(f.cause.as_deref().unwrap()).expect("a JSON cause");
    assert_eq!(cause.get("StatusCode"), Some(&json!(404)));
    assert_eq!(cause.get("StatusText"), Some(&json!("Not Found")));
    assert_eq!(
        cause.get("ResponseBody"),
        Some(&json!({"message": "no such thing"}))
    );
    // A redirect is not followed: it is the answer.
    let f = run(
        &http,
        json!({"ApiEndpoint": server.url("/moved"), "Method": "GET"}),
    )
    .expect_err("a failure");
    assert_eq!(f.error.as_deref(), Some("States.Http.StatusCode.302"));
    assert_eq!(server.requests().len(), 2);
}

#[test]
fn connections_authorize_requests_without_showing_their_secrets() {
    let server = Server::start(|req| {
        answer(
            "200 OK",
            "application/json",
            &format!(
                r#"{{"auth": {:?}}}"#,
                req.header("authorization")
                    .or(req.header("x-api-key"))
                    .unwrap_or("")
            ),
            &[],
        )
    });
    let conns = connections(json!({
        "keyed": {"authorization-type": "API_KEY", "api-key-name": "X-Api-Key", "api-key-value": "s3cr3t-key",
                  "invocation-http-parameters": {
                      "header-parameters": [{"key": "X-Tenant", "value": "t-42"}],
                      "query-string-parameters": [{"key": "sig", "value": "q-secret"}],
                      "body-parameters": [{"key": "client", "value": "baton"}]}},
        "basic": {"authorization-type": "BASIC", "username": "ann", "password": "pa55"},
    }));
    let http = Http::new(conns);
    let out = run(
        &http,
        json!({
            "ApiEndpoint": server.url("/k"),
            "Method": "POST",
            "RequestBody": {"a": 1},
            "InvocationConfig": {"ConnectionArn": "arn:aws:events:us-east-2:123456789012:connection/keyed/81210c42-8af1-456b"},
        }),
    )
    .expect("success");
    assert_eq!(
        out.get("ResponseBody"),
        Some(&json!({"auth": "s3cr3t-key"}))
    );
    run(
        &http,
        json!({
            "ApiEndpoint": server.url("/b"),
            "Method": "GET",
            "Headers": {"Authorization": "Bearer the-task-s-own"},
            "Authentication": {"ConnectionArn": "arn:aws:events:us-east-1:1:connection/basic/x"},
        }),
    )
    .expect("success");
    let seen = server.requests();
    assert_eq!(seen[0].header("x-api-key"), Some("s3cr3t-key"));
    assert_eq!(seen[0].header("x-tenant"), Some("t-42"));
    assert_eq!(seen[0].target, "/k?sig=q-secret");
    assert_eq!(seen[0].body, r#"{"a":1,"client":"baton"}"#);
    // base64("ann:pa55")
    assert_eq!(seen[1].header("authorization"), Some("Basic YW5uOnBhNTU="));
    let auths = seen[1]
        .headers
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case("authorization"))
        .count();
    assert_eq!(auths, 1, "the connection's credentials replace the task's");

    // A connection nobody configured fails the task, naming it and nothing else.
    let f = run(
        &http,
        json!({"ApiEndpoint": server.url("/x"), "Method": "GET",
               "InvocationConfig": {"ConnectionArn": "arn:aws:events:us-east-1:1:connection/nope/x"}}),
    )
    .expect_err("a failure");
    assert_eq!(f.error.as_deref(), Some("States.TaskFailed"));
    assert!(f.cause.as_deref().unwrap().contains("connection/nope/x"));

    // An endpoint that is down: the cause has no URL (the query holds a secret).
    let f = run(
        &http,
        json!({"ApiEndpoint": format!("http://127.0.0.1:{}/", free_port()), "Method": "GET",
               "InvocationConfig": {"ConnectionArn": "keyed"}}),
    )
    .expect_err("a failure");
    assert_eq!(f.error.as_deref(), Some("States.Http.Socket"));
    let cause = f.cause.as_deref().unwrap();
    assert!(
        !cause.contains("q-secret") && !cause.contains("s3cr3t"),
        "{cause}"
    );
}

#[test]
fn oauth_tokens_are_fetched_cached_and_renewed() {
    let tokens = Arc::new(Mutex::new(0u32));
    let t2 = Arc::clone(&tokens);
    let server = Server::start(move |req| {
        if req.target.starts_with("/token") {
            let mut n = t2.lock().unwrap();
            *n += 1;
            let ok = req.header("authorization") == Some("Basic Y2lkOmNzZWNyZXQ=")
                && req.body.contains("grant_type=client_credentials")
                && req.body.contains("scope=read");
            if !ok {
                return answer("401 Unauthorized", "application/json", "{}", &[]);
            }
            return answer(
                "200 OK",
                "application/json",
                &format!(
                    r#"{{"access_token": "tok{n}", "token_type": "Bearer", "expires_in": 3600}}"#
                ),
                &[],
            );
        }
        // The API takes only the newest token.
        let n = *t2.lock().unwrap();
        if req.header("authorization") == Some(&format!("Bearer tok{n}")) {
            answer("200 OK", "application/json", r#"{"ok": true}"#, &[])
        } else {
            answer(
                "401 Unauthorized",
                "application/json",
                r#"{"ok": false}"#,
                &[],
            )
        }
    });
    let conns = connections(json!({
        "crm": {"authorization-type": "OAUTH_CLIENT_CREDENTIALS",
                "authorization-endpoint": server.url("/token"),
                "client-id": "cid", "client-secret": "csecret",
                "oauth-http-parameters": {"body-parameters": [{"key": "scope", "value": "read"}]}},
    }));
    let http = Http::new(conns);
    let input = json!({"ApiEndpoint": server.url("/api"), "Method": "GET",
                       "InvocationConfig": {"ConnectionArn": "arn:aws:events:us-east-1:1:connection/crm/abc"}});
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let ok = |i: &Value| rt.block_on(http.run(call(i.clone())));
    assert!(ok(&input).is_ok());
    assert!(ok(&input).is_ok());
    assert_eq!(*tokens.lock().unwrap(), 1, "the token is cached");
    // The server renews its token: the cached one is refused once, then renewed.
    *tokens.lock().unwrap() += 1;
    let out = ok(&input).expect("success after renewal");
    assert_eq!(out.get("ResponseBody"), Some(&json!({"ok": true})));
    assert_eq!(*tokens.lock().unwrap(), 3);
    // No token is ever part of a result.
    assert!(!out.to_json_string().contains("tok"));
}

#[test]
fn an_oauth_endpoint_that_refuses_fails_the_connection() {
    let server = Server::start(|_| answer("400 Bad Request", "application/json", "{}", &[]));
    let conns = connections(json!({
        "crm": {"authorization-type": "OAUTH_CLIENT_CREDENTIALS",
                "authorization-endpoint": server.url("/token"),
                "client-id": "cid", "client-secret": "csecret"},
    }));
    let f = run(
        &Http::new(conns),
        json!({"ApiEndpoint": server.url("/api"), "Method": "GET",
               "InvocationConfig": {"ConnectionArn": "crm"}}),
    )
    .expect_err("a failure");
    assert_eq!(
        f.error.as_deref(),
        Some("Events.ConnectionResource.InvalidConnectionState")
    );
    assert!(!f.cause.as_deref().unwrap().contains("csecret"));
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

#[test]
fn an_endpoint_that_is_down_slow_or_garbled_is_a_socket_error() {
    let down = run(
        &Http::default(),
        json!({"ApiEndpoint": format!("http://127.0.0.1:{}/", free_port()), "Method": "GET"}),
    )
    .expect_err("a failure");
    assert_eq!(down.error.as_deref(), Some("States.Http.Socket"));

    let garbage = Server::start(|_| b"SSH-2.0-OpenSSH\r\n\r\n".to_vec());
    let f = run(
        &Http::default(),
        json!({"ApiEndpoint": garbage.url("/"), "Method": "GET"}),
    )
    .expect_err("a failure");
    assert_eq!(f.error.as_deref(), Some("States.Http.Socket"));

    let slow = Server::start(|_| {
        std::thread::sleep(Duration::from_secs(3));
        answer("200 OK", "text/plain", "late", &[])
    });
    let started = std::time::Instant::now();
    let f = run(
        &Http::default().with_timeout(Duration::from_millis(300)),
        json!({"ApiEndpoint": slow.url("/"), "Method": "GET"}),
    )
    .expect_err("a failure");
    assert_eq!(f.error.as_deref(), Some("States.Http.Socket"));
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[test]
fn an_answer_over_the_payload_limit_is_refused() {
    let big = "x".repeat(300 * 1024);
    let server = Server::start(move |_| answer("200 OK", "text/plain", &big, &[]));
    let f = run(
        &Http::default(),
        json!({"ApiEndpoint": server.url("/"), "Method": "GET"}),
    )
    .expect_err("a failure");
    assert_eq!(f.error.as_deref(), Some("States.DataLimitExceeded"));
}

#[test]
fn bad_parameters_fail_before_any_request() {
    let server = Server::start(|_| answer("200 OK", "text/plain", "", &[]));
    let http = Http::default();
    let url = server.url("/");
    for (input, says) in [
        (json!({"ApiEndpoint": url.clone()}), "'Method' is required"),
        (json!({"Method": "GET"}), "'ApiEndpoint' is required"),
        (
            json!({"ApiEndpoint": "ftp://example.com/", "Method": "GET"}),
            "not an http(s) URL",
        ),
        (
            json!({"ApiEndpoint": url.clone(), "Method": "TRACE"}),
            "not supported",
        ),
        (
            json!({"ApiEndpoint": url.clone(), "Method": "GET", "Headers": {"Host": "x"}}),
            "'Host' cannot be set",
        ),
        (
            json!({"ApiEndpoint": url.clone(), "Method": "GET", "Headers": {"X-Amz-Date": "x"}}),
            "cannot be set",
        ),
        (
            json!({"ApiEndpoint": url.clone(), "Method": "POST", "RequestBody": [1],
                   "Transform": {"RequestBodyEncoding": "URL_ENCODED"}}),
            "must be an object",
        ),
        (
            json!({"ApiEndpoint": url.clone(), "Method": "POST",
                   "Transform": {"RequestBodyEncoding": "URL_ENCODED", "RequestEncodingOptions": {"ArrayFormat": "PIPES"}}}),
            "ArrayFormat 'PIPES'",
        ),
    ] {
        let f = run(&http, input).expect_err("a failure");
        assert_eq!(f.error.as_deref(), Some("States.Runtime"));
        assert!(f.cause.as_deref().unwrap().contains(says), "{f:?}");
    }
    assert!(server.requests().is_empty());
}

#[test]
fn https_endpoints_are_spoken_to_with_tls() {
    // A server that answers no TLS: the handshake fails, which says TLS was tried.
    let server = Server::start(|_| answer("200 OK", "text/plain", "plain", &[]));
    let f = run(
        &Http::default(),
        json!({"ApiEndpoint": format!("https://127.0.0.1:{}/", server.port), "Method": "GET"}),
    )
    .expect_err("a failure");
    assert_eq!(f.error.as_deref(), Some("States.Http.Socket"));
    let cause = f.cause.unwrap_or_default();
    assert!(!cause.contains("scheme"), "{cause}");
}
