-- Sales per day and category.
select sales_date, category, revenue, orders, units, customers, new_customers,
       gross_amount, discount_amount, cost_amount, margin_amount
from {{ source('marts', 'daily_category_sales') }}
