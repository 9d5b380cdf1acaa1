//! Communication links: a piecewise-constant activity (bits/cycle in use) per link, registration of transfer
//! and block events, and the search for the earliest window in which a link has enough bandwidth left.

use rustc_hash::FxHashMap;
use smallvec::SmallVec;

use super::ObjId;
use crate::schedule_input::Time;

/// State of one link.
#[derive(Clone, Debug)]
pub(super) struct LinkState {
    pub bandwidth: f64,
    pub unit_energy_cost: f64,
    /// Activity change points, starting with `[0, inf]`.
    ts: Vec<Time>,
    /// Activity change at each point (integers: the reference keeps them in an int64 array).
    deltas: Vec<i64>,
    /// Start times of the events registered per tensor object (a second event of the same tensor object with
    /// the same start is a broadcast and adds no activity).
    seen: FxHashMap<ObjId, SmallVec<[Time; 2]>>,
}

impl LinkState {
    pub fn new(bandwidth: f64, unit_energy_cost: f64) -> Self {
        Self {
            bandwidth,
            unit_energy_cost,
            ts: vec![0.0, f64::INFINITY],
            deltas: vec![0, 0],
            seen: FxHashMap::default(),
        }
    }

    fn apply(&mut self, t: Time, activity: f64) {
        let idx = self.ts.partition_point(|&x| x < t);
        if idx < self.ts.len() && self.ts[idx] == t {
            // reference quirk: the int64 delta array silently truncates a fractional activity
            self.deltas[idx] = (self.deltas[idx] as f64 + activity) as i64;
        } else {
            self.ts.insert(idx, t);
            self.deltas.insert(idx, activity as i64);
        }
    }

    /// Registers an event; returns false (and changes nothing) for an empty event or a repeated broadcast.
    pub fn update_activity(&mut self, start: Time, end: Time, activity: f64, tensor: ObjId) -> bool {
        if start == end {
            return false;
        }
        let prev = self.seen.entry(tensor).or_default();
        if prev.contains(&start) {
            return false;
        }
        prev.push(start);
        self.apply(start, activity);
        self.apply(end, -activity);
        true
    }

    /// The activity step function as `(time, bits/cycle)` breakpoints (the last one at infinity).
    pub fn activity_timeline(&self) -> Vec<(Time, i64)> {
        let mut acc = 0;
        self.ts
            .iter()
            .zip(&self.deltas)
            .map(|(&t, &d)| {
                acc += d;
                (t, acc)
            })
            .collect()
    }

    /// All windows `(start, end)` from `earliest` on, of length >= `duration`, during which `required` more
    /// bits/cycle fit under the bandwidth; `None` if there is none.
    pub fn idle_windows(&self, required: f64, duration: f64, earliest: Time) -> Option<Vec<(Time, Time)>> {
        let k = self.ts.partition_point(|&x| x <= earliest);
        // cumulative activity up to ts[k-1]; for k == 0 the reference reads index -1, i.e. the total
        let mut run: i64 = self.deltas[..k].iter().sum();
        let act0 = if k == 0 { self.deltas.iter().sum() } else { run };
        // position 0 is (earliest, act0), position p >= 1 is change point k + p - 1
        let n = 1 + self.ts.len() - k;
        let time_at = |p: usize| if p == 0 { earliest } else { self.ts[k + p - 1] };
        let mut windows = Vec::new();
        let mut start = earliest;
        for p in 0..n {
            let a = if p == 0 {
                act0
            } else {
                run += self.deltas[k + p - 1];
                run
            };
            if a as f64 + required > self.bandwidth || p == n - 1 {
                let end = time_at(p);
                if end - start >= duration {
                    windows.push((start, end));
                }
                if p == n - 1 {
                    break;
                }
                start = time_at(p + 1);
            }
        }
        if windows.is_empty() { None } else { Some(windows) }
    }
}

/// Intersection of two sorted lists of closed ranges, with the reference's merge of touching neighbours (which
/// skips the range following a merge).
pub(super) fn intersections(a: &[(Time, Time)], b: &[(Time, Time)]) -> Vec<(Time, Time)> {
    let mut ranges: Vec<(Time, Time)> = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        let (al, ar) = a[i];
        let (bl, br) = b[j];
        if ar < br {
            i += 1;
        } else {
            j += 1;
        }
        if ar >= bl && br >= al {
            let mut e = [al, ar, bl, br];
            e.sort_by(|x, y| x.total_cmp(y));
            ranges.push((e[1], e[2]));
        }
    }
    let mut ri = 0;
    while ri + 1 < ranges.len() {
        if ranges[ri].1 == ranges[ri + 1].0 {
            let merged = (ranges[ri].0, ranges[ri + 1].1);
            ranges.splice(ri..ri + 2, [merged]);
        }
        ri += 1;
    }
    ranges
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_on_empty_link() {
        let l = LinkState::new(128.0, 0.0);
        assert_eq!(l.idle_windows(128.0, 10.0, 5.0), Some(vec![(5.0, f64::INFINITY)]));
        assert_eq!(l.idle_windows(129.0, 10.0, 5.0), None);
    }

    #[test]
    fn windows_around_busy_period() {
        let mut l = LinkState::new(128.0, 0.0);
        assert!(l.update_activity(10.0, 20.0, 128.0, 0));
        assert!(!l.update_activity(10.0, 20.0, 128.0, 0));
        assert_eq!(l.idle_windows(64.0, 5.0, 0.0), Some(vec![(0.0, 10.0), (20.0, f64::INFINITY)]));
        assert_eq!(l.idle_windows(64.0, 11.0, 0.0), Some(vec![(20.0, f64::INFINITY)]));
        assert_eq!(l.idle_windows(64.0, 5.0, 12.0), Some(vec![(20.0, f64::INFINITY)]));
    }

    #[test]
    fn intersection_merges_touching() {
        let a = [(0.0, 10.0), (20.0, f64::INFINITY)];
        let b = [(5.0, 30.0)];
        assert_eq!(intersections(&a, &b), vec![(5.0, 10.0), (20.0, 30.0)]);
    }
}
