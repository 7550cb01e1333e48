//! The security headers every response carries, and how long browsers may cache what.

use axum::{
    extract::{Request, State},
    http::{header, HeaderMap, HeaderValue},
    middleware::Next,
    response::Response,
};

/// Whether the site is served over https (then HSTS is sent).
#[derive(Clone, Copy, Debug)]
pub struct Https(pub bool);

/// The policy for HTML that Leptos did not render with a nonce (error pages, static HTML).
const FALLBACK_CSP: &str = "default-src 'self'; script-src 'none'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

/// Whether a response is an HTML page.
pub fn is_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"))
}

/// Adds the security headers to every response.
pub async fn security_headers(State(https): State<Https>, req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let headers = res.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(), payment=()"),
    );
    headers.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(FALLBACK_CSP),
        );
    }
    if https.0 {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    if is_html(headers) {
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
    }
    res
}

/// How long a browser may keep a response: asset names that carry a content hash forever,
/// icons a day, pages and the service worker only after asking again, server-function answers
/// (private data) never.
fn cache_policy(path: &str, is_html: bool) -> Option<&'static str> {
    if let Some(file) = path.strip_prefix("/pkg/") {
        // `talentloom.<hash>.wasm`: the hash makes the name unique to this content.
        let hashed = file.split('.').count() >= 3;
        return Some(if hashed {
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        });
    }
    if path.starts_with("/api/") {
        return Some("no-store");
    }
    if path == "/sw.js" || is_html {
        return Some("private, no-cache");
    }
    if path.starts_with("/icons/") || path == "/manifest.webmanifest" {
        return Some("public, max-age=86400");
    }
    None
}

/// Sets `Cache-Control` from [`cache_policy`].
pub async fn cache_control(req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    let mut res = next.run(req).await;
    if let Some(policy) = cache_policy(&path, is_html(res.headers())) {
        res.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    res
}

#[cfg(test)]
mod tests {
    use super::cache_policy;

    #[test]
    fn hashed_assets_are_cached_for_good_and_pages_never_without_asking() {
        let forever = Some("public, max-age=31536000, immutable");
        assert_eq!(
            cache_policy("/pkg/talentloom.f3a9c0d1.wasm", false),
            forever
        );
        assert_eq!(
            cache_policy("/pkg/talentloom.wasm", false),
            Some("no-cache")
        );
        assert_eq!(
            cache_policy("/o/acme/team", true),
            Some("private, no-cache")
        );
        assert_eq!(cache_policy("/api/team", false), Some("no-store"));
        assert_eq!(cache_policy("/sw.js", false), Some("private, no-cache"));
        assert_eq!(cache_policy("/healthz", false), None);
    }
}
