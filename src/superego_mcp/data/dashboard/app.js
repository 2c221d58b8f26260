// Superego dashboard: plain JavaScript, no framework, no build step, no other origin.
// Everything shown comes from this server's JSON routes; text from tool calls is untrusted,
// so it only ever reaches the page as textContent (never innerHTML).
"use strict";

const MAX_ROWS = 500; // the Live table and the paused backlog never grow past this
const DECISIONS = ["allow", "deny", "ask", "defer", "review"];
const COLOURS = { allow: "#2da44e", deny: "#cf222e", ask: "#bf8700", defer: "#0969da", review: "#8250df" };

// --- small helpers -------------------------------------------------------------------------

// Characters that hide or reorder what is shown (direction controls, zero-width and other
// invisible characters, terminal controls, tag characters, lone surrogates): the page writes
// them as \uXXXX so a person sees what would run. The same sets as superego_mcp/visible.py.
const HIDDEN_SOURCE =
  "[\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f\\u00ad\\u034f\\u061c\\u115f\\u1160\\u180e" +
  "\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\u3164\\ufeff\\uffa0]" +
  "|\\udb40[\\udc00-\\udc7f]|[\\ud800-\\udbff](?![\\udc00-\\udfff])|(?<![\\ud800-\\udbff])[\\udc00-\\udfff]";
const HIDDEN_ONE = new RegExp(HIDDEN_SOURCE);
const HIDDEN_ALL = new RegExp(HIDDEN_SOURCE, "g");

function hex(code, width) {
  return code.toString(16).padStart(width, "0");
}

function hasHidden(text) {
  return typeof text === "string" && HIDDEN_ONE.test(text);
}

// `text` with every hiding character escaped (backslashes doubled then, so an escape on the
// page is never a backslash of the call).
function visible(text) {
  if (!hasHidden(text)) return text;
  return text.replace(/\\/g, "\\\\").replace(HIDDEN_ALL, (m) =>
    m.length === 2 ? `\\U${hex(m.codePointAt(0), 8)}` : `\\u${hex(m.charCodeAt(0), 4)}`);
}

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : visible(String(value)));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(visible(String(child))));
  }
  return node;
}

function badge(decision) {
  return el("span", { class: `badge d-${decision}` }, decision);
}

function when(ts) {
  if (ts === null || ts === undefined) return "never";
  const d = new Date(Number(ts) * 1000);
  return d.toLocaleString();
}

function clock(ts) {
  return new Date(Number(ts) * 1000).toLocaleTimeString();
}

async function getJSON(url) {
  const response = await fetch(url, { credentials: "same-origin", headers: { accept: "application/json" } });
  if (response.status === 401) {
    window.location.reload(); // the session is gone: the server shows the sign-in form
    throw new Error("signed out");
  }
  const data = await response.json();
  if (!response.ok) throw new Error(data.detail || data.error || `HTTP ${response.status}`);
  return data;
}

// POST a JSON body; `token` (optional) is sent as the bearer token (routes that change
// something need it: the session cookie only reads). Errors carry the server's detail.
async function postJSON(url, body, token) {
  const headers = { accept: "application/json", "content-type": "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(url, {
    method: "POST", credentials: "same-origin", headers, body: JSON.stringify(body),
  });
  let data = null;
  try { data = await response.json(); } catch (_) { /* not JSON: the status says it */ }
  if (!response.ok) {
    const error = new Error((data && (data.detail || data.error)) || `HTTP ${response.status}`);
    error.status = response.status;
    throw error;
  }
  return data;
}

// A short form of a call's input: the command, path, URL or pattern, else compact JSON.
function shortInput(input) {
  if (input === null || typeof input !== "object") return String(input);
  for (const key of ["command", "file_path", "notebook_path", "url", "path", "pattern", "query"]) {
    if (typeof input[key] === "string") return input[key];
  }
  const text = JSON.stringify(input);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

// Single quotes; bash's $'...' with \\u escapes when the text hides characters, so the
// command shown is both readable and exactly the call.
function shellQuote(text) {
  text = String(text);
  if (hasHidden(text)) {
    return `$'${visible(text).replace(/'/g, "\\'")}'`;
  }
  return `'${text.replace(/'/g, "'\\''")}'`;
}

// The `superego-mcp explain` command that reproduces a recorded call.
function explainCommand(row) {
  const cwd = row.cwd ? ` --cwd ${shellQuote(row.cwd)}` : "";
  const input = row.input && typeof row.input === "object" ? row.input : {};
  const keys = Object.keys(input);
  if (row.tool === "Bash" && keys.length === 1 && typeof input.command === "string") {
    return `superego-mcp explain${cwd} -- ${shellQuote(input.command)}`;
  }
  return `superego-mcp explain${cwd} --tool ${shellQuote(row.tool)} --input ${shellQuote(JSON.stringify(input))}`;
}

function setStatus(id, text) {
  document.getElementById(id).textContent = text;
}

// --- views -----------------------------------------------------------------------------------

const views = ["live", "call", "rules", "overview", "replay", "suggestions"];

function route() {
  const hash = window.location.hash.replace(/^#/, "") || "live";
  const [name, arg] = hash.split("/");
  const view = views.includes(name) ? name : "live";
  for (const v of views) document.getElementById(`view-${v}`).hidden = v !== view;
  for (const link of document.querySelectorAll("nav a")) {
    if (link.dataset.view === (view === "call" ? "live" : view)) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  if (view === "call") showCall(arg);
  if (view === "rules") showRules();
  if (view === "overview") showOverview();
  if (view === "replay") showReplay();
  if (view === "suggestions") showSuggestions();
  const heading = document.getElementById(`h-${view}`);
  if (heading && document.activeElement === document.body) heading.focus?.();
}

// --- Live ------------------------------------------------------------------------------------

const live = {
  source: null,
  lastId: 0,
  paused: false,
  backlog: [], // rows that arrived while paused (newest last), bounded by MAX_ROWS
  filters: new URLSearchParams(),
};

function liveRow(row, fresh) {
  const open = () => { window.location.hash = `call/${row.id}`; };
  return el(
    "tr",
    {
      class: fresh ? "row fresh" : "row",
      tabindex: 0,
      "data-id": row.id,
      "data-decision": row.decision,
      "aria-label": `${row.decision} ${row.tool}: ${shortInput(row.input)}`,
      onclick: open,
      onkeydown: (event) => { if (event.key === "Enter" || event.key === " ") { event.preventDefault(); open(); } },
    },
    el("td", {}, clock(row.ts)),
    el("td", {}, badge(row.decision)),
    el("td", {}, row.tool),
    el("td", { class: "call" }, el("code", {}, shortInput(row.input))),
    el("td", {}, row.rule || "(default)"),
    el("td", { class: "reason opt" }, row.reason),
  );
}

function addRows(rows, fresh) {
  const body = document.querySelector("#live-table tbody");
  for (const row of rows) {
    body.prepend(liveRow(row, fresh));
    live.lastId = Math.max(live.lastId, row.id);
  }
  while (body.rows.length > MAX_ROWS) body.deleteRow(body.rows.length - 1);
  countLive();
}

function countLive() {
  const shown = document.querySelector("#live-table tbody").rows.length;
  const waiting = live.backlog.length ? `, ${live.backlog.length} new while paused` : "";
  setStatus("live-status", `${shown} shown${waiting}`);
}

function onDecision(row) {
  if (live.paused) {
    live.backlog.push(row);
    if (live.backlog.length > MAX_ROWS) live.backlog.shift();
    countLive();
    return;
  }
  addRows([row], true);
}

function connect() {
  if (live.source) live.source.close();
  const params = new URLSearchParams(live.filters);
  if (live.lastId) params.set("last_id", String(live.lastId));
  const source = new EventSource(`/v1/decisions/stream?${params}`);
  live.source = source;
  source.addEventListener("open", () => setStatus("conn", "live"));
  source.addEventListener("decision", (event) => {
    const row = JSON.parse(event.data);
    if (row.id <= live.lastId && !live.paused) return; // already shown (resume overlap)
    onDecision(row);
  });
  source.addEventListener("dropped", (event) => {
    // The server dropped us (too far behind) or is stopping: resume from the last id seen.
    source.close();
    let reason = "dropped";
    try { reason = JSON.parse(event.data).reason; } catch (_) { /* keep the default */ }
    setStatus("conn", `reconnecting (${reason})`);
    setTimeout(connect, 1000);
  });
  source.addEventListener("error", () => setStatus("conn", "reconnecting…"));
}

async function startLive() {
  const body = document.querySelector("#live-table tbody");
  body.replaceChildren();
  live.lastId = 0;
  live.backlog = [];
  try {
    const params = new URLSearchParams(live.filters);
    params.set("limit", "100");
    const page = await getJSON(`/v1/audit?${params}`);
    addRows(page.items.slice().reverse(), false);
  } catch (error) {
    setStatus("live-status", `could not load recent decisions: ${error.message}`);
  }
  connect();
}

function setupLive() {
  const form = document.getElementById("filters");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    live.filters = new URLSearchParams();
    for (const [key, value] of new FormData(form)) if (String(value).trim()) live.filters.set(key, String(value).trim());
    startLive();
  });
  form.addEventListener("reset", () => {
    live.filters = new URLSearchParams();
    setTimeout(startLive, 0);
  });
  const pause = document.getElementById("pause");
  pause.addEventListener("click", () => {
    live.paused = !live.paused;
    pause.setAttribute("aria-pressed", String(live.paused));
    pause.textContent = live.paused ? "Resume" : "Pause";
    if (!live.paused && live.backlog.length) {
      const rows = live.backlog;
      live.backlog = [];
      addRows(rows, true);
    }
    countLive();
  });
  startLive();
}

// --- Call detail -----------------------------------------------------------------------------

function facts(pairs) {
  return el("dl", { class: "facts" }, pairs.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v)]));
}

function table(headers, rows, attrs) {
  return el(
    "div",
    { class: "scroll" },
    el(
      "table",
      attrs || {},
      el("thead", {}, el("tr", {}, headers.map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, rows.map((cells) => el("tr", {}, cells.map((c) => el("td", {}, c))))),
    ),
  );
}

async function showCall(id) {
  const target = document.getElementById("call-body");
  target.replaceChildren(el("p", { class: "note" }, "Loading…"));
  let data;
  try {
    data = await getJSON(`/v1/audit/${encodeURIComponent(id)}/explain`);
  } catch (error) {
    target.replaceChildren(el("p", { class: "alert", role: "alert" }, `Could not load call ${id}: ${error.message}`));
    return;
  }
  const row = data.row;
  const now = data.now;
  const command = explainCommand(row);
  const commandBox = el("input", { type: "text", readonly: true, value: command, "aria-label": "explain command", id: "explain-command" });
  const copyNote = el("span", { role: "status", "aria-live": "polite", class: "note" });
  const copy = el("button", {
    type: "button",
    id: "copy-explain",
    onclick: async () => {
      try {
        await navigator.clipboard.writeText(command);
        copyNote.textContent = "Copied.";
      } catch (_) {
        commandBox.select(); // no clipboard permission: leave it selected for Ctrl+C
        copyNote.textContent = "Selected: press Ctrl+C to copy.";
      }
    },
  }, "Copy as superego-mcp explain command");
  const review = row.review
    ? facts(Object.entries(row.review).map(([k, v]) => [k, typeof v === "object" ? JSON.stringify(v) : String(v)]))
    : el("p", { class: "note" }, "No reviewer was consulted for this call.");
  const parts = [];
  if (now.hidden_characters && now.hidden_characters.length) {
    parts.push(el("p", { class: "alert", role: "alert", id: "hidden-characters" },
      "This call contains characters that hide or reorder text, so it may read differently " +
      "from what runs; they are shown escaped (\\uXXXX): " + now.hidden_characters.join("; ")));
  }
  parts.push(
    el("h3", {}, "Decision"),
    facts([
      ["decision", badge(row.decision)],
      ["reason", row.reason],
      ["rule", row.rule || "(the policy default or a fail-closed path)"],
      ["time", when(row.ts)],
      ["tool", row.tool],
      ["entry", row.entry + (row.event ? ` (${row.event})` : "")],
      ["session", row.session_id || "—"],
      ["cwd", row.cwd || "—"],
      ["latency", row.latency_ms === null ? "—" : `${row.latency_ms} ms`],
      ["policy", row.policy_digest ? row.policy_digest.slice(0, 12) : "—"],
    ]),
    el("div", { class: "copy" }, commandBox, copy, copyNote),
    el("h3", {}, "Input (secrets redacted)"),
    el("pre", { id: "call-input" }, JSON.stringify(row.input, null, 2)),
    el("h3", {}, "Reviewer"),
    review,
  );
  if (now.error) {
    parts.push(el("p", { class: "alert", role: "alert" }, now.error));
  } else {
    const same = now.policy.digest === row.policy_digest;
    parts.push(
      el("h3", {}, "What the analyzer sees"),
      el("p", { class: "note" }, same
        ? "Judged again now, by the same policy that decided it."
        : "Judged again now by the policy in force, which is not the one that decided it (the rules changed since)."),
    );
    if (now.commands.length) {
      parts.push(table(
        ["command", "program", "subcommand", "flags", "paths", "via", "from"],
        now.commands.map((c) => [
          el("code", {}, c.text), c.program || "?", c.subcommand || "", c.flags.join(" "),
          c.paths.join("\n"), c.via.join(" › "), c.origin || "",
        ]),
        { id: "call-commands" },
      ));
    } else {
      parts.push(el("p", { class: "note" }, "Not a shell command: one unit, judged on its tool and paths."));
    }
    if (now.findings.length) {
      parts.push(el("h3", {}, "Findings"), el("ul", {}, now.findings.map((f) => el("li", {}, `${f.kind}: ${f.detail}`))));
    }
    parts.push(
      el("h3", {}, "Units and the rules that decided them"),
      table(
        ["unit", "decision", "rule", "paths", "findings", "reason"],
        now.units.map((u) => [
          el("code", {}, u.unit), badge(u.action), u.rule_id || "(default)",
          u.paths.join("\n"), u.findings.join(", "), u.reason,
        ]),
        { id: "call-units" },
      ),
    );
  }
  target.replaceChildren(...parts);
  document.getElementById("h-call").textContent = `Call ${row.id}: ${row.tool}`;
}

// --- Rules -----------------------------------------------------------------------------------

async function showRules() {
  const windowSeconds = document.getElementById("rules-window").value;
  const status = document.getElementById("rules-status");
  let data;
  try {
    data = await getJSON(`/v1/dashboard/rules?window=${windowSeconds}`);
  } catch (error) {
    status.replaceChildren(el("p", { class: "alert", role: "alert" }, `Could not load the rules: ${error.message}`));
    return;
  }
  const s = data.status;
  const banner = s.error
    ? el("div", { class: "alert", role: "alert", id: "reload-error" },
        "The last reload failed; the previous policy is still in force. ", el("br"), el("code", {}, s.error))
    : el("p", { class: "ok", id: "reload-ok" }, "The policy on disk is the one in force.");
  status.replaceChildren(
    banner,
    facts([
      ["policy", s.policy.source],
      ["version", s.policy.digest.slice(0, 16)],
      ["loaded", when(s.policy.loaded_at)],
      ["reloads", String(s.policy.reloads)],
      ["default", el("span", {}, badge(data.default.action), ` ${data.default.hits} hits — ${data.default.reason}`)],
    ]),
  );
  const body = document.querySelector("#rules-table tbody");
  body.replaceChildren(...data.rules.map((r) => {
    const examples = r.examples.match.length + r.examples.no_match.length
      ? el("details", {}, el("summary", {}, "examples"),
          el("ul", {}, r.examples.match.map((e) => el("li", {}, "matches ", el("code", {}, e))),
            r.examples.no_match.map((e) => el("li", {}, "does not match ", el("code", {}, e)))))
      : null;
    return el("tr", { "data-rule": r.id, class: r.enabled ? "" : "note" },
      el("td", {}, el("code", {}, r.id), r.enabled ? null : " (disabled)"),
      el("td", {}, badge(r.action)),
      el("td", { class: "hits" }, String(r.hits)),
      el("td", {}, r.last_hit ? when(r.last_hit) : "—"),
      el("td", { class: "opt" }, el("code", { title: r.where }, r.where.split("/").pop())),
      el("td", { class: "opt" }, r.description || r.reason, examples));
  }));
}

// --- Overview --------------------------------------------------------------------------------

function chart(timeline, bucket, windowSeconds) {
  // A stacked bar per bucket, one colour per decision; a table below says the same in text.
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("class", "chart");
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", "Decisions over time by outcome");
  const end = Math.ceil(Date.now() / 1000 / bucket) * bucket;
  const start = end - Number(windowSeconds);
  const buckets = new Map();
  for (const p of timeline) {
    if (!buckets.has(p.t)) buckets.set(p.t, {});
    buckets.get(p.t)[p.decision] = p.n;
  }
  const count = Math.max(1, Math.round((end - start) / bucket));
  let peak = 1;
  for (const b of buckets.values()) peak = Math.max(peak, Object.values(b).reduce((a, n) => a + n, 0));
  const W = 1000, H = 200, barW = W / count;
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  svg.setAttribute("preserveAspectRatio", "none");
  for (let i = 0; i < count; i++) {
    const t = start + i * bucket;
    const b = buckets.get(t);
    if (!b) continue;
    let y = H;
    for (const d of DECISIONS) {
      const n = b[d] || 0;
      if (!n) continue;
      const h = (n / peak) * (H - 10);
      y -= h;
      const rect = document.createElementNS(ns, "rect");
      rect.setAttribute("x", String(i * barW + 1));
      rect.setAttribute("y", String(y));
      rect.setAttribute("width", String(Math.max(1, barW - 2)));
      rect.setAttribute("height", String(h));
      rect.setAttribute("fill", COLOURS[d]);
      const title = document.createElementNS(ns, "title");
      title.textContent = `${new Date(t * 1000).toLocaleString()}: ${n} ${d}`;
      rect.append(title);
      svg.append(rect);
    }
  }
  const legend = el("div", { class: "legend" }, DECISIONS.map((d) => el("span", {}, badge(d))));
  const minutes = bucket / 60;
  const per = minutes < 60 ? `${minutes} min` : `${minutes / 60} h`;
  const axis = el("div", { class: "legend note" },
    el("span", {}, `${new Date(start * 1000).toLocaleString()} → now`),
    el("span", {}, `one bar per ${per}; tallest bar ${peak} decisions`));
  return el("div", {}, svg, axis, legend);
}

function counts(title, what, mapping, id) {
  const entries = Object.entries(mapping || {});
  return el("div", {}, el("h3", {}, title), entries.length
    ? table([what, "count"], entries.map(([k, n]) => [el("code", {}, k), String(n)]), { id })
    : el("p", { class: "note" }, "None in this window."));
}

async function showOverview() {
  const windowSeconds = document.getElementById("overview-window").value;
  const target = document.getElementById("overview-body");
  let data;
  try {
    data = await getJSON(`/v1/dashboard/overview?window=${windowSeconds}`);
  } catch (error) {
    target.replaceChildren(el("p", { class: "alert", role: "alert" }, `Could not load the overview: ${error.message}`));
    return;
  }
  const health = data.health;
  const healthFacts = facts([
    ["audit store", health.audit],
    ["audit write errors", String(health.write_errors)],
    ["policy", health.policy.error ? el("span", { class: "error" }, `reload failed: ${health.policy.error}`) : "ok"],
  ]);
  if (!data.audit) {
    target.replaceChildren(el("p", { class: "note" }, "The audit is off (SUPEREGO_AUDIT=off): there is no history to summarise."), healthFacts);
    return;
  }
  const by = data.by_decision;
  const review = data.review;
  target.replaceChildren(
    el("div", { class: "cards", id: "overview-cards" },
      el("div", { class: "card" }, el("div", { class: "n" }, String(data.total)), "decisions"),
      DECISIONS.filter((d) => d !== "review").map((d) => el("div", { class: "card" }, el("div", { class: "n" }, String(by[d] || 0)), badge(d)))),
    el("h3", {}, "Decisions over time"),
    chart(data.timeline, data.bucket, windowSeconds),
    el("div", { class: "grid2" },
      counts("Top rules", "rule", data.top_rules, "top-rules"),
      counts("Top denied programs", "program", data.top_denied_programs, "top-denied"),
      el("div", {}, el("h3", {}, "Reviews"), facts([
        ["reviews", String(review.count)],
        ["cache hit rate", review.cache_hit_rate === null ? "—" : `${Math.round(review.cache_hit_rate * 100)}%`],
        ["median latency", review.median_ms === null ? "—" : `${review.median_ms} ms`],
        ["p95 latency", review.p95_ms === null ? "—" : `${review.p95_ms} ms`],
      ])),
      el("div", {}, el("h3", {}, "Health"), healthFacts, el("p", { class: "note" },
        `Decision latency: average ${data.latency.avg_ms ?? "—"} ms, max ${data.latency.max_ms ?? "—"} ms.`)),
    ),
  );
}

// --- Replay ----------------------------------------------------------------------------------

// Least strict first: a decision later in this list is stricter.
const STRICTNESS = ["allow", "defer", "review", "ask", "deny"];
const REPLAY_FILTERS = ["since", "until", "decision", "tool", "rule", "session", "text"];
const replayState = { files: null };

function change(old, now) {
  if (old === now) return "same";
  return STRICTNESS.indexOf(now) < STRICTNESS.indexOf(old) ? "looser" : "stricter";
}

async function showReplay() {
  if (replayState.files) return;
  const select = document.getElementById("replay-file");
  try {
    const data = await getJSON("/v1/replay/policies");
    replayState.files = data.files;
    select.replaceChildren(...data.files.map((f) => {
      const option = el("option", {}, `${f.path} (${f.layer}${f.in_force ? ", in force" : ""})`);
      option.value = f.path; // exactly the path offered: el() would escape hidden characters
      return option;
    }));
  } catch (error) {
    setStatus("replay-status", `could not list the policy files: ${error.message}`);
  }
}

function replayBody(form) {
  const data = new FormData(form);
  const body = {};
  for (const key of REPLAY_FILTERS) {
    const value = String(data.get(key) || "").trim();
    if (value) body[key] = value;
  }
  const limit = String(data.get("limit") || "").trim();
  if (limit) body.limit = Number(limit);
  const source = data.get("source");
  if (source === "file") body.file = document.getElementById("replay-file").value;
  if (source === "yaml") body.yaml = document.getElementById("replay-yaml").value;
  return body;
}

function ruleAndReason(side) {
  return el("span", {}, el("code", {}, side.rule || "(default)"), ": ", side.reason || "");
}

// The report's parts; `prefix` names their ids (`replay-summary`, ...), or null for none (a
// report shown inside another view).
function renderReplay(report, prefix) {
  const id = (name) => (prefix ? `${prefix}-${name}` : null);
  const parts = [];
  const head = report.changed
    ? `${report.changed} changed, ${report.loosened} looser`
    : "No change: every call gets the answer it got.";
  parts.push(el("p", { id: id("summary"), class: report.loosened ? "alert" : report.changed ? "warn" : "ok" }, head));
  const notes = [
    `${report.rows} rows read, ${report.judged} judged (${report.distinct_calls} distinct calls) ` +
      `with policy ${report.policy_digest.slice(0, 12)}.`,
  ];
  if (report.judged_redacted) {
    notes.push(`${report.judged_redacted} judged on redacted input: a [REDACTED] value is judged as that text, ` +
      "so a rule about the secret itself may answer differently than it did live.");
  }
  if (report.not_judged_cut) notes.push(`${report.not_judged_cut} not judged: the stored input was cut at 64 KiB.`);
  if (report.not_compared_exception) {
    notes.push(`${report.not_compared_exception} not compared: an exception (superego-mcp allow) allowed them.`);
  }
  parts.push(el("ul", { class: "note", id: id("notes") }, notes.map((n) => el("li", {}, n))));
  parts.push(el("h3", {}, "Old → new decision"));
  parts.push(el("div", { class: "scroll" }, el("table", { id: id("transitions") },
    el("thead", {}, el("tr", {}, ["old", "new", "calls", "change"].map((h) => el("th", { scope: "col" }, h)))),
    el("tbody", {}, report.transitions.map((t) => el("tr", { "data-old": t.old, "data-new": t.new },
      el("td", {}, badge(t.old)), el("td", {}, badge(t.new)), el("td", { class: "n" }, String(t.count)),
      el("td", { class: `change-${change(t.old, t.new)}` }, change(t.old, t.new))))))));
  const rules = Object.entries(report.rules);
  parts.push(el("h3", {}, "Rules that decide more or fewer calls"));
  parts.push(rules.length
    ? table(["rule", "before", "after"], rules.map(([r, v]) => [el("code", {}, r), String(v.before), String(v.after)]), { id: id("rules") })
    : el("p", { class: "note" }, "Every rule decides as many calls as before."));
  parts.push(el("h3", {}, "Changed calls"));
  if (!report.changes.length) {
    parts.push(el("p", { class: "note" }, report.changed ? "None listed (the limit is 0)." : "None."));
  } else {
    parts.push(el("div", { class: "scroll" }, el("table", { id: id("changes"), class: "decisions" },
      el("thead", {}, el("tr", {}, ["call id", "old → new", "tool", "call", "was", "now"].map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, report.changes.map((c) => el("tr", { "data-id": c.id, class: c.loosens ? "looser" : "" },
        el("td", {}, el("a", { href: `#call/${c.id}` }, `#${c.id}`)),
        el("td", {}, badge(c.old.decision), " → ", badge(c.new.decision), c.loosens ? el("span", { class: "error" }, " looser") : null),
        el("td", {}, c.tool),
        el("td", { class: "call" }, el("code", {}, shortInput(c.input)), c.redacted ? el("span", { class: "note" }, " (redacted)") : null),
        el("td", { class: "reason" }, ruleAndReason(c.old)),
        el("td", { class: "reason" }, ruleAndReason(c.new))))))));
    if (report.changed > report.changes.length) {
      parts.push(el("p", { class: "note" }, `${report.changed - report.changes.length} more changed calls not listed (raise "Changed calls listed").`));
    }
  }
  return parts;
}

async function runReplay(form) {
  const target = document.getElementById("replay-body");
  const body = replayBody(form);
  if ("yaml" in body && !body.yaml.trim()) {
    target.replaceChildren(el("p", { class: "alert", role: "alert", id: "replay-error" }, "Paste a policy first."));
    return;
  }
  target.replaceChildren(); // the last report goes: what shows next is this replay's
  const button = document.getElementById("replay-run");
  button.disabled = true;
  setStatus("replay-status", "Replaying…");
  const started = Date.now();
  try {
    const report = await postJSON("/v1/replay", body);
    target.replaceChildren(...renderReplay(report, "replay"));
    setStatus("replay-status", `Done in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
  } catch (error) {
    target.replaceChildren(el("p", { class: "alert", role: "alert", id: "replay-error" }, `Replay refused: ${error.message}`));
    setStatus("replay-status", "");
  } finally {
    button.disabled = false;
  }
}

function setupReplay() {
  const form = document.getElementById("replay-form");
  form.addEventListener("submit", (event) => { event.preventDefault(); runReplay(form); });
  // Touching a source's control picks that source.
  const pick = (value) => { form.querySelector(`input[name=source][value=${value}]`).checked = true; };
  document.getElementById("replay-file").addEventListener("change", () => pick("file"));
  document.getElementById("replay-yaml").addEventListener("input", () => pick("yaml"));
}

// --- Suggestions -----------------------------------------------------------------------------

// Rejected suggestions are remembered by this browser only (the server keeps no list): by id
// and shape, so a suggestion that comes back with another shape is shown again.
const REJECTED_KEY = "superego-rejected-suggestions";
const suggestState = { loaded: false, data: null, query: new URLSearchParams() };

function rejectedSet() {
  try {
    const list = JSON.parse(window.localStorage.getItem(REJECTED_KEY) || "[]");
    return new Set(Array.isArray(list) ? list.map(String) : []);
  } catch (_) {
    return new Set();
  }
}

function setRejected(key, rejected) {
  const set = rejectedSet();
  if (rejected) set.add(key); else set.delete(key);
  try { window.localStorage.setItem(REJECTED_KEY, JSON.stringify([...set])); } catch (_) { /* private mode */ }
}

function suggestionKey(s) {
  return `${s.id}\u0000${s.shape}`;
}

function showSuggestions() {
  if (!suggestState.loaded) loadSuggestions();
}

function suggestQuery() {
  const form = document.getElementById("suggest-form");
  const data = new FormData(form);
  const query = new URLSearchParams();
  for (const key of ["since", "until", "min_sessions", "min_calls"]) {
    const value = String(data.get(key) || "").trim();
    if (value) query.set(key, value);
  }
  return query;
}

async function loadSuggestions() {
  suggestState.loaded = true;
  const target = document.getElementById("suggest-body");
  const query = suggestQuery();
  target.replaceChildren();
  setStatus("suggest-status", "Learning from the trail…");
  try {
    const data = await getJSON(`/v1/suggestions?${query}`);
    suggestState.data = data;
    suggestState.query = query;
    renderSuggestions();
    setStatus("suggest-status", "");
  } catch (error) {
    setStatus("suggest-status", "");
    target.replaceChildren(el("p", { class: "alert", role: "alert", id: "suggest-error" },
      error.message === "Not Found" || error.message === "HTTP 404"
        ? "This server does not offer suggestions (GET /v1/suggestions is missing)."
        : `Could not load the suggestions: ${error.message}`));
  }
}

// The token typed into the page, or null with the reason shown where the person looks.
function acceptToken(note) {
  const token = document.getElementById("suggest-token").value.trim();
  if (token) return token;
  note.replaceChildren(el("span", { class: "alert", role: "alert" },
    "Type the API token above first: accepting writes a policy file, and the session cookie only reads."));
  document.getElementById("suggest-token").focus();
  return null;
}

async function acceptSuggestion(s, note, card) {
  const token = acceptToken(note);
  if (!token) return;
  const file = document.getElementById("suggest-file").value;
  const body = { ids: [s.id], file };
  for (const [key, value] of suggestState.query) {
    body[key] = key.startsWith("min_") ? Number(value) : value;
  }
  note.replaceChildren(el("span", { class: "note" }, "Writing…"));
  try {
    const answer = await postJSON("/v1/suggestions/accept", body, token);
    card.classList.add("accepted");
    note.replaceChildren(el("span", { class: "ok", role: "status" },
      `Accepted: written to ${answer.written}; the policy in force is now ${String(answer.policy_digest).slice(0, 12)}.`));
  } catch (error) {
    const why = error.status === 403 || error.status === 401
      ? `Not accepted: ${error.message}. Accepting needs this server's API token (the session cookie only reads).`
      : `Not accepted (nothing was written): ${error.message}`;
    note.replaceChildren(el("span", { class: "alert", role: "alert" }, why));
  }
}

// The edited rule as a policy of rules only, which POST /v1/replay adds to the policy in
// force (`add: true`).
function policyWithRule(ruleYaml) {
  const lines = String(ruleYaml).replace(/\s+$/, "").split("\n").map((l) => `  ${l}`);
  return `version: 1\nrules:\n${lines.join("\n")}\n`;
}

function editor(s) {
  const area = el("textarea", { rows: 12, spellcheck: "false", "aria-label": `Edit rule ${s.id}`, class: "edit-yaml" });
  area.value = s.yaml; // a value, never markup
  const result = el("div", { class: "edit-result" });
  const run = el("button", {
    type: "button",
    class: "edit-replay",
    onclick: async () => {
      result.replaceChildren(el("p", { class: "note" }, "Replaying…"));
      try {
        const report = await postJSON("/v1/replay", { yaml: policyWithRule(area.value), add: true, limit: 50 });
        result.replaceChildren(...renderReplay(report, null));
      } catch (error) {
        result.replaceChildren(el("p", { class: "alert", role: "alert" }, `Replay refused: ${error.message}`));
      }
    },
  }, "Replay the trail with this rule");
  return el("div", { class: "editor" },
    el("p", { class: "note" },
      "Edit the rule and replay the trail with the policy in force plus this rule. " +
      "Accept writes the rule as proposed; to keep an edited one, copy it into your policy file."),
    area, el("div", { class: "toolbar" }, run), result);
}

function suggestionCard(s, rejected) {
  const note = el("div", { class: "accept-note", "aria-live": "polite" });
  const card = el("article", { class: rejected ? "suggestion rejected" : "suggestion", "data-id": s.id });
  const replay = s.replay || {};
  const loose = replay.loosened || 0;
  const summary = `Replaying the whole trail with it: ${replay.changed || 0} changed` +
    ` (${loose} looser), of ${replay.rows || 0} rows.`;
  const editSlot = el("div", {});
  const buttons = el("div", { class: "toolbar" },
    el("button", { type: "button", class: "accept", onclick: () => acceptSuggestion(s, note, card) }, "Accept"),
    el("button", {
      type: "button",
      class: "edit",
      onclick: () => {
        if (editSlot.firstElementChild) editSlot.replaceChildren();
        else editSlot.replaceChildren(editor(s));
      },
    }, "Edit"),
    el("button", {
      type: "button",
      class: "reject",
      onclick: () => { setRejected(suggestionKey(s), !rejected); renderSuggestions(); },
    }, rejected ? "Restore" : "Reject"),
  );
  card.append(
    el("h3", {}, el("code", {}, s.id), rejected ? " (rejected)" : null),
    facts([
      ["shape", el("code", {}, s.shape)],
      ["evidence", `approved ${s.approved} times in ${s.sessions} sessions`],
      ["reason", s.rule && s.rule.reason ? s.rule.reason : ""],
    ]),
    el("pre", { class: "rule-yaml" }, s.yaml),
    el("p", { class: loose ? "warn replay-line" : "note replay-line" }, summary),
    replay.transitions
      ? el("details", {}, el("summary", {}, "the replay under this rule"), ...renderReplay(replay, null))
      : null,
    buttons, note, editSlot,
  );
  return card;
}

function renderSuggestions() {
  const data = suggestState.data;
  if (!data) return;
  const target = document.getElementById("suggest-body");
  const showRejected = document.getElementById("suggest-show-rejected").checked;
  const rejected = rejectedSet();
  const select = document.getElementById("suggest-file");
  for (const option of select.options) {
    const path = data.files ? data.files[option.value] : null;
    option.disabled = !path;
    option.textContent = `the ${option.value} policy${path ? ` (${visible(path)})` : " (off)"}`;
  }
  const all = data.suggestions || [];
  const hidden = all.filter((s) => rejected.has(suggestionKey(s)));
  const shown = all.filter((s) => showRejected || !rejected.has(suggestionKey(s)));
  const parts = [
    el("p", { class: "note", id: "suggest-summary" },
      `${data.rows} rows read: ${data.approved} approved, ${data.refused} refused. ` +
      `${all.length} suggested${hidden.length ? `, ${hidden.length} of them rejected here` : ""}.`),
  ];
  parts.push(shown.length
    ? el("div", { id: "suggestions-list" }, shown.map((s) => suggestionCard(s, rejected.has(suggestionKey(s)))))
    : el("p", { class: "note", id: "suggestions-none" }, all.length
      ? "Every suggestion is rejected here (tick “show rejected” to see them)."
      : "Nothing to suggest: no call shape was approved often enough in enough sessions."));
  const skipped = data.skipped || [];
  if (skipped.length) {
    parts.push(el("h3", {}, "Approved but not proposed"),
      table(["shape", "approved", "sessions", "why not"],
        skipped.map((k) => [el("code", {}, k.shape), String(k.approved), String(k.sessions), k.why]),
        { id: "suggest-skipped" }));
  }
  const evasions = data.evasions || [];
  if (evasions.length) {
    parts.push(el("h3", {}, "Possible evasions"),
      el("p", { class: "note" }, "A call was denied, then soon after the same effect was tried another way. Listed, never turned into rules."),
      table(["denied", "then", "why"],
        evasions.map((e) => [
          el("span", {}, el("a", { href: `#call/${e.denied.id}` }, `#${e.denied.id}`), " ", el("code", {}, `${e.denied.tool} ${shortInput(e.denied.input)}`)),
          el("span", {}, el("a", { href: `#call/${e.then.id}` }, `#${e.then.id}`), " ", el("code", {}, `${e.then.tool} ${shortInput(e.then.input)}`)),
          e.why,
        ]),
        { id: "suggest-evasions" }));
  }
  target.replaceChildren(...parts);
}

function setupSuggestions() {
  const form = document.getElementById("suggest-form");
  form.addEventListener("submit", (event) => { event.preventDefault(); loadSuggestions(); });
  document.getElementById("suggest-show-rejected").addEventListener("change", renderSuggestions);
}

// --- start -----------------------------------------------------------------------------------

document.addEventListener("DOMContentLoaded", () => {
  for (const v of views) document.getElementById(`h-${v}`).setAttribute("tabindex", "-1");
  document.getElementById("rules-window").addEventListener("change", showRules);
  document.getElementById("overview-window").addEventListener("change", showOverview);
  window.addEventListener("hashchange", route);
  setupReplay();
  setupSuggestions();
  setupLive();
  route();
});
