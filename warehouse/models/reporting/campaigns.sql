-- Marketing campaigns.
select campaign_key, campaign_id, name as campaign_name, channel, start_date, end_date,
       budget, discount_pct, is_inferred
from {{ source('warehouse', 'dim_campaign') }}
