// The local console's page: no framework, no build step. Data from the stack is only ever put in the
// page as text (textContent, attribute values) or, for the picture, parsed as XML by DOMParser; never
// through innerHTML.
"use strict";

const POLL_MS = 3000;
const state = { selected: null, customers: [], session: newSessionId(), polling: null, refreshing: null, stale: false };

function $(selector) { return document.querySelector(selector); }

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== null && value !== undefined) node.setAttribute(name, String(value));
  }
  for (const child of children) {
    node.append(child instanceof Node ? child : document.createTextNode(child === null || child === undefined ? "" : String(child)));
  }
  return node;
}

function newSessionId() {
  const bytes = new Uint8Array(8);
  crypto.getRandomValues(bytes);
  return "console-" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

async function getJson(url) {
  const answer = await fetch(url, { cache: "no-store" });
  const body = await answer.json();
  if (!answer.ok) throw new Error(body.message || `HTTP ${answer.status}`);
  return body;
}

function setLive(text, error = false) {
  const live = $("#live");
  live.textContent = text;
  live.classList.toggle("error", error);
}

function when(iso) {
  if (!iso) return "";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? String(iso) : date.toLocaleTimeString([], { hour12: false });
}

function failure(error, cause) {
  if (!error) return "";
  if (!cause) return error;
  return `${error}: ${cause.length > 300 ? cause.slice(0, 300) + "…" : cause}`;
}

function took(ms) {
  if (ms === null || ms === undefined) return "";
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

// --- executions --------------------------------------------------------------------------------

// One refresh at a time, so a slow stack never has requests piling up: a caller during one (the
// status filter changed, an agent turn ended) gets one more round after it; the poll schedules its
// next round only once the last one ended.
function refreshExecutions() {
  if (state.refreshing) {
    state.stale = true;
    return state.refreshing;
  }
  state.refreshing = (async () => {
    do {
      state.stale = false;
      await loadExecutions();
    } while (state.stale);
  })().finally(() => { state.refreshing = null; });
  return state.refreshing;
}

async function poll() {
  await refreshExecutions();
  state.polling = setTimeout(poll, POLL_MS);
}

async function loadExecutions() {
  const status = $("#status-filter").value;
  try {
    const { executions } = await getJson("api/executions?limit=50" + (status ? "&status=" + encodeURIComponent(status) : ""));
    const body = $("#executions tbody");
    body.replaceChildren(...executions.map((execution) => {
      const row = el("tr", { "data-name": execution.name, class: execution.name === state.selected ? "selected" : null },
        el("td", { class: "name", title: execution.name }, execution.name),
        el("td", { class: "status status-" + execution.status }, execution.status),
        el("td", {}, when(execution.start)));
      row.addEventListener("click", () => openExecution(execution.name));
      return row;
    }));
    $("#executions-empty").hidden = executions.length > 0;
    setLive(`live · ${executions.length} execution(s) · ${new Date().toLocaleTimeString()}`);
    const current = executions.find((e) => e.name === state.selected);
    if (current && current.status === "RUNNING") await openExecution(current.name, false);
  } catch (error) {
    setLive("cannot reach the stack: " + error.message, true);
  }
}

async function getSvg(url) {
  const answer = await fetch(url, { cache: "no-store" });
  if (!answer.ok) throw new Error((await answer.json().catch(() => ({}))).message || `HTTP ${answer.status}`);
  return answer.text();
}

// Never rejects: a click handler and the poll call it, and what went wrong is shown in the panel.
async function openExecution(name, scroll = true) {
  state.selected = name;
  for (const row of document.querySelectorAll("#executions tbody tr")) {
    row.classList.toggle("selected", row.dataset.name === name);
  }
  const path = "api/executions/" + encodeURIComponent(name);
  const problem = $("#execution-error");
  try {
    const [timeline, svgText] = await Promise.all([getJson(path), getSvg(path + "/graph.svg")]);
    if (state.selected !== name) return; // another one was picked meanwhile
    problem.hidden = true;
    showTimeline(name, timeline);
    showPicture(svgText);
  } catch (error) {
    if (state.selected !== name) return;
    problem.textContent = `cannot open ${name}: ${error.message}`;
    problem.hidden = false;
  }
  if (scroll) $("#execution-panel").scrollIntoView({ block: "nearest" });
}

function showTimeline(name, timeline) {
  const execution = timeline.execution || {};
  $("#execution-title").textContent = "Execution " + name;
  $("#execution-hint").hidden = true;
  const facts = [
    ["status", execution.status],
    ["mode", execution.mode],
    ["session", execution.session_id],
    ["customer", execution.customer_id],
    ["project", execution.project_id],
    ["started", execution.start],
    ["stopped", execution.stop],
    ["outcome", timeline.outcome],
    ["failed in", timeline.failed_state],
    ["error", timeline.error],
    ["cause", timeline.cause],
  ].filter(([, value]) => value !== null && value !== undefined && value !== "");
  $("#execution-summary").replaceChildren(...facts.flatMap(([term, value]) => [el("dt", {}, term), el("dd", {}, value)]));
  const steps = timeline.steps || [];
  $("#timeline tbody").replaceChildren(...steps.map((step, index) => {
    const attempts = step.attempts || [];
    const errors = attempts.filter((a) => a.error)
      .map((a) => `${failure(a.error, a.cause)}${a.wait_seconds ? ` (then waited ${a.wait_seconds.toFixed(1)} s)` : ""}`);
    const happened = [step.choice, step.outcome, ...(errors.length ? errors : [failure(step.error, step.cause)])]
      .filter(Boolean).join(" · ");
    const failed = step.state === timeline.failed_state;
    return el("tr", { "data-state": step.state, class: failed ? "failed" : null },
      el("td", {}, index + 1),
      el("td", {}, step.state),
      el("td", {}, when(step.entered)),
      el("td", {}, took(step.duration_ms)),
      el("td", { class: "retries" }, step.retries ? step.retries : ""),
      el("td", {}, happened));
  }));
}

function showPicture(svgText) {
  const parsed = new DOMParser().parseFromString(svgText, "image/svg+xml");
  const root = parsed.documentElement;
  if (root.nodeName !== "svg") {
    $("#picture").replaceChildren(el("p", { class: "muted" }, "no picture"));
    return;
  }
  $("#picture").replaceChildren(document.importNode(root, true));
}

// --- the agent's side --------------------------------------------------------------------------

async function loadCustomers() {
  const { customers } = await getJson("api/customers");
  state.customers = customers;
  $("#customer").replaceChildren(...customers.map((c, index) => {
    const bookable = c.projects.filter((p) => p.bookable).length;
    return el("option", { value: index }, `${c.customer_id} (${c.client_id}) · ${c.projects.length} project(s), ${bookable} bookable`);
  }));
  fillProjects();
}

function fillProjects() {
  const customer = state.customers[Number($("#customer").value)];
  if (!customer) return;
  $("#project").replaceChildren(...customer.projects.map((p) =>
    el("option", { value: p.project_id }, `${p.project_id} · ${p.category} ${p.type} · ${p.status}${p.bookable ? "" : " (not bookable)"}`)));
}

function fillSelect(selector, values) {
  $(selector).replaceChildren(...values.map((value) => el("option", { value }, value)));
}

function parametersFor(operation) {
  const project_id = $("#project").value;
  switch (operation) {
    case "list_projects": return {};
    case "get_time_slots": return { project_id, date: $("#date").value };
    case "confirm_appointment": return { project_id, date: $("#date").value, time: $("#slot").value };
    case "cancel_appointment": return { project_id, reason: $("#reason").value };
    default: return { project_id };
  }
}

async function act(operation, button) {
  const customer = state.customers[Number($("#customer").value)];
  const parameters = parametersFor(operation);
  const shown = Object.entries(parameters).filter(([, v]) => v).map(([k, v]) => `${k}=${v}`).join(", ");
  const entry = el("li", { "data-op": operation }, el("div", { class: "call" }, `→ ${operation}(${shown})`));
  $("#log").prepend(entry);
  for (const b of document.querySelectorAll("button[data-op]")) b.disabled = true;
  try {
    const answer = await fetch("api/agent", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        operation, parameters, session_id: state.session,
        client_id: customer.client_id, customer_id: customer.customer_id,
      }),
    });
    const reply = await answer.json();
    if (!answer.ok) throw new Error(reply.message || `HTTP ${answer.status}`);
    entry.dataset.status = reply.status;
    entry.className = reply.status >= 200 && reply.status < 300 ? "ok" : "not-ok";
    entry.append(
      el("div", { class: "answer" }, el("span", { class: "code" }, reply.status), reply.message),
      el("details", {}, el("summary", {}, "answer body"), el("pre", {}, JSON.stringify(reply.body, null, 2))),
      el("details", {}, el("summary", {}, "Bedrock event sent"), el("pre", {}, JSON.stringify(reply.event, null, 2))));
    const body = reply.body || {};
    if (Array.isArray(body.available_dates)) fillSelect("#date", body.available_dates);
    if (Array.isArray(body.available_times)) fillSelect("#slot", body.available_times);
    await refreshExecutions();
    if ($("#follow").checked && reply.executions.length) await openExecution(reply.executions[0], false);
  } catch (error) {
    entry.className = "not-ok";
    entry.append(el("div", { class: "answer" }, el("span", { class: "code" }, "!"), error.message));
  } finally {
    for (const b of document.querySelectorAll("button[data-op]")) b.disabled = false;
  }
}

function startConversation() {
  state.session = newSessionId();
  $("#session-id").textContent = state.session;
  fillSelect("#date", []);
  fillSelect("#slot", []);
}

document.addEventListener("DOMContentLoaded", async () => {
  $("#session-id").textContent = state.session;
  $("#new-session").addEventListener("click", startConversation);
  $("#customer").addEventListener("change", () => { fillProjects(); startConversation(); });
  $("#status-filter").addEventListener("change", refreshExecutions);
  for (const button of document.querySelectorAll("button[data-op]")) {
    button.addEventListener("click", () => act(button.dataset.op, button));
  }
  await Promise.all([loadCustomers(), refreshExecutions()]);
  state.polling = setTimeout(poll, POLL_MS);
  document.body.dataset.ready = "true";
});
