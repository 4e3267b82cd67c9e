//! Checks on what people type: email addresses, phone numbers, web addresses and
//! lengths. Each returns a sentence that can be shown next to the field.
//!
//! Every piece of text a person or a feed sends is made fit to keep by one
//! function, `normalise`, before anything else looks at it: Unicode NFC, no
//! control characters (but line breaks in text of several lines), no
//! characters that turn the text's direction round. Names must also have a
//! character that can be seen (`required_line`).

use unicode_normalization::UnicodeNormalization;

/// The longest single-line answer we keep (names, titles).
pub const MAX_LINE: usize = 200;
/// The longest free text we keep (descriptions).
pub const MAX_TEXT: usize = 5_000;

/// One field's problem: which field, and what to do about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldProblem {
    pub field: &'static str,
    pub message: String,
}

/// The problems found in a form, each tied to the field it is about, in the
/// order the fields appear.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldErrors(pub Vec<(String, String)>);

impl FieldErrors {
    /// Records `message` against `field` (a field's name, such as `name` or
    /// `times-2-opens` for a field of a repeated row).
    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push((field.into(), message.into()));
    }

    /// The message for `field`, if it has one.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.iter().find(|(f, _)| f == field).map(|(_, m)| m.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Keeps `value` if it checked out, or records its message against `field`.
    pub fn take<T>(&mut self, field: impl Into<String>, checked: Result<T, String>) -> Option<T> {
        checked.map_err(|message| self.add(field, message)).ok()
    }
}

/// Whether text is one line (a name, a title) or may run to several (a
/// description, a note).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    Line,
    Lines,
}

/// Text as it is kept: NFC; line breaks as `\n` where the text may have
/// several lines and as spaces where it may not; tabs as spaces; every other
/// control character and every bidirectional embedding, override or isolate
/// removed; trimmed. The one way text from people and feeds is taken in.
pub fn normalise(value: &str, shape: Shape) -> String {
    let mut kept = String::with_capacity(value.len());
    let mut chars = value.nfc().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' | '\n' => {
                // A Windows line break is one break, not two.
                if c == '\r' && chars.peek() == Some(&'\n') {
                    chars.next();
                }
                kept.push(if shape == Shape::Lines { '\n' } else { ' ' });
            }
            '\t' => kept.push(' '),
            c if c.is_control() || turns_direction(c) => {}
            c => kept.push(c),
        }
    }
    kept.trim().to_string()
}

/// Embeddings, overrides and isolates (U+202A to U+202E, U+2066 to U+2069):
/// they can make a name read differently from what it is.
fn turns_direction(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Whether a character leaves a mark: not a space, a control, or one of the
/// characters that take up no room (zero-width spaces and joiners, direction
/// marks, the byte-order mark, soft hyphens, fillers).
fn is_visible(c: char) -> bool {
    !c.is_whitespace()
        && !c.is_control()
        && !matches!(
            c,
            '\u{00AD}'
                | '\u{034F}'
                | '\u{061C}'
                | '\u{115F}'
                | '\u{1160}'
                | '\u{17B4}'
                | '\u{17B5}'
                | '\u{180B}'..='\u{180F}'
                | '\u{200B}'..='\u{200F}'
                | '\u{2028}'..='\u{202E}'
                | '\u{2060}'..='\u{206F}'
                | '\u{3164}'
                | '\u{FE00}'..='\u{FE0F}'
                | '\u{FEFF}'
                | '\u{FFA0}'
        )
}

/// A name or title: normalised, refused when it is empty, has no character
/// that can be seen, is on several lines, is too long, or holds characters
/// that turn its direction round.
pub fn required_line(value: &str, what: &str) -> Result<String, String> {
    if value.chars().any(turns_direction) {
        return Err(format!(
            "{} must not contain characters that change the direction of the text",
            capitalised(what)
        ));
    }
    if value.trim().contains(['\r', '\n']) {
        return Err(format!("{} must be on one line", capitalised(what)));
    }
    let value = normalise(value, Shape::Line);
    if !value.chars().any(is_visible) {
        return Err(format!("Enter {what}"));
    }
    if value.chars().count() > MAX_LINE {
        return Err(format!("{} must be {MAX_LINE} characters or fewer", capitalised(what)));
    }
    Ok(value)
}

/// Free text, normalised, refused when it is too long; `None` when nothing
/// that can be seen was written.
pub fn optional_text(value: &str, what: &str, max: usize) -> Result<Option<String>, String> {
    let value = normalise(value, Shape::Lines);
    if value.chars().count() > max {
        return Err(format!("{} must be {max} characters or fewer", capitalised(what)));
    }
    Ok(value.chars().any(is_visible).then_some(value))
}

/// Checks an email address has the shape name@place.domain.
pub fn email(value: &str) -> Result<Option<String>, String> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    let shape_ok = value.len() <= 254
        && value.split('@').count() == 2
        && value.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains("..")
        })
        && !value.chars().any(|c| c.is_whitespace() || c.is_control() || "<>\"(),;:[]\\".contains(c));
    if shape_ok {
        Ok(Some(value.to_string()))
    } else {
        Err(String::from("Enter an email address in the correct format, like name@example.org"))
    }
}

/// Checks a UK phone number (10 or 11 digits, or +44 and 10 digits) and tidies
/// its spacing.
pub fn phone(value: &str) -> Result<Option<String>, String> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    let allowed = value.chars().all(|c| c.is_ascii_digit() || " +()-".contains(c));
    let digits: String = value.chars().filter(char::is_ascii_digit).collect();
    let plausible = if value.starts_with('+') {
        digits.starts_with("44") && digits.len() == 12
    } else {
        digits.starts_with('0') && (10..=11).contains(&digits.len())
    };
    if allowed && plausible {
        Ok(Some(value.split_whitespace().collect::<Vec<_>>().join(" ")))
    } else {
        Err(String::from("Enter a phone number, like 0161 496 0000 or +44 161 496 0000"))
    }
}

/// Checks a web address starts with http:// or https:// and names a host. Other
/// schemes (javascript:, data:) are refused here, because escaping alone does
/// not make them safe in a link.
pub fn web_address(value: &str) -> Result<Option<String>, String> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    let lower = value.to_ascii_lowercase();
    let rest = lower.strip_prefix("https://").or_else(|| lower.strip_prefix("http://"));
    let host = rest.map(|r| r.split(['/', '?', '#']).next().unwrap_or(""));
    let ok = value.len() <= 500
        && host.is_some_and(|h| h.contains('.') && !h.starts_with('.') && !h.contains('@'))
        && !value.chars().any(|c| c.is_whitespace() || c.is_control() || c == '"' || c == '<');
    if ok {
        Ok(Some(value.to_string()))
    } else {
        Err(String::from("Enter a web address starting with https://, like https://example.org"))
    }
}

/// The text with its first letter in capitals.
pub fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Figures in the way people read them: 4,321.
pub fn thousands(n: u32) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_separated() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(4321), "4,321");
        assert_eq!(thousands(235_013), "235,013");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn emails() {
        assert_eq!(email(" a.b@example.org "), Ok(Some("a.b@example.org".into())));
        assert_eq!(email(""), Ok(None));
        for bad in
            ["a", "a@b", "@example.org", "a@@example.org", "a b@example.org", "a@example..org", "a@.org"]
        {
            assert!(email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn phones() {
        assert_eq!(phone("0161  496 0000"), Ok(Some("0161 496 0000".into())));
        assert_eq!(phone("+44 161 496 0000"), Ok(Some("+44 161 496 0000".into())));
        assert!(phone("12345").is_err());
        assert!(phone("0161 496 0000 ext").is_err());
    }

    #[test]
    fn web_addresses_must_be_http() {
        assert_eq!(web_address("https://example.org/x"), Ok(Some("https://example.org/x".into())));
        for bad in [
            "javascript:alert(1)",
            "example.org",
            "https://",
            "http://localhost",
            "data:text/html,x",
            "https://a.org/\"onmouseover=",
        ] {
            assert!(web_address(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn lines_are_required_and_bounded() {
        assert_eq!(required_line("  Lunch club ", "a name"), Ok("Lunch club".into()));
        assert_eq!(required_line("  ", "a name"), Err("Enter a name".into()));
        assert!(required_line(&"x".repeat(201), "a name").is_err());
        assert!(required_line("a\nb", "a name").is_err());
    }

    #[test]
    fn text_is_normalised_on_the_way_in() {
        // NFC: "e" and a combining acute become one "é".
        assert_eq!(normalise("Cafe\u{0301}", Shape::Line), "Caf\u{e9}");
        assert_eq!(normalise("a\u{0}b\u{1b}[31mc\u{7f}", Shape::Line), "ab[31mc");
        assert_eq!(normalise("one\r\ntwo\rthree\nfour", Shape::Lines), "one\ntwo\nthree\nfour");
        assert_eq!(normalise("one\r\ntwo\tthree", Shape::Line), "one two three");
        assert_eq!(normalise("a\u{202E}b\u{2066}c", Shape::Lines), "abc");
        assert_eq!(optional_text("  line\u{0}\r\nnext ", "it", 100), Ok(Some("line\nnext".into())));
        assert_eq!(optional_text("\u{200B}\u{200D}", "it", 100), Ok(None));
    }

    #[test]
    fn a_name_must_be_visible_and_read_as_it_is_written() {
        assert_eq!(required_line("\u{200B}\u{200C}\u{FEFF}", "a name"), Err("Enter a name".into()));
        assert_eq!(required_line("\u{0}\u{1b}", "a name"), Err("Enter a name".into()));
        assert!(required_line("abc\u{202E}fed", "a name").unwrap_err().contains("direction"));
        assert!(required_line("abc\u{2067}fed", "a name").unwrap_err().contains("direction"));
        assert_eq!(required_line("Ty\u{0}Gwyn", "a name"), Ok("TyGwyn".into()));
        assert_eq!(
            required_line("\u{645}\u{631}\u{62d}\u{628}\u{627}", "a name").map(|n| n.chars().count()),
            Ok(5)
        );
    }
}
