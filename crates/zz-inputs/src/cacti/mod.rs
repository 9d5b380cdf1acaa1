//! CACTI 7 cost extraction for memories with `auto_cost_extraction: true` (reference
//! `CactiParser.get_item` / `cacti_top.py` of ZigZag 3.9.1): the query ZigZag derives from a
//! memory, the configuration file it writes, the parser of CACTI's CSV output with ZigZag's unit
//! conversions, a cache file of earlier results, and the call of an external CACTI binary
//! (`--cacti PATH` or `ZIGZAG_RS_CACTI`).

mod baseline;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use zz_ir::accelerator::{Memory, PortType};

/// The environment variable naming a CACTI binary.
pub const BINARY_ENV: &str = "ZIGZAG_RS_CACTI";
/// The environment variable naming the cache file (default: `~/.cache/zigzag-rs/cacti.tsv`).
pub const CACHE_ENV: &str = "ZIGZAG_RS_CACTI_CACHE";

static BINARY: OnceLock<PathBuf> = OnceLock::new();

/// Sets the CACTI binary for this process (the CLI's `--cacti PATH`); it takes precedence over
/// `ZIGZAG_RS_CACTI`. Only the first call has an effect.
pub fn set_binary(path: PathBuf) {
    let _ = BINARY.set(path);
}

/// What went wrong while costing a memory with CACTI.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CactiError {
    /// The memory cannot be described as a CACTI query.
    #[error("{0}")]
    Query(String),
    /// No binary was found and the cache holds no result for the configuration.
    #[error(
        "no CACTI result for this configuration ({config}): no cached result in {cache} and no CACTI binary; \
         give one with `--cacti PATH` or the environment variable ZIGZAG_RS_CACTI (the zigzag-dse 3.9.1 wheel \
         ships one as zigzag/cacti/cacti_master/cacti; scripts/install_cacti.sh installs it), or give r_cost, \
         w_cost and area and set `auto_cost_extraction: false`"
    )]
    NoBinary {
        /// The user-defined configuration lines.
        config: String,
        /// The cache file consulted.
        cache: String,
    },
    /// CACTI ran but failed, or its output cannot be used.
    #[error("CACTI {binary} on ({config}): {message}")]
    Run {
        /// The binary.
        binary: String,
        /// The user-defined configuration lines.
        config: String,
        /// What happened.
        message: String,
    },
}

/// A CACTI query as ZigZag's memory cost extraction builds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CactiQuery {
    /// Capacity in bytes (`int(size_bits / 8)`, an `rf` first scaled ×128).
    pub size_bytes: u64,
    /// Bus width in bits: the widest access of the first read port (else read-write port).
    /// reference quirk: it is also written as the block size *in bytes*.
    pub bus_width: u64,
    /// `"ram"` for SRAM (and `rf`), `"main memory"` otherwise.
    pub cache_type: &'static str,
}

/// Costs of one memory as ZigZag takes them from CACTI.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CactiCosts {
    /// Read energy per word, pJ (`Dynamic read energy (nJ)` × 1000).
    pub r_cost: f64,
    /// Write energy per word, pJ.
    pub w_cost: f64,
    /// Area, mm² (as CACTI gives it).
    pub area: f64,
}

impl CactiQuery {
    /// The query for a memory (reference `MemoryInstance.__init__` + `CactiParser.get_item`).
    pub fn for_memory(m: &Memory) -> Result<Self, CactiError> {
        let port = m
            .ports
            .iter()
            .find(|p| p.port_type == PortType::Read)
            .or_else(|| m.ports.iter().find(|p| p.port_type == PortType::ReadWrite))
            .ok_or_else(|| CactiError::Query(format!("memory `{}` has no read or read_write port", m.name)))?;
        // reference quirk: an `rf` is costed as an SRAM of 128 times its size.
        let (size_bits, cache_type) = match m.mem_type.as_str() {
            "rf" => (m.size * 128, "ram"),
            "sram" => (m.size, "ram"),
            _ => (m.size, "main memory"),
        };
        Ok(CactiQuery { size_bytes: size_bits / 8, bus_width: port.bandwidth_max, cache_type })
    }

    /// The user-defined lines of the configuration, in ZigZag's order.
    pub fn user_lines(&self) -> Vec<String> {
        vec![
            format!("-size (bytes) {}", self.size_bytes),
            format!("-block size (bytes) {}", self.bus_width),
            format!("-output/input bus width {}", self.bus_width),
            "-associativity 1".into(),
            "-read-write port 0".into(),
            "-exclusive read port 1".into(),
            "-exclusive write port 1".into(),
            "-single ended read ports 0".into(),
            "-UCA bank count 1".into(),
            "-technology (u) 0.022".into(),
            format!("-cache type \"{}\"", self.cache_type),
        ]
    }

    /// A one-line description (the cache key).
    pub fn key(&self) -> String {
        self.user_lines().join("; ")
    }

    /// The whole configuration file.
    pub fn config(&self) -> String {
        let mut s = String::new();
        for l in baseline::BASELINE {
            s.push_str(l);
            s.push('\n');
        }
        s.push_str("=======USER DEFINE======= \n");
        for l in self.user_lines() {
            s.push_str(&l);
            s.push('\n');
        }
        s
    }
}

/// Parses CACTI's CSV output (`<config>.out`): the header, then one row per run; the last row
/// is used. The result must be for the queried bus width (ZigZag matches its pool entries on
/// CACTI's output width).
pub fn parse_output(text: &str, q: &CactiQuery) -> Result<CactiCosts, String> {
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let header: Vec<&str> = lines.next().ok_or("empty CACTI output")?.split(',').map(str::trim).collect();
    let row: Vec<&str> = lines.next_back().ok_or("CACTI output has no result row")?.split(',').map(str::trim).collect();
    let field = |name: &str| -> Result<f64, String> {
        let i = header.iter().position(|h| *h == name).ok_or_else(|| format!("CACTI output has no column `{name}`"))?;
        let v = row.get(i).ok_or_else(|| format!("CACTI result row has no value for `{name}`"))?;
        v.parse::<f64>().map_err(|_| format!("CACTI could not size this memory: `{name}` is \"{v}\""))
    };
    let width = field("Output width (bits)")?;
    if width != q.bus_width as f64 {
        return Err(format!(
            "CACTI sized a {width}-bit output instead of {} bits; ZigZag finds no pool entry for this memory",
            q.bus_width
        ));
    }
    Ok(CactiCosts {
        r_cost: field("Dynamic read energy (nJ)")? * 1000.0,
        w_cost: field("Dynamic write energy (nJ)")? * 1000.0,
        area: field("Area (mm2)")?,
    })
}

/// Where CACTI results come from: a cache file, then a binary.
#[derive(Clone, Debug, PartialEq)]
pub struct Cacti {
    /// The CACTI binary, if any.
    pub binary: Option<PathBuf>,
    /// The cache file (tab-separated: configuration, r_cost, w_cost, area).
    pub cache: PathBuf,
}

impl Cacti {
    /// The binary from [`set_binary`] or `ZIGZAG_RS_CACTI`, the cache from `ZIGZAG_RS_CACTI_CACHE`
    /// or `~/.cache/zigzag-rs/cacti.tsv`.
    pub fn from_env() -> Self {
        let binary = BINARY.get().cloned().or_else(|| std::env::var_os(BINARY_ENV).map(PathBuf::from));
        let cache = std::env::var_os(CACHE_ENV).map(PathBuf::from).unwrap_or_else(|| {
            let base = std::env::var_os("XDG_CACHE_HOME")
                .map(PathBuf::from)
                .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
                .unwrap_or_else(std::env::temp_dir);
            base.join("zigzag-rs").join("cacti.tsv")
        });
        Cacti { binary, cache }
    }

    fn cached(&self, key: &str) -> Option<CactiCosts> {
        let text = std::fs::read_to_string(&self.cache).ok()?;
        text.lines().find_map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (f.len() == 4 && f[0] == key).then(|| -> Option<CactiCosts> {
                Some(CactiCosts { r_cost: f[1].parse().ok()?, w_cost: f[2].parse().ok()?, area: f[3].parse().ok()? })
            })?
        })
    }

    fn store(&self, key: &str, c: &CactiCosts) {
        use std::io::Write;
        if let Some(dir) = self.cache.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        if let Ok(mut f) = std::fs::OpenOptions::new().create(true).append(true).open(&self.cache) {
            // `{:?}` round-trips every f64 exactly.
            let _ = writeln!(f, "{key}\t{:?}\t{:?}\t{:?}", c.r_cost, c.w_cost, c.area);
        }
    }

    /// The costs for a query: from the cache, else by running the binary (and caching the result).
    pub fn costs(&self, q: &CactiQuery) -> Result<CactiCosts, CactiError> {
        let key = q.key();
        if let Some(c) = self.cached(&key) {
            return Ok(c);
        }
        let Some(bin) = &self.binary else {
            return Err(CactiError::NoBinary { config: key, cache: self.cache.display().to_string() });
        };
        let c = run_binary(bin, q).map_err(|message| CactiError::Run {
            binary: bin.display().to_string(),
            config: key.clone(),
            message,
        })?;
        self.store(&key, &c);
        Ok(c)
    }
}

/// Re-costs every memory with `auto_cost_extraction` of an accelerator (e.g. after a sweep
/// changed its size or ports), with the process's CACTI settings.
pub fn recost(acc: &mut zz_ir::accelerator::Accelerator) -> Result<(), CactiError> {
    let cacti = Cacti::from_env();
    for m in acc.memories.iter_mut().filter(|m| m.auto_cost_extraction) {
        let q = CactiQuery::for_memory(m)?;
        let c = cacti.costs(&q).map_err(|e| CactiError::Query(format!("memory `{}`: {e}", m.name)))?;
        m.r_cost = c.r_cost;
        m.w_cost = c.w_cost;
        m.area = c.area;
    }
    Ok(())
}

/// Runs CACTI from its own folder (it reads its technology files from there) on a fresh
/// configuration file in a private temporary folder, and parses `<config>.out`.
fn run_binary(bin: &Path, q: &CactiQuery) -> Result<CactiCosts, String> {
    let bin = bin.canonicalize().map_err(|e| format!("cannot find the binary: {e}"))?;
    let dir = bin.parent().ok_or("the binary has no folder")?;
    static RUN: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = RUN.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let work = std::env::temp_dir().join(format!("zigzag-rs-cacti-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&work).map_err(|e| format!("{}: {e}", work.display()))?;
    let cfg = work.join("cache.cfg");
    std::fs::write(&cfg, q.config()).map_err(|e| format!("{}: {e}", cfg.display()))?;
    let out = std::process::Command::new(&bin)
        .arg("-infile")
        .arg(&cfg)
        .current_dir(dir)
        .output()
        .map_err(|e| format!("cannot run: {e}"))?;
    let result = std::fs::read_to_string(work.join("cache.cfg.out"));
    let _ = std::fs::remove_dir_all(&work);
    let text = result.map_err(|_| {
        let tail: String = String::from_utf8_lossy(&out.stdout).lines().rev().take(3).collect::<Vec<_>>().join(" | ");
        format!(
            "no result (exit status {}); CACTI needs at least 64 bytes, 32 rows and an 8-bit bus; it said: {tail}",
            out.status
        )
    })?;
    parse_output(&text, q)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configuration_ends_with_the_user_lines() {
        let q = CactiQuery { size_bytes: 16384, bus_width: 8, cache_type: "ram" };
        let c = q.config();
        assert!(c.contains("-operating temperature (K) 360\n"));
        assert!(c.ends_with(
            "=======USER DEFINE======= \n-size (bytes) 16384\n-block size (bytes) 8\n-output/input bus width 8\n\
             -associativity 1\n-read-write port 0\n-exclusive read port 1\n-exclusive write port 1\n\
             -single ended read ports 0\n-UCA bank count 1\n-technology (u) 0.022\n-cache type \"ram\"\n"
        ));
    }

    #[test]
    fn na_fields_are_a_clear_error() {
        let q = CactiQuery { size_bytes: 64, bus_width: 8, cache_type: "ram" };
        let text =
            "Output width (bits), Dynamic read energy (nJ), Dynamic write energy (nJ), Area (mm2)\n8, N/A, 1, 1\n";
        let e = parse_output(text, &q).unwrap_err();
        assert!(e.contains("could not size") && e.contains("N/A"), "{e}");
    }

    #[test]
    fn no_binary_and_no_cache_names_both_ways() {
        let q = CactiQuery { size_bytes: 64, bus_width: 8, cache_type: "ram" };
        let c = Cacti { binary: None, cache: std::env::temp_dir().join("zigzag-rs-no-such-cache.tsv") };
        let e = c.costs(&q).unwrap_err().to_string();
        assert!(e.contains("--cacti") && e.contains("ZIGZAG_RS_CACTI") && e.contains("-size (bytes) 64"), "{e}");
    }
}
