//! `doorstep area`: importing the area's geography (small areas, adjacency, boundaries, postcodes).

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::Subcommand;

use super::CliError;
use crate::config::Config;
use crate::geo::area_files::{self, Input, Problem};
use crate::geo::onspd::{self, PostcodeFile};
use crate::state;
use crate::store::areas;

#[derive(Subcommand, Debug)]
pub enum AreaCommand {
    /// Import small areas with population, their adjacency and optionally
    /// boundaries (GeoJSON) and postcodes. Replaces the area's geography;
    /// built neighbourhoods stay as they are until the next build.
    Import {
        /// Small areas: a wide CSV with code, population and centre (like
        /// trafford_oa21_population_centroids.csv), or a long census table
        /// (area_code,...,indicator,...,value) with --boundaries for centres.
        #[arg(long)]
        small_areas: PathBuf,
        /// Pairs of small areas sharing a boundary: area_a,area_b[,shared_boundary_m].
        #[arg(long)]
        adjacency: PathBuf,
        /// Small-area outlines (GeoJSON): exact cells for maps and locations.
        #[arg(long)]
        boundaries: Option<PathBuf>,
        /// A postcode file (ONSPD, NSPL or an extract); its ward names name the neighbourhoods.
        #[arg(long)]
        postcodes: Option<PathBuf>,
    },
}

/// Imports the area's files, replacing its geography only when all of them can be used.
pub(super) fn run(config: &Config, action: AreaCommand) -> Result<(), CliError> {
    match action {
        AreaCommand::Import { small_areas, adjacency, boundaries, postcodes } => {
            let store = state::open_store(config)?;
            import_area(
                &mut *store.conn()?,
                &small_areas,
                &adjacency,
                boundaries.as_deref(),
                postcodes.as_deref(),
            )
        }
    }
}

/// Prints up to ten problems, and how many more there were.
fn print_problems(problems: &[Problem]) {
    for problem in problems.iter().take(10) {
        println!("  {problem}");
    }
    if problems.len() > 10 {
        println!("  and {} more.", problems.len() - 10);
    }
}

pub(super) fn import_area(
    conn: &mut crate::store::Conn,
    small_areas: &Path,
    adjacency: &Path,
    boundaries: Option<&Path>,
    postcodes: Option<&Path>,
) -> Result<(), CliError> {
    let started = Instant::now();
    let open = |path: &Path| {
        File::open(path)
            .map(BufReader::new)
            .map_err(|e| CliError::Usage(format!("{}: cannot read it: {e}", path.display())))
    };
    let fatal = |problem: Problem| CliError::Usage(format!("{problem}; nothing was imported"));
    let areas = area_files::read_small_areas(open(small_areas)?).map_err(fatal)?;
    let pairs = area_files::read_adjacency(open(adjacency)?).map_err(fatal)?;
    let outlines = match boundaries {
        Some(path) => Some(area_files::read_boundaries(open(path)?).map_err(fatal)?),
        None => None,
    };
    let (mut rows, mut left_out) = (Vec::new(), Vec::new());
    if let Some(path) = postcodes {
        let (contents, rejected) = onspd::read(open(path)?)
            .map_err(|e| CliError::Usage(format!("--postcodes: {e}; nothing was imported")))?;
        let PostcodeFile::Postcodes(read) = contents else {
            return Err(CliError::Usage(String::from(
                "--postcodes: this is a file of district centres, not of postcodes; nothing was imported",
            )));
        };
        rows = read;
        left_out = rejected
            .into_iter()
            .map(|r| Problem { input: Input::Postcodes, line: Some(r.line), message: r.reason })
            .collect();
    }
    let geography = area_files::assemble(areas, pairs, outlines, rows).map_err(|problems| {
        match problems.len() {
            1 => println!("The area was not imported: 1 problem to mend first."),
            n => println!("The area was not imported: {n} problems to mend first."),
        }
        print_problems(&problems);
        CliError::Usage(String::from("nothing was imported; the geography stays as it was"))
    })?;
    let replaced = areas::replace_geography(conn, &geography)?;
    let people: u64 = geography.areas.iter().map(|a| u64::from(a.population)).sum();
    println!(
        "Imported {} small areas ({people} residents), {} adjacent pairs, {} H3 cells and {} postcodes in {:.1} s.",
        geography.areas.len(),
        geography.adjacency.len(),
        replaced.cells,
        replaced.postcodes,
        started.elapsed().as_secs_f64()
    );
    if replaced.removed > 0 {
        println!("Removed {} small areas no longer in the file.", replaced.removed);
    }
    let rejected: Vec<Problem> = geography.rejected.into_iter().chain(left_out).collect();
    if !rejected.is_empty() {
        println!("Left out {}:", rejected.len());
        print_problems(&rejected);
    }
    println!("Run `doorstep neighbourhoods build` to build the neighbourhoods from it.");
    Ok(())
}
