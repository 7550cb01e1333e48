//! Dates as the viewer reads them: in their own time zone, relative when recent ("2 hours
//! ago", "in 6 days"), the exact local time on hover and for screen readers.
//!
//! The server does not know the viewer's time zone, so a page is rendered with the relative
//! time ("2 hours ago") or the day in UTC, about as long as what replaces it (a text of another
//! length would move the page when the wasm runs), and the exact UTC time on hover; once the
//! wasm runs, the text is the viewer's own.
//!
//! The browser's formats are made and used after the page has come to life, in tasks of their
//! own, a few dates at a time: making the first `Intl.DateTimeFormat` loads the browser's
//! locale data, which on a phone took longer than the rest of a board's cards together
//! (docs/BENCHMARKS.md, "Lighthouse").

use leptos::prelude::*;
use shared::time::format_utc;

/// A point in time (unix seconds), shown for the viewer.
#[component]
pub fn LocalTime(at: i64) -> impl IntoView {
    let text = RwSignal::new(first_text(at));
    let exact = RwSignal::new(format_utc(at));
    #[cfg(feature = "hydrate")]
    browser::localise_soon(at, text, exact);
    view! {
        <time datetime=iso(at) title=exact aria-label=exact>{text}</time>
    }
}

/// What a time shows before the browser's own format: relative when recent, else the day.
fn first_text(at: i64) -> String {
    relative(now() - at).unwrap_or_else(|| shared::time::format_date(at))
}

/// Unix seconds now, on either side.
fn now() -> i64 {
    #[cfg(feature = "hydrate")]
    {
        (js_sys::Date::now() / 1000.0) as i64
    }
    #[cfg(not(feature = "hydrate"))]
    {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64)
    }
}

/// `2023-11-14T22:13:20Z`.
pub fn iso(at: i64) -> String {
    let t = shared::time::CivilTime::from_unix(at);
    let seconds = at.rem_euclid(60);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{seconds:02}Z",
        t.year, t.month, t.day, t.hour, t.minute
    )
}

/// How far `delta` seconds (positive: in the past) is, in words.
pub fn relative(delta: i64) -> Option<String> {
    let (past, secs) = (delta >= 0, delta.unsigned_abs());
    let (n, unit) = match secs {
        0..=44 => return Some(if past { "just now" } else { "in a moment" }.to_owned()),
        45..=3_599 => ((secs + 30) / 60, "minute"),
        3_600..=86_399 => ((secs + 1_800) / 3_600, "hour"),
        86_400..=604_799 => ((secs + 43_200) / 86_400, "day"),
        _ => return None,
    };
    let n = n.max(1);
    let plural = if n == 1 { "" } else { "s" };
    Some(if past {
        format!("{n} {unit}{plural} ago")
    } else {
        format!("in {n} {unit}{plural}")
    })
}

#[cfg(feature = "hydrate")]
mod browser {
    use js_sys::{Array, Date, Intl::DateTimeFormat, Object};
    use leptos::prelude::{set_timeout, RwSignal, Set};
    use std::{cell::RefCell, time::Duration};
    use wasm_bindgen::JsValue;

    /// A time waiting for its local text: when, its text, its exact time.
    type Waiting = (i64, RwSignal<String>, RwSignal<String>);

    /// Dates localised in one task: few enough that the task stays short on a slow phone.
    const PER_TASK: usize = 16;

    thread_local! {
        static WAITING: RefCell<Vec<Waiting>> = const { RefCell::new(Vec::new()) };
    }

    /// Gives the time its local text in a task after this one (the page's hydration).
    pub fn localise_soon(at: i64, text: RwSignal<String>, exact: RwSignal<String>) {
        let first = WAITING.with(|w| {
            let mut waiting = w.borrow_mut();
            waiting.push((at, text, exact));
            waiting.len() == 1
        });
        if first {
            set_timeout(localise_some, Duration::ZERO);
        }
    }

    /// Localises the next few waiting times, and asks for another task if more wait.
    fn localise_some() {
        let batch: Vec<Waiting> = WAITING.with(|w| {
            let mut waiting = w.borrow_mut();
            let n = waiting.len().min(PER_TASK);
            waiting.drain(..n).collect()
        });
        for (at, text, exact) in batch {
            let (relative, full) = describe(at);
            // A time whose page has gone since is skipped (its signals are disposed).
            let _ = text.try_set(relative);
            let _ = exact.try_set(full);
        }
        if WAITING.with(|w| !w.borrow().is_empty()) {
            set_timeout(localise_some, Duration::ZERO);
        }
    }

    thread_local! {
        /// The browser's formats (its own language and time zone): a date with its time, and a
        /// date alone. Made once: `toLocaleString` builds a new format at every call, which
        /// on a board of 200 cards (400 times) held a slow phone for a second.
        static FORMATS: (DateTimeFormat, DateTimeFormat) = {
            let locale = web_sys::window()
                .and_then(|w| w.navigator().language())
                .unwrap_or_else(|| "en".to_owned());
            let locales = Array::of1(&JsValue::from_str(&locale));
            (
                DateTimeFormat::new(&locales, &options(true)),
                DateTimeFormat::new(&locales, &options(false)),
            )
        };
    }

    /// (what to show, the exact local time) for `at`, in the browser's time zone and language.
    pub fn describe(at: i64) -> (String, String) {
        let date = Date::new(&JsValue::from_f64(at as f64 * 1000.0));
        let format = |format: &DateTimeFormat| {
            format
                .format()
                .call1(&JsValue::NULL, &date)
                .ok()
                .and_then(|text| text.as_string())
                .unwrap_or_else(|| super::format_utc(at))
        };
        FORMATS.with(|(exact, day)| {
            let full = format(exact);
            let shown = super::relative(super::now() - at).unwrap_or_else(|| format(day));
            (shown, full)
        })
    }

    fn options(with_time: bool) -> Object {
        let options = Object::new();
        let set = |key: &str, value: &str| {
            let _ = js_sys::Reflect::set(&options, &key.into(), &value.into());
        };
        set("year", "numeric");
        set("month", "short");
        set("day", "numeric");
        if with_time {
            set("hour", "2-digit");
            set("minute", "2-digit");
            set("timeZoneName", "short");
        }
        options
    }
}
