//! Job title → ESCO occupation: "Sr. Backend Dev (Rust)" to the closest occupations, and the
//! essential and optional skills of the one a recruiter picks.
//!
//! A title is normalised (abbreviations written out; seniority, gender tags and brackets
//! dropped), embedded, and compared with every occupation's preferred label; the closeness is
//! blended with word overlap against all of the occupation's labels, which catches the many
//! alternative names ESCO lists ("software engineer" for "software developer").

use super::catalog::CatalogError;
use super::cosine;
use super::esco::Taxonomy;
use super::{EmbedError, EmbeddingService};
use sha2::{Digest, Sha256};
use shared::matching::OccupationSkill;
use std::{
    collections::{HashMap, HashSet},
    path::Path,
    sync::{Arc, RwLock},
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

/// ESCO's occupations, ready to search once their label vectors are set.
pub struct Occupations {
    pub list: Vec<Occupation>,
    skill_labels: HashMap<String, String>,
    vectors: Vec<Vec<f32>>,
}

const SEMANTIC_SHARE: f64 = 0.75;
/// The cache file name of the occupation label vectors starts with this.
pub const OCCUPATION_CACHE: &str = "esco-occupations";

impl Occupations {
    /// Reads `occupations_en.csv`, `occupationSkillRelations.csv` and `skills_en.csv` from `dir`.
    pub fn load_esco(dir: &Path) -> Result<Self, CatalogError> {
        Ok(Self::from_taxonomy(&Taxonomy::read_csv(dir)?))
    }

    /// The occupations of a taxonomy (read from CSV or from the database), without vectors.
    pub fn from_taxonomy(taxonomy: &Taxonomy) -> Self {
        let mut by_uri = HashMap::new();
        let mut list: Vec<Occupation> = Vec::with_capacity(taxonomy.occupations.len());
        for concept in &taxonomy.occupations {
            let words = std::iter::once(&concept.label)
                .chain(&concept.alt_labels)
                .map(|label| words_of(label))
                .filter(|w| !w.is_empty())
                .collect();
            by_uri.insert(concept.uri.as_str(), list.len());
            list.push(Occupation {
                uri: concept.uri.clone(),
                label: concept.label.clone(),
                words,
                essential: Vec::new(),
                optional: Vec::new(),
            });
        }
        for relation in &taxonomy.relations {
            if let Some(&i) = by_uri.get(relation.occupation.as_str()) {
                let target = if relation.essential {
                    &mut list[i].essential
                } else {
                    &mut list[i].optional
                };
                target.push(relation.skill.clone());
            }
        }
        let skill_labels = taxonomy
            .skills
            .iter()
            .map(|s| (s.uri.clone(), s.label.clone()))
            .collect();
        Self {
            list,
            skill_labels,
            vectors: Vec::new(),
        }
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
    pub fn skills_of(&self, uri: &str) -> Option<Vec<OccupationSkill>> {
        let occupation = self.list.iter().find(|o| o.uri == uri)?;
        let skill = |uri: &String, essential| {
            self.skill_labels.get(uri).map(|label| OccupationSkill {
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

/// Where the vectors of a list of labels are cached: keyed by the labels and the model, so
/// only the first run after an import pays for embedding 3,000 labels.
pub struct VectorCache {
    path: std::path::PathBuf,
    count: usize,
}

impl VectorCache {
    /// `kind` names what the labels are (it starts the file name).
    pub fn new(kind: &str, labels: &[&str], cache_dir: &Path) -> Self {
        let mut digest = Sha256::new().chain_update(super::MODEL_ID);
        for label in labels {
            digest.update(label.as_bytes());
            digest.update([0]);
        }
        let name: String = digest
            .finalize()
            .iter()
            .take(8)
            .map(|b| format!("{b:02x}"))
            .collect();
        Self {
            path: cache_dir.join(format!("{kind}-{name}.f32")),
            count: labels.len(),
        }
    }

    /// The cached vectors, if a complete cache is there.
    pub fn read(&self) -> Option<Vec<Vec<f32>>> {
        let bytes = std::fs::read(&self.path).ok()?;
        (bytes.len() == self.count * super::DIM * 4).then(|| {
            bytes
                .chunks_exact(super::DIM * 4)
                .map(|row| {
                    row.chunks_exact(4)
                        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                        .collect()
                })
                .collect()
        })
    }

    /// Stores the vectors; a cache that cannot be written only costs time next run.
    pub fn write(&self, vectors: &[Vec<f32>]) {
        let bytes: Vec<u8> = vectors
            .iter()
            .flatten()
            .flat_map(|x| x.to_le_bytes())
            .collect();
        if let Some(dir) = self.path.parent() {
            if std::fs::create_dir_all(dir).is_ok() {
                let temporary = self.path.with_extension("partial");
                if std::fs::write(&temporary, bytes).is_ok() {
                    let _ = std::fs::rename(&temporary, &self.path);
                }
            }
        }
    }
}

/// The labels' vectors from the cache, else computed (and cached).
pub fn cached_vectors<E>(
    kind: &str,
    labels: &[&str],
    cache_dir: &Path,
    compute: impl FnOnce() -> Result<Vec<Vec<f32>>, E>,
) -> Result<Vec<Vec<f32>>, E> {
    let cache = VectorCache::new(kind, labels, cache_dir);
    if let Some(vectors) = cache.read() {
        return Ok(vectors);
    }
    let vectors = compute()?;
    cache.write(&vectors);
    Ok(vectors)
}

/// The labels' vectors from the cache, else embedded by the server's model (and cached). Runs
/// behind people's requests: while the queue is full it waits instead of failing.
pub async fn embed_labels(
    embeddings: &EmbeddingService,
    kind: &str,
    labels: &[String],
    cache_dir: &Path,
) -> Result<Vec<Vec<f32>>, EmbedError> {
    let refs: Vec<&str> = labels.iter().map(String::as_str).collect();
    let cache = VectorCache::new(kind, &refs, cache_dir);
    if let Some(vectors) = cache.read() {
        return Ok(vectors);
    }
    tracing::info!(
        labels = labels.len(),
        kind,
        "embedding labels (cached afterwards)"
    );
    let mut vectors = Vec::with_capacity(labels.len());
    for chunk in labels.chunks(256) {
        loop {
            match embeddings.embed(chunk.to_vec()).await {
                Ok(mut done) => {
                    vectors.append(&mut done);
                    break;
                }
                Err(EmbedError::Busy) => {
                    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
                }
                Err(err) => return Err(err),
            }
        }
    }
    cache.write(&vectors);
    Ok(vectors)
}

/// What the server can suggest occupations from.
#[derive(Clone, Default)]
pub enum Prepared {
    /// Start-up is still reading the taxonomy or embedding its labels.
    #[default]
    Preparing,
    /// No taxonomy has been imported (`server import-esco DIR`).
    NotImported,
    Ready(Arc<Occupations>),
}

/// The stored ESCO occupations, prepared for suggestions in the background at start-up.
#[derive(Clone, Default)]
pub struct OccupationService {
    state: Arc<RwLock<Prepared>>,
}

impl OccupationService {
    pub fn get(&self) -> Prepared {
        self.state
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    fn set(&self, prepared: Prepared) {
        *self
            .state
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = prepared;
    }

    /// Reads the imported taxonomy and embeds its labels (or reads them from `cache_dir`).
    pub async fn prepare(
        &self,
        db: &crate::db::Db,
        embeddings: &EmbeddingService,
        cache_dir: &Path,
    ) {
        let taxonomy = match super::esco::load(db).await {
            Ok(Some(taxonomy)) => taxonomy,
            Ok(None) => return self.set(Prepared::NotImported),
            Err(err) => {
                tracing::warn!(error = %err, "cannot read the ESCO taxonomy; no occupation suggestions");
                return self.set(Prepared::NotImported);
            }
        };
        let mut occupations = Occupations::from_taxonomy(&taxonomy);
        drop(taxonomy);
        let labels: Vec<String> = occupations
            .labels()
            .into_iter()
            .map(str::to_owned)
            .collect();
        let vectors = match embed_labels(embeddings, OCCUPATION_CACHE, &labels, cache_dir).await {
            Ok(vectors) => vectors,
            Err(err) => {
                tracing::warn!(error = %err, "cannot embed the ESCO labels; no occupation suggestions");
                return self.set(Prepared::NotImported);
            }
        };
        occupations.set_vectors(vectors);
        tracing::info!(occupations = labels.len(), "occupation suggestions ready");
        self.set(Prepared::Ready(Arc::new(occupations)));
    }
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
