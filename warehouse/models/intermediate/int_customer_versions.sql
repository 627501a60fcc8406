-- The SCD2 history of every customer in scope, rebuilt from staging (decision 0058):
--   * versions are ordered by updated_at, never by arrival, so a late or out-of-order
--     record lands in its place in the history;
--   * several records with the same updated_at: the later batch (business_date, then
--     batch_id), then the later line wins;
--   * a record whose attributes equal the previous version's (same change_hash) is a
--     re-delivery and opens no version;
--   * valid_from = updated_at, valid_to = the next version's valid_from (half-open),
--     NULL for the current version.
-- A customer named by orders/reviews but not delivered yet is an inferred member
-- (is_inferred, attributes NULL). The first version's surrogate key does not depend on
-- its start, so completing an inferred member keeps its key.
with source as (
  select s.*, b.business_date,
         md5(row(s.email, s.first_name, s.last_name, s.country, s.region, s.city,
                 s.segment, s.signup_date)::text) as change_hash
  from {{ source('staging', 'customers') }} s
  join {{ ref('scope_customers') }} using (customer_id)
  left join {{ source('ops', 'batches') }} b using (batch_id)
), one_per_instant as (
  select distinct on (customer_id, updated_at) *
  from source
  order by customer_id, updated_at, business_date desc nulls last, batch_id desc,
           source_file desc, line_number desc
), changes as (
  select *, lag(change_hash) over (partition by customer_id order by updated_at) as prior_hash
  from one_per_instant
), versions as (
  select *, row_number() over w as version_number, lead(updated_at) over w as next_from
  from changes
  where prior_hash is distinct from change_hash
  window w as (partition by customer_id order by updated_at)
), delivered as (
  select warehouse.surrogate_key('customer', customer_id,
           case when version_number = 1 then 'first'
                else extract(epoch from updated_at)::text end) as customer_key,
         customer_id, version_number::int as version_number, email, first_name, last_name,
         country, region, city, segment, signup_date, updated_at as valid_from,
         next_from as valid_to, next_from is null as is_current, false as is_inferred,
         change_hash, batch_id as source_batch_id, source_file, line_number as source_line
  from versions
)
select * from delivered
union all
select warehouse.surrogate_key('customer', k.customer_id, 'first'), k.customer_id, 1,
       null, null, null, null, null, null, null, null, null, null, true, true, null, null,
       null, null
from {{ ref('scope_customers') }} k
where not exists (select 1 from delivered v where v.customer_id = k.customer_id)
