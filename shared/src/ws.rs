//! Messages on the realtime WebSocket (`/ws`), serialised as JSON text frames.

use serde::{Deserialize, Serialize};

/// The path the realtime socket is served at.
pub const WS_PATH: &str = "/ws";

/// Sent by the server.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerEvent {
    /// The connection is authenticated and subscribed.
    Ready { user_id: i64 },
    /// Something happened that the person should see now.
    Notification(Notification),
    /// Answer to a client ping.
    Pong { nonce: u64 },
    /// A card moved on (or arrived at) a job's board: open boards of that job read it again.
    BoardChanged { org: String, job: String },
}

/// Sent by the browser.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientEvent {
    Ping { nonce: u64 },
}

/// A live notification.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Notification {
    /// Which organisation it concerns, if any (slug).
    pub org: Option<String>,
    pub kind: NotificationKind,
    pub text: String,
    pub at: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    InvitationAccepted,
    RoleChanged,
    RemovedFromOrganisation,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_tagged_json() {
        let event = ServerEvent::Notification(Notification {
            org: Some("acme".into()),
            kind: NotificationKind::InvitationAccepted,
            text: "Bo accepted your invitation".into(),
            at: 1,
        });
        let json = serde_json::to_string(&event).unwrap_or_default();
        assert!(
            json.starts_with(r#"{"type":"notification","org":"acme","kind":"invitation_accepted""#),
            "{json}"
        );
        let back: ServerEvent =
            serde_json::from_str(&json).unwrap_or(ServerEvent::Pong { nonce: 0 });
        assert_eq!(back, event);
    }
}
