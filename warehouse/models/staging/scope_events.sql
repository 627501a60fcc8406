-- Clickstream events the batch delivered (every event on a full refresh).
select distinct event_id from {{ source('staging', 'clickstream') }} where {{ in_build_batch() }}
