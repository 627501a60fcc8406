"""Daily inventory snapshots per product per warehouse, and stockouts.

A product in stockout has on_hand 0 in every warehouse that day and sells
nothing; any other product has stock everywhere it is kept, so "stockout" has
one unambiguous meaning for the warehouse's marts.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date

from shopflow.generate.products import Product

WAREHOUSES = ("wh-berlin", "wh-lyon", "wh-madrid")


class Inventory:
    def __init__(self, rng: random.Random, products: list[Product]) -> None:
        self._rng = rng
        self._popularity = {p.product_id: p.popularity for p in products}
        self._stock: dict[str, dict[str, int]] = {}
        self._reorder_point: dict[str, int] = {}
        for product in products:
            kept_in = WAREHOUSES if rng.random() < 0.6 else WAREHOUSES[:2]
            self._stock[product.product_id] = {w: rng.randint(40, 250) for w in kept_in}
            self._reorder_point[product.product_id] = rng.randint(15, 40)
        self._out_until: dict[str, int] = {}

    def begin_day(self, day_index: int) -> frozenset[str]:
        """Starts new stockouts and returns the products out of stock today."""
        rng = self._rng
        for product_id, popularity in self._popularity.items():
            if self._out_until.get(product_id, -1) >= day_index:
                continue
            if product_id in self._out_until:
                self._restock(product_id)
            # Popular products sell out more often, which makes the gap visible.
            if rng.random() < min(0.05, 0.004 + 0.03 * popularity):
                self._out_until[product_id] = day_index + rng.randint(0, 2)
        return frozenset(p for p, until in self._out_until.items() if until >= day_index)

    def _restock(self, product_id: str) -> None:
        del self._out_until[product_id]
        stock = self._stock[product_id]
        for warehouse in stock:
            stock[warehouse] = self._rng.randint(80, 250)

    def record_sale(self, product_id: str, quantity: int) -> None:
        stock = self._stock[product_id]
        warehouse = max(stock, key=lambda w: (stock[w], w))
        stock[warehouse] = max(1, stock[warehouse] - quantity)

    def snapshot(self, business_date: date, day_index: int) -> Iterator[dict[str, str | None]]:
        snapshot_date = business_date.isoformat()
        for product_id, stock in self._stock.items():
            out = self._out_until.get(product_id, -1) >= day_index
            reorder_point = self._reorder_point[product_id]
            for warehouse in stock:
                if not out and stock[warehouse] < reorder_point:
                    stock[warehouse] += self._rng.randint(100, 300)
                yield {
                    "snapshot_date": snapshot_date, "product_id": product_id,
                    "warehouse_id": warehouse,
                    "on_hand": "0" if out else str(stock[warehouse]),
                    "reorder_point": str(reorder_point),
                }
