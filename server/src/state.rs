//! The one state every handler and server function shares, built once at start-up.

use crate::{
    config::Config,
    db::Db,
    mail::Mailer,
    matching::{occupations::OccupationService, store::DocumentStore, Engine},
    metrics::Metrics,
    realtime::Hub,
    sessions::DbSessionStore,
};
use axum::extract::FromRef;
use governor::{clock::DefaultClock, state::keyed::DefaultKeyedStateStore, RateLimiter};
use leptos::config::LeptosOptions;
use std::{net::IpAddr, sync::Arc};

pub type SignInLimiter = RateLimiter<IpAddr, DefaultKeyedStateStore<IpAddr>, DefaultClock>;

#[derive(Clone, FromRef)]
pub struct AppState {
    /// Leptos's site options (site root, output name), needed by the rendering handlers.
    pub leptos_options: LeptosOptions,
    /// The configuration the server started with.
    pub config: Arc<Config>,
    /// The base URL for links in e-mail and the origin requests must come from.
    pub public_url: Arc<url::Url>,
    /// The database pool (SQLite or PostgreSQL).
    pub db: Db,
    /// Sessions, in the same database.
    pub session_store: DbSessionStore,
    /// Live connections, for notifications now and chat later.
    pub hub: Hub,
    /// Outgoing mail.
    pub mailer: Mailer,
    /// The matching engine: the embedding model behind its batching thread.
    pub engine: Engine,
    /// Searchable documents: persisted embeddings and the per-organisation hybrid index.
    pub documents: Arc<DocumentStore>,
    /// ESCO occupations for suggestions, once the imported taxonomy is prepared.
    pub occupations: OccupationService,
    /// Prometheus metrics.
    pub metrics: Metrics,
    /// Sign-in attempts per client address.
    pub sign_in_limiter: Arc<SignInLimiter>,
    /// A password hash nobody knows, verified when an unknown e-mail signs in (equal timing).
    pub dummy_password_hash: Arc<str>,
}
