//! Legacy (≤3.8) memories: port counts and bandwidths plus one `direction: port` dict per
//! operand, translated into 3.9 named ports.
//!
//! The translation reproduces the tutorial's `hardware/` → `hardware-v39/` files:
//!
//! * ports are the distinct port names the dicts use, read ports first (`r_port_1`,
//!   `r_port_2`, …), then write ports, then read-write ports, each by number;
//! * a read port has `bandwidth_max = r_bw`, `bandwidth_min = min_r_granularity` (default
//!   `r_bw`); a write port `w_bw` / `min_w_granularity` (default `w_bw`); a read-write port
//!   the read values (`r_bw` / `min_r_granularity`);
//! * a port's allocation lists `"<operand>, <direction>"` in operand order, then in the
//!   order of the dict's keys.
//!
//! The legacy validator's checks are kept: one dict per operand, and the number of distinct
//! read / write / read-write port names must equal `r_port` / `w_port` / `rw_port`.

use std::sync::LazyLock;

use regex::Regex;
use zz_ir::accelerator::{Direction, MemOperand, Memory, MemoryPort, OperationalArray, PortType};

use crate::error::InputError;

use super::accelerator::{check_direction, join_ops, read_common};
use super::fields::{Doc, Item};
use super::node::{Node, Pos, Value};

/// Keys only the legacy schema has.
const LEGACY_ONLY_KEYS: &[&str] =
    &["r_bw", "w_bw", "r_port", "w_port", "rw_port", "min_r_granularity", "min_w_granularity"];

/// Keys of a legacy memory.
const LEGACY_MEMORY_KEYS: &[&str] = &[
    "size",
    "r_bw",
    "w_bw",
    "r_cost",
    "w_cost",
    "area",
    "r_port",
    "w_port",
    "rw_port",
    "latency",
    "min_r_granularity",
    "min_w_granularity",
    "mem_type",
    "auto_cost_extraction",
    "operands",
    "ports",
    "served_dimensions",
    "force_double_buffering",
];

const DIRECTION_KEYS: &[&str] = &["fh", "tl", "fl", "th"];
const NAMED_PORT_KEYS: &[&str] = &["name", "type", "bandwidth_min", "bandwidth_max", "allocation"];

static LEGACY_PORT_RE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^(r|w|rw)_port_(\d+)$").expect("valid regex"));

/// How the entries of a memory's `ports` list look.
#[derive(PartialEq)]
enum PortStyle {
    Named,
    Legacy,
    Unknown,
}

fn map_keys(node: &Node) -> Vec<(&str, Pos)> {
    match &node.value {
        Value::Map(entries) => entries.iter().filter_map(|e| e.key.as_str().map(|k| (k, e.key.pos))).collect(),
        _ => Vec::new(),
    }
}

fn port_style(memory: &Node) -> (PortStyle, Pos) {
    let Value::Map(entries) = &memory.value else {
        return (PortStyle::Unknown, memory.pos);
    };
    let Some(ports) = entries.iter().find(|e| e.key.as_str() == Some("ports")) else {
        return (PortStyle::Unknown, memory.pos);
    };
    let Value::Seq(items) = &ports.value.value else {
        return (PortStyle::Unknown, ports.value.pos);
    };
    for item in items {
        let keys = map_keys(item);
        if keys.iter().any(|(k, _)| NAMED_PORT_KEYS.contains(k)) {
            return (PortStyle::Named, item.pos);
        }
        if keys.iter().any(|(k, _)| DIRECTION_KEYS.contains(k)) {
            return (PortStyle::Legacy, item.pos);
        }
    }
    (PortStyle::Unknown, ports.value.pos)
}

/// True if the memory at `item` is written in the legacy schema; errors on a mix of both.
pub fn is_legacy(doc: &Doc, item: &Item<'_>) -> Result<bool, InputError> {
    let keys = map_keys(item.node);
    let legacy_key = keys.iter().find(|(k, _)| LEGACY_ONLY_KEYS.contains(k));
    let (style, style_pos) = port_style(item.node);
    match (legacy_key, style) {
        (Some((key, pos)), PortStyle::Named) => Err(doc.error_at(
            *pos,
            &super::fields::child_path(&item.path, key),
            format!(
                "legacy key `{key}` mixed with 3.9 named ports; either use only named ports \
                 (name, type, bandwidth_min, bandwidth_max, allocation) or the legacy schema \
                 (r_bw, w_bw, r_port, w_port, rw_port and one `direction: port` dict per operand)"
            ),
        )),
        (None, PortStyle::Legacy) => Err(doc.error_at(
            style_pos,
            &super::fields::child_path(&item.path, "ports"),
            "legacy port allocation (`fh: w_port_1`, ...) without the legacy keys r_bw, w_bw, r_port, \
             w_port, rw_port; add them, or write 3.9 named ports (name, type, bandwidth_min, \
             bandwidth_max, allocation)",
        )),
        (Some(_), _) => Ok(true),
        (None, _) => Ok(false),
    }
}

/// Port kinds in the order the translation lists them.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Read,
    Write,
    ReadWrite,
}

impl Kind {
    fn port_type(self) -> PortType {
        match self {
            Kind::Read => PortType::Read,
            Kind::Write => PortType::Write,
            Kind::ReadWrite => PortType::ReadWrite,
        }
    }
}

/// One `direction: port` entry of a legacy dict.
struct PortUse<'n> {
    kind: Kind,
    number: u64,
    name: &'n str,
    op: MemOperand,
    dir: Direction,
}

/// Reads a legacy memory and translates its ports.
pub fn read_memory(doc: &mut Doc, name: &str, item: &Item<'_>, oa: &OperationalArray) -> Result<Memory, InputError> {
    let f = doc.map(item, LEGACY_MEMORY_KEYS)?;
    let mut memory = read_common(doc, name, &f, oa)?;
    let r_bw = f.req_u64(doc, "r_bw")?;
    let w_bw = f.req_u64(doc, "w_bw")?;
    let min_r = f.opt_u64(doc, "min_r_granularity")?.unwrap_or(r_bw);
    let min_w = f.opt_u64(doc, "min_w_granularity")?.unwrap_or(w_bw);
    for (key, min, max) in [("min_r_granularity", min_r, r_bw), ("min_w_granularity", min_w, w_bw)] {
        if min > max {
            let it = f.req(doc, key)?;
            let bw = if key.contains("_r_") { "r_bw" } else { "w_bw" };
            return Err(doc.error(&it, format!("{key} ({min}) is greater than {bw} ({max})")));
        }
    }

    let ports_item = f.req(doc, "ports")?;
    let dicts = doc.seq(&ports_item)?;
    if dicts.len() != memory.operands.len() {
        return Err(doc.error(
            &ports_item,
            format!(
                "legacy `ports` has {} entries but memory `{name}` stores {} operands ({}); \
                 expected one `direction: port` dict per operand, in operand order",
                dicts.len(),
                memory.operands.len(),
                join_ops(&memory.operands)
            ),
        ));
    }
    let mut uses: Vec<PortUse<'_>> = Vec::new();
    for (&op, dict) in memory.operands.iter().zip(&dicts) {
        let fields = doc.map(dict, DIRECTION_KEYS)?;
        for (key, _) in fields.keys() {
            let Some(value) = fields.get(key) else {
                continue;
            };
            let port_name = doc.str(&value)?;
            let caps = LEGACY_PORT_RE.captures(port_name);
            let parsed = caps.as_ref().and_then(|c| {
                let kind = match c.get(1)?.as_str() {
                    "r" => Kind::Read,
                    "w" => Kind::Write,
                    _ => Kind::ReadWrite,
                };
                Some((kind, c.get(2)?.as_str().parse::<u64>().ok()?))
            });
            let Some((kind, number)) = parsed else {
                return Err(doc.error(
                    &value,
                    format!("expected a port name like r_port_1, w_port_1 or rw_port_1, found \"{port_name}\""),
                ));
            };
            let dir = Direction::parse_code(key).ok_or_else(|| doc.error(&value, "unknown direction"))?;
            check_direction(doc, &value, kind.port_type(), dir)?;
            uses.push(PortUse { kind, number, name: port_name, op, dir });
        }
    }

    let mut distinct: Vec<(Kind, u64, &str)> = Vec::new();
    for u in &uses {
        if !distinct.iter().any(|(_, _, n)| *n == u.name) {
            distinct.push((u.kind, u.number, u.name));
        }
    }
    for (kind, key, what) in
        [(Kind::Read, "r_port", "read"), (Kind::Write, "w_port", "write"), (Kind::ReadWrite, "rw_port", "read-write")]
    {
        let declared = f.req_u64(doc, key)?;
        let used: Vec<&str> = distinct.iter().filter(|(k, _, _)| *k == kind).map(|(_, _, n)| *n).collect();
        if used.len() as u64 != declared {
            let it = f.req(doc, key)?;
            let names = if used.is_empty() { String::new() } else { format!(" ({})", used.join(", ")) };
            return Err(doc.error(
                &it,
                format!(
                    "`{key}` is {declared} but the `ports` dicts use {} distinct {what} port(s){names}",
                    used.len()
                ),
            ));
        }
    }
    distinct.sort_by(|a, b| (a.0, a.1, a.2).cmp(&(b.0, b.1, b.2)));
    memory.ports = distinct
        .into_iter()
        .map(|(kind, _, port_name)| {
            let (bandwidth_min, bandwidth_max) = match kind {
                Kind::Write => (min_w, w_bw),
                Kind::Read | Kind::ReadWrite => (min_r, r_bw),
            };
            let allocation = uses.iter().filter(|u| u.name == port_name).map(|u| (u.op, u.dir)).collect();
            MemoryPort {
                name: port_name.to_owned(),
                port_type: kind.port_type(),
                bandwidth_min,
                bandwidth_max,
                allocation,
            }
        })
        .collect();
    // A used port of bandwidth 0 makes the cost model divide by zero (NaN energy and latency).
    for p in &memory.ports {
        let (bw_key, min_key) = match p.port_type {
            zz_ir::accelerator::PortType::Write => ("w_bw", "min_w_granularity"),
            _ => ("r_bw", "min_r_granularity"),
        };
        let key = if p.bandwidth_max == 0 { bw_key } else { min_key };
        if p.bandwidth_min == 0 || p.bandwidth_max == 0 {
            let it = f.get(key).map_or_else(|| f.req(doc, bw_key), Ok)?;
            return Err(doc.error(
                &it,
                format!(
                    "memory `{name}` port `{}` has bandwidth 0; expected a bandwidth > 0 bits/cycle (0 makes every transfer through it take forever, and the reference then reports NaN energy and latency)",
                    p.name
                ),
            ));
        }
    }
    Ok(memory)
}
