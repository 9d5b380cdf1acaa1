//! The inline style sheet and script of the HTML reports (no external resource).
//!
//! The script reads the page's JSON block (`#zz-data`) and
//! * draws every `div.chart[data-chart=ID]` as a stacked bar chart (SVG) of the groups
//!   `charts[ID]`, with buttons to switch between energy per memory, energy per operand and
//!   latency per section, hover tooltips (value, unit, share) and a legend whose entries hide or
//!   show a part when clicked;
//! * makes every `table.sortable` sortable by clicking a column heading (numeric cells carry
//!   `data-v`);
//! * draws the sweep scatter plot (`#scatter`) from `sweep`: latency vs energy, area as colour
//!   with a colour bar, the Pareto front, the chosen point, hover tooltips naming every
//!   parameter, click to highlight the point's table row.
//!
//! Markers for headless checks (`scripts/check_report_html.sh`): `data-ok="1"` on `<body>`
//! when the script ran to its end, `data-error` on `<html>` on an uncaught error, and with the
//! URL fragment `#selftest` a self-test (hover, mode switch, legend click, sort, scatter hover)
//! whose outcome is `data-selftest="ok"` or `"fail:<what>"` on `<body>`.

pub(crate) const STYLE: &str = r##"
body { font-family: sans-serif; margin: 14px 20px; color: #222; background: #fff; max-width: 1500px; }
h1 { font-size: 22px; margin: 0 0 4px 0; }
h2 { font-size: 18px; margin: 22px 0 8px 0; border-bottom: 1px solid #ddd; padding-bottom: 3px; }
h3 { font-size: 15px; margin: 14px 0 6px 0; }
.sub { color: #555; font-size: 13px; margin-bottom: 10px; }
table { border-collapse: collapse; font-size: 13px; margin: 4px 0 10px 0; }
th, td { border: 1px solid #ccc; padding: 3px 8px; }
th { background: #f3f3f3; text-align: left; }
td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.sortable th { cursor: pointer; user-select: none; }
table.sortable th.asc::after { content: " \25B2"; font-size: 10px; }
table.sortable th.desc::after { content: " \25BC"; font-size: 10px; }
tr.hl td { background: #fff3b0; }
tr.infeasible td { color: #999; }
.totals td:first-child { font-weight: bold; background: #fafafa; }
.chart { margin: 6px 0 14px 0; }
.chart .modes button { font-size: 13px; padding: 2px 10px; margin-right: 4px; }
.chart .modes button.on { background: #335; color: #fff; }
.chart .scroll { overflow-x: auto; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 14px; font-size: 12px; margin-top: 4px; }
.legend .item { cursor: pointer; white-space: nowrap; user-select: none; }
.legend .item.off { opacity: 0.35; }
.sw { display: inline-block; width: 14px; height: 11px; border: 1px solid #333; margin-right: 5px; vertical-align: -1px; }
#tip { position: fixed; display: none; pointer-events: none; background: rgba(255,255,255,0.97);
  border: 1px solid #888; border-radius: 4px; padding: 5px 8px; font-size: 12px; white-space: pre;
  box-shadow: 1px 2px 6px rgba(0,0,0,0.25); z-index: 5; }
details { margin: 4px 0; }
summary { cursor: pointer; font-size: 14px; }
pre { font-size: 12px; background: #fafafa; border: 1px solid #eee; padding: 6px; overflow-x: auto; }
.hier { overflow-x: auto; }
.hier g.mem:hover rect { stroke: #c00; stroke-width: 2; }
.note { color: #555; font-size: 12px; }
"##;

pub(crate) const SCRIPT: &str = r##"
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("zz-data").textContent);
  var tip = document.getElementById("tip");
  var SVGNS = "http://www.w3.org/2000/svg";
  var PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf",
    "#bcbd22", "#7f7f7f", "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94"];
  var LATENCY = { "Ideal computation": "#6acc64", "Spatial stall": "#d65f5f", "Temporal stall": "#956cc4",
    "Data on-loading": "#4878d0", "Data off-loading": "#ee854a" };
  var MODES = [["by_memory", "Energy per memory", "pJ"], ["by_operand", "Energy per operand", "pJ"],
    ["latency", "Latency per section", "cycles"]];

  function fmt(v) {
    if (!isFinite(v)) return String(v);
    var a = Math.abs(v);
    if (a >= 1e9) return v.toExponential(3);
    var d = a >= 100 || v === Math.round(v) ? 0 : a >= 1 ? 2 : 4;
    return v.toLocaleString("en-US", { minimumFractionDigits: d, maximumFractionDigits: d });
  }
  function tick(v) {
    if (v === 0) return "0";
    var a = Math.abs(v);
    if (a >= 1e5 || a < 1e-2) return v.toExponential(1).replace("e+", "e");
    return v.toLocaleString("en-US", { maximumFractionDigits: 2 });
  }
  function niceStep(range, target) {
    var raw = range / target, p = Math.pow(10, Math.floor(Math.log10(raw))), m = raw / p;
    return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
  }
  function el(name, attrs, parent) {
    var e = document.createElementNS(SVGNS, name);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(e);
    return e;
  }
  function txt(name, attrs, text, parent) { var e = el(name, attrs, parent); e.textContent = text; return e; }
  function showTip(ev, text) {
    tip.textContent = text;
    tip.style.display = "block";
    var x = (ev.clientX || 0) + 14, y = (ev.clientY || 0) + 12;
    var w = tip.offsetWidth, h = tip.offsetHeight;
    if (x + w > window.innerWidth - 4) x = Math.max(4, x - w - 28);
    if (y + h > window.innerHeight - 4) y = Math.max(4, y - h - 24);
    tip.style.left = x + "px";
    tip.style.top = y + "px";
  }
  function hideTip() { tip.style.display = "none"; }

  // ---- stacked bar charts ----
  function colourOf(mode, name, index) {
    if (mode === "latency") return LATENCY[name] || PALETTE[index % PALETTE.length];
    if (name === "MAC") return "#333333";
    return PALETTE[index % PALETTE.length];
  }
  function Chart(div) {
    var self = this;
    this.div = div;
    this.groups = D.charts[div.getAttribute("data-chart")] || [];
    this.mode = "by_memory";
    this.hidden = {};
    var modes = document.createElement("div");
    modes.className = "modes";
    MODES.forEach(function (m) {
      var b = document.createElement("button");
      b.textContent = m[1];
      b.setAttribute("data-mode", m[0]);
      b.addEventListener("click", function () { self.mode = m[0]; self.hidden = {}; self.draw(); });
      modes.appendChild(b);
    });
    this.modes = modes;
    this.scroll = document.createElement("div");
    this.scroll.className = "scroll";
    this.legend = document.createElement("div");
    this.legend.className = "legend";
    div.appendChild(modes);
    div.appendChild(this.scroll);
    div.appendChild(this.legend);
    this.draw();
  }
  Chart.prototype.parts = function () {
    var names = [], mode = this.mode;
    this.groups.forEach(function (g) {
      g[mode].forEach(function (p) { if (names.indexOf(p[0]) < 0) names.push(p[0]); });
    });
    return names;
  };
  Chart.prototype.draw = function () {
    var self = this, mode = this.mode, unit = MODES.filter(function (m) { return m[0] === mode; })[0][2];
    Array.prototype.forEach.call(this.modes.children, function (b) {
      b.className = b.getAttribute("data-mode") === mode ? "on" : "";
    });
    var parts = this.parts();
    var n = this.groups.length, barW = Math.max(14, Math.min(60, 900 / Math.max(1, n))), gap = barW * 0.45;
    var longest = 0;
    this.groups.forEach(function (g) { longest = Math.max(longest, g.label.length); });
    var rotate = n > 6 || longest * 7 > barW + gap;
    var left = 86, top = 16, plotH = 300, bottom = rotate ? Math.min(170, 22 + longest * 4.6) : 34;
    var W = Math.max(520, left + n * (barW + gap) + gap + 20 + (rotate ? longest * 4.8 : 0)), H = top + plotH + bottom + 26;
    var max = 0;
    this.groups.forEach(function (g) {
      var s = 0;
      g[mode].forEach(function (p) { if (!self.hidden[p[0]]) s += p[1]; });
      max = Math.max(max, s);
    });
    if (!(max > 0)) max = 1;
    var step = niceStep(max, 6), yMax = Math.ceil(max * 1.04 / step) * step;
    var svg = el("svg", { width: W, height: H, "font-family": "sans-serif", "font-size": 12 });
    function y(v) { return top + plotH - v / yMax * plotH; }
    for (var t = 0; t <= yMax + step / 2; t += step) {
      el("line", { x1: left, x2: W - 10, y1: y(t), y2: y(t), stroke: "#e4e4e4" }, svg);
      txt("text", { x: left - 6, y: y(t) + 4, "text-anchor": "end" }, tick(t), svg);
    }
    txt("text", { transform: "translate(16," + (top + plotH / 2) + ") rotate(-90)", "text-anchor": "middle",
      "font-size": 13 }, (mode === "latency" ? "Latency" : "Energy") + " (" + unit + ")", svg);
    el("line", { x1: left, x2: left, y1: top, y2: top + plotH, stroke: "#333" }, svg);
    el("line", { x1: left, x2: W - 10, y1: top + plotH, y2: top + plotH, stroke: "#333" }, svg);
    this.groups.forEach(function (g, gi) {
      var x = left + gap + gi * (barW + gap), base = 0, total = 0;
      g[mode].forEach(function (p) { total += p[1]; });
      g[mode].forEach(function (p) {
        if (self.hidden[p[0]] || !(p[1] > 0)) return;
        var r = el("rect", { x: x, y: y(base + p[1]), width: barW, height: Math.max(0.5, y(base) - y(base + p[1])),
          fill: colourOf(mode, p[0], parts.indexOf(p[0])), stroke: "#222", "stroke-width": 0.5 }, svg);
        r.setAttribute("data-part", p[0]);
        var text = g.name + "\n" + p[0] + ": " + fmt(p[1]) + " " + unit +
          (total > 0 ? " (" + (100 * p[1] / total).toFixed(1) + " % of " + fmt(total) + " " + unit + ")" : "");
        r.addEventListener("mousemove", function (ev) { showTip(ev, text); });
        r.addEventListener("mouseleave", hideTip);
        base += p[1];
      });
      var lx = x + barW / 2, ly = top + plotH + 14;
      txt("text", rotate ? { transform: "translate(" + lx + "," + (ly - 6) + ") rotate(40)", "text-anchor": "start" }
        : { x: lx, y: ly, "text-anchor": "middle" }, g.label, svg);
    });
    this.scroll.innerHTML = "";
    this.scroll.appendChild(svg);
    this.legend.innerHTML = "";
    parts.forEach(function (name, i) {
      var item = document.createElement("span");
      item.className = "item" + (self.hidden[name] ? " off" : "");
      item.setAttribute("data-part", name);
      item.title = "click to hide or show";
      var sw = document.createElement("span");
      sw.className = "sw";
      sw.style.background = colourOf(mode, name, i);
      item.appendChild(sw);
      item.appendChild(document.createTextNode(name));
      item.addEventListener("click", function () { self.hidden[name] = !self.hidden[name]; self.draw(); });
      self.legend.appendChild(item);
    });
  };

  // ---- sortable tables ----
  function makeSortable(table) {
    var heads = table.querySelectorAll("thead th");
    Array.prototype.forEach.call(heads, function (th, col) {
      th.addEventListener("click", function () {
        var asc = !th.classList.contains("asc");
        Array.prototype.forEach.call(heads, function (h) { h.classList.remove("asc", "desc"); });
        th.classList.add(asc ? "asc" : "desc");
        var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
        function key(r) {
          var c = r.cells[col];
          if (!c) return "";
          var v = c.getAttribute("data-v");
          return v !== null ? parseFloat(v) : c.textContent;
        }
        rows.sort(function (a, b) {
          var x = key(a), y = key(b), c = typeof x === "number" && typeof y === "number" ? x - y
            : String(x).localeCompare(String(y));
          return asc ? c : -c;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  }

  // ---- sweep scatter ----
  function areaColour(t) {
    // blue (small) -> yellow -> red (large), readable in greyscale by lightness.
    var stops = [[49, 54, 149], [116, 173, 209], [254, 224, 144], [244, 109, 67], [165, 0, 38]];
    var s = Math.max(0, Math.min(1, t)) * (stops.length - 1), i = Math.min(stops.length - 2, Math.floor(s)), f = s - i;
    var c = stops[i].map(function (a, k) { return Math.round(a + (stops[i + 1][k] - a) * f); });
    return "rgb(" + c.join(",") + ")";
  }
  function drawScatter(div) {
    var S = D.sweep;
    var pts = S.points.filter(function (p) { return p.feasible && isFinite(p.energy) && isFinite(p.latency); });
    var W = 860, H = 520, left = 92, right = 120, top = 20, bottom = 52;
    var svg = el("svg", { width: W, height: H, "font-family": "sans-serif", "font-size": 12 });
    if (!pts.length) {
      txt("text", { x: W / 2, y: H / 2, "text-anchor": "middle" }, "no feasible design point to plot", svg);
      div.appendChild(svg);
      return;
    }
    function ext(f) {
      var lo = Infinity, hi = -Infinity;
      pts.forEach(function (p) { var v = f(p); if (v < lo) lo = v; if (v > hi) hi = v; });
      var d = hi > lo ? (hi - lo) * 0.06 : Math.abs(hi) * 0.05 || 1;
      return [Math.max(0, lo - d), hi + d];
    }
    var xr = ext(function (p) { return p.latency; }), yr = ext(function (p) { return p.energy; });
    var areas = pts.filter(function (p) { return p.area !== null && isFinite(p.area); }).map(function (p) { return p.area; });
    var amin = Math.min.apply(null, areas), amax = Math.max.apply(null, areas);
    function X(v) { return left + (v - xr[0]) / (xr[1] - xr[0]) * (W - left - right); }
    function Y(v) { return H - bottom - (v - yr[0]) / (yr[1] - yr[0]) * (H - top - bottom); }
    function axis(r, horizontal) {
      var step = niceStep(r[1] - r[0], 6);
      for (var t = Math.ceil(r[0] / step) * step; t <= r[1]; t += step) {
        if (horizontal) {
          el("line", { x1: X(t), x2: X(t), y1: top, y2: H - bottom, stroke: "#eee" }, svg);
          txt("text", { x: X(t), y: H - bottom + 16, "text-anchor": "middle" }, tick(t), svg);
        } else {
          el("line", { x1: left, x2: W - right, y1: Y(t), y2: Y(t), stroke: "#eee" }, svg);
          txt("text", { x: left - 6, y: Y(t) + 4, "text-anchor": "end" }, tick(t), svg);
        }
      }
    }
    axis(xr, true);
    axis(yr, false);
    el("rect", { x: left, y: top, width: W - left - right, height: H - top - bottom, fill: "none", stroke: "#333" }, svg);
    txt("text", { x: (left + W - right) / 2, y: H - 10, "text-anchor": "middle", "font-size": 13 }, "Latency (cycles)", svg);
    txt("text", { transform: "translate(18," + (H - bottom + top) / 2 + ") rotate(-90)", "text-anchor": "middle",
      "font-size": 13 }, "Energy (pJ)", svg);
    var front = pts.filter(function (p) { return p.pareto; }).sort(function (a, b) { return a.latency - b.latency; });
    if (front.length > 1) {
      el("polyline", { points: front.map(function (p) { return X(p.latency) + "," + Y(p.energy); }).join(" "),
        fill: "none", stroke: "#000", "stroke-width": 1.5 }, svg);
    }
    function label(p) {
      var lines = ["point " + p.index];
      S.parameters.forEach(function (name, k) { lines.push(name + " = " + p.values[k]); });
      lines.push("energy " + fmt(p.energy) + " pJ", "latency " + fmt(p.latency) + " cycles");
      if (p.area !== null) lines.push("area " + fmt(p.area) + (S.area_unit ? " " + S.area_unit : ""));
      if (p.pareto) lines.push("on the Pareto front");
      if (p.index === S.best) lines.push("chosen (lowest EDP on the front)");
      return lines.join("\n");
    }
    pts.forEach(function (p) {
      var t = amax > amin && p.area !== null ? (p.area - amin) / (amax - amin) : 0.5;
      var c = el("circle", { cx: X(p.latency), cy: Y(p.energy), r: p.pareto ? 6 : 4.5, fill: areaColour(t),
        stroke: p.pareto ? "#000" : "#555", "stroke-width": p.pareto ? 1.6 : 0.6, "data-point": p.index }, svg);
      var text = label(p);
      c.addEventListener("mousemove", function (ev) { showTip(ev, text); });
      c.addEventListener("mouseleave", hideTip);
      c.addEventListener("click", function () {
        Array.prototype.forEach.call(document.querySelectorAll("tr.hl"), function (r) { r.classList.remove("hl"); });
        var row = document.getElementById("point-" + p.index);
        if (row) { row.classList.add("hl"); row.scrollIntoView({ block: "nearest" }); }
      });
      if (p.index === S.best) {
        var x = X(p.latency), y = Y(p.energy);
        el("path", { d: "M" + (x - 9) + "," + (y - 9) + "L" + (x + 9) + "," + (y + 9) + "M" + (x - 9) + "," + (y + 9) +
          "L" + (x + 9) + "," + (y - 9), stroke: "#d00", "stroke-width": 3, "pointer-events": "none" }, svg);
      }
    });
    // Colour bar for the area.
    if (areas.length && amax > amin) {
      var bx = W - right + 30, bh = H - top - bottom - 40;
      for (var i = 0; i < 50; i++) {
        el("rect", { x: bx, y: top + 20 + bh * (1 - (i + 1) / 50), width: 16, height: bh / 50 + 0.6, fill: areaColour((i + 0.5) / 50) }, svg);
      }
      el("rect", { x: bx, y: top + 20, width: 16, height: bh, fill: "none", stroke: "#333" }, svg);
      txt("text", { x: bx + 8, y: top + 12, "text-anchor": "middle" }, S.area_unit ? "area (" + S.area_unit + ")" : "area", svg);
      [0, 0.5, 1].forEach(function (f) {
        txt("text", { x: bx + 20, y: top + 24 + bh * (1 - f), "text-anchor": "start" }, tick(amin + f * (amax - amin)), svg);
      });
    }
    div.appendChild(svg);
  }

  // ---- self-test (#selftest) ----
  function hover(target) {
    var r = target.getBoundingClientRect();
    target.dispatchEvent(new MouseEvent("mousemove", { bubbles: true, clientX: r.left + 1, clientY: r.top + 1 }));
  }
  function selfTest(charts) {
    var fails = [];
    charts.forEach(function (c, ci) {
      MODES.forEach(function (m) {
        c.modes.querySelector("[data-mode=" + m[0] + "]").click();
        var rects = c.scroll.querySelectorAll("rect[data-part]");
        if (c.groups.length && !rects.length) { fails.push("chart" + ci + ":" + m[0] + ":no bars"); return; }
        if (rects.length) {
          hover(rects[0]);
          if (tip.style.display !== "block" || tip.textContent.indexOf(m[2]) < 0) fails.push("chart" + ci + ":tooltip");
          hideTip();
          var item = c.legend.querySelector(".item");
          item.click();
          if (!c.legend.querySelector(".item.off")) fails.push("chart" + ci + ":legend");
          c.legend.querySelector(".item.off").click();
        }
      });
      c.modes.querySelector("[data-mode=by_memory]").click();
    });
    Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), function (t, ti) {
      var th = t.querySelector("thead th:nth-child(2)") || t.querySelector("thead th");
      if (!th) return;
      th.click();
      th.click();
      if (!th.classList.contains("desc")) fails.push("table" + ti + ":sort");
      t.querySelector("thead th").click();
    });
    var dot = document.querySelector("#scatter circle");
    if (D.sweep && D.sweep.points.some(function (p) { return p.feasible; })) {
      if (!dot) fails.push("scatter:no points");
      else {
        hover(dot);
        if (tip.style.display !== "block" || tip.textContent.indexOf("energy") < 0) fails.push("scatter:tooltip");
        hideTip();
        dot.dispatchEvent(new MouseEvent("click", { bubbles: true }));
      }
    }
    document.body.setAttribute("data-selftest", fails.length ? "fail:" + fails.join(",") : "ok");
  }

  var charts = [];
  Array.prototype.forEach.call(document.querySelectorAll("div.chart[data-chart]"), function (d) { charts.push(new Chart(d)); });
  Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), makeSortable);
  var sc = document.getElementById("scatter");
  if (sc && D.sweep) drawScatter(sc);
  if (location.hash === "#selftest") selfTest(charts);
  document.body.setAttribute("data-ok", "1");
})();
"##;
