//! A filter matching documents that hold any of a set of terms of one field,
//! read straight from the posting lists into a bitset.
//!
//! A radius is a set of a hundred or so H3 cells. As a `BooleanQuery` of
//! `TermQuery`s that is a hundred scorers merged document by document, and
//! tantivy's `TermSetQuery` builds an FST of the terms on every query; both
//! cost more than the rest of the search. Reading each posting list once into
//! a bitset costs only the postings themselves.

use tantivy::query::{BitSetDocSet, ConstScorer, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::schema::IndexRecordOption;
use tantivy::{BitSet, DocId, DocSet, Score, SegmentReader, TERMINATED, TantivyError, Term};

/// Documents holding any of `terms`, all of one field. It never scores: a
/// match scores the same as any other.
#[derive(Clone, Debug)]
pub(crate) struct AnyTermQuery {
    terms: Vec<Term>,
}

impl AnyTermQuery {
    /// `None` when `terms` is empty or the terms are of different fields.
    pub fn new(terms: Vec<Term>) -> Option<AnyTermQuery> {
        let field = terms.first()?.field();
        terms.iter().all(|t| t.field() == field).then_some(AnyTermQuery { terms })
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

impl Weight for AnyTermQuery {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let mut docs = BitSet::with_max_value(reader.max_doc());
        if let Some(field) = self.terms.first().map(Term::field) {
            let index = reader.inverted_index(field)?;
            for term in &self.terms {
                let Some(info) = index.get_term_info(term)? else { continue };
                let mut postings =
                    index.read_block_postings_from_terminfo(&info, IndexRecordOption::Basic)?;
                while !postings.docs().is_empty() {
                    for &doc in postings.docs() {
                        docs.insert(doc);
                    }
                    postings.advance();
                }
            }
        }
        Ok(Box::new(Checked(ConstScorer::new(BitSetDocSet::from(docs), boost))))
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
