// Plots in inline SVG, no library: the loss curves on a log scale, and a gradient column.
"use strict";

const SVG_NS = "http://www.w3.org/2000/svg";
// matplotlib's "magma" at five stops (dark: a vanishing gradient, bright: a strong one)
const MAGMA = [[0, 0, 4], [81, 18, 124], [183, 55, 121], [252, 137, 97], [252, 253, 191]];

function svgEl(tag, attrs, parent) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attrs || {})) el.setAttribute(key, value);
  if (parent) parent.appendChild(el);
  return el;
}

function svgText(parent, x, y, text, attrs) {
  const el = svgEl("text", Object.assign({x: x, y: y}, attrs || {}), parent);
  el.textContent = text;
  return el;
}

function clear(svg) { while (svg.firstChild) svg.removeChild(svg.firstChild); }

function formatNumber(v) {
  if (v === null || v === undefined || !isFinite(v)) return "not finite";
  if (v === 0) return "0";
  const a = Math.abs(v);
  return (a >= 1e4 || a < 1e-3) ? v.toExponential(2) : v.toPrecision(4);
}

const MIN_SPAN = 3;

// [lo, hi] in whole decades (log10) around the positive finite values, at least MIN_SPAN,
// hi at most maxTop and lo at least hi - maxSpan: an exploding run must not squash the rest
function logDomain(values, maxTop, maxSpan) {
  const logs = values.filter(v => v > 0 && isFinite(v)).map(Math.log10);
  if (!logs.length) return [-1, 0];
  let lo = Math.floor(Math.min(...logs)), hi = Math.ceil(Math.max(...logs));
  if (maxTop !== undefined) hi = Math.min(hi, maxTop);
  if (maxSpan !== undefined) lo = Math.max(lo, hi - maxSpan);
  if (hi - lo < MIN_SPAN) lo = hi - MIN_SPAN;  // a small spread must not look dramatic
  return [lo, hi];
}

const GRADIENT_TOP = 4, GRADIENT_SPAN = 16;  // colours: 1e-12 .. 1e4, beyond that clamped

function gradientDomain(values) { return logDomain(values, GRADIENT_TOP, GRADIENT_SPAN); }

function magma(t) {
  t = Math.min(1, Math.max(0, t)) * (MAGMA.length - 1);
  const i = Math.min(MAGMA.length - 2, Math.floor(t)), f = t - i;
  const c = MAGMA[i].map((a, k) => Math.round(a + f * (MAGMA[i + 1][k] - a)));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

// the colour of a gradient norm v on the log domain [lo, hi]
function normColour(v, domain) {
  if (v === null || !isFinite(v)) return "#e0301e";
  if (v <= 0) return magma(0);
  return magma((Math.log10(v) - domain[0]) / (domain[1] - domain[0]));
}

// runs: [{id, points: [[step, loss]], colour, dashed, status, message, chance, label}]
function drawLossPlot(svg, runs, maxStep) {
  clear(svg);
  const W = 660, H = 390, left = 62, right = 16, top = 14, bottom = 44;
  const losses = [];
  runs.forEach(r => r.points.forEach(p => losses.push(p[1])));
  runs.forEach(r => { if (r.chance) losses.push(r.chance); });
  // a diverging loss runs off the top: at most 4 decades above the highest chance level
  const chanceTop = Math.ceil(Math.log10(Math.max(1, ...runs.map(r => r.chance || 1)))) + 4;
  const [lo, hi] = logDomain(losses.length ? losses : [0.1, 1], chanceTop);
  const steps = Math.max(maxStep || 1, 1);
  const x = s => left + (W - left - right) * s / steps;
  const clamp = v => Math.min(hi, Math.max(lo, Math.log10(v)));  // off-scale: drawn at the edge
  const y = v => top + (H - top - bottom) * (hi - clamp(v)) / (hi - lo);
  const grid = svgEl("g", {class: "grid"}, svg), axis = svgEl("g", {class: "axis"}, svg);
  const every = Math.max(1, Math.ceil((hi - lo) / 8));
  for (let d = lo; d <= hi; d += every) {
    svgEl("line", {x1: left, x2: W - right, y1: y(10 ** d), y2: y(10 ** d)}, grid);
    svgText(axis, left - 6, y(10 ** d) + 4, `1e${d}`, {"text-anchor": "end"});
  }
  const stepTick = 10 ** Math.floor(Math.log10(steps));
  const tick = steps / stepTick >= 4 ? stepTick : stepTick / 2;
  for (let s = 0; s <= steps; s += tick) {
    svgEl("line", {x1: x(s), x2: x(s), y1: top, y2: H - bottom}, grid);
    svgText(axis, x(s), H - bottom + 16, String(Math.round(s)), {"text-anchor": "middle"});
  }
  svgEl("rect", {x: left, y: top, width: W - left - right, height: H - top - bottom,
                 fill: "none", stroke: "#999"}, svg);
  svgText(axis, (left + W - right) / 2, H - 8, "step", {"text-anchor": "middle"});
  svgText(axis, 14, (top + H - bottom) / 2, "training loss", {
    "text-anchor": "middle", transform: `rotate(-90 14 ${(top + H - bottom) / 2})`});
  const chances = [...new Set(runs.map(r => r.chance).filter(Boolean))];
  chances.forEach(c => {
    svgEl("line", {x1: left, x2: W - right, y1: y(c), y2: y(c), stroke: "#777",
                   "stroke-dasharray": "2 3", class: "chance"}, svg);
    svgText(svg, W - right - 4, y(c) - 4, `chance ${formatNumber(c)}`,
            {"text-anchor": "end", "font-size": "11", fill: "#555"});
  });
  runs.forEach(r => {
    const shown = r.points.filter(p => p[1] > 0 && isFinite(p[1]));
    svgEl("polyline", {
      points: shown.map(p => `${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`).join(" "),
      fill: "none", stroke: r.colour, "stroke-width": 2, "stroke-dasharray": r.dashed ? "6 3" : "",
      "data-run": r.id, "data-points": shown.length, class: "curve"}, svg);
    if (r.status === "diverged" && shown.length) {
      const last = shown[shown.length - 1], cx = x(last[0]), cy = y(last[1]);
      const cross = `M${cx - 6},${cy - 6}L${cx + 6},${cy + 6}M${cx - 6},${cy + 6}L${cx + 6},${cy - 6}`;
      svgEl("path", {d: cross, stroke: "#b00020", "stroke-width": 3, class: "diverged-mark"}, svg);
      svgText(svg, Math.min(cx + 9, W - 150), Math.max(cy - 8, top + 12),
              `run ${r.id} diverged at step ${last[0] + 1}`,
              {fill: "#b00020", "font-size": "12", "font-weight": "bold", class: "diverged-label"});
    }
  });
}

// one column of layers, layer 1 at the bottom; norms may hold null (not finite)
function drawColumn(svg, norms, domain) {
  clear(svg);
  if (!norms) return;
  const W = 120, H = 420, left = 30, top = 6, bottom = 6, n = norms.length;
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  const h = (H - top - bottom) / n;
  norms.forEach((v, k) => {
    const rect = svgEl("rect", {x: left, y: top + (n - 1 - k) * h, width: W - left - 4,
                                height: Math.max(h - (n <= 40 ? 1 : 0), 0.5),
                                fill: normColour(v, domain), "data-layer": k + 1,
                                "data-norm": v === null ? "nan" : v, class: "layer"}, svg);
    svgEl("title", {}, rect).textContent = `layer ${k + 1}: ||dL/dh|| = ${formatNumber(v)}`;
  });
  const every = Math.max(1, Math.ceil(n / 10));
  for (let k = 0; k < n; k += every) {
    svgText(svg, left - 4, top + (n - k - 0.5) * h + 4, String(k + 1), {"text-anchor": "end"});
  }
  if ((n - 1) % every) svgText(svg, left - 4, top + 0.5 * h + 4, String(n), {"text-anchor": "end"});
}

function drawColourBar(svg, domain) {
  clear(svg);
  const W = 90, H = 420, top = 6, bottom = 6, x = 4, w = 18, bands = 48;
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  const h = (H - top - bottom) / bands;
  for (let i = 0; i < bands; i++) {
    svgEl("rect", {x: x, y: top + (bands - 1 - i) * h, width: w, height: h + 0.5,
                   fill: magma((i + 0.5) / bands)}, svg);
  }
  const every = Math.max(1, Math.ceil((domain[1] - domain[0]) / 10));
  for (let d = domain[0]; d <= domain[1]; d += every) {
    const yy = top + (H - top - bottom) * (domain[1] - d) / (domain[1] - domain[0]);
    svgEl("line", {x1: x + w, x2: x + w + 4, y1: yy, y2: yy, stroke: "#444"}, svg);
    const clamped = (d === domain[1] && d === GRADIENT_TOP) ? "\u2265" :
      (d === domain[0] && domain[1] - d === GRADIENT_SPAN) ? "\u2264" : "";
    svgText(svg, x + w + 6, yy + 4, `${clamped}1e${d}`);
  }
}
