//! Interactive, self-contained HTML Gantt chart of a [`StreamReport`] (after Stream's plotly
//! `visualize_timeline_plotly`, without any external script, style sheet or font).
//!
//! The page embeds the schedule as one JSON block (`<script type="application/json">`) and draws
//! it on a `<canvas>` with a small inline script, so it opens offline and stays fast with thousands
//! of CNs and transfers. A Content-Security-Policy forbids every network load.
//!
//! * One row per core (CN bars coloured by layer) and one per link (transfer bars coloured by
//!   cause, semi-transparent, on a grey background); time axis in cycles.
//! * Hover a bar for a tooltip: CN layer / sub id / core / start / end / energy, or transfer
//!   tensor / operand / cores / links / bits / start / end.
//! * Zoom with the mouse wheel (around the pointer) or the `+` / `−` buttons, pan by dragging or
//!   with the slider, double-click or `Reset` to see everything. Clicking a layer in the legend
//!   highlights its CNs and the transfers of its tensors.
//!
//! When the script ran without error it sets `data-ok="1"` on `<body>`; an uncaught error sets
//! `data-error` on `<html>`. Opening the file with the fragment `#selftest` additionally drives
//! hover, wheel zoom, drag pan and reset with synthetic events and records the outcome in
//! `data-selftest` (`ok` or `fail:<what>`) on `<body>`: `scripts/check_gantt_html.sh` checks these
//! markers with headless Chromium.

use std::path::Path;

use serde_json::{Value, json};

use super::gantt::causes;
use super::model::{GanttRow, StreamReport};
use super::style as palette;
use crate::error::ReportError;
use crate::format::{cycles, num, sci};

/// Escapes `s` for HTML text and attribute values.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A finite number, or 0.
fn finite(v: f64) -> f64 {
    if v.is_finite() { v } else { 0.0 }
}

/// The data block the page's script reads.
///
/// Compact rows keep the file small: a CN is `[row, layer index, sub id, start, end, energy]`,
/// a transfer `[tensor, layer id, operand, source core, destination core, start, end, bits,
/// cause index, [link rows]]`.
fn data(r: &StreamReport) -> Value {
    let rows = r.gantt_rows();
    let layers = r.layers();
    let causes = causes(r);
    let row_of_core = |id: usize| rows.iter().position(|x| matches!(x, GanttRow::Core { id: c, .. } if *c == id));
    let row_of_link = |id: usize| rows.iter().position(|x| matches!(x, GanttRow::Link { id: l, .. } if *l == id));
    let rows_json: Vec<Value> = rows
        .iter()
        .map(|row| match row {
            GanttRow::Core { id, name } => {
                let kind = r.core(*id).map(|c| c.kind.clone()).unwrap_or_default();
                let label = if kind.is_empty() { name.clone() } else { format!("{name} ({kind})") };
                json!({"kind": "core", "name": name, "label": label})
            }
            GanttRow::Link { id, name } => {
                let bw = r.link(*id).map_or(0.0, |l| l.bandwidth);
                let label = if bw > 0.0 { format!("{name} ({} bit/cc)", num(bw)) } else { name.clone() };
                json!({"kind": "link", "name": name, "label": label})
            }
        })
        .collect();
    let layer_pos = |id: usize| layers.binary_search_by_key(&id, |l| l.id).unwrap_or(0);
    let cns: Vec<Value> = r
        .cns
        .iter()
        .filter_map(|c| {
            let row = row_of_core(c.core)?;
            Some(json!([row, layer_pos(c.layer), c.sub_id, finite(c.start), finite(c.end), finite(c.energy)]))
        })
        .collect();
    let transfers: Vec<Value> = r
        .transfers
        .iter()
        .map(|t| {
            let link_rows: Vec<usize> = t.links.iter().filter_map(|&l| row_of_link(l)).collect();
            let cause = causes.iter().position(|c| c.0 == t.cause).unwrap_or(0);
            json!([
                t.tensor,
                t.layer,
                t.operand,
                r.core_name(t.src_core),
                r.core_name(t.dst_core),
                finite(t.start),
                finite(t.end),
                finite(t.bits),
                cause,
                link_rows
            ])
        })
        .collect();
    json!({
        "span": r.time_span(),
        "rows": rows_json,
        "layers": layers.iter().enumerate().map(|(i, l)| json!({
            "id": l.id, "name": l.name, "cns": l.cns, "color": palette::hex(palette::layer(i))
        })).collect::<Vec<_>>(),
        "causes": causes.iter().map(|(c, n)| json!({
            "name": if c.is_empty() { "-" } else { c.as_str() }, "count": n, "color": palette::hex(palette::cause(c))
        })).collect::<Vec<_>>(),
        "cns": cns,
        "transfers": transfers,
    })
}

const STYLE: &str = r##"
body { font-family: sans-serif; margin: 12px 16px; color: #222; background: #fff; }
h1 { font-size: 20px; margin: 0 0 4px 0; }
.sub { color: #444; margin-bottom: 8px; font-size: 14px; }
#controls { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin: 6px 0; font-size: 13px; }
#controls button { font-size: 13px; padding: 2px 10px; }
#pan { width: 280px; }
.hint { color: #666; }
#wrap { position: relative; width: 100%; border: 1px solid #ccc; }
#gantt { display: block; cursor: grab; }
#gantt.dragging { cursor: grabbing; }
#tip { position: absolute; display: none; pointer-events: none; background: rgba(255,255,255,0.96);
  border: 1px solid #888; border-radius: 4px; padding: 5px 8px; font-size: 12px; white-space: pre;
  box-shadow: 1px 2px 6px rgba(0,0,0,0.25); z-index: 2; }
#legend { margin-top: 10px; font-size: 12px; }
#legend h2 { font-size: 14px; margin: 8px 0 4px 0; }
.items { display: flex; flex-wrap: wrap; gap: 4px 14px; }
.item { cursor: pointer; white-space: nowrap; user-select: none; }
.item.off { opacity: 0.35; }
.sw { display: inline-block; width: 14px; height: 11px; border: 1px solid #333; margin-right: 5px; vertical-align: -1px; }
"##;

const SCRIPT: &str = r##"
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("zz-data").textContent);
  var cv = document.getElementById("gantt"), ctx = cv.getContext("2d");
  var tip = document.getElementById("tip"), wrap = document.getElementById("wrap");
  var pan = document.getElementById("pan"), rangeText = document.getElementById("range");
  var ROW_H = 30, AXIS_H = 46, PAD_T = 6, PAD_R = 44, FONT = "13px sans-serif";
  var nRows = D.rows.length;
  var span = D.span > 0 ? D.span : 1;
  var v0 = 0, v1 = span, W = 0, H = 0, highlight = -1, hover = null, drag = null;

  var perRow = D.rows.map(function () { return []; });
  D.cns.forEach(function (c, i) {
    if (perRow[c[0]]) perRow[c[0]].push({ k: 0, i: i, s: +c[3] || 0, e: +c[4] || 0 });
  });
  D.transfers.forEach(function (t, i) {
    t[9].forEach(function (r) {
      if (perRow[r]) perRow[r].push({ k: 1, i: i, s: +t[5] || 0, e: +t[6] || 0 });
    });
  });
  perRow.forEach(function (a) { a.sort(function (x, y) { return x.s - y.s || x.e - y.e; }); });

  ctx.font = FONT;
  var labelW = 90;
  D.rows.forEach(function (r) { labelW = Math.max(labelW, ctx.measureText(r.label).width + 18); });

  function fmt(v) {
    if (!isFinite(v)) return String(v);
    var a = Math.abs(v);
    if (a >= 1e9) return v.toExponential(2);
    var d = a >= 100 || v === Math.round(v) ? 0 : a >= 1 ? 1 : 3;
    return v.toLocaleString("en-US", { minimumFractionDigits: d, maximumFractionDigits: d });
  }
  function niceStep(range, target) {
    var raw = range / target, p = Math.pow(10, Math.floor(Math.log10(raw))), m = raw / p;
    return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
  }
  function plotW() { return Math.max(10, W - labelW - PAD_R); }
  function tx(t) { return labelW + (t - v0) / (v1 - v0) * plotW(); }
  function xt(x) { return v0 + (x - labelW) / plotW() * (v1 - v0); }
  function layerOf(it) { return it.k === 0 ? D.layers[D.cns[it.i][1]] : null; }
  function dimmed(it) {
    if (highlight < 0) return false;
    var id = D.layers[highlight].id;
    return it.k === 0 ? D.cns[it.i][1] !== highlight : D.transfers[it.i][1] !== id;
  }

  function draw() {
    var pw = plotW(), bottom = PAD_T + nRows * ROW_H, scale = pw / (v1 - v0);
    ctx.globalAlpha = 1;
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, W, H);
    var r, y;
    for (r = 0; r < nRows; r++) {
      if (D.rows[r].kind === "link") {
        ctx.fillStyle = "#eef0f6";
        ctx.fillRect(labelW, PAD_T + r * ROW_H, pw, ROW_H);
      }
    }
    var step = niceStep(v1 - v0, Math.max(2, Math.floor(pw / 120)));
    ctx.font = FONT;
    ctx.lineWidth = 1;
    ctx.strokeStyle = "#d8d8d8";
    ctx.fillStyle = "#333";
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    for (var t = Math.ceil(v0 / step) * step; t <= v1 + 1e-9 * step; t += step) {
      var gx = Math.round(tx(t)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(gx, PAD_T);
      ctx.lineTo(gx, bottom + 4);
      ctx.stroke();
      ctx.fillText(fmt(t), gx, bottom + 7);
    }
    ctx.fillText("Time (cycles)", labelW + pw / 2, bottom + 26);

    ctx.save();
    ctx.beginPath();
    ctx.rect(labelW, PAD_T, pw, nRows * ROW_H);
    ctx.clip();
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    ctx.font = "11px sans-serif";
    for (r = 0; r < nRows; r++) {
      y = PAD_T + r * ROW_H;
      var isLink = D.rows[r].kind === "link", inset = isLink ? 6 : 4, h = ROW_H - 2 * inset;
      var items = perRow[r];
      for (var j = 0; j < items.length; j++) {
        var it = items[j];
        if (it.s > v1) break;
        if (it.e < v0) continue;
        var x0 = labelW + (it.s - v0) * scale, x1 = labelW + (it.e - v0) * scale;
        if (x0 < labelW - 2) x0 = labelW - 2;
        if (x1 > labelW + pw + 2) x1 = labelW + pw + 2;
        var w = Math.max(1, x1 - x0), dim = dimmed(it);
        if (it.k === 0) {
          var c = D.cns[it.i], L = D.layers[c[1]];
          ctx.globalAlpha = dim ? 0.12 : 1;
          ctx.fillStyle = L ? L.color : "#888";
          ctx.fillRect(x0, y + inset, w, h);
          if (w >= 4) {
            ctx.strokeStyle = "rgba(0,0,0,0.55)";
            ctx.strokeRect(x0 + 0.5, y + inset + 0.5, w - 1, h - 1);
          }
          if (w >= 24 && !dim) {
            var txt = "L" + (L ? L.id : "?") + " #" + c[2];
            if (ctx.measureText(txt).width + 6 > w) txt = "L" + (L ? L.id : "?");
            if (ctx.measureText(txt).width + 6 <= w) {
              var col = L ? L.color : "#888";
              var rgb = parseInt(col.slice(1), 16);
              var lum = 0.299 * (rgb >> 16) + 0.587 * ((rgb >> 8) & 255) + 0.114 * (rgb & 255);
              ctx.fillStyle = lum > 140 ? "#000" : "#fff";
              ctx.fillText(txt, x0 + w / 2, y + ROW_H / 2);
            }
          }
        } else {
          var tr = D.transfers[it.i], C = D.causes[tr[8]], tc = C ? C.color : "#888";
          ctx.globalAlpha = dim ? 0.08 : 0.5;
          ctx.fillStyle = tc;
          ctx.fillRect(x0, y + inset, w, h);
          if (w >= 4 && !dim) {
            ctx.globalAlpha = 1;
            ctx.strokeStyle = tc;
            ctx.strokeRect(x0 + 0.5, y + inset + 0.5, w - 1, h - 1);
          }
        }
      }
    }
    ctx.globalAlpha = 1;
    if (hover) {
      ctx.strokeStyle = "#000";
      ctx.lineWidth = 2;
      var hx0 = Math.max(labelW - 2, tx(hover.it.s)), hx1 = Math.min(labelW + pw + 2, tx(hover.it.e));
      ctx.strokeRect(hx0 - 1, PAD_T + hover.row * ROW_H + 2, Math.max(2, hx1 - hx0 + 2), ROW_H - 4);
      ctx.lineWidth = 1;
    }
    ctx.restore();

    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    ctx.font = FONT;
    var firstLink = -1;
    for (r = 0; r < nRows; r++) {
      y = PAD_T + r * ROW_H;
      if (firstLink < 0 && D.rows[r].kind === "link") firstLink = r;
      ctx.fillStyle = "#222";
      ctx.fillText(D.rows[r].label, labelW - 8, y + ROW_H / 2);
      if (r > 0) {
        ctx.strokeStyle = r === firstLink ? "#000" : "#c8c8c8";
        ctx.lineWidth = r === firstLink ? 2 : 1;
        ctx.beginPath();
        ctx.moveTo(labelW, y + 0.5);
        ctx.lineTo(labelW + pw, y + 0.5);
        ctx.stroke();
      }
    }
    ctx.lineWidth = 1;
    ctx.strokeStyle = "#000";
    ctx.strokeRect(labelW + 0.5, PAD_T + 0.5, pw - 1, nRows * ROW_H);
  }

  function resize() {
    var dpr = window.devicePixelRatio || 1;
    W = Math.max(320, wrap.clientWidth);
    H = PAD_T + nRows * ROW_H + AXIS_H;
    cv.width = Math.round(W * dpr);
    cv.height = Math.round(H * dpr);
    cv.style.width = W + "px";
    cv.style.height = H + "px";
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    draw();
  }

  function updateControls() {
    var w = v1 - v0;
    rangeText.textContent = "showing " + fmt(v0) + " \u2013 " + fmt(v1) + " cycles (" +
      (100 * w / span).toFixed(w / span < 0.01 ? 3 : 1) + " %)";
    pan.disabled = w >= span;
    pan.value = w >= span ? 0 : Math.round(1000 * v0 / (span - w));
  }
  function setView(a, b) {
    var w = Math.min(span, Math.max(b - a, Math.max(span * 1e-7, 1e-6)));
    if (a < 0) a = 0;
    if (a + w > span) a = span - w;
    v0 = a;
    v1 = a + w;
    updateControls();
    draw();
  }
  function zoomAt(t, f) {
    var w = (v1 - v0) * f;
    setView(t - (t - v0) * f, t - (t - v0) * f + w);
  }

  function find(x, y) {
    var row = Math.floor((y - PAD_T) / ROW_H);
    if (row < 0 || row >= nRows || x < labelW || x > labelW + plotW()) return null;
    var t = xt(x), tol = 3 * (v1 - v0) / plotW(), items = perRow[row], best = null;
    for (var j = 0; j < items.length; j++) {
      var it = items[j];
      if (it.s - tol > t) break;
      if (it.e + tol >= t) best = it;
    }
    return best ? { row: row, it: best } : null;
  }
  function describe(h) {
    var it = h.it;
    if (it.k === 0) {
      var c = D.cns[it.i], L = D.layers[c[1]];
      return (L ? L.name : "?") + " #" + c[2] + "\n" +
        "layer " + (L ? L.id : "?") + ", sub id " + c[2] + "\n" +
        "core: " + D.rows[c[0]].name + "\n" +
        "start " + fmt(c[3]) + ", end " + fmt(c[4]) + " (" + fmt(c[4] - c[3]) + " cycles)\n" +
        "energy " + fmt(c[5]) + " pJ";
    }
    var t = D.transfers[it.i], C = D.causes[t[8]];
    return "transfer " + t[0] + "\n" +
      "layer " + t[1] + ", operand " + t[2] + ", " + (C ? C.name : "?") + "\n" +
      t[3] + " \u2192 " + t[4] + "\n" +
      "links: " + t[9].map(function (r) { return D.rows[r].name; }).join(", ") + "\n" +
      fmt(t[7]) + " bits\n" +
      "start " + fmt(t[5]) + ", end " + fmt(t[6]) + " (" + fmt(t[6] - t[5]) + " cycles)";
  }
  function local(e) {
    var b = cv.getBoundingClientRect();
    return { x: e.clientX - b.left, y: e.clientY - b.top };
  }

  cv.addEventListener("mousemove", function (e) {
    if (drag) return;
    var p = local(e), h = find(p.x, p.y);
    var same = h && hover && h.row === hover.row && h.it === hover.it;
    if (!h) {
      tip.style.display = "none";
      if (hover) { hover = null; draw(); }
      return;
    }
    tip.textContent = describe(h);
    tip.style.display = "block";
    var left = p.x + 14, top = p.y + 14;
    if (left + tip.offsetWidth > wrap.clientWidth) left = Math.max(0, p.x - tip.offsetWidth - 10);
    tip.style.left = left + "px";
    tip.style.top = top + "px";
    if (!same) { hover = h; draw(); }
  });
  cv.addEventListener("mouseleave", function () {
    tip.style.display = "none";
    if (hover) { hover = null; draw(); }
  });
  cv.addEventListener("wheel", function (e) {
    var p = local(e);
    if (p.x < labelW) return;
    e.preventDefault();
    var dy = e.deltaMode === 1 ? e.deltaY * 33 : e.deltaY;
    zoomAt(xt(p.x), Math.exp(Math.max(-10, Math.min(10, dy * 0.0015))));
  }, { passive: false });
  cv.addEventListener("mousedown", function (e) {
    if (e.button !== 0) return;
    drag = { x: e.clientX, v0: v0, v1: v1 };
    cv.classList.add("dragging");
    tip.style.display = "none";
    e.preventDefault();
  });
  window.addEventListener("mousemove", function (e) {
    if (!drag) return;
    var dt = (drag.x - e.clientX) / plotW() * (drag.v1 - drag.v0);
    setView(drag.v0 + dt, drag.v1 + dt);
  });
  window.addEventListener("mouseup", function () {
    drag = null;
    cv.classList.remove("dragging");
  });
  cv.addEventListener("dblclick", function () { setView(0, span); });
  document.getElementById("reset").addEventListener("click", function () { setView(0, span); });
  document.getElementById("zin").addEventListener("click", function () { zoomAt((v0 + v1) / 2, 0.5); });
  document.getElementById("zout").addEventListener("click", function () { zoomAt((v0 + v1) / 2, 2); });
  pan.addEventListener("input", function () {
    var w = v1 - v0;
    setView(pan.value / 1000 * (span - w), pan.value / 1000 * (span - w) + w);
  });
  window.addEventListener("resize", resize);

  function legendItem(parent, color, text, onClick) {
    var el = document.createElement("span");
    el.className = "item";
    var sw = document.createElement("span");
    sw.className = "sw";
    sw.style.background = color;
    el.appendChild(sw);
    el.appendChild(document.createTextNode(text));
    if (onClick) el.addEventListener("click", onClick); else el.style.cursor = "default";
    parent.appendChild(el);
    return el;
  }
  function buildLegend() {
    var lg = document.getElementById("legend");
    var h = document.createElement("h2");
    h.textContent = "CNs (core rows), by layer \u2014 click to highlight";
    lg.appendChild(h);
    var box = document.createElement("div");
    box.className = "items";
    lg.appendChild(box);
    var els = D.layers.map(function (L, i) {
      return legendItem(box, L.color, "L" + L.id + " " + L.name + " (" + L.cns + ")", function () {
        highlight = highlight === i ? -1 : i;
        els.forEach(function (el, k) { el.classList.toggle("off", highlight >= 0 && k !== highlight); });
        draw();
      });
    });
    if (D.causes.length) {
      var h2 = document.createElement("h2");
      h2.textContent = "Transfers (link rows), by cause";
      lg.appendChild(h2);
      var box2 = document.createElement("div");
      box2.className = "items";
      lg.appendChild(box2);
      D.causes.forEach(function (C) { legendItem(box2, C.color, C.name + " (" + C.count + ")", null); });
    }
  }

  function selfTest() {
    var fails = [], b = cv.getBoundingClientRect();
    function at(x, y) { return { clientX: b.left + x, clientY: b.top + y, bubbles: true, cancelable: true }; }
    if (D.cns.length) {
      var c = D.cns[0];
      cv.dispatchEvent(new MouseEvent("mousemove", at(tx((c[3] + c[4]) / 2), PAD_T + c[0] * ROW_H + ROW_H / 2)));
      if (tip.style.display !== "block" || tip.textContent.indexOf("sub id") < 0) fails.push("cn-tooltip");
      cv.dispatchEvent(new MouseEvent("mouseleave", at(0, 0)));
    }
    // the widest transfer on a link row (narrow ones may be thinner than a pixel)
    var firstT = null;
    D.transfers.forEach(function (t) {
      if (t[9].length > 0 && (!firstT || t[6] - t[5] > firstT[6] - firstT[5])) firstT = t;
    });
    if (firstT) {
      var row = firstT[9][0];
      cv.dispatchEvent(new MouseEvent("mousemove", at(tx((firstT[5] + firstT[6]) / 2), PAD_T + row * ROW_H + ROW_H / 2)));
      if (tip.style.display !== "block" || tip.textContent.indexOf("links:") < 0) fails.push("transfer-tooltip");
      cv.dispatchEvent(new MouseEvent("mouseleave", at(0, 0)));
    }
    var w0 = v1 - v0;
    cv.dispatchEvent(new WheelEvent("wheel", Object.assign({ deltaY: -500 }, at(labelW + plotW() / 2, PAD_T + 5))));
    if (!(v1 - v0 < w0)) fails.push("zoom");
    var a = v0;
    cv.dispatchEvent(new MouseEvent("mousedown", Object.assign({ button: 0 }, at(labelW + 200, PAD_T + 5))));
    window.dispatchEvent(new MouseEvent("mousemove", at(labelW + 100, PAD_T + 5)));
    window.dispatchEvent(new MouseEvent("mouseup", at(labelW + 100, PAD_T + 5)));
    if (!(v0 > a)) fails.push("pan");
    cv.dispatchEvent(new MouseEvent("dblclick", at(labelW + 10, PAD_T + 5)));
    if (v0 !== 0 || v1 !== span) fails.push("reset");
    if (D.layers.length) {
      document.querySelector("#legend .item").click();
      if (highlight !== 0) fails.push("legend");
      document.querySelector("#legend .item").click();
    }
    document.body.setAttribute("data-selftest", fails.length ? "fail:" + fails.join(",") : "ok");
  }

  buildLegend();
  resize();
  updateControls();
  if (location.hash === "#selftest") selfTest();
  document.body.setAttribute("data-ok", "1");
})();
"##;

/// The interactive Gantt chart as one self-contained HTML document.
pub fn gantt_html_string(report: &StreamReport) -> Result<String, ReportError> {
    // `<` only occurs inside JSON strings, where `\u003c` is equivalent: no `</script>` can end
    // the data block early.
    let data = serde_json::to_string(&data(report))?.replace('<', "\\u003c");
    let mode = if report.mode.is_empty() { String::new() } else { format!(", {} mode", report.mode) };
    let title = format!("Schedule of {} on {}{mode}", report.workload, report.accelerator);
    let sub = format!(
        "latency {} cycles · energy {} pJ · EDP {} pJ·cycles · {} CNs, {} transfers, {} cores, {} links",
        cycles(report.latency),
        sci(report.energy, 3),
        sci(report.energy * report.latency, 3),
        report.cns.len(),
        report.transfers.len(),
        report.cores.len(),
        report.links.len()
    );
    let mut h = String::with_capacity(data.len() + STYLE.len() + SCRIPT.len() + 2048);
    h.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    h.push_str(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:\">\n",
    );
    h.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    h.push_str(&format!("<title>{}</title>\n", escape(&title)));
    h.push_str(
        "<script>window.addEventListener(\"error\", function (e) { \
         document.documentElement.setAttribute(\"data-error\", String(e.message)); });</script>\n",
    );
    h.push_str("<style>");
    h.push_str(STYLE);
    h.push_str("</style>\n</head>\n<body data-ok=\"0\">\n");
    h.push_str(&format!("<h1>{}</h1>\n<div class=\"sub\">{}</div>\n", escape(&title), escape(&sub)));
    h.push_str(
        "<div id=\"controls\"><button id=\"reset\" title=\"show the whole schedule\">Reset</button>\
         <button id=\"zin\" title=\"zoom in\">+</button><button id=\"zout\" title=\"zoom out\">\u{2212}</button>\
         <label>pan <input id=\"pan\" type=\"range\" min=\"0\" max=\"1000\" value=\"0\"></label>\
         <span id=\"range\"></span>\
         <span class=\"hint\">wheel: zoom · drag: pan · double-click: reset · hover: details</span></div>\n",
    );
    h.push_str("<div id=\"wrap\"><canvas id=\"gantt\"></canvas><div id=\"tip\"></div></div>\n");
    h.push_str("<div id=\"legend\"></div>\n");
    h.push_str("<noscript>This chart needs JavaScript.</noscript>\n");
    h.push_str("<script type=\"application/json\" id=\"zz-data\">");
    h.push_str(&data);
    h.push_str("</script>\n<script>");
    h.push_str(SCRIPT);
    h.push_str("</script>\n</body>\n</html>\n");
    Ok(h)
}

/// Writes the interactive Gantt chart as a self-contained HTML file to `path`.
pub fn write_gantt_html(report: &StreamReport, path: impl AsRef<Path>) -> Result<(), ReportError> {
    std::fs::write(path, gantt_html_string(report)?)?;
    Ok(())
}
