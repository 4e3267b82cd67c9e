//! `doorstep bench neighbourhoods`: builds neighbourhoods for generated
//! geographies (the demo's grid of small areas, at sizes up to England and
//! Wales' 180,000 output areas) and for a real borough's census output areas
//! (Trafford's, from ../shared/data), and prints the runtime, the share of
//! neighbourhoods inside the band and in one piece, and their compactness.

use std::fs::File;
use std::io::{BufReader, Write};
use std::path::Path;
use std::time::Instant;

use chrono::Utc;

use super::percentile;
use crate::demo::{self, Demo, DemoSize};
use crate::geo::area_files;
use crate::geo::neighbourhoods::{self, Band, Partition, SmallArea};

/// Runs the benchmark on the census output areas in `census` (when its
/// files are there), then for each number of small areas in `sizes`.
pub fn run(sizes: &[usize], census: &Path, band: Band, out: &mut impl Write) -> std::io::Result<()> {
    writeln!(out, "doorstep bench neighbourhoods: band {} to {} people", band.min, band.max)?;
    real_borough(census, band, out)?;
    for &size in sizes {
        let today = Utc::now().date_naive();
        let demo = demo::generate(DemoSize { services: DemoSize::DEMO.services, small_areas: size }, today)
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        let areas: Vec<SmallArea> = demo
            .small_areas
            .iter()
            .map(|a| SmallArea {
                population: a.population,
                area_km2: Demo::small_area_km2(a.latitude),
                latitude: a.latitude,
                longitude: a.longitude,
            })
            .collect();
        let pairs: Vec<(usize, usize)> = demo.adjacency.iter().map(|&(a, b, _)| (a, b)).collect();
        let label = format!("{size} small areas ({} people)", demo.population());
        measure(&label, &areas, &pairs, band, out)?;
    }
    Ok(())
}

/// Trafford's 738 output areas, read and checked as `doorstep area import` reads them.
fn real_borough(census: &Path, band: Band, out: &mut impl Write) -> std::io::Result<()> {
    let file = |name: &str| File::open(census.join(name)).map(BufReader::new);
    let (Ok(small_areas), Ok(adjacency)) =
        (file("trafford_oa21_population_centroids.csv"), file("trafford_oa21_adjacency.csv"))
    else {
        return writeln!(out, "Trafford: skipped, no census files in {}", census.display());
    };
    let started = Instant::now();
    let problem = |p: area_files::Problem| std::io::Error::other(p.to_string());
    let geography = area_files::assemble(
        area_files::read_small_areas(small_areas).map_err(problem)?,
        area_files::read_adjacency(adjacency).map_err(problem)?,
        None,
        vec![],
    )
    .map_err(|problems| std::io::Error::other(format!("{} problems in the census files", problems.len())))?;
    writeln!(out, "Trafford: read and checked in {:.2} s", started.elapsed().as_secs_f64())?;
    let areas: Vec<SmallArea> = geography
        .areas
        .iter()
        .map(|a| SmallArea {
            population: a.population,
            area_km2: a.area_km2,
            latitude: a.latitude,
            longitude: a.longitude,
        })
        .collect();
    let pairs: Vec<(usize, usize)> = geography.adjacency.iter().map(|&(a, b, _)| (a, b)).collect();
    let people: u32 = areas.iter().map(|a| a.population).sum();
    measure(&format!("Trafford, {} output areas ({people} people)", areas.len()), &areas, &pairs, band, out)
}

/// Builds the neighbourhoods once and prints the figures, with the budget.
fn measure(
    label: &str,
    areas: &[SmallArea],
    pairs: &[(usize, usize)],
    band: Band,
    out: &mut impl Write,
) -> std::io::Result<()> {
    let mut adjacent = vec![Vec::new(); areas.len()];
    for &(a, b) in pairs {
        adjacent[a].push(b);
        adjacent[b].push(a);
    }
    let started = Instant::now();
    let partition: Partition = neighbourhoods::build(areas, &adjacent, band);
    let seconds = started.elapsed().as_secs_f64();
    let regions = &partition.regions;
    let count = regions.len().max(1) as f64;
    let inside = regions.iter().filter(|r| r.outside_band.is_none()).count();
    let whole = (0..regions.len()).filter(|&r| partition.is_contiguous(r, &adjacent)).count();
    let mut compactness: Vec<f64> = regions.iter().map(|r| r.compactness).collect();
    compactness.sort_by(f64::total_cmp);
    writeln!(
        out,
        "{label}: {} neighbourhoods in {seconds:.2} s; inside the band {:.1}%, \
         in one piece {:.1}%; compactness median {:.2}, lowest {:.2}",
        regions.len(),
        100.0 * inside as f64 / count,
        100.0 * whole as f64 / count,
        percentile(&compactness, 0.5),
        compactness.first().copied().unwrap_or(0.0),
    )?;
    let budget = if areas.len() <= 1_000 { 1.0 } else { 120.0 };
    writeln!(out, "budget: under {budget} s: {}", if seconds < budget { "met" } else { "NOT met" })
}
