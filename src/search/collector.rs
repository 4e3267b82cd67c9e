//! The collector that ranks, counts and filters in one pass over the
//! matching documents: each match's distance, freshness and relevance make
//! its score; totals, facet counts and each need's group are counted as it
//! goes, and only the best few are kept.

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::ops::Range;
use std::sync::Arc;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::index::SegmentId;
use tantivy::query::{Scorer, Weight};
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

use super::query::{CLOSE_CREDIT, MAX_SLOTS};
use super::{Facts, NeedOrds, unpack_point};
use crate::geo::cells;

/// How much a match's distance keeps of its score: half at 2 km.
fn nearness(distance_m: f64) -> f64 {
    1.0 / (1.0 + distance_m / 2_000.0)
}

/// The distance ranked for a service whose place is uncertain, as if a
/// couple of kilometres away: a local one whose venues are none of them
/// public, or one serving everywhere whose own words do not name the area
/// (it may be working somewhere else).
const UNCERTAIN_M: f64 = 2_000.0;

/// Results shown in each need's group.
pub(super) const GROUP_SIZE: usize = 5;

/// A document that passed, with its final score and nearest distance.
#[derive(Clone, Copy, Debug)]
pub(super) struct Candidate {
    /// Which comes first, whatever the scores: 0 for one that matches
    /// everything asked (see `SegmentMatcher::relevance_of`), 1 for one of
    /// those not known to fit a time or cost asked for (its times or cost
    /// not listed), then 2 and 3 for the same that match only part of what
    /// was asked.
    pub(super) tier: u8,
    pub(super) score: f32,
    pub(super) address: DocAddress,
    /// Metres to its nearest venue; none for one that serves the place
    /// wherever its venue is.
    pub(super) distance_m: Option<f64>,
    /// What the collector read of it: whether it serves everywhere, and
    /// whether its times and cost are listed.
    pub(super) facts: Facts,
}

impl PartialEq for Candidate {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Candidate {}
impl PartialOrd for Candidate {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Candidate {
    /// Reversed, so the heap's top is the weakest kept candidate.
    fn cmp(&self, other: &Self) -> Ordering {
        self.tier
            .cmp(&other.tier)
            .then_with(|| other.score.total_cmp(&self.score))
            .then_with(|| self.address.cmp(&other.address))
    }
}

/// What the collector needs to know that the query cannot say.
#[derive(Clone, Copy)]
pub(super) struct Conditions {
    pub(super) point: Option<(f64, f64)>,
    pub(super) radius_m: Option<f64>,
    pub(super) open_now_minute: Option<u64>,
    pub(super) has_text: bool,
    /// How much each part of what was asked counts (see `query::Reading`).
    pub(super) slots: [f32; MAX_SLOTS],
    /// The parts a close match covers (see `query::Reading::required`).
    pub(super) required: u16,
    /// Whether a day was asked for.
    pub(super) on_a_day: bool,
    /// Whether something free was asked for.
    pub(super) free: bool,
    pub(super) keep: usize,
    pub(super) need_count: usize,
    /// How many needs' groups are kept.
    pub(super) group_count: usize,
}

/// The fast fields a search reads of one segment, opened once for each
/// segment (opening a column looks its name up in the segment's columnar).
pub(crate) struct SegmentColumns {
    pub(super) segment: SegmentId,
    pub(super) points: Column<u64>,
    pub(super) sessions: Column<u64>,
    /// Every document's facts, read out of their column: every match's are
    /// read, and an array is quicker to read than the column's blocks.
    pub(super) facts: Vec<u64>,
    pub(super) need_ords: Column<u64>,
    /// Where the documents are (`document::place_order`), in the index's
    /// order: each place number and the first document there.
    places: Vec<(u64, DocId)>,
}

impl SegmentColumns {
    pub(super) fn open(reader: &SegmentReader) -> tantivy::Result<SegmentColumns> {
        let fast = reader.fast_fields();
        let (facts, place) = (fast.u64("facts")?, fast.u64("place")?);
        let mut places: Vec<(u64, DocId)> = Vec::new();
        for doc in 0..reader.max_doc() {
            let at = place.first(doc).unwrap_or(u64::MAX);
            if places.last().is_none_or(|(last, _)| *last != at) {
                places.push((at, doc));
            }
        }
        // The index's settings sort every segment by place.
        if !places.is_sorted() {
            return Err(tantivy::TantivyError::InternalError(format!(
                "segment {} is not in the order of its places",
                reader.segment_id()
            )));
        }
        Ok(SegmentColumns {
            segment: reader.segment_id(),
            points: fast.u64("points")?,
            sessions: fast.u64("sessions")?,
            facts: (0..reader.max_doc()).map(|doc| facts.first(doc).unwrap_or(0)).collect(),
            need_ords: fast.u64("need_ords")?,
            places,
        })
    }

    /// The documents whose place number is from `first` to `last`: one run.
    /// Looks from the `from`th place number on, every one before it being
    /// below `first`; gives, beside the run, where to look from for a later
    /// one. A radius's runs are near one another: each is found by galloping
    /// from the last, not by searching all the places again.
    pub(super) fn placed_between(&self, first: u64, last: u64, from: usize) -> (Range<DocId>, usize) {
        let start = gallop(&self.places, from, |(at, _)| *at < first);
        let end = gallop(&self.places, start, |(at, _)| *at <= last);
        let doc = |run: usize| self.places.get(run).map_or(self.max_doc(), |(_, doc)| *doc);
        (doc(start)..doc(end), end)
    }

    fn max_doc(&self) -> DocId {
        self.facts.len() as DocId
    }
}

/// The first place in `sorted` from `from` on where `before` no longer
/// holds (it holds for a start of the slice and nowhere after): steps of
/// 1, 2, 4… from `from`, then a binary search within the last step.
fn gallop<T>(sorted: &[T], from: usize, before: impl Fn(&T) -> bool) -> usize {
    let mut low = from.min(sorted.len());
    let mut step = 1;
    while low + step < sorted.len() && before(&sorted[low + step]) {
        low += step;
        step *= 2;
    }
    let high = (low + step).min(sorted.len());
    low + sorted[low..high].partition_point(&before)
}

/// Ranks, counts and filters in one pass over the matching documents; also
/// keeps the best few of each requested need's group (given as, for each
/// need's place in the taxonomy, a bit for each group it falls in).
pub(super) struct Matcher {
    pub(super) c: Conditions,
    /// Each segment's columns, by its place in the searcher.
    pub(super) columns: Vec<Arc<SegmentColumns>>,
    pub(super) groups: Vec<u64>,
    /// The text's clauses, scoring.
    pub(super) relevance: Vec<Scoring>,
    /// Matches the documents whose own words name the area.
    pub(super) names_area: Option<Box<dyn Weight>>,
}

/// A clause of the text, ready to score: its weight, and the parts of what
/// was asked a match on it covers, and how fully.
pub(super) struct Scoring {
    pub(super) weight: Box<dyn Weight>,
    pub(super) boost: f32,
    pub(super) covers: u16,
    pub(super) credit: f32,
}

/// A clause's scorer in one segment.
pub(super) struct Scored {
    scorer: Box<dyn Scorer>,
    covers: u16,
    credit: f32,
}

pub(super) struct SegmentMatcher {
    c: Conditions,
    groups: Vec<u64>,
    /// The text clauses' scorers in this segment, each moved forward only as
    /// far as the documents that pass the filters.
    relevance: Vec<Scored>,
    names_area: Option<Box<dyn Scorer>>,
    segment: SegmentOrdinal,
    columns: Arc<SegmentColumns>,
    /// Distances from the place asked about, if any.
    from: Option<cells::DistancesFrom>,
    fruit: Fruit,
}

#[derive(Default)]
pub(super) struct Fruit {
    pub(super) top: BinaryHeap<Candidate>,
    pub(super) total: u64,
    /// How many match every part of what was asked.
    pub(super) close: u64,
    pub(super) group_top: Vec<BinaryHeap<Candidate>>,
    pub(super) group_total: Vec<u64>,
    pub(super) needs: Vec<u64>,
    pub(super) delivery: [u64; 4],
    pub(super) free: u64,
}

impl Collector for Matcher {
    type Fruit = Fruit;
    type Child = SegmentMatcher;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentMatcher> {
        let columns = self.columns.get(segment as usize).ok_or_else(|| {
            tantivy::TantivyError::InternalError(format!("no columns for segment {segment}"))
        })?;
        Ok(SegmentMatcher {
            c: self.c,
            groups: self.groups.clone(),
            relevance: self
                .relevance
                .iter()
                .map(|s| {
                    Ok(Scored {
                        scorer: s.weight.scorer(reader, s.boost)?,
                        covers: s.covers,
                        credit: s.credit,
                    })
                })
                .collect::<tantivy::Result<_>>()?,
            segment,
            columns: Arc::clone(columns),
            from: self.c.point.map(cells::DistancesFrom::new),
            names_area: self.names_area.as_ref().map(|w| w.scorer(reader, 1.0)).transpose()?,
            fruit: self.empty_fruit(),
        })
    }

    fn requires_scoring(&self) -> bool {
        // Relevance is worked out by the segment collectors themselves.
        false
    }

    fn merge_fruits(&self, fruits: Vec<Fruit>) -> tantivy::Result<Fruit> {
        let mut all = self.empty_fruit();
        for fruit in fruits {
            all.total += fruit.total;
            all.close += fruit.close;
            all.free += fruit.free;
            for (a, b) in all.needs.iter_mut().zip(&fruit.needs) {
                *a += b;
            }
            for (a, b) in all.delivery.iter_mut().zip(&fruit.delivery) {
                *a += b;
            }
            for candidate in fruit.top {
                keep(&mut all.top, candidate, self.c.keep);
            }
            for (g, heap) in fruit.group_top.into_iter().enumerate() {
                all.group_total[g] += fruit.group_total[g];
                for candidate in heap {
                    keep(&mut all.group_top[g], candidate, GROUP_SIZE);
                }
            }
        }
        Ok(all)
    }
}

impl Matcher {
    fn empty_fruit(&self) -> Fruit {
        Fruit {
            needs: vec![0; self.c.need_count],
            group_top: vec![BinaryHeap::new(); self.c.group_count],
            group_total: vec![0; self.c.group_count],
            ..Fruit::default()
        }
    }
}

/// Keeps `candidate` in `top` if it is among the best `size` so far.
pub(super) fn keep(top: &mut BinaryHeap<Candidate>, candidate: Candidate, size: usize) {
    keep_if(top, candidate, size, |weakest| candidate < *weakest);
}

/// `keep` for a candidate that comes after every kept one in document order,
/// as in one segment's pass: a tie then goes to the one kept, so only the
/// tier and the score need comparing (the address decides nothing).
fn keep_later(top: &mut BinaryHeap<Candidate>, candidate: Candidate, size: usize) {
    keep_if(top, candidate, size, |weakest| {
        candidate.tier < weakest.tier || candidate.tier == weakest.tier && candidate.score > weakest.score
    });
}

fn keep_if(
    top: &mut BinaryHeap<Candidate>,
    candidate: Candidate,
    size: usize,
    beats: impl FnOnce(&Candidate) -> bool,
) {
    if size == 0 {
        return;
    }
    if top.len() < size {
        top.push(candidate);
    } else if top.peek().is_some_and(beats) {
        top.pop();
        top.push(candidate);
    }
}

/// Counts a match's need (by its place) in the facets `needs`; gives the
/// groups it falls in, a bit each.
fn count_need(needs: &mut [u64], groups: &[u64], ord: usize) -> u64 {
    if let Some(count) = needs.get_mut(ord) {
        *count += 1;
    }
    groups.get(ord).copied().unwrap_or(0)
}

impl SegmentMatcher {
    /// The sum of the scores of the text clauses `doc` matches, each times
    /// its weight, and how much of what was asked they cover (0 to 1: each
    /// part by how much it counts, times the fullest credit a clause
    /// matched gives it). Documents come in ascending order, so each scorer
    /// only ever moves forward.
    ///
    /// Also says whether it is a close match: every part of what was asked
    /// that `Conditions::required` names is covered by at least
    /// `CLOSE_CREDIT`.
    fn relevance_of(&mut self, doc: DocId) -> (Score, f32, bool) {
        let mut sum = 0.0;
        let mut credit = [0.0f32; MAX_SLOTS];
        for clause in &mut self.relevance {
            if clause.scorer.doc() < doc {
                clause.scorer.seek(doc);
            }
            if clause.scorer.doc() == doc {
                sum += clause.scorer.score();
                let mut covers = clause.covers;
                while covers != 0 {
                    let slot = covers.trailing_zeros() as usize;
                    credit[slot] = credit[slot].max(clause.credit);
                    covers &= covers - 1;
                }
            }
        }
        let asked: f32 = self.c.slots.iter().sum();
        let covered: f32 = self.c.slots.iter().zip(credit).map(|(w, c)| w * c).sum();
        let hit =
            credit.iter().enumerate().filter(|(_, c)| **c >= CLOSE_CREDIT).fold(0u16, |m, (n, _)| m | 1 << n);
        let close = hit & self.c.required == self.c.required;
        (sum, if asked > 0.0 { covered / asked } else { 1.0 }, close)
    }
}

impl SegmentMatcher {
    /// Whether `doc`'s own words name the area (always, when the area has
    /// no name to look for). Documents come in ascending order.
    fn names_area(&mut self, doc: DocId) -> bool {
        let Some(scorer) = &mut self.names_area else { return true };
        if scorer.doc() < doc {
            scorer.seek(doc);
        }
        scorer.doc() == doc
    }
}

impl SegmentCollector for SegmentMatcher {
    type Fruit = Fruit;

    fn collect(&mut self, doc: DocId, _unscored: Score) {
        // Only what is read here is copied: the conditions are larger.
        let Conditions { point, radius_m, open_now_minute, has_text, on_a_day, free, keep: kept, .. } =
            self.c;
        if let Some(now) = open_now_minute {
            let open = self
                .columns
                .sessions
                .values_for_doc(doc)
                .any(|s| (s >> 32) <= now && now < (s & 0xFFFF_FFFF));
            if !open {
                return;
            }
        }
        let facts = Facts(self.columns.facts.get(doc as usize).copied().unwrap_or(0));
        let distance_m = self.from.and_then(|from| {
            self.columns.points.values_for_doc(doc).map(|p| from.to(unpack_point(p))).min_by(f64::total_cmp)
        });
        // One with no public venue has no distance: the cells let it through.
        if let Some(radius) = radius_m
            && !facts.everywhere()
            && distance_m.is_some_and(|d| d > radius)
        {
            return;
        }
        self.fruit.total += 1;
        // A match's needs, from its facts; rarely, from a column of their own.
        let mut in_groups = 0;
        let (needs, groups) = (&mut self.fruit.needs, &self.groups);
        if facts.needs() == NeedOrds::ELSEWHERE {
            for ord in self.columns.need_ords.values_for_doc(doc) {
                in_groups |= count_need(needs, groups, ord as usize);
            }
        } else {
            for ord in NeedOrds::unpack(facts.needs()) {
                in_groups |= count_need(needs, groups, ord);
            }
        }
        for (n, count) in self.fruit.delivery.iter_mut().enumerate() {
            *count += u64::from(facts.delivered(n));
        }
        self.fruit.free += u64::from(facts.free());
        let (relevance, coverage, close) = if has_text { self.relevance_of(doc) } else { (1.0, 1.0, true) };
        self.fruit.close += u64::from(close);
        // One that serves the place (the whole area, by phone, or coming to
        // the person) counts as here, wherever its venue is, if its words
        // name the area.
        let distance_m = distance_m.filter(|_| !facts.everywhere());
        let nearness = match (point, distance_m) {
            (Some(_), Some(d)) => nearness(d),
            // Of those that serve everywhere, one that names the area says
            // it serves it; one that does not may be working somewhere else.
            (Some(_), None) if facts.everywhere() && !self.names_area(doc) => nearness(UNCERTAIN_M),
            // Where it is is not public: neither near nor far.
            (Some(_), None) if !facts.everywhere() => nearness(UNCERTAIN_M),
            _ => 1.0,
        };
        let fresh = if facts.fresh() { 1.0 } else { 0.85 };
        let unsure = on_a_day && facts.untimed() || free && facts.cost_unstated();
        let candidate = Candidate {
            tier: 2 * u8::from(!close) + u8::from(unsure),
            score: relevance * coverage * coverage * (nearness * fresh) as f32,
            address: DocAddress::new(self.segment, doc),
            distance_m,
            facts,
        };
        keep_later(&mut self.fruit.top, candidate, kept);
        while in_groups != 0 {
            let g = in_groups.trailing_zeros() as usize;
            if let (Some(total), Some(top)) =
                (self.fruit.group_total.get_mut(g), self.fruit.group_top.get_mut(g))
            {
                *total += 1;
                keep_later(top, candidate, GROUP_SIZE);
            }
            in_groups &= in_groups - 1;
        }
    }

    fn harvest(self) -> Fruit {
        self.fruit
    }
}

#[cfg(test)]
mod tests {
    use super::gallop;

    /// Galloping from any start finds what a binary search of the whole
    /// finds, when everything before the start is below the bound.
    #[test]
    fn galloping_finds_what_a_binary_search_finds() {
        let sorted: Vec<u64> = (0..300u64).map(|n| n * 3 / 2).collect();
        for bound in [0, 1, 7, 100, 448, 449, 1_000] {
            let whole = sorted.partition_point(|v| *v < bound);
            for from in 0..=whole {
                assert_eq!(gallop(&sorted, from, |v| *v < bound), whole, "below {bound} from {from}");
            }
        }
        assert_eq!(gallop(&sorted, 400, |v| *v < 5), sorted.len().min(400), "a start past the end");
    }
}
