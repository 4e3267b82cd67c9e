//! Postcodes as people type them: "m337xx", " M33  7XX " and "M33 7XX" are the
//! same postcode; "M33" alone is a district. Anything else is said plainly to
//! be not a postcode.

use std::fmt;

/// A full postcode in its usual written form, "M33 7XX".
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Postcode(String);

impl Postcode {
    /// The district (outward code): "M33" of "M33 7XX".
    pub fn district(&self) -> &str {
        self.0.split(' ').next().unwrap_or(&self.0)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Postcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What someone typed, understood.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PlaceQuery {
    /// A whole postcode.
    Postcode(Postcode),
    /// Only the first half: a postcode district such as "M33".
    District(String),
}

/// A point people can be told about: "M33 7XX", or "M33 (centre)".
#[derive(Clone, Debug, PartialEq)]
pub struct Place {
    pub label: String,
    pub latitude: f64,
    pub longitude: f64,
}

/// Where a postcode or district turned out to be.
#[derive(Clone, Debug, PartialEq)]
pub enum Located {
    /// The postcode itself.
    Postcode(Place),
    /// The centre of a district: asked for, or the nearest we could do for a
    /// postcode we do not know (`instead_of`).
    District { place: Place, instead_of: Option<Postcode> },
    /// A postcode no longer in use; where it used to be.
    Terminated { postcode: Postcode, place: Place },
    /// Neither the postcode nor its district is known.
    Unknown(String),
}

impl Located {
    /// The point to search around, if there is one.
    pub fn place(&self) -> Option<&Place> {
        match self {
            Located::Postcode(place)
            | Located::District { place, .. }
            | Located::Terminated { place, .. } => Some(place),
            Located::Unknown(_) => None,
        }
    }

    /// What to tell the person, when the answer is not simply their postcode.
    pub fn message(&self) -> Option<String> {
        match self {
            Located::Postcode(_) | Located::District { instead_of: None, .. } => None,
            Located::District { place, instead_of: Some(postcode) } => Some(format!(
                "We could not find {postcode}, so these are around the centre of {}.",
                postcode.district()
            ))
            .filter(|_| !place.label.is_empty()),
            Located::Terminated { postcode, .. } => Some(format!(
                "{postcode} is no longer in use. These are around where it was; check the postcode if that looks wrong."
            )),
            Located::Unknown(typed) => Some(format!(
                "We do not know the postcode {typed}. Check it, or enter just the first half, like M33."
            )),
        }
    }
}

/// Why typed text is not a postcode.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PostcodeError {
    #[error("Enter a postcode, like M33 7XX")]
    Empty,
    #[error("'{0}' is not a postcode. A postcode looks like M33 7XX, or just M33 for the area around it")]
    NotAPostcode(String),
}

/// Reads a postcode or district as typed, ignoring case and spaces.
pub fn parse(typed: &str) -> Result<PlaceQuery, PostcodeError> {
    let trimmed = typed.trim();
    if trimmed.is_empty() {
        return Err(PostcodeError::Empty);
    }
    let shown: String = trimmed.chars().take(20).collect();
    let not_a_postcode = || PostcodeError::NotAPostcode(shown.clone());
    if trimmed.len() > 16 || !trimmed.chars().all(|c| c.is_ascii_alphanumeric() || c.is_whitespace()) {
        return Err(not_a_postcode());
    }
    let compact: String =
        trimmed.chars().filter(|c| !c.is_whitespace()).map(|c| c.to_ascii_uppercase()).collect();
    if is_outward(&compact) {
        return Ok(PlaceQuery::District(compact));
    }
    if compact.len() >= 5 {
        let (outward, inward) = compact.split_at(compact.len() - 3);
        if is_outward(outward) && is_inward(inward) {
            return Ok(PlaceQuery::Postcode(Postcode(format!("{outward} {inward}"))));
        }
    }
    Err(not_a_postcode())
}

/// Reads a postcode from a data file, where it must be whole.
pub fn parse_full(text: &str) -> Option<Postcode> {
    match parse(text) {
        Ok(PlaceQuery::Postcode(postcode)) => Some(postcode),
        _ => None,
    }
}

/// The last whole postcode written in an address ("St Mary's Hall, Sale M33 7XX").
pub fn find_in(address: &str) -> Option<Postcode> {
    let words: Vec<&str> =
        address.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()).collect();
    let pairs = words.windows(2).map(|pair| format!("{}{}", pair[0], pair[1]));
    pairs
        .chain(words.iter().map(|w| (*w).to_string()))
        .filter_map(|candidate| parse_full(&candidate))
        .next_back()
}

/// A9, A99, AA9, AA99, A9A or AA9A.
fn is_outward(text: &str) -> bool {
    let shape: String = text.chars().map(|c| if c.is_ascii_digit() { '9' } else { 'A' }).collect();
    matches!(shape.as_str(), "A9" | "A99" | "AA9" | "AA99" | "A9A" | "AA9A")
}

/// 9AA.
fn is_inward(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 3
        && bytes[0].is_ascii_digit()
        && bytes[1].is_ascii_alphabetic()
        && bytes[2].is_ascii_alphabetic()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_postcode_is_found_in_an_address() {
        assert_eq!(find_in("St Mary's Hall, Sale M33 7XX").map(|p| p.0), Some(String::from("M33 7XX")));
        assert_eq!(find_in("The Hub, wa14 2ab, Altrincham").map(|p| p.0), Some(String::from("WA14 2AB")));
        assert_eq!(find_in("Room 2AB, the Town Hall"), None);
        assert_eq!(find_in(""), None);
    }

    fn full(text: &str) -> PlaceQuery {
        PlaceQuery::Postcode(Postcode(text.into()))
    }

    #[test]
    fn postcodes_are_read_however_they_are_typed() {
        assert_eq!(parse("M33 7XX"), Ok(full("M33 7XX")));
        assert_eq!(parse("m337xx"), Ok(full("M33 7XX")));
        assert_eq!(parse(" M33  7XX "), Ok(full("M33 7XX")));
        assert_eq!(parse("sw1a1aa"), Ok(full("SW1A 1AA")));
        assert_eq!(parse("W1A 0AX"), Ok(full("W1A 0AX")));
        assert_eq!(parse("wa14 1ab"), Ok(full("WA14 1AB")));
        assert_eq!(parse("QK12 3AB"), Ok(full("QK12 3AB")), "the demo's postcodes read too");
    }

    #[test]
    fn a_district_alone_is_a_district() {
        assert_eq!(parse("m33"), Ok(PlaceQuery::District("M33".into())));
        assert_eq!(parse("SW1A"), Ok(PlaceQuery::District("SW1A".into())));
        assert_eq!(parse("wa14"), Ok(PlaceQuery::District("WA14".into())));
    }

    #[test]
    fn anything_else_is_said_plainly_to_be_no_postcode() {
        assert_eq!(parse("  "), Err(PostcodeError::Empty));
        for bad in ["M337", "Sale", "12345", "M33 7X", "M33-7XX", "' OR 1=1 --", "M33 7XX!", "🏠", "AAAA 9AA"]
        {
            assert!(matches!(parse(bad), Err(PostcodeError::NotAPostcode(_))), "{bad}");
        }
        let long = "M".repeat(10_000);
        match parse(&long) {
            Err(PostcodeError::NotAPostcode(shown)) => assert!(shown.len() <= 20, "the message stays short"),
            other => panic!("{other:?}"),
        }
        assert_eq!(parse_full("M33"), None);
        assert_eq!(parse_full("m33 7xx").map(|p| p.district().to_string()), Some("M33".into()));
    }
}
