/* Shared helpers of the dashboard pages: the API client (with the API key kept in
 * sessionStorage), number formats, filters kept in the URL, panels with loading /
 * empty / error states, and the header (navigation, date range, key).
 * body[data-state] goes loading -> ready (or error) once every panel has settled;
 * the headless-browser tests wait for it. */

export const PALETTE = ["#2563eb", "#16a34a", "#f59e0b", "#dc2626", "#7c3aed", "#0891b2",
                        "#db2777", "#65a30d", "#ea580c", "#475569"];
const KEY_STORAGE = "shopflow.apiKey";
const PAGES = [["/", "Overview"], ["/sales", "Sales & products"], ["/customers", "Customers"],
               ["/inventory", "Inventory"], ["/campaigns", "Campaigns"], ["/pipeline", "Pipeline"]];

// ---------------------------------------------------------------- API
export const apiKey = {
  get: () => sessionStorage.getItem(KEY_STORAGE) || "",
  set: (key) => (key ? sessionStorage.setItem(KEY_STORAGE, key)
                     : sessionStorage.removeItem(KEY_STORAGE)),
};

export class ApiError extends Error {
  constructor(status, problem, url) {
    super((problem && (problem.detail || problem.title)) || `${status} ${url}`);
    this.status = status;
    this.problem = problem;
  }
}

export function apiUrl(path, params = {}) {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value == null || value === "") continue;
    for (const one of [].concat(value)) query.append(name, one);
  }
  return query.toString() ? `${path}?${query}` : path;
}

export async function api(path, params = {}, options = {}) {
  const url = apiUrl(path, params);
  const headers = { Accept: "application/json", ...(options.headers || {}) };
  if (apiKey.get()) headers["X-API-Key"] = apiKey.get();
  const response = await fetch(url, { ...options, headers });
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, body, url);
  return body;
}

/** A "CSV" button in the card's head downloading what the panel shows (all pages, same
 * filters), sent with the API key like every other request. */
export function csvButton(card, path, query = {}) {
  let button = card.querySelector("button.csv");
  if (!button) {
    button = el("button", { type: "button", class: "plain csv", title: "Download as CSV" }, "CSV");
    card.querySelector(".card-head").append(button);
  }
  button.onclick = async () => {
    const headers = { Accept: "text/csv" };
    if (apiKey.get()) headers["X-API-Key"] = apiKey.get();
    const url = apiUrl(path, { ...query, cursor: null, format: "csv" });
    const response = await fetch(url, { headers });
    if (!response.ok) {
      const problem = await response.json().catch(() => null);
      document.getElementById("status").textContent = `CSV refused: ${new ApiError(response.status, problem, url).message}`;
      return;
    }
    const name = path.replace("/api/v1/", "").replaceAll("/", "-");
    const link = el("a", { href: URL.createObjectURL(await response.blob()), download: `${name}.csv` });
    document.body.append(link);
    link.click();
    link.remove();
  };
}

/** A list endpoint's next page: call again with its cursor. */
export const nextPage = (path, params, page) =>
  api(path, { ...params, cursor: page.next_cursor });

// ---------------------------------------------------------------- formats
/** "1234567.5" -> "1,234,567.50", exact (no floating point on money). */
export function formatMoney(text) {
  if (text == null) return "–";
  const [whole, cents = "00"] = String(text).split(".");
  const sign = whole.startsWith("-") ? "-" : "";
  const digits = whole.replace("-", "").replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${sign}${digits}.${(cents + "00").slice(0, 2)}`;
}
export const formatInt = (n) => (n == null ? "–" : Number(n).toLocaleString("en-US"));
export const formatRate = (x) => (x == null ? "–" : `${(Number(x) * 100).toFixed(1)} %`);
export const formatNumber = (x, places = 1) => (x == null ? "–" : Number(x).toFixed(places));
export const isoDay = (date) => date.toISOString().slice(0, 10);
export function addDays(iso, days) {
  const date = new Date(`${iso}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return isoDay(date);
}

// ---------------------------------------------------------------- DOM
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value == null || value === false) continue;
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children) {
    if (child != null) node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

/** Fill a table body: one row per item, `cells(item)` gives the <td>s (text or nodes). */
export function fillTable(table, items, cells) {
  table.querySelector("tbody").replaceChildren(...items.map((item) =>
    el("tr", {}, ...cells(item).map((c) => (c instanceof Node && c.tagName === "TD" ? c
                                                                                    : el("td", {}, c))))));
}
export const num = (text) => el("td", { class: "num" }, text);
export const link = (href, text) => el("a", { href }, text);
export const badge = (status, title) => el("span", { class: `badge ${status}`, title }, status);

const charts = {};
export function drawChart(canvas, config) {
  if (typeof Chart === "undefined") throw new Error("the chart library did not load");
  if (charts[canvas.id]) charts[canvas.id].destroy();
  config.options = { responsive: true, maintainAspectRatio: false, animation: false,
                     ...(config.options || {}) };
  charts[canvas.id] = new Chart(canvas, config);  // eslint-disable-line no-undef
  canvas.dataset.rendered = "true";
}
export const moneyAxis = { ticks: { callback: (v) => Number(v).toLocaleString("en-US") } };

// ---------------------------------------------------------------- filters in the URL
export const params = () => new URLSearchParams(window.location.search);

/** Change some filters (null removes one); a new history entry so Back undoes it. */
export function setParams(changes, { replace = false } = {}) {
  const url = new URL(window.location.href);
  for (const [name, value] of Object.entries(changes)) {
    if (value == null || value === "") url.searchParams.delete(name);
    else url.searchParams.set(name, value);
  }
  window.history[replace ? "replaceState" : "pushState"](null, "", url);
}

// ---------------------------------------------------------------- panels and page state
/** Run a panel's loader: the card shows loading, then its content, "empty" or the error.
 * The loader returns false when there is nothing to show. */
export async function panel(name, loader) {
  const card = document.querySelector(`[data-panel="${name}"]`);
  card.dataset.state = "loading";
  try {
    const hasData = await loader(card);
    card.dataset.state = hasData === false ? "empty" : "ready";
  } catch (error) {
    card.dataset.state = "error";
    const note = card.querySelector(".error");
    if (note) note.textContent = explain(error);
    throw error;
  }
}

export function explain(error) {
  if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
    return `${error.message} — enter an API key with that scope at the top of the page.`;
  }
  return `Could not load: ${error.message}`;
}

/** Settle every panel, then say how it went in the header and on <body>. */
export async function settle(loads) {
  document.body.dataset.state = "loading";
  const results = await Promise.allSettled(loads);
  const failed = results.filter((r) => r.status === "rejected");
  failed.forEach((r) => console.warn("panel failed:", r.reason));
  const status = document.getElementById("status");
  status.textContent = failed.length ? `${failed.length} panel(s) could not load` : "";
  status.classList.toggle("error", failed.length > 0);
  document.body.dataset.state = failed.length ? "error" : "ready";
}

let warehouseInfo = null;
/** What the warehouse covers (null when the API cannot say). */
export async function warehouse() {
  if (warehouseInfo === null) {
    warehouseInfo = await api("/api/v1/warehouse").catch(() => ({}));
  }
  return warehouseInfo;
}

/** The date range of the URL, defaulting to the last 30 days the warehouse holds. */
export async function chosenRange() {
  const info = await warehouse();
  const query = params();
  const end = query.get("end") || info.last_date || isoDay(new Date());
  let start = query.get("start") || addDays(end, -29);
  if (!query.get("start") && info.first_date && info.first_date > start) start = info.first_date;
  return { start, end };
}

export { PAGES };
