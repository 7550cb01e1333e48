//! When two candidates with the same name are one person. A name alone proves little (two
//! "James Smith"s apply to a large employer every year); a name and a CV that say the same things
//! are strong evidence. "Same things" is the cosine similarity of the two candidates' vectors in
//! the search store (all-MiniLM-L6-v2 over the name, the CV and the links).
//!
//! [`SAME_PERSON`] is calibrated on the labelled CVs of `server/tests/fixtures/match-pairs`
//! ([`calibrate`]): each CV against a later version of itself ([`later_version`]: a third of its
//! lines gone, the oldest quarter dropped, other bullets), and each pair of different people of
//! one profession given one name. `server quality` reports the similarities (docs/QUALITY.md);
//! `tests/quality.rs` asserts that no two people are taken for one and few versions are missed.

use super::{cosine, quality::Profession, store::Document};
use serde::Serialize;

/// Two same-name candidates whose vectors are at least this similar are shown as a possible
/// duplicate. Just above the highest similarity of two different people in the calibration
/// (0.785, two nurses of one ward; docs/QUALITY.md, "Duplicates"): a wrong flag costs a
/// recruiter's trust, a missed one only a merge later. 22 of the 24 later versions are above it;
/// the two below lost most of a short CV.
pub const SAME_PERSON: f64 = 0.80;

/// One pair's similarity.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Pair {
    pub a: String,
    pub b: String,
    pub similarity: f64,
}

/// The similarities the threshold was set between.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Calibration {
    pub threshold: f64,
    /// Each CV against its later version, lowest first.
    pub same_person: Vec<Pair>,
    /// Different people of one profession under one name, highest first.
    pub different_people: Vec<Pair>,
}

impl Calibration {
    /// Pairs the threshold judges wrongly: same-person pairs below it and different people at
    /// or above it.
    pub fn misjudged(&self) -> usize {
        self.same_person
            .iter()
            .filter(|p| p.similarity < self.threshold)
            .count()
            + self
                .different_people
                .iter()
                .filter(|p| p.similarity >= self.threshold)
                .count()
    }

    /// The section of docs/QUALITY.md.
    pub fn markdown(&self) -> String {
        let lowest = self.same_person.first().map_or(f64::NAN, |p| p.similarity);
        let highest = self
            .different_people
            .first()
            .map_or(f64::NAN, |p| p.similarity);
        let mut md = format!(
            "## Duplicates: same name, and CVs this close\n\nA candidate with the name of \
             another is shown as a possible duplicate when their vectors' cosine similarity is \
             at least **{:.2}** (`matching::duplicates::SAME_PERSON`). Each of the {} CVs \
             against a later version of itself (a third of its lines gone, its oldest quarter \
             dropped, other bullets): lowest **{lowest:.3}**. The {} pairs of different people \
             of one profession, given one name: highest **{highest:.3}**. Judged wrongly at \
             this threshold: {}.\n\n| Pair | Similarity |\n|---|---:|\n",
            self.threshold,
            self.same_person.len(),
            self.different_people.len(),
            self.misjudged()
        );
        for p in self.same_person.iter().take(3) {
            md.push_str(&format!(
                "| {} and its later version | {:.3} |\n",
                p.a, p.similarity
            ));
        }
        for p in self.different_people.iter().take(3) {
            md.push_str(&format!("| {} and {} | {:.3} |\n", p.a, p.b, p.similarity));
        }
        md
    }
}

/// A later version of a CV, as its author sends it a year on: the name line kept, every third
/// line after it gone, the last quarter (oldest roles, education) dropped, and "- " bullets
/// written "• ".
pub fn later_version(text: &str) -> String {
    let mut lines = text.trim().lines();
    let name = lines.next().unwrap_or_default();
    let rest: Vec<&str> = lines.collect();
    let keep = rest.len() - rest.len() / 4;
    let mut out = vec![name.to_owned()];
    out.extend(
        rest[..keep]
            .iter()
            .enumerate()
            .filter(|(i, _)| i % 3 != 2)
            .map(|(_, line)| match line.trim_start().strip_prefix("- ") {
                Some(item) => format!("• {item}"),
                None => (*line).to_owned(),
            }),
    );
    out.join("\n")
}

/// The text the search store embeds for a candidate named `name` whose CV is `cv`.
fn document_text(name: &str, cv: &str) -> String {
    Document {
        title: name,
        body: cv.trim(),
    }
    .text()
}

/// The same CV under another name: its first line (the name) replaced.
fn renamed(cv: &str, name: &str) -> String {
    let rest = cv.trim().split_once('\n').map_or("", |(_, rest)| rest);
    format!("{name}\n{rest}")
}

/// The similarities of same-person and different-people pairs of `professions`' CVs. `embed`
/// turns texts into unit vectors (same order).
pub fn calibrate<E>(
    professions: &[Profession],
    mut embed: impl FnMut(&[&str]) -> Result<Vec<Vec<f32>>, E>,
) -> Result<Calibration, E> {
    const ONE_NAME: &str = "Alex Morgan";
    let mut same_person = Vec::new();
    let mut different_people = Vec::new();
    for profession in professions {
        let cvs = &profession.candidates;
        let mut texts = Vec::new();
        for cv in cvs {
            let name = cv.text.trim().lines().next().unwrap_or_default().trim();
            texts.push(document_text(name, &cv.text));
            texts.push(document_text(name, &later_version(&cv.text)));
            texts.push(document_text(ONE_NAME, &renamed(&cv.text, ONE_NAME)));
        }
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let vectors = embed(&refs)?;
        let similarity = |a: usize, b: usize| f64::from(cosine(&vectors[a], &vectors[b]));
        for (i, cv) in cvs.iter().enumerate() {
            same_person.push(Pair {
                a: cv.id.clone(),
                b: cv.id.clone(),
                similarity: similarity(3 * i, 3 * i + 1),
            });
            for (j, other) in cvs.iter().enumerate().skip(i + 1) {
                different_people.push(Pair {
                    a: cv.id.clone(),
                    b: other.id.clone(),
                    similarity: similarity(3 * i + 2, 3 * j + 2),
                });
            }
        }
    }
    same_person.sort_by(|a, b| a.similarity.total_cmp(&b.similarity));
    different_people.sort_by(|a, b| b.similarity.total_cmp(&a.similarity));
    Ok(Calibration {
        threshold: SAME_PERSON,
        same_person,
        different_people,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_later_version_keeps_the_name_and_loses_lines() {
        let cv = "Ann Lee\nProfile\n- one\n- two\n- three\n- four\n- five\n- six\n- seven\nBSc";
        let later = later_version(cv);
        assert!(
            later.starts_with("Ann Lee\nProfile\n• one\n• three"),
            "{later}"
        );
        assert!(!later.contains("BSc") && !later.contains("two"), "{later}");
        assert_eq!(
            renamed(cv, "Alex Morgan").lines().next(),
            Some("Alex Morgan")
        );
    }
}
