//! Jobs: the list, the form that writes one, and a job's page with its status.

pub mod api;
mod edit;
mod editable;
mod list;
mod page;
#[cfg(feature = "ssr")]
pub mod seam;
mod skills;
mod team;

pub use edit::{EditJobPage, NewJobPage};
pub use list::JobsPage;
pub use page::JobPage;
