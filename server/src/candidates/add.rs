//! `POST /o/{slug}/candidates/add`: a candidate added by hand by someone who manages candidates
//! (owners, admins, recruiters), as `multipart/form-data` with an optional CV: a person who
//! e-mailed a CV, a referral. Every field is checked (all problems at once) and the CV read by
//! its content before anything is written; then the file into the file store, and the
//! candidate and their indexing job in one transaction (the file is removed again if that
//! fails). A profile with the same e-mail address or phone number is not refused: the new
//! profile shows it as a possible duplicate, to merge.
//!
//! The answer is JSON for the page's script (`Added`, or an `ApiError` with its status) and,
//! for a plain HTML post, a redirect: to the new profile, or back to the form with the error and
//! what was typed.

use super::{queue_index, Candidates};
use crate::{
    applications::{cv_format, format_key, read_error, too_large, MAX_APPLY_BODY},
    documents::{ExtractError, Format},
    platform::{
        db::now,
        error::OrInternal,
        files::FileStore,
        uploads::{self, Upload},
    },
};
use app::{
    error::ApiError,
    seam::{Caller, OrgCaller},
};
use axum::{
    extract::{Path, Request, State},
    http::{header, StatusCode},
    response::{IntoResponse, Redirect, Response},
    Json,
};
use sha2::{Digest, Sha256};
use shared::{
    applications::MAX_CV_BYTES,
    candidates::{add_path, check_new_candidate, Added, CheckedCandidate, NewCandidateFields},
    validation::is_slug,
    Permission,
};

/// Why adding was refused, and what was typed (to give back to a plain post).
struct Refused {
    error: ApiError,
    fields: Option<NewCandidateFields>,
}

impl From<ApiError> for Refused {
    fn from(error: ApiError) -> Self {
        Self {
            error,
            fields: None,
        }
    }
}

/// The route's handler.
pub async fn add_handler(
    State(candidates): State<Candidates>,
    Path(slug): Path<String>,
    request: Request,
) -> Response {
    let json = uploads::wants_json(&request);
    if !is_slug(&slug) {
        return (StatusCode::NOT_FOUND, Json(ApiError::NotFound)).into_response();
    }
    match candidates.add(&slug, request).await {
        Ok(added) if json => Json(added).into_response(),
        Ok(added) => Redirect::to(&format!("/o/{slug}/candidates/{}", added.id)).into_response(),
        Err(Refused { error, .. }) if json => {
            let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::BAD_REQUEST);
            (status, Json(error)).into_response()
        }
        Err(Refused { error, fields }) => {
            // Not the address or the phone: a page address ends up in the browser's history.
            let kept = fields.map(|f| {
                uploads::kept(&[
                    ("name", &f.name),
                    ("links", &f.links),
                    ("source", &f.source),
                ])
            });
            let page = format!("/o/{slug}/candidates/new");
            uploads::send_back(&page, "add-candidate", &add_path(&slug), &error, kept)
        }
    }
}

impl Candidates {
    async fn add(&self, slug: &str, request: Request) -> Result<Added, Refused> {
        let (parts, body) = request.into_parts();
        let identity = self.identity.as_ref();
        let caller = Caller::resolve(identity, &parts).await?;
        let caller = OrgCaller::resolve(identity, &caller, slug).await?;
        caller.require(Permission::ManageCandidates)?;
        let declared = parts
            .headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        if declared.is_some_and(|n| n > MAX_APPLY_BODY) {
            return Err(too_large().into());
        }
        let Some(_in_flight) = self.extractor.start_for(caller.user_id()) else {
            return Err(ApiError::RateLimited {
                retry_after_secs: 5,
            }
            .into());
        };
        let received = uploads::receive(
            Request::from_parts(parts, body),
            "cv",
            MAX_CV_BYTES,
            too_large,
        )
        .await?;
        let mut fields = NewCandidateFields::default();
        for (name, value) in received.fields {
            fields.set(&name, value);
        }
        let refused = |error: ApiError| Refused {
            error,
            fields: Some(fields.clone()),
        };
        let mut problems = Vec::new();
        let checked = check_new_candidate(&fields).map_err(|p| problems.extend(p));
        let format = received
            .file
            .as_ref()
            .map(|cv| cv_format(cv).map_err(|p| problems.push(p)).ok());
        let (Ok(checked), true) = (checked, problems.is_empty()) else {
            return Err(refused(ApiError::Invalid(problems)));
        };
        let cv = match (received.file, format.flatten()) {
            (Some(cv), Some(format)) => {
                let text = self
                    .extractor
                    .extract(cv.bytes.clone(), format)
                    .await
                    .map_err(|e: ExtractError| refused(read_error(e)))?;
                Some((cv, format, text))
            }
            _ => None,
        };
        let id = self.store(&caller, &checked, cv).await.map_err(refused)?;
        tracing::info!(
            org_id = caller.org_id(),
            user_id = caller.user_id(),
            candidate_id = id,
            source = checked.source.as_str(),
            "candidate added by hand"
        );
        Ok(Added { id })
    }

    /// Writes the CV file, then the candidate in one transaction; the file goes again if the
    /// transaction fails.
    async fn store(
        &self,
        caller: &OrgCaller,
        person: &CheckedCandidate,
        cv: Option<(Upload, Format, String)>,
    ) -> Result<i64, ApiError> {
        let org_id = caller.org_id();
        let key = FileStore::new_key(org_id, "cv");
        let file = match cv {
            Some((upload, format, text)) => {
                let size = upload.bytes.len() as i64;
                let sha256 = uploads::hex(&Sha256::digest(&upload.bytes));
                let name = uploads::shown_file_name(&upload.file_name, "CV");
                self.files
                    .put(&key, upload.bytes)
                    .await
                    .or_internal("storing a CV")?;
                Some((format, text, size, sha256, name))
            }
            None => None,
        };
        let written = self.write(org_id, person, &key, file.as_ref()).await;
        if written.is_err() && file.is_some() {
            if let Err(err) = self.files.delete(&key).await {
                tracing::error!(error = %err, key, "could not remove the CV of a failed addition");
            }
        }
        let id = written?;
        self.queue.wake();
        Ok(id)
    }

    async fn write(
        &self,
        org_id: i64,
        person: &CheckedCandidate,
        key: &str,
        file: Option<&(Format, String, i64, String, String)>,
    ) -> Result<i64, ApiError> {
        let at = now();
        let mut tx = self.db.begin().await.or_internal("starting transaction")?;
        let file_id: Option<i64> = match file {
            Some((format, _, size, sha256, name)) => Some(
                sqlx::query_scalar(
                    "INSERT INTO stored_files (org_id, object_key, file_name, format, size_bytes, \
                     sha256, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                )
                .bind(org_id)
                .bind(key)
                .bind(name)
                .bind(format_key(*format))
                .bind(*size)
                .bind(sha256)
                .bind(at)
                .fetch_one(&mut *tx)
                .await
                .or_internal("recording a CV")?,
            ),
            None => None,
        };
        let text = file.map_or("", |(_, text, ..)| text.as_str());
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO candidates (org_id, name, email, phone, phone_key, links, cv_file_id, \
             cv_text, source, created_at, updated_at, name_key) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $11) RETURNING id",
        )
        .bind(org_id)
        .bind(&person.name)
        .bind(&person.email)
        .bind(&person.phone)
        .bind(shared::applications::phone_key(&person.phone))
        .bind(person.links.join("\n"))
        .bind(file_id)
        .bind(text)
        .bind(person.source.as_str())
        .bind(at)
        .bind(shared::applications::name_key(&person.name))
        .fetch_one(&mut *tx)
        .await
        .or_internal("recording a candidate")?;
        if let Some(file_id) = file_id {
            sqlx::query("UPDATE stored_files SET candidate_id = $1 WHERE id = $2 AND org_id = $3")
                .bind(id)
                .bind(file_id)
                .bind(org_id)
                .execute(&mut *tx)
                .await
                .or_internal("recording a CV")?;
        }
        queue_index(&mut tx, &self.queue, org_id, id).await?;
        tx.commit().await.or_internal("recording a candidate")?;
        Ok(id)
    }
}
