//! Candidates as the hiring team sees them (`CandidatesSeam`): the list with search and pages,
//! a profile, and the download of their files (`GET /o/{slug}/files/{id}`). Owners, admins and
//! recruiters see every candidate of their organisation; a hiring manager only those who applied
//! to a job whose hiring team they are on; other roles none. Another organisation's ids are "not
//! found", like ids that do not exist.

mod add;
mod prospects;
mod search;
mod skills;

pub use add::add_handler;

use crate::{
    documents::Extractor,
    matching::{
        duplicates::SAME_PERSON,
        index::EntityKey,
        store::{Document, DocumentStore, StoreError},
        EmbedError, Engine,
    },
    platform::{
        db::{now, Db},
        error::OrInternal,
        files::FileStore,
        uploads,
    },
    queue::{ClaimedJob, JobError, JobHandler, JobQueue, NewJob},
};
use app::{
    candidates::{
        api::{
            AddCandidateTag, Candidate as GetCandidate, Candidates as ListCandidates, JobProspects,
            MergeCandidates, RemoveCandidateTag,
        },
        seam::CandidatesSeam,
    },
    error::ApiError,
    seam::{Caller, Identity, OrgCaller},
};
use axum::{
    extract::{Path, Request, State},
    http::StatusCode,
    response::{IntoResponse, Response},
    Json,
};
use shared::{
    candidates::{
        ApplicationBrief, Candidate, CandidatePage, CandidateSummary, CvFile, Merge, Outcome,
        PossibleDuplicate, Prospect, Source,
    },
    Permission,
};
use std::sync::Arc;

/// Longest search text, in characters.
const MAX_QUERY_CHARS: usize = 200;

/// The job kind that puts a candidate into the search store (or takes a removed one out).
pub const INDEX_CANDIDATE: &str = "index_candidate";
/// The kind of a candidate's document in the search store.
pub const DOCUMENT_KIND: &str = "candidate";

/// Queues the indexing of candidate `id` inside the caller's transaction.
pub async fn queue_index(
    conn: &mut sqlx::AnyConnection,
    queue: &JobQueue,
    org_id: i64,
    id: i64,
) -> Result<(), ApiError> {
    let job = NewJob::new(INDEX_CANDIDATE, serde_json::json!({ "candidate_id": id }))
        .for_org(Some(org_id))
        .once_queued(format!("{INDEX_CANDIDATE}:{id}"));
    queue
        .enqueue(conn, job)
        .await
        .map(drop)
        .or_internal("queueing a candidate's indexing")
}

/// The candidates service; clones share everything.
#[derive(Clone)]
pub struct Candidates {
    db: Db,
    files: FileStore,
    identity: Arc<dyn Identity>,
    queue: JobQueue,
    documents: Arc<DocumentStore>,
    engine: Engine,
    extractor: Extractor,
    /// The skill filter's options, counted over every skill row of the organisation.
    skill_options: skills::Options,
}

/// Whose candidates a caller sees.
enum Scope {
    All,
    /// Those who applied to a job on this member's hiring team.
    Team(i64),
}

impl Scope {
    fn of(caller: &OrgCaller) -> Result<Self, ApiError> {
        caller.require(Permission::ViewCandidates)?;
        Ok(if caller.role().can(Permission::ManageJobs) {
            Self::All
        } else {
            Self::Team(caller.user_id())
        })
    }

    /// The condition on candidate `c` (the member's id is `$n` when scoped).
    fn filter(&self, n: usize) -> String {
        match self {
            Self::All => String::new(),
            Self::Team(_) => format!(" AND {}", self.condition(n)),
        }
    }

    /// The condition on candidate `c` for a team member (`$n`).
    fn condition(&self, n: usize) -> String {
        format!(
            "EXISTS (SELECT 1 FROM applications sa JOIN job_team st ON st.job_id = sa.job_id \
             WHERE sa.candidate_id = c.id AND st.user_id = ${n})"
        )
    }

    /// The condition on application `a`.
    fn application_filter(&self, n: usize) -> String {
        match self {
            Self::All => String::new(),
            Self::Team(_) => format!(
                " AND EXISTS (SELECT 1 FROM job_team st WHERE st.job_id = a.job_id AND st.user_id = ${n})"
            ),
        }
    }
}

#[derive(Clone, sqlx::FromRow)]
struct SummaryRow {
    id: i64,
    name: String,
    email: String,
    source: String,
    created_at: i64,
    deletion_requested_at: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct BriefRow {
    id: i64,
    candidate_id: i64,
    job_title: String,
    job_slug: String,
    stage: String,
    outcome: String,
    created_at: i64,
    cover_letter: String,
}

fn brief(row: &BriefRow) -> Result<ApplicationBrief, ApiError> {
    Ok(ApplicationBrief {
        id: row.id,
        job_title: row.job_title.clone(),
        job_slug: row.job_slug.clone(),
        stage: row.stage.clone(),
        outcome: Outcome::parse(&row.outcome).ok_or_else(|| corrupt("outcome", &row.outcome))?,
        applied_at: row.created_at,
    })
}

fn corrupt(what: &str, value: &str) -> ApiError {
    tracing::error!(what, value, "unknown value in the database");
    ApiError::Internal
}

/// What a profile is compared by when looking for its duplicates.
struct Compared<'a> {
    id: i64,
    email: &'a str,
    phone_key: &'a str,
    name_key: &'a str,
    /// Its CV is long enough to compare ([`MIN_CV_CHARS`]).
    has_cv: bool,
}

/// A CV shorter than this (none, or a few words) is not compared for duplicates: the vector
/// would be mostly the name.
const MIN_CV_CHARS: i64 = 200;

const SUMMARY_COLUMNS: &str = "c.id, c.name, c.email, c.source, c.created_at, \
    (SELECT MAX(d.deletion_requested_at) FROM applications d WHERE d.candidate_id = c.id) \
    AS deletion_requested_at";

impl Candidates {
    pub fn new(
        db: Db,
        files: FileStore,
        identity: Arc<dyn Identity>,
        queue: JobQueue,
        documents: Arc<DocumentStore>,
        engine: Engine,
        extractor: Extractor,
    ) -> Self {
        Self {
            db,
            files,
            identity,
            queue,
            documents,
            engine,
            extractor,
            skill_options: skills::Options::default(),
        }
    }

    /// Gives candidates stored before names were compared (migration 0021) their name key;
    /// how many it filled.
    pub async fn fill_name_keys(&self) -> Result<u64, sqlx::Error> {
        let (mut after, mut filled) = (0i64, 0u64);
        loop {
            let rows: Vec<(i64, String)> = sqlx::query_as(
                "SELECT id, name FROM candidates WHERE name_key = '' AND id > $1 \
                 ORDER BY id LIMIT 500",
            )
            .bind(after)
            .fetch_all(&self.db.pool)
            .await?;
            let Some(&(last, _)) = rows.last() else {
                return Ok(filled);
            };
            let mut tx = self.db.begin().await?;
            for (id, name) in &rows {
                sqlx::query("UPDATE candidates SET name_key = $1 WHERE id = $2")
                    .bind(shared::applications::name_key(name))
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            (after, filled) = (last, filled + rows.len() as u64);
        }
    }

    /// The job handler that keeps candidates in the search store.
    pub fn indexer(&self) -> Indexer {
        Indexer(self.clone())
    }

    /// Other profiles of the organisation with the same e-mail address, phone number, or name
    /// and a CV close enough in meaning ([`SAME_PERSON`]), among those the caller may see.
    async fn duplicates(
        &self,
        org_id: i64,
        scope: &Scope,
        of: Compared<'_>,
    ) -> Result<Vec<PossibleDuplicate>, ApiError> {
        let Compared {
            id,
            email,
            phone_key,
            name_key,
            has_cv,
        } = of;
        let sql = format!(
            "SELECT c.id, c.name, c.email, c.phone_key, c.name_key, \
             CAST(CASE WHEN LENGTH(c.cv_text) >= $6 THEN 1 ELSE 0 END AS BIGINT), \
             (SELECT COUNT(*) FROM applications a WHERE a.candidate_id = c.id) \
             FROM candidates c WHERE c.org_id = $1 AND c.id <> $2 \
             AND (c.email = $3 OR (c.phone_key = $4 AND c.phone_key <> '') \
             OR (c.name_key = $5 AND c.name_key <> '')){} \
             ORDER BY CASE WHEN c.email = $3 OR (c.phone_key = $4 AND c.phone_key <> '') \
             THEN 0 ELSE 1 END, c.created_at DESC, c.id DESC LIMIT 20",
            scope.filter(7)
        );
        let mut query = sqlx::query_as::<_, (i64, String, String, String, String, i64, i64)>(&sql)
            .bind(org_id)
            .bind(id)
            .bind(email)
            .bind(phone_key)
            .bind(name_key)
            .bind(MIN_CV_CHARS);
        if let Scope::Team(user_id) = scope {
            query = query.bind(*user_id);
        }
        let rows = query
            .fetch_all(&self.db.pool)
            .await
            .or_internal("looking for duplicates")?;
        // Same names are compared by their CVs' vectors (those indexed already), when both
        // have a CV to compare: two people without one share little more than their name.
        let same_name: Vec<i64> = rows
            .iter()
            .filter(|row| has_cv && row.5 == 1 && !name_key.is_empty() && row.4 == name_key)
            .map(|row| row.0)
            .chain(std::iter::once(id))
            .collect();
        let vectors = if same_name.len() > 1 {
            self.documents
                .vectors(org_id, DOCUMENT_KIND, &same_name)
                .await
                .or_internal("reading candidates' vectors")?
        } else {
            Default::default()
        };
        let close = |other: i64| {
            let (a, b) = (vectors.get(&id)?, vectors.get(&other)?);
            let similarity = f64::from(crate::matching::cosine(a, b));
            (similarity >= SAME_PERSON).then_some(similarity)
        };
        Ok(rows
            .into_iter()
            .filter_map(
                |(other, name, other_email, other_phone, other_name, other_cv, applications)| {
                    let mut reasons = Vec::new();
                    if other_email == email {
                        reasons.push("e-mail address".to_owned());
                    }
                    if !phone_key.is_empty() && other_phone == phone_key {
                        reasons.push("phone number".to_owned());
                    }
                    if has_cv && other_cv == 1 && !name_key.is_empty() && other_name == name_key {
                        if let Some(similarity) = close(other) {
                            reasons.push(format!(
                                "name, with CVs this close in meaning (similarity {similarity:.2})"
                            ));
                        }
                    }
                    (!reasons.is_empty()).then(|| PossibleDuplicate {
                        id: other,
                        name,
                        email: other_email,
                        reasons,
                        applications: applications.max(0) as usize,
                    })
                },
            )
            .collect())
    }

    /// Every file of a candidate, newest first.
    async fn files_of(&self, org_id: i64, id: i64) -> Result<Vec<CvFile>, ApiError> {
        let rows: Vec<(i64, String, String, i64)> = sqlx::query_as(
            "SELECT id, file_name, format, size_bytes FROM stored_files \
             WHERE org_id = $1 AND candidate_id = $2 ORDER BY created_at DESC, id DESC",
        )
        .bind(org_id)
        .bind(id)
        .fetch_all(&self.db.pool)
        .await
        .or_internal("listing a candidate's files")?;
        Ok(rows
            .into_iter()
            .map(|(id, file_name, format, size)| CvFile {
                id,
                file_name,
                format: format_label(&format).to_owned(),
                size_bytes: size.max(0) as u64,
            })
            .collect())
    }

    async fn merges_of(&self, org_id: i64, id: i64) -> Result<Vec<Merge>, ApiError> {
        let rows: Vec<(String, String, String, i64)> = sqlx::query_as(
            "SELECT merged_name, merged_email, by_name, at FROM candidate_merges \
             WHERE org_id = $1 AND candidate_id = $2 ORDER BY at DESC, id DESC",
        )
        .bind(org_id)
        .bind(id)
        .fetch_all(&self.db.pool)
        .await
        .or_internal("listing merges")?;
        Ok(rows
            .into_iter()
            .map(|(merged_name, merged_email, by, at)| Merge {
                merged_name,
                merged_email,
                by,
                at,
            })
            .collect())
    }

    /// The applications of `ids` that `scope` may see, newest first.
    async fn applications(
        &self,
        org_id: i64,
        scope: &Scope,
        ids: &[i64],
    ) -> Result<Vec<BriefRow>, ApiError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        // $1 the organisation, then the member (when scoped), then the ids.
        let first = if matches!(scope, Scope::Team(_)) {
            3
        } else {
            2
        };
        let placeholders: Vec<String> = (0..ids.len()).map(|i| format!("${}", i + first)).collect();
        let sql = format!(
            "SELECT a.id, a.candidate_id, j.title AS job_title, j.slug AS job_slug, s.name AS stage, \
             a.outcome, a.created_at, a.cover_letter FROM applications a \
             JOIN jobs j ON j.id = a.job_id JOIN job_stages s ON s.id = a.stage_id \
             WHERE a.org_id = $1 AND a.candidate_id IN ({}){} ORDER BY a.created_at DESC, a.id DESC",
            placeholders.join(", "),
            scope.application_filter(2),
        );
        let mut query = sqlx::query_as::<_, BriefRow>(&sql).bind(org_id);
        if let Scope::Team(user_id) = scope {
            query = query.bind(*user_id);
        }
        for id in ids {
            query = query.bind(*id);
        }
        query
            .fetch_all(&self.db.pool)
            .await
            .or_internal("listing applications")
    }

    /// The tags of candidates `ids`: (candidate, tag), alphabetical.
    async fn tags_of(&self, org_id: i64, ids: &[i64]) -> Result<Vec<(i64, String)>, ApiError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let placeholders: Vec<String> = (0..ids.len()).map(|i| format!("${}", i + 2)).collect();
        let sql = format!(
            "SELECT candidate_id, tag FROM candidate_tags WHERE org_id = $1 \
             AND candidate_id IN ({}) ORDER BY tag_key",
            placeholders.join(", ")
        );
        let mut query = sqlx::query_as::<_, (i64, String)>(&sql).bind(org_id);
        for id in ids {
            query = query.bind(*id);
        }
        query
            .fetch_all(&self.db.pool)
            .await
            .or_internal("reading tags")
    }

    fn summary(
        row: SummaryRow,
        briefs: &[BriefRow],
        tags: &[(i64, String)],
    ) -> Result<CandidateSummary, ApiError> {
        let applications = briefs
            .iter()
            .filter(|b| b.candidate_id == row.id)
            .map(brief)
            .collect::<Result<Vec<_>, ApiError>>()?;
        Ok(CandidateSummary {
            id: row.id,
            source: Source::parse(&row.source).ok_or_else(|| corrupt("source", &row.source))?,
            name: row.name,
            email: row.email,
            created_at: row.created_at,
            applications,
            deletion_requested_at: row.deletion_requested_at,
            reasons: Vec::new(),
            tags: tags
                .iter()
                .filter(|(id, _)| *id == row.id)
                .map(|(_, tag)| tag.clone())
                .collect(),
        })
    }

    /// The candidate `id` of the caller's organisation, for a change by someone who manages
    /// candidates.
    async fn managed(&self, caller: &OrgCaller, id: i64) -> Result<(), ApiError> {
        caller.require(Permission::ManageCandidates)?;
        let found: Option<i64> =
            sqlx::query_scalar("SELECT id FROM candidates WHERE id = $1 AND org_id = $2")
                .bind(id)
                .bind(caller.org_id())
                .fetch_optional(&self.db.pool)
                .await
                .or_internal("reading a candidate")?;
        found.map(drop).ok_or(ApiError::NotFound)
    }

    /// The file `file_id` of the caller's organisation, if the caller may see it: (key, name,
    /// format).
    async fn file_for(
        &self,
        caller: &OrgCaller,
        file_id: i64,
    ) -> Result<(String, String, String), ApiError> {
        let scope = Scope::of(caller)?;
        let sql = format!(
            "SELECT f.object_key, f.file_name, f.format FROM stored_files f \
             JOIN candidates c ON c.id = f.candidate_id \
             WHERE f.id = $1 AND f.org_id = $2 AND c.org_id = $2{}",
            scope.filter(3)
        );
        let mut query = sqlx::query_as(&sql).bind(file_id).bind(caller.org_id());
        if let Scope::Team(user_id) = scope {
            query = query.bind(user_id);
        }
        query
            .fetch_optional(&self.db.pool)
            .await
            .or_internal("reading a file")?
            .ok_or(ApiError::NotFound)
    }
}

#[async_trait::async_trait]
impl CandidatesSeam for Candidates {
    async fn candidates(
        &self,
        caller: &OrgCaller,
        input: ListCandidates,
    ) -> Result<CandidatePage, ApiError> {
        search::run(self, caller, input).await
    }

    async fn prospects(
        &self,
        caller: &OrgCaller,
        input: JobProspects,
    ) -> Result<Vec<Prospect>, ApiError> {
        prospects::run(self, caller, input).await
    }

    async fn candidate(
        &self,
        caller: &OrgCaller,
        input: GetCandidate,
    ) -> Result<Candidate, ApiError> {
        let scope = Scope::of(caller)?;
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS} FROM candidates c WHERE c.id = $1 AND c.org_id = $2{}",
            scope.filter(3)
        );
        let mut query = sqlx::query_as::<_, SummaryRow>(&sql)
            .bind(input.id)
            .bind(caller.org_id());
        if let Scope::Team(user_id) = scope {
            query = query.bind(user_id);
        }
        let row = query
            .fetch_optional(&self.db.pool)
            .await
            .or_internal("reading a candidate")?
            .ok_or(ApiError::NotFound)?;
        let (phone, phone_key, name_key, links, cv_text, cv_file_id): (
            String,
            String,
            String,
            String,
            String,
            Option<i64>,
        ) = sqlx::query_as(
            "SELECT phone, phone_key, name_key, links, cv_text, cv_file_id FROM candidates \
                 WHERE id = $1 AND org_id = $2",
        )
        .bind(input.id)
        .bind(caller.org_id())
        .fetch_one(&self.db.pool)
        .await
        .or_internal("reading a candidate")?;
        let briefs = self
            .applications(caller.org_id(), &scope, &[row.id])
            .await?;
        let cover_letters = briefs
            .iter()
            .filter(|b| !b.cover_letter.is_empty())
            .map(|b| (b.job_title.clone(), b.cover_letter.clone()))
            .collect();
        let mut files = self.files_of(caller.org_id(), row.id).await?;
        // The CV in use first, then the others newest first.
        if let Some(pos) = files.iter().position(|f| Some(f.id) == cv_file_id) {
            let current = files.remove(pos);
            files.insert(0, current);
        }
        let cv = files.first().filter(|f| Some(f.id) == cv_file_id).cloned();
        let duplicates = self
            .duplicates(
                caller.org_id(),
                &scope,
                Compared {
                    id: row.id,
                    email: &row.email,
                    phone_key: &phone_key,
                    name_key: &name_key,
                    has_cv: cv_text.chars().count() >= MIN_CV_CHARS as usize,
                },
            )
            .await?;
        let merges = self.merges_of(caller.org_id(), row.id).await?;
        let tags = self.tags_of(caller.org_id(), &[row.id]).await?;
        let skills = skills::of(&self.db, caller.org_id(), &[row.id])
            .await?
            .into_iter()
            .map(|(_, skill)| skill)
            .collect();
        Ok(Candidate {
            summary: Self::summary(row, &briefs, &tags)?,
            phone,
            links: links.lines().map(str::to_owned).collect(),
            cv,
            files,
            duplicates,
            merges,
            can_manage: caller.role().can(Permission::ManageCandidates),
            cv_text,
            cover_letters,
            skills,
        })
    }

    async fn add_tag(
        &self,
        caller: &OrgCaller,
        input: AddCandidateTag,
    ) -> Result<Candidate, ApiError> {
        self.managed(caller, input.id).await?;
        let tag = shared::candidates::tag("tag", &input.tag)?;
        let org_id = caller.org_id();
        let count: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM candidate_tags WHERE candidate_id = $1 AND org_id = $2",
        )
        .bind(input.id)
        .bind(org_id)
        .fetch_one(&self.db.pool)
        .await
        .or_internal("counting tags")?;
        if count >= shared::candidates::MAX_TAGS as i64 {
            return Err(ApiError::field(
                "tag",
                format!(
                    "A candidate has at most {} tags; remove one first.",
                    shared::candidates::MAX_TAGS
                ),
            ));
        }
        sqlx::query(
            "INSERT INTO candidate_tags (candidate_id, org_id, tag, tag_key) \
             VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        )
        .bind(input.id)
        .bind(org_id)
        .bind(&tag)
        .bind(shared::candidates::tag_key(&tag))
        .execute(&self.db.pool)
        .await
        .or_internal("tagging a candidate")?;
        let again = GetCandidate {
            slug: input.slug,
            id: input.id,
        };
        self.candidate(caller, again).await
    }

    async fn remove_tag(
        &self,
        caller: &OrgCaller,
        input: RemoveCandidateTag,
    ) -> Result<Candidate, ApiError> {
        self.managed(caller, input.id).await?;
        sqlx::query(
            "DELETE FROM candidate_tags WHERE candidate_id = $1 AND org_id = $2 AND tag_key = $3",
        )
        .bind(input.id)
        .bind(caller.org_id())
        .bind(shared::candidates::tag_key(input.tag.trim()))
        .execute(&self.db.pool)
        .await
        .or_internal("removing a tag")?;
        let again = GetCandidate {
            slug: input.slug,
            id: input.id,
        };
        self.candidate(caller, again).await
    }

    async fn merge_candidates(
        &self,
        caller: &OrgCaller,
        input: MergeCandidates,
    ) -> Result<Candidate, ApiError> {
        caller.require(Permission::ManageCandidates)?;
        if input.keep == input.merge {
            return Err(ApiError::field(
                "merge",
                "A profile cannot be merged into itself; choose another one.",
            ));
        }
        let org_id = caller.org_id();
        let by_name = self.db.user_name(caller.user_id()).await?;
        let mut tx = self.db.begin().await.or_internal("starting transaction")?;
        type Row = (
            i64,
            String,
            String,
            String,
            String,
            String,
            String,
            Option<i64>,
            String,
        );
        // Two merges at once must not interleave (B into A while C goes into B): on
        // PostgreSQL both rows are locked, the lower id first; on SQLite a transaction holds the
        // write lock from its start (`Db::begin`), so merges run one after the other.
        let lock = match self.db.backend {
            crate::platform::db::Backend::Postgres => " FOR UPDATE",
            crate::platform::db::Backend::Sqlite => "",
        };
        let sql = format!(
            "SELECT id, name, email, phone, phone_key, links, cv_text, cv_file_id, source \
             FROM candidates WHERE id = $1 AND org_id = $2{lock}"
        );
        let read = |id: i64| sqlx::query_as::<_, Row>(&sql).bind(id).bind(org_id);
        if input.merge < input.keep {
            read(input.merge)
                .fetch_optional(&mut *tx)
                .await
                .or_internal("reading a candidate")?;
        }
        let keep = read(input.keep)
            .fetch_optional(&mut *tx)
            .await
            .or_internal("reading a candidate")?
            .ok_or(ApiError::NotFound)?;
        let gone = read(input.merge)
            .fetch_optional(&mut *tx)
            .await
            .or_internal("reading a candidate")?
            .ok_or(ApiError::NotFound)?;
        // What the kept profile lacks comes from the other: a phone, links, a CV.
        let (phone, phone_key) = if keep.3.is_empty() {
            (gone.3.clone(), gone.4.clone())
        } else {
            (keep.3.clone(), keep.4.clone())
        };
        let mut links: Vec<&str> = keep.5.lines().collect();
        for link in gone.5.lines() {
            if !links.contains(&link) {
                links.push(link);
            }
        }
        let (cv_text, cv_file_id) = if keep.7.is_none() {
            (gone.6.clone(), gone.7)
        } else {
            (keep.6.clone(), keep.7)
        };
        let at = now();
        for (sql, what) in [
            (
                "UPDATE applications SET candidate_id = $1 WHERE candidate_id = $2 AND org_id = $3",
                "moving applications",
            ),
            (
                "UPDATE stored_files SET candidate_id = $1 WHERE candidate_id = $2 AND org_id = $3",
                "moving files",
            ),
            (
                "UPDATE candidate_merges SET candidate_id = $1 WHERE candidate_id = $2 AND org_id = $3",
                "moving earlier merges",
            ),
            (
                "INSERT INTO candidate_tags (candidate_id, org_id, tag, tag_key) \
                 SELECT $1, org_id, tag, tag_key FROM candidate_tags \
                 WHERE candidate_id = $2 AND org_id = $3 ON CONFLICT DO NOTHING",
                "copying tags",
            ),
        ] {
            sqlx::query(sql)
                .bind(keep.0)
                .bind(gone.0)
                .bind(org_id)
                .execute(&mut *tx)
                .await
                .or_internal(what)?;
        }
        sqlx::query(
            "UPDATE candidates SET phone = $1, phone_key = $2, links = $3, cv_text = $4, \
             cv_file_id = $5, updated_at = $6 WHERE id = $7 AND org_id = $8",
        )
        .bind(&phone)
        .bind(&phone_key)
        .bind(links.join("\n"))
        .bind(&cv_text)
        .bind(cv_file_id)
        .bind(at)
        .bind(keep.0)
        .bind(org_id)
        .execute(&mut *tx)
        .await
        .or_internal("updating the kept candidate")?;
        sqlx::query(
            "INSERT INTO candidate_merges (org_id, candidate_id, merged_name, merged_email, \
             by_user, by_name, at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(org_id)
        .bind(keep.0)
        .bind(&gone.1)
        .bind(&gone.2)
        .bind(caller.user_id())
        .bind(&by_name)
        .bind(at)
        .execute(&mut *tx)
        .await
        .or_internal("recording a merge")?;
        // Nothing may still point at it: its applications and files were moved above.
        let left: i64 = sqlx::query_scalar(
            "SELECT (SELECT COUNT(*) FROM applications WHERE candidate_id = $1) \
             + (SELECT COUNT(*) FROM stored_files WHERE candidate_id = $1)",
        )
        .bind(gone.0)
        .fetch_one(&mut *tx)
        .await
        .or_internal("checking a merge")?;
        let removed = sqlx::query("DELETE FROM candidates WHERE id = $1 AND org_id = $2")
            .bind(gone.0)
            .bind(org_id)
            .execute(&mut *tx)
            .await
            .or_internal("removing the merged candidate")?;
        if left != 0 || removed.rows_affected() != 1 {
            // Another change got in between: nothing of this merge is kept.
            return Err(ApiError::field(
                "merge",
                "These profiles changed while merging; reload the page and try again.",
            ));
        }
        queue_index(&mut tx, &self.queue, org_id, keep.0).await?;
        queue_index(&mut tx, &self.queue, org_id, gone.0).await?;
        tx.commit().await.or_internal("merging candidates")?;
        self.queue.wake();
        tracing::info!(org_id, kept = keep.0, merged = gone.0, "candidates merged");
        self.candidate(
            caller,
            GetCandidate {
                slug: input.slug,
                id: keep.0,
            },
        )
        .await
    }
}

/// Puts a candidate's name and CV into the search store and their skills beside them, or takes
/// a removed one out.
pub struct Indexer(Candidates);

#[async_trait::async_trait]
impl JobHandler for Indexer {
    async fn run(&self, job: &ClaimedJob) -> Result<(), JobError> {
        let candidates = &self.0;
        let id = job
            .payload
            .get("candidate_id")
            .and_then(serde_json::Value::as_i64)
            .ok_or_else(|| JobError::Fatal("the payload has no candidate_id".into()))?;
        let org_id = job
            .org_id
            .ok_or_else(|| JobError::Fatal("the job has no organisation".into()))?;
        let row: Option<(String, String, String)> = sqlx::query_as(
            "SELECT name, links, cv_text FROM candidates WHERE id = $1 AND org_id = $2",
        )
        .bind(id)
        .bind(org_id)
        .fetch_optional(&candidates.db.pool)
        .await
        .map_err(|e| JobError::Retry(format!("reading candidate {id}: {e}")))?;
        let key = EntityKey {
            kind: DOCUMENT_KIND.to_owned(),
            id,
        };
        let Some((name, links, cv_text)) = row else {
            // Merged away or deleted: out of the search store too.
            return candidates
                .documents
                .remove(org_id, &key)
                .await
                .map(drop)
                .map_err(|e| JobError::Retry(e.to_string()));
        };
        let body = format!("{cv_text}\n{links}");
        let document = Document {
            title: &name,
            body: body.trim(),
        };
        match candidates.documents.put(org_id, key, document).await {
            Ok(_) => {}
            Err(StoreError::Embedding(EmbedError::Busy)) => {
                return Err(JobError::Busy("the embedding model is busy".into()))
            }
            Err(err) => return Err(JobError::Retry(err.to_string())),
        }
        let found = skills::extract(&candidates.engine, &cv_text).await?;
        skills::store(&candidates.db, org_id, id, &found)
            .await
            .map_err(|e| JobError::Retry(format!("storing candidate {id}'s skills: {e}")))?;
        candidates.skill_options.forget(org_id);
        Ok(())
    }
}

fn format_label(format: &str) -> &'static str {
    match format {
        "pdf" => "PDF",
        "docx" => "Word (DOCX)",
        "markdown" => "Markdown",
        _ => "Text",
    }
}

fn content_type(format: &str) -> &'static str {
    shared::chat::FileKind::parse(format)
        .unwrap_or(shared::chat::FileKind::Text)
        .content_type()
}

fn fail(error: ApiError) -> Response {
    let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::NOT_FOUND);
    (status, Json(error)).into_response()
}

/// `GET /o/{slug}/files/{id}`: a stored file, as an attachment, for members who may see it.
pub async fn file_handler(
    State(candidates): State<Candidates>,
    Path((slug, file_id)): Path<(String, String)>,
    request: Request,
) -> Response {
    let (parts, _) = request.into_parts();
    let Ok(file_id) = file_id.parse::<i64>() else {
        return fail(ApiError::NotFound);
    };
    let identity = candidates.identity.as_ref();
    let caller = async {
        let caller = Caller::resolve(identity, &parts).await?;
        OrgCaller::resolve(identity, &caller, &slug).await
    };
    let caller = match caller.await {
        Ok(caller) => caller,
        Err(error) => return fail(error),
    };
    let (key, name, format) = match candidates.file_for(&caller, file_id).await {
        Ok(found) => found,
        Err(error) => return fail(error),
    };
    let bytes = match candidates.files.get(&key).await {
        Ok(bytes) => bytes,
        Err(err) => {
            tracing::error!(error = %err, file_id, "a recorded file is missing from the file store");
            return fail(ApiError::Internal);
        }
    };
    tracing::info!(
        org_id = caller.org_id(),
        user_id = caller.user_id(),
        file_id,
        "file downloaded"
    );
    uploads::download(bytes, content_type(&format), &name)
}
