//! Chat between members of an organisation: the server functions that list, start and read back
//! conversations. Messages themselves travel over the realtime socket (`shared::ws`).

pub mod api;
#[cfg(feature = "ssr")]
pub mod seam;
