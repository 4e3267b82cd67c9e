//! A service as the index holds it: its document, and the numbers packed
//! into fast fields (times, points and the facts ranking reads).

use chrono::{Days, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Europe::London;
use tantivy::TantivyDocument;

use super::{
    COARSEST_CELL, EVERYWHERE_CELL, FRESH_DAYS, Fields, Meets, Record, SESSION_DAYS, SearchIndex, words,
};
use crate::domain::directory::{CostKind, DeliveryMode, ServiceArea};
use crate::domain::needs::Taxonomy;
use crate::domain::schedule::{self, Schedule, Session};
use crate::domain::views::{SearchPlace, SearchableService};
use crate::geo::cells;

/// 2020-01-01 00:00 UTC, from when stored times are counted in minutes.
fn minute_epoch() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2020, 1, 1).unwrap_or_default().and_hms_opt(0, 0, 0).unwrap_or_default()
}

/// Minutes since `minute_epoch`.
pub(crate) fn minute_number(time: NaiveDateTime) -> u64 {
    u64::try_from((time - minute_epoch()).num_minutes()).unwrap_or(0)
}

/// A session packed into one number: its start and end as minute numbers.
pub(crate) fn pack_session(session: &Session) -> u64 {
    minute_number(session.starts.naive_utc()) << 32 | minute_number(session.ends.naive_utc())
}

pub(super) fn unpack_session(packed: u64) -> Session {
    let at =
        |minutes: u64| (minute_epoch() + Duration::minutes(minutes as i64)).and_utc().with_timezone(&London);
    Session { starts: at(packed >> 32), ends: at(packed & 0xFFFF_FFFF) }
}

/// A point packed into one number: latitude and longitude to five decimal
/// places (about a metre).
pub(crate) fn pack_point(latitude: f64, longitude: f64) -> u64 {
    let lat = ((latitude + 90.0) * 100_000.0).round() as u64;
    let lon = ((longitude + 180.0) * 100_000.0).round() as u64;
    (lat << 32) | lon
}

pub(crate) fn unpack_point(packed: u64) -> (f64, f64) {
    let lat = (packed >> 32) as f64 / 100_000.0 - 90.0;
    let lon = (packed & 0xFFFF_FFFF) as f64 / 100_000.0 - 180.0;
    (lat, lon)
}

/// What a service costs as the `free` field holds it: asked for something
/// free, a search finds the free, then those that do not say.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Cost {
    Charged = 0,
    Free = 1,
    Unstated = 2,
}

impl Cost {
    fn of(cost: CostKind) -> Cost {
        match cost {
            CostKind::Free | CostKind::Donation => Cost::Free,
            CostKind::Paid => Cost::Charged,
            CostKind::Unknown => Cost::Unstated,
        }
    }
}

/// What ranking and facet counts read for every match, packed into one fast
/// field so that each match costs one read. From the lowest bit: whether it
/// reaches everyone, whether it is free, whether it was checked within
/// `FRESH_DAYS` of the day the index was built for, its delivery modes (a bit
/// each, in `DeliveryMode::ALL` order), whether its times are not known
/// (bit 7), whether its cost is not stated (bit 8), then from bit 9 the
/// needs it helps with (`NeedOrds`: up to four places in the taxonomy, or a
/// sign that they are in a column of their own).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Facts(pub u64);

impl Facts {
    const EVERYWHERE: u64 = 1;
    const FREE: u64 = 1 << 1;
    const FRESH: u64 = 1 << 2;
    const DELIVERY_SHIFT: usize = 3;
    const UNTIMED: u64 = 1 << 7;
    const COST_UNSTATED: u64 = 1 << 8;
    const NEEDS_SHIFT: usize = 9;

    pub fn pack(
        needs: u64,
        everywhere: bool,
        cost: CostKind,
        fresh: bool,
        untimed: bool,
        delivery: &[DeliveryMode],
    ) -> u64 {
        let modes = delivery
            .iter()
            .fold(0, |mask, mode| mask | 1 << DeliveryMode::ALL.iter().position(|m| m == mode).unwrap_or(0));
        let flag = |on: bool, bit: u64| if on { bit } else { 0 };
        needs << Self::NEEDS_SHIFT
            | flag(everywhere, Self::EVERYWHERE)
            | flag(Cost::of(cost) == Cost::Free, Self::FREE)
            | flag(Cost::of(cost) == Cost::Unstated, Self::COST_UNSTATED)
            | flag(fresh, Self::FRESH)
            | flag(untimed, Self::UNTIMED)
            | modes << Self::DELIVERY_SHIFT
    }

    /// Its needs, packed (see `NeedOrds`).
    pub fn needs(self) -> u64 {
        self.0 >> Self::NEEDS_SHIFT
    }

    pub fn everywhere(self) -> bool {
        self.0 & Self::EVERYWHERE != 0
    }

    pub fn free(self) -> bool {
        self.0 & Self::FREE != 0
    }

    pub fn fresh(self) -> bool {
        self.0 & Self::FRESH != 0
    }

    /// Whether it has no times listed.
    pub fn untimed(self) -> bool {
        self.0 & Self::UNTIMED != 0
    }

    /// Whether it does not say what it costs.
    pub fn cost_unstated(self) -> bool {
        self.0 & Self::COST_UNSTATED != 0
    }

    /// Whether it is delivered in the `n`th of `DeliveryMode::ALL`.
    pub fn delivered(self, n: usize) -> bool {
        self.0 >> Self::DELIVERY_SHIFT & 1 << n != 0
    }
}

impl SearchIndex {
    /// A service's document: its words, needs, places, filters, sessions
    /// and the record its results are made from.
    pub(super) fn document(
        &self,
        s: &SearchableService,
        taxonomy: &Taxonomy,
        today: NaiveDate,
    ) -> TantivyDocument {
        let f = &self.fields;
        let mut doc = TantivyDocument::default();
        doc.add_text(f.id, s.id.to_string());
        doc.add_text(f.name, &s.name);
        doc.add_text(f.description, &s.description);
        // A register's charity is its own organisation: its name counts once.
        if !s.organisation.eq_ignore_ascii_case(&s.name) {
            doc.add_text(f.organisation, &s.organisation);
        }
        doc.add_text(f.name_words, &s.name);
        doc.add_text(f.words, &s.description);
        // Words another directory tagged it with that name none of our needs.
        for keyword in &s.keywords {
            doc.add_text(f.description, keyword);
            doc.add_text(f.words, keyword);
        }
        // "well-being" written whole too, so that "wellbeing" finds it.
        let joined = words::joined_forms(&format!("{} {}", s.name, s.description));
        if !joined.is_empty() {
            doc.add_text(f.description, &joined);
            doc.add_text(f.words, &joined);
        }
        // A listing is also found by the needs its own words name beside
        // those it was given (a register's charities are given none; a
        // list's are given one for all), though less surely than by needs
        // a person gave, and is not filtered or counted by them.
        let ReadIn { needs: mut read, senses } = self.needs_read_in(s, taxonomy);
        // The ages it is for say which age group it is for, as surely as its
        // words would ("for people aged 60 and over").
        let given_under = |group: &str| {
            let group = taxonomy.by_slug(group).map(|g| g.id);
            s.needs
                .iter()
                .any(|need| group.is_some() && taxonomy.by_slug(need).and_then(|n| n.parent) == group)
        };
        if let Some(group) = words::age_group_of(s.min_age, s.max_age)
            && !read.iter().any(|(slug, _)| slug == group)
            && !given_under(group)
        {
            read.push((group.to_string(), true));
        }
        read.retain(|(slug, _)| !s.needs.contains(slug));
        for (key, _) in &senses {
            doc.add_text(f.read_sense, key);
        }
        for (slug, about) in &read {
            doc.add_text(f.read_need, slug);
            if *about {
                doc.add_text(f.read_need_about, slug);
            }
        }
        let read_needs: Vec<String> = read.into_iter().map(|(slug, _)| slug).collect();
        let needs = add_needs(&mut doc, f, &s.needs, taxonomy);
        let (everywhere, by_contact_address) = add_places(&mut doc, f, s);
        for mode in &s.delivery {
            doc.add_text(f.delivery, mode.code());
        }
        doc.add_u64(f.free, Cost::of(s.cost) as u64);
        for language in &s.languages {
            doc.add_text(f.language, language.to_lowercase());
        }
        doc.add_u64(f.step_free, u64::from(s.places.iter().any(|p| p.step_free)));
        doc.add_text(f.referral, s.referral.code());
        if let Some(capacity) = s.capacity {
            doc.add_text(f.capacity, capacity.code());
        }
        doc.add_u64(f.min_age, s.min_age.and_then(|a| u64::try_from(a).ok()).unwrap_or(0));
        doc.add_u64(f.max_age, s.max_age.and_then(|a| u64::try_from(a).ok()).unwrap_or(200));
        let meets = add_times(&mut doc, f, &s.schedules, today);
        let fresh = s.last_verified_at.is_some_and(|t| (today - t.date()).num_days() <= FRESH_DAYS as i64);
        let untimed = s.schedules.is_empty();
        doc.add_u64(f.facts, Facts::pack(needs, everywhere, s.cost, fresh, untimed, &s.delivery));
        let record = Record {
            id: s.id,
            name: s.name.clone(),
            organisation: s.organisation.clone(),
            description: s.description.clone(),
            needs: s.needs.clone(),
            delivery: s.delivery.clone(),
            area: s.area,
            referral: s.referral,
            capacity: s.capacity,
            listed_by: s.listed_by.clone(),
            read_needs,
            senses,
            meets,
            by_contact_address,
        };
        doc.add_text(f.record, serde_json::to_string(&record).unwrap_or_default());
        doc
    }
}

/// What a listing's own words say of the needs (see `needs_read_in`).
struct ReadIn {
    /// The needs they name, by slug, each with whether they are about it.
    needs: Vec<(String, bool)>,
    /// The senses of needs they say, by `sense_key`, each with the first of
    /// its terms they use.
    senses: Vec<(String, String)>,
}

/// How many different words or phrases of a need a listing's words must
/// use to be about it, when its name does not name it: one may be in
/// passing ("work experience" among an archaeology society's activities).
const ABOUT_TERMS: usize = 2;

impl SearchIndex {
    /// The needs whose words or everyday phrases a listing's name,
    /// description and keywords use, as slugs in the taxonomy's order, each
    /// with whether its words are about it: its name names it, its words
    /// name it in at least `ABOUT_TERMS` ways, or they name advice on it
    /// ("benefits advice" among Age UK's services); and the senses of needs
    /// they say (see `Need::senses`).
    fn needs_read_in(&self, s: &SearchableService, taxonomy: &Taxonomy) -> ReadIn {
        let terms = self.need_terms(taxonomy);
        let text = format!("{}. {}. {}", s.name, s.description, s.keywords.join(". "));
        let stems = self.stems(&text);
        let senses = terms
            .senses_in(&stems)
            .into_iter()
            .map(|(ord, sense, term)| (super::sense_key(&taxonomy[ord].slug, sense), term))
            .collect();
        let mut counted = terms.counted_in(&stems);
        counted.sort_unstable_by_key(|c| c.ord);
        let in_name = terms.counted_in(&self.stems(&s.name));
        let needs = counted
            .into_iter()
            .filter_map(|c| {
                let need = taxonomy.get(c.ord).filter(|need| need.parent.is_some())?;
                let about =
                    c.terms >= ABOUT_TERMS || c.advice || in_name.iter().any(|named| named.ord == c.ord);
                Some((need.slug.clone(), about))
            })
            .collect();
        ReadIn { needs, senses }
    }
}

/// Each need: its slug (and its group's) to filter by, its label and words
/// to match, and its place in the taxonomy to count by (returned packed for
/// `Facts`, or put in `need_ords` when they do not fit).
fn add_needs(doc: &mut TantivyDocument, f: &Fields, slugs: &[String], taxonomy: &Taxonomy) -> u64 {
    let mut ords = Vec::new();
    for slug in slugs {
        doc.add_text(f.need, slug);
        if let Some((ord, need)) = taxonomy.iter().enumerate().find(|(_, n)| &n.slug == slug) {
            ords.push(ord);
            // Its label only: a need's synonyms and everyday phrases name the
            // need when someone types them (and the need clause finds its
            // services), and indexed with each service their everyday words
            // ("phone", "school", "dad") would match far too much.
            doc.add_text(f.needs_text, &need.label);
            doc.add_text(f.words, &need.label);
            if let Some(parent) = need.parent.and_then(|p| taxonomy.iter().find(|n| n.id == p)) {
                doc.add_text(f.need, &parent.slug);
            }
        }
    }
    NeedOrds::pack(&ords).unwrap_or_else(|| {
        for &ord in &ords {
            doc.add_u64(f.need_ords, ord as u64);
        }
        NeedOrds::ELSEWHERE
    })
}

/// The numbers (places in the taxonomy) of a service's needs, as the
/// collector reads them for every match. Most services have a few needs, so
/// up to four are packed into 48 bits of `Facts`, twelve bits each (the place
/// plus one; none is 0): one read per match. A service with more, or with a
/// need past the 4,094th, is `ELSEWHERE`, and its needs are a column of
/// several values (`need_ords`), so the taxonomy may be any size.
pub(crate) struct NeedOrds;

impl NeedOrds {
    /// The packed value of a service whose needs are in `need_ords`.
    pub const ELSEWHERE: u64 = (1 << (4 * Self::LANE_BITS)) - 1;
    const LANE_BITS: usize = 12;
    const LANE: u64 = (1 << Self::LANE_BITS) - 1;

    /// Up to four places, packed; `None` when they do not fit.
    pub fn pack(ords: &[usize]) -> Option<u64> {
        if ords.len() > 4 {
            return None;
        }
        ords.iter().rev().try_fold(0u64, |packed, &ord| {
            let lane = u64::try_from(ord).ok()? + 1;
            (lane < Self::LANE).then_some(packed << Self::LANE_BITS | lane)
        })
    }

    /// The places a packed value holds (nothing for `ELSEWHERE`).
    pub fn unpack(packed: u64) -> Lanes {
        Lanes(if packed == Self::ELSEWHERE { 0 } else { packed })
    }
}

/// The places packed in a number, lowest lanes first; packing leaves no
/// empty lane before a full one, so the first empty lane ends them.
pub(crate) struct Lanes(u64);

impl Iterator for Lanes {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        let lane = self.0 & NeedOrds::LANE;
        self.0 >>= NeedOrds::LANE_BITS;
        (lane != 0).then(|| lane as usize - 1)
    }
}

/// The places a service is indexed at (its public venues, or else, for one
/// that does not reach everyone, its contact addresses), whether it reaches
/// everyone, and whether it is placed by a contact address (see `add_places`).
fn placed_by(s: &SearchableService) -> (Vec<&SearchPlace>, bool, bool) {
    let venues: Vec<&SearchPlace> = s.places.iter().filter(|p| !p.postal).collect();
    let remote = s.delivery.iter().any(|m| *m != DeliveryMode::InPerson);
    let everywhere = matches!(s.area, ServiceArea::Borough | ServiceArea::Region | ServiceArea::National)
        || (venues.is_empty() && remote);
    let by_contact_address = venues.is_empty() && !everywhere && s.places.iter().any(|p| p.postal);
    let places = if by_contact_address { s.places.iter().filter(|p| p.postal).collect() } else { venues };
    (places, everywhere, by_contact_address)
}

/// Each public venue's point and H3 cells at every resolution. A service
/// that reaches everyone (serving the whole area or more, or with no public
/// venue and working by phone, online or at home) is in the everywhere cell
/// too, and so is one with no public venue at all, which no place can
/// leave out. One with no venue that does not reach everyone is placed
/// roughly by its contact address, if it has one (a register's charity is
/// known by no more). Says whether it reaches everyone, and whether it is
/// placed by a contact address.
fn add_places(doc: &mut TantivyDocument, f: &Fields, s: &SearchableService) -> (bool, bool) {
    let (places, everywhere, by_contact_address) = placed_by(s);
    for (n, place) in places.iter().enumerate() {
        doc.add_u64(f.points, pack_point(place.latitude, place.longitude));
        // The first place is found by the document's place in the index's order.
        let other = (n > 0).then(|| cells::cell_of(place.latitude, place.longitude)).flatten();
        if let Some(cell) = other {
            for resolution in COARSEST_CELL..=u8::from(cells::LOCATION_RESOLUTION) {
                let parent = h3o::Resolution::try_from(resolution).ok().and_then(|r| cell.parent(r));
                if let Some(parent) = parent {
                    doc.add_u64(f.other_cells, u64::from(parent));
                }
            }
        }
    }
    if everywhere || places.is_empty() {
        doc.add_u64(f.other_cells, EVERYWHERE_CELL);
    }
    doc.add_u64(f.place, place_order(places.first().copied()));
    (everywhere, by_contact_address)
}

/// Where a document comes in the index's order (the index is sorted by its
/// `place` field): by the H3 cell of the first point it is indexed at,
/// those with no point last. A finer cell's number starts with its coarser
/// cells' digits, so the services within any one cell are one run of
/// documents, and the documents near a place are a few runs: a search
/// within a radius then skips the rest of every posting list it reads,
/// rather than walking it. The point is taken rounded as `points` keeps it.
fn place_order(first: Option<&SearchPlace>) -> u64 {
    let point = first.map(|p| unpack_point(pack_point(p.latitude, p.longitude)));
    match point.map(|(latitude, longitude)| cells::cell_of(latitude, longitude)) {
        Some(Some(cell)) => u64::from(cell),
        Some(None) => u64::MAX - 1,
        None => u64::MAX,
    }
}

/// The weekday code of a service with no times listed: a day asked for
/// finds it, after those known to meet that day.
pub(super) const UNTIMED_DAY: &str = "untimed";

/// What the weekday field holds, beside a day's code, for a day it meets in
/// the evening ("tue-evening"), and alone for any evening.
pub(super) const EVENING: &str = "evening";

/// Whether a pattern's sessions run into the evening: starting at 5pm or
/// later, or ending after 6pm.
fn in_the_evening(s: &Schedule) -> bool {
    let at = |h| chrono::NaiveTime::from_hms_opt(h, 0, 0).unwrap_or_default();
    let late_start = s.opens_at.is_some_and(|t| t >= at(17));
    let late_end = match (s.opens_at, s.closes_at) {
        // Past midnight.
        (Some(open), Some(close)) if close <= open => true,
        (_, Some(close)) => close > at(18),
        _ => false,
    };
    late_start || late_end
}

/// The weekdays it meets on, its sessions from yesterday for `SESSION_DAYS`,
/// and the first session after those, for "next meets". Gives the days.
fn add_times(doc: &mut TantivyDocument, f: &Fields, schedules: &[Schedule], today: NaiveDate) -> Meets {
    if schedules.is_empty() {
        doc.add_text(f.weekday, UNTIMED_DAY);
    }
    let mut meets = Meets::default();
    let evenings: Vec<Schedule> = schedules.iter().filter(|s| in_the_evening(s)).cloned().collect();
    for day in schedule::WEEK {
        let bit = Meets::bit(day);
        if schedule::runs_on_weekday(schedules, day, today) {
            doc.add_text(f.weekday, schedule::day_code(day));
            meets.days |= bit;
            if schedule::every_week_on(schedules, day) {
                meets.weekly |= bit;
            }
        }
        if schedule::runs_on_weekday(&evenings, day, today) {
            doc.add_text(f.weekday, format!("{}-{EVENING}", schedule::day_code(day)));
            meets.evenings |= bit;
            if schedule::every_week_on(&evenings, day) {
                meets.weekly_evenings |= bit;
            }
        }
    }
    if meets.evenings != 0 {
        doc.add_text(f.weekday, EVENING);
    }
    for n in 0..SESSION_DAYS {
        let Some(date) = today.pred_opt().and_then(|d| d.checked_add_days(Days::new(n))) else {
            continue;
        };
        for session in schedules.iter().filter_map(|sch| sch.session_on(date)) {
            doc.add_u64(f.sessions, pack_session(&session));
        }
    }
    let week_after = today
        .checked_add_days(Days::new(SESSION_DAYS - 1))
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .and_then(|t| London.from_local_datetime(&t).earliest())
        .map(|t| t.with_timezone(&Utc));
    if let Some(session) = week_after.and_then(|t| schedule::next_session(schedules, t)) {
        doc.add_u64(f.sessions, pack_session(&session));
    }
    meets
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A service with nothing but its places, delivery and area.
    fn service(
        places: Vec<SearchPlace>,
        delivery: Vec<DeliveryMode>,
        area: ServiceArea,
    ) -> SearchableService {
        SearchableService {
            id: crate::domain::ids::ServiceId(uuid::Uuid::new_v4()),
            name: String::new(),
            description: String::new(),
            organisation: String::new(),
            needs: vec![],
            keywords: vec![],
            languages: vec![],
            delivery,
            cost: CostKind::Unknown,
            min_age: None,
            max_age: None,
            area,
            referral: crate::domain::directory::ReferralRoute::SelfReferral,
            capacity: None,
            places,
            schedules: vec![],
            last_verified_at: None,
            listed_by: None,
        }
    }

    #[test]
    fn a_contact_address_places_only_a_service_with_no_venue_that_reaches_no_one_from_afar() {
        let (_, f) = super::super::schema();
        let place = |postal| SearchPlace { latitude: 53.42, longitude: -2.33, step_free: false, postal };
        let placed = |s: &SearchableService| {
            let mut doc = TantivyDocument::default();
            let (everywhere, by_contact_address) = add_places(&mut doc, &f, s);
            let points = doc.get_all(f.points).count();
            (everywhere, by_contact_address, points)
        };
        let local = ServiceArea::Local;
        assert_eq!(
            placed(&service(vec![place(true)], vec![], local)),
            (false, true, 1),
            "a register's charity"
        );
        assert_eq!(
            placed(&service(vec![place(true), place(false)], vec![], local)),
            (false, false, 1),
            "its venue"
        );
        assert_eq!(
            placed(&service(vec![place(true)], vec![DeliveryMode::Phone], local)),
            (true, false, 0),
            "a helpline reaches everyone, wherever its letters go"
        );
        assert_eq!(placed(&service(vec![place(true)], vec![], ServiceArea::Borough)), (true, false, 0));
    }

    /// A new, empty index with the built-in taxonomy, as of now.
    fn empty_index() -> (tempfile::TempDir, SearchIndex, Taxonomy, chrono::DateTime<chrono::Utc>) {
        let dir = tempfile::tempdir().unwrap();
        let taxonomy = Taxonomy::new(crate::domain::needs::parse(crate::domain::needs::BUILT_IN).unwrap());
        let (index, _) = SearchIndex::open(dir.path()).unwrap();
        (dir, index, taxonomy, chrono::Utc::now())
    }

    /// A register's charity is its own organisation; its name is not
    /// counted twice against a service of the same name run by another.
    #[test]
    fn a_name_that_is_also_the_organisation_counts_once() {
        let (_dir, index, taxonomy, now) = empty_index();
        let named = |organisation: &str| SearchableService {
            name: String::from("Riverside Talking News"),
            organisation: organisation.to_string(),
            ..service(vec![], vec![], ServiceArea::Borough)
        };
        let services = [named("Riverside Talking News"), named("Kingsmere Volunteers")];
        index.rebuild(&services, &taxonomy, now.date_naive(), 0).unwrap();
        let q = crate::domain::search::SearchRequest { text: "talking".into(), ..Default::default() };
        let found = index.search(&q, &taxonomy, "Kingsmere", now).unwrap();
        let scores: Vec<f32> = found.results.iter().map(|hit| hit.score).collect();
        assert_eq!(scores.len(), 2);
        assert!((scores[0] - scores[1]).abs() < 1e-4, "the same words score the same: {scores:?}");
    }

    /// A listing is about a need its name names, or its words name in two
    /// ways; one word of it is a passing mention. A search for the need
    /// puts the listing about it first, wherever the other is.
    #[test]
    fn a_listing_is_about_a_need_its_words_name_two_ways_not_one_mention() {
        let (_dir, index, taxonomy, now) = empty_index();
        let listing = |name: &str, description: &str| SearchableService {
            name: name.to_string(),
            organisation: name.to_string(),
            description: description.to_string(),
            ..service(vec![], vec![], ServiceArea::Borough)
        };
        let street =
            listing("Street Aid", "Food and clothing for rough sleepers and homeless people, every night.");
        let bikes =
            listing("Blood Bikes", "Volunteer couriers to hospitals and hospices; the hospices rely on us.");
        let archaeology = listing(
            "Archaeology Society",
            "Excavations, lectures on local history and work experience for schools.",
        );
        let advice = listing("Citizens Advice Riverside", "Free advice for everyone who lives here.");
        let age_uk = listing(
            "Age Concern Riverside",
            "Lunch clubs, falls prevention, benefits advice and home library visits for older people.",
        );
        let referred = listing("Riverside Lunch Club", "Hot meals; Citizens Advice visits monthly.");
        let read = |s: &SearchableService, slug: &str| {
            index
                .needs_read_in(s, &taxonomy)
                .needs
                .into_iter()
                .find(|(read, _)| read == slug)
                .map(|(_, about)| about)
        };
        assert_eq!(read(&street, "housing"), Some(true));
        assert_eq!(read(&bikes, "end-of-life"), Some(false), "one word twice is one way");
        assert_eq!(read(&archaeology, "work"), Some(false));
        assert_eq!(
            (read(&advice, "debt"), read(&advice, "benefits")),
            (Some(true), Some(true)),
            "a name names each need its words are a synonym of"
        );
        assert_eq!(read(&age_uk, "benefits"), Some(true), "advice it gives, said once");
        assert_eq!(read(&referred, "benefits"), Some(false), "another organisation named");

        let passing = listing("Riverside Archaeology", "Digs, talks and work experience for schools.");
        let about = listing("Riverside Jobs", "Job search, CV writing and interview skills.");
        index.rebuild(&[passing, about], &taxonomy, now.date_naive(), 0).unwrap();
        let q =
            crate::domain::search::SearchRequest { text: "help finding a job".into(), ..Default::default() };
        let found = index.search(&q, &taxonomy, "Riverside", now).unwrap();
        let names: Vec<&str> = found.results.iter().map(|hit| hit.name.as_str()).collect();
        assert_eq!(names, ["Riverside Jobs", "Riverside Archaeology"]);
        assert_eq!(found.close, 1, "a listing about the need the phrase names is a close match");
    }

    #[test]
    fn a_few_needs_pack_into_one_number_and_more_go_elsewhere() {
        for ords in [vec![], vec![0], vec![3, 0, 47], vec![5, 9, 399, 4_093]] {
            let packed = NeedOrds::pack(&ords).unwrap();
            assert_ne!(packed, NeedOrds::ELSEWHERE);
            assert_eq!(NeedOrds::unpack(packed).collect::<Vec<_>>(), ords);
        }
        assert_eq!(NeedOrds::pack(&[1, 2, 3, 4, 5]), None, "five needs");
        assert_eq!(NeedOrds::pack(&[4_094]), None, "a place past the lanes");
        assert_eq!(NeedOrds::unpack(NeedOrds::ELSEWHERE).count(), 0);
    }
}
