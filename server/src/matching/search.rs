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

/// BM25 postings of one organisation's documents. Each document has a slot (a small number)
/// and each word an id, so scoring a word found in 100,000 documents adds into an array instead
/// of hashing and copying 100,000 keys.
#[derive(Default)]
struct KeywordIndex {
    slots: HashMap<EntityKey, u32>,
    /// `keys[slot]`; a freed slot keeps its old key until reused (no posting names it).
    keys: Vec<EntityKey>,
    /// Words per document (0 for a free slot).
    lengths: Vec<u32>,
    free: Vec<u32>,
    words: HashMap<String, u32>,
    /// `postings[word]`: slot → times the word is in that document.
    postings: Vec<HashMap<u32, u32>>,
    total_length: u64,
}

impl KeywordIndex {
    fn len(&self) -> usize {
        self.slots.len()
    }

    fn remove(&mut self, key: &EntityKey) {
        let Some(slot) = self.slots.remove(key) else {
            return;
        };
        let length = std::mem::take(&mut self.lengths[slot as usize]);
        self.total_length -= u64::from(length);
        // Words are not counted per document, so every list is asked (a removal or an edit is
        // rare next to searches; a list that empties keeps its word's id).
        for docs in &mut self.postings {
            docs.remove(&slot);
        }
        self.free.push(slot);
    }

    fn upsert(&mut self, key: EntityKey, text: &str) {
        self.remove(&key);
        let words = terms(text);
        let length = words.len() as u32;
        let slot = match self.free.pop() {
            Some(slot) => {
                self.keys[slot as usize] = key.clone();
                self.lengths[slot as usize] = length;
                slot
            }
            None => {
                self.keys.push(key.clone());
                self.lengths.push(length);
                (self.keys.len() - 1) as u32
            }
        };
        self.slots.insert(key, slot);
        self.total_length += u64::from(length);
        for word in words {
            let next = self.postings.len() as u32;
            let id = *self.words.entry(word).or_insert(next);
            if id == next {
                self.postings.push(HashMap::new());
            }
            *self.postings[id as usize].entry(slot).or_default() += 1;
        }
    }

    /// (slot, BM25) of every document with a word of `query`.
    fn scores(&self, query: &[String]) -> Vec<(u32, f64)> {
        let n = self.len() as f64;
        let average = self.total_length as f64 / n.max(1.0);
        let mut scores = vec![0.0_f64; self.keys.len()];
        let mut touched = Vec::new();
        // Terms in a fixed order, so that the sums (and the ranking of near-ties) do not depend
        // on hash order: a rebuilt index answers exactly as before.
        let mut unique: Vec<&String> = query.iter().collect();
        unique.sort();
        unique.dedup();
        for term in unique {
            let Some(docs) = self.words.get(term).map(|&id| &self.postings[id as usize]) else {
                continue;
            };
            let df = docs.len() as f64;
            let idf = ((n - df + 0.5) / (df + 0.5) + 1.0).ln();
            for (&slot, &tf) in docs {
                let tf = f64::from(tf);
                let length = f64::from(self.lengths[slot as usize]);
                let part = idf * tf * (K1 + 1.0) / (tf + K1 * (1.0 - B + B * length / average));
                let score = &mut scores[slot as usize];
                if *score == 0.0 {
                    touched.push(slot);
                }
                *score += part;
            }
        }
        touched
            .into_iter()
            .map(|slot| (slot, scores[slot as usize]))
            .collect()
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
            .map_or(0, KeywordIndex::len);
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
        let pool = (offset + limit).max(1) * 4 + SEMANTIC_POOL;
        let semantic: HashMap<EntityKey, f64> = self
            .vectors
            .search(org, query_vector, pool, &keep)
            .into_iter()
            .map(|hit| (hit.key, f64::from(hit.score)))
            .collect();
        let all = self
            .keywords
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let empty = KeywordIndex::default();
        let index = all.get(&org).unwrap_or(&empty);
        let keyword: Vec<(u32, f64)> = index
            .scores(&terms(query))
            .into_iter()
            .filter(|&(slot, _)| keep(&index.keys[slot as usize]))
            .collect();
        let best_keyword = keyword.iter().map(|k| k.1).fold(0.0, f64::max);
        let scored = |key: &EntityKey, k: f64| {
            let k = k / best_keyword.max(f64::MIN_POSITIVE);
            let s = semantic.get(key).copied().unwrap_or(0.0).max(0.0);
            (KEYWORD_SHARE * k + (1.0 - KEYWORD_SHARE) * s, k, s)
        };
        // Every document found by a word, and those found by meaning alone that are reasonably
        // close (or every document would match): (score, keyword, semantic, key).
        let mut hits: Vec<(f64, f64, f64, &EntityKey)> = keyword
            .iter()
            .map(|&(slot, k)| {
                let key = &index.keys[slot as usize];
                let (score, k, s) = scored(key, k);
                (score, k, s, key)
            })
            .collect();
        let mut by_word = vec![false; index.keys.len()];
        for &(slot, _) in &keyword {
            by_word[slot as usize] = true;
        }
        for key in semantic.keys() {
            if index
                .slots
                .get(key)
                .is_some_and(|&slot| by_word[slot as usize])
            {
                continue;
            }
            let (score, k, s) = scored(key, 0.0);
            if s >= 0.3 {
                hits.push((score, k, s, key));
            }
        }
        let total = hits.len();
        let order = |a: &(f64, f64, f64, &EntityKey), b: &(f64, f64, f64, &EntityKey)| {
            b.0.total_cmp(&a.0).then(a.3.cmp(b.3))
        };
        // Only the page needs sorting: the best `offset + limit` are picked first.
        let wanted = (offset + limit).min(total);
        if wanted > 0 && wanted < total {
            hits.select_nth_unstable_by(wanted - 1, order);
            hits.truncate(wanted);
        }
        hits.sort_by(order);
        SearchPage {
            hits: hits
                .into_iter()
                .skip(offset)
                .take(limit)
                .map(|(score, keyword, semantic, key)| SearchHit {
                    key: key.clone(),
                    score,
                    keyword,
                    semantic,
                })
                .collect(),
            total,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(id: i64) -> EntityKey {
        EntityKey {
            kind: "candidate".into(),
            id,
        }
    }

    /// A unit vector pointing mostly along `axis`.
    fn vector(axis: usize) -> Vec<f32> {
        let mut v = vec![0.01_f32; super::super::DIM];
        v[axis] = 1.0;
        let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        v.iter_mut().for_each(|x| *x /= norm);
        v
    }

    #[test]
    fn replaced_and_removed_documents_are_found_only_as_they_are_now() {
        let search = DocumentSearch::default();
        search.upsert_text(1, key(1), "rust engineer in berlin");
        search.upsert_text(1, key(2), "nurse in hamburg");
        search.upsert_text(1, key(3), "rust and go developer");
        let ids = |query: &str| -> Vec<i64> {
            search
                .search(1, query, &vector(0), |_| true, 0, 10)
                .hits
                .iter()
                .map(|h| h.key.id)
                .collect()
        };
        assert_eq!(ids("rust"), [1, 3]);
        // Rewritten: its old words are gone, its new ones found.
        search.upsert_text(1, key(1), "pastry chef in berlin");
        assert_eq!(ids("rust"), [3]);
        assert_eq!(ids("pastry"), [1]);
        // Removed, then its slot reused by another document.
        search.remove(1, &key(2));
        assert!(ids("nurse").is_empty());
        search.upsert_text(1, key(4), "nurse and midwife");
        assert_eq!(ids("nurse"), [4]);
        assert_eq!(search.counts(1), (3, 0));
        // Another organisation's index is another index.
        assert!(search
            .search(2, "nurse", &vector(0), |_| true, 0, 10)
            .hits
            .is_empty());
    }

    #[test]
    fn pages_follow_one_order_and_count_every_hit() {
        let search = DocumentSearch::default();
        // Documents saying "rust" more or less often, some also close in meaning to the query.
        for id in 0..60_i64 {
            let text = format!(
                "{} engineer number {id}",
                "rust ".repeat(1 + (id % 7) as usize)
            );
            let axis = if id % 3 == 0 { 0 } else { 1 + id as usize };
            search
                .upsert(1, key(id), &text, &vector(axis))
                .expect("a vector of the right length");
        }
        // Close in meaning only, no shared word.
        search
            .upsert(1, key(100), "pastry chef", &vector(0))
            .expect("a vector of the right length");
        let query = vector(0);
        let all = search.search(1, "rust", &query, |_| true, 0, 100);
        assert_eq!(all.total, 61);
        assert_eq!(all.hits.len(), 61);
        assert!(all.hits.windows(2).all(|w| w[0].score >= w[1].score));
        assert!(all.hits.iter().any(|h| h.key.id == 100 && h.keyword == 0.0));
        // Pages are slices of that one order, whatever the page size.
        for size in [1, 7, 20] {
            let mut paged = Vec::new();
            let mut offset = 0;
            while offset < all.total {
                let page = search.search(1, "rust", &query, |_| true, offset, size);
                assert_eq!(page.total, all.total);
                paged.extend(page.hits);
                offset += size;
            }
            assert_eq!(paged, all.hits, "pages of {size}");
        }
        // A filter narrows the hits and the count alike.
        let even = search.search(1, "rust", &query, |k| k.id % 2 == 0, 0, 100);
        assert_eq!(even.total, 31);
        assert!(even.hits.iter().all(|h| h.key.id % 2 == 0));
    }
}
