-- Every distinct (snapshot_date, product_id, warehouse_id) in staging for the inventory
-- keys in scope has exactly one fact_inventory_daily row.
with expected as (
  select distinct i.snapshot_date, i.product_id, i.warehouse_id
  from {{ source('staging', 'inventory') }} i
  join {{ ref('scope_inventory') }} using (snapshot_date, product_id)
), actual as (
  select f.snapshot_date, f.product_id, f.warehouse_id
  from {{ ref('fact_inventory_daily') }} f
  join {{ ref('scope_inventory') }} using (snapshot_date, product_id)
)
select e.product_id, a.product_id
from expected e full join actual a
  on a.snapshot_date = e.snapshot_date and a.product_id = e.product_id
 and a.warehouse_id = e.warehouse_id
where e.product_id is null or a.product_id is null
