//! Proposals: a change or a new listing from an organisation editor (later
//! from the public), waiting for a connector or an administrator to accept
//! or reject it; or a suggestion in words for them to act on.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use super::directory::choice;
use super::ids::{ProposalId, UserId};

choice! {
    /// What a proposal proposes.
    ProposalKind {
        NewService = "new_service", "A new service";
        Service = "service", "A change to a service";
        Organisation = "organisation", "A change to an organisation";
        NewVenue = "new_venue", "A new venue";
        Venue = "venue", "A change to a venue";
        Suggestion = "suggestion", "A suggestion";
    }
}

choice! {
    /// Where a proposal has got to.
    ProposalState {
        Waiting = "waiting", "Waiting for approval";
        Accepted = "accepted", "Accepted";
        Rejected = "rejected", "Rejected";
    }
}

/// A proposal as stored, with the names of those involved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proposal {
    pub id: ProposalId,
    pub kind: ProposalKind,
    /// The service, organisation or venue it changes, or the one made.
    pub record_id: Option<String>,
    /// That record's name now.
    pub record_name: Option<String>,
    /// The form as typed, as JSON.
    pub form: Option<String>,
    pub message: Option<String>,
    pub proposed_by: Option<(UserId, String)>,
    pub email: Option<String>,
    pub proposed_at: NaiveDateTime,
    pub state: ProposalState,
    pub decided_by: Option<String>,
    pub decided_at: Option<NaiveDateTime>,
    /// Why it was rejected, or a note on what was done.
    pub outcome: Option<String>,
}

impl Proposal {
    /// The page of the record it is about, once there is one.
    pub fn record_path(&self) -> Option<String> {
        let id = self.record_id.as_ref()?;
        Some(match self.kind {
            ProposalKind::NewService | ProposalKind::Service | ProposalKind::Suggestion => {
                format!("/services/{id}")
            }
            ProposalKind::Organisation => format!("/organisations/{id}"),
            ProposalKind::NewVenue | ProposalKind::Venue => format!("/staff/venues/{id}/edit"),
        })
    }
}

/// A proposal to be kept.
#[derive(Clone, Debug)]
pub struct NewProposal {
    pub id: ProposalId,
    pub kind: ProposalKind,
    pub record_id: Option<String>,
    pub form: Option<String>,
    pub message: Option<String>,
    pub by: Option<UserId>,
    pub email: Option<String>,
    /// A keyed hash of the address a suggestion from the public came from.
    pub sender: Option<String>,
    pub at: NaiveDateTime,
}

/// A proposal as its page shows it: its fields as they are and as proposed
/// (only those that differ, by their stored names), the problems it would
/// meet if applied now, and whether the person looking may decide it.
#[derive(Clone, Debug)]
pub struct ProposalPage {
    pub proposal: Proposal,
    /// The kind of record, as the history names it ("service", "organisation", "location").
    pub kind: &'static str,
    pub compared: Vec<(&'static str, Option<String>, Option<String>)>,
    /// Why they proposed it, as they typed it.
    pub reason: Option<String>,
    /// For a new service: the listings already here it looks like (id, name).
    pub looks_like: Vec<(super::ids::ServiceId, String)>,
    pub problems: super::text::FieldErrors,
    pub decides: bool,
}

/// A suggestion from the public as typed: a change to a service (`about` a
/// service), or a service we do not list (with its name).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SuggestionForm {
    /// The name of a service not listed; empty for a change to one.
    pub service_name: String,
    pub message: String,
    /// Optional: where to tell them what became of it.
    pub email: String,
    /// A field people never see: a robot that fills it in is turned away.
    pub honeypot: String,
}

/// A checked suggestion: what it says, and where to answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suggestion {
    pub message: String,
    pub email: Option<String>,
}

impl SuggestionForm {
    /// Checks a suggestion; `new_service` when it tells of a service not listed.
    pub fn check(&self, new_service: bool) -> Result<Suggestion, super::text::FieldErrors> {
        use super::text;
        let mut errors = text::FieldErrors::default();
        let name = if new_service {
            errors.take("service_name", text::required_line(&self.service_name, "the name of the service"))
        } else {
            Some(String::new())
        };
        let what = if new_service { "what it does, where and when" } else { "what should change" };
        let message = errors.take(
            "message",
            text::optional_text(&self.message, what, text::MAX_TEXT)
                .and_then(|m| m.ok_or_else(|| format!("Tell us {what}"))),
        );
        let email = errors.take("email", text::email(&self.email));
        match (name, message, email) {
            (Some(name), Some(message), Some(email)) if errors.is_empty() => {
                let message = if new_service { format!("{name}\n\n{message}") } else { message };
                Ok(Suggestion { message, email })
            }
            _ => Err(errors),
        }
    }

    /// Whether a robot filled in the field people never see.
    pub fn from_a_robot(&self) -> bool {
        !self.honeypot.trim().is_empty()
    }
}
