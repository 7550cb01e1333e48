//! Hybrid search over an organisation's indexed documents: BM25 keyword relevance blended with
//! embedding similarity, with filters and pagination. "senior rust engineer berlin postgres"
//! finds the documents that say so, and ranks close paraphrases ("Rust developer … PostgreSQL")
//! that share fewer words.

use super::index::{EntityKey, OrganisationIndexes, WrongDimension};
use std::{collections::HashMap, sync::RwLock};

const K1: f64 = 1.2;
const B: f64 = 0.75;
/// Weight of keyword relevance in the blend; the rest is semantic similarity.
const KEYWORD_SHARE: f64 = 0.5;
/// Semantic candidates fetched per requested result, before blending.
const SEMANTIC_POOL: usize = 200;

const STOP_WORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "has", "have", "in", "is",
    "it", "of", "on", "or", "our", "the", "to", "we", "with", "you", "your", "will",
];

pub(crate) fn terms(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '+' || c == '#'))
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .filter(|w| !STOP_WORDS.contains(&w.as_str()))
        .collect()
}

#[derive(Default)]
struct KeywordIndex {
    postings: HashMap<String, HashMap<EntityKey, u32>>,
    lengths: HashMap<EntityKey, u32>,
    total_length: u64,
}

impl KeywordIndex {
    fn remove(&mut self, key: &EntityKey) {
        if let Some(length) = self.lengths.remove(key) {
            self.total_length -= u64::from(length);
            self.postings.retain(|_, docs| {
                docs.remove(key);
                !docs.is_empty()
            });
        }
    }

    fn upsert(&mut self, key: EntityKey, text: &str) {
        self.remove(&key);
        let words = terms(text);
        self.total_length += words.len() as u64;
        self.lengths.insert(key.clone(), words.len() as u32);
        for word in words {
            *self
                .postings
                .entry(word)
                .or_default()
                .entry(key.clone())
                .or_default() += 1;
        }
    }

    fn scores(&self, query: &[String]) -> HashMap<EntityKey, f64> {
        let n = self.lengths.len() as f64;
        let average = self.total_length as f64 / n.max(1.0);
        let mut scores = HashMap::new();
        // Terms in a fixed order, so that the sums (and the ranking of near-ties) do not depend
        // on hash order: a rebuilt index answers exactly as before.
        let mut unique: Vec<&String> = query.iter().collect();
        unique.sort();
        unique.dedup();
        for term in unique {
            let Some(docs) = self.postings.get(term) else {
                continue;
            };
            let df = docs.len() as f64;
            let idf = ((n - df + 0.5) / (df + 0.5) + 1.0).ln();
            for (key, &tf) in docs {
                let tf = f64::from(tf);
                let length = f64::from(self.lengths[key]);
                let part = idf * tf * (K1 + 1.0) / (tf + K1 * (1.0 - B + B * length / average));
                *scores.entry(key.clone()).or_insert(0.0) += part;
            }
        }
        scores
    }
}

/// A search result with the parts of its score.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct SearchHit {
    pub key: EntityKey,
    pub score: f64,
    /// BM25, divided by the best BM25 of the query (0–1).
    pub keyword: f64,
    /// Cosine similarity of the document to the query.
    pub semantic: f64,
}

/// A page of results and how many matched in all.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct SearchPage {
    pub hits: Vec<SearchHit>,
    pub total: usize,
}

/// Documents of every organisation, searchable by words and by meaning; an organisation's
/// search never sees another's documents.
#[derive(Default)]
pub struct DocumentSearch {
    vectors: OrganisationIndexes,
    keywords: RwLock<HashMap<i64, KeywordIndex>>,
}

impl DocumentSearch {
    /// Adds or replaces a document with its text and the text's embedding.
    pub fn upsert(
        &self,
        org: i64,
        key: EntityKey,
        text: &str,
        vector: &[f32],
    ) -> Result<(), WrongDimension> {
        self.vectors.upsert(org, key.clone(), vector)?;
        self.upsert_text(org, key, text);
        Ok(())
    }

    /// Adds or replaces a document's text; its vector, if any, is left as it is.
    pub fn upsert_text(&self, org: i64, key: EntityKey, text: &str) {
        let mut all = self
            .keywords
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        all.entry(org).or_default().upsert(key, text);
    }

    /// Adds or replaces a document's vector.
    pub fn upsert_vector(
        &self,
        org: i64,
        key: EntityKey,
        vector: &[f32],
    ) -> Result<(), WrongDimension> {
        self.vectors.upsert(org, key, vector)
    }

    /// Forgets a document's vector (its text stays searchable by words).
    pub fn remove_vector(&self, org: i64, key: &EntityKey) {
        self.vectors.remove(org, key);
    }

    /// Forgets a document.
    pub fn remove(&self, org: i64, key: &EntityKey) {
        self.vectors.remove(org, key);
        let mut all = self
            .keywords
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(index) = all.get_mut(&org) {
            index.remove(key);
        }
    }

    /// How many documents the organisation has, and how many of them have a vector.
    pub fn counts(&self, org: i64) -> (usize, usize) {
        let documents = self
            .keywords
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(&org)
            .map_or(0, |index| index.lengths.len());
        (documents, self.vectors.len(org))
    }

    /// The `k` documents `keep` accepts whose vectors are closest to `vector`, closest first:
    /// (document, cosine similarity).
    pub fn nearest(
        &self,
        org: i64,
        vector: &[f32],
        k: usize,
        keep: impl Fn(&EntityKey) -> bool,
    ) -> Vec<(EntityKey, f64)> {
        self.vectors
            .search(org, vector, k, keep)
            .into_iter()
            .map(|hit| (hit.key, f64::from(hit.score)))
            .collect()
    }

    /// Results `offset..offset + limit` for `query` (its text and embedding), among documents
    /// `keep` accepts, best first.
    pub fn search(
        &self,
        org: i64,
        query: &str,
        query_vector: &[f32],
        keep: impl Fn(&EntityKey) -> bool,
        offset: usize,
        limit: usize,
    ) -> SearchPage {
        let keyword: HashMap<EntityKey, f64> = {
            let all = self
                .keywords
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            all.get(&org)
                .map(|index| index.scores(&terms(query)))
                .unwrap_or_default()
                .into_iter()
                .filter(|(key, _)| keep(key))
                .collect()
        };
        let pool = (offset + limit).max(1) * 4 + SEMANTIC_POOL;
        let semantic: HashMap<EntityKey, f64> = self
            .vectors
            .search(org, query_vector, pool, &keep)
            .into_iter()
            .map(|hit| (hit.key, f64::from(hit.score)))
            .collect();
        let best_keyword = keyword.values().copied().fold(0.0, f64::max);
        let mut keys: Vec<&EntityKey> = keyword.keys().chain(semantic.keys()).collect();
        keys.sort();
        keys.dedup();
        let mut hits: Vec<SearchHit> = keys
            .into_iter()
            .map(|key| {
                let k = keyword
                    .get(key)
                    .map_or(0.0, |s| s / best_keyword.max(f64::MIN_POSITIVE));
                let s = semantic.get(key).copied().unwrap_or(0.0).max(0.0);
                SearchHit {
                    key: key.clone(),
                    score: KEYWORD_SHARE * k + (1.0 - KEYWORD_SHARE) * s,
                    keyword: k,
                    semantic: s,
                }
            })
            // Semantic-only hits must be reasonably close, or every document would match.
            .filter(|hit| hit.keyword > 0.0 || hit.semantic >= 0.3)
            .collect();
        hits.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.key.cmp(&b.key)));
        let total = hits.len();
        SearchPage {
            hits: hits.into_iter().skip(offset).take(limit).collect(),
            total,
        }
    }
}
