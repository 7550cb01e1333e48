//! `POST /careers/{org}/{job}/apply`: an application from a careers page, as
//! `multipart/form-data` (the form carries the CV).
//!
//! In order: the job must be published; the origin must be our own pages; the client address
//! must be within its hourly allowance; the body must fit (10 MB of CV and the fields); a
//! filled honeypot is answered like a success and nothing is kept; every field is checked (all
//! problems at once); the CV is read by its content (the declared type must match it, and it
//! must have text). Only then is anything written: the file into the file store, and the
//! candidate, the application, its first event and the confirmation e-mail in one transaction
//! (the file is removed again if that fails). A second application of the same address to the
//! same open job gets a new private link by e-mail instead of a second application.
//!
//! The answer is JSON for the page's script (`Applied`, or an `ApiError` with its status) and,
//! for a plain HTML post, a redirect: back to the job's page with `?applied`, or to the form
//! with the error and what was typed (`__err`, `__form`), as server functions do.

use super::{Applications, MONTH_SECS};
use crate::{
    documents::{ExtractError, Format},
    mail::{in_mail, OutgoingMail},
    platform::{
        db::now,
        error::OrInternal,
        files::FileStore,
        tokens::{new_token, token_hash},
        uploads::{self, Upload},
    },
};
use app::error::ApiError;
use axum::{
    extract::{Path, Request, State},
    http::{header, StatusCode},
    response::{IntoResponse, Redirect, Response},
    Json,
};
use sha2::{Digest, Sha256};
use shared::{
    applications::{
        apply_path, check_application, consent_text, missing_cv, status_path, Applied, ApplyFields,
        CheckedApplication, HONEYPOT_FIELD, MAX_CV_BYTES,
    },
    validation::{is_slug, FieldError},
};

/// The largest body accepted: the CV and the text fields around it.
pub const MAX_APPLY_BODY: usize = MAX_CV_BYTES + 256 * 1024;

/// The job an application is for.
#[derive(sqlx::FromRow)]
struct OpenJob {
    id: i64,
    org_id: i64,
    title: String,
    org_name: String,
    org_slug: String,
    job_slug: String,
    retention_months: i64,
}

/// Everything the form sent.
#[derive(Default)]
struct Received {
    fields: ApplyFields,
    honeypot: String,
    cv: Option<Upload>,
}

fn cv_error(message: impl Into<String>) -> ApiError {
    ApiError::Invalid(vec![FieldError::new("cv", message)])
}

/// The format a CV declares (its type, else its name's extension), or what to choose instead.
/// The content is checked against it when the file is read.
pub(crate) fn cv_format(cv: &Upload) -> Result<Format, FieldError> {
    Format::declared(&cv.content_type, Some(&cv.file_name)).ok_or_else(|| {
        FieldError::new(
            "cv",
            "This type of file cannot be read. Choose a PDF, a Word document (.docx), or a .txt or .md file.",
        )
    })
}

pub(crate) fn too_large() -> ApiError {
    cv_error(format!(
        "This file is larger than {} MB. Save your CV smaller (a PDF without large images) and choose it again.",
        MAX_CV_BYTES / 1024 / 1024
    ))
}

/// The careers page's words for what the document reader found (its own words suggest pasting
/// text, which this form does not offer).
pub(crate) fn read_error(error: ExtractError) -> ApiError {
    match error {
        ExtractError::TooLarge => too_large(),
        ExtractError::Unsupported => {
            cv_error("This type of file cannot be read. Choose a PDF, a Word document (.docx), or a .txt or .md file.")
        }
        ExtractError::Mismatch(kind) => cv_error(format!(
            "This file is not the {kind} its name or type says. Check the file, or export your CV again as PDF."
        )),
        ExtractError::NoText => cv_error(
            "No text found in this file: it looks like a scan or an image. Export your CV as a PDF with text (from your word processor), or choose a Word or text file.",
        ),
        ExtractError::Empty => cv_error("This file is empty. Choose your CV again."),
        ExtractError::Damaged(kind) => cv_error(format!(
            "This {kind} file is damaged and cannot be read. Export your CV again and choose the new file."
        )),
        ExtractError::Expansion | ExtractError::Limits(_) => cv_error(
            "This file is too complex for us to read. Save it again (for example with \u{201c}Print to PDF\u{201d}) and choose the new file.",
        ),
        ExtractError::Busy => ApiError::Busy,
    }
}

/// Reads the multipart body: the known fields, the honeypot and the CV (at most
/// `MAX_CV_BYTES`, refused as soon as it grows beyond).
async fn receive(request: Request) -> Result<Received, ApiError> {
    let form = uploads::receive(request, "cv", MAX_CV_BYTES, too_large).await?;
    let mut received = Received {
        cv: form.file,
        ..Received::default()
    };
    for (name, value) in form.fields {
        if name == HONEYPOT_FIELD {
            received.honeypot = value;
        } else {
            received.fields.set(&name, value);
        }
    }
    Ok(received)
}

/// The fields as typed, for a plain post sent back with its errors: only those that are not
/// private (the address ends up in the browser's history and in proxies' logs), never the file.
fn kept_fields(fields: &ApplyFields) -> String {
    let consent = if fields.consent { "on" } else { "" };
    uploads::kept(&[
        ("name", &fields.name),
        ("links", &fields.links),
        ("consent", consent),
    ])
}

/// How the answer goes back: JSON to the page's script, a redirect to a plain form post.
struct Reply {
    json: bool,
    org: String,
    job: String,
}

impl Reply {
    fn page(&self) -> String {
        format!("/careers/{}/{}", self.org, self.job)
    }

    fn ok(&self, applied: Applied) -> Response {
        if self.json {
            Json(applied).into_response()
        } else {
            Redirect::to(&format!("{}?applied#apply", self.page())).into_response()
        }
    }

    fn err(&self, failure: Failure) -> Response {
        let Failure {
            error,
            fields,
            status,
        } = failure;
        let fields = fields.as_ref();
        if self.json {
            return (status, Json(error)).into_response();
        }
        // A page sent back keeps neither the file nor what is private (it would be in the
        // address): each such field that was filled in says to fill it in again.
        let error = match error {
            ApiError::Invalid(mut problems) => {
                let typed = |field: &str| {
                    fields.is_some_and(|f| match field {
                        "email" => !f.email.trim().is_empty(),
                        "phone" => !f.phone.trim().is_empty(),
                        _ => !f.cover_letter.trim().is_empty(),
                    })
                };
                for (field, message) in [
                    (
                        "cv",
                        "Choose your CV again: a form sent back with errors cannot keep its file.",
                    ),
                    (
                        "email",
                        "Type your e-mail address again: it is not kept when the form comes back.",
                    ),
                    (
                        "phone",
                        "Type your phone number again: it is not kept when the form comes back.",
                    ),
                    (
                        "cover_letter",
                        "Paste your cover letter again: it is not kept when the form comes back.",
                    ),
                ] {
                    let missing = field == "cv" || typed(field);
                    if missing && !problems.iter().any(|p| p.field == field) {
                        problems.push(FieldError::new(field, message));
                    }
                }
                ApiError::Invalid(problems)
            }
            other => other,
        };
        uploads::send_back(
            &self.page(),
            "apply",
            &apply_path(&self.org, &self.job),
            &error,
            fields.map(kept_fields),
        )
    }
}

/// The route's handler.
pub async fn apply_handler(
    State(apps): State<Applications>,
    Path((org, job)): Path<(String, String)>,
    request: Request,
) -> Response {
    let accept = request
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let reply = Reply {
        json: accept.contains("application/json"),
        org: org.clone(),
        job: job.clone(),
    };
    if !is_slug(&org) || !is_slug(&job) {
        return (StatusCode::NOT_FOUND, Json(ApiError::NotFound)).into_response();
    }
    match apps.apply(&org, &job, request).await {
        Ok(applied) => reply.ok(applied),
        Err(failure) => reply.err(failure),
    }
}

/// Why an application was refused: the error, what was typed (to give back to a plain post),
/// and the status (an upload's own: 413 too large, 415 not what it claims to be).
struct Failure {
    error: ApiError,
    fields: Option<ApplyFields>,
    status: StatusCode,
}

impl Failure {
    fn new(error: ApiError, fields: Option<ApplyFields>) -> Self {
        let status = if error == too_large() {
            StatusCode::PAYLOAD_TOO_LARGE
        } else {
            StatusCode::from_u16(error.status()).unwrap_or(StatusCode::BAD_REQUEST)
        };
        Self {
            error,
            fields,
            status,
        }
    }
}

impl Applications {
    async fn open_job(&self, org: &str, job: &str) -> Result<OpenJob, ApiError> {
        sqlx::query_as(
            "SELECT j.id, j.org_id, j.title, o.name AS org_name, o.slug AS org_slug, \
             j.slug AS job_slug, o.retention_months \
             FROM jobs j JOIN organisations o ON o.id = j.org_id \
             WHERE o.slug = $1 AND j.slug = $2 AND j.status = 'published'",
        )
        .bind(org)
        .bind(job)
        .fetch_optional(&self.db.pool)
        .await
        .or_internal("reading a published job")?
        .ok_or(ApiError::NotFound)
    }

    async fn apply(&self, org: &str, job: &str, request: Request) -> Result<Applied, Failure> {
        let bare = |e: ApiError| Failure::new(e, None);
        let open = self.open_job(org, job).await.map_err(bare)?;
        let (parts, body) = request.into_parts();
        if !self.origins.allows(&parts.headers, true) {
            tracing::warn!("application from another site refused");
            return Err(bare(ApiError::Forbidden));
        }
        if let Some(limit) = &self.per_address {
            limit
                .check(&address_key(self.clients.of(&parts)))
                .map_err(bare)?;
        }
        if let Some(limit) = &self.per_org {
            limit.check(&open.org_id).map_err(bare)?;
        }
        let Ok(_receiving) = self.in_flight.clone().try_acquire_owned() else {
            return Err(bare(ApiError::Busy));
        };
        let declared = parts
            .headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        if declared.is_some_and(|n| n > MAX_APPLY_BODY) {
            return Err(bare(too_large()));
        }
        let received = receive(Request::from_parts(parts, body))
            .await
            .map_err(bare)?;
        let fields = received.fields;
        let failed = |e: ApiError| Failure::new(e, Some(fields.clone()));
        if !received.honeypot.trim().is_empty() {
            // Answered like a success, so the bot learns nothing; nothing is kept.
            tracing::warn!(
                org_id = open.org_id,
                "application with the honeypot filled dropped"
            );
            let email = fields.email.trim().to_lowercase();
            return Ok(Applied { email });
        }
        let mut problems = Vec::new();
        let checked = check_application(&fields).map_err(|p| problems.extend(p));
        let format = match &received.cv {
            None => {
                problems.push(missing_cv());
                None
            }
            Some(cv) => cv_format(cv).map_err(|p| problems.push(p)).ok(),
        };
        let unsupported = received.cv.is_some() && format.is_none();
        let (Ok(checked), Some(format), Some(cv)) = (checked, format, received.cv) else {
            let only_the_type = unsupported && problems.len() == 1;
            let mut failure = failed(ApiError::Invalid(problems));
            if only_the_type {
                failure.status = StatusCode::UNSUPPORTED_MEDIA_TYPE;
            }
            return Err(failure);
        };
        if !problems.is_empty() {
            return Err(failed(ApiError::Invalid(problems)));
        }
        // The CV is read whether or not this is a repeat, so the answer takes as long either way
        // and tells nobody whether an address has applied.
        let text = self
            .extractor
            .extract(cv.bytes.clone(), format)
            .await
            .map_err(|e| {
                let unsupported =
                    matches!(e, ExtractError::Unsupported | ExtractError::Mismatch(_));
                let mut failure = failed(read_error(e));
                if unsupported {
                    failure.status = StatusCode::UNSUPPORTED_MEDIA_TYPE;
                }
                failure
            })?;
        if self
            .send_link_again(&open, &checked)
            .await
            .map_err(failed)?
        {
            return Ok(Applied {
                email: checked.email,
            });
        }
        self.store(&open, &checked, cv, format, &text)
            .await
            .map_err(failed)?;
        Ok(Applied {
            email: checked.email,
        })
    }

    /// When this address has an open application for this job: a new private link replaces
    /// the old one and is e-mailed, and nothing else changes. True when that was the case.
    async fn send_link_again(
        &self,
        job: &OpenJob,
        person: &CheckedApplication,
    ) -> Result<bool, ApiError> {
        let existing: Option<(i64, i64)> = sqlx::query_as(
            "SELECT a.id, a.token_expires_at FROM applications a \
             JOIN candidates c ON c.id = a.candidate_id \
             WHERE a.job_id = $1 AND a.org_id = $3 AND c.email = $2 AND a.outcome = 'active' \
             ORDER BY a.id DESC LIMIT 1",
        )
        .bind(job.id)
        .bind(&person.email)
        .bind(job.org_id)
        .fetch_optional(&self.db.pool)
        .await
        .or_internal("looking for an earlier application")?;
        let Some((application_id, expires_at)) = existing else {
            return Ok(false);
        };
        // At most one new link a day: anyone who knows the address could otherwise kill the
        // candidate's link and fill their inbox at will.
        let recent: Option<i64> = sqlx::query_scalar(
            "SELECT MAX(at) FROM application_events WHERE application_id = $1 \
             AND org_id = $2 AND kind = 'link_resent'",
        )
        .bind(application_id)
        .bind(job.org_id)
        .fetch_one(&self.db.pool)
        .await
        .or_internal("reading when a link was sent")?;
        if recent.is_some_and(|at| at > now() - 86_400) {
            tracing::info!(
                org_id = job.org_id,
                application_id,
                "application repeated; link sent already today"
            );
            return Ok(true);
        }
        let token = new_token();
        let mut tx = self.db.begin().await.or_internal("starting transaction")?;
        sqlx::query("UPDATE applications SET token_hash = $1 WHERE id = $2 AND org_id = $3")
            .bind(token_hash(&token))
            .bind(application_id)
            .bind(job.org_id)
            .execute(&mut *tx)
            .await
            .or_internal("renewing a private link")?;
        Self::event(
            &mut tx,
            job.org_id,
            application_id,
            &person.name,
            "link_resent",
            "Applied again; a new private link was sent.",
        )
        .await?;
        self.mail_link(&mut tx, job, person, &token, expires_at, true)
            .await?;
        tx.commit().await.or_internal("renewing a private link")?;
        self.mail.wake();
        tracing::info!(
            org_id = job.org_id,
            application_id,
            "application repeated; link sent again"
        );
        Ok(true)
    }

    /// The e-mail with the candidate's private link: after applying, or when they applied
    /// again (`again`) and get a new link instead of a second application.
    async fn mail_link(
        &self,
        conn: &mut sqlx::AnyConnection,
        job: &OpenJob,
        person: &CheckedApplication,
        token: &str,
        expires_at: i64,
        again: bool,
    ) -> Result<(), ApiError> {
        let (title, org) = (in_mail(&job.title), in_mail(&job.org_name));
        let opening = if again {
            format!(
                "You have already applied for {title} at {org}, so we did not send your \
                 application twice. Here is a new private link to it (the one we sent before no \
                 longer works):"
            )
        } else {
            format!(
                "Thank you for applying for {title} at {org}. We have your application and your \
                 CV.\n\nFollow your application, withdraw it or ask for your data to be deleted \
                 here:"
            )
        };
        let body = format!(
            "Hello {name},\n\n{opening}\n{link}\n\nKeep this link to yourself: anyone who has \
             it can withdraw your application. It works until {until}, as long as {org} keeps \
             your data.\n",
            name = in_mail(&person.name),
            link = self.link(token)?,
            until = shared::time::format_date(expires_at),
        );
        let subject = format!("Your application for {title}");
        self.mail
            .enqueue(
                conn,
                OutgoingMail {
                    org_id: Some(job.org_id),
                    recipient: &person.email,
                    subject: &subject,
                    body: &body,
                    grants_role: None,
                },
            )
            .await
    }

    fn link(&self, token: &str) -> Result<url::Url, ApiError> {
        self.public_url
            .join(status_path(token).trim_start_matches('/'))
            .or_internal("building a private link")
    }

    /// Writes the file, then everything else in one transaction; the file goes again if the
    /// transaction fails, so a failed application leaves nothing behind.
    async fn store(
        &self,
        job: &OpenJob,
        person: &CheckedApplication,
        cv: Upload,
        format: Format,
        text: &str,
    ) -> Result<(), ApiError> {
        let key = FileStore::new_key(job.org_id, "cv");
        let size = cv.bytes.len() as i64;
        let sha256 = uploads::hex(&Sha256::digest(&cv.bytes));
        let file_name = uploads::shown_file_name(&cv.file_name, "CV");
        self.files
            .put(&key, cv.bytes)
            .await
            .or_internal("storing a CV")?;
        let written = self
            .write(job, person, &key, &file_name, format, size, &sha256, text)
            .await;
        if written.is_err() {
            if let Err(err) = self.files.delete(&key).await {
                tracing::error!(error = %err, key, "could not remove the CV of a failed application");
            }
        }
        let (application_id, notices) = written?;
        self.mail.wake();
        self.pipeline
            .announce(job.org_id, &job.org_slug, job.id, &job.job_slug)
            .await;
        self.pipeline.tell(notices).await;
        tracing::info!(
            org_id = job.org_id,
            job_id = job.id,
            application_id,
            "application received"
        );
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    async fn write(
        &self,
        job: &OpenJob,
        person: &CheckedApplication,
        key: &str,
        file_name: &str,
        format: Format,
        size: i64,
        sha256: &str,
        text: &str,
    ) -> Result<(i64, Vec<i64>), ApiError> {
        let at = now();
        let months = u32::try_from(job.retention_months).unwrap_or(12);
        let expires_at = at + i64::from(months) * MONTH_SECS;
        let token = new_token();
        let mut tx = self.db.begin().await.or_internal("starting transaction")?;
        let file_id: i64 = sqlx::query_scalar(
            "INSERT INTO stored_files (org_id, object_key, file_name, format, size_bytes, sha256, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(job.org_id)
        .bind(key)
        .bind(file_name)
        .bind(format_key(format))
        .bind(size)
        .bind(sha256)
        .bind(at)
        .fetch_one(&mut *tx)
        .await
        .or_internal("recording a CV")?;
        let candidate_id: i64 = sqlx::query_scalar(
            "INSERT INTO candidates (org_id, name, email, phone, phone_key, links, cv_file_id, \
             cv_text, source, created_at, updated_at, name_key) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'careers', $9, $9, $10) RETURNING id",
        )
        .bind(job.org_id)
        .bind(&person.name)
        .bind(&person.email)
        .bind(&person.phone)
        .bind(shared::applications::phone_key(&person.phone))
        .bind(person.links.join("\n"))
        .bind(file_id)
        .bind(text)
        .bind(at)
        .bind(shared::applications::name_key(&person.name))
        .fetch_one(&mut *tx)
        .await
        .or_internal("recording a candidate")?;
        sqlx::query("UPDATE stored_files SET candidate_id = $1 WHERE id = $2 AND org_id = $3")
            .bind(candidate_id)
            .bind(file_id)
            .bind(job.org_id)
            .execute(&mut *tx)
            .await
            .or_internal("recording a CV")?;
        crate::candidates::queue_index(&mut tx, &self.queue, job.org_id, candidate_id).await?;
        let stage_id = first_stage(&mut tx, job.org_id, job.id).await?;
        let application_id: i64 = sqlx::query_scalar(
            "INSERT INTO applications (org_id, job_id, candidate_id, stage_id, outcome, \
             cover_letter, consent_text, consented_at, token_hash, token_expires_at, created_at, \
             updated_at, stage_entered_at) \
             VALUES ($1, $2, $3, $4, 'active', $5, $6, $7, $8, $9, $7, $7, $7) RETURNING id",
        )
        .bind(job.org_id)
        .bind(job.id)
        .bind(candidate_id)
        .bind(stage_id)
        .bind(&person.cover_letter)
        .bind(consent_text(&job.org_name, months))
        .bind(at)
        .bind(token_hash(&token))
        .bind(expires_at)
        .fetch_one(&mut *tx)
        .await
        .or_internal("recording an application")?;
        crate::pipeline::queue_scoring(&mut tx, &self.queue, job.org_id, application_id)
            .await
            .or_internal("queueing a score")?;
        Self::event(
            &mut tx,
            job.org_id,
            application_id,
            &person.name,
            "applied",
            "Applied on the careers page.",
        )
        .await?;
        self.mail_link(&mut tx, job, person, &token, expires_at, false)
            .await?;
        let about = crate::pipeline::TeamNotice {
            org_id: job.org_id,
            org_slug: &job.org_slug,
            job_id: job.id,
            id: application_id,
            except: None,
        };
        let text = format!("{} applied for {}", person.name, job.title);
        let notices = crate::pipeline::Pipeline::notify_team(
            &mut tx,
            about,
            shared::notifications::Topic::NewApplication,
            &text,
        )
        .await?;
        tx.commit().await.or_internal("recording an application")?;
        Ok((application_id, notices))
    }
}

/// The rate-limit key of a client: its address, an IPv6 one by its /64 network (one
/// subscriber gets a whole /64, so single addresses would be no limit at all).
fn address_key(address: Option<std::net::IpAddr>) -> String {
    match address {
        Some(std::net::IpAddr::V6(v6)) if v6.to_ipv4_mapped().is_none() => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        Some(std::net::IpAddr::V6(v6)) => v6
            .to_ipv4_mapped()
            .map_or_else(String::new, |v4| v4.to_string()),
        Some(address) => address.to_string(),
        None => "unknown".to_owned(),
    }
}

pub(crate) fn format_key(format: Format) -> &'static str {
    match format {
        Format::Pdf => "pdf",
        Format::Docx => "docx",
        Format::Text => "text",
        Format::Markdown => "markdown",
    }
}

/// The first stage of a job's board, made from the organisation's stage template the first time
/// a job needs them (two applications at once both try; the unique position keeps one set).
pub(crate) async fn first_stage(
    conn: &mut sqlx::AnyConnection,
    org_id: i64,
    job_id: i64,
) -> Result<i64, ApiError> {
    let first = "SELECT id FROM job_stages WHERE job_id = $1 ORDER BY position LIMIT 1";
    let existing: Option<i64> = sqlx::query_scalar(first)
        .bind(job_id)
        .fetch_optional(&mut *conn)
        .await
        .or_internal("reading a job's first stage")?;
    if let Some(id) = existing {
        return Ok(id);
    }
    // The organisation's stages for new jobs.
    let names = crate::pipeline::stages::template(&mut *conn, org_id).await?;
    for (position, name) in names.iter().enumerate() {
        sqlx::query(
            "INSERT INTO job_stages (org_id, job_id, position, name) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (job_id, position) DO NOTHING",
        )
        .bind(org_id)
        .bind(job_id)
        .bind(position as i64)
        .bind(name)
        .execute(&mut *conn)
        .await
        .or_internal("making a job's stages")?;
    }
    sqlx::query_scalar(first)
        .bind(job_id)
        .fetch_one(&mut *conn)
        .await
        .or_internal("reading a job's first stage")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_clients_are_limited_by_their_network() {
        let a: std::net::IpAddr = "2001:db8:1:2:aaaa::1".parse().expect("ip");
        let b: std::net::IpAddr = "2001:db8:1:2:bbbb::9".parse().expect("ip");
        let other: std::net::IpAddr = "2001:db8:1:3::1".parse().expect("ip");
        assert_eq!(address_key(Some(a)), address_key(Some(b)));
        assert_ne!(address_key(Some(a)), address_key(Some(other)));
        let mapped: std::net::IpAddr = "::ffff:192.0.2.7".parse().expect("ip");
        assert_eq!(address_key(Some(mapped)), "192.0.2.7");
        assert_eq!(
            address_key(Some("192.0.2.7".parse().expect("ip"))),
            "192.0.2.7"
        );
        assert_eq!(address_key(None), "unknown");
    }

    #[test]
    fn shown_file_names_are_a_last_path_part_without_hidden_characters() {
        assert_eq!(
            uploads::shown_file_name("C:\\Users\\ada\\cv.pdf", "CV"),
            "cv.pdf"
        );
        assert_eq!(uploads::shown_file_name("../../etc/passwd", "CV"), "passwd");
        assert_eq!(
            uploads::shown_file_name("cv\u{202e}fdp.exe", "CV"),
            "cvfdp.exe"
        );
        assert_eq!(uploads::shown_file_name("", "CV"), "CV");
    }
}
