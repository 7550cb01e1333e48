//! The server's integration tests, in one binary (one link instead of one per file): each module
//! starts the real server on port 0 against a fresh SQLite file or PostgreSQL database and talks to
//! it like a browser. Run one file's tests with `cargo test -p server --test integration pipeline::`.

#[macro_use]
mod common;

mod account_basics;
mod applications;
mod authorisation;
mod candidates;
mod chat;
mod chat_files;
mod delivery;
mod document_store;
mod embeddings;
mod foundation;
mod hostile_documents;
mod jobs;
mod logo;
mod mail_and_invitations;
mod matching_screen;
mod notifications;
mod occupations;
mod organisations;
mod pipeline;
mod quality;
mod queue;
mod races;
mod ranking;
mod realtime;
mod reranker;
mod search;
mod security;
mod security_logs;
mod semantic_skills;
mod skills;
