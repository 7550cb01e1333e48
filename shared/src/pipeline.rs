//! A job's pipeline: its stages (the board's columns) and the applications on them (the cards).

use crate::validation::FieldError;
use serde::{Deserialize, Serialize};

/// A column of the board.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Stage {
    pub id: i64,
    pub name: String,
}

/// An application on the board.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Card {
    pub application_id: i64,
    pub candidate_id: i64,
    pub name: String,
    pub stage_id: i64,
    pub applied_at: i64,
    /// When it reached its stage.
    pub stage_entered_at: i64,
    /// 0–100 against the job; `None` while it is being scored.
    pub score: Option<u8>,
    /// The best-proven skills the job asks for (three at most).
    pub matched: Vec<String>,
    /// Must-haves the CV does not show (three at most).
    pub missing: Vec<String>,
}

/// A job's board: its stages in order and its open applications.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Board {
    pub job_title: String,
    pub job_slug: String,
    pub stages: Vec<Stage>,
    pub cards: Vec<Card>,
    /// Applications no longer on the board (rejected, withdrawn, hired).
    pub closed: u64,
    /// Whether the viewer may move cards.
    pub can_move: bool,
}

/// How a board orders its cards within each column.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum BoardSort {
    /// Newest in its stage first.
    #[default]
    Recent,
    /// Highest score first; cards still being scored last.
    Score,
    /// Longest in its stage first (who has waited longest).
    Waiting,
    /// First to apply first.
    Applied,
}

impl BoardSort {
    pub const ALL: [BoardSort; 4] = [Self::Recent, Self::Score, Self::Waiting, Self::Applied];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Recent => "recent",
            Self::Score => "score",
            Self::Waiting => "waiting",
            Self::Applied => "applied",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Recent => "Newest in stage",
            Self::Score => "Highest score",
            Self::Waiting => "Waiting longest",
            Self::Applied => "Applied first",
        }
    }

    /// The order the address names; the default for anything else.
    pub fn parse(raw: &str) -> Self {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == raw)
            .unwrap_or_default()
    }
}

/// The lowest scores a board can be filtered to.
pub const SCORE_FLOORS: [u8; 3] = [40, 60, 80];

/// Which cards a board shows, and in what order (from the address: `q`, `min`, `sort`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BoardFilter {
    /// Words the card's name or its matched skills contain (any case).
    pub query: String,
    /// Only cards scored at least this (cards still being scored are left out).
    pub min_score: Option<u8>,
    pub sort: BoardSort,
}

impl BoardFilter {
    pub fn parse(query: &str, min: &str, sort: &str) -> Self {
        Self {
            query: query.trim().to_owned(),
            min_score: min.trim().parse().ok().filter(|m| SCORE_FLOORS.contains(m)),
            sort: BoardSort::parse(sort),
        }
    }

    /// Whether it hides any card.
    pub fn narrows(&self) -> bool {
        !self.query.is_empty() || self.min_score.is_some()
    }

    pub fn keeps(&self, card: &Card) -> bool {
        if let Some(min) = self.min_score {
            if card.score.is_none_or(|s| s < min) {
                return false;
            }
        }
        let query = self.query.to_lowercase();
        query.split_whitespace().all(|word| {
            card.name.to_lowercase().contains(word)
                || card.matched.iter().any(|s| s.to_lowercase().contains(word))
        })
    }

    /// The cards it keeps, in its order.
    pub fn apply(&self, cards: impl IntoIterator<Item = Card>) -> Vec<Card> {
        let mut kept: Vec<Card> = cards.into_iter().filter(|c| self.keeps(c)).collect();
        let newest = |c: &Card| std::cmp::Reverse((c.stage_entered_at, c.application_id));
        match self.sort {
            BoardSort::Recent => kept.sort_by_key(newest),
            BoardSort::Score => {
                kept.sort_by_key(|c| (std::cmp::Reverse(c.score), newest(c)));
            }
            BoardSort::Waiting => kept.sort_by_key(|c| (c.stage_entered_at, c.application_id)),
            BoardSort::Applied => kept.sort_by_key(|c| (c.applied_at, c.application_id)),
        }
        kept
    }
}

/// The reasons offered when an application is rejected, until an organisation sets its own.
pub const DEFAULT_REJECTION_REASONS: [&str; 6] = [
    "Skills or experience do not match",
    "Another candidate was a better fit",
    "Salary expectations too far apart",
    "Location or working hours do not fit",
    "Did not respond",
    "Position closed or filled",
];
pub const MAX_REJECTION_REASONS: usize = 30;
pub const MAX_REASON_CHARS: usize = 80;
pub const MAX_SUBJECT_CHARS: usize = 200;
pub const MAX_MAIL_BODY_CHARS: usize = 5_000;
pub const MAX_NOTE_CHARS: usize = 5_000;

/// The rejection e-mail until an organisation writes its own.
pub const DEFAULT_REJECTION_SUBJECT: &str = "Your application for {job_title}";
pub const DEFAULT_REJECTION_BODY: &str = "Hello {first_name},\n\n\
Thank you for applying for {job_title} at {organisation} and for the time you gave us. \
We have decided not to go further with your application.\n\n\
We wish you every success,\n{organisation}";

/// The placeholders a rejection e-mail may use, with what each becomes.
pub const PLACEHOLDERS: [(&str, &str); 4] = [
    ("first_name", "the candidate's first name"),
    ("candidate_name", "the candidate's full name"),
    ("job_title", "the job's title"),
    ("organisation", "your organisation's name"),
];

/// What a template's placeholders are filled with.
#[derive(Clone, Debug, PartialEq)]
pub struct TemplateValues<'a> {
    pub candidate_name: &'a str,
    pub job_title: &'a str,
    pub organisation: &'a str,
}

impl TemplateValues<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        match key {
            "first_name" => Some(
                self.candidate_name
                    .split_whitespace()
                    .next()
                    .unwrap_or(self.candidate_name),
            ),
            "candidate_name" => Some(self.candidate_name),
            "job_title" => Some(self.job_title),
            "organisation" => Some(self.organisation),
            _ => None,
        }
    }
}

/// The `{name}` placeholders of `template`, in order, or the first piece that is not one
/// (an unknown name or a brace left open).
fn placeholders(template: &str) -> Result<Vec<(usize, usize, &str)>, String> {
    let mut found = Vec::new();
    let mut rest = 0;
    while let Some(open) = template[rest..].find('{').map(|i| i + rest) {
        let Some(close) = template[open..].find('}').map(|i| i + open) else {
            return Err(format!(
                "A “{{” is not closed near “{}”.",
                excerpt(&template[open..])
            ));
        };
        let name = &template[open + 1..close];
        if !PLACEHOLDERS.iter().any(|(known, _)| *known == name) {
            return Err(format!("“{{{name}}}” is not a placeholder we know."));
        }
        found.push((open, close + 1, name));
        rest = close + 1;
    }
    if let Some(stray) = template[rest..].find('}') {
        return Err(format!(
            "A “}}” has no “{{” before it near “{}”.",
            excerpt(&template[rest + stray..])
        ));
    }
    Ok(found)
}

fn excerpt(text: &str) -> String {
    text.chars().take(24).collect()
}

/// The known placeholders, as the error messages list them.
fn known_placeholders() -> String {
    PLACEHOLDERS
        .iter()
        .map(|(name, _)| format!("{{{name}}}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `template` with its placeholders filled in. Templates are checked when saved, so an
/// unknown placeholder here is left as written.
pub fn fill_template(template: &str, values: &TemplateValues) -> String {
    let Ok(found) = placeholders(template) else {
        return template.to_owned();
    };
    let mut out = String::with_capacity(template.len());
    let mut at = 0;
    for (start, end, name) in found {
        out.push_str(&template[at..start]);
        out.push_str(values.get(name).unwrap_or(&template[start..end]));
        at = end;
    }
    out.push_str(&template[at..]);
    out
}

/// Plain text of at most `max` characters, without invisible characters; line breaks kept.
fn plain(
    field: &str,
    raw: &str,
    what: &str,
    max: usize,
    multiline: bool,
) -> Result<String, FieldError> {
    let value = raw.replace("\r\n", "\n").trim().to_owned();
    if value.is_empty() {
        return Err(FieldError::new(field, format!("Enter {what}.")));
    }
    if value
        .chars()
        .any(|c| (c != '\n' || !multiline) && crate::validation::is_hidden_char(c))
    {
        return Err(FieldError::new(
            field,
            format!("The {what} contains invisible or control characters; type it again."),
        ));
    }
    let chars = value.chars().count();
    if chars > max {
        return Err(FieldError::new(
            field,
            format!("Make the {what} shorter: {chars} characters, at most {max}."),
        ));
    }
    Ok(value)
}

/// A template (subject or body): plain text whose placeholders are all known.
fn template(
    field: &str,
    raw: &str,
    what: &str,
    max: usize,
    multiline: bool,
) -> Result<String, FieldError> {
    let value = plain(field, raw, what, max, multiline)?;
    placeholders(&value).map_err(|problem| {
        FieldError::new(
            field,
            format!("{problem} Use only {}.", known_placeholders()),
        )
    })?;
    Ok(value)
}

pub fn mail_subject(field: &str, raw: &str) -> Result<String, FieldError> {
    template(field, raw, "subject", MAX_SUBJECT_CHARS, false)
}

pub fn mail_body(field: &str, raw: &str) -> Result<String, FieldError> {
    template(field, raw, "message", MAX_MAIL_BODY_CHARS, true)
}

/// The reasons, one per line: blank lines dropped, each short, none twice.
pub fn rejection_reasons(field: &str, raw: &str) -> Result<Vec<String>, FieldError> {
    let lines: Vec<&str> = raw
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    // Counted first: a long paste is refused before anything else is done with it.
    if lines.len() > MAX_REJECTION_REASONS {
        return Err(FieldError::new(
            field,
            format!(
                "Keep at most {MAX_REJECTION_REASONS} reasons ({} now).",
                lines.len()
            ),
        ));
    }
    let mut reasons: Vec<String> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for line in lines {
        let reason = plain(field, line, "reason", MAX_REASON_CHARS, false)
            .map_err(|e| FieldError::new(field, format!("“{}”: {}", excerpt(line), e.message)))?;
        if !seen.insert(reason.to_lowercase()) {
            return Err(FieldError::new(
                field,
                format!("“{reason}” is in the list twice; keep one."),
            ));
        }
        reasons.push(reason);
    }
    if reasons.is_empty() {
        return Err(FieldError::new(
            field,
            "Enter at least one reason, one per line.",
        ));
    }
    Ok(reasons)
}

/// The web addresses in `text` (words starting `http://`, `https://` or `www.`) that `allowed`
/// does not contain: a rejection e-mail may not carry addresses its template does not have.
pub fn new_links<'a>(text: &'a str, allowed: &str) -> Vec<&'a str> {
    let allowed = allowed.to_lowercase();
    text.split(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '(' | ')' | '"'))
        .map(|w| w.trim_end_matches(['.', ',', ';', ':', '!', '?']))
        .filter(|w| {
            let lower = w.to_lowercase();
            (lower.starts_with("http://")
                || lower.starts_with("https://")
                || lower.starts_with("www."))
                && !allowed.contains(&lower)
        })
        .collect()
}

/// How an organisation rejects: its reasons and its e-mail.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RejectionSettings {
    pub reasons: Vec<String>,
    pub subject: String,
    pub body: String,
}

impl Default for RejectionSettings {
    fn default() -> Self {
        Self {
            reasons: DEFAULT_REJECTION_REASONS.map(str::to_owned).to_vec(),
            subject: DEFAULT_REJECTION_SUBJECT.to_owned(),
            body: DEFAULT_REJECTION_BODY.to_owned(),
        }
    }
}

/// Checks the rejection settings form.
pub fn check_rejection_settings(reasons: &str, subject: &str, body: &str) -> Vec<FieldError> {
    crate::validation::problems([
        rejection_reasons("reasons", reasons).map(drop),
        mail_subject("subject", subject).map(drop),
        mail_body("body", body).map(drop),
    ])
}

/// A checked rejection: its reason, and the e-mail (subject, body) when one is sent.
#[derive(Clone, Debug, PartialEq)]
pub struct Rejection {
    pub reason: String,
    pub mail: Option<(String, String)>,
}

/// Checks the reject form: a reason, and the e-mail when one is sent (its placeholders are
/// already filled in by the form).
pub fn check_rejection(
    reason: &str,
    send_mail: bool,
    subject: &str,
    body: &str,
) -> Result<Rejection, Vec<FieldError>> {
    let mut problems = Vec::new();
    let reason = reason.trim();
    if reason.is_empty() {
        problems.push(FieldError::new("reason", "Choose a reason."));
    }
    let mail = if send_mail {
        let subject = plain("subject", subject, "subject", MAX_SUBJECT_CHARS, false);
        let body = plain("body", body, "message", MAX_MAIL_BODY_CHARS, true);
        match (subject, body) {
            (Ok(s), Ok(b)) => Some((s, b)),
            (s, b) => {
                problems.extend(s.err());
                problems.extend(b.err());
                None
            }
        }
    } else {
        None
    };
    if problems.is_empty() {
        Ok(Rejection {
            reason: reason.to_owned(),
            mail,
        })
    } else {
        Err(problems)
    }
}

/// A note's text.
pub fn note(field: &str, raw: &str) -> Result<String, FieldError> {
    plain(field, raw, "note", MAX_NOTE_CHARS, true)
}

/// The members a note mentions: each `@` followed by one of `names` (whole words, any case),
/// the longest name winning ("@Ana Lima" over "@Ana"). Returns indexes into `names`, each once.
pub fn mentions(text: &str, names: &[&str]) -> Vec<usize> {
    let lower = text.to_lowercase();
    let keys: Vec<String> = names.iter().map(|n| n.trim().to_lowercase()).collect();
    let mut order: Vec<usize> = (0..names.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(keys[i].len()));
    let mut found = Vec::new();
    for (at, _) in lower.match_indices('@') {
        // Not inside a word (an e-mail address).
        if lower[..at]
            .chars()
            .next_back()
            .is_some_and(char::is_alphanumeric)
        {
            continue;
        }
        let after = &lower[at + 1..];
        let hit = order.iter().copied().find(|&i| {
            let name = &keys[i];
            !name.is_empty()
                && after.starts_with(name.as_str())
                && !after[name.len()..]
                    .chars()
                    .next()
                    .is_some_and(char::is_alphanumeric)
        });
        if let Some(i) = hit {
            if !found.contains(&i) {
                found.push(i);
            }
        }
    }
    found
}

/// Where an application stands.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Outcome {
    Active,
    Rejected { reason: String, at: i64 },
    Withdrawn { at: i64 },
    Hired,
}

/// One line of an application's activity: who did what, when.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Activity {
    pub at: i64,
    /// A member's name, or "The candidate" / "Talentloom".
    pub by: String,
    pub kind: String,
    pub detail: String,
}

/// A note on an application.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Note {
    pub id: i64,
    pub by: String,
    pub at: i64,
    pub body: String,
    /// The members it mentions (their names).
    pub mentions: Vec<String>,
}

/// A member who may be mentioned in a note on an application (one who may see it).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Mentionable {
    pub user_id: i64,
    pub name: String,
}

/// An application as its page shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ApplicationDetail {
    pub id: i64,
    pub candidate_id: i64,
    pub candidate_name: String,
    pub email: String,
    pub phone: String,
    pub links: Vec<String>,
    pub job_title: String,
    pub job_slug: String,
    pub stages: Vec<Stage>,
    pub stage_id: i64,
    pub outcome: Outcome,
    pub applied_at: i64,
    pub stage_entered_at: i64,
    pub cover_letter: String,
    /// The CV's text, as it was scored.
    pub cv_text: String,
    pub cv_file_id: Option<i64>,
    /// The explained score; `None` while it is being scored.
    pub explanation: Option<crate::matching::MatchExplanation>,
    /// Newest first.
    pub activity: Vec<Activity>,
    /// Oldest first.
    pub notes: Vec<Note>,
    pub mentionable: Vec<Mentionable>,
    /// The interviewers assigned to it (they see it, and no other application of the job).
    pub interviewers: Vec<Mentionable>,
    /// The interviewers of the job's hiring team, who may be assigned (for those who decide).
    pub assignable: Vec<Mentionable>,
    /// Whether the viewer may move, reject and reopen it.
    pub can_decide: bool,
    /// Whether the viewer sees the job's board and candidates (not an interviewer who sees only
    /// what is assigned to them).
    pub whole_job: bool,
    /// Whether the candidate was sent a rejection e-mail for it (once at most).
    #[serde(default)]
    pub rejection_mailed: bool,
    /// The organisation's reasons, and its e-mail filled in for this candidate (for those who
    /// may decide).
    pub rejection: Option<RejectionSettings>,
}

/// The page of an application.
pub fn application_path(org_slug: &str, application_id: i64) -> String {
    format!("/o/{org_slug}/applications/{application_id}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values() -> TemplateValues<'static> {
        TemplateValues {
            candidate_name: "Ana Lima Souza",
            job_title: "Rust engineer",
            organisation: "Acme",
        }
    }

    fn card(id: i64, name: &str, score: Option<u8>, entered: i64, matched: &[&str]) -> Card {
        Card {
            application_id: id,
            candidate_id: id,
            name: name.to_owned(),
            stage_id: 1,
            applied_at: 100 - id,
            stage_entered_at: entered,
            score,
            matched: matched.iter().map(|s| (*s).to_owned()).collect(),
            missing: Vec::new(),
        }
    }

    #[test]
    fn boards_filter_and_sort_their_cards() {
        let cards = vec![
            card(1, "Ada Lovelace", Some(82), 10, &["Rust"]),
            card(2, "Grace Hopper", None, 30, &[]),
            card(3, "Alan Turing", Some(55), 20, &["Rust", "PostgreSQL"]),
        ];
        let ids = |f: &BoardFilter| -> Vec<i64> {
            f.apply(cards.clone())
                .iter()
                .map(|c| c.application_id)
                .collect()
        };
        assert_eq!(ids(&BoardFilter::default()), [2, 3, 1]);
        assert_eq!(ids(&BoardFilter::parse("", "", "score")), [1, 3, 2]);
        assert_eq!(ids(&BoardFilter::parse("", "", "waiting")), [1, 3, 2]);
        assert_eq!(ids(&BoardFilter::parse("", "", "applied")), [3, 2, 1]);
        assert_eq!(ids(&BoardFilter::parse("", "60", "")), [1]);
        assert_eq!(ids(&BoardFilter::parse("postgres", "", "")), [3]);
        assert_eq!(ids(&BoardFilter::parse("  rust ADA ", "", "")), [1]);
        // Anything else in the address is ignored, not an error.
        assert_eq!(
            BoardFilter::parse("", "7", "nonsense"),
            BoardFilter::default()
        );
    }

    #[test]
    fn templates_fill_known_placeholders() {
        assert_eq!(
            fill_template(
                "Hi {first_name}, re {job_title} at {organisation}.",
                &values()
            ),
            "Hi Ana, re Rust engineer at Acme."
        );
        assert_eq!(
            fill_template(DEFAULT_REJECTION_SUBJECT, &values()),
            "Your application for Rust engineer"
        );
        assert!(mail_body("body", DEFAULT_REJECTION_BODY).is_ok());
    }

    #[test]
    fn templates_name_what_is_wrong() {
        let unknown = mail_body("body", "Hi {name}").expect_err("refused").message;
        assert!(
            unknown.contains("{name}") && unknown.contains("{first_name}"),
            "{unknown}"
        );
        let open = mail_subject("subject", "About {job_title")
            .expect_err("refused")
            .message;
        assert!(open.contains("not closed"), "{open}");
        let stray = mail_subject("subject", "About job_title}")
            .expect_err("refused")
            .message;
        assert!(stray.contains("has no"), "{stray}");
        assert!(mail_subject("subject", "a\nb").is_err());
        assert!(mail_subject("subject", " ").is_err());
    }

    #[test]
    fn reasons_are_a_short_list_without_repeats() {
        assert_eq!(
            rejection_reasons("reasons", "  Too junior \n\n Salary\r\n").expect("a list"),
            vec!["Too junior", "Salary"]
        );
        assert!(rejection_reasons("reasons", "Salary\nsalary").is_err());
        assert!(rejection_reasons("reasons", " \n ").is_err());
        assert!(rejection_reasons("reasons", &"x".repeat(MAX_REASON_CHARS + 1)).is_err());
        let many = (0..=MAX_REJECTION_REASONS)
            .map(|i| format!("r{i}\n"))
            .collect::<String>();
        assert!(rejection_reasons("reasons", &many).is_err());
    }

    #[test]
    fn a_rejection_needs_a_reason_and_a_whole_mail() {
        assert!(check_rejection("Salary", false, "", "").is_ok());
        let problems = check_rejection("", true, "Hi", " ").expect_err("refused");
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["reason", "body"]);
    }

    #[test]
    fn rejection_mails_add_no_web_addresses() {
        let template = "See https://acme.example/jobs for more.";
        assert!(new_links("See https://acme.example/jobs. Bye", template).is_empty());
        assert_eq!(
            new_links(
                "Claim here: (https://evil.example/x) or www.evil.example",
                template
            ),
            ["https://evil.example/x", "www.evil.example"]
        );
        let many = "x\n".repeat(100_000);
        assert!(rejection_reasons("reasons", &many).is_err());
    }

    #[test]
    fn mentions_take_the_longest_name() {
        let names = ["Ana", "Ana Lima", "Bo"];
        assert_eq!(
            mentions("@ana lima please look, cc @Bo.", &names),
            vec![1, 2]
        );
        assert_eq!(mentions("@Ana and @Ana again", &names), vec![0]);
        assert!(mentions("mail ana@bo.example, @Bob", &names).is_empty());
    }
}

/// The stages a new job's board starts with, unless the organisation set its own.
pub const DEFAULT_STAGES: [&str; 5] = ["Applied", "Screen", "Interview", "Offer", "Hired"];
pub const MIN_STAGES: usize = 2;
pub const MAX_STAGES: usize = 12;
pub const MAX_STAGE_CHARS: usize = 40;

/// A board's stage names, tidied and checked: 2 to 12, each at most 40 visible characters, no
/// name twice (in any case).
pub fn stage_names<'a>(
    field: &str,
    names: impl IntoIterator<Item = &'a str>,
) -> Result<Vec<String>, FieldError> {
    let names: Vec<&str> = names
        .into_iter()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .take(MAX_STAGES + 1)
        .collect();
    if names.len() > MAX_STAGES {
        return Err(FieldError::new(
            field,
            format!("A board has at most {MAX_STAGES} stages; remove some."),
        ));
    }
    if names.len() < MIN_STAGES {
        return Err(FieldError::new(
            field,
            format!("A board needs at least {MIN_STAGES} stages, such as Applied and Interview."),
        ));
    }
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::with_capacity(names.len());
    for name in names {
        let name = plain(field, name, "a stage name", MAX_STAGE_CHARS, false)
            .map_err(|e| FieldError::new(field, format!("“{}”: {}", excerpt(name), e.message)))?;
        if !seen.insert(name.to_lowercase()) {
            return Err(FieldError::new(
                field,
                format!("“{name}” is there twice; stage names must differ."),
            ));
        }
        out.push(name);
    }
    Ok(out)
}

/// The organisation's stages for new jobs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StageTemplate {
    pub stages: Vec<String>,
}

impl Default for StageTemplate {
    fn default() -> Self {
        Self {
            stages: DEFAULT_STAGES.map(str::to_owned).to_vec(),
        }
    }
}

/// One stage of a job's board as edited: an existing stage by its id (renamed, moved), or a
/// new one (no id). Stages left out are removed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EditedStage {
    #[serde(default)]
    pub id: Option<i64>,
    pub name: String,
}

/// Checks a job's edited stages (sent as JSON): the names as [`stage_names`], and no stage twice.
pub fn check_edited_stages(field: &str, raw: &str) -> Result<Vec<EditedStage>, FieldError> {
    if raw.len() > 20_000 {
        return Err(FieldError::new(field, "Too many stages; remove some."));
    }
    let stages: Vec<EditedStage> = serde_json::from_str(raw).map_err(|_| {
        FieldError::new(
            field,
            "The stages could not be read; reload the page and try again.",
        )
    })?;
    let names = stage_names(field, stages.iter().map(|s| s.name.as_str()))?;
    if names.len() != stages.len() {
        return Err(FieldError::new(
            field,
            "Give every stage a name, or remove it.",
        ));
    }
    let mut ids = std::collections::HashSet::new();
    if stages.iter().filter_map(|s| s.id).any(|id| !ids.insert(id)) {
        return Err(FieldError::new(
            field,
            "A stage is there twice; reload the page and try again.",
        ));
    }
    Ok(stages
        .into_iter()
        .zip(names)
        .map(|(stage, name)| EditedStage { id: stage.id, name })
        .collect())
}

#[cfg(test)]
mod stage_tests {
    use super::*;

    #[test]
    fn stage_names_are_tidied_counted_and_unique() {
        assert_eq!(
            stage_names("stages", ["  Applied ", "", "Phone screen"]).ok(),
            Some(vec!["Applied".to_owned(), "Phone screen".to_owned()])
        );
        assert!(stage_names("stages", ["Applied"]).is_err());
        assert!(stage_names("stages", ["Applied", "APPLIED"]).is_err());
        assert!(stage_names("stages", ["Applied", &"x".repeat(MAX_STAGE_CHARS + 1)]).is_err());
        let many: Vec<String> = (0..=MAX_STAGES).map(|i| format!("Stage {i}")).collect();
        assert!(stage_names("stages", many.iter().map(String::as_str)).is_err());
    }

    #[test]
    fn edited_stages_keep_their_ids_and_refuse_blanks_and_twins() {
        let ok = check_edited_stages(
            "stages",
            r#"[{"id":3,"name":" Applied "},{"name":"Trial day"}]"#,
        );
        assert_eq!(
            ok.ok(),
            Some(vec![
                EditedStage {
                    id: Some(3),
                    name: "Applied".into()
                },
                EditedStage {
                    id: None,
                    name: "Trial day".into()
                },
            ])
        );
        assert!(
            check_edited_stages("stages", r#"[{"id":3,"name":"A"},{"id":3,"name":"B"}]"#).is_err()
        );
        assert!(check_edited_stages(
            "stages",
            r#"[{"id":3,"name":"A"},{"name":" "},{"name":"B"}]"#
        )
        .is_err());
        assert!(check_edited_stages("stages", "not json").is_err());
    }
}
