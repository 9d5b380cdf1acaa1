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

/// Tick label with enough digits to tell neighbouring ticks apart on a narrow range.
fn tick(v: f64, lo: f64, hi: f64) -> String {
    if hi.abs() >= 1e5 && hi > lo && (hi - lo) < 0.5 * hi.abs() {
        if v == 0.0 { "0".into() } else { crate::format::sci(v, 3) }
    } else {
        crate::format::axis_tick(v, hi)
    }
}

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
    let areas: Vec<f64> = points.iter().filter_map(|p| p.area).collect();
    let (amin, amax) = areas.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| (a.min(v), b.max(v)));
    let colour = |p: &DesignPoint| -> RGBColor {
        match p.area {
            Some(a) if amax > amin => {
                let t = (a - amin) / (amax - amin);
                RGBColor((40.0 + 200.0 * t) as u8, (90.0 + 60.0 * (1.0 - t)) as u8, (220.0 - 180.0 * t) as u8)
            }
            _ => RGBColor(90, 120, 200),
        }
    };
    let mut chart = ChartBuilder::on(&root)
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
        .draw()
        .map_err(|e| err(&e))?;
    chart
        .draw_series(points.iter().map(|p| Circle::new((p.latency, p.energy), 3, colour(p).filled())))
        .map_err(|e| err(&e))?
        .label(if areas.is_empty() { "design point" } else { "design point (colour: area, blue small → red large)" })
        .legend(|(x, y)| Circle::new((x + 10, y), 4, RGBColor(90, 120, 200).filled()));
    let mut fp: Vec<(f64, f64)> =
        points.iter().zip(&front).filter(|(_, f)| **f).map(|(p, _)| (p.latency, p.energy)).collect();
    fp.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    chart
        .draw_series(LineSeries::new(fp.iter().copied(), BLACK.stroke_width(2)))
        .map_err(|e| err(&e))?
        .label("Pareto front")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLACK.stroke_width(2)));
    chart.draw_series(fp.iter().map(|&(x, y)| Circle::new((x, y), 5, BLACK.stroke_width(2)))).map_err(|e| err(&e))?;
    if let Some(c) = chosen.and_then(|c| points.get(c)) {
        chart
            .draw_series(std::iter::once(Cross::new((c.latency, c.energy), 9, RED.stroke_width(3))))
            .map_err(|e| err(&e))?
            .label(format!("chosen: {}", c.label))
            .legend(|(x, y)| Cross::new((x + 10, y), 6, RED.stroke_width(3)));
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .label_font((FONT, 13))
        .position(SeriesLabelPosition::UpperLeft)
        .draw()
        .map_err(|e| err(&e))?;
    root.present().map_err(|e| err(&e))?;
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
    let size = (1000, 700);
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
