//! Whole-network parity with the reference test-suite table `expected.csv` (ZigZag 3.9.1):
//! every non-IMC row is run through [`zz_search::search_network`] with that row's options
//! (objective, LPF limit, number of spatial mappings, temporal mapping type, mixed spatial
//! generation, inter-layer data locality) and its energy and latency are compared with the
//! row's relative tolerance.
//!
//! IMC rows (`in_memory_compute`) run with the reference's IMC flow (mixed spatial mappings and
//! inter-layer locality, the IMC cost model chosen by the accelerator) and also check the API's
//! `tclk` and `area`. Every row must match.

use std::path::{Path, PathBuf};
use zz_cost::MappingType;
use zz_search::{LomaOptions, SearchOptions, SpatialOptions};

fn reference_dir() -> PathBuf {
    zz_test_support::reference_path().join("zigzag")
}

/// One row of `expected.csv`.
struct Row {
    case: String,
    workload: String,
    accelerator: String,
    mapping: String,
    opt: String,
    lpf_limit: usize,
    nb_spatial: usize,
    engine: String,
    mapping_type: String,
    imc: bool,
    locality: bool,
    mixed: bool,
    energy: f64,
    latency: f64,
    rel_tol: f64,
    tclk: Option<f64>,
    area: Option<f64>,
}

fn parse_bool(s: &str) -> bool {
    s.trim().eq_ignore_ascii_case("true")
}

fn read_rows(path: &Path) -> Vec<Row> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header line").split(',').map(str::trim).collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap_or_else(|| panic!("column {name} missing"));
    let c = [
        col("case"),
        col("workload"),
        col("accelerator"),
        col("mapping"),
        col("opt"),
        col("lpf_limit"),
        col("nb_spatial_mappings"),
        col("engine"),
        col("mapping_type"),
        col("in_memory_compute"),
        col("exploit_data_locality"),
        col("enable_mix_spatial_mapping"),
        col("expected_energy"),
        col("expected_latency"),
        col("rel_tol"),
        col("expected_tclk"),
        col("expected_area"),
    ];
    lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split(',').map(str::trim).collect();
            let num = |k: usize| -> f64 { f[c[k]].parse().unwrap_or_else(|e| panic!("{l}: column {k}: {e}")) };
            Row {
                case: f[c[0]].to_string(),
                workload: f[c[1]].to_string(),
                accelerator: f[c[2]].to_string(),
                mapping: f[c[3]].to_string(),
                opt: f[c[4]].to_string(),
                lpf_limit: num(5) as usize,
                nb_spatial: num(6) as usize,
                engine: f[c[7]].to_string(),
                mapping_type: f[c[8]].to_string(),
                imc: parse_bool(f[c[9]]),
                locality: parse_bool(f[c[10]]),
                mixed: parse_bool(f[c[11]]),
                energy: num(12),
                latency: num(13),
                rel_tol: num(14),
                tclk: f[c[15]].parse().ok(),
                area: f[c[16]].parse().ok(),
            }
        })
        .collect()
}

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * b.abs()
}

/// Energy, latency and, on IMC arrays, (tclk, area).
type RowResult = (f64, f64, Option<(f64, f64)>);

/// Runs one row; `Ok((energy, latency, IMC (tclk, area)))` or why it could not run.
fn run_row(dir: &Path, row: &Row) -> Result<RowResult, String> {
    let (acc, _) = zz_inputs::read_accelerator(&dir.join(&row.accelerator)).map_err(|e| e.to_string())?;
    let wpath = dir.join(&row.workload);
    let (workload, _) = if row.workload.ends_with(".onnx") {
        zz_inputs::read_workload_onnx(&wpath)
    } else {
        zz_inputs::read_workload_yaml(&wpath)
    }
    .map_err(|e| e.to_string())?;
    let (mapping, _) = zz_inputs::read_mapping(&dir.join(&row.mapping)).map_err(|e| e.to_string())?;
    if row.engine != "loma" {
        return Err(format!("engine {} not supported", row.engine));
    }
    let objective =
        zz_search::network::objective_from_str(&row.opt).ok_or_else(|| format!("unknown objective {}", row.opt))?;
    let mapping_type = match row.mapping_type.as_str() {
        "uneven" => MappingType::Uneven,
        "even" => MappingType::Even,
        other => return Err(format!("unknown mapping type {other}")),
    };
    let opts = SearchOptions {
        spatial: SpatialOptions { nb_mappings: row.nb_spatial, mixed: row.mixed, ..Default::default() },
        loma: LomaOptions { lpf_limit: row.lpf_limit, mapping_type, objective, ..Default::default() },
        exploit_data_locality: row.locality,
        salsa: None,
        ..Default::default()
    };
    let opts = if row.imc { opts.in_memory_compute() } else { opts };
    let r = zz_search::search_network(&workload, &acc, &mapping, &opts, &|_| {}).map_err(|e| e.to_string())?;
    Ok((r.totals.energy_total, r.totals.latency_total2, r.imc))
}

#[test]
fn expected_csv_cases() {
    let dir = reference_dir();
    let csv = dir.join("expected.csv");
    if !csv.is_file() {
        println!("SKIPPED: ../shared/reference absent");
        return;
    }
    let rows = read_rows(&csv);
    let mut matched = 0;
    let mut total = 0;
    let mut failures: Vec<String> = Vec::new();
    for row in &rows {
        total += 1;
        let start = std::time::Instant::now();
        let outcome = run_row(&dir, row);
        let secs = start.elapsed().as_secs_f64();
        let (ok, detail) = match &outcome {
            Ok((e, l, imc)) => (
                close(*e, row.energy, row.rel_tol)
                    && close(*l, row.latency, row.rel_tol)
                    && match (row.tclk, row.area) {
                        (Some(t), Some(a)) => imc.is_some_and(|(gt, ga)| close(gt, t, 1e-9) && close(ga, a, 1e-9)),
                        _ => imc.is_none(),
                    },
                format!(
                    "energy {e:?} (expected {:?}, rel {:.1e}), latency {l:?} (expected {:?}, rel {:.1e}), \
                     tclk/area {imc:?} (expected {:?}/{:?})",
                    row.energy,
                    (e - row.energy).abs() / row.energy.abs(),
                    row.latency,
                    (l - row.latency).abs() / row.latency.abs(),
                    row.tclk,
                    row.area
                ),
            ),
            Err(msg) => (false, format!("error: {msg}")),
        };
        if ok {
            matched += 1;
            println!("{:<62} ok       {detail} [{secs:.2} s]", row.case);
        } else {
            println!("{:<62} MISMATCH {detail} [{secs:.2} s]", row.case);
            failures.push(format!("{}: {detail}", row.case));
        }
    }
    println!("{matched}/{total} expected.csv cases match");
    assert_eq!(total, rows.len());
    assert!(failures.is_empty(), "{} case(s) mismatch:\n{}", failures.len(), failures.join("\n"));
}
