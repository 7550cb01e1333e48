//! Reading PDF and Word files in a child process, so that a hostile file cannot take the server
//! down: a stack overflow or an allocation failure ends only the child, a file that takes too
//! long is killed, and the child's address space is capped. At most a configured number of
//! children run at once, and one person at most [`PER_USER`] of them.
//!
//! The child is the server binary itself (`server extract-text --format F --memory-mib N`): it
//! reads the file from stdin and writes one JSON [`ChildAnswer`] to stdout.

use super::{extract_text, ExtractError, Format, MAX_TEXT_CHARS, MAX_UPLOAD_BYTES};
use crate::platform::limits::{InFlight, PerKey};
use serde::{Deserialize, Serialize};
use std::{
    io::{Read, Write},
    path::PathBuf,
    process::Stdio,
    sync::Arc,
    time::Duration,
};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    sync::Semaphore,
};

/// Documents one person may have in flight at once.
pub const PER_USER: usize = 2;
/// How long an upload waits for a free child before the server answers "busy".
const WAIT_FOR_SLOT: Duration = Duration::from_secs(15);

/// What the child answers, one JSON value on stdout.
#[derive(Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChildAnswer {
    Text(String),
    TooLarge,
    Unsupported,
    Mismatch,
    NoText,
    Damaged,
    Expansion,
    Empty,
}

impl ChildAnswer {
    fn from_result(result: Result<String, ExtractError>) -> Self {
        match result {
            Ok(text) => Self::Text(text),
            Err(ExtractError::TooLarge) => Self::TooLarge,
            Err(ExtractError::Unsupported) => Self::Unsupported,
            Err(ExtractError::Mismatch(_)) => Self::Mismatch,
            Err(ExtractError::NoText) => Self::NoText,
            Err(ExtractError::Expansion) => Self::Expansion,
            Err(ExtractError::Empty) => Self::Empty,
            Err(ExtractError::Damaged(_) | ExtractError::Limits(_) | ExtractError::Busy) => {
                Self::Damaged
            }
        }
    }

    fn into_result(self, format: Format) -> Result<String, ExtractError> {
        match self {
            Self::Text(text) => Ok(text),
            Self::TooLarge => Err(ExtractError::TooLarge),
            Self::Unsupported => Err(ExtractError::Unsupported),
            Self::Mismatch => Err(ExtractError::Mismatch(format.name())),
            Self::NoText => Err(ExtractError::NoText),
            Self::Damaged => Err(ExtractError::Damaged(damaged_name(format))),
            Self::Expansion => Err(ExtractError::Expansion),
            Self::Empty => Err(ExtractError::Empty),
        }
    }
}

/// How `ExtractError::Damaged` names a format ("the PDF file", "the Word file").
fn damaged_name(format: Format) -> &'static str {
    match format {
        Format::Docx => "Word",
        other => other.name(),
    }
}

/// The child's side: caps its own address space, reads stdin, extracts, answers on stdout.
/// Runs in its own process (`server extract-text`), never in the server.
pub fn run_child(format: &str, memory_mib: u64) -> Result<(), String> {
    let bytes = memory_mib.saturating_mul(1024 * 1024);
    rlimit::setrlimit(rlimit::Resource::AS, bytes, bytes)
        .map_err(|e| format!("cannot limit the address space: {e}"))?;
    let format: Format = serde_json::from_value(serde_json::Value::String(format.to_owned()))
        .map_err(|_| format!("unknown format {format:?}"))?;
    let mut input = Vec::new();
    std::io::stdin()
        .lock()
        .take(MAX_UPLOAD_BYTES as u64 + 1)
        .read_to_end(&mut input)
        .map_err(|e| format!("reading stdin: {e}"))?;
    let answer = ChildAnswer::from_result(extract_text(&input, format));
    let json = serde_json::to_vec(&answer).map_err(|e| e.to_string())?;
    std::io::stdout()
        .lock()
        .write_all(&json)
        .map_err(|e| format!("writing stdout: {e}"))
}

/// Runs extractions under the limits; clones share the caps.
#[derive(Clone)]
pub struct Extractor {
    program: Arc<PathBuf>,
    timeout: Duration,
    memory_mib: u64,
    slots: Arc<Semaphore>,
    per_user: PerKey<i64>,
}

/// The limits of one extraction.
#[derive(Clone, Debug)]
pub struct ExtractorSettings {
    /// The server binary (or anything that speaks `extract-text`).
    pub program: PathBuf,
    pub timeout: Duration,
    pub memory_mib: u64,
    pub concurrency: usize,
}

impl Extractor {
    pub fn new(settings: ExtractorSettings) -> Self {
        Self {
            program: Arc::new(settings.program),
            timeout: settings.timeout,
            memory_mib: settings.memory_mib,
            slots: Arc::new(Semaphore::new(settings.concurrency.max(1))),
            per_user: PerKey::new(PER_USER),
        }
    }

    /// Counts one upload of `user_id`, or `None` when they have [`PER_USER`] in flight.
    pub fn start_for(&self, user_id: i64) -> Option<InFlight<i64>> {
        self.per_user.try_start(user_id)
    }

    /// The text of `bytes`, declared as `format`.
    pub async fn extract(&self, bytes: Vec<u8>, format: Format) -> Result<String, ExtractError> {
        if !format.needs_sandbox() {
            // Our own UTF-8 check and tidy-up: linear and bounded by the upload limit.
            return tokio::task::spawn_blocking(move || extract_text(&bytes, format))
                .await
                .map_err(|_| ExtractError::Damaged(damaged_name(format)))?;
        }
        let _slot = tokio::time::timeout(WAIT_FOR_SLOT, self.slots.acquire())
            .await
            .map_err(|_| ExtractError::Busy)?
            .map_err(|_| ExtractError::Busy)?;
        match tokio::time::timeout(self.timeout, self.run(&bytes, format)).await {
            Ok(result) => result,
            Err(_) => {
                tracing::warn!(format = format.name(), "document extraction timed out");
                Err(ExtractError::Limits(format.name()))
            }
        }
    }

    async fn run(&self, bytes: &[u8], format: Format) -> Result<String, ExtractError> {
        let format_arg = serde_json::to_value(format)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        let mut child = tokio::process::Command::new(self.program.as_ref())
            .arg("extract-text")
            .arg("--format")
            .arg(format_arg)
            .arg("--memory-mib")
            .arg(self.memory_mib.to_string())
            .env("RUST_LOG", "error")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            // A timeout or a client that went away drops this future: the child goes with it.
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| {
                tracing::error!(error = %e, program = %self.program.display(), "cannot start the document reader");
                ExtractError::Busy
            })?;
        let mut stdin = child.stdin.take().ok_or(ExtractError::Busy)?;
        let mut stdout = child.stdout.take().ok_or(ExtractError::Busy)?;
        let input = bytes.to_vec();
        let feed = async move {
            // A child that dies early closes its stdin; that shows in its exit status.
            let _ = stdin.write_all(&input).await;
            drop(stdin);
        };
        // The text is at most MAX_TEXT_CHARS characters of 4 bytes, JSON-escaped (≤ 6 bytes per
        // byte for control characters); anything longer is not an answer of ours.
        let limit = (MAX_TEXT_CHARS * 4 * 6 + 1024) as u64;
        let read = async {
            let mut out = Vec::new();
            let _ = (&mut stdout).take(limit).read_to_end(&mut out).await;
            out
        };
        let ((), out) = tokio::join!(feed, read);
        let status = child.wait().await.map_err(|_| ExtractError::Busy)?;
        if !status.success() {
            tracing::warn!(
                format = format.name(),
                ?status,
                "the document reader failed"
            );
            return Err(ExtractError::Limits(format.name()));
        }
        match serde_json::from_slice::<ChildAnswer>(&out) {
            Ok(answer) => answer.into_result(format),
            Err(_) => Err(ExtractError::Damaged(damaged_name(format))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_round_trip_with_the_format_named() {
        let damaged = ChildAnswer::from_result(Err(ExtractError::Damaged("Word")));
        assert_eq!(
            damaged.into_result(Format::Docx),
            Err(ExtractError::Damaged("Word"))
        );
        let json = serde_json::to_string(&ChildAnswer::Text("hi".into())).unwrap_or_default();
        assert_eq!(json, r#"{"text":"hi"}"#);
        assert_eq!(
            ChildAnswer::Mismatch.into_result(Format::Pdf),
            Err(ExtractError::Mismatch("PDF"))
        );
    }
}
