//! `POST /o/{slug}/documents/text`: the text of an uploaded document.

use super::{ExtractError, Extractor, Format, MAX_UPLOAD_BYTES};
use app::{
    error::ApiError,
    seam::{Caller, Identity, OrgCaller},
};
use axum::{
    extract::{Path, Request, State},
    http::StatusCode,
    response::{IntoResponse, Response},
    Json,
};
use std::sync::Arc;

/// What the upload route needs; part of `AppState`.
#[derive(Clone)]
pub struct Uploads {
    pub identity: Arc<dyn Identity>,
    pub extractor: Extractor,
}

fn fail(status: StatusCode, message: String) -> Response {
    (status, Json(serde_json::json!({ "error": message }))).into_response()
}

/// The body is the file, `Content-Type` its declared type and `X-File-Name` (optional) its name.
/// Answers `ExtractedText`, or `{"error"}` with 413 (too large, refused before the body is read
/// whole), 415 (type not supported or not matching the content), 422 (no text found, damaged,
/// beyond the reader's limits), 429 (this person has uploads in flight) or 503 (the readers are
/// busy). Any member may use it; nothing is stored.
pub async fn text_handler(
    State(uploads): State<Uploads>,
    Path(slug): Path<String>,
    request: Request,
) -> Response {
    let (parts, body) = request.into_parts();
    let identity = uploads.identity.as_ref();
    let member = async {
        let caller = Caller::resolve(identity, &parts).await?;
        OrgCaller::resolve(identity, &caller, &slug).await
    };
    let caller = match member.await {
        Ok(caller) => caller,
        Err(error) => {
            let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::FORBIDDEN);
            return fail(status, error.to_string());
        }
    };
    let header = |name: &str| parts.headers.get(name).and_then(|v| v.to_str().ok());
    let declared_length = header("content-length").and_then(|v| v.parse::<usize>().ok());
    if declared_length.is_some_and(|n| n > MAX_UPLOAD_BYTES) {
        return fail(
            StatusCode::PAYLOAD_TOO_LARGE,
            ExtractError::TooLarge.to_string(),
        );
    }
    let Some(format) =
        Format::declared(header("content-type").unwrap_or(""), header("x-file-name"))
    else {
        return fail(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ExtractError::Unsupported.to_string(),
        );
    };
    let Some(_in_flight) = uploads.extractor.start_for(caller.user_id()) else {
        let error = ApiError::RateLimited {
            retry_after_secs: 5,
        };
        return fail(StatusCode::TOO_MANY_REQUESTS, error.to_string());
    };
    // A body without a length (chunked) is cut off at the limit, never buffered beyond it.
    let bytes = match axum::body::to_bytes(body, MAX_UPLOAD_BYTES).await {
        Ok(bytes) => bytes,
        Err(_) => {
            return fail(
                StatusCode::PAYLOAD_TOO_LARGE,
                ExtractError::TooLarge.to_string(),
            )
        }
    };
    match uploads.extractor.extract(bytes.to_vec(), format).await {
        Ok(text) => Json(shared::matching::ExtractedText {
            text,
            format: format.name().to_owned(),
        })
        .into_response(),
        Err(error) => {
            let status = match error {
                ExtractError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
                ExtractError::Unsupported | ExtractError::Mismatch(_) => {
                    StatusCode::UNSUPPORTED_MEDIA_TYPE
                }
                ExtractError::Busy => StatusCode::SERVICE_UNAVAILABLE,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            fail(status, error.to_string())
        }
    }
}
