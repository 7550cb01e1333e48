//! The browser's end of the realtime socket: connects while someone is signed in, turns
//! notifications into toasts, hands chat events to the page that shows them ([`Live`]), and
//! reconnects with back-off when the connection drops.

use crate::session::Session;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use shared::{
    chat::{Attachment, Presence},
    ws::{ClientEvent, ServerEvent},
};
use std::collections::HashMap;

/// What the open socket gives pages: chat events as they arrive, whether it is open, a way to
/// send, and the outbox of messages written here that the server has not stored yet. Provided
/// by [`connect`].
#[derive(Clone, Copy)]
pub struct Live {
    /// Chat events (messages, acknowledgements, read receipts, refused sends) not yet taken by
    /// a page, oldest first: the page showing chat drains it.
    pub chat: RwSignal<Vec<ServerEvent>>,
    /// Whether the socket is open now.
    pub open: RwSignal<bool>,
    /// Counts the times the socket has opened: pages read again what they show when it opens
    /// again (what happened meanwhile was not sent to them).
    pub opened: RwSignal<u64>,
    /// Messages written in this browser and not yet stored by the server, oldest first. Kept in
    /// the browser's storage per person, so that a reload or a closed tab loses none: they go
    /// out whenever the socket opens (the server stores each `client_id` once).
    pub outbox: RwSignal<Vec<Outgoing>>,
    /// The presence of people, as it changed since the socket last opened (what was read with a
    /// list holds for the others).
    pub presence: RwSignal<HashMap<i64, Presence>>,
    /// How many notifications are unread, once the socket has said (the session's count holds
    /// until then).
    pub notices_unread: RwSignal<Option<i64>>,
    /// Counts the times notifications arrived or were read: the centre reads them again.
    pub notices_changed: RwSignal<u64>,
    /// Counts the messages and read positions that arrived: what counts unread messages reads
    /// again when it changes.
    #[cfg(feature = "hydrate")]
    pub chat_seen: RwSignal<u64>,
    /// Whose outbox it is (the socket's `ready` says).
    #[cfg(feature = "hydrate")]
    user: RwSignal<Option<i64>>,
    #[cfg(feature = "hydrate")]
    socket: StoredValue<Option<web_sys::WebSocket>, LocalStorage>,
    /// Set when the server said not to reconnect (signed out, or this page is out of date).
    #[cfg(feature = "hydrate")]
    ended: StoredValue<bool>,
    /// Set while the outbox waits to be sent again after the server asked to slow down.
    #[cfg(feature = "hydrate")]
    flush_due: StoredValue<bool>,
    /// What this page last told the server: that it is away (hidden or untouched).
    #[cfg(feature = "hydrate")]
    away: StoredValue<bool>,
}

/// A message in the outbox.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outgoing {
    pub conversation: i64,
    pub client_id: String,
    pub body: String,
    /// The files uploaded for it (uploaded already: only their ids go with the message).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Attachment>,
    /// Why the server refused it, if it did (it is then sent again only by "Retry").
    #[serde(default)]
    pub refused: Option<String>,
}

impl Outgoing {
    fn frame(&self) -> ClientEvent {
        ClientEvent::Send {
            conversation: self.conversation,
            client_id: self.client_id.clone(),
            body: self.body.clone(),
            attachments: self.attachments.iter().map(|a| a.id).collect(),
        }
    }
}

impl Live {
    fn provide() -> Self {
        let live = Self {
            chat: RwSignal::new(Vec::new()),
            open: RwSignal::new(false),
            opened: RwSignal::new(0),
            outbox: RwSignal::new(Vec::new()),
            presence: RwSignal::new(HashMap::new()),
            notices_unread: RwSignal::new(None),
            notices_changed: RwSignal::new(0),
            #[cfg(feature = "hydrate")]
            chat_seen: RwSignal::new(0),
            #[cfg(feature = "hydrate")]
            user: RwSignal::new(None),
            #[cfg(feature = "hydrate")]
            socket: StoredValue::new_local(None),
            #[cfg(feature = "hydrate")]
            ended: StoredValue::new(false),
            #[cfg(feature = "hydrate")]
            flush_due: StoredValue::new(false),
            #[cfg(feature = "hydrate")]
            away: StoredValue::new(false),
        };
        provide_context(live);
        live
    }

    pub fn get() -> Self {
        expect_context::<Self>()
    }

    /// Someone's presence now: as it changed live, else as it was read (`read`).
    pub fn presence_of(&self, user_id: i64, read: Presence) -> Presence {
        self.presence
            .with(|p| p.get(&user_id).copied())
            .unwrap_or(read)
    }

    /// Puts a message in the outbox and sends it if the socket is open.
    pub fn post(&self, message: Outgoing) {
        let frame = message.frame();
        self.outbox.update(|o| o.push(message));
        self.save();
        self.send(&frame);
    }

    /// Sends a refused message again.
    pub fn retry(&self, client_id: &str) {
        let mut frame = None;
        self.outbox.update(|o| {
            for m in o.iter_mut().filter(|m| m.client_id == client_id) {
                m.refused = None;
                frame = Some(m.frame());
            }
        });
        self.save();
        if let Some(frame) = frame {
            self.send(&frame);
        }
    }

    /// Drops a refused message from the outbox.
    pub fn discard(&self, client_id: &str) {
        self.outbox
            .update(|o| o.retain(|m| m.client_id != client_id));
        self.save();
    }

    /// The socket is open as `user_id`: their outbox is read from the browser's storage (what
    /// another tab or an earlier page wrote), and what has not been refused goes out.
    #[cfg(feature = "hydrate")]
    fn ready(&self, user_id: i64) {
        self.user.set(Some(user_id));
        // What changed while the socket was closed is read again with the lists.
        self.presence.set(HashMap::new());
        let stored = self.load();
        self.outbox.update(|o| {
            for m in stored {
                if !o.iter().any(|k| k.client_id == m.client_id) {
                    o.push(m);
                }
            }
        });
        self.save();
        self.flush();
    }

    /// Sends again what the outbox holds and the server has not refused.
    #[cfg(feature = "hydrate")]
    fn flush(&self) {
        for m in self.outbox.get_untracked() {
            if m.refused.is_none() {
                self.send(&m.frame());
            }
        }
    }

    /// The server asked to slow down (a frame was not read): the outbox goes out again after
    /// the wait it gave, once however many frames it refused.
    #[cfg(feature = "hydrate")]
    fn slow_down(&self, wait_ms: u64) {
        if self.flush_due.get_value() {
            return;
        }
        self.flush_due.set_value(true);
        let live = *self;
        let wait = u32::try_from(wait_ms.max(50)).unwrap_or(u32::MAX);
        gloo_timers::callback::Timeout::new(wait, move || {
            live.flush_due.set_value(false);
            live.flush();
        })
        .forget();
    }

    /// The server stored this message: out of the outbox.
    #[cfg(feature = "hydrate")]
    fn stored(&self, client_id: &str) {
        self.discard(client_id);
    }

    /// The server refused this message: kept, with why, for "Retry".
    #[cfg(feature = "hydrate")]
    fn refused(&self, client_id: &str, why: &str) {
        self.outbox.update(|o| {
            for m in o.iter_mut().filter(|m| m.client_id == client_id) {
                m.refused = Some(why.to_owned());
            }
        });
        self.save();
    }

    #[cfg(feature = "hydrate")]
    fn storage_key(&self) -> Option<String> {
        self.user
            .get_untracked()
            .map(|user| format!("talentloom-outbox-{user}"))
    }

    #[cfg(feature = "hydrate")]
    fn load(&self) -> Vec<Outgoing> {
        let (Some(key), Some(storage)) = (self.storage_key(), local_storage()) else {
            return Vec::new();
        };
        storage
            .get_item(&key)
            .ok()
            .flatten()
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_default()
    }

    /// Writes the outbox to the browser's storage (what is stored elsewhere meanwhile by
    /// another tab is merged when a socket opens).
    fn save(&self) {
        #[cfg(feature = "hydrate")]
        if let (Some(key), Some(storage)) = (self.storage_key(), local_storage()) {
            let outbox = self.outbox.get_untracked();
            let _ = if outbox.is_empty() {
                storage.remove_item(&key)
            } else {
                storage.set_item(&key, &serde_json::to_string(&outbox).unwrap_or_default())
            };
        }
    }

    /// Sends a frame if the socket is open; `false` when it is not (the caller keeps it).
    pub fn send(&self, event: &ClientEvent) -> bool {
        #[cfg(feature = "hydrate")]
        {
            let Ok(text) = serde_json::to_string(event) else {
                return false;
            };
            self.socket
                .try_with_value(|socket| {
                    socket.as_ref().is_some_and(|s| {
                        s.ready_state() == web_sys::WebSocket::OPEN
                            && s.send_with_str(&text).is_ok()
                    })
                })
                .unwrap_or(false)
        }
        #[cfg(not(feature = "hydrate"))]
        {
            let _ = event;
            false
        }
    }
}

#[cfg(feature = "hydrate")]
fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

#[cfg(not(feature = "hydrate"))]
pub fn connect(_session: Session) {
    Live::provide();
}

#[cfg(feature = "hydrate")]
pub fn connect(session: Session) {
    let live = Live::provide();
    let started = StoredValue::new(false);
    Effect::new(move |_| {
        let signed_in = matches!(session.me.get(), Some(Ok(Some(_))));
        if signed_in && !started.get_value() {
            started.set_value(true);
            browser::open(session, live, 0);
        }
    });
    browser::register_service_worker();
    browser::follow_the_network(session, live);
    browser::follow_activity(live);
}

/// Whether the server answers (its `/healthz`), from the browser.
#[cfg(feature = "hydrate")]
pub async fn server_answers() -> bool {
    use wasm_bindgen::JsCast;
    let Some(window) = web_sys::window() else {
        return false;
    };
    let init = web_sys::RequestInit::new();
    init.set_method("GET");
    let answer =
        wasm_bindgen_futures::JsFuture::from(window.fetch_with_str_and_init("/healthz", &init))
            .await
            .ok()
            .and_then(|r| r.dyn_into::<web_sys::Response>().ok());
    answer.is_some_and(|r| r.ok())
}

#[cfg(feature = "hydrate")]
pub(crate) mod browser {
    use super::Live;
    use crate::{
        session::Session,
        toast::{use_toasts, ToastKind, Toasts},
    };
    use leptos::prelude::*;
    use shared::{
        chat::AWAY_AFTER_MS,
        ws::{close, ClientEvent, ErrorCode, ServerEvent, PROTOCOL_VERSION, WS_PATH},
    };
    use wasm_bindgen::{closure::Closure, JsCast};
    use web_sys::{CloseEvent, Event, MessageEvent, WebSocket};

    /// Opens the socket unless one is open or opening; `attempt` counts reconnections for the
    /// back-off.
    pub fn open(session: Session, live: Live, attempt: u32) {
        if live.ended.get_value() || live.socket.with_value(Option::is_some) {
            return;
        }
        let toasts = use_toasts();
        let Some(url) = socket_url() else { return };
        let Ok(socket) = WebSocket::new(&url) else {
            return;
        };
        live.socket.set_value(Some(socket.clone()));
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            if let Some(text) = event.data().as_string() {
                handle(&text, session, live, toasts);
            }
        });
        socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        let opened = socket.clone();
        let on_open = Closure::<dyn FnMut(Event)>::new(move |_: Event| {
            let away = away_now();
            live.away.set_value(away);
            let hello = serde_json::to_string(&ClientEvent::Hello {
                version: PROTOCOL_VERSION,
                since: Vec::new(),
                away,
            })
            .unwrap_or_default();
            let _ = opened.send_with_str(&hello);
            live.open.set(true);
            live.opened.update(|n| *n += 1);
        });
        socket.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        let owner = Owner::current();
        let on_close = Closure::<dyn FnMut(CloseEvent)>::new(move |event: CloseEvent| {
            live.socket.set_value(None);
            live.open.set(false);
            // The session ended, or this page is older than the server: knocking again would
            // get the same answer (the page says what to do).
            if matches!(event.code(), close::SIGNED_OUT | close::UNSUPPORTED_VERSION) {
                live.ended.set_value(true);
                return;
            }
            let delay = 1_000 * 2u32.pow(attempt.min(5));
            let owner = owner.clone();
            gloo_timers::callback::Timeout::new(delay, move || {
                if let Some(owner) = owner {
                    owner.with(|| open(session, live, attempt + 1));
                }
            })
            .forget();
        });
        socket.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        // The socket calls these for as long as it lives; they are dropped with the page.
        on_open.forget();
        on_message.forget();
        on_close.forget();
    }

    fn handle(text: &str, session: Session, live: Live, toasts: Toasts) {
        let Ok(event) = serde_json::from_str::<ServerEvent>(text) else {
            return;
        };
        match event {
            ServerEvent::Notification(n) => {
                toasts.push(ToastKind::Info, n.text);
                session.live.update(|v| *v += 1);
            }
            // What is on screen is read again: an open board shows the move without a reload.
            ServerEvent::BoardChanged { .. } => session.live.update(|v| *v += 1),
            ServerEvent::Error(error) if error.code == ErrorCode::UnsupportedVersion => toasts
                .push(
                    ToastKind::Error,
                    "Talentloom was updated: reload this page to see changes live again.",
                ),
            // A message that was not stored: kept in the outbox with why, for "Retry". One the
            // server could not store just now goes out again when the socket next opens.
            ServerEvent::Error(error) if error.reply_to.is_some() => {
                if let Some(client_id) = &error.reply_to {
                    if error.code != ErrorCode::Unavailable {
                        live.refused(client_id, &error.message);
                    }
                }
            }
            // A frame was dropped for the rate: what may have been a message goes out again.
            ServerEvent::Error(error) if error.code == ErrorCode::RateLimited => {
                live.slow_down(error.retry_after_ms.unwrap_or(1_000))
            }
            // An edit, a deletion or a read that was not taken: said, with what to do.
            ServerEvent::Error(error)
                if matches!(
                    error.code,
                    ErrorCode::Invalid | ErrorCode::NotFound | ErrorCode::Unavailable
                ) =>
            {
                toasts.push(ToastKind::Error, error.message)
            }
            // What this page sends is small and slow; an error is a bug to read in the console.
            ServerEvent::Error(error) => {
                leptos::logging::warn!("realtime: {}", error.message)
            }
            ServerEvent::Ack { client_id, message } => {
                live.stored(&client_id);
                let event = ServerEvent::Ack { client_id, message };
                live.chat.update(|queue| queue.push(event));
            }
            // For the chat page, which takes them in order.
            event @ (ServerEvent::Message(_) | ServerEvent::Read { .. }) => {
                live.chat.update(|queue| queue.push(event));
                live.chat_seen.update(|n| *n += 1);
            }
            event @ ServerEvent::Typing { .. } => live.chat.update(|queue| queue.push(event)),
            ServerEvent::Presence { user_id, presence } => live.presence.update(|p| {
                p.insert(user_id, presence);
            }),
            ServerEvent::Notice { notice, unread } => {
                toasts.push(ToastKind::Info, notice.text);
                live.notices_unread.set(Some(unread));
                live.notices_changed.update(|n| *n += 1);
            }
            ServerEvent::NoticesRead { unread } => {
                live.notices_unread.set(Some(unread));
                live.notices_changed.update(|n| *n += 1);
            }
            ServerEvent::Ready { user_id, .. } => live.ready(user_id),
            // The candidate's socket's (`crate::chat::candidate`).
            ServerEvent::Pong { .. } | ServerEvent::Joined { .. } => {}
        }
    }

    fn socket_url() -> Option<String> {
        socket_url_of(WS_PATH)
    }

    /// The address of the socket at `path` of this site.
    pub fn socket_url_of(path: &str) -> Option<String> {
        let location = web_sys::window()?.location();
        let scheme = if location.protocol().ok()? == "https:" {
            "wss"
        } else {
            "ws"
        };
        Some(format!("{scheme}://{}{path}", location.host().ok()?))
    }

    /// When the browser says it is offline, the socket is closed at once (a dead connection
    /// could otherwise look open for minutes), so pages say so and keep what is written in the
    /// outbox; when it is back online, the socket opens again without waiting for the back-off,
    /// and everything that reads from the server reads again.
    pub fn follow_the_network(session: Session, live: Live) {
        let on_offline = Closure::<dyn FnMut()>::new(move || {
            if let Some(socket) = live.socket.get_value() {
                let _ = socket.close();
            }
        });
        let owner = Owner::current();
        let on_online = Closure::<dyn FnMut()>::new(move || {
            session.live.update(|v| *v += 1);
            if let Some(owner) = &owner {
                owner.with(|| open(session, live, 0));
            }
        });
        if let Some(window) = web_sys::window() {
            let _ = window
                .add_event_listener_with_callback("offline", on_offline.as_ref().unchecked_ref());
            let _ = window
                .add_event_listener_with_callback("online", on_online.as_ref().unchecked_ref());
        }
        on_offline.forget();
        on_online.forget();
    }

    /// When this page was last used (browser milliseconds).
    static LAST_USED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

    fn now_ms() -> u64 {
        js_sys::Date::now() as u64
    }

    /// Whether the page is away now: hidden, or untouched for [`AWAY_AFTER_MS`].
    fn away_now() -> bool {
        let hidden = web_sys::window()
            .and_then(|w| w.document())
            .is_some_and(|d| d.hidden());
        let last = LAST_USED.load(std::sync::atomic::Ordering::Relaxed);
        hidden || (last > 0 && now_ms().saturating_sub(last) >= u64::from(AWAY_AFTER_MS))
    }

    /// Tells the server when this page becomes away (hidden, or untouched for
    /// [`AWAY_AFTER_MS`]) and when it is in use again, so that the people who share a
    /// conversation with its person see whether they are here.
    pub fn follow_activity(live: Live) {
        LAST_USED.store(now_ms(), std::sync::atomic::Ordering::Relaxed);
        let say = move || {
            let away = away_now();
            if live.away.try_get_value() != Some(away) && live.send(&ClientEvent::Presence { away })
            {
                live.away.set_value(away);
            }
        };
        let used = Closure::<dyn FnMut()>::new(move || {
            LAST_USED.store(now_ms(), std::sync::atomic::Ordering::Relaxed);
            // Back from away at once; becoming away waits for the check below.
            if live.away.try_get_value() == Some(true) {
                say();
            }
        });
        let visibility = Closure::<dyn FnMut()>::new(say);
        if let Some(window) = web_sys::window() {
            for event in [
                "keydown",
                "pointerdown",
                "pointermove",
                "touchstart",
                "wheel",
            ] {
                let _ =
                    window.add_event_listener_with_callback(event, used.as_ref().unchecked_ref());
            }
            if let Some(document) = window.document() {
                let _ = document.add_event_listener_with_callback(
                    "visibilitychange",
                    visibility.as_ref().unchecked_ref(),
                );
            }
        }
        used.forget();
        visibility.forget();
        // Untouched for long enough is noticed within a minute.
        gloo_timers::callback::Interval::new(60_000, say).forget();
    }

    /// Installs the service worker that makes the app installable and gives it an offline page.
    pub fn register_service_worker() {
        if let Some(window) = web_sys::window() {
            let _ = window.navigator().service_worker().register("/sw.js");
        }
    }
}
