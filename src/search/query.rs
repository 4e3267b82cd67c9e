//! Answering a search: words, needs, a place and filters in; ranked results,
//! results grouped by need, unmet needs and facet counts out, each result
//! saying why it matched.
//!
//! Words never reach a query parser: they are split and stemmed by the same
//! analyser as the index, so nothing typed can be a syntax error. Every word
//! may match a name, a need's label, an organisation or a description; words
//! of five letters or more also match with one typo. A caller's everyday
//! phrase ("no one to talk to") names the need it belongs to, whole (one of
//! its words alone is not it), and a need a person gave a service weighs
//! most; a listing that says something in the same sense of the need as the
//! words ("fitness suite" for "gym") is a closer match than one that only
//! has the need. An age said ("my 8 year old") prefers what is for that age.
//! Ranking multiplies text relevance by the square of how much of what was
//! asked a result covers, a distance factor (one serving everywhere counts
//! as near if its words name the area) and a freshness factor, with close
//! matches (and, when a day is asked, those known to meet then) first; a
//! radius is only a cut-off when the person chose one.

use std::collections::BinaryHeap;
use std::ops::Bound;
use std::sync::Arc;

use chrono::{DateTime, Datelike, Utc, Weekday};
use tantivy::query::{
    AllQuery, BooleanQuery, EmptyQuery, EnableScoring, FuzzyTermQuery, Occur, PhraseQuery, Query, RangeQuery,
    TermQuery,
};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, Searcher, Term};

use super::any_term::{AnyTermQuery, CommonTerms};
use super::collector::{Candidate, Conditions, Fruit, Matcher, Scoring};
use super::document::{Cost, EVENING, UNTIMED_DAY, minute_number};
use super::within::WithinQuery;
use super::{Named, Record, SearchError, SearchIndex, Snapshot, words};
use crate::domain::directory::{Capacity, DeliveryMode, ServiceArea};
use crate::domain::needs::Taxonomy;
use crate::domain::schedule;
use crate::domain::search::{
    Facets, Group, Hit, MAX_NEEDS_ASKED, MAX_RESULTS, Open, SearchRequest, SearchResults, away,
};
use crate::geo::cells;

/// The most words of a query that are searched for (joining words not
/// counted); with joining words, other spellings and words an age implies, a
/// query holds at most twice as many.
const MAX_WORDS: usize = 12;
/// The most parts of what was asked that a match is checked for.
pub(super) const MAX_SLOTS: usize = 16;
/// How much of the words that named a need a match covers by having the
/// need, by how it has it: given it by a person; read from its own words,
/// which are about it (its name names it, or its words name it in two ways
/// or more: "homeless" and "rough sleepers"); or read from a passing
/// mention ("work experience" in an archaeology society's activities).
struct NeedCredit {
    given: f32,
    read_about: f32,
    read_passing: f32,
    /// Its own words say something in the same sense of the need as the
    /// words that named it ("fitness suite" for "gym"; see `Need::senses`).
    sense: f32,
}

/// For a word that names a need ("swim" names physical activity; a gym has
/// that need but does not say "swim"): less than saying it, so the services
/// that say the specific word come first among those with the need, and
/// nearly as much for saying something in its sense ("swimming pool").
const WORD_NEED: NeedCredit = NeedCredit { given: 0.6, read_about: 0.5, read_passing: 0.3, sense: 0.9 };
/// For a caller's everyday phrase ("someone to talk to"), which says the
/// need itself: having the need covers all of it, and a listing whose own
/// words are about the need is a close match.
const PHRASE_NEED: NeedCredit = NeedCredit { given: 1.0, read_about: 0.7, read_passing: 0.3, sense: 1.0 };
/// How much a need named weighs in a match's relevance, against 1 for a
/// word in a description, by how the match has it. A listing whose own
/// words are about the need (all a charity register gives) is nearly as
/// sure as one a person gave it; one mentioned in passing is not. Saying
/// something in the sense of the words that named it adds to any of these.
const NEED_WEIGHT: NeedCredit = NeedCredit { given: 8.0, read_about: 6.0, read_passing: 2.0, sense: 4.0 };
/// How much of a word a match with one typo covers.
const TYPO_CREDIT: f32 = 0.8;
/// How much of such a phrase a match covers by saying one of its words
/// alone: "talks on local history" is not someone to talk to.
const PHRASE_WORD_CREDIT: f32 = 0.5;
/// The least a part of what was asked must be covered by for a close match:
/// said in a listing's words (or with one typo), or the need a person gave
/// it, or a need a phrase named that its words are about; not a need only
/// read from its words otherwise, nor one word of a phrase.
pub(super) const CLOSE_CREDIT: f32 = WORD_NEED.given;
/// How much an age said in words counts, against 1 for a word that says
/// what is wanted: it prefers what is for that age ("junior", "youth")
/// among what the words ask for.
const AGE_WEIGHT: f32 = 0.5;
/// How much a parent or grandparent spoken of counts as older age ("my
/// dad"): a guess, worth half an age said.
const RELATIVE_WEIGHT: f32 = 0.25;

/// One word of a query: as typed, its stem, how much it counts (see
/// `words::weight`), and the parts of what was asked (slots) that a match
/// on it covers: its own, or for a word written two ways ("well-being",
/// "wellbeing") the slots of the words it stands for.
#[derive(Clone, Debug)]
pub(super) struct Word {
    pub raw: String,
    pub stem: String,
    pub weight: f32,
    pub covers: u16,
    /// Not typed but implied by an age said ("junior" for an 8 year old).
    pub implied: bool,
    /// How much of its slots a match on it covers (see `PHRASE_WORD_CREDIT`).
    pub credit: f32,
}

impl Word {
    /// A word as typed (or another way of writing one typed).
    fn typed(raw: &str, stem: String, weight: f32, covers: u16) -> Word {
        Word { raw: raw.to_string(), stem, weight, covers, implied: false, credit: 1.0 }
    }

    /// A word an age said implies ("junior" for an 8 year old), counting `weight`.
    fn implied(raw: &str, stem: String, weight: f32, covers: u16) -> Word {
        Word { implied: true, ..Word::typed(raw, stem, weight, covers) }
    }
}

/// What a query's text says, worked out once: its words, how much each
/// part of it counts, and the needs its everyday words name.
#[derive(Clone, Debug, Default)]
pub(super) struct Reading {
    pub words: Vec<Word>,
    /// How much each slot counts.
    pub slots: Vec<f32>,
    /// The needs named, each with the slots of the words that named it.
    pub named: Vec<(Named, u16)>,
    /// The stems in the order typed, a hyphenated word in its parts.
    pub sequence: Vec<String>,
    /// The same without the words that only say whose or how much (see
    /// `words::FILLERS`), which the needs' phrases are matched against.
    pub gist: Vec<String>,
    /// The times and age the words say.
    pub said: words::Said,
    /// The slot of the age said, if one was (see `age_implies`).
    pub age_slot: u16,
}

impl Reading {
    /// How much the part of what was asked that counts most among `slots` counts.
    pub(super) fn weight_of(&self, slots: u16) -> f32 {
        let counted = self.slots.iter().enumerate().filter(|(n, _)| slots & 1 << n != 0);
        counted.map(|(_, weight)| *weight).fold(0.0, f32::max)
    }

    /// The slots a close match must cover: those of the words that say
    /// most of what is wanted (not generic words, nor an age said), or,
    /// when there are none, whatever there is.
    pub(super) fn required(&self) -> u16 {
        let words = || self.slots.iter().enumerate().filter(|(n, _)| self.age_slot & 1 << n == 0);
        let strongest = words().map(|(_, w)| *w).fold(0.0, f32::max);
        let required = words().filter(|(_, w)| **w >= strongest && **w > 0.0).fold(0, |m, (n, _)| m | 1 << n);
        if required == 0 { self.age_slot } else { required }
    }
}

/// A search as asked, with its words worked out once.
#[derive(Clone, Copy)]
struct Asked<'a> {
    q: &'a SearchRequest,
    taxonomy: &'a Taxonomy,
    reading: &'a Reading,
    /// The area's name, for results that serve all of it.
    area: &'a str,
    now: DateTime<Utc>,
}

impl Asked<'_> {
    /// Whether a day or a time of day was asked for, as a filter or in words.
    fn on_a_day(&self) -> bool {
        let (q, said) = (self.q, &self.reading.said);
        matches!(q.open, Some(Open::On(_))) || !q.days.is_empty() || !said.days.is_empty() || said.evening
    }

    /// Whether something free was asked for, as a filter or in words.
    fn free(&self) -> bool {
        self.q.free || self.reading.said.free
    }
}

/// One clause of a query's text: what it matches, its weight, and the
/// slots of what was asked that a match covers, and how fully.
pub(super) struct Clause {
    query: Box<dyn Query>,
    weight: f32,
    covers: u16,
    credit: f32,
    /// Whether it can find a document no other clause finds; one that
    /// cannot (the words as a phrase in names, each word of which is looked
    /// for in names already) only scores.
    finds: bool,
}

/// One pass's findings, sorted best first.
struct Found {
    total: u64,
    close: u64,
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
        area: &str,
        now: DateTime<Utc>,
    ) -> Result<SearchResults, SearchError> {
        let snapshot = self.snapshot();
        let today = now.with_timezone(&chrono_tz::Europe::London).weekday();
        let reading = self.read(&q.text, q.age, taxonomy, Some(&snapshot.searcher), today);
        let asked = Asked { q, taxonomy, reading: &reading, area, now };
        let per_page = q.per_page.clamp(1, 100);
        let offset = (q.page.max(1) - 1) * per_page;
        let found = self.run(&snapshot, &asked, offset + per_page)?;
        let page: Vec<(DocAddress, Hit)> = found
            .top
            .iter()
            .skip(offset)
            .take(per_page)
            .filter_map(|c| Some((c.address, self.hit(&snapshot, &asked, c)?)))
            .collect();
        // A result on the page and in a need's group is made once.
        let made = |c: &Candidate| page.iter().find(|(at, _)| *at == c.address).map(|(_, hit)| hit.clone());
        let mut groups = Vec::new();
        let mut unmet = Vec::new();
        for ((slug, top), total) in q.needs.iter().zip(found.group_top).zip(found.group_total) {
            if total == 0 {
                unmet.push(slug.clone());
            }
            let results =
                top.iter().filter_map(|c| made(c).or_else(|| self.hit(&snapshot, &asked, c))).collect();
            groups.push(Group {
                need: slug.clone(),
                label: taxonomy.label_of(slug).to_string(),
                total,
                results,
            });
        }
        let results = page.into_iter().map(|(_, hit)| hit).collect();
        Ok(SearchResults {
            total: found.total,
            close: found.close,
            understood: reading.said.readings.clone(),
            urgent: super::urgent_in(&q.text),
            results,
            groups,
            unmet,
            facets: found.facets,
        })
    }

    /// Reads a query's text: its words (stemmed, without repeats, the
    /// words that only join a sentence kept for phrases but not searched
    /// for), the slots they fill, and the needs its everyday words name.
    /// With the index's `searcher`, a word written two ways is looked for
    /// both ways: two words the index knows as one ("day centre",
    /// "daycentre"), or one it does not know as two it does. An `age`
    /// asked beside the words counts as if they said it, over any they do.
    pub(super) fn read(
        &self,
        text: &str,
        age: Option<u32>,
        taxonomy: &Taxonomy,
        searcher: Option<&Searcher>,
        today: Weekday,
    ) -> Reading {
        let mut reading = Reading::default();
        let pieces: Vec<words::Piece> = words::split(text).into_iter().take(MAX_WORDS * 2).collect();
        reading.said = words::said(&pieces, today);
        if let Some(age) = age.filter(|&age| reading.said.age != Some(age)) {
            reading.said.age = Some(age);
            reading.said.age_or_over = false;
            reading.said.age_said = format!("aged {age}");
        }
        let mut analyzer = self.analyzer();
        // Each piece's stems, and the slot each fills.
        let mut slot_of: Vec<(String, Option<usize>)> = Vec::new();
        let mut parts: Vec<(String, Option<usize>)> = Vec::new();
        let cause_at = words::cause_at(&pieces).unwrap_or(usize::MAX);
        for (n, piece) in pieces.iter().enumerate() {
            // Times and ages are asked for, not looked for; a cause counts less.
            let weight = match words::weight(&piece.text) {
                _ if reading.said.read.contains(&n) => 0.0,
                weight if n > cause_at => weight * words::CAUSE,
                weight => weight,
            };
            for stem in super::stem(&mut analyzer, &piece.text) {
                if piece.joins == 0 {
                    reading.sequence.push(stem.clone());
                    if !words::filler(&piece.text) {
                        reading.gist.push(stem.clone());
                    }
                }
                if let Some((_, slot)) = slot_of.iter().find(|(s, _)| *s == stem) {
                    parts.push((stem, *slot));
                    continue;
                }
                if reading.words.iter().filter(|w| w.covers != 0).count() >= MAX_WORDS
                    || reading.words.len() >= MAX_WORDS * 2
                {
                    continue;
                }
                let joined = parts
                    .iter()
                    .rev()
                    .take(piece.joins)
                    .filter_map(|(_, slot)| *slot)
                    .fold(0, |m, s| m | 1 << s);
                let covers = if piece.joins > 0 && joined != 0 {
                    // A hyphenated word whole covers what its parts do.
                    joined
                } else if weight > 0.0 && reading.slots.len() < MAX_SLOTS {
                    reading.slots.push(weight);
                    1 << (reading.slots.len() - 1)
                } else {
                    0
                };
                let slot = (joined == 0 && covers != 0).then(|| reading.slots.len() - 1);
                let weight = if piece.joins > 0 && joined != 0 { 1.0 } else { weight };
                reading.words.push(Word::typed(&piece.text, stem.clone(), weight, covers));
                slot_of.push((stem.clone(), slot));
                if piece.joins == 0 {
                    parts.push((stem, slot));
                }
            }
        }
        // Nothing but joining words ("where to"): then each counts, unless
        // the words said a time or an age, which is then all they ask.
        if reading.slots.is_empty() && reading.said.read.is_empty() {
            for word in reading.words.iter_mut().filter(|w| w.covers == 0).take(MAX_SLOTS) {
                reading.slots.push(1.0);
                word.weight = 1.0;
                word.covers = 1 << (reading.slots.len() - 1);
            }
        }
        if let Some(searcher) = searcher {
            self.compounds(&mut reading, searcher);
        }
        let slots_at = |at: std::ops::Range<usize>, reading: &Reading| {
            let stems = &reading.gist[at];
            reading.words.iter().filter(|w| stems.contains(&w.stem)).fold(0u16, |m, w| m | w.covers)
        };
        let named = self.need_terms(taxonomy).named_in(&reading.gist);
        reading.named = named.into_iter().map(|n| (n.clone(), slots_at(n.at.clone(), &reading))).collect();
        // A word that is only part of a phrase naming a need is not the need.
        let in_phrases = reading.named.iter().filter(|(n, _)| n.phrase).fold(0u16, |m, (_, slots)| m | slots);
        for word in reading.words.iter_mut().filter(|w| w.covers != 0 && w.covers & !in_phrases == 0) {
            word.credit = PHRASE_WORD_CREDIT;
        }
        self.age_implies(&mut reading, taxonomy);
        reading
    }

    /// An age said in words is a part of what is asked, though less than
    /// what the words say: covered by what is for that age, by its words
    /// ("junior", "youth") or its need. A parent or grandparent spoken of
    /// ("my dad") is older age, counting less.
    fn age_implies(&self, reading: &mut Reading, taxonomy: &Taxonomy) {
        let (age, or_over, weight) = match reading.said.age {
            Some(age) => (age, reading.said.age_or_over, AGE_WEIGHT),
            None if reading.said.older_relative => (words::OLDER_AGE, false, RELATIVE_WEIGHT),
            None => return,
        };
        let (implied, need) = words::for_age(age, or_over);
        if implied.is_empty() || reading.slots.len() >= MAX_SLOTS {
            return;
        }
        reading.slots.push(weight);
        let covers = 1 << (reading.slots.len() - 1);
        reading.age_slot = covers;
        for word in implied {
            for stem in self.tokens(word) {
                let room = reading.words.len() < MAX_WORDS * 2;
                match reading.words.iter_mut().find(|w| w.stem == stem) {
                    // "youth club for my 14 year old": "youth" says the age too.
                    Some(typed) if typed.covers != 0 => typed.covers |= covers,
                    Some(_) => {}
                    None if room => {
                        reading.words.push(Word::implied(word, stem, weight, covers));
                    }
                    None => {}
                }
            }
        }
        let Some((ord, _)) = need.and_then(|slug| taxonomy.iter().enumerate().find(|(_, n)| n.slug == slug))
        else {
            return;
        };
        match reading.named.iter_mut().find(|(named, _)| named.ord == ord) {
            Some((_, slots)) => *slots |= covers,
            None => {
                let named =
                    Named { ord, term: reading.said.age_said.clone(), at: 0..0, phrase: false, sense: None };
                reading.named.push((named, covers));
            }
        }
    }

    /// Adds the other way of writing a word: two typed words the index
    /// knows written as one ("day centre" as "daycentre"), covering both;
    /// one typed word the index does not know that is two it does
    /// ("daycentre" as "day" and "centre"), covering it.
    fn compounds(&self, reading: &mut Reading, searcher: &Searcher) {
        let f = &self.fields;
        let known = |word: &str| {
            [f.name_words, f.words]
                .iter()
                .any(|&field| searcher.doc_freq(&Term::from_field_text(field, word)).unwrap_or(0) > 0)
        };
        let mut more = Vec::new();
        for pair in reading.words.windows(2) {
            let (a, b) = (&pair[0], &pair[1]);
            let joined = format!("{}{}", a.raw, b.raw);
            if a.covers != 0 && b.covers != 0 && known(&joined) {
                for stem in self.tokens(&joined) {
                    more.push(Word::typed(&joined, stem, 1.0, a.covers | b.covers));
                }
            }
        }
        for word in reading.words.iter().filter(|w| w.covers != 0 && w.raw.chars().count() >= 6) {
            if known(&word.raw) {
                continue;
            }
            let chars: Vec<char> = word.raw.chars().collect();
            let split = (3..=chars.len() - 3).find_map(|at| {
                let (a, b): (String, String) = (chars[..at].iter().collect(), chars[at..].iter().collect());
                (known(&a) && known(&b)).then_some((a, b))
            });
            if let Some((a, b)) = split {
                for half in [a, b] {
                    let weight = words::weight(&half);
                    for stem in self.tokens(&half) {
                        more.push(Word::typed(&half, stem, weight, word.covers));
                    }
                }
            }
        }
        for word in reading.words.iter().filter(|w| w.covers != 0) {
            for other in words::variants(&word.raw) {
                let stems = self.tokens(other);
                if stems.len() == 1 {
                    more.push(Word::typed(other, stems[0].clone(), word.weight, word.covers));
                }
            }
        }
        for word in more {
            if reading.words.len() < MAX_WORDS * 2 && !reading.words.iter().any(|w| w.stem == word.stem) {
                reading.words.push(word);
            }
        }
    }

    /// The needs (slugs, of the taxonomy's second level) whose words or
    /// everyday phrases appear in `text`: "my husband has dementia and I
    /// can't cope" names memory and dementia, and support for carers.
    pub fn needs_named_in(&self, text: &str, taxonomy: &Taxonomy) -> Vec<String> {
        let mut named: Vec<usize> =
            self.need_terms(taxonomy).named_in(&self.stems(text)).into_iter().map(|n| n.ord).collect();
        named.sort_unstable();
        named
            .into_iter()
            .filter_map(|ord| taxonomy.get(ord))
            .filter(|need| need.parent.is_some())
            .map(|need| need.slug.clone())
            .collect()
    }

    /// The text's clauses, each with its weight: every word in each field, a
    /// typo-tolerant match for words the index does not know, the needs the
    /// words name, and the words as a phrase in names. A result's relevance is
    /// the sum of its matching clauses' scores, each times its weight.
    fn text_clauses(&self, asked: &Asked, searcher: &Searcher) -> Vec<Clause> {
        let reading = asked.reading;
        let f = &self.fields;
        let term = |field, text: &str| Term::from_field_text(field, text);
        let mut clauses: Vec<Clause> = Vec::new();
        let mut add = |query: Box<dyn Query>, weight: f32, covers: u16, credit: f32| {
            clauses.push(Clause { query, weight, covers, credit, finds: true });
        };
        for word in reading.words.iter().filter(|w| w.covers != 0) {
            for (field, weight) in
                [(f.name, 1.5), (f.needs_text, 2.0), (f.organisation, 1.5), (f.description, 1.0)]
            {
                // A need's label says what kind of need it is: a generic word
                // ("support", "group") in it is not what the listing does.
                if field == f.needs_text && words::weight(&word.raw) < 1.0 {
                    continue;
                }
                let exact = TermQuery::new(term(field, &word.stem), IndexRecordOption::WithFreqs);
                add(Box::new(exact), weight * word.weight, word.covers, word.credit);
            }
            // A typo is only looked for when the word as typed is not in the
            // index at all: a word spelled right needs no guessing (and
            // guessing costs more than everything else in a query).
            let known = || {
                [f.name_words, f.words]
                    .iter()
                    .any(|&field| searcher.doc_freq(&term(field, &word.raw)).unwrap_or(0) > 0)
            };
            if word.weight >= 1.0 && word.raw.chars().count() >= 5 && !known() {
                for (field, weight) in [(f.name_words, 1.5), (f.words, 0.8)] {
                    let fuzzy = FuzzyTermQuery::new(term(field, &word.raw), 1, true);
                    add(Box::new(fuzzy), weight, word.covers, TYPO_CREDIT * word.credit);
                }
            }
        }
        for (named, covers) in &reading.named {
            let slug = &asked.taxonomy[named.ord].slug;
            let credit = if named.phrase { &PHRASE_NEED } else { &WORD_NEED };
            // A need counts as much as the words that named it: a cause
            // ("since mum died") or an age said, less than what is felt.
            let counts = reading.weight_of(*covers);
            let need = TermQuery::new(term(f.need, slug), IndexRecordOption::Basic);
            add(Box::new(need), NEED_WEIGHT.given * counts, *covers, credit.given);
            let read_about = TermQuery::new(term(f.read_need_about, slug), IndexRecordOption::Basic);
            add(Box::new(read_about), NEED_WEIGHT.read_about * counts, *covers, credit.read_about);
            let read_need = TermQuery::new(term(f.read_need, slug), IndexRecordOption::Basic);
            add(Box::new(read_need), NEED_WEIGHT.read_passing * counts, *covers, credit.read_passing);
            if let Some(sense) = named.sense {
                let key = super::sense_key(slug, sense);
                let close = TermQuery::new(term(f.read_sense, &key), IndexRecordOption::Basic);
                add(Box::new(close), NEED_WEIGHT.sense * counts, *covers, credit.sense);
            }
        }
        let phrase = &reading.sequence[..reading.sequence.len().min(MAX_WORDS)];
        let everything = reading.words.iter().fold(0, |m, w| m | w.covers);
        if phrase.len() >= 2 && everything != 0 {
            let terms: Vec<Term> = phrase.iter().map(|stem| term(f.name, stem)).collect();
            add(Box::new(PhraseQuery::new(terms)), 2.0, everything, 1.0);
            // A name holding the phrase holds its words, and one that is
            // searched for finds it: matching the phrase finds nothing more.
            let searched = |stem: &String| reading.words.iter().any(|w| w.covers != 0 && w.stem == *stem);
            if phrase.iter().any(searched)
                && let Some(clause) = clauses.last_mut()
            {
                clause.finds = false;
            }
        }
        clauses
    }

    /// What matches the services whose name, description or organisation's
    /// name names `area` ("Trafford", "Age Well Kingsmere"); nothing when
    /// the area has no name of its own.
    fn names_area(&self, area: &str) -> Option<Box<dyn Query>> {
        let stems = self.tokens(area);
        if stems.is_empty() || area == crate::config::UNNAMED_AREA {
            return None;
        }
        let f = &self.fields;
        let in_field = |field| -> Box<dyn Query> {
            let terms: Vec<Term> = stems.iter().map(|s| Term::from_field_text(field, s)).collect();
            match terms.len() {
                1 => Box::new(TermQuery::new(terms[0].clone(), IndexRecordOption::Basic)),
                _ => Box::new(PhraseQuery::new(terms)),
            }
        };
        Some(Box::new(BooleanQuery::new(vec![
            (Occur::Should, in_field(f.name)),
            (Occur::Should, in_field(f.description)),
            (Occur::Should, in_field(f.organisation)),
        ])))
    }

    /// Runs the query once: the best candidates, the total, each need's
    /// group, and the facet counts.
    fn run(&self, snapshot: &Snapshot, asked: &Asked, keep: usize) -> Result<Found, SearchError> {
        let (q, now, searcher) = (asked.q, asked.now, &snapshot.searcher);
        let needs = &q.needs;
        let clauses = self.text_clauses(asked, searcher);
        let has_text = !clauses.is_empty();
        // The words decide what matches, unscored; relevance is worked out
        // afterwards, clause by clause, only for what passes every filter
        // (scoring every match of a common word, most of which a radius or a
        // need then drops, cost more than the rest of a search).
        let text = has_text.then(|| -> Box<dyn Query> {
            Box::new(BooleanQuery::new(
                clauses.iter().filter(|c| c.finds).map(|c| (Occur::Should, c.query.box_clone())).collect(),
            ))
        });
        let scoring = EnableScoring::enabled_from_searcher(searcher);
        let relevance = clauses
            .iter()
            .map(|c| {
                Ok(Scoring {
                    weight: c.query.weight(scoring)?,
                    boost: c.weight,
                    covers: c.covers,
                    credit: c.credit,
                })
            })
            .collect::<tantivy::Result<Vec<_>>>()?;
        let mut slots = [0.0; MAX_SLOTS];
        for (slot, weight) in slots.iter_mut().zip(&asked.reading.slots) {
            *slot = *weight;
        }
        // Filters decide what matches, never how it ranks.
        let filters = self.filters(asked, snapshot);
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
            slots,
            required: asked.reading.required(),
            on_a_day: asked.on_a_day(),
            free: asked.free(),
            keep: keep.min(MAX_RESULTS),
            need_count: asked.taxonomy.len(),
            group_count: needs.len(),
        };
        // Each requested need's group: the need itself, or its children for a group of needs.
        let groups = group_masks(asked.taxonomy, needs)?;
        let names_area = self
            .names_area(asked.area)
            .map(|q| q.weight(EnableScoring::disabled_from_searcher(searcher)))
            .transpose()?;
        let fruit = searcher.search(
            &*query,
            &Matcher { c: conditions, columns: snapshot.columns.clone(), groups, relevance, names_area },
        )?;
        let facets = facets(asked.taxonomy, &fruit);
        let sorted = |heap: BinaryHeap<Candidate>| {
            let mut list = heap.into_vec();
            list.sort();
            list
        };
        Ok(Found {
            total: fruit.total,
            close: fruit.close,
            top: sorted(fruit.top),
            group_total: fruit.group_total,
            group_top: fruit.group_top.into_iter().map(sorted).collect(),
            facets,
        })
    }

    /// The filters a request asks for, each a query every result must match.
    fn filters(&self, asked: &Asked, snapshot: &Snapshot) -> Vec<Box<dyn Query>> {
        let (q, said, common) = (asked.q, &asked.reading.said, &snapshot.common);
        let (needs, f) = (&q.needs, &self.fields);
        let mut filters: Vec<Box<dyn Query>> = Vec::new();
        let text_term = |field, text: &str| Term::from_field_text(field, text);
        if !needs.is_empty() {
            filters.push(any_of(needs.iter().map(|n| text_term(f.need, n)), common));
        }
        if let (Some((lat, lon)), Some(radius)) = (q.point, q.radius_m) {
            let cover = cells::cover(lat, lon, radius).map(|c| c.cells).unwrap_or_default();
            let columns = snapshot.columns.clone();
            filters.push(Box::new(WithinQuery::new(&cover, f.other_cells, Arc::clone(common), columns)));
        }
        // Free finds the free and, after them, those whose cost is not
        // stated: many listings do not say.
        if asked.free() {
            filters.push(any_of(
                [Cost::Free, Cost::Unstated].map(|c| Term::from_field_u64(f.free, c as u64)),
                common,
            ));
        }
        if q.step_free {
            filters.push(any_of([Term::from_field_u64(f.step_free, 1)], common));
        }
        if !q.referral.is_empty() {
            filters.push(any_of(q.referral.iter().map(|r| text_term(f.referral, r.code())), common));
        }
        if q.taking_new {
            filters.push(any_of([text_term(f.capacity, Capacity::Taking.code())], common));
        }
        if let Some(language) = &q.language {
            filters.push(any_of([text_term(f.language, &language.to_lowercase())], common));
        }
        if let Some(mode) = q.delivery {
            filters.push(any_of([text_term(f.delivery, mode.code())], common));
        }
        if let Some(age) = said.age {
            let age = u64::from(age);
            let range = |field, lower: Bound<u64>, upper: Bound<u64>| -> Box<dyn Query> {
                let term = |v| Term::from_field_u64(field, v);
                Box::new(RangeQuery::new(lower.map(term), upper.map(term)))
            };
            filters.push(range(f.min_age, Bound::Unbounded, Bound::Included(age)));
            filters.push(range(f.max_age, Bound::Included(age), Bound::Unbounded));
        }
        // A day finds those that meet then and, after them, those whose
        // times are not known: many listings do not say.
        let untimed = || text_term(f.weekday, UNTIMED_DAY);
        if let Some(Open::On(day)) = q.open {
            filters.push(any_of([text_term(f.weekday, schedule::day_code(day)), untimed()], common));
        }
        if !q.days.is_empty() {
            let days = q.days.iter().map(|&day| text_term(f.weekday, schedule::day_code(day)));
            filters.push(any_of(days.chain([untimed()]), common));
        }
        // The times said in words: "tonight" is today's evening.
        let times: Vec<String> = match (said.days.is_empty(), said.evening) {
            (true, false) => Vec::new(),
            (true, true) => vec![String::from(EVENING)],
            (false, evening) => said
                .days
                .iter()
                .map(|&day| {
                    let code = schedule::day_code(day);
                    if evening { format!("{code}-{EVENING}") } else { code.to_string() }
                })
                .collect(),
        };
        if !times.is_empty() {
            filters.push(any_of(times.iter().map(|t| text_term(f.weekday, t)).chain([untimed()]), common));
        }
        filters
    }

    /// A candidate as a result, from its record.
    fn hit(&self, snapshot: &Snapshot, asked: &Asked, candidate: &Candidate) -> Option<Hit> {
        let record = snapshot.record(candidate.address)?;
        let reach = reach(record, candidate, asked.area);
        Some(Hit {
            url: format!("/services/{}", record.id),
            id: record.id,
            name: record.name.clone(),
            organisation: record.organisation.clone(),
            distance_m: candidate.distance_m.map(|d| d.round() as u32),
            needs: record.needs.clone(),
            referral: record.referral.code(),
            capacity: record.capacity.map(Capacity::code),
            why: self.why(record, candidate, asked, reach.as_deref()),
            reach,
            next_session: snapshot.next_session(candidate.address, asked.now).map(|s| s.describe()),
            listed_by: record.listed_by.clone(),
            score: candidate.score,
        })
    }

    fn why(&self, record: &Record, candidate: &Candidate, asked: &Asked, reach: Option<&str>) -> Vec<String> {
        let Asked { q, taxonomy, reading, .. } = *asked;
        let mut why = Vec::new();
        let helps = |slug: &String| record.needs.contains(slug) || record.read_needs.contains(slug);
        let says =
            |slug: &String| if record.needs.contains(slug) { "Helps with" } else { "Says it helps with" };
        for slug in q.needs.iter().filter(|n| helps(n)) {
            why.push(format!("{} {}", says(slug), taxonomy.label_of(slug).to_lowercase()));
        }
        for (named, _) in &reading.named {
            let need = &taxonomy[named.ord];
            if helps(&need.slug) && !q.needs.contains(&need.slug) {
                why.push(format!(
                    "{} {} (you said \u{201c}{}\u{201d})",
                    says(&need.slug),
                    need.label.to_lowercase(),
                    named.term
                ));
            }
        }
        // What it says that is close to what was asked, in other words.
        let other_words =
            |said: &str| self.stems(said).iter().any(|stem| !reading.words.iter().any(|w| w.stem == *stem));
        for (named, _) in &reading.named {
            let Some(sense) = named.sense else { continue };
            let key = super::sense_key(&taxonomy[named.ord].slug, sense);
            if let Some((_, said)) = record.senses.iter().find(|(k, said)| *k == key && other_words(said)) {
                why.push(format!("Says \u{201c}{said}\u{201d}, close to \u{201c}{}\u{201d}", named.term));
            }
        }
        let searched: Vec<&Word> = reading.words.iter().filter(|w| w.covers != 0 && !w.implied).collect();
        if !searched.is_empty() {
            let mentioned = self.mentioned(&format!("{} {}", record.name, record.description), &searched);
            if !mentioned.is_empty() {
                why.push(format!("Mentions \u{201c}{}\u{201d}", mentioned.join("\u{201d}, \u{201c}")));
            }
        }
        if let Some(reach) = reach.filter(|_| q.point.is_some()) {
            why.push(reach.to_string());
        }
        // The days asked for that it meets on, and whether every week.
        let said = &reading.said;
        let timed = !(asked.on_a_day() && candidate.facts.untimed());
        match q.open {
            Some(Open::Now) => why.push(String::from("Open now")),
            Some(Open::On(day)) if timed => {
                why.extend(record.meets.on(&[day], false).pop().map(|days| format!("Meets on {days}")));
            }
            _ => {}
        }
        if asked.free() && candidate.facts.cost_unstated() {
            why.push(String::from("Cost not stated: ask before going"));
        }
        if !timed {
            why.push(String::from("Times not listed: check before going"));
        } else if said.evening || !said.days.is_empty() {
            let days = record.meets.on(&said.days, said.evening);
            match (days.is_empty(), said.evening) {
                (true, true) if said.days.is_empty() => why.push(String::from("Meets in the evening")),
                (true, _) => {}
                (false, false) => why.push(format!("Meets on {}", days.join(" or "))),
                (false, true) => why.push(format!("Meets on {} in the evening", days.join(" or "))),
            }
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
fn any_of(terms: impl IntoIterator<Item = Term>, common: &Arc<CommonTerms>) -> Box<dyn Query> {
    let mut terms: Vec<Term> = terms.into_iter().collect();
    if terms.len() == 1 {
        return Box::new(TermQuery::new(terms.remove(0), IndexRecordOption::Basic));
    }
    match AnyTermQuery::new(terms, Arc::clone(common)) {
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
    fn mentioned<'w>(&self, text: &str, words: &[&'w Word]) -> Vec<&'w str> {
        let mut found = vec![false; words.len()];
        let mut analyzer = self.analyzer();
        for word in text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()) {
            let lower = word.to_lowercase();
            let could_be =
                |stem: &str| stem.chars().next() == lower.chars().next() && stem.len() <= lower.len();
            if !words.iter().any(|w| could_be(&w.stem)) {
                continue;
            }
            for stem in super::stem(&mut analyzer, &lower) {
                for (n, wanted) in words.iter().enumerate() {
                    found[n] |= wanted.stem == stem;
                }
            }
        }
        words.iter().zip(found).filter(|(_, f)| *f).map(|(w, _)| w.raw.as_str()).collect()
    }
}

/// How a result reaches the person: how far away its venue is, or, for
/// one with no distance, how it reaches them ("Serves all of Trafford").
/// Nothing for a local service when no place was given.
fn reach(record: &Record, candidate: &Candidate, area: &str) -> Option<String> {
    if let Some(d) = candidate.distance_m {
        let away = away(d.round() as u32);
        return Some(if record.by_contact_address {
            format!("Contact address {}", away.to_lowercase())
        } else {
            away
        });
    }
    if !candidate.facts.everywhere() {
        return None;
    }
    let has = |mode| record.delivery.contains(&mode);
    Some(if has(DeliveryMode::HomeVisit) {
        String::from("Comes to you")
    } else if has(DeliveryMode::Phone) && !has(DeliveryMode::InPerson) {
        String::from("By phone, wherever you are")
    } else if has(DeliveryMode::Online) && !has(DeliveryMode::InPerson) {
        String::from("Online, wherever you are")
    } else if record.area == ServiceArea::National {
        String::from("Serves the whole country")
    } else {
        format!("Serves all of {area}")
    })
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use tantivy::collector::TopDocs;
    use tantivy::query::BoostQuery;

    use super::*;
    use crate::domain::ids::ServiceId;

    /// The needs a text names, by slug.
    fn named(reading: &Reading, taxonomy: &Taxonomy) -> Vec<String> {
        reading.named.iter().map(|(n, _)| taxonomy[n.ord].slug.clone()).collect()
    }

    #[test]
    fn phrases_are_read_without_fillers_and_an_age_is_a_part_of_what_is_asked() {
        let dir = tempfile::tempdir().unwrap();
        let taxonomy = Taxonomy::new(crate::domain::needs::parse(crate::domain::needs::BUILT_IN).unwrap());
        let (index, _) = SearchIndex::open(dir.path()).unwrap();
        let read = |text: &str| index.read(text, None, &taxonomy, None, Weekday::Mon);
        // "my mum died" is said as "since mum died" too.
        let widower = read("my dad's lonely since mum died");
        assert_eq!(named(&widower, &taxonomy), ["loneliness", "bereavement", "older-age"]);
        // What is felt is what is asked; the cause after "since" counts
        // less, and need not be matched for a close match.
        let died = widower.words.iter().find(|w| w.raw == "died").unwrap();
        assert_eq!(widower.slots[died.covers.trailing_zeros() as usize], words::CAUSE);
        let lonely = widower.words.iter().find(|w| w.raw == "lonely").unwrap();
        assert_eq!(widower.required(), lonely.covers);
        assert_eq!(named(&read("new mum feeling really low"), &taxonomy), ["parenting", "mental-wellbeing"]);
        // An age said adds a part worth less than a word, which a match
        // need not cover to be close, covered by what is for that age.
        let football = read("football for my 8 year old");
        assert_eq!(football.slots, [1.0, AGE_WEIGHT]);
        assert_eq!(football.required(), 0b01, "football, not the age, makes a close match");
        assert!(football.words.iter().any(|w| w.raw == "junior" && w.implied && w.covers == 0b10));
        assert!(named(&football, &taxonomy).contains(&String::from("childrens-activities")));
        // Said alone, the age is what is asked; a word that says the age
        // covers it too.
        let evenings = read("somewhere for my 14 year old to go in the evenings");
        assert_eq!(evenings.required(), evenings.age_slot);
        let youth = read("youth club for my 14 year old");
        let typed = youth.words.iter().find(|w| w.raw == "youth").unwrap();
        assert!(!typed.implied && typed.covers & youth.age_slot != 0);
        // An age asked beside the words counts as said.
        let daughter = index.read(
            "my daughter is struggling with her mental health",
            Some(15),
            &taxonomy,
            None,
            Weekday::Mon,
        );
        assert_eq!(daughter.said.age, Some(15));
        assert!(named(&daughter, &taxonomy).contains(&String::from("young-people")));
        // A working-age adult's age asks nothing more; "over 60s" is older age.
        assert_eq!(read("aged 40").age_slot, 0);
        let over = read("free exercise for over 60s");
        assert!(named(&over, &taxonomy).contains(&String::from("older-age")));
        assert!(over.words.iter().all(|w| w.raw != "free" || w.covers == 0), "free is a cost, not a word");
        // A hyphenated term is found written whole too.
        assert_eq!(named(&read("Homestart"), &taxonomy), ["parenting"]);
        assert_eq!(named(&read("Home-Start"), &taxonomy), ["parenting"]);
        // English classes are a need of their own, not any course.
        assert_eq!(named(&read("English classes"), &taxonomy), ["english-language"]);
        assert_eq!(named(&read("I want to improve my English"), &taxonomy), ["english-language"]);
    }

    /// The demo's services in a new index, with the built-in taxonomy, as of now.
    fn demo_index() -> (tempfile::TempDir, SearchIndex, Taxonomy, DateTime<Utc>) {
        let dir = tempfile::tempdir().unwrap();
        let now = Utc::now();
        let demo = crate::demo::generate(crate::demo::DemoSize::DEMO, now.date_naive()).unwrap();
        let taxonomy = Taxonomy::new(crate::domain::needs::parse(crate::domain::needs::BUILT_IN).unwrap());
        let (index, _) = SearchIndex::open(dir.path()).unwrap();
        index.rebuild(&demo.searchable(), &taxonomy, now.date_naive(), 0).unwrap();
        (dir, index, taxonomy, now)
    }

    /// A caller's everyday phrase says its need whole: a service given that
    /// need matches it closely, one that only says a word of the phrase
    /// ("talks from respiratory nurses") does not; a synonym ("swimming")
    /// may be one thing within its need, and its word still counts whole.
    #[test]
    fn a_phrase_names_its_need_whole_and_one_of_its_words_alone_is_not_it() {
        let (_dir, index, taxonomy, now) = demo_index();
        let read = |text: &str| index.read(text, None, &taxonomy, None, Weekday::Mon);
        let talk = read("someone to talk to");
        assert!(talk.named.iter().any(|(n, _)| taxonomy[n.ord].slug == "loneliness" && n.phrase));
        assert!(talk.words.iter().filter(|w| w.covers != 0).all(|w| w.credit == PHRASE_WORD_CREDIT));
        // A phrase with a word that names a need alone is that word.
        for text in ["swimming", "go swimming", "had a stroke"] {
            let reading = read(text);
            assert!(!reading.named.is_empty() && reading.named.iter().all(|(n, _)| !n.phrase), "{text}");
            assert!(reading.words.iter().all(|w| w.credit == 1.0), "{text}");
        }

        let talk_needs = named(&talk, &taxonomy);
        let mut ranked = Vec::new();
        for page in 1..=5 {
            let q = SearchRequest {
                text: "someone to talk to".into(),
                per_page: 100,
                page,
                ..SearchRequest::default()
            };
            ranked.extend(index.search(&q, &taxonomy, "Kingsmere", now).unwrap().results);
        }
        let q = SearchRequest { text: "someone to talk to".into(), ..SearchRequest::default() };
        let close = index.search(&q, &taxonomy, "Kingsmere", now).unwrap().close as usize;
        assert!(close > 0, "services given the need match closely");
        // Close: given the need, or saying something in the phrase's sense
        // of it ("emotional support", "befriending").
        let senses: Vec<String> = talk
            .named
            .iter()
            .filter_map(|(n, _)| Some(super::super::sense_key(&taxonomy[n.ord].slug, n.sense?)))
            .collect();
        let snapshot = index.snapshot();
        let records: Vec<&Record> = snapshot.all_records().collect();
        let says_it =
            |id| records.iter().any(|r| r.id == id && r.senses.iter().any(|(key, _)| senses.contains(key)));
        for hit in &ranked[..close] {
            assert!(
                hit.needs.iter().any(|n| talk_needs.contains(n)) || says_it(hit.id),
                "{} is close without the need",
                hit.name
            );
        }
        let talks = ranked.iter().position(|hit| hit.name.ends_with("Breathe Easy"));
        assert!(
            talks.is_some_and(|at| at >= close),
            "a group with talks from nurses comes after the close matches"
        );
    }

    /// A text's reading and the clauses a search of it alone makes.
    fn clauses_of(
        index: &SearchIndex,
        taxonomy: &Taxonomy,
        now: DateTime<Utc>,
        text: &str,
    ) -> (Reading, Vec<Clause>) {
        let q = SearchRequest { text: text.into(), ..SearchRequest::default() };
        let snapshot = index.snapshot();
        let reading = index.read(text, None, taxonomy, Some(&snapshot.searcher), Weekday::Mon);
        let asked = Asked { q: &q, taxonomy, reading: &reading, area: "Kingsmere", now };
        let clauses = index.text_clauses(&asked, &snapshot.searcher);
        (reading, clauses)
    }

    /// The words as a phrase in names only score: a name holding the
    /// phrase holds one of the words looked for, so a search finds just
    /// what all its clauses together would, the phrase among them.
    #[test]
    fn the_words_as_a_phrase_only_score_and_find_nothing_more() {
        let (_dir, index, taxonomy, now) = demo_index();
        for text in ["lunch club", "coffee morning", "no one to talk to", "walking group", "carers support"] {
            let (_, clauses) = clauses_of(&index, &taxonomy, now, text);
            let phrase: Vec<&Clause> =
                clauses.iter().filter(|c| c.query.downcast_ref::<PhraseQuery>().is_some()).collect();
            assert_eq!(phrase.len(), 1, "{text}: one phrase");
            assert!(!phrase[0].finds, "{text}: the phrase only scores");
            let every_clause =
                BooleanQuery::new(clauses.iter().map(|c| (Occur::Should, c.query.box_clone())).collect());
            let all = index.snapshot().searcher.search(&every_clause, &tantivy::collector::Count).unwrap();
            let q = SearchRequest { text: text.into(), ..SearchRequest::default() };
            let found = index.search(&q, &taxonomy, "Kingsmere", now).unwrap();
            assert!(found.total > 0, "{text} finds something");
            assert_eq!(found.total as usize, all, "{text}: the same matches as every clause");
        }
    }

    /// A radius finds every service with a place within it, its first or
    /// another, and those placed nowhere or serving everywhere: just what
    /// measuring every service's distance finds.
    #[test]
    fn a_radius_finds_every_service_placed_within_it_and_no_other() {
        let dir = tempfile::tempdir().unwrap();
        let now = Utc::now();
        let demo = crate::demo::generate(crate::demo::DemoSize::DEMO, now.date_naive()).unwrap();
        let taxonomy = Taxonomy::new(crate::domain::needs::parse(crate::domain::needs::BUILT_IN).unwrap());
        // Every seventh service with a venue has a second, another's.
        let mut services = demo.searchable();
        let n = services.len();
        for at in (0..n).step_by(7) {
            let other = services[(at + n / 2) % n].places.first().cloned();
            if let Some(place) = other.filter(|_| !services[at].places.is_empty()) {
                services[at].places.push(place);
            }
        }
        let (index, _) = SearchIndex::open(dir.path()).unwrap();
        index.rebuild(&services, &taxonomy, now.date_naive(), 0).unwrap();
        let snapshot = index.snapshot();
        let segment = &snapshot.searcher.segment_readers()[0];
        let columns = &snapshot.columns[0];
        let points: Vec<Vec<(f64, f64)>> = (0..segment.max_doc())
            .map(|doc| columns.points.values_for_doc(doc).map(super::super::unpack_point).collect())
            .collect();
        // Each one's first place: the one whose cell is its place in the index's order.
        let place = segment.fast_fields().u64("place").unwrap();
        let first: Vec<Option<(f64, f64)>> = (0..segment.max_doc())
            .map(|doc| {
                let cell = |p: &(f64, f64)| cells::cell_of(p.0, p.1).map(u64::from);
                points[doc as usize].iter().copied().find(|p| cell(p) == place.first(doc))
            })
            .collect();
        let centres = [0, points.len() / 3, points.len() * 2 / 3]
            .map(|doc| *points[doc..].iter().flatten().next().expect("a service with a place"));
        let mut by_another_place = 0;
        for centre in centres {
            for radius in [400.0, 1_500.0, 4_000.0, 12_000.0] {
                let from = cells::DistancesFrom::new(centre);
                let within = |doc: usize| points[doc].iter().any(|p| from.to(*p) <= radius);
                let expected = (0..points.len())
                    .filter(|&doc| {
                        let facts = super::super::Facts(columns.facts[doc]);
                        facts.everywhere() || points[doc].is_empty() || within(doc)
                    })
                    .count();
                by_another_place += (0..points.len())
                    .filter(|&doc| within(doc) && first[doc].is_some_and(|p| from.to(p) > radius))
                    .count();
                let q =
                    SearchRequest { point: Some(centre), radius_m: Some(radius), ..SearchRequest::default() };
                let found = index.search(&q, &taxonomy, "Kingsmere", now).unwrap();
                assert_eq!(found.total as usize, expected, "within {radius} m of {centre:?}");
            }
        }
        assert!(by_another_place > 0, "some are within only by a place other than their first");
    }

    /// A need named weighs as much as the words that named it: the cause
    /// ("since mum died") a quarter of what is felt ("lonely").
    #[test]
    fn a_need_weighs_as_much_as_the_words_that_named_it() {
        let (_dir, index, taxonomy, now) = demo_index();
        let (reading, clauses) = clauses_of(&index, &taxonomy, now, "my dad's lonely since mum died");
        let slots_of =
            |slug: &str| reading.named.iter().find(|(n, _)| taxonomy[n.ord].slug == slug).unwrap().1;
        let heaviest =
            |slots: u16| clauses.iter().filter(|c| c.covers == slots).map(|c| c.weight).fold(0.0, f32::max);
        assert_eq!(heaviest(slots_of("loneliness")), NEED_WEIGHT.given);
        assert_eq!(heaviest(slots_of("bereavement")), NEED_WEIGHT.given * words::CAUSE);
    }

    /// A generic word is not looked for in need labels; a word that counts
    /// less only because it says a cause still is.
    #[test]
    fn only_generic_words_are_kept_out_of_need_labels() {
        let (_dir, index, taxonomy, now) = demo_index();
        let (_, clauses) = clauses_of(&index, &taxonomy, now, "support group since my dementia");
        let in_labels = |stem: &str| {
            clauses.iter().any(|clause| {
                let mut found = false;
                clause.query.query_terms(&mut |term, _| {
                    found |= term.field() == index.fields.needs_text && term.value().as_str() == Some(stem);
                });
                found
            })
        };
        assert!(!in_labels("group") && !in_labels("support"));
        assert!(in_labels("dementia"), "a cause is looked for, counting less");
    }

    /// The relevance the collector works out, clause by clause and only for
    /// the matches, is the score tantivy gives the same clauses as one
    /// boosted boolean query, for every match.
    #[test]
    fn relevance_is_the_score_tantivy_gives_the_same_clauses() {
        let (_dir, index, taxonomy, now) = demo_index();
        // Words that name no need and cannot be typos, so that every match
        // covers all that was asked and its score is its relevance.
        for text in ["lunch", "club", "walking", "coffee"] {
            let q = SearchRequest { text: text.into(), per_page: 100, ..SearchRequest::default() };
            let ours = index.search(&q, &taxonomy, "Kingsmere", now).unwrap();
            let snapshot = index.snapshot();
            let reading = index.read(text, None, &taxonomy, Some(&snapshot.searcher), Weekday::Mon);
            assert!(reading.named.is_empty(), "{text} names no need");
            let asked = Asked { q: &q, taxonomy: &taxonomy, reading: &reading, area: "Kingsmere", now };
            let clauses = index.text_clauses(&asked, &snapshot.searcher);
            let boosted: Vec<(Occur, Box<dyn Query>)> = clauses
                .into_iter()
                .map(|c| (Occur::Should, Box::new(BoostQuery::new(c.query, c.weight)) as Box<dyn Query>))
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
