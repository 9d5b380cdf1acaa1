//! Colours, fonts and the embedded font of the plots.

use std::sync::OnceLock;

use plotters::style::{FontStyle, RGBColor, register_font};

use crate::error::ReportError;

/// Font family every plot text uses; backed by the embedded DejaVu Sans.
pub const FONT: &str = "sans-serif";

/// DejaVu Sans 2.37 (Bitstream Vera licence, see `assets/LICENSE-DejaVu.txt`).
static DEJAVU_SANS: &[u8] = include_bytes!("../../assets/DejaVuSans.ttf");

/// Registers the embedded font as [`FONT`] (once per process), so plots need
/// no system fonts.
pub fn ensure_font() -> Result<(), ReportError> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| register_font(FONT, FontStyle::Normal, DEJAVU_SANS).is_ok());
    if ok { Ok(()) } else { Err(ReportError::Plot("the embedded font could not be loaded".into())) }
}

/// Operand colours (a pastel palette, as ZigZag's plots use).
const OPERAND: [RGBColor; 8] = [
    RGBColor(161, 201, 244),
    RGBColor(255, 180, 130),
    RGBColor(141, 229, 161),
    RGBColor(255, 159, 155),
    RGBColor(208, 187, 255),
    RGBColor(222, 187, 155),
    RGBColor(250, 176, 228),
    RGBColor(255, 254, 163),
];

/// Latency section colours, in [`super::data::LATENCY_SECTIONS`] order.
pub const LATENCY: [RGBColor; 5] = [
    RGBColor(106, 204, 100),
    RGBColor(214, 95, 95),
    RGBColor(149, 108, 196),
    RGBColor(72, 120, 208),
    RGBColor(238, 133, 74),
];

/// How much each data direction darkens its operand colour.
const DIRECTION_DARKEN: [f64; 4] = [0.0, 0.22, 0.42, 0.6];

/// Linear mix of `a` towards `b` by `t` in `[0, 1]`.
fn mix(a: RGBColor, b: RGBColor, t: f64) -> RGBColor {
    let m = |x: u8, y: u8| (x as f64 + (y as f64 - x as f64) * t).round() as u8;
    RGBColor(m(a.0, b.0), m(a.1, b.1), m(a.2, b.2))
}

/// Base colour of operand number `i`.
pub fn operand(i: usize) -> RGBColor {
    OPERAND[i % OPERAND.len()]
}

/// Colour of energy segment `seg` (direction 0-3, or 4 = no direction split) on `base`.
pub fn segment(base: RGBColor, seg: usize) -> RGBColor {
    match DIRECTION_DARKEN.get(seg) {
        Some(&t) => mix(base, RGBColor(0, 0, 0), t),
        None => mix(base, RGBColor(255, 255, 255), 0.55),
    }
}

/// Greys for the IMC MAC-energy components (darkest first), so the MAC bar stays dark.
const MAC_PARTS: [RGBColor; 8] = [
    RGBColor(0, 0, 0),
    RGBColor(45, 45, 45),
    RGBColor(75, 75, 75),
    RGBColor(100, 100, 100),
    RGBColor(125, 125, 125),
    RGBColor(150, 150, 150),
    RGBColor(172, 172, 172),
    RGBColor(195, 195, 195),
];

/// Colour of IMC MAC component `k`.
pub fn mac_part(k: usize) -> RGBColor {
    MAC_PARTS[k % MAC_PARTS.len()]
}
