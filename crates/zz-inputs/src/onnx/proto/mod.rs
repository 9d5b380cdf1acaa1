//! Protobuf types of the ONNX format (`package onnx`, proto2), generated once with
//! protox + prost-build from the committed `onnx.proto` (see `README.md` in this folder).
//!
//! Only `prost` is needed at run time; the generated file is checked in and never rebuilt.

#![allow(clippy::all, clippy::pedantic, missing_docs, unreachable_pub, rustdoc::all)]

include!("onnx.rs");
