//! HTML fragments shared by the reports: the totals table, the per-layer table, a chart
//! placeholder, the loop nests and the memory-hierarchy diagram.

use std::fmt::Write;

use crate::format::{cycles, percent, sci, thousands};
use crate::hierarchy::{MemoryHierarchy, hierarchy_svg};
use crate::loop_nest::loop_nest_table;
use crate::model::RunReport;
use crate::stream::html::escape;

use super::data::finite;

/// A numeric table cell: `text` shown, `v` the sort key.
pub(crate) fn num_cell(text: &str, v: f64) -> String {
    format!("<td class=\"n\" data-v=\"{}\">{}</td>", finite(v), escape(text))
}

/// A text cell.
pub(crate) fn text_cell(text: &str) -> String {
    format!("<td>{}</td>", escape(text))
}

/// A `<thead>` row of `headings`.
pub(crate) fn head(headings: &[&str]) -> String {
    let cells: String = headings.iter().map(|h| format!("<th>{}</th>", escape(h))).collect();
    format!("<thead><tr>{cells}</tr></thead>")
}

/// Totals of a run as a two-column table (every value with its unit).
pub(crate) fn totals_table(r: &RunReport) -> String {
    let t = &r.totals;
    let mut rows: Vec<(&str, String)> = vec![
        ("Energy", format!("{} pJ ({} µJ)", thousands(r.energy, 1), thousands(r.energy / 1e6, 3))),
        ("MAC energy", format!("{} pJ", thousands(t.mac_energy, 1))),
        ("Memory energy", format!("{} pJ", thousands(t.mem_energy, 1))),
        ("Latency", format!("{} cycles", cycles(r.latency))),
        (
            "Latency split",
            format!(
                "computation {} + on-loading {} + off-loading {} cycles",
                cycles(t.latency_total0),
                cycles(t.latency_total1 - t.latency_total0),
                cycles(t.latency_total2 - t.latency_total1)
            ),
        ),
        ("EDP", format!("{} pJ·cycles", sci(r.energy * r.latency, 3))),
        (
            "MAC utilisation",
            format!(
                "{} overall, {} spatial, {} without on/off-loading",
                percent(t.mac_utilization2),
                percent(t.mac_spatial_utilization),
                percent(t.mac_utilization0)
            ),
        ),
        (
            "Mappings evaluated",
            format!(
                "{} spatial, {} temporal",
                thousands(t.spatial_mappings_evaluated as f64, 0),
                thousands(t.temporal_mappings_evaluated as f64, 0)
            ),
        ),
    ];
    if let Some(tclk) = r.tclk {
        rows.push(("Clock period (IMC)", format!("{} ns", thousands(tclk, 5))));
    }
    if let Some(area) = r.area {
        rows.push(("Area (IMC)", format!("{} mm²", thousands(area, 6))));
    }
    let mut s = String::from("<table class=\"totals\"><tbody>");
    for (k, v) in rows {
        let _ = write!(s, "<tr><td>{}</td><td>{}</td></tr>", escape(k), escape(&v));
    }
    s.push_str("</tbody></table>\n");
    s
}

/// The per-layer table of a run (sortable).
pub(crate) fn layer_table(r: &RunReport) -> String {
    let mut s = String::from("<table class=\"sortable layers\">");
    s.push_str(&head(&[
        "#",
        "Layer",
        "Type",
        "Energy [pJ]",
        "MAC energy [pJ]",
        "Memory energy [pJ]",
        "Latency [cycles]",
        "MAC util",
        "Spatial mapping",
    ]));
    s.push_str("<tbody>");
    for l in &r.layers {
        s.push_str("<tr>");
        s.push_str(&num_cell(&l.id.to_string(), l.id as f64));
        s.push_str(&text_cell(&l.name));
        s.push_str(&text_cell(&l.operator_type));
        s.push_str(&num_cell(&thousands(l.energy, 1), l.energy));
        s.push_str(&num_cell(&thousands(l.mac_energy, 1), l.mac_energy));
        s.push_str(&num_cell(&thousands(l.mem_energy, 1), l.mem_energy));
        s.push_str(&num_cell(&cycles(l.latency), l.latency));
        s.push_str(&num_cell(&percent(l.mac_utilization2), l.mac_utilization2));
        s.push_str(&text_cell(&l.spatial_mapping_short()));
        s.push_str("</tr>");
    }
    s.push_str("</tbody></table>\n");
    s
}

/// A placeholder the script fills with the interactive chart of `charts[id]`.
pub(crate) fn chart(id: &str) -> String {
    format!("<div class=\"chart\" data-chart=\"{}\"></div>\n", escape(id))
}

/// One collapsible loop-nest table per layer (ZigZag's `print_mapping`).
pub(crate) fn loop_nests(r: &RunReport) -> String {
    let mut s = String::new();
    for l in &r.layers {
        let _ = writeln!(
            s,
            "<details><summary>{}: {} ({})</summary><pre>{}</pre></details>",
            l.id,
            escape(&l.name),
            escape(&l.operator_type),
            escape(&loop_nest_table(l))
        );
    }
    if r.layers.is_empty() {
        s.push_str("<p class=\"note\">no layers</p>\n");
    }
    s
}

/// The memory-hierarchy diagram, with the layer operands each memory operand stands for
/// (from the first layer of `r` that links them).
pub(crate) fn hierarchy(h: &MemoryHierarchy, r: Option<&RunReport>) -> String {
    let mut names: Vec<(String, String)> = Vec::new();
    for l in r.into_iter().flat_map(|r| &r.layers) {
        for (layer_op, mem_op) in l.memory_operand_links.iter() {
            let pair = (mem_op.clone(), layer_op.to_string());
            if !names.contains(&pair) {
                names.push(pair);
            }
        }
    }
    format!(
        "<div class=\"hier\">{}</div>\n<p class=\"note\">One column per memory operand, the MAC array at the \
         bottom, each operand's memory levels above it (lowest first). Sizes per instance; bandwidths in bits per \
         cycle; read/write costs in pJ per word of the port's maximum width; direction codes: tl = read towards \
         the lower level, fl = written from the lower level, th = read towards the higher level, fh = written \
         from the higher level. Hover a memory for its details.</p>\n",
        hierarchy_svg(h, &names)
    )
}
