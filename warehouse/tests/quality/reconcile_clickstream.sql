-- Every clickstream event in scope has exactly one fact_events row.
select s.event_id
from {{ ref('scope_events') }} s
left join {{ ref('fact_events') }} f using (event_id)
where f.event_id is null
