//! Short messages in a corner of the screen, announced to screen readers.

use leptos::prelude::*;

#[derive(Clone)]
pub struct Toast {
    pub id: u64,
    pub text: String,
    pub kind: ToastKind,
    /// A button in the toast ("Undo") and what it does; the toast goes when it is pressed.
    pub action: Option<(&'static str, Callback<()>)>,
}

/// How long a toast stays: long enough to read; one with a button stays while it can be used.
const SHOWN_MS: u32 = 8_000;
const SHOWN_WITH_ACTION_MS: u32 = 30_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
pub enum ToastKind {
    Info,
    Success,
    Error,
}

#[derive(Clone, Copy)]
pub struct Toasts {
    list: RwSignal<Vec<Toast>>,
    next: StoredValue<u64>,
}

impl Toasts {
    pub fn push(&self, kind: ToastKind, text: impl Into<String>) {
        self.push_with(kind, text, None);
    }

    /// A toast with a button (`label`, what it does).
    pub fn push_with(
        &self,
        kind: ToastKind,
        text: impl Into<String>,
        action: Option<(&'static str, Callback<()>)>,
    ) {
        let id = self.next.get_value();
        let shown = if action.is_some() {
            SHOWN_WITH_ACTION_MS
        } else {
            SHOWN_MS
        };
        #[cfg(not(feature = "hydrate"))]
        let _ = shown;
        self.next.set_value(id + 1);
        self.list.update(|l| {
            l.push(Toast {
                id,
                text: text.into(),
                kind,
                action,
            })
        });
        #[cfg(feature = "hydrate")]
        {
            let list = self.list;
            gloo_timers::callback::Timeout::new(shown, move || {
                list.try_update(|l| l.retain(|t| t.id != id));
            })
            .forget();
        }
    }

    fn dismiss(&self, id: u64) {
        self.list.update(|l| l.retain(|t| t.id != id));
    }
}

pub fn provide_toasts() {
    provide_context(Toasts {
        list: RwSignal::new(Vec::new()),
        next: StoredValue::new(0),
    });
}

pub fn use_toasts() -> Toasts {
    expect_context::<Toasts>()
}

#[component]
pub fn ToastHost() -> impl IntoView {
    let toasts = use_toasts();
    view! {
        <div class="toasts" role="status" aria-live="polite">
            <For each=move || toasts.list.get() key=|t| t.id let:toast>
                <div class=move || match toast.kind {
                    ToastKind::Info => "toast",
                    ToastKind::Success => "toast toast-success",
                    ToastKind::Error => "toast toast-error",
                }>
                    <span>{toast.text.clone()}</span>
                    {toast.action.map(|(label, run)| view! {
                        <button type="button" class="button button-small" on:click=move |_| {
                            toasts.dismiss(toast.id);
                            run.run(());
                        }>{label}</button>
                    })}
                    <button type="button" class="toast-close" aria-label="Dismiss" on:click=move |_| toasts.dismiss(toast.id)>"×"</button>
                </div>
            </For>
        </div>
    }
}
