-- Every clickstream event in scope has exactly one fact_events row.
select s.event_id
from {{ ref('scope_events') }} s
{{ lookup_join(ref('fact_events'), 'f', 'f.event_id = s.event_id', kind='left join') }}
where f.event_id is null
