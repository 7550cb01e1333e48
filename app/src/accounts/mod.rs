//! Accounts: signing up, in and out, and who is signed in.

pub mod api;
mod pages;
#[cfg(feature = "ssr")]
pub mod seam;

pub use pages::{SignInPage, SignUpPage};
