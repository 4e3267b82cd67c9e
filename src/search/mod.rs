//! The only room that names tantivy: the index of running services, its
//! schema, building and updating it, and answering queries.
//!
//! The index is derived data: delete it and the next start (or `doorstep
//! reindex`) rebuilds it from the database. One writer, one long-lived reader,
//! reloaded after each commit.

pub mod activity;
mod any_term;
mod collector;
mod document;
mod within;
mod words;

use document::{Facts, NeedOrds, unpack_point};
use document::{minute_number, unpack_session};
pub mod query;

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, RwLock};

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use tantivy::index::SegmentId;
use tantivy::schema::Value;
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::store::Compressor;
use tantivy::tokenizer::{Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, TextAnalyzer};
use tantivy::{
    DocAddress, Index, IndexReader, IndexSettings, IndexSortByField, IndexWriter, Order, ReloadPolicy,
    Searcher, SegmentReader, TantivyDocument, Term,
};

use crate::domain::directory::{Capacity, DeliveryMode, ReferralRoute, ServiceArea};
use crate::domain::ids::ServiceId;
use crate::domain::needs::Taxonomy;
use crate::domain::schedule::Session;
use crate::domain::views::SearchableService;

/// The analyser for English text: words, lower case, stemmed ("clubs" finds "club").
const ENGLISH: &str = "en_stem";
/// Words in lower case, not stemmed: what typos are matched against, since a
/// slip at the end of a word ("walkng") is further from its stem than from the word.
const PLAIN: &str = "plain";
/// Memory the writer may use before it flushes a segment.
const WRITER_MEMORY: usize = 64 * 1024 * 1024;
/// The coarsest H3 resolution kept for each venue: every resolution from this
/// to the location's is indexed, since a radius's cover may use any of them.
const COARSEST_CELL: u8 = 0;
/// The cell a service that reaches everyone is indexed under as well, so that
/// "within a radius, or everywhere" is one filter. No H3 cell is 0.
pub(crate) const EVERYWHERE_CELL: u64 = 0;
/// Listings checked within this many days count as fresh.
const FRESH_DAYS: u64 = 182;
/// How many days of sessions each service carries, for "open now".
const SESSION_DAYS: u64 = 8;

/// What can go wrong with the index.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("search index: {0}")]
    Io(String),
}

impl SearchError {
    /// Whether another process (a running server) holds the index's writer.
    pub fn is_busy(&self) -> bool {
        matches!(
            self,
            SearchError::Index(tantivy::TantivyError::LockFailure(
                tantivy::directory::error::LockError::LockBusy,
                _
            ))
        )
    }
}

/// The fields of a service's document.
#[derive(Clone, Copy)]
pub(crate) struct Fields {
    pub id: Field,
    pub name: Field,
    pub description: Field,
    pub organisation: Field,
    pub needs_text: Field,
    pub words: Field,
    pub name_words: Field,
    pub need: Field,
    pub read_need: Field,
    pub read_need_about: Field,
    pub read_sense: Field,
    pub need_ords: Field,
    /// The cells of a document's places other than its first (whose cell is
    /// its `place`), at every resolution, and the everywhere cell.
    pub other_cells: Field,
    pub points: Field,
    /// Where the document comes in the index's order (`document::place_order`).
    pub place: Field,
    pub delivery: Field,
    pub free: Field,
    pub language: Field,
    pub step_free: Field,
    pub referral: Field,
    pub capacity: Field,
    pub min_age: Field,
    pub max_age: Field,
    pub weekday: Field,
    pub sessions: Field,
    pub facts: Field,
    pub record: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let english = || {
        let indexing = TextFieldIndexing::default()
            .set_tokenizer(ENGLISH)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions);
        TextOptions::default().set_indexing_options(indexing)
    };
    let plain = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default().set_tokenizer(PLAIN).set_index_option(IndexRecordOption::WithFreqs),
    );
    let fields = Fields {
        id: b.add_text_field("id", STRING | STORED),
        name: b.add_text_field("name", english()),
        description: b.add_text_field("description", english()),
        organisation: b.add_text_field("organisation", english()),
        needs_text: b.add_text_field("needs_text", english()),
        words: b.add_text_field("words", plain.clone()),
        name_words: b.add_text_field("name_words", plain),
        need: b.add_text_field("need", STRING),
        read_need: b.add_text_field("read_need", STRING),
        read_need_about: b.add_text_field("read_need_about", STRING),
        read_sense: b.add_text_field("read_sense", STRING),
        need_ords: b.add_u64_field("need_ords", FAST),
        other_cells: b.add_u64_field("other_cells", INDEXED),
        points: b.add_u64_field("points", FAST),
        place: b.add_u64_field("place", FAST),
        delivery: b.add_text_field("delivery", STRING),
        free: b.add_u64_field("free", INDEXED),
        language: b.add_text_field("language", STRING),
        step_free: b.add_u64_field("step_free", INDEXED),
        referral: b.add_text_field("referral", STRING),
        capacity: b.add_text_field("capacity", STRING),
        min_age: b.add_u64_field("min_age", INDEXED | FAST),
        max_age: b.add_u64_field("max_age", INDEXED | FAST),
        weekday: b.add_text_field("weekday", STRING),
        sessions: b.add_u64_field("sessions", FAST),
        facts: b.add_u64_field("facts", FAST),
        record: b.add_text_field("record", STORED),
    };
    (b.build(), fields)
}

/// Documents in the order of where they are (`document::place_order`):
/// tantivy sorts each segment as it writes it, and keeps the order when it
/// merges them, whatever order they were added in. Stored uncompressed, in
/// small blocks, so that reading one result's record is a copy of a few
/// kilobytes rather than the decompression of a large block.
fn settings() -> IndexSettings {
    IndexSettings {
        sort_by_field: Some(IndexSortByField { field: String::from("place"), order: Order::Asc }),
        docstore_compression: Compressor::None,
        docstore_blocksize: 4_096,
        ..IndexSettings::default()
    }
}

/// What a result shows, kept with each document so that no database read is
/// needed to answer a search.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Record {
    pub id: ServiceId,
    pub name: String,
    pub organisation: String,
    pub description: String,
    pub needs: Vec<String>,
    pub delivery: Vec<DeliveryMode>,
    pub area: ServiceArea,
    pub referral: ReferralRoute,
    pub capacity: Option<Capacity>,
    /// The neighbouring area whose feed lists it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listed_by: Option<String>,
    /// The needs its own words name beyond those it was given, which it is
    /// found by too.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub read_needs: Vec<String>,
    /// The senses of needs its own words say (see `Need::senses`), each as
    /// `sense_key` gives it with the first of its terms they use.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub senses: Vec<(String, String)>,
    /// Which days it meets on, for what "why it matched" says of them.
    #[serde(default)]
    pub meets: Meets,
    /// Whether it is placed by its contact address only, having no venue.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub by_contact_address: bool,
}

/// The weekdays a service meets on in the coming weeks, a bit each from
/// Monday (`Meets::bit`): at all, every week, in the evening, and in the
/// evening every week.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Meets {
    pub days: u8,
    pub weekly: u8,
    pub evenings: u8,
    pub weekly_evenings: u8,
}

impl Meets {
    pub fn bit(day: chrono::Weekday) -> u8 {
        1 << day.num_days_from_monday()
    }

    /// The days of `asked` it meets on (in the evening, when `evening`), in
    /// words: "Tuesdays", "some Saturdays or Sundays" (when not every week).
    pub fn on(&self, asked: &[chrono::Weekday], evening: bool) -> Vec<String> {
        let (mask, weekly) =
            if evening { (self.evenings, self.weekly_evenings) } else { (self.days, self.weekly) };
        asked
            .iter()
            .filter(|&&day| mask & Self::bit(day) != 0)
            .map(|&day| {
                let some = if weekly & Self::bit(day) == 0 { "some " } else { "" };
                format!("{some}{}s", crate::domain::schedule::day_name(day))
            })
            .collect()
    }
}

/// A searcher and, for each of its segments, every document's record by
/// document number, so that turning matches into results reads nothing from
/// disk and parses nothing.
pub(crate) struct Snapshot {
    pub searcher: Searcher,
    records: Vec<Arc<Records>>,
    /// Each segment's fast fields that searches read.
    columns: Vec<Arc<collector::SegmentColumns>>,
    /// The bitsets of common terms that filters have read.
    pub common: Arc<any_term::CommonTerms>,
}

/// One segment's records, read from its store the first time they are
/// needed (a segment never changes once written).
struct Records {
    segment: SegmentReader,
    field: Field,
    read: OnceLock<Vec<Option<Record>>>,
}

impl Records {
    fn get(&self) -> &[Option<Record>] {
        self.read.get_or_init(|| {
            Self::read(&self.segment, self.field).unwrap_or_else(|error| {
                tracing::error!(%error, segment = %self.segment.segment_id(), "a segment's records could not be read");
                Vec::new()
            })
        })
    }

    /// Every document in number order, deleted ones too, so that a
    /// document's number is its place in the list.
    fn read(segment: &SegmentReader, field: Field) -> Result<Vec<Option<Record>>, SearchError> {
        let store = segment.get_store_reader(0).map_err(|e| SearchError::Io(e.to_string()))?;
        let mut held = Vec::with_capacity(segment.max_doc() as usize);
        for doc in store.iter::<TantivyDocument>(None) {
            held.push(
                doc?.get_first(field)
                    .and_then(|v| v.as_str())
                    .and_then(|text| serde_json::from_str::<Record>(text).ok()),
            );
        }
        Ok(held)
    }
}

impl Snapshot {
    /// Takes `searcher`'s segments, reusing the records of those `previous`
    /// already holds. A new segment's records are read now when `read_new`
    /// (so that a commit's first search reads nothing), otherwise when
    /// first needed: an index opened to be rebuilt never reads the records
    /// it is about to replace.
    fn load(
        searcher: Searcher,
        field: Field,
        previous: Option<&Snapshot>,
        read_new: bool,
    ) -> Result<Snapshot, SearchError> {
        let known: HashMap<SegmentId, (&Arc<Records>, &Arc<collector::SegmentColumns>)> = previous
            .map(|p| {
                let ids = p.searcher.segment_readers().iter().map(SegmentReader::segment_id);
                ids.zip(p.records.iter().zip(&p.columns)).collect()
            })
            .unwrap_or_default();
        let (mut records, mut columns) = (Vec::new(), Vec::new());
        for segment in searcher.segment_readers() {
            if let Some((held, opened)) = known.get(&segment.segment_id()) {
                records.push(Arc::clone(held));
                columns.push(Arc::clone(opened));
                continue;
            }
            let read = OnceLock::new();
            if read_new {
                let _ = read.set(Records::read(segment, field)?);
            }
            records.push(Arc::new(Records { segment: segment.clone(), field, read }));
            columns.push(Arc::new(collector::SegmentColumns::open(segment)?));
        }
        Ok(Snapshot { searcher, records, columns, common: Arc::default() })
    }

    /// Reads every segment's records not yet read, so that no search waits
    /// for them: a server does this before it serves.
    pub fn read_records(&self) {
        for records in &self.records {
            records.get();
        }
    }

    /// Every record of every segment.
    #[cfg(test)]
    pub fn all_records(&self) -> impl Iterator<Item = &Record> {
        self.records.iter().flat_map(|segment| segment.get().iter().flatten())
    }

    pub fn record(&self, address: DocAddress) -> Option<&Record> {
        self.records.get(address.segment_ord as usize)?.get().get(address.doc_id as usize)?.as_ref()
    }

    /// A document's next session still to end after `now` (the index holds
    /// the coming week's sessions and the first one after it).
    pub fn next_session(&self, address: DocAddress, now: DateTime<Utc>) -> Option<Session> {
        let now = minute_number(now.naive_utc());
        self.columns
            .get(address.segment_ord as usize)?
            .sessions
            .values_for_doc(address.doc_id)
            .filter(|packed| packed & 0xFFFF_FFFF > now)
            .min()
            .map(unpack_session)
    }
}

/// The stemmed synonyms and phrases of one taxonomy's needs, found by
/// their first stem, so that reading a text for the needs it names is one
/// look-up per word.
pub(crate) struct NeedTerms {
    fingerprint: u64,
    /// By first stem: each term starting with it.
    by_first: HashMap<String, Vec<NeedTerm>>,
}

/// One synonym or everyday phrase of a need, stemmed.
struct NeedTerm {
    /// The need's place in the taxonomy.
    ord: usize,
    /// The words as written in the taxonomy.
    term: String,
    stems: Vec<String>,
    /// Whether it is one of the need's everyday phrases of two words or
    /// more ("no one to talk to"), none of which names a need alone.
    phrase: bool,
    /// Whether it names advice on the need ("debt advice", "dementia
    /// adviser"): a listing that gives it is about the need, however
    /// briefly it says so. Not "citizens advice", an organisation, named
    /// in passing as often as not.
    advice: bool,
    /// Which of the need's senses it is in, if any (see `Need::senses`).
    sense: Option<usize>,
}

/// How a sense of a need is indexed: "physical-activity 2".
pub(crate) fn sense_key(slug: &str, sense: usize) -> String {
    format!("{slug} {sense}")
}

/// How a text names one need (see `NeedTerms::counted_in`).
pub(crate) struct Counted {
    /// The need's place in the taxonomy.
    pub ord: usize,
    /// How many different synonyms or phrases of it the text uses.
    pub terms: usize,
    /// Whether one of them names advice on it.
    pub advice: bool,
}

/// A need named in a text: its place, the words that named it as written
/// in the taxonomy, and where they are among the text's stems.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Named {
    pub ord: usize,
    pub term: String,
    pub at: std::ops::Range<usize>,
    /// Whether an everyday phrase of two words or more, none of which names
    /// a need alone, named it: the phrase says the need itself ("no one to
    /// talk to" is loneliness), where a synonym may be one thing within it
    /// ("swimming" within physical activity).
    pub phrase: bool,
    /// The sense of the need the words are in, if any (see `Need::senses`).
    pub sense: Option<usize>,
}

impl NeedTerms {
    /// Each place in `stems` where a need's synonym or phrase starts: the
    /// place and the term, the longest terms at a place first.
    fn found_in<'a, S: AsRef<str>>(
        &'a self,
        stems: &'a [S],
    ) -> impl Iterator<Item = (usize, &'a NeedTerm)> + 'a {
        stems.iter().enumerate().flat_map(move |(start, first)| {
            let terms = self.by_first.get(first.as_ref()).map(Vec::as_slice).unwrap_or_default();
            terms
                .iter()
                .filter(move |t| {
                    stems.get(start..start + t.stems.len()).is_some_and(|window| {
                        window.iter().zip(&t.stems).all(|(a, b)| a.as_ref() == b.as_str())
                    })
                })
                .map(move |t| (start, t))
        })
    }

    /// The needs whose synonyms or phrases appear in `stems`, each once, in
    /// the order they first appear (the longest words at a place first).
    pub fn named_in<S: AsRef<str>>(&self, stems: &[S]) -> Vec<Named> {
        let mut named: Vec<Named> = Vec::new();
        for (start, t) in self.found_in(stems) {
            if !named.iter().any(|n| n.ord == t.ord) {
                let at = start..start + t.stems.len();
                named.push(Named { ord: t.ord, term: t.term.clone(), at, phrase: t.phrase, sense: t.sense });
            }
        }
        named
    }

    /// The senses of needs that `stems` say, each once with the first of
    /// its terms they use (as written in the taxonomy), by the need's place.
    pub fn senses_in<S: AsRef<str>>(&self, stems: &[S]) -> Vec<(usize, usize, String)> {
        let mut senses: Vec<(usize, usize, String)> = Vec::new();
        for (_, t) in self.found_in(stems) {
            if let Some(sense) = t.sense
                && !senses.iter().any(|(ord, s, _)| (*ord, *s) == (t.ord, sense))
            {
                senses.push((t.ord, sense, t.term.clone()));
            }
        }
        senses
    }

    /// How many different synonyms or phrases of each need named there
    /// `stems` use, by the need's place in the taxonomy ("homeless" and
    /// "rough sleepers" are two; "hospices" twice is one, and so are
    /// "english classes" and "english" starting at one place), and whether
    /// one of them names advice on it.
    pub fn counted_in<S: AsRef<str>>(&self, stems: &[S]) -> Vec<Counted> {
        // Each need's count, and the place its last term started.
        let mut counts: Vec<(Counted, usize)> = Vec::new();
        let mut used: Vec<(usize, &str)> = Vec::new();
        for (start, t) in self.found_in(stems) {
            if used.contains(&(t.ord, t.term.as_str())) {
                continue;
            }
            used.push((t.ord, &t.term));
            match counts.iter_mut().find(|(counted, _)| counted.ord == t.ord) {
                Some((counted, last)) => {
                    counted.advice |= t.advice;
                    if *last != start {
                        (counted.terms, *last) = (counted.terms + 1, start);
                    }
                }
                None => counts.push((Counted { ord: t.ord, terms: 1, advice: t.advice }, start)),
            }
        }
        counts.into_iter().map(|(counted, _)| counted).collect()
    }
}

/// What an index was built for and how far it has followed the store's
/// change log, kept in its commits' payload as "2026-12-02
/// taxonomy=<hex> change=<n>", so that a restart knows whether it must
/// rebuild and where to pick the log up. Kept in the commit, it can never
/// say more was indexed than was.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct BuiltFor {
    day: NaiveDate,
    taxonomy: u64,
    change: i64,
}

impl BuiltFor {
    fn write(self) -> String {
        format!("{} taxonomy={:016x} change={}", self.day, self.taxonomy, self.change)
    }

    fn read(payload: &str) -> Option<BuiltFor> {
        let (day, rest) = payload.split_once(" taxonomy=")?;
        let (taxonomy, change) = rest.split_once(" change=")?;
        Some(BuiltFor {
            day: day.parse().ok()?,
            taxonomy: u64::from_str_radix(taxonomy, 16).ok()?,
            change: change.parse().ok()?,
        })
    }
}

/// Whether `text` says that someone may be in danger now (the words of
/// `seeds/crisis.toml`): the urgent-help box then comes first.
pub fn urgent_in(text: &str) -> bool {
    words::urgent(&words::split(text))
}

/// The index of running services.
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    /// What searches read: replaced, whole, after every commit.
    snapshot: RwLock<Arc<Snapshot>>,
    pub(crate) fields: Fields,
    /// Each need's synonyms and phrases with their stems, worked out once
    /// for each taxonomy searched with.
    need_terms: RwLock<Option<Arc<NeedTerms>>>,
    /// What the documents were built for: the day their day-dependent facts
    /// (sessions, weekdays) were worked out for, the taxonomy (its
    /// fingerprint) whose places their needs are numbered by, and the last
    /// change of the store's log they take in. `None` until first built.
    built_for: Mutex<Option<BuiltFor>>,
    /// Whether new segments' records wait until first needed: set by a
    /// command that never searches (`read_records_when_needed`).
    records_when_needed: AtomicBool,
}

impl SearchIndex {
    /// Opens the index in `dir`, or makes a new empty one there when it is
    /// missing or cannot be read. The second value says whether it is new (and
    /// so must be rebuilt from the store).
    pub fn open(dir: &Path) -> Result<(SearchIndex, bool), SearchError> {
        let (schema, fields) = schema();
        std::fs::create_dir_all(dir)
            .map_err(|e| SearchError::Io(format!("cannot create {}: {e}", dir.display())))?;
        let existing = Index::open_in_dir(dir)
            .ok()
            .filter(|index| index.schema() == schema && index.settings() == &settings());
        let (index, fresh) = match existing {
            Some(index) => (index, false),
            None => {
                // Missing, corrupt or from an older schema: start again.
                for entry in std::fs::read_dir(dir).map_err(|e| SearchError::Io(e.to_string()))?.flatten() {
                    let path = entry.path();
                    if path.file_name().is_some_and(|n| n != "README.md") {
                        let _ = if path.is_dir() {
                            std::fs::remove_dir_all(&path)
                        } else {
                            std::fs::remove_file(&path)
                        };
                    }
                }
                (Index::builder().schema(schema).settings(settings()).create_in_dir(dir)?, true)
            }
        };
        let built_for = index.load_metas().ok().and_then(|m| m.payload).and_then(|p| BuiltFor::read(&p));
        let search = Self::from_index(index, fields)?;
        *search.built_for.lock().unwrap_or_else(|p| p.into_inner()) = built_for;
        Ok((search, fresh))
    }

    fn from_index(index: Index, fields: Fields) -> Result<SearchIndex, SearchError> {
        let english = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(RemoveLongFilter::limit(40))
            .filter(LowerCaser)
            .filter(Stemmer::new(Language::English))
            .build();
        index.tokenizers().register(ENGLISH, english);
        let plain = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(RemoveLongFilter::limit(40))
            .filter(LowerCaser)
            .build();
        index.tokenizers().register(PLAIN, plain);
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        let writer: IndexWriter = index.writer(WRITER_MEMORY)?;
        // Merges happen only under the writer's lock (`rebuild`, `compact`):
        // a merge in the background could finish after a commit had dropped
        // one of its segments (a service saved twice in quick succession
        // leaves a segment with nothing live in it) and be thrown away.
        writer.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
        Ok(SearchIndex {
            index,
            snapshot: RwLock::new(Arc::new(Snapshot::load(reader.searcher(), fields.record, None, false)?)),
            reader,
            writer: Mutex::new(writer),
            fields,
            need_terms: RwLock::default(),
            built_for: Mutex::new(None),
            records_when_needed: AtomicBool::new(false),
        })
    }

    /// The stemmed synonyms and phrases of `taxonomy`'s needs, worked out
    /// the first time it is searched with.
    pub(crate) fn need_terms(&self, taxonomy: &Taxonomy) -> Arc<NeedTerms> {
        let held = self.need_terms.read().unwrap_or_else(|p| p.into_inner()).clone();
        if let Some(held) = held.filter(|held| held.fingerprint == taxonomy.fingerprint()) {
            return held;
        }
        let mut by_first: HashMap<String, Vec<NeedTerm>> = HashMap::new();
        let terms =
            taxonomy.iter().enumerate().filter(|(_, need)| need.parent.is_some()).flat_map(|(ord, need)| {
                let synonyms = need.synonyms.iter().map(move |term| (ord, term, false));
                synonyms.chain(need.phrases.iter().map(move |term| (ord, term, true)))
            });
        for (ord, term, phrase) in terms {
            let sense = taxonomy[ord].senses.iter().position(|sense| sense.contains(term));
            let stems = self.stems(term);
            // "my benefits" says more than "benefits" (as in "for the
            // benefit of"): a phrase left one word without its fillers
            // names nothing.
            if stems.len() == 1 && term.split_whitespace().count() > 1 {
                continue;
            }
            // A hyphenated term written whole as well ("home-start" as
            // "homestart"), as listings and callers spell it either way.
            let joined = term.contains('-').then(|| self.stems(&term.replace('-', "")));
            let advice = term.split_whitespace().count() > 1
                && !term.starts_with("citizens ")
                && term.rsplit(' ').next().is_some_and(|last| {
                    ["advice", "adviser", "advisers", "advisor", "advisors"].contains(&last)
                });
            for stems in [Some(stems), joined].into_iter().flatten() {
                if let Some(first) = stems.first() {
                    by_first.entry(first.clone()).or_default().push(NeedTerm {
                        ord,
                        term: term.clone(),
                        stems,
                        phrase,
                        advice,
                        sense,
                    });
                }
            }
        }
        // A phrase says its need whole only when none of its words names a
        // need alone (a one-word phrase names itself): "go swimming" is
        // swimming, one thing within physical activity.
        let alone: std::collections::HashSet<String> =
            by_first.values().flatten().filter(|t| t.stems.len() == 1).map(|t| t.stems[0].clone()).collect();
        for t in by_first.values_mut().flatten() {
            t.phrase = t.phrase && !t.stems.iter().any(|s| alone.contains(s));
        }
        // The longest first, so that where two start at one word the one
        // that says most names its need.
        for terms in by_first.values_mut() {
            terms.sort_by_key(|t| std::cmp::Reverse(t.stems.len()));
        }
        let made = Arc::new(NeedTerms { fingerprint: taxonomy.fingerprint(), by_first });
        *self.need_terms.write().unwrap_or_else(|p| p.into_inner()) = Some(Arc::clone(&made));
        made
    }

    /// How many segments the index is split into (fewer is faster to search).
    pub fn segments(&self) -> usize {
        self.reader.searcher().segment_readers().len()
    }

    /// The day the index's sessions and weekdays were worked out for.
    pub fn built_for(&self) -> Option<NaiveDate> {
        self.built_for.lock().unwrap_or_else(|p| p.into_inner()).map(|b| b.day)
    }

    /// The fingerprint of the taxonomy the index was built with.
    pub fn built_with(&self) -> Option<u64> {
        self.built_for.lock().unwrap_or_else(|p| p.into_inner()).map(|b| b.taxonomy)
    }

    /// The last change of the store's log that the index takes in.
    pub fn indexed_up_to(&self) -> Option<i64> {
        self.built_for.lock().unwrap_or_else(|p| p.into_inner()).map(|b| b.change)
    }

    /// Replaces everything in the index with `services`, as of `today`,
    /// which take in the store's changes up to `change`.
    pub fn rebuild(
        &self,
        services: &[SearchableService],
        taxonomy: &Taxonomy,
        today: NaiveDate,
        change: i64,
    ) -> Result<(), SearchError> {
        let mut rebuilding = self.start_rebuild(taxonomy, today)?;
        rebuilding.add(services)?;
        rebuilding.finish(change)
    }

    /// Starts replacing everything in the index, as of `today`, with the
    /// services given to `Rebuilding::add` a page at a time, so that the
    /// whole directory is never in memory at once. Searches see the old
    /// index until `Rebuilding::finish`; dropped before then, the index is
    /// left as it was. Commits wait meanwhile.
    pub fn start_rebuild<'a>(
        &'a self,
        taxonomy: &'a Taxonomy,
        today: NaiveDate,
    ) -> Result<Rebuilding<'a>, SearchError> {
        let writer = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        writer.delete_all_documents()?;
        Ok(Rebuilding { index: self, writer, taxonomy, today, finished: false })
    }

    /// Merges the index into one segment when edits have split it into more
    /// than `most`, so searches stay quick. Commits wait meanwhile.
    pub fn compact(&self, most: usize) -> Result<(), SearchError> {
        let mut writer = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        if self.merge_beyond(&mut writer, most)? {
            drop(writer);
            self.reload()?;
        }
        Ok(())
    }

    /// Merges every segment into one when there are more than `most`, with
    /// the writer held, so no commit can drop a segment the merge is reading.
    /// One segment searches fastest: each query term is looked up once, not
    /// once per segment. Says whether it merged.
    fn merge_beyond(&self, writer: &mut IndexWriter, most: usize) -> Result<bool, SearchError> {
        // Only the ids are kept: while a segment is held, the merge's
        // clearing up keeps its files.
        let ids: Vec<SegmentId> = self.index.searchable_segment_ids()?;
        if ids.len() <= most {
            return Ok(false);
        }
        writer.merge(&ids).wait()?;
        Ok(true)
    }

    /// Re-indexes the services `changed`: each is removed, and those still
    /// running (`running`) are added again, in one commit that records the
    /// store's changes up to `change` as taken in. An index never built is
    /// left alone (it must be rebuilt first).
    pub fn update(
        &self,
        changed: &[ServiceId],
        running: &[SearchableService],
        taxonomy: &Taxonomy,
        change: i64,
    ) -> Result<(), SearchError> {
        let mut writer = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        let Some(built_for) = *self.built_for.lock().unwrap_or_else(|p| p.into_inner()) else {
            return Err(SearchError::Io(String::from("the index must be built before it is updated")));
        };
        for id in changed {
            writer.delete_term(Term::from_field_text(self.fields.id, &id.to_string()));
        }
        for service in running {
            writer.add_document(self.document(service, taxonomy, built_for.day))?;
        }
        self.commit(&mut writer, BuiltFor { change, ..built_for })?;
        self.reload()?;
        Ok(())
    }

    /// Leaves the records of segments committed from now on to be read
    /// when first needed rather than at the commit: for a command that
    /// rebuilds the index and never searches it.
    pub fn read_records_when_needed(&self) {
        self.records_when_needed.store(true, Ordering::Relaxed);
    }

    /// Moves searches on to the latest commit.
    fn reload(&self) -> Result<(), SearchError> {
        self.reader.reload()?;
        let read_new = !self.records_when_needed.load(Ordering::Relaxed);
        let next =
            Snapshot::load(self.reader.searcher(), self.fields.record, Some(&self.snapshot()), read_new)?;
        *self.snapshot.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(next);
        Ok(())
    }

    /// Commits with what the documents were built for in the commit, so
    /// that a restart knows whether it must rebuild and where to pick the
    /// log up; only once the commit has succeeded does the index say so.
    fn commit(&self, writer: &mut IndexWriter, built_for: BuiltFor) -> Result<(), SearchError> {
        let mut prepared = writer.prepare_commit()?;
        prepared.set_payload(&built_for.write());
        prepared.commit()?;
        *self.built_for.lock().unwrap_or_else(|p| p.into_inner()) = Some(built_for);
        Ok(())
    }

    pub(crate) fn snapshot(&self) -> Arc<Snapshot> {
        self.snapshot.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// The stems of `text`'s words as a query reads them (see `words::split`),
    /// in order, repeats kept; a hyphenated word in its parts only.
    pub(crate) fn stems(&self, text: &str) -> Vec<String> {
        let parts: Vec<String> = words::split(text)
            .into_iter()
            .filter(|p| p.joins == 0 && !words::filler(&p.text))
            .map(|p| p.text)
            .collect();
        // The parts are words already: one pass of the analyser stems them all.
        self.tokens(&parts.join(" "))
    }

    pub(crate) fn tokens(&self, text: &str) -> Vec<String> {
        stem(&mut self.analyzer(), text)
    }

    /// The English analyser, for stemming many words one after another.
    pub(crate) fn analyzer(&self) -> TextAnalyzer {
        self.index.tokenizers().get(ENGLISH).unwrap_or_default()
    }
}

/// An index being rebuilt (`SearchIndex::start_rebuild`), holding the
/// writer.
pub struct Rebuilding<'a> {
    index: &'a SearchIndex,
    writer: MutexGuard<'a, IndexWriter>,
    taxonomy: &'a Taxonomy,
    today: NaiveDate,
    finished: bool,
}

impl Rebuilding<'_> {
    /// Adds `services` to the new index. Their documents are made on as
    /// many threads as there are cores (making them is half a rebuild's
    /// work; tantivy's own threads index them).
    pub fn add(&mut self, services: &[SearchableService]) -> Result<(), SearchError> {
        let (index, taxonomy, today, writer) = (self.index, self.taxonomy, self.today, &*self.writer);
        let threads = std::thread::available_parallelism().map_or(1, usize::from);
        let part = services.len().div_ceil(threads).max(1);
        std::thread::scope(|scope| {
            let making: Vec<_> = services
                .chunks(part)
                .map(|part| {
                    scope.spawn(move || {
                        part.iter().try_for_each(|s| {
                            writer.add_document(index.document(s, taxonomy, today)).map(drop)
                        })
                    })
                })
                .collect();
            for thread in making {
                thread.join().map_err(|_| SearchError::Io(String::from("making a document failed")))??;
            }
            Ok(())
        })
    }

    /// Commits the new index, which takes in the store's changes up to
    /// `change`, merges it into one segment and moves searches on to it.
    pub fn finish(mut self, change: i64) -> Result<(), SearchError> {
        let built_for = BuiltFor { day: self.today, taxonomy: self.taxonomy.fingerprint(), change };
        self.index.commit(&mut self.writer, built_for)?;
        self.finished = true;
        self.index.merge_beyond(&mut self.writer, 1)?;
        self.index.reload()
    }
}

impl Drop for Rebuilding<'_> {
    fn drop(&mut self) {
        if !self.finished {
            // Nothing of an unfinished rebuild is kept, not even its
            // deleting everything, which the next commit would otherwise
            // take in.
            let _ = self.writer.rollback();
        }
    }
}

/// The stems of `text`'s words, by `analyzer`.
pub(crate) fn stem(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut stream = analyzer.token_stream(text);
    let mut tokens = Vec::new();
    while let Some(token) = stream.next() {
        tokens.push(token.text.clone());
    }
    tokens
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A rebuilt index is one segment whose documents come in the order of
    /// where they are, however they were given, and the segments it was
    /// merged from are gone from the folder; a rebuild left unfinished
    /// changes nothing.
    #[test]
    fn a_rebuilt_index_is_one_segment_in_the_order_of_where_its_services_are() {
        let dir = tempfile::tempdir().unwrap();
        let today = Utc::now().date_naive();
        let demo = crate::demo::generate(crate::demo::DemoSize::with_services(3_000), today).unwrap();
        let taxonomy = Taxonomy::new(crate::domain::needs::parse(crate::domain::needs::BUILT_IN).unwrap());
        let (index, _) = SearchIndex::open(dir.path()).unwrap();
        let mut services = demo.searchable();
        index.rebuild(&services, &taxonomy, today, 0).unwrap();
        // Again, in pages, newest first.
        services.reverse();
        let mut rebuilding = index.start_rebuild(&taxonomy, today).unwrap();
        for page in services.chunks(700) {
            rebuilding.add(page).unwrap();
        }
        rebuilding.finish(1).unwrap();
        let stores = std::fs::read_dir(dir.path())
            .unwrap()
            .filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == "store"))
            .count();
        assert_eq!((index.segments(), stores), (1, 1), "one segment, and only its files");

        // Opened again, it reads its records only when they are needed.
        drop(index);
        let (index, fresh) = SearchIndex::open(dir.path()).unwrap();
        assert!(!fresh);
        let snapshot = index.snapshot();
        assert!(snapshot.records[0].read.get().is_none(), "not read on opening");
        assert_eq!(snapshot.all_records().count(), services.len());
        let segment = &snapshot.searcher.segment_readers()[0];
        assert_eq!(segment.num_docs() as usize, services.len());
        let points = segment.fast_fields().u64("points").unwrap();
        let place = segment.fast_fields().u64("place").unwrap();
        let order: Vec<u64> = (0..segment.max_doc()).map(|doc| place.first(doc).unwrap()).collect();
        assert!(order.is_sorted(), "in the order of their places");
        let cell = |doc| {
            let (latitude, longitude) = unpack_point(points.first(doc)?);
            crate::geo::cells::cell_of(latitude, longitude).map(u64::from)
        };
        let placed = (0..segment.max_doc()).filter(|&doc| cell(doc) == Some(order[doc as usize])).count();
        let unplaced = (0..segment.max_doc()).filter(|&doc| points.first(doc).is_none()).count();
        assert!(placed > 2_000, "most by the cell of their first point: {placed}");
        assert_eq!(placed + unplaced, services.len(), "every placed one by its first point's cell");

        // Started and dropped: the index is as it was, and stays so when
        // the next change is committed.
        let rebuilding = index.start_rebuild(&taxonomy, today).unwrap();
        drop(rebuilding);
        let first = services.last().unwrap();
        index.update(&[first.id], std::slice::from_ref(first), &taxonomy, 2).unwrap();
        assert_eq!(index.snapshot().searcher.num_docs() as usize, services.len());
    }
}
