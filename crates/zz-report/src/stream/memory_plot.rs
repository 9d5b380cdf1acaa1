//! Memory usage over time (PNG and SVG), after Stream's `plot_memory_usage`.
//!
//! One panel per [`MemoryTimeline`] that is ever used (never-used instances are left out and
//! named under the title), stacked vertically on a shared time axis in cycles. Each panel shows
//! the occupancy as a filled step plot, the capacity as a dashed red line and the peak as a black
//! dot; the panel caption names the core and memory and gives capacity, peak (and its share of the
//! capacity) and the time of the peak. A memory whose peak is below [`OFF_SCALE`] of its capacity
//! (typically the off-chip DRAM) is scaled to its peak instead, so its usage is visible, and its
//! caption says that the capacity line is off the scale. Sizes are shown in bytes with a binary
//! unit (B, KiB, MiB, GiB) chosen per panel and named on the panel's axis.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::legend::{self, Entry, LegendLayout};
use super::model::{MemoryTimeline, StreamReport, f64_max};
use super::style::time_tick;
use super::summary::human_bits;
use crate::error::ReportError;
use crate::format::{axis_tick, cycles, percent};
use crate::plot::style::{FONT, ensure_font};

const PLOT_W: u32 = 1500;
const PANEL_H: u32 = 230;
const Y_LABEL_W: u32 = 72;
const X_AXIS_H: u32 = 48;
const MARGIN: u32 = 12;
const TITLE_H: u32 = 50;
const TICK_FONT: u32 = 13;
/// Peak / capacity below which a panel is scaled to the peak (the capacity is off the scale).
pub const OFF_SCALE: f64 = 0.05;
const USED: RGBColor = RGBColor(31, 119, 180);
const CAPACITY: RGBColor = RGBColor(214, 39, 40);

/// Largest used bits of `m`.
fn peak(m: &MemoryTimeline) -> (f64, f64) {
    m.points.iter().fold((0.0, 0.0), |best, &(t, v)| if v.is_finite() && v > best.1 { (t, v) } else { best })
}

/// Byte unit (name, bits per unit) for values up to `max_bits`.
fn unit(max_bits: f64) -> (&'static str, f64) {
    let bytes = max_bits / 8.0;
    [("GiB", 30), ("MiB", 20), ("KiB", 10)]
        .into_iter()
        .find(|&(_, p)| bytes >= 2.0 * 2f64.powi(p))
        .map_or(("B", 8.0), |(n, p)| (n, 8.0 * 2f64.powi(p)))
}

/// Step-function vertices of `points` (each value holds until the next time), extended to `end`.
fn steps(points: &[(f64, f64)], end: f64) -> Vec<(f64, f64)> {
    let mut out = Vec::with_capacity(points.len() * 2 + 2);
    let mut last = 0.0;
    if points.first().is_none_or(|p| p.0 > 0.0) {
        out.push((0.0, 0.0));
    }
    for &(t, v) in points {
        if !out.is_empty() {
            out.push((t, last));
        }
        out.push((t, v));
        last = v;
    }
    let t_end = out.last().map_or(0.0, |p| p.0);
    out.push((t_end.max(end), last));
    out
}

fn err<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

/// The timelines worth plotting (ever used), and the names (`core: instance`) of those left out.
fn shown(r: &StreamReport) -> (Vec<&MemoryTimeline>, Vec<String>) {
    let used: Vec<&MemoryTimeline> = r.memory.iter().filter(|m| peak(m).1 > 0.0).collect();
    let hidden = r
        .memory
        .iter()
        .filter(|m| peak(m).1 <= 0.0)
        .map(|m| format!("{}: {}", r.core_name(m.core), m.instance))
        .collect();
    (used, hidden)
}

/// The line under the title naming the memories that are not shown.
fn hidden_note(hidden: &[String]) -> Option<String> {
    if hidden.is_empty() {
        return None;
    }
    let mut names = hidden.iter().take(6).cloned().collect::<Vec<_>>().join(", ");
    if hidden.len() > 6 {
        names.push_str(&format!(" and {} more", hidden.len() - 6));
    }
    Some(format!(
        "Not shown, {} memor{} without any tensor in this schedule (peak 0 B): {names}",
        hidden.len(),
        if hidden.len() == 1 { "y" } else { "ies" }
    ))
}

fn entries() -> Vec<Entry> {
    vec![
        Entry::Heading("Legend".into()),
        Entry::Swatch(over_white(USED, 0.25), "used (step)".into()),
        Entry::Line(CAPACITY, true, "capacity".into()),
        Entry::Dot(BLACK, "peak".into()),
    ]
}

/// `c` with opacity `alpha` blended over white.
fn over_white(c: RGBColor, alpha: f64) -> RGBColor {
    let b = |x: u8| (x as f64 * alpha + 255.0 * (1.0 - alpha)).round() as u8;
    RGBColor(b(c.0), b(c.1), b(c.2))
}

fn size(r: &StreamReport) -> (u32, u32, LegendLayout) {
    let (mems, _) = shown(r);
    let legend = LegendLayout::new(&entries(), 8);
    let chart_w = PLOT_W + Y_LABEL_W + 2 * MARGIN;
    let height = TITLE_H + mems.len().max(1) as u32 * PANEL_H + X_AXIS_H;
    (chart_w + legend.width(), height, legend)
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    r: &StreamReport,
    legend: &LegendLayout,
) -> Result<(), String> {
    root.fill(&WHITE).map_err(err)?;
    let (mems, hidden) = shown(r);
    let chart_w = PLOT_W + Y_LABEL_W + 2 * MARGIN;
    let title = format!("Memory usage over time: {} on {}", r.workload, r.accelerator);
    let centre = Pos::new(HPos::Center, VPos::Center);
    let note = hidden_note(&hidden);
    let title_y = if note.is_some() { TITLE_H as i32 / 2 - 9 } else { TITLE_H as i32 / 2 };
    root.draw(&Text::new(title, (chart_w as i32 / 2, title_y), TextStyle::from((FONT, 20).into_font()).pos(centre)))
        .map_err(err)?;
    if let Some(note) = note {
        let style = TextStyle::from((FONT, 14).into_font()).pos(centre).color(&RGBColor(70, 70, 70));
        root.draw(&Text::new(note, (chart_w as i32 / 2, title_y + 22), style)).map_err(err)?;
    }
    let (_, body) = root.split_vertically(TITLE_H);
    let (charts, legend_area) = body.split_horizontally(chart_w);
    legend::draw(&legend_area, &entries(), legend, 0)?;
    if mems.is_empty() {
        let (w, h) = charts.dim_in_pixel();
        let style = TextStyle::from((FONT, 18).into_font()).pos(centre);
        charts.draw(&Text::new("no memory usage to plot", (w as i32 / 2, h as i32 / 2), style)).map_err(err)?;
        return Ok(());
    }
    let span = r.time_span();
    let mut rest = charts;
    for (k, m) in mems.iter().enumerate() {
        let last = k + 1 == mems.len();
        let (panel, below) = rest.split_vertically(PANEL_H + if last { X_AXIS_H } else { 0 });
        rest = below;
        let (t_peak, v_peak) = peak(m);
        let off_scale = m.capacity_bits > 0.0 && v_peak < OFF_SCALE * m.capacity_bits;
        let top = if off_scale { v_peak } else { f64_max(v_peak, m.capacity_bits) };
        let (uname, per) = unit(top);
        let y_max = top / per * 1.15;
        let caption = format!(
            "{}: {}   capacity {}{}, peak {}{} at {} cycles",
            r.core_name(m.core),
            m.instance,
            human_bits(m.capacity_bits),
            if off_scale { " (off the scale: axis up to the peak)" } else { "" },
            human_bits(v_peak),
            if m.capacity_bits > 0.0 { format!(" ({})", percent(v_peak / m.capacity_bits)) } else { String::new() },
            cycles(t_peak)
        );
        let mut chart = ChartBuilder::on(&panel)
            .margin(MARGIN)
            .margin_top(4)
            .caption(caption, (FONT, 15))
            .x_label_area_size(if last { X_AXIS_H } else { 22 })
            .y_label_area_size(Y_LABEL_W)
            .build_cartesian_2d(0.0..span, 0.0..y_max)
            .map_err(err)?;
        let xfmt = move |v: &f64| time_tick(*v, span);
        let yfmt = move |v: &f64| axis_tick(*v, y_max);
        let y_desc = format!("Used ({uname})");
        chart
            .configure_mesh()
            .x_labels(14)
            .y_labels(5)
            .x_label_formatter(&xfmt)
            .y_label_formatter(&yfmt)
            .x_desc(if last { "Time (cycles)" } else { "" })
            .y_desc(y_desc.as_str())
            .label_style((FONT, TICK_FONT))
            .axis_desc_style((FONT, 14))
            .bold_line_style(RGBColor(225, 225, 225))
            .light_line_style(TRANSPARENT)
            .draw()
            .map_err(err)?;
        let pts: Vec<(f64, f64)> = steps(&m.points, span).into_iter().map(|(t, v)| (t, v / per)).collect();
        chart
            .draw_series(AreaSeries::new(pts.iter().copied(), 0.0, USED.mix(0.25)).border_style(USED.stroke_width(2)))
            .map_err(err)?;
        if m.capacity_bits > 0.0 && !off_scale {
            let cap = m.capacity_bits / per;
            chart
                .draw_series(DashedLineSeries::new([(0.0, cap), (span, cap)], 10, 6, CAPACITY.stroke_width(2)))
                .map_err(err)?;
        }
        let p = (t_peak, v_peak / per);
        chart.draw_series([Circle::new(p, 5, BLACK.filled())]).map_err(err)?;
    }
    Ok(())
}

/// Writes the memory usage figure as a PNG to `path` (which should end in `.png`).
pub fn memory_usage_plot(report: &StreamReport, path: impl AsRef<Path>) -> Result<(), ReportError> {
    ensure_font()?;
    let (w, h, legend) = size(report);
    let root = BitMapBackend::new(path.as_ref(), (w, h)).into_drawing_area();
    draw(&root, report, &legend).map_err(ReportError::Plot)?;
    root.present().map_err(|e| ReportError::Plot(e.to_string()))
}

/// Writes the memory usage figure as an SVG to `path`.
pub fn memory_usage_plot_svg(report: &StreamReport, path: impl AsRef<Path>) -> Result<(), ReportError> {
    std::fs::write(path, memory_usage_plot_svg_string(report)?)?;
    Ok(())
}

/// The memory usage figure as an SVG document.
pub fn memory_usage_plot_svg_string(report: &StreamReport) -> Result<String, ReportError> {
    ensure_font()?;
    let (w, h, legend) = size(report);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
        draw(&root, report, &legend).map_err(ReportError::Plot)?;
        root.present().map_err(|e| ReportError::Plot(e.to_string()))?;
    }
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_vertices() {
        assert_eq!(
            steps(&[(2.0, 5.0), (4.0, 1.0)], 10.0),
            [(0.0, 0.0), (2.0, 0.0), (2.0, 5.0), (4.0, 5.0), (4.0, 1.0), (10.0, 1.0)]
        );
        assert_eq!(steps(&[], 3.0), [(0.0, 0.0), (3.0, 0.0)]);
        assert_eq!(unit(8.0 * 4096.0), ("KiB", 8192.0));
        assert_eq!(unit(100.0).0, "B");
    }

    #[test]
    fn nearly_empty_memory_is_scaled_to_its_peak_and_empty_ones_are_named() {
        let mut r = StreamReport::new("acc", "wl", "lbl");
        let timeline = |core, instance: &str, capacity_bits, points| MemoryTimeline {
            core,
            instance: instance.into(),
            capacity_bits,
            points,
        };
        r.memory = vec![
            timeline(0, "sram", 8.0 * 1024.0 * 256.0, vec![(0.0, 0.0)]),
            timeline(2, "dram", 8.0 * 1024.0 * 1024.0 * 1024.0, vec![(0.0, 8.0 * 1024.0 * 300.0), (10.0, 0.0)]),
        ];
        let svg = memory_usage_plot_svg_string(&r).unwrap();
        assert!(svg.contains("capacity 1.0 GiB (off the scale: axis up to the peak)"), "{svg}");
        assert!(svg.contains("Used (KiB)"), "the axis is in the peak's unit");
        assert!(svg.contains("Not shown, 1 memory without any tensor in this schedule (peak 0 B): core0: sram"));
    }
}
