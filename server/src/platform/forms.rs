//! What server functions answer besides their own results.
//!
//! Forms posted before the wasm has loaded (plain HTML posts to a server function): when one
//! fails, the server-function layer sends the browser back to the form with the error in the
//! address (`__err`); [`keep_form_values`] adds what was typed (`__form`), so the form shows it
//! again instead of losing it. Passwords and tokens are never put in an address, nor anything
//! long.
//!
//! Refusals that happen before a server function runs (a body over the limit, a request that
//! took too long) are answered by [`api_error_bodies`] in the JSON of `ApiError`, so the
//! browser can say what happened in words.

use app::error::ApiError;
use axum::{
    body::{to_bytes, Body},
    extract::Request,
    http::{header, HeaderValue, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};
use base64::Engine;
use std::collections::BTreeMap;

/// The largest request body a server function accepts (uploads have their own route).
pub const API_BODY_LIMIT: usize = 1024 * 1024;

/// Longest value kept, and most kept in all, in characters: an address has to stay short.
const MAX_VALUE: usize = 500;
const MAX_TOTAL: usize = 2000;

fn is_plain_form_post(req: &Request) -> bool {
    let header = |name| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    };
    req.method() == Method::POST
        && req.uri().path().starts_with("/api/")
        && header(header::ACCEPT).contains("text/html")
        && header(header::CONTENT_TYPE).starts_with("application/x-www-form-urlencoded")
}

/// The fields worth giving back: not secret, not long, not the hidden ones the page renders.
fn keepable(form: &[u8]) -> BTreeMap<String, String> {
    let mut kept = BTreeMap::new();
    let mut total = 0;
    for (name, value) in url::form_urlencoded::parse(form) {
        let secret = name.contains("password") || name.contains("token");
        let hidden = matches!(name.as_ref(), "slug" | "next");
        if secret || hidden || value.is_empty() || value.chars().count() > MAX_VALUE {
            continue;
        }
        total += value.chars().count();
        if total > MAX_TOTAL {
            break;
        }
        kept.insert(name.into_owned(), value.into_owned());
    }
    kept
}

/// Adds `__form` to the address a failed plain post is sent back to.
pub async fn keep_form_values(req: Request, next: Next) -> Response {
    if !is_plain_form_post(&req) {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    // The body limit layer outside this one caps what this reads.
    let Ok(form) = to_bytes(body, usize::MAX).await else {
        return Response::builder()
            .status(axum::http::StatusCode::PAYLOAD_TOO_LARGE)
            .body(Body::empty())
            .unwrap_or_default();
    };
    let kept = keepable(&form);
    let mut res = next.run(Request::from_parts(parts, Body::from(form))).await;
    let location = res
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .filter(|l| l.contains("__err="))
        .map(str::to_owned);
    if let (Some(location), false) = (location, kept.is_empty()) {
        let json = serde_json::to_vec(&kept).unwrap_or_default();
        let encoded = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json);
        if let Ok(value) = HeaderValue::from_str(&format!("{location}&__form={encoded}")) {
            res.headers_mut().insert(header::LOCATION, value);
        }
    }
    res
}

/// Gives the refusals of the layers around server functions an `ApiError` body.
pub async fn api_error_bodies(req: Request, next: Next) -> Response {
    if !req.uri().path().starts_with("/api/") {
        return next.run(req).await;
    }
    let res = next.run(req).await;
    let json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let error = match res.status() {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::TooLarge {
            limit_bytes: API_BODY_LIMIT as u64,
        },
        StatusCode::REQUEST_TIMEOUT => ApiError::TimedOut,
        _ => return res,
    };
    if json {
        return res;
    }
    (
        res.status(),
        [(header::CONTENT_TYPE, "application/json")],
        serde_json::to_vec(&error).unwrap_or_default(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::keepable;

    #[test]
    fn secrets_and_long_values_are_not_given_back() {
        let long = "x".repeat(600);
        let form = format!(
            "name=Ada+Lovelace&email=ada%40example.com&password=hunter22hunter22&new_password=x\
             &token=abc&slug=acme&cv_text={long}&role=admin"
        );
        let kept = keepable(form.as_bytes());
        let names: Vec<&str> = kept.keys().map(String::as_str).collect();
        assert_eq!(names, ["email", "name", "role"]);
        assert_eq!(kept["email"], "ada@example.com");
    }
}
