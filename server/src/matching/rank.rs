//! Ranking candidates for a job: one embedding round for the job text, every CV piece and the
//! phrases skills may hide in, then the explained score for each candidate, best first.

use super::{
    job_ad::JobAd,
    score::{self, AnalysedCandidate, AnalysedJob, Weights},
    semantic::{Phrase, SkillFinder},
};
use shared::matching::{
    CandidateProfile, ExtractedSkill, JobSpec, MatchExplanation, RequiredSkill,
};
use std::ops::Range;

/// The texts to embed for a ranking, and where each part's vectors are among them.
pub struct RankPlan {
    finder: SkillFinder,
    job: JobSpec,
    candidates: Vec<CandidateProfile>,
    /// The job text first, then each candidate's pieces in order, then the phrases.
    pub texts: Vec<String>,
    pieces: Vec<Range<usize>>,
    /// The phrases of the job text (first) and of each CV, and where their vectors are.
    phrases: Vec<(Vec<Phrase>, Range<usize>)>,
}

impl RankPlan {
    pub fn new(finder: SkillFinder, job: JobSpec, candidates: Vec<CandidateProfile>) -> Self {
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
        let mut phrases = Vec::with_capacity(candidates.len() + 1);
        for text in std::iter::once(&job.text).chain(candidates.iter().map(|c| &c.text)) {
            let found = finder.phrases(text);
            let start = texts.len();
            texts.extend(found.iter().map(|p| text[p.start..p.end].to_owned()));
            phrases.push((found, start..texts.len()));
        }
        Self {
            finder,
            job,
            candidates,
            texts,
            pieces,
            phrases,
        }
    }

    /// Scores every candidate with the vectors of `texts` (same order), best first; ties keep
    /// the input order.
    pub fn finish(self, vectors: Vec<Vec<f32>>, weights: Weights, current_year: i32) -> Ranking {
        let Self {
            finder,
            job,
            candidates,
            pieces,
            phrases,
            ..
        } = self;
        let skills_of = |i: usize, text: &str, cv_year| {
            let (phrases, range) = &phrases[i];
            finder.extract(text, cv_year, phrases, &vectors[range.clone()])
        };
        let job_skills = skills_of(0, &job.text, None);
        let matcher = &finder.matcher;
        let ad = JobAd::read(&job.text);
        let (spec, years_asked) = score::read_job(&job, &ad);
        let job = AnalysedJob {
            required: score::required_skills(matcher, &job, &ad, &job_skills),
            vector: vectors.first().cloned().unwrap_or_default(),
            years_asked,
            spec,
        };
        let mut ranked: Vec<Ranked> = candidates
            .into_iter()
            .zip(pieces)
            .enumerate()
            .map(|(index, (profile, range))| {
                let years = profile
                    .years_experience
                    .or_else(|| score::years_in_roles(&profile.text, current_year));
                let candidate = AnalysedCandidate {
                    skills: skills_of(index + 1, &profile.text, Some(current_year)),
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
        Ranking {
            job_skills,
            required: job.required,
            ranked,
        }
    }
}

/// A ranking's result.
pub struct Ranking {
    /// The skills found in the job text.
    pub job_skills: Vec<ExtractedSkill>,
    /// What the job asks for (its own list, or read from its text).
    pub required: Vec<RequiredSkill>,
    /// The candidates, best first.
    pub ranked: Vec<Ranked>,
}

/// One candidate's result.
pub struct Ranked {
    /// Position in the input.
    pub index: usize,
    pub explanation: MatchExplanation,
    /// The skills found in the CV (with level, years and last use).
    pub skills: Vec<ExtractedSkill>,
}
