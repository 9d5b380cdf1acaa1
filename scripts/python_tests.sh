#!/usr/bin/env bash
# Builds the Python package zigzag_rs (crates/zz-py) into a throw-away venv under target/ and
# runs its pytest suite (crates/zz-py/tests, ZigZag's own API tests included).
#
# The extension is built with the `dev` profile raised to opt-level 2, which is exactly what
# the `test` profile `cargo test` uses (`--profile test` itself would build a test harness
# without the module's entry point), so after `cargo test --workspace` the dependencies are
# reused from target/debug and only pyo3 and zz-py are compiled.
# Ray is installed for the Ray-cluster test when pip can install it (else that test prints
# SKIPPED). Usage: scripts/python_tests.sh [pytest args...]
# Environment: ZZ_PY_RELEASE=1 (release build instead), ZZ_PY_NO_RAY=1 (do not install ray).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${ZZ_PY_RELEASE:-0}" = 1 ]; then profile=release; dir=release; else profile=dev; dir=debug; fi
export CARGO_PROFILE_DEV_OPT_LEVEL=2
venv=target/py-venv
if ! command -v python3 >/dev/null 2>&1; then
  echo "python_tests.sh: SKIPPED: no python3"
  exit 0
fi
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install -q --disable-pip-version-check "maturin>=1.16,<2" pytest pyyaml
if [ "${ZZ_PY_NO_RAY:-0}" != 1 ] && ! "$venv/bin/python" -c "import ray" >/dev/null 2>&1; then
  "$venv/bin/python" -m pip install -q --disable-pip-version-check ray \
    || echo "python_tests.sh: ray could not be installed: the Ray test will be SKIPPED"
fi
rm -rf target/wheels/zigzag_rs-*.whl
"$venv/bin/maturin" build --quiet --profile "$profile" -m crates/zz-py/Cargo.toml \
  --interpreter "$venv/bin/python" --out target/wheels
"$venv/bin/python" -m pip install -q --disable-pip-version-check --force-reinstall --no-deps target/wheels/zigzag_rs-*.whl
# The command line the drop-in is compared with: the one `cargo test` built, else build it.
if [ -z "${ZIGZAG_RS_CLI:-}" ]; then
  cargo build -q --profile "$profile" -p zz-cli
  export ZIGZAG_RS_CLI="$PWD/target/$dir/zigzag-rs"
fi
cd crates/zz-py
exec "../../$venv/bin/python" -m pytest -q "$@"
