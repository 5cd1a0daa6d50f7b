// The wasm `check` (node build in wasm/pkg) against `hangviet check --format json` on every
// bundled fixture, in both languages, with and without --as-of; errors, options, sessions,
// an extra rule pack, and the odd files in ../shared/data/fixtures.
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const { root, cliCheck, fixtures, sharedFixtures } = require("./cli.cjs");

const glue = path.join(root, "wasm", "pkg", "hangviet_wasm.js");
// A fresh module instance: needed after a panic, which ends an instance on wasm32.
function fresh() {
  delete require.cache[require.resolve(glue)];
  return require(glue);
}
let wasm = fresh();

const read = (f) => fs.readFileSync(path.join(root, f));

const variants = [
  { args: ["--as-of", "2026-03-01"], opts: { asOf: "2026-03-01" } },
  { args: ["--as-of", "2025-06-30", "--lang", "en"], opts: { asOf: "2025-06-30", lang: "en" } },
  // No --as-of: dates come from the file, else today (both faces use today's UTC date).
  { args: [], opts: {} },
];

test("every fixture: wasm check() gives the CLI's JSON report", () => {
  const files = fixtures();
  assert.ok(files.length >= 20, `fixtures: ${files.length}`);
  let checked = 0;
  let refused = 0;
  for (const v of variants) {
    for (const f of files) {
      const cli = cliCheck([f], v.args);
      if (cli.code === 2) {
        // An unreadable file: the CLI's report names it in errors; wasm throws that message.
        assert.equal(cli.report.errors.length, 1, f);
        assert.throws(() => wasm.check(read(f), f, v.opts), (e) => {
          // The exception reads as the CLI prints it: "FILE: reason" (the JSON entry holds the reason).
          assert.equal(e.message, `${f}: ${cli.report.errors[0].message}`, f);
          return true;
        });
        refused++;
        continue;
      }
      const got = wasm.check(read(f), f, v.opts);
      assert.deepEqual(got, cli.report, `${f} ${v.args.join(" ")}`);
      checked++;
    }
  }
  assert.ok(checked > 40 && refused > 0, `checked ${checked}, refused ${refused}`);
  // The planted fixtures do produce findings, so the comparison is not between empty lists.
  const planted = wasm.check(read("tests/fixtures/check/award_planted.xlsx"), "a.xlsx", { asOf: "2026-03-01" });
  assert.ok(planted.findings.length > 0);
});

test("a session over several files gives the CLI's report and exit code for the batch", () => {
  const files = fixtures();
  for (const failOn of ["violation", "info", "never"]) {
    const cli = cliCheck(files, ["--as-of", "2026-03-01", "--fail-on", failOn]);
    const s = new wasm.Session({ asOf: "2026-03-01", failOn });
    for (const f of files) s.add(read(f), f);
    assert.deepEqual(s.finish(), cli.report);
    assert.equal(s.exitCode(), cli.code, `--fail-on ${failOn}`);
    // Same report; key order is not part of the contract (the CLI streams findings first).
    assert.deepEqual(JSON.parse(s.toJson()), JSON.parse(cli.stdout));
  }
  // Without the unreadable file, the exit code follows --fail-on.
  const good = files.filter((f) => !f.endsWith("no_table.xlsx"));
  for (const failOn of ["violation", "never"]) {
    const cli = cliCheck(good, ["--as-of", "2026-03-01", "--fail-on", failOn]);
    const s = new wasm.Session({ asOf: "2026-03-01", failOn });
    for (const f of good) s.add(read(f), f);
    assert.equal(s.exitCode(), cli.code);
  }
});

test("a session's overview and table pages are its report, filtered as the page filtered it", () => {
  const files = fixtures();
  const s = new wasm.Session({ asOf: "2026-03-01" });
  for (const f of files) s.add(read(f), f);
  const report = JSON.parse(s.toJson());
  assert.ok(report.findings.length > 20, `findings: ${report.findings.length}`);
  const o = JSON.parse(s.overview());
  assert.deepEqual(
    { summary: o.summary, inputs: o.inputs, errors: o.errors, findings: o.findings },
    { summary: report.summary, inputs: report.inputs, errors: report.errors, findings: report.findings.length },
  );
  const names = {};
  for (const f of report.findings) names[f.rule] = f.name;
  assert.deepEqual(o.rule_names, names);

  // What the page did with the whole report in hand.
  const want = (sev, rule, text) =>
    report.findings.filter(
      (f) =>
        (!sev || f.severity === sev) &&
        (!rule || f.rule === rule) &&
        (!text || `${f.item} ${f.message} ${f.cells.join(" ")}`.toLowerCase().includes(text)),
    );
  const all = (sev, rule, text, limit) => {
    const rows = [];
    for (let off = 0; ; off += limit) {
      const p = JSON.parse(s.findings(sev, rule, text, off, limit));
      assert.equal(p.offset, off);
      rows.push(...p.rows);
      if (off + limit >= p.total) {
        assert.equal(rows.length, p.total);
        return rows;
      }
    }
  };
  assert.deepEqual(all("", "", "", 7), report.findings);
  const f0 = report.findings[0];
  const word = f0.message.split(/\s+/).find((w) => w.length > 3).toLowerCase();
  const cases = [
    ["violation", "", ""],
    ["info", "", ""],
    ["", f0.rule, ""],
    [f0.severity, f0.rule, ""],
    ["", "", word],
    ["", "", (f0.cells[0] || "a1").toLowerCase()],
    ["", "", f0.item.toLowerCase()],
    ["", "", "no such text anywhere"],
  ];
  for (const [sev, rule, text] of cases) {
    const w = want(sev, rule, text);
    assert.deepEqual(all(sev, rule, text, 5), w, `${sev}|${rule}|${text}`);
    if (text) assert.ok(w.length > 0 || text === "no such text anywhere", text);
  }
  // Past the end: the last page, and says so.
  const n = report.findings.length;
  const last = JSON.parse(s.findings("", "", "", n + 50, 10));
  assert.equal(last.offset, Math.floor((n - 1) / 10) * 10);
  assert.deepEqual(last.rows, report.findings.slice(last.offset));
  const none = JSON.parse(s.findings("", "", "no such text anywhere", 400, 10));
  assert.deepEqual(none, { total: 0, offset: 0, rows: [] });
});

test("options are checked with the CLI's messages", () => {
  const f = "tests/fixtures/award_result.xlsx";
  assert.throws(() => wasm.check(read(f), f, { asOf: "hôm qua" }), /--as-of cần ngày dạng YYYY-MM-DD: `hôm qua`/);
  assert.throws(() => wasm.check(read(f), f, { asOf: "x", lang: "en" }), /--as-of needs a date YYYY-MM-DD/);
  assert.throws(() => wasm.check(read(f), f, { lang: "fr" }), /lang/);
  assert.throws(() => new wasm.Session({ failOn: "high" }), /failOn/);
  // Garbage bytes are an error for the file, never a crash.
  assert.throws(() => wasm.check(new Uint8Array([1, 2, 3]), "x.xlsx", {}), /x\.xlsx/);
  assert.equal(wasm.check(read(f), f, {}).tool.version, wasm.version());
});

test("pack info and rules are the CLI's", () => {
  const cli = cliCheck(["tests/fixtures/award_result.xlsx"], ["--as-of", "2026-03-01"]);
  const packs = wasm.packs({});
  assert.deepEqual(packs, cli.report.packs);
  assert.equal(packs[0].id, "vn");
  assert.match(packs[0].hash, /^[0-9a-f]{64}$/);
  const rules = wasm.rules({ lang: "en" });
  const codes = rules.map((r) => r.code);
  assert.ok(codes.includes("VN-R1") && codes.indexOf("VN-R2") < codes.indexOf("VN-R11"), codes.join(" "));
  for (const r of rules) {
    assert.ok(["violation", "warning", "advisory", "info"].includes(r.severity));
    assert.ok(r.name.length > 0 && r.versions.length > 0);
  }
  // Every rule code that fires in a report is listed.
  for (const f of cli.report.findings) assert.ok(codes.includes(f.rule));
});

test("an extra rule pack given as text acts as --rules DIR", () => {
  const dir = "rules/vn";
  const files = {};
  for (const f of fs.readdirSync(path.join(root, dir))) {
    if (f.endsWith(".toml")) files[f] = fs.readFileSync(path.join(root, dir, f), "utf8");
  }
  const f = "tests/fixtures/check/award_planted.xlsx";
  const cli = cliCheck([f], ["--as-of", "2026-03-01", "--rules", dir]);
  const got = wasm.check(read(f), f, { asOf: "2026-03-01", rules: files, rulesLabel: dir });
  assert.deepEqual(got, cli.report);
  assert.equal(got.pack.source, dir);
  // A broken pack: the load error names file:line:column, as the CLI's does.
  const broken = { ...files, "pack.toml": files["pack.toml"].replace(/^id = /m, "id == ") };
  assert.throws(() => wasm.check(read(f), f, { rules: broken, rulesLabel: dir }), /rules\/vn\/pack\.toml:\d+:\d+/);
  // And the default engine is back for the next call.
  assert.deepEqual(wasm.check(read(f), f, { asOf: "2026-03-01" }).pack.source, "embedded:rules/vn");
});

test("odd and broken files from ../shared/data/fixtures: the CLI's report or its error, never a dead module", () => {
  const files = sharedFixtures();
  assert.ok(files.length >= 100, `shared fixtures: ${files.length}`);
  let same = 0;
  let errors = 0;
  let panics = 0;
  for (const f of files) {
    const cli = cliCheck([f], ["--as-of", "2026-03-01"]);
    const s = new wasm.Session({ asOf: "2026-03-01" });
    try {
      s.add(read(f), f);
    } catch (e) {
      // wasm32 cannot unwind: the reader's panic traps and ends the instance. The caller
      // reports the CLI's message for the file and loads a fresh instance.
      assert.ok(e instanceof WebAssembly.RuntimeError, `${f}: ${e}`);
      assert.ok(wasm.lastPanic(), `${f}: the panic hook recorded no message`);
      assert.equal(cli.code, 2, `${f}: the CLI read a file the wasm panicked on`);
      assert.equal(`${f}: ${cli.report.errors[0].message}`, wasm.crashMessage(f), f);
      panics++;
      wasm = fresh();
      const again = wasm.check(read("tests/fixtures/award_result.xlsx"), "ok.xlsx", {});
      assert.ok(again.inputs[0].lines > 0);
      continue;
    }
    const got = s.finish();
    // calamine sizes a sheet in usize: 32 bits on wasm32, so a hostile dimension record
    // saturates at a different count in its message. Same error, same file, same advice.
    const sameSize = (r) => {
      for (const e of r.errors) e.message = e.message.replace(/\d+ cells requested/, "N cells requested");
      return r;
    };
    assert.deepEqual(sameSize(got), sameSize(structuredClone(cli.report)), f);
    if (cli.code === 2) errors++;
    same++;
  }
  console.log(`shared fixtures: ${same} same as the CLI (${errors} of them errors), ${panics} reader panics`);
});

test("warmUp checks its sample sheet and leaves later checks as they were", () => {
  const w = fresh();
  const before = w.check(read("tests/fixtures/award_egp.xlsx"), "tests/fixtures/award_egp.xlsx", { asOf: "2026-03-01" });
  const findings = w.warmUp();
  // The sample has award lines the pack flags (imported goods, blank models, several origins).
  assert.ok(findings > 100, `warm-up findings: ${findings}`);
  const after = w.check(read("tests/fixtures/award_egp.xlsx"), "tests/fixtures/award_egp.xlsx", { asOf: "2026-03-01" });
  assert.deepEqual(after, before);
});

test("Session.add with the caller's SHA-256 gives the same report as hashing in the module", () => {
  const crypto = require("node:crypto");
  const f = "tests/fixtures/award_egp.xlsx";
  const bytes = read(f);
  const hex = crypto.createHash("sha256").update(bytes).digest("hex");
  const report = (sha) => {
    const s = new wasm.Session({ asOf: "2026-03-01" });
    s.add(bytes, f, sha);
    return JSON.parse(s.toJson());
  };
  const own = report(undefined);
  assert.equal(own.inputs[0].sha256, hex);
  assert.deepEqual(report(hex), own);
  // Not a hash: ignored, the module hashes the bytes itself.
  assert.deepEqual(report("not-a-hash"), own);
  assert.deepEqual(report(hex.toUpperCase()), own);
});

test("the worker's SIMD probe is a valid SIMD module, and only that (old browsers get a plain message)", () => {
  const src = fs.readFileSync(path.join(root, "wasm", "www", "worker.js"), "utf8");
  const m = src.match(/const SIMD_PROBE = new Uint8Array\(\[([\d,\s]+)\]\)/);
  assert.ok(m, "SIMD_PROBE not found in worker.js");
  const bytes = Uint8Array.from(m[1].split(",").map((x) => Number(x.trim())));
  // node 20 has SIMD, as every browser the page supports does.
  assert.equal(WebAssembly.validate(bytes), true);
  // Its SIMD instruction (0xfd 0x62, i8x16.popcnt) is what makes it valid.
  const i = bytes.lastIndexOf(0xfd);
  const broken = Uint8Array.from(bytes);
  broken[i + 1] = 0xff;
  assert.equal(WebAssembly.validate(broken), false);
});
