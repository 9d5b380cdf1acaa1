//! Accelerator: an operational array of MAC units below a hierarchy of memories.
//!
//! Memories are listed bottom-up (the order of the YAML file). Each memory
//! stores some memory operands (`I1`, `I2`, `O`) and has ports; a port
//! serves (memory operand, direction) pairs.

use std::fmt;

/// A memory operand: the hardware-side name of a data stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MemOperand {
    /// First input stream (usually activations).
    I1,
    /// Second input stream (usually weights).
    I2,
    /// Output / partial-sum stream.
    O,
}

impl MemOperand {
    /// All memory operands.
    pub const ALL: [MemOperand; 3] = [MemOperand::I1, MemOperand::I2, MemOperand::O];

    /// Parses `I1`, `I2` or `O`.
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "I1" => Some(Self::I1),
            "I2" => Some(Self::I2),
            "O" => Some(Self::O),
            _ => None,
        }
    }

    /// Index 0..3 for array-based tables.
    pub fn index(self) -> usize {
        self as usize
    }

    /// The name as written in input files.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::I1 => "I1",
            Self::I2 => "I2",
            Self::O => "O",
        }
    }

    /// True for `I1` and `I2`.
    pub fn is_input(self) -> bool {
        !matches!(self, Self::O)
    }
}

impl fmt::Display for MemOperand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Direction of a data transfer at a memory level, in the reference's enumeration order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Direction {
    /// `tl`: read out towards the lower level (or the MACs).
    RdOutToLow = 0,
    /// `fl`: written in from the lower level (outputs coming up).
    WrInByLow = 1,
    /// `th`: read out towards the higher level.
    RdOutToHigh = 2,
    /// `fh`: written in from the higher level.
    WrInByHigh = 3,
}

impl Direction {
    /// The four directions in enumeration order.
    pub const ALL: [Direction; 4] =
        [Direction::RdOutToLow, Direction::WrInByLow, Direction::RdOutToHigh, Direction::WrInByHigh];

    /// Parses the short codes `tl`, `fl`, `th`, `fh`.
    pub fn parse_code(s: &str) -> Option<Self> {
        match s.trim() {
            "tl" => Some(Self::RdOutToLow),
            "fl" => Some(Self::WrInByLow),
            "th" => Some(Self::RdOutToHigh),
            "fh" => Some(Self::WrInByHigh),
            _ => None,
        }
    }

    /// The long name used in JSON output (`rd_out_to_low`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Self::RdOutToLow => "rd_out_to_low",
            Self::WrInByLow => "wr_in_by_low",
            Self::RdOutToHigh => "rd_out_to_high",
            Self::WrInByHigh => "wr_in_by_high",
        }
    }

    /// The short code (`tl`, `fl`, `th`, `fh`).
    pub fn code(self) -> &'static str {
        match self {
            Self::RdOutToLow => "tl",
            Self::WrInByLow => "fl",
            Self::RdOutToHigh => "th",
            Self::WrInByHigh => "fh",
        }
    }

    /// Index 0..4.
    pub fn index(self) -> usize {
        self as usize
    }

    /// True for reads (`tl`, `th`).
    pub fn is_read(self) -> bool {
        matches!(self, Self::RdOutToLow | Self::RdOutToHigh)
    }
}

/// Kind of a memory port.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PortType {
    /// Read only.
    Read,
    /// Write only.
    Write,
    /// Read and write.
    ReadWrite,
}

impl PortType {
    /// Parses `read`, `write`, `read_write`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "read" => Some(Self::Read),
            "write" => Some(Self::Write),
            "read_write" => Some(Self::ReadWrite),
            _ => None,
        }
    }
}

/// One port of a memory with the (operand, direction) pairs it serves, in allocation order.
#[derive(Clone, Debug, PartialEq)]
pub struct MemoryPort {
    /// Port name, e.g. `rw_port_1`.
    pub name: String,
    /// Read / write / read-write.
    pub port_type: PortType,
    /// Narrowest access granularity, bits per cycle.
    pub bandwidth_min: u64,
    /// Widest access, bits per cycle; `r_cost`/`w_cost` are per access of this width.
    pub bandwidth_max: u64,
    /// Served (memory operand, direction) pairs in the order of the input file.
    pub allocation: Vec<(MemOperand, Direction)>,
}

/// One memory of the hierarchy.
#[derive(Clone, Debug, PartialEq)]
pub struct Memory {
    /// Unique name (YAML key).
    pub name: String,
    /// Capacity in bits.
    pub size: u64,
    /// Energy per read of one `bandwidth_max`-wide word.
    pub r_cost: f64,
    /// Energy per write of one `bandwidth_max`-wide word.
    pub w_cost: f64,
    /// Area (reported only).
    pub area: f64,
    /// Access latency (stored, unused by the cost model).
    pub latency: u64,
    /// Memory technology tag (`sram`, `rf`, `dram`...).
    pub mem_type: String,
    /// Whether costs would come from CACTI (not supported: costs must be given).
    pub auto_cost_extraction: bool,
    /// Memory operands stored, in file order.
    pub operands: Vec<MemOperand>,
    /// Ports in file order.
    pub ports: Vec<MemoryPort>,
    /// Operational-array dimensions one instance spans.
    pub served_dimensions: Vec<String>,
    /// Double-buffered storage (honoured by the temporal allocator).
    pub force_double_buffering: bool,
}

/// The array of multipliers.
#[derive(Clone, Debug, PartialEq)]
pub struct OperationalArray {
    /// Dimension names (`D1`, `D2`, ...), file order.
    pub dimensions: Vec<String>,
    /// Size of each dimension.
    pub sizes: Vec<u64>,
    /// Energy per MAC.
    pub unit_energy: f64,
    /// Area per MAC unit.
    pub unit_area: f64,
    /// Dimensions along which partial results drain systolically (adds drain cycles).
    pub systolic_dimensions: Vec<String>,
    /// In-memory computing array (`is_imc: true`); its parameters are in [`Self::imc`].
    pub is_imc: bool,
    /// The IMC parameters, present exactly when `is_imc` is true.
    pub imc: Option<ImcArray>,
}

/// The parameters of an in-memory-computing array (ZigZag `ImcArray`): the MAC units are
/// bit-serial multipliers next to weight cells (the memory named `cells`), followed by ADCs
/// (analog) or adder trees (digital).
#[derive(Clone, Debug, PartialEq)]
pub struct ImcArray {
    /// Analog (`imc_type: analog`) or digital (anything else).
    pub analog: bool,
    /// Activation precision in bits (`input_precision[0]`).
    pub activation_precision: u64,
    /// Weight precision in bits (`input_precision[1]`).
    pub weight_precision: u64,
    /// Activation bits fed per cycle (`bit_serial_precision`).
    pub bit_serial_precision: f64,
    /// ADC resolution in bits (0 when absent; digital arrays have none).
    pub adc_resolution: f64,
    /// Size of the `cells` memory in bits (one cell group per multiplier position).
    pub cells_size: u64,
    /// Area per array unit of the cells (`cells.area`, mm²), used without cost extraction.
    pub cells_area: f64,
    /// `cells` has `auto_cost_extraction: true`: the cell-array area comes from CACTI.
    pub cells_auto_cost: bool,
    /// CACTI's area of one bank's cell array (mm², already rounded as the reference does),
    /// filled in by the reader when `cells_auto_cost` is set and CACTI could size it.
    pub cells_cacti_area: Option<f64>,
}

impl OperationalArray {
    /// Size of the named dimension.
    pub fn size_of(&self, dim: &str) -> Option<u64> {
        self.dimensions.iter().position(|d| d == dim).map(|i| self.sizes[i])
    }

    /// Number of MAC units.
    pub fn total_unit_count(&self) -> u64 {
        self.sizes.iter().product()
    }
}

/// A single-core accelerator.
#[derive(Clone, Debug, PartialEq)]
pub struct Accelerator {
    /// Name from the file.
    pub name: String,
    /// The MAC array.
    pub operational_array: OperationalArray,
    /// Memories, lowest level first (file order).
    pub memories: Vec<Memory>,
}

impl Accelerator {
    /// Number of physical instances of a memory: the product of the array dimensions it does
    /// not serve (one instance spans all the dimensions it serves).
    pub fn instances(&self, memory: &Memory) -> u64 {
        let oa = &self.operational_array;
        oa.dimensions
            .iter()
            .zip(&oa.sizes)
            .filter(|(d, _)| !memory.served_dimensions.contains(d))
            .map(|(_, s)| *s)
            .product()
    }

    /// Memories holding `op`, lowest first.
    pub fn memories_of(&self, op: MemOperand) -> impl Iterator<Item = (usize, &Memory)> {
        self.memories.iter().enumerate().filter(move |(_, m)| m.operands.contains(&op))
    }
}
