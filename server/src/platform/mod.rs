//! What every feature stands on: configuration, the database, errors, sessions, the client's
//! address, limits, HTTP protections and metrics.

pub mod client;
pub mod code_hints;
pub mod config;
pub mod db;
pub mod error;
pub mod files;
pub mod forms;
pub mod headers;
pub mod limits;
pub mod metrics;
pub mod origin;
pub mod page_cache;
pub mod sessions;
pub mod tokens;
pub mod uploads;
