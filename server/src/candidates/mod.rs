//! Candidates as the hiring team sees them (`CandidatesSeam`): the list with search and pages,
//! a profile, and the download of their files (`GET /o/{slug}/files/{id}`). Owners, admins and
//! recruiters see every candidate of their organisation; a hiring manager only those who applied
//! to a job whose hiring team they are on; other roles none. Another organisation's ids are "not
//! found", like ids that do not exist.

use crate::{
    jobs::like_pattern,
    platform::{error::OrInternal, files::FileStore},
};
use app::{
    candidates::{
        api::{Candidate as GetCandidate, Candidates as ListCandidates},
        seam::CandidatesSeam,
    },
    error::ApiError,
    seam::{Caller, Identity, OrgCaller},
};
use axum::{
    extract::{Path, Request, State},
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use shared::{
    candidates::{
        ApplicationBrief, Candidate, CandidatePage, CandidateSummary, CvFile, Outcome, Source,
        CANDIDATES_PER_PAGE,
    },
    Permission,
};
use std::sync::Arc;

/// Longest search text, in characters.
const MAX_QUERY_CHARS: usize = 200;

/// The candidates service; clones share everything.
#[derive(Clone)]
pub struct Candidates {
    db: crate::platform::db::Db,
    files: FileStore,
    identity: Arc<dyn Identity>,
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
            Self::Team(_) => format!(
                " AND EXISTS (SELECT 1 FROM applications sa JOIN job_team st ON st.job_id = sa.job_id \
                 WHERE sa.candidate_id = c.id AND st.user_id = ${n})"
            ),
        }
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

#[derive(sqlx::FromRow)]
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

fn corrupt(what: &str, value: &str) -> ApiError {
    tracing::error!(what, value, "unknown value in the database");
    ApiError::Internal
}

const SUMMARY_COLUMNS: &str = "c.id, c.name, c.email, c.source, c.created_at, \
    (SELECT MAX(d.deletion_requested_at) FROM applications d WHERE d.candidate_id = c.id) \
    AS deletion_requested_at";

impl Candidates {
    pub fn new(db: crate::platform::db::Db, files: FileStore, identity: Arc<dyn Identity>) -> Self {
        Self {
            db,
            files,
            identity,
        }
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

    fn summary(row: SummaryRow, briefs: &[BriefRow]) -> Result<CandidateSummary, ApiError> {
        let applications = briefs
            .iter()
            .filter(|b| b.candidate_id == row.id)
            .map(|b| {
                Ok(ApplicationBrief {
                    id: b.id,
                    job_title: b.job_title.clone(),
                    job_slug: b.job_slug.clone(),
                    stage: b.stage.clone(),
                    outcome: Outcome::parse(&b.outcome)
                        .ok_or_else(|| corrupt("outcome", &b.outcome))?,
                    applied_at: b.created_at,
                })
            })
            .collect::<Result<Vec<_>, ApiError>>()?;
        Ok(CandidateSummary {
            id: row.id,
            source: Source::parse(&row.source).ok_or_else(|| corrupt("source", &row.source))?,
            name: row.name,
            email: row.email,
            created_at: row.created_at,
            applications,
            deletion_requested_at: row.deletion_requested_at,
        })
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
             JOIN candidates c ON c.cv_file_id = f.id \
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
        let scope = Scope::of(caller)?;
        let text = input.query.trim();
        if text.chars().count() > MAX_QUERY_CHARS {
            return Err(ApiError::field(
                "query",
                format!("Search with at most {MAX_QUERY_CHARS} characters."),
            ));
        }
        // Parameters: $1 the organisation, then the member (when scoped), then the pattern.
        let mut next = 2;
        let mut filter = scope.filter(next);
        if matches!(scope, Scope::Team(_)) {
            next += 1;
        }
        let pattern = (!text.is_empty()).then(|| like_pattern(text));
        if pattern.is_some() {
            filter.push_str(&format!(
                " AND (LOWER(c.name) LIKE ${next} ESCAPE '\\' OR c.email LIKE ${next} ESCAPE '\\')"
            ));
            next += 1;
        }
        let member = match scope {
            Scope::All => None,
            Scope::Team(user_id) => Some(user_id),
        };
        let count_sql = format!("SELECT COUNT(*) FROM candidates c WHERE c.org_id = $1{filter}");
        let mut count = sqlx::query_scalar::<_, i64>(&count_sql).bind(caller.org_id());
        if let Some(member) = member {
            count = count.bind(member);
        }
        if let Some(p) = &pattern {
            count = count.bind(p);
        }
        let total = count
            .fetch_one(&self.db.pool)
            .await
            .or_internal("counting candidates")?
            .max(0) as u64;
        let per_page = u64::from(CANDIDATES_PER_PAGE);
        let pages = total.div_ceil(per_page).max(1) as u32;
        let page = input.page.clamp(1, pages);
        let list_sql = format!(
            "SELECT {SUMMARY_COLUMNS} FROM candidates c WHERE c.org_id = $1{filter} \
             ORDER BY c.created_at DESC, c.id DESC LIMIT ${next} OFFSET ${}",
            next + 1
        );
        let mut list = sqlx::query_as::<_, SummaryRow>(&list_sql).bind(caller.org_id());
        if let Some(member) = member {
            list = list.bind(member);
        }
        if let Some(p) = &pattern {
            list = list.bind(p);
        }
        let rows = list
            .bind(per_page as i64)
            .bind(i64::from(page - 1) * per_page as i64)
            .fetch_all(&self.db.pool)
            .await
            .or_internal("listing candidates")?;
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let briefs = self.applications(caller.org_id(), &scope, &ids).await?;
        let candidates = rows
            .into_iter()
            .map(|row| Self::summary(row, &briefs))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(CandidatePage {
            candidates,
            total,
            page,
            pages,
        })
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
        let details: (
            String,
            String,
            String,
            Option<i64>,
            Option<String>,
            Option<String>,
            Option<i64>,
        ) = sqlx::query_as(
            "SELECT c.phone, c.links, c.cv_text, f.id, f.file_name, f.format, f.size_bytes \
                 FROM candidates c LEFT JOIN stored_files f ON f.id = c.cv_file_id \
                 WHERE c.id = $1 AND c.org_id = $2",
        )
        .bind(input.id)
        .bind(caller.org_id())
        .fetch_one(&self.db.pool)
        .await
        .or_internal("reading a candidate")?;
        let (phone, links, cv_text, file_id, file_name, format, size) = details;
        let briefs = self
            .applications(caller.org_id(), &scope, &[row.id])
            .await?;
        let cover_letters = briefs
            .iter()
            .filter(|b| !b.cover_letter.is_empty())
            .map(|b| (b.job_title.clone(), b.cover_letter.clone()))
            .collect();
        let cv = match (file_id, file_name, format, size) {
            (Some(id), Some(file_name), Some(format), Some(size)) => Some(CvFile {
                id,
                file_name,
                format: format_label(&format).to_owned(),
                size_bytes: size.max(0) as u64,
            }),
            _ => None,
        };
        Ok(Candidate {
            summary: Self::summary(row, &briefs)?,
            phone,
            links: links.lines().map(str::to_owned).collect(),
            cv,
            cv_text,
            cover_letters,
        })
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
    match format {
        "pdf" => "application/pdf",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "markdown" => "text/markdown; charset=utf-8",
        _ => "text/plain; charset=utf-8",
    }
}

/// `attachment` with the name as sent (RFC 6266: an ASCII fallback and the UTF-8 name).
fn disposition(name: &str) -> HeaderValue {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || " .-_()".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded = percent_encoding::utf8_percent_encode(name, percent_encoding::NON_ALPHANUMERIC);
    HeaderValue::from_str(&format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("attachment"))
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
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(content_type(&format)),
            ),
            (header::CONTENT_DISPOSITION, disposition(&name)),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, no-store"),
            ),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
            // Opened anyway (a PDF viewer, a text file), it runs nothing and reaches nothing.
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("sandbox; default-src 'none'"),
            ),
        ],
        bytes,
    )
        .into_response()
}
