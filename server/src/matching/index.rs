//! A per-organisation in-memory vector index with compact storage.
//!
//! Each vector is stored as 384 signed bytes plus one scale (unit vectors quantised to int8:
//! 388 bytes instead of 1,536), so a scan reads a quarter of the memory an f32 index would; the
//! search is an exact scan of the quantised vectors, whose scores differ from f32 cosine by well
//! under 1 % (recall is measured in the benchmark). Organisations never share an index, so one
//! organisation's documents cannot appear in another's results. The index is generic over the
//! entity: a key is a kind ("candidate", "job", …) and an id.

use super::DIM;
use std::collections::{BinaryHeap, HashMap};

/// What a vector belongs to.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct EntityKey {
    pub kind: String,
    pub id: i64,
}

/// One organisation's vectors.
#[derive(Default)]
pub struct VectorIndex {
    keys: Vec<EntityKey>,
    codes: Vec<i8>,
    scales: Vec<f32>,
    slots: HashMap<EntityKey, usize>,
}

/// A vector of the wrong length (not from our model, or damaged in storage).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("a vector must have {DIM} dimensions, this one has {0}")]
pub struct WrongDimension(pub usize);

/// A search hit.
#[derive(Clone, Debug, PartialEq)]
pub struct Hit {
    pub key: EntityKey,
    pub score: f32,
}

fn quantise(vector: &[f32]) -> (Vec<i8>, f32) {
    let max = vector.iter().fold(0.0f32, |m, x| m.max(x.abs()));
    let scale = if max > 0.0 { max / 127.0 } else { 1.0 };
    let codes = vector
        .iter()
        .map(|x| (x / scale).round().clamp(-127.0, 127.0) as i8)
        .collect();
    (codes, scale)
}

/// Indexes from this many vectors are scanned by several threads: a scan that size is bound by
/// memory bandwidth, which one core cannot use up.
const PARALLEL_ROWS: usize = 50_000;

/// The threads work bound by memory bandwidth is split over (large scans here, a short text's
/// dense layers in `bert.rs`): started once and shared by every query, rather than threads
/// started for each query. `None` when the pool could not start (the work then runs on the
/// caller's thread).
pub(super) static SCAN_POOL: std::sync::LazyLock<Option<rayon::ThreadPool>> =
    std::sync::LazyLock::new(|| {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(|i| format!("vector-scan-{i}"))
            .build()
            .map_err(|e| tracing::warn!(error = %e, "cannot start the vector scan threads"))
            .ok()
    });

/// The dot product of `query` with every stored vector, into `out` (one per vector).
fn dot_all(query: &[i8], codes: &[i8], out: &mut Vec<i32>) {
    let parts = match &*SCAN_POOL {
        Some(pool) if codes.len() / DIM >= PARALLEL_ROWS => pool.current_num_threads(),
        _ => 1,
    };
    dot_all_threads(query, codes, out, parts);
}

/// [`dot_all`] in `parts` pieces on the scan pool.
fn dot_all_threads(query: &[i8], codes: &[i8], out: &mut Vec<i32>, parts: usize) {
    use rayon::prelude::*;
    let rows = codes.len() / DIM;
    out.clear();
    out.resize(rows, 0);
    let Some(pool) = SCAN_POOL.as_ref().filter(|_| parts > 1) else {
        return scan(query, codes, out);
    };
    let per_part = rows.div_ceil(parts);
    pool.install(|| {
        codes
            .par_chunks(per_part * DIM)
            .zip(out.par_chunks_mut(per_part))
            .for_each(|(codes, out)| scan(query, codes, out));
    });
}

/// One thread's part of [`dot_all`] (`kernels`, compiled optimised in every build).
fn scan(query: &[i8], codes: &[i8], out: &mut [i32]) {
    kernels::dot_i8_rows::<{ DIM / 32 }>(query, codes, out);
}

impl VectorIndex {
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Bytes the vectors take.
    pub fn vector_bytes(&self) -> usize {
        self.codes.len() + self.scales.len() * 4
    }

    /// Adds a vector, or replaces the one stored under the same key.
    pub fn upsert(&mut self, key: EntityKey, vector: &[f32]) -> Result<(), WrongDimension> {
        if vector.len() != DIM {
            return Err(WrongDimension(vector.len()));
        }
        let (codes, scale) = quantise(vector);
        match self.slots.get(&key) {
            Some(&slot) => {
                self.codes[slot * DIM..(slot + 1) * DIM].copy_from_slice(&codes);
                self.scales[slot] = scale;
            }
            None => {
                self.slots.insert(key.clone(), self.keys.len());
                self.keys.push(key);
                self.codes.extend_from_slice(&codes);
                self.scales.push(scale);
            }
        }
        Ok(())
    }

    /// Removes a key's vector; `false` when there was none.
    pub fn remove(&mut self, key: &EntityKey) -> bool {
        let Some(slot) = self.slots.remove(key) else {
            return false;
        };
        let last = self.keys.len() - 1;
        if slot != last {
            self.keys.swap(slot, last);
            self.scales.swap(slot, last);
            let (head, tail) = self.codes.split_at_mut(last * DIM);
            head[slot * DIM..(slot + 1) * DIM].copy_from_slice(&tail[..DIM]);
            self.slots.insert(self.keys[slot].clone(), slot);
        }
        self.keys.pop();
        self.scales.pop();
        self.codes.truncate(last * DIM);
        true
    }

    /// The `k` entities closest to `query` among those `keep` accepts, best first (equal
    /// scores in key order).
    pub fn search(&self, query: &[f32], k: usize, keep: impl Fn(&EntityKey) -> bool) -> Vec<Hit> {
        // Never more than there are: a huge k must not size the heap below.
        let k = k.min(self.keys.len());
        if k == 0 {
            return Vec::new();
        }
        let (q, q_scale) = quantise(query);
        let mut dots = Vec::new();
        dot_all(&q, &self.codes, &mut dots);
        // The k best so far, the worst on top: a vector enters only if it beats that one, so
        // the filter runs for few of them and nothing the size of the index is allocated.
        let mut best: BinaryHeap<Worse<'_>> = BinaryHeap::with_capacity(k + 1);
        for (slot, (&dot, &scale)) in dots.iter().zip(&self.scales).enumerate() {
            let candidate = Worse {
                score: dot as f32 * q_scale * scale,
                key: &self.keys[slot],
            };
            if best.len() == k && best.peek().is_some_and(|worst| candidate >= *worst) {
                continue;
            }
            if !keep(candidate.key) {
                continue;
            }
            best.push(candidate);
            if best.len() > k {
                best.pop();
            }
        }
        best.into_sorted_vec()
            .into_iter()
            .map(|w| Hit {
                key: w.key.clone(),
                score: w.score,
            })
            .collect()
    }
}

/// A scored key ordered from best to worst: higher score first, then smaller key.
struct Worse<'a> {
    score: f32,
    key: &'a EntityKey,
}

impl Ord for Worse<'_> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        other
            .score
            .total_cmp(&self.score)
            .then_with(|| self.key.cmp(other.key))
    }
}

impl PartialOrd for Worse<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Worse<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other).is_eq()
    }
}

impl Eq for Worse<'_> {}

/// Every organisation's index; a search names its organisation and sees nothing else.
#[derive(Default)]
pub struct OrganisationIndexes {
    by_org: std::sync::RwLock<HashMap<i64, VectorIndex>>,
}

impl OrganisationIndexes {
    pub fn upsert(&self, org: i64, key: EntityKey, vector: &[f32]) -> Result<(), WrongDimension> {
        let mut all = self
            .by_org
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        all.entry(org).or_default().upsert(key, vector)
    }

    /// How many vectors the organisation has.
    pub fn len(&self, org: i64) -> usize {
        self.by_org
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(&org)
            .map_or(0, VectorIndex::len)
    }

    pub fn remove(&self, org: i64, key: &EntityKey) -> bool {
        let mut all = self
            .by_org
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        all.get_mut(&org).is_some_and(|index| index.remove(key))
    }

    pub fn search(
        &self,
        org: i64,
        query: &[f32],
        k: usize,
        keep: impl Fn(&EntityKey) -> bool,
    ) -> Vec<Hit> {
        let all = self
            .by_org
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        all.get(&org)
            .map_or_else(Vec::new, |index| index.search(query, k, keep))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(seed: u64) -> Vec<f32> {
        // A deterministic pseudo-random unit vector.
        let mut x = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let mut v: Vec<f32> = (0..DIM)
            .map(|_| {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                ((x >> 33) as f32 / (1u64 << 31) as f32) - 0.5
            })
            .collect();
        let norm = v.iter().map(|a| a * a).sum::<f32>().sqrt();
        v.iter_mut().for_each(|a| *a /= norm);
        v
    }

    fn key(kind: &str, id: i64) -> EntityKey {
        EntityKey {
            kind: kind.into(),
            id,
        }
    }

    #[test]
    fn search_finds_the_nearest_and_honours_filters() {
        let mut index = VectorIndex::default();
        for id in 0..200 {
            index
                .upsert(
                    key(if id % 2 == 0 { "candidate" } else { "job" }, id),
                    &unit(id as u64),
                )
                .expect("a 384-dimension vector");
        }
        let hits = index.search(&unit(42), 3, |_| true);
        assert_eq!(hits[0].key, key("candidate", 42));
        assert!((hits[0].score - 1.0).abs() < 0.01, "{}", hits[0].score);
        let jobs = index.search(&unit(42), 5, |k| k.kind == "job");
        assert_eq!(jobs.len(), 5);
        assert!(jobs.iter().all(|h| h.key.kind == "job"));
        assert_eq!(index.vector_bytes(), 200 * (DIM + 4));
    }

    #[test]
    fn update_and_remove_keep_the_index_consistent() {
        let mut index = VectorIndex::default();
        for id in 0..10 {
            index
                .upsert(key("candidate", id), &unit(id as u64))
                .expect("a 384-dimension vector");
        }
        index
            .upsert(key("candidate", 3), &unit(1000))
            .expect("a 384-dimension vector");
        assert_eq!(index.len(), 10);
        assert_eq!(
            index.search(&unit(1000), 1, |_| true)[0].key,
            key("candidate", 3)
        );
        assert!(index.remove(&key("candidate", 0)));
        assert!(!index.remove(&key("candidate", 0)));
        assert_eq!(index.len(), 9);
        // The vector moved into the freed slot is still found under its own key.
        assert_eq!(
            index.search(&unit(9), 1, |_| true)[0].key,
            key("candidate", 9)
        );
        assert!(index
            .search(&unit(0), 9, |_| true)
            .iter()
            .all(|h| h.key.id != 0));
    }

    #[test]
    fn the_simd_scan_equals_the_portable_dot_product() {
        let codes: Vec<i8> = (0..DIM * 50)
            .map(|i| ((i * 7919 + 13) % 255) as i32 - 127)
            .map(|x| x as i8)
            .collect();
        let query: Vec<i8> = (0..DIM)
            .map(|i| ((i * 31) % 255) as i32 - 127)
            .map(|x| x as i8)
            .collect();
        let mut extreme = vec![127i8; DIM];
        extreme[0] = -127;
        for q in [&query, &extreme] {
            let slow: Vec<i32> = codes
                .chunks_exact(DIM)
                .map(|row| kernels::dot_i8(q, row))
                .collect();
            // One thread, and the parts of a parallel scan (uneven on purpose) put together.
            for threads in [1, 3] {
                let mut fast = Vec::new();
                dot_all_threads(q, &codes, &mut fast, threads);
                assert_eq!(fast, slow, "{threads} threads");
            }
        }
    }

    #[test]
    fn a_vector_of_the_wrong_length_is_refused_and_changes_nothing() {
        let mut index = VectorIndex::default();
        index
            .upsert(key("candidate", 1), &unit(1))
            .expect("a 384-dimension vector");
        assert_eq!(
            index.upsert(key("candidate", 1), &[0.5; 12]),
            Err(WrongDimension(12))
        );
        assert_eq!(index.len(), 1);
        assert_eq!(
            index.search(&unit(1), 1, |_| true)[0].key,
            key("candidate", 1)
        );
    }

    #[test]
    fn organisations_never_see_each_other() {
        let indexes = OrganisationIndexes::default();
        indexes
            .upsert(1, key("candidate", 7), &unit(7))
            .expect("a 384-dimension vector");
        indexes
            .upsert(2, key("candidate", 8), &unit(7))
            .expect("a 384-dimension vector");
        let hits = indexes.search(1, &unit(7), 10, |_| true);
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].key.id, 7);
        assert!(indexes.search(3, &unit(7), 10, |_| true).is_empty());
        assert!(!indexes.remove(1, &key("candidate", 8)));
    }

    #[test]
    fn int8_search_agrees_with_exact_f32_search() {
        let mut index = VectorIndex::default();
        let vectors: Vec<Vec<f32>> = (0..5000).map(unit).collect();
        for (id, v) in vectors.iter().enumerate() {
            index
                .upsert(key("candidate", id as i64), v)
                .expect("a 384-dimension vector");
        }
        let mut found = 0;
        let queries = 20;
        for q in 0..queries {
            let query = unit(1_000_000 + q);
            let mut exact: Vec<(f32, i64)> = vectors
                .iter()
                .enumerate()
                .map(|(id, v)| (super::super::cosine(&query, v), id as i64))
                .collect();
            exact.sort_by(|a, b| b.0.total_cmp(&a.0));
            let truth: std::collections::HashSet<i64> = exact[..50].iter().map(|e| e.1).collect();
            found += index
                .search(&query, 50, |_| true)
                .iter()
                .filter(|h| truth.contains(&h.key.id))
                .count();
        }
        let recall = found as f64 / (50 * queries) as f64;
        assert!(recall >= 0.95, "recall@50 {recall}");
    }
}
