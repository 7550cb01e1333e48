//! Finding catalog skills in a CV or a job text, with the byte spans that prove each one.
//!
//! Names are matched on word boundaries, case-insensitively and across punctuation variants
//! ("front-end" = "front end", "Node.js", "C++", "CI/CD"), longest name first. Names that are also
//! everyday words or single letters ("Go", "R", "Excel") count only with their exact
//! capitalisation and with context: an unambiguous skill of the same area on the same line, or a
//! word such as "programming" or "skills" close by.

use super::catalog::Catalog;
use super::layout::Layout;
use super::semantic::{self, Phrase, SemanticHit};
use regex::Regex;
use shared::matching::{ExtractedSkill, SkillLevel, Span};
use std::{
    collections::{BTreeMap, HashMap},
    sync::{Arc, LazyLock},
};

/// A word of the text (or a joining symbol such as the `.` of "Node.js").
#[derive(Debug)]
struct Token<'a> {
    text: &'a str,
    lower: String,
    start: usize,
    end: usize,
    /// Punctuation other than spaces, hyphens or apostrophes comes before it: a name of several
    /// words cannot run across it.
    break_before: bool,
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric()
}

fn tokenize(text: &str) -> Vec<Token<'_>> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let byte_at = |i: usize| chars.get(i).map_or(text.len(), |&(b, _)| b);
    let mut tokens = Vec::new();
    let mut broken = true;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i].1;
        let next_is_word = chars.get(i + 1).is_some_and(|&(_, n)| is_word(n));
        let prev_is_word = i > 0 && is_word(chars[i - 1].1);
        if is_word(c) {
            let start = i;
            while i < chars.len() && is_word(chars[i].1) {
                i += 1;
            }
            // "C++", "C#", "F#": the symbols belong to the name.
            while i < chars.len() && matches!(chars[i].1, '+' | '#') {
                i += 1;
            }
            let (s, e) = (byte_at(start), byte_at(i));
            tokens.push(Token {
                text: &text[s..e],
                lower: text[s..e].to_lowercase(),
                start: s,
                end: e,
                break_before: broken,
            });
            broken = false;
            continue;
        }
        if next_is_word && (c == '.' || (prev_is_word && matches!(c, '/' | '&'))) {
            // ".NET", "Node.js", "CI/CD", "P&L".
            let (s, e) = (byte_at(i), byte_at(i + 1));
            tokens.push(Token {
                text: &text[s..e],
                lower: text[s..e].to_owned(),
                start: s,
                end: e,
                break_before: broken && !prev_is_word,
            });
            broken = false;
        } else if !(c.is_whitespace() && c != '\n' || matches!(c, '-' | '\'' | '’' | '–')) {
            broken = true;
        }
        i += 1;
    }
    tokens
}

/// One name of one skill, as a token sequence.
struct Pattern {
    skill: usize,
    words: Vec<String>,
    exact_case: bool,
    ambiguous: bool,
    /// Short or single-word names are less certain than long ones.
    short: bool,
}

/// Words that make an ambiguous name ("Go", "Excel") a skill when they are close by.
const CUES: &[&str] = &[
    "programming",
    "language",
    "languages",
    "developer",
    "developers",
    "development",
    "engineer",
    "engineering",
    "framework",
    "frameworks",
    "library",
    "libraries",
    "stack",
    "code",
    "coding",
    "sdk",
    "api",
    "apis",
    "tools",
    "tooling",
    "software",
    "platform",
    "scripting",
    "tech",
    "technologies",
    "technology",
    "skills",
    "proficient",
    "proficiency",
    "certified",
    "using",
    "spreadsheets",
    "crm",
    "ats",
    "erp",
];
const CUE_WINDOW: usize = 5;
/// How and when someone works: never a skill on its own.
const WORK_ARRANGEMENTS: &[&str] = &[
    "remote",
    "remotely",
    "hybrid",
    "on-site",
    "onsite",
    "full time",
    "full-time",
    "part time",
    "part-time",
    "freelance",
    "permanent",
    "temporary",
    "contract",
    "shifts",
    "rotating shifts",
];
/// How much closer than [`semantic::THRESHOLD`] a one-word phrase must be to name a skill.
const SINGLE_WORD_MARGIN: f32 = 0.06;
/// Skills that show another: Power Query models are advanced Excel, and so is Excel at an
/// advanced level; advanced Excel is Excel; work on PostgreSQL or MySQL is work in SQL. (From, the level it must be
/// stated at, the skill it shows.)
const IMPLIES: &[(&str, Option<SkillLevel>, &str)] = &[
    ("Power Query", None, "Advanced Excel"),
    ("PostgreSQL", None, "SQL"),
    ("MySQL", None, "SQL"),
    (
        "Microsoft Excel",
        Some(SkillLevel::Advanced),
        "Advanced Excel",
    ),
    ("Advanced Excel", None, "Microsoft Excel"),
];
const CONTEXT_BYTES: usize = 200;

/// A catalog prepared for matching.
pub struct SkillMatcher {
    catalog: Arc<Catalog>,
    by_first_word: HashMap<String, Vec<Pattern>>,
}

struct Hit {
    skill: usize,
    start: usize,
    end: usize,
    first_token: usize,
    ambiguous: bool,
    short: bool,
    /// Found by similarity of a phrase rather than by name.
    similarity: Option<f32>,
}

impl SkillMatcher {
    pub fn new(catalog: Arc<Catalog>) -> Self {
        let mut by_first_word: HashMap<String, Vec<Pattern>> = HashMap::new();
        for (skill, entry) in catalog.skills.iter().enumerate() {
            for name in &entry.names {
                let tokens = tokenize(&name.text);
                let Some(first) = tokens.first() else {
                    continue;
                };
                let acronym = tokens.len() == 1
                    && name.text.chars().count() <= 4
                    && name.text.chars().any(char::is_alphabetic)
                    && !name.text.chars().any(char::is_lowercase);
                let exact_case = name.ambiguous || acronym;
                let words: Vec<String> = tokens
                    .iter()
                    .map(|t| {
                        if exact_case {
                            t.text.to_owned()
                        } else {
                            t.lower.clone()
                        }
                    })
                    .collect();
                by_first_word
                    .entry(first.lower.clone())
                    .or_default()
                    .push(Pattern {
                        skill,
                        short: tokens.len() == 1 && name.text.chars().count() <= 3,
                        words,
                        exact_case,
                        ambiguous: name.ambiguous,
                    });
            }
        }
        // Longest names first, so "Spring Boot" wins over "Spring".
        for patterns in by_first_word.values_mut() {
            patterns.sort_by_key(|p| std::cmp::Reverse(p.words.len()));
        }
        Self {
            catalog,
            by_first_word,
        }
    }

    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// The skills `text` names, in order of first appearance. With `cv_year` (the current year)
    /// the text is read as a CV and each skill gets the level, years and last use it states.
    pub fn extract(&self, text: &str, cv_year: Option<i32>) -> Vec<ExtractedSkill> {
        self.extract_with(text, cv_year, &[])
    }

    /// The name matches that count: ambiguous names only with context.
    fn accepted(&self, text: &str, layout: &Layout) -> Vec<Hit> {
        let tokens = tokenize(text);
        let hits = self.find(&tokens);
        let placed: Vec<bool> = hits
            .iter()
            .map(|hit| !layout.excludes(text, [hit.start, hit.end]))
            .collect();
        let mut keep: Vec<bool> = hits
            .iter()
            .zip(&placed)
            .map(|(hit, &placed)| {
                placed && (!hit.ambiguous || self.has_context(hit, &hits, &tokens, text))
            })
            .collect();
        // A skill the text names clearly once ("Skills: Rust, Kafka, Docker") is the same skill
        // where it appears alone ("Introduced Kafka for billing events").
        for i in 0..hits.len() {
            if !keep[i] && placed[i] {
                keep[i] = hits
                    .iter()
                    .zip(&keep)
                    .any(|(other, &kept)| kept && other.skill == hits[i].skill);
            }
        }
        hits.into_iter()
            .zip(keep)
            .filter_map(|(hit, keep)| keep.then_some(hit))
            .collect()
    }

    /// The phrases of `text` that no catalog name explains, for [`Self::extract_with`]: not in
    /// a link, a contact line or an organisation's name, and not only capitalised words (names
    /// of people, places and employers, not descriptions of work).
    pub fn phrases(&self, text: &str) -> Vec<Phrase> {
        let layout = Layout::read(text);
        let covered: Vec<[usize; 2]> = self
            .accepted(text, &layout)
            .iter()
            .map(|h| [h.start, h.end])
            .collect();
        let mut phrases = semantic::candidate_phrases(text, &covered);
        phrases.retain(|p| {
            let words = &text[p.start..p.end];
            let level_word = LEVEL.find(words).is_some_and(|m| m.as_str() == words);
            let arrangement = WORK_ARRANGEMENTS.contains(&words.to_lowercase().as_str());
            !level_word
                && !arrangement
                && !layout.excludes(text, [p.start, p.end])
                && words
                    .split(|c: char| !c.is_alphanumeric())
                    .any(|w| w.starts_with(char::is_lowercase))
        });
        phrases
    }

    /// [`Self::extract`], plus the skills that phrases of the text name in other words
    /// (`semantic`, from [`semantic::SkillVectors::hits`]). A phrase adds evidence to a skill
    /// already named; a skill found only by similarity gets a lower confidence.
    pub fn extract_with(
        &self,
        text: &str,
        cv_year: Option<i32>,
        semantic: &[SemanticHit],
    ) -> Vec<ExtractedSkill> {
        let mut hits = self.accepted(text, &Layout::read(text));
        // One word says less than a phrase ("remote", "design"): it must be closer.
        // A word that is part of the skill's own name is a partial name, not a meaning: "design"
        // is not UX design, "assess" not student assessment, "budget" not budgeting.
        let semantic = semantic.iter().filter(|s| {
            let phrase = &text[s.start..s.end];
            phrase.contains(char::is_whitespace)
                || (s.similarity >= semantic::THRESHOLD + SINGLE_WORD_MARGIN
                    && !self.shares_a_stem(s.skill, phrase))
        });
        hits.extend(semantic.map(|s| Hit {
            skill: s.skill,
            start: s.start,
            end: s.end,
            first_token: 0,
            ambiguous: false,
            short: false,
            similarity: Some(s.similarity),
        }));
        let mut by_skill: BTreeMap<usize, Vec<&Hit>> = BTreeMap::new();
        for hit in &hits {
            by_skill.entry(hit.skill).or_default().push(hit);
        }
        // A level word inside any skill's name ("Basic life support", "Advanced Excel") says
        // nothing about the person.
        let name_spans: Vec<Span> = hits
            .iter()
            .filter(|h| h.similarity.is_none())
            .map(|h| [h.start, h.end])
            .collect();
        let mut found: Vec<ExtractedSkill> = by_skill
            .into_iter()
            .map(|(skill, mut hits)| {
                let entry = &self.catalog.skills[skill];
                hits.sort_by_key(|h| h.start);
                let spans: Vec<Span> = hits.iter().map(|h| [h.start, h.end]).collect();
                let named: Vec<&&Hit> = hits.iter().filter(|h| h.similarity.is_none()).collect();
                let base = if named.is_empty() {
                    semantic::confidence(
                        hits.iter().filter_map(|h| h.similarity).fold(0.0, f32::max),
                    )
                } else if named.iter().all(|h| h.ambiguous) {
                    0.7
                } else if named.iter().all(|h| h.short) {
                    0.8
                } else {
                    0.9
                };
                let confidence: f64 = (base + 0.03 * (spans.len() - 1) as f64).min(0.99);
                let mut extracted = ExtractedSkill {
                    label: entry.label.clone(),
                    uri: entry.uri.clone(),
                    category: entry.category.clone(),
                    confidence: (confidence * 100.0).round() / 100.0,
                    spans,
                    inferred: named.is_empty(),
                    level: None,
                    years: None,
                    last_used: None,
                };
                if let Some(year) = cv_year {
                    describe_experience(&mut extracted, text, year, &name_spans);
                }
                extracted
            })
            .collect();
        // What a CV shows is evidence of more; what a job ad names is only what it asks for.
        if cv_year.is_some() {
            self.add_implied(&mut found);
        }
        found.sort_by_key(|s| s.spans[0][0]);
        found
    }

    /// Whether `word` and a word of one of the skill's names start alike (four letters or more).
    fn shares_a_stem(&self, skill: usize, word: &str) -> bool {
        let word = word.to_lowercase();
        self.catalog.skills[skill].names.iter().any(|name| {
            name.text.split(|c: char| !c.is_alphanumeric()).any(|part| {
                let part = part.to_lowercase();
                let common = part
                    .chars()
                    .zip(word.chars())
                    .take_while(|(a, b)| a == b)
                    .count();
                common >= 4
                    || (common >= 2 && common == part.chars().count().min(word.chars().count()))
            })
        })
    }

    /// Skills that show another one (see [`IMPLIES`]), with the same evidence.
    fn add_implied(&self, found: &mut Vec<ExtractedSkill>) {
        for &(from, at_least, to) in IMPLIES {
            let Some(source) = found
                .iter()
                .find(|s| s.label == from && at_least.is_none_or(|l| s.level >= Some(l)))
                .cloned()
            else {
                continue;
            };
            // Named too: the source's mentions are more evidence for it.
            if let Some(target) = found.iter_mut().find(|s| s.label == to) {
                target.spans.extend(source.spans);
                target.spans.sort_unstable();
                target.spans.dedup();
                continue;
            }
            let Some(entry) = self.catalog.skills.iter().find(|s| s.label == to) else {
                continue;
            };
            let implied = ExtractedSkill {
                label: entry.label.clone(),
                uri: entry.uri.clone(),
                category: entry.category.clone(),
                ..source
            };
            found.push(implied);
        }
    }

    fn find(&self, tokens: &[Token<'_>]) -> Vec<Hit> {
        let mut hits = Vec::new();
        let mut i = 0;
        while i < tokens.len() {
            let matched = self
                .by_first_word
                .get(&tokens[i].lower)
                .and_then(|patterns| {
                    patterns.iter().find(|p| {
                        let Some(window) = tokens.get(i..i + p.words.len()) else {
                            return false;
                        };
                        window.iter().enumerate().all(|(k, t)| {
                            (k == 0 || !t.break_before)
                                && if p.exact_case {
                                    t.text == p.words[k]
                                } else {
                                    t.lower == p.words[k]
                                }
                        })
                    })
                });
            match matched {
                Some(p) => {
                    let last = &tokens[i + p.words.len() - 1];
                    hits.push(Hit {
                        skill: p.skill,
                        start: tokens[i].start,
                        end: last.end,
                        first_token: i,
                        ambiguous: p.ambiguous,
                        short: p.short,
                        similarity: None,
                    });
                    i += p.words.len();
                }
                None => i += 1,
            }
        }
        hits
    }

    fn has_context(&self, hit: &Hit, hits: &[Hit], tokens: &[Token<'_>], text: &str) -> bool {
        let category = &self.catalog.skills[hit.skill].category;
        let line = line_around(text, hit.start);
        let near = |other: &Hit| {
            other.skill != hit.skill
                && self.catalog.skills[other.skill].category == *category
                && other.start >= line.0
                && other.end <= line.1
                && other.start.abs_diff(hit.start) <= CONTEXT_BYTES
        };
        // An unambiguous skill of the same area nearby. (Two ambiguous ones do not vouch for each
        // other: "Vitamin C … a Swift response".)
        if hits.iter().any(|o| near(o) && !o.ambiguous) {
            return true;
        }
        // A version or edition right after the name: "Sage 200", "Go 1.22".
        if text[hit.end..]
            .strip_prefix(' ')
            .is_some_and(|after| after.trim_start().starts_with(|c: char| c.is_ascii_digit()))
        {
            return true;
        }
        let from = hit.first_token.saturating_sub(CUE_WINDOW);
        let to = (hit.first_token + CUE_WINDOW + 1).min(tokens.len());
        tokens[from..to]
            .iter()
            .any(|t| t.start >= line.0 && t.end <= line.1 && CUES.contains(&t.lower.as_str()))
    }
}

/// The byte range of the line holding `at`.
pub(crate) fn line_around(text: &str, at: usize) -> (usize, usize) {
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    (start, end)
}

/// The clause holding `start..end`: up to the nearest list or sentence separator on each side.
pub(crate) fn clause_around(text: &str, start: usize, end: usize) -> (usize, usize) {
    let separator = |c: char| matches!(c, ',' | ';' | ':' | '|' | '•' | '\n' | '.' | '!' | '?');
    // A full stop inside a word ("Node.js") does not end a clause.
    let ends_clause = |i: usize, c: char| {
        separator(c) && (c != '.' || !text[i + 1..].starts_with(|n: char| n.is_alphanumeric()))
    };
    let from = text[..start]
        .char_indices()
        .rev()
        .find(|&(i, c)| ends_clause(i, c))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let to = text[end..]
        .char_indices()
        .find(|&(i, c)| ends_clause(end + i, c))
        .map_or(text.len(), |(i, _)| end + i);
    (from, to)
}

static YEARS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(\d{1,2})\s*\+?\s*(?:years?|yrs?)\b").expect("valid regex")
});
pub(crate) static LEVEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(expert|native|mother tongue|C2|advanced|proficient|fluent|C1|led|intermediate|working knowledge|conversational|B2|B1|basic|beginner|elementary|familiar|A2|A1)\b",
    )
    .expect("valid regex")
});
static YEAR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(19[5-9]\d|20\d\d)\b").expect("valid regex"));
static ONGOING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(present|current|currently|now|today|ongoing)\b").expect("valid regex")
});
/// Lines above a mention searched for the dates of the role it belongs to.
const ROLE_LINES: usize = 4;

fn level_of(word: &str) -> SkillLevel {
    match word.to_lowercase().as_str() {
        "expert" | "native" | "mother tongue" | "c2" => SkillLevel::Expert,
        "advanced" | "proficient" | "fluent" | "c1" | "led" => SkillLevel::Advanced,
        "intermediate" | "working knowledge" | "conversational" | "b2" | "b1" => {
            SkillLevel::Intermediate
        }
        _ => SkillLevel::Basic,
    }
}

/// Fills in level, years and last use from the lines that mention the skill.
fn describe_experience(skill: &mut ExtractedSkill, text: &str, current_year: i32, names: &[Span]) {
    for &[start, end] in &skill.spans {
        let (line_start, line_end) = line_around(text, start);
        // Years and level count only in the mention's own clause: "6 years of Rust" says
        // nothing about the Go named earlier on the line; "German (native)" keeps its bracket.
        let (clause_start, clause_end) = clause_around(text, start, end);
        let clause = &text[clause_start..clause_end];
        for caps in YEARS.captures_iter(clause) {
            if let Some(n) = caps.get(1).and_then(|m| m.as_str().parse::<u32>().ok()) {
                skill.years = Some(skill.years.map_or(n, |y| y.max(n)));
            }
        }
        let at = start - clause_start;
        let closest = LEVEL
            .find_iter(clause)
            .filter(|m| {
                let (s, e) = (clause_start + m.start(), clause_start + m.end());
                !(s < end && start < e || names.iter().any(|&[ns, ne]| ns < e && s < ne))
            })
            .min_by_key(|m| m.start().abs_diff(at));
        if let Some(m) = closest {
            let level = level_of(m.as_str());
            skill.level = Some(skill.level.map_or(level, |l| l.max(level)));
        }
        // A degree or certificate dates when it was earned, not when the skill was last used.
        if super::layout::in_credentials(text, start) {
            continue;
        }
        // The dates of the role: this line, or the closest line above that has a year.
        let mut here = (line_start, line_end);
        let mut latest = None;
        for _ in 0..=ROLE_LINES {
            let candidate = &text[here.0..here.1];
            let year = YEAR
                .find_iter(candidate)
                .filter_map(|m| m.as_str().parse::<i32>().ok())
                .filter(|&y| y <= current_year)
                .max();
            if year.is_some() {
                latest = if ONGOING.is_match(candidate) {
                    Some(current_year)
                } else {
                    year
                };
                break;
            }
            if here.0 == 0 {
                break;
            }
            here = line_around(text, here.0 - 1);
            // A blank line ends the section: a skills list is not part of the role above it.
            if text[here.0..here.1].trim().is_empty() {
                break;
            }
        }
        if let Some(year) = latest {
            skill.last_used = Some(skill.last_used.map_or(year, |y| y.max(year)));
        }
    }
    if skill.level.is_none() {
        skill.level = skill.years.map(|years| match years {
            0..=1 => SkillLevel::Basic,
            2..=3 => SkillLevel::Intermediate,
            4..=7 => SkillLevel::Advanced,
            _ => SkillLevel::Expert,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<&str> {
        tokenize(text).into_iter().map(|t| t.text).collect()
    }

    fn found(text: &str) -> Vec<ExtractedSkill> {
        SkillMatcher::new(Arc::new(Catalog::builtin())).extract(text, Some(2026))
    }

    fn level_of_skill(text: &str, label: &str) -> Option<SkillLevel> {
        found(text)
            .into_iter()
            .find(|s| s.label == label)
            .unwrap_or_else(|| panic!("{label} not found in {text:?}"))
            .level
    }

    #[test]
    fn a_level_comes_from_the_person_never_from_the_skills_name() {
        // "Basic", "Advanced" belong to the names here.
        assert_eq!(
            level_of_skill(
                "Certifications: Basic Life Support (BLS), 2023",
                "Basic life support"
            ),
            None
        );
        assert_eq!(
            level_of_skill(
                "Certifications: Advanced Life Support (ALS), 2024",
                "Advanced life support"
            ),
            None
        );
        // What the text says about the person counts.
        assert_eq!(
            level_of_skill("Languages: Polish (conversational)", "Polish"),
            Some(SkillLevel::Intermediate)
        );
        assert_eq!(
            level_of_skill("Languages: German (B2)", "German"),
            Some(SkillLevel::Intermediate)
        );
        assert_eq!(
            level_of_skill("Led the move to Kubernetes.", "Kubernetes"),
            Some(SkillLevel::Advanced)
        );
        assert_eq!(
            level_of_skill("8 years of Rust programming", "Rust"),
            Some(SkillLevel::Expert)
        );
    }

    #[test]
    fn phrases_that_are_not_descriptions_of_work_are_not_compared() {
        let matcher = SkillMatcher::new(Arc::new(Catalog::builtin()));
        let text = "Zagreb, Croatia\n\nBackend Engineer, Acme, Zagreb (remote), 2021 – present\n- keeping the books tidy\n- fluent\n";
        let phrases: Vec<&str> = matcher
            .phrases(text)
            .iter()
            .map(|p| &text[p.start..p.end])
            .collect();
        assert!(phrases.contains(&"keeping the books tidy"), "{phrases:?}");
        for not_work in ["Zagreb", "Croatia", "remote", "fluent", "Acme"] {
            assert!(!phrases.contains(&not_work), "{not_work}: {phrases:?}");
        }
    }

    #[test]
    fn a_cv_shows_what_its_skills_imply() {
        let skills = found("Acme, Analyst, 2020 – present\n- Power Query models for the board\n- Reports on PostgreSQL");
        let labels: Vec<&str> = skills.iter().map(|s| s.label.as_str()).collect();
        for implied in ["Advanced Excel", "Microsoft Excel", "SQL"] {
            assert!(labels.contains(&implied), "{implied}: {labels:?}");
        }
        // A job ad asks only for what it names.
        let job =
            SkillMatcher::new(Arc::new(Catalog::builtin())).extract("Must have: PostgreSQL", None);
        assert!(!job.iter().any(|s| s.label == "SQL"));
    }

    #[test]
    fn tokens_keep_technical_names_whole() {
        assert_eq!(
            words("C++, C# and Node.js"),
            ["C++", "C#", "and", "Node", ".", "js"]
        );
        assert_eq!(words("CI/CD on .NET"), ["CI", "/", "CD", "on", ".", "NET"]);
        assert_eq!(words("front-end. End"), ["front", "end", "End"]);
    }
}
