/* Inventory: stockout days and turnover per product over the range, and the products
 * at risk of running out now (latest snapshot). */
import { renderHeader } from "./header.js";
import {
  PALETTE, api, badge, csvButton, drawChart, el, formatInt, formatNumber, nextPage, num, panel, params,
  setParams, settle,
} from "./lib.js";

const filters = () => {
  const q = params();
  return { start: q.get("start"), end: q.get("end"), all: q.get("all") === "1",
           cover: q.get("cover_days") || "14" };
};
const choose = (changes) => { setParams(changes); load(); };
const productCell = (p) => el("td", { title: p.product_id }, p.name || p.product_id);

/** A paged table: rows from `row(item)`, "show more" follows the cursor. */
async function pagedTable(table, more, path, query, row) {
  let page = await api(path, query);
  csvButton(table.closest("[data-panel]"), path, { ...query, limit: 500 });
  table.querySelector("tbody").replaceChildren(...page.items.map(row));
  more.hidden = !page.has_more;
  more.onclick = async () => {
    page = await nextPage(path, query, page);
    table.querySelector("tbody").append(...page.items.map(row));
    more.hidden = !page.has_more;
  };
  return page;
}

const stockoutRow = (p) => el("tr", { "data-product": p.product_id, "data-stockout-days": p.stockout_days },
  productCell(p), el("td", {}, p.category || "–"), num(formatInt(p.stockout_days)),
  num(formatInt(p.below_reorder_days)), num(formatInt(p.days_observed)),
  num(formatNumber(p.average_on_hand)), num(formatInt(p.units_sold)), num(formatNumber(p.turnover, 2)));

const loadStockouts = (f) => panel("stockouts", async (card) => {
  document.getElementById("all-products").checked = f.all;
  const query = { start: f.start, end: f.end, only_stockouts: !f.all, limit: 25 };
  const page = await pagedTable(card.querySelector("table"), document.getElementById("stockouts-more"),
                                "/api/v1/inventory/stockouts", query, stockoutRow);
  return page.items.length > 0;
});

const loadChart = (f) => panel("stockout-chart", async (card) => {
  const page = await api("/api/v1/inventory/stockouts", { start: f.start, end: f.end, limit: 12 });
  const total = document.getElementById("stockout-total");
  total.dataset.value = page.items.length;
  total.textContent = page.has_more ? "top 12 products" : `${page.items.length} products`;
  if (!page.items.length) return false;
  drawChart(card.querySelector("canvas"), {
    type: "bar",
    data: { labels: page.items.map((p) => p.name || p.product_id), datasets: [
      { label: "Stockout days", data: page.items.map((p) => p.stockout_days), backgroundColor: PALETTE[3] },
      { label: "Below reorder point", data: page.items.map((p) => p.below_reorder_days), backgroundColor: PALETTE[2] }] },
    options: { indexAxis: "y" },
  });
  return true;
});

const riskRow = (p) => el("tr", { "data-product": p.product_id },
  productCell(p), el("td", {}, p.category || "–"),
  el("td", {}, p.is_stockout ? badge("fail", "nothing on hand") : p.below_reorder_point
    ? badge("warn", "below the reorder point") : badge("pending", "little cover left")),
  num(formatInt(p.on_hand)), num(p.reorder_point == null ? "–" : formatInt(p.reorder_point)),
  num(formatNumber(p.daily_units, 2)), num(p.days_of_cover == null ? "–" : formatNumber(p.days_of_cover)),
  el("td", {}, p.snapshot_date));

const loadAtRisk = (f) => panel("at-risk", async (card) => {
  document.getElementById("cover-days").value = f.cover;
  const page = await pagedTable(card.querySelector("table"), document.getElementById("at-risk-more"),
                                "/api/v1/inventory/at-risk", { cover_days: f.cover, limit: 25 }, riskRow);
  return page.items.length > 0;
});

function load() {
  const f = filters();
  return settle([loadChart(f), loadStockouts(f), loadAtRisk(f)]);
}

document.getElementById("all-products").addEventListener("change", (event) =>
  choose({ all: event.target.checked ? "1" : null }));
document.getElementById("cover-days").addEventListener("change", (event) =>
  choose({ cover_days: event.target.value }));
await renderHeader({ title: "Inventory", onChange: load });
await load();
