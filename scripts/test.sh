#!/usr/bin/env bash
# Every test of the project — the README's test command; CI (.ci/run) runs exactly this after
# installing the optional tools (Chromium, CACTI).
set -euo pipefail
cd "$(dirname "$0")/.."
# Lints: clippy's warnings are errors (with the test profile, so the dependencies it builds —
# HiGHS above all — are the ones the tests reuse).
cargo clippy --workspace --all-targets --profile test -- -D warnings
# The Rust tests: unit, reference parity, CLI end to end, the README's commands.
cargo test --workspace
# The Python package (crates/zz-py): the wheel built into a venv under target/ (reusing the Rust
# tests' artifacts), then its pytest suite, ZigZag 3.9.1's own API tests included.
scripts/python_tests.sh
