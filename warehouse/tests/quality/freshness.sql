-- Freshness: the latest order date in the warehouse against the business date of the
-- build's batch (else the newest batch ops.batches knows). observed = days behind; more
-- than 1 warns, more than 7 fails; no order yet counts as 2 days behind (a warning); no
-- reference date passes.
{{ config(meta={'warn_above': 1, 'fail_above': 7}, fail_calc='coalesce(max(days_behind), 0)') }}
with reference as (
  select coalesce(
           (select b.business_date from {{ source('ops', 'batches') }} b
            where b.batch_id = {{ build_batch_id() }}),
           (select max(business_date) from {{ source('ops', 'batches') }})) as d
), latest as (
  select max(order_date) as d from {{ ref('fact_orders') }}
)
select reference.d as reference_date, latest.d as latest_order_date,
       coalesce(reference.d - latest.d, 2) as days_behind
from reference, latest
where reference.d is not null
