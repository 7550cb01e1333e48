//! The matching screen's use case: skills of a CV and a job text, and the explained score.

use super::{
    esco::ESCO_ATTRIBUTION,
    occupations::{normalise_title, OccupationService, Prepared},
    rank::RankPlan,
    score::DEFAULT_WEIGHTS,
    EmbedError, Engine,
};
use crate::platform::{error::internal, limits::PerKey};
use app::{
    error::ApiError,
    matching::{
        api::{AnalyseMatch, OccupationTaxonomy},
        seam::MatchingSeam,
    },
    seam::OrgCaller,
};
use shared::{
    matching::{
        job_title, CandidateProfile, JobSpec, MatchAnalysis, OccupationSuggestions,
        SuggestedOccupation, TaxonomyStatus,
    },
    permissions::Permission,
};

/// Occupations shown for a job title.
const SUGGESTED_OCCUPATIONS: usize = 5;
/// Texts (CV pieces, phrases, the job) one analysis may embed; far above what two texts of
/// `MAX_ANALYSIS_CHARS` usually make, and a bound on what one request can cost.
pub const MAX_ANALYSIS_TEXTS: usize = 8_192;

/// The matching service; clones share the engine.
#[derive(Clone)]
pub struct Matching {
    engine: Engine,
    occupations: OccupationService,
    /// One analysis at a time per person, so nobody fills the model's queue alone.
    in_flight: PerKey<i64>,
}

impl Matching {
    pub fn new(engine: Engine, occupations: OccupationService) -> Self {
        Self {
            engine,
            occupations,
            in_flight: PerKey::new(1),
        }
    }
}

#[async_trait::async_trait]
impl MatchingSeam for Matching {
    /// Any member of the organisation may analyse; nothing is stored.
    #[tracing::instrument(skip_all, fields(org_id = caller.org_id()), err)]
    async fn analyse_match(
        &self,
        caller: &OrgCaller,
        input: AnalyseMatch,
    ) -> Result<MatchAnalysis, ApiError> {
        let AnalyseMatch {
            cv_text, job_text, ..
        } = input;
        ApiError::check(shared::matching::check_analysis(&cv_text, &job_text))?;
        let _in_flight =
            self.in_flight
                .try_start(caller.user_id())
                .ok_or(ApiError::RateLimited {
                    retry_after_secs: 5,
                })?;

        let prepared = self.occupations.get();
        let title = job_title(&job_text).to_owned();
        let finder = self.engine.finder();
        // Finding phrases in up to 2 × 100k characters is real work: not on the runtime.
        let (plan, cv_text, job_text) = tokio::task::spawn_blocking(move || {
            let plan = RankPlan::new(
                finder,
                JobSpec {
                    text: job_text.clone(),
                    ..Default::default()
                },
                vec![CandidateProfile {
                    text: cv_text.clone(),
                    ..Default::default()
                }],
            );
            (plan, cv_text, job_text)
        })
        .await
        .map_err(|e| internal("planning a match analysis", e))?;
        let mut texts = plan.texts.clone();
        if matches!(prepared, Prepared::Ready(_)) {
            texts.push(normalise_title(&title));
        }
        let mut vectors = self
            .engine
            .embeddings
            .embed_all(texts, MAX_ANALYSIS_TEXTS)
            .await
            .map_err(|e| match e {
                EmbedError::Busy => ApiError::Busy,
                EmbedError::TooMany { given, max } => ApiError::field(
                    "cv_text",
                    format!(
                        "The CV and the job description together hold too much to analyse at \
                         once ({given} pieces; the limit is {max}). Shorten them."
                    ),
                ),
                other => internal("embedding for a match analysis", other),
            })?;
        let occupations = match prepared {
            Prepared::NotImported => OccupationSuggestions::NotImported,
            Prepared::Preparing => OccupationSuggestions::Preparing,
            Prepared::Ready(occupations) => {
                let title_vector = vectors.pop().unwrap_or_default();
                OccupationSuggestions::Ready {
                    occupations: occupations
                        .closest(&title, &title_vector, SUGGESTED_OCCUPATIONS)
                        .into_iter()
                        .map(|o| SuggestedOccupation {
                            skills: occupations.skills_of(&o.uri).unwrap_or_default(),
                            uri: o.uri,
                            label: o.label,
                            score: o.score,
                        })
                        .collect(),
                    title,
                    attribution: ESCO_ATTRIBUTION.to_owned(),
                }
            }
        };
        let year = time::OffsetDateTime::now_utc().year();
        // Extraction and scoring are quick but not free; keep them off the runtime's threads.
        tokio::task::spawn_blocking(move || {
            let mut ranking = plan.finish(vectors, DEFAULT_WEIGHTS, year);
            ranking.ranked.pop().map(|ranked| MatchAnalysis {
                cv_skills: ranked.skills,
                job_skills: ranking.job_skills,
                explanation: ranked.explanation,
                occupations,
                cv_text,
                job_text,
            })
        })
        .await
        .map_err(|e| internal("scoring a match analysis", e))?
        .ok_or(ApiError::Internal)
    }

    /// Administrators only (it is about operating the server).
    #[tracing::instrument(skip_all, fields(org_id = caller.org_id()), err)]
    async fn occupation_taxonomy(
        &self,
        caller: &OrgCaller,
        _input: OccupationTaxonomy,
    ) -> Result<TaxonomyStatus, ApiError> {
        caller.require(Permission::ViewBackgroundJobs)?;
        Ok(match self.occupations.get() {
            Prepared::NotImported => TaxonomyStatus::NotImported,
            Prepared::Preparing => TaxonomyStatus::Preparing,
            Prepared::Ready(occupations) => TaxonomyStatus::Ready {
                occupations: occupations.labels().len(),
            },
        })
    }
}
