//! Prometheus metrics: requests by route and status, latency, sessions, WebSocket connections,
//! password checks and background jobs. Served on their own address (`METRICS_ADDR`), never on
//! the public one, and a scrape only reads counters: it does no database work.

use axum::{
    extract::{MatchedPath, Request, State},
    http::{header, Method},
    middleware::Next,
    response::{IntoResponse, Response},
    routing::get,
    Router,
};
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, Opts, Registry,
    TextEncoder,
};
use std::time::Instant;

/// The server's metrics, registered in its own registry (so tests can run servers side by side).
#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    /// Open realtime connections.
    pub ws_connections: IntGauge,
    /// Signed-in sessions that have not expired: counted from the database by housekeeping and
    /// moved by sign-in and sign-out in between.
    pub sessions: IntGauge,
    /// Passwords verified with argon2 (an unknown address costs one too, like a wrong password).
    pub password_checks: IntCounter,
    /// Background jobs finished, by kind and outcome.
    pub jobs: IntCounterVec,
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
        let password_checks = IntCounter::new(
            "password_checks_total",
            "Passwords verified with argon2id, including the decoy check for unknown addresses",
        )?;
        let jobs = IntCounterVec::new(
            Opts::new(
                "background_jobs_total",
                "Background jobs by kind and outcome",
            ),
            &["kind", "outcome"],
        )?;
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(latency.clone()))?;
        registry.register(Box::new(ws_connections.clone()))?;
        registry.register(Box::new(sessions.clone()))?;
        registry.register(Box::new(password_checks.clone()))?;
        registry.register(Box::new(jobs.clone()))?;
        Ok(Self {
            registry,
            requests,
            latency,
            ws_connections,
            sessions,
            password_checks,
            jobs,
        })
    }

    /// The metrics in Prometheus's text format.
    pub fn render(&self) -> Vec<u8> {
        let mut buf = Vec::new();
        if let Err(err) = TextEncoder::new().encode(&self.registry.gather(), &mut buf) {
            tracing::error!(error = %err, "encoding metrics");
        }
        buf
    }

    /// The router of the metrics address: `/metrics` and nothing else.
    pub fn router(&self) -> Router {
        Router::new()
            .route("/metrics", get(render))
            .with_state(self.clone())
    }
}

/// A method as a label: the standard ones by name, anything a client invents as `other`.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// Counts and times every request under its route pattern and a known method (never the raw
/// path or method, which would let clients create unbounded label values).
pub async fn track(State(metrics): State<Metrics>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = method_label(req.method());
    let started = Instant::now();
    let res = next.run(req).await;
    metrics
        .latency
        .with_label_values(&[route.as_str()])
        .observe(started.elapsed().as_secs_f64());
    metrics
        .requests
        .with_label_values(&[route.as_str(), method, res.status().as_str()])
        .inc();
    res
}

async fn render(State(metrics): State<Metrics>) -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        metrics.render(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invented_methods_share_one_label() {
        assert_eq!(method_label(&Method::POST), "POST");
        let invented = Method::from_bytes(b"BREW").expect("method");
        assert_eq!(method_label(&invented), "other");
    }
}
