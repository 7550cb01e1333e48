//! Job title → ESCO occupation: "Sr. Backend Dev (Rust)" to the closest occupations, and the
//! essential and optional skills of the one a recruiter picks.
//!
//! A title is normalised (abbreviations written out; seniority, gender tags and brackets
//! dropped), embedded, and compared with every occupation's preferred label; the closeness is
//! blended with word overlap against all of the occupation's labels, which catches the many
//! alternative names ESCO lists ("software engineer" for "software developer").

use super::catalog::{for_each_record, CatalogError};
use super::cosine;
use std::{
    collections::{HashMap, HashSet},
    path::Path,
};

/// One ESCO occupation with its skills.
#[derive(Clone, Debug)]
pub struct Occupation {
    pub uri: String,
    pub label: String,
    /// Lower-case words of every label, for the overlap part of the score.
    words: Vec<HashSet<String>>,
    pub essential: Vec<String>,
    pub optional: Vec<String>,
}

/// An occupation proposed for a title.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct OccupationMatch {
    pub uri: String,
    pub label: String,
    pub score: f64,
}

/// A skill an occupation needs (essential) or often uses (optional).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct SuggestedSkill {
    pub uri: String,
    pub label: String,
    pub essential: bool,
}

/// ESCO's occupations, ready to search once their label vectors are set.
pub struct Occupations {
    pub list: Vec<Occupation>,
    skill_labels: HashMap<String, String>,
    vectors: Vec<Vec<f32>>,
}

const SEMANTIC_SHARE: f64 = 0.75;

impl Occupations {
    /// Reads `occupations_en.csv`, `occupationSkillRelations.csv` and `skills_en.csv` from `dir`.
    pub fn load_esco(dir: &Path) -> Result<Self, CatalogError> {
        let mut list = Vec::new();
        let mut by_uri = HashMap::new();
        for_each_record(
            &dir.join("occupations_en.csv"),
            &["conceptUri", "preferredLabel", "altLabels"],
            |f| {
                let words = std::iter::once(f[1])
                    .chain(f[2].lines())
                    .map(words_of)
                    .filter(|w| !w.is_empty())
                    .collect();
                by_uri.insert(f[0].to_owned(), list.len());
                list.push(Occupation {
                    uri: f[0].to_owned(),
                    label: f[1].trim().to_owned(),
                    words,
                    essential: Vec::new(),
                    optional: Vec::new(),
                });
            },
        )?;
        for_each_record(
            &dir.join("occupationSkillRelations.csv"),
            &["occupationUri", "relationType", "skillUri"],
            |f| {
                if let Some(&i) = by_uri.get(f[0]) {
                    let target = if f[1] == "essential" {
                        &mut list[i].essential
                    } else {
                        &mut list[i].optional
                    };
                    target.push(f[2].to_owned());
                }
            },
        )?;
        let mut skill_labels = HashMap::new();
        for_each_record(
            &dir.join("skills_en.csv"),
            &["conceptUri", "preferredLabel"],
            |f| {
                skill_labels.insert(f[0].to_owned(), f[1].to_owned());
            },
        )?;
        Ok(Self {
            list,
            skill_labels,
            vectors: Vec::new(),
        })
    }

    /// The texts whose vectors [`Self::set_vectors`] expects, in order.
    pub fn labels(&self) -> Vec<&str> {
        self.list.iter().map(|o| o.label.as_str()).collect()
    }

    pub fn set_vectors(&mut self, vectors: Vec<Vec<f32>>) {
        self.vectors = vectors;
    }

    /// The `k` occupations closest to a title, given the vector of [`normalise_title`]'s result.
    pub fn closest(&self, title: &str, title_vector: &[f32], k: usize) -> Vec<OccupationMatch> {
        let title_words = words_of(&normalise_title(title));
        let mut scored: Vec<(f64, usize)> = self
            .list
            .iter()
            .zip(&self.vectors)
            .enumerate()
            .map(|(i, (occupation, vector))| {
                let semantic = f64::from(cosine(title_vector, vector)).max(0.0);
                let overlap = occupation
                    .words
                    .iter()
                    .map(|label| overlap(&title_words, label))
                    .fold(0.0, f64::max);
                (
                    SEMANTIC_SHARE * semantic + (1.0 - SEMANTIC_SHARE) * overlap,
                    i,
                )
            })
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        scored
            .into_iter()
            .take(k)
            .map(|(score, i)| OccupationMatch {
                uri: self.list[i].uri.clone(),
                label: self.list[i].label.clone(),
                score: (score * 1000.0).round() / 1000.0,
            })
            .collect()
    }

    /// The skills ESCO lists for an occupation: essential first, then optional.
    pub fn skills_of(&self, uri: &str) -> Option<Vec<SuggestedSkill>> {
        let occupation = self.list.iter().find(|o| o.uri == uri)?;
        let skill = |uri: &String, essential| {
            self.skill_labels.get(uri).map(|label| SuggestedSkill {
                uri: uri.clone(),
                label: label.clone(),
                essential,
            })
        };
        Some(
            occupation
                .essential
                .iter()
                .filter_map(|u| skill(u, true))
                .chain(occupation.optional.iter().filter_map(|u| skill(u, false)))
                .collect(),
        )
    }
}

/// Shares of the title's words found in a label (Dice coefficient).
fn overlap(title: &HashSet<String>, label: &HashSet<String>) -> f64 {
    if title.is_empty() || label.is_empty() {
        return 0.0;
    }
    let common = title.intersection(label).count();
    2.0 * common as f64 / (title.len() + label.len()) as f64
}

fn words_of(text: &str) -> HashSet<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// A free-text job title as an occupation name: abbreviations written out, seniority words,
/// gender tags and bracketed asides (often a technology, which ESCO's occupation names do not
/// carry) dropped: "Sr. Backend Dev (Rust) (m/w/d)" → "backend developer".
pub fn normalise_title(title: &str) -> String {
    const EXPAND: &[(&str, &str)] = &[
        ("dev", "developer"),
        ("devs", "developers"),
        ("eng", "engineer"),
        ("engr", "engineer"),
        ("mgr", "manager"),
        ("mngr", "manager"),
        ("admin", "administrator"),
        ("sw", "software"),
        ("qa", "quality assurance"),
        ("hr", "human resources"),
        ("ux", "user experience"),
        ("ui", "user interface"),
        ("pm", "project manager"),
        ("rn", "registered nurse"),
        ("acct", "accountant"),
        ("asst", "assistant"),
        ("exec", "executive"),
        ("ops", "operations"),
        ("it", "information technology"),
        ("icu", "intensive care"),
    ];
    const DROP: &[&str] = &[
        "sr",
        "senior",
        "jr",
        "junior",
        "lead",
        "principal",
        "staff",
        "head",
        "chief",
        "intern",
        "trainee",
        "m",
        "w",
        "d",
        "f",
        "x",
        "mwd",
        "mfd",
        "fte",
        "remote",
        "hybrid",
        "i",
        "ii",
        "iii",
        "iv",
    ];
    let mut plain = String::with_capacity(title.len());
    let mut depth = 0usize;
    for c in title.chars() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            _ if depth == 0 => plain.push(c),
            _ => {}
        }
    }
    let mut words = Vec::new();
    for word in plain
        .split(|c: char| !(c.is_alphanumeric() || c == '+' || c == '#'))
        .filter(|w| !w.is_empty())
    {
        let lower = word.to_lowercase();
        if DROP.contains(&lower.as_str()) {
            continue;
        }
        match EXPAND.iter().find(|(short, _)| *short == lower) {
            Some((_, long)) => words.push((*long).to_owned()),
            None => words.push(lower),
        }
    }
    words.join(" ")
}

/// Label vectors are cached on disk, keyed by the occupations file's hash and the model, so only
/// the first run pays for embedding 3,000 labels.
pub fn cached_vectors(
    dir: &Path,
    cache_dir: &Path,
    count: usize,
    compute: impl FnOnce() -> Result<Vec<Vec<f32>>, super::ModelError>,
) -> Result<Vec<Vec<f32>>, super::ModelError> {
    use sha2::{Digest, Sha256};
    let source = std::fs::read(dir.join("occupations_en.csv")).map_err(|source| {
        super::ModelError::Read {
            path: dir.join("occupations_en.csv"),
            source,
        }
    })?;
    let digest = Sha256::new()
        .chain_update(super::MODEL_ID)
        .chain_update(&source)
        .finalize();
    let name: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    let path = cache_dir.join(format!("esco-occupations-{name}.f32"));
    if let Ok(bytes) = std::fs::read(&path) {
        if bytes.len() == count * super::DIM * 4 {
            return Ok(bytes
                .chunks_exact(super::DIM * 4)
                .map(|row| {
                    row.chunks_exact(4)
                        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                        .collect()
                })
                .collect());
        }
    }
    let vectors = compute()?;
    let bytes: Vec<u8> = vectors
        .iter()
        .flatten()
        .flat_map(|x| x.to_le_bytes())
        .collect();
    // A cache that cannot be written only costs time next run.
    if std::fs::create_dir_all(cache_dir).is_ok() {
        let temporary = path.with_extension("partial");
        if std::fs::write(&temporary, bytes).is_ok() {
            let _ = std::fs::rename(&temporary, &path);
        }
    }
    Ok(vectors)
}

#[cfg(test)]
mod tests {
    use super::normalise_title;

    #[test]
    fn titles_are_normalised() {
        assert_eq!(
            normalise_title("Sr. Backend Dev (Rust) (m/w/d)"),
            "backend developer"
        );
        assert_eq!(
            normalise_title("Kauffrau/-mann (w/m/d) Büro"),
            "kauffrau mann büro"
        );
        assert_eq!(
            normalise_title("Junior QA Eng II"),
            "quality assurance engineer"
        );
        assert_eq!(
            normalise_title("Registered Nurse – ICU"),
            "registered nurse intensive care"
        );
    }
}
