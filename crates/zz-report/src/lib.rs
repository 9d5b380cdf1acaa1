//! Result outputs.
