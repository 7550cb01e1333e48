//! The origin check: a state-changing request (and the WebSocket upgrade) is accepted only from
//! the site's own pages. It compares the browser's `Origin` with the configured public address,
//! never with the request's own `Host` header, which a DNS-rebinding page controls.

use axum::{
    extract::{Request, State},
    http::{header, HeaderMap, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};
use std::{net::SocketAddr, sync::Arc};

/// The origins our pages are served from.
#[derive(Clone, Debug)]
pub struct AllowedOrigins(Arc<Vec<String>>);

impl AllowedOrigins {
    /// `PUBLIC_URL`'s origin. Without a configured `PUBLIC_URL`, the site is
    /// `http://<listen address>`; on a loopback address the other spellings of loopback
    /// (`localhost`, `127.0.0.1`, `[::1]`) on that port are the same machine and allowed too.
    pub fn new(public_url: &url::Url, configured: bool, listen: SocketAddr) -> Self {
        let mut origins = vec![public_url.origin().ascii_serialization()];
        if !configured && listen.ip().is_loopback() {
            let port = listen.port();
            for host in ["localhost", "127.0.0.1", "[::1]"] {
                let origin = format!("http://{host}:{port}");
                if !origins.contains(&origin) {
                    origins.push(origin);
                }
            }
        }
        Self(Arc::new(origins))
    }

    /// Whether the request's `Origin` (or, failing that, `Sec-Fetch-Site`) shows it comes from
    /// our own pages. A request with neither comes from a non-browser client, which carries no
    /// victim's cookies, and passes unless `require` is set.
    pub fn allows(&self, headers: &HeaderMap, require: bool) -> bool {
        if let Some(origin) = headers.get(header::ORIGIN) {
            let Ok(origin) = origin.to_str() else {
                return false;
            };
            return self.0.iter().any(|o| o.eq_ignore_ascii_case(origin));
        }
        match headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
            Some(site) => site == "same-origin" || site == "none",
            None => !require,
        }
    }
}

/// Refuses state-changing requests from other origins with 403 before they reach a handler.
pub async fn guard(State(origins): State<AllowedOrigins>, req: Request, next: Next) -> Response {
    let changes_state = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if changes_state && !origins.allows(req.headers(), false) {
        tracing::warn!(method = ?req.method(), "cross-origin request refused");
        return (StatusCode::FORBIDDEN, "Cross-origin request refused.").into_response();
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(origin: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::ORIGIN, origin.parse().expect("header"));
        h.insert(header::HOST, "evil.example:3000".parse().expect("header"));
        h
    }

    #[test]
    fn only_the_public_origin_passes_whatever_the_host_header_says() {
        let listen: SocketAddr = "127.0.0.1:3000".parse().expect("addr");
        let default = url::Url::parse("http://127.0.0.1:3000/").expect("url");
        let local = AllowedOrigins::new(&default, false, listen);
        assert!(local.allows(&headers("http://127.0.0.1:3000"), true));
        assert!(local.allows(&headers("http://localhost:3000"), true));
        // A DNS-rebinding page: its origin is its own name, which the Host header repeats.
        assert!(!local.allows(&headers("http://evil.example:3000"), true));
        assert!(!local.allows(&headers("http://localhost:3001"), true));

        let public = url::Url::parse("https://talent.example.com/").expect("url");
        let configured = AllowedOrigins::new(&public, true, listen);
        assert!(configured.allows(&headers("https://talent.example.com"), true));
        assert!(!configured.allows(&headers("http://localhost:3000"), true));
        assert!(!configured.allows(&headers("http://talent.example.com"), true));
    }

    #[test]
    fn without_an_origin_the_fetch_metadata_decides() {
        let listen: SocketAddr = "127.0.0.1:3000".parse().expect("addr");
        let origins = AllowedOrigins::new(
            &url::Url::parse("http://127.0.0.1:3000/").expect("url"),
            false,
            listen,
        );
        let mut h = HeaderMap::new();
        assert!(origins.allows(&h, false), "a non-browser client");
        assert!(!origins.allows(&h, true), "unless an origin is required");
        h.insert("sec-fetch-site", "cross-site".parse().expect("header"));
        assert!(!origins.allows(&h, false));
        h.insert("sec-fetch-site", "same-origin".parse().expect("header"));
        assert!(origins.allows(&h, true));
    }
}
