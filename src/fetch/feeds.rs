//! RSS and Atom feeds, read by the maintained `feed-rs` crate: each entry
//! becomes a post, with its title, its link, its words as HTML and when it
//! was published and last changed. A body that is not a feed (a web page, a
//! broken document) is refused with what the parser found.

use chrono::{DateTime, Utc};

use crate::domain::markdown;
use crate::domain::sources::{FetchedPost, MOST_ITEMS, fingerprint};
use crate::domain::text::{Shape, normalise};

/// The types a feed is asked for in.
pub const ACCEPT: &str =
    "application/atom+xml, application/rss+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5";

/// The posts in `body`, a feed read from `url`, newest first (at most
/// `MOST_ITEMS`). An entry with no date is taken as published at `now`.
pub fn read(body: &[u8], url: &str, now: DateTime<Utc>) -> Result<Vec<FetchedPost>, String> {
    let feed = feed_rs::parser::Builder::new()
        .base_uri(Some(url))
        .build()
        .parse(body)
        .map_err(|e| format!("it is not an RSS or Atom feed ({e})"))?;
    let mut posts: Vec<FetchedPost> = feed
        .entries
        .into_iter()
        .filter_map(|entry| {
            let link = entry
                .links
                .iter()
                .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
                .or(entry.links.first())
                .map(|l| l.href.trim().to_string())
                .filter(|href| href.starts_with("https://") || href.starts_with("http://"));
            let title = entry.title.map(|t| title_text(&t.content, t.content_type.essence().to_string()));
            let html = entry
                .content
                .and_then(|c| c.body)
                .or(entry.summary.map(|s| match s.content_type.essence().to_string().as_str() {
                    "text/html" => s.content,
                    _ => markdown::escape_text(&s.content),
                }))
                .unwrap_or_default();
            let title = title.filter(|t| !t.is_empty()).or_else(|| {
                // An RSS item may have no title: its first words stand in.
                Some(markdown::text_of_html(&html).chars().take(80).collect::<String>())
                    .filter(|t| !t.trim().is_empty())
            })?;
            let html = markdown::from_source(&html, link.as_deref().unwrap_or(url));
            let dated = entry.published.or(entry.updated);
            let published = dated.unwrap_or(now);
            let (title, updated) = (normalise(&title, Shape::Line), entry.updated.unwrap_or(published));
            // An item with no date is the same item at every reading.
            let when = dated.map(|_| updated.to_rfc3339()).unwrap_or_default();
            let version = fingerprint(&[&title, link.as_deref().unwrap_or(""), &html, &when]);
            Some(FetchedPost {
                key: normalise(&entry.id, Shape::Line),
                title,
                link,
                html,
                published,
                updated,
                version,
            })
        })
        .collect();
    posts.sort_by_key(|p| std::cmp::Reverse(p.published));
    let mut seen = std::collections::HashSet::new();
    posts.retain(|post| seen.insert(post.key.clone()));
    posts.truncate(MOST_ITEMS);
    Ok(posts)
}

fn title_text(content: &str, kind: String) -> String {
    match kind.as_str() {
        "text/html" => markdown::text_of_html(content),
        _ => content.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: &str = "2026-12-04T12:00:00Z";

    fn now() -> DateTime<Utc> {
        NOW.parse().unwrap()
    }

    #[test]
    fn an_rss_feed_gives_its_items_newest_first() {
        let rss = r#"<?xml version="1.0"?>
<rss version="2.0"><channel><title>St Mary's</title><link>https://stmarys.example/</link>
<item><title>Carols &amp; mince pies</title><link>https://stmarys.example/carols</link>
<guid>carols-2026</guid><pubDate>Tue, 01 Dec 2026 10:00:00 GMT</pubDate>
<description>&lt;p&gt;Come &lt;b&gt;along&lt;/b&gt;&lt;/p&gt;</description></item>
<item><title>Food bank open</title><link>https://stmarys.example/food</link>
<guid>food</guid><pubDate>Thu, 03 Dec 2026 09:00:00 GMT</pubDate><description>Every Thursday.</description></item>
</channel></rss>"#;
        let posts = read(rss.as_bytes(), "https://stmarys.example/feed", now()).unwrap();
        assert_eq!(posts.len(), 2);
        assert_eq!(posts[0].title, "Food bank open");
        assert_eq!(posts[1].title, "Carols & mince pies");
        assert_eq!(posts[1].key, "carols-2026");
        assert_eq!(posts[1].link.as_deref(), Some("https://stmarys.example/carols"));
        assert_eq!(posts[1].html, "<p>Come along</p>", "made safe as it comes in");
        assert_eq!(posts[1].published, "2026-12-01T10:00:00Z".parse::<DateTime<Utc>>().unwrap());
    }

    #[test]
    fn an_atom_feed_gives_its_entries_with_their_updates() {
        let atom = r#"<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Residents</title><id>urn:residents</id>
<updated>2026-12-02T10:00:00Z</updated>
<entry><title type="html">Litter pick &lt;em&gt;Saturday&lt;/em&gt;</title><id>urn:residents:1</id>
<link href="https://residents.example/litter"/><published>2026-11-30T10:00:00Z</published>
<updated>2026-12-02T10:00:00Z</updated><content type="html">&lt;p&gt;Meet at the park.&lt;/p&gt;</content></entry>
</feed>"#;
        let posts = read(atom.as_bytes(), "https://residents.example/atom", now()).unwrap();
        assert_eq!(posts.len(), 1);
        assert_eq!(posts[0].title, "Litter pick Saturday");
        assert_eq!(posts[0].updated, "2026-12-02T10:00:00Z".parse::<DateTime<Utc>>().unwrap());
        assert!(posts[0].html.contains("Meet at the park."));
    }

    #[test]
    fn a_web_page_or_broken_xml_is_not_a_feed() {
        for body in ["<!DOCTYPE html><html><body><p>Welcome</p></body></html>", "<rss><channel><item>", ""] {
            let error = read(body.as_bytes(), "https://x.example/", now()).unwrap_err();
            assert!(error.starts_with("it is not an RSS or Atom feed"), "{body}: {error}");
        }
    }
}
