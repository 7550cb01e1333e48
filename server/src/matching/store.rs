//! Searchable documents with their embeddings, persisted and indexed.
//!
//! Any part of the product that wants its entities found (the hiring pipeline's jobs and
//! candidates, later anything else) calls [`DocumentStore::put`] when one is written and
//! [`DocumentStore::remove`] when it goes; the store keeps the database (`search_documents`,
//! `embeddings`), the in-memory hybrid index and the embeddings in step. Embeddings are keyed by
//! organisation, kind, id and model id. At start-up the index is rebuilt from the database; a
//! document without a vector from the running model (new model, or the embedding queue was full
//! when it was written) is searchable by its words at once and gets its vector from the
//! backfill, an `embed_documents` job on the durable queue, whose progress
//! [`DocumentStore::progress`] reports.
//!
//! The product has no searchable entities yet: `put`, `search` and `status` are reached today by
//! `tests/document_store.rs` and the bench; the hiring issue indexes jobs and candidates here.

use super::{
    index::{EntityKey, WrongDimension},
    search::{DocumentSearch, SearchHit},
    EmbedError, EmbeddingService, DIM, MODEL_ID,
};
use crate::{
    platform::db::{now, Db},
    queue::{ClaimedJob, JobError, JobHandler, JobQueue, NewJob},
};
use futures::TryStreamExt;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::sync::{
    atomic::{AtomicBool, AtomicU64, Ordering},
    Arc,
};
use tokio::sync::Mutex;

/// Longest title, in characters.
pub const MAX_TITLE_CHARS: usize = 300;
/// Longest body, in characters (a long CV fits easily).
pub const MAX_BODY_CHARS: usize = shared::matching::MAX_ANALYSIS_CHARS;
/// Documents the backfill embeds per round.
const BACKFILL_BATCH: usize = 32;
/// The job kind of the backfill.
pub const EMBED_DOCUMENTS: &str = "embed_documents";

/// The backfill job: one round of embedding; it queues the next round itself while documents
/// remain. At most one is queued at a time.
fn backfill_job() -> NewJob {
    NewJob::new(EMBED_DOCUMENTS, serde_json::json!({}))
        .once_queued(EMBED_DOCUMENTS)
        .attempts(20)
}

/// Why a document was not stored; nothing was changed when this is returned.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("kind must be 1–32 lowercase letters or underscores (got {0:?})")]
    Kind(String),
    #[error("the title is longer than {MAX_TITLE_CHARS} characters; shorten it")]
    TitleTooLong,
    #[error("the text is longer than {MAX_BODY_CHARS} characters; shorten it")]
    BodyTooLong,
    #[error("the document has neither a title nor a text; give it one")]
    Empty,
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Vector(#[from] WrongDimension),
    #[error(transparent)]
    Embedding(#[from] EmbedError),
    #[error("the search index could not be updated: {0}")]
    Index(String),
}

/// What a document says, as the search sees it.
#[derive(Clone, Copy, Debug)]
pub struct Document<'a> {
    pub title: &'a str,
    pub body: &'a str,
}

impl Document<'_> {
    /// What is embedded and searched: the title, a blank line, the body.
    pub fn text(&self) -> String {
        format!("{}\n\n{}", self.title.trim(), self.body.trim())
    }

    /// The SHA-256 of [`Document::text`], in hex: what a stored vector was computed from.
    pub fn content_hash(&self) -> String {
        let digest = Sha256::digest(self.text().as_bytes());
        digest.iter().map(|b| format!("{b:02x}")).collect()
    }

    fn validate(&self, key: &EntityKey) -> Result<(), StoreError> {
        let kind_ok = (1..=32).contains(&key.kind.len())
            && key
                .kind
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b == b'_');
        if !kind_ok {
            return Err(StoreError::Kind(key.kind.clone()));
        }
        if self.title.chars().count() > MAX_TITLE_CHARS {
            return Err(StoreError::TitleTooLong);
        }
        if self.body.chars().count() > MAX_BODY_CHARS {
            return Err(StoreError::BodyTooLong);
        }
        if self.title.trim().is_empty() && self.body.trim().is_empty() {
            return Err(StoreError::Empty);
        }
        Ok(())
    }
}

/// Whether a stored document already has its vector.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Indexed {
    /// Searchable by words and by meaning.
    Embedded,
    /// Searchable by words now; the backfill adds its vector shortly.
    Pending,
}

/// A search result with the document's title.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FoundDocument {
    pub key: EntityKey,
    pub title: String,
    pub score: f64,
    pub keyword: f64,
    pub semantic: f64,
}

/// A page of results and how many matched in all.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FoundPage {
    pub hits: Vec<FoundDocument>,
    pub total: usize,
}

/// An organisation's index: documents, those with a vector of the running model, and the rest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct IndexStatus {
    pub model_id: &'static str,
    pub documents: usize,
    pub embedded: usize,
    pub pending: usize,
}

/// The backfill's progress since the server started.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct BackfillProgress {
    /// Documents waiting for a vector (all organisations).
    pub pending: u64,
    /// Documents the backfill has embedded.
    pub done: u64,
    /// Whether it is working now.
    pub running: bool,
}

/// The documents of every organisation, in the database and in the index.
pub struct DocumentStore {
    db: Db,
    embeddings: EmbeddingService,
    queue: JobQueue,
    /// Shared with the blocking threads that scan and update it.
    search: Arc<DocumentSearch>,
    /// Database writes and index updates of one document happen together, in order.
    write: Mutex<()>,
    pending: AtomicU64,
    done: AtomicU64,
    running: AtomicBool,
}

/// A vector as the `embeddings` table stores it: its floats, little-endian.
pub fn to_bytes(vector: &[f32]) -> Vec<u8> {
    vector.iter().flat_map(|x| x.to_le_bytes()).collect()
}

fn from_bytes(bytes: &[u8]) -> Result<Vec<f32>, WrongDimension> {
    if bytes.len() != DIM * 4 {
        return Err(WrongDimension(bytes.len() / 4));
    }
    Ok(bytes
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect())
}

/// A stored document as the index and the backfill read it.
#[derive(sqlx::FromRow)]
struct StoredDocument {
    org_id: i64,
    kind: String,
    entity_id: i64,
    title: String,
    body: String,
    /// The backfill's rows only.
    #[sqlx(default)]
    content_hash: String,
    /// `open`'s rows only: the vector of the running model for the current content.
    #[sqlx(default)]
    vector: Option<Vec<u8>>,
}

impl StoredDocument {
    fn key(&self) -> EntityKey {
        EntityKey {
            kind: self.kind.clone(),
            id: self.entity_id,
        }
    }

    fn text(&self) -> String {
        Document {
            title: &self.title,
            body: &self.body,
        }
        .text()
    }
}

impl DocumentStore {
    /// Rebuilds the index from the database. Stored vectors of another model, of older content
    /// or damaged ones are not used: those documents wait for the backfill, which is queued.
    pub async fn open(
        db: Db,
        embeddings: EmbeddingService,
        queue: JobQueue,
    ) -> Result<Arc<Self>, sqlx::Error> {
        let store = Self {
            db,
            embeddings,
            queue,
            search: Arc::default(),
            write: Mutex::new(()),
            pending: AtomicU64::new(0),
            done: AtomicU64::new(0),
            running: AtomicBool::new(false),
        };
        let mut damaged = Vec::new();
        let mut pending = 0u64;
        {
            let mut rows = sqlx::query_as::<_, StoredDocument>(
                "SELECT d.org_id, d.kind, d.entity_id, d.title, d.body, e.vector \
                 FROM search_documents d LEFT JOIN embeddings e ON e.org_id = d.org_id \
                 AND e.kind = d.kind AND e.entity_id = d.entity_id AND e.model_id = $1 \
                 AND e.content_hash = d.content_hash",
            )
            .bind(MODEL_ID)
            .fetch(&store.db.pool);
            while let Some(row) = rows.try_next().await? {
                let (org, key) = (row.org_id, row.key());
                store.search.upsert_text(org, key.clone(), &row.text());
                match row.vector {
                    None => pending += 1,
                    Some(bytes) => match from_bytes(&bytes)
                        .and_then(|v| store.search.upsert_vector(org, key.clone(), &v))
                    {
                        Ok(()) => {}
                        Err(err) => {
                            tracing::warn!(org, kind = %key.kind, id = key.id, error = %err, "a stored embedding is damaged; it will be computed again");
                            damaged.push((org, key));
                            pending += 1;
                        }
                    },
                }
            }
        }
        for (org, key) in damaged {
            sqlx::query(
                "DELETE FROM embeddings WHERE org_id = $1 AND kind = $2 AND entity_id = $3 \
                 AND model_id = $4",
            )
            .bind(org)
            .bind(&key.kind)
            .bind(key.id)
            .bind(MODEL_ID)
            .execute(&store.db.pool)
            .await?;
        }
        store.pending.store(pending, Ordering::Relaxed);
        if pending > 0 {
            store.queue.push(backfill_job()).await?;
        }
        tracing::info!(pending, model = MODEL_ID, "search index rebuilt");
        Ok(Arc::new(store))
    }

    /// Stores a document (new or changed) and indexes it. The vector is computed now if the
    /// embedding queue has room, else by the backfill; either way the document is stored and
    /// searchable by its words when this returns. Storing unchanged content again does nothing.
    pub async fn put(
        &self,
        org: i64,
        key: EntityKey,
        document: Document<'_>,
    ) -> Result<Indexed, StoreError> {
        document.validate(&key)?;
        let hash = document.content_hash();
        let text = document.text();
        let current: Option<(String, Option<String>)> = sqlx::query_as(
            "SELECT d.content_hash, e.model_id FROM search_documents d LEFT JOIN embeddings e \
             ON e.org_id = d.org_id AND e.kind = d.kind AND e.entity_id = d.entity_id \
             AND e.model_id = $4 AND e.content_hash = d.content_hash \
             WHERE d.org_id = $1 AND d.kind = $2 AND d.entity_id = $3",
        )
        .bind(org)
        .bind(&key.kind)
        .bind(key.id)
        .bind(MODEL_ID)
        .fetch_optional(&self.db.pool)
        .await?;
        if let Some((same, model_id)) = current {
            if same == hash {
                return Ok(if model_id.is_some() {
                    Indexed::Embedded
                } else {
                    Indexed::Pending
                });
            }
        }
        let vector = match self.embeddings.embed_one(&text).await {
            Ok(vector) => Some(vector),
            Err(EmbedError::Busy) => None,
            Err(err) => return Err(err.into()),
        };

        let _guard = self.write.lock().await;
        let mut tx = self.db.begin().await?;
        let was_pending = is_pending(&mut tx, org, &key).await?;
        sqlx::query(
            "INSERT INTO search_documents (org_id, kind, entity_id, title, body, content_hash, \
             updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (org_id, kind, entity_id) DO UPDATE SET title = excluded.title, \
             body = excluded.body, content_hash = excluded.content_hash, \
             updated_at = excluded.updated_at",
        )
        .bind(org)
        .bind(&key.kind)
        .bind(key.id)
        .bind(document.title)
        .bind(document.body)
        .bind(&hash)
        .bind(now())
        .execute(&mut *tx)
        .await?;
        delete_embeddings(&mut tx, org, &key).await?;
        if let Some(vector) = &vector {
            insert_embedding(&mut tx, org, &key, &hash, vector).await?;
        }
        if vector.is_none() {
            self.queue.enqueue(&mut tx, backfill_job()).await?;
        }
        tx.commit().await?;

        let search = self.search.clone();
        let embedded = vector.is_some();
        // The index's locks may wait for a large scan: not on the runtime's threads.
        tokio::task::spawn_blocking(move || {
            search.upsert_text(org, key.clone(), &text);
            match vector {
                Some(vector) => search.upsert_vector(org, key, &vector),
                None => {
                    search.remove_vector(org, &key);
                    Ok(())
                }
            }
        })
        .await
        .map_err(|e| StoreError::Index(e.to_string()))??;
        let indexed = if embedded {
            if was_pending {
                self.pending.fetch_sub(1, Ordering::Relaxed);
            }
            Indexed::Embedded
        } else {
            if !was_pending {
                self.pending.fetch_add(1, Ordering::Relaxed);
            }
            self.queue.wake();
            Indexed::Pending
        };
        Ok(indexed)
    }

    /// Removes a document and its embeddings; `false` when there was none.
    pub async fn remove(&self, org: i64, key: &EntityKey) -> Result<bool, StoreError> {
        let _guard = self.write.lock().await;
        let mut tx = self.db.begin().await?;
        let was_pending = is_pending(&mut tx, org, key).await?;
        delete_embeddings(&mut tx, org, key).await?;
        let removed = sqlx::query(
            "DELETE FROM search_documents WHERE org_id = $1 AND kind = $2 AND entity_id = $3",
        )
        .bind(org)
        .bind(&key.kind)
        .bind(key.id)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            > 0;
        tx.commit().await?;
        let (search, key) = (self.search.clone(), key.clone());
        tokio::task::spawn_blocking(move || search.remove(org, &key))
            .await
            .map_err(|e| StoreError::Index(e.to_string()))?;
        if was_pending {
            self.pending.fetch_sub(1, Ordering::Relaxed);
        }
        Ok(removed)
    }

    /// Results `offset..offset + limit` for `query` in the organisation, among documents of
    /// `kind` when given, best first.
    pub async fn search(
        &self,
        org: i64,
        query: &str,
        kind: Option<&str>,
        offset: usize,
        limit: usize,
    ) -> Result<FoundPage, StoreError> {
        let kind = kind.map(str::to_owned);
        let keep = move |key: &EntityKey| kind.as_deref().is_none_or(|k| key.kind == k);
        self.search_where(org, query, keep, offset, limit).await
    }

    /// Results `offset..offset + limit` for `query` among the documents `keep` accepts.
    pub async fn search_where(
        &self,
        org: i64,
        query: &str,
        keep: impl Fn(&EntityKey) -> bool + Send + Sync + 'static,
        offset: usize,
        limit: usize,
    ) -> Result<FoundPage, StoreError> {
        let vector = self.embed_query(query).await?;
        self.search_by(org, query, vector, keep, offset, limit)
            .await
    }

    /// The vector of a query, for [`Self::search_by`] (a caller can read other things while
    /// the model works).
    pub async fn embed_query(&self, query: &str) -> Result<Vec<f32>, StoreError> {
        Ok(self.embeddings.embed_one(query).await?)
    }

    /// [`Self::search_where`] with the query's vector from [`Self::embed_query`].
    pub async fn search_by(
        &self,
        org: i64,
        query: &str,
        vector: Vec<f32>,
        keep: impl Fn(&EntityKey) -> bool + Send + Sync + 'static,
        offset: usize,
        limit: usize,
    ) -> Result<FoundPage, StoreError> {
        let (search, query_text) = (self.search.clone(), query.to_owned());
        // A scan of up to a million vectors: on a blocking thread (which hands it to the scan
        // pool), never on the runtime's.
        let page = tokio::task::spawn_blocking(move || {
            search.search(org, &query_text, &vector, keep, offset, limit)
        })
        .await
        .map_err(|e| StoreError::Index(e.to_string()))?;
        let titles = self.titles(org, &page.hits).await?;
        let hits = page
            .hits
            .into_iter()
            .filter_map(
                |SearchHit {
                     key,
                     score,
                     keyword,
                     semantic,
                 }| {
                    // A document removed between the search and the read is left out.
                    let title = titles.get(&(key.kind.clone(), key.id))?.clone();
                    Some(FoundDocument {
                        key,
                        title,
                        score,
                        keyword,
                        semantic,
                    })
                },
            )
            .collect();
        Ok(FoundPage {
            hits,
            total: page.total,
        })
    }

    /// The `k` documents `keep` accepts closest in meaning to `text` (by their vectors only):
    /// (document, cosine similarity), closest first.
    pub async fn nearest(
        &self,
        org: i64,
        text: &str,
        keep: impl Fn(&EntityKey) -> bool + Send + Sync + 'static,
        k: usize,
    ) -> Result<Vec<(EntityKey, f64)>, StoreError> {
        let vector = self.embeddings.embed_one(text).await?;
        let search = self.search.clone();
        tokio::task::spawn_blocking(move || search.nearest(org, &vector, k, keep))
            .await
            .map_err(|e| StoreError::Index(e.to_string()))
    }

    /// The vectors of the running model for the current content of the documents of `kind`
    /// with these ids; those not embedded yet are absent.
    pub async fn vectors(
        &self,
        org: i64,
        kind: &str,
        ids: &[i64],
    ) -> Result<std::collections::HashMap<i64, Vec<f32>>, StoreError> {
        if ids.is_empty() {
            return Ok(Default::default());
        }
        let placeholders: Vec<String> = (4..ids.len() + 4).map(|n| format!("${n}")).collect();
        let sql = format!(
            "SELECT e.entity_id, e.vector FROM embeddings e JOIN search_documents d \
             ON d.org_id = e.org_id AND d.kind = e.kind AND d.entity_id = e.entity_id \
             AND d.content_hash = e.content_hash \
             WHERE e.org_id = $1 AND e.kind = $2 AND e.model_id = $3 AND e.entity_id IN ({})",
            placeholders.join(", ")
        );
        let mut query = sqlx::query_as::<_, (i64, Vec<u8>)>(&sql)
            .bind(org)
            .bind(kind)
            .bind(MODEL_ID);
        for id in ids {
            query = query.bind(*id);
        }
        let rows = query.fetch_all(&self.db.pool).await?;
        Ok(rows
            .into_iter()
            .filter_map(|(id, bytes)| Some((id, from_bytes(&bytes).ok()?)))
            .collect())
    }

    /// The titles of a page of hits, in one query.
    async fn titles(
        &self,
        org: i64,
        hits: &[SearchHit],
    ) -> Result<std::collections::HashMap<(String, i64), String>, StoreError> {
        if hits.is_empty() {
            return Ok(Default::default());
        }
        // `$n` placeholders, written out: the `Any` driver passes SQL through unchanged. The
        // kinds too, so the key (org_id, kind, entity_id) finds each row: without them SQLite
        // read every document of the organisation (12 ms at 100,000).
        let mut kinds: Vec<&str> = hits.iter().map(|h| h.key.kind.as_str()).collect();
        kinds.sort_unstable();
        kinds.dedup();
        let marks = |from: usize, count: usize| -> String {
            (from..from + count)
                .map(|n| format!("${n}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let sql = format!(
            "SELECT kind, entity_id, title FROM search_documents WHERE org_id = $1 \
             AND kind IN ({}) AND entity_id IN ({})",
            marks(2, kinds.len()),
            marks(2 + kinds.len(), hits.len())
        );
        let mut query = sqlx::query_as::<_, (String, i64, String)>(&sql).bind(org);
        for kind in &kinds {
            query = query.bind(*kind);
        }
        for hit in hits {
            query = query.bind(hit.key.id);
        }
        let rows = query.fetch_all(&self.db.pool).await?;
        Ok(rows
            .into_iter()
            .map(|(kind, id, title)| ((kind, id), title))
            .collect())
    }

    /// The organisation's index as it is now.
    pub fn status(&self, org: i64) -> IndexStatus {
        let (documents, embedded) = self.search.counts(org);
        IndexStatus {
            model_id: MODEL_ID,
            documents,
            embedded,
            pending: documents.saturating_sub(embedded),
        }
    }

    /// The backfill's progress.
    pub fn progress(&self) -> BackfillProgress {
        BackfillProgress {
            pending: self.pending.load(Ordering::Relaxed),
            done: self.done.load(Ordering::Relaxed),
            running: self.running.load(Ordering::Relaxed),
        }
    }

    /// The handler of the backfill job.
    pub fn backfill(self: &Arc<Self>) -> Backfill {
        Backfill(self.clone())
    }

    /// Embeds up to one batch of pending documents; returns how many it looked at.
    async fn backfill_round(&self) -> Result<usize, StoreError> {
        let rows: Vec<StoredDocument> = sqlx::query_as(
            "SELECT d.org_id, d.kind, d.entity_id, d.title, d.body, d.content_hash \
             FROM search_documents d WHERE NOT EXISTS (SELECT 1 FROM embeddings e \
             WHERE e.org_id = d.org_id AND e.kind = d.kind AND e.entity_id = d.entity_id \
             AND e.model_id = $1 AND e.content_hash = d.content_hash) \
             ORDER BY d.updated_at DESC, d.org_id, d.kind, d.entity_id LIMIT $2",
        )
        .bind(MODEL_ID)
        .bind(BACKFILL_BATCH as i64)
        .fetch_all(&self.db.pool)
        .await?;
        if rows.is_empty() {
            return Ok(0);
        }
        let looked_at = rows.len();
        let mut items = Vec::with_capacity(looked_at);
        let mut texts = Vec::with_capacity(looked_at);
        for row in rows {
            texts.push(row.text());
            items.push((row.org_id, row.key(), row.content_hash));
        }
        let vectors = self.embeddings.embed(texts).await?;
        for ((org, key, hash), vector) in items.into_iter().zip(vectors) {
            let _guard = self.write.lock().await;
            let mut tx = self.db.begin().await?;
            // Written only if the document still has the content the vector was computed from;
            // a newer write has embedded (or queued) the newer content itself.
            let still = sqlx::query(
                "SELECT 1 AS one FROM search_documents WHERE org_id = $1 AND kind = $2 \
                 AND entity_id = $3 AND content_hash = $4",
            )
            .bind(org)
            .bind(&key.kind)
            .bind(key.id)
            .bind(&hash)
            .fetch_optional(&mut *tx)
            .await?
            .is_some();
            if !still {
                continue;
            }
            delete_embeddings(&mut tx, org, &key).await?;
            insert_embedding(&mut tx, org, &key, &hash, &vector).await?;
            tx.commit().await?;
            let search = self.search.clone();
            tokio::task::spawn_blocking(move || search.upsert_vector(org, key, &vector))
                .await
                .map_err(|e| StoreError::Index(e.to_string()))??;
            self.pending.fetch_sub(1, Ordering::Relaxed);
            self.done.fetch_add(1, Ordering::Relaxed);
        }
        Ok(looked_at)
    }
}

/// The backfill job (`embed_documents`): embeds documents that lack a vector of the running
/// model, a batch at a time, and queues the next batch while any remain.
pub struct Backfill(Arc<DocumentStore>);

#[async_trait::async_trait]
impl JobHandler for Backfill {
    async fn run(&self, _job: &ClaimedJob) -> Result<(), JobError> {
        let store = &self.0;
        store.running.store(true, Ordering::Relaxed);
        let round = store.backfill_round().await;
        store.running.store(false, Ordering::Relaxed);
        match round {
            Ok(0) => Ok(()),
            Ok(_) => {
                let progress = store.progress();
                tracing::info!(
                    done = progress.done,
                    pending = progress.pending,
                    "backfill: embedded a batch"
                );
                store
                    .queue
                    .push(backfill_job())
                    .await
                    .map_err(|e| JobError::Retry(format!("queueing the next batch: {e}")))?;
                Ok(())
            }
            // Interactive requests come first; the job waits its turn without losing an attempt.
            Err(StoreError::Embedding(EmbedError::Busy)) => {
                Err(JobError::Busy("the embedding model is busy".into()))
            }
            Err(err) => Err(JobError::Retry(err.to_string())),
        }
    }
}

type Tx<'a> = sqlx::Transaction<'a, sqlx::Any>;

/// Whether the document exists without a vector of the running model for its content.
async fn is_pending(tx: &mut Tx<'_>, org: i64, key: &EntityKey) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query(
        "SELECT 1 AS one FROM search_documents d WHERE d.org_id = $1 AND d.kind = $2 \
         AND d.entity_id = $3 AND NOT EXISTS (SELECT 1 FROM embeddings e \
         WHERE e.org_id = d.org_id AND e.kind = d.kind AND e.entity_id = d.entity_id \
         AND e.model_id = $4 AND e.content_hash = d.content_hash)",
    )
    .bind(org)
    .bind(&key.kind)
    .bind(key.id)
    .bind(MODEL_ID)
    .fetch_optional(&mut **tx)
    .await?
    .is_some())
}

/// Deletes every embedding of the document (of any model or content).
async fn delete_embeddings(tx: &mut Tx<'_>, org: i64, key: &EntityKey) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM embeddings WHERE org_id = $1 AND kind = $2 AND entity_id = $3")
        .bind(org)
        .bind(&key.kind)
        .bind(key.id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

async fn insert_embedding(
    tx: &mut Tx<'_>,
    org: i64,
    key: &EntityKey,
    hash: &str,
    vector: &[f32],
) -> Result<(), StoreError> {
    if vector.len() != DIM {
        return Err(WrongDimension(vector.len()).into());
    }
    sqlx::query(
        "INSERT INTO embeddings (org_id, kind, entity_id, model_id, content_hash, vector, \
         created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(org)
    .bind(&key.kind)
    .bind(key.id)
    .bind(MODEL_ID)
    .bind(hash)
    .bind(to_bytes(vector))
    .bind(now())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vectors_round_trip_through_bytes_and_damage_is_caught() {
        let v: Vec<f32> = (0..DIM).map(|i| i as f32 / 1000.0 - 0.1).collect();
        assert_eq!(from_bytes(&to_bytes(&v)).expect("round trip"), v);
        assert_eq!(from_bytes(&[0; 12]), Err(WrongDimension(3)));
    }

    #[test]
    fn documents_are_validated_with_messages_that_say_what_to_fix() {
        let key = |kind: &str| EntityKey {
            kind: kind.into(),
            id: 1,
        };
        let ok = Document {
            title: "Rust engineer",
            body: "Builds services.",
        };
        assert!(ok.validate(&key("job")).is_ok());
        assert!(matches!(
            ok.validate(&key("Job!")),
            Err(StoreError::Kind(_))
        ));
        assert!(matches!(ok.validate(&key("")), Err(StoreError::Kind(_))));
        let empty = Document {
            title: " ",
            body: "\n",
        };
        assert!(matches!(
            empty.validate(&key("job")),
            Err(StoreError::Empty)
        ));
        let long_title = "x".repeat(MAX_TITLE_CHARS + 1);
        assert!(matches!(
            Document {
                title: &long_title,
                body: ""
            }
            .validate(&key("job")),
            Err(StoreError::TitleTooLong)
        ));
        // The same content hashes the same; any change to title or body changes the hash.
        let again = Document {
            title: "Rust engineer ",
            body: "Builds services.",
        };
        assert_eq!(ok.content_hash(), again.content_hash());
        let changed = Document {
            title: "Rust engineer",
            body: "Builds services!",
        };
        assert_ne!(ok.content_hash(), changed.content_hash());
    }
}
