//! Mapping YAML: a list of entries (layer name, operator type or `default`) with spatial
//! mapping, hints, temporal ordering and memory-operand links.
//!
//! Besides the [`Mapping`] the reader returns [`MappingSpans`], the source positions of
//! each entry, so that cross-file checks ([`super::check`]) can point into the file.

use std::sync::LazyLock;

use regex::Regex;
use zz_ir::accelerator::MemOperand;
use zz_ir::mapping::{Mapping, MappingEntry, TemporalOrderingEntry, UserSpatialMapping};

use crate::error::InputError;

use super::fields::{Doc, Item};
use super::node::{Node, Pos, Value};

/// Keys of a ZigZag mapping entry. Stream adds its own keys (see [`STREAM_ONLY_KEYS`]);
/// a Stream reader can pass a longer list to [`read_with_keys`].
pub const ZIGZAG_ENTRY_KEYS: &[&str] =
    &["name", "spatial_mapping", "spatial_mapping_hint", "memory_operand_links", "temporal_ordering"];

/// Keys that belong to Stream mapping files and are invalid in ZigZag ones.
pub const STREAM_ONLY_KEYS: &[&str] =
    &["core_allocation", "core_allocation_is_fixed", "inter_core_tiling", "intra_core_tiling"];

const OA_DIM_KEYS: &[&str] = &["D1", "D2", "D3", "D4"];
const LINK_KEYS: &[&str] = &["O", "W", "I"];

static UNROLL_RE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[A-Z]+\d*, \d+\n?$").expect("valid regex"));
/// Cerberus appends `$` to patterns that lack it, so the hint pattern is a full match too.
static HINT_RE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[A-Z]+\d*\n?$").expect("valid regex"));

/// Source positions of one mapping entry.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EntrySpans {
    /// Start of the entry.
    pub entry: Pos,
    /// Key path of the entry (e.g. `[2]`).
    pub path: String,
    /// Position of each OA dimension key of `spatial_mapping`.
    pub spatial: Vec<(String, Pos)>,
    /// Position of each `memory_operand_links` value (default links: the entry's position).
    pub links: Vec<(String, Pos)>,
}

/// Source positions of every entry of a mapping file, in entry order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MappingSpans {
    /// One per mapping entry.
    pub entries: Vec<EntrySpans>,
}

/// Reads a ZigZag mapping file.
pub fn read(doc: &mut Doc, root: &Node) -> Result<(Mapping, MappingSpans), InputError> {
    read_with_keys(doc, root, ZIGZAG_ENTRY_KEYS)
}

/// Reads a mapping file whose entries may use the keys in `allowed` (unknown keys are
/// rejected; keys not read here are ignored).
pub fn read_with_keys(doc: &mut Doc, root: &Node, allowed: &[&str]) -> Result<(Mapping, MappingSpans), InputError> {
    super::kind::expect(doc, root, super::kind::FileKind::Mapping, "-m/--mapping")?;
    let root = Item::root(root);
    let items = match &root.node.value {
        Value::Null => {
            return Err(doc.error(&root, "the file is empty; expected a list of mapping entries"));
        }
        Value::Seq(_) => doc.seq(&root)?,
        _ => return Err(doc.expected(&root, "a list of mapping entries (`- name: default ...`)")),
    };
    if items.is_empty() {
        return Err(doc.error(&root, "expected at least one mapping entry (one named `default` is required)"));
    }
    let mut mapping = Mapping::default();
    let mut spans = MappingSpans::default();
    for item in &items {
        let (entry, entry_spans) = read_entry(doc, item, allowed)?;
        mapping.entries.push(entry);
        spans.entries.push(entry_spans);
    }
    if !mapping.entries.iter().any(|e| e.name == "default") {
        return Err(
            doc.error(&root, "no entry named `default`; add `- name: default` with the mapping used for other layers")
        );
    }
    Ok((mapping, spans))
}

fn read_entry(doc: &mut Doc, item: &Item<'_>, allowed: &[&str]) -> Result<(MappingEntry, EntrySpans), InputError> {
    if let Value::Map(entries) = &item.node.value {
        for e in entries {
            if let Some(k) = e.key.as_str().filter(|k| STREAM_ONLY_KEYS.contains(k) && !allowed.contains(k)) {
                return Err(doc.error_at(
                    e.key.pos,
                    &super::fields::child_path(&item.path, k),
                    format!(
                        "`{k}` is a Stream mapping key, not valid in a ZigZag mapping; allowed keys: {}",
                        allowed.join(", ")
                    ),
                ));
            }
        }
    }
    let f = doc.map(item, allowed)?;
    let name = f.req_str(doc, "name")?.to_owned();
    let mut spans = EntrySpans { entry: item.pos(), path: item.path.clone(), ..EntrySpans::default() };

    let spatial_mapping = match f.get_nonnull("spatial_mapping") {
        Some(sm) => Some(read_spatial_mapping(doc, &sm, &mut spans)?),
        None => None,
    };
    let spatial_mapping_hint = match f.get_nonnull("spatial_mapping_hint") {
        Some(h) => read_hint(doc, &h)?,
        None => Vec::new(),
    };
    let memory_operand_links = match f.get("memory_operand_links") {
        Some(l) => read_links(doc, &l, &mut spans)?,
        None => {
            let links = MappingEntry::default_links();
            spans.links = links.iter().map(|(op, _)| (op.clone(), item.pos())).collect();
            links
        }
    };
    let temporal_ordering = match f.get_nonnull("temporal_ordering") {
        Some(t) => read_temporal_ordering(doc, &t)?,
        None => Vec::new(),
    };
    let entry = MappingEntry { name, spatial_mapping, spatial_mapping_hint, temporal_ordering, memory_operand_links };
    Ok((entry, spans))
}

fn read_spatial_mapping(doc: &Doc, item: &Item<'_>, spans: &mut EntrySpans) -> Result<UserSpatialMapping, InputError> {
    let f = doc.map(item, OA_DIM_KEYS)?;
    let mut out: UserSpatialMapping = Vec::new();
    for (oa_dim, pos) in f.keys() {
        let Some(list) = f.get(oa_dim) else { continue };
        let mut unrollings: Vec<(String, u64)> = Vec::new();
        for (s, it) in doc.str_list(&list)? {
            let parsed = UNROLL_RE
                .is_match(s)
                .then(|| s.split_once(", "))
                .flatten()
                .and_then(|(dim, n)| Some((dim, n.trim_end().parse::<u64>().ok()?)));
            let Some((dim, factor)) = parsed else {
                return Err(doc.error(&it, format!("expected \"<DIM>, <factor>\" (e.g. \"K, 32\"), found \"{s}\"")));
            };
            // As a dict: a repeated dimension keeps its first place and its last factor.
            match unrollings.iter_mut().find(|(d, _)| d == dim) {
                Some(existing) => existing.1 = factor,
                None => unrollings.push((dim.to_owned(), factor)),
            }
        }
        out.push((oa_dim.to_owned(), unrollings));
        spans.spatial.push((oa_dim.to_owned(), pos));
    }
    Ok(out)
}

fn read_hint(doc: &Doc, item: &Item<'_>) -> Result<Vec<(String, Vec<String>)>, InputError> {
    let f = doc.map(item, OA_DIM_KEYS)?;
    let mut out = Vec::new();
    for (oa_dim, _) in f.keys() {
        let Some(list) = f.get(oa_dim) else { continue };
        let mut dims: Vec<String> = Vec::new();
        for (s, it) in doc.str_list(&list)? {
            if !HINT_RE.is_match(s) {
                return Err(doc.error(&it, format!("expected a layer dimension name such as K or OX, found \"{s}\"")));
            }
            let dim = s.trim_end_matches('\n').to_uppercase();
            if !dims.contains(&dim) {
                dims.push(dim);
            }
        }
        out.push((oa_dim.to_owned(), dims));
    }
    Ok(out)
}

fn read_links(doc: &Doc, item: &Item<'_>, spans: &mut EntrySpans) -> Result<Vec<(String, MemOperand)>, InputError> {
    let f = doc.map(item, LINK_KEYS)?;
    for key in LINK_KEYS {
        f.req(doc, key)?;
    }
    let mut links: Vec<(String, MemOperand)> = Vec::new();
    for (layer_op, _) in f.keys() {
        let Some(value) = f.get(layer_op) else {
            continue;
        };
        let s = doc.str(&value)?;
        let mem_op = MemOperand::parse(s)
            .filter(|_| s == s.trim())
            .ok_or_else(|| doc.error(&value, format!("expected a memory operand I1, I2 or O, found \"{s}\"")))?;
        if let Some((other, _)) = links.iter().find(|(_, m)| *m == mem_op) {
            return Err(doc.error(
                &value,
                format!("memory operand `{mem_op}` is already linked to layer operand `{other}`; each needs its own"),
            ));
        }
        links.push((layer_op.to_owned(), mem_op));
        spans.links.push((layer_op.to_owned(), value.pos()));
    }
    Ok(links)
}

fn read_temporal_ordering(doc: &Doc, item: &Item<'_>) -> Result<Vec<TemporalOrderingEntry>, InputError> {
    let mut out = Vec::new();
    for loop_item in doc.seq(item)? {
        let parts = match &loop_item.node.value {
            Value::Seq(_) => doc.seq(&loop_item)?,
            _ => {
                return Err(doc.expected(&loop_item, "a loop `[DIM, size]` (size an integer or \"*\")"));
            }
        };
        let [dim_item, size_item] = &parts[..] else {
            return Err(doc.error(
                &loop_item,
                format!("expected a loop `[DIM, size]` with two elements, found {} elements", parts.len()),
            ));
        };
        let dim =
            doc.str(dim_item).map_err(|_| doc.expected(dim_item, "a layer dimension name (string)"))?.to_uppercase();
        if dim.trim().is_empty() {
            return Err(doc.expected(dim_item, "a layer dimension name such as K or OX, or \"*\""));
        }
        let size = match &size_item.node.value {
            Value::Str(s) if s == "*" => None,
            Value::Int(_) => Some(doc.u64(size_item)?),
            _ => return Err(doc.expected(size_item, "a loop size (non-negative integer) or \"*\"")),
        };
        out.push(TemporalOrderingEntry { dim, size });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::super::read_mapping_str;

    #[test]
    fn wildcards_links_and_repeated_dims() {
        let text = "- name: default\n  spatial_mapping:\n    D2: [\"K, 2\", \"C, 4\", \"K, 8\"]\n    D1: [\"OX, 3\"]\n  \
                    temporal_ordering:\n    - [\"*\", \"*\"]\n    - [ox, 7]\n  memory_operand_links: {W: I2, O: O, I: I1}\n\
                    - name: Conv\n";
        let (m, w) = read_mapping_str("m.yaml", text).unwrap();
        assert!(w.is_empty());
        let e = &m.entries[0];
        let sm = e.spatial_mapping.as_ref().unwrap();
        assert_eq!(sm[0].0, "D2");
        assert_eq!(sm[0].1, [("K".to_owned(), 8), ("C".to_owned(), 4)]);
        assert_eq!(sm[1].0, "D1");
        assert_eq!((e.temporal_ordering[0].dim.as_str(), e.temporal_ordering[0].size), ("*", None));
        assert_eq!((e.temporal_ordering[1].dim.as_str(), e.temporal_ordering[1].size), ("OX", Some(7)));
        let links: Vec<&str> = e.memory_operand_links.iter().map(|(o, _)| o.as_str()).collect();
        assert_eq!(links, ["W", "O", "I"]);
        let d = &m.entries[1];
        assert_eq!(d.memory_operand_links, zz_ir::mapping::MappingEntry::default_links());
        assert!(d.spatial_mapping.is_none() && d.temporal_ordering.is_empty());
    }
}
