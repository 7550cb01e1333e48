//! The public careers pages: an organisation's published jobs at `/careers/:org`, each at
//! `/careers/:org/:job`. Rendered on the server, so they work without JavaScript; no sign-in.

pub mod api;
mod page;
#[cfg(feature = "ssr")]
pub mod seam;

pub use page::{CareersJobPage, CareersPage};
