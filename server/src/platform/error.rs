//! Turning server-side failures into the [`ApiError`] the UI sees. Internal errors are logged
//! here with their detail and answered with a generic message.

use app::error::ApiError;

/// Logs an unexpected failure and hides it from the client.
pub fn internal(context: &'static str, err: impl std::fmt::Display) -> ApiError {
    tracing::error!(error = %err, "{context}");
    ApiError::Internal
}

/// `?` on database calls: every sqlx error that a caller does not handle itself is internal.
pub trait OrInternal<T> {
    fn or_internal(self, context: &'static str) -> Result<T, ApiError>;
}

impl<T, E: std::fmt::Display> OrInternal<T> for Result<T, E> {
    fn or_internal(self, context: &'static str) -> Result<T, ApiError> {
        self.map_err(|e| internal(context, e))
    }
}
