//! Applications: what a candidate sends from a careers page, the rules it must pass (the
//! browser and the server apply the same ones), and what the candidate's private link shows.

use crate::validation::{self, is_hidden_char, FieldError};
use serde::{Deserialize, Serialize};

/// The largest CV accepted, in bytes.
pub const MAX_CV_BYTES: usize = 10 * 1024 * 1024;
/// How many links an application may carry (a profile, a portfolio, a repository…).
pub const MAX_LINKS: usize = 5;
pub const MAX_LINK_CHARS: usize = 300;
pub const MAX_COVER_LETTER_CHARS: usize = 10_000;
/// The file types a CV may be, for the file picker (`accept`).
pub const CV_ACCEPT: &str = ".pdf,.docx,.txt,.md,application/pdf,\
    application/vnd.openxmlformats-officedocument.wordprocessingml.document,text/plain,text/markdown";
/// The honeypot: a field people never see or fill; a form that fills it was filled by a bot.
pub const HONEYPOT_FIELD: &str = "website";
/// How long an organisation keeps an applicant's data by default, in months.
pub const DEFAULT_RETENTION_MONTHS: u32 = 12;
pub const MIN_RETENTION_MONTHS: u32 = 1;
pub const MAX_RETENTION_MONTHS: u32 = 60;

/// How long applicants' data is kept, in whole months (an organisation's setting).
pub fn retention_months(field: &str, raw: &str) -> Result<u32, FieldError> {
    let value = raw.trim();
    let range = || {
        FieldError::new(
            field,
            format!(
                "Enter a number of months from {MIN_RETENTION_MONTHS} to {MAX_RETENTION_MONTHS} (12 is usual)."
            ),
        )
    };
    let months: u32 = value.parse().map_err(|_| range())?;
    if (MIN_RETENTION_MONTHS..=MAX_RETENTION_MONTHS).contains(&months) {
        Ok(months)
    } else {
        Err(range())
    }
}

/// Where a careers page's application form is sent (a multipart post, not a server function:
/// it carries a file and must work without JavaScript).
pub fn apply_path(org_slug: &str, job_slug: &str) -> String {
    format!("/careers/{org_slug}/{job_slug}/apply")
}

/// The candidate's private page for an application.
pub fn status_path(token: &str) -> String {
    format!("/a/{token}")
}

/// The sentence a candidate agrees to: it names who processes the data and for how long. The
/// page shows it and the server stores it with the application, so what was agreed to is on
/// record word for word.
pub fn consent_text(org_name: &str, retention_months: u32) -> String {
    let period = match retention_months {
        1 => "1 month".to_owned(),
        12 => "12 months".to_owned(),
        n if n % 12 == 0 => format!("{} years", n / 12),
        n => format!("{n} months"),
    };
    format!(
        "I agree that {org_name} stores and processes the data in this application, my CV \
         included, to consider me for this job and others like it, and keeps it for {period} \
         after my last application unless I ask for it to be deleted sooner."
    )
}

/// The text fields of an application, as typed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ApplyFields {
    pub name: String,
    pub email: String,
    pub phone: String,
    /// One address per line.
    pub links: String,
    pub cover_letter: String,
    /// Whether the consent box was ticked.
    pub consent: bool,
}

impl ApplyFields {
    /// Takes a field by its form name (the multipart parts and the browser's `FormData`).
    /// Returns false for a name that is not one of ours.
    pub fn set(&mut self, name: &str, value: String) -> bool {
        match name {
            "name" => self.name = value,
            "email" => self.email = value,
            "phone" => self.phone = value,
            "links" => self.links = value,
            "cover_letter" => self.cover_letter = value,
            "consent" => self.consent = !value.is_empty(),
            _ => return false,
        }
        true
    }
}

/// An application's fields after the rules: trimmed and normalised.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckedApplication {
    pub name: String,
    /// Lower-case, trimmed.
    pub email: String,
    /// As typed, trimmed (empty when not given).
    pub phone: String,
    pub links: Vec<String>,
    pub cover_letter: String,
}

/// A phone number's digits with a leading `+` kept: "+44 (0)20 7946 0018" and "+44 20 7946
/// 0018" differ only by the trunk zero, which duplicate detection compares without.
pub fn phone_key(phone: &str) -> String {
    let trimmed = phone.trim();
    let mut key: String = trimmed.chars().filter(char::is_ascii_digit).collect();
    if let Some(open) = trimmed.find("(0)") {
        // The "(0)" trunk prefix is not dialled from abroad.
        let digits_before = trimmed[..open].chars().filter(char::is_ascii_digit).count();
        key.remove(digits_before);
    }
    if trimmed.starts_with('+') {
        key.insert(0, '+');
    }
    key
}

/// A name as duplicate detection compares it: lower case, one space between words, without the
/// dots and commas people type or leave out ("Dr. Ann  Lee," and "dr ann lee" are one key).
pub fn name_key(name: &str) -> String {
    name.split_whitespace()
        .map(|word| word.trim_matches(['.', ',']).to_lowercase())
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

pub(crate) fn phone(raw: &str) -> Result<String, FieldError> {
    let value = raw.trim();
    if value.is_empty() {
        return Ok(String::new());
    }
    let allowed = |c: char| c.is_ascii_digit() || " +-().".contains(c);
    if let Some(bad) = value.chars().find(|c| !allowed(*c)) {
        let shown = if is_hidden_char(bad) {
            "an invisible character".to_owned()
        } else {
            format!("\"{bad}\"")
        };
        return Err(FieldError::new(
            "phone",
            format!("A phone number has digits, spaces and + - ( ) only; remove {shown}."),
        ));
    }
    let digits = value.chars().filter(char::is_ascii_digit).count();
    if !(6..=15).contains(&digits) || value[1..].contains('+') {
        return Err(FieldError::new(
            "phone",
            "Enter a phone number of 6 to 15 digits, with the country code if you are abroad (+44 20 7946 0018).",
        ));
    }
    Ok(value.to_owned())
}

pub(crate) fn links(raw: &str) -> Result<Vec<String>, FieldError> {
    let links: Vec<&str> = raw
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    if links.len() > MAX_LINKS {
        return Err(FieldError::new(
            "links",
            format!(
                "Give at most {MAX_LINKS} links (there are {}).",
                links.len()
            ),
        ));
    }
    for link in &links {
        if link.chars().count() > MAX_LINK_CHARS {
            return Err(FieldError::new(
                "links",
                format!("Each link can be {MAX_LINK_CHARS} characters at most."),
            ));
        }
        let lower = link.to_ascii_lowercase();
        let Some(rest) = lower
            .strip_prefix("https://")
            .or_else(|| lower.strip_prefix("http://"))
        else {
            return Err(FieldError::new(
                "links",
                format!(
                    "\"{}\" is not a web address; links start with https://.",
                    short(link)
                ),
            ));
        };
        let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
        if !host.contains('.')
            || host.starts_with('.')
            || link.chars().any(|c| c.is_whitespace() || is_hidden_char(c))
        {
            return Err(FieldError::new(
                "links",
                format!(
                    "\"{}\" is not a complete web address (https://example.com/you).",
                    short(link)
                ),
            ));
        }
    }
    Ok(links.into_iter().map(str::to_owned).collect())
}

fn short(text: &str) -> String {
    let mut shown: String = text.chars().take(40).collect();
    if text.chars().count() > 40 {
        shown.push('…');
    }
    shown
}

/// Checks an application's fields (not its file), every problem at once, each on its field.
pub fn check_application(fields: &ApplyFields) -> Result<CheckedApplication, Vec<FieldError>> {
    let name = validation::display_name("name", &fields.name);
    let email = validation::email("email", &fields.email);
    let phone = phone(&fields.phone);
    let links = links(&fields.links);
    let letter = fields.cover_letter.trim();
    let letter_chars = letter.chars().count();
    let letter_ok = if letter_chars > MAX_COVER_LETTER_CHARS {
        Err(FieldError::new(
            "cover_letter",
            format!(
                "Shorten the cover letter to {MAX_COVER_LETTER_CHARS} characters (it has {letter_chars})."
            ),
        ))
    } else if letter
        .chars()
        .any(|c| is_hidden_char(c) && !matches!(c, '\n' | '\r' | '\t'))
    {
        Err(FieldError::new(
            "cover_letter",
            "The cover letter contains invisible or control characters; paste it as plain text.",
        ))
    } else {
        Ok(())
    };
    let consent = if fields.consent {
        Ok(())
    } else {
        Err(FieldError::new(
            "consent",
            "Tick the box to agree to how your data is used; without it we cannot consider your application.",
        ))
    };
    match (name, email, phone, links, letter_ok, consent) {
        (Ok(name), Ok(email), Ok(phone), Ok(links), Ok(()), Ok(())) => Ok(CheckedApplication {
            name,
            email,
            phone,
            links,
            cover_letter: letter.to_owned(),
        }),
        (name, email, phone, links, letter, consent) => Err(validation::problems([
            name.map(drop),
            email.map(drop),
            phone.map(drop),
            links.map(drop),
            letter,
            consent,
        ])),
    }
}

/// The browser's check of a chosen CV's size (the server reads the file itself).
pub fn cv_size(size: u64) -> Result<(), FieldError> {
    if size > MAX_CV_BYTES as u64 {
        return Err(FieldError::new(
            "cv",
            format!(
                "This file is {:.1} MB; a CV can be 10 MB at most. Save it smaller (a PDF without large images) and choose it again.",
                size as f64 / (1024.0 * 1024.0)
            ),
        ));
    }
    if size == 0 {
        return Err(FieldError::new(
            "cv",
            "This file is empty; choose the CV again.",
        ));
    }
    Ok(())
}

/// The error when no CV was chosen.
pub fn missing_cv() -> FieldError {
    FieldError::new(
        "cv",
        "Choose your CV: a PDF, Word (DOCX), text or Markdown file.",
    )
}

/// What the careers page answers when an application was received.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Applied {
    /// Where the private link was sent.
    pub email: String,
}

/// Where an application stands, in the words a candidate reads.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum CandidateView {
    /// Nobody has moved it yet.
    Received,
    /// Moved on to a later stage, named as the organisation names it.
    InProgress {
        stage: String,
    },
    Hired,
    /// The organisation decided not to go on.
    NotSelected,
    Withdrawn {
        at: i64,
    },
}

impl CandidateView {
    /// The sentence the candidate's page leads with.
    pub fn headline(&self) -> String {
        match self {
            Self::Received => "Received: the hiring team has not reviewed it yet.".to_owned(),
            Self::InProgress { stage } => {
                format!("In progress: your application is at the {stage} stage.")
            }
            Self::Hired => "Hired: congratulations!".to_owned(),
            Self::NotSelected => {
                "Not selected: the team decided not to go further with this application.".to_owned()
            }
            Self::Withdrawn { .. } => "Withdrawn: you withdrew this application.".to_owned(),
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Received => "received",
            Self::InProgress { .. } => "in_progress",
            Self::Hired => "hired",
            Self::NotSelected => "not_selected",
            Self::Withdrawn { .. } => "withdrawn",
        }
    }

    /// Whether the candidate can still withdraw.
    pub fn open(&self) -> bool {
        matches!(self, Self::Received | Self::InProgress { .. })
    }
}

/// The candidate's private page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ApplicationStatus {
    pub org_name: String,
    pub org_slug: String,
    pub job_title: String,
    /// The job's public address while it is published.
    pub job_slug: Option<String>,
    pub candidate_name: String,
    pub applied_at: i64,
    pub view: CandidateView,
    /// When the candidate asked for their data to be deleted.
    pub deletion_requested_at: Option<i64>,
    /// Until when the link works and the data is kept.
    pub expires_at: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good() -> ApplyFields {
        ApplyFields {
            name: " Ada Lovelace ".into(),
            email: "Ada@Example.com".into(),
            phone: "+44 (0)20 7946 0018".into(),
            links: "https://github.com/ada\n\nhttps://ada.example.org/cv".into(),
            cover_letter: "Dear team,\n\tI would like to apply.".into(),
            consent: true,
        }
    }

    fn fields_of(errors: Vec<FieldError>) -> Vec<String> {
        errors.into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn a_good_application_is_normalised() {
        let checked = check_application(&good()).expect("valid");
        assert_eq!(checked.name, "Ada Lovelace");
        assert_eq!(checked.email, "ada@example.com");
        assert_eq!(checked.links.len(), 2);
        assert_eq!(checked.cover_letter, "Dear team,\n\tI would like to apply.");
    }

    #[test]
    fn every_problem_is_named_on_its_field_at_once() {
        let bad = ApplyFields {
            name: String::new(),
            email: "ada".into(),
            phone: "call me".into(),
            links: "github.com/ada".into(),
            cover_letter: "x".repeat(MAX_COVER_LETTER_CHARS + 1),
            consent: false,
        };
        let errors = check_application(&bad).expect_err("invalid");
        assert_eq!(
            fields_of(errors),
            ["name", "email", "phone", "links", "cover_letter", "consent"]
        );
    }

    #[test]
    fn links_and_phones_have_their_own_words() {
        let mut f = good();
        f.links = (0..6).map(|i| format!("https://e{i}.example\n")).collect();
        let e = check_application(&f).expect_err("too many");
        assert!(e[0].message.contains("at most 5"), "{e:?}");
        f.links = "https://localhost/x".into();
        assert!(check_application(&f).is_err());
        f.links = "https://ok.example/\u{202E}x".into();
        assert!(check_application(&f).is_err());
        let mut f = good();
        f.phone = "12345".into();
        assert!(check_application(&f).is_err(), "too short");
        f.phone = "+44 20+7946".into();
        assert!(check_application(&f).is_err(), "a plus inside");
        f.phone = String::new();
        assert!(check_application(&f).is_ok(), "a phone is optional");
        f.cover_letter = "hi\u{0}".into();
        assert_eq!(
            fields_of(check_application(&f).expect_err("nul")),
            ["cover_letter"]
        );
    }

    #[test]
    fn phone_keys_ignore_spelling_and_the_trunk_zero() {
        assert_eq!(phone_key("+44 (0)20 7946 0018"), "+442079460018");
        assert_eq!(phone_key("+44 20 7946-0018"), "+442079460018");
        assert_eq!(phone_key("020 7946 0018"), "02079460018");
    }

    #[test]
    fn name_keys_ignore_case_spacing_and_dots() {
        assert_eq!(name_key("  Dr. Ann   LEE, "), "dr ann lee");
        assert_eq!(name_key("Ñora Öztürk"), name_key("ñora ÖZTÜRK"));
        assert_eq!(name_key(" . "), "");
    }

    #[test]
    fn consent_names_the_organisation_and_the_period() {
        let text = consent_text("Acme Ltd", 24);
        assert!(
            text.contains("Acme Ltd") && text.contains("2 years"),
            "{text}"
        );
        assert!(consent_text("A", 12).contains("12 months"));
        assert!(consent_text("A", 18).contains("18 months"));
    }

    #[test]
    fn retention_is_a_whole_number_of_months_in_range() {
        assert_eq!(retention_months("r", " 24 "), Ok(24));
        for bad in ["", "0", "61", "1.5", "twelve", "-3"] {
            assert!(retention_months("r", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn form_names_fill_the_fields() {
        let mut f = ApplyFields::default();
        assert!(f.set("consent", "on".into()));
        assert!(f.set("email", "a@b.example".into()));
        assert!(!f.set("website", "spam".into()));
        assert!(f.consent);
        assert_eq!(f.email, "a@b.example");
    }
}
