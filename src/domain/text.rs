//! Checks on what people type: email addresses, phone numbers, web addresses and
//! lengths. Each returns a sentence that can be shown next to the field.

/// The longest single-line answer we keep (names, titles).
pub const MAX_LINE: usize = 200;
/// The longest free text we keep (descriptions).
pub const MAX_TEXT: usize = 5_000;

/// The problems found in a form, each tied to the field it is about, in the
/// order the fields appear.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldErrors(pub Vec<(&'static str, String)>);

impl FieldErrors {
    pub fn add(&mut self, field: &'static str, message: impl Into<String>) {
        self.0.push((field, message.into()));
    }

    /// The message for `field`, if it has one.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.iter().find(|(f, _)| *f == field).map(|(_, m)| m.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Keeps `value` if it checked out, or records its message against `field`.
    pub fn take<T>(&mut self, field: &'static str, checked: Result<T, String>) -> Option<T> {
        checked.map_err(|message| self.add(field, message)).ok()
    }
}

/// Trims a single-line answer and refuses it when it is empty or too long.
pub fn required_line(value: &str, what: &str) -> Result<String, String> {
    let value = value.trim();
    if value.is_empty() {
        return Err(format!("Enter {what}"));
    }
    if value.chars().count() > MAX_LINE {
        return Err(format!("{} must be {MAX_LINE} characters or fewer", capitalised(what)));
    }
    if value.chars().any(char::is_control) {
        return Err(format!("{} must be on one line", capitalised(what)));
    }
    Ok(value.to_string())
}

/// Trims a free-text answer and refuses it when it is too long.
pub fn optional_text(value: &str, what: &str, max: usize) -> Result<Option<String>, String> {
    let value = value.trim();
    if value.chars().count() > max {
        return Err(format!("{} must be {max} characters or fewer", capitalised(what)));
    }
    Ok((!value.is_empty()).then(|| value.replace("\r\n", "\n")))
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
