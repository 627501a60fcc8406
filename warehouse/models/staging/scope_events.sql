-- Clickstream events the batch delivered (every event on a full refresh), in event order:
-- the lookups by event_id then walk the indexes (and the heap they point to) in order.
select distinct event_id from {{ source('staging', 'clickstream') }} where {{ in_build_batch() }}
order by event_id
