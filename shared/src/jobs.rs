//! Jobs: what an organisation hires for, their status and who may see them.

use crate::{
    matching::{RemotePolicy, Requirement},
    validation::{self, FieldError},
};
use serde::{Deserialize, Serialize};

/// Where a job is in its life. Only published jobs are on the careers page.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
    Draft,
    Published,
    Closed,
    Archived,
}

impl JobStatus {
    pub const ALL: [JobStatus; 4] = [
        JobStatus::Draft,
        JobStatus::Published,
        JobStatus::Closed,
        JobStatus::Archived,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Published => "published",
            Self::Closed => "closed",
            Self::Archived => "archived",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    /// What a person reads.
    pub fn label(self) -> &'static str {
        match self {
            Self::Draft => "Draft",
            Self::Published => "Published",
            Self::Closed => "Closed",
            Self::Archived => "Archived",
        }
    }

    /// The statuses a job in this one can be moved to: a draft is published (or archived
    /// unused), a published job closed, a closed one reopened or archived, an archived one
    /// brought back as a draft.
    pub fn next(self) -> &'static [JobStatus] {
        match self {
            Self::Draft => &[Self::Published, Self::Archived],
            Self::Published => &[Self::Closed],
            Self::Closed => &[Self::Published, Self::Archived],
            Self::Archived => &[Self::Draft],
        }
    }

    /// The button that moves a job to this status.
    pub fn action(self) -> &'static str {
        match self {
            Self::Draft => "Restore as draft",
            Self::Published => "Publish",
            Self::Closed => "Close",
            Self::Archived => "Archive",
        }
    }

    /// Why a job in `self` cannot become `to`, or nothing when it can.
    pub fn refuse(self, to: JobStatus) -> Option<String> {
        if self.next().contains(&to) {
            return None;
        }
        let can = self
            .next()
            .iter()
            .map(|s| s.action().to_lowercase())
            .collect::<Vec<_>>()
            .join(" or ");
        Some(format!(
            "A {} job cannot be moved to {}; it can only {can}.",
            self.as_str(),
            to.as_str(),
        ))
    }
}

/// How the job is employed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EmploymentType {
    FullTime,
    PartTime,
    Contract,
    Temporary,
    Internship,
}

impl EmploymentType {
    pub const ALL: [EmploymentType; 5] = [
        EmploymentType::FullTime,
        EmploymentType::PartTime,
        EmploymentType::Contract,
        EmploymentType::Temporary,
        EmploymentType::Internship,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::FullTime => "full_time",
            Self::PartTime => "part_time",
            Self::Contract => "contract",
            Self::Temporary => "temporary",
            Self::Internship => "internship",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::FullTime => "Full time",
            Self::PartTime => "Part time",
            Self::Contract => "Contract",
            Self::Temporary => "Temporary",
            Self::Internship => "Internship",
        }
    }
}

/// The stable names of the remote policies, as forms and the database write them.
pub fn remote_as_str(policy: RemotePolicy) -> &'static str {
    match policy {
        RemotePolicy::Onsite => "onsite",
        RemotePolicy::Hybrid => "hybrid",
        RemotePolicy::Remote => "remote",
    }
}

pub fn parse_remote(raw: &str) -> Option<RemotePolicy> {
    [
        RemotePolicy::Onsite,
        RemotePolicy::Hybrid,
        RemotePolicy::Remote,
    ]
    .into_iter()
    .find(|p| remote_as_str(*p) == raw)
}

pub fn remote_label(policy: RemotePolicy) -> &'static str {
    match policy {
        RemotePolicy::Onsite => "On-site",
        RemotePolicy::Hybrid => "Hybrid",
        RemotePolicy::Remote => "Remote",
    }
}

/// A skill the job asks for, as its form edits it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JobSkill {
    pub label: String,
    /// Must-have or nice-to-have (a job's own list has no duties).
    pub required: Requirement,
    /// 1 (basic) to 5 (expert), when the job names one.
    #[serde(default)]
    pub level: Option<u8>,
    /// Other skills any of which satisfies it instead ("AWS or GCP").
    #[serde(default)]
    pub alternatives: Vec<String>,
}

impl JobSkill {
    /// "AWS or Google Cloud", "Rust".
    pub fn name(&self) -> String {
        crate::matching::describe_options(&self.label, &self.alternatives)
    }
}

/// The level words of 1 to 5.
pub fn level_label(level: u8) -> &'static str {
    match level {
        1 => "basic",
        2 => "working",
        3 => "good",
        4 => "advanced",
        _ => "expert",
    }
}

/// Skills suggested for a job: read from its title and description by the matching engine, and
/// the essential skills of the closest ESCO occupation (when the taxonomy is imported).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SkillSuggestions {
    pub from_text: Vec<JobSkill>,
    /// The closest occupation's label and its essential skills.
    pub occupation: Option<(String, Vec<JobSkill>)>,
    /// ESCO's attribution, shown with the occupation's skills.
    pub attribution: String,
}

/// What a member does on a job's hiring team.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TeamRole {
    Recruiter,
    HiringManager,
    Interviewer,
}

impl TeamRole {
    pub const ALL: [TeamRole; 3] = [
        TeamRole::Recruiter,
        TeamRole::HiringManager,
        TeamRole::Interviewer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Recruiter => "recruiter",
            Self::HiringManager => "hiring_manager",
            Self::Interviewer => "interviewer",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == raw)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Recruiter => "Recruiter",
            Self::HiringManager => "Hiring manager",
            Self::Interviewer => "Interviewer",
        }
    }
}

/// A member of a job's hiring team.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TeamMember {
    pub user_id: i64,
    /// The member's name (read, never written through this type).
    #[serde(default)]
    pub name: String,
    pub role: TeamRole,
}

/// Members a hiring team may have at most.
pub const MAX_TEAM: usize = 50;

/// A status change: to what, by whom, when.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StatusChange {
    pub status: JobStatus,
    pub by: String,
    pub at: i64,
}

/// The salary range of a job, per year, in whole units of its currency.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Salary {
    pub min: Option<i64>,
    pub max: Option<i64>,
    /// ISO 4217 code: "EUR", "GBP".
    pub currency: String,
    /// Whether the careers page shows it.
    pub public: bool,
}

impl Salary {
    /// "EUR 60,000 – 75,000 a year", or nothing when no amount is set.
    pub fn describe(&self) -> Option<String> {
        let amount = |n: i64| {
            let digits = n.to_string();
            let mut out = String::new();
            for (i, c) in digits.chars().enumerate() {
                if i > 0 && (digits.len() - i).is_multiple_of(3) {
                    out.push(',');
                }
                out.push(c);
            }
            out
        };
        let range = match (self.min, self.max) {
            (Some(a), Some(b)) if a == b => amount(a),
            (Some(a), Some(b)) => format!("{} – {}", amount(a), amount(b)),
            (Some(a), None) => format!("from {}", amount(a)),
            (None, Some(b)) => format!("up to {}", amount(b)),
            (None, None) => return None,
        };
        Some(format!("{} {range} a year", self.currency))
    }
}

/// A job as its page and its form show it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Job {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub department: String,
    pub location: String,
    pub remote: RemotePolicy,
    pub employment: EmploymentType,
    pub salary: Salary,
    /// The description as written (Markdown).
    pub description: String,
    /// The description rendered by the server: Markdown to HTML with everything unsafe removed.
    pub description_html: String,
    pub skills: Vec<JobSkill>,
    /// Its hiring team, recruiters first.
    pub team: Vec<TeamMember>,
    pub status: JobStatus,
    /// Every status the job has had, oldest first (the first is its creation as a draft).
    pub history: Vec<StatusChange>,
    pub updated_at: i64,
    /// Whether the viewer may edit it and change its status.
    pub can_manage: bool,
}

/// A row of the job list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JobSummary {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub department: String,
    pub location: String,
    pub remote: RemotePolicy,
    pub employment: EmploymentType,
    pub status: JobStatus,
    pub updated_at: i64,
}

/// The order of the job list.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobSort {
    /// Most recently changed first.
    #[default]
    Updated,
    /// Newest first.
    Created,
    /// A to Z.
    Title,
}

impl JobSort {
    pub const ALL: [JobSort; 3] = [JobSort::Updated, JobSort::Created, JobSort::Title];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Updated => "updated",
            Self::Created => "created",
            Self::Title => "title",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Updated => "Last changed",
            Self::Created => "Newest",
            Self::Title => "Title A–Z",
        }
    }
}

/// Jobs on one page of the list, and what the filters can offer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JobPage {
    pub jobs: Vec<JobSummary>,
    /// Jobs matching the filters, on every page.
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
    /// Every department and location of the organisation's jobs, for the filters.
    pub departments: Vec<String>,
    pub locations: Vec<String>,
    pub can_manage: bool,
}

/// A published job as the careers page lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PublicJobSummary {
    pub slug: String,
    pub title: String,
    pub department: String,
    pub location: String,
    pub remote: RemotePolicy,
    pub employment: EmploymentType,
    /// When it was (last) published, unix seconds.
    pub published_at: i64,
}

/// A published job as its public page shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PublicJob {
    pub summary: PublicJobSummary,
    /// The salary range when the organisation shows it.
    pub salary: Option<Salary>,
    /// Rendered and cleaned by the server.
    pub description_html: String,
    /// The description as plain text, for the page's meta description.
    pub description_text: String,
}

/// An organisation's careers page: its published jobs, with what the filters can offer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Careers {
    pub org_name: String,
    pub org_slug: String,
    /// The organisation's website, or empty.
    pub website: String,
    /// What the organisation says about itself, or empty.
    pub description: String,
    pub logo: Option<crate::orgs::Logo>,
    pub jobs: Vec<PublicJobSummary>,
    pub departments: Vec<String>,
    pub locations: Vec<String>,
}

/// A published job with its organisation, for its public page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CareersJob {
    pub org_name: String,
    pub org_slug: String,
    pub website: String,
    pub logo: Option<crate::orgs::Logo>,
    pub job: PublicJob,
    /// How long the organisation keeps an applicant's data, in months (the consent names it).
    pub retention_months: u32,
    /// schema.org `JobPosting` as JSON, safe inside a `<script>` element (`<` escaped).
    pub json_ld: String,
}

pub const JOBS_PER_PAGE: u32 = 20;
pub const MAX_TITLE_CHARS: usize = 120;
pub const MAX_SHORT_FIELD_CHARS: usize = 80;
pub const MAX_DESCRIPTION_CHARS: usize = 20_000;
pub const MAX_SKILLS: usize = 40;

fn short_text(field: &str, raw: &str, what: &str, required: bool) -> Result<String, FieldError> {
    let value = raw.trim();
    if value.is_empty() && required {
        return Err(FieldError::new(field, format!("Enter the job's {what}.")));
    }
    if value.chars().any(validation::is_hidden_char) {
        return Err(FieldError::new(
            field,
            format!("The {what} contains invisible or control characters; type it again."),
        ));
    }
    let limit = if field == "title" {
        MAX_TITLE_CHARS
    } else {
        MAX_SHORT_FIELD_CHARS
    };
    let chars = value.chars().count();
    if chars > limit {
        return Err(FieldError::new(
            field,
            format!("Shorten the {what} to {limit} characters (it has {chars})."),
        ));
    }
    Ok(value.to_owned())
}

/// A salary amount: empty, or a whole number ("65000", "65,000", "65 000").
pub fn salary_amount(field: &str, raw: &str) -> Result<Option<i64>, FieldError> {
    let digits: String = raw
        .trim()
        .chars()
        .filter(|c| !matches!(c, ',' | ' ' | '\u{a0}' | '_' | '\''))
        .collect();
    if digits.is_empty() {
        return Ok(None);
    }
    match digits.parse::<i64>() {
        Ok(n) if (0..=100_000_000).contains(&n) => Ok(Some(n)),
        _ => Err(FieldError::new(
            field,
            "Enter a whole yearly amount such as 65000, or leave it empty.",
        )),
    }
}

/// A currency code: three letters, "EUR", "GBP"; upper-cased.
pub fn currency(field: &str, raw: &str) -> Result<String, FieldError> {
    let code = raw.trim().to_uppercase();
    if code.len() == 3 && code.chars().all(|c| c.is_ascii_uppercase()) {
        Ok(code)
    } else {
        Err(FieldError::new(
            field,
            "Enter the currency as its three-letter code, such as EUR or GBP.",
        ))
    }
}

/// The checks of the job form, every problem at once.
#[allow(clippy::too_many_arguments)]
pub fn check_job(
    title: &str,
    department: &str,
    location: &str,
    remote: &str,
    employment: &str,
    salary_min: &str,
    salary_max: &str,
    salary_currency: &str,
    description: &str,
    skills: &[JobSkill],
) -> Vec<FieldError> {
    let mut problems = validation::problems([
        short_text("title", title, "title", true).map(drop),
        short_text("department", department, "department", false).map(drop),
        short_text("location", location, "location", false).map(drop),
    ]);
    let policy = parse_remote(remote);
    if policy.is_none() {
        problems.push(FieldError::new(
            "remote",
            "Choose on-site, hybrid or remote.",
        ));
    }
    if policy != Some(RemotePolicy::Remote) && location.trim().is_empty() && policy.is_some() {
        problems.push(FieldError::new(
            "location",
            "Enter where the job is (a city), or make it remote.",
        ));
    }
    if EmploymentType::parse(employment).is_none() {
        problems.push(FieldError::new(
            "employment",
            "Choose full time, part time, contract, temporary or internship.",
        ));
    }
    let min = salary_amount("salary_min", salary_min);
    let max = salary_amount("salary_max", salary_max);
    if let (Ok(Some(a)), Ok(Some(b))) = (&min, &max) {
        if a > b {
            problems.push(FieldError::new(
                "salary_max",
                "The highest salary is below the lowest; swap them.",
            ));
        }
    }
    let any_amount = matches!(min, Ok(Some(_))) || matches!(max, Ok(Some(_)));
    problems.extend(min.err());
    problems.extend(max.err());
    if any_amount {
        problems.extend(currency("salary_currency", salary_currency).err());
    }
    let chars = description.chars().count();
    if chars > MAX_DESCRIPTION_CHARS {
        problems.push(FieldError::new(
            "description",
            format!(
                "Shorten the description to {MAX_DESCRIPTION_CHARS} characters (it has {chars})."
            ),
        ));
    }
    problems.extend(check_skills(skills).err());
    problems
}

/// The job's skills: at most [`MAX_SKILLS`], each named once, must or nice, level 1–5.
pub fn check_skills(skills: &[JobSkill]) -> Result<(), FieldError> {
    let problem = |m: String| Err(FieldError::new("skills", m));
    if skills.len() > MAX_SKILLS {
        return problem(format!(
            "A job can ask for {MAX_SKILLS} skills at most (this one has {}); keep the ones that decide.",
            skills.len()
        ));
    }
    let mut seen = std::collections::HashSet::new();
    for skill in skills {
        let name = skill.label.trim();
        if name.is_empty() || name.chars().count() > MAX_SHORT_FIELD_CHARS {
            return problem(format!(
                "Each skill needs a name of 1 to {MAX_SHORT_FIELD_CHARS} characters."
            ));
        }
        let hidden = |text: &str| text.chars().any(validation::is_hidden_char);
        if hidden(name) || skill.alternatives.iter().any(|a| hidden(a)) {
            return problem(format!(
                "“{}” contains invisible or control characters; type it again.",
                name.chars().filter(|c| !c.is_control()).collect::<String>()
            ));
        }
        if !seen.insert(name.to_lowercase()) {
            return problem(format!("“{name}” is listed twice; keep one."));
        }
        if skill.required == Requirement::Duty {
            return problem(format!("Make “{name}” a must-have or a nice-to-have."));
        }
        if skill.alternatives.len() > 5
            || skill
                .alternatives
                .iter()
                .any(|a| a.trim().is_empty() || a.chars().count() > MAX_SHORT_FIELD_CHARS)
        {
            return problem(format!(
                "“{name}” may have up to 5 alternatives, each 1 to {MAX_SHORT_FIELD_CHARS} characters."
            ));
        }
        if skill.level.is_some_and(|l| !(1..=5).contains(&l)) {
            return problem(format!("The level of “{name}” must be from 1 to 5."));
        }
    }
    Ok(())
}

/// A job's address in its organisation: the title in lower case, words joined by hyphens
/// ("Senior Rust Engineer (m/f/d)" → "senior-rust-engineer-m-f-d").
pub fn slug_of(title: &str) -> String {
    let mut slug = String::new();
    for c in title.chars().flat_map(char::to_lowercase) {
        let c = match c {
            'ä' | 'á' | 'à' | 'â' | 'ã' | 'å' => 'a',
            'ö' | 'ó' | 'ò' | 'ô' | 'õ' | 'ø' => 'o',
            'ü' | 'ú' | 'ù' | 'û' => 'u',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'í' | 'ì' | 'î' | 'ï' => 'i',
            'ç' | 'č' | 'ć' => 'c',
            'ñ' => 'n',
            'š' => 's',
            'ž' => 'z',
            'ß' => 's',
            c => c,
        };
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug: String = slug.trim_end_matches('-').chars().take(60).collect();
    let slug = slug.trim_end_matches('-');
    match slug {
        "" => "job".to_owned(),
        // `/jobs/new` is the form.
        "new" => "new-job".to_owned(),
        slug => slug.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_job_moves_only_along_its_life() {
        use JobStatus::*;
        assert_eq!(Draft.refuse(Published), None);
        assert_eq!(Published.refuse(Closed), None);
        assert_eq!(Closed.refuse(Published), None, "reopening");
        assert_eq!(Archived.refuse(Draft), None);
        assert_eq!(
            Published.refuse(Draft).as_deref(),
            Some("A published job cannot be moved to draft; it can only close.")
        );
        assert!(Archived.refuse(Published).is_some());
        assert!(Draft.refuse(Closed).is_some());
        for s in JobStatus::ALL {
            assert!(s.refuse(s).is_some(), "{s:?} to itself");
            assert_eq!(JobStatus::parse(s.as_str()), Some(s));
        }
    }

    fn form(title: &str, location: &str, remote: &str, min: &str, max: &str) -> Vec<String> {
        check_job(
            title,
            "",
            location,
            remote,
            "full_time",
            min,
            max,
            "eur",
            "",
            &[],
        )
        .into_iter()
        .map(|e| format!("{}: {}", e.field, e.message))
        .collect()
    }

    #[test]
    fn the_job_form_says_what_to_fix() {
        assert!(form("Nurse", "Leeds", "onsite", "", "").is_empty());
        assert!(form("Nurse", "", "remote", "30 000", "40,000").is_empty());
        assert_eq!(
            form("  ", "", "hybrid", "50000", "40000"),
            [
                "title: Enter the job's title.",
                "location: Enter where the job is (a city), or make it remote.",
                "salary_max: The highest salary is below the lowest; swap them.",
            ]
        );
        assert_eq!(
            form("Nurse", "Leeds", "moon", "lots", ""),
            [
                "remote: Choose on-site, hybrid or remote.",
                "salary_min: Enter a whole yearly amount such as 65000, or leave it empty.",
            ]
        );
        let long = "x".repeat(MAX_TITLE_CHARS + 1);
        assert_eq!(
            form(&long, "Leeds", "onsite", "", ""),
            ["title: Shorten the title to 120 characters (it has 121)."]
        );
        let problems = check_job(
            "Nurse",
            "",
            "Leeds",
            "onsite",
            "full_time",
            "30000",
            "",
            "euro",
            "",
            &[],
        );
        assert_eq!(problems[0].field, "salary_currency");
    }

    #[test]
    fn skills_are_named_once_with_a_level_from_one_to_five() {
        let skill = |label: &str, level| JobSkill {
            label: label.to_owned(),
            required: Requirement::Must,
            level,
            alternatives: Vec::new(),
        };
        assert!(check_skills(&[skill("Rust", Some(4)), skill("SQL", None)]).is_ok());
        assert!(check_skills(&[skill("Rust", None), skill("rust ", None)]).is_err());
        assert!(check_skills(&[skill("Rust", Some(6))]).is_err());
        assert!(check_skills(&[skill(" ", None)]).is_err());
        // Alternatives are stored one per line: a line break inside one would make more.
        let mut cloud = skill("AWS", None);
        cloud.alternatives = vec!["GCP\nAzure".to_owned()];
        assert!(check_skills(&[cloud]).is_err());
        assert!(check_skills(&[skill("Rust\u{202e}", None)]).is_err());
    }

    #[test]
    fn slugs_and_salaries_read_plainly() {
        assert_eq!(
            slug_of("Senior Rust Engineer (m/f/d)"),
            "senior-rust-engineer-m-f-d"
        );
        assert_eq!(slug_of("Buchhalter:in München"), "buchhalter-in-munchen");
        assert_eq!(slug_of("!!!"), "job");
        assert_eq!(slug_of("New"), "new-job");
        let salary = Salary {
            min: Some(60_000),
            max: Some(75_000),
            currency: "EUR".into(),
            public: true,
        };
        assert_eq!(
            salary.describe().as_deref(),
            Some("EUR 60,000 – 75,000 a year")
        );
    }
}
