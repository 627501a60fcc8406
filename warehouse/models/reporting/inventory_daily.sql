-- Stock per product, warehouse and day.
select snapshot_date, product_id, product_key, warehouse_id, on_hand, reorder_point,
       is_stockout, below_reorder_point
from {{ source('warehouse', 'fact_inventory_daily') }}
