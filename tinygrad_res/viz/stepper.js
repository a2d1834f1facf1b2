// The stepper: moves through the steps stored as JSON in the page and highlights the graph.
// Plain JavaScript, no libraries: the page must work offline, opened from disk.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("ui-steps").textContent);
  var svg = document.getElementById("graph-svg");
  var graphBox = document.getElementById("ui-graph");
  var slider = document.getElementById("ui-slider");
  var counter = document.getElementById("ui-counter");
  var title = document.getElementById("ui-step-title");
  var blocksBox = document.getElementById("ui-step-blocks");
  var buttons = {
    prev: document.getElementById("ui-prev"),
    next: document.getElementById("ui-next"),
    zoom: document.getElementById("ui-zoom"),
    forward: document.getElementById("ui-mode-forward"),
    backward: document.getElementById("ui-mode-backward")
  };
  var HIGHLIGHTS = ["current", "source", "target", "pending", "has-grad", "active"];
  var mode = data.backward.length ? "backward" : "forward";
  var index = 0;

  function svgElement(id) {
    var element = document.getElementById(id);
    return element && svg.contains(element) ? element : null;
  }

  function mark(ids, cls) {
    ids.forEach(function (id) {
      var element = svgElement(id);
      if (element) { element.classList.add(cls); }
    });
  }

  function clearMarks() {
    HIGHLIGHTS.forEach(function (cls) {
      Array.prototype.forEach.call(svg.querySelectorAll("." + cls), function (element) {
        element.classList.remove(cls);
      });
    });
  }

  // Forward: fade what is not computed yet. Backward: outline what has a gradient already.
  function markProgress(steps) {
    var seen = {};
    if (mode === "forward") {
      steps.forEach(function (step, i) {
        if (i > index) { mark(step.current.concat(step.targets), "pending"); }
      });
      return;
    }
    steps.slice(0, index + 1).forEach(function (step) {
      step.source.concat(step.targets).forEach(function (id) { seen[id] = true; });
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
    clearMarks();
    buttons.forward.classList.toggle("active", mode === "forward");
    buttons.backward.classList.toggle("active", mode === "backward");
    slider.max = Math.max(steps.length - 1, 0);
    if (!steps.length) {
      title.textContent = "No " + mode + " steps: nothing in this graph needs a gradient.";
      blocksBox.textContent = "";
      counter.textContent = "0 / 0";
      return;
    }
    index = Math.min(Math.max(index, 0), steps.length - 1);
    var step = steps[index];
    markProgress(steps);
    mark(step.source, "source");
    mark(step.targets, "target");
    mark(step.current, "current");
    mark(step.edges, "active");
    title.textContent = step.title;
    renderBlocks(step);
    slider.value = index;
    counter.textContent = (index + 1) + " / " + steps.length;
    buttons.prev.disabled = index === 0;
    buttons.next.disabled = index === steps.length - 1;
    document.body.setAttribute("data-mode", mode);
    document.body.setAttribute("data-step", String(index));
    var current = svgElement(step.current[0]);
    if (current && !graphBox.classList.contains("fit")) {
      current.scrollIntoView({ block: "nearest", inline: "center" });
    }
  }

  function go(newIndex) { index = newIndex; show(); }

  function setMode(newMode) {
    if (newMode !== mode) { mode = newMode; index = 0; show(); }
  }

  function toggleZoom() {
    var fit = graphBox.classList.toggle("fit");
    var box = svg.viewBox.baseVal;
    // Graphviz sizes are in points: 1pt = 4/3 px
    svg.style.width = fit ? "" : (box.width * 4 / 3) + "px";
    buttons.zoom.textContent = fit ? "Full size" : "Fit to window";
    show();
  }

  buttons.prev.addEventListener("click", function () { go(index - 1); });
  buttons.next.addEventListener("click", function () { go(index + 1); });
  buttons.zoom.addEventListener("click", toggleZoom);
  buttons.forward.addEventListener("click", function () { setMode("forward"); });
  buttons.backward.addEventListener("click", function () { setMode("backward"); });
  slider.addEventListener("input", function () { go(Number(slider.value)); });
  document.addEventListener("keydown", function (event) {
    if (event.target === slider && event.key.indexOf("Arrow") === 0) { return; }
    var keys = {
      ArrowRight: function () { go(index + 1); }, ArrowLeft: function () { go(index - 1); },
      Home: function () { go(0); }, End: function () { go(data[mode].length - 1); },
      f: function () { setMode("forward"); }, b: function () { setMode("backward"); }
    };
    if (keys[event.key]) { event.preventDefault(); keys[event.key](); }
  });
  // clicking an op (or the tensor it made) jumps to that op's step
  svg.addEventListener("click", function (event) {
    var node = event.target.closest ? event.target.closest("g.node") : null;
    if (!node) { return; }
    var steps = data[mode];
    for (var i = 0; i < steps.length; i++) {
      var made = mode === "forward" ? steps[i].targets : steps[i].source;
      if (steps[i].current.indexOf(node.id) >= 0 || made.indexOf(node.id) >= 0) {
        go(i);
        return;
      }
    }
  });
  show();
}());
