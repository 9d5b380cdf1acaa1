//! Beyond the reference: the latency–energy Pareto front of the (spatial mapping, ordering)
//! pairs a search evaluated (`zigzag-rs map --pareto`), kept incrementally (O(front) per
//! evaluation, only when asked for), and the lexicographic tie-break rule (`--tie-break`).

use zz_cost::{CostEvaluation, Loop};

/// How equally good candidates are resolved.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum TieBreak {
    /// The reference's strict first-best rule: among equal keys, the first generated is kept.
    #[default]
    First,
    /// The full key: the objective, then the other of latency/energy, then EDP, then a
    /// structural key (spatial mapping, then the ordering as (dimension, size) loops, innermost
    /// first) — independent of the generation order.
    Lexicographic,
}

impl std::str::FromStr for TieBreak {
    type Err = zz_ir::choice::UnknownChoice;

    /// `first` or `lexicographic`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "first" => Ok(TieBreak::First),
            "lexicographic" => Ok(TieBreak::Lexicographic),
            _ => Err(zz_ir::choice::UnknownChoice::new(s, &["first", "lexicographic"])),
        }
    }
}

/// The numeric part of the lexicographic key: (objective, other of latency/energy, EDP) for
/// latency and energy, (EDP, latency, energy) for EDP.
pub fn lex_key(obj: crate::Objective, e: &CostEvaluation) -> (f64, f64, f64) {
    let (l, en) = (e.latency_total2, e.energy_total);
    match obj {
        crate::Objective::Latency => (l, en, l * en),
        crate::Objective::Energy => (en, l, l * en),
        crate::Objective::Edp => (l * en, l, en),
    }
}

/// Total order on numeric keys (NaN last).
pub fn cmp3(a: (f64, f64, f64), b: (f64, f64, f64)) -> std::cmp::Ordering {
    a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)).then(a.2.total_cmp(&b.2))
}

/// Structural order of two orderings: loop by loop, (dimension id, size).
pub fn cmp_ordering(a: &[Loop], b: &[Loop]) -> std::cmp::Ordering {
    let ka = a.iter().map(|l| (l.dim, l.size.to_bits()));
    let kb = b.iter().map(|l| (l.dim, l.size.to_bits()));
    ka.cmp(kb)
}

/// One point of a front: its (latency, energy), its ordering (loops, innermost first) and,
/// once merged over a layer's spatial mappings, the index of its spatial mapping.
#[derive(Clone, Debug, PartialEq)]
pub struct FrontPoint {
    /// `latency_total2`, cycles.
    pub latency: f64,
    /// `energy_total`, pJ.
    pub energy: f64,
    /// The loop ordering, innermost first.
    pub ordering: Vec<Loop>,
    /// Index of the spatial mapping in generation order (set by the layer search).
    pub spatial: usize,
}

/// A latency–energy Pareto front, deduplicated by (latency, energy): the first point offered
/// with given numbers is kept.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ParetoFront {
    /// The non-dominated points, in insertion order.
    pub points: Vec<FrontPoint>,
}

impl ParetoFront {
    /// Whether a point with these numbers would enter the front (nothing dominates or equals it).
    #[inline]
    pub fn admits(&self, latency: f64, energy: f64) -> bool {
        !self.points.iter().any(|p| p.latency <= latency && p.energy <= energy)
    }

    /// Offers a point; `ordering` is only called when the point enters the front.
    #[inline]
    pub fn offer(&mut self, latency: f64, energy: f64, spatial: usize, ordering: impl FnOnce() -> Vec<Loop>) {
        if !(latency.is_finite() && energy.is_finite() && self.admits(latency, energy)) {
            return;
        }
        self.points.retain(|p| !(latency <= p.latency && energy <= p.energy));
        self.points.push(FrontPoint { latency, energy, ordering: ordering(), spatial });
    }

    /// Merges another front into this one (its points in their order).
    pub fn merge(&mut self, other: ParetoFront) {
        for p in other.points {
            let FrontPoint { latency, energy, ordering, spatial } = p;
            self.offer(latency, energy, spatial, || ordering);
        }
    }

    /// The points sorted by latency (then energy).
    pub fn sorted(mut self) -> Vec<FrontPoint> {
        self.points.sort_by(|a, b| a.latency.total_cmp(&b.latency).then(a.energy.total_cmp(&b.energy)));
        self.points
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_keeps_non_dominated_and_dedups() {
        let mut f = ParetoFront::default();
        let o = || vec![Loop { dim: 0, size: 2.0 }];
        f.offer(10.0, 5.0, 0, o);
        f.offer(10.0, 5.0, 1, o); // duplicate: first kept
        f.offer(12.0, 6.0, 0, o); // dominated
        f.offer(8.0, 7.0, 0, o);
        f.offer(9.0, 4.0, 0, o); // dominates (10, 5)
        let pts = f.sorted();
        let xy: Vec<(f64, f64)> = pts.iter().map(|p| (p.latency, p.energy)).collect();
        assert_eq!(xy, vec![(8.0, 7.0), (9.0, 4.0)]);
    }

    #[test]
    fn tie_break_keys() {
        assert_eq!(cmp3((1.0, 2.0, 2.0), (1.0, 2.0, 3.0)), std::cmp::Ordering::Less);
        let a = [Loop { dim: 0, size: 2.0 }, Loop { dim: 1, size: 3.0 }];
        let b = [Loop { dim: 1, size: 3.0 }, Loop { dim: 0, size: 2.0 }];
        assert_eq!(cmp_ordering(&a, &b), std::cmp::Ordering::Less);
        assert_eq!("lexicographic".parse::<TieBreak>().unwrap(), TieBreak::Lexicographic);
        assert!("x".parse::<TieBreak>().is_err());
    }
}
