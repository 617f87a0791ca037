//! Bad input for the AWS integrations: an endpoint that is down, slow, or answers garbage
//! or server errors; credentials that are missing or wrong. Each ends in AWS's error for
//! the case, after a bounded number of attempts.

mod aws_support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use aws_support::{NoEnv, call, client, json, settings, start_moto};
use baton_integrations::aws::settings::Resolved;
use baton_integrations::aws::{Aws, AwsSettings};
use baton_integrations::{Integration, TaskOutcome};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const GET_ITEM: &str = "arn:aws:states:::dynamodb:getItem";
const PARAMS: &str = r#"{"TableName":"t","Key":{"id":{"S":"1"}}}"#;

async fn get_item(settings: &AwsSettings) -> TaskOutcome {
    Aws::with_client(client(settings))
        .run(call(GET_ITEM, json(PARAMS)))
        .await
}

/// An HTTP answer with `body`.
fn answer(status: &str, content_type: &str, body: &str) -> String {
    format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
}

/// A local server that answers every request with `response` (after `delay`), counting
/// the requests.
async fn responder(response: String, delay: Duration) -> (String, Arc<AtomicUsize>) {
    let count = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&count);
    let url = serve(
        Arc::new(move |_: &str| {
            seen.fetch_add(1, Ordering::SeqCst);
            response.clone()
        }),
        delay,
    )
    .await;
    (url, count)
}

/// What a local server answers a request (its head and body, as text) with.
type Handler = Arc<dyn Fn(&str) -> String + Send + Sync>;

/// A local server answering each request with what `handler` makes of it, after `delay`.
async fn serve(handler: Handler, delay: Duration) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let handler = Arc::clone(&handler);
            tokio::spawn(async move {
                let mut buf = vec![0u8; 65536];
                let mut got = Vec::new();
                loop {
                    let Ok(n) = socket.read(&mut buf).await else {
                        return;
                    };
                    if n == 0 {
                        return;
                    }
                    got.extend_from_slice(&buf[..n]);
                    let text = String::from_utf8_lossy(&got).to_string();
                    let Some(end) = text.find("\r\n\r\n") else {
                        continue;
                    };
                    let length = text[..end]
                        .lines()
                        .find_map(|l| {
                            let (k, v) = l.split_once(':')?;
                            k.eq_ignore_ascii_case("content-length")
                                .then(|| v.trim().parse::<usize>().ok())?
                        })
                        .unwrap_or(0);
                    if got.len() < end + 4 + length {
                        continue;
                    }
                    let request: Vec<u8> = got.drain(..end + 4 + length).collect();
                    let response = handler(&String::from_utf8_lossy(&request));
                    tokio::time::sleep(delay).await;
                    if socket.write_all(response.as_bytes()).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    url
}

#[tokio::test]
async fn an_endpoint_that_is_down() {
    // A port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let started = Instant::now();
    let f = get_item(&settings(&format!("http://127.0.0.1:{port}")))
        .await
        .unwrap_err();
    assert_eq!(f.error.as_deref(), Some("DynamoDB.SdkClientException"));
    let cause = f.cause.unwrap();
    assert!(
        cause.starts_with("Unable to execute HTTP request: "),
        "{cause}"
    );
    // Three attempts with backoff, then the error: well under a few seconds.
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );

    // Through aws-sdk: the SDK for Java 2's name and its attempt count.
    let f = Aws::with_client(client(&settings(&format!("http://127.0.0.1:{port}"))))
        .run(call(
            "arn:aws:states:::aws-sdk:dynamodb:getItem",
            json(PARAMS),
        ))
        .await
        .unwrap_err();
    assert_eq!(f.error.as_deref(), Some("DynamoDb.SdkClientException"));
    assert!(f.cause.unwrap().ends_with("(SDK Attempt Count: 3)"));
}

#[tokio::test]
async fn an_endpoint_that_never_answers() {
    let (url, count) = responder(String::new(), Duration::from_secs(3600)).await;
    let s = AwsSettings {
        timeout_seconds: Some(1),
        max_attempts: Some(2),
        ..settings(&url)
    };
    let started = Instant::now();
    let f = get_item(&s).await.unwrap_err();
    assert_eq!(f.error.as_deref(), Some("DynamoDB.SdkClientException"));
    assert!(started.elapsed() < Duration::from_secs(4));
    assert_eq!(count.load(Ordering::SeqCst), 2, "one retry, then the error");
}

#[tokio::test]
async fn garbage_answers() {
    let (url, _) = responder(
        answer("200 OK", "application/x-amz-json-1.0", "not json!"),
        Duration::ZERO,
    )
    .await;
    let f = get_item(&settings(&url)).await.unwrap_err();
    assert_eq!(f.error.as_deref(), Some("DynamoDB.SdkClientException"));
    let cause = f.cause.unwrap();
    assert!(
        cause.starts_with("Unable to unmarshall response ("),
        "{cause}"
    );

    // Not HTTP at all.
    let (url, _) = responder("garbage garbage garbage\r\n\r\n".into(), Duration::ZERO).await;
    let f = get_item(&settings(&url)).await.unwrap_err();
    assert_eq!(f.error.as_deref(), Some("DynamoDB.SdkClientException"));
}

#[tokio::test]
async fn server_errors_are_retried_then_reported() {
    let (url, count) = responder(
        answer("503 Service Unavailable", "text/html", "<html></html>"),
        Duration::ZERO,
    )
    .await;
    let f = get_item(&settings(&url)).await.unwrap_err();
    assert_eq!(count.load(Ordering::SeqCst), 3, "the SDKs' three attempts");
    assert_eq!(f.error.as_deref(), Some("DynamoDB.AmazonDynamoDBException"));
    let cause = f.cause.unwrap();
    assert!(
        cause.contains("(Service: AmazonDynamoDBv2; Status Code: 503; Error Code: 503 Service Unavailable; Request ID: null; Proxy: null)"),
        "{cause}"
    );

    // A client error is not retried.
    let (url, count) = responder(
        answer(
            "400 Bad Request",
            "application/x-amz-json-1.0",
            r#"{"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"not found"}"#,
        ),
        Duration::ZERO,
    )
    .await;
    let f = get_item(&settings(&url)).await.unwrap_err();
    assert_eq!(count.load(Ordering::SeqCst), 1);
    assert_eq!(
        f.error.as_deref(),
        Some("DynamoDB.ResourceNotFoundException")
    );
}

#[tokio::test]
async fn missing_credentials() {
    let s = AwsSettings {
        access_key_id: None,
        secret_access_key: None,
        ..settings("http://127.0.0.1:9")
    };
    let resolved = Resolved::with_env(&s, &NoEnv);
    assert!(resolved.keys.is_err());
    let f = Aws::with_client(baton_integrations::aws::client::Client::new(resolved))
        .run(call(GET_ITEM, json(PARAMS)))
        .await
        .unwrap_err();
    assert_eq!(f.error.as_deref(), Some("DynamoDB.SdkClientException"));
    assert!(
        f.cause
            .unwrap()
            .starts_with("Unable to load AWS credentials from any provider in the chain")
    );
}

#[tokio::test]
async fn wrong_credentials() {
    if aws_support::moto().is_none() {
        return;
    }
    // A server that checks signatures against its own IAM, where these keys do not exist.
    let strict = match start_moto(&[("INITIAL_NO_AUTH_ACTION_COUNT", "0")]) {
        Ok(m) => m,
        Err(why) => return aws_support::skip(&why),
    };
    let f = get_item(&settings(&strict.url)).await.unwrap_err();
    assert_eq!(
        f.error.as_deref(),
        Some("DynamoDB.AmazonDynamoDBException"),
        "{:?}",
        f.cause
    );
    let cause = f.cause.unwrap();
    assert!(
        cause.contains("(Service: AmazonDynamoDBv2; Status Code: 4")
            && (cause.contains("Error Code: UnrecognizedClientException")
                || cause.contains("Error Code: InvalidClientTokenId")),
        "{cause}"
    );
}

/// Credentials from a profile's `credential_process`: used when they are good; a command
/// that fails is the credentials' error, with what it said.
#[tokio::test]
async fn credentials_from_a_credential_process() {
    let Some(moto) = aws_support::moto() else {
        return;
    };
    let s = AwsSettings {
        access_key_id: None,
        secret_access_key: None,
        ..settings(&moto.url)
    };
    let mut resolved = Resolved::with_env(&s, &NoEnv);
    resolved.credential_process = Some(
        r#"printf '{"Version": 1, "AccessKeyId": "testing", "SecretAccessKey": "testing", "SessionToken": "t", "Expiration": "2999-01-01T00:00:00Z"}'"#.into(),
    );
    assert!(resolved.reachable("dynamodb"));
    let f = Aws::with_client(baton_integrations::aws::client::Client::new(resolved))
        .run(call(GET_ITEM, json(PARAMS)))
        .await
        .unwrap_err();
    // Signed and sent: moto answers that the table does not exist.
    assert_eq!(
        f.error.as_deref(),
        Some("DynamoDB.ResourceNotFoundException"),
        "{:?}",
        f.cause
    );

    let mut resolved = Resolved::with_env(&s, &NoEnv);
    resolved.credential_process = Some("echo 'no session: run aws sso login' >&2; exit 1".into());
    let f = Aws::with_client(baton_integrations::aws::client::Client::new(resolved))
        .run(call(GET_ITEM, json(PARAMS)))
        .await
        .unwrap_err();
    assert_eq!(f.error.as_deref(), Some("DynamoDB.SdkClientException"));
    let cause = f.cause.unwrap();
    assert!(
        cause.contains("credential_process") && cause.contains("aws sso login"),
        "{cause}"
    );
}

/// A Task's `Credentials.RoleArn`: its calls are signed with the role's credentials, got
/// from STS's AssumeRole (signed with Baton's own) once and kept while they are good.
#[tokio::test]
async fn a_task_s_role_is_assumed_through_sts() {
    let seen = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let kept = Arc::clone(&seen);
    let url = serve(
        Arc::new(move |request: &str| {
            kept.lock().unwrap().push(request.to_owned());
            if request.contains("Action=AssumeRole") {
                let xml = "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><AssumeRoleResult>\
                    <Credentials><AccessKeyId>ASIAROLEKEY</AccessKeyId><SecretAccessKey>rs</SecretAccessKey>\
                    <SessionToken>role-token</SessionToken><Expiration>2999-01-01T00:00:00Z</Expiration></Credentials>\
                    </AssumeRoleResult></AssumeRoleResponse>";
                answer("200 OK", "text/xml", xml)
            } else {
                answer("200 OK", "application/x-amz-json-1.0", "{}")
            }
        }),
        Duration::ZERO,
    )
    .await;
    let aws = Aws::with_client(client(&settings(&url)));
    let role = "arn:aws:iam::123456789012:role/orders";
    for _ in 0..2 {
        let mut c = call(GET_ITEM, json(PARAMS));
        c.credentials = Some(json(&format!(r#"{{"RoleArn":"{role}"}}"#)));
        aws.run(c).await.expect("GetItem answers");
    }
    let seen = seen.lock().unwrap();
    let authorization = |r: &str| {
        r.lines()
            .find(|l| l.to_ascii_lowercase().starts_with("authorization:"))
            .map(str::to_owned)
            .unwrap_or_default()
    };
    let token = |r: &str| {
        r.to_ascii_lowercase()
            .contains("x-amz-security-token: role-token")
    };
    assert_eq!(seen.len(), 3, "AssumeRole once, then two GetItems");
    assert!(seen[0].contains("Action=AssumeRole"), "{}", seen[0]);
    assert!(
        seen[0].contains(&format!(
            "RoleArn={}",
            role.replace(':', "%3A").replace('/', "%2F")
        )),
        "{}",
        seen[0]
    );
    assert!(
        authorization(&seen[0]).contains("Credential=testing/"),
        "signed with Baton's own"
    );
    for r in &seen[1..] {
        assert!(authorization(r).contains("Credential=ASIAROLEKEY/"), "{r}");
        assert!(token(r), "{r}");
    }
}

/// A role that cannot be assumed fails the task, saying which role and why.
#[tokio::test]
async fn a_role_that_cannot_be_assumed_fails_the_task() {
    let url = serve(
        Arc::new(|_: &str| {
            answer(
                "403 Forbidden",
                "text/xml",
                "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>\
                 <Message>not authorized to perform: sts:AssumeRole</Message></Error></ErrorResponse>",
            )
        }),
        Duration::ZERO,
    )
    .await;
    let mut c = call(GET_ITEM, json(PARAMS));
    c.credentials = Some(json(r#"{"RoleArn":"arn:aws:iam::123456789012:role/nope"}"#));
    let f = Aws::with_client(client(&settings(&url)))
        .run(c)
        .await
        .unwrap_err();
    assert_eq!(f.error.as_deref(), Some("DynamoDB.SdkClientException"));
    let cause = f.cause.unwrap();
    assert!(
        cause.contains("Unable to assume the role arn:aws:iam::123456789012:role/nope")
            && cause.contains("not authorized to perform: sts:AssumeRole"),
        "{cause}"
    );
}

/// Credentials from a web identity token (traded with STS, unsigned) and from a
/// container's credentials endpoint: the calls are signed with what they gave.
#[tokio::test]
async fn credentials_from_a_web_identity_and_a_container_endpoint() {
    let seen = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let kept = Arc::clone(&seen);
    let url = serve(
        Arc::new(move |request: &str| {
            kept.lock().unwrap().push(request.to_owned());
            if request.contains("Action=AssumeRoleWithWebIdentity") {
                let xml = "<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult>\
                    <Credentials><AccessKeyId>ASIAWEB</AccessKeyId><SecretAccessKey>ws</SecretAccessKey>\
                    <SessionToken>web-token</SessionToken><Expiration>2999-01-01T00:00:00Z</Expiration></Credentials>\
                    </AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>";
                answer("200 OK", "text/xml", xml)
            } else if request.starts_with("GET /creds") {
                answer(
                    "200 OK",
                    "application/json",
                    r#"{"AccessKeyId":"ASIABOX","SecretAccessKey":"bs","Token":"box-token","Expiration":"2999-01-01T00:00:00Z"}"#,
                )
            } else {
                answer("200 OK", "application/x-amz-json-1.0", "{}")
            }
        }),
        Duration::ZERO,
    )
    .await;
    let no_keys = AwsSettings {
        access_key_id: None,
        secret_access_key: None,
        ..settings(&url)
    };
    let dir = std::env::temp_dir().join(format!("baton-wi-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let token_file = dir.join("token");
    std::fs::write(&token_file, "eyJ.pod.token\n").unwrap();

    let mut resolved = Resolved::with_env(&no_keys, &NoEnv);
    resolved.web_identity = Some(baton_integrations::aws::settings::WebIdentity {
        token_file: token_file.clone(),
        role_arn: "arn:aws:iam::123456789012:role/pod".into(),
        session_name: "baton".into(),
    });
    let aws = Aws::with_client(baton_integrations::aws::client::Client::new(resolved));
    aws.run(call(GET_ITEM, json(PARAMS)))
        .await
        .expect("GetItem answers");
    aws.run(call(GET_ITEM, json(PARAMS)))
        .await
        .expect("GetItem answers");

    let mut resolved = Resolved::with_env(&no_keys, &NoEnv);
    resolved.container = Some(baton_integrations::aws::settings::ContainerCredentials {
        url: format!("{url}/creds"),
        token: None,
        token_file: Some(token_file.clone()),
    });
    let aws = Aws::with_client(baton_integrations::aws::client::Client::new(resolved));
    aws.run(call(GET_ITEM, json(PARAMS)))
        .await
        .expect("GetItem answers");
    std::fs::remove_dir_all(&dir).unwrap();

    let seen = seen.lock().unwrap();
    let lower: Vec<String> = seen.iter().map(|r| r.to_ascii_lowercase()).collect();
    assert_eq!(
        seen.len(),
        5,
        "STS once, two GetItems, the endpoint, one GetItem"
    );
    assert!(
        seen[0].contains("WebIdentityToken=eyJ.pod.token"),
        "{}",
        seen[0]
    );
    assert!(
        !lower[0].contains("authorization:"),
        "the exchange is not signed"
    );
    for r in &lower[1..3] {
        assert!(
            r.contains("credential=asiaweb/") && r.contains("x-amz-security-token: web-token"),
            "{r}"
        );
    }
    assert!(
        lower[3].starts_with("get /creds") && lower[3].contains("authorization: eyj.pod.token"),
        "{}",
        seen[3]
    );
    assert!(
        lower[4].contains("credential=asiabox/")
            && lower[4].contains("x-amz-security-token: box-token"),
        "{}",
        seen[4]
    );
}

/// Credentials from EC2's instance metadata (IMDSv2), when asked for: a session token,
/// the instance's role, its credentials.
#[tokio::test]
async fn credentials_from_instance_metadata() {
    let seen = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let kept = Arc::clone(&seen);
    let url = serve(
        Arc::new(move |request: &str| {
            kept.lock().unwrap().push(request.to_owned());
            let lower = request.to_ascii_lowercase();
            let has_token = lower.contains("x-aws-ec2-metadata-token: imds-session");
            if request.starts_with("PUT /latest/api/token") {
                answer("200 OK", "text/plain", "imds-session")
            } else if request.starts_with("GET /latest/meta-data/iam/security-credentials/ ") && has_token {
                answer("200 OK", "text/plain", "baton-host")
            } else if request.starts_with("GET /latest/meta-data/iam/security-credentials/baton-host") && has_token {
                answer(
                    "200 OK",
                    "application/json",
                    r#"{"Code":"Success","AccessKeyId":"ASIAHOST","SecretAccessKey":"hs","Token":"host-token","Expiration":"2999-01-01T00:00:00Z"}"#,
                )
            } else if request.starts_with("POST /") {
                answer("200 OK", "application/x-amz-json-1.0", "{}")
            } else {
                answer("401 Unauthorized", "text/plain", "no token")
            }
        }),
        Duration::ZERO,
    )
    .await;
    let no_keys = AwsSettings {
        access_key_id: None,
        secret_access_key: None,
        instance_metadata: true,
        ..settings(&url)
    };
    let mut resolved = Resolved::with_env(&no_keys, &NoEnv);
    assert_eq!(
        resolved.instance_metadata.as_deref(),
        Some("http://169.254.169.254")
    );
    resolved.instance_metadata = Some(url.clone());
    let aws = Aws::with_client(baton_integrations::aws::client::Client::new(resolved));
    aws.run(call(GET_ITEM, json(PARAMS)))
        .await
        .expect("GetItem answers");
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 4, "token, role, credentials, then the call");
    let call_made = seen[3].to_ascii_lowercase();
    assert!(
        call_made.contains("credential=asiahost/")
            && call_made.contains("x-amz-security-token: host-token"),
        "{call_made}"
    );
    // Not asked for: not used.
    let r = Resolved::with_env(
        &AwsSettings {
            instance_metadata: false,
            ..no_keys
        },
        &NoEnv,
    );
    assert!(r.instance_metadata.is_none());
}

/// Credentials for an IAM Identity Center (SSO) role: the token `aws sso login` cached
/// (its file named by the SHA-1 of the session's name), traded at the SSO portal; an
/// expired login says to log in again.
#[tokio::test]
async fn credentials_from_an_sso_login() {
    let seen = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let kept = Arc::clone(&seen);
    let url = serve(
        Arc::new(move |request: &str| {
            kept.lock().unwrap().push(request.to_owned());
            if request.starts_with("GET /federation/credentials?account_id=111122223333&role_name=Dev ")
                && request.to_ascii_lowercase().contains("x-amz-sso_bearer_token: sso-access")
            {
                answer(
                    "200 OK",
                    "application/json",
                    r#"{"roleCredentials":{"accessKeyId":"ASIASSO","secretAccessKey":"ss","sessionToken":"sso-token","expiration":32503680000000}}"#,
                )
            } else if request.starts_with("POST /") {
                answer("200 OK", "application/x-amz-json-1.0", "{}")
            } else {
                answer("403 Forbidden", "application/json", r#"{"message":"no"}"#)
            }
        }),
        Duration::ZERO,
    )
    .await;
    let dir = std::env::temp_dir().join(format!("baton-sso-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // sha1("corp")
    let file = dir.join("ee0bfd2552fbd840c02cc48b6e823320543c450f.json");
    let sso = |key: &str| baton_integrations::aws::settings::Sso {
        cache_key: key.into(),
        region: "eu-west-1".into(),
        account_id: "111122223333".into(),
        role_name: "Dev".into(),
        cache_dir: dir.clone(),
    };
    let s = AwsSettings {
        access_key_id: None,
        secret_access_key: None,
        endpoints: [("sso".to_owned(), url.clone())].into(),
        ..settings(&url)
    };
    let run = |key: &'static str| {
        let mut resolved = Resolved::with_env(&s, &NoEnv);
        resolved.sso = Some(sso(key));
        async move {
            Aws::with_client(baton_integrations::aws::client::Client::new(resolved))
                .run(call(GET_ITEM, json(PARAMS)))
                .await
        }
    };
    std::fs::write(
        &file,
        r#"{"accessToken":"sso-access","expiresAt":"2999-01-01T00:00:00Z","region":"eu-west-1"}"#,
    )
    .unwrap();
    run("corp").await.expect("GetItem answers");
    {
        let seen = seen.lock().unwrap();
        assert_eq!(seen.len(), 2, "{seen:?}");
        let made = seen[1].to_ascii_lowercase();
        assert!(
            made.contains("credential=asiasso/")
                && made.contains("x-amz-security-token: sso-token"),
            "{made}"
        );
    }
    std::fs::write(
        &file,
        r#"{"accessToken":"sso-access","expiresAt":"2001-01-01T00:00:00Z"}"#,
    )
    .unwrap();
    let f = run("corp").await.unwrap_err();
    assert!(
        f.cause
            .as_deref()
            .unwrap_or_default()
            .contains("expired: run aws sso login"),
        "{f:?}"
    );
    let f = run("never-logged-in").await.unwrap_err();
    assert!(
        f.cause
            .as_deref()
            .unwrap_or_default()
            .contains("no cached login"),
        "{f:?}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn an_answer_larger_than_any_result_is_refused_unread_and_not_tried_again() {
    // Declared too large: refused from its length.
    let declared = "HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.0\r\nContent-Length: 9000000000\r\n\r\n{".to_owned();
    let (url, count) = responder(declared, Duration::ZERO).await;
    let f = get_item(&settings(&url)).await.unwrap_err();
    assert_eq!(f.error.as_deref(), Some("States.DataLimitExceeded"));
    assert_eq!(
        f.cause.as_deref(),
        Some(
            "The state/task 'dynamodb' returned a result with a size exceeding the maximum number of bytes service limit."
        )
    );
    assert_eq!(count.load(Ordering::SeqCst), 1, "not tried again");
    // Chunked, without a length: refused once past the bound.
    let big = "x".repeat(64 * 1024);
    let mut chunked = String::from(
        "HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.0\r\nTransfer-Encoding: chunked\r\n\r\n",
    );
    for _ in 0..(baton_integrations::aws::client::MAX_RESPONSE_BYTES / big.len() + 2) {
        chunked.push_str(&format!("{:x}\r\n{big}\r\n", big.len()));
    }
    chunked.push_str("0\r\n\r\n");
    let (url, _) = responder(chunked, Duration::ZERO).await;
    let f = Aws::with_client(client(&settings(&url)))
        .run(call(
            "arn:aws:states:::aws-sdk:dynamodb:getItem",
            json(PARAMS),
        ))
        .await
        .unwrap_err();
    assert_eq!(f.error.as_deref(), Some("States.DataLimitExceeded"));
    assert!(f.cause.unwrap().contains("'aws-sdk:dynamodb'"));
}
