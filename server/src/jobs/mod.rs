//! Jobs: writing them, their status (draft → published → closed → archived, with who and when),
//! the list with search, filters, order and pages, and their place in the search store.
//!
//! Every write queues an `index_job` job in the same transaction, so the search store follows
//! the job even when the model is busy or the server stops right after the write.

use crate::{
    matching::{
        esco::ESCO_ATTRIBUTION,
        index::EntityKey,
        occupations::{normalise_title, OccupationService, Prepared},
        rank::RankPlan,
        score::DEFAULT_WEIGHTS,
        store::{Document, DocumentStore, StoreError},
        EmbedError, Engine,
    },
    platform::{
        db::{now, unique_violation, Db, Unique},
        error::OrInternal,
        limits::{PerKey, RateLimit},
    },
    queue::{ClaimedJob, JobError, JobHandler, JobQueue, NewJob},
    realtime::{AccessChange, Hub},
};
use app::{
    careers::{
        api::{Careers as GetCareers, CareersJob as GetCareersJob},
        seam::CareersSeam,
    },
    error::ApiError,
    jobs::{
        api::{
            ChangeJobStatus, GetJob, JobSkillSuggestions, Jobs as ListJobs, SaveJob, SaveJobSkills,
            SaveJobTeam,
        },
        seam::JobsSeam,
    },
    seam::{OrgCaller, Visitor},
};
use shared::{
    jobs::{
        self as rules, Careers, CareersJob, EmploymentType, Job, JobPage, JobSkill, JobSort,
        JobStatus, JobSummary, PublicJob, PublicJobSummary, Salary, SkillSuggestions, StatusChange,
        TeamMember, TeamRole, JOBS_PER_PAGE, MAX_TEAM,
    },
    matching::{RemotePolicy, Requirement},
    validation::FieldError,
    Permission,
};
use std::{sync::Arc, time::Duration};

/// Jobs an organisation may write (create or save) per hour: far above what people type, a bound
/// on what a script can queue for indexing.
const JOB_WRITES_PER_HOUR: u32 = 600;
/// Longest search text and filter value of the job list, in characters.
const MAX_FILTER_CHARS: usize = 200;

/// The job kind that puts a job into the search store.
pub const INDEX_JOB: &str = "index_job";
/// The kind of a job's document in the search store.
pub const DOCUMENT_KIND: &str = "job";

/// The job service; clones share everything.
#[derive(Clone)]
pub struct Jobs {
    db: Db,
    queue: JobQueue,
    documents: Arc<DocumentStore>,
    /// Suggests a job's skills from its text.
    engine: Engine,
    occupations: OccupationService,
    /// Told when a hiring team changes (who may see its applications' conversations).
    hub: Hub,
    /// One suggestion at a time per person, so nobody fills the model's queue alone.
    suggesting: PerKey<i64>,
    /// Job writes per organisation.
    writes: Arc<RateLimit<i64>>,
    /// The site's public address, for the absolute links of careers pages (the logo).
    public_url: Arc<url::Url>,
}

#[derive(sqlx::FromRow)]
struct JobRow {
    id: i64,
    org_id: i64,
    slug: String,
    title: String,
    department: String,
    location: String,
    remote: String,
    employment: String,
    salary_min: Option<i64>,
    salary_max: Option<i64>,
    salary_currency: String,
    salary_public: i64,
    description: String,
    status: String,
    updated_at: i64,
}

const JOB_COLUMNS: &str = "id, org_id, slug, title, department, location, remote, employment, \
     salary_min, salary_max, salary_currency, salary_public, description, status, updated_at";

#[derive(sqlx::FromRow)]
struct SummaryRow {
    slug: String,
    id: i64,
    title: String,
    department: String,
    location: String,
    remote: String,
    employment: String,
    status: String,
    updated_at: i64,
}

/// Which jobs a caller sees.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scope {
    All,
    /// Those whose hiring team this user is on.
    Team(i64),
}

/// A stored value that is not one of ours: the row was written by something else.
fn corrupt(what: &str, value: &str) -> ApiError {
    crate::platform::error::internal("reading a job", format!("unknown {what} {value:?}"))
}

fn status_of(raw: &str) -> Result<JobStatus, ApiError> {
    JobStatus::parse(raw).ok_or_else(|| corrupt("status", raw))
}

impl SummaryRow {
    fn into_summary(self) -> Result<JobSummary, ApiError> {
        Ok(JobSummary {
            id: self.id,
            remote: rules::parse_remote(&self.remote)
                .ok_or_else(|| corrupt("remote", &self.remote))?,
            employment: EmploymentType::parse(&self.employment)
                .ok_or_else(|| corrupt("employment", &self.employment))?,
            status: status_of(&self.status)?,
            slug: self.slug,
            title: self.title,
            department: self.department,
            location: self.location,
            updated_at: self.updated_at,
        })
    }
}

/// Markdown to HTML, then cleaned: raw HTML in the text is shown as text, never passed through;
/// links keep only http, https and mailto and open nothing with the page's rights.
pub fn render_description(markdown: &str) -> String {
    use pulldown_cmark::{Event, Options, Parser};
    let events = Parser::new_ext(
        markdown,
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH,
    )
    .map(|event| match event {
        Event::Html(html) | Event::InlineHtml(html) => Event::Text(html),
        other => other,
    });
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, events);
    ammonia::Builder::default()
        // Images would load from anywhere the writer chose; a job ad has none.
        .rm_tags(["img"])
        .url_schemes(["http", "https", "mailto"].into())
        .link_rel(Some("noopener noreferrer nofollow"))
        .clean(&html)
        .to_string()
}

/// The form's values, checked and parsed.
struct Checked {
    title: String,
    department: String,
    location: String,
    remote: &'static str,
    employment: &'static str,
    salary_min: Option<i64>,
    salary_max: Option<i64>,
    salary_currency: String,
    salary_public: bool,
    description: String,
}

fn check(input: &SaveJob) -> Result<Checked, ApiError> {
    ApiError::check(app::jobs::api::check_save_job(input))?;
    let remote = rules::parse_remote(&input.remote)
        .map(rules::remote_as_str)
        .ok_or_else(|| FieldError::new("remote", "Choose on-site, hybrid or remote."))?;
    let employment = EmploymentType::parse(&input.employment)
        .map(EmploymentType::as_str)
        .ok_or_else(|| FieldError::new("employment", "Choose the kind of employment."))?;
    let salary_min = rules::salary_amount("salary_min", &input.salary_min)?;
    let salary_max = rules::salary_amount("salary_max", &input.salary_max)?;
    // The currency is kept even without an amount, so the form shows it next time.
    let salary_currency =
        rules::currency("salary_currency", &input.salary_currency).unwrap_or_else(|_| "EUR".into());
    Ok(Checked {
        title: input.title.trim().to_owned(),
        department: input.department.trim().to_owned(),
        location: input.location.trim().to_owned(),
        remote,
        employment,
        salary_min,
        salary_max,
        salary_currency,
        salary_public: input.salary_public.as_deref() == Some("on"),
        // Line endings as the browser sends them (CRLF) would double every line break.
        description: input
            .description
            .replace("\r\n", "\n")
            .trim_end()
            .to_owned(),
    })
}

/// `%`, `_` and `\` match themselves in a LIKE pattern.
pub(crate) fn like_pattern(text: &str) -> String {
    let mut out = String::from("%");
    for c in text.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

impl Jobs {
    pub fn new(
        db: Db,
        queue: JobQueue,
        documents: Arc<DocumentStore>,
        engine: Engine,
        occupations: OccupationService,
        public_url: Arc<url::Url>,
        hub: Hub,
    ) -> Self {
        Self {
            db,
            queue,
            documents,
            engine,
            occupations,
            public_url,
            hub,
            suggesting: PerKey::new(1),
            writes: Arc::new(
                RateLimit::new(JOB_WRITES_PER_HOUR, Duration::from_secs(3600))
                    .expect("a non-zero limit"),
            ),
        }
    }

    /// The handler of `index_job` jobs.
    pub fn indexer(&self) -> Indexer {
        Indexer(self.clone())
    }

    /// Which jobs the caller sees: all of them (those who manage jobs), or those whose hiring
    /// team they are on (hiring managers); others may not see jobs at all.
    fn scope(caller: &OrgCaller) -> Result<Scope, ApiError> {
        caller.require(Permission::ViewJobs)?;
        Ok(if caller.role().can(Permission::ManageJobs) {
            Scope::All
        } else {
            Scope::Team(caller.user_id())
        })
    }

    /// Whether `user_id` is on the team of job `job_id`.
    async fn on_team(&self, job_id: i64, user_id: i64) -> Result<bool, ApiError> {
        let found: Option<(i64,)> =
            sqlx::query_as("SELECT job_id FROM job_team WHERE job_id = $1 AND user_id = $2")
                .bind(job_id)
                .bind(user_id)
                .fetch_optional(&self.db.pool)
                .await
                .or_internal("reading a hiring team")?;
        Ok(found.is_some())
    }

    async fn row(&self, org_id: i64, slug: &str) -> Result<JobRow, ApiError> {
        sqlx::query_as(&format!(
            "SELECT {JOB_COLUMNS} FROM jobs WHERE org_id = $1 AND slug = $2"
        ))
        .bind(org_id)
        .bind(slug)
        .fetch_optional(&self.db.pool)
        .await
        .or_internal("reading a job")?
        .ok_or(ApiError::NotFound)
    }

    async fn full(&self, row: JobRow, can_manage: bool) -> Result<Job, ApiError> {
        let skills: Vec<(String, String, Option<i64>, String)> = sqlx::query_as(
            "SELECT label, requirement, level, alternatives FROM job_skills WHERE job_id = $1 \
             ORDER BY position",
        )
        .bind(row.id)
        .fetch_all(&self.db.pool)
        .await
        .or_internal("reading a job's skills")?;
        let team: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT t.user_id, u.name, t.role FROM job_team t JOIN users u ON u.id = t.user_id \
             WHERE t.job_id = $1 ORDER BY CASE t.role WHEN 'recruiter' THEN 0 \
             WHEN 'hiring_manager' THEN 1 ELSE 2 END, u.name, u.id",
        )
        .bind(row.id)
        .fetch_all(&self.db.pool)
        .await
        .or_internal("reading a hiring team")?;
        let team = team
            .into_iter()
            .map(|(user_id, name, role)| {
                Ok(TeamMember {
                    user_id,
                    name,
                    role: TeamRole::parse(&role).ok_or_else(|| corrupt("team role", &role))?,
                })
            })
            .collect::<Result<_, ApiError>>()?;
        let history: Vec<(String, String, i64)> = sqlx::query_as(
            "SELECT status, by_name, at FROM job_status_changes WHERE job_id = $1 ORDER BY id",
        )
        .bind(row.id)
        .fetch_all(&self.db.pool)
        .await
        .or_internal("reading a job's history")?;
        let skills = skills
            .into_iter()
            .map(|(label, requirement, level, alternatives)| JobSkill {
                label,
                required: if requirement == "nice" {
                    Requirement::Nice
                } else {
                    Requirement::Must
                },
                level: level.and_then(|l| u8::try_from(l).ok()),
                alternatives: alternatives
                    .lines()
                    .filter(|a| !a.is_empty())
                    .map(str::to_owned)
                    .collect(),
            })
            .collect();
        let history = history
            .into_iter()
            .map(|(status, by, at)| {
                Ok(StatusChange {
                    status: status_of(&status)?,
                    by,
                    at,
                })
            })
            .collect::<Result<_, ApiError>>()?;
        Ok(Job {
            id: row.id,
            description_html: render_description(&row.description),
            remote: rules::parse_remote(&row.remote)
                .ok_or_else(|| corrupt("remote", &row.remote))?,
            employment: EmploymentType::parse(&row.employment)
                .ok_or_else(|| corrupt("employment", &row.employment))?,
            status: status_of(&row.status)?,
            salary: Salary {
                min: row.salary_min,
                max: row.salary_max,
                currency: row.salary_currency,
                public: row.salary_public != 0,
            },
            slug: row.slug,
            title: row.title,
            department: row.department,
            location: row.location,
            description: row.description,
            skills,
            team,
            history,
            updated_at: row.updated_at,
            can_manage,
        })
    }

    /// Marks the job at `slug` changed now, in `tx`, and gives its id.
    async fn touch(tx: &mut sqlx::AnyConnection, org_id: i64, slug: &str) -> Result<i64, ApiError> {
        let id: Option<(i64,)> = sqlx::query_as(
            "UPDATE jobs SET updated_at = $1 WHERE org_id = $2 AND slug = $3 RETURNING id",
        )
        .bind(now())
        .bind(org_id)
        .bind(slug)
        .fetch_optional(tx)
        .await
        .or_internal("saving a job")?;
        id.map(|(id,)| id).ok_or(ApiError::NotFound)
    }

    /// Records a status change by the caller, in `tx`.
    async fn record_status(
        tx: &mut sqlx::AnyConnection,
        job_id: i64,
        status: JobStatus,
        caller: &OrgCaller,
        at: i64,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO job_status_changes (job_id, status, by_user, by_name, at) \
             SELECT $1, $2, id, name, $3 FROM users WHERE id = $4",
        )
        .bind(job_id)
        .bind(status.as_str())
        .bind(at)
        .bind(caller.user_id())
        .execute(tx)
        .await
        .map(drop)
    }

    async fn queue_index(
        &self,
        tx: &mut sqlx::AnyConnection,
        org_id: i64,
        job_id: i64,
    ) -> Result<(), sqlx::Error> {
        let job = NewJob::new(INDEX_JOB, serde_json::json!({ "job_id": job_id }))
            .for_org(Some(org_id))
            .once_queued(format!("{INDEX_JOB}:{job_id}"));
        self.queue.enqueue(tx, job).await.map(drop)
    }

    /// A new draft with the first free address made from its title.
    async fn create(&self, caller: &OrgCaller, job: &Checked) -> Result<String, ApiError> {
        let base = rules::slug_of(&job.title);
        // Another writer may take the same address between the read and the insert: try again.
        for _ in 0..3 {
            let taken: Vec<(String,)> = sqlx::query_as(
                "SELECT slug FROM jobs WHERE org_id = $1 AND (slug = $2 OR slug LIKE $3)",
            )
            .bind(caller.org_id())
            .bind(&base)
            .bind(format!("{base}-%"))
            .fetch_all(&self.db.pool)
            .await
            .or_internal("reading job addresses")?;
            let slug = std::iter::once(base.clone())
                .chain((2..).map(|n| format!("{base}-{n}")))
                .find(|s| !taken.iter().any(|(t,)| t == s))
                .unwrap_or_else(|| base.clone());
            let at = now();
            let mut tx = self
                .db
                .begin()
                .await
                .or_internal("starting a transaction")?;
            let inserted: Result<(i64,), sqlx::Error> = sqlx::query_as(
                "INSERT INTO jobs (org_id, slug, title, department, location, remote, employment, \
                 salary_min, salary_max, salary_currency, salary_public, description, status, \
                 created_by, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'draft', $13, $14, $14) \
                 RETURNING id",
            )
            .bind(caller.org_id())
            .bind(&slug)
            .bind(&job.title)
            .bind(&job.department)
            .bind(&job.location)
            .bind(job.remote)
            .bind(job.employment)
            .bind(job.salary_min)
            .bind(job.salary_max)
            .bind(&job.salary_currency)
            .bind(i64::from(job.salary_public))
            .bind(&job.description)
            .bind(caller.user_id())
            .bind(at)
            .fetch_one(&mut *tx)
            .await;
            let id = match inserted {
                Ok((id,)) => id,
                Err(err) if unique_violation(&err) == Some(Unique::JobSlug) => continue,
                Err(err) => return Err(err).or_internal("saving a job"),
            };
            Self::record_status(&mut tx, id, JobStatus::Draft, caller, at)
                .await
                .or_internal("recording a job's status")?;
            self.queue_index(&mut tx, caller.org_id(), id)
                .await
                .or_internal("queueing a job's indexing")?;
            tx.commit().await.or_internal("saving a job")?;
            tracing::info!(org_id = caller.org_id(), job_id = id, "job created");
            return Ok(slug);
        }
        Err(ApiError::Invalid(vec![FieldError::new(
            "title",
            "Another job was saved with this title at the same moment; save again.",
        )]))
    }

    async fn update(&self, caller: &OrgCaller, slug: &str, job: &Checked) -> Result<(), ApiError> {
        let mut tx = self
            .db
            .begin()
            .await
            .or_internal("starting a transaction")?;
        let id: Option<(i64,)> = sqlx::query_as(
            "UPDATE jobs SET title = $1, department = $2, location = $3, remote = $4, \
             employment = $5, salary_min = $6, salary_max = $7, salary_currency = $8, \
             salary_public = $9, description = $10, updated_at = $11 \
             WHERE org_id = $12 AND slug = $13 RETURNING id",
        )
        .bind(&job.title)
        .bind(&job.department)
        .bind(&job.location)
        .bind(job.remote)
        .bind(job.employment)
        .bind(job.salary_min)
        .bind(job.salary_max)
        .bind(&job.salary_currency)
        .bind(i64::from(job.salary_public))
        .bind(&job.description)
        .bind(now())
        .bind(caller.org_id())
        .bind(slug)
        .fetch_optional(&mut *tx)
        .await
        .or_internal("saving a job")?;
        let Some((id,)) = id else {
            return Err(ApiError::NotFound);
        };
        self.queue_index(&mut tx, caller.org_id(), id)
            .await
            .or_internal("queueing a job's indexing")?;
        tx.commit().await.or_internal("saving a job")?;
        Ok(())
    }
}

#[async_trait::async_trait]
impl JobsSeam for Jobs {
    async fn jobs(&self, caller: &OrgCaller, input: ListJobs) -> Result<JobPage, ApiError> {
        let scope = Self::scope(caller)?;
        let can_manage = scope == Scope::All;
        let per_page = JOBS_PER_PAGE;
        let page = input.page.clamp(1, 10_000);
        for (field, value) in [
            ("query", &input.query),
            ("department", &input.department),
            ("location", &input.location),
        ] {
            if value.chars().count() > MAX_FILTER_CHARS {
                return Err(ApiError::field(
                    field,
                    format!("Search with at most {MAX_FILTER_CHARS} characters."),
                ));
            }
        }
        let status = match input.status.trim() {
            "" => None,
            raw => Some(
                JobStatus::parse(raw)
                    .ok_or_else(|| FieldError::new("status", "Choose a status from the list."))?,
            ),
        };
        let sort = match input.sort.trim() {
            "" => JobSort::default(),
            raw => JobSort::parse(raw)
                .ok_or_else(|| FieldError::new("sort", "Choose an order from the list."))?,
        };
        // The filters, each with the next parameter number. A hiring manager's jobs are those
        // of their teams; so are the departments and places the filters offer.
        let visible = match scope {
            Scope::All => String::new(),
            Scope::Team(user_id) => {
                format!(" AND id IN (SELECT job_id FROM job_team WHERE user_id = {user_id})")
            }
        };
        let mut filter = format!(" WHERE org_id = $1{visible}");
        let mut values: Vec<String> = Vec::new();
        let mut add = |clause: &str, value: String| {
            values.push(value);
            filter.push_str(&clause.replace('?', &format!("${}", values.len() + 1)));
        };
        match status {
            Some(status) => add(" AND status = ?", status.as_str().to_owned()),
            // Archived jobs show only when asked for.
            None => add(" AND status <> ?", JobStatus::Archived.as_str().to_owned()),
        }
        if !input.department.trim().is_empty() {
            add(" AND department = ?", input.department.trim().to_owned());
        }
        if !input.location.trim().is_empty() {
            add(" AND location = ?", input.location.trim().to_owned());
        }
        let query = input.query.trim();
        if !query.is_empty() {
            let n = values.len() + 2;
            values.push(like_pattern(query));
            filter.push_str(&format!(
                " AND (LOWER(title) LIKE ${n} ESCAPE '\\' OR LOWER(department) LIKE ${n} \
                 ESCAPE '\\' OR LOWER(location) LIKE ${n} ESCAPE '\\')"
            ));
        }
        let order = match sort {
            JobSort::Updated => "updated_at DESC, id DESC",
            JobSort::Created => "created_at DESC, id DESC",
            JobSort::Title => "LOWER(title), id",
        };
        let list_sql = format!(
            "SELECT id, slug, title, department, location, remote, employment, status, updated_at \
             FROM jobs{filter} ORDER BY {order} LIMIT {per_page} OFFSET {}",
            u64::from(page - 1) * u64::from(per_page)
        );
        let count_sql = format!("SELECT COUNT(*) FROM jobs{filter}");
        let mut list = sqlx::query_as::<_, SummaryRow>(&list_sql).bind(caller.org_id());
        let mut count = sqlx::query_as::<_, (i64,)>(&count_sql).bind(caller.org_id());
        for value in &values {
            list = list.bind(value);
            count = count.bind(value);
        }
        let rows = list
            .fetch_all(&self.db.pool)
            .await
            .or_internal("listing jobs")?;
        let (total,) = count
            .fetch_one(&self.db.pool)
            .await
            .or_internal("counting jobs")?;
        let distinct = |column: &'static str| {
            let pool = self.db.pool.clone();
            let org_id = caller.org_id();
            let visible = visible.clone();
            async move {
                sqlx::query_as::<_, (String,)>(&format!(
                    "SELECT DISTINCT {column} FROM jobs WHERE org_id = $1{visible} \
                     AND {column} <> '' ORDER BY {column}"
                ))
                .bind(org_id)
                .fetch_all(&pool)
                .await
                .map(|rows| rows.into_iter().map(|(v,)| v).collect::<Vec<_>>())
            }
        };
        let departments = distinct("department")
            .await
            .or_internal("listing departments")?;
        let locations = distinct("location")
            .await
            .or_internal("listing locations")?;
        Ok(JobPage {
            jobs: rows
                .into_iter()
                .map(SummaryRow::into_summary)
                .collect::<Result<_, _>>()?,
            total: u64::try_from(total).unwrap_or(0),
            page,
            per_page,
            departments,
            locations,
            can_manage,
        })
    }

    async fn job(&self, caller: &OrgCaller, input: GetJob) -> Result<Job, ApiError> {
        let scope = Self::scope(caller)?;
        let row = self.row(caller.org_id(), &input.job).await?;
        if let Scope::Team(user_id) = scope {
            if !self.on_team(row.id, user_id).await? {
                return Err(ApiError::NotFound);
            }
        }
        self.full(row, scope == Scope::All).await
    }

    async fn save_job(&self, caller: &OrgCaller, input: SaveJob) -> Result<Job, ApiError> {
        caller.require(Permission::ManageJobs)?;
        let checked = check(&input)?;
        self.writes.check(&caller.org_id())?;
        let slug = match input.job.trim() {
            "" => self.create(caller, &checked).await?,
            slug => {
                self.update(caller, slug, &checked).await?;
                slug.to_owned()
            }
        };
        let row = self.row(caller.org_id(), &slug).await?;
        self.full(row, true).await
    }

    async fn job_skill_suggestions(
        &self,
        caller: &OrgCaller,
        input: JobSkillSuggestions,
    ) -> Result<SkillSuggestions, ApiError> {
        caller.require(Permission::ManageJobs)?;
        let _in_flight =
            self.suggesting
                .try_start(caller.user_id())
                .ok_or(ApiError::RateLimited {
                    retry_after_secs: 5,
                })?;
        let row = self.row(caller.org_id(), &input.job).await?;
        // The title is the ad's first line: what it names is required.
        let text = format!("{}\n\n{}", row.title, row.description);
        let title = row.title.clone();
        let finder = self.engine.finder();
        let plan = tokio::task::spawn_blocking(move || {
            RankPlan::new(
                finder,
                shared::matching::JobSpec {
                    text,
                    ..Default::default()
                },
                Vec::new(),
            )
        })
        .await
        .or_internal("reading a job's text")?;
        let prepared = self.occupations.get();
        let mut texts = plan.texts.clone();
        if matches!(prepared, Prepared::Ready(_)) {
            texts.push(normalise_title(&title));
        }
        let mut vectors = self
            .engine
            .embeddings
            .embed_all(texts, crate::matching::analysis::MAX_ANALYSIS_TEXTS)
            .await
            .map_err(|e| match e {
                EmbedError::Busy => ApiError::Busy,
                EmbedError::TooMany { .. } => ApiError::field(
                    "description",
                    "The description is too long to read for suggestions; shorten it.",
                ),
                other => crate::platform::error::internal("embedding a job's text", other),
            })?;
        let occupation = match &prepared {
            Prepared::Ready(occupations) => {
                let title_vector = vectors.pop().unwrap_or_default();
                occupations
                    .closest(&title, &title_vector, 1)
                    .into_iter()
                    .next()
                    .map(|o| {
                        let skills = occupations
                            .skills_of(&o.uri)
                            .unwrap_or_default()
                            .into_iter()
                            .filter(|s| s.essential)
                            .map(|s| JobSkill {
                                label: s.label,
                                required: Requirement::Nice,
                                level: None,
                                alternatives: Vec::new(),
                            })
                            .collect();
                        (o.label, skills)
                    })
            }
            _ => None,
        };
        let year = time::OffsetDateTime::now_utc().year();
        let required = tokio::task::spawn_blocking(move || {
            plan.finish(vectors, DEFAULT_WEIGHTS, year).required
        })
        .await
        .or_internal("reading a job's skills")?;
        let from_text = required
            .into_iter()
            .map(|r| JobSkill {
                label: r.label,
                // What the duties name is offered as a nice-to-have; the recruiter decides.
                required: if r.required == Requirement::Must {
                    Requirement::Must
                } else {
                    Requirement::Nice
                },
                level: None,
                alternatives: r.alternatives,
            })
            .collect();
        Ok(SkillSuggestions {
            from_text,
            occupation,
            attribution: ESCO_ATTRIBUTION.to_owned(),
        })
    }

    async fn save_job_skills(
        &self,
        caller: &OrgCaller,
        input: SaveJobSkills,
    ) -> Result<Job, ApiError> {
        caller.require(Permission::ManageJobs)?;
        let skills: Vec<JobSkill> = serde_json::from_str(&input.skills).map_err(|_| {
            FieldError::new(
                "skills",
                "The skills could not be read; reload the page and try again.",
            )
        })?;
        let skills: Vec<JobSkill> = skills
            .into_iter()
            .map(|s| JobSkill {
                label: s.label.trim().to_owned(),
                alternatives: s.alternatives.iter().map(|a| a.trim().to_owned()).collect(),
                ..s
            })
            .collect();
        rules::check_skills(&skills)?;
        let mut tx = self
            .db
            .begin()
            .await
            .or_internal("starting a transaction")?;
        let id = Self::touch(&mut tx, caller.org_id(), &input.job).await?;
        self.writes.check(&caller.org_id())?;
        sqlx::query("DELETE FROM job_skills WHERE job_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await
            .or_internal("saving a job's skills")?;
        for (position, skill) in skills.iter().enumerate() {
            sqlx::query(
                "INSERT INTO job_skills (job_id, position, label, requirement, level, \
                 alternatives) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(id)
            .bind(position as i64)
            .bind(&skill.label)
            .bind(skill.required.as_str())
            .bind(skill.level.map(i64::from))
            .bind(skill.alternatives.join("\n"))
            .execute(&mut *tx)
            .await
            .or_internal("saving a job's skills")?;
        }
        // Every open application is scored again against the new skills.
        crate::pipeline::queue_job_rescoring(&mut tx, &self.queue, caller.org_id(), id)
            .await
            .or_internal("queueing new scores")?;
        tx.commit().await.or_internal("saving a job's skills")?;
        self.queue.wake();
        let row = self.row(caller.org_id(), &input.job).await?;
        self.full(row, true).await
    }

    async fn save_job_team(&self, caller: &OrgCaller, input: SaveJobTeam) -> Result<Job, ApiError> {
        caller.require(Permission::ManageJobs)?;
        let unreadable = || {
            ApiError::field(
                "team",
                "The hiring team could not be read; reload the page and try again.",
            )
        };
        let team: Vec<serde_json::Value> =
            serde_json::from_str(&input.team).map_err(|_| unreadable())?;
        if team.len() > MAX_TEAM {
            return Err(ApiError::field(
                "team",
                format!("A hiring team has {MAX_TEAM} members at most."),
            ));
        }
        let mut chosen: Vec<(i64, TeamRole)> = Vec::with_capacity(team.len());
        for entry in &team {
            let user_id = entry["user_id"].as_i64().ok_or_else(unreadable)?;
            let role = entry["role"]
                .as_str()
                .and_then(TeamRole::parse)
                .ok_or_else(|| {
                    ApiError::field(
                        "team",
                        "Choose recruiter, hiring manager or interviewer for each member.",
                    )
                })?;
            if chosen.iter().any(|(u, _)| *u == user_id) {
                return Err(ApiError::field(
                    "team",
                    "A person is on the team twice; keep one role for them.",
                ));
            }
            chosen.push((user_id, role));
        }
        let mut tx = self
            .db
            .begin()
            .await
            .or_internal("starting a transaction")?;
        let id = Self::touch(&mut tx, caller.org_id(), &input.job).await?;
        sqlx::query("DELETE FROM job_team WHERE job_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await
            .or_internal("saving a hiring team")?;
        for (user_id, role) in &chosen {
            // Only members of this organisation: anyone else is refused and nothing is saved.
            let added = sqlx::query(
                "INSERT INTO job_team (job_id, user_id, role) \
                 SELECT $1, user_id, $2 FROM memberships WHERE org_id = $3 AND user_id = $4",
            )
            .bind(id)
            .bind(role.as_str())
            .bind(caller.org_id())
            .bind(user_id)
            .execute(&mut *tx)
            .await
            .or_internal("saving a hiring team")?;
            if added.rows_affected() != 1 {
                return Err(ApiError::field(
                    "team",
                    "Someone chosen is not a member of this organisation (any more); reload the \
                     page and choose again.",
                ));
            }
        }
        tx.commit().await.or_internal("saving a hiring team")?;
        self.hub.access_changed(AccessChange::HiringTeam {
            org_id: caller.org_id(),
        });
        let row = self.row(caller.org_id(), &input.job).await?;
        self.full(row, true).await
    }

    async fn change_job_status(
        &self,
        caller: &OrgCaller,
        input: ChangeJobStatus,
    ) -> Result<Job, ApiError> {
        caller.require(Permission::ManageJobs)?;
        let to = JobStatus::parse(input.to.trim())
            .ok_or_else(|| FieldError::new("to", "Choose publish, close, archive or restore."))?;
        let at = now();
        let mut tx = self
            .db
            .begin()
            .await
            .or_internal("starting a transaction")?;
        let current: Option<(i64, String)> =
            sqlx::query_as("SELECT id, status FROM jobs WHERE org_id = $1 AND slug = $2")
                .bind(caller.org_id())
                .bind(&input.job)
                .fetch_optional(&mut *tx)
                .await
                .or_internal("reading a job")?;
        let (id, status) = current.ok_or(ApiError::NotFound)?;
        let from = status_of(&status)?;
        if let Some(refusal) = from.refuse(to) {
            return Err(ApiError::Invalid(vec![FieldError::new("to", refusal)]));
        }
        // Only from the status read: a concurrent change makes this one fail, not both apply.
        let changed = sqlx::query(
            "UPDATE jobs SET status = $1, updated_at = $2 WHERE id = $3 AND status = $4",
        )
        .bind(to.as_str())
        .bind(at)
        .bind(id)
        .bind(from.as_str())
        .execute(&mut *tx)
        .await
        .or_internal("changing a job's status")?;
        if changed.rows_affected() != 1 {
            return Err(ApiError::Invalid(vec![FieldError::new(
                "to",
                "Someone changed this job's status at the same moment; reload the page and try again.",
            )]));
        }
        Self::record_status(&mut tx, id, to, caller, at)
            .await
            .or_internal("recording a job's status")?;
        self.queue_index(&mut tx, caller.org_id(), id)
            .await
            .or_internal("queueing a job's indexing")?;
        tx.commit().await.or_internal("changing a job's status")?;
        tracing::info!(
            org_id = caller.org_id(),
            job_id = id,
            status = to.as_str(),
            "job status changed"
        );
        let row = self.row(caller.org_id(), &input.job).await?;
        self.full(row, true).await
    }
}

/// A published job's row for the careers pages.
#[derive(sqlx::FromRow)]
struct PublicRow {
    slug: String,
    title: String,
    department: String,
    location: String,
    remote: String,
    employment: String,
    published_at: Option<i64>,
}

impl PublicRow {
    fn into_summary(self) -> Result<PublicJobSummary, ApiError> {
        Ok(PublicJobSummary {
            remote: rules::parse_remote(&self.remote)
                .ok_or_else(|| corrupt("remote", &self.remote))?,
            employment: EmploymentType::parse(&self.employment)
                .ok_or_else(|| corrupt("employment", &self.employment))?,
            slug: self.slug,
            title: self.title,
            department: self.department,
            location: self.location,
            published_at: self.published_at.unwrap_or_default(),
        })
    }
}

const PUBLIC_COLUMNS: &str = "j.slug, j.title, j.department, j.location, j.remote, j.employment, \
     (SELECT MAX(c.at) FROM job_status_changes c WHERE c.job_id = j.id AND c.status = 'published') \
     AS published_at";

/// The words of a Markdown text without its markup, for a meta description.
pub fn plain_text(markdown: &str) -> String {
    use pulldown_cmark::{Event, Parser, TagEnd};
    let mut text = String::new();
    for event in Parser::new(markdown) {
        match event {
            Event::Text(t) | Event::Code(t) => text.push_str(&t),
            Event::SoftBreak
            | Event::HardBreak
            | Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item) => text.push(' '),
            _ => {}
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// schema.org `JobPosting` for a published job, safe inside a `<script>` element.
fn job_posting(
    org_name: &str,
    website: &str,
    logo: Option<&shared::orgs::Logo>,
    job: &PublicJob,
) -> String {
    use serde_json::{json, Value};
    let summary = &job.summary;
    let date = time::OffsetDateTime::from_unix_timestamp(summary.published_at)
        .map(|t| t.date().to_string())
        .unwrap_or_default();
    let mut posting = json!({
        "@context": "https://schema.org/",
        "@type": "JobPosting",
        "title": summary.title,
        "description": job.description_html,
        "datePosted": date,
        "employmentType": match summary.employment {
            EmploymentType::FullTime => "FULL_TIME",
            EmploymentType::PartTime => "PART_TIME",
            EmploymentType::Contract => "CONTRACTOR",
            EmploymentType::Temporary => "TEMPORARY",
            EmploymentType::Internship => "INTERN",
        },
        "hiringOrganization": { "@type": "Organization", "name": org_name },
    });
    if !website.is_empty() {
        posting["hiringOrganization"]["sameAs"] = Value::from(website);
    }
    if let Some(logo) = logo.filter(|l| !l.absolute_url.is_empty()) {
        posting["hiringOrganization"]["logo"] = Value::from(logo.absolute_url.as_str());
    }
    if !summary.location.is_empty() {
        posting["jobLocation"] = json!({
            "@type": "Place",
            "address": { "@type": "PostalAddress", "addressLocality": summary.location },
        });
    }
    if summary.remote == RemotePolicy::Remote {
        posting["jobLocationType"] = Value::from("TELECOMMUTE");
    }
    if let Some(salary) = &job.salary {
        let mut value = json!({ "@type": "QuantitativeValue", "unitText": "YEAR" });
        if let Some(min) = salary.min {
            value["minValue"] = Value::from(min);
        }
        if let Some(max) = salary.max {
            value["maxValue"] = Value::from(max);
        }
        posting["baseSalary"] =
            json!({ "@type": "MonetaryAmount", "currency": salary.currency, "value": value });
    }
    // "</script>" in a title or description must not end the element.
    posting.to_string().replace('<', "\\u003c")
}

/// An organisation as its careers pages show it.
#[derive(sqlx::FromRow)]
struct PublicOrg {
    id: i64,
    name: String,
    website: String,
    description: String,
    logo_key: String,
    logo_version: i64,
    logo_width: i64,
    logo_height: i64,
}

impl PublicOrg {
    /// Its logo, with the absolute address link previews and search engines need.
    fn logo(&self, slug: &str, public_url: &url::Url) -> Option<shared::orgs::Logo> {
        let mut logo = crate::orgs::logo::logo_of(
            slug,
            &self.logo_key,
            self.logo_version,
            self.logo_width,
            self.logo_height,
        )?;
        logo.absolute_url = public_url
            .join(&logo.url)
            .map(String::from)
            .unwrap_or_default();
        Some(logo)
    }
}

impl Jobs {
    /// A public organisation by its address.
    async fn public_org(&self, slug: &str) -> Result<PublicOrg, ApiError> {
        if !shared::validation::is_slug(slug) {
            return Err(ApiError::NotFound);
        }
        sqlx::query_as(&format!(
            "SELECT id, name, website, description, {} FROM organisations WHERE slug = $1",
            crate::orgs::logo::LOGO_COLUMNS
        ))
        .bind(slug)
        .fetch_optional(&self.db.pool)
        .await
        .or_internal("reading an organisation")?
        .ok_or(ApiError::NotFound)
    }
}

#[async_trait::async_trait]
impl CareersSeam for Jobs {
    async fn careers(&self, _visitor: &Visitor, input: GetCareers) -> Result<Careers, ApiError> {
        let org = self.public_org(input.org.trim()).await?;
        let org_id = org.id;
        let mut sql = format!(
            "SELECT {PUBLIC_COLUMNS} FROM jobs j WHERE j.org_id = $1 AND j.status = 'published'"
        );
        let mut values = Vec::new();
        for (column, value) in [
            ("department", input.department.trim()),
            ("location", input.location.trim()),
            ("remote", input.remote.trim()),
        ] {
            if !value.is_empty() {
                values.push(value.to_owned());
                sql.push_str(&format!(" AND j.{column} = ${}", values.len() + 1));
            }
        }
        sql.push_str(" ORDER BY published_at DESC, j.id DESC");
        let mut query = sqlx::query_as::<_, PublicRow>(&sql).bind(org_id);
        for value in &values {
            query = query.bind(value);
        }
        let jobs = query
            .fetch_all(&self.db.pool)
            .await
            .or_internal("listing published jobs")?
            .into_iter()
            .map(PublicRow::into_summary)
            .collect::<Result<Vec<_>, _>>()?;
        let distinct = |column: &'static str| {
            let pool = self.db.pool.clone();
            async move {
                sqlx::query_as::<_, (String,)>(&format!(
                    "SELECT DISTINCT {column} FROM jobs WHERE org_id = $1 AND status = 'published' \
                     AND {column} <> '' ORDER BY {column}"
                ))
                .bind(org_id)
                .fetch_all(&pool)
                .await
                .map(|rows| rows.into_iter().map(|(v,)| v).collect::<Vec<_>>())
            }
        };
        Ok(Careers {
            departments: distinct("department")
                .await
                .or_internal("listing departments")?,
            locations: distinct("location")
                .await
                .or_internal("listing locations")?,
            logo: org.logo(input.org.trim(), &self.public_url),
            org_name: org.name,
            org_slug: input.org.trim().to_owned(),
            website: org.website,
            description: org.description,
            jobs,
        })
    }

    async fn careers_job(
        &self,
        _visitor: &Visitor,
        input: GetCareersJob,
    ) -> Result<CareersJob, ApiError> {
        let org = self.public_org(input.org.trim()).await?;
        let org_id = org.id;
        let row: Option<PublicRow> = sqlx::query_as(&format!(
            "SELECT {PUBLIC_COLUMNS} FROM jobs j \
             WHERE j.org_id = $1 AND j.slug = $2 AND j.status = 'published'"
        ))
        .bind(org_id)
        .bind(input.job.trim())
        .fetch_optional(&self.db.pool)
        .await
        .or_internal("reading a published job")?;
        let summary = row.ok_or(ApiError::NotFound)?.into_summary()?;
        // Published still: a job closed between the two reads is not shown.
        let details: (String, Option<i64>, Option<i64>, String, i64) = sqlx::query_as(
            "SELECT description, salary_min, salary_max, salary_currency, salary_public \
             FROM jobs WHERE org_id = $1 AND slug = $2 AND status = 'published'",
        )
        .bind(org_id)
        .bind(&summary.slug)
        .fetch_optional(&self.db.pool)
        .await
        .or_internal("reading a published job")?
        .ok_or(ApiError::NotFound)?;
        let (description, min, max, currency, public) = details;
        let salary = (public != 0 && (min.is_some() || max.is_some())).then_some(Salary {
            min,
            max,
            currency,
            public: true,
        });
        let job = PublicJob {
            summary,
            salary,
            description_html: render_description(&description),
            description_text: plain_text(&description),
        };
        let logo = org.logo(input.org.trim(), &self.public_url);
        let json_ld = job_posting(&org.name, &org.website, logo.as_ref(), &job);
        let retention_months: i64 =
            sqlx::query_scalar("SELECT retention_months FROM organisations WHERE id = $1")
                .bind(org_id)
                .fetch_one(&self.db.pool)
                .await
                .or_internal("reading the retention period")?;
        Ok(CareersJob {
            retention_months: u32::try_from(retention_months)
                .unwrap_or(shared::applications::DEFAULT_RETENTION_MONTHS),
            org_name: org.name,
            org_slug: input.org.trim().to_owned(),
            website: org.website,
            logo,
            job,
            json_ld,
        })
    }
}

/// Puts a job's title and text into the search store (and its vector, when the model is free).
pub struct Indexer(Jobs);

#[async_trait::async_trait]
impl JobHandler for Indexer {
    async fn run(&self, job: &ClaimedJob) -> Result<(), JobError> {
        let jobs = &self.0;
        let id = job
            .payload
            .get("job_id")
            .and_then(serde_json::Value::as_i64)
            .ok_or_else(|| JobError::Fatal("the payload has no job_id".into()))?;
        let row: Option<JobRow> =
            sqlx::query_as(&format!("SELECT {JOB_COLUMNS} FROM jobs WHERE id = $1"))
                .bind(id)
                .fetch_optional(&jobs.db.pool)
                .await
                .map_err(|e| JobError::Retry(format!("reading job {id}: {e}")))?;
        let key = EntityKey {
            kind: DOCUMENT_KIND.to_owned(),
            id,
        };
        let Some(row) = row else {
            // Gone (its organisation deleted): nothing to index.
            return Ok(());
        };
        let body = [
            row.department.as_str(),
            row.location.as_str(),
            row.description.as_str(),
        ]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("\n");
        let document = Document {
            title: &row.title,
            body: &body,
        };
        match jobs.documents.put(row.org_id, key, document).await {
            Ok(_) => Ok(()),
            Err(StoreError::Embedding(EmbedError::Busy)) => {
                Err(JobError::Busy("the embedding model is busy".into()))
            }
            Err(err) => Err(JobError::Retry(err.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions_render_markdown_and_nothing_unsafe() {
        let html = render_description(
            "## What you do\n- Build **services**\n\n<script>alert(1)</script>\n\n\
             [site](https://acme.example) [bad](javascript:alert(1)) <img src=x onerror=alert(1)>",
        );
        assert!(html.contains("<h2>What you do</h2>"), "{html}");
        assert!(
            html.contains("<li>Build <strong>services</strong></li>"),
            "{html}"
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(
            html.contains("&lt;script&gt;"),
            "raw HTML is shown as text: {html}"
        );
        assert!(
            html.contains(r#"href="https://acme.example" rel="noopener noreferrer nofollow""#),
            "{html}"
        );
        assert!(!html.contains("javascript:"), "{html}");
    }

    #[test]
    fn a_job_posting_is_schema_org_and_cannot_end_its_script_element() {
        let job = PublicJob {
            summary: PublicJobSummary {
                slug: "nurse".into(),
                title: "Nurse </script><script>alert(1)</script>".into(),
                department: String::new(),
                location: "Leeds".into(),
                remote: RemotePolicy::Remote,
                employment: EmploymentType::PartTime,
                published_at: 1_796_342_400,
            },
            salary: Some(Salary {
                min: Some(30_000),
                max: None,
                currency: "GBP".into(),
                public: true,
            }),
            description_html: "<p>Care</p>".into(),
            description_text: "Care".into(),
        };
        let json = job_posting("St. Mary's", "https://stmarys.example", None, &job);
        assert!(!json.contains('<'), "{json}");
        let value: serde_json::Value = serde_json::from_str(&json).expect("JSON");
        assert_eq!(value["@type"], "JobPosting");
        assert_eq!(value["title"], "Nurse </script><script>alert(1)</script>");
        assert_eq!(value["datePosted"], "2026-12-04");
        assert_eq!(value["employmentType"], "PART_TIME");
        assert_eq!(value["jobLocationType"], "TELECOMMUTE");
        assert_eq!(value["jobLocation"]["address"]["addressLocality"], "Leeds");
        assert_eq!(value["baseSalary"]["value"]["minValue"], 30_000);
        assert_eq!(
            value["hiringOrganization"]["sameAs"],
            "https://stmarys.example"
        );
        assert_eq!(
            plain_text("## Role\n- Triage **patients**\n- Lead"),
            "Role Triage patients Lead"
        );
    }

    #[test]
    fn search_text_is_matched_literally() {
        assert_eq!(like_pattern("50%_A\\"), "%50\\%\\_a\\\\%");
    }
}
