//! `FromStr` (and, with the `clap` feature, `clap::ValueEnum`) for the option enums of the
//! multi-core engine: CN mode, CO tie-break, GA objective and the named scheduling orders.

use std::str::FromStr;

use zz_ir::choice::UnknownChoice;

use crate::cn::Mode;
use crate::co::TieBreak;
use crate::ga::Objective;
use crate::pipeline::SchedulingOrder;

impl Mode {
    /// The name the command line uses: `lbl` or `fused`.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Lbl => "lbl",
            Mode::Fused => "fused",
        }
    }
}

impl FromStr for Mode {
    type Err = UnknownChoice;

    /// `lbl` or `fused`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "lbl" => Ok(Mode::Lbl),
            "fused" => Ok(Mode::Fused),
            _ => Err(UnknownChoice::new(s, &["lbl", "fused"])),
        }
    }
}

impl FromStr for TieBreak {
    type Err = UnknownChoice;

    /// `first` or `fewest-lowest`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "first" => Ok(TieBreak::First),
            "fewest-lowest" => Ok(TieBreak::FewestLowest),
            _ => Err(UnknownChoice::new(s, &["first", "fewest-lowest"])),
        }
    }
}

impl FromStr for Objective {
    type Err = UnknownChoice;

    /// `latency`, `energy`, `edp` or `memory` (see [`Objective::parse`]).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Objective::parse(s).ok_or_else(|| UnknownChoice::new(s, &["latency", "energy", "edp", "memory"]))
    }
}

impl FromStr for SchedulingOrder {
    type Err = UnknownChoice;

    /// The named orders `stream`, `id-asc` and `id-desc` (an explicit order is a list of CNs).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "stream" => Ok(SchedulingOrder::Stream),
            "id-asc" => Ok(SchedulingOrder::IdAsc),
            "id-desc" => Ok(SchedulingOrder::IdDesc),
            _ => Err(UnknownChoice::new(s, &["stream", "id-asc", "id-desc"])),
        }
    }
}

#[cfg(feature = "clap")]
mod value_enum {
    use clap::builder::PossibleValue;

    use super::{Mode, Objective, TieBreak};

    impl clap::ValueEnum for Mode {
        fn value_variants<'a>() -> &'a [Self] {
            &[Mode::Lbl, Mode::Fused]
        }
        fn to_possible_value(&self) -> Option<PossibleValue> {
            Some(PossibleValue::new(self.name()))
        }
    }

    impl clap::ValueEnum for TieBreak {
        fn value_variants<'a>() -> &'a [Self] {
            &[TieBreak::First, TieBreak::FewestLowest]
        }
        fn to_possible_value(&self) -> Option<PossibleValue> {
            Some(PossibleValue::new(match self {
                TieBreak::First => "first",
                TieBreak::FewestLowest => "fewest-lowest",
            }))
        }
    }

    impl clap::ValueEnum for Objective {
        fn value_variants<'a>() -> &'a [Self] {
            &[Objective::Latency, Objective::Energy, Objective::Edp, Objective::Memory]
        }
        fn to_possible_value(&self) -> Option<PossibleValue> {
            Some(PossibleValue::new(self.name()))
        }
    }
}
