//! The `Host` check, against DNS rebinding: a web page on `http://evil.example` whose name
//! is made to resolve to 127.0.0.1 makes the user's browser send its requests to a Baton
//! listening on loopback, and reads the answers as the page's own. Such requests carry the
//! page's name in `Host`; so a Baton listening on loopback accepts only loopback names.
//!
//! - Listening on a loopback address: `localhost`, `*.localhost`, IP addresses and the
//!   names of `--allowed-hosts` are accepted, each also with the `sync-` prefix the AWS
//!   clients put in front of the endpoint's host for StartSyncExecution and TestState
//!   (`sync-localhost`), at any port.
//! - Listening on any other address (`0.0.0.0`, a LAN address): Baton is meant to be
//!   reached from other machines, under names it cannot know (a container's service name,
//!   a load balancer's), and anyone who can reach the port can already call it directly:
//!   no check unless `--allowed-hosts` is given, and then the same check as on loopback.
//! - IP addresses are always accepted: a rebinding needs a name to rebind; a page on
//!   `http://127.0.0.1` is the machine's own.
//! - A request without `Host` (HTTP/1.0) is accepted: browsers always send one, so such a
//!   request comes from a program on the machine, not from a page.
//! - `*` among the allowed hosts turns the check off.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use axum::http::{HeaderMap, Uri, header};

/// Which names `Host` may carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostCheck {
    /// `None`: any host.
    allowed: Option<Vec<Allowed>>,
    /// The names as configured, for the refusal's message.
    configured: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Allowed {
    /// This name exactly (lower case).
    Name(String),
    /// Names ending with this suffix (`.example.com` for `*.example.com`).
    Suffix(String),
}

impl HostCheck {
    /// The check for a server listening on `listening`, accepting `allowed_hosts` besides
    /// loopback names and IP addresses.
    pub fn new(listening: IpAddr, allowed_hosts: &[String]) -> HostCheck {
        let configured: Vec<String> = allowed_hosts
            .iter()
            .map(|h| h.trim().to_owned())
            .filter(|h| !h.is_empty())
            .collect();
        let off = configured.iter().any(|h| h == "*")
            || (configured.is_empty() && !listening.is_loopback());
        let allowed = (!off).then(|| {
            let mut names = vec![
                Allowed::Name("localhost".into()),
                Allowed::Suffix(".localhost".into()),
            ];
            for h in &configured {
                let h = normalise(strip_port(h));
                match h.strip_prefix("*.") {
                    Some(domain) => names.push(Allowed::Suffix(format!(".{domain}"))),
                    None => names.push(Allowed::Name(h)),
                }
            }
            names
        });
        HostCheck {
            allowed,
            configured,
        }
    }

    /// Whether every host is accepted.
    pub fn is_off(&self) -> bool {
        self.allowed.is_none()
    }

    /// `Err(host)` when the request's host (its `Host` header, and the authority of an
    /// absolute URI) is not accepted.
    pub fn check(&self, headers: &HeaderMap, uri: &Uri) -> Result<(), String> {
        let Some(allowed) = &self.allowed else {
            return Ok(());
        };
        let mut hosts = headers.get_all(header::HOST).iter().map(|v| {
            v.to_str()
                .map_err(|_| String::from_utf8_lossy(v.as_bytes()))
        });
        for host in hosts.by_ref() {
            match host {
                Ok(h) if accepts(allowed, h) => {}
                Ok(h) => return Err(h.to_owned()),
                Err(h) => return Err(h.into_owned()),
            }
        }
        match uri.authority() {
            Some(a) if !accepts(allowed, a.as_str()) => Err(a.as_str().to_owned()),
            _ => Ok(()),
        }
    }

    /// Why `host` is refused and what to do about it.
    pub fn refusal(&self, host: &str) -> String {
        let name = normalise(strip_port(host));
        let name = name.strip_prefix("sync-").unwrap_or(&name);
        let accepted = if self.configured.is_empty() {
            "loopback names (localhost, *.localhost) and IP addresses, since it listens on a \
             loopback address"
                .to_owned()
        } else {
            format!(
                "loopback names (localhost, *.localhost), IP addresses and the allowed hosts ({})",
                self.configured.join(", ")
            )
        };
        format!(
            "The Host '{host}' is not accepted: Baton accepts only {accepted}, so that a web \
             page cannot reach it by DNS rebinding. To accept this name, start baton serve \
             with --allowed-hosts {name} (or BATON_ALLOWED_HOSTS, or allowed-hosts in the \
             settings file)."
        )
    }
}

/// Whether `host` (`name[:port]`, `[v6][:port]`) is accepted by `allowed`.
fn accepts(allowed: &[Allowed], host: &str) -> bool {
    let host = strip_port(host);
    if is_ip_literal(host) {
        return true;
    }
    let name = normalise(host);
    let bare = name.strip_prefix("sync-");
    [Some(name.as_str()), bare]
        .into_iter()
        .flatten()
        .any(|n| is_ip_literal(n) || allowed.iter().any(|a| a.matches(n)))
}

impl Allowed {
    fn matches(&self, name: &str) -> bool {
        match self {
            Allowed::Name(n) => name == n,
            Allowed::Suffix(s) => name.len() > s.len() && name.ends_with(s.as_str()),
        }
    }
}

/// `host` without its port: `localhost:8083` → `localhost`, `[::1]:8083` → `[::1]`.
fn strip_port(host: &str) -> &str {
    if host.starts_with('[') {
        return match host.find(']') {
            Some(end) => &host[..=end],
            None => host,
        };
    }
    match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    }
}

/// Lower case, without the final dot of a fully qualified name.
fn normalise(name: &str) -> String {
    name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase()
}

/// `127.0.0.1`, `[::1]`.
fn is_ip_literal(host: &str) -> bool {
    match host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        Some(v6) => v6.parse::<Ipv6Addr>().is_ok(),
        None => host.parse::<Ipv4Addr>().is_ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(listening: &str, allowed: &[&str], host: Option<&str>) -> bool {
        let check = HostCheck::new(
            listening.parse().unwrap(),
            &allowed.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
        );
        let mut headers = HeaderMap::new();
        if let Some(h) = host {
            headers.insert(header::HOST, h.parse().unwrap());
        }
        check.check(&headers, &Uri::from_static("/")).is_ok()
    }

    #[test]
    fn loopback_listeners_accept_loopback_names_and_ip_addresses() {
        for host in [
            "localhost",
            "localhost:8083",
            "LocalHost.:8083",
            "sync-localhost:8083",
            "app.localhost",
            "sync-app.localhost:1",
            "127.0.0.1:8083",
            "127.1.2.3",
            "sync-127.0.0.1:8083",
            "[::1]:8083",
            "[::1]",
            "10.0.0.7:8083",
            "[2001:db8::1]",
        ] {
            assert!(check("127.0.0.1", &[], Some(host)), "{host}");
            assert!(check("::1", &[], Some(host)), "{host}");
        }
        for host in [
            "evil.example",
            "evil.example:8083",
            "localhost.evil.example",
            "sync-evil.example",
            "evillocalhost",
            ".localhost",
            "127.0.0.1.evil.example",
            "[::1",
            "",
        ] {
            assert!(!check("127.0.0.1", &[], Some(host)), "{host}");
        }
        // HTTP/1.0 without Host: not a browser.
        assert!(check("127.0.0.1", &[], None));
    }

    #[test]
    fn allowed_hosts_add_names_and_star_allows_all() {
        let allowed = ["baton.internal", "*.corp.example", "other:9000"];
        for host in [
            "baton.internal",
            "BATON.internal:8083",
            "sync-baton.internal",
            "a.corp.example",
            "sync-a.b.corp.example:1",
            "other",
            "localhost",
        ] {
            assert!(check("127.0.0.1", &allowed, Some(host)), "{host}");
        }
        for host in ["corp.example", "baton.internal.evil", "evil.example"] {
            assert!(!check("127.0.0.1", &allowed, Some(host)), "{host}");
        }
        assert!(check("127.0.0.1", &["*"], Some("evil.example")));
    }

    #[test]
    fn other_listeners_check_only_when_told() {
        for listening in ["0.0.0.0", "::", "192.168.1.10"] {
            assert!(check(listening, &[], Some("evil.example")));
            assert!(!check(listening, &["baton"], Some("evil.example")));
            assert!(check(listening, &["baton"], Some("baton:8083")));
            assert!(check(listening, &["baton"], Some("192.168.1.10:8083")));
        }
    }

    #[test]
    fn an_absolute_uri_is_checked_too() {
        let check = HostCheck::new("127.0.0.1".parse().unwrap(), &[]);
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, "localhost".parse().unwrap());
        let uri: Uri = "http://evil.example/".parse().unwrap();
        assert_eq!(check.check(&headers, &uri), Err("evil.example".into()));
    }

    #[test]
    fn the_refusal_names_the_host_and_the_option() {
        let check = HostCheck::new("127.0.0.1".parse().unwrap(), &[]);
        let m = check.refusal("sync-Evil.example:8083");
        assert!(m.contains("'sync-Evil.example:8083'"), "{m}");
        assert!(m.contains("--allowed-hosts evil.example "), "{m}");
    }
}
