//! Which pages a visitor may open, decided before anything is rendered: organisation pages and
//! the account settings send a signed-out visitor to sign in (and back afterwards), and the
//! sign-in and sign-up pages send a signed-in person to where they were going or to the
//! organisation they last used.
//! Pages opened inside the running app are guarded by the app itself (`ErrorPanel`).

use super::Accounts;
use axum::{
    extract::{Request, State},
    middleware::Next,
    response::{IntoResponse, Redirect, Response},
};
use http::Method;
use shared::validation::sign_in_path;

/// The page a request asks for, when it is one this gate decides.
enum Page {
    /// `/o/…` (an organisation's pages) and `/account`.
    SignedInOnly,
    /// `/signin` or `/signup`.
    SignedOutOnly,
}

fn page(method: &Method, path: &str) -> Option<Page> {
    if method != Method::GET && method != Method::HEAD {
        return None;
    }
    if path.starts_with("/o/") || path == "/account" {
        Some(Page::SignedInOnly)
    } else if path == "/signin" || path == "/signup" {
        Some(Page::SignedOutOnly)
    } else {
        None
    }
}

/// The `next` of a query string, if it is a path on this site.
fn next_of(query: Option<&str>) -> Option<String> {
    url::form_urlencoded::parse(query?.as_bytes())
        .find(|(key, _)| key == "next")
        .and_then(|(_, value)| shared::validation::return_path(&value).map(str::to_owned))
}

/// The middleware (inside the session layer).
pub async fn pages(State(accounts): State<Accounts>, request: Request, next: Next) -> Response {
    let Some(page) = page(request.method(), request.uri().path()) else {
        return next.run(request).await;
    };
    let (parts, body) = request.into_parts();
    // An error reading the session is the page's to show.
    let user = accounts.user_of(&parts).await.ok().flatten();
    match (page, user) {
        (Page::SignedInOnly, None) => {
            let asked = parts
                .uri
                .path_and_query()
                .map_or("/", |p| p.as_str())
                .to_owned();
            Redirect::to(&sign_in_path(&asked)).into_response()
        }
        (Page::SignedOutOnly, Some(user_id)) => {
            let to = match next_of(parts.uri.query()) {
                Some(next) => next,
                None => match accounts.load_me(user_id).await {
                    Ok(Some(me)) => me.home_path(),
                    _ => "/".to_owned(),
                },
            };
            Redirect::to(&to).into_response()
        }
        _ => next.run(Request::from_parts(parts, body)).await,
    }
}

/// Reads who is signed in before a page is rendered and hands it to the render
/// (`app::session::KnownUser`), so the page's header, banner and body find it loaded. Layered
/// on the application's own routes only; server functions and the socket read it themselves.
pub async fn known_user(
    State(accounts): State<Accounts>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    let page = matches!(*request.method(), Method::GET | Method::HEAD)
        && !path.starts_with("/api/")
        && !matches!(path, shared::ws::WS_PATH | "/healthz" | "/readyz");
    if !page {
        return next.run(request).await;
    }
    let (mut parts, body) = request.into_parts();
    let me = accounts.me_of(&parts).await;
    parts.extensions.insert(app::KnownUser(me));
    next.run(Request::from_parts(parts, body)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_page_reads_are_gated() {
        assert!(matches!(
            page(&Method::GET, "/o/acme/team"),
            Some(Page::SignedInOnly)
        ));
        assert!(matches!(
            page(&Method::GET, "/account"),
            Some(Page::SignedInOnly)
        ));
        assert!(page(&Method::GET, "/account/reset/abc").is_none());
        assert!(matches!(
            page(&Method::GET, "/signin"),
            Some(Page::SignedOutOnly)
        ));
        assert!(page(&Method::POST, "/o/acme/documents/text").is_none());
        assert!(page(&Method::GET, "/orgs/new").is_none());
        assert!(page(&Method::GET, "/offline").is_none());
    }

    #[test]
    fn the_return_path_survives_the_round_trip() {
        let path = sign_in_path("/o/acme/match?tab=a&b=c");
        assert_eq!(path, "/signin?next=%2Fo%2Facme%2Fmatch%3Ftab%3Da%26b%3Dc");
        assert_eq!(
            next_of(path.split_once('?').map(|(_, q)| q)).as_deref(),
            Some("/o/acme/match?tab=a&b=c")
        );
        assert_eq!(next_of(Some("next=%2F%2Fevil.example")), None);
        assert_eq!(next_of(Some("next=https://evil.example")), None);
    }
}
