//! A job's pipeline (`PipelineSeam`): the board (its stages and open applications) and moving
//! an application between stages, recorded with who and when, and sent live to everyone who may
//! see that board.
//!
//! Who sees a board: owners, admins and recruiters (every job), and the members of the job's
//! hiring team. Who moves cards: owners, admins and recruiters, and the team's recruiters and
//! hiring managers (not its interviewers).

mod added;
mod application;
pub mod scoring;
pub(crate) mod stages;

pub use scoring::{queue_job_rescoring, queue_scoring, Scorer, SCORE_APPLICATION};

use crate::{
    applications::first_stage,
    mail::Mail,
    matching::Engine,
    notifications::{NewNotice, Notifications},
    platform::{
        db::{now, Db},
        error::OrInternal,
    },
    realtime::{AccessChange, Delivery, Hub},
};
use app::{
    error::ApiError,
    pipeline::{
        api::{
            AddNote, AddToJob, Application, AssignInterviewers, GetRejectionSettings,
            GetStageTemplate, JobBoard, MessageCandidate, MoveApplication, RejectApplication,
            ReopenApplication, SaveJobStages, UpdateRejectionSettings, UpdateStageTemplate,
        },
        seam::PipelineSeam,
    },
    seam::OrgCaller,
};
use shared::{
    matching::{MatchExplanation, Requirement},
    notifications::Topic,
    pipeline::{
        application_path, ApplicationDetail, Board, Card, RejectionSettings, Stage, StageTemplate,
    },
    ws::ServerEvent,
    Permission,
};

/// The pipeline service; clones share everything.
#[derive(Clone)]
pub struct Pipeline {
    db: Db,
    hub: Hub,
    mail: Mail,
    /// Where links in e-mails point.
    public_url: std::sync::Arc<url::Url>,
    /// Where the scoring of an application added by hand is queued.
    queue: crate::queue::JobQueue,
    notifications: Notifications,
}

/// An application whose hiring team hears of something ([`Pipeline::notify_team`]).
pub(crate) struct TeamNotice<'a> {
    pub org_id: i64,
    pub org_slug: &'a str,
    pub job_id: i64,
    /// The application.
    pub id: i64,
    /// Who did it (not told).
    pub except: Option<i64>,
}

/// A job as the board needs it, with what the caller may do there.
struct Access {
    job_id: i64,
    title: String,
    slug: String,
    can_move: bool,
    /// False for an interviewer who sees only the applications assigned to them.
    whole_job: bool,
}

impl Pipeline {
    pub fn new(
        db: Db,
        hub: Hub,
        mail: Mail,
        public_url: std::sync::Arc<url::Url>,
        queue: crate::queue::JobQueue,
        notifications: Notifications,
    ) -> Self {
        Self {
            db,
            hub,
            mail,
            public_url,
            queue,
            notifications,
        }
    }

    /// Records `topic` for the recruiters and hiring managers on the job's hiring team whose
    /// role in the organisation lets them see its board (but `except`, who did it), inside the caller's transaction; answers the
    /// notifications' ids, for [`Self::tell`] after the commit.
    pub(crate) async fn notify_team(
        conn: &mut sqlx::AnyConnection,
        application: TeamNotice<'_>,
        topic: Topic,
        text: &str,
    ) -> Result<Vec<i64>, ApiError> {
        let team: Vec<i64> = sqlx::query_scalar(
            "SELECT t.user_id FROM job_team t JOIN memberships m \
             ON m.user_id = t.user_id AND m.org_id = $1 \
             WHERE t.job_id = $2 AND t.role IN ('recruiter', 'hiring_manager') \
             AND m.role IN ('owner', 'admin', 'recruiter', 'hiring_manager') \
             AND t.user_id <> $3 ORDER BY t.user_id",
        )
        .bind(application.org_id)
        .bind(application.job_id)
        .bind(application.except.unwrap_or(0))
        .fetch_all(&mut *conn)
        .await
        .or_internal("reading a job's hiring team")?;
        let key = format!("{}:{}", topic.as_str(), application.id);
        let link = application_path(application.org_slug, application.id);
        let text = |_: i64| text.to_owned();
        let mut ids = Vec::new();
        for user_id in team {
            let notice = NewNotice {
                user_id,
                org_id: application.org_id,
                topic,
                // Each event its own notification (a second move is news of its own).
                key: &format!("{key}:{}", now()),
                text: &text,
                link: &link,
            };
            ids.extend(Notifications::record(&mut *conn, notice).await?);
        }
        Ok(ids)
    }

    /// Closes the candidate's open pages of the application's conversation, on every
    /// instance (their link stopped carrying it).
    pub(crate) async fn candidate_link_ended(&self, application: i64) {
        let conversation: Result<Option<i64>, _> =
            sqlx::query_scalar("SELECT id FROM conversations WHERE application_id = $1")
                .bind(application)
                .fetch_optional(&self.db.pool)
                .await;
        match conversation {
            Ok(Some(conversation)) => self
                .hub
                .access_changed(AccessChange::CandidateLinkEnded { conversation }),
            Ok(None) => {}
            Err(err) => tracing::warn!(error = %err, "closing a candidate's conversation"),
        }
    }

    /// Sends notifications recorded in a transaction that committed.
    pub(crate) async fn tell(&self, ids: Vec<i64>) {
        self.notifications.tell(ids).await;
    }

    /// The job handler that scores applications with `engine`.
    pub fn scorer(&self, engine: Engine) -> Scorer {
        Scorer {
            pipeline: self.clone(),
            engine,
        }
    }

    /// The job `slug` of the caller's organisation, if the caller may see its board.
    async fn access(&self, caller: &OrgCaller, slug: &str) -> Result<Access, ApiError> {
        caller.require(Permission::ViewJobs)?;
        let (job_id, title, slug): (i64, String, String) =
            sqlx::query_as("SELECT id, title, slug FROM jobs WHERE org_id = $1 AND slug = $2")
                .bind(caller.org_id())
                .bind(slug.trim())
                .fetch_optional(&self.db.pool)
                .await
                .or_internal("reading a job")?
                .ok_or(ApiError::NotFound)?;
        self.team_access(caller, job_id, title, slug).await
    }

    /// What the caller may do on job `job_id` (of the caller's organisation).
    async fn team_access(
        &self,
        caller: &OrgCaller,
        job_id: i64,
        title: String,
        slug: String,
    ) -> Result<Access, ApiError> {
        caller.require(Permission::ViewJobs)?;
        if caller.role().can(Permission::ManageCandidates) {
            return Ok(Access {
                job_id,
                title,
                slug,
                can_move: true,
                whole_job: true,
            });
        }
        let team_role: Option<String> =
            sqlx::query_scalar("SELECT role FROM job_team WHERE job_id = $1 AND user_id = $2")
                .bind(job_id)
                .bind(caller.user_id())
                .fetch_optional(&self.db.pool)
                .await
                .or_internal("reading a hiring team")?;
        match team_role {
            // Not on the team: the job is not there for them.
            None => Err(ApiError::NotFound),
            Some(role) => Ok(Access {
                job_id,
                title,
                slug,
                can_move: role != "interviewer",
                whole_job: true,
            }),
        }
    }

    async fn board(&self, org_id: i64, access: Access) -> Result<Board, ApiError> {
        {
            let mut conn = self
                .db
                .pool
                .acquire()
                .await
                .or_internal("reading a board")?;
            first_stage(&mut conn, org_id, access.job_id).await?;
        }
        let stages: Vec<(i64, String)> = sqlx::query_as(
            "SELECT id, name FROM job_stages WHERE job_id = $1 AND org_id = $2 ORDER BY position",
        )
        .bind(access.job_id)
        .bind(org_id)
        .fetch_all(&self.db.pool)
        .await
        .or_internal("reading a job's stages")?;
        type Row = (i64, i64, String, i64, i64, i64, Option<i64>, Option<String>);
        let cards: Vec<Row> = sqlx::query_as(
            "SELECT a.id, a.candidate_id, c.name, a.stage_id, a.created_at, a.stage_entered_at, \
             a.score, a.explanation \
             FROM applications a JOIN candidates c ON c.id = a.candidate_id \
             WHERE a.job_id = $1 AND a.org_id = $2 AND a.outcome = 'active' \
             ORDER BY a.stage_entered_at DESC, a.id DESC",
        )
        .bind(access.job_id)
        .bind(org_id)
        .fetch_all(&self.db.pool)
        .await
        .or_internal("reading a board")?;
        let closed: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM applications WHERE job_id = $1 AND org_id = $2 \
             AND outcome <> 'active'",
        )
        .bind(access.job_id)
        .bind(org_id)
        .fetch_one(&self.db.pool)
        .await
        .or_internal("counting closed applications")?;
        Ok(Board {
            job_title: access.title,
            job_slug: access.slug,
            stages: stages
                .into_iter()
                .map(|(id, name)| Stage { id, name })
                .collect(),
            cards: cards
                .into_iter()
                .map(
                    |(
                        application_id,
                        candidate_id,
                        name,
                        stage_id,
                        applied_at,
                        entered,
                        score,
                        why,
                    )| {
                        let explanation = why
                            .and_then(|json| serde_json::from_str::<MatchExplanation>(&json).ok());
                        let (matched, missing) = explanation
                            .map(|e| {
                                (
                                    e.matched.into_iter().take(3).map(|m| m.label).collect(),
                                    e.missing
                                        .into_iter()
                                        .filter(|m| m.required == Requirement::Must)
                                        .take(3)
                                        .map(|m| m.label)
                                        .collect(),
                                )
                            })
                            .unwrap_or_default();
                        Card {
                            application_id,
                            candidate_id,
                            name,
                            stage_id,
                            applied_at,
                            stage_entered_at: entered,
                            score: score.and_then(|s| u8::try_from(s).ok()),
                            matched,
                            missing,
                        }
                    },
                )
                .collect(),
            closed: closed.max(0) as u64,
            can_move: access.can_move,
        })
    }

    /// Tells every member who may see the job's board (owners, admins, recruiters, and the
    /// hiring managers on its team) that it changed. The socket checks the
    /// membership again when it delivers.
    pub async fn announce(&self, org_id: i64, org_slug: &str, job_id: i64, job_slug: &str) {
        let viewers: Result<Vec<i64>, _> = sqlx::query_scalar(
            "SELECT user_id FROM memberships WHERE org_id = $1 \
             AND role IN ('owner', 'admin', 'recruiter') \
             UNION SELECT t.user_id FROM job_team t JOIN memberships m \
             ON m.user_id = t.user_id AND m.org_id = $1 \
             WHERE t.job_id = $2 AND m.role = 'hiring_manager'",
        )
        .bind(org_id)
        .bind(job_id)
        .fetch_all(&self.db.pool)
        .await;
        let viewers = match viewers {
            Ok(viewers) => viewers,
            Err(err) => {
                tracing::warn!(error = %err, "listing who sees a board");
                return;
            }
        };
        let event = ServerEvent::BoardChanged {
            org: org_slug.to_owned(),
            job: job_slug.to_owned(),
        };
        for user_id in viewers {
            self.hub.send(
                user_id,
                Delivery {
                    org_id: Some(org_id),
                    event: event.clone(),
                    candidate_data: false,
                },
            );
        }
    }
}

#[async_trait::async_trait]
impl PipelineSeam for Pipeline {
    async fn job_board(&self, caller: &OrgCaller, input: JobBoard) -> Result<Board, ApiError> {
        let access = self.access(caller, &input.job).await?;
        self.board(caller.org_id(), access).await
    }

    async fn move_application(
        &self,
        caller: &OrgCaller,
        input: MoveApplication,
    ) -> Result<Board, ApiError> {
        let access = self.access(caller, &input.job).await?;
        if !access.can_move {
            return Err(ApiError::Forbidden);
        }
        let org_id = caller.org_id();
        let by_name = self.db.user_name(caller.user_id()).await?;
        let mut tx = self.db.begin().await.or_internal("starting transaction")?;
        let to: Option<String> = sqlx::query_scalar(
            "SELECT name FROM job_stages WHERE id = $1 AND job_id = $2 AND org_id = $3",
        )
        .bind(input.stage)
        .bind(access.job_id)
        .bind(org_id)
        .fetch_optional(&mut *tx)
        .await
        .or_internal("reading a stage")?;
        let Some(to) = to else {
            return Err(ApiError::field(
                "stage",
                "That stage is not on this job's board any more; reload the board.",
            ));
        };
        let from: Option<(i64, String, String, String)> = sqlx::query_as(
            "SELECT a.stage_id, s.name, a.outcome, c.name FROM applications a \
             JOIN job_stages s ON s.id = a.stage_id JOIN candidates c ON c.id = a.candidate_id \
             WHERE a.id = $1 AND a.job_id = $2 AND a.org_id = $3",
        )
        .bind(input.application)
        .bind(access.job_id)
        .bind(org_id)
        .fetch_optional(&mut *tx)
        .await
        .or_internal("reading an application")?;
        let (from_id, from_name, outcome, candidate) = from.ok_or(ApiError::NotFound)?;
        if outcome != "active" {
            return Err(ApiError::field(
                "application",
                "This application is closed (withdrawn, rejected or hired); it cannot move.",
            ));
        }
        let mut notices = Vec::new();
        if from_id != input.stage {
            let at = now();
            // Only from the stage read above: of two moves at once, the second sees no row.
            let done = sqlx::query(
                "UPDATE applications SET stage_id = $1, stage_entered_at = $2, updated_at = $2 \
                 WHERE id = $3 AND org_id = $4 AND stage_id = $5 AND outcome = 'active'",
            )
            .bind(input.stage)
            .bind(at)
            .bind(input.application)
            .bind(org_id)
            .bind(from_id)
            .execute(&mut *tx)
            .await
            .or_internal("moving an application")?;
            if done.rows_affected() == 1 {
                let moved = format!("Moved from {from_name} to {to}.");
                Self::event(
                    &mut tx,
                    caller,
                    &by_name,
                    input.application,
                    ("moved", &moved),
                    at,
                )
                .await?;
                let about = TeamNotice {
                    org_id,
                    org_slug: caller.slug(),
                    job_id: access.job_id,
                    id: input.application,
                    except: Some(caller.user_id()),
                };
                let text = format!(
                    "{by_name} moved {candidate} ({}) from {from_name} to {to}",
                    access.title
                );
                notices = Self::notify_team(&mut tx, about, Topic::StageChange, &text).await?;
            }
        }
        tx.commit().await.or_internal("moving an application")?;
        self.announce(org_id, caller.slug(), access.job_id, &access.slug)
            .await;
        self.tell(notices).await;
        tracing::info!(
            org_id,
            application_id = input.application,
            "application moved"
        );
        self.board(org_id, access).await
    }

    async fn application(
        &self,
        caller: &OrgCaller,
        input: Application,
    ) -> Result<ApplicationDetail, ApiError> {
        self.detail(caller, input.id).await
    }

    async fn message_candidate(
        &self,
        caller: &OrgCaller,
        input: MessageCandidate,
    ) -> Result<i64, ApiError> {
        self.candidate_conversation(caller, input.application).await
    }

    async fn reject_application(
        &self,
        caller: &OrgCaller,
        input: RejectApplication,
    ) -> Result<ApplicationDetail, ApiError> {
        self.reject(caller, input).await
    }

    async fn reopen_application(
        &self,
        caller: &OrgCaller,
        input: ReopenApplication,
    ) -> Result<ApplicationDetail, ApiError> {
        self.reopen(caller, input.application).await
    }

    async fn add_note(
        &self,
        caller: &OrgCaller,
        input: AddNote,
    ) -> Result<ApplicationDetail, ApiError> {
        self.note(caller, input).await
    }

    async fn assign_interviewers(
        &self,
        caller: &OrgCaller,
        input: AssignInterviewers,
    ) -> Result<ApplicationDetail, ApiError> {
        self.assign(caller, input).await
    }

    async fn add_to_job(&self, caller: &OrgCaller, input: AddToJob) -> Result<i64, ApiError> {
        self.add(caller, input).await
    }

    async fn stage_template(
        &self,
        caller: &OrgCaller,
        _input: GetStageTemplate,
    ) -> Result<StageTemplate, ApiError> {
        caller.require(Permission::ManageOrganisation)?;
        self.read_stage_template(caller.org_id()).await
    }

    async fn update_stage_template(
        &self,
        caller: &OrgCaller,
        input: UpdateStageTemplate,
    ) -> Result<StageTemplate, ApiError> {
        caller.require(Permission::ManageOrganisation)?;
        self.write_stage_template(caller, &input.stages).await
    }

    async fn save_job_stages(
        &self,
        caller: &OrgCaller,
        input: SaveJobStages,
    ) -> Result<Board, ApiError> {
        self.edit_job_stages(caller, &input.job, &input.stages)
            .await
    }

    async fn rejection_settings(
        &self,
        caller: &OrgCaller,
        _input: GetRejectionSettings,
    ) -> Result<RejectionSettings, ApiError> {
        caller.require(Permission::ManageOrganisation)?;
        self.rejection(caller.org_id()).await
    }

    async fn update_rejection_settings(
        &self,
        caller: &OrgCaller,
        input: UpdateRejectionSettings,
    ) -> Result<RejectionSettings, ApiError> {
        caller.require(Permission::ManageOrganisation)?;
        self.save_rejection(caller, input).await
    }
}
