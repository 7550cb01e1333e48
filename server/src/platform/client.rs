//! Who is on the other end of a connection: the client address (for rate limits and locks) and
//! the request id (for logs), trusting `X-Forwarded-For` and `X-Request-Id` only as far as a
//! configured proxy vouches for them.

use axum::{
    extract::{ConnectInfo, Request, State},
    middleware::Next,
    response::Response,
};
use http::request::Parts;
use ipnet::IpNet;
use std::{
    net::{IpAddr, SocketAddr},
    sync::Arc,
};

/// Reads client addresses; clones share the configuration.
#[derive(Clone, Debug)]
pub struct ClientAddresses {
    trust_proxy_headers: bool,
    proxies: Arc<Vec<IpNet>>,
}

impl ClientAddresses {
    pub fn new(trust_proxy_headers: bool, proxies: Vec<IpNet>) -> Self {
        Self {
            trust_proxy_headers,
            proxies: Arc::new(proxies),
        }
    }

    fn is_proxy(&self, ip: IpAddr) -> bool {
        self.proxies.iter().any(|net| net.contains(&ip))
    }

    /// Whether the connection comes from one of our proxies, so its headers may be believed.
    fn vouched(&self, parts: &Parts) -> bool {
        self.trust_proxy_headers && peer(parts).is_some_and(|ip| self.is_proxy(ip))
    }

    /// The client's address. Behind trusted proxies, the right-most `X-Forwarded-For` entry that
    /// is not itself a proxy: every entry left of it was written by the client and proves nothing.
    pub fn of(&self, parts: &Parts) -> Option<IpAddr> {
        let peer = peer(parts);
        if !self.vouched(parts) {
            return peer;
        }
        let forwarded: Vec<IpAddr> = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|entry| entry.trim().parse().ok())
            .collect();
        forwarded
            .iter()
            .rev()
            .find(|ip| !self.is_proxy(**ip))
            .or(forwarded.first())
            .copied()
            .or(peer)
    }

    /// A key for per-client limits: the address, or one shared bucket when it is unknown.
    pub fn key(&self, parts: &Parts) -> String {
        self.of(parts)
            .map_or_else(|| "unknown".to_owned(), |ip| ip.to_string())
    }
}

fn peer(parts: &Parts) -> Option<IpAddr> {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
}

/// Whether a request id is one we are willing to log: short, and only letters, digits and `-`.
fn well_formed_request_id(value: &[u8]) -> bool {
    (8..=64).contains(&value.len())
        && value
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
}

/// Drops an `X-Request-Id` the client chose unless a trusted proxy set it and it is well formed;
/// the request-id layer then gives the request a fresh one.
pub async fn untrusted_request_id(
    State(clients): State<ClientAddresses>,
    req: Request,
    next: Next,
) -> Response {
    let (mut parts, body) = req.into_parts();
    let keep = clients.vouched(&parts)
        && parts
            .headers
            .get("x-request-id")
            .is_some_and(|v| well_formed_request_id(v.as_bytes()));
    if !keep {
        parts.headers.remove("x-request-id");
    }
    next.run(Request::from_parts(parts, body)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(peer: &str, forwarded: Option<&str>) -> Parts {
        let mut req = http::Request::builder().uri("/");
        if let Some(f) = forwarded {
            req = req.header("x-forwarded-for", f);
        }
        let (mut parts, ()) = req.body(()).expect("request").into_parts();
        let addr: SocketAddr = peer.parse().expect("address");
        parts.extensions.insert(ConnectInfo(addr));
        parts
    }

    fn proxies() -> ClientAddresses {
        ClientAddresses::new(true, vec!["127.0.0.0/8".parse().expect("network")])
    }

    #[test]
    fn the_right_most_address_not_of_a_proxy_is_the_client() {
        let ip = |s: &str| s.parse::<IpAddr>().ok();
        // The client wrote "6.6.6.6"; our proxy appended the address it saw.
        let parts = request("127.0.0.1:5000", Some("6.6.6.6, 203.0.113.9"));
        assert_eq!(proxies().of(&parts), ip("203.0.113.9"));
        // Two of our proxies in a row.
        let parts = request("127.0.0.1:5000", Some("6.6.6.6, 203.0.113.9, 127.0.0.2"));
        assert_eq!(proxies().of(&parts), ip("203.0.113.9"));
        // Not from a proxy: the header is the client's own words and ignored.
        let parts = request("198.51.100.7:5000", Some("6.6.6.6"));
        assert_eq!(proxies().of(&parts), ip("198.51.100.7"));
        // Trust switched off.
        let off = ClientAddresses::new(false, vec![]);
        let parts = request("127.0.0.1:5000", Some("203.0.113.9"));
        assert_eq!(off.of(&parts), ip("127.0.0.1"));
        // Entries that are not addresses are skipped.
        let parts = request("127.0.0.1:5000", Some("203.0.113.9, nonsense"));
        assert_eq!(proxies().of(&parts), ip("203.0.113.9"));
    }

    #[test]
    fn request_ids_are_short_and_plain() {
        assert!(well_formed_request_id(
            b"3f2c9a1e-7b6d-4c1a-9e8f-0a1b2c3d4e5f"
        ));
        assert!(!well_formed_request_id(b"abc\nFORGED log line"));
        assert!(!well_formed_request_id(&[b'a'; 65]));
        assert!(!well_formed_request_id(b"short"));
    }
}
