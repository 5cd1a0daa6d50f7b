// Helpers shared by the node and browser tests: the CLI binary, fixtures, reports.
const fs = require("node:fs");
const path = require("node:path");
const { execFileSync, spawnSync } = require("node:child_process");

const root = path.join(__dirname, "..", "..");

// The hangviet binary the wasm is compared with: $HANGVIET_BIN, else the debug build
// (built here once; ./tests/run has already built it in rust_tests).
let bin = null;
function hangvietBin() {
  if (bin) return bin;
  if (process.env.HANGVIET_BIN) {
    bin = process.env.HANGVIET_BIN;
  } else {
    execFileSync("cargo", ["build", "--quiet", "-p", "hangviet-cli"], { cwd: root, stdio: "inherit" });
    bin = path.join(root, "target", "debug", "hangviet");
  }
  return bin;
}

// `hangviet check --format json ARGS… FILES…` run from the repository root: { code, report }.
function cliCheck(files, args = []) {
  const out = spawnSync(hangvietBin(), ["check", "--format", "json", ...args, ...files], {
    cwd: root,
    encoding: "utf8",
    maxBuffer: 1 << 30,
  });
  if (out.status !== 0 && out.status !== 1 && out.status !== 2) {
    throw new Error(`hangviet check ${files.join(" ")}: exit ${out.status}\n${out.stderr}`);
  }
  return { code: out.status, report: JSON.parse(out.stdout), stdout: out.stdout, stderr: out.stderr };
}

// The bundled fixtures every face must agree on (paths relative to the root).
function fixtures() {
  const out = [];
  for (const dir of ["tests/fixtures", "tests/fixtures/check"]) {
    for (const f of fs.readdirSync(path.join(root, dir)).sort()) {
      if (/\.(xlsx|xlsm|xls|xlsb|ods|csv|tsv|txt)$/i.test(f)) out.push(`${dir}/${f}`);
    }
  }
  return out;
}

// Every file under ../shared/data/fixtures (odd and broken spreadsheets), relative to the root.
function sharedFixtures() {
  const base = path.join(root, "..", "shared", "data", "fixtures");
  const out = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (!/README|LICEN/i.test(e.name)) out.push(path.relative(root, p));
    }
  };
  if (fs.existsSync(base)) walk(base);
  return out;
}

// A report with every `file` field replaced, for comparing runs that named the file differently.
function renameFiles(report, name) {
  const r = structuredClone(report);
  for (const i of r.inputs) i.file = name;
  for (const f of r.findings) f.file = name;
  for (const e of r.errors) e.file = name;
  return r;
}

module.exports = { root, hangvietBin, cliCheck, fixtures, sharedFixtures, renameFiles };
