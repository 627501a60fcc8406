-- Inventory (snapshot_date, product_id) keys this build rebuilds: the batch's snapshots
-- (every snapshot on a full refresh), plus those whose product version changed.
select snapshot_date, product_id from {{ source('staging', 'inventory') }}
where {{ in_build_batch() }}
union
select f.snapshot_date, f.product_id
from {{ ref('dim_changes') }} c
join {{ previous_state('fact_inventory_daily') }} f
  on f.product_id = c.natural_key
 and f.snapshot_date::timestamp at time zone 'UTC' >= c.changed_from
where c.entity = 'product'
