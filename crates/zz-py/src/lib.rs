//! `zz-py`: the Python package `zigzag_rs` (ZigZag's and Stream's Python APIs as drop-ins).
//!
//! The Rust half is the extension module `zigzag_rs._core`: thin calls into the library facade
//! (crate `zigzag`) that take the inputs as paths, YAML text or ONNX bytes and return the
//! `zz-report` DTOs as JSON, which the pure-Python half (`python/zigzag_rs/`) turns into
//! ZigZag-style objects. The calls themselves ([`calls`]) are plain Rust and are tested by
//! `cargo test`; the pyo3 bindings ([`module`], feature `python`, which maturin turns on) only
//! convert arguments, release the GIL and map errors to Python exceptions.

pub mod calls;
pub mod input;
pub mod json_layout;
#[cfg(feature = "python")]
mod module;
pub mod stream;
