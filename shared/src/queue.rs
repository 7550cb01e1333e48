//! Background work (mail delivery, search indexing, later scoring, reminders and webhooks), as
//! administrators see it.

use serde::{Deserialize, Serialize};

/// Where a background job is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
    /// Waiting for its run time or a free worker (also between retries).
    Queued,
    /// A worker has claimed it.
    Running,
    /// Finished.
    Done,
    /// Gave up after its last attempt; `last_error` says why.
    Failed,
}

impl JobStatus {
    pub const ALL: [JobStatus; 4] = [
        JobStatus::Queued,
        JobStatus::Running,
        JobStatus::Done,
        JobStatus::Failed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Queued => "queued",
            JobStatus::Running => "running",
            JobStatus::Done => "done",
            JobStatus::Failed => "failed",
        }
    }

    /// A label for people.
    pub fn label(self) -> &'static str {
        match self {
            JobStatus::Queued => "Waiting",
            JobStatus::Running => "Running",
            JobStatus::Done => "Done",
            JobStatus::Failed => "Failed",
        }
    }
}

impl std::str::FromStr for JobStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        JobStatus::ALL
            .into_iter()
            .find(|j| j.as_str() == s)
            .ok_or_else(|| format!("unknown job status {s:?}"))
    }
}

/// One job of the organisation's background work.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BackgroundJob {
    pub id: i64,
    /// What it does, e.g. `send_mail`.
    pub kind: String,
    pub status: JobStatus,
    pub attempts: i64,
    pub max_attempts: i64,
    /// When it runs (next), unix seconds.
    pub run_at: i64,
    pub created_at: i64,
    pub finished_at: Option<i64>,
    /// Why the last attempt failed, in words for an administrator.
    pub last_error: Option<String>,
}
