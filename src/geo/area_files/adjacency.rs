//! The adjacency file: pairs of small areas that share a boundary.

use std::io::Read;

use super::{FileRows, Input, Problem, csv_reader, is_code, records};
use crate::geo::onspd::find;

/// A pair of small areas that share a boundary.
#[derive(Clone, Debug, PartialEq)]
pub struct AdjacencyRow {
    pub a: String,
    pub b: String,
    pub shared_m: Option<f64>,
    pub line: u64,
}

/// Reads pairs of small areas that share a boundary: `area_a,area_b` and,
/// optionally, `shared_boundary_m`.
pub fn read_adjacency(input: impl Read) -> Result<FileRows<AdjacencyRow>, Problem> {
    const WHAT: Input = Input::Adjacency;
    let (mut reader, headers) = csv_reader(input, WHAT)?;
    let missing =
        || Problem::new(WHAT, Some(1), "expected columns area_a and area_b (and shared_boundary_m)");
    let a = find(&headers, &["area_a", "small_area", "from", "source"]).ok_or_else(missing)?;
    let b = find(&headers, &["area_b", "neighbour", "neighbor", "to", "target"]).ok_or_else(missing)?;
    let shared = find(&headers, &["shared_boundary_m", "length_m", "shared_m", "length"]);
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for (line, record) in records(&mut reader, WHAT, &mut problems) {
        let (first, second) = (record.get(a).unwrap_or(""), record.get(b).unwrap_or(""));
        if !is_code(first) || !is_code(second) {
            problems.push(Problem::new(
                WHAT,
                Some(line),
                format!("'{first}' and '{second}' are not two area codes"),
            ));
            continue;
        }
        let shared_m = match shared.map(|i| record.get(i).unwrap_or("")) {
            None | Some("") => None,
            Some(text) => match text.parse::<f64>() {
                Ok(m) if m.is_finite() && m >= 0.0 => Some(m),
                _ => {
                    problems.push(Problem::new(
                        WHAT,
                        Some(line),
                        format!("shared boundary '{text}' is not a length"),
                    ));
                    continue;
                }
            },
        };
        rows.push(AdjacencyRow { a: first.to_string(), b: second.to_string(), shared_m, line });
    }
    Ok(FileRows { rows, problems })
}
