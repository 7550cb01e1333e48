//! The one error type every server function returns. It crosses the network as JSON, so the UI
//! can show *which* field was wrong, and it carries no internal detail.

use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use serde::{Deserialize, Serialize};
use shared::validation::FieldError;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum ApiError {
    /// One input was not acceptable; the message says how to fix it.
    #[error("{0}")]
    Field(FieldError),
    #[error("Sign in to continue.")]
    Unauthenticated,
    #[error("Your role in this organisation does not allow that.")]
    Forbidden,
    #[error("Not found. It may have been removed, or you may not have access to it.")]
    NotFound,
    /// The account is locked after repeated failed sign-ins.
    #[error("This account is locked after too many failed sign-ins. Try again after {until_text}, or ask an administrator.")]
    Locked { until: i64, until_text: String },
    #[error("Too many attempts from your network. Wait {retry_after_secs} seconds and try again.")]
    RateLimited { retry_after_secs: u64 },
    /// The server is at capacity for this kind of work (the model's queue is full).
    #[error("The server is busy analysing other documents. Try again in a moment.")]
    Busy,
    /// Something failed on the server; the details are in the server log, never here.
    #[error("Something went wrong on our side. Try again; if it keeps happening, tell your administrator.")]
    Internal,
    /// The request did not reach the server function, or its answer could not be read.
    #[error("Could not reach the server: {0}")]
    Transport(String),
}

impl ApiError {
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        ApiError::Field(FieldError::new(field, message))
    }

    /// The message for a given form field, if this error is about it.
    pub fn message_for(&self, field: &str) -> Option<String> {
        match self {
            ApiError::Field(f) if f.field == field => Some(f.message.clone()),
            _ => None,
        }
    }

    /// The HTTP status this error is answered with.
    pub fn status(&self) -> u16 {
        match self {
            ApiError::Field(_) => 422,
            ApiError::Unauthenticated => 401,
            ApiError::Forbidden => 403,
            ApiError::NotFound => 404,
            ApiError::Locked { .. } => 423,
            ApiError::RateLimited { .. } => 429,
            ApiError::Busy => 503,
            ApiError::Internal => 500,
            ApiError::Transport(_) => 400,
        }
    }
}

impl From<FieldError> for ApiError {
    fn from(value: FieldError) -> Self {
        ApiError::Field(value)
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
            other => ApiError::Transport(other.to_string()),
        };
        // On the server this is a request the server function could not even read: answer with
        // this error's status (400, 422), not the framework's 500.
        #[cfg(feature = "ssr")]
        let _ = crate::seam::respond::<()>(Err(error.clone()));
        error
    }
}
