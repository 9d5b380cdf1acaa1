//! Multi-core (Stream) result outputs: the [`StreamReport`] DTOs and their writers.
//!
//! The CLI fills a [`StreamReport`] from the scheduler's result (cores, links, scheduled CNs,
//! transfers, memory timelines, energy buckets) and passes it to:
//!
//! * [`write_stream_json`] / [`stream_json_string`]: pretty JSON, `latency` and `energy` first;
//! * [`stream_summary`]: terminal summary (totals, energy buckets, per-core utilisation and
//!   peak memory, CN / transfer counts);
//! * [`gantt_chart`] / [`gantt_chart_svg`]: static Gantt chart (a row per core and per link);
//! * [`write_gantt_html`]: interactive, self-contained HTML Gantt chart (hover, zoom, pan);
//! * [`memory_usage_plot`] / [`memory_usage_plot_svg`]: memory occupancy over time;
//! * [`write_graph_json`] / [`write_graph_dot`]: the CN dependency graph ([`CnGraph`]) as JSON
//!   and Graphviz DOT;
//! * [`write_trace_json`]: Chrome / Perfetto trace-event JSON (1 cycle = 1 µs in the viewer).
//!
//! Units everywhere: cycles, pJ, bits (sizes), bits/cycle (bandwidths).

pub mod gantt;
pub mod graph;
pub mod html;
mod legend;
pub mod memory_plot;
pub mod model;
pub mod summary;
pub mod trace;

mod json;
mod style;

#[cfg(test)]
mod fixtures;
#[cfg(test)]
mod tests;

pub use gantt::{gantt_chart, gantt_chart_svg, gantt_chart_svg_string};
pub use graph::{
    CnGraph, GraphEdge, GraphNode, graph_dot_string, graph_json_string, write_graph_dot, write_graph_json,
};
pub use html::{gantt_html_string, write_gantt_html};
pub use json::{stream_json_string, write_stream_json};
pub use memory_plot::{memory_usage_plot, memory_usage_plot_svg, memory_usage_plot_svg_string};
pub use model::{
    CnReport, CoreReport, GanttRow, LayerInfo, LinkReport, MemoryTimeline, StreamReport, TemporalSearchReport,
    TransferReport,
};
pub use summary::{human_bits, stream_summary};
pub use trace::{trace_json_string, trace_json_value, write_trace_json};
