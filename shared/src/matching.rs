//! What the matching engine returns: extracted skills with their evidence, and explained match
//! scores. Offsets are byte offsets into the UTF-8 text the engine was given.

use serde::{Deserialize, Serialize};

/// A byte range `[start, end)` of the analysed text.
pub type Span = [usize; 2];

/// How well someone knows a skill, as far as the text says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SkillLevel {
    Basic,
    Intermediate,
    Advanced,
    Expert,
}

impl SkillLevel {
    pub fn label(self) -> &'static str {
        match self {
            Self::Basic => "basic",
            Self::Intermediate => "intermediate",
            Self::Advanced => "advanced",
            Self::Expert => "expert",
        }
    }
}

/// A skill found in a text, with the places that prove it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExtractedSkill {
    pub label: String,
    /// The taxonomy's identifier (ESCO URI) when the catalog has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    pub category: String,
    /// 0–1: how sure the engine is that the text means this skill.
    pub confidence: f64,
    /// Every place the skill is named, in text order.
    pub spans: Vec<Span>,
    /// Found only by the meaning of a phrase ("keeping the books" for bookkeeping), never by
    /// one of the skill's names.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub inferred: bool,
    /// CVs only: the level the text states, or one estimated from stated years.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<SkillLevel>,
    /// CVs only: years of experience stated next to the skill.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub years: Option<u32>,
    /// CVs only: the latest year the text ties to the skill (a role running "to present" counts
    /// as the current year).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_used: Option<i32>,
}

/// Whether a job cannot do without a skill.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Requirement {
    #[default]
    Must,
    Nice,
    /// Named only in the duties of an ad that lists its requirements: it describes the work
    /// rather than asks for the skill, so it counts for half a nice-to-have.
    Duty,
}

impl Requirement {
    /// Stable name, used in markup and CSS.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Must => "must",
            Self::Nice => "nice",
            Self::Duty => "duty",
        }
    }

    /// What a person reads.
    pub fn label(self) -> &'static str {
        match self {
            Self::Must => "must-have",
            Self::Nice => "nice to have",
            Self::Duty => "in the duties",
        }
    }

    /// How much the job asks for it: must over nice over duty.
    pub fn strength(self) -> u8 {
        match self {
            Self::Must => 3,
            Self::Nice => 2,
            Self::Duty => 1,
        }
    }
}

/// A skill a job asks for.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RequiredSkill {
    pub label: String,
    #[serde(default)]
    pub required: Requirement,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<SkillLevel>,
    /// Other skills any of which satisfies the requirement instead ("AWS or GCP", "an ERP such
    /// as SAP or Sage").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alternatives: Vec<String>,
}

impl RequiredSkill {
    /// The requirement as a reader says it: "AWS or Google Cloud Platform".
    pub fn describe(&self) -> String {
        describe_options(&self.label, &self.alternatives)
    }
}

/// "A", "A or B", "A, B or C".
pub fn describe_options(label: &str, alternatives: &[String]) -> String {
    match alternatives.split_last() {
        None => label.to_owned(),
        Some((last, rest)) => {
            let mut out = label.to_owned();
            for option in rest {
                out.push_str(", ");
                out.push_str(option);
            }
            out.push_str(" or ");
            out.push_str(last);
            out
        }
    }
}

/// Where the work happens.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RemotePolicy {
    Onsite,
    Hybrid,
    Remote,
}

/// How senior a role is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Seniority {
    Intern,
    Junior,
    Mid,
    Senior,
    Lead,
    Principal,
}

impl Seniority {
    /// The years of experience that usually go with the level: `[from, to)`.
    pub fn years(self) -> (f64, f64) {
        match self {
            Self::Intern => (0.0, 1.0),
            Self::Junior => (0.0, 3.0),
            Self::Mid => (2.0, 6.0),
            Self::Senior => (5.0, 12.0),
            Self::Lead => (7.0, 40.0),
            Self::Principal => (10.0, 40.0),
        }
    }
}

/// What a job asks for. Without `skills` the skills named in `text` count, each as a must-have
/// or a nice-to-have by the part of the ad that names it (the server's `matching::job_ad`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct JobSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    pub text: String,
    #[serde(default)]
    pub skills: Vec<RequiredSkill>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote: Option<RemotePolicy>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seniority: Option<Seniority>,
}

/// What is known of a candidate. Without `years_experience` the dated roles in the CV count.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CandidateProfile {
    /// The CV as plain text.
    pub text: String,
    /// Skills the candidate claims outside the CV (a form, a profile); they count for less than
    /// skills the CV shows in use.
    #[serde(default)]
    pub skills: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    #[serde(default)]
    pub open_to_remote: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub years_experience: Option<f64>,
}

/// A piece of the CV that proves a skill.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    pub span: Span,
    /// The sentence around the span (a list item or line when it has no full stop).
    pub snippet: String,
    /// Where the skill's words are in `snippet` (byte range), to highlight them.
    #[serde(default)]
    pub mark: Span,
}

/// A required skill the candidate has, and how well it counts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MatchedSkill {
    /// The skill the CV shows (for a requirement with alternatives, the option it shows).
    pub label: String,
    /// The requirement's other options, when it has some.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alternatives: Vec<String>,
    /// The requirement as the ad puts it, options in the ad's order ("AWS or GCP").
    #[serde(default)]
    pub asked: String,
    pub required: Requirement,
    /// 0–1: full when shown in use at the asked level; less when only listed, only claimed
    /// outside the CV, or below the asked level.
    pub credit: f64,
    /// Why the credit is not full, if it is not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub evidence: Vec<Evidence>,
}

/// A required skill the candidate does not show.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MissingSkill {
    pub label: String,
    /// Other options that would have satisfied the requirement.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alternatives: Vec<String>,
    pub required: Requirement,
}

/// What a score means, in words. Thresholds: [`Band::of`]; calibrated on the labelled CV and job
/// pairs of `server/tests/fixtures/match-pairs` (docs/QUALITY.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Band {
    Weak,
    Partial,
    Good,
    Strong,
}

impl Band {
    /// The lowest score of each band above weak: partial, good, strong. Partial and good start
    /// halfway between the recruiter's bands on the labelled pairs (docs/QUALITY.md); strong
    /// starts where a candidate who shows every must-have in use lands.
    pub const FROM: [u8; 3] = [18, 43, 80];

    pub fn of(score: u8) -> Self {
        match score {
            s if s >= Self::FROM[2] => Self::Strong,
            s if s >= Self::FROM[1] => Self::Good,
            s if s >= Self::FROM[0] => Self::Partial,
            _ => Self::Weak,
        }
    }

    /// The band's name in data attributes and JSON: "strong", "good", "partial", "weak".
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Strong => "strong",
            Self::Good => "good",
            Self::Partial => "partial",
            Self::Weak => "weak",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Strong => "Strong match",
            Self::Good => "Good match",
            Self::Partial => "Partial match",
            Self::Weak => "Weak match",
        }
    }

    /// What a recruiter can take from the band.
    pub fn meaning(self) -> &'static str {
        match self {
            Self::Strong => "meets the must-haves with evidence; worth a call",
            Self::Good => "meets most must-haves; check the gaps",
            Self::Partial => "related experience, several must-haves missing",
            Self::Weak => "little of what the job asks for",
        }
    }
}

/// The parts a match score is made of, each 0–1.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScoreParts {
    /// How close the CV's meaning is to the job text (embedding similarity, rescaled).
    pub semantic: f64,
    /// Weighted share of required skills the CV proves (must-haves count double).
    pub coverage: f64,
    /// Seniority, location and remote fit.
    pub fit: f64,
}

/// A 0–100 score and everything it is made of.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MatchExplanation {
    pub score: u8,
    pub band: Band,
    /// One sentence a recruiter reads first: must-haves met, the main gap, fit.
    pub summary: String,
    pub parts: ScoreParts,
    /// Raw cosine similarity between the job text and the closest part of the CV.
    pub similarity: f64,
    pub matched: Vec<MatchedSkill>,
    pub missing: Vec<MissingSkill>,
    /// Plain-language notes on fit ("Seniority: senior role, 9 years in dated roles").
    pub notes: Vec<String>,
}

/// What the matching screen shows: the skills of both texts with their evidence, and the
/// explained score of the CV against the job.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MatchAnalysis {
    /// The texts analysed (spans point into them).
    pub cv_text: String,
    pub job_text: String,
    pub cv_skills: Vec<ExtractedSkill>,
    pub job_skills: Vec<ExtractedSkill>,
    pub explanation: MatchExplanation,
    /// ESCO occupations closest to the job's title (its first line).
    pub occupations: OccupationSuggestions,
}

/// An ESCO occupation proposed for a job title, with its closeness (0–1) and the skills ESCO
/// lists for it: essential ones first, then optional ones.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SuggestedOccupation {
    pub uri: String,
    pub label: String,
    pub score: f64,
    #[serde(default)]
    pub skills: Vec<OccupationSkill>,
}

/// A skill an occupation needs (essential) or often uses (optional), as its taxonomy lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OccupationSkill {
    pub uri: String,
    pub label: String,
    pub essential: bool,
}

/// Whether this server can suggest occupations, for administrators (what to do about it is an
/// operator's task, never shown on the matching screen).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TaxonomyStatus {
    NotImported,
    Preparing,
    Ready { occupations: usize },
}

/// Occupations suggested for a job title, or why there are none.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum OccupationSuggestions {
    /// No occupation taxonomy has been imported on this server.
    NotImported,
    /// The server is still preparing the imported taxonomy (minutes after an import).
    Preparing,
    Ready {
        /// The title the suggestions are for.
        title: String,
        occupations: Vec<SuggestedOccupation>,
        /// Whose data this is; shown with the suggestions.
        attribution: String,
    },
}

/// The title of a job text: its first non-empty line without Markdown heading marks, at most
/// 120 characters.
pub fn job_title(job_text: &str) -> &str {
    let line = job_text
        .lines()
        .map(|l| l.trim().trim_start_matches('#').trim())
        .find(|l| !l.is_empty())
        .unwrap_or("");
    match line.char_indices().nth(120) {
        Some((cut, _)) => &line[..cut],
        None => line,
    }
}

/// Text read out of an uploaded document.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExtractedText {
    pub text: String,
    /// "PDF", "Word (DOCX)", "plain text" or "Markdown".
    pub format: String,
}

/// The longest CV or job text the engine analyses, in characters.
pub const MAX_ANALYSIS_CHARS: usize = 100_000;
/// Where the matching screen posts an uploaded CV (`{slug}` is the organisation's).
pub fn document_text_path(slug: &str) -> String {
    format!("/o/{slug}/documents/text")
}

/// The checks of the matching form: both texts given, neither longer than the server reads.
pub fn check_analysis(cv_text: &str, job_text: &str) -> Vec<crate::validation::FieldError> {
    use crate::validation::FieldError;
    let check = |field: &str, what: &str, text: &str| {
        if text.trim().is_empty() {
            Some(FieldError::new(
                field,
                format!("Paste or upload the {what}."),
            ))
        } else if text.chars().count() > MAX_ANALYSIS_CHARS {
            Some(FieldError::new(
                field,
                format!("The {what} is longer than {MAX_ANALYSIS_CHARS} characters; shorten it."),
            ))
        } else {
            None
        }
    };
    check("cv_text", "CV", cv_text)
        .into_iter()
        .chain(check("job_text", "job description", job_text))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_start_at_their_thresholds() {
        let [partial, good, strong] = Band::FROM;
        assert_eq!(Band::of(0), Band::Weak);
        assert_eq!(Band::of(partial - 1), Band::Weak);
        assert_eq!(Band::of(partial), Band::Partial);
        assert_eq!(Band::of(good - 1), Band::Partial);
        assert_eq!(Band::of(good), Band::Good);
        assert_eq!(Band::of(strong - 1), Band::Good);
        assert_eq!(Band::of(strong), Band::Strong);
        assert_eq!(Band::of(100), Band::Strong);
        assert_eq!(
            serde_json::to_value(Band::Strong).ok(),
            Some(serde_json::json!(Band::Strong.as_str()))
        );
    }

    #[test]
    fn options_read_as_one_requirement() {
        let cloud = RequiredSkill {
            label: "AWS".to_owned(),
            required: Requirement::Must,
            level: None,
            alternatives: vec!["GCP".to_owned(), "Azure".to_owned()],
        };
        assert_eq!(cloud.describe(), "AWS, GCP or Azure");
        assert_eq!(describe_options("Rust", &[]), "Rust");
    }
}
