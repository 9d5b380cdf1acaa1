//! Reader of Stream's multi-core accelerator files (classic Stream, commit 21e5ad80 input
//! format) into [`zz_ir::stream::accelerator::StreamAccelerator`].
//!
//! An accelerator YAML lists its cores by file (`cores: {0: core_a.yaml, ...}`), the id of
//! the off-chip (DRAM) core, the connectivity (`core_connectivity`: point-to-point links
//! and buses, each with a bandwidth and an optional energy per transferred bit-cycle) and
//! groups of cores whose top-level memories are one shared instance
//! (`core_memory_sharing`). Each core file is a ZigZag accelerator with a required `type`
//! (`compute` or `memory`) and optional `dataflows` (the core's spatial mapping).
//!
//! The reader reproduces the reference's validation and graph construction:
//! * core files resolve like Stream does: a name containing `./` relative to the
//!   accelerator file, a name containing `/` relative to the working directory (or, for
//!   `stream/inputs/...`, below a configurable Stream inputs folder), a bare name searched
//!   in folders named `*hardware*` below the accelerator's folder and then below the Stream
//!   inputs folder;
//! * a `link` entry creates one link object per direction, a `bus` entry one shared link
//!   object for all ordered pairs of its cores;
//! * a later entry for the same ordered core pair replaces the earlier edge's link (the
//!   reference stores links as graph-edge attributes), see [`StreamAccelerator::pair_link`];
//! * the core graph's node order is the order in which cores first appear in the edges;
//!   shortest paths follow the reference's breadth-first order.
//!
//! Shared memories: the reference at 21e5ad80 rejects every sharing group with ZigZag ≥ 3.8
//! (port identities make identical memories compare unequal); this reader accepts groups
//! whose top memories are identical in value, which is what the oracle's
//! `--align-shared-memory-ports` workaround reproduces.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::InputError;
use crate::Warning;
use crate::yaml::fields::{Doc, Item};
use crate::yaml::node::{Node, Pos, Value};
use zz_ir::accelerator::Memory;
use zz_ir::stream::accelerator::{CoreType, StreamAccelerator, StreamCore, StreamLink, StreamLinkKind};

/// Where core files named in an accelerator file are looked for.
#[derive(Clone, Debug, Default)]
pub struct CoreResolver {
    /// The folder that plays the role of Stream's `stream/inputs/` (holding `examples/` and
    /// `testing/`), if any.
    pub stream_inputs: Option<PathBuf>,
}

const TOP_KEYS: &[&str] =
    &["name", "cores", "offchip_core_id", "unit_energy_cost", "core_connectivity", "core_memory_sharing"];
const CONNECTION_KEYS: &[&str] = &["type", "cores", "bandwidth", "unit_energy_cost"];

fn filename_ok(s: &str) -> bool {
    // ^(?:\./)?(?:[A-Za-z0-9_\-]+/)*[A-Za-z0-9_\-]+(?:\.ya?ml)?$
    let s = s.strip_prefix("./").unwrap_or(s);
    let s = s.strip_suffix(".yaml").or_else(|| s.strip_suffix(".yml")).unwrap_or(s);
    let word = |w: &str| !w.is_empty() && w.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    s.split('/').all(word)
}

fn find_in_hardware_dirs(name: &str, top: &Path) -> Option<PathBuf> {
    // os.walk top-down with sorted sub-folders; only folders whose path contains "hardware".
    let mut stack = vec![top.to_path_buf()];
    while let Some(dir) = stack.pop() {
        if dir.to_string_lossy().contains("hardware") {
            let cand = dir.join(name);
            if cand.is_file() {
                return Some(cand);
            }
        }
        let Ok(rd) = std::fs::read_dir(&dir) else { continue };
        let mut subs: Vec<PathBuf> = rd.filter_map(|e| e.ok()).map(|e| e.path()).filter(|p| p.is_dir()).collect();
        subs.sort();
        stack.extend(subs.into_iter().rev());
    }
    None
}

impl CoreResolver {
    /// Resolves a core file name given in the accelerator file at `acc_dir`.
    pub fn resolve(&self, name: &str, acc_dir: &Path) -> Option<PathBuf> {
        let path = if name.contains("./") {
            Some(acc_dir.join(name))
        } else if name.contains('/') {
            let p = PathBuf::from(name);
            if p.is_file() {
                Some(p)
            } else {
                match (&self.stream_inputs, name.strip_prefix("stream/inputs/")) {
                    (Some(root), Some(rest)) => Some(root.join(rest)),
                    _ => None,
                }
            }
        } else {
            find_in_hardware_dirs(name, acc_dir)
                .or_else(|| self.stream_inputs.as_ref().and_then(|r| find_in_hardware_dirs(name, r)))
        };
        path.filter(|p| p.is_file())
    }
}

/// Reads a Stream accelerator file and its core files.
pub fn read_stream_accelerator(
    path: &Path,
    resolver: &CoreResolver,
) -> Result<(StreamAccelerator, Vec<Warning>), InputError> {
    let (name, text) = crate::yaml::read_text(path)?;
    let acc_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    read_stream_accelerator_str(&name, &text, &acc_dir, resolver)
}

/// Reads Stream accelerator YAML text; `name` is used in messages, core files named in it are
/// resolved (and read) relative to `acc_dir` as if the text were a file there.
pub fn read_stream_accelerator_str(
    name: &str,
    text: &str,
    acc_dir: &Path,
    resolver: &CoreResolver,
) -> Result<(StreamAccelerator, Vec<Warning>), InputError> {
    let ((acc, core_warnings), mut warnings) =
        crate::yaml::with_doc(name, text, |doc, root| read_doc(doc, root, acc_dir, resolver))?;
    warnings.extend(core_warnings);
    Ok((acc, warnings))
}

struct ConnEntry {
    kind: StreamLinkKind,
    cores: Vec<usize>,
    bandwidth: f64,
    unit_energy_cost: f64,
}

fn read_doc(
    doc: &mut Doc,
    root: &Node,
    acc_dir: &Path,
    resolver: &CoreResolver,
) -> Result<(StreamAccelerator, Vec<Warning>), InputError> {
    crate::yaml::kind::check_old_stream_accelerator(doc, root)?;
    crate::yaml::kind::expect(doc, root, crate::yaml::kind::FileKind::StreamAccelerator, "-a/--accelerator")?;
    let root = Item::root(root);
    if root.is_null() {
        return Err(doc.error(&root, "the file is empty; expected a Stream accelerator with keys name, cores, offchip_core_id, core_connectivity"));
    }
    let top = doc.map(&root, TOP_KEYS)?;
    let name = top.req_str(doc, "name")?.to_owned();
    let unit_energy_cost = match top.get("unit_energy_cost") {
        Some(it) => non_negative(doc, &it)?,
        None => 0.0,
    };

    // cores: {id: file}
    let cores_item = top.req(doc, "cores")?;
    let Value::Map(entries) = &cores_item.node.value else {
        return Err(doc.expected(&cores_item, "a mapping from core id to core file"));
    };
    let mut files: Vec<(usize, Pos, String, Item<'_>)> = Vec::new();
    for e in entries {
        let key_item = Item { node: &e.key, path: format!("cores.{}", e.key.key_text()) };
        let id = match e.key.value {
            Value::Int(i) if i >= 0 => i as usize,
            _ => return Err(doc.expected(&key_item, "a non-negative integer core id")),
        };
        let value = Item { node: &e.value, path: key_item.path.clone() };
        let file = doc.str(&value)?;
        if !filename_ok(file) {
            return Err(doc.error(
                &value,
                format!("expected a core file name (letters, digits, `_`, `-`, optional folders and `.yaml`), found \"{file}\""),
            ));
        }
        files.push((id, e.key.pos, file.to_owned(), value));
    }
    if files.is_empty() {
        return Err(doc.error(&cores_item, "expected at least one core"));
    }
    let max_id = files.iter().map(|f| f.0).max().unwrap_or(0);
    if files.len() != max_id + 1 {
        return Err(doc.error(
            &cores_item,
            format!(
                "core ids must be 0..{} without gaps; found {:?}",
                files.len() - 1,
                files.iter().map(|f| f.0).collect::<Vec<_>>()
            ),
        ));
    }
    let off_item = top.req(doc, "offchip_core_id")?;
    let offchip_core_id = doc.u64(&off_item)? as usize;
    if !files.iter().any(|f| f.0 == offchip_core_id) {
        return Err(doc.error(&off_item, format!("offchip_core_id {offchip_core_id} is not a key of `cores`")));
    }

    // core_connectivity
    let conn_item = top.req(doc, "core_connectivity")?;
    let mut conns: Vec<ConnEntry> = Vec::new();
    for it in doc.seq(&conn_item)? {
        let f = doc.map(&it, CONNECTION_KEYS)?;
        let kind = match f.get("type") {
            None => StreamLinkKind::Link,
            Some(t) => match doc.str(&t)? {
                "link" => StreamLinkKind::Link,
                "bus" => StreamLinkKind::Bus,
                other => return Err(doc.error(&t, format!("expected `link` or `bus`, found \"{other}\""))),
            },
        };
        let cores_it = f.req(doc, "cores")?;
        let mut ids = Vec::new();
        for c in doc.seq(&cores_it)? {
            let id = doc.u64(&c)? as usize;
            if !files.iter().any(|f| f.0 == id) {
                return Err(doc.error(&c, format!("unknown core id {id}; expected a key of `cores`")));
            }
            ids.push(id);
        }
        if ids.len() < 2 {
            return Err(doc.error(&cores_it, "expected at least 2 core ids"));
        }
        if kind == StreamLinkKind::Link && ids.len() != 2 {
            return Err(doc.error(&cores_it, "a `link` connects exactly 2 cores; use `type: bus` for more"));
        }
        let bw_it = f.req(doc, "bandwidth")?;
        let bandwidth = non_negative(doc, &bw_it)?;
        if bandwidth <= 0.0 {
            return Err(doc.error(&bw_it, "expected a bandwidth > 0"));
        }
        let uec = match f.get("unit_energy_cost") {
            Some(u) => non_negative(doc, &u)?,
            None => unit_energy_cost,
        };
        conns.push(ConnEntry { kind, cores: ids, bandwidth, unit_energy_cost: uec });
    }

    // core_memory_sharing
    let mut memory_sharing: Vec<Vec<usize>> = Vec::new();
    let mut sharing_items = Vec::new();
    if let Some(ms) = top.get("core_memory_sharing") {
        for it in doc.seq(&ms)? {
            let s = doc.str(&it)?;
            let parts: Vec<&str> = s.split(',').map(str::trim).collect();
            let ids: Option<Vec<usize>> = parts.iter().map(|p| p.parse::<usize>().ok()).collect();
            let Some(ids) = ids.filter(|v| v.len() >= 2) else {
                return Err(doc.error(
                    &it,
                    format!("expected at least two comma-separated core ids (e.g. \"0, 1\"), found \"{s}\""),
                ));
            };
            for &id in &ids {
                if !files.iter().any(|f| f.0 == id) {
                    return Err(doc.error(&it, format!("unknown core id {id}; expected a key of `cores`")));
                }
            }
            for (i, &x) in ids.iter().enumerate() {
                for &y in &ids[i + 1..] {
                    // Beyond the reference: a bus that also reaches other cores (e.g. the DRAM
                    // controller in Stream's own `fusemax.yaml`) is kept, with a warning; only a
                    // link between the sharing cores themselves is refused.
                    let shared_bus =
                        |c: &ConnEntry| c.kind == StreamLinkKind::Bus && c.cores.iter().any(|z| !ids.contains(z));
                    if conns.iter().any(|c| c.cores.contains(&x) && c.cores.contains(&y) && shared_bus(c)) {
                        doc.warn(
                            it.pos(),
                            format!(
                                "cores {x} and {y} share memory but are also on a bus of `core_connectivity` (Stream rejects this); the bus is kept for their traffic with the other cores"
                            ),
                        );
                    } else if conns.iter().any(|c| c.cores.contains(&x) && c.cores.contains(&y)) {
                        return Err(doc.error(
                            &it,
                            format!(
                                "cores {x} and {y} share memory and must not also be connected in `core_connectivity`"
                            ),
                        ));
                    }
                }
            }
            memory_sharing.push(ids);
            sharing_items.push(it);
        }
    }

    // Core files.
    files.sort_by_key(|f| f.0);
    let mut cores = Vec::with_capacity(files.len());
    let mut warnings = Vec::new();
    for (id, _, file, item) in &files {
        let Some(path) = resolver.resolve(file, acc_dir) else {
            return Err(doc.error(item, format!("core file \"{file}\" not found (looked relative to the accelerator file, the working directory and the Stream inputs folder)")));
        };
        let (acc, extras, w) = crate::yaml::read_stream_core(&path)?;
        warnings.extend(w);
        let core_type = if extras.core_type == "memory" { CoreType::Memory } else { CoreType::Compute };
        let shared = memory_sharing.iter().find(|g| g.contains(id)).map(|g| g[0]).unwrap_or(*id);
        cores.push(StreamCore {
            id: *id,
            name: acc.name.clone(),
            core_type,
            file: path.display().to_string(),
            accelerator: Arc::new(acc),
            dataflows: extras.dataflows,
            shared_mem_group_id: shared,
        });
    }
    // The off-chip core holds DRAM only: a core with MAC units there is a mistaken id.
    if let Some(off) = cores.iter().find(|c| c.id == offchip_core_id)
        && off.total_unit_count() > 0
    {
        let compute_free: Vec<usize> = cores.iter().filter(|c| c.total_unit_count() == 0).map(|c| c.id).collect();
        return Err(doc.error(
                &off_item,
                format!(
                    "offchip_core_id {offchip_core_id} names core `{}` ({}), a compute core with {} MAC units; it must name the off-chip memory core (a core file with `type: memory` and no MAC units{})",
                    off.name,
                    files.iter().find(|f| f.0 == offchip_core_id).map(|f| f.2.as_str()).unwrap_or("?"),
                    off.total_unit_count(),
                    if compute_free.is_empty() { String::new() } else { format!("; cores without MAC units here: {compute_free:?}") }
                ),
            ));
    }
    // Shared memories must be identical.
    for (g, it) in memory_sharing.iter().zip(&sharing_items) {
        let first = &cores[g[0]];
        let tops_a: Vec<&Memory> = first.top_memories().iter().map(|&i| &first.accelerator.memories[i]).collect();
        for &b in &g[1..] {
            let cb = &cores[b];
            let tops_b: Vec<&Memory> = cb.top_memories().iter().map(|&i| &cb.accelerator.memories[i]).collect();
            if tops_a != tops_b {
                return Err(doc.error(
                    it,
                    format!("cores {} and {b} share memory but their top-level memories differ; they must be identical (same name, size, costs, ports)", g[0]),
                ));
            }
        }
    }
    let nb_shared_mem_groups = {
        let mut ids: Vec<usize> = cores.iter().map(|c| c.shared_mem_group_id).collect();
        ids.sort_unstable();
        ids.dedup();
        ids.len()
    };

    // Links and the core graph.
    let mut links: Vec<StreamLink> = Vec::new();
    let mut edges: Vec<(usize, usize, usize)> = Vec::new();
    let mut node_order: Vec<usize> = Vec::new();
    let mut add_edge = |a: usize, b: usize, l: usize, edges: &mut Vec<(usize, usize, usize)>| {
        for c in [a, b] {
            if !node_order.contains(&c) {
                node_order.push(c);
            }
        }
        match edges.iter_mut().find(|e| e.0 == a && e.1 == b) {
            // reference quirk: a later connectivity entry overwrites the edge attribute of an existing pair.
            Some(e) => e.2 = l,
            None => edges.push((a, b, l)),
        }
    };
    let mut bus_id = 0;
    for (ci, c) in conns.iter().enumerate() {
        match c.kind {
            StreamLinkKind::Link => {
                let (a, b) = (c.cores[0], c.cores[1]);
                for (s, r) in [(a, b), (b, a)] {
                    let id = links.len();
                    links.push(StreamLink {
                        id,
                        kind: StreamLinkKind::Link,
                        sender: Some(s),
                        receiver: Some(r),
                        bandwidth: c.bandwidth,
                        unit_energy_cost: c.unit_energy_cost,
                        bus_id: None,
                        entry: ci,
                    });
                    add_edge(s, r, id, &mut edges);
                }
            }
            StreamLinkKind::Bus => {
                let id = links.len();
                links.push(StreamLink {
                    id,
                    kind: StreamLinkKind::Bus,
                    sender: None,
                    receiver: None,
                    bandwidth: c.bandwidth,
                    unit_energy_cost: c.unit_energy_cost,
                    bus_id: Some(bus_id),
                    entry: ci,
                });
                bus_id += 1;
                for (i, &a) in c.cores.iter().enumerate() {
                    for &b in &c.cores[i + 1..] {
                        add_edge(a, b, id, &mut edges);
                        add_edge(b, a, id, &mut edges);
                    }
                }
            }
        }
    }
    Ok((
        StreamAccelerator {
            name,
            cores,
            offchip_core_id,
            links,
            edges,
            node_order,
            memory_sharing,
            nb_shared_mem_groups,
        },
        warnings,
    ))
}

fn non_negative(doc: &Doc, it: &Item<'_>) -> Result<f64, InputError> {
    let v = doc.f64(it)?;
    if v < 0.0 {
        return Err(doc.error(it, format!("expected a number >= 0, found {v}")));
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filenames() {
        assert!(filename_ok("./cores/a.yaml"));
        assert!(filename_ok("stream/inputs/testing/hardware/cores/testing_core1.yaml"));
        assert!(filename_ok("tpu_like"));
        assert!(!filename_ok("a b.yaml"));
        assert!(!filename_ok("../x.yaml"));
    }
}
