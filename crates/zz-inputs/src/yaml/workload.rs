//! Workload YAML: a list of layers (equation, loop dimensions and sizes, relations,
//! precisions, operand sources, padding) and the producer → consumer edges between them.

use zz_ir::workload::{Layer, LayerKind, Workload};

use crate::error::InputError;

use super::equation::{parse_equation, parse_relation};
use super::fields::{Doc, Fields, Item};
use super::node::{Node, Value};

const LAYER_KEYS: &[&str] = &[
    "id",
    "name",
    "operator_type",
    "equation",
    "dimension_relations",
    "loop_dims",
    "loop_sizes",
    "operand_precision",
    "operand_source",
    "pr_loop_dims",
    "pr_loop_sizes",
    "padding",
];

/// Operator types the reference schema accepts.
pub const OPERATOR_TYPES: &[&str] = &[
    "Max",
    "Conv",
    "Pooling",
    "Add",
    "Conv_downsample",
    "Gemm",
    "Pool",
    "MaxPool",
    "AveragePool",
    "GlobalAveragePool",
];

const PRECISION_KEYS: &[&str] = &["I", "W", "O", "O_final"];
const SOURCE_KEYS: &[&str] = &["W", "I"];

/// Where an operand's producer id was written.
struct SourceRef<'n> {
    operand: String,
    id: usize,
    item: Item<'n>,
}

/// Reads a workload from a parsed document.
pub fn read(doc: &mut Doc, root: &Node) -> Result<Workload, InputError> {
    super::kind::expect(doc, root, super::kind::FileKind::Workload, "-w/--workload")?;
    let root = Item::root(root);
    let items = match &root.node.value {
        Value::Null => {
            return Err(doc.error(&root, "the file is empty; expected a list of layers (`- id: 0 ...`)"));
        }
        Value::Seq(_) => doc.seq(&root)?,
        _ => return Err(doc.expected(&root, "a list of layers (`- id: 0 ...`)")),
    };
    if items.is_empty() {
        return Err(doc.error(&root, "the workload has no layers; expected a non-empty list of layers"));
    }
    let mut workload = Workload::default();
    let mut id_items: Vec<Item<'_>> = Vec::new();
    for item in &items {
        let (layer, sources, id_item) = read_layer(doc, item)?;
        if let Some(prev) = workload.layers.iter().position(|l| l.id == layer.id) {
            let first = id_items[prev].pos().line;
            return Err(
                doc.error(&id_item, format!("layer id {} is already used by the layer at line {first}", layer.id))
            );
        }
        let consumer = workload.layers.len();
        for source in sources.iter().filter(|s| s.id != layer.id) {
            let Some(producer) = workload.layers.iter().position(|l| l.id == source.id) else {
                let known: Vec<String> = workload.layers.iter().map(|l| l.id.to_string()).collect();
                let known = if known.is_empty() { "none".to_owned() } else { known.join(", ") };
                return Err(doc.error(
                    &source.item,
                    format!(
                        "operand `{}` comes from layer id {}, which is not defined before this layer \
                         (ids defined so far: {known}); use the layer's own id ({}) for a constant operand",
                        source.operand, source.id, layer.id
                    ),
                ));
            };
            if !workload.edges.contains(&(producer, consumer)) {
                workload.edges.push((producer, consumer));
            }
        }
        workload.layers.push(layer);
        id_items.push(id_item);
    }
    Ok(workload)
}

fn read_layer<'n>(doc: &mut Doc, item: &Item<'n>) -> Result<(Layer, Vec<SourceRef<'n>>, Item<'n>), InputError> {
    let f = doc.map(item, LAYER_KEYS)?;
    let id_item = f.req(doc, "id")?;
    let id =
        usize::try_from(doc.u64(&id_item)?).map_err(|_| doc.expected(&id_item, "a layer id that fits in memory"))?;
    let name = match f.get_nonnull("name") {
        Some(it) => doc.str(&it)?.to_owned(),
        None => format!("Layer{id}"),
    };
    let op_item = f.req(doc, "operator_type")?;
    let operator_type = doc.str(&op_item)?.to_owned();
    if !OPERATOR_TYPES.contains(&operator_type.as_str()) {
        return Err(doc.error(
            &op_item,
            format!("unknown operator type \"{operator_type}\"; allowed: {}", OPERATOR_TYPES.join(", ")),
        ));
    }
    let eq_item = f.req(doc, "equation")?;
    let equation = parse_equation(doc.str(&eq_item)?).map_err(|m| doc.error(&eq_item, m))?;

    let mut relations = Vec::new();
    if let Some(list) = f.get_nonnull("dimension_relations") {
        for (s, it) in doc.str_list(&list)? {
            relations.push(parse_relation(s).map_err(|m| doc.error(&it, m))?);
        }
    }

    let loop_dims = read_loop_dims(doc, &f)?;
    let precision = read_precision(doc, &f, &equation.operands)?;
    let sources = read_sources(doc, &f)?;
    let operand_source = sources.iter().map(|s| (s.operand.clone(), s.id)).collect();
    let (padding, pr_sizes) = read_pr_dims(doc, &f)?;

    let layer = Layer {
        id,
        name,
        operator_type,
        kind: LayerKind::Compute,
        equation: equation.normalized,
        operands: equation.operands,
        loop_dims,
        relations,
        padding,
        pr_sizes,
        precision,
        operand_source,
    };
    Ok((layer, sources, id_item))
}

/// `loop_dims` zipped with `loop_sizes` (as the reference: extra entries are dropped, with a
/// warning; a repeated dimension keeps its first place and its last size).
fn read_loop_dims(doc: &mut Doc, f: &Fields<'_>) -> Result<Vec<(String, u64)>, InputError> {
    let dims_item = f.req(doc, "loop_dims")?;
    let dims = doc.str_list(&dims_item)?;
    let sizes_item = f.req(doc, "loop_sizes")?;
    let sizes = doc.u64_list(&sizes_item)?;
    if dims.len() != sizes.len() {
        doc.warn(
            sizes_item.pos(),
            format!(
                "`{}` has {} entries but `{}` has {}; the extra entries are ignored",
                sizes_item.path,
                sizes.len(),
                dims_item.path,
                dims.len()
            ),
        );
    }
    let mut out: Vec<(String, u64)> = Vec::new();
    for ((dim, it), size) in dims.into_iter().zip(sizes) {
        let dim = dim.to_uppercase();
        match out.iter_mut().find(|(d, _)| *d == dim) {
            Some(existing) => {
                doc.warn(it.pos(), format!("loop dimension `{dim}` is listed twice; its last size ({size}) is used"));
                existing.1 = size;
            }
            None => out.push((dim, size)),
        }
    }
    Ok(out)
}

fn read_precision(
    doc: &Doc,
    f: &Fields<'_>,
    operands: &[zz_ir::workload::EquationOperand],
) -> Result<Vec<(String, u64)>, InputError> {
    let item = f.req(doc, "operand_precision")?;
    let pf = doc.map(&item, PRECISION_KEYS)?;
    pf.req(doc, "O")?;
    pf.req(doc, "O_final")?;
    let mut out = Vec::new();
    for (key, _) in pf.keys() {
        let Some(value) = pf.get(key) else { continue };
        out.push((key.to_owned(), doc.u64(&value)?));
    }
    for op in operands.iter().skip(1) {
        if !out.iter().any(|(k, _)| *k == op.name) {
            return Err(doc.error(
                &item,
                format!("no precision for operand `{}` of the equation; add `{}: <bits>`", op.name, op.name),
            ));
        }
    }
    Ok(out)
}

fn read_sources<'n>(doc: &Doc, f: &Fields<'n>) -> Result<Vec<SourceRef<'n>>, InputError> {
    let Some(item) = f.get_nonnull("operand_source") else {
        return Ok(Vec::new());
    };
    let sf = doc.map(&item, SOURCE_KEYS)?;
    let mut out = Vec::new();
    for (key, _) in sf.keys() {
        let Some(value) = sf.get(key) else { continue };
        let id = usize::try_from(doc.u64(&value)?).map_err(|_| doc.expected(&value, "a layer id"))?;
        out.push(SourceRef { operand: key.to_owned(), id, item: value });
    }
    Ok(out)
}

type PaddingAndSizes = (Vec<(String, (i64, i64))>, Option<Vec<(String, u64)>>);

/// `pr_loop_dims` with `padding` and `pr_loop_sizes` (each must match `pr_loop_dims` in length).
fn read_pr_dims(doc: &Doc, f: &Fields<'_>) -> Result<PaddingAndSizes, InputError> {
    let pr_item = f.get_nonnull("pr_loop_dims");
    let pr_dims: Option<Vec<String>> = match &pr_item {
        Some(it) => Some(doc.str_list(it)?.into_iter().map(|(s, _)| s.to_uppercase()).collect()),
        None => None,
    };
    let padding = match f.get_nonnull("padding") {
        Some(it) => Some((read_padding(doc, &it)?, it)),
        None => None,
    };
    let pr_sizes = match f.get_nonnull("pr_loop_sizes") {
        Some(it) => Some((doc.u64_list(&it)?, it)),
        None => None,
    };
    let check_len = |what: &str, len: usize, it: &Item<'_>| -> Result<(), InputError> {
        match &pr_dims {
            None => Err(doc.error(it, format!("`{what}` needs `pr_loop_dims` (the dimensions it refers to)"))),
            Some(dims) if dims.len() != len => Err(doc.error(
                it,
                format!("`{what}` has {len} entries but `pr_loop_dims` has {}; expected one per dimension", dims.len()),
            )),
            Some(_) => Ok(()),
        }
    };
    if let Some((pads, it)) = &padding {
        check_len("padding", pads.len(), it)?;
    }
    if let Some((sizes, it)) = &pr_sizes {
        check_len("pr_loop_sizes", sizes.len(), it)?;
    }
    let dims = pr_dims.unwrap_or_default();
    let padding = padding.map(|(pads, _)| dims.iter().cloned().zip(pads).collect()).unwrap_or_default();
    let pr_sizes = pr_sizes.map(|(sizes, _)| dims.iter().cloned().zip(sizes).collect());
    Ok((padding, pr_sizes))
}

fn read_padding(doc: &Doc, item: &Item<'_>) -> Result<Vec<(i64, i64)>, InputError> {
    let mut out = Vec::new();
    for pair_item in doc.seq(item)? {
        let pair = match &pair_item.node.value {
            Value::Seq(_) => doc.seq(&pair_item)?,
            _ => return Err(doc.expected(&pair_item, "a padding pair `[begin, end]`")),
        };
        let [a, b] = &pair[..] else {
            return Err(
                doc.error(&pair_item, format!("expected a padding pair `[begin, end]`, found {} elements", pair.len()))
            );
        };
        out.push((doc.i64(a)?, doc.i64(b)?));
    }
    Ok(out)
}
