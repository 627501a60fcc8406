-- Sales per day (the dashboard's figures).
select sales_date, revenue, orders, units, customers, new_customers, gross_amount,
       discount_amount, cost_amount, margin_amount, shipping_amount
from {{ source('marts', 'daily_sales') }}
