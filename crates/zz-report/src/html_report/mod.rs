//! One-file HTML reports of `map`, `compare` and `sweep` (`report.html`): self-contained and
//! offline like the Gantt chart (inline CSS, JavaScript and SVG, a Content-Security-Policy that
//! forbids every network load).
//!
//! * [`run_report_html`]: totals, the per-layer table (sortable), an interactive energy /
//!   latency breakdown per layer, every layer's loop nest and the memory-hierarchy diagram;
//! * [`compare_report_html`]: the designs side by side (table, breakdown per design), then per
//!   design its totals, layers, breakdown, hierarchy and loop nests;
//! * [`sweep_report_html`]: every design point (sortable table naming each parameter), an
//!   interactive latency–energy scatter plot (area as colour with a colour bar, Pareto front,
//!   chosen point), and optionally the base accelerator's hierarchy and the chosen point's
//!   full report.
//!
//! Each has a `write_*` twin that writes the file. The page's script and its check markers are
//! described in [`assets`].

mod assets;
mod data;
mod sections;

use std::fmt::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::error::ReportError;
use crate::format::{cycles, sci, thousands};
use crate::hierarchy::MemoryHierarchy;
use crate::model::RunReport;
use crate::stream::html::escape;
use data::{BarGroup, finite, layer_groups, page_data};
use sections::{chart, head, hierarchy, layer_table, loop_nests, num_cell, text_cell, totals_table};

/// One design of a `compare` run.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CompareDesign {
    /// Display label (accelerator name, numbered when repeated).
    pub label: String,
    /// The design's result.
    pub report: RunReport,
    /// The design's memory hierarchy, when known.
    pub hierarchy: Option<MemoryHierarchy>,
    /// Area (the `compare` table's), when known.
    pub area: Option<f64>,
    /// Whether the design meets the constraints.
    pub feasible: bool,
    /// Rank under the objective (1 = best), `None` when infeasible.
    pub rank: Option<usize>,
}

/// The design points of a `sweep` run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SweepReport {
    /// Workload name.
    pub workload: String,
    /// Base accelerator name.
    pub accelerator: String,
    /// The swept parameters' paths, e.g. `memories.sram_256KB.size`.
    pub parameters: Vec<String>,
    /// Unit of the areas (the accelerator file's; `mm²` for IMC arrays).
    pub area_unit: String,
    /// Every point, in evaluation order.
    pub points: Vec<SweepPoint>,
    /// Index of the chosen point (lowest EDP on the front).
    pub best: Option<usize>,
}

/// One design point of a sweep.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SweepPoint {
    /// One value per [`SweepReport::parameters`] entry, as text.
    pub values: Vec<String>,
    /// Energy, pJ.
    pub energy: f64,
    /// Latency, cycles.
    pub latency: f64,
    /// Area, when known.
    pub area: Option<f64>,
    /// On-chip memory, bits.
    pub onchip_memory_bits: f64,
    /// Whether the point meets the constraints (and evaluated without error).
    pub feasible: bool,
    /// Whether the point is on the energy–latency Pareto front.
    pub pareto: bool,
    /// Why the point failed, if it did.
    pub error: Option<String>,
}

/// The page around `body`: head with CSP, error hook and style; the data block; the script.
fn page(title: &str, subtitle: &str, body: &str, data: &Value) -> Result<String, ReportError> {
    // `<` only occurs inside JSON strings, where `\u003c` is equivalent: no `</script>` can end
    // the data block early.
    let data = serde_json::to_string(data)?.replace('<', "\\u003c");
    let mut h = String::with_capacity(body.len() + data.len() + assets::SCRIPT.len() + 4096);
    h.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    h.push_str(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:\">\n",
    );
    h.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(h, "<title>{}</title>", escape(title));
    h.push_str(
        "<script>window.addEventListener(\"error\", function (e) { \
         document.documentElement.setAttribute(\"data-error\", String(e.message)); });</script>\n",
    );
    let _ = writeln!(h, "<style>{}</style>\n</head>\n<body data-ok=\"0\">", assets::STYLE);
    let _ = writeln!(h, "<h1>{}</h1>\n<div class=\"sub\">{}</div>", escape(title), escape(subtitle));
    h.push_str(body);
    h.push_str("<div id=\"tip\"></div>\n<noscript>The charts need JavaScript; the tables do not.</noscript>\n");
    let _ = write!(h, "<script type=\"application/json\" id=\"zz-data\">{data}</script>\n<script>");
    h.push_str(assets::SCRIPT);
    h.push_str("</script>\n</body>\n</html>\n");
    Ok(h)
}

/// Sections of one run: totals, breakdown chart `chart_id`, layers, hierarchy, loop nests.
fn run_sections(r: &RunReport, h: Option<&MemoryHierarchy>, chart_id: &str, level: u8) -> String {
    let hn = |t: &str| format!("<h{level}>{}</h{level}>\n", escape(t));
    let mut s = String::new();
    s.push_str(&hn("Totals"));
    s.push_str(&totals_table(r));
    s.push_str(&hn("Energy and latency per layer"));
    s.push_str(
        "<p class=\"note\">Buttons switch the breakdown; hover a segment for its value and share; click a legend \
         entry to hide or show it.</p>\n",
    );
    s.push_str(&chart(chart_id));
    s.push_str(&hn("Layers"));
    s.push_str("<p class=\"note\">Click a column heading to sort.</p>\n");
    s.push_str(&layer_table(r));
    if let Some(h) = h {
        s.push_str(&hn(&format!("Memory hierarchy of {}", h.accelerator)));
        s.push_str(&hierarchy(h, Some(r)));
    }
    s.push_str(&hn("Loop nests"));
    s.push_str(&loop_nests(r));
    s
}

/// The `map` report: totals, per-layer table and breakdown, loop nests, memory hierarchy.
pub fn run_report_html(report: &RunReport, hierarchy: Option<&MemoryHierarchy>) -> Result<String, ReportError> {
    let title = format!("{} on {}", report.workload, report.accelerator);
    let subtitle = format!(
        "{} layers · energy {} pJ · latency {} cycles · zigzag-rs map",
        report.layers.len(),
        thousands(report.energy, 1),
        cycles(report.latency)
    );
    let body = run_sections(report, hierarchy, "layers", 2);
    page(&title, &subtitle, &body, &page_data(&[("layers".into(), layer_groups(report))], None))
}

/// Writes [`run_report_html`] to `path`.
pub fn write_run_report_html(
    report: &RunReport,
    hierarchy: Option<&MemoryHierarchy>,
    path: impl AsRef<Path>,
) -> Result<(), ReportError> {
    std::fs::write(path, run_report_html(report, hierarchy)?)?;
    Ok(())
}

/// The `compare` report: a side-by-side table and breakdown of the designs, then each design.
pub fn compare_report_html(workload: &str, designs: &[CompareDesign]) -> Result<String, ReportError> {
    let title = format!("Designs compared on {workload}");
    let subtitle = format!("{} designs · zigzag-rs compare", designs.len());
    let mut body = String::from("<h2>Designs</h2>\n<table class=\"sortable designs\">");
    body.push_str(&head(&[
        "#",
        "Design",
        "Energy [pJ]",
        "Latency [cycles]",
        "EDP [pJ·cycles]",
        "MAC util",
        "Area",
        "Rank",
    ]));
    body.push_str("<tbody>");
    for (k, d) in designs.iter().enumerate() {
        let r = &d.report;
        let _ = write!(body, "<tr{}>", if d.feasible { "" } else { " class=\"infeasible\"" });
        body.push_str(&num_cell(&(k + 1).to_string(), k as f64));
        body.push_str(&format!("<td><a href=\"#design-{k}\">{}</a></td>", escape(&d.label)));
        body.push_str(&num_cell(&thousands(r.energy, 1), r.energy));
        body.push_str(&num_cell(&cycles(r.latency), r.latency));
        body.push_str(&num_cell(&sci(r.energy * r.latency, 3), r.energy * r.latency));
        body.push_str(&num_cell(&crate::format::percent(r.totals.mac_utilization2), r.totals.mac_utilization2));
        match d.area {
            Some(a) => body.push_str(&num_cell(&thousands(a, 1), a)),
            None => body.push_str(&text_cell("-")),
        }
        match d.rank {
            Some(x) => body.push_str(&num_cell(&x.to_string(), x as f64)),
            None => body.push_str(&num_cell("infeasible", f64::MAX)),
        }
        body.push_str("</tr>");
    }
    body.push_str("</tbody></table>\n<h2>Energy and latency per design</h2>\n");
    body.push_str(&chart("designs"));
    let mut design_groups: Vec<BarGroup> =
        designs.iter().map(|d| BarGroup::of_run(d.label.clone(), &d.report)).collect();
    data::order_memories(&mut design_groups, designs.iter().map(|d| &d.report));
    let mut charts = vec![("designs".to_string(), design_groups)];
    for (k, d) in designs.iter().enumerate() {
        let _ = writeln!(body, "<h2 id=\"design-{k}\">{}: {}</h2>", k + 1, escape(&d.label));
        let id = format!("design-{k}");
        body.push_str(&run_sections(&d.report, d.hierarchy.as_ref(), &id, 3));
        charts.push((id, layer_groups(&d.report)));
    }
    page(&title, &subtitle, &body, &page_data(&charts, None))
}

/// Writes [`compare_report_html`] to `path`.
pub fn write_compare_report_html(
    workload: &str,
    designs: &[CompareDesign],
    path: impl AsRef<Path>,
) -> Result<(), ReportError> {
    std::fs::write(path, compare_report_html(workload, designs)?)?;
    Ok(())
}

/// The `sweep` report: the scatter plot and table of every point; the base accelerator's
/// hierarchy and the chosen point's full report when given.
pub fn sweep_report_html(
    sweep: &SweepReport,
    base_hierarchy: Option<&MemoryHierarchy>,
    chosen: Option<&RunReport>,
) -> Result<String, ReportError> {
    let feasible = sweep.points.iter().filter(|p| p.feasible).count();
    let front = sweep.points.iter().filter(|p| p.pareto).count();
    let title = format!("Sweep of {} on {}", sweep.accelerator, sweep.workload);
    let subtitle = format!(
        "{} design points · {feasible} feasible · {front} on the Pareto front · zigzag-rs sweep",
        sweep.points.len()
    );
    let area_unit = sweep.area_unit.clone();
    let mut body = String::from("<h2>Latency and energy of every feasible point</h2>\n");
    body.push_str(
        "<p class=\"note\">Colour: area. Black outline and line: the Pareto front. Red cross: the chosen point \
         (lowest EDP on the front). Hover a point for its parameters; click it to find it in the table.</p>\n\
         <div id=\"scatter\"></div>\n<h2>Design points</h2>\n<table class=\"sortable points\">",
    );
    let mut heads: Vec<String> = vec!["Point".into()];
    heads.extend(sweep.parameters.iter().cloned());
    for h in ["Energy [pJ]", "Latency [cycles]", "EDP [pJ·cycles]"] {
        heads.push(h.into());
    }
    heads.push(if area_unit.is_empty() { "Area".to_string() } else { format!("Area [{area_unit}]") });
    heads.extend(["On-chip memory".to_string(), "Feasible".into(), "Pareto".into(), "Error".into()]);
    body.push_str(&head(&heads.iter().map(String::as_str).collect::<Vec<_>>()));
    body.push_str("<tbody>");
    for (k, p) in sweep.points.iter().enumerate() {
        let class = if sweep.best == Some(k) {
            " class=\"hl\""
        } else if !p.feasible {
            " class=\"infeasible\""
        } else {
            ""
        };
        let _ = write!(body, "<tr id=\"point-{k}\"{class}>");
        body.push_str(&num_cell(&k.to_string(), k as f64));
        for v in &p.values {
            body.push_str(&text_cell(v));
        }
        body.push_str(&num_cell(&thousands(p.energy, 1), p.energy));
        body.push_str(&num_cell(&cycles(p.latency), p.latency));
        body.push_str(&num_cell(&sci(p.energy * p.latency, 3), p.energy * p.latency));
        match p.area {
            Some(a) => body.push_str(&num_cell(&thousands(a, 3), a)),
            None => body.push_str(&text_cell("-")),
        }
        body.push_str(&num_cell(&crate::stream::human_bits(p.onchip_memory_bits), p.onchip_memory_bits));
        body.push_str(&text_cell(if p.feasible { "yes" } else { "no" }));
        body.push_str(&text_cell(if p.pareto { "yes" } else { "" }));
        body.push_str(&text_cell(p.error.as_deref().unwrap_or("")));
        body.push_str("</tr>");
    }
    body.push_str("</tbody></table>\n");
    let mut charts = Vec::new();
    if let Some(h) = base_hierarchy {
        body.push_str(&format!("<h2>Memory hierarchy of the base accelerator {}</h2>\n", escape(&h.accelerator)));
        body.push_str(&hierarchy(h, chosen));
    }
    if let Some(r) = chosen {
        let k = sweep.best.map_or(String::new(), |b| format!(" (point {b})"));
        body.push_str(&format!("<h2>The chosen point{k}</h2>\n"));
        body.push_str(&run_sections(r, None, "chosen", 3));
        charts.push(("chosen".to_string(), layer_groups(r)));
    }
    let points: Vec<Value> = sweep
        .points
        .iter()
        .enumerate()
        .map(|(k, p)| {
            json!({"index": k, "values": p.values, "energy": finite(p.energy), "latency": finite(p.latency),
                   "area": p.area.filter(|a| a.is_finite()), "feasible": p.feasible && p.energy.is_finite()
                   && p.latency.is_finite(), "pareto": p.pareto})
        })
        .collect();
    let sweep_data = json!({"parameters": sweep.parameters, "points": points, "best": sweep.best,
                            "area_unit": area_unit});
    page(&title, &subtitle, &body, &page_data(&charts, Some(sweep_data)))
}

/// Writes [`sweep_report_html`] to `path`.
pub fn write_sweep_report_html(
    sweep: &SweepReport,
    base_hierarchy: Option<&MemoryHierarchy>,
    chosen: Option<&RunReport>,
    path: impl AsRef<Path>,
) -> Result<(), ReportError> {
    std::fs::write(path, sweep_report_html(sweep, base_hierarchy, chosen)?)?;
    Ok(())
}

#[cfg(test)]
mod tests;
