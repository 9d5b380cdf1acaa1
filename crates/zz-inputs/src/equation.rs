//! Equation normalisation as the reference's layer factory does it (spec §2.2), shared by
//! every front end (workload YAML, ZigZag's and Stream's ONNX operator builders).
//!
//! `+=` becomes `=`, `++` becomes `+`, then `*`, `=` and `+` are surrounded by spaces. The
//! operands are the first token and every token right after `=`, `*` or `+`; an operand's
//! index dimensions are the tokens up to the next separator, upper-cased.

use zz_ir::workload::EquationOperand;

/// Normalised equation string and its operands in equation order (output first).
pub(crate) fn normalise(equation: &str) -> (String, Vec<EquationOperand>) {
    let replaced = equation.replace("+=", "=").replace("++", "+");
    let mut spaced = String::with_capacity(replaced.len() + 8);
    for ch in replaced.chars() {
        if matches!(ch, '*' | '=' | '+') {
            spaced.push(' ');
            spaced.push(ch);
            spaced.push(' ');
        } else {
            spaced.push(ch);
        }
    }
    (spaced.clone(), operands(&spaced))
}

/// Tokens of the reference's regex `[a-zA-Z,0-9,=,*,+]+`.
fn tokens(s: &str) -> Vec<&str> {
    s.split(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, ',' | '=' | '*' | '+')))
        .filter(|t| !t.is_empty())
        .collect()
}

fn is_separator(token: &str) -> bool {
    matches!(token, "=" | "*" | "+")
}

fn operands(spaced: &str) -> Vec<EquationOperand> {
    let toks = tokens(spaced);
    let mut out: Vec<EquationOperand> = Vec::new();
    let mut expect_operand = true;
    for tok in toks {
        if is_separator(tok) {
            expect_operand = true;
        } else if expect_operand {
            out.push(EquationOperand { name: tok.to_string(), dims: Vec::new() });
            expect_operand = false;
        } else if let Some(last) = out.last_mut() {
            last.dims.push(tok.to_uppercase());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conv_equation() {
        let (s, ops) = normalise("O[b][g][k][oy][ox]+=W[g][k][c][fy][fx]*I[b][g][c][iy][ix]");
        assert_eq!(s, "O[b][g][k][oy][ox] = W[g][k][c][fy][fx] * I[b][g][c][iy][ix]");
        let names: Vec<_> = ops.iter().map(|o| o.name.as_str()).collect();
        assert_eq!(names, ["O", "W", "I"]);
        assert_eq!(ops[2].dims, ["B", "G", "C", "IY", "IX"]);
    }

    #[test]
    fn gemm_equation() {
        let (s, ops) = normalise("O[d][k]+=I[d][c]*W[c][k]");
        assert_eq!(s, "O[d][k] = I[d][c] * W[c][k]");
        assert_eq!(ops[1].name, "I");
        assert_eq!(ops[2].dims, ["C", "K"]);
    }
}
