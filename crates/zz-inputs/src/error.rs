//! Errors and warnings of the input readers: the located types live in `zz-ir` (engines
//! validating IR values report them too); this module adds the file-reading failures.

pub use zz_ir::diagnostics::{FILE_NOT_FOUND, InputError, MAX_QUOTE, Warning, clip, clip_quotes};

/// An error about a whole file that could not be read; a missing file reads
/// `file not found: PATH`.
pub fn unreadable(file: &str, err: &std::io::Error) -> InputError {
    let message = if err.kind() == std::io::ErrorKind::NotFound {
        FILE_NOT_FOUND.to_owned()
    } else if err.kind() == std::io::ErrorKind::IsADirectory || std::path::Path::new(file).is_dir() {
        "is a directory, expected a file".to_owned()
    } else {
        format!("cannot read the file: {err}")
    };
    InputError { file: file.to_owned(), line: 0, column: 0, key: "-".into(), message }
}
