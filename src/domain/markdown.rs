//! Members' posts: Markdown as typed, made into HTML that is safe to show.
//!
//! Two layers, each by a maintained crate. `pulldown-cmark` reads the
//! Markdown; any HTML typed into it is shown as the text it is (a person who
//! types `<b>` sees `<b>`), images become links to them (no picture is ever
//! fetched from elsewhere), headings become bold lines (a post sits inside a
//! page that has its own headings), and a line break is kept as typed. Then
//! `ammonia` keeps only the few tags and attributes a post may have, only
//! web and email links (and paths on this site, such as a listing's), and
//! gives every link `rel="nofollow ugc"`. This is
//! the only file that names either crate; `PostHtml` can be made nowhere else.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

/// HTML made from a post by `render`: the only HTML from a person that a page
/// may show as it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PostHtml(String);

impl PostHtml {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The tags a post may keep, and each one's attributes.
const TAGS: &[&str] =
    &["p", "br", "strong", "em", "del", "a", "ul", "ol", "li", "blockquote", "code", "pre", "hr"];

static CLEANER: LazyLock<ammonia::Builder<'static>> =
    LazyLock::new(|| cleaner(ammonia::UrlRelative::PassThrough));

/// The posts' rules, with relative links (a path on this site, in a
/// member's post) dealt with by `relative`.
fn cleaner(relative: ammonia::UrlRelative<'static>) -> ammonia::Builder<'static> {
    let mut builder = ammonia::Builder::empty();
    builder
        .tags(TAGS.iter().copied().collect())
        .tag_attributes(HashMap::from([("a", HashSet::from(["href"])), ("ol", HashSet::from(["start"]))]))
        .url_schemes(HashSet::from(["http", "https", "mailto"]))
        .url_relative(relative)
        .link_rel(Some("nofollow ugc"))
        .clean_content_tags(HashSet::from(["script", "style"]));
    builder
}

/// HTML read from a source at `base`, made safe by the posts' rules, with
/// its relative links made whole against `base` (a forum's `/t/…` is the
/// forum's, not this site's); dropped when `base` is not a web address.
pub fn from_source(html: &str, base: &str) -> String {
    let relative = match ammonia::Url::parse(base) {
        Ok(url) if matches!(url.scheme(), "http" | "https") => ammonia::UrlRelative::RewriteWithBase(url),
        _ => ammonia::UrlRelative::Deny,
    };
    cleaner(relative).clean(html).to_string()
}

/// HTML from a feed, a calendar or a forum elsewhere, made safe by the same
/// rules as a member's post.
pub fn clean_html(html: &str) -> PostHtml {
    PostHtml(CLEANER.clean(html).to_string())
}

/// The words of some HTML, without its markup, on one line.
pub fn text_of_html(html: &str) -> String {
    static WORDS_ONLY: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
        let mut builder = ammonia::Builder::empty();
        builder.clean_content_tags(HashSet::from(["script", "style"]));
        builder
    });
    let text = WORDS_ONLY.clean(&html.replace('<', " <")).to_string();
    // What the cleaner writes escaped, as the characters they are.
    let text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&nbsp;", " ").replace("&quot;", "\"");
    text.replace("&amp;", "&").split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Text as HTML that shows it as it is (in an element or an attribute).
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Plain text as HTML paragraphs that show it as it is.
pub fn escape_text(text: &str) -> String {
    escape(text).split("\n\n").map(|p| format!("<p>{}</p>", p.trim().replace('\n', "<br>"))).collect()
}

/// `markdown` as safe HTML.
pub fn render(markdown: &str) -> PostHtml {
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, safe_events(markdown));
    PostHtml(CLEANER.clean(&html).to_string())
}

/// The Markdown's events with typed HTML as text, images as links, headings
/// as bold lines and line breaks as typed.
fn safe_events(markdown: &str) -> impl Iterator<Item = Event<'_>> {
    Parser::new_ext(markdown, Options::ENABLE_STRIKETHROUGH).flat_map(|event| {
        let one = |e: Event<'static>| vec![e];
        match event {
            Event::Html(text) | Event::InlineHtml(text) => vec![Event::Text(text)],
            Event::SoftBreak => one(Event::HardBreak),
            Event::Start(Tag::Image { link_type, dest_url, title, id }) => {
                vec![Event::Start(Tag::Link { link_type, dest_url, title, id })]
            }
            Event::End(TagEnd::Image) => one(Event::End(TagEnd::Link)),
            Event::Start(Tag::Heading { .. }) => {
                vec![Event::Start(Tag::Paragraph), Event::Start(Tag::Strong)]
            }
            Event::End(TagEnd::Heading(_)) => {
                vec![Event::End(TagEnd::Strong), Event::End(TagEnd::Paragraph)]
            }
            other => vec![other],
        }
    })
}

/// The words of a post without its markup, on one line, cut at a word
/// before `most` characters (with "…"): for a thread's summary, search and
/// emails.
pub fn plain(markdown: &str, most: usize) -> String {
    let mut text = String::new();
    for event in Parser::new_ext(markdown, Options::ENABLE_STRIKETHROUGH) {
        match event {
            Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => {
                push_words(&mut text, &t)
            }
            Event::SoftBreak | Event::HardBreak | Event::End(_) => push_words(&mut text, " "),
            _ => {}
        }
    }
    cut(text.trim(), most)
}

/// `text` cut at a word before `most` characters, with "…".
fn cut(text: &str, most: usize) -> String {
    if text.chars().count() <= most {
        return text.to_string();
    }
    let cut: String = text.chars().take(most).collect();
    let at_word = cut.rfind(' ').map_or(cut.as_str(), |space| &cut[..space]);
    format!("{}…", at_word.trim_end())
}

/// A post as kept, safe to show: Markdown a member typed, or (`html`) HTML
/// read from a source.
pub fn render_post(body: &str, html: bool) -> PostHtml {
    if html { clean_html(body) } else { render(body) }
}

/// A post's words as kept, as `plain` gives them.
pub fn plain_post(body: &str, html: bool, most: usize) -> String {
    if html { cut(&text_of_html(body), most) } else { plain(body, most) }
}

fn push_words(text: &mut String, more: &str) {
    for c in more.chars() {
        let space = c.is_whitespace();
        if !(space && (text.is_empty() || text.ends_with(' '))) {
            text.push(if space { ' ' } else { c });
        }
    }
}

/// Whether a post links anywhere, written as a link or typed as an address
/// ("www.example.org"): a new member's links wait for a moderator.
pub fn has_links(markdown: &str) -> bool {
    let linked = Parser::new_ext(markdown, Options::ENABLE_STRIKETHROUGH)
        .any(|event| matches!(event, Event::Start(Tag::Link { .. } | Tag::Image { .. })));
    linked
        || markdown.split_whitespace().any(|word| {
            let word = word.to_ascii_lowercase();
            word.contains("http://") || word.contains("https://") || word.contains("www.")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_safe_subset_is_kept() {
        let html = render("**Soup** and _bread_, ~~Tuesday~~ Thursday.\n\n- one\n- two\n\n> said\n\n`code`");
        let html = html.as_str();
        assert!(html.contains("<strong>Soup</strong>"), "{html}");
        assert!(html.contains("<em>bread</em>"), "{html}");
        assert!(html.contains("<del>Tuesday</del>"), "{html}");
        assert!(html.contains("<li>one</li>"), "{html}");
        assert!(html.contains("<blockquote>"), "{html}");
        assert!(html.contains("<code>code</code>"), "{html}");
    }

    #[test]
    fn links_are_marked_as_from_members_and_only_to_the_web_email_or_this_site() {
        let html = render(
            "[the hall](https://example.org/hall) [mail](mailto:a@example.org) [x](javascript:alert(1)) \
             [y](data:text/html,hi) [club](/services/1)",
        );
        let html = html.as_str();
        assert!(
            html.contains(r#"<a href="https://example.org/hall" rel="nofollow ugc">the hall</a>"#),
            "{html}"
        );
        assert!(html.contains(r#"href="mailto:a@example.org""#), "{html}");
        assert!(!html.contains("javascript"), "{html}");
        assert!(!html.contains("data:"), "{html}");
        assert!(html.contains(r#"<a href="/services/1" rel="nofollow ugc">club</a>"#), "{html}");
    }

    #[test]
    fn typed_html_is_shown_as_text_and_never_as_markup() {
        for attack in [
            "<script>alert(1)</script>",
            "<iframe src=\"https://example.org\"></iframe>",
            "<img src=x onerror=alert(1)>",
            "<a href=\"javascript:alert(1)\">click</a>",
            "<div style=\"position:fixed\">over</div>",
            "<style>body{display:none}</style>",
        ] {
            let html = render(&format!("Hello\n\n{attack}\n\nand inline {attack} too"));
            let html = html.as_str();
            // No element but those allowed, and so no attribute but theirs.
            for tag in ["<script", "<iframe", "<img", "<div", "<style", "<a href=\"javascript"] {
                assert!(!html.contains(tag), "{attack} gave {html}");
            }
            assert!(html.contains("&lt;"), "what was typed is shown: {html}");
        }
    }

    #[test]
    fn images_from_elsewhere_become_links() {
        let html = render("![the poster](https://example.org/poster.png)");
        let html = html.as_str();
        assert!(!html.contains("<img"), "{html}");
        assert!(
            html.contains(r#"<a href="https://example.org/poster.png" rel="nofollow ugc">the poster</a>"#),
            "{html}"
        );
    }

    #[test]
    fn headings_are_bold_lines_and_line_breaks_are_kept() {
        let html = render("# Big news\nLine one\nLine two");
        let html = html.as_str();
        assert!(!html.contains("<h1"), "{html}");
        assert!(html.contains("<p><strong>Big news</strong></p>"), "{html}");
        assert!(html.contains("Line one<br>"), "{html}");
    }

    #[test]
    fn plain_text_is_the_words_cut_at_a_word() {
        assert_eq!(
            plain("**Soup** at the\nhall, [today](https://example.org)", 100),
            "Soup at the hall, today"
        );
        assert_eq!(plain("one two three four", 12), "one two…");
    }

    #[test]
    fn links_are_found_written_or_typed() {
        assert!(has_links("see [the hall](https://example.org)"));
        assert!(has_links("see <https://example.org>"));
        assert!(has_links("look at WWW.example.org for more"));
        assert!(has_links("![poster](x.png)"));
        assert!(!has_links("Soup at 12, bring a friend."));
    }

    #[test]
    fn html_from_elsewhere_keeps_only_what_a_post_may_have() {
        let html = clean_html(
            r#"<h2>News</h2><p onclick="x()">Soup <b>today</b> <img src="https://t.example/p.gif"><script>alert(1)</script></p><a href="javascript:alert(1)">go</a><iframe src="https://x.example"></iframe><a href="https://ok.example/">ok</a>"#,
        );
        let html = html.as_str();
        assert!(html.contains("<p>Soup <b>today</b>") || html.contains("<p>Soup today"), "{html}");
        for gone in ["onclick", "<img", "<script", "alert", "javascript:", "<iframe", "<h2"] {
            assert!(!html.contains(gone), "{gone} in {html}");
        }
        assert!(html.contains(r#"<a href="https://ok.example/" rel="nofollow ugc">ok</a>"#), "{html}");
    }

    #[test]
    fn links_from_a_source_point_at_the_source() {
        let html = from_source(
            r#"<p><a href="/t/lift-share/7">the topic</a> <a href="https://x.example/">x</a></p>"#,
            "https://forum.example/c/k/5.json",
        );
        assert!(html.contains(r#"href="https://forum.example/t/lift-share/7""#), "{html}");
        assert!(html.contains(r#"href="https://x.example/""#), "{html}");
        assert!(!from_source(r#"<a href="/t/7">t</a>"#, "not a url").contains("href"));
    }

    #[test]
    fn the_words_of_html_are_its_text() {
        assert_eq!(
            text_of_html("<p>Fish &amp; chips</p><p>at <em>6</em>&nbsp;pm</p><script>x</script>"),
            "Fish & chips at 6 pm"
        );
        assert_eq!(escape_text("a < b\n\nc"), "<p>a &lt; b</p><p>c</p>");
    }
}
