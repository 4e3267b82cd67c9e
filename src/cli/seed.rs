//! `doorstep seed`: loading built-in data, which is the invented borough of Kingsmere.

use std::path::{Path, PathBuf};

use chrono::Utc;
use clap::Subcommand;

use super::CliError;
use super::area::import_area;
use super::imports::import_list_from;
use super::neighbourhoods::build_neighbourhoods;
use crate::app::imports::Options;
use crate::config::Config;
use crate::demo::seed::{self, Seeded};
use crate::demo::{self, DemoSize};
use crate::domain::accounts::{hash_password, random_token};
use crate::domain::imports::spreadsheet::Mapping;
use crate::domain::needs::Taxonomy;
use crate::jobs::{activity_sync, index_sync};
use crate::state::{self, AppState, StartError};
use crate::store::meta;

#[derive(Subcommand, Debug)]
pub enum SeedCommand {
    /// The invented borough of Kingsmere. Running it again changes nothing.
    Demo {
        /// How many services to generate (for benchmarks); the demo has 420.
        #[arg(long)]
        services: Option<usize>,
    },
    /// Trafford, for real: its postcodes, output areas and neighbourhoods, and
    /// its real lists of community hubs, libraries, leisure and children's
    /// centres, food banks, mental health services, sports clubs and
    /// charities, each through the spreadsheet import with its mapping in
    /// seeds/trafford. Running it again changes nothing.
    Trafford {
        /// The folder of the shared public data.
        #[arg(long, default_value = "../shared/data")]
        data: PathBuf,
    },
}

/// Trafford's lists and their mappings, compiled in.
const TRAFFORD_LISTS: &[(&str, &str)] = &[
    ("community hubs", include_str!("../../seeds/trafford/community_hubs.toml")),
    ("libraries", include_str!("../../seeds/trafford/libraries.toml")),
    ("leisure centres", include_str!("../../seeds/trafford/leisure_centres.toml")),
    ("children's centres", include_str!("../../seeds/trafford/childrens_centres.toml")),
    ("food banks", include_str!("../../seeds/trafford/food_banks.toml")),
    ("mental health services", include_str!("../../seeds/trafford/mental_health.toml")),
    ("sports clubs", include_str!("../../seeds/trafford/sports_clubs.toml")),
    ("charities", include_str!("../../seeds/trafford/charities.toml")),
];

/// What the Trafford data asks to be said wherever it is shown (the
/// PROVENANCE.txt files of ../shared/data).
pub const TRAFFORD_ATTRIBUTION: &str = "Listings from Trafford Council and Trafford Data Lab, the Charity Commission \
     for England and Wales, the DCMS and the DfE, licensed under the Open Government Licence v3.0. Source: Office for \
     National Statistics licensed under the Open Government Licence v.3.0. Contains OS data © Crown copyright and \
     database right 2025. Contains Royal Mail data © Royal Mail copyright and Database right 2025. Contains GeoPlace \
     data © Local Government Information House Limited copyright and database right 2025.";

/// Loads the data asked for into the database and the search index.
pub(super) fn run(config: Config, what: SeedCommand) -> Result<(), CliError> {
    match what {
        SeedCommand::Demo { services } => {
            let state = state::open(config)?;
            let size = services.map_or(DemoSize::DEMO, DemoSize::with_services);
            seed_demo(&state, size)?;
            Ok(())
        }
        SeedCommand::Trafford { data } => seed_trafford(config, &data),
    }
}

/// Loads Trafford: its geography, its neighbourhoods, then each list.
pub(super) fn seed_trafford(config: Config, data: &Path) -> Result<(), CliError> {
    let store = state::open_store(&config)?;
    let population = data.join("population");
    let mut conn = store.conn()?;
    import_area(
        &mut conn,
        &population.join("trafford_oa21_population_centroids.csv"),
        &population.join("trafford_oa21_adjacency.csv"),
        Some(&population.join("trafford_oa21_boundaries_generalised.geojson")),
        Some(&data.join("postcodes/trafford_postcodes_onspd_feb2025.csv")),
    )?;
    build_neighbourhoods(&mut conn, 4_000, 5_000)?;
    meta::set(&mut conn, meta::AREA_NAME, "Trafford")?;
    meta::set(&mut conn, meta::REGION, "Greater Manchester")?;
    meta::set(&mut conn, meta::ATTRIBUTION, TRAFFORD_ATTRIBUTION)?;
    let needs = Taxonomy::new(crate::store::needs::all(&mut conn)?);
    drop(conn);
    println!("{:<24} {:>8} {:>9} {:>8}  rejected, by reason", "list", "services", "no need", "rejected");
    for (name, mapping) in TRAFFORD_LISTS {
        let mapping =
            Mapping::from_toml(mapping, &needs).map_err(|e| CliError::Usage(format!("{name}: {e}")))?;
        let file = mapping.file.clone().unwrap_or_default();
        let options = Options { skip_rejected: true, ..Options::default() };
        // Named by its file, wherever the shared data is.
        let source = format!("trafford/{file}");
        let report =
            import_list_from(&store, &needs, &data.join("assets").join(&file), &source, &mapping, options)?;
        let [added, changed, unchanged, _] = report.counts("service");
        let rejected = report.rejected_services();
        let reasons: Vec<String> = report.rejections().iter().map(|(why, n)| format!("{n} {why}")).collect();
        println!(
            "{name:<24} {:>8} {:>9} {rejected:>8}  {}",
            added + changed + unchanged,
            report.without_needs,
            reasons.join("; ")
        );
    }
    // The index is brought up to date here, or by the server when it starts.
    match state::open(config) {
        Ok(state) => {
            let today = Utc::now().date_naive();
            index_sync::sync(&state.store, &state.search, &state.taxonomy, today)
                .map_err(|e| CliError::Start(StartError::Sync(e)))?;
        }
        Err(StartError::Search(error)) if error.is_busy() => {}
        Err(error) => return Err(error.into()),
    }
    println!("{TRAFFORD_ATTRIBUTION}");
    Ok(())
}

/// Seeds the demo and prints its staff accounts, whose shared password is
/// made up now and shown only this once.
pub(super) fn seed_demo(state: &AppState, size: DemoSize) -> Result<(), CliError> {
    let today = Utc::now().date_naive();
    let demo = demo::generate(size, today).map_err(|e| CliError::Usage(e.to_string()))?;
    let password = format!("demo-{}", &random_token()[..16]);
    let hash = hash_password(&password).map_err(|e| CliError::Usage(e.to_string()))?;
    let now = Utc::now().naive_utc();
    let outcome = seed::seed_demo(&mut *state.store.conn()?, &demo, &hash, now)?;
    match outcome {
        Seeded::AlreadyThere => {
            println!("The {} demo is already in this database; nothing changed.", demo.borough)
        }
        Seeded::Written => {
            index_sync::rebuild(&state.store, &state.search, &state.taxonomy, today)
                .map_err(|e| CliError::Start(StartError::Sync(e)))?;
            activity_sync::rebuild(&state.store, &state.activity, &state.search, &state.taxonomy, Utc::now())
                .map_err(|e| CliError::Start(StartError::Sync(e)))?;
            println!(
                "Seeded the {} demo: {} residents in {} small areas, {} organisations, {} services, \
                 {} past contacts at the front door.",
                demo.borough,
                demo.population(),
                demo.small_areas.len(),
                demo.organisations.len(),
                demo.services.len(),
                demo.contacts.len()
            );
            println!("Demo staff accounts, all with the password {password} (shown only now):");
            for user in &demo.users {
                println!("  {:<36} {}", user.email, user.role.label());
            }
        }
    }
    Ok(())
}
