//! Panels of points drawn into one PNG with plotters, text in the embedded DejaVu Sans.

use std::path::Path;
use std::sync::Once;

use plotters::prelude::*;
use plotters::style::FontStyle;

use crate::Error;

/// How the points of a panel are drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// A vertical line from the bottom to each point (gnuplot's `impulses`, T2's default).
    Impulses,
    /// Points joined by lines, each marked.
    Lines,
    /// Points only.
    Points,
}

/// One chart of the picture.
#[derive(Clone, Debug)]
pub struct Panel {
    /// Its caption.
    pub title: String,
    /// X axis label, with the unit.
    pub x_label: String,
    /// Y axis label, with the unit.
    pub y_label: String,
    /// The points.
    pub points: Vec<(f64, f64)>,
    /// How they are drawn.
    pub style: Style,
    /// Fixed X range, else the data's.
    pub x_range: Option<(f64, f64)>,
    /// Fixed Y range, else the data's.
    pub y_range: Option<(f64, f64)>,
    /// Whether the data's Y range reaches down (or up) to 0 (always for impulses).
    pub y_from_zero: bool,
}

/// Draws `panels`, one above the other, under `title` into the PNG `path` of `size` pixels.
pub fn draw(path: &Path, title: &str, panels: &[Panel], size: (u32, u32)) -> Result<(), Error> {
    register_font()?;
    let fail = |e: &dyn std::fmt::Display| Error::Plot(format!("{}: {e}", path.display()));
    let root = BitMapBackend::new(path, size).into_drawing_area();
    root.fill(&WHITE).map_err(|e| fail(&e))?;
    let root = root.titled(title, ("sans-serif", 26)).map_err(|e| fail(&e))?;
    let areas = root.split_evenly((panels.len().max(1), 1));
    for (area, p) in areas.iter().zip(panels) {
        let (x0, x1) = p.x_range.unwrap_or_else(|| span(p.points.iter().map(|q| q.0), false));
        let (y0, y1) = p
            .y_range
            .unwrap_or_else(|| span(p.points.iter().map(|q| q.1), p.y_from_zero || p.style == Style::Impulses));
        let mut chart = ChartBuilder::on(area)
            .caption(&p.title, ("sans-serif", 20))
            .margin(12)
            .x_label_area_size(48)
            .y_label_area_size(84)
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(|e| fail(&e))?;
        chart
            .configure_mesh()
            .x_desc(p.x_label.as_str())
            .y_desc(p.y_label.as_str())
            .x_label_formatter(&|v| short(*v))
            .y_label_formatter(&|v| short(*v))
            .label_style(("sans-serif", 15))
            .axis_desc_style(("sans-serif", 17))
            .light_line_style(RGBColor(235, 235, 235))
            .draw()
            .map_err(|e| fail(&e))?;
        let inside = p.points.iter().copied().filter(|&(x, y)| x0 <= x && x <= x1 && y0 <= y && y <= y1);
        let blue = RGBColor(31, 90, 180);
        match p.style {
            Style::Impulses => {
                let base = y0.max(0.0).min(y1);
                chart
                    .draw_series(inside.map(|(x, y)| PathElement::new(vec![(x, base), (x, y)], blue.stroke_width(2))))
                    .map_err(|e| fail(&e))?;
            }
            Style::Lines => {
                let pts: Vec<(f64, f64)> = inside.collect();
                chart.draw_series(LineSeries::new(pts.iter().copied(), blue.stroke_width(2))).map_err(|e| fail(&e))?;
                chart.draw_series(pts.iter().map(|&q| Circle::new(q, 3, blue.filled()))).map_err(|e| fail(&e))?;
            }
            Style::Points => {
                chart.draw_series(inside.map(|q| Circle::new(q, 3, blue.filled()))).map_err(|e| fail(&e))?;
            }
        }
        if p.points.is_empty() {
            let style = TextStyle::from(("sans-serif", 22)).color(&RED);
            area.draw_text(
                "no data",
                &style,
                (area.dim_in_pixel().0 as i32 / 2 - 40, area.dim_in_pixel().1 as i32 / 2),
            )
            .map_err(|e| fail(&e))?;
        }
    }
    root.present().map_err(|e| fail(&e))?;
    Ok(())
}

/// The range of `values` with a margin; from 0 when `from_zero` and all are positive.
fn span(values: impl Iterator<Item = f64>, from_zero: bool) -> (f64, f64) {
    let (mut lo, mut hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), v| (l.min(v), h.max(v)));
    if !lo.is_finite() || !hi.is_finite() {
        return (0.0, 1.0);
    }
    if from_zero {
        lo = lo.min(0.0);
        hi = hi.max(0.0);
    }
    if lo == hi {
        return if from_zero && lo == 0.0 { (0.0, 1.0) } else { (lo - 1.0, hi + 1.0) };
    }
    let pad = (hi - lo) * 0.05;
    (if from_zero && lo == 0.0 { 0.0 } else { lo - pad }, hi + pad)
}

/// An axis number, short: 330894.5 is `330.9K`, 0.25 is `0.25`.
pub fn short(v: f64) -> String {
    let a = v.abs();
    let (scaled, unit) = match a {
        _ if a >= 1e12 => (v / 1e12, "T"),
        _ if a >= 1e9 => (v / 1e9, "G"),
        _ if a >= 1e6 => (v / 1e6, "M"),
        _ if a >= 1e4 => (v / 1e3, "K"),
        _ => (v, ""),
    };
    let text = if scaled.fract().abs() < 1e-9 || scaled.abs() >= 100.0 {
        format!("{scaled:.0}")
    } else if scaled.abs() >= 1.0 {
        format!("{scaled:.1}")
    } else {
        format!("{scaled:.3}").trim_end_matches('0').trim_end_matches('.').to_string()
    };
    format!("{text}{unit}")
}

/// Makes the embedded font the `sans-serif` family plotters draws text with (once).
fn register_font() -> Result<(), Error> {
    static ONCE: Once = Once::new();
    let mut result = Ok(());
    ONCE.call_once(|| {
        result = plotters::style::register_font("sans-serif", FontStyle::Normal, dejavu::sans::regular())
            .map_err(|_| Error::Plot("the embedded font cannot be read".into()));
    });
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_numbers() {
        assert_eq!(short(330_894.5), "331K");
        assert_eq!(short(12_345.0), "12.3K");
        assert_eq!(short(2000.0), "2000");
        assert_eq!(short(5_512_362.0), "5.5M");
        assert_eq!(short(0.25), "0.25");
        assert_eq!(short(0.0), "0");
        assert_eq!(short(0.9999), "1");
        assert_eq!(short(-12.5), "-12.5");
    }

    #[test]
    fn spans() {
        assert_eq!(span([2.0, 4.0].into_iter(), true), (0.0, 4.2));
        assert_eq!(span([3.0].into_iter(), false), (2.0, 4.0));
        assert_eq!(span(std::iter::empty(), false), (0.0, 1.0));
        assert_eq!(span([0.0, 0.0].into_iter(), true), (0.0, 1.0));
    }
}
