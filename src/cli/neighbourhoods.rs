//! `doorstep neighbourhoods`: building, reporting and exporting the neighbourhoods.

use std::io::Write;
use std::time::Instant;

use clap::Subcommand;

use super::CliError;
use crate::config::Config;
use crate::geo::neighbourhoods::Band;
use crate::state;
use crate::store::{StoreError, neighbourhoods};

#[derive(Subcommand, Debug)]
pub enum NeighbourhoodsCommand {
    /// Partition the small areas into contiguous neighbourhoods within a
    /// population band. The previous build stays until this one succeeds.
    Build {
        /// The fewest people a neighbourhood should have.
        #[arg(long, default_value_t = 4_000)]
        min: u32,
        /// The most people a neighbourhood should have.
        #[arg(long, default_value_t = 5_000)]
        max: u32,
    },
    /// Each neighbourhood's population, small areas, compactness and band, with totals.
    Report {
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
    /// `small_area,neighbourhood` for every small area, with a header line.
    Export {
        /// As CSV (the only format).
        #[arg(long)]
        csv: bool,
    },
}

/// Builds, reports or exports the neighbourhoods over one database connection.
pub(super) fn run(config: &Config, action: NeighbourhoodsCommand) -> Result<(), CliError> {
    let store = state::open_store(config)?;
    let mut conn = store.conn()?;
    match action {
        NeighbourhoodsCommand::Build { min, max } => build_neighbourhoods(&mut conn, min, max),
        NeighbourhoodsCommand::Report { json } => report_neighbourhoods(&mut conn, json),
        NeighbourhoodsCommand::Export { .. } => export_neighbourhoods(&mut conn),
    }
}

pub(super) fn build_neighbourhoods(
    conn: &mut crate::store::Conn,
    min: u32,
    max: u32,
) -> Result<(), CliError> {
    let band = Band::new(min, max)
        .map_err(|e| CliError::Usage(format!("{e}; the neighbourhoods stay as they were")))?;
    let started = Instant::now();
    let built = neighbourhoods::build(conn, band).map_err(|e| match e {
        StoreError::Rollback(why) => CliError::Usage(format!("{why}; the neighbourhoods stay as they were")),
        other => CliError::from(other),
    })?;
    let count = built.neighbourhoods.len();
    let inside = built.neighbourhoods.iter().filter(|n| n.outside_band.is_none()).count();
    let small_areas: u32 = built.neighbourhoods.iter().map(|n| n.small_areas).sum();
    println!(
        "Built {count} neighbourhoods from {small_areas} small areas in {:.2} s: {inside} ({:.1}%) inside {min} to {max} people.",
        started.elapsed().as_secs_f64(),
        100.0 * inside as f64 / count.max(1) as f64
    );
    if built.kept > 0 || built.removed > 0 {
        println!(
            "{} carry on from the previous build with their ids; {} are gone (their connectors and services moved to the neighbourhood that took most of their residents).",
            built.kept, built.removed
        );
    }
    for n in built.neighbourhoods.iter().filter(|n| n.outside_band.is_some()) {
        println!("  {} is outside the band: {}", n.name, n.outside_band.as_deref().unwrap_or_default());
    }
    if built.locations_outside > 0 {
        println!(
            "{} locations lie outside every neighbourhood (see `doorstep neighbourhoods report`).",
            built.locations_outside
        );
    }
    Ok(())
}

fn report_neighbourhoods(conn: &mut crate::store::Conn, json: bool) -> Result<(), CliError> {
    let all = neighbourhoods::all(conn)?;
    let band = neighbourhoods::band(conn)?;
    let outside = neighbourhoods::locations_outside(conn)?;
    let inside = all.iter().filter(|n| n.outside_band.is_none()).count();
    let population: u64 = all.iter().map(|n| u64::from(n.population)).sum();
    let small_areas: u32 = all.iter().map(|n| n.small_areas).sum();
    if json {
        let rows: Vec<serde_json::Value> = all
            .iter()
            .map(|n| {
                serde_json::json!({
                    "id": n.id, "slug": n.slug, "name": n.name, "population": n.population,
                    "small_areas": n.small_areas, "area_km2": n.area_km2,
                    "centre": {"lat": n.latitude, "lon": n.longitude},
                    "compactness": n.compactness, "in_band": n.outside_band.is_none(),
                    "outside_band_reason": n.outside_band,
                })
            })
            .collect();
        let report = serde_json::json!({
            "band": band.map(|b| serde_json::json!({"min": b.min, "max": b.max})),
            "neighbourhoods": rows,
            "totals": {
                "neighbourhoods": all.len(), "in_band": inside,
                "share_in_band": if all.is_empty() { 0.0 } else { inside as f64 / all.len() as f64 },
                "population": population, "small_areas": small_areas,
                "locations_outside": outside.iter().map(|(name, postcode)| serde_json::json!({"name": name, "postcode": postcode})).collect::<Vec<_>>(),
            },
        });
        let text = serde_json::to_string_pretty(&report).map_err(|e| CliError::Usage(e.to_string()))?;
        println!("{text}");
        return Ok(());
    }
    println!(
        "{:<36} {:>10} {:>6} {:>8} {:>11}  band",
        "neighbourhood", "population", "areas", "km²", "compactness"
    );
    for n in &all {
        let mark = n.outside_band.as_deref().map_or(String::from("inside"), |why| format!("OUTSIDE: {why}"));
        println!(
            "{:<36} {:>10} {:>6} {:>8.2} {:>11.2}  {mark}",
            n.name, n.population, n.small_areas, n.area_km2, n.compactness
        );
    }
    println!(
        "{} neighbourhoods, {inside} inside the band{}; {population} residents in {small_areas} small areas; {} locations outside every neighbourhood.",
        all.len(),
        band.map(|b| format!(" of {} to {}", b.min, b.max)).unwrap_or_default(),
        outside.len()
    );
    Ok(())
}

/// Writes `small_area,neighbourhood` for every small area to standard output.
fn export_neighbourhoods(conn: &mut crate::store::Conn) -> Result<(), CliError> {
    let rows = neighbourhoods::membership(conn)?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    // A reader that stops early (`| head`) is not an error.
    let _ = writeln!(out, "small_area,neighbourhood").and_then(|()| {
        rows.iter().try_for_each(|(code, id)| {
            writeln!(out, "{code},{}", id.map(|id| id.to_string()).unwrap_or_default())
        })
    });
    Ok(())
}
