//! Types, validation, permissions and the realtime wire protocol that the browser and the server
//! share. Nothing here does I/O, so all of it compiles to wasm.
#![forbid(unsafe_code)]

pub mod dto;
pub mod matching;
pub mod permissions;
pub mod validation;
pub mod ws;

pub use permissions::{Permission, Role};
