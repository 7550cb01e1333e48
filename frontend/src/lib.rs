//! The wasm entry point: hydrates the HTML the server rendered.
#![forbid(unsafe_code)]

use leptos::prelude::{document, window};

/// Set in `sessionStorage` to the address reloaded after a page's code could not be fetched, so
/// that a chunk that is missing for good costs one reload, not a loop.
const RELOADED_FOR: &str = "talentloom-reloaded-for";

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        // A page's wasm chunk could not be fetched (offline before it was ever loaded, or a newer
        // build replaced it): the module cannot go on after a panic, so load the page afresh,
        // which works online and shows the offline page (that returns by itself) otherwise.
        // Found by the error's type name (`wasm_split_helpers::SplitLoaderError`, printed with
        // `{:?}` by the loader's `expect`).
        if info.to_string().contains("SplitLoaderError") {
            reload_once();
        }
    }));
    let _ = any_spawner::Executor::init_wasm_bindgen();
    leptos::task::spawn_local(async {
        // Waits for the code of the page being shown (a lazy route) before hydrating it.
        let app = leptos::mount::hydrate_from_async(document().body().expect("a body"), app::App);
        app.await.forget();
        if let Ok(Some(storage)) = window().session_storage() {
            let _ = storage.remove_item(RELOADED_FOR);
        }
        // Tells tests (and anyone curious) that the page is interactive now.
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
}

fn reload_once() {
    let location = window().location();
    let Ok(here) = location.href() else { return };
    let Ok(Some(storage)) = window().session_storage() else {
        return;
    };
    if storage.get_item(RELOADED_FOR).ok().flatten().as_deref() == Some(here.as_str()) {
        return;
    }
    let _ = storage.set_item(RELOADED_FOR, &here);
    let _ = location.reload();
}
