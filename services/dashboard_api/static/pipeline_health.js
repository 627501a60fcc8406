/* The pipeline page's quality and build-history panels. */
import { ApiError, api, badge, csvButton, el, num, panel } from "./lib.js";

export const loadQuality = () => panel("quality", async (card) => {
  const quality = await api("/api/v1/quality");
  csvButton(card, "/api/v1/quality");
  const status = document.getElementById("quality-status");
  status.textContent = quality.status === "none" ? "" : quality.status;
  status.className = `badge ${quality.status}`;
  card.querySelector("#quality").replaceChildren(...quality.checks.map((c) =>
    el("li", { "data-check": c.check_name, "data-status": c.status }, badge(c.status), el("span", {}, c.check_name))));
  return quality.checks.length > 0;
});

const buildRow = (b) => el("tr", { "data-build": b.build_id, "data-status": b.status },
  el("td", {}, b.build_id), el("td", {}, b.trigger || "–"),
  el("td", {}, badge({ succeeded: "done", running: "running" }[b.status] || "failed", b.error || b.status)),
  el("td", {}, b.started_at.replace("T", " ").slice(0, 19)),
  num(b.duration_seconds == null ? "–" : Number(b.duration_seconds).toFixed(1)),
  el("td", {}, b.quality ? Object.entries(b.quality.counts).map(([k, n]) => `${n} ${k}`).join(", ") : "–"));

/** GET /api/v1/builds when the API has it; otherwise the latest build /warehouse names. */
export const loadBuilds = () => panel("builds", async (card) => {
  const source = document.getElementById("builds-source");
  let builds;
  try {
    builds = (await api("/api/v1/builds", { limit: 10 })).items;
    csvButton(card, "/api/v1/builds", { limit: 200 });
    source.textContent = "latest 10";
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 404) throw error;
    const latest = (await api("/api/v1/warehouse")).latest_build;
    builds = latest ? [{ ...latest, trigger: null, duration_seconds: null, quality: null }] : [];
    source.textContent = "latest build only";
  }
  card.querySelector("tbody").replaceChildren(...builds.map(buildRow));
  return builds.length > 0;
});
