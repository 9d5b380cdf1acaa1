//! Runs every malformed YAML file of `tests/bad_inputs/` through its reader (by prefix:
//! `acc_` accelerator, `map_` mapping, `wl_` workload) and checks that it fails cleanly:
//! an `Err` (never a panic) whose message names the file, a line > 0, and the text given
//! on the file's first line (`# expect: <text>`). The valid fixtures the bad files were
//! derived from must read, and cross-file mapping checks must fail with positions.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use zz_inputs::yaml::{check_mapping_against_accelerator_with_spans, read_mapping_with_spans_str};
use zz_inputs::{InputError, read_accelerator, read_accelerator_str, read_mapping, read_workload_yaml};

fn dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join(name)
}

/// A reader that only reports failure.
type Reader = fn(&Path) -> Result<(), InputError>;

/// The reader a bad file is meant for, from its name prefix.
fn reader_for(name: &str) -> Option<Reader> {
    let reader: Reader = if name.starts_with("acc_") {
        |p| read_accelerator(p).map(drop)
    } else if name.starts_with("map_") {
        |p| read_mapping(p).map(drop)
    } else if name.starts_with("wl_") {
        |p| read_workload_yaml(p).map(drop)
    } else {
        return None;
    };
    Some(reader)
}

#[test]
fn every_bad_input_fails_cleanly() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir("bad_inputs"))
        .expect("tests/bad_inputs exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    let mut checked = 0;
    let mut failures = Vec::new();
    for path in &files {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let Some(reader) = reader_for(&name) else {
            continue;
        };
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let expect = text.lines().next().and_then(|l| l.strip_prefix("# expect: ")).map(str::trim);
        let result = catch_unwind(AssertUnwindSafe(|| reader(path)));
        checked += 1;
        let err = match result {
            Err(_) => {
                failures.push(format!("{name}: PANICKED"));
                continue;
            }
            Ok(Ok(())) => {
                failures.push(format!("{name}: was accepted"));
                continue;
            }
            Ok(Err(e)) => e,
        };
        let shown = err.to_string();
        if !shown.contains(&name) {
            failures.push(format!("{name}: message does not name the file: {shown}"));
        }
        if err.line == 0 || err.column == 0 {
            failures.push(format!("{name}: no position: {shown}"));
        }
        match expect {
            Some(e) if shown.contains(e) => {}
            Some(e) => failures.push(format!("{name}: expected `{e}` in: {shown}")),
            None => failures.push(format!("{name}: first line lacks `# expect: ...`")),
        }
        println!("{shown}");
    }
    assert!(checked >= 25, "only {checked} bad inputs found");
    assert!(failures.is_empty(), "{} problems:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn fixtures_the_bad_inputs_derive_from_are_valid() {
    let f = dir("fixtures");
    let (acc, w1) = read_accelerator(&f.join("tiny_accelerator.yaml")).unwrap_or_else(|e| panic!("{e}"));
    let (legacy, w2) = read_accelerator(&f.join("tiny_accelerator_legacy.yaml")).unwrap_or_else(|e| panic!("{e}"));
    let (mapping, w3) = read_mapping(&f.join("tiny_mapping.yaml")).unwrap_or_else(|e| panic!("{e}"));
    let (workload, w4) = read_workload_yaml(&f.join("tiny_workload.yaml")).unwrap_or_else(|e| panic!("{e}"));
    for w in [w1, w2, w3, w4] {
        assert!(w.is_empty(), "{w:?}");
    }
    assert_eq!(acc.memories.len(), 2);
    assert_eq!(legacy.memories[0].ports.len(), 2);
    assert_eq!(legacy.memories[0].ports[0].allocation.len(), 2);
    assert_eq!(workload.edges, [(0, 1)]);
    let l0 = &workload.layers[0];
    assert_eq!(l0.padding, [("IY".to_owned(), (1, 1)), ("IX".to_owned(), (1, 1))]);
    assert_eq!(workload.layers[1].name, "Layer1");
    let path = f.join("tiny_mapping.yaml");
    zz_inputs::check_mapping_against_accelerator(&mapping, &path.display().to_string(), &acc).unwrap();
}

/// Random byte soup and truncations of the fixtures never panic.
#[test]
fn truncated_fixtures_never_panic() {
    let f = dir("fixtures");
    for name in ["tiny_accelerator.yaml", "tiny_accelerator_legacy.yaml", "tiny_mapping.yaml", "tiny_workload.yaml"] {
        let text = std::fs::read_to_string(f.join(name)).unwrap_or_default();
        for cut in (0..text.len()).filter(|i| text.is_char_boundary(*i)) {
            let part = &text[..cut];
            let r = catch_unwind(|| {
                let _ = zz_inputs::read_accelerator_str(name, part);
                let _ = zz_inputs::read_mapping_str(name, part);
                let _ = zz_inputs::read_workload_yaml_str(name, part);
            });
            assert!(r.is_ok(), "{name} cut at {cut} panicked");
        }
    }
}

const TINY_ACC: &str = "name: tiny
operational_array: {unit_energy: 1, unit_area: 1, dimensions: [D1, D2], sizes: [4, 4]}
memories:
  mem:
    size: 1024
    r_cost: 1
    w_cost: 1
    area: 0
    latency: 1
    operands: [I1, O]
    ports:
      - {name: rw_port_1, type: read_write, bandwidth_min: 8, bandwidth_max: 8, allocation: ['I1, fh', 'I1, tl', 'O, fl', 'O, th']}
    served_dimensions: [D1, D2]
";

fn cross_check(mapping_text: &str) -> Result<(), InputError> {
    let (acc, _) = read_accelerator_str("acc.yaml", TINY_ACC).expect("valid accelerator");
    let (mapping, spans, _) = read_mapping_with_spans_str("map.yaml", mapping_text).expect("valid mapping");
    check_mapping_against_accelerator_with_spans(&mapping, &spans, "map.yaml", &acc)
}

#[test]
fn cross_file_checks_point_into_the_mapping() {
    // Unrolling larger than the array dimension.
    let e = cross_check(
        "- name: default\n  spatial_mapping:\n    D1: [\"K, 4\"]\n    D2: [\"C, 4\", \"FX, 2\"]\n  memory_operand_links: {O: O, W: I2, I: I1}\n",
    )
    .unwrap_err();
    assert_eq!((e.line, e.column, e.key.as_str()), (4, 5, "[0].spatial_mapping.D2"), "{e}");
    assert!(e.message.contains("only 4 units"), "{e}");
    // OA dimension missing from the array.
    let e = cross_check("- name: default\n  spatial_mapping:\n    D3: [\"K, 2\"]\n").unwrap_err();
    assert_eq!((e.line, e.key.as_str()), (3, "[0].spatial_mapping.D3"), "{e}");
    // Memory operand I2 is stored nowhere (default links map W to I2).
    let e = cross_check("- name: default\n  spatial_mapping:\n    D1: [\"K, 2\"]\n").unwrap_err();
    assert!(e.message.contains("`I2`") && e.key.ends_with("memory_operand_links.W"), "{e}");
    assert_eq!(e.line, 1);
    let e = cross_check("- name: default\n  memory_operand_links:\n    O: O\n    W: I2\n    I: I1\n").unwrap_err();
    assert_eq!((e.line, e.column), (4, 8), "{e}");
}

/// Hostile YAML (deep nesting, alias bombs, odd keys and scalars) yields errors, not panics.
#[test]
fn pathological_yaml_never_panics() {
    let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
    let bomb = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n\
                c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n\
                e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n";
    let inputs = [
        deep.as_str(),
        bomb,
        "? [a, b]\n: c\n",
        "{a: 1}: 2\n",
        "1: x\n",
        "name: x\nmemories: {1: {size: 1}}\noperational_array: {dimensions: [D1], sizes: [1], unit_energy: 1, unit_area: 1}\n",
        "- id: 99999999999999999999999999999\n",
        "- id: .nan\n",
        "- id: !!binary aGVsbG8=\n",
        "- &x [*x]\n",
        "\u{0}\u{1}\u{2}",
        "%YAML 1.2\n---\n- 1\n...\n",
        "- !custom {a: 1}\n",
        "a: b: c\n",
        "\t\t-\n",
        "- name: default\n  spatial_mapping:\n    D1: [\"K, 99999999999999999999999\"]\n",
        "- name: default\n  temporal_ordering: [[K, -1]]\n",
        "- id: 0\n  operator_type: Conv\n  equation: \"O[\u{e9}]=W[\u{e9}]*I[\u{e9}]\"\n  loop_dims: [\u{e9}]\n  loop_sizes: [2]\n  operand_precision: {O: 8, O_final: 8, W: 8, I: 8}\n",
    ];
    for text in inputs {
        let r = catch_unwind(|| {
            let a = zz_inputs::read_accelerator_str("x.yaml", text).err();
            let m = zz_inputs::read_mapping_str("x.yaml", text).err();
            let w = zz_inputs::read_workload_yaml_str("x.yaml", text).err();
            (a, m, w)
        });
        assert!(r.is_ok(), "panicked on {text:?}");
    }
}
