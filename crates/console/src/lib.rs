//! The web console, served by `baton serve` at `/console/`.
//!
//! The app lives in `console/` (TypeScript, built by vite); `build.rs` builds it with npm
//! and embeds the files in the binary. It talks to Baton only through the public API
//! (`POST /` with `X-Amz-Target`), from the same origin. Without Node.js at build time the
//! server still builds and runs, and `/console/` says how to get the console.
//!
//! [`router`] adds the console to the API's router:
//! - `GET /console/...`: the app's files; paths that are not files get `index.html`;
//! - `GET /console`: a redirect to `/console/`;
//! - `GET /` from a browser (one that accepts `text/html`): a redirect to `/console/`;
//!   everything else at `/` (the API's `POST /` above all) is left to the API.

use axum::Router;
use axum::extract::{Path, Request};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

mod files {
    include!(concat!(env!("OUT_DIR"), "/files.rs"));
}

/// Where the console is served.
pub const PREFIX: &str = "/console/";

/// Whether the console was built into this binary (npm was there at build time).
pub fn is_built() -> bool {
    file("index.html").is_some()
}

/// The API's router with the console added.
pub fn router(api: Router) -> Router {
    api.route("/console", get(|| async { redirect(PREFIX) }))
        .route("/console/", get(|| async { serve("index.html") }))
        .route(
            "/console/{*path}",
            get(|Path(path): Path<String>| async move { serve(&path) }),
        )
        .layer(middleware::from_fn(browser_root))
}

/// `GET /` from a browser goes to the console; anything else goes on to the API.
async fn browser_root(request: Request, next: Next) -> Response {
    if request.uri().path() == "/"
        && (request.method() == Method::GET || request.method() == Method::HEAD)
        && accepts_html(request.headers())
    {
        return redirect(PREFIX);
    }
    next.run(request).await
}

fn accepts_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"))
}

fn redirect(to: &'static str) -> Response {
    (
        StatusCode::SEE_OTHER,
        [(header::LOCATION, HeaderValue::from_static(to))],
    )
        .into_response()
}

fn file(path: &str) -> Option<&'static [u8]> {
    files::FILES
        .binary_search_by(|(p, _)| (*p).cmp(path))
        .ok()
        .map(|i| files::FILES[i].1)
}

/// A file of the app; a path without an extension is a page of the app: `index.html`.
fn serve(path: &str) -> Response {
    if let Some(body) = file(path) {
        // vite names what it emits under assets/ by their content's hash: they never change.
        let cache = if path.starts_with("assets/") {
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        };
        return (
            [
                (header::CONTENT_TYPE, content_type(path)),
                (header::CACHE_CONTROL, cache),
                (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            ],
            body,
        )
            .into_response();
    }
    let last = path.rsplit('/').next().unwrap_or(path);
    if last.contains('.') && path != "index.html" {
        return (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            format!("No console file {path}\n"),
        )
            .into_response();
    }
    match file("index.html") {
        Some(_) => serve("index.html"),
        None => (
            [
                (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                (header::CACHE_CONTROL, "no-cache"),
            ],
            NOT_BUILT,
        )
            .into_response(),
    }
}

fn content_type(path: &str) -> &'static str {
    let ext = path.rsplit_once('.').map_or("", |(_, e)| e);
    match ext {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "wasm" => "application/wasm",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// The page served when the binary was built without the console.
const NOT_BUILT: &str = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Baton console</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40em;margin:4em auto;padding:0 1em;color:#1f2933}
code,pre{background:#f0f2f5;padding:.1em .3em;border-radius:3px}pre{padding:.8em}</style></head>
<body><h1>The Baton console is not in this build</h1>
<p>Baton is running: the Step Functions API answers at <code>POST /</code> on this address.</p>
<p>The console is a web app that is built with Node.js when Baton is compiled. This binary
was compiled where <code>npm</code> was not available (or the build failed: see the
warnings of <code>cargo build</code>). To get it:</p>
<ol><li>Install Node.js 20 or later, with npm (from nodejs.org or your system's packages).</li>
<li>Build Baton again where <code>npm</code> is on the <code>PATH</code>: the build runs
<code>npm ci</code> and <code>npm run build</code> in <code>console/</code> and embeds the result.
<pre>cargo build --release -p baton-cli
./target/release/baton serve</pre></li></ol>
<p>then open <a href="/console/">/console/</a> again.</p></body></html>
"#;

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::Request;
    use axum::routing::post;
    use tower::ServiceExt;

    fn app() -> Router {
        router(Router::new().route("/", post(|| async { "api" })))
    }

    async fn send(request: Request<Body>) -> Response {
        app().oneshot(request).await.unwrap()
    }

    fn header(r: &Response, name: header::HeaderName) -> &str {
        r.headers().get(name).map_or("", |v| v.to_str().unwrap())
    }

    async fn body(r: Response) -> String {
        let bytes = axum::body::to_bytes(r.into_body(), usize::MAX)
            .await
            .unwrap();
        String::from_utf8_lossy(&bytes).into_owned()
    }

    #[test]
    fn files_are_sorted_for_the_search() {
        assert!(files::FILES.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn content_types() {
        assert_eq!(
            content_type("assets/index-abc.js"),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(content_type("index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("x"), "application/octet-stream");
    }

    #[tokio::test]
    async fn a_browser_at_the_root_goes_to_the_console() {
        let r = send(
            Request::get("/")
                .header("accept", "text/html,application/xhtml+xml")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(header(&r, header::LOCATION), "/console/");
        let r = send(Request::get("/console").body(Body::empty()).unwrap()).await;
        assert_eq!(header(&r, header::LOCATION), "/console/");
    }

    #[tokio::test]
    async fn the_api_is_left_alone() {
        let r = send(
            Request::post("/")
                .header("accept", "text/html")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(body(r).await, "api");
        // A GET that is not a browser's is the API's to answer.
        let r = send(Request::get("/").body(Body::empty()).unwrap()).await;
        assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
    }

    #[tokio::test]
    async fn pages_and_files() {
        let r = send(Request::get("/console/").body(Body::empty()).unwrap()).await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(header(&r, header::CONTENT_TYPE), "text/html; charset=utf-8");
        assert_eq!(header(&r, header::CACHE_CONTROL), "no-cache");
        let index = body(r).await;
        // A page of the app is the app.
        let r = send(
            Request::get("/console/machines/x")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(body(r).await, index);
        let r = send(
            Request::get("/console/assets/missing.js")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        if is_built() {
            assert!(index.contains("id=\"root\""));
            let (asset, _) = files::FILES
                .iter()
                .find(|(p, _)| p.starts_with("assets/") && p.ends_with(".js"))
                .expect("a script");
            let r = send(
                Request::get(format!("/console/{asset}"))
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
            assert_eq!(
                header(&r, header::CONTENT_TYPE),
                "text/javascript; charset=utf-8"
            );
            assert_eq!(
                header(&r, header::CACHE_CONTROL),
                "public, max-age=31536000, immutable"
            );
        } else {
            assert!(index.contains("not in this build"));
        }
    }
}
