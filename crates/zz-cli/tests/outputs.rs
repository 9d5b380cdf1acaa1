//! What `--output DIR` writes: every command names every file it wrote, the one-file HTML
//! reports of `map`, `compare` and `sweep` run in headless Chromium without JavaScript errors
//! (SKIPPED when chromium is absent), and `stream` exports the CN dependency graph.

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn out_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("zz-outputs-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

/// Runs the binary from the repository root; returns stderr.
fn run(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_zigzag-rs")).current_dir(repo()).args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "{args:?} failed:\n{stderr}");
    stderr
}

/// Every file in `dir` is named on a `wrote` line of `stderr`.
fn every_file_named(dir: &Path, stderr: &str) {
    let mut files: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().to_string()).collect();
    files.sort();
    assert!(!files.is_empty());
    for f in &files {
        assert!(
            stderr.lines().any(|l| l.starts_with("wrote ") && l.contains(f.as_str())),
            "{f} was written to {} but not named:\n{stderr}",
            dir.display()
        );
    }
}

fn chromium_check(html: &Path) {
    let has_chromium =
        Command::new("sh").arg("-c").arg("command -v chromium").output().is_ok_and(|o| o.status.success());
    if !has_chromium {
        println!("SKIPPED: chromium not installed, {} not run in a browser", html.display());
        return;
    }
    let out = Command::new("bash").arg(repo().join("scripts/check_report_html.sh")).arg(html).output().unwrap();
    assert!(
        out.status.success(),
        "{} fails in headless Chromium:\n{}{}",
        html.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn report_html_is_self_contained(html: &Path, must_contain: &[&str]) {
    let text = std::fs::read_to_string(html).unwrap();
    // (The SVG namespace URI is a name, not a load.)
    for load in ["src=\"http", "href=\"http", "url(http", "import(\"http", "fetch("] {
        assert!(!text.contains(load), "{} loads something from the network (`{load}`)", html.display());
    }
    for s in must_contain {
        assert!(text.contains(s), "{} lacks `{s}`", html.display());
    }
    chromium_check(html);
}

const EXAMPLE: [&str; 6] =
    ["-a", "examples/accelerator.yaml", "-w", "examples/workload.yaml", "-m", "examples/mapping.yaml"];

#[test]
fn map_writes_and_names_report_html() {
    let dir = out_dir("map");
    let d = dir.to_str().unwrap();
    let err = run(&[&["map", "-q", "--output", d][..], &EXAMPLE[..]].concat());
    every_file_named(&dir, &err);
    report_html_is_self_contained(&dir.join("report.html"), &["conv2", "sram_256KB", "391,303,526.6"]);
}

#[test]
fn compare_writes_and_names_report_html() {
    let dir = out_dir("compare");
    let d = dir.to_str().unwrap();
    let err = run(&[
        "compare",
        "-w",
        "examples/workload.yaml",
        "-a",
        "examples/accelerator.yaml",
        "-m",
        "examples/mapping.yaml",
        "-a",
        "examples/accelerator_sram64KB.yaml",
        "-m",
        "examples/mapping.yaml",
        "--output",
        d,
    ]);
    every_file_named(&dir, &err);
    report_html_is_self_contained(&dir.join("report.html"), &["edge16_sram64KB", "sram_64KB"]);
}

#[test]
fn sweep_writes_and_names_report_html() {
    let dir = out_dir("sweep");
    let d = dir.to_str().unwrap();
    let err = run(&[&["sweep", "-q", "-s", "examples/sweep.yaml", "-o", d][..], &EXAMPLE[..]].concat());
    every_file_named(&dir, &err);
    report_html_is_self_contained(&dir.join("report.html"), &["memories.sram_256KB"]);
}

#[test]
fn stream_exports_the_cn_graph() {
    let dir = out_dir("stream");
    let d = dir.to_str().unwrap();
    let err = run(&[
        "stream",
        "-q",
        "-a",
        "examples/multicore/dual_edge16.yaml",
        "-w",
        "examples/workload.yaml",
        "-m",
        "examples/multicore/mapping.yaml",
        "--mode",
        "fused",
        "--output",
        d,
    ]);
    assert!(err.contains("graph.json") && err.contains("graph.dot"), "{err}");
    let schedule: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("schedule.json")).unwrap()).unwrap();
    let graph: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("graph.json")).unwrap()).unwrap();
    let cns = schedule["cns"].as_array().unwrap();
    let nodes = graph["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), cns.len(), "one graph node per scheduled CN");
    // Every scheduled CN appears with its core and times.
    for c in cns {
        let n = nodes
            .iter()
            .find(|n| n["layer"] == c["layer"] && n["sub_id"] == c["sub_id"])
            .unwrap_or_else(|| panic!("CN {c} missing from graph.json"));
        assert_eq!(n["core"], c["core"]);
        assert_eq!(n["start"].as_f64(), c["start"].as_f64());
        assert_eq!(n["end"].as_f64(), c["end"].as_f64());
    }
    let edges = graph["edges"].as_array().unwrap();
    assert!(edges.iter().any(|e| e["kind"] == "inter" && e["bits"].as_f64().unwrap() > 0.0));
    for e in edges {
        assert!(e["src"].as_u64().unwrap() < nodes.len() as u64 && e["dst"].as_u64().unwrap() < nodes.len() as u64);
    }
    let dot = std::fs::read_to_string(dir.join("graph.dot")).unwrap();
    assert!(dot.starts_with("digraph") && dot.matches("->").count() == edges.len(), "one DOT edge per graph edge");
}

#[test]
fn against_optimal_writes_the_gap_json_and_chart() {
    let dir = out_dir("gap");
    let d = dir.to_str().unwrap();
    // The bundled mapping without the classifier's partial temporal_ordering (the optimal
    // engine refuses one).
    let mapping = std::fs::read_to_string(repo().join("examples/mapping.yaml")).unwrap();
    let free: String = mapping
        .lines()
        .filter(|l| !l.contains("temporal_ordering:") && !l.contains("- [C, \"*\"]"))
        .map(|l| format!("{l}\n"))
        .collect();
    let input = out_dir("gap-input");
    std::fs::create_dir_all(&input).unwrap();
    let m = input.join("mapping_free.yaml");
    std::fs::write(&m, free).unwrap();
    let a = repo().join("examples/accelerator.yaml");
    let w = repo().join("examples/workload.yaml");
    let err = run(&[
        "map",
        "-q",
        "-a",
        a.to_str().unwrap(),
        "-w",
        w.to_str().unwrap(),
        "-m",
        m.to_str().unwrap(),
        "--against",
        "optimal",
        "--time-limit",
        "1",
        "--output",
        d,
    ]);
    every_file_named(&dir, &err);
    assert!(err.contains("gap.png") && err.contains("gap.json"), "{err}");
    let gap: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(dir.join("gap.json")).unwrap()).unwrap();
    let layers = gap["layers"].as_array().unwrap();
    assert_eq!(layers.len(), 4);
    // The classifier's space (15 orderings) is searched to the end: proven, and LOMA finds it.
    let classifier = layers.iter().find(|l| l["layer"] == "classifier").unwrap();
    assert_eq!(classifier["proven_optimal"], true);
    assert_eq!(classifier["gap_percent"].as_f64(), Some(0.0));
    assert!(std::fs::metadata(dir.join("gap.png")).unwrap().len() > 1000);
}
