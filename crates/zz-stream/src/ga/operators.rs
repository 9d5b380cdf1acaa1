//! The genetic operators: parent choice, crossover and mutation over core genes.

use super::*;

/// Two distinct random positions below `n` (`n >= 2`).
pub(super) fn two_distinct(rng: &mut ChaCha8Rng, n: usize) -> (usize, usize) {
    let a = rng.random_range(0..n);
    let mut b = rng.random_range(0..n - 1);
    if b >= a {
        b += 1;
    }
    (a, b)
}

/// Two-point crossover (DEAP's `cxTwoPoint`); returns the first child.
pub(super) fn crossover(rng: &mut ChaCha8Rng, a: &[usize], b: &[usize]) -> Vec<usize> {
    let mut child = a.to_vec();
    let size = a.len().min(b.len());
    if size < 2 {
        return child;
    }
    let mut p1 = rng.random_range(1..=size);
    let mut p2 = rng.random_range(1..=size - 1);
    if p2 >= p1 {
        p2 += 1;
    } else {
        std::mem::swap(&mut p1, &mut p2);
    }
    child[p1..p2].copy_from_slice(&b[p1..p2]);
    child
}

/// Stream's mutation: mostly per-gene resampling, sometimes a swap of two genes.
pub(super) fn mutate(rng: &mut ChaCha8Rng, genes: &[Gene], genome: &mut [usize]) {
    let n = genome.len();
    if n < 2 || rng.random::<f64>() < 0.75 {
        let p = 1.0 / n as f64;
        for (pos, g) in genes.iter().enumerate() {
            if rng.random::<f64>() < p {
                let others: Vec<usize> = g.cores.iter().copied().filter(|&c| c != genome[pos]).collect();
                if !others.is_empty() {
                    genome[pos] = others[rng.random_range(0..others.len())];
                }
            }
        }
    } else {
        let (a, b) = two_distinct(rng, n);
        if genes[a].cores.contains(&genome[b]) && genes[b].cores.contains(&genome[a]) {
            genome.swap(a, b);
        }
    }
}
