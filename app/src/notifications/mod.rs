//! The notification centre: the bell in the header with the unread count, the `/notifications`
//! page (the list, mark read, mark all read, and how the person wants to hear of each kind), and
//! the server functions behind them. New notifications arrive live over the realtime socket
//! (`shared::ws::ServerEvent::Notice`).

pub mod api;
mod page;
#[cfg(feature = "ssr")]
pub mod seam;

pub use page::{NotificationBell, NotificationsPage};
