//! The test servers' logs: one subscriber for the whole test binary. Warnings and this crate's
//! information go with each test's own output (shown when it fails); and, once a test asks for
//! it ([`capture`]), everything at our code's debug level is also kept in memory for it to read
//! (the check that nothing secret reaches the log).

use std::{
    io::Write,
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc, Mutex, OnceLock,
    },
};
use tracing_subscriber::{
    filter::{self, FilterExt},
    fmt,
    layer::SubscriberExt,
    util::SubscriberInitExt,
    EnvFilter, Layer,
};

/// What the log said while capturing.
#[derive(Clone, Default)]
pub struct Captured {
    on: Arc<AtomicBool>,
    text: Arc<Mutex<Vec<u8>>>,
}

impl Captured {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.text.lock().expect("logs")).into_owned()
    }
}

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.on.load(Ordering::Relaxed) {
            self.text
                .lock()
                .map_err(|_| std::io::Error::other("poisoned"))?
                .extend_from_slice(buf);
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn installed() -> &'static Captured {
    static LOGS: OnceLock<Captured> = OnceLock::new();
    LOGS.get_or_init(|| {
        let captured = Captured::default();
        let writer = captured.clone();
        let on = captured.on.clone();
        // Nothing is even formatted for it until a test captures.
        let kept = fmt::layer()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .with_filter(
                EnvFilter::new(
                    "info,sqlx=warn,tower_sessions=warn,talentloom_server=debug,tower_http=debug",
                )
                .and(filter::filter_fn(move |_| on.load(Ordering::Relaxed))),
            );
        let shown = fmt::layer()
            .with_test_writer()
            .with_filter(EnvFilter::new("warn,talentloom_server=info,app=info"));
        let _ = tracing_subscriber::registry()
            .with(kept)
            .with(shown)
            .try_init();
        captured
    })
}

/// Installs the subscriber (once).
pub fn install() {
    installed();
}

/// Starts keeping everything logged at our code's debug level; answers where it is kept.
pub fn capture() -> &'static Captured {
    let captured = installed();
    captured.on.store(true, Ordering::Relaxed);
    captured
}
