// The page as a user sees it after checking a real award list, in Vietnamese and in English:
// the summary and the first findings must match the CLI, then each view is saved as a PNG in
// target/screenshots/ (page-vi.png: the top of the page; page-en.png: scrolled to the results). tests/screenshots copies them into docs/img/.
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const { root, cliCheck } = require("../tests/cli.cjs");
const { serve, launch, dist } = require("./browser.cjs");

const FIXTURE = "tests/fixtures/award_egp.xlsx";
const OUT = path.join(root, "target", "screenshots");
// A laptop-sized window: the header, the drop zone, the summary and the first findings fit.
const VIEWPORT = { width: 1280, height: 900 };

let web;
let browser;
let page;

test.before(async () => {
  assert.ok(fs.existsSync(path.join(dist, "index.html")), "run wasm/build.sh first");
  fs.mkdirSync(OUT, { recursive: true });
  web = await serve();
  browser = await launch();
  page = await browser.context.newPage();
  await page.setViewportSize(VIEWPORT);
  page.on("pageerror", (e) => console.error("page error:", e.message));
  await page.goto(web.url);
  await page.waitForFunction(() => window.hangvietReady === true, null, { timeout: 60_000 });
});

test.after(async () => {
  if (browser) await browser.close();
  if (web) web.server.close();
});

// What the page shows: summary counts and the rule of each finding row on the first page.
async function shown() {
  const s = await page.$eval('[data-testid="summary"]', (e) => ({
    files: Number(e.dataset.files),
    lines: Number(e.dataset.lines),
    findings: Number(e.dataset.findings),
    errors: Number(e.dataset.errors),
  }));
  const rules = await page.$$eval('[data-testid="finding-row"]', (rs) => rs.map((r) => r.dataset.rule));
  return { s, rules };
}

function expectSame(got, cli) {
  assert.deepEqual(got.s, { files: 1, lines: cli.summary.lines, findings: cli.findings.length, errors: 0 });
  assert.deepEqual(got.rules, cli.findings.slice(0, 200).map((f) => f.rule));
}

// The window only, not the whole table: from the top of the page, or scrolled so that `selector`
// is at the top (then the summary and more finding rows fit).
async function shot(name, selector) {
  await page.evaluate(() => document.fonts.ready);
  await page.evaluate((sel) => {
    // A small margin above the selected element keeps its border in the picture.
    window.scrollTo(0, sel ? document.querySelector(sel).getBoundingClientRect().top + window.scrollY - 12 : 0);
  }, selector);
  const file = path.join(OUT, name);
  await page.screenshot({ path: file, fullPage: false });
  const size = fs.statSync(file).size;
  console.log(`screenshot ${path.relative(root, file)} (${size} bytes)`);
  return size;
}

test("award list with findings: the page in Vietnamese, then English, as the CLI reports it", async () => {
  const vi = cliCheck([FIXTURE]).report;
  const en = cliCheck([FIXTURE], ["--lang", "en"]).report;
  // The fixture is chosen because it shows several rules at once.
  for (const rule of ["VN-R6", "VN-R7", "VN-R11", "VN-R12"]) {
    assert.ok(vi.findings.some((f) => f.rule === rule), `${FIXTURE} has no ${rule} finding any more`);
  }

  await page.setInputFiles('[data-testid="file-input"]', path.join(root, FIXTURE));
  await page.waitForSelector("body[data-state=done]", { timeout: 120_000 });
  expectSame(await shown(), vi);
  assert.equal(await page.getAttribute("html", "lang"), "vi");
  const firstVi = await page.$eval('[data-testid="finding-row"]', (r) => r.textContent);
  assert.ok(firstVi.includes(vi.findings[0].citation), firstVi);
  assert.ok((await shot("page-vi.png")) > 10_000, "page-vi.png looks empty");

  await page.click('[data-testid="lang-switch"]');
  // Switching re-checks the file; wait until the rows are the English ones.
  await page.waitForFunction(
    (cite) => document.body.dataset.state === "done" &&
      document.querySelector('[data-testid="finding-row"]')?.textContent.includes(cite),
    en.findings[0].citation,
    { timeout: 120_000 },
  );
  expectSame(await shown(), en);
  assert.match(await page.textContent("main"), /not a legal ruling/);
  const firstEn = await page.$eval('[data-testid="finding-row"]', (r) => r.textContent);
  assert.ok(firstEn.includes(en.findings[0].citation), firstEn);
  assert.ok((await shot("page-en.png", "#results")) > 10_000, "page-en.png looks empty");
});
