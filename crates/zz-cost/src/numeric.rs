//! Python-compatible numeric helpers.
//!
//! The reference computes with Python ints and floats; every integer value that occurs
//! stays far below 2^53, so IEEE doubles reproduce them exactly as long as the same
//! operations run in the same order. These helpers give Python's rounding semantics.

/// Python's one-argument `round(x)`: round half to even.
#[inline]
pub fn py_round(x: f64) -> f64 {
    x.round_ties_even()
}

/// Python's `round(x, 3)`: the decimal rounding of the exact binary value, returned as the nearest double.
pub fn py_round3(x: f64) -> f64 {
    if x.fract() == 0.0 || !x.is_finite() {
        return x;
    }
    // Rust's fixed-precision formatting rounds the exact binary value (ties to even), as CPython does.
    format!("{x:.3}").parse().unwrap_or(x)
}

/// Python's `int(x)` on a float: truncation toward zero.
#[inline]
pub fn py_int(x: f64) -> f64 {
    x.trunc()
}

/// Python's `a // b` for the non-negative operands that occur here.
#[inline]
pub fn py_floordiv(a: f64, b: f64) -> f64 {
    (a / b).floor()
}

/// Python's `math.ceil`.
#[inline]
pub fn py_ceil(x: f64) -> f64 {
    x.ceil()
}

/// `math.gcd` on non-negative integers.
pub fn gcd(mut a: i64, mut b: i64) -> i64 {
    a = a.abs();
    b = b.abs();
    while b != 0 {
        let t = a % b;
        a = b;
        b = t;
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_matches_python() {
        assert_eq!(py_round(2.5), 2.0);
        assert_eq!(py_round(3.5), 4.0);
        assert_eq!(py_round(-0.5), -0.0);
        assert_eq!(py_round3(3.4996), 3.5);
        assert_eq!(py_round3(0.0625), 0.062);
        assert_eq!(py_int(-2.7), -2.0);
        assert_eq!(py_floordiv(7.0, 2.0), 3.0);
        assert_eq!(gcd(12, 18), 6);
    }
}
