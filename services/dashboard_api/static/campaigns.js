/* Campaigns: revenue credited per campaign under each attribution model, the channels
 * under the chosen model, and one campaign over time. */
import { renderHeader } from "./header.js";
import {
  PALETTE, api, csvButton, drawChart, el, formatMoney, formatNumber, moneyAxis, num, panel, params,
  setParams, settle,
} from "./lib.js";

const MODELS = { first_touch: "First touch", last_touch: "Last touch", linear: "Linear" };
const filters = () => {
  const q = params();
  return { start: q.get("start"), end: q.get("end"), model: q.get("model") || "last_touch",
           grain: q.get("grain") || "day", campaign: q.get("campaign") || null };
};
const choose = (changes) => { setParams(changes); load(); };

let campaignsRequest = null;
const campaigns = (f) => campaignsRequest || (campaignsRequest =
  api("/api/v1/campaigns", { start: f.start, end: f.end }));

const loadModels = (f) => panel("models", async (card) => {
  const top = (await campaigns(f)).items.slice(0, 10);
  if (!top.length) return false;
  drawChart(card.querySelector("canvas"), {
    type: "bar",
    data: { labels: top.map((c) => c.name || c.campaign_id),
            datasets: Object.entries(MODELS).map(([model, label], i) => ({
              label, data: top.map((c) => Number(c[model])), backgroundColor: PALETTE[i] })) },
    options: { scales: { y: moneyAxis } },
  });
  return true;
});

const loadChannels = (f) => panel("channels", async (card) => {
  const query = { start: f.start, end: f.end, model: f.model };
  const result = await api("/api/v1/attribution", query);
  csvButton(card, "/api/v1/attribution", query);
  document.getElementById("channels-model").textContent = MODELS[f.model];
  card.querySelector("tbody").replaceChildren(...result.channels.map((c) =>
    el("tr", { "data-channel": c.channel, "data-revenue": c.revenue }, el("td", {}, c.channel),
       num(formatMoney(c.revenue)), num(formatNumber(c.orders, 2)))));
  return result.channels.length > 0;
});

const loadTable = (f) => panel("campaigns", async (card) => {
  const { items } = await campaigns(f);
  csvButton(card, "/api/v1/campaigns", { start: f.start, end: f.end });
  card.querySelector("tbody").replaceChildren(...items.map((c) => el("tr", {
    class: `pick${c.campaign_id === f.campaign ? " chosen" : ""}`, "data-campaign": c.campaign_id,
    onclick: () => choose({ campaign: c.campaign_id }) },
    el("td", { title: c.campaign_id }, c.name || c.campaign_id), el("td", {}, c.channel || "–"),
    el("td", {}, `${c.start_date || "?"} – ${c.end_date || "…"}`),
    num(c.budget == null ? "–" : formatMoney(c.budget)), num(formatMoney(c.first_touch)),
    num(formatMoney(c.last_touch)), num(formatMoney(c.linear)), num(formatNumber(c.orders_last_touch, 2)))));
  return items.length > 0;
});

const loadSeries = (f) => panel("campaign-series", async (card) => {
  const chosen = f.campaign || (await campaigns(f)).items[0]?.campaign_id;
  if (!chosen) return false;
  const url = `/api/v1/campaigns/${encodeURIComponent(chosen)}/daily`;
  const query = { start: f.start, end: f.end, model: f.model, grain: f.grain };
  const series = await api(url, query);
  csvButton(card, url, query);
  const total = series.points.reduce((t, p) => t + Number(p.revenue), 0);
  const node = document.getElementById("series-total");
  node.dataset.value = total.toFixed(2);
  node.textContent = `${formatMoney(node.dataset.value)} · ${MODELS[f.model]}`;
  document.getElementById("series-title").textContent = `Over time · ${chosen}`;
  drawChart(card.querySelector("canvas"), {
    type: f.grain === "day" ? "line" : "bar",
    data: { labels: series.points.map((p) => p.period), datasets: [
      { label: "Revenue credited", data: series.points.map((p) => Number(p.revenue)),
        borderColor: PALETTE[4], backgroundColor: "rgba(124, 58, 237, 0.3)", fill: true }] },
    options: { plugins: { legend: { display: false } }, scales: { y: moneyAxis } },
  });
  return true;
});

function load() {
  const f = filters();
  campaignsRequest = null;
  document.getElementById("model").value = f.model;
  for (const button of document.querySelectorAll("#grain-switch button")) {
    button.classList.toggle("active", button.dataset.grain === f.grain);
  }
  return settle([loadModels(f), loadChannels(f), loadTable(f), loadSeries(f)]);
}

document.getElementById("model").addEventListener("change", (event) => choose({ model: event.target.value }));
document.querySelectorAll("#grain-switch button").forEach((button) =>
  button.addEventListener("click", () => choose({ grain: button.dataset.grain })));
await renderHeader({ title: "Campaigns", onChange: load });
await load();
