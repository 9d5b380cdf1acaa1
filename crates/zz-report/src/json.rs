//! JSON output of a [`RunReport`] (pretty-printed, key order preserved).
//!
//! The first two top-level keys are always `energy` and `latency`.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use crate::error::ReportError;
use crate::model::RunReport;

/// The report as pretty-printed JSON (2-space indent, no trailing newline).
pub fn to_json_string(report: &RunReport) -> Result<String, ReportError> {
    Ok(serde_json::to_string_pretty(report)?)
}

/// Writes the report as pretty-printed JSON, with a trailing newline, to `path`.
pub fn write_json(report: &RunReport, path: impl AsRef<Path>) -> Result<(), ReportError> {
    let mut w = BufWriter::new(File::create(path)?);
    serde_json::to_writer_pretty(&mut w, report)?;
    w.write_all(b"\n")?;
    w.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{gemm_report, temp_path};

    #[test]
    fn energy_and_latency_are_the_first_keys() {
        let s = to_json_string(&gemm_report()).unwrap();
        let v: serde_json::Value = serde_json::from_str(&s).unwrap();
        let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
        assert_eq!(keys[..2], ["energy", "latency"]);
        assert!(s.starts_with("{\n  \"energy\": "), "{s}");
        // Integral floats keep their `.0`.
        assert!(s.contains("\"latency\": 8194.0"), "{s}");
        assert!(s.contains("\"D1\": {\n"), "{s}");
    }

    #[test]
    fn round_trip() {
        let r = gemm_report();
        let s = to_json_string(&r).unwrap();
        let back: RunReport = serde_json::from_str(&s).unwrap();
        assert_eq!(back, r);
        let path = temp_path("round_trip.json");
        write_json(&r, &path).unwrap();
        let file = std::fs::read_to_string(&path).unwrap();
        assert_eq!(file.trim_end(), s);
        std::fs::remove_file(&path).ok();
    }

    #[test]
    fn empty_report() {
        let s = to_json_string(&RunReport::new("a", "w", vec![])).unwrap();
        assert!(s.contains("\"layers\": []"));
    }
}
