//! Pages sent without the hints that fetch their code ahead of the page. A page that works
//! whole without its code (`app::hydrates_when_idle`: the careers pages and a job's board) runs
//! it once the browser is idle; its script fetches the code then. With the hints (the wasm,
//! its chunks and their loader, which Leptos adds to every page), a phone on a slow link
//! fetched 450 KB of wasm beside the page, and Lighthouse's largest paint waited behind it
//! (docs/BENCHMARKS.md, "Lighthouse").

use super::headers::is_html;
use axum::{
    body::{to_bytes, Body},
    extract::Request,
    http::{header, Method, StatusCode},
    middleware::Next,
    response::Response,
};
use lol_html::{element, RewriteStrSettings};

/// The page without its code hints. A page the rewriter cannot read is sent as it is.
fn without_code_hints(page: String) -> String {
    let settings = RewriteStrSettings::new().append_element_content_handler(element!(
        r#"link[rel="preload"][as="fetch"], link[rel="modulepreload"]"#,
        |link| {
            link.remove();
            Ok(())
        }
    ));
    lol_html::rewrite_str(&page, settings).unwrap_or(page)
}

/// The middleware: removes the hints from the pages that hydrate when idle. Careers pages are
/// rendered whole before they are sent (`SsrMode::Async`); a board is streamed and read whole
/// here (its data are one query), so its "Loading…" and the columns that replace it arrive
/// together (a phone can still paint the first: docs/BENCHMARKS.md, "Lighthouse").
pub async fn idle_pages(request: Request, next: Next) -> Response {
    let wanted = request.method() == Method::GET && app::hydrates_when_idle(request.uri().path());
    let response = next.run(request).await;
    if !wanted || !is_html(response.headers()) || response.status() != StatusCode::OK {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let bytes = match to_bytes(body, usize::MAX).await {
        Ok(bytes) => bytes,
        Err(err) => {
            tracing::warn!(error = %err, "a page could not be read to remove its code hints");
            return Response::from_parts(parts, Body::empty());
        }
    };
    let page = match String::from_utf8(bytes.to_vec()) {
        Ok(page) => without_code_hints(page),
        Err(_) => return Response::from_parts(parts, Body::from(bytes)),
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(page))
}

#[cfg(test)]
mod tests {
    use super::without_code_hints;

    #[test]
    fn a_page_fetches_its_code_only_when_its_script_runs() {
        let page = r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<link id="leptos" rel="stylesheet" href="/pkg/site.css">
<link rel="modulepreload" href="/pkg/site.js" crossorigin="n0nce" fetchpriority="low">
<link rel="preload" href="/pkg/site.wasm" as="fetch" type="application/wasm" crossorigin="n0nce">
<script type="module" nonce="n0nce">hydrate("/pkg/site.js")</script>
<link as="fetch" href="/pkg/chunk_5.wasm" rel="preload" type="application/wasm">
<link href="/pkg/__wasm_split.js" rel="modulepreload">
<link href="/manifest.webmanifest" rel="manifest"><link href="/icons/icon.svg" rel="icon">
<title>Jobs at Acme</title></head><body><main><h1>Jobs at Acme</h1></main></body></html>"#;
        let sent = without_code_hints(page.to_owned());
        assert!(!sent.contains("preload"), "{sent}");
        for stays in [
            r#"<link id="leptos" rel="stylesheet" href="/pkg/site.css">"#,
            r#"<script type="module" nonce="n0nce">hydrate("/pkg/site.js")</script>"#,
            r#"<link href="/manifest.webmanifest" rel="manifest">"#,
            r#"<link href="/icons/icon.svg" rel="icon">"#,
            "<title>Jobs at Acme</title>",
            "<main><h1>Jobs at Acme</h1></main>",
        ] {
            assert!(sent.contains(stays), "{stays} is gone: {sent}");
        }
    }
}
