//! What a page sends on `/ws`, read one frame at a time: counted against the connection's rate,
//! checked for size, then parsed. Whatever it is, the answer is an error frame or, for a page
//! that keeps sending after being told to slow down, a close; never a panic.

use governor::{
    clock::{Clock, DefaultClock},
    middleware::NoOpMiddleware,
    state::{InMemoryState, NotKeyed},
    Quota, RateLimiter,
};
use shared::ws::{close, ClientEvent, ErrorCode, WsError, MAX_FRAME_BYTES, PROTOCOL_VERSION};
use std::num::NonZeroU32;

/// Frames a page may send per second, on average.
pub const FRAMES_PER_SECOND: u32 = 20;
/// Frames a page may send at once after a quiet spell.
pub const BURST: u32 = 40;
/// Frames refused for the rate, one after another, before the connection is closed.
pub const REFUSALS_BEFORE_CLOSE: u32 = 100;

/// Why a frame was not taken.
#[derive(Debug, PartialEq)]
pub enum Refusal {
    /// Answer with this error; the connection stays open.
    Answer(WsError),
    /// Send the error, if any, and close with `code`.
    Close {
        error: Option<WsError>,
        code: u16,
        reason: &'static str,
    },
}

impl Refusal {
    fn answer(code: ErrorCode, message: String) -> Self {
        Self::Answer(WsError {
            code,
            message,
            retry_after_ms: None,
            reply_to: None,
        })
    }

    /// The page speaks `version`, not [`PROTOCOL_VERSION`].
    pub fn unsupported_version(version: u32) -> Self {
        Self::Close {
            error: Some(WsError {
                code: ErrorCode::UnsupportedVersion,
                message: format!(
                    "This page speaks version {version} of the realtime protocol and the server \
                     version {PROTOCOL_VERSION}: reload the page."
                ),
                retry_after_ms: None,
                reply_to: None,
            }),
            code: close::UNSUPPORTED_VERSION,
            reason: "reload the page",
        }
    }
}

/// One connection's reader.
pub struct Inbox<C: Clock = DefaultClock> {
    limiter: RateLimiter<NotKeyed, InMemoryState, C, NoOpMiddleware<C::Instant>>,
    clock: C,
    refused_in_a_row: u32,
}

impl Inbox {
    pub fn new() -> Self {
        Self::with_clock(DefaultClock::default())
    }
}

impl<C: Clock + Clone> Inbox<C> {
    pub fn with_clock(clock: C) -> Self {
        let per_second = NonZeroU32::new(FRAMES_PER_SECOND).unwrap_or(NonZeroU32::MIN);
        let burst = NonZeroU32::new(BURST).unwrap_or(NonZeroU32::MIN);
        let quota = Quota::per_second(per_second).allow_burst(burst);
        Self {
            limiter: RateLimiter::direct_with_clock(quota, clock.clone()),
            clock,
            refused_in_a_row: 0,
        }
    }

    /// Reads a text frame.
    pub fn read(&mut self, text: &str) -> Result<ClientEvent, Refusal> {
        self.admit()?;
        if text.len() > MAX_FRAME_BYTES {
            return Err(Refusal::answer(
                ErrorCode::TooLarge,
                format!(
                    "A frame may be at most {} KiB; this one was {} KiB.",
                    MAX_FRAME_BYTES / 1024,
                    text.len().div_ceil(1024)
                ),
            ));
        }
        serde_json::from_str(text).map_err(|e| {
            Refusal::answer(
                ErrorCode::Malformed,
                format!(
                    "This frame is not one of version {PROTOCOL_VERSION} of the protocol: {e}."
                ),
            )
        })
    }

    /// A binary frame: counted, and refused (the protocol is JSON text).
    pub fn binary(&mut self) -> Result<ClientEvent, Refusal> {
        self.admit()?;
        Err(Refusal::answer(
            ErrorCode::Malformed,
            "Frames are JSON text; a binary frame is not read.".into(),
        ))
    }

    fn admit(&mut self) -> Result<(), Refusal> {
        let Err(not_until) = self.limiter.check() else {
            self.refused_in_a_row = 0;
            return Ok(());
        };
        self.refused_in_a_row += 1;
        if self.refused_in_a_row >= REFUSALS_BEFORE_CLOSE {
            return Err(Refusal::Close {
                error: None,
                code: close::TOO_MANY_FRAMES,
                reason: "too many frames",
            });
        }
        let wait = not_until.wait_time_from(self.clock.now());
        let wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX).max(1);
        Err(Refusal::Answer(WsError {
            code: ErrorCode::RateLimited,
            message: format!(
                "Too many frames: at most {FRAMES_PER_SECOND} a second. Send again in {wait_ms} ms."
            ),
            retry_after_ms: Some(wait_ms),
            reply_to: None,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use governor::clock::FakeRelativeClock;
    use std::time::Duration;

    fn code_of(refusal: Result<ClientEvent, Refusal>) -> Option<ErrorCode> {
        match refusal {
            Err(Refusal::Answer(error)) => Some(error.code),
            _ => None,
        }
    }

    #[test]
    fn frames_are_parsed_or_answered_with_what_is_wrong() {
        let mut inbox = Inbox::with_clock(FakeRelativeClock::default());
        assert_eq!(
            inbox.read(r#"{"type":"ping","nonce":7}"#),
            Ok(ClientEvent::Ping { nonce: 7 })
        );
        for bad in ["", "{", "null", r#"{"type":"ping"}"#, r#"{"type":"shout"}"#] {
            assert_eq!(
                code_of(inbox.read(bad)),
                Some(ErrorCode::Malformed),
                "{bad}"
            );
        }
        let big = format!(
            r#"{{"type":"ping","nonce":1,"x":"{}"}}"#,
            "a".repeat(MAX_FRAME_BYTES)
        );
        match inbox.read(&big) {
            Err(Refusal::Answer(error)) => {
                assert_eq!(error.code, ErrorCode::TooLarge);
                assert!(
                    error.message.contains("at most 64 KiB"),
                    "{}",
                    error.message
                );
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(code_of(inbox.binary()), Some(ErrorCode::Malformed));
    }

    #[test]
    fn a_page_over_its_rate_is_told_when_to_send_then_closed_if_it_goes_on() {
        let clock = FakeRelativeClock::default();
        let mut inbox = Inbox::with_clock(clock.clone());
        let ping = r#"{"type":"ping","nonce":1}"#;
        for _ in 0..BURST {
            assert!(inbox.read(ping).is_ok());
        }
        match inbox.read(ping) {
            Err(Refusal::Answer(error)) => {
                assert_eq!(error.code, ErrorCode::RateLimited);
                assert_eq!(error.retry_after_ms, Some(50));
            }
            other => panic!("{other:?}"),
        }
        // Waiting as told lets the next frame through and forgets the refusals.
        clock.advance(Duration::from_millis(50));
        assert!(inbox.read(ping).is_ok());
        for _ in 1..REFUSALS_BEFORE_CLOSE {
            assert_eq!(code_of(inbox.read(ping)), Some(ErrorCode::RateLimited));
        }
        assert!(matches!(
            inbox.read(ping),
            Err(Refusal::Close {
                code: close::TOO_MANY_FRAMES,
                ..
            })
        ));
    }
}
