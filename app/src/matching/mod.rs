//! The matching screen.

pub mod api;
mod page;
#[cfg(feature = "ssr")]
pub mod seam;

pub use page::MatchPage;
