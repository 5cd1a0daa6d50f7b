// Time one file in the page (headless Chromium, the worker) and natively with hangviet check.
// Usage: node wasm/e2e/bench.cjs FILE [--as-of YYYY-MM-DD]   (after bash wasm/build.sh)
// HANGVIET_BIN picks the native binary (default target/release/hangviet).
const path = require("node:path");
const { spawnSync } = require("node:child_process");
const { serve, launch } = require("./browser.cjs");

async function main() {
  const file = path.resolve(process.argv[2]);
  const asOf = process.argv[4] || "2026-03-01";
  const bin = process.env.HANGVIET_BIN || path.join(__dirname, "..", "..", "target", "release", "hangviet");
  const t0 = process.hrtime.bigint();
  const out = spawnSync(bin, ["check", "--format", "json", "--as-of", asOf, file], { maxBuffer: 1 << 30 });
  const native = Number(process.hrtime.bigint() - t0) / 1e6;
  const cli = JSON.parse(out.stdout);

  const web = await serve();
  const b = await launch();
  const page = await b.context.newPage();
  await page.goto(web.url);
  await page.waitForFunction(() => window.hangvietReady === true);
  await page.click("#options summary");
  await page.fill('[data-testid="as-of"]', asOf);
  const start = await page.evaluate(() => performance.now());
  await page.setInputFiles('[data-testid="file-input"]', file);
  await page.waitForSelector("body[data-state=done]", { timeout: 600_000 });
  const end = await page.evaluate(() => performance.now());
  const s = await page.$eval('[data-testid="summary"]', (e) => ({ ...e.dataset }));
  await b.close();
  web.server.close();
  console.log(JSON.stringify({
    file: path.basename(file),
    lines: cli.summary.lines,
    findings: cli.findings.length,
    page: { lines: Number(s.lines), findings: Number(s.findings) },
    native_ms: Math.round(native),
    browser_ms: Math.round(end - start),
  }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
