//! The Talentloom server: everything that runs only on the server. `launch` starts the real
//! server on any listener, so integration tests run exactly what production runs.
#![forbid(unsafe_code)]

pub mod accounts;
mod backend;
pub mod batch;
pub mod config;
pub mod db;
pub mod documents;
pub mod error;
pub mod http;
pub mod mail;
pub mod matching;
pub mod metrics;
pub mod orgs;
pub mod realtime;
pub mod sessions;
pub mod state;

use crate::{
    config::Config, db::Db, mail::Mailer, matching::Engine, metrics::Metrics, realtime::Hub,
    sessions::DbSessionStore, state::AppState,
};
use app::{backend::Backend, shell, App};
use axum::{
    extract::State,
    http::{HeaderName, Request, StatusCode},
    middleware,
    routing::{get, post},
    Router,
};
use governor::{Quota, RateLimiter};
use leptos::{config::LeptosOptions, prelude::provide_context};
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::{net::SocketAddr, num::NonZeroU32, sync::Arc, time::Duration};
use tokio::{net::TcpListener, sync::oneshot, task::JoinHandle};
use tower_http::{
    limit::RequestBodyLimitLayer,
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    trace::TraceLayer,
};
use tower_sessions::{cookie::SameSite, Expiry, SessionManagerLayer};

/// Why the server could not start; each says what to fix.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Database(#[from] db::DbSetupError),
    #[error(transparent)]
    Mail(#[from] mail::MailSetupError),
    #[error("PUBLIC_URL is not a valid URL: {0}")]
    PublicUrl(#[from] url::ParseError),
    #[error("cannot set up metrics: {0}")]
    Metrics(#[from] prometheus::Error),
    #[error("SIGN_IN_ATTEMPTS_PER_MINUTE must be at least 1")]
    RateLimit,
    #[error("cannot prepare password hashing: {0}")]
    Hashing(String),
    #[error(transparent)]
    Model(#[from] matching::ModelError),
    #[error("cannot rebuild the search index from the database: {0}")]
    SearchIndex(#[source] sqlx::Error),
    #[error("cannot serve: {0}")]
    Io(#[from] std::io::Error),
}

/// Builds the shared state: connects the database (applying migrations) and everything else.
pub async fn build_state(
    config: Config,
    leptos_options: LeptosOptions,
    addr: SocketAddr,
    engine: Engine,
) -> Result<AppState, StartError> {
    let db = Db::connect(config.database_url.as_deref(), &config.data_dir).await?;
    let public_url = match &config.public_url {
        Some(url) => url.clone(),
        None => url::Url::parse(&format!("http://{addr}/"))?,
    };
    let per_minute =
        NonZeroU32::new(config.sign_in_attempts_per_minute).ok_or(StartError::RateLimit)?;
    let dummy = tokio::task::spawn_blocking(accounts::dummy_password_hash)
        .await
        .map_err(|e| StartError::Hashing(e.to_string()))?
        .map_err(|e| StartError::Hashing(e.to_string()))?;
    let documents = matching::store::DocumentStore::open(db.clone(), engine.embeddings.clone())
        .await
        .map_err(StartError::SearchIndex)?;
    Ok(AppState {
        leptos_options,
        documents,
        occupations: Default::default(),
        mailer: Mailer::new(config.smtp_url.as_deref(), &config.mail_from)?,
        session_store: DbSessionStore::new(db.clone()),
        public_url: Arc::new(public_url),
        config: Arc::new(config),
        db,
        hub: Hub::default(),
        engine,
        metrics: Metrics::new()?,
        sign_in_limiter: Arc::new(RateLimiter::keyed(Quota::per_minute(per_minute))),
        dummy_password_hash: dummy.into(),
    })
}

/// Every route of the application, in one place.
pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let backend: Arc<dyn Backend> = Arc::new(state.clone());
    let options = state.leptos_options.clone();
    let config = &state.config;
    let sessions = SessionManagerLayer::new(state.session_store.clone())
        .with_name(if config.https() {
            "__Host-talentloom"
        } else {
            "talentloom"
        })
        .with_secure(config.https())
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(time::Duration::minutes(
            config.session_idle_minutes,
        )));
    let request_id = HeaderName::from_static("x-request-id");

    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics::render))
        .route(shared::ws::WS_PATH, get(realtime::upgrade))
        .leptos_routes_with_context(&state, routes, move || provide_context(backend.clone()), move || shell(options.clone()))
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(RequestBodyLimitLayer::new(1024 * 1024))
        // Uploads have their own, larger limit, checked in the handler before reading.
        .route("/o/{slug}/documents/text", post(documents::text_handler))
        .layer(middleware::from_fn_with_state(state.clone(), metrics::track))
        .layer(sessions)
        .layer(middleware::from_fn_with_state(state.clone(), http::csrf_guard))
        .layer(middleware::from_fn_with_state(state.clone(), http::security_headers))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
            let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or_default();
            tracing::info_span!("request", method = %req.method(), path = %loggable_path(req.uri().path()), request_id = %id)
        }))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        .with_state(state)
}

/// The request path as it may appear in logs: secrets in paths (invitation tokens) are cut off.
pub fn loggable_path(path: &str) -> &str {
    if path.starts_with("/invite/") {
        "/invite/…"
    } else {
        path
    }
}

async fn readyz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    if state.db.ping().await {
        (StatusCode::OK, "ready")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unreachable")
    }
}

/// A running server.
pub struct Running {
    pub addr: SocketAddr,
    pub state: AppState,
    shutdown: Option<oneshot::Sender<()>>,
    server: JoinHandle<std::io::Result<()>>,
    background: Vec<JoinHandle<()>>,
}

impl Running {
    /// Stops accepting connections, lets open requests finish, and stops background work.
    pub async fn shutdown(mut self) -> std::io::Result<()> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let result = (&mut self.server)
            .await
            .unwrap_or_else(|e| Err(std::io::Error::other(e)));
        for task in &self.background {
            task.abort();
        }
        self.state.db.pool.close().await;
        result
    }
}

/// Loads the matching engine from `MODEL_DIR` off the async runtime.
pub async fn load_engine(config: &Config) -> Result<Engine, StartError> {
    let dir = config.model_dir.clone();
    let settings = config.batch_settings();
    tokio::task::spawn_blocking(move || Engine::load(&dir, settings))
        .await
        .map_err(|e| StartError::Io(std::io::Error::other(e)))?
        .map_err(StartError::from)
}

/// Starts the server on `listener` with background work (mail, session clean-up, embedding
/// backfill, preparing occupation suggestions), loading the model first.
pub async fn launch(
    config: Config,
    leptos_options: LeptosOptions,
    listener: TcpListener,
) -> Result<Running, StartError> {
    let engine = load_engine(&config).await?;
    launch_with(config, leptos_options, listener, engine).await
}

/// Starts the server with an engine already loaded (tests share one between servers).
pub async fn launch_with(
    config: Config,
    leptos_options: LeptosOptions,
    listener: TcpListener,
    engine: Engine,
) -> Result<Running, StartError> {
    let addr = listener.local_addr()?;
    let state = build_state(config, leptos_options, addr, engine).await?;
    let app = router(state.clone());
    let (tx, rx) = oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async {
            let _ = rx.await;
        })
        .await
    });
    let mut background = vec![
        tokio::spawn(state.mailer.clone().run(state.clone())),
        tokio::spawn(state.documents.clone().run_backfill()),
    ];
    let preparing = state.clone();
    background.push(tokio::spawn(async move {
        let cache = preparing.config.cache_dir();
        let engine = &preparing.engine;
        engine
            .skill_vectors
            .prepare(engine.skills.catalog(), &engine.embeddings, &cache)
            .await;
        preparing
            .occupations
            .prepare(&preparing.db, &engine.embeddings, &cache)
            .await;
    }));
    let housekeeping = state.clone();
    background.push(tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(600));
        loop {
            tick.tick().await;
            if let Err(err) = housekeeping.session_store.delete_expired().await {
                tracing::warn!(error = %err, "deleting expired sessions");
            }
            housekeeping.sign_in_limiter.retain_recent();
        }
    }));
    tracing::info!(%addr, backend = ?state.db.backend, "Talentloom listening");
    Ok(Running {
        addr,
        state,
        shutdown: Some(tx),
        server,
        background,
    })
}
