//! The peer `bench compare` measures Doorstep against: PostgreSQL with
//! PostGIS and its own full-text search, from Debian's packages, in a
//! throwaway cluster on loopback, given its best indexes (GIN on the text's
//! `tsvector`, GiST on the places as geography, GIN on the categories and
//! the days) and asked through prepared statements.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use postgres::{Client, NoTls, Statement};

/// One listing as both sides hold it.
#[derive(Clone, Debug)]
pub struct Listing {
    pub id: String,
    pub name: String,
    pub organisation: String,
    /// Its description, and the labels of its categories (Doorstep matches
    /// words in those too).
    pub text: String,
    pub categories: Vec<String>,
    /// The days it meets on ("sat"), or "untimed" when its times are not listed.
    pub days: Vec<String>,
    pub latitude: f64,
    pub longitude: f64,
}

/// What is asked: words (any of them), a category, a place and a radius,
/// and whether it must meet on Saturday (or have no times listed).
#[derive(Clone, Debug)]
pub struct Asked {
    pub words: Option<String>,
    pub category: Option<String>,
    pub saturday: bool,
    pub point: (f64, f64),
    pub radius_m: f64,
    pub limit: i64,
}

/// A PostgreSQL cluster made for the run in a temporary folder, listening
/// on loopback only; stopped and removed when dropped.
pub struct Cluster {
    bin: PathBuf,
    folder: PathBuf,
    pub url: String,
}

impl Cluster {
    /// Makes and starts a cluster with PostGIS ready in its `postgres`
    /// database. As root, runs PostgreSQL's programs as the `postgres` user
    /// (they refuse to run as root).
    pub fn start() -> std::io::Result<Cluster> {
        let bin = newest_bin().ok_or_else(|| {
            std::io::Error::other(
                "no PostgreSQL server found under /usr/lib/postgresql: install Debian's postgresql-15 and postgresql-15-postgis-3",
            )
        })?;
        clear_away_left_behind(&bin, &std::env::temp_dir());
        let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let folder = std::env::temp_dir().join(format!("{FOLDER_PREFIX}{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&folder);
        std::fs::create_dir_all(&folder)?;
        // Stopped and cleared away from here on, whatever goes wrong.
        let cluster = Cluster { bin, folder, url: format!("postgres://postgres@127.0.0.1:{port}/postgres") };
        let (bin, folder) = (&cluster.bin, &cluster.folder);
        if is_root() {
            run(Command::new("chown").arg("postgres").arg(folder))?;
        }
        run(as_postgres(&bin.join("initdb"))
            .args(["-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "-D"])
            .arg(folder.join("cluster")))?;
        // Durability off, as for any cluster thrown away after the run; memory
        // and costs set as a tuned server on this machine would have them.
        let options = format!(
            "-c listen_addresses=127.0.0.1 -p {port} -c unix_socket_directories={} -c fsync=off \
             -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=2GB \
             -c work_mem=64MB -c maintenance_work_mem=1GB -c effective_cache_size=8GB \
             -c random_page_cost=1.1 -c jit=off",
            folder.display()
        );
        run(as_postgres(&bin.join("pg_ctl"))
            .arg("-D")
            .arg(folder.join("cluster"))
            .arg("-l")
            .arg(folder.join("server.log"))
            .args(["-w", "start", "-o", &options]))?;
        Ok(cluster)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        stop_and_remove(&self.bin, &self.folder);
    }
}

/// A cluster's folder in the temporary folder: this, then the number of the
/// process that made it.
const FOLDER_PREFIX: &str = "doorstep-peer-";

fn stop_and_remove(bin: &Path, folder: &Path) {
    let _ = as_postgres(&bin.join("pg_ctl"))
        .arg("-D")
        .arg(folder.join("cluster"))
        .args(["-m", "immediate", "stop"])
        .output();
    let _ = std::fs::remove_dir_all(folder);
}

/// Stops and clears away the clusters in `temp` of earlier runs that were
/// killed (a signal ends a run before it can clear up): those whose process
/// is gone. Only where `/proc` says which processes run.
fn clear_away_left_behind(bin: &Path, temp: &Path) {
    if !Path::new("/proc/self").exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(temp) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(|n| n.strip_prefix(FOLDER_PREFIX)) else { continue };
        if pid.parse::<u32>().is_ok() && !Path::new("/proc").join(pid).exists() {
            stop_and_remove(bin, &entry.path());
        }
    }
}

/// The newest PostgreSQL server's programs Debian installed.
fn newest_bin() -> Option<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .flatten()
        .filter_map(|e| Some((e.file_name().to_str()?.parse().ok()?, e.path().join("bin"))))
        .filter(|(_, bin): &(u32, PathBuf)| bin.join("initdb").exists())
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("Uid:")).map(|l| l.split_whitespace().nth(1) == Some("0"))
        })
        .unwrap_or(false)
}

fn as_postgres(program: &Path) -> Command {
    if is_root() {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--"]).arg(program);
        command
    } else {
        Command::new(program)
    }
}

fn run(command: &mut Command) -> std::io::Result<()> {
    let output = command.output()?;
    if output.status.success() {
        return Ok(());
    }
    Err(std::io::Error::other(format!(
        "{:?} failed: {}",
        command.get_program(),
        String::from_utf8_lossy(&output.stderr).trim()
    )))
}

/// PostgreSQL's own words for what went wrong, where it gave them.
fn pg(e: postgres::Error) -> std::io::Error {
    match e.as_db_error() {
        Some(db) => std::io::Error::other(format!("PostgreSQL: {}", db.message())),
        None => std::io::Error::other(e.to_string()),
    }
}

/// Loads `listings` into a new table of its own (`doorstep_bench_listings`,
/// replacing one left by an earlier run) with PostGIS's and full-text
/// search's best indexes, and analyses it. Gives the database's size in
/// bytes: the table, its indexes, and the catalogue with PostGIS's.
pub fn load(url: &str, listings: &[Listing]) -> std::io::Result<u64> {
    let mut client = Client::connect(url, NoTls).map_err(pg)?;
    client
        .batch_execute(
            "CREATE EXTENSION IF NOT EXISTS postgis;
             DROP TABLE IF EXISTS doorstep_bench_listings;
             CREATE TABLE doorstep_bench_listings (
                 id text PRIMARY KEY,
                 name text NOT NULL,
                 organisation text NOT NULL,
                 text text NOT NULL,
                 categories text[] NOT NULL,
                 days text[] NOT NULL,
                 latitude double precision NOT NULL,
                 longitude double precision NOT NULL,
                 place geography(Point, 4326) GENERATED ALWAYS AS
                     (ST_SetSRID(ST_MakePoint(longitude, latitude), 4326)::geography) STORED,
                 words tsvector GENERATED ALWAYS AS (
                     setweight(to_tsvector('english', name), 'A')
                     || setweight(to_tsvector('english', organisation), 'B')
                     || setweight(to_tsvector('english', text), 'C')) STORED
             );",
        )
        .map_err(pg)?;
    let mut copy = client
        .copy_in(
            "COPY doorstep_bench_listings (id, name, organisation, text, categories, days, latitude, longitude) FROM STDIN",
        )
        .map_err(pg)?;
    let mut row = String::new();
    for l in listings {
        row.clear();
        for field in [&l.id, &l.name, &l.organisation, &l.text] {
            row.push_str(&copy_text(field));
            row.push('\t');
        }
        for list in [&l.categories, &l.days] {
            row.push_str(&copy_array(list));
            row.push('\t');
        }
        row.push_str(&format!("{}\t{}\n", l.latitude, l.longitude));
        copy.write_all(row.as_bytes())?;
    }
    copy.finish().map_err(pg)?;
    client
        .batch_execute(
            "CREATE INDEX doorstep_bench_listings_words ON doorstep_bench_listings USING gin (words);
             CREATE INDEX doorstep_bench_listings_place ON doorstep_bench_listings USING gist (place);
             CREATE INDEX doorstep_bench_listings_categories ON doorstep_bench_listings USING gin (categories);
             CREATE INDEX doorstep_bench_listings_days ON doorstep_bench_listings USING gin (days);",
        )
        .map_err(pg)?;
    // On its own: VACUUM cannot run in the transaction a batch is.
    client.batch_execute("VACUUM ANALYZE doorstep_bench_listings").map_err(pg)?;
    let size: i64 = client.query_one("SELECT pg_database_size(current_database())", &[]).map_err(pg)?.get(0);
    Ok(size as u64)
}

/// Drops the table `load` made.
pub fn drop_table(url: &str) -> std::io::Result<()> {
    let mut client = Client::connect(url, NoTls).map_err(pg)?;
    client.batch_execute("DROP TABLE IF EXISTS doorstep_bench_listings").map_err(pg)
}

/// A value in COPY's text format: backslashes, tabs and line ends escaped.
fn copy_text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out
}

/// A list as an array in COPY's text format: each element quoted, its
/// quotes and backslashes escaped for the array and then for COPY.
fn copy_array(items: &[String]) -> String {
    let quoted: Vec<String> =
        items.iter().map(|item| format!("\"{}\"", item.replace('\\', "\\\\").replace('"', "\\\""))).collect();
    copy_text(&format!("{{{}}}", quoted.join(",")))
}

/// One connection with its statements prepared: words, words and a
/// category, a category, each with and without Saturday.
pub struct Peer {
    client: Client,
    statements: Vec<Statement>,
}

const NEAR: &str = "ST_DWithin(place, ST_SetSRID(ST_MakePoint($2, $1), 4326)::geography, $3, false)";
const DISTANCE: &str = "ST_Distance(place, ST_SetSRID(ST_MakePoint($2, $1), 4326)::geography, false)";
const SATURDAY: &str = "days && ARRAY['sat', 'untimed']";

impl Peer {
    pub fn connect(url: &str) -> std::io::Result<Peer> {
        let mut client = Client::connect(url, NoTls).map_err(pg)?;
        let mut statements = Vec::new();
        for (words, category) in [(true, false), (true, true), (false, true)] {
            for saturday in [false, true] {
                // The point and radius are $1 to $3; the words and the
                // category follow, in that order, when asked.
                let mut filters = vec![String::from(NEAR)];
                if words {
                    filters.push(String::from("words @@ to_tsquery('english', $4)"));
                }
                if category {
                    filters.push(format!("categories && ARRAY[${}::text]", if words { 5 } else { 4 }));
                }
                if saturday {
                    filters.push(String::from(SATURDAY));
                }
                // Words rank by their relevance times nearness, as Doorstep
                // ranks them; a category alone by distance, those with no
                // times listed after those known to meet on the day asked.
                let order = if words {
                    format!("ts_rank(words, to_tsquery('english', $4)) / (1 + {DISTANCE} / 2000) DESC")
                } else if saturday {
                    format!("('untimed' = ANY(days)), {DISTANCE}")
                } else {
                    String::from("place <-> ST_SetSRID(ST_MakePoint($2, $1), 4326)::geography")
                };
                let limit = 4 + usize::from(words) + usize::from(category);
                let sql = format!(
                    "SELECT id FROM doorstep_bench_listings WHERE {} ORDER BY {order} LIMIT ${limit}",
                    filters.join(" AND ")
                );
                statements.push(client.prepare(&sql).map_err(pg)?);
            }
        }
        Ok(Peer { client, statements })
    }

    /// The ids of the best `asked.limit` listings, best first.
    pub fn ask(&mut self, asked: &Asked) -> std::io::Result<Vec<String>> {
        let kind = match (&asked.words, &asked.category) {
            (Some(_), None) => 0,
            (Some(_), Some(_)) => 1,
            _ => 2,
        };
        let statement = &self.statements[kind * 2 + usize::from(asked.saturday)];
        let (lat, lon) = asked.point;
        let words = asked.words.as_deref().map(any_of_words);
        let mut params: Vec<&(dyn postgres::types::ToSql + Sync)> = vec![&lat, &lon, &asked.radius_m];
        if let Some(words) = &words {
            params.push(words);
        }
        if let Some(category) = &asked.category {
            params.push(category);
        }
        params.push(&asked.limit);
        let rows = self.client.query(statement, &params).map_err(pg)?;
        Ok(rows.iter().map(|row| row.get(0)).collect())
    }
}

/// Any of the words, as `to_tsquery` reads them: "lunch | club". Only
/// letters and digits are kept, so nothing typed is tsquery syntax.
fn any_of_words(text: &str) -> String {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" | ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A cluster's folder whose process is gone is cleared away; one whose
    /// process runs, and anything else, is left.
    #[test]
    fn the_clusters_of_killed_runs_are_cleared_away() {
        let temp = tempfile::tempdir().unwrap();
        let mut gone = Command::new("true").spawn().unwrap();
        gone.wait().unwrap();
        let folder = |name: String| {
            let path = temp.path().join(name);
            std::fs::create_dir_all(path.join("cluster")).unwrap();
            path
        };
        let left = folder(format!("{FOLDER_PREFIX}{}", gone.id()));
        let running = folder(format!("{FOLDER_PREFIX}{}", std::process::id()));
        let other = folder(String::from("doorstep-peer-notes"));
        clear_away_left_behind(Path::new("/nonexistent"), temp.path());
        assert!(!left.exists(), "a killed run's cluster is cleared away");
        assert!(running.exists() && other.exists(), "a running one's is not, nor anything else");
    }

    #[test]
    fn words_become_a_tsquery_of_any_of_them_with_no_syntax_in_it() {
        assert_eq!(any_of_words("men's shed"), "men | s | shed");
        assert_eq!(any_of_words("food bank & (debt)!"), "food | bank | debt");
    }

    #[test]
    fn copy_escapes_what_its_text_format_would_read_as_structure() {
        assert_eq!(copy_text("a\tb\nc\\d"), "a\\tb\\nc\\\\d");
        let items = [String::from("plain"), String::from("say \"hi\""), String::from("back\\slash")];
        assert_eq!(copy_array(&items), r#"{"plain","say \\"hi\\"","back\\\\slash"}"#);
    }
}
