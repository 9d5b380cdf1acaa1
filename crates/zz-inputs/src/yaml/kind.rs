//! What kind of input a YAML file is (ZigZag or Stream accelerator, workload, mapping), so a
//! file given to the wrong flag or subcommand gets a message saying where it belongs, and
//! files in the format of older ZigZag/Stream releases name the key that replaced the old one.

use super::fields::{Doc, Item};
use super::node::{Node, Value};
use crate::error::InputError;

/// The kinds of YAML input file the tools read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// A ZigZag single-core accelerator (`memories`, `operational_array`).
    ZigZagAccelerator,
    /// A Stream multi-core accelerator (`cores`, `core_connectivity`).
    StreamAccelerator,
    /// A workload: a list of layers (`operator_type`, `equation`).
    Workload,
    /// A ZigZag or Stream mapping: a list of entries with `name` and mapping keys.
    Mapping,
}

impl FileKind {
    /// A short description for messages.
    pub fn describe(self) -> &'static str {
        match self {
            FileKind::ZigZagAccelerator => "a ZigZag single-core accelerator (top-level `memories`)",
            FileKind::StreamAccelerator => "a Stream multi-core accelerator (top-level `cores`)",
            FileKind::Workload => "a workload (a list of layers with `operator_type` / `equation`)",
            FileKind::Mapping => "a mapping (a list of entries with `name` and `spatial_mapping` / `core_allocation`)",
        }
    }

    /// Where a file of this kind belongs.
    pub fn belongs(self) -> &'static str {
        match self {
            FileKind::ZigZagAccelerator => {
                "it is the -a/--accelerator of `zigzag-rs map`, `compare` or `sweep` (`stream` and `granularity` take a Stream accelerator listing core files)"
            }
            FileKind::StreamAccelerator => {
                "it is the -a/--accelerator of `zigzag-rs stream` or `granularity` (`map`, `compare` and `sweep` take a single-core ZigZag accelerator, such as one of its core files)"
            }
            FileKind::Workload => "it belongs to -w/--workload",
            FileKind::Mapping => "it belongs to -m/--mapping",
        }
    }
}

const ACC_KEYS: &[&str] = &["memories", "operational_array"];
const STREAM_ACC_KEYS: &[&str] = &["cores", "core_connectivity", "offchip_core_id", "offchip_core"];
const LAYER_KEYS: &[&str] = &["operator_type", "equation", "loop_dims", "loop_sizes", "operand_precision"];
const MAPPING_KEYS: &[&str] =
    &["spatial_mapping", "core_allocation", "memory_operand_links", "intra_core_tiling", "temporal_ordering"];

fn keys(node: &Node) -> Vec<&str> {
    match &node.value {
        Value::Map(entries) => entries.iter().filter_map(|e| e.key.as_str()).collect(),
        _ => Vec::new(),
    }
}

/// The kind of a parsed file, if it clearly is one.
pub fn sniff(root: &Node) -> Option<FileKind> {
    match &root.value {
        Value::Map(_) => {
            let k = keys(root);
            if k.iter().any(|k| STREAM_ACC_KEYS.contains(k)) {
                Some(FileKind::StreamAccelerator)
            } else if k.iter().any(|k| ACC_KEYS.contains(k)) {
                Some(FileKind::ZigZagAccelerator)
            } else {
                None
            }
        }
        Value::Seq(items) => {
            let first = items.first()?;
            let k = keys(first);
            if k.iter().any(|k| LAYER_KEYS.contains(k)) {
                Some(FileKind::Workload)
            } else if k.iter().any(|k| MAPPING_KEYS.contains(k)) {
                Some(FileKind::Mapping)
            } else {
                None
            }
        }
        _ => None,
    }
}

/// `Err` naming the file's kind and where it belongs when `root` is clearly another kind of
/// file than `expected` (read for `flag`, e.g. `-a/--accelerator`).
pub fn expect(doc: &Doc, root: &Node, expected: FileKind, flag: &str) -> Result<(), InputError> {
    let Some(kind) = sniff(root) else { return Ok(()) };
    if kind == expected {
        return Ok(());
    }
    let swapped = match (expected, kind) {
        (FileKind::ZigZagAccelerator | FileKind::StreamAccelerator, FileKind::Workload | FileKind::Mapping)
        | (FileKind::Workload | FileKind::Mapping, _) => " (were two of -a, -w and -m swapped?)",
        _ => "",
    };
    Err(doc.error(
        &Item::root(root),
        format!(
            "this file was given as {flag}, which takes {}, but it is {}: {}{swapped}",
            expected.describe(),
            kind.describe(),
            kind.belongs()
        ),
    ))
}

/// Old Stream accelerator keys and what replaced them.
const OLD_STREAM_KEYS: &[(&str, &str)] = &[
    (
        "offchip_core",
        "`offchip_core: FILE` is the format of older Stream releases (e.g. the Dec-2024 tutorial); since then the off-chip core is an entry of `cores` (e.g. `3: ./cores/offchip.yaml`) named by `offchip_core_id: 3`, and `core_connectivity` must connect it (e.g. `{type: bus, cores: [0, 1, 2, 3], bandwidth: 32}`)",
    ),
    (
        "bandwidth",
        "a top-level `bandwidth` is the format of older Stream releases; the bandwidth is now given per connection: `core_connectivity: [{type: link|bus, cores: [0, 1], bandwidth: 32}]`",
    ),
    (
        "graph",
        "`graph` (e.g. `2d_mesh`) is the format of Stream releases before Oct 2024; connections are now listed in `core_connectivity: [{type: link|bus, cores: [0, 1], bandwidth: 32}]`",
    ),
];

/// `Err` when a Stream accelerator uses a key of an older Stream release, naming the key that
/// replaced it; also catches `core_connectivity` entries in the old `"0, 1, 2"` string form.
pub fn check_old_stream_accelerator(doc: &Doc, root: &Node) -> Result<(), InputError> {
    let Value::Map(entries) = &root.value else { return Ok(()) };
    for e in entries {
        let Some(k) = e.key.as_str() else { continue };
        if let Some((_, msg)) = OLD_STREAM_KEYS.iter().find(|(old, _)| *old == k) {
            return Err(doc.error_at(e.key.pos, k, *msg));
        }
        if k == "core_connectivity"
            && let Value::Seq(items) = &e.value.value
            && let Some(item) = items.iter().find(|i| matches!(i.value, Value::Str(_)))
        {
            return Err(doc.error_at(
                item.pos,
                "core_connectivity",
                "a connection written as a string (e.g. \"0, 1, 2\") is the format of older Stream releases; write it as `{type: bus, cores: [0, 1, 2], bandwidth: 32}` (`type: link` for exactly two cores), and connect the off-chip core too",
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root(text: &str) -> Node {
        super::super::node::parse("t.yaml", text).unwrap().0
    }

    #[test]
    fn sniffs_each_kind() {
        assert_eq!(sniff(&root("name: a\nmemories: {}\n")), Some(FileKind::ZigZagAccelerator));
        assert_eq!(sniff(&root("name: a\ncores: {0: a.yaml}\n")), Some(FileKind::StreamAccelerator));
        assert_eq!(sniff(&root("- id: 0\n  operator_type: Conv\n")), Some(FileKind::Workload));
        assert_eq!(sniff(&root("- name: default\n  core_allocation: [0]\n")), Some(FileKind::Mapping));
        assert_eq!(sniff(&root("name: a\n")), None);
    }

    #[test]
    fn wrong_kind_names_where_it_belongs() {
        let doc = Doc::new("t.yaml", Vec::new());
        let r = root("- id: 0\n  operator_type: Conv\n");
        let e = expect(&doc, &r, FileKind::ZigZagAccelerator, "-a/--accelerator").unwrap_err().to_string();
        assert!(e.contains("given as -a/--accelerator") && e.contains("-w/--workload") && e.contains("swapped"), "{e}");
        assert!(expect(&doc, &r, FileKind::Workload, "-w/--workload").is_ok());
    }

    #[test]
    fn old_stream_keys_name_their_replacement() {
        let doc = Doc::new("t.yaml", Vec::new());
        let e = check_old_stream_accelerator(&doc, &root("name: a\noffchip_core: ./o.yaml\n")).unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.message.contains("offchip_core_id"), "{e}");
        let e = check_old_stream_accelerator(&doc, &root("core_connectivity:\n  - 0, 1, 2\n")).unwrap_err();
        assert!(e.message.contains("type: bus"), "{e}");
    }
}
