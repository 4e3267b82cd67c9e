//! `doorstep bench neighbourhoods`: builds neighbourhoods for generated
//! geographies (the demo's grid of small areas, at sizes up to England and
//! Wales' 180,000 output areas) and prints the runtime, the share of
//! neighbourhoods inside the band and in one piece, and their compactness.

use std::io::Write;
use std::time::Instant;

use chrono::Utc;

use super::percentile;
use crate::demo::{self, Demo, DemoSize};
use crate::geo::neighbourhoods::{self, Band, SmallArea};

/// Runs the benchmark for each number of small areas in `sizes`.
pub fn run(sizes: &[usize], band: Band, out: &mut impl Write) -> std::io::Result<()> {
    writeln!(out, "doorstep bench neighbourhoods: band {} to {} people", band.min, band.max)?;
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
        let mut adjacent = vec![Vec::new(); areas.len()];
        for &(a, b, _) in &demo.adjacency {
            adjacent[a].push(b);
            adjacent[b].push(a);
        }
        let started = Instant::now();
        let partition = neighbourhoods::build(&areas, &adjacent, band);
        let seconds = started.elapsed().as_secs_f64();
        let regions = &partition.regions;
        let count = regions.len().max(1) as f64;
        let inside = regions.iter().filter(|r| r.outside_band.is_none()).count();
        let whole = (0..regions.len()).filter(|&r| partition.is_contiguous(r, &adjacent)).count();
        let mut compactness: Vec<f64> = regions.iter().map(|r| r.compactness).collect();
        compactness.sort_by(f64::total_cmp);
        writeln!(
            out,
            "{size} small areas ({} people): {} neighbourhoods in {seconds:.2} s; inside the band {:.1}%, \
             in one piece {:.1}%; compactness median {:.2}, lowest {:.2}",
            demo.population(),
            regions.len(),
            100.0 * inside as f64 / count,
            100.0 * whole as f64 / count,
            percentile(&compactness, 0.5),
            compactness.first().copied().unwrap_or(0.0),
        )?;
        let budget = if size <= 1_000 { 1.0 } else { 120.0 };
        writeln!(out, "budget: under {budget} s: {}", if seconds < budget { "met" } else { "NOT met" })?;
    }
    Ok(())
}
