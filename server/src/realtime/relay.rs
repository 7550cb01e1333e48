//! Several server instances on one PostgreSQL database act as one hub: what one instance
//! delivers or learns about access (`Relayed`) is published with `NOTIFY` on one channel, and
//! every instance `LISTEN`s and applies what the others published. Payloads are small (ids, a
//! slug, a short text); one over PostgreSQL's 8000 bytes is not sent (and logged).
//!
//! Notifications are not stored: while the listening connection is down, changes of access may
//! be missed. So when it is lost, every connection of this instance is closed with 1012
//! ("service restart"): pages reconnect and are authorised afresh. With SQLite there is one
//! instance and nothing to relay.
//!
//! Each instance also says every [`ALIVE_EVERY`] that it is alive: what an instance said of
//! presence is forgotten once it has been silent for a while (killed, or cut off), and one
//! heard from for the first time is told who is present on the others.

use super::{Hub, Relayed, ALIVE_EVERY};
use serde::{Deserialize, Serialize};
use sqlx::postgres::{PgListener, PgPoolOptions};
use std::time::Duration;
use tokio::{sync::mpsc, task::JoinHandle};

/// The channel every instance listens on.
const CHANNEL: &str = "talentloom_realtime";

/// The largest payload sent (PostgreSQL's limit is 8000 bytes).
const MAX_PAYLOAD: usize = 7_900;

/// What is queued for publishing at most; beyond it, events stay on this instance (logged).
const QUEUE: usize = 4_096;

/// The close code for connections closed because the relay was lost (standard: "service
/// restart"; pages reconnect).
const RELAY_LOST: (u16, &str) = (1012, "reconnect");

#[derive(Serialize, Deserialize)]
struct Envelope {
    /// The instance that published it (it applied it already).
    from: u64,
    relayed: Relayed,
}

/// Starts relaying `hub` through the PostgreSQL database at `url`: one task publishes, one
/// listens. Fails when the database does not answer.
pub async fn start_relay(hub: &Hub, url: &str) -> Result<Vec<JoinHandle<()>>, sqlx::Error> {
    let me = hub.instance;
    let publisher = PgPoolOptions::new().max_connections(1).connect(url).await?;
    let mut listener = PgListener::connect(url).await?;
    listener.listen(CHANNEL).await?;
    let (tx, mut queued) = mpsc::channel::<Relayed>(QUEUE);
    if hub.relay.set(tx).is_err() {
        tracing::warn!("the realtime relay was started twice; the second is not used");
        return Ok(Vec::new());
    }
    let publishing = tokio::spawn(async move {
        while let Some(relayed) = queued.recv().await {
            let Ok(payload) = serde_json::to_string(&Envelope { from: me, relayed }) else {
                continue;
            };
            if payload.len() > MAX_PAYLOAD {
                tracing::warn!(bytes = payload.len(), "a realtime event too large to relay");
                continue;
            }
            let sent = sqlx::query("SELECT pg_notify($1, $2)")
                .bind(CHANNEL)
                .bind(&payload)
                .execute(&publisher)
                .await;
            if let Err(err) = sent {
                tracing::warn!(error = %err, "relaying a realtime event");
            }
        }
    });
    let alive = {
        let hub = hub.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(ALIVE_EVERY);
            loop {
                every.tick().await;
                hub.alive();
            }
        })
    };
    let hub = hub.clone();
    let listening = tokio::spawn(async move {
        // Rosters read while the relay was away may miss a change it never heard: once it
        // hears again, they are read afresh.
        let mut was_lost = false;
        loop {
            match listener.try_recv().await {
                Ok(Some(notification)) => {
                    if std::mem::take(&mut was_lost) {
                        hub.forget_all_rosters();
                    }
                    match serde_json::from_str::<Envelope>(notification.payload()) {
                        Ok(envelope) if envelope.from != me => hub.relayed(envelope.relayed),
                        Ok(_) => {}
                        Err(err) => tracing::warn!(error = %err, "an unreadable realtime relay"),
                    }
                }
                Ok(None) => {
                    tracing::warn!("the realtime relay lost its connection; pages reconnect");
                    hub.close_all(RELAY_LOST);
                    was_lost = true;
                }
                Err(err) => {
                    tracing::warn!(error = %err, "the realtime relay cannot listen; retrying");
                    hub.close_all(RELAY_LOST);
                    was_lost = true;
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        }
    });
    Ok(vec![publishing, listening, alive])
}
