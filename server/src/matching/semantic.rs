//! Skills a text names in other words ("built data pipelines", "looking after key customers"):
//! short phrases that alias matching left unexplained are embedded and compared with the names
//! of every catalog skill. A phrase counts as a skill when its closest name is at least
//! [`THRESHOLD`] similar.
//!
//! The threshold is calibrated, not guessed: `server/tests/fixtures/skill-phrases.json` holds
//! phrases that no catalog name matches, labelled with the skills they may rightly be read as
//! (or none: CV and job-ad noise such as "modern office" or "closing date"). [`calibrate`] picks
//! the lowest threshold at which the calibration half keeps precision ≥ [`TARGET_PRECISION`];
//! the test `semantic_skills.rs` checks that [`THRESHOLD`] is that value and reports precision
//! and recall on the held-out half. With all-MiniLM-L6-v2 the price of that precision is a low
//! recall (about a quarter of paraphrases are recognised): this stage adds skills only when it
//! is sure, and name matching stays the main extractor.

use super::catalog::Catalog;
use super::skills::SkillMatcher;
use super::{cosine, occupations::embed_labels, EmbeddingService};
use shared::matching::ExtractedSkill;
use std::{
    ops::Range,
    path::Path,
    sync::{Arc, RwLock},
};

/// Similarity from which a phrase names a skill (see the module documentation).
pub const THRESHOLD: f32 = 0.75;
/// The precision the threshold is calibrated for.
pub const TARGET_PRECISION: f64 = 0.9;
/// Phrases longer than this are sentences, not names of skills.
pub const MAX_PHRASE_WORDS: usize = 5;
/// At most this many phrases of one text are embedded (a long CV has far fewer).
pub const MAX_PHRASES: usize = 300;

/// Words that lead into a skill without being part of it: "strong experience with", "ability to".
const LEAD_INS: &[&str] = &[
    "a",
    "an",
    "the",
    "and",
    "or",
    "of",
    "in",
    "with",
    "to",
    "for",
    "on",
    "at",
    "by",
    "as",
    "is",
    "are",
    "be",
    "i",
    "we",
    "you",
    "our",
    "your",
    "my",
    "also",
    "some",
    "very",
    "highly",
    "strong",
    "solid",
    "good",
    "great",
    "excellent",
    "proven",
    "deep",
    "broad",
    "hands",
    "practical",
    "demonstrated",
    "extensive",
    "relevant",
    "professional",
    "experience",
    "experienced",
    "knowledge",
    "understanding",
    "familiarity",
    "familiar",
    "skills",
    "skill",
    "skilled",
    "proficient",
    "proficiency",
    "expertise",
    "expert",
    "background",
    "ability",
    "able",
    "capable",
    "comfortable",
    "confident",
    "working",
    "must",
    "should",
    "will",
    "would",
    "can",
    "could",
    "shall",
    "may",
    "have",
    "has",
    "nice",
    "plus",
    "bonus",
    "ideally",
    "preferably",
    "including",
    "e",
    "g",
    "eg",
    "ie",
    "etc",
];
/// Words that trail a skill without being part of it: "… experience", "… skills".
const TRAILERS: &[&str] = &[
    "experience",
    "skills",
    "skill",
    "knowledge",
    "expertise",
    "background",
    "etc",
    "a",
    "plus",
    "preferred",
    "required",
    "desired",
    "is",
    "are",
    "and",
    "or",
    "of",
    "with",
    "the",
];
/// Headings of CVs and job ads: never a skill on their own.
const HEADINGS: &[&str] = &[
    "present",
    "current",
    "today",
    "now",
    "about",
    "about us",
    "about you",
    "benefits",
    "contact",
    "education",
    "employment",
    "experience",
    "hobbies",
    "interests",
    "languages",
    "profile",
    "projects",
    "qualifications",
    "references",
    "requirements",
    "responsibilities",
    "skills",
    "summary",
    "tasks",
    "what you bring",
    "what we offer",
    "work experience",
];

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '+' | '#')
}

/// Where the text breaks into list items and clauses.
fn breaks(text: &str, i: usize, c: char) -> bool {
    match c {
        '\n' | ',' | ';' | ':' | '|' | '•' | '·' | '(' | ')' | '[' | ']' | '!' | '?' | '"'
        | '“' | '”' | '–' | '—' | '/' => {
            // "CI/CD", "TCP/IP": a slash between letters joins a name.
            !(c == '/'
                && text[..i].ends_with(|p: char| p.is_alphanumeric())
                && text[i + 1..].starts_with(|n: char| n.is_alphanumeric()))
        }
        // A full stop ends a sentence unless a word goes on right after it ("Node.js").
        '.' => !text[i + 1..].starts_with(|n: char| n.is_alphanumeric()),
        _ => false,
    }
}

/// The words of `text[range]` as byte ranges.
fn words_in(text: &str, range: Range<usize>) -> Vec<Range<usize>> {
    let mut words = Vec::new();
    let mut start = None;
    for (i, c) in text[range.clone()].char_indices() {
        let at = range.start + i;
        match (is_word_char(c) || (c == '.' && start.is_some()), start) {
            (true, None) => start = Some(at),
            (false, Some(s)) => {
                words.push(s..at);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        words.push(s..range.end);
    }
    // A trailing full stop belongs to the sentence, not the word.
    for w in &mut words {
        while text[w.clone()].ends_with('.') {
            w.end -= 1;
        }
    }
    words.retain(|w| !w.is_empty());
    words
}

/// The clauses of `text`: split at list and sentence punctuation and at "and" / "or" / "&".
fn clauses(text: &str) -> Vec<Range<usize>> {
    let mut pieces = Vec::new();
    let mut start = 0;
    for (i, c) in text.char_indices() {
        if breaks(text, i, c) {
            pieces.push(start..i);
            start = i + c.len_utf8();
        }
    }
    pieces.push(start..text.len());
    let mut clauses = Vec::new();
    for piece in pieces {
        let words = words_in(text, piece.clone());
        let mut from = piece.start;
        for w in &words {
            let lower = text[w.clone()].to_lowercase();
            if matches!(lower.as_str(), "and" | "or") {
                clauses.push(from..w.start);
                from = w.end;
            }
        }
        // "&" is not a word: split at it between spaces ("sales & marketing", not "P&L").
        let rest = from..piece.end;
        let mut at = rest.start;
        for (i, _) in text[rest.clone()].match_indices(" & ") {
            clauses.push(at..rest.start + i);
            at = rest.start + i + 3;
        }
        clauses.push(at..rest.end);
    }
    clauses
}

/// The words of `text[range]` (byte ranges and lower-cased), and which of them remain once
/// the lead-ins before a skill ("proven ability to", "strong experience with") and the words
/// trailing it ("… experience") are dropped.
fn core_words(text: &str, range: Range<usize>) -> (Vec<Range<usize>>, Vec<String>, Range<usize>) {
    let words = words_in(text, range);
    let lower: Vec<String> = words
        .iter()
        .map(|w| text[w.clone()].to_lowercase())
        .collect();
    let mut first = 0;
    let mut last = words.len();
    while first < last && LEAD_INS.contains(&lower[first].as_str()) {
        first += 1;
    }
    while last > first && TRAILERS.contains(&lower[last - 1].as_str()) {
        last -= 1;
    }
    (words, lower, first..last)
}

/// `text[start..end]` without lead-ins and trailers (see [`core_words`]), as byte offsets; an
/// empty range at `start` when nothing is left.
pub(crate) fn without_lead_ins(text: &str, start: usize, end: usize) -> (usize, usize) {
    let (words, _, core) = core_words(text, start..end);
    if core.is_empty() {
        return (start, start);
    }
    (words[core.start].start, words[core.end - 1].end)
}

/// A phrase of a text that may name a skill.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Phrase {
    pub start: usize,
    pub end: usize,
}

/// The phrases of `text` worth comparing with the catalog: clauses of one to
/// [`MAX_PHRASE_WORDS`] words after lead-ins and trailers are dropped, without digits (dates,
/// phone numbers), not a heading, and not overlapping `covered` (the spans alias matching
/// found). In order of appearance, at most [`MAX_PHRASES`].
pub fn candidate_phrases(text: &str, covered: &[[usize; 2]]) -> Vec<Phrase> {
    let mut phrases = Vec::new();
    for clause in clauses(text) {
        let (words, lower, core) = core_words(text, clause);
        let (first, last) = (core.start, core.end);
        if first == last || last - first > MAX_PHRASE_WORDS {
            continue;
        }
        let (start, end) = (words[first].start, words[last - 1].end);
        let phrase = &text[start..end];
        let plain = lower[first..last].join(" ");
        let letters = phrase.chars().filter(|c| c.is_alphabetic()).count();
        if letters < 3
            || phrase.chars().any(|c| c.is_ascii_digit())
            || HEADINGS.contains(&plain.as_str())
            || covered.iter().any(|&[s, e]| s < end && start < e)
        {
            continue;
        }
        phrases.push(Phrase { start, end });
        if phrases.len() == MAX_PHRASES {
            break;
        }
    }
    phrases
}

/// The vectors of a catalog's skill names, to find the skill a phrase is closest to.
pub struct SkillVectors {
    /// The skill (index into the catalog) of each vector.
    owners: Vec<usize>,
    vectors: Vec<Vec<f32>>,
}

/// A phrase found to name a skill.
#[derive(Clone, Debug, PartialEq)]
pub struct SemanticHit {
    pub skill: usize,
    pub start: usize,
    pub end: usize,
    pub similarity: f32,
}

impl SkillVectors {
    /// The names to embed, and the skill each belongs to: every label, and every alias that is
    /// a phrase rather than an abbreviation or an everyday word (those say little to the model).
    pub fn names(catalog: &Catalog) -> (Vec<String>, Vec<usize>) {
        let mut texts = Vec::new();
        let mut owners = Vec::new();
        for (skill, entry) in catalog.skills.iter().enumerate() {
            for (n, name) in entry.names.iter().enumerate() {
                let abbreviation = !name.text.chars().any(char::is_lowercase);
                if n == 0 || !(name.ambiguous || abbreviation || name.text.chars().count() < 4) {
                    texts.push(name.text.clone());
                    owners.push(skill);
                }
            }
        }
        (texts, owners)
    }

    /// `vectors[i]` is the vector of `names(catalog).0[i]`.
    pub fn new(owners: Vec<usize>, vectors: Vec<Vec<f32>>) -> Self {
        Self { owners, vectors }
    }

    /// The skill closest to a phrase's vector, and how close.
    pub fn closest(&self, vector: &[f32]) -> Option<(usize, f32)> {
        self.owners
            .iter()
            .zip(&self.vectors)
            .map(|(&skill, v)| (skill, cosine(vector, v)))
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
    }

    /// The phrases (with their vectors, same order) that name a skill at [`THRESHOLD`] or above.
    pub fn hits(&self, phrases: &[Phrase], vectors: &[Vec<f32>]) -> Vec<SemanticHit> {
        phrases
            .iter()
            .zip(vectors)
            .filter_map(|(phrase, vector)| {
                let (skill, similarity) = self.closest(vector)?;
                (similarity >= THRESHOLD).then_some(SemanticHit {
                    skill,
                    start: phrase.start,
                    end: phrase.end,
                    similarity,
                })
            })
            .collect()
    }
}

/// The cache file name of the built-in catalog's name vectors starts with this.
pub const SKILL_CACHE: &str = "skill-names";

/// The built-in catalog's name vectors, embedded in the background at start-up (cached in
/// `DATA_DIR/cache`); until they are ready, skills are found by name only.
#[derive(Clone, Default)]
pub struct SkillVectorService {
    ready: Arc<RwLock<Option<Arc<SkillVectors>>>>,
}

impl SkillVectorService {
    pub fn get(&self) -> Option<Arc<SkillVectors>> {
        self.ready
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Embeds the catalog's names (or reads them from `cache`); nothing to do when ready.
    pub async fn prepare(&self, catalog: &Catalog, embeddings: &EmbeddingService, cache: &Path) {
        if self.get().is_some() {
            return;
        }
        let (names, owners) = SkillVectors::names(catalog);
        match embed_labels(embeddings, SKILL_CACHE, &names, cache).await {
            Ok(vectors) => {
                tracing::info!(names = names.len(), "skills by similarity ready");
                *self
                    .ready
                    .write()
                    .unwrap_or_else(std::sync::PoisonError::into_inner) =
                    Some(Arc::new(SkillVectors::new(owners, vectors)));
            }
            Err(err) => {
                tracing::warn!(error = %err, "cannot embed the skill names; skills are found by name only");
            }
        }
    }
}

/// Finds skills by name and, when the name vectors are there, by similarity of phrases.
#[derive(Clone)]
pub struct SkillFinder {
    pub matcher: Arc<SkillMatcher>,
    pub vectors: Option<Arc<SkillVectors>>,
}

impl SkillFinder {
    /// The phrases of `text` to embed (none when skills are found by name only).
    pub fn phrases(&self, text: &str) -> Vec<Phrase> {
        if self.vectors.is_some() {
            self.matcher.phrases(text)
        } else {
            Vec::new()
        }
    }

    /// The skills of `text`, given its [`Self::phrases`] and their vectors (same order).
    pub fn extract(
        &self,
        text: &str,
        cv_year: Option<i32>,
        phrases: &[Phrase],
        vectors: &[Vec<f32>],
    ) -> Vec<ExtractedSkill> {
        let hits = match &self.vectors {
            Some(names) => names.hits(phrases, vectors),
            None => Vec::new(),
        };
        self.matcher.extract_with(text, cv_year, &hits)
    }
}

/// The confidence of a skill found only by similarity: 0.5 at the threshold, up to 0.85 for a
/// phrase that is as good as the skill's own name. Below every exact name match.
pub fn confidence(similarity: f32) -> f64 {
    let above = (f64::from(similarity) - f64::from(THRESHOLD)) / (1.0 - f64::from(THRESHOLD));
    0.5 + 0.35 * above.clamp(0.0, 1.0)
}

/// One labelled phrase, compared: the skills it may rightly be read as (none for a phrase that
/// names no skill), and the closest skill found.
#[derive(Clone, Debug)]
pub struct Sample {
    pub expected: Vec<usize>,
    pub closest: usize,
    pub similarity: f32,
}

/// Precision and recall of one threshold on labelled samples.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Quality {
    pub threshold: f32,
    pub precision: f64,
    pub recall: f64,
    pub accepted: usize,
}

/// How a threshold does on labelled samples: a phrase at or above it is a true positive when
/// its closest skill is one it names, else a false positive; recall counts the phrases that
/// name a skill.
pub fn quality(samples: &[Sample], threshold: f32) -> Quality {
    let accepted: Vec<&Sample> = samples
        .iter()
        .filter(|s| s.similarity >= threshold)
        .collect();
    let correct = accepted
        .iter()
        .filter(|s| s.expected.contains(&s.closest))
        .count();
    let positives = samples.iter().filter(|s| !s.expected.is_empty()).count();
    Quality {
        threshold,
        precision: if accepted.is_empty() {
            1.0
        } else {
            correct as f64 / accepted.len() as f64
        },
        recall: if positives == 0 {
            0.0
        } else {
            correct as f64 / positives as f64
        },
        accepted: accepted.len(),
    }
}

/// The lowest threshold on a 0.01 grid (0.30–1.00) at which the phrases accepted keep
/// precision ≥ `target`, raised to the grid point just below the least similar phrase it
/// accepts (so it sits next to the evidence, not in an empty gap), with its quality; 1.0 when
/// no threshold reaches the target.
pub fn calibrate(samples: &[Sample], target: f64) -> Quality {
    let lowest = (30..=100)
        .map(|t| quality(samples, t as f32 / 100.0))
        .find(|q| q.accepted > 0 && q.precision >= target);
    let Some(lowest) = lowest else {
        return quality(samples, 1.0);
    };
    let least = samples
        .iter()
        .map(|s| s.similarity)
        .filter(|&s| s >= lowest.threshold)
        .fold(1.0_f32, f32::min);
    // (The small nudge keeps 0.7, stored as 0.69999…, on 0.70.)
    quality(samples, (least * 100.0 + 1e-3).floor() / 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phrases(text: &str) -> Vec<&str> {
        candidate_phrases(text, &[])
            .into_iter()
            .map(|p| &text[p.start..p.end])
            .collect()
    }

    #[test]
    fn phrases_are_short_clauses_without_lead_ins() {
        assert_eq!(
            phrases("- Strong experience with data pipelines and stakeholder communication."),
            ["data pipelines", "stakeholder communication"]
        );
        assert_eq!(
            phrases("Skills: bookkeeping, payroll / invoicing; CI/CD"),
            ["bookkeeping", "payroll", "invoicing", "CI/CD"]
        );
        // Dates, headings and long sentences are left out.
        assert_eq!(
            phrases(
                "Experience\nAcme (2019 – present)\nI was responsible for the whole of our \
                 quarterly planning cycle."
            ),
            ["Acme"]
        );
        assert_eq!(
            phrases("sales & marketing, R&D budgets"),
            ["sales", "marketing", "R&D budgets"]
        );
    }

    #[test]
    fn phrases_covered_by_a_name_match_are_skipped() {
        let text = "Python, data wrangling";
        let found = candidate_phrases(text, &[[0, 6]]);
        assert_eq!(found, [Phrase { start: 8, end: 22 }]);
    }

    #[test]
    fn calibration_picks_the_lowest_threshold_that_keeps_precision() {
        let sample = |expected: &[usize], closest, similarity| Sample {
            expected: expected.to_vec(),
            closest,
            similarity,
        };
        let samples = [
            sample(&[1], 1, 0.9),
            sample(&[2, 9], 2, 0.8),
            sample(&[], 3, 0.75),
            sample(&[4], 4, 0.7),
            sample(&[5], 6, 0.6),
            sample(&[], 7, 0.5),
        ];
        let q = calibrate(&samples, 0.75);
        assert_eq!(q.threshold, 0.70);
        assert_eq!(q.accepted, 4);
        assert!((q.precision - 0.75).abs() < 1e-9);
        assert!((q.recall - 0.75).abs() < 1e-9);
        // At 0.6 the wrong closest skill joins: precision 3/5 < 0.75.
        assert!(quality(&samples, 0.6).precision < 0.75);
    }
}
