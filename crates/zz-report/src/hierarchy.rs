//! The memory hierarchy of a single-core accelerator as a plain DTO ([`MemoryHierarchy`]) and
//! its drawing as an SVG diagram ([`hierarchy_svg`]), after ZigZag's memory-hierarchy
//! visualisation.
//!
//! The CLI fills a [`MemoryHierarchy`] from its accelerator (this crate depends on no `zz-*`
//! crate). Units: sizes in **bits**, bandwidths in **bits/cycle**, energies in **pJ** per access
//! of one `bandwidth_max`-wide word, areas in the accelerator file's unit.
//!
//! The diagram has one column per memory operand (`I2` weights, `I1` inputs, `O` outputs; the
//! layer operands they stand for in the column heading when known), the MAC array at the
//! bottom and each operand's chain of memory levels above it, lowest level first, joined by
//! arrows. A memory shared by several operands is one box spanning their columns (or, when the
//! columns are not adjacent, one box per column marked "shared"). Each box gives the memory's
//! name, size, instance count, read/write cost and every port with its bandwidth and the
//! (operand, direction) pairs it serves; hovering a box shows the same as a tooltip.

use std::fmt::Write;

use serde::{Deserialize, Serialize};

use crate::format::{num, thousands};
use crate::stream::human_bits;

/// The memory hierarchy and MAC array of one accelerator.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MemoryHierarchy {
    /// Accelerator name.
    pub accelerator: String,
    /// The MAC array.
    pub array: ArrayReport,
    /// Every memory, lowest level first (the accelerator file's order).
    pub memories: Vec<MemoryReport>,
}

/// The operational (MAC) array.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ArrayReport {
    /// `(dimension, size)` in file order, e.g. `[("D1", 16), ("D2", 16)]`.
    pub dimensions: Vec<(String, u64)>,
    /// Energy of one MAC operation, pJ.
    pub unit_energy: f64,
    /// Area of one MAC unit.
    pub unit_area: f64,
    /// Whether the array computes in memory (IMC).
    pub is_imc: bool,
}

/// One memory (one level for each operand it holds).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MemoryReport {
    /// Memory name.
    pub name: String,
    /// Capacity of one instance, bits.
    pub size_bits: f64,
    /// Number of instances (product of the array dimensions the memory does not serve).
    pub instances: u64,
    /// Energy per read of one `bandwidth_max`-wide word, pJ.
    pub r_cost: f64,
    /// Energy per write of one `bandwidth_max`-wide word, pJ.
    pub w_cost: f64,
    /// Area of one instance.
    pub area: f64,
    /// Technology tag (`sram`, `rf`, `dram`, ...); may be empty.
    pub mem_type: String,
    /// Memory operands stored (`I1`, `I2`, `O`), file order.
    pub operands: Vec<String>,
    /// Array dimensions one instance serves (spans).
    pub served_dimensions: Vec<String>,
    /// Ports, file order.
    pub ports: Vec<PortReport>,
    /// Whether storage is double-buffered.
    pub double_buffered: bool,
}

/// One memory port.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PortReport {
    /// Port name, e.g. `rw_port_1`.
    pub name: String,
    /// `read`, `write` or `read_write`.
    pub kind: String,
    /// Narrowest access, bits/cycle.
    pub bandwidth_min: f64,
    /// Widest access, bits/cycle.
    pub bandwidth_max: f64,
    /// Served `(memory operand, direction code)` pairs, e.g. `("I1", "tl")`; the codes are
    /// ZigZag's `tl` (read to lower level), `fl` (write from lower), `th` (read to higher),
    /// `fh` (write from higher).
    pub serves: Vec<(String, String)>,
}

impl MemoryHierarchy {
    /// The memory operands in column order: `I2`, `I1`, `O` first (so that a memory shared
    /// by inputs and outputs spans adjacent columns), then any other in first-seen order.
    pub fn operands(&self) -> Vec<String> {
        let mut seen: Vec<String> = Vec::new();
        for m in &self.memories {
            for op in &m.operands {
                if !seen.contains(op) {
                    seen.push(op.clone());
                }
            }
        }
        let rank = |op: &str| ["I2", "I1", "O"].iter().position(|&o| o == op).unwrap_or(3);
        // Stable: unknown operands keep their first-seen order.
        seen.sort_by_key(|op| rank(op));
        seen
    }

    /// Memory indices of operand `op`'s chain, lowest level first.
    pub fn chain(&self, op: &str) -> Vec<usize> {
        (0..self.memories.len()).filter(|&i| self.memories[i].operands.iter().any(|o| o == op)).collect()
    }

    /// Number of MAC units.
    pub fn macs(&self) -> u64 {
        self.array.dimensions.iter().map(|(_, s)| *s).product()
    }
}

impl PortReport {
    /// `rw_port_1 (read_write, 64–128 b/cycle): I1 tl, O fl`.
    pub fn describe(&self) -> String {
        let bw = if self.bandwidth_min == self.bandwidth_max {
            num(self.bandwidth_max)
        } else {
            format!("{}–{}", num(self.bandwidth_min), num(self.bandwidth_max))
        };
        let serves: Vec<String> = self.serves.iter().map(|(op, d)| format!("{op} {d}")).collect();
        format!("{} ({}, {bw} b/cycle): {}", self.name, self.kind, serves.join(", "))
    }
}

impl MemoryReport {
    /// Text lines of the memory's box (and tooltip): name, size, cost, ports.
    pub fn lines(&self) -> Vec<String> {
        let mut out = vec![self.name.clone()];
        let mut size = human_bits(self.size_bits);
        if self.instances > 1 {
            size.push_str(&format!(" × {} instances", thousands(self.instances as f64, 0)));
        }
        if self.double_buffered {
            size.push_str(", double-buffered");
        }
        out.push(size);
        out.push(format!("read {} pJ, write {} pJ per word", num(self.r_cost), num(self.w_cost)));
        if !self.served_dimensions.is_empty() {
            out.push(format!("serves {}", self.served_dimensions.join(", ")));
        }
        out.extend(self.ports.iter().map(PortReport::describe));
        out
    }
}

/// Escapes `s` for XML text and attribute values.
fn xml(s: &str) -> String {
    crate::stream::html::escape(s)
}

const COL_W: f64 = 330.0;
const GAP: f64 = 26.0;
const LINE_H: f64 = 15.0;
const BOX_PAD: f64 = 7.0;
const ROW_GAP: f64 = 34.0;
const HEAD_H: f64 = 46.0;
const ARRAY_H: f64 = 48.0;
const CHAR_W: f64 = 6.3;

/// Fill colours of the operand columns (matching the breakdown plot's operand palette order
/// is impossible without the layer operands, so fixed per memory operand).
fn column_fill(op: &str) -> &'static str {
    match op {
        "I2" => "#fff1e6",
        "I1" => "#e8f4e8",
        "O" => "#e6effa",
        _ => "#f2f2f2",
    }
}

/// A placed memory box: columns `c0..=c1`, row `row`.
struct Placed {
    memory: usize,
    c0: usize,
    c1: usize,
    row: usize,
    shared_split: bool,
}

/// Places every memory: its row is one above the highest row used so far in any of its
/// columns, so shared memories line up across columns.
fn place(h: &MemoryHierarchy, ops: &[String]) -> Vec<Placed> {
    let mut next_row = vec![0usize; ops.len()];
    let mut placed = Vec::new();
    for (i, m) in h.memories.iter().enumerate() {
        let mut cols: Vec<usize> = m.operands.iter().filter_map(|o| ops.iter().position(|x| x == o)).collect();
        cols.sort_unstable();
        cols.dedup();
        if cols.is_empty() {
            continue;
        }
        let row = cols.iter().map(|&c| next_row[c]).max().unwrap_or(0);
        let contiguous = cols.windows(2).all(|w| w[1] == w[0] + 1);
        if contiguous {
            placed.push(Placed {
                memory: i,
                c0: cols[0],
                c1: *cols.last().unwrap_or(&cols[0]),
                row,
                shared_split: false,
            });
        } else {
            for &c in &cols {
                placed.push(Placed { memory: i, c0: c, c1: c, row, shared_split: true });
            }
        }
        for &c in &cols {
            next_row[c] = row + 1;
        }
    }
    placed
}

/// Cuts `s` to at most `max` characters (with `…`).
fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        s.chars().take(max.saturating_sub(1)).collect::<String>() + "…"
    }
}

/// The hierarchy diagram as an inline SVG element (no XML prolog; embed it in HTML or wrap it
/// in a file). `operand_names` maps a memory operand to the layer operands it holds (e.g.
/// `("I2", "W")`), shown in the column headings; pass `&[]` when unknown.
pub fn hierarchy_svg(h: &MemoryHierarchy, operand_names: &[(String, String)]) -> String {
    let ops = h.operands();
    let placed = place(h, &ops);
    let rows = placed.iter().map(|p| p.row + 1).max().unwrap_or(0);
    // Row heights: the tallest box of each row.
    let mut row_h = vec![0.0f64; rows];
    for p in &placed {
        let n = h.memories[p.memory].lines().len() as f64 + if p.shared_split { 1.0 } else { 0.0 };
        row_h[p.row] = row_h[p.row].max(n * LINE_H + 2.0 * BOX_PAD);
    }
    let ncol = ops.len().max(1) as f64;
    let width = ncol * COL_W + (ncol + 1.0) * GAP;
    let body_h: f64 = row_h.iter().sum::<f64>() + ROW_GAP * rows as f64;
    let height = HEAD_H + body_h + ARRAY_H + GAP;
    // y of the top of row r (rows grow upwards from the array).
    let array_top = HEAD_H + body_h;
    let row_bottom = |r: usize| array_top - ROW_GAP - row_h[..r].iter().sum::<f64>() - ROW_GAP * r as f64;
    let col_x = |c: usize| GAP + c as f64 * (COL_W + GAP);
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"hierarchy\" width=\"{width:.0}\" height=\"{height:.0}\" \
         viewBox=\"0 0 {width:.0} {height:.0}\" font-family=\"sans-serif\" font-size=\"12\" role=\"img\">"
    );
    let _ = write!(
        s,
        "<title>Memory hierarchy of {}</title><defs><marker id=\"zz-arrow\" viewBox=\"0 0 10 10\" refX=\"9\" \
         refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" \
         fill=\"#555\"/></marker></defs>",
        xml(&h.accelerator)
    );
    // Column backgrounds and headings.
    for (c, op) in ops.iter().enumerate() {
        let names: Vec<&str> =
            operand_names.iter().filter(|(m, l)| m == op && l != op).map(|(_, l)| l.as_str()).collect();
        let head = if names.is_empty() { op.clone() } else { format!("{op} ({})", names.join(", ")) };
        let _ = write!(
            s,
            "<rect x=\"{:.1}\" y=\"8\" width=\"{COL_W:.1}\" height=\"{:.1}\" rx=\"6\" fill=\"{}\"/>\
             <text x=\"{:.1}\" y=\"30\" text-anchor=\"middle\" font-size=\"15\" font-weight=\"bold\">{}</text>",
            col_x(c),
            array_top - 8.0 + 4.0,
            column_fill(op),
            col_x(c) + COL_W / 2.0,
            xml(&head)
        );
    }
    // Arrows along each operand's chain (drawn first, boxes cover their ends).
    let centre_of = |memory: usize, c: usize| -> Option<(f64, f64, f64)> {
        let p = placed.iter().find(|p| p.memory == memory && p.c0 <= c && c <= p.c1)?;
        let bottom = row_bottom(p.row);
        let top = bottom - row_h[p.row];
        Some((col_x(c) + COL_W / 2.0, top, bottom))
    };
    for (c, op) in ops.iter().enumerate() {
        let chain = h.chain(op);
        let mut below = array_top;
        for &m in &chain {
            if let Some((x, top, bottom)) = centre_of(m, c) {
                let _ = write!(
                    s,
                    "<line x1=\"{x:.1}\" y1=\"{below:.1}\" x2=\"{x:.1}\" y2=\"{:.1}\" stroke=\"#555\" \
                     stroke-width=\"1.6\" marker-start=\"url(#zz-arrow)\" marker-end=\"url(#zz-arrow)\"/>",
                    bottom + 1.0
                );
                below = top;
            }
        }
    }
    // Memory boxes.
    for p in &placed {
        let m = &h.memories[p.memory];
        let x = col_x(p.c0);
        let w = col_x(p.c1) + COL_W - x;
        let bottom = row_bottom(p.row);
        let top = bottom - row_h[p.row];
        let mut lines = m.lines();
        if p.shared_split {
            lines.insert(1, format!("shared by {}", m.operands.join(", ")));
        }
        let max_chars = ((w - 2.0 * BOX_PAD) / CHAR_W) as usize;
        let _ = write!(
            s,
            "<g class=\"mem\" data-memory=\"{}\"><title>{}</title><rect x=\"{x:.1}\" y=\"{top:.1}\" width=\"{w:.1}\" \
             height=\"{:.1}\" rx=\"4\" fill=\"#fff\" stroke=\"#333\" stroke-width=\"1.3\"/>",
            xml(&m.name),
            xml(&lines.join("\n")),
            row_h[p.row]
        );
        for (k, line) in lines.iter().enumerate() {
            let y = top + BOX_PAD + LINE_H * (k as f64 + 0.8);
            let weight = if k == 0 { " font-weight=\"bold\" font-size=\"13\"" } else { "" };
            let _ =
                write!(s, "<text x=\"{:.1}\" y=\"{y:.1}\"{weight}>{}</text>", x + BOX_PAD, xml(&clip(line, max_chars)));
        }
        s.push_str("</g>");
    }
    // MAC array.
    let dims: Vec<String> = h.array.dimensions.iter().map(|(d, n)| format!("{d} {n}")).collect();
    let kind = if h.array.is_imc { "IMC array" } else { "MAC array" };
    let _ = write!(
        s,
        "<g class=\"array\"><rect x=\"{GAP:.1}\" y=\"{array_top:.1}\" width=\"{:.1}\" height=\"{ARRAY_H:.1}\" rx=\"4\" \
         fill=\"#333\"/><text x=\"{:.1}\" y=\"{:.1}\" fill=\"#fff\" text-anchor=\"middle\" font-size=\"13\">{}</text></g>",
        width - 2.0 * GAP,
        width / 2.0,
        array_top + ARRAY_H / 2.0 + 4.0,
        xml(&format!(
            "{kind}: {} = {} MAC units, {} pJ per MAC",
            if dims.is_empty() { "-".into() } else { dims.join(" × ") },
            thousands(h.macs() as f64, 0),
            num(h.array.unit_energy)
        ))
    );
    s.push_str("</svg>");
    s
}

/// Writes the hierarchy diagram as a standalone SVG file (e.g. `hierarchy.svg`); see
/// [`hierarchy_svg`] for `operand_names`.
pub fn write_hierarchy_svg(
    h: &MemoryHierarchy,
    operand_names: &[(String, String)],
    path: impl AsRef<std::path::Path>,
) -> Result<(), crate::ReportError> {
    // A white background: viewers show transparent SVGs on grey or black.
    let svg = hierarchy_svg(h, operand_names).replacen(
        "role=\"img\">",
        "role=\"img\"><rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>",
        1,
    );
    std::fs::write(path, format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{svg}\n"))?;
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A small hierarchy: per-operand registers, an activation SRAM shared by I1 and O, a DRAM
    /// holding all three.
    pub(crate) fn edge_hierarchy() -> MemoryHierarchy {
        let port = |name: &str, kind: &str, bw: f64, serves: &[(&str, &str)]| PortReport {
            name: name.into(),
            kind: kind.into(),
            bandwidth_min: bw,
            bandwidth_max: bw,
            serves: serves.iter().map(|(o, d)| (o.to_string(), d.to_string())).collect(),
        };
        let mem = |name: &str, size: f64, ops: &[&str], ports: Vec<PortReport>| MemoryReport {
            name: name.into(),
            size_bits: size,
            instances: 1,
            r_cost: 1.5,
            w_cost: 2.0,
            area: 0.0,
            mem_type: "sram".into(),
            operands: ops.iter().map(|o| o.to_string()).collect(),
            served_dimensions: vec!["D1".into()],
            ports,
            double_buffered: false,
        };
        MemoryHierarchy {
            accelerator: "edge<16>".into(),
            array: ArrayReport {
                dimensions: vec![("D1".into(), 16), ("D2".into(), 16)],
                unit_energy: 0.04,
                unit_area: 1.0,
                is_imc: false,
            },
            memories: vec![
                mem("reg_W", 8.0, &["I2"], vec![port("r", "read", 8.0, &[("I2", "tl")])]),
                mem("reg_O", 16.0, &["O"], vec![port("rw", "read_write", 16.0, &[("O", "tl"), ("O", "fl")])]),
                mem(
                    "sram_256KB",
                    2_097_152.0,
                    &["I1", "O"],
                    vec![
                        port("r_port", "read", 128.0, &[("I1", "tl"), ("O", "th")]),
                        port("w_port", "write", 128.0, &[("I1", "fh"), ("O", "fl")]),
                    ],
                ),
                mem(
                    "dram",
                    8e9,
                    &["I1", "I2", "O"],
                    vec![port("rw_port", "read_write", 64.0, &[("I1", "tl"), ("I2", "tl"), ("O", "fl"), ("O", "th")])],
                ),
            ],
        }
    }

    #[test]
    fn columns_and_chains() {
        let h = edge_hierarchy();
        assert_eq!(h.operands(), ["I2", "I1", "O"]);
        assert_eq!(h.chain("O"), [1, 2, 3]);
        assert_eq!(h.chain("I2"), [0, 3]);
        assert_eq!(h.macs(), 256);
        let placed = place(&h, &h.operands());
        // dram spans all three columns, above every other box.
        let dram = placed.iter().find(|p| p.memory == 3).unwrap();
        assert_eq!((dram.c0, dram.c1, dram.row), (0, 2, 2));
        let sram = placed.iter().find(|p| p.memory == 2).unwrap();
        assert_eq!((sram.c0, sram.c1, sram.row), (1, 2, 1));
    }

    #[test]
    fn svg_names_every_memory_with_units_and_escapes() {
        let svg = hierarchy_svg(&edge_hierarchy(), &[("I2".into(), "W".into()), ("I1".into(), "I".into())]);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        for name in ["reg_W", "reg_O", "sram_256KB", "dram"] {
            assert!(svg.contains(&format!("data-memory=\"{name}\"")), "{name}");
        }
        assert!(svg.contains("256.0 KiB"), "{svg}");
        assert!(svg.contains("b/cycle"), "{svg}");
        assert!(svg.contains("I2 (W)"), "{svg}");
        assert!(svg.contains("edge&lt;16&gt;"));
        assert!(svg.contains("16 × D2 16 = 256 MAC units") || svg.contains("D1 16 × D2 16 = 256 MAC units"));
        // 3 + 2 + 3 arrows (one per level of each chain).
        assert_eq!(svg.matches("<line").count(), 7);
    }

    #[test]
    fn non_adjacent_shared_memory_is_split_and_marked() {
        let mut h = edge_hierarchy();
        h.memories[2].operands = vec!["I2".into(), "O".into()];
        let svg = hierarchy_svg(&h, &[]);
        assert!(svg.contains("shared by I2, O"), "{svg}");
        assert_eq!(svg.matches("data-memory=\"sram_256KB\"").count(), 2);
    }

    #[test]
    fn standalone_svg_file() {
        let p = crate::fixtures::temp_path("hierarchy.svg");
        write_hierarchy_svg(&edge_hierarchy(), &[], &p).unwrap();
        let text = std::fs::read_to_string(&p).unwrap();
        assert!(text.starts_with("<?xml") && text.contains("fill=\"#fff\"/>") && text.trim_end().ends_with("</svg>"));
        std::fs::remove_file(&p).ok();
    }

    #[test]
    fn empty_hierarchy_does_not_panic() {
        let svg = hierarchy_svg(&MemoryHierarchy::default(), &[]);
        assert!(svg.contains("MAC array"));
    }
}
