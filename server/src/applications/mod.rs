//! Applications from the careers pages: receiving one (`apply.rs`: the multipart route, its
//! anti-abuse checks, the CV read by content and kept in the file store, the candidate, the
//! application and the confirmation e-mail written in one transaction), and the candidate's
//! private link (`ApplicationsSeam`): where it stands, withdrawing, asking for deletion.

mod apply;

pub use apply::{apply_handler, MAX_APPLY_BODY};
pub(crate) use apply::{cv_format, first_stage, format_key, read_error, too_large};

use crate::{
    documents::Extractor,
    mail::{in_mail, Mail, OutgoingMail},
    pipeline::Pipeline,
    platform::{
        client::ClientAddresses,
        db::{now, Db},
        error::OrInternal,
        files::FileStore,
        limits::RateLimit,
        origin::AllowedOrigins,
        tokens::token_hash,
    },
    queue::JobQueue,
};
use app::{
    applications::{
        api::{MyApplication, RequestDataDeletion, WithdrawApplication},
        seam::ApplicationsSeam,
    },
    error::ApiError,
    seam::Visitor,
};
use shared::applications::{ApplicationStatus, CandidateView};
use std::{sync::Arc, time::Duration};

/// Applications one organisation receives per hour at most, from all addresses together: far
/// above a popular job's rush, a bound on what a botnet can make it store and score.
pub const APPLICATIONS_PER_ORG_PER_HOUR: u32 = 2_000;
/// Applications received at once, server-wide; more are asked to try again in a moment.
pub const APPLICATIONS_IN_FLIGHT: usize = 16;
/// A month, for retention periods: a twelfth of a Julian year.
pub const MONTH_SECS: i64 = 2_629_800;

/// The applications service; clones share everything.
#[derive(Clone)]
pub struct Applications {
    db: Db,
    mail: Mail,
    queue: JobQueue,
    /// New applications appear on open boards.
    pipeline: Pipeline,
    files: FileStore,
    extractor: Extractor,
    clients: ClientAddresses,
    origins: AllowedOrigins,
    /// Applications per client address (an IPv6 client by its /64 network).
    per_address: Option<Arc<RateLimit<String>>>,
    /// Applications per organisation: however many addresses send them.
    per_org: Option<Arc<RateLimit<i64>>>,
    /// Applications being received at once (each holds its CV in memory).
    in_flight: Arc<tokio::sync::Semaphore>,
    public_url: Arc<url::Url>,
}

/// What `Applications::new` needs besides the other services.
pub struct ApplicationSettings {
    pub applications_per_hour: u32,
    pub public_url: Arc<url::Url>,
}

#[derive(sqlx::FromRow)]
struct StatusRow {
    id: i64,
    org_id: i64,
    org_name: String,
    org_slug: String,
    job_title: String,
    job_slug: String,
    job_status: String,
    candidate_name: String,
    created_at: i64,
    outcome: String,
    stage_name: String,
    stage_position: i64,
    withdrawn_at: Option<i64>,
    deletion_requested_at: Option<i64>,
    token_expires_at: i64,
}

impl StatusRow {
    fn into_status(self) -> ApplicationStatus {
        let view = match self.outcome.as_str() {
            "withdrawn" => CandidateView::Withdrawn {
                at: self.withdrawn_at.unwrap_or(self.created_at),
            },
            "rejected" => CandidateView::NotSelected,
            "hired" => CandidateView::Hired,
            _ if self.stage_position == 0 => CandidateView::Received,
            _ => CandidateView::InProgress {
                stage: self.stage_name,
            },
        };
        ApplicationStatus {
            org_name: self.org_name,
            org_slug: self.org_slug,
            job_title: self.job_title,
            job_slug: (self.job_status == "published").then_some(self.job_slug),
            candidate_name: self.candidate_name,
            applied_at: self.created_at,
            view,
            deletion_requested_at: self.deletion_requested_at,
            expires_at: self.token_expires_at,
        }
    }
}

/// A wrong, expired or unknown link: one answer for all, so a guess learns nothing.
fn dead_link() -> ApiError {
    ApiError::NotFound
}

impl Applications {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        db: Db,
        mail: Mail,
        queue: JobQueue,
        pipeline: Pipeline,
        files: FileStore,
        extractor: Extractor,
        clients: ClientAddresses,
        origins: AllowedOrigins,
        settings: ApplicationSettings,
    ) -> Self {
        Self {
            db,
            mail,
            queue,
            pipeline,
            files,
            extractor,
            clients,
            origins,
            per_address: RateLimit::new(settings.applications_per_hour, Duration::from_secs(3600))
                .map(Arc::new),
            per_org: RateLimit::new(APPLICATIONS_PER_ORG_PER_HOUR, Duration::from_secs(3600))
                .map(Arc::new),
            in_flight: Arc::new(tokio::sync::Semaphore::new(APPLICATIONS_IN_FLIGHT)),
            public_url: settings.public_url,
        }
    }

    /// Forgets client addresses back to a full allowance (housekeeping).
    pub fn housekeeping(&self) {
        if let Some(limit) = &self.per_address {
            limit.retain_recent();
        }
        if let Some(limit) = &self.per_org {
            limit.retain_recent();
        }
    }

    /// The application a private link opens, if the link is well-formed and still works.
    async fn by_token(&self, token: &str) -> Result<StatusRow, ApiError> {
        if !crate::platform::tokens::well_formed(token) {
            return Err(dead_link());
        }
        sqlx::query_as(
            "SELECT a.id, a.org_id, o.name AS org_name, o.slug AS org_slug, j.title AS job_title, \
             j.slug AS job_slug, j.status AS job_status, c.name AS candidate_name, a.created_at, \
             a.outcome, s.name AS stage_name, s.position AS stage_position, a.withdrawn_at, \
             a.deletion_requested_at, a.token_expires_at \
             FROM applications a \
             JOIN organisations o ON o.id = a.org_id \
             JOIN jobs j ON j.id = a.job_id \
             JOIN candidates c ON c.id = a.candidate_id \
             JOIN job_stages s ON s.id = a.stage_id \
             WHERE a.token_hash = $1 AND a.token_expires_at > $2",
        )
        .bind(token_hash(token))
        .bind(now())
        .fetch_optional(&self.db.pool)
        .await
        .or_internal("reading an application by its link")?
        .ok_or_else(dead_link)
    }

    /// Records what happened to an application (the timeline), inside the caller's transaction.
    async fn event(
        conn: &mut sqlx::AnyConnection,
        org_id: i64,
        application_id: i64,
        by_name: &str,
        kind: &str,
        detail: &str,
    ) -> Result<(), ApiError> {
        sqlx::query(
            "INSERT INTO application_events (org_id, application_id, by_user, by_name, kind, \
             detail, at) VALUES ($1, $2, NULL, $3, $4, $5, $6)",
        )
        .bind(org_id)
        .bind(application_id)
        .bind(by_name)
        .bind(kind)
        .bind(detail)
        .bind(now())
        .execute(&mut *conn)
        .await
        .or_internal("recording an application event")?;
        Ok(())
    }

    /// Withdraws an open application inside the caller's transaction; false when it was not
    /// open (already withdrawn, rejected or hired).
    async fn withdraw_in(
        conn: &mut sqlx::AnyConnection,
        row: &StatusRow,
    ) -> Result<bool, ApiError> {
        let at = now();
        let done = sqlx::query(
            "UPDATE applications SET outcome = 'withdrawn', withdrawn_at = $1, updated_at = $1 \
             WHERE id = $2 AND outcome = 'active'",
        )
        .bind(at)
        .bind(row.id)
        .execute(&mut *conn)
        .await
        .or_internal("withdrawing an application")?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        Self::event(
            conn,
            row.org_id,
            row.id,
            &row.candidate_name,
            "withdrawn",
            "The candidate withdrew the application.",
        )
        .await?;
        Ok(true)
    }

    /// The owners' and administrators' addresses, who handle requests about personal data.
    async fn data_contacts(&self, org_id: i64) -> Result<Vec<String>, ApiError> {
        sqlx::query_scalar(
            "SELECT u.email FROM memberships m JOIN users u ON u.id = m.user_id \
             WHERE m.org_id = $1 AND m.role IN ('owner', 'admin') ORDER BY u.id",
        )
        .bind(org_id)
        .fetch_all(&self.db.pool)
        .await
        .or_internal("reading the organisation's administrators")
    }
}

#[async_trait::async_trait]
impl ApplicationsSeam for Applications {
    async fn my_application(
        &self,
        _visitor: &Visitor,
        input: MyApplication,
    ) -> Result<ApplicationStatus, ApiError> {
        Ok(self.by_token(input.token.trim()).await?.into_status())
    }

    async fn withdraw_application(
        &self,
        _visitor: &Visitor,
        input: WithdrawApplication,
    ) -> Result<ApplicationStatus, ApiError> {
        let token = input.token.trim();
        let row = self.by_token(token).await?;
        let mut tx = self.db.begin().await.or_internal("starting transaction")?;
        if !Self::withdraw_in(&mut tx, &row).await? {
            // Withdrawn already (a second click, another tab): where it stands is the answer.
            if row.outcome != "withdrawn" {
                return Err(ApiError::field(
                    "token",
                    "This application is already closed, so there is nothing to withdraw.",
                ));
            }
        }
        tx.commit()
            .await
            .or_internal("withdrawing an application")?;
        Ok(self.by_token(token).await?.into_status())
    }

    async fn request_data_deletion(
        &self,
        _visitor: &Visitor,
        input: RequestDataDeletion,
    ) -> Result<ApplicationStatus, ApiError> {
        let token = input.token.trim();
        let row = self.by_token(token).await?;
        if row.deletion_requested_at.is_some() {
            return Ok(row.into_status());
        }
        let contacts = self.data_contacts(row.org_id).await?;
        let mut tx = self.db.begin().await.or_internal("starting transaction")?;
        let at = now();
        let done = sqlx::query(
            "UPDATE applications SET deletion_requested_at = $1, updated_at = $1 \
             WHERE id = $2 AND deletion_requested_at IS NULL",
        )
        .bind(at)
        .bind(row.id)
        .execute(&mut *tx)
        .await
        .or_internal("recording a deletion request")?;
        if done.rows_affected() == 1 {
            Self::withdraw_in(&mut tx, &row).await?;
            Self::event(
                &mut tx,
                row.org_id,
                row.id,
                &row.candidate_name,
                "deletion_requested",
                "The candidate asked for their data to be deleted.",
            )
            .await?;
            let subject = format!(
                "{} asked for their data to be deleted",
                in_mail(&row.candidate_name)
            );
            let body = format!(
                "{name}, who applied for {job}, asked {org} to delete the personal data it holds \
                 about them: their details, CV and notes.\n\n\
                 Under the GDPR (article 17) this must be done without undue delay and within one \
                 month. The application has been withdrawn.\n\n\
                 You receive this as an owner or administrator of {org} on Talentloom.",
                name = in_mail(&row.candidate_name),
                job = in_mail(&row.job_title),
                org = in_mail(&row.org_name),
            );
            for recipient in &contacts {
                let mail = OutgoingMail {
                    org_id: Some(row.org_id),
                    recipient,
                    subject: &subject,
                    body: &body,
                    grants_role: None,
                };
                self.mail.enqueue(&mut tx, mail).await?;
            }
        }
        tx.commit()
            .await
            .or_internal("recording a deletion request")?;
        self.mail.wake();
        // The link keeps showing the request, but no longer carries the conversation.
        self.pipeline.candidate_link_ended(row.id).await;
        tracing::info!(
            org_id = row.org_id,
            application_id = row.id,
            "deletion requested"
        );
        Ok(self.by_token(token).await?.into_status())
    }
}
