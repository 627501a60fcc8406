-- The latest delivery of each clickstream event in scope (later batch, then later line),
-- with its visitor: 'c:' || customer_id when the event names a customer, else
-- 'a:' || anonymous_id.
select distinct on (s.event_id) s.*,
       case when s.customer_id is not null then 'c:' || s.customer_id
            else 'a:' || s.anonymous_id end as visitor_id
from (
  -- the deliveries, looked up by event; OFFSET 0 keeps the batches' join out of the lookup
  select s.* from {{ ref('scope_events') }} e
  {{ lookup_join(source('staging', 'clickstream'), 's', 's.event_id = e.event_id') }}
  offset 0
) s
left join {{ source('ops', 'batches') }} b using (batch_id)
order by s.event_id, b.business_date desc nulls last, s.batch_id desc, s.source_file desc,
         s.line_number desc
