//! Command-line arguments shared by several subcommands.

use clap::Args;
use std::path::PathBuf;

/// The three input files of a single-core run.
#[derive(Args, Debug, Clone)]
pub struct CoreInputs {
    /// Accelerator YAML (ZigZag 3.9 or legacy ≤3.8 schema).
    #[arg(long, short = 'a')]
    pub accelerator: PathBuf,
    /// Workload: ONNX model or ZigZag workload YAML.
    #[arg(long, short = 'w')]
    pub workload: PathBuf,
    /// Mapping YAML.
    #[arg(long, short = 'm')]
    pub mapping: PathBuf,
    /// CACTI 7 binary for memories with `auto_cost_extraction: true` (default: $ZIGZAG_RS_CACTI).
    #[arg(long)]
    pub cacti: Option<PathBuf>,
}

impl CoreInputs {
    /// Makes `--cacti` the process's CACTI binary.
    pub fn use_cacti(&self) {
        if let Some(p) = &self.cacti {
            zigzag::set_cacti_binary(p.clone());
        }
    }
}

/// The input files and layer/core choices of a multi-core (Stream) run.
#[derive(Args, Debug, Clone)]
pub struct StreamInputs {
    /// Stream multi-core accelerator YAML.
    #[arg(long, short = 'a')]
    pub accelerator: PathBuf,
    /// Workload: ONNX model or workload YAML.
    #[arg(long, short = 'w')]
    pub workload: PathBuf,
    /// Stream mapping YAML (core allocation and tilings per layer / operator type).
    #[arg(long, short = 'm')]
    pub mapping: PathBuf,
    /// Layer stacks as JSON, e.g. '[[0,1,2],[3]]' (default: Stream decides).
    #[arg(long)]
    pub layer_stacks: Option<String>,
    /// Core allocation as JSON or a JSON file: {"layer": core} or {"layer:group": core} (Stream's fixed-allocation
    /// path), or {"path": "ga", "allocation": {"layer:group": core, ...}} to replay cores on the genetic-algorithm
    /// path (e.g. the `pareto.json` an earlier run wrote).
    #[arg(long)]
    pub allocation: Option<String>,
    /// Folder playing the role of Stream's `stream/inputs` (default: the nearest ancestor of the
    /// accelerator file holding `examples/` or `testing/`).
    #[arg(long)]
    pub stream_inputs: Option<PathBuf>,
}

/// Constraints a single-core design must meet (`compare`, `sweep`).
#[derive(Args, Debug, Clone)]
pub struct DesignConstraints {
    /// Designs with latency (cycles) above this are infeasible.
    #[arg(long)]
    pub max_latency: Option<f64>,
    /// Designs with area above this are infeasible (MAC units × unit_area + Σ memory area × instances).
    #[arg(long)]
    pub max_area: Option<f64>,
    /// Designs with more on-chip memory (bits: all memories but the top one, × instances) are infeasible. Units: 2MiB, 16Mb, ... (a plain number is bits).
    #[arg(long, value_parser = crate::args::parse_bits)]
    pub max_memory: Option<f64>,
}

impl DesignConstraints {
    /// The facade's constraints of these flags.
    pub fn constraints(&self) -> zigzag::design::DesignConstraints {
        zigzag::design::DesignConstraints {
            max_latency: self.max_latency,
            max_area: self.max_area,
            max_memory: self.max_memory,
        }
    }
}

/// A memory size in bits: a plain number is bits; with a unit, `b` is bits and `B` bytes, with an
/// optional decimal (`k`, `M`, `G`, `T`) or binary (`Ki`, `Mi`, `Gi`, `Ti`) prefix: `2MiB`,
/// `16Mb`, `512KiB`, `1e6`.
pub fn parse_bits(s: &str) -> Result<f64, String> {
    let t = s.trim();
    let split = t.find(|c: char| c.is_ascii_alphabetic() && c != 'e' && c != 'E').unwrap_or(t.len());
    let (num, unit) = (t[..split].trim(), t[split..].trim());
    let value: f64 = num.parse().map_err(|_| format!("`{s}`: expected a size such as 2000000 (bits), 2MiB or 16Mb"))?;
    let (prefix, base) = match unit.strip_suffix('B') {
        Some(p) => (p, 8.0),
        None => (unit.strip_suffix('b').unwrap_or(unit), 1.0),
    };
    let factor = match prefix {
        "" => 1.0,
        "k" | "K" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "Ki" | "ki" => 1024.0,
        "Mi" => 1024.0 * 1024.0,
        "Gi" => 1024.0 * 1024.0 * 1024.0,
        "Ti" => 1024f64.powi(4),
        _ => {
            return Err(format!(
                "`{s}`: unknown unit `{unit}`; use b (bits) or B (bytes) with k, M, G, Ki, Mi or Gi, e.g. 2MiB or 16Mb"
            ));
        }
    };
    let bits = value * factor * base;
    if !bits.is_finite() || bits < 0.0 {
        return Err(format!("`{s}`: expected a non-negative size"));
    }
    Ok(bits)
}

#[cfg(test)]
mod tests {
    use super::parse_bits;

    #[test]
    fn memory_sizes_with_units() {
        assert_eq!(parse_bits("2000000"), Ok(2_000_000.0));
        assert_eq!(parse_bits("2MiB"), Ok(2.0 * 1024.0 * 1024.0 * 8.0));
        assert_eq!(parse_bits("16Mb"), Ok(16e6));
        assert_eq!(parse_bits("512 KiB"), Ok(512.0 * 1024.0 * 8.0));
        assert_eq!(parse_bits("3B"), Ok(24.0));
        assert_eq!(parse_bits("1e6"), Ok(1e6));
        assert!(parse_bits("2XB").unwrap_err().contains("unknown unit"));
        assert!(parse_bits("lots").is_err());
    }
}
