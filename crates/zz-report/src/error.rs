//! The error type of every fallible output function in this crate.

use std::fmt;

/// Why writing a report output failed.
#[derive(Debug)]
pub enum ReportError {
    /// Creating or writing the output file failed.
    Io(std::io::Error),
    /// Serialising to JSON failed.
    Json(serde_json::Error),
    /// Drawing a plot failed (backend or font error, as text).
    Plot(String),
}

impl fmt::Display for ReportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Io(e) => write!(f, "cannot write report file: {e}"),
            Self::Json(e) => write!(f, "cannot serialise report to JSON: {e}"),
            Self::Plot(e) => write!(f, "cannot draw plot: {e}"),
        }
    }
}

impl std::error::Error for ReportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Io(e) => Some(e),
            Self::Json(e) => Some(e),
            Self::Plot(_) => None,
        }
    }
}

impl From<std::io::Error> for ReportError {
    fn from(e: std::io::Error) -> Self {
        Self::Io(e)
    }
}

impl From<serde_json::Error> for ReportError {
    fn from(e: serde_json::Error) -> Self {
        Self::Json(e)
    }
}
