//! A job's pipeline: the board of its applications by stage, where cards move by drag and drop
//! or with the "Move to" menu on each card, live for everyone who has the board open.

pub mod api;
mod application;
mod board;
mod rejections;
#[cfg(feature = "ssr")]
pub mod seam;
mod stages;

pub use application::ApplicationPage;
pub use board::BoardPage;
pub use rejections::RejectionSettingsForm;
pub use stages::StageTemplateForm;
