//! Distinct permutations of a multiset in the reference's order: Williams' loopless
//! "prefix shift" algorithm (2009) on a linked list sorted in non-increasing order.
//!
//! ```
//! use zz_search::permutations::MultisetPermutations;
//! let orders: Vec<Vec<u32>> = MultisetPermutations::new(vec![1, 1, 2]).collect();
//! assert_eq!(orders, vec![vec![2, 1, 1], vec![1, 2, 1], vec![1, 1, 2]]);
//! ```

/// Iterator over distinct permutations of `items` (compared with `Ord`), first the
/// non-increasing arrangement, in Williams' prefix-shift order.
pub struct MultisetPermutations<T: Ord + Clone> {
    vals: Vec<T>,
    next: Vec<usize>,
    head: usize,
    i: usize,
    j: usize,
    started: bool,
    done: bool,
}

const NIL: usize = usize::MAX;

impl<T: Ord + Clone> MultisetPermutations<T> {
    /// Prepares the enumeration.
    pub fn new(mut items: Vec<T>) -> Self {
        items.sort();
        items.reverse();
        let n = items.len();
        let next: Vec<usize> = (0..n).map(|k| if k + 1 < n { k + 1 } else { NIL }).collect();
        MultisetPermutations {
            vals: items,
            next,
            head: 0,
            i: n.saturating_sub(2),
            j: n.saturating_sub(1),
            started: false,
            done: n == 0,
        }
    }

    /// Writes the current arrangement into `out`.
    fn visit(&self, out: &mut Vec<T>) {
        out.clear();
        let mut h = self.head;
        while h != NIL {
            out.push(self.vals[h].clone());
            h = self.next[h];
        }
    }

    /// Advances to the next arrangement and writes it into `out`; false when exhausted.
    pub fn next_into(&mut self, out: &mut Vec<T>) -> bool {
        if self.done {
            return false;
        }
        if !self.started {
            self.started = true;
            self.visit(out);
            return true;
        }
        let (i, j, h) = (self.i, self.j, self.head);
        if !(self.next[j] != NIL || self.vals[j] < self.vals[h]) {
            self.done = true;
            return false;
        }
        let s = if self.next[j] != NIL && self.vals[i] >= self.vals[self.next[j]] { j } else { i };
        let t = self.next[s];
        self.next[s] = self.next[t];
        self.next[t] = h;
        if self.vals[t] < self.vals[h] {
            self.i = t;
        }
        self.j = self.next[self.i];
        self.head = t;
        self.visit(out);
        true
    }
}

impl<T: Ord + Clone> Iterator for MultisetPermutations<T> {
    type Item = Vec<T>;
    fn next(&mut self) -> Option<Vec<T>> {
        let mut v = Vec::new();
        if self.next_into(&mut v) { Some(v) } else { None }
    }
}

/// Number of distinct permutations (multinomial coefficient), saturating.
pub fn count<T: Ord>(items: &[T]) -> u128 {
    let mut sorted: Vec<&T> = items.iter().collect();
    sorted.sort();
    let mut res: u128 = 1;
    let mut k: u128 = 0;
    let mut run: u128 = 0;
    for (idx, x) in sorted.iter().enumerate() {
        if idx > 0 && sorted[idx - 1] == *x {
            run += 1;
        } else {
            run = 1;
        }
        k += 1;
        res = res.saturating_mul(k) / run;
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_documented_order() {
        // {K2, K2, C3, C2}: sorted by (name, size).
        let items = vec![("K", 2), ("K", 2), ("C", 3), ("C", 2)];
        let got: Vec<String> = MultisetPermutations::new(items)
            .map(|p| p.iter().map(|(d, s)| format!("{d}{s}")).collect::<Vec<_>>().join(" "))
            .collect();
        let want = [
            "K2 K2 C3 C2",
            "C2 K2 K2 C3",
            "K2 C2 K2 C3",
            "K2 K2 C2 C3",
            "C3 K2 K2 C2",
            "K2 C3 K2 C2",
            "C2 K2 C3 K2",
            "K2 C2 C3 K2",
            "C3 K2 C2 K2",
            "C2 C3 K2 K2",
            "C3 C2 K2 K2",
            "K2 C3 C2 K2",
        ];
        assert_eq!(got, want);
        assert_eq!(count(&[("K", 2), ("K", 2), ("C", 3), ("C", 2)]), 12);
    }

    #[test]
    fn single_and_empty() {
        assert_eq!(MultisetPermutations::new(vec![5]).count(), 1);
        assert_eq!(MultisetPermutations::<u8>::new(vec![]).count(), 0);
    }
}
