//! Errors and warnings of the input readers.

use std::fmt;

/// A bad input file: where, which key, and what was expected.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{file}:{line}:{column}: `{key}`: {message}")]
pub struct InputError {
    /// File path as given by the user.
    pub file: String,
    /// 1-based line (0 when the file could not be read at all).
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// Offending key (dotted path, e.g. `memories.dram.size`), or `-`.
    pub key: String,
    /// What was wrong and what was expected.
    pub message: String,
}

/// A non-fatal remark about an input file (e.g. a duplicated key).
#[derive(Debug, Clone, PartialEq)]
pub struct Warning {
    /// File path.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// Message.
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "warning: {}:{}: {}", self.file, self.line, self.message)
    }
}
