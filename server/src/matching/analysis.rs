//! The matching screen's use case: skills of a CV and a job text, and the explained score.

use super::{
    esco::ESCO_ATTRIBUTION,
    occupations::{normalise_title, Prepared},
    rank::RankPlan,
    score::DEFAULT_WEIGHTS,
    EmbedError,
};
use crate::{error::internal, orgs, state::AppState};
use app::error::ApiError;
use http::request::Parts;
use shared::matching::{
    job_title, CandidateProfile, JobSpec, MatchAnalysis, OccupationSuggestions,
    SuggestedOccupation, MAX_ANALYSIS_CHARS,
};

/// Occupations shown for a job title.
const SUGGESTED_OCCUPATIONS: usize = 5;

fn check(field: &str, what: &str, text: &str) -> Result<(), ApiError> {
    if text.trim().is_empty() {
        return Err(ApiError::field(
            field,
            format!("Paste or upload the {what}."),
        ));
    }
    if text.chars().count() > MAX_ANALYSIS_CHARS {
        return Err(ApiError::field(
            field,
            format!("The {what} is longer than {MAX_ANALYSIS_CHARS} characters; shorten it."),
        ));
    }
    Ok(())
}

/// Any member of the organisation may analyse; nothing is stored.
#[tracing::instrument(skip_all, fields(slug = %slug), err)]
pub async fn analyse(
    state: &AppState,
    req: &Parts,
    slug: String,
    cv_text: String,
    job_text: String,
) -> Result<MatchAnalysis, ApiError> {
    orgs::caller(state, req, &slug).await?;
    check("cv_text", "CV", &cv_text)?;
    check("job_text", "job description", &job_text)?;

    let engine = &state.engine;
    let plan = RankPlan::new(
        engine.finder(),
        JobSpec {
            text: job_text.clone(),
            ..Default::default()
        },
        vec![CandidateProfile {
            text: cv_text.clone(),
            ..Default::default()
        }],
    );
    let prepared = state.occupations.get();
    let title = job_title(&job_text).to_owned();
    let mut texts = plan.texts.clone();
    if matches!(prepared, Prepared::Ready(_)) {
        texts.push(normalise_title(&title));
    }
    let mut vectors = engine.embeddings.embed(texts).await.map_err(|e| match e {
        EmbedError::Busy => ApiError::Busy,
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
