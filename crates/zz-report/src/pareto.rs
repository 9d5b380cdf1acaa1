//! Design-space results: the Pareto front of (energy, latency) points and its scatter plot
//! (latency vs energy, area as colour when known, front highlighted, chosen point marked).

use crate::error::ReportError;
use crate::plot::style::{FONT, ensure_font};
use plotters::prelude::*;
use std::path::Path;

/// One evaluated design.
#[derive(Clone, Debug, PartialEq)]
pub struct DesignPoint {
    /// Label (e.g. the parameter values).
    pub label: String,
    /// Energy, pJ.
    pub energy: f64,
    /// Latency, cycles.
    pub latency: f64,
    /// Area, if known.
    pub area: Option<f64>,
}

/// `true` for points no other point dominates (both objectives minimised; a point is
/// dominated by one at least as good in both and strictly better in one).
///
/// ```
/// use zz_report::pareto::pareto_front;
/// assert_eq!(pareto_front(&[(1.0, 3.0), (2.0, 2.0), (3.0, 3.0), (3.0, 1.0)]), vec![true, true, false, true]);
/// ```
pub fn pareto_front(points: &[(f64, f64)]) -> Vec<bool> {
    let mut idx: Vec<usize> = (0..points.len()).collect();
    idx.sort_by(|&a, &b| points[a].partial_cmp(&points[b]).unwrap_or(std::cmp::Ordering::Equal));
    let mut front = vec![false; points.len()];
    let mut best_second = f64::INFINITY;
    let mut k = 0;
    while k < idx.len() {
        // group equal first objectives
        let x = points[idx[k]].0;
        let mut j = k;
        let mut group_min = f64::INFINITY;
        while j < idx.len() && points[idx[j]].0 == x {
            group_min = group_min.min(points[idx[j]].1);
            j += 1;
        }
        for &i in &idx[k..j] {
            let y = points[i].1;
            front[i] = y == group_min && y < best_second;
        }
        best_second = best_second.min(group_min);
        k = j;
    }
    front
}

/// Tick label on an axis from `lo` to `hi`: scientific notation from 10^5 on with just enough
/// mantissa digits to tell ticks about a tenth of the range apart, trailing zeros dropped
/// (`5.8e7`, `5.85e7`; never `5.800e7`).
pub fn tick(v: f64, lo: f64, hi: f64) -> String {
    let top = lo.abs().max(hi.abs());
    if top < 1e5 || !top.is_finite() {
        return crate::format::axis_tick(v, top);
    }
    if v == 0.0 {
        return "0".into();
    }
    let exp = top.log10().floor();
    let step = ((hi - lo).abs() / 10.0).max(top * 1e-6) / 10f64.powf(exp);
    let decimals = (-step.log10()).ceil().clamp(1.0, 5.0) as usize;
    let text = crate::format::sci(v, decimals);
    match text.split_once('e') {
        Some((mantissa, e)) if mantissa.contains('.') => {
            let m = mantissa.trim_end_matches('0').trim_end_matches('.');
            format!("{m}e{e}")
        }
        _ => text,
    }
}

/// A point label naming every parameter: `sizes=[16 16], sram_256KB.size=4194304` from the
/// parameter paths (`operational_array.sizes`, `memories.sram_256KB.size`; the leading
/// `operational_array.` / `memories.` is dropped) and the point's values.
pub fn parameter_label(paths: &[String], values: &[String]) -> String {
    let short =
        |p: &str| p.strip_prefix("operational_array.").or_else(|| p.strip_prefix("memories.")).unwrap_or(p).to_string();
    paths.iter().zip(values).map(|(p, v)| format!("{}={v}", short(p))).collect::<Vec<_>>().join(", ")
}

/// Area colour map: blue (small) over light yellow to red (large); `t` in `[0, 1]`.
fn area_colour(t: f64) -> RGBColor {
    const STOPS: [(f64, f64, f64); 5] =
        [(49.0, 54.0, 149.0), (116.0, 173.0, 209.0), (254.0, 224.0, 144.0), (244.0, 109.0, 67.0), (165.0, 0.0, 38.0)];
    let s = t.clamp(0.0, 1.0) * (STOPS.len() - 1) as f64;
    let i = (s.floor() as usize).min(STOPS.len() - 2);
    let f = s - i as f64;
    let (a, b) = (STOPS[i], STOPS[i + 1]);
    let m = |x: f64, y: f64| (x + (y - x) * f).round() as u8;
    RGBColor(m(a.0, b.0), m(a.1, b.1), m(a.2, b.2))
}

/// The legend corner whose quarter of the plot holds the fewest points (the chosen point
/// counts ten times), so that the legend covers as little as possible and never the choice
/// when another corner is free of it.
fn legend_corner(points: &[DesignPoint], chosen: Option<usize>, x: (f64, f64), y: (f64, f64)) -> SeriesLabelPosition {
    let corners = [
        (SeriesLabelPosition::UpperLeft, false, true),
        (SeriesLabelPosition::UpperRight, true, true),
        (SeriesLabelPosition::LowerRight, true, false),
        (SeriesLabelPosition::LowerLeft, false, false),
    ];
    let fx = |v: f64| (v - x.0) / (x.1 - x.0).max(f64::MIN_POSITIVE);
    let fy = |v: f64| (v - y.0) / (y.1 - y.0).max(f64::MIN_POSITIVE);
    let inside = |p: &DesignPoint, right: bool, upper: bool| {
        let (px, py) = (fx(p.latency), fy(p.energy));
        (if right { px > 0.5 } else { px < 0.5 }) && (if upper { py > 0.72 } else { py < 0.28 })
    };
    let cost = |right: bool, upper: bool| -> usize {
        points
            .iter()
            .enumerate()
            .filter(|(_, p)| inside(p, right, upper))
            .map(|(i, _)| if Some(i) == chosen { 10 } else { 1 })
            .sum()
    };
    corners.into_iter().min_by_key(|&(_, r, u)| cost(r, u)).map_or(SeriesLabelPosition::UpperLeft, |c| c.0)
}

/// Pixel width of the area colour bar strip right of the plot.
const COLOUR_BAR_W: u32 = 110;

fn draw<DB: DrawingBackend>(
    root: DrawingArea<DB, plotters::coord::Shift>,
    points: &[DesignPoint],
    chosen: Option<usize>,
    title: &str,
) -> Result<(), ReportError>
where
    DB::ErrorType: 'static,
{
    let err = |e: &dyn std::fmt::Display| ReportError::Plot(e.to_string());
    root.fill(&WHITE).map_err(|e| err(&e))?;
    let front = pareto_front(&points.iter().map(|p| (p.energy, p.latency)).collect::<Vec<_>>());
    let (mut xmin, mut xmax, mut ymin, mut ymax) = (f64::INFINITY, 0.0f64, f64::INFINITY, 0.0f64);
    for p in points {
        xmin = xmin.min(p.latency);
        xmax = xmax.max(p.latency);
        ymin = ymin.min(p.energy);
        ymax = ymax.max(p.energy);
    }
    if points.is_empty() {
        (xmin, xmax, ymin, ymax) = (0.0, 1.0, 0.0, 1.0);
    }
    let pad = |lo: f64, hi: f64| {
        let d = if hi > lo { (hi - lo) * 0.05 } else { hi.abs().max(1.0) * 0.05 };
        ((lo - d).max(0.0), hi + d)
    };
    let (x0, x1) = pad(xmin, xmax);
    let (y0, y1) = pad(ymin, ymax);
    let areas: Vec<f64> = points.iter().filter_map(|p| p.area).filter(|a| a.is_finite()).collect();
    let (amin, amax) = areas.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| (a.min(v), b.max(v)));
    let has_scale = amax > amin;
    let colour = |p: &DesignPoint| -> RGBColor {
        match p.area {
            Some(a) if has_scale => area_colour((a - amin) / (amax - amin)),
            _ => RGBColor(90, 120, 200),
        }
    };
    let (plot_area, bar_area) = if has_scale {
        let (w, _) = root.dim_in_pixel();
        root.split_horizontally(w.saturating_sub(COLOUR_BAR_W))
    } else {
        let (w, _) = root.dim_in_pixel();
        root.split_horizontally(w)
    };
    let mut chart = ChartBuilder::on(&plot_area)
        .caption(title, (FONT, 22))
        .margin(20)
        .x_label_area_size(50)
        .y_label_area_size(90)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(|e| err(&e))?;
    chart
        .configure_mesh()
        .x_desc("Latency (cycles)")
        .y_desc("Energy (pJ)")
        .label_style((FONT, 13))
        .axis_desc_style((FONT, 15))
        .x_label_formatter(&|v| tick(*v, x0, x1))
        .y_label_formatter(&|v| tick(*v, y0, y1))
        .light_line_style(RGBColor(245, 245, 245))
        .bold_line_style(RGBColor(215, 215, 215))
        .draw()
        .map_err(|e| err(&e))?;
    // Identical (energy, latency) points are drawn once and counted.
    let mut distinct: Vec<(f64, f64)> = points.iter().map(|p| (p.latency, p.energy)).collect();
    distinct.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    distinct.dedup();
    let label = match (has_scale, distinct.len() < points.len()) {
        (true, false) => "design point (colour: area, see the bar)".to_string(),
        (false, false) => "design point".to_string(),
        (a, true) => format!(
            "{} distinct of {} design points{}",
            distinct.len(),
            points.len(),
            if a { " (colour: area)" } else { "" }
        ),
    };
    chart
        .draw_series(points.iter().map(|p| Circle::new((p.latency, p.energy), 4, colour(p).filled())))
        .map_err(|e| err(&e))?
        .label(label)
        .legend(|(x, y)| Circle::new((x + 10, y), 4, RGBColor(90, 120, 200).filled()));
    let mut fp: Vec<(f64, f64)> =
        points.iter().zip(&front).filter(|(_, f)| **f).map(|(p, _)| (p.latency, p.energy)).collect();
    fp.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    fp.dedup();
    chart
        .draw_series(LineSeries::new(fp.iter().copied(), BLACK.stroke_width(2)))
        .map_err(|e| err(&e))?
        .label(format!("Pareto front ({} point{})", fp.len(), if fp.len() == 1 { "" } else { "s" }))
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLACK.stroke_width(2)));
    chart.draw_series(fp.iter().map(|&(x, y)| Circle::new((x, y), 6, BLACK.stroke_width(2)))).map_err(|e| err(&e))?;
    if let Some(c) = chosen.and_then(|c| points.get(c)) {
        chart
            .draw_series(std::iter::once(Cross::new((c.latency, c.energy), 9, RED.stroke_width(3))))
            .map_err(|e| err(&e))?
            .label(format!("chosen: {}", c.label))
            .legend(|(x, y)| Cross::new((x + 10, y), 6, RED.stroke_width(3)));
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.92))
        .border_style(BLACK)
        .label_font((FONT, 13))
        .position(legend_corner(points, chosen, (x0, x1), (y0, y1)))
        .draw()
        .map_err(|e| err(&e))?;
    if has_scale {
        draw_colour_bar(&bar_area, amin, amax).map_err(|e| err(&e))?;
    }
    root.present().map_err(|e| err(&e))?;
    Ok(())
}

/// The vertical area colour bar with its scale (min, middle, max) and title.
fn draw_colour_bar<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    amin: f64,
    amax: f64,
) -> Result<(), String> {
    use plotters::style::text_anchor::{HPos, Pos, VPos};
    let e = |x: DrawingAreaErrorKind<DB::ErrorType>| x.to_string();
    let (_, h) = area.dim_in_pixel();
    let (top, bottom, x) = (90i32, h as i32 - 90, 12i32);
    let steps = 60;
    for k in 0..steps {
        let y_hi = bottom - (bottom - top) * (k + 1) / steps;
        let y_lo = bottom - (bottom - top) * k / steps;
        let c = area_colour((k as f64 + 0.5) / steps as f64);
        area.draw(&Rectangle::new([(x, y_hi), (x + 18, y_lo)], c.filled())).map_err(e)?;
    }
    area.draw(&Rectangle::new([(x, top), (x + 18, bottom)], BLACK.stroke_width(1))).map_err(e)?;
    let text = TextStyle::from((FONT, 12).into_font()).pos(Pos::new(HPos::Left, VPos::Center));
    for f in [0.0, 0.5, 1.0] {
        let y = bottom - ((bottom - top) as f64 * f) as i32;
        area.draw(&PathElement::new(vec![(x + 18, y), (x + 22, y)], BLACK)).map_err(e)?;
        area.draw(&Text::new(tick(amin + f * (amax - amin), amin, amax), (x + 25, y), text.clone())).map_err(e)?;
    }
    let head = TextStyle::from((FONT, 13).into_font()).pos(Pos::new(HPos::Left, VPos::Bottom));
    area.draw(&Text::new("area", (x - 2, top - 8), head)).map_err(e)?;
    Ok(())
}

/// Writes the Pareto scatter plot; PNG or SVG by the file extension.
pub fn pareto_plot(
    points: &[DesignPoint],
    chosen: Option<usize>,
    title: &str,
    path: impl AsRef<Path>,
) -> Result<(), ReportError> {
    ensure_font()?;
    let path = path.as_ref();
    let size = (1100, 700);
    if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("svg")) {
        draw(SVGBackend::new(path, size).into_drawing_area(), points, chosen, title)
    } else {
        draw(BitMapBackend::new(path, size).into_drawing_area(), points, chosen, title)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_has_no_dominated_point_and_misses_none() {
        let pts: Vec<(f64, f64)> = (0..60).map(|i| (((i * 37) % 23) as f64, ((i * 11) % 17) as f64)).collect();
        let f = pareto_front(&pts);
        for (i, &a) in pts.iter().enumerate() {
            let dominated = pts.iter().any(|&b| b.0 <= a.0 && b.1 <= a.1 && (b.0 < a.0 || b.1 < a.1));
            assert_eq!(f[i], !dominated, "{a:?}");
        }
    }

    #[test]
    fn ticks_have_just_enough_digits() {
        assert_eq!(tick(5.8e7, 5.2e7, 5.85e7), "5.8e7");
        assert_eq!(tick(5.25e7, 5.2e7, 5.85e7), "5.25e7");
        assert_eq!(tick(1.5e6, 1.0e6, 5.2e6), "1.5e6");
        assert_eq!(tick(2.0e6, 1.0e6, 5.2e6), "2e6");
        assert_eq!(tick(0.0, 0.0, 5.2e6), "0");
        assert_eq!(tick(2000.0, 0.0, 1e4), "2,000");
        assert!(!tick(8.5e5, 8.2e5, 1.36e6).contains("000e"));
    }

    #[test]
    fn labels_name_parameters() {
        let paths = ["operational_array.sizes".to_string(), "memories.sram_256KB.size".to_string()];
        let values = ["[16 16]".to_string(), "4194304".to_string()];
        assert_eq!(parameter_label(&paths, &values), "sizes=[16 16], sram_256KB.size=4194304");
    }

    #[test]
    fn legend_avoids_the_chosen_point() {
        let p = |latency: f64, energy: f64| DesignPoint { label: String::new(), energy, latency, area: None };
        // Chosen point in the upper left; the other corners are empty.
        let pts = vec![p(0.0, 10.0), p(10.0, 0.0), p(5.0, 5.0)];
        let corner = legend_corner(&pts, Some(0), (0.0, 10.0), (0.0, 10.0));
        assert!(!matches!(corner, SeriesLabelPosition::UpperLeft));
        assert!(!matches!(corner, SeriesLabelPosition::LowerRight));
    }

    #[test]
    fn plot_is_written() {
        let pts: Vec<DesignPoint> = (0..20)
            .map(|i| DesignPoint {
                label: format!("p{i}"),
                energy: 100.0 + (i * 7 % 13) as f64,
                latency: 50.0 + (i * 5 % 11) as f64,
                area: Some(i as f64),
            })
            .collect();
        let p = std::env::temp_dir().join(format!("zz-pareto-{}.png", std::process::id()));
        pareto_plot(&pts, Some(3), "test", &p).unwrap();
        assert!(std::fs::metadata(&p).unwrap().len() > 1000);
    }
}
