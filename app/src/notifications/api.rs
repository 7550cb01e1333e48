//! The notification server functions: the caller's own notifications, in every organisation
//! they are still a member of.

use crate::error::ApiError;
use leptos::prelude::*;
use shared::notifications::{Notices, NotificationSettings};

#[cfg(feature = "ssr")]
use {
    super::seam::NotificationsSeam,
    crate::seam::{self, respond},
};

/// The caller's notifications, newest first: the latest page, or those before id `before`.
#[server(endpoint = "list_notices")]
pub async fn list_notices(#[server(default)] before: Option<i64>) -> Result<Notices, ApiError> {
    let (notifications, caller) = seam::signed_in::<dyn NotificationsSeam>().await?;
    respond(notifications.list(&caller, ListNotices { before }).await)
}

/// Marks the caller's notification `id` read, or all of them without an id; answers how many
/// are unread after.
#[server(endpoint = "mark_notices_read")]
pub async fn mark_notices_read(#[server(default)] id: Option<i64>) -> Result<i64, ApiError> {
    let (notifications, caller) = seam::signed_in::<dyn NotificationsSeam>().await?;
    respond(
        notifications
            .mark_read(&caller, MarkNoticesRead { id })
            .await,
    )
}

/// How the caller hears of each kind of notification, and their digest delay.
#[server(endpoint = "get_notification_settings")]
pub async fn get_notification_settings() -> Result<NotificationSettings, ApiError> {
    let (notifications, caller) = seam::signed_in::<dyn NotificationsSeam>().await?;
    respond(notifications.settings(&caller).await)
}

/// Saves how the caller hears of each kind (`email`, `in_app` or `off`) and after how many
/// minutes what is still unread goes out in their e-mail digest.
#[server(endpoint = "save_notification_settings")]
pub async fn save_notification_settings(
    mention: String,
    new_application: String,
    stage_change: String,
    message: String,
    digest_minutes: i64,
) -> Result<NotificationSettings, ApiError> {
    let (notifications, caller) = seam::signed_in::<dyn NotificationsSeam>().await?;
    let input = SaveNotificationSettings {
        mention,
        new_application,
        stage_change,
        message,
        digest_minutes,
    };
    respond(notifications.save_settings(&caller, input).await)
}
