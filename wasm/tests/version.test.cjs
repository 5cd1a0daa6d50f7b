// Smoke test of the built wasm module (run `bash wasm/build.sh` first).
// Checks that both builds load and answer, and that they are the version this
// checkout declares, so a stale wasm/pkg is caught.
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const { pathToFileURL } = require("node:url");

const root = path.join(__dirname, "..", "..");

// The version in the root Cargo.toml's [workspace.package] section.
function workspaceVersion() {
  const toml = fs.readFileSync(path.join(root, "Cargo.toml"), "utf8");
  let section = "";
  for (const raw of toml.split("\n")) {
    const line = raw.trim();
    const header = line.match(/^\[([^\]]+)\]$/);
    if (header) {
      section = header[1].trim();
      continue;
    }
    const version = line.match(/^version\s*=\s*"([^"]+)"/);
    if (section === "workspace.package" && version) {
      return version[1];
    }
  }
  throw new Error("Cargo.toml has no version in [workspace.package]");
}

test("node build (wasm/pkg) reports the workspace version", () => {
  const wasm = require(path.join(root, "wasm", "pkg", "hangviet_wasm.js"));
  assert.equal(wasm.version(), workspaceVersion());
});

test("web build (wasm/dist/pkg) instantiates from bytes and reports the workspace version", async () => {
  const dir = path.join(root, "wasm", "dist", "pkg");
  const glue = await import(pathToFileURL(path.join(dir, "hangviet_wasm.js")).href);
  const bytes = fs.readFileSync(path.join(dir, "hangviet_wasm_bg.wasm"));
  glue.initSync({ module: bytes });
  assert.equal(glue.version(), workspaceVersion());
});
