// The stepper's camera: zoom and pan an inline SVG by its viewBox, follow the current op, and a
// small overview of the whole graph. Plain JavaScript, no libraries (the page works offline).
var StepperView = (function () {
  "use strict";
  var READABLE = 0.9;   // px per point: below it 10pt labels are too small to read
  var FOLLOW = 1.25;    // the zoom the view moves to when following from an unreadable one
  var MAX = 6;

  // svg: an SVG element with a viewBox (Graphviz's, in points); frame: the element it fills
  function View(svg, frame, withMinimap) {
    var base = svg.viewBox.baseVal;
    this.svg = svg;
    this.frame = frame;
    this.full = { x: base.x, y: base.y, w: base.width, h: base.height };
    this.view = { x: base.x, y: base.y, w: base.width, h: base.height };
    this.dragged = false;
    this.manual = false;     // zoomed or panned by hand: a new frame size keeps that view
    this.onAutoResize = null;  // otherwise this redoes the automatic view
    svg.removeAttribute("width");
    svg.removeAttribute("height");
    svg.setAttribute("preserveAspectRatio", "xMidYMid meet");
    if (withMinimap) { this.minimap = makeMinimap(this); }
    listen(this);
  }

  View.prototype.size = function () {
    var r = this.frame.getBoundingClientRect();
    return { w: Math.max(r.width, 1), h: Math.max(r.height, 1), left: r.left, top: r.top };
  };
  // pixels per point at the current view
  View.prototype.scale = function () { return this.size().w / this.view.w; };
  View.prototype.fitScale = function () {
    var s = this.size();
    return Math.min(s.w / this.full.w, s.h / this.full.h);
  };

  // the view of scale s centred on the point (cx, cy) of the graph
  View.prototype.at = function (s, cx, cy) {
    var size = this.size();
    s = Math.min(Math.max(s, this.fitScale() * 0.5), MAX);
    return { x: cx - size.w / s / 2, y: cy - size.h / s / 2, w: size.w / s, h: size.h / s };
  };

  // the same view moved so that the graph fills it where it can: no empty margin beside a
  // graph larger than the view, and a smaller graph centred
  View.prototype.clamp = function (v) {
    var f = this.full;
    function axis(start, length, fullStart, fullLength) {
      if (length >= fullLength) { return fullStart + fullLength / 2 - length / 2; }
      return Math.min(Math.max(start, fullStart), fullStart + fullLength - length);
    }
    return { x: axis(v.x, v.w, f.x, f.w), y: axis(v.y, v.h, f.y, f.h), w: v.w, h: v.h };
  };

  View.prototype.apply = function (v) {
    this.view = v;
    this.svg.setAttribute("viewBox", [v.x, v.y, v.w, v.h].join(" "));
    this.frame.setAttribute("data-zoom", this.scale().toFixed(3));  // px per point
    this.frame.setAttribute("data-fit", this.fitScale().toFixed(3));  // ... for the whole graph
    if (this.minimap) { this.minimap.update(); }
  };

  // move to view `to` in a short animation (a jump when the page is hidden or asks for none)
  View.prototype.moveTo = function (to) {
    var self = this, from = this.view, start = null, frame = this.frame;
    if (this.animation) { cancelAnimationFrame(this.animation); }
    frame.setAttribute("data-moving", "1");
    function tick(now) {
      if (start === null) { start = now; }
      var t = Math.min((now - start) / 220, 1), e = t * (2 - t);
      self.apply({ x: from.x + (to.x - from.x) * e, y: from.y + (to.y - from.y) * e,
                   w: from.w + (to.w - from.w) * e, h: from.h + (to.h - from.h) * e });
      if (t < 1) { self.animation = requestAnimationFrame(tick); return; }
      self.animation = null;
      frame.removeAttribute("data-moving");
    }
    this.animation = requestAnimationFrame(tick);
  };

  View.prototype.fit = function (animate) {
    var to = this.at(this.fitScale(), this.full.x + this.full.w / 2, this.full.y + this.full.h / 2);
    if (animate) { this.moveTo(to); } else { this.apply(to); }
  };

  View.prototype.zoomAt = function (factor, px, py) {
    var s = this.scale(), v = this.view;
    var ux = v.x + px / s, uy = v.y + py / s;
    var next = this.at(s * factor, 0, 0), s2 = this.size().w / next.w;
    this.apply({ x: ux - px / s2, y: uy - py / s2, w: next.w, h: next.h });
  };

  // the box (in graph points) that covers the elements with these ids
  View.prototype.box = function (ids) {
    var size = this.size(), s = this.scale(), v = this.view, box = null, svg = this.svg;
    ids.forEach(function (id) {
      var el = document.getElementById(id);
      if (!el || !svg.contains(el)) { return; }
      var r = el.getBoundingClientRect();
      var b = { x0: v.x + (r.left - size.left) / s, y0: v.y + (r.top - size.top) / s,
                x1: v.x + (r.right - size.left) / s, y1: v.y + (r.bottom - size.top) / s };
      box = box ? { x0: Math.min(box.x0, b.x0), y0: Math.min(box.y0, b.y0),
                    x1: Math.max(box.x1, b.x1), y1: Math.max(box.y1, b.y1) } : b;
    });
    return box;
  };

  // Keep the current op in view and readable; show its inputs and outputs with it when they fit.
  View.prototype.follow = function (current, around) {
    var box = this.box(current);
    if (!box) { return; }
    var s = this.scale(), v = this.view;
    if (s < READABLE) { s = Math.max(FOLLOW, this.fitScale()); }
    var all = this.box(current.concat(around)) || box, size = this.size();
    var fits = (all.x1 - all.x0) * s < size.w * 0.9 && (all.y1 - all.y0) * s < size.h * 0.9;
    var aim = fits ? all : box;
    var mx = v.w * 0.12, my = v.h * 0.12;
    var inside = aim.x0 > v.x + mx && aim.x1 < v.x + v.w - mx &&
                 aim.y0 > v.y + my && aim.y1 < v.y + v.h - my;
    if (inside && s === this.scale()) { return; }
    var to = this.clamp(this.at(s, (aim.x0 + aim.x1) / 2, (aim.y0 + aim.y1) / 2));
    if (Math.abs(to.x - v.x) + Math.abs(to.y - v.y) + Math.abs(to.w - v.w) < v.w * 0.01) {
      return;
    }
    this.moveTo(to);
  };

  function listen(self) {
    var frame = self.frame, drag = null;
    frame.addEventListener("wheel", function (event) {
      event.preventDefault();
      self.manual = true;
      var size = self.size();
      self.zoomAt(Math.exp(-event.deltaY * 0.0015), event.clientX - size.left,
                  event.clientY - size.top);
    }, { passive: false });
    frame.addEventListener("pointerdown", function (event) {
      if (event.button !== 0 || (self.minimap && self.minimap.svg.contains(event.target))) {
        return;
      }
      drag = { x: event.clientX, y: event.clientY, view: self.view, moved: false };
      self.dragged = false;
    });
    window.addEventListener("pointermove", function (event) {
      if (!drag) { return; }
      var dx = event.clientX - drag.x, dy = event.clientY - drag.y, s = self.scale();
      if (!drag.moved && Math.abs(dx) + Math.abs(dy) < 4) { return; }
      drag.moved = self.dragged = self.manual = true;
      frame.classList.add("dragging");
      self.apply({ x: drag.view.x - dx / s, y: drag.view.y - dy / s,
                   w: drag.view.w, h: drag.view.h });
    });
    window.addEventListener("pointerup", function () {
      drag = null;
      frame.classList.remove("dragging");
    });
    // a new frame size (the window, a block opened below): same zoom, same centre
    var width = self.size().w;
    // (a page in a frame may run its script before the frame has its final size)
    function resized() {
      var v = self.view, s = self.size();
      if (s.w < 2 || s.h < 2) { return; }  // hidden
      var scale = width / v.w;
      width = s.w;
      if (!self.manual && self.onAutoResize) { self.onAutoResize(); return; }
      self.apply(self.at(scale, v.x + v.w / 2, v.y + v.h / 2));
    }
    if (window.ResizeObserver) { new ResizeObserver(resized).observe(frame); } else {
      window.addEventListener("resize", resized);
    }
  }

  // The overview: the boxes and nodes of the whole graph drawn once on a canvas (a live copy of
  // the drawing would be redrawn on every highlight), and the part on screen as a frame.
  function makeMinimap(self) {
    var full = self.full, group = self.svg.querySelector("g.graph");
    if (!group) { return null; }
    var box = document.createElement("div"), canvas = document.createElement("canvas");
    var frame = document.createElement("div");
    var width = 200, height = width * full.h / full.w;
    if (height > 130) { width = width * 130 / height; height = 130; }
    width = Math.max(width, 40);
    height = Math.max(height, 24);
    box.className = "minimap";
    box.style.width = width + "px";
    box.style.height = height + "px";
    frame.className = "minimap-view";
    var ratio = window.devicePixelRatio || 1;
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
    box.appendChild(canvas);
    box.appendChild(frame);
    self.frame.appendChild(box);
    var k = width / full.w, sy = height / full.h;
    var toGraph = group.transform.baseVal.consolidate();
    var m = toGraph ? toGraph.matrix : { a: 1, b: 0, c: 0, d: 1, e: 0, f: 0 };
    var pen = canvas.getContext("2d");
    pen.scale(ratio, ratio);
    function draw(selector, fill, stroke) {
      Array.prototype.forEach.call(group.querySelectorAll(selector), function (element) {
        var shape = element.querySelector("polygon, ellipse, path");
        var b = element.getBBox();
        var x = m.a * b.x + m.c * b.y + m.e - full.x, y = m.b * b.x + m.d * b.y + m.f - full.y;
        pen.fillStyle = fill || (shape && shape.getAttribute("fill")) || "#ccc";
        pen.fillRect(x * k, y * sy, Math.max(b.width * k, 1), Math.max(b.height * sy, 1));
        if (stroke) {
          pen.strokeStyle = stroke;
          pen.strokeRect(x * k, y * sy, b.width * k, b.height * sy);
        }
      });
    }
    draw("g.cluster", "#f1f1f1", "#bbb");
    draw("g.node", null, null);
    function centre(event) {
      var r = box.getBoundingClientRect();
      self.manual = true;
      self.apply(self.clamp(self.at(self.scale(),
                                    full.x + (event.clientX - r.left) / r.width * full.w,
                                    full.y + (event.clientY - r.top) / r.height * full.h)));
    }
    var pressed = false;
    box.addEventListener("pointerdown", function (event) {
      pressed = true;
      event.stopPropagation();
      centre(event);
    });
    window.addEventListener("pointermove", function (event) { if (pressed) { centre(event); } });
    window.addEventListener("pointerup", function () { pressed = false; });
    return {
      svg: box,
      update: function () {
        var v = self.view;
        var x0 = Math.max(v.x, full.x), y0 = Math.max(v.y, full.y);
        var x1 = Math.min(v.x + v.w, full.x + full.w), y1 = Math.min(v.y + v.h, full.y + full.h);
        frame.style.left = (x0 - full.x) * k + "px";
        frame.style.top = (y0 - full.y) * sy + "px";
        frame.style.width = Math.max((x1 - x0) * k, 2) + "px";
        frame.style.height = Math.max((y1 - y0) * sy, 2) + "px";
        // nothing to find when the whole graph is on screen
        box.classList.toggle("hidden", v.w >= full.w * 0.98 && v.h >= full.h * 0.98);
      }
    };
  }

  return { View: View, READABLE: READABLE };
}());
