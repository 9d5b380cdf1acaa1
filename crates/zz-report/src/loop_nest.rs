//! Loop-nest table of one layer's mapping, in the layout of ZigZag's `print_mapping`.
//!
//! ```text
//! Loop ordering for gemm; O[d0][d1]+=I[d0][d2]*W[d2][d1]
//! ======================================================
//! Temporal Loops                      O     W     I
//! ======================================================
//! for D0 in [0, 4):                   l1    l1    l1
//! ------------------------------------------------------
//!   for D1 in [0, 4):                 l1    l1    l1
//! ------------------------------------------------------
//! ...
//! ======================================================
//! Spatial Loops                       O     W     I
//! ======================================================
//!             parfor D2 in [0, 8):    l1    l1    l1
//! ------------------------------------------------------
//! ```
//!
//! **Loop order.** Every operand's temporal mapping is the same multiset of
//! loops cut into memory levels at different points. As ZigZag does, the global
//! order is taken from the **output operand** (`O` if present, else the first
//! operand): its per-level lists are flattened innermost-first. Then, walking
//! that order from the innermost loop outwards, each loop is looked up in every
//! operand's levels (lowest level first) and removed there once found, so
//! repeated loops such as two `for D1 in [0, 4)` land in the right levels. The
//! column shows the memory holding that loop for the operand. If an operand has
//! no identical loop left, the first loop of the same dimension is used; if
//! there is none either, the column shows `-`. Rows print outermost first.
//!
//! **Spatial loops** come from `spatial_mapping_internal` of the output operand
//! the same way (ZigZag prints them with empty columns); here the column names
//! the memory level whose served dimensions carry that unrolling (the level
//! that broadcasts to, or gathers from, the unrolled instances), or `-` when the
//! unrolling sits above the operand's top memory level.

use crate::format::num;
use crate::model::{LayerReport, Loop};

/// Spaces per nesting level.
const INDENT: usize = 2;
/// Minimum gap after a column's text.
const GAP: usize = 4;

/// One printed loop.
#[derive(Clone, Debug, PartialEq)]
pub struct LoopRow {
    /// Layer dimension.
    pub dim: String,
    /// Loop size (temporal) or unrolling factor (spatial), formatted.
    pub size: String,
    /// Per operand (in [`LoopNest::operands`] order): memory level name or `-`.
    pub levels: Vec<String>,
}

/// The loop nest of one layer, ready to render.
#[derive(Clone, Debug, PartialEq)]
pub struct LoopNest {
    /// `Loop ordering for {name}` plus `; {equation}` if the equation is known.
    pub title: String,
    /// Layer operands, one column each.
    pub operands: Vec<String>,
    /// Temporal loops, outermost first.
    pub temporal: Vec<LoopRow>,
    /// Spatial loops, outermost first.
    pub spatial: Vec<LoopRow>,
}

/// The operand that defines the global loop order (see the module docs).
fn order_operand<'a, T>(layer: &'a LayerReport, per_op: &'a crate::OrderedMap<T>) -> Option<&'a str> {
    let ops = layer.operands();
    if ops.contains(&"O") && per_op.contains_key("O") {
        return Some("O");
    }
    ops.into_iter().find(|op| per_op.contains_key(op)).or_else(|| per_op.keys().next())
}

/// Assigns each loop of `order` (innermost first) to a level of every operand
/// and returns rows outermost first.
fn assign<T: PartialEq + Copy>(
    layer: &LayerReport,
    operands: &[String],
    per_op: &crate::OrderedMap<Vec<Vec<Loop<T>>>>,
    fmt: impl Fn(T) -> String,
) -> Vec<LoopRow> {
    let Some(order_op) = order_operand(layer, per_op) else {
        return Vec::new();
    };
    let order: Vec<Loop<T>> = per_op.get(order_op).into_iter().flatten().flatten().cloned().collect();
    let mut remaining: Vec<Vec<Vec<Loop<T>>>> =
        operands.iter().map(|op| per_op.get(op).cloned().unwrap_or_default()).collect();
    let mut rows = Vec::with_capacity(order.len());
    for (dim, size) in &order {
        let mut levels = Vec::with_capacity(operands.len());
        for (op, op_levels) in operands.iter().zip(remaining.iter_mut()) {
            let exact = find(op_levels, |l| l.0 == *dim && l.1 == *size);
            let found = exact.or_else(|| find(op_levels, |l| l.0 == *dim));
            levels.push(match found {
                Some((lvl, pos)) => {
                    op_levels[lvl].remove(pos);
                    layer.memory_name(op, lvl).map_or_else(|| "-".to_string(), str::to_string)
                }
                None => "-".to_string(),
            });
        }
        rows.push(LoopRow { dim: dim.clone(), size: fmt(*size), levels });
    }
    rows.reverse();
    rows
}

/// `(level, position)` of the first loop (lowest level first) matching `pred`.
fn find<T>(levels: &[Vec<Loop<T>>], pred: impl Fn(&Loop<T>) -> bool) -> Option<(usize, usize)> {
    levels.iter().enumerate().find_map(|(lvl, ls)| ls.iter().position(&pred).map(|pos| (lvl, pos)))
}

impl LoopNest {
    /// Builds the loop nest of `layer` (see the module docs for the rules).
    pub fn from_layer(layer: &LayerReport) -> Self {
        let operands: Vec<String> = layer.operands().into_iter().map(str::to_string).collect();
        let title = if layer.equation.is_empty() {
            format!("Loop ordering for {}", layer.name)
        } else {
            format!("Loop ordering for {}; {}", layer.name, layer.equation)
        };
        Self {
            temporal: assign(layer, &operands, &layer.temporal_mapping, |s: u64| s.to_string()),
            spatial: assign(layer, &operands, &layer.spatial_mapping_internal, num),
            operands,
            title,
        }
    }

    /// Renders the table (ends with a newline). Temporal loops are indented
    /// by nesting depth; spatial loops all sit at the innermost depth.
    pub fn render(&self) -> String {
        let n_t = self.temporal.len();
        let loop_text = |kw: &str, row: &LoopRow, indent: usize| {
            format!("{}{kw} {} in [0, {}):", " ".repeat(indent), row.dim, row.size)
        };
        let t_lines: Vec<String> =
            self.temporal.iter().enumerate().map(|(i, r)| loop_text("for", r, i * INDENT)).collect();
        let s_lines: Vec<String> = self.spatial.iter().map(|r| loop_text("parfor", r, n_t * INDENT)).collect();
        let loop_w =
            t_lines.iter().chain(&s_lines).map(String::len).chain(["Temporal Loops".len()]).max().unwrap_or(0) + GAP;
        let mem_w = self
            .temporal
            .iter()
            .chain(&self.spatial)
            .flat_map(|r| r.levels.iter())
            .chain(&self.operands)
            .map(|s| s.chars().count())
            .max()
            .unwrap_or(0)
            + GAP;
        let width = loop_w + mem_w * self.operands.len();
        let line = |first: &str, cols: &[String]| {
            let mut s = format!("{first:<loop_w$}");
            for c in cols {
                s.push_str(&format!("{c:<mem_w$}"));
            }
            s.trim_end().to_string()
        };
        let mut out = Vec::new();
        out.push(self.title.clone());
        for (name, rows, lines) in
            [("Temporal Loops", &self.temporal, &t_lines), ("Spatial Loops", &self.spatial, &s_lines)]
        {
            out.push("=".repeat(width));
            out.push(line(name, &self.operands));
            out.push("=".repeat(width));
            for (row, text) in rows.iter().zip(lines) {
                out.push(line(text, &row.levels));
                out.push("-".repeat(width));
            }
        }
        let mut s = out.join("\n");
        s.push('\n');
        s
    }
}

/// The rendered loop-nest table of `layer` (see [`LoopNest`]).
pub fn loop_nest_table(layer: &LayerReport) -> String {
    LoopNest::from_layer(layer).render()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::gemm_layer;

    #[test]
    fn gemm_table() {
        let s = loop_nest_table(&gemm_layer());
        let expected = "\
Loop ordering for gemm; O[d0][d1]+=I[d0][d2]*W[d2][d1]
======================================================
Temporal Loops                      O     W     I
======================================================
for D0 in [0, 4):                   l1    l1    l1
------------------------------------------------------
  for D1 in [0, 4):                 l1    l1    l1
------------------------------------------------------
    for D2 in [0, 4):               l1    l1    l1
------------------------------------------------------
      for D0 in [0, 4):             l1    l1    l1
------------------------------------------------------
        for D2 in [0, 4):           l1    l1    l1
------------------------------------------------------
          for D1 in [0, 4):         l1    l1    l1
------------------------------------------------------
======================================================
Spatial Loops                       O     W     I
======================================================
            parfor D2 in [0, 8):    l1    l1    l1
------------------------------------------------------
            parfor D1 in [0, 8):    l1    l1    l1
------------------------------------------------------
";
        assert_eq!(s, expected, "\n{s}");
    }

    #[test]
    fn levels_follow_each_operand_and_repeated_loops() {
        let mut l = gemm_layer();
        let lp = |d: &str, s: u64| (d.to_string(), s);
        // O keeps the innermost D1 in its registers; W splits after two loops.
        l.temporal_mapping.insert(
            "O",
            vec![vec![lp("D1", 4)], vec![lp("D2", 4), lp("D0", 4), lp("D2", 4), lp("D1", 4)], vec![lp("D0", 4)]],
        );
        l.temporal_mapping.insert(
            "W",
            vec![vec![lp("D1", 4), lp("D2", 4)], vec![lp("D0", 4), lp("D2", 4), lp("D1", 4), lp("D0", 4)]],
        );
        let nest = LoopNest::from_layer(&l);
        let cols: Vec<Vec<&str>> =
            nest.temporal.iter().map(|r| r.levels.iter().map(String::as_str).collect()).collect();
        assert_eq!(
            cols,
            [
                ["l3", "l3", "l1"],
                ["l1", "l3", "l1"],
                ["l1", "l3", "l1"],
                ["l1", "l3", "l1"],
                ["l1", "l1", "l1"],
                ["reg_O", "l1", "l1"],
            ]
        );
        let dims: Vec<&str> = nest.temporal.iter().map(|r| r.dim.as_str()).collect();
        assert_eq!(dims, ["D0", "D1", "D2", "D0", "D2", "D1"]);
        let sp: Vec<(&str, &str)> = nest.spatial.iter().map(|r| (r.dim.as_str(), r.size.as_str())).collect();
        assert_eq!(sp, [("D2", "8"), ("D1", "8")]);
    }

    #[test]
    fn empty_layer_does_not_panic() {
        let s = loop_nest_table(&LayerReport::default());
        assert!(s.starts_with("Loop ordering for \n"), "{s}");
        assert!(s.contains("Temporal Loops"));
        assert!(s.contains("Spatial Loops"));
    }
}
