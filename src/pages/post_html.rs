//! A member's post as HTML: the one place a page shows HTML a person wrote.
//! It can only come from `domain::markdown::render`, which reads the Markdown
//! with typed HTML as text and keeps only a safe few tags through a maintained
//! sanitiser.

use maud::{Markup, PreEscaped};

use crate::domain::markdown::PostHtml;

/// The post's HTML, as `domain::markdown` made it.
pub fn body(html: &PostHtml) -> Markup {
    PreEscaped(html.as_str().to_string())
}
