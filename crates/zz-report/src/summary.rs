//! Human-readable terminal summary of a [`RunReport`]: header, totals, and one
//! aligned table row per layer.

use std::fmt::Write;

use crate::format::{cycles, percent, thousands};
use crate::model::RunReport;

/// Column alignment in [`table`].
#[derive(Clone, Copy)]
enum Align {
    Left,
    Right,
}

/// Renders `rows` (first row = header) as columns separated by two spaces,
/// with a dashed rule under the header. Trailing spaces are trimmed.
fn table(rows: &[Vec<String>], align: &[Align]) -> String {
    let ncol = align.len();
    let mut widths = vec![0usize; ncol];
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for (r, row) in rows.iter().enumerate() {
        let mut line = String::from("  ");
        for (c, cell) in row.iter().enumerate().take(ncol) {
            if c > 0 {
                line.push_str("  ");
            }
            let pad = widths[c] - cell.chars().count();
            match align[c] {
                Align::Left => {
                    line.push_str(cell);
                    line.extend(std::iter::repeat_n(' ', pad));
                }
                Align::Right => {
                    line.extend(std::iter::repeat_n(' ', pad));
                    line.push_str(cell);
                }
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
        if r == 0 {
            let total: usize = widths.iter().sum::<usize>() + 2 * ncol.saturating_sub(1);
            out.push_str("  ");
            out.extend(std::iter::repeat_n('-', total));
            out.push('\n');
        }
    }
    out
}

/// A multi-line summary for the terminal (ends with a newline).
///
/// Energies are in pJ with thousands separators (total also in µJ), latencies
/// in cycles; "MAC util" is `mac_utilization2` (ideal cycles / total latency).
pub fn summary(report: &RunReport) -> String {
    let t = &report.totals;
    let n = report.layers.len();
    let mut s = String::new();
    // `write!` into a String cannot fail.
    let _ = writeln!(s, "Accelerator: {}", report.accelerator);
    let _ = writeln!(s, "Workload:    {} ({n} layer{})", report.workload, if n == 1 { "" } else { "s" });
    let _ = writeln!(
        s,
        "Energy:      {} pJ ({} µJ)  [MAC {} pJ, memory {} pJ]",
        thousands(report.energy, 1),
        thousands(report.energy / 1e6, 3),
        thousands(t.mac_energy, 1),
        thousands(t.mem_energy, 1),
    );
    let _ = writeln!(
        s,
        "Latency:     {} cycles  [computation {}, on-loading {}, off-loading {}]",
        cycles(report.latency),
        cycles(t.latency_total0),
        cycles(t.latency_total1 - t.latency_total0),
        cycles(t.latency_total2 - t.latency_total1),
    );
    if let (Some(tclk), Some(area)) = (report.tclk, report.area) {
        let _ = writeln!(
            s,
            "IMC:         tclk {} ns, area {} mm², latency {} ns",
            thousands(tclk, 5),
            thousands(area, 6),
            thousands(report.latency * tclk, 1),
        );
        let mut parts: Vec<(String, f64)> = Vec::new();
        for l in &report.layers {
            let Some(imc) = &l.imc else { continue };
            for (k, v) in imc.mac_energy_breakdown.iter() {
                match parts.iter_mut().find(|(n, _)| n == k) {
                    Some(p) => p.1 += v,
                    None => parts.push((k.to_string(), *v)),
                }
            }
        }
        let shown: Vec<String> =
            parts.iter().filter(|(_, v)| *v != 0.0).map(|(k, v)| format!("{k} {}", thousands(*v, 1))).collect();
        let _ = writeln!(s, "MAC energy:  {} pJ", shown.join(", "));
    }
    let _ = writeln!(
        s,
        "MAC util:    {} overall, {} spatial, {} without on/off-loading",
        percent(t.mac_utilization2),
        percent(t.mac_spatial_utilization),
        percent(t.mac_utilization0),
    );
    let _ = writeln!(
        s,
        "Mappings:    {} spatial, {} temporal evaluated",
        thousands(t.spatial_mappings_evaluated as f64, 0),
        thousands(t.temporal_mappings_evaluated as f64, 0),
    );
    s.push('\n');
    if report.layers.is_empty() {
        s.push_str("  (no layers)\n");
        return s;
    }
    let header = ["#", "Layer", "Type", "Energy [pJ]", "Latency [cycles]", "MAC util", "Spatial mapping"];
    let mut rows = vec![header.iter().map(|h| h.to_string()).collect::<Vec<_>>()];
    for l in &report.layers {
        rows.push(vec![
            l.id.to_string(),
            l.name.clone(),
            l.operator_type.clone(),
            thousands(l.energy, 1),
            cycles(l.latency),
            percent(l.mac_utilization2),
            l.spatial_mapping_short(),
        ]);
    }
    use Align::{Left, Right};
    s.push_str(&table(&rows, &[Right, Left, Left, Right, Right, Right, Left]));
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{gemm_layer, gemm_report};

    #[test]
    fn contains_header_totals_and_layers() {
        let mut second = gemm_layer();
        second.id = 1;
        second.name = "fc_with_a_long_name".into();
        let r = RunReport::new("tpu_like", "gemm_workload", vec![gemm_layer(), second]);
        let s = summary(&r);
        assert!(s.contains("Accelerator: tpu_like"), "{s}");
        assert!(s.contains("Workload:    gemm_workload (2 layers)"), "{s}");
        assert!(s.contains("Energy:      300,001.0 pJ (0.300 µJ)"), "{s}");
        assert!(s.contains("Latency:     16,388 cycles"), "{s}");
        assert!(s.contains("fc_with_a_long_name"), "{s}");
        let lines: Vec<&str> = s.lines().collect();
        let row0 = lines.iter().find(|l| l.contains(" gemm ")).unwrap();
        let row1 = lines.iter().find(|l| l.contains("fc_with_a_long_name")).unwrap();
        // Aligned: the type column starts at the same offset in both rows.
        assert_eq!(row0.find("Gemm"), row1.find("Gemm"), "{s}");
        assert!(row0.ends_with("50.0 %  D1:D1=8 D2:D2=8"), "{s}");
    }

    #[test]
    fn single_layer() {
        let s = summary(&gemm_report());
        assert!(s.contains("(1 layer)"), "{s}");
        assert!(s.contains("150,000.5"), "{s}");
    }

    #[test]
    fn empty_report_does_not_panic() {
        let s = summary(&RunReport::new("a", "w", vec![]));
        assert!(s.contains("(no layers)"), "{s}");
        assert!(s.contains("0 layers"), "{s}");
    }
}
