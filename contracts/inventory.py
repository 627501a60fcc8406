"""inventory v1: stock of one product in one warehouse on one day."""

from __future__ import annotations

from contracts.base import ContractModel
from contracts.field_types import Count, Id, IsoDate


class InventoryV1(ContractModel):
    ENTITY = "inventory"
    VERSION = 1
    NATURAL_KEY = ("snapshot_date", "product_id", "warehouse_id")
    PARTITION_KEY = ("snapshot_date", "product_id", "warehouse_id")

    snapshot_date: IsoDate
    product_id: Id
    warehouse_id: Id
    on_hand: Count
    reorder_point: Count | None = None
