//! schema.org JSON-LD in a `<script type="application/ld+json">` element.
//! The one place text reaches a page unescaped by maud: inside a script
//! element HTML escapes are not undone, so the JSON is written as it is, with
//! every `<`, `>` and `&` as a JSON escape instead, so that no text in it can
//! end the element or start another.

use maud::{Markup, PreEscaped, html};

/// The script element carrying `data`.
pub fn script(data: &serde_json::Value) -> Markup {
    let text = data.to_string().replace('<', "\\u003c").replace('>', "\\u003e").replace('&', "\\u0026");
    html! { script type="application/ld+json" { (PreEscaped(text)) } }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_text_can_end_the_script_element() {
        let evil = "</script><script>alert(1)</script> & \"quotes\"";
        let markup = script(&serde_json::json!({ "name": evil })).into_string();
        assert_eq!(markup.matches("</script>").count(), 1, "{markup}");
        assert!(!markup.contains("<script>alert"));
        let inner =
            markup.trim_start_matches("<script type=\"application/ld+json\">").trim_end_matches("</script>");
        let back: serde_json::Value = serde_json::from_str(inner).unwrap();
        assert_eq!(back["name"], evil, "the same text when read as JSON");
    }
}
