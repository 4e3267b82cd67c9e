//! Reminders: an organisation's contact, emailed when its listings fall due,
//! answers for each without signing in: still running as shown, taking new
//! people or not, or something has changed (which goes to the approval
//! queue). Each listing is answered once.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use super::directory::{Capacity, choice};
use super::ids::ServiceId;

choice! {
    /// How a reminder's listing was answered.
    ReminderAnswer {
        Running = "running", "Still running as shown";
        Taking = "taking", "Taking new people";
        WaitingList = "waiting_list", "Has a waiting list";
        Full = "full", "Full";
        Change = "change", "Something has changed";
    }
}

impl ReminderAnswer {
    /// The capacity an answer says, if it says one.
    pub fn capacity(self) -> Option<Capacity> {
        match self {
            ReminderAnswer::Taking => Some(Capacity::Taking),
            ReminderAnswer::WaitingList => Some(Capacity::WaitingList),
            ReminderAnswer::Full => Some(Capacity::Full),
            ReminderAnswer::Running | ReminderAnswer::Change => None,
        }
    }
}

/// How long a reminder's link works.
pub const LINK_DAYS: i64 = 30;
/// The least time between two reminders to one organisation.
pub const DAYS_BETWEEN: i64 = 7;

/// One listing a reminder asks about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReminderItem {
    pub id: ServiceId,
    pub name: String,
    /// When it runs, in words.
    pub when: Vec<String>,
    pub capacity: Option<Capacity>,
    pub answered: Option<(ReminderAnswer, NaiveDateTime)>,
}

/// A reminder as its page shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReminderView {
    pub organisation: String,
    pub expires_at: NaiveDateTime,
    pub services: Vec<ReminderItem>,
}
