//! Types, validation, permissions and the realtime wire protocol that the browser and the server
//! share, one module per feature. Nothing here does I/O, so all of it compiles to wasm.
#![forbid(unsafe_code)]

pub mod accounts;
pub mod applications;
pub mod candidates;
pub mod chat;
pub mod jobs;
pub mod mail;
pub mod matching;
pub mod notifications;
pub mod orgs;
pub mod permissions;
pub mod pipeline;
pub mod queue;
pub mod time;
pub mod validation;
pub mod ws;

pub use permissions::{Permission, Role};
