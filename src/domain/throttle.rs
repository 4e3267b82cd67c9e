//! Sign-in rate limiting: after too many failed attempts for one account, or
//! from one network address, within a window, further attempts are refused
//! until the window has passed. Kept in memory: a restart forgets it, which
//! only ever lets someone in sooner.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How many failures are allowed, and over how long.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    pub per_account: usize,
    pub per_address: usize,
    pub window: Duration,
}

/// Recent failed sign-ins, by account and by address.
#[derive(Debug)]
pub struct SignInThrottle {
    limits: Limits,
    failures: Mutex<HashMap<String, Vec<Instant>>>,
}

impl SignInThrottle {
    pub fn new(limits: Limits) -> Self {
        SignInThrottle { limits, failures: Mutex::new(HashMap::new()) }
    }

    /// `None` when an attempt may go ahead; otherwise how long to wait.
    pub fn check(&self, account: &str, address: &str, now: Instant) -> Option<Duration> {
        let mut failures = self.failures.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let keys = [
            (account_key(account), self.limits.per_account),
            (address_key(address), self.limits.per_address),
        ];
        keys.into_iter()
            .filter_map(|(key, limit)| {
                let recent = failures.get_mut(&key)?;
                recent.retain(|&t| now.duration_since(t) < self.limits.window);
                (recent.len() >= limit).then(|| {
                    let oldest = recent.iter().min().copied().unwrap_or(now);
                    self.limits.window.saturating_sub(now.duration_since(oldest))
                })
            })
            .max()
    }

    /// Remembers a failed attempt against both the account and the address.
    pub fn failed(&self, account: &str, address: &str, now: Instant) {
        let mut failures = self.failures.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        // Keep memory bounded under a flood of made-up accounts.
        if failures.len() > 100_000 {
            let window = self.limits.window;
            failures.retain(|_, times| times.iter().any(|&t| now.duration_since(t) < window));
        }
        for key in [account_key(account), address_key(address)] {
            failures.entry(key).or_default().push(now);
        }
    }

    /// Forgets an account's failures once it signs in.
    pub fn succeeded(&self, account: &str) {
        let mut failures = self.failures.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        failures.remove(&account_key(account));
    }
}

fn account_key(account: &str) -> String {
    format!("account:{}", account.trim().to_lowercase())
}

fn address_key(address: &str) -> String {
    format!("address:{address}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: Limits = Limits { per_account: 3, per_address: 5, window: Duration::from_secs(900) };

    #[test]
    fn an_account_is_locked_after_repeated_failures_and_unlocked_after_the_window() {
        let throttle = SignInThrottle::new(LIMITS);
        let start = Instant::now();
        for n in 0..3 {
            assert_eq!(throttle.check("Sam@example.org", "10.0.0.1", start), None, "attempt {n}");
            throttle.failed("sam@example.org", &format!("10.0.0.{n}"), start);
        }
        let wait = throttle.check("SAM@example.org ", "10.0.0.9", start + Duration::from_secs(60));
        assert_eq!(wait, Some(Duration::from_secs(840)));
        assert_eq!(throttle.check("sam@example.org", "10.0.0.9", start + Duration::from_secs(901)), None);
    }

    #[test]
    fn an_address_is_locked_whatever_account_it_tries() {
        let throttle = SignInThrottle::new(LIMITS);
        let now = Instant::now();
        for n in 0..5 {
            throttle.failed(&format!("user{n}@example.org"), "192.0.2.7", now);
        }
        assert!(throttle.check("someone-new@example.org", "192.0.2.7", now).is_some());
        assert!(throttle.check("someone-new@example.org", "192.0.2.8", now).is_none());
    }

    #[test]
    fn success_clears_the_account() {
        let throttle = SignInThrottle::new(LIMITS);
        let now = Instant::now();
        throttle.failed("a@example.org", "192.0.2.1", now);
        throttle.failed("a@example.org", "192.0.2.1", now);
        throttle.succeeded("a@example.org");
        throttle.failed("a@example.org", "192.0.2.1", now);
        assert!(throttle.check("a@example.org", "192.0.2.2", now).is_none());
    }
}
