// Two module instances as the page's two workers: one reads a workbook into messages
// (readCells), the other checks from them (Session.checkCells, addChecked). The report must be
// the one Session.add gives for the same file, for every xlsx fixture and every option set;
// a reader that breaks, and a file that needs the whole-file check, too.
const test = require("node:test");
const assert = require("node:assert/strict");
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");
const { root, fixtures } = require("./cli.cjs");

const glue = path.join(root, "wasm", "pkg", "hangviet_wasm.js");
function fresh() {
  delete require.cache[require.resolve(glue)];
  return require(glue);
}
const checker = fresh();
const reader = fresh();
assert.notEqual(checker, reader, "two instances, as two workers have");

const read = (f) => fs.readFileSync(path.join(root, f));
const sha = (b) => crypto.createHash("sha256").update(b).digest("hex");

// The reading worker's messages for a file, handed over one at a time (each after a turn of
// the event loop, as messages between workers arrive).
function messages(bytes, name) {
  const msgs = [];
  reader.readCells(bytes, name, (m) => {
    msgs.push(m);
    return true;
  });
  return () => new Promise((resolve) => setImmediate(() => resolve(msgs.length ? msgs.shift() : null)));
}

async function viaCells(opts, bytes, name, next) {
  const s = new checker.Session(opts);
  assert.equal(s.readsAsCells(bytes, name), true, name);
  const checked = await s.checkCells(bytes, name, sha(bytes), next || messages(bytes, name));
  const out = s.addChecked(checked);
  return { s, out };
}

function viaAdd(opts, bytes, name) {
  const s = new checker.Session(opts);
  const out = s.add(bytes, name, sha(bytes));
  return { s, out };
}

const variants = [{ asOf: "2026-03-01" }, { asOf: "2025-06-30", lang: "en" }, {}];

test("every xlsx fixture: checked from the reading worker's cells, the report add() gives", async () => {
  let cells = 0;
  let fallbacks = 0;
  for (const opts of variants) {
    for (const f of fixtures().filter((f) => /\.xls[xm]$/.test(f))) {
      const bytes = read(f);
      const want = viaAdd(opts, bytes, f);
      const got = await viaCells(opts, bytes, f);
      assert.equal(got.s.toJson(), want.s.toJson(), `${f} ${JSON.stringify(opts)}`);
      assert.equal(got.s.exitCode(), want.s.exitCode(), f);
      if (got.out.fallback) fallbacks++;
      else cells++;
      assert.equal(got.out.findings, want.out.findings, f);
      assert.equal(got.out.error, want.out.error, f);
    }
  }
  // Every workbook with a table goes through the cells, those whose law date needs a first
  // pass too (award_egp.xlsx without asOf: its lines carry dates); only a file without a table
  // is checked whole (the whole-file reader words that error), once per option set.
  assert.equal(fallbacks, variants.length, `whole-file checks: ${fallbacks}`);
  assert.ok(cells >= 24, `through cells: ${cells}`);
});

test("a reader that breaks on a file: the error the page gives for a crashed file", async () => {
  const f = "tests/fixtures/award_egp.xlsx";
  const bytes = read(f);
  let first = true;
  const next = () =>
    new Promise((resolve) => {
      // One message, then the reading worker traps (its panic text comes instead).
      const m = first ? messages(bytes, f) : null;
      first = false;
      if (m) m().then(resolve);
      else resolve("panicForTest called");
    });
  const { s, out } = await viaCells({ asOf: "2026-03-01" }, bytes, f, next);
  assert.equal(out.error, checker.crashMessage(f));
  const report = JSON.parse(s.toJson());
  assert.equal(report.errors.length, 1);
  assert.equal(report.inputs.length, 0);
  assert.equal(s.exitCode(), 2);
});

test("files the cells path does not take are not offered to it", () => {
  const s = new checker.Session({});
  assert.equal(s.readsAsCells(read("tests/fixtures/award_utf8_bom.csv"), "a.csv"), false);
  assert.equal(s.readsAsCells(new Uint8Array(0), "empty.xlsx"), false);
  assert.equal(s.readsAsCells(new TextEncoder().encode("not a workbook"), "x.xlsx"), false);
});
