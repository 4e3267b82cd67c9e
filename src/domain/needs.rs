//! The needs taxonomy: what a caller needs help with, in two levels, with the
//! words and everyday phrases people use for each need. The taxonomy ships in
//! `seeds/needs.toml`; this module reads and checks it.

use std::collections::HashSet;

use serde::Deserialize;

use super::ids::NeedId;

/// The taxonomy as written in `seeds/needs.toml`, compiled into the binary.
pub const BUILT_IN: &str = include_str!("../../seeds/needs.toml");

/// One term of the taxonomy, top-level group or need.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Need {
    pub id: NeedId,
    pub slug: String,
    pub parent: Option<NeedId>,
    pub label: String,
    pub description: String,
    pub synonyms: Vec<String>,
    pub phrases: Vec<String>,
    /// Groups of its synonyms and phrases that mean nearly the same, one
    /// thing within the need ("gym", "fitness suite", "weight training"
    /// within physical activity): a listing that says one of a group is a
    /// closer match for another than one that only has the need.
    pub senses: Vec<Vec<String>>,
    /// Order within its level, as written.
    pub position: i32,
}

/// The whole taxonomy, groups in order each followed by its needs: loaded
/// from the store at start and kept in the app state. A need's place in it is
/// its number in the search index, so the index is built for one taxonomy
/// (its `fingerprint`) and rebuilt when that changes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Taxonomy {
    needs: Vec<Need>,
    fingerprint: u64,
}

impl Taxonomy {
    pub fn new(needs: Vec<Need>) -> Self {
        // FNV-1a over every slug, parent and term, in order: stable across
        // runs and builds, unlike the standard library's hasher.
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        let mut feed = |text: &str| {
            for byte in text.bytes().chain([0]) {
                hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
            }
        };
        for need in &needs {
            feed(&need.slug);
            feed(&need.parent.map(|p| p.to_string()).unwrap_or_default());
            feed(&need.label);
            need.synonyms.iter().chain(&need.phrases).for_each(|term| feed(term));
            for sense in &need.senses {
                feed("sense");
                sense.iter().for_each(|term| feed(term));
            }
        }
        Taxonomy { needs, fingerprint: hash }
    }

    /// Changes whenever a need, its place or its words change.
    pub fn fingerprint(&self) -> u64 {
        self.fingerprint
    }

    pub fn by_slug(&self, slug: &str) -> Option<&Need> {
        self.needs.iter().find(|n| n.slug == slug)
    }

    /// The needs a service can be listed under (the second level), in order.
    pub fn needs(&self) -> impl Iterator<Item = &Need> {
        self.needs.iter().filter(|n| n.parent.is_some())
    }

    /// Whether `slug` is a need a service can be listed under (not a group).
    pub fn is_need(&self, slug: &str) -> bool {
        self.by_slug(slug).is_some_and(|n| n.parent.is_some())
    }

    /// The label of `slug`, or the slug itself when it names nothing.
    pub fn label_of<'a>(&'a self, slug: &'a str) -> &'a str {
        self.by_slug(slug).map_or(slug, |n| n.label.as_str())
    }
}

impl std::ops::Deref for Taxonomy {
    type Target = [Need];
    fn deref(&self) -> &[Need] {
        &self.needs
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TaxonomyFile {
    group: Vec<GroupEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GroupEntry {
    #[serde(flatten)]
    term: TermEntry,
    #[serde(default)]
    need: Vec<TermEntry>,
}

#[derive(Deserialize)]
struct TermEntry {
    slug: String,
    label: String,
    description: String,
    #[serde(default)]
    synonyms: Vec<String>,
    #[serde(default)]
    phrases: Vec<String>,
    #[serde(default)]
    senses: Vec<Vec<String>>,
}

/// Why a taxonomy file was refused.
#[derive(Debug, thiserror::Error)]
pub enum TaxonomyError {
    #[error("the taxonomy is not valid TOML: {0}")]
    Syntax(#[from] toml::de::Error),
    #[error("the slug '{0}' is used twice")]
    DuplicateSlug(String),
    #[error("the slug '{0}' must be lower-case letters, digits and hyphens")]
    BadSlug(String),
    #[error("the need '{0}' has an empty label or description")]
    Empty(String),
    #[error("the need '{0}' groups '{1}' in a sense, but it is not one of its synonyms or phrases")]
    SenseTerm(String, String),
    #[error("the need '{0}' puts '{1}' in two senses; a word has one sense")]
    TwoSenses(String, String),
}

/// Reads a taxonomy file: groups first, each followed by its needs.
pub fn parse(text: &str) -> Result<Vec<Need>, TaxonomyError> {
    let file: TaxonomyFile = toml::from_str(text)?;
    let mut needs = Vec::new();
    let mut seen = HashSet::new();
    let mut add = |entry: TermEntry, parent: Option<NeedId>, position: usize| {
        if !is_slug(&entry.slug) {
            return Err(TaxonomyError::BadSlug(entry.slug));
        }
        if !seen.insert(entry.slug.clone()) {
            return Err(TaxonomyError::DuplicateSlug(entry.slug));
        }
        if entry.label.trim().is_empty() || entry.description.trim().is_empty() {
            return Err(TaxonomyError::Empty(entry.slug));
        }
        let listed = |term: &String| entry.synonyms.contains(term) || entry.phrases.contains(term);
        if let Some(term) = entry.senses.iter().flatten().find(|term| !listed(term)) {
            return Err(TaxonomyError::SenseTerm(entry.slug, term.clone()));
        }
        let mut in_a_sense = HashSet::new();
        if let Some(term) = entry.senses.iter().flatten().find(|term| !in_a_sense.insert(*term)) {
            return Err(TaxonomyError::TwoSenses(entry.slug, term.clone()));
        }
        let id = NeedId::from_slug(&entry.slug);
        needs.push(Need {
            id,
            slug: entry.slug,
            parent,
            label: entry.label,
            description: entry.description,
            synonyms: entry.synonyms,
            phrases: entry.phrases,
            senses: entry.senses,
            position: i32::try_from(position).unwrap_or(i32::MAX),
        });
        Ok(id)
    };
    for (g, group) in file.group.into_iter().enumerate() {
        let group_id = add(group.term, None, g)?;
        for (n, need) in group.need.into_iter().enumerate() {
            add(need, Some(group_id), n)?;
        }
    }
    Ok(needs)
}

/// Whether `text` can be used as a slug in a URL.
pub fn is_slug(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 60
        && text.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !text.starts_with('-')
        && !text.ends_with('-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_taxonomy_covers_the_front_door() {
        let needs = parse(BUILT_IN).expect("the built-in taxonomy parses");
        let leaves: Vec<&Need> = needs.iter().filter(|n| n.parent.is_some()).collect();
        let groups = needs.len() - leaves.len();
        assert!(needs.len() >= 30, "{} needs", needs.len());
        assert!(groups >= 8 && leaves.len() >= 30);
        for slug in [
            "loneliness",
            "carers-support",
            "memory-and-dementia",
            "mobility-and-falls",
            "mental-wellbeing",
            "physical-activity",
            "food",
            "debt",
            "benefits",
            "housing",
            "domestic-abuse",
            "alcohol-and-drugs",
            "digital-skills",
            "getting-out",
            "bereavement",
            "sight-loss",
            "hearing-loss",
            "long-term-conditions",
            "work",
            "volunteering",
            "learning",
            "legal-and-immigration",
            "faith-and-culture",
        ] {
            assert!(needs.iter().any(|n| n.slug == slug), "missing {slug}");
        }
        for need in &leaves {
            assert!(!need.synonyms.is_empty(), "{} has no synonyms", need.slug);
            assert!(!need.phrases.is_empty(), "{} has no everyday phrases", need.slug);
        }
    }

    #[test]
    fn a_repeated_slug_is_refused() {
        let text = r#"
            [[group]]
            slug = "a"
            label = "A"
            description = "A group."
              [[group.need]]
              slug = "a"
              label = "Again"
              description = "The same slug."
        "#;
        assert!(matches!(parse(text), Err(TaxonomyError::DuplicateSlug(s)) if s == "a"));
    }

    #[test]
    fn a_sense_groups_only_the_needs_own_words() {
        let text = r#"
            [[group]]
            slug = "a"
            label = "A"
            description = "A group."
              [[group.need]]
              slug = "b"
              label = "B"
              description = "A need."
              synonyms = ["gym", "fitness suite"]
              senses = [["gym", "fitness suite", "treadmill"]]
        "#;
        assert!(
            matches!(parse(text), Err(TaxonomyError::SenseTerm(need, term)) if need == "b" && term == "treadmill")
        );
        let twice = text.replace(
            r#"[["gym", "fitness suite", "treadmill"]]"#,
            r#"[["gym", "fitness suite"], ["fitness suite"]]"#,
        );
        assert!(
            matches!(parse(&twice), Err(TaxonomyError::TwoSenses(need, term)) if need == "b" && term == "fitness suite")
        );
    }

    #[test]
    fn slugs_are_url_safe() {
        assert!(is_slug("memory-and-dementia"));
        assert!(!is_slug("Memory"));
        assert!(!is_slug("a b"));
        assert!(!is_slug("-a"));
    }
}
