//! The boundaries file: small-area outlines as GeoJSON.

use std::io::Read;

use geo::{Coord, LineString, MultiPolygon, Polygon};

use super::{FileRows, Input, Problem, is_code};
use crate::geo::cells::on_globe;

/// A small area's outline.
#[derive(Clone, Debug, PartialEq)]
pub struct Boundary {
    pub code: String,
    pub shape: MultiPolygon<f64>,
    pub feature: u64,
}

/// Reads small-area outlines from a GeoJSON FeatureCollection of Polygons
/// and MultiPolygons in longitude and latitude (as ONS publishes them). The
/// code is the feature's `area_code`, `OA21CD` or `code` property.
pub fn read_boundaries(input: impl Read) -> Result<FileRows<Boundary>, Problem> {
    const WHAT: Input = Input::Boundaries;
    let json: serde_json::Value = serde_json::from_reader(input)
        .map_err(|e| Problem::new(WHAT, None, format!("not readable as GeoJSON: {e}")))?;
    let features = json
        .get("features")
        .and_then(serde_json::Value::as_array)
        .ok_or_else(|| Problem::new(WHAT, None, "not a GeoJSON FeatureCollection (no \"features\" list)"))?;
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for (n, feature) in features.iter().enumerate() {
        let number = n as u64 + 1;
        let code = feature.get("properties").and_then(serde_json::Value::as_object).and_then(|properties| {
            ["area_code", "oa21cd", "lsoa21cd", "oa11cd", "code"].iter().find_map(|key| {
                properties.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).and_then(|(_, v)| v.as_str())
            })
        });
        let Some(code) = code.filter(|c| is_code(c)) else {
            problems.push(Problem::new(WHAT, Some(number), "no area_code property"));
            continue;
        };
        match feature.get("geometry").map(shape) {
            Some(Ok(shape)) => rows.push(Boundary { code: code.to_string(), shape, feature: number }),
            Some(Err(message)) => {
                problems.push(Problem::new(WHAT, Some(number), format!("{code}: {message}")))
            }
            None => problems.push(Problem::new(WHAT, Some(number), format!("{code}: no geometry"))),
        }
    }
    Ok(FileRows { rows, problems })
}

/// A GeoJSON Polygon or MultiPolygon geometry.
fn shape(geometry: &serde_json::Value) -> Result<MultiPolygon<f64>, String> {
    fn ring(value: &serde_json::Value) -> Result<LineString<f64>, String> {
        let points = value.as_array().ok_or("a ring is not a list of points")?;
        let coords = points
            .iter()
            .map(|p| {
                match p
                    .as_array()
                    .map(|xy| (xy.first().and_then(|x| x.as_f64()), xy.get(1).and_then(|y| y.as_f64())))
                {
                    Some((Some(x), Some(y))) if on_globe(y, x) => Ok(Coord { x, y }),
                    _ => Err(String::from("a point is not a longitude and latitude")),
                }
            })
            .collect::<Result<Vec<_>, _>>()?;
        if coords.len() < 4 {
            return Err(String::from("a ring has fewer than four points"));
        }
        Ok(LineString::new(coords))
    }
    fn polygon(value: &serde_json::Value) -> Result<Polygon<f64>, String> {
        let rings = value.as_array().ok_or("a polygon is not a list of rings")?;
        let (outer, holes) = rings.split_first().ok_or("a polygon has no rings")?;
        Ok(Polygon::new(ring(outer)?, holes.iter().map(ring).collect::<Result<_, _>>()?))
    }
    let coordinates = geometry.get("coordinates").ok_or("no coordinates")?;
    match geometry.get("type").and_then(serde_json::Value::as_str) {
        Some("Polygon") => Ok(MultiPolygon::new(vec![polygon(coordinates)?])),
        Some("MultiPolygon") => Ok(MultiPolygon::new(
            coordinates
                .as_array()
                .ok_or("not a list of polygons")?
                .iter()
                .map(polygon)
                .collect::<Result<_, _>>()?,
        )),
        other => Err(format!("a {} is not an area's outline", other.unwrap_or("geometry without a type"))),
    }
}
