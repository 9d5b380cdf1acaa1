#!/usr/bin/env bash
# Renders a one-file HTML report written by zz-report (`report.html` of `map`, `compare` or
# `sweep`: `run_report_html`, `compare_report_html`, `sweep_report_html`) in headless Chromium
# and fails when its script did not run cleanly.
#
# Usage: scripts/check_report_html.sh REPORT.html [SCREENSHOT.png]
#
# The report pages carry the same markers as the Gantt chart (data-ok="1" on <body>, data-error
# on <html>, and with the fragment #selftest a self-test — here: hover every chart in every mode,
# legend clicks, table sorting, scatter-plot hover — recorded as data-selftest="ok"), so the
# check is the Gantt chart's: see scripts/check_gantt_html.sh. Prints "SKIPPED: chromium not
# installed" and exits 0 when there is no chromium on PATH.
set -euo pipefail
exec bash "$(dirname "$0")/check_gantt_html.sh" "$@"
