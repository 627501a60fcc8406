-- One row per order line, with the product and customer versions in effect.
select order_id, line_number, order_ts, order_date, customer_id, customer_key, product_id,
       product_key, campaign_id, order_status, is_revenue, category, quantity, unit_price,
       discount_amount, gross_amount, net_amount, cost_amount, margin_amount
from {{ source('warehouse', 'fact_order_items') }}
