//! Names for new neighbourhoods, in words residents use: the ward or place
//! most of its people live in ("Sale Moor"). Where a place is split between
//! several neighbourhoods, each takes the compass point of its centre from the
//! middle of the place ("Altrincham (north)", "Altrincham (south west)").

use std::collections::{BTreeMap, HashMap};

/// A neighbourhood to be named: the places of its small areas, each with its
/// residents, and its centre (latitude, longitude).
pub struct Unnamed<'a> {
    pub places: Vec<(Option<&'a str>, u32)>,
    pub centre: (f64, f64),
}

/// One name per neighbourhood, all different. A neighbourhood whose areas
/// have no place names is "Neighbourhood 1", "Neighbourhood 2" and so on.
pub fn names(neighbourhoods: &[Unnamed<'_>]) -> Vec<String> {
    let base: Vec<String> = neighbourhoods.iter().map(main_place).collect();
    let mut groups: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, name) in base.iter().enumerate() {
        groups.entry(name.as_str()).or_default().push(i);
    }
    let mut names = base.clone();
    for (place, members) in &groups {
        if members.len() < 2 {
            continue;
        }
        if place.is_empty() {
            for (n, &i) in members.iter().enumerate() {
                names[i] = format!("Neighbourhood {}", n + 1);
            }
            continue;
        }
        let count = members.len() as f64;
        let middle = members.iter().fold((0.0, 0.0), |(la, lo), &i| {
            (la + neighbourhoods[i].centre.0 / count, lo + neighbourhoods[i].centre.1 / count)
        });
        for &i in members {
            names[i] = format!("{place} ({})", compass_point(middle, neighbourhoods[i].centre));
        }
    }
    if let Some(&[only]) = groups.get("").map(Vec::as_slice) {
        names[only] = String::from("Neighbourhood 1");
    }
    // Two neighbourhoods on the same side of a place: number them.
    let mut seen: HashMap<String, u32> = HashMap::new();
    for name in &names {
        *seen.entry(name.clone()).or_default() += 1;
    }
    let mut numbered: HashMap<String, u32> = HashMap::new();
    for name in &mut names {
        if seen[name.as_str()] > 1 {
            let n = numbered.entry(name.clone()).or_default();
            *n += 1;
            *name = match name.strip_suffix(')') {
                Some(open) => format!("{open} {n})"),
                None => format!("{name} {n}"),
            };
        }
    }
    names
}

/// The place with the most residents, ties going to the first alphabetically;
/// empty when no area has a place.
fn main_place(neighbourhood: &Unnamed<'_>) -> String {
    let mut people: BTreeMap<&str, u64> = BTreeMap::new();
    for &(place, population) in &neighbourhood.places {
        if let Some(place) = place.map(str::trim).filter(|p| !p.is_empty()) {
            *people.entry(place).or_default() += u64::from(population);
        }
    }
    people
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(a.0)))
        .map(|(place, _)| place.to_string())
        .unwrap_or_default()
}

/// Which of eight compass points `to` lies in from `from`.
fn compass_point(from: (f64, f64), to: (f64, f64)) -> &'static str {
    const POINTS: [&str; 8] =
        ["east", "north east", "north", "north west", "west", "south west", "south", "south east"];
    let north = to.0 - from.0;
    let east = (to.1 - from.1) * from.0.to_radians().cos();
    let eighth = (north.atan2(east) / std::f64::consts::FRAC_PI_4).round().rem_euclid(8.0);
    POINTS[eighth as usize % 8]
}

/// A URL-safe form of a name: "Sale Moor North" -> "sale-moor-north".
pub fn slug(name: &str) -> String {
    let mut slug = String::with_capacity(name.len());
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if c == '&' {
            slug.push_str(if slug.ends_with('-') || slug.is_empty() { "and-" } else { "-and-" });
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-').to_string();
    if slug.is_empty() { String::from("neighbourhood") } else { slug }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unnamed<'a>(places: &[(&'a str, u32)], centre: (f64, f64)) -> Unnamed<'a> {
        Unnamed { places: places.iter().map(|&(p, n)| (Some(p), n)).collect(), centre }
    }

    #[test]
    fn a_neighbourhood_takes_the_place_most_of_its_people_live_in() {
        let hood = unnamed(
            &[("Sale Moor", 300), ("Brooklands", 250), ("Brooklands", 100), ("Sale Moor", 20)],
            (53.4, -2.3),
        );
        assert_eq!(names(&[hood]), ["Brooklands"]);
    }

    #[test]
    fn a_place_split_in_several_takes_compass_points() {
        let hoods = [
            unnamed(&[("Altrincham", 4000)], (53.40, -2.35)),
            unnamed(&[("Altrincham", 4000)], (53.38, -2.35)),
            unnamed(&[("Altrincham", 4000)], (53.39, -2.32)),
            unnamed(&[("Hale", 4000)], (53.37, -2.34)),
        ];
        assert_eq!(
            names(&hoods),
            ["Altrincham (north west)", "Altrincham (south west)", "Altrincham (east)", "Hale"]
        );
    }

    #[test]
    fn names_never_repeat_and_nameless_areas_are_numbered() {
        let hoods = [
            unnamed(&[("Partington", 4000)], (53.40, -2.40)),
            unnamed(&[("Partington", 4000)], (53.40, -2.40)),
            Unnamed { places: vec![(None, 4000)], centre: (53.4, -2.3) },
            Unnamed { places: vec![(None, 4000)], centre: (53.5, -2.3) },
        ];
        assert_eq!(
            names(&hoods),
            ["Partington (east 1)", "Partington (east 2)", "Neighbourhood 1", "Neighbourhood 2"]
        );
        assert_eq!(names(&[Unnamed { places: vec![], centre: (0.0, 0.0) }]), ["Neighbourhood 1"]);
    }

    #[test]
    fn slugs_keep_letters_and_digits() {
        assert_eq!(slug("Gorse Hill & Cornbrook (north)"), "gorse-hill-and-cornbrook-north");
        assert_eq!(slug("  St. Mary's 2 "), "st-mary-s-2");
        assert_eq!(slug("!!!"), "neighbourhood");
    }
}
