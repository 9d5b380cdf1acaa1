//! Sweep files: accelerator parameters to vary, each with a list of values, for
//! `zigzag-rs sweep`. The cross product of all values is evaluated.
//!
//! ```yaml
//! parameters:
//!   - path: operational_array.sizes          # a list value per point
//!     values: [[16, 16], [32, 32]]
//!   - path: memories.sram_2MB.size           # bits
//!     values: [4194304, 16777216]
//!   - path: memories.sram_2MB.ports.r_port_1.bandwidth_max
//!     values: [512, 2048]
//! ```
//!
//! Paths: `operational_array.{sizes, unit_energy, unit_area}`,
//! `memories.<memory>.{size, r_cost, w_cost, area}` and
//! `memories.<memory>.ports.<port>.{bandwidth_min, bandwidth_max}`.

use crate::error::{InputError, Warning};
use crate::yaml::fields::Item;
use crate::yaml::{Pos, read_text, with_doc};
use std::path::Path;
use zz_ir::accelerator::Accelerator;

/// A parameter value: a number or a list of numbers.
#[derive(Clone, Debug, PartialEq)]
pub enum SweepValue {
    /// A number.
    Number(f64),
    /// A list of numbers.
    List(Vec<f64>),
}

impl std::fmt::Display for SweepValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SweepValue::Number(v) => write!(f, "{v}"),
            SweepValue::List(v) => {
                write!(f, "[")?;
                for (k, x) in v.iter().enumerate() {
                    if k > 0 {
                        write!(f, " ")?;
                    }
                    write!(f, "{x}")?;
                }
                write!(f, "]")
            }
        }
    }
}

/// One swept parameter.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepParameter {
    /// Dotted path into the accelerator.
    pub path: String,
    /// Values to try.
    pub values: Vec<SweepValue>,
    /// Where the parameter is defined.
    pub pos: Pos,
}

/// A sweep file.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepSpec {
    /// File name as given.
    pub file: String,
    /// Parameters in file order.
    pub parameters: Vec<SweepParameter>,
}

impl SweepSpec {
    /// Number of design points (product of the value counts).
    pub fn n_points(&self) -> usize {
        self.parameters.iter().map(|p| p.values.len()).product()
    }

    /// Value index of each parameter for point `k` (the last parameter varies fastest).
    pub fn point(&self, mut k: usize) -> Vec<usize> {
        let mut idx = vec![0; self.parameters.len()];
        for (i, p) in self.parameters.iter().enumerate().rev() {
            idx[i] = k % p.values.len();
            k /= p.values.len();
        }
        idx
    }

    /// The accelerator of point `k`, or an error naming the offending parameter.
    pub fn apply(&self, base: &Accelerator, k: usize) -> Result<Accelerator, InputError> {
        let mut acc = base.clone();
        for (p, &i) in self.parameters.iter().zip(&self.point(k)) {
            apply(&mut acc, &p.path, &p.values[i]).map_err(|message| InputError {
                file: self.file.clone(),
                line: p.pos.line,
                column: p.pos.column,
                key: p.path.clone(),
                message,
            })?;
        }
        Ok(acc)
    }
}

fn number(v: &SweepValue) -> Result<f64, String> {
    match v {
        SweepValue::Number(x) => Ok(*x),
        SweepValue::List(_) => Err("expected a number, got a list".into()),
    }
}

fn whole(x: f64) -> Result<u64, String> {
    if x >= 0.0 && x.fract() == 0.0 && x < 1.8e19 {
        Ok(x as u64)
    } else {
        Err(format!("expected a non-negative integer, got {x}"))
    }
}

/// Sets one parameter on an accelerator.
pub fn apply(acc: &mut Accelerator, path: &str, v: &SweepValue) -> Result<(), String> {
    let parts: Vec<&str> = path.split('.').collect();
    match parts.as_slice() {
        ["operational_array", "sizes"] => {
            let SweepValue::List(l) = v else { return Err("expected a list of sizes, one per array dimension".into()) };
            if l.len() != acc.operational_array.dimensions.len() {
                return Err(format!("expected {} sizes, got {}", acc.operational_array.dimensions.len(), l.len()));
            }
            acc.operational_array.sizes = l.iter().map(|&x| whole(x)).collect::<Result<_, _>>()?;
        }
        ["operational_array", "unit_energy"] => acc.operational_array.unit_energy = number(v)?,
        ["operational_array", "unit_area"] => acc.operational_array.unit_area = number(v)?,
        ["memories", mem, field] => {
            let m =
                acc.memories.iter_mut().find(|m| m.name == *mem).ok_or_else(|| format!("no memory named `{mem}`"))?;
            match *field {
                "size" => m.size = whole(number(v)?)?,
                "r_cost" => m.r_cost = number(v)?,
                "w_cost" => m.w_cost = number(v)?,
                "area" => m.area = number(v)?,
                other => return Err(format!("unknown memory field `{other}` (expected size, r_cost, w_cost or area)")),
            }
        }
        ["memories", mem, "ports", port, field] => {
            let m =
                acc.memories.iter_mut().find(|m| m.name == *mem).ok_or_else(|| format!("no memory named `{mem}`"))?;
            let p = m
                .ports
                .iter_mut()
                .find(|p| p.name == *port)
                .ok_or_else(|| format!("memory `{mem}` has no port `{port}`"))?;
            match *field {
                "bandwidth_min" => p.bandwidth_min = whole(number(v)?)?,
                "bandwidth_max" => p.bandwidth_max = whole(number(v)?)?,
                other => return Err(format!("unknown port field `{other}` (expected bandwidth_min or bandwidth_max)")),
            }
            if p.bandwidth_min > p.bandwidth_max {
                return Err(format!("bandwidth_min {} exceeds bandwidth_max {}", p.bandwidth_min, p.bandwidth_max));
            }
        }
        _ => {
            return Err("unsupported path (expected operational_array.sizes|unit_energy|unit_area, memories.<m>.size|r_cost|w_cost|area, or memories.<m>.ports.<p>.bandwidth_min|bandwidth_max)".into());
        }
    }
    Ok(())
}

/// Reads a sweep file.
pub fn read_sweep(path: &Path) -> Result<(SweepSpec, Vec<Warning>), InputError> {
    let (name, text) = read_text(path)?;
    read_sweep_str(&name, &text)
}

/// Reads sweep YAML text; `name` is used in messages.
pub fn read_sweep_str(name: &str, text: &str) -> Result<(SweepSpec, Vec<Warning>), InputError> {
    with_doc(name, text, |doc, root| {
        let top = doc.map(&Item::root(root), &["parameters"])?;
        let params = top.req(doc, "parameters")?;
        let mut parameters = Vec::new();
        for item in doc.seq(&params)? {
            let f = doc.map(&item, &["path", "values"])?;
            let path = f.req_str(doc, "path")?.to_string();
            let values_item = f.req(doc, "values")?;
            let mut values = Vec::new();
            for v in doc.seq(&values_item)? {
                if let Ok(x) = doc.f64(&v) {
                    values.push(SweepValue::Number(x));
                } else {
                    let list = doc.seq(&v).map_err(|_| doc.expected(&v, "a number or a list of numbers"))?;
                    let nums = list.iter().map(|x| doc.f64(x)).collect::<Result<Vec<_>, _>>()?;
                    values.push(SweepValue::List(nums));
                }
            }
            if values.is_empty() {
                return Err(doc.error(&values_item, "expected at least one value"));
            }
            parameters.push(SweepParameter { path, values, pos: item.pos() });
        }
        if parameters.is_empty() {
            return Err(doc.error(&params, "expected at least one parameter"));
        }
        Ok(SweepSpec { file: name.to_string(), parameters })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_enumerates_points() {
        let text = "parameters:\n  - path: operational_array.sizes\n    values: [[8, 8], [16, 16]]\n  - path: memories.m.size\n    values: [1, 2, 3]\n";
        let (s, _) = read_sweep_str("s.yaml", text).unwrap();
        assert_eq!(s.n_points(), 6);
        assert_eq!(s.point(4), vec![1, 1]);
        assert_eq!(s.parameters[1].pos.line, 4);
    }

    #[test]
    fn bad_values_are_located() {
        let e = read_sweep_str("s.yaml", "parameters:\n  - path: x\n    values: [a]\n").unwrap_err();
        assert_eq!(e.line, 3);
    }
}
