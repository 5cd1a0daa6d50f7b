// Time one file in the page (headless Chromium, the worker) against the native CLI.
// Usage: node wasm/e2e/bench.cjs FILE [--as-of YYYY-MM-DD] [--runs N] [--cold] [--again] [--settle MS]
//   (after bash wasm/build.sh
// and cargo build --release -p hangviet-cli). HANGVIET_BIN picks the native binary (default
// target/release/hangviet).
//
// Each round runs, in turn: `hangviet check --format json` with its default threads, the same with
// `--jobs 1` (one thread, as the page's worker has), and the page (a fresh tab in one browser),
// from choosing the file (the input's change event) to the results drawn (the frame after the
// page set data-state=done), by the page's own clock; the time as the harness saw it (which adds
// playwright's round trips) is printed beside it. Prints one JSON object (median [min–max] of the
// rounds, the page's time split by the worker's messages) and a line with both ratios. Exits 1
// when the page's counts differ from the CLI's or the two native runs disagree. The file is chosen
// after the worker's warm-up check (worker.js), unless --cold. --again also checks the file a
// second time in the same tab and prints that time: a first check much slower than the second
// means the warm-up leaves some of the first check's code on the browser's baseline tier.
// --settle MS waits that long after the warm-up before choosing the file (the browser finishes
// compiling what the warm-up made hot; a person opening a file dialog takes longer than that).
const fs = require("node:fs");
const path = require("node:path");
const { spawnSync } = require("node:child_process");
const { serve, launch } = require("./browser.cjs");

function parseArgs(argv) {
  const a = { file: null, asOf: "2026-03-01", runs: 3, cold: false, again: false, settle: 0 };
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i];
    if (v === "--as-of") a.asOf = argv[++i];
    else if (v === "--runs") a.runs = Number(argv[++i]);
    else if (v === "--cold") a.cold = true;
    else if (v === "--again") a.again = true;
    else if (v === "--settle") a.settle = Number(argv[++i]);
    else if (!a.file && v && !v.startsWith("--")) a.file = path.resolve(v);
    else throw new Error(`bench.cjs: unknown argument '${v}'`);
  }
  if (!a.file) throw new Error("usage: node wasm/e2e/bench.cjs FILE [--as-of YYYY-MM-DD] [--runs N] [--cold] [--again] [--settle MS]");
  if (!fs.statSync(a.file, { throwIfNoEntry: false })?.isFile()) throw new Error(`bench.cjs: ${a.file} is not a file`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(a.asOf || "")) throw new Error("bench.cjs: --as-of wants YYYY-MM-DD");
  if (!Number.isInteger(a.runs) || a.runs < 1) throw new Error("bench.cjs: --runs wants a whole number ≥ 1");
  if (!Number.isInteger(a.settle) || a.settle < 0) throw new Error("bench.cjs: --settle wants milliseconds ≥ 0");
  return a;
}

// One native run: wall time from spawn to exit, with its exit code and the report parsed.
function native(bin, args) {
  const t0 = process.hrtime.bigint();
  const out = spawnSync(bin, args, { maxBuffer: 1 << 30 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (out.error) throw new Error(`${bin}: ${out.error.message}`);
  // 0 clean, 1 findings, 2 a file not checked (still a report); anything else is a failure.
  if (![0, 1, 2].includes(out.status) || !out.stdout.length) {
    throw new Error(`hangviet ${args.join(" ")} exited ${out.status}: ${out.stderr.toString().trim()}`);
  }
  return { ms, status: out.status, stdout: out.stdout, report: JSON.parse(out.stdout) };
}

// Stamps each message the page gets from its worker (before and after its data is read: the
// structured clone is copied out lazily), so the page's time can be split without touching it.
function stampWorkerMessages() {
  window.__hvMarks = [];
  const Base = window.Worker;
  window.Worker = class extends Base {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", (ev) => {
        const at = performance.now();
        const m = ev.data;
        window.__hvMarks.push({ type: m.type, index: m.index, total: m.total, at, read: performance.now() });
      });
    }
  };
  // When the page got the chosen file (the input's change event, before the page's own handler).
  document.addEventListener("change", (ev) => {
    if (ev.target && ev.target.dataset && ev.target.dataset.testid === "file-input") window.__hvChosen = performance.now();
  }, true);
  // When the page says it is done, and when the next frame has been drawn after that.
  document.addEventListener("DOMContentLoaded", () => {
    new MutationObserver(() => {
      if (document.body.dataset.state !== "done" || window.__hvDone) return;
      const at = performance.now();
      window.__hvDone = { at };
      requestAnimationFrame(() => setTimeout(() => { window.__hvDone.painted = performance.now(); }, 0));
    }).observe(document.body, { attributes: true, attributeFilter: ["data-state"] });
  });
}

// One page run in a fresh tab: ms from choosing the file to the rendered results, its counts,
// and where the time went.
async function pageRun(context, url, file, asOf, cold, again, settle) {
  const page = await context.newPage();
  try {
    await page.addInitScript(stampWorkerMessages);
    await page.goto(url);
    await page.waitForFunction(() => window.hangvietReady === true);
    // By default the file is chosen once the worker's warm-up check is done, as a person
    // choosing a file gives it time to; --cold chooses it at once (the warm-up then runs first).
    if (!cold) await page.waitForFunction(() => window.hangvietWarm === true);
    if (settle) await page.waitForTimeout(settle);
    await page.click("#options summary");
    await page.fill('[data-testid="as-of"]', asOf);
    const start = await page.evaluate(() => performance.now());
    await page.setInputFiles('[data-testid="file-input"]', file);
    await page.waitForSelector("body[data-state=done]", { timeout: 600_000 });
    const seen = await page.evaluate(() => performance.now());
    const chosen = await page.evaluate(() => window.__hvChosen);
    await page.waitForFunction(() => window.__hvDone && window.__hvDone.painted);
    const doneAt = await page.evaluate(() => window.__hvDone);
    // The page's own clock: done, and the frame after it drawn (not when the harness noticed).
    const end = doneAt.painted;
    const s = await page.$eval('[data-testid="summary"]', (e) => ({ ...e.dataset }));
    const rows = await page.$$eval('[data-testid="finding-row"]', (r) => r.length);
    const marks = await page.evaluate(() => window.__hvMarks);
    const first = marks.find((m) => m.type === "progress" && m.index === 0);
    const last = marks.find((m) => m.type === "progress" && m.total && m.index === m.total);
    const done = marks.find((m) => m.type === "done");
    // The first table page, asked of the worker once the overview arrived.
    const rowsMark = marks.find((m) => m.type === "rows" && m.at >= done.at);
    if (!first || !last || !done) throw new Error(`page: worker messages missing: ${JSON.stringify(marks)}`);
    let againMs = null;
    if (again) {
      // The same file once more in this tab (the selection cleared first, so it changes).
      await page.evaluate(() => { window.__hvDone = null; window.__hvChosen = null; });
      await page.setInputFiles('[data-testid="file-input"]', []);
      await page.setInputFiles('[data-testid="file-input"]', file);
      await page.waitForFunction(() => window.__hvDone && window.__hvDone.painted, null, { timeout: 600_000 });
      againMs = await page.evaluate(() => window.__hvDone.painted - window.__hvChosen);
      const s2 = await page.$eval('[data-testid="summary"]', (e) => ({ ...e.dataset }));
      if (s2.findings !== s.findings || s2.lines !== s.lines) mismatch("the page's two checks of the file", s, s2);
    }
    return {
      again_ms: againMs,
      // From the page's change event to the results drawn, by the page's clock.
      ms: end - chosen,
      // As the harness saw it (setInputFiles called → done noticed): the earlier measure.
      harness_ms: seen - start,
      counts: {
        lines: Number(s.lines),
        findings: Number(s.findings),
        errors: Number(s.errors),
        exitCode: Number(s.exitCode),
      },
      rows,
      phases: {
        // file read into an ArrayBuffer and posted (copied) to the worker
        read_post: first.at - chosen,
        // Session.add: the engine reading and checking the file (the worker's progress messages)
        check: last.at - first.at,
        // report built, its overview (no findings) made into JSON text, cloned, and read
        report_to_page: done.read - last.at,
        // the first table page asked of the worker and received
        rows: rowsMark ? rowsMark.read - done.read : 0,
        // summary, filters and the first table page drawn
        render: doneAt.at - (rowsMark ? rowsMark.read : done.read),
        // layout and paint of that frame
        paint: end - doneAt.at,
        // (not counted) from the harness's setInputFiles to the change event, and from the
        // drawn frame to the harness noticing it
        harness_lag: chosen - start + (seen - end),
      },
    };
  } finally {
    await page.close();
  }
}

function stats(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return { median: Math.round(median), min: Math.round(s[0]), max: Math.round(s[s.length - 1]) };
}
const show = (st) => `${(st.median / 1000).toFixed(2)} s [${(st.min / 1000).toFixed(2)}–${(st.max / 1000).toFixed(2)}]`;

function mismatch(what, a, b) {
  throw new Error(`bench.cjs: ${what} differ: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
}

async function main() {
  const { file, asOf, runs, cold, again, settle } = parseArgs(process.argv.slice(2));
  const bin = process.env.HANGVIET_BIN || path.join(__dirname, "..", "..", "target", "release", "hangviet");
  const base = ["check", "--format", "json", "--as-of", asOf];

  const web = await serve();
  const b = await launch();
  const times = { threads: [], jobs1: [], page: [], harness: [], again: [] };
  const phases = [];
  let cli = null;
  let cliText = null;
  let pageCounts = null;
  let rows = 0;
  try {
    // Rounds interleave the three so that a change in the machine's load hits all of them.
    for (let i = 0; i < runs; i++) {
      const d = native(bin, [...base, file]);
      const one = native(bin, [...base, "--jobs", "1", file]);
      if (!d.stdout.equals(one.stdout) || d.status !== one.status) mismatch("native reports (default threads, --jobs 1)", d.report.summary, one.report.summary);
      if (cliText && !cliText.equals(d.stdout)) mismatch("native reports between rounds", cli.summary, d.report.summary);
      cli = d.report;
      cliText = d.stdout;
      times.threads.push(d.ms);
      times.jobs1.push(one.ms);

      const p = await pageRun(b.context, web.url, file, asOf, cold, again, settle);
      const want = {
        lines: cli.summary.lines,
        findings: cli.findings.length,
        errors: cli.errors.length,
        exitCode: d.status,
      };
      if (JSON.stringify(p.counts) !== JSON.stringify(want)) mismatch("page and CLI counts", p.counts, want);
      times.page.push(p.ms);
      times.harness.push(p.harness_ms);
      if (again) times.again.push(p.again_ms);
      phases.push(p.phases);
      pageCounts = p.counts;
      rows = p.rows;
      console.error(
        `round ${i + 1}/${runs}: native ${(d.ms / 1000).toFixed(2)} s, --jobs 1 ${(one.ms / 1000).toFixed(2)} s, ` +
          `page ${(p.ms / 1000).toFixed(2)} s` + (again ? `, again ${(p.again_ms / 1000).toFixed(2)} s` : ""),
      );
    }
  } finally {
    await b.close();
    web.server.close();
  }

  const threads = stats(times.threads);
  const jobs1 = stats(times.jobs1);
  const page = stats(times.page);
  const phaseStats = Object.fromEntries(Object.keys(phases[0]).map((k) => [k, stats(phases.map((p) => p[k]))]));
  const ratio = (a, n) => Math.round((a / n) * 100) / 100;
  const result = {
    file: path.basename(file),
    as_of: asOf,
    runs,
    page_worker: cold ? "cold (file chosen at once)" : "warm (file chosen after the warm-up check)",
    settle_ms: settle,
    lines: cli.summary.lines,
    findings: cli.findings.length,
    page_counts: pageCounts,
    page_rows_drawn: rows,
    native_ms: threads,
    native_jobs1_ms: jobs1,
    browser_ms: page,
    browser_seen_by_harness_ms: stats(times.harness),
    ...(again ? { browser_again_same_tab_ms: stats(times.again) } : {}),
    browser_phases_ms: phaseStats,
    ratio_page_to_native: ratio(page.median, threads.median),
    ratio_page_to_native_jobs1: ratio(page.median, jobs1.median),
  };
  console.log(JSON.stringify(result));
  console.log(
    `${result.file}: ${result.lines} lines, ${result.findings} findings (page: the same); median [min–max] of ${runs}: ` +
      `native ${show(threads)}, native --jobs 1 ${show(jobs1)}, page (${cold ? "cold" : "warm"}) ${show(page)}; ` +
      `page / native = ${result.ratio_page_to_native}×, page / native --jobs 1 = ${result.ratio_page_to_native_jobs1}×` +
      (again ? `; the same file again in the same tab ${show(result.browser_again_same_tab_ms)}` : ""),
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
