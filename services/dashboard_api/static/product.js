/* The product page inside Sales & products (?product=ID): facts, sales over time,
 * SCD2 price history and reviews. */
import {
  PALETTE, api, csvButton, drawChart, el, fillTable, formatInt, formatMoney, moneyAxis, nextPage, num,
  panel,
} from "./lib.js";

const day = (instant) => (instant ? instant.slice(0, 10) : "–");
const path = (id) => `/api/v1/products/${encodeURIComponent(id)}`;

function facts(product) {
  const pairs = [["Product id", product.product_id], ["SKU", product.sku], ["Category", product.category],
                 ["Subcategory", product.subcategory], ["Brand", product.brand],
                 ["List price", formatMoney(product.list_price)], ["Unit cost", formatMoney(product.unit_cost)],
                 ["Versions", product.history.length]];
  return pairs.flatMap(([label, value]) => [el("dt", {}, label), el("dd", {}, value ?? "–")]);
}

const loadFacts = (f, crumbs) => panel("product", async (card) => {
  const product = await api(path(f.product));
  document.getElementById("product-name").textContent = product.name || product.product_id;
  const rating = document.getElementById("product-rating");
  rating.textContent = product.ratings.average == null ? "no reviews"
    : `★ ${product.ratings.average} (${product.ratings.reviews})`;
  card.querySelector("#product-facts").replaceChildren(...facts(product));
  crumbs(f, product.name);
  fillTable(document.getElementById("price-history"), product.history, (v) => [
    v.version_number, day(v.valid_from), v.valid_to ? day(v.valid_to) : "current",
    v.category ?? "–", num(formatMoney(v.list_price)), num(formatMoney(v.unit_cost))]);
  document.querySelector('[data-panel="price-history"]').dataset.state =
    product.history.length ? "ready" : "empty";
  fillTable(document.getElementById("rating-bars"), ["5", "4", "3", "2", "1"], (stars) => [
    "★".repeat(Number(stars)), num(formatInt(product.ratings.by_stars[stars] || 0))]);
  document.getElementById("reviews-summary").textContent = `${product.ratings.reviews} reviews`;
  document.getElementById("reviews-summary").dataset.value = product.ratings.reviews;
  return true;
});

const loadSales = (f) => panel("product-sales", async (card) => {
  const query = { start: f.start, end: f.end, grain: f.grain };
  const sales = await api(`${path(f.product)}/sales`, query);
  csvButton(card, `${path(f.product)}/sales`, query);
  const total = sales.points.reduce((t, p) => t + Number(p.revenue), 0);
  const node = document.getElementById("product-sales-total");
  node.dataset.value = total.toFixed(2);
  node.textContent = `${formatMoney(node.dataset.value)} in the range`;
  if (sales.points.every((p) => p.orders === 0)) return false;
  drawChart(card.querySelector("canvas"), {
    type: "bar",
    data: { labels: sales.points.map((p) => p.period), datasets: [
      { label: "Revenue", data: sales.points.map((p) => Number(p.revenue)), backgroundColor: PALETTE[0] }] },
    options: { plugins: { legend: { display: false } }, scales: { y: moneyAxis } },
  });
  return true;
});

function reviewItems(items) {
  return items.map((r) => el("li", { class: "review", "data-review": r.review_id },
    el("strong", {}, `${"★".repeat(r.rating)} ${r.title || ""}`),
    el("span", { class: "hint" }, ` ${day(r.review_ts)}`), el("p", {}, r.body || "")));
}

const loadReviews = (f) => panel("reviews", async (card) => {
  const url = `${path(f.product)}/reviews`;
  const query = { limit: 5 };
  let page = await api(url, query);
  csvButton(card, url, { limit: 200 });
  const list = document.getElementById("reviews");
  const more = document.getElementById("reviews-more");
  list.replaceChildren(...reviewItems(page.items));
  more.hidden = !page.has_more;
  more.onclick = async () => {
    page = await nextPage(url, query, page);
    list.append(...reviewItems(page.items));
    more.hidden = !page.has_more;
  };
  return page.items.length > 0;
});

/** The loads of the product page (price history is filled with the facts). */
export function loadProductPage(f, crumbs) {
  const history = document.querySelector('[data-panel="price-history"]');
  history.dataset.state = "loading";
  const facts = loadFacts(f, crumbs).catch((error) => {
    history.dataset.state = "error";
    throw error;
  });
  return [facts, loadSales(f), loadReviews(f)];
}
