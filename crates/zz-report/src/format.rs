//! Number formatting shared by the text and plot outputs.

/// A factor or loop size: integers without a fraction (`32`), others as the
/// shortest round-tripping decimal (`7.5`).
pub fn num(v: f64) -> String {
    if v.is_finite() && v.fract() == 0.0 && v.abs() < 1e15 { format!("{}", v as i64) } else { format!("{v}") }
}

/// `v` with `decimals` fraction digits and `,` thousands separators:
/// `thousands(1234567.891, 1) == "1,234,567.9"`.
pub fn thousands(v: f64, decimals: usize) -> String {
    if !v.is_finite() {
        return format!("{v}");
    }
    let s = format!("{:.*}", decimals, v.abs());
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (s.as_str(), None),
    };
    let mut out = String::with_capacity(s.len() + s.len() / 3 + 1);
    if v < 0.0 && s.bytes().any(|b| b.is_ascii_digit() && b != b'0') {
        out.push('-');
    }
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    out
}

/// Cycles: integers with separators, fractional values with one decimal.
pub fn cycles(v: f64) -> String {
    if v.fract() == 0.0 { thousands(v, 0) } else { thousands(v, 1) }
}

/// Scientific notation with `precision` mantissa digits: `sci(123456.0, 2) == "1.23e5"`.
pub fn sci(v: f64, precision: usize) -> String {
    format!("{:.*e}", precision, v)
}

/// A ratio as a percentage with one decimal: `percent(0.4567) == "45.7 %"`.
pub fn percent(ratio: f64) -> String {
    format!("{:.1} %", ratio * 100.0)
}

/// Compact axis tick label for a value on an axis whose largest value is `max`.
pub fn axis_tick(v: f64, max: f64) -> String {
    if max.abs() >= 1e5 {
        if v == 0.0 { "0".to_string() } else { sci(v, 1) }
    } else if max.abs() >= 10.0 {
        thousands(v, 0)
    } else {
        format!("{v:.2}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(num(32.0), "32");
        assert_eq!(num(7.5), "7.5");
        assert_eq!(thousands(1234567.891, 1), "1,234,567.9");
        assert_eq!(thousands(999.0, 0), "999");
        assert_eq!(thousands(1000.0, 0), "1,000");
        assert_eq!(thousands(-1234.0, 0), "-1,234");
        assert_eq!(thousands(0.0, 2), "0.00");
        assert_eq!(cycles(8194.0), "8,194");
        assert_eq!(cycles(10.5), "10.5");
        assert_eq!(sci(123456.0, 2), "1.23e5");
        assert_eq!(percent(0.4567), "45.7 %");
        assert_eq!(axis_tick(200000.0, 1e6), "2.0e5");
        assert_eq!(axis_tick(2000.0, 1e4), "2,000");
    }
}
