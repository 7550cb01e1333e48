//! Embedding on a dedicated thread, batched: requests that arrive together share a forward
//! pass, and a bounded queue refuses work rather than letting load exhaust memory.

use super::model::{ModelError, SentenceEncoder};
use std::{sync::Arc, thread};
use tokio::sync::{mpsc, oneshot};

/// How the inference thread batches.
#[derive(Clone, Copy, Debug)]
pub struct BatchSettings {
    /// Texts per forward pass.
    pub max_batch: usize,
    /// Requests waiting beyond the one running; more are refused with [`EmbedError::Busy`].
    pub queue: usize,
    /// Texts one request may carry.
    pub max_texts: usize,
}

impl Default for BatchSettings {
    fn default() -> Self {
        Self {
            max_batch: 32,
            queue: 256,
            max_texts: 512,
        }
    }
}

/// Why texts were not embedded.
#[derive(Debug, thiserror::Error)]
pub enum EmbedError {
    #[error("the embedding queue is full; try again shortly")]
    Busy,
    #[error("too many texts in one request ({given}; at most {max})")]
    TooMany { given: usize, max: usize },
    #[error("the embedding worker has stopped")]
    Stopped,
    #[error(transparent)]
    Model(#[from] ModelError),
}

struct Job {
    texts: Vec<String>,
    reply: oneshot::Sender<Result<Vec<Vec<f32>>, EmbedError>>,
}

/// A handle to the inference thread; clones share it. The thread ends when the last clone drops.
#[derive(Clone)]
pub struct EmbeddingService {
    queue: mpsc::Sender<Job>,
    settings: BatchSettings,
}

impl EmbeddingService {
    /// Starts the inference thread with a loaded model.
    pub fn start(encoder: SentenceEncoder, settings: BatchSettings) -> Self {
        let (queue, jobs) = mpsc::channel(settings.queue.max(1));
        let encoder = Arc::new(encoder);
        thread::Builder::new()
            .name("embedding".into())
            .spawn(move || run(&encoder, jobs, settings))
            .map_err(|e| tracing::error!(error = %e, "cannot start the embedding thread"))
            .ok();
        Self { queue, settings }
    }

    /// Embeds `texts` (one unit vector per text, in order), waiting for the inference thread.
    pub async fn embed(&self, texts: Vec<String>) -> Result<Vec<Vec<f32>>, EmbedError> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        if texts.len() > self.settings.max_texts {
            return Err(EmbedError::TooMany {
                given: texts.len(),
                max: self.settings.max_texts,
            });
        }
        let (reply, answer) = oneshot::channel();
        self.queue
            .try_send(Job { texts, reply })
            .map_err(|e| match e {
                mpsc::error::TrySendError::Full(_) => EmbedError::Busy,
                mpsc::error::TrySendError::Closed(_) => EmbedError::Stopped,
            })?;
        answer.await.map_err(|_| EmbedError::Stopped)?
    }

    /// Embeds any number of texts (up to `max_total`) in rounds of at most the per-request
    /// limit, one round after another, so that one caller holds at most one place in the queue.
    pub async fn embed_all(
        &self,
        texts: Vec<String>,
        max_total: usize,
    ) -> Result<Vec<Vec<f32>>, EmbedError> {
        if texts.len() > max_total {
            return Err(EmbedError::TooMany {
                given: texts.len(),
                max: max_total,
            });
        }
        let mut vectors = Vec::with_capacity(texts.len());
        let mut rest = texts;
        while !rest.is_empty() {
            let tail = rest.split_off(rest.len().min(self.settings.max_texts));
            vectors.extend(self.embed(rest).await?);
            rest = tail;
        }
        Ok(vectors)
    }

    /// Embeds one text.
    pub async fn embed_one(&self, text: &str) -> Result<Vec<f32>, EmbedError> {
        let mut vectors = self.embed(vec![text.to_owned()]).await?;
        vectors.pop().ok_or(EmbedError::Stopped)
    }
}

/// The inference thread: takes every job waiting (up to a batch of texts), embeds them
/// together, and answers each.
fn run(encoder: &SentenceEncoder, mut jobs: mpsc::Receiver<Job>, settings: BatchSettings) {
    while let Some(first) = jobs.blocking_recv() {
        // A request whose caller has gone (the client disconnected) is not worth computing.
        let mut batch: Vec<Job> = std::iter::once(first)
            .filter(|job| !job.reply.is_closed())
            .collect();
        let mut count: usize = batch.iter().map(|job| job.texts.len()).sum();
        while count < settings.max_batch {
            match jobs.try_recv() {
                Ok(job) if job.reply.is_closed() => {}
                Ok(job) => {
                    count += job.texts.len();
                    batch.push(job);
                }
                Err(_) => break,
            }
        }
        if batch.is_empty() {
            continue;
        }
        let texts: Vec<&str> = batch
            .iter()
            .flat_map(|job| job.texts.iter().map(String::as_str))
            .collect();
        match embed_sorted(encoder, &texts, settings.max_batch) {
            Ok(vectors) => {
                let mut vectors = vectors.into_iter();
                for job in batch {
                    let mine: Vec<Vec<f32>> = vectors.by_ref().take(job.texts.len()).collect();
                    let _ = job.reply.send(Ok(mine));
                }
            }
            Err(err) => {
                let message = err.to_string();
                for job in batch {
                    let _ = job
                        .reply
                        .send(Err(ModelError::Inference(message.clone()).into()));
                }
            }
        }
    }
}

/// Embeds any number of texts in forward passes of at most `max_batch`, grouping texts of
/// similar length so padding stays small, and returns the vectors in the input order.
pub fn embed_sorted(
    encoder: &SentenceEncoder,
    texts: &[&str],
    max_batch: usize,
) -> Result<Vec<Vec<f32>>, ModelError> {
    let mut order: Vec<usize> = (0..texts.len()).collect();
    // Characters are a close enough proxy for tokens and cost nothing to count.
    order.sort_by_key(|&i| texts[i].chars().count());
    let mut out = vec![Vec::new(); texts.len()];
    for chunk in order.chunks(max_batch.max(1)) {
        let group: Vec<&str> = chunk.iter().map(|&i| texts[i]).collect();
        for (&i, vector) in chunk.iter().zip(encoder.embed(&group)?) {
            out[i] = vector;
        }
    }
    Ok(out)
}
