//! Multi-column colour legend shared by the stream plots (pixel layout, any plotters backend).

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::plot::style::FONT;

/// Height of one legend line in pixels.
pub const LINE_H: u32 = 19;
/// Font size of the legend entries.
pub const FONT_SIZE: u32 = 13;
/// Approximate advance of one character, as a fraction of the font size.
pub const CHAR_W: f64 = 0.58;
const SWATCH_W: i32 = 22;
/// Width of a [`Entry::Tagged`] swatch.
const TAG_W: i32 = 34;
const PAD: i32 = 8;

/// Approximate pixel width of `s` at `font` px.
pub fn text_px(s: &str, font: u32) -> f64 {
    s.chars().count() as f64 * CHAR_W * font as f64
}

/// `s` cut to at most `max` characters (with a trailing `…` when cut).
pub fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        s.chars().take(max.saturating_sub(1)).chain(['…']).collect()
    }
}

/// A legend line: a heading, a filled swatch, a dashed-line sample or plain text.
pub enum Entry {
    /// Section heading.
    Heading(String),
    /// Colour swatch with a label.
    Swatch(RGBColor, String),
    /// A line sample (`dashed` or solid) with a label.
    Line(RGBColor, bool, String),
    /// A round marker with a label.
    Dot(RGBColor, String),
    /// Plain (grey) text; empty for a blank line.
    Note(String),
    /// A wider colour swatch carrying a short tag (e.g. `L17`), with a label: the tag repeats
    /// what the chart's bars are labelled with, so colours that look alike can still be told
    /// apart.
    Tagged(RGBColor, String, String),
}

impl Entry {
    fn label(&self) -> &str {
        match self {
            Self::Heading(s)
            | Self::Swatch(_, s)
            | Self::Line(_, _, s)
            | Self::Dot(_, s)
            | Self::Note(s)
            | Self::Tagged(_, _, s) => s,
        }
    }
}

/// Column layout of a legend.
#[derive(Clone, Copy, Debug)]
pub struct LegendLayout {
    /// Lines per column.
    pub per_col: usize,
    /// Number of columns.
    pub cols: usize,
    /// Width of one column in pixels.
    pub col_w: u32,
}

impl LegendLayout {
    /// Lays `entries` out in columns of at most `max_lines` lines.
    pub fn new(entries: &[Entry], max_lines: usize) -> Self {
        let per_col = max_lines.max(8);
        let cols = entries.len().div_ceil(per_col).max(1);
        let per_col = entries.len().div_ceil(cols).max(1);
        let widest = entries
            .iter()
            .map(|e| match e {
                Entry::Heading(h) => text_px(h, FONT_SIZE + 2) - (SWATCH_W + PAD) as f64,
                Entry::Tagged(_, _, l) => text_px(l, FONT_SIZE) + (TAG_W - SWATCH_W) as f64,
                other => text_px(other.label(), FONT_SIZE),
            })
            .fold(80.0, f64::max);
        let col_w = (widest as u32 + (SWATCH_W + 3 * PAD) as u32).min(420);
        Self { per_col, cols, col_w }
    }

    /// Lays `entries` out in as many columns as fit in `width` pixels (at least one).
    pub fn for_width(entries: &[Entry], width: u32) -> Self {
        let one = Self::new(entries, entries.len().max(1));
        let cols = ((width.saturating_sub(2 * PAD as u32)) / one.col_w.max(1)).max(1) as usize;
        let per_col = entries.len().div_ceil(cols).max(1);
        let cols = entries.len().div_ceil(per_col).max(1);
        Self { per_col, cols, col_w: one.col_w }
    }

    /// Total width in pixels.
    pub fn width(&self) -> u32 {
        self.cols as u32 * self.col_w + 2 * PAD as u32
    }

    /// Total height in pixels.
    pub fn height(&self) -> u32 {
        self.per_col as u32 * LINE_H + 4 * PAD as u32
    }
}

/// Draws `entries` into `area` with `layout`, starting `top` pixels below its top edge.
pub fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[Entry],
    layout: &LegendLayout,
    top: i32,
) -> Result<(), String> {
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    let text = TextStyle::from((FONT, FONT_SIZE).into_font()).pos(Pos::new(HPos::Left, VPos::Center));
    let heading = TextStyle::from((FONT, FONT_SIZE + 2).into_font()).pos(Pos::new(HPos::Left, VPos::Center));
    let note = text.clone().color(&RGBColor(90, 90, 90));
    for (i, e) in entries.iter().enumerate() {
        let x = PAD + (i / layout.per_col) as i32 * layout.col_w as i32;
        let y = top + 2 * PAD + (i % layout.per_col) as i32 * LINE_H as i32;
        match e {
            Entry::Heading(h) => area.draw(&Text::new(h.clone(), (x, y), heading.clone())).map_err(err)?,
            Entry::Note(n) => area.draw(&Text::new(n.clone(), (x, y), note.clone())).map_err(err)?,
            Entry::Swatch(c, label) => {
                let r = [(x, y - 6), (x + SWATCH_W, y + 6)];
                area.draw(&Rectangle::new(r, c.filled())).map_err(err)?;
                area.draw(&Rectangle::new(r, BLACK.stroke_width(1))).map_err(err)?;
                area.draw(&Text::new(label.clone(), (x + SWATCH_W + PAD, y), text.clone())).map_err(err)?;
            }
            Entry::Tagged(c, tag, label) => {
                let r = [(x, y - 7), (x + TAG_W, y + 7)];
                area.draw(&Rectangle::new(r, c.filled())).map_err(err)?;
                area.draw(&Rectangle::new(r, BLACK.stroke_width(1))).map_err(err)?;
                let on = super::style::text_on(*c);
                let tag_style = TextStyle::from((FONT, FONT_SIZE - 2).into_font())
                    .pos(Pos::new(HPos::Center, VPos::Center))
                    .color(&on);
                area.draw(&Text::new(tag.clone(), (x + TAG_W / 2, y), tag_style)).map_err(err)?;
                area.draw(&Text::new(label.clone(), (x + TAG_W + PAD, y), text.clone())).map_err(err)?;
            }
            Entry::Dot(c, label) => {
                area.draw(&Circle::new((x + SWATCH_W / 2, y), 5, c.filled())).map_err(err)?;
                area.draw(&Text::new(label.clone(), (x + SWATCH_W + PAD, y), text.clone())).map_err(err)?;
            }
            Entry::Line(c, dashed, label) => {
                let style = c.stroke_width(2);
                if *dashed {
                    for k in 0..3 {
                        let x0 = x + k * 8;
                        area.draw(&PathElement::new(vec![(x0, y), (x0 + 5, y)], style)).map_err(err)?;
                    }
                } else {
                    area.draw(&PathElement::new(vec![(x, y), (x + SWATCH_W, y)], style)).map_err(err)?;
                }
                area.draw(&Text::new(label.clone(), (x + SWATCH_W + PAD, y), text.clone())).map_err(err)?;
            }
        }
    }
    Ok(())
}
