//! Prometheus metrics: requests by route and status, latency, sessions, WebSocket connections.

use crate::state::AppState;
use axum::{
    extract::{MatchedPath, Request, State},
    http::header,
    middleware::Next,
    response::{IntoResponse, Response},
};
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, Opts, Registry, TextEncoder,
};
use std::time::Instant;

/// The server's metrics, registered in its own registry (so tests can run servers side by side).
#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    pub ws_connections: IntGauge,
    sessions: IntGauge,
}

impl Metrics {
    pub fn new() -> Result<Self, prometheus::Error> {
        let registry = Registry::new_custom(Some("talentloom".into()), None)?;
        let requests = IntCounterVec::new(
            Opts::new(
                "http_requests_total",
                "HTTP requests by route, method and status",
            ),
            &["route", "method", "status"],
        )?;
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "http_request_duration_seconds",
                "Time to answer an HTTP request, by route",
            )
            .buckets(vec![
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
            ]),
            &["route"],
        )?;
        let ws_connections = IntGauge::new(
            "websocket_connections",
            "Open realtime WebSocket connections",
        )?;
        let sessions = IntGauge::new(
            "sessions_signed_in",
            "Signed-in sessions that have not expired",
        )?;
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(latency.clone()))?;
        registry.register(Box::new(ws_connections.clone()))?;
        registry.register(Box::new(sessions.clone()))?;
        Ok(Self {
            registry,
            requests,
            latency,
            ws_connections,
            sessions,
        })
    }
}

/// Counts and times every request under its route pattern (never the raw path, which would let
/// clients create unbounded label values).
pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = req.method().as_str().to_owned();
    let started = Instant::now();
    let res = next.run(req).await;
    let metrics = &state.metrics;
    metrics
        .latency
        .with_label_values(&[route.as_str()])
        .observe(started.elapsed().as_secs_f64());
    metrics
        .requests
        .with_label_values(&[route.as_str(), method.as_str(), res.status().as_str()])
        .inc();
    res
}

pub async fn render(State(state): State<AppState>) -> Response {
    if let Ok(count) = state.session_store.count_signed_in().await {
        state.metrics.sessions.set(count);
    }
    let mut buf = Vec::new();
    if let Err(err) = TextEncoder::new().encode(&state.metrics.registry.gather(), &mut buf) {
        tracing::error!(error = %err, "encoding metrics");
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], buf).into_response()
}
