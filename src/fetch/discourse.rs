//! Discourse forums: a category's or a tag's public JSON lists its topics
//! (`/c/{slug}/{id}.json`, `/tag/{name}.json`), and each topic's JSON
//! (`/t/{id}.json`) holds its opening post as HTML. An answer in another
//! shape is refused with what was missing.

use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::domain::sources::MOST_ITEMS;
use crate::domain::text::{Shape, normalise};

/// A topic as a category or tag lists it.
#[derive(Clone, Debug, PartialEq)]
pub struct Topic {
    pub id: u64,
    pub title: String,
    /// Its page on the forum.
    pub link: String,
    /// Its JSON, with its opening post.
    pub json: String,
    pub created: DateTime<Utc>,
    /// When it last changed: a reply, or an edit that bumped it.
    pub bumped: DateTime<Utc>,
}

#[derive(Deserialize)]
struct List {
    topic_list: TopicList,
}

#[derive(Deserialize)]
struct TopicList {
    topics: Vec<ListedTopic>,
}

#[derive(Deserialize)]
struct ListedTopic {
    id: u64,
    title: String,
    slug: Option<String>,
    created_at: DateTime<Utc>,
    bumped_at: Option<DateTime<Utc>>,
    last_posted_at: Option<DateTime<Utc>>,
    #[serde(default)]
    visible: Option<bool>,
}

#[derive(Deserialize)]
struct TopicPage {
    post_stream: PostStream,
}

#[derive(Deserialize)]
struct PostStream {
    posts: Vec<Post>,
}

#[derive(Deserialize)]
struct Post {
    cooked: String,
    #[serde(default)]
    post_number: Option<u32>,
}

/// The address of the JSON of the category or tag at `typed` (its page, or its JSON).
pub fn list_url(typed: &str) -> String {
    let typed = typed.trim().trim_end_matches('/');
    let (path, query) = typed.split_once('?').map_or((typed, None), |(p, q)| (p, Some(q)));
    let path = if path.ends_with(".json") { path.to_string() } else { format!("{path}.json") };
    match query {
        Some(query) => format!("{path}?{query}"),
        None => path,
    }
}

/// The topics listed in `body`, the JSON of a category or tag at `url`, in
/// the forum's order (the latest active first).
pub fn topics(body: &[u8], url: &str) -> Result<Vec<Topic>, String> {
    let list: List = serde_json::from_slice(body)
        .map_err(|e| format!("it is not a Discourse category or tag ({})", shorter(&e.to_string())))?;
    let site = site_of(url).ok_or_else(|| format!("{url} is not a forum's address"))?;
    let mut topics: Vec<Topic> = list
        .topic_list
        .topics
        .into_iter()
        .filter(|t| t.visible != Some(false))
        .map(|t| {
            let slug = t.slug.filter(|s| !s.is_empty()).unwrap_or_else(|| String::from("topic"));
            Topic {
                id: t.id,
                title: normalise(&t.title, Shape::Line),
                link: format!("{site}/t/{slug}/{}", t.id),
                json: topic_json(&site, t.id),
                created: t.created_at,
                bumped: t.bumped_at.or(t.last_posted_at).unwrap_or(t.created_at),
            }
        })
        .filter(|t| !t.title.is_empty())
        .collect();
    topics.truncate(MOST_ITEMS);
    Ok(topics)
}

/// The opening post of the topic whose JSON is `body`, as HTML.
pub fn opening_post(body: &[u8]) -> Result<String, String> {
    let page: TopicPage = serde_json::from_slice(body)
        .map_err(|e| format!("a topic is not in Discourse's shape ({})", shorter(&e.to_string())))?;
    page.post_stream
        .posts
        .into_iter()
        .find(|p| p.post_number.is_none_or(|n| n == 1))
        .map(|p| p.cooked)
        .ok_or_else(|| String::from("a topic has no opening post"))
}

/// The forum's own address, from a category's or tag's: its host, and the
/// folder it is installed in, if any (`https://example.org/forum`).
pub fn site_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let host = rest.split('/').next().filter(|h| !h.is_empty())?;
    let path = &rest[host.len()..];
    let folder = ["/c/", "/tag/", "/tags/"]
        .iter()
        .filter_map(|marker| path.find(marker))
        .min()
        .map_or("", |at| &path[..at]);
    Some(format!("{scheme}://{host}{folder}"))
}

/// The JSON of the topic `id` at the forum at `site`.
pub fn topic_json(site: &str, id: u64) -> String {
    format!("{site}/t/{id}.json")
}

fn shorter(message: &str) -> String {
    message.chars().take(160).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_category_lists_its_topics_with_their_links() {
        let json = r#"{"users":[],"topic_list":{"topics":[
            {"id":7,"title":"Lift share to the hospital","slug":"lift-share","created_at":"2026-12-01T10:00:00.000Z","bumped_at":"2026-12-03T10:00:00.000Z","visible":true},
            {"id":9,"title":"Welcome","slug":"welcome","created_at":"2026-12-02T10:00:00.000Z","excerpt":"Hello all","visible":true},
            {"id":10,"title":"Hidden","slug":"h","created_at":"2026-12-02T10:00:00.000Z","visible":false}]}}"#;
        let topics = topics(json.as_bytes(), "https://forum.example/c/kingsmere/5.json").unwrap();
        assert_eq!(topics.len(), 2);
        assert_eq!(topics[1].title, "Welcome", "in the forum's order");
        assert_eq!(topics[0].link, "https://forum.example/t/lift-share/7");
        assert_eq!(topics[0].json, "https://forum.example/t/7.json");
        assert_eq!(topics[0].bumped, "2026-12-03T10:00:00Z".parse::<DateTime<Utc>>().unwrap());
        let under = site_of("https://example.org/forum/tag/food.json");
        assert_eq!(under, Some(String::from("https://example.org/forum")));
    }

    #[test]
    fn an_answer_in_another_shape_says_what_is_missing() {
        let error = topics(br#"{"topics":[]}"#, "https://forum.example/c/x.json").unwrap_err();
        assert!(
            error.starts_with("it is not a Discourse category or tag (missing field `topic_list`"),
            "{error}"
        );
        assert!(topics(b"<html></html>", "https://forum.example/c/x.json").is_err());
        let error = opening_post(br#"{"post_stream":{"posts":[]}}"#).unwrap_err();
        assert_eq!(error, "a topic has no opening post");
        let cooked = opening_post(br#"{"post_stream":{"posts":[{"post_number":1,"cooked":"<p>Hi</p>"}]}}"#);
        assert_eq!(cooked.unwrap(), "<p>Hi</p>");
    }

    #[test]
    fn a_category_page_is_read_as_its_json() {
        assert_eq!(
            list_url("https://forum.example/c/kingsmere/5"),
            "https://forum.example/c/kingsmere/5.json"
        );
        assert_eq!(list_url("https://forum.example/tag/food.json"), "https://forum.example/tag/food.json");
        assert_eq!(
            list_url("https://forum.example/tag/food?page=1"),
            "https://forum.example/tag/food.json?page=1"
        );
    }
}
