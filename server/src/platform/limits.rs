//! Limits that keep one client from taking what others need: rate limits per key (governor's
//! GCRA) and a cap on how much work one key may have in flight at once.

use app::error::ApiError;
use governor::{
    clock::{Clock, DefaultClock},
    state::keyed::DefaultKeyedStateStore,
    Quota, RateLimiter,
};
use std::{
    collections::HashMap,
    hash::Hash,
    num::NonZeroU32,
    sync::{Arc, Mutex},
    time::Duration,
};

/// A rate limit per key (a client address, an organisation).
#[derive(Clone)]
pub struct RateLimit<K: Hash + Eq + Clone> {
    limiter: Arc<RateLimiter<K, DefaultKeyedStateStore<K>, DefaultClock>>,
}

impl<K: Hash + Eq + Clone> RateLimit<K> {
    /// `per_period` events per `period`, allowed in a burst too. `None` when `per_period` is 0.
    pub fn new(per_period: u32, period: Duration) -> Option<Self> {
        let burst = NonZeroU32::new(per_period)?;
        let quota = Quota::with_period(period / burst.get())?.allow_burst(burst);
        Some(Self {
            limiter: Arc::new(RateLimiter::keyed(quota)),
        })
    }

    /// Counts one event for `key`, or says how long to wait (`RateLimited`).
    pub fn check(&self, key: &K) -> Result<(), ApiError> {
        self.limiter.check_key(key).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            ApiError::RateLimited {
                retry_after_secs: wait.as_secs().max(1),
            }
        })
    }

    /// Forgets keys that are back to a full allowance (called from housekeeping).
    pub fn retain_recent(&self) {
        self.limiter.retain_recent();
    }
}

/// At most `per_key` pieces of work in flight per key (a user), so that one cannot fill a
/// shared queue. Counts are dropped with their [`InFlight`] guard.
#[derive(Clone, Debug)]
pub struct PerKey<K: Hash + Eq + Clone> {
    per_key: usize,
    counts: Arc<Mutex<HashMap<K, usize>>>,
}

/// One piece of work counted against its key until dropped.
pub struct InFlight<K: Hash + Eq + Clone> {
    key: K,
    counts: Arc<Mutex<HashMap<K, usize>>>,
}

impl<K: Hash + Eq + Clone> PerKey<K> {
    pub fn new(per_key: usize) -> Self {
        Self {
            per_key: per_key.max(1),
            counts: Arc::default(),
        }
    }

    /// Counts one more piece of work for `key`, or `None` when it has `per_key` running.
    pub fn try_start(&self, key: K) -> Option<InFlight<K>> {
        let mut counts = self.counts.lock().ok()?;
        let count = counts.entry(key.clone()).or_insert(0);
        if *count >= self.per_key {
            return None;
        }
        *count += 1;
        Some(InFlight {
            key,
            counts: self.counts.clone(),
        })
    }
}

impl<K: Hash + Eq + Clone> Drop for InFlight<K> {
    fn drop(&mut self) {
        if let Ok(mut counts) = self.counts.lock() {
            if let Some(count) = counts.get_mut(&self.key) {
                *count -= 1;
                if *count == 0 {
                    counts.remove(&self.key);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn work_in_flight_is_capped_per_key_and_released_on_drop() {
        let limit = PerKey::new(2);
        let a1 = limit.try_start(1);
        let a2 = limit.try_start(1);
        assert!(a1.is_some() && a2.is_some());
        assert!(limit.try_start(1).is_none(), "a third for the same key");
        assert!(limit.try_start(2).is_some(), "another key is not affected");
        drop(a1);
        assert!(
            limit.try_start(1).is_some(),
            "room again after one finished"
        );
    }

    #[test]
    fn rate_limits_allow_a_burst_then_say_how_long_to_wait() {
        let limit = RateLimit::new(3, Duration::from_secs(3600)).expect("limit");
        for _ in 0..3 {
            assert!(limit.check(&"a").is_ok());
        }
        match limit.check(&"a") {
            Err(ApiError::RateLimited { retry_after_secs }) => {
                assert!((1..=1200).contains(&retry_after_secs), "{retry_after_secs}")
            }
            other => panic!("expected a rate limit, got {other:?}"),
        }
        assert!(limit.check(&"b").is_ok());
        assert!(RateLimit::<&str>::new(0, Duration::from_secs(1)).is_none());
    }
}
