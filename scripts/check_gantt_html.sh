#!/usr/bin/env bash
# Renders an interactive Gantt chart written by zz-report (`write_gantt_html`) in headless
# Chromium and fails when its script did not run cleanly.
#
# Usage: scripts/check_gantt_html.sh GANTT.html [SCREENSHOT.png]
#
# Checks, on the DOM that Chromium dumps after loading `GANTT.html#selftest`:
#   * <body data-ok="1">: the page script ran to its end;
#   * <body data-selftest="ok">: synthetic hover, wheel zoom, drag pan, reset and legend clicks
#     behaved (the page drives them itself when the URL fragment is #selftest);
#   * no data-error attribute (set by a window "error" handler) and no "Uncaught" JavaScript
#     error in Chromium's console log.
# With SCREENSHOT.png, also saves a 1600x1000 screenshot of the page (without the self-test).
# Exits 0 with "SKIPPED: chromium not installed" when there is no chromium on PATH.
set -euo pipefail

if [[ $# -lt 1 || $# -gt 2 ]]; then
    echo "usage: $0 GANTT.html [SCREENSHOT.png]" >&2
    exit 2
fi
html=$1
shot=${2:-}
if ! command -v chromium >/dev/null 2>&1; then
    echo "SKIPPED: chromium not installed"
    exit 0
fi
if [[ ! -f $html ]]; then
    echo "no such file: $html" >&2
    exit 2
fi

abs="$(cd "$(dirname "$html")" && pwd)/$(basename "$html")"
url="file://${abs// /%20}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

chromium_run() {
    # Fresh profile per run; no network, no first-run or background activity.
    local profile
    profile=$(mktemp -d "$work/profile.XXXXXX")
    timeout 180 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$profile" --enable-logging=stderr --v=0 --window-size=1600,1000 \
        --hide-scrollbars "$@"
}

status=0
chromium_run --dump-dom "$url#selftest" >"$work/dom.html" 2>"$work/console.log" || status=$?
fail() {
    echo "FAIL: $1" >&2
    echo "--- chromium console messages ---" >&2
    grep -E 'CONSOLE|Uncaught' "$work/console.log" | head -n 40 >&2 || true
    exit 1
}
[[ $status -eq 0 ]] || fail "chromium exited with status $status"
grep -q '<body[^>]*data-ok="1"' "$work/dom.html" || fail "page script did not finish (no data-ok=\"1\" on <body>)"
if grep -q 'data-error=' "$work/dom.html"; then
    fail "page reported a JavaScript error: $(grep -o 'data-error="[^"]*"' "$work/dom.html" | head -n 1)"
fi
selftest=$(grep -o 'data-selftest="[^"]*"' "$work/dom.html" | head -n 1 || true)
[[ $selftest == 'data-selftest="ok"' ]] || fail "self-test did not pass: ${selftest:-no data-selftest attribute}"
if grep -E 'Uncaught|CONSOLE.*(Error|error)' "$work/console.log" >/dev/null; then
    fail "JavaScript error in the console log"
fi

if [[ -n $shot ]]; then
    status=0
    chromium_run --screenshot="$shot" "$url" >"$work/shot.log" 2>&1 || status=$?
    [[ $status -eq 0 && -s $shot ]] || { cat "$work/shot.log" >&2; echo "FAIL: no screenshot written" >&2; exit 1; }
    echo "screenshot: $shot"
fi
echo "OK: $html ran in headless Chromium without JavaScript errors (self-test passed)"
