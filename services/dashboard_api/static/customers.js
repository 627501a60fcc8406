/* Customers: RFM grid, churn-risk list, cohort retention heatmap and a customer lookup
 * with its SCD2 history (personal fields only for a key with customers:read). */
import { renderHeader } from "./header.js";
import {
  api, csvButton, el, fillTable, formatInt, formatMoney, formatNumber, formatRate, nextPage, num, panel,
  params, setParams, settle,
} from "./lib.js";

const filters = () => {
  const q = params();
  return { risk: q.get("churn_risk") || null, rfm: q.get("rfm_segment") || null,
           customer: q.get("customer") || null };
};
const choose = (changes) => { setParams(changes); load(); };

const loadRfm = (f) => panel("rfm", async (card) => {
  const grid = await api("/api/v1/rfm");
  csvButton(card, "/api/v1/rfm");
  const at = new Map(grid.cells.map((c) => [`${c.r_score}${c.f_score}`, c]));
  const body = card.querySelector("tbody");
  body.replaceChildren(...[5, 4, 3, 2, 1].map((r) => el("tr", {}, el("th", {}, `R ${r}`),
    ...[1, 2, 3, 4, 5].map((fs) => {
      const c = at.get(`${r}${fs}`);
      const share = c ? c.customers / grid.customers : 0;
      return el("td", {
        class: "cell", title: c ? `${c.segment}: ${c.customers} customers, ${formatMoney(c.revenue)}` : "",
        "data-customers": c ? c.customers : 0, "data-segment": c ? c.segment : "",
        style: `background: rgba(37, 99, 235, ${Math.min(0.85, share * 4).toFixed(3)})`,
        onclick: c ? () => choose({ rfm_segment: c.segment === f.rfm ? null : c.segment }) : null,
      }, c ? formatInt(c.customers) : "");
    }))));
  const total = document.getElementById("rfm-total");
  total.dataset.value = grid.customers;
  total.textContent = `${formatInt(grid.customers)} customers with orders`;
  return grid.customers > 0;
});

function churnRows(items, append) {
  const rows = items.map((c) => el("tr", { class: "pick", "data-customer": c.customer_id,
                                           onclick: () => choose({ customer: c.customer_id }) },
    el("td", {}, c.customer_id), el("td", {}, c.rfm_segment), el("td", {}, c.churn_risk || "–"),
    num(formatNumber(c.churn_score, 2)), num(formatInt(c.orders)), num(formatMoney(c.total_revenue)),
    el("td", {}, c.last_order_date || "–"), num(c.days_since_last_order ?? "–")));
  const body = document.querySelector("#churn tbody");
  if (append) body.append(...rows); else body.replaceChildren(...rows);
}

const loadChurn = (f) => panel("churn", async (card) => {
  document.getElementById("churn-risk").value = f.risk || "";
  document.getElementById("churn-title").textContent =
    `Churn risk${f.rfm ? ` · ${f.rfm.replaceAll("_", " ")}` : ""}`;
  const query = { churn_risk: f.risk, rfm_segment: f.rfm, limit: 20 };
  let page = await api("/api/v1/customers", query);
  csvButton(card, "/api/v1/customers", { ...query, limit: 500 });
  const more = document.getElementById("churn-more");
  churnRows(page.items, false);
  more.hidden = !page.has_more;
  more.onclick = async () => {
    page = await nextPage("/api/v1/customers", query, page);
    churnRows(page.items, true);
    more.hidden = !page.has_more;
  };
  return page.items.length > 0;
});

const loadCohorts = () => panel("cohorts", async (card) => {
  const { cohorts } = await api("/api/v1/cohorts");
  csvButton(card, "/api/v1/cohorts");
  const width = Math.max(0, ...cohorts.map((c) => c.cells.length));
  const months = [...Array(width).keys()];
  card.querySelector("thead").replaceChildren(el("tr", {}, el("th", {}, "Cohort"),
    el("th", { class: "num" }, "Customers"), ...months.map((m) => el("th", { class: "num" }, `M${m}`))));
  card.querySelector("tbody").replaceChildren(...cohorts.map((c) => el("tr", { "data-cohort": c.cohort },
    el("td", {}, c.cohort.slice(0, 7)), num(formatInt(c.customers)), ...months.map((m) => {
      const cell = c.cells.find((x) => x.months_since_first === m);
      return el("td", { class: "cell", "data-rate": cell ? cell.retention_rate : "",
                        style: cell ? `background: rgba(22, 163, 74, ${(0.1 + 0.8 * cell.retention_rate).toFixed(3)})` : "" },
                cell ? formatRate(cell.retention_rate) : "");
    }))));
  return cohorts.length > 0;
});

const hidden = () => el("span", { class: "hidden-field", title: "needs a key with customers:read" }, "hidden");
const personal = (allowed, value) => (allowed ? value ?? "–" : hidden());

const loadCustomer = (f) => panel("lookup", async (card) => {
  document.getElementById("lookup-id").value = f.customer || "";
  if (!f.customer) return false;
  const c = await api(`/api/v1/customers/${encodeURIComponent(f.customer)}`);
  const allowed = c.personal_data !== false && c.history.some((v) => v.email != null || v.last_name != null);
  document.getElementById("personal-note").textContent = allowed ? "personal fields shown"
    : "personal fields hidden: needs a key with customers:read";
  const facts = [["Customer", c.customer_id], ["Segment", c.segment], ["Country", c.country],
                 ["RFM", `${c.rfm_segment} (${c.r_score ?? "–"}/${c.f_score ?? "–"}/${c.m_score ?? "–"})`],
                 ["Churn risk", c.churn_risk || "–"], ["Orders", formatInt(c.orders)],
                 ["Revenue", formatMoney(c.total_revenue)], ["AOV", formatMoney(c.aov)],
                 ["First order", c.first_order_date || "–"], ["Last order", c.last_order_date || "–"]];
  card.querySelector("#customer-facts").replaceChildren(...facts.flatMap(([label, value]) =>
    [el("dt", {}, label), el("dd", {}, value ?? "–")]));
  fillTable(card.querySelector("#customer-history"), c.history, (v) => [
    v.version_number, (v.valid_from || "inferred").slice(0, 10), v.valid_to ? v.valid_to.slice(0, 10) : "current",
    v.segment ?? "–", v.country ?? "–",
    personal(allowed, [v.first_name, v.last_name].filter(Boolean).join(" ") || null),
    personal(allowed, v.email), personal(allowed, v.city)]);
  card.dataset.personal = String(allowed);
  return true;
});

function load() {
  const f = filters();
  return settle([loadRfm(f), loadChurn(f), loadCohorts(), loadCustomer(f)]);
}

document.getElementById("lookup-form").addEventListener("submit", (event) => {
  event.preventDefault();
  choose({ customer: document.getElementById("lookup-id").value.trim() || null });
});
document.getElementById("churn-risk").addEventListener("change", (event) =>
  choose({ churn_risk: event.target.value || null }));
await renderHeader({ title: "Customers", dates: false, onChange: load });
await load();
