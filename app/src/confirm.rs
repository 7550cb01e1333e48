//! Asking before a destructive action: a button that opens a modal dialog naming what will
//! happen, with "Cancel" and the action's own submit button.
//!
//! The dialog is the browser's `<dialog>`, opened as a modal: focus moves into it and stays
//! there, Esc closes it, screen readers announce it with its title and text. It opens through
//! the browser's invoker commands (`commandfor`), so it works before the wasm runs too; once
//! the wasm runs, a click opens it in a browser without them as well.

use leptos::prelude::*;

/// The button and its dialog. `children` carries out the action: a form, or a submit button of
/// the form around the dialog (its text says what it does: "Remove Ada"). Pressing it closes
/// the dialog.
#[component]
pub fn ConfirmButton(
    /// The dialog's id, unique on the page.
    id: String,
    /// The button's text ("Remove").
    label: &'static str,
    /// The button's accessible name, when `label` alone would be ambiguous ("Remove Ada").
    #[prop(optional, into)]
    aria_label: Option<String>,
    /// The button's classes.
    #[prop(default = "button button-small button-danger")]
    class: &'static str,
    /// The dialog's title, a question ("Remove Ada Lovelace?").
    title: String,
    /// What will happen, in a sentence or two.
    text: String,
    children: Children,
) -> impl IntoView {
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    let title_id = format!("{id}-title");
    let text_id = format!("{id}-text");
    // A browser with invoker commands opens the dialog itself once the click is handled; a
    // moment later, this opens it in one without them.
    let open = move |_| {
        #[cfg(feature = "hydrate")]
        set_timeout(
            move || {
                if let Some(dialog) = dialog.get_untracked() {
                    if !dialog.open() {
                        let _ = dialog.show_modal();
                    }
                }
            },
            std::time::Duration::ZERO,
        );
    };
    let close = move || {
        #[cfg(feature = "hydrate")]
        if let Some(dialog) = dialog.get() {
            dialog.close();
        }
    };
    // A submit button in the dialog carries out the action: the dialog goes, the page shows
    // the outcome (a toast, or an error next to the form).
    let close_on_submit = move |ev: leptos::ev::MouseEvent| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let submit = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .and_then(|e| e.closest("button[type=submit]").ok().flatten())
                .is_some();
            if submit {
                close();
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    let (opens, closes) = (id.clone(), id.clone());
    let (labelled_by, described_by) = (title_id.clone(), text_id.clone());
    view! {
        <button type="button" class=class aria-label=aria_label aria-haspopup="dialog"
            commandfor=opens command="show-modal" on:click=open>{label}</button>
        <dialog node_ref=dialog id=id class="confirm" aria-labelledby=labelled_by
            aria-describedby=described_by on:click=close_on_submit>
            <h2 id=title_id>{title}</h2>
            <p id=text_id>{text}</p>
            <div class="confirm-actions">
                <button type="button" class="button" commandfor=closes command="close" on:click=move |_| close() autofocus="">
                    "Cancel"
                </button>
                {children()}
            </div>
        </dialog>
    }
}
