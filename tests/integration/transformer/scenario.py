"""Hand-made staging rows for scenario tests: one call per batch, then a build."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import psycopg

from shopflow.warehouse import BuildRequest, BuildResult, run_build
from tests.conftest import TestDatabase
from tests.integration.transformer.staging_files import insert_rows, register_batch

Record = dict[str, Any]


def customer(customer_id: str, segment: str, updated_at: str, country: str = "DE") -> Record:
    return {"customer_id": customer_id, "country": country, "segment": segment,
            "updated_at": updated_at}


def product(product_id: str, category: str, updated_at: str, unit_cost: str = "4.00",
            list_price: str = "10.00") -> Record:
    return {"product_id": product_id, "category": category, "name": product_id,
            "unit_cost": unit_cost, "list_price": list_price, "updated_at": updated_at}


def order(order_id: str, customer_id: str, order_ts: str, status: str = "paid",
          updated_at: str | None = None, campaign_id: str | None = None) -> Record:
    return {"order_id": order_id, "customer_id": customer_id, "order_ts": order_ts,
            "status": status, "currency": "EUR", "updated_at": updated_at or order_ts,
            "campaign_id": campaign_id}


def line(order_id: str, line_number: int, product_id: str, quantity: int = 1,
         unit_price: str = "10.00", discount: str = "0.00") -> Record:
    return {"order_id": order_id, "line_number": line_number, "product_id": product_id,
            "quantity": quantity, "unit_price": unit_price, "discount_amount": discount}


def event(event_id: str, event_ts: str, visitor: str, event_type: str = "page_view",
          **extra: Any) -> Record:
    who = {"customer_id": visitor} if visitor.startswith("C") else {"anonymous_id": visitor}
    if event_type in ("product_view", "add_to_cart", "remove_from_cart"):
        extra.setdefault("product_id", "P1")
    if event_type == "purchase":
        extra.setdefault("order_id", "O-any")
    return {"event_id": event_id, "event_ts": event_ts, "event_type": event_type, **who, **extra}


@dataclass
class Warehouse:
    """A test database driven batch by batch."""

    database: TestDatabase

    def stage(self, batch_id: str, business_date: str, **entities: list[Record]) -> None:
        with psycopg.connect(self.database.url) as conn:
            register_batch(conn, batch_id, date.fromisoformat(business_date))
            for entity, records in entities.items():
                insert_rows(conn, entity, batch_id, records)

    def build(self, batch_id: str | None = None, **options: Any) -> BuildResult:
        request = BuildRequest(batch_id=batch_id, full_refresh=batch_id is None)
        return run_build(self.database.url_as("shopflow_transformer"), request, **options)

    def load(self, batch_id: str, business_date: str, **entities: list[Record]) -> BuildResult:
        self.stage(batch_id, business_date, **entities)
        return self.build(batch_id)

    def rows(self, query: str, *params: Any) -> list[tuple[Any, ...]]:
        with psycopg.connect(self.database.url) as conn:
            return conn.execute(query, params or None).fetchall()

    def value(self, query: str, *params: Any) -> Any:
        rows = self.rows(query, *params)
        return rows[0][0] if rows else None
