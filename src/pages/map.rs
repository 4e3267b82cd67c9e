//! Maps drawn on the server as SVG: neighbourhood outlines and venue
//! markers, projected onto the page. No JavaScript, no tile server; they scale
//! with the page, print in black and white, and every shape and marker is
//! named for screen readers.

use std::fmt::Write;

use maud::{Markup, html};

use crate::domain::views::{MapPin as Marker, MapShape as Shape};
use crate::geo::cells::Ring;

/// The attribution the census geography asks for wherever it is shown
/// (../shared/data/population/PROVENANCE.txt).
pub const ONS_ATTRIBUTION: &str = "Source: Office for National Statistics licensed under the Open Government \
     Licence v.3.0. Contains National Statistics and OS data © Crown copyright and database right 2021-2025.";

/// Where the map's geography came from, for its caption.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// Real census geography: carries the ONS attribution.
    Census,
    /// The invented demo borough.
    Demo,
}

impl Source {
    /// The demo's, when the page's frame says the site shows the demo.
    pub fn of(frame: &super::Frame) -> Source {
        if frame.demo.is_some() { Source::Demo } else { Source::Census }
    }
}

/// The drawing's width in SVG units; the height follows the area's shape.
const WIDTH: f64 = 640.0;

/// Turns latitude and longitude into SVG units: equirectangular, with the
/// east-west scale of the middle latitude (fine at a borough's scale).
struct Projection {
    west: f64,
    north: f64,
    scale: f64,
    squash: f64,
    height: f64,
}

impl Projection {
    /// Fits the points, with a margin, into the drawing.
    fn fit(points: impl Iterator<Item = (f64, f64)>) -> Option<Projection> {
        let (mut south, mut north, mut west, mut east) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
        for (lat, lon) in points {
            south = south.min(lat);
            north = north.max(lat);
            west = west.min(lon);
            east = east.max(lon);
        }
        if south > north {
            return None;
        }
        let squash = ((south + north) / 2.0).to_radians().cos();
        // A lone point or a sliver still gets a sensible frame (about 1 km).
        let width = ((east - west) * squash).max(0.01);
        let tall = (north - south).max(0.005);
        let margin = 0.04 * width.max(tall);
        let scale = WIDTH / (width + 2.0 * margin);
        Some(Projection {
            west: west - margin / squash,
            north: north + margin,
            scale,
            squash,
            height: ((tall + 2.0 * margin) * scale).ceil(),
        })
    }

    fn point(&self, lat: f64, lon: f64) -> (f64, f64) {
        ((lon - self.west) * self.squash * self.scale, (self.north - lat) * self.scale)
    }

    fn path(&self, polygons: &[Vec<Ring>]) -> String {
        let mut d = String::new();
        for ring in polygons.iter().flatten() {
            for (i, &(lat, lon)) in ring.iter().enumerate() {
                let (x, y) = self.point(lat, lon);
                let _ = write!(d, "{}{x:.1} {y:.1}", if i == 0 { "M" } else { "L" });
            }
            d.push('Z');
        }
        d
    }
}

/// A map of `shapes` and `markers`, framed on the current shape (or on all
/// of them), with a caption that names the source of the geography.
pub fn map(title: &str, shapes: &[Shape], markers: &[Marker], source: Source) -> Markup {
    let framed: Vec<&Shape> = if shapes.iter().any(|s| s.current) {
        shapes.iter().filter(|s| s.current).collect()
    } else {
        shapes.iter().collect()
    };
    let points = framed
        .iter()
        .flat_map(|s| s.polygons.iter().flatten().flatten().copied())
        .chain(markers.iter().map(|m| (m.latitude, m.longitude)));
    let Some(projection) = Projection::fit(points) else {
        return html! { p { "There is no map to draw yet: the neighbourhoods have not been built." } };
    };
    let view_box = format!("0 0 {WIDTH} {}", projection.height);
    html! {
        figure class="map" {
            svg xmlns="http://www.w3.org/2000/svg" viewBox=(view_box) role="group" aria-labelledby="map-title" {
                title id="map-title" { (title) }
                @for shape in shapes {
                    @let d = projection.path(&shape.polygons);
                    @let class = if shape.current { "area current" } else { "area" };
                    @match &shape.href {
                        Some(href) => a href=(href) aria-label=(shape.label) {
                            path class=(class) d=(d) fill-rule="evenodd" { title { (shape.label) } }
                        },
                        None => path class=(class) d=(d) fill-rule="evenodd" aria-label=(shape.label) role="img" {
                            title { (shape.label) }
                        },
                    }
                }
                @for marker in markers {
                    @let (x, y) = projection.point(marker.latitude, marker.longitude);
                    g class="marker" role="img" aria-label=(marker.label) {
                        title { (marker.label) }
                        circle cx=(format!("{x:.1}")) cy=(format!("{y:.1}")) r="7" {}
                    }
                }
            }
            figcaption class="map-attribution" {
                @match source {
                    Source::Census => (ONS_ATTRIBUTION),
                    Source::Demo => "Demonstration geography, invented by the Doorstep project.",
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square(lat: f64, lon: f64, side: f64) -> Vec<Vec<Ring>> {
        vec![vec![vec![
            (lat, lon),
            (lat, lon + side),
            (lat + side, lon + side),
            (lat + side, lon),
            (lat, lon),
        ]]]
    }

    #[test]
    fn north_is_up_and_the_map_fills_its_width() {
        let p = Projection::fit([(53.40, -2.35), (53.44, -2.25)].into_iter()).unwrap();
        let (west_x, north_y) = p.point(53.44, -2.35);
        let (east_x, south_y) = p.point(53.40, -2.25);
        assert!(west_x > 0.0 && east_x < WIDTH && east_x > WIDTH * 0.9);
        assert!(north_y < south_y, "north is at the top");
        assert!(p.height > 0.0 && p.height < WIDTH, "the area is wider than tall");
    }

    #[test]
    fn every_shape_and_marker_is_named() {
        let shapes = [
            Shape {
                label: "Sale Moor: 4,200 people".into(),
                href: Some("/neighbourhoods/sale-moor".into()),
                polygons: square(53.41, -2.31, 0.01),
                current: true,
            },
            Shape {
                label: "Brooklands".into(),
                href: None,
                polygons: square(53.40, -2.31, 0.01),
                current: false,
            },
        ];
        let markers =
            [Marker { label: "Library: Coffee & chat".into(), latitude: 53.415, longitude: -2.305 }];
        let svg = map("Map of Sale Moor", &shapes, &markers, Source::Census).into_string();
        assert!(svg.contains("<title id=\"map-title\">Map of Sale Moor</title>"));
        assert!(svg.contains("aria-label=\"Sale Moor: 4,200 people\""));
        assert!(svg.contains("<title>Library: Coffee &amp; chat</title>"), "{svg}");
        assert!(svg.contains("Crown copyright"));
        assert!(!svg.contains("<script"));
    }

    #[test]
    fn nothing_to_draw_says_so() {
        let text = map("Map", &[], &[], Source::Demo).into_string();
        assert!(text.contains("no map to draw"));
    }
}
