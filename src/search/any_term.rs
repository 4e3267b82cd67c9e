//! A filter matching documents that hold any of a set of terms of one field,
//! read straight from the posting lists into a bitset.
//!
//! A radius is a set of a hundred or so H3 cells. As a `BooleanQuery` of
//! `TermQuery`s that is a hundred scorers merged document by document, and
//! tantivy's `TermSetQuery` builds an FST of the terms on every query; both
//! cost more than the rest of the search. Reading each posting list once into
//! a bitset costs only the postings themselves.
//!
//! A term that many documents hold (a day of the week, a need, a large cell)
//! is read once for each snapshot of the index and its bitset kept
//! (`CommonTerms`): a day asked for "or times not listed" would otherwise
//! read tens of thousands of postings on every search.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use tantivy::index::SegmentId;
use tantivy::postings::TermInfo;
use tantivy::query::{BitSetDocSet, ConstScorer, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::schema::IndexRecordOption;
use tantivy::{BitSet, DocId, DocSet, Score, SegmentReader, TERMINATED, TantivyError, Term};

/// Documents holding any of `terms`, all of one field. It never scores: a
/// match scores the same as any other.
#[derive(Clone)]
pub(crate) struct AnyTermQuery {
    terms: Vec<Term>,
    common: Arc<CommonTerms>,
}

impl AnyTermQuery {
    /// `None` when `terms` is empty or the terms are of different fields.
    /// The bitsets of common terms are kept in `common`.
    pub fn new(terms: Vec<Term>, common: Arc<CommonTerms>) -> Option<AnyTermQuery> {
        let field = terms.first()?.field();
        terms.iter().all(|t| t.field() == field).then_some(AnyTermQuery { terms, common })
    }
}

impl std::fmt::Debug for AnyTermQuery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AnyTermQuery").field("terms", &self.terms).finish_non_exhaustive()
    }
}

/// The bitsets of common terms (held by at least one document in
/// `COMMON_SHARE`), by segment, each read the first time a search asks for
/// it. Kept with one snapshot of the index, they never go stale: a segment
/// never changes once written, and its deleted documents are left out by
/// the collector, as for any query.
#[derive(Default)]
pub(crate) struct CommonTerms {
    sets: RwLock<HashMap<(SegmentId, Term), Arc<BitSet>>>,
}

/// A term is common when at least one document in this many holds it: its
/// bitset is then no more than four bytes for each of its postings, and a
/// field holds at most this many common terms for each value a document has.
const COMMON_SHARE: u32 = 32;

impl CommonTerms {
    /// The bitset of `term` in `reader`'s segment, read by `read` the first time.
    fn get_or_read(
        &self,
        reader: &SegmentReader,
        term: &Term,
        read: impl FnOnce(&mut BitSet) -> tantivy::Result<()>,
    ) -> tantivy::Result<Arc<BitSet>> {
        let key = (reader.segment_id(), term.clone());
        if let Some(set) = self.sets.read().unwrap_or_else(|p| p.into_inner()).get(&key) {
            return Ok(Arc::clone(set));
        }
        let mut set = BitSet::with_max_value(reader.max_doc());
        read(&mut set)?;
        let set = Arc::new(set);
        self.sets.write().unwrap_or_else(|p| p.into_inner()).insert(key, Arc::clone(&set));
        Ok(set)
    }
}

impl Query for AnyTermQuery {
    fn weight(&self, _scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(self.clone()))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for term in &self.terms {
            visitor(term, false);
        }
    }
}

/// The bitset, offered to an intersection as a set to check documents
/// against rather than one to walk: checking is a bit, while walking it means
/// seeking every other clause (a union of a query's words, say) at each of
/// its documents.
struct Checked(ConstScorer<BitSetDocSet>);

impl DocSet for Checked {
    fn advance(&mut self) -> DocId {
        self.0.advance()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        self.0.seek(target)
    }

    fn doc(&self) -> DocId {
        self.0.doc()
    }

    fn size_hint(&self) -> u32 {
        self.0.size_hint()
    }

    fn cost(&self) -> u64 {
        u64::MAX
    }
}

impl Scorer for Checked {
    fn score(&mut self) -> Score {
        self.0.score()
    }
}

impl AnyTermQuery {
    /// The documents of `reader`'s segment that hold any of the terms.
    pub(super) fn docs(&self, reader: &SegmentReader) -> tantivy::Result<BitSet> {
        let empty = || BitSet::with_max_value(reader.max_doc());
        // `new` refuses an empty set of terms.
        let Some(field) = self.terms.first().map(Term::field) else {
            return Ok(empty());
        };
        let index = reader.inverted_index(field)?;
        let mut found: Vec<(&Term, TermInfo)> = Vec::with_capacity(self.terms.len());
        for term in &self.terms {
            if let Some(info) = index.get_term_info(term)? {
                found.push((term, info));
            }
        }
        // The commonest first: its kept bitset copied, the others added.
        found.sort_by_key(|(_, info)| std::cmp::Reverse(info.doc_freq));
        let read = |info: &TermInfo, docs: &mut BitSet| -> tantivy::Result<()> {
            let mut postings = index.read_block_postings_from_terminfo(info, IndexRecordOption::Basic)?;
            while !postings.docs().is_empty() {
                for &doc in postings.docs() {
                    docs.insert(doc);
                }
                postings.advance();
            }
            Ok(())
        };
        let mut docs: Option<BitSet> = None;
        for (term, info) in &found {
            if info.doc_freq >= reader.max_doc() / COMMON_SHARE {
                let set = self.common.get_or_read(reader, term, |set| read(info, set))?;
                match &mut docs {
                    None => docs = Some(BitSet::clone(&set)),
                    Some(docs) => add_all(docs, &set),
                }
            } else {
                read(info, docs.get_or_insert_with(empty))?;
            }
        }
        Ok(docs.unwrap_or_else(empty))
    }
}

impl Weight for AnyTermQuery {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(Box::new(Checked(ConstScorer::new(BitSetDocSet::from(self.docs(reader)?), boost))))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.seek(doc) == doc && doc != TERMINATED {
            Ok(Explanation::new("AnyTermQuery", 1.0))
        } else {
            Err(TantivyError::InvalidArgument(format!("document {doc} does not match")))
        }
    }
}

/// Adds every document of `set` to `docs`, both of one segment.
fn add_all(docs: &mut BitSet, set: &BitSet) {
    for bucket in 0..set.max_value().div_ceil(64) {
        let mut bits = set.tinyset(bucket);
        while let Some(bit) = bits.pop_lowest() {
            docs.insert(bucket * 64 + bit);
        }
    }
}

#[cfg(test)]
mod tests {
    use tantivy::collector::DocSetCollector;
    use tantivy::schema::{STRING, Schema};
    use tantivy::{Index, TantivyDocument};

    use super::*;

    /// A common term's bitset is read once and kept; the documents found
    /// are the same as when every posting list is read.
    #[test]
    fn a_common_terms_bitset_is_kept_and_finds_the_same_documents() {
        let mut schema = Schema::builder();
        let day = schema.add_text_field("day", STRING);
        let index = Index::create_in_ram(schema.build());
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        for n in 0..640 {
            let mut doc = TantivyDocument::new();
            // "mon" is common (one in two), "untimed" rare (one in 640).
            doc.add_text(day, if n % 2 == 0 { "mon" } else { "tue" });
            if n == 7 {
                doc.add_text(day, "untimed");
            }
            writer.add_document(doc).unwrap();
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let common = Arc::new(CommonTerms::default());
        let terms = vec![Term::from_field_text(day, "mon"), Term::from_field_text(day, "untimed")];
        let query = AnyTermQuery::new(terms, Arc::clone(&common)).unwrap();
        let first = searcher.search(&query, &DocSetCollector).unwrap();
        assert_eq!(first.len(), 321, "every Monday and the one untimed");
        assert_eq!(common.sets.read().unwrap().len(), 1, "only the common term is kept");
        let again = searcher.search(&query, &DocSetCollector).unwrap();
        assert_eq!(first, again, "the kept bitset finds the same documents");
        // Two common terms: one copied, the other added to it.
        let both = vec![Term::from_field_text(day, "tue"), Term::from_field_text(day, "mon")];
        let all = searcher.search(&AnyTermQuery::new(both, Arc::clone(&common)).unwrap(), &DocSetCollector);
        assert_eq!(all.unwrap().len(), 640);
        assert_eq!(common.sets.read().unwrap().len(), 2);
    }
}
