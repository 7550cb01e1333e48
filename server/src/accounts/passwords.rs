//! Password hashing: argon2id with OWASP's minimum parameters, on the blocking pool, at most a
//! configured number at a time (each takes 19 MiB), and the same work for an unknown address
//! as for a wrong password.

use crate::platform::error::{internal, OrInternal};
use app::error::ApiError;
use argon2::{
    password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
    Algorithm, Argon2, Params, Version,
};
use prometheus::IntCounter;
use shared::validation::{self, FieldError};
use std::{sync::Arc, time::Duration};
use tokio::sync::Semaphore;

/// argon2id with m = 19456 KiB, t = 2, p = 1 (OWASP's minimum for argon2id).
fn argon2() -> Argon2<'static> {
    let params = Params::new(19_456, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// How long a request waits for a hashing slot before the server answers "busy".
const WAIT_FOR_SLOT: Duration = Duration::from_secs(10);

/// Hashes and verifies passwords; clones share the concurrency cap.
#[derive(Clone)]
pub struct Passwords {
    slots: Arc<Semaphore>,
    /// A hash of a random password nobody knows, verified when an address is unknown.
    decoy: Arc<str>,
    checks: IntCounter,
}

impl Passwords {
    /// Prepares hashing with at most `concurrency` hashes at a time (computes the decoy hash, so
    /// call it off the async runtime or accept one hash of delay at start-up).
    pub fn new(concurrency: usize, checks: IntCounter) -> Result<Self, String> {
        let salt = SaltString::generate(&mut OsRng);
        let mut random = [0u8; 32];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut random);
        let decoy = argon2()
            .hash_password(&random, &salt)
            .map_err(|e| e.to_string())?
            .to_string();
        Ok(Self {
            slots: Arc::new(Semaphore::new(concurrency.max(1))),
            decoy: decoy.into(),
            checks,
        })
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, ApiError> {
        let permit = tokio::time::timeout(WAIT_FOR_SLOT, self.slots.clone().acquire_owned())
            .await
            .map_err(|_| ApiError::Busy)?
            .or_internal("password hashing slots closed")?;
        let result = tokio::task::spawn_blocking(move || {
            let out = work();
            drop(permit);
            out
        })
        .await
        .or_internal("password hashing task failed")?;
        Ok(result)
    }

    /// A new hash of `password`.
    pub async fn hash(&self, password: String) -> Result<String, ApiError> {
        self.run(move || {
            let salt = SaltString::generate(&mut OsRng);
            argon2()
                .hash_password(password.as_bytes(), &salt)
                .map(|h| h.to_string())
        })
        .await?
        .map_err(|e| internal("password hashing failed", e))
    }

    /// Whether `password` matches `hash`. Without a hash (an unknown address) the decoy is
    /// checked instead, which costs the same and never matches.
    pub async fn verify(&self, password: String, hash: Option<String>) -> Result<bool, ApiError> {
        let known = hash.is_some();
        let hash = hash.unwrap_or_else(|| self.decoy.to_string());
        self.checks.inc();
        let matches = self
            .run(move || {
                PasswordHash::new(&hash).map(|parsed| {
                    argon2()
                        .verify_password(password.as_bytes(), &parsed)
                        .is_ok()
                })
            })
            .await?
            .or_internal("stored password hash is malformed")?;
        Ok(matches && known)
    }
}

/// The person's own words, which zxcvbn counts as easy to guess: the address, its part before
/// the `@`, the name and each word of it ("adalovelace1815" is Ada Lovelace's).
fn own_words<'a>(email: &'a str, name: &'a str) -> Vec<&'a str> {
    let mut words = vec![email, name];
    words.extend(email.split('@').next());
    words.extend(name.split_whitespace());
    words.retain(|w| !w.is_empty());
    words
}

fn zxcvbn_estimate(password: &str, email: &str, name: &str) -> zxcvbn::Entropy {
    zxcvbn::zxcvbn(password, &own_words(email, name))
}

/// zxcvbn's score of `password` (0 to 4), with the person's address and name counted as
/// easy to guess.
pub fn estimate(password: &str, email: &str, name: &str) -> u8 {
    zxcvbn_estimate(password, email, name).score() as u8
}

/// Refuses short passwords and ones that are easy to guess (common passwords, names, patterns).
pub fn check_new_password(password: &str, email: &str, name: &str) -> Result<(), FieldError> {
    validation::password_length("password", password)?;
    let estimate = zxcvbn_estimate(password, email, name);
    if (estimate.score() as u8) < 3 {
        let warning = estimate
            .feedback()
            .and_then(|f| f.warning())
            .map(|w| {
                let w = w.to_string();
                let w = w.trim_end_matches('.');
                // Inside the sentence: "too easy to guess (this is a very common password)".
                let mut chars = w.chars();
                let first = chars
                    .next()
                    .map(|c| c.to_lowercase().to_string())
                    .unwrap_or_default();
                format!(" ({first}{})", chars.as_str())
            })
            .unwrap_or_default();
        return Err(FieldError::new(
            "password",
            format!("This password is too easy to guess{warning}. Add more unrelated words or characters."),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Check 17: hashing runs at most `concurrency` at a time; the next waits for a free slot.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn hashing_waits_for_a_free_slot() {
        let checks = IntCounter::new("checks", "checks").expect("counter");
        let passwords = Passwords::new(1, checks).expect("passwords");
        let started = Arc::new(AtomicUsize::new(0));
        let (release, hold) = std::sync::mpsc::channel::<()>();
        let first = {
            let (passwords, started) = (passwords.clone(), started.clone());
            tokio::spawn(async move {
                passwords
                    .run(move || {
                        started.fetch_add(1, Ordering::SeqCst);
                        let _ = hold.recv();
                    })
                    .await
            })
        };
        while started.load(Ordering::SeqCst) == 0 {
            tokio::task::yield_now().await;
        }
        let second = {
            let (passwords, started) = (passwords.clone(), started.clone());
            tokio::spawn(async move {
                passwords
                    .run(move || {
                        started.fetch_add(1, Ordering::SeqCst);
                    })
                    .await
            })
        };
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(
            started.load(Ordering::SeqCst),
            1,
            "the second ran beside the first"
        );
        release.send(()).expect("released");
        assert!(first.await.expect("first").is_ok());
        assert!(second.await.expect("second").is_ok());
        assert_eq!(started.load(Ordering::SeqCst), 2);
    }
}
