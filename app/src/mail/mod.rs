//! The organisation's outgoing e-mail.

pub mod api;
mod outbox;
#[cfg(feature = "ssr")]
pub mod seam;

pub use outbox::OutboxPage;
