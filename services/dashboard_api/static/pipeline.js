/* Pipeline: batches and their files, a dead-letter browser (filter by batch, entity and
 * code; the errors and the original record; replay with the key), quality and builds. */
import { renderHeader } from "./header.js";
import {
  api, badge, csvButton, el, formatInt, nextPage, num, panel, params, setParams, settle,
} from "./lib.js";
import { loadBuilds, loadQuality } from "./pipeline_health.js";
import { loadFreshness } from "./pipeline_monitor.js";

const ENTITIES = ["customers", "products", "orders", "order_items", "clickstream", "inventory",
                  "campaigns", "reviews"];
const filters = () => {
  const q = params();
  return { batch: q.get("batch") || null, entity: q.get("entity") || null, code: q.get("code") || null };
};
const choose = (changes) => { setParams(changes); load(); };
const time = (instant) => (instant ? instant.replace("T", " ").slice(0, 19) : "–");

async function paged(table, more, path, query, row) {
  let page = await api(path, query);
  csvButton(table.closest("[data-panel]"), path, { ...query, limit: 200 });
  table.querySelector("tbody").replaceChildren(...page.items.flatMap(row));
  more.hidden = !page.has_more;
  more.onclick = async () => {
    page = await nextPage(path, query, page);
    table.querySelector("tbody").append(...page.items.flatMap(row));
    more.hidden = !page.has_more;
  };
  return page;
}

const batchRow = (f) => (b) => el("tr", {
  class: `pick${b.batch_id === f.batch ? " chosen" : ""}`, "data-batch": b.batch_id,
  onclick: () => choose({ batch: b.batch_id }) },
  el("td", {}, b.batch_id), ...b.stages.map((s) => el("td", {}, badge(s.status, s.detail || s.status))),
  num(formatInt(b.counts.files)), num(b.counts.published == null ? "–" : formatInt(b.counts.published)),
  num(formatInt(b.counts.loaded)), num(formatInt(b.counts.rejected)), num(formatInt(b.counts.open_dead_letters)));

const loadBatches = (f) => panel("batches", async (card) => {
  const page = await paged(card.querySelector("table"), document.getElementById("batches-more"),
                           "/api/v1/batches", { limit: 10 }, batchRow(f));
  return page.items.length > 0;
});

const loadFiles = (f) => panel("files", async (card) => {
  if (!f.batch) return false;
  const batch = await api(`/api/v1/batches/${encodeURIComponent(f.batch)}`);
  document.getElementById("files-title").textContent = `Files of ${batch.batch_id}`;
  document.getElementById("files-codes").textContent = Object.entries(batch.dead_letters_by_code)
    .map(([code, n]) => `${code}: ${n}`).join(" · ");
  card.querySelector("tbody").replaceChildren(...batch.files.map((file) => el("tr", {
    "data-file": file.file_name, "data-status": file.status },
    el("td", {}, file.file_name), el("td", {}, file.entity || "–"),
    el("td", {}, badge(file.status === "published" ? "done" : "failed", file.status)),
    num(file.records_published == null ? "–" : formatInt(file.records_published)),
    num(formatInt(file.loaded)), num(formatInt(file.rejected)), el("td", {}, file.reason || file.code || ""))));
  return true;
});

function letterRows(letter) {
  const detail = el("tr", { class: "letter-detail", hidden: true },
    el("td", { colspan: 6 },
       el("strong", {}, "Errors"),
       el("ul", {}, ...letter.errors.map((e) => el("li", {}, `${e.code}${e.field ? ` (${e.field})` : ""}: ${e.message}`))),
       el("strong", {}, "Original record"),
       el("pre", { class: "record" }, letter.payload_json == null ? letter.payload ?? "(no bytes)"
         : JSON.stringify(letter.payload_json, null, 2))));
  const row = el("tr", { class: "pick", "data-letter": `${letter.batch_id}/${letter.source_file}:${letter.line_number}`,
                         "data-codes": letter.codes.join(" "),
                         onclick: () => { detail.hidden = !detail.hidden; } },
    el("td", {}, letter.batch_id), el("td", {}, `${letter.source_file}:${letter.line_number}`),
    el("td", {}, letter.entity), el("td", {}, letter.codes.join(", ")), num(letter.attempt),
    el("td", {}, time(letter.last_failed_at)));
  return [row, detail];
}

async function fillLetterFilters(f) {
  const summary = await api("/api/v1/dead-letters/summary");
  const codes = [...new Set(summary.by_code.map((c) => c.code))].sort();
  if (f.code && !codes.includes(f.code)) codes.push(f.code);
  const options = (select, values, chosen) => {
    select.replaceChildren(select.options[0], ...values.map((v) => el("option", { value: v }, v)));
    select.value = chosen || "";
  };
  options(document.getElementById("letter-code"), codes, f.code);
  options(document.getElementById("letter-entity"), ENTITIES, f.entity);
  document.getElementById("letter-batch").value = f.batch || "";
  const total = document.getElementById("letters-total");
  total.dataset.value = summary.open_letters;
  total.textContent = `${formatInt(summary.open_letters)} open in all`;
}

const loadLetters = (f) => panel("letters", async (card) => {
  await fillLetterFilters(f);
  const query = { batch_id: f.batch, entity: f.entity, error_code: f.code, limit: 25 };
  const page = await paged(card.querySelector("table"), document.getElementById("letters-more"),
                           "/api/v1/dead-letters", query, letterRows);
  document.getElementById("replay-result").textContent = "";
  return page.items.length > 0;
});

async function replay(dryRun) {
  const f = filters();
  const note = document.getElementById("replay-result");
  if (!f.batch && !f.entity && !f.code) {
    note.textContent = "Choose a batch, an entity or a code first: a replay needs a filter.";
    return;
  }
  const body = { batch_id: f.batch, entity: f.entity, error_codes: f.code ? [f.code] : null, dry_run: dryRun };
  note.textContent = dryRun ? "Checking…" : "Replaying…";
  try {
    const result = await api("/api/v1/dead-letters/replay", {}, {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
    const skipped = Object.values(result.skipped).reduce((n, list) => n + list.length, 0);
    note.dataset.value = result.resubmitted.length;
    note.textContent = `${dryRun ? "Would re-send" : "Re-sent"} ${result.resubmitted.length} of ${result.selected}`
      + ` letter(s); ${skipped} skipped${result.replay_id ? ` (replay ${result.replay_id})` : ""}.`;
  } catch (error) {
    note.textContent = `Replay refused: ${error.message}`;
  }
}

function load() {
  const f = filters();
  return settle([loadBatches(f), loadFiles(f), loadLetters(f), loadQuality(), loadBuilds(), loadFreshness()]);
}

document.getElementById("letter-filters").addEventListener("submit", (event) => {
  event.preventDefault();
  choose({ batch: document.getElementById("letter-batch").value.trim() || null,
           entity: document.getElementById("letter-entity").value || null,
           code: document.getElementById("letter-code").value || null });
});
document.getElementById("replay-dry").addEventListener("click", () => replay(true));
document.getElementById("replay").addEventListener("click", () => replay(false));
await renderHeader({ title: "Pipeline", dates: false, onChange: load });
await load();
