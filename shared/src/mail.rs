//! The organisation's outgoing e-mail.

use serde::{Deserialize, Serialize};

/// One e-mail in the outbox.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OutboxMessage {
    pub id: i64,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub created_at: i64,
    pub sent_at: Option<i64>,
    pub last_error: Option<String>,
}

/// The organisation's outbox and whether mail leaves the server.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Outbox {
    pub smtp_configured: bool,
    pub messages: Vec<OutboxMessage>,
}
