//! Digests: a member's weekly or daily email of what happened in the
//! networks they follow. A period runs from 7am in London (a day, or a week
//! from Monday); each member gets at most one digest a period, whichever
//! server sends it, and it holds what happened in the period before.

use chrono::{Datelike, Duration, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Europe::London;

use super::events::EventView;
use super::ids::ServiceId;
use super::networks::{NoticeView, ThreadSummary};
use super::views::ListingChange;

/// When a period starts, in London.
const STARTS: NaiveTime = match NaiveTime::from_hms_opt(7, 0, 0) {
    Some(time) => time,
    None => NaiveTime::MIN,
};

/// How often a member wants a digest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DigestEvery {
    Off,
    Daily,
    Weekly,
}

impl DigestEvery {
    pub const ALL: [DigestEvery; 3] = [DigestEvery::Off, DigestEvery::Weekly, DigestEvery::Daily];

    pub fn code(self) -> &'static str {
        match self {
            DigestEvery::Off => "off",
            DigestEvery::Daily => "daily",
            DigestEvery::Weekly => "weekly",
        }
    }

    pub fn from_code(code: &str) -> Option<DigestEvery> {
        DigestEvery::ALL.into_iter().find(|e| e.code() == code)
    }

    /// As the account page offers it.
    pub fn label(self) -> &'static str {
        match self {
            DigestEvery::Off => "No digest",
            DigestEvery::Daily => "Every morning",
            DigestEvery::Weekly => "Every Monday morning",
        }
    }
}

/// A period of digests: its name (the same on every server), and the
/// period before it, which its digest tells of.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Period {
    pub name: String,
    /// The start of the period before (in UTC).
    pub since: NaiveDateTime,
    /// The start of this one (in UTC): the end of what its digest tells.
    pub until: NaiveDateTime,
}

/// The period `now` falls in for a digest sent `every` day or week. `None` for `Off`.
pub fn period(every: DigestEvery, now: NaiveDateTime) -> Option<Period> {
    let local = Utc.from_utc_datetime(&now).with_timezone(&London).naive_local();
    let day = (local - (STARTS - NaiveTime::MIN)).date();
    let (name, first_day, length) = match every {
        DigestEvery::Off => return None,
        DigestEvery::Daily => (day.format("%Y-%m-%d").to_string(), day, Duration::days(1)),
        DigestEvery::Weekly => {
            let monday = day - Duration::days(i64::from(day.weekday().num_days_from_monday()));
            let week = monday.iso_week();
            (format!("{}-W{:02}", week.year(), week.week()), monday, Duration::weeks(1))
        }
    };
    // 7am in London on a day, in UTC: measured in London's days, so that a
    // period across a clock change is a day or a week of days, not of hours.
    let at_seven = |day: chrono::NaiveDate| {
        London
            .from_local_datetime(&day.and_time(STARTS))
            .earliest()
            .map_or(now, |t| t.with_timezone(&Utc).naive_utc())
    };
    Some(Period { name, since: at_seven(first_day - length), until: at_seven(first_day) })
}

/// What a digest tells: new conversations, what is coming up, notices, and
/// new and changed listings, in the networks (and their neighbourhoods) a
/// member follows.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Digest {
    pub threads: Vec<ThreadSummary>,
    pub events: Vec<EventView>,
    pub notices: Vec<(NoticeView, ServiceId, String)>,
    /// Each neighbourhood's name, and its new and changed listings.
    pub listings: Vec<(String, Vec<ListingChange>)>,
}

impl Digest {
    /// Whether there is nothing to tell (no email is sent then).
    pub fn is_empty(&self) -> bool {
        self.threads.is_empty()
            && self.events.is_empty()
            && self.notices.is_empty()
            && self.listings.iter().all(|(_, l)| l.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap()
    }

    #[test]
    fn a_week_runs_from_monday_7am_in_london_whenever_it_is_sent() {
        // Monday 7 December 2026, 7am GMT.
        let week = period(DigestEvery::Weekly, at("2026-12-07 07:00")).unwrap();
        assert_eq!(week.name, "2026-W50");
        assert_eq!((week.since, week.until), (at("2026-11-30 07:00"), at("2026-12-07 07:00")));
        // The same week on the Sunday after; the week before at 6:59 on the Monday.
        assert_eq!(period(DigestEvery::Weekly, at("2026-12-13 23:00")).unwrap().name, "2026-W50");
        assert_eq!(period(DigestEvery::Weekly, at("2026-12-07 06:59")).unwrap().name, "2026-W49");
        // In summer, 7am in London is 6am UTC.
        let week = period(DigestEvery::Weekly, at("2027-06-07 06:00")).unwrap();
        assert_eq!((week.name.as_str(), week.since), ("2027-W23", at("2027-05-31 06:00")));
        // The week the clocks go forward (28 March 2027) starts at 7am GMT and ends at 7am BST.
        let week = period(DigestEvery::Weekly, at("2027-03-29 06:00")).unwrap();
        assert_eq!((week.since, week.until), (at("2027-03-22 07:00"), at("2027-03-29 06:00")));
    }

    #[test]
    fn a_day_runs_from_7am() {
        let day = period(DigestEvery::Daily, at("2026-12-05 08:00")).unwrap();
        assert_eq!(
            (day.name.as_str(), day.since, day.until),
            ("2026-12-05", at("2026-12-04 07:00"), at("2026-12-05 07:00"))
        );
        assert_eq!(period(DigestEvery::Daily, at("2026-12-05 06:00")).unwrap().name, "2026-12-04");
        assert_eq!(period(DigestEvery::Off, at("2026-12-05 08:00")), None);
    }
}
