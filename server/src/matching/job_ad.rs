//! The structure of a job ad: which part of the text asks for something, which part only would
//! like it, and which part is about the company, its benefits or how to apply, where a skill's
//! name is never a requirement ("a learning budget" is not Budgeting).
//!
//! Sections are recognised by their headings (English, German, French and Spanish): a short line
//! of its own (Markdown `#`, `**bold**` and a trailing colon allowed), or a heading followed by a
//! colon and the section's first item on the same line ("Nice to have: Kafka, Terraform"). A line
//! can change its section's answer by its own words: "Kubernetes is a plus" under the
//! requirements is a nice-to-have; "you must hold a licence" under the responsibilities a must.

use regex::Regex;
use shared::matching::{RemotePolicy, Requirement, Seniority};
use std::{ops::Range, sync::LazyLock};

/// What a part of a job ad is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Section {
    /// The first line: what the job is ("Senior Rust Engineer").
    Title,
    /// Before the first heading.
    Opening,
    Responsibilities,
    Requirements,
    NiceToHave,
    Benefits,
    AboutUs,
    HowToApply,
    /// Equal-opportunity, data-protection and similar statements.
    Legal,
}

/// Headings, compared with a line folded by [`fold`]: a heading matches when the folded line
/// starts with one of these and has at most a few more words.
const HEADINGS: &[(Section, &[&str])] = &[
    (
        Section::NiceToHave,
        &[
            "nice to have",
            "nice-to-have",
            "nice to haves",
            "good to have",
            "desirable",
            "bonus points",
            "bonus",
            "preferred qualifications",
            "preferred skills",
            "preferred",
            "it would be great if",
            "it would be an advantage",
            "it would be an advantage to have",
            "would be an advantage",
            "advantageous",
            "would be a plus",
            "pluses",
            "extra credit",
            "ideally",
            // de, fr, es
            "wünschenswert",
            "von vorteil",
            "idealerweise",
            "atouts",
            "un plus",
            "serait un plus",
            "souhaité",
            "deseable",
            "valorable",
            "se valorará",
        ],
    ),
    (
        Section::Requirements,
        &[
            "requirements",
            "requirement",
            "required skills",
            "required qualifications",
            "qualifications",
            "what you bring",
            "what you'll bring",
            "what you will bring",
            "what we're looking for",
            "what we are looking for",
            "what you need",
            "what you'll need",
            "what you will need",
            "who you are",
            "we are looking for someone who has",
            "we are looking for someone with",
            "we are looking for",
            "about you",
            "your profile",
            "your skills",
            "skills and experience",
            "skills & experience",
            "experience and skills",
            "essential",
            "essential skills",
            "must have",
            "must-have",
            "must haves",
            "you have",
            "you should have",
            "minimum qualifications",
            "basic qualifications",
            "the ideal candidate",
            "person specification",
            "competencies",
            // de
            "anforderungen",
            "dein profil",
            "ihr profil",
            "was du mitbringst",
            "was sie mitbringen",
            "qualifikationen",
            // fr
            "profil recherché",
            "votre profil",
            "compétences requises",
            "exigences",
            "prérequis",
            // es
            "requisitos",
            "perfil",
            "lo que buscamos",
            "qué buscamos",
        ],
    ),
    (
        Section::Responsibilities,
        &[
            "responsibilities",
            "key responsibilities",
            "your responsibilities",
            "what you'll do",
            "what you will do",
            "what you'll be doing",
            "what you will be doing",
            "the role",
            "your role",
            "about the role",
            "role description",
            "job description",
            "duties",
            "main duties",
            "key duties",
            "your tasks",
            "tasks",
            "day to day",
            "day-to-day",
            "in this role",
            "your mission",
            // de
            "aufgaben",
            "deine aufgaben",
            "ihre aufgaben",
            "dein job",
            // fr
            "missions",
            "vos missions",
            "responsabilités",
            "le poste",
            // es
            "responsabilidades",
            "funciones",
            "tus tareas",
            "tus funciones",
        ],
    ),
    (
        Section::Benefits,
        &[
            "benefits",
            "what we offer",
            "we offer",
            "what's in it for you",
            "what is in it for you",
            "perks",
            "perks and benefits",
            "why join us",
            "why join",
            "why us",
            "why work with us",
            "compensation",
            "salary and benefits",
            "our offer",
            // de
            "wir bieten",
            "was wir bieten",
            "unser angebot",
            "deine vorteile",
            "ihre vorteile",
            // fr
            "avantages",
            "ce que nous offrons",
            "ce que nous proposons",
            // es
            "beneficios",
            "ofrecemos",
            "qué ofrecemos",
            "lo que ofrecemos",
        ],
    ),
    (
        Section::AboutUs,
        &[
            "about us",
            "about the company",
            "about the team",
            "who we are",
            "our company",
            "the company",
            "company description",
            "our story",
            "our mission",
            "the team",
            "about",
            // de, fr, es
            "über uns",
            "wer wir sind",
            "à propos",
            "qui sommes-nous",
            "qui sommes nous",
            "sobre nosotros",
            "quiénes somos",
        ],
    ),
    (
        Section::HowToApply,
        &[
            "how to apply",
            "to apply",
            "application process",
            "our hiring process",
            "hiring process",
            "interview process",
            "next steps",
            "apply now",
            // de, fr, es
            "bewerbung",
            "so bewirbst du dich",
            "candidature",
            "comment postuler",
            "postuler",
            "cómo aplicar",
            "cómo postular",
        ],
    ),
    (
        Section::Legal,
        &[
            "equal opportunity",
            "equal opportunities",
            "equal employment opportunity",
            "diversity and inclusion",
            "diversity & inclusion",
            "eeo statement",
            "data protection",
            "privacy notice",
            "privacy",
            // de, fr, es
            "datenschutz",
            "chancengleichheit",
            "protection des données",
            "igualdad de oportunidades",
            "protección de datos",
        ],
    ),
];

/// Words in a line that make what it names optional, whatever its section.
const NICE_WORDS: &[&str] = &[
    "a plus",
    "is a plus",
    "are a plus",
    "plus point",
    "nice to have",
    "nice-to-have",
    "ideally",
    "preferred",
    "preferably",
    "desirable",
    "an advantage",
    "advantageous",
    "beneficial",
    "bonus",
    "good to have",
    "would be great",
    "not required",
    "not essential",
    "optional",
    "familiarity with",
    // de, fr, es
    "von vorteil",
    "wünschenswert",
    "idealerweise",
    "un plus",
    "un atout",
    "souhaité",
    "souhaitée",
    "idéalement",
    "deseable",
    "valorable",
    "se valorará",
    "idealmente",
];

/// Words in a line that make what it names required, whatever its section.
const MUST_WORDS: &[&str] = &[
    "required",
    "must",
    "essential",
    "mandatory",
    "at least",
    "minimum of",
    "you will need",
    "you'll need",
    "you need",
    // de, fr, es
    "erforderlich",
    "zwingend",
    "voraussetzung",
    "obligatoire",
    "requis",
    "exigé",
    "imprescindible",
    "obligatorio",
    "requerido",
];

/// A job ad's text, divided into sections.
#[derive(Debug)]
pub struct JobAd<'a> {
    text: &'a str,
    /// In text order, covering the whole text.
    sections: Vec<(Range<usize>, Section)>,
}

impl<'a> JobAd<'a> {
    /// The ad's text.
    pub fn text(&self) -> &'a str {
        self.text
    }

    pub fn read(text: &'a str) -> Self {
        let mut sections: Vec<(Range<usize>, Section)> = Vec::new();
        let mut current = (0, Section::Opening);
        let mut offset = 0;
        for line in text.split_inclusive('\n') {
            if let Some(section) = heading(line) {
                if offset > current.0 || current.1 != Section::Opening {
                    sections.push((current.0..offset, current.1));
                }
                current = (offset, section);
            }
            offset += line.len();
        }
        sections.push((current.0..text.len(), current.1));
        // The first line of an ad that does not start with a heading is its title.
        if let Some((range, Section::Opening)) = sections.first().cloned() {
            let skipped = text.len() - text.trim_start().len();
            let title_end = text[skipped..]
                .find('\n')
                .map_or(text.len(), |i| skipped + i);
            if title_end < range.end && text[skipped..title_end].split_whitespace().count() <= 12 {
                sections[0].0.start = title_end;
                sections.insert(0, (range.start..title_end, Section::Title));
            }
        }
        Self { text, sections }
    }

    /// The section holding byte `at`.
    pub fn section_at(&self, at: usize) -> Section {
        self.sections
            .iter()
            .find(|(range, _)| range.contains(&at))
            .or(self.sections.last())
            .map_or(Section::Opening, |(_, section)| *section)
    }

    /// Whether the ad names any section that asks for skills (requirements or nice-to-haves).
    pub fn has_requirement_sections(&self) -> bool {
        self.sections
            .iter()
            .any(|(_, s)| matches!(s, Section::Requirements | Section::NiceToHave))
    }

    /// What a skill named at byte `at` is to this job: required, wanted, or (in the benefits,
    /// the company's description, how to apply, legal text) nothing at all.
    pub fn requirement_at(&self, at: usize) -> Option<Requirement> {
        let section = self.section_at(at);
        let by_section = match section {
            Section::Title | Section::Requirements => Some(Requirement::Must),
            Section::NiceToHave => Some(Requirement::Nice),
            // Where an ad has a list of requirements, what it says elsewhere about the work
            // describes it rather than asks for it; an ad without one asks with every line.
            Section::Opening | Section::Responsibilities => {
                Some(if self.has_requirement_sections() {
                    Requirement::Duty
                } else {
                    Requirement::Must
                })
            }
            Section::Benefits | Section::AboutUs | Section::HowToApply | Section::Legal => None,
        }?;
        let clause = self.clause_at(at);
        let folded = fold(clause);
        if contains_phrase(&folded, NICE_WORDS) {
            Some(Requirement::Nice)
        } else if section != Section::NiceToHave && contains_phrase(&folded, MUST_WORDS) {
            Some(Requirement::Must)
        } else {
            Some(by_section)
        }
    }

    /// The level the ad's title (its first line) or its text names: "Senior Rust Engineer",
    /// "Head of Finance", "junior".
    pub fn seniority(&self) -> Option<Seniority> {
        let title = self
            .text
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("");
        // In the text only the plain levels count: "lead" or "manager" there is usually about
        // the work ("lead the migration", "work with product managers").
        seniority_in(title).or_else(|| {
            seniority_in(self.asked_text()).filter(|s| {
                matches!(
                    s,
                    Seniority::Senior | Seniority::Junior | Seniority::Mid | Seniority::Intern
                )
            })
        })
    }

    /// The years of experience the ad asks for ("5+ years", "at least 3 years"), the largest
    /// where it names several, outside the benefits and the company's description.
    pub fn years_asked(&self) -> Option<u32> {
        YEARS_ASKED
            .captures_iter(self.text)
            .filter(|c| {
                c.get(0)
                    .is_some_and(|m| self.requirement_at(m.start()).is_some())
            })
            .filter_map(|c| c.get(1)?.as_str().parse::<u32>().ok())
            .filter(|&y| (1..=30).contains(&y))
            .max()
    }

    /// Remote, hybrid or on-site, when the ad says so.
    pub fn remote_policy(&self) -> Option<RemotePolicy> {
        let folded = fold(self.text);
        let has = |words: &[&str]| contains_phrase(&folded, words);
        if has(&["hybrid", "hybride", "híbrido"]) {
            Some(RemotePolicy::Hybrid)
        } else if has(&[
            "fully remote",
            "remote-first",
            "remote first",
            "100% remote",
            "work from anywhere",
            "remote role",
            "remote position",
            "this is a remote",
        ]) {
            Some(RemotePolicy::Remote)
        } else if has(&[
            "on-site",
            "onsite",
            "on site",
            "in the office",
            "in office",
            "vor ort",
            "sur site",
            "presencial",
        ]) {
            Some(RemotePolicy::Onsite)
        } else {
            None
        }
    }

    /// Where the job is: a "Location:" line, or the place after the title's last comma
    /// ("Senior Rust Engineer, Hamburg").
    pub fn location(&self) -> Option<String> {
        let labelled = LOCATION_LINE
            .captures(self.text)
            .and_then(|c| c.get(1))
            .map(|m| m.as_str());
        let titled = || {
            let title = self.text.lines().find(|l| !l.trim().is_empty())?;
            // "(fully remote, EU time zones)" is not a place.
            let title = PARENTHESISED.replace_all(title, "");
            let (_, place) = title.rsplit_once(',')?;
            let place = place
                .trim()
                .trim_matches(|c: char| !c.is_alphanumeric() && c != ')');
            (!place.is_empty()
                && place.split_whitespace().count() <= 3
                && seniority_in(place).is_none())
            .then(|| place.to_owned())
        };
        labelled
            .map(str::to_owned)
            .or_else(titled)
            .map(|place| place.trim().trim_end_matches('.').to_owned())
            .filter(|place| !place.is_empty())
    }

    /// The parts of the text that can ask for something (all of it when it has no headings).
    fn asked_text(&self) -> &'a str {
        let asked = self.sections.iter().find(|(_, s)| {
            matches!(
                s,
                Section::Requirements | Section::Responsibilities | Section::NiceToHave
            )
        });
        asked.map_or(self.text, |(range, _)| &self.text[range.clone()])
    }

    /// The sentence (or list item) around byte `at`.
    fn clause_at(&self, at: usize) -> &'a str {
        let text = self.text;
        let at = floor_char_boundary(text, at.min(text.len()));
        let ends = |c: char| matches!(c, '\n' | '.' | '!' | '?' | ';' | '•');
        let start = text[..at]
            .char_indices()
            .rev()
            .find(|&(i, c)| ends(c) && !inside_word(text, i, c))
            .map_or(0, |(i, c)| i + c.len_utf8());
        let end = text[at..]
            .char_indices()
            .find(|&(i, c)| ends(c) && !inside_word(text, at + i, c))
            .map_or(text.len(), |(i, _)| at + i);
        &text[start..end]
    }
}

static YEARS_ASKED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:at least |minimum of |min\. |mindestens |au moins |al menos )?(\d{1,2})\s*\+?\s*(?:years?|yrs|jahre|ans|años)\b")
        .expect("valid regex")
});

static PARENTHESISED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\([^)]*\)?").expect("valid regex"));

static LOCATION_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?im)^[\s*#_-]*(?:location|based in|office|standort|arbeitsort|lieu|ubicación)\s*[:\-–]\s*\**\s*([^\n(;|]{2,60})")
        .expect("valid regex")
});

/// The level a piece of text names.
fn seniority_in(text: &str) -> Option<Seniority> {
    let folded = fold(text);
    let has = |words: &[&str]| contains_phrase(&folded, words);
    if has(&[
        "principal",
        "distinguished",
        "staff engineer",
        "director",
        "head of",
        "vp",
        "vice president",
    ]) {
        Some(Seniority::Principal)
    } else if has(&[
        "lead",
        "team lead",
        "tech lead",
        "leitung",
        "teamleiter",
        "teamleiterin",
        "manager",
        "chef d'équipe",
        "jefe",
    ]) {
        Some(Seniority::Lead)
    } else if has(&[
        "senior",
        "sr",
        "experienced",
        "erfahrene",
        "erfahrener",
        "confirmé",
        "confirmée",
    ]) {
        Some(Seniority::Senior)
    } else if has(&[
        "junior",
        "jr",
        "entry level",
        "entry-level",
        "graduate",
        "débutant",
        "berufseinsteiger",
    ]) {
        Some(Seniority::Junior)
    } else if has(&[
        "intern",
        "internship",
        "praktikum",
        "praktikant",
        "stage",
        "stagiaire",
        "prácticas",
        "trainee",
    ]) {
        Some(Seniority::Intern)
    } else if has(&["mid-level", "mid level", "intermediate"]) {
        Some(Seniority::Mid)
    } else {
        None
    }
}

/// A full stop inside a word ("Node.js", "e.g.") does not end a sentence.
fn inside_word(text: &str, i: usize, c: char) -> bool {
    c == '.' && text[i + 1..].starts_with(|n: char| n.is_alphanumeric())
}

fn floor_char_boundary(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// The section a line starts, if it is a heading.
fn heading(line: &str) -> Option<Section> {
    let trimmed = line.trim();
    if trimmed.is_empty() || trimmed.len() > 80 {
        return None;
    }
    // "Requirements: Rust, PostgreSQL" starts a section too; a long sentence that happens to
    // begin with a heading's words does not.
    let (head, rest) = match trimmed.split_once(':') {
        Some((head, rest)) => (head, Some(rest)),
        None => (trimmed, None),
    };
    let folded = fold(head);
    if folded.is_empty() {
        return None;
    }
    let words = folded.split(' ').count();
    // Without a colon or Markdown marks a heading is a short line that is not a sentence.
    let marked = rest.is_some() || trimmed.starts_with('#') || trimmed.starts_with("**");
    if !marked && (words > 8 || trimmed.ends_with('.')) {
        return None;
    }
    HEADINGS.iter().find_map(|(section, names)| {
        names
            .iter()
            .any(|name| {
                folded == *name
                    || (folded.starts_with(name)
                        && folded[name.len()..].starts_with(' ')
                        && words <= name.split(' ').count() + 3)
            })
            .then_some(*section)
    })
}

/// How two skill mentions on one line are joined.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Join {
    /// "X or Y", "X/Y", "X, or Y", "X or another Y".
    Or,
    /// "X, Y".
    Comma,
    /// "X and Y".
    And,
    /// "X such as Y", "X (Y", "X, e.g. Y": the mentions after it are examples of X.
    Examples,
    Other,
}

const OR_WORDS: &[&str] = &[
    "or",
    "or another",
    "or other",
    "or a",
    "or an",
    "or any other",
    "oder",
    "ou",
    "o",
];
const AND_WORDS: &[&str] = &["and", "und", "et", "y", "&", "as well as"];
/// Phrases that introduce examples: "such as", "e.g.".
const EXAMPLE_WORDS: &[&str] = &[
    "such as",
    "e.g",
    "e.g.",
    "eg",
    "e. g.",
    "for example",
    "for instance",
    "like",
    "including",
    "z.b",
    "z.b.",
    "z. b.",
    "wie",
    "wie z.b.",
    "comme",
    "par exemple",
    "como",
    "por ejemplo",
    "tales como",
];

/// Whether `folded` ends with a phrase that introduces examples, with at most `extra` words
/// before it ("system such as").
fn introduces_examples(folded: &str, extra: usize) -> bool {
    EXAMPLE_WORDS.iter().any(|intro| {
        folded.strip_suffix(intro).is_some_and(|rest| {
            rest.is_empty() || rest.ends_with(' ') && rest.split_whitespace().count() <= extra
        })
    })
}

fn join_of(gap: &str) -> Join {
    if gap.contains('\n') || gap.len() > 60 {
        return Join::Other;
    }
    let raw = gap.trim();
    let folded = fold(gap);
    if introduces_examples(&folded, 2) {
        return Join::Examples;
    }
    // A bracket closing between two names ends the options before it ("UK GAAP (FRS 102), and
    // the budget").
    if raw.contains(')') {
        return Join::Other;
    }
    if raw == "/" || OR_WORDS.contains(&folded.as_str()) {
        Join::Or
    } else if raw == "," {
        Join::Comma
    } else if AND_WORDS.contains(&folded.as_str()) {
        Join::And
    } else if raw.ends_with('(') && folded.is_empty() {
        Join::Examples
    } else {
        Join::Other
    }
}

/// Which skill mentions of a job ad (`spans`, in text order) are options of one requirement, as
/// pairs of indices into `spans`: "AWS or GCP", "AWS/GCP", "ACA, ACCA or CIMA" (a comma list
/// counts when it ends in "or"), a skill and its examples ("an ERP such as SAP or Sage",
/// "Advanced Excel (Power Query, pivot tables)"), and examples without a skill before them ("a
/// cloud platform such as AWS, GCP and Azure").
pub fn option_links(text: &str, spans: &[[usize; 2]]) -> Vec<(usize, usize)> {
    let n = spans.len();
    let joins: Vec<Join> = spans
        .windows(2)
        .map(|w| {
            if w[1][0] < w[0][1] {
                Join::Other
            } else {
                join_of(&text[w[0][1]..w[1][0]])
            }
        })
        .collect();
    // Examples with no skill before them: the text since the line's start ends in "such as".
    let starts_examples = |i: usize| {
        let line_start = text[..spans[i][0]].rfind('\n').map_or(0, |p| p + 1);
        let from = if i > 0 && spans[i - 1][1] > line_start {
            spans[i - 1][1]
        } else {
            line_start
        };
        from <= spans[i][0] && introduces_examples(&fold(&text[from..spans[i][0]]), usize::MAX)
    };
    let mut links = Vec::new();
    let mut i = 0;
    while i + 1 < n {
        let after_head = joins[i] == Join::Examples;
        if after_head || starts_examples(i) && (i == 0 || joins[i - 1] != Join::Examples) {
            // Link every example of the run to its head (the skill before "such as", or the
            // first example).
            let mut j = i + 1;
            links.push((i, j));
            while j + 1 < n && matches!(joins[j], Join::Comma | Join::Or | Join::And) {
                j += 1;
                links.push((i, j));
            }
            i = j;
            continue;
        }
        if matches!(joins[i], Join::Or | Join::Comma) {
            let mut j = i;
            let mut has_or = false;
            while j + 1 < n && matches!(joins[j], Join::Or | Join::Comma) {
                has_or |= joins[j] == Join::Or;
                j += 1;
            }
            if has_or {
                links.extend((i + 1..=j).map(|k| (i, k)));
            }
            i = j.max(i + 1);
            continue;
        }
        i += 1;
    }
    links
}

/// Lower case, Markdown marks and punctuation around words dropped, spaces collapsed: "**What
/// you'll bring:**" → "what you'll bring".
pub(crate) fn fold(text: &str) -> String {
    let lowered = text.to_lowercase().replace(['’', '‘'], "'");
    lowered
        .split(|c: char| c.is_whitespace())
        .map(|word| {
            word.trim_matches(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '-' || c == '&'))
        })
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether `folded` holds one of `phrases` as whole words.
pub(crate) fn contains_phrase(folded: &str, phrases: &[&str]) -> bool {
    let padded = format!(" {folded} ");
    phrases.iter().any(|p| padded.contains(&format!(" {p} ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(text: &str, names: &[&str]) -> Vec<(usize, usize)> {
        let mut spans: Vec<[usize; 2]> = names
            .iter()
            .map(|n| {
                let at = text.find(n).expect("the name is in the text");
                [at, at + n.len()]
            })
            .collect();
        spans.sort_unstable();
        option_links(text, &spans)
    }

    #[test]
    fn alternatives_are_one_requirement() {
        assert_eq!(options("- AWS or GCP", &["AWS", "GCP"]), [(0, 1)]);
        assert_eq!(options("- AWS/GCP", &["AWS", "GCP"]), [(0, 1)]);
        assert_eq!(
            options("- ACA, ACCA or CIMA qualified", &["ACA", "ACCA", "CIMA"]).len(),
            2
        );
        assert_eq!(
            options(
                "- Experience with an ERP such as SAP or Sage.",
                &["ERP", "SAP", "Sage"]
            ),
            [(0, 1), (0, 2)]
        );
        assert_eq!(
            options(
                "- Advanced Excel (Power Query, pivot tables).",
                &["Advanced Excel", "Power Query", "pivot tables"]
            ),
            [(0, 1), (0, 2)]
        );
        assert_eq!(
            options(
                "- A cloud platform such as AWS, GCP and Azure.",
                &["AWS", "GCP", "Azure"]
            ),
            [(0, 1), (0, 2)]
        );
        assert_eq!(
            options(
                "- Kafka or another message broker.",
                &["Kafka", "message broker"]
            ),
            [(0, 1)]
        );
        // Lists and "and" are several requirements; so are options on different lines.
        assert!(options(
            "- Kubernetes, Docker and Terraform",
            &["Kubernetes", "Docker", "Terraform"]
        )
        .is_empty());
        assert!(options("- Dutch and English", &["Dutch", "English"]).is_empty());
        assert!(options("- Rust\n- or Go", &["Rust", "Go"]).is_empty());
        assert!(options(
            "- Rust, with experience of running it in production or Go",
            &["Rust", "Go"]
        )
        .is_empty());
    }

    fn requirement_of(ad: &str, word: &str) -> Option<Requirement> {
        let at = ad.find(word).expect("the word is in the ad");
        JobAd::read(ad).requirement_at(at)
    }

    const AD: &str = "\
# Senior Rust Engineer

Cargo Route GmbH moves freight across Europe with software written in Rust.

## What you'll do
- Build services in Rust and run them on Kubernetes.
- Mentor two engineers.

## What you bring
- 5+ years of Rust.
- PostgreSQL in production.
- Kafka is a plus.

**Nice to have:**
- Terraform
- Experience with Go (required for the platform team).

## What we offer
- A learning budget of 2,000 EUR a year.
- Remote work within Germany.

About us: we are 40 people in Hamburg using Python for data science.

How to apply: send your CV in English.
";

    #[test]
    fn requirements_are_musts_and_nice_to_haves_are_not() {
        assert_eq!(requirement_of(AD, "5+ years"), Some(Requirement::Must));
        assert_eq!(requirement_of(AD, "PostgreSQL"), Some(Requirement::Must));
        assert_eq!(requirement_of(AD, "Terraform"), Some(Requirement::Nice));
    }

    #[test]
    fn a_line_can_overrule_its_section() {
        assert_eq!(requirement_of(AD, "Kafka"), Some(Requirement::Nice));
        // Under "nice to have", "required" for another team does not make it a must.
        assert_eq!(requirement_of(AD, "Go (required"), Some(Requirement::Nice));
    }

    #[test]
    fn benefits_company_and_application_text_ask_for_nothing() {
        assert_eq!(requirement_of(AD, "learning budget"), None);
        assert_eq!(requirement_of(AD, "Python"), None);
        assert_eq!(requirement_of(AD, "in English"), None);
    }

    #[test]
    fn the_work_described_is_a_duty_when_the_ad_lists_its_requirements() {
        assert_eq!(requirement_of(AD, "Kubernetes"), Some(Requirement::Duty));
        assert_eq!(requirement_of(AD, "Cargo Route"), Some(Requirement::Duty));
    }

    #[test]
    fn what_the_title_names_is_required() {
        assert_eq!(requirement_of(AD, "Rust Engineer"), Some(Requirement::Must));
        // A one-paragraph ad has no title line to single out.
        let ad = "We are hiring a bookkeeper who knows Xero; Sage is desirable.";
        assert_eq!(requirement_of(ad, "Xero"), Some(Requirement::Must));
        assert_eq!(requirement_of(ad, "Sage"), Some(Requirement::Nice));
    }

    #[test]
    fn an_ad_without_headings_asks_with_every_line_but_its_optional_words() {
        let ad = "We need a nurse with triage experience and a valid BLS certificate. \
                  Experience in an emergency department is desirable.";
        assert_eq!(requirement_of(ad, "triage"), Some(Requirement::Must));
        assert_eq!(requirement_of(ad, "emergency"), Some(Requirement::Nice));
    }

    #[test]
    fn headings_in_german_french_and_spanish() {
        let ad = "Deine Aufgaben\nBuchhaltung mit SAP\n\nDein Profil\nHGB-Kenntnisse\n\nWir bieten\nJobrad\n";
        assert_eq!(requirement_of(ad, "SAP"), Some(Requirement::Duty));
        assert_eq!(requirement_of(ad, "HGB"), Some(Requirement::Must));
        assert_eq!(requirement_of(ad, "Jobrad"), None);
        let ad = "Profil recherché :\nExcel avancé\nAtouts :\nSage\n";
        assert_eq!(requirement_of(ad, "Excel"), Some(Requirement::Must));
        assert_eq!(requirement_of(ad, "Sage"), Some(Requirement::Nice));
        let ad = "Requisitos\nContabilidad\nSe valorará\nInglés\nOfrecemos\nFormación en Excel\n";
        assert_eq!(requirement_of(ad, "Contabilidad"), Some(Requirement::Must));
        assert_eq!(requirement_of(ad, "Inglés"), Some(Requirement::Nice));
        assert_eq!(requirement_of(ad, "Excel"), None);
    }

    #[test]
    fn a_sentence_that_starts_like_a_heading_is_not_one() {
        let ad =
            "Requirements\nRust.\nAbout the role we can talk later, but you must know SQL well.\n";
        assert_eq!(requirement_of(ad, "SQL"), Some(Requirement::Must));
        let ad = "Backend Engineer\nBenefits of working here include Rust every day.\nRequirements\nRust\n";
        // A long line is not a heading, so the opening text stays a description of the work.
        assert_eq!(requirement_of(ad, "every day"), Some(Requirement::Duty));
    }

    #[test]
    fn seniority_years_place_and_remote_from_the_text() {
        let ad = JobAd::read(AD);
        assert_eq!(ad.seniority(), Some(Seniority::Senior));
        assert_eq!(ad.years_asked(), Some(5));
        assert_eq!(ad.remote_policy(), None);
        let ad = JobAd::read(
            "Emergency Department Nurse, Manchester\n\nRequirements\n- At least 3 years in acute care\n\
             - Hybrid rota not possible: on-site only\n\nBenefits\n- 25 years of history\n",
        );
        assert_eq!(ad.location().as_deref(), Some("Manchester"));
        assert_eq!(
            ad.years_asked(),
            Some(3),
            "the benefits' 25 years are not asked for"
        );
        assert_eq!(ad.seniority(), None);
        let ad = JobAd::read("Head of Finance\nLocation: Leeds (hybrid, 3 days in the office)\n");
        assert_eq!(ad.seniority(), Some(Seniority::Principal));
        assert_eq!(ad.location().as_deref(), Some("Leeds"));
        assert_eq!(ad.remote_policy(), Some(RemotePolicy::Hybrid));
        let ad = JobAd::read("Backend Engineer (fully remote, EU time zones)\nWe use Go.\n");
        assert_eq!(ad.remote_policy(), Some(RemotePolicy::Remote));
        assert_eq!(ad.location(), None);
    }

    #[test]
    fn full_stops_inside_words_do_not_end_the_clause() {
        let ad = "Requirements\n- Node.js and TypeScript are a plus.\n- React.\n";
        assert_eq!(requirement_of(ad, "Node.js"), Some(Requirement::Nice));
        assert_eq!(requirement_of(ad, "React"), Some(Requirement::Must));
    }
}
