// The explorers' page: controls, runs, and where runs come from. Live, from the server that
// trains them (fetch + Server-Sent Events); in the report, replayed from data in the page.
"use strict";

(function () {
  const DATA = JSON.parse(document.getElementById("explorer-data").textContent);
  const LIVE = DATA.mode === "live";
  const TOKEN = new URLSearchParams(location.search).get("token") || "";
  const PAGE = Math.random().toString(36).slice(2) + Date.now().toString(36);
  const PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b",
                   "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"];
  const FAMILIES = ["plain", "residual"];
  const $ = id => document.getElementById(id);
  const state = {runs: [], current: null, columns: {plain: null, residual: null},
                 initRequest: 0, drawPending: false, nextReplayId: 1};

  // ----- controls, drawn from the spec the server (or the replay) describes -------------
  function buildControls() {
    const form = $("settings");
    DATA.spec.controls.forEach(c => {
      const label = document.createElement("label");
      label.className = c.kind === "flag" ? "flag" : "";
      let input;
      if (c.kind === "choice") {
        input = document.createElement("select");
        c.choices.forEach(choice => {
          const option = document.createElement("option");
          option.value = String(choice.value);
          option.textContent = choice.label;
          if (choice.title) option.title = choice.title;
          input.appendChild(option);
        });
        input.value = String(c.default);
      } else {
        input = document.createElement("input");
        if (c.kind === "flag") {
          input.type = "checkbox";
          input.checked = !!c.default;
        } else {
          input.type = "number";
          input.min = c.min;
          input.max = c.max;
          input.step = c.kind === "int" ? 1 : "any";
          input.value = c.default;
        }
      }
      input.id = `ctl-${c.name}`;
      input.name = c.name;
      input.disabled = !!c.fixed;
      if (c.fixed) label.title = "fixed in this replay";
      const text = document.createElement("span");
      text.textContent = c.kind === "flag" ? "skip connections" : c.name;
      if (c.kind === "flag") label.append(input, text); else label.append(text, input);
      form.appendChild(label);
      input.addEventListener("change", settingsChanged);
    });
  }

  function readSettings() {
    const settings = {};
    DATA.spec.controls.forEach(c => {
      const input = $(`ctl-${c.name}`);
      if (c.kind === "flag") settings[c.name] = input.checked;
      else if (c.kind === "choice") {
        const choice = c.choices.find(ch => String(ch.value) === input.value);
        settings[c.name] = choice ? choice.value : input.value;
      } else {
        const n = Number(input.value);  // the server says what is wrong with a bad value
        settings[c.name] = input.value.trim() !== "" && isFinite(n) ? n : input.value;
      }
    });
    return settings;
  }

  function setStatus(text, isError) {
    const status = $("status");
    status.textContent = text;
    status.className = isError ? "error" : "";
  }

  // ----- runs ------------------------------------------------------------------------------
  function newRun(id, label, settings, t0) {
    const run = {id: String(id), label, settings, points: [], status: "running", message: "",
                 colour: PALETTE[state.runs.length % PALETTE.length], dashed: !!settings.skip,
                 chance: null, t0, firstPointMs: null, lastStepAt: null};
    state.runs.push(run);
    state.current = run;
    return run;
  }

  function family(run) { return run.settings.skip ? "residual" : "plain"; }

  function onProgress(run, message) {
    if (message.points.length && run.firstPointMs === null) {
      run.firstPointMs = performance.now() - run.t0;
      document.body.dataset.firstPointMs = run.firstPointMs.toFixed(0);
      run.firstPointAt = performance.now();
      run.firstStep = message.points[0][0];
    }
    run.points.push(...message.points);
    if (message.chance) run.chance = message.chance;
    if (message.grads) {
      state.columns[family(run)] = {norms: message.grads.norms, run: run,
                                    note: `run ${run.id} at step ${message.grads.step}`};
    }
    scheduleDraw();
  }

  function onEnd(run, message) {
    if (run.status !== "running") return;
    run.status = message.status;
    run.message = message.message;
    updateButtons();
    scheduleDraw();
  }

  function stepsPerSecond(run) {
    if (run.points.length < 2 || !run.firstPointAt) return null;
    const seconds = (performance.now() - run.firstPointAt) / 1000;
    const last = run.points[run.points.length - 1][0];
    return run.status === "running" && seconds > 0 ? (last - run.firstStep) / seconds : null;
  }

  // ----- where runs come from -----------------------------------------------------------
  const api = path => `${path}?token=${encodeURIComponent(TOKEN)}`;

  async function post(path, body) {
    const response = await fetch(api(path), {method: "POST", body: JSON.stringify(body),
                                             headers: {"Content-Type": "application/json"}});
    const data = await response.json().catch(() => ({error: response.statusText}));
    if (!response.ok) throw new Error(`${response.status}: ${data.error || "request failed"}`);
    return data;
  }

  const liveSource = {
    async start(settings, t0) {
      const data = await post("api/runs", {page: PAGE, settings: settings});
      const run = newRun(data.run, data.label, data.settings, t0);
      const events = new EventSource(api(`api/runs/${run.id}/events`));
      run.events = events;
      events.addEventListener("progress", e => onProgress(run, JSON.parse(e.data)));
      events.addEventListener("end", e => { onEnd(run, JSON.parse(e.data)); events.close(); });
      events.onerror = () => {
        events.close();
        onEnd(run, {status: "stopped", message: "the connection to the server was lost"});
      };
      return run;
    },
    stop(run) { fetch(api(`api/runs/${run.id}/stop`), {method: "POST"}); },
    async init(settings) { return post("api/init", {settings: settings}); },
  };

  const replayKey = s => `${s.depth}/${s.seed}/${s.skip ? 1 : 0}`;

  const replaySource = {
    record(settings) {
      const record = DATA.replay.runs[replayKey(settings)];
      if (!record) throw new Error(`no replay for depth ${settings.depth}, seed ${settings.seed}`);
      return record;
    },
    start(settings, t0) {
      const record = this.record(settings);
      const current = state.current;  // one run at a time, as the live server does it
      if (current && current.status === "running") {
        clearInterval(current.timer);
        onEnd(current, {status: "stopped", message: "replaced by a new run from the same page"});
      }
      const run = newRun(state.nextReplayId++, record.label, settings, t0);
      let done = 0, snapshot = 0;
      run.timer = setInterval(() => {
        const upto = Math.min(record.losses.length, done + DATA.replay.steps_per_tick);
        const points = record.losses.slice(done, upto).map((loss, i) => [done + i, loss]);
        let grads = null;
        while (snapshot < record.grads.length && record.grads[snapshot][0] < upto) {
          grads = {step: record.grads[snapshot][0], norms: record.grads[snapshot][1]};
          snapshot++;
        }
        done = upto;
        onProgress(run, {points: points, grads: grads, chance: record.chance});
        if (done >= record.losses.length) {
          clearInterval(run.timer);
          onEnd(run, {status: record.status, message: record.message});
        }
      }, DATA.replay.tick_ms);
      return run;
    },
    stop(run) {
      clearInterval(run.timer);
      onEnd(run, {status: "stopped", message: `stopped at step ${run.points.length}`});
    },
    async init(settings) {
      const column = skip => this.record(Object.assign({}, settings, {skip})).grads[0][1];
      return {plain: column(false), residual: column(true)};
    },
  };

  const source = LIVE ? liveSource : replaySource;

  // ----- buttons ---------------------------------------------------------------------------
  async function train() {
    const t0 = performance.now();
    const settings = readSettings();
    setStatus("starting...");
    try {
      await source.start(settings, t0);
      setStatus("training...");
    } catch (error) {
      setStatus(error.message, true);
    }
    updateButtons();
    scheduleDraw();
  }

  function stop() {
    if (state.current && state.current.status === "running") source.stop(state.current);
  }

  function reset() {
    stop();
    state.runs = [];
    state.current = null;
    FAMILIES.forEach(f => { state.columns[f] = null; });
    setStatus("");
    refreshInit();
    scheduleDraw();
  }

  function updateButtons() {
    const running = !!(state.current && state.current.status === "running");
    $("ui-stop").disabled = !running;
    document.body.dataset.state = running ? "training" : "idle";
  }

  // ----- gradients at initialisation for the settings shown ---------------------------------
  // the settings that decide a network's initial gradient (skip picks the column)
  const NETWORK = ["task", "depth", "width", "block", "init", "seed"];
  const networkKey = s => NETWORK.map(name => String(s[name])).join("/");

  let initTimer = null;
  function settingsChanged() {
    clearTimeout(initTimer);
    initTimer = setTimeout(refreshInit, 250);
  }

  async function refreshInit() {
    const request = ++state.initRequest;
    const settings = readSettings();
    try {
      const columns = await source.init(settings);
      if (request !== state.initRequest) return;  // a newer request is on its way
      FAMILIES.forEach(f => {
        const shown = state.columns[f];
        // a run's column stays while it trains, or while it is the network shown above
        if (shown && shown.run && (shown.run.status === "running" ||
                                   networkKey(shown.run.settings) === networkKey(settings))) return;
        state.columns[f] = {norms: columns[f], run: null,
                            note: `depth ${settings.depth}, at initialisation (before any step)`};
      });
      scheduleDraw();
    } catch (error) {
      if (request === state.initRequest) setStatus(error.message, true);
    }
  }

  // ----- drawing -----------------------------------------------------------------------------
  function scheduleDraw() {
    if (state.drawPending) return;
    state.drawPending = true;
    requestAnimationFrame(() => { state.drawPending = false; draw(); });
  }

  function runText(run) {
    const last = run.points.length ? run.points[run.points.length - 1] : null;
    const at = last ? `${run.points.length} steps, last loss ${formatNumber(last[1])}`
                    : "no step yet";
    if (run.status === "running") return `training: ${at}`;
    if (run.status === "done") return `done: ${at}`;
    return `${run.message || run.status} (${at})`;
  }

  // the step axis: the next of 10, 20, 50, 100, ... beyond the furthest step reached, up to
  // the longest run planned, so that a long run's first steps are not squeezed to the left
  function stepAxis() {
    const planned = Math.max(1, ...state.runs.map(r => r.settings.steps || 1));
    const reached = Math.max(0, ...state.runs.map(r => r.points.length));
    let nice = 10;
    while (nice < reached) nice *= String(nice)[0] === "2" ? 2.5 : 2;
    return Math.min(planned, nice);
  }

  function draw() {
    drawLossPlot($("loss-plot"), state.runs, stepAxis());
    const legend = $("legend");
    legend.textContent = "";
    state.runs.forEach(run => {
      const item = document.createElement("li");
      item.dataset.run = run.id;
      item.dataset.status = run.status;
      const swatch = document.createElement("span");
      swatch.className = `swatch${run.dashed ? " dashed" : ""}`;
      swatch.style.borderTopColor = run.colour;
      const status = document.createElement("span");
      status.className = run.status === "diverged" ? "diverged" : "";
      status.textContent = ` - ${runText(run)}`;
      item.append(swatch, `run ${run.id}: ${run.label}`, status);
      legend.appendChild(item);
    });
    const values = [];
    FAMILIES.forEach(f => { if (state.columns[f]) values.push(...state.columns[f].norms); });
    const domain = gradientDomain(values);
    FAMILIES.forEach(f => {
      const figure = $(`column-${f}`), column = state.columns[f];
      drawColumn(figure.querySelector("svg"), column ? column.norms : null, domain);
      figure.querySelector(".column-note").textContent = column ? column.note : "";
    });
    drawColourBar($("colour-bar"), domain);
    const run = state.current;
    if (run && run.status === "running" && run.points.length) {
      const rate = stepsPerSecond(run);
      setStatus(`run ${run.id}: ${run.points.length} of ${run.settings.steps} steps` +
                (rate ? `, ${rate.toFixed(0)} steps/s` : "") +
                `; first point ${run.firstPointMs.toFixed(0)} ms after Train`);
    } else if (run && run.status !== "running" && !$("status").classList.contains("error")) {
      setStatus(`run ${run.id}: ${runText(run)}`);
    }
  }

  // ----- start -------------------------------------------------------------------------------
  $("banner").textContent = DATA.banner;
  $("banner").className = LIVE ? "live" : "replay";
  $("about").textContent = DATA.about;
  if (LIVE) {
    $("nav-block").href = api("block");
    $("nav-block").hidden = false;
    window.addEventListener("pagehide", () => {
      const run = state.current;
      if (run && run.status === "running") navigator.sendBeacon(api(`api/runs/${run.id}/stop`));
    });
  }
  buildControls();
  $("ui-train").addEventListener("click", train);
  $("ui-stop").addEventListener("click", stop);
  $("ui-reset").addEventListener("click", reset);
  refreshInit();
  draw();
})();
