//! The realtime WebSocket (`/ws`): the frames both ends send, serialised as JSON text frames
//! tagged by `type`, and the limits and close codes both ends rely on.
//!
//! One socket per browser tab, authenticated by the session cookie. The browser says which
//! version of this protocol it speaks ([`ClientEvent::Hello`]); a server that speaks another
//! closes with [`close::UNSUPPORTED_VERSION`] and the page asks to be reloaded. A frame the
//! server cannot take (not JSON it knows, larger than [`MAX_FRAME_BYTES`], or too many too fast)
//! is answered with [`ServerEvent::Error`] and the socket stays open; only the cases listed in
//! [`close`] end it.

use crate::{
    chat::{ChatMessage, Presence},
    notifications::Notice,
};
use serde::{Deserialize, Serialize};

/// The path the realtime socket is served at.
pub const WS_PATH: &str = "/ws";

/// The path of the candidate's socket: no account, its first frame is a
/// [`ClientEvent::Join`] with the token of the application's private link, and it carries that
/// application's conversation only.
pub const CANDIDATE_WS_PATH: &str = "/ws/candidate";

/// The version of this protocol. Raised when a frame changes in a way an older page would
/// misread; adding a frame or an optional field does not raise it.
pub const PROTOCOL_VERSION: u32 = 1;

/// The largest frame the server reads; a larger one (up to [`MAX_TRANSPORT_BYTES`]) is answered
/// with a [`ErrorCode::TooLarge`] error.
pub const MAX_FRAME_BYTES: usize = 64 * 1024;

/// The largest frame the connection carries at all: a larger one closes the socket (the
/// standard code 1009, "message too big"), since it is never read into memory.
pub const MAX_TRANSPORT_BYTES: usize = 1024 * 1024;

/// The close codes the server ends a connection with (besides the standard ones).
pub mod close {
    /// The session ended (signed out, expired or removed): the page does not reconnect until
    /// someone signs in again.
    pub const SIGNED_OUT: u16 = 4401;
    /// The page speaks another [`PROTOCOL_VERSION`](super::PROTOCOL_VERSION): it was loaded
    /// before the server was updated, and should be reloaded rather than reconnect.
    pub const UNSUPPORTED_VERSION: u16 = 4426;
    /// Nothing was heard from the page for three heartbeats: it reconnects when it can.
    pub const HEARTBEAT_TIMEOUT: u16 = 4408;
    /// The page kept sending after being told to slow down: it reconnects after its back-off.
    pub const TOO_MANY_FRAMES: u16 = 4429;
    /// The candidate's link does not work (wrong, expired, or their data is to be deleted), or
    /// the first frame on the candidate's socket was not a join: the page does not reconnect.
    pub const LINK_ENDED: u16 = 4404;
}

/// Sent by the server.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerEvent {
    /// The connection is authenticated and subscribed; `protocol` is the server's
    /// [`PROTOCOL_VERSION`].
    Ready { user_id: i64, protocol: u32 },
    /// The candidate's socket joined its application's `conversation`; `protocol` is the
    /// server's [`PROTOCOL_VERSION`]. The messages after the page's last follow, in order.
    Joined { conversation: i64, protocol: u32 },
    /// Something happened that the person should see now.
    Notification(Notification),
    /// Answer to a client ping.
    Pong { nonce: u64 },
    /// A card moved on (or arrived at) a job's board: open boards of that job read it again.
    BoardChanged { org: String, job: String },
    /// A frame from the page was not taken; the connection stays open.
    Error(WsError),
    /// The page's message (its `client_id`) is stored: as it will be shown to everyone.
    Ack {
        client_id: String,
        message: ChatMessage,
    },
    /// A message in one of the person's conversations: new, or edited or deleted since (the
    /// same `seq`), or replayed after a [`ClientEvent::Hello`] that named what the page has.
    Message(ChatMessage),
    /// A member of a conversation has read up to `seq`.
    Read {
        conversation: i64,
        user_id: i64,
        seq: i64,
    },
    /// Another member started (`typing`) or stopped typing in a conversation. A start holds
    /// for [`TYPING_EXPIRES_MS`] unless repeated; the server sends a stop when they send, clear
    /// what they wrote, or their page goes.
    Typing {
        conversation: i64,
        user_id: i64,
        typing: bool,
    },
    /// Someone who shares a conversation with the person came, went away or left (all their
    /// pages together, on every server instance).
    Presence { user_id: i64, presence: Presence },
    /// A notification in the person's centre, new or updated (more messages while away), and
    /// how many are unread now.
    Notice { notice: Notice, unread: i64 },
    /// Notifications were read (in another tab, say): how many are unread now.
    NoticesRead { unread: i64 },
}

impl ServerEvent {
    /// The conversation the event belongs to, for the events of one (a message, a read, typing):
    /// only the conversation's members may receive them.
    pub fn conversation(&self) -> Option<i64> {
        match self {
            Self::Message(message) => Some(message.conversation),
            Self::Read { conversation, .. } | Self::Typing { conversation, .. } => {
                Some(*conversation)
            }
            _ => None,
        }
    }
}

/// How long a page shows someone as typing after the last word that they are: a page that
/// goes without a word (a lost connection) never leaves them typing for longer.
pub const TYPING_EXPIRES_MS: u32 = 6_000;
/// How often a page says again that its person is still typing.
pub const TYPING_REPEAT_MS: u32 = 3_000;

/// Sent by the browser.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientEvent {
    /// The first frame a page sends: the protocol version it speaks and, for each conversation
    /// it shows, the last message it has; the server sends what came after, in order.
    Hello {
        version: u32,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        since: Vec<Seen>,
        /// The page opens hidden or untouched (a background tab): its person is away, not
        /// online, until it says otherwise with [`ClientEvent::Presence`].
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        away: bool,
    },
    /// A new message; `client_id` is the page's own id for it, so that sending it again after a
    /// lost connection stores it once. Answered with [`ServerEvent::Ack`] or an error that
    /// names the `client_id`. `attachments` are the ids of files the sender uploaded to this
    /// conversation and has not sent yet (the text may then be empty).
    Send {
        conversation: i64,
        client_id: String,
        body: String,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        attachments: Vec<i64>,
    },
    /// The author changes the text of their message `seq`. Every member's pages get it again
    /// as a [`ServerEvent::Message`] marked edited; a refusal is an error that names no
    /// `client_id`.
    Edit {
        conversation: i64,
        seq: i64,
        body: String,
    },
    /// The author deletes their message `seq`: its text is gone for good, and every member's
    /// pages get it again as a [`ServerEvent::Message`] marked deleted.
    Delete { conversation: i64, seq: i64 },
    /// The person has read the conversation up to `seq`.
    Read { conversation: i64, seq: i64 },
    /// The person is typing in the conversation (again every [`TYPING_REPEAT_MS`] while they
    /// are), or has stopped. The other members' pages get a [`ServerEvent::Typing`].
    Typing { conversation: i64, typing: bool },
    /// The page became hidden or untouched for [`AWAY_AFTER_MS`](crate::chat::AWAY_AFTER_MS)
    /// (`away`), or is in use again.
    Presence { away: bool },
    /// Asks for a [`ServerEvent::Pong`] with the same nonce (the server also pings the page at
    /// the WebSocket level; browsers answer those themselves).
    Ping { nonce: u64 },
    /// The first frame on the candidate's socket ([`CANDIDATE_WS_PATH`]): the token of the
    /// application's private link and the last message the page has (`after`); answered with
    /// [`ServerEvent::Joined`] and what came after, or a close with [`close::LINK_ENDED`].
    Join {
        version: u32,
        token: String,
        #[serde(default)]
        after: i64,
    },
}

/// The last message a page has of a conversation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seen {
    pub conversation: i64,
    pub seq: i64,
}

/// Why a frame from the page was not taken.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WsError {
    pub code: ErrorCode,
    /// What went wrong and what to do, in words for the person (sends) or a developer.
    pub message: String,
    /// For [`ErrorCode::RateLimited`]: how long to wait before sending again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_ms: Option<u64>,
    /// The `client_id` of the message that was not sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// Not JSON, or not a frame of this protocol, or a binary frame.
    Malformed,
    /// Larger than [`MAX_FRAME_BYTES`].
    TooLarge,
    /// More frames than the connection's rate allows.
    RateLimited,
    /// The page's protocol version is not the server's (sent just before closing).
    UnsupportedVersion,
    /// The message is not valid (empty, too long, a bad client id): `message` says what to fix.
    Invalid,
    /// No such conversation, or the person is not in it (the same answer for both).
    NotFound,
    /// The server could not store it; sending it again is safe.
    Unavailable,
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

    #[test]
    fn errors_say_their_code_and_leave_out_what_they_lack() {
        let error = ServerEvent::Error(WsError {
            code: ErrorCode::TooLarge,
            message: "too large".into(),
            retry_after_ms: None,
            reply_to: None,
        });
        assert_eq!(
            serde_json::to_string(&error).unwrap_or_default(),
            r#"{"type":"error","code":"too_large","message":"too large"}"#
        );
        let hello: Result<ClientEvent, _> = serde_json::from_str(r#"{"type":"hello","version":1}"#);
        assert_eq!(
            hello.ok(),
            Some(ClientEvent::Hello {
                version: 1,
                since: Vec::new(),
                away: false,
            })
        );
    }
}
