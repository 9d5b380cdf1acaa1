//! Memory manager: per top-level memory instance, the stored tensors (with the time their space is reserved
//! from and the time their data is valid from) and the usage timeline, a step function of `(time, bits)`
//! breakpoints that starts at `(0, 0)`.
//!
//! Additions and removals may be placed in the past or the future: each one adds/subtracts the tensor size on
//! every breakpoint from its time on (and inserts a breakpoint if needed), so the timeline describes the
//! reservations of the whole schedule, not a current state.

use rustc_hash::FxHashMap;

use super::ObjId;
use crate::schedule_input::Time;

/// Interned tensor equality key: tensors with equal origin layer, layer operand and loop ranges are the same data.
pub(super) type EqId = u32;

/// Where and since when a tensor is stored in one memory instance.
#[derive(Clone, Copy, Debug)]
pub(super) struct Stored {
    /// The tensor object that was stored.
    pub obj: ObjId,
    /// Space reserved from.
    pub stored_since: Time,
    /// Data valid from.
    pub available_since: Time,
}

/// One unique top-level memory instance.
#[derive(Clone, Debug)]
pub(super) struct MemState {
    pub capacity: i64,
    /// Stored tensor objects in insertion order (the order of eviction ties and of memory clearing).
    pub stored: Vec<(ObjId, EqId)>,
    pub present: FxHashMap<EqId, Stored>,
    /// Usage breakpoints, sorted by time.
    pub timeline: Vec<(Time, i64)>,
    /// Breakpoint times are truncated to integers (the reference stores them in an integer array).
    pub truncate_times: bool,
}

impl MemState {
    pub fn new(capacity: i64, truncate_times: bool) -> Self {
        Self { capacity, stored: Vec::new(), present: FxHashMap::default(), timeline: vec![(0.0, 0)], truncate_times }
    }

    pub fn contains(&self, eq: EqId) -> bool {
        self.present.contains_key(&eq)
    }

    fn key(&self, t: Time) -> Time {
        // reference quirk: breakpoints live in an int64 numpy array, so fractional times are truncated
        if self.truncate_times { t.trunc() } else { t }
    }

    /// Index of the first breakpoint with time >= t (numpy `searchsorted`, side left).
    fn left(&self, t: Time) -> usize {
        self.timeline.partition_point(|&(ts, _)| ts < t)
    }

    /// Index of the first breakpoint with time > t (numpy `searchsorted`, side right).
    fn right(&self, t: Time) -> usize {
        self.timeline.partition_point(|&(ts, _)| ts <= t)
    }

    /// Adds `delta` bits from time `t` on; returns true if an already present breakpoint would exceed the
    /// capacity (checked only on existing breakpoints, as in the reference, and only when `check`).
    fn shift_from(&mut self, t: Time, delta: i64, check: bool) -> bool {
        let idx = self.left(t);
        let present = idx < self.timeline.len() && self.timeline[idx].0 == t;
        if check && self.timeline[idx..].iter().any(|&(_, u)| u + delta > self.capacity) {
            return true;
        }
        for e in &mut self.timeline[idx..] {
            e.1 += delta;
        }
        if !present {
            // numpy reads the element before the insertion point from the already updated array; index -1 wraps
            let prev = if idx > 0 { self.timeline[idx - 1].1 } else { self.timeline.last().map_or(0, |e| e.1) };
            let k = self.key(t);
            self.timeline.insert(idx, (k, prev + delta));
        }
        false
    }

    /// Stores a tensor (no-op if an equal tensor is stored). Returns `Err(())` on overflow.
    pub fn add(&mut self, obj: ObjId, eq: EqId, size: u64, t: Time, t_available: Time) -> Result<(), ()> {
        if self.contains(eq) {
            return Ok(());
        }
        self.stored.push((obj, eq));
        self.present.insert(eq, Stored { obj, stored_since: t, available_since: t_available });
        if self.shift_from(t, size as i64, true) { Err(()) } else { Ok(()) }
    }

    /// Removes the stored tensor equal to `eq` from time `t` on (no-op if absent); `size` is the size of the
    /// tensor given by the caller.
    pub fn remove(&mut self, eq: EqId, size: u64, t: Time) {
        let Some(s) = self.present.remove(&eq) else { return };
        if let Some(pos) = self.stored.iter().position(|&(o, _)| o == s.obj) {
            self.stored.remove(pos);
        }
        self.shift_from(t, -(size as i64), false);
    }

    /// Usage at time `t` (value of the last breakpoint <= t, or of the first one if t precedes all).
    pub fn usage_at(&self, t: Time) -> i64 {
        let idx = self.right(t).saturating_sub(1);
        self.timeline[idx].1
    }

    /// The earliest time >= `t` from which a tensor of `size` bits can stay resident without exceeding the
    /// capacity; if there is none, the time of the last maximum (the caller then has to evict).
    pub fn timestep_for_addition(&self, size: u64, mut t: Time) -> Time {
        let size = size as i64;
        loop {
            let r = self.right(t);
            let n = self.timeline.len();
            if r == n {
                return t;
            }
            let first = if r == 0 { n - 1 } else { r - 1 };
            let rel = &self.timeline[first..];
            let mut max = i64::MIN;
            let mut last_max = 0;
            for (i, &(_, u)) in rel.iter().enumerate() {
                if u >= max {
                    max = u;
                    last_max = i;
                }
            }
            if max + size <= self.capacity {
                return t;
            }
            if last_max == rel.len() - 1 {
                return rel[last_max].0;
            }
            t = rel[last_max + 1].0;
        }
    }

    /// Stored tensor objects whose space is reserved at or before `t`, in storage order.
    pub fn stored_at(&self, t: Time) -> impl Iterator<Item = ObjId> + '_ {
        self.stored.iter().filter(move |(_, eq)| self.present[eq].stored_since <= t).map(|&(o, _)| o)
    }

    pub fn peak(&self) -> i64 {
        self.timeline.iter().map(|e| e.1).max().unwrap_or(0)
    }
}
