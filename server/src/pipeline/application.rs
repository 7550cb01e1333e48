//! One application: its page (the explained score, the CV, what happened and the notes), and
//! what the hiring team does there: reject it with a reason and an optional e-mail, reopen it,
//! and write notes that @mention colleagues (each mentioned colleague is notified, and e-mailed
//! in their digest if they leave it unread). The recruiters and hiring managers on the job's
//! team are notified of a rejection.
//!
//! Who may see an application: whoever may see its job's board. Who may reject and reopen it:
//! whoever may move its card.

use super::{Access, Pipeline, TeamNotice};
use crate::{
    mail::{in_mail, OutgoingMail},
    notifications::{NewNotice, Notifications},
    platform::{db::now, error::OrInternal},
};
use app::{
    error::ApiError,
    pipeline::api::{AddNote, AssignInterviewers, RejectApplication, UpdateRejectionSettings},
    seam::OrgCaller,
};
use shared::{
    matching::MatchExplanation,
    notifications::Topic,
    pipeline::{
        self as rules, Activity, ApplicationDetail, Mentionable, Note, Outcome, RejectionSettings,
        Stage, TemplateValues,
    },
    Permission, Role,
};

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    candidate_id: i64,
    candidate_name: String,
    email: String,
    phone: String,
    links: String,
    job_id: i64,
    job_title: String,
    job_slug: String,
    stage_id: i64,
    outcome: String,
    rejection_reason: Option<String>,
    rejected_at: Option<i64>,
    rejection_mailed_at: Option<i64>,
    withdrawn_at: Option<i64>,
    created_at: i64,
    stage_entered_at: i64,
    cover_letter: String,
    cv_text: String,
    cv_file_id: Option<i64>,
    explanation: Option<String>,
}

impl Row {
    fn outcome(&self) -> Outcome {
        match self.outcome.as_str() {
            "rejected" => Outcome::Rejected {
                reason: self.rejection_reason.clone().unwrap_or_default(),
                at: self.rejected_at.unwrap_or(self.created_at),
            },
            "withdrawn" => Outcome::Withdrawn {
                at: self.withdrawn_at.unwrap_or(self.created_at),
            },
            "hired" => Outcome::Hired,
            _ => Outcome::Active,
        }
    }
}

/// An application the caller may see, with what they may do on its job.
struct Found {
    row: Row,
    access: Access,
}

impl Pipeline {
    /// Application `id` of the caller's organisation, if the caller may see its job's board.
    async fn find(&self, caller: &OrgCaller, id: i64) -> Result<Found, ApiError> {
        // Refused before the id is looked up, so the answer says nothing about which ids exist.
        let interviewer = caller.role() == Role::Interviewer;
        if !interviewer {
            caller.require(Permission::ViewJobs)?;
        }
        let row: Row = sqlx::query_as(
            "SELECT a.id, a.candidate_id, c.name AS candidate_name, c.email, c.phone, c.links, \
             j.id AS job_id, j.title AS job_title, j.slug AS job_slug, a.stage_id, a.outcome, \
             a.rejection_reason, a.rejected_at, a.rejection_mailed_at, a.withdrawn_at, a.created_at, \
             a.stage_entered_at, a.cover_letter, c.cv_text, c.cv_file_id, a.explanation \
             FROM applications a JOIN candidates c ON c.id = a.candidate_id \
             JOIN jobs j ON j.id = a.job_id \
             WHERE a.id = $1 AND a.org_id = $2",
        )
        .bind(id)
        .bind(caller.org_id())
        .fetch_optional(&self.db.pool)
        .await
        .or_internal("reading an application")?
        .ok_or(ApiError::NotFound)?;
        let access = match self
            .team_access(
                caller,
                row.job_id,
                row.job_title.clone(),
                row.job_slug.clone(),
            )
            .await
        {
            Ok(access) => access,
            // An interviewer sees the applications assigned to them while on the job's team;
            // any other is "not found" to them.
            Err(ApiError::Forbidden | ApiError::NotFound) if interviewer => {
                if !self.assigned(caller, row.id, row.job_id).await? {
                    return Err(ApiError::NotFound);
                }
                Access {
                    job_id: row.job_id,
                    title: row.job_title.clone(),
                    slug: row.job_slug.clone(),
                    can_move: false,
                    whole_job: false,
                }
            }
            Err(other) => return Err(other),
        };
        Ok(Found { row, access })
    }

    /// Whether the caller interviews application `id` and is still on its job's team.
    async fn assigned(&self, caller: &OrgCaller, id: i64, job_id: i64) -> Result<bool, ApiError> {
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT i.user_id FROM application_interviewers i \
             JOIN job_team t ON t.job_id = $3 AND t.user_id = i.user_id \
             JOIN memberships m ON m.user_id = i.user_id AND m.org_id = $4 \
             AND m.role = 'interviewer' \
             WHERE i.application_id = $1 AND i.user_id = $2 AND i.org_id = $4",
        )
        .bind(id)
        .bind(caller.user_id())
        .bind(job_id)
        .bind(caller.org_id())
        .fetch_optional(&self.db.pool)
        .await
        .or_internal("reading an assignment")?;
        Ok(found.is_some())
    }

    /// The interviewers assigned to application `id`.
    async fn interviewers(&self, org_id: i64, id: i64) -> Result<Vec<Mentionable>, ApiError> {
        let rows: Vec<(i64, String)> = sqlx::query_as(
            "SELECT u.id, u.name FROM application_interviewers i JOIN users u ON u.id = i.user_id \
             WHERE i.application_id = $1 AND i.org_id = $2 ORDER BY u.name, u.id",
        )
        .bind(id)
        .bind(org_id)
        .fetch_all(&self.db.pool)
        .await
        .or_internal("reading an application's interviewers")?;
        Ok(people(rows))
    }

    /// The interviewers on job `job_id`'s hiring team.
    async fn assignable(&self, org_id: i64, job_id: i64) -> Result<Vec<Mentionable>, ApiError> {
        let rows: Vec<(i64, String)> = sqlx::query_as(
            "SELECT u.id, u.name FROM job_team t JOIN users u ON u.id = t.user_id \
             JOIN memberships m ON m.user_id = t.user_id AND m.org_id = $2 \
             WHERE t.job_id = $1 AND t.role = 'interviewer' AND m.role = 'interviewer' \
             ORDER BY u.name, u.id",
        )
        .bind(job_id)
        .bind(org_id)
        .fetch_all(&self.db.pool)
        .await
        .or_internal("reading a job's interviewers")?;
        Ok(people(rows))
    }

    /// The members who may see application `id` of job `job_id` (the caller left out): owners,
    /// admins and recruiters, hiring managers on the job's team, and its assigned interviewers.
    async fn mentionable(
        &self,
        caller: &OrgCaller,
        job_id: i64,
        id: i64,
    ) -> Result<Vec<Mentionable>, ApiError> {
        let rows: Vec<(i64, String)> = sqlx::query_as(
            "SELECT u.id, u.name FROM users u JOIN memberships m ON m.user_id = u.id \
             WHERE m.org_id = $1 AND u.id <> $3 AND (m.role IN ('owner', 'admin', 'recruiter') \
             OR EXISTS (SELECT 1 FROM job_team t WHERE t.job_id = $2 AND t.user_id = u.id \
                 AND (m.role = 'hiring_manager' OR (m.role = 'interviewer' AND EXISTS \
                     (SELECT 1 FROM application_interviewers i \
                     WHERE i.application_id = $4 AND i.user_id = u.id))))) \
             ORDER BY u.name, u.id",
        )
        .bind(caller.org_id())
        .bind(job_id)
        .bind(caller.user_id())
        .bind(id)
        .fetch_all(&self.db.pool)
        .await
        .or_internal("reading who may be mentioned")?;
        Ok(people(rows))
    }

    /// The application's conversation with its candidate, joined by the caller, who may act on
    /// the application (an interviewer may not: they see only what they interview).
    pub(super) async fn candidate_conversation(
        &self,
        caller: &OrgCaller,
        id: i64,
    ) -> Result<i64, ApiError> {
        let Found { access, .. } = self.find(caller, id).await?;
        if !access.can_move {
            return Err(ApiError::Forbidden);
        }
        crate::chat::candidate::conversation_of(&self.db, id, Some((caller.user_id(), &self.hub)))
            .await
    }

    pub(super) async fn detail(
        &self,
        caller: &OrgCaller,
        id: i64,
    ) -> Result<ApplicationDetail, ApiError> {
        let Found { row, access } = self.find(caller, id).await?;
        let org_id = caller.org_id();
        let stages: Vec<(i64, String)> = sqlx::query_as(
            "SELECT id, name FROM job_stages WHERE job_id = $1 AND org_id = $2 ORDER BY position",
        )
        .bind(row.job_id)
        .bind(org_id)
        .fetch_all(&self.db.pool)
        .await
        .or_internal("reading a job's stages")?;
        let activity: Vec<(i64, String, String, String)> = sqlx::query_as(
            "SELECT at, by_name, kind, detail FROM application_events \
             WHERE application_id = $1 AND org_id = $2 ORDER BY id DESC",
        )
        .bind(id)
        .bind(org_id)
        .fetch_all(&self.db.pool)
        .await
        .or_internal("reading an application's activity")?;
        let notes: Vec<(i64, String, i64, String)> = sqlx::query_as(
            "SELECT id, by_name, created_at, body FROM application_notes \
             WHERE application_id = $1 AND org_id = $2 ORDER BY id",
        )
        .bind(id)
        .bind(org_id)
        .fetch_all(&self.db.pool)
        .await
        .or_internal("reading an application's notes")?;
        let mentioned: Vec<(i64, String)> = sqlx::query_as(
            "SELECT m.note_id, u.name FROM note_mentions m \
             JOIN application_notes n ON n.id = m.note_id JOIN users u ON u.id = m.user_id \
             WHERE n.application_id = $1 AND n.org_id = $2 ORDER BY u.name",
        )
        .bind(id)
        .bind(org_id)
        .fetch_all(&self.db.pool)
        .await
        .or_internal("reading who notes mention")?;
        let rejection = if access.can_move {
            let settings = self.rejection(org_id).await?;
            let values = TemplateValues {
                candidate_name: &row.candidate_name,
                job_title: &row.job_title,
                organisation: caller.org_name(),
            };
            Some(RejectionSettings {
                subject: rules::fill_template(&settings.subject, &values),
                body: rules::fill_template(&settings.body, &values),
                reasons: settings.reasons,
            })
        } else {
            None
        };
        let explanation = row
            .explanation
            .as_deref()
            .and_then(|json| serde_json::from_str::<MatchExplanation>(json).ok());
        Ok(ApplicationDetail {
            id: row.id,
            candidate_id: row.candidate_id,
            outcome: row.outcome(),
            email: row.email,
            phone: row.phone,
            links: row
                .links
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(str::to_owned)
                .collect(),
            candidate_name: row.candidate_name,
            job_title: row.job_title,
            job_slug: row.job_slug,
            stages: stages
                .into_iter()
                .map(|(id, name)| Stage { id, name })
                .collect(),
            stage_id: row.stage_id,
            applied_at: row.created_at,
            stage_entered_at: row.stage_entered_at,
            cover_letter: row.cover_letter,
            cv_text: row.cv_text,
            cv_file_id: row.cv_file_id,
            explanation,
            activity: activity
                .into_iter()
                .map(|(at, by, kind, detail)| Activity {
                    at,
                    by,
                    kind,
                    detail,
                })
                .collect(),
            notes: notes
                .into_iter()
                .map(|(note_id, by, at, body)| Note {
                    id: note_id,
                    by,
                    at,
                    body,
                    mentions: mentioned
                        .iter()
                        .filter(|(n, _)| *n == note_id)
                        .map(|(_, name)| name.clone())
                        .collect(),
                })
                .collect(),
            mentionable: self.mentionable(caller, access.job_id, id).await?,
            interviewers: self.interviewers(org_id, id).await?,
            assignable: if access.can_move {
                self.assignable(org_id, access.job_id).await?
            } else {
                Vec::new()
            },
            can_decide: access.can_move,
            whole_job: access.whole_job,
            rejection_mailed: row.rejection_mailed_at.is_some(),
            rejection,
        })
    }

    /// The organisation's reasons and e-mail template (the defaults until it saves its own).
    pub(super) async fn rejection(&self, org_id: i64) -> Result<RejectionSettings, ApiError> {
        let (reasons, subject, body): (String, String, String) = sqlx::query_as(
            "SELECT rejection_reasons, rejection_subject, rejection_body FROM organisations \
             WHERE id = $1",
        )
        .bind(org_id)
        .fetch_one(&self.db.pool)
        .await
        .or_internal("reading the rejection settings")?;
        let defaults = RejectionSettings::default();
        let reasons: Vec<String> = reasons
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(str::to_owned)
            .collect();
        Ok(RejectionSettings {
            reasons: if reasons.is_empty() {
                defaults.reasons
            } else {
                reasons
            },
            subject: if subject.is_empty() {
                defaults.subject
            } else {
                subject
            },
            body: if body.is_empty() { defaults.body } else { body },
        })
    }

    pub(super) async fn save_rejection(
        &self,
        caller: &OrgCaller,
        input: UpdateRejectionSettings,
    ) -> Result<RejectionSettings, ApiError> {
        // Each field checked once; every problem reported together.
        let (reasons, subject, body) = match (
            rules::rejection_reasons("reasons", &input.reasons),
            rules::mail_subject("subject", &input.subject),
            rules::mail_body("body", &input.body),
        ) {
            (Ok(reasons), Ok(subject), Ok(body)) => (reasons, subject, body),
            (reasons, subject, body) => {
                let problems = [reasons.err(), subject.err(), body.err()];
                return Err(ApiError::Invalid(problems.into_iter().flatten().collect()));
            }
        };
        sqlx::query(
            "UPDATE organisations SET rejection_reasons = $1, rejection_subject = $2, \
             rejection_body = $3 WHERE id = $4",
        )
        .bind(reasons.join("\n"))
        .bind(&subject)
        .bind(&body)
        .bind(caller.org_id())
        .execute(&self.db.pool)
        .await
        .or_internal("saving the rejection settings")?;
        tracing::info!(org_id = caller.org_id(), "rejection settings saved");
        Ok(RejectionSettings {
            reasons,
            subject,
            body,
        })
    }

    pub(super) async fn reject(
        &self,
        caller: &OrgCaller,
        input: RejectApplication,
    ) -> Result<ApplicationDetail, ApiError> {
        let Found { row, access } = self.find(caller, input.application).await?;
        if !access.can_move {
            return Err(ApiError::Forbidden);
        }
        let send_mail = input.send_mail.is_some();
        let rules::Rejection { reason, mail } =
            rules::check_rejection(&input.reason, send_mail, &input.subject, &input.body)
                .map_err(ApiError::Invalid)?;
        let org_id = caller.org_id();
        let settings = self.rejection(org_id).await?;
        if let Some((subject, body)) = &mail {
            let values = TemplateValues {
                candidate_name: &row.candidate_name,
                job_title: &row.job_title,
                organisation: caller.org_name(),
            };
            let allowed = format!(
                "{}\n{}",
                rules::fill_template(&settings.subject, &values),
                rules::fill_template(&settings.body, &values)
            );
            let written = format!("{subject}\n{body}");
            let added = rules::new_links(&written, &allowed);
            if !added.is_empty() {
                return Err(ApiError::field(
                    "body",
                    format!(
                        "The e-mail may not add web addresses your organisation's template does \
                         not have ({}). Owners and admins can put them in the template in Settings.",
                        added.join(", ")
                    ),
                ));
            }
        }
        let reasons = settings.reasons;
        if !reasons.contains(&reason) {
            return Err(ApiError::field(
                "reason",
                "That reason is not in your organisation's list any more; choose one from the list.",
            ));
        }
        let by_name = self.db.user_name(caller.user_id()).await?;
        let at = now();
        let mut tx = self.db.begin().await.or_internal("starting transaction")?;
        let done = sqlx::query(
            "UPDATE applications SET outcome = 'rejected', rejection_reason = $1, \
             rejected_at = $2, updated_at = $2 WHERE id = $3 AND org_id = $4 \
             AND outcome = 'active'",
        )
        .bind(&reason)
        .bind(at)
        .bind(row.id)
        .bind(org_id)
        .execute(&mut *tx)
        .await
        .or_internal("rejecting an application")?;
        if done.rows_affected() != 1 {
            return Err(closed_already());
        }
        let mut detail = format!("Rejected: {reason}.");
        if let Some((subject, body)) = &mail {
            // One rejection e-mail per application, however often it is reopened.
            let mailed = sqlx::query(
                "UPDATE applications SET rejection_mailed_at = $1 WHERE id = $2 AND org_id = $3 \
                 AND rejection_mailed_at IS NULL",
            )
            .bind(at)
            .bind(row.id)
            .bind(org_id)
            .execute(&mut *tx)
            .await
            .or_internal("recording a rejection e-mail")?;
            if mailed.rows_affected() != 1 {
                return Err(ApiError::field(
                    "send_mail",
                    "The candidate was already sent a rejection e-mail for this application; \
                     reject it without one.",
                ));
            }
            self.mail
                .enqueue(
                    &mut tx,
                    OutgoingMail {
                        org_id: Some(org_id),
                        recipient: &row.email,
                        subject,
                        body,
                        grants_role: None,
                    },
                )
                .await?;
            detail.push_str(" The candidate was e-mailed.");
        }
        Self::event(&mut tx, caller, &by_name, row.id, ("rejected", &detail), at).await?;
        let about = TeamNotice {
            org_id,
            org_slug: caller.slug(),
            job_id: row.job_id,
            id: row.id,
            except: Some(caller.user_id()),
        };
        let text = format!(
            "{by_name} rejected {} ({}): {reason}",
            row.candidate_name, row.job_title
        );
        let notices = Self::notify_team(&mut tx, about, Topic::StageChange, &text).await?;
        tx.commit().await.or_internal("rejecting an application")?;
        if mail.is_some() {
            self.mail.wake();
        }
        self.announce(org_id, caller.slug(), row.job_id, &row.job_slug)
            .await;
        self.tell(notices).await;
        tracing::info!(org_id, application_id = row.id, "application rejected");
        self.detail(caller, row.id).await
    }

    pub(super) async fn reopen(
        &self,
        caller: &OrgCaller,
        id: i64,
    ) -> Result<ApplicationDetail, ApiError> {
        let Found { row, access } = self.find(caller, id).await?;
        if !access.can_move {
            return Err(ApiError::Forbidden);
        }
        let org_id = caller.org_id();
        let by_name = self.db.user_name(caller.user_id()).await?;
        let at = now();
        let mut tx = self.db.begin().await.or_internal("starting transaction")?;
        let done = sqlx::query(
            "UPDATE applications SET outcome = 'active', rejection_reason = NULL, \
             rejected_at = NULL, updated_at = $1 WHERE id = $2 AND org_id = $3 \
             AND outcome = 'rejected'",
        )
        .bind(at)
        .bind(row.id)
        .bind(org_id)
        .execute(&mut *tx)
        .await
        .or_internal("reopening an application")?;
        if done.rows_affected() != 1 {
            return Err(ApiError::field(
                "application",
                "Only a rejected application can be reopened (a withdrawn one was the \
                 candidate's choice).",
            ));
        }
        let reopened = ("reopened", "Reopened: back on the board.");
        Self::event(&mut tx, caller, &by_name, row.id, reopened, at).await?;
        tx.commit().await.or_internal("reopening an application")?;
        self.announce(org_id, caller.slug(), row.job_id, &row.job_slug)
            .await;
        tracing::info!(org_id, application_id = row.id, "application reopened");
        self.detail(caller, row.id).await
    }

    pub(super) async fn note(
        &self,
        caller: &OrgCaller,
        input: AddNote,
    ) -> Result<ApplicationDetail, ApiError> {
        let Found { row, access } = self.find(caller, input.application).await?;
        let body = rules::note("body", &input.body)?;
        let org_id = caller.org_id();
        let people = self.mentionable(caller, access.job_id, row.id).await?;
        let names: Vec<&str> = people.iter().map(|p| p.name.as_str()).collect();
        let mentioned: Vec<&Mentionable> = rules::mentions(&body, &names)
            .into_iter()
            .map(|i| &people[i])
            .collect();
        let by_name = self.db.user_name(caller.user_id()).await?;
        let at = now();
        let mut tx = self.db.begin().await.or_internal("starting transaction")?;
        let note_id: i64 = sqlx::query_scalar(
            "INSERT INTO application_notes (org_id, application_id, by_user, by_name, body, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(org_id)
        .bind(row.id)
        .bind(caller.user_id())
        .bind(&by_name)
        .bind(&body)
        .bind(at)
        .fetch_one(&mut *tx)
        .await
        .or_internal("adding a note")?;
        let link = rules::application_path(caller.slug(), row.id);
        let quoted: String = body.chars().take(120).collect();
        let cut = if quoted.len() < body.len() { "…" } else { "" };
        let text = format!(
            "{by_name} mentioned you about {} ({}): “{quoted}{cut}”",
            row.candidate_name, row.job_title
        );
        let text = |_: i64| text.clone();
        let mut notices = Vec::new();
        for person in &mentioned {
            sqlx::query("INSERT INTO note_mentions (note_id, user_id) VALUES ($1, $2)")
                .bind(note_id)
                .bind(person.user_id)
                .execute(&mut *tx)
                .await
                .or_internal("recording a mention")?;
            let notice = NewNotice {
                user_id: person.user_id,
                org_id,
                topic: Topic::Mention,
                key: &format!("note:{note_id}"),
                text: &text,
                link: &link,
            };
            notices.extend(Notifications::record(&mut tx, notice).await?);
        }
        let detail = if mentioned.is_empty() {
            "Added a note.".to_owned()
        } else {
            let names: Vec<&str> = mentioned.iter().map(|p| p.name.as_str()).collect();
            format!("Added a note mentioning {}.", names.join(", "))
        };
        Self::event(&mut tx, caller, &by_name, row.id, ("note", &detail), at).await?;
        tx.commit().await.or_internal("adding a note")?;
        self.tell(notices).await;
        tracing::info!(
            org_id,
            application_id = row.id,
            mentions = mentioned.len(),
            "note added"
        );
        self.detail(caller, row.id).await
    }

    pub(super) async fn assign(
        &self,
        caller: &OrgCaller,
        input: AssignInterviewers,
    ) -> Result<ApplicationDetail, ApiError> {
        let Found { row, access } = self.find(caller, input.application).await?;
        if !access.can_move {
            return Err(ApiError::Forbidden);
        }
        let mut wanted: Vec<i64> = serde_json::from_str(&input.interviewers).map_err(|_| {
            ApiError::field(
                "interviewers",
                "Send the interviewers as a list of member ids, such as [12, 40].",
            )
        })?;
        wanted.sort_unstable();
        wanted.dedup();
        if wanted.len() > MAX_INTERVIEWERS {
            return Err(ApiError::field(
                "interviewers",
                format!("Assign at most {MAX_INTERVIEWERS} interviewers."),
            ));
        }
        let org_id = caller.org_id();
        let team = self.assignable(org_id, row.job_id).await?;
        if let Some(stranger) = wanted
            .iter()
            .find(|id| !team.iter().any(|t| t.user_id == **id))
        {
            tracing::info!(org_id, user_id = stranger, "not an interviewer of the job");
            return Err(ApiError::field(
                "interviewers",
                "Only interviewers on this job's hiring team can be assigned; add them to the \
                 team on the job's page first.",
            ));
        }
        let before = self.interviewers(org_id, row.id).await?;
        let added: Vec<&Mentionable> = team
            .iter()
            .filter(|t| {
                wanted.contains(&t.user_id) && !before.iter().any(|b| b.user_id == t.user_id)
            })
            .collect();
        let by_name = self.db.user_name(caller.user_id()).await?;
        let at = now();
        let link = self.application_link(caller, row.id)?;
        let mut tx = self.db.begin().await.or_internal("starting transaction")?;
        sqlx::query(
            "DELETE FROM application_interviewers WHERE application_id = $1 AND org_id = $2",
        )
        .bind(row.id)
        .bind(org_id)
        .execute(&mut *tx)
        .await
        .or_internal("changing interviewers")?;
        for user_id in team
            .iter()
            .map(|t| t.user_id)
            .filter(|id| wanted.contains(id))
        {
            sqlx::query(
                "INSERT INTO application_interviewers (application_id, user_id, org_id, \
                 assigned_by, assigned_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            )
            .bind(row.id)
            .bind(user_id)
            .bind(org_id)
            .bind(caller.user_id())
            .bind(at)
            .execute(&mut *tx)
            .await
            .or_internal("assigning an interviewer")?;
        }
        for person in &added {
            let subject = format!(
                "Please interview {} ({})",
                in_mail(&row.candidate_name),
                in_mail(&row.job_title)
            );
            let text = format!(
                "Hello {name},\n\n{by} asked you to interview {candidate} for {job}. Their CV, \
                 the match with the job and the team's notes are here:\n{link}\n",
                name = in_mail(&person.name),
                by = in_mail(&by_name),
                candidate = in_mail(&row.candidate_name),
                job = in_mail(&row.job_title),
            );
            self.mail_member(&mut tx, org_id, person.user_id, (&subject, &text))
                .await?;
        }
        let names: Vec<&str> = team
            .iter()
            .filter(|t| wanted.contains(&t.user_id))
            .map(|t| t.name.as_str())
            .collect();
        let detail = if names.is_empty() {
            "No interviewers assigned.".to_owned()
        } else {
            format!("Interviewers: {}.", names.join(", "))
        };
        Self::event(
            &mut tx,
            caller,
            &by_name,
            row.id,
            ("interviewers", &detail),
            at,
        )
        .await?;
        tx.commit().await.or_internal("assigning interviewers")?;
        if !added.is_empty() {
            self.mail.wake();
        }
        tracing::info!(
            org_id,
            application_id = row.id,
            interviewers = names.len(),
            "interviewers assigned"
        );
        self.detail(caller, row.id).await
    }

    /// The address of application `id` for e-mails.
    fn application_link(&self, caller: &OrgCaller, id: i64) -> Result<url::Url, ApiError> {
        self.public_url
            .join(rules::application_path(caller.slug(), id).trim_start_matches('/'))
            .or_internal("making an application's address")
    }

    /// Queues an e-mail to member `user_id`, inside the caller's transaction.
    async fn mail_member(
        &self,
        conn: &mut sqlx::AnyConnection,
        org_id: i64,
        user_id: i64,
        (subject, body): (&str, &str),
    ) -> Result<(), ApiError> {
        let email: String = sqlx::query_scalar("SELECT email FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_one(&mut *conn)
            .await
            .or_internal("reading a colleague's address")?;
        self.mail
            .enqueue(
                conn,
                OutgoingMail {
                    org_id: Some(org_id),
                    recipient: &email,
                    subject,
                    body,
                    grants_role: None,
                },
            )
            .await
    }

    /// Records what a member did to application `id`, inside the caller's transaction.
    pub(super) async fn event(
        conn: &mut sqlx::AnyConnection,
        caller: &OrgCaller,
        by_name: &str,
        id: i64,
        (kind, detail): (&str, &str),
        at: i64,
    ) -> Result<(), ApiError> {
        sqlx::query(
            "INSERT INTO application_events (org_id, application_id, by_user, by_name, \
             kind, detail, at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(caller.org_id())
        .bind(id)
        .bind(caller.user_id())
        .bind(by_name)
        .bind(kind)
        .bind(detail)
        .bind(at)
        .execute(&mut *conn)
        .await
        .or_internal("recording what happened to an application")?;
        Ok(())
    }
}

/// The most interviewers one application may have.
const MAX_INTERVIEWERS: usize = 20;

fn people(rows: Vec<(i64, String)>) -> Vec<Mentionable> {
    rows.into_iter()
        .map(|(user_id, name)| Mentionable { user_id, name })
        .collect()
}

fn closed_already() -> ApiError {
    ApiError::field(
        "application",
        "This application is closed already (rejected, withdrawn or hired); reload the page.",
    )
}
