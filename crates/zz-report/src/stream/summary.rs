//! Human-readable terminal summary of a [`StreamReport`]: totals, the energy buckets, one row
//! per core (utilisation, peak memory) and the CN / transfer counts.

use std::fmt::Write;

use super::model::StreamReport;
use crate::format::{cycles, percent, sci, thousands};

/// Renders `rows` (first row = header) as columns separated by two spaces, with a dashed rule
/// under the header; `right[c]` right-aligns column `c`. Trailing spaces are trimmed.
fn table(rows: &[Vec<String>], right: &[bool]) -> String {
    let mut widths = vec![0usize; right.len()];
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for (r, row) in rows.iter().enumerate() {
        let mut line = String::from("  ");
        for (c, cell) in row.iter().enumerate().take(right.len()) {
            if c > 0 {
                line.push_str("  ");
            }
            let pad = " ".repeat(widths[c] - cell.chars().count());
            if right[c] {
                line.push_str(&pad);
                line.push_str(cell);
            } else {
                line.push_str(cell);
                line.push_str(&pad);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
        if r == 0 {
            let total = widths.iter().sum::<usize>() + 2 * right.len().saturating_sub(1);
            out.push_str("  ");
            out.push_str(&"-".repeat(total));
            out.push('\n');
        }
    }
    out
}

/// A size in bits as bytes with a binary unit: `human_bits(8.0 * 1536.0) == "1.5 KiB"`.
pub fn human_bits(bits: f64) -> String {
    let bytes = bits / 8.0;
    let units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = bytes;
    let mut u = 0;
    while v.abs() >= 1024.0 && u + 1 < units.len() {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 { format!("{} B", thousands(v, 0)) } else { format!("{v:.1} {}", units[u]) }
}

/// `part / whole` as a percentage, or `-` when `whole` is not positive.
fn share(part: f64, whole: f64) -> String {
    if whole > 0.0 && whole.is_finite() { percent(part / whole) } else { "-".into() }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `7 cores, 1 bus (the bus replaces the 12 point-to-point links)`.
fn connectivity(report: &StreamReport) -> String {
    let buses = report.links.iter().filter(|l| l.name.starts_with("bus")).count();
    let p2p = report.links.len() - buses;
    let mut parts = vec![plural(report.cores.len(), "core", "cores")];
    if p2p > 0 || buses == 0 {
        parts.push(plural(p2p, "link", "links"));
    }
    if buses > 0 {
        parts.push(plural(buses, "bus", "buses"));
    }
    let mut s = parts.join(", ");
    if report.replaced_links > 0 {
        let subject = if buses == 1 { "the bus replaces" } else { "the buses replace" };
        s.push_str(&format!(
            " ({subject} the {})",
            plural(report.replaced_links, "point-to-point link", "point-to-point links")
        ));
    }
    s
}

/// A multi-line summary for the terminal (ends with a newline).
///
/// Energies are in pJ with thousands separators (total also in µJ), times in cycles, memory
/// sizes in bytes (binary units).
pub fn stream_summary(report: &StreamReport) -> String {
    let mut s = String::new();
    // `write!` into a String cannot fail.
    let _ = writeln!(s, "Accelerator: {}: {}", report.accelerator, connectivity(report));
    let layers = report.layers().len();
    let _ = writeln!(
        s,
        "Workload:    {} ({layers} layer{}, {} CNs)",
        report.workload,
        if layers == 1 { "" } else { "s" },
        thousands(report.cns.len() as f64, 0)
    );
    if !report.mode.is_empty() {
        let _ = writeln!(s, "Mode:        {}", report.mode);
    }
    let _ = writeln!(s, "Latency:     {} cycles", cycles(report.latency));
    let _ = writeln!(
        s,
        "Energy:      {} pJ ({} µJ)  EDP {} pJ·cycles",
        thousands(report.energy, 1),
        thousands(report.energy / 1e6, 3),
        sci(report.energy * report.latency, 3)
    );
    let mut causes: Vec<(String, usize, f64)> = Vec::new();
    for t in &report.transfers {
        match causes.iter_mut().find(|c| c.0 == t.cause) {
            Some(c) => {
                c.1 += 1;
                c.2 += t.bits;
            }
            None => causes.push((t.cause.clone(), 1, t.bits)),
        }
    }
    let total_bits: f64 = report.transfers.iter().map(|t| t.bits).sum();
    let mut line =
        format!("Transfers:   {} ({} moved)", thousands(report.transfers.len() as f64, 0), human_bits(total_bits));
    if !causes.is_empty() {
        let parts: Vec<String> = causes
            .iter()
            .map(|(c, n, _)| format!("{} {}", if c.is_empty() { "-" } else { c }, thousands(*n as f64, 0)))
            .collect();
        line.push_str(&format!("  [{}]", parts.join(", ")));
    }
    let _ = writeln!(s, "{line}");
    if let Some(t) = &report.temporal_search {
        let proof = if t.stopped > 0 {
            format!("{} stopped by the time limit (best found, not proven)", thousands(t.stopped as f64, 0))
        } else {
            "every one proven optimal".to_string()
        };
        let _ = writeln!(
            s,
            "Per-CN search: {} engine, {} searches ({} CN-core evaluations): {} orderings, {} evaluated, {proof}{}",
            t.engine,
            thousands(t.spatial_mappings as f64, 0),
            thousands(t.evaluations as f64, 0),
            sci(t.orderings, 3),
            thousands(t.evaluated as f64, 0),
            if t.inexact_ties > 0 {
                format!("; {} ties broken in tree order", thousands(t.inexact_ties as f64, 0))
            } else {
                String::new()
            }
        );
    }

    if !report.energy_buckets.is_empty() {
        s.push('\n');
        let bucket_total: f64 = report.energy_buckets.values().sum();
        let whole = if report.energy > 0.0 { report.energy } else { bucket_total };
        let mut rows = vec![vec!["Energy bucket".to_string(), "Energy [pJ]".into(), "Share".into()]];
        for (name, &e) in report.energy_buckets.iter() {
            rows.push(vec![name.to_string(), thousands(e, 1), share(e, whole)]);
        }
        s.push_str(&table(&rows, &[false, true, true]));
    }

    s.push('\n');
    if report.cores.is_empty() {
        s.push_str("  (no cores)\n");
        return s;
    }
    let mut rows = vec![
        ["Core", "Name", "Kind", "CNs", "Busy [cycles]", "Util", "Peak memory", "Capacity", "Peak/cap"]
            .iter()
            .map(|h| h.to_string())
            .collect::<Vec<_>>(),
    ];
    for c in &report.cores {
        let n = report.cns.iter().filter(|cn| cn.core == c.id).count();
        rows.push(vec![
            c.id.to_string(),
            c.name.clone(),
            c.kind.clone(),
            thousands(n as f64, 0),
            cycles(c.busy_cycles),
            percent(c.utilization),
            human_bits(c.peak_memory_bits),
            human_bits(c.memory_capacity_bits),
            share(c.peak_memory_bits, c.memory_capacity_bits),
        ]);
    }
    s.push_str(&table(&rows, &[true, false, false, true, true, true, true, true, true]));
    if let Some(note) = empty_memory_note(report) {
        s.push_str(&note);
    }
    if let Some(note) = unsplit_note(report) {
        s.push_str(&note);
    }
    s
}

/// A note when CNs fetched a whole input tensor from another core because the slice they need
/// could not be cut from DRAM (the reference stops with an AssertionError on such schedules).
fn unsplit_note(report: &StreamReport) -> Option<String> {
    let n = report.unsplit_on_chip_inputs.len();
    let first = report.unsplit_on_chip_inputs.first()?;
    Some(format!(
        "  Beyond the reference: {} needed a slice of a tensor held only on another core (first: {first}); \
         the whole tensor was fetched from that core (Stream 21e5ad80 cuts slices only from DRAM and stops \
         with an AssertionError here). JSON: `unsplit_on_chip_inputs`.\n",
        plural(n, "CN", "CNs")
    ))
}

/// A note under the core table when cores that ran CNs show a peak memory of 0 B, saying what
/// that means (their top memory's usage timeline never rises above 0 B: the schedule kept no
/// tensor there), so that `0 B` does not read as a missing value.
fn empty_memory_note(report: &StreamReport) -> Option<String> {
    let empty: Vec<String> = report
        .cores
        .iter()
        .filter(|c| c.kind != "offchip" && c.peak_memory_bits == 0.0 && report.cns.iter().any(|cn| cn.core == c.id))
        .map(|c| c.name.clone())
        .collect();
    if empty.is_empty() {
        return None;
    }
    Some(format!(
        "  Peak memory 0 B ({}): the schedule kept no tensor in {} top memory (its usage timeline stays at 0 B).\n",
        empty.join(", "),
        if empty.len() == 1 { "that core's" } else { "these cores'" }
    ))
}
