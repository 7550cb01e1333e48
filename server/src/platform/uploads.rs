//! Forms that carry a file (`multipart/form-data`), posted to a route of their own rather than
//! to a server function: reading the body with the file capped as it arrives, and sending a
//! plain post that failed back to its page with the error and what was typed (`__err`,
//! `__form`), the way server functions do, so `UploadForm` shows them.

use app::error::ApiError;
use axum::{
    extract::{FromRequest, Multipart, Request},
    http::{header, HeaderName, HeaderValue, StatusCode},
    response::{IntoResponse, Redirect, Response},
};
use base64::Engine;
use std::collections::BTreeMap;

/// Longest file name kept (it is shown to the hiring team, never used as a path).
const MAX_FILE_NAME_CHARS: usize = 200;

/// A file as received.
pub struct Upload {
    pub file_name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// The text fields (name, value) in the order sent, and the file if one was chosen.
#[derive(Default)]
pub struct Received {
    pub fields: Vec<(String, String)>,
    pub file: Option<Upload>,
}

/// Reads a multipart body: its text fields, and the part named `file_field` as the file (at
/// most `max_file` bytes; `too_large` is answered as soon as it grows beyond).
pub async fn receive(
    request: Request,
    file_field: &str,
    max_file: usize,
    too_large: fn() -> ApiError,
) -> Result<Received, ApiError> {
    let mut form = Multipart::from_request(request, &())
        .await
        .map_err(|_| ApiError::Transport("not a multipart form".into()))?;
    let mut received = Received::default();
    let broken = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            too_large()
        } else {
            ApiError::Transport(e.body_text())
        }
    };
    while let Some(mut field) = form.next_field().await.map_err(broken)? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == file_field {
            let file_name = field.file_name().unwrap_or_default().to_owned();
            let content_type = field.content_type().unwrap_or_default().to_owned();
            let mut bytes = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(broken)? {
                if bytes.len() + chunk.len() > max_file {
                    return Err(too_large());
                }
                bytes.extend_from_slice(&chunk);
            }
            // A form with no file chosen still sends the part, empty and unnamed.
            if !(file_name.is_empty() && bytes.is_empty()) {
                received.file = Some(Upload {
                    file_name,
                    content_type,
                    bytes,
                });
            }
            continue;
        }
        let value = field.text().await.map_err(broken)?;
        received.fields.push((name, value));
    }
    Ok(received)
}

/// Whether the request was sent by the page's script (it asks for JSON) rather than as a plain
/// HTML post.
pub fn wants_json(request: &Request) -> bool {
    request
        .headers()
        .get(axum::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("application/json"))
}

/// A file name as it may be shown: its last path part, visible characters, not too long.
pub fn shown_file_name(raw: &str, fallback: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let clean: String = last
        .chars()
        .filter(|c| !shared::validation::is_hidden_char(*c))
        .take(MAX_FILE_NAME_CHARS)
        .collect();
    if clean.trim().is_empty() {
        fallback.to_owned()
    } else {
        clean.trim().to_owned()
    }
}

/// Lower-case hexadecimal.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// What was typed, for `__form`: only short values (an address must stay short).
pub fn kept(values: &[(&str, &str)]) -> String {
    let mut kept = BTreeMap::new();
    for (name, value) in values {
        if !value.is_empty() && value.chars().count() <= 500 {
            kept.insert(*name, *value);
        }
    }
    let json = serde_json::to_vec(&kept).unwrap_or_default();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json)
}

/// Sends a plain post that failed back to `page` (with `#anchor`), where the form posted to
/// `path` shows `error` and the values in `form` (made by [`kept`]).
pub fn send_back(
    page: &str,
    anchor: &str,
    path: &str,
    error: &ApiError,
    form: Option<String>,
) -> Response {
    let encoded = base64::engine::general_purpose::URL_SAFE
        .encode(serde_json::to_vec(error).unwrap_or_default());
    let mut to = url::form_urlencoded::Serializer::new(String::new());
    to.append_pair("__path", path);
    to.append_pair("__err", &encoded);
    if let Some(form) = form {
        to.append_pair("__form", &form);
    }
    Redirect::to(&format!("{page}?{}#{anchor}", to.finish())).into_response()
}

/// A stored file as a download: never shown in the page's place (`attachment`), never sniffed
/// into something else, never cached, and, opened anyway, running nothing.
pub fn download(bytes: Vec<u8>, content_type: &'static str, name: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CONTENT_DISPOSITION, disposition(name)),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, no-store"),
            ),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("sandbox; default-src 'none'"),
            ),
            // Never read by another site's page.
            (
                HeaderName::from_static("cross-origin-resource-policy"),
                HeaderValue::from_static("same-origin"),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// `attachment` with the name as sent (RFC 6266: an ASCII fallback and the UTF-8 name).
fn disposition(name: &str) -> HeaderValue {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || " .-_()".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded = percent_encoding::utf8_percent_encode(name, percent_encoding::NON_ALPHANUMERIC);
    HeaderValue::from_str(&format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}
