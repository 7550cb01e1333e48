//! Candidates: the people who applied to (or were added to) an organisation, as its hiring team
//! sees them.

use serde::{Deserialize, Serialize};

pub const CANDIDATES_PER_PAGE: u32 = 25;

/// Where a candidate came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Careers,
    Referral,
    Manual,
    Import,
}

impl Source {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "careers" => Some(Self::Careers),
            "referral" => Some(Self::Referral),
            "manual" => Some(Self::Manual),
            "import" => Some(Self::Import),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Careers => "Careers page",
            Self::Referral => "Referral",
            Self::Manual => "Added by hand",
            Self::Import => "Import",
        }
    }
}

/// Where an application stands for the hiring team.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Active,
    Rejected,
    Withdrawn,
    Hired,
}

impl Outcome {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "active" => Some(Self::Active),
            "rejected" => Some(Self::Rejected),
            "withdrawn" => Some(Self::Withdrawn),
            "hired" => Some(Self::Hired),
            _ => None,
        }
    }
}

/// One application of a candidate, in a list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ApplicationBrief {
    pub id: i64,
    pub job_title: String,
    pub job_slug: String,
    /// The stage's name on the job's board.
    pub stage: String,
    pub outcome: Outcome,
    pub applied_at: i64,
}

impl ApplicationBrief {
    /// "Screen", "Withdrawn", "Rejected at Screen"…
    pub fn describe(&self) -> String {
        match self.outcome {
            Outcome::Active => self.stage.clone(),
            Outcome::Withdrawn => "Withdrawn".to_owned(),
            Outcome::Rejected => format!("Rejected at {}", self.stage),
            Outcome::Hired => "Hired".to_owned(),
        }
    }
}

/// A candidate in the list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CandidateSummary {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub source: Source,
    pub created_at: i64,
    pub applications: Vec<ApplicationBrief>,
    /// When they asked for their data to be deleted.
    pub deletion_requested_at: Option<i64>,
    /// Its tags, in alphabetical order.
    #[serde(default)]
    pub tags: Vec<String>,
}

/// A page of the candidate list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CandidatePage {
    pub candidates: Vec<CandidateSummary>,
    pub total: u64,
    pub page: u32,
    pub pages: u32,
}

/// A stored CV.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CvFile {
    pub id: i64,
    pub file_name: String,
    /// "PDF", "Word (DOCX)"…
    pub format: String,
    pub size_bytes: u64,
}

/// Another profile that may be the same person, and why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PossibleDuplicate {
    pub id: i64,
    pub name: String,
    pub email: String,
    /// "the same e-mail address", "the same phone number".
    pub reasons: Vec<String>,
    pub applications: usize,
}

/// A profile merged into this one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Merge {
    pub merged_name: String,
    pub merged_email: String,
    pub by: String,
    pub at: i64,
}

/// A candidate's profile.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    pub summary: CandidateSummary,
    pub phone: String,
    pub links: Vec<String>,
    /// The CV in use (the newest).
    pub cv: Option<CvFile>,
    /// Every file of the candidate, newest first (after a merge, those of both profiles).
    pub files: Vec<CvFile>,
    pub duplicates: Vec<PossibleDuplicate>,
    pub merges: Vec<Merge>,
    /// Whether the viewer may merge profiles.
    pub can_manage: bool,
    /// The CV's text as read from the file.
    pub cv_text: String,
    /// Cover letters, newest application first (empty ones left out): (job title, letter).
    pub cover_letters: Vec<(String, String)>,
}

/// Where a stored file is downloaded (members with access to it only).
pub fn file_path(org_slug: &str, file_id: i64) -> String {
    format!("/o/{org_slug}/files/{file_id}")
}

/// "1.2 MB", "340 KB".
pub fn size_label(bytes: u64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    } else {
        format!("{} KB", bytes.div_ceil(1024).max(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_outcomes_read_as_words() {
        assert_eq!(size_label(1340), "2 KB");
        assert_eq!(size_label(5 * 1024 * 1024 + 200_000), "5.2 MB");
        let mut brief = ApplicationBrief {
            id: 1,
            job_title: "Nurse".into(),
            job_slug: "nurse".into(),
            stage: "Screen".into(),
            outcome: Outcome::Active,
            applied_at: 0,
        };
        assert_eq!(brief.describe(), "Screen");
        brief.outcome = Outcome::Rejected;
        assert_eq!(brief.describe(), "Rejected at Screen");
        assert_eq!(Outcome::parse("hired"), Some(Outcome::Hired));
        assert_eq!(
            Source::parse("careers").map(Source::label),
            Some("Careers page")
        );
    }
}

pub const MAX_TAGS: usize = 20;
pub const MAX_TAG_CHARS: usize = 40;

/// A tag as typed, tidied (spaces trimmed and single), or what is wrong with it.
pub fn tag(field: &str, raw: &str) -> Result<String, crate::validation::FieldError> {
    use crate::validation::FieldError;
    let value = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if value.is_empty() {
        return Err(FieldError::new(
            field,
            "Type a tag, such as “silver medallist”.",
        ));
    }
    if value.chars().any(crate::validation::is_hidden_char) {
        return Err(FieldError::new(
            field,
            "The tag contains invisible or control characters; type it again.",
        ));
    }
    if value.contains(',') {
        return Err(FieldError::new(
            field,
            "Add one tag at a time, without commas.",
        ));
    }
    let chars = value.chars().count();
    if chars > MAX_TAG_CHARS {
        return Err(FieldError::new(
            field,
            format!("Make the tag shorter: {chars} characters, at most {MAX_TAG_CHARS}."),
        ));
    }
    Ok(value)
}

/// What two tags are compared by.
pub fn tag_key(tag: &str) -> String {
    tag.to_lowercase()
}

#[cfg(test)]
mod tag_tests {
    use super::*;

    #[test]
    fn tags_are_tidied_and_checked() {
        assert_eq!(
            tag("tag", "  silver   medallist ").ok().as_deref(),
            Some("silver medallist")
        );
        assert!(tag("tag", " ").is_err());
        assert!(tag("tag", "a, b").is_err());
        assert!(tag("tag", "a\u{200b}b").is_err());
        assert!(tag("tag", &"x".repeat(MAX_TAG_CHARS + 1)).is_err());
        assert_eq!(tag_key("Rust"), tag_key("RUST"));
    }
}
