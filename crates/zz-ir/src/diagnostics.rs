//! Located diagnostics of bad inputs: [`InputError`] (file, line, column, key, message) and
//! [`Warning`], with the clipping of long quoted values their messages apply. Readers build
//! them; engines that validate IR values against each other report them too.

use std::fmt;

/// A bad input file: where, which key, and what was expected.
#[derive(Debug, Clone, PartialEq)]
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

/// Longest quoted value (between backticks) a message shows before it is clipped.
pub const MAX_QUOTE: usize = 80;

/// Clips every quoted span (between backticks or double quotes) of `message` longer than
/// [`MAX_QUOTE`] characters, and any other run of text longer than 25 times that, so a
/// multi-megabyte value in a file does not end up on stderr in full.
pub fn clip_quotes(message: &str) -> String {
    let mut out = String::with_capacity(message.len().min(4096));
    let mut rest = message;
    while !rest.is_empty() {
        let Some(open) = rest.find(['`', '"']) else {
            out.push_str(&clip(rest, 25 * MAX_QUOTE));
            break;
        };
        out.push_str(&clip(&rest[..open], 25 * MAX_QUOTE));
        let quote = &rest[open..open + 1];
        let after = &rest[open + 1..];
        match after.find(quote) {
            Some(close) => {
                out.push_str(quote);
                out.push_str(&clip(&after[..close], MAX_QUOTE));
                out.push_str(quote);
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(quote);
                out.push_str(&clip(after, MAX_QUOTE));
                break;
            }
        }
    }
    out
}

/// `text` cut to `max` characters, with the number of characters left out.
pub fn clip(text: &str, max: usize) -> String {
    let n = text.chars().count();
    if n <= max {
        return text.to_owned();
    }
    let head: String = text.chars().take(max).collect();
    format!("{head}… ({} more characters)", n - max)
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let message = clip_quotes(&self.message);
        if self.line == 0 && self.key == "-" && self.message == FILE_NOT_FOUND {
            write!(f, "{FILE_NOT_FOUND}: {}", self.file)
        } else if self.line == 0 && self.key == "-" {
            // The file as a whole (not found, unreadable, not text): no position to show.
            write!(f, "{}: {message}", self.file)
        } else {
            write!(f, "{}:{}:{}: `{}`: {message}", self.file, self.line, self.column, clip(&self.key, MAX_QUOTE))
        }
    }
}

/// Message of a missing input file (shown as `file not found: PATH`).
pub const FILE_NOT_FOUND: &str = "file not found";

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "warning: {}:{}: {}", self.file, self.line, self.message)
    }
}

impl std::error::Error for InputError {}

/// A 1-based source position (line 0 means "unknown").
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Pos {
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
}

impl Pos {
    /// A position that is not known.
    pub const UNKNOWN: Pos = Pos { line: 0, column: 0 };
}
