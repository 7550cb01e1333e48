//! The skills the engine finds in a candidate's CV, kept beside the candidate (written by the
//! indexing job, in one transaction per candidate): the profile lists them, the search filters
//! by them and quotes them as reasons.

use crate::{
    matching::{analysis::MAX_ANALYSIS_TEXTS, score::evidence, EmbedError, Engine},
    platform::{
        db::{Conditions, Db},
        error::OrInternal,
    },
    queue::JobError,
};
use app::error::ApiError;
use shared::candidates::{CandidateSkill, Quote};
use std::{
    sync::Arc,
    time::{Duration, Instant},
};

/// The skills of `cv_text`, most certain first, each with the first sentence that shows it.
pub(super) async fn extract(
    engine: &Engine,
    cv_text: &str,
) -> Result<Vec<CandidateSkill>, JobError> {
    if cv_text.trim().is_empty() {
        return Ok(Vec::new());
    }
    let finder = engine.finder();
    let text = cv_text.to_owned();
    // Finding phrases in a long CV is real work: not on the runtime.
    let (finder, text, phrases) = tokio::task::spawn_blocking(move || {
        let phrases = finder.phrases(&text);
        (finder, text, phrases)
    })
    .await
    .map_err(|e| JobError::Retry(format!("finding phrases: {e}")))?;
    let pieces: Vec<String> = phrases
        .iter()
        .map(|p| text[p.start..p.end].to_owned())
        .collect();
    let vectors = if pieces.is_empty() {
        Vec::new()
    } else {
        match engine
            .embeddings
            .embed_all(pieces, MAX_ANALYSIS_TEXTS)
            .await
        {
            Ok(vectors) => vectors,
            Err(EmbedError::Busy) => {
                return Err(JobError::Busy("the embedding model is busy".into()))
            }
            Err(err) => return Err(JobError::Retry(format!("embedding a CV's phrases: {err}"))),
        }
    };
    let year = time::OffsetDateTime::now_utc().year();
    tokio::task::spawn_blocking(move || {
        let mut found = finder.extract(&text, Some(year), &phrases, &vectors);
        found.sort_by(|a, b| {
            b.confidence
                .total_cmp(&a.confidence)
                .then_with(|| a.label.cmp(&b.label))
        });
        found
            .into_iter()
            .map(|skill| CandidateSkill {
                evidence: evidence(&text, &skill.spans)
                    .into_iter()
                    .next()
                    .map(|e| Quote {
                        snippet: e.snippet,
                        mark: e.mark,
                    }),
                label: skill.label,
                level: skill.level,
                years: skill.years,
                last_used: skill.last_used,
                inferred: skill.inferred,
            })
            .collect()
    })
    .await
    .map_err(|e| JobError::Retry(format!("extracting skills: {e}")))
}

/// Replaces the stored skills of candidate `id` (if it still exists) with `skills`.
pub(super) async fn store(
    db: &Db,
    org_id: i64,
    id: i64,
    skills: &[CandidateSkill],
) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    let exists: Option<i64> =
        sqlx::query_scalar("SELECT id FROM candidates WHERE id = $1 AND org_id = $2")
            .bind(id)
            .bind(org_id)
            .fetch_optional(&mut *tx)
            .await?;
    sqlx::query("DELETE FROM candidate_skills WHERE candidate_id = $1 AND org_id = $2")
        .bind(id)
        .bind(org_id)
        .execute(&mut *tx)
        .await?;
    if exists.is_some() {
        for (position, skill) in skills.iter().enumerate() {
            let detail = serde_json::to_string(skill).unwrap_or_else(|_| "{}".to_owned());
            sqlx::query(
                "INSERT INTO candidate_skills \
                 (candidate_id, org_id, label, label_key, position, detail) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
            )
            .bind(id)
            .bind(org_id)
            .bind(&skill.label)
            .bind(skill.label.to_lowercase())
            .bind(position as i64)
            .bind(detail)
            .execute(&mut *tx)
            .await?;
        }
    }
    tx.commit().await
}

/// The stored skills of candidates `ids`: (candidate, skill), each candidate's most certain
/// first.
pub(super) async fn of(
    db: &Db,
    org_id: i64,
    ids: &[i64],
) -> Result<Vec<(i64, CandidateSkill)>, ApiError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders: Vec<String> = (0..ids.len()).map(|i| format!("${}", i + 2)).collect();
    // `org_id + 0`: by the candidates' key, never by the organisation's index (SQLite, without
    // statistics, took that one and read every skill of the organisation: 1.7 s at 100,000
    // candidates; docs/BENCHMARKS.md, "Candidate search").
    let sql = format!(
        "SELECT candidate_id, detail FROM candidate_skills WHERE candidate_id IN ({}) \
         AND org_id + 0 = $1 ORDER BY candidate_id, position",
        placeholders.join(", ")
    );
    let mut query = sqlx::query_as::<_, (i64, String)>(&sql).bind(org_id);
    for id in ids {
        query = query.bind(*id);
    }
    let rows = query
        .fetch_all(&db.pool)
        .await
        .or_internal("reading skills")?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, detail)| match serde_json::from_str(&detail) {
            Ok(skill) => Some((id, skill)),
            Err(error) => {
                tracing::error!(%error, candidate_id = id, "unreadable stored skill");
                None
            }
        })
        .collect())
}

/// The skills found in the organisation's CVs, most common first (at most `limit`): read from
/// the skills' own index, without the candidates.
pub(super) async fn common_in_org(
    db: &Db,
    org_id: i64,
    limit: i64,
) -> Result<Vec<String>, ApiError> {
    sqlx::query_scalar(
        "SELECT MIN(label) FROM candidate_skills WHERE org_id = $1 GROUP BY label_key \
         ORDER BY COUNT(*) DESC, MIN(label) LIMIT $2",
    )
    .bind(org_id)
    .bind(limit)
    .fetch_all(&db.pool)
    .await
    .or_internal("listing skills")
}

/// The skills found in the CVs of the candidates `seen` lets through (conditions on `c`), most
/// common first (at most `limit`).
pub(super) async fn common(
    db: &Db,
    seen: &Conditions,
    limit: i64,
) -> Result<Vec<String>, ApiError> {
    let sql = format!(
        "SELECT MIN(cs.label) FROM candidate_skills cs JOIN candidates c ON c.id = cs.candidate_id \
         WHERE {} GROUP BY cs.label_key ORDER BY COUNT(*) DESC, MIN(cs.label) LIMIT ${}",
        seen.sql(),
        seen.next()
    );
    seen.bind_scalar(sqlx::query_scalar(&sql))
        .bind(limit)
        .fetch_all(&db.pool)
        .await
        .or_internal("listing skills")
}

/// The skill filter's options of each organisation (and hiring manager), counted at most once a
/// minute: counting reads every skill row of the organisation (hundreds of milliseconds at
/// 100,000 candidates). A CV's skills written here count them again at once; written by another
/// instance, within the minute.
/// Options counted for (organisation, hiring manager or 0 for all): when, and which.
type Counted = std::collections::HashMap<(i64, i64), (Instant, Vec<String>)>;

#[derive(Clone, Default)]
pub(super) struct Options {
    counted: Arc<std::sync::Mutex<Counted>>,
    /// Bumped by [`Options::forget`]: a count begun before is not kept.
    generation: Arc<std::sync::atomic::AtomicU64>,
}

/// How long counted options are used.
const OPTIONS_FOR: Duration = Duration::from_secs(60);

impl Options {
    /// The options of `org_id` as `scope` sees them: counted by `count` when there are none
    /// from the last minute.
    pub(super) async fn get<F>(
        &self,
        org_id: i64,
        scope: &super::Scope,
        count: impl FnOnce() -> F,
    ) -> Result<Vec<String>, ApiError>
    where
        F: std::future::Future<Output = Result<Vec<String>, ApiError>>,
    {
        let key = (
            org_id,
            match scope {
                super::Scope::All => 0,
                super::Scope::Team(user_id) => *user_id,
            },
        );
        use std::sync::atomic::Ordering;
        let kept = {
            let options = self.counted.lock().unwrap_or_else(|e| e.into_inner());
            options
                .get(&key)
                .filter(|(at, _)| at.elapsed() < OPTIONS_FOR)
                .map(|(_, list)| list.clone())
        };
        if let Some(list) = kept {
            return Ok(list);
        }
        let generation = self.generation.load(Ordering::Acquire);
        let list = count().await?;
        let mut options = self.counted.lock().unwrap_or_else(|e| e.into_inner());
        if self.generation.load(Ordering::Acquire) != generation {
            // Skills were written while counting: this count may miss them.
            return Ok(list);
        }
        // Counted ones past their minute go, so the map holds only the recently searched.
        options.retain(|_, (at, _)| at.elapsed() < OPTIONS_FOR);
        options.insert(key, (Instant::now(), list.clone()));
        Ok(list)
    }

    /// Counts the organisation's options again at their next use (its skills changed here).
    pub(super) fn forget(&self, org_id: i64) {
        let mut options = self.counted.lock().unwrap_or_else(|e| e.into_inner());
        self.generation
            .fetch_add(1, std::sync::atomic::Ordering::AcqRel);
        options.retain(|(org, _), _| *org != org_id);
    }
}
