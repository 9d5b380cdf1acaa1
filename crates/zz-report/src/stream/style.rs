//! Colours shared by the stream plots and the HTML Gantt chart: a distinct palette for layers
//! (by position in the sorted layer list, so neighbouring layers differ) and one colour per
//! transfer cause.

use plotters::style::RGBColor;

/// 30 well separated colours: Tableau 10, then colours from Kelly's list of maximum contrast
/// and a few strong extras, ordered so that neighbouring layers (which run side by side in a
/// fused stack) differ in hue and lightness.
const LAYER: [RGBColor; 30] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
    RGBColor(243, 195, 0),
    RGBColor(0, 0, 117),
    RGBColor(161, 202, 241),
    RGBColor(128, 0, 0),
    RGBColor(141, 182, 0),
    RGBColor(96, 78, 151),
    RGBColor(249, 147, 121),
    RGBColor(70, 153, 144),
    RGBColor(136, 45, 23),
    RGBColor(220, 190, 255),
    RGBColor(43, 61, 38),
    RGBColor(255, 216, 177),
    RGBColor(179, 68, 108),
    RGBColor(170, 255, 195),
    RGBColor(101, 69, 34),
    RGBColor(194, 178, 128),
    RGBColor(145, 30, 180),
    RGBColor(128, 128, 0),
    RGBColor(250, 190, 212),
    RGBColor(0, 103, 165),
];

/// Colour of the layer at position `i` of [`super::model::StreamReport::layers`]: the 30 base
/// colours, then golden-angle hues with alternating lightness.
pub fn layer(i: usize) -> RGBColor {
    if i < LAYER.len() {
        return LAYER[i];
    }
    let k = i - LAYER.len();
    let hue = (k as f64 * 137.507_764 + 15.0) % 360.0;
    let (s, l) = [(0.65, 0.45), (0.55, 0.62), (0.8, 0.35)][k % 3];
    hsl(hue, s, l)
}

/// Colour of transfers whose cause is `cause`.
pub fn cause(cause: &str) -> RGBColor {
    match cause {
        "fetch" => RGBColor(70, 110, 200),
        "eviction" => RGBColor(220, 50, 50),
        "sink" => RGBColor(30, 150, 80),
        "block" => RGBColor(120, 120, 120),
        other => {
            const OTHER: [RGBColor; 4] =
                [RGBColor(150, 80, 190), RGBColor(230, 140, 20), RGBColor(20, 160, 170), RGBColor(160, 100, 60)];
            let h = other.bytes().fold(0usize, |h, b| h.wrapping_mul(31).wrapping_add(b as usize));
            OTHER[h % OTHER.len()]
        }
    }
}

/// `c` darkened by `t` in `[0, 1]` (towards black).
pub fn darken(c: RGBColor, t: f64) -> RGBColor {
    let m = |x: u8| (x as f64 * (1.0 - t)).round() as u8;
    RGBColor(m(c.0), m(c.1), m(c.2))
}

/// Text colour (black or white) readable on `c`.
pub fn text_on(c: RGBColor) -> RGBColor {
    let lum = 0.299 * c.0 as f64 + 0.587 * c.1 as f64 + 0.114 * c.2 as f64;
    if lum > 140.0 { RGBColor(0, 0, 0) } else { RGBColor(255, 255, 255) }
}

/// `#rrggbb` of `c`.
pub fn hex(c: RGBColor) -> String {
    format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2)
}

/// Tick label of a time axis (cycles) whose end is `span`: thousands separators, scientific
/// notation from 10^8 cycles on, two decimals for spans below 10 cycles.
pub fn time_tick(v: f64, span: f64) -> String {
    if span >= 1e8 {
        if v == 0.0 { "0".into() } else { crate::format::sci(v, 2) }
    } else if span >= 10.0 {
        crate::format::thousands(v, 0)
    } else {
        format!("{v:.2}")
    }
}

/// HSL (hue in degrees, saturation and lightness in `[0, 1]`) to RGB.
fn hsl(h: f64, s: f64, l: f64) -> RGBColor {
    let c = (1.0 - (2.0 * l - 1.0).abs()) * s;
    let hp = h / 60.0;
    let x = c * (1.0 - (hp % 2.0 - 1.0).abs());
    let (r, g, b) = match hp as u32 {
        0 => (c, x, 0.0),
        1 => (x, c, 0.0),
        2 => (0.0, c, x),
        3 => (0.0, x, c),
        4 => (x, 0.0, c),
        _ => (c, 0.0, x),
    };
    let m = l - c / 2.0;
    let f = |v: f64| ((v + m) * 255.0).round().clamp(0.0, 255.0) as u8;
    RGBColor(f(r), f(g), f(b))
}
