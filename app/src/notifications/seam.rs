//! What the notification server functions ask of the server.

use super::api::{ListNotices, MarkNoticesRead, SaveNotificationSettings};
use crate::{error::ApiError, seam::Caller};
use shared::notifications::{Notices, NotificationSettings};

/// Implemented by `server` (`server/src/notifications`).
#[async_trait::async_trait]
pub trait NotificationsSeam: Send + Sync + 'static {
    async fn list(&self, caller: &Caller, input: ListNotices) -> Result<Notices, ApiError>;
    /// Marks one notification read, or all; answers how many are unread after.
    async fn mark_read(&self, caller: &Caller, input: MarkNoticesRead) -> Result<i64, ApiError>;
    async fn settings(&self, caller: &Caller) -> Result<NotificationSettings, ApiError>;
    async fn save_settings(
        &self,
        caller: &Caller,
        input: SaveNotificationSettings,
    ) -> Result<NotificationSettings, ApiError>;
}
