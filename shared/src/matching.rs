//! What the matching engine returns: extracted skills with their evidence, and explained match
//! scores. Offsets are byte offsets into the UTF-8 text the engine was given.

use serde::{Deserialize, Serialize};

/// A byte range `[start, end)` of the analysed text.
pub type Span = [usize; 2];

/// How well someone knows a skill, as far as the text says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SkillLevel {
    Basic,
    Intermediate,
    Advanced,
    Expert,
}

impl SkillLevel {
    pub fn label(self) -> &'static str {
        match self {
            Self::Basic => "basic",
            Self::Intermediate => "intermediate",
            Self::Advanced => "advanced",
            Self::Expert => "expert",
        }
    }
}

/// A skill found in a text, with the places that prove it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExtractedSkill {
    pub label: String,
    /// The taxonomy's identifier (ESCO URI) when the catalog has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    pub category: String,
    /// 0–1: how sure the engine is that the text means this skill.
    pub confidence: f64,
    /// Every place the skill is named, in text order.
    pub spans: Vec<Span>,
    /// CVs only: the level the text states, or one estimated from stated years.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<SkillLevel>,
    /// CVs only: years of experience stated next to the skill.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub years: Option<u32>,
    /// CVs only: the latest year the text ties to the skill (a role running "to present" counts
    /// as the current year).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_used: Option<i32>,
}
