-- Sales per day and product.
select sales_date, product_id, category, revenue, orders, units, cost_amount, margin_amount
from {{ source('marts', 'daily_product_sales') }}
