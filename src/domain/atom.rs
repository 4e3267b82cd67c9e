//! Atom feeds out (RFC 4287): a network's conversations, a neighbourhood's
//! (with its services' notices), a service's, the whole area's, and each
//! neighbourhood's weekly round of new and changed listings. Written by the
//! maintained `atom_syndication` crate; the only file that names it.

use atom_syndication::{Content, Entry, Feed, Link, Person, Text};
use chrono::{DateTime, Utc};

/// A feed, ready to write.
#[derive(Clone, Debug, PartialEq)]
pub struct FeedOut {
    /// Its permanent id: its own address.
    pub id: String,
    pub title: String,
    pub subtitle: String,
    /// The page it is the feed of.
    pub page: String,
    /// When its newest entry changed (or, with none, when it was asked for).
    pub updated: DateTime<Utc>,
    pub entries: Vec<EntryOut>,
}

/// One entry of a feed.
#[derive(Clone, Debug, PartialEq)]
pub struct EntryOut {
    /// Its permanent id: its page's address, or a tag for a weekly round.
    pub id: String,
    pub title: String,
    /// Its page here.
    pub page: String,
    pub author: String,
    pub published: Option<DateTime<Utc>>,
    pub updated: DateTime<Utc>,
    /// Its words, as plain text.
    pub summary: String,
    /// Safe HTML to show as its content, when it has more than a summary.
    pub html: Option<String>,
}

fn link(href: &str, rel: &str, mime_type: Option<&str>) -> Link {
    let mut link = Link::default();
    link.set_href(href);
    link.set_rel(rel);
    link.set_mime_type(mime_type.map(str::to_string));
    link
}

/// `feed` as an Atom document.
pub fn write(feed: &FeedOut) -> String {
    let entries: Vec<Entry> = feed
        .entries
        .iter()
        .map(|e| {
            let mut entry = Entry::default();
            entry.set_id(e.id.as_str());
            entry.set_title(Text::plain(e.title.as_str()));
            entry.set_updated(e.updated);
            entry.set_published(e.published.map(Into::into));
            let mut author = Person::default();
            author.set_name(e.author.as_str());
            entry.set_authors(vec![author]);
            entry.set_links(vec![link(&e.page, "alternate", Some("text/html"))]);
            entry.set_summary(Some(Text::plain(e.summary.as_str())));
            if let Some(html) = &e.html {
                let mut content = Content::default();
                content.set_content_type(Some(String::from("html")));
                content.set_value(Some(html.clone()));
                entry.set_content(Some(content));
            }
            entry
        })
        .collect();
    let mut out = Feed::default();
    out.set_id(feed.id.as_str());
    out.set_title(Text::plain(feed.title.as_str()));
    out.set_subtitle(Some(Text::plain(feed.subtitle.as_str())));
    out.set_updated(feed.updated);
    out.set_links(vec![
        link(&feed.id, "self", Some("application/atom+xml")),
        link(&feed.page, "alternate", Some("text/html")),
    ]);
    let mut author = Person::default();
    author.set_name("Doorstep");
    out.set_authors(vec![author]);
    out.set_entries(entries);
    out.set_lang(Some(String::from("en-GB")));
    out.to_string()
}

/// A neighbourhood's new and changed listings, one entry for each week
/// (Monday to Sunday in London) that had any, the latest week first.
pub fn weekly_rounds(
    hood: &str,
    slug: &str,
    changes: &[super::views::ListingChange],
    site: &str,
    now: DateTime<Utc>,
) -> Vec<EntryOut> {
    use chrono::{Datelike, Duration, NaiveDate, TimeZone};
    use chrono_tz::Europe::London;
    let monday_of = |time: chrono::NaiveDateTime| -> NaiveDate {
        let day = Utc.from_utc_datetime(&time).with_timezone(&London).date_naive();
        day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
    };
    let mut weeks: std::collections::BTreeMap<NaiveDate, Vec<&super::views::ListingChange>> =
        Default::default();
    for change in changes {
        weeks.entry(monday_of(change.updated_at.max(change.created_at))).or_default().push(change);
    }
    weeks
        .into_iter()
        .rev()
        .map(|(monday, listed)| {
            let updated = listed
                .iter()
                .map(|c| Utc.from_utc_datetime(&c.updated_at.max(c.created_at)))
                .max()
                .unwrap_or(now);
            let new = |c: &super::views::ListingChange| monday_of(c.created_at) == monday;
            let added = listed.iter().filter(|c| new(c)).count();
            let items: String = listed
                .iter()
                .map(|c| {
                    let what = if new(c) { "new" } else { "changed" };
                    format!(
                        "<li><a href=\"{site}/services/{}\">{}</a>, {} ({what})</li>",
                        c.id,
                        super::markdown::escape(&c.name),
                        super::markdown::escape(&c.organisation)
                    )
                })
                .collect();
            let names: Vec<&str> = listed.iter().map(|c| c.name.as_str()).collect();
            EntryOut {
                id: format!("{site}/neighbourhoods/{slug}/listings.atom#{monday}"),
                title: format!("New and changed listings in {hood}, week of {}", monday.format("%-d %B %Y")),
                page: format!("{site}/neighbourhoods/{slug}"),
                author: String::from("Doorstep"),
                published: None,
                updated,
                summary: format!("{added} new, {} changed: {}", listed.len() - added, names.join(", ")),
                html: Some(format!("<ul>{items}</ul>")),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::ServiceId;
    use crate::domain::views::ListingChange;

    fn at(text: &str) -> chrono::NaiveDateTime {
        chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap()
    }

    #[test]
    fn each_week_with_changes_is_one_entry_saying_what_is_new_and_what_changed() {
        let change = |name: &str, created: &str, updated: &str| ListingChange {
            id: ServiceId::new(),
            name: name.into(),
            organisation: String::from("Age Well <Kingsmere>"),
            created_at: at(created),
            updated_at: at(updated),
        };
        let changes = [
            change("Lunch club", "2026-11-30 10:00", "2026-12-02 10:00"),
            change("Carers' café", "2025-01-01 10:00", "2026-12-01 09:00"),
            change("Walks", "2025-01-01 10:00", "2026-11-20 09:00"),
        ];
        let now = "2026-12-04T12:00:00Z".parse().unwrap();
        let rounds = weekly_rounds("Ashworth", "ashworth", &changes, "https://d.example", now);
        assert_eq!(rounds.len(), 2);
        assert_eq!(rounds[0].title, "New and changed listings in Ashworth, week of 30 November 2026");
        assert_eq!(rounds[0].summary, "1 new, 1 changed: Lunch club, Carers' café");
        assert!(rounds[0].html.as_deref().unwrap().contains("Age Well &lt;Kingsmere&gt; (new)"));
        assert_eq!(rounds[1].id, "https://d.example/neighbourhoods/ashworth/listings.atom#2026-11-16");
        let written = write(&FeedOut {
            id: String::from("https://d.example/neighbourhoods/ashworth/listings.atom"),
            title: String::from("Listings"),
            subtitle: String::new(),
            page: String::from("https://d.example/neighbourhoods/ashworth"),
            updated: now,
            entries: rounds,
        });
        assert!(
            written.starts_with("<?xml") && written.contains("<feed xmlns=\"http://www.w3.org/2005/Atom\""),
            "{written}"
        );
    }
}
