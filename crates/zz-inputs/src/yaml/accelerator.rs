//! Accelerator YAML: the top level, the operational array and the memories.
//!
//! Each memory is read in the 3.9 schema (named ports with bandwidths and allocations)
//! or in the legacy ≤3.8 schema (port counts plus one direction → port dict per operand,
//! translated by [`super::legacy`]); the schema is detected per memory. Validation follows
//! the reference validator (unknown keys, types, served dimensions, port directions,
//! bandwidths, IMC rules) and adds checks the reference leaves to a later crash.

use std::sync::LazyLock;

use regex::Regex;
use zz_ir::accelerator::{
    Accelerator, Direction, ImcArray, MemOperand, Memory, MemoryPort, OperationalArray, PortType,
};
use zz_ir::mapping::UserSpatialMapping;

use crate::error::InputError;

use super::fields::{Doc, Fields, Item};
use super::legacy;
use super::node::{Node, Pos};

const TOP_KEYS: &[&str] = &["name", "memories", "operational_array", "dataflows"];
/// Top-level keys of a Stream core file (Stream's core validator adds `type`).
const STREAM_CORE_TOP_KEYS: &[&str] = &["name", "type", "memories", "operational_array", "multipliers", "dataflows"];

const OA_KEYS: &[&str] = &[
    "dimensions",
    "sizes",
    "unit_energy",
    "unit_area",
    "systolic_dimensions",
    "is_imc",
    "input_precision",
    "imc_type",
    "adc_resolution",
    "bit_serial_precision",
];

/// Keys of a 3.9 memory.
const MEMORY_KEYS: &[&str] = &[
    "size",
    "r_cost",
    "w_cost",
    "area",
    "latency",
    "mem_type",
    "auto_cost_extraction",
    "operands",
    "ports",
    "served_dimensions",
    "force_double_buffering",
];

const PORT_KEYS: &[&str] = &["name", "type", "bandwidth_min", "bandwidth_max", "allocation"];

static DIMENSION_RE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^D\d$").expect("valid regex"));
static PORT_NAME_RE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^r?w?_port_\d+$").expect("valid regex"));
static ALLOCATION_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(I[12]|O), (fh|tl|fl|th)$").expect("valid regex"));
static DATAFLOW_RE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[A-Z]+, [0-9]+$").expect("valid regex"));

/// IMC-only settings of the operational array, needed by the `cells` checks.
struct ImcSettings {
    input_precision: [u64; 2],
    analog: bool,
    bit_serial_precision: f64,
    adc_resolution: f64,
}

/// Reads an accelerator from a parsed document.
pub fn read(doc: &mut Doc, root: &Node) -> Result<Accelerator, InputError> {
    read_with(doc, root, false).map(|(acc, _)| acc)
}

/// What a Stream core file adds to a ZigZag accelerator file.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct StreamCoreExtras {
    /// The required `type` key: `compute` or `memory`.
    pub core_type: String,
    /// The core's `dataflows` (per OA dimension, ordered `(layer dim, unrolling)` pairs), if given.
    pub dataflows: Option<UserSpatialMapping>,
    /// Position of the `type` key's value.
    pub type_pos: Pos,
}

/// Reads a Stream core file: a ZigZag accelerator with a required `type` (`compute` or
/// `memory`, as Stream's core validator demands) whose `dataflows` are returned.
pub fn read_stream_core(doc: &mut Doc, root: &Node) -> Result<(Accelerator, StreamCoreExtras), InputError> {
    read_with(doc, root, true)
}

fn read_with(doc: &mut Doc, root: &Node, stream: bool) -> Result<(Accelerator, StreamCoreExtras), InputError> {
    let root = Item::root(root);
    if root.is_null() {
        return Err(doc.error(
            &root,
            "the file is empty; expected an accelerator mapping with keys name, memories, operational_array",
        ));
    }
    if !stream {
        super::kind::expect(doc, root.node, super::kind::FileKind::ZigZagAccelerator, "-a/--accelerator")?;
    }
    let top = if stream { doc.map(&root, STREAM_CORE_TOP_KEYS)? } else { doc.map(&root, TOP_KEYS)? };
    let mut extras = StreamCoreExtras::default();
    if stream {
        if top.get("type").is_none() {
            return Err(doc.error_at(
                root.pos(),
                "type",
                "missing required key `type`: core files of older Stream releases have none; add `type: compute` (or `type: memory` for the off-chip DRAM core)",
            ));
        }
        let it = top.req(doc, "type")?;
        let t = doc.str(&it)?;
        if t != "compute" && t != "memory" {
            return Err(doc.error(&it, format!("expected `compute` or `memory`, found \"{t}\"")));
        }
        extras.core_type = t.to_owned();
        extras.type_pos = it.pos();
    }
    let name = top.req_str(doc, "name")?.to_owned();
    // Beyond the reference: Stream cores of the older schema (e.g. its `meta_prototype.yaml`) call
    // the array `multipliers`; it is read as `operational_array`, with a warning.
    let oa = match (top.get("operational_array"), stream.then(|| top.get("multipliers")).flatten()) {
        (Some(_), Some(m)) => {
            return Err(doc.error(
                &m,
                "both `operational_array` and the older `multipliers` are given; keep `operational_array`",
            ));
        }
        (None, Some(m)) => {
            doc.warn(m.pos(), "`multipliers` is the older name of `operational_array` (Stream 21e5ad80 rejects it); read as `operational_array`");
            m
        }
        _ => top.req(doc, "operational_array")?,
    };
    let (mut operational_array, imc) = read_operational_array(doc, &oa)?;
    if let Some(dataflows) = top.get("dataflows") {
        check_dataflows(doc, &dataflows)?;
        if !dataflows.is_null() {
            extras.dataflows = Some(read_dataflows(doc, &dataflows)?);
        }
    }

    let memories_item = top.req(doc, "memories")?;
    let entries = doc.any_map(&memories_item)?;
    if entries.is_empty() {
        return Err(doc.error(&memories_item, "expected at least one memory"));
    }
    let mut memories = Vec::with_capacity(entries.len());
    for (mem_name, _, item) in &entries {
        memories.push(read_memory(doc, mem_name, item, &operational_array)?);
    }
    for (k, m) in memories.iter_mut().enumerate() {
        if m.auto_cost_extraction {
            apply_cacti(doc, &entries[k].2, m)?;
        }
    }
    if let Some(imc) = &imc {
        check_imc_cells(doc, &memories_item, &entries, &memories, imc)?;
        let cells = memories.iter().find(|m| m.name == "cells").expect("checked by check_imc_cells");
        operational_array.imc = Some(ImcArray {
            analog: imc.analog,
            activation_precision: imc.input_precision[0],
            weight_precision: imc.input_precision[1],
            bit_serial_precision: imc.bit_serial_precision,
            adc_resolution: imc.adc_resolution,
            cells_size: cells.size,
            cells_area: cells.area,
            cells_auto_cost: cells.auto_cost_extraction,
            cells_cacti_area: None,
        });
    }
    Ok((Accelerator { name, operational_array, memories }, extras))
}

/// Replaces a memory's `r_cost`, `w_cost` and `area` by CACTI's (the YAML values are ignored,
/// as in the reference).
fn apply_cacti(doc: &Doc, item: &Item<'_>, m: &mut Memory) -> Result<(), InputError> {
    let located =
        |e: crate::cacti::CactiError| doc.error(item, format!("memory `{}` (auto_cost_extraction): {e}", m.name));
    let q = crate::cacti::CactiQuery::for_memory(m).map_err(located)?;
    let c = crate::cacti::Cacti::from_env().costs(&q).map_err(located)?;
    m.r_cost = c.r_cost;
    m.w_cost = c.w_cost;
    m.area = c.area;
    Ok(())
}

/// The `dataflows` as a spatial mapping (already checked by [`check_dataflows`]); a repeated
/// layer dimension keeps its last factor at its first position, as a Python dict does.
fn read_dataflows(doc: &Doc, item: &Item<'_>) -> Result<UserSpatialMapping, InputError> {
    let f = doc.map(item, &["D1", "D2", "D3", "D4"])?;
    let mut out: UserSpatialMapping = Vec::new();
    for (key, _) in f.keys() {
        let Some(list) = f.get(key) else { continue };
        let mut loops: Vec<(String, u64)> = Vec::new();
        for (s, it) in doc.str_list(&list)? {
            let (dim, factor) = s.split_once(", ").unwrap_or((s, ""));
            let factor: u64 = factor.parse().map_err(|_| {
                doc.error(&it, format!("expected \"<DIM>, <factor>\" with an integer factor, found \"{s}\""))
            })?;
            match loops.iter_mut().find(|(d, _)| d == dim) {
                Some(e) => e.1 = factor,
                None => loops.push((dim.to_owned(), factor)),
            }
        }
        out.push((key.to_owned(), loops));
    }
    Ok(out)
}

fn read_operational_array(doc: &Doc, item: &Item<'_>) -> Result<(OperationalArray, Option<ImcSettings>), InputError> {
    let f = doc.map(item, OA_KEYS)?;
    let dims_item = f.req(doc, "dimensions")?;
    let mut dimensions: Vec<String> = Vec::new();
    for (dim, it) in doc.str_list(&dims_item)? {
        if !DIMENSION_RE.is_match(dim) {
            return Err(doc.error(&it, format!("expected an array dimension `D<digit>` (e.g. D1), found \"{dim}\"")));
        }
        if dimensions.iter().any(|d| d == dim) {
            return Err(doc.error(&it, format!("dimension `{dim}` is listed twice")));
        }
        dimensions.push(dim.to_owned());
    }
    let sizes_item = f.req(doc, "sizes")?;
    let sizes = doc.u64_list(&sizes_item)?;
    if sizes.len() != dimensions.len() {
        return Err(doc.error(
            &sizes_item,
            format!(
                "`sizes` has {} entries but `dimensions` has {}; expected one size per dimension",
                sizes.len(),
                dimensions.len()
            ),
        ));
    }
    let mut systolic_dimensions = Vec::new();
    if let Some(sys) = f.get_nonnull("systolic_dimensions") {
        for (dim, it) in doc.str_list(&sys)? {
            if !dimensions.iter().any(|d| d == dim) {
                return Err(doc.error(
                    &it,
                    format!(
                        "systolic dimension `{dim}` is not a dimension of the operational array ({})",
                        dimensions.join(", ")
                    ),
                ));
            }
            systolic_dimensions.push(dim.to_owned());
        }
    }
    let is_imc = f.bool_or(doc, "is_imc", false)?;
    let unit_energy = f.opt_f64(doc, "unit_energy")?;
    let unit_area = f.opt_f64(doc, "unit_area")?;
    let imc = if is_imc {
        Some(read_imc_settings(doc, &f)?)
    } else {
        check_no_imc_keys(doc, &f)?;
        None
    };
    let (unit_energy, unit_area) = match (unit_energy, unit_area, is_imc) {
        (Some(e), Some(a), _) => (e, a),
        (e, a, true) => (e.unwrap_or(0.0), a.unwrap_or(0.0)),
        (None, _, false) => {
            return Err(missing(doc, &f, "unit_energy", "the energy per MAC (a number)"));
        }
        (_, None, false) => {
            return Err(missing(doc, &f, "unit_area", "the area per MAC unit (a number)"));
        }
    };
    if is_imc && dimensions.len() < 2 {
        return Err(doc.error(&dims_item, "an IMC array needs at least two dimensions (wordline and bitline)"));
    }
    let oa = OperationalArray { dimensions, sizes, unit_energy, unit_area, systolic_dimensions, is_imc, imc: None };
    Ok((oa, imc))
}

fn missing(doc: &Doc, f: &Fields<'_>, key: &str, what: &str) -> InputError {
    let path = super::fields::child_path(&f.item.path, key);
    doc.error_at(f.item.pos(), &path, format!("missing required key `{key}`: {what}"))
}

/// Non-IMC arrays must not set IMC parameters (as the reference validator).
fn check_no_imc_keys(doc: &Doc, f: &Fields<'_>) -> Result<(), InputError> {
    if let Some(it) = f.get_nonnull("imc_type") {
        return Err(doc.error(&it, "`imc_type` is only allowed when `is_imc: true`"));
    }
    if let Some(it) = f.get_nonnull("adc_resolution")
        && doc.f64(&it)? != 0.0
    {
        return Err(doc.error(&it, "`adc_resolution` is only allowed when `is_imc: true`"));
    }
    if let Some(it) = f.get_nonnull("bit_serial_precision") {
        return Err(doc.error(&it, "`bit_serial_precision` is only allowed when `is_imc: true`"));
    }
    if let Some(it) = f.get_nonnull("input_precision") {
        doc.u64_list(&it)?;
    }
    Ok(())
}

fn read_imc_settings(doc: &Doc, f: &Fields<'_>) -> Result<ImcSettings, InputError> {
    let prec_item = f.req(doc, "input_precision")?;
    let prec = doc.u64_list(&prec_item)?;
    let [act, weight] = prec[..] else {
        return Err(doc.error(&prec_item, "expected two precisions [activation bits, weight bits]"));
    };
    let imc_type = match f.get_nonnull("imc_type") {
        Some(it) => {
            let t = doc.str(&it)?;
            if t != "analog" && t != "digital" {
                return Err(doc.error(&it, format!("expected `analog` or `digital`, found \"{t}\"")));
            }
            Some(t)
        }
        None => None,
    };
    let adc = f.opt_f64(doc, "adc_resolution")?.unwrap_or(0.0);
    let bsp_item = f.req(doc, "bit_serial_precision")?;
    let bsp = doc.f64(&bsp_item)?;
    if bsp > act as f64 {
        return Err(doc.error(&bsp_item, format!("bit-serial precision {bsp} exceeds the activation precision {act}")));
    }
    let pow2 = |x: f64| x > 0.0 && x.log2().fract() == 0.0;
    if !pow2(bsp) {
        return Err(doc.error(&bsp_item, "the bit-serial precision must be a power of two"));
    }
    if !pow2(act as f64) || !pow2(weight as f64) {
        return Err(doc.error(&prec_item, "both input precisions must be powers of two"));
    }
    if imc_type == Some("digital") && adc != 0.0 {
        let it = f.get("adc_resolution").unwrap_or_else(|| f.item.clone());
        return Err(doc.error(&it, "a digital IMC array has no ADC: `adc_resolution` must be 0 or absent"));
    }
    Ok(ImcSettings {
        input_precision: [act, weight],
        analog: imc_type == Some("analog"),
        bit_serial_precision: bsp,
        adc_resolution: adc,
    })
}

/// IMC arrays need a `cells` memory holding only `I2`, serving no dimension, sized in whole weights.
fn check_imc_cells(
    doc: &Doc,
    memories_item: &Item<'_>,
    entries: &[(String, Pos, Item<'_>)],
    memories: &[Memory],
    imc: &ImcSettings,
) -> Result<(), InputError> {
    let Some(idx) = memories.iter().position(|m| m.name == "cells") else {
        return Err(doc.error(memories_item, "an IMC accelerator (is_imc: true) needs a memory named `cells`"));
    };
    let (cells, item) = (&memories[idx], &entries[idx].2);
    if cells.operands != [MemOperand::I2] {
        return Err(doc.error(item, "IMC `cells` can only hold weights: set `operands: [I2]`"));
    }
    if !cells.served_dimensions.is_empty() {
        return Err(doc.error(item, "IMC `cells` must be fully unrolled: set `served_dimensions: []`"));
    }
    if imc.input_precision[1] == 0 || cells.size % imc.input_precision[1] != 0 {
        return Err(doc.error(item, "the size of IMC `cells` must be a multiple of the weight precision"));
    }
    Ok(())
}

/// `dataflows` (a Stream feature) is validated and ignored.
fn check_dataflows(doc: &Doc, item: &Item<'_>) -> Result<(), InputError> {
    let f = doc.map(item, &["D1", "D2", "D3", "D4"])?;
    f.req(doc, "D1")?;
    for (key, _) in f.keys() {
        let Some(list) = f.get(key) else { continue };
        for (s, it) in doc.str_list(&list)? {
            if !DATAFLOW_RE.is_match(s) {
                return Err(doc.error(&it, format!("expected \"<DIM>, <factor>\" (e.g. \"K, 16\"), found \"{s}\"")));
            }
        }
    }
    Ok(())
}

/// Reads one memory, detecting the schema from its keys.
fn read_memory(doc: &mut Doc, name: &str, item: &Item<'_>, oa: &OperationalArray) -> Result<Memory, InputError> {
    if legacy::is_legacy(doc, item)? {
        return legacy::read_memory(doc, name, item, oa);
    }
    let f = doc.map(item, MEMORY_KEYS)?;
    let mut memory = read_common(doc, name, &f, oa)?;
    let ports_item = f.req(doc, "ports")?;
    let mut ports = Vec::new();
    for port_item in doc.seq(&ports_item)? {
        let port = read_port(doc, &port_item, name, &memory.operands)?;
        if ports.iter().any(|p: &MemoryPort| p.name == port.name) {
            return Err(doc.error(&port_item, format!("port name `{}` is used twice in memory `{name}`", port.name)));
        }
        ports.push(port);
    }
    warn_duplicate_allocations(doc, name, &ports_item, &ports);
    memory.ports = ports;
    Ok(memory)
}

/// The keys both schemas share: everything but the ports.
pub(super) fn read_common(
    doc: &mut Doc,
    name: &str,
    f: &Fields<'_>,
    oa: &OperationalArray,
) -> Result<Memory, InputError> {
    let size = f.req_u64(doc, "size")?;
    let latency = f.req_u64(doc, "latency")?;
    let mem_type = f.str_or(doc, "mem_type", "sram")?;
    let auto_cost_extraction = f.bool_or(doc, "auto_cost_extraction", false)?;
    let force_double_buffering = f.bool_or(doc, "force_double_buffering", false)?;
    let r_cost = f.opt_f64(doc, "r_cost")?;
    let w_cost = f.opt_f64(doc, "w_cost")?;
    let area = f.opt_f64(doc, "area")?;
    let operands = read_operands(doc, &f.req(doc, "operands")?)?;
    let served_dimensions = read_served_dimensions(doc, &f.req(doc, "served_dimensions")?, oa)?;

    if auto_cost_extraction {
        let it = f.get("auto_cost_extraction").unwrap_or_else(|| f.item.clone());
        if oa.is_imc && name == "cells" {
            // reference quirk: ZigZag 3.9.1's cell-array CACTI parser converts CACTI's "N/A"
            // columns to numbers and fails for every query, so such a file never runs there.
            return Err(doc.error(
                &it,
                "IMC `cells` with `auto_cost_extraction: true` cannot be costed: ZigZag 3.9.1's CACTI \
                 cell-array parser rejects every CACTI result (\"N/A\" columns, ValueError), and the cells \
                 memory itself is below CACTI's 64-byte minimum; set `auto_cost_extraction: false` on \
                 `cells` and give its `area` (per unit), `r_cost` and `w_cost`",
            ));
        }
        if size % 8 != 0 {
            return Err(doc.error(&it, "with `auto_cost_extraction` the memory size must be a multiple of 8 bits"));
        }
    } else {
        for (key, value) in [("r_cost", r_cost), ("w_cost", w_cost), ("area", area)] {
            if value.is_none() {
                let path = super::fields::child_path(&f.item.path, key);
                let pos = f.get(key).map(|it| it.pos()).unwrap_or(f.item.pos());
                return Err(doc.error_at(
                    pos,
                    &path,
                    format!("memory `{name}` needs `{key}` (a number) because `auto_cost_extraction` is false"),
                ));
            }
        }
    }

    Ok(Memory {
        name: name.to_owned(),
        size,
        r_cost: r_cost.unwrap_or(0.0),
        w_cost: w_cost.unwrap_or(0.0),
        area: area.unwrap_or(0.0),
        latency,
        mem_type,
        auto_cost_extraction,
        operands,
        ports: Vec::new(),
        served_dimensions,
        force_double_buffering,
    })
}

fn read_operands(doc: &Doc, item: &Item<'_>) -> Result<Vec<MemOperand>, InputError> {
    let mut operands = Vec::new();
    for (s, it) in doc.str_list(item)? {
        let op = MemOperand::parse(s)
            .filter(|_| s == s.trim())
            .ok_or_else(|| doc.error(&it, format!("expected a memory operand I1, I2 or O, found \"{s}\"")))?;
        if operands.contains(&op) {
            return Err(doc.error(&it, format!("memory operand `{op}` is listed twice")));
        }
        operands.push(op);
    }
    if operands.is_empty() {
        return Err(doc.error(item, "expected at least one memory operand (I1, I2, O)"));
    }
    Ok(operands)
}

fn read_served_dimensions(doc: &Doc, item: &Item<'_>, oa: &OperationalArray) -> Result<Vec<String>, InputError> {
    let mut dims = Vec::new();
    for (s, it) in doc.str_list(item)? {
        if !DIMENSION_RE.is_match(s) {
            return Err(doc.error(&it, format!("expected an array dimension `D<digit>` (e.g. D1), found \"{s}\"")));
        }
        if !oa.dimensions.iter().any(|d| d == s) {
            return Err(doc.error(
                &it,
                format!(
                    "served dimension `{s}` is not a dimension of the operational array ({})",
                    oa.dimensions.join(", ")
                ),
            ));
        }
        dims.push(s.to_owned());
    }
    Ok(dims)
}

fn read_port(doc: &Doc, item: &Item<'_>, mem: &str, operands: &[MemOperand]) -> Result<MemoryPort, InputError> {
    let f = doc.map(item, PORT_KEYS)?;
    let name_item = f.req(doc, "name")?;
    let name = doc.str(&name_item)?;
    if !PORT_NAME_RE.is_match(name) {
        return Err(doc.error(
            &name_item,
            format!("expected a port name like r_port_1, w_port_1 or rw_port_1, found \"{name}\""),
        ));
    }
    let type_item = f.req(doc, "type")?;
    let type_str = doc.str(&type_item)?;
    let port_type = PortType::parse(type_str).ok_or_else(|| {
        doc.error(&type_item, format!("expected a port type read, write or read_write, found \"{type_str}\""))
    })?;
    let bandwidth_min = f.req_u64(doc, "bandwidth_min")?;
    let bandwidth_max = f.req_u64(doc, "bandwidth_max")?;
    for (key, bw) in [("bandwidth_min", bandwidth_min), ("bandwidth_max", bandwidth_max)] {
        if bw == 0 {
            let it = f.req(doc, key)?;
            return Err(doc.error(
                &it,
                format!("{key} is 0; expected a bandwidth > 0 bits/cycle (0 makes every transfer through this port take forever, and the reference then reports NaN energy and latency)"),
            ));
        }
    }
    if bandwidth_min > bandwidth_max {
        let it = f.req(doc, "bandwidth_min")?;
        return Err(
            doc.error(&it, format!("bandwidth_min ({bandwidth_min}) is greater than bandwidth_max ({bandwidth_max})"))
        );
    }
    let mut allocation = Vec::new();
    for (s, it) in doc.str_list(&f.req(doc, "allocation")?)? {
        let (op, dir) = parse_allocation(doc, &it, s)?;
        if !operands.contains(&op) {
            return Err(doc.error(
                &it,
                format!(
                    "allocation names operand `{op}`, which memory `{mem}` does not store (operands: {})",
                    join_ops(operands)
                ),
            ));
        }
        check_direction(doc, &it, port_type, dir)?;
        allocation.push((op, dir));
    }
    Ok(MemoryPort { name: name.to_owned(), port_type, bandwidth_min, bandwidth_max, allocation })
}

fn parse_allocation(doc: &Doc, item: &Item<'_>, s: &str) -> Result<(MemOperand, Direction), InputError> {
    let parsed = ALLOCATION_RE.captures(s).and_then(|c| {
        let op = MemOperand::parse(c.get(1)?.as_str())?;
        let dir = Direction::parse_code(c.get(2)?.as_str())?;
        Some((op, dir))
    });
    parsed.ok_or_else(|| {
        doc.error(item, format!("expected \"<I1|I2|O>, <fh|tl|fl|th>\" (e.g. \"I1, tl\"), found \"{s}\""))
    })
}

/// A read port cannot take writes (`fh`, `fl`); a write port cannot serve reads (`tl`, `th`).
pub(super) fn check_direction(
    doc: &Doc,
    item: &Item<'_>,
    port_type: PortType,
    dir: Direction,
) -> Result<(), InputError> {
    match (port_type, dir.is_read()) {
        (PortType::Read, false) => Err(doc.error(
            item,
            format!("a read port cannot serve the write direction `{}`; use a write or read_write port", dir.code()),
        )),
        (PortType::Write, true) => Err(doc.error(
            item,
            format!("a write port cannot serve the read direction `{}`; use a read or read_write port", dir.code()),
        )),
        _ => Ok(()),
    }
}

/// Warns when one (operand, direction) is allocated to several ports: the later port wins.
fn warn_duplicate_allocations(doc: &mut Doc, mem: &str, ports_item: &Item<'_>, ports: &[MemoryPort]) {
    let mut seen: Vec<((MemOperand, Direction), &str)> = Vec::new();
    for port in ports {
        for &pair in &port.allocation {
            if let Some((_, first)) = seen.iter().find(|(p, _)| *p == pair) {
                let msg = format!(
                    "memory `{mem}`: `{}, {}` is allocated to port `{first}` and again to `{}`; the later one is used",
                    pair.0,
                    pair.1.code(),
                    port.name
                );
                doc.warn(ports_item.pos(), msg);
            } else {
                seen.push((pair, &port.name));
            }
        }
    }
}

/// `I1, O` style list of operands for messages.
pub(super) fn join_ops(ops: &[MemOperand]) -> String {
    ops.iter().map(|o| o.as_str()).collect::<Vec<_>>().join(", ")
}
