//! The Talentloom server: everything that runs only on the server. `launch` starts the real
//! server on any listener, so integration tests run exactly what production runs.
//!
//! One folder per feature (`accounts`, `orgs`, `mail`, `realtime`, `documents`, `matching`,
//! `queue`) on top of `platform` (configuration, database, errors, sessions, limits, HTTP
//! protections, metrics). `state.rs` assembles the services; `router` lists every route.
#![forbid(unsafe_code)]

pub mod accounts;
pub mod applications;
pub mod batch;
pub mod candidates;
pub mod chat;
pub mod documents;
pub mod jobs;
pub mod mail;
pub mod matching;
pub mod notifications;
pub mod orgs;
pub mod pipeline;
pub mod platform;
pub mod queue;
pub mod realtime;
pub mod state;

pub use platform::{config, db};
pub use state::{AppState, StartError};

use crate::{
    config::Config,
    matching::Engine,
    platform::db::{now, Backend},
};
use app::{shell, App};
use axum::{
    extract::State,
    http::{HeaderName, Request, StatusCode},
    middleware,
    routing::{get, post},
    serve::ListenerExt,
    Router,
};
use leptos::config::LeptosOptions;
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};
use std::{net::SocketAddr, sync::OnceLock, time::Duration};
use tokio::{net::TcpListener, sync::oneshot, task::JoinHandle};
use tower_http::{
    compression::{CompressionLayer, CompressionLevel},
    limit::RequestBodyLimitLayer,
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    services::ServeDir,
    timeout::{RequestBodyTimeoutLayer, TimeoutLayer},
    trace::TraceLayer,
};
use tower_sessions::{cookie::SameSite, Expiry, SessionManagerLayer};

/// The brotli and gzip quality of answers compressed as they are sent.
const ANSWER_COMPRESSION: i32 = 4;

/// The app's pages, listed once per process. Listing them renders the app with its resources
/// held back by a flag that leptos keeps for the whole process: a page that a running server
/// renders at that moment waits forever for its data. So no server (tests start many in one
/// process) lists them while another serves.
fn page_routes() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// Every route of the application, in one place.
pub fn router(state: AppState) -> Router {
    let routes = page_routes();
    let seams = state.seams();
    let options = state.leptos_options.clone();
    let config = &state.config;
    let sessions = SessionManagerLayer::new(state.sessions.clone())
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
    let timeout = Duration::from_secs(config.request_timeout_seconds.max(1));
    let pkg_path = format!("/{}", state.leptos_options.site_pkg_dir);
    let pkg_dir = std::path::Path::new(state.leptos_options.site_root.as_ref())
        .join(state.leptos_options.site_pkg_dir.as_ref());

    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route(shared::ws::WS_PATH, get(realtime::upgrade))
        .route(shared::ws::CANDIDATE_WS_PATH, get(realtime::upgrade_candidate))
        .leptos_routes_with_context(&state, routes, move || seams.provide(), move || shell(options.clone()))
        // Pages are rendered knowing who is signed in (read once, before the render).
        .route_layer(middleware::from_fn_with_state(state.accounts.clone(), accounts::gate::known_user))
        // The site's assets, with the brotli and gzip copies a release build made beside them
        // (`--precompress`); without them, the compression layer compresses as they go out.
        .nest_service(&pkg_path, ServeDir::new(pkg_dir).precompressed_br().precompressed_gzip())
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(middleware::from_fn(platform::forms::keep_form_values))
        .layer(RequestBodyLimitLayer::new(platform::forms::API_BODY_LIMIT))
        // Uploads have their own, larger limit, checked in the handler before reading.
        .route("/o/{slug}/documents/text", post(documents::text_handler))
        .route("/o/{slug}/files/{id}", get(candidates::file_handler))
        .route(
            "/o/{slug}/candidates/add",
            post(candidates::add_handler)
                .layer(axum::extract::DefaultBodyLimit::max(applications::MAX_APPLY_BODY)),
        )
        .route(
            "/o/{slug}/settings/logo",
            post(orgs::logo::upload_handler)
                .layer(axum::extract::DefaultBodyLimit::max(orgs::logo::MAX_LOGO_BODY)),
        )
        .route("/logos/{org}", get(orgs::logo::logo_handler))
        .route(
            "/o/{slug}/chat/{conversation}/files",
            post(chat::files::upload_handler)
                .layer(axum::extract::DefaultBodyLimit::max(chat::files::MAX_ATTACHMENT_BODY)),
        )
        .route("/o/{slug}/chat/files/{id}", get(chat::files::file_handler))
        .route(
            "/a/{token}/files",
            post(chat::files::candidate_upload_handler)
                .layer(axum::extract::DefaultBodyLimit::max(chat::files::MAX_ATTACHMENT_BODY)),
        )
        .route("/a/{token}/files/{id}", get(chat::files::candidate_file_handler))
        .route(
            "/careers/{org}/{job}/apply",
            post(applications::apply_handler)
                .layer(axum::extract::DefaultBodyLimit::max(applications::MAX_APPLY_BODY)),
        )
        // Pages that hydrate when idle lose their code hints (before the page cache keeps one).
        .layer(middleware::from_fn(platform::code_hints::idle_pages))
        // Careers pages rendered once for everyone signed out; every write drops them.
        .layer(middleware::from_fn_with_state(state.page_cache.clone(), platform::page_cache::careers_pages))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, timeout))
        .layer(RequestBodyTimeoutLayer::new(timeout))
        .layer(middleware::from_fn(platform::forms::api_error_bodies))
        .layer(middleware::from_fn_with_state(state.metrics.clone(), platform::metrics::track))
        .layer(middleware::from_fn_with_state(state.accounts.clone(), accounts::gate::pages))
        .layer(sessions)
        .layer(middleware::from_fn_with_state(state.origins.clone(), platform::origin::guard))
        .layer(middleware::from_fn_with_state(state.https, platform::headers::security_headers))
        .layer(middleware::from_fn(platform::headers::cache_control))
        // brotli or gzip, as the browser accepts: HTML, JS, CSS, the wasm and JSON answers.
        // Quality 4, not the crates' default 11: brotli 11 is made for files compressed once
        // (the release site's assets are, and are sent as they are), and took tens of
        // milliseconds of a core for each page rendered (docs/BENCHMARKS.md).
        .layer(CompressionLayer::new().quality(CompressionLevel::Precise(ANSWER_COMPRESSION)))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
            let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or_default();
            tracing::info_span!("request", method = ?req.method(), path = %loggable_path(req.uri().path()), request_id = %id)
        }))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        .layer(middleware::from_fn_with_state(state.clients.clone(), platform::client::untrusted_request_id))
        .with_state(state)
}

/// The request path as it may appear in logs: secrets in paths (invitation tokens) are cut off.
pub fn loggable_path(path: &str) -> &str {
    if path.starts_with("/invite/") {
        "/invite/…"
    } else if path.starts_with("/account/reset/") {
        "/account/reset/…"
    } else if path.starts_with("/account/confirm/") {
        "/account/confirm/…"
    } else if path.starts_with("/a/") {
        "/a/…"
    } else {
        path
    }
}

/// Every server function's path, for checks that must cover all of them.
pub fn server_function_paths() -> Vec<String> {
    let mut paths: Vec<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.to_owned())
        .collect();
    paths.sort();
    paths
}

async fn readyz(State(db): State<db::Db>) -> (StatusCode, &'static str) {
    if db.ping().await {
        (StatusCode::OK, "ready")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unreachable")
    }
}

/// A running server.
pub struct Running {
    pub addr: SocketAddr,
    /// Where `/metrics` is served, when `METRICS_ADDR` is set.
    pub metrics_addr: Option<SocketAddr>,
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

/// Starts the server on `listener` with background work (job queue workers, session
/// clean-up, preparing skill and occupation vectors), loading the model first.
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
    let metrics_listener = match config.metrics_addr {
        Some(metrics_addr) => Some(TcpListener::bind(metrics_addr).await?),
        None => None,
    };
    let state = AppState::build(config, leptos_options, addr, engine).await?;
    let app = router(state.clone());
    let (tx, rx) = oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        // Small writes go out at once (a chat message, a board's change): with Nagle's
        // algorithm a frame could wait for the acknowledgement of the one before.
        let listener = listener.tap_io(|tcp| {
            if let Err(err) = tcp.set_nodelay(true) {
                tracing::debug!(error = %err, "setting TCP_NODELAY");
            }
        });
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async {
            let _ = rx.await;
        })
        .await
    });
    let mut background = state.queue.start(state.job_handlers(), &state.metrics);
    background.push(state.notifications.start_digests());
    background.extend(realtime::tell_presence(&state.realtime.hub, &state.db));
    background.extend(state.chat.deliver_relayed());
    background.push(state.chat_files.start_sweeping());
    // With PostgreSQL, several instances may share the database: their hubs act as one.
    if let (Backend::Postgres, Some(url)) = (state.db.backend, &state.config.database_url) {
        let relay = realtime::start_relay(&state.realtime.hub, url)
            .await
            .map_err(StartError::RealtimeRelay)?;
        background.extend(relay);
    }
    let mut metrics_addr = None;
    if let Some(listener) = metrics_listener {
        metrics_addr = Some(listener.local_addr()?);
        let metrics = state.metrics.router();
        background.push(tokio::spawn(async move {
            if let Err(err) = axum::serve(listener, metrics).await {
                tracing::error!(error = %err, "the metrics endpoint stopped");
            }
        }));
    }
    match state.mail.queue_backlog().await {
        Ok(0) | Err(_) => {}
        Ok(n) => tracing::info!(messages = n, "queued the delivery of earlier mail"),
    }
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
    match state.sessions.count_signed_in().await {
        Ok(count) => state.metrics.sessions.set(count),
        Err(err) => tracing::warn!(error = %err, "counting sessions"),
    }
    background.push(tokio::spawn(housekeeping(state.clone())));
    tracing::info!(%addr, backend = ?state.db.backend, "Talentloom listening");
    Ok(Running {
        addr,
        metrics_addr,
        state,
        shutdown: Some(tx),
        server,
        background,
    })
}

/// Every ten minutes: expired sessions, the session count for the metrics, old rate-limit and
/// sign-in state, finished jobs.
async fn housekeeping(state: AppState) {
    let mut tick = tokio::time::interval(Duration::from_secs(600));
    // The first tick is immediate; start-up has just done this work.
    tick.tick().await;
    loop {
        tick.tick().await;
        if let Err(err) = state.sessions.delete_expired().await {
            tracing::warn!(error = %err, "deleting expired sessions");
        }
        match state.sessions.count_signed_in().await {
            Ok(count) => state.metrics.sessions.set(count),
            Err(err) => tracing::warn!(error = %err, "counting sessions"),
        }
        state.accounts.housekeeping().await;
        state.self_service.housekeeping();
        state.applications.housekeeping();
        if let Err(err) = state.queue.prune().await {
            tracing::warn!(error = %err, "pruning finished jobs");
        }
        tracing::debug!(at = now(), "housekeeping done");
    }
}
