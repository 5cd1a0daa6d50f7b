// The page: picks files, sends them to the worker, shows the report the engine returns.
// No network after load: the engine and this code come from the same folder, files are read
// locally, downloads are made from blobs.
import { TEXT, num, date } from "./i18n.js";

const PAGE_SIZE = 200;
const SEVERITIES = ["violation", "warning", "advisory", "info"];
const $ = (id) => document.getElementById(id);

const state = {
  lang: "vi",
  worker: null,
  ready: null, // Promise of the worker's "ready" message
  exports: { csv: false, xlsx: false },
  files: [], // File objects of the last selection (kept to re-check on a language change)
  rules: null, // { name: text } of an extra rule pack
  report: null, // the worker's overview: { summary, inputs, errors, findings: count, rule_names }
  exitCode: 0,
  job: 0,
  query: 0, // the last table page asked of the worker (older answers are dropped)
  page: 0,
  started: 0,
};

const t = (key, ...args) => {
  const v = TEXT[state.lang][key];
  return typeof v === "function" ? v(...args) : v;
};
const fmt = (n, digits = 0) => num(state.lang, n, digits);

// A rule's name cut at a word to fit the rule filter (the full name is the option's title).
function shortName(name, max = 34) {
  if (!name || name.length <= max) return name || "";
  const cut = name.slice(0, max + 1);
  const space = cut.lastIndexOf(" ");
  return `${(space > max / 2 ? cut.slice(0, space) : cut.slice(0, max)).replace(/[\s,;:–-]+$/, "")}…`;
}

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") e.className = v;
    else if (k.startsWith("data-") || k === "title") e.setAttribute(k, v);
    else e[k] = v;
  }
  for (const c of children) e.append(c);
  return e;
}

// --- the worker -------------------------------------------------------------------------

function startWorker() {
  if (state.worker) state.worker.terminate();
  const w = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
  state.worker = w;
  w.addEventListener("message", function warm(ev) {
    if (ev.data.type !== "warm") return;
    w.removeEventListener("message", warm);
    // For the speed bench (wasm/e2e/bench.cjs), which times warm checks by default.
    window.hangvietWarm = true;
  });
  state.ready = new Promise((resolve, reject) => {
    w.addEventListener("message", function first(ev) {
      if (ev.data.type === "ready") {
        w.removeEventListener("message", first);
        resolve(ev.data);
      } else if (ev.data.type === "fatal") {
        reject(new Error(ev.data.noSimd ? t("noSimd") : ev.data.message));
      }
    });
    w.addEventListener("error", (ev) => reject(new Error(ev.message || "worker error")));
  });
  return state.ready;
}

// One request to the worker; resolves with the final message of that job.
function request(msg, onProgress, transfer = []) {
  const w = state.worker;
  return new Promise((resolve) => {
    const listen = (ev) => {
      const m = ev.data;
      if (m.id !== msg.id) return;
      if (m.type === "progress") {
        onProgress && onProgress(m);
        return;
      }
      w.removeEventListener("message", listen);
      resolve(m);
    };
    w.addEventListener("message", listen);
    w.postMessage(msg, transfer);
  });
}

// --- checking ---------------------------------------------------------------------------

function options() {
  const o = { lang: state.lang, failOn: $("fail-on").value };
  if ($("as-of").value) o.asOf = $("as-of").value;
  if (state.rules) {
    o.rules = state.rules;
    o.rulesLabel = "rules";
  }
  return o;
}

async function readFiles(files) {
  return Promise.all(
    files.map(async (f) => {
      try {
        return { name: f.name, bytes: await f.arrayBuffer() };
      } catch (e) {
        return { name: f.name, readError: `${f.name}: ${e.message || e}` };
      }
    }),
  );
}

async function run() {
  if (!state.files.length) return;
  const id = ++state.job;
  document.body.dataset.state = "busy";
  clearResults();
  $("progress-box").hidden = false;
  $("progress").hidden = false;
  state.started = performance.now();
  const crashed = {};
  for (;;) {
    // Read for each try: the bytes are handed over to the worker, not copied (a 9 MB file
    // took 30-60 ms to copy), so a retry after a crash reads the files again.
    const inputs = await readFiles(state.files);
    await state.ready;
    const msg = { type: "check", id, files: inputs, options: options(), crashed };
    const m = await request(msg, (p) => showProgress(p), inputs.filter((f) => f.bytes).map((f) => f.bytes));
    if (id !== state.job) return; // a newer selection replaced this one
    if (m.type === "crash") {
      // wasm32 cannot recover from a panic: a fresh worker repeats the job, recording this
      // file as the CLI does when its reader breaks.
      console.error(`hangviet: ${m.name}: ${m.panic}`);
      crashed[m.name] = true;
      startWorker();
      continue;
    }
    // The last progress line stays as a status ("checked 2 files (0.4 s)"); the bar goes.
    $("progress").hidden = true;
    if (m.type === "failed") {
      $("progress-box").hidden = true;
      showError(m.message);
      setSummary(null);
      document.body.dataset.state = "done";
      return;
    }
    state.report = JSON.parse(m.overview);
    state.exitCode = m.exitCode;
    state.page = 0;
    state.crashed = crashed;
    await render();
    if (id === state.job) document.body.dataset.state = "done";
    return;
  }
}

function showProgress(p) {
  $("progress").max = p.total;
  $("progress").value = p.index;
  const secs = (performance.now() - state.started) / 1000;
  $("progress-text").textContent = t("progress", p.index, p.total, p.name) + t("elapsed", secs);
}

// --- rendering --------------------------------------------------------------------------

function clearResults() {
  state.report = null;
  $("errors").replaceChildren();
  $("findings-body").replaceChildren();
  $("results").hidden = true;
}

function showError(text) {
  $("errors").append(el("li", { "data-testid": "error" }, text));
}

function setSummary(r) {
  const s = $("summary");
  s.dataset.files = r ? r.summary.files : 0;
  s.dataset.lines = r ? r.summary.lines : 0;
  s.dataset.findings = r ? r.findings : 0;
  s.dataset.errors = r ? r.errors.length : 0;
  s.dataset.exitCode = r ? state.exitCode : 2;
}

function fmtShare(v) {
  return v === null || v === undefined ? "—" : t("percent", v * 100);
}

// One figure of the summary: the number above its label (the label agrees with the number).
function figure(n, label, attrs = {}) {
  return el("div", attrs, el("b", {}, typeof n === "number" ? fmt(n) : n), label);
}

// Draws the summary, then the first table page (asked of the worker); resolves once drawn.
function render() {
  const r = state.report;
  $("errors").replaceChildren();
  for (const e of r.errors) {
    const extra = state.crashed && state.crashed[e.file] ? ` ${t("crashed")}` : "";
    // As the CLI prints it: "FILE: reason".
    showError(`${e.file}: ${e.message}${extra}`);
  }
  setSummary(r);
  const bySev = r.summary.by_severity || {};
  const dates = [...new Set(r.inputs.map((i) => i.as_of))].map((d) => date(state.lang, d)).join(", ") || "—";
  const verdict = t(`verdict${state.exitCode}`);
  const value = r.summary.value_total > 0 ? Math.round(r.summary.value_total) : "—";
  // The disclaimer is the notice at the top of the page, always visible; not repeated here.
  $("summary").replaceChildren(
    figure(r.summary.files, t("files", r.summary.files)),
    figure(r.summary.lines, t("lines", r.summary.lines)),
    figure(r.findings, t("findings", r.findings)),
    ...SEVERITIES.map((s) => figure(bySev[s] || 0, t(`count.${s}`, bySev[s] || 0), { "data-severity": s })),
    figure(r.errors.length, t("errors", r.errors.length)),
    figure(value, t("value")),
    figure(fmtShare(r.summary.domestic_share_value), t("share")),
    figure(dates, t("asOfUsed")),
    el("p", { class: `verdict verdict${state.exitCode}` }, verdict),
  );
  fillFilters();
  $("download-csv").disabled = !state.exports.csv;
  $("download-xlsx").disabled = !state.exports.xlsx;
  $("results").hidden = false;
  return renderTable();
}

function fillFilters() {
  const r = state.report;
  const sev = $("filter-severity");
  const keepSev = sev.value;
  sev.replaceChildren(el("option", { value: "" }, t("all")));
  for (const s of SEVERITIES) {
    const n = r.summary.by_severity[s] || 0;
    sev.append(el("option", { value: s }, `${t(`sev.${s}`)} (${fmt(n)})`));
  }
  sev.value = keepSev;
  const rule = $("filter-rule");
  const keepRule = rule.value;
  rule.replaceChildren(el("option", { value: "" }, t("all")));
  const names = new Map(Object.entries(r.rule_names || {}));
  // VN-R6 before VN-R11.
  const codes = Object.entries(r.summary.by_rule || {}).sort(([a], [b]) => a.localeCompare(b, "en", { numeric: true }));
  for (const [code, n] of codes) {
    const name = names.get(code) || "";
    rule.append(el("option", { value: code, title: `${code} ${name}` }, `${code} ${shortName(name)} (${fmt(n)})`));
  }
  rule.value = keepRule;
}

// One table page of the findings that pass the filters, from the worker (which holds the
// report). #findings-body is aria-busy until the answer is drawn; an answer to an older
// question (the filters or page changed since) is dropped.
async function renderTable() {
  const q = ++state.query;
  const body = $("findings-body");
  body.setAttribute("aria-busy", "true");
  const m = await request({
    type: "rows",
    id: `rows-${q}`,
    severity: $("filter-severity").value,
    rule: $("filter-rule").value,
    text: $("filter-text").value.trim().toLowerCase(),
    offset: state.page * PAGE_SIZE,
    limit: PAGE_SIZE,
  });
  if (q !== state.query || !state.report) return;
  body.removeAttribute("aria-busy");
  if (m.type !== "rows") {
    showError(m.message);
    return;
  }
  const { total, offset, rows } = JSON.parse(m.json);
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  state.page = Math.floor(offset / PAGE_SIZE);
  const several = state.report.inputs.length + state.report.errors.length > 1;
  body.replaceChildren(
    ...rows.map((f) => {
      // Each part unbroken, the line breaks only between them.
      const parts = [several ? f.file : null, f.sheet, `${t("row")} ${f.row}`].filter(Boolean);
      const where = parts.flatMap((p, i) => [i ? " · " : "", el("span", { class: "nw" }, p)]);
      const msg = el("td", { class: "msg" }, f.message);
      // Assumptions the message already states are not repeated under it.
      const assumed = (f.assumptions || []).filter((a) => !f.message.includes(a));
      if (assumed.length) msg.append(el("div", { class: "alt" }, assumed.join(" ")));
      if (f.alternatives && f.alternatives.length) {
        msg.append(el("div", { class: "alt" }, t("alternatives") +
          f.alternatives.map((a) => `${a.maker} — ${a.product} (${a.evidence.reference})`).join("; ")));
      }
      if (f.waived) msg.append(el("div", { class: "alt" }, t("waived")));
      return el(
        "tr",
        { "data-testid": "finding-row", "data-rule": f.rule, "data-severity": f.severity, "data-row": String(f.row) },
        el("td", { class: "sev" }, t(`sev.${f.severity}`)),
        el("td", { class: "rule", title: f.name }, f.rule),
        el("td", { class: "where" }, ...where,
          ...(f.cells.length ? [el("div", { class: "alt cells" }, `${t("cells", f.cells.length)} ${f.cells.join(", ")}`)] : [])),
        el("td", { class: "item" }, f.item),
        msg,
        el("td", { class: "cite", "data-label": t("col.citation") }, f.citation),
      );
    }),
  );
  $("shown").textContent = t("shown", total, state.report.findings);
  $("page").textContent = t("page", state.page + 1, pages);
  $("prev").disabled = state.page === 0;
  $("next").disabled = state.page >= pages - 1;
}

// --- downloads --------------------------------------------------------------------------

function baseName() {
  const first = state.files.length === 1 ? state.files[0].name.replace(/\.[^.]+$/, "") : "hangviet";
  return `${first}.hangviet`;
}

function save(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = el("a", { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

async function exportAs(format) {
  if (!state.report) return;
  const m = await request({ type: "export", id: ++state.job, format });
  if (m.type !== "exported") {
    showError(t("exportFailed") + m.message);
    return;
  }
  const type = {
    json: "application/json",
    csv: "text/csv;charset=utf-8",
    xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  }[format];
  save(new Blob([m.bytes], { type }), `${baseName()}.${format}`);
}

// --- language ---------------------------------------------------------------------------

function applyLang() {
  document.documentElement.lang = state.lang;
  for (const e of document.querySelectorAll("[data-i18n]")) {
    const v = TEXT[state.lang][e.dataset.i18n];
    if (typeof v === "string") e.textContent = v;
  }
  document.title = t("title");
  $("filter-text").placeholder = t("searchHint");
  const sw = $("lang-switch");
  sw.textContent = state.lang === "vi" ? "English" : "Tiếng Việt";
  sw.lang = state.lang === "vi" ? "en" : "vi";
  if (state.info) {
    $("pack-info").textContent = state.info.packs.map((p) => t("pack", p)).join(" · ");
    $("footer").textContent = t("footer", state.info.version);
  }
}

// --- wiring -----------------------------------------------------------------------------

function choose(files) {
  state.files = [...files];
  state.job++; // drop any result still coming for the previous selection
  run();
}

async function readRules(files) {
  const map = {};
  for (const f of files) map[f.name] = await f.text();
  state.rules = Object.keys(map).length ? map : null;
  if (state.files.length) run();
}

function wire() {
  $("file-input").addEventListener("change", (e) => {
    choose(e.target.files);
    e.target.value = ""; // choosing the same file again is a new check
  });
  const drop = $("drop");
  drop.addEventListener("dragover", (e) => {
    e.preventDefault();
    drop.classList.add("over");
  });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => {
    e.preventDefault();
    drop.classList.remove("over");
    if (e.dataTransfer.files.length) choose(e.dataTransfer.files);
  });
  // A file dropped outside the zone must not make the browser navigate away to it.
  window.addEventListener("dragover", (e) => e.preventDefault());
  window.addEventListener("drop", (e) => e.preventDefault());
  $("rules-input").addEventListener("change", (e) => readRules(e.target.files));
  $("as-of").addEventListener("change", run);
  $("fail-on").addEventListener("change", run);
  for (const id of ["filter-severity", "filter-rule"]) {
    $(id).addEventListener("change", () => { state.page = 0; renderTable(); });
  }
  $("filter-text").addEventListener("input", () => { state.page = 0; renderTable(); });
  $("prev").addEventListener("click", () => { state.page--; renderTable(); });
  $("next").addEventListener("click", () => { state.page++; renderTable(); });
  $("download-json").addEventListener("click", () => exportAs("json"));
  $("download-csv").addEventListener("click", () => exportAs("csv"));
  $("download-xlsx").addEventListener("click", () => exportAs("xlsx"));
  $("lang-switch").addEventListener("click", () => {
    state.lang = state.lang === "vi" ? "en" : "vi";
    applyLang();
    if (state.files.length) run();
  });
}

wire();
applyLang();
startWorker()
  .then((info) => {
    state.info = info;
    state.exports = info.exports || state.exports;
    applyLang();
    $("loading").hidden = true;
    $("file-input").disabled = false;
    window.hangvietReady = true;
  })
  .catch((e) => {
    $("loading").textContent = t("loadFailed") + e.message;
    showError(t("loadFailed") + e.message);
  });
