-- Personal data: each customer's contact details, current version only.
{{ config(schema='reporting_personal', grants={'select': ['shopflow_reader_personal']}) }}
select customer_id, email, first_name, last_name, city, valid_from
from {{ source('warehouse', 'dim_customer') }}
where is_current
