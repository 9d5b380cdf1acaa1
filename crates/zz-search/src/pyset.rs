//! CPython 3.11 emulation needed for bit-exact spatial-mapping generation: the hash of
//! ZigZag's dimension objects and the iteration order of Python `set`s built from them.
//! Public because the multi-core engine orders its memory levels the same way.
//!
//! ZigZag 3.9.1 hashes a `LayerDim`/`OADimension` as `int(sha512(pickle.dumps(name)))`
//! XOR `int(sha512(pickle.dumps(type(self))))` (default pickle protocol 4), a 512-bit
//! integer that Python's `hash()` then reduces like any int (modulo 2^61 − 1). Sets of
//! these objects are open-addressing tables (8 slots to start, linear probes of up to
//! nine further slots once the table is large enough, then perturbed jumps, growth to four
//! times the live count when 60 % full); iterating a set walks its table, so the order
//! depends on the hashes *and* on the insertion order. [`PySet`] reproduces that table.

use sha2::{Digest, Sha512};

/// Python class of a dimension object, which enters its hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DimClass {
    /// `zigzag.datatypes.LayerDim` (names are upper-cased by its constructor).
    LayerDim,
    /// `zigzag.datatypes.OADimension`.
    OaDimension,
}

impl DimClass {
    fn qualname(self) -> &'static str {
        match self {
            DimClass::LayerDim => "LayerDim",
            DimClass::OaDimension => "OADimension",
        }
    }
}

/// Pickle opcode for a protocol-4 string: SHORT_BINUNICODE up to 255 bytes, else BINUNICODE.
fn push_pickled_str(out: &mut Vec<u8>, s: &str) {
    let b = s.as_bytes();
    if b.len() <= 0xff {
        out.push(0x8c);
        out.push(b.len() as u8);
    } else {
        out.push(0x58);
        out.extend_from_slice(&(b.len() as u32).to_le_bytes());
    }
    out.extend_from_slice(b);
    out.push(0x94); // MEMOIZE
}

/// Wraps a protocol-4 body (ending with STOP) in the PROTO header and one FRAME.
fn framed(body: Vec<u8>) -> Vec<u8> {
    let mut out = vec![0x80, 0x04];
    // The C pickler only emits a FRAME header for frames of at least 4 bytes; bodies here
    // are always longer.
    out.push(0x95);
    out.extend_from_slice(&(body.len() as u64).to_le_bytes());
    out.extend(body);
    out
}

/// `pickle.dumps(name)` with Python 3.11's default protocol.
fn pickle_str(name: &str) -> Vec<u8> {
    let mut body = Vec::with_capacity(name.len() + 4);
    push_pickled_str(&mut body, name);
    body.push(b'.');
    framed(body)
}

/// `pickle.dumps(cls)` for a class of `zigzag.datatypes` (a STACK_GLOBAL reference).
fn pickle_class(qualname: &str) -> Vec<u8> {
    let mut body = Vec::new();
    push_pickled_str(&mut body, "zigzag.datatypes");
    push_pickled_str(&mut body, qualname);
    body.push(0x93); // STACK_GLOBAL
    body.push(0x94); // MEMOIZE
    body.push(b'.');
    framed(body)
}

/// Python's `hash()` of the non-negative integer with these big-endian bytes.
fn py_int_hash(be: &[u8]) -> i64 {
    const MODULUS: u128 = (1u128 << 61) - 1;
    let first_nonzero = be.iter().position(|&b| b != 0).unwrap_or(be.len());
    let digits = &be[first_nonzero..];
    if digits.len() <= 8 {
        let mut v = 0u64;
        for &b in digits {
            v = (v << 8) | u64::from(b);
        }
        if v < (1u64 << 63) {
            // `__hash__` results that fit a C `Py_ssize_t` are used as they are.
            return v as i64;
        }
    }
    let mut r: u128 = 0;
    for &b in digits {
        r = ((r << 8) | u128::from(b)) % MODULUS;
    }
    r as i64
}

/// CPython 3.11 `hash()` of a ZigZag dimension object with this (already upper-cased) name.
pub fn dim_hash(class: DimClass, name: &str) -> i64 {
    let a = Sha512::digest(pickle_str(name));
    let b = Sha512::digest(pickle_class(class.qualname()));
    let x: Vec<u8> = a.iter().zip(b.iter()).map(|(p, q)| p ^ q).collect();
    py_int_hash(&x)
}

const MIN_SIZE: usize = 8;
const LINEAR_PROBES: usize = 9;
const PERTURB_SHIFT: u32 = 5;

/// A CPython `set` of keys with given hashes (keys are equal iff their hashes are, as for
/// ZigZag's dimension objects). Only insertion, iteration and `pop` are needed.
#[derive(Clone, Debug)]
pub struct PySet<K> {
    table: Vec<Option<(i64, K)>>,
    fill: usize,
}

impl<K: Clone> Default for PySet<K> {
    fn default() -> Self {
        Self::new()
    }
}

impl<K: Clone> PySet<K> {
    /// An empty set (8 slots).
    pub fn new() -> Self {
        PySet { table: vec![None; MIN_SIZE], fill: 0 }
    }

    /// A set built by adding the items in order (`set(iterable)`, a set display or
    /// comprehension, or unpickling/deep-copying a set from its iteration order).
    pub fn from_iter_hashed(items: impl IntoIterator<Item = (i64, K)>) -> Self {
        let mut s = Self::new();
        for (h, k) in items {
            s.add(h, k);
        }
        s
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.fill
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.fill == 0
    }

    /// `set.add`: no-op if a key with this hash is present.
    pub fn add(&mut self, hash: i64, key: K) {
        let mask = self.table.len() - 1;
        let mut perturb = hash as u64;
        let mut i = (hash as u64 as usize) & mask;
        loop {
            let probes = if i + LINEAR_PROBES <= mask { LINEAR_PROBES } else { 0 };
            for j in i..=i + probes {
                match &self.table[j] {
                    None => {
                        self.table[j] = Some((hash, key));
                        self.fill += 1;
                        if self.fill * 5 >= mask * 3 {
                            self.resize(self.fill * 4);
                        }
                        return;
                    }
                    Some((h, _)) if *h == hash => return,
                    Some(_) => {}
                }
            }
            perturb >>= PERTURB_SHIFT;
            i = (i.wrapping_mul(5).wrapping_add(1).wrapping_add(perturb as usize)) & mask;
        }
    }

    /// Grows the table to the smallest power of two (≥ 8) above `min_used` and re-inserts the
    /// keys in table order.
    fn resize(&mut self, min_used: usize) {
        let mut size = MIN_SIZE;
        while size <= min_used {
            size <<= 1;
        }
        let old = std::mem::replace(&mut self.table, vec![None; size]);
        let mask = size - 1;
        for (hash, key) in old.into_iter().flatten() {
            let mut perturb = hash as u64;
            let mut i = (hash as u64 as usize) & mask;
            'probe: loop {
                let probes = if i + LINEAR_PROBES <= mask { LINEAR_PROBES } else { 0 };
                for j in i..=i + probes {
                    if self.table[j].is_none() {
                        self.table[j] = Some((hash, key));
                        break 'probe;
                    }
                }
                perturb >>= PERTURB_SHIFT;
                i = (i.wrapping_mul(5).wrapping_add(1).wrapping_add(perturb as usize)) & mask;
            }
        }
    }

    /// Keys in iteration order.
    pub fn iter(&self) -> impl Iterator<Item = &K> {
        self.table.iter().flatten().map(|(_, k)| k)
    }

    /// Whether a key with this hash is present.
    pub fn contains_hash(&self, hash: i64) -> bool {
        self.table.iter().flatten().any(|(h, _)| *h == hash)
    }

    /// The key `set.pop()` returns on a set that was never popped before: the first in
    /// iteration order.
    pub fn first(&self) -> Option<&K> {
        self.iter().next()
    }
}

/// Iteration order of the set of names built by adding them in the given order.
pub fn set_order<'a>(class: DimClass, names: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let s = PySet::from_iter_hashed(names.into_iter().map(|n| (dim_hash(class, n), n)));
    s.iter().copied().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_hashes() {
        // Values printed by CPython 3.11 for ZigZag 3.9.1's LayerDim / OADimension.
        assert_eq!(dim_hash(DimClass::LayerDim, "K"), 808955158820251385);
        assert_eq!(dim_hash(DimClass::LayerDim, "B"), 2274680621932004355);
        assert_eq!(dim_hash(DimClass::LayerDim, "FX"), 529600628638832194);
        assert_eq!(dim_hash(DimClass::OaDimension, "D1"), 2048910558639910025);
        assert_eq!(dim_hash(DimClass::OaDimension, "D4"), 1190809941726157689);
    }

    #[test]
    fn known_orders() {
        let o = set_order(DimClass::LayerDim, ["B", "K", "C", "OY", "OX", "FY", "FX"]);
        assert_eq!(o, ["FY", "FX", "B", "OX", "C", "K", "OY"]);
        let o = set_order(DimClass::LayerDim, ["B", "K", "G", "OX", "OY", "C", "FX", "FY"]);
        assert_eq!(o, ["FY", "FX", "B", "G", "OX", "C", "K", "OY"]);
        let o = set_order(DimClass::OaDimension, ["D1", "D2", "D3", "D4"]);
        assert_eq!(o, ["D1", "D2", "D4", "D3"]);
    }
}
