-- The SCD2 history of every product in scope, rebuilt from staging: the same rules as
-- int_customer_versions (order by updated_at, ties to the later batch and line,
-- re-deliveries open no version, half-open ranges, inferred members for products named
-- by order lines, inventory or reviews before their record arrives).
with source as (
  select s.*, b.business_date,
         md5(row(s.sku, s.name, s.category, s.subcategory, s.brand,
                 trim_scale(s.unit_cost), trim_scale(s.list_price),
                 trim_scale(s.rating))::text) as change_hash
  from {{ source('staging', 'products') }} s
  join {{ ref('scope_products') }} using (product_id)
  left join {{ source('ops', 'batches') }} b using (batch_id)
), one_per_instant as (
  select distinct on (product_id, updated_at) *
  from source
  order by product_id, updated_at, business_date desc nulls last, batch_id desc,
           source_file desc, line_number desc
), changes as (
  select *, lag(change_hash) over (partition by product_id order by updated_at) as prior_hash
  from one_per_instant
), versions as (
  select *, row_number() over w as version_number, lead(updated_at) over w as next_from
  from changes
  where prior_hash is distinct from change_hash
  window w as (partition by product_id order by updated_at)
), delivered as (
  select warehouse.surrogate_key('product', product_id,
           case when version_number = 1 then 'first'
                else extract(epoch from updated_at)::text end) as product_key,
         product_id, version_number::int as version_number, sku, name, category,
         subcategory, brand, unit_cost, list_price, rating, updated_at as valid_from,
         next_from as valid_to, next_from is null as is_current, false as is_inferred,
         change_hash, batch_id as source_batch_id, source_file, line_number as source_line
  from versions
)
select * from delivered
union all
select warehouse.surrogate_key('product', k.product_id, 'first'), k.product_id, 1,
       null, null, null, null, null, null, null, null, null, null, true, true, null, null,
       null, null
from {{ ref('scope_products') }} k
where not exists (select 1 from delivered v where v.product_id = k.product_id)
