//! The public careers pages, rendered once and sent many times. Everyone who is not signed in
//! gets the same page for the same address, and a careers page is what a link shared on a job
//! board brings thousands of people to; rendering it (the app, its queries) for each of them is
//! most of the cost of serving it.
//!
//! What is kept: a `GET /careers/…` answered `200` to a request without a session cookie and
//! without a form's send-back (`__err`), whose answer sets no cookie. It is sent again, with a
//! fresh nonce in its body and its Content-Security-Policy (the nonce is what lets its scripts
//! run; a kept page must not reuse one), to the same address for at most [`FRESH_FOR`], and never
//! after any successful write handled by this server (every such `POST` drops them all: a job
//! published or closed, the organisation's settings or logo changed, are seen at once here and
//! within [`FRESH_FOR`] on other instances). At most [`MAX_PAGES`] addresses are kept.

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
/// Addresses kept at most (filters make many); when full, all are dropped.
pub const MAX_PAGES: usize = 1_000;
/// A rendered careers page larger than this is not kept.
const MAX_PAGE_BYTES: usize = 2 * 1024 * 1024;

/// One kept answer: its body and policy with the nonce they were rendered with.
struct Kept {
    generation: u64,
    at: Instant,
    nonce: String,
    body: String,
    policy: String,
    content_type: HeaderValue,
}

/// The kept pages, shared by every request.
#[derive(Clone, Default)]
pub struct PageCache {
    /// Bumped by every successful write: a kept page of an older generation is not used.
    generation: Arc<AtomicU64>,
    pages: Arc<Mutex<HashMap<String, Arc<Kept>>>>,
}

/// The names of the session cookie (`__Host-` when served over https).
fn has_session(request: &Request) -> bool {
    request
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .any(|pair| {
            let name = pair.trim().split('=').next().unwrap_or_default();
            name == "talentloom" || name == "__Host-talentloom"
        })
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
            .get(key)
            .filter(|k| k.generation == generation && k.at.elapsed() < FRESH_FOR)
            .cloned()
    }

    fn put(&self, key: String, kept: Kept) {
        let mut pages = self.pages.lock().unwrap_or_else(|e| e.into_inner());
        if pages.len() >= MAX_PAGES && !pages.contains_key(&key) {
            pages.clear();
        }
        pages.insert(key, Arc::new(kept));
    }

    /// Drops every kept page (after a write).
    fn forget_all(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        self.pages.lock().unwrap_or_else(|e| e.into_inner()).clear();
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
        let response = next.run(request).await;
        if response.status().is_success() || response.status().is_redirection() {
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
    let key = uri.to_string();
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
    use super::nonce_of;

    #[test]
    fn the_nonce_is_read_from_the_policy() {
        let policy =
            "default-src 'self'; script-src 'nonce-AbCdEfGhIjKlMnOpQrStUv' 'strict-dynamic'";
        assert_eq!(nonce_of(policy), Some("AbCdEfGhIjKlMnOpQrStUv"));
        assert_eq!(nonce_of("script-src 'nonce-ab'"), None);
        assert_eq!(nonce_of("default-src 'self'"), None);
    }
}
