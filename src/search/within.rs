//! A filter matching the documents placed within a radius's cover of H3
//! cells, most of them found without reading a posting list.
//!
//! The index is sorted by the cell of each document's first place
//! (`document::place_order`), and the location cells within any coarser cell
//! are one run of numbers (`cells::locations_within`): the documents whose
//! first place lies in a cell of the cover are one run of documents, found
//! by two binary searches in the segment's places. A cover of a hundred
//! cells had been a hundred look-ups in the terms' dictionary and a hundred
//! posting lists read. Only the documents with another place near the cover
//! (a service with several venues, whose other places' cells are indexed in
//! `other_cells`) and those serving everywhere are read from posting lists.

use std::ops::Range;
use std::sync::Arc;

use h3o::{CellIndex, Resolution};
use tantivy::query::{BitSetDocSet, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::schema::Field;
use tantivy::{DocId, DocSet, Score, SegmentReader, TERMINATED, TantivyError, Term};

use super::EVERYWHERE_CELL;
use super::any_term::{AnyTermQuery, CommonTerms};
use super::collector::SegmentColumns;
use crate::geo::cells;

/// How many resolutions coarser than the cover's coarsest cells other
/// places are looked for in: two makes a disk of a hundred cells a handful.
const COARSER_FOR_OTHERS: u8 = 2;

/// The documents placed within a cover's cells, or serving everywhere (and
/// a few with another place just beyond the cover). It never scores.
#[derive(Clone)]
pub(crate) struct WithinQuery {
    /// The cover's cells as runs of location cells' numbers (first and last),
    /// in order, those that touch joined.
    runs: Vec<(u64, u64)>,
    /// The cells around the cover and the everywhere cell, in `other_cells`.
    others: AnyTermQuery,
    /// The columns of the snapshot's segments, each segment's places among them.
    columns: Vec<Arc<SegmentColumns>>,
}

impl WithinQuery {
    pub fn new(
        cover: &[CellIndex],
        other_cells: Field,
        common: Arc<CommonTerms>,
        columns: Vec<Arc<SegmentColumns>>,
    ) -> WithinQuery {
        let mut runs: Vec<(u64, u64)> = cover.iter().map(|&cell| cells::locations_within(cell)).collect();
        runs.sort_unstable();
        runs.dedup_by(|next, run| {
            let touches = next.0 <= run.1.saturating_add(1);
            run.1 = if touches { run.1.max(next.1) } else { run.1 };
            touches
        });
        // Other places are looked for in coarser cells: a few look-ups
        // rather than one for each of the cover's cells. The few services
        // with several places that this finds beyond the cover are dropped
        // with the rest by the distance checked for every match.
        let coarsest = cover.iter().map(|cell| u8::from(cell.resolution())).min().unwrap_or(0);
        let coarser =
            Resolution::try_from(coarsest.saturating_sub(COARSER_FOR_OTHERS)).unwrap_or(Resolution::Zero);
        let mut others: Vec<u64> =
            cover.iter().filter_map(|cell| cell.parent(coarser)).map(u64::from).collect();
        others.sort_unstable();
        others.dedup();
        let terms = others.into_iter().chain([EVERYWHERE_CELL]);
        let terms = terms.map(|cell| Term::from_field_u64(other_cells, cell)).collect();
        let Some(others) = AnyTermQuery::new(terms, common) else {
            unreachable!("the everywhere cell is always a term, and every term is of one field")
        };
        WithinQuery { runs, others, columns }
    }
}

impl std::fmt::Debug for WithinQuery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WithinQuery").field("runs", &self.runs).finish_non_exhaustive()
    }
}

impl Query for WithinQuery {
    fn weight(&self, _scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(self.clone()))
    }
}

impl Weight for WithinQuery {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let columns = self.columns.iter().find(|c| c.segment == reader.segment_id()).ok_or_else(|| {
            TantivyError::InternalError(format!("no columns for segment {}", reader.segment_id()))
        })?;
        // The runs come in order: each is looked for after the one before.
        let mut from = 0;
        let mut placed: Vec<Range<DocId>> = Vec::with_capacity(self.runs.len());
        for &(first, last) in &self.runs {
            let docs;
            (docs, from) = columns.placed_between(first, last, from);
            if !docs.is_empty() {
                placed.push(docs);
            }
        }
        let others = BitSetDocSet::from(self.others.docs(reader)?);
        let mut within = Within { placed, at: 0, others, doc: 0, boost };
        within.doc = within.next_from(0);
        Ok(Box::new(within))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.seek(doc) == doc && doc != TERMINATED {
            Ok(Explanation::new("WithinQuery", 1.0))
        } else {
            Err(TantivyError::InvalidArgument(format!("document {doc} does not match")))
        }
    }
}

/// The documents within: runs of documents, and a bitset of the others.
/// Offered to an intersection as a set to check documents against (its
/// cost the highest), as `any_term`'s bitsets are.
struct Within {
    /// In order, none empty.
    placed: Vec<Range<DocId>>,
    /// The first run not wholly before the current document.
    at: usize,
    others: BitSetDocSet,
    doc: DocId,
    boost: Score,
}

impl Within {
    /// The first document within from `target` on (`TERMINATED` for none);
    /// `target` is never before the current document.
    fn next_from(&mut self, target: DocId) -> DocId {
        while self.placed.get(self.at).is_some_and(|run| run.end <= target) {
            self.at += 1;
        }
        let placed = self.placed.get(self.at).map_or(TERMINATED, |run| run.start.max(target));
        let other = if self.others.doc() >= target { self.others.doc() } else { self.others.seek(target) };
        placed.min(other)
    }
}

impl DocSet for Within {
    fn advance(&mut self) -> DocId {
        self.seek(self.doc.saturating_add(1))
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if target > self.doc {
            self.doc = self.next_from(target);
        }
        self.doc
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        let placed: u32 = self.placed.iter().map(|run| run.end - run.start).sum();
        placed.saturating_add(self.others.size_hint())
    }

    fn cost(&self) -> u64 {
        u64::MAX
    }
}

impl Scorer for Within {
    fn score(&mut self) -> Score {
        self.boost
    }
}
