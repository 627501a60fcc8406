/* The pipeline page's freshness panel: each entity's newest business date on the clock
 * (GET /api/v1/freshness) and the latest checks on a clock (GET /api/v1/monitor:
 * outliers, volume, freshness), with the offending keys of those that warn. */
import { api, badge, el, num, panel } from "./lib.js";

const freshnessRow = (f) => el("tr", { "data-entity": f.entity, "data-stale": String(f.stale) },
  el("td", {}, f.entity), el("td", {}, f.latest_business_date || "–"),
  num(f.age_hours == null ? "–" : Number(f.age_hours).toFixed(1)), num(String(f.expected_hours)),
  el("td", {}, badge(f.stale ? "warn" : "pass", f.stale ? "no new business date in time" : "fresh")));

const checkItem = (c) => el("li", { "data-check": c.check_name, "data-status": c.status },
  badge(c.status), el("span", {}, c.check_name),
  el("span", { class: "hint" }, (c.details.keys || []).slice(0, 5).join(", ")));

export const loadFreshness = () => panel("freshness", async (card) => {
  const [freshness, monitor] = await Promise.all([api("/api/v1/freshness"), api("/api/v1/monitor")]);
  document.getElementById("freshness-status").textContent = freshness.status;
  document.getElementById("freshness-status").className = `badge ${freshness.status === "stale" ? "warn" : "pass"}`;
  card.querySelector("tbody").replaceChildren(...freshness.entities.map(freshnessRow));
  const flagged = monitor.checks.filter((c) => c.status !== "pass");
  card.querySelector("#monitor-checks").replaceChildren(...flagged.map(checkItem));
  document.getElementById("monitor-run").textContent = monitor.run_id == null
    ? "no monitor run yet (shopflow monitor run)"
    : `monitor run ${monitor.run_id}: ${flagged.length} of ${monitor.checks.length} checks warn`;
  return freshness.entities.some((f) => f.latest_business_date) || monitor.checks.length > 0;
});
