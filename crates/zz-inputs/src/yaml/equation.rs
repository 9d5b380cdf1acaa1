//! Layer equations (`O[b][k] += W[k][c] * I[b][c]`) and dimension relations (`ix=2*ox+1*fx`).
//!
//! Both follow the reference: the same patterns decide validity (with Python's `$`, which
//! also matches before a final newline), the equation is normalised by the same string
//! replacements and split into the same tokens, and dimension names are upper-cased.

use std::sync::LazyLock;

use regex::Regex;
use zz_ir::workload::{DimensionRelation, EquationOperand};

static EQUATION_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^O(\[\w+\])+\s*\+?\s*=\s*\w(\[\w+\])+\s*[*+]\s*\w(\[(?:\w+)?\])+\s*\n?$").expect("valid regex")
});
static RELATION_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(\w+)\s*=\s*(?:(\w+)\s*\*\s*)?(\w+)\s*\+\s*(?:(\w+)\s*\*\s*)?(\w+)\n?$").expect("valid regex")
});

/// A parsed equation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Equation {
    /// The equation after the reference's normalisation (`+=` → `=`, spaced operators).
    pub normalized: String,
    /// Operands in equation order (output first) with their upper-cased index dimensions.
    pub operands: Vec<EquationOperand>,
}

/// What a valid equation looks like, for error messages.
pub const EQUATION_HELP: &str = "expected an equation like `O[b][k][oy][ox]+=W[k][c][fy][fx]*I[b][c][iy][ix]` \
     (output `O`, two one-letter input operands joined by `*` or `+`, each indexed by `[dim]`s)";

/// Parses and normalises an equation; `Err` carries what was wrong.
pub fn parse_equation(text: &str) -> Result<Equation, String> {
    if !EQUATION_RE.is_match(text) {
        return Err(format!("invalid equation \"{text}\"; {EQUATION_HELP}"));
    }
    let (normalized, operands) = crate::equation::normalise(text);
    if operands.len() < 2 {
        return Err(format!("invalid equation \"{text}\"; {EQUATION_HELP}"));
    }
    Ok(Equation { normalized, operands })
}

/// Parses a relation `d1 = c2*d2 + c3*d3` (missing coefficients are 1).
pub fn parse_relation(text: &str) -> Result<DimensionRelation, String> {
    let help = "expected a relation like `ix=2*ox+1*fx` (coefficients optional)";
    let caps = RELATION_RE.captures(text).ok_or_else(|| format!("invalid dimension relation \"{text}\"; {help}"))?;
    let group = |i: usize| caps.get(i).map(|m| m.as_str());
    let coef = |i: usize| -> Result<u64, String> {
        match group(i) {
            None => Ok(1),
            Some(c) => c
                .parse::<u64>()
                .map_err(|_| format!("coefficient `{c}` of relation \"{text}\" is not a non-negative integer")),
        }
    };
    let dim = |i: usize| group(i).unwrap_or_default().to_uppercase();
    Ok(DimensionRelation { derived: dim(1), a: dim(3), coef_a: coef(2)?, b: dim(5), coef_b: coef(4)? })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conv_equation() {
        let e = parse_equation("O[b][k][oy][ox]+=W[k][c][fy][fx]*I[b][c][iy][ix]").unwrap();
        assert_eq!(e.normalized, "O[b][k][oy][ox] = W[k][c][fy][fx] * I[b][c][iy][ix]");
        let names: Vec<_> = e.operands.iter().map(|o| o.name.as_str()).collect();
        assert_eq!(names, ["O", "W", "I"]);
        assert_eq!(e.operands[0].dims, ["B", "K", "OY", "OX"]);
        assert_eq!(e.operands[2].dims, ["B", "C", "IY", "IX"]);
    }

    #[test]
    fn gemm_and_add_equations() {
        let e = parse_equation("O[d0][d1]+=I[d0][d2]*W[d2][d1]").unwrap();
        assert_eq!(e.operands[1].name, "I");
        assert_eq!(e.operands[1].dims, ["D0", "D2"]);
        let e = parse_equation("O[b][g]=W[b][g]+I[b][g]").unwrap();
        assert_eq!(e.normalized, "O[b][g] = W[b][g] + I[b][g]");
        assert_eq!(e.operands.len(), 3);
        let e = parse_equation("O[a]=W[a]*I[]").unwrap();
        assert!(e.operands[2].dims.is_empty());
    }

    #[test]
    fn bad_equations() {
        for bad in ["Y[a]=W[a]*I[a]", "O[a]=W[a]", "O[a]=Wx[a]*I[a]", "O[a]=W[a]*I[a]*X[a]", "O = W * I", ""] {
            assert!(parse_equation(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn relations() {
        let r = parse_relation("ix=2*ox+1*fx").unwrap();
        assert_eq!((r.derived.as_str(), r.a.as_str(), r.coef_a, r.b.as_str(), r.coef_b), ("IX", "OX", 2, "FX", 1));
        let r = parse_relation("iy = oy + fy").unwrap();
        assert_eq!((r.coef_a, r.coef_b), (1, 1));
        assert!(parse_relation("ix=2*ox").is_err());
        assert!(parse_relation("ix=a*ox+fx").is_err());
    }
}
