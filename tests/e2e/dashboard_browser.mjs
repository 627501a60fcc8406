// Drives Debian's Chromium (no downloaded browser) with playwright-core from npm:
// loads the dashboard, waits for every panel and chart, prints what the page shows
// as JSON and saves a full-page screenshot. Used by test_dashboard_browser.py.
//   node dashboard_browser.mjs <url> <screenshot.png> [chromium path]
import { chromium } from "playwright-core";

const [url, screenshot, executablePath = "/usr/bin/chromium"] = process.argv.slice(2);
const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync"];

// launchPersistentContext gives the fresh --user-data-dir the flags call for.
const { mkdtempSync } = await import("node:fs");
const { tmpdir } = await import("node:os");
const { join } = await import("node:path");
const profile = mkdtempSync(join(tmpdir(), "shopflow-chromium-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath, args: FLAGS, headless: true, viewport: { width: 1440, height: 1000 },
});
const problems = [];
const requests = [];
try {
  const page = context.pages()[0] || await context.newPage();
  page.on("console", (msg) => { if (msg.type() === "error") problems.push(`console: ${msg.text()}`); });
  page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
  page.on("request", (request) => requests.push(request.url()));
  await page.goto(url, { waitUntil: "load" });
  await page.waitForSelector("body[data-state=ready], body[data-state=error]", { timeout: 30000 });
  const result = await page.evaluate(() => {
    const text = (id) => document.getElementById(id)?.textContent.trim();
    const kpis = {};
    document.querySelectorAll(".tile .value").forEach((node) => {
      kpis[node.id.replace("kpi-", "")] = { text: node.textContent.trim(), value: node.dataset.value };
    });
    const charts = {};
    document.querySelectorAll("canvas").forEach((canvas) => {
      charts[canvas.id] = { rendered: canvas.dataset.rendered === "true",
                            hidden: canvas.closest(".chart-box").hidden };
    });
    return {
      state: document.body.dataset.state, status: text("status"), kpis, charts,
      start: document.getElementById("start").value, end: document.getElementById("end").value,
      notice: document.getElementById("notice").hidden ? null : text("notice"),
      rows: { products: document.querySelectorAll("#top-products tbody tr").length,
              batches: document.querySelectorAll("#batches tbody tr").length,
              quality: document.querySelectorAll("#quality li").length },
      empties: [...document.querySelectorAll(".empty")].filter((n) => !n.hidden).length,
    };
  });
  await page.screenshot({ path: screenshot, fullPage: true });
  const origin = new URL(url).origin;
  result.external_requests = requests.filter((r) => !r.startsWith(origin) && !r.startsWith("data:"));
  result.problems = problems;
  console.log(JSON.stringify(result));
} finally {
  await context.close();
}
