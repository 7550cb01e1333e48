//! The matching engine: on-server sentence embeddings and everything built on them.

pub mod analysis;
pub mod bert;
pub mod catalog;
pub mod duplicates;
pub mod embedding;
pub mod esco;
pub mod index;
pub mod job_ad;
pub mod layout;
pub mod model;
pub mod occupations;
pub mod quality;
pub mod rank;
pub mod registry;
pub mod reranker;
pub mod score;
pub mod search;
pub mod semantic;
pub mod skills;
pub mod store;

pub use embedding::{BatchSettings, EmbedError, EmbeddingService};
pub use model::{ModelError, SentenceEncoder, DIM, MODEL_ID};

use catalog::Catalog;
use semantic::{SkillFinder, SkillVectorService};
use skills::SkillMatcher;
use std::{path::Path, sync::Arc};

/// Cosine similarity of two unit vectors (their dot product).
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    kernels::dot(a, b)
}

/// The engine the server shares: one loaded model behind its batching thread, and the skill
/// catalog prepared for matching by name and (once its names are embedded) by similarity.
#[derive(Clone)]
pub struct Engine {
    pub embeddings: EmbeddingService,
    pub skills: Arc<SkillMatcher>,
    pub skill_vectors: SkillVectorService,
}

impl Engine {
    /// Loads the model from `model_dir` (checking its files) and starts the inference thread.
    /// Blocking: call it from `spawn_blocking` or before the runtime starts.
    pub fn load(model_dir: &Path, settings: BatchSettings) -> Result<Self, ModelError> {
        let encoder = SentenceEncoder::load(model_dir)?;
        Ok(Self {
            embeddings: EmbeddingService::start(encoder, settings),
            skills: Arc::new(SkillMatcher::new(Arc::new(Catalog::builtin()))),
            skill_vectors: SkillVectorService::default(),
        })
    }

    /// Skills by name, and by similarity once the catalog's names are embedded.
    pub fn finder(&self) -> SkillFinder {
        SkillFinder {
            matcher: self.skills.clone(),
            vectors: self.skill_vectors.get(),
        }
    }
}
