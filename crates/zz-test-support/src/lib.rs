//! Test support shared by the workspace's test suites (a dev-dependency only, never
//! published): where the read-only reference material is, loading oracle JSON fixtures, and
//! building a Stream `ScheduleInput` from a scheduler fixture (feature `stream`).
//!
//! The reference folder is `../shared/reference` next to the workspace; tests that need it
//! skip, saying so, when it is absent.

#[cfg(feature = "stream")]
pub mod stream_fixture;

use std::path::{Path, PathBuf};

/// The reference folder (`shared/reference` beside the workspace), whether or not it exists.
pub fn reference_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/reference")
}

/// The reference folder, or `None` when it does not exist (the caller says it skips).
pub fn reference_dir() -> Option<PathBuf> {
    Some(reference_path()).filter(|p| p.is_dir())
}

/// The shared folder (`shared` beside the workspace, parent of `reference/`).
pub fn shared_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared")
}

/// Reads and parses a JSON file, panicking with its path when it cannot.
pub fn load_json(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: not JSON: {e}", path.display()))
}
