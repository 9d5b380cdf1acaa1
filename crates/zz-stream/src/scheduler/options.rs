//! Options of the list scheduler; the default reproduces the reference.

/// Options of [`super::schedule`]. The default reproduces the reference.
#[derive(Clone, Debug)]
pub struct ScheduleOptions {
    /// Layer operands (e.g. `"W"`) of constant tensors transferred to their cores before the first CN
    /// (Stream's `operands_to_prefetch`).
    pub prefetch_operands: Vec<String>,
    /// When the first CN (sub id 0) of a layer is picked and all CNs of its producer layers come earlier in the
    /// scheduling order, raise every core's idle time to the latest one (Stream's `check_and_sync_cores`).
    pub layer_sync: bool,
    /// Fix: keep fractional times in the memory-usage timelines. The reference stores breakpoints in an integer
    /// array, truncating e.g. `1234.5` to `1234`, which can shift the time found for a tensor addition.
    pub exact_memory_timesteps: bool,
    /// Fix: a layer whose CNs only have intra-layer successors counts as a sink layer, so its final outputs are
    /// written back to DRAM. The reference requires out-degree 0 including the intra-layer ordering edges, so
    /// a tiled last layer never counts and its outputs stay on chip.
    pub sink_layers_ignore_intra_edges: bool,
    /// Fix: look memories up with the memory operand the tensor is (or will be) stored under, and read/remove a
    /// tensor from the memory that actually holds it. The reference uses the tensor's producer-side operand
    /// (`O` for activations) for the "already there" check, the eviction candidates, the sender's read energy
    /// and the release of unneeded tensors, which is only right when a core keeps `I1` and `O` in one memory
    /// (true for all example cores, where this option changes nothing).
    pub fix_memory_operands: bool,
}

impl Default for ScheduleOptions {
    fn default() -> Self {
        Self {
            prefetch_operands: Vec::new(),
            layer_sync: true,
            exact_memory_timesteps: false,
            sink_layers_ignore_intra_edges: false,
            fix_memory_operands: false,
        }
    }
}
