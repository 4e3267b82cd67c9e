//! `doorstep bench relevance`: how well search ranks the right help, on the
//! project's own judged scenarios (seeds/relevance.toml). Each scenario is
//! what someone would type, from a postcode, perhaps with a day, "free" or an
//! age; its judgments were written by reading the data before any ranking
//! change: 2 for right and near (or serving the place), 1 for acceptable,
//! and every service not judged counts 0. Prints nDCG@10, P@5, R@10 and the
//! share of right answers found in the top ten for borough-wide needs,
//! overall and per kind, then each scenario's.

use std::collections::BTreeMap;
use std::io::Write;

use serde::Deserialize;

use crate::domain::search::SearchRequest;
use crate::state::AppState;

/// The scenarios kept in the repository.
pub const SCENARIOS: &str = include_str!("../../seeds/relevance.toml");

/// How many results are judged: the first page a person reads.
const TOP: usize = 10;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    scenario: Vec<Scenario>,
}

/// One search and what its right answers are.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub id: String,
    /// Which data it is judged on: `demo` or `trafford`.
    pub data: String,
    /// `local`, `borough_wide` or `nothing_local`.
    pub kind: String,
    /// The words typed.
    pub says: String,
    pub postcode: String,
    #[serde(default)]
    pub open: Option<String>,
    #[serde(default)]
    pub free: bool,
    #[serde(default)]
    pub age: Option<u32>,
    #[serde(default)]
    pub note: String,
    pub judged: Vec<Judged>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Judged {
    /// The service's name, as listed.
    pub name: String,
    /// 2: right and near, or serving the place; 1: acceptable.
    pub grade: u8,
}

impl Scenario {
    /// Whether a day, cost or age narrows it.
    pub fn constrained(&self) -> bool {
        self.open.is_some() || self.free || self.age.is_some()
    }

    /// The search it asks, as the search API would be asked it.
    pub fn query(&self) -> Vec<(String, String)> {
        let mut pairs = vec![
            ("q".to_string(), self.says.clone()),
            ("postcode".to_string(), self.postcode.clone()),
            ("per_page".to_string(), TOP.to_string()),
        ];
        if let Some(day) = &self.open {
            pairs.push(("open".to_string(), day.clone()));
        }
        if self.free {
            pairs.push(("free".to_string(), "true".to_string()));
        }
        if let Some(age) = self.age {
            pairs.push(("age".to_string(), age.to_string()));
        }
        pairs
    }

    /// The grade of a result by its name: 0 when it was not judged.
    fn grade(&self, name: &str) -> u8 {
        self.judged.iter().filter(|j| j.name == name).map(|j| j.grade).max().unwrap_or(0)
    }
}

/// The scenarios, read and checked: ids unique, grades 1 or 2, each with a
/// right answer.
pub fn scenarios(text: &str) -> Result<Vec<Scenario>, String> {
    let file: File = toml::from_str(text).map_err(|e| e.to_string())?;
    let mut seen = std::collections::HashSet::new();
    for s in &file.scenario {
        if !seen.insert(s.id.as_str()) {
            return Err(format!("{}: the id is used twice", s.id));
        }
        if !["demo", "trafford"].contains(&s.data.as_str()) {
            return Err(format!("{}: data must be demo or trafford", s.id));
        }
        if !["local", "borough_wide", "nothing_local"].contains(&s.kind.as_str()) {
            return Err(format!("{}: kind must be local, borough_wide or nothing_local", s.id));
        }
        if s.judged.iter().any(|j| !(1..=2).contains(&j.grade)) {
            return Err(format!("{}: a grade must be 1 or 2", s.id));
        }
        if !s.judged.iter().any(|j| j.grade == 2) {
            return Err(format!("{}: no answer is judged right (2)", s.id));
        }
    }
    Ok(file.scenario)
}

/// How one scenario's first page scored.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Score {
    pub ndcg: f64,
    /// The share of the first five that are right or acceptable.
    pub precision_5: f64,
    /// The share of the right or acceptable answers in the first ten.
    pub recall_10: f64,
    /// Right answers (2) in the first ten, and in all.
    pub right_found: usize,
    pub right_all: usize,
}

/// Scores a ranked list of result names against a scenario's judgments.
pub fn score(scenario: &Scenario, ranked: &[String]) -> Score {
    let top: Vec<u8> = ranked.iter().take(TOP).map(|name| scenario.grade(name)).collect();
    let gain = |grade: u8| f64::from((1u32 << grade) - 1);
    let dcg = |grades: &[u8]| -> f64 {
        grades.iter().enumerate().map(|(i, &g)| gain(g) / ((i + 2) as f64).log2()).sum()
    };
    let mut ideal: Vec<u8> = scenario.judged.iter().map(|j| j.grade).collect();
    ideal.sort_unstable_by(|a, b| b.cmp(a));
    ideal.truncate(TOP);
    let best = dcg(&ideal);
    let judged_in = |grades: &[u8]| grades.iter().filter(|&&g| g > 0).count();
    let relevant = scenario.judged.len();
    Score {
        ndcg: if best > 0.0 { dcg(&top) / best } else { 0.0 },
        precision_5: judged_in(&top[..top.len().min(5)]) as f64 / 5.0,
        recall_10: judged_in(&top) as f64 / relevant.clamp(1, TOP) as f64,
        right_found: top.iter().filter(|&&g| g == 2).count(),
        right_all: scenario.judged.iter().filter(|j| j.grade == 2).count(),
    }
}

/// Runs each scenario against the data it is judged on and prints the figures.
pub fn run(
    states: &[(&str, &AppState)],
    scenarios: &[Scenario],
    show: &[String],
    out: &mut impl Write,
) -> std::io::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let mut scored: Vec<(&Scenario, Score)> = Vec::new();
    for scenario in scenarios {
        let Some((_, state)) = states.iter().find(|(data, _)| *data == scenario.data) else {
            continue;
        };
        let request = SearchRequest::from_query(&scenario.query(), &state.taxonomy)
            .map_err(|problem| std::io::Error::other(format!("{}: {}", scenario.id, problem.message)))?;
        let answer = runtime
            .block_on(crate::app::search::search(state, request))
            .map_err(|error| std::io::Error::other(format!("{}: {error}", scenario.id)))?;
        let ranked: Vec<String> = answer.results.results.iter().map(|hit| hit.name.clone()).collect();
        scored.push((scenario, score(scenario, &ranked)));
        if show.iter().any(|part| scenario.id.contains(part.as_str())) {
            let mut deeper = scenario.query();
            deeper.retain(|(key, _)| key != "per_page");
            deeper.push(("per_page".to_string(), SHOWN_DEPTH.to_string()));
            let request = SearchRequest::from_query(&deeper, &state.taxonomy)
                .map_err(|problem| std::io::Error::other(problem.message))?;
            let answer = runtime
                .block_on(crate::app::search::search(state, request))
                .map_err(|error| std::io::Error::other(format!("{}: {error}", scenario.id)))?;
            shown(out, scenario, &answer.results)?;
        }
    }
    writeln!(out, "doorstep bench relevance: {} scenarios judged by hand", scored.len())?;
    let mut kinds: BTreeMap<String, Vec<&Score>> = BTreeMap::new();
    for (scenario, score) in &scored {
        kinds.entry(format!("all, {}", scenario.data)).or_default().push(score);
        kinds.entry(scenario.kind.clone()).or_default().push(score);
        let constraint =
            if scenario.constrained() { "with a day, cost or age" } else { "words and place only" };
        kinds.entry(constraint.to_string()).or_default().push(score);
    }
    let all: Vec<&Score> = scored.iter().map(|(_, s)| s).collect();
    writeln!(out, "{:<26} {:>9} {:>7} {:>7} {:>6}", "", "scenarios", "nDCG@10", "P@5", "R@10")?;
    summary(out, "all", &all)?;
    for (kind, scores) in &kinds {
        summary(out, kind, scores)?;
    }
    let wide: Vec<&Score> =
        scored.iter().filter(|(s, _)| s.kind == "borough_wide").map(|(_, score)| score).collect();
    let (found, right) = wide.iter().fold((0, 0), |(f, r), s| (f + s.right_found, r + s.right_all.min(TOP)));
    writeln!(
        out,
        "borough-wide: {found} of {right} right answers in the top ten ({:.0}%)",
        100.0 * found as f64 / right.max(1) as f64
    )?;
    let zero = scored.iter().filter(|(_, s)| s.ndcg == 0.0).count();
    writeln!(out, "scenarios at nDCG 0: {zero}")?;
    writeln!(out, "each scenario:")?;
    for (scenario, score) in &scored {
        writeln!(
            out,
            "  {:<44} {:<13} nDCG {:.2}  P@5 {:.1}  R@10 {:.2}",
            scenario.id, scenario.kind, score.ndcg, score.precision_5, score.recall_10
        )?;
    }
    Ok(())
}

/// How deep a shown scenario's results are searched for its judged answers.
const SHOWN_DEPTH: usize = 100;

/// One scenario's first page in full, and where its other judged answers are.
fn shown(
    out: &mut impl Write,
    scenario: &Scenario,
    results: &crate::domain::search::SearchResults,
) -> std::io::Result<()> {
    writeln!(
        out,
        "{}: \u{201c}{}\u{201d} from {} ({} found)",
        scenario.id, scenario.says, scenario.postcode, results.total
    )?;
    for (n, hit) in results.results.iter().enumerate().take(TOP) {
        writeln!(
            out,
            "  {:>2}. [{}] {} ({:.3}): {}",
            n + 1,
            scenario.grade(&hit.name),
            hit.name,
            hit.score,
            hit.why.join("; ")
        )?;
    }
    for judged in &scenario.judged {
        let at = results.results.iter().position(|hit| hit.name == judged.name);
        match at {
            Some(n) if n < TOP => {}
            Some(n) => {
                let hit = &results.results[n];
                let why = hit.why.join("; ");
                writeln!(
                    out,
                    "      [{}] {} is {}th ({:.3}): {why}",
                    judged.grade,
                    judged.name,
                    n + 1,
                    hit.score
                )?
            }
            None => {
                writeln!(out, "      [{}] {} is not in the first {SHOWN_DEPTH}", judged.grade, judged.name)?
            }
        }
    }
    Ok(())
}

fn summary(out: &mut impl Write, name: &str, scores: &[&Score]) -> std::io::Result<()> {
    let mean = |f: fn(&Score) -> f64| scores.iter().map(|s| f(s)).sum::<f64>() / scores.len().max(1) as f64;
    writeln!(
        out,
        "{name:<26} {:>9} {:>7.3} {:>7.3} {:>6.3}",
        scores.len(),
        mean(|s| s.ndcg),
        mean(|s| s.precision_5),
        mean(|s| s.recall_10)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario(judged: &[(&str, u8)]) -> Scenario {
        Scenario {
            id: "t".into(),
            data: "demo".into(),
            kind: "local".into(),
            says: "lunch".into(),
            postcode: "KM1 1AA".into(),
            open: None,
            free: false,
            age: None,
            note: String::new(),
            judged: judged
                .iter()
                .map(|(name, grade)| Judged { name: (*name).into(), grade: *grade })
                .collect(),
        }
    }

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|n| n.to_string()).collect()
    }

    #[test]
    fn the_ideal_order_scores_one_and_nothing_right_scores_zero() {
        let s = scenario(&[("A", 2), ("B", 1)]);
        let best = score(&s, &names(&["A", "B", "x"]));
        assert!((best.ndcg - 1.0).abs() < 1e-9);
        assert_eq!((best.precision_5, best.recall_10, best.right_found, best.right_all), (0.4, 1.0, 1, 1));
        assert_eq!(score(&s, &names(&["x", "y"])).ndcg, 0.0);
    }

    #[test]
    fn a_right_answer_lower_down_scores_less_and_after_ten_not_at_all() {
        let s = scenario(&[("A", 2)]);
        let second = score(&s, &names(&["x", "A"])).ndcg;
        assert!((second - 1.0 / 3f64.log2()).abs() < 1e-9);
        let eleventh: Vec<String> = (0..10).map(|i| format!("x{i}")).chain(["A".to_string()]).collect();
        assert_eq!(score(&s, &eleventh).ndcg, 0.0);
        // An acceptable answer first and the right one second beat the reverse less.
        let both = scenario(&[("A", 2), ("B", 1)]);
        assert!(score(&both, &names(&["B", "A"])).ndcg < score(&both, &names(&["A", "B"])).ndcg);
    }

    #[test]
    fn the_kept_scenarios_are_well_formed() {
        let kept = scenarios(SCENARIOS).unwrap();
        assert!(kept.len() >= 40, "at least 40 scenarios: {}", kept.len());
        assert!(kept.iter().any(|s| s.data == "demo") && kept.iter().any(|s| s.data == "trafford"));
        for kind in ["local", "borough_wide", "nothing_local"] {
            assert!(kept.iter().any(|s| s.kind == kind), "a {kind} scenario");
        }
        assert!(kept.iter().any(Scenario::constrained) && !kept.iter().all(Scenario::constrained));
    }

    #[test]
    fn a_badly_made_scenario_is_refused_with_its_id() {
        let twice = "[[scenario]]\nid='a'\ndata='demo'\nkind='local'\nsays='x'\npostcode='KM1'\n\
                     judged=[{name='A', grade=2}]\n";
        assert!(scenarios(&format!("{twice}{twice}")).unwrap_err().contains("a: the id is used twice"));
        let ungraded = twice.replace("grade=2", "grade=3");
        assert!(scenarios(&ungraded).unwrap_err().contains("a grade must be 1 or 2"));
        let unright = twice.replace("grade=2", "grade=1");
        assert!(scenarios(&unright).unwrap_err().contains("no answer is judged right"));
    }
}
