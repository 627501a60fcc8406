-- One row per order, its latest version.
select order_id, customer_id, customer_key, campaign_id, order_ts, order_date, status,
       is_revenue, channel, currency, payment_method, line_count, units, gross_amount,
       discount_amount, net_amount, shipping_amount, cost_amount
from {{ source('warehouse', 'fact_orders') }}
