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
//!
//! Presence (online / away / offline) is kept here too: each connection says whether its page is
//! away, a person's presence on this instance is their most present connection, and what other
//! instances relay of theirs is merged in (`presence.rs` tells the people who share a
//! conversation with them when it changes).

mod inbox;
mod presence;
mod relay;
mod rosters;
mod socket;

pub use presence::tell_presence;
pub use relay::start_relay;
pub use rosters::Roster;
pub use socket::{upgrade, upgrade_candidate, Realtime};

use crate::platform::sessions::SessionsEnded;
use serde::{Deserialize, Serialize};
use shared::{
    chat::Presence,
    permissions::Role,
    ws::{close, ServerEvent},
};
use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Mutex, OnceLock,
    },
    time::{Duration, Instant},
};
use tokio::sync::{mpsc, watch};

/// An event on its way to one person, with the organisation whose membership it requires.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Delivery {
    pub org_id: Option<i64>,
    pub event: ServerEvent,
    /// It shows candidates' data (an application's conversation): only members whose role may
    /// see candidates receive it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub candidate_data: bool,
}

/// A delivery as connections take it: serialised once, shared by every connection it goes to
/// (a message to a conversation reaches every tab of every member).
#[derive(Debug)]
pub struct Prepared {
    pub org_id: Option<i64>,
    pub candidate_data: bool,
    /// The conversation it belongs to, if any: only its members receive it.
    pub conversation: Option<i64>,
    /// The event's JSON text frame.
    pub text: axum::extract::ws::Utf8Bytes,
}

impl Prepared {
    fn of(delivery: &Delivery) -> Arc<Self> {
        Arc::new(Self {
            org_id: delivery.org_id,
            candidate_data: delivery.candidate_data,
            conversation: delivery.event.conversation(),
            text: serde_json::to_string(&delivery.event)
                .unwrap_or_default()
                .into(),
        })
    }
}

/// Something that ends, narrows or widens what open connections may receive, or changes who
/// is in a conversation as the hub remembers it (`rosters.rs`).
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
    /// The candidate's link to the application of this conversation stopped working (their
    /// data is to be deleted): the candidate's sockets close.
    CandidateLinkEnded { conversation: i64 },
    /// Members joined or left this conversation, or were added or removed.
    ConversationMembers { conversation: i64 },
    /// A hiring team of this organisation changed: who may see its applications'
    /// conversations.
    HiringTeam { org_id: i64 },
    /// The person's name changed (as their messages show it).
    Renamed { user_id: i64 },
}

/// What passes between the hubs of several instances (`relay.rs`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "do", rename_all = "snake_case")]
pub enum Relayed {
    Deliver {
        user_id: i64,
        delivery: Delivery,
    },
    Change {
        change: AccessChange,
    },
    /// These people's presence on `instance` changed (or is told to an instance heard from
    /// for the first time).
    Presence {
        instance: u64,
        users: Vec<(i64, Presence)>,
    },
    /// `instance` is still running: what it said of presence still holds.
    Alive {
        instance: u64,
    },
    /// Message `seq` of `conversation` was stored, edited or deleted: each instance reads it and
    /// its members, and delivers it to the pages open there (a message's text can be far larger
    /// than a relayed payload may be).
    Message {
        conversation: i64,
        seq: i64,
    },
}

/// How often an instance says it is alive to the others.
pub const ALIVE_EVERY: Duration = Duration::from_secs(15);
/// What an instance said of presence is forgotten when it has not been heard from for this
/// long (it stopped, or was killed).
pub const INSTANCE_SILENT_AFTER: Duration = Duration::from_secs(45);
/// People per relayed presence batch (a payload stays well under PostgreSQL's 8000 bytes).
const PRESENCE_BATCH: usize = 200;

/// Why the hub closes a connection: its close code and reason.
pub type Closing = (u16, &'static str);

/// One open connection.
struct Connection {
    id: u64,
    session: String,
    events: mpsc::Sender<Arc<Prepared>>,
    close: watch::Sender<Option<Closing>>,
    /// Its page is hidden or untouched (`Some(true)`), or in use; `None` until its hello says
    /// which (it counts for nothing before).
    away: Option<bool>,
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

impl Person {
    /// Present here as their most present connection.
    fn presence(&self) -> Presence {
        self.connections
            .iter()
            .filter_map(|c| {
                c.away.map(|away| {
                    if away {
                        Presence::Away
                    } else {
                        Presence::Online
                    }
                })
            })
            .max()
            .unwrap_or(Presence::Offline)
    }
}

/// A candidate's open connection: it receives one application's conversation.
struct CandidateConnection {
    id: u64,
    events: mpsc::Sender<Arc<Prepared>>,
    close: watch::Sender<Option<Closing>>,
}

/// What the hub holds, behind one lock.
#[derive(Default)]
struct Inner {
    people: HashMap<i64, Person>,
    /// Candidates' connections, by the conversation they may receive.
    candidates: HashMap<i64, Vec<CandidateConnection>>,
    /// Presence on other instances (never offline: those are left out), by person and instance.
    elsewhere: HashMap<i64, HashMap<u64, Presence>>,
    /// When each other instance was last heard from.
    heard: HashMap<u64, Instant>,
}

impl Inner {
    /// Connections open here, people's and candidates'.
    fn total(&self) -> usize {
        let people: usize = self.people.values().map(|p| p.connections.len()).sum();
        let candidates: usize = self.candidates.values().map(Vec::len).sum();
        people + candidates
    }

    fn here(&self, user_id: i64) -> Presence {
        self.people
            .get(&user_id)
            .map_or(Presence::Offline, Person::presence)
    }

    /// Here and elsewhere: the most present.
    fn merged(&self, user_id: i64) -> Presence {
        let elsewhere = self
            .elsewhere
            .get(&user_id)
            .and_then(|by| by.values().max().copied())
            .unwrap_or(Presence::Offline);
        self.here(user_id).max(elsewhere)
    }

    fn both(&self, user_id: i64) -> (Presence, Presence) {
        (self.here(user_id), self.merged(user_id))
    }

    /// Makes `change` to what the hub holds, and notes how the person's presence moved.
    fn shift(&mut self, user_id: i64, change: impl FnOnce(&mut Self)) -> Shift {
        let before = self.both(user_id);
        change(self);
        Shift {
            user_id,
            before,
            after: self.both(user_id),
        }
    }
}

/// A person's presence here and merged, before and after something changed it.
struct Shift {
    user_id: i64,
    before: (Presence, Presence),
    after: (Presence, Presence),
}

/// Connections one person may have open at once (tabs and devices).
pub const MAX_CONNECTIONS_PER_USER: usize = 20;
/// Connections a candidate may have open to their conversation at once.
pub const MAX_CANDIDATE_CONNECTIONS: usize = 5;
/// Candidates' connections take at most 1 / this of the server's.
const CANDIDATES_SHARE: usize = 4;

/// One open connection's place in the hub: the events sent to it, and the close the hub asks
/// for.
pub struct Subscription {
    hub: Hub,
    user_id: i64,
    id: u64,
    pub events: mpsc::Receiver<Arc<Prepared>>,
    pub closing: watch::Receiver<Option<Closing>>,
}

impl Subscription {
    /// The page says it is hidden or untouched (`away`), or in use again.
    pub fn set_away(&self, away: bool) {
        self.hub.set_away(self.user_id, self.id, away);
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.hub.unsubscribe(self.user_id, self.id);
    }
}

/// A candidate's connection's place in the hub: its conversation's events, and the close the
/// hub asks for.
pub struct CandidateSubscription {
    hub: Hub,
    conversation: i64,
    id: u64,
    pub events: mpsc::Receiver<Arc<Prepared>>,
    pub closing: watch::Receiver<Option<Closing>>,
}

impl Drop for CandidateSubscription {
    fn drop(&mut self) {
        if let Ok(mut inner) = self.hub.inner.lock() {
            if let Some(open) = inner.candidates.get_mut(&self.conversation) {
                open.retain(|c| c.id != self.id);
                if open.is_empty() {
                    inner.candidates.remove(&self.conversation);
                }
            }
        }
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
    inner: Arc<Mutex<Inner>>,
    /// Conversations as who may send to and receive from them (`rosters.rs`).
    rosters: Arc<Mutex<rosters::Rosters>>,
    next_id: Arc<AtomicU64>,
    max_total: usize,
    /// This instance, as the others know it.
    instance: u64,
    /// Where what happens here is sent for the other instances (with PostgreSQL).
    relay: Arc<OnceLock<mpsc::Sender<Relayed>>>,
    /// Where changes of someone's (merged) presence go, to be told ([`tell_presence`]).
    presence_changes: Arc<OnceLock<mpsc::UnboundedSender<(i64, Presence)>>>,
    /// Where messages stored on other instances go, to be read and delivered here
    /// (`chat::deliver_relayed`): (conversation, seq).
    relayed_messages: Arc<OnceLock<mpsc::UnboundedSender<(i64, i64)>>>,
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
            rosters: Arc::default(),
            next_id: Arc::default(),
            max_total: max_total.max(1),
            instance: rand::random(),
            relay: Arc::default(),
            presence_changes: Arc::default(),
            relayed_messages: Arc::default(),
        }
    }

    /// Registers a connection of `user_id` signed in with `session`; it stays registered until
    /// the [`Subscription`] is dropped or the hub closes it.
    pub fn subscribe(&self, user_id: i64, session: &str) -> Result<Subscription, Full> {
        let (events_tx, events) = mpsc::channel(64);
        let (close, closing) = watch::channel(None);
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let mut inner = self.inner.lock().map_err(|_| Full::Server)?;
        if inner.total() >= self.max_total {
            return Err(Full::Server);
        }
        let open = inner
            .people
            .get(&user_id)
            .map_or(0, |p| p.connections.len());
        if open >= MAX_CONNECTIONS_PER_USER {
            return Err(Full::User);
        }
        let connection = Connection {
            id,
            session: session.to_owned(),
            events: events_tx,
            close,
            away: None,
        };
        let shift = inner.shift(user_id, |inner| {
            inner
                .people
                .entry(user_id)
                .or_default()
                .connections
                .push(connection);
        });
        drop(inner);
        self.shifted(vec![shift]);
        Ok(Subscription {
            hub: self.clone(),
            user_id,
            id,
            events,
            closing,
        })
    }

    /// Registers a candidate's connection to the application's `conversation` (the caller
    /// checked their link); it stays registered until the subscription is dropped or the hub
    /// closes it.
    pub fn subscribe_candidate(&self, conversation: i64) -> Result<CandidateSubscription, Full> {
        let (events_tx, events) = mpsc::channel(64);
        let (close, closing) = watch::channel(None);
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let mut inner = self.inner.lock().map_err(|_| Full::Server)?;
        let candidates: usize = inner.candidates.values().map(Vec::len).sum();
        // Candidates (no account) never take more than their share from the members.
        if inner.total() >= self.max_total
            || candidates >= (self.max_total / CANDIDATES_SHARE).max(1)
        {
            return Err(Full::Server);
        }
        let open = inner.candidates.entry(conversation).or_default();
        if open.len() >= MAX_CANDIDATE_CONNECTIONS {
            return Err(Full::User);
        }
        open.push(CandidateConnection {
            id,
            events: events_tx,
            close,
        });
        Ok(CandidateSubscription {
            hub: self.clone(),
            conversation,
            id,
            events,
            closing,
        })
    }

    /// Sends to the candidate's connections to `conversation` on this instance.
    pub(crate) fn deliver_to_candidate(&self, conversation: i64, delivery: &Delivery) {
        let senders: Vec<_> = match self.inner.lock() {
            Ok(inner) => inner
                .candidates
                .get(&conversation)
                .map(|open| open.iter().map(|c| c.events.clone()).collect())
                .unwrap_or_default(),
            Err(_) => return,
        };
        send_prepared(senders, delivery);
    }

    /// Whether the candidate of `conversation` has a connection open on this instance.
    pub fn candidate_is_here(&self, conversation: i64) -> bool {
        self.inner
            .lock()
            .is_ok_and(|inner| inner.candidates.contains_key(&conversation))
    }

    fn unsubscribe(&self, user_id: i64, id: u64) {
        let Ok(mut inner) = self.inner.lock() else {
            return;
        };
        let shift = inner.shift(user_id, |inner| close_here(inner, user_id, |c| c.id == id));
        drop(inner);
        self.shifted(vec![shift]);
    }

    fn set_away(&self, user_id: i64, id: u64, away: bool) {
        let Ok(mut inner) = self.inner.lock() else {
            return;
        };
        let shift = inner.shift(user_id, |inner| {
            if let Some(person) = inner.people.get_mut(&user_id) {
                for c in person.connections.iter_mut().filter(|c| c.id == id) {
                    c.away = Some(away);
                }
            }
        });
        drop(inner);
        self.shifted(vec![shift]);
    }

    /// The person's presence: their most present page, on any instance.
    pub fn presence(&self, user_id: i64) -> Presence {
        self.inner
            .lock()
            .map_or(Presence::Offline, |inner| inner.merged(user_id))
    }

    /// Whether the person has a connection open on this instance.
    pub fn is_here(&self, user_id: i64) -> bool {
        self.inner
            .lock()
            .is_ok_and(|inner| inner.people.contains_key(&user_id))
    }

    /// Changes of (merged) presence are sent here from now on; one receiver only.
    pub fn watch_presence(&self) -> Option<mpsc::UnboundedReceiver<(i64, Presence)>> {
        let (tx, rx) = mpsc::unbounded_channel();
        self.presence_changes.set(tx).ok().map(|()| rx)
    }

    /// What follows from changes of presence: a change here is relayed to the other instances,
    /// a change of the merged presence is told.
    fn shifted(&self, shifts: Vec<Shift>) {
        let mut here = Vec::new();
        for shift in shifts {
            if shift.before.0 != shift.after.0 {
                here.push((shift.user_id, shift.after.0));
            }
            if shift.before.1 != shift.after.1 {
                if let Some(changes) = self.presence_changes.get() {
                    let _ = changes.send((shift.user_id, shift.after.1));
                }
            }
        }
        self.relay_presence(here);
    }

    fn relay_presence(&self, users: Vec<(i64, Presence)>) {
        for batch in users.chunks(PRESENCE_BATCH) {
            self.relay(Relayed::Presence {
                instance: self.instance,
                users: batch.to_vec(),
            });
        }
    }

    /// Says to the other instances that this one is alive, and forgets what the silent ones
    /// said of presence. Called every [`ALIVE_EVERY`] by the relay.
    pub fn alive(&self) {
        self.relay(Relayed::Alive {
            instance: self.instance,
        });
        self.forget_silent(Instant::now());
    }

    /// Forgets what the instances silent for [`INSTANCE_SILENT_AFTER`] at `now` said.
    fn forget_silent(&self, now: Instant) {
        let Ok(mut inner) = self.inner.lock() else {
            return;
        };
        let silent: Vec<u64> = inner
            .heard
            .iter()
            .filter(|(_, at)| now.saturating_duration_since(**at) > INSTANCE_SILENT_AFTER)
            .map(|(instance, _)| *instance)
            .collect();
        let mut shifts = Vec::new();
        for instance in silent {
            inner.heard.remove(&instance);
            let users: Vec<i64> = inner
                .elsewhere
                .iter()
                .filter(|(_, by)| by.contains_key(&instance))
                .map(|(user, _)| *user)
                .collect();
            for user_id in users {
                shifts.push(inner.shift(user_id, |inner| {
                    forget(&mut inner.elsewhere, user_id, instance);
                }));
            }
        }
        drop(inner);
        self.shifted(shifts);
    }

    /// Notes that another instance was heard from; one heard from for the first time is told
    /// who is present here.
    fn heard_from(&self, inner: &mut Inner, instance: u64) -> Option<Vec<(i64, Presence)>> {
        let first = inner.heard.insert(instance, Instant::now()).is_none();
        first.then(|| {
            inner
                .people
                .iter()
                .map(|(user, person)| (*user, person.presence()))
                .collect()
        })
    }

    fn presence_elsewhere(&self, instance: u64, users: Vec<(i64, Presence)>) {
        let Ok(mut inner) = self.inner.lock() else {
            return;
        };
        let introduce = self.heard_from(&mut inner, instance);
        let mut shifts = Vec::new();
        for (user_id, presence) in users {
            shifts.push(inner.shift(user_id, |inner| {
                if presence == Presence::Offline {
                    forget(&mut inner.elsewhere, user_id, instance);
                } else {
                    inner
                        .elsewhere
                        .entry(user_id)
                        .or_default()
                        .insert(instance, presence);
                }
            }));
        }
        drop(inner);
        self.shifted(shifts);
        if let Some(present) = introduce {
            self.relay_presence(present);
        }
    }

    fn alive_elsewhere(&self, instance: u64) {
        let introduce = match self.inner.lock() {
            Ok(mut inner) => self.heard_from(&mut inner, instance),
            Err(_) => return,
        };
        if let Some(present) = introduce {
            self.relay_presence(present);
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

    /// Tells the other instances that message `seq` of `conversation` is new or changed (this
    /// one delivers it itself).
    pub fn relay_message(&self, conversation: i64, seq: i64) {
        self.relay(Relayed::Message { conversation, seq });
    }

    /// Messages stored on other instances are sent here from now on; one receiver only.
    pub fn watch_relayed_messages(&self) -> Option<mpsc::UnboundedReceiver<(i64, i64)>> {
        let (tx, rx) = mpsc::unbounded_channel();
        self.relayed_messages.set(tx).ok().map(|()| rx)
    }

    /// What another instance relayed.
    pub fn relayed(&self, relayed: Relayed) {
        match relayed {
            Relayed::Deliver { user_id, delivery } => self.deliver_here(user_id, &delivery),
            Relayed::Change { change } => self.change_here(&change),
            Relayed::Presence { instance, users } => self.presence_elsewhere(instance, users),
            Relayed::Alive { instance } => self.alive_elsewhere(instance),
            Relayed::Message { conversation, seq } => {
                if let Some(messages) = self.relayed_messages.get() {
                    let _ = messages.send((conversation, seq));
                }
            }
        }
    }

    fn relay(&self, relayed: Relayed) {
        if let Some(relay) = self.relay.get() {
            if relay.try_send(relayed).is_err() {
                tracing::warn!("the realtime relay is not keeping up; an event stays here");
            }
        }
    }

    /// Sends to the person's connections on this instance only.
    pub(crate) fn deliver_here(&self, user_id: i64, delivery: &Delivery) {
        self.deliver_here_to(&[user_id], delivery);
    }

    /// Sends to these people's connections on this instance only, serialised once for all.
    pub(crate) fn deliver_here_to(&self, users: &[i64], delivery: &Delivery) {
        let senders: Vec<_> = match self.inner.lock() {
            Ok(inner) => users
                .iter()
                .filter_map(|user_id| inner.people.get(user_id))
                .flat_map(|p| p.connections.iter().map(|c| c.events.clone()))
                .collect(),
            Err(_) => return,
        };
        send_prepared(senders, delivery);
    }

    fn change_here(&self, change: &AccessChange) {
        // First, and whatever becomes of the rest: a roster never outlives its change.
        self.forget_rosters(change);
        let Ok(mut inner) = self.inner.lock() else {
            return;
        };
        let signed_out = (close::SIGNED_OUT, "signed out");
        let mut shifts = Vec::new();
        match change {
            AccessChange::SessionEnded { id } => {
                let people: Vec<i64> = inner.people.keys().copied().collect();
                for user_id in people {
                    shifts.push(inner.shift(user_id, |inner| {
                        close_here(inner, user_id, |c| {
                            let ended = c.session == *id;
                            if ended {
                                c.close.send_replace(Some(signed_out));
                            }
                            ended
                        });
                    }));
                }
            }
            AccessChange::AllSessionsEnded { user_id } => {
                shifts.push(inner.shift(*user_id, |inner| {
                    close_here(inner, *user_id, |c| {
                        c.close.send_replace(Some(signed_out));
                        true
                    });
                }));
            }
            AccessChange::Membership {
                user_id,
                org_id,
                role,
            } => {
                if let Some(person) = inner.people.get_mut(user_id) {
                    person.orgs.insert(*org_id, *role);
                }
            }
            AccessChange::CandidateLinkEnded { conversation } => {
                for c in inner.candidates.remove(conversation).unwrap_or_default() {
                    c.close
                        .send_replace(Some((close::LINK_ENDED, "the link no longer works")));
                }
            }
            AccessChange::ConversationMembers { .. }
            | AccessChange::HiringTeam { .. }
            | AccessChange::Renamed { .. } => {}
        }
        drop(inner);
        self.shifted(shifts);
    }

    /// Forgets the rosters a change touches.
    fn forget_rosters(&self, change: &AccessChange) {
        let Ok(mut rosters) = self.rosters.lock() else {
            return;
        };
        match *change {
            AccessChange::SessionEnded { .. } => {}
            AccessChange::AllSessionsEnded { user_id } | AccessChange::Renamed { user_id } => {
                rosters.forget(|_, roster| roster.has(user_id));
            }
            // A new role may see conversations it did not (or no longer see them).
            AccessChange::Membership { org_id, .. } => {
                rosters.forget(|_, roster| roster.org_id == org_id);
            }
            AccessChange::CandidateLinkEnded { conversation }
            | AccessChange::ConversationMembers { conversation } => {
                rosters.forget(|id, _| id == conversation);
            }
            AccessChange::HiringTeam { org_id } => {
                rosters.forget(|_, roster| roster.org_id == org_id && roster.application);
            }
        }
    }

    /// Forgets every roster: what the relay missed while it was away may have changed any.
    pub fn forget_all_rosters(&self) {
        if let Ok(mut rosters) = self.rosters.lock() {
            rosters.forget(|_, _| true);
        }
    }

    /// The conversation's roster if the hub remembers it; else the epoch to give
    /// [`Hub::keep_roster`] with the roster read from the database.
    pub fn roster(&self, conversation: i64) -> Result<Arc<Roster>, u64> {
        match self.rosters.lock() {
            Ok(rosters) => rosters.get(conversation, Instant::now()),
            // Never remembered.
            Err(_) => Err(u64::MAX),
        }
    }

    /// Remembers a roster read from the database in `epoch`, unless something changed since.
    pub fn keep_roster(&self, conversation: i64, roster: Arc<Roster>, epoch: u64) {
        if let Ok(mut rosters) = self.rosters.lock() {
            rosters.keep(conversation, roster, epoch, Instant::now());
        }
    }

    /// Whether the hub knows that `user_id` may not see `conversation` (now).
    pub fn left(&self, conversation: i64, user_id: i64) -> bool {
        self.roster(conversation)
            .is_ok_and(|roster| !roster.has(user_id))
    }

    /// Closes every connection here (they reconnect and are authorised afresh): when the relay
    /// lost its connection and may have missed changes of access.
    pub fn close_all(&self, closing: Closing) {
        self.forget_all_rosters();
        let Ok(mut inner) = self.inner.lock() else {
            return;
        };
        for c in inner.candidates.drain().flat_map(|(_, open)| open) {
            c.close.send_replace(Some(closing));
        }
        let people: Vec<i64> = inner.people.keys().copied().collect();
        let shifts = people
            .into_iter()
            .map(|user_id| {
                inner.shift(user_id, |inner| {
                    close_here(inner, user_id, |c| {
                        c.close.send_replace(Some(closing));
                        true
                    });
                })
            })
            .collect();
        drop(inner);
        self.shifted(shifts);
    }

    /// What the hub knows of the person's membership of the organisation.
    pub fn membership(&self, user_id: i64, org_id: i64) -> Membership {
        let Ok(inner) = self.inner.lock() else {
            return Membership::NotMember;
        };
        let Some(person) = inner.people.get(&user_id) else {
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
        let Ok(mut inner) = self.inner.lock() else {
            return Membership::NotMember;
        };
        let Some(person) = inner.people.get_mut(&user_id) else {
            return Membership::NotMember;
        };
        match person.orgs.entry(org_id).or_insert(role) {
            Some(role) => Membership::Member(*role),
            None => Membership::NotMember,
        }
    }
}

/// Sends `delivery`, serialised once, to these connections; one that is not keeping up misses it.
fn send_prepared(senders: Vec<mpsc::Sender<Arc<Prepared>>>, delivery: &Delivery) {
    if senders.is_empty() {
        return;
    }
    let prepared = Prepared::of(delivery);
    for events in senders {
        let _ = events.try_send(prepared.clone());
    }
}

/// Drops the person's connections here that `gone` picks (and the person, with the last).
fn close_here(inner: &mut Inner, user_id: i64, mut gone: impl FnMut(&Connection) -> bool) {
    if let Some(person) = inner.people.get_mut(&user_id) {
        person.connections.retain(|c| !gone(c));
        if person.connections.is_empty() {
            inner.people.remove(&user_id);
        }
    }
}

/// Forgets what `instance` said of the person's presence.
fn forget(elsewhere: &mut HashMap<i64, HashMap<u64, Presence>>, user_id: i64, instance: u64) {
    if let Some(by) = elsewhere.get_mut(&user_id) {
        by.remove(&instance);
        if by.is_empty() {
            elsewhere.remove(&user_id);
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
    fn candidates_connect_to_their_conversation_within_their_caps_and_are_closed_with_their_link() {
        let hub = Hub::new(8);
        let open: Vec<_> = (0..MAX_CANDIDATE_CONNECTIONS.min(2))
            .map(|_| hub.subscribe_candidate(7).expect("room"))
            .collect();
        // A quarter of the server at most: 2 of 8.
        assert!(matches!(hub.subscribe_candidate(8), Err(Full::Server)));
        assert!(hub.subscribe(1, "s1").is_ok(), "members keep the rest");
        assert!(hub.candidate_is_here(7) && !hub.candidate_is_here(8));
        hub.access_changed(AccessChange::CandidateLinkEnded { conversation: 7 });
        for subscription in &open {
            assert_eq!(
                *subscription.closing.borrow(),
                Some((close::LINK_ENDED, "the link no longer works"))
            );
        }
        assert!(!hub.candidate_is_here(7));
        drop(open);
        let big = Hub::new(100);
        let mine: Vec<_> = (0..MAX_CANDIDATE_CONNECTIONS)
            .map(|_| big.subscribe_candidate(7).expect("room"))
            .collect();
        assert!(matches!(big.subscribe_candidate(7), Err(Full::User)));
        drop(mine);
        assert!(!big.candidate_is_here(7), "dropped with the last socket");
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
    fn presence_is_the_most_present_page_here_and_on_other_instances() {
        let hub = Hub::new(10);
        let mut changes = hub.watch_presence().expect("the first watcher");
        let laptop = hub.subscribe(1, "laptop").expect("room");
        // A page counts once its hello says whether it is in use.
        assert_eq!(hub.presence(1), Presence::Offline);
        laptop.set_away(false);
        assert_eq!(changes.try_recv().ok(), Some((1, Presence::Online)));
        let phone = hub.subscribe(1, "phone").expect("room");
        phone.set_away(true);
        assert_eq!(hub.presence(1), Presence::Online, "the laptop is in use");
        laptop.set_away(true);
        assert_eq!(changes.try_recv().ok(), Some((1, Presence::Away)));
        drop(laptop);
        assert_eq!(hub.presence(1), Presence::Away);
        drop(phone);
        assert_eq!(changes.try_recv().ok(), Some((1, Presence::Offline)));
        assert!(changes.try_recv().is_err(), "one event per change");

        // Another instance has person 2 online; a page here that is away does not lower it.
        hub.relayed(Relayed::Presence {
            instance: 77,
            users: vec![(2, Presence::Online)],
        });
        assert_eq!(changes.try_recv().ok(), Some((2, Presence::Online)));
        let here = hub.subscribe(2, "s2").expect("room");
        here.set_away(true);
        assert_eq!(hub.presence(2), Presence::Online);
        // The instance falls silent (killed): what it said is forgotten, what is here stays.
        hub.forget_silent(Instant::now() + INSTANCE_SILENT_AFTER / 2);
        assert_eq!(
            hub.presence(2),
            Presence::Online,
            "not silent for long enough"
        );
        hub.forget_silent(Instant::now() + INSTANCE_SILENT_AFTER + Duration::from_secs(1));
        assert_eq!(hub.presence(2), Presence::Away);
        assert_eq!(changes.try_recv().ok(), Some((2, Presence::Away)));
        drop(here);
    }

    #[test]
    fn each_change_forgets_the_rosters_it_touches() {
        let hub = Hub::new(10);
        let keep = |conversation: i64, org_id: i64, application: bool, members: &[i64]| {
            let Err(epoch) = hub.roster(conversation) else {
                panic!("remembered already");
            };
            let roster = Roster {
                org_id,
                application,
                closed: false,
                members: members.iter().map(|id| (*id, String::new())).collect(),
            };
            hub.keep_roster(conversation, Arc::new(roster), epoch);
        };
        let known = |conversation: i64| hub.roster(conversation).is_ok();
        keep(1, 7, false, &[10, 11]);
        keep(2, 7, true, &[10]);
        keep(3, 8, false, &[12]);
        assert!(hub.left(1, 12) && !hub.left(1, 10) && !hub.left(4, 10));
        hub.access_changed(AccessChange::HiringTeam { org_id: 7 });
        assert!(known(1) && !known(2) && known(3));
        hub.access_changed(AccessChange::Renamed { user_id: 12 });
        assert!(known(1) && !known(3));
        keep(2, 7, true, &[10]);
        hub.access_changed(AccessChange::ConversationMembers { conversation: 2 });
        assert!(known(1) && !known(2));
        hub.access_changed(AccessChange::SessionEnded { id: "s".into() });
        assert!(known(1));
        hub.access_changed(AccessChange::Membership {
            user_id: 99,
            org_id: 7,
            role: Some(Role::Admin),
        });
        assert!(!known(1), "a new role in its organisation may see it");
        keep(1, 7, false, &[10]);
        hub.close_all((close::SIGNED_OUT, "relay lost"));
        assert!(!known(1), "what the relay may have missed is read again");
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
