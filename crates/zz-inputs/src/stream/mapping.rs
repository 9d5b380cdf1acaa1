//! Reader of Stream mapping YAML (21e5ad80 schema) into
//! [`zz_ir::stream::mapping::StreamMapping`]: a list of entries keyed by layer name, operator
//! type or `default`, each with the allowed cores (`core_allocation`), the tiling of a layer
//! into computation nodes inside one core (`intra_core_tiling`, e.g. `OY, all`) and across
//! cores (`inter_core_tiling`, e.g. `K, 3` or `K, *`), optional layer-dimension names for
//! generic operators, and a spatial mapping used when a core has no `dataflows`.
//!
//! `memory_operand_links`, `spatial_mapping_hint` and `temporal_ordering` are validated as
//! the reference's schema demands but, as in the reference at 21e5ad80, not used: every
//! computation node gets the default links `I→I1, W→I2, O→O` and no hints or ordering.
//! A `default` entry is mandatory. `core_allocation_is_fixed` (in some of Stream's examples,
//! rejected by its schema, read by no code) is accepted with a warning and ignored.

use std::path::Path;

use crate::yaml::fields::{Doc, Item};
use crate::yaml::node::{Node, Value};
use crate::{InputError, Warning};
use zz_ir::mapping::UserSpatialMapping;
use zz_ir::stream::mapping::{StreamMapping, StreamMappingEntry, TilingFactor};

const ENTRY_KEYS: &[&str] = &[
    "name",
    "core_allocation",
    "inter_core_tiling",
    "layer_dimension_names",
    "intra_core_tiling",
    "spatial_mapping",
    "memory_operand_links",
    "spatial_mapping_hint",
    "temporal_ordering",
    "core_allocation_is_fixed",
];
const OA_DIMS: &[&str] = &["D1", "D2", "D3", "D4"];

/// Reads a Stream mapping file.
pub fn read_stream_mapping(path: &Path) -> Result<(StreamMapping, Vec<Warning>), InputError> {
    let (name, text) = crate::yaml::read_text(path)?;
    read_stream_mapping_str(&name, &text)
}

/// Reads Stream mapping YAML text; `name` is used in messages.
pub fn read_stream_mapping_str(name: &str, text: &str) -> Result<(StreamMapping, Vec<Warning>), InputError> {
    let file = name.to_owned();
    crate::yaml::with_doc(name, text, read_doc).map(|(entries, w)| (StreamMapping { entries, file }, w))
}

fn upper_word(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_uppercase())
}

/// Parses `DIM, factor` (`^[A-Z]+, ([0-9]+|all|\*)$`).
fn parse_tiling(doc: &Doc, it: &Item<'_>, allow_wildcard: bool) -> Result<(String, TilingFactor), InputError> {
    let s = doc.str(it)?;
    let bad = || {
        doc.error(
            it,
            format!(
                "expected \"<DIM>, <factor>\" with factor a number, `all`{} (e.g. \"OY, all\"), found \"{s}\"",
                if allow_wildcard { " or `*`" } else { "" }
            ),
        )
    };
    let (dim, f) = s.split_once(", ").ok_or_else(bad)?;
    if !upper_word(dim) {
        return Err(bad());
    }
    let factor = match f {
        "all" => TilingFactor::All,
        "*" if allow_wildcard => TilingFactor::Wildcard,
        "*" => {
            return Err(doc.error(
                it,
                "`*` is only allowed in `inter_core_tiling`; intra-core tiling factors must be a number or `all`",
            ));
        }
        n if !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()) => TilingFactor::N(n.parse().map_err(|_| bad())?),
        _ => return Err(bad()),
    };
    if factor == TilingFactor::N(0) {
        return Err(doc.error(it, "a tiling factor must be at least 1"));
    }
    Ok((dim.to_owned(), factor))
}

fn read_oa_dict(doc: &Doc, it: &Item<'_>, hint: bool) -> Result<UserSpatialMapping, InputError> {
    let f = doc.map(it, OA_DIMS)?;
    let mut out: UserSpatialMapping = Vec::new();
    for (key, _) in f.keys() {
        let Some(list) = f.get(key) else { continue };
        let mut loops = Vec::new();
        for (s, e) in doc.str_list(&list)? {
            if hint {
                if !upper_word(s) {
                    return Err(
                        doc.error(&e, format!("expected a layer dimension in capitals (e.g. \"K\"), found \"{s}\""))
                    );
                }
                loops.push((s.to_owned(), 0));
                continue;
            }
            let parsed = s.split_once(", ").and_then(|(d, n)| {
                (upper_word(d) && !n.is_empty() && n.chars().all(|c| c.is_ascii_digit())).then(|| (d, n.parse::<u64>()))
            });
            let Some((d, Ok(n))) = parsed else {
                return Err(doc.error(&e, format!("expected \"<DIM>, <unrolling>\" (e.g. \"K, 32\"), found \"{s}\"")));
            };
            match loops.iter_mut().find(|(x, _): &&mut (String, u64)| x == d) {
                Some(l) => l.1 = n,
                None => loops.push((d.to_owned(), n)),
            }
        }
        out.push((key.to_owned(), loops));
    }
    Ok(out)
}

fn read_doc(doc: &mut Doc, root: &Node) -> Result<Vec<StreamMappingEntry>, InputError> {
    crate::yaml::kind::expect(doc, root, crate::yaml::kind::FileKind::Mapping, "-m/--mapping")?;
    let root = Item::root(root);
    let items = match &root.node.value {
        Value::Seq(_) => doc.seq(&root)?,
        Value::Null => {
            return Err(
                doc.error(&root, "the file is empty; expected a list of mapping entries with a `default` entry")
            );
        }
        _ => return Err(doc.expected(&root, "a list of mapping entries")),
    };
    let mut entries = Vec::with_capacity(items.len());
    let mut any_core_allocation = false;
    let mut fixed_key = None;
    for it in &items {
        let f = doc.map(it, ENTRY_KEYS)?;
        let name = f.req_str(doc, "name")?.to_owned();
        let mut core_allocation = vec![0];
        any_core_allocation |= f.get("core_allocation").is_some();
        if let Some(ca) = f.get("core_allocation") {
            core_allocation = doc.u64_list(&ca)?.into_iter().map(|x| x as usize).collect();
        }
        let mut intra = Vec::new();
        if let Some(t) = f.get("intra_core_tiling") {
            for e in doc.seq(&t)? {
                intra.push(parse_tiling(doc, &e, false)?);
            }
        }
        let mut inter = Vec::new();
        if let Some(t) = f.get("inter_core_tiling") {
            for e in doc.seq(&t)? {
                inter.push(parse_tiling(doc, &e, true)?);
            }
        }
        let mut layer_dimension_names = Vec::new();
        if let Some(t) = f.get("layer_dimension_names") {
            for e in doc.seq(&t)? {
                if !e.is_null() {
                    layer_dimension_names.push(doc.str(&e)?.to_owned());
                }
            }
        }
        let spatial_mapping = match f.get_nonnull("spatial_mapping") {
            Some(sm) => Some(read_oa_dict(doc, &sm, false)?),
            None => None,
        };
        if let Some(h) = f.get("spatial_mapping_hint") {
            read_oa_dict(doc, &h, true)?;
        }
        if let Some(l) = f.get("memory_operand_links") {
            let lf = doc.map(&l, &["O", "W", "I"])?;
            for k in ["O", "W", "I"] {
                doc.str(&lf.req(doc, k)?)?;
            }
        }
        if let Some(x) = f.get("core_allocation_is_fixed") {
            // Beyond the reference: Stream 21e5ad80's schema rejects this key and no code reads
            // it, yet some of Stream's own examples carry it. One warning per file, at the first.
            fixed_key.get_or_insert_with(|| (x.pos(), name.clone(), 0)).2 += 1;
        }
        if let Some(t) = f.get("temporal_ordering") {
            for e in doc.seq(&t)? {
                let pair = doc.seq(&e)?;
                if pair.len() != 2 {
                    return Err(doc.error(&e, "expected a pair [<DIM>, <size or \"*\">]"));
                }
                doc.str(&pair[0])?;
                match &pair[1].node.value {
                    Value::Int(_) => {}
                    Value::Str(s) if s == "*" => {}
                    _ => return Err(doc.expected(&pair[1], "an integer or \"*\"")),
                }
            }
        }
        entries.push(StreamMappingEntry {
            name,
            core_allocation,
            intra_core_tiling: intra,
            inter_core_tiling: inter,
            layer_dimension_names,
            spatial_mapping,
            pos: it.pos(),
        });
    }
    if !entries.iter().any(|e| e.name == "default") {
        return Err(doc.error(&root, "no `default` entry; a Stream mapping needs an entry named `default`"));
    }
    if let Some((pos, first, n)) = fixed_key {
        let more = if n > 1 { format!(" (and {} more entries)", n - 1) } else { String::new() };
        doc.warn(
            pos,
            format!(
                "`{first}.core_allocation_is_fixed`{more} is from older Stream releases (e.g. the Dec-2024 tutorial) and has no effect: a single core in `core_allocation` fixes the layer to it, several let the allocator choose; ignored (delete the key)"
            ),
        );
    }
    if !any_core_allocation {
        doc.warn(
            root.pos(),
            "no entry has a `core_allocation` (is this a ZigZag single-core mapping?): every layer is scheduled on core 0; list the cores of each layer, e.g. `core_allocation: [0, 1]`",
        );
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_tilings() {
        let text = "- name: default\n  core_allocation: [0, 1]\n  intra_core_tiling:\n    - OY, all\n  inter_core_tiling:\n    - K, *\n";
        let (m, _) = read_stream_mapping_str("m.yaml", text).unwrap();
        let e = m.entry_for("x", "Conv");
        assert_eq!(e.core_allocation, vec![0, 1]);
        assert_eq!(e.intra_core_tiling, vec![("OY".to_string(), TilingFactor::All)]);
        assert_eq!(e.inter_core_tiling, vec![("K".to_string(), TilingFactor::Wildcard)]);
    }

    #[test]
    fn located_errors() {
        let err = read_stream_mapping_str("m.yaml", "- name: Conv\n").unwrap_err();
        assert!(err.message.contains("default"), "{err}");
        let err =
            read_stream_mapping_str("m.yaml", "- name: default\n  intra_core_tiling: [\"OY,all\"]\n").unwrap_err();
        assert_eq!((err.line, err.key.as_str()), (2, "[0].intra_core_tiling[0]"), "{err}");
        let err = read_stream_mapping_str("m.yaml", "- name: default\n  core_alloc: [1]\n").unwrap_err();
        assert_eq!(err.line, 2, "{err}");
    }
}
