-- Campaigns this build touches: delivered by the batch or named by its orders.
select campaign_id from {{ source('staging', 'campaigns') }} where {{ in_build_batch() }}
union
select campaign_id from {{ source('staging', 'orders') }}
where {{ in_build_batch() }} and campaign_id is not null
