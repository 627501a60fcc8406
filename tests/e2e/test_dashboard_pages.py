"""Every dashboard page in headless Chromium (Debian's package, playwright-core from npm)
at 1280 px and at phone width, against the generator's truth (and the warehouse where
the truth has no figure), with screenshots in test-artifacts/."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

import psycopg
import pytest

from tests.conftest import TestDatabase
from tests.e2e.test_dashboard_browser import ARTIFACTS, CHROMIUM, REPO, running_api
from tests.integration.api.truth import category_totals, first_and_last_day, range_totals
from tests.integration.api.warehouse import (
    build_warehouse,
    generate_run,
    record_ledger,
    scratch_database,
)
from tests.integration.transformer.staging_files import GeneratedRun

pytestmark = pytest.mark.e2e

DRIVER = Path(__file__).with_name("dashboard_pages.mjs")
KEY = "pages-test-key-0123456789abcdef"
WIDTHS = [1280, 390]


class Site:
    def __init__(self, url: str, database: TestDatabase, run: GeneratedRun) -> None:
        self.url, self.database, self.run = url, database, run

    def query(self, sql: str, *params: object) -> list[tuple[Any, ...]]:
        with psycopg.connect(self.database.url) as conn:
            return conn.execute(sql, params).fetchall()

    def drive(self, width: int, steps: list[dict], key: str | None = KEY,
              settled: str = "ready") -> list[dict]:
        """Run the steps in Chromium; every page must settle (`settled`) cleanly."""
        ARTIFACTS.mkdir(exist_ok=True)
        plan = {"base": self.url.rstrip("/"), "width": width, "height": 900, "key": key,
                "steps": steps}
        done = subprocess.run(["node", str(DRIVER), json.dumps(plan), str(CHROMIUM)], cwd=REPO,
                              capture_output=True, text=True, timeout=180, check=False)
        assert done.returncode == 0, done.stderr[-3000:]
        report = json.loads(done.stdout.strip().splitlines()[-1])
        problems = [p for p in report["problems"] if settled == "ready" or "401" not in p]
        assert problems == [] and report["external_requests"] == [], report
        for result in report["results"]:
            page = result["page"]
            assert page["state"] == settled, (result["step"], page)
            assert not page["overflow"], f"wider than {width} px: {page['scrollWidth']}"
        return report["results"]


@pytest.fixture(scope="module")
def empty_site(migrated_template: str, tmp_path_factory: pytest.TempPathFactory
               ) -> Iterator[Site]:
    run = generate_run(tmp_path_factory.mktemp("empty") / "run", days=1, orders_per_day=1)
    with scratch_database() as database, running_api(database, api_key=KEY) as url:
        yield Site(url, database, run)


@pytest.fixture(scope="module")
def site(migrated_template: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    run = generate_run(tmp_path_factory.mktemp("pages") / "run", days=10, orders_per_day=20,
                       seed=3)
    with scratch_database() as database:
        build_warehouse(database, run)
        record_ledger(database, run)
        with running_api(database, api_key=KEY) as url:
            yield Site(url, database, run)


def snap(name: str, width: int) -> dict:
    return {"snap": str(ARTIFACTS / f"page-{name}-{width}.png")}


def visible(result: dict) -> dict[str, dict]:
    return {name: p for name, p in result["page"]["panels"].items() if not p["hidden"]}


def money(value: Decimal) -> str:
    return f"{value:.2f}"


def whole_run(site: Site) -> tuple[str, str]:
    first, last = first_and_last_day(site.run.truth)
    return first.isoformat(), last.isoformat()


@pytest.mark.parametrize("width", WIDTHS)
def test_overview_shows_the_truths_revenue_and_links_every_page(site: Site, width: int) -> None:
    [page] = site.drive(width, [{"goto": "/", "read": {"revenue": "#kpi-revenue",
                                                       "nav": ".nav a"}},
                                snap("overview", width)])[:1]
    truth = range_totals(site.run.truth, *first_and_last_day(site.run.truth))
    assert page["read"]["revenue"][0]["data"]["value"] == money(truth["revenue"])
    assert [a["text"] for a in page["read"]["nav"]] == [
        "Overview", "Sales & products", "Customers", "Inventory", "Campaigns", "Pipeline"]


@pytest.mark.parametrize("width", WIDTHS)
def test_sales_drill_down_from_category_to_product(site: Site, width: int) -> None:
    start, end = whole_run(site)
    categories = category_totals(site.run.truth, *first_and_last_day(site.run.truth))
    top = max(categories, key=lambda c: categories[c]["revenue"])
    results = site.drive(width, [
        {"goto": "/sales", "read": {"categories": "#categories tbody tr"}},
        {"click": f'#categories tbody tr[data-category="{top}"]',
         "read": {"products": "#products tbody tr"}},
        {"download": '[data-panel="products"] button.csv'},
        {"click": "#products tbody tr:first-child"}, snap("product", width)])
    overview, chosen, download, product = results[:4]
    assert overview["page"]["url"] == f"/sales?start={start}&end={end}"
    panels = visible(overview)
    assert {n: p["state"] for n, p in panels.items()} == {
        "sales": "ready", "categories": "ready", "channels": "ready", "products": "ready"}
    assert panels["sales"]["charts"] == ["chart-sales"]
    assert panels["sales"]["values"]["sales-total"] == money(sum(
        (c["revenue"] for c in categories.values()), Decimal(0)))
    shown = {r["data"]["category"]: r["data"]["revenue"] for r in overview["read"]["categories"]}
    assert shown == {c: money(f["revenue"]) for c, f in categories.items()}
    assert chosen["page"]["url"].endswith(f"&category={quote_plus(top)}")
    assert visible(chosen)["sales"]["values"]["sales-total"] == money(categories[top]["revenue"])
    rows = chosen["read"]["products"]
    assert rows and all(top in r["text"] for r in rows)
    first = rows[0]["data"]
    [(sold,)] = site.query("SELECT count(DISTINCT product_id) FROM marts.daily_product_sales"
                           " WHERE category = %s", top)
    assert download["download"]["name"] == "products.csv"
    assert download["download"]["rows"] == sold and "product_id" in download["download"]["header"]
    assert "&product=" in product["page"]["url"]
    panels = visible(product)
    assert set(panels) == {"product", "product-sales", "price-history", "reviews"}
    assert panels["product-sales"]["values"]["product-sales-total"] == first["revenue"]
    [(versions,)] = site.query("SELECT count(*) FROM warehouse.dim_product WHERE product_id = %s",
                               first["product"])
    assert panels["price-history"]["rows"] == versions
    [(reviews,)] = site.query("SELECT count(*) FROM warehouse.fact_reviews WHERE product_id = %s",
                              first["product"])
    assert panels["reviews"]["values"]["reviews-summary"] == str(reviews)


@pytest.mark.parametrize("width", WIDTHS)
def test_customers_grid_list_cohorts_and_lookup(site: Site, width: int) -> None:
    buyers = site.run.truth["metrics"]["totals"]["customers"]
    [(customer, versions)] = site.query(
        "SELECT customer_id, count(*) FROM warehouse.dim_customer GROUP BY 1"
        " ORDER BY 2 DESC, 1 LIMIT 1")
    [(cohorts,)] = site.query("SELECT count(DISTINCT cohort_month) FROM marts.cohort_activity")
    cell = "#rfm td.cell:not([data-customers='0'])"
    results = site.drive(width, [
        {"goto": "/customers"},
        {"click": cell, "read": {"cell": cell, "rows": "#churn tbody tr"}},
        {"fill": ["#lookup-id", customer]},
        {"submit": "#lookup-form button", "read": {"card": "[data-panel=lookup]"}},
        snap("customers", width)])
    panels = visible(results[0])
    assert panels["rfm"]["values"]["rfm-total"] == str(buyers)
    assert panels["cohorts"]["rows"] == cohorts
    assert panels["churn"]["rows"] == min(20, buyers) and panels["lookup"]["state"] == "empty"
    segment = results[1]["read"]["cell"][0]["data"]["segment"]
    assert f"rfm_segment={segment}" in results[1]["page"]["url"]
    [(in_segment,)] = site.query(
        "SELECT count(*) FROM marts.customer_ltv WHERE rfm_segment = %s", segment)
    rows = results[1]["read"]["rows"]
    assert len(rows) == min(20, in_segment) and all(segment in r["text"] for r in rows)
    looked_up = visible(results[3])["lookup"]
    assert looked_up["state"] == "ready" and looked_up["rows"] == versions
    assert f"customer={customer}" in results[3]["page"]["url"]
    assert results[3]["read"]["card"][0]["data"]["personal"] == "true"


def test_customer_lookup_hides_personal_fields_without_the_scope(site: Site) -> None:
    [(customer,)] = site.query("SELECT min(customer_id) FROM warehouse.dim_customer"
                               " WHERE email IS NOT NULL")
    [page] = site.drive(1280, [{"goto": f"/customers?customer={customer}",
                                "read": {"card": "[data-panel=lookup]",
                                         "hidden": "#customer-history .hidden-field"}}],
                        key=None)
    assert page["read"]["card"][0]["data"]["personal"] == "false"
    assert page["read"]["hidden"] and customer not in json.dumps(page["read"]["hidden"])
    [(email,)] = site.query("SELECT email FROM warehouse.dim_customer WHERE customer_id = %s"
                            " AND is_current", customer)
    assert email not in json.dumps(page)


@pytest.mark.parametrize("width", WIDTHS)
def test_inventory_stockouts_and_products_at_risk(site: Site, width: int) -> None:
    start, end = whole_run(site)
    [(stocked_out,)] = site.query(
        "SELECT count(DISTINCT product_id) FROM marts.inventory_daily"
        " WHERE is_stockout AND snapshot_date BETWEEN %s AND %s", start, end)
    [(must_list,)] = site.query(
        "SELECT count(*) FROM (SELECT DISTINCT ON (product_id) * FROM marts.inventory_daily"
        " ORDER BY product_id, snapshot_date DESC) l WHERE is_stockout OR below_reorder_point")
    [page] = site.drive(width, [{"goto": "/inventory"}, snap("inventory", width)])[:1]
    panels = visible(page)
    assert panels["stockouts"]["rows"] == min(25, stocked_out) > 0
    assert panels["stockout-chart"]["charts"] == ["chart-stockouts"]
    assert panels["at-risk"]["rows"] >= min(25, must_list)


@pytest.mark.parametrize("width", WIDTHS)
def test_campaigns_credit_every_order_and_show_one_over_time(site: Site, width: int) -> None:
    truth = range_totals(site.run.truth, *first_and_last_day(site.run.truth))
    results = site.drive(width, [
        {"goto": "/campaigns", "read": {"channels": "#channels tbody tr"}},
        {"select": ["#model", "linear"], "read": {"channels": "#channels tbody tr"}},
        {"click": "#campaigns tbody tr:first-child",
         "read": {"campaign": "#campaigns tbody tr.chosen"}},
        snap("campaigns", width)])
    for result in results[:2]:
        credited = sum((Decimal(r["data"]["revenue"]) for r in result["read"]["channels"]),
                       Decimal(0))
        assert money(credited) == money(truth["revenue"])
    assert "model=linear" in results[1]["page"]["url"]
    panels = visible(results[2])
    assert panels["models"]["charts"] == ["chart-models"]
    assert panels["campaign-series"]["charts"] == ["chart-campaign"]
    campaign = results[2]["read"]["campaign"][0]["data"]["campaign"]
    assert f"campaign={campaign}" in results[2]["page"]["url"]
    [(linear,)] = site.query(
        "SELECT coalesce(sum(revenue), 0) FROM marts.attribution_daily"
        " WHERE campaign_id = %s AND model = 'linear'", campaign)
    assert panels["campaign-series"]["values"]["series-total"] == money(linear)


def _letters_with(truth: dict, code: str) -> int:
    return sum(file["dead_letters"].get(code, 0) for batch in truth["batches"].values()
               for file in batch["files"].values())


@pytest.mark.parametrize("width", WIDTHS)
def test_pipeline_batches_files_dead_letters_and_replay(site: Site, width: int) -> None:
    truth = site.run.truth
    batch_id = max(truth["batches"])
    code = max(truth["defects"]["by_code"], key=lambda c: _letters_with(truth, c))
    results = site.drive(width, [
        {"goto": "/pipeline"},
        {"click": f'#batches tbody tr[data-batch="{batch_id}"]'},
        {"select": ["#letter-code", code], "settle": False}, {"fill": ["#letter-batch", ""]},
        {"submit": "#letter-filters button", "read": {"letters": "#letters tbody tr.pick"}},
        {"click": "#letters tbody tr.pick", "settle": False},
        {"waitFor": "#letters tbody tr.letter-detail:not([hidden])",
         "read": {"detail": "#letters tbody tr.letter-detail:not([hidden])"}},
        {"click": "#replay-dry", "settle": False}, {"waitFor": "#replay-result[data-value]",
                                                    "read": {"replay": "#replay-result"}},
        snap("pipeline", width)])
    panels = visible(results[0])
    assert panels["batches"]["rows"] == min(10, len(truth["batches"]))
    assert panels["files"]["state"] == "empty"
    assert {n: p["state"] for n, p in panels.items() if n != "files"} == dict.fromkeys(
        ("batches", "letters", "quality", "builds", "freshness"), "ready")
    assert visible(results[1])["files"]["rows"] == len(truth["batches"][batch_id]["files"])
    letters = results[4]["read"]["letters"]
    assert f"code={code}" in results[4]["page"]["url"] and "batch=" not in results[4]["page"]["url"]
    assert len(letters) == min(25, _letters_with(truth, code))
    assert all(code in row["data"]["codes"].split() for row in letters)
    detail = results[6]["read"]["detail"][0]["text"]
    assert "Original record" in detail and code in detail
    replay = results[8]["read"]["replay"][0]
    assert replay["data"]["value"] == str(_letters_with(truth, code)), replay


PAGES = ["/sales", "/customers", "/inventory", "/campaigns", "/pipeline"]


def test_an_empty_warehouse_says_so_on_every_page(empty_site: Site) -> None:
    results = empty_site.drive(390, [step for page in PAGES for step in (
        {"goto": page}, snap(f"empty{page.replace('/', '-')}", 390))])
    for result in results[::2]:
        states = {name: p["state"] for name, p in visible(result).items()}
        assert set(states.values()) == {"empty"}, (result["step"], states)


def test_a_missing_key_is_an_error_in_the_panel_that_needs_it(site: Site) -> None:
    steps = [{"goto": "/pipeline", "read": {"why": "[data-panel=letters] .error"}},
             snap("pipeline-without-key", 1280)]
    [page] = site.drive(1280, steps, key=None, settled="error")[:1]
    states = {name: p["state"] for name, p in visible(page).items()}
    assert states["letters"] == "error" and states["batches"] == "ready", states
    assert "deadletters:read" in page["read"]["why"][0]["text"]
    assert "enter an API key" in page["read"]["why"][0]["text"]
