"""Classic Stream's Python API (commit 21e5ad80) over the zigzag-rs engine: ``stream.api``."""
