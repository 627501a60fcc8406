-- Customer versions (SCD2) without personal columns (e-mail, names, city:
-- reporting_personal.customer_contacts).
select customer_key, customer_id, version_number, country, region, segment, signup_date,
       valid_from, valid_to, is_current, is_inferred
from {{ source('warehouse', 'dim_customer') }}
