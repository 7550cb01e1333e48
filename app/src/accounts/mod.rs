//! Accounts: signing up, in and out, who is signed in, and a person's own account (settings,
//! a forgotten password, confirming an address).

pub mod api;
mod pages;
mod recovery;
#[cfg(feature = "ssr")]
pub mod seam;
mod settings;
mod strength;

pub use pages::{SignInPage, SignUpPage};
pub use recovery::{ConfirmEmailPage, ForgotPasswordPage, ResetPasswordPage};
pub use settings::AccountPage;
pub use strength::StrengthMeter;
