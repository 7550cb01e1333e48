//! The browser's end of the realtime socket: connects while someone is signed in, turns
//! notifications into toasts, hands chat events to the page that shows them ([`Live`]), and
//! reconnects with back-off when the connection drops.

use crate::session::Session;
use leptos::prelude::*;
use shared::ws::{ClientEvent, ServerEvent};

/// What the open socket gives pages: chat events as they arrive, whether it is open, and a way
/// to send. Provided by [`connect`].
#[derive(Clone, Copy)]
pub struct Live {
    /// Chat events (messages, acknowledgements, read receipts, refused sends) not yet taken by
    /// a page, oldest first: the page showing chat drains it.
    pub chat: RwSignal<Vec<ServerEvent>>,
    /// Whether the socket is open now; pages read again what they show when it opens again.
    pub open: RwSignal<bool>,
    #[cfg(feature = "hydrate")]
    socket: StoredValue<Option<web_sys::WebSocket>, LocalStorage>,
}

impl Live {
    fn provide() -> Self {
        let live = Self {
            chat: RwSignal::new(Vec::new()),
            open: RwSignal::new(false),
            #[cfg(feature = "hydrate")]
            socket: StoredValue::new_local(None),
        };
        provide_context(live);
        live
    }

    pub fn get() -> Self {
        expect_context::<Self>()
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
    browser::refresh_when_online(session);
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
mod browser {
    use super::Live;
    use crate::{
        session::Session,
        toast::{use_toasts, ToastKind, Toasts},
    };
    use leptos::prelude::*;
    use shared::ws::{close, ClientEvent, ErrorCode, ServerEvent, PROTOCOL_VERSION, WS_PATH};
    use wasm_bindgen::{closure::Closure, JsCast};
    use web_sys::{CloseEvent, Event, MessageEvent, WebSocket};

    /// Opens the socket; `attempt` counts reconnections for the back-off.
    pub fn open(session: Session, live: Live, attempt: u32) {
        let toasts = use_toasts();
        let Some(url) = socket_url() else { return };
        let Ok(socket) = WebSocket::new(&url) else {
            return;
        };
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            if let Some(text) = event.data().as_string() {
                handle(&text, session, live, toasts);
            }
        });
        socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        let hello = serde_json::to_string(&ClientEvent::Hello {
            version: PROTOCOL_VERSION,
            since: Vec::new(),
        })
        .unwrap_or_default();
        let opened = socket.clone();
        let on_open = Closure::<dyn FnMut(Event)>::new(move |_: Event| {
            let _ = opened.send_with_str(&hello);
            live.socket.set_value(Some(opened.clone()));
            live.open.set(true);
        });
        socket.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        let owner = Owner::current();
        let on_close = Closure::<dyn FnMut(CloseEvent)>::new(move |event: CloseEvent| {
            live.socket.set_value(None);
            live.open.set(false);
            // The session ended, or this page is older than the server: knocking again would
            // get the same answer (the page says what to do).
            if matches!(event.code(), close::SIGNED_OUT | close::UNSUPPORTED_VERSION) {
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
            // A message that was not sent: the chat page shows why, next to it.
            ServerEvent::Error(error) if error.reply_to.is_some() => live
                .chat
                .update(|queue| queue.push(ServerEvent::Error(error))),
            // What this page sends is small and slow; an error is a bug to read in the console.
            ServerEvent::Error(error) => {
                leptos::logging::warn!("realtime: {}", error.message)
            }
            // For the chat page, which takes them in order.
            event @ (ServerEvent::Ack { .. }
            | ServerEvent::Message(_)
            | ServerEvent::Read { .. }) => live.chat.update(|queue| queue.push(event)),
            ServerEvent::Ready { .. } | ServerEvent::Pong { .. } => {}
        }
    }

    fn socket_url() -> Option<String> {
        let location = web_sys::window()?.location();
        let scheme = if location.protocol().ok()? == "https:" {
            "wss"
        } else {
            "ws"
        };
        Some(format!("{scheme}://{}{WS_PATH}", location.host().ok()?))
    }

    /// When the browser is back online, everything that reads from the server reads again.
    pub fn refresh_when_online(session: Session) {
        let on_online = Closure::<dyn FnMut()>::new(move || {
            session.live.update(|v| *v += 1);
        });
        if let Some(window) = web_sys::window() {
            let _ = window
                .add_event_listener_with_callback("online", on_online.as_ref().unchecked_ref());
        }
        on_online.forget();
    }

    /// Installs the service worker that makes the app installable and gives it an offline page.
    pub fn register_service_worker() {
        if let Some(window) = web_sys::window() {
            let _ = window.navigator().service_worker().register("/sw.js");
        }
    }
}
