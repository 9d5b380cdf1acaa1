//! Builds a [`ScheduleInput`] from a Stream oracle fixture (the JSON written by the reference oracle script):
//! its hardware section, computation nodes, tensors, edges, scheduling order, final allocation and the cost
//! table the reference scheduler consumed. Used to check the scheduler against the reference in isolation.
//!
//! Field sources: the CN core is `allocation.per_cn` (for GA fixtures the returned individual); runtime and
//! energies are `cn_costs` (what the reference scheduler read); too-large operands come from the cost table
//! (`cost_lut[..].cores[..].scheduler_view`), because `cn_costs` shows them after the scheduler may have cleared
//! them. Memory instances are ordered by core id, then by each core's top levels (the fixture does not record
//! the core-graph order Stream iterates in).

use rustc_hash::FxHashMap;
use serde_json::Value;

use zz_stream::schedule_input::SchedulerCn;
use zz_stream::schedule_input::{
    CnId, CnOperand, Core, Edge, Link, LinkKind, MemOperand, MemoryInstance, OffchipBandwidth, Path, ScheduleInput,
    Tensor, TopMemory, Topology,
};

/// A fixture that cannot be turned into a [`ScheduleInput`].
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("fixture: {0}")]
pub struct FixtureError(pub String);

type R<T> = Result<T, FixtureError>;

fn fe<T>(msg: impl Into<String>) -> R<T> {
    Err(FixtureError(msg.into()))
}

fn get<'a>(v: &'a Value, key: &str) -> R<&'a Value> {
    v.get(key).ok_or_else(|| FixtureError(format!("missing field `{key}`")))
}

fn arr<'a>(v: &'a Value, key: &str) -> R<&'a Vec<Value>> {
    get(v, key)?.as_array().ok_or_else(|| FixtureError(format!("`{key}` is not an array")))
}

fn obj<'a>(v: &'a Value, key: &str) -> R<&'a serde_json::Map<String, Value>> {
    get(v, key)?.as_object().ok_or_else(|| FixtureError(format!("`{key}` is not an object")))
}

fn num(v: &Value, what: &str) -> R<f64> {
    match v {
        Value::Number(n) => n.as_f64().ok_or_else(|| FixtureError(format!("{what}: bad number"))),
        // the oracle writes non-finite floats as strings
        Value::String(s) if s == "inf" => Ok(f64::INFINITY),
        _ => fe(format!("{what}: expected a number, got {v}")),
    }
}

fn f(v: &Value, key: &str) -> R<f64> {
    num(get(v, key)?, key)
}

fn int(v: &Value, what: &str) -> R<i64> {
    let x = num(v, what)?;
    if x.fract() != 0.0 {
        return fe(format!("{what}: expected an integer, got {x}"));
    }
    Ok(x as i64)
}

fn uint(v: &Value, key: &str) -> R<u64> {
    let x = int(get(v, key)?, key)?;
    u64::try_from(x).or_else(|_| fe(format!("{key}: negative")))
}

fn s<'a>(v: &'a Value, key: &str) -> R<&'a str> {
    get(v, key)?.as_str().ok_or_else(|| FixtureError(format!("`{key}` is not a string")))
}

fn memop(x: &str) -> R<MemOperand> {
    MemOperand::parse(x).ok_or_else(|| FixtureError(format!("unknown memory operand `{x}`")))
}

fn pair(v: &Value, what: &str) -> R<(i64, i64)> {
    match v.as_array().map(|a| a.as_slice()) {
        Some([a, b]) => Ok((int(a, what)?, int(b, what)?)),
        _ => fe(format!("{what}: expected [a, b]")),
    }
}

fn str_list(v: &Value, key: &str) -> R<Vec<String>> {
    arr(v, key)?
        .iter()
        .map(|x| x.as_str().map(str::to_owned).ok_or_else(|| FixtureError(format!("`{key}`: not a string"))))
        .collect()
}

/// Reads the scheduler input from an oracle fixture (not an `*.error.json` one).
pub fn from_fixture(json: &Value) -> Result<ScheduleInput, FixtureError> {
    let hw = get(json, "hardware")?;
    let topology = read_topology(hw)?;

    // ---- layers: memory operand links and output operand
    let mut layer_links: FxHashMap<i64, FxHashMap<String, MemOperand>> = FxHashMap::default();
    let mut layer_output: FxHashMap<i64, String> = FxHashMap::default();
    for l in arr(json, "layers")? {
        let id = int(get(l, "id")?, "layer id")?;
        let mut links = FxHashMap::default();
        for (k, v) in obj(l, "memory_operand_links")? {
            links.insert(k.clone(), memop(v.as_str().unwrap_or_default())?);
        }
        layer_links.insert(id, links);
        let eq = s(l, "equation")?;
        let out = eq.split('[').next().unwrap_or_default().trim().to_owned();
        if out.is_empty() {
            return fe(format!("layer {id}: cannot read the output operand of `{eq}`"));
        }
        layer_output.insert(id, out);
    }

    // ---- CN index
    let cn_recs = arr(json, "computation_nodes")?;
    let mut cn_index: FxHashMap<(i64, i64), CnId> = FxHashMap::default();
    for (i, c) in cn_recs.iter().enumerate() {
        cn_index.insert((int(get(c, "id")?, "cn id")?, int(get(c, "sub_id")?, "sub id")?), i);
    }
    let cn_of = |v: &Value| -> R<CnId> {
        let (a, b) = pair(v, "cn reference")?;
        cn_index.get(&(a, b)).copied().ok_or_else(|| FixtureError(format!("unknown CN ({a}, {b})")))
    };

    // ---- tensors (interned by their fixture key = Stream's tensor equality)
    let tensor_recs = obj(json, "tensors")?;
    let mut tensor_index: FxHashMap<String, usize> = FxHashMap::default();
    let mut tensors: Vec<Tensor> = Vec::new();
    let mut tensor_id = |key: &str, tensors: &mut Vec<Tensor>| -> R<usize> {
        if let Some(&i) = tensor_index.get(key) {
            return Ok(i);
        }
        let t = tensor_recs.get(key).ok_or_else(|| FixtureError(format!("unknown tensor `{key}`")))?;
        let layer = int(get(t, "layer")?, "tensor layer")?;
        let origin = *cn_index
            .get(&(layer, int(get(t, "origin_sub_id")?, "origin sub id")?))
            .ok_or_else(|| FixtureError(format!("tensor `{key}`: unknown origin")))?;
        let loop_ranges = arr(t, "loop_ranges")?.iter().map(|r| pair(r, "loop range")).collect::<R<Vec<_>>>()?;
        let base_priority = match get(t, "base_priority")? {
            Value::Null => None,
            v => Some(int(v, "base priority")?),
        };
        tensors.push(Tensor {
            layer: layer as u32,
            origin,
            layer_operand: s(t, "layer_operand")?.to_owned(),
            memory_operand: memop(s(t, "memory_operand")?)?,
            loop_dims: str_list(t, "loop_dimensions")?,
            loop_ranges,
            size: uint(t, "size")?,
            base_priority,
        });
        tensor_index.insert(key.to_owned(), tensors.len() - 1);
        Ok(tensors.len() - 1)
    };

    // ---- costs and allocation
    let per_cn = obj(get(json, "allocation")?, "per_cn")?;
    let lut = arr(json, "cost_lut")?;
    let mut costs: FxHashMap<CnId, &Value> = FxHashMap::default();
    for c in arr(json, "cn_costs")? {
        costs.insert(cn_of(get(c, "cn")?)?, c);
    }

    let mut cns = Vec::with_capacity(cn_recs.len());
    for (i, c) in cn_recs.iter().enumerate() {
        let layer = int(get(c, "id")?, "cn id")?;
        let sub_id = int(get(c, "sub_id")?, "sub id")?;
        let name = format!("({layer}, {sub_id})");
        let links = layer_links.get(&layer).ok_or_else(|| FixtureError(format!("CN {name}: unknown layer")))?;
        let core = per_cn
            .get(&format!("{layer}:{sub_id}"))
            .map(|v| int(v, "allocation"))
            .transpose()?
            .ok_or_else(|| FixtureError(format!("CN {name}: no allocation")))? as usize;

        let mut operands = Vec::new();
        for (op, key) in obj(c, "operand_tensors")? {
            let key = key.as_str().ok_or_else(|| FixtureError("tensor key is not a string".into()))?;
            let memory_operand = *links
                .get(op)
                .ok_or_else(|| FixtureError(format!("CN {name}: operand {op} has no memory operand link")))?;
            operands.push(CnOperand { name: op.clone(), memory_operand, tensor: tensor_id(key, &mut tensors)? });
        }
        let index_of = |op: &str| -> R<usize> {
            operands
                .iter()
                .position(|o| o.name == op)
                .ok_or_else(|| FixtureError(format!("CN {name}: no operand {op}")))
        };
        let output_operand = index_of(&layer_output[&layer])?;
        let constant_operands = str_list(c, "constant_operands")?.iter().map(|o| index_of(o)).collect::<R<_>>()?;
        let partially_constant_operands =
            str_list(c, "partially_constant_operands")?.iter().map(|o| index_of(o)).collect::<R<_>>()?;
        let intra_core_tiling_dims = arr(c, "intra_core_tiling")?
            .iter()
            .map(|t| {
                t.get(0).and_then(Value::as_str).map(str::to_owned).ok_or_else(|| FixtureError("bad tiling".into()))
            })
            .collect::<R<_>>()?;
        let loop_ranges =
            obj(c, "loop_ranges")?.iter().map(|(d, r)| Ok((d.clone(), pair(r, "loop range")?))).collect::<R<_>>()?;

        let cost = costs.get(&i).ok_or_else(|| FixtureError(format!("CN {name}: no cn_costs entry")))?;
        let cost_core = int(get(cost, "core")?, "cost core")? as usize;
        if cost_core != core {
            return fe(format!("CN {name}: allocation core {core} differs from cost core {cost_core}"));
        }
        let lut_index = int(get(cost, "lut_index")?, "lut index")? as usize;
        let view = lut
            .get(lut_index)
            .and_then(|e| e.get("cores"))
            .and_then(Value::as_array)
            .and_then(|cs| cs.iter().find(|x| x.get("core").and_then(Value::as_i64) == Some(core as i64)))
            .and_then(|x| x.get("scheduler_view"))
            .ok_or_else(|| FixtureError(format!("CN {name}: no cost-table entry for core {core}")))?;
        let too_large_operands =
            str_list(view, "too_large_operands")?.iter().map(|o| memop(o)).collect::<R<Vec<_>>>()?;
        let mut offchip_bandwidth = Vec::new();
        for (op, bw) in obj(cost, "offchip_bandwidth_per_op")? {
            offchip_bandwidth.push((
                memop(op)?,
                OffchipBandwidth {
                    rd_out_to_low: f(bw, "rd_out_to_low")?,
                    wr_in_by_low: f(bw, "wr_in_by_low")?,
                    rd_out_to_high: f(bw, "rd_out_to_high")?,
                    wr_in_by_high: f(bw, "wr_in_by_high")?,
                },
            ));
        }
        let splits = int(get(c, "total_inter_core_splits")?, "total_inter_core_splits")?;
        cns.push(SchedulerCn {
            layer: layer as u32,
            sub_id: sub_id as u32,
            core,
            runtime: f(cost, "runtime")?,
            onchip_energy: f(cost, "onchip_energy")?,
            offchip_energy: f(cost, "offchip_energy")?,
            too_large_operands,
            offchip_bandwidth,
            produces_final_output: get(c, "produces_final_output")?.as_bool().unwrap_or(false),
            total_inter_core_splits: u32::try_from(splits).unwrap_or(0),
            operands,
            output_operand,
            constant_operands,
            partially_constant_operands,
            intra_core_tiling_dims,
            loop_ranges,
        });
    }

    let mut edges = Vec::new();
    for e in arr(json, "edges")? {
        let operand = match get(e, "operand")? {
            Value::Null => None,
            v => Some(v.as_str().ok_or_else(|| FixtureError("edge operand is not a string".into()))?.to_owned()),
        };
        edges.push(Edge {
            src: cn_of(get(e, "src")?)?,
            dst: cn_of(get(e, "dst")?)?,
            operand,
            bits: int(get(e, "bits")?, "bits")?.max(0) as u64,
        });
    }
    let scheduling_order = arr(json, "scheduling_order")?.iter().map(cn_of).collect::<R<Vec<_>>>()?;

    let input = ScheduleInput { topology, cns, tensors, edges, scheduling_order };
    input.validate().map_err(|e| FixtureError(e.to_string()))?;
    Ok(input)
}

fn read_topology(hw: &Value) -> R<Topology> {
    let offchip_core = int(get(hw, "offchip_core_id")?, "offchip_core_id")? as usize;
    let inst_recs = arr(hw, "top_memory_instances")?;
    let inst_by_key: FxHashMap<&str, &Value> =
        inst_recs.iter().filter_map(|m| Some((m.get("instance")?.as_str()?, m))).collect();

    let mut core_recs: Vec<&Value> = arr(hw, "cores")?.iter().collect();
    core_recs.sort_by_key(|c| c.get("id").and_then(Value::as_i64).unwrap_or(i64::MAX));
    let mut memories: Vec<MemoryInstance> = Vec::new();
    let mut mem_index: FxHashMap<String, usize> = FxHashMap::default();
    let mut cores = Vec::new();
    for (i, c) in core_recs.iter().enumerate() {
        let id = int(get(c, "id")?, "core id")? as usize;
        if id != i {
            return fe(format!("core ids are not 0..N (found {id} at position {i})"));
        }
        let mut top_memories = Vec::new();
        for tm in arr(c, "top_memories")? {
            let key = s(tm, "instance")?;
            let memory = match mem_index.get(key) {
                Some(&m) => m,
                None => {
                    let m = inst_by_key.get(key).ok_or_else(|| FixtureError(format!("unknown memory `{key}`")))?;
                    let cores_of = arr(m, "cores")?
                        .iter()
                        .map(|x| int(x, "memory core").map(|v| v as usize))
                        .collect::<R<Vec<_>>>()?;
                    memories.push(MemoryInstance {
                        name: s(m, "name")?.to_owned(),
                        capacity: uint(m, "size")?,
                        read_cost: f(m, "r_cost")?,
                        write_cost: f(m, "w_cost")?,
                        port_bw_min: f(m, "port0_bw_min")?,
                        port_bw_max: f(m, "port0_bw_max")?,
                        cores: cores_of,
                    });
                    mem_index.insert(key.to_owned(), memories.len() - 1);
                    memories.len() - 1
                }
            };
            let operands = str_list(tm, "memory_operands")?.iter().map(|o| memop(o)).collect::<R<_>>()?;
            top_memories.push(TopMemory { memory, operands });
        }
        cores.push(Core { id, name: s(c, "name").unwrap_or_default().to_owned(), top_memories });
    }

    let mut links = Vec::new();
    for (i, l) in arr(hw, "links")?.iter().enumerate() {
        if int(get(l, "id")?, "link id")? as usize != i {
            return fe("link ids are not 0..N in order");
        }
        let kind = if s(l, "type")? == "bus" { LinkKind::Bus } else { LinkKind::PointToPoint };
        let endpoints = match (get(l, "sender")?, get(l, "receiver")?) {
            (Value::Number(a), Value::Number(b)) => {
                Some((a.as_u64().unwrap_or(0) as usize, b.as_u64().unwrap_or(0) as usize))
            }
            _ => None,
        };
        links.push(Link {
            bandwidth: f(l, "bandwidth")?,
            unit_energy_cost: f(l, "unit_energy_cost")?,
            kind,
            endpoints,
        });
    }
    let mut paths = Vec::new();
    for p in arr(hw, "paths")? {
        paths.push(Path {
            sender: int(get(p, "sender")?, "path sender")? as usize,
            receiver: int(get(p, "receiver")?, "path receiver")? as usize,
            links: arr(p, "first_path_links")?
                .iter()
                .map(|x| int(x, "path link").map(|v| v as usize))
                .collect::<R<Vec<_>>>()?,
        });
    }
    Ok(Topology { cores, memories, links, paths, offchip_core })
}

/// The scheduler options a fixture was made with (`meta.options`): the operands to prefetch. The scheduling
/// order (Stream's or `id-desc`) is already part of the fixture's `scheduling_order`.
pub fn options_from_fixture(json: &Value) -> zz_stream::scheduler::ScheduleOptions {
    let mut opts = zz_stream::scheduler::ScheduleOptions::default();
    if let Some(ops) = json.pointer("/meta/options/operands_to_prefetch").and_then(Value::as_array) {
        opts.prefetch_operands = ops.iter().filter_map(|o| o.as_str().map(str::to_owned)).collect();
    }
    opts
}
