//! The second index: what the neighbourhood networks say (shown threads,
//! and events not yet over), searched beside the services for "from the
//! neighbourhood network" and for the events in an advisor's workspace.
//!
//! Like the services' index it is derived data, kept in its own folder
//! (`activity/` in the index folder), with one writer and a reader reloaded
//! after each commit; each commit records the last change of the store's
//! activity log it takes in (`jobs::activity_sync`).

use std::ops::Bound;
use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, RangeQuery, TermQuery, TermSetQuery};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions, Value,
};
use tantivy::tokenizer::{
    Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, StopWordFilter, TextAnalyzer,
};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term, doc};

use super::{EVERYWHERE_CELL, SearchError};
use crate::domain::events::Occurrence;
use crate::domain::ids::{EventId, ThreadId};
use crate::domain::search::{ActivityAsk, FoundActivity, FoundEvent, FoundThread};
use crate::domain::views::{SearchableEvent, SearchableThread};
use crate::geo::cells;

/// English words, lower case, without the commonest ("for", "the"), stemmed.
const WORDS: &str = "activity_en";
/// Memory the writer may use before it flushes a segment.
const WRITER_MEMORY: usize = 32 * 1024 * 1024;
/// How many candidates of each kind are read before the exact distance
/// check and the choice of the soonest events.
const CANDIDATES: usize = 200;
/// The most segments edits may split the index into before they are merged.
const MOST_SEGMENTS: usize = 8;
/// How much more a word in a title counts than one in the posts.
const TITLE_BOOST: f32 = 3.0;

#[derive(Clone, Copy)]
struct Fields {
    /// "thread:<id>" or "event:<id>": what an update deletes by.
    key: Field,
    kind: Field,
    title: Field,
    text: Field,
    need: Field,
    cells: Field,
    /// When its last time ends (seconds since 1970); the far future for a thread.
    ends: Field,
    record: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let words = || {
        let indexing =
            TextFieldIndexing::default().set_tokenizer(WORDS).set_index_option(IndexRecordOption::WithFreqs);
        TextOptions::default().set_indexing_options(indexing)
    };
    let fields = Fields {
        key: b.add_text_field("key", STRING),
        kind: b.add_text_field("kind", STRING),
        title: b.add_text_field("title", words()),
        text: b.add_text_field("text", words()),
        need: b.add_text_field("need", STRING),
        cells: b.add_u64_field("cells", INDEXED),
        ends: b.add_i64_field("ends", INDEXED | FAST),
        record: b.add_text_field("record", STORED),
    };
    (b.build(), fields)
}

/// What a result shows, kept with each document.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
enum Record {
    Thread {
        id: ThreadId,
        title: String,
        excerpt: String,
        network_slug: String,
        network_name: String,
        last_posted_at: chrono::NaiveDateTime,
        replies: i64,
    },
    Event {
        id: EventId,
        title: String,
        excerpt: String,
        network_slug: String,
        network_name: String,
        place_name: String,
        point: Option<(f64, f64)>,
        /// Each time still to come: (starts, ends) as instants.
        times: Vec<(DateTime<Utc>, DateTime<Utc>)>,
        free: bool,
    },
}

/// The network activity index.
pub struct ActivityIndex {
    index: Index,
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    fields: Fields,
    /// The last change of the store's activity log taken in; `None` until built.
    up_to: Mutex<Option<i64>>,
}

impl ActivityIndex {
    /// Opens the index in `dir`, or makes a new empty one there when it is
    /// missing, unreadable or of another schema. The second value says
    /// whether it is new (and so must be rebuilt from the store).
    pub fn open(dir: &Path) -> Result<(ActivityIndex, bool), SearchError> {
        let (schema, fields) = schema();
        std::fs::create_dir_all(dir)
            .map_err(|e| SearchError::Io(format!("cannot create {}: {e}", dir.display())))?;
        let existing = Index::open_in_dir(dir).ok().filter(|index| index.schema() == schema);
        let (index, fresh) = match existing {
            Some(index) => (index, false),
            None => {
                std::fs::remove_dir_all(dir).map_err(|e| SearchError::Io(e.to_string()))?;
                std::fs::create_dir_all(dir).map_err(|e| SearchError::Io(e.to_string()))?;
                (Index::create_in_dir(dir, schema)?, true)
            }
        };
        let up_to = index.load_metas().ok().and_then(|m| m.payload).and_then(|p| p.parse().ok());
        let words = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(RemoveLongFilter::limit(40))
            .filter(LowerCaser)
            .filter(
                StopWordFilter::new(Language::English)
                    .ok_or_else(|| SearchError::Io("no stop words".into()))?,
            )
            .filter(Stemmer::new(Language::English))
            .build();
        index.tokenizers().register(WORDS, words);
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        let writer: IndexWriter = index.writer(WRITER_MEMORY)?;
        // Merged under the writer's lock only (`Edit::commit`), as the services' index is.
        writer.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
        Ok((
            ActivityIndex { index, reader, writer: Mutex::new(writer), fields, up_to: Mutex::new(up_to) },
            fresh,
        ))
    }

    /// The last change of the store's activity log the index has taken in.
    pub fn indexed_up_to(&self) -> Option<i64> {
        *self.up_to.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Starts changing the index; with `from_scratch`, everything in it goes first.
    pub fn edit(&self, from_scratch: bool) -> Result<Edit<'_>, SearchError> {
        let writer = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        if from_scratch {
            writer.delete_all_documents()?;
        }
        Ok(Edit { index: self, writer, from_scratch, committed: false })
    }

    /// Threads and events that match `ask` as of `now`: threads the best
    /// matches first (the latest first when no words were given), events the
    /// soonest first.
    pub fn search(&self, ask: &ActivityAsk, now: DateTime<Utc>) -> Result<FoundActivity, SearchError> {
        let f = self.fields;
        let mut found = FoundActivity::default();
        if ask.most == 0 {
            return Ok(found);
        }
        let mut must: Vec<Box<dyn Query>> = Vec::new();
        let stems = self.stems(&ask.words)?;
        if !stems.is_empty() {
            let any_word = stems
                .iter()
                .flat_map(|stem| {
                    let title: Box<dyn Query> = Box::new(BoostQuery::new(
                        Box::new(TermQuery::new(
                            Term::from_field_text(f.title, stem),
                            IndexRecordOption::WithFreqs,
                        )),
                        TITLE_BOOST,
                    ));
                    let text: Box<dyn Query> = Box::new(TermQuery::new(
                        Term::from_field_text(f.text, stem),
                        IndexRecordOption::WithFreqs,
                    ));
                    [title, text]
                })
                .map(|q| (Occur::Should, q))
                .collect();
            must.push(Box::new(BooleanQuery::new(any_word)));
        } else if ask.needs.is_empty() {
            // Nothing asked of what they say: nothing to show.
            return Ok(found);
        }
        if !ask.needs.is_empty() {
            let terms = ask.needs.iter().map(|slug| Term::from_field_text(f.need, slug));
            must.push(Box::new(TermSetQuery::new(terms)));
        }
        if let Some(((latitude, longitude), radius)) = ask.near {
            let Some(cover) = cells::cover(latitude, longitude, radius) else { return Ok(found) };
            let terms = cover
                .cells
                .iter()
                .map(|c| u64::from(*c))
                .chain([EVERYWHERE_CELL])
                .map(|c| Term::from_field_u64(f.cells, c));
            must.push(Box::new(TermSetQuery::new(terms)));
        }
        must.push(Box::new(RangeQuery::new(
            Bound::Excluded(Term::from_field_i64(f.ends, now.timestamp())),
            Bound::Unbounded,
        )));
        let searcher = self.reader.searcher();
        for kind in ["thread", "event"] {
            if ask.events_only && kind == "thread" {
                continue;
            }
            let mut clauses: Vec<(Occur, Box<dyn Query>)> =
                must.iter().map(|q| (Occur::Must, q.box_clone())).collect();
            clauses.push((
                Occur::Must,
                Box::new(TermQuery::new(Term::from_field_text(f.kind, kind), IndexRecordOption::Basic)),
            ));
            let top = searcher
                .search(&BooleanQuery::new(clauses), &TopDocs::with_limit(CANDIDATES).order_by_score())?;
            for (_, address) in top {
                let document: TantivyDocument = searcher.doc(address)?;
                let Some(record) = document
                    .get_first(f.record)
                    .and_then(|v| v.as_str())
                    .and_then(|text| serde_json::from_str::<Record>(text).ok())
                else {
                    continue;
                };
                self.take(record, ask, now, &mut found);
            }
        }
        if stems.is_empty() {
            found.threads.sort_by_key(|t| std::cmp::Reverse(t.last_posted_at));
        }
        found.threads.truncate(ask.most);
        found.events.sort_by_key(|e| e.next.starts);
        found.events.truncate(ask.most);
        Ok(found)
    }

    /// Adds a found record to `found`, if it is still to come and (for an
    /// event) truly within the radius.
    fn take(&self, record: Record, ask: &ActivityAsk, now: DateTime<Utc>, found: &mut FoundActivity) {
        match record {
            Record::Thread { id, title, excerpt, network_slug, network_name, last_posted_at, replies } => {
                found.threads.push(FoundThread {
                    id,
                    title,
                    excerpt,
                    network_slug,
                    network_name,
                    last_posted_at,
                    replies,
                })
            }
            Record::Event {
                id,
                title,
                excerpt,
                network_slug,
                network_name,
                place_name,
                point,
                times,
                free,
            } => {
                let Some(&(starts, ends)) = times.iter().find(|(_, ends)| *ends > now) else { return };
                let distance_m = ask.near.zip(point).map(|((at, _), point)| cells::distance_m(at, point));
                if let (Some(distance), Some((_, radius))) = (distance_m, ask.near)
                    && distance > radius
                {
                    return;
                }
                found.events.push(FoundEvent {
                    id,
                    title,
                    excerpt,
                    network_slug,
                    network_name,
                    place_name,
                    next: Occurrence { starts, ends },
                    free,
                    distance_m: distance_m.map(|d| d.round() as u32),
                });
            }
        }
    }

    /// The stems of `words` as the index reads them.
    fn stems(&self, words: &str) -> Result<Vec<String>, SearchError> {
        let mut analyzer = self.index.tokenizer_for_field(self.fields.title)?;
        let mut stream = analyzer.token_stream(words);
        let mut stems = Vec::new();
        while stream.advance() {
            let stem = stream.token().text.clone();
            if !stems.contains(&stem) {
                stems.push(stem);
            }
        }
        Ok(stems)
    }
}

/// Changes to the index, made visible together by `commit`.
pub struct Edit<'a> {
    index: &'a ActivityIndex,
    writer: MutexGuard<'a, IndexWriter>,
    from_scratch: bool,
    committed: bool,
}

impl Drop for Edit<'_> {
    /// An edit given up (an error reading the store) leaves nothing behind
    /// for the next commit to make visible: half a rebuild is never shown.
    fn drop(&mut self) {
        if !self.committed && self.writer.rollback().is_ok() {
            // A rolled-back writer starts again with tantivy's own merge policy.
            self.writer.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
        }
    }
}

/// The cells a point is indexed under: its cell at every resolution, so
/// that a radius's cover at any resolution finds it.
fn cells_of(point: Option<(f64, f64)>) -> Vec<u64> {
    let Some(cell) = point.and_then(|(latitude, longitude)| cells::cell_of(latitude, longitude)) else {
        return Vec::new();
    };
    h3o::Resolution::range(h3o::Resolution::Zero, cell.resolution())
        .filter_map(|r| cell.parent(r))
        .map(u64::from)
        .collect()
}

impl Edit<'_> {
    /// Takes these threads out of the index (before adding what is shown of them again).
    pub fn remove_threads(&mut self, ids: &[ThreadId]) {
        for id in ids {
            self.writer.delete_term(Term::from_field_text(self.index.fields.key, &format!("thread:{id}")));
        }
    }

    /// Takes these events out of the index.
    pub fn remove_events(&mut self, ids: &[EventId]) {
        for id in ids {
            self.writer.delete_term(Term::from_field_text(self.index.fields.key, &format!("event:{id}")));
        }
    }

    /// Adds a shown thread, with the needs its words name (`named`) beside its tags.
    pub fn add_thread(&mut self, thread: &SearchableThread, named: &[String]) -> Result<(), SearchError> {
        let f = self.index.fields;
        let record = Record::Thread {
            id: thread.id,
            title: thread.title.clone(),
            excerpt: thread.excerpt.clone(),
            network_slug: thread.network_slug.clone(),
            network_name: thread.network_name.clone(),
            last_posted_at: thread.last_posted_at,
            replies: thread.replies,
        };
        let mut document = doc!(
            f.key => format!("thread:{}", thread.id),
            f.kind => "thread",
            f.title => thread.title.as_str(),
            f.text => thread.text.as_str(),
            f.ends => i64::MAX,
            f.record => serde_json::to_string(&record).map_err(|e| SearchError::Io(e.to_string()))?,
        );
        // A place-based network's thread is for the whole area.
        let places = cells_of(thread.point);
        for cell in if thread.point.is_some() { places } else { vec![EVERYWHERE_CELL] } {
            document.add_u64(f.cells, cell);
        }
        for need in thread.needs.iter().chain(named) {
            document.add_text(f.need, need);
        }
        self.writer.add_document(document)?;
        Ok(())
    }

    /// Adds an event still to come, with the needs its words name beside
    /// those of the services it names. One with no time to come, or no
    /// place (at a venue made confidential since), is found only where no
    /// place was asked about.
    pub fn add_event(&mut self, event: &SearchableEvent, named: &[String]) -> Result<(), SearchError> {
        let f = self.index.fields;
        let Some(last) = event.occurrences.last() else { return Ok(()) };
        let record = Record::Event {
            id: event.id,
            title: event.title.clone(),
            excerpt: event.excerpt.clone(),
            network_slug: event.network_slug.clone(),
            network_name: event.network_name.clone(),
            place_name: event.place_name.clone(),
            point: event.point,
            times: event.occurrences.iter().map(|o| (o.starts, o.ends)).collect(),
            free: event.free,
        };
        let mut document = doc!(
            f.key => format!("event:{}", event.id),
            f.kind => "event",
            f.title => event.title.as_str(),
            f.text => event.text.as_str(),
            f.ends => last.ends.timestamp(),
            f.record => serde_json::to_string(&record).map_err(|e| SearchError::Io(e.to_string()))?,
        );
        for cell in cells_of(event.point) {
            document.add_u64(f.cells, cell);
        }
        for need in event.needs.iter().chain(named) {
            document.add_text(f.need, need);
        }
        self.writer.add_document(document)?;
        Ok(())
    }

    /// Makes the changes visible, recording that the log is taken in up to
    /// `up_to` (or, for changes, further if another edit got further first),
    /// then merges the index when edits have split it up.
    pub fn commit(mut self, up_to: i64) -> Result<(), SearchError> {
        let mut held = self.index.up_to.lock().unwrap_or_else(|p| p.into_inner());
        let up_to = if self.from_scratch { up_to } else { held.map_or(up_to, |before| before.max(up_to)) };
        let mut prepared = self.writer.prepare_commit()?;
        prepared.set_payload(&up_to.to_string());
        prepared.commit()?;
        self.committed = true;
        *held = Some(up_to);
        drop(held);
        self.index.reader.reload()?;
        let segments = self.index.index.searchable_segment_ids()?;
        if segments.len() > MOST_SEGMENTS {
            self.writer.merge(&segments).wait()?;
            self.index.reader.reload()?;
        }
        Ok(())
    }
}
