//! The realtime hub: every open WebSocket by person, and what each may still receive. The `/ws`
//! endpoint itself is in `socket.rs`, what it reads from a page in `inbox.rs`, and the relay that
//! makes the hubs of several server instances act as one in `relay.rs`.
//!
//! Authorisation is kept in memory, so that delivering an event reads nothing from the database:
//! what ends a session (sign-out, a password change, a new sign-in) and what changes a
//! membership (joining, removal, leaving, a new role) is pushed into the hub as an
//! [`AccessChange`], in this instance and, through the relay, in every other. An ended session's
//! connections are closed at once ([`close::SIGNED_OUT`]); a membership's change re-scopes its
//! person's connections before their next event. A membership the hub has not seen yet is read
//! once and remembered.

mod inbox;
mod relay;
mod socket;

pub use relay::start_relay;
pub use socket::{upgrade, Realtime};

use crate::platform::sessions::SessionsEnded;
use serde::{Deserialize, Serialize};
use shared::{
    permissions::Role,
    ws::{close, ServerEvent},
};
use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Mutex, OnceLock,
    },
};
use tokio::sync::{mpsc, watch};

/// An event on its way to one person, with the organisation whose membership it requires.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Delivery {
    pub org_id: Option<i64>,
    pub event: ServerEvent,
}

/// Something that ends, narrows or widens what open connections may receive.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AccessChange {
    /// This session ended (signed out, replaced at sign-in, deleted).
    SessionEnded { id: String },
    /// Every session of this person ended (a new password, a removed account).
    AllSessionsEnded { user_id: i64 },
    /// The person's membership of the organisation changed (joined, a new role, or `None`:
    /// removed or left).
    Membership {
        user_id: i64,
        org_id: i64,
        role: Option<Role>,
    },
}

/// What passes between the hubs of several instances (`relay.rs`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "do", rename_all = "snake_case")]
pub enum Relayed {
    Deliver { user_id: i64, delivery: Delivery },
    Change { change: AccessChange },
}

/// Why the hub closes a connection: its close code and reason.
pub type Closing = (u16, &'static str);

/// One open connection.
struct Connection {
    id: u64,
    session: String,
    events: mpsc::Sender<Delivery>,
    close: watch::Sender<Option<Closing>>,
}

/// One person's open connections and what the hub knows of their memberships.
#[derive(Default)]
struct Person {
    connections: Vec<Connection>,
    /// Organisation → role, or `None` when known not to be a member. A change of access always
    /// writes here; a membership read from the database is only added where nothing is known,
    /// so a read that a change overtook never replaces it.
    orgs: HashMap<i64, Option<Role>>,
}

/// Connections one person may have open at once (tabs and devices).
pub const MAX_CONNECTIONS_PER_USER: usize = 20;

/// One open connection's place in the hub: the events sent to it, and the close the hub asks
/// for.
pub struct Subscription {
    hub: Hub,
    user_id: i64,
    id: u64,
    pub events: mpsc::Receiver<Delivery>,
    pub closing: watch::Receiver<Option<Closing>>,
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.hub.unsubscribe(self.user_id, self.id);
    }
}

/// What the hub knows of a person's membership of an organisation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Membership {
    Member(Role),
    NotMember,
    /// Not known yet: read it, then [`Hub::remember`] it.
    Unknown,
}

/// Open connections by person, with caps on how many.
#[derive(Clone)]
pub struct Hub {
    people: Arc<Mutex<HashMap<i64, Person>>>,
    next_id: Arc<AtomicU64>,
    max_total: usize,
    /// Where what happens here is sent for the other instances (with PostgreSQL).
    relay: Arc<OnceLock<mpsc::Sender<Relayed>>>,
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
            people: Arc::default(),
            next_id: Arc::default(),
            max_total: max_total.max(1),
            relay: Arc::default(),
        }
    }

    /// Registers a connection of `user_id` signed in with `session`; it stays registered until
    /// the [`Subscription`] is dropped or the hub closes it.
    pub fn subscribe(&self, user_id: i64, session: &str) -> Result<Subscription, Full> {
        let (events_tx, events) = mpsc::channel(64);
        let (close, closing) = watch::channel(None);
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let mut people = self.people.lock().map_err(|_| Full::Server)?;
        let total: usize = people.values().map(|p| p.connections.len()).sum();
        if total >= self.max_total {
            return Err(Full::Server);
        }
        let person = people.entry(user_id).or_default();
        if person.connections.len() >= MAX_CONNECTIONS_PER_USER {
            return Err(Full::User);
        }
        person.connections.push(Connection {
            id,
            session: session.to_owned(),
            events: events_tx,
            close,
        });
        Ok(Subscription {
            hub: self.clone(),
            user_id,
            id,
            events,
            closing,
        })
    }

    fn unsubscribe(&self, user_id: i64, id: u64) {
        if let Ok(mut people) = self.people.lock() {
            if let Some(person) = people.get_mut(&user_id) {
                person.connections.retain(|c| c.id != id);
                if person.connections.is_empty() {
                    people.remove(&user_id);
                }
            }
        }
    }

    /// Sends to every open connection of the person, here and on the other instances; a
    /// connection that is not keeping up misses it.
    pub fn send(&self, user_id: i64, delivery: Delivery) {
        self.deliver_here(user_id, &delivery);
        self.relay(Relayed::Deliver { user_id, delivery });
    }

    /// Applies a change of access here and on the other instances.
    pub fn access_changed(&self, change: AccessChange) {
        self.change_here(&change);
        self.relay(Relayed::Change { change });
    }

    /// What another instance relayed.
    pub fn relayed(&self, relayed: Relayed) {
        match relayed {
            Relayed::Deliver { user_id, delivery } => self.deliver_here(user_id, &delivery),
            Relayed::Change { change } => self.change_here(&change),
        }
    }

    fn relay(&self, relayed: Relayed) {
        if let Some(relay) = self.relay.get() {
            if relay.try_send(relayed).is_err() {
                tracing::warn!("the realtime relay is not keeping up; an event stays here");
            }
        }
    }

    fn deliver_here(&self, user_id: i64, delivery: &Delivery) {
        let senders: Vec<_> = match self.people.lock() {
            Ok(people) => people
                .get(&user_id)
                .map(|p| p.connections.iter().map(|c| c.events.clone()).collect())
                .unwrap_or_default(),
            Err(_) => return,
        };
        for events in senders {
            let _ = events.try_send(delivery.clone());
        }
    }

    fn change_here(&self, change: &AccessChange) {
        let Ok(mut people) = self.people.lock() else {
            return;
        };
        let signed_out = (close::SIGNED_OUT, "signed out");
        match change {
            AccessChange::SessionEnded { id } => {
                for person in people.values_mut() {
                    person.connections.retain(|c| {
                        let ended = c.session == *id;
                        if ended {
                            c.close.send_replace(Some(signed_out));
                        }
                        !ended
                    });
                }
                people.retain(|_, p| !p.connections.is_empty());
            }
            AccessChange::AllSessionsEnded { user_id } => {
                if let Some(person) = people.remove(user_id) {
                    for c in &person.connections {
                        c.close.send_replace(Some(signed_out));
                    }
                }
            }
            AccessChange::Membership {
                user_id,
                org_id,
                role,
            } => {
                if let Some(person) = people.get_mut(user_id) {
                    person.orgs.insert(*org_id, *role);
                }
            }
        }
    }

    /// Closes every connection here (they reconnect and are authorised afresh): when the relay
    /// lost its connection and may have missed changes of access.
    pub fn close_all(&self, closing: Closing) {
        if let Ok(mut people) = self.people.lock() {
            for (_, person) in people.drain() {
                for c in &person.connections {
                    c.close.send_replace(Some(closing));
                }
            }
        }
    }

    /// What the hub knows of the person's membership of the organisation.
    pub fn membership(&self, user_id: i64, org_id: i64) -> Membership {
        let Ok(people) = self.people.lock() else {
            return Membership::NotMember;
        };
        let Some(person) = people.get(&user_id) else {
            return Membership::NotMember;
        };
        match person.orgs.get(&org_id) {
            Some(Some(role)) => Membership::Member(*role),
            Some(None) => Membership::NotMember,
            None => Membership::Unknown,
        }
    }

    /// Remembers a membership read from the database, unless a change arrived meanwhile (then
    /// that one stands); returns what the hub now knows.
    pub fn remember(&self, user_id: i64, org_id: i64, role: Option<Role>) -> Membership {
        let Ok(mut people) = self.people.lock() else {
            return Membership::NotMember;
        };
        let Some(person) = people.get_mut(&user_id) else {
            return Membership::NotMember;
        };
        match person.orgs.entry(org_id).or_insert(role) {
            Some(role) => Membership::Member(*role),
            None => Membership::NotMember,
        }
    }
}

impl SessionsEnded for Hub {
    fn session_ended(&self, id: &str) {
        self.access_changed(AccessChange::SessionEnded { id: id.to_owned() });
    }

    fn user_sessions_ended(&self, user_id: i64) {
        self.access_changed(AccessChange::AllSessionsEnded { user_id });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connections_are_capped_per_person_and_in_all() {
        let hub = Hub::new(MAX_CONNECTIONS_PER_USER + 1);
        let mine: Vec<_> = (0..MAX_CONNECTIONS_PER_USER)
            .map(|_| hub.subscribe(1, "s1").expect("room"))
            .collect();
        assert!(matches!(hub.subscribe(1, "s1"), Err(Full::User)));
        let other = hub.subscribe(2, "s2").expect("another person");
        assert!(matches!(hub.subscribe(3, "s3"), Err(Full::Server)));
        drop(other);
        assert!(hub.subscribe(3, "s3").is_ok());
        drop(mine);
    }

    #[test]
    fn an_ended_session_closes_only_its_own_connections() {
        let hub = Hub::new(10);
        let laptop = hub.subscribe(1, "laptop").expect("room");
        let phone = hub.subscribe(1, "phone").expect("room");
        hub.access_changed(AccessChange::SessionEnded {
            id: "laptop".into(),
        });
        assert_eq!(
            *laptop.closing.borrow(),
            Some((close::SIGNED_OUT, "signed out"))
        );
        assert_eq!(*phone.closing.borrow(), None);
        hub.access_changed(AccessChange::AllSessionsEnded { user_id: 1 });
        assert_eq!(
            *phone.closing.borrow(),
            Some((close::SIGNED_OUT, "signed out"))
        );
    }

    #[test]
    fn a_membership_read_while_a_change_arrived_is_not_remembered_over_it() {
        let hub = Hub::new(10);
        let _open = hub.subscribe(1, "s").expect("room");
        assert_eq!(hub.membership(1, 7), Membership::Unknown);
        // Read from the database: a member, but removed before the answer is remembered.
        let removed = AccessChange::Membership {
            user_id: 1,
            org_id: 7,
            role: None,
        };
        hub.access_changed(removed);
        assert_eq!(
            hub.remember(1, 7, Some(Role::Recruiter)),
            Membership::NotMember
        );
        // A later read is remembered, and a new role replaces it.
        assert_eq!(hub.membership(1, 8), Membership::Unknown);
        assert_eq!(
            hub.remember(1, 8, Some(Role::Viewer)),
            Membership::Member(Role::Viewer)
        );
        hub.access_changed(AccessChange::Membership {
            user_id: 1,
            org_id: 8,
            role: Some(Role::Admin),
        });
        assert_eq!(hub.membership(1, 8), Membership::Member(Role::Admin));
    }

    #[test]
    fn what_passes_between_instances_is_small_tagged_json() {
        let relayed = Relayed::Change {
            change: AccessChange::Membership {
                user_id: 3,
                org_id: 4,
                role: None,
            },
        };
        let json = serde_json::to_string(&relayed).unwrap_or_default();
        assert_eq!(
            json,
            r#"{"do":"change","change":{"kind":"membership","user_id":3,"org_id":4,"role":null}}"#
        );
        assert_eq!(serde_json::from_str::<Relayed>(&json).ok(), Some(relayed));
    }
}
