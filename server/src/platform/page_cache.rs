//! The public careers pages, rendered once and sent many times. Everyone who is not signed in
//! gets the same page for the same address, and a careers page is what a link shared on a job
//! board brings thousands of people to; rendering it (the app, its queries) for each of them is
//! most of the cost of serving it.
//!
//! What is kept: a `GET /careers/…` answered `200` to a request without a session, and without
//! a form's send-back (`__err`), whose answer sets no cookie; by its path and query (in one
//! order), as `code_hints` left it (without the hints that fetch its code ahead of the page).
//! It is sent again, with a fresh
//! nonce in its body and its Content-Security-Policy (the nonce is what lets its scripts run; a
//! kept page must not reuse one), for at most [`FRESH_FOR`], and never after a successful write
//! that changes what careers pages show ([`CAREERS_WRITES`]: a job saved, published or closed, the
//! organisation's settings or logo changed), which is seen at once here and within
//! [`FRESH_FOR`] on other instances. At most [`MAX_BYTES`] of pages are kept.

use axum::{
    body::{to_bytes, Body},
    extract::{Request, State},
    http::{header, HeaderValue, Method, StatusCode},
    middleware::Next,
    response::Response,
};
use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Mutex,
    },
    time::{Duration, Instant},
};

/// How long a kept page is sent again without rendering it.
pub const FRESH_FOR: Duration = Duration::from_secs(2);
/// The pages kept, in bytes at most: when a new one does not fit, the stale ones go, and if it
/// still does not fit, all.
pub const MAX_BYTES: usize = 32 * 1024 * 1024;
/// A rendered careers page larger than this is not kept.
const MAX_PAGE_BYTES: usize = 512 * 1024;

/// The server functions whose success changes what a careers page shows (the logo's route is
/// the other such write). A feature that changes them adds itself here.
pub const CAREERS_WRITES: [&str; 3] = [
    "/api/save_job",
    "/api/change_job_status",
    "/api/update_organisation",
];

/// Whether a write to `path` may change a careers page.
fn changes_careers(path: &str) -> bool {
    CAREERS_WRITES.contains(&path) || (path.starts_with("/o/") && path.ends_with("/settings/logo"))
}

/// The key of a careers page: its path and its query's parameters in one order (a page reads
/// its filters, and the job's page `?applied` after a plain post).
fn key_of(uri: &axum::http::Uri) -> String {
    let mut pairs: Vec<(String, String)> =
        url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
            .into_owned()
            .collect();
    pairs.sort();
    let mut key = uri.path().to_owned();
    for (name, value) in pairs {
        key.push('\n');
        key.push_str(&name);
        key.push('=');
        key.push_str(&value);
    }
    key
}

/// One kept answer: its body and policy with the nonce they were rendered with.
struct Kept {
    generation: u64,
    at: Instant,
    nonce: String,
    body: String,
    policy: String,
    content_type: HeaderValue,
}

/// The kept pages and their total size, shared by every request.
#[derive(Clone, Default)]
pub struct PageCache {
    /// Bumped by every write in [`CAREERS_WRITES`]: a kept page of an older generation is not
    /// used.
    generation: Arc<AtomicU64>,
    pages: Arc<Mutex<Pages>>,
}

#[derive(Default)]
struct Pages {
    by_key: HashMap<String, Arc<Kept>>,
    bytes: usize,
}

/// Whether the request comes with a session: the session layer (outside this one) read its
/// cookie as the rest of the server does. One it cannot read is no session anywhere.
fn has_session(request: &Request) -> bool {
    request
        .extensions()
        .get::<tower_sessions::Session>()
        .is_some_and(|session| session.id().is_some())
}

/// The nonce of a Content-Security-Policy (`'nonce-…'`).
fn nonce_of(policy: &str) -> Option<&str> {
    let start = policy.find("'nonce-")? + "'nonce-".len();
    let len = policy[start..].find('\'')?;
    Some(&policy[start..start + len]).filter(|n| n.len() >= 16)
}

impl PageCache {
    fn get(&self, key: &str) -> Option<Arc<Kept>> {
        let generation = self.generation.load(Ordering::Acquire);
        let pages = self.pages.lock().unwrap_or_else(|e| e.into_inner());
        pages
            .by_key
            .get(key)
            .filter(|k| k.generation == generation && k.at.elapsed() < FRESH_FOR)
            .cloned()
    }

    fn put(&self, key: String, kept: Kept) {
        let size = kept.size();
        let mut pages = self.pages.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(old) = pages.by_key.remove(&key) {
            pages.bytes -= old.size();
        }
        if pages.bytes + size > MAX_BYTES {
            let generation = self.generation.load(Ordering::Acquire);
            pages
                .by_key
                .retain(|_, k| k.generation == generation && k.at.elapsed() < FRESH_FOR);
            pages.bytes = pages.by_key.values().map(|k| k.size()).sum();
            if pages.bytes + size > MAX_BYTES {
                pages.by_key.clear();
                pages.bytes = 0;
            }
        }
        pages.bytes += size;
        pages.by_key.insert(key, Arc::new(kept));
    }

    /// Drops every kept page (after a write that changes them).
    fn forget_all(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        let mut pages = self.pages.lock().unwrap_or_else(|e| e.into_inner());
        pages.by_key.clear();
        pages.bytes = 0;
    }
}

impl Kept {
    fn size(&self) -> usize {
        self.body.len() + self.policy.len()
    }
}

/// The kept page with a new nonce.
fn answer(kept: &Kept) -> Response {
    let nonce = crate::platform::tokens::new_token();
    let mut response = Response::new(Body::from(kept.body.replace(&kept.nonce, &nonce)));
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, kept.content_type.clone());
    if let Ok(policy) = HeaderValue::from_str(&kept.policy.replace(&kept.nonce, &nonce)) {
        headers.insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    response
}

/// The middleware: sends kept careers pages, keeps new ones, and forgets them all after a write.
pub async fn careers_pages(
    State(cache): State<PageCache>,
    request: Request,
    next: Next,
) -> Response {
    let method = request.method().clone();
    if method != Method::GET && method != Method::HEAD {
        let writes_careers = changes_careers(request.uri().path());
        let response = next.run(request).await;
        if writes_careers && response.status().is_success() {
            cache.forget_all();
        }
        return response;
    }
    let uri = request.uri();
    let cacheable = method == Method::GET
        && uri.path().starts_with("/careers/")
        && !uri.query().is_some_and(|q| q.contains("__"))
        && !has_session(&request);
    if !cacheable {
        return next.run(request).await;
    }
    let key = key_of(uri);
    if let Some(kept) = cache.get(&key) {
        return answer(&kept);
    }
    let generation = cache.generation.load(Ordering::Acquire);
    let response = next.run(request).await;
    let headers = response.headers();
    let policy = headers
        .get(header::CONTENT_SECURITY_POLICY)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let content_type = headers.get(header::CONTENT_TYPE).cloned();
    let (Some(policy), Some(content_type), StatusCode::OK, false) = (
        policy,
        content_type,
        response.status(),
        headers.contains_key(header::SET_COOKIE),
    ) else {
        return response;
    };
    let Some(nonce) = nonce_of(&policy).map(str::to_owned) else {
        return response;
    };
    // A careers page is rendered whole before it is sent (`SsrMode::Async`): reading it here
    // holds nothing longer than rendering did.
    let (parts, body) = response.into_parts();
    let bytes = match to_bytes(body, usize::MAX).await {
        Ok(bytes) => bytes,
        Err(err) => {
            tracing::warn!(error = %err, "a careers page could not be read to keep it");
            return Response::from_parts(parts, Body::empty());
        }
    };
    let body = match String::from_utf8(bytes.to_vec()) {
        Ok(body) if body.len() <= MAX_PAGE_BYTES => body,
        _ => return Response::from_parts(parts, Body::from(bytes)),
    };
    cache.put(
        key,
        Kept {
            generation,
            at: Instant::now(),
            nonce,
            body: body.clone(),
            policy,
            content_type,
        },
    );
    Response::from_parts(parts, Body::from(body))
}

#[cfg(test)]
mod tests {
    use super::{changes_careers, key_of, nonce_of, CAREERS_WRITES};

    #[test]
    fn the_nonce_is_read_from_the_policy() {
        let policy =
            "default-src 'self'; script-src 'nonce-AbCdEfGhIjKlMnOpQrStUv' 'strict-dynamic'";
        assert_eq!(nonce_of(policy), Some("AbCdEfGhIjKlMnOpQrStUv"));
        assert_eq!(nonce_of("script-src 'nonce-ab'"), None);
        assert_eq!(nonce_of("default-src 'self'"), None);
    }

    #[test]
    fn a_page_is_its_path_and_filters() {
        let key = |uri: &str| key_of(&uri.parse().expect("uri"));
        assert_eq!(
            key("/careers/acme?remote=remote&department=Sales"),
            key("/careers/acme?department=Sales&remote=remote")
        );
        assert_ne!(key("/careers/acme?department=Sales"), key("/careers/acme"));
        assert_ne!(
            key("/careers/acme/nurse?applied"),
            key("/careers/acme/nurse")
        );
        assert_eq!(
            key("/careers/acme?location=Leeds%20West"),
            key("/careers/acme?location=Leeds+West")
        );
    }

    #[test]
    fn only_writes_to_what_careers_pages_show_drop_them() {
        assert!(changes_careers("/api/save_job"));
        assert!(changes_careers("/o/acme/settings/logo"));
        assert!(!changes_careers("/api/move_application"));
        assert!(!changes_careers("/careers/acme/nurse/apply"));
        // Each is a server function that exists (a renamed one would never drop a page).
        let paths = crate::server_function_paths();
        for write in CAREERS_WRITES {
            assert!(
                paths.iter().any(|p| p == write),
                "{write} is not a server function"
            );
        }
    }
}
