-- fact_reviews: grain = one review (review_id), latest delivery (later batch, then later
-- line); product and customer versions in effect at review_ts.
{{ config(scope='scope_reviews', scope_keys=['review_id']) }}
select r.review_id, r.order_id, r.product_id, p.product_key, r.customer_id, c.customer_key,
       r.rating, r.review_ts, (r.review_ts at time zone 'UTC')::date as review_date,
       to_char((r.review_ts at time zone 'UTC')::date, 'YYYYMMDD')::int as date_key,
       r.title, r.body, r.batch_id as source_batch_id
from (
  select distinct on (s.review_id) s.*
  from {{ source('staging', 'reviews') }} s
  join {{ ref('scope_reviews') }} using (review_id)
  left join {{ source('ops', 'batches') }} b using (batch_id)
  order by s.review_id, b.business_date desc nulls last, s.batch_id desc,
           s.source_file desc, s.line_number desc
) r
left join {{ ref('dim_product') }} p
  on p.product_id = r.product_id
 and (p.version_number = 1 or p.valid_from <= r.review_ts)
 and (p.valid_to is null or r.review_ts < p.valid_to)
left join {{ ref('dim_customer') }} c
  on c.customer_id = r.customer_id
 and (c.version_number = 1 or c.valid_from <= r.review_ts)
 and (c.valid_to is null or r.review_ts < c.valid_to)
