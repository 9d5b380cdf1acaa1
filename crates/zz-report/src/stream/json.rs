//! JSON output of a [`StreamReport`] (pretty-printed, key order preserved).
//!
//! The first two top-level keys are always `latency` and `energy`.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use super::model::StreamReport;
use crate::error::ReportError;

/// The report as pretty-printed JSON (2-space indent, no trailing newline).
pub fn stream_json_string(report: &StreamReport) -> Result<String, ReportError> {
    Ok(serde_json::to_string_pretty(report)?)
}

/// Writes the report as pretty-printed JSON, with a trailing newline, to `path`.
pub fn write_stream_json(report: &StreamReport, path: impl AsRef<Path>) -> Result<(), ReportError> {
    let mut w = BufWriter::new(File::create(path)?);
    serde_json::to_writer_pretty(&mut w, report)?;
    w.write_all(b"\n")?;
    w.flush()?;
    Ok(())
}
