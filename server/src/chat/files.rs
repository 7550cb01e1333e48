//! Files sent in chat. A page uploads a file to a conversation first (`POST
//! /o/{slug}/chat/{conversation}/files`, or the candidate's `POST /a/{token}/files`), where it is
//! checked by its content as CVs are and kept in the file store under a key the server makes;
//! the answer names it by an id, and the message that carries it names that id
//! ([`shared::ws::ClientEvent::Send`]). Who sees the conversation downloads it (`GET
//! /o/{slug}/chat/files/{id}`, `GET /a/{token}/files/{id}`), always as an attachment; a file
//! not sent yet only by who uploaded it. An upload never sent is removed after a day (a
//! background task, hourly); a deleted message's files are removed with its text.
//!
//! A file keeps the name it was sent with, but always ends in its kind's own extension (a text
//! file named `cv.pdf.hta` downloads as `cv.pdf.hta.txt`), so that a saved download never opens
//! as a program. Refusals are answered 413 (too large), 415 (not a kind we take, or not what it
//! claims to be) or 422, each with the reason beside the file.

use super::{candidate, member_of, writer::Writer, Chat, Place};
use crate::{
    documents::{self, ExtractError, Format},
    platform::{
        db::{now, Db},
        error::{internal, OrInternal},
        files::FileStore,
        limits::{InFlight, PerKey, RateLimit},
        uploads::{self, Upload},
    },
};
use app::{
    error::ApiError,
    seam::{Caller, Identity, OrgCaller},
};
use axum::{
    extract::{Path, Request, State},
    http::StatusCode,
    response::{IntoResponse, Response},
    Json,
};
use sha2::{Digest, Sha256};
use shared::chat::{Attachment, FileKind, MAX_ATTACHMENT_BYTES};
use std::{sync::Arc, time::Duration};
use tokio::sync::Semaphore;

/// Files one member (or one candidate) may upload in an hour.
const UPLOADS_PER_HOUR: u32 = 60;
/// How long an upload waits for the message that carries it.
const UNSENT_KEPT_SECS: i64 = 24 * 3_600;
/// Unsent uploads removed in one pass (the rest in the next).
const SWEEP_BATCH: i64 = 200;
/// How often unsent uploads are looked for.
const SWEEP_EVERY: Duration = Duration::from_secs(3_600);
/// Uploads received at once by one member or candidate, and by the whole server (each holds
/// its file in memory until it is stored).
const UPLOADS_IN_FLIGHT_EACH: usize = 2;
const UPLOADS_IN_FLIGHT: usize = 8;
/// The largest picture taken, in pixels (each page that shows it decodes it whole).
const MAX_IMAGE_PIXELS: u64 = 40_000_000;
const MAX_IMAGE_SIDE: u32 = 12_000;
/// The multipart body: the file and its part's headers.
pub const MAX_ATTACHMENT_BODY: usize = MAX_ATTACHMENT_BYTES + 64 * 1024;

/// Who uploads, for the hourly limit.
#[derive(Clone, Debug, Hash, PartialEq, Eq)]
enum Uploader {
    Member(i64),
    Candidate(i64),
}

/// Chat's uploads and downloads.
#[derive(Clone)]
pub struct ChatFiles {
    chat: Chat,
    identity: Arc<dyn Identity>,
    uploads: Option<RateLimit<Uploader>>,
    each: PerKey<Uploader>,
    in_flight: Arc<Semaphore>,
}

/// Why an upload was refused, and the status it is answered with.
#[derive(Debug)]
struct Refused {
    status: StatusCode,
    error: ApiError,
}

impl From<ApiError> for Refused {
    fn from(error: ApiError) -> Self {
        let status = if error == too_large() {
            StatusCode::PAYLOAD_TOO_LARGE
        } else {
            StatusCode::from_u16(error.status()).unwrap_or(StatusCode::BAD_REQUEST)
        };
        Self { status, error }
    }
}

/// A file's row, as a download needs it.
#[derive(sqlx::FromRow)]
struct FileRow {
    conversation_id: i64,
    seq: Option<i64>,
    uploaded_by: Option<i64>,
    from_candidate: i64,
    object_key: String,
    file_name: String,
    kind: String,
}

fn too_large() -> ApiError {
    ApiError::field(
        "file",
        format!(
            "This file is larger than {} MB; attach a smaller one, or share a link to it.",
            MAX_ATTACHMENT_BYTES / 1024 / 1024
        ),
    )
}

fn closed() -> ApiError {
    ApiError::field(
        "file",
        "The candidate asked for their data to be deleted: this conversation is closed.",
    )
}

fn unsupported() -> ApiError {
    ApiError::field(
        "file",
        "This type of file cannot be attached. Attach a PDF, a Word document (.docx), a .txt or \
         .md file, or a PNG, JPEG or WebP image.",
    )
}

/// What the file is, read from its content (it must be what its name or type says), and an
/// image's size in pixels; or what to fix.
pub fn read_kind(upload: &Upload) -> Result<(FileKind, Option<(u32, u32)>), ApiError> {
    if upload.bytes.is_empty() {
        return Err(ApiError::field(
            "file",
            "This file is empty; choose it again.",
        ));
    }
    let mime = upload
        .content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let extension = upload
        .file_name
        .rsplit_once('.')
        .map(|(_, ext)| ext.to_ascii_lowercase())
        .unwrap_or_default();
    let image = match (mime.as_str(), extension.as_str()) {
        ("image/png", _) | (_, "png") => Some(FileKind::Png),
        ("image/jpeg", _) | (_, "jpg" | "jpeg") => Some(FileKind::Jpeg),
        ("image/webp", _) | (_, "webp") => Some(FileKind::Webp),
        _ => None,
    };
    if let Some(kind) = image {
        use imagesize::ImageType;
        let found = match imagesize::image_type(&upload.bytes) {
            Ok(ImageType::Png) => Some(FileKind::Png),
            Ok(ImageType::Jpeg) => Some(FileKind::Jpeg),
            Ok(ImageType::Webp) => Some(FileKind::Webp),
            _ => None,
        };
        let mismatch = || {
            ApiError::field(
                "file",
                format!(
                    "This file is not the {} image its name says; check it and attach it again.",
                    kind.as_str().to_uppercase()
                ),
            )
        };
        if found != Some(kind) {
            return Err(mismatch());
        }
        let size = imagesize::blob_size(&upload.bytes).map_err(|_| mismatch())?;
        let side = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        let (width, height) = (side(size.width), side(size.height));
        if width > MAX_IMAGE_SIDE
            || height > MAX_IMAGE_SIDE
            || u64::from(width) * u64::from(height) > MAX_IMAGE_PIXELS
        {
            return Err(ApiError::field(
                "file",
                format!(
                    "This picture is {width} × {height} pixels, more than a page can show; \
                     save it smaller (at most {MAX_IMAGE_SIDE} pixels a side) and attach it again."
                ),
            ));
        }
        return Ok((kind, Some((width, height))));
    }
    let format =
        Format::declared(&upload.content_type, Some(&upload.file_name)).ok_or_else(unsupported)?;
    documents::check_content(&upload.bytes, format).map_err(|error| match error {
        ExtractError::TooLarge => too_large(),
        ExtractError::Mismatch(name) => ApiError::field(
            "file",
            format!("This file is not the {name} its name says; check it and attach it again."),
        ),
        other => ApiError::field("file", other.to_string()),
    })?;
    let kind = match format {
        Format::Pdf => FileKind::Pdf,
        Format::Docx => FileKind::Docx,
        Format::Text => FileKind::Text,
        Format::Markdown => FileKind::Markdown,
    };
    Ok((kind, None))
}

/// `name` as it is kept: ending in one of `kind`'s own extensions (the kind its content showed),
/// with that extension added when it does not.
pub fn safe_name(name: &str, kind: FileKind) -> String {
    let own: &[&str] = match kind {
        FileKind::Pdf => &["pdf"],
        FileKind::Docx => &["docx"],
        FileKind::Text => &["txt"],
        FileKind::Markdown => &["md", "markdown"],
        FileKind::Png => &["png"],
        FileKind::Jpeg => &["jpg", "jpeg"],
        FileKind::Webp => &["webp"],
    };
    let ext = name
        .rsplit_once('.')
        .map(|(_, ext)| ext.to_ascii_lowercase())
        .unwrap_or_default();
    if own.contains(&ext.as_str()) {
        name.to_owned()
    } else {
        format!("{name}.{}", own[0])
    }
}

/// The files `ids` of a message `writer` is sending to `conversation`, in the order named, if
/// each was uploaded there by them and not sent yet; `None` otherwise. Read inside the
/// message's transaction; [`mark_sent`] follows once the message is stored.
pub(super) async fn unsent(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    conversation: i64,
    writer: &Writer,
    ids: &[i64],
) -> Result<Option<Vec<Attachment>>, sqlx::Error> {
    type Row = (i64, String, String, i64, Option<i64>, Option<i64>);
    let mut found = Vec::with_capacity(ids.len());
    for (i, id) in ids.iter().enumerate() {
        if ids[..i].contains(id) {
            return Ok(None);
        }
        let query = match writer {
            Writer::Member(user_id) => sqlx::query_as::<_, Row>(
                "SELECT id, file_name, kind, size_bytes, width, height FROM chat_files \
                 WHERE id = $1 AND conversation_id = $2 AND seq IS NULL AND uploaded_by = $3",
            )
            .bind(*id)
            .bind(conversation)
            .bind(*user_id),
            Writer::Candidate { .. } => sqlx::query_as::<_, Row>(
                "SELECT id, file_name, kind, size_bytes, width, height FROM chat_files \
                 WHERE id = $1 AND conversation_id = $2 AND seq IS NULL AND from_candidate = 1",
            )
            .bind(*id)
            .bind(conversation),
        };
        let Some((id, name, kind, size, width, height)) = query.fetch_optional(&mut **tx).await?
        else {
            return Ok(None);
        };
        let Some(kind) = FileKind::parse(&kind) else {
            return Ok(None);
        };
        let side = |n: Option<i64>| n.and_then(|n| u32::try_from(n).ok());
        found.push(Attachment {
            id,
            name,
            size,
            kind,
            width: side(width),
            height: side(height),
        });
    }
    Ok(Some(found))
}

/// Marks the files as sent with the message `seq`; `false` if one of them was sent or removed
/// meanwhile (by another instance's writer, or the sweep): then the message must not be stored.
pub(super) async fn mark_sent(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    conversation: i64,
    seq: i64,
    files: &[Attachment],
) -> Result<bool, sqlx::Error> {
    let mut all = true;
    for file in files {
        let done = sqlx::query(
            "UPDATE chat_files SET seq = $1 WHERE id = $2 AND conversation_id = $3 \
             AND seq IS NULL",
        )
        .bind(seq)
        .bind(file.id)
        .bind(conversation)
        .execute(&mut **tx)
        .await?;
        all &= done.rows_affected() == 1;
    }
    Ok(all)
}

/// Forgets the files of the message `seq` (it is being deleted); answers their keys, to
/// remove from the file store once that is committed.
pub(super) async fn forget_sent(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    conversation: i64,
    seq: i64,
) -> Result<Vec<String>, sqlx::Error> {
    let keys = sqlx::query_scalar(
        "SELECT object_key FROM chat_files WHERE conversation_id = $1 AND seq = $2",
    )
    .bind(conversation)
    .bind(seq)
    .fetch_all(&mut **tx)
    .await?;
    sqlx::query("DELETE FROM chat_files WHERE conversation_id = $1 AND seq = $2")
        .bind(conversation)
        .bind(seq)
        .execute(&mut **tx)
        .await?;
    Ok(keys)
}

/// Removes files from the store (their rows are gone); one that fails is logged, not retried.
pub(super) async fn remove_objects(files: &FileStore, keys: Vec<String>) {
    for key in keys {
        if let Err(err) = files.delete(&key).await {
            tracing::warn!(error = %err, "removing a chat file from the file store");
        }
    }
}

fn answer_error(error: ApiError) -> Response {
    let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::BAD_REQUEST);
    (status, Json(error)).into_response()
}

fn answer(result: Result<Attachment, Refused>) -> Response {
    match result {
        Ok(attachment) => Json(attachment).into_response(),
        Err(refused) => (refused.status, Json(refused.error)).into_response(),
    }
}

/// Whether the body says it is larger than an upload may be (refused before it is read).
fn declared_too_large(request: &Request) -> bool {
    request
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
        .is_some_and(|n| n > MAX_ATTACHMENT_BODY)
}

/// What is needed to keep one checked upload: stored, then recorded.
struct Keeping {
    db: Db,
    files: FileStore,
    org_id: i64,
    conversation: i64,
    uploaded_by: Option<i64>,
    from_candidate: i64,
    sha256: String,
}

impl Keeping {
    /// Stores the file and records it (unsent); its id. Nothing is left half-kept.
    async fn keep(self, bytes: Vec<u8>, file: Attachment) -> Result<i64, ApiError> {
        let key = FileStore::new_key(self.org_id, "chat");
        if let Err(err) = self.files.put(&key, bytes).await {
            return Err(internal("storing a chat file", err));
        }
        let side = |n: Option<u32>| n.map(i64::from);
        let stored: Result<i64, sqlx::Error> = sqlx::query_scalar(
            "INSERT INTO chat_files (org_id, conversation_id, uploaded_by, from_candidate, \
             object_key, file_name, kind, size_bytes, sha256, width, height, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
        )
        .bind(self.org_id)
        .bind(self.conversation)
        .bind(self.uploaded_by)
        .bind(self.from_candidate)
        .bind(&key)
        .bind(&file.name)
        .bind(file.kind.as_str())
        .bind(file.size)
        .bind(&self.sha256)
        .bind(side(file.width))
        .bind(side(file.height))
        .bind(now())
        .fetch_one(&self.db.pool)
        .await;
        match stored {
            Ok(id) => Ok(id),
            Err(err) => {
                remove_objects(&self.files, vec![key]).await;
                Err(internal("recording a chat file", err))
            }
        }
    }
}

impl ChatFiles {
    pub fn new(chat: Chat, identity: Arc<dyn Identity>) -> Self {
        Self {
            chat,
            identity,
            uploads: RateLimit::new(UPLOADS_PER_HOUR, Duration::from_secs(3_600)),
            each: PerKey::new(UPLOADS_IN_FLIGHT_EACH),
            in_flight: Arc::new(Semaphore::new(UPLOADS_IN_FLIGHT)),
        }
    }

    /// Removes, every hour, the uploads that no message carried within a day.
    pub fn start_sweeping(&self) -> tokio::task::JoinHandle<()> {
        let files = self.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(SWEEP_EVERY);
            loop {
                every.tick().await;
                files.sweep().await;
                if let Some(limit) = &files.uploads {
                    limit.retain_recent();
                }
            }
        })
    }

    fn db(&self) -> &Db {
        &self.chat.db
    }

    /// The signed-in member of `slug` behind the request.
    async fn member(
        &self,
        parts: &axum::http::request::Parts,
        slug: &str,
    ) -> Result<OrgCaller, ApiError> {
        let identity = self.identity.as_ref();
        let caller = Caller::resolve(identity, parts).await?;
        OrgCaller::resolve(identity, &caller, slug).await
    }

    /// Where `conversation` (of `org_id`) is, if `user_id` is in it and may see it.
    async fn place(
        &self,
        conversation: i64,
        user_id: i64,
        org_id: i64,
    ) -> Result<Option<Place>, ApiError> {
        let mut conn = self
            .db()
            .pool
            .acquire()
            .await
            .or_internal("checking a conversation's member")?;
        let place = member_of(&self.chat.hub, &mut conn, conversation, user_id)
            .await
            .or_internal("checking a conversation's member")?;
        Ok(place.filter(|place| place.org_id == org_id))
    }

    /// Reads the request's file, checks it and keeps it as an unsent file of `conversation`.
    async fn receive(
        &self,
        request: Request,
        org_id: i64,
        conversation: i64,
        uploader: Uploader,
    ) -> Result<Attachment, Refused> {
        if declared_too_large(&request) {
            return Err(too_large().into());
        }
        if let Some(limit) = &self.uploads {
            limit.check(&uploader)?;
        }
        let _each: InFlight<Uploader> = self
            .each
            .try_start(uploader.clone())
            .ok_or(ApiError::Busy)?;
        let _slot = self
            .in_flight
            .clone()
            .try_acquire_owned()
            .map_err(|_| ApiError::Busy)?;
        let received = uploads::receive(request, "file", MAX_ATTACHMENT_BYTES, too_large).await?;
        let upload = received
            .file
            .ok_or_else(|| ApiError::field("file", "Choose a file to attach."))?;
        // Reading 10 MB and hashing them is work for a blocking thread, not the runtime's.
        let (upload, kind, sha256) = tokio::task::spawn_blocking(move || {
            let kind = read_kind(&upload);
            let sha256 = uploads::hex(&Sha256::digest(&upload.bytes));
            (upload, kind, sha256)
        })
        .await
        .map_err(|err| internal("checking a chat file", err))?;
        let (kind, size) = kind.map_err(|error| Refused {
            status: if upload.bytes.is_empty() {
                StatusCode::UNPROCESSABLE_ENTITY
            } else {
                StatusCode::UNSUPPORTED_MEDIA_TYPE
            },
            error,
        })?;
        let name = safe_name(
            &uploads::shown_file_name(&upload.file_name, "attachment"),
            kind,
        );
        let (uploaded_by, from_candidate) = match uploader {
            Uploader::Member(user_id) => (Some(user_id), 0_i64),
            Uploader::Candidate(_) => (None, 1),
        };
        let file = Attachment {
            id: 0,
            name,
            size: i64::try_from(upload.bytes.len()).unwrap_or(i64::MAX),
            kind,
            width: size.map(|s| s.0),
            height: size.map(|s| s.1),
        };
        let keeping = Keeping {
            db: self.db().clone(),
            files: self.chat.files.clone(),
            org_id,
            conversation,
            uploaded_by,
            from_candidate,
            sha256,
        };
        // Stored and recorded to the end even if the request goes meanwhile: never a file
        // without its row, which the sweep could not find.
        let id = tokio::spawn(keeping.keep(upload.bytes, file.clone()))
            .await
            .map_err(|err| internal("keeping a chat file", err))??;
        tracing::info!(org_id, conversation, file = id, "chat file uploaded");
        Ok(Attachment { id, ..file })
    }

    /// Removes uploads that no message carried within a day.
    async fn sweep(&self) {
        let old: Result<Vec<(i64, String)>, sqlx::Error> = sqlx::query_as(
            "SELECT id, object_key FROM chat_files WHERE seq IS NULL AND created_at < $1 \
             ORDER BY created_at LIMIT $2",
        )
        .bind(now() - UNSENT_KEPT_SECS)
        .bind(SWEEP_BATCH)
        .fetch_all(&self.db().pool)
        .await;
        let old = match old {
            Ok(old) => old,
            Err(err) => return tracing::warn!(error = %err, "looking for unsent chat files"),
        };
        for (id, key) in old {
            let gone = sqlx::query("DELETE FROM chat_files WHERE id = $1 AND seq IS NULL")
                .bind(id)
                .execute(&self.db().pool)
                .await;
            match gone {
                // Sent meanwhile: kept.
                Ok(done) if done.rows_affected() == 0 => {}
                Ok(_) => remove_objects(&self.chat.files, vec![key]).await,
                Err(err) => tracing::warn!(error = %err, "removing an unsent chat file"),
            }
        }
    }

    async fn download(&self, row: FileRow) -> Response {
        match self.chat.files.get(&row.object_key).await {
            Ok(bytes) => {
                let kind = FileKind::parse(&row.kind).unwrap_or(FileKind::Text);
                uploads::download(bytes, kind.content_type(), &row.file_name)
            }
            Err(err) => {
                tracing::error!(error = %err, "a recorded chat file is missing from the file store");
                answer_error(ApiError::Internal)
            }
        }
    }

    async fn member_upload(
        &self,
        slug: &str,
        conversation: &str,
        request: Request,
    ) -> Result<Attachment, Refused> {
        let conversation: i64 = conversation.parse().map_err(|_| ApiError::NotFound)?;
        let (parts, body) = request.into_parts();
        let caller = self.member(&parts, slug).await?;
        match self
            .place(conversation, caller.user_id(), caller.org_id())
            .await?
        {
            None => return Err(ApiError::NotFound.into()),
            Some(place) if place.closed => return Err(closed().into()),
            Some(_) => {}
        }
        let request = Request::from_parts(parts, body);
        self.receive(
            request,
            caller.org_id(),
            conversation,
            Uploader::Member(caller.user_id()),
        )
        .await
    }

    async fn candidate_upload(&self, token: &str, request: Request) -> Result<Attachment, Refused> {
        let link = candidate::link(self.db(), token)
            .await
            .or_internal("reading an application's link")?
            .ok_or(ApiError::NotFound)?;
        if !link.open {
            return Err(ApiError::field(
                "file",
                "You asked for your data to be deleted, so this conversation is closed.",
            )
            .into());
        }
        let conversation = candidate::conversation_of(self.db(), link.application, None).await?;
        let org_id: i64 = sqlx::query_scalar("SELECT org_id FROM conversations WHERE id = $1")
            .bind(conversation)
            .fetch_one(&self.db().pool)
            .await
            .or_internal("reading a candidate's conversation")?;
        self.receive(
            request,
            org_id,
            conversation,
            Uploader::Candidate(link.application),
        )
        .await
    }

    async fn member_file(
        &self,
        slug: &str,
        id: &str,
        request: Request,
    ) -> Result<FileRow, ApiError> {
        let id: i64 = id.parse().map_err(|_| ApiError::NotFound)?;
        let (parts, _) = request.into_parts();
        let caller = self.member(&parts, slug).await?;
        let row: FileRow = sqlx::query_as(
            "SELECT conversation_id, seq, uploaded_by, from_candidate, object_key, file_name, \
             kind FROM chat_files WHERE id = $1 AND org_id = $2",
        )
        .bind(id)
        .bind(caller.org_id())
        .fetch_optional(&self.db().pool)
        .await
        .or_internal("reading a chat file")?
        .ok_or(ApiError::NotFound)?;
        let sent_or_mine = row.seq.is_some()
            || (row.from_candidate == 0 && row.uploaded_by == Some(caller.user_id()));
        if !sent_or_mine
            || self
                .place(row.conversation_id, caller.user_id(), caller.org_id())
                .await?
                .is_none()
        {
            return Err(ApiError::NotFound);
        }
        tracing::info!(
            org_id = caller.org_id(),
            user_id = caller.user_id(),
            file = id,
            "chat file downloaded"
        );
        Ok(row)
    }

    async fn candidate_file(&self, token: &str, id: &str) -> Result<FileRow, ApiError> {
        let id: i64 = id.parse().map_err(|_| ApiError::NotFound)?;
        let link = candidate::link(self.db(), token)
            .await
            .or_internal("reading an application's link")?
            .ok_or(ApiError::NotFound)?;
        let row: FileRow = sqlx::query_as(
            "SELECT f.conversation_id, f.seq, f.uploaded_by, f.from_candidate, f.object_key, \
             f.file_name, f.kind FROM chat_files f \
             JOIN conversations c ON c.id = f.conversation_id \
             WHERE f.id = $1 AND c.application_id = $2",
        )
        .bind(id)
        .bind(link.application)
        .fetch_optional(&self.db().pool)
        .await
        .or_internal("reading a chat file")?
        .ok_or(ApiError::NotFound)?;
        if row.seq.is_none() && row.from_candidate == 0 {
            return Err(ApiError::NotFound);
        }
        Ok(row)
    }
}

/// `POST /o/{slug}/chat/{conversation}/files`: a member's file, answered as the
/// [`Attachment`] to name in the message (JSON), or the error.
pub async fn upload_handler(
    State(files): State<ChatFiles>,
    Path((slug, conversation)): Path<(String, String)>,
    request: Request,
) -> Response {
    answer(files.member_upload(&slug, &conversation, request).await)
}

/// `POST /a/{token}/files`: the candidate's file, for their application's conversation.
pub async fn candidate_upload_handler(
    State(files): State<ChatFiles>,
    Path(token): Path<String>,
    request: Request,
) -> Response {
    answer(files.candidate_upload(&token, request).await)
}

/// `GET /o/{slug}/chat/files/{id}`: a file of a conversation the member sees.
pub async fn file_handler(
    State(files): State<ChatFiles>,
    Path((slug, id)): Path<(String, String)>,
    request: Request,
) -> Response {
    match files.member_file(&slug, &id, request).await {
        Ok(row) => files.download(row).await,
        Err(error) => answer_error(error),
    }
}

/// `GET /a/{token}/files/{id}`: a file of the candidate's conversation.
pub async fn candidate_file_handler(
    State(files): State<ChatFiles>,
    Path((token, id)): Path<(String, String)>,
) -> Response {
    match files.candidate_file(&token, &id).await {
        Ok(row) => files.download(row).await,
        Err(error) => answer_error(error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn upload(name: &str, content_type: &str, bytes: &[u8]) -> Upload {
        Upload {
            file_name: name.to_owned(),
            content_type: content_type.to_owned(),
            bytes: bytes.to_vec(),
        }
    }

    /// The header of a `width` × `height` PNG (enough for its type and size).
    fn png(width: u32, height: u32) -> Vec<u8> {
        let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        bytes.extend_from_slice(&width.to_be_bytes());
        bytes.extend_from_slice(&height.to_be_bytes());
        bytes.extend_from_slice(&[8, 6, 0, 0, 0]);
        bytes
    }

    fn refusal(result: Result<(FileKind, Option<(u32, u32)>), ApiError>) -> String {
        match result {
            Err(error) => error.field_errors()[0].message.clone(),
            Ok(found) => panic!("accepted: {found:?}"),
        }
    }

    #[test]
    fn a_kept_name_ends_in_its_kinds_own_extension() {
        assert_eq!(safe_name("cv.pdf", FileKind::Pdf), "cv.pdf");
        assert_eq!(safe_name("Photo.JPEG", FileKind::Jpeg), "Photo.JPEG");
        assert_eq!(
            safe_name("invoice.pdf.hta", FileKind::Text),
            "invoice.pdf.hta.txt"
        );
        assert_eq!(safe_name("tool.jar", FileKind::Docx), "tool.jar.docx");
        assert_eq!(safe_name("notes", FileKind::Markdown), "notes.md");
    }

    #[test]
    fn huge_pictures_are_refused() {
        let message = refusal(read_kind(&upload(
            "big.png",
            "image/png",
            &png(50_000, 50_000),
        )));
        assert!(message.contains("50000 × 50000 pixels"), "{message}");
    }

    #[test]
    fn files_are_what_their_content_says() {
        let read = |u: Upload| read_kind(&u);
        assert_eq!(
            read(upload("shot.png", "image/png", &png(640, 480))).ok(),
            Some((FileKind::Png, Some((640, 480))))
        );
        assert_eq!(
            read(upload("offer.pdf", "application/pdf", b"%PDF-1.7 ...")).ok(),
            Some((FileKind::Pdf, None))
        );
        assert_eq!(
            read(upload("notes.md", "", "# Notes\n".as_bytes())).ok(),
            Some((FileKind::Markdown, None))
        );
        // A page that calls itself an image, a PDF that is not one, a program.
        let message = refusal(read(upload("cat.png", "image/png", b"%PDF-1.7")));
        assert!(message.contains("not the PNG image"), "{message}");
        let message = refusal(read(upload("cv.pdf", "application/pdf", b"<html>")));
        assert!(message.contains("not the PDF"), "{message}");
        let message = refusal(read(upload(
            "run.exe",
            "application/octet-stream",
            b"MZ\x90",
        )));
        assert!(message.contains("cannot be attached"), "{message}");
        let message = refusal(read(upload("empty.txt", "text/plain", b"")));
        assert!(message.contains("empty"), "{message}");
        let message = refusal(read(upload("bin.txt", "text/plain", b"a\0b")));
        assert!(message.contains("not the plain text"), "{message}");
    }
}
