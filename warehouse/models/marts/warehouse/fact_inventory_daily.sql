-- fact_inventory_daily: grain = (snapshot_date, product_id, warehouse_id), latest
-- delivery (later batch, then later line). product_key = the product version in effect
-- at the start (00:00 UTC) of the snapshot date.
{{ config(scope='scope_inventory', scope_keys=['snapshot_date', 'product_id']) }}
select i.snapshot_date, i.product_id, i.warehouse_id,
       to_char(i.snapshot_date, 'YYYYMMDD')::int as date_key, p.product_key, i.on_hand,
       i.reorder_point, i.on_hand = 0 as is_stockout,
       coalesce(i.on_hand <= i.reorder_point, false) as below_reorder_point,
       i.batch_id as source_batch_id
from (
  select distinct on (s.snapshot_date, s.product_id, s.warehouse_id) s.*
  from {{ source('staging', 'inventory') }} s
  join {{ ref('scope_inventory') }} using (snapshot_date, product_id)
  left join {{ source('ops', 'batches') }} b using (batch_id)
  order by s.snapshot_date, s.product_id, s.warehouse_id, b.business_date desc nulls last,
           s.batch_id desc, s.source_file desc, s.line_number desc
) i
left join {{ ref('dim_product') }} p
  on p.product_id = i.product_id
 and (p.version_number = 1 or p.valid_from <= i.snapshot_date::timestamp at time zone 'UTC')
 and (p.valid_to is null or i.snapshot_date::timestamp at time zone 'UTC' < p.valid_to)
