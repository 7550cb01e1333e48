//! Chat between members of an organisation: the chat page and the server functions that list,
//! start and read back conversations. Messages themselves travel over the realtime socket
//! (`shared::ws`, `crate::realtime::Live`).

pub mod api;
mod attachments;
mod candidate;
mod page;
#[cfg(feature = "ssr")]
pub mod seam;

pub use candidate::CandidateMessages;
pub use page::ChatPage;
