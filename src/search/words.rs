//! Which of a query's words carry its meaning, and how much.
//!
//! People type sentences: "somewhere for my son with autism to swim". Every
//! word of it matched against names, which weigh most, puts "MY SIDE" and
//! "MANCHESTER AID TO KOSOVO" first. So the little words that join a
//! sentence together are not searched for at all (they still make up a
//! need's everyday phrases, which are matched whole), and words that most
//! listings use of themselves ("support", "group", "help", "club") count for
//! a quarter of a word that says what is wanted. Times and ages in words
//! ("tonight", "my 14 year old") are read as what the search asks for.

use std::sync::LazyLock;

use chrono::Weekday;

/// How much a generic word counts, against 1 for a word that says what is wanted.
pub(crate) const GENERIC: f32 = 0.25;

/// Words that join a sentence and say nothing of what is wanted, as typed
/// (lower case, apostrophes dropped: "can't" is "cant").
const STOP: &[&str] = &[
    "a",
    "about",
    "after",
    "again",
    "all",
    "also",
    "am",
    "an",
    "and",
    "any",
    "anyone",
    "anything",
    "are",
    "around",
    "as",
    "at",
    "be",
    "because",
    "been",
    "being",
    "but",
    "by",
    "can",
    "cant",
    "could",
    "couldnt",
    "did",
    "do",
    "does",
    "doing",
    "dont",
    "each",
    "else",
    "even",
    "ever",
    "every",
    "find",
    "for",
    "from",
    "get",
    "gets",
    "getting",
    "go",
    "going",
    "got",
    "had",
    "has",
    "have",
    "having",
    "he",
    "hed",
    "hes",
    "her",
    "here",
    "hers",
    "him",
    "his",
    "how",
    "i",
    "id",
    "if",
    "ill",
    "im",
    "in",
    "into",
    "is",
    "isnt",
    "it",
    "its",
    "ive",
    "just",
    "know",
    "like",
    "looking",
    "lot",
    "lots",
    "make",
    "me",
    "mine",
    "more",
    "most",
    "much",
    "must",
    "my",
    "myself",
    "near",
    "nearby",
    "need",
    "needs",
    "needed",
    "nearest",
    "no",
    "not",
    "of",
    "off",
    "on",
    "one",
    "or",
    "our",
    "ours",
    "out",
    "over",
    "please",
    "quite",
    "really",
    "so",
    "some",
    "someone",
    "something",
    "somewhere",
    "still",
    "such",
    "than",
    "that",
    "thats",
    "the",
    "their",
    "them",
    "then",
    "there",
    "these",
    "they",
    "theyre",
    "thing",
    "things",
    "think",
    "this",
    "those",
    "through",
    "to",
    "too",
    "try",
    "trying",
    "up",
    "us",
    "very",
    "want",
    "wanted",
    "wants",
    "was",
    "wasnt",
    "way",
    "we",
    "well",
    "were",
    "what",
    "whats",
    "when",
    "where",
    "which",
    "while",
    "who",
    "whom",
    "why",
    "will",
    "with",
    "within",
    "without",
    "would",
    "wouldnt",
    "year",
    "years",
    "yet",
    "you",
    "youre",
    "your",
    "yours",
    "yourself",
    "old",
    "since",
];

/// Words so common in listings' own names and descriptions that a match on
/// them says little: what kind of thing it is, or who someone is to the caller.
const GENERIC_WORDS: &[&str] = &[
    "help",
    "helps",
    "support",
    "supporting",
    "group",
    "groups",
    "service",
    "services",
    "centre",
    "centres",
    "center",
    "club",
    "clubs",
    "people",
    "person",
    "local",
    "community",
    "charity",
    "project",
    "network",
    "organisation",
    "association",
    "society",
    "trust",
    "foundation",
    "uk",
    "limited",
    "ltd",
    "cio",
    "area",
    "mum",
    "mums",
    "mom",
    "mother",
    "dad",
    "dads",
    "father",
    "son",
    "sons",
    "daughter",
    "daughters",
    "husband",
    "husbands",
    "wife",
    "wives",
    "partner",
    "partners",
    "child",
    "children",
    "kid",
    "kids",
    "family",
    "friend",
    "friends",
    "brother",
    "sister",
    "nan",
    "grandad",
    "grandma",
    "granddad",
    "parent",
    "parents",
    "man",
    "men",
    "woman",
    "women",
    "boy",
    "girl",
    "new",
    "day",
    "week",
    "today",
    "time",
    "place",
    "home",
    "house",
    "life",
    "live",
    "living",
    "information",
    "struggling",
    "struggle",
    "struggles",
    "coping",
    "cope",
    "stay",
    "staying",
];

/// Words that phrases are matched without: whose someone is ("my mum
/// died" is "mum died", as is "since mum died") and how much ("feeling
/// really low" is "feeling low"). As typed, lower case.
const FILLERS: &[&str] = &[
    "my",
    "his",
    "her",
    "their",
    "our",
    "your",
    "the",
    "a",
    "an",
    "since",
    "really",
    "very",
    "so",
    "quite",
    "just",
    "bit",
    "little",
    "totally",
    "completely",
    "extremely",
    "pretty",
    "awfully",
    "terribly",
];

/// Whether a word is left out when phrases are matched (see `FILLERS`).
pub(crate) fn filler(word: &str) -> bool {
    FILLERS.contains(&word)
}

/// How much a word (lower case, as typed) counts: nothing for a word that
/// only joins a sentence, `GENERIC` for one listings use of themselves, else 1.
pub(crate) fn weight(word: &str) -> f32 {
    if STOP.contains(&word) || word.chars().all(|c| c.is_ascii_digit()) || word.chars().count() < 2 {
        0.0
    } else if GENERIC_WORDS.contains(&word) {
        GENERIC
    } else {
        1.0
    }
}

/// How much a word counts that only says why ("lonely since mum died",
/// "low because I lost my job"), against what it would otherwise: what is
/// felt is what is asked; the cause helps choose, a little, but need not be
/// matched: a bereavement café miles away is not company for a lonely widower.
pub(crate) const CAUSE: f32 = 0.25;

/// Where a clause that says why begins: the first "since" or "because"
/// after a word that says what is wanted. None when there is none, or when
/// the text begins with it ("since my wife died"): then it is all there is.
pub(crate) fn cause_at(pieces: &[Piece]) -> Option<usize> {
    let at = pieces.iter().position(|p| p.joins == 0 && matches!(p.text.as_str(), "since" | "because"))?;
    pieces[..at].iter().any(|p| weight(&p.text) > 0.0).then_some(at)
}

/// A word of a text as typed, lower case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Piece {
    pub text: String,
    /// For a hyphenated word written whole ("wellbeing" from "well-being"),
    /// how many of the words before it it joins.
    pub joins: usize,
}

/// The words of `text` as typed, lower case: split at anything that is not a
/// letter or digit, except that an apostrophe inside a word is dropped
/// ("can't" is one word, "cant"; "men's" is "mens") and a hyphenated or
/// slashed word is given whole as well as in parts ("well-being" gives
/// "well", "being", and "wellbeing" joining them, as listings spell it
/// either way).
pub(crate) fn split(text: &str) -> Vec<Piece> {
    let mut words = Vec::new();
    let text = text.replace(['\u{2019}', '\u{2018}', '\''], "");
    for piece in text.split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '/')) {
        let parts: Vec<String> =
            piece.split(['-', '/']).filter(|p| !p.is_empty()).map(str::to_lowercase).collect();
        let joined = (parts.len() > 1).then(|| Piece { text: parts.concat(), joins: parts.len() });
        words.extend(parts.into_iter().map(|text| Piece { text, joins: 0 }));
        words.extend(joined);
    }
    words
}

/// The hyphenated words of a listing's text written whole, for the index to
/// hold beside the text, so that "wellbeing" finds "well-being".
pub(crate) fn joined_forms(text: &str) -> String {
    split(text).into_iter().filter(|p| p.joins > 0).map(|p| p.text).collect::<Vec<_>>().join(" ")
}

/// Words written more than one way, each way found by the others:
/// abbreviations listings use in their names and American spellings.
const VARIANTS: &[&[&str]] = &[
    &["football", "fc", "afc"],
    &["centre", "center"],
    &["programme", "program"],
    &["organisation", "organization"],
    &["counselling", "counseling"],
    &["neighbour", "neighbor"],
    &["neighbours", "neighbors"],
    &["colour", "color"],
    &["behaviour", "behavior"],
    &["cafe", "caf\u{e9}"],
    &["theatre", "theater"],
    &["mum", "mom"],
    &["paediatric", "pediatric"],
    &["lgbt", "lgbtq", "lgbtqia"],
];

/// The other ways of writing `word` (lower case, as typed).
pub(crate) fn variants(word: &str) -> impl Iterator<Item = &'static str> + '_ {
    VARIANTS
        .iter()
        .filter(move |set| set.contains(&word))
        .flat_map(|set| set.iter().copied())
        .filter(move |w| *w != word)
}

/// The words that say someone may be in danger now (`seeds/crisis.toml`).
const CRISIS: &str = include_str!("../../seeds/crisis.toml");

/// The crisis phrases, each as its words; a word ending in `*` matches any
/// word it begins. A list that cannot be read is a build that fails its
/// tests, not a search that misses someone in danger: see the test below.
static CRISIS_PHRASES: LazyLock<Vec<Vec<String>>> = LazyLock::new(|| {
    #[derive(serde::Deserialize)]
    struct File {
        phrases: Vec<String>,
    }
    toml::from_str::<File>(CRISIS)
        .map(|file| file.phrases)
        .unwrap_or_default()
        .iter()
        .map(|phrase| {
            phrase.to_lowercase().replace('\'', "").split_whitespace().map(str::to_string).collect()
        })
        .collect()
});

/// Whether `pieces` (see `split`) say that someone may be in danger now.
pub(crate) fn urgent(pieces: &[Piece]) -> bool {
    let words: Vec<&str> = pieces.iter().filter(|p| p.joins == 0).map(|p| p.text.as_str()).collect();
    let joined: Vec<&str> = pieces.iter().filter(|p| p.joins > 0).map(|p| p.text.as_str()).collect();
    let fits = |wanted: &str, word: &str| match wanted.strip_suffix('*') {
        Some(start) => word.starts_with(start),
        None => word == wanted,
    };
    CRISIS_PHRASES.iter().filter(|phrase| !phrase.is_empty()).any(|phrase| {
        words.windows(phrase.len()).any(|run| run.iter().zip(phrase).all(|(w, p)| fits(p, w)))
            || (phrase.len() == 1 && joined.iter().any(|w| fits(&phrase[0], w)))
    })
}

/// When, or for whom, the words say help is wanted: "tonight", "this
/// weekend", "in the evenings", "on Tuesday", "my 14 year old". Read as
/// what a search asks for, not as words to find.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Said {
    /// The days it must meet on (any of them); none when no day was said.
    pub days: Vec<Weekday>,
    /// Whether it must meet in the evening.
    pub evening: bool,
    pub age: Option<u32>,
    /// Whether the age was said as a lower bound ("over 60s").
    pub age_or_over: bool,
    /// The words that said the age, as typed: "14 year old".
    pub age_said: String,
    /// Whether the words name someone probably older ("my dad", "my nan")
    /// and no age: then the age said is those words.
    pub older_relative: bool,
    /// Whether it must cost nothing ("free", "no cost").
    pub free: bool,
    /// Which of the pieces said it.
    pub read: Vec<usize>,
    /// What was read, in words: "\u{201c}tonight\u{201d} as Thursday evening".
    pub readings: Vec<String>,
}

/// Reads the times and ages in `pieces` (see `split`), `today` being the
/// day it is where the search is.
pub(crate) fn said(pieces: &[Piece], today: Weekday) -> Said {
    let mut said = Said::default();
    let text = |n: usize| pieces.get(n).map_or("", |p| p.text.as_str());
    let typed = |from: usize, to: usize| {
        let words: Vec<&str> =
            (from..=to).filter(|&n| pieces.get(n).is_some_and(|p| p.joins == 0)).map(text).collect();
        words.join(" ")
    };
    for n in 0..pieces.len() {
        if pieces[n].joins > 0 {
            continue;
        }
        let word = text(n);
        let mut days = Vec::new();
        match word {
            "tonight" => {
                days.push(today);
                said.evening = true;
            }
            "today" => days.push(today),
            "tomorrow" => days.push(today.succ()),
            "weekend" | "weekends" => days.extend([Weekday::Sat, Weekday::Sun]),
            "evening" | "evenings" => said.evening = true,
            // "on Tuesday", "Tuesdays": a day named as when; not the
            // "Thursday" of "Thursday Lunch Club".
            _ => {
                let when = word.ends_with("days")
                    || matches!(text(n.wrapping_sub(1)), "on" | "this" | "next" | "every");
                days.extend(weekday_named(word).filter(|_| when));
            }
        }
        let evening = matches!(word, "tonight" | "evening" | "evenings");
        if !days.is_empty() || evening {
            // Each word says what it itself was read as.
            said.readings.push(format!("\u{201c}{}\u{201d} as {}", typed(n, n), when(&days, evening)));
            for day in days {
                if !said.days.contains(&day) {
                    said.days.push(day);
                }
            }
            said.read.push(n);
            continue;
        }
        if let Some(at) = costs_nothing(pieces, n).filter(|_| !said.free) {
            said.free = true;
            said.readings
                .push(format!("\u{201c}{}\u{201d} as costing nothing", typed(*at.start(), *at.end())));
            said.read.extend(at);
            continue;
        }
        // "14 year old", "14-year-old", "aged 14", "age 14"; "over 60s",
        // "over 18", not "over 2 weeks".
        let number = |n: usize| text(n).parse::<u32>().ok().filter(|&a| a <= 120);
        let over = || {
            let counted = matches!(
                text(n + 2).trim_end_matches('s'),
                "week" | "day" | "month" | "hour" | "mile" | "time" | "people" | "minute"
            );
            let plain = number(n + 1).filter(|&a| a >= 16 && !counted);
            plain.or_else(|| {
                text(n + 1).strip_suffix('s').and_then(|t| t.parse::<u32>().ok()).filter(|&a| a <= 120)
            })
        };
        let age = match (word, number(n)) {
            ("aged" | "age", _) => number(n + 1).map(|age| (age, n..=n + 1)),
            ("over", _) => over().map(|age| (age, n..=n + 1)),
            (_, Some(age))
                if matches!(text(n + 1), "year" | "years" | "yr" | "yrs") && text(n + 2) == "old" =>
            {
                Some((age, n..=n + 2))
            }
            _ => None,
        };
        if let Some((age, at)) = age.filter(|_| said.age.is_none()) {
            said.age = Some(age);
            said.age_or_over = word == "over";
            said.age_said = typed(*at.start(), *at.end());
            let or_over = if said.age_or_over { " or over" } else { "" };
            said.readings.push(format!("\u{201c}{}\u{201d} as aged {age}{or_over}", said.age_said));
            said.read.extend(at.clone());
            // "14-year-old" written whole too.
            if pieces.get(at.end() + 1).is_some_and(|p| p.joins > 0) {
                said.read.push(at.end() + 1);
            }
        }
    }
    // A parent or grandparent a caller speaks of is probably older: a guess,
    // so no filter and no reading to show, only a preference.
    let single = |n: usize| text(n).trim_end_matches('s');
    let relative = (1..pieces.len()).find(|&n| text(n - 1) == "my" && OLDER_RELATIVES.contains(&single(n)));
    if let Some(n) = relative.filter(|_| said.age.is_none()) {
        said.older_relative = true;
        // "my dad's" is typed "my dads"; "my parents" is plural.
        let who = if text(n).ends_with("parents") { text(n) } else { single(n) };
        said.age_said = format!("my {who}");
    }
    said
}

/// Whom a caller speaking of "my ..." most likely means someone older by,
/// in the singular ("my dad's", typed "my dads", is "dad").
const OLDER_RELATIVES: &[&str] = &[
    "dad",
    "father",
    "mum",
    "mother",
    "parent",
    "nan",
    "nana",
    "gran",
    "granny",
    "grandma",
    "grandad",
    "grandpa",
    "grandmother",
    "grandfather",
    "grandparent",
];

/// Where the words at `n` say that something must cost nothing, the pieces
/// that say it: "free", "free of charge", "no cost", "no charge". Not the
/// "free" of "step-free", "alcohol free", "free time" or "free from".
fn costs_nothing(pieces: &[Piece], n: usize) -> Option<std::ops::RangeInclusive<usize>> {
    const NOT_COST_BEFORE: &[&str] =
        &["step", "smoke", "alcohol", "drug", "gluten", "sugar", "dairy", "nut", "scent", "debt", "crime"];
    const NOT_COST_AFTER: &[&str] = &["time", "from", "range", "speech", "standing"];
    let text = |n: usize| pieces.get(n).filter(|p| p.joins == 0).map_or("", |p| p.text.as_str());
    // Part of a hyphenated word: the first whole word after it joins it.
    let hyphenated =
        (n + 1..pieces.len()).find(|&j| pieces[j].joins > 0).is_some_and(|j| j - pieces[j].joins <= n);
    match text(n) {
        "free"
            if hyphenated
                || NOT_COST_BEFORE.contains(&text(n.wrapping_sub(1)))
                || NOT_COST_AFTER.contains(&text(n + 1)) =>
        {
            None
        }
        "free" if text(n + 1) == "of" && text(n + 2) == "charge" => Some(n..=n + 2),
        "free" => Some(n..=n),
        "no" if matches!(text(n + 1), "cost" | "charge") => Some(n..=n + 1),
        _ => None,
    }
}

/// The age from which someone counts as older.
pub(crate) const OLDER_AGE: u32 = 65;

/// What an age said in words also asks for: the words listings for people
/// of that age use of themselves ("junior", "youth"), and the need (a slug)
/// of their age group. Nothing for a working-age adult; "over 50s" is
/// older age.
pub(crate) fn for_age(age: u32, or_over: bool) -> (&'static [&'static str], Option<&'static str>) {
    let age = if or_over && age >= 50 { age.max(OLDER_AGE) } else { age };
    match age {
        0..=12 => {
            (&["junior", "juniors", "children", "childrens", "kids", "child"], Some("childrens-activities"))
        }
        13..=19 => {
            (&["youth", "teen", "teens", "teenagers", "teenage", "junior", "juniors"], Some("young-people"))
        }
        20..=64 => (&[], None),
        _ => (&["older", "elderly", "senior", "seniors", "retired"], Some("older-age")),
    }
}

/// The need of the age group (as `for_age` names them) that a listing for
/// ages `min` to `max` is for, if it is for one: 50 and over is later life
/// (Age UK's threshold), up to 12 childhood, and 11 to 25 at most youth.
pub(crate) fn age_group_of(min: Option<i32>, max: Option<i32>) -> Option<&'static str> {
    match (min.unwrap_or(0), max) {
        (min, _) if min >= 50 => Some("older-age"),
        (_, Some(max)) if max <= 12 => Some("childrens-activities"),
        (min, Some(max)) if min >= 11 && max <= 25 => Some("young-people"),
        _ => None,
    }
}

/// A weekday by its name, singular or plural ("tuesday", "tuesdays").
fn weekday_named(word: &str) -> Option<Weekday> {
    let name = word.strip_suffix('s').filter(|w| w.ends_with("day")).unwrap_or(word);
    crate::domain::schedule::WEEK
        .into_iter()
        .find(|&day| crate::domain::schedule::day_name(day).eq_ignore_ascii_case(name))
}

/// Days and a time of day in words: "Thursday evening", "Saturday or
/// Sunday", "the evening".
fn when(days: &[Weekday], evening: bool) -> String {
    let days: Vec<&str> = days.iter().map(|&d| crate::domain::schedule::day_name(d)).collect();
    match (days.is_empty(), evening) {
        (true, _) => String::from("the evening"),
        (false, false) => days.join(" or "),
        (false, true) => format!("{} evening", days.join(" or ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listings_ages_say_its_age_group() {
        assert_eq!(age_group_of(Some(60), None), Some("older-age"));
        assert_eq!(age_group_of(Some(50), Some(120)), Some("older-age"));
        assert_eq!(age_group_of(None, Some(11)), Some("childrens-activities"));
        assert_eq!(age_group_of(Some(13), Some(19)), Some("young-people"));
        assert_eq!(age_group_of(Some(18), None), None, "adults of every age");
        assert_eq!(age_group_of(Some(5), Some(18)), None, "children and young people both");
        assert_eq!(age_group_of(None, None), None);
    }

    #[test]
    fn joining_words_count_for_nothing_and_generic_ones_for_little() {
        let weights: Vec<f32> = ["somewhere", "for", "my", "son", "with", "autism", "to", "swim"]
            .iter()
            .map(|w| weight(w))
            .collect();
        assert_eq!(weights, [0.0, 0.0, 0.0, GENERIC, 0.0, 1.0, 0.0, 1.0]);
        assert_eq!(weight("8"), 0.0, "a number is an age or a time, not a word to find");
        assert_eq!(weight("support"), GENERIC);
        assert_eq!(weight("dementia"), 1.0);
    }

    #[test]
    fn times_and_ages_in_words_are_read_as_what_is_asked() {
        let read = |text: &str| said(&split(text), Weekday::Thu);
        let tonight = read("someone to talk to tonight");
        assert_eq!((tonight.days.clone(), tonight.evening), (vec![Weekday::Thu], true));
        assert_eq!(tonight.read, [4]);
        assert_eq!(tonight.readings, ["\u{201c}tonight\u{201d} as Thursday evening"]);
        let both = read("tonight or at the weekend");
        assert_eq!(
            both.readings,
            ["\u{201c}tonight\u{201d} as Thursday evening", "\u{201c}weekend\u{201d} as Saturday or Sunday"],
            "each word says what it was read as"
        );
        let weekend = read("swimming this weekend");
        assert_eq!((weekend.days, weekend.evening), (vec![Weekday::Sat, Weekday::Sun], false));
        assert_eq!(read("tomorrow").days, [Weekday::Fri]);
        assert_eq!(read("a group on Tuesdays").days, [Weekday::Tue]);
        assert_eq!(read("depression group tuesdays").days, [Weekday::Tue]);
        assert_eq!(read("open this saturday").days, [Weekday::Sat]);
        assert!(read("Thursday Lunch Club").days.is_empty(), "a day in a name is a word to find");
        let evenings = read("somewhere for my 14 year old to go in the evenings");
        assert!(evenings.evening && evenings.days.is_empty());
        assert_eq!(evenings.age, Some(14));
        assert_eq!(evenings.read, [3, 4, 5, 10]);
        assert_eq!(read("football for my 8-year-old").age, Some(8));
        assert_eq!(read("football for my 8-year-old").read, [3, 4, 5, 6], "the parts and the whole");
        assert_eq!(read("aged 70").age, Some(70));
        assert_eq!(read("a day centre for 200 people"), Said::default(), "not every number is an age");
        let over = read("free exercise for over 60s");
        assert_eq!((over.age, over.age_or_over, over.free), (Some(60), true, true));
        assert_eq!(over.read, [0, 3, 4]);
        assert_eq!(
            over.readings,
            ["\u{201c}free\u{201d} as costing nothing", "\u{201c}over 60s\u{201d} as aged 60 or over"]
        );
        assert!(read("a lunch club, no charge").free);
        assert_eq!(read("over 18s").age, Some(18));
        assert_eq!(read("lonely for over 2 weeks").age, None);
        assert_eq!(read("over 20 people").age, None);
        assert_eq!(read("free of charge").read, [0, 1, 2]);
        for not_cost in
            ["step-free access", "alcohol free", "things to do in my free time", "free from abuse"]
        {
            assert!(!read(not_cost).free, "{not_cost}");
        }
        // A parent or grandparent spoken of is probably older; a new mum is not.
        let dad = read("my dad's lonely since mum died");
        assert!(dad.older_relative && dad.age.is_none() && dad.readings.is_empty());
        assert_eq!(dad.age_said, "my dad");
        assert!(!read("new mum feeling low").older_relative);
        assert!(!read("football for my dad and my 8 year old").older_relative, "an age said is the age");
        assert_eq!(for_age(60, true).1, Some("older-age"), "over 60s");
        assert_eq!(for_age(60, false).1, None, "a 60 year old is of working age");
    }

    #[test]
    fn words_that_say_someone_is_in_danger_now_are_urgent() {
        let crisis: Vec<&str> = CRISIS.lines().filter(|l| l.contains('"')).collect();
        assert!(!crisis.is_empty() && CRISIS_PHRASES.len() > 50, "the crisis list is read");
        for said in [
            "thinking of ending it",
            "I can't go on",
            "I'm suicidal",
            "self-harm",
            "my son is selfharming",
            "my partner hurts me and I'm scared",
            "he's going to kill me",
            "I want to die",
            "I do not want to live any more",
            "I cannot go on",
            "I don't feel safe at home",
        ] {
            assert!(urgent(&split(said)), "{said}");
        }
        for said in ["lunch club", "my dad is lonely since mum died", "dementia support", "ending the lease"]
        {
            assert!(!urgent(&split(said)), "{said}");
        }
    }

    #[test]
    fn no_phrase_of_the_taxonomy_is_left_one_word_by_its_fillers() {
        // Such a phrase names nothing (see `SearchIndex::need_terms`):
        // "my benefits" would otherwise be "benefit", as in "for the benefit of".
        let needs = crate::domain::needs::parse(crate::domain::needs::BUILT_IN).unwrap();
        let lost: Vec<&String> = needs
            .iter()
            .flat_map(|need| need.synonyms.iter().chain(&need.phrases))
            .filter(|term| {
                let pieces = split(term);
                let words = pieces.iter().filter(|p| p.joins == 0);
                words.clone().count() > 1 && words.filter(|p| !filler(&p.text)).count() < 2
            })
            .collect();
        assert!(lost.is_empty(), "{lost:?}");
    }

    #[test]
    fn a_word_written_another_way_is_found_that_way_too() {
        assert_eq!(variants("football").collect::<Vec<_>>(), ["fc", "afc"]);
        assert_eq!(variants("center").collect::<Vec<_>>(), ["centre"]);
        assert_eq!(variants("lunch").count(), 0);
    }

    #[test]
    fn apostrophes_join_and_hyphens_give_both_spellings() {
        let texts = |text: &str| split(text).into_iter().map(|p| p.text).collect::<Vec<_>>();
        assert_eq!(texts("I can't cope"), ["i", "cant", "cope"]);
        assert_eq!(texts("men\u{2019}s shed"), ["mens", "shed"]);
        assert_eq!(texts("Well-being centre"), ["well", "being", "wellbeing", "centre"]);
        assert_eq!(split("well-being")[2], Piece { text: "wellbeing".into(), joins: 2 });
        assert_eq!(texts("day centre, daycentre"), ["day", "centre", "daycentre"]);
        assert!(split("  -- ").is_empty());
        assert_eq!(joined_forms("A well-being and day-centre"), "wellbeing daycentre");
    }
}
