"""Recomputes the truth's metrics from the batch files alone (plus the defect list).

Written separately from the generator's own accumulation on purpose: it reads the
CSVs back, drops the rows listed as dead letters, skips quarantined (schema
drift) and re-delivered (same bytes) files, de-duplicates exact repeats by
natural key, and applies the SPEC's metric rules.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from tests.unit.generate.readback import (
    COLUMNS,
    Record,
    batch_dirs,
    data_files,
    entity_of,
    load_defects,
    read_csv,
    utc,
)

_REQUIRED = {"orders": {"order_id", "customer_id", "order_ts", "status", "currency"},
             "order_items": {"order_id", "line_number", "product_id", "quantity",
                             "unit_price"},
             "products": {"product_id", "updated_at"}}
_USED = ("orders", "order_items", "products")


def kept_records(out: Path) -> dict[str, list[Record]]:
    """Records of orders, order_items and products the warehouse would hold, in arrival order."""
    dead = {(d["batch_id"], d["file"], d["line"]) for d in load_defects(out)
            if d["outcome"] == "dead_letter"}
    seen_files: set[str] = set()
    kept: dict[str, list[Record]] = {entity: [] for entity in _USED}
    for batch in batch_dirs(out):
        for path in data_files(batch):
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            if digest in seen_files:
                continue  # a re-delivered file is skipped whole
            entity = entity_of(path)
            header, rows = read_csv(path) if path.suffix == ".csv" else ([], [])
            if path.suffix == ".csv" and not _header_ok(entity, header):
                continue  # schema drift: quarantined
            seen_files.add(digest)
            if entity in kept:
                kept[entity] += [row.record for row in rows
                                 if row.record is not None
                                 and (batch.name, path.name, row.line) not in dead]
    return kept


def _header_ok(entity: str, header: list[str]) -> bool:
    return set(header) <= COLUMNS[entity] and _REQUIRED.get(entity, set()) <= set(header)


def recompute(out: Path) -> dict[str, Any]:
    kept = kept_records(out)
    latest: dict[str, tuple[datetime, Record]] = {}
    for order in kept["orders"]:
        updated = utc(order["updated_at"] or order["order_ts"])
        if order["order_id"] not in latest or updated > latest[order["order_id"]][0]:
            latest[order["order_id"]] = (updated, order)
    qualifying = {order_id: order for order_id, (_, order) in latest.items()
                  if order["status"] not in ("cancelled", "returned")}
    lines = {(r["order_id"], r["line_number"]): r for r in kept["order_items"]}
    versions: dict[str, list[tuple[datetime, str, Decimal]]] = defaultdict(list)
    for product in kept["products"]:
        versions[product["product_id"]].append(
            (utc(product["updated_at"]), product["category"], Decimal(product["unit_cost"])))
    return _metrics(qualifying, list(lines.values()), versions)


def _metrics(orders: dict[str, Record], lines: list[Record],
             versions: dict[str, list[tuple[datetime, str, Decimal]]]) -> dict[str, Any]:
    order_date = {oid: utc(o["order_ts"]).date() for oid, o in orders.items()}
    day: dict[date, dict[str, Any]] = defaultdict(
        lambda: {"revenue": Decimal(0), "orders": set(), "units": 0, "customers": set()})
    cat: dict[date, dict[str, dict[str, Any]]] = defaultdict(lambda: defaultdict(
        lambda: {"revenue": Decimal(0), "orders": set(), "units": 0, "cost": Decimal(0)}))
    for order_id, order in orders.items():
        day[order_date[order_id]]["orders"].add(order_id)
        day[order_date[order_id]]["customers"].add(order["customer_id"])
    for line in lines:
        if line["order_id"] not in orders:
            continue
        order = orders[line["order_id"]]
        quantity, price = int(line["quantity"]), Decimal(line["unit_price"])
        net = quantity * price - Decimal(line["discount_amount"] or 0)
        at = utc(order["order_ts"])
        _, category, unit_cost = max(v for v in versions[line["product_id"]] if v[0] <= at)
        figures, by_cat = day[at.date()], cat[at.date()][category]
        figures["revenue"] += net
        figures["units"] += quantity
        by_cat["revenue"] += net
        by_cat["units"] += quantity
        by_cat["cost"] += quantity * unit_cost
        by_cat["orders"].add(line["order_id"])
    return _as_truth(day, cat)


def _as_truth(day: dict[date, dict[str, Any]],
              cat: dict[date, dict[str, dict[str, Any]]]) -> dict[str, Any]:
    first_day: dict[str, date] = {}
    for when in sorted(day):
        for customer in day[when]["customers"]:
            first_day.setdefault(customer, when)
    money = lambda amount: f"{amount:.2f}"  # noqa: E731
    daily = {when.isoformat(): {
        "revenue": money(f["revenue"]), "orders": len(f["orders"]), "units": f["units"],
        "customers": len(f["customers"]),
        "new_customers": sum(1 for c in f["customers"] if first_day[c] == when),
    } for when, f in day.items()}
    by_category = {when.isoformat(): {name: {
        "revenue": money(f["revenue"]), "orders": len(f["orders"]), "units": f["units"],
        "cost": money(f["cost"])} for name, f in cats.items()} for when, cats in cat.items()}
    return {"daily": daily, "daily_by_category": by_category, "totals": {
        "revenue": money(sum((f["revenue"] for f in day.values()), Decimal(0))),
        "orders": sum(len(f["orders"]) for f in day.values()),
        "units": sum(f["units"] for f in day.values()),
        "customers": len(first_day), "new_customers": len(first_day)}}
