//! Chat between members of an organisation: conversations, messages and what a page shows of
//! them. The frames that carry messages live are in `ws.rs`; conversations are listed, started
//! and read back through server functions.

use crate::validation::{is_hidden_char, FieldError};
use serde::{Deserialize, Serialize};

/// The longest message, in characters.
pub const MAX_MESSAGE_CHARS: usize = 4_000;
/// The longest group name, in characters.
pub const MAX_GROUP_NAME_CHARS: usize = 80;
/// The most members a group may have.
pub const MAX_GROUP_MEMBERS: usize = 200;
/// The longest id a page may give its message.
pub const MAX_CLIENT_ID_CHARS: usize = 64;
/// Messages in one page of history.
pub const HISTORY_PAGE: i64 = 50;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConversationKind {
    /// Two people.
    Direct,
    /// A named group; its admins add and remove members.
    Group,
    /// One application's: its hiring team and the candidate, who has no account and takes part
    /// from the application's private link.
    Application,
}

impl ConversationKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Direct => "direct",
            Self::Group => "group",
            Self::Application => "application",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "direct" => Some(Self::Direct),
            "group" => Some(Self::Group),
            "application" => Some(Self::Application),
            _ => None,
        }
    }
}

/// One message as every page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatMessage {
    pub conversation: i64,
    /// Its place in the conversation: 1, 2, 3… in the order the server stored them.
    pub seq: i64,
    /// The author's user id; `None` once their account is gone.
    pub author: Option<i64>,
    pub author_name: String,
    /// The sending page's own id for it.
    pub client_id: String,
    /// Empty once deleted.
    pub body: String,
    /// The body as shown: its Markdown (bold, italics, strike-through, code, links, lists,
    /// quotes) as HTML made safe by the server; raw HTML in a message shows as text.
    #[serde(default)]
    pub html: String,
    /// Unix seconds.
    pub at: i64,
    pub edited: bool,
    pub deleted: bool,
    /// Written by the candidate of an application's conversation (`author` is then `None`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub from_candidate: bool,
}

/// A member of a conversation and the last message they have read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationMember {
    pub user_id: i64,
    pub name: String,
    pub admin: bool,
    pub last_read_seq: i64,
    /// Whether they are here now, as of when the list was read (live changes come as
    /// [`ServerEvent::Presence`](crate::ws::ServerEvent::Presence)).
    #[serde(default)]
    pub presence: Presence,
}

/// Whether someone is here: a page of theirs is open and in use (online), open but hidden or
/// untouched for [`AWAY_AFTER_MS`] (away), or none is open (offline). With several tabs or
/// devices, the most present one counts.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Presence {
    #[default]
    Offline,
    Away,
    Online,
}

impl Presence {
    /// In words, for the people who see it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Online => "Online",
            Self::Away => "Away",
            Self::Offline => "Offline",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Online => "online",
            Self::Away => "away",
            Self::Offline => "offline",
        }
    }
}

/// A page untouched (no key, pointer or touch) for this long says its person is away.
pub const AWAY_AFTER_MS: u32 = 5 * 60 * 1000;

/// A conversation in the list: its name as the reader sees it, its last message and how many
/// the reader has not read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationSummary {
    pub id: i64,
    pub kind: ConversationKind,
    /// A group's name, or the other person's name in a direct conversation.
    pub title: String,
    pub members: Vec<ConversationMember>,
    pub last_message: Option<ChatMessage>,
    pub unread: i64,
}

/// An application's conversation as its candidate sees it from the private link: the
/// organisation they talk to and a page of messages, oldest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CandidateThread {
    pub conversation: i64,
    /// The organisation's name: the candidate talks to its hiring team.
    pub team: String,
    pub messages: Vec<ChatMessage>,
    /// Whether older messages than these exist.
    pub more_before: bool,
    /// Whether the candidate may still write (not once they asked for their data to be
    /// deleted).
    pub open: bool,
}

/// A page of a conversation's history, oldest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct History {
    pub conversation: ConversationSummary,
    pub messages: Vec<ChatMessage>,
    /// Whether older messages than these exist.
    pub more_before: bool,
}

/// A message's text, trimmed, or what is wrong with it.
pub fn check_message(field: &str, raw: &str) -> Result<String, FieldError> {
    let body = raw.trim();
    if body.is_empty() {
        return Err(FieldError::new(field, "Write something to send."));
    }
    let chars = body.chars().count();
    if chars > MAX_MESSAGE_CHARS {
        return Err(FieldError::new(
            field,
            format!(
                "A message may be at most {MAX_MESSAGE_CHARS} characters (this one has {chars}); \
                 split it into several messages."
            ),
        ));
    }
    if body.chars().any(|c| c == '\0') {
        return Err(FieldError::new(
            field,
            "This message contains a NUL character; remove it.",
        ));
    }
    Ok(body.to_owned())
}

/// The most messages a search within a conversation answers (the latest first).
pub const SEARCH_LIMIT: i64 = 50;
/// The most words a search within a conversation looks for (each must be in a message).
pub const SEARCH_WORDS: usize = 6;

/// The words to look for in a conversation's messages (lower-case), or what is wrong with them.
pub fn search_words(field: &str, raw: &str) -> Result<Vec<String>, FieldError> {
    let words: Vec<String> = raw
        .split_whitespace()
        .map(str::to_lowercase)
        .take(SEARCH_WORDS)
        .collect();
    let chars: usize = words.iter().map(|w| w.chars().count()).sum();
    if chars < 2 {
        return Err(FieldError::new(
            field,
            "Type at least 2 letters to search the messages.",
        ));
    }
    if raw.chars().count() > 200 {
        return Err(FieldError::new(
            field,
            "Search for at most 200 characters; a few words find the message.",
        ));
    }
    Ok(words)
}

/// A group's name, trimmed, or what is wrong with it.
pub fn check_group_name(field: &str, raw: &str) -> Result<String, FieldError> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(FieldError::new(field, "Give the group a name."));
    }
    if name.chars().count() > MAX_GROUP_NAME_CHARS {
        return Err(FieldError::new(
            field,
            format!("A group's name may be at most {MAX_GROUP_NAME_CHARS} characters."),
        ));
    }
    if name.chars().any(is_hidden_char) {
        return Err(FieldError::new(
            field,
            "This name contains invisible or control characters; type it again.",
        ));
    }
    Ok(name.to_owned())
}

/// A page's id for its message: 1 to 64 visible ASCII characters (a UUID fits).
pub fn check_client_id(field: &str, raw: &str) -> Result<(), FieldError> {
    let ok = !raw.is_empty()
        && raw.len() <= MAX_CLIENT_ID_CHARS
        && raw.bytes().all(|b| b.is_ascii_graphic());
    if ok {
        Ok(())
    } else {
        Err(FieldError::new(
            field,
            format!(
                "A message's client id is 1 to {MAX_CLIENT_ID_CHARS} visible ASCII characters."
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_trimmed_and_bounded() {
        assert_eq!(check_message("body", "  hi \n").as_deref(), Ok("hi"));
        assert!(check_message("body", " \n\t").is_err());
        let long = "é".repeat(MAX_MESSAGE_CHARS + 1);
        let error = check_message("body", &long).err().map(|e| e.message);
        assert!(error.is_some_and(|m| m.contains("4001")));
        assert!(check_message("body", &"é".repeat(MAX_MESSAGE_CHARS)).is_ok());
        assert!(check_message("body", "a\0b").is_err());
    }

    #[test]
    fn group_names_and_client_ids_are_checked() {
        assert_eq!(
            check_group_name("name", " Hiring ").as_deref(),
            Ok("Hiring")
        );
        assert!(check_group_name("name", "").is_err());
        assert!(check_group_name("name", "a\u{200b}b").is_err());
        assert!(check_client_id("client_id", "3f2b-11").is_ok());
        for bad in ["", "with space", "é", &"x".repeat(65)] {
            assert!(check_client_id("client_id", bad).is_err(), "{bad:?}");
        }
    }
}
