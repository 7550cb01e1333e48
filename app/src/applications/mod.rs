//! Applications from the careers pages: the form a candidate fills in on a job's public page
//! (`apply.rs`, posted to the server's upload route), and the candidate's private page at
//! `/a/:token` (`status.rs`), where they follow, withdraw or ask for their data to be deleted.

pub mod api;
mod apply;
#[cfg(feature = "ssr")]
pub mod seam;
mod status;

pub use apply::ApplyForm;
pub use status::ApplicationStatusPage;
