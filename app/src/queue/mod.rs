//! The organisation's background work, for administrators.

pub mod api;
mod page;
#[cfg(feature = "ssr")]
pub mod seam;

pub use page::BackgroundJobsPage;
