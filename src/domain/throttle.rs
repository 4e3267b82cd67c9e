//! Sign-in throttling with growing delays, never a lock. Failures are counted
//! for each pair of account and network address: after the first few, each
//! further attempt from that pair must wait, 1 second, then 2, 4, 8 … up to
//! 15 minutes. Someone guessing at an account slows only themselves; its
//! owner, from their own address, signs in as usual. An address that fails
//! against many accounts is slowed the same way from a higher count, for a
//! minute at most, so that people behind one office's address are never shut
//! out. An account that fails repeatedly, from anywhere, is reported once to
//! its owner.
//!
//! This module is the rule; the runs of failures are kept in the database
//! (`store::sign_ins`), so that the throttle holds across every server and
//! through restarts.

use std::time::Duration;

use chrono::NaiveDateTime;

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
pub const LONGEST_PAIR_WAIT: Duration = Duration::from_secs(15 * 60);
/// The longest an address waits, whatever the account.
pub const LONGEST_ADDRESS_WAIT: Duration = Duration::from_secs(60);

/// What failures are counted by. Accounts are compared as the email
/// addresses people type, whatever their capitals and spaces.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Counted<'a> {
    Pair { account: &'a str, address: &'a str },
    Address(&'a str),
    Account(&'a str),
}

impl Counted<'_> {
    /// The text a run of failures is kept under.
    pub fn key(&self) -> String {
        match self {
            Counted::Pair { account, address } => format!("pair {} {address}", normal(account)),
            Counted::Address(address) => format!("address {address}"),
            Counted::Account(account) => format!("account {}", normal(account)),
        }
    }
}

/// A run of failures: how many in a row, and when the last was.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Run {
    pub count: u32,
    pub last: NaiveDateTime,
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

impl Limits {
    /// `None` when an attempt may go ahead, given the runs of failures of
    /// its pair of account and address and of its address; otherwise how
    /// long to wait.
    pub fn wait(&self, pair: Option<Run>, address: Option<Run>, now: NaiveDateTime) -> Option<Duration> {
        let wait = |run: Option<Run>, free: u32, longest: Duration| {
            let run = run?;
            let since = (now - run.last).to_std().unwrap_or(Duration::ZERO);
            if since >= self.window {
                return None;
            }
            delay_after(run.count, free, longest).checked_sub(since).filter(|left| !left.is_zero())
        };
        let pair = wait(pair, self.free_per_pair, LONGEST_PAIR_WAIT);
        let from = wait(address, self.free_per_address, LONGEST_ADDRESS_WAIT);
        pair.max(from)
    }

    /// Whether a run of `count` failures of one account is one to tell its owner of.
    pub fn reports(&self, count: u32) -> bool {
        count >= self.alert_per_account
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: Limits = Limits {
        free_per_pair: 3,
        free_per_address: 20,
        alert_per_account: 5,
        window: Duration::from_secs(900),
    };

    fn run(count: u32, last: NaiveDateTime) -> Option<Run> {
        Some(Run { count, last })
    }

    #[test]
    fn delays_double_after_the_free_failures_up_to_the_longest() {
        let now = chrono::Utc::now().naive_utc();
        assert_eq!(LIMITS.wait(run(3, now), None, now), None, "three are free");
        assert_eq!(LIMITS.wait(run(4, now), None, now), Some(Duration::from_secs(1)));
        assert_eq!(LIMITS.wait(run(5, now), None, now), Some(Duration::from_secs(2)));
        assert_eq!(LIMITS.wait(run(40, now), None, now), Some(LONGEST_PAIR_WAIT), "at most");
        assert_eq!(LIMITS.wait(None, run(400, now), now), Some(LONGEST_ADDRESS_WAIT), "an address, a minute");
    }

    #[test]
    fn time_already_waited_counts_and_a_quiet_window_ends_the_run() {
        let then = chrono::Utc::now().naive_utc();
        let later = |s| then + chrono::Duration::seconds(s);
        assert_eq!(LIMITS.wait(run(6, then), None, later(3)), Some(Duration::from_secs(1)));
        assert_eq!(LIMITS.wait(run(6, then), None, later(4)), None);
        assert_eq!(LIMITS.wait(run(40, then), None, later(901)), None, "forgotten after the window");
    }

    #[test]
    fn accounts_are_counted_whatever_their_capitals() {
        let a = Counted::Pair { account: " Sam@Example.org", address: "192.0.2.1" };
        let b = Counted::Pair { account: "sam@example.org", address: "192.0.2.1" };
        assert_eq!(a.key(), b.key());
        assert_ne!(Counted::Account("sam@example.org").key(), Counted::Address("sam@example.org").key());
    }
}
