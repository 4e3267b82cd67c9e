//! Sign-in throttling with growing delays, never a lock. Failures are counted
//! for each pair of account and network address: after the first few, each
//! further attempt from that pair must wait, 1 second, then 2, 4, 8 … up to
//! 15 minutes. Someone guessing at an account slows only themselves; its
//! owner, from their own address, signs in as usual. An address that fails
//! against many accounts is slowed the same way from a higher count, for a
//! minute at most, so that people behind one office's address are never shut
//! out. An account that fails repeatedly, from anywhere, is reported once to
//! its owner. Kept in memory: a restart forgets it, which only ever lets
//! someone in sooner.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// When delays start, and when the owner is told.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Failures of one account from one address before attempts are delayed.
    pub free_per_pair: u32,
    /// Failures from one address, whatever the account, before its attempts are delayed.
    pub free_per_address: u32,
    /// Failures of one account, from anywhere, after which its owner is told.
    pub alert_per_account: u32,
    /// Failures are forgotten after this long without another.
    pub window: Duration,
}

/// The longest a pair of account and address waits.
const LONGEST_PAIR_WAIT: Duration = Duration::from_secs(15 * 60);
/// The longest an address waits, whatever the account.
const LONGEST_ADDRESS_WAIT: Duration = Duration::from_secs(60);
/// Above this many remembered keys, the quiet ones are forgotten.
const MOST_KEYS: usize = 100_000;

/// Failures in a row for one key, and when the last was.
#[derive(Clone, Copy, Debug)]
struct Failures {
    count: u32,
    last: Instant,
    /// For an account: whether its owner has been told of this run.
    reported: bool,
}

/// Recent failed sign-ins, by account and address, by address, and by account.
#[derive(Debug)]
pub struct SignInThrottle {
    limits: Limits,
    failures: Mutex<HashMap<Key, Failures>>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Key {
    Pair(String, String),
    Address(String),
    Account(String),
}

/// What a failed attempt leads to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Failed {
    /// Tell the account's owner now: this failure reached the count, the
    /// first time in this run of failures.
    pub report_to_owner: bool,
    /// Failures of the account in this run, from anywhere.
    pub account_failures: u32,
}

impl SignInThrottle {
    pub fn new(limits: Limits) -> Self {
        SignInThrottle { limits, failures: Mutex::new(HashMap::new()) }
    }

    /// `None` when an attempt may go ahead; otherwise how long to wait.
    pub fn check(&self, account: &str, address: &str, now: Instant) -> Option<Duration> {
        let failures = self.failures.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let wait = |key: Key, free: u32, longest: Duration| {
            let f = failures.get(&key).filter(|f| now.duration_since(f.last) < self.limits.window)?;
            let delay = delay_after(f.count, free, longest);
            delay.checked_sub(now.duration_since(f.last)).filter(|left| !left.is_zero())
        };
        let pair = wait(pair_key(account, address), self.limits.free_per_pair, LONGEST_PAIR_WAIT);
        let from =
            wait(Key::Address(address.to_string()), self.limits.free_per_address, LONGEST_ADDRESS_WAIT);
        pair.max(from)
    }

    /// Remembers a failed attempt.
    pub fn failed(&self, account: &str, address: &str, now: Instant) -> Failed {
        let mut failures = self.failures.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let window = self.limits.window;
        if failures.len() > MOST_KEYS {
            failures.retain(|_, f| now.duration_since(f.last) < window);
        }
        count(&mut failures, pair_key(account, address), now, window);
        count(&mut failures, Key::Address(address.to_string()), now, window);
        let run = count(&mut failures, Key::Account(normal(account)), now, window);
        let report_to_owner = !run.reported && run.count >= self.limits.alert_per_account;
        run.reported |= report_to_owner;
        Failed { report_to_owner, account_failures: run.count }
    }

    /// Forgets the failures of this account from this address, once it signs in.
    pub fn succeeded(&self, account: &str, address: &str) {
        let mut failures = self.failures.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        failures.remove(&pair_key(account, address));
    }
}

/// Adds a failure to `key`'s run, starting a new run after a quiet window.
fn count(failures: &mut HashMap<Key, Failures>, key: Key, now: Instant, window: Duration) -> &mut Failures {
    let entry = failures.entry(key).or_insert(Failures { count: 0, last: now, reported: false });
    if now.duration_since(entry.last) >= window {
        *entry = Failures { count: 0, last: now, reported: false };
    }
    entry.count = entry.count.saturating_add(1);
    entry.last = now;
    entry
}

/// The wait after `count` failures: none for the first `free`, then one
/// second doubling with each further failure, up to `longest`.
fn delay_after(count: u32, free: u32, longest: Duration) -> Duration {
    match count.checked_sub(free) {
        None | Some(0) => Duration::ZERO,
        Some(over) => Duration::from_secs(1u64 << (over - 1).min(20)).min(longest),
    }
}

fn normal(account: &str) -> String {
    account.trim().to_lowercase()
}

fn pair_key(account: &str, address: &str) -> Key {
    Key::Pair(normal(account), address.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: Limits = Limits {
        free_per_pair: 3,
        free_per_address: 20,
        alert_per_account: 5,
        window: Duration::from_secs(900),
    };

    #[test]
    fn delays_grow_for_one_account_from_one_address() {
        let throttle = SignInThrottle::new(LIMITS);
        let start = Instant::now();
        for n in 0..3 {
            assert_eq!(throttle.check("Sam@example.org", "192.0.2.1", start), None, "attempt {n}");
            throttle.failed("sam@example.org", "192.0.2.1", start);
        }
        assert_eq!(throttle.check("sam@example.org", "192.0.2.1", start), None, "three are free");
        throttle.failed("sam@example.org", "192.0.2.1", start);
        assert_eq!(throttle.check("SAM@example.org ", "192.0.2.1", start), Some(Duration::from_secs(1)));
        let later = start + Duration::from_secs(1);
        assert_eq!(throttle.check("sam@example.org", "192.0.2.1", later), None);
        throttle.failed("sam@example.org", "192.0.2.1", later);
        assert_eq!(throttle.check("sam@example.org", "192.0.2.1", later), Some(Duration::from_secs(2)));
        for _ in 0..30 {
            throttle.failed("sam@example.org", "192.0.2.1", later);
        }
        assert_eq!(throttle.check("sam@example.org", "192.0.2.1", later), Some(LONGEST_PAIR_WAIT), "at most");
    }

    #[test]
    fn a_stranger_guessing_never_keeps_the_owner_out() {
        let throttle = SignInThrottle::new(LIMITS);
        let now = Instant::now();
        for _ in 0..15 {
            throttle.failed("sam@example.org", "203.0.113.66", now);
        }
        assert!(throttle.check("sam@example.org", "203.0.113.66", now).is_some(), "the stranger waits");
        assert_eq!(throttle.check("sam@example.org", "192.0.2.1", now), None, "the owner does not");
        assert_eq!(throttle.check("kim@example.org", "203.0.113.66", now), None, "nor do other accounts");
    }

    #[test]
    fn an_address_trying_many_accounts_is_slowed_for_a_minute_at_most() {
        let throttle = SignInThrottle::new(LIMITS);
        let now = Instant::now();
        for n in 0..40 {
            throttle.failed(&format!("user{n}@example.org"), "192.0.2.7", now);
        }
        let wait = throttle.check("someone-new@example.org", "192.0.2.7", now).unwrap();
        assert!(wait > Duration::ZERO && wait <= LONGEST_ADDRESS_WAIT, "{wait:?}");
        assert!(throttle.check("someone-new@example.org", "192.0.2.8", now).is_none());
    }

    #[test]
    fn the_owner_is_told_once_per_run_of_failures() {
        let throttle = SignInThrottle::new(LIMITS);
        let now = Instant::now();
        let reports: Vec<bool> = (0..8)
            .map(|n| throttle.failed("sam@example.org", &format!("192.0.2.{n}"), now).report_to_owner)
            .collect();
        assert_eq!(reports, [false, false, false, false, true, false, false, false]);
        let after_quiet = now + Duration::from_secs(901);
        let reports: Vec<bool> = (0..5)
            .map(|_| throttle.failed("sam@example.org", "192.0.2.1", after_quiet).report_to_owner)
            .collect();
        assert_eq!(reports, [false, false, false, false, true], "a new run after a quiet window");
    }

    #[test]
    fn success_clears_the_pair_and_quiet_clears_everything() {
        let throttle = SignInThrottle::new(LIMITS);
        let now = Instant::now();
        for _ in 0..5 {
            throttle.failed("a@example.org", "192.0.2.1", now);
        }
        throttle.succeeded("a@example.org", "192.0.2.1");
        assert!(throttle.check("a@example.org", "192.0.2.1", now).is_none());
        for _ in 0..5 {
            throttle.failed("b@example.org", "192.0.2.1", now);
        }
        assert!(throttle.check("b@example.org", "192.0.2.1", now + Duration::from_secs(901)).is_none());
    }
}
