//! Another directory's taxonomy terms, landed on our needs: first by the
//! explicit tables in `seeds/term_mappings.toml` (for the taxonomies councils
//! publish with), then by the term matching one of a need's label, slug,
//! synonyms or everyday phrases. A term that lands nowhere is never forced
//! onto a need: the import keeps it on the service as a keyword.

use std::collections::HashMap;

use serde::Deserialize;

use crate::domain::needs::Taxonomy;

/// The mapping tables, compiled into the binary.
pub const BUILT_IN: &str = include_str!("../../../seeds/term_mappings.toml");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MappingFile {
    taxonomy: Vec<MappingTable>,
}

/// One taxonomy's terms, each with the slug of the need it lands on.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MappingTable {
    pub name: String,
    pub about: String,
    pub terms: std::collections::BTreeMap<String, String>,
}

/// Reads the mapping tables.
pub fn tables(text: &str) -> Result<Vec<MappingTable>, toml::de::Error> {
    Ok(toml::from_str::<MappingFile>(text)?.taxonomy)
}

/// A term as compared: lower case, "&" as "and", punctuation as spaces, each
/// word without a plural "s" ("Carers' groups" and "carer group" meet).
pub fn normalise(term: &str) -> String {
    let spaced: String = term
        .to_lowercase()
        .replace('&', " and ")
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    spaced
        .split_whitespace()
        .map(|word| match word.strip_suffix('s') {
            Some(stem) if stem.len() > 3 && !stem.ends_with('s') => stem,
            _ => word,
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Lands terms on needs.
pub struct NeedMatcher {
    by_term: HashMap<String, String>,
}

impl NeedMatcher {
    /// A matcher for `needs`, with the explicit `tables` first. A table's
    /// entry for a slug that is not a need is left out.
    pub fn new(needs: &Taxonomy, tables: &[MappingTable]) -> NeedMatcher {
        let mut by_term = HashMap::new();
        for need in needs.needs() {
            let words = [need.label.as_str(), need.slug.as_str()]
                .into_iter()
                .chain(need.synonyms.iter().map(String::as_str));
            for word in words.chain(need.phrases.iter().map(String::as_str)) {
                by_term.entry(normalise(word)).or_insert_with(|| need.slug.clone());
            }
        }
        // Explicit tables win over words that happen to match.
        for table in tables {
            for (term, slug) in &table.terms {
                if needs.is_need(slug) {
                    by_term.insert(normalise(term), slug.clone());
                }
            }
        }
        NeedMatcher { by_term }
    }

    /// A matcher for `needs` with the built-in tables (`seeds/term_mappings.toml`).
    pub fn built_in(needs: &Taxonomy) -> Result<NeedMatcher, toml::de::Error> {
        Ok(NeedMatcher::new(needs, &tables(BUILT_IN)?))
    }

    /// The slug of the need `term` lands on, if any.
    pub fn need_for(&self, term: &str) -> Option<&str> {
        self.by_term.get(&normalise(term)).map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::needs;

    fn matcher() -> NeedMatcher {
        let taxonomy = Taxonomy::new(needs::parse(needs::BUILT_IN).unwrap());
        NeedMatcher::new(&taxonomy, &tables(BUILT_IN).unwrap())
    }

    #[test]
    fn every_mapping_lands_on_a_need_of_ours() {
        let taxonomy = Taxonomy::new(needs::parse(needs::BUILT_IN).unwrap());
        for table in tables(BUILT_IN).unwrap() {
            for (term, slug) in &table.terms {
                assert!(
                    taxonomy.is_need(slug),
                    "{}: \"{term}\" maps to \"{slug}\", which is not a need",
                    table.name
                );
            }
        }
    }

    #[test]
    fn terms_land_on_needs_by_table_label_or_everyday_word() {
        let m = matcher();
        assert_eq!(m.need_for("Loneliness and isolation"), Some("loneliness"), "a label");
        assert_eq!(m.need_for("LONELINESS & ISOLATION"), Some("loneliness"), "a label, written otherwise");
        assert_eq!(m.need_for("Social isolation"), Some("loneliness"), "a table's entry");
        assert_eq!(m.need_for("Carers"), Some("carers-support"), "a table's entry, plural");
        assert_eq!(m.need_for("Astrophysics"), None, "a term with no need stays a keyword");
    }

    #[test]
    fn plurals_and_punctuation_meet() {
        assert_eq!(normalise("Carers' Groups"), normalise("carer group"));
        assert_eq!(normalise("Money & debt"), "money and debt");
        assert_eq!(normalise("Bus"), "bus", "short words keep their s");
    }
}
