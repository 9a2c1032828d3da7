// vimsim's dashboard: logs in through the control API, then follows the server-sent event
// stream /vimsim/v1/stream (a "view" with everything, then "update"s with what changed).
// Every value is put in the page as text, never as markup.
"use strict";

const API = "/vimsim/v1";
const state = { token: null, vms: new Map(), tree: null, tasks: [], events: [], rules: [],
                sessions: { count: 0, shown: [] }, clock: null, clockAt: 0, selected: null, modeChosen: false,
                stream: null };
const MAX_EVENTS = 200;

function $(id) { return document.getElementById(id); }

function el(tag, text, attrs) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  return node;
}

function row(cells) {
  const tr = document.createElement("tr");
  cells.forEach((cell, i) => {
    const td = el(i === 0 ? "th" : "td", cell instanceof Node ? null : cell);
    if (i === 0) td.setAttribute("scope", "row");
    if (cell instanceof Node) td.appendChild(cell);
    tr.appendChild(td);
  });
  return tr;
}

function fill(tbody, rows) { tbody.replaceChildren(...rows); }

async function call(method, path, body) {
  const headers = { "X-Vimsim-Token": state.token || "" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(API + path, { method, headers, credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  if (!response.ok) throw new Error((data && data.error) || response.statusText);
  return data;
}

// -- rendering ---------------------------------------------------------------------------

function renderTree() {
  const root = $("tree");
  if (!state.tree) { root.replaceChildren(); return; }
  const list = (node) => {
    const li = el("li");
    li.appendChild(el("span", node.name, { class: "type-" + node.type }));
    li.appendChild(el("span", " (" + node.type + ")", { class: "kind" }));
    if (node.children.length) {
      const ul = el("ul");
      node.children.forEach((child) => ul.appendChild(list(child)));
      li.appendChild(ul);
    }
    return li;
  };
  const ul = el("ul", null, { class: "tree" });
  ul.appendChild(list(state.tree));
  root.replaceChildren(ul);
}

function customizationText(c) {
  if (!c || !c.status) return "none";
  return c.error ? c.status + " (" + c.error + ")" : c.status;
}

function renderVms() {
  const vms = [...state.vms.values()].sort((a, b) => a.name.localeCompare(b.name));
  fill($("vm-rows"), vms.map((vm) => {
    const details = el("button", "Details", { type: "button",
      "aria-label": "Customization timeline of " + vm.name });
    details.addEventListener("click", () => { state.selected = vm.moid; renderDetail(); });
    const tr = row([vm.name, vm.power_state,
      !vm.tools_installed ? "not installed" : vm.tools_running ? "running" : "not running",
      customizationText(vm.customization), vm.host_name || "", vm.addresses.join(", "),
      vm.host, details]);
    tr.dataset.moid = vm.moid;
    tr.dataset.power = vm.power_state;
    return tr;
  }));
  renderDetail();
}

function renderDetail() {
  const vm = state.selected && state.vms.get(state.selected);
  $("vm-detail").hidden = !vm;
  if (!vm) return;
  $("vm-detail-title").textContent = "Customization timeline of " + vm.name;
  const c = vm.customization || {};
  const items = [el("li", "Status: " + customizationText(c))];
  if (c.start_time) items.push(el("li", "Started " + c.start_time));
  if (c.end_time) items.push(el("li", "Ended " + c.end_time));
  state.events.filter((e) => e.vm === vm.moid && /Customization/.test(e.type))
    .forEach((e) => items.push(el("li", e.time + " " + e.type + (e.message ? ": " + e.message : ""))));
  $("vm-timeline").replaceChildren(...items);
}

function renderTasks() {
  fill($("task-rows"), [...state.tasks].reverse().map((t) => row([t.moid, t.name, t.entity || "",
    t.state + (t.state === "running" && t.progress != null ? " " + t.progress + "%" : ""),
    t.queued || "", t.completed || "", t.error || ""])));
}

function renderEvents() {
  const items = state.events.slice(-MAX_EVENTS).reverse().map((e) =>
    el("li", e.time + " " + e.type + (e.message ? ": " + e.message : "") + (e.user ? " (" + e.user + ")" : "")));
  $("events").replaceChildren(...items);
}

function renderRules() {
  fill($("rule-rows"), state.rules.map((r) => row([r.id, r.operation || "any", r.target || "any",
    r.action + (r.fault ? " " + r.fault : ""), String(r.hits)])));
}

function renderSessions() {
  $("session-count").textContent = "(" + state.sessions.count + ")";
  fill($("session-rows"), state.sessions.shown.map((s) => row([s.user, s.address || "",
    s.agent || "", s.login || "", s.active || ""])));
}

function renderClock() {
  const clock = state.clock;
  if (!clock) return;
  $("clock-mode").textContent = clock.mode;
  $("clock-next").textContent = clock.next_event || "none";
  // a mode chosen but not yet set stays chosen while updates arrive
  if (!state.modeChosen) $("mode-select").value = clock.mode;
  tickClock();
}

function tickClock() {
  // The real clock moves between updates: shown as it runs, without asking the server.
  const clock = state.clock;
  if (!clock) return;
  let now = new Date(clock.now);
  if (clock.mode === "real") now = new Date(now.getTime() + (Date.now() - state.clockAt) * clock.speed);
  $("clock-now").textContent = now.toISOString();
  $("clock-now").setAttribute("datetime", now.toISOString());
}

// -- the stream --------------------------------------------------------------------------

function apply(data, whole) {
  if (whole) { state.vms.clear(); state.events = []; }
  (data.vms || []).forEach((vm) => state.vms.set(vm.moid, vm));
  (data.removed || []).forEach((moid) => state.vms.delete(moid));
  if (data.tree) state.tree = data.tree;
  state.tasks = data.tasks || state.tasks;
  state.events = state.events.concat(data.events || []).slice(-MAX_EVENTS);
  state.rules = data.rules || state.rules;
  state.sessions = data.sessions || state.sessions;
  if (data.clock) { state.clock = data.clock; state.clockAt = Date.now(); }
  renderTree(); renderVms(); renderTasks(); renderEvents(); renderRules(); renderSessions();
  renderClock();
}

function follow() {
  if (state.stream) state.stream.close();
  const stream = new EventSource(API + "/stream");
  state.stream = stream;
  stream.addEventListener("view", (e) => { apply(JSON.parse(e.data), true);
    $("connection").textContent = "Live"; document.body.dataset.live = "true"; });
  stream.addEventListener("update", (e) => apply(JSON.parse(e.data), false));
  stream.addEventListener("error", () => {
    $("connection").textContent = "Reconnecting..."; document.body.dataset.live = "false";
  });
}

function showDashboard(user) {
  $("login-panel").hidden = true;
  $("dashboard").hidden = false;
  $("logout").hidden = false;
  $("connection").textContent = "Logged in as " + user;
  follow();
}

// -- controls ----------------------------------------------------------------------------

function guarded(errorId, action) {
  return async (event) => {
    event.preventDefault();
    $(errorId).textContent = "";
    try { await action(); } catch (err) { $(errorId).textContent = err.message; }
  };
}

document.addEventListener("DOMContentLoaded", () => {
  $("login-form").addEventListener("submit", guarded("login-error", async () => {
    const data = await call("POST", "/login", { username: $("login-user").value,
                                                password: $("login-password").value });
    state.token = data.token;
    $("login-password").value = "";
    showDashboard(data.user);
  }));
  $("logout").addEventListener("click", async () => {
    if (state.stream) state.stream.close();
    try { await call("DELETE", "/login"); } catch (err) { /* logged out either way */ }
    state.token = null;
    $("dashboard").hidden = true; $("logout").hidden = true; $("login-panel").hidden = false;
    $("connection").textContent = "Not logged in";
    $("login-user").focus();
  });
  $("mode-select").addEventListener("change", () => { state.modeChosen = true; });
  $("mode-form").addEventListener("submit", guarded("clock-error", async () => {
    state.modeChosen = false;
    await call("PATCH", "/clock", { mode: $("mode-select").value });
  }));
  $("advance-form").addEventListener("submit", guarded("clock-error", () =>
    call("POST", "/clock/advance", { seconds: Number($("advance-seconds").value) })));
  setInterval(tickClock, 1000);
});
