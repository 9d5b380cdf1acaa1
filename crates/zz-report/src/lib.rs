//! Result outputs of zigzag-rs: JSON, a terminal summary, loop-nest tables and
//! breakdown plots.
//!
//! The crate is independent of the other `zz-*` crates: the CLI fills the plain
//! DTOs of [`model`] ([`RunReport`] with one [`LayerReport`] per layer) and
//! passes them to the writers:
//!
//! * [`json::write_json`] / [`json::to_json_string`]: pretty JSON, `energy` and
//!   `latency` first;
//! * [`summary::summary`]: header, totals and an aligned per-layer table;
//! * [`loop_nest::loop_nest_table`]: ZigZag's `print_mapping` table of one layer;
//! * [`plot::bar_chart_breakdown`] / [`plot::bar_chart_breakdown_svg`]: per-layer
//!   energy and latency stacked bars;
//! * [`html_report`]: one-file interactive HTML reports of `map`, `compare` and `sweep`, with
//!   the memory-hierarchy diagram of [`hierarchy`];
//! * [`stream`]: the multi-core (Stream) outputs of a [`StreamReport`]: JSON, summary, Gantt
//!   charts (PNG, SVG, interactive HTML), memory usage plots and a Perfetto trace.

pub mod error;
pub mod format;
pub mod gap_chart;
pub mod hierarchy;
pub mod html_report;
pub mod json;
pub mod loop_nest;
pub mod model;
pub mod ordered_map;
pub mod pareto;
pub mod plot;
pub mod stream;
pub mod summary;

#[cfg(test)]
mod fixtures;

pub use error::ReportError;
pub use gap_chart::{GapBar, gap_chart};
pub use hierarchy::{ArrayReport, MemoryHierarchy, MemoryReport, PortReport, hierarchy_svg, write_hierarchy_svg};
pub use html_report::{
    CompareDesign, SweepPoint, SweepReport, compare_report_html, run_report_html, sweep_report_html,
    write_compare_report_html, write_run_report_html, write_sweep_report_html,
};
pub use json::{to_json_string, write_json};
pub use loop_nest::{LoopNest, LoopRow, loop_nest_table};
pub use model::{DirectionRecord, ImcReport, LayerReport, Loop, ParetoPoint, RunReport, TotalsReport};
pub use ordered_map::OrderedMap;
pub use plot::{bar_chart_breakdown, bar_chart_breakdown_svg, bar_chart_breakdown_svg_string};
pub use stream::{
    CnReport, CoreReport, LinkReport, MemoryTimeline, StreamReport, TransferReport, gantt_chart, gantt_chart_svg,
    memory_usage_plot, memory_usage_plot_svg, stream_summary, write_gantt_html, write_stream_json, write_trace_json,
};
pub use summary::summary;
