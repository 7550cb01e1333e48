//! Ranking candidates for a job: one embedding round for the job text and every CV piece, then
//! the explained score for each candidate, best first.

use super::{
    score::{self, AnalysedCandidate, AnalysedJob, Weights},
    skills::SkillMatcher,
};
use shared::matching::{CandidateProfile, ExtractedSkill, JobSpec, MatchExplanation};

/// The texts to embed for a ranking, and where each candidate's pieces are among them.
pub struct RankPlan {
    job: JobSpec,
    candidates: Vec<CandidateProfile>,
    /// The job text first, then each candidate's pieces in order.
    pub texts: Vec<String>,
    pieces: Vec<std::ops::Range<usize>>,
}

impl RankPlan {
    pub fn new(job: JobSpec, candidates: Vec<CandidateProfile>) -> Self {
        let mut texts = vec![job.text.clone()];
        let mut pieces = Vec::with_capacity(candidates.len());
        for candidate in &candidates {
            let start = texts.len();
            let chunks = score::cv_chunks(&candidate.text);
            if chunks.is_empty() {
                // An empty CV still gets a vector (of the empty text), so it scores, low.
                texts.push(String::new());
            } else {
                texts.extend(chunks.into_iter().map(str::to_owned));
            }
            pieces.push(start..texts.len());
        }
        Self {
            job,
            candidates,
            texts,
            pieces,
        }
    }

    /// Scores every candidate with the vectors of `texts` (same order), best first; ties keep
    /// the input order.
    pub fn finish(
        self,
        vectors: Vec<Vec<f32>>,
        matcher: &SkillMatcher,
        weights: Weights,
        current_year: i32,
    ) -> Vec<Ranked> {
        let required = score::required_skills(matcher, &self.job);
        let job = AnalysedJob {
            required,
            vector: vectors.first().cloned().unwrap_or_default(),
            spec: self.job,
        };
        let mut ranked: Vec<Ranked> = self
            .candidates
            .into_iter()
            .zip(self.pieces)
            .enumerate()
            .map(|(index, (profile, range))| {
                let years = profile
                    .years_experience
                    .or_else(|| score::years_in_roles(&profile.text, current_year));
                let candidate = AnalysedCandidate {
                    skills: matcher.extract(&profile.text, Some(current_year)),
                    chunk_vectors: vectors[range].to_vec(),
                    years,
                    profile,
                };
                Ranked {
                    index,
                    explanation: score::explain(&job, &candidate, matcher, weights),
                    skills: candidate.skills,
                }
            })
            .collect();
        ranked.sort_by(|a, b| {
            (b.explanation.score)
                .cmp(&a.explanation.score)
                .then(a.index.cmp(&b.index))
        });
        ranked
    }
}

/// One candidate's result.
pub struct Ranked {
    /// Position in the input.
    pub index: usize,
    pub explanation: MatchExplanation,
    /// The skills found in the CV (with level, years and last use).
    pub skills: Vec<ExtractedSkill>,
}
