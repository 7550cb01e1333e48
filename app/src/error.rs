//! The one error type every server function returns. It crosses the network as JSON, so the UI
//! can show *which* fields were wrong, and it carries no internal detail. Its messages are the
//! words people read: each starts with a capital and says what to do, and none is a library's.

use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use serde::{Deserialize, Serialize};
use shared::validation::FieldError;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum ApiError {
    /// Some inputs were not acceptable, each with a message that says how to fix it.
    #[error("{}", invalid_summary(.0))]
    Invalid(Vec<FieldError>),
    #[error("Sign in to continue.")]
    Unauthenticated,
    #[error("Your role in this organisation does not allow that.")]
    Forbidden,
    #[error("Not found. It may have been removed, or you may not have access to it.")]
    NotFound,
    /// Signing in is locked after repeated failed attempts.
    #[error("Signing in is locked after too many failed attempts. Try again after {until_text}, or ask an administrator.")]
    Locked { until: i64, until_text: String },
    #[error("Too many tries. Wait {retry_after_secs} seconds and try again.")]
    RateLimited { retry_after_secs: u64 },
    /// The server is at capacity for this kind of work (the model's queue is full).
    #[error("The server is busy analysing other documents. Try again in a moment.")]
    Busy,
    /// What was sent is larger than the server accepts.
    #[error("That is too large: the limit is {}. Shorten it and try again.", size_text(*limit_bytes))]
    TooLarge { limit_bytes: u64 },
    /// The request took longer than the server allows.
    #[error("The server took too long to answer. Try again.")]
    TimedOut,
    /// The browser could not reach the server (no network).
    #[error("You are offline. This is tried again as soon as you are back online.")]
    Offline,
    /// Something failed on the server; the details are in the server log, never here.
    #[error("Something went wrong on our side. Try again; if it keeps happening, tell your administrator.")]
    Internal,
    /// The request or its answer could not be read. The detail is for the browser's console,
    /// never shown.
    #[error(
        "The page and the server did not understand each other. Reload the page and try again."
    )]
    Transport(String),
}

fn invalid_summary(errors: &[FieldError]) -> String {
    match errors {
        [one] => one.message.clone(),
        _ => "Some fields need fixing; each says how.".to_owned(),
    }
}

/// `1048576` → `1 MB`, `10485760` → `10 MB`, `1500` → `1.5 KB`.
fn size_text(bytes: u64) -> String {
    let (value, unit) = if bytes >= 1 << 20 {
        (bytes as f64 / f64::from(1u32 << 20), "MB")
    } else {
        (bytes as f64 / 1024.0, "KB")
    };
    if value.fract() == 0.0 {
        format!("{value:.0} {unit}")
    } else {
        format!("{value:.1} {unit}")
    }
}

impl ApiError {
    /// One field's error.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        ApiError::Invalid(vec![FieldError::new(field, message)])
    }

    /// `Ok` when `errors` is empty, else all of them at once.
    pub fn check(errors: Vec<FieldError>) -> Result<(), ApiError> {
        if errors.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Invalid(errors))
        }
    }

    /// The message for a given form field, if this error is about it.
    pub fn message_for(&self, field: &str) -> Option<String> {
        match self {
            ApiError::Invalid(errors) => errors
                .iter()
                .find(|e| e.field == field)
                .map(|e| e.message.clone()),
            _ => None,
        }
    }

    /// The field errors, if this is about fields.
    pub fn field_errors(&self) -> &[FieldError] {
        match self {
            ApiError::Invalid(errors) => errors,
            _ => &[],
        }
    }

    /// Whether trying the same again later may work by itself (the network came back).
    pub fn is_offline(&self) -> bool {
        matches!(self, ApiError::Offline)
    }

    /// The HTTP status this error is answered with.
    pub fn status(&self) -> u16 {
        match self {
            ApiError::Invalid(_) => 422,
            ApiError::Unauthenticated => 401,
            ApiError::Forbidden => 403,
            ApiError::NotFound => 404,
            ApiError::TimedOut => 408,
            ApiError::TooLarge { .. } => 413,
            ApiError::Locked { .. } => 423,
            ApiError::RateLimited { .. } => 429,
            ApiError::Busy | ApiError::Offline => 503,
            ApiError::Internal => 500,
            ApiError::Transport(_) => 400,
        }
    }
}

impl From<FieldError> for ApiError {
    fn from(value: FieldError) -> Self {
        ApiError::Invalid(vec![value])
    }
}

impl FromServerFnError for ApiError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        let error = match value {
            ServerFnErrorErr::MissingArg(arg) => ApiError::field(&arg, "This field is required."),
            ServerFnErrorErr::Args(e) => {
                ApiError::Transport(format!("the form could not be read ({e})"))
            }
            // In the browser: the request never got an answer (no network, server gone).
            ServerFnErrorErr::Request(_) => ApiError::Offline,
            other => ApiError::Transport(other.to_string()),
        };
        // On the server this is a request the server function could not even read: answer with
        // this error's status (400, 422), not the framework's 500.
        #[cfg(feature = "ssr")]
        let _ = crate::seam::respond::<()>(Err(error.clone()));
        #[cfg(feature = "hydrate")]
        if let ApiError::Transport(detail) = &error {
            leptos::logging::error!("server function: {detail}");
        }
        error
    }
}
