/* The header every page shares: navigation, the date range (pages with dates) and the
 * API key field (kept in sessionStorage, sent as X-API-Key). */
import { PAGES, addDays, apiKey, chosenRange, el, setParams, warehouse } from "./lib.js";

function nav() {
  const here = window.location.pathname.replace(/\/$/, "") || "/";
  return el("nav", { class: "nav", "aria-label": "Pages" }, ...PAGES.map(([href, label]) =>
    el("a", { href, class: href === here ? "active" : null,
              "aria-current": href === here ? "page" : null }, label)));
}

function rangeForm(range, onChange) {
  const start = el("input", { type: "date", id: "start", name: "start", value: range.start,
                              required: true });
  const end = el("input", { type: "date", id: "end", name: "end", value: range.end,
                            required: true });
  const apply = (from, to) => {
    start.value = from;
    end.value = to;
    setParams({ start: from, end: to });
    onChange();
  };
  const presets = [7, 30, 90].map((days) => el("button", {
    type: "button", "data-days": days,
    onclick: async () => {
      const last = (await warehouse()).last_date || end.value;
      apply(addDays(last, 1 - days), last);
    } }, `${days} d`));
  return el("form", { id: "range-form", class: "range", autocomplete: "off",
                      onsubmit: (event) => {
                        event.preventDefault();
                        if (start.value && end.value && start.value <= end.value) {
                          apply(start.value, end.value);
                        }
                      } },
            el("label", {}, "From ", start), el("label", {}, "To ", end),
            el("div", { class: "presets", role: "group", "aria-label": "Quick ranges" },
               ...presets),
            el("button", { type: "submit", class: "primary" }, "Apply"));
}

function keyForm(onChange) {
  const input = el("input", { type: "password", id: "api-key", placeholder: "API key",
                              autocomplete: "off", value: apiKey.get(), "aria-label": "API key" });
  const forget = el("button", { type: "button", id: "api-key-forget",
                                onclick: () => { input.value = ""; apiKey.set(""); onChange(); } },
                    "Forget");
  return el("form", { class: "key", id: "key-form",
                      onsubmit: (event) => {
                        event.preventDefault();
                        apiKey.set(input.value.trim());
                        onChange();
                      } },
            input, el("button", { type: "submit" }, "Use key"), forget);
}

/** Draw the header; `onChange` reloads the page's panels after a filter or key change. */
export async function renderHeader({ title, dates = true, onChange }) {
  const range = dates ? await chosenRange() : null;
  if (range) setParams(range, { replace: true });
  const bar = document.getElementById("topbar");
  bar.replaceChildren(
    el("div", { class: "brand" }, el("h1", {}, "ShopFlow"), el("span", { class: "subtitle" }, title)),
    nav(), range ? rangeForm(range, onChange) : el("span"), keyForm(onChange),
    el("div", { class: "status", id: "status", "aria-live": "polite" }));
  window.addEventListener("popstate", () => {
    const query = new URLSearchParams(window.location.search);
    if (range && query.get("start")) document.getElementById("start").value = query.get("start");
    if (range && query.get("end")) document.getElementById("end").value = query.get("end");
    onChange();
  });
  return range;
}

/** The range currently in the form (after the user applied one). */
export function currentRange() {
  return { start: document.getElementById("start").value, end: document.getElementById("end").value };
}
