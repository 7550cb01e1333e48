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
    pub const ALL: [Self; 4] = [Self::Careers, Self::Referral, Self::Manual, Self::Import];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Careers => "careers",
            Self::Referral => "referral",
            Self::Manual => "manual",
            Self::Import => "import",
        }
    }

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
    /// In a search: why it was found (best reason first); empty in a plain list.
    #[serde(default)]
    pub reasons: Vec<HitReason>,
}

/// One reason a candidate was found by a search, with the piece of the CV that shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HitReason {
    /// "Name matches “ada”", "Skill: Python · advanced · 5 years", "The CV says “kanban”".
    pub text: String,
    /// A sentence of the CV, with the matched words at `mark` (byte range).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quote: Option<Quote>,
}

/// A sentence quoted from a CV with the part that matters marked.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Quote {
    pub snippet: String,
    /// Byte range of `snippet`.
    pub mark: [usize; 2],
}

/// A skill the engine found in a candidate's CV.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CandidateSkill {
    pub label: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<crate::matching::SkillLevel>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub years: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_used: Option<i32>,
    /// Found by the meaning of a phrase, not by the skill's name.
    #[serde(default)]
    pub inferred: bool,
    /// The first sentence of the CV that shows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<Quote>,
}

impl CandidateSkill {
    /// "Python · advanced · 5 years · last used 2024"
    pub fn describe(&self) -> String {
        let details = self.details();
        if details.is_empty() {
            self.label.clone()
        } else {
            format!("{} · {details}", self.label)
        }
    }

    /// What the CV says of it besides its name: "advanced · 5 years · last used 2024".
    pub fn details(&self) -> String {
        let mut parts = Vec::new();
        if let Some(level) = self.level {
            parts.push(level.label().to_owned());
        }
        match self.years {
            Some(1) => parts.push("1 year".to_owned()),
            Some(years) => parts.push(format!("{years} years")),
            None => {}
        }
        if let Some(year) = self.last_used {
            parts.push(format!("last used {year}"));
        }
        parts.join(" · ")
    }
}

/// A page of the candidate list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CandidatePage {
    pub candidates: Vec<CandidateSummary>,
    pub total: u64,
    pub page: u32,
    pub pages: u32,
    /// The skills found in the organisation's CVs, most common first (for the skill filter).
    #[serde(default)]
    pub skill_options: Vec<String>,
    /// The names of the organisation's stages (for the stage filter).
    #[serde(default)]
    pub stage_options: Vec<String>,
    /// Whether the viewer may add candidates.
    #[serde(default)]
    pub can_manage: bool,
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
    /// The skills the engine found in the CV, most certain first; empty until it has read it.
    #[serde(default)]
    pub skills: Vec<CandidateSkill>,
}

/// A candidate the organisation already has who fits a job and has not applied to it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Prospect {
    pub id: i64,
    pub name: String,
    /// Cosine similarity of the CV to the job (0–1).
    pub similarity: f64,
    /// The job's skills the CV shows, and the must-haves it does not.
    pub has: Vec<String>,
    pub lacks: Vec<String>,
    /// Their other applications.
    pub applications: Vec<ApplicationBrief>,
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

    #[test]
    fn skills_read_as_words() {
        let mut skill = CandidateSkill {
            label: "Python".into(),
            level: None,
            years: None,
            last_used: None,
            inferred: false,
            evidence: None,
        };
        assert_eq!(skill.describe(), "Python");
        skill.level = Some(crate::matching::SkillLevel::Advanced);
        skill.years = Some(5);
        skill.last_used = Some(2024);
        assert_eq!(
            skill.describe(),
            "Python · advanced · 5 years · last used 2024"
        );
        skill.years = Some(1);
        assert_eq!(skill.details(), "advanced · 1 year · last used 2024");
    }
}

/// Where the form that adds a candidate by hand is posted (`multipart/form-data`: it may carry a
/// CV).
pub fn add_path(org_slug: &str) -> String {
    format!("/o/{org_slug}/candidates/add")
}

/// The sources a member chooses from when adding a candidate by hand.
pub const HAND_SOURCES: [Source; 2] = [Source::Manual, Source::Referral];

/// The text fields of a candidate added by hand, as typed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NewCandidateFields {
    pub name: String,
    pub email: String,
    pub phone: String,
    /// One address per line.
    pub links: String,
    /// A [`Source`] in snake case.
    pub source: String,
}

impl NewCandidateFields {
    /// Takes a field by its form name; false for a name that is not one of ours.
    pub fn set(&mut self, name: &str, value: String) -> bool {
        match name {
            "name" => self.name = value,
            "email" => self.email = value,
            "phone" => self.phone = value,
            "links" => self.links = value,
            "source" => self.source = value,
            _ => return false,
        }
        true
    }
}

/// A candidate added by hand, after the rules.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckedCandidate {
    pub name: String,
    /// Lower-case, trimmed.
    pub email: String,
    pub phone: String,
    pub links: Vec<String>,
    pub source: Source,
}

/// Checks a candidate added by hand (not the CV), every problem at once, each on its field.
pub fn check_new_candidate(
    fields: &NewCandidateFields,
) -> Result<CheckedCandidate, Vec<crate::validation::FieldError>> {
    use crate::{applications, validation};
    let name = if fields.name.trim().is_empty() {
        Err(validation::FieldError::new(
            "name",
            "Enter the candidate's name.",
        ))
    } else {
        validation::display_name("name", &fields.name)
    };
    let email = validation::email("email", &fields.email);
    let phone = applications::phone(&fields.phone);
    let links = applications::links(&fields.links);
    let source = Source::parse(fields.source.trim())
        .filter(|s| HAND_SOURCES.contains(s))
        .ok_or_else(|| {
            validation::FieldError::new(
                "source",
                "Choose where the candidate came from: added by hand or a referral.",
            )
        });
    match (name, email, phone, links, source) {
        (Ok(name), Ok(email), Ok(phone), Ok(links), Ok(source)) => Ok(CheckedCandidate {
            name,
            email,
            phone,
            links,
            source,
        }),
        (name, email, phone, links, source) => Err(validation::problems([
            name.map(drop),
            email.map(drop),
            phone.map(drop),
            links.map(drop),
            source.map(drop),
        ])),
    }
}

/// What adding a candidate answers: the new profile.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Added {
    pub id: i64,
}

#[cfg(test)]
mod new_candidate_tests {
    use super::*;

    #[test]
    fn a_candidate_added_by_hand_is_checked_field_by_field() {
        let mut fields = NewCandidateFields {
            name: " Ada Lovelace ".into(),
            email: "Ada@Example.com".into(),
            phone: "+44 20 7946 0018".into(),
            links: "https://github.com/ada\n".into(),
            source: "referral".into(),
        };
        let checked = check_new_candidate(&fields).expect("valid");
        assert_eq!(checked.name, "Ada Lovelace");
        assert_eq!(checked.email, "ada@example.com");
        assert_eq!(checked.source, Source::Referral);
        assert_eq!(checked.links, ["https://github.com/ada"]);
        fields.source = "careers".into();
        fields.email = "not an address".into();
        fields.links = "github.com/ada".into();
        let problems = check_new_candidate(&fields).expect_err("invalid");
        let named: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(named, ["email", "links", "source"]);
    }
}
