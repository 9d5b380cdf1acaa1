//! Tests of the HTML reports: content, self-containment, and (when chromium is installed) a
//! headless run of each page's script with `scripts/check_report_html.sh`.

use std::path::{Path, PathBuf};

use super::*;
use crate::fixtures::{gemm_layer, gemm_report, temp_path};
use crate::hierarchy::tests::edge_hierarchy;

fn three_layer_report() -> RunReport {
    let layers = (0..3)
        .map(|i| {
            let mut l = gemm_layer();
            l.id = i;
            l.name = format!("layer{i}/conv<{i}>");
            l
        })
        .collect();
    RunReport::new("edge16", "wl.onnx", layers)
}

fn compare_designs() -> Vec<CompareDesign> {
    let mut second = gemm_report();
    second.accelerator = "big".into();
    second.energy *= 2.0;
    vec![
        CompareDesign {
            label: "edge16".into(),
            report: three_layer_report(),
            hierarchy: Some(edge_hierarchy()),
            area: Some(12.5),
            feasible: true,
            rank: Some(1),
        },
        CompareDesign { label: "big".into(), report: second, hierarchy: None, area: None, feasible: false, rank: None },
    ]
}

fn sweep() -> SweepReport {
    let points = (0..12)
        .map(|i| SweepPoint {
            values: vec![format!("[{} {}]", 8 << (i % 3), 8 << (i % 3)), format!("{}", 1024 * (1 + i / 3))],
            energy: 1e8 + 7e6 * ((i * 5) % 7) as f64,
            latency: 1e6 + 3e5 * ((i * 3) % 5) as f64,
            area: Some(1.0 + i as f64),
            onchip_memory_bits: 8.0 * 1024.0 * (1 + i) as f64,
            feasible: i != 4,
            pareto: i == 0 || i == 7,
            error: (i == 4).then(|| "does not fit".to_string()),
        })
        .collect();
    SweepReport {
        workload: "wl.yaml".into(),
        accelerator: "edge16".into(),
        parameters: vec!["operational_array.sizes".into(), "memories.sram.size".into()],
        area_unit: String::new(),
        points,
        best: Some(7),
    }
}

/// Checks shared by every page: one document, no external resource, data block parses.
fn check_page(html: &str) -> Value {
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.trim_end().ends_with("</html>"));
    assert!(html.contains("Content-Security-Policy"));
    for bad in ["src=\"http", "href=\"http", "<link ", "@import", "cdn"] {
        assert!(!html.contains(bad), "external resource `{bad}`");
    }
    let start = html.find("id=\"zz-data\">").unwrap() + "id=\"zz-data\">".len();
    let end = start + html[start..].find("</script>").unwrap();
    serde_json::from_str(&html[start..end]).unwrap()
}

#[test]
fn run_report_has_totals_layers_chart_hierarchy_and_loop_nests() {
    let r = three_layer_report();
    let html = run_report_html(&r, Some(&edge_hierarchy())).unwrap();
    let data = check_page(&html);
    assert_eq!(data["charts"]["layers"].as_array().unwrap().len(), 3);
    assert!(html.contains("450,001.5 pJ"), "total energy with unit");
    assert!(html.contains("24,582 cycles"));
    // Names are escaped everywhere.
    assert!(html.contains("layer1/conv&lt;1&gt;"));
    assert!(!html.contains("conv<1>"));
    assert!(html.contains("<svg") && html.contains("data-memory=\"sram_256KB\""));
    assert_eq!(html.matches("<details>").count(), 3);
    assert!(html.contains("Temporal Loops"));
    assert!(html.contains("class=\"chart\" data-chart=\"layers\""));
    // Without a hierarchy: no diagram, still a page.
    let html = run_report_html(&r, None).unwrap();
    assert!(!html.contains("Memory hierarchy of"));
    check_page(&html);
}

#[test]
fn compare_report_has_every_design() {
    let html = compare_report_html("wl.onnx", &compare_designs()).unwrap();
    let data = check_page(&html);
    assert_eq!(data["charts"]["designs"].as_array().unwrap().len(), 2);
    assert_eq!(data["charts"]["design-0"].as_array().unwrap().len(), 3);
    assert!(html.contains("id=\"design-1\""));
    assert!(html.contains("class=\"infeasible\""));
    assert_eq!(html.matches("class=\"hier\"").count(), 1);
}

#[test]
fn sweep_report_names_parameters_and_marks_best() {
    let s = sweep();
    let html = sweep_report_html(&s, Some(&edge_hierarchy()), Some(&gemm_report())).unwrap();
    let data = check_page(&html);
    assert_eq!(data["sweep"]["points"].as_array().unwrap().len(), 12);
    assert_eq!(data["sweep"]["best"], 7);
    assert_eq!(data["sweep"]["points"][4]["feasible"], false);
    assert!(html.contains("<th>memories.sram.size</th>"));
    assert!(html.contains("<tr id=\"point-7\" class=\"hl\">"));
    assert!(html.contains("does not fit"));
    assert!(html.contains("The chosen point (point 7)"));
    assert!(data["charts"]["chosen"].is_array());
    // Non-finite values never reach the JSON (JSON has no NaN).
    let mut s = sweep();
    s.points[0].energy = f64::NAN;
    check_page(&sweep_report_html(&s, None, None).unwrap());
}

#[test]
fn empty_inputs_do_not_panic() {
    check_page(&run_report_html(&RunReport::new("a", "w", vec![]), Some(&MemoryHierarchy::default())).unwrap());
    check_page(&compare_report_html("w", &[]).unwrap());
    check_page(&sweep_report_html(&SweepReport::default(), None, None).unwrap());
}

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
}

fn check_in_chromium(name: &str, html: &str) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/check_report_html.sh");
    let path: PathBuf = temp_path(&format!("report_{name}.html"));
    std::fs::write(&path, html).unwrap();
    let shot = temp_path(&format!("report_{name}.png"));
    let out = std::process::Command::new("bash").arg(&script).arg(&path).arg(&shot).output().unwrap();
    let log = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{name}: check_report_html.sh failed:\n{log}");
    assert!(log.contains("OK"), "{log}");
    if std::env::var_os("ZZ_REPORT_KEEP_PLOTS").is_none() {
        std::fs::remove_file(&path).ok();
        std::fs::remove_file(&shot).ok();
    }
}

/// Runs the three report pages in headless Chromium: no JavaScript error, self-test passes.
#[test]
fn reports_run_in_headless_chromium() {
    if !on_path("chromium") {
        println!("SKIPPED: chromium not installed");
        return;
    }
    check_in_chromium("map", &run_report_html(&three_layer_report(), Some(&edge_hierarchy())).unwrap());
    check_in_chromium("compare", &compare_report_html("wl.onnx", &compare_designs()).unwrap());
    check_in_chromium("sweep", &sweep_report_html(&sweep(), Some(&edge_hierarchy()), Some(&gemm_report())).unwrap());
}
