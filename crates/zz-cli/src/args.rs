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
            zz_inputs::cacti::set_binary(p.clone());
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
    /// Designs with more on-chip memory (bits: all memories but the top one, × instances) are infeasible.
    #[arg(long)]
    pub max_memory: Option<f64>,
}

impl DesignConstraints {
    /// Whether a design with these figures meets every constraint.
    pub fn admit(&self, latency: f64, area: f64, onchip_memory_bits: f64) -> bool {
        self.max_latency.is_none_or(|m| latency <= m)
            && self.max_area.is_none_or(|m| area <= m)
            && self.max_memory.is_none_or(|m| onchip_memory_bits <= m)
    }
}
