// Drives Debian's Chromium with playwright-core through the dashboard's pages: one plan
// (JSON on argv) of steps, printing what the page shows after each step as JSON.
//   node dashboard_pages.mjs '<plan json>' [chromium path]
// plan: {base, width, height, key?, steps: [step]}; a step is one of
//   {goto: path}            open a page and wait until every panel settled
//   {click: selector}       click, then wait until the page settled again
//   {select: [selector, value]} / {submit: selector}  the same for a choice or a form
//   (settle: false on click, select or submit: do not wait for the page to settle)
//   {fill: [selector, value]} type into a field
//   {waitFor: selector}     wait for an element (no settle, e.g. "show more")
//   {download: selector}    click and report the downloaded file (name, header, rows)
//   {snap: file}            full-page screenshot
//   {read: {name: selector}} report the text and data-* of the matching elements
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const [planText, executablePath = "/usr/bin/chromium"] = process.argv.slice(2);
const plan = JSON.parse(planText);
const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const SETTLED = "body[data-state=ready], body[data-state=error]";

const profile = mkdtempSync(join(tmpdir(), "shopflow-chromium-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath, args: FLAGS, headless: true,
  viewport: { width: plan.width || 1280, height: plan.height || 900 },
});
const problems = [];
const requests = [];

function observe() {
  const panels = {};
  document.querySelectorAll("[data-panel]").forEach((card) => {
    const values = {};
    card.querySelectorAll("[data-value]").forEach((node) => { values[node.id] = node.dataset.value; });
    panels[card.dataset.panel] = {
      state: card.dataset.state || null, hidden: card.closest("[hidden]") !== null,
      rows: card.querySelectorAll("tbody tr").length,
      charts: [...card.querySelectorAll("canvas")].filter((c) => c.dataset.rendered === "true").map((c) => c.id),
      values,
    };
  });
  return {
    state: document.body.dataset.state, status: document.getElementById("status")?.textContent || "",
    url: window.location.pathname + window.location.search, panels,
    overflow: document.documentElement.scrollWidth > window.innerWidth + 1,
    scrollWidth: document.documentElement.scrollWidth,
  };
}

function readAll(selectors) {
  const found = {};
  for (const [name, selector] of Object.entries(selectors)) {
    found[name] = [...document.querySelectorAll(selector)].map((node) => ({
      text: node.textContent.trim(), data: { ...node.dataset } }));
  }
  return found;
}

async function settleAfter(page, action) {
  await page.evaluate(() => { document.body.dataset.state = "stale"; });
  await action();
  await page.waitForSelector(SETTLED, { timeout: 30000 });
}

const results = [];
try {
  const page = context.pages()[0] || await context.newPage();
  page.on("console", (msg) => { if (msg.type() === "error") problems.push(`console: ${msg.text()}`); });
  page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
  page.on("request", (request) => requests.push(request.url()));
  if (plan.key) {
    await page.addInitScript((key) => sessionStorage.setItem("shopflow.apiKey", key), plan.key);
  }
  for (const step of plan.steps) {
    const result = { step };
    const act = { click: () => page.click(step.click),
                  select: () => page.selectOption(step.select[0], step.select[1]),
                  submit: () => page.click(step.submit) };
    const kind = Object.keys(act).find((name) => step[name] !== undefined);
    if (step.goto) {
      await page.goto(plan.base + step.goto, { waitUntil: "load" });
      await page.waitForSelector(SETTLED, { timeout: 30000 });
    } else if (kind && step.settle === false) {
      await act[kind]();
    } else if (kind) {
      await settleAfter(page, act[kind]);
    } else if (step.fill) {
      await page.fill(step.fill[0], step.fill[1]);
    } else if (step.waitFor) {
      await page.waitForSelector(step.waitFor, { timeout: 30000 });
    } else if (step.download) {
      const [download] = await Promise.all([page.waitForEvent("download"), page.click(step.download)]);
      const lines = readFileSync(await download.path(), "utf8").split("\r\n").filter(Boolean);
      result.download = { name: download.suggestedFilename(), header: lines[0], rows: lines.length - 1 };
    } else if (step.snap) {
      await page.screenshot({ path: step.snap, fullPage: true });
    }
    if (step.read) result.read = await page.evaluate(readAll, step.read);
    result.page = await page.evaluate(observe);
    results.push(result);
  }
} finally {
  await context.close();
}
const origin = new URL(plan.base).origin;
console.log(JSON.stringify({
  results, problems,
  external_requests: requests.filter((r) => !r.startsWith(origin) && !r.startsWith("data:")),
}));
