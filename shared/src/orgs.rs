//! Organisations, their members and invitations.

use crate::{
    validation::{self, FieldError},
    Role,
};
use serde::{Deserialize, Serialize};

/// One organisation the person belongs to, with their role there.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Membership {
    pub org_id: i64,
    pub slug: String,
    pub name: String,
    pub role: Role,
    /// Messages in their conversations there that they have not read.
    #[serde(default)]
    pub unread_messages: i64,
}

/// A member of an organisation as its member list shows them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Member {
    pub user_id: i64,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub joined_at: i64,
    /// Set while the account is locked after repeated failed sign-ins (unix seconds).
    pub locked_until: Option<i64>,
}

/// A member a change was made to: who, and their role (before the change, for a removal).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChangedMember {
    pub user_id: i64,
    pub name: String,
    pub role: Role,
}

/// How long a removed member can be brought back with "Undo", in seconds.
pub const UNDO_REMOVAL_SECS: i64 = 120;

/// An invitation that has not been accepted yet.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PendingInvitation {
    pub id: i64,
    pub email: String,
    pub role: Role,
    pub invited_by: String,
    pub expires_at: i64,
}

/// What the invitation page shows before the invitee accepts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InvitationPreview {
    pub org_name: String,
    pub email: String,
    pub role: Role,
    pub invited_by: String,
    /// Whether an account with the invited address exists already (then the invitee signs in).
    pub account_exists: bool,
}

/// An organisation's member list and open invitations.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Team {
    pub members: Vec<Member>,
    pub invitations: Vec<PendingInvitation>,
}

/// What an organisation's administrators can change on its settings page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OrganisationSettings {
    pub slug: String,
    pub name: String,
    /// Its website, `https://…`, or empty.
    pub website: String,
    /// A few sentences for its careers page, or empty.
    #[serde(default)]
    pub description: String,
    /// How long applicants' data is kept after their last application, in months.
    #[serde(default = "default_retention")]
    pub retention_months: u32,
    /// Its logo on the careers page, if one was uploaded.
    #[serde(default)]
    pub logo: Option<Logo>,
}

/// An organisation's logo as pages show it: its address, which changes with every upload (so
/// browsers may keep it), and its size in pixels (so the page keeps its layout while it loads).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Logo {
    pub url: String,
    pub width: u32,
    pub height: u32,
    /// The address with the site's origin, for link previews and schema.org (careers pages
    /// only; empty elsewhere).
    #[serde(default)]
    pub absolute_url: String,
}

impl Logo {
    /// The logo of the organisation `slug`, upload number `version`.
    pub fn new(slug: &str, version: i64, width: u32, height: u32) -> Self {
        Self {
            url: format!("/logos/{slug}?v={version}"),
            width,
            height,
            absolute_url: String::new(),
        }
    }

    /// Width and height to show it at `height` pixels high, its proportions kept.
    pub fn scaled_to(&self, height: u32) -> (u32, u32) {
        let width = u64::from(self.width) * u64::from(height) / u64::from(self.height.max(1));
        (u32::try_from(width).unwrap_or(u32::MAX).max(1), height)
    }
}

/// What the logo route answers: the logo now (none after removing it).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LogoSaved {
    pub logo: Option<Logo>,
}

/// A logo file can be this large at most.
pub const MAX_LOGO_BYTES: usize = 1024 * 1024;
/// Its sides in pixels, each.
pub const LOGO_SIDES: std::ops::RangeInclusive<u32> = 16..=4096;

/// Where logos are uploaded (multipart: the file `logo`); with `?remove=1`, removed.
pub fn logo_path(slug: &str) -> String {
    format!("/o/{slug}/settings/logo")
}

/// The browser's check of a chosen logo's size (the server reads the image itself).
pub fn logo_size(size: u64) -> Result<(), FieldError> {
    if size > MAX_LOGO_BYTES as u64 {
        return Err(FieldError::new(
            "logo",
            format!(
                "This image is {:.1} MB; a logo can be 1 MB at most. Save it smaller (a PNG or WebP of a few hundred pixels is plenty) and choose it again.",
                size as f64 / (1024.0 * 1024.0)
            ),
        ));
    }
    if size == 0 {
        return Err(FieldError::new(
            "logo",
            "This file is empty; choose the logo again.",
        ));
    }
    Ok(())
}

fn default_retention() -> u32 {
    crate::applications::DEFAULT_RETENTION_MONTHS
}

/// The longest description of an organisation, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 600;

/// An organisation's description: plain text (line breaks kept), at most
/// [`MAX_DESCRIPTION_CHARS`] characters, nothing invisible.
pub fn description(field: &str, raw: &str) -> Result<String, FieldError> {
    let value = raw.replace("\r\n", "\n").trim().to_owned();
    if value
        .chars()
        .any(|c| c != '\n' && validation::is_hidden_char(c))
    {
        return Err(FieldError::new(
            field,
            "The description contains invisible or control characters; type it again.",
        ));
    }
    let chars = value.chars().count();
    if chars > MAX_DESCRIPTION_CHARS {
        return Err(FieldError::new(
            field,
            format!(
                "Shorten the description to {MAX_DESCRIPTION_CHARS} characters (it has {chars})."
            ),
        ));
    }
    Ok(value)
}

/// An organisation's website: empty, or a web address of at most 200 characters; one typed
/// without `https://` gets it.
pub fn website(field: &str, raw: &str) -> Result<String, FieldError> {
    let value = raw.trim();
    if value.is_empty() {
        return Ok(String::new());
    }
    let url = if value.starts_with("https://") || value.starts_with("http://") {
        value.to_owned()
    } else {
        format!("https://{value}")
    };
    let host = url.split("://").nth(1).unwrap_or_default();
    let host = host.split(['/', '?', '#']).next().unwrap_or_default();
    let plain = url
        .chars()
        .all(|c| c.is_ascii_graphic() && !matches!(c, '"' | '<' | '>' | '\\' | '`'));
    if url.len() > 200 || !plain || !host.contains('.') || host.starts_with('.') {
        return Err(FieldError::new(
            field,
            "Enter a web address such as https://acme.example, or leave it empty.",
        ));
    }
    Ok(url)
}

/// The checks of the new-organisation form (an empty address is made from the name).
pub fn check_new_organisation(name: &str, slug: &str) -> Vec<FieldError> {
    let mut problems =
        validation::problems([validation::organisation_name("name", name).map(drop)]);
    if !slug.trim().is_empty() {
        problems.extend(validation::slug("slug", slug).err());
    }
    problems
}

/// The checks of the organisation settings form.
pub fn check_settings(name: &str, site: &str, about: &str, retention: &str) -> Vec<FieldError> {
    validation::problems([
        validation::organisation_name("name", name).map(drop),
        website("website", site).map(drop),
        description("description", about).map(drop),
        crate::applications::retention_months("retention_months", retention).map(drop),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions_are_short_plain_text() {
        assert_eq!(
            description("description", " We make tents.\r\nIn Leeds. ")
                .ok()
                .as_deref(),
            Some("We make tents.\nIn Leeds.")
        );
        assert!(description("description", "a\u{202e}b").is_err());
        assert!(description("description", &"x".repeat(MAX_DESCRIPTION_CHARS + 1)).is_err());
    }

    #[test]
    fn websites_are_web_addresses_or_empty() {
        assert_eq!(website("website", "  ").ok().as_deref(), Some(""));
        assert_eq!(
            website("website", "acme.example/jobs").ok().as_deref(),
            Some("https://acme.example/jobs")
        );
        assert_eq!(
            website("website", "http://acme.example").ok().as_deref(),
            Some("http://acme.example")
        );
        for bad in [
            "acme",
            "https://",
            "https://acme example.com",
            "javascript:alert(1)",
            "https://a.b/\"<x>",
        ] {
            assert!(website("website", bad).is_err(), "{bad}");
        }
    }
}
