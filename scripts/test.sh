#!/usr/bin/env bash
# Every test of the project — the README's test command; CI (.ci/run) runs exactly this after
# installing the optional tools (Chromium, CACTI).
set -euo pipefail
cd "$(dirname "$0")/.."
# Lints: clippy's warnings are errors.
cargo clippy --workspace --all-targets -- -D warnings
# The Rust tests: unit, reference parity, CLI end to end, the README's commands.
cargo test --workspace
