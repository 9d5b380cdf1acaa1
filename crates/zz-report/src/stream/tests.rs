//! Tests of the stream outputs on a small hand-made schedule and a big synthetic one.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::fixtures::{big_stream_report, small_stream_report};
use super::*;
use crate::fixtures::temp_path;

/// Whether the written plots should be kept (for looking at them): `ZZ_REPORT_KEEP_PLOTS=1`.
fn keep() -> bool {
    std::env::var_os("ZZ_REPORT_KEEP_PLOTS").is_some()
}

fn cleanup(paths: &[PathBuf]) {
    if !keep() {
        for p in paths {
            std::fs::remove_file(p).ok();
        }
    }
}

#[test]
fn json_starts_with_latency_and_energy_and_round_trips() {
    let r = small_stream_report();
    let s = stream_json_string(&r).unwrap();
    let v: Value = serde_json::from_str(&s).unwrap();
    let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
    assert_eq!(keys[..2], ["latency", "energy"]);
    assert!(s.starts_with("{\n  \"latency\": 10000.0,\n  \"energy\": "), "{s}");
    let buckets: Vec<&String> = v["energy_buckets"].as_object().unwrap().keys().collect();
    assert_eq!(buckets[0], "onchip compute");
    assert_eq!(buckets[7], "core-to-core memory");
    assert_eq!(v["memory"][0]["points"][1], serde_json::json!([480.0, 491520.0]));
    let back: StreamReport = serde_json::from_str(&s).unwrap();
    assert_eq!(back, r);
    let path = temp_path("stream.json");
    write_stream_json(&r, &path).unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap().trim_end(), s);
    std::fs::remove_file(&path).ok();
    // Missing fields default (forward-compatible reading).
    let partial: StreamReport = serde_json::from_str(r#"{"latency": 5.0, "energy": 1.0}"#).unwrap();
    assert_eq!(partial.latency, 5.0);
    assert!(partial.cns.is_empty());
}

#[test]
fn summary_lists_totals_buckets_and_cores() {
    let s = stream_summary(&small_stream_report());
    for needle in [
        "Accelerator: two_core_plus_simd: 4 cores, 1 link, 1 bus",
        "Workload:    resnet_snippet (3 layers, 10 CNs)",
        "Mode:        fused",
        "Latency:     10,000 cycles",
        "Energy:      965,000.0 pJ (0.965 µJ)",
        "Transfers:   6 (",
        "fetch 4, eviction 1, sink 1",
        "onchip compute",
        "62.2 %",
        "core0",
        "core1",
        "simd",
        "offchip",
        "410.0 KiB",
        "512.0 KiB",
        "80.1 %",
    ] {
        assert!(s.contains(needle), "missing {needle:?} in\n{s}");
    }
    let lines: Vec<&str> = s.lines().collect();
    let c0 = lines.iter().find(|l| l.contains("core0") && l.contains("compute")).unwrap();
    let c1 = lines.iter().find(|l| l.contains("core1") && l.contains("compute")).unwrap();
    assert_eq!(c0.find("compute"), c1.find("compute"), "{s}");
    assert!(c0.contains("60.0 %"), "{c0}");
    let empty = stream_summary(&StreamReport::new("a", "w", "lbl"));
    assert!(empty.contains("(no cores)"), "{empty}");
    assert!(stream_summary(&big_stream_report()).contains("2,400 CNs"));
}

/// Checks the trace of `r`: valid JSON, every CN exactly once as an `X` event on its core's
/// thread, every transfer once per link, thread metadata for every core and link, counters.
fn check_trace(r: &StreamReport) {
    let text = trace_json_string(r).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["displayTimeUnit"], "ns");
    let events = v["traceEvents"].as_array().unwrap();
    let mut thread_names: HashMap<(u64, u64), String> = HashMap::new();
    let mut processes = Vec::new();
    for e in events.iter().filter(|e| e["ph"] == "M") {
        let key = (e["pid"].as_u64().unwrap(), e["tid"].as_u64().unwrap());
        match e["name"].as_str().unwrap() {
            "thread_name" => {
                thread_names.insert(key, e["args"]["name"].as_str().unwrap().to_string());
            }
            "process_name" => processes.push(e["args"]["name"].as_str().unwrap().to_string()),
            _ => {}
        }
    }
    assert_eq!(processes, ["Cores", "Links"]);
    for c in &r.cores {
        assert_eq!(thread_names.get(&(trace::CORES_PID, c.id as u64)), Some(&c.name), "{}", c.name);
    }
    for l in &r.links {
        assert_eq!(thread_names.get(&(trace::LINKS_PID, l.id as u64)), Some(&l.name), "{}", l.name);
    }
    let mut seen: HashMap<(u64, u64), usize> = HashMap::new();
    let mut transfer_events = 0;
    for e in events.iter().filter(|e| e["ph"] == "X") {
        let tid = (e["pid"].as_u64().unwrap(), e["tid"].as_u64().unwrap());
        assert!(thread_names.contains_key(&tid), "event on unnamed thread: {e}");
        if e["cat"] == "compute" {
            let key = (e["args"]["layer"].as_u64().unwrap(), e["args"]["sub_id"].as_u64().unwrap());
            *seen.entry(key).or_default() += 1;
            let cn = r.cns.iter().find(|c| (c.layer as u64, c.sub_id as u64) == key).unwrap();
            assert_eq!(e["name"], format!("{} #{}", cn.name, cn.sub_id));
            assert_eq!(e["ts"].as_f64().unwrap(), cn.start);
            assert_eq!(e["dur"].as_f64().unwrap(), cn.end - cn.start);
            assert!(thread_names[&tid].starts_with(&r.core_name(cn.core)), "{e}");
        } else {
            assert_eq!(tid.0, trace::LINKS_PID);
            transfer_events += 1;
        }
    }
    assert_eq!(seen.len(), r.cns.len());
    assert!(seen.values().all(|&n| n == 1));
    assert_eq!(transfer_events, r.transfers.iter().map(|t| t.links.len()).sum::<usize>());
    let counters = events.iter().filter(|e| e["ph"] == "C").count();
    assert_eq!(counters, r.memory.iter().map(|m| m.points.len()).sum::<usize>());
    // Slices of one thread nest (here: never overlap), as the trace format needs.
    let mut by_thread: HashMap<(u64, u64), Vec<(f64, f64)>> = HashMap::new();
    for e in events.iter().filter(|e| e["ph"] == "X") {
        let ts = e["ts"].as_f64().unwrap();
        by_thread
            .entry((e["pid"].as_u64().unwrap(), e["tid"].as_u64().unwrap()))
            .or_default()
            .push((ts, ts + e["dur"].as_f64().unwrap()));
    }
    for slices in by_thread.values_mut() {
        slices.sort_by(|a, b| a.0.total_cmp(&b.0));
        assert!(slices.windows(2).all(|w| w[0].1 <= w[1].0), "{slices:?}");
    }
}

#[test]
fn trace_has_every_cn_once_and_thread_metadata() {
    check_trace(&small_stream_report());
    check_trace(&big_stream_report());
    let path = temp_path("stream_trace.json");
    write_trace_json(&small_stream_report(), &path).unwrap();
    let _: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    cleanup(&[path]);
}

#[test]
fn trace_spreads_overlapping_transfers_over_lanes() {
    let r = small_stream_report();
    let v = trace_json_value(&r);
    // The two weight fetches overlap on the bus: the second goes to a lane thread.
    let names: Vec<&str> = v["traceEvents"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["name"] == "thread_name")
        .map(|e| e["args"]["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"bus (lane 2)"), "{names:?}");
    assert!(!names.contains(&"core0 (lane 2)"), "{names:?}");
}

fn check_png(path: &Path) {
    let bytes = std::fs::read(path).unwrap();
    assert!(bytes.len() > 5_000, "{}: {} bytes", path.display(), bytes.len());
    assert_eq!(&bytes[1..4], b"PNG");
}

#[test]
fn summary_explains_a_zero_peak_memory() {
    let mut r = small_stream_report();
    assert!(!stream_summary(&r).contains("Peak memory 0 B"));
    let core = r.cores.iter().find(|c| c.kind != "offchip").unwrap().id;
    r.cores.iter_mut().find(|c| c.id == core).unwrap().peak_memory_bits = 0.0;
    let s = stream_summary(&r);
    assert!(s.contains("the schedule kept no tensor in that core's top memory"), "{s}");
}

#[test]
fn gantt_png_and_svg() {
    for (name, r) in [("small", small_stream_report()), ("big", big_stream_report())] {
        let png = temp_path(&format!("gantt_{name}.png"));
        gantt_chart(&r, &png).unwrap();
        check_png(&png);
        let svg_path = temp_path(&format!("gantt_{name}.svg"));
        gantt_chart_svg(&r, &svg_path).unwrap();
        let svg = std::fs::read_to_string(&svg_path).unwrap();
        assert!(svg.starts_with("<svg"), "{}", &svg[..100]);
        for needle in
            ["Time (cycles)", "core0 (compute)", "Schedule of", "CNs by layer", "Transfers by cause", "fetch ("]
        {
            assert!(svg.contains(needle), "{name}: missing {needle:?}");
        }
        if name == "small" {
            assert!(svg.contains("core0&lt;-&gt;core1 (64 bit/cc)") || svg.contains("core0<->core1"), "link label");
            // Legend: a swatch tagged like the bars, then the name and CN count.
            assert!(svg.contains("\nL0\n") && svg.contains("conv1 (4 CNs)"));
        } else {
            assert!(svg.contains("\nL47\n") && svg.contains("layer7/add (50 CNs)"));
        }
        cleanup(&[png, svg_path]);
    }
}

#[test]
fn memory_plot_png_and_svg() {
    for (name, r) in [("small", small_stream_report()), ("big", big_stream_report())] {
        let png = temp_path(&format!("memory_{name}.png"));
        memory_usage_plot(&r, &png).unwrap();
        check_png(&png);
        let svg_path = temp_path(&format!("memory_{name}.svg"));
        memory_usage_plot_svg(&r, &svg_path).unwrap();
        let svg = std::fs::read_to_string(&svg_path).unwrap();
        for needle in ["Time (cycles)", "Used (KiB)", "capacity", "peak "] {
            assert!(svg.contains(needle), "{name}: missing {needle:?}");
        }
        if name == "big" {
            assert!(svg.contains("Not shown, 1 memory without any tensor in this schedule (peak 0 B)"), "{svg}");
        }
        cleanup(&[png, svg_path]);
    }
}

#[test]
fn empty_report_plots_without_panicking() {
    let r = StreamReport::new("a", "w", "");
    assert!(gantt_chart_svg_string(&r).unwrap().contains("nothing scheduled"));
    assert!(memory_usage_plot_svg_string(&r).unwrap().contains("no memory usage to plot"));
    let png = temp_path("gantt_empty.png");
    gantt_chart(&r, &png).unwrap();
    memory_usage_plot(&r, &png).unwrap();
    std::fs::remove_file(&png).ok();
    let html = gantt_html_string(&r).unwrap();
    assert!(html.contains("\"cns\":[]"));
    check_trace(&r);
}

/// The HTML must be self-contained: no network reference at all, no external script or style.
fn check_html_offline(html: &str) {
    assert!(html.starts_with("<!DOCTYPE html>"));
    for bad in ["http://", "https://", "<script src", "<link", "@import", "url("] {
        assert!(!html.contains(bad), "HTML contains {bad:?}");
    }
    assert_eq!(html.matches("</script>").count(), 3, "data block must not close early");
}

#[test]
fn html_is_self_contained_and_escaped() {
    let mut r = small_stream_report();
    r.cns[0].name = "</script><b>evil".into();
    r.workload = "<w & 'x'>".into();
    let html = gantt_html_string(&r).unwrap();
    check_html_offline(&html);
    assert!(html.contains("<title>Schedule of &lt;w &amp; &#39;x&#39;&gt; on two_core_plus_simd"));
    assert!(html.contains("\\u003c/script>\\u003cb>evil"));
    let big = big_stream_report();
    let path = temp_path("gantt_big.html");
    write_gantt_html(&big, &path).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    check_html_offline(&text);
    assert!(text.len() < 2_000_000, "{} bytes", text.len());
    // The embedded data parses and has every CN and transfer.
    let start = text.find("id=\"zz-data\">").unwrap() + "id=\"zz-data\">".len();
    let end = start + text[start..].find("</script>").unwrap();
    let data: Value = serde_json::from_str(&text[start..end]).unwrap();
    assert_eq!(data["cns"].as_array().unwrap().len(), 2_400);
    assert_eq!(data["transfers"].as_array().unwrap().len(), 5_000);
    assert_eq!(data["rows"].as_array().unwrap().len(), 6 + 7);
    cleanup(&[path]);
}

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
}

/// Renders the HTML Gantt charts in headless Chromium with `scripts/check_gantt_html.sh`
/// (JavaScript errors, self-test of hover / zoom / pan, screenshot).
#[test]
fn html_runs_in_headless_chromium() {
    if !on_path("chromium") {
        println!("SKIPPED: chromium not installed");
        return;
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/check_gantt_html.sh");
    for (name, r) in [("small", small_stream_report()), ("big", big_stream_report())] {
        let html = temp_path(&format!("chromium_{name}.html"));
        write_gantt_html(&r, &html).unwrap();
        let shot = temp_path(&format!("chromium_{name}.png"));
        let out = std::process::Command::new("bash").arg(&script).arg(&html).arg(&shot).output().unwrap();
        let log = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert!(out.status.success(), "{name}: check_gantt_html.sh failed:\n{log}");
        assert!(log.contains("OK"), "{log}");
        check_png(&shot);
        cleanup(&[html, shot]);
    }
}
