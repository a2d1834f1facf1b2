// The stepper's camera: zoom and pan an inline SVG by its viewBox, follow the current op, and a
// small overview of the whole graph. Plain JavaScript, no libraries (the page works offline).
var StepperView = (function () {
  "use strict";
  var READABLE = 0.9;   // px per point: below it 10pt labels are too small to read
  var FOLLOW = 1.25;    // the zoom the view moves to when following from an unreadable one
  var MAX = 6;
  var SVG_NS = "http://www.w3.org/2000/svg";

  // svg: an <svg> with a viewBox (Graphviz's, in points); frame: the element it fills
  function View(svg, frame, withMinimap) {
    var base = svg.viewBox.baseVal;
    this.svg = svg;
    this.frame = frame;
    this.full = { x: base.x, y: base.y, w: base.width, h: base.height };
    this.view = { x: base.x, y: base.y, w: base.width, h: base.height };
    this.dragged = false;
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

  View.prototype.apply = function (v) {
    this.view = v;
    this.svg.setAttribute("viewBox", [v.x, v.y, v.w, v.h].join(" "));
    this.frame.setAttribute("data-zoom", this.scale().toFixed(3));
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
    this.moveTo(this.at(s, (aim.x0 + aim.x1) / 2, (aim.y0 + aim.y1) / 2));
  };

  function listen(self) {
    var frame = self.frame, drag = null;
    frame.addEventListener("wheel", function (event) {
      event.preventDefault();
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
      drag.moved = self.dragged = true;
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
    function resized() {
      var v = self.view, s = self.size();
      if (s.w < 2 || s.h < 2) { return; }  // hidden
      var scale = width / v.w;
      width = s.w;
      self.apply(self.at(scale, v.x + v.w / 2, v.y + v.h / 2));
    }
    if (window.ResizeObserver) { new ResizeObserver(resized).observe(frame); } else {
      window.addEventListener("resize", resized);
    }
  }

  // the overview: the same drawing through <use> (no second copy in the page), the view as a box
  function makeMinimap(self) {
    var full = self.full, group = self.svg.querySelector("g.graph");
    if (!group || !group.id) { return null; }
    var svg = document.createElementNS(SVG_NS, "svg"), use = document.createElementNS(SVG_NS, "use");
    var rect = document.createElementNS(SVG_NS, "rect");
    svg.setAttribute("class", "minimap");
    svg.setAttribute("viewBox", [full.x, full.y, full.w, full.h].join(" "));
    var width = 200, height = width * full.h / full.w;
    if (height > 130) { width = width * 130 / height; height = 130; }
    svg.style.width = Math.max(width, 40) + "px";
    svg.style.height = Math.max(height, 24) + "px";
    use.setAttribute("href", "#" + group.id);
    rect.setAttribute("class", "minimap-view");
    svg.appendChild(use);
    svg.appendChild(rect);
    self.frame.appendChild(svg);
    function centre(event) {
      var r = svg.getBoundingClientRect(), s = self.scale();
      var x = full.x + (event.clientX - r.left) / r.width * full.w;
      var y = full.y + (event.clientY - r.top) / r.height * full.h;
      self.apply(self.at(s, x, y));
    }
    var pressed = false;
    svg.addEventListener("pointerdown", function (event) {
      pressed = true;
      event.stopPropagation();
      centre(event);
    });
    window.addEventListener("pointermove", function (event) { if (pressed) { centre(event); } });
    window.addEventListener("pointerup", function () { pressed = false; });
    return {
      svg: svg,
      update: function () {
        var v = self.view;
        rect.setAttribute("x", v.x);
        rect.setAttribute("y", v.y);
        rect.setAttribute("width", v.w);
        rect.setAttribute("height", v.h);
        rect.setAttribute("stroke-width", Math.max(full.w / 200, 1));
        // nothing to find when the whole graph is on screen
        svg.classList.toggle("hidden", v.w >= full.w * 0.98 && v.h >= full.h * 0.98);
      }
    };
  }

  return { View: View, READABLE: READABLE };
}());
