"""Column layout of each entity's batch file (SPEC section 3, data dictionary v1)."""

from __future__ import annotations

ENTITY_COLUMNS: dict[str, tuple[str, ...]] = {
    "customers": ("customer_id", "email", "first_name", "last_name", "country", "region",
                  "city", "segment", "signup_date", "updated_at"),
    "products": ("product_id", "sku", "name", "category", "subcategory", "brand", "unit_cost",
                 "list_price", "rating", "updated_at"),
    "campaigns": ("campaign_id", "name", "channel", "start_date", "end_date", "budget",
                  "discount_pct"),
    "orders": ("order_id", "customer_id", "order_ts", "status", "channel", "campaign_id",
               "currency", "shipping_amount", "payment_method", "updated_at"),
    "order_items": ("order_id", "line_number", "product_id", "quantity", "unit_price",
                    "discount_amount"),
    "clickstream": ("event_id", "event_ts", "customer_id", "anonymous_id", "event_type",
                    "product_id", "order_id", "page_url", "referrer", "utm_source",
                    "utm_medium", "utm_campaign", "device"),
    "inventory": ("snapshot_date", "product_id", "warehouse_id", "on_hand", "reorder_point"),
    "reviews": ("review_id", "order_id", "product_id", "customer_id", "rating", "review_ts",
                "title", "body"),
}

JSONL_ENTITIES = frozenset({"clickstream"})

# A schema-drifted file renames one required column, as an upstream export
# change would; the ingestor must quarantine the whole file.
DRIFT_RENAMES: dict[str, tuple[str, str]] = {
    "orders": ("order_ts", "order_timestamp"),
    "order_items": ("quantity", "qty"),
    "inventory": ("on_hand", "quantity_on_hand"),
    "reviews": ("rating", "stars"),
}


def file_name(entity: str) -> str:
    return f"{entity}.jsonl" if entity in JSONL_ENTITIES else f"{entity}.csv"
