//! Organisations: creating one, its dashboard and settings, its team and invitations. Server
//! functions used by several pages are in `api.rs`; those of one page sit in that page's file.

pub mod api;
mod dashboard;
mod invitation;
mod new;
#[cfg(feature = "ssr")]
pub mod seam;
pub mod settings;
mod team;

pub use dashboard::DashboardPage;
pub use invitation::InvitePage;
pub use new::NewOrganisationPage;
pub use settings::SettingsPage;
pub use team::TeamPage;
