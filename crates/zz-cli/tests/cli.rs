//! End-to-end tests of the `zigzag-rs` binary: reference parity through the CLI, bad
//! inputs (exit code 2, located message, no panic), and thread-count determinism.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_zigzag-rs"))
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn reference() -> Option<PathBuf> {
    let p = repo().join("../shared/reference");
    if p.is_dir() { Some(p) } else { None }
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("zz-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d.join(name)
}

/// `zigzag-rs <command> <flags> -a/-w/-m <the bundled example>`, run from the repository root.
fn example_command(command_and_flags: &[&str]) -> Command {
    let mut c = bin();
    c.current_dir(repo()).args(command_and_flags).args([
        "-a",
        "examples/accelerator.yaml",
        "-w",
        "examples/workload.yaml",
        "-m",
        "examples/mapping.yaml",
    ]);
    c
}

fn run_json(args: &[&str], cwd: &Path, out: &Path) -> (Output, serde_json::Value) {
    let o = bin().current_dir(cwd).args(args).arg("--json").arg(out).arg("-q").output().unwrap();
    assert!(o.status.success(), "zigzag-rs {args:?} failed: {}", String::from_utf8_lossy(&o.stderr));
    let v = serde_json::from_str(&std::fs::read_to_string(out).unwrap()).unwrap();
    (o, v)
}

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * b.abs()
}

#[test]
fn tutorial_lab1_legacy_and_v39_schema() {
    let Some(r) = reference() else {
        eprintln!("SKIPPED: ../shared/reference absent; tutorial lab 1 not checked");
        return;
    };
    let lab = r.join("zigzag-tutorial");
    for hw in ["lab1/inputs/hardware/accelerator1.yaml", "lab1/inputs/hardware-v39/accelerator1.yaml"] {
        let out = tmp(&format!("lab1-{}.json", hw.contains("v39")));
        let (o, v) = run_json(
            &[
                "map",
                "-a",
                hw,
                "-w",
                "lab1/inputs/workload/resnet18_first_layer.onnx",
                "-m",
                "lab1/inputs/mapping/mapping.yaml",
            ],
            &lab,
            &out,
        );
        let e = v["energy"].as_f64().unwrap();
        let l = v["latency"].as_f64().unwrap();
        eprintln!("lab1 with {hw}: energy {e}, latency {l}");
        assert!(close(e, 2642472432.376, 1e-9), "energy {e}");
        assert!(close(l, 20129090.0, 1e-9), "latency {l}");
        let stderr = String::from_utf8_lossy(&o.stderr);
        if !hw.contains("v39") {
            // The legacy file repeats the memory key `rf_1B`: last wins, with a warning naming both lines.
            assert!(
                stderr.contains("rf_1B") && stderr.contains("line"),
                "expected a duplicate-key warning, got {stderr}"
            );
        }
    }
}

#[test]
fn tpu_like_resnet18_through_the_cli() {
    let Some(r) = reference() else {
        eprintln!("SKIPPED: ../shared/reference absent");
        return;
    };
    let zz = r.join("zigzag");
    // ZigZag 3.9.1 test values (expected.csv, test_origin/test_tpu_like).
    for (wl, energy, latency) in [
        ("workload/resnet18.onnx", 1871436380.6559997, 3865041.0),
        ("workload/resnet18.yaml", 2615172831.3759995, 5817949.0),
    ] {
        let out = tmp("tpu.json");
        let (_, v) =
            run_json(&["map", "-a", "hardware/tpu_like.yaml", "-w", wl, "-m", "mapping/tpu_like.yaml"], &zz, &out);
        assert!(close(v["energy"].as_f64().unwrap(), energy, 1e-9), "{wl}: {}", v["energy"]);
        assert!(close(v["latency"].as_f64().unwrap(), latency, 1e-9), "{wl}: {}", v["latency"]);
    }
}

#[test]
fn bundled_example_runs_and_writes_outputs() {
    let dir = tmp("example-out");
    let o = example_command(&["map"]).args(["--output"]).arg(&dir).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("Energy:") && stdout.contains("Loop ordering for conv2"), "{stdout}");
    for f in ["results.json", "breakdown.png", "breakdown.svg"] {
        assert!(std::fs::metadata(dir.join(f)).map(|m| m.len() > 100).unwrap_or(false), "{f} missing");
    }
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("results.json")).unwrap()).unwrap();
    let keys: Vec<&String> = v.as_object().unwrap().keys().take(2).collect();
    assert_eq!(keys, ["energy", "latency"]);
    let sum: f64 = v["layers"].as_array().unwrap().iter().map(|l| l["energy"].as_f64().unwrap()).sum();
    assert!(close(v["energy"].as_f64().unwrap(), sum, 1e-12));
}

#[test]
fn thread_count_does_not_change_results() {
    let mut outs = Vec::new();
    for t in ["1", "2"] {
        let out = tmp(&format!("threads-{t}.json"));
        let o = example_command(&["map", "-q"])
            .args(["--lpf-limit", "7", "--threads", t, "--json"])
            .arg(&out)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        outs.push(std::fs::read(&out).unwrap());
    }
    assert_eq!(outs[0], outs[1], "--threads 1 and --threads 2 differ");
}

#[test]
fn bad_inputs_exit_2_with_location_and_never_panic() {
    let dir = repo().join("crates/zz-inputs/tests/bad_inputs");
    let ex = repo().join("examples");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    let mut checked = 0;
    for f in &files {
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        let (a, w, m) = if name.starts_with("acc_") {
            (f.clone(), ex.join("workload.yaml"), ex.join("mapping.yaml"))
        } else if name.starts_with("map_") {
            (ex.join("accelerator.yaml"), ex.join("workload.yaml"), f.clone())
        } else if name.starts_with("wl_") || name.starts_with("onnx_") {
            (ex.join("accelerator.yaml"), f.clone(), ex.join("mapping.yaml"))
        } else {
            continue;
        };
        let o = bin().args(["map", "-q", "-a"]).arg(&a).arg("-w").arg(&w).arg("-m").arg(&m).output().unwrap();
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{name}: expected exit 2, got {:?}; stderr: {stderr}", o.status.code());
        assert!(!stderr.contains("panicked"), "{name}: panic: {stderr}");
        assert!(stderr.contains(&name), "{name}: message does not name the file: {stderr}");
        let located = stderr.contains(&format!("{name}:"))
            && stderr.split(&format!("{name}:")).nth(1).is_some_and(|s| s.starts_with(|c: char| c.is_ascii_digit()));
        assert!(located, "{name}: message has no line number: {stderr}");
        checked += 1;
    }
    eprintln!("{checked} malformed input files rejected with exit code 2");
    assert!(checked >= 25, "only {checked} bad-input files");
}

#[test]
fn unsupported_option_values_are_input_errors() {
    let o = example_command(&["map"]).args(["--opt", "speed"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--opt"));
}

#[test]
fn salsa_is_reproducible_for_a_seed_whatever_the_thread_count() {
    let run = |threads: &str, seed: &str| {
        let out = tmp(&format!("salsa-{threads}-{seed}.json"));
        let o = example_command(&["map", "-q"])
            .args([
                "--engine",
                "salsa",
                "--salsa-chains",
                "3",
                "--salsa-iterations",
                "300",
                "--seed",
                seed,
                "--threads",
                threads,
                "--json",
            ])
            .arg(&out)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        std::fs::read(&out).unwrap()
    };
    let a = run("1", "11");
    assert_eq!(a, run("2", "11"), "SALSA differs between 1 and 2 threads");
    let v: serde_json::Value = serde_json::from_slice(&a).unwrap();
    assert!(v["energy"].as_f64().unwrap() > 0.0);
    assert_ne!(a, run("1", "12"), "a different seed should explore differently");
}

/// ZigZag 3.9.1's own test values (`reference/zigzag/expected.csv`), every non-IMC row through
/// the binary, within the reference's tolerance (1e-6).
#[test]
fn zigzag_test_suite_values_through_the_cli() {
    let Some(r) = reference() else {
        eprintln!("SKIPPED: ../shared/reference absent; expected.csv not checked");
        return;
    };
    let dir = r.join("zigzag");
    let csv = std::fs::read_to_string(dir.join("expected.csv")).unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (mut matched, mut total) = (0, 0);
    let mut failures = Vec::new();
    for line in lines.filter(|l| !l.trim().is_empty()) {
        let f: Vec<&str> = line.split(',').collect();
        let case = f[col("case")];
        // IMC rows need no flag: an IMC accelerator runs ZigZag's in_memory_compute flow.
        let imc = f[col("in_memory_compute")] == "True";
        total += 1;
        let out = tmp("csv.json");
        let mut args = vec![
            "map",
            "-q",
            "-a",
            f[col("accelerator")],
            "-w",
            f[col("workload")],
            "-m",
            f[col("mapping")],
            "--opt",
            f[col("opt")],
            "--lpf-limit",
            f[col("lpf_limit")],
            "--spatial-mappings",
            f[col("nb_spatial_mappings")],
            "--engine",
            f[col("engine")],
            "--mapping-type",
            f[col("mapping_type")],
        ];
        if f[col("exploit_data_locality")] == "True" {
            args.push("--exploit-data-locality");
        }
        if f[col("enable_mix_spatial_mapping")] == "True" {
            args.push("--mixed-spatial");
        }
        let o = bin().current_dir(&dir).args(&args).arg("--json").arg(&out).output().unwrap();
        if !o.status.success() {
            failures.push(format!("{case}: {}", String::from_utf8_lossy(&o.stderr)));
            continue;
        }
        let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
        let (e, l) = (v["energy"].as_f64().unwrap(), v["latency"].as_f64().unwrap());
        let (we, wl) =
            (f[col("expected_energy")].parse::<f64>().unwrap(), f[col("expected_latency")].parse::<f64>().unwrap());
        let tol: f64 = f[col("rel_tol")].parse().unwrap();
        let imc_ok = if imc {
            let (wt, wa) =
                (f[col("expected_tclk")].parse::<f64>().unwrap(), f[col("expected_area")].parse::<f64>().unwrap());
            let (t, a) = (v["tclk"].as_f64(), v["area"].as_f64());
            let ok = t.is_some_and(|t| close(t, wt, 1e-9)) && a.is_some_and(|a| close(a, wa, 1e-9));
            if !ok {
                failures.push(format!("{case}: tclk/area {t:?}/{a:?}, want {wt}/{wa}"));
            }
            ok
        } else {
            v.get("tclk").is_none() && v.get("area").is_none()
        };
        if close(e, we, tol) && close(l, wl, tol) && imc_ok {
            matched += 1;
            eprintln!("ok {case}: {e} pJ, {l} cycles, tclk {:?} ns, area {:?} mm²", v.get("tclk"), v.get("area"));
        } else {
            failures.push(format!("{case}: got {e} / {l}, want {we} / {wl}"));
        }
    }
    eprintln!("{matched}/{total} expected.csv cases (IMC rows with tclk and area) match through the CLI");
    assert!(failures.is_empty(), "{failures:#?}");
    assert_eq!(total, 37);
    assert_eq!(matched, 37);
}

#[test]
fn compare_tutorial_lab3_accelerators() {
    let Some(r) = reference() else {
        eprintln!("SKIPPED: ../shared/reference absent; lab 3 comparison not checked");
        return;
    };
    let lab = r.join("zigzag-tutorial");
    let dir = tmp("compare-lab3");
    let mut cmd = bin();
    cmd.current_dir(&lab).args(["compare", "-w", "lab3/inputs/workload/resnet18_first_layer.onnx"]);
    for i in 1..=3 {
        cmd.args([
            "-a",
            &format!("lab3/inputs/hardware/accelerator{i}.yaml"),
            "-m",
            &format!("lab3/inputs/mapping/accelerator{i}.yaml"),
        ]);
    }
    let o = cmd.arg("--max-latency").arg("1000000").arg("--output").arg(&dir).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("comparison.json")).unwrap()).unwrap();
    // accelerator1 (1.23 M cycles) violates --max-latency; the others are ranked by latency.
    let ranks: Vec<serde_json::Value> = v["ranking"].as_array().unwrap().iter().map(|r| r["rank"].clone()).collect();
    assert_eq!(ranks, [serde_json::Value::Null, serde_json::json!(1), serde_json::json!(2)]);
    for i in 1..=3 {
        let fx: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(lab.join(format!("oracle/lab3_acc{i}.json"))).unwrap())
                .unwrap();
        let d = &v["designs"][i - 1];
        let (e, l) = (d["energy"].as_f64().unwrap(), d["latency"].as_f64().unwrap());
        eprintln!("lab3 accelerator{i}: {e} pJ, {l} cycles");
        assert!(close(e, fx["totals"]["energy"].as_f64().unwrap(), 1e-9));
        assert!(close(l, fx["totals"]["latency"].as_f64().unwrap(), 1e-9));
    }
    assert!(std::fs::metadata(dir.join("comparison.png")).map(|m| m.len() > 1000).unwrap_or(false));
}

/// Reads the sweep CSV: (energy, latency, feasible, pareto) per point.
fn read_sweep_csv(path: &Path) -> Vec<(f64, f64, bool, bool)> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |n: &str| header.iter().position(|h| *h == n).unwrap();
    let (e, l, f, p) = (col("energy_pJ"), col("latency_cycles"), col("feasible"), col("pareto"));
    lines
        .map(|line| {
            // parameter values never contain commas here (lists print with spaces)
            let v: Vec<&str> = line.split(',').collect();
            (v[e].parse().unwrap(), v[l].parse().unwrap(), v[f] == "true", v[p] == "true")
        })
        .collect()
}

#[test]
fn sweep_of_200_tpu_like_variants_has_a_correct_pareto_front() {
    let Some(r) = reference() else {
        eprintln!("SKIPPED: ../shared/reference absent; 200-point sweep not run");
        return;
    };
    let zz = r.join("zigzag");
    let dir = tmp("sweep200");
    let o = bin()
        .current_dir(&zz)
        .args([
            "sweep",
            "-q",
            "-a",
            "hardware/tpu_like.yaml",
            "-w",
            "workload/resnet18.onnx",
            "-m",
            "mapping/tpu_like.yaml",
        ])
        .arg("-s")
        .arg(repo().join("crates/zz-cli/tests/data/tpu_like_sweep.yaml"))
        .args(["--lpf-limit", "4", "-o"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    eprintln!("{}", String::from_utf8_lossy(&o.stdout));
    let pts = read_sweep_csv(&dir.join("sweep.csv"));
    assert_eq!(pts.len(), 200);
    let feasible: Vec<_> = pts.iter().filter(|p| p.2).collect();
    assert!(feasible.len() > 100, "only {} feasible points", feasible.len());
    for a in &feasible {
        let dominated = feasible.iter().any(|b| b.0 <= a.0 && b.1 <= a.1 && (b.0 < a.0 || b.1 < a.1));
        assert_eq!(a.3, !dominated, "point {a:?}: pareto flag {} but dominated {dominated}", a.3);
    }
    assert!(feasible.iter().any(|p| p.3));
    for f in ["pareto.png", "pareto.svg", "sweep.json"] {
        assert!(dir.join(f).exists(), "{f} missing");
    }
}

#[test]
fn sweep_constraints_filter_points() {
    let dir = tmp("sweep-example");
    let o = example_command(&["sweep", "-q"])
        .args(["-s", "examples/sweep.yaml", "--lpf-limit", "4", "--max-area", "300", "-o"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let pts = read_sweep_csv(&dir.join("sweep.csv"));
    assert_eq!(pts.len(), 36);
    // area = MAC units (unit_area 1, memories have area 0): only 8x8 and 16x16 arrays fit 300.
    assert_eq!(pts.iter().filter(|p| p.2).count(), 18);
    assert!(pts.iter().all(|p| !p.3 || p.2), "an infeasible point is on the front");
}

/// IMC accelerators are costed with ZigZag 3.9.1's IMC model: the reference runs give the
/// reference numbers (the user report: 4,695,729,577.2 pJ and 5,050,846 cycles for
/// aimc, not the digital-array numbers printed before), the JSON carries `tclk`, `area` and a
/// per-layer `imc` object, and what is not modelled still stops with exit 2.
#[test]
fn imc_accelerators_are_costed_like_the_reference() {
    let imc = "crates/zz-cli/tests/data/imc_small.yaml";
    let args = ["-w", "examples/workload.yaml", "-m", "examples/mapping.yaml"];
    let out = tmp("imc-small.json");
    let (o, v) = run_json(&["map", "-a", imc, args[0], args[1], args[2], args[3]], &repo(), &out);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("IMC:") && stdout.contains("tclk") && stdout.contains("MAC energy:"), "{stdout}");
    let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
    assert_eq!(keys[..4], ["energy", "latency", "tclk", "area"]);
    assert!(v["layers"][0]["imc"]["mac_energy_breakdown"]["adcs"].as_f64().unwrap() > 0.0);
    // compare: a digital and an IMC design side by side, the IMC one with its tclk and IMC area.
    let o = bin()
        .current_dir(repo())
        .args(["compare", "-a", "examples/accelerator.yaml", "-a", imc, "-m", "examples/mapping.yaml"])
        .args(&args[..2])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let tclk = format!("{:.5}", v["tclk"].as_f64().unwrap());
    assert!(stdout.contains("tclk [ns]") && stdout.contains(&tclk), "{stdout}");
    // Not modelled (ZigZag 3.9.1 crashes): cells holding more than one weight.
    let big_cells = std::fs::read_to_string(repo().join(imc)).unwrap().replacen("size: 8", "size: 16", 1);
    let p = tmp("imc_big_cells.yaml");
    std::fs::write(&p, big_cells).unwrap();
    let o = bin().current_dir(repo()).args(["map", "-q", "-a"]).arg(&p).args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("cells") && stderr.contains("precharging"), "{stderr}");
    let Some(r) = reference() else {
        eprintln!("SKIPPED: ../shared/reference absent; the reference IMC accelerators not checked");
        return;
    };
    for (hw, energy, latency) in [("aimc", 4695729577.211851, 5050846.0), ("dimc", 4726170712.825855, 5681000.0)] {
        let out = tmp(&format!("{hw}.json"));
        let (_, v) = run_json(
            &[
                "map",
                "-a",
                &format!("hardware/{hw}.yaml"),
                "-w",
                "workload/resnet18.onnx",
                "-m",
                "mapping/default_imc.yaml",
            ],
            &r.join("zigzag"),
            &out,
        );
        let (e, l) = (v["energy"].as_f64().unwrap(), v["latency"].as_f64().unwrap());
        eprintln!("{hw}: {e} pJ, {l} cycles, tclk {} ns, area {} mm²", v["tclk"], v["area"]);
        assert!(close(e, energy, 1e-9) && close(l, latency, 1e-9), "{hw}: {e} {l}");
    }
}

/// `reference/zigzag/hardware/tpu_like_cacti.yaml` (an `rf` and an SRAM costed by CACTI) on
/// `workload/resnet18_first3.yaml` must match `oracle/tpu_like_cacti.json`: from a cache file of
/// ZigZag's recorded CACTI results (always), with a real CACTI binary (`ZIGZAG_RS_CACTI`, installed
/// by scripts/install_cacti.sh; SKIPPED without one), and without either it must stop with exit 2
/// naming the memory, the configuration and both ways to supply a binary.
#[test]
fn cacti_memories_through_the_cli() {
    let Some(r) = reference() else {
        eprintln!("SKIPPED: ../shared/reference absent; tpu_like_cacti not checked");
        return;
    };
    let dir = r.join("zigzag");
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("oracle/tpu_like_cacti.json")).unwrap()).unwrap();
    let (we, wl) = (v["totals"]["energy"].as_f64().unwrap(), v["totals"]["latency"].as_f64().unwrap());
    let args = ["map", "-q", "-a", "hardware/tpu_like_cacti.yaml", "-w", "workload/resnet18_first3.yaml"];
    let run = |cache: &Path, binary: Option<&str>| {
        let mut c = bin();
        c.current_dir(&dir).args(args).args(["-m", "mapping/tpu_like.yaml"]).env("ZIGZAG_RS_CACTI_CACHE", cache);
        match binary {
            Some(b) => c.env("ZIGZAG_RS_CACTI", b),
            None => c.env_remove("ZIGZAG_RS_CACTI"),
        };
        c
    };
    // No binary, no cache.
    let empty = tmp("cacti-empty.tsv");
    let _ = std::fs::remove_file(&empty);
    let o = run(&empty, None).output().unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    for s in ["tpu_like_cacti.yaml:", "rf_128B", "-size (bytes) 16384", "--cacti", "ZIGZAG_RS_CACTI"] {
        assert!(stderr.contains(s), "no `{s}` in: {stderr}");
    }
    // A cache of the recorded results.
    let cache = tmp("cacti-recorded.tsv");
    let mut text = String::new();
    for (call, q) in v["cacti_calls"].as_array().unwrap().iter().zip([(16384, 8), (2097152, 2048)]) {
        let q = zz_inputs::cacti::CactiQuery { size_bytes: q.0, bus_width: q.1, cache_type: "ram" };
        text += &format!("{}\t{}\t{}\t{}\n", q.key(), call["r_cost"], call["w_cost"], call["area"]);
    }
    std::fs::write(&cache, text).unwrap();
    let out = tmp("cacti-cached.json");
    let o = run(&cache, None).arg("--json").arg(&out).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let got: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let (e, l) = (got["energy"].as_f64().unwrap(), got["latency"].as_f64().unwrap());
    eprintln!("tpu_like_cacti from the cache: {e} pJ, {l} cycles (ZigZag {we}, {wl})");
    assert!(close(e, we, 1e-9) && close(l, wl, 1e-9));
    // The real binary, on a fresh cache.
    let Some(binary) = std::env::var_os("ZIGZAG_RS_CACTI").map(|b| b.to_string_lossy().to_string()) else {
        eprintln!("SKIPPED: no CACTI binary (ZIGZAG_RS_CACTI unset; scripts/install_cacti.sh installs one)");
        return;
    };
    let fresh = tmp("cacti-fresh.tsv");
    let _ = std::fs::remove_file(&fresh);
    let out = tmp("cacti-binary.json");
    let o = run(&fresh, Some(&binary)).arg("--json").arg(&out).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let got: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let (e, l) = (got["energy"].as_f64().unwrap(), got["latency"].as_f64().unwrap());
    eprintln!("tpu_like_cacti with CACTI {binary}: {e} pJ, {l} cycles");
    assert!(close(e, we, 1e-9) && close(l, wl, 1e-9));
    assert_eq!(std::fs::read_to_string(&fresh).unwrap().lines().count(), 2, "results are cached");
}

/// Tutorial IMC labs 5 and 6: the fixed inputs (`cells: auto_cost_extraction: false`,
/// reference/zigzag-tutorial/IMC-LABS.md) match `oracle/lab{5,6}.json` (energy, latency, tclk,
/// area); the original files, on which ZigZag 3.9.1 dies in its CACTI parser, exit 2 naming it.
#[test]
fn tutorial_imc_labs_5_and_6() {
    let Some(r) = reference() else {
        eprintln!("SKIPPED: ../shared/reference absent; IMC labs not checked");
        return;
    };
    let tut = r.join("zigzag-tutorial");
    for (lab, wl) in [("lab5", "resnet18_first_layer.onnx"), ("lab6", "resnet18_second_layer.onnx")] {
        let dir = tut.join(lab);
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(tut.join(format!("oracle/{lab}.json"))).unwrap()).unwrap();
        let t = &v["totals"];
        let w = format!("inputs/workload/{wl}");
        let common = ["-w", w.as_str(), "-m", "inputs/mapping/mapping.yaml"];
        let out = tmp(&format!("{lab}.json"));
        let (_, got) = run_json(
            &["map", "-a", "inputs/hardware-v39/accelerator_fixed.yaml", common[0], common[1], common[2], common[3]],
            &dir,
            &out,
        );
        for k in ["energy", "latency", "tclk", "area"] {
            let (g, want) = (got[k].as_f64().unwrap(), t[k].as_f64().unwrap());
            eprintln!("{lab} {k}: {g} (ZigZag {want})");
            assert!(close(g, want, 1e-9), "{lab} {k}: {g} vs {want}");
        }
        for orig in ["inputs/hardware/accelerator.yaml", "inputs/hardware-v39/accelerator.yaml"] {
            let o = bin().current_dir(&dir).args(["map", "-q", "-a", orig]).args(common).output().unwrap();
            let stderr = String::from_utf8_lossy(&o.stderr);
            assert_eq!(o.status.code(), Some(2), "{lab} {orig}: {stderr}");
            assert!(stderr.contains("accelerator.yaml:") && stderr.contains("cell-array parser"), "{stderr}");
        }
    }
}

/// `sweep` over an IMC design writes its clock period per point (`tclk_ns`, JSON `tclk`), equal
/// to what `map` reports for the same accelerator, and its IMC area.
#[test]
fn sweep_of_an_imc_design_reports_tclk_and_area() {
    let imc = "crates/zz-cli/tests/data/imc_small.yaml";
    let args = ["-w", "examples/workload.yaml", "-m", "examples/mapping.yaml"];
    let out = tmp("imc-sweep-map.json");
    let (_, m) = run_json(&["map", "-a", imc, args[0], args[1], args[2], args[3]], &repo(), &out);
    let dir = tmp("imc-sweep");
    let o = bin()
        .current_dir(repo())
        .args(["sweep", "-q", "-a", imc])
        .args(args)
        .args(["-s", "crates/zz-cli/tests/data/imc_sweep.yaml", "-o"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(dir.join("sweep.json")).unwrap()).unwrap();
    let pts = v["points"].as_array().or_else(|| v.as_array()).expect("points");
    assert_eq!(pts.len(), 2);
    let (t0, t1) = (pts[0]["tclk"].as_f64().unwrap(), pts[1]["tclk"].as_f64().unwrap());
    assert_eq!(t0, m["tclk"].as_f64().unwrap(), "tclk of the unchanged point vs map");
    assert_eq!(pts[0]["area"].as_f64().unwrap(), m["area"].as_f64().unwrap(), "IMC area vs map");
    assert_eq!(pts[0]["energy"].as_f64().unwrap(), m["energy"].as_f64().unwrap());
    assert_ne!(t0, t1, "a 32x32 array has another clock period than 16x16");
    let csv = std::fs::read_to_string(dir.join("sweep.csv")).unwrap();
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let col = header.iter().position(|h| *h == "tclk_ns").expect("tclk_ns column");
    for line in csv.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        assert!(f[col].parse::<f64>().is_ok(), "tclk_ns in {line}");
    }
}

/// `(latency, energy)` of every layer's front in a `--pareto` JSON, checked non-dominated.
fn checked_fronts(v: &serde_json::Value) -> Vec<Vec<(f64, f64)>> {
    let mut out = Vec::new();
    for l in v["layers"].as_array().unwrap() {
        let pts: Vec<(f64, f64)> = l["pareto_front"]
            .as_array()
            .expect("pareto_front present with --pareto")
            .iter()
            .map(|p| {
                assert!(p["spatial_mapping"].is_object() && p["temporal_ordering"].is_array(), "{p}");
                (p["latency"].as_f64().unwrap(), p["energy"].as_f64().unwrap())
            })
            .collect();
        assert!(!pts.is_empty());
        for (i, a) in pts.iter().enumerate() {
            for (j, b) in pts.iter().enumerate() {
                if i != j {
                    assert!(!(b.0 <= a.0 && b.1 <= a.1), "front point {a:?} dominated by (or equal to) {b:?}");
                }
            }
        }
        out.push(pts);
    }
    out
}

#[test]
fn pareto_fronts_are_non_dominated_and_hold_the_chosen_mapping() {
    for engine in ["loma", "salsa"] {
        for opt in ["latency", "energy"] {
            let plain = tmp(&format!("plain-{engine}-{opt}.json"));
            let front = tmp(&format!("front-{engine}-{opt}.json"));
            for (p, extra) in [(&plain, None), (&front, Some("--pareto"))] {
                let o = example_command(&["map", "-q", "--engine", engine, "--opt", opt])
                    .args(extra)
                    .arg("--json")
                    .arg(p)
                    .output()
                    .unwrap();
                assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            }
            let a: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&plain).unwrap()).unwrap();
            let mut b: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&front).unwrap()).unwrap();
            assert!(!std::fs::read_to_string(&plain).unwrap().contains("pareto_front"));
            let fronts = checked_fronts(&b);
            for (l, pts) in b["layers"].as_array().unwrap().iter().zip(&fronts) {
                let chosen = (l["latency"].as_f64().unwrap(), l["energy"].as_f64().unwrap());
                let want = if opt == "latency" {
                    pts.iter().copied().min_by(|x, y| x.0.total_cmp(&y.0).then(x.1.total_cmp(&y.1)))
                } else {
                    pts.iter().copied().min_by(|x, y| x.1.total_cmp(&y.1).then(x.0.total_cmp(&y.0)))
                };
                if engine != "salsa" {
                    assert_eq!(Some(chosen), want, "{engine} --opt {opt} layer {}", l["name"]);
                } else {
                    // SALSA minimises energy in its chains; its choice is an evaluated state, so on or behind the front.
                    assert!(pts.iter().any(|p| p.0 <= chosen.0 && p.1 <= chosen.1));
                }
            }
            // Apart from the front, --pareto changes nothing.
            for l in b["layers"].as_array_mut().unwrap() {
                l.as_object_mut().unwrap().remove("pareto_front");
            }
            assert_eq!(a, b, "{engine} --opt {opt}");
        }
    }
    // Terminal output: the count and the points.
    let o = example_command(&["map", "-q", "--pareto"]).output().unwrap();
    let s = String::from_utf8_lossy(&o.stdout);
    assert!(s.contains("Pareto front") && s.contains("layer 1 conv2: 2 point(s)"), "{s}");
}

#[test]
fn lexicographic_tie_break_is_thread_independent_and_never_worse() {
    for opt in ["latency", "energy", "edp"] {
        let mut outs = Vec::new();
        for (t, rule) in [("1", "lexicographic"), ("2", "lexicographic"), ("2", "first")] {
            let out = tmp(&format!("tie-{opt}-{t}-{rule}.json"));
            let o = example_command(&["map", "-q", "--opt", opt, "--tie-break", rule, "--threads", t])
                .arg("--json")
                .arg(&out)
                .output()
                .unwrap();
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            outs.push(std::fs::read_to_string(&out).unwrap());
        }
        assert_eq!(outs[0], outs[1], "--tie-break lexicographic: --threads 1 and 2 differ");
        let lex: serde_json::Value = serde_json::from_str(&outs[0]).unwrap();
        let first: serde_json::Value = serde_json::from_str(&outs[2]).unwrap();
        for (a, b) in lex["layers"].as_array().unwrap().iter().zip(first["layers"].as_array().unwrap()) {
            let (la, ea) = (a["latency"].as_f64().unwrap(), a["energy"].as_f64().unwrap());
            let (lb, eb) = (b["latency"].as_f64().unwrap(), b["energy"].as_f64().unwrap());
            match opt {
                "latency" => assert!(la < lb || (la == lb && ea <= eb)),
                "energy" => assert!(ea < eb || (ea == eb && la <= lb)),
                _ => assert!(la * ea <= lb * eb),
            }
        }
        // The stem layer has orderings tied in (latency, energy): `first` keeps the first
        // generated, `lexicographic` the structurally smallest; same numbers, another ordering.
        let (a, b) = (&lex["layers"][0], &first["layers"][0]);
        assert_eq!((&a["latency"], &a["energy"]), (&b["latency"], &b["energy"]), "--opt {opt}");
        assert_ne!(a["temporal_mapping"], b["temporal_mapping"], "--opt {opt}: the tie-break made no difference");
    }
    let o = example_command(&["map", "-q", "--tie-break", "random"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--tie-break"));
}
