//! Graph algorithms over dense node indices, shared by the layer graphs of both engines and
//! the searches over them.

/// Nodes `0..n` in networkx `topological_sort` order (Kahn's algorithm by generations): the
/// nodes without predecessors in index order, then, generation by generation, each node as
/// its last incoming edge is removed, visiting a node's successors in the order their edges
/// first appear in `edges`. A repeated edge counts once; nodes on a cycle are left out.
///
/// ```
/// use zz_ir::graph::topological_order;
/// assert_eq!(topological_order(4, &[(2, 0), (3, 1), (2, 1), (2, 1)]), vec![2, 3, 0, 1]);
/// ```
pub fn topological_order(n: usize, edges: &[(usize, usize)]) -> Vec<usize> {
    let mut indeg = vec![0usize; n];
    let mut succ: Vec<Vec<usize>> = vec![Vec::new(); n];
    for &(a, b) in edges {
        if !succ[a].contains(&b) {
            succ[a].push(b);
            indeg[b] += 1;
        }
    }
    let mut order = Vec::with_capacity(n);
    let mut generation: Vec<usize> = (0..n).filter(|&i| indeg[i] == 0).collect();
    while !generation.is_empty() {
        let mut next = Vec::new();
        for &v in &generation {
            order.push(v);
            for &c in &succ[v] {
                indeg[c] -= 1;
                if indeg[c] == 0 {
                    next.push(c);
                }
            }
        }
        generation = next;
    }
    order
}
