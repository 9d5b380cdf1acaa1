//! The gap chart of `zigzag-rs map --against optimal`: per layer, how far the chosen search's
//! objective is above the optimum, in percent, as bars (below zero where the chosen search beat
//! the full-space optimum) (a layer whose optimum a time limit left
//! unproven is drawn light and marked `*`).

use crate::error::ReportError;
use crate::plot::data::short_layer_name;
use crate::plot::style::{FONT, ensure_font};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::path::Path;

/// One bar: a layer's gap.
#[derive(Clone, Debug, PartialEq)]
pub struct GapBar {
    /// Layer name.
    pub layer: String,
    /// How much worse than the optimum the search's objective is, in percent.
    pub gap_percent: f64,
    /// The optimum was proven (no time limit hit).
    pub proven: bool,
}

const PROVEN: RGBColor = RGBColor(52, 101, 164);
const UNPROVEN: RGBColor = RGBColor(180, 190, 205);

fn draw<DB: DrawingBackend>(root: DrawingArea<DB, Shift>, bars: &[GapBar], title: &str) -> Result<(), ReportError> {
    let e = |err: DrawingAreaErrorKind<DB::ErrorType>| ReportError::Plot(err.to_string());
    root.fill(&WHITE).map_err(e)?;
    let finite = || bars.iter().map(|b| b.gap_percent).filter(|g| g.is_finite());
    let top = finite().fold(0.0, f64::max);
    let y_max = if top > 0.0 { top * 1.15 } else { 1.0 };
    // Negative: the chosen search beat the optimum of the full ordering space (LOMA's merged
    // loops can form level blocks that no ordering of single prime factors gives).
    let y_min = finite().fold(0.0, f64::min) * 1.15;
    let n = bars.len().max(1);
    let mut chart = ChartBuilder::on(&root)
        .caption(title, (FONT, 20))
        .margin(15)
        .x_label_area_size(70)
        .y_label_area_size(70)
        .build_cartesian_2d(-0.5..n as f64 - 0.5, y_min..y_max)
        .map_err(e)?;
    let names: Vec<String> = bars.iter().map(|b| short_layer_name(&b.layer)).collect();
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(n.min(40))
        .x_label_formatter(&|x| {
            let k = x.round();
            if (x - k).abs() < 1e-9 && k >= 0.0 {
                names.get(k as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        })
        .x_desc("layer")
        .y_desc("gap to the optimum [%]")
        .label_style((FONT, 12))
        .draw()
        .map_err(e)?;
    chart
        .draw_series(bars.iter().enumerate().map(|(k, b)| {
            let colour = if b.proven { PROVEN } else { UNPROVEN };
            let g = if b.gap_percent.is_finite() { b.gap_percent } else { 0.0 };
            Rectangle::new([(k as f64 - 0.35, 0.0), (k as f64 + 0.35, g)], colour.filled())
        }))
        .map_err(e)?;
    chart
        .draw_series(bars.iter().enumerate().map(|(k, b)| {
            let label = format!("{:.1}%{}", b.gap_percent, if b.proven { "" } else { "*" });
            let (v, y) = if b.gap_percent < 0.0 {
                (VPos::Top, b.gap_percent - y_max * 0.01)
            } else {
                (VPos::Bottom, b.gap_percent.max(0.0) + y_max * 0.01)
            };
            let style = TextStyle::from((FONT, 11).into_font()).pos(Pos::new(HPos::Center, v));
            Text::new(label, (k as f64, y), style)
        }))
        .map_err(e)?;
    if bars.iter().any(|b| !b.proven) {
        let style = TextStyle::from((FONT, 12).into_font()).pos(Pos::new(HPos::Right, VPos::Top));
        let (w, _) = root.dim_in_pixel();
        root.draw(&Text::new("* optimum not proven (time limit): gap to the best found", (w as i32 - 20, 40), style))
            .map_err(e)?;
    }
    root.present().map_err(e)?;
    Ok(())
}

/// Writes the gap chart; PNG or SVG by the file extension.
pub fn gap_chart(bars: &[GapBar], title: &str, path: impl AsRef<Path>) -> Result<(), ReportError> {
    ensure_font()?;
    let path = path.as_ref();
    let size = ((160 + 60 * bars.len() as u32).clamp(700, 2400), 600);
    if path.extension().is_some_and(|x| x.eq_ignore_ascii_case("svg")) {
        draw(SVGBackend::new(path, size).into_drawing_area(), bars, title)
    } else {
        draw(BitMapBackend::new(path, size).into_drawing_area(), bars, title)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chart_is_written_with_a_bar_per_layer() {
        let bars: Vec<GapBar> = (0..5)
            .map(|k| GapBar { layer: format!("/layer{k}/Conv"), gap_percent: k as f64 * 3.5 - 2.0, proven: k != 2 })
            .collect();
        let dir = std::env::temp_dir().join(format!("zz-gap-chart-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        gap_chart(&bars, "gap", dir.join("gap.svg")).unwrap();
        let svg = std::fs::read_to_string(dir.join("gap.svg")).unwrap();
        assert!(svg.contains("8.5%") && svg.contains("5.0%*") && svg.contains("-2.0%"), "bar labels missing");
        assert!(svg.contains("optimum not proven"));
        gap_chart(&bars, "gap", dir.join("gap.png")).unwrap();
        assert!(std::fs::metadata(dir.join("gap.png")).unwrap().len() > 1000);
        std::fs::remove_dir_all(&dir).ok();
    }
}
