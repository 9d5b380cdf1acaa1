//! Static Gantt chart of a [`StreamReport`] (PNG and SVG), after Stream's
//! `plot_timeline_brokenaxes`.
//!
//! One row per core (CN bars coloured by layer) and one per link (transfer bars coloured by cause,
//! semi-transparent so that concurrent transfers on a link show as darker overlaps, on a grey
//! background). The x axis is the time in cycles. Bars are at least one pixel wide; they get an
//! outline only when a few pixels wide and a `L<layer>` label only when the label fits, so a
//! schedule of thousands of CNs stays readable. A legend under the chart, in as many columns as
//! the chart is wide, lists the layers (a swatch tagged `L<id>`, as the bars are, then the name
//! and CN count) and the transfer causes.
//!
//! For an interactive view (hover, zoom, pan) see [`super::html::write_gantt_html`].

use std::collections::HashMap;
use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::legend::{self, Entry, LegendLayout, text_px, truncate};
use super::model::{GanttRow, StreamReport};
use super::style as palette;
use crate::error::ReportError;
use crate::format::{cycles, num, sci};
use crate::plot::style::{FONT, ensure_font};

const MARGIN: u32 = 15;
const TITLE_H: u32 = 62;
const X_AXIS_H: u32 = 50;
const TICK_FONT: u32 = 14;
const BAR_FONT: u32 = 12;
/// Legend entries for at most this many layers (the rest is summarised).
const MAX_LEGEND_LAYERS: usize = 160;

/// Pixel geometry of the chart, derived from the report.
struct Layout {
    width: u32,
    height: u32,
    /// Width of the chart part (row labels + plot + margins).
    chart_w: u32,
    label_w: u32,
    row_h: u32,
    legend: LegendLayout,
    /// Height of the chart part (rows + time axis + margins); the legend is below it.
    chart_h: u32,
}

fn row_label(r: &StreamReport, row: &GanttRow) -> String {
    match row {
        GanttRow::Core { id, name } => match r.core(*id) {
            Some(c) if !c.kind.is_empty() => format!("{name} ({})", c.kind),
            _ => name.clone(),
        },
        GanttRow::Link { id, name } => match r.link(*id) {
            Some(l) if l.bandwidth > 0.0 => format!("{name} ({} bit/cc)", num(l.bandwidth)),
            _ => name.clone(),
        },
    }
}

fn legend_entries(r: &StreamReport) -> Vec<Entry> {
    let layers = r.layers();
    let mut e = vec![Entry::Heading("CNs by layer".into())];
    for (i, l) in layers.iter().take(MAX_LEGEND_LAYERS).enumerate() {
        e.push(Entry::Tagged(
            palette::layer(i),
            format!("L{}", l.id),
            format!("{} ({} CN{})", truncate(&l.name, 30), l.cns, if l.cns == 1 { "" } else { "s" }),
        ));
    }
    if layers.len() > MAX_LEGEND_LAYERS {
        e.push(Entry::Note(format!("… and {} more layers", layers.len() - MAX_LEGEND_LAYERS)));
    }
    let causes = causes(r);
    if !causes.is_empty() {
        e.push(Entry::Note(String::new()));
        e.push(Entry::Heading("Transfers by cause".into()));
        for (c, n) in causes {
            e.push(Entry::Swatch(palette::cause(&c), format!("{} ({n})", if c.is_empty() { "-" } else { &c })));
        }
    }
    e
}

/// Distinct transfer causes in first-seen order, with their counts.
pub(crate) fn causes(r: &StreamReport) -> Vec<(String, usize)> {
    let mut out: Vec<(String, usize)> = Vec::new();
    for t in &r.transfers {
        match out.iter_mut().find(|c| c.0 == t.cause) {
            Some(c) => c.1 += 1,
            None => out.push((t.cause.clone(), 1)),
        }
    }
    out
}

impl Layout {
    fn new(r: &StreamReport, rows: &[GanttRow], entries: &[Entry]) -> Self {
        let n = rows.len().max(1) as u32;
        let row_h = (520 / n).clamp(26, 56);
        let label_w =
            rows.iter().map(|row| text_px(&row_label(r, row), TICK_FONT) + 18.0).fold(90.0, f64::max).min(360.0) as u32;
        // Width of the time axis: wider for more CNs.
        let plot_w = (1100.0 + 0.45 * r.cns.len() as f64).clamp(1100.0, 2200.0) as u32;
        let chart_w = label_w + plot_w + 2 * MARGIN + 10;
        let chart_h = n * row_h + X_AXIS_H + 2 * MARGIN;
        let legend = LegendLayout::for_width(entries, chart_w.saturating_sub(label_w / 2));
        let height = TITLE_H + chart_h + legend.height();
        Self { width: chart_w, height, chart_w, label_w, row_h, legend, chart_h }
    }
}

fn err<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

/// Title and subtitle lines of the chart.
fn titles(r: &StreamReport) -> (String, String) {
    let mode = if r.mode.is_empty() { String::new() } else { format!(", {} mode", r.mode) };
    let title = format!("Schedule of {} on {}{mode}", r.workload, r.accelerator);
    let sub = format!(
        "latency {} cycles   energy {} pJ   EDP {} pJ·cycles   {} CNs, {} transfers",
        cycles(r.latency),
        sci(r.energy, 3),
        sci(r.energy * r.latency, 3),
        r.cns.len(),
        r.transfers.len()
    );
    (title, sub)
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    r: &StreamReport,
    rows: &[GanttRow],
    entries: &[Entry],
    lay: &Layout,
) -> Result<(), String> {
    root.fill(&WHITE).map_err(err)?;
    let (title, sub) = titles(r);
    let centre = Pos::new(HPos::Center, VPos::Center);
    let cx = lay.chart_w as i32 / 2;
    root.draw(&Text::new(title, (cx, 20), TextStyle::from((FONT, 21).into_font()).pos(centre))).map_err(err)?;
    root.draw(&Text::new(sub, (cx, 46), TextStyle::from((FONT, 15).into_font()).pos(centre))).map_err(err)?;
    let (_, body) = root.split_vertically(TITLE_H);
    let (chart_area, legend_area) = body.split_vertically(lay.chart_h);
    let (_, legend_area) = legend_area.split_horizontally(lay.label_w / 2);
    legend::draw(&legend_area, entries, &lay.legend, 0)?;
    if rows.is_empty() {
        let (w, h) = chart_area.dim_in_pixel();
        let style = TextStyle::from((FONT, 18).into_font()).pos(centre);
        chart_area.draw(&Text::new("nothing scheduled", (w as i32 / 2, h as i32 / 2), style)).map_err(err)?;
        return Ok(());
    }

    let n = rows.len();
    let span = r.time_span();
    let plot_h = n as u32 * lay.row_h;
    let (chart_area, _) = chart_area.split_vertically(plot_h + X_AXIS_H + 2 * MARGIN);
    let mut chart = ChartBuilder::on(&chart_area)
        .margin(MARGIN)
        .margin_right(MARGIN + 10)
        .x_label_area_size(X_AXIS_H)
        .y_label_area_size(lay.label_w)
        .build_cartesian_2d(0.0..span, 0.0..n as f64)
        .map_err(err)?;
    // Data y of the bottom of row `i` (row 0 at the top).
    let row_y = |i: usize| (n - 1 - i) as f64;
    let link_bg = RGBColor(238, 240, 246);
    chart
        .draw_series(
            rows.iter()
                .enumerate()
                .filter(|(_, row)| matches!(row, GanttRow::Link { .. }))
                .map(|(i, _)| Rectangle::new([(0.0, row_y(i)), (span, row_y(i) + 1.0)], link_bg.filled())),
        )
        .map_err(err)?;
    let fmt = move |v: &f64| palette::time_tick(*v, span);
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(0)
        .x_labels(14)
        .x_label_formatter(&fmt)
        .x_desc("Time (cycles)")
        .label_style((FONT, TICK_FONT))
        .axis_desc_style((FONT, 16))
        .bold_line_style(RGBColor(215, 215, 215))
        .light_line_style(TRANSPARENT)
        .draw()
        .map_err(err)?;
    // Row separators; a dark one between the core and the link section.
    let first_link = rows.iter().position(|row| matches!(row, GanttRow::Link { .. }));
    for i in 1..n {
        let style = if Some(i) == first_link { BLACK.stroke_width(2) } else { RGBColor(200, 200, 200).stroke_width(1) };
        chart
            .draw_series([PathElement::new(vec![(0.0, row_y(i) + 1.0), (span, row_y(i) + 1.0)], style)])
            .map_err(err)?;
    }
    // Row labels, right-aligned left of the axis (pixel coordinates on the root).
    let label_style = TextStyle::from((FONT, TICK_FONT).into_font()).pos(Pos::new(HPos::Right, VPos::Center));
    for (i, row) in rows.iter().enumerate() {
        let (px, py) = chart.backend_coord(&(0.0, row_y(i) + 0.5));
        root.draw(&Text::new(row_label(r, row), (px - 8, py), label_style.clone())).map_err(err)?;
    }

    let core_row: HashMap<usize, usize> = rows
        .iter()
        .enumerate()
        .filter_map(|(i, row)| if let GanttRow::Core { id, .. } = row { Some((*id, i)) } else { None })
        .collect();
    let link_row: HashMap<usize, usize> = rows
        .iter()
        .enumerate()
        .filter_map(|(i, row)| if let GanttRow::Link { id, .. } = row { Some((*id, i)) } else { None })
        .collect();
    let layer_pos: HashMap<usize, usize> = r.layers().iter().enumerate().map(|(i, l)| (l.id, i)).collect();
    // Pixel rectangle of `[t0, t1]` in row `i`, `inset` (fraction of a row) from its edges;
    // at least one pixel wide.
    let rect = |i: usize, t0: f64, t1: f64, inset: f64| {
        let t0 = t0.clamp(0.0, span);
        let t1 = t1.clamp(t0, span);
        let (x0, y0) = chart.backend_coord(&(t0, row_y(i) + 1.0 - inset));
        let (x1, y1) = chart.backend_coord(&(t1, row_y(i) + inset));
        (x0, y0, x1.max(x0 + 1), y1)
    };
    let bar_text = TextStyle::from((FONT, BAR_FONT).into_font()).pos(Pos::new(HPos::Center, VPos::Center));
    for cn in &r.cns {
        let Some(&i) = core_row.get(&cn.core) else { continue };
        let fill = palette::layer(layer_pos.get(&cn.layer).copied().unwrap_or(0));
        let (x0, y0, x1, y1) = rect(i, cn.start, cn.end, 0.14);
        root.draw(&Rectangle::new([(x0, y0), (x1, y1)], fill.filled())).map_err(err)?;
        if x1 - x0 >= 4 {
            root.draw(&Rectangle::new([(x0, y0), (x1, y1)], palette::darken(fill, 0.5).stroke_width(1)))
                .map_err(err)?;
        }
        let mut label = format!("L{} #{}", cn.layer, cn.sub_id);
        if ((x1 - x0) as f64) < text_px(&label, BAR_FONT) + 6.0 {
            label = format!("L{}", cn.layer);
        }
        if (x1 - x0) as f64 >= text_px(&label, BAR_FONT) + 6.0 && y1 - y0 >= BAR_FONT as i32 {
            let fg = palette::text_on(fill);
            let style = bar_text.clone().color(&fg);
            root.draw(&Text::new(label, ((x0 + x1) / 2, (y0 + y1) / 2), style)).map_err(err)?;
        }
    }
    for t in &r.transfers {
        let fill = palette::cause(&t.cause);
        for link in &t.links {
            let Some(&i) = link_row.get(link) else { continue };
            let (x0, y0, x1, y1) = rect(i, t.start, t.end, 0.2);
            root.draw(&Rectangle::new([(x0, y0), (x1, y1)], fill.mix(0.5).filled())).map_err(err)?;
            if x1 - x0 >= 4 {
                root.draw(&Rectangle::new([(x0, y0), (x1, y1)], fill.stroke_width(1))).map_err(err)?;
            }
        }
    }
    Ok(())
}

/// Writes the Gantt chart as a PNG to `path` (which should end in `.png`).
pub fn gantt_chart(report: &StreamReport, path: impl AsRef<Path>) -> Result<(), ReportError> {
    ensure_font()?;
    let rows = report.gantt_rows();
    let entries = legend_entries(report);
    let lay = Layout::new(report, &rows, &entries);
    let root = BitMapBackend::new(path.as_ref(), (lay.width, lay.height)).into_drawing_area();
    draw(&root, report, &rows, &entries, &lay).map_err(ReportError::Plot)?;
    root.present().map_err(|e| ReportError::Plot(e.to_string()))
}

/// Writes the Gantt chart as an SVG to `path`.
pub fn gantt_chart_svg(report: &StreamReport, path: impl AsRef<Path>) -> Result<(), ReportError> {
    std::fs::write(path, gantt_chart_svg_string(report)?)?;
    Ok(())
}

/// The Gantt chart as an SVG document.
pub fn gantt_chart_svg_string(report: &StreamReport) -> Result<String, ReportError> {
    ensure_font()?;
    let rows = report.gantt_rows();
    let entries = legend_entries(report);
    let lay = Layout::new(report, &rows, &entries);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (lay.width, lay.height)).into_drawing_area();
        draw(&root, report, &rows, &entries, &lay).map_err(ReportError::Plot)?;
        root.present().map_err(|e| ReportError::Plot(e.to_string()))?;
    }
    Ok(svg)
}
