//! Per-layer energy and latency breakdown bar charts (PNG and SVG), after
//! ZigZag's `bar_plot_cost_model_evaluations_breakdown`.
//!
//! Top panel, per layer: a black `MAC` bar and one bar per memory (all
//! memories of the run, lowest level first), stacked by operand (colour) and
//! data direction (shade; energy known only per level is drawn lighter).
//! Bottom panel, per layer: latency stacked as ideal computation
//! (`ideal_cycle`), spatial stall (`ideal_temporal_cycle - ideal_cycle`),
//! temporal stall (`latency_total0 - ideal_temporal_cycle`), data on-loading
//! (`latency_total1 - latency_total0`) and off-loading
//! (`latency_total2 - latency_total1`). Text uses an embedded DejaVu Sans, so
//! no system fonts are needed.

pub(crate) mod data;
mod draw;
pub(crate) mod style;

use std::path::Path;

use plotters::prelude::*;

pub use data::{Breakdown, LATENCY_SECTIONS, latency_sections, short_layer_name};

use crate::error::ReportError;
use crate::model::RunReport;

/// Rows whose `operator_type` is `design` stand for whole designs (`zigzag-rs compare`), not layers.
fn is_design_comparison(report: &RunReport) -> bool {
    !report.layers.is_empty() && report.layers.iter().all(|l| l.operator_type == "design")
}

fn title(report: &RunReport) -> String {
    if is_design_comparison(report) {
        format!("Energy and latency per design: {}", report.workload)
    } else {
        format!("Energy and latency per layer: {} on {}", report.workload, report.accelerator)
    }
}

fn layout(b: &Breakdown, report: &RunReport) -> draw::Layout {
    let mut l = draw::Layout::new(b);
    if is_design_comparison(report) {
        l.group_label = "Design";
    }
    l
}

/// Writes the breakdown figure as a PNG to `path` (which should end in `.png`;
/// the encoder is chosen from the extension). Width grows with the layer count.
pub fn bar_chart_breakdown(report: &RunReport, path: impl AsRef<Path>) -> Result<(), ReportError> {
    style::ensure_font()?;
    let b = Breakdown::from_report(report);
    let layout = layout(&b, report);
    let root = BitMapBackend::new(path.as_ref(), (layout.width, layout.height)).into_drawing_area();
    draw::draw_figure(&root, &b, &title(report), &layout).map_err(ReportError::Plot)?;
    root.present().map_err(|e| ReportError::Plot(e.to_string()))
}

/// Writes the breakdown figure as an SVG to `path`.
pub fn bar_chart_breakdown_svg(report: &RunReport, path: impl AsRef<Path>) -> Result<(), ReportError> {
    let svg = bar_chart_breakdown_svg_string(report)?;
    std::fs::write(path, svg)?;
    Ok(())
}

/// The breakdown figure as an SVG document.
pub fn bar_chart_breakdown_svg_string(report: &RunReport) -> Result<String, ReportError> {
    style::ensure_font()?;
    let b = Breakdown::from_report(report);
    let layout = layout(&b, report);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (layout.width, layout.height)).into_drawing_area();
        draw::draw_figure(&root, &b, &title(report), &layout).map_err(ReportError::Plot)?;
        root.present().map_err(|e| ReportError::Plot(e.to_string()))?;
    }
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{gemm_layer, gemm_report, temp_path};

    fn three_layers() -> RunReport {
        let mut layers = Vec::new();
        for (i, name) in ["layer1/layer1.0/conv1/Conv", "layer1/layer1.0/conv2/Conv", "fc"].iter().enumerate() {
            let mut l = gemm_layer();
            l.id = i;
            l.name = name.to_string();
            l.mac_energy *= 1.0 + i as f64;
            l.energy = l.mac_energy + l.mem_energy;
            l.latency_total2 += 1000.0 * i as f64;
            l.latency = l.latency_total2;
            layers.push(l);
        }
        RunReport::new("tpu_like", "resnet_snippet", layers)
    }

    #[test]
    fn writes_png_and_svg() {
        for (name, report) in [("one", gemm_report()), ("three", three_layers())] {
            let png = temp_path(&format!("breakdown_{name}.png"));
            bar_chart_breakdown(&report, &png).unwrap();
            let bytes = std::fs::read(&png).unwrap();
            assert!(bytes.len() > 1000, "{}", bytes.len());
            assert_eq!(&bytes[1..4], b"PNG");
            let svg = temp_path(&format!("breakdown_{name}.svg"));
            bar_chart_breakdown_svg(&report, &svg).unwrap();
            let text = std::fs::read_to_string(&svg).unwrap();
            assert!(text.contains("<svg"));
            assert!(text.contains("Energy (pJ)"));
            assert!(text.contains("Latency (cycles)"));
            assert!(text.contains("rd_out_to_low"));
            if std::env::var_os("ZZ_REPORT_KEEP_PLOTS").is_none() {
                std::fs::remove_file(&png).ok();
                std::fs::remove_file(&svg).ok();
            }
        }
    }

    #[test]
    fn empty_report_plots_without_panicking() {
        let r = RunReport::new("a", "w", vec![]);
        let png = temp_path("breakdown_empty.png");
        bar_chart_breakdown(&r, &png).unwrap();
        assert!(std::fs::metadata(&png).unwrap().len() > 0);
        std::fs::remove_file(&png).ok();
        assert!(bar_chart_breakdown_svg_string(&r).unwrap().contains("no layers to plot"));
    }
}
