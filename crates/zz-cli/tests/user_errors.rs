//! What a new user trips over (issue 14): inputs that used to give a silent wrong answer must
//! now be input errors (exit 2) or warnings, and errors must say what to do (which flag or
//! subcommand a file belongs to, the old key and the key that replaced it, `file not found`).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn reference() -> Option<PathBuf> {
    let p = repo().join("../shared/reference");
    if p.is_dir() { Some(p) } else { None }
}

fn tmp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("zz-user-errors-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Runs `zigzag-rs ARGS` from the repository root.
fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_zigzag-rs")).current_dir(repo()).args(args).output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Asserts exit code 2 and that stderr holds every one of `needles`; returns stderr.
fn input_error(args: &[&str], needles: &[&str]) -> String {
    let o = run(args);
    let e = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "zigzag-rs {args:?}: expected exit 2, stderr:\n{e}");
    assert!(!e.contains("panicked"), "{e}");
    for n in needles {
        assert!(e.contains(n), "zigzag-rs {args:?}: stderr lacks {n:?}:\n{e}");
    }
    e
}

const ACC: &str = "examples/accelerator.yaml";
const WL: &str = "examples/workload.yaml";
const MAP: &str = "examples/mapping.yaml";
const MC_ACC: &str = "examples/multicore/dual_edge16.yaml";
const MC_MAP: &str = "examples/multicore/mapping.yaml";

// ---- item 2: errors that say what to do ----

#[test]
fn stream_accelerator_given_to_map_names_the_stream_subcommand() {
    input_error(&["map", "-a", MC_ACC, "-w", WL, "-m", MAP], &["Stream multi-core accelerator", "zigzag-rs stream"]);
}

#[test]
fn zigzag_accelerator_given_to_stream_names_the_map_subcommand() {
    input_error(&["stream", "-a", ACC, "-w", WL, "-m", MC_MAP], &["ZigZag single-core accelerator", "zigzag-rs map"]);
}

#[test]
fn swapped_accelerator_and_workload_say_which_flag_got_which_file() {
    input_error(
        &["map", "-a", WL, "-w", ACC, "-m", MAP],
        &["given as -a/--accelerator", "it is a workload", "-w/--workload", "swapped"],
    );
    input_error(
        &["map", "-a", ACC, "-w", ACC, "-m", MAP],
        &["given as -w/--workload", "ZigZag single-core accelerator", "-a/--accelerator"],
    );
    input_error(&["map", "-a", ACC, "-w", WL, "-m", WL], &["given as -m/--mapping", "it is a workload"]);
}

#[test]
fn onnx_model_given_as_accelerator_says_it_is_a_workload() {
    let dir = tmp_dir("onnx-as-acc");
    let onnx = dir.join("model.onnx");
    std::fs::write(&onnx, [0x08u8, 0x07, 0x12, 0x00, 0xff, 0xfe]).unwrap();
    input_error(&["map", "-a", onnx.to_str().unwrap(), "-w", WL, "-m", MAP], &["ONNX model", "-w/--workload"]);
}

#[test]
fn missing_file_reads_file_not_found() {
    let e = input_error(&["map", "-a", "no/such/accelerator.yml", "-w", WL, "-m", MAP], &[]);
    assert!(e.contains("file not found: no/such/accelerator.yml"), "{e}");
    assert!(!e.contains(":0:0"), "{e}");
    let e = input_error(&["map", "-a", ACC, "-w", "missing.onnx", "-m", MAP], &[]);
    assert!(e.contains("file not found: missing.onnx"), "{e}");
}

#[test]
fn a_huge_offending_value_is_quoted_briefly() {
    let dir = tmp_dir("huge");
    // A 300,000-character core file name (valid characters, no such file).
    let text = std::fs::read_to_string(repo().join(MC_ACC)).unwrap();
    let text = text.replace("./cores/edge16.yaml", &format!("./{}.yaml", "x".repeat(300_000)));
    let acc = dir.join("acc.yaml");
    std::fs::write(&acc, text).unwrap();
    let e = input_error(
        &["stream", "-a", acc.to_str().unwrap(), "-w", WL, "-m", MC_MAP],
        &["not found", "more characters"],
    );
    assert!(e.len() < 2_000, "stderr is {} bytes", e.len());
    // A 300,000-character number.
    let text = std::fs::read_to_string(repo().join(ACC)).unwrap();
    let at = text.find("unit_energy:").unwrap();
    let end = at + text[at..].find('\n').unwrap();
    let text = format!("{}unit_energy: {}{}", &text[..at], "x".repeat(300_000), &text[end..]);
    std::fs::write(&acc, text).unwrap();
    let e = input_error(&["map", "-a", acc.to_str().unwrap(), "-w", WL, "-m", MAP], &["expected a number"]);
    assert!(e.len() < 2_000, "stderr is {} bytes", e.len());
}

#[test]
fn memory_core_in_core_allocation_is_not_called_an_allowed_compute_core() {
    let dir = tmp_dir("memcore");
    let mapping = std::fs::read_to_string(repo().join(MC_MAP)).unwrap();
    // Put every layer on core 2, the off-chip DRAM core.
    let mapping = mapping
        .replace("core_allocation: [0]", "core_allocation: [2]")
        .replace("core_allocation: [1]", "core_allocation: [2]");
    assert!(mapping.contains("core_allocation: [2]"), "{mapping}");
    let m = dir.join("mapping.yaml");
    std::fs::write(&m, mapping).unwrap();
    let acc = repo().join(MC_ACC);
    let e = input_error(
        &["stream", "-a", acc.to_str().unwrap(), "-w", WL, "-m", m.to_str().unwrap(), "-q"],
        &["off-chip core", "no MAC units"],
    );
    assert!(!e.contains("is not among its allowed compute cores"), "{e}");
}

#[test]
fn old_stream_tutorial_lab1_names_the_old_format_and_the_new_keys() {
    let Some(r) = reference() else {
        eprintln!("SKIPPED: ../shared/reference absent; the original Stream tutorial lab 1 is not checked");
        return;
    };
    let lab = r.join("stream-tutorial/lab1/inputs");
    let (acc, wl, map) =
        (lab.join("hardware/hda_bus.yaml"), lab.join("workload/4_convs.onnx"), lab.join("mapping/mapping.yaml"));
    input_error(
        &["stream", "-a", acc.to_str().unwrap(), "-w", wl.to_str().unwrap(), "-m", map.to_str().unwrap()],
        &["offchip_core", "older Stream", "offchip_core_id"],
    );
    // The accelerator converted by hand, step by step: each remaining old key is named.
    let dir = tmp_dir("lab1");
    let hw = dir.join("hardware");
    std::fs::create_dir_all(hw.join("cores")).unwrap();
    for f in ["accelerator1.yaml", "accelerator2.yaml", "accelerator3.yaml", "offchip.yaml"] {
        std::fs::copy(lab.join("hardware/cores").join(f), hw.join("cores").join(f)).unwrap();
    }
    let text = std::fs::read_to_string(&acc).unwrap();
    let text = text.replace("offchip_core: ./cores/offchip.yaml", "  3: ./cores/offchip.yaml\noffchip_core_id: 3");
    std::fs::write(hw.join("hda_bus.yaml"), &text).unwrap();
    let a = hw.join("hda_bus.yaml");
    input_error(
        &["stream", "-a", a.to_str().unwrap(), "-w", wl.to_str().unwrap(), "-m", map.to_str().unwrap()],
        &["written as a string", "type: bus"],
    );
    // The old mapping key.
    let conv = r.join("stream/oracle/inputs/stream-tutorial/lab1/inputs/hardware/hda_bus.yaml");
    // The old mapping key has no effect (no Stream code reads it, and Stream's own examples carry
    // it): a warning naming it, and the run goes on.
    let o =
        run(&["stream", "-a", conv.to_str().unwrap(), "-w", wl.to_str().unwrap(), "-m", map.to_str().unwrap(), "-q"]);
    let e = stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{e}");
    for n in ["warning", "core_allocation_is_fixed", "older Stream", "ignored"] {
        assert!(e.contains(n), "stderr lacks {n:?}:\n{e}");
    }
}

#[test]
fn old_stream_core_file_without_type_says_what_to_add() {
    let dir = tmp_dir("coretype");
    let cores = dir.join("cores");
    std::fs::create_dir_all(&cores).unwrap();
    let core = std::fs::read_to_string(repo().join("examples/multicore/cores/edge16.yaml")).unwrap();
    let core: String = core.lines().filter(|l| !l.starts_with("type:")).map(|l| format!("{l}\n")).collect();
    std::fs::write(cores.join("edge16.yaml"), core).unwrap();
    std::fs::copy(repo().join("examples/multicore/cores/offchip.yaml"), cores.join("offchip.yaml")).unwrap();
    std::fs::copy(repo().join(MC_ACC), dir.join("acc.yaml")).unwrap();
    let a = dir.join("acc.yaml");
    input_error(&["stream", "-a", a.to_str().unwrap(), "-w", WL, "-m", MC_MAP], &["`type`", "type: compute"]);
}

// ---- item 1: never a silent wrong answer ----

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_owned()
}

#[test]
fn zero_port_bandwidth_is_an_input_error_not_nan() {
    let dir = tmp_dir("bw0");
    let text = std::fs::read_to_string(repo().join(ACC)).unwrap();
    assert!(text.contains("bandwidth_max:"), "example accelerator has 3.9 ports");
    let text: String = text
        .lines()
        .map(|l| {
            if l.trim_start().starts_with("bandwidth_max:") {
                format!("{}bandwidth_max: 0\n", &l[..l.find('b').unwrap()])
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    let acc = write(&dir, "acc.yaml", &text);
    let e = input_error(&["map", "-a", &acc, "-w", WL, "-m", MAP], &["bandwidth_max is 0", "NaN"]);
    assert!(!e.contains("Energy"), "{e}");
    let o = run(&["map", "-a", &acc, "-w", WL, "-m", MAP]);
    assert!(!String::from_utf8_lossy(&o.stdout).contains("NaN"));
}

#[test]
fn spatial_mapping_typo_is_an_error_and_a_dropped_dimension_a_warning() {
    let dir = tmp_dir("typo");
    let text = std::fs::read_to_string(repo().join(MAP)).unwrap();
    assert!(text.contains("- K, 16"));
    let typo = write(&dir, "typo.yaml", &text.replacen("- K, 16", "- Q, 16", 1));
    input_error(&["map", "-a", ACC, "-w", WL, "-m", &typo], &["`Q` is not a layer dimension", "OX"]);
    // The same check guards `compare` and `sweep` (they used to drop `Q` silently: 19.7 M cycles).
    input_error(&["compare", "-w", WL, "-a", ACC, "-m", &typo], &["`Q` is not a layer dimension", "OX"]);
    let out = dir.join("sweep");
    input_error(
        &["sweep", "-a", ACC, "-w", WL, "-m", &typo, "-s", "examples/sweep.yaml", "-o", out.to_str().unwrap()],
        &["`Q` is not a layer dimension", "OX"],
    );
    // `G` is a dimension of grouped convolutions, which this workload does not have: kept
    // (ZigZag drops it) with a warning naming layer, dimension and the layer's dimensions.
    let dropped = write(&dir, "dropped.yaml", &text.replacen("- K, 16", "- G, 16", 1));
    let o = run(&["map", "-a", ACC, "-w", WL, "-m", &dropped, "-q"]);
    let e = stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{e}");
    assert!(
        e.contains("warning:")
            && e.contains("`G, 16`")
            && e.contains("has no dimension G")
            && e.contains("its dimensions: "),
        "{e}"
    );
}

#[test]
fn granularity_tiling_on_an_unknown_dimension_is_an_input_error() {
    input_error(
        &["granularity", "-a", MC_ACC, "-w", WL, "-m", MC_MAP, "--tiling", "lbl", "--tiling", "FOO,2"],
        &["--tiling", "dimension `FOO`"],
    );
}

#[test]
fn stream_mapping_tiling_on_an_unknown_dimension_is_an_input_error() {
    let dir = tmp_dir("zz-tiling");
    let text = std::fs::read_to_string(repo().join(MC_MAP)).unwrap();
    assert!(text.contains("OY, 16"));
    let m = write(&dir, "m.yaml", &text.replacen("OY, 16", "ZZ, 2", 1));
    input_error(
        &["stream", "-a", MC_ACC, "-w", WL, "-m", &m, "-q"],
        &["intra_core_tiling", "`ZZ` is not a layer dimension"],
    );
}

#[test]
fn offchip_core_id_naming_a_compute_core_is_an_input_error() {
    let dir = tmp_dir("offchip-id");
    let text = std::fs::read_to_string(repo().join(MC_ACC)).unwrap();
    assert!(text.contains("offchip_core_id: 2"));
    std::fs::create_dir_all(dir.join("cores")).unwrap();
    for f in ["edge16.yaml", "offchip.yaml"] {
        std::fs::copy(repo().join("examples/multicore/cores").join(f), dir.join("cores").join(f)).unwrap();
    }
    let text = text.replace("offchip_core_id: 2", "offchip_core_id: 1");
    let a = write(&dir, "acc.yaml", &text);
    input_error(
        &["stream", "-a", &a, "-w", WL, "-m", MC_MAP, "-q"],
        &["offchip_core_id 1", "compute core", "type: memory"],
    );
}

#[test]
fn zigzag_mapping_given_to_stream_warns_that_no_core_allocation_was_given() {
    let o = run(&["stream", "-a", MC_ACC, "-w", WL, "-m", MAP, "-q"]);
    let e = stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{e}");
    assert!(e.contains("warning:") && e.contains("no entry has a `core_allocation`") && e.contains("core 0"), "{e}");
}

// ---- item 6: Stream outputs ----

#[test]
fn bus_wording_and_max_memory_units() {
    let o = run(&["stream", "-a", MC_ACC, "-w", WL, "-m", MC_MAP, "-q"]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(out.contains("3 cores, 1 bus (the bus replaces the 2 point-to-point links)"), "{out}");
    assert!(!out.contains("1 links"), "{out}");
    let g = |mem: &str| {
        let o = run(&[
            "granularity",
            "-a",
            MC_ACC,
            "-w",
            WL,
            "-m",
            MC_MAP,
            "--tiling",
            "lbl",
            "--tiling",
            "OY,2",
            "--max-memory",
            mem,
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    // 200 KiB of peak memory for OY,2: admitted under 2MiB, not under 16Kb.
    let big = g("2MiB");
    assert!(big.lines().any(|l| l.starts_with("OY,2") && l.contains("<- best")), "{big}");
    assert!(big.contains("peak on-chip 0 B:"), "{big}");
    let small = g("16Kb");
    assert!(small.lines().any(|l| l.starts_with("OY,2") && l.contains("violates")), "{small}");
    input_error(
        &["granularity", "-a", MC_ACC, "-w", WL, "-m", MC_MAP, "--tiling", "lbl", "--max-memory", "2XB"],
        &["unknown unit"],
    );
}

#[test]
fn no_mirror_without_the_optimal_search_is_refused_not_ignored() {
    input_error(&["map", "-a", ACC, "-w", WL, "-m", MAP, "--no-mirror"], &["--no-mirror", "--engine optimal"]);
    input_error(
        &["map", "-a", ACC, "-w", WL, "-m", MAP, "--no-mirror", "--engine", "salsa"],
        &["only the optimal search"],
    );
}
