//! The matching screen.

pub mod api;
pub mod explained;
mod page;
#[cfg(feature = "ssr")]
pub mod seam;

pub use page::MatchPage;
