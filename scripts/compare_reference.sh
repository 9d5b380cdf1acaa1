#!/usr/bin/env bash
# Runs the Python reference (ZigZag 3.9.1) and zigzag-rs on the same input back to back and
# prints both results and the wall-time ratio.
#
# Usage: scripts/compare_reference.sh [LPF_LIMIT]   (default 6; ResNet-18 ONNX on tpu_like)
# Needs ../shared/reference and ../shared/oracle, and a Python venv with zigzag-dse 3.9.1 in
# .refenv (created on first use: python3 -m venv .refenv && .refenv/bin/pip install zigzag-dse==3.9.1 six).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
lpf="${1:-6}"
ref="$root/../shared/reference/zigzag"
oracle="$root/../shared/oracle/zz_oracle.py"
[ -d "$ref" ] || { echo "../shared/reference absent" >&2; exit 2; }
if [ ! -x "$root/.refenv/bin/python" ]; then
  python3 -m venv "$root/.refenv"
  "$root/.refenv/bin/pip" install -q zigzag-dse==3.9.1 six
fi
cargo build --release -q -p zz-cli --manifest-path "$root/Cargo.toml"
out="$(mktemp -d)"
cd "$ref"
t0=$(date +%s.%N)
"$root/target/release/zigzag-rs" map -q -a hardware/tpu_like.yaml -w workload/resnet18.onnx -m mapping/tpu_like.yaml \
  --lpf-limit "$lpf" --json "$out/rs.json" > /dev/null
t1=$(date +%s.%N)
"$root/.refenv/bin/python" "$oracle" workload/resnet18.onnx hardware/tpu_like.yaml mapping/tpu_like.yaml latency "$lpf" \
  --out "$out/py.json" > /dev/null
t2=$(date +%s.%N)
python3 - "$out/rs.json" "$out/py.json" "$t0" "$t1" "$t2" <<'PY'
import json, sys
rs, py = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
t0, t1, t2 = map(float, sys.argv[3:6])
print(f"zigzag-rs : energy {rs['energy']!r} pJ, latency {rs['latency']!r} cycles, {t1 - t0:.3f} s wall")
print(f"ZigZag py : energy {py['totals']['energy']!r} pJ, latency {py['totals']['latency']!r} cycles, {t2 - t1:.1f} s wall")
print(f"same totals: {rs['energy'] == py['totals']['energy'] and rs['latency'] == py['totals']['latency']}; speed-up {(t2 - t1) / (t1 - t0):.0f}x")
PY
