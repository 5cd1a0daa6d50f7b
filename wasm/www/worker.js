// The engine runs here, off the page's thread. Protocol (all messages carry the job `id`):
//   page → worker  { type: "check", id, files: [{ name, bytes }], options, crashed: { name: true } }
//                  { type: "rows", id, severity, rule, text, offset, limit }   one table page
//                  { type: "export", id, format: "json" | "csv" | "xlsx" }
//   worker → page  { type: "ready", version, packs }  |  { type: "fatal", message }
//                  { type: "warm", findings, ms }  after "ready": the warm-up check is done
//                  { type: "progress", id, index, total, name }
//                  { type: "done", id, overview, exitCode }  (Session.overview: the report
//                  without its findings, as JSON text; the page asks for the rows it shows)
//                  { type: "rows", id, json }   (Session.findings: { total, offset, rows })
//                  { type: "crash", id, name, panic }   the module trapped on this file: the page
//                  starts a fresh worker and repeats the job with the file marked as crashed
//                  { type: "exported", id, format, bytes } | { type: "failed", id, message }
// The report stays here: a 100k-line file has ~20 MB of findings, and sending and parsing all of
// that cost the page ~0.5 s before it could show anything.
// An xlsx/xlsm is read in a second worker (reader.js) while this one checks its cells as they
// come (Session.checkCells): the module has no threads, and reading was half of a check.
import init, * as hv from "./pkg/hangviet_wasm.js";

let session = null;

// The reading worker: { worker, ready: Promise<boolean>, isReady, inbox, waiting, ended, broke },
// or null where a worker cannot start one (then every file is checked here alone, as before).
// A file that comes before the reader is ready is checked here alone too: waiting for it costs
// a small file more than it saves.
let reader = startReader();

function startReader() {
  if (typeof Worker === "undefined") return null;
  let worker;
  try {
    worker = new Worker(new URL("./reader.js", import.meta.url), { type: "module" });
  } catch (_) {
    return null;
  }
  const r = { worker, isReady: false, inbox: [], waiting: null, ended: true, broke: false };
  // A message of the file being read: a Uint8Array, null after the last, a string (the panic
  // text) when the reader broke on it.
  const deliver = (v) => {
    clearTimeout(r.silence);
    if (v === null || typeof v === "string") r.ended = true;
    if (typeof v === "string") r.broke = true; // it closes itself
    if (r.waiting) {
      const w = r.waiting;
      r.waiting = null;
      w(v);
    } else r.inbox.push(v);
  };
  r.deliver = deliver;
  r.ready = new Promise((resolve) => {
    worker.onmessage = (ev) => {
      const d = ev.data;
      if (d.type === "ready") {
        r.isReady = true;
        resolve(true);
      }
      else if (d.type === "fatal") resolve(false);
      else if (d.type === "cells") deliver(d.msg);
      else if (d.type === "end") deliver(null);
      else if (d.type === "crash") deliver(d.panic || "crash");
    };
    // A message that cannot be read here would leave a hole in the cells: say the reader broke.
    worker.onmessageerror = () => deliver("reader message could not be read");
    worker.onerror = (ev) => {
      ev.preventDefault();
      r.isReady = false;
      resolve(false);
      if (!r.ended) deliver(String(ev.message || "reader error"));
    };
  });
  return r;
}

// Whether the reader is there and ready, waiting for it to load (at most 20 s: a reader that
// does not come is given up, and files are checked here alone). For the "warm" message.
async function readerReady() {
  if (!reader) return false;
  const r = reader;
  const ok = await Promise.race([r.ready, new Promise((res) => setTimeout(() => res(false), 20000))]);
  if (!ok && reader === r) {
    r.worker.terminate();
    reader = null;
  }
  return ok;
}

// The next message from the reader (Session.checkCells asks for them one at a time). A reader
// silent for a minute (they come every few ms; killed without an error event, say out of
// memory) is taken as broken, so the check ends with an error instead of waiting for ever.
const SILENCE_MS = 60000;
function nextFrom(r) {
  if (r.inbox.length) return Promise.resolve(r.inbox.shift());
  return new Promise((resolve) => {
    r.waiting = resolve;
    r.silence = setTimeout(() => {
      if (r.waiting === resolve) r.deliver("reader silent for a minute");
    }, SILENCE_MS);
  });
}

// Check one xlsx/xlsm with the reader beside; the result is Session.add's.
// The reader starts on a copy of the bytes first; the hash is taken after (Chromium's digest of
// a 9 MB file holds this worker 30–50 ms: the reader's wait, before).
async function checkBeside(s, bytes, name) {
  const r = reader;
  r.inbox = [];
  r.waiting = null;
  r.ended = false;
  const u8 = new Uint8Array(bytes);
  const copy = u8.slice();
  r.worker.postMessage({ type: "read", bytes: copy.buffer, name }, [copy.buffer]);
  const hash = await sha256(bytes);
  if (!hash) {
    // No hash after all (the browser refused): the module checks the file alone and hashes it.
    r.worker.terminate();
    reader = startReader();
    s.add(u8, name, undefined);
    return;
  }
  const checking = s.checkCells(u8, name, hash, () => nextFrom(r));
  // A trap inside the check happens in a job of the module's task queue, not in this call, and
  // comes out as an error event (or an unhandled rejection): catch it here.
  let onTrap;
  const trapped = new Promise((_, reject) => {
    onTrap = (ev) => {
      const e = ev.error || ev.reason;
      if (e instanceof WebAssembly.RuntimeError) {
        ev.preventDefault();
        reject(e);
      }
    };
    self.addEventListener("error", onTrap);
    self.addEventListener("unhandledrejection", onTrap);
  });
  let checked;
  try {
    checked = await Promise.race([checking, trapped]);
  } finally {
    self.removeEventListener("error", onTrap);
    self.removeEventListener("unhandledrejection", onTrap);
  }
  if (!r.ended || r.broke) {
    // The check ended before the reading did (it needed the whole-file check, or an error
    // came first), or the reader broke: stop it and start a fresh one for the next file.
    r.worker.terminate();
    reader = startReader();
  }
  s.addChecked(checked);
}

// The module is built with SIMD (wasm/README.md): a browser from before mid-2021 cannot compile
// it. This smallest SIMD function tells the page to say so rather than show the compile error.
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);

const ready = init()
  .then(() =>
    postMessage({
      type: "ready",
      version: hv.version(),
      packs: hv.packs({}),
      // CSV and annotated xlsx come from core once those writers exist in this build.
      exports: { csv: typeof hv.Session.prototype.toCsv === "function", xlsx: typeof hv.Session.prototype.toXlsx === "function" },
    }),
  )
  .then(() => {
    // Right after "ready", while the user chooses a file: check a small sample once, so the
    // browser has compiled the engine's hot code to its optimised tier (a first check was
    // ~25 % slower than later ones) and the engine is built. A check asked for meanwhile waits
    // for it (a fraction of a second); a failure here only means no warm-up.
    const t0 = performance.now();
    let findings = -1;
    try {
      findings = hv.warmUp();
    } catch (_) {
      /* the real check will report whatever is wrong */
    }
    // The reader warms itself meanwhile; "warm" says both are (checks do not wait for it).
    const ms = Math.round(performance.now() - t0);
    readerReady().then(() => postMessage({ type: "warm", findings, ms }));
  })
  .catch((e) =>
    postMessage({ type: "fatal", message: String((e && e.message) || e), noSimd: !WebAssembly.validate(SIMD_PROBE) }),
  );

// The file's SHA-256 as the report records it, from the browser's own (native) hashing;
// undefined where crypto.subtle is missing, and the module hashes the bytes itself.
async function sha256(bytes) {
  try {
    const d = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
    return Array.from(d, (b) => b.toString(16).padStart(2, "0")).join("");
  } catch (_) {
    return undefined;
  }
}

async function check({ id, files, options, crashed }) {
  if (session) session.free();
  session = null;
  const s = new hv.Session(options);
  for (let i = 0; i < files.length; i++) {
    const { name, bytes, readError } = files[i];
    postMessage({ type: "progress", id, index: i, total: files.length, name });
    if (readError) {
      s.addError(name, readError);
    } else if (crashed && crashed[name]) {
      s.addError(name, hv.crashMessage(name));
    } else {
      try {
        // Test seam (browser tests set it from the worker's console): break as a reader would.
        if (self.hangvietPanicOn === name) hv.panicForTest();
        const beside =
          self.crypto && crypto.subtle && reader && reader.isReady && s.readsAsCells(new Uint8Array(bytes), name);
        // Checked here alone while the reader still warms up: it skips its second round, so
        // the two do not share the cores for long.
        if (reader && !reader.isReady) reader.worker.postMessage({ type: "hurry" });
        if (beside) await checkBeside(s, bytes, name);
        else s.add(new Uint8Array(bytes), name, await sha256(bytes));
      } catch (e) {
        if (e instanceof WebAssembly.RuntimeError) {
          let panic = "";
          try { panic = hv.lastPanic() || ""; } catch (_) { /* the instance is gone */ }
          postMessage({ type: "crash", id, name, panic });
          if (reader) reader.worker.terminate();
          close();
          return;
        }
        throw e;
      }
    }
  }
  postMessage({ type: "progress", id, index: files.length, total: files.length, name: "" });
  session = s;
  postMessage({ type: "done", id, overview: s.overview(), exitCode: s.exitCode() });
}

function rows({ id, severity, rule, text, offset, limit }) {
  if (!session) throw new Error("no report to show");
  postMessage({ type: "rows", id, json: session.findings(severity, rule, text, offset, limit) });
}

function exportAs({ id, format }) {
  if (!session) throw new Error("no report to export");
  // JSON: the text `hangviet check --format json` prints (with its final newline), as UTF-8.
  const bytes =
    format === "json" ? new TextEncoder().encode(session.toJson() + "\n")
    : format === "csv" ? session.toCsv()
    : session.toXlsx();
  postMessage({ type: "exported", id, format, bytes }, [bytes.buffer]);
}

async function handle(msg) {
  try {
    if (msg.type === "check") await check(msg);
    else if (msg.type === "rows") rows(msg);
    else if (msg.type === "export") exportAs(msg);
  } catch (e) {
    postMessage({ type: "failed", id: msg.id, message: String((e && e.message) || e) });
  }
}

// One message at a time, in order: a check waits for the browser's hash, and nothing else may
// run on the session meanwhile.
let queue = ready;
onmessage = (ev) => {
  queue = queue.then(() => handle(ev.data));
};
