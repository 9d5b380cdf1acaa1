//! Drawing of the breakdown figure on any plotters backend (PNG or SVG).
//!
//! Layout: a title; an energy panel (per layer a black `MAC` bar and one bar
//! per memory, stacked by operand colour and direction shade, memory names
//! rotated under the bars, the layer name under them, `tot:` above each group);
//! a latency panel (one stacked bar per layer, layer labels under it); a legend
//! right of the first energy and latency panels. Large networks wrap: at most
//! [`MAX_PLOT_W`] pixels of groups per row, each row an energy and a latency
//! panel with the same value axes as every other row.

use std::ops::Range;

use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::data::{Breakdown, LATENCY_SECTIONS, UNSPLIT};
use super::style::{self, FONT};
use crate::format::{axis_tick, sci};
use crate::model::DirectionRecord;

const LEGEND_W: u32 = 340;
/// Widest plot area of one row (pixels); more groups wrap into further rows.
pub const MAX_PLOT_W: u32 = 2200;
/// Height of the layer-name line under the energy panel's memory names.
const GROUP_LABEL_H: u32 = 26;
const Y_LABEL_W: u32 = 95;
const MARGIN: u32 = 15;
const TITLE_H: u32 = 40;
const ENERGY_PLOT_H: u32 = 400;
const LATENCY_PLOT_H: u32 = 280;
const LATENCY_XLABEL_H: u32 = 58;
/// Approximate advance of one character, as a fraction of the font size.
const CHAR_W: f64 = 0.62;
const TICK_FONT: u32 = 13;
const GROUP_FONT: u32 = 14;

/// Pixel geometry of the figure, derived from the data.
#[derive(Clone, Copy, Debug)]
pub struct Layout {
    /// Figure width in pixels.
    pub width: u32,
    /// Figure height in pixels.
    pub height: u32,
    /// Width of the chart part of a panel (the legend is right of it).
    chart_w: u32,
    /// Height of the energy panel.
    energy_h: u32,
    /// Height of the energy panel's rotated memory-label area.
    energy_xlabel_h: u32,
    /// Bars per layer group (`MAC` + memories).
    bars: usize,
    /// What one bar group stands for (x-axis title of the latency panel).
    pub group_label: &'static str,
    /// Extent of the x axis in data units (one unit per bar slot).
    x_max: f64,
    /// Groups per row.
    per_row: usize,
    /// Number of rows (energy + latency panel pairs).
    rows: usize,
    /// Height of the latency plot area.
    latency_plot_h: u32,
}

type Chart<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

fn text_px(s: &str, font: u32) -> f64 {
    s.chars().count() as f64 * CHAR_W * font as f64
}

impl Layout {
    /// Sizes the figure so that bars, memory names and layer labels fit.
    pub fn new(b: &Breakdown) -> Self {
        let bars = 1 + b.memories.len();
        let group_label = b.groups.iter().map(|g| text_px(g, GROUP_FONT) + 12.0).fold(110.0, f64::max);
        let mut slot_px = (group_label / bars as f64).ceil().max(24.0);
        let all_slots = (b.groups.len() * (bars + 1)).max(1);
        slot_px = slot_px.max((520.0 / all_slots as f64).ceil()).min(200.0);
        let group_px = slot_px * (bars + 1) as f64;
        let per_row = ((MAX_PLOT_W as f64 / group_px).floor() as usize).clamp(1, b.groups.len().max(1));
        let rows = b.groups.len().div_ceil(per_row).max(1);
        let slots = per_row * (bars + 1);
        let plot_w = (slots as f64 * slot_px) as u32;
        let chart_w = plot_w + Y_LABEL_W + 2 * MARGIN;
        let longest_mem = b.memories.iter().map(|m| text_px(m, TICK_FONT)).fold(text_px("MAC", TICK_FONT), f64::max);
        let energy_xlabel_h = (longest_mem + 16.0).clamp(45.0, 220.0) as u32 + GROUP_LABEL_H;
        // Wrapped figures get flatter panels so that the height stays readable.
        let (energy_plot_h, latency_plot_h) = if rows > 1 { (300, 200) } else { (ENERGY_PLOT_H, LATENCY_PLOT_H) };
        let energy_h = energy_plot_h + energy_xlabel_h + 2 * MARGIN;
        let row_h = energy_h + latency_plot_h + LATENCY_XLABEL_H + 2 * MARGIN;
        Self {
            width: chart_w + LEGEND_W,
            height: TITLE_H + rows as u32 * row_h,
            chart_w,
            energy_h,
            energy_xlabel_h,
            bars,
            group_label: "Layer",
            x_max: slots as f64,
            per_row,
            rows,
            latency_plot_h,
        }
    }

    /// Height of one row (energy + latency panel).
    fn row_h(&self) -> u32 {
        self.energy_h + self.latency_plot_h + LATENCY_XLABEL_H + 2 * MARGIN
    }

    /// The groups drawn in row `r`.
    fn row_groups(&self, r: usize, groups: usize) -> Range<usize> {
        (r * self.per_row).min(groups)..((r + 1) * self.per_row).min(groups)
    }

    /// Left edge of bar slot 0 of group `g`, in data units.
    fn group_start(&self, g: usize) -> f64 {
        (g * (self.bars + 1)) as f64 + 0.5
    }

    /// Centre of group `g`, in data units.
    fn group_mid(&self, g: usize) -> f64 {
        self.group_start(g) + self.bars as f64 / 2.0
    }
}

/// Maps any displayable plotters error to text.
fn err<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

/// Upper end of a value axis whose tallest bar is `max` (room for `tot:` labels).
fn y_top(max: f64) -> f64 {
    if max.is_finite() && max > 0.0 { max * 1.15 } else { 1.0 }
}

/// Draws the whole figure onto `root`, which must be `layout.width x layout.height`.
pub fn draw_figure<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    b: &Breakdown,
    title: &str,
    layout: &Layout,
) -> Result<(), String> {
    root.fill(&WHITE).map_err(err)?;
    let title_style = TextStyle::from((FONT, 20).into_font()).pos(Pos::new(HPos::Center, VPos::Center));
    root.draw(&Text::new(title.to_string(), (layout.width as i32 / 2, TITLE_H as i32 / 2), title_style))
        .map_err(err)?;
    let (_, mut rest) = root.split_vertically(TITLE_H);
    let energy_max = (0..b.groups.len()).map(|g| b.energy_bar_max(g)).fold(0.0, f64::max);
    let latency_max = (0..b.groups.len()).map(|g| b.latency_total(g)).fold(0.0, f64::max);
    for r in 0..layout.rows {
        let (row, below) = rest.split_vertically(layout.row_h());
        rest = below;
        let (energy, latency) = row.split_vertically(layout.energy_h);
        let (energy_chart, energy_legend) = energy.split_horizontally(layout.chart_w);
        let (latency_chart, latency_legend) = latency.split_horizontally(layout.chart_w);
        if b.groups.is_empty() {
            let style = TextStyle::from((FONT, 18).into_font()).pos(Pos::new(HPos::Center, VPos::Center));
            let (w, h) = energy_chart.dim_in_pixel();
            energy_chart.draw(&Text::new("no layers to plot", (w as i32 / 2, h as i32 / 2), style)).map_err(err)?;
            return Ok(());
        }
        let groups = layout.row_groups(r, b.groups.len());
        draw_energy(root, &energy_chart, b, layout, groups.clone(), energy_max)?;
        draw_latency(root, &latency_chart, b, layout, groups, latency_max)?;
        if r == 0 {
            draw_energy_legend(&energy_legend, b)?;
            draw_latency_legend(&latency_legend)?;
        }
    }
    Ok(())
}

/// Builds a chart with a y grid, a y axis title and no x ticks.
fn chart<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    layout: &Layout,
    x_label_h: u32,
    y_max: f64,
    y_desc: &str,
    x_desc: &str,
) -> Result<Chart<'a, DB>, String> {
    let mut chart = ChartBuilder::on(area)
        .margin(MARGIN)
        .x_label_area_size(x_label_h)
        .y_label_area_size(Y_LABEL_W)
        .build_cartesian_2d(0.0..layout.x_max, 0.0..y_max)
        .map_err(err)?;
    let fmt = move |v: &f64| axis_tick(*v, y_max);
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(0)
        .y_labels(8)
        .y_label_formatter(&fmt)
        .y_desc(y_desc)
        .x_desc(x_desc)
        .label_style((FONT, TICK_FONT))
        .axis_desc_style((FONT, 16))
        .bold_line_style(RGBColor(225, 225, 225))
        .light_line_style(TRANSPARENT)
        .draw()
        .map_err(err)?;
    Ok(chart)
}

/// One outlined rectangle segment of a stacked bar.
fn segment<DB: DrawingBackend>(
    chart: &mut Chart<'_, DB>,
    x: (f64, f64),
    y: (f64, f64),
    fill: RGBColor,
) -> Result<(), String> {
    let corners = [(x.0, y.0), (x.1, y.1)];
    chart
        .draw_series([Rectangle::new(corners, fill.filled()), Rectangle::new(corners, BLACK.stroke_width(1))])
        .map_err(err)?;
    Ok(())
}

/// A bold-less "tot: 1.23e5" label centred above `(x, y)`.
fn total_label<DB: DrawingBackend>(chart: &mut Chart<'_, DB>, x: f64, y: f64, v: f64) -> Result<(), String> {
    let style = TextStyle::from((FONT, TICK_FONT).into_font()).pos(Pos::new(HPos::Center, VPos::Bottom));
    chart.draw_series([Text::new(format!("tot: {}", sci(v, 2)), (x, y), style)]).map_err(err)?;
    Ok(())
}

fn draw_energy<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    area: &DrawingArea<DB, Shift>,
    b: &Breakdown,
    layout: &Layout,
    groups: Range<usize>,
    max: f64,
) -> Result<(), String> {
    let mut chart = chart(area, layout, layout.energy_xlabel_h, y_top(max), "Energy (pJ)", "")?;
    let label_style = TextStyle::from((FONT, TICK_FONT).into_font().transform(FontTransform::Rotate90))
        .pos(Pos::new(HPos::Left, VPos::Center));
    let group_style = TextStyle::from((FONT, GROUP_FONT).into_font()).pos(Pos::new(HPos::Center, VPos::Bottom));
    let first = groups.start;
    for g in groups {
        let x0 = layout.group_start(g - first);
        if let Some(parts) = b.mac_split.get(g) {
            // IMC: the MAC bar stacked by component (DACs, ADCs, multipliers, adders, ...).
            let mut bottom = 0.0;
            for (k, &h) in parts.iter().enumerate() {
                if h > 0.0 {
                    segment(&mut chart, (x0, x0 + 1.0), (bottom, bottom + h), style::mac_part(k))?;
                    bottom += h;
                }
            }
        } else if b.mac[g] > 0.0 {
            segment(&mut chart, (x0, x0 + 1.0), (0.0, b.mac[g]), BLACK)?;
        }
        for (m, per_op) in b.mem[g].iter().enumerate() {
            let x = x0 + 1.0 + m as f64;
            let mut bottom = 0.0;
            for (oi, segs) in per_op.iter().enumerate() {
                for (s, &h) in segs.iter().enumerate() {
                    if h > 0.0 {
                        segment(&mut chart, (x, x + 1.0), (bottom, bottom + h), style::segment(style::operand(oi), s))?;
                        bottom += h;
                    }
                }
            }
        }
        total_label(&mut chart, layout.group_mid(g - first), b.energy_bar_max(g) * 1.02, b.energy_total(g))?;
        // Bar names, rotated, under the axis (drawn on the root in pixel coordinates).
        for (k, name) in std::iter::once("MAC").chain(b.memories.iter().map(String::as_str)).enumerate() {
            let (px, py) = chart.backend_coord(&(x0 + k as f64 + 0.5, 0.0));
            root.draw(&Text::new(name.to_string(), (px, py + 6), label_style.clone())).map_err(err)?;
        }
        // The layer name under its memory names.
        let (px, py) = chart.backend_coord(&(layout.group_mid(g - first), 0.0));
        root.draw(&Text::new(b.groups[g].clone(), (px, py + layout.energy_xlabel_h as i32 - 4), group_style.clone()))
            .map_err(err)?;
    }
    Ok(())
}

fn draw_latency<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    area: &DrawingArea<DB, Shift>,
    b: &Breakdown,
    layout: &Layout,
    groups: Range<usize>,
    max: f64,
) -> Result<(), String> {
    let mut chart = chart(area, layout, LATENCY_XLABEL_H, y_top(max), "Latency (cycles)", layout.group_label)?;
    let half = 0.4 * layout.bars as f64;
    let label_style = TextStyle::from((FONT, GROUP_FONT).into_font()).pos(Pos::new(HPos::Center, VPos::Top));
    let first = groups.start;
    for g in groups {
        let sections = &b.latency[g];
        let mid = layout.group_mid(g - first);
        let mut bottom = 0.0;
        for (s, &h) in sections.iter().enumerate() {
            if h > 0.0 {
                segment(&mut chart, (mid - half, mid + half), (bottom, bottom + h), style::LATENCY[s])?;
                bottom += h;
            }
        }
        total_label(&mut chart, mid, b.latency_total(g) * 1.02, b.latency_total(g))?;
        let (px, py) = chart.backend_coord(&(mid, 0.0));
        root.draw(&Text::new(b.groups[g].clone(), (px, py + 8), label_style.clone())).map_err(err)?;
    }
    Ok(())
}

/// A legend entry: a colour swatch with a label, or a heading.
enum Entry {
    Heading(String),
    Swatch(RGBColor, String),
    /// Several swatches side by side (one per operand) with one label.
    Swatches(Vec<RGBColor>, String),
    /// A line of small explanatory text.
    Note(String),
}

fn draw_legend<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, entries: &[Entry]) -> Result<(), String> {
    let x = 8;
    let mut y = MARGIN as i32 + 4;
    let text = TextStyle::from((FONT, TICK_FONT).into_font()).pos(Pos::new(HPos::Left, VPos::Center));
    let heading = TextStyle::from((FONT, 15).into_font()).pos(Pos::new(HPos::Left, VPos::Center));
    for e in entries {
        match e {
            Entry::Heading(h) => {
                y += 6;
                area.draw(&Text::new(h.clone(), (x, y), heading.clone())).map_err(err)?;
            }
            Entry::Swatch(c, label) => {
                let r = [(x, y - 7), (x + 22, y + 7)];
                area.draw(&Rectangle::new(r, c.filled())).map_err(err)?;
                area.draw(&Rectangle::new(r, BLACK.stroke_width(1))).map_err(err)?;
                area.draw(&Text::new(label.clone(), (x + 30, y), text.clone())).map_err(err)?;
            }
            Entry::Swatches(cs, label) => {
                let mut sx = x;
                for c in cs {
                    let r = [(sx, y - 7), (sx + 16, y + 7)];
                    area.draw(&Rectangle::new(r, c.filled())).map_err(err)?;
                    area.draw(&Rectangle::new(r, BLACK.stroke_width(1))).map_err(err)?;
                    sx += 18;
                }
                area.draw(&Text::new(label.clone(), (sx + 8, y), text.clone())).map_err(err)?;
            }
            Entry::Note(note) => {
                let small = TextStyle::from((FONT, 12).into_font()).pos(Pos::new(HPos::Left, VPos::Center));
                area.draw(&Text::new(note.clone(), (x, y), small)).map_err(err)?;
            }
        }
        y += 21;
    }
    Ok(())
}

fn draw_energy_legend<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, b: &Breakdown) -> Result<(), String> {
    let mut entries = vec![Entry::Heading("Energy".into())];
    if b.mac_parts.is_empty() {
        entries.push(Entry::Swatch(BLACK, "MAC".into()));
    }
    for (k, name) in b.mac_parts.iter().enumerate() {
        entries.push(Entry::Swatch(style::mac_part(k), format!("MAC: {name}")));
    }
    for (i, op) in b.operands.iter().enumerate() {
        entries.push(Entry::Swatch(style::operand(i), format!("operand {op}")));
    }
    entries.push(Entry::Heading("Data direction (shade)".into()));
    entries.push(Entry::Note("each operand's colour, darker per direction:".into()));
    let shades = |s: usize| (0..b.operands.len().max(1)).map(|i| style::segment(style::operand(i), s)).collect();
    for (s, name) in DirectionRecord::NAMES.iter().enumerate() {
        entries.push(Entry::Swatches(shades(s), direction_label(name)));
    }
    if b.has_unsplit() {
        entries.push(Entry::Swatches(shades(UNSPLIT), "no direction split".into()));
    }
    draw_legend(area, &entries)
}

/// `rd_out_to_low` -> `rd_out_to_low (read, to lower level)`.
fn direction_label(name: &str) -> String {
    let what = match name {
        "rd_out_to_low" => "read to below",
        "wr_in_by_low" => "write from below",
        "rd_out_to_high" => "read to above",
        "wr_in_by_high" => "write from above",
        _ => return name.to_string(),
    };
    format!("{name}: {what}")
}

fn draw_latency_legend<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>) -> Result<(), String> {
    let mut entries = vec![Entry::Heading("Latency".into())];
    // Top of the stack first, as the bars read.
    for (s, name) in LATENCY_SECTIONS.iter().enumerate().rev() {
        entries.push(Entry::Swatch(style::LATENCY[s], name.to_string()));
    }
    draw_legend(area, &entries)
}
