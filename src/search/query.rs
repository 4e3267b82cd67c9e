//! Answering a search: words, needs, a place and filters in; ranked results,
//! results grouped by need, unmet needs and facet counts out, each result
//! saying why it matched.
//!
//! Words never reach a query parser: they are split and stemmed by the same
//! analyser as the index, so nothing typed can be a syntax error. Every word
//! may match a name (weighted most), a need's words, an organisation or a
//! description; words of five letters or more also match with one typo. A
//! caller's everyday phrase ("no one to talk to") matches the need it belongs
//! to. Ranking multiplies text relevance by a distance factor and a freshness
//! factor; a radius is only a cut-off when the person chose one.

use std::collections::{BinaryHeap, HashMap};
use std::ops::Bound;

use chrono::{DateTime, Utc};
use tantivy::query::{
    AllQuery, BooleanQuery, EmptyQuery, EnableScoring, FuzzyTermQuery, Occur, PhraseQuery, Query, RangeQuery,
    TermQuery,
};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, Searcher, Term};

use super::any_term::AnyTermQuery;
use super::collector::{Candidate, Conditions, Fruit, GROUP_SIZE, Matcher};
use super::document::minute_number;
use super::{EVERYWHERE_CELL, Record, SearchError, SearchIndex, Snapshot};
use crate::domain::directory::{Capacity, DeliveryMode, ServiceArea};
use crate::domain::needs::Taxonomy;
use crate::domain::schedule;
use crate::domain::search::{
    Facets, Group, Hit, MAX_NEEDS_ASKED, MAX_RESULTS, Open, SearchRequest, SearchResults,
};
use crate::geo::cells;

/// The most words of a query that are used.
const MAX_WORDS: usize = 12;

/// A search as asked, with its words worked out once: stemmed (as typed,
/// stem), and the needs whose everyday words they contain (the need's place,
/// the words that named it).
#[derive(Clone, Copy)]
struct Asked<'a> {
    q: &'a SearchRequest,
    taxonomy: &'a Taxonomy,
    words: &'a [(String, String)],
    named: &'a [(usize, String)],
    now: DateTime<Utc>,
}

/// One pass's findings, sorted best first.
struct Found {
    total: u64,
    top: Vec<Candidate>,
    group_total: Vec<u64>,
    group_top: Vec<Vec<Candidate>>,
    facets: Facets,
}

impl SearchIndex {
    /// Answers a search as of `now`.
    pub fn search(
        &self,
        q: &SearchRequest,
        taxonomy: &Taxonomy,
        now: DateTime<Utc>,
    ) -> Result<SearchResults, SearchError> {
        let words = self.words(&q.text);
        let named = self.needs_named(&words, taxonomy);
        let asked = Asked { q, taxonomy, words: &words, named: &named, now };
        let per_page = q.per_page.clamp(1, 100);
        let offset = (q.page.max(1) - 1) * per_page;
        let snapshot = self.snapshot();
        let found = self.run(&snapshot.searcher, &asked, offset + per_page)?;
        let mut made = HashMap::new();
        let results = self.hits(&snapshot, &asked, &found.top, offset, per_page, &mut made);
        let mut groups = Vec::new();
        let mut unmet = Vec::new();
        for ((slug, top), total) in q.needs.iter().zip(found.group_top).zip(found.group_total) {
            if total == 0 {
                unmet.push(slug.clone());
            }
            groups.push(Group {
                need: slug.clone(),
                label: taxonomy.label_of(slug).to_string(),
                total,
                results: self.hits(&snapshot, &asked, &top, 0, GROUP_SIZE, &mut made),
            });
        }
        Ok(SearchResults { total: found.total, results, groups, unmet, facets: found.facets })
    }

    /// The query's words, stemmed, without repeats.
    fn words(&self, text: &str) -> Vec<(String, String)> {
        let mut words: Vec<(String, String)> = Vec::new();
        for raw in text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).take(MAX_WORDS * 2) {
            for stem in self.tokens(raw) {
                if !words.iter().any(|(_, s)| *s == stem) && words.len() < MAX_WORDS {
                    words.push((raw.to_lowercase(), stem));
                }
            }
        }
        words
    }

    /// The needs (slugs, of the taxonomy's second level) whose words or
    /// everyday phrases appear in `text`: "my husband has dementia and I
    /// can't cope" names memory and dementia, and support for carers.
    pub fn needs_named_in(&self, text: &str, taxonomy: &Taxonomy) -> Vec<String> {
        let mut named: Vec<usize> =
            self.needs_named(&self.words(text), taxonomy).into_iter().map(|(ord, _)| ord).collect();
        named.sort_unstable();
        named
            .into_iter()
            .filter_map(|ord| taxonomy.get(ord))
            .filter(|need| need.parent.is_some())
            .map(|need| need.slug.clone())
            .collect()
    }

    /// Needs whose synonyms or everyday phrases appear in what was typed.
    fn needs_named(&self, words: &[(String, String)], taxonomy: &Taxonomy) -> Vec<(usize, String)> {
        if words.is_empty() {
            return Vec::new();
        }
        let stems: Vec<&str> = words.iter().map(|(_, s)| s.as_str()).collect();
        let mut named: Vec<(usize, String)> = Vec::new();
        for (ord, term, term_stems) in &self.need_terms(taxonomy).terms {
            if named.iter().any(|(n, _)| n == ord) {
                continue;
            }
            if stems.windows(term_stems.len()).any(|w| w.iter().zip(term_stems).all(|(a, b)| a == b)) {
                named.push((*ord, term.clone()));
            }
        }
        named
    }

    /// The text's clauses, each with its weight: every word in each field, a
    /// typo-tolerant match for words the index does not know, the needs the
    /// words name, and the words as a phrase in names. A result's relevance is
    /// the sum of its matching clauses' scores, each times its weight.
    fn text_clauses(&self, asked: &Asked, searcher: &Searcher) -> Vec<(Box<dyn Query>, f32)> {
        let words = asked.words;
        let f = &self.fields;
        let term = |field, text: &str| Term::from_field_text(field, text);
        let boosted = |query: Box<dyn Query>, boost: f32| (query, boost);
        let mut clauses: Vec<(Box<dyn Query>, f32)> = Vec::new();
        for (raw, stem) in words {
            for (field, weight) in
                [(f.name, 3.0), (f.needs_text, 2.0), (f.organisation, 1.5), (f.description, 1.0)]
            {
                let exact = TermQuery::new(term(field, stem), IndexRecordOption::WithFreqs);
                clauses.push(boosted(Box::new(exact), weight));
            }
            // A typo is only looked for when the word as typed is not in the
            // index at all: a word spelled right needs no guessing (and
            // guessing costs more than everything else in a query).
            let known = || {
                [f.name_words, f.words]
                    .iter()
                    .any(|&field| searcher.doc_freq(&term(field, raw)).unwrap_or(0) > 0)
            };
            if raw.chars().count() >= 5 && !known() {
                for (field, weight) in [(f.name_words, 3.0), (f.words, 0.8)] {
                    clauses.push(boosted(Box::new(FuzzyTermQuery::new(term(field, raw), 1, true)), weight));
                }
            }
        }
        for (ord, _) in asked.named {
            let need = TermQuery::new(term(f.need, &asked.taxonomy[*ord].slug), IndexRecordOption::Basic);
            clauses.push(boosted(Box::new(need), 4.0));
        }
        if words.len() >= 2 {
            let phrase: Vec<Term> = words.iter().map(|(_, stem)| term(f.name, stem)).collect();
            clauses.push(boosted(Box::new(PhraseQuery::new(phrase)), 2.0));
        }
        clauses
    }

    /// Runs the query once: the best candidates, the total, each need's
    /// group, and the facet counts.
    fn run(&self, searcher: &Searcher, asked: &Asked, keep: usize) -> Result<Found, SearchError> {
        let (q, now) = (asked.q, asked.now);
        let needs = &q.needs;
        let clauses = self.text_clauses(asked, searcher);
        let has_text = !clauses.is_empty();
        // The words decide what matches, unscored; relevance is worked out
        // afterwards, clause by clause, only for what passes every filter
        // (scoring every match of a common word, most of which a radius or a
        // need then drops, cost more than the rest of a search).
        let text = has_text.then(|| -> Box<dyn Query> {
            Box::new(BooleanQuery::new(
                clauses.iter().map(|(query, _)| (Occur::Should, query.box_clone())).collect(),
            ))
        });
        let scoring = EnableScoring::enabled_from_searcher(searcher);
        let relevance = clauses
            .iter()
            .map(|(query, weight)| Ok((query.weight(scoring)?, *weight)))
            .collect::<tantivy::Result<Vec<_>>>()?;
        // Filters decide what matches, never how it ranks.
        let filters = self.filters(q);
        let mut must: Vec<(Occur, Box<dyn Query>)> = text.into_iter().map(|t| (Occur::Must, t)).collect();
        must.extend(filters.into_iter().map(|filter| (Occur::Must, filter)));
        let query: Box<dyn Query> = match must.len() {
            0 => Box::new(AllQuery),
            1 => must.remove(0).1,
            _ => Box::new(BooleanQuery::new(must)),
        };
        let conditions = Conditions {
            point: q.point,
            radius_m: q.radius_m,
            open_now_minute: (q.open == Some(Open::Now)).then(|| minute_number(now.naive_utc())),
            has_text,
            keep: keep.min(MAX_RESULTS),
            need_count: asked.taxonomy.len(),
            group_count: needs.len(),
        };
        // Each requested need's group: the need itself, or its children for a group of needs.
        let groups = group_masks(asked.taxonomy, needs)?;
        let fruit = searcher.search(&*query, &Matcher { c: conditions, groups, relevance })?;
        let facets = facets(asked.taxonomy, &fruit);
        let sorted = |heap: BinaryHeap<Candidate>| {
            let mut list = heap.into_vec();
            list.sort();
            list
        };
        Ok(Found {
            total: fruit.total,
            top: sorted(fruit.top),
            group_total: fruit.group_total,
            group_top: fruit.group_top.into_iter().map(sorted).collect(),
            facets,
        })
    }

    /// The filters a request asks for, each a query every result must match.
    fn filters(&self, q: &SearchRequest) -> Vec<Box<dyn Query>> {
        let (needs, f) = (&q.needs, &self.fields);
        let mut filters: Vec<Box<dyn Query>> = Vec::new();
        let text_term = |field, text: &str| Term::from_field_text(field, text);
        if !needs.is_empty() {
            filters.push(any_of(needs.iter().map(|n| text_term(f.need, n))));
        }
        if let (Some((lat, lon)), Some(radius)) = (q.point, q.radius_m) {
            let cover = cells::cover(lat, lon, radius).map(|c| c.cells).unwrap_or_default();
            let cells = cover.into_iter().map(u64::from).chain([EVERYWHERE_CELL]);
            filters.push(any_of(cells.map(|c| Term::from_field_u64(f.cells, c))));
        }
        if q.free {
            filters.push(any_of([Term::from_field_u64(f.free, 1)]));
        }
        if q.step_free {
            filters.push(any_of([Term::from_field_u64(f.step_free, 1)]));
        }
        if !q.referral.is_empty() {
            filters.push(any_of(q.referral.iter().map(|r| text_term(f.referral, r.code()))));
        }
        if q.taking_new {
            filters.push(any_of([text_term(f.capacity, Capacity::Taking.code())]));
        }
        if let Some(language) = &q.language {
            filters.push(any_of([text_term(f.language, &language.to_lowercase())]));
        }
        if let Some(mode) = q.delivery {
            filters.push(any_of([text_term(f.delivery, mode.code())]));
        }
        if let Some(age) = q.age {
            let age = u64::from(age);
            let range = |field, lower: Bound<u64>, upper: Bound<u64>| -> Box<dyn Query> {
                let term = |v| Term::from_field_u64(field, v);
                Box::new(RangeQuery::new(lower.map(term), upper.map(term)))
            };
            filters.push(range(f.min_age, Bound::Unbounded, Bound::Included(age)));
            filters.push(range(f.max_age, Bound::Included(age), Bound::Unbounded));
        }
        if let Some(Open::On(day)) = q.open {
            filters.push(any_of([text_term(f.weekday, schedule::day_code(day))]));
        }
        if !q.days.is_empty() {
            filters.push(any_of(q.days.iter().map(|&day| text_term(f.weekday, schedule::day_code(day)))));
        }
        filters
    }

    /// Turns candidates into results from their records; a result already
    /// made for this search (`made`) is reused.
    fn hits(
        &self,
        snapshot: &Snapshot,
        asked: &Asked,
        candidates: &[Candidate],
        offset: usize,
        count: usize,
        made: &mut HashMap<DocAddress, Hit>,
    ) -> Vec<Hit> {
        let mut hits = Vec::new();
        for candidate in candidates.iter().skip(offset).take(count) {
            if let Some(hit) = made.get(&candidate.address) {
                hits.push(hit.clone());
                continue;
            }
            let Some(record) = snapshot.record(candidate.address) else { continue };
            let hit = Hit {
                url: format!("/services/{}", record.id),
                id: record.id,
                name: record.name.clone(),
                organisation: record.organisation.clone(),
                distance_m: candidate.distance_m.map(|d| d.round() as u32),
                needs: record.needs.clone(),
                referral: record.referral.code(),
                capacity: record.capacity.map(Capacity::code),
                why: self.why(record, candidate, asked),
                next_session: snapshot.next_session(candidate.address, asked.now).map(|s| s.describe()),
                listed_by: record.listed_by.clone(),
                score: candidate.score,
            };
            made.insert(candidate.address, hit.clone());
            hits.push(hit);
        }
        hits
    }

    fn why(&self, record: &Record, candidate: &Candidate, asked: &Asked) -> Vec<String> {
        let Asked { q, taxonomy, words, named, .. } = *asked;
        let mut why = Vec::new();
        for slug in q.needs.iter().filter(|n| record.needs.contains(n)) {
            why.push(format!("Helps with {}", taxonomy.label_of(slug).to_lowercase()));
        }
        for (ord, said) in named {
            let need = &taxonomy[*ord];
            if record.needs.contains(&need.slug) && !q.needs.contains(&need.slug) {
                why.push(format!(
                    "Helps with {} (you said \u{201c}{said}\u{201d})",
                    need.label.to_lowercase()
                ));
            }
        }
        if !words.is_empty() {
            let mentioned = self.mentioned(&format!("{} {}", record.name, record.description), words);
            if !mentioned.is_empty() {
                why.push(format!("Mentions \u{201c}{}\u{201d}", mentioned.join("\u{201d}, \u{201c}")));
            }
        }
        match (q.point, candidate.distance_m) {
            (Some(_), Some(d)) if d < 1_000.0 => why.push(format!("{} m away", (d / 10.0).round() * 10.0)),
            (Some(_), Some(d)) => why.push(format!("{:.1} km away", d / 1_000.0)),
            (Some(_), None) => why.push(String::from(reach(record))),
            _ => {}
        }
        match q.open {
            Some(Open::Now) => why.push(String::from("Open now")),
            Some(Open::On(day)) => why.push(format!("Meets on {}s", schedule::day_name(day))),
            None => {}
        }
        why
    }
}

/// Each requested need's group (the need itself, or its children for a
/// group of needs), as, for each need's place in the taxonomy, a bit for
/// each group it falls in: a match's groups are then an OR per need.
fn group_masks(taxonomy: &Taxonomy, needs: &[String]) -> Result<Vec<u64>, SearchError> {
    if needs.len() > MAX_NEEDS_ASKED {
        return Err(SearchError::Io(format!("at most {MAX_NEEDS_ASKED} needs can be asked at once")));
    }
    let mut masks = vec![0u64; taxonomy.len()];
    for (g, slug) in needs.iter().enumerate() {
        let id = taxonomy.by_slug(slug).map(|n| n.id);
        for (mask, need) in masks.iter_mut().zip(taxonomy.iter()) {
            if Some(need.id) == id || (need.parent.is_some() && need.parent == id) {
                *mask |= 1 << g;
            }
        }
    }
    Ok(masks)
}

/// How many of the matches fall under each need, each delivery mode, and free.
fn facets(taxonomy: &Taxonomy, fruit: &Fruit) -> Facets {
    Facets {
        needs: taxonomy
            .iter()
            .zip(&fruit.needs)
            .filter(|(need, count)| need.parent.is_some() && **count > 0)
            .map(|(need, count)| (need.slug.clone(), *count))
            .collect(),
        delivery: DeliveryMode::ALL
            .iter()
            .zip(fruit.delivery)
            .filter(|(_, count)| *count > 0)
            .map(|(mode, count)| (mode.code().to_string(), count))
            .collect(),
        free: fruit.free,
    }
}

/// Documents holding any of `terms` (all of one field): one term is looked
/// up alone, several are read into a bitset.
fn any_of(terms: impl IntoIterator<Item = Term>) -> Box<dyn Query> {
    let mut terms: Vec<Term> = terms.into_iter().collect();
    if terms.len() == 1 {
        return Box::new(TermQuery::new(terms.remove(0), IndexRecordOption::Basic));
    }
    match AnyTermQuery::new(terms) {
        Some(query) => Box::new(query),
        None => Box::new(EmptyQuery),
    }
}

impl SearchIndex {
    /// Which of the query's words (as typed) `text` uses, in any form.
    ///
    /// Stemming every word of every result would cost more than the search
    /// itself, so a word of `text` is only stemmed when it could become one of
    /// the query's stems: English stems keep their word's first letter and are
    /// never longer than it.
    fn mentioned<'w>(&self, text: &str, words: &'w [(String, String)]) -> Vec<&'w str> {
        let mut found = vec![false; words.len()];
        for word in text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()) {
            let lower = word.to_lowercase();
            let could_be =
                |stem: &str| stem.chars().next() == lower.chars().next() && stem.len() <= lower.len();
            if !words.iter().any(|(_, stem)| could_be(stem)) {
                continue;
            }
            for stem in self.tokens(&lower) {
                for (n, (_, wanted)) in words.iter().enumerate() {
                    found[n] |= *wanted == stem;
                }
            }
        }
        words.iter().zip(found).filter(|(_, f)| *f).map(|((raw, _), _)| raw.as_str()).collect()
    }
}

/// How a service with no distance reaches people.
fn reach(record: &Record) -> &'static str {
    let has = |mode| record.delivery.contains(&mode);
    if has(DeliveryMode::HomeVisit) {
        "Comes to you"
    } else if has(DeliveryMode::Phone) && !has(DeliveryMode::InPerson) {
        "By phone, wherever you are"
    } else if has(DeliveryMode::Online) && !has(DeliveryMode::InPerson) {
        "Online, wherever you are"
    } else if record.area == ServiceArea::National {
        "Serves the whole country"
    } else {
        "Serves the whole borough"
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use tantivy::collector::TopDocs;
    use tantivy::query::BoostQuery;

    use super::*;
    use crate::domain::ids::ServiceId;

    /// The relevance the collector works out, clause by clause and only for
    /// the matches, is the score tantivy gives the same clauses as one
    /// boosted boolean query, for every match.
    #[test]
    fn relevance_is_the_score_tantivy_gives_the_same_clauses() {
        let dir = tempfile::tempdir().unwrap();
        let now = Utc::now();
        let today = now.date_naive();
        let demo = crate::demo::generate(crate::demo::DemoSize::DEMO, today).unwrap();
        let taxonomy = Taxonomy::new(crate::domain::needs::parse(crate::domain::needs::BUILT_IN).unwrap());
        let (index, _) = SearchIndex::open(dir.path()).unwrap();
        index.rebuild(&demo.searchable(), &taxonomy, today, 0).unwrap();
        for text in
            ["lunch club", "carers support group", "memory cafe", "lonely", "benefit advise", "walking"]
        {
            let q = SearchRequest { text: text.into(), per_page: 100, ..SearchRequest::default() };
            let ours = index.search(&q, &taxonomy, now).unwrap();
            let words = index.words(text);
            let named = index.needs_named(&words, &taxonomy);
            let asked = Asked { q: &q, taxonomy: &taxonomy, words: &words, named: &named, now };
            let snapshot = index.snapshot();
            let clauses = index.text_clauses(&asked, &snapshot.searcher);
            let boosted: Vec<(Occur, Box<dyn Query>)> = clauses
                .into_iter()
                .map(|(query, weight)| {
                    (Occur::Should, Box::new(BoostQuery::new(query, weight)) as Box<dyn Query>)
                })
                .collect();
            let reference = snapshot
                .searcher
                .search(&BooleanQuery::new(boosted), &TopDocs::with_limit(10_000).order_by_score())
                .unwrap();
            let scores: HashMap<ServiceId, f32> = reference
                .iter()
                .filter_map(|(score, address)| snapshot.record(*address).map(|r| (r.id, *score)))
                .collect();
            assert!(!ours.results.is_empty(), "{text} finds something");
            assert_eq!(ours.total as usize, scores.len(), "{text}: the same matches");
            for hit in &ours.results {
                // Without a place, a score is relevance times freshness (1, or 0.85 when overdue).
                let ratio = hit.score / scores[&hit.id];
                assert!(
                    (ratio - 1.0).abs() < 1e-4 || (ratio - 0.85).abs() < 1e-4,
                    "{text}: {} scored {} where tantivy gives {}",
                    hit.name,
                    hit.score,
                    scores[&hit.id]
                );
            }
        }
    }
}
