//! The notification centre: what a person is told about (someone mentioned them, an application
//! arrived, an application moved, messages came while they were away), read in the app and, for
//! what stays unread, in one e-mail digest; and how each person wants each kind.

use crate::validation::FieldError;
use serde::{Deserialize, Serialize};

/// What a notification is about. Each person chooses per kind how they hear of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Topic {
    /// Someone @mentioned them in a note on an application.
    Mention,
    /// An application arrived for a job whose hiring team they are on.
    NewApplication,
    /// An application for a job whose hiring team they are on moved, was rejected or hired.
    StageChange,
    /// Messages came in a conversation of theirs while they were away or offline.
    Message,
}

impl Topic {
    pub const ALL: [Self; 4] = [
        Self::Mention,
        Self::NewApplication,
        Self::StageChange,
        Self::Message,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Mention => "mention",
            Self::NewApplication => "new_application",
            Self::StageChange => "stage_change",
            Self::Message => "message",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// In words, for the settings.
    pub fn label(self) -> &'static str {
        match self {
            Self::Mention => "Someone mentions me in a note",
            Self::NewApplication => "An application arrives for a job I hire for",
            Self::StageChange => "An application for a job I hire for moves",
            Self::Message => "Messages arrive while I am away",
        }
    }

    /// How a person hears of it until they choose: what is about them by name comes by
    /// e-mail too when left unread; the rest stays in the app.
    pub fn default_channel(self) -> Channel {
        match self {
            Self::Mention | Self::Message => Channel::Email,
            Self::NewApplication | Self::StageChange => Channel::InApp,
        }
    }
}

/// How a person hears of a kind of notification.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// In the app, and in the e-mail digest if still unread after their digest delay.
    Email,
    /// In the app only.
    InApp,
    /// Not at all.
    Off,
}

impl Channel {
    pub const ALL: [Self; 3] = [Self::Email, Self::InApp, Self::Off];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::InApp => "in_app",
            Self::Off => "off",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Email => "In the app, e-mail if unread",
            Self::InApp => "In the app only",
            Self::Off => "Off",
        }
    }
}

/// One notification as the centre lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub id: i64,
    /// The organisation it is about (slug), and its name.
    pub org: String,
    pub org_name: String,
    pub topic: Topic,
    pub text: String,
    /// Where in the app it leads.
    pub link: String,
    /// Unix seconds of its latest change (a second message while away updates it).
    pub at: i64,
    pub read: bool,
}

/// A page of the person's notifications, newest first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notices {
    pub items: Vec<Notice>,
    /// How many are unread in all.
    pub unread: i64,
    /// Whether older ones exist than these.
    pub more: bool,
}

/// Notifications in one page of the centre.
pub const NOTICES_PAGE: i64 = 30;

/// The digest delays a person may choose, in minutes.
pub const DIGEST_MINUTES: [i64; 5] = [5, 15, 30, 60, 240];
/// The digest delay until a person chooses.
pub const DEFAULT_DIGEST_MINUTES: i64 = 30;

/// A person's notification settings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationSettings {
    /// Each kind with how they hear of it, in [`Topic::ALL`]'s order.
    pub channels: Vec<(Topic, Channel)>,
    /// How long a notification stays unread before it goes out in the digest.
    pub digest_minutes: i64,
}

/// The digest delay, if it is one of [`DIGEST_MINUTES`].
pub fn check_digest_minutes(field: &str, minutes: i64) -> Result<i64, FieldError> {
    if DIGEST_MINUTES.contains(&minutes) {
        Ok(minutes)
    } else {
        Err(FieldError::new(
            field,
            "Choose one of the listed delays for the e-mail digest.",
        ))
    }
}

/// "5 minutes", "1 hour", "4 hours".
pub fn minutes_label(minutes: i64) -> String {
    match minutes {
        60 => "1 hour".to_owned(),
        m if m % 60 == 0 => format!("{} hours", m / 60),
        1 => "1 minute".to_owned(),
        m => format!("{m} minutes"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_channels_read_back_what_they_write() {
        for topic in Topic::ALL {
            assert_eq!(Topic::parse(topic.as_str()), Some(topic));
        }
        for channel in Channel::ALL {
            assert_eq!(Channel::parse(channel.as_str()), Some(channel));
        }
        assert_eq!(Topic::parse("mentions"), None);
        assert_eq!(Channel::parse(""), None);
    }

    #[test]
    fn only_the_listed_digest_delays_are_taken() {
        assert_eq!(check_digest_minutes("digest_minutes", 15), Ok(15));
        assert!(check_digest_minutes("digest_minutes", 0).is_err());
        assert!(check_digest_minutes("digest_minutes", 7).is_err());
        assert_eq!(minutes_label(240), "4 hours");
        assert_eq!(minutes_label(60), "1 hour");
        assert_eq!(minutes_label(15), "15 minutes");
    }
}
