//! The realtime hub: every open WebSocket by user, so that a use case can push an event to a
//! person's open pages. The `/ws` endpoint itself is in `socket.rs`.

mod inbox;
mod socket;

pub use socket::{upgrade, Realtime};

use shared::ws::ServerEvent;
use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Mutex,
    },
};
use tokio::sync::mpsc;

/// An event on its way to one user, with the organisation whose membership it requires.
#[derive(Clone, Debug)]
pub struct Delivery {
    pub org_id: Option<i64>,
    pub event: ServerEvent,
}

/// Each user's open connections: (connection id, its queue).
type Subscribers = HashMap<i64, Vec<(u64, mpsc::Sender<Delivery>)>>;

/// Connections one person may have open at once (tabs and devices).
pub const MAX_CONNECTIONS_PER_USER: usize = 20;

/// One open connection's place in the hub, and the events sent to it.
pub struct Subscription {
    hub: Hub,
    user_id: i64,
    id: u64,
    pub events: mpsc::Receiver<Delivery>,
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.hub.unsubscribe(self.user_id, self.id);
    }
}

/// Open connections by user, with caps on how many.
#[derive(Clone)]
pub struct Hub {
    inner: Arc<Mutex<Subscribers>>,
    next_id: Arc<AtomicU64>,
    max_total: usize,
}

/// Why a connection was not accepted.
#[derive(Debug, PartialEq, Eq)]
pub enum Full {
    /// The server holds as many connections as it is configured to.
    Server,
    /// The person has [`MAX_CONNECTIONS_PER_USER`] open already.
    User,
}

impl Hub {
    /// A hub for at most `max_total` connections.
    pub fn new(max_total: usize) -> Self {
        Self {
            inner: Arc::default(),
            next_id: Arc::default(),
            max_total: max_total.max(1),
        }
    }

    /// Registers a connection of `user_id`; it stays registered until the [`Subscription`]
    /// is dropped.
    pub fn subscribe(&self, user_id: i64) -> Result<Subscription, Full> {
        let (tx, rx) = mpsc::channel(64);
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let mut map = self.inner.lock().map_err(|_| Full::Server)?;
        let total: usize = map.values().map(Vec::len).sum();
        if total >= self.max_total {
            return Err(Full::Server);
        }
        let mine = map.entry(user_id).or_default();
        if mine.len() >= MAX_CONNECTIONS_PER_USER {
            return Err(Full::User);
        }
        mine.push((id, tx));
        Ok(Subscription {
            hub: self.clone(),
            user_id,
            id,
            events: rx,
        })
    }

    fn unsubscribe(&self, user_id: i64, id: u64) {
        if let Ok(mut map) = self.inner.lock() {
            if let Some(list) = map.get_mut(&user_id) {
                list.retain(|(i, _)| *i != id);
                if list.is_empty() {
                    map.remove(&user_id);
                }
            }
        }
    }

    /// Sends to every open connection of the user; a connection that is not keeping up misses it.
    pub fn send(&self, user_id: i64, delivery: Delivery) {
        let senders: Vec<_> = match self.inner.lock() {
            Ok(map) => map
                .get(&user_id)
                .map(|l| l.iter().map(|(_, tx)| tx.clone()).collect())
                .unwrap_or_default(),
            Err(_) => return,
        };
        for tx in senders {
            let _ = tx.try_send(delivery.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connections_are_capped_per_person_and_in_all() {
        let hub = Hub::new(MAX_CONNECTIONS_PER_USER + 1);
        let mine: Vec<_> = (0..MAX_CONNECTIONS_PER_USER)
            .map(|_| hub.subscribe(1).expect("room"))
            .collect();
        assert!(matches!(hub.subscribe(1), Err(Full::User)));
        let other = hub.subscribe(2).expect("another person");
        assert!(matches!(hub.subscribe(3), Err(Full::Server)));
        drop(other);
        assert!(hub.subscribe(3).is_ok());
        drop(mine);
    }
}
