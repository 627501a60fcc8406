-- Revenue and orders credited to campaigns per day and attribution model.
select order_date, model, campaign_id, campaign_name, channel, revenue, orders
from {{ source('marts', 'attribution') }}
