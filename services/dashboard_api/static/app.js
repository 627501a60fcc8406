/* ShopFlow dashboard: reads the API with fetch and draws Chart.js charts.
 * body[data-state] goes loading -> ready (or error) once every panel has settled,
 * which the headless-browser test waits for. */
"use strict";

const PALETTE = ["#2563eb", "#16a34a", "#f59e0b", "#dc2626", "#7c3aed", "#0891b2",
                 "#db2777", "#65a30d", "#ea580c", "#475569"];
const charts = {};
const state = { start: null, end: null, grain: "day", model: "last_touch", lastDate: null };

// ---------------------------------------------------------------- helpers
// An API key (`shopflow keys create`) is asked for only when the API answers 401/403;
// it is kept for this tab only and sent as X-API-Key.
const KEY_STORE = "shopflow.apiKey";
let keyRequest = null;

function askForKey(detail) {
  if (!keyRequest) {
    keyRequest = new Promise((resolve) => {
      const form = document.getElementById("api-key-form");
      form.querySelector(".why").textContent = detail;
      form.hidden = false;
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        sessionStorage.setItem(KEY_STORE, form.querySelector("input").value.trim());
        form.hidden = true;
        keyRequest = null;
        resolve();
      }, { once: true });
    });
  }
  return keyRequest;
}

async function api(path, params = {}) {
  const query = new URLSearchParams(Object.entries(params).filter(([, v]) => v != null));
  const url = query.toString() ? `${path}?${query}` : path;
  const headers = { Accept: "application/json" };
  const key = sessionStorage.getItem(KEY_STORE);
  if (key) headers["X-API-Key"] = key;
  const response = await fetch(url, { headers });
  const body = await response.json().catch(() => null);
  if (response.status === 401 || response.status === 403) {
    await askForKey((body && body.detail) || "this page needs an API key");
    return api(path, params);
  }
  if (!response.ok) {
    throw new Error((body && (body.detail || body.title)) || `${response.status} ${url}`);
  }
  return body;
}

/** "1234567.5" -> "1,234,567.50", exact (no floating point on money). */
function formatMoney(text) {
  const [whole, cents = "00"] = String(text).split(".");
  const sign = whole.startsWith("-") ? "-" : "";
  const digits = whole.replace("-", "").replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${sign}${digits}.${(cents + "00").slice(0, 2)}`;
}
const formatInt = (n) => Number(n).toLocaleString("en-US");
const formatRate = (x) => `${(Number(x) * 100).toFixed(1)} %`;

function isoDay(date) { return date.toISOString().slice(0, 10); }
function addDays(iso, days) {
  const date = new Date(`${iso}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return isoDay(date);
}

function el(tag, attrs = {}, text) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  if (text != null) node.textContent = text;
  return node;
}

/** Show a card's "no data yet" note instead of its chart or table. */
function setEmpty(inner, empty) {
  const card = inner.closest(".card");
  card.querySelector(".empty").hidden = !empty;
  const box = inner.closest(".chart-box") || inner;
  box.hidden = empty;
}

function drawChart(id, config) {
  if (typeof Chart === "undefined") throw new Error("chart library not loaded");
  if (charts[id]) charts[id].destroy();
  const canvas = document.getElementById(id);
  config.options = Object.assign({ responsive: true, maintainAspectRatio: false,
                                   animation: false }, config.options || {});
  charts[id] = new Chart(canvas, config);
  canvas.dataset.rendered = "true";
}

const moneyAxis = { ticks: { callback: (v) => Number(v).toLocaleString("en-US") } };

// ---------------------------------------------------------------- panels
async function loadKpis() {
  const kpis = await api("/api/v1/kpis", { start: state.start, end: state.end });
  const shown = {
    revenue: formatMoney(kpis.revenue), orders: formatInt(kpis.orders),
    aov: formatMoney(kpis.aov), units: formatInt(kpis.units),
    customers: formatInt(kpis.customers), new_customers: formatInt(kpis.new_customers),
    sessions: formatInt(kpis.sessions), conversion_rate: formatRate(kpis.conversion_rate),
  };
  for (const [name, text] of Object.entries(shown)) {
    const node = document.getElementById(`kpi-${name}`);
    node.textContent = text;
    node.dataset.value = String(kpis[name]);
  }
}

async function loadSales() {
  const sales = await api("/api/v1/sales", { start: state.start, end: state.end,
                                             grain: state.grain });
  const canvas = document.getElementById("chart-sales");
  const empty = sales.points.every((p) => p.orders === 0);
  setEmpty(canvas, empty);
  if (empty) return;
  drawChart("chart-sales", {
    type: state.grain === "day" ? "line" : "bar",
    data: {
      labels: sales.points.map((p) => p.period),
      datasets: [
        { label: "Revenue", data: sales.points.map((p) => Number(p.revenue)),
          borderColor: PALETTE[0], backgroundColor: "rgba(37, 99, 235, 0.25)", fill: true,
          tension: 0.25, yAxisID: "y" },
        { label: "Orders", data: sales.points.map((p) => p.orders), type: "line",
          borderColor: PALETTE[2], backgroundColor: PALETTE[2], pointRadius: 2, yAxisID: "y1" },
      ],
    },
    options: { interaction: { mode: "index", intersect: false },
               scales: { y: moneyAxis, y1: { position: "right", grid: { drawOnChartArea: false } } } },
  });
}

async function loadCategories() {
  const result = await api("/api/v1/categories", { start: state.start, end: state.end });
  const canvas = document.getElementById("chart-categories");
  setEmpty(canvas, result.items.length === 0);
  if (!result.items.length) return;
  drawChart("chart-categories", {
    type: "bar",
    data: {
      labels: result.items.map((c) => c.category),
      datasets: [
        { label: "Revenue", data: result.items.map((c) => Number(c.revenue)),
          backgroundColor: PALETTE[0] },
        { label: "Margin", data: result.items.map((c) => Number(c.margin)),
          backgroundColor: PALETTE[1] },
      ],
    },
    options: { indexAxis: "y", scales: { x: moneyAxis } },
  });
}

async function loadProducts() {
  const result = await api("/api/v1/products/top", { start: state.start, end: state.end,
                                                     limit: 8 });
  const table = document.getElementById("top-products");
  const body = table.querySelector("tbody");
  body.replaceChildren(...result.items.map((p) => {
    const row = el("tr");
    row.append(el("td", {}, p.rank), el("td", { title: p.product_id }, p.name || p.product_id),
               el("td", {}, p.category), el("td", { class: "num" }, formatInt(p.units)),
               el("td", { class: "num" }, formatMoney(p.revenue)));
    return row;
  }));
  setEmpty(table, result.items.length === 0);
}

async function loadFunnel() {
  const funnel = await api("/api/v1/funnel", { start: state.start, end: state.end });
  const canvas = document.getElementById("chart-funnel");
  document.getElementById("funnel-rate").textContent =
    funnel.sessions ? `${formatRate(funnel.conversion_rate)} of sessions buy` : "";
  setEmpty(canvas, funnel.sessions === 0);
  if (!funnel.sessions) return;
  const names = { session: "Sessions", product_view: "Viewed a product",
                  add_to_cart: "Added to cart", checkout: "Checkout", purchase: "Purchase" };
  drawChart("chart-funnel", {
    type: "bar",
    data: { labels: funnel.steps.map((s) => names[s.step]),
            datasets: [{ label: "Sessions", data: funnel.steps.map((s) => s.sessions),
                         backgroundColor: PALETTE.slice(0, 5) }] },
    options: { indexAxis: "y", plugins: { legend: { display: false },
      tooltip: { callbacks: { afterLabel: (ctx) =>
        `${formatRate(funnel.steps[ctx.dataIndex].overall_conversion)} of all sessions` } } } },
  });
}

async function loadAttribution() {
  const result = await api("/api/v1/attribution", { start: state.start, end: state.end,
                                                    model: state.model });
  const canvas = document.getElementById("chart-attribution");
  const top = result.campaigns.slice(0, 8);
  setEmpty(canvas, top.length === 0);
  if (!top.length) return;
  drawChart("chart-attribution", {
    type: "bar",
    data: { labels: top.map((c) => c.campaign_name || c.campaign_id),
            datasets: [{ label: "Revenue credited", data: top.map((c) => Number(c.revenue)),
                         backgroundColor: top.map((c, i) => PALETTE[i % PALETTE.length]) }] },
    options: { plugins: { legend: { display: false },
      tooltip: { callbacks: { afterLabel: (ctx) =>
        `${top[ctx.dataIndex].channel} · ${top[ctx.dataIndex].orders} orders` } } },
      scales: { y: moneyAxis } },
  });
}

function stageBadge(stage) {
  const cell = el("td");
  cell.append(el("span", { class: `badge ${stage.status}`, title: stage.detail || stage.status },
                 stage.status));
  return cell;
}

async function loadBatches() {
  const result = await api("/api/v1/batches", { limit: 8 });
  const table = document.getElementById("batches");
  table.querySelector("tbody").replaceChildren(...result.items.map((b) => {
    const row = el("tr");
    row.append(el("td", {}, b.batch_id), ...b.stages.map(stageBadge),
               el("td", { class: "num" }, b.counts.published == null ? "–" : formatInt(b.counts.published)),
               el("td", { class: "num" }, formatInt(b.counts.loaded)),
               el("td", { class: "num" }, formatInt(b.counts.rejected)));
    return row;
  }));
  setEmpty(table, result.items.length === 0);
}

async function loadDeadLetters() {
  const summary = await api("/api/v1/dead-letters/summary");
  const table = document.getElementById("dead-letters");
  document.getElementById("dlq-total").textContent = `${formatInt(summary.open_letters)} open`;
  table.querySelector("tbody").replaceChildren(...summary.by_code.slice(0, 10).map((c) => {
    const row = el("tr");
    row.append(el("td", {}, c.code), el("td", {}, c.entity),
               el("td", { class: "num" }, formatInt(c.letters)));
    return row;
  }));
  setEmpty(table, summary.by_code.length === 0);
}

async function loadQuality() {
  const quality = await api("/api/v1/quality");
  const list = document.getElementById("quality");
  const badge = document.getElementById("quality-status");
  badge.textContent = quality.status === "none" ? "" : quality.status;
  badge.className = `badge ${quality.status}`;
  badge.hidden = quality.status === "none";
  list.replaceChildren(...quality.checks.map((c) => {
    const item = el("li", { class: c.status });
    item.append(el("span", { class: `badge ${c.status}` }, c.status), el("span", {}, c.check_name));
    return item;
  }));
  setEmpty(list, quality.checks.length === 0);
}

// ---------------------------------------------------------------- wiring
async function refresh(panels) {
  document.body.dataset.state = "loading";
  const results = await Promise.allSettled(panels.map((load) => load()));
  const failed = results.filter((r) => r.status === "rejected");
  failed.forEach((r) => console.warn("panel failed:", r.reason));
  const status = document.getElementById("status");
  status.textContent = failed.length ? `${failed.length} panel(s) failed: ${failed[0].reason.message}`
    : `Data up to ${state.lastDate || "—"}`;
  status.classList.toggle("error", failed.length > 0);
  document.body.dataset.state = failed.length ? "error" : "ready";
}

const RANGE_PANELS = [loadKpis, loadSales, loadCategories, loadProducts, loadFunnel, loadAttribution];
const PIPELINE_PANELS = [loadBatches, loadDeadLetters, loadQuality];

function setRange(start, end) {
  state.start = start;
  state.end = end;
  document.getElementById("start").value = start;
  document.getElementById("end").value = end;
  const url = new URL(window.location.href);
  url.searchParams.set("start", start);
  url.searchParams.set("end", end);
  window.history.replaceState(null, "", url);
}

function bindControls() {
  document.getElementById("range-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const start = document.getElementById("start").value;
    const end = document.getElementById("end").value;
    if (start && end && start <= end) { setRange(start, end); refresh(RANGE_PANELS); }
  });
  document.querySelectorAll(".presets button").forEach((button) =>
    button.addEventListener("click", () => {
      const end = state.lastDate || isoDay(new Date());
      setRange(addDays(end, 1 - Number(button.dataset.days)), end);
      refresh(RANGE_PANELS);
    }));
  document.querySelectorAll("#grain-switch button").forEach((button) =>
    button.addEventListener("click", () => {
      state.grain = button.dataset.grain;
      document.querySelectorAll("#grain-switch button").forEach((b) =>
        b.classList.toggle("active", b === button));
      refresh([loadSales]);
    }));
  document.getElementById("attribution-model").addEventListener("change", (event) => {
    state.model = event.target.value;
    refresh([loadAttribution]);
  });
}

async function init() {
  bindControls();
  let info = null;
  try {
    info = await api("/api/v1/warehouse");
  } catch (error) {
    console.warn("warehouse info unavailable:", error);
  }
  state.lastDate = info && info.last_date;
  const notice = document.getElementById("notice");
  if (info && !info.last_date) {
    notice.hidden = false;
    notice.textContent = "No data yet: the warehouse has not been built. Ingest a batch and this page fills in.";
  }
  const params = new URLSearchParams(window.location.search);
  const end = params.get("end") || state.lastDate || isoDay(new Date());
  let start = params.get("start") || addDays(end, -29);
  // The last 30 days *present*: do not open on empty days before the first sale.
  if (!params.get("start") && info && info.first_date && info.first_date > start) {
    start = info.first_date;
  }
  setRange(start, end);
  await refresh([...RANGE_PANELS, ...PIPELINE_PANELS]);
}

document.addEventListener("DOMContentLoaded", init);
