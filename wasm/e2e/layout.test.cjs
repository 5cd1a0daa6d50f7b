// How the page reads, checked in headless Chromium on a real award list (numbers from the CLI):
// rule codes and short columns never break, numbers follow the language (28,0 % / 28.0%),
// English counts agree with their nouns, the disclaimer is said once, the filters sit on one row,
// an 800 px window has no sideways scroll, and print shows the report without the controls.
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const { root, cliCheck } = require("../tests/cli.cjs");
const { serve, launch, dist } = require("./browser.cjs");

const FIXTURE = "tests/fixtures/award_egp.xlsx";

let web;
let browser;
let page;

test.before(async () => {
  assert.ok(fs.existsSync(path.join(dist, "index.html")), "run wasm/build.sh first");
  web = await serve();
  browser = await launch();
  page = await browser.context.newPage();
  await page.setViewportSize({ width: 1280, height: 900 });
  page.on("pageerror", (e) => console.error("page error:", e.message));
  await page.goto(web.url);
  await page.waitForFunction(() => window.hangvietReady === true, null, { timeout: 60_000 });
});

test.after(async () => {
  if (browser) await browser.close();
  if (web) web.server.close();
});

async function check(file) {
  await page.setInputFiles('[data-testid="file-input"]', path.join(root, file));
  await page.waitForSelector("body[data-state=done]", { timeout: 120_000 });
}

// Elements among `selector` whose text takes more than one line.
function wrapped(selector) {
  return page.$$eval(selector, (es) =>
    es.filter((e) => {
      const r = document.createRange();
      r.selectNodeContents(e);
      const tops = new Set([...r.getClientRects()].map((x) => Math.round(x.top)));
      return tops.size > 1;
    }).map((e) => e.textContent),
  );
}

const summaryText = () => page.textContent('[data-testid="summary"]');

test("Vietnamese: one-line rule codes, Vietnamese numbers, one disclaimer, a tidy filter row", async () => {
  const cli = cliCheck([FIXTURE]).report;
  await check(FIXTURE);
  assert.deepEqual(await wrapped("#findings th"), []);
  assert.deepEqual(await wrapped("#findings td.rule"), []);
  assert.deepEqual(await wrapped("#findings td.sev"), []);

  const s = await summaryText();
  const share = cli.summary.domestic_share_value * 100;
  const vi = (n, d = 0) => new Intl.NumberFormat("vi-VN", { minimumFractionDigits: d, maximumFractionDigits: d }).format(n);
  assert.ok(s.includes(`${vi(share, 1)} %`), s);
  assert.match(vi(share, 1), /,/);
  assert.ok(s.includes(vi(Math.round(cli.summary.value_total))), s);
  assert.match(vi(Math.round(cli.summary.value_total)), /^\d{1,3}(\.\d{3})+$/);

  // Said once, at the top, whatever the results.
  const main = await page.textContent("main");
  assert.equal(main.split("không phải kết luận pháp lý").length - 1, 1, main);
  assert.ok(await page.isVisible(".notice"));

  // Filters: one row, the page's font size, the rule list a sensible width.
  const boxes = await page.$$eval(".filters select, .filters input", (es) =>
    es.map((e) => ({ top: Math.round(e.getBoundingClientRect().top), width: e.getBoundingClientRect().width,
      font: getComputedStyle(e).fontSize })));
  assert.equal(new Set(boxes.map((b) => b.top)).size, 1, JSON.stringify(boxes));
  assert.equal(new Set(boxes.map((b) => b.font)).size, 1, JSON.stringify(boxes));
  assert.ok(parseFloat(boxes[0].font) >= 14, JSON.stringify(boxes));
  assert.ok(boxes[1].width <= 420, JSON.stringify(boxes));
  // Each rule option: the code and a short name, the count.
  const options = await page.$$eval('[data-testid="filter-rule"] option', (os) => os.slice(1).map((o) => o.textContent));
  assert.equal(options.length, Object.keys(cli.summary.by_rule).length);
  for (const o of options) assert.match(o, /^VN-R\d+ .{3,36} \(\d+\)$/u, o);
});

test("English: counts agree with their nouns, English numbers", async () => {
  const cli = cliCheck([FIXTURE], ["--lang", "en"]).report;
  await page.click('[data-testid="lang-switch"]');
  await page.waitForFunction(
    (cite) => document.body.dataset.state === "done" &&
      document.querySelector('[data-testid="finding-row"]')?.textContent.includes(cite),
    cli.findings[0].citation,
    { timeout: 120_000 },
  );
  assert.match(await page.textContent('[data-testid="progress"]'), /^Checked 1 file \(\d+\.\d s\)$/);
  const s = await summaryText();
  const plural = (n, one, other) => `${n}${n === 1 ? one : other}`;
  for (const [sev, noun] of [["violation", "violations"], ["warning", "warnings"], ["advisory", "advisories"]]) {
    const n = cli.summary.by_severity[sev] || 0;
    assert.ok(s.includes(plural(n, sev, noun)), `${plural(n, sev, noun)} in ${s}`);
  }
  assert.ok(s.includes("1File") && !s.includes("1Files"), s);
  assert.ok(s.includes(`${(cli.summary.domestic_share_value * 100).toFixed(1)}%`), s);
  const cells = await page.$$eval('[data-testid="finding-row"] .cells', (es) => es.map((e) => e.textContent));
  const want = cli.findings.slice(0, 200).filter((f) => f.cells.length)
    .map((f) => `${f.cells.length === 1 ? "cell" : "cells"} ${f.cells.join(", ")}`);
  assert.deepEqual(cells, want);
  assert.ok(want.some((c) => c.startsWith("cell ")) && want.some((c) => c.startsWith("cells ")));
  assert.equal((await page.textContent("main")).split("not a legal ruling").length - 1, 1);
});

test("800 px window: no sideways scroll; rule codes still on one line", async () => {
  await page.setViewportSize({ width: 800, height: 900 });
  const widths = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  assert.equal(widths[0], widths[1]);
  assert.deepEqual(await wrapped("#findings td.rule"), []);
  await page.setViewportSize({ width: 1280, height: 900 });
});

test("print: the notice, summary and findings; no drop zone, options, filters or buttons", async () => {
  await page.emulateMedia({ media: "print" });
  try {
    for (const sel of ["#drop", "#options", ".filters select", ".filters input", ".downloads", "#lang-switch"]) {
      assert.equal(await page.isVisible(sel), false, sel);
    }
    for (const sel of [".notice", '[data-testid="summary"]', "#findings", '[data-testid="finding-row"]']) {
      assert.ok(await page.isVisible(sel), sel);
    }
    assert.equal(await page.$eval("#findings th", (e) => getComputedStyle(e).position), "static");
    assert.deepEqual(await wrapped("#findings td.rule"), []);
  } finally {
    await page.emulateMedia({ media: "screen" });
  }
});
