//! Files in messages: the list under a message (a picture's preview, a document's name, type
//! and size, each a download), and the "Attach files" control of a composer, which uploads
//! each chosen file at once (`POST …/files`) and shows it as uploading, ready or refused with
//! the server's reason, so that the message names only files already stored.

use leptos::prelude::*;
use shared::chat::{size_label, Attachment, ATTACHMENT_ACCEPT};

/// The files of a message; each links to `{base}/{id}` as a download (which the router leaves
/// to the browser).
#[component]
pub fn AttachmentList(files: Vec<Attachment>, base: String) -> impl IntoView {
    (!files.is_empty()).then(|| {
        view! {
            <ul class="attachments">
                {files.into_iter().map(|file| {
                    let href = format!("{base}/{}", file.id);
                    let size = size_label(file.size);
                    if file.kind.is_image() {
                        let src = href.clone();
                        view! {
                            <li class="attachment attachment-image">
                                <a href=href download=file.name.clone() title=format!("Download {} ({size})", file.name)>
                                    <img src=src alt=file.name.clone() loading="lazy"
                                        width=file.width height=file.height/>
                                </a>
                            </li>
                        }.into_any()
                    } else {
                        view! {
                            <li class="attachment">
                                <a href=href download=file.name.clone() class="attachment-file">
                                    <span class="file-kind" aria-hidden="true">{file.kind.as_str().to_uppercase()}</span>
                                    <span class="file-name">{file.name.clone()}</span>
                                </a>
                                " "<span class="hint">{size}</span>
                            </li>
                        }.into_any()
                    }
                }).collect_view()}
            </ul>
        }
    })
}

/// A file chosen for the message being written.
#[derive(Clone, Debug, PartialEq)]
pub struct Chosen {
    /// This page's own number for it.
    key: u64,
    name: String,
    state: ChosenState,
}

#[derive(Clone, Debug, PartialEq)]
// Made only where files are chosen: in the browser.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
enum ChosenState {
    Uploading,
    Ready(Attachment),
    Refused(String),
}

/// The files ready to go with the message, or what to do first.
pub fn ready(chosen: &[Chosen]) -> Result<Vec<Attachment>, String> {
    let mut files = Vec::with_capacity(chosen.len());
    for file in chosen {
        match &file.state {
            ChosenState::Ready(attachment) => files.push(attachment.clone()),
            ChosenState::Uploading => {
                return Err("Wait until the files have finished uploading.".to_owned())
            }
            ChosenState::Refused(_) => {
                return Err(format!(
                    "“{}” could not be attached: remove it (×) before sending.",
                    file.name
                ))
            }
        }
    }
    Ok(files)
}

/// "Attach files" and the files chosen, uploaded to `upload` as they are chosen. Drawn once
/// the page's code runs (uploading needs it); `id` names the file input.
#[component]
pub fn AttachFiles(
    upload: Signal<String>,
    chosen: RwSignal<Vec<Chosen>>,
    #[prop(into)] id: String,
) -> impl IntoView {
    let mounted = RwSignal::new(false);
    Effect::new(move |_| mounted.set(true));
    let next_key = StoredValue::new(0u64);
    let choose = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let Some(input) = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            else {
                return;
            };
            let Some(list) = input.files() else {
                return;
            };
            for i in 0..list.length() {
                let Some(file) = list.item(i) else {
                    continue;
                };
                let key = next_key.get_value();
                next_key.set_value(key + 1);
                let too_many = chosen.with_untracked(Vec::len) >= shared::chat::MAX_ATTACHMENTS;
                let state = if too_many {
                    ChosenState::Refused(format!(
                        "A message may carry at most {} files.",
                        shared::chat::MAX_ATTACHMENTS
                    ))
                } else {
                    ChosenState::Uploading
                };
                chosen.update(|c| {
                    c.push(Chosen {
                        key,
                        name: file.name(),
                        state: state.clone(),
                    })
                });
                if too_many {
                    continue;
                }
                let url = upload.get_untracked();
                leptos::task::spawn_local(async move {
                    let state = match send(&url, &file).await {
                        Ok(attachment) => ChosenState::Ready(attachment),
                        Err(error) => ChosenState::Refused(
                            error
                                .field_errors()
                                .first()
                                .map(|e| e.message.clone())
                                .unwrap_or_else(|| error.to_string()),
                        ),
                    };
                    let _ = chosen.try_update(|c| {
                        if let Some(file) = c.iter_mut().find(|f| f.key == key) {
                            file.state = state;
                        }
                    });
                });
            }
            // The same file may be chosen again.
            input.set_value("");
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (ev, next_key, upload);
    };
    let remove = move |key: u64| chosen.update(|c| c.retain(|f| f.key != key));
    view! {
        {move || mounted.get().then(|| {
            let id = id.clone();
            view! {
                <div class="attach">
                    <label for=id.clone() class="button button-small attach-button">"Attach files"</label>
                    <input id=id type="file" multiple="" accept=ATTACHMENT_ACCEPT class="sr-only"
                        on:change=choose/>
                </div>
            }
        })}
        {move || {
            let files = chosen.get();
            (!files.is_empty()).then(|| view! {
                <ul class="chosen-files" aria-label="Files to send">
                    {files.into_iter().map(|file| {
                        let key = file.key;
                        let (class, note) = match &file.state {
                            ChosenState::Uploading => ("chosen", "Uploading…".to_owned()),
                            ChosenState::Ready(a) => ("chosen ready", size_label(a.size)),
                            ChosenState::Refused(why) => ("chosen refused", why.clone()),
                        };
                        let refused = matches!(file.state, ChosenState::Refused(_));
                        view! {
                            <li class=class>
                                <span class="file-name">{file.name.clone()}</span>" "
                                <span class:hint=!refused class:field-error=refused role=refused.then_some("alert")>{note}</span>
                                <button type="button" class="link remove-file" aria-label=format!("Remove {}", file.name)
                                    on:click=move |_| remove(key)>"×"</button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            })
        }}
    }
}

/// Uploads one file; the stored file, or why it was refused.
#[cfg(feature = "hydrate")]
async fn send(url: &str, file: &web_sys::File) -> Result<Attachment, crate::error::ApiError> {
    use crate::error::ApiError;
    let data = web_sys::FormData::new().map_err(|_| ApiError::Offline)?;
    data.append_with_blob_and_filename("file", file, &file.name())
        .map_err(|_| ApiError::Offline)?;
    crate::form::post_form(url, &data).await
}
