-- dim_campaign: Type 1 (latest record wins: later batch, then later line). Grain: one row
-- per campaign_id. A campaign named by an order before its record arrives is an inferred
-- member. The key depends on campaign_id only.
{{ config(scope='scope_campaigns', scope_keys=['campaign_id']) }}
with delivered as (
  select distinct on (s.campaign_id)
         warehouse.surrogate_key('campaign', s.campaign_id) as campaign_key, s.campaign_id,
         s.name, s.channel, s.start_date, s.end_date, s.budget, s.discount_pct,
         false as is_inferred, s.batch_id as source_batch_id, s.source_file,
         s.line_number as source_line
  from {{ source('staging', 'campaigns') }} s
  join {{ ref('scope_campaigns') }} using (campaign_id)
  left join {{ source('ops', 'batches') }} b using (batch_id)
  order by s.campaign_id, b.business_date desc nulls last, s.batch_id desc,
           s.source_file desc, s.line_number desc
)
select * from delivered
union all
select warehouse.surrogate_key('campaign', k.campaign_id), k.campaign_id, null, null, null,
       null, null, null, true, null, null, null
from {{ ref('scope_campaigns') }} k
where not exists (select 1 from delivered d where d.campaign_id = k.campaign_id)
