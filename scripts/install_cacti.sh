#!/usr/bin/env bash
# Installs the CACTI 7 binary that ships in the zigzag-dse 3.9.1 wheel into a throw-away venv
# under target/ and prints `export ZIGZAG_RS_CACTI=...` for it (eval the output), or nothing
# when it cannot (the CACTI tests then print SKIPPED with the reason).
# Usage: eval "$(scripts/install_cacti.sh)"
set -uo pipefail
cd "$(dirname "$0")/.."
venv=target/cacti-venv
bin=""
find_bin() { find "$venv" -path '*zigzag/cacti/cacti_master/cacti' -type f 2>/dev/null | head -n 1; }
bin=$(find_bin)
if [ -z "$bin" ]; then
  if python3 -m venv "$venv" >/dev/null 2>&1 \
    && "$venv/bin/pip" install -q --no-deps zigzag-dse==3.9.1 >/dev/null 2>&1; then
    bin=$(find_bin)
  fi
fi
if [ -n "$bin" ]; then
  chmod +x "$bin"
  # The binary must run here: CACTI prints its usage and exits when given no input file.
  if "$bin" -infile /dev/null >/dev/null 2>&1 || [ $? -lt 126 ]; then
    echo "export ZIGZAG_RS_CACTI=$(cd "$(dirname "$bin")" && pwd)/cacti"
    exit 0
  fi
fi
echo "install_cacti.sh: no CACTI binary (pip install of zigzag-dse 3.9.1 into $venv failed or the binary does not run)" >&2
exit 0
