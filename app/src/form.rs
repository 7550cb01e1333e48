//! The one form pattern every form uses.
//!
//! - Every field error is shown at once, next to its field: the browser checks with the same
//!   rules as the server (`shared`) before sending, and the server's answer is the authority.
//! - An invalid field is marked (`aria-invalid`, a red border) and its message is tied to it
//!   (`aria-describedby`); the message goes when the field changes.
//! - An error about nothing on screen (a rate limit, a lock, a field the form does not show) is
//!   a visible message at the end of the form, never bound to a hidden input.
//! - The submit button says it is working while the request runs.
//! - A request that failed because the browser was offline is sent again when it is back.
//! - Before the wasm has loaded the form is a plain HTML form: the server sends the browser back
//!   with the errors and the values typed (never a password) in the address, and the fields show
//!   them (`__err` and `__form`, see `server/src/platform/forms.rs`).

use crate::error::ApiError;
use leptos::{form::FromFormData, prelude::*, server_fn::ServerFn};
use shared::validation::FieldError;
use std::collections::HashMap;

/// The state of one form, provided to its fields through context.
#[derive(Clone, Copy)]
pub struct FormState {
    /// Prefix of the element ids in this form.
    id: &'static str,
    /// The last answer's error (on the server: the one the address carries after a plain post).
    server: Signal<Option<ApiError>>,
    /// The browser's own check of the last submission, when it found problems.
    local: RwSignal<Option<Vec<FieldError>>>,
    /// Fields changed since the last submission: their old errors are gone.
    cleared: RwSignal<Vec<String>>,
    /// The fields this form shows.
    fields: StoredValue<Vec<&'static str>>,
    /// Values typed before a plain (pre-wasm) post that came back with errors.
    prefill: StoredValue<HashMap<String, String>>,
    pending: Signal<bool>,
}

impl FormState {
    fn field_errors(&self) -> Vec<FieldError> {
        match self.local.get() {
            Some(local) => local,
            None => self
                .server
                .get()
                .map(|e| e.field_errors().to_vec())
                .unwrap_or_default(),
        }
    }

    /// The error shown for `field`, if any (reactive).
    pub fn error_for(&self, field: &str) -> Option<String> {
        if self.cleared.with(|c| c.iter().any(|f| f == field)) {
            return None;
        }
        self.field_errors()
            .into_iter()
            .find(|e| e.field == field)
            .map(|e| e.message)
    }

    /// Forgets `field`'s error (it was changed).
    pub fn clear(&self, field: &str) {
        if self.error_for(field).is_some() {
            self.cleared.update(|c| c.push(field.to_owned()));
        }
    }

    /// Errors not about a field this form shows: the whole error when it is not about fields,
    /// else the messages of fields that are not on screen.
    fn general(&self) -> Vec<String> {
        if self.local.with(Option::is_some) {
            return Vec::new();
        }
        match self.server.get() {
            None => Vec::new(),
            Some(ApiError::Invalid(errors)) => {
                let shown = self.fields.get_value();
                errors
                    .into_iter()
                    .filter(|e| !shown.contains(&e.field.as_str()))
                    .map(|e| e.message)
                    .collect()
            }
            Some(other) => vec![other.to_string()],
        }
    }

    /// What was typed into `field` before a plain post that came back with errors.
    pub fn prefill(&self, field: &str) -> Option<String> {
        self.prefill.with_value(|p| p.get(field).cloned())
    }

    /// Whether the form came back from a plain post (its fields then show what was sent).
    pub fn came_back(&self) -> bool {
        self.prefill.with_value(|p| !p.is_empty())
    }

    /// The `id` of `field`'s input.
    pub fn input_id(&self, field: &str) -> String {
        format!("{}-{field}", self.id)
    }

    /// The `id` of `field`'s error message.
    pub fn error_id(&self, field: &str) -> String {
        format!("{}-{field}-error", self.id)
    }

    /// `aria-describedby` for `field`: its hint (when it has one) and its error (when shown).
    pub fn described_by(
        &self,
        field: &'static str,
        has_hint: bool,
    ) -> impl Fn() -> Option<String> + Send + Sync {
        let state = *self;
        let hint_id = format!("{}-{field}-hint", self.id);
        let error_id = self.error_id(field);
        move || {
            let mut ids = Vec::new();
            if has_hint {
                ids.push(hint_id.clone());
            }
            if state.error_for(field).is_some() {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    }

    /// Registers a field this form shows (its errors are shown by it, not at the end).
    pub fn register(&self, field: &'static str) {
        self.fields.update_value(|f| f.push(field));
    }

    /// `aria-invalid` for `field`.
    pub fn invalid(&self, field: &'static str) -> impl Fn() -> Option<&'static str> + Send + Sync {
        let state = *self;
        move || state.error_for(field).map(|_| "true")
    }

    /// Whether the form's request is running.
    pub fn pending(&self) -> Signal<bool> {
        self.pending
    }
}

/// The form around the current field.
pub fn use_form() -> FormState {
    expect_context::<FormState>()
}

/// The values a plain post left in the address (`__form`, base64url JSON), if they were posted
/// to `path`.
fn prefill_for(path: &str) -> HashMap<String, String> {
    use base64::Engine;
    let query = leptos_router::hooks::use_query_map();
    let query = query.read_untracked();
    if query.get("__path").as_deref() != Some(path) {
        return HashMap::new();
    }
    query
        .get("__form")
        .and_then(|encoded| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(encoded.trim_end_matches('='))
                .ok()
        })
        .and_then(|json| serde_json::from_slice(&json).ok())
        .unwrap_or_default()
}

/// A form bound to a server action: checks in the browser with `validate` before sending.
#[component]
pub fn Form<S, O>(
    action: ServerAction<S>,
    /// Prefix of the ids of the form's fields (unique on the page).
    id: &'static str,
    /// The checks the browser makes before sending (the server makes them again).
    #[prop(optional)]
    validate: Option<fn(&S) -> Vec<FieldError>>,
    #[prop(optional, into)] class: Option<String>,
    children: Children,
) -> impl IntoView
where
    S: ServerFn<
            Protocol = leptos::server_fn::Http<leptos::server_fn::codec::PostUrl, O>,
            Error = ApiError,
        > + serde::de::DeserializeOwned
        + Clone
        + Send
        + Sync
        + 'static,
    S::Output: Send + Sync + 'static,
    O: 'static,
{
    let value = action.value();
    let state = FormState {
        id,
        server: Signal::derive(move || {
            value.with(|v| v.as_ref().and_then(|r| r.as_ref().err().cloned()))
        }),
        local: RwSignal::new(None),
        cleared: RwSignal::new(Vec::new()),
        fields: StoredValue::new(Vec::new()),
        prefill: StoredValue::new(prefill_for(S::PATH)),
        pending: action.pending().into(),
    };
    provide_context(state);
    // The last input sent, to send again when the browser is back online.
    let last: StoredValue<Option<S>> = StoredValue::new(None);
    #[cfg(feature = "hydrate")]
    resend_when_online(action, last);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        if ev.default_prevented() {
            return;
        }
        ev.prevent_default();
        state.cleared.set(Vec::new());
        match S::from_event(&ev) {
            Ok(input) => {
                let problems = validate.map(|check| check(&input)).unwrap_or_default();
                if let Some(first) = problems.first() {
                    focus(&state.input_id(&first.field));
                    state.local.set(Some(problems));
                } else {
                    state.local.set(None);
                    last.set_value(Some(input.clone()));
                    action.dispatch(input);
                }
            }
            Err(err) => {
                state.local.set(None);
                value.set(Some(Err(ApiError::Transport(err.to_string()))));
            }
        }
    };
    view! {
        <form id=id method="post" action=S::url() novalidate="" class=class on:submit=on_submit
            aria-busy=move || state.pending.get().then_some("true")>
            {children()}
        </form>
    }
}

/// Moves the keyboard focus to the element `id` (the first invalid field).
fn focus(id: &str) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        if let Some(element) = document()
            .get_element_by_id(id)
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = element.focus();
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = id;
}

/// Sends the last input again when the browser comes back online after it failed offline.
#[cfg(feature = "hydrate")]
fn resend_when_online<S>(action: ServerAction<S>, last: StoredValue<Option<S>>)
where
    S: ServerFn<Error = ApiError> + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
{
    use wasm_bindgen::{closure::Closure, JsCast};
    let value = action.value();
    let on_online = Closure::<dyn FnMut()>::new(move || {
        let offline = value
            .try_with_untracked(|v| matches!(v, Some(Err(e)) if e.is_offline()))
            .unwrap_or(false);
        if offline {
            if let Some(Some(input)) = last.try_get_value() {
                action.dispatch(input);
            }
        }
    });
    let _ = window().add_event_listener_with_callback("online", on_online.as_ref().unchecked_ref());
    // The listener lives as long as the page; a form that is gone finds its action disposed.
    on_online.forget();
}

/// A labelled input with its hint and its error.
#[component]
pub fn Field(
    name: &'static str,
    label: &'static str,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] hint: Option<&'static str>,
    /// The value the page starts with.
    #[prop(optional, into)]
    value: Option<String>,
    /// A signal the field reads and writes (for fields that other parts of the page follow).
    #[prop(optional)]
    bind: Option<RwSignal<String>>,
    #[prop(optional)] required: bool,
    #[prop(optional)] inputmode: Option<&'static str>,
    /// Text shown in front of the input (`/o/` before an address).
    #[prop(optional)]
    prefix: Option<&'static str>,
    /// Called with the new value each time the person types.
    #[prop(optional)]
    on_input: Option<Callback<String>>,
) -> impl IntoView {
    let state = use_form();
    state.register(name);
    // A password is never sent back in an address, so never prefilled.
    let initial = (kind != "password")
        .then(|| state.prefill(name))
        .flatten()
        .or(value)
        .or_else(|| bind.map(|b| b.get_untracked()))
        .unwrap_or_default();
    if let Some(bind) = bind {
        bind.set(initial.clone());
    }
    let hint_id = format!("{}-{name}-hint", state.id);
    let described_by = state.described_by(name, hint.is_some());
    let on_input = move |ev: leptos::ev::Event| {
        state.clear(name);
        let typed = event_target_value(&ev);
        if let Some(callback) = on_input {
            callback.run(typed.clone());
        }
        if let Some(bind) = bind {
            bind.set(typed);
        }
    };
    let input = match bind {
        Some(bind) => view! {
            <input id=state.input_id(name) name=name type=kind autocomplete=autocomplete
                inputmode=inputmode required=required value=initial prop:value=bind
                aria-invalid=state.invalid(name) aria-describedby=described_by on:input=on_input/>
        }
        .into_any(),
        None => view! {
            <input id=state.input_id(name) name=name type=kind autocomplete=autocomplete
                inputmode=inputmode required=required value=initial
                aria-invalid=state.invalid(name) aria-describedby=described_by on:input=on_input/>
        }
        .into_any(),
    };
    view! {
        <div class="field">
            <label for=state.input_id(name)>{label}</label>
            {match prefix {
                Some(prefix) => view! { <div class="input-prefix"><span>{prefix}</span>{input}</div> }.into_any(),
                None => input,
            }}
            {hint.map(|hint| view! { <p id=hint_id class="hint">{hint}</p> })}
            <FieldError name/>
        </div>
    }
}

/// A labelled text area bound to `bind` (which other parts of the page may fill), with its error.
#[component]
pub fn TextArea(
    name: &'static str,
    label: &'static str,
    bind: RwSignal<String>,
    #[prop(default = 8)] rows: u32,
    #[prop(optional)] placeholder: Option<&'static str>,
) -> impl IntoView {
    let state = use_form();
    state.register(name);
    if let Some(typed) = state.prefill(name) {
        bind.set(typed);
    }
    let error_id = state.error_id(name);
    view! {
        <label for=state.input_id(name)>{label}</label>
        <textarea id=state.input_id(name) name=name rows=rows placeholder=placeholder
            aria-invalid=state.invalid(name)
            aria-describedby=move || state.error_for(name).map(|_| error_id.clone())
            prop:value=bind
            on:input=move |ev| {
                state.clear(name);
                bind.set(event_target_value(&ev));
            }>{bind.get_untracked()}</textarea>
        <FieldError name/>
    }
}

/// A labelled choice among `options` (value, label), with its error.
#[component]
pub fn Choice(
    name: &'static str,
    label: &'static str,
    options: Vec<(String, String)>,
    /// The value chosen at first.
    #[prop(into)]
    selected: String,
) -> impl IntoView {
    let state = use_form();
    state.register(name);
    let chosen = state.prefill(name).unwrap_or(selected);
    let error_id = state.error_id(name);
    let options = options
        .into_iter()
        .map(|(value, text)| {
            let selected = value == chosen;
            view! { <option value=value selected=selected>{text}</option> }
        })
        .collect_view();
    view! {
        <div class="field">
            <label for=state.input_id(name)>{label}</label>
            <select id=state.input_id(name) name=name aria-invalid=state.invalid(name)
                aria-describedby=move || state.error_for(name).map(|_| error_id.clone())
                on:change=move |_| state.clear(name)>
                {options}
            </select>
            <FieldError name/>
        </div>
    }
}

/// The error of one field, tied to it by id; empty (and silent) when there is none.
#[component]
pub fn FieldError(name: &'static str) -> impl IntoView {
    let state = use_form();
    let message = move || state.error_for(name);
    view! {
        <p id=state.error_id(name) class="field-error" role="alert" hidden=move || message().is_none()>
            {message}
        </p>
    }
}

/// The errors that are not about a field on screen, at the end of the form.
#[component]
pub fn FormError() -> impl IntoView {
    let state = use_form();
    let messages = move || state.general();
    view! {
        <div class="form-error" role="alert" hidden=move || messages().is_empty()>
            {move || messages().into_iter().map(|m| view! { <p>{m}</p> }).collect_view()}
        </div>
    }
}

/// The submit button: disabled, with `pending` as its text, while the request runs.
#[component]
pub fn Submit(
    label: &'static str,
    #[prop(optional)] pending: Option<&'static str>,
    #[prop(optional, into)] class: Option<String>,
) -> impl IntoView {
    let state = use_form();
    let class = class.unwrap_or_else(|| "button button-primary".to_owned());
    let busy = state.pending;
    view! {
        <button type="submit" class=class disabled=move || busy.get()>
            {move || if busy.get() { pending.unwrap_or(label) } else { label }}
        </button>
    }
}

/// What an [`UploadForm`] holds when it is sent: its text fields and, per file field, the chosen
/// file's name and size (the browser's own checks run on these).
#[derive(Clone, Debug, Default)]
pub struct UploadInput {
    pub fields: Vec<(String, String)>,
    /// (field, file name, size in bytes) of each file chosen.
    pub files: Vec<(String, String, u64)>,
}

impl UploadInput {
    pub fn field(&self, name: &str) -> &str {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map_or("", |(_, v)| v.as_str())
    }
}

/// The error a plain (pre-wasm) post to `path` came back with (`__err`, base64url JSON).
fn error_for_path(path: &str) -> Option<ApiError> {
    use base64::Engine;
    let query = leptos_router::hooks::use_query_map();
    let query = query.read_untracked();
    if query.get("__path").as_deref() != Some(path) {
        return None;
    }
    let encoded = query.get("__err")?;
    let json = base64::engine::general_purpose::URL_SAFE
        .decode(&encoded)
        .or_else(|_| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(encoded.trim_end_matches('='))
        })
        .ok()?;
    serde_json::from_slice(&json).ok()
}

/// A form with files, posted as `multipart/form-data` to a route of the server (not a server
/// function): the same fields, errors and browser checks as [`Form`]. Before the wasm has
/// loaded it is a plain post, and the route sends the browser back with `__err` and `__form`
/// as server functions do. The route answers JSON: `T`, or an `ApiError` with its status.
#[component]
pub fn UploadForm<T>(
    /// Where the form is posted.
    action: String,
    /// Prefix of the ids of the form's fields (unique on the page).
    id: &'static str,
    /// The checks the browser makes before sending (the server makes them again).
    validate: fn(&UploadInput) -> Vec<FieldError>,
    /// Called with the route's answer when it succeeded.
    done: Callback<T>,
    #[prop(optional, into)] class: Option<String>,
    children: Children,
) -> impl IntoView
where
    T: serde::de::DeserializeOwned + Send + Sync + 'static,
{
    let server = RwSignal::new(error_for_path(&action));
    let pending = RwSignal::new(false);
    let state = FormState {
        id,
        server: server.into(),
        local: RwSignal::new(None),
        cleared: RwSignal::new(Vec::new()),
        fields: StoredValue::new(Vec::new()),
        prefill: StoredValue::new(prefill_for(&action)),
        pending: pending.into(),
    };
    provide_context(state);
    let url = action.clone();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        if ev.default_prevented() || pending.get_untracked() {
            ev.prevent_default();
            return;
        }
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let Some(form) = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlFormElement>().ok())
            else {
                return;
            };
            let Ok(data) = web_sys::FormData::new_with_form(&form) else {
                return;
            };
            ev.prevent_default();
            state.cleared.set(Vec::new());
            let mut input = UploadInput::default();
            for name in state.fields.get_value() {
                let value = data.get(name);
                if let Some(file) = value.dyn_ref::<web_sys::File>() {
                    if !file.name().is_empty() {
                        input
                            .files
                            .push((name.to_owned(), file.name(), file.size() as u64));
                    }
                } else if let Some(text) = value.as_string() {
                    input.fields.push((name.to_owned(), text));
                }
            }
            let problems = validate(&input);
            if let Some(first) = problems.first() {
                focus(&state.input_id(&first.field));
                state.local.set(Some(problems));
                return;
            }
            state.local.set(None);
            pending.set(true);
            let url = url.clone();
            leptos::task::spawn_local(async move {
                let answer = post_form::<T>(&url, &data).await;
                pending.set(false);
                match answer {
                    Ok(value) => {
                        server.set(None);
                        done.run(value);
                    }
                    Err(error) => {
                        if let Some(first) = error.field_errors().first() {
                            focus(&state.input_id(&first.field));
                        }
                        server.set(Some(error));
                    }
                }
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (&url, validate, done);
    };
    view! {
        <form id=id method="post" action=action enctype="multipart/form-data" novalidate=""
            class=class on:submit=on_submit aria-busy=move || pending.get().then_some("true")>
            {children()}
        </form>
    }
}

/// Posts `data` to `url` and reads the JSON answer: `T`, or the `ApiError` the route sent.
#[cfg(feature = "hydrate")]
pub(crate) async fn post_form<T: serde::de::DeserializeOwned>(
    url: &str,
    data: &web_sys::FormData,
) -> Result<T, ApiError> {
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;
    let headers = web_sys::Headers::new().map_err(|_| ApiError::Offline)?;
    headers
        .set("accept", "application/json")
        .map_err(|_| ApiError::Offline)?;
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_headers(&headers);
    init.set_body(data);
    init.set_credentials(web_sys::RequestCredentials::SameOrigin);
    let response: web_sys::Response = JsFuture::from(window().fetch_with_str_and_init(url, &init))
        .await
        .map_err(|_| ApiError::Offline)?
        .dyn_into()
        .map_err(|_| ApiError::Offline)?;
    let body = JsFuture::from(response.text().map_err(|_| ApiError::Offline)?)
        .await
        .map_err(|_| ApiError::Offline)?
        .as_string()
        .unwrap_or_default();
    if response.ok() {
        serde_json::from_str(&body).map_err(|e| ApiError::Transport(e.to_string()))
    } else {
        Err(
            serde_json::from_str::<ApiError>(&body).unwrap_or_else(|_| match response.status() {
                413 => ApiError::TooLarge {
                    limit_bytes: shared::applications::MAX_CV_BYTES as u64,
                },
                408 => ApiError::TimedOut,
                status => ApiError::Transport(format!("status {status}: {body}")),
            }),
        )
    }
}

/// A labelled file input with its hint and its error.
#[component]
pub fn FileField(
    name: &'static str,
    label: &'static str,
    /// The file types offered (`accept`).
    accept: &'static str,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional)] required: bool,
) -> impl IntoView {
    let state = use_form();
    state.register(name);
    let hint_id = format!("{}-{name}-hint", state.id);
    let described_by = state.described_by(name, hint.is_some());
    view! {
        <div class="field">
            <label for=state.input_id(name)>{label}</label>
            <input id=state.input_id(name) name=name type="file" accept=accept required=required
                aria-invalid=state.invalid(name) aria-describedby=described_by
                on:change=move |_| state.clear(name)/>
            {hint.map(|hint| view! { <p id=hint_id class="hint">{hint}</p> })}
            <FieldError name/>
        </div>
    }
}

/// A checkbox whose label is a sentence (a consent), with its error.
#[component]
pub fn CheckField(
    name: &'static str,
    label: String,
    #[prop(optional)] required: bool,
    /// Ticked when the page starts (unless the form came back without it).
    #[prop(optional)]
    checked: bool,
) -> impl IntoView {
    let state = use_form();
    state.register(name);
    let checked = state.prefill(name).is_some() || (checked && !state.came_back());
    let error_id = state.error_id(name);
    view! {
        <div class="field check-field">
            <input id=state.input_id(name) name=name type="checkbox" checked=checked required=required
                aria-invalid=state.invalid(name)
                aria-describedby=move || state.error_for(name).map(|_| error_id.clone())
                on:change=move |_| state.clear(name)/>
            <label for=state.input_id(name)>{label}</label>
            <FieldError name/>
        </div>
    }
}
