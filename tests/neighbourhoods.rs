#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]
//! Building neighbourhoods from Trafford's real Census 2021 output areas
//! (read from ../shared/data, never copied into the repository).

use std::collections::HashMap;

use doorstep::geo::neighbourhoods::{Band, SmallArea, build};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/population");

/// Trafford's output areas and their adjacency, by position.
fn trafford() -> (Vec<String>, Vec<SmallArea>, Vec<Vec<usize>>) {
    let mut codes = Vec::new();
    let mut areas = Vec::new();
    let mut reader =
        csv::Reader::from_path(format!("{DATA}/trafford_oa21_population_centroids.csv")).unwrap();
    let headers = reader.headers().unwrap().clone();
    let column = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (code, people, area, lat, lon) = (
        column("oa21cd"),
        column("population"),
        column("area_km2_generalised"),
        column("centroid_lat"),
        column("centroid_lon"),
    );
    for row in reader.records() {
        let row = row.unwrap();
        codes.push(row[code].to_string());
        areas.push(SmallArea {
            population: row[people].parse().unwrap(),
            area_km2: row[area].parse().unwrap(),
            latitude: row[lat].parse().unwrap(),
            longitude: row[lon].parse().unwrap(),
        });
    }
    let place: HashMap<&str, usize> = codes.iter().enumerate().map(|(n, c)| (c.as_str(), n)).collect();
    let mut adjacent = vec![Vec::new(); codes.len()];
    let mut reader = csv::Reader::from_path(format!("{DATA}/trafford_oa21_adjacency.csv")).unwrap();
    for row in reader.records() {
        let row = row.unwrap();
        let (a, b) = (place[&row[0]], place[&row[1]]);
        adjacent[a].push(b);
        adjacent[b].push(a);
    }
    (codes, areas, adjacent)
}

#[test]
fn trafford_becomes_contiguous_compact_neighbourhoods_inside_the_band() {
    let (codes, areas, adjacent) = trafford();
    assert_eq!(codes.len(), 738);
    let band = Band { min: 4_000, max: 5_000 };
    let partition = build(&areas, &adjacent, band);

    let mut counted = vec![0; areas.len()];
    for (r, region) in partition.regions.iter().enumerate() {
        for &a in &region.areas {
            counted[a] += 1;
        }
        assert!(partition.is_contiguous(r, &adjacent), "neighbourhood {r} is in pieces");
        let in_band = (band.min..=band.max).contains(&region.population);
        assert_eq!(region.outside_band.is_none(), in_band, "{region:?}");
        if in_band {
            assert!(region.compactness > 0.3, "neighbourhood {r} is a snake: {}", region.compactness);
        }
    }
    assert!(counted.iter().all(|&c| c == 1), "every output area in exactly one neighbourhood");
    let total: u32 = areas.iter().map(|a| a.population).sum();
    assert_eq!(partition.regions.iter().map(|r| r.population).sum::<u32>(), total);
    let inside = partition.regions.iter().filter(|r| r.outside_band.is_none()).count();
    assert!(
        inside * 100 >= partition.regions.len() * 90,
        "{inside} of {} neighbourhoods inside the band: {:?}",
        partition.regions.len(),
        partition.regions.iter().filter_map(|r| r.outside_band.as_deref()).collect::<Vec<_>>()
    );
    assert_eq!(build(&areas, &adjacent, band), partition, "the same input gives the same neighbourhoods");
}
