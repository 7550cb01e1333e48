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
/// The most files one message carries.
pub const MAX_ATTACHMENTS: usize = 10;
/// The largest file attached to a message (as large as a CV may be).
pub const MAX_ATTACHMENT_BYTES: usize = 10 * 1024 * 1024;
/// What may be attached, as a file picker's `accept` says it.
pub const ATTACHMENT_ACCEPT: &str =
    ".pdf,.docx,.txt,.md,.png,.jpg,.jpeg,.webp,application/pdf,text/plain,text/markdown,image/png,image/jpeg,image/webp";

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
    /// The files sent with it (none once it is deleted).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Attachment>,
}

impl ChatMessage {
    /// Its text as Markdown, or, for a message of files only, what it carries ("Sent
    /// notes.md", "Sent 2 files"): what a list, a notification or an e-mail quotes.
    pub fn quoted(&self) -> String {
        match (self.body.is_empty(), self.attachments.as_slice()) {
            (false, _) | (true, []) => self.body.clone(),
            (true, [one]) => format!("Sent {}", one.name),
            (true, files) => format!("Sent {} files", files.len()),
        }
    }
}

/// A file sent with a message: uploaded first (over HTTP, checked by its content), then named
/// by its id in the message that carries it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    pub id: i64,
    /// The name it had on the sender's computer (shown, never used as a path).
    pub name: String,
    pub size: i64,
    pub kind: FileKind,
    /// An image's size in pixels, so that its preview takes its place before it loads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
}

/// What a file attached to a message is, as read from its content.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    Pdf,
    Docx,
    Text,
    Markdown,
    Png,
    Jpeg,
    Webp,
}

impl FileKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pdf => "pdf",
            Self::Docx => "docx",
            Self::Text => "text",
            Self::Markdown => "markdown",
            Self::Png => "png",
            Self::Jpeg => "jpeg",
            Self::Webp => "webp",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Pdf,
            Self::Docx,
            Self::Text,
            Self::Markdown,
            Self::Png,
            Self::Jpeg,
            Self::Webp,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }

    /// Whether a page shows it as a picture.
    pub fn is_image(self) -> bool {
        matches!(self, Self::Png | Self::Jpeg | Self::Webp)
    }

    /// The type it is served as.
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Pdf => "application/pdf",
            Self::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            Self::Text => "text/plain; charset=utf-8",
            Self::Markdown => "text/markdown; charset=utf-8",
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
            Self::Webp => "image/webp",
        }
    }
}

/// A file's size as people read it: "830 bytes", "12 KB", "3.4 MB".
pub fn size_label(bytes: i64) -> String {
    const KB: i64 = 1024;
    const MB: i64 = 1024 * 1024;
    if bytes < KB {
        format!("{bytes} bytes")
    } else if bytes < MB {
        format!("{} KB", (bytes + KB / 2) / KB)
    } else {
        format!("{:.1} MB", bytes as f64 / MB as f64)
    }
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
    check_message_with(field, raw, 0)
}

/// A message's text, trimmed, or what is wrong with it, when it carries `attachments` files
/// (then its text may be empty).
pub fn check_message_with(
    field: &str,
    raw: &str,
    attachments: usize,
) -> Result<String, FieldError> {
    let body = raw.trim();
    if attachments > MAX_ATTACHMENTS {
        return Err(FieldError::new(
            field,
            format!(
                "A message may carry at most {MAX_ATTACHMENTS} files (this one has \
                 {attachments}); send the others in another message."
            ),
        ));
    }
    if body.is_empty() && attachments == 0 {
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

/// A search hit's `body` cut into pieces, each marked when it is one of `words` (any case). A
/// text whose lower case has other lengths than itself is shown unmarked.
pub fn marked(body: &str, words: &[String]) -> Vec<(String, bool)> {
    let lower = body.to_lowercase();
    if lower.len() != body.len() || words.is_empty() {
        return vec![(body.to_owned(), false)];
    }
    let mut parts = Vec::new();
    let (mut at, mut plain_from) = (0, 0);
    while at < lower.len() {
        let hit = words
            .iter()
            .filter(|w| !w.is_empty() && lower[at..].starts_with(w.as_str()))
            .map(String::len)
            .max();
        match hit {
            Some(len) if body.is_char_boundary(at) && body.is_char_boundary(at + len) => {
                if plain_from < at {
                    parts.push((body[plain_from..at].to_owned(), false));
                }
                parts.push((body[at..at + len].to_owned(), true));
                at += len;
                plain_from = at;
            }
            _ => at += lower[at..].chars().next().map_or(1, char::len_utf8),
        }
    }
    if plain_from < body.len() {
        parts.push((body[plain_from..].to_owned(), false));
    }
    parts
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
    fn files_may_go_without_text_but_not_too_many() {
        assert_eq!(check_message_with("body", "  ", 1).as_deref(), Ok(""));
        assert!(check_message_with("body", "", 0).is_err());
        let error = check_message_with("body", "see", MAX_ATTACHMENTS + 1)
            .err()
            .map(|e| e.message);
        assert!(error.is_some_and(|m| m.contains("at most 10 files")));
        for kind in [FileKind::Pdf, FileKind::Webp, FileKind::Markdown] {
            assert_eq!(FileKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(FileKind::parse("exe"), None);
        let file = |name: &str| Attachment {
            id: 1,
            name: name.to_owned(),
            size: 10,
            kind: FileKind::Text,
            width: None,
            height: None,
        };
        let mut message = ChatMessage {
            conversation: 1,
            seq: 1,
            author: None,
            author_name: "Ola".into(),
            client_id: "c".into(),
            body: String::new(),
            html: String::new(),
            at: 0,
            edited: false,
            deleted: false,
            from_candidate: false,
            attachments: vec![file("notes.md")],
        };
        assert_eq!(message.quoted(), "Sent notes.md");
        message.attachments.push(file("cv.pdf"));
        assert_eq!(message.quoted(), "Sent 2 files");
        message.body = "See **these**".into();
        assert_eq!(message.quoted(), "See **these**");
        assert_eq!(size_label(830), "830 bytes");
        assert_eq!(size_label(12 * 1024 + 100), "12 KB");
        assert_eq!(size_label(3_565_158), "3.4 MB");
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

    #[test]
    fn search_words_are_marked_in_any_case() {
        let words = vec!["ada".to_owned(), "3".to_owned()];
        assert_eq!(
            marked("ADA's interview at 3, Ada.", &words),
            vec![
                ("ADA".to_owned(), true),
                ("'s interview at ".to_owned(), false),
                ("3".to_owned(), true),
                (", ".to_owned(), false),
                ("Ada".to_owned(), true),
                (".".to_owned(), false),
            ]
        );
        assert_eq!(
            marked("Zoë", &["ë".to_owned()]),
            vec![("Zo".to_owned(), false), ("ë".to_owned(), true)]
        );
        assert_eq!(marked("nothing", &[]), vec![("nothing".to_owned(), false)]);
    }
}
