//! Chrome / Perfetto trace-event JSON of a [`StreamReport`], after Stream's
//! `convert_scme_to_perfetto_json`; open it in <https://ui.perfetto.dev> or `chrome://tracing`.
//!
//! Layout: `{"traceEvents": [...], "displayTimeUnit": "ns", "otherData": {...}}` with
//! * process 1 `Cores`: one thread per core (`tid` = core id while it has a single lane), one
//!   complete event (`"ph": "X"`) per CN named `"<layer name> #<sub id>"`, category `compute`,
//!   args `layer`, `sub_id`, `core`, `energy` (pJ); plus one counter track (`"ph": "C"`) per
//!   memory timeline, named `memory <core>/<instance>`, with the series `used_bits`;
//! * process 2 `Links`: one thread per link, one complete event per transfer and link, named
//!   after the tensor, category = the transfer's cause, args `tensor`, `layer`, `operand`,
//!   `src_core`, `dst_core`, `bits`, `links` (names), `cause`; transfers without a link go to a
//!   `local (no link)` thread;
//! * metadata events (`"ph": "M"`) `process_name`, `process_sort_index`, `thread_name` and
//!   `thread_sort_index` (cores and links keep the report's order).
//!
//! **Unit mapping:** trace timestamps are defined in µs; this writer puts **cycles** in `ts` and
//! `dur`, so **1 cycle = 1 µs** in the viewer (a 1,000-cycle CN shows as 1 ms). Because the
//! trace format needs the slices of one thread to nest, overlapping events of one core or link
//! (concurrent transfers sharing a link) are spread over extra lane threads named
//! `<name> (lane 2)`, `<name> (lane 3)`, ... right below the first one.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use serde_json::{Value, json};

use super::model::{GanttRow, StreamReport};
use crate::error::ReportError;

/// Process id of the cores.
pub const CORES_PID: u64 = 1;
/// Process id of the links.
pub const LINKS_PID: u64 = 2;

/// One complete event before lane assignment.
struct Slice {
    start: f64,
    end: f64,
    event: Value,
}

/// A track (core or link) with its slices.
struct Track {
    name: String,
    slices: Vec<Slice>,
}

/// Spreads `track`'s slices over lanes (first fit in start order) and appends the thread
/// metadata and the events (with `pid` and `tid` set) to `out`. `next_tid` hands out fresh thread
/// ids for lanes after the first; `first_tid` is the first lane's id.
fn emit_track(pid: u64, first_tid: u64, next_tid: &mut u64, sort: &mut u64, track: Track, out: &mut Vec<Value>) {
    let mut slices = track.slices;
    slices.sort_by(|a, b| a.start.total_cmp(&b.start).then(a.end.total_cmp(&b.end)));
    let mut lane_end: Vec<f64> = Vec::new();
    let mut lanes: Vec<usize> = Vec::with_capacity(slices.len());
    for s in &slices {
        let lane = match lane_end.iter().position(|&e| e <= s.start) {
            Some(l) => l,
            None => {
                lane_end.push(f64::NEG_INFINITY);
                lane_end.len() - 1
            }
        };
        lane_end[lane] = s.end.max(s.start);
        lanes.push(lane);
    }
    let mut tids = vec![first_tid];
    for _ in 1..lane_end.len() {
        tids.push(*next_tid);
        *next_tid += 1;
    }
    for (l, &tid) in tids.iter().enumerate() {
        let name = if l == 0 { track.name.clone() } else { format!("{} (lane {})", track.name, l + 1) };
        out.push(json!({"name": "thread_name", "ph": "M", "pid": pid, "tid": tid, "args": {"name": name}}));
        out.push(
            json!({"name": "thread_sort_index", "ph": "M", "pid": pid, "tid": tid, "args": {"sort_index": *sort}}),
        );
        *sort += 1;
    }
    for (s, lane) in slices.into_iter().zip(lanes) {
        let mut e = s.event;
        e["pid"] = json!(pid);
        e["tid"] = json!(tids[lane]);
        out.push(e);
    }
}

/// A finite, non-negative number (NaN and negative values become 0).
fn clean(v: f64) -> f64 {
    if v.is_finite() && v > 0.0 { v } else { 0.0 }
}

/// The trace as a JSON value.
pub fn trace_json_value(report: &StreamReport) -> Value {
    let rows = report.gantt_rows();
    let mut events = vec![
        json!({"name": "process_name", "ph": "M", "pid": CORES_PID, "tid": 0, "args": {"name": "Cores"}}),
        json!({"name": "process_sort_index", "ph": "M", "pid": CORES_PID, "tid": 0, "args": {"sort_index": 0}}),
        json!({"name": "process_name", "ph": "M", "pid": LINKS_PID, "tid": 0, "args": {"name": "Links"}}),
        json!({"name": "process_sort_index", "ph": "M", "pid": LINKS_PID, "tid": 0, "args": {"sort_index": 1}}),
    ];
    // Lane threads get ids above every core / link id.
    let max_id = rows.iter().map(|r| match r {
        GanttRow::Core { id, .. } | GanttRow::Link { id, .. } => *id as u64,
    });
    let no_link_tid = max_id.max().unwrap_or(0) + 1;
    let mut next_tid = no_link_tid + 1;
    let mut sort = 0u64;
    for row in &rows {
        let (pid, id, name, slices) = match row {
            GanttRow::Core { id, name } => {
                let slices = report
                    .cns
                    .iter()
                    .filter(|cn| cn.core == *id)
                    .map(|cn| Slice {
                        start: clean(cn.start),
                        end: clean(cn.end),
                        event: json!({
                            "name": format!("{} #{}", cn.name, cn.sub_id),
                            "cat": "compute",
                            "ph": "X",
                            "ts": clean(cn.start),
                            "dur": clean(cn.end - cn.start),
                            "pid": 0,
                            "tid": 0,
                            "args": {"layer": cn.layer, "sub_id": cn.sub_id, "core": cn.core, "energy": cn.energy},
                        }),
                    })
                    .collect();
                (CORES_PID, *id, name, slices)
            }
            GanttRow::Link { id, name } => {
                let slices = report
                    .transfers
                    .iter()
                    .filter(|t| t.links.contains(id))
                    .map(|t| transfer_slice(report, t))
                    .collect();
                (LINKS_PID, *id, name, slices)
            }
        };
        emit_track(pid, id as u64, &mut next_tid, &mut sort, Track { name: name.clone(), slices }, &mut events);
    }
    let local: Vec<Slice> =
        report.transfers.iter().filter(|t| t.links.is_empty()).map(|t| transfer_slice(report, t)).collect();
    if !local.is_empty() {
        let track = Track { name: "local (no link)".into(), slices: local };
        emit_track(LINKS_PID, no_link_tid, &mut next_tid, &mut sort, track, &mut events);
    }
    for m in &report.memory {
        let name = format!("memory {}/{}", report.core_name(m.core), m.instance);
        for &(t, v) in &m.points {
            events.push(json!({
                "name": name, "ph": "C", "ts": clean(t), "pid": CORES_PID, "tid": m.core, "args": {"used_bits": v}
            }));
        }
    }
    json!({
        "traceEvents": events,
        "displayTimeUnit": "ns",
        "otherData": {
            "accelerator": report.accelerator,
            "workload": report.workload,
            "mode": report.mode,
            "latency_cycles": report.latency,
            "energy_pJ": report.energy,
            "time_unit": "ts and dur are cycles (1 cycle = 1 us in the viewer)",
        },
    })
}

fn transfer_slice(report: &StreamReport, t: &super::model::TransferReport) -> Slice {
    let links: Vec<String> = t.links.iter().map(|&l| report.link_name(l)).collect();
    Slice {
        start: clean(t.start),
        end: clean(t.end),
        event: json!({
            "name": t.tensor,
            "cat": if t.cause.is_empty() { "transfer" } else { t.cause.as_str() },
            "ph": "X",
            "ts": clean(t.start),
            "dur": clean(t.end - t.start),
            "pid": 0,
            "tid": 0,
            "args": {
                "tensor": t.tensor,
                "layer": t.layer,
                "operand": t.operand,
                "src_core": report.core_name(t.src_core),
                "dst_core": report.core_name(t.dst_core),
                "bits": t.bits,
                "links": links,
                "cause": t.cause,
            },
        }),
    }
}

/// The trace as compact JSON text.
pub fn trace_json_string(report: &StreamReport) -> Result<String, ReportError> {
    Ok(serde_json::to_string(&trace_json_value(report))?)
}

/// Writes the trace as compact JSON (with a trailing newline) to `path`.
pub fn write_trace_json(report: &StreamReport, path: impl AsRef<Path>) -> Result<(), ReportError> {
    let mut w = BufWriter::new(File::create(path)?);
    serde_json::to_writer(&mut w, &trace_json_value(report))?;
    w.write_all(b"\n")?;
    w.flush()?;
    Ok(())
}
