// The stepper: moves through the steps stored as JSON in the page and highlights the graph.
// Plain JavaScript, no libraries: the page must work offline, opened from disk.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("ui-steps").textContent);
  var svg = document.getElementById("graph-svg");
  var graphBox = document.getElementById("ui-graph");
  var blockPane = document.getElementById("ui-block");
  var blockTitle = document.getElementById("ui-block-title");
  var slider = document.getElementById("ui-slider");
  var counter = document.getElementById("ui-counter");
  var title = document.getElementById("ui-step-title");
  var blocksBox = document.getElementById("ui-step-blocks");
  var buttons = {
    prev: document.getElementById("ui-prev"),
    next: document.getElementById("ui-next"),
    zoom: document.getElementById("ui-zoom"),
    closeBlock: document.getElementById("ui-block-close"),
    forward: document.getElementById("ui-mode-forward"),
    backward: document.getElementById("ui-mode-backward")
  };
  var HIGHLIGHTS = ["current", "source", "target", "pending", "has-grad", "active"];
  var mode = data.backward.length ? "backward" : "forward";
  var index = 0;
  var view = new StepperView.View(svg, graphBox, true);
  var blockViews = {};  // folded node id -> the View of its own drawing, made when first opened
  var openBlock = null;

  var marked = {};  // id -> {class: true} of the highlights on the page now
  var wanted = {};  // the same for the step being drawn

  // An id names a node of the graph or of a folded block's drawing (ids are unique on the
  // page). Each step's highlights are collected, then only the changes touch the page: a
  // class removed and added back would restyle (and re-fade) the node for nothing.
  function mark(ids, cls) {
    ids.forEach(function (id) { (wanted[id] = wanted[id] || {})[cls] = true; });
  }

  // a step's highlights in the graph, and inside its folded block when that one is open
  // (the hidden blocks' drawings are never marked)
  function markStep(step, cls, key) {
    mark(step[key], cls);
    if (step.raw && step.block === openBlock) { mark(step.raw[key], cls); }
  }

  function applyMarks() {
    function update(id, from, to) {
      var element = document.getElementById(id);
      if (!element) { return; }
      HIGHLIGHTS.forEach(function (cls) {
        if (!from[cls] !== !to[cls]) { element.classList.toggle(cls, !!to[cls]); }
      });
    }
    Object.keys(marked).forEach(function (id) { if (!wanted[id]) { update(id, marked[id], {}); } });
    Object.keys(wanted).forEach(function (id) { update(id, marked[id] || {}, wanted[id]); });
    marked = wanted;
    wanted = {};
  }

  function showBlock(id) {
    var info = data.blocks[id];
    if (!info) { return; }
    if (openBlock) { document.getElementById("block-" + openBlock).hidden = true; }
    openBlock = id;
    blockPane.hidden = false;
    document.body.classList.add("block-open");
    document.body.setAttribute("data-block", id);
    blockTitle.textContent = info.label + ": " + info.ops + " ops, unfolded";
    var holder = document.getElementById("block-" + id);
    holder.hidden = false;
    if (!blockViews[id]) {
      blockViews[id] = new StepperView.View(holder.querySelector("svg"), holder, false);
    }
    blockViews[id].fit(false);
  }

  function closeBlock() {
    if (openBlock) { document.getElementById("block-" + openBlock).hidden = true; }
    openBlock = null;
    blockPane.hidden = true;
    document.body.classList.remove("block-open");
    document.body.removeAttribute("data-block");
    show();  // the closed block's highlights go
  }

  // Forward: fade what is not computed yet. Backward: outline what has a gradient already.
  function markProgress(steps) {
    var seen = {};
    if (mode === "forward") {
      steps.forEach(function (step, i) {
        if (i > index) {
          markStep(step, "pending", "current");
          markStep(step, "pending", "targets");
        }
      });
      return;
    }
    var none = { source: [], targets: [] };
    steps.slice(0, index + 1).forEach(function (step) {
      [step, step.raw && step.block === openBlock ? step.raw : none].forEach(function (ids) {
        ids.source.concat(ids.targets).forEach(function (id) { seen[id] = true; });
      });
    });
    mark(Object.keys(seen), "has-grad");
  }

  function renderBlocks(step) {
    blocksBox.textContent = "";
    step.blocks.forEach(function (block) {
      var box = document.createElement("div");
      box.className = "block " + block.kind;
      var label = document.createElement("div");
      label.className = "label";
      label.textContent = block.label;
      box.appendChild(label);
      if (block.text) {
        var text = document.createElement("pre");
        text.textContent = block.text;
        box.appendChild(text);
      }
      blocksBox.appendChild(box);
    });
  }

  function show() {
    var steps = data[mode];
    buttons.forward.classList.toggle("active", mode === "forward");
    buttons.backward.classList.toggle("active", mode === "backward");
    slider.max = Math.max(steps.length - 1, 0);
    if (!steps.length) {
      title.textContent = "No " + mode + " steps: nothing in this graph needs a gradient.";
      blocksBox.textContent = "";
      counter.textContent = "0 / 0";
      applyMarks();
      return;
    }
    index = Math.min(Math.max(index, 0), steps.length - 1);
    var step = steps[index];
    // an open block follows the steps from one folded block into the next
    if (openBlock && step.block && step.block !== openBlock) { showBlock(step.block); }
    markProgress(steps);
    markStep(step, "source", "source");
    markStep(step, "target", "targets");
    markStep(step, "current", "current");
    markStep(step, "active", "edges");
    applyMarks();
    title.textContent = step.title;
    renderBlocks(step);
    slider.value = index;
    counter.textContent = (index + 1) + " / " + steps.length;
    buttons.prev.disabled = index === 0;
    buttons.next.disabled = index === steps.length - 1;
    document.body.setAttribute("data-mode", mode);
    document.body.setAttribute("data-step", String(index));
    view.follow(step.current, step.source.concat(step.targets));
    if (openBlock && step.block === openBlock) {
      blockViews[openBlock].follow(step.raw.current, step.raw.source.concat(step.raw.targets));
    }
  }

  function go(newIndex) { index = newIndex; show(); }

  function setMode(newMode) {
    if (newMode !== mode) { mode = newMode; index = 0; show(); }
  }

  buttons.prev.addEventListener("click", function () { go(index - 1); });
  buttons.next.addEventListener("click", function () { go(index + 1); });
  buttons.zoom.addEventListener("click", function () { view.manual = false; view.fit(true); });
  buttons.closeBlock.addEventListener("click", closeBlock);
  buttons.forward.addEventListener("click", function () { setMode("forward"); });
  buttons.backward.addEventListener("click", function () { setMode("backward"); });
  slider.addEventListener("input", function () { go(Number(slider.value)); });
  document.addEventListener("keydown", function (event) {
    if (event.target === slider && event.key.indexOf("Arrow") === 0) { return; }
    var keys = {
      ArrowRight: function () { go(index + 1); }, ArrowLeft: function () { go(index - 1); },
      Home: function () { go(0); }, End: function () { go(data[mode].length - 1); },
      f: function () { setMode("forward"); }, b: function () { setMode("backward"); },
      "+": function () { zoomCentre(1.25); }, "-": function () { zoomCentre(0.8); },
      "=": function () { zoomCentre(1.25); },
      "0": function () { view.manual = false; view.fit(true); }, Escape: closeBlock
    };
    if (keys[event.key]) { event.preventDefault(); keys[event.key](); }
  });
  function zoomCentre(factor) {
    var size = view.size();
    view.manual = true;
    view.zoomAt(factor, size.w / 2, size.h / 2);
  }

  // clicking an op (or the tensor it made) jumps to that op's step; a folded block opens
  function jumpTo(event) {
    var node = event.target.closest ? event.target.closest("g.node") : null;
    var inBlock = event.currentTarget !== graphBox;
    if (!node || (inBlock ? blockViews[openBlock].dragged : view.dragged)) { return; }
    if (data.blocks[node.id]) { showBlock(node.id); }
    var steps = data[mode];
    for (var i = 0; i < steps.length; i++) {
      var ids = inBlock ? steps[i].raw : steps[i];
      if (!ids) { continue; }
      var made = mode === "forward" ? ids.targets : ids.source;
      if (ids.current.indexOf(node.id) >= 0 || made.indexOf(node.id) >= 0) {
        go(i);
        return;
      }
    }
  }
  graphBox.addEventListener("click", jumpTo);
  document.getElementById("ui-block-views").addEventListener("click", jumpTo);
  // the automatic view: the whole graph, or (when that is unreadable) the current op
  view.onAutoResize = function () {
    view.fit(false);
    var step = data[mode][index];
    if (step) { view.follow(step.current, step.source.concat(step.targets)); }
  };
  view.fit(false);
  show();
  document.body.setAttribute("data-ready", String(performance.now()));
}());
