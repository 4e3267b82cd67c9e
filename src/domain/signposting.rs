//! Signposting at the front door: how a contact came in, what the citizen
//! said of the follow-up, the shortlist as it is sent, and the short text an
//! advisor reads out or pastes into a text message.

use chrono::{NaiveDate, NaiveDateTime, Weekday};
use serde::{Deserialize, Serialize};

use super::directory::choice;
use super::ids::{NeighbourhoodId, ServiceId, SignpostContactId, UserId};
use super::schedule;
use super::search::{self, Group};

choice! {
    /// How the citizen reached the front door.
    Channel {
        Phone = "phone", "Phone";
        FaceToFace = "face_to_face", "Face to face";
        Online = "online", "Online";
    }
}

choice! {
    /// Whether the caller has been in touch before, as the advisor knows it,
    /// so that repeat contacts can be counted without identifying anyone.
    Returning {
        Yes = "yes", "Yes, they have been in touch before";
        No = "no", "No, this is the first time";
        NotKnown = "not_known", "Not known";
    }
}

choice! {
    /// The citizen's one-click answer to "did you get help?".
    Outcome {
        GotHelp = "got_help", "I got help";
        CouldNotGetThrough = "could_not_get_through", "I could not get through";
        NotRight = "not_right", "It was not right for me";
    }
}

/// A contact as its workspace shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct SignpostContact {
    pub id: SignpostContactId,
    pub advisor: UserId,
    pub started_at: NaiveDateTime,
    pub channel: Channel,
    pub returning: Returning,
    pub escalated: bool,
    pub neighbourhood: Option<(NeighbourhoodId, String)>,
    pub finished_at: Option<NaiveDateTime>,
    /// The needs asked, by slug, each with whether it is still unmet.
    pub needs: Vec<(String, bool)>,
    /// Whether the citizen agreed to a follow-up.
    pub follow_up: bool,
}

/// One service on a shortlist, with what the citizen needs to reach it.
#[derive(Clone, Debug, PartialEq)]
pub struct ShortlistEntry {
    pub id: ServiceId,
    pub name: String,
    pub organisation: String,
    /// The first sentence of its description.
    pub summary: String,
    /// False once the service is archived or paused: it is still sent, marked.
    pub running: bool,
    /// When it happens: its next session, or its pattern in words.
    pub when: Option<String>,
    /// Its public venue's address, if it has one.
    pub address: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub website: Option<String>,
    /// The advisor's note for the citizen.
    pub note: String,
}

impl ShortlistEntry {
    /// What the citizen is told about the service, labelled, in the order
    /// every copy they take away lists it (the email's two parts, the print
    /// view): when, where, how to get in touch, and the advisor's note.
    pub fn details(&self) -> Vec<(&'static str, &str)> {
        let known = [
            ("When", &self.when),
            ("Where", &self.address),
            ("Phone", &self.phone),
            ("Email", &self.email),
            ("Website", &self.website),
        ];
        let mut details: Vec<(&'static str, &str)> =
            known.into_iter().filter_map(|(label, value)| Some((label, value.as_deref()?))).collect();
        if !self.note.is_empty() {
            details.push(("Note", &self.note));
        }
        details
    }
}

/// The longest a short text may be: four text-message parts of 153 characters.
pub const SHORT_TEXT_LIMIT: usize = 612;

/// The shortlist as a few lines to read out or paste into a text message:
/// name, phone (or else web address or email), when, and the page to read
/// more. Each of the first three services gets a third of the room, so three
/// always fit in `SHORT_TEXT_LIMIT` characters: long names and times are cut.
pub fn short_text(entries: &[ShortlistEntry], public_url: &str) -> String {
    const HEADER: &str = "Support suggested for you:";
    let room_each = (SHORT_TEXT_LIMIT - 1 - HEADER.len()) / 3;
    let mut text = String::from(HEADER);
    for (n, entry) in entries.iter().enumerate() {
        let number = format!("\n{}. ", n + 1);
        let stopped = if entry.running { "" } else { " (no longer running)" };
        let link = format!(" {public_url}/services/{}", entry.id);
        let mut room = room_each.saturating_sub(number.len() + stopped.len() + link.chars().count());
        let name = cut(&entry.name, room.min(40));
        room = room.saturating_sub(name.chars().count());
        text.push_str(&number);
        text.push_str(&name);
        text.push_str(stopped);
        let how = entry.phone.as_ref().or(entry.website.as_ref()).or(entry.email.as_ref());
        for (part, most) in [(how, 30), (entry.when.as_ref(), 40)] {
            if let Some(part) = part.filter(|_| room > 8) {
                let part = format!(", {}", cut(part, (room - 2).min(most)));
                room = room.saturating_sub(part.chars().count());
                text.push_str(&part);
            }
        }
        text.push_str(&link);
    }
    text
}

/// `text`, cut to at most `max` characters with "…" where it was cut.
fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let kept: String = text.chars().take(max - 1).collect();
    format!("{}…", kept.trim_end())
}

/// `count` per 10,000 of `population` over `days`, scaled to a year: the
/// measure front doors report. `None` when there is no population or period.
pub fn per_10000_a_year(count: u64, population: u64, days: i64) -> Option<f64> {
    (population > 0 && days > 0).then(|| count as f64 * 10_000.0 / population as f64 * 365.0 / days as f64)
}

/// The days from `from` to `to`, both included.
pub fn days_in(from: NaiveDate, to: NaiveDate) -> i64 {
    (to - from).num_days() + 1
}

/// The workspace's search, as its address carries it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WorkspaceAsked {
    pub postcode: String,
    /// A neighbourhood's slug, when no postcode is given.
    pub neighbourhood: String,
    /// What the citizen said, in their words.
    pub words: String,
    pub needs: Vec<String>,
    pub age: String,
    pub language: String,
    pub free: bool,
    pub step_free: bool,
    pub days: Vec<String>,
    pub phone_only: bool,
    /// Whether the form was sent at all (even empty).
    pub sent: bool,
}

impl WorkspaceAsked {
    pub fn from_pairs(pairs: &[(String, String)]) -> WorkspaceAsked {
        let mut asked = WorkspaceAsked::default();
        for (key, value) in pairs {
            let value =
                value.chars().filter(|c| !c.is_control() || *c == '\n').take(1_000).collect::<String>();
            match key.as_str() {
                "postcode" => asked.postcode = value,
                "neighbourhood" => asked.neighbourhood = value.trim().to_string(),
                "words" => asked.words = value,
                "need" if !asked.needs.contains(&value) => asked.needs.push(value),
                "age" => asked.age = value,
                "language" => asked.language = value,
                "free" => asked.free = value == "yes",
                "step_free" => asked.step_free = value == "yes",
                "day" if !asked.days.contains(&value) => asked.days.push(value),
                "phone_only" => asked.phone_only = value == "yes",
                _ => continue,
            }
            asked.sent = true;
        }
        asked
    }

    /// Whether nothing was asked yet: a new contact's empty workspace.
    pub fn is_empty(&self) -> bool {
        !self.sent
    }

    pub fn age(&self) -> Result<Option<u32>, String> {
        let text = self.age.trim();
        if text.is_empty() {
            return Ok(None);
        }
        search::age(text)
            .map(Some)
            .ok_or_else(|| String::from("Enter the age as a whole number of years, like 78"))
    }

    pub fn language(&self) -> Result<Option<String>, String> {
        if self.language.trim().is_empty() {
            return Ok(None);
        }
        search::language(&self.language)
            .map(Some)
            .ok_or_else(|| String::from("Enter the name of a language, like Urdu"))
    }

    pub fn days(&self) -> Result<Vec<Weekday>, String> {
        self.days
            .iter()
            .map(|code| {
                schedule::day_from_code(code).ok_or_else(|| String::from("Choose days from the list"))
            })
            .collect()
    }

    /// The search as a query string, to come back to it after a form.
    pub fn query_string(&self) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        let fields = [
            ("postcode", self.postcode.as_str()),
            ("neighbourhood", self.neighbourhood.as_str()),
            ("words", self.words.as_str()),
            ("age", self.age.as_str()),
            ("language", self.language.as_str()),
        ];
        for (name, value) in fields {
            if !value.is_empty() {
                query.append_pair(name, value);
            }
        }
        for need in &self.needs {
            query.append_pair("need", need);
        }
        for day in &self.days {
            query.append_pair("day", day);
        }
        for (name, on) in
            [("free", self.free), ("step_free", self.step_free), ("phone_only", self.phone_only)]
        {
            if on {
                query.append_pair(name, "yes");
            }
        }
        query.finish()
    }
}

/// What a workspace search found.
#[derive(Clone, Debug)]
pub struct Found {
    /// Every need searched: ticked, then suggested by the words.
    pub needs: Vec<String>,
    /// The needs the words suggested.
    pub suggested: Vec<String>,
    /// Where: its label, and a message when it is not quite what was asked.
    pub place: Option<(String, Option<String>)>,
    pub neighbourhood: Option<NeighbourhoodId>,
    pub groups: Vec<Group>,
    pub unmet: Vec<String>,
    /// Events in the neighbourhood networks coming up near them that meet
    /// their needs: an event is support too.
    pub events: super::search::FoundActivity,
}

/// The send-by-email form, as typed.
#[derive(Clone, Debug, Default)]
pub struct SendForm {
    /// A random key made with the page: the same key twice is one email.
    pub key: String,
    pub email: String,
    pub follow_up: bool,
}

/// An email a contact sent, as the shortlist page reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SentMail {
    pub kind: String,
    pub queued_at: NaiveDateTime,
    pub delivered_at: Option<NaiveDateTime>,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub gave_up_at: Option<NaiveDateTime>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(name: &str) -> ShortlistEntry {
        ShortlistEntry {
            id: ServiceId::from_seed(7),
            name: name.to_string(),
            organisation: String::from("Kingsmere Carers"),
            summary: String::from("A group."),
            running: true,
            when: Some(String::from("Tuesday 3 March, 10:00 to 12:00")),
            address: None,
            phone: Some(String::from("0161 496 0000")),
            email: None,
            website: None,
            note: String::new(),
        }
    }

    #[test]
    fn three_services_fit_in_a_short_text_however_long_their_names() {
        let long = "A very long service name ".repeat(20);
        let mut entries = vec![entry(&long), entry(&long), entry(&long)];
        for e in &mut entries {
            e.phone = Some("0".repeat(200));
            e.when = Some("every day ".repeat(30));
        }
        for url in [
            "http://x",
            "https://doorstep.kingsmere.gov.uk",
            "https://find-support.adult-social-care.kingsmere.gov.uk",
        ] {
            let text = short_text(&entries, url);
            assert!(text.chars().count() < SHORT_TEXT_LIMIT, "{} characters: {text}", text.chars().count());
            assert!(text.contains("1. A very long"), "{text}");
            assert!(text.contains("3. A very long"), "{text}");
            assert_eq!(text.matches("/services/").count(), 3, "every page link is whole");
        }
    }

    #[test]
    fn a_short_text_says_how_to_reach_each_service_and_which_have_stopped() {
        let mut stopped = entry("Lunch club");
        stopped.running = false;
        let text = short_text(&[entry("Carers group"), stopped], "http://x");
        assert!(
            text.contains(
                "1. Carers group, 0161 496 0000, Tuesday 3 March, 10:00 to 12:00 http://x/services/"
            )
        );
        assert!(text.contains("2. Lunch club (no longer running)"));
    }

    #[test]
    fn rates_are_per_ten_thousand_residents_a_year() {
        // 3 contacts among 4,500 residents over 73 days (a fifth of a year):
        // 3 / 4,500 * 10,000 * 5 = 33.33 a year.
        let rate = per_10000_a_year(3, 4_500, 73).unwrap();
        assert!((rate - 33.333).abs() < 0.01, "{rate}");
        assert_eq!(per_10000_a_year(3, 0, 73), None);
        assert_eq!(
            days_in(
                NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
                NaiveDate::from_ymd_opt(2026, 1, 7).unwrap()
            ),
            7
        );
    }
}
