//! The COALA list scheduler's state and steps (see the parent module's documentation).

use super::*;

/// Builds and runs the scheduler state for a validated input.
pub(super) fn run(input: &ScheduleInput, opts: &ScheduleOptions) -> Result<Schedule, ScheduleError> {
    let mut s = Sched::new(input, opts)?;
    s.init()?;
    s.run()?;
    Ok(s.finish())
}

/// Run-time state of a tensor object.
#[derive(Clone, Debug)]
struct Obj {
    eq: EqId,
    size: u64,
    origin: CnId,
    memop: MemOperand,
    is_output: bool,
    /// Remaining uses per memory instance, in insertion order.
    prio: SmallVec<[(MemoryId, i64); 4]>,
}

/// Bandwidth requests per link: each link with the tensors it carries and their bits/cycle.
type LinkRequests = Vec<(LinkId, SmallVec<[(ObjId, f64); 4]>)>;

/// Interning key of tensor equality: layer, layer operand, loop ranges.
type EqKey = (u32, String, Vec<(i64, i64)>);

/// Predecessor/successor entry: the other CN and the consumer memory operand (`None` for intra-layer edges).
type Adj = (CnId, Option<MemOperand>);

struct Sched<'a> {
    inp: &'a ScheduleInput,
    opts: &'a ScheduleOptions,
    offchip: CoreId,
    /// Top memory per (core, memory operand).
    inst_of: Vec<[Option<MemoryId>; 3]>,
    /// Path per (sender, receiver), `ncores * ncores`.
    paths: Vec<Option<Vec<LinkId>>>,
    ncores: usize,
    /// Predecessors sorted by (layer, sub id).
    preds: Vec<Vec<Adj>>,
    succs: Vec<Vec<Adj>>,
    order_idx: Vec<usize>,
    layer_max_idx: FxHashMap<u32, usize>,
    sink: Vec<bool>,

    objs: Vec<Obj>,
    sub_tensors: Vec<Tensor>,
    /// (CN, tensor) pairs whose slice could not be cut because the tensor was not in DRAM (see
    /// [`Schedule::unsplit_on_chip`]).
    unsplit_on_chip: Vec<(CnId, ObjId)>,
    eq_ids: FxHashMap<EqKey, EqId>,

    mems: Vec<MemState>,
    links: Vec<LinkState>,
    too_large: Vec<SmallVec<[MemOperand; 3]>>,
    start: Vec<Time>,
    end: Vec<Time>,
    scheduled: Vec<bool>,
    remaining_preds: Vec<usize>,
    cores_idle_from: Vec<Option<Time>>,
    candidates: BTreeMap<usize, (Time, CnId)>,
    step: Option<usize>,

    energy: EnergyBreakdown,
    execution_order: Vec<CnId>,
    transfers: Vec<Transfer>,
    blocks: Vec<Block>,
    removals: Vec<Removal>,
    events: Vec<CommunicationEvent>,
}

fn max_t(a: Time, b: Time) -> Time {
    if b > a { b } else { a }
}

impl<'a> Sched<'a> {
    fn new(inp: &'a ScheduleInput, opts: &'a ScheduleOptions) -> Res<Self> {
        let topo = &inp.topology;
        let ncores = topo.cores.len();
        let mut inst_of = vec![[None; 3]; ncores];
        for (c, core) in topo.cores.iter().enumerate() {
            for op in MemOperand::ALL {
                inst_of[c][op.index()] =
                    core.top_memories.iter().find(|tm| tm.operands.contains(&op)).map(|tm| tm.memory);
            }
        }
        let mut paths = vec![None; ncores * ncores];
        for c in 0..ncores {
            paths[c * ncores + c] = Some(Vec::new());
        }
        for p in &topo.paths {
            paths[p.sender * ncores + p.receiver] = Some(p.links.clone());
        }

        let ncn = inp.cns.len();
        let consumer_op = |dst: CnId, operand: &Option<String>| -> Res<Option<MemOperand>> {
            let Some(name) = operand else { return Ok(None) };
            let cn = &inp.cns[dst];
            cn.operands.iter().find(|o| &o.name == name).map(|o| Some(o.memory_operand)).ok_or_else(|| {
                ScheduleError::Other(format!(
                    "CN ({}, {}) has no operand {name} for an incoming edge",
                    cn.layer, cn.sub_id
                ))
            })
        };
        let mut preds: Vec<Vec<Adj>> = vec![Vec::new(); ncn];
        let mut succs: Vec<Vec<Adj>> = vec![Vec::new(); ncn];
        for e in &inp.edges {
            let op = if inp.cns[e.src].layer == inp.cns[e.dst].layer { None } else { consumer_op(e.dst, &e.operand)? };
            preds[e.dst].push((e.src, op));
            succs[e.src].push((e.dst, op));
        }
        let key = |c: CnId| (inp.cns[c].layer, inp.cns[c].sub_id);
        for p in &mut preds {
            p.sort_by_key(|&(c, _)| key(c));
        }
        for s in &mut succs {
            s.sort_by_key(|&(c, _)| key(c));
        }
        let remaining_preds = preds.iter().map(Vec::len).collect();

        let mut order_idx = vec![0; ncn];
        let mut layer_max_idx: FxHashMap<u32, usize> = FxHashMap::default();
        for (i, &c) in inp.scheduling_order.iter().enumerate() {
            order_idx[c] = i;
            let m = layer_max_idx.entry(inp.cns[c].layer).or_insert(i);
            *m = (*m).max(i);
        }

        // sink layers: every CN of the layer has no successor
        let mut layer_is_sink: FxHashMap<u32, bool> = FxHashMap::default();
        for (c, cn) in inp.cns.iter().enumerate() {
            let out = succs[c]
                .iter()
                .filter(|&&(s, _)| !opts.sink_layers_ignore_intra_edges || inp.cns[s].layer != cn.layer)
                .count();
            let e = layer_is_sink.entry(cn.layer).or_insert(true);
            *e &= out == 0;
        }
        let sink = inp.cns.iter().map(|cn| layer_is_sink[&cn.layer] && cn.produces_final_output).collect();

        let mut s = Self {
            inp,
            opts,
            offchip: topo.offchip_core,
            inst_of,
            paths,
            ncores,
            preds,
            succs,
            order_idx,
            layer_max_idx,
            sink,
            objs: Vec::with_capacity(inp.tensors.len()),
            sub_tensors: Vec::new(),
            unsplit_on_chip: Vec::new(),
            eq_ids: FxHashMap::default(),
            mems: topo
                .memories
                .iter()
                .map(|m| MemState::new(m.capacity as i64, !opts.exact_memory_timesteps))
                .collect(),
            links: topo.links.iter().map(|l| LinkState::new(l.bandwidth, l.unit_energy_cost)).collect(),
            too_large: inp.cns.iter().map(|c| c.too_large_operands.iter().copied().collect()).collect(),
            start: vec![-1.0; ncn],
            end: vec![-1.0; ncn],
            scheduled: vec![false; ncn],
            remaining_preds,
            cores_idle_from: vec![None; ncores],
            candidates: BTreeMap::new(),
            step: None,
            energy: EnergyBreakdown::default(),
            execution_order: Vec::with_capacity(ncn),
            transfers: Vec::new(),
            blocks: Vec::new(),
            removals: Vec::new(),
            events: Vec::new(),
        };
        for t in &inp.tensors {
            let eq = s.intern(t);
            let origin = &inp.cns[t.origin];
            let is_output = origin.operands[origin.output_operand].name == t.layer_operand;
            s.objs.push(Obj {
                eq,
                size: t.size,
                origin: t.origin,
                memop: t.memory_operand,
                is_output,
                prio: SmallVec::new(),
            });
        }
        Ok(s)
    }

    fn intern(&mut self, t: &Tensor) -> EqId {
        let n = self.eq_ids.len() as EqId;
        *self.eq_ids.entry((t.layer, t.layer_operand.clone(), t.loop_ranges.clone())).or_insert(n)
    }

    // ---- naming for errors ----------------------------------------------------------------------------------

    fn tensor(&self, id: TensorId) -> &Tensor {
        let n = self.inp.tensors.len();
        if id < n { &self.inp.tensors[id] } else { &self.sub_tensors[id - n] }
    }

    fn tname(&self, id: TensorId) -> String {
        let t = self.tensor(id);
        let r: Vec<String> = t.loop_ranges.iter().map(|(a, b)| format!("{a}:{b}")).collect();
        format!("{}|{}|{}", t.layer, t.layer_operand, r.join(","))
    }

    fn mname(&self, m: MemoryId) -> String {
        let mi = &self.inp.topology.memories[m];
        let cores: Vec<String> = mi.cores.iter().map(|c| c.to_string()).collect();
        format!("{}@{}", mi.name, cores.join(","))
    }

    fn cname(&self, c: CnId) -> String {
        format!("({}, {})", self.inp.cns[c].layer, self.inp.cns[c].sub_id)
    }

    // ---- topology lookups -------------------------------------------------------------------------------------

    fn inst(&self, core: CoreId, op: MemOperand) -> Res<MemoryId> {
        self.inst_of[core][op.index()].ok_or(ScheduleError::NoMemoryForOperand { core, operand: op })
    }

    fn path(&self, from: CoreId, to: CoreId) -> Res<&[LinkId]> {
        self.paths[from * self.ncores + to].as_deref().ok_or(ScheduleError::NoPath(from, to))
    }

    /// Whether `core` holds `obj` in the memory for `op` (see [`ScheduleOptions::fix_memory_operands`]).
    fn core_contains(&self, obj: ObjId, core: CoreId, op: MemOperand) -> Res<bool> {
        // reference quirk: the memory is looked up with the tensor's (producer-side) memory operand
        let lookup = if self.opts.fix_memory_operands { op } else { self.objs[obj].memop };
        let m = self.inst(core, lookup)?;
        Ok(self.mems[m].contains(self.objs[obj].eq))
    }

    /// The memory holding `obj` (on `core` if given, else the one holding it the longest) and since when.
    fn storing(&self, obj: ObjId, core: Option<CoreId>) -> Res<(MemoryId, Time)> {
        let eq = self.objs[obj].eq;
        match core {
            Some(c) if self.opts.fix_memory_operands => {
                let tops = &self.inp.topology.cores[c].top_memories;
                tops.iter()
                    .find_map(|tm| self.mems[tm.memory].present.get(&eq).map(|s| (tm.memory, s.available_since)))
                    .ok_or_else(|| ScheduleError::TensorNotOnCore { tensor: self.tname(obj), core: c })
            }
            Some(c) => {
                let m = self.inst(c, self.objs[obj].memop)?;
                match self.mems[m].present.get(&eq) {
                    Some(s) => Ok((m, s.available_since)),
                    None => Err(ScheduleError::TensorNotOnCore { tensor: self.tname(obj), core: c }),
                }
            }
            None => {
                let mut best: Option<(MemoryId, Time)> = None;
                for (m, mem) in self.mems.iter().enumerate() {
                    if let Some(s) = mem.present.get(&eq)
                        && best.is_none_or(|(_, t)| s.available_since < t)
                    {
                        best = Some((m, s.available_since));
                    }
                }
                best.ok_or_else(|| ScheduleError::TensorNotFound(self.tname(obj)))
            }
        }
    }

    fn instance_priority(&self, obj: ObjId, m: MemoryId) -> i64 {
        let o = &self.objs[obj];
        if let Some(&(_, p)) = o.prio.iter().find(|(x, _)| *x == m) {
            return p;
        }
        // no entry for this memory (e.g. the producer's own): the priorities of the memories not holding it
        o.prio.iter().filter(|(x, _)| !self.mems[*x].contains(o.eq)).map(|(_, p)| p).sum()
    }

    fn total_priority(&self, obj: ObjId) -> i64 {
        self.objs[obj].prio.iter().map(|(_, p)| p).sum()
    }

    // ---- memory primitives --------------------------------------------------------------------------------------

    fn spawn(&mut self, obj: ObjId, core: CoreId, op: MemOperand, t: Time, t_avail: Time) -> Res<()> {
        let m = self.inst(core, op)?;
        let (eq, size) = (self.objs[obj].eq, self.objs[obj].size);
        self.mems[m].add(obj, eq, size, t, t_avail).map_err(|()| ScheduleError::MemoryOverflow {
            tensor: self.tname(obj),
            memory: self.mname(m),
            time: t,
        })
    }

    fn remove_tensor(&mut self, obj: ObjId, core: CoreId, op: MemOperand, t: Time) -> Res<()> {
        let m = self.inst(core, op)?;
        let (eq, size) = (self.objs[obj].eq, self.objs[obj].size);
        self.mems[m].remove(eq, size, t);
        Ok(())
    }

    /// Tensors to evict from memory `m` so that `obj` fits at time `t`.
    fn find_evictions(&self, m: MemoryId, obj: ObjId, t: Time, exceptions: &[ObjId]) -> Res<Vec<ObjId>> {
        let mem = &self.mems[m];
        let size = self.objs[obj].size;
        if (mem.capacity as u64) < size {
            return Err(ScheduleError::TensorLargerThanMemory {
                tensor: self.tname(obj),
                size,
                memory: self.mname(m),
                capacity: mem.capacity as u64,
            });
        }
        let need = size as i64 - (mem.capacity - mem.usage_at(t));
        if need <= 0 {
            return Ok(Vec::new());
        }
        let mut evictable: Vec<(i128, u64, ObjId)> = mem
            .stored_at(t)
            .filter(|o| !exceptions.contains(o))
            .map(|o| {
                let s = self.objs[o].size;
                (self.instance_priority(o, m) as i128 * s as i128, s, o)
            })
            .collect();
        // ties on importance are ordered by size (the tensor comparison), otherwise stable
        evictable.sort_by_key(|e| (e.0, e.1));
        let mut sum: i64 = 0;
        for (i, e) in evictable.iter().enumerate() {
            sum += e.1 as i64;
            if sum >= need {
                return Ok(evictable[..=i].iter().map(|e| e.2).collect());
            }
        }
        Err(ScheduleError::NotEnoughEvictable {
            tensor: self.tname(obj),
            memory: self.mname(m),
            needed: need,
            available: sum as u64,
        })
    }

    /// Evicts what is needed so that `obj` can be stored on `core` under `op` from `t` on; returns the time from
    /// which it can be added.
    fn make_space(&mut self, obj: ObjId, core: CoreId, op: MemOperand, t: Time, avoid: &[ObjId]) -> Res<Time> {
        let m_add = self.inst(core, op)?;
        let enough = self.mems[m_add].timestep_for_addition(self.objs[obj].size, t);
        // reference quirk: the eviction candidates are taken from the memory of the tensor's own memory operand
        let m_evict = if self.opts.fix_memory_operands { m_add } else { self.inst(core, self.objs[obj].memop)? };
        let evict = self.find_evictions(m_evict, obj, enough, avoid)?;
        if core == self.offchip && !evict.is_empty() {
            return Err(ScheduleError::OffchipEviction { tensor: self.tname(obj), memory: self.mname(m_evict) });
        }
        let mut t = t;
        for e in evict {
            let frac = 1.0 / self.inp.cns[self.objs[e].origin].total_inter_core_splits as f64;
            // reference quirk: evictions are scheduled from the requested time, not from `enough`
            let done = self.removal(e, core, op, t, frac, true, RemovalCause::Eviction)?;
            t = max_t(t, done);
        }
        Ok(max_t(enough, t))
    }

    /// Removes `obj` from `core`, writing it back to DRAM first if asked and DRAM lacks it; returns the time.
    #[allow(clippy::too_many_arguments)]
    fn removal(
        &mut self,
        obj: ObjId,
        core: CoreId,
        op: MemOperand,
        t: Time,
        frac: f64,
        write_back: bool,
        cause: RemovalCause,
    ) -> Res<Time> {
        let mut t_rm = t;
        if write_back && !self.core_contains(obj, self.offchip, op)? {
            let tc = match cause {
                RemovalCause::SinkLayer => TransferCause::SinkLayer,
                _ => TransferCause::Eviction,
            };
            let end = self.transfer(obj, self.offchip, op, 0.0, &[], Some(core), frac, Some(tc))?;
            t_rm = max_t(t_rm, end);
        }
        self.remove_tensor(obj, core, op, t_rm)?;
        self.removals.push(Removal {
            step: self.step,
            tensor: obj,
            core,
            memory_operand: op,
            requested: t,
            removed: t_rm,
            write_back,
            cause,
        });
        Ok(t_rm)
    }

    // ---- communication ----------------------------------------------------------------------------------------

    /// Earliest start >= `start` at which all `entries` (link, tensors with bandwidths) fit for `duration`.
    fn idle_window(&self, entries: &LinkRequests, start: Time, duration: Time) -> Res<Time> {
        let mut inter: Vec<(Time, Time)> = Vec::new();
        for (i, (l, bws)) in entries.iter().enumerate() {
            let link = &self.links[*l];
            let total: f64 = bws.iter().map(|b| b.1).fold(0.0, |a, b| a + b);
            let required = if total > link.bandwidth {
                let factor = link.bandwidth / total;
                bws.iter().map(|b| (factor * b.1).floor()).fold(0.0, |a, b| a + b)
            } else {
                total
            };
            let windows = link.idle_windows(required, duration, start).ok_or(ScheduleError::NoLinkWindow {
                link: *l,
                duration,
                bandwidth: required,
            })?;
            if i == 0 {
                inter = windows;
            } else {
                inter = intersections(&inter, &windows);
                inter.retain(|w| w.1 - w.0 >= duration);
            }
        }
        inter.first().map(|w| w.0).ok_or(ScheduleError::NoLinkWindow {
            link: entries.first().map_or(0, |e| e.0),
            duration,
            bandwidth: 0.0,
        })
    }

    /// Transfers `obj` to `receiver` (stored under `op`) as early as possible from `earliest` on; returns the end
    /// time (or `earliest` if the receiver already holds it).
    #[allow(clippy::too_many_arguments)]
    fn transfer(
        &mut self,
        obj: ObjId,
        receiver: CoreId,
        op: MemOperand,
        earliest: Time,
        non_evictable: &[ObjId],
        sender: Option<CoreId>,
        frac: f64,
        cause: Option<TransferCause>,
    ) -> Res<Time> {
        if self.core_contains(obj, receiver, op)? {
            return Ok(earliest);
        }
        let (_, avail) = self.storing(obj, sender)?;
        let t_add = max_t(earliest, avail);
        let t_evicted = self.make_space(obj, receiver, op, t_add, non_evictable)?;
        // the source is looked up again: evictions may have changed where the tensor is
        let (m_src, _) = self.storing(obj, sender)?;
        let sender = self.inp.topology.memories[m_src].cores[0];

        // earliest window on the path
        let path = self.path(sender, receiver)?;
        let mut entries: LinkRequests = Vec::new();
        for &l in path {
            if !entries.iter().any(|e| e.0 == l) {
                let bw = (frac * self.links[l].bandwidth).ceil();
                entries.push((l, smallvec::smallvec![(obj, bw)]));
            }
        }
        if entries.is_empty() {
            return Err(ScheduleError::Other(format!(
                "transfer of {} from core {sender} to itself (no links)",
                self.tname(obj)
            )));
        }
        let slowest = entries.iter().map(|e| e.1[0].1).fold(f64::INFINITY, f64::min);
        let duration = (self.objs[obj].size as f64 / slowest).ceil();
        let start = self.idle_window(&entries, t_evicted, duration)?;
        let end = start + duration;

        // register: spawn on the receiver, occupy the links, maybe drop the sender's copy
        self.spawn(obj, receiver, op, start, end)?;
        let links: Vec<LinkId> = self.path(sender, receiver)?.to_vec();
        let mut link_energy = 0.0;
        let mut memory_energy = 0.0;
        if !links.is_empty() {
            let mut all_new = true;
            let mut tasks = Vec::with_capacity(links.len());
            for &l in &links {
                let link = &mut self.links[l];
                let e = duration * link.unit_energy_cost * frac;
                let activity = (frac * link.bandwidth).ceil();
                if link.update_activity(start, end, activity, obj) {
                    link_energy += e;
                } else {
                    all_new = false;
                }
                tasks.push(LinkTask { link: l, tensor: obj, activity, energy: e });
            }
            if all_new {
                let energy = tasks.iter().fold(0.0, |a, t| a + t.energy);
                self.events.push(CommunicationEvent {
                    kind: EventKind::Transfer,
                    start,
                    end,
                    energy,
                    sender,
                    receiver,
                    tasks,
                });
            }
            memory_energy = self.transfer_memory_energy(obj, sender, m_src, receiver, op)?;
        }
        if sender != self.offchip {
            let not_on_producer = sender != self.inp.cns[self.objs[obj].origin].core;
            let (m, _) = self.storing(obj, Some(sender))?;
            if not_on_producer && self.instance_priority(obj, m) == 0 {
                if self.opts.fix_memory_operands {
                    let (eq, size) = (self.objs[obj].eq, self.objs[obj].size);
                    self.mems[m_src].remove(eq, size, end);
                } else {
                    let memop = self.objs[obj].memop;
                    self.remove_tensor(obj, sender, memop, end)?;
                }
            }
        }
        let cause =
            cause.unwrap_or(if sender == self.offchip { TransferCause::OffChip } else { TransferCause::CoreToCore });
        self.energy.add(cause, link_energy, memory_energy);
        self.transfers.push(Transfer {
            step: self.step,
            tensor: obj,
            size: self.objs[obj].size,
            sender,
            receiver,
            receiver_memory_operand: op,
            start,
            end,
            links,
            bandwidth_fraction: frac,
            link_energy,
            memory_energy,
            cause,
        });
        Ok(end)
    }

    fn transfer_memory_energy(
        &self,
        obj: ObjId,
        sender: CoreId,
        m_src: MemoryId,
        receiver: CoreId,
        op: MemOperand,
    ) -> Res<f64> {
        let size = self.objs[obj].size as f64;
        let mems = &self.inp.topology.memories;
        // reference quirk: the sender side uses the tensor's own memory operand
        let s = if self.opts.fix_memory_operands {
            &mems[m_src]
        } else {
            &mems[self.inst(sender, self.objs[obj].memop)?]
        };
        let r = &mems[self.inst(receiver, op)?];
        let se = s.read_cost * (s.port_bw_min / s.port_bw_max) * (size / s.port_bw_min).ceil();
        let re = r.write_cost * (r.port_bw_min / r.port_bw_max) * (size / r.port_bw_min).ceil();
        Ok(se + re)
    }

    /// Reserves the DRAM link(s) of `core` for the streamed operands of `cn` during its runtime; returns the
    /// earliest start of such a window at or after `t`.
    fn block_offchip_links(&mut self, cn: CnId, core: CoreId, t: Time) -> Res<Time> {
        let too_large = self.too_large[cn].clone();
        if too_large.is_empty() {
            return Ok(t);
        }
        let inp = self.inp;
        let c = &inp.cns[cn];
        let duration = c.runtime;
        let bw_of = |op: MemOperand| -> Res<f64> {
            let b = c
                .offchip_bandwidth
                .iter()
                .find(|(o, _)| *o == op)
                .map(|(_, b)| *b)
                .ok_or_else(|| ScheduleError::MissingOffchipBandwidth { cn: self.cname(cn), operand: op })?;
            Ok(if op == MemOperand::O { b.wr_in_by_low } else { b.rd_out_to_low })
        };
        let mut entries: LinkRequests = Vec::new();
        let push =
            |entries: &mut LinkRequests, l: LinkId, obj: ObjId, bw: f64| match entries.iter_mut().find(|e| e.0 == l) {
                Some(e) => e.1.push((obj, bw)),
                None => entries.push((l, smallvec::smallvec![(obj, bw)])),
            };
        if too_large.contains(&MemOperand::O) {
            let out = c.operands[c.output_operand].tensor;
            let mut seen: SmallVec<[LinkId; 4]> = SmallVec::new();
            for &l in self.path(core, self.offchip)? {
                if !seen.contains(&l) {
                    seen.push(l);
                    push(&mut entries, l, out, bw_of(self.objs[out].memop)?);
                }
            }
        }
        let inputs: SmallVec<[MemOperand; 3]> = too_large.iter().copied().filter(|&o| o != MemOperand::O).collect();
        if !inputs.is_empty() {
            let mut tensors: SmallVec<[ObjId; 3]> = SmallVec::new();
            for &op in &inputs {
                let o = c.operands.iter().find(|o| o.memory_operand == op).ok_or_else(|| {
                    ScheduleError::Other(format!("CN {} has no layer operand for memory operand {op}", self.cname(cn)))
                })?;
                tensors.push(o.tensor);
            }
            let mut seen: SmallVec<[LinkId; 4]> = SmallVec::new();
            for &l in self.path(self.offchip, core)? {
                if !seen.contains(&l) {
                    seen.push(l);
                    for &obj in &tensors {
                        push(&mut entries, l, obj, bw_of(self.objs[obj].memop)?);
                    }
                }
            }
        }
        let start = self.idle_window(&entries, t, duration)?;
        for (l, list) in &entries {
            for &(obj, bw) in list {
                let (sender, receiver) =
                    if self.objs[obj].memop == MemOperand::O { (core, self.offchip) } else { (self.offchip, core) };
                if self.links[*l].update_activity(start, start + duration, bw, obj) {
                    let energy = inp.cns[self.objs[obj].origin].offchip_energy;
                    self.events.push(CommunicationEvent {
                        kind: EventKind::Block,
                        start,
                        end: start + duration,
                        energy,
                        sender,
                        receiver,
                        tasks: vec![LinkTask { link: *l, tensor: obj, activity: bw, energy }],
                    });
                }
            }
        }
        self.blocks.push(Block {
            step: self.step.unwrap_or(0),
            cn,
            core,
            too_large_operands: too_large.to_vec(),
            requested: t,
            start,
            duration,
        });
        Ok(start)
    }

    // ---- preparation ------------------------------------------------------------------------------------------

    fn init(&mut self) -> Res<()> {
        let inp = self.inp;
        for cn in &inp.cns {
            self.cores_idle_from[cn.core] = Some(0.0);
        }
        for c in 0..inp.cns.len() {
            if self.remaining_preds[c] == 0 {
                self.candidates.insert(self.order_idx[c], (0.0, c));
            }
        }
        // priorities: an output is needed once per consumer, on the consumer's memory; other tensors get their
        // reuse factor on the memory of the core that uses them
        for (c, cn) in inp.cns.iter().enumerate() {
            for (i, operand) in cn.operands.iter().enumerate() {
                let obj = operand.tensor;
                if i == cn.output_operand {
                    for k in 0..self.succs[c].len() {
                        let (s, op) = self.succs[c][k];
                        let Some(op) = op else { continue };
                        let m = self.inst(inp.cns[s].core, op)?;
                        let prio = &mut self.objs[obj].prio;
                        match prio.iter_mut().find(|(x, _)| *x == m) {
                            Some(e) => e.1 += 1,
                            None => prio.push((m, 1)),
                        }
                    }
                } else if let Some(base) = inp.tensors[obj].base_priority {
                    let m = self.inst(cn.core, self.objs[obj].memop)?;
                    let prio = &mut self.objs[obj].prio;
                    match prio.iter_mut().find(|(x, _)| *x == m) {
                        Some(e) => e.1 = base,
                        None => prio.push((m, base)),
                    }
                }
            }
        }
        // constant tensors (and the inputs of CNs without predecessors) start in DRAM
        let offchip_mems: SmallVec<[MemoryId; 3]> =
            self.inst_of[self.offchip].iter().flatten().copied().fold(SmallVec::new(), |mut v, m| {
                if !v.contains(&m) {
                    v.push(m);
                }
                v
            });
        for (c, cn) in inp.cns.iter().enumerate() {
            for (i, operand) in cn.operands.iter().enumerate() {
                let constant = cn.constant_operands.contains(&i) || cn.partially_constant_operands.contains(&i);
                if constant || (i != cn.output_operand && self.preds[c].is_empty()) {
                    let eq = self.objs[operand.tensor].eq;
                    if !offchip_mems.iter().any(|&m| self.mems[m].contains(eq)) {
                        self.spawn(operand.tensor, self.offchip, operand.memory_operand, 0.0, 0.0)?;
                    }
                }
            }
        }
        // prefetch
        if !self.opts.prefetch_operands.is_empty() {
            for cn in &inp.cns {
                for (i, operand) in cn.operands.iter().enumerate() {
                    if !cn.constant_operands.contains(&i) || !self.opts.prefetch_operands.contains(&operand.name) {
                        continue;
                    }
                    if !self.core_contains(operand.tensor, cn.core, operand.memory_operand)? {
                        self.transfer(operand.tensor, cn.core, operand.memory_operand, 0.0, &[], None, 1.0, None)?;
                    }
                }
            }
        }
        Ok(())
    }

    // ---- main loop --------------------------------------------------------------------------------------------

    fn run(&mut self) -> Res<()> {
        let total = self.inp.cns.len();
        for n in 0..total {
            let Some((_, (preds_end, cn))) = self.candidates.pop_first() else {
                return Err(ScheduleError::NoCandidate { scheduled: n, total });
            };
            self.step = Some(n);
            self.schedule_cn(cn, preds_end)?;
        }
        Ok(())
    }

    /// The tensors `cn` needs on its core with the memory operand it uses them as.
    fn tensors_needed(&self, cn: CnId) -> SmallVec<[(ObjId, MemOperand); 8]> {
        let c = &self.inp.cns[cn];
        let too_large = &self.too_large[cn];
        let mut v: SmallVec<[(ObjId, MemOperand); 8]> = SmallVec::new();
        for &i in &c.constant_operands {
            let o = &c.operands[i];
            if !too_large.contains(&o.memory_operand) {
                v.push((o.tensor, o.memory_operand));
            }
        }
        for &(p, op) in &self.preds[cn] {
            let Some(op) = op else { continue };
            if too_large.contains(&op) {
                continue;
            }
            let pc = &self.inp.cns[p];
            v.push((pc.operands[pc.output_operand].tensor, op));
        }
        // stable sort by the layer the data comes from
        v.sort_by_key(|&(o, _)| self.inp.cns[self.objs[o].origin].layer);
        v
    }

    /// Cuts a DRAM tensor to the slice of the CN's intra-core-tiled dimensions (a new tensor object in DRAM).
    fn split_if_needed(&mut self, obj: ObjId, op: MemOperand, cn: CnId, core: CoreId) -> Res<ObjId> {
        if self.core_contains(obj, core, op)? {
            return Ok(obj);
        }
        let inp = self.inp;
        let c = &inp.cns[cn];
        let t = self.tensor(obj);
        let dims: SmallVec<[usize; 4]> =
            c.intra_core_tiling_dims.iter().filter_map(|d| t.loop_dims.iter().position(|x| x == d)).collect();
        if dims.is_empty() {
            return Ok(obj);
        }
        let mut needed: SmallVec<[(i64, i64); 4]> = SmallVec::new();
        for &di in &dims {
            let d = &t.loop_dims[di];
            let r = c
                .loop_ranges
                .iter()
                .find(|(x, _)| x == d)
                .map(|(_, r)| *r)
                .ok_or_else(|| ScheduleError::Other(format!("CN {} has no loop range for {d}", self.cname(cn))))?;
            needed.push(r);
        }
        if dims.iter().zip(&needed).all(|(&di, n)| t.loop_ranges[di].1 - t.loop_ranges[di].0 == n.1 - n.0) {
            return Ok(obj);
        }
        // The reference cuts slices only from DRAM and asserts the tensor is there; a tensor still held on
        // chip only (a consumer on another core than its producer, with another tile size) makes Stream stop
        // with an AssertionError. Beyond the reference: the whole tensor is fetched from where it is, and the
        // case is reported (`Schedule::unsplit_on_chip`).
        let created = match self.storing(obj, Some(self.offchip)) {
            Ok((_, t)) => t,
            Err(ScheduleError::TensorNotOnCore { .. }) => {
                self.unsplit_on_chip.push((cn, obj));
                return Ok(obj);
            }
            Err(e) => return Err(e),
        };
        let mut sub = t.clone();
        let mut compression = 1.0f64;
        for (&di, &n) in dims.iter().zip(&needed) {
            let full = t.loop_ranges[di];
            if n.1 == n.0 {
                return Err(ScheduleError::Other(format!("CN {} needs an empty slice", self.cname(cn))));
            }
            compression *= (full.1 - full.0) as f64 / (n.1 - n.0) as f64;
            sub.loop_ranges[di] = n;
        }
        sub.size = (t.size as f64 / compression) as u64;
        sub.base_priority = None;
        let eq = self.intern(&sub);
        let id = self.inp.tensors.len() + self.sub_tensors.len();
        let parent = &self.objs[obj];
        let o = Obj {
            eq,
            size: sub.size,
            origin: parent.origin,
            memop: parent.memop,
            is_output: parent.is_output,
            prio: SmallVec::new(),
        };
        let memop = o.memop;
        self.objs.push(o);
        self.sub_tensors.push(sub);
        self.spawn(id, self.offchip, memop, created, created)?;
        Ok(id)
    }

    /// If all needed (sub-)tensors and the output fit on the core after all, the CN streams nothing.
    fn reset_too_large(&mut self, cn: CnId, subs: &[ObjId], ops: &[MemOperand], core: CoreId) {
        if self.too_large[cn].is_empty() || subs.is_empty() {
            return;
        }
        let inp = self.inp;
        let c = &inp.cns[cn];
        let tl = &self.too_large[cn];
        if c.constant_operands
            .iter()
            .chain(&c.partially_constant_operands)
            .any(|&i| tl.contains(&c.operands[i].memory_operand))
        {
            return;
        }
        let mut size = [0u64; 3];
        for (&o, &op) in subs.iter().zip(ops) {
            size[op.index()] += self.objs[o].size;
        }
        let out = c.operands[c.output_operand].tensor;
        size[self.objs[out].memop.index()] += self.objs[out].size;
        for tm in &self.inp.topology.cores[core].top_memories {
            let required: u64 = tm.operands.iter().map(|op| size[op.index()]).sum();
            if required > self.inp.topology.memories[tm.memory].capacity {
                return;
            }
        }
        self.too_large[cn].clear();
    }

    fn sync_cores(&mut self, cn: CnId) {
        let c = &self.inp.cns[cn];
        if !self.opts.layer_sync || c.sub_id != 0 {
            return;
        }
        let idx = self.order_idx[cn];
        let all_before = self.preds[cn]
            .iter()
            .filter(|&&(p, _)| self.inp.cns[p].layer != c.layer)
            .all(|&(p, _)| self.layer_max_idx[&self.inp.cns[p].layer] < idx);
        if all_before {
            let max = self.cores_idle_from.iter().flatten().copied().fold(f64::NEG_INFINITY, max_t);
            for t in self.cores_idle_from.iter_mut().flatten() {
                *t = max;
            }
        }
    }

    fn schedule_cn(&mut self, cn: CnId, preds_end: Time) -> Res<()> {
        let inp = self.inp;
        let c = &inp.cns[cn];
        let core = c.core;
        let needed = self.tensors_needed(cn);
        let full: SmallVec<[ObjId; 8]> = needed.iter().map(|e| e.0).collect();
        let ops: SmallVec<[MemOperand; 8]> = needed.iter().map(|e| e.1).collect();
        let mut subs: SmallVec<[ObjId; 8]> = SmallVec::with_capacity(full.len());
        for (&o, &op) in full.iter().zip(&ops) {
            subs.push(self.split_if_needed(o, op, cn, core)?);
        }
        self.reset_too_large(cn, &subs, &ops, core);
        let frac = 1.0 / c.total_inter_core_splits as f64;

        // step 0: earliest start
        self.sync_cores(cn);
        let core_idle_from = self.cores_idle_from[core].unwrap_or(0.0);
        let mut t = max_t(core_idle_from, preds_end);

        // step 1: clear the memories of streamed operands
        let too_large = self.too_large[cn].clone();
        for &op in &too_large {
            let m = self.inst(core, op)?;
            let stored: Vec<ObjId> = self.mems[m].stored_at(t).collect();
            for o in stored {
                if !subs.contains(&o) {
                    t = self.removal(o, core, op, t, frac, true, RemovalCause::Eviction)?;
                }
            }
        }

        // step 2: fetch the inputs; they may start before the core is idle by the time they take from DRAM
        let mut headstart = 0.0;
        for (&o, &op) in subs.iter().zip(&ops) {
            let dram = &inp.topology.memories[self.inst(self.offchip, op)?];
            headstart += (self.objs[o].size as f64 / (dram.port_bw_max * frac)).ceil();
        }
        let earliest = core_idle_from - headstart;
        for (&o, &op) in subs.iter().zip(&ops) {
            let done = self.transfer(o, core, op, earliest, &subs, None, frac, None)?;
            t = max_t(t, done);
        }

        // step 3: room for the output
        let out = c.operands[c.output_operand].tensor;
        let out_op = self.objs[out].memop;
        let out_core = if too_large.contains(&out_op) { self.offchip } else { core };
        t = self.make_space(out, out_core, out_op, t, &subs)?;

        // step 4: DRAM links for streamed operands
        t = self.block_offchip_links(cn, core, t)?;

        // step 5: run
        let end = t + c.runtime;
        self.spawn(out, out_core, out_op, t, end)?;
        self.start[cn] = t;
        self.end[cn] = end;
        self.cores_idle_from[core] = Some(end);
        self.scheduled[cn] = true;
        self.execution_order.push(cn);
        self.energy.cn_onchip += c.onchip_energy;
        self.energy.cn_offchip_memory += c.offchip_energy;

        // step 6: bookkeeping of the used tensors
        for (&o, &op) in full.iter().zip(&ops) {
            let m = self.inst(core, op)?;
            match self.objs[o].prio.iter_mut().find(|(x, _)| *x == m) {
                Some(e) => e.1 -= 1,
                None => {
                    return Err(ScheduleError::MissingPriority {
                        tensor: self.tname(o),
                        memory: self.mname(m),
                        cn: self.cname(cn),
                    });
                }
            }
        }
        self.release_unneeded(&full, end, frac)?;
        for (&s, &op) in subs.iter().zip(&ops) {
            if !full.contains(&s) {
                self.remove_tensor(s, core, op, end)?;
                self.remove_tensor(s, self.offchip, op, end)?;
            }
        }
        if self.sink[cn] && !self.too_large[cn].contains(&MemOperand::O) {
            let memop = self.objs[out].memop;
            self.removal(out, core, memop, end, frac, true, RemovalCause::SinkLayer)?;
        }

        // step 7: new candidates
        for k in 0..self.succs[cn].len() {
            let s = self.succs[cn][k].0;
            self.remaining_preds[s] -= 1;
            if self.remaining_preds[s] == 0 {
                let pe = self.preds[s].iter().map(|&(p, _)| self.end[p]).fold(f64::NEG_INFINITY, max_t);
                let pe = if self.preds[s].is_empty() { 0.0 } else { pe };
                self.candidates.insert(self.order_idx[s], (pe, s));
            }
        }
        Ok(())
    }

    /// Removes tensors whose priority dropped to zero from every memory holding them.
    fn release_unneeded(&mut self, full: &[ObjId], end: Time, frac: f64) -> Res<()> {
        let inp = self.inp;
        for &o in full {
            if self.total_priority(o) != 0 {
                continue;
            }
            let eq = self.objs[o].eq;
            let holders: SmallVec<[MemoryId; 4]> =
                (0..self.mems.len()).filter(|&m| self.mems[m].contains(eq)).collect();
            if holders.is_empty() {
                return Err(ScheduleError::TensorNotFound(self.tname(o)));
            }
            for m in holders {
                let cores = &inp.topology.memories[m].cores;
                let mut t_rm = end;
                if self.objs[o].is_output {
                    let origin = self.objs[o].origin;
                    let layer = inp.cns[origin].layer;
                    let offchip_mem = cores.contains(&self.offchip);
                    let ends = self.succs[origin]
                        .iter()
                        .map(|&(s, _)| s)
                        .filter(|&s| inp.cns[s].layer != layer && (offchip_mem || cores.contains(&inp.cns[s].core)))
                        .map(|s| self.end[s])
                        .filter(|&e| e >= 0.0);
                    t_rm = ends.fold(None, |acc: Option<Time>, e| Some(acc.map_or(e, |a| max_t(a, e)))).unwrap_or(end);
                }
                let core0 = cores[0];
                let memop = self.objs[o].memop;
                if self.opts.fix_memory_operands {
                    let (eq, size) = (self.objs[o].eq, self.objs[o].size);
                    self.mems[m].remove(eq, size, t_rm);
                    self.removals.push(Removal {
                        step: self.step,
                        tensor: o,
                        core: core0,
                        memory_operand: memop,
                        requested: t_rm,
                        removed: t_rm,
                        write_back: false,
                        cause: RemovalCause::Released,
                    });
                } else {
                    // reference quirk: removed via the tensor's own memory operand on the memory's first core
                    self.removal(o, core0, memop, t_rm, frac, false, RemovalCause::Released)?;
                }
            }
        }
        Ok(())
    }

    fn finish(self) -> Schedule {
        let inp = self.inp;
        let cns = inp
            .cns
            .iter()
            .enumerate()
            .map(|(i, c)| ScheduledCn {
                layer: c.layer,
                sub_id: c.sub_id,
                core: c.core,
                start: self.start[i],
                end: self.end[i],
                too_large_operands: self.too_large[i].to_vec(),
            })
            .collect();
        let max_cn = self.end.iter().copied().fold(f64::NEG_INFINITY, max_t);
        let max_ev = self.events.iter().map(|e| e.end).fold(0.0, max_t);
        let latency = if inp.cns.is_empty() { max_ev } else { max_t(max_cn, max_ev) };
        let memories = self
            .mems
            .iter()
            .map(|m| MemoryUsage {
                timeline: m.timeline.clone(),
                peak: m.peak(),
                stored_at_end: m.stored.iter().map(|&(o, _)| o).collect(),
            })
            .collect();
        let links = self
            .links
            .iter()
            .map(|l| {
                let activity = l.activity_timeline();
                let peak = activity.iter().map(|a| a.1).max().unwrap_or(0);
                LinkUsage { activity, peak }
            })
            .collect();
        let unsplit_on_chip = self
            .unsplit_on_chip
            .iter()
            .map(|&(cn, obj)| (inp.cns[cn].layer, inp.cns[cn].sub_id, self.tname(obj)))
            .collect();
        Schedule {
            cns,
            links,
            execution_order: self.execution_order,
            transfers: self.transfers,
            blocks: self.blocks,
            removals: self.removals,
            communication_events: self.events,
            memories,
            sub_tensors: self.sub_tensors,
            unsplit_on_chip,
            latency,
            energy: self.energy,
        }
    }
}
