-- Personal data (free text may name people): review titles and bodies.
{{ config(schema='reporting_personal', grants={'select': ['shopflow_reader_personal']}) }}
select review_id, product_id, customer_id, review_date, title, body
from {{ source('warehouse', 'fact_reviews') }}
