//! Reads the ONS postcode files as councils download them: the ONS Postcode
//! Directory (ONSPD) and the National Statistics Postcode Lookup (NSPL) with
//! their own column names (`pcds`, `lat`, `long`, `doterm`, `oa21`), simpler
//! `postcode,lat,lon` files, extracts such as Trafford's, and district
//! centroid files (`outward_code,mean_lat,mean_lon`). Columns are found by
//! name, in any order and any case.

use std::io::Read;

use super::cells::on_globe;
use super::postcode::{self, Postcode};

/// One postcode and where it is.
#[derive(Clone, Debug, PartialEq)]
pub struct PostcodeRow {
    pub postcode: Postcode,
    pub latitude: f64,
    pub longitude: f64,
    /// The Census output area it lies in, when the file says.
    pub small_area: Option<String>,
    /// The ward it lies in, by name, when the file says (extracts such as
    /// Trafford's do; the ONS files give only ward codes).
    pub place: Option<String>,
    /// No longer in use (ONSPD and NSPL give a date of termination).
    pub terminated: bool,
}

/// A postcode district and its centre.
#[derive(Clone, Debug, PartialEq)]
pub struct DistrictRow {
    pub district: String,
    pub latitude: f64,
    pub longitude: f64,
}

/// What a file held.
#[derive(Clone, Debug, PartialEq)]
pub enum PostcodeFile {
    Postcodes(Vec<PostcodeRow>),
    Districts(Vec<DistrictRow>),
}

/// A row that was left out, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejected {
    /// The line in the file, counting the header as line 1.
    pub line: u64,
    pub reason: String,
}

/// Why a whole file could not be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FileError {
    #[error("the file has no header row")]
    NoHeader,
    #[error(
        "no {0} column: expected a postcode file (columns pcds or postcode, lat or latitude, long or lon) \
         or a district file (outward_code, mean_lat, mean_lon)"
    )]
    MissingColumn(&'static str),
    #[error("line {line}: {message}")]
    Unreadable { line: u64, message: String },
}

/// The first of `names` found among the (lower-cased) column headers.
pub(crate) fn find(headers: &[String], names: &[&str]) -> Option<usize> {
    names.iter().find_map(|name| headers.iter().position(|h| h == name))
}

/// Reads a whole file. Rows without a usable postcode or position are left
/// out and listed; a file whose columns cannot be found is refused whole.
pub fn read(input: impl Read) -> Result<(PostcodeFile, Vec<Rejected>), FileError> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).trim(csv::Trim::All).from_reader(input);
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| FileError::Unreadable { line: 1, message: e.to_string() })?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').trim().to_ascii_lowercase())
        .collect();
    if headers.iter().all(String::is_empty) {
        return Err(FileError::NoHeader);
    }
    let mut rejected = Vec::new();
    if let Some(district) = find(&headers, &["outward_code", "district", "pcd_district"]) {
        let lat =
            find(&headers, &["mean_lat", "lat", "latitude"]).ok_or(FileError::MissingColumn("latitude"))?;
        let lon = find(&headers, &["mean_lon", "long", "lon", "longitude"])
            .ok_or(FileError::MissingColumn("longitude"))?;
        let mut rows = Vec::new();
        for (n, record) in reader.records().enumerate() {
            let line = n as u64 + 2;
            let record = record.map_err(|e| FileError::Unreadable { line, message: e.to_string() })?;
            let name = record.get(district).unwrap_or("").to_ascii_uppercase();
            match (postcode::parse(&name), position(record.get(lat), record.get(lon))) {
                (Ok(postcode::PlaceQuery::District(district)), Ok((latitude, longitude))) => {
                    rows.push(DistrictRow { district, latitude, longitude })
                }
                (Ok(_) | Err(_), Ok(_)) => {
                    rejected.push(Rejected { line, reason: format!("'{name}' is not a postcode district") })
                }
                (_, Err(reason)) => rejected.push(Rejected { line, reason }),
            }
        }
        return Ok((PostcodeFile::Districts(rows), rejected));
    }
    let code = find(&headers, &["pcds", "postcode", "pcd", "pcd2", "pcd7", "pcd8"])
        .ok_or(FileError::MissingColumn("postcode"))?;
    let lat = find(&headers, &["lat", "latitude"]).ok_or(FileError::MissingColumn("latitude"))?;
    let lon =
        find(&headers, &["long", "lon", "lng", "longitude"]).ok_or(FileError::MissingColumn("longitude"))?;
    let small_area = find(&headers, &["oa21", "oa21cd", "oa11", "oa11cd"]);
    let place = find(&headers, &["ward_name", "wd25nm", "wd24nm", "wd23nm", "wd22nm", "wardname"]);
    let terminated = find(&headers, &["doterm"]);
    let mut rows = Vec::new();
    for (n, record) in reader.records().enumerate() {
        let line = n as u64 + 2;
        let record = record.map_err(|e| FileError::Unreadable { line, message: e.to_string() })?;
        let text = record.get(code).unwrap_or("");
        let Some(postcode) = postcode::parse_full(text) else {
            rejected.push(Rejected { line, reason: format!("'{text}' is not a postcode") });
            continue;
        };
        match position(record.get(lat), record.get(lon)) {
            Ok((latitude, longitude)) => rows.push(PostcodeRow {
                postcode,
                latitude,
                longitude,
                small_area: small_area
                    .and_then(|i| record.get(i))
                    .filter(|s| !s.is_empty())
                    .map(str::to_string),
                place: place.and_then(|i| record.get(i)).filter(|s| !s.is_empty()).map(str::to_string),
                terminated: terminated.and_then(|i| record.get(i)).is_some_and(|d| !d.is_empty()),
            }),
            Err(reason) => rejected.push(Rejected { line, reason: format!("{postcode}: {reason}") }),
        }
    }
    Ok((PostcodeFile::Postcodes(rows), rejected))
}

/// A usable position. ONS files mark postcodes without one with latitude
/// 99.999999, or leave it empty.
fn position(lat: Option<&str>, lon: Option<&str>) -> Result<(f64, f64), String> {
    let number = |text: Option<&str>| text.and_then(|t| t.trim().parse::<f64>().ok());
    match (number(lat), number(lon)) {
        (Some(lat), Some(lon)) if on_globe(lat, lon) && !(lat == 0.0 && lon == 0.0) => Ok((lat, lon)),
        _ => Err(String::from("no usable latitude and longitude")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn onspd_columns_are_found_by_name() {
        let file = "pcd,pcd2,pcds,dointr,doterm,oa21,lat,long\n\
                    M33 7XX,M33  7XX,M33 7XX,198001,,E00029795,53.42,-2.32\n\
                    M33 9ZZ,M33  9ZZ,M33 9ZZ,198001,201204,E00029796,53.43,-2.31\n\
                    M99 1AA,M99  1AA,M99 1AA,198001,,,99.999999,0.000000\n";
        let (rows, rejected) = read(file.as_bytes()).unwrap();
        let PostcodeFile::Postcodes(rows) = rows else { panic!("postcodes") };
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].small_area.as_deref(), Some("E00029795"));
        assert!(!rows[0].terminated);
        assert!(rows[1].terminated, "a date of termination");
        assert_eq!(
            rejected,
            [Rejected { line: 4, reason: "M99 1AA: no usable latitude and longitude".into() }]
        );
    }

    #[test]
    fn simple_and_extract_files_read_too() {
        let simple = "postcode,lat,lon\nM1 1AA,53.48737,-2.22719\nnot one,53.0,-2.0\n";
        let (rows, rejected) = read(simple.as_bytes()).unwrap();
        assert!(matches!(rows, PostcodeFile::Postcodes(ref r) if r.len() == 1));
        assert_eq!(rejected[0].line, 3);
        let trafford = "postcode,ward_code,ward_name,lon,lat\n\"M15 4AB\",E05015247,\"Gorse Hill & Cornbrook\",-2.26046,53.465578\n";
        let (rows, _) = read(trafford.as_bytes()).unwrap();
        let PostcodeFile::Postcodes(rows) = rows else { panic!("postcodes") };
        assert_eq!((rows[0].latitude, rows[0].longitude), (53.465578, -2.26046), "columns in another order");
    }

    #[test]
    fn district_files_are_recognised() {
        let file = "outward_code,postcode_area,n_postcodes_with_coords,n_postcodes_without_coords,mean_lat,mean_lon\nM33,M,1500,0,53.42,-2.32\nGIR,GI,0,1,,\n";
        let (rows, rejected) = read(file.as_bytes()).unwrap();
        assert_eq!(
            rows,
            PostcodeFile::Districts(vec![DistrictRow {
                district: "M33".into(),
                latitude: 53.42,
                longitude: -2.32
            }])
        );
        assert_eq!(rejected.len(), 1);
    }

    #[test]
    fn a_file_without_the_columns_is_refused_whole() {
        assert_eq!(read("name,town\nx,y\n".as_bytes()).unwrap_err(), FileError::MissingColumn("postcode"));
        assert_eq!(
            read("postcode,lat\nM1 1AA,53\n".as_bytes()).unwrap_err(),
            FileError::MissingColumn("longitude")
        );
        assert_eq!(read("".as_bytes()).unwrap_err(), FileError::NoHeader);
    }
}
