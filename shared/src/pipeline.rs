//! A job's pipeline: its stages (the board's columns) and the applications on them (the cards).

use serde::{Deserialize, Serialize};

/// A column of the board.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Stage {
    pub id: i64,
    pub name: String,
}

/// An application on the board.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Card {
    pub application_id: i64,
    pub candidate_id: i64,
    pub name: String,
    pub stage_id: i64,
    pub applied_at: i64,
    /// When it reached its stage.
    pub stage_entered_at: i64,
    /// 0–100 against the job; `None` while it is being scored.
    pub score: Option<u8>,
    /// The best-proven skills the job asks for (three at most).
    pub matched: Vec<String>,
    /// Must-haves the CV does not show (three at most).
    pub missing: Vec<String>,
}

/// A job's board: its stages in order and its open applications.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Board {
    pub job_title: String,
    pub job_slug: String,
    pub stages: Vec<Stage>,
    pub cards: Vec<Card>,
    /// Applications no longer on the board (rejected, withdrawn, hired).
    pub closed: u64,
    /// Whether the viewer may move cards.
    pub can_move: bool,
}
