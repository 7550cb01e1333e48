//! Candidates: the organisation's list of the people who applied (search and pages) and each
//! one's profile with their CV, links, cover letters and applications.

mod add;
pub mod api;
mod list;
mod profile;
mod prospects;
#[cfg(feature = "ssr")]
pub mod seam;

pub use add::AddCandidatePage;
pub use list::CandidatesPage;
pub use profile::CandidatePage;
pub use prospects::Prospects;
