/* Sales & products: category and channel filters, drill-down category -> product ->
 * product page (sales over time, SCD2 price history, reviews). Filters live in the URL. */
import { renderHeader } from "./header.js";
import { loadProductPage } from "./product.js";
import {
  PALETTE, api, csvButton, drawChart, el, fillTable, formatInt, formatMoney, formatRate, link,
  moneyAxis, nextPage, num, panel, params, setParams, settle,
} from "./lib.js";

const filters = () => {
  const q = params();
  return { start: q.get("start"), end: q.get("end"), category: q.get("category") || null,
           channel: q.get("channel") || null, product: q.get("product") || null,
           grain: q.get("grain") || "day" };
};
const sum = (items, key) => items.reduce((total, item) => total + Number(item[key]), 0);
const choose = (changes) => { setParams(changes); load(); };

function salesChart(canvas, points, grain) {
  drawChart(canvas, {
    type: grain === "day" ? "line" : "bar",
    data: { labels: points.map((p) => p.period), datasets: [
      { label: "Revenue", data: points.map((p) => Number(p.revenue)), borderColor: PALETTE[0],
        backgroundColor: "rgba(37, 99, 235, 0.25)", fill: true, tension: 0.25, yAxisID: "y" },
      { label: "Units", data: points.map((p) => p.units), type: "line", borderColor: PALETTE[2],
        backgroundColor: PALETTE[2], pointRadius: 2, yAxisID: "y1" }] },
    options: { interaction: { mode: "index", intersect: false },
               scales: { y: moneyAxis, y1: { position: "right", grid: { drawOnChartArea: false } } } },
  });
}

function showTotal(id, points) {
  const node = document.getElementById(id);
  node.dataset.value = sum(points, "revenue").toFixed(2);
  node.textContent = `${formatMoney(node.dataset.value)} · ${formatInt(sum(points, "orders"))} orders`;
}

async function fillOptions(f) {
  const range = { start: f.start, end: f.end };
  const [categories, channels] = await Promise.all([
    api("/api/v1/categories", range), api("/api/v1/channels", range)]);
  const options = (select, names, chosen) => {
    const keep = chosen && !names.includes(chosen) ? [chosen] : [];
    select.replaceChildren(select.options[0], ...[...names, ...keep].map((name) =>
      el("option", { value: name, selected: name === chosen }, name)));
    select.value = chosen || "";
  };
  options(document.getElementById("category"), categories.items.map((c) => c.category), f.category);
  options(document.getElementById("channel"), channels.items.map((c) => c.channel), f.channel);
}

const loadSales = (f) => panel("sales", async (card) => {
  const query = { start: f.start, end: f.end, grain: f.grain, category: f.category,
                  channel: f.channel };
  const sales = await api("/api/v1/sales", query);
  csvButton(card, "/api/v1/sales", query);
  document.getElementById("sales-title").textContent =
    `Sales over time${f.category ? ` · ${f.category}` : ""}${f.channel ? ` · ${f.channel}` : ""}`;
  showTotal("sales-total", sales.points);
  if (sales.points.every((p) => p.orders === 0)) return false;
  salesChart(card.querySelector("canvas"), sales.points, f.grain);
  return true;
});

const loadCategories = (f) => panel("categories", async (card) => {
  const query = { start: f.start, end: f.end, channel: f.channel };
  const result = await api("/api/v1/categories", query);
  csvButton(card, "/api/v1/categories", query);
  fillTable(card.querySelector("table"), result.items, (c) => [
    link(`?${new URLSearchParams({ ...rangeOf(f), category: c.category })}`, c.category),
    num(formatMoney(c.revenue)), num(formatRate(c.revenue_share)), num(formatInt(c.orders)),
    num(formatMoney(c.margin))]);
  markRows(card, result.items, (c) => ({ category: c.category, revenue: c.revenue }),
           (c) => c.category === f.category, (c) => choose({ category: c.category, product: null }));
  return result.items.length > 0;
});

const loadChannels = (f) => panel("channels", async (card) => {
  const query = { start: f.start, end: f.end, category: f.category };
  const result = await api("/api/v1/channels", query);
  csvButton(card, "/api/v1/channels", query);
  fillTable(card.querySelector("table"), result.items, (c) => [
    c.channel, num(formatMoney(c.revenue)), num(formatRate(c.revenue_share)),
    num(formatInt(c.orders)), num(formatInt(c.units))]);
  markRows(card, result.items, (c) => ({ channel: c.channel, revenue: c.revenue }),
           (c) => c.channel === f.channel,
           (c) => choose({ channel: c.channel === f.channel ? null : c.channel }));
  return result.items.length > 0;
});

function markRows(card, items, data, chosen, onPick) {
  card.querySelectorAll("tbody tr").forEach((row, i) => {
    Object.entries(data(items[i])).forEach(([key, value]) => { row.dataset[key] = value; });
    row.classList.add("pick");
    row.classList.toggle("chosen", chosen(items[i]));
    row.addEventListener("click", (event) => { event.preventDefault(); onPick(items[i]); });
  });
}

const rangeOf = (f) => ({ start: f.start, end: f.end });

function productRows(f, table, items, append) {
  const rows = items.map((p) => {
    const href = `?${new URLSearchParams({ ...rangeOf(f), ...(f.category ? { category: f.category } : {}),
                                          product: p.product_id })}`;
    const row = el("tr", { class: "pick", "data-product": p.product_id, "data-revenue": p.revenue },
      el("td", {}, p.rank), el("td", {}, link(href, p.name || p.product_id)), el("td", {}, p.category),
      num(formatInt(p.units)), num(formatInt(p.orders)), num(formatMoney(p.revenue)),
      num(p.list_price ? formatMoney(p.list_price) : "–"), num(p.rating ?? "–"));
    row.addEventListener("click", (event) => { event.preventDefault(); choose({ product: p.product_id }); });
    return row;
  });
  const body = table.querySelector("tbody");
  if (append) body.append(...rows); else body.replaceChildren(...rows);
}

const loadProducts = (f) => panel("products", async (card) => {
  const query = { start: f.start, end: f.end, category: f.category, channel: f.channel, limit: 25 };
  let page = await api("/api/v1/products", query);
  csvButton(card, "/api/v1/products", { ...query, limit: 200 });
  const table = card.querySelector("table");
  const more = document.getElementById("products-more");
  productRows(f, table, page.items, false);
  more.hidden = !page.has_more;
  more.onclick = async () => {
    page = await nextPage("/api/v1/products", query, page);
    productRows(f, table, page.items, true);
    more.hidden = !page.has_more;
  };
  return page.items.length > 0;
});

function crumbs(f, productName) {
  const parts = [link(`?${new URLSearchParams(rangeOf(f))}`, "All categories")];
  if (f.category) parts.push(" › ", link(`?${new URLSearchParams({ ...rangeOf(f), category: f.category })}`, f.category));
  if (f.product) parts.push(" › ", el("strong", {}, productName || f.product));
  document.getElementById("crumbs").replaceChildren(...parts);
}

async function load() {
  const f = filters();
  for (const button of document.querySelectorAll("#grain-switch button")) {
    button.classList.toggle("active", button.dataset.grain === f.grain);
  }
  document.getElementById("overview-view").hidden = Boolean(f.product);
  document.getElementById("product-view").hidden = !f.product;
  crumbs(f);
  const loads = f.product ? loadProductPage(f, crumbs)
    : [fillOptions(f), loadSales(f), loadCategories(f), loadChannels(f), loadProducts(f)];
  await settle(loads);
}

function bind() {
  document.getElementById("category").addEventListener("change", (event) =>
    choose({ category: event.target.value || null, product: null }));
  document.getElementById("channel").addEventListener("change", (event) =>
    choose({ channel: event.target.value || null }));
  document.querySelectorAll("#grain-switch button").forEach((button) =>
    button.addEventListener("click", () => choose({ grain: button.dataset.grain })));
}

await renderHeader({ title: "Sales & products", onChange: load });
bind();
await load();
